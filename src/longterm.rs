//! Long-term signatures (ETSI EN 319 142-1 baseline levels): what makes a
//! signature still verifiable in twenty years, after its certificate expired and
//! the CA's servers moved.
//!
//! * [`SigningLevel::BT`]: a signature time-stamp from a TSA ([`crate::tsa`]) is
//!   added to the CMS as the unsigned attribute `id-aa-signatureTimeStampToken`,
//!   over the SignerInfo's signature value ([`add_signature_timestamp`]).
//! * [`SigningLevel::BLt`]: then an incremental update with `/DSS` and `/VRI`
//!   holding every certificate, OCSP response and CRL that validates the signature
//!   and its time-stamp, gathered after the time-stamp ([`validation_data`]).
//! * [`SigningLevel::BLta`]: then a document time-stamp (`/DocTimeStamp`,
//!   `/SubFilter /ETSI.RFC3161`) over everything, so the validation data is itself
//!   proven to have existed.

use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use der::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::verify::cms_check::ID_AA_SIGNATURE_TIME_STAMP;
use crate::verify::engine::DocumentReport;

/// How far a new signature goes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SigningLevel {
    /// Basic: the signature alone.
    #[default]
    #[serde(rename = "b-b")]
    BB,
    /// With a signature time-stamp.
    #[serde(rename = "b-t")]
    BT,
    /// And the validation data in `/DSS`.
    #[serde(rename = "b-lt")]
    BLt,
    /// And a document time-stamp over it.
    #[serde(rename = "b-lta")]
    BLta,
}

impl SigningLevel {
    /// The level's name as written on the command line (`b-lt`).
    pub fn as_str(self) -> &'static str {
        match self {
            SigningLevel::BB => "b-b",
            SigningLevel::BT => "b-t",
            SigningLevel::BLt => "b-lt",
            SigningLevel::BLta => "b-lta",
        }
    }

    /// Parse `b-b`, `b-t`, `b-lt`, `b-lta` (any case, `_` for `-`, `pades-` prefix allowed).
    pub fn parse(s: &str) -> Option<SigningLevel> {
        let s = s.trim().to_ascii_lowercase().replace('_', "-");
        let s = s.strip_prefix("pades-").unwrap_or(&s);
        match s {
            "b-b" | "bb" => Some(SigningLevel::BB),
            "b-t" | "bt" => Some(SigningLevel::BT),
            "b-lt" | "blt" => Some(SigningLevel::BLt),
            "b-lta" | "blta" => Some(SigningLevel::BLta),
            _ => None,
        }
    }

    /// Whether a signature time-stamp is needed.
    pub fn time_stamped(self) -> bool {
        self >= SigningLevel::BT
    }
}

/// The signature value of the (only) SignerInfo of the CMS `cms`.
pub fn signature_value(cms: &[u8]) -> Result<Vec<u8>, der::Error> {
    let sd = signed_data(cms)?;
    let si = sd.signer_infos.0.iter().next().ok_or_else(|| der::Error::from(der::ErrorKind::Failed))?;
    Ok(si.signature.as_bytes().to_vec())
}

fn signed_data(cms: &[u8]) -> Result<SignedData, der::Error> {
    ContentInfo::from_der(cms)?.content.decode_as()
}

/// The CMS `cms` (DER, made by KýSố) with `token` (a time-stamp token's
/// `ContentInfo`, DER) added to its SignerInfo as the unsigned attribute
/// `id-aa-signatureTimeStampToken` (RFC 3161 Appendix A). The signed part is
/// untouched: the signature stays valid.
pub fn add_signature_timestamp(cms: &[u8], token: &[u8]) -> Result<Vec<u8>, der::Error> {
    let ci = ContentInfo::from_der(cms)?;
    let mut sd: SignedData = ci.content.decode_as()?;
    let mut infos: Vec<cms::signed_data::SignerInfo> = sd.signer_infos.0.into_vec();
    let si = infos.first_mut().ok_or_else(|| der::Error::from(der::ErrorKind::Failed))?;
    let value = der::Any::from_der(token)?;
    let attr = x509_cert::attr::Attribute { oid: ID_AA_SIGNATURE_TIME_STAMP, values: der::asn1::SetOfVec::try_from(vec![value])? };
    let mut attrs: Vec<x509_cert::attr::Attribute> = si.unsigned_attrs.take().map(|a| a.into_vec()).unwrap_or_default();
    attrs.retain(|a| a.oid != ID_AA_SIGNATURE_TIME_STAMP);
    attrs.push(attr);
    si.unsigned_attrs = Some(der::asn1::SetOfVec::try_from(attrs)?);
    sd.signer_infos = cms::signed_data::SignerInfos(der::asn1::SetOfVec::try_from(infos)?);
    let content = der::Any::from_der(&sd.to_der()?)?;
    ContentInfo { content_type: ci.content_type, content }.to_der()
}

/// The validation data for every signature of `report` (a verification of the
/// document made online now): the certificates of each signer's path and of its
/// time-stamps' TSA paths, and the revocation answer each certificate's status
/// rests on. One [`crate::pdf::dss::ValidationData`] per signature, keyed for `/VRI`.
/// Signatures whose status could not be established contribute what was found.
pub fn validation_data(report: &DocumentReport) -> Vec<crate::pdf::dss::ValidationData> {
    let mut out = Vec::new();
    for sig in &report.signatures {
        let mut d = crate::pdf::dss::ValidationData {
            vri_key: (!sig.coverage.contents.is_empty()).then(|| crate::pdf::dss::vri_key(&sig.coverage.contents)),
            ..Default::default()
        };
        let add_cert = |c: &x509_cert::Certificate, d: &mut crate::pdf::dss::ValidationData| {
            if let Ok(der) = c.to_der() {
                if !d.certs.contains(&der) {
                    d.certs.push(der);
                }
            }
        };
        for c in sig.chain.iter().flat_map(|p| p.certificates.iter()) {
            add_cert(c, &mut d);
        }
        let add_revocation = |r: &crate::verify::revocation::RevocationReport, d: &mut crate::pdf::dss::ValidationData| {
            for c in &r.certificates {
                if let Some((ocsp, der)) = c.evidence_der() {
                    let list = if ocsp { &mut d.ocsps } else { &mut d.crls };
                    if !list.iter().any(|x| x == der) {
                        list.push(der.to_vec());
                    }
                }
            }
        };
        if let Some(r) = &sig.revocation {
            add_revocation(r, &mut d);
        }
        for ts in &sig.timestamps {
            for c in &ts.tsa_certificates {
                add_cert(c, &mut d);
            }
            if let Some(r) = &ts.revocation {
                add_revocation(r, &mut d);
            }
        }
        out.push(d);
    }
    for t in &report.document_timestamps {
        let mut d = crate::pdf::dss::ValidationData::default();
        for c in &t.timestamp.tsa_certificates {
            if let Ok(der) = c.to_der() {
                d.certs.push(der);
            }
        }
        if let Some(r) = &t.timestamp.revocation {
            for c in &r.certificates {
                if let Some((ocsp, der)) = c.evidence_der() {
                    if ocsp {
                        d.ocsps.push(der.to_vec())
                    } else {
                        d.crls.push(der.to_vec())
                    }
                }
            }
        }
        out.push(d);
    }
    out
}

/// Parse a signing level for error messages and settings (`b-b`…`b-lta`).
pub fn parse_level(s: &str) -> Result<SigningLevel, String> {
    SigningLevel::parse(s).ok_or_else(|| format!("unknown level '{s}' (b-b, b-t, b-lt, b-lta)"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn levels_parse_and_order() {
        assert_eq!(SigningLevel::parse("B-LTA"), Some(SigningLevel::BLta));
        assert_eq!(SigningLevel::parse("pades_b_t"), Some(SigningLevel::BT));
        assert_eq!(SigningLevel::parse("b-x"), None);
        assert!(SigningLevel::BLt > SigningLevel::BT && SigningLevel::BT.time_stamped() && !SigningLevel::BB.time_stamped());
        assert_eq!(serde_json::to_value(SigningLevel::BLt).unwrap(), "b-lt");
    }
}
