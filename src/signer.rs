//! The bytes-in, signature-out signer abstraction.
//!
//! The CMS builder never sees a PKCS#11 session or a key file: it hands the DER
//! encoding of the signed attributes to a [`Signer`] and gets back the signature
//! value that goes into `SignerInfo.signature`. Hardware tokens
//! ([`crate::token::TokenSigner`]) and software identities
//! ([`crate::identity::SoftwareSigner`]) both implement it, so tests can sign with a
//! software key and the token path stays a thin adapter.

use x509_cert::Certificate;

/// The public-key algorithm of a signing key, which fixes the CMS signature algorithm.
///
/// The digest is always SHA-256 (PAdES baseline, ETSI EN 319 142-1 clause 5.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    /// RSA with the given modulus size in bits; signatures are PKCS#1 v1.5
    /// (`sha256WithRSAEncryption`) and exactly `bits / 8` bytes long.
    Rsa {
        /// Modulus size in bits.
        bits: usize,
    },
    /// ECDSA on NIST P-256 (`ecdsa-with-SHA256`); DER `Ecdsa-Sig-Value` of at most 72 bytes.
    EcP256,
    /// ECDSA on NIST P-384 (`ecdsa-with-SHA256`); DER `Ecdsa-Sig-Value` of at most 104 bytes.
    EcP384,
}

impl KeyKind {
    /// The largest signature value this key can produce, in bytes, used to size the
    /// `/Contents` placeholder so it can never overflow.
    pub fn max_signature_len(self) -> usize {
        match self {
            KeyKind::Rsa { bits } => bits.div_ceil(8),
            // SEQUENCE { INTEGER r, INTEGER s }: each integer may need a leading zero.
            KeyKind::EcP256 => 2 + 2 * (2 + 33),
            KeyKind::EcP384 => 3 + 2 * (2 + 49),
        }
    }

    /// A short human-readable name such as `RSA-2048` or `EC P-256`.
    pub fn label(self) -> String {
        match self {
            KeyKind::Rsa { bits } => format!("RSA-{bits}"),
            KeyKind::EcP256 => "EC P-256".to_owned(),
            KeyKind::EcP384 => "EC P-384".to_owned(),
        }
    }
}

/// Something that can produce a CMS signature value with a private key it holds.
///
/// `sign` receives the exact bytes to be signed (the DER `SET OF Attribute` of the
/// signed attributes) and must return:
/// * for RSA keys: the PKCS#1 v1.5 signature over SHA-256 of `message`;
/// * for EC keys: the DER-encoded `Ecdsa-Sig-Value` over SHA-256 of `message`.
///
/// Implementations choose their own mechanism (e.g. `CKM_SHA256_RSA_PKCS`, or
/// `CKM_RSA_PKCS` over a DigestInfo when that is all the token offers).
pub trait Signer {
    /// The signer's own certificate.
    fn certificate(&self) -> &Certificate;
    /// Further certificates to embed (issuing CAs, up to but not including the root
    /// where known). May be empty.
    fn chain(&self) -> &[Certificate];
    /// The key's algorithm and size.
    fn key_kind(&self) -> KeyKind;
    /// Sign `message` as described on the trait.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, crate::Error>;
}
