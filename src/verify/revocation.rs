//! Revocation checking of a certification path (RFC 5280 CRLs, RFC 6960 OCSP).
//!
//! For every certificate of a path except the trust anchor, sources are tried in
//! this order, and the first conclusive answer (good or revoked) wins:
//!
//! 1. embedded OCSP responses (CMS `adbe-revocationInfoArchival`, PDF `/DSS`),
//! 2. embedded CRLs (same places),
//! 3. CRL files given with `--crl`,
//! 4. unless offline: the OCSP responders named in the certificate's
//!    authorityInfoAccess (HTTP POST, SHA-1 CertID), then its CRL distribution
//!    points (HTTP GET). See [`fetch`] for timeouts and limits and [`cache`] for
//!    the result cache.
//!
//! Every CRL must be signed by the certificate's issuer; every OCSP response by
//! the issuer or by a delegated responder certified by the issuer for
//! `id-kp-OCSPSigning`. A revocation is accepted from any valid source at any
//! time. A "good" answer must be fresh: from embedded data or files, it must
//! have been current at the signing time (`nextUpdate` ≥ signing time; with no
//! `nextUpdate`, `thisUpdate` + 24 h); fetched now, it must be current now
//! (`nextUpdate` ≥ now). A "good" answer issued after the certificate expired is
//! not accepted (CAs drop expired certificates from CRLs), unless the CRL
//! carries `expiredCertsOnCRL`.
//!
//! When no source answers, the status is [`RevocationStatus::Unknown`] (or
//! [`RevocationStatus::NotChecked`] when offline with nothing embedded): both mean
//! INDETERMINATE / TRY_LATER, never valid.

pub mod cache;
pub mod crl;
pub mod fetch;
pub mod ocsp;

use std::path::PathBuf;

use serde::Serialize;
use time::OffsetDateTime;
use x509_cert::Certificate;

pub use cache::RevocationCache;

use super::chain::subject;
use crate::i18n::{Lang, Localize};

/// Largest CRL file read from disk.
const MAX_CRL_FILE: u64 = 64 * 1024 * 1024;
/// How long a "good" answer without `nextUpdate` counts as current after its
/// `thisUpdate`.
pub(crate) const NO_NEXT_UPDATE_GRACE: time::Duration = time::Duration::hours(24);
/// Tolerated clock difference for a `thisUpdate` in the future.
pub(crate) const CLOCK_SKEW: time::Duration = time::Duration::minutes(5);

/// Where revocation information may come from.
#[derive(Clone, Debug, Default)]
pub struct RevocationSources {
    /// DER CRLs embedded in the signature or the document (`adbe-revocationInfoArchival`, `/DSS /CRLs`).
    pub crls: Vec<Vec<u8>>,
    /// DER OCSP responses (`OCSPResponse`, or a bare `BasicOCSPResponse`) embedded likewise.
    pub ocsps: Vec<Vec<u8>>,
    /// CRL files (PEM or DER) given with `--crl`.
    pub crl_files: Vec<PathBuf>,
    /// Whether the OCSP responders and CRL distribution points named in the
    /// certificates may be contacted (false with `--offline`).
    pub online: bool,
}

/// The kind of source an answer came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum SourceKind {
    /// An OCSP response embedded in the signature or the document.
    EmbeddedOcsp,
    /// A CRL embedded in the signature or the document.
    EmbeddedCrl,
    /// A `--crl` file.
    CrlFile,
    /// An OCSP responder contacted over HTTP.
    OcspUrl,
    /// A CRL downloaded from a distribution point.
    CrlUrl,
}

/// Which source answered, and how fresh its answer is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceInfo {
    /// The kind of source.
    pub kind: SourceKind,
    /// URL or file path (none for embedded data).
    pub location: Option<String>,
    /// The answer's thisUpdate (ISO 8601, Vietnam time).
    pub this_update: String,
    /// The answer's nextUpdate, if given.
    pub next_update: Option<String>,
    /// The answer came from the cache rather than a fresh download.
    pub cached: bool,
}

/// Revocation status of one certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum RevocationStatus {
    /// Not revoked, according to `source`.
    Good {
        /// The source.
        source: SourceInfo,
    },
    /// Revoked.
    Revoked {
        /// When (ISO 8601, Vietnam time).
        revocation_time: String,
        /// The CRL reason code name (`keyCompromise`, …), if given.
        reason: Option<String>,
        /// Whether the revocation came after the validation (signing) time.
        /// Without a proof of existence (timestamp) of the signature before the
        /// revocation, the signature cannot be trusted either way.
        after_signing_time: bool,
        /// The source.
        source: SourceInfo,
    },
    /// No source could answer: INDETERMINATE, TRY_LATER.
    Unknown {
        /// What was tried and why each failed.
        why: String,
    },
    /// Offline and nothing embedded: INDETERMINATE, TRY_LATER.
    NotChecked,
}

impl Localize for RevocationStatus {
    fn localize(&self, lang: Lang) -> String {
        use crate::tr;
        match self {
            RevocationStatus::Good { .. } => tr!(lang, "Chứng thư số chưa bị thu hồi", "The certificate is not revoked"),
            RevocationStatus::Revoked { revocation_time, reason, .. } => tr!(
                lang,
                "Chứng thư số đã bị thu hồi lúc {} (lý do: {})",
                "The certificate was revoked at {} (reason: {})",
                revocation_time,
                reason.as_deref().unwrap_or("-")
            ),
            RevocationStatus::Unknown { why } => tr!(
                lang,
                "Chưa kiểm tra được tình trạng thu hồi, hãy thử lại sau ({})",
                "Revocation status could not be checked, try later ({})",
                why
            ),
            RevocationStatus::NotChecked => tr!(
                lang,
                "Chưa kiểm tra tình trạng thu hồi (chế độ ngoại tuyến, tệp không kèm CRL/OCSP)",
                "Revocation not checked (offline, and the file embeds no CRL/OCSP)"
            ),
        }
    }
}

/// Revocation result for one certificate of the path.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CertRevocation {
    /// Readable subject.
    pub subject: String,
    /// Serial number, hex upper case.
    pub serial: String,
    /// The status.
    pub status: RevocationStatus,
    /// Each source tried, with what it said (for the detailed report).
    pub tried: Vec<String>,
}

/// Overall revocation verdict for a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RevocationSummary {
    /// Every certificate was checked and none is revoked.
    Good,
    /// At least one certificate is revoked.
    Revoked,
    /// Some certificate could not be checked: INDETERMINATE, TRY_LATER.
    TryLater,
}

/// The result of [`check`].
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RevocationReport {
    /// Per certificate, signer first (the anchor is not checked).
    pub certificates: Vec<CertRevocation>,
    /// The overall verdict.
    pub summary: RevocationSummary,
}

/// A source's verdict on one certificate.
#[derive(Clone, Debug)]
pub(crate) enum Outcome {
    Good {
        this_update: OffsetDateTime,
        next_update: Option<OffsetDateTime>,
    },
    Revoked {
        time: OffsetDateTime,
        reason: Option<String>,
        this_update: OffsetDateTime,
        next_update: Option<OffsetDateTime>,
    },
    /// The source is about this certificate but cannot be used; why.
    Unusable(String),
}

impl Outcome {
    /// The next-update bound a cache may keep the source until.
    pub(crate) fn next_update(&self) -> Option<OffsetDateTime> {
        match self {
            Outcome::Good { next_update, .. } | Outcome::Revoked { next_update, .. } => *next_update,
            Outcome::Unusable(_) => None,
        }
    }
}

/// What the freshness of a "good" answer is judged against.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Times {
    /// The validation (signing) time.
    pub at: OffsetDateTime,
    /// The current time.
    pub now: OffsetDateTime,
    /// The data was fetched now (must be current now) rather than embedded or
    /// given as a file (must have been current at `at`).
    pub fetched: bool,
}

impl Times {
    /// Why a "good" answer with these update times is not acceptable, if it is not.
    pub(crate) fn stale(
        &self,
        this_update: OffsetDateTime,
        next_update: Option<OffsetDateTime>,
        cert: &Certificate,
        expired_certs_kept: bool,
    ) -> Option<String> {
        let iso = crate::time::iso8601;
        if this_update > self.now + CLOCK_SKEW {
            return Some(format!("issued in the future ({})", iso(this_update)));
        }
        let until = next_update.unwrap_or(this_update + NO_NEXT_UPDATE_GRACE);
        let must_cover = if self.fetched { self.now } else { self.at };
        if until < must_cover {
            return Some(format!("out of date (next update was due {})", iso(until)));
        }
        let not_after = super::chain::to_time(&cert.tbs_certificate.validity.not_after);
        if this_update > not_after && !expired_certs_kept {
            return Some(format!("issued after the certificate expired ({}); it no longer lists this certificate", iso(not_after)));
        }
        None
    }
}

/// Check the revocation status of every certificate of `path` (signer first,
/// trust anchor last; the anchor is not checked) at `at`, the signing time.
pub fn check(path: &[Certificate], at: OffsetDateTime, sources: &RevocationSources, cache: &RevocationCache) -> RevocationReport {
    let now = OffsetDateTime::now_utc();
    let files = read_crl_files(&sources.crl_files);
    let fetcher = if sources.online { Some(fetch::Fetcher::new()) } else { None };
    let mut certificates = Vec::new();
    for pair in path.windows(2) {
        let [cert, issuer] = pair else { continue };
        certificates.push(check_one(cert, issuer, at, now, sources, &files, fetcher.as_ref(), cache));
    }
    let summary = if path.is_empty() {
        RevocationSummary::TryLater
    } else if certificates.iter().any(|c| matches!(c.status, RevocationStatus::Revoked { .. })) {
        RevocationSummary::Revoked
    } else if certificates.iter().all(|c| matches!(c.status, RevocationStatus::Good { .. })) {
        RevocationSummary::Good
    } else {
        RevocationSummary::TryLater
    };
    RevocationReport { certificates, summary }
}

/// CRL files read up front: (path, DER or why it could not be read).
fn read_crl_files(paths: &[PathBuf]) -> Vec<(String, Result<Vec<u8>, String>)> {
    paths
        .iter()
        .map(|p| {
            let shown = p.display().to_string();
            let read = || -> Result<Vec<u8>, String> {
                let len = std::fs::metadata(p).map_err(|e| e.to_string())?.len();
                if len > MAX_CRL_FILE {
                    return Err(format!("too large ({len} bytes)"));
                }
                let bytes = std::fs::read(p).map_err(|e| e.to_string())?;
                crl::pem_or_der_crl(&bytes)
            };
            (shown, read())
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn check_one(
    cert: &Certificate,
    issuer: &Certificate,
    at: OffsetDateTime,
    now: OffsetDateTime,
    sources: &RevocationSources,
    files: &[(String, Result<Vec<u8>, String>)],
    fetcher: Option<&fetch::Fetcher>,
    cache: &RevocationCache,
) -> CertRevocation {
    let mut tried: Vec<String> = Vec::new();
    let offline = Times { at, now, fetched: false };
    let fetched = Times { at, now, fetched: true };
    // Whether any source said something about this certificate.
    let mut relevant = false;

    // 1. Embedded OCSP responses.
    for blob in &sources.ocsps {
        if let Some(outcome) = ocsp::evaluate(blob, cert, issuer, &offline) {
            relevant = true;
            if let Some(s) = consider(outcome, SourceKind::EmbeddedOcsp, None, false, at, &mut tried) {
                return finish(cert, s, tried);
            }
        }
    }
    // 2. Embedded CRLs.
    for blob in &sources.crls {
        if let Some(outcome) = crl::evaluate(blob, cert, issuer, &offline) {
            relevant = true;
            if let Some(s) = consider(outcome, SourceKind::EmbeddedCrl, None, false, at, &mut tried) {
                return finish(cert, s, tried);
            }
        }
    }
    // 3. --crl files.
    for (path, der) in files {
        match der {
            Ok(der) => {
                if let Some(outcome) = crl::evaluate(der, cert, issuer, &offline) {
                    relevant = true;
                    if let Some(s) = consider(outcome, SourceKind::CrlFile, Some(path), false, at, &mut tried) {
                        return finish(cert, s, tried);
                    }
                }
            }
            Err(e) => tried.push(format!("CRL file {path}: {e}")),
        }
    }
    // 4. Online: OCSP responders, then CRL distribution points.
    if let Some(fetcher) = fetcher {
        let ocsp_urls = ocsp::responder_urls(cert);
        let crl_urls = crl::distribution_points(cert);
        if ocsp_urls.is_empty() && crl_urls.is_empty() {
            tried.push("the certificate names no OCSP responder or CRL distribution point".into());
        }
        for url in &ocsp_urls {
            relevant = true;
            match ocsp::fetch_and_evaluate(fetcher, cache, url, cert, issuer, &fetched) {
                Ok((outcome, cached)) => {
                    if let Some(s) = consider(outcome, SourceKind::OcspUrl, Some(url), cached, at, &mut tried) {
                        return finish(cert, s, tried);
                    }
                }
                Err(e) => tried.push(format!("OCSP {url}: {e}")),
            }
        }
        for url in &crl_urls {
            relevant = true;
            match crl::fetch_and_evaluate(fetcher, cache, url, cert, issuer, &fetched) {
                Ok((outcome, cached)) => {
                    if let Some(s) = consider(outcome, SourceKind::CrlUrl, Some(url), cached, at, &mut tried) {
                        return finish(cert, s, tried);
                    }
                }
                Err(e) => tried.push(format!("CRL {url}: {e}")),
            }
        }
    }
    let status = if !relevant && fetcher.is_none() {
        RevocationStatus::NotChecked
    } else if tried.is_empty() {
        RevocationStatus::Unknown { why: "no revocation information for this certificate".into() }
    } else {
        RevocationStatus::Unknown { why: tried.join("; ") }
    };
    finish(cert, status, tried)
}

/// Note what a source said in `tried`; the status if it was conclusive.
fn consider(
    outcome: Outcome,
    kind: SourceKind,
    location: Option<&str>,
    cached: bool,
    at: OffsetDateTime,
    tried: &mut Vec<String>,
) -> Option<RevocationStatus> {
    let label = match (kind, location) {
        (SourceKind::EmbeddedOcsp, _) => "embedded OCSP response".to_owned(),
        (SourceKind::EmbeddedCrl, _) => "embedded CRL".to_owned(),
        (SourceKind::CrlFile, l) => format!("CRL file {}", l.unwrap_or_default()),
        (SourceKind::OcspUrl, l) => format!("OCSP {}", l.unwrap_or_default()),
        (SourceKind::CrlUrl, l) => format!("CRL {}", l.unwrap_or_default()),
    };
    let cached_note = if cached { " (cached)" } else { "" };
    let iso = crate::time::iso8601;
    let source = |this_update: OffsetDateTime, next_update: Option<OffsetDateTime>| SourceInfo {
        kind,
        location: location.map(str::to_owned),
        this_update: iso(this_update),
        next_update: next_update.map(iso),
        cached,
    };
    let status = match outcome {
        Outcome::Good { this_update, next_update } => RevocationStatus::Good { source: source(this_update, next_update) },
        Outcome::Revoked { time, reason, this_update, next_update } => RevocationStatus::Revoked {
            revocation_time: iso(time),
            reason,
            after_signing_time: time > at,
            source: source(this_update, next_update),
        },
        Outcome::Unusable(why) => {
            tried.push(format!("{label}{cached_note}: {why}"));
            return None;
        }
    };
    tried.push(format!("{label}{cached_note}: {}", status.localize(Lang::En)));
    Some(status)
}

fn finish(cert: &Certificate, status: RevocationStatus, tried: Vec<String>) -> CertRevocation {
    CertRevocation { subject: subject(cert), serial: hex::encode_upper(cert.tbs_certificate.serial_number.as_bytes()), status, tried }
}

/// The CRLs and OCSP responses of an `adbe-revocationInfoArchival` attribute, as DER.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ArchivedRevocationInfo {
    /// DER CRLs.
    pub crls: Vec<Vec<u8>>,
    /// DER `OCSPResponse`s.
    pub ocsps: Vec<Vec<u8>>,
}

/// The CRLs and OCSP responses in an `adbe-revocationInfoArchival` signed
/// attribute value (OID 1.2.840.113583.1.1.8, ISO 32000-2 §12.8.3.3.2), ready
/// for [`RevocationSources`]:
///
/// ```text
/// RevocationInfoArchival ::= SEQUENCE {
///     crl [0] EXPLICIT SEQUENCE of CRLs OPTIONAL,
///     ocsp [1] EXPLICIT SEQUENCE of OCSPResponse OPTIONAL,
///     otherRevInfo [2] EXPLICIT SEQUENCE of OtherRevInfo OPTIONAL }
/// ```
pub fn parse_adbe_revocation_info(der: &[u8]) -> Result<ArchivedRevocationInfo, String> {
    use der::{Decode, Encode};
    let ria = RevocationInfoArchival::from_der(der).map_err(|e| format!("adbe-revocationInfoArchival: {e}"))?;
    let enc = |v: Option<Vec<der::Any>>| -> Result<Vec<Vec<u8>>, String> {
        v.unwrap_or_default().iter().map(|a| a.to_der().map_err(|e| e.to_string())).collect()
    };
    Ok(ArchivedRevocationInfo { crls: enc(ria.crl)?, ocsps: enc(ria.ocsp)? })
}

/// `RevocationInfoArchival` (Adobe, PDF 2.0 §12.8.3.3.2).
#[derive(Clone, Debug, der::Sequence)]
struct RevocationInfoArchival {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    crl: Option<Vec<der::Any>>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    ocsp: Option<Vec<der::Any>>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    other: Option<Vec<der::Any>>,
}

/// The OID of the `adbe-revocationInfoArchival` signed attribute.
pub const ID_ADBE_REVOCATION_INFO_ARCHIVAL: der::oid::ObjectIdentifier = der::oid::ObjectIdentifier::new_unwrap("1.2.840.113583.1.1.8");

#[cfg(test)]
mod tests {
    use super::*;
    use der::Encode;

    #[test]
    fn adbe_revocation_info_round_trip() {
        let crl = der::Any::new(der::Tag::Sequence, vec![0x02, 0x01, 0x05]).expect("any");
        let ria = RevocationInfoArchival { crl: Some(vec![crl.clone()]), ocsp: None, other: None };
        let der = ria.to_der().expect("der");
        let info = parse_adbe_revocation_info(&der).expect("parse");
        assert_eq!(info.crls, vec![crl.to_der().expect("der")]);
        assert!(info.ocsps.is_empty());
        assert!(parse_adbe_revocation_info(b"\x30\x03\x02\x01").is_err());
    }
}
