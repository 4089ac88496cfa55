//! ETSI EN 319 102-1 style indications (§5.1.3) with Vietnamese and English
//! sentences a clerk can act on.

use serde::Serialize;

use crate::i18n::Lang;

/// Main indication.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Indication {
    /// Valid ("Hợp lệ").
    TotalPassed,
    /// Cannot be decided now ("Chưa xác định").
    Indeterminate,
    /// Invalid ("Không hợp lệ").
    TotalFailed,
}

impl Indication {
    /// Short label in `lang`.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Indication::TotalPassed => lang.pick("Hợp lệ", "Valid"),
            Indication::TotalFailed => lang.pick("Không hợp lệ", "Invalid"),
            Indication::Indeterminate => lang.pick("Chưa xác định", "Indeterminate"),
        }
    }
}

/// Sub-indication: why a signature is not TOTAL-PASSED. ETSI names, plus
/// `POST_SIGNING_MODIFICATION` for a disallowed change after signing (PDF-specific)
/// and `NOT_SIGNED` for a document without any signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SubIndication {
    /// The file or signature structure is not acceptable (ByteRange, CMS, PDF).
    FormatFailure,
    /// The signed bytes were changed (message digest mismatch).
    HashFailure,
    /// The signature value does not verify with the signer's key.
    SigCryptoFailure,
    /// Signed attributes are inconsistent (e.g. ESS signing-certificate).
    SigConstraintsFailure,
    /// The signer's certificate was revoked before the signing time.
    Revoked,
    /// Revoked after the claimed signing time, with no proof of existence before.
    RevokedNoPoe,
    /// No path to a trusted root.
    NoCertificateChainFound,
    /// The signing certificate had expired at the signing time.
    Expired,
    /// The signing certificate was not yet valid at the signing time.
    NotYetValid,
    /// The certificate is no longer valid now and nothing proves the signature existed while it was.
    OutOfBoundsNoPoe,
    /// Revocation status could not be obtained; try again later.
    TryLater,
    /// A weak algorithm was used.
    CryptoConstraintsFailureNoPoe,
    /// An algorithm this verifier does not implement (named in the message): not
    /// a malformed file, just one KýSố cannot judge.
    CryptoConstraintsFailure,
    /// The signer's certificate is not in the signature.
    NoSigningCertificateFound,
    /// The document was changed after this signature in a way that is not allowed.
    PostSigningModification,
    /// The document carries no signature.
    NotSigned,
}

impl SubIndication {
    /// A plain sentence for a clerk.
    pub fn sentence(self, lang: Lang) -> &'static str {
        use SubIndication::*;
        match self {
            FormatFailure => lang.pick(
                "Cấu trúc chữ ký hoặc tệp PDF không đúng chuẩn; không thể tin cậy chữ ký này.",
                "The signature or PDF structure is not well-formed; this signature cannot be trusted.",
            ),
            HashFailure => lang.pick(
                "Nội dung văn bản đã bị thay đổi sau khi ký (mã băm không khớp).",
                "The document content was changed after signing (digest mismatch).",
            ),
            SigCryptoFailure => lang.pick(
                "Chữ ký số không khớp với chứng thư số của người ký (chữ ký giả hoặc hỏng).",
                "The signature does not match the signer's certificate (forged or damaged).",
            ),
            SigConstraintsFailure => lang.pick(
                "Thuộc tính ký không khớp với chứng thư số của người ký.",
                "The signed attributes do not match the signer's certificate.",
            ),
            Revoked => lang.pick(
                "Chứng thư số của người ký đã bị thu hồi trước thời điểm ký.",
                "The signer's certificate was revoked before the signing time.",
            ),
            RevokedNoPoe => lang.pick(
                "Chứng thư số của người ký đã bị thu hồi; không có bằng chứng chữ ký được tạo trước khi thu hồi.",
                "The signer's certificate has been revoked; nothing proves the signature was made before that.",
            ),
            NoCertificateChainFound => lang.pick(
                "Không xác định được chứng thư số của người ký thuộc tổ chức cung cấp dịch vụ chứng thực được tin cậy.",
                "The signer's certificate does not chain to a trusted root.",
            ),
            Expired => lang.pick(
                "Chứng thư số của người ký đã hết hạn tại thời điểm ký.",
                "The signer's certificate had expired at the signing time.",
            ),
            NotYetValid => lang.pick(
                "Chứng thư số của người ký chưa có hiệu lực tại thời điểm ký.",
                "The signer's certificate was not yet valid at the signing time.",
            ),
            OutOfBoundsNoPoe => lang.pick(
                "Chứng thư số đã hết hiệu lực và chữ ký không có dấu thời gian chứng minh thời điểm ký.",
                "The certificate is no longer valid and no time-stamp proves when the signature was made.",
            ),
            TryLater => lang.pick(
                "Chưa kiểm tra được tình trạng thu hồi của chứng thư số (không truy cập được CRL/OCSP); hãy kiểm tra lại sau.",
                "The certificate's revocation status could not be checked (CRL/OCSP unreachable); try again later.",
            ),
            CryptoConstraintsFailureNoPoe => lang.pick(
                "Chữ ký dùng thuật toán yếu (ví dụ SHA-1), không còn được chấp nhận.",
                "The signature uses a weak algorithm (e.g. SHA-1) that is no longer accepted.",
            ),
            CryptoConstraintsFailure => lang
                .pick("Chữ ký dùng thuật toán mà KýSố chưa kiểm tra được.", "The signature uses an algorithm this verifier cannot check."),
            NoSigningCertificateFound => {
                lang.pick("Không tìm thấy chứng thư số của người ký trong chữ ký.", "The signer's certificate is not in the signature.")
            }
            PostSigningModification => lang.pick(
                "Văn bản đã bị sửa đổi sau khi ký (không phải thêm chữ ký hay điền số, ngày).",
                "The document was modified after signing (beyond adding signatures or filling in the number and date).",
            ),
            NotSigned => lang.pick("Văn bản chưa được ký số.", "The document is not digitally signed."),
        }
    }
}
