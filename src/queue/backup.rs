//! Backup to other storage (R12) and the archive check.
//!
//! [`Queue::export_backup`] writes a folder `kyso-backup-YYYYMMDD-HHMMSS/` holding a
//! consistent copy of the database (`VACUUM INTO`), every archived file under the
//! same relative paths, `manifest.json`, and `SHA256SUMS` that `sha256sum -c`
//! accepts. It is built under a hidden `.…part` name and renamed when complete, so
//! a half-written backup never looks like a backup.
//!
//! [`Queue::check`] runs `PRAGMA integrity_check` and `foreign_key_check` and
//! re-hashes every archived file against its recorded SHA-256.

use std::io::Write;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OpenFlags};
use serde::Serialize;

use crate::queue::archive::{self, copy_verified, sync_dir};
use crate::queue::{now, sha256_file, Queue, QueueError, DB_FILE};

/// What [`Queue::export_backup`] wrote.
#[derive(Clone, Debug, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct BackupReport {
    /// The backup folder (inside the folder asked for).
    pub dir: PathBuf,
    /// How many archived files it holds.
    pub files: usize,
    /// How many documents the database copy holds.
    pub documents: u64,
    /// `manifest.json`.
    pub manifest: PathBuf,
    /// `SHA256SUMS` (check with `sha256sum -c SHA256SUMS` inside `dir`).
    pub sums: PathBuf,
}

/// What [`Queue::check`] found.
#[derive(Clone, Debug, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct CheckReport {
    /// Archived files re-hashed.
    pub checked: usize,
    /// Whether the database passed `integrity_check` and `foreign_key_check`.
    pub database_ok: bool,
    /// The database checks' messages (`["ok"]` when fine).
    pub database: Vec<String>,
    /// Archived files that are missing, changed or unreadable.
    pub bad: Vec<BadFile>,
}

impl CheckReport {
    /// Everything is as recorded.
    pub fn ok(&self) -> bool {
        self.database_ok && self.bad.is_empty()
    }
}

/// An archived file that is not as recorded.
#[derive(Clone, Debug, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct BadFile {
    /// The file (absolute).
    pub path: String,
    /// The SHA-256 recorded for it.
    pub expected: String,
    /// Its SHA-256 now, if it could be read.
    pub actual: Option<String>,
    /// What is wrong.
    pub problem: BadKind,
    /// The I/O error, if any.
    pub detail: Option<String>,
    /// The documents whose archived copy it is.
    pub documents: Vec<i64>,
}

/// What is wrong with an archived file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum BadKind {
    /// The file is gone.
    Missing,
    /// Its bytes differ from those archived.
    Changed,
    /// It could not be read.
    Unreadable,
    /// A document names an archive file the ledger does not know.
    Unrecorded,
    /// The stored path is not an archive path (`archive/ab/<sha256>.pdf`): never followed.
    InvalidPath,
}

/// The manifest written into a backup.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Manifest {
    format: &'static str,
    created_at: String,
    kyso_version: &'static str,
    schema_version: i64,
    documents: u64,
    database: ManifestFile,
    files: Vec<ManifestFile>,
}

#[derive(Serialize)]
struct ManifestFile {
    path: String,
    sha256: String,
    size: u64,
}

/// Write `bytes` to `path` and fsync it.
fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), QueueError> {
    let mut f = std::fs::File::create(path).map_err(QueueError::io(path))?;
    f.write_all(bytes).map_err(QueueError::io(path))?;
    f.sync_all().map_err(QueueError::io(path))
}

impl Queue {
    /// Export a backup into a new folder under `dir` (created if needed); see the
    /// module doc for its layout. An archived file that no longer matches its hash
    /// stops the export with [`QueueError::ArchiveCorrupt`] (run [`Queue::check`]).
    pub fn export_backup(&self, dir: &Path) -> Result<BackupReport, QueueError> {
        std::fs::create_dir_all(dir).map_err(QueueError::io(dir))?;
        let stamp: String = now().chars().take(19).filter(|c| c.is_ascii_digit() || *c == 'T').collect();
        let stamp = stamp.replace('T', "-");
        let mut name = format!("kyso-backup-{stamp}");
        let mut n = 2;
        while dir.join(&name).exists() || dir.join(format!(".{name}.part")).exists() {
            name = format!("kyso-backup-{stamp}-{n}");
            n += 1;
        }
        let staging = dir.join(format!(".{name}.part"));
        let target = dir.join(&name);
        std::fs::create_dir(&staging).map_err(QueueError::io(&staging))?;
        // A failure leaves nothing on the backup medium: the half-written folder goes.
        let result = self.fill_backup(dir, &staging, &target);
        if result.is_err() {
            let _ = std::fs::remove_dir_all(&staging);
        }
        result
    }

    /// The body of [`Queue::export_backup`]: everything into `staging`, then renamed to `target`.
    fn fill_backup(&self, dir: &Path, staging: &Path, target: &Path) -> Result<BackupReport, QueueError> {
        let (staging, target) = (staging.to_owned(), target.to_owned());

        // A consistent snapshot of the database, taken in one statement.
        let db_copy = staging.join(DB_FILE);
        let db_copy_text = db_copy.to_str().ok_or_else(|| QueueError::InvalidArgument { what: "dir", value: dir.display().to_string() })?;
        self.conn.execute("VACUUM INTO ?1", [db_copy_text]).map_err(self.db())?;
        std::fs::File::open(&db_copy).and_then(|f| f.sync_all()).map_err(QueueError::io(&db_copy))?;

        // The files the snapshot refers to (they are immutable, so copying them now is consistent).
        let copy_err = |source| QueueError::Db { path: db_copy.clone(), source };
        let snapshot = Connection::open_with_flags(&db_copy, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(copy_err)?;
        let ledger = {
            let mut stmt = snapshot.prepare("SELECT sha256, path FROM archive_files ORDER BY path").map_err(copy_err)?;
            let rows = stmt
                .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
                .map_err(copy_err)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(copy_err)?;
            rows
        };
        let documents: i64 = snapshot.query_row("SELECT COUNT(*) FROM documents", [], |r| r.get(0)).map_err(copy_err)?;
        let schema_version: i64 = snapshot.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(copy_err)?;
        drop(snapshot);

        let mut files = Vec::with_capacity(ledger.len());
        for (sha, rel) in &ledger {
            let src = archive::checked(&self.data_dir, rel, sha)?;
            let dest = archive::checked(&staging, rel, sha)?;
            let size = match copy_verified(&src, &dest, sha) {
                Ok(size) => size,
                Err(QueueError::HashMismatch { .. }) => return Err(QueueError::ArchiveCorrupt { path: src }),
                Err(e) => return Err(e),
            };
            files.push(ManifestFile { path: rel.clone(), sha256: sha.clone(), size });
        }
        let db_meta = std::fs::metadata(&db_copy).map_err(QueueError::io(&db_copy))?;
        let manifest = Manifest {
            format: "kyso-backup/1",
            created_at: now(),
            kyso_version: env!("CARGO_PKG_VERSION"),
            schema_version,
            documents: u64::try_from(documents).unwrap_or(0),
            database: ManifestFile { path: DB_FILE.to_owned(), sha256: sha256_file(&db_copy)?, size: db_meta.len() },
            files,
        };
        let json =
            serde_json::to_vec_pretty(&manifest).map_err(|e| QueueError::Io { path: staging.join("manifest.json"), source: e.into() })?;
        write_synced(&staging.join("manifest.json"), &json)?;
        let mut sums = String::new();
        sums.push_str(&format!("{}  {}\n", manifest.database.sha256, manifest.database.path));
        for f in &manifest.files {
            sums.push_str(&format!("{}  {}\n", f.sha256, f.path));
        }
        sums.push_str(&format!("{}  manifest.json\n", sha256_file(&staging.join("manifest.json"))?));
        write_synced(&staging.join("SHA256SUMS"), sums.as_bytes())?;
        sync_dir(&staging)?;
        std::fs::rename(&staging, &target).map_err(QueueError::io(&target))?;
        sync_dir(dir)?;
        Ok(BackupReport {
            manifest: target.join("manifest.json"),
            sums: target.join("SHA256SUMS"),
            dir: target,
            files: manifest.files.len(),
            documents: manifest.documents,
        })
    }

    /// Check the database and every archived file (re-hashed against the SHA-256
    /// it was archived with). Reads only; changes nothing.
    pub fn check(&self) -> Result<CheckReport, QueueError> {
        let db = self.db();
        let mut database: Vec<String> = {
            let mut stmt = self.conn.prepare("PRAGMA integrity_check").map_err(&db)?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(&db)?.collect::<rusqlite::Result<Vec<_>>>().map_err(&db)?;
            rows
        };
        let integrity_ok = database == ["ok"];
        let fk: Vec<String> = {
            let mut stmt = self.conn.prepare("PRAGMA foreign_key_check").map_err(&db)?;
            let rows = stmt
                .query_map([], |r| Ok(format!("foreign key: {} row {:?}", r.get::<_, String>(0)?, r.get::<_, Option<i64>>(1)?)))
                .map_err(&db)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(&db)?;
            rows
        };
        let database_ok = integrity_ok && fk.is_empty();
        database.extend(fk);

        let ledger: Vec<(String, String)> = {
            let mut stmt = self.conn.prepare("SELECT sha256, path FROM archive_files ORDER BY path").map_err(&db)?;
            let rows =
                stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).map_err(&db)?.collect::<rusqlite::Result<Vec<_>>>().map_err(&db)?;
            rows
        };
        let docs_of = |rel: &str| -> Result<Vec<i64>, QueueError> {
            let mut stmt = self.conn.prepare("SELECT id FROM documents WHERE archive_path = ?1 ORDER BY id").map_err(&db)?;
            let ids = stmt.query_map(params![rel], |r| r.get(0)).map_err(&db)?.collect::<rusqlite::Result<Vec<i64>>>().map_err(&db)?;
            Ok(ids)
        };
        let mut bad = Vec::new();
        for (sha, rel) in &ledger {
            let Ok(path) = archive::checked(&self.data_dir, rel, sha) else {
                bad.push(BadFile {
                    path: rel.clone(),
                    expected: sha.clone(),
                    actual: None,
                    problem: BadKind::InvalidPath,
                    detail: None,
                    documents: docs_of(rel)?,
                });
                continue;
            };
            let (problem, actual, detail) = match sha256_file(&path) {
                Ok(actual) if actual == *sha => continue,
                Ok(actual) => (BadKind::Changed, Some(actual), None),
                Err(QueueError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => (BadKind::Missing, None, None),
                Err(e) => (BadKind::Unreadable, None, Some(e.to_string())),
            };
            bad.push(BadFile {
                path: path.to_string_lossy().into_owned(),
                expected: sha.clone(),
                actual,
                problem,
                detail,
                documents: docs_of(rel)?,
            });
        }
        let unrecorded: Vec<(i64, String, String)> = {
            let mut stmt = self
                .conn
                .prepare(
                    "SELECT id, archive_path, sha256 FROM documents
                     WHERE archive_path IS NOT NULL AND archive_path NOT IN (SELECT path FROM archive_files)",
                )
                .map_err(&db)?;
            let rows = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .map_err(&db)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(&db)?;
            rows
        };
        for (id, rel, sha) in unrecorded {
            let (path, problem) = match archive::checked_any(&self.data_dir, &rel) {
                Ok(p) => (p.to_string_lossy().into_owned(), BadKind::Unrecorded),
                Err(_) => (rel, BadKind::InvalidPath),
            };
            bad.push(BadFile { path, expected: sha, actual: None, problem, detail: None, documents: vec![id] });
        }
        Ok(CheckReport { checked: ledger.len(), database_ok, database, bad })
    }
}
