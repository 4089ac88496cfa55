//! Commands the web view may invoke (`docs/desktop-commands.md`, checked against
//! [`crate::contract`]). Each one only moves data between the page and
//! [`kyso::office::Office`]; each is listed in `build.rs` (`COMMANDS`) and granted
//! by name to one window: `capabilities/default.json` (main), `capabilities/pin.json`
//! (the PIN window). Files arrive only as handles the shell minted.
//!
//! Work that touches files, tokens or the network runs on a blocking thread, so
//! the window never waits for it.

pub mod archive;
pub mod bridge;
pub mod devices;
pub mod dialogs;
pub mod documents;
pub mod inbox;
pub mod pin;
pub mod signing;

use std::sync::Arc;

use kyso::office::Office;

use crate::error::{AppError, CmdResult};

/// The office shared by all commands.
pub type OfficeState<'a> = tauri::State<'a, Arc<Office>>;

/// Run `f` on a blocking thread with the office.
pub async fn blocking<T, F>(office: &OfficeState<'_>, f: F) -> CmdResult<T>
where
    T: Send + 'static,
    F: FnOnce(&Office) -> Result<T, kyso::Error> + Send + 'static,
{
    let o = Arc::clone(office.inner());
    match tauri::async_runtime::spawn_blocking(move || f(&o)).await {
        Ok(r) => r.map_err(AppError::from),
        Err(_) => Err(AppError::internal(
            "Lỗi nội bộ: tác vụ bị dừng bất thường. Văn bản không bị thay đổi.",
            "Internal error: the task stopped unexpectedly. No document was changed.",
        )),
    }
}
