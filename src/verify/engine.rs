//! The verifier: one report per document, one per signature, in signing order.
//!
//! For each signature: coverage of `/ByteRange` against the file's revisions,
//! the CMS (digest, signature value, signing certificate), the certificate path to
//! a trust anchor at the signing time, revocation, and what changed after it
//! (difference analysis). The document is valid only when every signature is and
//! nothing disallowed happened after any of them.

use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::Digest;

use super::chain::{build_path, PathReport, PathStatus};
use super::cms_check::{self, CmsProblem, CmsReport};
use super::coverage::{self, Coverage, CoverageReport};
use super::diff::{self, DiffReport};
use super::dss;
use super::fields::{find_signature_fields, SignatureField};
use super::revocation::{self, RevocationCache, RevocationReport, RevocationSources, RevocationStatus, RevocationSummary};
use super::verdict::{Indication, SubIndication};
use crate::i18n::{Lang, Localize};
use crate::pdf::PdfFile;
use crate::trust::{AnchorInfo, TrustStore};

/// Version of the JSON report schema (`docs/verify-json.md`).
pub const SCHEMA_VERSION: u32 = 1;

/// How to verify.
pub struct VerifyOptions {
    /// Trust anchors.
    pub trust: TrustStore,
    /// CRL files from `--crl`.
    pub crl_files: Vec<PathBuf>,
    /// Do not contact CRL distribution points or OCSP responders.
    pub offline: bool,
    /// Revocation answers cache.
    pub cache: RevocationCache,
    /// Compute the file's SHA-256 (for notices and the archive).
    pub file_digest: bool,
}

impl VerifyOptions {
    /// Bundled and user trust anchors plus `extra`, online revocation, disk cache.
    pub fn new(extra_trust: &[PathBuf]) -> (Self, Vec<String>) {
        let (trust, warnings) = TrustStore::load(extra_trust);
        (VerifyOptions { trust, crl_files: Vec::new(), offline: false, cache: RevocationCache::new(), file_digest: false }, warnings)
    }
}

/// The signer as reported.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignerInfoReport {
    /// Subject (`CN=…, O=…`).
    pub subject: Option<String>,
    /// Common name.
    pub common_name: Option<String>,
    /// Issuer.
    pub issuer: Option<String>,
    /// Serial number, hex.
    pub serial: Option<String>,
}

/// Everything found about one signature.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignatureReport {
    /// 1-based position in signing order.
    pub index: usize,
    /// Field name.
    pub field: String,
    /// `/SubFilter`.
    pub sub_filter: Option<String>,
    /// Signer.
    pub signer: SignerInfoReport,
    /// Claimed signing time (`/M`) as written.
    pub claimed_time: Option<String>,
    /// Claimed signing time in Vietnam time, ISO 8601 (R18).
    pub signing_time: Option<String>,
    /// `/Reason`, `/Location`.
    pub reason: Option<String>,
    /// `/Location`.
    pub location: Option<String>,
    /// Time-stamp time, if time-stamped.
    pub timestamp: Option<String>,
    /// `/ByteRange` analysis.
    pub coverage: CoverageReport,
    /// CMS checks.
    pub cms: CmsReport,
    /// Certificate path.
    pub chain: Option<PathReport>,
    /// Revocation.
    pub revocation: Option<RevocationReport>,
    /// What changed after this signature.
    pub modifications: Option<DiffReport>,
    /// Whether the changes after it are allowed.
    pub modifications_allowed: bool,
    /// Trust anchor matched.
    pub trust_anchor: Option<AnchorInfo>,
    /// The signer's certificate, when found (not serialised; see `signer`).
    #[serde(skip)]
    pub signer_certificate: Option<x509_cert::Certificate>,
    /// The verdict.
    pub indication: Indication,
    /// Why, when not TOTAL_PASSED.
    pub sub_indication: Option<SubIndication>,
    /// Plain Vietnamese sentence.
    pub message_vi: String,
    /// Plain English sentence.
    pub message_en: String,
}

/// The verdict on a whole file.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentReport {
    /// Schema version.
    pub schema_version: u32,
    /// The file checked.
    pub file: PathBuf,
    /// SHA-256 of the file, when asked for.
    pub sha256: Option<String>,
    /// File size.
    pub size: Option<u64>,
    /// When the check ran (ISO 8601, Vietnam time).
    pub checked_at: String,
    /// Document verdict.
    pub indication: Indication,
    /// Why, when not TOTAL_PASSED.
    pub sub_indication: Option<SubIndication>,
    /// Plain Vietnamese sentence.
    pub message_vi: String,
    /// Plain English sentence.
    pub message_en: String,
    /// Signature fields present but not signed.
    pub empty_signature_fields: usize,
    /// DocMDP permission of a certification signature, if any.
    pub docmdp: Option<u8>,
    /// Per signature, in signing order.
    pub signatures: Vec<SignatureReport>,
}

impl DocumentReport {
    /// The verdict's short label.
    pub fn label(&self, lang: Lang) -> &'static str {
        self.indication.label(lang)
    }
}

/// Verify every signature in `path`. Never fails: an unreadable or malformed file
/// is a TOTAL_FAILED / FORMAT_FAILURE report saying why.
pub fn verify_file(path: &Path, opts: &VerifyOptions) -> DocumentReport {
    let mut doc = DocumentReport {
        schema_version: SCHEMA_VERSION,
        file: path.to_owned(),
        sha256: None,
        size: std::fs::metadata(path).ok().map(|m| m.len()),
        checked_at: crate::time::iso8601(crate::time::now_vietnam()),
        indication: Indication::TotalFailed,
        sub_indication: Some(SubIndication::FormatFailure),
        message_vi: String::new(),
        message_en: String::new(),
        empty_signature_fields: 0,
        docmdp: None,
        signatures: Vec::new(),
    };
    if opts.file_digest {
        doc.sha256 = file_sha256(path);
    }
    let pdf = match PdfFile::open_for_verification(path) {
        Ok(p) => p,
        Err(e) => {
            doc.message_vi = format!("{} ({})", SubIndication::FormatFailure.sentence(Lang::Vi), e.localize(Lang::Vi));
            doc.message_en = format!("{} ({})", SubIndication::FormatFailure.sentence(Lang::En), e.localize(Lang::En));
            return doc;
        }
    };
    let (fields, empty) = match find_signature_fields(&pdf) {
        Ok(f) => f,
        Err(e) => {
            doc.message_vi = format!("{} ({})", SubIndication::FormatFailure.sentence(Lang::Vi), e.localize(Lang::Vi));
            doc.message_en = format!("{} ({})", SubIndication::FormatFailure.sentence(Lang::En), e.localize(Lang::En));
            return doc;
        }
    };
    doc.empty_signature_fields = empty;
    if fields.is_empty() {
        doc.sub_indication = Some(SubIndication::NotSigned);
        doc.message_vi = SubIndication::NotSigned.sentence(Lang::Vi).into();
        doc.message_en = SubIndication::NotSigned.sentence(Lang::En).into();
        return doc;
    }
    let certification = dss::certification(&pdf).ok().flatten();
    doc.docmdp = certification.map(|(_, p)| p);
    let dss = dss::read_dss(&pdf).unwrap_or_default();

    let mut reports: Vec<SignatureReport> = fields.iter().map(|f| check_signature(&pdf, path, f, opts, &dss, doc.docmdp)).collect();
    // A file whose cross-reference data is inconsistent is never valid: what a
    // viewer shows may not be what was signed (shadow and xref attacks).
    if let Some(problem) = pdf.xref_problems().first() {
        for r in reports.iter_mut().filter(|r| r.indication != Indication::TotalFailed) {
            r.indication = Indication::TotalFailed;
            r.sub_indication = Some(SubIndication::FormatFailure);
            r.message_vi = format!("{} (bảng tham chiếu xref không nhất quán: {problem})", SubIndication::FormatFailure.sentence(Lang::Vi));
            r.message_en = format!("{} (inconsistent cross-reference table: {problem})", SubIndication::FormatFailure.sentence(Lang::En));
        }
    }
    // Bytes after the end of the newest revision that are not white space:
    // objects appended without a cross-reference section (the incremental-saving
    // attack's variants without xref or trailer), which a repairing viewer may
    // show although no revision, and so no difference analysis, includes them.
    if let Some(tail) = trailing_data(&pdf) {
        for r in reports.iter_mut().filter(|r| r.indication != Indication::TotalFailed) {
            r.indication = Indication::TotalFailed;
            r.sub_indication = Some(SubIndication::FormatFailure);
            r.message_vi = format!(
                "{} ({tail} byte sau dấu kết thúc %%EOF cuối cùng không thuộc bản sửa đổi nào của tệp)",
                SubIndication::FormatFailure.sentence(Lang::Vi)
            );
            r.message_en = format!(
                "{} ({tail} bytes after the last %%EOF belong to no revision of the file)",
                SubIndication::FormatFailure.sentence(Lang::En)
            );
        }
    }
    // Signing order: by the revision each signature closes; unusable ones last.
    reports.sort_by_key(|r| r.coverage.revision.unwrap_or(usize::MAX));
    for (i, r) in reports.iter_mut().enumerate() {
        r.index = i + 1;
    }
    let worst = reports.iter().map(|r| r.indication).max().unwrap_or(Indication::TotalFailed);
    doc.indication = worst;
    doc.sub_indication = reports.iter().find(|r| r.indication == worst).and_then(|r| r.sub_indication);
    let (vi, en) = document_sentence(&reports, worst);
    doc.message_vi = vi;
    doc.message_en = en;
    doc.signatures = reports;
    doc
}

/// How many bytes follow the end of the newest revision, when they are more than
/// white space (or NUL padding).
fn trailing_data(pdf: &PdfFile) -> Option<u64> {
    const PEEK: u64 = 64 * 1024;
    let newest = pdf.revision_count().checked_sub(1)?;
    let end = pdf.revision_end(newest).ok()??;
    let tail = pdf.len().checked_sub(end).filter(|&t| t > 0)?;
    let bytes = pdf.read_range(end, tail.min(PEEK) as usize).ok()?;
    let blank = bytes.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | 0));
    (!blank || tail > PEEK).then_some(tail)
}

fn file_sha256(path: &Path) -> Option<String> {
    use std::io::Read;
    let mut f = std::fs::File::open(path).ok()?;
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Some(hex::encode(h.finalize()))
}

fn document_sentence(reports: &[SignatureReport], worst: Indication) -> (String, String) {
    match worst {
        Indication::TotalPassed => (
            format!("Hợp lệ: {} chữ ký số đều hợp lệ và văn bản không bị sửa đổi sau khi ký.", reports.len()),
            format!("Valid: all {} signatures are valid and the document was not modified after signing.", reports.len()),
        ),
        _ => {
            let bad: Vec<&SignatureReport> = reports.iter().filter(|r| r.indication == worst).collect();
            let vi = bad.iter().map(|r| format!("chữ ký {} ({}): {}", r.index, r.field, r.message_vi)).collect::<Vec<_>>().join("; ");
            let en = bad.iter().map(|r| format!("signature {} ({}): {}", r.index, r.field, r.message_en)).collect::<Vec<_>>().join("; ");
            (format!("{}: {}", worst.label(Lang::Vi), vi), format!("{}: {}", worst.label(Lang::En), en))
        }
    }
}

fn check_signature(
    pdf: &PdfFile,
    path: &Path,
    f: &SignatureField,
    opts: &VerifyOptions,
    dss: &dss::Dss,
    docmdp: Option<u8>,
) -> SignatureReport {
    let mut r = SignatureReport {
        index: 0,
        field: f.name.clone(),
        sub_filter: f.sub_filter.clone(),
        signer: SignerInfoReport::default(),
        claimed_time: f.claimed_time.clone(),
        signing_time: f.claimed_time.as_deref().and_then(parse_pdf_date).map(crate::time::iso8601),
        reason: f.reason.clone(),
        location: f.location.clone(),
        timestamp: None,
        coverage: CoverageReport { coverage: Coverage::None, revision: None, contents: Vec::new(), problem: None },
        cms: CmsReport::default(),
        chain: None,
        revocation: None,
        modifications: None,
        modifications_allowed: false,
        trust_anchor: None,
        signer_certificate: None,
        indication: Indication::TotalFailed,
        sub_indication: Some(SubIndication::FormatFailure),
        message_vi: String::new(),
        message_en: String::new(),
    };
    let fail = |r: &mut SignatureReport, sub: SubIndication, detail: Option<String>| {
        r.indication = Indication::TotalFailed;
        r.sub_indication = Some(sub);
        let d = detail.map(|d| format!(" ({d})")).unwrap_or_default();
        r.message_vi = format!("{}{}", sub.sentence(Lang::Vi), d);
        r.message_en = format!("{}{}", sub.sentence(Lang::En), d);
    };

    // 1. The byte range, against the file's own structure.
    let Some(sig_ref) = f.sig_ref else {
        fail(&mut r, SubIndication::FormatFailure, Some("the signature dictionary is not an indirect object".into()));
        return r;
    };
    r.coverage = match coverage::check(pdf, sig_ref, &f.byte_range_obj) {
        Ok(c) => c,
        Err(e) => {
            fail(&mut r, SubIndication::FormatFailure, Some(e.to_string()));
            return r;
        }
    };
    if matches!(r.coverage.coverage, Coverage::None | Coverage::Partial) {
        let why = r.coverage.problem.clone();
        fail(&mut r, SubIndication::FormatFailure, why);
        return r;
    }
    let (b, c, d) = match f.byte_range.as_slice() {
        [_, b, c, d] => (*b as u64, *c as u64, *d as u64),
        _ => {
            fail(&mut r, SubIndication::FormatFailure, None);
            return r;
        }
    };
    // 2. The CMS.
    r.cms = cms_check::check(path, &r.coverage.contents, &[(0, b), (c, d)]);
    r.timestamp = r.cms.timestamp.clone();
    r.signer_certificate = r.cms.signer.clone();
    if let Some(cert) = &r.cms.signer {
        r.signer = SignerInfoReport {
            subject: Some(crate::cms::names::display(&cert.tbs_certificate.subject)),
            common_name: crate::cms::names::attribute(&cert.tbs_certificate.subject, const_oid::db::rfc4519::CN),
            issuer: Some(crate::cms::names::display(&cert.tbs_certificate.issuer)),
            serial: Some(hex::encode_upper(cert.tbs_certificate.serial_number.as_bytes())),
        };
    }
    match &r.cms.problem {
        Some(CmsProblem::Format(why)) => {
            let why = why.clone();
            fail(&mut r, SubIndication::FormatFailure, Some(why));
            return r;
        }
        Some(CmsProblem::NoSigningCertificate) => {
            fail(&mut r, SubIndication::NoSigningCertificateFound, None);
            r.indication = Indication::Indeterminate;
            return r;
        }
        Some(CmsProblem::Hash) => {
            fail(&mut r, SubIndication::HashFailure, None);
            return r;
        }
        Some(CmsProblem::Crypto(why)) => {
            let why = why.clone();
            fail(&mut r, SubIndication::SigCryptoFailure, Some(why));
            return r;
        }
        Some(CmsProblem::Unsupported(why)) => {
            let why = why.clone();
            fail(&mut r, SubIndication::FormatFailure, Some(why));
            return r;
        }
        Some(CmsProblem::SigningCertificateMismatch) => {
            fail(&mut r, SubIndication::SigConstraintsFailure, None);
            return r;
        }
        None => {}
    }
    // 3. What changed after it.
    let revision = r.coverage.revision.unwrap_or(0);
    match diff::analyse(pdf, revision, docmdp) {
        Ok(report) => {
            r.modifications_allowed = report.allowed(docmdp);
            let disallowed: Vec<String> = report.disallowed(docmdp).take(5).map(|c| format!("{} {}", c.what, c.description)).collect();
            r.modifications = Some(report);
            if !r.modifications_allowed {
                fail(&mut r, SubIndication::PostSigningModification, Some(disallowed.join("; ")));
                return r;
            }
        }
        Err(e) => {
            fail(&mut r, SubIndication::FormatFailure, Some(format!("revision comparison failed: {e}")));
            return r;
        }
    }
    // 4. Trust: path at the signing time, then revocation.
    let Some(cert) = r.cms.signer.clone() else { return r };
    let at = signing_time(f, &r.cms).unwrap_or_else(crate::time::now_vietnam);
    let mut pool = r.cms.certificates.clone();
    pool.extend(dss.certs.iter().cloned());
    let path_report = build_path(&cert, &pool, &opts.trust, at);
    r.trust_anchor = path_report.anchor.clone();
    let status = path_report.status.clone();
    let certs = path_report.certificates.clone();
    r.chain = Some(path_report);
    let indeterminate = |r: &mut SignatureReport, sub: SubIndication, detail: Option<String>| {
        r.indication = Indication::Indeterminate;
        r.sub_indication = Some(sub);
        let d = detail.map(|d| format!(" ({d})")).unwrap_or_default();
        r.message_vi = format!("{}{}", sub.sentence(Lang::Vi), d);
        r.message_en = format!("{}{}", sub.sentence(Lang::En), d);
    };
    match status {
        PathStatus::Trusted => {}
        PathStatus::NoChainFound { .. } => {
            indeterminate(&mut r, SubIndication::NoCertificateChainFound, None);
            return r;
        }
        PathStatus::Expired { which, not_after } => {
            indeterminate(&mut r, SubIndication::Expired, Some(format!("{which}: {not_after}")));
            return r;
        }
        PathStatus::NotYetValid { which, not_before } => {
            indeterminate(&mut r, SubIndication::NotYetValid, Some(format!("{which}: {not_before}")));
            return r;
        }
        PathStatus::BadSignature { which } => {
            fail(&mut r, SubIndication::NoCertificateChainFound, Some(format!("{which}: bad certificate signature")));
            return r;
        }
        other => {
            let detail = serde_json::to_string(&other).unwrap_or_default();
            indeterminate(&mut r, SubIndication::NoCertificateChainFound, Some(detail));
            return r;
        }
    }
    if let Some(w) = r.cms.weak_algorithm.clone() {
        indeterminate(&mut r, SubIndication::CryptoConstraintsFailureNoPoe, Some(w));
        return r;
    }
    let mut sources = RevocationSources {
        crls: r.cms.crls.clone(),
        ocsps: r.cms.ocsps.clone(),
        crl_files: opts.crl_files.clone(),
        online: !opts.offline,
    };
    sources.crls.extend(dss.crls.iter().cloned());
    sources.ocsps.extend(dss.ocsps.iter().cloned());
    let rev = revocation::check(&certs, at, &sources, &opts.cache);
    let summary = rev.summary;
    let revoked = rev.certificates.iter().find_map(|c| match &c.status {
        RevocationStatus::Revoked { after_signing_time, revocation_time, .. } => {
            Some((*after_signing_time, revocation_time.clone(), c.subject.clone()))
        }
        _ => None,
    });
    let unknown = rev.certificates.iter().find_map(|c| match &c.status {
        RevocationStatus::Unknown { .. } | RevocationStatus::NotChecked => Some((c.status.localize(Lang::Vi), c.status.localize(Lang::En))),
        _ => None,
    });
    r.revocation = Some(rev);
    match summary {
        RevocationSummary::Good => {}
        RevocationSummary::Revoked => {
            let (after, when, who) = revoked.unwrap_or((false, String::new(), String::new()));
            if after {
                indeterminate(&mut r, SubIndication::RevokedNoPoe, Some(format!("{who}: {when}")));
            } else {
                fail(&mut r, SubIndication::Revoked, Some(format!("{who}: {when}")));
            }
            return r;
        }
        RevocationSummary::TryLater => {
            indeterminate(&mut r, SubIndication::TryLater, None);
            // The detail in each message's own language.
            if let Some((vi, en)) = unknown {
                r.message_vi = format!("{} ({vi})", SubIndication::TryLater.sentence(Lang::Vi));
                r.message_en = format!("{} ({en})", SubIndication::TryLater.sentence(Lang::En));
            }
            return r;
        }
    }
    r.indication = Indication::TotalPassed;
    r.sub_indication = None;
    let anchor = r.trust_anchor.as_ref().map(|a| a.name.clone()).unwrap_or_default();
    r.message_vi = format!("Chữ ký hợp lệ; chứng thư số tin cậy (gốc: {anchor}), chưa bị thu hồi; văn bản không bị sửa đổi sau khi ký.");
    r.message_en = format!("Valid signature; trusted certificate (root: {anchor}), not revoked; no disallowed change after signing.");
    r
}

/// The time the signature is checked at: the time-stamp's if any, else the claimed `/M`.
fn signing_time(f: &SignatureField, cms: &CmsReport) -> Option<time::OffsetDateTime> {
    if let Some(ts) = cms.timestamp.as_deref() {
        if let Ok(t) = time::OffsetDateTime::parse(ts, &time::format_description::well_known::Rfc3339) {
            return Some(t);
        }
    }
    parse_pdf_date(f.claimed_time.as_deref()?)
}

/// Parse a PDF date `D:YYYYMMDDHHmmSS+HH'mm'` (ISO 32000-2 §7.9.4); missing parts default.
pub fn parse_pdf_date(s: &str) -> Option<time::OffsetDateTime> {
    let s = s.strip_prefix("D:").unwrap_or(s);
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    let num = |a: usize, b: usize, def: u32| digits.get(a..b).and_then(|x| x.parse::<u32>().ok()).unwrap_or(def);
    let year = i32::try_from(num(0, 4, 0)).ok().filter(|y| *y > 1900)?;
    let month = time::Month::try_from(u8::try_from(num(4, 6, 1)).ok()?).ok()?;
    let date = time::Date::from_calendar_date(year, month, u8::try_from(num(6, 8, 1)).ok()?).ok()?;
    let t = time::Time::from_hms(u8::try_from(num(8, 10, 0)).ok()?, u8::try_from(num(10, 12, 0)).ok()?, u8::try_from(num(12, 14, 0)).ok()?)
        .ok()?;
    let rest = &s[digits.len()..];
    let offset = match rest.chars().next() {
        Some(sign @ ('+' | '-')) => {
            let od: String = rest[1..].chars().filter(char::is_ascii_digit).collect();
            let h = od.get(0..2).and_then(|x| x.parse::<i8>().ok()).unwrap_or(0);
            let m = od.get(2..4).and_then(|x| x.parse::<i8>().ok()).unwrap_or(0);
            let (h, m) = if sign == '-' { (-h, -m) } else { (h, m) };
            time::UtcOffset::from_hms(h, m, 0).ok()?
        }
        _ => time::UtcOffset::UTC,
    };
    Some(time::PrimitiveDateTime::new(date, t).assume_offset(offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_dates() {
        let t = parse_pdf_date("D:20261122091530+07'00'").expect("date");
        assert_eq!(crate::time::iso8601(t), "2026-11-22T09:15:30+07:00");
        let t = parse_pdf_date("D:20200101120000Z").expect("date");
        assert_eq!(crate::time::iso8601(t), "2020-01-01T19:00:00+07:00");
        assert!(parse_pdf_date("garbage").is_none());
    }
}
