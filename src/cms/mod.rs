//! CMS signatures for PAdES (ETSI EN 319 142-1 §6.3, RFC 5652).
//!
//! [`builder`] makes the detached `SignedData` of a PAdES baseline B-B signature:
//! signed attributes content-type, message-digest and ESS signing-certificate-v2
//! (no signing-time: in PAdES the claimed time is the signature dictionary's `/M`).

pub mod ber;
pub mod builder;
pub mod ess;
pub mod names;
pub mod read;

use crate::i18n::{Lang, Localize};
use crate::tr;

/// Failures building or reading CMS structures and certificates.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CmsError {
    /// DER encoding or decoding failed.
    #[error("DER error: {0}")]
    Der(#[from] der::Error),
    /// The signature produced is larger than the space reserved for it.
    #[error("signature of {needed} bytes does not fit the {reserved} reserved")]
    TooLarge {
        /// Bytes needed.
        needed: usize,
        /// Bytes reserved.
        reserved: usize,
    },
    /// The signer returned a signature of the wrong form.
    #[error("the signer returned an invalid signature: {0}")]
    BadSignature(String),
}

impl Localize for CmsError {
    fn localize(&self, lang: Lang) -> String {
        match self {
            CmsError::Der(e) => tr!(
                lang,
                "Lỗi mã hóa chữ ký (DER): {}. Chứng thư số có thể bị hỏng.",
                "Signature encoding error (DER): {}. The certificate may be corrupt.",
                e
            ),
            CmsError::TooLarge { needed, reserved } => tr!(
                lang,
                "Chữ ký ({} byte) vượt quá chỗ dành sẵn ({} byte). Đây là lỗi của KýSố, hãy báo cho bộ phận hỗ trợ.",
                "The signature ({} bytes) exceeds the space reserved ({} bytes). This is a KýSố bug; please report it.",
                needed,
                reserved
            ),
            CmsError::BadSignature(why) => {
                tr!(lang, "Thiết bị ký trả về chữ ký không hợp lệ: {}.", "The signing device returned an invalid signature: {}.", why)
            }
        }
    }
}
