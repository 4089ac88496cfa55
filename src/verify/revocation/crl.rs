//! Certificate revocation lists (RFC 5280 §5): scope, signature, status.
//!
//! Supported: complete CRLs signed directly by the certificate's issuer,
//! `issuingDistributionPoint` scope flags (user / CA certificates only),
//! `expiredCertsOnCRL`. Not supported (the CRL is reported unusable): delta CRLs,
//! indirect CRLs, CRLs partitioned by reason (`onlySomeReasons`).

use der::{Decode, Encode};
use x509_cert::crl::CertificateList;
use x509_cert::ext::pkix::crl::dp::DistributionPoint;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::Certificate;

use super::{cache::RevocationCache, fetch::Fetcher, Outcome, Times};
use crate::verify::chain::{self, to_time};

/// The DER of a CRL given as PEM (`X509 CRL`) or DER; an error if it does not
/// parse as a CRL.
pub fn pem_or_der_crl(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let der = match std::str::from_utf8(bytes) {
        Ok(t) if t.contains("-----BEGIN") => {
            crate::trust::pem_blocks(t, |label| label == "X509 CRL")?.into_iter().next().ok_or("no `X509 CRL` block in the PEM file")?
        }
        _ => bytes.to_vec(),
    };
    CertificateList::from_der(&der).map_err(|e| format!("not a CRL: {e}"))?;
    Ok(der)
}

/// The URIs of the certificate's CRL distribution points (fullName URIs only).
pub fn distribution_points(cert: &Certificate) -> Vec<String> {
    let Some(v) = chain::extension(cert, const_oid::db::rfc5280::ID_CE_CRL_DISTRIBUTION_POINTS) else {
        return Vec::new();
    };
    let Ok(dps) = Vec::<DistributionPoint>::from_der(v) else { return Vec::new() };
    let mut out = Vec::new();
    for dp in dps {
        // A distribution point with its own cRLIssuer is an indirect CRL.
        if dp.crl_issuer.is_some() {
            continue;
        }
        if let Some(DistributionPointName::FullName(names)) = dp.distribution_point {
            for n in names {
                if let GeneralName::UniformResourceIdentifier(uri) = n {
                    let uri = uri.as_str().to_owned();
                    if !out.contains(&uri) {
                        out.push(uri);
                    }
                }
            }
        }
    }
    out
}

/// What the CRL `der` says about `cert` (issued by `issuer`); `None` when the CRL
/// is not about it (another issuer, out of scope, or not a CRL at all).
pub(crate) fn evaluate(der: &[u8], cert: &Certificate, issuer: &Certificate, times: &Times) -> Option<Outcome> {
    let crl = CertificateList::from_der(der).ok()?;
    let tbs = &crl.tbs_cert_list;
    if !crate::cms::names::same(&tbs.issuer, &cert.tbs_certificate.issuer) {
        return None;
    }
    let mut expired_kept = false;
    for e in tbs.crl_extensions.iter().flatten() {
        match e.extn_id.to_string().as_str() {
            "2.5.29.27" => return Some(Outcome::Unusable("a delta CRL (not supported)".into())),
            "2.5.29.28" => {
                let Ok(idp) = x509_cert::ext::pkix::crl::dp::IssuingDistributionPoint::from_der(e.extn_value.as_bytes()) else {
                    return Some(Outcome::Unusable("malformed issuingDistributionPoint".into()));
                };
                let is_ca = chain::basic_constraints(cert).is_some_and(|b| b.ca);
                if (idp.only_contains_user_certs && is_ca) || (idp.only_contains_ca_certs && !is_ca) || idp.only_contains_attribute_certs {
                    return None;
                }
                if idp.only_some_reasons.is_some() {
                    return Some(Outcome::Unusable("a CRL for some reasons only (not supported)".into()));
                }
                if idp.indirect_crl {
                    return Some(Outcome::Unusable("an indirect CRL (not supported)".into()));
                }
            }
            "2.5.29.60" => expired_kept = true,
            // cRLNumber, authorityKeyIdentifier, issuerAltName, authorityInfoAccess, freshestCRL
            "2.5.29.20" | "2.5.29.35" | "2.5.29.18" | "1.3.6.1.5.5.7.1.1" | "2.5.29.46" => {}
            other if e.critical => {
                return Some(Outcome::Unusable(format!("an unsupported critical CRL extension {other}")));
            }
            _ => {}
        }
    }
    let tbs_der = match tbs.to_der() {
        Ok(d) => d,
        Err(e) => return Some(Outcome::Unusable(format!("cannot re-encode the CRL: {e}"))),
    };
    let Some(sig) = crl.signature.as_bytes() else {
        return Some(Outcome::Unusable("malformed CRL signature".into()));
    };
    match chain::verify_signed_data(&issuer.tbs_certificate.subject_public_key_info, &crl.signature_algorithm, &tbs_der, sig) {
        Ok(true) => {}
        Ok(false) => return Some(Outcome::Unusable("the CRL's signature does not verify with the issuer's key".into())),
        Err(e) => return Some(Outcome::Unusable(format!("unsupported CRL signature: {e}"))),
    }
    if chain::key_usage(issuer).is_some_and(|ku| !ku.crl_sign()) {
        return Some(Outcome::Unusable("the issuer's key usage does not allow signing CRLs".into()));
    }
    let this_update = to_time(&tbs.this_update);
    let next_update = tbs.next_update.as_ref().map(to_time);
    let serial = &cert.tbs_certificate.serial_number;
    if let Some(entry) = tbs.revoked_certificates.iter().flatten().find(|r| &r.serial_number == serial) {
        let reason = entry
            .crl_entry_extensions
            .iter()
            .flatten()
            .find(|e| e.extn_id == const_oid::db::rfc5280::ID_CE_CRL_REASONS)
            .and_then(|e| x509_cert::ext::pkix::CrlReason::from_der(e.extn_value.as_bytes()).ok());
        // invalidityDate (RFC 5280 §5.3.2): when the key is known or suspected to
        // have been compromised, possibly before the CA revoked it.
        let invalidity = entry
            .crl_entry_extensions
            .iter()
            .flatten()
            .find(|e| e.extn_id.to_string() == "2.5.29.24")
            .and_then(|e| der::asn1::GeneralizedTime::from_der(e.extn_value.as_bytes()).ok())
            .map(|t| time::OffsetDateTime::from(t.to_system_time()));
        // removeFromCRL belongs to delta CRLs; in a complete CRL it means "not revoked".
        if reason != Some(x509_cert::ext::pkix::CrlReason::RemoveFromCRL) {
            return Some(Outcome::Revoked {
                time: to_time(&entry.revocation_date),
                invalidity,
                reason: reason.map(reason_name),
                this_update,
                next_update,
            });
        }
    }
    if let Some(why) = times.stale(this_update, next_update, cert, expired_kept) {
        return Some(Outcome::Unusable(format!("the CRL is {why}")));
    }
    Some(Outcome::Good { this_update, next_update })
}

/// The RFC 5280 name of a CRL reason code.
pub(crate) fn reason_name(r: x509_cert::ext::pkix::CrlReason) -> String {
    use x509_cert::ext::pkix::CrlReason as R;
    match r {
        R::Unspecified => "unspecified",
        R::KeyCompromise => "keyCompromise",
        R::CaCompromise => "cACompromise",
        R::AffiliationChanged => "affiliationChanged",
        R::Superseded => "superseded",
        R::CessationOfOperation => "cessationOfOperation",
        R::CertificateHold => "certificateHold",
        R::RemoveFromCRL => "removeFromCRL",
        R::PrivilegeWithdrawn => "privilegeWithdrawn",
        R::AaCompromise => "aACompromise",
    }
    .to_owned()
}

/// Download (or take from the cache) the CRL at `url` and evaluate it; the bool
/// says the CRL came from the cache.
pub(crate) fn fetch_and_evaluate(
    fetcher: &Fetcher,
    cache: &RevocationCache,
    url: &str,
    cert: &Certificate,
    issuer: &Certificate,
    times: &Times,
) -> Result<(Outcome, bool, Vec<u8>), String> {
    let key = format!("crl {url}");
    if let Some(der) = cache.get(&key, times.now) {
        match evaluate(&der, cert, issuer, times) {
            Some(o @ (Outcome::Good { .. } | Outcome::Revoked { .. })) => return Ok((o, true, der)),
            _ => cache.remove(&key),
        }
    }
    let body = fetcher.get(url)?;
    let der = pem_or_der_crl(&body)?;
    let outcome =
        evaluate(&der, cert, issuer, times).ok_or_else(|| "the CRL at this address is not one for this certificate's issuer".to_owned())?;
    if matches!(outcome, Outcome::Good { .. } | Outcome::Revoked { .. }) {
        let until = outcome.next_update().unwrap_or(times.now + time::Duration::hours(1));
        cache.put(&key, &der, until);
    }
    Ok((outcome, false, der))
}
