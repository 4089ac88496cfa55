//! Reading key and certificate files: PEM blocks (any number, with text around them,
//! as `openssl` writes) or a bare DER structure.

use std::path::Path;

use der::Decode;
use x509_cert::Certificate;
use zeroize::Zeroizing;

use super::error::IdentityError;

/// One PEM block as found in a file.
struct Block {
    /// The label after `-----BEGIN `, e.g. `CERTIFICATE`.
    label: String,
    /// The decoded contents, or why they could not be decoded.
    der: Result<Zeroizing<Vec<u8>>, String>,
    /// Whether the block carries legacy OpenSSL encryption headers (`Proc-Type: 4,ENCRYPTED`).
    legacy_encrypted: bool,
}

/// The encodings of a private key KýSố reads.
pub(super) enum KeyBlob {
    /// PKCS#8 `PrivateKeyInfo` / `OneAsymmetricKey` (`PRIVATE KEY`).
    Pkcs8(Zeroizing<Vec<u8>>),
    /// PKCS#1 `RSAPrivateKey` (`RSA PRIVATE KEY`).
    Pkcs1(Zeroizing<Vec<u8>>),
    /// SEC1 `ECPrivateKey` (`EC PRIVATE KEY`).
    Sec1(Zeroizing<Vec<u8>>),
}

const BEGIN: &[u8] = b"-----BEGIN ";
const DASHES: &[u8] = b"-----";

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|p| p + from)
}

/// Split `text` into its PEM blocks; text between blocks is ignored.
fn blocks(text: &[u8]) -> Vec<Block> {
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(begin) = find(text, BEGIN, pos) {
        let label_start = begin + BEGIN.len();
        let Some(label_end) = find(text, DASHES, label_start) else {
            break;
        };
        let label = String::from_utf8_lossy(text.get(label_start..label_end).unwrap_or_default()).into_owned();
        let end_marker = [b"-----END ".as_slice(), label.as_bytes(), DASHES].concat();
        let Some(end) = find(text, &end_marker, label_end) else {
            break;
        };
        let block_end = end + end_marker.len();
        let block = text.get(begin..block_end).unwrap_or_default();
        let legacy_encrypted = find(block, b"Proc-Type:", 0).is_some();
        let der = der::pem::decode_vec(block).map(|(_, der)| Zeroizing::new(der)).map_err(|e| e.to_string());
        out.push(Block { label, der, legacy_encrypted });
        pos = block_end;
    }
    out
}

fn read(path: &Path) -> Result<Zeroizing<Vec<u8>>, IdentityError> {
    std::fs::read(path).map(Zeroizing::new).map_err(|source| IdentityError::ReadFile { path: path.to_owned(), source })
}

fn is_pem(bytes: &[u8]) -> bool {
    find(bytes, BEGIN, 0).is_some()
}

/// Read the first private key in a PEM file (PKCS#8, PKCS#1 or SEC1; an
/// `EC PARAMETERS` block before it is skipped) or a DER PKCS#8 file.
pub(super) fn read_key_file(path: &Path) -> Result<KeyBlob, IdentityError> {
    let bytes = read(path)?;
    if !is_pem(&bytes) {
        return Ok(KeyBlob::Pkcs8(bytes));
    }
    let malformed = |reason: String| IdentityError::MalformedKey { path: path.to_owned(), reason };
    for block in blocks(&bytes) {
        let wrap: fn(Zeroizing<Vec<u8>>) -> KeyBlob = match block.label.as_str() {
            "PRIVATE KEY" => KeyBlob::Pkcs8,
            "RSA PRIVATE KEY" => KeyBlob::Pkcs1,
            "EC PRIVATE KEY" => KeyBlob::Sec1,
            "ENCRYPTED PRIVATE KEY" => return Err(IdentityError::EncryptedKey { path: path.to_owned() }),
            _ => continue,
        };
        if block.legacy_encrypted {
            return Err(IdentityError::EncryptedKey { path: path.to_owned() });
        }
        return block.der.map(wrap).map_err(malformed);
    }
    Err(malformed("no PRIVATE KEY block".to_owned()))
}

/// Read every certificate in a PEM file (`CERTIFICATE` blocks, in file order) or a
/// single DER certificate.
pub(super) fn read_cert_file(path: &Path) -> Result<Vec<Certificate>, IdentityError> {
    let bytes = read(path)?;
    let malformed = |reason: String| IdentityError::MalformedCertificate { path: path.to_owned(), reason };
    let certs = if is_pem(&bytes) {
        blocks(&bytes)
            .into_iter()
            .filter(|b| b.label == "CERTIFICATE")
            .map(|b| {
                let der = b.der.map_err(malformed)?;
                Certificate::from_der(&der).map_err(|e| malformed(e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?
    } else {
        vec![Certificate::from_der(&bytes).map_err(|e| malformed(e.to_string()))?]
    };
    if certs.is_empty() {
        return Err(IdentityError::NoCertificate { path: path.to_owned() });
    }
    Ok(certs)
}
