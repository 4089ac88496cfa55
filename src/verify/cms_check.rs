//! Checks of the CMS `SignedData` inside a PDF signature (RFC 5652 §5.4, §5.6;
//! ETSI EN 319 142-1 for PAdES): decoding, the signer's certificate, the message
//! digest over the byte ranges, the signature value, ESS signing-certificate(-v2),
//! and what the CMS carries for later checks (certificates, embedded revocation
//! data, a signature time-stamp).

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use const_oid::ObjectIdentifier;
use der::asn1::OctetString;
use der::{Decode, Encode};
use serde::Serialize;
use sha2::Digest;
use x509_cert::Certificate;

use super::crypto::{self, DigestAlg};
use crate::cms::builder::ID_MESSAGE_DIGEST;
use crate::cms::ess::{SigningCertificateV2, ID_AA_SIGNING_CERTIFICATE_V2};

/// `id-aa-signatureTimeStampToken` (RFC 3161 Appendix A).
pub const ID_AA_SIGNATURE_TIME_STAMP: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");
/// Adobe `adbe-revocationInfoArchival` signed attribute.
pub const ID_ADBE_REVOCATION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113583.1.1.8");
/// `id-aa-signingCertificate` (ESS v1, SHA-1).
pub const ID_AA_SIGNING_CERTIFICATE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.12");

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
    /// Time-stamp token genTime, if the signature is time-stamped.
    pub timestamp: Option<String>,
    /// Embedded CRLs (DER) from adbe-revocationInfoArchival.
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
    /// Not decodable as a CMS SignedData.
    Format(String),
    /// No signer certificate in the CMS.
    NoSigningCertificate,
    /// Digest mismatch.
    Hash,
    /// Signature value invalid.
    Crypto(String),
    /// An algorithm or key this verifier cannot check.
    Unsupported(String),
    /// ESS signing-certificate does not match.
    SigningCertificateMismatch,
}

/// `/Contents` is zero-padded after the DER; cut at the DER's own length.
pub fn trim_padding(c: &[u8]) -> &[u8] {
    if c.len() < 2 || c[0] != 0x30 {
        return c;
    }
    let (len, hdr) = match c[1] {
        n if n < 0x80 => (usize::from(n), 2),
        0x81 => (c.get(2).map(|&b| usize::from(b)).unwrap_or(0), 3),
        0x82 => (c.get(2..4).map(|b| usize::from(b[0]) << 8 | usize::from(b[1])).unwrap_or(0), 4),
        0x83 => (c.get(2..5).map(|b| usize::from(b[0]) << 16 | usize::from(b[1]) << 8 | usize::from(b[2])).unwrap_or(0), 5),
        _ => return c,
    };
    c.get(..hdr + len).unwrap_or(c)
}

/// Hash the byte ranges of `path` with `alg`, streaming.
pub fn hash_ranges(path: &Path, br: &[(u64, u64)], alg: DigestAlg) -> std::io::Result<Vec<u8>> {
    let mut file = std::fs::File::open(path)?;
    let mut h = alg.hasher();
    let mut buf = vec![0u8; 1 << 20];
    for &(start, len) in br {
        file.seek(SeekFrom::Start(start))?;
        let mut take = (&mut file).take(len);
        let mut got = 0u64;
        loop {
            let n = take.read(&mut buf)?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
            got += n as u64;
        }
        if got != len {
            return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "byte range past the end"));
        }
    }
    Ok(h.finalize())
}

/// Check the CMS `contents` of a signature whose covered ranges are `ranges` in `path`.
pub fn check(path: &Path, contents: &[u8], ranges: &[(u64, u64)]) -> CmsReport {
    let mut r = CmsReport::default();
    if let Err(p) = check_into(path, contents, ranges, &mut r) {
        r.problem = Some(p);
    }
    r
}

fn check_into(path: &Path, contents: &[u8], ranges: &[(u64, u64)], r: &mut CmsReport) -> Result<(), CmsProblem> {
    let der = trim_padding(contents);
    if der.iter().all(|&b| b == 0) {
        return Err(CmsProblem::Format("/Contents is empty".into()));
    }
    let normalised;
    let ci = match ContentInfo::from_der(der) {
        Ok(ci) => ci,
        Err(_) => {
            // Other producers often write BER (indefinite lengths).
            normalised = crate::cms::ber::to_der(der).map_err(|e| CmsProblem::Format(format!("CMS cannot be decoded: {e}")))?;
            ContentInfo::from_der(&normalised).map_err(|e| CmsProblem::Format(format!("CMS cannot be decoded: {e}")))?
        }
    };
    if ci.content_type != crate::cms::builder::ID_SIGNED_DATA {
        return Err(CmsProblem::Format("CMS is not SignedData".into()));
    }
    let sd: SignedData = ci.content.decode_as().map_err(|e| CmsProblem::Format(format!("SignedData cannot be decoded: {e}")))?;
    if sd.encap_content_info.econtent.is_some() {
        return Err(CmsProblem::Format("the CMS is not detached".into()));
    }
    let mut infos = sd.signer_infos.0.iter();
    let si = infos.next().ok_or_else(|| CmsProblem::Format("no SignerInfo".into()))?;
    if infos.next().is_some() {
        return Err(CmsProblem::Format("more than one SignerInfo".into()));
    }
    r.certificates = sd
        .certificates
        .iter()
        .flat_map(|s| s.0.iter())
        .filter_map(|c| match c {
            cms::cert::CertificateChoices::Certificate(c) => Some(c.clone()),
            _ => None,
        })
        .collect();
    let cert = r
        .certificates
        .iter()
        .find(|c| match &si.sid {
            SignerIdentifier::IssuerAndSerialNumber(ias) => {
                c.tbs_certificate.issuer == ias.issuer && c.tbs_certificate.serial_number == ias.serial_number
            }
            SignerIdentifier::SubjectKeyIdentifier(ski) => crypto::subject_key_id(c).as_deref() == Some(ski.0.as_bytes()),
        })
        .cloned()
        .ok_or(CmsProblem::NoSigningCertificate)?;
    r.signer = Some(cert.clone());
    r.signature_algorithm = Some(si.signature_algorithm.oid.to_string());
    let Some(alg) = DigestAlg::from_oid(si.digest_alg.oid) else {
        let oid = si.digest_alg.oid.to_string();
        let hint =
            if oid.starts_with("1.2.840.113549.1.1.") { " (a signature algorithm written where the digest algorithm belongs)" } else { "" };
        return Err(CmsProblem::Unsupported(format!("digest algorithm {oid} is not a supported digest{hint}")));
    };
    if alg.is_weak() {
        r.weak_algorithm = Some(alg.name().into());
    }
    r.digest_algorithm = Some(alg.name().into());
    let actual = hash_ranges(path, ranges, alg).map_err(|e| CmsProblem::Format(e.to_string()))?;
    collect_revocation(si, r);
    r.timestamp = timestamp_time(si);
    let signed;
    let message = match si.signed_attrs.as_ref() {
        Some(attrs) => {
            let md = attrs
                .iter()
                .find(|a| a.oid == ID_MESSAGE_DIGEST)
                .and_then(|a| a.values.iter().next())
                .and_then(|v| v.decode_as::<OctetString>().ok())
                .ok_or_else(|| CmsProblem::Format("no message-digest attribute".into()))?;
            r.digest_ok = md.as_bytes() == actual.as_slice();
            signed = attrs.to_der().map_err(|e| CmsProblem::Format(e.to_string()))?;
            crypto::Signed::Bytes(&signed)
        }
        // Without signed attributes the signature is over the document digest
        // itself (RFC 5652 §5.4); the digest "holds" exactly when the signature does.
        None => crypto::Signed::Digest(&actual),
    };
    let no_attrs = si.signed_attrs.is_none();
    match crypto::verify_signature(&cert, &si.signature_algorithm, alg, message, si.signature.as_bytes()) {
        Ok(ok) => r.signature_ok = ok,
        Err(e) => {
            if !r.digest_ok && !no_attrs {
                return Err(CmsProblem::Hash);
            }
            return Err(CmsProblem::Unsupported(e));
        }
    }
    if no_attrs {
        r.digest_ok = r.signature_ok;
    }
    if let Some(bits) = rsa_bits(&cert) {
        if bits < 2048 {
            r.weak_algorithm = Some(format!("RSA-{bits}"));
        }
    }
    r.signing_certificate_ok = signing_certificate_matches(si, &cert);
    if !r.digest_ok {
        return Err(CmsProblem::Hash);
    }
    if !r.signature_ok {
        let why = crypto::plain_ecdsa_note(si.signature.as_bytes()).unwrap_or("the signature value does not verify");
        return Err(CmsProblem::Crypto(why.into()));
    }
    if r.signing_certificate_ok == Some(false) {
        return Err(CmsProblem::SigningCertificateMismatch);
    }
    Ok(())
}

fn rsa_bits(cert: &Certificate) -> Option<usize> {
    use rsa::pkcs8::DecodePublicKey;
    use rsa::traits::PublicKeyParts;
    let der = cert.tbs_certificate.subject_public_key_info.to_der().ok()?;
    let k = rsa::RsaPublicKey::from_public_key_der(&der).ok()?;
    Some(k.size() * 8)
}

/// ESS signing-certificate-v2 (or v1): the hash must be the signer's certificate's.
fn signing_certificate_matches(si: &SignerInfo, cert: &Certificate) -> Option<bool> {
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
    if attrs.iter().any(|a| a.oid == ID_AA_SIGNING_CERTIFICATE) {
        // ESS v1 carries a SHA-1 hash; present but not checked (SHA-1 only).
        return None;
    }
    None
}

/// Pull CRLs and OCSP responses out of the `adbe-revocationInfoArchival`
/// signed attribute (parsed by [`crate::verify::revocation::parse_adbe_revocation_info`]).
fn collect_revocation(si: &SignerInfo, r: &mut CmsReport) {
    let Some(attrs) = si.signed_attrs.as_ref() else { return };
    let Some(v) = attrs.iter().find(|a| a.oid == ID_ADBE_REVOCATION).and_then(|a| a.values.iter().next()) else { return };
    let Ok(der) = v.to_der() else { return };
    if let Ok(info) = crate::verify::revocation::parse_adbe_revocation_info(&der) {
        r.crls = info.crls;
        r.ocsps = info.ocsps;
    }
}

/// The time-stamp token's genTime as text, when present (not validated here).
fn timestamp_time(si: &SignerInfo) -> Option<String> {
    let attrs = si.unsigned_attrs.as_ref()?;
    let tst = attrs.iter().find(|a| a.oid == ID_AA_SIGNATURE_TIME_STAMP)?.values.iter().next()?;
    let ci: ContentInfo = tst.decode_as().ok()?;
    let sd: SignedData = ci.content.decode_as().ok()?;
    let econtent = sd.encap_content_info.econtent?;
    let os: OctetString = econtent.decode_as().ok()?;
    // TSTInfo ::= SEQUENCE { version, policy, messageImprint, serialNumber, genTime, … }
    let fields = tlv_children_full(os.as_bytes())?;
    let gen = fields.get(4)?;
    let t = der::asn1::GeneralizedTime::from_der(gen).ok()?;
    Some(crate::time::iso8601(time::OffsetDateTime::from(t.to_system_time())))
}

/// Children of a constructed TLV as whole TLVs.
fn tlv_children_full(der: &[u8]) -> Option<Vec<&[u8]>> {
    let (_, body) = tlv(der)?;
    let mut out = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        let (len, _) = tlv(rest)?;
        out.push(rest.get(..len)?);
        rest = rest.get(len..)?;
    }
    Some(out)
}

/// Parse one DER TLV: (total length, contents).
fn tlv(b: &[u8]) -> Option<(usize, &[u8])> {
    let first = *b.get(1)?;
    let (len, hdr) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let mut l = 0usize;
        for i in 0..n {
            l = l << 8 | usize::from(*b.get(2 + i)?);
        }
        (l, 2 + n)
    };
    let end = hdr.checked_add(len)?;
    Some((end, b.get(hdr..end)?))
}
