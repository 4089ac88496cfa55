//! The Vietnamese trust anchors and issuing CAs KýSố ships (`assets/trust/`), each
//! pinned by the SHA-256 fingerprint of its DER encoding, and chain completion
//! for signatures whose token holds only the signer's own certificate.

use der::Decode;
use sha2::{Digest, Sha256};
use x509_cert::Certificate;

/// One bundled CA certificate.
pub struct BundledCa {
    /// File name in `assets/trust/`.
    pub file: &'static str,
    /// Whether it is a self-signed root (a trust anchor) or an issuing CA.
    pub is_root: bool,
    /// Pinned SHA-256 fingerprint of the DER certificate, hex upper case.
    pub sha256: &'static str,
    bytes: &'static [u8],
}

/// The certificates in `assets/trust/` (see its README for subjects and sources).
pub const BUNDLED: [BundledCa; 4] = [
    BundledCa {
        file: "rootcag2.crt",
        is_root: true,
        sha256: "F04BA4B459A7C9A1B971AD9B1CB833E695A80C79AEA63B174B66A70EDFE2FDB8",
        bytes: include_bytes!("../assets/trust/rootcag2.crt"),
    },
    BundledCa {
        file: "cpcag2.crt",
        is_root: false,
        sha256: "D8CAB7A4AEF92E6BB2509D7C61CEE7B44F3731B2D21074963530277B366FAE4B",
        bytes: include_bytes!("../assets/trust/cpcag2.crt"),
    },
    BundledCa {
        file: "vnrca256.crt",
        is_root: true,
        sha256: "BAC8BF609AB420A8EE1780D74F4DE5C7F7184959D2A7375B0A75E4C29F0908E7",
        bytes: include_bytes!("../assets/trust/vnrca256.crt"),
    },
    BundledCa {
        file: "vnpt-ca-sha2.crt",
        is_root: false,
        sha256: "7D6BA5245317F9ED5D8BC765A4634D26AC6340D36B9F584DF3B52D9C4A81A306",
        bytes: include_bytes!("../assets/trust/vnpt-ca-sha2.crt"),
    },
];

impl BundledCa {
    /// Parse the certificate (PEM or DER) and check it against its pin; `None` if
    /// either fails, so a tampered asset is never used.
    pub fn certificate(&self) -> Option<Certificate> {
        // Hash the DER as shipped: re-encoding a parsed certificate may not give
        // the same bytes (some CA certificates are not strictly DER).
        let der = pem_or_der(self.bytes)?;
        let fp = hex::encode_upper(Sha256::digest(&der));
        if fp != self.sha256 {
            return None;
        }
        Certificate::from_der(&der).ok()
    }
}

/// The DER inside a PEM file (lenient about line length and CRLF, unlike
/// `der::pem`), or the bytes themselves when they are already DER.
pub fn pem_or_der(bytes: &[u8]) -> Option<Vec<u8>> {
    use base64ct::Encoding;
    let text = match std::str::from_utf8(bytes) {
        Ok(t) if t.contains("-----BEGIN") => t,
        _ => return Some(bytes.to_vec()),
    };
    let body: String = text
        .lines()
        .skip_while(|l| !l.starts_with("-----BEGIN"))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .flat_map(|l| l.chars().filter(|c| !c.is_whitespace()))
        .collect();
    base64ct::Base64::decode_vec(&body).ok()
}

/// All bundled certificates that match their pins.
pub fn bundled_certificates() -> Vec<Certificate> {
    BUNDLED.iter().filter_map(BundledCa::certificate).collect()
}

fn self_signed(c: &Certificate) -> bool {
    c.tbs_certificate.subject == c.tbs_certificate.issuer
}

/// The issuing CAs above `leaf`, found among `given` (e.g. on the token) and then
/// `pool` (e.g. the bundled CAs), by subject/issuer name; roots are left out.
pub fn complete_chain(leaf: &Certificate, given: &[Certificate], pool: &[Certificate]) -> Vec<Certificate> {
    let mut chain: Vec<Certificate> = Vec::new();
    let mut current = leaf.clone();
    for _ in 0..8 {
        if self_signed(&current) {
            break;
        }
        let issuer = &current.tbs_certificate.issuer;
        let Some(next) = given.iter().chain(pool.iter()).find(|c| &c.tbs_certificate.subject == issuer).cloned() else {
            break;
        };
        if self_signed(&next) || chain.contains(&next) {
            break;
        }
        chain.push(next.clone());
        current = next;
    }
    chain
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_certificate_matches_its_pin() {
        for ca in &BUNDLED {
            assert!(ca.certificate().is_some(), "{} does not match its pinned fingerprint", ca.file);
        }
    }

    #[test]
    fn issuing_cas_chain_to_their_roots() {
        let all = bundled_certificates();
        let cpca = BUNDLED[1].certificate().expect("cpca");
        let vnpt = BUNDLED[3].certificate().expect("vnpt");
        // An issuing CA's own chain stops below the root.
        assert!(complete_chain(&cpca, &[], &all).is_empty());
        assert!(complete_chain(&vnpt, &[], &all).is_empty());
        assert!(all.iter().any(|r| r.tbs_certificate.subject == cpca.tbs_certificate.issuer));
        assert!(all.iter().any(|r| r.tbs_certificate.subject == vnpt.tbs_certificate.issuer));
    }
}
