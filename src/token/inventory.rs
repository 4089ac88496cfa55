//! Listing drivers, tokens and signing certificates without logging in
//! (`kyso tokens`).
//!
//! A driver that fails to load is reported and skipped; so is a token that cannot be
//! read. Only what the token shows without a PIN is listed: most tokens show their
//! certificates and public keys; a token that hides certificates until login shows
//! fewer here than at signing time.

use std::path::PathBuf;

use serde::Serialize;
use time::OffsetDateTime;

use super::certinfo::{is_ca, is_self_issued, CertificateInfo, KeyEvidence, OtherCertificate};
use super::drivers::{discover_modules, ModuleCandidate, ModuleOrigin};
use super::error::TokenError;
use super::module::{load_module, present_tokens, PresentToken};
use super::objects::read_objects;
use super::pin::PinStatus;
use crate::i18n::{Lang, Localize};

/// Everything found: one report per driver tried.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Inventory {
    /// The drivers tried, in order.
    pub modules: Vec<ModuleReport>,
}

/// One PKCS#11 driver and the tokens it shows.
#[derive(Debug, Serialize)]
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
    pub error: Option<TokenError>,
    /// The initialised tokens present.
    pub tokens: Vec<TokenReport>,
}

/// One token.
#[derive(Debug, Serialize)]
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
    pub error: Option<TokenError>,
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
        discover_modules(modules)
            .into_iter()
            .filter(|c| c.origin == ModuleOrigin::Explicit)
            .collect()
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
            report.error = Some(e);
            return report;
        }
    };
    report.library = ctx.get_library_info().ok().map(|i| {
        format!(
            "{} ({})",
            i.library_description().trim(),
            i.manufacturer_id().trim()
        )
    });
    match present_tokens(&ctx) {
        Ok(tokens) => {
            report.tokens = tokens.iter().map(|t| token_report(&ctx, t, now)).collect();
        }
        Err(e) => report.error = Some(e),
    }
    report
}

fn token_report(
    ctx: &cryptoki::context::Pkcs11,
    t: &PresentToken,
    now: OffsetDateTime,
) -> TokenReport {
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
    let objects = match ctx
        .open_ro_session(t.slot)
        .map_err(|e| TokenError::from_cryptoki("C_OpenSession", e))
        .and_then(|s| read_objects(&s))
    {
        Ok(o) => o,
        Err(e) => {
            report.error = Some(e);
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
            None => report.other_certificates.push(OtherCertificate::describe(
                cert,
                &c.id,
                c.label.clone(),
            )),
        }
    }
    report
        .certificates
        .sort_by(|a, b| a.id.cmp(&b.id).then(a.not_after.cmp(&b.not_after)));
    report.keys_without_certificate = objects
        .keys_without_certificate()
        .iter()
        .map(hex::encode)
        .collect();
    report.keys_without_certificate.sort();
    report
}

/// The human-readable `kyso tokens` output in `lang` (Vietnamese by default in the
/// CLI). JSON output is `serde_json` of the [`Inventory`] itself.
pub fn render_inventory_text(inv: &Inventory, lang: Lang) -> String {
    use std::fmt::Write;
    let l = |vi: &'static str, en: &'static str| lang.pick(vi, en);
    let mut out = String::new();
    if inv.modules.is_empty() {
        let _ = writeln!(out, "{}", TokenError::NoModule.localize(lang));
        return out;
    }
    for m in &inv.modules {
        let vendor = m
            .vendor
            .as_deref()
            .unwrap_or(l("không rõ nhà cung cấp", "unknown vendor"));
        let _ = writeln!(
            out,
            "{} {} ({vendor})",
            l("Trình điều khiển:", "Driver:"),
            m.path.display()
        );
        if let Some(e) = &m.error {
            let _ = writeln!(out, "  ! {}", e.localize(lang));
            continue;
        }
        if m.tokens.is_empty() {
            let _ = writeln!(
                out,
                "  {}",
                l("(không có thiết bị nào được cắm)", "(no token present)")
            );
        }
        for t in &m.tokens {
            render_token(&mut out, t, lang);
        }
    }
    if inv.modules.iter().all(|m| m.error.is_some()) {
        let _ = writeln!(out, "{}", l(
            "Không nạp được trình điều khiển nào; hãy cài lại phần mềm của nhà cung cấp hoặc dùng --module.",
            "No driver could be loaded; reinstall the vendor software or use --module.",
        ));
    } else if inv.tokens().next().is_none() {
        let _ = writeln!(out, "{}", TokenError::NoToken.localize(lang));
    }
    out
}

fn render_token(out: &mut String, t: &TokenReport, lang: Lang) {
    use std::fmt::Write;
    let l = |vi: &'static str, en: &'static str| lang.pick(vi, en);
    let _ = writeln!(
        out,
        "  {} \"{}\" — {} {}, {} {}",
        l("Thiết bị", "Token"),
        t.label,
        t.manufacturer,
        t.model,
        l("số sê-ri", "serial"),
        t.serial
    );
    let pin = match (t.pin.initialized, t.pin.tries) {
        (false, _) => l("chưa đặt mã PIN", "no user PIN set"),
        (_, super::error::PinTries::Locked) => l(
            "ĐÃ BỊ KHÓA — dùng mã mở khóa (PUK) hoặc liên hệ tổ chức cung cấp chứng thư số",
            "LOCKED — use the recovery code (PUK) or contact the certification authority",
        ),
        (_, super::error::PinTries::FinalTry) => l(
            "còn 1 lần thử — nhập sai nữa thiết bị sẽ bị khóa",
            "final try — one more wrong PIN locks the token",
        ),
        (_, super::error::PinTries::Low) => l(
            "đã có lần nhập sai, còn ít lần thử",
            "a wrong PIN was entered, few tries left",
        ),
        (_, super::error::PinTries::Unknown) => l("bình thường", "normal"),
    };
    let pad = if t.pin.protected_authentication_path {
        l(" (nhập PIN trên thiết bị)", " (PIN entered on the device)")
    } else {
        ""
    };
    let _ = writeln!(out, "    {} {pin}{pad}", l("Mã PIN:", "PIN:"));
    if let Some(e) = &t.error {
        let _ = writeln!(out, "    ! {}", e.localize(lang));
    }
    if t.certificates.is_empty() && t.error.is_none() {
        let _ = writeln!(
            out,
            "    {}",
            l(
                "Không thấy chứng thư ký số (có thể cần đăng nhập để xem).",
                "No signing certificate visible (the token may show them only after login).",
            )
        );
    }
    for c in &t.certificates {
        let name = c.common_name.as_deref().unwrap_or(&c.subject);
        let _ = writeln!(out, "    [{}] {} — {}", c.id, name, c.role.label(lang));
        let _ = writeln!(out, "         {} {}", l("Chủ thể:", "Subject:"), c.subject);
        let _ = writeln!(out, "         {} {}", l("Cấp bởi:", "Issuer: "), c.issuer);
        let state = if !c.currently_valid && c.days_to_expiry < 0 {
            l("ĐÃ HẾT HẠN", "EXPIRED").to_owned()
        } else if !c.currently_valid {
            l("chưa có hiệu lực", "not yet valid").to_owned()
        } else if c.expiring_soon {
            match lang {
                Lang::Vi => format!("SẮP HẾT HẠN: còn {} ngày — hãy gia hạn", c.days_to_expiry),
                Lang::En => format!("EXPIRES SOON: {} days left — renew it", c.days_to_expiry),
            }
        } else {
            match lang {
                Lang::Vi => format!("còn {} ngày", c.days_to_expiry),
                Lang::En => format!("{} days left", c.days_to_expiry),
            }
        };
        let _ = writeln!(
            out,
            "         {} {} → {} ({state})",
            l("Hiệu lực:", "Valid:  "),
            c.not_before,
            c.not_after
        );
        let _ = writeln!(
            out,
            "         {} {}, {} \"{}\"{}, {} {}",
            l("Khóa:", "Key:    "),
            c.key_kind,
            l("nhãn chứng thư", "certificate label"),
            c.cert_label,
            c.key_label
                .as_ref()
                .map(|k| format!(", {} \"{k}\"", l("nhãn khóa", "key label")))
                .unwrap_or_default(),
            l("số sê-ri", "serial"),
            c.serial
        );
    }
    if !t.keys_without_certificate.is_empty() {
        let _ = writeln!(
            out,
            "    {} {}",
            l(
                "Khóa chưa có chứng thư (không ký được):",
                "Keys without a certificate (cannot sign):"
            ),
            t.keys_without_certificate.join(", ")
        );
    }
    for c in &t.other_certificates {
        let _ = writeln!(
            out,
            "    {} {}",
            if c.ca {
                l("Chứng thư CA:", "CA certificate:")
            } else {
                l("Chứng thư khác:", "Other certificate:")
            },
            c.subject
        );
    }
    if t.unreadable_certificates > 0 {
        let _ = writeln!(
            out,
            "    {} {}",
            l(
                "Đối tượng chứng thư không đọc được:",
                "Unreadable certificate objects:"
            ),
            t.unreadable_certificates
        );
    }
}
