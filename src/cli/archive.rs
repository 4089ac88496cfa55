//! `kyso archive`: check, export and search the queue's archive.

use std::process::ExitCode;

use clap::Args;
use kyso::Lang;

/// Arguments of `kyso archive`.
#[derive(Args, Debug)]
pub struct ArchiveArgs {}

/// Run `kyso archive`.
pub fn run(_args: ArchiveArgs, _lang: Lang) -> Result<ExitCode, kyso::Error> {
    Ok(ExitCode::SUCCESS)
}
