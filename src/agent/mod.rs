//! Agent mode: token access in a separate process, spoken to over stdin/stdout
//! (one JSON object per line), so a crashing or hanging vendor driver costs an
//! error message, never the caller.
//!
//! * [`protocol`]: [`Request`], [`Op`], [`Response`], [`AgentErrorBody`] and the
//!   [`SecretPin`] that carries a PIN (the format is in `docs/agent-protocol.md`);
//! * `server`: [`serve`], the loop the agent process runs (`kyso agent`, or the
//!   desktop app's own executable started with `--agent`);
//! * `client`: [`AgentClient`], which starts the agent, sends requests with a time
//!   limit, and restarts it after a crash or a time-out ([`AgentError`]).
//!
//! One `login` opens a session (a logged-in [`crate::token::TokenSigner`]) that signs
//! any number of documents, which is how the clerk's batch uses one PIN. Every `sign`
//! runs [`crate::job::check_job`] first, so a bad document never reaches the token.

mod client;
pub mod protocol;
mod server;

pub use client::{AgentClient, AgentError, ImportCert, Login};
pub use protocol::{
    AgentErrorBody, HelloResult, LoginResult, LogoutResult, NameConflict, Op, Request, Response, SecretPin, SignResult, SignerSummary,
    PROTOCOL_VERSION,
};
pub use server::{serve, serve_stdio};
