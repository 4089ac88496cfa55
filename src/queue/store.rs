//! Adding documents and moving them through their workflow. Each change is one
//! `IMMEDIATE` transaction that re-reads the row, checks the transition, updates it
//! and appends its history row; files it names are already on disk.

use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};

use crate::queue::archive::{self, copy_verified, relative_path};
use crate::queue::schema::search_key;
use crate::queue::search::check_date;
use crate::queue::{
    db_err, now, sha256_file, Action, DocRole, DocStatus, Document, HistoryEntry, Queue, QueueError, SignedRecord, VerifiedRecord,
};

/// The `documents` columns a [`RawDoc`] is read from, in order.
pub(crate) const DOC_COLUMNS: &str = "id, role, status, title, file_name, source_path, current_path, sha256, \
     doc_number, doc_date, signers, verdict, verdict_reason, archive_path, created_at, updated_at";

/// A `documents` row as stored (role and status as text, archive path relative).
pub(crate) struct RawDoc {
    id: i64,
    role: String,
    status: String,
    title: Option<String>,
    file_name: String,
    source_path: String,
    current_path: String,
    sha256: String,
    doc_number: Option<String>,
    doc_date: Option<String>,
    signers: Option<String>,
    verdict: Option<String>,
    verdict_reason: Option<String>,
    archive_path: Option<String>,
    created_at: String,
    updated_at: String,
}

/// Read a row selected with [`DOC_COLUMNS`].
pub(crate) fn row_to_raw(r: &Row<'_>) -> rusqlite::Result<RawDoc> {
    Ok(RawDoc {
        id: r.get(0)?,
        role: r.get(1)?,
        status: r.get(2)?,
        title: r.get(3)?,
        file_name: r.get(4)?,
        source_path: r.get(5)?,
        current_path: r.get(6)?,
        sha256: r.get(7)?,
        doc_number: r.get(8)?,
        doc_date: r.get(9)?,
        signers: r.get(10)?,
        verdict: r.get(11)?,
        verdict_reason: r.get(12)?,
        archive_path: r.get(13)?,
        created_at: r.get(14)?,
        updated_at: r.get(15)?,
    })
}

/// A history row to append.
#[derive(Default)]
pub(super) struct Event<'a> {
    pub(super) action: &'a str,
    pub(super) actor: Option<&'a str>,
    pub(super) cert_serial: Option<&'a str>,
    pub(super) before: Option<&'a str>,
    pub(super) after: Option<&'a str>,
    pub(super) detail: Option<&'a str>,
    pub(super) status: Option<DocStatus>,
}

pub(super) fn insert_event(conn: &Connection, id: i64, at: &str, ev: &Event<'_>) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO history (document_id, at, action, actor, cert_serial, sha256_before, sha256_after, detail, status)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![id, at, ev.action, ev.actor, ev.cert_serial, ev.before, ev.after, ev.detail, ev.status.map(DocStatus::as_str)],
    )?;
    Ok(())
}

/// Load one row (inside a transaction or not).
fn load(conn: &Connection, id: i64) -> rusqlite::Result<Option<RawDoc>> {
    conn.query_row(&format!("SELECT {DOC_COLUMNS} FROM documents WHERE id = ?1"), [id], row_to_raw).optional()
}

/// Recompute a row's folded search key from its current values.
fn rekey(conn: &Connection, id: i64) -> rusqlite::Result<()> {
    let key: Option<String> = conn
        .query_row("SELECT doc_number, title, signers, file_name FROM documents WHERE id = ?1", [id], |r| {
            Ok(search_key(
                r.get::<_, Option<String>>(0)?.as_deref(),
                r.get::<_, Option<String>>(1)?.as_deref(),
                r.get::<_, Option<String>>(2)?.as_deref(),
                &r.get::<_, String>(3)?,
            ))
        })
        .optional()?;
    if let Some(key) = key {
        conn.execute("UPDATE documents SET search_key = ?1 WHERE id = ?2", params![key, id])?;
    }
    Ok(())
}

/// A path as stored (UTF-8 only: the desktop app and JSON need text).
fn path_text(p: &Path) -> Result<String, QueueError> {
    p.to_str().map(str::to_owned).ok_or_else(|| QueueError::InvalidArgument { what: "path", value: p.to_string_lossy().into_owned() })
}

/// `Some(trimmed)` unless empty.
fn non_empty(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// `signers` with `actor` appended (`; `-separated), unless already listed.
fn append_signer(signers: Option<&str>, actor: Option<&str>) -> Option<String> {
    match (non_empty(signers), non_empty(actor)) {
        (None, None) => None,
        (Some(s), None) => Some(s.to_owned()),
        (None, Some(a)) => Some(a.to_owned()),
        (Some(s), Some(a)) if s.split(';').any(|x| x.trim() == a) => Some(s.to_owned()),
        (Some(s), Some(a)) => Some(format!("{s}; {a}")),
    }
}

impl RawDoc {
    fn role(&self) -> Result<DocRole, QueueError> {
        self.role.parse()
    }
    fn status(&self) -> Result<DocStatus, QueueError> {
        self.status.parse()
    }
    /// The status `action` leads to, or the typed refusal.
    fn next(&self, action: Action, result: Option<DocStatus>) -> Result<DocStatus, QueueError> {
        let (role, status) = (self.role()?, self.status()?);
        action.next(role, status, result).ok_or(QueueError::Transition { id: self.id, action, role, status })
    }
}

impl Queue {
    /// Turn a stored row into a [`Document`] (archive path made absolute).
    pub(crate) fn document(&self, r: RawDoc) -> Result<Document, QueueError> {
        let archive_path = r.archive_path.as_deref().map(|rel| match archive::checked_any(&self.data_dir, rel) {
            Ok(p) => p.to_string_lossy().into_owned(),
            // A damaged or tampered value is shown as stored, never resolved.
            Err(_) => rel.to_owned(),
        });
        Ok(Document {
            id: r.id,
            role: r.role()?,
            status: r.status()?,
            title: r.title,
            file_name: r.file_name,
            source_path: r.source_path,
            current_path: r.current_path,
            sha256: r.sha256,
            doc_number: r.doc_number,
            doc_date: r.doc_date,
            signers: r.signers,
            verdict: r.verdict,
            verdict_reason: r.verdict_reason,
            archive_path,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }

    /// Add the file at `path` for `role`: its SHA-256 is computed (streaming) and
    /// its title is the file stem. If the same file (canonical path) is already in
    /// the queue for this role and not finished, that document is returned instead
    /// (its hash refreshed, with a `rehashed` history row, if it is still pending and
    /// the file changed).
    pub fn add(&mut self, path: &Path, role: DocRole) -> Result<Document, QueueError> {
        let canon = super::real_path(path).map_err(QueueError::io(path))?;
        let meta = std::fs::metadata(&canon).map_err(QueueError::io(&canon))?;
        if !meta.is_file() {
            return Err(QueueError::InvalidArgument { what: "file", value: canon.display().to_string() });
        }
        let source = path_text(&canon)?;
        let sha = sha256_file(&canon)?;
        let file_name = canon.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let title = canon.file_stem().map(|n| n.to_string_lossy().into_owned());
        let db = db_err(&self.db_path);
        let at = now();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(&db)?;
        let existing = {
            let mut stmt = tx
                .prepare(&format!("SELECT {DOC_COLUMNS} FROM documents WHERE source_path = ?1 AND role = ?2 ORDER BY id DESC"))
                .map_err(&db)?;
            let rows = stmt
                .query_map(params![source, role.as_str()], row_to_raw)
                .map_err(&db)?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(&db)?;
            rows
        };
        let mut found = None;
        for raw in existing {
            let status = raw.status()?;
            if status.is_finished(role) {
                continue;
            }
            if raw.sha256 == sha {
                found = Some(raw.id);
                break;
            }
            if status == DocStatus::Pending && raw.current_path == raw.source_path {
                tx.execute("UPDATE documents SET sha256 = ?1, updated_at = ?2 WHERE id = ?3", params![sha, at, raw.id]).map_err(&db)?;
                let ev =
                    Event { action: "rehashed", before: Some(&raw.sha256), after: Some(&sha), detail: Some(&source), ..Event::default() };
                insert_event(&tx, raw.id, &at, &ev).map_err(&db)?;
                found = Some(raw.id);
                break;
            }
        }
        let id = match found {
            Some(id) => id,
            None => {
                tx.execute(
                    "INSERT INTO documents (role, status, title, file_name, source_path, current_path, sha256,
                         created_at, updated_at, search_key)
                     VALUES (?1, 'pending', ?2, ?3, ?4, ?4, ?5, ?6, ?6, ?7)",
                    params![role.as_str(), title, file_name, source, sha, at, search_key(None, title.as_deref(), None, &file_name)],
                )
                .map_err(&db)?;
                let id = tx.last_insert_rowid();
                let ev = Event {
                    action: "added",
                    after: Some(&sha),
                    detail: Some(&source),
                    status: Some(DocStatus::Pending),
                    ..Event::default()
                };
                insert_event(&tx, id, &at, &ev).map_err(&db)?;
                id
            }
        };
        tx.commit().map_err(&db)?;
        self.get(id)
    }

    /// One document; [`QueueError::NotFound`] if there is none with this id.
    pub fn get(&self, id: i64) -> Result<Document, QueueError> {
        let raw = load(&self.conn, id).map_err(self.db())?.ok_or(QueueError::NotFound(id))?;
        self.document(raw)
    }

    /// Documents, newest first, optionally only of one role and/or status.
    pub fn list(&self, role: Option<DocRole>, status: Option<DocStatus>) -> Result<Vec<Document>, QueueError> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {DOC_COLUMNS} FROM documents
                 WHERE (?1 IS NULL OR role = ?1) AND (?2 IS NULL OR status = ?2)
                 ORDER BY created_at DESC, id DESC"
            ))
            .map_err(self.db())?;
        let rows = stmt
            .query_map(params![role.map(DocRole::as_str), status.map(DocStatus::as_str)], row_to_raw)
            .map_err(self.db())?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(self.db())?;
        rows.into_iter().map(|r| self.document(r)).collect()
    }

    /// A document's history, oldest first.
    pub fn history(&self, id: i64) -> Result<Vec<HistoryEntry>, QueueError> {
        self.get(id)?;
        let mut stmt = self
            .conn
            .prepare(
                "SELECT at, action, actor, cert_serial, sha256_before, sha256_after, detail, status
                 FROM history WHERE document_id = ?1 ORDER BY id",
            )
            .map_err(self.db())?;
        let rows = stmt
            .query_map([id], |r| {
                Ok((
                    HistoryEntry {
                        at: r.get(0)?,
                        action: r.get(1)?,
                        actor: r.get(2)?,
                        cert_serial: r.get(3)?,
                        sha256_before: r.get(4)?,
                        sha256_after: r.get(5)?,
                        detail: r.get(6)?,
                        status: None,
                    },
                    r.get::<_, Option<String>>(7)?,
                ))
            })
            .map_err(self.db())?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(self.db())?;
        rows.into_iter()
            .map(|(mut h, s)| {
                h.status = s.as_deref().map(str::parse).transpose()?;
                Ok(h)
            })
            .collect()
    }

    /// When a file with this SHA-256 was first found valid by this archive: the
    /// earliest `verified` event with a TOTAL_PASSED verdict, or `registered` event,
    /// recording exactly this hash (ISO 8601, +07:00). The archive's own record is
    /// a proof of existence of those bytes at that time (R12), and of their check.
    pub fn first_valid_record(&self, sha256: &str) -> Result<Option<String>, QueueError> {
        self.conn
            .query_row(
                "SELECT MIN(at) FROM history
                 WHERE sha256_after = ?1
                   AND ((action = 'verified' AND detail LIKE 'TOTAL_PASSED%') OR action = 'registered')",
                [sha256],
                |r| r.get::<_, Option<String>>(0),
            )
            .map_err(self.db())
    }

    /// Record a signature made on document `id` in one transaction: status
    /// [`DocStatus::Signed`] (role `sign`) or [`DocStatus::Sealed`] (role `seal`),
    /// the output as the current file with its hash, the number and date if given,
    /// the signer appended, and a history row with the hashes before and after.
    /// The output's hash is checked against `rec.sha256_after` first.
    pub fn record_signed(&mut self, id: i64, rec: &SignedRecord) -> Result<Document, QueueError> {
        let action = match rec.status {
            DocStatus::Signed => Action::Sign,
            DocStatus::Sealed => Action::Seal,
            DocStatus::Valid => Action::Stamp,
            other => return Err(QueueError::InvalidArgument { what: "status", value: other.as_str().to_owned() }),
        };
        let doc_date = non_empty(rec.doc_date.as_deref());
        if let Some(d) = doc_date {
            check_date(d)?;
        }
        let doc_number = non_empty(rec.doc_number.as_deref());
        let output = super::real_path(&rec.output).map_err(QueueError::io(&rec.output))?;
        let output_text = path_text(&output)?;
        let actual = sha256_file(&output)?;
        if !actual.eq_ignore_ascii_case(rec.sha256_after.trim()) {
            return Err(QueueError::HashMismatch { path: output, expected: rec.sha256_after.clone(), actual });
        }
        let history_action = match rec.action.trim() {
            "" => rec.status.as_str(),
            a => a,
        };
        let db = db_err(&self.db_path);
        let at = now();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(&db)?;
        let raw = load(&tx, id).map_err(&db)?.ok_or(QueueError::NotFound(id))?;
        let next = raw.next(action, None)?;
        let signers = append_signer(raw.signers.as_deref(), rec.actor.as_deref());
        tx.execute(
            "UPDATE documents SET status = ?1, current_path = ?2, sha256 = ?3,
                 doc_number = COALESCE(?4, doc_number), doc_date = COALESCE(?5, doc_date),
                 signers = ?6, updated_at = ?7
             WHERE id = ?8",
            params![next.as_str(), output_text, actual, doc_number, doc_date, signers, at, id],
        )
        .map_err(&db)?;
        rekey(&tx, id).map_err(&db)?;
        if let Some(check) = non_empty(rec.certificate_check.as_deref()) {
            // Circular 15/2025 §2.2: the certificate, the answers and the time of the check.
            let ev = Event {
                action: "certificate_checked",
                actor: non_empty(rec.actor.as_deref()),
                cert_serial: non_empty(rec.cert_serial.as_deref()),
                detail: Some(check),
                ..Event::default()
            };
            insert_event(&tx, id, &at, &ev).map_err(&db)?;
        }
        let ev = Event {
            action: history_action,
            actor: non_empty(rec.actor.as_deref()),
            cert_serial: non_empty(rec.cert_serial.as_deref()),
            before: Some(rec.sha256_before.trim()),
            after: Some(&actual),
            detail: Some(&output_text),
            status: Some(next),
        };
        insert_event(&tx, id, &at, &ev).map_err(&db)?;
        tx.commit().map_err(&db)?;
        self.get(id)
    }

    /// Whether `action` may be taken on document `id` now (its role and status allow
    /// it): checked before any token is touched, so a document in the wrong state
    /// costs no PIN and no signature.
    pub fn check_step(&self, id: i64, action: Action) -> Result<(), QueueError> {
        let raw = load(&self.conn, id).map_err(db_err(&self.db_path))?.ok_or(QueueError::NotFound(id))?;
        // A check may end in any verdict; ask whether one (valid) could be recorded.
        let result = (action == Action::Verify).then_some(DocStatus::Valid);
        raw.next(action, result).map(drop)
    }

    /// Record an event that does not change the status (e.g. `bridge_received` with
    /// the requesting site, `uploaded`, `upload_failed` with the reason): a history row.
    pub fn record_event(&mut self, id: i64, action: &str, detail: &str) -> Result<(), QueueError> {
        self.record_failure(id, action, detail)
    }

    /// Record a failed step (e.g. `sign_failed` with the reason): a history row
    /// only; the status does not change.
    pub fn record_failure(&mut self, id: i64, action: &str, detail: &str) -> Result<(), QueueError> {
        let db = db_err(&self.db_path);
        let at = now();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(&db)?;
        load(&tx, id).map_err(&db)?.ok_or(QueueError::NotFound(id))?;
        let action = match action.trim() {
            "" => "failed",
            a => a,
        };
        let ev = Event { action, detail: non_empty(Some(detail)), ..Event::default() };
        insert_event(&tx, id, &at, &ev).map_err(&db)?;
        tx.commit().map_err(&db)
    }

    /// Record the check of an incoming document: status valid, invalid or
    /// indeterminate, the verdict and its reason, and the signers found. Allowed
    /// while pending or after an earlier check, not once registered or rejected.
    pub fn record_verified(&mut self, id: i64, v: &VerifiedRecord) -> Result<Document, QueueError> {
        if !matches!(v.status, DocStatus::Valid | DocStatus::Invalid | DocStatus::Indeterminate) {
            return Err(QueueError::InvalidArgument { what: "status", value: v.status.as_str().to_owned() });
        }
        let db = db_err(&self.db_path);
        let at = now();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(&db)?;
        let raw = load(&tx, id).map_err(&db)?.ok_or(QueueError::NotFound(id))?;
        let next = raw.next(Action::Verify, Some(v.status))?;
        let signers = non_empty(v.signers.as_deref()).map(str::to_owned).or(raw.signers.clone());
        let reason = non_empty(v.reason.as_deref());
        let checked = v.sha256.clone().unwrap_or_else(|| raw.sha256.clone());
        tx.execute(
            "UPDATE documents SET status = ?1, verdict = ?2, verdict_reason = ?3, signers = ?4, updated_at = ?5, sha256 = ?6
             WHERE id = ?7",
            params![next.as_str(), v.verdict, reason, signers, at, checked, id],
        )
        .map_err(&db)?;
        rekey(&tx, id).map_err(&db)?;
        let detail = match reason {
            Some(r) => format!("{}: {r}", v.verdict),
            None => v.verdict.clone(),
        };
        let ev = Event {
            action: "verified",
            before: Some(&raw.sha256),
            after: Some(&checked),
            detail: Some(&detail),
            status: Some(next),
            ..Event::default()
        };
        insert_event(&tx, id, &at, &ev).map_err(&db)?;
        tx.commit().map_err(&db)?;
        self.get(id)
    }

    /// Release a sealed document: its current file is copied into the archive in
    /// its original bytes (refused if it no longer has the recorded hash), then the
    /// status becomes [`DocStatus::Released`].
    pub fn release(&mut self, id: i64) -> Result<Document, QueueError> {
        self.archive_step(id, Action::Release, None, None)
    }

    /// Register a valid incoming document (only [`DocStatus::Valid`]): its file is
    /// copied into the archive, the number and title set if given, and the status
    /// becomes [`DocStatus::Registered`].
    pub fn register(&mut self, id: i64, doc_number: Option<&str>, title: Option<&str>) -> Result<Document, QueueError> {
        self.archive_step(id, Action::Register, doc_number, title)
    }

    /// Register a valid incoming document with the bytes in `staged` — the copy
    /// [`Queue::stage`] made and the caller checked (its hash must be the document's
    /// recorded one, i.e. what [`Queue::record_verified`] recorded for that check).
    /// Those bytes are archived; the source file is not read again.
    pub fn register_staged(
        &mut self,
        id: i64,
        staged: archive::Staged,
        doc_number: Option<&str>,
        title: Option<&str>,
    ) -> Result<Document, QueueError> {
        let db = db_err(&self.db_path);
        let raw = load(&self.conn, id).map_err(&db)?.ok_or(QueueError::NotFound(id))?;
        raw.next(Action::Register, None)?;
        if raw.sha256 != staged.sha256() {
            return Err(QueueError::HashMismatch {
                path: raw.current_path.into(),
                expected: raw.sha256,
                actual: staged.sha256().to_owned(),
            });
        }
        let (rel, size) = archive::commit_staged(staged, &self.data_dir)?;
        self.finish_archive_step(id, Action::Register, &raw.sha256, &rel, size, doc_number, title)
    }

    /// Release or register: archive the file, then one transaction.
    fn archive_step(&mut self, id: i64, action: Action, doc_number: Option<&str>, title: Option<&str>) -> Result<Document, QueueError> {
        let db = db_err(&self.db_path);
        // Refuse early (no copy) when the step is not allowed.
        let raw = load(&self.conn, id).map_err(&db)?.ok_or(QueueError::NotFound(id))?;
        raw.next(action, None)?;
        let rel = relative_path(&raw.sha256);
        let dest = archive::absolute(&self.data_dir, &rel);
        let size = copy_verified(Path::new(&raw.current_path), &dest, &raw.sha256)?;
        self.finish_archive_step(id, action, &raw.sha256, &rel, size, doc_number, title)
    }

    /// The transaction of an archive step: the file `rel` (of hash `sha256`) is in
    /// the archive; record it and move the document on, if it still may.
    #[allow(clippy::too_many_arguments)] // one per value the step records
    fn finish_archive_step(
        &mut self,
        id: i64,
        action: Action,
        sha256: &str,
        rel: &str,
        size: u64,
        doc_number: Option<&str>,
        title: Option<&str>,
    ) -> Result<Document, QueueError> {
        let db = db_err(&self.db_path);
        let at = now();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(&db)?;
        let fresh = load(&tx, id).map_err(&db)?.ok_or(QueueError::NotFound(id))?;
        let next = fresh.next(action, None)?;
        if fresh.sha256 != sha256 {
            return Err(QueueError::HashMismatch { path: fresh.current_path.into(), expected: fresh.sha256, actual: sha256.to_owned() });
        }
        tx.execute(
            "INSERT OR IGNORE INTO archive_files (sha256, path, size, added_at) VALUES (?1, ?2, ?3, ?4)",
            params![sha256, rel, i64::try_from(size).unwrap_or(i64::MAX), at],
        )
        .map_err(&db)?;
        tx.execute(
            "UPDATE documents SET status = ?1, archive_path = ?2, doc_number = COALESCE(?3, doc_number),
                 title = COALESCE(?4, title), updated_at = ?5
             WHERE id = ?6",
            params![next.as_str(), rel, non_empty(doc_number), non_empty(title), at, id],
        )
        .map_err(&db)?;
        rekey(&tx, id).map_err(&db)?;
        let ev = Event {
            action: next.as_str(),
            before: Some(sha256),
            after: Some(sha256),
            detail: Some(rel),
            status: Some(next),
            ..Event::default()
        };
        insert_event(&tx, id, &at, &ev).map_err(&db)?;
        tx.commit().map_err(&db)?;
        self.get(id)
    }

    /// Reject an invalid or indeterminate incoming document, recording the notice
    /// sent to the sender. Nothing is deleted: the document and its file stay, with
    /// status [`DocStatus::Rejected`].
    pub fn reject(&mut self, id: i64, notice_path: &Path) -> Result<Document, QueueError> {
        let db = db_err(&self.db_path);
        let at = now();
        let notice = notice_path.to_string_lossy().into_owned();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(&db)?;
        let raw = load(&tx, id).map_err(&db)?.ok_or(QueueError::NotFound(id))?;
        let next = raw.next(Action::Reject, None)?;
        tx.execute("UPDATE documents SET status = ?1, updated_at = ?2 WHERE id = ?3", params![next.as_str(), at, id]).map_err(&db)?;
        let ev = Event {
            action: "rejected",
            before: Some(&raw.sha256),
            after: Some(&raw.sha256),
            detail: Some(&notice),
            status: Some(next),
            ..Event::default()
        };
        insert_event(&tx, id, &at, &ev).map_err(&db)?;
        tx.commit().map_err(&db)?;
        self.get(id)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::append_signer;

    #[test]
    fn signers_are_appended_once() {
        assert_eq!(append_signer(None, Some("A")), Some("A".into()));
        assert_eq!(append_signer(Some("A"), Some("B")), Some("A; B".into()));
        assert_eq!(append_signer(Some("A; B"), Some("B")), Some("A; B".into()));
        assert_eq!(append_signer(Some("A"), Some("  ")), Some("A".into()));
        assert_eq!(append_signer(None, None), None);
    }
}
