//! Digest and signature-value checks for CMS signer infos (RFC 5652 §5.6):
//! RSA PKCS#1 v1.5 and ECDSA on P-256 / P-384.

use const_oid::ObjectIdentifier;
use der::Encode;
use sha2::Digest;
use spki::AlgorithmIdentifierOwned;
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

/// Verify `signature` over `message` with `cert`'s public key, for the signer
/// info's signature algorithm and digest algorithm.
pub fn verify_signature(
    cert: &Certificate,
    sig_alg: &AlgorithmIdentifierOwned,
    digest: DigestAlg,
    message: Signed<'_>,
    signature: &[u8],
) -> Result<bool, String> {
    let spki = &cert.tbs_certificate.subject_public_key_info;
    let key_der = spki.to_der().map_err(|e| e.to_string())?;
    let alg = sig_alg.oid.to_string();
    match alg.as_str() {
        // RSASSA-PSS (RFC 4055 §3.1): the hash and salt come from the parameters.
        "1.2.840.113549.1.1.10" => {
            use der::Decode;
            use rsa::pkcs8::DecodePublicKey;
            let key = rsa::RsaPublicKey::from_public_key_der(&key_der).map_err(|e| e.to_string())?;
            let params_der = sig_alg.parameters.as_ref().map(|p| p.to_der()).transpose().map_err(|e| e.to_string())?;
            let params = match &params_der {
                Some(d) => rsa::pkcs1::RsaPssParams::from_der(d).map_err(|e| format!("RSASSA-PSS parameters: {e}"))?,
                None => rsa::pkcs1::RsaPssParams::default(),
            };
            let pss_digest = DigestAlg::from_oid(params.hash.oid).ok_or("unsupported RSASSA-PSS hash")?;
            let salt = usize::from(params.salt_len);
            let hashed = message.hashed(pss_digest);
            let scheme = match pss_digest {
                DigestAlg::Sha1 => rsa::Pss::new_with_salt::<sha1::Sha1>(salt),
                DigestAlg::Sha256 => rsa::Pss::new_with_salt::<sha2::Sha256>(salt),
                DigestAlg::Sha384 => rsa::Pss::new_with_salt::<sha2::Sha384>(salt),
                DigestAlg::Sha512 => rsa::Pss::new_with_salt::<sha2::Sha512>(salt),
            };
            Ok(key.verify(scheme, &hashed, signature).is_ok())
        }
        // rsaEncryption, sha1/256/384/512WithRSAEncryption
        "1.2.840.113549.1.1.1" | "1.2.840.113549.1.1.5" | "1.2.840.113549.1.1.11" | "1.2.840.113549.1.1.12" | "1.2.840.113549.1.1.13" => {
            use rsa::pkcs8::DecodePublicKey;
            let key = rsa::RsaPublicKey::from_public_key_der(&key_der).map_err(|e| e.to_string())?;
            let hashed = message.hashed(digest);
            let scheme = match digest {
                DigestAlg::Sha1 => rsa::Pkcs1v15Sign::new::<sha1::Sha1>(),
                DigestAlg::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
                DigestAlg::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
                DigestAlg::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
            };
            Ok(key.verify(scheme, &hashed, signature).is_ok())
        }
        // ecdsa-with-SHA1/256/384/512, and id-ecPublicKey, which some producers
        // write as the signature algorithm (the digest is then the SignerInfo's).
        "1.2.840.10045.4.1" | "1.2.840.10045.4.3.2" | "1.2.840.10045.4.3.3" | "1.2.840.10045.4.3.4" | "1.2.840.10045.2.1" => {
            let hashed = message.hashed(digest);
            let curve = spki.algorithm.parameters.as_ref().and_then(|p| p.decode_as::<ObjectIdentifier>().ok()).map(|o| o.to_string());
            use signature::hazmat::PrehashVerifier;
            match curve.as_deref() {
                Some("1.2.840.10045.3.1.7") => {
                    use p256::pkcs8::DecodePublicKey;
                    let vk = p256::ecdsa::VerifyingKey::from_public_key_der(&key_der).map_err(|e| e.to_string())?;
                    // DER per RFC 5753; a plain r‖s value is not accepted (see `plain_ecdsa_note`).
                    let Ok(sig) = p256::ecdsa::Signature::from_der(signature) else {
                        return Ok(false);
                    };
                    Ok(vk.verify_prehash(&hashed, &sig).is_ok())
                }
                Some("1.3.132.0.34") => {
                    use p384::pkcs8::DecodePublicKey;
                    let vk = p384::ecdsa::VerifyingKey::from_public_key_der(&key_der).map_err(|e| e.to_string())?;
                    let Ok(sig) = p384::ecdsa::Signature::from_der(signature) else {
                        return Ok(false);
                    };
                    Ok(vk.verify_prehash(&hashed, &sig).is_ok())
                }
                other => Err(format!("unsupported curve {}", other.unwrap_or("?"))),
            }
        }
        other => Err(format!("unsupported signature algorithm {other}")),
    }
}

/// Why an ECDSA signature value failed, when it is not DER but a plain r‖s pair
/// (BSI TR-03111 form) written under an OID that requires DER (RFC 5753 §7.2):
/// conformant validators (poppler, pyHanko) reject it, and so does KýSố.
pub fn plain_ecdsa_note(signature: &[u8]) -> Option<&'static str> {
    let plain_len = matches!(signature.len(), 64 | 96 | 132);
    (plain_len && signature.first() != Some(&0x30))
        .then_some("the ECDSA signature value is a plain r‖s pair, not the DER Ecdsa-Sig-Value RFC 5753 requires")
}
