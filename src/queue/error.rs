//! The queue's one error type: database, files on disk, and refused steps kept apart
//! so the desktop app can tell "not allowed now" from "the disk failed".

use std::path::PathBuf;

use crate::i18n::{Lang, Localize};
use crate::queue::model::{Action, DocRole, DocStatus};
use crate::tr;

/// Everything the queue and the archive can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum QueueError {
    /// SQLite refused or failed (locked by another program, disk full, damaged file…).
    #[error("queue database {path}: {source}")]
    Db {
        /// The database file.
        path: PathBuf,
        /// The SQLite error.
        source: rusqlite::Error,
    },
    /// Another program (a second KýSố window, a `kyso archive` command) held the
    /// database locked for longer than the wait allows; nothing was changed.
    #[error("queue database {path} is busy (locked by another program)")]
    Busy {
        /// The database file.
        path: PathBuf,
    },
    /// Reading or writing a file or folder failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// No document has this id.
    #[error("no document #{0}")]
    NotFound(i64),
    /// The step is not allowed for the document's role and current status.
    #[error("cannot {action:?} document #{id} ({role:?}, {status:?})")]
    Transition {
        /// The document.
        id: i64,
        /// What was asked.
        action: Action,
        /// The document's role.
        role: DocRole,
        /// The document's current status.
        status: DocStatus,
    },
    /// A file's bytes are not those the queue recorded (changed on disk, or the
    /// caller's hash is wrong); nothing was recorded.
    #[error("{path}: SHA-256 {actual}, expected {expected}")]
    HashMismatch {
        /// The file.
        path: PathBuf,
        /// The hash the queue expected.
        expected: String,
        /// The hash of the file as it is now.
        actual: String,
    },
    /// A date is not `YYYY-MM-DD`.
    #[error("invalid date {0:?} (expected YYYY-MM-DD)")]
    InvalidDate(String),
    /// An argument has a value the queue cannot use (e.g. `Pending` as a signing result).
    #[error("invalid {what}: {value}")]
    InvalidArgument {
        /// Which argument.
        what: &'static str,
        /// The rejected value.
        value: String,
    },
    /// The database was written by a newer KýSố whose schema this one does not know.
    #[error("database schema version {found} is newer than {supported}")]
    SchemaTooNew {
        /// `PRAGMA user_version` found.
        found: i64,
        /// The newest version this build knows.
        supported: i64,
    },
    /// An archived file no longer has the bytes it was archived with.
    #[error("archived file {path} is damaged")]
    ArchiveCorrupt {
        /// The archived file.
        path: PathBuf,
    },
    /// A path stored in the database is not an archive path (`archive/ab/<sha256>.pdf`
    /// of the recorded hash): a damaged or tampered database, never followed.
    #[error("stored archive path {rel:?} is not valid")]
    InvalidArchivePath {
        /// The stored value.
        rel: String,
    },
    /// The folder holds no KýSố archive (no `kyso.sqlite3`); nothing was created.
    #[error("{dir} holds no archive")]
    NoArchive {
        /// The folder.
        dir: PathBuf,
    },
}

impl QueueError {
    /// A stable machine-readable kind for JSON output and the desktop app.
    pub fn kind(&self) -> &'static str {
        match self {
            QueueError::Db { .. } => "queue_database",
            QueueError::Busy { .. } => "queue_busy",
            QueueError::Io { .. } => "queue_io",
            QueueError::NotFound(_) => "not_found",
            QueueError::Transition { .. } => "invalid_transition",
            QueueError::HashMismatch { .. } => "file_changed",
            QueueError::InvalidDate(_) => "invalid_date",
            QueueError::InvalidArgument { .. } => "invalid_argument",
            QueueError::SchemaTooNew { .. } => "schema_too_new",
            QueueError::ArchiveCorrupt { .. } => "archive_corrupt",
            QueueError::InvalidArchivePath { .. } => "archive_path_invalid",
            QueueError::NoArchive { .. } => "no_archive",
        }
    }

    /// A SQLite error on the database at `path`: [`QueueError::Busy`] when the file
    /// stayed locked by another connection, [`QueueError::Db`] otherwise.
    pub(crate) fn db(path: PathBuf, source: rusqlite::Error) -> QueueError {
        match source.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => QueueError::Busy { path },
            _ => QueueError::Db { path, source },
        }
    }

    /// Wrap an I/O error with its path.
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> QueueError {
        let path = path.into();
        move |source| QueueError::Io { path, source }
    }
}

impl Localize for QueueError {
    fn localize(&self, lang: Lang) -> String {
        match self {
            QueueError::Db { path, source } => tr!(lang,
                "Lỗi cơ sở dữ liệu hàng đợi {}: {}. Hãy đóng các cửa sổ KýSố khác, kiểm tra dung lượng đĩa rồi thử lại; chạy \"kyso archive check\" để kiểm tra.",
                "Queue database error {}: {}. Close other KýSố windows, check free disk space and try again; run \"kyso archive check\" to check it.",
                path.display(), source),
            QueueError::Busy { path } => tr!(lang,
                "Sổ văn bản {} đang được một cửa sổ KýSố khác hoặc lệnh kyso khác dùng; chưa có gì thay đổi. Hãy thử lại sau giây lát.",
                "The document register {} is in use by another KýSố window or kyso command; nothing was changed. Try again in a moment.",
                path.display()),
            QueueError::Io { path, source } => tr!(lang,
                "Không đọc/ghi được {}: {}. Hãy kiểm tra đường dẫn, quyền truy cập và dung lượng đĩa.",
                "Cannot read or write {}: {}. Check the path, permissions and free disk space.",
                path.display(), source),
            QueueError::NotFound(id) => tr!(lang,
                "Không có văn bản số {} trong hàng đợi.",
                "There is no document #{} in the queue.",
                id),
            QueueError::Transition { id, action, role, status } => tr!(lang,
                "Không thể {} văn bản #{} ({}): trạng thái hiện tại là \"{}\".{}",
                "Cannot {} document #{} ({}): its status is \"{}\".{}",
                action.label(lang), id, role.label(lang), status.label(lang), transition_hint(*action, *status, lang)),
            QueueError::HashMismatch { path, expected, actual } => tr!(lang,
                "Tệp {} đã bị thay đổi: SHA-256 hiện là {}, trong khi hàng đợi ghi {}. Không có gì được ghi nhận; hãy kiểm tra lại tệp.",
                "The file {} has changed: its SHA-256 is now {}, the queue recorded {}. Nothing was recorded; check the file.",
                path.display(), actual, expected),
            QueueError::InvalidDate(d) => tr!(lang,
                "Ngày không hợp lệ: \"{}\". Hãy nhập theo dạng NĂM-THÁNG-NGÀY, ví dụ 2026-11-22.",
                "Invalid date \"{}\". Use YEAR-MONTH-DAY, e.g. 2026-11-22.",
                d),
            QueueError::InvalidArgument { what, value } => tr!(lang,
                "Giá trị không hợp lệ cho {}: {}.",
                "Invalid value for {}: {}.",
                what, value),
            QueueError::SchemaTooNew { found, supported } => tr!(lang,
                "Cơ sở dữ liệu do phiên bản KýSố mới hơn tạo (lược đồ {}, phiên bản này hỗ trợ đến {}). Hãy cập nhật KýSố; dữ liệu không bị thay đổi.",
                "The database was written by a newer KýSố (schema {}, this version knows up to {}). Update KýSố; nothing was changed.",
                found, supported),
            QueueError::ArchiveCorrupt { path } => tr!(lang,
                "Tệp lưu trữ {} đã bị hỏng (nội dung khác bản gốc). Hãy chạy \"kyso archive check\" và khôi phục từ bản sao lưu.",
                "The archived file {} is damaged (its bytes differ from the original). Run \"kyso archive check\" and restore it from a backup.",
                path.display()),
            QueueError::InvalidArchivePath { rel } => tr!(lang,
                "Cơ sở dữ liệu ghi một đường dẫn lưu trữ không hợp lệ ({}); KýSố không dùng nó. Hãy khôi phục cơ sở dữ liệu từ bản sao lưu.",
                "The database records an invalid archive path ({}); KýSố does not follow it. Restore the database from a backup.",
                rel),
            QueueError::NoArchive { dir } => tr!(lang,
                "Thư mục {} không chứa kho lưu trữ KýSố (không có kyso.sqlite3). Hãy kiểm tra lại --data-dir; không có gì được tạo.",
                "{} holds no KýSố archive (no kyso.sqlite3). Check --data-dir; nothing was created.",
                dir.display()),
        }
    }
}

/// A second sentence saying what would make the step possible.
fn transition_hint(action: Action, status: DocStatus, lang: Lang) -> String {
    match (action, status) {
        (Action::Register, DocStatus::Invalid | DocStatus::Indeterminate) => tr!(
            lang,
            " Văn bản không hợp lệ hoặc chưa xác định được thì không được vào sổ; hãy từ chối và gửi thông báo cho nơi gửi.",
            " A document that is invalid or indeterminate cannot be registered; reject it and send the notice to the sender."
        ),
        (Action::Register, DocStatus::Pending) => {
            tr!(lang, " Hãy kiểm tra chữ ký số trước khi vào sổ.", " Verify its signatures before registering it.")
        }
        (Action::Reject, DocStatus::Valid) => {
            tr!(lang, " Văn bản hợp lệ không bị từ chối; hãy vào sổ.", " A valid document is not rejected; register it.")
        }
        (Action::Release, DocStatus::Pending) => {
            tr!(lang, " Hãy ký số cơ quan (đóng dấu) trước khi phát hành.", " Apply the agency signature (seal) before releasing it.")
        }
        _ => String::new(),
    }
}
