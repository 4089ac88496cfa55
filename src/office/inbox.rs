//! Checking documents: incoming ones get a verdict and are registered or rejected
//! (R9, R11, R12); documents about to be sealed are only checked.

use std::path::PathBuf;

use serde::Serialize;

use super::Office;
use crate::queue::{Action, DocRole, DocStatus, Document, VerifiedRecord};
use crate::verify::engine::{verify_file, ArchivePoe, DocumentReport};
use crate::verify::verdict::Indication;
use crate::Lang;

/// A rejected document and the notice written for its sender.
#[derive(Clone, Debug, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Rejection {
    /// The document, now `rejected`.
    pub doc: Document,
    /// The plain-text notice.
    pub notice_text: PathBuf,
    /// The PDF notice.
    pub notice_pdf: PathBuf,
}

/// Who signed, as one line: the signers' common names in signing order.
pub fn signers_line(report: &DocumentReport) -> Option<String> {
    let names: Vec<String> =
        report.signatures.iter().filter_map(|s| s.signer.common_name.clone().or_else(|| s.signer.subject.clone())).collect();
    (!names.is_empty()).then(|| names.join("; "))
}

impl Office {
    /// Verify document `id`'s current file. An incoming document takes the verdict
    /// as its status (`valid`, `invalid`, `indeterminate`), with the hash of the
    /// bytes checked; others keep theirs.
    ///
    /// A document the archive already found valid (its `verified`/`registered`
    /// record holds this file's SHA-256) is re-checked with that record as proof of
    /// existence: it does not turn indeterminate merely because its signer's
    /// certificate expired since, and the report says so. A finished document
    /// (registered, rejected) keeps its status.
    pub fn verify_document(&self, id: i64) -> Result<(Document, DocumentReport), crate::Error> {
        let doc = self.document(id)?;
        let mut opts = self.verify_options();
        opts.archive_poe = self.archive_poe(&doc.sha256)?;
        let report = verify_file(std::path::Path::new(&doc.current_path), &opts);
        if doc.role != DocRole::Incoming || matches!(doc.status, DocStatus::Registered | DocStatus::Rejected) {
            return Ok((doc, report));
        }
        let doc = self.record_verdict(id, &report, report.sha256.clone())?;
        Ok((doc, report))
    }

    fn record_verdict(&self, id: i64, report: &DocumentReport, sha256: Option<String>) -> Result<Document, crate::Error> {
        let status = match report.indication {
            Indication::TotalPassed => DocStatus::Valid,
            Indication::TotalFailed => DocStatus::Invalid,
            Indication::Indeterminate => DocStatus::Indeterminate,
        };
        let rec = VerifiedRecord {
            status,
            verdict: verdict_code(report.indication).into(),
            reason: Some(report.message_vi.clone()),
            signers: signers_line(report),
            sha256,
        };
        Ok(self.queue().record_verified(id, &rec)?)
    }

    /// The archive's proof of existence for a file with this SHA-256, if it has one.
    pub fn archive_poe(&self, sha256: &str) -> Result<Option<ArchivePoe>, crate::Error> {
        let Some(at) = self.queue().first_valid_record(sha256)? else { return Ok(None) };
        let time = time::OffsetDateTime::parse(&at, &time::format_description::well_known::Rfc3339).ok();
        Ok(time.map(|time| ArchivePoe { time, sha256: sha256.to_owned() }))
    }

    /// Register an incoming document (vào sổ): its bytes are copied once into the
    /// archive folder (hashed while copying), that copy is verified, and — only if
    /// valid — that same copy is archived in its original bytes. A file changed on
    /// disk after the check can never be what is archived.
    pub fn register_document(&self, id: i64, doc_number: Option<&str>, title: Option<&str>) -> Result<Document, crate::Error> {
        self.queue().check_step(id, Action::Verify)?;
        let staged = self.queue().stage(id)?;
        let mut opts = self.verify_options();
        opts.archive_poe = self.archive_poe(staged.sha256())?;
        let report = verify_file(staged.path(), &opts);
        self.record_verdict(id, &report, Some(staged.sha256().to_owned()))?;
        // The queue refuses anything but a valid incoming document.
        Ok(self.queue().register_staged(id, staged, doc_number, title)?)
    }

    /// Reject an incoming document that is not valid: write the notice to the sender
    /// under the data dir's `notices/`, keep the document (status `rejected`).
    pub fn reject_document(&self, id: i64, lang: Lang) -> Result<Rejection, crate::Error> {
        let doc = self.document(id)?;
        let report = verify_file(std::path::Path::new(&doc.current_path), &self.verify_options());
        let files = crate::verify::notice::write_notice(&report, &self.notices_dir(), lang)?;
        let doc = self.queue().reject(id, &files.pdf)?;
        Ok(Rejection { doc, notice_text: files.txt, notice_pdf: files.pdf })
    }

    /// Release a sealed document (phát hành): it is kept in the archive.
    pub fn release_document(&self, id: i64) -> Result<Document, crate::Error> {
        Ok(self.queue().release(id)?)
    }
}

/// The stable verdict code stored with a document.
pub fn verdict_code(i: Indication) -> &'static str {
    match i {
        Indication::TotalPassed => "TOTAL_PASSED",
        Indication::TotalFailed => "TOTAL_FAILED",
        Indication::Indeterminate => "INDETERMINATE",
    }
}
