//! *Ký* and *Văn thư*: stamp preview, signing, the clerk's batch, release.

use kyso::office::{BatchItem, BatchProgress, BatchResult, PreviewRequest, SignDocument, TokenChoice};
use kyso::queue::{DocRole, Document};
use kyso::agent::protocol::SecretPin;
use serde::Serialize;
use tauri::Emitter;

use super::{blocking, OfficeState};
use crate::error::{AppError, CmdResult};

/// Where the stamp would go.
#[tauri::command]
#[allow(clippy::too_many_arguments)] // one per field the page sends
pub async fn preview_placement(
    office: OfficeState<'_>,
    id: i64,
    role: String,
    signer_name: Option<String>,
    doc_number: Option<String>,
    doc_date: Option<String>,
    page: Option<usize>,
    at_mm: Option<(f64, f64)>,
) -> CmdResult<kyso::job::Preview> {
    let role: DocRole = role.parse().map_err(|_| AppError::internal("Vai trò không hợp lệ.", "Unknown role."))?;
    let req = PreviewRequest { id, role, signer_name, doc_number, doc_date, page, at_mm };
    blocking(&office, move |o| o.preview_placement(&req)).await
}

/// A signed document and its verdict.
#[derive(Serialize)]
pub struct Checked {
    doc: Document,
    report: kyso::verify::engine::DocumentReport,
}

impl Checked {
    /// Pair a document with its report.
    pub fn new(doc: Document, report: kyso::verify::engine::DocumentReport) -> Self {
        Checked { doc, report }
    }
}

/// Sign document `id` with a personal signature (the PIN is zeroized after use).
#[tauri::command]
#[allow(clippy::too_many_arguments)]
pub async fn sign_document(
    office: OfficeState<'_>,
    id: i64,
    token_label: String,
    cert_id_hex: String,
    pin: String,
    page: Option<usize>,
    at_mm: Option<(f64, f64)>,
    image_path: Option<std::path::PathBuf>,
) -> CmdResult<Checked> {
    let pin = SecretPin::new(pin);
    let req = SignDocument { id, page, at_mm, image_path, invisible: false };
    let choice = TokenChoice { token_label, cert_id_hex };
    blocking(&office, move |o| {
        let (doc, report) = o.sign_document(&req, &choice, pin)?;
        Ok(Checked::new(doc, report))
    })
    .await
}

/// The batch's results.
#[derive(Serialize)]
pub struct BatchResults {
    results: Vec<BatchResult>,
}

/// Number and seal many documents with one PIN; `batch-progress` events follow it.
#[tauri::command]
pub async fn seal_batch(
    app: tauri::AppHandle,
    office: OfficeState<'_>,
    items: Vec<BatchItem>,
    token_label: String,
    cert_id_hex: String,
    pin: String,
) -> CmdResult<BatchResults> {
    let pin = SecretPin::new(pin);
    let choice = TokenChoice { token_label, cert_id_hex };
    blocking(&office, move |o| {
        let mut emit = |p: BatchProgress| {
            let _ = app.emit("batch-progress", p);
        };
        let results = o.seal_batch(&items, &choice, pin, &mut emit)?;
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
