//! `kyso agent`: serve token requests over stdin/stdout (used by the desktop app).

use std::process::ExitCode;

use clap::Args;
use kyso::Lang;

/// Arguments of `kyso agent`.
#[derive(Args, Debug)]
pub struct AgentArgs {}

/// Run `kyso agent`.
pub fn run(_args: AgentArgs, _lang: Lang) -> Result<ExitCode, kyso::Error> {
    Ok(ExitCode::SUCCESS)
}
