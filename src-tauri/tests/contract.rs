//! The page ↔ shell contract stays one thing: the committed bindings are what the
//! Rust types generate now, and every other list of commands (the build script's,
//! the two capabilities, the handler list, the docs) names exactly the same ones.
//! `KYSO_BLESS=1 cargo test -p kyso-desktop --test contract` rewrites the bindings.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use kyso_desktop_lib::contract::{bindings_ts, commands, commands_js, Window};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn fresh(rel: &str, generated: &str) {
    let path = root().join(rel);
    if std::env::var_os("KYSO_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, generated).unwrap_or_else(|e| panic!("{rel}: {e}"));
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{rel} is stale: the Rust types or the command list changed. Run `KYSO_BLESS=1 cargo test -p kyso-desktop --test contract` and commit the result.\n--- generated ---\n{generated}"
    );
}

fn names(window: Option<Window>) -> BTreeSet<String> {
    commands().into_iter().filter(|c| window.is_none_or(|w| c.window == w)).map(|c| c.name.to_owned()).collect()
}

#[test]
fn committed_bindings_are_fresh() {
    fresh("ui/src/bindings.d.ts", &bindings_ts());
    fresh("ui/src/commands.js", &commands_js());
}

#[test]
fn build_script_lists_every_command() {
    let text = read("src-tauri/build.rs");
    let start = text.find("const COMMANDS").expect("COMMANDS in build.rs");
    let end = start + text[start..].find("];").expect("end of COMMANDS");
    let listed: BTreeSet<String> = text[start..end].split('"').skip(1).step_by(2).map(str::to_owned).collect();
    assert_eq!(listed, names(None));
}

#[test]
fn each_window_is_granted_its_own_commands_only() {
    for (file, window, label) in
        [("src-tauri/capabilities/default.json", Window::Main, "main"), ("src-tauri/capabilities/pin.json", Window::Pin, "pin")]
    {
        let cap: serde_json::Value = serde_json::from_str(&read(file)).expect(file);
        assert_eq!(cap["windows"], serde_json::json!([label]), "{file}");
        let granted: BTreeSet<String> = cap["permissions"]
            .as_array()
            .expect("permissions")
            .iter()
            .filter_map(|p| p.as_str())
            .filter_map(|p| p.strip_prefix("allow-"))
            .map(|p| p.replace('-', "_"))
            .collect();
        assert_eq!(granted, names(Some(window)), "{file}");
        let others: Vec<&str> = cap["permissions"]
            .as_array()
            .expect("permissions")
            .iter()
            .filter_map(|p| p.as_str())
            .filter(|p| !p.starts_with("allow-"))
            .collect();
        match window {
            Window::Main => assert_eq!(others, ["core:default"], "{file}: only Tauri's defaults besides the commands"),
            Window::Pin => assert!(others.is_empty(), "{file}: the PIN window gets nothing else: {others:?}"),
        }
    }
}

#[test]
fn the_handler_list_is_the_command_list() {
    let text = read("src-tauri/src/lib.rs");
    let start = text.find("generate_handler![").expect("generate_handler");
    let end = start + text[start..].find("])").expect("end of handler list");
    let listed: Vec<String> = text[start..end]
        .lines()
        .filter_map(|l| l.trim().strip_prefix("commands::"))
        .filter_map(|l| l.trim_end_matches(',').rsplit("::").next().map(str::to_owned))
        .collect();
    let expected: Vec<String> = commands().into_iter().map(|c| c.name.to_owned()).collect();
    assert_eq!(listed, expected);
}

#[test]
fn the_docs_describe_exactly_these_commands() {
    let text = read("docs/desktop-commands.md");
    let table = &text[text.find("## Commands").expect("## Commands")..];
    let documented: BTreeSet<String> =
        table.lines().filter_map(|l| l.strip_prefix("| `")).filter_map(|l| l.split('`').next().map(str::to_owned)).collect();
    assert_eq!(documented, names(None));
}
