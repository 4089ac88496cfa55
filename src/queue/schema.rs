//! The database schema as a list of migration steps, applied in order inside one
//! transaction each and tracked with `PRAGMA user_version`: version *n* means the
//! first *n* steps have run. A step is never edited once released; changes are new
//! steps at the end.

use rusqlite::{Connection, TransactionBehavior};

use crate::queue::search::fold;

/// The migration steps; `MIGRATIONS[i]` takes the schema from version `i` to `i + 1`.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: documents and their history.
    "CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        role TEXT NOT NULL CHECK (role IN ('sign', 'seal', 'incoming')),
        status TEXT NOT NULL CHECK (status IN ('pending', 'signed', 'sealed', 'released', 'valid',
            'invalid', 'indeterminate', 'registered', 'rejected')),
        title TEXT,
        file_name TEXT NOT NULL,
        source_path TEXT NOT NULL,
        current_path TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        doc_number TEXT,
        doc_date TEXT,
        signers TEXT,
        verdict TEXT,
        verdict_reason TEXT,
        archive_path TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX documents_by_source ON documents (source_path, role);
    CREATE INDEX documents_by_status ON documents (role, status);
    CREATE TABLE history (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE RESTRICT,
        at TEXT NOT NULL,
        action TEXT NOT NULL,
        actor TEXT,
        cert_serial TEXT,
        sha256_before TEXT,
        sha256_after TEXT,
        detail TEXT,
        status TEXT
    );
    CREATE INDEX history_by_document ON history (document_id, id);",
    // 2: the archive ledger and a folded search key (lower case, no diacritics;
    // filled in by `rekey` after the step, since folding is done in Rust).
    "CREATE TABLE archive_files (
        sha256 TEXT PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        size INTEGER NOT NULL,
        added_at TEXT NOT NULL
    );
    ALTER TABLE documents ADD COLUMN search_key TEXT NOT NULL DEFAULT '';
    CREATE INDEX history_by_time ON history (at);",
    // 3: token handovers (biên bản bàn giao), each with its record in the queue.
    "CREATE TABLE handovers (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE RESTRICT,
        token_label TEXT NOT NULL,
        token_serial TEXT NOT NULL,
        token_model TEXT NOT NULL,
        from_name TEXT NOT NULL,
        to_name TEXT NOT NULL,
        witness TEXT,
        handover_date TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX handovers_by_date ON handovers (handover_date);",
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Connection settings: WAL, `synchronous=FULL` (a commit survives power loss),
/// foreign keys, and a wait instead of an error when another process writes.
///
/// On a network share (`on_network`: Windows folder redirection puts `%APPDATA%` on
/// `\\server\share`) WAL cannot work — its index is shared memory between the processes
/// of one computer — so the classic rollback journal is used there.
pub(crate) fn configure(conn: &Connection, on_network: bool) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    let journal = if on_network { "DELETE" } else { "WAL" };
    conn.pragma_update(None, "journal_mode", journal)?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

/// Whether `path` names a network share by its UNC form (`\\server\share\…`,
/// `\\?\UNC\server\…`, or with forward slashes). Mapped drive letters are not recognised.
pub(crate) fn is_network_path(path: &std::path::Path) -> bool {
    let s = path.to_string_lossy().replace('/', "\\");
    if let Some(rest) = s.strip_prefix(r"\\?\").or_else(|| s.strip_prefix(r"\\.\")) {
        return rest.get(..4).is_some_and(|p| p.eq_ignore_ascii_case(r"UNC\"));
    }
    s.starts_with(r"\\") && s.len() > 2 && !s[2..].starts_with('\\')
}

/// The database's schema version.
pub(crate) fn version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// Bring the schema up to version `target` (at most [`SCHEMA_VERSION`]). Each step
/// and its version bump commit together, so a crash leaves a whole version.
/// Returns the version found before, or `Err(found)` through `Ok(Err)` when the
/// database is newer than this build.
pub(crate) fn migrate(conn: &mut Connection, target: i64) -> rusqlite::Result<Result<i64, i64>> {
    let found = version(conn)?;
    if found > SCHEMA_VERSION {
        return Ok(Err(found));
    }
    for v in found..target.min(SCHEMA_VERSION) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Another process may have migrated while we waited for the lock.
        if version(&tx)? > v {
            continue;
        }
        let idx = usize::try_from(v).unwrap_or(usize::MAX);
        if let Some(step) = MIGRATIONS.get(idx) {
            tx.execute_batch(step)?;
        }
        tx.pragma_update(None, "user_version", v + 1)?;
        if v + 1 >= 2 {
            rekey(&tx)?;
        }
        tx.commit()?;
    }
    Ok(Ok(found))
}

/// Fill in the folded search key of rows that lack one.
pub(crate) fn rekey(conn: &Connection) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare("SELECT id, doc_number, title, signers, file_name FROM documents WHERE search_key = ''")?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                search_key(
                    r.get::<_, Option<String>>(1)?.as_deref(),
                    r.get::<_, Option<String>>(2)?.as_deref(),
                    r.get::<_, Option<String>>(3)?.as_deref(),
                    &r.get::<_, String>(4)?,
                ),
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (id, key) in rows {
        conn.execute("UPDATE documents SET search_key = ?1 WHERE id = ?2", rusqlite::params![key, id])?;
    }
    Ok(())
}

/// The folded text a search matches: number, title, signers and file name.
pub(crate) fn search_key(number: Option<&str>, title: Option<&str>, signers: Option<&str>, file_name: &str) -> String {
    let parts = [number.unwrap_or(""), title.unwrap_or(""), signers.unwrap_or(""), file_name];
    fold(&parts.join("\n"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    #[test]
    fn unc_paths_are_network_shares() {
        use std::path::Path;
        for p in [r"\\fileserver\users$\an\AppData\Roaming\kyso", r"\\?\UNC\fs\x\kyso", "//fs/share/kyso"] {
            assert!(super::is_network_path(Path::new(p)), "{p}");
        }
        for p in [r"C:\Users\an\AppData\Roaming\kyso", r"\\?\C:\Users\Đặng\kyso", "/home/an/.local/share/kyso", r"\\?\Đ"] {
            assert!(!super::is_network_path(Path::new(p)), "{p}");
        }
    }

    use super::*;

    fn open(dir: &std::path::Path) -> Connection {
        let conn = Connection::open(dir.join("t.sqlite3")).expect("open");
        configure(&conn, false).expect("configure");
        conn
    }

    #[test]
    fn from_empty_to_latest() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut conn = open(dir.path());
        assert_eq!(migrate(&mut conn, SCHEMA_VERSION).expect("migrate"), Ok(0));
        assert_eq!(version(&conn).expect("v"), SCHEMA_VERSION);
        // Idempotent.
        assert_eq!(migrate(&mut conn, SCHEMA_VERSION).expect("migrate"), Ok(SCHEMA_VERSION));
        let journal: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).expect("jm");
        assert_eq!(journal, "wal");
        let fk: i64 = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).expect("fk");
        assert_eq!(fk, 1);
    }

    #[test]
    fn from_version_1_keeps_rows_and_fills_search_key() {
        let dir = tempfile::tempdir().expect("tmp");
        {
            let mut conn = open(dir.path());
            assert_eq!(migrate(&mut conn, 1).expect("migrate"), Ok(0));
            assert_eq!(version(&conn).expect("v"), 1);
            conn.execute(
                "INSERT INTO documents (role, status, title, file_name, source_path, current_path, sha256,
                     doc_number, created_at, updated_at)
                 VALUES ('incoming', 'pending', 'Quyết định khen thưởng', 'qd.pdf', '/x/qd.pdf', '/x/qd.pdf',
                     'ab', '12/QĐ-UBND', '2026-01-02T10:00:00+07:00', '2026-01-02T10:00:00+07:00')",
                [],
            )
            .expect("insert v1 row");
        }
        let mut conn = open(dir.path());
        assert_eq!(migrate(&mut conn, SCHEMA_VERSION).expect("migrate"), Ok(1));
        assert_eq!(version(&conn).expect("v"), SCHEMA_VERSION);
        let key: String = conn.query_row("SELECT search_key FROM documents", [], |r| r.get(0)).expect("key");
        assert!(key.contains("quyet dinh khen thuong"), "{key}");
        assert!(key.contains("12/qd-ubnd"), "{key}");
    }

    #[test]
    fn newer_database_is_refused() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut conn = open(dir.path());
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1).expect("bump");
        assert_eq!(migrate(&mut conn, SCHEMA_VERSION).expect("migrate"), Err(SCHEMA_VERSION + 1));
    }
}
