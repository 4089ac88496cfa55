//! Checks of the CMS `SignedData` inside a PDF signature (RFC 5652 §5.4, §5.6;
//! ETSI EN 319 142-1 for PAdES): decoding, the signer's certificate, the message
//! digest over the byte ranges, the signature value, ESS signing-certificate(-v2),
//! and what the CMS carries for later checks (certificates, embedded revocation
//! data, signature time-stamp tokens — checked by [`super::timestamp`]).
//!
//! [`check_signer`] is the part shared with time-stamp tokens: one SignerInfo
//! against the content it signs.

use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use const_oid::ObjectIdentifier;
use der::asn1::OctetString;
use der::Encode;
use serde::Serialize;
use sha2::Digest;
use x509_cert::Certificate;

use super::crypto::{self, DigestAlg};
use crate::cms::builder::ID_MESSAGE_DIGEST;
use crate::cms::ess::{SigningCertificateV2, ID_AA_SIGNING_CERTIFICATE_V2};
use crate::cms::read::{read_signed_data, ReadSignedData};
use crate::pdf::{PdfError, PdfFile};

/// `id-aa-signatureTimeStampToken` (RFC 3161 Appendix A).
pub const ID_AA_SIGNATURE_TIME_STAMP: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");
/// Adobe `adbe-revocationInfoArchival` signed attribute.
pub const ID_ADBE_REVOCATION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113583.1.1.8");
/// `id-aa-signingCertificate` (ESS v1, SHA-1).
pub const ID_AA_SIGNING_CERTIFICATE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.12");
/// `id-contentType` signed attribute (RFC 5652 §11.1).
pub const ID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
/// `id-data` (RFC 5652 §4).
pub const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");

/// What the CMS of one signature proved, and what it carries.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CmsReport {
    /// The signer certificate was found in the CMS.
    #[serde(skip)]
    pub signer: Option<Certificate>,
    /// All certificates the CMS carries.
    #[serde(skip)]
    pub certificates: Vec<Certificate>,
    /// Digest algorithm name.
    pub digest_algorithm: Option<String>,
    /// Signature algorithm OID.
    pub signature_algorithm: Option<String>,
    /// The covered bytes hash to the signed message digest.
    pub digest_ok: bool,
    /// The signature value verifies with the signer's key.
    pub signature_ok: bool,
    /// ESS signing-certificate(-v2) names the signer's certificate (None: absent).
    pub signing_certificate_ok: Option<bool>,
    /// A weak algorithm (SHA-1, RSA < 2048) was used.
    pub weak_algorithm: Option<String>,
    /// Where the encoding is not DER but was accepted (BER, duplicated SET members).
    pub leniency: Vec<String>,
    /// Genuine time of a verified signature time-stamp (filled in by the engine).
    pub timestamp: Option<String>,
    /// The signature time-stamp tokens of the unsigned attributes (DER), for
    /// [`super::timestamp`].
    #[serde(skip)]
    pub timestamp_tokens: Vec<Vec<u8>>,
    /// The SignerInfo's signature value (what a signature time-stamp's imprint hashes).
    #[serde(skip)]
    pub signature_value: Vec<u8>,
    /// Embedded CRLs (DER) from adbe-revocationInfoArchival and the `crls` field.
    #[serde(skip)]
    pub crls: Vec<Vec<u8>>,
    /// Embedded OCSP responses (DER) from adbe-revocationInfoArchival.
    #[serde(skip)]
    pub ocsps: Vec<Vec<u8>>,
    /// What went wrong, if anything.
    pub problem: Option<CmsProblem>,
}

/// Why the CMS failed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind", content = "detail")]
pub enum CmsProblem {
    /// Not decodable as a CMS SignedData, or not the structure this signature type needs.
    Format(String),
    /// No signer certificate in the CMS.
    NoSigningCertificate,
    /// Digest mismatch.
    Hash,
    /// Signature value invalid.
    Crypto(String),
    /// An algorithm or key this verifier cannot check (the algorithm is named).
    Unsupported(String),
    /// ESS signing-certificate does not match.
    SigningCertificateMismatch,
}

/// How the CMS of a signature relates to the signed bytes (`/SubFilter`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmsForm {
    /// `adbe.pkcs7.detached`, `ETSI.CAdES.detached`: no encapsulated content; the
    /// message digest is over the byte ranges.
    Detached,
    /// `adbe.pkcs7.sha1` (ISO 32000-1 §12.8.3.3.1, deprecated in PDF 2.0): the
    /// SHA-1 digest of the byte ranges is the encapsulated `id-data` content,
    /// which the SignerInfo signs.
    Sha1Encapsulated,
}

/// The end of the DER inside `/Contents`, or the whole when it cannot be told.
pub fn trim_padding(c: &[u8]) -> &[u8] {
    if let Some(e) = crate::cms::ber::der_element(c) {
        return e.whole;
    }
    match crate::cms::ber::to_der_with_len(c) {
        Ok((_, used)) => c.get(..used).unwrap_or(c),
        Err(_) => c,
    }
}

/// Hash the byte ranges of `pdf` with `alg`, streaming, through the handle (or the
/// in-memory copy) its objects were parsed from: the bytes hashed are the bytes the
/// verdict describes, even if another file is renamed over its path meanwhile.
pub fn hash_ranges(pdf: &PdfFile, br: &[(u64, u64)], alg: DigestAlg) -> std::io::Result<Vec<u8>> {
    let mut h = alg.hasher();
    for &(start, len) in br {
        pdf.stream_range(start, len, &mut |piece| h.update(piece)).map_err(|e| match e {
            PdfError::Truncated => std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "byte range past the end"),
            e => std::io::Error::other(e),
        })?;
    }
    Ok(h.finalize())
}

/// Check the detached CMS `contents` of a signature whose covered ranges are
/// `ranges` in `pdf`.
pub fn check(pdf: &PdfFile, contents: &[u8], ranges: &[(u64, u64)]) -> CmsReport {
    check_form(pdf, contents, ranges, CmsForm::Detached)
}

/// [`check`] for a CMS of the given form.
pub fn check_form(pdf: &PdfFile, contents: &[u8], ranges: &[(u64, u64)], form: CmsForm) -> CmsReport {
    let mut r = CmsReport::default();
    if let Err(p) = check_into(pdf, contents, ranges, form, &mut r) {
        r.problem = Some(p);
    }
    r
}

fn check_into(pdf: &PdfFile, contents: &[u8], ranges: &[(u64, u64)], form: CmsForm, r: &mut CmsReport) -> Result<(), CmsProblem> {
    if contents.iter().all(|&b| b == 0) {
        return Err(CmsProblem::Format("/Contents is empty".into()));
    }
    let read = read_signed_data(contents).map_err(|e| CmsProblem::Format(e.to_string()))?;
    // Whatever follows the encoding inside /Contents must be the zero padding:
    // other bytes would make two different files carry "the same" signature.
    let junk = contents.get(read.encoded_len..).unwrap_or_default().iter().filter(|&&b| b != 0).count();
    if junk > 0 {
        return Err(CmsProblem::Format(format!("{junk} non-zero bytes follow the CMS inside /Contents (only zero padding may follow it)")));
    }
    r.leniency = read.leniency.iter().map(|s| (*s).to_owned()).collect();
    let sd = &read.signed_data;
    r.certificates = certificates(sd);
    r.crls = sd_crls(sd);
    let si = single_signer(sd)?;
    r.signature_value = si.signature.as_bytes().to_vec();
    collect_revocation(si, r);
    r.timestamp_tokens = timestamp_tokens(si);

    let econtent = sd.encap_content_info.econtent.as_ref();
    let content_digest = match form {
        CmsForm::Detached => {
            if let Some(any) = econtent {
                // Some producers (seen in 2022 Vietnamese contracts, accepted by
                // poppler) write an empty id-data OCTET STRING instead of leaving
                // eContent out: it carries nothing, so it is read as detached.
                match any.decode_as::<OctetString>() {
                    Ok(os) if os.as_bytes().is_empty() => {
                        r.leniency.push("an empty encapsulated content, read as detached".into());
                    }
                    _ => return Err(CmsProblem::Format("the CMS is not detached (it encapsulates content)".into())),
                }
            }
            Content::Ranges { pdf, ranges }
        }
        // A tool that wrote adbe.pkcs7.sha1 but signed detached: read it as detached.
        CmsForm::Sha1Encapsulated if econtent.is_none() => {
            r.leniency.push("adbe.pkcs7.sha1 without an encapsulated digest, read as detached".into());
            Content::Ranges { pdf, ranges }
        }
        CmsForm::Sha1Encapsulated => {
            let os: OctetString = econtent
                .ok_or_else(|| CmsProblem::Format("adbe.pkcs7.sha1: no encapsulated digest".into()))?
                .decode_as()
                .map_err(|e| CmsProblem::Format(format!("adbe.pkcs7.sha1: the encapsulated content is not an OCTET STRING: {e}")))?;
            let actual = hash_ranges(pdf, ranges, DigestAlg::Sha1).map_err(|e| CmsProblem::Format(e.to_string()))?;
            r.weak_algorithm = Some("SHA-1".into());
            if os.as_bytes() != actual.as_slice() {
                // The document no longer hashes to the digest the signer signed.
                r.digest_algorithm = Some("SHA-1".into());
                r.signer = find_signer(&r.certificates, si);
                return Err(CmsProblem::Hash);
            }
            Content::Bytes(os.as_bytes().to_vec())
        }
    };
    let c = check_signer(&read, si, &r.certificates, content_digest);
    r.signer = c.signer.clone();
    r.signature_algorithm = Some(si.signature_algorithm.oid.to_string());
    r.digest_algorithm = c.digest_algorithm.map(|a| a.name().to_owned());
    r.digest_ok = c.digest_ok;
    r.signature_ok = c.signature_ok;
    r.signing_certificate_ok = c.signing_certificate_ok;
    if let Some(w) = c.weak.or(r.weak_algorithm.take()) {
        r.weak_algorithm = Some(w);
    }
    match c.problem {
        Some(p) => Err(p),
        None => Ok(()),
    }
}

/// The one SignerInfo PAdES and RFC 3161 allow.
pub(crate) fn single_signer(sd: &SignedData) -> Result<&SignerInfo, CmsProblem> {
    let mut infos = sd.signer_infos.0.iter();
    let si = infos.next().ok_or_else(|| CmsProblem::Format("no SignerInfo".into()))?;
    if infos.next().is_some() {
        return Err(CmsProblem::Format("more than one SignerInfo".into()));
    }
    Ok(si)
}

/// The certificates a `SignedData` carries.
pub(crate) fn certificates(sd: &SignedData) -> Vec<Certificate> {
    sd.certificates
        .iter()
        .flat_map(|s| s.0.iter())
        .filter_map(|c| match c {
            cms::cert::CertificateChoices::Certificate(c) => Some(c.clone()),
            _ => None,
        })
        .collect()
}

/// The CRLs of a `SignedData`'s `crls` field (DER).
pub(crate) fn sd_crls(sd: &SignedData) -> Vec<Vec<u8>> {
    sd.crls
        .iter()
        .flat_map(|s| s.0.iter())
        .filter_map(|c| match c {
            cms::revocation::RevocationInfoChoice::Crl(crl) => crl.to_der().ok(),
            _ => None,
        })
        .collect()
}

/// The certificate `si` names, among `certs`.
pub(crate) fn find_signer(certs: &[Certificate], si: &SignerInfo) -> Option<Certificate> {
    certs
        .iter()
        .find(|c| match &si.sid {
            SignerIdentifier::IssuerAndSerialNumber(ias) => {
                c.tbs_certificate.serial_number == ias.serial_number && crate::cms::names::same(&c.tbs_certificate.issuer, &ias.issuer)
            }
            SignerIdentifier::SubjectKeyIdentifier(ski) => crypto::subject_key_id(c).as_deref() == Some(ski.0.as_bytes()),
        })
        .cloned()
}

/// What a SignerInfo signs.
pub(crate) enum Content<'a> {
    /// The byte ranges of a file (detached PDF signatures, document time-stamps).
    Ranges {
        /// The file.
        pdf: &'a PdfFile,
        /// `(offset, length)` pairs.
        ranges: &'a [(u64, u64)],
    },
    /// Encapsulated content (a time-stamp token's TSTInfo, an adbe.pkcs7.sha1 digest).
    Bytes(Vec<u8>),
}

/// The outcome of [`check_signer`].
#[derive(Clone, Debug, Default)]
pub(crate) struct SignerCheck {
    pub signer: Option<Certificate>,
    pub digest_algorithm: Option<DigestAlg>,
    pub digest_ok: bool,
    pub signature_ok: bool,
    pub signing_certificate_ok: Option<bool>,
    pub weak: Option<String>,
    pub problem: Option<CmsProblem>,
}

/// Check SignerInfo `si` of `read` over `content`: its certificate (among `certs`),
/// message digest, signature value and ESS signing-certificate.
pub(crate) fn check_signer(read: &ReadSignedData, si: &SignerInfo, certs: &[Certificate], content: Content<'_>) -> SignerCheck {
    let mut c = SignerCheck::default();
    if let Err(p) = check_signer_into(read, si, certs, content, &mut c) {
        c.problem = Some(p);
    }
    c
}

fn check_signer_into(
    read: &ReadSignedData,
    si: &SignerInfo,
    certs: &[Certificate],
    content: Content<'_>,
    c: &mut SignerCheck,
) -> Result<(), CmsProblem> {
    let cert = find_signer(certs, si).ok_or(CmsProblem::NoSigningCertificate)?;
    c.signer = Some(cert.clone());
    let alg = match DigestAlg::from_oid(si.digest_alg.oid) {
        Some(alg) => alg,
        None => {
            let oid = si.digest_alg.oid.to_string();
            if oid.starts_with("1.2.840.113549.1.1.") {
                return Err(CmsProblem::Format(format!(
                    "digest algorithm {oid} is not a supported digest (a signature algorithm written where the digest algorithm belongs)"
                )));
            }
            return Err(CmsProblem::Unsupported(format!("digest algorithm {}", crypto::algorithm_label(&oid))));
        }
    };
    c.digest_algorithm = Some(alg);
    if alg.is_weak() {
        c.weak = Some(alg.name().into());
    }
    let actual = match &content {
        Content::Ranges { pdf, ranges } => hash_ranges(pdf, ranges, alg).map_err(|e| CmsProblem::Format(e.to_string()))?,
        Content::Bytes(b) => alg.digest(b),
    };
    let der_attrs = match si.signed_attrs.as_ref() {
        Some(attrs) => {
            let md = attrs
                .iter()
                .find(|a| a.oid == ID_MESSAGE_DIGEST)
                .and_then(|a| a.values.iter().next())
                .and_then(|v| v.decode_as::<OctetString>().ok())
                .ok_or_else(|| CmsProblem::Format("no message-digest attribute".into()))?;
            c.digest_ok = md.as_bytes() == actual.as_slice();
            Some(attrs.to_der().map_err(|e| CmsProblem::Format(e.to_string()))?)
        }
        None => None,
    };
    let no_attrs = der_attrs.is_none();
    let sig = si.signature.as_bytes();
    let verify = |m: crypto::Signed<'_>| crypto::verify_signature(&cert, &si.signature_algorithm, alg, m, sig);
    let verified = match (&der_attrs, read.signed_attrs_as_written.as_deref()) {
        // The signed attributes as the producer wrote them first, then their DER
        // re-encoding (the same bytes when the producer wrote DER, RFC 5652 §5.4).
        (Some(der), Some(written)) if written != der.as_slice() => match verify(crypto::Signed::Bytes(written)) {
            Ok(true) => Ok(true),
            _ => verify(crypto::Signed::Bytes(der)),
        },
        (Some(der), _) => verify(crypto::Signed::Bytes(der)),
        // Without signed attributes the signature is over the content digest
        // itself (RFC 5652 §5.4); the digest "holds" exactly when the signature does.
        (None, _) => verify(crypto::Signed::Digest(&actual)),
    };
    match verified {
        Ok(ok) => c.signature_ok = ok,
        Err(e) => {
            if !c.digest_ok && !no_attrs {
                return Err(CmsProblem::Hash);
            }
            return Err(CmsProblem::Unsupported(e));
        }
    }
    if no_attrs {
        c.digest_ok = c.signature_ok;
    }
    if let Some(bits) = crypto::rsa_bits(&cert) {
        if bits < 2048 {
            c.weak = Some(format!("RSA-{bits}"));
        }
    }
    c.signing_certificate_ok = signing_certificate_matches(si, &cert);
    if !c.digest_ok {
        return Err(CmsProblem::Hash);
    }
    if !c.signature_ok {
        let why = crypto::plain_ecdsa_note(sig).unwrap_or("the signature value does not verify");
        return Err(CmsProblem::Crypto(why.into()));
    }
    if c.signing_certificate_ok == Some(false) {
        return Err(CmsProblem::SigningCertificateMismatch);
    }
    Ok(())
}

/// ESS signing-certificate-v2 (or v1): the hash must be the signer's certificate's.
pub(crate) fn signing_certificate_matches(si: &SignerInfo, cert: &Certificate) -> Option<bool> {
    let attrs = si.signed_attrs.as_ref()?;
    let cert_der = cert.to_der().ok()?;
    if let Some(a) = attrs.iter().find(|a| a.oid == ID_AA_SIGNING_CERTIFICATE_V2) {
        let v = a.values.iter().next()?;
        let scv2: SigningCertificateV2 = v.decode_as().ok()?;
        let first = scv2.certs.first()?;
        let hash = match first.hash_algorithm.as_ref().map(|h| h.oid.to_string()) {
            None => sha2::Sha256::digest(&cert_der).to_vec(),
            Some(o) => match DigestAlg::from_oid(o.parse().ok()?) {
                Some(alg) => alg.digest(&cert_der),
                None => return Some(false),
            },
        };
        return Some(first.cert_hash.as_bytes() == hash.as_slice());
    }
    if let Some(a) = attrs.iter().find(|a| a.oid == ID_AA_SIGNING_CERTIFICATE) {
        // ESS v1 (RFC 2634 §5.4): SigningCertificate ::= SEQUENCE { certs SEQUENCE OF
        // ESSCertID, … }, ESSCertID ::= SEQUENCE { certHash OCTET STRING (SHA-1), … }.
        let v = a.values.iter().next()?.to_der().ok()?;
        let first = ess_v1_first_hash(&v)?;
        return Some(first[..] == sha1::Sha1::digest(&cert_der)[..]);
    }
    None
}

/// The first certHash of an ESS v1 `SigningCertificate` (DER).
fn ess_v1_first_hash(der: &[u8]) -> Option<Vec<u8>> {
    use crate::cms::ber::{der_children, der_element};
    let sc = der_element(der)?;
    let certs = der_children(sc.body)?.into_iter().next()?;
    let first = der_children(certs.body)?.into_iter().next()?;
    let hash = der_children(first.body)?.into_iter().next()?;
    (hash.tag == 0x04).then(|| hash.body.to_vec())
}

/// Pull CRLs and OCSP responses out of the `adbe-revocationInfoArchival`
/// signed attribute (parsed by [`crate::verify::revocation::parse_adbe_revocation_info`]).
fn collect_revocation(si: &SignerInfo, r: &mut CmsReport) {
    let Some(attrs) = si.signed_attrs.as_ref() else { return };
    let Some(v) = attrs.iter().find(|a| a.oid == ID_ADBE_REVOCATION).and_then(|a| a.values.iter().next()) else { return };
    let Ok(der) = v.to_der() else { return };
    if let Ok(info) = crate::verify::revocation::parse_adbe_revocation_info(&der) {
        r.crls.extend(info.crls);
        r.ocsps.extend(info.ocsps);
    }
}

/// The signature time-stamp tokens (`ContentInfo`, DER) among the unsigned attributes.
fn timestamp_tokens(si: &SignerInfo) -> Vec<Vec<u8>> {
    si.unsigned_attrs
        .iter()
        .flat_map(|attrs| attrs.iter())
        .filter(|a| a.oid == ID_AA_SIGNATURE_TIME_STAMP)
        .flat_map(|a| a.values.iter())
        .filter_map(|v| v.to_der().ok())
        .collect()
}
