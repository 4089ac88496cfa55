//! Commands the web view may invoke. Each one must also be listed in
//! `build.rs` (`COMMANDS`) and granted in `capabilities/default.json`.

use crate::LaunchState;

/// Absolute paths of the existing `.pdf` files given on the command line.
#[tauri::command]
pub fn opened_files(state: tauri::State<'_, LaunchState>) -> Vec<String> {
    state.files.clone()
}

/// Version of the `kyso` core library this shell was built with.
#[tauri::command]
pub fn core_version() -> String {
    env!("KYSO_CORE_VERSION").to_string()
}
