//! The queue: adding, listing, history, the PDF bytes for the preview, launch info.

use kyso::office::FileRef;
use kyso::queue::{DocRole, DocStatus, Document, HistoryEntry};
use serde::Serialize;

use super::{blocking, OfficeState};
use crate::error::CmdResult;
use crate::LaunchState;

/// What the page shows in its footer.
#[derive(Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    version: String,
    data_dir: String,
}

/// Version and data folder.
#[tauri::command]
pub fn app_info(office: OfficeState<'_>) -> AppInfo {
    AppInfo { version: env!("KYSO_CORE_VERSION").to_string(), data_dir: office.config().data_dir.to_string_lossy().into_owned() }
}

/// The PDFs given on the command line, as handles (each usable once, by `add_documents`).
#[tauri::command]
pub fn opened_files(state: tauri::State<'_, LaunchState>) -> Vec<FileRef> {
    std::mem::take(&mut *state.files.lock().unwrap_or_else(|p| p.into_inner()))
}

/// Add the files behind `files` (handles minted by a dialog, a drop or the launch).
#[tauri::command]
pub async fn add_documents(office: OfficeState<'_>, files: Vec<String>, role: DocRole) -> CmdResult<Vec<Document>> {
    blocking(&office, move |o| o.add_files(&files, role)).await
}

/// Documents, newest first.
#[tauri::command]
pub async fn list_documents(office: OfficeState<'_>, role: Option<DocRole>, status: Option<DocStatus>) -> CmdResult<Vec<Document>> {
    blocking(&office, move |o| Ok(o.queue().list(role, status)?)).await
}

/// A document's history, oldest first.
#[tauri::command]
pub async fn document_history(office: OfficeState<'_>, id: i64) -> CmdResult<Vec<HistoryEntry>> {
    blocking(&office, move |o| Ok(o.queue().history(id)?)).await
}

/// The current bytes of document `id` (a queue id: never a path), for pdf.js.
#[tauri::command]
pub async fn read_pdf(office: OfficeState<'_>, id: i64) -> CmdResult<tauri::ipc::Response> {
    let bytes = blocking(&office, move |o| o.read_current(id)).await?;
    Ok(tauri::ipc::Response::new(bytes))
}
