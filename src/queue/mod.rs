//! The sign/verify queue and the archive (R12, R16, R17): one SQLite file in the
//! user's data dir, with migrations, each document's history, and the released and
//! registered files kept in their original bytes.
//!
//! Layout under the data dir:
//!
//! ```text
//! kyso.sqlite3        documents, history, archive ledger (WAL, synchronous=FULL)
//! archive/ab/<sha256>.pdf   archived files, content-addressed, never modified
//! ```
//!
//! Every state change is one transaction together with its history row, so a crash
//! (even `kill -9`) leaves each document in its old state or its new one. Files are
//! written before the transaction that names them (temporary file, fsync, rename):
//! a crash in between leaves at most an unreferenced archive file, and the step can
//! simply be repeated. See `docs/archive.md`.

mod archive;
mod backup;
mod error;
mod extend;
mod handover;
mod model;
mod report;
mod schema;
mod search;
mod store;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

pub use archive::{sha256_file, Staged};
pub use backup::{BackupReport, BadFile, BadKind, CheckReport};
pub use error::QueueError;
pub use extend::{last_timestamp_expiry, ExtendOutcome};
pub use handover::{HandoverEntry, NewHandover};
pub use model::{Action, DocRole, DocStatus, Document, HistoryEntry, SignedRecord, VerifiedRecord};
pub use report::ReportRow;
pub use schema::SCHEMA_VERSION;
pub use search::{check_date, fold, SearchQuery};

/// The database file's name in the data dir.
pub const DB_FILE: &str = "kyso.sqlite3";
/// The archive folder's name in the data dir.
pub const ARCHIVE_DIR: &str = "archive";

/// The queue and archive of one user: an open SQLite connection and the folders.
pub struct Queue {
    conn: Connection,
    data_dir: PathBuf,
    db_path: PathBuf,
}

impl std::fmt::Debug for Queue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Queue").field("db_path", &self.db_path).finish()
    }
}

impl Queue {
    /// Open (creating if needed) `data_dir/kyso.sqlite3` and `data_dir/archive/`,
    /// and bring the schema up to date. Temporary files a crash left in the
    /// archive are removed.
    pub fn open(data_dir: &Path) -> Result<Queue, QueueError> {
        std::fs::create_dir_all(data_dir).map_err(QueueError::io(data_dir))?;
        let data_dir = dunce::canonicalize(data_dir).map_err(QueueError::io(data_dir))?;
        let archive_dir = data_dir.join(ARCHIVE_DIR);
        std::fs::create_dir_all(&archive_dir).map_err(QueueError::io(&archive_dir))?;
        archive::remove_stale_temps(&archive_dir);
        let db_path = data_dir.join(DB_FILE);
        let db = |source| QueueError::db(db_path.clone(), source);
        let mut conn = Connection::open(&db_path).map_err(db)?;
        schema::configure(&conn, schema::is_network_path(&data_dir)).map_err(db)?;
        match schema::migrate(&mut conn, SCHEMA_VERSION).map_err(db)? {
            Ok(_) => {}
            Err(found) => return Err(QueueError::SchemaTooNew { found, supported: SCHEMA_VERSION }),
        }
        Ok(Queue { conn, data_dir, db_path })
    }

    /// Open the archive in `data_dir` for reading only (`kyso archive check`,
    /// search, list, report, export): nothing is created, migrated or cleaned, and a
    /// folder without `kyso.sqlite3` is [`QueueError::NoArchive`].
    pub fn open_read_only(data_dir: &Path) -> Result<Queue, QueueError> {
        let db_path = data_dir.join(DB_FILE);
        if !db_path.is_file() {
            return Err(QueueError::NoArchive { dir: data_dir.to_owned() });
        }
        let data_dir = dunce::canonicalize(data_dir).map_err(QueueError::io(data_dir))?;
        let db_path = data_dir.join(DB_FILE);
        let db = |source| QueueError::Db { path: db_path.clone(), source };
        let conn = Connection::open_with_flags(&db_path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX).map_err(db)?;
        let found = schema::version(&conn).map_err(db)?;
        if found > SCHEMA_VERSION {
            return Err(QueueError::SchemaTooNew { found, supported: SCHEMA_VERSION });
        }
        Ok(Queue { conn, data_dir, db_path })
    }

    /// Copy document `id`'s current file into the archive folder, hashed once, for
    /// checking and then [`Queue::register_staged`] (the same bytes).
    pub fn stage(&self, id: i64) -> Result<archive::Staged, QueueError> {
        let doc = self.get(id)?;
        archive::stage(Path::new(&doc.current_path), &self.data_dir)
    }

    /// The data dir (canonical).
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The database file.
    pub fn db_path(&self) -> &Path {
        &self.db_path
    }

    /// The archive folder.
    pub fn archive_dir(&self) -> PathBuf {
        self.data_dir.join(ARCHIVE_DIR)
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64, QueueError> {
        schema::version(&self.conn).map_err(self.db())
    }

    /// Map a SQLite error to [`QueueError::Db`] naming this database.
    fn db(&self) -> impl Fn(rusqlite::Error) -> QueueError {
        db_err(&self.db_path)
    }
}

/// Map a SQLite error to [`QueueError::Db`] naming `path` (owns its copy of the
/// path, so it can be used while the connection is borrowed mutably).
fn db_err(path: &Path) -> impl Fn(rusqlite::Error) -> QueueError {
    let path = path.to_owned();
    move |source| QueueError::db(path.clone(), source)
}

/// The name a file is stored under: its canonical path (without Windows' `\\?\` where
/// not needed), or, for an existing file whose system cannot make one (some Windows
/// network and RAM drives), its absolute path.
fn real_path(path: &Path) -> std::io::Result<PathBuf> {
    dunce::canonicalize(path).or_else(|e| if path.exists() { std::path::absolute(path) } else { Err(e) })
}

/// The current time as stored: ISO 8601 in Vietnam time (R18).
fn now() -> String {
    crate::time::iso8601(crate::time::now_vietnam())
}

/// Two connections on one database file, as a second window or a `kyso archive`
/// command makes them: SQLite's file locks (`fcntl` on Linux, `LockFileEx` on Windows —
/// the Windows stage runs these under Wine) make a writer wait for another, and a lock
/// held too long ends in [`QueueError::Busy`] with nothing changed.
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod locking_tests {
    use super::*;
    use crate::i18n::Localize;

    fn pdf(dir: &Path, name: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, format!("%PDF-1.7\n% {name}\n")).unwrap();
        p
    }

    #[test]
    fn a_writer_held_too_long_is_busy_and_nothing_changes() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("Dữ liệu KýSố");
        let a = Queue::open(&data).unwrap();
        let mut b = Queue::open(&data).unwrap();
        b.conn.busy_timeout(std::time::Duration::from_millis(200)).unwrap();
        let f = pdf(dir.path(), "Quyết định 1.pdf");
        a.conn.execute_batch("BEGIN IMMEDIATE").unwrap();
        let err = b.add(&f, DocRole::Sign).unwrap_err();
        assert_eq!(err.kind(), "queue_busy", "{err:?}");
        assert!(err.localize(crate::Lang::Vi).contains("đang được"), "{}", err.localize(crate::Lang::Vi));
        a.conn.execute_batch("COMMIT").unwrap();
        assert!(b.list(None, None).unwrap().is_empty(), "the refused add left nothing");
        b.add(&f, DocRole::Sign).unwrap();
        assert_eq!(a.list(None, None).unwrap().len(), 1, "the other connection sees it");
    }

    #[test]
    fn concurrent_writers_wait_for_each_other() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        Queue::open(&data).unwrap();
        let workers: Vec<_> = (0..2)
            .map(|w| {
                let (data, dir) = (data.clone(), dir.path().to_owned());
                std::thread::spawn(move || {
                    let mut q = Queue::open(&data).unwrap();
                    for i in 0..15 {
                        q.add(&pdf(&dir, &format!("văn bản {w}-{i}.pdf")), DocRole::Incoming).unwrap();
                    }
                })
            })
            .collect();
        for w in workers {
            w.join().unwrap();
        }
        assert_eq!(Queue::open(&data).unwrap().list(None, None).unwrap().len(), 30);
    }
}
