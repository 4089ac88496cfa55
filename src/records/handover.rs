//! The handover record of a token (biên bản bàn giao thiết bị): who hands the
//! agency's token to whom, on which date, before which witness, with the token's
//! serial, model and certificates. The PDF carries two signature blocks (BÊN GIAO,
//! BÊN NHẬN) with each person's name under the blank, so each signs it with their
//! own personal certificate (`kyso sign`, the *Ký* screen) — the name check finds
//! their block.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{cert_lines, render, template_text, vn_date, write_pair, RecordFiles};
use crate::token::{CertificateInfo, TokenIdentity};

/// What the record says.
#[derive(Clone, Debug, Default)]
pub struct Handover {
    /// Who hands the token over.
    pub from: String,
    /// Who receives it.
    pub to: String,
    /// The witness (may be empty: a blank line to fill in).
    pub witness: Option<String>,
    /// The agency (default: the first certificate's organisation).
    pub agency: Option<String>,
    /// The place on the date line.
    pub place: Option<String>,
    /// The handover date.
    pub date: Option<time::Date>,
    /// A template file instead of `handover`.
    pub template: Option<PathBuf>,
}

/// The file stem of a record: `bien-ban-ban-giao-<serial>-<yyyy-mm-dd>`.
pub fn stem(token: &TokenIdentity, date: time::Date) -> String {
    let serial: String = token.serial.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    format!("bien-ban-ban-giao-{serial}-{date}")
}

/// Write the record for `token` into `dir` (or exactly at `pdf_path`, the text beside it).
pub fn write_handover(
    h: &Handover,
    token: &TokenIdentity,
    certs: &[CertificateInfo],
    dir: &Path,
    pdf_path: Option<&Path>,
) -> Result<RecordFiles, crate::Error> {
    let date = h.date.unwrap_or_else(|| crate::time::now_vietnam().date());
    let mut v: BTreeMap<&str, String> = BTreeMap::new();
    v.insert(
        "agency",
        h.agency.clone().or_else(|| certs.first().and_then(|c| c.organization.clone())).unwrap_or_else(|| "……………………".into()),
    );
    v.insert("from", h.from.trim().to_owned());
    v.insert("to", h.to.trim().to_owned());
    v.insert("witness", h.witness.clone().map(|w| w.trim().to_owned()).filter(|w| !w.is_empty()).unwrap_or_else(|| "……………………".into()));
    v.insert("place", h.place.clone().unwrap_or_else(|| "……………".into()));
    v.insert("token_label", token.label.clone());
    v.insert("token_serial", token.serial.clone());
    v.insert("token_model", token.model.clone());
    v.insert("manufacturer", token.manufacturer.clone());
    v.insert("date", vn_date(date));
    v.insert("day", format!("{:02}", date.day()));
    v.insert("month", format!("{:02}", u8::from(date.month())));
    v.insert("year", date.year().to_string());
    let text = template_text("handover", h.template.as_deref())?;
    let rendered = render("Biên bản bàn giao thiết bị ký số", &text, &v, &cert_lines(certs))?;
    write_pair(&rendered, dir, &stem(token, date), pdf_path)
}
