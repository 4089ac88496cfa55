//! KýSố desktop shell: a thin Tauri 2 window over the `kyso` core library.
//! No signing, stamping or checking logic lives here: commands pass data to and
//! from [`kyso::office::Office`], and token access runs in a helper process
//! (this same executable started with `--agent`).

mod commands;
mod error;
pub mod launch;

use std::sync::Arc;

use kyso::office::{AgentCommand, Office, OfficeConfig};
use tauri::{Emitter, Manager};

/// What the process was started with, shared with the commands.
pub struct LaunchState {
    /// PDFs given on the command line.
    pub files: Vec<String>,
}

/// Where the queue lives and how the agent is started, from the environment:
/// `KYSO_DATA_DIR` (default: the user's data dir), `KYSO_PKCS11_MODULE`
/// (driver paths, `:`-separated; default: discovery), `KYSO_TRUST` (extra
/// anchors, `:`-separated), `KYSO_CRL` (CRL files), `KYSO_OFFLINE=1` (no online revocation checks).
fn office_config() -> OfficeConfig {
    let split = |var: &str| -> Vec<std::path::PathBuf> {
        std::env::var_os(var).map(|v| std::env::split_paths(&v).filter(|p| !p.as_os_str().is_empty()).collect()).unwrap_or_default()
    };
    let program = std::env::current_exe().unwrap_or_else(|_| "kyso-desktop".into());
    OfficeConfig {
        data_dir: kyso::office::default_data_dir(),
        agent: AgentCommand { program, args: vec!["--agent".into()] },
        modules: split("KYSO_PKCS11_MODULE"),
        trust: split("KYSO_TRUST"),
        crls: split("KYSO_CRL"),
        offline: std::env::var_os("KYSO_OFFLINE").is_some_and(|v| v == "1"),
    }
}

/// A later launch's PDFs, for the running window.
#[derive(Clone, serde::Serialize)]
struct FilesOpened {
    paths: Vec<String>,
}

/// Builds and runs the desktop app (blocks until the last window closes).
pub fn run() {
    let state = LaunchState { files: launch::from_env() };
    let office = match Office::open(office_config()) {
        Ok(o) => Arc::new(o),
        Err(e) => {
            eprintln!("KýSố: {}", kyso::i18n::Localize::localize(&e, kyso::Lang::Vi));
            std::process::exit(1);
        }
    };
    let result = tauri::Builder::default()
        // Must be the first plugin: a second launch exits here after handing over its files.
        .plugin(tauri_plugin_single_instance::init(|app, argv, cwd| {
            let paths = launch::pdf_paths(
                argv.into_iter().skip(1).map(Into::into),
                std::path::Path::new(&cwd),
                std::path::Path::is_file,
            );
            let paths: Vec<String> = paths.into_iter().map(|p| p.to_string_lossy().into_owned()).collect();
            let _ = app.emit("files-opened", FilesOpened { paths });
            if let Some(w) = app.get_webview_window("main") {
                let _ = w.unminimize();
                let _ = w.set_focus();
            }
        }))
        .manage(state)
        .manage(office)
        .invoke_handler(tauri::generate_handler![
            commands::documents::app_info,
            commands::documents::opened_files,
            commands::documents::add_documents,
            commands::documents::list_documents,
            commands::documents::document_history,
            commands::documents::read_pdf,
            commands::signing::preview_placement,
            commands::signing::sign_document,
            commands::signing::seal_batch,
            commands::signing::cancel_batch,
            commands::signing::release_document,
            commands::inbox::verify_document,
            commands::inbox::register_document,
            commands::inbox::reject_document,
            commands::archive::search_archive,
            commands::archive::export_backup,
            commands::archive::check_archive,
            commands::archive::role_report,
            commands::archive::export_report_csv,
            commands::devices::list_tokens,
            commands::devices::expiring_certificates,
            commands::devices::change_pin,
            commands::devices::stamp_images,
            commands::devices::set_stamp_image,
            commands::dialogs::pick_files,
            commands::dialogs::pick_save_path,
            commands::dialogs::pick_image,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("KýSố: không khởi động được cửa sổ ứng dụng / the window could not start: {e}");
        std::process::exit(1);
    }
}
