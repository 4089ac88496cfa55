//! The recovery request (đề nghị khôi phục thiết bị): written by `kyso token
//! unblock` when the token's unblock code (PUK/SO PIN) is locked too, for the
//! office to send to the provincial Department of Science and Technology (or the
//! certification authority that issued the token).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{cert_lines, render, template_text, vn_date, write_pair, RecordFiles};
use crate::token::{CertificateInfo, TokenIdentity};

/// What the request says besides the token itself.
#[derive(Clone, Debug, Default)]
pub struct RecoveryRequest {
    /// The agency (default: the certificate's organisation).
    pub agency: Option<String>,
    /// The token's holder (default: the certificate's holder).
    pub holder: Option<String>,
    /// Why the token is locked (default: a standard sentence).
    pub reason: Option<String>,
    /// Where the request is made (the place on the date line).
    pub place: Option<String>,
    /// Addressee (default: the provincial Department of Science and Technology).
    pub recipient: Option<String>,
    /// The date (default: today, Vietnam time).
    pub date: Option<time::Date>,
    /// A template file instead of `recovery-request`.
    pub template: Option<PathBuf>,
}

/// Write the request for `token` (with its signing certificates `certs`, the first
/// one described) into `dir` as `de-nghi-khoi-phuc-<serial>.pdf` and `.txt`.
pub fn write_recovery_request(
    req: &RecoveryRequest,
    token: &TokenIdentity,
    certs: &[CertificateInfo],
    dir: &Path,
) -> Result<RecordFiles, crate::Error> {
    let cert = certs.first();
    let line = cert_lines(certs).into_iter().next().unwrap_or_default();
    let date = req.date.unwrap_or_else(|| crate::time::now_vietnam().date());
    let unknown = "……………………".to_owned();
    let mut v: BTreeMap<&str, String> = BTreeMap::new();
    v.insert("agency", req.agency.clone().or_else(|| cert.and_then(|c| c.organization.clone())).unwrap_or_else(|| unknown.clone()));
    v.insert("holder", req.holder.clone().unwrap_or_else(|| if line.holder.is_empty() { unknown.clone() } else { line.holder.clone() }));
    v.insert(
        "reason",
        req.reason.clone().unwrap_or_else(|| "Nhập sai mã PIN và mã mở khóa (PUK/SO PIN) quá số lần cho phép; thiết bị bị khóa.".into()),
    );
    v.insert("place", req.place.clone().unwrap_or_else(|| "……………".into()));
    v.insert("recipient", req.recipient.clone().unwrap_or_else(|| "Sở Khoa học và Công nghệ".into()));
    v.insert("token_label", token.label.clone());
    v.insert("token_serial", token.serial.clone());
    v.insert("token_model", token.model.clone());
    v.insert("manufacturer", token.manufacturer.clone());
    v.insert("cert_holder", if line.holder.is_empty() { unknown.clone() } else { line.holder.clone() });
    v.insert("cert_serial", if line.serial.is_empty() { unknown.clone() } else { line.serial.clone() });
    v.insert("cert_valid_from", line.valid_from.clone());
    v.insert("cert_valid_to", line.valid_to.clone());
    v.insert("cert_issuer", line.issuer.clone());
    v.insert("date", vn_date(date));
    v.insert("day", format!("{:02}", date.day()));
    v.insert("month", format!("{:02}", u8::from(date.month())));
    v.insert("year", date.year().to_string());
    let text = template_text("recovery-request", req.template.as_deref())?;
    let rendered = render("Đề nghị khôi phục thiết bị ký số", &text, &v, &cert_lines(certs))?;
    let serial: String = token.serial.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    write_pair(&rendered, dir, &format!("de-nghi-khoi-phuc-{serial}"), None)
}
