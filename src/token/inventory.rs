//! Listing drivers, tokens and signing certificates without logging in
//! (`kyso tokens`).
//!
//! A driver that fails to load is reported and skipped; so is a token that cannot be
//! read. Only what the token shows without a PIN is listed: most tokens show their
//! certificates and public keys; a token that hides certificates until login shows
//! fewer here than at signing time.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::certinfo::{is_ca, is_self_issued, CertificateInfo, KeyEvidence, OtherCertificate};
use super::drivers::{discover_modules, ModuleCandidate, ModuleOrigin};
use super::error::{ReportedError, TokenError};
use super::module::{load_module, present_tokens, PresentToken};
use super::objects::read_objects;
use super::pin::PinStatus;

/// Everything found: one report per driver tried.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Inventory {
    /// The drivers tried, in order.
    pub modules: Vec<ModuleReport>,
}

/// One PKCS#11 driver and the tokens it shows.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModuleReport {
    /// The module file.
    pub path: PathBuf,
    /// The vendor, when known from the driver list.
    pub vendor: Option<String>,
    /// Named by the user or found.
    pub origin: ModuleOrigin,
    /// A test driver (SoftHSM2).
    pub test_driver: bool,
    /// `C_GetInfo`: library description and manufacturer, when available.
    pub library: Option<String>,
    /// Why the driver could not be used (then `tokens` is empty).
    pub error: Option<ReportedError>,
    /// The initialised tokens present.
    pub tokens: Vec<TokenReport>,
}

/// One token.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenReport {
    /// The PKCS#11 slot id (changes between runs: select tokens by label or serial).
    pub slot_id: u64,
    /// Token label (`--token`).
    pub label: String,
    /// Token manufacturer.
    pub manufacturer: String,
    /// Token model.
    pub model: String,
    /// Token serial number.
    pub serial: String,
    /// PIN state from the token flags.
    pub pin: PinStatus,
    /// Signing certificates: certificates paired with a key by `CKA_ID`.
    pub certificates: Vec<CertificateInfo>,
    /// `CKA_ID`s (hex) of keys that no certificate shares.
    pub keys_without_certificate: Vec<String>,
    /// Certificates without a key (CA certificates, usable as the signer's chain).
    pub other_certificates: Vec<OtherCertificate>,
    /// Certificate objects whose value is not a readable X.509 certificate.
    pub unreadable_certificates: usize,
    /// Why the token's objects could not be listed, if they could not.
    pub error: Option<ReportedError>,
}

impl Inventory {
    /// All tokens of all drivers.
    pub fn tokens(&self) -> impl Iterator<Item = &TokenReport> {
        self.modules.iter().flat_map(|m| m.tokens.iter())
    }

    /// [`TokenError::NoModule`] when no driver was found, [`TokenError::NoToken`]
    /// when drivers were found but no token is present; `None` otherwise.
    pub fn problem(&self) -> Option<TokenError> {
        if self.modules.is_empty() {
            Some(TokenError::NoModule)
        } else if self.tokens().next().is_none() {
            Some(TokenError::NoToken)
        } else {
            None
        }
    }
}

/// List the tokens of `modules`; with no modules given, of every known driver found
/// on this computer ([`discover_modules`]). Never fails: problems are in the reports.
pub fn list_tokens(modules: &[PathBuf]) -> Inventory {
    let candidates = if modules.is_empty() {
        discover_modules(&[])
    } else {
        discover_modules(modules).into_iter().filter(|c| c.origin == ModuleOrigin::Explicit).collect()
    };
    list_candidates(&candidates)
}

/// List the tokens of the given candidates, in order.
pub fn list_candidates(candidates: &[ModuleCandidate]) -> Inventory {
    let now = OffsetDateTime::now_utc();
    let modules = candidates.iter().map(|c| module_report(c, now)).collect();
    Inventory { modules }
}

fn module_report(c: &ModuleCandidate, now: OffsetDateTime) -> ModuleReport {
    let mut report = ModuleReport {
        path: c.path.clone(),
        vendor: c.vendor.clone(),
        origin: c.origin,
        test_driver: c.test_driver,
        library: None,
        error: None,
        tokens: Vec::new(),
    };
    let ctx = match load_module(&c.path) {
        Ok(ctx) => ctx,
        Err(e) => {
            report.error = Some(e.into());
            return report;
        }
    };
    report.library = ctx.get_library_info().ok().map(|i| format!("{} ({})", i.library_description().trim(), i.manufacturer_id().trim()));
    match present_tokens(&ctx) {
        Ok(tokens) => {
            report.tokens = tokens.iter().map(|t| token_report(&ctx, t, now)).collect();
        }
        Err(e) => report.error = Some(e.into()),
    }
    report
}

fn token_report(ctx: &cryptoki::context::Pkcs11, t: &PresentToken, now: OffsetDateTime) -> TokenReport {
    let mut report = TokenReport {
        slot_id: t.slot.id(),
        label: t.info.label().trim().to_owned(),
        manufacturer: t.info.manufacturer_id().trim().to_owned(),
        model: t.info.model().trim().to_owned(),
        serial: t.info.serial_number().trim().to_owned(),
        pin: PinStatus::from_token_info(&t.info),
        certificates: Vec::new(),
        keys_without_certificate: Vec::new(),
        other_certificates: Vec::new(),
        unreadable_certificates: 0,
        error: None,
    };
    let objects =
        match ctx.open_ro_session(t.slot).map_err(|e| TokenError::from_cryptoki("C_OpenSession", e)).and_then(|s| read_objects(&s)) {
            Ok(o) => o,
            Err(e) => {
                report.error = Some(e.into());
                return report;
            }
        };
    let keys_hidden = objects.private_keys.is_empty();
    for c in &objects.certs {
        let Some(cert) = &c.cert else {
            report.unreadable_certificates += 1;
            continue;
        };
        let private = objects.private_key(&c.id);
        let public = objects.public_key(&c.id);
        let evidence = if private.is_some() {
            Some(KeyEvidence::PrivateKey)
        } else if public.is_some() {
            Some(KeyEvidence::PublicKey)
        } else if keys_hidden && !c.id.is_empty() && !is_ca(cert) && !is_self_issued(cert) {
            Some(KeyEvidence::NotVisible)
        } else {
            None
        };
        match evidence {
            Some(ev) => report.certificates.push(CertificateInfo::describe(
                cert,
                &c.der,
                &c.id,
                c.label.clone(),
                private.or(public).map(|k| k.label.clone()),
                ev,
                now,
            )),
            None => report.other_certificates.push(OtherCertificate::describe(cert, &c.id, c.label.clone())),
        }
    }
    // The newest certificate of a key first: the one signing uses (a renewal
    // written beside the old one, `kyso token import-cert`).
    report.certificates.sort_by(|a, b| a.id.cmp(&b.id).then(b.currently_valid.cmp(&a.currently_valid)).then(b.not_after.cmp(&a.not_after)));
    report.keys_without_certificate = objects.keys_without_certificate().iter().map(hex::encode).collect();
    report.keys_without_certificate.sort();
    report
}
