//! Asking for the PIN, and what the user is shown when asked.
//!
//! The office never holds a PIN field: it asks a [`PinPrompt`] — in the desktop app
//! a separate window the main page cannot script, in tests a [`FixedPin`] — and the
//! prompt shows a [`SignSummary`] of exactly what will be signed (file names, the
//! first digits of each file's SHA-256, the role, the certificate, the number and
//! date). Each attempt is checked by the token; a wrong PIN asks again with the
//! tries left, until the PIN is right, the token locks, or the user cancels.

use serde::{Deserialize, Serialize};

use crate::agent::protocol::SecretPin;
use crate::agent::AgentErrorBody;
use crate::queue::DocRole;

/// Where the PIN comes from.
pub trait PinPrompt {
    /// The PIN for the next login. `last` says why the previous one was refused
    /// (wrong PIN with the tries left), `None` on the first ask. `None` back: the
    /// user cancelled.
    fn ask(&mut self, summary: &SignSummary, last: Option<&AgentErrorBody>) -> Option<SecretPin>;
    /// The login ended: `Ok` when the token took the PIN, else the final error.
    fn finished(&mut self, outcome: Result<(), &AgentErrorBody>);
}

/// A prompt that answers once with a PIN it was given (tests, scripted use).
#[derive(Debug)]
pub struct FixedPin(Option<SecretPin>);

impl FixedPin {
    /// Answer the first ask with `pin`, and cancel after that.
    pub fn new(pin: SecretPin) -> FixedPin {
        FixedPin(Some(pin))
    }
}

impl PinPrompt for FixedPin {
    fn ask(&mut self, _summary: &SignSummary, _last: Option<&AgentErrorBody>) -> Option<SecretPin> {
        self.0.take()
    }

    fn finished(&mut self, _outcome: Result<(), &AgentErrorBody>) {}
}

/// One document as the PIN window shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct DocumentSummary {
    /// Queue id.
    pub id: i64,
    /// The file's name.
    pub file_name: String,
    /// SHA-256 of the file to be signed, hex; the signature is refused if the
    /// file no longer has it ([`super::OfficeError::DocumentChanged`]).
    pub sha256: String,
    /// Number and symbol the seal writes, if any.
    pub doc_number: Option<String>,
    /// Date the seal writes, if any.
    pub doc_date: Option<String>,
}

/// What a PIN will sign: shown before the PIN is asked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SignSummary {
    /// `sign` (a leader's personal signature) or `seal` (the clerk's agency signature).
    pub role: DocRole,
    /// The token's label.
    pub token_label: String,
    /// The certificate's `CKA_ID`, hex.
    pub cert_id_hex: String,
    /// The certificate's holder, when the token lists it.
    pub certificate: Option<String>,
    /// The certificate's serial number, when the token lists it.
    pub cert_serial: Option<String>,
    /// The documents.
    pub documents: Vec<DocumentSummary>,
}
