//! The `kyso` command-line tool: a thin layer over the `kyso` library.
//!
//! Every failure ends with exit status 1 (3 for unusable arguments) and one line
//! on standard error saying what went wrong and what to do, in Vietnamese unless
//! `--lang en` is given.
#![forbid(unsafe_code)]

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let raw: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let args = match cli::Cli::try_parse_from(&raw) {
        Ok(a) => a,
        // Help and version go to stdout with status 0.
        Err(e) if !e.use_stderr() => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        // Usage errors: one line, exit 3 (`kyso verify` uses 1 and 2 for invalid and
        // indeterminate files).
        Err(e) => {
            eprintln!("{}", cli::usage::one_line(&e, cli::usage::lang_of(&raw)));
            return ExitCode::from(cli::usage::EXIT_USAGE);
        }
    };
    cli::run(args)
}
