//! Tokens and certificates for the *Thiết bị* screen and the start-up warning
//! (R16): listed by the helper process, flattened to one row per token.

use serde::{Deserialize, Serialize};

use super::signing::{TokenChoice, LIST_TIMEOUT, LOGIN_TIMEOUT};
use super::{Office, OfficeError};
use crate::agent::protocol::SecretPin;
use crate::token::{CertificateInfo, Inventory, PinStatus, ReportedError, Role};

/// One token as the screens show it.
#[derive(Clone, Debug, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct TokenView {
    /// The driver file.
    pub module: String,
    /// Token label.
    pub label: String,
    /// Token serial number.
    pub serial: String,
    /// PIN state from the token flags (`tries` is the one [`crate::token::PinTries`]).
    pub pin_status: PinStatus,
    /// Signing certificates.
    pub certificates: Vec<CertView>,
    /// Why the token's objects could not be read, if so.
    pub error: Option<ReportedError>,
}

/// One signing certificate.
#[derive(Clone, Debug, Serialize, Deserialize, ts_rs::TS)]
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
    /// Personal, agency or unknown (R15).
    pub role: Role,
    /// Ends within 30 days.
    pub expiring_soon: bool,
    /// The certificate's DER (kept by the office for the stamp preview; never sent
    /// to the page).
    #[serde(skip)]
    pub der: Vec<u8>,
}

/// A certificate that expires soon, with its token.
#[derive(Clone, Debug, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ExpiringCertificate {
    /// The token's label.
    pub token_label: String,
    /// The certificate.
    #[serde(flatten)]
    pub cert: CertView,
}

impl From<&CertificateInfo> for CertView {
    fn from(c: &CertificateInfo) -> CertView {
        CertView {
            id_hex: c.id.clone(),
            label: c.cert_label.clone(),
            subject: c.subject.clone(),
            common_name: c.common_name.clone(),
            organization: c.organization.clone(),
            issuer: c.issuer.clone(),
            serial: c.serial.clone(),
            not_before: c.not_before.clone(),
            not_after: c.not_after.clone(),
            days_left: c.days_to_expiry,
            role: c.role,
            expiring_soon: c.expiring_soon,
            der: <base64ct::Base64 as base64ct::Encoding>::decode_vec(&c.certificate).unwrap_or_default(),
        }
    }
}

/// Flatten the core's inventory to one row per token.
pub fn flatten_inventory(inv: &Inventory) -> Vec<TokenView> {
    inv.modules
        .iter()
        .flat_map(|m| {
            let module = m.path.to_string_lossy().into_owned();
            m.tokens.iter().map(move |t| TokenView {
                module: module.clone(),
                label: t.label.clone(),
                serial: t.serial.clone(),
                pin_status: t.pin,
                certificates: t.certificates.iter().map(CertView::from).collect(),
                error: t.error.clone(),
            })
        })
        .collect()
}

impl Office {
    /// Tokens and their signing certificates, listed by the helper process.
    pub fn list_tokens(&self) -> Result<Vec<TokenView>, crate::Error> {
        let modules = self.config.modules.clone();
        let inv = self.with_agent(|a| a.tokens(modules, LIST_TIMEOUT))?;
        let tokens = flatten_inventory(&inv);
        *self.tokens_seen.lock().unwrap_or_else(|p| p.into_inner()) = tokens.clone();
        Ok(tokens)
    }

    /// The certificate `choice` names as last listed (listing the tokens if they
    /// never were); `None` when the token does not show it.
    pub fn known_certificate(&self, choice: &TokenChoice) -> Option<CertView> {
        let find = |tokens: &[TokenView]| {
            tokens
                .iter()
                .filter(|t| t.label == choice.token_label)
                .flat_map(|t| t.certificates.iter())
                .find(|c| c.id_hex.eq_ignore_ascii_case(&choice.cert_id_hex))
                .cloned()
        };
        let seen = self.tokens_seen.lock().unwrap_or_else(|p| p.into_inner()).clone();
        find(&seen).or_else(|| self.list_tokens().ok().and_then(|t| find(&t)))
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
        let modules = self.config.modules.clone();
        self.with_agent(|a| a.change_pin(modules, Some(token_label.to_owned()), old, new, LOGIN_TIMEOUT))
    }

    /// The certificate `choice` names, parsed, as last listed (listing the tokens
    /// if they never were): what the stamp preview is planned with.
    pub fn signing_certificate(&self, choice: &TokenChoice) -> Result<x509_cert::Certificate, crate::Error> {
        use der::Decode;
        let view = self.known_certificate(choice).ok_or_else(|| OfficeError::CertificateNotFound {
            token_label: choice.token_label.clone(),
            cert_id_hex: choice.cert_id_hex.clone(),
        })?;
        x509_cert::Certificate::from_der(&view.der).map_err(|_| {
            OfficeError::CertificateNotFound { token_label: choice.token_label.clone(), cert_id_hex: choice.cert_id_hex.clone() }.into()
        })
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
