//! *Thiết bị*: tokens, certificates, expiry warnings, PIN change (through the agent).

use kyso::office::{ExpiringCertificate, StampImageKind, TokenView};
use kyso::agent::protocol::SecretPin;

use super::{blocking, OfficeState};
use crate::error::CmdResult;

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

/// Change a token's user PIN (both PINs zeroized after use).
#[tauri::command]
pub async fn change_pin(office: OfficeState<'_>, token_label: String, old_pin: String, new_pin: String) -> CmdResult<()> {
    let (old, new) = (SecretPin::new(old_pin), SecretPin::new(new_pin));
    blocking(&office, move |o| o.change_pin(&token_label, old, new)).await
}

/// Which stamp images are set (paths, or null).
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StampImages {
    signature: Option<std::path::PathBuf>,
    seal: Option<std::path::PathBuf>,
}

/// The leader's signature image and the agency's seal image, if set.
#[tauri::command]
pub fn stamp_images(office: OfficeState<'_>) -> StampImages {
    StampImages {
        signature: office.stamp_image(StampImageKind::Signature),
        seal: office.stamp_image(StampImageKind::Seal),
    }
}

/// Prepare a photo or scan as the signature (`kind: "signature"`) or seal (`"seal"`) image.
#[tauri::command]
pub async fn set_stamp_image(office: OfficeState<'_>, kind: StampImageKind, path: std::path::PathBuf, size_mm: Option<f32>) -> CmdResult<std::path::PathBuf> {
    blocking(&office, move |o| o.set_stamp_image(kind, &path, size_mm)).await
}
