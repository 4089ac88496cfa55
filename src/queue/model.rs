//! The queue's data: roles, statuses, the transitions allowed between them, and the
//! records the desktop app and the CLI read (`Doc` and `HistoryEntry` in
//! `docs/desktop-commands.md`).

use std::path::PathBuf;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::i18n::Lang;
use crate::queue::QueueError;

/// Why a document is in the queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum DocRole {
    /// A draft a leader signs with a personal certificate.
    Sign,
    /// A signed draft the clerk numbers and seals with the agency certificate, then releases.
    Seal,
    /// A signed document received from outside, to check and then register or reject.
    Incoming,
}

impl DocRole {
    /// Every role, in report order.
    pub const ALL: [DocRole; 3] = [DocRole::Sign, DocRole::Seal, DocRole::Incoming];

    /// The stored and serialized name: `sign`, `seal`, `incoming`.
    pub fn as_str(self) -> &'static str {
        match self {
            DocRole::Sign => "sign",
            DocRole::Seal => "seal",
            DocRole::Incoming => "incoming",
        }
    }

    /// A name for people, in `lang`.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            DocRole::Sign => lang.pick("ký duyệt (cá nhân)", "personal signature"),
            DocRole::Seal => lang.pick("ký số cơ quan (văn thư)", "agency signature (clerk)"),
            DocRole::Incoming => lang.pick("văn bản đến", "incoming"),
        }
    }
}

impl std::fmt::Display for DocRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DocRole {
    type Err = QueueError;
    fn from_str(s: &str) -> Result<Self, QueueError> {
        DocRole::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| QueueError::InvalidArgument { what: "role", value: s.to_owned() })
    }
}

/// Where a document is in its workflow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum DocStatus {
    /// Waiting for its step (signing, sealing or checking).
    Pending,
    /// Signed by a person (role `sign`); may go on to the clerk's seal.
    Signed,
    /// Numbered and sealed by the agency (role `seal`, or a role `sign` draft the
    /// leader signed on this machine), not yet released.
    Sealed,
    /// Sealed and released; the file is in the archive (finished).
    Released,
    /// Incoming, every signature valid: may be registered.
    Valid,
    /// Incoming, a signature is invalid: must be rejected.
    Invalid,
    /// Incoming, the check could not conclude: must be rejected or checked again.
    Indeterminate,
    /// Incoming, registered; the file is in the archive (finished).
    Registered,
    /// Incoming, rejected with a notice to the sender; the file is kept (finished).
    Rejected,
}

impl DocStatus {
    /// Every status.
    pub const ALL: [DocStatus; 9] = [
        DocStatus::Pending,
        DocStatus::Signed,
        DocStatus::Sealed,
        DocStatus::Released,
        DocStatus::Valid,
        DocStatus::Invalid,
        DocStatus::Indeterminate,
        DocStatus::Registered,
        DocStatus::Rejected,
    ];

    /// The stored and serialized name (snake_case).
    pub fn as_str(self) -> &'static str {
        match self {
            DocStatus::Pending => "pending",
            DocStatus::Signed => "signed",
            DocStatus::Sealed => "sealed",
            DocStatus::Released => "released",
            DocStatus::Valid => "valid",
            DocStatus::Invalid => "invalid",
            DocStatus::Indeterminate => "indeterminate",
            DocStatus::Registered => "registered",
            DocStatus::Rejected => "rejected",
        }
    }

    /// A name for people, in `lang`.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            DocStatus::Pending => lang.pick("chờ xử lý", "pending"),
            DocStatus::Signed => lang.pick("đã ký", "signed"),
            DocStatus::Sealed => lang.pick("đã ký số cơ quan", "sealed"),
            DocStatus::Released => lang.pick("đã phát hành", "released"),
            DocStatus::Valid => lang.pick("hợp lệ", "valid"),
            DocStatus::Invalid => lang.pick("không hợp lệ", "invalid"),
            DocStatus::Indeterminate => lang.pick("chưa xác định", "indeterminate"),
            DocStatus::Registered => lang.pick("đã vào sổ", "registered"),
            DocStatus::Rejected => lang.pick("đã từ chối", "rejected"),
        }
    }

    /// Whether a document of `role` in this status has finished its workflow
    /// (adding its file again then makes a new document).
    pub fn is_finished(self, role: DocRole) -> bool {
        matches!(
            (role, self),
            (DocRole::Sign | DocRole::Seal, DocStatus::Released) | (DocRole::Incoming, DocStatus::Registered | DocStatus::Rejected)
        )
    }
}

impl std::fmt::Display for DocStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DocStatus {
    type Err = QueueError;
    fn from_str(s: &str) -> Result<Self, QueueError> {
        DocStatus::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| QueueError::InvalidArgument { what: "status", value: s.to_owned() })
    }
}

/// A step that changes a document's status (checked by [`Action::next`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// A leader's personal signature (role `sign`, pending → signed).
    Sign,
    /// The agency signature (role `seal`, pending → sealed).
    Seal,
    /// Recording a check (role `incoming`, pending/valid/invalid/indeterminate → result).
    Verify,
    /// Releasing (role `seal`, sealed → released).
    Release,
    /// Registering (role `incoming`, valid → registered).
    Register,
    /// Rejecting (role `incoming`, invalid/indeterminate → rejected).
    Reject,
    /// The agency's incoming stamp on a checked document (role `incoming`, valid → valid;
    /// the e-office bridge's `SignIncome`).
    Stamp,
}

impl Action {
    /// A verb for people, in `lang`.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Action::Sign => lang.pick("ghi nhận chữ ký cho", "record a signature on"),
            Action::Seal => lang.pick("ghi nhận ký số cơ quan cho", "record the agency signature on"),
            Action::Verify => lang.pick("ghi kết quả kiểm tra cho", "record a check of"),
            Action::Release => lang.pick("phát hành", "release"),
            Action::Register => lang.pick("vào sổ", "register"),
            Action::Reject => lang.pick("từ chối", "reject"),
            Action::Stamp => lang.pick("ký dấu đến cho", "stamp as received"),
        }
    }

    /// The status a document of `role` in `status` moves to, `result` being the
    /// outcome of a check for [`Action::Verify`]; `None` when the step is not allowed.
    pub fn next(self, role: DocRole, status: DocStatus, result: Option<DocStatus>) -> Option<DocStatus> {
        use DocStatus::*;
        match (self, role, status) {
            (Action::Sign, DocRole::Sign, Pending) => Some(Signed),
            (Action::Seal, DocRole::Seal, Pending) => Some(Sealed),
            // A draft the leader signed on this machine goes on to the clerk as it is.
            (Action::Seal, DocRole::Sign, Signed) => Some(Sealed),
            (Action::Release, DocRole::Seal | DocRole::Sign, Sealed) => Some(Released),
            (Action::Verify, DocRole::Incoming, Pending | Valid | Invalid | Indeterminate) => {
                result.filter(|r| matches!(r, Valid | Invalid | Indeterminate))
            }
            (Action::Register, DocRole::Incoming, Valid) => Some(Registered),
            (Action::Reject, DocRole::Incoming, Invalid | Indeterminate) => Some(Rejected),
            (Action::Stamp, DocRole::Incoming, Valid) => Some(Valid),
            _ => None,
        }
    }
}

/// One document in the queue or the archive (`Doc` in `docs/desktop-commands.md`).
#[derive(Serialize, Clone, Debug, PartialEq, Eq, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    /// Row id.
    pub id: i64,
    /// Why it is in the queue.
    pub role: DocRole,
    /// Where it is in its workflow.
    pub status: DocStatus,
    /// A title for people (the file stem until a clerk gives one).
    pub title: Option<String>,
    /// The original file's name.
    pub file_name: String,
    /// The file as added (canonical path).
    pub source_path: String,
    /// The newest file: the signed or sealed output once there is one.
    pub current_path: String,
    /// SHA-256 (hex) of `current_path` as recorded.
    pub sha256: String,
    /// Number and symbol, e.g. `12/QĐ-UBND`.
    pub doc_number: Option<String>,
    /// Document date, `YYYY-MM-DD`.
    pub doc_date: Option<String>,
    /// Signers, `; `-separated.
    pub signers: Option<String>,
    /// The verifier's indication (`TOTAL_PASSED`, `TOTAL_FAILED`, `INDETERMINATE`).
    pub verdict: Option<String>,
    /// The verifier's reason, in Vietnamese.
    pub verdict_reason: Option<String>,
    /// The archived copy (absolute path) once released or registered.
    pub archive_path: Option<String>,
    /// When it was added (ISO 8601, +07:00).
    pub created_at: String,
    /// When its record last changed (ISO 8601, +07:00).
    pub updated_at: String,
}

/// One event in a document's history (`HistoryEntry` in `docs/desktop-commands.md`).
#[derive(Serialize, Clone, Debug, PartialEq, Eq, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    /// When (ISO 8601, +07:00).
    pub at: String,
    /// What happened: `added`, `signed`, `sealed`, `verified`, `released`,
    /// `registered`, `rejected`, `rehashed`, or a failure named by the caller.
    pub action: String,
    /// Who (the signer's name), if known.
    pub actor: Option<String>,
    /// The signing certificate's serial number (hex), if any.
    pub cert_serial: Option<String>,
    /// SHA-256 of the file before the step.
    pub sha256_before: Option<String>,
    /// SHA-256 of the file after the step.
    pub sha256_after: Option<String>,
    /// Anything else: the output or archive path, the reason of a failure, the notice.
    pub detail: Option<String>,
    /// The status the document entered with this event (`None`: unchanged).
    pub status: Option<DocStatus>,
}

/// A signature made on a queued document, to record with [`crate::queue::Queue::record_signed`].
#[derive(Clone, Debug)]
pub struct SignedRecord {
    /// The signed file (beside the input, e.g. `NAME.signed.pdf`).
    pub output: PathBuf,
    /// [`DocStatus::Signed`] (role `sign`) or [`DocStatus::Sealed`] (role `seal`).
    pub status: DocStatus,
    /// Who signed (the certificate's common name); appended to the signers.
    pub actor: Option<String>,
    /// The certificate's serial number (hex).
    pub cert_serial: Option<String>,
    /// SHA-256 of the file that was signed.
    pub sha256_before: String,
    /// SHA-256 of `output`; checked against the file before anything is recorded.
    pub sha256_after: String,
    /// The number and symbol the clerk filled in (role `seal`).
    pub doc_number: Option<String>,
    /// The date the clerk filled in, `YYYY-MM-DD`.
    pub doc_date: Option<String>,
    /// The history action, e.g. `signed`, `sealed`; empty means the status's name.
    pub action: String,
    /// The check of the signing certificate made before signing (JSON of
    /// [`crate::longterm::CheckRecord`]), kept as its own history row.
    pub certificate_check: Option<String>,
}

/// The result of checking an incoming document, to record with
/// [`crate::queue::Queue::record_verified`].
#[derive(Clone, Debug)]
pub struct VerifiedRecord {
    /// [`DocStatus::Valid`], [`DocStatus::Invalid`] or [`DocStatus::Indeterminate`].
    pub status: DocStatus,
    /// The verifier's indication, e.g. `TOTAL_PASSED`.
    pub verdict: String,
    /// The reason, in Vietnamese.
    pub reason: Option<String>,
    /// The signers found, `; `-separated.
    pub signers: Option<String>,
    /// SHA-256 of the bytes that were checked, when the caller hashed them (a staged
    /// copy): recorded as the document's hash, so a later step can insist on them.
    pub sha256: Option<String>,
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for r in DocRole::ALL {
            assert_eq!(r.as_str().parse::<DocRole>().ok(), Some(r));
            assert_eq!(serde_json::to_string(&r).ok(), Some(format!("\"{}\"", r.as_str())));
        }
        for s in DocStatus::ALL {
            assert_eq!(s.as_str().parse::<DocStatus>().ok(), Some(s));
            assert_eq!(serde_json::to_string(&s).ok(), Some(format!("\"{}\"", s.as_str())));
        }
        assert!("Signed".parse::<DocStatus>().is_err());
    }

    #[test]
    fn transitions() {
        use DocStatus::*;
        assert_eq!(Action::Sign.next(DocRole::Sign, Pending, None), Some(Signed));
        assert_eq!(Action::Sign.next(DocRole::Seal, Pending, None), None);
        assert_eq!(Action::Seal.next(DocRole::Seal, Sealed, None), None);
        assert_eq!(Action::Release.next(DocRole::Seal, Sealed, None), Some(Released));
        assert_eq!(Action::Release.next(DocRole::Seal, Pending, None), None);
        assert_eq!(Action::Verify.next(DocRole::Incoming, Invalid, Some(Valid)), Some(Valid));
        assert_eq!(Action::Verify.next(DocRole::Incoming, Pending, Some(Signed)), None);
        assert_eq!(Action::Verify.next(DocRole::Incoming, Registered, Some(Valid)), None);
        assert_eq!(Action::Register.next(DocRole::Incoming, Invalid, None), None);
        assert_eq!(Action::Register.next(DocRole::Incoming, Valid, None), Some(Registered));
        assert_eq!(Action::Reject.next(DocRole::Incoming, Valid, None), None);
        assert_eq!(Action::Reject.next(DocRole::Incoming, Indeterminate, None), Some(Rejected));
    }
}
