//! The crate's one error type, with a typed sub-error per domain.
//!
//! API misuse, malformed input, token events and output failures are kept apart
//! so the CLI and the desktop app can act on each (ask for the PIN again, tell the
//! user to plug the token in, refuse a file) rather than print a string.

use std::path::PathBuf;

use crate::i18n::{Lang, Localize};
use crate::tr;

/// Every error the KýSố core can return.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A PKCS#11 token or its driver failed, or refused (wrong PIN, locked, removed…).
    #[error(transparent)]
    Token(#[from] crate::token::TokenError),
    /// The input PDF is malformed, unsupported, or hostile.
    #[error(transparent)]
    Pdf(#[from] crate::pdf::PdfError),
    /// Building or parsing a CMS structure or certificate failed.
    #[error(transparent)]
    Cms(#[from] crate::cms::CmsError),
    /// A software identity (PKCS#12 file, demo identity) could not be used.
    #[error(transparent)]
    Identity(#[from] crate::identity::IdentityError),
    /// Reading the input or writing the output failed.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// A workflow rule refuses the step (e.g. sealing over an invalid signature).
    #[error(transparent)]
    Workflow(#[from] crate::workflow::SealRefusal),
    /// A personal signature under another person's name, or an agency certificate
    /// in a `KT.`/`TL.`/`TUQ.` block (the right signer for the block).
    #[error(transparent)]
    SignerName(#[from] crate::stamp::signer_check::SignerNameRefusal),
    /// The document's text could not be read to place a visible signature.
    #[error(transparent)]
    Stamp(#[from] crate::stamp::text::StampError),
    /// The caller asked for something that cannot be done (not caused by file contents).
    #[error(transparent)]
    Usage(#[from] UsageError),
    /// A signature or seal image could not be prepared.
    #[error(transparent)]
    Image(#[from] crate::stamp::image::ImageError),
    /// The token helper process failed, or answered with an error.
    #[error(transparent)]
    Agent(#[from] crate::agent::AgentError),
    /// The queue or the archive failed, or refused a step (e.g. registering an invalid document).
    #[error(transparent)]
    Queue(#[from] crate::queue::QueueError),
    /// The desktop's document flow refused a step (a file it was not given, a cancelled PIN…).
    #[error(transparent)]
    Office(#[from] crate::office::OfficeError),
    /// A long-term signing step was refused (certificate checked before signing,
    /// time-stamping authority, validation data).
    #[error(transparent)]
    LongTerm(#[from] crate::longterm::LongTermError),
    /// The e-office bridge refused or failed a call.
    #[error(transparent)]
    Bridge(#[from] crate::bridge::BridgeError),
    /// The office's settings file could not be used.
    #[error(transparent)]
    Settings(#[from] crate::settings::SettingsError),
}

/// Failures reading inputs or producing outputs on disk.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutputError {
    /// The input file could not be opened or read.
    #[error("cannot read {path}: {source}")]
    ReadInput {
        /// The input path.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// The output could not be written (directory not writable, disk full…).
    #[error("cannot write {path}: {source}")]
    WriteOutput {
        /// The destination path.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// The output already exists and overwriting was not allowed.
    #[error("output {0} already exists")]
    OutputExists(PathBuf),
    /// The output path names the input file.
    #[error("output {0} is the input file")]
    OutputIsInput(PathBuf),
    /// The output exists and another program has it open, so it cannot be replaced
    /// (Windows: a PDF reader showing it); nothing was changed.
    #[error("output {0} is open in another program")]
    OutputInUse(PathBuf),
}

impl OutputError {
    /// The error of writing `path` through [`crate::atomic`]: it exists (no-clobber),
    /// another program has it open ([`std::io::ErrorKind::ResourceBusy`]), or another
    /// write failure.
    pub fn from_write(path: &std::path::Path, e: std::io::Error) -> OutputError {
        match e.kind() {
            std::io::ErrorKind::AlreadyExists => OutputError::OutputExists(path.to_owned()),
            std::io::ErrorKind::ResourceBusy => OutputError::OutputInUse(path.to_owned()),
            _ => OutputError::WriteOutput { path: path.to_owned(), source: e },
        }
    }
}

/// Requests that cannot be carried out whatever the files contain.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UsageError {
    /// No PIN was supplied through `KYSO_PIN` or standard input.
    #[error("no PIN given")]
    NoPin,
    /// An argument has an invalid value.
    #[error("invalid value for {option}: {value}")]
    InvalidArgument {
        /// The option name, e.g. `--cert`.
        option: String,
        /// The rejected value.
        value: String,
    },
    /// Options that cannot be used together.
    #[error("{0}")]
    Conflict(String),
}

impl Localize for OutputError {
    fn localize(&self, lang: Lang) -> String {
        match self {
            OutputError::ReadInput { path, source } => tr!(
                lang,
                "Không đọc được tệp {}: {}. Hãy kiểm tra đường dẫn và quyền đọc.",
                "Cannot read {}: {}. Check the path and read permission.",
                path.display(),
                source
            ),
            OutputError::WriteOutput { path, source } => tr!(
                lang,
                "Không ghi được tệp kết quả {}: {}. Tệp gốc không bị thay đổi; hãy chọn thư mục khác có quyền ghi và đủ dung lượng.",
                "Cannot write the output {}: {}. The input is unchanged; choose another folder with write permission and free space.",
                path.display(),
                source
            ),
            OutputError::OutputExists(p) => tr!(
                lang,
                "Tệp kết quả {} đã tồn tại. Hãy chọn tên khác hoặc dùng --force để ghi đè.",
                "Output {} already exists. Choose another name or use --force to overwrite.",
                p.display()
            ),
            OutputError::OutputIsInput(p) => tr!(
                lang,
                "Tệp kết quả trùng với tệp gốc {}. KýSố không bao giờ ghi đè tệp gốc; hãy chọn tên khác.",
                "The output is the input file {}. KýSố never overwrites its input; choose another name.",
                p.display()
            ),
            OutputError::OutputInUse(p) => tr!(
                lang,
                "Tệp {} đang được mở trong chương trình khác (ví dụ trình đọc PDF) nên không thay được. Hãy đóng tệp đó rồi thử lại; chưa có gì bị thay đổi.",
                "The file {} is open in another program (a PDF reader?) and cannot be replaced. Close it and try again; nothing was changed.",
                p.display()
            ),
        }
    }
}

impl Localize for UsageError {
    fn localize(&self, lang: Lang) -> String {
        match self {
            UsageError::NoPin => tr!(
                lang,
                "Chưa có mã PIN. Hãy đặt biến môi trường KYSO_PIN hoặc dùng --pin-stdin.",
                "No PIN given. Set KYSO_PIN or use --pin-stdin."
            ),
            UsageError::InvalidArgument { option, value } => {
                tr!(lang, "Giá trị không hợp lệ cho {}: {}.", "Invalid value for {}: {}.", option, value)
            }
            UsageError::Conflict(what) => tr!(lang, "Tham số không dùng được cùng nhau: {}.", "Options cannot be used together: {}.", what),
        }
    }
}

impl Localize for Error {
    fn localize(&self, lang: Lang) -> String {
        match self {
            Error::Token(e) => e.localize(lang),
            Error::Pdf(e) => e.localize(lang),
            Error::Cms(e) => e.localize(lang),
            Error::Identity(e) => e.localize(lang),
            Error::Output(e) => e.localize(lang),
            Error::Usage(e) => e.localize(lang),
            Error::Workflow(e) => e.localize(lang),
            Error::SignerName(e) => e.localize(lang),
            Error::Stamp(e) => e.localize(lang),
            Error::Image(e) => e.localize(lang),
            Error::Agent(e) => e.localize(lang),
            Error::Queue(e) => e.localize(lang),
            Error::Office(e) => e.localize(lang),
            Error::LongTerm(e) => e.localize(lang),
            Error::Bridge(e) => e.localize(lang),
            Error::Settings(e) => e.localize(lang),
        }
    }
}

impl Error {
    /// A stable machine-readable kind for JSON output and the desktop app
    /// (e.g. `pin_incorrect`, `pdf_malformed`).
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Token(e) => e.kind(),
            Error::Pdf(e) => e.kind(),
            Error::Cms(_) => "cms",
            Error::Identity(e) => e.kind(),
            Error::Output(OutputError::OutputExists(_)) => "output_exists",
            Error::Output(OutputError::OutputIsInput(_)) => "output_is_input",
            Error::Output(OutputError::OutputInUse(_)) => "output_in_use",
            Error::Output(OutputError::ReadInput { .. }) => "read_input",
            Error::Output(OutputError::WriteOutput { .. }) => "write_output",
            Error::Usage(_) => "usage",
            Error::Workflow(e) => e.kind(),
            Error::SignerName(e) => e.kind(),
            Error::Stamp(e) => e.kind(),
            Error::Image(e) => e.kind(),
            Error::Agent(crate::agent::AgentError::Remote(_)) => "agent_remote",
            Error::Agent(crate::agent::AgentError::Spawn { .. }) => "agent_start",
            Error::Agent(crate::agent::AgentError::TimedOut { .. }) => "agent_timeout",
            Error::Agent(crate::agent::AgentError::Crashed { .. }) => "agent_crashed",
            Error::Agent(_) => "agent_io",
            Error::Queue(e) => e.kind(),
            Error::Office(e) => e.kind(),
            Error::LongTerm(e) => e.kind(),
            Error::Bridge(e) => e.kind(),
            Error::Settings(_) => "settings",
        }
    }
}
