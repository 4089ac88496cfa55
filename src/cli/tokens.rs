//! `kyso tokens`: list PKCS#11 drivers, tokens and their certificates.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use kyso::token;
use kyso::Lang;

/// Arguments of `kyso tokens`.
#[derive(Args, Debug)]
pub struct TokensArgs {
    /// Đường dẫn trình điều khiển PKCS#11 / PKCS#11 module path (repeatable).
    #[arg(long = "module", value_name = "PATH")]
    pub modules: Vec<PathBuf>,
    /// In kết quả dạng JSON / print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Run `kyso tokens`.
pub fn run(args: TokensArgs, lang: Lang) -> Result<ExitCode, kyso::Error> {
    let inv = token::list_tokens(&args.modules);
    if args.json {
        let text = serde_json::to_string_pretty(&inv).unwrap_or_else(|_| "{}".into());
        println!("{text}");
    } else {
        print!("{}", token::render_inventory_text(&inv, lang));
    }
    match inv.problem() {
        Some(e) => Err(e.into()),
        None => Ok(ExitCode::SUCCESS),
    }
}
