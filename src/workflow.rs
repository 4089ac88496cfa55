//! Checks a workflow step makes before it signs (SPEC R9, Decree 30 Art. 32.2d).
//!
//! Before the clerk applies the agency signature, every signature already on the
//! document is verified: sealing over an invalid signature is refused with the
//! reasons, and so is sealing a document no person has signed — unless it is a
//! digitised paper document (R10), which only the agency signs.

use std::path::Path;

use crate::i18n::{Lang, Localize};
use crate::token::classify::{classify_certificate, Role};
use crate::tr;
use crate::verify::engine::{verify_file, DocumentReport, VerifyOptions};
use crate::verify::verdict::{Indication, SubIndication};

/// Why the clerk may not seal.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SealRefusal {
    /// A signature already on the document is invalid.
    #[error("signature {index} ({field}) is invalid: {reason}")]
    InvalidSignature {
        /// 1-based position in signing order.
        index: usize,
        /// Field name.
        field: String,
        /// Vietnamese reason.
        reason_vi: String,
        /// English reason.
        reason: String,
    },
    /// No personal (leader's) signature is present.
    #[error("no personal signature on the document")]
    NoPersonalSignature,
}

impl SealRefusal {
    /// Stable kind.
    pub fn kind(&self) -> &'static str {
        match self {
            SealRefusal::InvalidSignature { .. } => "seal_invalid_signature",
            SealRefusal::NoPersonalSignature => "seal_no_personal_signature",
        }
    }
}

impl Localize for SealRefusal {
    fn localize(&self, lang: Lang) -> String {
        match self {
            SealRefusal::InvalidSignature { index, field, reason_vi, reason } => tr!(
                lang,
                "Không đóng dấu: chữ ký {} ({}) trên văn bản không hợp lệ — {}. Hãy trả lại văn bản cho người ký.",
                "Sealing refused: signature {} ({}) on the document is invalid — {}. Return the document to the signer.",
                index,
                field,
                if lang == Lang::Vi { reason_vi } else { reason }
            ),
            SealRefusal::NoPersonalSignature => tr!(
                lang,
                "Không đóng dấu: văn bản chưa có chữ ký số của người có thẩm quyền. Với văn bản giấy số hóa, dùng --scanned.",
                "Sealing refused: no authorised person has signed the document. For a digitised paper document use --scanned."
            ),
        }
    }
}

/// Verify `input` and decide whether the agency may seal it. Indeterminate
/// signatures (e.g. revocation not reachable) do not block sealing; invalid ones do.
pub fn check_before_sealing(input: &Path, opts: &VerifyOptions, scanned: bool) -> Result<DocumentReport, crate::Error> {
    let report = verify_file(input, opts);
    if report.sub_indication == Some(SubIndication::NotSigned) && report.signatures.is_empty() {
        if scanned {
            return Ok(report);
        }
        return Err(SealRefusal::NoPersonalSignature.into());
    }
    if report.signatures.is_empty() {
        // Not readable as a signed PDF at all.
        return Err(SealRefusal::InvalidSignature {
            index: 0,
            field: String::new(),
            reason_vi: report.message_vi.clone(),
            reason: report.message_en.clone(),
        }
        .into());
    }
    if let Some(bad) = report.signatures.iter().find(|s| s.indication == Indication::TotalFailed) {
        return Err(SealRefusal::InvalidSignature {
            index: bad.index,
            field: bad.field.clone(),
            reason_vi: bad.message_vi.clone(),
            reason: bad.message_en.clone(),
        }
        .into());
    }
    let personal = report
        .signatures
        .iter()
        .any(|s| s.signer_certificate.as_ref().map(|c| classify_certificate(c).role != Role::Agency).unwrap_or(false));
    if !personal && !scanned {
        return Err(SealRefusal::NoPersonalSignature.into());
    }
    Ok(report)
}
