//! Reading what the inventory shows about a certificate: names in RFC 4514 style with
//! Vietnamese kept as UTF-8, serial, validity in Vietnam time, key kind from the
//! SubjectPublicKeyInfo, and whether it is a CA certificate.

use der::asn1::ObjectIdentifier;
use der::{Decode, Encode, Tag, Tagged};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use x509_cert::name::Name;
use x509_cert::Certificate;

use super::classify::{classify_certificate, Role, RoleReason};
use crate::KeyKind;

pub(crate) const OID_CN: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
pub(crate) const OID_O: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.10");
pub(crate) const OID_UID: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.9.2342.19200300.100.1.1");
pub(crate) const OID_SERIAL_NUMBER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.5");
const OID_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const OID_EC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
pub(crate) const OID_P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
pub(crate) const OID_P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const OID_BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");

/// Short names for the attributes seen in Vietnamese certificates (RFC 4514 §3 plus
/// the usual extensions); others are written as `OID=#hex`.
const SHORT_NAMES: &[(&str, &str)] = &[
    ("2.5.4.3", "CN"),
    ("2.5.4.6", "C"),
    ("2.5.4.7", "L"),
    ("2.5.4.8", "ST"),
    ("2.5.4.9", "STREET"),
    ("2.5.4.10", "O"),
    ("2.5.4.11", "OU"),
    ("2.5.4.12", "T"),
    ("2.5.4.4", "SN"),
    ("2.5.4.42", "GN"),
    ("2.5.4.5", "SERIALNUMBER"),
    ("2.5.4.97", "ORGANIZATIONIDENTIFIER"),
    ("0.9.2342.19200300.100.1.1", "UID"),
    ("0.9.2342.19200300.100.1.25", "DC"),
    ("1.2.840.113549.1.9.1", "E"),
];

/// The text of a directory string (UTF8String, PrintableString, IA5String,
/// TeletexString as Latin-1, BMPString); `None` for other types.
pub(crate) fn directory_string(value: &der::Any) -> Option<String> {
    let bytes = value.value();
    match value.tag() {
        Tag::Utf8String | Tag::PrintableString | Tag::Ia5String | Tag::VisibleString => std::str::from_utf8(bytes).ok().map(str::to_owned),
        Tag::TeletexString => Some(bytes.iter().map(|&b| char::from(b)).collect()),
        Tag::BmpString => {
            if !bytes.len().is_multiple_of(2) {
                return None;
            }
            let units: Vec<u16> = bytes.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
            String::from_utf16(&units).ok()
        }
        _ => None,
    }
}

fn escape_value(v: &str, out: &mut String) {
    let n = v.chars().count();
    for (i, c) in v.chars().enumerate() {
        match c {
            '#' if i == 0 => out.push_str("\\#"),
            ' ' if i == 0 || i + 1 == n => out.push_str("\\ "),
            '"' | '+' | ',' | ';' | '<' | '>' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\x00'..='\x1f' | '\x7f' => out.push_str(&format!("\\{:02x}", c as u32)),
            _ => out.push(c),
        }
    }
}

/// A name as an RFC 4514-style string, most specific attribute first
/// (`CN=Nguyễn Văn An,O=…,C=VN`), Vietnamese text kept as UTF-8.
pub fn format_name(name: &Name) -> String {
    let mut out = String::new();
    for (i, rdn) in name.0.iter().rev().enumerate() {
        if i > 0 {
            out.push(',');
        }
        for (j, atv) in rdn.0.iter().enumerate() {
            if j > 0 {
                out.push('+');
            }
            let oid = atv.oid.to_string();
            let short = SHORT_NAMES.iter().find(|(o, _)| *o == oid).map(|(_, s)| *s);
            match (short, directory_string(&atv.value)) {
                (Some(s), Some(v)) => {
                    out.push_str(s);
                    out.push('=');
                    escape_value(&v, &mut out);
                }
                _ => {
                    out.push_str(&oid);
                    out.push_str("=#");
                    out.push_str(&hex::encode(atv.value.to_der().unwrap_or_default()));
                }
            }
        }
    }
    out
}

/// Every value of attribute `oid` in `name`, in order.
pub(crate) fn attr_values(name: &Name, oid: ObjectIdentifier) -> Vec<String> {
    name.0.iter().flat_map(|rdn| rdn.0.iter()).filter(|atv| atv.oid == oid).filter_map(|atv| directory_string(&atv.value)).collect()
}

/// Number of significant bits in a big-endian unsigned integer.
pub(crate) fn bit_len(bytes: &[u8]) -> usize {
    let bytes = match bytes.iter().position(|&b| b != 0) {
        Some(i) => &bytes[i..],
        None => return 0,
    };
    (bytes.len() - 1) * 8 + (8 - bytes[0].leading_zeros() as usize)
}

/// The curve named by DER `ECParameters` (a namedCurve OID).
pub(crate) fn curve_from_params(params_der: &[u8]) -> Option<KeyKind> {
    match ObjectIdentifier::from_der(params_der).ok()? {
        o if o == OID_P256 => Some(KeyKind::EcP256),
        o if o == OID_P384 => Some(KeyKind::EcP384),
        _ => None,
    }
}

/// The key kind from the certificate's SubjectPublicKeyInfo, if KýSố can sign with it.
pub fn key_kind_of(cert: &Certificate) -> Option<KeyKind> {
    let spki = &cert.tbs_certificate.subject_public_key_info;
    if spki.algorithm.oid == OID_RSA {
        let key = rsa::pkcs1::RsaPublicKey::from_der(spki.subject_public_key.raw_bytes()).ok()?;
        Some(KeyKind::Rsa { bits: bit_len(key.modulus.as_bytes()) })
    } else if spki.algorithm.oid == OID_EC {
        let params = spki.algorithm.parameters.as_ref()?.to_der().ok()?;
        curve_from_params(&params)
    } else {
        None
    }
}

/// Whether the certificate is a CA certificate (basicConstraints cA = TRUE).
pub(crate) fn is_ca(cert: &Certificate) -> bool {
    cert.tbs_certificate
        .extensions
        .iter()
        .flatten()
        .filter(|e| e.extn_id == OID_BASIC_CONSTRAINTS)
        .filter_map(|e| x509_cert::ext::pkix::BasicConstraints::from_der(e.extn_value.as_bytes()).ok())
        .any(|bc| bc.ca)
}

/// Whether the certificate names itself as issuer (a root).
pub(crate) fn is_self_issued(cert: &Certificate) -> bool {
    cert.tbs_certificate.subject == cert.tbs_certificate.issuer
}

fn to_datetime(t: x509_cert::time::Time) -> Option<OffsetDateTime> {
    let secs = i64::try_from(t.to_unix_duration().as_secs()).ok()?;
    OffsetDateTime::from_unix_timestamp(secs).ok()
}

/// How the key of a listed certificate was found on the token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum KeyEvidence {
    /// A private key with the same `CKA_ID` is visible.
    PrivateKey,
    /// Only a public key with the same `CKA_ID` is visible (private keys are hidden
    /// until login on this token).
    PublicKey,
    /// No key object is visible without login; the certificate is an end-entity
    /// certificate on a token that hides its keys, so it is listed as a signing
    /// certificate to be confirmed at login.
    NotVisible,
}

/// A signing certificate on a token, as the inventory and the signer describe it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateInfo {
    /// `CKA_ID` in lowercase hex: what pairs the certificate with its key, and what
    /// `--cert` takes.
    pub id: String,
    /// The certificate object's `CKA_LABEL`.
    pub cert_label: String,
    /// The private (or public) key object's `CKA_LABEL`, when visible.
    pub key_label: Option<String>,
    /// How the key was found.
    pub key_evidence: KeyEvidence,
    /// Subject, RFC 4514 style, UTF-8.
    pub subject: String,
    /// The subject's common name (CN), if any.
    pub common_name: Option<String>,
    /// The subject's organisation (O), if any.
    pub organization: Option<String>,
    /// Issuer, RFC 4514 style, UTF-8.
    pub issuer: String,
    /// Serial number in uppercase hex.
    pub serial: String,
    /// Start of validity, ISO 8601 in Vietnam time.
    pub not_before: String,
    /// End of validity, ISO 8601 in Vietnam time.
    pub not_after: String,
    /// Whole days from now to `notAfter` (negative once expired).
    pub days_to_expiry: i64,
    /// Whether now lies within the validity period (time only; the chain and
    /// revocation are checked when a signature is verified).
    pub currently_valid: bool,
    /// Valid but ending within 30 days (SPEC R16: warn one month before).
    pub expiring_soon: bool,
    /// Key kind label, e.g. `RSA-2048`, `EC P-256`, or `unsupported`.
    pub key_kind: String,
    /// Personal or agency certificate (SPEC R15), see [`crate::token::classify`].
    pub role: Role,
    /// Which rule decided `role`.
    pub role_reason: RoleReason,
    /// SHA-256 of the certificate DER, lowercase hex.
    pub sha256: String,
    /// The certificate itself: its DER in standard base64 (what the stamp of a
    /// signature by it is planned from, before any login: the desktop's preview).
    #[serde(default)]
    pub certificate: String,
}

/// Days before expiry from which a certificate is reported as expiring soon.
pub const EXPIRY_WARNING_DAYS: i64 = 30;

impl CertificateInfo {
    /// Describe `cert` (whose DER is `der`) as found on a token, at time `now`.
    pub(crate) fn describe(
        cert: &Certificate,
        der: &[u8],
        id: &[u8],
        cert_label: String,
        key_label: Option<String>,
        key_evidence: KeyEvidence,
        now: OffsetDateTime,
    ) -> CertificateInfo {
        let tbs = &cert.tbs_certificate;
        let nb = to_datetime(tbs.validity.not_before);
        let na = to_datetime(tbs.validity.not_after);
        let days_to_expiry = na.map(|na| (na - now).whole_days()).unwrap_or(0);
        let currently_valid = matches!((nb, na), (Some(nb), Some(na)) if nb <= now && now <= na);
        let class = classify_certificate(cert);
        CertificateInfo {
            id: hex::encode(id),
            cert_label,
            key_label,
            key_evidence,
            subject: format_name(&tbs.subject),
            common_name: attr_values(&tbs.subject, OID_CN).into_iter().next(),
            organization: attr_values(&tbs.subject, OID_O).into_iter().next(),
            issuer: format_name(&tbs.issuer),
            serial: hex::encode_upper(tbs.serial_number.as_bytes()),
            not_before: nb.map(crate::time::iso8601).unwrap_or_default(),
            not_after: na.map(crate::time::iso8601).unwrap_or_default(),
            days_to_expiry,
            currently_valid,
            expiring_soon: currently_valid && days_to_expiry < EXPIRY_WARNING_DAYS,
            key_kind: key_kind_of(cert).map(KeyKind::label).unwrap_or_else(|| "unsupported".into()),
            role: class.role,
            role_reason: class.reason,
            sha256: hex::encode(Sha256::digest(der)),
            certificate: <base64ct::Base64 as base64ct::Encoding>::encode_string(der),
        }
    }
}

/// A certificate on the token without a private key (normally a CA certificate).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OtherCertificate {
    /// `CKA_ID` in lowercase hex (may be empty).
    pub id: String,
    /// `CKA_LABEL`.
    pub label: String,
    /// Subject, RFC 4514 style.
    pub subject: String,
    /// Issuer, RFC 4514 style.
    pub issuer: String,
    /// basicConstraints cA = TRUE.
    pub ca: bool,
    /// End of validity, ISO 8601 in Vietnam time.
    pub not_after: String,
}

impl OtherCertificate {
    pub(crate) fn describe(cert: &Certificate, id: &[u8], label: String) -> OtherCertificate {
        let tbs = &cert.tbs_certificate;
        OtherCertificate {
            id: hex::encode(id),
            label,
            subject: format_name(&tbs.subject),
            issuer: format_name(&tbs.issuer),
            ca: is_ca(cert),
            not_after: to_datetime(tbs.validity.not_after).map(crate::time::iso8601).unwrap_or_default(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use std::str::FromStr;
    use x509_cert::name::RdnSequence;

    #[test]
    fn names_keep_vietnamese_and_escape() {
        let name = RdnSequence::from_str("CN=Nguyễn Văn An,O=UBND tỉnh Lai Châu\\, Việt Nam,C=VN").unwrap();
        assert_eq!(format_name(&name), "CN=Nguyễn Văn An,O=UBND tỉnh Lai Châu\\, Việt Nam,C=VN");
        assert_eq!(attr_values(&name, OID_CN), vec!["Nguyễn Văn An".to_owned()]);
    }

    #[test]
    fn bmp_strings_decode() {
        let any = der::Any::new(Tag::BmpString, vec![0x1e, 0xa0, 0x00, 0x41]).unwrap();
        assert_eq!(directory_string(&any).as_deref(), Some("ẠA"));
    }

    #[test]
    fn bit_lengths() {
        assert_eq!(bit_len(&[0x00, 0x80, 0x00]), 16);
        assert_eq!(bit_len(&[0x01]), 1);
        assert_eq!(bit_len(&[]), 0);
    }
}
