//! KýSố desktop shell: a thin Tauri 2 window over the `kyso` core library.
//! No signing logic lives here; commands only pass data to and from `kyso`.

mod commands;
pub mod launch;

/// What the process was started with, shared with the commands.
pub struct LaunchState {
    pub files: Vec<String>,
}

/// Builds and runs the desktop app (blocks until the last window closes).
pub fn run() {
    let state = LaunchState {
        files: launch::from_env(),
    };
    tauri::Builder::default()
        .manage(state)
        .invoke_handler(tauri::generate_handler![
            commands::opened_files,
            commands::core_version
        ])
        .run(tauri::generate_context!())
        .expect("KýSố: không khởi động được cửa sổ ứng dụng");
}
