//! The one error type of software identities.

use std::path::PathBuf;

use crate::i18n::{Lang, Localize};
use crate::tr;

/// Why a software identity (PKCS#12 file, PEM key and certificate, demo identity)
/// could not be loaded, created or used.
///
/// Variants keep their reason as data; [`Localize`] turns them into one line for a
/// clerk and [`IdentityError::kind`] into a stable machine-readable kind.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IdentityError {
    /// A key, certificate or PKCS#12 file could not be opened or read.
    #[error("cannot read {path}: {source}")]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// The PKCS#12 password is wrong (the integrity MAC or the decryption failed).
    #[error("wrong password for PKCS#12 file {path}")]
    WrongPassword {
        /// The PKCS#12 file.
        path: PathBuf,
    },
    /// The file is not a PKCS#12 file, or is damaged.
    #[error("{path} is not a valid PKCS#12 file: {reason}")]
    Pkcs12Malformed {
        /// The file.
        path: PathBuf,
        /// What the parser rejected.
        reason: String,
    },
    /// The PKCS#12 file uses an encryption or integrity algorithm KýSố cannot read.
    #[error("{path} uses an unsupported PKCS#12 algorithm: {reason}")]
    Pkcs12Unsupported {
        /// The file.
        path: PathBuf,
        /// Which algorithm.
        reason: String,
    },
    /// The file holds certificates but no private key.
    #[error("{path} contains no private key")]
    NoPrivateKey {
        /// The file.
        path: PathBuf,
    },
    /// No certificate in the given files carries the private key's public key.
    #[error("no certificate in {path} matches the private key")]
    NoMatchingCertificate {
        /// The file that should have held the certificate.
        path: PathBuf,
    },
    /// The key is of a type KýSố cannot sign with (only RSA, EC P-256 and EC P-384).
    #[error("unsupported key type in {path}: {algorithm}")]
    UnsupportedKeyType {
        /// The key file.
        path: PathBuf,
        /// The algorithm found, e.g. `Ed25519` or an OID.
        algorithm: String,
    },
    /// A PEM private key is password-protected; KýSố reads protected keys only from PKCS#12.
    #[error("the private key in {path} is encrypted")]
    EncryptedKey {
        /// The key file.
        path: PathBuf,
    },
    /// The private key could not be decoded.
    #[error("malformed private key in {path}: {reason}")]
    MalformedKey {
        /// The key file.
        path: PathBuf,
        /// What the decoder rejected.
        reason: String,
    },
    /// A certificate could not be decoded.
    #[error("malformed certificate in {path}: {reason}")]
    MalformedCertificate {
        /// The certificate file.
        path: PathBuf,
        /// What the decoder rejected.
        reason: String,
    },
    /// A certificate file holds no certificate.
    #[error("{path} contains no certificate")]
    NoCertificate {
        /// The certificate file.
        path: PathBuf,
    },
    /// The password environment variable is not set.
    #[error("no password: environment variable {var} is not set")]
    PasswordMissing {
        /// The variable name, e.g. `KYSO_P12_PASSWORD`.
        var: String,
    },
    /// The password environment variable is not valid Unicode.
    #[error("environment variable {var} is not valid Unicode")]
    PasswordNotUnicode {
        /// The variable name.
        var: String,
    },
    /// The signature operation itself failed (should not happen with a valid key).
    #[error("software signing failed: {0}")]
    SigningFailed(String),
    /// Building the demo certificates failed (a bug, not caused by any input).
    #[error("cannot build the demo identity: {0}")]
    DemoGeneration(String),
    /// Writing the demo identity to disk failed.
    #[error("cannot write the demo identity at {path}: {source}")]
    DemoWrite {
        /// The file or directory being written.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
}

impl IdentityError {
    /// A stable machine-readable kind for JSON output and the desktop app.
    pub fn kind(&self) -> &'static str {
        match self {
            IdentityError::ReadFile { .. } => "identity_read",
            IdentityError::WrongPassword { .. } => "p12_wrong_password",
            IdentityError::Pkcs12Malformed { .. } => "p12_malformed",
            IdentityError::Pkcs12Unsupported { .. } => "p12_unsupported",
            IdentityError::NoPrivateKey { .. } => "no_private_key",
            IdentityError::NoMatchingCertificate { .. } => "no_matching_certificate",
            IdentityError::UnsupportedKeyType { .. } => "unsupported_key",
            IdentityError::EncryptedKey { .. } => "key_encrypted",
            IdentityError::MalformedKey { .. } => "key_malformed",
            IdentityError::MalformedCertificate { .. } => "certificate_malformed",
            IdentityError::NoCertificate { .. } => "no_certificate",
            IdentityError::PasswordMissing { .. } => "password_missing",
            IdentityError::PasswordNotUnicode { .. } => "password_not_unicode",
            IdentityError::SigningFailed(_) => "signing_failed",
            IdentityError::DemoGeneration(_) => "demo_generation",
            IdentityError::DemoWrite { .. } => "demo_write",
        }
    }
}

impl Localize for IdentityError {
    fn localize(&self, lang: Lang) -> String {
        match self {
            IdentityError::ReadFile { path, source } => tr!(
                lang,
                "Không đọc được tệp {}: {}. Hãy kiểm tra đường dẫn và quyền đọc.",
                "Cannot read {}: {}. Check the path and read permission.",
                path.display(),
                source
            ),
            IdentityError::WrongPassword { path } => tr!(
                lang,
                "Mật khẩu tệp PKCS#12 không đúng ({}). Hãy nhập lại mật khẩu.",
                "Wrong password for the PKCS#12 file {}. Enter the password again.",
                path.display()
            ),
            IdentityError::Pkcs12Malformed { path, reason } => tr!(
                lang,
                "Tệp {} không phải tệp PKCS#12 (.p12/.pfx) hợp lệ hoặc đã bị hỏng ({}).",
                "{} is not a valid PKCS#12 (.p12/.pfx) file or is damaged ({}).",
                path.display(),
                reason
            ),
            IdentityError::Pkcs12Unsupported { path, reason } => tr!(
                lang,
                "Tệp {} dùng thuật toán mã hóa chưa được hỗ trợ ({}). Hãy xuất lại tệp với AES hoặc 3DES.",
                "{} uses an unsupported encryption ({}). Export it again with AES or 3DES.",
                path.display(),
                reason
            ),
            IdentityError::NoPrivateKey { path } => tr!(
                lang,
                "Tệp {} không chứa khóa bí mật. Hãy xuất lại kèm khóa bí mật.",
                "{} contains no private key. Export it again with the private key.",
                path.display()
            ),
            IdentityError::NoMatchingCertificate { path } => tr!(
                lang,
                "Không có chứng thư số nào trong {} khớp với khóa bí mật.",
                "No certificate in {} matches the private key.",
                path.display()
            ),
            IdentityError::UnsupportedKeyType { path, algorithm } => tr!(
                lang,
                "Loại khóa {} trong {} chưa được hỗ trợ (chỉ hỗ trợ RSA, EC P-256 và EC P-384).",
                "Key type {} in {} is not supported (only RSA, EC P-256 and EC P-384).",
                algorithm,
                path.display()
            ),
            IdentityError::EncryptedKey { path } => tr!(
                lang,
                "Khóa bí mật trong {} được mã hóa bằng mật khẩu. Hãy dùng tệp PKCS#12 (.p12/.pfx) thay thế.",
                "The private key in {} is password-protected. Use a PKCS#12 (.p12/.pfx) file instead.",
                path.display()
            ),
            IdentityError::MalformedKey { path, reason } => {
                tr!(lang, "Không đọc được khóa bí mật trong {} ({}).", "Cannot decode the private key in {} ({}).", path.display(), reason)
            }
            IdentityError::MalformedCertificate { path, reason } => tr!(
                lang,
                "Chứng thư số trong {} bị hỏng hoặc sai định dạng ({}).",
                "The certificate in {} is damaged or malformed ({}).",
                path.display(),
                reason
            ),
            IdentityError::NoCertificate { path } => {
                tr!(lang, "Tệp {} không chứa chứng thư số nào.", "{} contains no certificate.", path.display())
            }
            IdentityError::PasswordMissing { var } => tr!(
                lang,
                "Chưa có mật khẩu tệp PKCS#12. Hãy đặt biến môi trường {}.",
                "No PKCS#12 password given. Set the environment variable {}.",
                var
            ),
            IdentityError::PasswordNotUnicode { var } => {
                tr!(lang, "Biến môi trường {} chứa ký tự không hợp lệ.", "The environment variable {} is not valid Unicode.", var)
            }
            IdentityError::SigningFailed(reason) => {
                tr!(lang, "Ký bằng khóa phần mềm thất bại ({}).", "Signing with the software key failed ({}).", reason)
            }
            IdentityError::DemoGeneration(reason) => tr!(
                lang,
                "Không tạo được danh tính thử nghiệm ({}). Đây là lỗi của KýSố, hãy báo lại.",
                "Cannot build the demo identity ({}). This is a KýSố bug; please report it.",
                reason
            ),
            IdentityError::DemoWrite { path, source } => tr!(
                lang,
                "Không ghi được danh tính thử nghiệm vào {}: {}. Hãy kiểm tra quyền ghi và dung lượng đĩa.",
                "Cannot write the demo identity to {}: {}. Check write permission and free space.",
                path.display(),
                source
            ),
        }
    }
}
