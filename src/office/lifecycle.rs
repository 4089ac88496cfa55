//! The token's life cycle on the *Thiết bị* screen (R16): unblock with the
//! recovery code, the recovery request when that code is locked too, a renewed
//! certificate written onto the token, and the handover record of a token (a queue
//! document both people sign; *Báo cáo* lists them). Token work goes through the
//! helper process, as everything else that touches a token.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::signing::{LIST_TIMEOUT, LOGIN_TIMEOUT};
use super::Office;
use crate::agent::protocol::SecretPin;
use crate::agent::ImportCert;
use crate::queue::{Document, HandoverEntry, NewHandover};
use crate::records::handover::{write_handover, Handover};
use crate::records::recovery::{write_recovery_request, RecoveryRequest};
use crate::records::RecordFiles;
use crate::token::{CertificateInfo, ImportReport, TokenError, TokenIdentity};

/// The recovery request written when the unblock code is locked, as the window shows it.
#[derive(Clone, Debug, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryWritten {
    /// The PDF to print and send.
    #[ts(type = "string")]
    pub pdf: PathBuf,
    /// The same request as plain text.
    #[ts(type = "string")]
    pub txt: PathBuf,
    /// The text of the request, to show on the screen.
    pub text: String,
    /// The token's serial number.
    pub token_serial: String,
}

/// What the *Thiết bị* screen asks for a handover record.
#[derive(Clone, Debug, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HandoverRequest {
    /// The token handed over.
    pub token_label: String,
    /// Who hands it over.
    pub from: String,
    /// Who receives it.
    pub to: String,
    /// The witness.
    #[serde(default)]
    pub witness: Option<String>,
    /// The handover date, `YYYY-MM-DD` (default: today).
    #[serde(default)]
    pub date: Option<String>,
}

/// The record made: its queue document (to sign) and the handover row.
#[derive(Clone, Debug, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct HandoverMade {
    /// The record PDF in the queue (role `sign`).
    pub document: Document,
    /// The handover as *Báo cáo* lists it.
    pub handover: HandoverEntry,
}

/// A name typed in a form: trimmed, not empty, at most 200 characters.
fn person(option: &str, value: &str) -> Result<String, crate::Error> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > 200 {
        return Err(crate::error::UsageError::InvalidArgument { option: option.into(), value: value.into() }.into());
    }
    Ok(crate::records::clean(v))
}

impl Office {
    /// The token labelled `label` as the helper process lists it: who it is, and its
    /// signing certificates.
    fn token_identity(&self, label: &str) -> Result<(TokenIdentity, Vec<CertificateInfo>), crate::Error> {
        let modules = self.config.modules.clone();
        let inv = self.with_agent(|a| a.tokens(modules, LIST_TIMEOUT))?;
        let Some(t) = inv.tokens().find(|t| t.label == label) else {
            let seen = inv.tokens().map(|t| t.label.clone()).collect();
            return Err(TokenError::TokenNotFound { wanted: label.to_owned(), seen }.into());
        };
        let id = TokenIdentity {
            label: t.label.clone(),
            manufacturer: t.manufacturer.clone(),
            model: t.model.clone(),
            serial: t.serial.clone(),
            pin: t.pin,
        };
        Ok((id, t.certificates.clone()))
    }

    /// Unblock `token_label`'s user PIN with the unblock code and set `new_pin`.
    pub fn unblock_pin(&self, token_label: &str, so_pin: SecretPin, new_pin: SecretPin) -> Result<TokenIdentity, crate::Error> {
        let modules = self.config.modules.clone();
        self.with_agent(|a| a.unblock_pin(modules, Some(token_label.to_owned()), so_pin, new_pin, LOGIN_TIMEOUT))
    }

    /// The recovery request for `token_label` (its unblock code is locked), written
    /// into the data folder's `documents/` from the editable template.
    pub fn write_recovery_request(&self, token_label: &str) -> Result<RecoveryWritten, crate::Error> {
        let (id, certs) = self.token_identity(token_label)?;
        let dir = self.config.data_dir.join("documents");
        let RecordFiles { pdf, txt } = write_recovery_request(&RecoveryRequest::default(), &id, &certs, &dir)?;
        let text = std::fs::read_to_string(&txt)
            .map_err(|source| crate::Error::from(crate::error::OutputError::ReadInput { path: txt.clone(), source }))?;
        Ok(RecoveryWritten { pdf, txt, text, token_serial: id.serial })
    }

    /// Write the certificate the user picked (`file`: a handle of kind
    /// [`super::GrantKind::Certificate`]) next to its key on `token_label`.
    pub fn import_certificate(
        &self,
        token_label: &str,
        file: PathBuf,
        remove_old: bool,
        pin: SecretPin,
    ) -> Result<ImportReport, crate::Error> {
        let req = ImportCert {
            modules: self.config.modules.clone(),
            token_label: Some(token_label.to_owned()),
            file,
            trust: self.config.trust.clone(),
            remove_old,
        };
        let report = self.with_agent(|a| a.import_cert(req, pin, LOGIN_TIMEOUT))?;
        // The inventory changed: the next list pairs the new certificate.
        self.tokens_seen.lock().unwrap_or_else(|p| p.into_inner()).clear();
        Ok(report)
    }

    /// Make the handover record of `req.token_label` and put it in the queue (role
    /// `sign`: both people sign it with their own certificates).
    pub fn create_handover(&self, req: &HandoverRequest) -> Result<HandoverMade, crate::Error> {
        let from = person("from", &req.from)?;
        let to = person("to", &req.to)?;
        let witness = match req.witness.as_deref().map(str::trim).filter(|w| !w.is_empty()) {
            Some(w) => Some(person("witness", w)?),
            None => None,
        };
        let iso = time::macros::format_description!("[year]-[month]-[day]");
        let date = match req.date.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            Some(d) => time::Date::parse(d, &iso)
                .map_err(|_| crate::error::UsageError::InvalidArgument { option: "date".into(), value: d.into() })?,
            None => crate::time::now_vietnam().date(),
        };
        let (id, certs) = self.token_identity(&req.token_label)?;
        let h = Handover { from: from.clone(), to: to.clone(), witness: witness.clone(), date: Some(date), ..Handover::default() };
        let files = write_handover(&h, &id, &certs, &self.config.data_dir.join("documents"), None)?;
        let day = date.to_string();
        let (document, handover) = self
            .queue()
            .record_handover(
                &files.pdf,
                &NewHandover {
                    token_label: &id.label,
                    token_serial: &id.serial,
                    token_model: &id.model,
                    from_name: &from,
                    to_name: &to,
                    witness: witness.as_deref(),
                    handover_date: &day,
                },
            )
            .map_err(crate::Error::from)?;
        Ok(HandoverMade { document, handover })
    }

    /// The handovers recorded in `year` (every year when `None`).
    pub fn handovers(&self, year: Option<i32>) -> Result<Vec<HandoverEntry>, crate::Error> {
        Ok(self.queue().handovers(year)?)
    }
}
