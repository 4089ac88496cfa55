//! Verification of the signatures in a PDF.
//!
//! This first layer checks what a signature itself can prove: which bytes it
//! covers (`/ByteRange`), whether they still hash to the signed message digest,
//! and whether the CMS signature value verifies with the signer's certificate.
//! Trust paths, revocation and difference analysis build on it.

pub mod chain;
pub mod crypto;
pub mod diff;
pub mod revocation;
pub mod fields;
pub mod cms_check;
pub mod coverage;
pub mod dss;
pub mod verdict;

use std::io::Read;
use std::path::Path;

use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier};
use der::{Decode, Encode};
use serde::Serialize;
use x509_cert::Certificate;

use crate::cms::builder::ID_MESSAGE_DIGEST;
use crate::pdf::PdfFile;

pub use fields::{find_signatures, SignatureField};

/// How much of the file a signature's `/ByteRange` covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Coverage {
    /// The byte range is missing or unusable.
    None,
    /// The byte range leaves gaps other than `/Contents`, or does not start at 0.
    Partial,
    /// Everything up to the end of a revision, except `/Contents`.
    WholeRevision,
    /// The whole file except `/Contents`.
    WholeFile,
}

/// What the signature itself proves.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IntegrityReport {
    /// Field name.
    pub field: String,
    /// Signer subject, if the certificate was found.
    pub signer: Option<String>,
    /// Issuer of the signer certificate.
    pub issuer: Option<String>,
    /// Serial number (hex).
    pub serial: Option<String>,
    /// `/M` as written.
    pub claimed_time: Option<String>,
    /// Byte range coverage.
    pub coverage: Coverage,
    /// Whether the covered bytes hash to the signed message digest.
    pub digest_ok: bool,
    /// Whether the signature value verifies with the signer's public key.
    pub signature_ok: bool,
    /// The digest algorithm used (e.g. `SHA-256`).
    pub digest_algorithm: Option<String>,
    /// Why a check failed, if one did.
    pub problem: Option<String>,
}

impl IntegrityReport {
    /// Digest and signature hold, and the byte range covers a whole revision.
    pub fn intact(&self) -> bool {
        self.digest_ok && self.signature_ok && matches!(self.coverage, Coverage::WholeFile | Coverage::WholeRevision)
    }
}

/// Check every signature in `path` for integrity.
pub fn check_integrity(path: &Path) -> Result<Vec<IntegrityReport>, crate::Error> {
    let pdf = PdfFile::open(path)?;
    let fields = find_signatures(&pdf)?;
    let mut out = Vec::with_capacity(fields.len());
    for f in fields {
        out.push(check_one(&pdf, path, &f));
    }
    Ok(out)
}

fn check_one(pdf: &PdfFile, path: &Path, f: &SignatureField) -> IntegrityReport {
    let mut r = IntegrityReport {
        field: f.name.clone(),
        signer: None,
        issuer: None,
        serial: None,
        claimed_time: f.claimed_time.clone(),
        coverage: coverage(&f.byte_range, pdf.len()),
        digest_ok: false,
        signature_ok: false,
        digest_algorithm: None,
        problem: None,
    };
    if let Err(why) = check_cms(pdf, path, f, &mut r) {
        r.problem = Some(why);
    }
    r
}

/// Classify a `/ByteRange` against a file of `len` bytes.
pub fn coverage(br: &[i64], len: u64) -> Coverage {
    let [a, b, c, d] = match br {
        [a, b, c, d] => [*a, *b, *c, *d],
        _ => return Coverage::None,
    };
    if a != 0 || b < 0 || c < 0 || d < 0 || c < b {
        return Coverage::None;
    }
    let end = (c as u64).saturating_add(d as u64);
    if end > len {
        return Coverage::None;
    }
    if end == len {
        Coverage::WholeFile
    } else {
        Coverage::WholeRevision
    }
}

fn hash_ranges(path: &Path, br: &[i64], alg: crypto::DigestAlg) -> Result<Vec<u8>, String> {
    let mut file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut h = alg.hasher();
    for pair in br.chunks(2) {
        let (start, len) = match pair {
            [s, l] if *s >= 0 && *l >= 0 => (*s as u64, *l as u64),
            _ => return Err("invalid /ByteRange".into()),
        };
        use std::io::Seek;
        file.seek(std::io::SeekFrom::Start(start)).map_err(|e| e.to_string())?;
        let mut take = (&mut file).take(len);
        let mut buf = vec![0u8; 1 << 20];
        let mut got = 0u64;
        loop {
            let n = take.read(&mut buf).map_err(|e| e.to_string())?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
            got += n as u64;
        }
        if got != len {
            return Err("/ByteRange runs past the end of the file".into());
        }
    }
    Ok(h.finalize())
}

fn check_cms(pdf: &PdfFile, path: &Path, f: &SignatureField, r: &mut IntegrityReport) -> Result<(), String> {
    let _ = pdf;
    if r.coverage == Coverage::None {
        return Err("missing or invalid /ByteRange".into());
    }
    let contents = trim_padding(&f.contents);
    let ci = ContentInfo::from_der(contents).map_err(|e| format!("CMS cannot be decoded: {e}"))?;
    let sd: SignedData = ci.content.decode_as().map_err(|e| format!("SignedData cannot be decoded: {e}"))?;
    let si = sd.signer_infos.0.iter().next().ok_or("no SignerInfo")?;
    let certs: Vec<Certificate> = sd
        .certificates
        .iter()
        .flat_map(|s| s.0.iter())
        .filter_map(|c| match c {
            cms::cert::CertificateChoices::Certificate(c) => Some(c.clone()),
            _ => None,
        })
        .collect();
    let cert = certs
        .iter()
        .find(|c| match &si.sid {
            SignerIdentifier::IssuerAndSerialNumber(ias) => {
                c.tbs_certificate.issuer == ias.issuer && c.tbs_certificate.serial_number == ias.serial_number
            }
            SignerIdentifier::SubjectKeyIdentifier(ski) => crypto::subject_key_id(c).as_deref() == Some(ski.0.as_bytes()),
        })
        .ok_or("the signer's certificate is not in the signature")?;
    r.signer = Some(crate::cms::names::display(&cert.tbs_certificate.subject));
    r.issuer = Some(crate::cms::names::display(&cert.tbs_certificate.issuer));
    r.serial = Some(hex::encode_upper(cert.tbs_certificate.serial_number.as_bytes()));

    let alg = crypto::DigestAlg::from_oid(si.digest_alg.oid).ok_or("unsupported digest algorithm")?;
    r.digest_algorithm = Some(alg.name().into());
    let actual = hash_ranges(path, &f.byte_range, alg)?;
    let attrs = si.signed_attrs.as_ref().ok_or("no signed attributes")?;
    let md = attrs
        .iter()
        .find(|a| a.oid == ID_MESSAGE_DIGEST)
        .and_then(|a| a.values.iter().next())
        .and_then(|v| v.decode_as::<der::asn1::OctetString>().ok())
        .ok_or("no message-digest attribute")?;
    r.digest_ok = md.as_bytes() == actual.as_slice();
    let signed = attrs.to_der().map_err(|e| e.to_string())?;
    r.signature_ok = crypto::verify_signature(cert, &si.signature_algorithm, alg, &signed, si.signature.as_bytes())
        .map_err(|e| format!("signature check: {e}"))?;
    if !r.digest_ok {
        return Err("the signed bytes were changed (digest mismatch)".into());
    }
    if !r.signature_ok {
        return Err("the signature value does not verify".into());
    }
    Ok(())
}

/// `/Contents` is zero-padded after the DER; cut at the DER's own length.
fn trim_padding(c: &[u8]) -> &[u8] {
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
