//! The wire format of the token agent: one JSON [`Request`] per line on the agent's
//! standard input, one JSON [`Response`] per line on its standard output, in order.
//! Described for people in `docs/agent-protocol.md`.
//!
//! PINs travel only inside requests, as [`SecretPin`]s: wrapped in a zeroizing buffer
//! as they are parsed, never printed by `Debug`, never echoed in a response.

use std::path::PathBuf;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use zeroize::Zeroizing;

use crate::error::{Error, OutputError};
use crate::i18n::{Lang, Localize};
use crate::job::SignJob;
use crate::stamp::signer_check::SignerNameRefusal;
use crate::token::{Pin, PinTries, Role, TokenError, TokenSignerInfo};

/// The protocol version `hello` reports; raised on any incompatible change
/// (2: `pinTries` spelled as the token inventory's `pin.tries`; `signer.role` an enum;
/// a `login` while this agent holds a session is checked in a helper agent process).
pub const PROTOCOL_VERSION: u32 = 2;

/// One request: an id chosen by the caller (echoed in the response) and the operation.
#[derive(Debug, Serialize, Deserialize)]
pub struct Request {
    /// Echoed in the [`Response`], so the caller can pair them.
    pub id: u64,
    /// What to do, tagged by its `"op"` field.
    #[serde(flatten)]
    pub op: Op,
}

/// The operations, tagged by `"op"`; field names are camelCase.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "camelCase", rename_all_fields = "camelCase")]
#[allow(clippy::large_enum_variant)] // one per request; boxing the job would only burden callers
pub enum Op {
    /// Who is there: `{ "version": 1, "kyso": "0.1.0" }`.
    Hello,
    /// The inventory of drivers, tokens and certificates, as `kyso tokens --json`.
    Tokens {
        /// Drivers to use; empty: every known driver found on this computer.
        #[serde(default)]
        modules: Vec<PathBuf>,
    },
    /// Log in to a token and open a session for one certificate: [`LoginResult`].
    Login {
        /// Drivers to use; empty: every known driver found on this computer.
        #[serde(default)]
        modules: Vec<PathBuf>,
        /// The token label; needed only when several tokens are present.
        #[serde(default)]
        token_label: Option<String>,
        /// The certificate's `CKA_ID` in hex; needed only when several certificates can sign.
        #[serde(default)]
        cert_id_hex: Option<String>,
        /// The user PIN.
        pin: SecretPin,
    },
    /// Check, then sign one document with a session's key: a [`crate::job::JobOutcome`].
    Sign {
        /// The session from `login`.
        session: u64,
        /// The document and stamp options.
        job: SignJob,
    },
    /// Close a session (the token logs out when its last session closes):
    /// `{ "loggedOut": true|false }` (false: no such session).
    Logout {
        /// The session from `login`.
        session: u64,
    },
    /// Change the user PIN (`C_SetPIN`, R16): `null`.
    ChangePin {
        /// Drivers to use; empty: every known driver found on this computer.
        #[serde(default)]
        modules: Vec<PathBuf>,
        /// The token label; needed only when several tokens are present.
        #[serde(default)]
        token_label: Option<String>,
        /// The current PIN.
        old_pin: SecretPin,
        /// The new PIN.
        new_pin: SecretPin,
    },
    /// Unblock the user PIN (R16): Security Officer login with the unblock code
    /// (PUK/SO PIN), the new user PIN set with `C_InitPIN`: the token as it was
    /// before ([`crate::token::TokenIdentity`]). A wrong code: `so_pin_incorrect` with
    /// `pinTries` (the unblock code's tries); a locked one: `so_pin_locked`.
    UnblockPin {
        /// Drivers to use; empty: every known driver found on this computer.
        #[serde(default)]
        modules: Vec<PathBuf>,
        /// The token label; needed only when several tokens are present.
        #[serde(default)]
        token_label: Option<String>,
        /// The unblock code (PUK/SO PIN).
        so_pin: SecretPin,
        /// The new user PIN.
        new_pin: SecretPin,
    },
    /// Write a renewed certificate next to its key (R16): a
    /// [`crate::token::ImportReport`].
    ImportCert {
        /// Drivers to use; empty: every known driver found on this computer.
        #[serde(default)]
        modules: Vec<PathBuf>,
        /// The token label; needed only when several tokens are present.
        #[serde(default)]
        token_label: Option<String>,
        /// The certificate file (`.pem`, `.cer`, `.p7b`).
        file: PathBuf,
        /// Extra trust anchors (PEM files or folders).
        #[serde(default)]
        trust: Vec<PathBuf>,
        /// Delete the key's older certificates once the new one is written.
        #[serde(default)]
        remove_old: bool,
        /// The user PIN.
        pin: SecretPin,
    },
    /// Answer `null`, then stop (sessions close, tokens log out).
    Shutdown,
}

impl Op {
    /// The op's wire name, for logs (never its fields: they may hold a PIN).
    pub fn name(&self) -> &'static str {
        match self {
            Op::Hello => "hello",
            Op::Tokens { .. } => "tokens",
            Op::Login { .. } => "login",
            Op::Sign { .. } => "sign",
            Op::Logout { .. } => "logout",
            Op::ChangePin { .. } => "changePin",
            Op::UnblockPin { .. } => "unblockPin",
            Op::ImportCert { .. } => "importCert",
            Op::Shutdown => "shutdown",
        }
    }
}

/// A PIN inside a request: a zeroizing string from the moment it is parsed.
/// `Debug` prints `SecretPin(***)`; it serialises as the plain string (the client
/// must send it), so keep requests out of logs.
pub struct SecretPin(Zeroizing<String>);

impl SecretPin {
    /// Wrap a PIN the caller holds (moved, not copied).
    pub fn new(pin: String) -> SecretPin {
        SecretPin(Zeroizing::new(pin))
    }

    /// Whether two PINs are the same (a new PIN typed twice), every byte compared.
    pub fn same_as(&self, other: &SecretPin) -> bool {
        let (a, b) = (self.0.as_bytes(), other.0.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }

    /// The token layer's [`Pin`] (the buffer moves over; nothing is left behind).
    pub fn into_pin(mut self) -> Pin {
        Pin::new(std::mem::take(&mut *self.0))
    }
}

impl From<Pin> for SecretPin {
    /// The buffer moves over; nothing is copied.
    fn from(pin: Pin) -> SecretPin {
        SecretPin(pin.into_inner())
    }
}

impl std::fmt::Debug for SecretPin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretPin(***)")
    }
}

impl Serialize for SecretPin {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for SecretPin {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<SecretPin, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = SecretPin;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a PIN string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<SecretPin, E> {
                Ok(SecretPin(Zeroizing::new(v.to_owned())))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<SecretPin, E> {
                Ok(SecretPin(Zeroizing::new(v)))
            }
        }
        d.deserialize_string(V)
    }
}

/// One response: the request's id, and either `result` (`ok: true`) or `error`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Response {
    /// The request's id (0 when the request was too malformed to read one).
    pub id: u64,
    /// Whether the operation succeeded.
    pub ok: bool,
    /// The operation's result when `ok`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
    /// Why it failed when not `ok`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<AgentErrorBody>,
}

impl Response {
    /// A success.
    pub fn ok(id: u64, result: Value) -> Response {
        Response { id, ok: true, result: Some(result), error: None }
    }

    /// A failure.
    pub fn err(id: u64, error: AgentErrorBody) -> Response {
        Response { id, ok: false, result: None, error: Some(error) }
    }
}

/// A failure as the caller shows it: a stable kind and one-line messages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AgentErrorBody {
    /// Stable snake_case code: `pin_incorrect`, `pin_locked`, `token_absent`,
    /// `no_module`, `bad_pdf`, `seal_refused`, `output_exists`, `session_lost`,
    /// `bad_request`… (see `docs/agent-protocol.md`).
    pub kind: String,
    /// The Vietnamese message.
    pub vi: String,
    /// The English message.
    pub en: String,
    /// On PIN errors, what the token's flags say is left (the one PIN-state enum,
    /// [`PinTries`], from the token to the screen).
    #[serde(default)]
    pub pin_tries: Option<PinTries>,
    /// The core's finer kind when `kind` groups several (e.g. `pdf_truncated` under
    /// `bad_pdf`, `seal_invalid_signature` under `seal_refused`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// On `name_mismatch`: the two people, for the window to ask the user to
    /// confirm naming both (the right signer for the block).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub name_conflict: Option<Box<NameConflict>>,
}

/// The two names of a `name_mismatch` refusal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct NameConflict {
    /// The name printed under the signature block.
    pub block_name: String,
    /// The certificate's holder.
    pub holder: String,
    /// `KT.`, `TL.` or `TUQ.` when the block carries one.
    pub delegation: Option<String>,
}

impl AgentErrorBody {
    /// A body with no PIN state and no detail.
    pub fn new(kind: &str, vi: String, en: String) -> AgentErrorBody {
        AgentErrorBody { kind: kind.to_owned(), vi, en, pin_tries: None, detail: None, name_conflict: None }
    }

    /// From anything that can explain itself in both languages.
    pub fn localized(kind: &str, what: &dyn Localize) -> AgentErrorBody {
        AgentErrorBody::new(kind, what.localize(Lang::Vi), what.localize(Lang::En))
    }

    /// The body of a core error: the core's kind, grouped for the caller where it is
    /// finer than a window needs (absent tokens, bad PDFs, refused seals).
    pub fn from_error(e: &Error) -> AgentErrorBody {
        // An error the agent already explained (or the agent's own failure) keeps its body.
        if let Error::Agent(a) = e {
            return a.body();
        }
        let fine = e.kind();
        let kind = match e {
            Error::Token(TokenError::NoToken | TokenError::TokenNotFound { .. } | TokenError::TokenRemoved { .. }) => "token_absent",
            Error::Pdf(_) if fine.starts_with("pdf_") => "bad_pdf",
            Error::Workflow(_) => "seal_refused",
            Error::Output(OutputError::ReadInput { .. }) => "read_input",
            _ => fine,
        };
        let pin_tries = match e {
            Error::Token(TokenError::PinIncorrect { tries }) => Some(*tries),
            Error::Token(TokenError::PinLocked) => Some(PinTries::Locked),
            Error::Token(TokenError::SoPinIncorrect { tries }) => Some(*tries),
            Error::Token(TokenError::SoPinLocked) => Some(PinTries::Locked),
            _ => None,
        };
        let name_conflict = match e {
            Error::SignerName(SignerNameRefusal::NameMismatch { block_name, holder, delegation }) => {
                Some(Box::new(NameConflict { block_name: block_name.clone(), holder: holder.clone(), delegation: delegation.clone() }))
            }
            _ => None,
        };
        AgentErrorBody {
            kind: kind.to_owned(),
            vi: e.localize(Lang::Vi),
            en: e.localize(Lang::En),
            pin_tries,
            detail: (kind != fine).then(|| fine.to_owned()),
            name_conflict,
        }
    }
}

/// The result of `hello`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HelloResult {
    /// [`PROTOCOL_VERSION`] of the agent.
    pub version: u32,
    /// The agent's `kyso` version.
    pub kyso: String,
}

/// The result of `logout`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogoutResult {
    /// `false`: there was no such session.
    pub logged_out: bool,
}

/// The result of `sign`: the signature as written and where its stamp went.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignResult {
    /// The signature as written.
    pub outcome: crate::sign::SignOutcome,
    /// Where the stamp went.
    pub placement: crate::job::StampPlacement,
    /// The PAdES level signed at.
    #[serde(default)]
    pub level: crate::longterm::SigningLevel,
    /// The check of the signing certificate made before signing, as kept in the history.
    #[serde(default)]
    pub certificate_check: Option<crate::longterm::CheckRecord>,
    /// What the user should know (B-B for want of a TSA, status unknown offline…).
    #[serde(default)]
    pub notes: Vec<crate::job::Note>,
}

impl From<crate::job::JobOutcome> for SignResult {
    fn from(j: crate::job::JobOutcome) -> SignResult {
        SignResult {
            outcome: j.outcome,
            placement: j.placement.into(),
            level: j.level,
            certificate_check: Some(j.certificate_check.record()),
            notes: j.notes,
        }
    }
}

/// The result of `login`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginResult {
    /// The session to name in `sign` and `logout`. Random, below 2^53 (safe in
    /// JavaScript), so an id from an agent that has since restarted is never reused.
    pub session: u64,
    /// Who signs with this session.
    pub signer: SignerSummary,
}

/// The logged-in certificate, for the window to show and to warn on a role mismatch (R15).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignerSummary {
    /// The token label.
    pub token_label: String,
    /// The token serial number.
    pub token_serial: String,
    /// The certificate's `CKA_ID` in hex.
    pub cert_id_hex: String,
    /// The subject's common name.
    pub common_name: Option<String>,
    /// The subject (RFC 4514 style).
    pub subject: String,
    /// The issuer (RFC 4514 style).
    pub issuer: String,
    /// The certificate serial number (hex).
    pub serial: String,
    /// End of validity, ISO 8601.
    pub not_after: String,
    /// Days until the certificate expires (negative: expired).
    pub days_to_expiry: i64,
    /// Personal, agency or unknown (R15).
    pub role: Role,
}

impl From<&TokenSignerInfo> for SignerSummary {
    fn from(i: &TokenSignerInfo) -> SignerSummary {
        let c = &i.certificate;
        SignerSummary {
            token_label: i.token_label.clone(),
            token_serial: i.token_serial.clone(),
            cert_id_hex: c.id.clone(),
            common_name: c.common_name.clone(),
            subject: c.subject.clone(),
            issuer: c.issuer.clone(),
            serial: c.serial.clone(),
            not_after: c.not_after.clone(),
            days_to_expiry: c.days_to_expiry,
            role: i.role,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn requests_round_trip_and_hide_the_pin() {
        let line = r#"{"id":3,"op":"login","tokenLabel":"KYSO-TEST","certIdHex":"01","pin":"123456"}"#;
        let req: Request = serde_json::from_str(line).unwrap();
        assert_eq!(req.id, 3);
        let dbg = format!("{req:?}");
        assert!(!dbg.contains("123456"), "{dbg}");
        match &req.op {
            Op::Login { token_label, cert_id_hex, modules, .. } => {
                assert_eq!(token_label.as_deref(), Some("KYSO-TEST"));
                assert_eq!(cert_id_hex.as_deref(), Some("01"));
                assert!(modules.is_empty());
            }
            other => panic!("{other:?}"),
        }
        let back = serde_json::to_value(&req).unwrap();
        assert_eq!(back["op"], "login");
        assert_eq!(back["pin"], "123456");
        let req: Request = serde_json::from_str(r#"{"id":1,"op":"changePin","oldPin":"a\"b","newPin":"c"}"#).unwrap();
        assert_eq!(req.op.name(), "changePin");
        let req: Request = serde_json::from_str(r#"{"id":2,"op":"sign","session":9,"job":{"input":"a.pdf","output":"b.pdf"}}"#).unwrap();
        assert!(matches!(req.op, Op::Sign { session: 9, .. }));
        assert!(serde_json::from_str::<Request>(r#"{"id":2,"op":"fly"}"#).is_err());
    }

    #[test]
    fn pin_errors_carry_the_tries() {
        let e = Error::Token(TokenError::PinIncorrect { tries: PinTries::Low });
        let b = AgentErrorBody::from_error(&e);
        assert_eq!((b.kind.as_str(), b.pin_tries), ("pin_incorrect", Some(PinTries::Low)));
        let v = serde_json::to_value(&b).unwrap();
        assert_eq!(v["pinTries"], "low");
        let b = AgentErrorBody::from_error(&Error::Token(TokenError::NoToken));
        assert_eq!((b.kind.as_str(), b.detail.as_deref()), ("token_absent", Some("no_token")));
    }
}
