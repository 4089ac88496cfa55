//! OCSP (RFC 6960): requests, response checks and status.
//!
//! Requests carry one SHA-1 `CertID` (what most responders expect, RFC 5019) and
//! no nonce (so responses can be cached, RFC 5019 §2.2). A response must be a
//! `BasicOCSPResponse` signed by the issuer itself or by a delegated responder
//! whose certificate the issuer signed, with `id-kp-OCSPSigning`, valid when the
//! response was produced (RFC 6960 §4.2.2.2). The delegated responder's own
//! revocation is not checked (responders carry `id-pkix-ocsp-nocheck`).

use der::{Decode, Encode};
use sha2::Digest;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::Certificate;
use x509_ocsp::{BasicOcspResponse, CertId, CertStatus, OcspRequest, OcspResponse, OcspResponseStatus, Request, ResponderId, TbsRequest};

use super::{cache::RevocationCache, fetch::Fetcher, Outcome, Times};
use crate::verify::chain::{self, digest_by_oid};

/// The OCSP responder URIs in the certificate's authorityInfoAccess.
pub fn responder_urls(cert: &Certificate) -> Vec<String> {
    let Some(v) = chain::extension(cert, const_oid::db::rfc5280::ID_PE_AUTHORITY_INFO_ACCESS) else {
        return Vec::new();
    };
    let Ok(aia) = x509_cert::ext::pkix::AuthorityInfoAccessSyntax::from_der(v) else { return Vec::new() };
    let mut out = Vec::new();
    for ad in aia.0 {
        if ad.access_method != const_oid::db::rfc5280::ID_AD_OCSP {
            continue;
        }
        if let GeneralName::UniformResourceIdentifier(uri) = ad.access_location {
            let uri = uri.as_str().to_owned();
            if !out.contains(&uri) {
                out.push(uri);
            }
        }
    }
    out
}

/// The SHA-1 `CertID` of `cert` issued by `issuer` (RFC 6960 §4.1.1).
pub fn cert_id(cert: &Certificate, issuer: &Certificate) -> Result<CertId, String> {
    let name = cert.tbs_certificate.issuer.to_der().map_err(|e| e.to_string())?;
    let key = issuer.tbs_certificate.subject_public_key_info.subject_public_key.raw_bytes();
    Ok(CertId {
        hash_algorithm: spki::AlgorithmIdentifierOwned { oid: const_oid::db::rfc5912::ID_SHA_1, parameters: Some(der::asn1::Null.into()) },
        issuer_name_hash: der::asn1::OctetString::new(sha1::Sha1::digest(&name).to_vec()).map_err(|e| e.to_string())?,
        issuer_key_hash: der::asn1::OctetString::new(sha1::Sha1::digest(key).to_vec()).map_err(|e| e.to_string())?,
        serial_number: cert.tbs_certificate.serial_number.clone(),
    })
}

/// A DER `OCSPRequest` for `cert` (unsigned, no nonce).
pub fn request_der(cert: &Certificate, issuer: &Certificate) -> Result<Vec<u8>, String> {
    let req = OcspRequest {
        tbs_request: TbsRequest {
            version: Default::default(),
            requestor_name: None,
            request_list: vec![Request { req_cert: cert_id(cert, issuer)?, single_request_extensions: None }],
            request_extensions: None,
        },
        optional_signature: None,
    };
    req.to_der().map_err(|e| e.to_string())
}

/// Whether `id` names `cert` issued by `issuer`, whatever its hash algorithm.
fn matches(id: &CertId, cert: &Certificate, issuer: &Certificate) -> bool {
    if id.serial_number != cert.tbs_certificate.serial_number {
        return false;
    }
    let Ok(name) = cert.tbs_certificate.issuer.to_der() else { return false };
    let key = issuer.tbs_certificate.subject_public_key_info.subject_public_key.raw_bytes();
    let oid = &id.hash_algorithm.oid;
    digest_by_oid(oid, &name).as_deref() == Some(id.issuer_name_hash.as_bytes())
        && digest_by_oid(oid, key).as_deref() == Some(id.issuer_key_hash.as_bytes())
}

/// The `BasicOCSPResponse` in `der` (an `OCSPResponse`, or a bare basic
/// response as some archives store); `Err` with the responder's status when it
/// did not answer successfully.
pub(crate) fn basic_response(der: &[u8]) -> Result<BasicOcspResponse, String> {
    match OcspResponse::from_der(der) {
        Ok(resp) => {
            if resp.response_status != OcspResponseStatus::Successful {
                return Err(format!("the responder answered {}", status_name(resp.response_status)));
            }
            let bytes = resp.response_bytes.ok_or("a successful response without content")?;
            if bytes.response_type != const_oid::db::rfc6960::ID_PKIX_OCSP_BASIC {
                return Err(format!("an unsupported response type {}", bytes.response_type));
            }
            BasicOcspResponse::from_der(bytes.response.as_bytes()).map_err(|e| format!("malformed basic response: {e}"))
        }
        Err(e) => BasicOcspResponse::from_der(der).map_err(|_| format!("not an OCSP response: {e}")),
    }
}

fn status_name(s: OcspResponseStatus) -> &'static str {
    match s {
        OcspResponseStatus::Successful => "successful",
        OcspResponseStatus::MalformedRequest => "malformedRequest",
        OcspResponseStatus::InternalError => "internalError",
        OcspResponseStatus::TryLater => "tryLater",
        OcspResponseStatus::SigRequired => "sigRequired",
        OcspResponseStatus::Unauthorized => "unauthorized",
    }
}

fn gtime(t: &x509_ocsp::OcspGeneralizedTime) -> time::OffsetDateTime {
    let secs = i64::try_from(t.0.to_unix_duration().as_secs()).unwrap_or(i64::MAX);
    time::OffsetDateTime::from_unix_timestamp(secs).unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

/// What the OCSP response `der` says about `cert`; `None` when it is not about
/// it (or is not a usable OCSP response at all).
pub(crate) fn evaluate(der: &[u8], cert: &Certificate, issuer: &Certificate, times: &Times) -> Option<Outcome> {
    let basic = basic_response(der).ok()?;
    let data = &basic.tbs_response_data;
    let single = data.responses.iter().find(|r| matches(&r.cert_id, cert, issuer))?;
    if let Err(why) = check_signer(&basic, issuer) {
        return Some(Outcome::Unusable(why));
    }
    let this_update = gtime(&single.this_update);
    let next_update = single.next_update.as_ref().map(gtime);
    match &single.cert_status {
        CertStatus::Good(_) => match times.stale(this_update, next_update, cert, false) {
            Some(why) => Some(Outcome::Unusable(format!("the OCSP response is {why}"))),
            None => Some(Outcome::Good { this_update, next_update }),
        },
        CertStatus::Revoked(info) => Some(Outcome::Revoked {
            time: gtime(&info.revocation_time),
            invalidity: None,
            reason: info.revocation_reason.map(super::crl::reason_name),
            this_update,
            next_update,
        }),
        CertStatus::Unknown(_) => Some(Outcome::Unusable("the responder does not know this certificate".into())),
    }
}

/// Check that the response is signed by the issuer or an authorised responder.
fn check_signer(basic: &BasicOcspResponse, issuer: &Certificate) -> Result<(), String> {
    let issuer_key = &issuer.tbs_certificate.subject_public_key_info;
    let key_hash = |c: &Certificate| sha1::Sha1::digest(c.tbs_certificate.subject_public_key_info.subject_public_key.raw_bytes()).to_vec();
    let names = |c: &Certificate| match &basic.tbs_response_data.responder_id {
        ResponderId::ByName(n) => *n == c.tbs_certificate.subject,
        ResponderId::ByKey(h) => h.as_bytes() == key_hash(c).as_slice(),
    };
    let certs: &[Certificate] = basic.certs.as_deref().unwrap_or_default();
    let responder: &Certificate = if names(issuer) {
        issuer
    } else {
        let delegate = certs.iter().find(|c| names(c)).ok_or("the OCSP responder's certificate is not in the response")?;
        if delegate.tbs_certificate.issuer != issuer.tbs_certificate.subject
            || chain::verify_certificate_signature(delegate, issuer_key) != Ok(true)
        {
            return Err("the OCSP responder is not certified by the certificate's issuer".into());
        }
        if !chain::extended_key_usage(delegate).is_some_and(|e| e.contains(&const_oid::db::rfc5280::ID_KP_OCSP_SIGNING)) {
            return Err("the OCSP responder's certificate lacks id-kp-OCSPSigning".into());
        }
        if !chain::valid_at(delegate, gtime(&basic.tbs_response_data.produced_at)) {
            return Err("the OCSP responder's certificate was not valid when it answered".into());
        }
        delegate
    };
    let tbs = basic.tbs_response_data.to_der().map_err(|e| format!("cannot re-encode the response: {e}"))?;
    let sig = basic.signature.as_bytes().ok_or("malformed OCSP signature")?;
    match chain::verify_signed_data(&responder.tbs_certificate.subject_public_key_info, &basic.signature_algorithm, &tbs, sig) {
        Ok(true) => Ok(()),
        Ok(false) => Err("the OCSP response's signature does not verify".into()),
        Err(e) => Err(format!("unsupported OCSP signature: {e}")),
    }
}

/// Ask the responder at `url` (or the cache) about `cert`; the bool says the
/// answer came from the cache.
pub(crate) fn fetch_and_evaluate(
    fetcher: &Fetcher,
    cache: &RevocationCache,
    url: &str,
    cert: &Certificate,
    issuer: &Certificate,
    times: &Times,
) -> Result<(Outcome, bool, Vec<u8>), String> {
    let req = request_der(cert, issuer)?;
    let key = format!("ocsp {url} {}", hex::encode(sha2::Sha256::digest(&req)));
    if let Some(der) = cache.get(&key, times.now) {
        match evaluate(&der, cert, issuer, times) {
            Some(o @ (Outcome::Good { .. } | Outcome::Revoked { .. })) => return Ok((o, true, der)),
            _ => cache.remove(&key),
        }
    }
    let body = fetcher.post(url, "application/ocsp-request", &req)?;
    basic_response(&body)?;
    let outcome = evaluate(&body, cert, issuer, times).ok_or_else(|| "the response is not about this certificate".to_owned())?;
    if matches!(outcome, Outcome::Good { .. } | Outcome::Revoked { .. }) {
        let until = outcome.next_update().unwrap_or(times.now + time::Duration::minutes(5));
        cache.put(&key, &body, until);
    }
    Ok((outcome, false, body))
}
