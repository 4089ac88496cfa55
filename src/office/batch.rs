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
use super::PinPrompt;
use crate::agent::protocol::AgentErrorBody;
use crate::job::{JobRole, SignJob};
use crate::queue::{Action, DocRole, DocStatus, Document};

/// One document of a batch, with the number and date the clerk typed.
#[derive(Clone, Debug, Default, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct BatchItem {
    /// Queue id.
    pub id: i64,
    /// Number and symbol, e.g. `12/QĐ-UBND`.
    pub doc_number: Option<String>,
    /// Date `YYYY-MM-DD`.
    pub doc_date: Option<String>,
    /// 1-based page, when the clerk moved the seal to another page.
    pub page: Option<usize>,
    /// Top-left of the seal in mm, when the clerk dragged it in the preview.
    pub at_mm: Option<(f64, f64)>,
    /// The seal's width in mm, when dragged (its real size, as shown).
    pub size_mm: Option<f64>,
}

/// Where one document of the batch is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum BatchState {
    /// Being checked and sealed.
    Running,
    /// Sealed.
    Done,
    /// Tried and not sealed (the reason is in `error`); the document keeps its state.
    Failed,
    /// Never tried: the batch was cancelled, or stopped when the token or its helper
    /// failed. The document is still waiting — pending, not failed.
    Pending,
}

/// A progress event, sent before and after each document.
#[derive(Clone, Debug, Serialize, Deserialize, ts_rs::TS)]
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
    /// Why it failed (state `failed`), in both languages.
    pub error: Option<AgentErrorBody>,
}

/// The outcome for one document.
#[derive(Clone, Debug, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct BatchResult {
    /// Queue id.
    pub id: i64,
    /// `done`, `failed` or `pending` (never `running`).
    pub state: BatchState,
    /// The document afterwards (when done).
    pub doc: Option<Document>,
    /// Where the seal went (when done).
    pub placement: Option<crate::job::StampPlacement>,
    /// Why not (when failed).
    pub error: Option<AgentErrorBody>,
}

impl BatchResult {
    /// Sealed.
    pub fn ok(&self) -> bool {
        self.state == BatchState::Done
    }
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
    /// Number and seal `items` with the agency certificate `choice`, logging in once
    /// (the PIN from `prompt`, shown the summary of every document). `progress` is
    /// called before and after each document. A wrong PIN or a cancelled prompt
    /// fails the whole call before anything is sealed.
    pub fn seal_batch(
        &self,
        items: &[BatchItem],
        choice: &TokenChoice,
        prompt: &mut dyn PinPrompt,
        progress: &mut dyn FnMut(BatchProgress),
    ) -> Result<Vec<BatchResult>, crate::Error> {
        self.reset_cancel();
        let docs: Vec<_> = items.iter().map(|i| (i.id, clean(&i.doc_number), clean(&i.doc_date))).collect();
        let summary = self.summary(DocRole::Seal, choice, &docs)?;
        // One login for the batch; a wrong PIN fails here, before anything is sealed.
        let mut session = self.login_prompted(choice, &summary, prompt)?;
        let total = items.len();
        let mut results = Vec::with_capacity(total);
        let mut stopped = false;
        for (index, item) in items.iter().enumerate() {
            if stopped || self.take_cancel() {
                stopped = true;
                progress(BatchProgress { id: item.id, index, total, state: BatchState::Pending, error: None });
                results.push(BatchResult { id: item.id, state: BatchState::Pending, doc: None, placement: None, error: None });
                continue;
            }
            progress(BatchProgress { id: item.id, index, total, state: BatchState::Running, error: None });
            let confirmed = summary.documents.get(index).map(|d| d.sha256.as_str());
            match self.seal_one(item, &mut session, confirmed) {
                Ok((doc, placement)) => {
                    progress(BatchProgress { id: item.id, index, total, state: BatchState::Done, error: None });
                    results.push(BatchResult {
                        id: item.id,
                        state: BatchState::Done,
                        doc: Some(doc),
                        placement: Some(placement),
                        error: None,
                    });
                }
                Err(e) => {
                    let body = AgentErrorBody::from_error(&e);
                    let _ = self.queue().record_failure(item.id, "seal_failed", &body.en);
                    stopped = stops_batch(&e);
                    progress(BatchProgress { id: item.id, index, total, state: BatchState::Failed, error: Some(body.clone()) });
                    results.push(BatchResult { id: item.id, state: BatchState::Failed, doc: None, placement: None, error: Some(body) });
                }
            }
        }
        self.logout(session);
        Ok(results)
    }

    fn seal_one(
        &self,
        item: &BatchItem,
        session: &mut super::signing::Session,
        confirmed: Option<&str>,
    ) -> Result<(Document, crate::job::StampPlacement), crate::Error> {
        let doc = self.document(item.id)?;
        // The queue's state and R9 before the token signs: a refused document costs
        // no token operation.
        self.queue().check_step(item.id, Action::Seal)?;
        let job = self.seal_job(&doc, item)?;
        crate::job::check_job(&job)?;
        self.sign_and_record(item.id, session, job, DocStatus::Sealed, "sealed", confirmed)
    }

    /// The job of the clerk's number, date and seal on `doc`: the one the batch signs
    /// and [`Office::preview_placement`] shows for role `seal`.
    pub(super) fn seal_job(&self, doc: &Document, item: &BatchItem) -> Result<SignJob, crate::Error> {
        super::signing::check_place(item.at_mm, item.size_mm)?;
        let mut job = self.job_for(doc, JobRole::Seal, "sealed");
        job.doc_number = clean(&item.doc_number);
        job.doc_date = clean(&item.doc_date);
        job.page = item.page;
        job.at_mm = item.at_mm;
        job.size_mm = item.size_mm;
        Ok(job)
    }
}

fn clean(s: &Option<String>) -> Option<String> {
    s.clone().filter(|s| !s.trim().is_empty())
}
