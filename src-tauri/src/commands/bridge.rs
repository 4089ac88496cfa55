//! *E-office*: the bridge's state, the documents the agency's web pages sent, the
//! *Gửi lại* (send again) of a signed file whose upload failed, and the
//! certificates used for the pages' calls.

use std::sync::Arc;

use kyso::queue::Document;
use serde::Serialize;

use super::{blocking, OfficeState};
use crate::bridge_host::{BridgeCertChoice, BridgeCertificates, BridgeHost, BridgeStatus};
use crate::error::{AppError, CmdResult};

/// The bridge host shared by the commands.
pub type HostState<'a> = tauri::State<'a, Arc<BridgeHost>>;

/// The bridge's state: listening (where), failed (why: e.g. the program holding the port), off.
#[tauri::command]
pub fn bridge_status(host: HostState<'_>) -> BridgeStatus {
    host.status()
}

/// Where a bridged document's signed file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum UploadState {
    /// Not sent (not signed yet, cancelled, or the page gave no upload address).
    None,
    /// The e-office server took it.
    Uploaded,
    /// The last upload failed (`detail` says why).
    Failed,
}

/// A document a web page sent, with the requesting site.
#[derive(Debug, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct BridgedDocument {
    /// The queue's document.
    pub doc: Document,
    /// The requesting web site (origin).
    pub origin: String,
    /// The call (`SignApproved`, `SignIssued`…).
    pub endpoint: String,
    /// When it arrived.
    pub received_at: String,
    /// The last upload's outcome.
    pub upload: UploadState,
    /// Why the last upload failed, or where it went.
    pub detail: Option<String>,
    /// *Gửi lại* can send it again now (the page's session is kept in memory only,
    /// while the app runs).
    pub can_retry: bool,
}

/// How many bridged documents the screen lists.
const LIST_LIMIT: u32 = 200;

/// The documents the web pages sent, newest first.
#[tauri::command]
pub async fn bridge_documents(office: OfficeState<'_>, host: HostState<'_>) -> CmdResult<Vec<BridgedDocument>> {
    let pending = host.bridge().map(|b| b.pending_uploads()).unwrap_or_default();
    blocking(&office, move |o| {
        let q = o.queue();
        let mut out = Vec::new();
        for id in q.with_event("bridge_received", LIST_LIMIT)? {
            let doc = q.get(id)?;
            let history = q.history(id)?;
            let Some(received) = history.iter().find(|h| h.action == "bridge_received") else { continue };
            // "ORIGIN ENDPOINT SOURCE" (kyso::bridge).
            let mut words = received.detail.as_deref().unwrap_or_default().split_whitespace();
            let origin = words.next().unwrap_or_default().to_owned();
            let endpoint = words.next().unwrap_or_default().to_owned();
            let last = history.iter().rev().find(|h| matches!(h.action.as_str(), "uploaded" | "upload_failed"));
            let upload = match last.map(|h| h.action.as_str()) {
                Some("uploaded") => UploadState::Uploaded,
                Some(_) => UploadState::Failed,
                None => UploadState::None,
            };
            out.push(BridgedDocument {
                origin,
                endpoint,
                received_at: received.at.clone(),
                upload,
                detail: last.and_then(|h| h.detail.clone()),
                can_retry: pending.contains(&id),
                doc,
            });
        }
        Ok(out)
    })
    .await
}

/// What the e-office server said about a file sent again.
#[derive(Debug, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct UploadOutcome {
    /// The name the server gave the file.
    pub file_name: Option<String>,
    /// Where the server keeps it.
    pub file_server: Option<String>,
    /// The server's message.
    pub message: Option<String>,
}

/// *Gửi lại*: send document `id`'s signed file again to where its page asked.
#[tauri::command]
pub async fn retry_upload(host: HostState<'_>, id: i64) -> CmdResult<UploadOutcome> {
    let bridge = host.bridge().ok_or_else(|| {
        AppError::new("bridge_not_running", "Cổng kết nối hệ thống quản lý văn bản chưa chạy.", "The e-office bridge is not running.")
    })?;
    let done = tauri::async_runtime::spawn_blocking(move || bridge.retry_upload(id))
        .await
        .map_err(|_| AppError::internal("Lỗi nội bộ: tác vụ bị dừng bất thường.", "Internal error: the task stopped unexpectedly."))?;
    let up = done?;
    Ok(UploadOutcome { file_name: up.file_name, file_server: up.file_server, message: up.message })
}

/// Use this certificate (or, `None`, the only one of its kind) for the pages' calls:
/// `agency` for the agency's signatures, else the personal one.
#[tauri::command]
pub fn set_bridge_certificate(host: HostState<'_>, agency: bool, choice: Option<BridgeCertChoice>) -> CmdResult<BridgeCertificates> {
    host.set_certificate(agency, choice).map_err(|e| kyso::Error::from(e).into())
}

fn autostart_failed(e: impl std::fmt::Display) -> AppError {
    AppError::new(
        "start_at_login_failed",
        &format!("Không đặt được chế độ khởi động cùng máy tính: {e}"),
        &format!("Could not set starting at login: {e}"),
    )
}

/// Whether KýSố starts (minimized) when the user logs in, so the e-office pages
/// find the bridge without opening the app first.
#[tauri::command]
pub fn start_at_login(app: tauri::AppHandle) -> CmdResult<bool> {
    use tauri_plugin_autostart::ManagerExt;
    app.autolaunch().is_enabled().map_err(autostart_failed)
}

/// Start (or no longer start) KýSố at login: the user's autostart entry (Linux
/// `~/.config/autostart`, the Windows `Run` key, a macOS launch agent).
#[tauri::command]
pub fn set_start_at_login(app: tauri::AppHandle, enabled: bool) -> CmdResult<bool> {
    use tauri_plugin_autostart::ManagerExt;
    let manager = app.autolaunch();
    if enabled { manager.enable() } else { manager.disable() }.map_err(autostart_failed)?;
    manager.is_enabled().map_err(autostart_failed)
}

/// Where the bridge's local CA was added to the browsers' trust, or why not.
#[derive(Debug, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct CaInstalled {
    /// Stores that now trust the CA (Windows user Root store, NSS databases, macOS keychain).
    pub installed: Vec<String>,
    /// Stores that could not be updated, with the reason.
    pub failed: Vec<String>,
}

/// Let the browsers trust the bridge's local CA (`kyso bridge cert --install`).
#[tauri::command]
pub async fn install_bridge_ca(office: OfficeState<'_>) -> CmdResult<CaInstalled> {
    blocking(&office, |o| {
        let r = kyso::bridge::tls::install(&o.config().data_dir)?;
        Ok(CaInstalled { installed: r.installed, failed: r.failed })
    })
    .await
}
