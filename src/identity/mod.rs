//! Software identities: a private key held in memory with its certificate and chain.
//!
//! A [`SoftwareSigner`] comes from a PKCS#12 file (`.p12`/`.pfx`, as CAs and Windows
//! export them), from PEM files (tests, the demo), or from the generated demo
//! identity ([`crate::demo::demo_identity`]). It implements [`crate::Signer`], so the
//! CMS layer cannot tell it from a hardware token.
//!
//! What it refuses:
//! * keys other than RSA, EC P-256 and EC P-384 ([`IdentityError::UnsupportedKeyType`]);
//! * password-protected PEM keys ([`IdentityError::EncryptedKey`]): protected keys are
//!   read from PKCS#12 only;
//! * a key without a certificate carrying its public key
//!   ([`IdentityError::NoMatchingCertificate`]).
//!
//! It does not validate the chain: trust is the verifier's business.
//!
//! Secrets: private keys zeroize on drop (`rsa` and `ecdsa` implement
//! `ZeroizeOnDrop`), key files are read into zeroizing buffers, and a [`Password`]
//! zeroizes on drop and never prints. The decrypted PKCS#8 bytes that
//! `p12-keystore` hands back live in its own plain `Vec` until it is dropped, which
//! happens before [`SoftwareSigner::from_pkcs12`] returns.

mod chain;
pub(crate) mod demo;
mod error;
mod key;
mod pem;
mod pkcs12;

use std::fmt;
use std::path::Path;

use x509_cert::Certificate;
use zeroize::Zeroizing;

pub use error::IdentityError;

use crate::{KeyKind, Signer};
use key::SoftwareKey;

/// A password (for a PKCS#12 file), wiped from memory when dropped.
///
/// It has no `Display` or `Serialize`, and its `Debug` output is `Password(***)`,
/// so it cannot end up in a log or a JSON reply by accident.
pub struct Password(Zeroizing<String>);

impl Password {
    /// Wrap a password. An empty password is valid (some PKCS#12 files have one).
    pub fn new(secret: impl Into<String>) -> Self {
        Password(Zeroizing::new(secret.into()))
    }

    /// Read the password from the environment variable `var`, e.g.
    /// `Password::from_env("KYSO_P12_PASSWORD")`. A variable set to the empty string
    /// gives the empty password.
    pub fn from_env(var: &str) -> Result<Self, IdentityError> {
        match std::env::var(var) {
            Ok(secret) => Ok(Password::new(secret)),
            Err(std::env::VarError::NotPresent) => Err(IdentityError::PasswordMissing { var: var.to_owned() }),
            Err(std::env::VarError::NotUnicode(_)) => Err(IdentityError::PasswordNotUnicode { var: var.to_owned() }),
        }
    }

    /// The secret itself, for the decoder only.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl From<Zeroizing<String>> for Password {
    fn from(secret: Zeroizing<String>) -> Self {
        Password(secret)
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// A private key in memory with its certificate and chain, signing as
/// [`crate::Signer`] requires: RSA PKCS#1 v1.5 over SHA-256, or ECDSA over SHA-256
/// returned as a DER `Ecdsa-Sig-Value`.
pub struct SoftwareSigner {
    key: SoftwareKey,
    certificate: Certificate,
    chain: Vec<Certificate>,
}

impl SoftwareSigner {
    /// Load the first private key of a PKCS#12 file together with its certificate
    /// (the one carrying the key's public key) and the file's other certificates as
    /// the chain, ordered from the issuer upward where the names allow.
    ///
    /// Reads PBES2/AES files (OpenSSL 3 default) and legacy 3DES/RC2 files (Windows
    /// exports, `openssl pkcs12 -legacy`). A wrong password gives
    /// [`IdentityError::WrongPassword`].
    pub fn from_pkcs12(path: &Path, password: &Password) -> Result<Self, crate::Error> {
        let (key, certificate, chain) = pkcs12::load(path, password)?;
        Ok(SoftwareSigner { key, certificate, chain })
    }

    /// Load an unencrypted private key and certificates from PEM (or DER) files.
    ///
    /// * `key_pem_path`: PKCS#8 `PRIVATE KEY`, PKCS#1 `RSA PRIVATE KEY` or SEC1
    ///   `EC PRIVATE KEY` (an `EC PARAMETERS` block before it is skipped);
    /// * `cert_pem_path`: one or more certificates; the one carrying the key's public
    ///   key is the signer's, any others join the chain;
    /// * `chain_pem_path`: optional further certificates for the chain.
    pub fn from_pem(key_pem_path: &Path, cert_pem_path: &Path, chain_pem_path: Option<&Path>) -> Result<Self, crate::Error> {
        let key = match pem::read_key_file(key_pem_path)? {
            pem::KeyBlob::Pkcs8(der) => SoftwareKey::from_pkcs8_der(&der),
            pem::KeyBlob::Pkcs1(der) => SoftwareKey::from_pkcs1_der(&der),
            pem::KeyBlob::Sec1(der) => SoftwareKey::from_sec1_der(&der),
        }
        .map_err(|p| p.into_error(key_pem_path))?;
        let mut certs = pem::read_cert_file(cert_pem_path)?;
        if let Some(chain_path) = chain_pem_path {
            certs.extend(pem::read_cert_file(chain_path)?);
        }
        let (certificate, chain) =
            chain::select(&key, certs).ok_or_else(|| IdentityError::NoMatchingCertificate { path: cert_pem_path.to_owned() })?;
        Ok(SoftwareSigner { key, certificate, chain })
    }

    /// The key's algorithm and size.
    pub fn key_kind(&self) -> KeyKind {
        self.key.kind()
    }
}

impl Signer for SoftwareSigner {
    fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    fn chain(&self) -> &[Certificate] {
        &self.chain
    }

    fn key_kind(&self) -> KeyKind {
        self.key.kind()
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, crate::Error> {
        Ok(self.key.sign(message)?)
    }
}

impl fmt::Debug for SoftwareSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SoftwareSigner")
            .field("key", &self.key.kind())
            .field("subject", &self.certificate.tbs_certificate.subject.to_string())
            .field("chain_len", &self.chain.len())
            .finish()
    }
}
