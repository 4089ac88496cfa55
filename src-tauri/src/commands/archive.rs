//! *Lưu trữ* and *Báo cáo*: search, backup, check, the per-role report.

use std::path::PathBuf;

use kyso::queue::{BackupReport, CheckReport, Document, ExtendOutcome, ReportRow, SearchQuery};

use super::{blocking, OfficeState};
use crate::error::CmdResult;

/// Search the archive by number/symbol, title, signer, file name and dates.
#[tauri::command]
pub async fn search_archive(office: OfficeState<'_>, query: SearchQuery) -> CmdResult<Vec<Document>> {
    blocking(&office, move |o| Ok(o.queue().search(&query)?)).await
}

/// Copy the database and the archived files, with a manifest, into a new folder
/// inside the folder the user picked (`folder`: a handle from `pick_folder`).
#[tauri::command]
pub async fn export_backup(office: OfficeState<'_>, folder: String) -> CmdResult<BackupReport> {
    blocking(&office, move |o| o.export_backup(&folder)).await
}

/// Re-hash every archived file.
#[tauri::command]
pub async fn check_archive(office: OfficeState<'_>) -> CmdResult<CheckReport> {
    blocking(&office, move |o| Ok(o.queue().check()?)).await
}

/// Add an archive time-stamp to archived documents whose last time-stamp expires
/// within a year; each result is a new version beside the original.
#[tauri::command]
pub async fn extend_archive(office: OfficeState<'_>) -> CmdResult<Vec<ExtendOutcome>> {
    blocking(&office, move |o| o.extend_archive()).await
}

/// Documents signed per role per half-year and year (R17).
#[tauri::command]
pub async fn role_report(office: OfficeState<'_>, year: i32) -> CmdResult<Vec<ReportRow>> {
    blocking(&office, move |o| Ok(o.queue().report(year)?)).await
}

/// Write the report as CSV to the file chosen in the save dialog (`file`: a handle
/// from `pick_save_path`); any other destination is refused.
#[tauri::command]
pub async fn export_report_csv(office: OfficeState<'_>, year: i32, file: String) -> CmdResult<PathBuf> {
    blocking(&office, move |o| o.export_report_csv(year, &file)).await
}

/// The token handovers recorded in `year` (every year when left out), for *Báo cáo*.
#[tauri::command]
pub async fn list_handovers(office: OfficeState<'_>, year: Option<i32>) -> CmdResult<Vec<kyso::queue::HandoverEntry>> {
    blocking(&office, move |o| o.handovers(year)).await
}
