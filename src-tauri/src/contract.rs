//! The page ↔ shell contract in one place: every command with its window, its
//! argument names and types, and its result type, all taken from the Rust types
//! (`ts_rs::TS`) the commands really use. From this list come the page's bindings
//! (`ui/src/bindings.d.ts`: the types; `ui/src/commands.js`: the command names,
//! windows and argument names that `ui/src/api.js` checks every call against, and
//! the dev mock is built on). `tests/contract.rs` fails when the committed files
//! are stale (`KYSO_BLESS=1` rewrites them) and checks that `build.rs`, the
//! capabilities, the handler list in `lib.rs` and `docs/desktop-commands.md` name
//! exactly these commands.

use ts_rs::{Config, TS};

use kyso::agent::{AgentErrorBody, NameConflict};
use kyso::office::{
    BatchItem, BatchProgress, DocumentSummary, ExpiringCertificate, FileRef, HandoverMade, HandoverRequest, PreviewRequest,
    RecoveryWritten, Rejection, SignSummary, StampImageKind, TokenChoice, TokenView,
};
use kyso::queue::{BackupReport, CheckReport, DocRole, DocStatus, Document, HandoverEntry, HistoryEntry, ReportRow, SearchQuery};
use kyso::token::{ImportReport, TokenIdentity};

use crate::bridge_host::{BridgeCertChoice, BridgeCertificates, BridgeState, BridgeStatus};
use crate::commands::bridge::{BridgedDocument, CaInstalled, UploadOutcome, UploadState};
use crate::commands::devices::StampImages;
use crate::commands::documents::AppInfo;
use crate::commands::signing::{BatchResults, Checked, SignArgs};
use crate::pin_window::{ImportView, PinAttempt, PinPromptView, UnblockOutcome, UnblockView};

/// Which window may call a command (its capability file grants it to that window only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Window {
    /// The main window (`capabilities/default.json`).
    Main,
    /// The PIN window (`capabilities/pin.json`).
    Pin,
}

impl Window {
    fn name(self) -> &'static str {
        match self {
            Window::Main => "main",
            Window::Pin => "pin",
        }
    }
}

/// One command as the page sees it.
#[derive(Clone, Debug)]
pub struct CommandSpec {
    /// The command name (`invoke(name, args)`).
    pub name: &'static str,
    /// The window allowed to call it.
    pub window: Window,
    /// Argument names (camelCase, as sent) and their TypeScript types.
    pub args: Vec<(&'static str, String)>,
    /// The result's TypeScript type.
    pub result: String,
}

/// The configuration the bindings use: 64-bit integers are JSON numbers (ids and
/// counts stay far below 2^53).
pub fn ts_config() -> Config {
    Config::new().with_large_int("number")
}

macro_rules! spec {
    ($cfg:expr, $name:literal, $win:ident, { $($arg:literal : $t:ty),* $(,)? } -> $res:ty) => {
        CommandSpec {
            name: $name,
            window: Window::$win,
            args: vec![$(($arg, <$t as TS>::name($cfg))),*],
            result: <$res as TS>::name($cfg),
        }
    };
    ($cfg:expr, $name:literal, $win:ident, { $($arg:literal : $t:ty),* $(,)? } -> raw $res:literal) => {
        CommandSpec { name: $name, window: Window::$win, args: vec![$(($arg, <$t as TS>::name($cfg))),*], result: $res.to_owned() }
    };
}

/// Every command, in the order of the handler list.
pub fn commands() -> Vec<CommandSpec> {
    let c = &ts_config();
    vec![
        spec!(c, "pin_request", Pin, {} -> PinPromptView),
        spec!(c, "pin_submit", Pin, { "pin": String } -> PinAttempt),
        spec!(c, "pin_change_submit", Pin, { "oldPin": String, "newPin": String } -> PinAttempt),
        spec!(c, "pin_unblock_submit", Pin, { "soPin": String, "newPin": String, "newPinAgain": String } -> PinAttempt),
        spec!(c, "pin_cancel", Pin, {} -> ()),
        spec!(c, "pin_document", Pin, {} -> raw "ArrayBuffer"),
        spec!(c, "app_info", Main, {} -> AppInfo),
        spec!(c, "opened_files", Main, {} -> Vec<FileRef>),
        spec!(c, "add_documents", Main, { "files": Vec<String>, "role": DocRole } -> Vec<Document>),
        spec!(c, "list_documents", Main, { "role": Option<DocRole>, "status": Option<DocStatus> } -> Vec<Document>),
        spec!(c, "document_history", Main, { "id": i64 } -> Vec<HistoryEntry>),
        spec!(c, "read_pdf", Main, { "id": i64 } -> raw "ArrayBuffer"),
        spec!(c, "preview_placement", Main, { "request": PreviewRequest } -> kyso::job::Preview),
        spec!(c, "preview_pdf", Main, { "request": PreviewRequest } -> raw "ArrayBuffer"),
        spec!(c, "sign_document", Main, { "request": SignArgs } -> Checked),
        spec!(c, "seal_batch", Main, { "items": Vec<BatchItem>, "choice": TokenChoice } -> BatchResults),
        spec!(c, "cancel_batch", Main, {} -> ()),
        spec!(c, "release_document", Main, { "id": i64 } -> Document),
        spec!(c, "verify_document", Main, { "id": i64 } -> Checked),
        spec!(c, "register_document", Main, { "id": i64, "docNumber": Option<String>, "title": Option<String> } -> Document),
        spec!(c, "reject_document", Main, { "id": i64, "lang": kyso::Lang } -> Rejection),
        spec!(c, "search_archive", Main, { "query": SearchQuery } -> Vec<Document>),
        spec!(c, "export_backup", Main, { "folder": String } -> BackupReport),
        spec!(c, "check_archive", Main, {} -> CheckReport),
        spec!(c, "extend_archive", Main, {} -> Vec<kyso::queue::ExtendOutcome>),
        spec!(c, "role_report", Main, { "year": i32 } -> Vec<ReportRow>),
        spec!(c, "export_report_csv", Main, { "year": i32, "file": String } -> String),
        spec!(c, "list_handovers", Main, { "year": Option<i32> } -> Vec<HandoverEntry>),
        spec!(c, "list_tokens", Main, {} -> Vec<TokenView>),
        spec!(c, "expiring_certificates", Main, { "days": Option<i64> } -> Vec<ExpiringCertificate>),
        spec!(c, "change_pin", Main, { "tokenLabel": String } -> ()),
        spec!(c, "unblock_token", Main, { "tokenLabel": String } -> UnblockOutcome),
        spec!(c, "import_certificate", Main, { "tokenLabel": String, "file": String, "removeOld": Option<bool> } -> ImportReport),
        spec!(c, "create_handover", Main, { "request": HandoverRequest } -> HandoverMade),
        spec!(c, "stamp_images", Main, {} -> StampImages),
        spec!(c, "set_stamp_image", Main, { "kind": StampImageKind, "file": String, "sizeMm": Option<f32> } -> String),
        spec!(c, "pick_files", Main, { "folder": Option<bool> } -> Vec<FileRef>),
        spec!(c, "pick_save_path", Main, { "defaultName": String } -> Option<FileRef>),
        spec!(c, "pick_folder", Main, {} -> Option<FileRef>),
        spec!(c, "pick_image", Main, {} -> Option<FileRef>),
        spec!(c, "pick_certificate", Main, {} -> Option<FileRef>),
        spec!(c, "bridge_status", Main, {} -> BridgeStatus),
        spec!(c, "bridge_documents", Main, {} -> Vec<BridgedDocument>),
        spec!(c, "retry_upload", Main, { "id": i64 } -> UploadOutcome),
        spec!(c, "set_bridge_certificate", Main, { "agency": bool, "choice": Option<BridgeCertChoice> } -> BridgeCertificates),
        spec!(c, "start_at_login", Main, {} -> bool),
        spec!(c, "set_start_at_login", Main, { "enabled": bool } -> bool),
        spec!(c, "install_bridge_ca", Main, {} -> CaInstalled),
    ]
}

/// Events the shell sends to the main page, with their payload types.
pub fn events() -> Vec<(&'static str, String)> {
    let c = &ts_config();
    vec![
        ("files-opened", FilesGrantedTs::name(c)),
        ("files-dropped", FilesGrantedTs::name(c)),
        ("batch-progress", BatchProgress::name(c)),
        ("bridge-status", BridgeStatus::name(c)),
        ("queue-changed", <() as TS>::name(c)),
        ("open-screen", String::name(c)),
    ]
}

/// The payload of `files-opened` and `files-dropped` (as `lib.rs` sends it).
#[derive(ts_rs::TS)]
#[ts(rename = "FilesGranted")]
#[allow(dead_code)] // only its declaration is used
struct FilesGrantedTs {
    files: Vec<FileRef>,
}

/// `ui/src/bindings.d.ts`: every named type the commands use.
pub fn bindings_ts() -> String {
    let c = &ts_config();
    let decls = [
        AgentErrorBody::decl(c),
        NameConflict::decl(c),
        kyso::token::PinTries::decl(c),
        kyso::token::PinStatus::decl(c),
        kyso::token::ReportedError::decl(c),
        kyso::token::Role::decl(c),
        DocRole::decl(c),
        DocStatus::decl(c),
        Document::decl(c),
        HistoryEntry::decl(c),
        FileRef::decl(c),
        FilesGrantedTs::decl(c),
        TokenView::decl(c),
        kyso::office::CertView::decl(c),
        ExpiringCertificate::decl(c),
        TokenChoice::decl(c),
        PreviewRequest::decl(c),
        kyso::job::Preview::decl(c),
        kyso::job::StampPlacement::decl(c),
        SignArgs::decl(c),
        Checked::decl(c),
        BatchItem::decl(c),
        BatchProgress::decl(c),
        kyso::office::BatchResult::decl(c),
        kyso::office::BatchState::decl(c),
        BatchResults::decl(c),
        SignSummary::decl(c),
        DocumentSummary::decl(c),
        PinPromptView::decl(c),
        PinAttempt::decl(c),
        UnblockView::decl(c),
        ImportView::decl(c),
        UnblockOutcome::decl(c),
        TokenIdentity::decl(c),
        RecoveryWritten::decl(c),
        ImportReport::decl(c),
        HandoverRequest::decl(c),
        HandoverMade::decl(c),
        HandoverEntry::decl(c),
        Rejection::decl(c),
        SearchQuery::decl(c),
        BackupReport::decl(c),
        CheckReport::decl(c),
        kyso::queue::ExtendOutcome::decl(c),
        kyso::queue::BadFile::decl(c),
        kyso::queue::BadKind::decl(c),
        ReportRow::decl(c),
        StampImageKind::decl(c),
        StampImages::decl(c),
        AppInfo::decl(c),
        kyso::bridge::BridgeConfirmation::decl(c),
        BridgeState::decl(c),
        BridgeCertChoice::decl(c),
        BridgeCertificates::decl(c),
        BridgeStatus::decl(c),
        UploadState::decl(c),
        BridgedDocument::decl(c),
        UploadOutcome::decl(c),
        CaInstalled::decl(c),
        kyso::Lang::decl(c),
    ];
    let mut out = String::from(
        "// GENERATED by src-tauri/src/contract.rs (tests/contract.rs; KYSO_BLESS=1 rewrites it). Do not edit.\n\
         // The types that cross the page ↔ shell boundary, from the Rust types themselves.\n\n\
         /** The verifier's report (docs/verify-json.md). */\n\
         export type VerifyReport = { indication: \"TOTAL_PASSED\" | \"TOTAL_FAILED\" | \"INDETERMINATE\"; messageVi: string; messageEn: string; signatures: Array<Record<string, unknown>>; [key: string]: unknown };\n\n",
    );
    for d in decls {
        out.push_str("export ");
        out.push_str(d.trim());
        out.push_str("\n\n");
    }
    out.push_str("/** Every command: its arguments and result. */\nexport interface Commands {\n");
    for cmd in commands() {
        let args: Vec<String> = cmd.args.iter().map(|(n, t)| format!("{n}{}: {t}", if t.ends_with("| null") { "?" } else { "" })).collect();
        out.push_str(&format!(
            "  {}: {{ window: \"{}\"; args: {{ {} }}; result: {} }};\n",
            cmd.name,
            cmd.window.name(),
            args.join("; "),
            cmd.result
        ));
    }
    out.push_str("}\n\n/** Every event the shell sends to the main page. */\nexport interface Events {\n");
    for (name, payload) in events() {
        out.push_str(&format!("  \"{name}\": {payload};\n"));
    }
    out.push_str("}\n");
    out
}

/// `ui/src/commands.js`: the command names, windows and argument names at run time.
pub fn commands_js() -> String {
    let mut out = String::from(
        "// GENERATED by src-tauri/src/contract.rs (tests/contract.rs; KYSO_BLESS=1 rewrites it). Do not edit.\n\
         // Every command the shell offers: which window may call it and which arguments it takes\n\
         // (types in ./bindings.d.ts). api.js refuses a call that is not in this list or sends\n\
         // an argument the command does not take.\n\n\
         /** @type {Record<keyof import('./bindings').Commands, { name: string, window: 'main' | 'pin', args: string[], optional: string[] }>} */\n\
         export const commands = Object.freeze({\n",
    );
    for cmd in commands() {
        let names: Vec<String> = cmd.args.iter().map(|(n, _)| format!("'{n}'")).collect();
        let optional: Vec<String> = cmd.args.iter().filter(|(_, t)| t.ends_with("| null")).map(|(n, _)| format!("'{n}'")).collect();
        out.push_str(&format!(
            "  {0}: Object.freeze({{ name: '{0}', window: '{1}', args: [{2}], optional: [{3}] }}),\n",
            cmd.name,
            cmd.window.name(),
            names.join(", "),
            optional.join(", ")
        ));
    }
    out.push_str("});\n\n/** Events the shell sends to the main page. */\nexport const events = Object.freeze([");
    let ev: Vec<String> = events().iter().map(|(n, _)| format!("'{n}'")).collect();
    out.push_str(&ev.join(", "));
    out.push_str("]);\n");
    out
}
