//! Native open and save dialogs (rfd), shown on the main thread over the window.

use std::path::PathBuf;
use std::sync::mpsc;

use tauri::Manager;

use crate::error::{AppError, CmdResult};

fn on_main<T: Send + 'static>(app: &tauri::AppHandle, f: impl FnOnce(Option<tauri::WebviewWindow>) -> T + Send + 'static) -> CmdResult<T> {
    let (tx, rx) = mpsc::channel();
    let window = app.get_webview_window("main");
    app.run_on_main_thread(move || {
        let _ = tx.send(f(window));
    })
    .map_err(|_| AppError::internal("Không mở được hộp thoại.", "Could not open the dialog."))?;
    rx.recv().map_err(|_| AppError::internal("Không mở được hộp thoại.", "Could not open the dialog."))
}

/// Pick PDF files, or folders when `folder` is true. Empty when cancelled.
#[tauri::command]
pub async fn pick_files(app: tauri::AppHandle, folder: Option<bool>) -> CmdResult<Vec<PathBuf>> {
    let folder = folder.unwrap_or(false);
    tauri::async_runtime::spawn_blocking(move || {
        on_main(&app, move |w| {
            let mut d = rfd::FileDialog::new();
            if let Some(w) = w.as_ref() {
                d = d.set_parent(w);
            }
            if folder {
                d.set_title("Chọn thư mục văn bản").pick_folders().unwrap_or_default()
            } else {
                d.set_title("Chọn văn bản PDF").add_filter("PDF", &["pdf", "PDF"]).pick_files().unwrap_or_default()
            }
        })
    })
    .await
    .map_err(|_| AppError::internal("Không mở được hộp thoại.", "Could not open the dialog."))?
}

/// Pick where to save a file. `None` when cancelled.
#[tauri::command]
pub async fn pick_save_path(app: tauri::AppHandle, default_name: String) -> CmdResult<Option<PathBuf>> {
    tauri::async_runtime::spawn_blocking(move || {
        on_main(&app, move |w| {
            let mut d = rfd::FileDialog::new().set_file_name(default_name);
            if let Some(w) = w.as_ref() {
                d = d.set_parent(w);
            }
            d.save_file()
        })
    })
    .await
    .map_err(|_| AppError::internal("Không mở được hộp thoại.", "Could not open the dialog."))?
}

/// Pick one image (PNG or JPEG) for the signature or seal. `None` when cancelled.
#[tauri::command]
pub async fn pick_image(app: tauri::AppHandle) -> CmdResult<Option<PathBuf>> {
    tauri::async_runtime::spawn_blocking(move || {
        on_main(&app, move |w| {
            let mut d = rfd::FileDialog::new().set_title("Chọn ảnh chữ ký hoặc con dấu").add_filter("Ảnh", &["png", "PNG", "jpg", "JPG", "jpeg", "JPEG"]);
            if let Some(w) = w.as_ref() {
                d = d.set_parent(w);
            }
            d.pick_file()
        })
    })
    .await
    .map_err(|_| AppError::internal("Không mở được hộp thoại.", "Could not open the dialog."))?
}
