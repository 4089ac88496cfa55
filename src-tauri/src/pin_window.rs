//! The PIN window: a separate window, with its own page (`pin.html`) and its own
//! capability (`capabilities/pin.json`: only `pin_request`, `pin_submit`,
//! `pin_cancel`), that shows what will be signed and takes the PIN. The main page
//! never sees a PIN and cannot call those commands; the PIN window's page cannot
//! call anything else.
//!
//! [`WindowPrompt`] is the office's [`PinPrompt`] for the desktop: the first `ask`
//! opens the window with the [`SignSummary`]; each PIN typed there reaches the
//! waiting signing thread through [`PinBroker`], and the outcome of that login
//! (accepted, wrong PIN with the tries left, or a final error) is the answer to
//! the window's `pin_submit`. Closing the window cancels.

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
#[derive(Clone, Debug, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PinPromptView {
    /// What will be signed (a signing request).
    pub summary: Option<SignSummary>,
    /// The token whose user PIN is being changed (a change request).
    pub change_token: Option<String>,
    /// The last refusal (wrong PIN, with `pinTries`), if any.
    pub error: Option<AgentErrorBody>,
    /// A web page's request (the e-office bridge): the site, the call, the file.
    pub bridge: Option<BridgeConfirmation>,
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
    Cancel,
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
                let view = PinPromptView { summary: Some(summary.clone()), change_token: None, error: None, bridge: self.bridge.clone() };
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
            Ok(Submission::Change(_, _, reply)) => {
                let _ = reply.send(PinAttempt::Failed { error: wrong_kind() });
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
    let view = PinPromptView { summary: None, change_token: Some(token_label.to_owned()), error: None, bridge: None };
    if !w.open(view) {
        return Err(kyso::Error::from(kyso::office::OfficeError::Cancelled).into());
    }
    loop {
        let next = w.rx.as_ref().map(Receiver::recv);
        match next {
            Some(Ok(Submission::Change(old, new, reply))) => match office.change_pin(token_label, old, new) {
                Ok(()) => {
                    let _ = reply.send(PinAttempt::Accepted);
                    w.close();
                    return Ok(());
                }
                Err(e) => {
                    let body = AgentErrorBody::from_error(&e);
                    if matches!(body.kind.as_str(), "pin_incorrect" | "pin_len_range" | "pin_invalid") {
                        w.broker.set_error(Some(body.clone()));
                        let _ = reply.send(PinAttempt::Retry { error: body });
                        continue;
                    }
                    let _ = reply.send(PinAttempt::Failed { error: body });
                    w.close();
                    return Err(e.into());
                }
            },
            Some(Ok(Submission::Pin(_, reply))) => {
                let _ = reply.send(PinAttempt::Failed { error: wrong_kind() });
            }
            _ => {
                w.close();
                return Err(kyso::Error::from(kyso::office::OfficeError::Cancelled).into());
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
