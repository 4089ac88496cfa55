//! Native open and save dialogs (rfd), shown over the window (from a worker thread).
//! What the user picks comes back as handles ([`FileRef`]) minted here: the page
//! never holds a path it could swap for another.

use kyso::office::{FileRef, GrantKind};
use tauri::Manager;

use super::OfficeState;
use crate::error::{AppError, CmdResult};

fn dialog_failed() -> AppError {
    AppError::internal("Không mở được hộp thoại.", "Could not open the dialog.")
}

/// Run `f` (which shows a dialog) on a blocking thread. rfd's blocking dialogs hand
/// themselves to the window's event loop (GTK) or the main thread (macOS) and wait:
/// called on the main thread itself they would wait on themselves (the whole app
/// froze on Linux), so they are never called there.
async fn off_main<T: Send + 'static>(
    app: tauri::AppHandle,
    f: impl FnOnce(Option<tauri::WebviewWindow>) -> T + Send + 'static,
) -> CmdResult<T> {
    tauri::async_runtime::spawn_blocking(move || f(app.get_webview_window("main"))).await.map_err(|_| dialog_failed())
}

fn dialog(title: &str, window: Option<&tauri::WebviewWindow>) -> rfd::FileDialog {
    let d = rfd::FileDialog::new().set_title(title);
    match window {
        Some(w) => d.set_parent(w),
        None => d,
    }
}

/// Pick PDF files, or folders of PDFs when `folder` is true. Empty when cancelled.
#[tauri::command]
pub async fn pick_files(app: tauri::AppHandle, office: OfficeState<'_>, folder: Option<bool>) -> CmdResult<Vec<FileRef>> {
    let folder = folder.unwrap_or(false);
    let paths = off_main(app, move |w| {
        if folder {
            dialog("Chọn thư mục văn bản", w.as_ref()).pick_folders().unwrap_or_default()
        } else {
            dialog("Chọn văn bản PDF", w.as_ref()).add_filter("PDF", &["pdf", "PDF"]).pick_files().unwrap_or_default()
        }
    })
    .await?;
    Ok(paths.iter().map(|p| office.grants().mint(p, GrantKind::Open)).collect())
}

/// Pick where to save a file (the dialog asks before replacing one). `None` when cancelled.
#[tauri::command]
pub async fn pick_save_path(app: tauri::AppHandle, office: OfficeState<'_>, default_name: String) -> CmdResult<Option<FileRef>> {
    let path = off_main(app, move |w| dialog("Lưu tệp", w.as_ref()).set_file_name(default_name).save_file()).await?;
    Ok(path.map(|p| office.grants().mint(&p, GrantKind::Save)))
}

/// Pick the folder a backup goes into. `None` when cancelled.
#[tauri::command]
pub async fn pick_folder(app: tauri::AppHandle, office: OfficeState<'_>) -> CmdResult<Option<FileRef>> {
    let path = off_main(app, move |w| dialog("Chọn nơi sao lưu", w.as_ref()).pick_folder()).await?;
    Ok(path.map(|p| office.grants().mint(&p, GrantKind::Folder)))
}

/// Pick one image (PNG or JPEG) for the signature or seal. `None` when cancelled.
#[tauri::command]
pub async fn pick_image(app: tauri::AppHandle, office: OfficeState<'_>) -> CmdResult<Option<FileRef>> {
    let path = off_main(app, move |w| {
        dialog("Chọn ảnh chữ ký hoặc con dấu", w.as_ref()).add_filter("Ảnh", &["png", "PNG", "jpg", "JPG", "jpeg", "JPEG"]).pick_file()
    })
    .await?;
    Ok(path.map(|p| office.grants().mint(&p, GrantKind::Image)))
}

/// Pick one certificate file (`.pem`, `.cer`, `.crt`, `.der`, `.p7b`) to write onto
/// a token. `None` when cancelled.
#[tauri::command]
pub async fn pick_certificate(app: tauri::AppHandle, office: OfficeState<'_>) -> CmdResult<Option<FileRef>> {
    if let Some(p) = e2e_picked_certificate() {
        return Ok(Some(office.grants().mint(&p, GrantKind::Certificate)));
    }
    let path = off_main(app, move |w| {
        dialog("Chọn tệp chứng thư số gia hạn", w.as_ref())
            .add_filter("Chứng thư số", &["pem", "cer", "crt", "der", "p7b", "PEM", "CER", "CRT", "DER", "P7B"])
            .pick_file()
    })
    .await?;
    Ok(path.map(|p| office.grants().mint(&p, GrantKind::Certificate)))
}

/// End-to-end tests only (debug builds, `KYSO_E2E_PICK_CERTIFICATE=FILE`): WebDriver
/// cannot drive the native file dialog, so the test names the file the user would
/// pick; it becomes a handle like a real pick. Absent from release builds.
fn e2e_picked_certificate() -> Option<std::path::PathBuf> {
    #[cfg(debug_assertions)]
    if let Some(p) = std::env::var_os("KYSO_E2E_PICK_CERTIFICATE").filter(|p| !p.is_empty()) {
        return Some(p.into());
    }
    None
}
