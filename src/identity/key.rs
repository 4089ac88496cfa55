//! Software private keys: decoding, matching against a certificate, signing.
//!
//! Every key type here zeroizes its secret on drop (`rsa::RsaPrivateKey` and
//! `ecdsa::SigningKey` both implement `ZeroizeOnDrop`).

use der::asn1::{BitStringRef, ObjectIdentifier, OctetStringRef};
use der::{Decode, Encode};
use p256::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rand_core::OsRng;
use rsa::traits::PublicKeyParts;
use sha2::{Digest, Sha256};
use signature::hazmat::PrehashSigner;
use signature::{RandomizedSigner, SignatureEncoding};
use x509_cert::spki::SubjectPublicKeyInfoOwned;

use super::error::IdentityError;
use crate::KeyKind;

const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const RSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");

/// Why a key could not be used; the caller adds the file path.
#[derive(Debug)]
pub(super) enum KeyProblem {
    /// Decodes, but KýSố cannot sign with it.
    Unsupported(String),
    /// Does not decode.
    Malformed(String),
}

impl KeyProblem {
    pub(super) fn into_error(self, path: &std::path::Path) -> IdentityError {
        match self {
            KeyProblem::Unsupported(algorithm) => IdentityError::UnsupportedKeyType { path: path.to_owned(), algorithm },
            KeyProblem::Malformed(reason) => IdentityError::MalformedKey { path: path.to_owned(), reason },
        }
    }
}

fn malformed(e: impl std::fmt::Display) -> KeyProblem {
    KeyProblem::Malformed(e.to_string())
}

/// A private key KýSố can sign with.
pub(super) enum SoftwareKey {
    /// RSA, signing PKCS#1 v1.5 with SHA-256 (boxed: far larger than an EC key).
    Rsa(Box<RsaKey>),
    /// ECDSA on P-256.
    P256(p256::ecdsa::SigningKey),
    /// ECDSA on P-384 (with SHA-256, as the CMS layer announces `ecdsa-with-SHA256`).
    P384(p384::ecdsa::SigningKey),
}

/// An RSA private key ready to sign, with its public half to match certificates.
pub(super) struct RsaKey {
    /// The signing key (holds the zeroizing private key).
    signing: rsa::pkcs1v15::SigningKey<Sha256>,
    /// Its public half.
    public: rsa::RsaPublicKey,
}

fn curve_name(oid: &ObjectIdentifier) -> String {
    match const_oid::db::DB.by_oid(oid) {
        Some(name) => format!("EC {name}"),
        None => format!("EC curve {oid}"),
    }
}

fn algorithm_name(oid: &ObjectIdentifier) -> String {
    match oid.to_string().as_str() {
        "1.3.101.112" => "Ed25519".to_owned(),
        "1.3.101.113" => "Ed448".to_owned(),
        "1.2.840.10040.4.1" => "DSA".to_owned(),
        other => match const_oid::db::DB.by_oid(oid) {
            Some(name) => name.to_owned(),
            None => other.to_owned(),
        },
    }
}

/// SEC1 `ECPrivateKey` (RFC 5915 section 3), decoded only to learn the curve.
///
/// ```text
/// ECPrivateKey ::= SEQUENCE {
///   version        INTEGER { ecPrivkeyVer1(1) } (ecPrivkeyVer1),
///   privateKey     OCTET STRING,
///   parameters [0] ECParameters {{ NamedCurve }} OPTIONAL,
///   publicKey  [1] BIT STRING OPTIONAL
/// }
/// ```
#[derive(der::Sequence)]
struct EcPrivateKeyInfo<'a> {
    version: u8,
    private_key: OctetStringRef<'a>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    parameters: Option<ObjectIdentifier>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    public_key: Option<BitStringRef<'a>>,
}

impl SoftwareKey {
    fn rsa(private: rsa::RsaPrivateKey) -> Result<Self, KeyProblem> {
        private.validate().map_err(malformed)?;
        let public = private.to_public_key();
        Ok(SoftwareKey::Rsa(Box::new(RsaKey { signing: rsa::pkcs1v15::SigningKey::<Sha256>::new(private), public })))
    }

    /// Decode a PKCS#8 `PrivateKeyInfo` (unencrypted).
    pub(super) fn from_pkcs8_der(der: &[u8]) -> Result<Self, KeyProblem> {
        let info = p256::pkcs8::PrivateKeyInfo::try_from(der).map_err(malformed)?;
        let oid = info.algorithm.oid;
        if oid == RSA_ENCRYPTION {
            return Self::rsa(rsa::RsaPrivateKey::from_pkcs8_der(der).map_err(malformed)?);
        }
        if oid == RSA_PSS {
            return Err(KeyProblem::Unsupported("RSA-PSS".to_owned()));
        }
        if oid != EC_PUBLIC_KEY {
            return Err(KeyProblem::Unsupported(algorithm_name(&oid)));
        }
        let curve = info.algorithm.parameters_oid().map_err(|_| KeyProblem::Unsupported("EC with explicit curve parameters".to_owned()))?;
        if curve == SECP256R1 {
            let key = p256::SecretKey::from_pkcs8_der(der).map_err(malformed)?;
            Ok(SoftwareKey::P256(key.into()))
        } else if curve == SECP384R1 {
            let key = p384::SecretKey::from_pkcs8_der(der).map_err(malformed)?;
            Ok(SoftwareKey::P384(key.into()))
        } else {
            Err(KeyProblem::Unsupported(curve_name(&curve)))
        }
    }

    /// Decode a PKCS#1 `RSAPrivateKey`.
    pub(super) fn from_pkcs1_der(der: &[u8]) -> Result<Self, KeyProblem> {
        use rsa::pkcs1::DecodeRsaPrivateKey;
        Self::rsa(rsa::RsaPrivateKey::from_pkcs1_der(der).map_err(malformed)?)
    }

    /// Decode a SEC1 `ECPrivateKey`; the curve comes from its parameters or, when
    /// they are absent, from the length of the private scalar.
    pub(super) fn from_sec1_der(der: &[u8]) -> Result<Self, KeyProblem> {
        let info = EcPrivateKeyInfo::from_der(der).map_err(malformed)?;
        if info.version != 1 {
            return Err(KeyProblem::Malformed(format!("ECPrivateKey version {}", info.version)));
        }
        let curve = match info.parameters {
            Some(oid) => oid,
            None => match info.private_key.as_bytes().len() {
                32 => SECP256R1,
                48 => SECP384R1,
                n => return Err(KeyProblem::Unsupported(format!("EC key of {n} bytes without curve parameters"))),
            },
        };
        if curve == SECP256R1 {
            Ok(SoftwareKey::P256(p256::SecretKey::from_sec1_der(der).map_err(malformed)?.into()))
        } else if curve == SECP384R1 {
            Ok(SoftwareKey::P384(p384::SecretKey::from_sec1_der(der).map_err(malformed)?.into()))
        } else {
            Err(KeyProblem::Unsupported(curve_name(&curve)))
        }
    }

    /// The key's algorithm and size.
    pub(super) fn kind(&self) -> KeyKind {
        match self {
            SoftwareKey::Rsa(k) => KeyKind::Rsa { bits: k.public.n().bits() },
            SoftwareKey::P256(_) => KeyKind::EcP256,
            SoftwareKey::P384(_) => KeyKind::EcP384,
        }
    }

    /// Whether `spki` (a certificate's public key) is this key's public half.
    ///
    /// Keys are compared by value, not by encoding, so a compressed EC point or
    /// odd RSA parameter encoding in a certificate still matches.
    pub(super) fn matches(&self, spki: &SubjectPublicKeyInfoOwned) -> bool {
        let Ok(der) = spki.to_der() else { return false };
        match self {
            SoftwareKey::Rsa(k) => {
                rsa::RsaPublicKey::from_public_key_der(&der).is_ok_and(|p| p.n() == k.public.n() && p.e() == k.public.e())
            }
            SoftwareKey::P256(k) => p256::ecdsa::VerifyingKey::from_public_key_der(&der).is_ok_and(|p| &p == k.verifying_key()),
            SoftwareKey::P384(k) => p384::ecdsa::VerifyingKey::from_public_key_der(&der).is_ok_and(|p| &p == k.verifying_key()),
        }
    }

    /// Sign as [`crate::Signer::sign`] describes: RSA PKCS#1 v1.5 or DER ECDSA, over SHA-256.
    pub(super) fn sign(&self, message: &[u8]) -> Result<Vec<u8>, IdentityError> {
        let failed = |e: signature::Error| IdentityError::SigningFailed(e.to_string());
        match self {
            // The randomized variant turns on RSA blinding; the signature itself is
            // deterministic.
            SoftwareKey::Rsa(k) => Ok(k.signing.try_sign_with_rng(&mut OsRng, message).map_err(failed)?.to_vec()),
            SoftwareKey::P256(k) => {
                let sig: p256::ecdsa::DerSignature = k.sign_prehash(&Sha256::digest(message)).map_err(failed)?;
                Ok(sig.to_vec())
            }
            SoftwareKey::P384(k) => {
                // A 32-byte digest is left-padded to the 48-byte field (FIPS 186-5
                // section 6.4.1: the leftmost min(N, hashlen) bits of the hash).
                let sig: p384::ecdsa::DerSignature = k.sign_prehash(&Sha256::digest(message)).map_err(failed)?;
                Ok(sig.to_vec())
            }
        }
    }
}
