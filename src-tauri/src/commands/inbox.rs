//! *Kiểm tra*: verdicts, registering, rejecting.

use kyso::office::Rejection;
use kyso::queue::Document;
use kyso::Lang;

use super::signing::Checked;
use super::{blocking, OfficeState};
use crate::error::CmdResult;

/// Verify document `id` (incoming documents take the verdict as their status).
#[tauri::command]
pub async fn verify_document(office: OfficeState<'_>, id: i64) -> CmdResult<Checked> {
    blocking(&office, move |o| {
        let (doc, report) = o.verify_document(id)?;
        Ok(Checked::new(doc, report))
    })
    .await
}

/// Register a valid incoming document (vào sổ).
#[tauri::command]
pub async fn register_document(office: OfficeState<'_>, id: i64, doc_number: Option<String>, title: Option<String>) -> CmdResult<Document> {
    blocking(&office, move |o| o.register_document(id, doc_number.as_deref(), title.as_deref())).await
}

/// Reject an incoming document: notice written (in `lang`, `vi` or `en`), document kept.
#[tauri::command]
pub async fn reject_document(office: OfficeState<'_>, id: i64, lang: Lang) -> CmdResult<Rejection> {
    blocking(&office, move |o| o.reject_document(id, lang)).await
}
