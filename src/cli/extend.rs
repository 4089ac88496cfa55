//! `kyso extend`: raise a signed PDF (ours or anyone's) to B-LT or B-LTA by
//! appending validation data and a document time-stamp; earlier bytes are kept.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use kyso::longterm::{self, SigningLevel};
use kyso::settings::Settings;
use kyso::tsa::TsaClient;
use kyso::verify::engine::VerifyOptions;
use kyso::verify::verdict::Indication;
use kyso::Lang;

/// Arguments of `kyso extend`.
#[derive(Args, Debug)]
pub struct ExtendArgs {
    /// Tệp PDF đã ký (không bị thay đổi) / the signed PDF (never modified).
    pub input: PathBuf,
    /// Tệp kết quả / the extended output.
    #[arg(short = 'o', long = "output", value_name = "OUT.pdf")]
    pub output: PathBuf,
    /// Mức cần đạt: b-lt hoặc b-lta / target level: b-lt or b-lta.
    #[arg(long, value_name = "LEVEL", value_parser = longterm::parse_level, default_value = "b-lta")]
    pub level: SigningLevel,
    /// Máy chủ dấu thời gian RFC 3161 (lặp lại được) / time-stamping authority URL (repeatable).
    #[arg(long = "tsa", value_name = "URL")]
    pub tsa: Vec<String>,
    /// Thêm chứng thư gốc tin cậy / extra trust anchors.
    #[arg(long = "trust", value_name = "PEM|DIR")]
    pub trust: Vec<PathBuf>,
    /// Tệp CRL / CRL files.
    #[arg(long = "crl", value_name = "FILE")]
    pub crls: Vec<PathBuf>,
    /// Ghi đè tệp kết quả đã có / overwrite an existing output.
    #[arg(long)]
    pub force: bool,
    /// In kết quả dạng JSON (báo cáo kiểm tra của tệp kết quả) / print the output's verification report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Run `kyso extend`.
pub fn run(args: ExtendArgs, lang: Lang) -> Result<ExitCode, kyso::Error> {
    if args.level < SigningLevel::BLt {
        return Err(kyso::error::UsageError::InvalidArgument { option: "--level".into(), value: args.level.as_str().into() }.into());
    }
    let tsa = if args.tsa.is_empty() { Settings::load()?.tsa } else { args.tsa.clone() };
    let (mut opts, warnings) = VerifyOptions::new(&args.trust);
    for w in warnings {
        eprintln!("{}", kyso::tr!(lang, "Cảnh báo: {}", "Warning: {}", w));
    }
    opts.crl_files = args.crls.clone();
    let report = longterm::extend_file(&args.input, &args.output, args.force, args.level, &TsaClient::new(tsa), &opts)?;
    if args.json {
        let doc = serde_json::json!({ "schemaVersion": kyso::verify::engine::SCHEMA_VERSION, "files": [report] });
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".into()));
    } else {
        println!("{}", kyso::tr!(lang, "Đã nâng lên mức {}: {}", "Extended to {}: {}", args.level.label(), args.output.display()));
        print!("{}", super::verify::render(&report, lang));
    }
    Ok(ExitCode::from(match report.indication {
        Indication::TotalPassed => 0,
        Indication::TotalFailed => 1,
        Indication::Indeterminate => 2,
    }))
}
