//! [`import_certificate`]: a renewed certificate written onto the token beside the
//! private key it certifies (SPEC R16: Hưng Yên 9.4, Bắc Giang 16.1), without the
//! certification authority's Windows tool.
//!
//! The file may be PEM, DER (`.cer`) or a PKCS#7 bundle (`.p7b`); it must hold
//! exactly one end-entity certificate, and its CA certificates are written too.
//! Before the PIN is used the certificate must chain to a trust anchor now
//! ([`crate::verify::chain::build_path`] over the bundled anchors, the user's trust
//! folder and `--trust`, with the file's and the token's CA certificates as
//! intermediates). After login, the key is found **by public key** (RSA modulus,
//! EC point, or an older certificate of the same key on the token), never by
//! label; the new certificate object gets that key's `CKA_ID` and a readable label
//! (holder and last day of validity). A certificate whose key the token does not
//! hold is refused and nothing is written. `remove_old` deletes the key's other
//! certificates once the new one is written.

use std::path::{Path, PathBuf};

use cryptoki::object::{Attribute, CertificateType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use der::{Decode, Encode};
use serde::Serialize;
use sha2::Digest;
use time::OffsetDateTime;
use x509_cert::Certificate;

use super::certinfo::{format_name, is_ca};
use super::error::TokenError;
use super::objects::{read_objects, TokenObjects};
use super::pin::Pin;
use super::signer::{find_token, login, TokenSelection};
use crate::trust::TrustStore;

/// How to import.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// The certificate file (`.pem`, `.cer`, `.crt`, `.der`, `.p7b`).
    pub file: PathBuf,
    /// Extra trust anchors (PEM files or folders), besides the bundled ones and the
    /// user's trust folder.
    pub trust: Vec<PathBuf>,
    /// Delete the key's other (older) certificates after writing the new one.
    pub remove_old: bool,
}

/// What was written.
#[derive(Clone, Debug, Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    /// The token label.
    pub token_label: String,
    /// The key's `CKA_ID` the certificate now shares, hex.
    pub id: String,
    /// The new certificate object's label.
    pub label: String,
    /// The certificate subject.
    pub subject: String,
    /// Last day of validity (ISO 8601).
    pub not_after: String,
    /// False when the very same certificate was already on the token.
    pub written: bool,
    /// CA certificates written (subjects).
    pub ca_written: Vec<String>,
    /// Older certificates of the key deleted (serial numbers, hex).
    pub removed: Vec<String>,
}

/// Largest certificate file read (a chain of a few certificates is a few KB).
const MAX_FILE: u64 = 1 << 20;

fn file_error(path: &Path, reason: impl Into<String>) -> TokenError {
    TokenError::CertificateFile { path: path.to_owned(), reason: reason.into() }
}

/// Read `opts.file`, check it, log in with `pin`, and write it next to its key.
pub fn import_certificate(sel: &TokenSelection, opts: &ImportOptions, pin: Pin) -> Result<ImportReport, crate::Error> {
    let (leaf, leaf_der, cas) = read_file(&opts.file)?;
    let (module_path, ctx, token) = find_token(sel)?;
    let _ = module_path;
    let subject = format_name(&leaf.tbs_certificate.subject);
    // The trust check before the PIN: the token's CA certificates help the path.
    let token_cas: Vec<Certificate> = {
        let session = ctx.open_ro_session(token.slot).map_err(|e| TokenError::from_cryptoki("C_OpenSession", e))?;
        read_objects(&session)?.certs.into_iter().filter_map(|c| c.cert).filter(is_ca).collect()
    };
    check_trust(&leaf, &cas, &token_cas, &opts.trust, &subject)?;

    let session = ctx.open_rw_session(token.slot).map_err(|e| TokenError::from_cryptoki("C_OpenSession", e))?;
    login(&ctx, token.slot, &session, &pin, UserType::User)?;
    drop(pin);
    let result = write(&session, &leaf, &leaf_der, &cas, opts.remove_old, &subject, token.info.label().trim());
    let _ = session.logout();
    Ok(result?)
}

/// A certificate with the DER it was read from.
type WithDer = (Certificate, Vec<u8>);

/// The end-entity certificate (and its DER) and the CA certificates of a file.
fn read_file(path: &Path) -> Result<(Certificate, Vec<u8>, Vec<WithDer>), TokenError> {
    let mut bytes = Vec::new();
    crate::input::open_regular(path)
        .and_then(|f| std::io::Read::read_to_end(&mut std::io::Read::take(f, MAX_FILE), &mut bytes))
        .map_err(|e| file_error(path, e.to_string()))?;
    let all = crate::trust::certificates_in(&bytes).map_err(|e| file_error(path, e))?;
    let (mut leaves, cas): (Vec<_>, Vec<_>) = all.into_iter().partition(|(c, _)| !is_ca(c));
    match leaves.len() {
        1 => {}
        0 => return Err(file_error(path, "no end-entity certificate, only CA certificates")),
        n => return Err(file_error(path, format!("{n} end-entity certificates; give one per file"))),
    }
    let (leaf, der) = leaves.remove(0);
    Ok((leaf, der, cas))
}

fn check_trust(leaf: &Certificate, cas: &[WithDer], token_cas: &[Certificate], trust: &[PathBuf], subject: &str) -> Result<(), TokenError> {
    let (store, _warnings): (TrustStore, _) = TrustStore::load(trust);
    let mut pool: Vec<Certificate> = cas.iter().map(|(c, _)| c.clone()).collect();
    pool.extend(token_cas.iter().cloned());
    let path = crate::verify::chain::build_path(leaf, &pool, &store, OffsetDateTime::now_utc());
    if path.trusted() {
        Ok(())
    } else {
        use crate::i18n::Localize;
        Err(TokenError::CertificateUntrusted {
            subject: subject.to_owned(),
            reason: path.status.localize(crate::Lang::En),
            reason_vi: path.status.localize(crate::Lang::Vi),
        })
    }
}

fn strip_zeros(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|x| **x == 0).count();
    b.get(n..).unwrap_or_default()
}

/// The EC point inside a `CKA_EC_POINT` value: DER OCTET STRING (PKCS#11 §2.3.3)
/// or, for some tokens, the raw point.
fn ec_point_bytes(v: &[u8]) -> Vec<u8> {
    der::asn1::OctetString::from_der(v).map(|o| o.as_bytes().to_vec()).unwrap_or_else(|_| v.to_vec())
}

/// The `CKA_ID` of the token key that `cert` certifies.
fn key_id_for(objs: &TokenObjects, cert: &Certificate) -> Option<Vec<u8>> {
    let spki = &cert.tbs_certificate.subject_public_key_info;
    let raw = spki.subject_public_key.raw_bytes();
    let rsa_modulus = rsa::pkcs1::RsaPublicKey::from_der(raw).ok().map(|k| strip_zeros(k.modulus.as_bytes()).to_vec());
    let spki_der = spki.to_der().ok();
    let has_private = |id: &[u8]| objs.private_key(id).is_some();
    for k in objs.private_keys.iter().chain(&objs.public_keys) {
        if k.id.is_empty() || !has_private(&k.id) {
            continue;
        }
        if let (Some(m), Some(want)) = (&k.modulus, &rsa_modulus) {
            if strip_zeros(m) == want.as_slice() {
                return Some(k.id.clone());
            }
        }
        if let Some(p) = &k.ec_point {
            if ec_point_bytes(p) == raw {
                return Some(k.id.clone());
            }
        }
    }
    // A key that shows neither: an older certificate of the same key tells its id.
    objs.certs
        .iter()
        .filter(|c| has_private(&c.id))
        .find(|c| c.cert.as_ref().and_then(|x| x.tbs_certificate.subject_public_key_info.to_der().ok()) == spki_der)
        .map(|c| c.id.clone())
}

fn holder(cert: &Certificate) -> String {
    crate::cms::names::attribute(&cert.tbs_certificate.subject, const_oid::db::rfc4519::CN)
        .unwrap_or_else(|| format_name(&cert.tbs_certificate.subject))
}

fn not_after(cert: &Certificate) -> OffsetDateTime {
    let secs = cert.tbs_certificate.validity.not_after.to_unix_duration().as_secs();
    OffsetDateTime::from_unix_timestamp(i64::try_from(secs).unwrap_or(i64::MAX)).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

fn cert_template(cert: &Certificate, der: &[u8], id: &[u8], label: &str) -> Result<Vec<Attribute>, TokenError> {
    let enc = |r: der::Result<Vec<u8>>| r.map_err(|e| TokenError::BadCertificate { id: hex::encode(id), reason: e.to_string() });
    let tbs = &cert.tbs_certificate;
    Ok(vec![
        Attribute::Class(ObjectClass::CERTIFICATE),
        Attribute::CertificateType(CertificateType::X_509),
        Attribute::Token(true),
        Attribute::Private(false),
        Attribute::Id(id.to_vec()),
        Attribute::Label(label.as_bytes().to_vec()),
        Attribute::Subject(enc(tbs.subject.to_der())?),
        Attribute::Issuer(enc(tbs.issuer.to_der())?),
        Attribute::SerialNumber(enc(tbs.serial_number.to_der())?),
        Attribute::Value(der.to_vec()),
    ])
}

fn create(session: &Session, template: &[Attribute]) -> Result<ObjectHandle, TokenError> {
    session.create_object(template).map_err(|e| TokenError::from_cryptoki("C_CreateObject", e))
}

fn write(
    session: &Session,
    leaf: &Certificate,
    leaf_der: &[u8],
    cas: &[WithDer],
    remove_old: bool,
    subject: &str,
    token_label: &str,
) -> Result<ImportReport, TokenError> {
    let objs = read_objects(session)?;
    let id = key_id_for(&objs, leaf).ok_or_else(|| TokenError::KeyNotOnToken { subject: subject.to_owned() })?;
    let until = not_after(leaf);
    let label = format!("{} (đến {:02}/{:02}/{})", holder(leaf), until.day(), u8::from(until.month()), until.year());
    let already = objs.certs.iter().any(|c| c.id == id && c.der == leaf_der);
    if !already {
        create(session, &cert_template(leaf, leaf_der, &id, &label)?)?;
    }
    let mut ca_written = Vec::new();
    for (ca, der) in cas {
        if objs.certs.iter().any(|c| c.der == *der) {
            continue;
        }
        let ca_id = sha2::Sha256::digest(der).get(..8).map(<[u8]>::to_vec).unwrap_or_default();
        create(session, &cert_template(ca, der, &ca_id, &holder(ca))?)?;
        ca_written.push(format_name(&ca.tbs_certificate.subject));
    }
    let mut removed = Vec::new();
    if remove_old {
        let handles = session
            .find_objects(&[Attribute::Class(ObjectClass::CERTIFICATE), Attribute::Id(id.clone())])
            .map_err(|e| TokenError::from_cryptoki("C_FindObjects", e))?;
        for h in handles {
            let value = session
                .get_attributes(h, &[cryptoki::object::AttributeType::Value])
                .map_err(|e| TokenError::from_cryptoki("C_GetAttributeValue", e))?;
            let der = value.into_iter().find_map(|a| if let Attribute::Value(v) = a { Some(v) } else { None }).unwrap_or_default();
            if der == leaf_der {
                continue;
            }
            let serial = Certificate::from_der(&der).map(|c| hex::encode(c.tbs_certificate.serial_number.as_bytes())).unwrap_or_default();
            session.destroy_object(h).map_err(|e| TokenError::from_cryptoki("C_DestroyObject", e))?;
            removed.push(serial);
        }
    }
    Ok(ImportReport {
        token_label: token_label.to_owned(),
        id: hex::encode(&id),
        label,
        subject: subject.to_owned(),
        not_after: crate::time::iso8601(until.to_offset(crate::time::VIETNAM)),
        written: !already,
        ca_written,
        removed,
    })
}
