//! `kyso agent`: serve token requests over stdin/stdout (used by the desktop app);
//! the protocol is in `docs/agent-protocol.md`.

use std::process::ExitCode;

use clap::Args;
use kyso::error::OutputError;
use kyso::Lang;

/// Arguments of `kyso agent`.
#[derive(Args, Debug)]
pub struct AgentArgs {}

/// Run `kyso agent` until its input ends or a `shutdown` request.
pub fn run(_args: AgentArgs, _lang: Lang) -> Result<ExitCode, kyso::Error> {
    kyso::agent::serve_stdio().map_err(|source| OutputError::ReadInput { path: "<stdin>".into(), source })?;
    Ok(ExitCode::SUCCESS)
}
