//! Building the PAdES `SignedData` in two stages, like x509-cert's
//! `finalize`/`assemble`: [`SignedAttrs::new`] gives the exact bytes to sign;
//! [`SignedAttrs::assemble`] wraps the signature value into a `ContentInfo`.
//! Any [`Signer`] (token or software key) fits between the two.

use cms::cert::IssuerAndSerialNumber;
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos};
use const_oid::ObjectIdentifier;
use der::asn1::{Any, OctetString, SetOfVec};
use der::{Decode, Encode};
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::{Attribute, Attributes};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::Certificate;

use super::ess::{EssCertIdV2, IssuerSerial, SigningCertificateV2, ID_AA_SIGNING_CERTIFICATE_V2};
use super::CmsError;
use crate::signer::{KeyKind, Signer};

/// `id-data` (RFC 5652 §4).
pub const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
/// `id-signedData` (RFC 5652 §5.1).
pub const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
/// `id-contentType` (RFC 5652 §11.1).
pub const ID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
/// `id-messageDigest` (RFC 5652 §11.2).
pub const ID_MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
/// `id-sha256` (RFC 5754 §2.2).
pub const ID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
/// `sha256WithRSAEncryption` (RFC 4055 §5).
pub const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
/// `ecdsa-with-SHA256` (RFC 5758 §3.2).
pub const ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");

fn sha256_alg() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned { oid: ID_SHA256, parameters: None }
}

/// The `signatureAlgorithm` of a SignerInfo for `kind`.
pub fn signature_algorithm(kind: KeyKind) -> AlgorithmIdentifierOwned {
    match kind {
        KeyKind::Rsa { .. } => AlgorithmIdentifierOwned { oid: SHA256_WITH_RSA, parameters: Some(Any::null()) },
        KeyKind::EcP256 | KeyKind::EcP384 => AlgorithmIdentifierOwned { oid: ECDSA_WITH_SHA256, parameters: None },
    }
}

/// The signed attributes of one signature, and their DER encoding as signed
/// (`SET OF Attribute`, RFC 5652 §5.4).
pub struct SignedAttrs {
    attrs: Attributes,
    der: Vec<u8>,
}

impl SignedAttrs {
    /// Signed attributes for a document digest (SHA-256 over the byte ranges)
    /// and the signer's certificate.
    pub fn new(document_digest: &[u8; 32], cert: &Certificate) -> Result<Self, CmsError> {
        let mut attrs: Vec<Attribute> = Vec::with_capacity(3);
        attrs.push(attribute(ID_CONTENT_TYPE, Any::encode_from(&ID_DATA)?)?);
        attrs.push(attribute(ID_MESSAGE_DIGEST, Any::encode_from(&OctetString::new(document_digest.to_vec())?)?)?);
        let cert_der = cert.to_der()?;
        let ess = SigningCertificateV2 {
            certs: vec![EssCertIdV2 {
                hash_algorithm: None,
                cert_hash: OctetString::new(Sha256::digest(&cert_der).to_vec())?,
                issuer_serial: Some(IssuerSerial {
                    issuer: vec![GeneralName::DirectoryName(cert.tbs_certificate.issuer.clone())],
                    serial_number: cert.tbs_certificate.serial_number.clone(),
                }),
            }],
        };
        attrs.push(attribute(ID_AA_SIGNING_CERTIFICATE_V2, Any::from_der(&ess.to_der()?)?)?);
        let attrs = SetOfVec::try_from(attrs)?;
        let der = attrs.to_der()?;
        Ok(SignedAttrs { attrs, der })
    }

    /// The exact bytes the signer must sign.
    pub fn to_be_signed(&self) -> &[u8] {
        &self.der
    }

    /// Wrap `signature` (from the signer over [`Self::to_be_signed`]) into a
    /// DER `ContentInfo` holding the detached `SignedData`.
    pub fn assemble(self, signature: Vec<u8>, kind: KeyKind, cert: &Certificate, chain: &[Certificate]) -> Result<Vec<u8>, CmsError> {
        let signer_info = SignerInfo {
            version: CmsVersion::V1,
            sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
                issuer: cert.tbs_certificate.issuer.clone(),
                serial_number: cert.tbs_certificate.serial_number.clone(),
            }),
            digest_alg: sha256_alg(),
            signed_attrs: Some(self.attrs),
            signature_algorithm: signature_algorithm(kind),
            signature: OctetString::new(signature)?,
            unsigned_attrs: None,
        };
        let mut certs = vec![cms::cert::CertificateChoices::Certificate(cert.clone())];
        for c in chain {
            if c != cert {
                certs.push(cms::cert::CertificateChoices::Certificate(c.clone()));
            }
        }
        let signed_data = SignedData {
            version: CmsVersion::V1,
            digest_algorithms: SetOfVec::try_from(vec![sha256_alg()])?,
            encap_content_info: EncapsulatedContentInfo { econtent_type: ID_DATA, econtent: None },
            certificates: Some(CertificateSet(SetOfVec::try_from(certs)?)),
            crls: None,
            signer_infos: SignerInfos(SetOfVec::try_from(vec![signer_info])?),
        };
        let ci = ContentInfo { content_type: ID_SIGNED_DATA, content: Any::from_der(&signed_data.to_der()?)? };
        Ok(ci.to_der()?)
    }
}

fn attribute(oid: ObjectIdentifier, value: Any) -> Result<Attribute, CmsError> {
    Ok(Attribute { oid, values: SetOfVec::try_from(vec![value])? })
}

/// Sign `document_digest` with `signer` and return the DER CMS embedding `chain`.
pub fn sign_digest(document_digest: &[u8; 32], signer: &dyn Signer, chain: &[Certificate]) -> Result<Vec<u8>, crate::Error> {
    let attrs = SignedAttrs::new(document_digest, signer.certificate())?;
    let signature = signer.sign(attrs.to_be_signed())?;
    check_signature_shape(signer.key_kind(), &signature)?;
    Ok(attrs.assemble(signature, signer.key_kind(), signer.certificate(), chain)?)
}

/// The largest CMS `signer` can produce with `chain`, found by assembling one with
/// a maximum-length dummy signature; used to size `/Contents` exactly.
pub fn max_cms_len(signer: &dyn Signer, chain: &[Certificate]) -> Result<usize, CmsError> {
    let attrs = SignedAttrs::new(&[0xFF; 32], signer.certificate())?;
    let kind = signer.key_kind();
    let dummy = vec![0xFFu8; kind.max_signature_len()];
    Ok(attrs.assemble(dummy, kind, signer.certificate(), chain)?.len())
}

/// The certificates to embed: the signer's own chain, completed upward from the
/// bundled Vietnamese CAs when the token holds only part of it (roots left out).
pub fn embedded_chain(signer: &dyn Signer) -> Vec<Certificate> {
    let pool = crate::trust::bundled_certificates();
    let mut chain = crate::trust::complete_chain(signer.certificate(), signer.chain(), &pool);
    // Keep anything else the signer supplied (e.g. cross-certificates), once.
    for c in signer.chain() {
        if !chain.contains(c) && c != signer.certificate() {
            chain.push(c.clone());
        }
    }
    chain
}

fn check_signature_shape(kind: KeyKind, sig: &[u8]) -> Result<(), CmsError> {
    match kind {
        KeyKind::Rsa { bits } if sig.len() != bits.div_ceil(8) => {
            Err(CmsError::BadSignature(format!("RSA signature of {} bytes for a {}-bit key", sig.len(), bits)))
        }
        KeyKind::EcP256 | KeyKind::EcP384 if sig.len() > kind.max_signature_len() || sig.first() != Some(&0x30) => {
            Err(CmsError::BadSignature("ECDSA signature is not DER".into()))
        }
        _ => Ok(()),
    }
}
