//! *Ký* and *Văn thư*: stamp preview, signing, the clerk's batch, release. The PIN
//! is never an argument: it is typed in the PIN window ([`crate::pin_window`]).

use std::sync::Arc;

use kyso::job::StampPlacement;
use kyso::office::{BatchItem, BatchProgress, BatchResult, PreviewRequest, SignDocument, SignedDocument, TokenChoice};
use kyso::queue::Document;
use serde::{Deserialize, Serialize};
use tauri::Emitter;

use super::{blocking, OfficeState};
use crate::error::CmdResult;
use crate::pin_window::{PinBroker, WindowPrompt};

/// Where the stamp will go, planned with the chosen certificate and image.
#[tauri::command]
pub async fn preview_placement(office: OfficeState<'_>, request: PreviewRequest) -> CmdResult<kyso::job::Preview> {
    blocking(&office, move |o| o.preview_placement(&request)).await
}

/// The document with that stamp drawn (unsigned), as bytes for pdf.js.
#[tauri::command]
pub async fn preview_pdf(office: OfficeState<'_>, request: PreviewRequest) -> CmdResult<tauri::ipc::Response> {
    let bytes = blocking(&office, move |o| o.preview_document(&request)).await?;
    Ok(tauri::ipc::Response::new(bytes))
}

/// A document and its verdict; after signing, where the stamp went.
#[derive(Serialize, ts_rs::TS)]
pub struct Checked {
    doc: Document,
    #[ts(type = "VerifyReport")]
    report: kyso::verify::engine::DocumentReport,
    /// Where the new signature's stamp went (`sign_document` only).
    placement: Option<StampPlacement>,
}

impl Checked {
    /// Pair a document with its report.
    pub fn new(doc: Document, report: kyso::verify::engine::DocumentReport) -> Self {
        Checked { doc, report, placement: None }
    }
}

impl From<SignedDocument> for Checked {
    fn from(s: SignedDocument) -> Self {
        Checked { doc: s.doc, report: s.report, placement: Some(s.placement) }
    }
}

/// What the *Ký* screen asks to sign (the PIN is asked in the PIN window).
#[derive(Debug, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignArgs {
    /// Queue id.
    pub id: i64,
    /// The token's label.
    pub token_label: String,
    /// The certificate's `CKA_ID`, hex.
    pub cert_id_hex: String,
    /// 1-based page, when the user moved the stamp.
    #[serde(default)]
    pub page: Option<usize>,
    /// Top-left of the stamp in mm, when the user dragged it.
    #[serde(default)]
    pub at_mm: Option<(f64, f64)>,
    /// The stamp's width in mm, when the user dragged it.
    #[serde(default)]
    pub size_mm: Option<f64>,
    /// The user confirmed signing a block that names someone else (asked after a
    /// `name_mismatch` refusal naming both people). A `KT.`/`TL.`/`TUQ.` block with
    /// an agency certificate stays refused.
    #[serde(default)]
    pub allow_name_mismatch: Option<bool>,
}

/// Sign document `id` with a personal signature; the PIN window shows the summary
/// and takes the PIN. A block naming someone else than the certificate's holder
/// is refused (`name_mismatch`, with `nameConflict` naming both) before the PIN
/// is asked, unless `allowNameMismatch`.
#[tauri::command]
pub async fn sign_document(
    app: tauri::AppHandle,
    office: OfficeState<'_>,
    broker: tauri::State<'_, Arc<PinBroker>>,
    request: SignArgs,
) -> CmdResult<Checked> {
    let mut prompt = WindowPrompt::new(app, Arc::clone(broker.inner()))?;
    let req = SignDocument {
        id: request.id,
        page: request.page,
        at_mm: request.at_mm,
        size_mm: request.size_mm,
        invisible: false,
        allow_name_mismatch: request.allow_name_mismatch.unwrap_or(false),
    };
    let choice = TokenChoice { token_label: request.token_label, cert_id_hex: request.cert_id_hex };
    blocking(&office, move |o| Ok(Checked::from(o.sign_document(&req, &choice, &mut prompt)?))).await
}

/// The batch's results.
#[derive(Serialize, ts_rs::TS)]
pub struct BatchResults {
    results: Vec<BatchResult>,
}

/// Number and seal many documents with one PIN (typed in the PIN window);
/// `batch-progress` events follow it.
#[tauri::command]
pub async fn seal_batch(
    app: tauri::AppHandle,
    office: OfficeState<'_>,
    broker: tauri::State<'_, Arc<PinBroker>>,
    items: Vec<BatchItem>,
    choice: TokenChoice,
) -> CmdResult<BatchResults> {
    let mut prompt = WindowPrompt::new(app.clone(), Arc::clone(broker.inner()))?;
    blocking(&office, move |o| {
        let mut emit = |p: BatchProgress| {
            let _ = app.emit_to("main", "batch-progress", p);
        };
        let results = o.seal_batch(&items, &choice, &mut prompt, &mut emit)?;
        Ok(BatchResults { results })
    })
    .await
}

/// Stop the running batch after its current document.
#[tauri::command]
pub fn cancel_batch(office: OfficeState<'_>) {
    office.cancel_batch();
}

/// Release a sealed document (it goes into the archive).
#[tauri::command]
pub async fn release_document(office: OfficeState<'_>, id: i64) -> CmdResult<Document> {
    blocking(&office, move |o| o.release_document(id)).await
}
