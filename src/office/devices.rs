//! Tokens and certificates for the *Thiết bị* screen and the start-up warning
//! (R16): listed by the helper process, flattened to one row per token.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::signing::{TokenChoice, LIST_TIMEOUT, LOGIN_TIMEOUT};
use super::Office;
use crate::agent::protocol::Op;
use crate::agent::protocol::SecretPin;

/// One token as the screens show it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenView {
    /// The driver file.
    pub module: String,
    /// Token label.
    pub label: String,
    /// Token serial number.
    pub serial: String,
    /// PIN state (`tries`: ok/few/final/locked, …), as the core reports it.
    pub pin_status: Value,
    /// Signing certificates.
    pub certificates: Vec<CertView>,
    /// Why the token's objects could not be read, if so.
    pub error: Option<Value>,
}

/// One signing certificate.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CertView {
    /// `CKA_ID`, hex.
    pub id_hex: String,
    /// Certificate label.
    pub label: String,
    /// Subject.
    pub subject: String,
    /// Common name.
    pub common_name: Option<String>,
    /// Organisation.
    pub organization: Option<String>,
    /// Issuer.
    pub issuer: String,
    /// Serial, hex.
    pub serial: String,
    /// Validity start, ISO 8601 (+07:00).
    pub not_before: String,
    /// Validity end, ISO 8601 (+07:00).
    pub not_after: String,
    /// Days until `notAfter` (negative once expired).
    pub days_left: i64,
    /// `personal`, `agency` or `unknown`.
    pub role: String,
    /// Ends within 30 days.
    pub expiring_soon: bool,
}

/// A certificate that expires soon, with its token.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExpiringCertificate {
    /// The token's label.
    pub token_label: String,
    /// The certificate.
    #[serde(flatten)]
    pub cert: CertView,
}

fn text(v: &Value, k: &str) -> String {
    v.get(k).and_then(Value::as_str).unwrap_or_default().to_owned()
}

fn opt_text(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).map(str::to_owned)
}

/// Flatten the core's inventory JSON (`kyso tokens --json`) to one row per token.
pub fn flatten_inventory(inv: &Value) -> Vec<TokenView> {
    let mut out = Vec::new();
    for m in inv.get("modules").and_then(Value::as_array).into_iter().flatten() {
        let module = m.get("path").and_then(Value::as_str).unwrap_or_default().to_owned();
        for t in m.get("tokens").and_then(Value::as_array).into_iter().flatten() {
            let certificates = t
                .get("certificates")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|c| CertView {
                    id_hex: text(c, "id"),
                    label: text(c, "certLabel"),
                    subject: text(c, "subject"),
                    common_name: opt_text(c, "commonName"),
                    organization: opt_text(c, "organization"),
                    issuer: text(c, "issuer"),
                    serial: text(c, "serial"),
                    not_before: text(c, "notBefore"),
                    not_after: text(c, "notAfter"),
                    days_left: c.get("daysToExpiry").and_then(Value::as_i64).unwrap_or(0),
                    role: opt_text(c, "role").unwrap_or_else(|| "unknown".into()),
                    expiring_soon: c.get("expiringSoon").and_then(Value::as_bool).unwrap_or(false),
                })
                .collect();
            out.push(TokenView {
                module: module.clone(),
                label: text(t, "label"),
                serial: text(t, "serial"),
                pin_status: t.get("pin").cloned().unwrap_or(Value::Null),
                certificates,
                error: t.get("error").cloned().filter(|e| !e.is_null()),
            });
        }
    }
    out
}

impl Office {
    /// Tokens and their signing certificates, listed by the helper process.
    pub fn list_tokens(&self) -> Result<Vec<TokenView>, crate::Error> {
        let inv = self.call(Op::Tokens { modules: self.config.modules.clone() }, LIST_TIMEOUT)?;
        Ok(flatten_inventory(&inv))
    }

    /// Certificates ending within `days` days (or already ended) on the tokens present.
    pub fn expiring_certificates(&self, days: i64) -> Result<Vec<ExpiringCertificate>, crate::Error> {
        let tokens = self.list_tokens()?;
        Ok(tokens
            .into_iter()
            .flat_map(|t| {
                let label = t.label.clone();
                t.certificates
                    .into_iter()
                    .filter(move |c| c.days_left <= days)
                    .map(move |cert| ExpiringCertificate { token_label: label.clone(), cert })
            })
            .collect())
    }

    /// Change the user PIN of the token labelled `token_label`.
    pub fn change_pin(&self, token_label: &str, old: SecretPin, new: SecretPin) -> Result<(), crate::Error> {
        self.call(
            Op::ChangePin { modules: self.config.modules.clone(), token_label: Some(token_label.to_owned()), old_pin: old, new_pin: new },
            LOGIN_TIMEOUT,
        )?;
        Ok(())
    }

    /// The certificate a choice names, if the token shows it.
    pub fn certificate_of(&self, choice: &TokenChoice) -> Result<Option<CertView>, crate::Error> {
        Ok(self
            .list_tokens()?
            .into_iter()
            .filter(|t| t.label == choice.token_label)
            .flat_map(|t| t.certificates)
            .find(|c| c.id_hex.eq_ignore_ascii_case(&choice.cert_id_hex)))
    }
}
