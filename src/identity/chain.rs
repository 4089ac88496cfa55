//! Picking the signer's certificate among many and ordering the rest as a chain.

use der::{Decode, Encode};
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, SubjectKeyIdentifier};
use x509_cert::Certificate;

use super::key::SoftwareKey;

fn extension<T: for<'a> Decode<'a> + der::oid::AssociatedOid>(cert: &Certificate) -> Option<T> {
    cert.tbs_certificate.extensions.as_ref()?.iter().find(|e| e.extn_id == T::OID).and_then(|e| T::from_der(e.extn_value.as_bytes()).ok())
}

fn subject_key_id(cert: &Certificate) -> Option<Vec<u8>> {
    extension::<SubjectKeyIdentifier>(cert).map(|s| s.0.as_bytes().to_vec())
}

fn authority_key_id(cert: &Certificate) -> Option<Vec<u8>> {
    extension::<AuthorityKeyIdentifier>(cert)?.key_identifier.map(|k| k.as_bytes().to_vec())
}

fn self_issued(cert: &Certificate) -> bool {
    cert.tbs_certificate.subject == cert.tbs_certificate.issuer
}

/// The position in `candidates` of the certificate that issued `cert`: same name as
/// its issuer, preferring the one whose subject key identifier equals its
/// authority key identifier (a CA may have re-keyed under the same name).
fn issuer_of(cert: &Certificate, candidates: &[Certificate]) -> Option<usize> {
    let aki = authority_key_id(cert);
    let named: Vec<usize> =
        candidates.iter().enumerate().filter(|(_, c)| c.tbs_certificate.subject == cert.tbs_certificate.issuer).map(|(i, _)| i).collect();
    named.iter().copied().find(|&i| aki.is_some() && candidates.get(i).and_then(subject_key_id) == aki).or_else(|| named.first().copied())
}

/// Split `certs` into the certificate of `key` and the others, ordered from its
/// issuer upward as far as names allow, then any unrelated certificates in their
/// original order. Exact duplicates are dropped. `None` if no certificate carries
/// the key's public key; when several do, the first one wins (callers put the most
/// likely first).
pub(super) fn select(key: &SoftwareKey, certs: Vec<Certificate>) -> Option<(Certificate, Vec<Certificate>)> {
    let mut seen: Vec<Vec<u8>> = Vec::new();
    let mut rest: Vec<Certificate> = Vec::new();
    for cert in certs {
        // A certificate that cannot be re-encoded is kept (it cannot be compared).
        let der = cert.to_der().unwrap_or_default();
        if !der.is_empty() && seen.contains(&der) {
            continue;
        }
        seen.push(der);
        rest.push(cert);
    }
    let leaf_pos = rest.iter().position(|c| key.matches(&c.tbs_certificate.subject_public_key_info))?;
    let leaf = rest.remove(leaf_pos);
    let mut chain = Vec::new();
    let mut current = &leaf;
    while !self_issued(current) {
        let Some(pos) = issuer_of(current, &rest) else {
            break;
        };
        chain.push(rest.remove(pos));
        let Some(last) = chain.last() else { break };
        current = last;
    }
    chain.extend(rest);
    Some((leaf, chain))
}
