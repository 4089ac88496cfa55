//! Long-term upkeep of the archive (R12): archived documents whose last time-stamp
//! certificate expires before a date get a document time-stamp (B-LTA,
//! [`crate::longterm::extend_file`]); the extended file is kept as a new version
//! beside the original, which is never modified (`kyso archive extend`, *Lưu trữ*).

use std::path::{Path, PathBuf};

use rusqlite::{params, OptionalExtension, TransactionBehavior};

use serde::Serialize;
use time::OffsetDateTime;

use super::archive::{self, relative_path};
use super::store::{insert_event, Event};
use super::{db_err, now};
use super::{Queue, QueueError};
use crate::longterm::SigningLevel;
use crate::tsa::TsaClient;
use crate::verify::engine::{verify_file, DocumentReport, VerifyOptions};

/// What happened to one archived document.
#[derive(Clone, Debug, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ExtendOutcome {
    /// Queue id.
    pub id: i64,
    /// The document's file name.
    pub file_name: String,
    /// When its last time-stamp's TSA certificate expires (ISO 8601), `None`: no time-stamp.
    pub expires: Option<String>,
    /// `extended`, `not_due` or `failed`.
    pub result: String,
    /// SHA-256 of the version that was extended.
    pub sha256_before: String,
    /// SHA-256 of the new version, when extended.
    pub sha256_after: Option<String>,
    /// Its path in the archive, when extended.
    pub archive_path: Option<String>,
    /// Why it failed, in Vietnamese.
    pub error_vi: Option<String>,
    /// Why it failed, in English.
    pub error_en: Option<String>,
}

impl Queue {
    /// The newest archived version of every archived document: (id, file name,
    /// path relative to the data dir, SHA-256).
    pub fn archived_versions(&self) -> Result<Vec<(i64, String, String, String)>, QueueError> {
        let db = db_err(self.db_path());
        let mut stmt = self
            .conn
            .prepare("SELECT id, file_name, archive_path, sha256 FROM documents WHERE archive_path IS NOT NULL ORDER BY id")
            .map_err(&db)?;
        let rows: Vec<(i64, String, String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .map_err(&db)?
            .collect::<Result<_, _>>()
            .map_err(&db)?;
        let mut out = Vec::new();
        for (id, name, rel, sha) in rows {
            let newest: Option<(String, String)> = self
                .conn
                .query_row(
                    "SELECT detail, sha256_after FROM history WHERE document_id = ?1 AND action = 'archive_extended' ORDER BY id DESC LIMIT 1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .map_err(&db)?;
            let (rel, sha) = newest.unwrap_or((rel, sha));
            out.push((id, name, rel, sha));
        }
        Ok(out)
    }

    /// Keep `file` in the archive as a new version of document `id` (extended from
    /// the version of SHA-256 `from`), with a history row naming both SHA-256.
    pub fn add_archive_version(&mut self, id: i64, file: &Path, from: &str) -> Result<(String, String), QueueError> {
        let staged = archive::stage(file, self.data_dir())?;
        let sha = staged.sha256().to_owned();
        let (rel, size) = archive::commit_staged(staged, self.data_dir())?;
        debug_assert_eq!(rel, relative_path(&sha));
        let db = db_err(self.db_path());
        let at = now();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(&db)?;
        tx.execute(
            "INSERT OR IGNORE INTO archive_files (sha256, path, size, added_at) VALUES (?1, ?2, ?3, ?4)",
            params![sha, rel, i64::try_from(size).unwrap_or(i64::MAX), at],
        )
        .map_err(&db)?;
        let ev = Event { action: "archive_extended", before: Some(from), after: Some(&sha), detail: Some(&rel), ..Event::default() };
        insert_event(&tx, id, &at, &ev).map_err(&db)?;
        tx.commit().map_err(&db)?;
        Ok((rel, sha))
    }

    /// Extend every archived document whose last time-stamp certificate expires
    /// before `before` (or that has no time-stamp) to B-LTA with `client`, keeping
    /// each result as a new version. One document's failure does not stop the others.
    pub fn extend_archive(
        &mut self,
        before: OffsetDateTime,
        client: &TsaClient,
        opts: &VerifyOptions,
    ) -> Result<Vec<ExtendOutcome>, QueueError> {
        let mut out = Vec::new();
        for (id, file_name, rel, sha) in self.archived_versions()? {
            let path = archive::absolute(self.data_dir(), &rel);
            let report = verify_file(&path, opts);
            let expires = last_timestamp_expiry(&report);
            let mut o = ExtendOutcome {
                id,
                file_name,
                expires: expires.map(crate::time::iso8601),
                result: "not_due".into(),
                sha256_before: sha.clone(),
                sha256_after: None,
                archive_path: None,
                error_vi: None,
                error_en: None,
            };
            if expires.is_some_and(|e| e >= before) {
                out.push(o);
                continue;
            }
            let temp_out: PathBuf = self.data_dir().join("archive").join(format!(".extend-{id}.pdf"));
            let _ = std::fs::remove_file(&temp_out);
            let done = crate::longterm::extend_file(&path, &temp_out, false, SigningLevel::BLta, client, opts)
                .map_err(|e| (crate::i18n::Localize::localize(&e, crate::Lang::Vi), crate::i18n::Localize::localize(&e, crate::Lang::En)));
            match done {
                Ok(_) => {
                    let kept = self.add_archive_version(id, &temp_out, &sha);
                    let _ = std::fs::remove_file(&temp_out);
                    let (rel, new_sha) = kept?;
                    o.result = "extended".into();
                    o.sha256_after = Some(new_sha);
                    o.archive_path = Some(rel);
                }
                Err((vi, en)) => {
                    o.result = "failed".into();
                    o.error_vi = Some(vi);
                    o.error_en = Some(en);
                }
            }
            out.push(o);
        }
        Ok(out)
    }
}

/// When the TSA certificate of the document's newest time-stamp expires: the newest
/// document time-stamp, else the latest signature time-stamp; `None` when it has none.
pub fn last_timestamp_expiry(report: &DocumentReport) -> Option<OffsetDateTime> {
    let not_after = |c: &x509_cert::Certificate| Some(crate::verify::chain::to_time(&c.tbs_certificate.validity.not_after));
    let doc = report.document_timestamps.iter().filter_map(|t| t.timestamp.tsa_certificates.first()).filter_map(not_after).max();
    doc.or_else(|| {
        report.signatures.iter().flat_map(|s| s.timestamps.iter()).filter_map(|t| t.tsa_certificates.first()).filter_map(not_after).max()
    })
}
