//! What a failed command gives the web page: a stable code and a one-line message
//! in each language (made by the core; the shell adds nothing).

use serde::Serialize;

/// The rejection value of every command (`docs/desktop-commands.md`): the core's
/// [`kyso::agent::AgentErrorBody`] `{ kind, vi, en, pinTries, detail? }`.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct AppError(pub kyso::agent::protocol::AgentErrorBody);

impl From<kyso::Error> for AppError {
    fn from(e: kyso::Error) -> Self {
        AppError(kyso::agent::protocol::AgentErrorBody::from_error(&e))
    }
}

impl From<kyso::queue::QueueError> for AppError {
    fn from(e: kyso::queue::QueueError) -> Self {
        kyso::Error::from(e).into()
    }
}

impl From<kyso::office::OfficeError> for AppError {
    fn from(e: kyso::office::OfficeError) -> Self {
        kyso::Error::from(e).into()
    }
}

impl AppError {
    /// An error of the shell's own, with its kind.
    pub fn new(kind: &str, vi: &str, en: &str) -> Self {
        AppError(kyso::agent::protocol::AgentErrorBody::new(kind, vi.to_owned(), en.to_owned()))
    }

    /// A failure of the shell itself (a worker thread died, a dialog failed).
    pub fn internal(vi: &str, en: &str) -> Self {
        AppError::new("internal", vi, en)
    }
}

/// What every command returns.
pub type CmdResult<T> = Result<T, AppError>;
