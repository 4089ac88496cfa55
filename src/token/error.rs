//! [`TokenError`]: everything a token, its driver or the user's choice of token can
//! refuse, kept as typed data so the CLI and the desktop app can act on each case
//! (ask for the PIN again, tell the user to plug the token in, list the choices).
//!
//! PKCS#11 failures are classified by their return-value code
//! ([`cryptoki::error::RvError`]), never by message text. No variant can hold a PIN.

use std::path::PathBuf;

use cryptoki::error::{Error as CkError, RvError};
use serde::Serialize;

use crate::i18n::{Lang, Localize};
use crate::tr;

/// What the token says about the remaining PIN attempts, read from its flags
/// (`CKF_USER_PIN_COUNT_LOW`, `CKF_USER_PIN_FINAL_TRY`, `CKF_USER_PIN_LOCKED`).
///
/// PKCS#11 gives no number of tries left, only these flags; many tokens (SoftHSM2
/// among them) set none of them, which is [`PinTries::Unknown`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum PinTries {
    /// The token does not say (no flag set).
    Unknown,
    /// At least one wrong PIN was entered since the last correct one (`COUNT_LOW`).
    Low,
    /// One more wrong PIN locks the token (`FINAL_TRY`).
    FinalTry,
    /// The user PIN is locked (`USER_PIN_LOCKED`).
    Locked,
}

impl PinTries {
    /// The state from the three token flags, the most severe one winning.
    pub fn from_flags(count_low: bool, final_try: bool, locked: bool) -> PinTries {
        if locked {
            PinTries::Locked
        } else if final_try {
            PinTries::FinalTry
        } else if count_low {
            PinTries::Low
        } else {
            PinTries::Unknown
        }
    }
}

/// A signing certificate offered to the user when the choice is ambiguous.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateChoice {
    /// `CKA_ID` in lowercase hex (what `--cert` takes).
    pub id: String,
    /// The certificate object's `CKA_LABEL`.
    pub label: String,
    /// The certificate subject (RFC 4514 style).
    pub subject: String,
}

/// Every failure of the token layer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// No PKCS#11 driver was found in the known places and none was given.
    #[error("no PKCS#11 module found")]
    NoModule,
    /// A PKCS#11 module could not be loaded or initialised.
    #[error("cannot load PKCS#11 module {path}: {reason}")]
    ModuleLoad {
        /// The module path.
        path: PathBuf,
        /// What went wrong (loader message or PKCS#11 return code).
        reason: String,
    },
    /// The driver file is built for another processor than this program (a 32-bit
    /// driver for the 64-bit KýSố).
    #[error("PKCS#11 module {path} is {found}; this program needs {needed}")]
    ModuleArchitecture {
        /// The module path.
        path: PathBuf,
        /// What the file is built for, e.g. `32-bit (x86)`.
        found: String,
        /// What this program can load, e.g. `64-bit (x64)`.
        needed: String,
    },
    /// The built-in or user driver list is malformed.
    #[error("driver list {path}: {reason}")]
    DriverList {
        /// The file (or `<built-in>`).
        path: PathBuf,
        /// The parse error.
        reason: String,
    },
    /// Drivers were loaded but no token is plugged in.
    #[error("no token present")]
    NoToken,
    /// No token has the wanted label.
    #[error("no token labelled {wanted:?} (seen: {seen:?})")]
    TokenNotFound {
        /// The label asked for.
        wanted: String,
        /// The labels of the tokens present.
        seen: Vec<String>,
    },
    /// Several tokens match (or several are present and none was chosen).
    #[error("several tokens match: {seen:?}")]
    AmbiguousToken {
        /// The label asked for, if any.
        wanted: Option<String>,
        /// The labels of the matching tokens.
        seen: Vec<String>,
    },
    /// No signing certificate (certificate with its private key) matches.
    #[error("no signing certificate matches {wanted}")]
    CertificateNotFound {
        /// What was asked for (`id 01`, `label "X"`, or `any`).
        wanted: String,
        /// The signing certificates on the token.
        available: Vec<CertificateChoice>,
    },
    /// Several signing certificates match and none was chosen.
    #[error("several signing certificates: {candidates:?}")]
    AmbiguousCertificate {
        /// The candidates, with ids and subjects.
        candidates: Vec<CertificateChoice>,
    },
    /// The chosen key has no certificate on the token.
    #[error("key {id} has no certificate")]
    KeyWithoutCertificate {
        /// `CKA_ID` in hex.
        id: String,
    },
    /// A certificate on the token could not be parsed or does not fit its key.
    #[error("certificate {id}: {reason}")]
    BadCertificate {
        /// `CKA_ID` in hex.
        id: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The PIN was wrong; `tries` is what the token flags say afterwards.
    #[error("incorrect PIN ({tries:?})")]
    PinIncorrect {
        /// The PIN state read back from the token after the failure.
        tries: PinTries,
    },
    /// The user PIN is locked (too many wrong PINs).
    #[error("PIN locked")]
    PinLocked,
    /// The PIN is too short or too long for this token.
    #[error("PIN length out of range")]
    PinLenRange,
    /// The new PIN has characters the token does not accept (`CKR_PIN_INVALID`).
    #[error("PIN has invalid characters")]
    PinInvalid,
    /// The PIN has expired and must be changed first.
    #[error("PIN expired")]
    PinExpired,
    /// The token's user PIN was never set (a blank token).
    #[error("user PIN not initialised")]
    PinNotInitialized,
    /// PIN entry on the token's own PIN pad was cancelled.
    #[error("PIN entry cancelled")]
    LoginCancelled,
    /// This process is already logged in to the token (another session holds it),
    /// so a new login would not be checked against its PIN: refused, never taken
    /// as success (a wrong PIN must never sign).
    #[error("token already logged in by this process")]
    AlreadyLoggedIn,
    /// The token was unplugged or stopped answering.
    #[error("token removed ({function}: {rv})")]
    TokenRemoved {
        /// The PKCS#11 function that noticed.
        function: &'static str,
        /// The return code.
        rv: String,
    },
    /// The token offers no mechanism KýSố can sign with for this key.
    #[error("no usable signing mechanism for {key}: {detail}")]
    MechanismUnsupported {
        /// The key kind, e.g. `RSA-2048`.
        key: String,
        /// Which mechanisms were missing.
        detail: String,
    },
    /// The unblock code (SO PIN / PUK) was wrong; `tries` is what the token flags say
    /// about it afterwards.
    #[error("incorrect unblock code ({tries:?})")]
    SoPinIncorrect {
        /// The SO PIN state read back from the token after the failure.
        tries: PinTries,
    },
    /// The unblock code (SO PIN / PUK) is locked too: only the certification
    /// authority can recover the token.
    #[error("unblock code locked")]
    SoPinLocked,
    /// The new PIN was not typed the same way twice.
    #[error("the two new PINs differ")]
    PinMismatch,
    /// A certificate to import could not be read.
    #[error("certificate file {path}: {reason}")]
    CertificateFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The certificate to import is for a key the token does not hold.
    #[error("no key on the token for certificate {subject}")]
    KeyNotOnToken {
        /// The certificate subject.
        subject: String,
    },
    /// The certificate to import does not chain to a trust anchor.
    #[error("certificate {subject} is not trusted: {reason}")]
    CertificateUntrusted {
        /// The certificate subject.
        subject: String,
        /// Why the path was refused (English).
        reason: String,
        /// Why the path was refused (Vietnamese).
        reason_vi: String,
    },
    /// Any other PKCS#11 failure.
    #[error("{function} failed: {rv}")]
    Pkcs11 {
        /// The PKCS#11 function, e.g. `C_Sign`.
        function: &'static str,
        /// The return code, e.g. `CKR_GENERAL_ERROR`.
        rv: String,
    },
}

/// `GeneralError` → `CKR_GENERAL_ERROR`.
pub(crate) fn rv_name(rv: RvError) -> String {
    let debug = format!("{rv:?}");
    if debug.contains('(') {
        return rv.to_string();
    }
    let mut out = String::from("CKR_");
    for (i, c) in debug.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

impl TokenError {
    /// A stable machine-readable kind (`pin_incorrect`, `token_removed`…).
    pub fn kind(&self) -> &'static str {
        match self {
            TokenError::NoModule => "no_module",
            TokenError::ModuleLoad { .. } => "module_load",
            TokenError::ModuleArchitecture { .. } => "module_architecture",
            TokenError::DriverList { .. } => "driver_list",
            TokenError::NoToken => "no_token",
            TokenError::TokenNotFound { .. } => "token_not_found",
            TokenError::AmbiguousToken { .. } => "ambiguous_token",
            TokenError::CertificateNotFound { .. } => "certificate_not_found",
            TokenError::AmbiguousCertificate { .. } => "ambiguous_certificate",
            TokenError::KeyWithoutCertificate { .. } => "key_without_certificate",
            TokenError::BadCertificate { .. } => "bad_certificate",
            TokenError::PinIncorrect { .. } => "pin_incorrect",
            TokenError::PinLocked => "pin_locked",
            TokenError::PinLenRange => "pin_len_range",
            TokenError::PinInvalid => "pin_invalid",
            TokenError::PinExpired => "pin_expired",
            TokenError::PinNotInitialized => "pin_not_initialized",
            TokenError::LoginCancelled => "login_cancelled",
            TokenError::AlreadyLoggedIn => "token_busy",
            TokenError::TokenRemoved { .. } => "token_removed",
            TokenError::MechanismUnsupported { .. } => "mechanism_unsupported",
            TokenError::SoPinIncorrect { .. } => "so_pin_incorrect",
            TokenError::SoPinLocked => "so_pin_locked",
            TokenError::PinMismatch => "pin_mismatch",
            TokenError::CertificateFile { .. } => "certificate_file",
            TokenError::KeyNotOnToken { .. } => "key_not_on_token",
            TokenError::CertificateUntrusted { .. } => "certificate_untrusted",
            TokenError::Pkcs11 { .. } => "pkcs11",
        }
    }

    /// Classify a cryptoki error from `function` by its return code. PIN failures
    /// from `C_Login` become [`TokenError::PinIncorrect`] with [`PinTries::Unknown`];
    /// callers that can read the token flags afterwards refine `tries`.
    pub(crate) fn from_cryptoki(function: &'static str, err: CkError) -> TokenError {
        match err {
            CkError::Pkcs11(rv, _) => TokenError::from_rv(function, rv),
            CkError::LibraryLoading(e) => TokenError::Pkcs11 { function, rv: e.to_string() },
            other => TokenError::Pkcs11 { function, rv: other.to_string() },
        }
    }

    /// Classify a PKCS#11 return code from `function`.
    pub(crate) fn from_rv(function: &'static str, rv: RvError) -> TokenError {
        match rv {
            RvError::PinIncorrect => TokenError::PinIncorrect { tries: PinTries::Unknown },
            RvError::PinLocked => TokenError::PinLocked,
            RvError::PinLenRange => TokenError::PinLenRange,
            RvError::PinExpired => TokenError::PinExpired,
            RvError::PinInvalid => TokenError::PinInvalid,
            RvError::UserPinNotInitialized => TokenError::PinNotInitialized,
            RvError::FunctionCanceled if function == "C_Login" => TokenError::LoginCancelled,
            RvError::DeviceRemoved
            | RvError::TokenNotPresent
            | RvError::SessionHandleInvalid
            | RvError::SessionClosed
            | RvError::DeviceError => TokenError::TokenRemoved { function, rv: rv_name(rv) },
            RvError::MechanismInvalid | RvError::MechanismParamInvalid => {
                TokenError::MechanismUnsupported { key: String::new(), detail: format!("{function}: {}", rv_name(rv)) }
            }
            other => TokenError::Pkcs11 { function, rv: rv_name(other) },
        }
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "—".to_owned()
    } else {
        items.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", ")
    }
}

fn choices(items: &[CertificateChoice]) -> String {
    items.iter().map(|c| format!("[{}] {}", c.id, c.subject)).collect::<Vec<_>>().join("; ")
}

impl Localize for PinTries {
    fn localize(&self, lang: Lang) -> String {
        match self {
            PinTries::Unknown => tr!(lang, "Thiết bị không cho biết số lần thử còn lại", "The token does not say how many tries are left"),
            PinTries::Low => tr!(
                lang,
                "Còn ít lần thử — thiết bị sẽ bị khóa nếu nhập sai tiếp",
                "Few tries left — the token will lock if you keep entering a wrong PIN"
            ),
            PinTries::FinalTry => tr!(
                lang,
                "Đây là lần thử cuối cùng — nhập sai nữa thiết bị sẽ bị khóa",
                "This is the final try — one more wrong PIN locks the token"
            ),
            PinTries::Locked => tr!(lang, "Thiết bị đã bị khóa", "The token is now locked"),
        }
    }
}

/// The unblock code's tries as a sentence.
fn so_tries(tries: PinTries, lang: Lang) -> String {
    match tries {
        PinTries::Unknown => tr!(lang, "Thiết bị không cho biết số lần thử còn lại", "The token does not say how many tries are left"),
        PinTries::Low => tr!(
            lang,
            "Đã có lần nhập sai mã mở khóa — còn ít lần thử, nhập sai tiếp thì mã mở khóa cũng bị khóa",
            "A wrong unblock code was entered — few tries left; more wrong codes lock it too"
        ),
        PinTries::FinalTry => tr!(
            lang,
            "Đây là lần thử cuối cùng của mã mở khóa — nhập sai nữa thì chỉ tổ chức chứng thực mới khôi phục được",
            "This is the unblock code's final try — one more wrong code and only the certification authority can recover the token"
        ),
        PinTries::Locked => tr!(lang, "Mã mở khóa đã bị khóa", "The unblock code is now locked"),
    }
}

impl Localize for TokenError {
    fn localize(&self, lang: Lang) -> String {
        match self {
            TokenError::NoModule => tr!(lang,
                "Không tìm thấy trình điều khiển thiết bị ký số (PKCS#11). Hãy cài đặt phần mềm của nhà cung cấp chứng thư số (VNPT-CA, Viettel-CA, FPT-CA, BkavCA, Ban Cơ yếu…) hoặc dùng --module để chỉ đường dẫn tới trình điều khiển.",
                "No token driver (PKCS#11 module) found. Install your certificate provider's software or give the driver path with --module."),
            TokenError::ModuleLoad { path, reason } => tr!(lang,
                "Không nạp được trình điều khiển {} ({}). Hãy kiểm tra đường dẫn, cài lại phần mềm của nhà cung cấp, và dùng bản trình điều khiển 64-bit.",
                "Cannot load the token driver {} ({}). Check the path, reinstall the vendor software, and use the 64-bit driver.",
                path.display(), reason),
            TokenError::ModuleArchitecture { path, found, needed } => tr!(lang,
                "Trình điều khiển {} là bản {}, KýSố cần bản {}. Hãy cài bộ phần mềm token bản 64-bit của nhà cung cấp (trình điều khiển 64-bit nằm trong C:\\Windows\\System32).",
                "The token driver {} is {}; KýSố needs {}. Install the vendor's 64-bit token software (its 64-bit driver goes to C:\\Windows\\System32).",
                path.display(), found, needed),
            TokenError::DriverList { path, reason } => tr!(lang,
                "Danh sách trình điều khiển {} có lỗi: {}. Hãy sửa hoặc xóa tệp này.",
                "The driver list {} is malformed: {}. Fix or remove the file.",
                path.display(), reason),
            TokenError::NoToken => tr!(lang,
                "Không thấy thiết bị ký số (USB token). Hãy cắm thiết bị vào máy rồi thử lại.",
                "No signing token found. Plug the USB token in and try again."),
            TokenError::TokenNotFound { wanted, seen } => tr!(lang,
                "Không có thiết bị ký số nào mang nhãn \"{}\". Các thiết bị đang cắm: {}.",
                "No token is labelled \"{}\". Tokens present: {}.",
                wanted, list(seen)),
            TokenError::AmbiguousToken { wanted: Some(w), seen } => tr!(lang,
                "Có nhiều thiết bị mang nhãn \"{}\" ({}). Hãy rút bớt thiết bị rồi thử lại.",
                "Several tokens are labelled \"{}\" ({}). Unplug the others and try again.",
                w, list(seen)),
            TokenError::AmbiguousToken { wanted: None, seen } => tr!(lang,
                "Đang cắm nhiều thiết bị ký số ({}). Hãy chọn một thiết bị bằng --token NHÃN.",
                "Several tokens are present ({}). Choose one with --token LABEL.",
                list(seen)),
            TokenError::CertificateNotFound { wanted, available } if available.is_empty() => tr!(lang,
                "Không tìm thấy chứng thư số có khóa bí mật trên thiết bị ({}). Hãy kiểm tra thiết bị hoặc liên hệ nhà cung cấp chứng thư số.",
                "No certificate with its private key on the token ({}). Check the token or contact your certificate provider.",
                wanted),
            TokenError::CertificateNotFound { wanted, available } => tr!(lang,
                "Không tìm thấy chứng thư số {} trên thiết bị. Các chứng thư ký được: {}.",
                "No signing certificate {} on the token. Signing certificates: {}.",
                wanted, choices(available)),
            TokenError::AmbiguousCertificate { candidates } => tr!(lang,
                "Thiết bị có nhiều chứng thư ký số; hãy chọn một bằng --cert: {}.",
                "The token holds several signing certificates; choose one with --cert: {}.",
                choices(candidates)),
            TokenError::KeyWithoutCertificate { id } => tr!(lang,
                "Khóa {} trên thiết bị chưa có chứng thư số nên không dùng để ký được. Hãy nạp chứng thư số cho khóa này hoặc chọn chứng thư khác.",
                "Key {} on the token has no certificate and cannot sign. Write its certificate to the token or choose another one.",
                id),
            TokenError::BadCertificate { id, reason } => tr!(lang,
                "Chứng thư số {} trên thiết bị không dùng được: {}.",
                "Certificate {} on the token cannot be used: {}.",
                id, reason),
            TokenError::PinIncorrect { tries } => tr!(lang,
                "Mã PIN không đúng. {}.",
                "Incorrect PIN. {}.",
                tries.localize(lang)),
            TokenError::PinLocked => tr!(lang,
                "Thiết bị ký số đã bị khóa do nhập sai mã PIN quá số lần cho phép. Hãy dùng mã mở khóa (PUK) hoặc liên hệ tổ chức cung cấp chứng thư số để mở khóa.",
                "The token is locked after too many wrong PINs. Unblock it with the recovery code (PUK) or contact your certification authority."),
            TokenError::PinLenRange => tr!(lang,
                "Độ dài mã PIN không hợp lệ với thiết bị này. Hãy kiểm tra lại mã PIN.",
                "The PIN length is not valid for this token. Check the PIN."),
            TokenError::PinInvalid => tr!(lang,
                "Mã PIN mới có ký tự thiết bị không chấp nhận. Hãy chọn mã PIN khác (thường chỉ gồm chữ số và chữ cái).",
                "The new PIN has characters the token does not accept. Choose another PIN (usually digits and letters only)."),
            TokenError::PinExpired => tr!(lang,
                "Mã PIN đã hết hạn. Hãy đổi mã PIN bằng phần mềm quản lý thiết bị rồi ký lại.",
                "The PIN has expired. Change it with the token manager, then sign again."),
            TokenError::PinNotInitialized => tr!(lang,
                "Thiết bị chưa được đặt mã PIN người dùng. Hãy liên hệ tổ chức cung cấp chứng thư số.",
                "The token's user PIN was never set. Contact your certification authority."),
            TokenError::LoginCancelled => tr!(lang,
                "Đã hủy nhập mã PIN trên thiết bị.",
                "PIN entry on the token was cancelled."),
            TokenError::AlreadyLoggedIn => tr!(lang,
                "Thiết bị ký số đang được dùng trong một phiên ký khác của chương trình này. Hãy đợi phiên đó kết thúc rồi thử lại.",
                "The token is in use by another signing session of this program. Wait for it to finish and try again."),
            TokenError::TokenRemoved { function, rv } => tr!(lang,
                "Mất kết nối với thiết bị ký số ({}: {}). Hãy cắm lại thiết bị rồi thử lại; tệp gốc không bị thay đổi.",
                "Lost contact with the token ({}: {}). Plug it in again and retry; the input file is unchanged.",
                function, rv),
            TokenError::MechanismUnsupported { key, detail } => tr!(lang,
                "Thiết bị không hỗ trợ cơ chế ký cần thiết cho khóa {} ({}). Hãy cập nhật trình điều khiển hoặc liên hệ nhà cung cấp.",
                "The token offers no signing mechanism for key {} ({}). Update the driver or contact the vendor.",
                key, detail),
            TokenError::SoPinIncorrect { tries } => tr!(lang,
                "Mã mở khóa (PUK/SO PIN) không đúng. {}.",
                "Incorrect unblock code (PUK/SO PIN). {}.",
                so_tries(*tries, lang)),
            TokenError::SoPinLocked => tr!(lang,
                "Mã mở khóa (PUK/SO PIN) của thiết bị cũng đã bị khóa: không thể tự mở khóa. Hãy gửi văn bản đề nghị khôi phục thiết bị tới Sở Khoa học và Công nghệ (kyso token unblock đã soạn sẵn văn bản này).",
                "The token's unblock code (PUK/SO PIN) is locked too: it cannot be unblocked here. Send the recovery request to the provincial Department of Science and Technology (kyso token unblock has written it)."),
            TokenError::PinMismatch => tr!(lang,
                "Hai lần nhập mã PIN mới không giống nhau. Hãy nhập lại.",
                "The two new PINs differ. Type them again."),
            TokenError::CertificateFile { path, reason } => tr!(lang,
                "Không đọc được chứng thư số trong tệp {}: {}. Tệp cần ở dạng .pem, .cer (DER hoặc PEM) hoặc .p7b.",
                "Cannot read a certificate from {}: {}. Use a .pem, .cer (DER or PEM) or .p7b file.",
                path.display(), reason),
            TokenError::KeyNotOnToken { subject } => tr!(lang,
                "Thiết bị không có khóa bí mật của chứng thư số \"{}\": chứng thư này không cấp cho thiết bị này. Không ghi gì lên thiết bị.",
                "The token holds no private key for the certificate \"{}\": it was not issued for this token. Nothing was written.",
                subject),
            TokenError::CertificateUntrusted { subject, reason, reason_vi } => tr!(lang,
                "Chứng thư số \"{}\" không được tổ chức chứng thực tin cậy cấp ({}). Không ghi gì lên thiết bị.",
                "The certificate \"{}\" does not chain to a trusted certification authority ({}). Nothing was written.",
                subject, if lang == Lang::Vi { reason_vi } else { reason }),
            TokenError::Pkcs11 { function, rv } => tr!(lang,
                "Thiết bị ký số báo lỗi ({}: {}). Hãy rút ra, cắm lại và thử lại.",
                "The token reported an error ({}: {}). Unplug it, plug it in again and retry.",
                function, rv),
        }
    }
}

/// A [`TokenError`] as reports carry it (the token inventory, the agent's answers):
/// its kind and its message in both languages. Serialises exactly as the error does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ReportedError {
    /// [`TokenError::kind`].
    pub kind: String,
    /// The Vietnamese message.
    pub message: String,
    /// The English message.
    pub message_en: String,
}

impl ReportedError {
    /// The message in `lang`.
    pub fn text(&self, lang: Lang) -> &str {
        match lang {
            Lang::Vi => &self.message,
            Lang::En => &self.message_en,
        }
    }
}

impl From<&TokenError> for ReportedError {
    fn from(e: &TokenError) -> ReportedError {
        ReportedError { kind: e.kind().to_owned(), message: e.localize(Lang::Vi), message_en: e.localize(Lang::En) }
    }
}

impl From<TokenError> for ReportedError {
    fn from(e: TokenError) -> ReportedError {
        ReportedError::from(&e)
    }
}

/// Serialised as `{ "kind", "message" (Vietnamese), "messageEn" }` for JSON output.
impl Serialize for TokenError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("TokenError", 3)?;
        st.serialize_field("kind", self.kind())?;
        st.serialize_field("message", &self.localize(Lang::Vi))?;
        st.serialize_field("messageEn", &self.localize(Lang::En))?;
        st.end()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn rv_names_are_pkcs11_constants() {
        assert_eq!(rv_name(RvError::GeneralError), "CKR_GENERAL_ERROR");
        assert_eq!(rv_name(RvError::PinIncorrect), "CKR_PIN_INCORRECT");
    }

    #[test]
    fn pin_messages_state_the_tries() {
        let e = TokenError::PinIncorrect { tries: PinTries::Low };
        assert!(e.localize(Lang::Vi).starts_with("Mã PIN không đúng. Còn ít lần thử"));
        let e = TokenError::PinIncorrect { tries: PinTries::FinalTry };
        assert!(e.localize(Lang::Vi).contains("lần thử cuối cùng"));
        assert_eq!(PinTries::from_flags(true, true, false), PinTries::FinalTry);
        assert_eq!(PinTries::from_flags(false, false, false), PinTries::Unknown);
    }

    #[test]
    fn codes_not_text_decide() {
        assert!(matches!(TokenError::from_rv("C_Sign", RvError::DeviceRemoved), TokenError::TokenRemoved { function: "C_Sign", .. }));
        assert!(matches!(TokenError::from_rv("C_Login", RvError::PinLocked), TokenError::PinLocked));
    }
}
