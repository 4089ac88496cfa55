//! Revocation checking of a certification path (RFC 5280 CRLs, RFC 6960 OCSP).
//!
//! Each certificate of a path except the trust anchor is judged at one time
//! ([`JudgedAt`]): a time *proven* by a verified time-stamp or an archive record, or
//! else the time of the check ("now"), since a claimed signing time proves
//! nothing (ETSI EN 319 102-1 §5.2.5, §5.6.2).
//!
//! Sources, all of them read:
//!
//! 1. embedded OCSP responses (CMS `adbe-revocationInfoArchival`, PDF `/DSS`, a
//!    time-stamp token's own data),
//! 2. embedded CRLs (same places, and a `SignedData`'s `crls`),
//! 3. CRL files given with `--crl`,
//! 4. unless offline, and only when 1–3 gave no usable answer: the OCSP responders
//!    named in the certificate's authorityInfoAccess (HTTP POST, SHA-1 CertID),
//!    then its CRL distribution points (HTTP GET). See [`fetch`] for timeouts and
//!    limits and [`cache`] for the result cache.
//!
//! **"Revoked" from any valid source beats "good" from any other**: the earliest
//! revocation found counts (its `invalidityDate` when earlier than the revocation
//! date). A revocation after a *proven* time leaves the certificate good at that
//! time (the signature provably existed before); after an unproven one it does not.
//!
//! **A "good" answer counts only when it is fresh** for the time judged. Judged
//! now: current now (`thisUpdate` ≤ now ≤ `nextUpdate`, or `thisUpdate` + 24 h
//! without `nextUpdate`). Judged at a proven time: issued at or after it (less
//! [`CLOCK_SKEW`], for the servers' clocks) — or, for an answer fetched now or
//! given with `--crl` (not one that came in the file), current now; or, for a CA
//! certificate (whose authority revocation list may be weeks old), current at
//! the proven time. A stale embedded CRL never vouches for a signature, whatever `/M`
//! claims. A "good"
//! answer issued after the certificate expired is not accepted (CAs drop expired
//! certificates from CRLs), unless the CRL carries `expiredCertsOnCRL`.
//!
//! Every CRL must be signed by the certificate's issuer; every OCSP response by
//! the issuer or by a delegated responder certified by the issuer for
//! `id-kp-OCSPSigning`.
//!
//! When no source answers usefully, the status is [`RevocationStatus::Unknown`]
//! (or [`RevocationStatus::NotChecked`] when offline with nothing embedded): both
//! mean INDETERMINATE / TRY_LATER, never valid.

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
/// Tolerated clock difference between servers: for a `thisUpdate` in the future,
/// and for revocation data fetched just before the time-stamp it must follow.
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
        /// The CRL entry's `invalidityDate` (when the key is thought to have
        /// been compromised), if given; `revocation_time` is the earlier of the two.
        invalidity_date: Option<String>,
        /// Whether the revocation came after the time judged: only then, and only
        /// when that time is proven, is the certificate good for the signature.
        after_judged_time: bool,
        /// The time judged was proven (a verified time-stamp or archive record).
        judged_time_proven: bool,
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

impl RevocationStatus {
    /// Revoked at or before the time judged, or at any time when that time is not proven.
    pub fn revoked_for_signature(&self) -> bool {
        matches!(self, RevocationStatus::Revoked { after_judged_time, judged_time_proven, .. } if !(*after_judged_time && *judged_time_proven))
    }
    /// Good at the time judged: a fresh "good", or a revocation after a proven time.
    pub fn good_for_signature(&self) -> bool {
        matches!(self, RevocationStatus::Good { .. }) || matches!(self, RevocationStatus::Revoked { .. } if !self.revoked_for_signature())
    }
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
    /// The DER of the answer the status rests on (an `OCSPResponse` for the OCSP
    /// source kinds, a CRL otherwise): the evidence a long-term signature keeps.
    #[serde(skip)]
    pub evidence: Option<Vec<u8>>,
}

impl CertRevocation {
    /// The deciding answer as (is it OCSP, its DER), when there is one.
    pub fn evidence_der(&self) -> Option<(bool, &[u8])> {
        let kind = match &self.status {
            RevocationStatus::Good { source } | RevocationStatus::Revoked { source, .. } => source.kind,
            _ => return None,
        };
        let ocsp = matches!(kind, SourceKind::EmbeddedOcsp | SourceKind::OcspUrl);
        self.evidence.as_deref().map(|d| (ocsp, d))
    }
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
        invalidity: Option<OffsetDateTime>,
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

/// The time a certificate's status is judged at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JudgedAt {
    /// The time of the check: nothing proves the signature is older.
    Now,
    /// A time proven by a verified time-stamp (or an archive record).
    Proven(OffsetDateTime),
}

impl JudgedAt {
    /// The time itself (`now` for [`JudgedAt::Now`]).
    pub fn time(self, now: OffsetDateTime) -> OffsetDateTime {
        match self {
            JudgedAt::Now => now,
            JudgedAt::Proven(t) => t,
        }
    }
}

/// What the freshness of a "good" answer is judged against.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Times {
    /// The time judged.
    pub at: JudgedAt,
    /// The current time.
    pub now: OffsetDateTime,
    /// The answer came with the document (`/DSS`, the CMS, a time-stamp token): at
    /// a proven time it counts only if issued at or after that time. Answers
    /// fetched now or given with `--crl` may also be merely current.
    pub embedded: bool,
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
        let not_after = super::chain::to_time(&cert.tbs_certificate.validity.not_after);
        if this_update > not_after && !expired_certs_kept {
            return Some(format!("issued after the certificate expired ({}); it no longer lists this certificate", iso(not_after)));
        }
        let until = next_update.unwrap_or(this_update + NO_NEXT_UPDATE_GRACE);
        let current_now = until >= self.now;
        let fresh = match self.at {
            JudgedAt::Now => current_now,
            // Issued at or after the proven time (within the clocks' tolerance:
            // signers fetch OCSP/CRLs seconds before their time-stamp, from servers
            // whose clocks are not the TSA's). A CA certificate's status may also come
            // from an answer that was current at that time: CAs publish their
            // authority revocation lists weeks apart, and a key compromise of the
            // signer — the attack this rule stops — is judged on the signer's own
            // certificate.
            JudgedAt::Proven(t) => {
                this_update >= t - CLOCK_SKEW
                    || (current_now && !self.embedded)
                    || (super::chain::basic_constraints(cert).is_some_and(|b| b.ca) && this_update <= t && until >= t)
            }
        };
        if fresh {
            return None;
        }
        Some(match self.at {
            JudgedAt::Now => format!("out of date (next update was due {}); nothing proves an earlier signing time", iso(until)),
            JudgedAt::Proven(t) if self.embedded => {
                format!("issued {} before the proven time {}, so it cannot show the status then", iso(this_update), iso(t))
            }
            JudgedAt::Proven(t) => format!("out of date (next update was due {}) and issued before the proven time {}", iso(until), iso(t)),
        })
    }
}

/// Check the revocation status of every certificate of `path` (signer first,
/// trust anchor last; the anchor is not checked) at `at`.
pub fn check(path: &[Certificate], at: JudgedAt, sources: &RevocationSources, cache: &RevocationCache) -> RevocationReport {
    check_as_of(path, at, OffsetDateTime::now_utc(), sources, cache)
}

/// [`check`] with the current time given (tests, and checks that must agree on one "now").
pub fn check_as_of(
    path: &[Certificate],
    at: JudgedAt,
    now: OffsetDateTime,
    sources: &RevocationSources,
    cache: &RevocationCache,
) -> RevocationReport {
    let files = read_crl_files(&sources.crl_files);
    let fetcher = if sources.online { Some(fetch::Fetcher::new()) } else { None };
    let mut certificates = Vec::new();
    for pair in path.windows(2) {
        let [cert, issuer] = pair else { continue };
        certificates.push(check_one(cert, issuer, at, now, sources, &files, fetcher.as_ref(), cache));
    }
    let summary = if path.is_empty() {
        RevocationSummary::TryLater
    } else if certificates.iter().any(|c| c.status.revoked_for_signature()) {
        RevocationSummary::Revoked
    } else if certificates.iter().all(|c| c.status.good_for_signature()) {
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
fn check_one<'a_>(
    cert: &Certificate,
    issuer: &Certificate,
    at: JudgedAt,
    now: OffsetDateTime,
    sources: &'a_ RevocationSources,
    files: &'a_ [(String, Result<Vec<u8>, String>)],
    fetcher: Option<&fetch::Fetcher>,
    cache: &RevocationCache,
) -> CertRevocation {
    let mut tried: Vec<String> = Vec::new();
    let times = Times { at, now, embedded: true };
    let current = Times { at, now, embedded: false };
    // Whether any source said something about this certificate.
    let mut relevant = false;
    type Found<'d> = Option<(RevocationStatus, &'d [u8])>;
    let mut revoked: Found<'_> = None;
    let mut good: Found<'_> = None;
    let take = |status: Option<RevocationStatus>, der: &'a_ [u8], revoked: &mut Found<'a_>, good: &mut Found<'a_>| match status {
        // The earliest revocation found wins.
        Some(s @ RevocationStatus::Revoked { .. })
            if revoked.as_ref().is_none_or(|(r, _)| revocation_time_of(&s) < revocation_time_of(r)) =>
        {
            *revoked = Some((s, der));
        }
        Some(s @ RevocationStatus::Good { .. }) => {
            good.get_or_insert((s, der));
        }
        _ => {}
    };

    // 1–3. Everything embedded or given as a file is read: a revocation anywhere counts.
    for blob in &sources.ocsps {
        if let Some(outcome) = ocsp::evaluate(blob, cert, issuer, &times) {
            relevant = true;
            take(consider(outcome, SourceKind::EmbeddedOcsp, None, false, at, &mut tried), blob, &mut revoked, &mut good);
        }
    }
    for blob in &sources.crls {
        if let Some(outcome) = crl::evaluate(blob, cert, issuer, &times) {
            relevant = true;
            take(consider(outcome, SourceKind::EmbeddedCrl, None, false, at, &mut tried), blob, &mut revoked, &mut good);
        }
    }
    for (path, der) in files {
        match der {
            Ok(der) => {
                if let Some(outcome) = crl::evaluate(der, cert, issuer, &current) {
                    relevant = true;
                    take(consider(outcome, SourceKind::CrlFile, Some(path), false, at, &mut tried), der, &mut revoked, &mut good);
                }
            }
            Err(e) => tried.push(format!("CRL file {path}: {e}")),
        }
    }
    if let Some((s, der)) = revoked.or(good) {
        return finish(cert, s, tried, Some(der.to_vec()));
    }
    // 4. Online: OCSP responders, then CRL distribution points; the first usable answer.
    if let Some(fetcher) = fetcher {
        let ocsp_urls = ocsp::responder_urls(cert);
        let crl_urls = crl::distribution_points(cert);
        if ocsp_urls.is_empty() && crl_urls.is_empty() {
            tried.push("the certificate names no OCSP responder or CRL distribution point".into());
        }
        for url in &ocsp_urls {
            relevant = true;
            match ocsp::fetch_and_evaluate(fetcher, cache, url, cert, issuer, &current) {
                Ok((outcome, cached, der)) => {
                    if let Some(s) = consider(outcome, SourceKind::OcspUrl, Some(url), cached, at, &mut tried) {
                        return finish(cert, s, tried, Some(der));
                    }
                }
                Err(e) => tried.push(format!("OCSP {url}: {e}")),
            }
        }
        for url in &crl_urls {
            relevant = true;
            match crl::fetch_and_evaluate(fetcher, cache, url, cert, issuer, &current) {
                Ok((outcome, cached, der)) => {
                    if let Some(s) = consider(outcome, SourceKind::CrlUrl, Some(url), cached, at, &mut tried) {
                        return finish(cert, s, tried, Some(der));
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
    finish(cert, status, tried, None)
}

fn revocation_time_of(s: &RevocationStatus) -> String {
    match s {
        RevocationStatus::Revoked { revocation_time, .. } => revocation_time.clone(),
        _ => String::new(),
    }
}

/// Note what a source said in `tried`; the status if it was conclusive.
fn consider(
    outcome: Outcome,
    kind: SourceKind,
    location: Option<&str>,
    cached: bool,
    at: JudgedAt,
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
        Outcome::Revoked { time, invalidity, reason, this_update, next_update } => {
            let effective = invalidity.map_or(time, |i| i.min(time));
            let (after, proven) = match at {
                JudgedAt::Now => (false, false),
                JudgedAt::Proven(t) => (effective > t, true),
            };
            RevocationStatus::Revoked {
                revocation_time: iso(effective),
                reason,
                invalidity_date: invalidity.map(iso),
                after_judged_time: after,
                judged_time_proven: proven,
                source: source(this_update, next_update),
            }
        }
        Outcome::Unusable(why) => {
            tried.push(format!("{label}{cached_note}: {why}"));
            return None;
        }
    };
    tried.push(format!("{label}{cached_note}: {}", status.localize(Lang::En)));
    Some(status)
}

fn finish(cert: &Certificate, status: RevocationStatus, tried: Vec<String>, evidence: Option<Vec<u8>>) -> CertRevocation {
    CertRevocation {
        evidence,
        subject: subject(cert),
        serial: hex::encode_upper(cert.tbs_certificate.serial_number.as_bytes()),
        status,
        tried,
    }
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
