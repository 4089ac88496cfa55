//! RFC 3161 time-stamp tokens: what makes one a proof of existence (POE).
//!
//! Two kinds occur in PDFs:
//! * a **signature time-stamp** (ETSI EN 319 122-1 §5.3; PAdES B-T): the unsigned
//!   attribute `id-aa-signatureTimeStampToken` of a SignerInfo, whose message
//!   imprint is the hash of that SignerInfo's `signature` value;
//! * a **document time-stamp** (ISO 32000-2 §12.8.5; PAdES B-LTA): a `/Type
//!   /DocTimeStamp` signature dictionary with `/SubFilter /ETSI.RFC3161`, whose
//!   `/Contents` is the token itself and whose imprint is the hash of the byte ranges.
//!
//! A token proves that the data existed at its `genTime` only when all of this
//! holds ([`TimestampStatus::Valid`]):
//! 1. it is a `SignedData` encapsulating a `TSTInfo` (`id-ct-TSTInfo`);
//! 2. its message imprint equals the hash of the data it claims to cover;
//! 3. its SignerInfo verifies: message digest over the `TSTInfo`, signature value,
//!    ESS signing-certificate naming the TSA's certificate (RFC 3161 §2.4.1);
//! 4. the TSA's certificate chains to a trust anchor, was valid at `genTime`, and
//!    carries the `id-kp-timeStamping` extended key usage, marked critical, as its
//!    only purpose (RFC 3161 §2.3); no weak algorithm (SHA-1) in the token or that
//!    path unless on a pinned bundled certificate or proven (by a newer document
//!    time-stamp) to predate its sunset ([`super::algorithms`]);
//! 5. no certificate of that path was revoked at `genTime`, judged like a signer's
//!    (fresh answers only, "revoked" beats "good"); a TSA key revoked for key or CA
//!    compromise makes the token worthless whenever it was revoked, unless a newer
//!    proof of existence predates the revocation.
//!
//! A failure of 1–3 means the token was tampered with or does not belong here
//! ([`TimestampStatus::Invalid`]: the signature carrying it is not valid either).
//! A failure of 4–5 is [`TimestampStatus::Untrusted`] or
//! [`TimestampStatus::Indeterminate`]: the token proves nothing, and the time it
//! states is never used.

use der::asn1::OctetString;
use der::{Decode, Reader};
use serde::Serialize;
use time::OffsetDateTime;
use x509_cert::Certificate;

use super::algorithms::WeakUse;
use super::chain::{self, build_path_for, EndEntityUsage, PathReport, PathStatus};
use super::cms_check::{self, CmsProblem, Content};
use super::crypto::DigestAlg;
use super::revocation::{self, JudgedAt, RevocationCache, RevocationReport, RevocationSources, RevocationStatus, RevocationSummary};
use crate::cms::read::read_signed_data;
use crate::i18n::{Lang, Localize};
use crate::trust::{AnchorInfo, TrustStore};

/// `id-ct-TSTInfo` (RFC 3161 §2.4.2).
pub const ID_CT_TST_INFO: der::oid::ObjectIdentifier = der::oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");

/// Which kind of time-stamp a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum TimestampKind {
    /// Over a signature value (unsigned attribute of a SignerInfo).
    Signature,
    /// Over a revision of the document (`/DocTimeStamp`).
    Document,
}

/// What a token is worth.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum TimestampStatus {
    /// Proves that the data existed at `genTime`.
    Valid,
    /// The TSA is not trusted here (no path to an anchor, wrong key usage, revoked
    /// for compromise): the token proves nothing.
    Untrusted,
    /// The TSA's status could not be established (revocation unknown, unsupported
    /// algorithm): the token proves nothing for now.
    Indeterminate,
    /// The token is malformed, its imprint does not match, or its signature does
    /// not verify: it was tampered with or does not belong here.
    Invalid,
}

/// The fields of a `TSTInfo` the verifier uses (RFC 3161 §2.4.2).
///
/// ```text
/// TSTInfo ::= SEQUENCE {
///    version INTEGER { v1(1) }, policy TSAPolicyId, messageImprint MessageImprint,
///    serialNumber INTEGER, genTime GeneralizedTime, accuracy Accuracy OPTIONAL,
///    ordering BOOLEAN DEFAULT FALSE, nonce INTEGER OPTIONAL,
///    tsa [0] GeneralName OPTIONAL, extensions [1] IMPLICIT Extensions OPTIONAL }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TstInfo {
    /// The TSA's policy OID.
    pub policy: String,
    /// The imprint's hash algorithm OID.
    pub hash_algorithm: der::oid::ObjectIdentifier,
    /// The imprint.
    pub hashed_message: Vec<u8>,
    /// Serial number, hex upper case.
    pub serial: String,
    /// `genTime` (fractions of a second are allowed and kept).
    pub gen_time: OffsetDateTime,
    /// The nonce, if any (big-endian bytes).
    pub nonce: Option<Vec<u8>>,
}

/// Parse a DER `TSTInfo`.
pub fn parse_tst_info(der: &[u8]) -> Result<TstInfo, String> {
    let mut r = der::SliceReader::new(der).map_err(|e| e.to_string())?;
    let info = r
        .sequence(|r| {
            let version = u8::decode(r)?;
            if version != 1 {
                return Err(der::Tag::Integer.value_error());
            }
            let policy = der::oid::ObjectIdentifier::decode(r)?;
            let imprint = x509_tsp::MessageImprint::decode(r)?;
            let serial = der::asn1::Int::decode(r)?;
            let gen = der::asn1::AnyRef::decode(r)?;
            if der::Tagged::tag(&gen) != der::Tag::GeneralizedTime {
                return Err(der::Tag::GeneralizedTime.value_error());
            }
            let gen_time = generalized_time(gen.value()).ok_or_else(|| der::Tag::GeneralizedTime.value_error())?;
            let mut nonce = None;
            while !r.is_finished() {
                let any = der::asn1::AnyRef::decode(r)?;
                if der::Tagged::tag(&any) == der::Tag::Integer && nonce.is_none() {
                    nonce = Some(any.value().to_vec());
                }
            }
            Ok(TstInfo {
                policy: policy.to_string(),
                hash_algorithm: imprint.hash_algorithm.oid,
                hashed_message: imprint.hashed_message.as_bytes().to_vec(),
                serial: hex::encode_upper(serial.as_bytes()),
                gen_time,
                nonce,
            })
        })
        .map_err(|e| format!("TSTInfo: {e}"))?;
    r.finish(info).map_err(|e| format!("TSTInfo: {e}"))
}

/// `YYYYMMDDHHMMSS[.f+]Z` (X.690 §11.7, as RFC 3161 §2.4.2 restricts it).
fn generalized_time(v: &[u8]) -> Option<OffsetDateTime> {
    let s = std::str::from_utf8(v).ok()?;
    let s = s.strip_suffix('Z')?;
    let (whole, frac) = match s.split_once('.') {
        Some((w, f)) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) && !f.ends_with('0') => (w, Some(f)),
        Some(_) => return None,
        None => (s, None),
    };
    if whole.len() != 14 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |a: usize, b: usize| whole[a..b].parse::<u32>().ok();
    let date = time::Date::from_calendar_date(
        i32::try_from(n(0, 4)?).ok()?,
        time::Month::try_from(u8::try_from(n(4, 6)?).ok()?).ok()?,
        u8::try_from(n(6, 8)?).ok()?,
    )
    .ok()?;
    let nanos = match frac {
        Some(f) => {
            let digits: String = f.chars().chain(std::iter::repeat('0')).take(9).collect();
            digits.parse::<u32>().ok()?
        }
        None => 0,
    };
    let t = time::Time::from_hms_nano(u8::try_from(n(8, 10)?).ok()?, u8::try_from(n(10, 12)?).ok()?, u8::try_from(n(12, 14)?).ok()?, nanos)
        .ok()?;
    Some(time::PrimitiveDateTime::new(date, t).assume_utc())
}

/// What a token's imprint must be the hash of.
pub enum Imprinted<'a> {
    /// These bytes (a SignerInfo's signature value).
    Bytes(&'a [u8]),
    /// The byte ranges of a file (a document time-stamp).
    Ranges {
        /// The file.
        pdf: &'a crate::pdf::PdfFile,
        /// `(offset, length)` pairs.
        ranges: &'a [(u64, u64)],
    },
}

/// What a token is checked against: trust anchors, revocation sources beyond the
/// token's own, the clock.
pub struct TimestampContext<'a> {
    /// Trust anchors.
    pub trust: &'a TrustStore,
    /// Certificates from the document (`/DSS`) that may complete the TSA's path.
    pub pool: &'a [Certificate],
    /// Revocation data from the document and the command line, and whether to go online.
    pub sources: &'a RevocationSources,
    /// The revocation cache.
    pub cache: &'a RevocationCache,
    /// The current time.
    pub now: OffsetDateTime,
    /// A proof of existence of the token itself (a newer document time-stamp), if any.
    pub token_poe: Option<OffsetDateTime>,
}

/// The result of checking one token.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TimestampReport {
    /// Signature or document time-stamp.
    pub kind: TimestampKind,
    /// What the token is worth.
    pub status: TimestampStatus,
    /// `genTime` in Vietnam time, as the token states it (a proof only when `status` is valid).
    pub gen_time: Option<String>,
    /// The TSA's certificate subject.
    pub tsa: Option<String>,
    /// The TSA's certificate serial number, hex.
    pub tsa_serial: Option<String>,
    /// The token's serial number, hex.
    pub serial: Option<String>,
    /// The TSA policy OID.
    pub policy: Option<String>,
    /// The imprint algorithm name.
    pub digest_algorithm: Option<String>,
    /// The imprint matches the data.
    pub imprint_ok: bool,
    /// The token's own signature verifies.
    pub signature_ok: bool,
    /// The TSA's certification path, judged at `genTime`.
    pub chain: Option<PathReport>,
    /// The trust anchor of that path.
    pub trust_anchor: Option<AnchorInfo>,
    /// Revocation of that path at `genTime`.
    pub revocation: Option<RevocationReport>,
    /// Plain Vietnamese sentence.
    pub message_vi: String,
    /// Plain English sentence.
    pub message_en: String,
    /// `genTime`, when the token is valid (the proof of existence it gives).
    #[serde(skip)]
    pub proven_time: Option<OffsetDateTime>,
    /// The TSA's certificates, for reports and a later `/DSS`.
    #[serde(skip)]
    pub tsa_certificates: Vec<Certificate>,
}

impl TimestampReport {
    fn new(kind: TimestampKind) -> Self {
        TimestampReport {
            kind,
            status: TimestampStatus::Invalid,
            gen_time: None,
            tsa: None,
            tsa_serial: None,
            serial: None,
            policy: None,
            digest_algorithm: None,
            imprint_ok: false,
            signature_ok: false,
            chain: None,
            trust_anchor: None,
            revocation: None,
            message_vi: String::new(),
            message_en: String::new(),
            proven_time: None,
            tsa_certificates: Vec::new(),
        }
    }

    fn verdict(&mut self, status: TimestampStatus, vi: String, en: String) {
        self.status = status;
        self.message_vi = vi;
        self.message_en = en;
    }
}

/// Check the time-stamp token `token` (a DER or BER `ContentInfo`) over `data`.
pub fn check_token(token: &[u8], kind: TimestampKind, data: Imprinted<'_>, cx: &TimestampContext<'_>) -> TimestampReport {
    let mut r = TimestampReport::new(kind);
    if let Err((status, vi, en)) = check_into(token, data, cx, &mut r) {
        r.verdict(status, vi, en);
    }
    r
}

type Fail = (TimestampStatus, String, String);

fn invalid(vi: &str, en: &str, detail: impl std::fmt::Display) -> Fail {
    (TimestampStatus::Invalid, format!("Dấu thời gian không hợp lệ: {vi} ({detail})."), format!("Invalid time-stamp: {en} ({detail})."))
}

fn check_into(token: &[u8], data: Imprinted<'_>, cx: &TimestampContext<'_>, r: &mut TimestampReport) -> Result<(), Fail> {
    // 1. Structure.
    let read = read_signed_data(token).map_err(|e| invalid("không đọc được", "it cannot be read", e))?;
    let sd = &read.signed_data;
    if sd.encap_content_info.econtent_type != ID_CT_TST_INFO {
        return Err(invalid("không phải TSTInfo", "not a TSTInfo", sd.encap_content_info.econtent_type));
    }
    let tst_der = sd
        .encap_content_info
        .econtent
        .as_ref()
        .and_then(|c| c.decode_as::<OctetString>().ok())
        .ok_or_else(|| invalid("thiếu nội dung", "no encapsulated content", "eContent"))?;
    let info = parse_tst_info(tst_der.as_bytes()).map_err(|e| invalid("TSTInfo hỏng", "malformed TSTInfo", e))?;
    r.gen_time = Some(crate::time::iso8601(info.gen_time));
    r.serial = Some(info.serial.clone());
    r.policy = Some(info.policy.clone());

    // 2. The imprint.
    let alg = DigestAlg::from_oid(info.hash_algorithm).ok_or_else(|| {
        (
            TimestampStatus::Indeterminate,
            format!("Dấu thời gian dùng thuật toán băm không được hỗ trợ ({}).", info.hash_algorithm),
            format!("The time-stamp uses an unsupported hash algorithm ({}).", info.hash_algorithm),
        )
    })?;
    r.digest_algorithm = Some(alg.name().into());
    let actual = match data {
        Imprinted::Bytes(b) => alg.digest(b),
        Imprinted::Ranges { pdf, ranges } => {
            cms_check::hash_ranges(pdf, ranges, alg).map_err(|e| invalid("không đọc được dữ liệu", "the data cannot be read", e))?
        }
    };
    r.imprint_ok = actual == info.hashed_message;
    if !r.imprint_ok {
        return Err(invalid(
            "dấu thời gian không phải của dữ liệu này (mã băm không khớp)",
            "it does not belong to this data (message imprint mismatch)",
            "messageImprint",
        ));
    }

    // 3. The token's signature.
    let si = cms_check::single_signer(sd).map_err(|p| invalid("cấu trúc sai", "malformed", problem_text(&p)))?;
    let mut certs = cms_check::certificates(sd);
    certs.extend(cx.pool.iter().cloned());
    let signer = cms_check::check_signer(&read, si, &certs, Content::Bytes(tst_der.as_bytes().to_vec()));
    r.signature_ok = signer.signature_ok && signer.digest_ok;
    if let Some(c) = &signer.signer {
        r.tsa = Some(chain::subject(c));
        r.tsa_serial = Some(hex::encode_upper(c.tbs_certificate.serial_number.as_bytes()));
    }
    match signer.problem {
        None => {}
        Some(CmsProblem::NoSigningCertificate) => {
            return Err((
                TimestampStatus::Indeterminate,
                "Không tìm thấy chứng thư số của đơn vị cấp dấu thời gian.".into(),
                "The time-stamping authority's certificate is not available.".into(),
            ))
        }
        Some(CmsProblem::Unsupported(why)) => {
            return Err((
                TimestampStatus::Indeterminate,
                format!("Dấu thời gian dùng thuật toán không được hỗ trợ ({why})."),
                format!("The time-stamp uses an unsupported algorithm ({why})."),
            ))
        }
        Some(p) => return Err(invalid("chữ ký trên dấu thời gian không đúng", "its signature does not verify", problem_text(&p))),
    }
    if signer.signing_certificate_ok.is_none() {
        return Err(invalid(
            "thiếu thuộc tính ESS signing-certificate",
            "the ESS signing-certificate attribute is missing",
            "RFC 3161 §2.4.1",
        ));
    }
    let Some(tsa) = signer.signer else { return Err(invalid("thiếu chứng thư", "no certificate", "sid")) };

    // 4. The TSA's certification path, at genTime.
    let at = info.gen_time;
    let path = build_path_for(&tsa, &certs, cx.trust, at, EndEntityUsage::TimeStamping);
    // Weak algorithms (SHA-1) in the token or the TSA's path: only on pinned
    // certificates, or with a newer proof that the token existed before their
    // sunset (a collision could otherwise forge a token and move the time).
    let mut weak = WeakUse::default();
    if let Some(w) = &signer.weak {
        weak.needs_poe.push(format!("TST: {w}"));
    }
    weak.needs_poe.extend(path.weak_links());
    weak.pinned.extend(path.pinned_weak_links());
    r.trust_anchor = path.anchor.clone();
    let status = path.status.clone();
    let path_certs = path.certificates.clone();
    r.tsa_certificates = path_certs.clone();
    r.chain = Some(path);
    match status {
        PathStatus::Trusted => {}
        PathStatus::UnsupportedAlgorithm { .. } => {
            return Err((
                TimestampStatus::Indeterminate,
                format!("Chưa kiểm tra được đơn vị cấp dấu thời gian: {}.", status.localize(Lang::Vi)),
                format!("The time-stamping authority could not be checked: {}.", status.localize(Lang::En)),
            ))
        }
        other => {
            return Err((
                TimestampStatus::Untrusted,
                format!("Đơn vị cấp dấu thời gian không được tin cậy: {}.", other.localize(Lang::Vi)),
                format!("The time-stamping authority is not trusted: {}.", other.localize(Lang::En)),
            ))
        }
    }
    if !weak.acceptable(cx.token_poe) {
        let list = weak.needs_poe.join("; ");
        return Err((
            TimestampStatus::Indeterminate,
            format!("Dấu thời gian dùng thuật toán yếu ({list}) mà không có bằng chứng tồn tại trước ngày ngừng dùng thuật toán: không dùng làm bằng chứng thời điểm."),
            format!("The time-stamp uses a weak algorithm ({list}) with no proof that it existed before the algorithm's sunset: it proves nothing."),
        ));
    }
    if let Some(why) = eku_problem(&tsa) {
        return Err((
            TimestampStatus::Untrusted,
            format!("Chứng thư số của đơn vị cấp dấu thời gian không dành cho việc cấp dấu thời gian ({why})."),
            format!("The time-stamping authority's certificate is not fit for time-stamping ({why})."),
        ));
    }

    // 5. Revocation of that path at genTime.
    let mut sources = cx.sources.clone();
    sources.crls.extend(cms_check::sd_crls(sd));
    let rev = revocation::check_as_of(&path_certs, JudgedAt::Proven(at), cx.now, &sources, cx.cache);
    let compromised = rev.certificates.iter().find_map(|c| match &c.status {
        RevocationStatus::Revoked { reason, revocation_time, .. }
            if matches!(reason.as_deref(), Some("keyCompromise" | "cACompromise")) =>
        {
            Some((c.subject.clone(), revocation_time.clone()))
        }
        _ => None,
    });
    let summary = rev.summary;
    let unknown = rev.certificates.iter().find_map(|c| match &c.status {
        RevocationStatus::Unknown { .. } | RevocationStatus::NotChecked => Some((c.status.localize(Lang::Vi), c.status.localize(Lang::En))),
        _ => None,
    });
    r.revocation = Some(rev);
    match summary {
        RevocationSummary::Revoked => {
            return Err((
                TimestampStatus::Invalid,
                "Chứng thư số của đơn vị cấp dấu thời gian đã bị thu hồi trước thời điểm cấp dấu.".into(),
                "The time-stamping authority's certificate was revoked before the time-stamp was issued.".into(),
            ))
        }
        RevocationSummary::TryLater => {
            let (vi, en) = unknown.unwrap_or_default();
            return Err((
                TimestampStatus::Indeterminate,
                format!("Chưa kiểm tra được tình trạng thu hồi chứng thư số của đơn vị cấp dấu thời gian ({vi})."),
                format!("The time-stamping authority's revocation status could not be checked ({en})."),
            ));
        }
        RevocationSummary::Good => {}
    }
    if let Some((who, when)) = compromised {
        // A compromised TSA key can back-date anything: only a newer proof of
        // existence from before the compromise saves the token.
        let saved = cx.token_poe.is_some_and(|p| crate::time::iso8601(p) < when);
        if !saved {
            return Err((
                TimestampStatus::Untrusted,
                format!("Khóa của đơn vị cấp dấu thời gian đã bị lộ ({who}, thu hồi {when}); dấu thời gian không còn giá trị chứng minh."),
                format!("The time-stamping authority's key was compromised ({who}, revoked {when}); the time-stamp proves nothing."),
            ));
        }
    }
    r.proven_time = Some(at);
    let when = crate::time::iso8601(at);
    let tsa = r.tsa.clone().unwrap_or_default();
    r.verdict(
        TimestampStatus::Valid,
        format!("Dấu thời gian hợp lệ: {when}, do {tsa} cấp."),
        format!("Valid time-stamp: {when}, issued by {tsa}."),
    );
    Ok(())
}

/// RFC 3161 §2.3: the TSA's certificate "MUST contain only one instance of the
/// extended key usage field extension with KeyPurposeID having value
/// id-kp-timeStamping. This extension MUST be critical."
fn eku_problem(tsa: &Certificate) -> Option<&'static str> {
    let ext = tsa.tbs_certificate.extensions.iter().flatten().find(|e| e.extn_id == const_oid::db::rfc5280::ID_CE_EXT_KEY_USAGE)?;
    let purposes = chain::extended_key_usage(tsa)?;
    if purposes.as_slice() != [const_oid::db::rfc5280::ID_KP_TIME_STAMPING] {
        return Some("extKeyUsage must be id-kp-timeStamping alone");
    }
    (!ext.critical).then_some("extKeyUsage is not marked critical")
}

fn problem_text(p: &CmsProblem) -> String {
    match p {
        CmsProblem::Format(s) | CmsProblem::Crypto(s) | CmsProblem::Unsupported(s) => s.clone(),
        CmsProblem::NoSigningCertificate => "no signer certificate".into(),
        CmsProblem::Hash => "message digest mismatch".into(),
        CmsProblem::SigningCertificateMismatch => "ESS signing-certificate does not name the signer".into(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn generalized_times_with_and_without_fractions() {
        let t = generalized_time(b"20261206013000Z").expect("time");
        assert_eq!(crate::time::iso8601(t), "2026-12-06T08:30:00+07:00");
        let t = generalized_time(b"20261206013000.25Z").expect("fraction");
        assert_eq!(t.nanosecond(), 250_000_000);
        assert!(generalized_time(b"20261206013000.250Z").is_none(), "trailing zero is not DER");
        assert!(generalized_time(b"20261206013000").is_none(), "no Z");
        assert!(generalized_time(b"2026120601300Z").is_none());
        assert!(generalized_time(b"20261306013000Z").is_none());
    }
}
