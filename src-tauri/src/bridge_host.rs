//! The e-office bridge inside the desktop app (`kyso::bridge`): started with the app
//! on `127.0.0.1:8987` and answering the agency's web pages while the app runs.
//! [`DesktopBridgeUi`] is the bridge's user: a native yes/no question for a new
//! site, the PIN window (with the site and the document) for every signature, a
//! file dialog, the main window for the settings. A bridge that cannot start (the
//! port held by another program, a bad setting) is shown in the window; the app
//! runs on without it.
//!
//! Environment: `KYSO_BRIDGE_LISTEN` (the address; `off`: no bridge),
//! `KYSO_BRIDGE_ALLOW_ORIGINS` (comma-separated origins IT allows, added to
//! `[bridge] allow_origins` of `settings.toml`).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use kyso::agent::protocol::SecretPin;
use kyso::agent::AgentErrorBody;
use kyso::bridge::{Bridge, BridgeConfig, BridgeConfirmation, BridgeError, BridgeUi};
use kyso::office::{Office, PinPrompt, SignSummary, TokenChoice};
use serde::{Deserialize, Serialize};
use tauri::{Emitter, Manager};

use crate::pin_window::{PinBroker, WindowPrompt};

/// Where the bridge is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum BridgeState {
    /// Not yet listening.
    Starting,
    /// Answering the pages at `address`.
    Listening,
    /// Could not start (`error` says why); the app runs on without it.
    Failed,
    /// Switched off (`KYSO_BRIDGE_LISTEN=off`).
    Off,
}

/// A certificate chosen for bridged signatures (token label + `CKA_ID`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BridgeCertChoice {
    /// Token label.
    pub token_label: String,
    /// The certificate's `CKA_ID`, hex.
    pub cert_id_hex: String,
}

/// The certificates the user chose for the pages' calls (`None`: the only one of
/// that kind on the tokens).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", default)]
pub struct BridgeCertificates {
    /// For `SignApproved`/`SignFile` (a personal signature).
    pub personal: Option<BridgeCertChoice>,
    /// For `SignIssued`, `SignCopy`, `SignAppendix`, `SignIncome` (the agency's).
    pub agency: Option<BridgeCertChoice>,
}

/// What the *E-office* screen shows about the bridge.
#[derive(Clone, Debug, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct BridgeStatus {
    /// Where it is.
    pub state: BridgeState,
    /// `wss://127.0.0.1:8987` once listening.
    pub address: Option<String>,
    /// Why it could not start (e.g. the port held by another program, named).
    pub error: Option<AgentErrorBody>,
    /// The origins IT allows (`settings.toml` and `KYSO_BRIDGE_ALLOW_ORIGINS`).
    pub allow_origins: Vec<String>,
    /// The local CA certificate the browsers must trust.
    pub ca_path: Option<String>,
    /// The certificates chosen for the pages' calls.
    pub certificates: BridgeCertificates,
}

/// The bridge of this app (managed state).
pub struct BridgeHost {
    status: Mutex<BridgeStatus>,
    bridge: OnceLock<Arc<Bridge>>,
    choices: Mutex<BridgeCertificates>,
    choices_file: PathBuf,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl BridgeHost {
    /// The host for data folder `data_dir` (the remembered certificate choice is read from it).
    pub fn new(data_dir: &Path) -> BridgeHost {
        let choices_file = kyso::bridge::tls::dir(data_dir).join("desktop-certificates.json");
        let choices = std::fs::read(&choices_file).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default();
        BridgeHost {
            status: Mutex::new(BridgeStatus {
                state: BridgeState::Starting,
                address: None,
                error: None,
                allow_origins: Vec::new(),
                ca_path: None,
                certificates: BridgeCertificates::default(),
            }),
            bridge: OnceLock::new(),
            choices: Mutex::new(choices),
            choices_file,
        }
    }

    /// The bridge's state now.
    pub fn status(&self) -> BridgeStatus {
        let mut s = lock(&self.status).clone();
        s.certificates = lock(&self.choices).clone();
        s
    }

    /// The running bridge, if it started.
    pub fn bridge(&self) -> Option<Arc<Bridge>> {
        self.bridge.get().cloned()
    }

    /// The certificate chosen for calls of this kind.
    pub fn certificate(&self, agency: bool) -> Option<TokenChoice> {
        let c = lock(&self.choices);
        let pick = if agency { c.agency.as_ref() } else { c.personal.as_ref() };
        pick.map(|p| TokenChoice { token_label: p.token_label.clone(), cert_id_hex: p.cert_id_hex.clone() })
    }

    /// Remember (or forget, `None`) the certificate for calls of this kind.
    pub fn set_certificate(&self, agency: bool, choice: Option<BridgeCertChoice>) -> Result<BridgeCertificates, BridgeError> {
        let mut c = lock(&self.choices);
        let mut next = c.clone();
        if agency {
            next.agency = choice;
        } else {
            next.personal = choice;
        }
        let io = |e| BridgeError::Io { path: self.choices_file.clone(), source: e };
        if let Some(dir) = self.choices_file.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let json = serde_json::to_vec_pretty(&next).unwrap_or_default();
        let mut f = kyso::atomic::AtomicFile::create(&self.choices_file, kyso::atomic::Mode::Replace).map_err(io)?;
        std::io::Write::write_all(f.file(), &json).map_err(io)?;
        f.commit().map_err(io)?;
        *c = next.clone();
        Ok(next)
    }

    fn set_status(&self, app: &tauri::AppHandle, f: impl FnOnce(&mut BridgeStatus)) {
        f(&mut lock(&self.status));
        let _ = app.emit_to("main", "bridge-status", self.status());
    }
}

/// Start the bridge on its own thread (listening until the app ends). Failures
/// are shown in the window and logged; the app runs on.
pub fn start(app: &tauri::AppHandle) {
    let app = app.clone();
    let spawned = std::thread::Builder::new().name("kyso-bridge".into()).spawn(move || {
        let host = app.state::<Arc<BridgeHost>>().inner().clone();
        if let Err(e) = run(&app, &host) {
            let body = AgentErrorBody::from_error(&e);
            log(&format!("not started: {}", body.en));
            host.set_status(&app, |s| {
                s.state = BridgeState::Failed;
                s.error = Some(body);
            });
        }
    });
    if let Err(e) = spawned {
        log(&format!("not started: {e}"));
    }
}

/// The address from `KYSO_BRIDGE_LISTEN` (`None`: switched off).
fn listen_address() -> Result<Option<SocketAddr>, BridgeError> {
    let raw = std::env::var("KYSO_BRIDGE_LISTEN").ok().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    let text = raw.unwrap_or_else(|| kyso::bridge::DEFAULT_LISTEN.to_owned());
    if text.eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    text.parse().map(Some).map_err(|_| BridgeError::Listen {
        addr: text.clone(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "KYSO_BRIDGE_LISTEN is not an address like 127.0.0.1:8987"),
    })
}

/// The origins IT allows: `settings.toml`'s `[bridge] allow_origins`, then `KYSO_BRIDGE_ALLOW_ORIGINS`.
fn allow_origins() -> Result<Vec<String>, kyso::Error> {
    let mut out = kyso::settings::Settings::load()?.bridge.allow_origins;
    if let Ok(env) = std::env::var("KYSO_BRIDGE_ALLOW_ORIGINS") {
        out.extend(env.split(',').map(str::trim).filter(|o| !o.is_empty()).map(str::to_owned));
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|o| seen.insert(o.clone()));
    Ok(out)
}

fn run(app: &tauri::AppHandle, host: &Arc<BridgeHost>) -> Result<(), kyso::Error> {
    let Some(listen) = listen_address()? else {
        host.set_status(app, |s| s.state = BridgeState::Off);
        return Ok(());
    };
    let allow = allow_origins()?;
    host.set_status(app, |s| s.allow_origins = allow.clone());
    let office = app.state::<Arc<Office>>().inner().clone();
    let data_dir = office.config().data_dir.clone();
    let broker = app.state::<Arc<PinBroker>>().inner().clone();
    let ui = Arc::new(DesktopBridgeUi { app: app.clone(), broker, host: host.clone(), prompt: Mutex::new(None) });
    let config = BridgeConfig { listen, allow_origins: allow, ..BridgeConfig::default() };
    let bridge = Arc::new(Bridge::new(office, ui, config)?);
    let tls = kyso::bridge::tls::server_config(&data_dir)?;
    let listener = kyso::bridge::server::bind(listen)?;
    let local = listener.local_addr().map_err(|source| BridgeError::Listen { addr: listen.to_string(), source })?;
    let _ = host.bridge.set(bridge.clone());
    let ca = kyso::bridge::tls::ca_cert_path(&data_dir);
    host.set_status(app, |s| {
        s.state = BridgeState::Listening;
        s.address = Some(format!("wss://{local}"));
        s.ca_path = Some(ca.display().to_string());
        s.error = None;
    });
    log(&format!("answering e-office calls on wss://{local}"));
    kyso::bridge::server::serve(bridge, tls, listener, Arc::new(AtomicBool::new(false)));
    Ok(())
}

/// One line in the app's log (stderr): never a PIN or a page's session.
fn log(line: &str) {
    let now = kyso::time::iso8601(kyso::time::now_vietnam());
    let one: String = line.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    eprintln!("{now} KýSố bridge: {one}");
}

/// How long a page's request waits for the PIN window to be free.
const BUSY_WAIT: std::time::Duration = std::time::Duration::from_secs(300);

/// The desktop app as the bridge's user.
pub struct DesktopBridgeUi {
    app: tauri::AppHandle,
    broker: Arc<PinBroker>,
    host: Arc<BridgeHost>,
    /// The PIN window of the call being signed (one at a time: the bridge signs one call at a time).
    prompt: Mutex<Option<WindowPrompt>>,
}

impl BridgeUi for DesktopBridgeUi {
    fn ask_origin(&self, origin: &str) -> bool {
        let text = format!(
            "Trang {origin} muốn dùng KýSố để ký. Cho phép?\n\n\
             The web page {origin} wants to use KýSố to sign. Allow it?"
        );
        // rfd's blocking GTK dialogs run on the window's event loop: called from this
        // (bridge) thread, never from the main thread, which would wait on itself. No
        // parent: the main window may be minimized (started at login).
        rfd::MessageDialog::new()
            .set_title("KýSố")
            .set_description(text)
            .set_level(rfd::MessageLevel::Warning)
            .set_buttons(rfd::MessageButtons::YesNo)
            .show()
            == rfd::MessageDialogResult::Yes
    }

    fn confirm_name_mismatch(&self, what: &BridgeConfirmation, block_name: &str, holder: &str, delegation: Option<&str>) -> bool {
        let (vi, en) = match delegation {
            Some(d) => (
                format!(
                    "Khối chữ ký \"{d}\" trên văn bản {file} ghi tên \"{block_name}\", nhưng chứng thư số là của \"{holder}\". \
                     Người ký thay phải ký bằng chứng thư số của chính mình và tên dưới chữ ký phải là tên của họ. Vẫn ký với tên {holder}?",
                    file = what.file_name
                ),
                format!("The \"{d}\" block of {} names \"{block_name}\", but the certificate belongs to \"{holder}\". Sign as {holder} anyway?", what.file_name),
            ),
            None => (
                format!(
                    "Khối chữ ký trên văn bản {file} ghi tên \"{block_name}\", nhưng chứng thư số là của \"{holder}\". \
                     Đúng là {holder} ký vào chỗ của {block_name}?",
                    file = what.file_name
                ),
                format!("The signature block of {} names \"{block_name}\", but the certificate belongs to \"{holder}\". Is {holder} really signing there?", what.file_name),
            ),
        };
        // From this (bridge) thread, as ask_origin; No is the default button.
        rfd::MessageDialog::new()
            .set_title("KýSố — Tên người ký không khớp")
            .set_description(format!("{} ({})\n\n{vi}\n\n{en}", what.origin, what.endpoint))
            .set_level(rfd::MessageLevel::Warning)
            .set_buttons(rfd::MessageButtons::YesNo)
            .show()
            == rfd::MessageDialogResult::Yes
    }

    fn ask_pin(&self, what: &BridgeConfirmation, summary: &SignSummary, last: Option<&AgentErrorBody>) -> Option<SecretPin> {
        let mut slot = lock(&self.prompt);
        if last.is_none() {
            // A new call: a window left from an earlier one is closed.
            *slot = None;
        }
        if slot.is_none() {
            // The PIN window may be open for a signature made in the app: this request
            // waits its turn (one PIN window, one token login at a time).
            let since = std::time::Instant::now();
            loop {
                match WindowPrompt::new(self.app.clone(), self.broker.clone()) {
                    Ok(p) => {
                        *slot = Some(p.for_bridge(what.clone()));
                        break;
                    }
                    Err(_) if since.elapsed() < BUSY_WAIT => std::thread::sleep(std::time::Duration::from_millis(250)),
                    Err(_) => {
                        self.log(&format!("{} {}: the PIN window stayed busy with another request", what.origin, what.endpoint));
                        return None;
                    }
                }
            }
        }
        let pin = slot.as_mut().and_then(|p| p.ask(summary, last));
        if pin.is_none() {
            *slot = None;
        }
        pin
    }

    fn pin_finished(&self, outcome: Result<(), &AgentErrorBody>) {
        if let Some(mut p) = lock(&self.prompt).take() {
            p.finished(outcome);
        }
    }

    fn pick_pdf(&self, name: &str) -> Option<PathBuf> {
        let title = format!("Chọn tệp {name} để ký / Choose the file {name} to sign");
        // As ask_origin: from this thread, not the main one.
        rfd::FileDialog::new().set_title(title).add_filter("PDF", &["pdf", "PDF"]).pick_file()
    }

    fn open_settings(&self) -> bool {
        let Some(w) = self.app.get_webview_window("main") else { return false };
        let _ = w.unminimize();
        let _ = w.show();
        let _ = w.set_focus();
        let _ = self.app.emit_to("main", "open-screen", "devices");
        true
    }

    fn certificate(&self, agency: bool) -> Option<TokenChoice> {
        self.host.certificate(agency)
    }

    fn log(&self, line: &str) {
        log(line);
    }

    fn queue_changed(&self) {
        let _ = self.app.emit_to("main", "queue-changed", ());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificate_choice_is_remembered_in_the_data_folder() {
        let dir = std::env::temp_dir().join(format!("kyso-bridge-host-{}", std::process::id()));
        let host = BridgeHost::new(&dir);
        assert!(host.certificate(true).is_none());
        let pick = BridgeCertChoice { token_label: "Seal".into(), cert_id_hex: "02".into() };
        assert!(host.set_certificate(true, Some(pick)).is_ok());
        let again = BridgeHost::new(&dir);
        assert_eq!(again.certificate(true).map(|c| c.cert_id_hex), Some("02".to_owned()));
        assert!(again.certificate(false).is_none());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
