//! The PIN window's only commands (granted to the window labelled `pin` alone).

use std::sync::Arc;

use kyso::agent::protocol::SecretPin;

use crate::error::{AppError, CmdResult};
use crate::pin_window::{PinAttempt, PinBroker, PinPromptView};

fn no_request() -> AppError {
    AppError::new("no_pin_request", "Không có yêu cầu ký nào đang chờ mã PIN.", "No signing request is waiting for a PIN.")
}

/// What will be signed, and why the last PIN failed.
#[tauri::command]
pub fn pin_request(broker: tauri::State<'_, Arc<PinBroker>>) -> CmdResult<PinPromptView> {
    broker.view().ok_or_else(no_request)
}

/// Try this PIN: the token's answer (accepted, wrong with the tries left, or a
/// final error). The PIN is zeroized once the login has used it.
#[tauri::command]
pub async fn pin_submit(broker: tauri::State<'_, Arc<PinBroker>>, pin: String) -> CmdResult<PinAttempt> {
    let rx = broker.submit(SecretPin::new(pin)).ok_or_else(no_request)?;
    tauri::async_runtime::spawn_blocking(move || rx.recv()).await.ok().and_then(Result::ok).ok_or_else(no_request)
}

/// Try this current PIN and new PIN (a change request): the token's answer.
#[tauri::command]
pub async fn pin_change_submit(broker: tauri::State<'_, Arc<PinBroker>>, old_pin: String, new_pin: String) -> CmdResult<PinAttempt> {
    let rx = broker.submit_change(SecretPin::new(old_pin), SecretPin::new(new_pin)).ok_or_else(no_request)?;
    tauri::async_runtime::spawn_blocking(move || rx.recv()).await.ok().and_then(Result::ok).ok_or_else(no_request)
}

/// Try this unblock code (PUK/SO PIN) and new PIN, typed twice (an unblock
/// request): the token's answer. The two new PINs must match, or nothing is sent
/// to the token.
#[tauri::command]
pub async fn pin_unblock_submit(
    broker: tauri::State<'_, Arc<PinBroker>>,
    so_pin: String,
    new_pin: String,
    new_pin_again: String,
) -> CmdResult<PinAttempt> {
    let (so_pin, new_pin, again) = (SecretPin::new(so_pin), SecretPin::new(new_pin), SecretPin::new(new_pin_again));
    if !new_pin.same_as(&again) {
        let e = kyso::agent::AgentErrorBody::from_error(&kyso::token::TokenError::PinMismatch.into());
        return Ok(PinAttempt::Retry { error: e });
    }
    let rx = broker.submit_unblock(so_pin, new_pin).ok_or_else(no_request)?;
    tauri::async_runtime::spawn_blocking(move || rx.recv()).await.ok().and_then(Result::ok).ok_or_else(no_request)
}

/// Cancel the request: nothing is signed.
#[tauri::command]
pub fn pin_cancel(broker: tauri::State<'_, Arc<PinBroker>>) {
    broker.cancel();
}

/// The document of the web page's request being confirmed (its bytes, for the
/// first-page preview); refused when the open request is not a page's.
#[tauri::command]
pub async fn pin_document(broker: tauri::State<'_, Arc<PinBroker>>, office: super::OfficeState<'_>) -> CmdResult<tauri::ipc::Response> {
    let id = broker.view().and_then(|v| v.bridge).map(|b| b.document_id).ok_or_else(no_request)?;
    let bytes = super::blocking(&office, move |o| o.read_current(id)).await?;
    Ok(tauri::ipc::Response::new(bytes))
}
