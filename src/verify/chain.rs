//! Certification path building and validation (RFC 5280 §6, simplified).
//!
//! A path runs from the signer's certificate to a trust anchor of the
//! [`TrustStore`]. Candidate issuers come from the CMS `certificates`, the PDF's
//! `/DSS` certificates, the store's intermediates and its anchors; they are
//! matched by name (issuer = subject) and, where both sides carry one, by
//! authority/subject key identifier. Each link's signature is verified with the
//! issuer's key; a link that does not verify is skipped and the search backtracks,
//! so a wrong same-named certificate in the pool cannot block a good path.
//!
//! A path ends at the first certificate that *is* an anchor: the same certificate,
//! or one with the same subject and public key (a re-issued copy). The anchor
//! itself is not checked for validity or extensions (RFC 5280 §6.1: the anchor is
//! input, not part of the path); the other certificates are checked at the given
//! time `at` (the signing time: claimed, or proven by a timestamp), the issuers for
//! `basicConstraints cA`, `pathLenConstraint` and `keyCertSign`, and the
//! end-entity for its key usage. Not done: certificate policies, name constraints
//! (reported as a warning when critical), and revocation (see
//! [`super::revocation`]).
//!
//! Signature algorithms: RSA PKCS#1 v1.5 with SHA-1 (flagged weak), SHA-256,
//! SHA-384, SHA-512; RSASSA-PSS (MGF1 with the same hash); ECDSA on P-256 and
//! P-384 with SHA-1 (weak), SHA-256, SHA-384, SHA-512.

use der::{Decode, Encode};
use serde::Serialize;
use sha2::Digest;
use spki::{AlgorithmIdentifierOwned, ObjectIdentifier, SubjectPublicKeyInfoOwned};
use time::OffsetDateTime;
use x509_cert::Certificate;

use super::algorithms::WEAK_SUNSET;
use crate::cms::names;
use crate::i18n::{Lang, Localize};
use crate::trust::{AnchorInfo, TrustStore};

/// Longest path tried (signer + intermediates + anchor).
pub const MAX_PATH_LEN: usize = 10;
/// Upper bound on signature checks during one search (guards against pools
/// crafted to make the search explode).
const MAX_STEPS: usize = 200;

/// What the end-entity certificate must be fit for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndEntityUsage {
    /// Signing documents: `keyUsage` (if present) has `digitalSignature` or
    /// `nonRepudiation`.
    DocumentSigning,
    /// A timestamping authority: `extKeyUsage` has `id-kp-timeStamping` (RFC 3161 §2.3).
    TimeStamping,
    /// No end-entity check (e.g. a CA certificate examined on its own).
    Any,
}

/// The outcome of building and checking a path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
#[non_exhaustive]
pub enum PathStatus {
    /// A path to a trust anchor exists and every check passed.
    Trusted,
    /// No path reaches a trust anchor. `reached` is the last certificate found;
    /// `untrustedRoot` says it is self-signed (an unknown root), otherwise its
    /// issuer `missingIssuer` was not found.
    NoChainFound {
        /// Subject of the highest certificate found.
        reached: String,
        /// The highest certificate is a self-signed root that is not trusted.
        untrusted_root: bool,
        /// The issuer name that could not be found.
        missing_issuer: String,
    },
    /// A certificate had expired at the validation time.
    Expired {
        /// Its subject.
        which: String,
        /// Its notAfter (ISO 8601, Vietnam time).
        not_after: String,
    },
    /// A certificate was not yet valid at the validation time.
    NotYetValid {
        /// Its subject.
        which: String,
        /// Its notBefore (ISO 8601, Vietnam time).
        not_before: String,
    },
    /// A certificate's signature does not verify with its issuer's key.
    BadSignature {
        /// Subject of the certificate whose signature failed.
        which: String,
    },
    /// A certificate is signed with an algorithm or key this verifier does not support.
    UnsupportedAlgorithm {
        /// Subject of the certificate.
        which: String,
        /// What is unsupported.
        algorithm: String,
    },
    /// An issuing certificate is not a CA (`basicConstraints cA` missing or false).
    NotCa {
        /// Its subject.
        which: String,
    },
    /// An issuer's `pathLenConstraint` is exceeded.
    PathTooLong {
        /// Subject of the constraining CA.
        which: String,
    },
    /// A key usage or extended key usage forbids the use.
    KeyUsage {
        /// Subject of the certificate.
        which: String,
        /// What is missing.
        why: String,
    },
}

impl PathStatus {
    /// The ETSI EN 319 102-1 indication and sub-indication this status maps to.
    pub fn etsi(&self) -> (&'static str, Option<&'static str>) {
        match self {
            PathStatus::Trusted => ("PASSED", None),
            PathStatus::NoChainFound { .. } => ("INDETERMINATE", Some("NO_CERTIFICATE_CHAIN_FOUND")),
            PathStatus::Expired { .. } => ("INDETERMINATE", Some("OUT_OF_BOUNDS_NO_POE")),
            PathStatus::NotYetValid { .. } => ("TOTAL_FAILED", Some("NOT_YET_VALID")),
            PathStatus::BadSignature { .. } => ("INDETERMINATE", Some("CERTIFICATE_CHAIN_GENERAL_FAILURE")),
            PathStatus::UnsupportedAlgorithm { .. } => ("INDETERMINATE", Some("CRYPTO_CONSTRAINTS_FAILURE_NO_POE")),
            PathStatus::NotCa { .. } | PathStatus::PathTooLong { .. } | PathStatus::KeyUsage { .. } => {
                ("INDETERMINATE", Some("CHAIN_CONSTRAINTS_FAILURE"))
            }
        }
    }
}

impl Localize for PathStatus {
    fn localize(&self, lang: Lang) -> String {
        use crate::tr;
        match self {
            PathStatus::Trusted => tr!(lang, "Chứng thư số được tin cậy", "The certificate is trusted"),
            PathStatus::NoChainFound { reached, untrusted_root: true, .. } => tr!(
                lang,
                "Chứng thư số thuộc một CA gốc không được tin cậy: {}",
                "The certificate belongs to an untrusted root CA: {}",
                reached
            ),
            PathStatus::NoChainFound { missing_issuer, .. } => tr!(
                lang,
                "Không xây dựng được đường dẫn chứng thực tới CA gốc tin cậy (thiếu chứng thư của {})",
                "No certification path to a trusted root (the certificate of {} is missing)",
                missing_issuer
            ),
            PathStatus::Expired { which, not_after } => tr!(
                lang,
                "Chứng thư số đã hết hạn vào thời điểm ký ({}, hết hạn {})",
                "The certificate had expired at signing time ({}, expired {})",
                which,
                not_after
            ),
            PathStatus::NotYetValid { which, not_before } => tr!(
                lang,
                "Chứng thư số chưa có hiệu lực vào thời điểm ký ({}, hiệu lực từ {})",
                "The certificate was not yet valid at signing time ({}, valid from {})",
                which,
                not_before
            ),
            PathStatus::BadSignature { which } => {
                tr!(lang, "Chữ ký trên chứng thư số không hợp lệ: {}", "The signature on a certificate does not verify: {}", which)
            }
            PathStatus::UnsupportedAlgorithm { which, algorithm } => tr!(
                lang,
                "Thuật toán không được hỗ trợ ({}) trên chứng thư số {}",
                "Unsupported algorithm ({}) on the certificate {}",
                algorithm,
                which
            ),
            PathStatus::NotCa { which } => {
                tr!(lang, "Chứng thư số cấp phát không phải của CA: {}", "An issuing certificate is not a CA: {}", which)
            }
            PathStatus::PathTooLong { which } => {
                tr!(lang, "Đường dẫn chứng thực dài hơn giới hạn của CA {}", "The path is longer than the CA {} allows", which)
            }
            PathStatus::KeyUsage { which, why } => {
                tr!(lang, "Mục đích sử dụng khóa không cho phép ({}): {}", "Key usage does not allow this ({}): {}", why, which)
            }
        }
    }
}

/// One certificate of a path, as shown in reports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PathEntry {
    /// Readable subject.
    pub subject: String,
    /// Readable issuer.
    pub issuer: String,
    /// Serial number, hex upper case.
    pub serial: String,
    /// SHA-256 of the DER certificate, hex upper case.
    pub sha256: String,
    /// notBefore (ISO 8601, Vietnam time).
    pub not_before: String,
    /// notAfter (ISO 8601, Vietnam time).
    pub not_after: String,
    /// The algorithm the certificate is signed with (e.g. `sha256WithRSAEncryption`).
    pub signature_algorithm: String,
    /// The signature algorithm is weak (SHA-1).
    pub weak_algorithm: bool,
    /// One of KýSố's bundled certificates, matched byte for byte against its
    /// SHA-256 pin: the pin, not its own (possibly weak) signature, vouches for it.
    pub pinned: bool,
    /// Issued before the weak-algorithm sunset by a pinned bundled *root* (the
    /// MIC National Root CA's or the first-generation government root's own
    /// issuing-CA and time-stamping certificates): its SHA-1 signature is accepted
    /// and reported (docs/verification-trust.md, "Weak algorithms").
    pub pinned_root_issued: bool,
}

/// The result of [`build_path`].
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PathReport {
    /// The verdict.
    pub status: PathStatus,
    /// The path, signer first; ends at the anchor when one was reached, otherwise
    /// at the highest certificate found.
    pub path: Vec<PathEntry>,
    /// The trust anchor the path ended at.
    pub anchor: Option<AnchorInfo>,
    /// The time the path was checked at (ISO 8601, Vietnam time).
    pub checked_at: String,
    /// Things that did not change the verdict but deserve a look (weak algorithms,
    /// unprocessed critical extensions, an anchor outside its validity).
    pub warnings: Vec<String>,
    /// The certificates of `path`, for [`super::revocation::check`].
    #[serde(skip)]
    pub certificates: Vec<Certificate>,
}

impl PathReport {
    /// The path reached an anchor and all checks passed.
    pub fn trusted(&self) -> bool {
        self.status == PathStatus::Trusted
    }

    /// The certificates of the path signed with a weak algorithm (SHA-1) whose
    /// bytes nothing else vouches for, as `subject: algorithm`: neither the anchor
    /// (its own signature is never relied on) nor a pinned bundled certificate.
    pub fn weak_links(&self) -> Vec<String> {
        let anchor = self.anchor.as_ref().map(|_| self.path.len().saturating_sub(1));
        self.path
            .iter()
            .enumerate()
            .filter(|(i, e)| e.weak_algorithm && !e.pinned && !e.pinned_root_issued && Some(*i) != anchor)
            .map(|(_, e)| format!("{}: {}", e.subject, e.signature_algorithm))
            .collect()
    }

    /// The pinned certificates of the path that are signed with a weak algorithm
    /// (reported, accepted).
    pub fn pinned_weak_links(&self) -> Vec<String> {
        let anchor = self.anchor.as_ref().map(|_| self.path.len().saturating_sub(1));
        self.path
            .iter()
            .enumerate()
            .filter(|(i, e)| e.weak_algorithm && (e.pinned || e.pinned_root_issued) && Some(*i) != anchor)
            .map(|(_, e)| format!("{}: {}", e.subject, e.signature_algorithm))
            .collect()
    }
}

/// Build and check the path of a document signer's certificate at `at`.
/// `pool` holds the certificates that came with the signature (CMS and `/DSS`).
pub fn build_path(signer: &Certificate, pool: &[Certificate], store: &TrustStore, at: OffsetDateTime) -> PathReport {
    build_path_for(signer, pool, store, at, EndEntityUsage::DocumentSigning)
}

/// [`build_path`] for any end-entity usage (e.g. a timestamping authority).
pub fn build_path_for(
    cert: &Certificate,
    pool: &[Certificate],
    store: &TrustStore,
    at: OffsetDateTime,
    usage: EndEntityUsage,
) -> PathReport {
    let mut candidates: Vec<&Certificate> = Vec::new();
    for c in pool.iter().chain(store.intermediates().iter()).chain(store.anchors().iter().map(|a| &a.certificate)) {
        if !candidates.contains(&c) {
            candidates.push(c);
        }
    }
    let mut search = Search { candidates, store, at, steps: 0, best: None };
    let mut chain = vec![cert.clone()];
    let found = search.extend(&mut chain);

    let mut warnings = Vec::new();
    let (status, anchor, certs) = if found {
        let anchor = chain.last().and_then(|c| store.anchor_for(c)).map(|a| a.info());
        let status = check_path(&chain, at, usage, &mut warnings);
        (status, anchor, chain)
    } else {
        match search.best {
            Some(best) => (best.status, None, best.chain),
            None => (no_chain(&chain), None, chain),
        }
    };
    let anchor_index = if anchor.is_some() { certs.len().saturating_sub(1) } else { usize::MAX };
    let path: Vec<PathEntry> = certs
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut e = entry(c);
            e.pinned = store.is_pinned(c);
            // Only a root that signs in key ceremonies (no content an applicant
            // chooses, so nothing to build a SHA-1 collision on), and only before
            // the sunset: a SHA-1 certificate issued after 2020 is never accepted.
            e.pinned_root_issued = certs.get(i + 1).is_some_and(|issuer| {
                store.is_pinned(issuer) && names::same(&issuer.tbs_certificate.subject, &issuer.tbs_certificate.issuer)
            }) && to_time(&c.tbs_certificate.validity.not_before) < WEAK_SUNSET;
            if e.weak_algorithm && i != anchor_index {
                warnings.push(if e.pinned {
                    format!("{} is signed with SHA-1; accepted because KýSố pins this certificate by its SHA-256 fingerprint", e.subject)
                } else if e.pinned_root_issued {
                    format!("{} is signed with SHA-1 by a root KýSố pins, before 2021; accepted", e.subject)
                } else {
                    format!("{} is signed with SHA-1, a weak algorithm", e.subject)
                });
            }
            e
        })
        .collect();
    PathReport { status, path, anchor, checked_at: crate::time::iso8601(at), warnings, certificates: certs }
}

struct Failure {
    depth: usize,
    status: PathStatus,
    chain: Vec<Certificate>,
}

struct Search<'a> {
    candidates: Vec<&'a Certificate>,
    store: &'a TrustStore,
    at: OffsetDateTime,
    steps: usize,
    best: Option<Failure>,
}

impl Search<'_> {
    fn record(&mut self, chain: &[Certificate], status: PathStatus) {
        let depth = chain.len();
        if self.best.as_ref().is_none_or(|b| depth > b.depth) {
            self.best = Some(Failure { depth, status, chain: chain.to_vec() });
        }
    }

    /// Depth-first search from the last certificate of `chain` to an anchor.
    fn extend(&mut self, chain: &mut Vec<Certificate>) -> bool {
        let Some(cur) = chain.last().cloned() else { return false };
        if self.store.anchor_for(&cur).is_some() {
            return true;
        }
        if chain.len() >= MAX_PATH_LEN {
            self.record(chain, no_chain(chain));
            return false;
        }
        // A self-signed root that is not an anchor ends the search: it is an
        // untrusted root, not a certificate forged in the name of the anchor
        // that bears the same name (a look-alike root with another key).
        if names::same(&cur.tbs_certificate.subject, &cur.tbs_certificate.issuer)
            && verify_certificate_signature(&cur, &cur.tbs_certificate.subject_public_key_info) == Ok(true)
        {
            self.steps += 1;
            self.record(chain, no_chain(chain));
            return false;
        }
        let aki = authority_key_id(&cur);
        let mut issuers: Vec<&Certificate> = self
            .candidates
            .iter()
            .copied()
            .filter(|c| names::same(&c.tbs_certificate.subject, &cur.tbs_certificate.issuer))
            .filter(|c| match (&aki, crate::verify::crypto::subject_key_id(c)) {
                (Some(a), Some(s)) => *a == s,
                _ => true,
            })
            .filter(|c| !chain.iter().any(|x| same_entity(x, c)))
            .collect();
        // Anchors first, then certificates valid at the time.
        issuers.sort_by_key(|c| (self.store.anchor_for(c).is_none(), !valid_at(c, self.at)));
        if issuers.is_empty() {
            self.record(chain, no_chain(chain));
            return false;
        }
        for issuer in issuers {
            self.steps += 1;
            if self.steps > MAX_STEPS {
                return false;
            }
            match verify_certificate_signature(&cur, &issuer.tbs_certificate.subject_public_key_info) {
                Ok(true) => {
                    chain.push(issuer.clone());
                    if self.extend(chain) {
                        return true;
                    }
                    chain.pop();
                }
                Ok(false) => self.record(chain, PathStatus::BadSignature { which: subject(&cur) }),
                Err(e) => self.record(chain, PathStatus::UnsupportedAlgorithm { which: subject(&cur), algorithm: e }),
            }
        }
        false
    }
}

fn no_chain(chain: &[Certificate]) -> PathStatus {
    match chain.last() {
        Some(top) => PathStatus::NoChainFound {
            reached: subject(top),
            untrusted_root: names::same(&top.tbs_certificate.subject, &top.tbs_certificate.issuer),
            missing_issuer: names::display(&top.tbs_certificate.issuer),
        },
        None => PathStatus::NoChainFound { reached: String::new(), untrusted_root: false, missing_issuer: String::new() },
    }
}

/// Same certificate, or same subject and key (loop guard).
fn same_entity(a: &Certificate, b: &Certificate) -> bool {
    a == b
        || (names::same(&a.tbs_certificate.subject, &b.tbs_certificate.subject)
            && a.tbs_certificate.subject_public_key_info == b.tbs_certificate.subject_public_key_info)
}

/// Check validity, CA flags, path length and key usage along a found path
/// (signer first, anchor last).
fn check_path(chain: &[Certificate], at: OffsetDateTime, usage: EndEntityUsage, warnings: &mut Vec<String>) -> PathStatus {
    let n = chain.len();
    if let Some(anchor) = chain.last() {
        if n > 1 && !valid_at(anchor, at) {
            warnings.push(format!("the trust anchor {} is outside its validity period at that time", subject(anchor)));
        }
    }
    // A lone certificate that is itself an anchor: nothing to check.
    if n <= 1 {
        return PathStatus::Trusted;
    }
    for (i, c) in chain[..n - 1].iter().enumerate() {
        let t = &c.tbs_certificate.validity;
        if at < to_time(&t.not_before) {
            return PathStatus::NotYetValid { which: subject(c), not_before: iso(&t.not_before) };
        }
        if at > to_time(&t.not_after) {
            return PathStatus::Expired { which: subject(c), not_after: iso(&t.not_after) };
        }
        for e in c.tbs_certificate.extensions.iter().flatten() {
            if e.critical && !KNOWN_CRITICAL.contains(&e.extn_id.to_string().as_str()) {
                warnings.push(format!("{} has a critical extension {} that is not processed", subject(c), e.extn_id));
            }
        }
        if i == 0 {
            if let Some(status) = check_end_entity(c, usage) {
                return status;
            }
            continue;
        }
        match basic_constraints(c) {
            Some(bc) if bc.ca => {
                // Intermediates below this CA (not counting the end entity or
                // self-issued certificates).
                let below = chain[1..i].iter().filter(|x| x.tbs_certificate.subject != x.tbs_certificate.issuer).count();
                if let Some(max) = bc.path_len_constraint {
                    if below > usize::from(max) {
                        return PathStatus::PathTooLong { which: subject(c) };
                    }
                }
            }
            _ => return PathStatus::NotCa { which: subject(c) },
        }
        if let Some(ku) = key_usage(c) {
            if !ku.key_cert_sign() {
                return PathStatus::KeyUsage { which: subject(c), why: "keyCertSign".into() };
            }
        }
    }
    PathStatus::Trusted
}

fn check_end_entity(c: &Certificate, usage: EndEntityUsage) -> Option<PathStatus> {
    match usage {
        EndEntityUsage::Any => None,
        EndEntityUsage::DocumentSigning => match key_usage(c) {
            Some(ku) if !(ku.digital_signature() || ku.non_repudiation()) => {
                Some(PathStatus::KeyUsage { which: subject(c), why: "digitalSignature / nonRepudiation".into() })
            }
            _ => None,
        },
        EndEntityUsage::TimeStamping => {
            let ok = extended_key_usage(c).is_some_and(|e| e.contains(&const_oid::db::rfc5280::ID_KP_TIME_STAMPING));
            (!ok).then(|| PathStatus::KeyUsage { which: subject(c), why: "extKeyUsage timeStamping".into() })
        }
    }
}

/// Critical extensions this module understands (or which do not restrict a path
/// for document signing).
const KNOWN_CRITICAL: [&str; 9] = [
    "2.5.29.19",            // basicConstraints
    "2.5.29.15",            // keyUsage
    "2.5.29.37",            // extKeyUsage
    "2.5.29.17",            // subjectAltName
    "2.5.29.32",            // certificatePolicies
    "2.5.29.14",            // subjectKeyIdentifier
    "2.5.29.35",            // authorityKeyIdentifier
    "2.5.29.31",            // cRLDistributionPoints
    "1.3.6.1.5.5.7.48.1.5", // id-pkix-ocsp-nocheck
];

fn entry(c: &Certificate) -> PathEntry {
    let t = &c.tbs_certificate;
    let (alg_name, weak) = algorithm_name(&c.signature_algorithm.oid);
    PathEntry {
        subject: names::display(&t.subject),
        issuer: names::display(&t.issuer),
        serial: hex::encode_upper(t.serial_number.as_bytes()),
        sha256: c.to_der().map(|d| hex::encode_upper(sha2::Sha256::digest(d))).unwrap_or_default(),
        not_before: iso(&t.validity.not_before),
        not_after: iso(&t.validity.not_after),
        signature_algorithm: alg_name,
        weak_algorithm: weak,
        pinned: false,
        pinned_root_issued: false,
    }
}

pub(crate) fn subject(c: &Certificate) -> String {
    names::display(&c.tbs_certificate.subject)
}

/// An X.509 time as an `OffsetDateTime` (UTC).
pub(crate) fn to_time(t: &x509_cert::time::Time) -> OffsetDateTime {
    let secs = i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX);
    OffsetDateTime::from_unix_timestamp(secs).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

fn iso(t: &x509_cert::time::Time) -> String {
    crate::time::iso8601(to_time(t))
}

/// Whether `at` lies within the certificate's validity period.
pub fn valid_at(c: &Certificate, at: OffsetDateTime) -> bool {
    let v = &c.tbs_certificate.validity;
    to_time(&v.not_before) <= at && at <= to_time(&v.not_after)
}

/// The DER value of the certificate's extension `oid`.
pub(crate) fn extension(c: &Certificate, oid: ObjectIdentifier) -> Option<&[u8]> {
    c.tbs_certificate.extensions.as_ref()?.iter().find(|e| e.extn_id == oid).map(|e| e.extn_value.as_bytes())
}

fn authority_key_id(c: &Certificate) -> Option<Vec<u8>> {
    let v = extension(c, const_oid::db::rfc5280::ID_CE_AUTHORITY_KEY_IDENTIFIER)?;
    let aki = x509_cert::ext::pkix::AuthorityKeyIdentifier::from_der(v).ok()?;
    aki.key_identifier.map(|k| k.as_bytes().to_vec())
}

/// The certificate's basicConstraints, if present and well-formed.
/// Whether `c` is a CA certificate (`basicConstraints cA TRUE`).
pub fn is_ca(c: &Certificate) -> bool {
    basic_constraints(c).is_some_and(|b| b.ca)
}

pub(crate) fn basic_constraints(c: &Certificate) -> Option<x509_cert::ext::pkix::BasicConstraints> {
    let v = extension(c, const_oid::db::rfc5280::ID_CE_BASIC_CONSTRAINTS)?;
    x509_cert::ext::pkix::BasicConstraints::from_der(v).ok()
}

/// The certificate's keyUsage, if present and well-formed.
pub(crate) fn key_usage(c: &Certificate) -> Option<x509_cert::ext::pkix::KeyUsage> {
    let v = extension(c, const_oid::db::rfc5280::ID_CE_KEY_USAGE)?;
    x509_cert::ext::pkix::KeyUsage::from_der(v).ok()
}

/// The certificate's extKeyUsage purposes, if present and well-formed.
pub(crate) fn extended_key_usage(c: &Certificate) -> Option<Vec<ObjectIdentifier>> {
    let v = extension(c, const_oid::db::rfc5280::ID_CE_EXT_KEY_USAGE)?;
    x509_cert::ext::pkix::ExtendedKeyUsage::from_der(v).ok().map(|e| e.0)
}

/// Verify `cert`'s signature with the issuer key `issuer_key`.
pub fn verify_certificate_signature(cert: &Certificate, issuer_key: &SubjectPublicKeyInfoOwned) -> Result<bool, String> {
    let tbs = cert.tbs_certificate.to_der().map_err(|e| e.to_string())?;
    let sig = cert.signature.as_bytes().ok_or("the signature is not a whole number of bytes")?;
    verify_signed_data(issuer_key, &cert.signature_algorithm, &tbs, sig)
}

/// Hash `data` with the digest algorithm `oid` (SHA-1, SHA-256, SHA-384, SHA-512).
pub(crate) fn digest_by_oid(oid: &ObjectIdentifier, data: &[u8]) -> Option<Vec<u8>> {
    crate::verify::crypto::DigestAlg::from_oid(*oid).map(|h| h.digest(data))
}

/// Display name of a signature algorithm and whether it is weak (SHA-1).
pub fn algorithm_name(oid: &ObjectIdentifier) -> (String, bool) {
    let s = oid.to_string();
    let (name, weak) = match s.as_str() {
        "1.2.840.113549.1.1.5" => ("sha1WithRSAEncryption", true),
        "1.2.840.113549.1.1.11" => ("sha256WithRSAEncryption", false),
        "1.2.840.113549.1.1.12" => ("sha384WithRSAEncryption", false),
        "1.2.840.113549.1.1.13" => ("sha512WithRSAEncryption", false),
        "1.2.840.113549.1.1.10" => ("RSASSA-PSS", false),
        "1.2.840.10045.4.1" => ("ecdsa-with-SHA1", true),
        "1.2.840.10045.4.3.2" => ("ecdsa-with-SHA256", false),
        "1.2.840.10045.4.3.3" => ("ecdsa-with-SHA384", false),
        "1.2.840.10045.4.3.4" => ("ecdsa-with-SHA512", false),
        _ => return (s, false),
    };
    (name.to_owned(), weak)
}

/// Verify a signature made over `message` with the key `key`, for a
/// certificate, CRL or OCSP signature algorithm `alg`. `Ok(false)`: the
/// signature does not verify; `Err`: the algorithm or key is unsupported or
/// malformed.
pub fn verify_signed_data(
    key: &SubjectPublicKeyInfoOwned,
    alg: &AlgorithmIdentifierOwned,
    message: &[u8],
    signature: &[u8],
) -> Result<bool, String> {
    use crate::verify::crypto::{scheme_of, verify_with_key, Signed};
    verify_with_key(key, scheme_of(alg)?, Signed::Bytes(message), signature)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trust::BUNDLED;

    #[test]
    fn bundled_issuing_cas_chain_to_their_roots() {
        let store = TrustStore::bundled();
        let now = OffsetDateTime::now_utc();
        for (ca, root_pin) in [(&BUNDLED[1], BUNDLED[0].sha256), (&BUNDLED[3], BUNDLED[2].sha256), (&BUNDLED[5], BUNDLED[4].sha256)] {
            let Some(cert) = ca.certificate() else { panic!("{} does not load", ca.file) };
            let r = build_path_for(&cert, &[], &store, now, EndEntityUsage::Any);
            assert_eq!(r.status, PathStatus::Trusted, "{}: {:?}", ca.file, r.status);
            assert_eq!(r.path.len(), 2);
            assert_eq!(r.anchor.as_ref().map(|a| a.sha256.as_str()), Some(root_pin));
        }
    }
}
