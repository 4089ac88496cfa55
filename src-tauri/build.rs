//! Build script: Tauri code generation (config, icons, capabilities, the
//! app-command permissions) and the core library version for `core_version`.

use std::path::Path;

/// Commands exposed to the web views. Listing them here makes Tauri generate
/// `allow-<command>` permissions, so each one must be granted explicitly in
/// `capabilities/*.json` (nothing is reachable by default). `tests/contract.rs`
/// checks this list against `src/contract.rs`.
const COMMANDS: &[&str] = &[
    "pin_request",
    "pin_submit",
    "pin_change_submit",
    "pin_unblock_submit",
    "pin_cancel",
    "pin_document",
    "app_info",
    "opened_files",
    "add_documents",
    "list_documents",
    "document_history",
    "read_pdf",
    "preview_placement",
    "preview_pdf",
    "sign_document",
    "seal_batch",
    "cancel_batch",
    "release_document",
    "verify_document",
    "register_document",
    "reject_document",
    "search_archive",
    "export_backup",
    "check_archive",
    "extend_archive",
    "role_report",
    "export_report_csv",
    "list_handovers",
    "list_tokens",
    "expiring_certificates",
    "change_pin",
    "unblock_token",
    "import_certificate",
    "create_handover",
    "stamp_images",
    "set_stamp_image",
    "pick_files",
    "pick_save_path",
    "pick_folder",
    "pick_image",
    "pick_certificate",
    "bridge_status",
    "bridge_documents",
    "retry_upload",
    "set_bridge_certificate",
    "start_at_login",
    "set_start_at_login",
    "install_bridge_ca",
];

fn main() {
    export_core_version();
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)))
        .expect("tauri-build failed");
}

/// The `kyso` crate does not (yet) export its version, so read it from the
/// root manifest: `[package] version = "…"`. Falls back to this crate's version.
fn export_core_version() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml");
    println!("cargo:rerun-if-changed={}", manifest.display());
    let text = std::fs::read_to_string(&manifest).unwrap_or_default();
    let version = package_version(&text).unwrap_or_else(|| std::env::var("CARGO_PKG_VERSION").unwrap_or_default());
    println!("cargo:rustc-env=KYSO_CORE_VERSION={version}");
}

fn package_version(toml: &str) -> Option<String> {
    let mut in_package = false;
    for line in toml.lines().map(str::trim) {
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package {
            if let Some(rest) = line.strip_prefix("version") {
                let value = rest.trim_start().strip_prefix('=')?.trim();
                return Some(value.trim_matches('"').to_string());
            }
        }
    }
    None
}
