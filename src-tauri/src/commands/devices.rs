//! *Thiết bị*: tokens, certificates, expiry warnings, PIN change, unblock, renewed
//! certificate, handover record (token work through the agent).

use crate::pin_window::{change_pin_in_window, import_in_window, unblock_in_window, PinBroker, UnblockOutcome};
use kyso::office::{ExpiringCertificate, GrantKind, HandoverMade, HandoverRequest, StampImageKind, TokenView};

use super::{blocking, OfficeState};
use crate::error::{AppError, CmdResult};

/// Tokens and their signing certificates.
#[tauri::command]
pub async fn list_tokens(office: OfficeState<'_>) -> CmdResult<Vec<TokenView>> {
    blocking(&office, |o| o.list_tokens()).await
}

/// Certificates ending within `days` (default 30) days (R16).
#[tauri::command]
pub async fn expiring_certificates(office: OfficeState<'_>, days: Option<i64>) -> CmdResult<Vec<ExpiringCertificate>> {
    let days = days.unwrap_or(kyso::token::certinfo::EXPIRY_WARNING_DAYS);
    blocking(&office, move |o| o.expiring_certificates(days)).await
}

/// Change a token's user PIN: the current and the new PIN are typed in the PIN
/// window, never in the main page (both zeroized after use).
#[tauri::command]
pub async fn change_pin(
    app: tauri::AppHandle,
    office: OfficeState<'_>,
    broker: tauri::State<'_, std::sync::Arc<PinBroker>>,
    token_label: String,
) -> CmdResult<()> {
    let broker = std::sync::Arc::clone(broker.inner());
    let office = std::sync::Arc::clone(office.inner());
    tauri::async_runtime::spawn_blocking(move || change_pin_in_window(app, broker, &office, &token_label))
        .await
        .map_err(|_| AppError::internal("Lỗi nội bộ: tác vụ bị dừng bất thường.", "Internal error: the task stopped unexpectedly."))?
}

/// Unblock a token's user PIN: the unblock code (PUK/SO PIN) and the new PIN,
/// twice, are typed in the PIN window, never in the main page. The unblock code
/// locked (before, or by the last wrong try): the recovery request is written.
#[tauri::command]
pub async fn unblock_token(
    app: tauri::AppHandle,
    office: OfficeState<'_>,
    broker: tauri::State<'_, std::sync::Arc<PinBroker>>,
    token_label: String,
) -> CmdResult<UnblockOutcome> {
    let broker = std::sync::Arc::clone(broker.inner());
    let office = std::sync::Arc::clone(office.inner());
    tauri::async_runtime::spawn_blocking(move || unblock_in_window(app, broker, &office, &token_label))
        .await
        .map_err(|_| AppError::internal("Lỗi nội bộ: tác vụ bị dừng bất thường.", "Internal error: the task stopped unexpectedly."))?
}

/// Write a renewed certificate (`file`: a handle from `pick_certificate`) next to
/// its key on `token_label`; the PIN is typed in the PIN window.
#[tauri::command]
pub async fn import_certificate(
    app: tauri::AppHandle,
    office: OfficeState<'_>,
    broker: tauri::State<'_, std::sync::Arc<PinBroker>>,
    token_label: String,
    file: String,
    remove_old: Option<bool>,
) -> CmdResult<kyso::token::ImportReport> {
    let path = office.grants().take(&file, GrantKind::Certificate)?;
    let broker = std::sync::Arc::clone(broker.inner());
    let office = std::sync::Arc::clone(office.inner());
    let remove_old = remove_old.unwrap_or(false);
    tauri::async_runtime::spawn_blocking(move || import_in_window(app, broker, &office, &token_label, path, remove_old))
        .await
        .map_err(|_| AppError::internal("Lỗi nội bộ: tác vụ bị dừng bất thường.", "Internal error: the task stopped unexpectedly."))?
}

/// The handover record of a token (biên bản bàn giao): written from the editable
/// template and put in the queue as a document to sign (both people sign it).
#[tauri::command]
pub async fn create_handover(office: OfficeState<'_>, request: HandoverRequest) -> CmdResult<HandoverMade> {
    blocking(&office, move |o| o.create_handover(&request)).await
}

/// Which stamp images are set (paths in the data folder, or null).
#[derive(serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct StampImages {
    signature: Option<std::path::PathBuf>,
    seal: Option<std::path::PathBuf>,
}

/// The leader's signature image and the agency's seal image, if set.
#[tauri::command]
pub fn stamp_images(office: OfficeState<'_>) -> StampImages {
    StampImages { signature: office.stamp_image(StampImageKind::Signature), seal: office.stamp_image(StampImageKind::Seal) }
}

/// Prepare the picked photo or scan (`file`: a handle from `pick_image`, checked to
/// be a PNG or JPEG) as the signature or seal image, kept in the data folder.
#[tauri::command]
pub async fn set_stamp_image(
    office: OfficeState<'_>,
    kind: StampImageKind,
    file: String,
    size_mm: Option<f32>,
) -> CmdResult<std::path::PathBuf> {
    blocking(&office, move |o| o.set_stamp_image_granted(kind, &file, size_mm)).await
}
