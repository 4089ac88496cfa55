//! The clerk's batch: number and seal many documents with one PIN (R7–R9).
//!
//! Each document is checked before sealing (R9) and signed in its own step; the
//! queue records each result in its own transaction. A document that fails its
//! check is reported and skipped; a token that fails (pulled out, locked) stops
//! the batch, and everything not yet sealed stays `pending` — the signing core
//! never leaves a partial file.

use serde::{Deserialize, Serialize};

use super::signing::TokenChoice;
use super::Office;
use crate::job::JobRole;
use crate::queue::{DocStatus, Document};
use crate::agent::protocol::{AgentErrorBody, SecretPin};

/// One document of a batch, with the number and date the clerk typed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BatchItem {
    /// Queue id.
    pub id: i64,
    /// Number and symbol, e.g. `12/QĐ-UBND`.
    pub doc_number: Option<String>,
    /// Date `YYYY-MM-DD`.
    pub doc_date: Option<String>,
}

/// Where one document of the batch is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BatchState {
    /// Being checked and sealed.
    Running,
    /// Sealed.
    Done,
    /// Not sealed (the reason is in the message); the document stays pending.
    Failed,
    /// Not started because the batch was cancelled or stopped.
    Cancelled,
}

/// A progress event, sent before and after each document.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchProgress {
    /// Queue id.
    pub id: i64,
    /// 0-based position in the batch.
    pub index: usize,
    /// Documents in the batch.
    pub total: usize,
    /// State.
    pub state: BatchState,
    /// Why it failed, in both languages.
    pub message: Option<AgentErrorBody>,
}

/// The outcome for one document.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchResult {
    /// Queue id.
    pub id: i64,
    /// Sealed.
    pub ok: bool,
    /// The document afterwards.
    pub doc: Option<Document>,
    /// Why not.
    pub error: Option<AgentErrorBody>,
    /// Cancelled before it started.
    pub cancelled: bool,
}

/// Errors after which the rest of the batch cannot go on (the token or the helper
/// process is gone); a document's own problem only skips that document.
fn stops_batch(e: &crate::Error) -> bool {
    use crate::agent::AgentError;
    match e {
        crate::Error::Token(_) => true,
        crate::Error::Agent(AgentError::Remote(body)) => {
            body.kind.starts_with("token") || body.kind.starts_with("pin") || body.kind == "session_lost" || body.kind == "internal"
        }
        crate::Error::Agent(_) => true,
        _ => false,
    }
}

impl Office {
    /// Number and seal `items` with the agency certificate `choice`, logging in once.
    /// `progress` is called before and after each document. A wrong PIN fails the
    /// whole call before anything is sealed.
    pub fn seal_batch(
        &self,
        items: &[BatchItem],
        choice: &TokenChoice,
        pin: SecretPin,
        progress: &mut dyn FnMut(BatchProgress),
    ) -> Result<Vec<BatchResult>, crate::Error> {
        self.reset_cancel();
        // One login for the batch; a wrong PIN fails here, before anything is sealed.
        let session = self.login(choice, pin)?;
        let total = items.len();
        let mut results = Vec::with_capacity(total);
        let mut stopped = false;
        for (index, item) in items.iter().enumerate() {
            if stopped || self.take_cancel() {
                stopped = true;
                progress(BatchProgress { id: item.id, index, total, state: BatchState::Cancelled, message: None });
                results.push(BatchResult { id: item.id, ok: false, doc: None, error: None, cancelled: true });
                continue;
            }
            progress(BatchProgress { id: item.id, index, total, state: BatchState::Running, message: None });
            match self.seal_one(item, &session) {
                Ok(doc) => {
                    progress(BatchProgress { id: item.id, index, total, state: BatchState::Done, message: None });
                    results.push(BatchResult { id: item.id, ok: true, doc: Some(doc), error: None, cancelled: false });
                }
                Err(e) => {
                    let body = AgentErrorBody::from_error(&e);
                    let _ = self.queue().record_failure(item.id, "seal_failed", &body.en);
                    stopped = stops_batch(&e);
                    progress(BatchProgress { id: item.id, index, total, state: BatchState::Failed, message: Some(body.clone()) });
                    results.push(BatchResult { id: item.id, ok: false, doc: None, error: Some(body), cancelled: false });
                }
            }
        }
        self.logout(session.session);
        Ok(results)
    }

    fn seal_one(&self, item: &BatchItem, session: &super::signing::Session) -> Result<Document, crate::Error> {
        let doc = self.document(item.id)?;
        let mut job = self.job_for(&doc, JobRole::Seal, "sealed");
        job.doc_number = item.doc_number.clone().filter(|s| !s.trim().is_empty());
        job.doc_date = item.doc_date.clone().filter(|s| !s.trim().is_empty());
        // R9 before the token signs: a refused document costs no token operation.
        crate::job::check_job(&job)?;
        self.sign_and_record(item.id, session, job, DocStatus::Sealed, "sealed")
    }
}
