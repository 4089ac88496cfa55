//! Verification of the signatures in a PDF (SPEC R11; ETSI EN 319 102-1 style).
//!
//! * [`fields`] finds signature fields; [`coverage`] checks each `/ByteRange`
//!   against the file's revisions (USF/SWA); [`cms_check`] checks the CMS
//!   (digest, signature value, signing certificate); [`chain`] and
//!   [`revocation`] check the certificate; [`algorithms`] says when a weak
//!   algorithm is still acceptable; [`certified`] (with [`render`]) judges later
//!   signatures added to a certified document; [`diff`] compares revisions (ISA,
//!   shadow, EAA/SSA); [`verdict`] names the outcome; [`engine`] runs it all;
//!   [`notice`] writes the rejection notice to a sender.
//! * [`check_integrity`] is the quick layer the demo uses: what each signature
//!   itself proves, without trust decisions.

pub mod algorithms;
pub mod certified;
pub mod chain;
pub mod cms_check;
pub mod coverage;
pub mod crypto;
pub mod diff;
pub mod dss;
pub mod engine;
pub mod extract;
pub mod fields;
pub mod level;
pub mod notice;
pub mod render;
pub mod revocation;
pub mod timestamp;
pub mod verdict;

use std::path::Path;

use serde::Serialize;

use crate::pdf::PdfFile;

pub use coverage::Coverage;
pub use fields::{find_signatures, SignatureField};

/// What a signature itself proves.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IntegrityReport {
    /// Field name.
    pub field: String,
    /// Signer subject, if the certificate was found.
    pub signer: Option<String>,
    /// Byte range coverage.
    pub coverage: Coverage,
    /// Whether the covered bytes hash to the signed message digest.
    pub digest_ok: bool,
    /// Whether the signature value verifies with the signer's public key.
    pub signature_ok: bool,
    /// Why a check failed, if one did.
    pub problem: Option<String>,
}

impl IntegrityReport {
    /// Digest and signature hold, and the byte range covers a whole revision.
    pub fn intact(&self) -> bool {
        self.digest_ok && self.signature_ok && matches!(self.coverage, Coverage::WholeFile | Coverage::WholeRevision)
    }
}

/// Check every signature in `path` for integrity (no trust or revocation checks).
pub fn check_integrity(path: &Path) -> Result<Vec<IntegrityReport>, crate::Error> {
    let pdf = PdfFile::open(path)?;
    let mut out = Vec::new();
    for f in find_signatures(&pdf)? {
        let mut r = IntegrityReport {
            field: f.name.clone(),
            signer: None,
            coverage: Coverage::None,
            digest_ok: false,
            signature_ok: false,
            problem: None,
        };
        let Some(sig) = f.sig_ref else {
            r.problem = Some("signature dictionary is not indirect".into());
            out.push(r);
            continue;
        };
        let cov = coverage::check(&pdf, sig, &f.byte_range_obj)?;
        r.coverage = cov.coverage;
        r.problem = cov.problem.clone();
        if let [_, b, c, d] = f.byte_range.as_slice() {
            if matches!(cov.coverage, Coverage::WholeFile | Coverage::WholeRevision) {
                let cms = cms_check::check(&pdf, &cov.contents, &[(0, *b as u64), (*c as u64, *d as u64)]);
                r.signer = cms.signer.as_ref().map(|c| crate::cms::names::display(&c.tbs_certificate.subject));
                r.digest_ok = cms.digest_ok;
                r.signature_ok = cms.signature_ok;
                r.problem = cms.problem.as_ref().map(|p| format!("{p:?}"));
            }
        }
        out.push(r);
    }
    Ok(out)
}
