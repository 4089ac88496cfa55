//! [`OfficeError`]: what the desktop's document flow refuses on its own account —
//! a file the shell never handed over, content that is not what it claims, a PIN
//! prompt the user closed, a document that changed after the user confirmed it.

use crate::i18n::{Lang, Localize};
use crate::tr;

/// Refusals of [`crate::office::Office`] itself (its helpers' and the queue's
/// failures keep their own types).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OfficeError {
    /// A file handle the shell did not mint (or already used, or minted for
    /// another purpose): the page named a file it was not given.
    #[error("file handle not granted")]
    NotGranted,
    /// The file does not start like a PDF (`%PDF-` in its first 1024 bytes).
    #[error("{name} is not a PDF")]
    NotPdf {
        /// The file's name.
        name: String,
    },
    /// The file is not a PNG or JPEG image.
    #[error("{name} is not a PNG or JPEG image")]
    NotImage {
        /// The file's name.
        name: String,
    },
    /// The user closed the PIN window without entering a PIN.
    #[error("cancelled")]
    Cancelled,
    /// The chosen certificate is not on the token (pulled out, or another token).
    #[error("certificate {cert_id_hex} not found on token {token_label}")]
    CertificateNotFound {
        /// The token's label.
        token_label: String,
        /// The certificate's `CKA_ID`, hex.
        cert_id_hex: String,
    },
    /// The document's bytes differ from those the user confirmed in the PIN window.
    #[error("{name} changed after it was confirmed")]
    DocumentChanged {
        /// The file's name.
        name: String,
    },
}

impl OfficeError {
    /// A stable snake_case kind.
    pub fn kind(&self) -> &'static str {
        match self {
            OfficeError::NotGranted => "not_granted",
            OfficeError::NotPdf { .. } => "not_pdf",
            OfficeError::NotImage { .. } => "not_image",
            OfficeError::Cancelled => "cancelled",
            OfficeError::CertificateNotFound { .. } => "certificate_not_found",
            OfficeError::DocumentChanged { .. } => "document_changed",
        }
    }
}

impl Localize for OfficeError {
    fn localize(&self, lang: Lang) -> String {
        match self {
            OfficeError::NotGranted => {
                tr!(lang,
                "Tệp này không được chọn qua hộp thoại, kéo thả hay dòng lệnh nên KýSố không dùng. Hãy chọn lại tệp.",
                "This file was not chosen through a dialog, a drop or the command line, so KýSố does not use it. Choose the file again.")
            }
            OfficeError::NotPdf { name } => tr!(lang, "Tệp {} không phải là tệp PDF.", "{} is not a PDF file.", name),
            OfficeError::NotImage { name } => tr!(lang, "Tệp {} không phải là ảnh PNG hoặc JPEG.", "{} is not a PNG or JPEG image.", name),
            OfficeError::Cancelled => tr!(lang, "Đã hủy; chưa ký văn bản nào.", "Cancelled; nothing was signed."),
            OfficeError::CertificateNotFound { token_label, .. } => tr!(
                lang,
                "Không thấy chứng thư số đã chọn trên thiết bị {}. Hãy cắm thiết bị ký số rồi bấm Tải lại.",
                "The chosen certificate is not on the token {}. Plug in the token and press Refresh.",
                token_label
            ),
            OfficeError::DocumentChanged { name } => tr!(
                lang,
                "Tệp {} đã thay đổi sau khi bạn xác nhận ký nên không ký. Hãy kiểm tra lại văn bản rồi ký lại.",
                "{} changed after you confirmed it, so it was not signed. Check the document and sign again.",
                name
            ),
        }
    }
}
