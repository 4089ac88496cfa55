//! Digests and signature values: one verification core ([`verify_with_key`])
//! for CMS signer infos, certificates, CRLs and OCSP responses — RSA PKCS#1 v1.5
//! and PSS, ECDSA on P-256 / P-384, Ed25519.

use const_oid::ObjectIdentifier;
use der::Encode;
use sha2::Digest;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::Certificate;

/// Digest algorithms accepted for message digests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DigestAlg {
    /// SHA-1 (weak: accepted for checking, reported as weak).
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

/// An incremental hasher for one of [`DigestAlg`].
pub enum Hasher {
    /// SHA-1 state.
    Sha1(sha1::Sha1),
    /// SHA-256 state.
    Sha256(sha2::Sha256),
    /// SHA-384 state.
    Sha384(sha2::Sha384),
    /// SHA-512 state.
    Sha512(sha2::Sha512),
}

impl Hasher {
    /// Feed bytes.
    pub fn update(&mut self, b: &[u8]) {
        match self {
            Hasher::Sha1(h) => h.update(b),
            Hasher::Sha256(h) => h.update(b),
            Hasher::Sha384(h) => h.update(b),
            Hasher::Sha512(h) => h.update(b),
        }
    }
    /// The digest.
    pub fn finalize(self) -> Vec<u8> {
        match self {
            Hasher::Sha1(h) => h.finalize().to_vec(),
            Hasher::Sha256(h) => h.finalize().to_vec(),
            Hasher::Sha384(h) => h.finalize().to_vec(),
            Hasher::Sha512(h) => h.finalize().to_vec(),
        }
    }
}

impl DigestAlg {
    /// From a digest algorithm OID.
    pub fn from_oid(oid: ObjectIdentifier) -> Option<Self> {
        match oid.to_string().as_str() {
            "1.3.14.3.2.26" => Some(DigestAlg::Sha1),
            "2.16.840.1.101.3.4.2.1" => Some(DigestAlg::Sha256),
            "2.16.840.1.101.3.4.2.2" => Some(DigestAlg::Sha384),
            "2.16.840.1.101.3.4.2.3" => Some(DigestAlg::Sha512),
            _ => None,
        }
    }
    /// The algorithm's OID.
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            DigestAlg::Sha1 => const_oid::db::rfc5912::ID_SHA_1,
            DigestAlg::Sha256 => const_oid::db::rfc5912::ID_SHA_256,
            DigestAlg::Sha384 => const_oid::db::rfc5912::ID_SHA_384,
            DigestAlg::Sha512 => const_oid::db::rfc5912::ID_SHA_512,
        }
    }
    /// Display name.
    pub fn name(self) -> &'static str {
        match self {
            DigestAlg::Sha1 => "SHA-1",
            DigestAlg::Sha256 => "SHA-256",
            DigestAlg::Sha384 => "SHA-384",
            DigestAlg::Sha512 => "SHA-512",
        }
    }
    /// A fresh hasher.
    pub fn hasher(self) -> Hasher {
        match self {
            DigestAlg::Sha1 => Hasher::Sha1(sha1::Sha1::new()),
            DigestAlg::Sha256 => Hasher::Sha256(sha2::Sha256::new()),
            DigestAlg::Sha384 => Hasher::Sha384(sha2::Sha384::new()),
            DigestAlg::Sha512 => Hasher::Sha512(sha2::Sha512::new()),
        }
    }
    /// Whether this algorithm is too weak to accept (SHA-1).
    pub fn is_weak(self) -> bool {
        self == DigestAlg::Sha1
    }

    /// One-shot digest.
    pub fn digest(self, b: &[u8]) -> Vec<u8> {
        let mut h = self.hasher();
        h.update(b);
        h.finalize()
    }
}

/// The certificate's subject key identifier extension value, if present.
pub fn subject_key_id(cert: &Certificate) -> Option<Vec<u8>> {
    use der::Decode;
    let exts = cert.tbs_certificate.extensions.as_ref()?;
    let e = exts.iter().find(|e| e.extn_id == const_oid::db::rfc5280::ID_CE_SUBJECT_KEY_IDENTIFIER)?;
    let ski = x509_cert::ext::pkix::SubjectKeyIdentifier::from_der(e.extn_value.as_bytes()).ok()?;
    Some(ski.0.as_bytes().to_vec())
}

/// What a signature value was computed over.
#[derive(Clone, Copy, Debug)]
pub enum Signed<'a> {
    /// These bytes (hashed here with the signature's digest).
    Bytes(&'a [u8]),
    /// A digest computed elsewhere (CMS without signed attributes: the document digest).
    Digest(&'a [u8]),
}

impl Signed<'_> {
    fn hashed(self, alg: DigestAlg) -> Vec<u8> {
        match self {
            Signed::Bytes(b) => alg.digest(b),
            Signed::Digest(d) => d.to_vec(),
        }
    }
}

/// A signature scheme with everything needed to verify: the padding or curve
/// family and the hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// RSASSA-PKCS1-v1_5 (RFC 8017 §8.2) with this hash.
    RsaPkcs1(DigestAlg),
    /// RSASSA-PSS (RFC 8017 §8.1) with MGF1 over the same hash and this salt length.
    RsaPss {
        /// The hash (message and MGF1).
        hash: DigestAlg,
        /// The salt length in bytes.
        salt: usize,
    },
    /// ECDSA (P-256 or P-384, by the key) with this hash; DER `Ecdsa-Sig-Value`.
    Ecdsa(DigestAlg),
    /// Ed25519 (RFC 8032, "pure": over the message itself).
    Ed25519,
}

/// Verify `signature` over `message` with `cert`'s public key, for the signer
/// info's signature algorithm and digest algorithm (RFC 5652 §5.6, RFC 5754,
/// RFC 4056, RFC 5753, RFC 8419).
pub fn verify_signature(
    cert: &Certificate,
    sig_alg: &AlgorithmIdentifierOwned,
    digest: DigestAlg,
    message: Signed<'_>,
    signature: &[u8],
) -> Result<bool, String> {
    let alg = sig_alg.oid.to_string();
    let scheme = match alg.as_str() {
        // RSASSA-PSS (RFC 4055 §3.1): the hash and salt come from the parameters.
        "1.2.840.113549.1.1.10" => pss_scheme(sig_alg)?,
        // rsaEncryption, sha1/256/384/512WithRSAEncryption: the SignerInfo's digest.
        "1.2.840.113549.1.1.1" | "1.2.840.113549.1.1.5" | "1.2.840.113549.1.1.11" | "1.2.840.113549.1.1.12" | "1.2.840.113549.1.1.13" => {
            Scheme::RsaPkcs1(digest)
        }
        // ecdsa-with-SHA1/256/384/512, and id-ecPublicKey, which some producers
        // write as the signature algorithm (the digest is then the SignerInfo's).
        "1.2.840.10045.4.1" | "1.2.840.10045.4.3.2" | "1.2.840.10045.4.3.3" | "1.2.840.10045.4.3.4" | "1.2.840.10045.2.1" => {
            Scheme::Ecdsa(digest)
        }
        // Ed25519 (RFC 8419 §3.1): signed attributes with SHA-512 message digests.
        "1.3.101.112" => Scheme::Ed25519,
        other => return Err(format!("signature algorithm {}", algorithm_label(other))),
    };
    verify_with_key(&cert.tbs_certificate.subject_public_key_info, scheme, message, signature)
}

/// The scheme of a certificate, CRL or OCSP signature algorithm (the hash is part
/// of the OID), or why it is not supported.
pub fn scheme_of(alg: &AlgorithmIdentifierOwned) -> Result<Scheme, String> {
    let oid = alg.oid.to_string();
    Ok(match oid.as_str() {
        "1.2.840.113549.1.1.5" => Scheme::RsaPkcs1(DigestAlg::Sha1),
        "1.2.840.113549.1.1.11" => Scheme::RsaPkcs1(DigestAlg::Sha256),
        "1.2.840.113549.1.1.12" => Scheme::RsaPkcs1(DigestAlg::Sha384),
        "1.2.840.113549.1.1.13" => Scheme::RsaPkcs1(DigestAlg::Sha512),
        "1.2.840.113549.1.1.10" => pss_scheme(alg)?,
        "1.2.840.10045.4.1" => Scheme::Ecdsa(DigestAlg::Sha1),
        "1.2.840.10045.4.3.2" => Scheme::Ecdsa(DigestAlg::Sha256),
        "1.2.840.10045.4.3.3" => Scheme::Ecdsa(DigestAlg::Sha384),
        "1.2.840.10045.4.3.4" => Scheme::Ecdsa(DigestAlg::Sha512),
        "1.3.101.112" => Scheme::Ed25519,
        other => return Err(format!("signature algorithm {}", algorithm_label(other))),
    })
}

/// RSASSA-PSS parameters (RFC 4055 §3.1): the hash, MGF1 over the same hash, the salt.
fn pss_scheme(alg: &AlgorithmIdentifierOwned) -> Result<Scheme, String> {
    use der::Decode;
    let params_der = alg.parameters.as_ref().map(|p| p.to_der()).transpose().map_err(|e| e.to_string())?;
    let params = match &params_der {
        Some(d) => rsa::pkcs1::RsaPssParams::from_der(d).map_err(|e| format!("RSASSA-PSS parameters: {e}"))?,
        None => rsa::pkcs1::RsaPssParams::default(),
    };
    let hash = DigestAlg::from_oid(params.hash.oid).ok_or("RSASSA-PSS with an unsupported hash")?;
    let mgf_hash = params.mask_gen.parameters.as_ref().and_then(|p| DigestAlg::from_oid(p.oid));
    if params.mask_gen.oid.to_string() != "1.2.840.113549.1.1.8" || mgf_hash != Some(hash) {
        return Err("RSASSA-PSS with a mask generation other than MGF1 over the same hash".into());
    }
    Ok(Scheme::RsaPss { hash, salt: usize::from(params.salt_len) })
}

/// Verify `signature` over `message` with the public key `key` under `scheme`.
/// `Ok(false)`: it does not verify; `Err`: the key or scheme is not supported.
///
/// The common cases go through `ring` (constant work, several times faster than
/// the pure-Rust arithmetic); what `ring` does not offer (RSA under 2048 bits with
/// some hashes, PSS salts other than the hash length, ECDSA with SHA-1 or
/// SHA-512, a digest computed elsewhere) goes through RustCrypto's `rsa`, `p256`
/// and `p384`.
pub fn verify_with_key(key: &SubjectPublicKeyInfoOwned, scheme: Scheme, message: Signed<'_>, signature: &[u8]) -> Result<bool, String> {
    // The same certificate link, CRL or OCSP signature comes back for every
    // signature of a document and every document of a folder: remembered.
    let memo = memo_key(key, scheme, message, signature);
    if let Some(ok) = memo.and_then(|k| VERIFIED.lock().ok().and_then(|m| m.get(&k).copied())) {
        return Ok(ok);
    }
    let result = verify_uncached(key, scheme, message, signature);
    if let (Some(k), Ok(ok)) = (memo, &result) {
        if let Ok(mut m) = VERIFIED.lock() {
            if m.len() >= MEMO_ENTRIES {
                m.clear();
            }
            m.insert(k, *ok);
        }
    }
    result
}

/// Verification results already computed in this process, by [`memo_key`].
static VERIFIED: std::sync::LazyLock<std::sync::Mutex<std::collections::HashMap<[u8; 32], bool>>> =
    std::sync::LazyLock::new(Default::default);
/// Most results remembered (the table is emptied when full).
const MEMO_ENTRIES: usize = 4096;

/// SHA-256 over everything a verification depends on (key, scheme, message,
/// signature), each length-prefixed; `None` for a digest computed elsewhere.
fn memo_key(key: &SubjectPublicKeyInfoOwned, scheme: Scheme, message: Signed<'_>, signature: &[u8]) -> Option<[u8; 32]> {
    let Signed::Bytes(m) = message else { return None };
    let key_der = key.to_der().ok()?;
    let mut h = sha2::Sha256::new();
    for part in [key_der.as_slice(), format!("{scheme:?}").as_bytes(), m, signature] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part);
    }
    Some(h.finalize().into())
}

fn verify_uncached(key: &SubjectPublicKeyInfoOwned, scheme: Scheme, message: Signed<'_>, signature: &[u8]) -> Result<bool, String> {
    let key_alg = key.algorithm.oid.to_string();
    let raw = key.subject_public_key.raw_bytes();
    if let (Some(params), Signed::Bytes(m)) = (ring_params(&key_alg, key, raw, scheme), message) {
        return Ok(ring::signature::UnparsedPublicKey::new(params, raw).verify(m, signature).is_ok());
    }
    match scheme {
        Scheme::RsaPkcs1(h) => {
            let k = rsa_key(&key_alg, raw)?;
            let hashed = message.hashed(h);
            let padding = match h {
                DigestAlg::Sha1 => rsa::Pkcs1v15Sign::new::<sha1::Sha1>(),
                DigestAlg::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
                DigestAlg::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
                DigestAlg::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
            };
            Ok(k.verify(padding, &hashed, signature).is_ok())
        }
        Scheme::RsaPss { hash, salt } => {
            let k = rsa_key(&key_alg, raw)?;
            let hashed = message.hashed(hash);
            let padding = match hash {
                DigestAlg::Sha1 => rsa::Pss::new_with_salt::<sha1::Sha1>(salt),
                DigestAlg::Sha256 => rsa::Pss::new_with_salt::<sha2::Sha256>(salt),
                DigestAlg::Sha384 => rsa::Pss::new_with_salt::<sha2::Sha384>(salt),
                DigestAlg::Sha512 => rsa::Pss::new_with_salt::<sha2::Sha512>(salt),
            };
            Ok(k.verify(padding, &hashed, signature).is_ok())
        }
        Scheme::Ecdsa(h) => {
            use signature::hazmat::PrehashVerifier;
            let hashed = message.hashed(h);
            match ec_curve(key).as_deref() {
                Some("1.2.840.10045.3.1.7") => {
                    let vk = p256::ecdsa::VerifyingKey::from_sec1_bytes(raw).map_err(|e| format!("P-256 key: {e}"))?;
                    // DER per RFC 5753; a plain r‖s value is not accepted (see `plain_ecdsa_note`).
                    let Ok(sig) = p256::ecdsa::Signature::from_der(signature) else { return Ok(false) };
                    Ok(vk.verify_prehash(&hashed, &sig).is_ok())
                }
                Some("1.3.132.0.34") => {
                    let vk = p384::ecdsa::VerifyingKey::from_sec1_bytes(raw).map_err(|e| format!("P-384 key: {e}"))?;
                    let Ok(sig) = p384::ecdsa::Signature::from_der(signature) else { return Ok(false) };
                    Ok(vk.verify_prehash(&hashed, &sig).is_ok())
                }
                other => Err(format!("elliptic curve {}", other.unwrap_or("(none)"))),
            }
        }
        // Pure EdDSA signs the message itself: a digest computed elsewhere cannot be checked.
        Scheme::Ed25519 => Err("Ed25519 over a precomputed digest (CMS without signed attributes)".into()),
    }
}

/// `ring`'s verification parameters for this key and scheme, when it has them.
fn ring_params(
    key_alg: &str,
    key: &SubjectPublicKeyInfoOwned,
    raw: &[u8],
    scheme: Scheme,
) -> Option<&'static dyn ring::signature::VerificationAlgorithm> {
    use ring::signature as rs;
    match scheme {
        Scheme::RsaPkcs1(h) if key_alg == "1.2.840.113549.1.1.1" => {
            let bits = rsa_modulus_bits(raw)?;
            match (h, bits) {
                (_, b) if b > 8192 => None,
                (DigestAlg::Sha1, 1024..) => Some(&rs::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY),
                (DigestAlg::Sha256, 2048..) => Some(&rs::RSA_PKCS1_2048_8192_SHA256),
                (DigestAlg::Sha256, 1024..) => Some(&rs::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY),
                (DigestAlg::Sha384, 2048..) => Some(&rs::RSA_PKCS1_2048_8192_SHA384),
                (DigestAlg::Sha512, 2048..) => Some(&rs::RSA_PKCS1_2048_8192_SHA512),
                (DigestAlg::Sha512, 1024..) => Some(&rs::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY),
                _ => None,
            }
        }
        Scheme::RsaPss { hash, salt } if key_alg == "1.2.840.113549.1.1.1" || key_alg == "1.2.840.113549.1.1.10" => {
            let bits = rsa_modulus_bits(raw)?;
            if !(2048..=8192).contains(&bits) {
                return None;
            }
            match (hash, salt) {
                (DigestAlg::Sha256, 32) => Some(&rs::RSA_PSS_2048_8192_SHA256),
                (DigestAlg::Sha384, 48) => Some(&rs::RSA_PSS_2048_8192_SHA384),
                (DigestAlg::Sha512, 64) => Some(&rs::RSA_PSS_2048_8192_SHA512),
                _ => None,
            }
        }
        Scheme::Ecdsa(h) if key_alg == "1.2.840.10045.2.1" => match (ec_curve(key).as_deref(), h) {
            (Some("1.2.840.10045.3.1.7"), DigestAlg::Sha256) => Some(&rs::ECDSA_P256_SHA256_ASN1),
            (Some("1.2.840.10045.3.1.7"), DigestAlg::Sha384) => Some(&rs::ECDSA_P256_SHA384_ASN1),
            (Some("1.3.132.0.34"), DigestAlg::Sha256) => Some(&rs::ECDSA_P384_SHA256_ASN1),
            (Some("1.3.132.0.34"), DigestAlg::Sha384) => Some(&rs::ECDSA_P384_SHA384_ASN1),
            _ => None,
        },
        Scheme::Ed25519 if key_alg == "1.3.101.112" => Some(&rs::ED25519),
        _ => None,
    }
}

/// The named curve of an EC public key.
fn ec_curve(key: &SubjectPublicKeyInfoOwned) -> Option<String> {
    key.algorithm.parameters.as_ref().and_then(|p| p.decode_as::<ObjectIdentifier>().ok()).map(|o| o.to_string())
}

/// An RSA public key from the SPKI's bit string (an `RSAPublicKey`, RFC 8017 A.1.1).
fn rsa_key(key_alg: &str, raw: &[u8]) -> Result<rsa::RsaPublicKey, String> {
    if key_alg != "1.2.840.113549.1.1.1" && key_alg != "1.2.840.113549.1.1.10" {
        return Err(format!("an RSA signature with a {} key", algorithm_label(key_alg)));
    }
    use rsa::pkcs1::DecodeRsaPublicKey;
    rsa::RsaPublicKey::from_pkcs1_der(raw).map_err(|e| format!("RSA key: {e}"))
}

/// The bit length of the modulus in an `RSAPublicKey` (without building the key).
fn rsa_modulus_bits(raw: &[u8]) -> Option<usize> {
    use crate::cms::ber::{der_children, der_element};
    let seq = der_element(raw)?;
    let n = der_children(seq.body)?.into_iter().next()?;
    let digits = n.body.iter().skip_while(|&&b| b == 0).copied().collect::<Vec<u8>>();
    let first = *digits.first()?;
    Some((digits.len() - 1) * 8 + (8 - first.leading_zeros() as usize))
}

/// The modulus size of an RSA public key in `cert`, in bits (`None` for other keys).
pub fn rsa_bits(cert: &Certificate) -> Option<usize> {
    let spki = &cert.tbs_certificate.subject_public_key_info;
    if spki.algorithm.oid.to_string() != "1.2.840.113549.1.1.1" {
        return None;
    }
    rsa_modulus_bits(spki.subject_public_key.raw_bytes())
}

/// A readable name for an algorithm OID this verifier does not implement, for
/// messages ("Ed448 (1.3.101.113)"); the bare OID when unknown.
pub fn algorithm_label(oid: &str) -> String {
    let name = match oid {
        "1.3.101.112" => "Ed25519",
        "1.3.101.113" => "Ed448",
        "2.16.840.1.101.3.4.2.4" => "SHA-224",
        "2.16.840.1.101.3.4.2.5" => "SHA-512/224",
        "2.16.840.1.101.3.4.2.6" => "SHA-512/256",
        "2.16.840.1.101.3.4.2.7" => "SHA3-224",
        "2.16.840.1.101.3.4.2.8" => "SHA3-256",
        "2.16.840.1.101.3.4.2.9" => "SHA3-384",
        "2.16.840.1.101.3.4.2.10" => "SHA3-512",
        "2.16.840.1.101.3.4.2.11" => "SHAKE128",
        "2.16.840.1.101.3.4.2.12" => "SHAKE256",
        "2.16.840.1.101.3.4.2.18" => "SHAKE256 (id-shake256-len)",
        "1.2.840.113549.2.5" => "MD5",
        "1.2.840.113549.1.1.4" => "md5WithRSAEncryption",
        "1.2.156.10197.1.401" => "SM3",
        "1.2.156.10197.1.501" => "SM2-with-SM3",
        "1.2.643.7.1.1.2.2" => "GOST R 34.11-2012 (256)",
        "1.2.643.7.1.1.3.2" => "GOST R 34.10-2012 with 34.11-2012 (256)",
        "1.2.840.10040.4.3" => "dsa-with-sha1",
        "2.16.840.1.101.3.4.3.2" => "dsa-with-sha256",
        _ => return oid.to_owned(),
    };
    format!("{name} ({oid})")
}

/// Why an ECDSA signature value failed, when it is not DER but a plain r‖s pair
/// (BSI TR-03111 form) written under an OID that requires DER (RFC 5753 §7.2):
/// conformant validators (poppler, pyHanko) reject it, and so does KýSố.
pub fn plain_ecdsa_note(signature: &[u8]) -> Option<&'static str> {
    let plain_len = matches!(signature.len(), 64 | 96 | 132);
    (plain_len && signature.first() != Some(&0x30))
        .then_some("the ECDSA signature value is a plain r‖s pair, not the DER Ecdsa-Sig-Value RFC 5753 requires")
}
