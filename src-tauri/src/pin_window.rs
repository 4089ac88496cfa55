//! The PIN window: a separate window, with its own page (`pin.html`) and its own
//! capability (`capabilities/pin.json`: only `pin_request`, `pin_submit`,
//! `pin_change_submit`, `pin_unblock_submit`, `pin_cancel`), that shows what will be
//! signed and takes the PIN. The main page never sees a PIN and cannot call those
//! commands; the PIN window's page cannot call anything else.
//!
//! [`WindowPrompt`] is the office's [`PinPrompt`] for the desktop: the first `ask`
//! opens the window with the [`SignSummary`]; each PIN typed there reaches the
//! waiting signing thread through [`PinBroker`], and the outcome of that login
//! (accepted, wrong PIN with the tries left, or a final error) is the answer to
//! the window's `pin_submit`. Closing the window cancels. The same window takes the
//! current and new PIN of a PIN change ([`change_pin_in_window`]), the unblock code
//! and the new PIN twice of an unblock ([`unblock_in_window`]: the unblock code
//! locked writes the recovery request instead), and the PIN that writes a renewed
//! certificate ([`import_in_window`]).

use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};

use kyso::agent::protocol::SecretPin;
use kyso::agent::AgentErrorBody;
use kyso::bridge::BridgeConfirmation;
use kyso::office::{PinPrompt, SignSummary};
use serde::Serialize;
use tauri::{Manager, WebviewUrl, WebviewWindowBuilder};

/// The PIN window's label (its capability is granted to this label only).
pub const LABEL: &str = "pin";

/// What the PIN window's page shows: what will be signed (or whose PIN changes),
/// and why the last PIN failed.
#[derive(Clone, Debug, Default, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PinPromptView {
    /// What will be signed (a signing request).
    pub summary: Option<SignSummary>,
    /// The token whose user PIN is being changed (a change request).
    pub change_token: Option<String>,
    /// The token being unblocked with its recovery code (an unblock request).
    pub unblock: Option<UnblockView>,
    /// The certificate being written onto a token (an import request: the PIN only).
    pub import: Option<ImportView>,
    /// The last refusal (wrong PIN, with `pinTries`), if any.
    pub error: Option<AgentErrorBody>,
    /// A web page's request (the e-office bridge): the site, the call, the file.
    pub bridge: Option<BridgeConfirmation>,
}

/// An unblock request as the PIN window shows it.
#[derive(Clone, Debug, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct UnblockView {
    /// Token label.
    pub token_label: String,
    /// Token serial number.
    pub token_serial: String,
    /// What the token says is left of the unblock code's tries.
    pub so_tries: kyso::token::PinTries,
}

/// A certificate import as the PIN window shows it.
#[derive(Clone, Debug, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportView {
    /// Token label.
    pub token_label: String,
    /// The certificate file's name.
    pub file_name: String,
}

/// The outcome of one PIN typed in the window.
#[derive(Clone, Debug, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum PinAttempt {
    /// The token took the PIN; signing goes on (the window closes).
    Accepted,
    /// The token refused it; the window asks again (`error.pinTries` says what is left).
    Retry {
        /// Why.
        error: AgentErrorBody,
    },
    /// The login failed for good (token locked, removed…); the window closes.
    Failed {
        /// Why.
        error: AgentErrorBody,
    },
}

enum Submission {
    Pin(SecretPin, Sender<PinAttempt>),
    Change(SecretPin, SecretPin, Sender<PinAttempt>),
    Unblock(SecretPin, SecretPin, Sender<PinAttempt>),
    Cancel,
}

impl Submission {
    /// Answer a submission the open request does not take.
    fn refuse(self) {
        match self {
            Submission::Pin(_, r) | Submission::Change(_, _, r) | Submission::Unblock(_, _, r) => {
                let _ = r.send(PinAttempt::Failed { error: wrong_kind() });
            }
            Submission::Cancel => {}
        }
    }
}

struct Pending {
    view: PinPromptView,
    tx: Sender<Submission>,
}

/// The PIN request open at the moment (at most one), shared by the commands.
#[derive(Default)]
pub struct PinBroker {
    pending: Mutex<Option<Pending>>,
}

impl PinBroker {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Pending>> {
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// What the window shows, if a request is open.
    pub fn view(&self) -> Option<PinPromptView> {
        self.lock().as_ref().map(|p| p.view.clone())
    }

    /// Hand a PIN to the waiting signer; the receiver gets the attempt's outcome.
    pub fn submit(&self, pin: SecretPin) -> Option<Receiver<PinAttempt>> {
        let guard = self.lock();
        let p = guard.as_ref()?;
        let (tx, rx) = mpsc::channel();
        p.tx.send(Submission::Pin(pin, tx)).ok()?;
        Some(rx)
    }

    /// Hand the current and the new PIN of a change request to the waiting thread.
    pub fn submit_change(&self, old: SecretPin, new: SecretPin) -> Option<Receiver<PinAttempt>> {
        let guard = self.lock();
        let p = guard.as_ref()?;
        let (tx, rx) = mpsc::channel();
        p.tx.send(Submission::Change(old, new, tx)).ok()?;
        Some(rx)
    }

    /// Hand the unblock code and the new PIN of an unblock request to the waiting thread.
    pub fn submit_unblock(&self, so: SecretPin, new: SecretPin) -> Option<Receiver<PinAttempt>> {
        let guard = self.lock();
        let p = guard.as_ref()?;
        let (tx, rx) = mpsc::channel();
        p.tx.send(Submission::Unblock(so, new, tx)).ok()?;
        Some(rx)
    }

    /// The user cancelled (button, Escape, or closed the window).
    pub fn cancel(&self) {
        if let Some(p) = self.lock().as_ref() {
            let _ = p.tx.send(Submission::Cancel);
        }
    }

    fn set_error(&self, error: Option<AgentErrorBody>) {
        if let Some(p) = self.lock().as_mut() {
            p.view.error = error;
        }
    }
}

/// The desktop's [`PinPrompt`]: the PIN window.
pub struct WindowPrompt {
    app: tauri::AppHandle,
    broker: Arc<PinBroker>,
    rx: Option<Receiver<Submission>>,
    reply: Option<Sender<PinAttempt>>,
    bridge: Option<BridgeConfirmation>,
}

impl WindowPrompt {
    /// A prompt over `broker`; refused while another PIN request is open.
    pub fn new(app: tauri::AppHandle, broker: Arc<PinBroker>) -> Result<WindowPrompt, crate::error::AppError> {
        if broker.lock().is_some() {
            return Err(crate::error::AppError::new(
                "pin_window_busy",
                "Cửa sổ nhập mã PIN đang mở cho một yêu cầu khác. Hãy hoàn tất hoặc hủy yêu cầu đó.",
                "The PIN window is open for another request. Finish or cancel it first.",
            ));
        }
        Ok(WindowPrompt { app, broker, rx: None, reply: None, bridge: None })
    }

    /// The window also shows a web page's request (site, call, file, first page).
    pub fn for_bridge(mut self, what: BridgeConfirmation) -> WindowPrompt {
        self.bridge = Some(what);
        self
    }

    fn open(&mut self, view: PinPromptView) -> bool {
        let title = "KýSố — Xác nhận ký và nhập mã PIN";
        // A web page's request also shows the document's first page.
        let (w, h) = if view.bridge.is_some() { (860.0, 720.0) } else { (520.0, 560.0) };
        let (tx, rx) = mpsc::channel();
        *self.broker.lock() = Some(Pending { view, tx });
        self.rx = Some(rx);
        let built = WebviewWindowBuilder::new(&self.app, LABEL, WebviewUrl::App("pin.html".into()))
            .title(title)
            .inner_size(w, h)
            .resizable(false)
            .center()
            .always_on_top(true)
            .focused(true)
            .build();
        match built {
            Ok(_) => true,
            Err(e) => {
                eprintln!("KýSố: the PIN window could not open: {e}");
                *self.broker.lock() = None;
                false
            }
        }
    }

    fn close(&mut self) {
        *self.broker.lock() = None;
        if let Some(w) = self.app.get_webview_window(LABEL) {
            let _ = w.destroy();
        }
    }
}

impl PinPrompt for WindowPrompt {
    fn ask(&mut self, summary: &SignSummary, last: Option<&AgentErrorBody>) -> Option<SecretPin> {
        match self.reply.take() {
            // A wrong PIN: the window that sent it shows why and asks again.
            Some(reply) => {
                self.broker.set_error(last.cloned());
                let error = last.cloned().unwrap_or_else(|| AgentErrorBody::new("pin_incorrect", String::new(), String::new()));
                let _ = reply.send(PinAttempt::Retry { error });
            }
            None => {
                let view = PinPromptView { summary: Some(summary.clone()), bridge: self.bridge.clone(), ..PinPromptView::default() };
                if self.rx.is_none() && !self.open(view) {
                    return None;
                }
            }
        }
        let submission = self.rx.as_ref()?.recv();
        match submission {
            Ok(Submission::Pin(pin, reply)) => {
                self.reply = Some(reply);
                Some(pin)
            }
            Ok(other @ (Submission::Change(..) | Submission::Unblock(..))) => {
                other.refuse();
                self.close();
                None
            }
            Ok(Submission::Cancel) | Err(_) => {
                self.close();
                None
            }
        }
    }

    fn finished(&mut self, outcome: Result<(), &AgentErrorBody>) {
        if let Some(reply) = self.reply.take() {
            let _ = reply.send(match outcome {
                Ok(()) => PinAttempt::Accepted,
                Err(e) => PinAttempt::Failed { error: e.clone() },
            });
        }
        self.close();
    }
}

fn wrong_kind() -> AgentErrorBody {
    AgentErrorBody::new("bad_request", "Yêu cầu không khớp với cửa sổ.".into(), "The request does not match the window.".into())
}

/// Change `token_label`'s user PIN with the current and new PIN typed in the PIN
/// window (never in the main page). A wrong current PIN is answered there (tries
/// left) and asked again; closing the window cancels.
pub fn change_pin_in_window(
    app: tauri::AppHandle,
    broker: Arc<PinBroker>,
    office: &kyso::office::Office,
    token_label: &str,
) -> Result<(), crate::error::AppError> {
    let mut w = WindowPrompt::new(app, broker)?;
    let view = PinPromptView { change_token: Some(token_label.to_owned()), ..PinPromptView::default() };
    if !w.open(view) {
        return Err(cancelled());
    }
    loop {
        let next = w.rx.as_ref().map(Receiver::recv);
        match next {
            Some(Ok(Submission::Change(old, new, reply))) => match settle(&mut w, reply, office.change_pin(token_label, old, new)) {
                None => continue,
                Some(done) => return done.map_err(|(e, _)| e.into()),
            },
            Some(Ok(other @ (Submission::Pin(..) | Submission::Unblock(..)))) => other.refuse(),
            _ => {
                w.close();
                return Err(cancelled());
            }
        }
    }
}

fn cancelled() -> crate::error::AppError {
    kyso::Error::from(kyso::office::OfficeError::Cancelled).into()
}

/// Tell the window how one attempt typed there went: accepted (the window closes),
/// refused in a way the user can fix (`None`: the window asks again, with the
/// reason), or failed for good (the window closes; the error and its body back).
fn settle<T>(
    w: &mut WindowPrompt,
    reply: Sender<PinAttempt>,
    result: Result<T, kyso::Error>,
) -> Option<Result<T, (kyso::Error, AgentErrorBody)>> {
    match result {
        Ok(v) => {
            let _ = reply.send(PinAttempt::Accepted);
            w.close();
            Some(Ok(v))
        }
        Err(e) => {
            let body = AgentErrorBody::from_error(&e);
            if asks_again(&body.kind) {
                w.broker.set_error(Some(body.clone()));
                let _ = reply.send(PinAttempt::Retry { error: body });
                return None;
            }
            let _ = reply.send(PinAttempt::Failed { error: body.clone() });
            w.close();
            Some(Err((e, body)))
        }
    }
}

/// Kinds after which the window asks again (the token refused what was typed).
fn asks_again(kind: &str) -> bool {
    matches!(kind, "pin_incorrect" | "pin_len_range" | "pin_invalid" | "so_pin_incorrect" | "pin_mismatch")
}

/// What an unblock ended with.
#[derive(Clone, Debug, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum UnblockOutcome {
    /// The new PIN is set; the token is usable again.
    Unblocked {
        /// The token (as it was before).
        token: kyso::token::TokenIdentity,
    },
    /// The unblock code is locked: only the CA can recover the token; the request
    /// to send was written.
    SoLocked {
        /// The request written.
        request: kyso::office::RecoveryWritten,
    },
}

/// Unblock `token_label`: the unblock code and the new PIN (twice) are typed in the
/// PIN window, which shows the unblock code's tries left. A wrong code is answered
/// there and asked again; a locked one (before or after) writes the recovery request.
pub fn unblock_in_window(
    app: tauri::AppHandle,
    broker: Arc<PinBroker>,
    office: &kyso::office::Office,
    token_label: &str,
) -> Result<UnblockOutcome, crate::error::AppError> {
    let tokens = office.list_tokens()?;
    let Some(tok) = tokens.iter().find(|t| t.label == token_label) else {
        return Err(kyso::Error::from(kyso::token::TokenError::TokenNotFound {
            wanted: token_label.to_owned(),
            seen: tokens.iter().map(|t| t.label.clone()).collect(),
        })
        .into());
    };
    let so_locked = |o: &kyso::office::Office| -> Result<UnblockOutcome, crate::error::AppError> {
        Ok(UnblockOutcome::SoLocked { request: o.write_recovery_request(token_label)? })
    };
    if tok.pin_status.so_locked {
        return so_locked(office);
    }
    let mut w = WindowPrompt::new(app, broker)?;
    let unblock = UnblockView { token_label: tok.label.clone(), token_serial: tok.serial.clone(), so_tries: tok.pin_status.so_tries };
    if !w.open(PinPromptView { unblock: Some(unblock), ..PinPromptView::default() }) {
        return Err(cancelled());
    }
    loop {
        let next = w.rx.as_ref().map(Receiver::recv);
        match next {
            Some(Ok(Submission::Unblock(so, new, reply))) => match settle(&mut w, reply, office.unblock_pin(token_label, so, new)) {
                None => continue,
                Some(Ok(token)) => return Ok(UnblockOutcome::Unblocked { token }),
                Some(Err((_, body))) if body.kind == "so_pin_locked" => return so_locked(office),
                Some(Err((e, _))) => return Err(e.into()),
            },
            Some(Ok(other @ (Submission::Pin(..) | Submission::Change(..)))) => other.refuse(),
            _ => {
                w.close();
                return Err(cancelled());
            }
        }
    }
}

/// Write the certificate at `file` onto `token_label` next to its key, with the PIN
/// typed in the PIN window (a wrong PIN is answered there and asked again).
pub fn import_in_window(
    app: tauri::AppHandle,
    broker: Arc<PinBroker>,
    office: &kyso::office::Office,
    token_label: &str,
    file: std::path::PathBuf,
    remove_old: bool,
) -> Result<kyso::token::ImportReport, crate::error::AppError> {
    let mut w = WindowPrompt::new(app, broker)?;
    let file_name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let import = ImportView { token_label: token_label.to_owned(), file_name };
    if !w.open(PinPromptView { import: Some(import), ..PinPromptView::default() }) {
        return Err(cancelled());
    }
    loop {
        let next = w.rx.as_ref().map(Receiver::recv);
        match next {
            Some(Ok(Submission::Pin(pin, reply))) => {
                match settle(&mut w, reply, office.import_certificate(token_label, file.clone(), remove_old, pin)) {
                    None => continue,
                    Some(done) => return done.map_err(|(e, _)| e.into()),
                }
            }
            Some(Ok(other @ (Submission::Change(..) | Submission::Unblock(..)))) => other.refuse(),
            _ => {
                w.close();
                return Err(cancelled());
            }
        }
    }
}

impl Drop for WindowPrompt {
    fn drop(&mut self) {
        if self.rx.is_some() {
            self.close();
        }
    }
}
