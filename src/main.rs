//! The `kyso` command-line tool: a thin layer over the `kyso` library.
//!
//! Every failure ends with exit status 1 (2 for unusable arguments) and one line
//! on standard error saying what went wrong and what to do, in Vietnamese unless
//! `--lang en` is given.
#![forbid(unsafe_code)]

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = match cli::Cli::try_parse() {
        Ok(a) => a,
        Err(e) => {
            // Help and version go to stdout with status 0; usage errors exit 3
            // (`kyso verify` uses 1 and 2 for invalid and indeterminate files).
            let code = if e.use_stderr() { 3 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    cli::run(args)
}
