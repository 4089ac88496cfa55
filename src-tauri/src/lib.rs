//! KýSố desktop shell: a thin Tauri 2 window over the `kyso` core library.
//! No signing, stamping or checking logic lives here: commands pass data to and
//! from [`kyso::office::Office`], and token access runs in a helper process
//! (this same executable started with `--agent`).

mod bridge_host;
mod commands;
pub mod contract;
mod error;
pub mod launch;
mod navigation;
mod pin_window;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use kyso::office::{AgentCommand, FileRef, GrantKind, Office, OfficeConfig};
use tauri::{DragDropEvent, Emitter, Manager, WindowEvent};

/// What the process was started with, shared with the commands.
pub struct LaunchState {
    /// Handles for the PDFs given on the command line (handed to the page once).
    pub files: Mutex<Vec<FileRef>>,
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

/// Files the user handed over (a later launch, a drop), as handles for the page.
#[derive(Clone, serde::Serialize)]
struct FilesGranted {
    files: Vec<FileRef>,
}

/// Mint open-handles for `paths` and tell the main page (`event`).
fn grant_and_emit(app: &tauri::AppHandle, event: &str, paths: &[PathBuf]) {
    let office = app.state::<Arc<Office>>();
    let files: Vec<FileRef> = paths.iter().map(|p| office.grants().mint(p, GrantKind::Open)).collect();
    if !files.is_empty() {
        let _ = app.emit_to("main", event, FilesGranted { files });
    }
}

/// Builds and runs the desktop app (blocks until the last window closes).
pub fn run() {
    let office = match Office::open(office_config()) {
        Ok(o) => Arc::new(o),
        Err(e) => {
            eprintln!("KýSố: {}", kyso::i18n::Localize::localize(&e, kyso::Lang::Vi));
            std::process::exit(1);
        }
    };
    let launched = launch::from_env().iter().map(|p| office.grants().mint(p, GrantKind::Open)).collect();
    let state = LaunchState { files: Mutex::new(launched) };
    let result = tauri::Builder::default()
        // Must be the first plugin: a second launch exits here after handing over its files.
        .plugin(tauri_plugin_single_instance::init(|app, argv, cwd| {
            let paths = launch::pdf_paths(argv.into_iter().skip(1).map(Into::into), std::path::Path::new(&cwd), std::path::Path::is_file);
            grant_and_emit(app, "files-opened", &paths);
            if let Some(w) = app.get_webview_window("main") {
                let _ = w.unminimize();
                let _ = w.set_focus();
            }
        }))
        .plugin(navigation::guard())
        // Start at login (E-office screen; a launch agent on macOS): the app starts
        // minimized with `--autostart`.
        .plugin(tauri_plugin_autostart::Builder::new().arg(launch::AUTOSTART_ARG).build())
        .manage(state)
        .manage(Arc::new(bridge_host::BridgeHost::new(&office.config().data_dir)))
        .manage(office)
        .manage(Arc::new(pin_window::PinBroker::default()))
        .on_window_event(on_window_event)
        .setup(|app| {
            e2e_drop_hook(app.handle());
            if std::env::args().any(|a| a == launch::AUTOSTART_ARG) {
                if let Some(w) = app.get_webview_window("main") {
                    let _ = w.minimize();
                }
            }
            // The e-office pages' calls, while the app runs (a failure is shown, not fatal).
            bridge_host::start(app.handle());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::pin::pin_request,
            commands::pin::pin_submit,
            commands::pin::pin_change_submit,
            commands::pin::pin_unblock_submit,
            commands::pin::pin_cancel,
            commands::pin::pin_document,
            commands::documents::app_info,
            commands::documents::opened_files,
            commands::documents::add_documents,
            commands::documents::list_documents,
            commands::documents::document_history,
            commands::documents::read_pdf,
            commands::signing::preview_placement,
            commands::signing::preview_pdf,
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
            commands::archive::extend_archive,
            commands::archive::role_report,
            commands::archive::export_report_csv,
            commands::archive::list_handovers,
            commands::devices::list_tokens,
            commands::devices::expiring_certificates,
            commands::devices::change_pin,
            commands::devices::unblock_token,
            commands::devices::import_certificate,
            commands::devices::create_handover,
            commands::devices::stamp_images,
            commands::devices::set_stamp_image,
            commands::dialogs::pick_files,
            commands::dialogs::pick_save_path,
            commands::dialogs::pick_folder,
            commands::dialogs::pick_image,
            commands::dialogs::pick_certificate,
            commands::bridge::bridge_status,
            commands::bridge::bridge_documents,
            commands::bridge::retry_upload,
            commands::bridge::set_bridge_certificate,
            commands::bridge::start_at_login,
            commands::bridge::set_start_at_login,
            commands::bridge::install_bridge_ca,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("KýSố: không khởi động được cửa sổ ứng dụng / the window could not start: {e}");
        std::process::exit(1);
    }
}

/// Files dropped on the main window by the user (the operating system's drop, not
/// an event a page could emit) become handles; the PIN window closed by the user
/// cancels its request.
fn on_window_event(window: &tauri::Window, event: &WindowEvent) {
    match event {
        WindowEvent::DragDrop(DragDropEvent::Drop { paths, .. }) if window.label() == "main" => {
            grant_and_emit(window.app_handle(), "files-dropped", paths);
        }
        WindowEvent::Destroyed if window.label() == pin_window::LABEL => {
            window.state::<Arc<pin_window::PinBroker>>().cancel();
        }
        _ => {}
    }
}

/// End-to-end tests only (debug builds, `KYSO_E2E_OS_DROP=1`): WebDriver cannot make
/// the operating system drop files, so the test sends `kyso-e2e://os-drop` with the
/// paths and they take the same path as a real drop. Absent from release builds.
fn e2e_drop_hook(app: &tauri::AppHandle) {
    #[cfg(debug_assertions)]
    if std::env::var_os("KYSO_E2E_OS_DROP").is_some_and(|v| v == "1") {
        use tauri::Listener;
        let handle = app.clone();
        app.listen_any("kyso-e2e://os-drop", move |event| {
            #[derive(serde::Deserialize)]
            struct Drop {
                paths: Vec<PathBuf>,
            }
            if let Ok(d) = serde_json::from_str::<Drop>(event.payload()) {
                grant_and_emit(&handle, "files-dropped", &d.paths);
            }
        });
    }
    #[cfg(not(debug_assertions))]
    let _ = app;
}
