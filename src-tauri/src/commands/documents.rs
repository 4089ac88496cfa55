//! The queue: adding, listing, history, the PDF bytes for the preview, launch info.

use std::path::PathBuf;

use kyso::queue::{DocRole, DocStatus, Document, HistoryEntry};
use serde::Serialize;

use super::{blocking, OfficeState};
use crate::error::{AppError, CmdResult};
use crate::LaunchState;

/// What the page shows in its footer.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    version: String,
    data_dir: String,
}

/// Version and data folder.
#[tauri::command]
pub fn app_info(office: OfficeState<'_>) -> AppInfo {
    AppInfo {
        version: env!("KYSO_CORE_VERSION").to_string(),
        data_dir: office.config().data_dir.to_string_lossy().into_owned(),
    }
}

/// Absolute paths of the existing `.pdf` files given on the command line.
#[tauri::command]
pub fn opened_files(state: tauri::State<'_, LaunchState>) -> Vec<String> {
    state.files.clone()
}

fn role_of(s: &str) -> CmdResult<DocRole> {
    s.parse().map_err(|_| AppError::internal("Vai trò không hợp lệ.", "Unknown role."))
}

/// Add files or folders in a role.
#[tauri::command]
pub async fn add_documents(office: OfficeState<'_>, paths: Vec<PathBuf>, role: String) -> CmdResult<Vec<Document>> {
    let role = role_of(&role)?;
    blocking(&office, move |o| o.add_paths(&paths, role)).await
}

/// Documents, newest first.
#[tauri::command]
pub async fn list_documents(office: OfficeState<'_>, role: Option<String>, status: Option<String>) -> CmdResult<Vec<Document>> {
    let role = role.as_deref().map(role_of).transpose()?;
    let status: Option<DocStatus> = match status.as_deref() {
        Some(s) => Some(s.parse().map_err(|_| AppError::internal("Trạng thái không hợp lệ.", "Unknown status."))?),
        None => None,
    };
    blocking(&office, move |o| Ok(o.queue().list(role, status)?)).await
}

/// A document's history, oldest first.
#[tauri::command]
pub async fn document_history(office: OfficeState<'_>, id: i64) -> CmdResult<Vec<HistoryEntry>> {
    blocking(&office, move |o| Ok(o.queue().history(id)?)).await
}

/// The current bytes of document `id`, for pdf.js.
#[tauri::command]
pub async fn read_pdf(office: OfficeState<'_>, id: i64) -> CmdResult<tauri::ipc::Response> {
    let bytes = blocking(&office, move |o| o.read_current(id)).await?;
    Ok(tauri::ipc::Response::new(bytes))
}
