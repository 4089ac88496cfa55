//! Reading PKCS#12 (.p12/.pfx) files with `p12-keystore`.
//!
//! Both the PBES2 files OpenSSL 3 writes by default (PBKDF2-HMAC-SHA256,
//! AES-256-CBC, HMAC-SHA256 MAC) and the legacy PKCS#12 PBE files from Windows
//! certificate exports and `openssl pkcs12 -legacy` (3DES and 40-bit RC2, SHA-1
//! MAC) are read.

use std::path::Path;

use der::Decode;
use p12_keystore::error::Error as P12Error;
use p12_keystore::Pkcs12Archive;
use x509_cert::Certificate;

use super::chain;
use super::error::IdentityError;
use super::key::{KeyProblem, SoftwareKey};
use super::Password;

fn map_error(path: &Path, e: P12Error) -> IdentityError {
    let path = path.to_owned();
    match e {
        // The integrity MAC is keyed by the password: it fails first when the
        // password is wrong. Without a MAC, a wrong key shows as bad padding.
        P12Error::MacError(_) | P12Error::UnpadError => IdentityError::WrongPassword { path },
        P12Error::Pkcs5Error(reason) if reason.contains("decryption failed") => IdentityError::WrongPassword { path },
        P12Error::Pkcs5Error(reason) => IdentityError::Pkcs12Unsupported { path, reason },
        e @ (P12Error::UnsupportedEncryptionScheme
        | P12Error::UnsupportedMacAlgorithm
        | P12Error::UnsupportedContentType
        | P12Error::UnsupportedCertificateType) => IdentityError::Pkcs12Unsupported { path, reason: e.to_string() },
        e => IdentityError::Pkcs12Malformed { path, reason: e.to_string() },
    }
}

/// Decode `path` with `password` and return the first private key that has a
/// certificate, that certificate, and the other certificates as its chain.
pub(super) fn load(path: &Path, password: &Password) -> Result<(SoftwareKey, Certificate, Vec<Certificate>), IdentityError> {
    let data = std::fs::read(path).map_err(|source| IdentityError::ReadFile { path: path.to_owned(), source })?;
    let archive = Pkcs12Archive::from_pkcs12(&data, password.expose()).map_err(|e| map_error(path, e))?;
    if archive.keys.is_empty() {
        return Err(IdentityError::NoPrivateKey { path: path.to_owned() });
    }

    let mut certs = Vec::with_capacity(archive.certs.len());
    for bag in &archive.certs {
        let cert = Certificate::from_der(bag.cert.as_der())
            .map_err(|e| IdentityError::MalformedCertificate { path: path.to_owned(), reason: e.to_string() })?;
        certs.push((bag.local_key_id.clone(), cert));
    }

    let mut first_problem: Option<KeyProblem> = None;
    let mut any_usable = false;
    for bag in &archive.keys {
        let key = match SoftwareKey::from_pkcs8_der(bag.key.as_der()) {
            Ok(key) => {
                any_usable = true;
                key
            }
            Err(problem) => {
                first_problem.get_or_insert(problem);
                continue;
            }
        };
        // The certificate the file itself links to the key (same localKeyId) is
        // tried first; `select` still checks it carries the key's public key.
        let key_id = bag.local_key_id.as_ref().map(|id| id.as_ref().to_vec());
        let (linked, others): (Vec<_>, Vec<_>) = certs.iter().cloned().partition(|(id, _)| key_id.is_some() && *id == key_id);
        let ordered = linked.into_iter().chain(others).map(|(_, c)| c).collect();
        if let Some((cert, chain)) = chain::select(&key, ordered) {
            return Ok((key, cert, chain));
        }
    }
    match first_problem {
        Some(problem) if !any_usable => Err(problem.into_error(path)),
        _ => Err(IdentityError::NoMatchingCertificate { path: path.to_owned() }),
    }
}
