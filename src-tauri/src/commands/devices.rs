//! *Thiết bị*: tokens, certificates, expiry warnings, PIN change (through the agent).

use kyso::office::{ExpiringCertificate, TokenView};
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
