//! Long-term signatures (ETSI EN 319 142-1 baseline levels): what makes a
//! signature still verifiable in twenty years, after its certificate expired and
//! the CA's servers moved.
//!
//! * [`SigningLevel::BT`]: a signature time-stamp from a TSA ([`crate::tsa`]) is
//!   added to the CMS as the unsigned attribute `id-aa-signatureTimeStampToken`,
//!   over the SignerInfo's signature value ([`add_signature_timestamp`]).
//! * [`SigningLevel::BLt`]: then an incremental update with `/DSS` and `/VRI`
//!   holding every certificate, OCSP response and CRL that validates the signature
//!   and its time-stamp, gathered after the time-stamp ([`validation_data`]).
//! * [`SigningLevel::BLta`]: then a document time-stamp (`/DocTimeStamp`,
//!   `/SubFilter /ETSI.RFC3161`) over everything, so the validation data is itself
//!   proven to have existed.

use std::io::Write;
use std::path::Path;

use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use der::{Decode, Encode};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use x509_cert::Certificate;

use crate::atomic::AtomicFile;
use crate::error::OutputError;
use crate::i18n::{Lang, Localize};
use crate::pdf::dss::ValidationData;
use crate::pdf::sigfield::{self, SignatureSpec, WidgetSpec};
use crate::pdf::PdfFile;
use crate::sign::Signed;
use crate::tr;
use crate::tsa::{TsaClient, TsaError};
use crate::verify::chain::{build_path, PathReport, PathStatus};
use crate::verify::cms_check::ID_AA_SIGNATURE_TIME_STAMP;
use crate::verify::crypto::DigestAlg;
use crate::verify::engine::{verify_file, DocumentReport, VerifyOptions};
use crate::verify::revocation::{self, JudgedAt, RevocationReport, RevocationSources, RevocationStatus, RevocationSummary};
use crate::verify::timestamp::{Imprinted, TimestampContext, TimestampKind, TimestampStatus};
use crate::verify::verdict::Indication;

/// How far a new signature goes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SigningLevel {
    /// Basic: the signature alone.
    #[default]
    #[serde(rename = "b-b")]
    BB,
    /// With a signature time-stamp.
    #[serde(rename = "b-t")]
    BT,
    /// And the validation data in `/DSS`.
    #[serde(rename = "b-lt")]
    BLt,
    /// And a document time-stamp over it.
    #[serde(rename = "b-lta")]
    BLta,
}

impl SigningLevel {
    /// The level's name as written on the command line (`b-lt`).
    pub fn as_str(self) -> &'static str {
        match self {
            SigningLevel::BB => "b-b",
            SigningLevel::BT => "b-t",
            SigningLevel::BLt => "b-lt",
            SigningLevel::BLta => "b-lta",
        }
    }

    /// Parse `b-b`, `b-t`, `b-lt`, `b-lta` (any case, `_` for `-`, `pades-` prefix allowed).
    pub fn parse(s: &str) -> Option<SigningLevel> {
        let s = s.trim().to_ascii_lowercase().replace('_', "-");
        let s = s.strip_prefix("pades-").unwrap_or(&s);
        match s {
            "b-b" | "bb" => Some(SigningLevel::BB),
            "b-t" | "bt" => Some(SigningLevel::BT),
            "b-lt" | "blt" => Some(SigningLevel::BLt),
            "b-lta" | "blta" => Some(SigningLevel::BLta),
            _ => None,
        }
    }

    /// The level's name as shown (`B-LT`).
    pub fn label(self) -> &'static str {
        match self {
            SigningLevel::BB => "B-B",
            SigningLevel::BT => "B-T",
            SigningLevel::BLt => "B-LT",
            SigningLevel::BLta => "B-LTA",
        }
    }

    /// Whether a signature time-stamp is needed.
    pub fn time_stamped(self) -> bool {
        self >= SigningLevel::BT
    }
}

/// The signature value of the (only) SignerInfo of the CMS `cms`.
pub fn signature_value(cms: &[u8]) -> Result<Vec<u8>, der::Error> {
    let sd = signed_data(cms)?;
    let si = sd.signer_infos.0.iter().next().ok_or_else(|| der::Error::from(der::ErrorKind::Failed))?;
    Ok(si.signature.as_bytes().to_vec())
}

fn signed_data(cms: &[u8]) -> Result<SignedData, der::Error> {
    ContentInfo::from_der(cms)?.content.decode_as()
}

/// The CMS `cms` (DER, made by KýSố) with `token` (a time-stamp token's
/// `ContentInfo`, DER) added to its SignerInfo as the unsigned attribute
/// `id-aa-signatureTimeStampToken` (RFC 3161 Appendix A). The signed part is
/// untouched: the signature stays valid.
pub fn add_signature_timestamp(cms: &[u8], token: &[u8]) -> Result<Vec<u8>, der::Error> {
    let ci = ContentInfo::from_der(cms)?;
    let mut sd: SignedData = ci.content.decode_as()?;
    let mut infos: Vec<cms::signed_data::SignerInfo> = sd.signer_infos.0.into_vec();
    let si = infos.first_mut().ok_or_else(|| der::Error::from(der::ErrorKind::Failed))?;
    let value = der::Any::from_der(token)?;
    let attr = x509_cert::attr::Attribute { oid: ID_AA_SIGNATURE_TIME_STAMP, values: der::asn1::SetOfVec::try_from(vec![value])? };
    let mut attrs: Vec<x509_cert::attr::Attribute> = si.unsigned_attrs.take().map(|a| a.into_vec()).unwrap_or_default();
    attrs.retain(|a| a.oid != ID_AA_SIGNATURE_TIME_STAMP);
    attrs.push(attr);
    si.unsigned_attrs = Some(der::asn1::SetOfVec::try_from(attrs)?);
    sd.signer_infos = cms::signed_data::SignerInfos(der::asn1::SetOfVec::try_from(infos)?);
    let content = der::Any::from_der(&sd.to_der()?)?;
    ContentInfo { content_type: ci.content_type, content }.to_der()
}

/// The validation data for every signature of `report` (a verification of the
/// document made online now): the certificates of each signer's path and of its
/// time-stamps' TSA paths, and the revocation answer each certificate's status
/// rests on. One [`crate::pdf::dss::ValidationData`] per signature, keyed for `/VRI`.
/// Signatures whose status could not be established contribute what was found.
pub fn validation_data(report: &DocumentReport) -> Vec<ValidationData> {
    let vri = |contents: &[u8]| (!contents.is_empty()).then(|| crate::pdf::dss::vri_key(contents));
    let mut out = Vec::new();
    for sig in &report.signatures {
        let mut d = ValidationData { vri_key: vri(&sig.coverage.contents), ..Default::default() };
        for c in sig.chain.iter().flat_map(|p| p.certificates.iter()) {
            add_cert(&mut d, c);
        }
        add_revocation(&mut d, sig.revocation.as_ref());
        for ts in &sig.timestamps {
            add_timestamp(&mut d, ts);
        }
        out.push(d);
    }
    for t in &report.document_timestamps {
        let mut d = ValidationData { vri_key: vri(&t.coverage.contents), ..Default::default() };
        add_timestamp(&mut d, &t.timestamp);
        out.push(d);
    }
    out
}

/// Add `c` (DER) to `d`, once.
fn add_cert(d: &mut ValidationData, c: &Certificate) {
    if let Ok(der) = c.to_der() {
        if !d.certs.contains(&der) {
            d.certs.push(der);
        }
    }
}

/// Add the answers `r`'s statuses rest on (OCSP or CRL DER) to `d`, once each.
fn add_revocation(d: &mut ValidationData, r: Option<&RevocationReport>) {
    for c in r.iter().flat_map(|r| r.certificates.iter()) {
        if let Some((ocsp, der)) = c.evidence_der() {
            let list = if ocsp { &mut d.ocsps } else { &mut d.crls };
            if !list.iter().any(|x| x == der) {
                list.push(der.to_vec());
            }
        }
    }
}

/// Add one time-stamp token's TSA certificates and the answers its check rests on.
fn add_timestamp(d: &mut ValidationData, ts: &crate::verify::timestamp::TimestampReport) {
    for c in &ts.tsa_certificates {
        add_cert(d, c);
    }
    add_revocation(d, ts.revocation.as_ref());
}

/// Why a long-term step was refused; nothing is written when one is.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LongTermError {
    /// The signing certificate is revoked (checked before signing).
    #[error("the signing certificate {subject} was revoked at {when} ({reason})")]
    Revoked {
        /// Its subject.
        subject: String,
        /// When.
        when: String,
        /// The reason code name.
        reason: String,
    },
    /// The signing certificate is not valid now (its own dates).
    #[error("the signing certificate is not valid now ({detail})")]
    NotValidNow {
        /// Expired or not yet valid, with the date.
        detail: String,
        /// The same in Vietnamese.
        detail_vi: String,
    },
    /// The signing certificate's path fails (a CA expired, a key usage that forbids signing).
    #[error("the signing certificate cannot be trusted: {detail}")]
    Untrusted {
        /// The path check's verdict.
        detail: String,
        /// The same in Vietnamese.
        detail_vi: String,
    },
    /// B-LT asked, but the revocation status of some certificate cannot be had now.
    #[error("B-LT needs the revocation status of every certificate now, and it cannot be had ({detail})")]
    NoValidationData {
        /// What could not be checked.
        detail: String,
    },
    /// `kyso extend` on a document without any signature.
    #[error("the document has no signature to extend")]
    NothingToExtend,
    /// `kyso extend` on a document with an invalid signature: no archive time-stamp over it.
    #[error("signature '{field}' is not valid: {en}")]
    InvalidSignature {
        /// The field.
        field: String,
        /// Why, in Vietnamese.
        vi: String,
        /// Why, in English.
        en: String,
    },
    /// The time-stamping authority failed.
    #[error(transparent)]
    Tsa(#[from] TsaError),
}

impl Localize for LongTermError {
    fn localize(&self, lang: Lang) -> String {
        match self {
            LongTermError::Revoked { subject, when, reason } => tr!(
                lang,
                "Chứng thư số ký ({}) đã bị thu hồi lúc {} (lý do: {}): không ký. Hãy liên hệ tổ chức cung cấp dịch vụ chứng thực.",
                "The signing certificate ({}) was revoked at {} (reason: {}): not signed. Contact the certification authority.",
                subject,
                when,
                reason
            ),
            LongTermError::NotValidNow { detail, detail_vi } => tr!(
                lang,
                "Chứng thư số ký không còn hiệu lực ({}): không ký. Hãy gia hạn chứng thư số.",
                "The signing certificate is not valid now ({}): not signed. Renew the certificate.",
                if lang == Lang::Vi { detail_vi } else { detail }
            ),
            LongTermError::Untrusted { detail, detail_vi } => tr!(
                lang,
                "Chứng thư số ký không được tin cậy ({}): không ký.",
                "The signing certificate is not trusted ({}): not signed.",
                if lang == Lang::Vi { detail_vi } else { detail }
            ),
            LongTermError::NoValidationData { detail } => tr!(
                lang,
                "Mức B-LT cần tình trạng thu hồi của mọi chứng thư ngay lúc ký, nhưng không lấy được ({}): không ký. Hãy ký ở mức B-T hoặc kết nối mạng rồi thử lại.",
                "B-LT needs the revocation status of every certificate now, and it cannot be had ({}): not signed. Sign at B-T, or connect and try again.",
                detail
            ),
            LongTermError::NothingToExtend => {
                tr!(lang, "Văn bản không có chữ ký số nào để nâng mức.", "The document has no signature to extend.")
            }
            LongTermError::InvalidSignature { field, vi, en } => tr!(
                lang,
                "Chữ ký '{}' không hợp lệ ({}): không thêm dấu thời gian lưu trữ cho văn bản này.",
                "Signature '{}' is not valid ({}): no archive time-stamp is added to this document.",
                field,
                if lang == Lang::Vi { vi } else { en }
            ),
            LongTermError::Tsa(e) => e.localize(lang),
        }
    }
}

impl LongTermError {
    /// A stable machine-readable kind.
    pub fn kind(&self) -> &'static str {
        match self {
            LongTermError::Revoked { .. } => "certificate_revoked",
            LongTermError::NotValidNow { .. } => "certificate_not_valid",
            LongTermError::Untrusted { .. } => "certificate_untrusted",
            LongTermError::NoValidationData { .. } => "validation_data_unavailable",
            LongTermError::NothingToExtend => "no_signature",
            LongTermError::InvalidSignature { .. } => "signature_invalid",
            LongTermError::Tsa(_) => "tsa",
        }
    }
}

/// The check of the signing certificate before signing (Circular 15/2025/TT-BKHCN
/// §2.2), and its evidence.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateCheck {
    /// The path to a trust anchor, judged now.
    pub path: PathReport,
    /// The revocation status of that path now, with the answers it rests on.
    pub revocation: RevocationReport,
    /// The status could not be had (an offline office): signing goes on at B-B/B-T
    /// with this fact recorded; B-LT refuses.
    pub status_unknown: Option<String>,
    /// The certificate does not chain to a trust anchor known here (a test
    /// certificate, a CA not yet in the trust list): signing goes on at B-B/B-T
    /// with this fact recorded; B-LT refuses.
    pub untrusted: Option<String>,
    /// [`Self::status_unknown`] and [`Self::untrusted`] in Vietnamese, for the notes
    /// shown to the user (the record keeps the English).
    #[serde(skip)]
    pub why_vi: Option<String>,
    /// When the check ran (ISO 8601, Vietnam time).
    pub checked_at: String,
}

/// Check `cert` (with `pool`, the certificates that come with it) before it signs:
/// valid now, a path to a trust anchor with a key usage fit for signing, and not
/// revoked (OCSP, else CRL; `--crl` files; online unless `opts.offline`). Revoked,
/// expired or untrusted → refused before any key is used.
pub fn check_signing_certificate(
    cert: &Certificate,
    pool: &[Certificate],
    opts: &VerifyOptions,
) -> Result<CertificateCheck, LongTermError> {
    let now = OffsetDateTime::now_utc();
    let checked_at = crate::time::iso8601(crate::time::now_vietnam());
    validity_now(cert, now)?;
    let path = build_path(cert, pool, &opts.trust, now);
    match &path.status {
        PathStatus::Trusted => {}
        s @ (PathStatus::Expired { .. } | PathStatus::NotYetValid { .. } | PathStatus::KeyUsage { .. }) => {
            return Err(LongTermError::Untrusted { detail: s.localize(Lang::En), detail_vi: s.localize(Lang::Vi) })
        }
        s => {
            // Not chained to an anchor known here: the revocation answers could not
            // be judged either. Recorded; B-LT refuses.
            let untrusted = Some(s.localize(Lang::En));
            let why_vi = Some(s.localize(Lang::Vi));
            let revocation = RevocationReport { certificates: Vec::new(), summary: RevocationSummary::TryLater };
            return Ok(CertificateCheck { untrusted, why_vi, path, revocation, status_unknown: None, checked_at });
        }
    }
    let sources = stamp_sources(opts);
    let rev = revocation::check_as_of(&path.certificates, JudgedAt::Now, now, &sources, &opts.cache);
    if rev.summary == RevocationSummary::Revoked {
        if let Some((c, when, reason)) = rev.certificates.iter().find_map(|c| match &c.status {
            RevocationStatus::Revoked { revocation_time, reason, .. } => Some((c, revocation_time.clone(), reason.clone())),
            _ => None,
        }) {
            return Err(LongTermError::Revoked { subject: c.subject.clone(), when, reason: reason.unwrap_or_else(|| "-".into()) });
        }
    }
    let unknown = |lang: Lang| {
        rev.certificates
            .iter()
            .filter(|c| !c.status.good_for_signature())
            .map(|c| format!("{}: {}", c.subject, c.status.localize(lang)))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let try_later = rev.summary == RevocationSummary::TryLater;
    let (status_unknown, why_vi) = (try_later.then(|| unknown(Lang::En)), try_later.then(|| unknown(Lang::Vi)));
    Ok(CertificateCheck { path, revocation: rev, status_unknown, untrusted: None, why_vi, checked_at })
}

/// The signing certificate's own validity period against `now`.
fn validity_now(cert: &Certificate, now: OffsetDateTime) -> Result<(), LongTermError> {
    let v = &cert.tbs_certificate.validity;
    let (from, to) = (v.not_before.to_unix_duration().as_secs(), v.not_after.to_unix_duration().as_secs());
    let t = u64::try_from(now.unix_timestamp()).unwrap_or(0);
    let day = |secs: u64| {
        OffsetDateTime::from_unix_timestamp(i64::try_from(secs).unwrap_or(0))
            .map(|d| crate::time::iso8601(d.to_offset(crate::time::VIETNAM)))
            .unwrap_or_default()
    };
    if t > to {
        let d = day(to);
        return Err(LongTermError::NotValidNow { detail: format!("expired on {d}"), detail_vi: format!("hết hạn ngày {d}") });
    }
    if t < from {
        let d = day(from);
        return Err(LongTermError::NotValidNow {
            detail: format!("valid only from {d}"), detail_vi: format!("chỉ có hiệu lực từ {d}")
        });
    }
    Ok(())
}

/// A certificate check as kept in the document's history (Circular 15/2025 §2.2):
/// the certificate, each revocation answer the status rests on (DER, base64), when.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckRecord {
    /// When the check ran (ISO 8601, Vietnam time).
    pub checked_at: String,
    /// The signing certificate's subject and serial (hex).
    pub subject: String,
    /// Its serial number, hex.
    pub serial: String,
    /// SHA-256 of the certificate (hex).
    pub certificate_sha256: String,
    /// `good`, `unknown` (offline) or `untrusted` (no path to an anchor known here).
    pub status: String,
    /// Why, when not `good`.
    pub why: Option<String>,
    /// The answers: one per certificate of the path that was checked.
    pub answers: Vec<AnswerRecord>,
}

/// One revocation answer kept as evidence.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnswerRecord {
    /// The certificate it is about.
    pub subject: String,
    /// `ocsp` or `crl`.
    pub kind: String,
    /// Where it came from (URL or file), if not embedded.
    pub source: Option<String>,
    /// Its thisUpdate.
    pub this_update: Option<String>,
    /// The answer itself, DER in base64.
    pub der_base64: String,
}

impl CertificateCheck {
    /// The record kept in the document's history.
    pub fn record(&self) -> CheckRecord {
        use base64ct::Encoding;
        use sha2::Digest;
        let leaf = self.path.certificates.first();
        let (status, why) = match (&self.untrusted, &self.status_unknown) {
            (Some(u), _) => ("untrusted", Some(u.clone())),
            (None, Some(u)) => ("unknown", Some(u.clone())),
            _ => ("good", None),
        };
        let answers = self
            .revocation
            .certificates
            .iter()
            .filter_map(|c| {
                let (ocsp, der) = c.evidence_der()?;
                let source = match &c.status {
                    RevocationStatus::Good { source } | RevocationStatus::Revoked { source, .. } => Some(source),
                    _ => None,
                };
                Some(AnswerRecord {
                    subject: c.subject.clone(),
                    kind: if ocsp { "ocsp" } else { "crl" }.into(),
                    source: source.and_then(|s| s.location.clone()),
                    this_update: source.map(|s| s.this_update.clone()),
                    der_base64: base64ct::Base64::encode_string(der),
                })
            })
            .collect();
        CheckRecord {
            checked_at: self.checked_at.clone(),
            subject: leaf.map(|c| crate::token::certinfo::format_name(&c.tbs_certificate.subject)).unwrap_or_default(),
            serial: leaf.map(|c| hex::encode_upper(c.tbs_certificate.serial_number.as_bytes())).unwrap_or_default(),
            certificate_sha256: leaf.and_then(|c| c.to_der().ok()).map(|d| hex::encode(sha2::Sha256::digest(d))).unwrap_or_default(),
            status: status.into(),
            why,
            answers,
        }
    }

    /// What the user should be told about this check (nothing when all is well).
    pub fn notes(&self) -> Vec<crate::job::Note> {
        let mut out = Vec::new();
        let why_vi = |en: &String| self.why_vi.clone().unwrap_or_else(|| en.clone());
        if let Some(why) = &self.untrusted {
            out.push(crate::job::Note {
                kind: "certificate_untrusted".into(),
                message_vi: format!(
                    "Chứng thư số ký không chuỗi tới chứng thư gốc tin cậy nào trên máy này ({}): chữ ký được tạo, nhưng nơi nhận chỉ xác minh được nếu tin cậy gốc này.",
                    why_vi(why)
                ),
                message_en: format!(
                    "The signing certificate does not chain to a trust anchor known here ({why}): signed, but recipients can verify it only if they trust its root."
                ),
            });
        }
        if let Some(why) = &self.status_unknown {
            out.push(crate::job::Note {
                kind: "status_unknown".into(),
                message_vi: format!(
                    "Chưa kiểm tra được tình trạng thu hồi của chứng thư số lúc ký ({}); việc này được ghi lại.",
                    why_vi(why)
                ),
                message_en: format!("The certificate's revocation status could not be checked at signing time ({why}); this is recorded."),
            });
        }
        out
    }
}

/// The long-term steps of `level` after the signature `signed` is made: the
/// signature time-stamp (B-T), the validation data (B-LT), the document
/// time-stamp (B-LTA); then the file is put into place. Nothing is in place until
/// every step passed.
pub fn complete(
    signed: Signed,
    level: SigningLevel,
    client: &TsaClient,
    opts: &VerifyOptions,
) -> Result<crate::sign::SignOutcome, crate::Error> {
    let signed = if level.time_stamped() { timestamp_signature(signed, client, opts)? } else { signed };
    let mut embedded = signed.embed_uncommitted()?;
    let output = embedded.outcome().output.clone();
    if level >= SigningLevel::BLt {
        add_validation_data(embedded.file_mut(), &output, opts)?;
    }
    if level >= SigningLevel::BLta {
        add_document_timestamp(embedded.file_mut(), &output, client, opts, TOKEN_RESERVE)?;
    }
    embedded.commit()
}

/// The revocation sources of a check made now under `opts` (`--crl` files, online
/// unless offline): for the signing certificate and for fetched time-stamp tokens.
fn stamp_sources(opts: &VerifyOptions) -> RevocationSources {
    RevocationSources { crl_files: opts.crl_files.clone(), online: !opts.offline, ..Default::default() }
}

/// Bytes reserved in `/Contents` for a time-stamp token when its size is not
/// known yet (a token with the TSA's certificate and chain is 3–8 KB).
pub const TOKEN_RESERVE: usize = 12 * 1024;

/// B-T: a signature time-stamp over `signed`'s signature value, from the first
/// TSA of `client` whose answer passes every check, added to its CMS.
pub fn timestamp_signature(signed: Signed, client: &TsaClient, opts: &VerifyOptions) -> Result<Signed, crate::Error> {
    let value = signed.signature_value()?;
    let sources = stamp_sources(opts);
    let cx = TimestampContext {
        trust: &opts.trust,
        pool: &[],
        sources: &sources,
        cache: &opts.cache,
        now: OffsetDateTime::now_utc(),
        token_poe: None,
    };
    let stamp = client.stamp(Imprinted::Bytes(&value), TimestampKind::Signature, DigestAlg::Sha256, &cx).map_err(LongTermError::from)?;
    signed.add_timestamp(&stamp.token)
}

/// B-LT: the validation data of every signature and time-stamp of the PDF in
/// `temp` (verified now, online unless `opts.offline`), appended as a `/DSS`
/// update. Refused when the newest signature's status cannot be established.
pub fn add_validation_data(temp: &mut AtomicFile, output: &Path, opts: &VerifyOptions) -> Result<(), crate::Error> {
    let report = verify_file(temp.temp_path(), opts);
    if report.signatures.is_empty() {
        return Err(LongTermError::NothingToExtend.into());
    }
    if let Some(bad) = report.signatures.iter().find(|s| s.indication == Indication::TotalFailed) {
        return Err(
            LongTermError::InvalidSignature { field: bad.field.clone(), vi: bad.message_vi.clone(), en: bad.message_en.clone() }.into()
        );
    }
    for sig in &report.signatures {
        let path_ok = sig.chain.as_ref().is_some_and(|c| c.trusted());
        let status_ok = sig.revocation.as_ref().is_some_and(|r| r.summary == RevocationSummary::Good);
        let stamps_ok = sig
            .timestamps
            .iter()
            .filter(|t| t.status == TimestampStatus::Valid)
            .all(|t| t.revocation.as_ref().is_none_or(|r| r.summary == RevocationSummary::Good));
        if !(path_ok && status_ok && stamps_ok) {
            let detail = format!("{}: {}", sig.field, sig.message_en);
            return Err(LongTermError::NoValidationData { detail }.into());
        }
    }
    let data = validation_data(&report);
    let pdf = PdfFile::open(temp.temp_path())?;
    let update = crate::pdf::dss::dss_update(&pdf, &data, &crate::time::pdf_date(crate::time::now_vietnam()))?;
    drop(pdf);
    append(temp, output, &update.bytes)?;
    Ok(())
}

/// B-LTA: a document time-stamp over the whole PDF in `temp`, in a new invisible
/// field, with `reserve` bytes for the token.
pub fn add_document_timestamp(
    temp: &mut AtomicFile,
    output: &Path,
    client: &TsaClient,
    opts: &VerifyOptions,
    reserve: usize,
) -> Result<(), crate::Error> {
    let pdf = PdfFile::open(temp.temp_path())?;
    let spec = SignatureSpec {
        field_name: None,
        name: None,
        reason: None,
        location: None,
        signing_time: crate::time::now_vietnam(),
        widgets: vec![WidgetSpec::invisible(0)],
        contents_capacity: reserve,
        document_timestamp: true,
    };
    let mut update = sigfield::prepare(&pdf, &spec)?;
    let ranges = update.fix_byte_range(pdf.len())?;
    drop(pdf);
    append(temp, output, &update.tail)?;
    let sources = stamp_sources(opts);
    let cx = TimestampContext {
        trust: &opts.trust,
        pool: &[],
        sources: &sources,
        cache: &opts.cache,
        now: OffsetDateTime::now_utc(),
        token_poe: None,
    };
    // `fix_byte_range` gives (start, end) pairs; the imprint reads (offset, length).
    let spans = ranges.map(|(start, end)| (start, end - start));
    let pdf = PdfFile::open(temp.temp_path())?;
    let stamp = client
        .stamp(Imprinted::Ranges { pdf: &pdf, ranges: &spans }, TimestampKind::Document, DigestAlg::Sha256, &cx)
        .map_err(LongTermError::from)?;
    drop(pdf);
    if stamp.token.len() > reserve {
        return Err(crate::cms::CmsError::TooLarge { needed: stamp.token.len(), reserved: reserve }.into());
    }
    write_at(temp, output, ranges[0].1 + 1, hex::encode_upper(&stamp.token).as_bytes())?;
    // The document time-stamp's own TSA evidence, in a /DSS after it (as an
    // archive time-stamp renewal would add it): the newest time-stamp is then
    // checkable offline too.
    let mut contents = stamp.token.clone();
    contents.resize(reserve, 0);
    let mut data = ValidationData { vri_key: Some(crate::pdf::dss::vri_key(&contents)), ..Default::default() };
    add_timestamp(&mut data, &stamp.report);
    if !data.certs.is_empty() || !data.ocsps.is_empty() || !data.crls.is_empty() {
        let pdf = PdfFile::open(temp.temp_path())?;
        let update = crate::pdf::dss::dss_update(&pdf, &[data], &crate::time::pdf_date(crate::time::now_vietnam()))?;
        drop(pdf);
        append(temp, output, &update.bytes)?;
    }
    Ok(())
}

fn append(temp: &mut AtomicFile, output: &Path, bytes: &[u8]) -> Result<u64, crate::Error> {
    temp.append(bytes).map_err(|e| OutputError::WriteOutput { path: output.to_owned(), source: e }.into())
}

fn write_at(temp: &mut AtomicFile, output: &Path, offset: u64, bytes: &[u8]) -> Result<(), crate::Error> {
    temp.write_at(offset, bytes).map_err(|e| OutputError::WriteOutput { path: output.to_owned(), source: e }.into())
}

/// `kyso extend`: raise the signed PDF `input` to `level` (B-LT or B-LTA) into
/// `output`, appending updates only (the input is a prefix of the output, and is
/// never modified).
pub fn extend_file(
    input: &Path,
    output: &Path,
    force: bool,
    level: SigningLevel,
    client: &TsaClient,
    opts: &VerifyOptions,
) -> Result<DocumentReport, crate::Error> {
    crate::sign::check_paths(input, output, force)?;
    let mode = if force { crate::atomic::Mode::Replace } else { crate::atomic::Mode::NoClobber };
    let werr = |e: std::io::Error| crate::Error::from(OutputError::WriteOutput { path: output.to_owned(), source: e });
    let mut temp = AtomicFile::create(output, mode).map_err(werr)?;
    temp.keep_permissions_of(input).map_err(|e| OutputError::ReadInput { path: input.to_owned(), source: e })?;
    {
        let mut src = crate::input::open_regular(input).map_err(|e| OutputError::ReadInput { path: input.to_owned(), source: e })?;
        std::io::copy(&mut src, temp.file()).map_err(werr)?;
        temp.file().flush().map_err(werr)?;
    }
    if level >= SigningLevel::BLt {
        add_validation_data(&mut temp, output, opts)?;
    }
    if level >= SigningLevel::BLta {
        add_document_timestamp(&mut temp, output, client, opts, TOKEN_RESERVE)?;
    }
    let report = verify_file(temp.temp_path(), opts);
    temp.commit().map_err(|e| crate::Error::from(OutputError::from_write(output, e)))?;
    Ok(report)
}

/// Parse a signing level for error messages and settings (`b-b`…`b-lta`).
pub fn parse_level(s: &str) -> Result<SigningLevel, String> {
    SigningLevel::parse(s).ok_or_else(|| format!("unknown level '{s}' (b-b, b-t, b-lt, b-lta)"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn levels_parse_and_order() {
        assert_eq!(SigningLevel::parse("B-LTA"), Some(SigningLevel::BLta));
        assert_eq!(SigningLevel::parse("pades_b_t"), Some(SigningLevel::BT));
        assert_eq!(SigningLevel::parse("b-x"), None);
        assert!(SigningLevel::BLt > SigningLevel::BT && SigningLevel::BT.time_stamped() && !SigningLevel::BB.time_stamped());
        assert_eq!(serde_json::to_value(SigningLevel::BLt).unwrap(), "b-lt");
    }
}
