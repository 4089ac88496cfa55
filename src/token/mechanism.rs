//! Choosing the PKCS#11 signing mechanism and shaping its input and output.
//!
//! * RSA: `CKM_SHA256_RSA_PKCS` (the token hashes) when the token lists it, otherwise
//!   `CKM_RSA_PKCS` over a DER `DigestInfo` built here (RFC 8017 §9.2). Both give the
//!   same PKCS#1 v1.5 signature.
//! * EC: SHA-256 in software and `CKM_ECDSA` (SoftHSM2 and many tokens have no
//!   `CKM_ECDSA_SHA256`); the token returns raw `r‖s`, which CMS needs as a DER
//!   `Ecdsa-Sig-Value` (RFC 5480 §2.2 / RFC 3279 §2.2.3). `CKM_ECDSA_SHA256` is used only
//!   for keys with `CKA_ALWAYS_AUTHENTICATE`, where a multi-part operation is needed.

use cryptoki::mechanism::{Mechanism, MechanismType};
use der::asn1::{ObjectIdentifier, OctetStringRef, UintRef};
use der::{Encode, Sequence};
use serde::Serialize;
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifierRef;

use super::error::TokenError;
use crate::KeyKind;

const OID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");

/// The mechanism a [`crate::token::TokenSigner`] uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SignMechanism {
    /// `CKM_SHA256_RSA_PKCS`: the token hashes and pads.
    Sha256RsaPkcs,
    /// `CKM_RSA_PKCS` over a DigestInfo(SHA-256) built in software.
    RsaPkcs,
    /// `CKM_ECDSA` over a SHA-256 hash computed in software.
    Ecdsa,
    /// `CKM_ECDSA_SHA256`: the token hashes (multi-part, for always-authenticate keys).
    EcdsaSha256,
}

impl SignMechanism {
    /// The PKCS#11 name, e.g. `CKM_SHA256_RSA_PKCS`.
    pub fn name(self) -> &'static str {
        match self {
            SignMechanism::Sha256RsaPkcs => "CKM_SHA256_RSA_PKCS",
            SignMechanism::RsaPkcs => "CKM_RSA_PKCS",
            SignMechanism::Ecdsa => "CKM_ECDSA",
            SignMechanism::EcdsaSha256 => "CKM_ECDSA_SHA256",
        }
    }

    pub(crate) fn mechanism(self) -> Mechanism<'static> {
        match self {
            SignMechanism::Sha256RsaPkcs => Mechanism::Sha256RsaPkcs,
            SignMechanism::RsaPkcs => Mechanism::RsaPkcs,
            SignMechanism::Ecdsa => Mechanism::Ecdsa,
            SignMechanism::EcdsaSha256 => Mechanism::EcdsaSha256,
        }
    }

    /// Whether the token hashes the message itself (and so can take it in parts).
    pub(crate) fn hashes_on_token(self) -> bool {
        matches!(self, SignMechanism::Sha256RsaPkcs | SignMechanism::EcdsaSha256)
    }

    /// The bytes handed to `C_Sign` for `message`.
    pub(crate) fn input(self, message: &[u8]) -> Result<Vec<u8>, TokenError> {
        match self {
            SignMechanism::Sha256RsaPkcs | SignMechanism::EcdsaSha256 => Ok(message.to_vec()),
            SignMechanism::RsaPkcs => digest_info_sha256(&Sha256::digest(message)),
            SignMechanism::Ecdsa => Ok(Sha256::digest(message).to_vec()),
        }
    }
}

/// Pick the mechanism for `kind` from the token's mechanism list. `None` for the list
/// means the token would not say: the universal raw mechanisms are tried.
pub(crate) fn choose(kind: KeyKind, available: Option<&[MechanismType]>, always_authenticate: bool) -> Result<SignMechanism, TokenError> {
    let has = |m: MechanismType| available.is_none_or(|list| list.contains(&m));
    let offered = |m: MechanismType| available.is_some_and(|list| list.contains(&m));
    match kind {
        KeyKind::Rsa { .. } => {
            if offered(MechanismType::SHA256_RSA_PKCS) {
                Ok(SignMechanism::Sha256RsaPkcs)
            } else if has(MechanismType::RSA_PKCS) {
                Ok(SignMechanism::RsaPkcs)
            } else {
                Err(TokenError::MechanismUnsupported { key: kind.label(), detail: "CKM_SHA256_RSA_PKCS, CKM_RSA_PKCS".into() })
            }
        }
        KeyKind::EcP256 | KeyKind::EcP384 => {
            if always_authenticate && offered(MechanismType::ECDSA_SHA256) {
                Ok(SignMechanism::EcdsaSha256)
            } else if has(MechanismType::ECDSA) {
                Ok(SignMechanism::Ecdsa)
            } else if offered(MechanismType::ECDSA_SHA256) {
                Ok(SignMechanism::EcdsaSha256)
            } else {
                Err(TokenError::MechanismUnsupported { key: kind.label(), detail: "CKM_ECDSA, CKM_ECDSA_SHA256".into() })
            }
        }
    }
}

/// RFC 8017 §9.2 `DigestInfo ::= SEQUENCE { digestAlgorithm AlgorithmIdentifier,
/// digest OCTET STRING }`, with `sha256` and NULL parameters.
#[derive(Sequence)]
struct DigestInfo<'a> {
    digest_algorithm: AlgorithmIdentifierRef<'a>,
    digest: OctetStringRef<'a>,
}

/// The DER `DigestInfo` for a SHA-256 hash, the input of `CKM_RSA_PKCS`.
pub fn digest_info_sha256(hash: &[u8]) -> Result<Vec<u8>, TokenError> {
    let bad = |e: der::Error| TokenError::Pkcs11 { function: "DigestInfo", rv: e.to_string() };
    DigestInfo {
        digest_algorithm: AlgorithmIdentifierRef { oid: OID_SHA256, parameters: Some(der::asn1::AnyRef::NULL) },
        digest: OctetStringRef::new(hash).map_err(bad)?,
    }
    .to_der()
    .map_err(bad)
}

/// RFC 3279 §2.2.3 `Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }`.
#[derive(Sequence)]
struct EcdsaSigValue<'a> {
    r: UintRef<'a>,
    s: UintRef<'a>,
}

/// Convert the raw `r‖s` a token returns for `kind` into a DER `Ecdsa-Sig-Value`.
pub fn ecdsa_raw_to_der(kind: KeyKind, raw: &[u8]) -> Result<Vec<u8>, TokenError> {
    let field = match kind {
        KeyKind::EcP256 => 32,
        KeyKind::EcP384 => 48,
        KeyKind::Rsa { .. } => 0,
    };
    let bad = |why: String| TokenError::Pkcs11 { function: "C_Sign", rv: why };
    if field == 0 || raw.len() != 2 * field {
        return Err(bad(format!("ECDSA signature of {} bytes for {}", raw.len(), kind.label())));
    }
    let (r, s) = raw.split_at(field);
    if r.iter().all(|b| *b == 0) || s.iter().all(|b| *b == 0) {
        return Err(bad("ECDSA signature with r or s = 0".into()));
    }
    let uint = |b| UintRef::new(b).map_err(|e: der::Error| bad(e.to_string()));
    EcdsaSigValue { r: uint(r)?, s: uint(s)? }.to_der().map_err(|e| bad(e.to_string()))
}

/// Left-pad an RSA signature to the modulus length (some tokens drop leading zero
/// bytes; PKCS#1 requires exactly `k` bytes).
pub(crate) fn pad_rsa(sig: Vec<u8>, bits: usize) -> Vec<u8> {
    let k = bits.div_ceil(8);
    if sig.len() >= k {
        return sig;
    }
    let mut out = vec![0u8; k - sig.len()];
    out.extend_from_slice(&sig);
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn digest_info_matches_rfc8017_prefix() {
        // RFC 8017 §9.2 note 1: the DER prefix for SHA-256.
        let prefix = hex::decode("3031300d060960864801650304020105000420").unwrap();
        let hash = Sha256::digest(b"abc");
        let di = digest_info_sha256(&hash).unwrap();
        assert_eq!(&di[..prefix.len()], &prefix[..]);
        assert_eq!(&di[prefix.len()..], &hash[..]);
        assert_eq!(di.len(), 51);
    }

    #[test]
    fn ecdsa_der_strips_and_pads() {
        let mut raw = vec![0u8; 64];
        raw[0] = 0x00;
        raw[1] = 0x7f; // r with a leading zero byte
        raw[31] = 1;
        raw[32] = 0x80; // s with the top bit set needs a 0x00 pad
        raw[63] = 2;
        let der = ecdsa_raw_to_der(KeyKind::EcP256, &raw).unwrap();
        let sig = p256::ecdsa::Signature::from_der(&der).unwrap();
        assert_eq!(&sig.to_bytes()[..], &raw[..]);
        assert_eq!(der[0], 0x30);
        assert!(der.len() <= KeyKind::EcP256.max_signature_len());
        assert!(ecdsa_raw_to_der(KeyKind::EcP384, &raw).is_err());
    }

    #[test]
    fn mechanism_choice() {
        use MechanismType as M;
        let rsa = KeyKind::Rsa { bits: 2048 };
        assert_eq!(choose(rsa, Some(&[M::RSA_PKCS, M::SHA256_RSA_PKCS]), false).unwrap(), SignMechanism::Sha256RsaPkcs);
        assert_eq!(choose(rsa, Some(&[M::RSA_PKCS]), false).unwrap(), SignMechanism::RsaPkcs);
        assert_eq!(choose(rsa, None, false).unwrap(), SignMechanism::RsaPkcs);
        assert!(choose(rsa, Some(&[M::ECDSA]), false).is_err());
        assert_eq!(choose(KeyKind::EcP256, Some(&[M::ECDSA, M::ECDSA_SHA256]), false).unwrap(), SignMechanism::Ecdsa);
        assert_eq!(choose(KeyKind::EcP256, Some(&[M::ECDSA, M::ECDSA_SHA256]), true).unwrap(), SignMechanism::EcdsaSha256);
    }

    #[test]
    fn rsa_padding() {
        assert_eq!(pad_rsa(vec![1, 2], 32), vec![0, 0, 1, 2]);
        assert_eq!(pad_rsa(vec![1, 2, 3, 4], 32).len(), 4);
    }
}
