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
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

/// An incremental hasher for one of [`DigestAlg`].
pub enum Hasher {
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
            Hasher::Sha256(h) => h.update(b),
            Hasher::Sha384(h) => h.update(b),
            Hasher::Sha512(h) => h.update(b),
        }
    }
    /// The digest.
    pub fn finalize(self) -> Vec<u8> {
        match self {
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
            "2.16.840.1.101.3.4.2.1" => Some(DigestAlg::Sha256),
            "2.16.840.1.101.3.4.2.2" => Some(DigestAlg::Sha384),
            "2.16.840.1.101.3.4.2.3" => Some(DigestAlg::Sha512),
            _ => None,
        }
    }
    /// Display name.
    pub fn name(self) -> &'static str {
        match self {
            DigestAlg::Sha256 => "SHA-256",
            DigestAlg::Sha384 => "SHA-384",
            DigestAlg::Sha512 => "SHA-512",
        }
    }
    /// A fresh hasher.
    pub fn hasher(self) -> Hasher {
        match self {
            DigestAlg::Sha256 => Hasher::Sha256(sha2::Sha256::new()),
            DigestAlg::Sha384 => Hasher::Sha384(sha2::Sha384::new()),
            DigestAlg::Sha512 => Hasher::Sha512(sha2::Sha512::new()),
        }
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

/// Verify `signature` over `message` with `cert`'s public key, for the signer
/// info's signature algorithm and digest algorithm.
pub fn verify_signature(
    cert: &Certificate,
    sig_alg: &AlgorithmIdentifierOwned,
    digest: DigestAlg,
    message: &[u8],
    signature: &[u8],
) -> Result<bool, String> {
    let spki = &cert.tbs_certificate.subject_public_key_info;
    let key_der = spki.to_der().map_err(|e| e.to_string())?;
    let alg = sig_alg.oid.to_string();
    match alg.as_str() {
        // rsaEncryption, sha256/384/512WithRSAEncryption
        "1.2.840.113549.1.1.1" | "1.2.840.113549.1.1.11" | "1.2.840.113549.1.1.12" | "1.2.840.113549.1.1.13" => {
            use rsa::pkcs8::DecodePublicKey;
            let key = rsa::RsaPublicKey::from_public_key_der(&key_der).map_err(|e| e.to_string())?;
            let hashed = digest.digest(message);
            let scheme = match digest {
                DigestAlg::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
                DigestAlg::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
                DigestAlg::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
            };
            Ok(key.verify(scheme, &hashed, signature).is_ok())
        }
        // ecdsa-with-SHA256/384/512
        "1.2.840.10045.4.3.2" | "1.2.840.10045.4.3.3" | "1.2.840.10045.4.3.4" => {
            let hashed = digest.digest(message);
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
                .map(|o| o.to_string());
            use signature::hazmat::PrehashVerifier;
            match curve.as_deref() {
                Some("1.2.840.10045.3.1.7") => {
                    use p256::pkcs8::DecodePublicKey;
                    let vk = p256::ecdsa::VerifyingKey::from_public_key_der(&key_der).map_err(|e| e.to_string())?;
                    let sig = p256::ecdsa::Signature::from_der(signature).map_err(|e| e.to_string())?;
                    Ok(vk.verify_prehash(&hashed, &sig).is_ok())
                }
                Some("1.3.132.0.34") => {
                    use p384::pkcs8::DecodePublicKey;
                    let vk = p384::ecdsa::VerifyingKey::from_public_key_der(&key_der).map_err(|e| e.to_string())?;
                    let sig = p384::ecdsa::Signature::from_der(signature).map_err(|e| e.to_string())?;
                    Ok(vk.verify_prehash(&hashed, &sig).is_ok())
                }
                other => Err(format!("unsupported curve {}", other.unwrap_or("?"))),
            }
        }
        other => Err(format!("unsupported signature algorithm {other}")),
    }
}
