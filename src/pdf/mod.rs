//! PDF reading and append-only writing, for files that are never loaded whole.
//!
//! * [`syntax`] — a checked cursor over PDF syntax;
//! * [`object`] — objects that remember where each dictionary value was in the file;
//! * [`filters`] — the Flate decoding object and xref streams need, with a size cap;
//! * [`reader`] — [`reader::PdfFile`]: header, trailer chain, xref tables and streams,
//!   object streams, and single objects read on demand from disk;
//! * [`update`] — an incremental update: new objects, earlier objects rewritten
//!   token for token, and an xref section of the input's own kind;
//! * [`sigfield`] — the signature dictionary, field and widgets a signature needs;
//! * [`forms`] — typed writers for those new objects (pdf-writer where it fits).

pub mod crypt;
pub mod dss;
pub mod filters;
pub mod forms;
pub mod object;
pub mod reader;
pub mod sigfield;
pub mod syntax;
pub mod update;
pub mod write;

use crate::i18n::{Lang, Localize};
use crate::tr;

pub use object::{Dict, ObjRef, Object};
pub use reader::{ObjectSource, PdfFile, RevisionView};

/// What is wrong with a PDF, or why KýSố will not write to it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PdfError {
    /// The file does not start with a `%PDF-` header.
    #[error("not a PDF file (no %PDF- header)")]
    NotPdf,
    /// The end of the file (startxref, %%EOF) is missing: probably truncated.
    #[error("the file is truncated or has no startxref")]
    Truncated,
    /// The cross-reference data does not match the file; it would need repair.
    #[error("broken cross-reference table at offset {offset}: {detail}")]
    BrokenXref {
        /// Byte offset where the problem was found.
        offset: u64,
        /// What did not match.
        detail: String,
    },
    /// Invalid PDF syntax or structure.
    #[error("malformed PDF at offset {offset}: {detail}")]
    Malformed {
        /// Byte offset (0 when unknown).
        offset: u64,
        /// What is wrong.
        detail: String,
    },
    /// The document is encrypted.
    #[error("the PDF is encrypted")]
    Encrypted,
    /// A certification signature forbids any change (DocMDP /P 1).
    #[error("the document is certified with no changes allowed")]
    CertifiedNoChanges,
    /// A stream filter the reader does not implement.
    #[error("unsupported stream filter {0}")]
    UnsupportedFilter(String),
    /// A safety limit was reached (size, count, depth, loop).
    #[error("safety limit exceeded: {0}")]
    LimitExceeded(&'static str),
    /// A required object is missing.
    #[error("missing object: {0}")]
    Missing(String),
    /// Reading the file failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

impl PdfError {
    /// A [`PdfError::Malformed`] with a static detail.
    pub fn malformed(offset: u64, detail: impl Into<String>) -> Self {
        PdfError::Malformed { offset, detail: detail.into() }
    }

    /// A stable machine-readable kind.
    pub fn kind(&self) -> &'static str {
        match self {
            PdfError::NotPdf => "pdf_not_pdf",
            PdfError::Truncated => "pdf_truncated",
            PdfError::BrokenXref { .. } => "pdf_broken_xref",
            PdfError::Malformed { .. } => "pdf_malformed",
            PdfError::Encrypted => "pdf_encrypted",
            PdfError::CertifiedNoChanges => "pdf_certified",
            PdfError::UnsupportedFilter(_) => "pdf_unsupported",
            PdfError::LimitExceeded(_) => "pdf_limit",
            PdfError::Missing(_) => "pdf_malformed",
            PdfError::Io(_) => "read_input",
        }
    }
}

impl Localize for PdfError {
    fn localize(&self, lang: Lang) -> String {
        match self {
            PdfError::NotPdf => tr!(lang,
                "Tệp không phải là PDF. Hãy chọn đúng tệp văn bản PDF.",
                "The file is not a PDF. Choose the PDF document."),
            PdfError::Truncated => tr!(lang,
                "Tệp PDF bị cắt cụt hoặc chưa tải xong. Hãy tải lại hoặc xin bản gốc từ nơi gửi.",
                "The PDF is truncated or incompletely downloaded. Download it again or ask the sender for the original."),
            PdfError::BrokenXref { offset, .. } => tr!(lang,
                "Tệp PDF có bảng tham chiếu (xref) bị hỏng (vị trí {}); KýSố không tự sửa tệp vì nội dung hiển thị có thể khác nội dung đã ký. Hãy xin lại bản gốc hoặc xuất lại PDF từ phần mềm soạn thảo.",
                "The PDF's cross-reference table is broken (offset {}); KýSố does not repair it, since what is shown may differ from what was signed. Ask for the original or export the PDF again from the editor.",
                offset),
            PdfError::Malformed { offset, detail } => tr!(lang,
                "Tệp PDF bị lỗi cấu trúc (vị trí {}: {}). Hãy xuất lại PDF từ phần mềm soạn thảo.",
                "The PDF is malformed (offset {}: {}). Export the PDF again from the editor.",
                offset, detail),
            PdfError::Encrypted => tr!(lang,
                "Tệp PDF được mã hóa/đặt mật khẩu; không thể ký. Hãy gỡ mật khẩu rồi ký lại.",
                "The PDF is encrypted or password-protected and cannot be signed. Remove the password and try again."),
            PdfError::CertifiedNoChanges => tr!(lang,
                "Văn bản đã được chứng thực và không cho phép thay đổi thêm; ký thêm sẽ làm mất hiệu lực chữ ký chứng thực.",
                "The document is certified with no changes allowed; another signature would invalidate the certification."),
            PdfError::UnsupportedFilter(f) => tr!(lang,
                "Tệp PDF dùng kiểu nén chưa được hỗ trợ ({}).",
                "The PDF uses an unsupported compression ({}).",
                f),
            PdfError::LimitExceeded(what) => tr!(lang,
                "Tệp PDF vượt giới hạn an toàn ({}); có thể là tệp độc hại.",
                "The PDF exceeds a safety limit ({}); it may be hostile.",
                what),
            PdfError::Missing(what) => tr!(lang,
                "Tệp PDF thiếu thành phần bắt buộc ({}).",
                "The PDF lacks a required part ({}).",
                what),
            PdfError::Io(e) if e.kind() == std::io::ErrorKind::InvalidInput => tr!(lang,
                "Đây không phải là một tệp thông thường ({}): hãy chọn một tệp PDF.",
                "This is not a regular file ({}): choose a PDF file.",
                e),
            PdfError::Io(e) => tr!(lang,
                "Lỗi đọc tệp PDF: {}.",
                "Error reading the PDF: {}.",
                e),
        }
    }
}
