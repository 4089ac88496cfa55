//! The Vietnamese trust anchors and issuing CAs KýSố ships (`assets/trust/`), each
//! pinned by the SHA-256 fingerprint of its DER encoding, chain completion for
//! signatures whose token holds only the signer's own certificate, and the
//! [`TrustStore`] verification builds certification paths against.
//!
//! A [`TrustStore`] holds trust anchors (where a certification path may end) and
//! untrusted intermediates (path-building helpers only). It is made of:
//! - the bundled roots (government RootCA G2 and its first generation "Co quan
//!   chung thuc so chuyen dung Chinh phu (RootCA)", Vietnam National Root CA and the
//!   earlier MIC National Root CA) as anchors and the bundled issuing CAs (CA phục vụ
//!   các cơ quan Nhà nước G2, Co quan chung thuc so Chinh phu, VNPT-CA SHA2) as
//!   intermediates, each used only if it matches its pin (never matched by name: a
//!   look-alike root with the same names and another key stays untrusted);
//! - every certificate file in the user's trust folder ([`TrustStore::user_dir`],
//!   e.g. `~/.config/kyso/trust/` on Linux, `%APPDATA%\kyso\trust\` on Windows),
//!   each an anchor;
//! - `--trust FILE|DIR` extras for one run, each an anchor.
//!
//! A file that cannot be read is reported as a warning, never fatal.

use std::path::{Path, PathBuf};

use der::{Decode, Encode};
use serde::Serialize;
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
/// The first four are the second generation (SHA-256); the last three are SHA-1
/// signed and accepted only because their bytes are pinned here (see
/// [`TrustStore::is_pinned`] and docs/verification-trust.md, "Weak algorithms").
pub const BUNDLED: [BundledCa; 7] = [
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
    BundledCa {
        file: "vgca-g1-rootca.crt",
        is_root: true,
        sha256: "F7BC89054CEC7F12730D7B8CD3EB7955B163835087E5EB873EDFB584763B3F90",
        bytes: include_bytes!("../assets/trust/vgca-g1-rootca.crt"),
    },
    BundledCa {
        file: "vgca-g1-cp.crt",
        is_root: false,
        sha256: "75E969C07BA35C29C72BBC1BFB880F20F3891A619B00B77EB02CA6160736A1FE",
        bytes: include_bytes!("../assets/trust/vgca-g1-cp.crt"),
    },
    BundledCa {
        file: "mic-national-root-ca.crt",
        is_root: true,
        sha256: "CA918D635BB130BEC97639E6AABF7EDBC4EB1310F8058B9419F467AE0230AD8C",
        bytes: include_bytes!("../assets/trust/mic-national-root-ca.crt"),
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

/// The DER inside a PEM file (its first block, any label), or the bytes
/// themselves when they are already DER.
pub fn pem_or_der(bytes: &[u8]) -> Option<Vec<u8>> {
    match std::str::from_utf8(bytes) {
        Ok(t) if t.contains("-----BEGIN") => pem_blocks(t, |_| true).ok()?.into_iter().next(),
        _ => Some(bytes.to_vec()),
    }
}

/// All bundled certificates that match their pins.
pub fn bundled_certificates() -> Vec<Certificate> {
    BUNDLED.iter().filter_map(BundledCa::certificate).collect()
}

fn self_signed(c: &Certificate) -> bool {
    crate::cms::names::same(&c.tbs_certificate.subject, &c.tbs_certificate.issuer)
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
        let Some(next) = given.iter().chain(pool.iter()).find(|c| crate::cms::names::same(&c.tbs_certificate.subject, issuer)).cloned()
        else {
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

/// Largest certificate file the trust store reads (a certificate is a few KB).
const MAX_TRUST_FILE: u64 = 4 * 1024 * 1024;

/// Where a trust anchor came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum AnchorSource {
    /// Shipped in `assets/trust/` and pinned by SHA-256.
    Bundled,
    /// A file in the user's trust folder ([`TrustStore::user_dir`]).
    User,
    /// A `--trust` file or folder given for one run.
    CommandLine,
}

/// A certificate trusted as the end of a certification path.
#[derive(Clone, Debug)]
pub struct Anchor {
    /// The certificate.
    pub certificate: Certificate,
    /// Readable subject (`CN=…, O=…, C=VN`).
    pub name: String,
    /// Where it came from.
    pub source: AnchorSource,
    /// The file it was read from (bundled: the name in `assets/trust/`).
    pub origin: String,
    /// SHA-256 of the DER certificate, hex upper case.
    pub sha256: String,
}

/// What a report says about the anchor a path ended at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AnchorInfo {
    /// Readable subject of the anchor.
    pub name: String,
    /// Where the anchor came from.
    pub source: AnchorSource,
    /// The file it was read from.
    pub origin: String,
    /// SHA-256 fingerprint of the anchor certificate, hex upper case.
    pub sha256: String,
}

impl Anchor {
    /// The anchor as shown in reports.
    pub fn info(&self) -> AnchorInfo {
        AnchorInfo { name: self.name.clone(), source: self.source, origin: self.origin.clone(), sha256: self.sha256.clone() }
    }
}

/// Trust anchors plus untrusted intermediates that help build paths.
#[derive(Clone, Debug, Default)]
pub struct TrustStore {
    anchors: Vec<Anchor>,
    intermediates: Vec<Certificate>,
    /// The bundled certificates that matched their pins (anchors and intermediates).
    pinned: Vec<Certificate>,
}

impl TrustStore {
    /// A store with nothing in it (tests, or a policy that trusts only `--trust`).
    pub fn empty() -> Self {
        Self::default()
    }

    /// The bundled roots as anchors and the bundled issuing CAs as intermediates,
    /// each only if it matches its pin.
    pub fn bundled() -> Self {
        let mut store = Self::empty();
        for ca in &BUNDLED {
            let Some(cert) = ca.certificate() else { continue };
            store.pinned.push(cert.clone());
            if ca.is_root {
                store.anchors.push(Anchor {
                    name: crate::cms::names::display(&cert.tbs_certificate.subject),
                    certificate: cert,
                    source: AnchorSource::Bundled,
                    origin: ca.file.to_owned(),
                    sha256: ca.sha256.to_owned(),
                });
            } else {
                store.intermediates.push(cert);
            }
        }
        store
    }

    /// The user's trust folder: `dirs::config_dir()/kyso/trust/`
    /// (`~/.config/kyso/trust` on Linux, `%APPDATA%\kyso\trust` on Windows,
    /// `~/Library/Application Support/kyso/trust` on macOS).
    pub fn user_dir() -> Option<PathBuf> {
        dirs::config_dir().map(|d| d.join("kyso").join("trust"))
    }

    /// The store for a verification run: bundled certificates, the user's trust
    /// folder, then each `--trust` file or folder in `extra`. Unreadable files come
    /// back as warnings; they are skipped, never fatal.
    pub fn load(extra: &[PathBuf]) -> (TrustStore, Vec<String>) {
        Self::load_with(Self::user_dir().as_deref(), extra)
    }

    /// [`TrustStore::load`] with the user folder given explicitly (`None`: no
    /// user folder). A missing user folder is not a warning; a missing `--trust`
    /// path is.
    pub fn load_with(user_dir: Option<&Path>, extra: &[PathBuf]) -> (TrustStore, Vec<String>) {
        let mut store = Self::bundled();
        let mut warnings = Vec::new();
        if let Some(dir) = user_dir {
            if dir.is_dir() {
                warnings.extend(store.add_path(dir, AnchorSource::User));
            }
        }
        for p in extra {
            warnings.extend(store.add_path(p, AnchorSource::CommandLine));
        }
        (store, warnings)
    }

    /// Add every certificate in a file (PEM with one or more certificates, DER, or
    /// a PKCS#7 `.p7b`/`.p7c` bundle) or in the files of a folder (not recursive;
    /// hidden files skipped) as anchors. Returns warnings for what was skipped.
    pub fn add_path(&mut self, path: &Path, source: AnchorSource) -> Vec<String> {
        let mut warnings = Vec::new();
        if path.is_dir() {
            let entries = match std::fs::read_dir(path) {
                Ok(e) => e,
                Err(e) => {
                    warnings.push(format!("{}: cannot read the folder: {e}", path.display()));
                    return warnings;
                }
            };
            let mut files: Vec<PathBuf> = entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .filter(|p| !p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.')))
                .collect();
            files.sort();
            for f in files {
                if let Err(w) = self.add_file(&f, source) {
                    warnings.push(w);
                }
            }
        } else if let Err(w) = self.add_file(path, source) {
            warnings.push(w);
        }
        warnings
    }

    /// Add the certificates in one file as anchors; the number added (duplicates
    /// are not added twice), or why the file was skipped.
    pub fn add_file(&mut self, path: &Path, source: AnchorSource) -> Result<usize, String> {
        let shown = path.display();
        let meta = std::fs::metadata(path).map_err(|e| format!("{shown}: {e}"))?;
        if meta.len() > MAX_TRUST_FILE {
            return Err(format!("{shown}: too large for a certificate file ({} bytes)", meta.len()));
        }
        let bytes = std::fs::read(path).map_err(|e| format!("{shown}: {e}"))?;
        let certs = certificates_in(&bytes).map_err(|e| format!("{shown}: {e}"))?;
        let mut added = 0;
        for (cert, der) in certs {
            if self.add_anchor(cert, &der, source, path.display().to_string()) {
                added += 1;
            }
        }
        Ok(added)
    }

    /// Add one anchor; `der` is the certificate as read (its SHA-256 is the
    /// fingerprint shown). Returns false if the same certificate is already an anchor.
    pub fn add_anchor(&mut self, cert: Certificate, der: &[u8], source: AnchorSource, origin: String) -> bool {
        if self.anchors.iter().any(|a| a.certificate == cert) {
            return false;
        }
        self.anchors.push(Anchor {
            name: crate::cms::names::display(&cert.tbs_certificate.subject),
            certificate: cert,
            source,
            origin,
            sha256: hex::encode_upper(Sha256::digest(der)),
        });
        true
    }

    /// Pin one more CA certificate as the bundled ones are pinned: a root becomes
    /// an anchor, an issuing CA an intermediate, and either is vouched for by its
    /// bytes (so a SHA-1 signature on it, or on a pre-2021 certificate issued by a
    /// pinned root, is accepted and reported). For a deployment's own copy of a
    /// CA that must be treated like the bundled ones, and for tests that stand in
    /// for the committee's CAs with a made-up PKI. `der` is the certificate as read.
    pub fn add_pinned(&mut self, cert: Certificate, der: &[u8], is_root: bool, origin: String) {
        if self.pinned.contains(&cert) {
            return;
        }
        self.pinned.push(cert.clone());
        if is_root {
            self.add_anchor(cert, der, AnchorSource::Bundled, origin);
        } else {
            self.add_intermediate(cert);
        }
    }

    /// Add an untrusted intermediate (a path-building helper, never an anchor).
    pub fn add_intermediate(&mut self, cert: Certificate) {
        if !self.intermediates.contains(&cert) {
            self.intermediates.push(cert);
        }
    }

    /// The trust anchors.
    pub fn anchors(&self) -> &[Anchor] {
        &self.anchors
    }

    /// The untrusted intermediates.
    pub fn intermediates(&self) -> &[Certificate] {
        &self.intermediates
    }

    /// Whether `cert` is, byte for byte, one of the bundled certificates that
    /// matched its SHA-256 pin. The pin, not the certificate's own signature,
    /// vouches for such a certificate: a weak (SHA-1) signature on it does not
    /// matter (docs/verification-trust.md, "Weak algorithms").
    pub fn is_pinned(&self, cert: &Certificate) -> bool {
        self.pinned.contains(cert)
    }

    /// The anchor `cert` stands for: the same certificate, or one with the same
    /// subject and public key (a re-issued or cross-signed copy of an anchor).
    pub fn anchor_for(&self, cert: &Certificate) -> Option<&Anchor> {
        self.anchors.iter().find(|a| a.certificate == *cert).or_else(|| {
            self.anchors.iter().find(|a| {
                crate::cms::names::same(&a.certificate.tbs_certificate.subject, &cert.tbs_certificate.subject)
                    && a.certificate.tbs_certificate.subject_public_key_info == cert.tbs_certificate.subject_public_key_info
            })
        })
    }
}

/// The certificates in a file's bytes, each with the DER it was read from: PEM
/// (`CERTIFICATE`, `X509 CERTIFICATE`, `TRUSTED CERTIFICATE` or `PKCS7` blocks,
/// any number), a DER certificate, or a DER PKCS#7 certificate bundle.
pub fn certificates_in(bytes: &[u8]) -> Result<Vec<(Certificate, Vec<u8>)>, String> {
    let text = std::str::from_utf8(bytes).ok().filter(|t| t.contains("-----BEGIN"));
    let ders: Vec<Vec<u8>> = match text {
        Some(t) => pem_blocks(t, |label| matches!(label, "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE" | "PKCS7"))?,
        None => vec![bytes.to_vec()],
    };
    let mut out = Vec::new();
    for der in ders {
        match Certificate::from_der(&der) {
            Ok(c) => out.push((c, der)),
            Err(cert_err) => match pkcs7_certificates(&der) {
                Some(list) if !list.is_empty() => out.extend(list),
                _ => return Err(format!("not a certificate ({cert_err})")),
            },
        }
    }
    if out.is_empty() {
        return Err("no certificate in the file".into());
    }
    Ok(out)
}

/// The DER of each PEM block in `text` whose label (`CERTIFICATE`, `X509 CRL`…)
/// `wanted` accepts, in order. Lenient about line length, CRLF, indentation and
/// white-space inside the base64 (unlike `der::pem`); RFC 1421 headers
/// (`Key: value`) are skipped.
pub fn pem_blocks(text: &str, wanted: impl Fn(&str) -> bool) -> Result<Vec<Vec<u8>>, String> {
    use base64ct::Encoding;
    let mut out = Vec::new();
    let mut body: Option<String> = None;
    for line in text.lines() {
        let line = line.trim();
        if let Some(label) = line.strip_prefix("-----BEGIN ") {
            let label = label.trim_end_matches('-').trim();
            body = wanted(label).then(String::new);
        } else if line.starts_with("-----END") {
            if let Some(b) = body.take() {
                let der = base64ct::Base64::decode_vec(&b).map_err(|e| format!("bad base64 in PEM: {e}"))?;
                out.push(der);
            }
        } else if let Some(b) = body.as_mut() {
            if !line.contains(':') {
                b.extend(line.chars().filter(|c| !c.is_ascii_whitespace()));
            }
        }
    }
    Ok(out)
}

/// The certificates of a PKCS#7 / CMS SignedData (a `.p7b` bundle).
fn pkcs7_certificates(der: &[u8]) -> Option<Vec<(Certificate, Vec<u8>)>> {
    let ci = cms::content_info::ContentInfo::from_der(der).ok()?;
    let sd: cms::signed_data::SignedData = ci.content.decode_as().ok()?;
    let set = sd.certificates?;
    Some(
        set.0
            .iter()
            .filter_map(|c| match c {
                cms::cert::CertificateChoices::Certificate(c) => {
                    let der = c.to_der().ok()?;
                    Some((c.clone(), der))
                }
                _ => None,
            })
            .collect(),
    )
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
        for i in [1, 3, 5] {
            let Some(ca) = BUNDLED[i].certificate() else { panic!("{} does not load", BUNDLED[i].file) };
            // An issuing CA's own chain stops below the root.
            assert!(complete_chain(&ca, &[], &all).is_empty());
            assert!(all.iter().any(|r| r.tbs_certificate.subject == ca.tbs_certificate.issuer), "{}", BUNDLED[i].file);
        }
    }

    #[test]
    fn bundled_store_has_four_anchors_and_three_intermediates() {
        let store = TrustStore::bundled();
        assert_eq!(store.anchors().len(), 4);
        assert_eq!(store.intermediates().len(), 3);
        assert!(store.anchors().iter().all(|a| a.source == AnchorSource::Bundled));
        assert!(BUNDLED.iter().filter_map(BundledCa::certificate).all(|c| store.is_pinned(&c)));
    }

    #[test]
    fn a_bad_trust_file_is_a_warning() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("junk.crt"), b"not a certificate").expect("write");
        std::fs::write(dir.path().join("root.pem"), BUNDLED[0].bytes).expect("write");
        let (store, warnings) = TrustStore::load_with(Some(dir.path()), &[dir.path().join("missing.pem")]);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        // The bundled root again from the user folder is not added twice.
        assert_eq!(store.anchors().len(), 4);
    }
}
