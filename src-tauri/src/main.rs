// No console window on Windows in release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // `kyso-desktop --agent`: the token helper process the window talks to over
    // stdin/stdout (kyso::agent), so a vendor driver that crashes or hangs never
    // takes the window with it.
    if std::env::args_os().nth(1).is_some_and(|a| a == "--agent") {
        let stdin = std::io::stdin();
        let stdout = std::io::stdout();
        let code = match kyso::agent::serve(stdin.lock(), stdout.lock()) {
            Ok(()) => 0,
            Err(_) => 1,
        };
        std::process::exit(code);
    }
    kyso_desktop_lib::run();
}
