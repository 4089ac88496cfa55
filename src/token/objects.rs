//! Reading certificates and keys from a token session and pairing them by `CKA_ID`.
//!
//! A certificate belongs to a key when both carry the same non-empty `CKA_ID`; labels
//! are shown but never used to pair (tokens written by different tools often label a
//! key "Private key" and its certificate with the holder's name). Only non-sensitive
//! attributes are read.

use cryptoki::object::{Attribute, AttributeType, CertificateType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::Session;
use der::Decode;
use x509_cert::Certificate;

use super::certinfo::{bit_len, curve_from_params, key_kind_of};
use super::error::TokenError;
use crate::KeyKind;

/// A certificate object.
pub(crate) struct CertObject {
    pub id: Vec<u8>,
    pub label: String,
    pub der: Vec<u8>,
    /// `None` when the DER does not parse (listed as an unreadable object, never used).
    pub cert: Option<Certificate>,
}

/// A private or public key object.
pub(crate) struct KeyObject {
    pub handle: ObjectHandle,
    pub id: Vec<u8>,
    pub label: String,
    pub key_type: Option<KeyType>,
    /// RSA modulus size (from `CKA_MODULUS_BITS` or the length of `CKA_MODULUS`).
    pub modulus_bits: Option<usize>,
    /// DER `ECParameters` (`CKA_EC_PARAMS`).
    pub ec_params: Option<Vec<u8>>,
    /// `CKA_ALWAYS_AUTHENTICATE` (private keys only).
    pub always_authenticate: bool,
    /// `CKA_MODULUS` (RSA), to find the key of a certificate by its public key.
    pub modulus: Option<Vec<u8>>,
    /// `CKA_EC_POINT` (EC public keys), as the token stores it.
    pub ec_point: Option<Vec<u8>>,
}

impl KeyObject {
    /// The key kind from the key's own attributes, if they say.
    pub fn key_kind(&self) -> Option<KeyKind> {
        match self.key_type {
            Some(t) if t == KeyType::RSA => self.modulus_bits.map(|bits| KeyKind::Rsa { bits }),
            Some(t) if t == KeyType::EC => self.ec_params.as_deref().and_then(curve_from_params),
            _ => None,
        }
    }
}

/// Everything visible in one session.
pub(crate) struct TokenObjects {
    pub certs: Vec<CertObject>,
    pub private_keys: Vec<KeyObject>,
    pub public_keys: Vec<KeyObject>,
}

fn label_text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).trim_end_matches(['\0', ' ']).to_owned()
}

/// Whether a failure must stop the whole listing (token gone) rather than skip one
/// object.
fn fatal(e: &TokenError) -> bool {
    matches!(e, TokenError::TokenRemoved { .. })
}

fn find(session: &Session, template: &[Attribute]) -> Result<Vec<ObjectHandle>, TokenError> {
    session.find_objects(template).map_err(|e| TokenError::from_cryptoki("C_FindObjects", e))
}

fn read_cert(session: &Session, h: ObjectHandle) -> Result<CertObject, TokenError> {
    let attrs = session
        .get_attributes(h, &[AttributeType::Id, AttributeType::Label, AttributeType::Value])
        .map_err(|e| TokenError::from_cryptoki("C_GetAttributeValue", e))?;
    let mut obj = CertObject { id: Vec::new(), label: String::new(), der: Vec::new(), cert: None };
    for a in attrs {
        match a {
            Attribute::Id(v) => obj.id = v,
            Attribute::Label(v) => obj.label = label_text(&v),
            Attribute::Value(v) => obj.der = v,
            _ => {}
        }
    }
    obj.cert = Certificate::from_der(&obj.der).ok();
    Ok(obj)
}

fn read_key(session: &Session, h: ObjectHandle, private: bool) -> Result<KeyObject, TokenError> {
    let mut wanted = vec![
        AttributeType::Id,
        AttributeType::Label,
        AttributeType::KeyType,
        AttributeType::ModulusBits,
        AttributeType::Modulus,
        AttributeType::EcParams,
    ];
    if !private {
        wanted.push(AttributeType::EcPoint);
    }
    if private {
        wanted.push(AttributeType::AlwaysAuthenticate);
    }
    let attrs = session.get_attributes(h, &wanted).map_err(|e| TokenError::from_cryptoki("C_GetAttributeValue", e))?;
    let mut obj = KeyObject {
        handle: h,
        id: Vec::new(),
        label: String::new(),
        key_type: None,
        modulus_bits: None,
        ec_params: None,
        always_authenticate: false,
        modulus: None,
        ec_point: None,
    };
    let mut modulus_len = None;
    for a in attrs {
        match a {
            Attribute::Id(v) => obj.id = v,
            Attribute::Label(v) => obj.label = label_text(&v),
            Attribute::KeyType(t) => obj.key_type = Some(t),
            Attribute::ModulusBits(b) => obj.modulus_bits = Some(usize::from(b)).filter(|b| *b > 0),
            Attribute::Modulus(m) => {
                modulus_len = Some(bit_len(&m)).filter(|b| *b > 0);
                obj.modulus = Some(m).filter(|m| !m.is_empty());
            }
            Attribute::EcPoint(p) => obj.ec_point = Some(p).filter(|p| !p.is_empty()),
            Attribute::EcParams(p) => obj.ec_params = Some(p),
            Attribute::AlwaysAuthenticate(b) => obj.always_authenticate = b,
            _ => {}
        }
    }
    if obj.modulus_bits.is_none() {
        obj.modulus_bits = modulus_len;
    }
    Ok(obj)
}

/// Read every certificate, private key and public key visible in `session`. One
/// unreadable object is skipped; a removed token stops the listing.
pub(crate) fn read_objects(session: &Session) -> Result<TokenObjects, TokenError> {
    let mut out = TokenObjects { certs: Vec::new(), private_keys: Vec::new(), public_keys: Vec::new() };
    let certs = find(session, &[Attribute::Class(ObjectClass::CERTIFICATE), Attribute::CertificateType(CertificateType::X_509)])?;
    for h in certs {
        match read_cert(session, h) {
            Ok(c) => out.certs.push(c),
            Err(e) if fatal(&e) => return Err(e),
            Err(_) => {}
        }
    }
    for (class, private) in [(ObjectClass::PRIVATE_KEY, true), (ObjectClass::PUBLIC_KEY, false)] {
        for h in find(session, &[Attribute::Class(class)])? {
            match read_key(session, h, private) {
                Ok(k) if private => out.private_keys.push(k),
                Ok(k) => out.public_keys.push(k),
                Err(e) if fatal(&e) => return Err(e),
                Err(_) => {}
            }
        }
    }
    Ok(out)
}

impl TokenObjects {
    /// The private key paired with `id` (never an empty id).
    pub fn private_key(&self, id: &[u8]) -> Option<&KeyObject> {
        if id.is_empty() {
            return None;
        }
        self.private_keys.iter().find(|k| k.id == id)
    }

    /// The public key paired with `id` (never an empty id).
    pub fn public_key(&self, id: &[u8]) -> Option<&KeyObject> {
        if id.is_empty() {
            return None;
        }
        self.public_keys.iter().find(|k| k.id == id)
    }

    /// Key ids (private or public) that no certificate shares, each once, in order.
    pub fn keys_without_certificate(&self) -> Vec<Vec<u8>> {
        let mut out: Vec<Vec<u8>> = Vec::new();
        for k in self.private_keys.iter().chain(&self.public_keys) {
            if !k.id.is_empty() && !self.certs.iter().any(|c| c.id == k.id) && !out.contains(&k.id) {
                out.push(k.id.clone());
            }
        }
        out
    }

    /// Parsed certificates that have no private key on the token: candidates for
    /// the signer's chain.
    pub fn chain_candidates(&self) -> Vec<Certificate> {
        self.certs.iter().filter(|c| self.private_key(&c.id).is_none()).filter_map(|c| c.cert.clone()).collect()
    }
}

/// The key kind of a certificate: the key's own attributes win, the certificate's
/// SubjectPublicKeyInfo fills in.
pub(crate) fn key_kind(key: Option<&KeyObject>, cert: &Certificate) -> Option<KeyKind> {
    key.and_then(KeyObject::key_kind).or_else(|| key_kind_of(cert))
}
