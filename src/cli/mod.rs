//! Argument definitions and dispatch for the `kyso` binary.

mod agent;
mod archive;
mod bridge;
mod demo;
mod extend;
mod handover;
mod image;
mod sign;
mod token;
mod tokens;
pub mod usage;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use kyso::i18n::Localize;
use kyso::Lang;

/// KýSố — ký số và kiểm tra văn bản PDF (PAdES) cho cơ quan nhà nước.
#[derive(Parser, Debug)]
#[command(name = "kyso", version, about)]
pub struct Cli {
    /// Ngôn ngữ thông báo / message language.
    #[arg(long, global = true, value_enum, default_value = "vi")]
    pub lang: LangArg,
    #[command(subcommand)]
    pub command: Command,
}

/// Message language.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum LangArg {
    /// Tiếng Việt.
    Vi,
    /// English.
    En,
}

impl From<LangArg> for Lang {
    fn from(l: LangArg) -> Lang {
        match l {
            LangArg::Vi => Lang::Vi,
            LangArg::En => Lang::En,
        }
    }
}

/// The signer's role (R15), which also picks the default stamp template later.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    /// A person signs (leader, reviewer): personal certificate.
    Personal,
    /// The agency signs an issued document: agency certificate.
    Seal,
    /// The agency signs an electronic copy: agency certificate.
    Copy,
    /// The agency signs a separate annex: agency certificate.
    Annex,
}

/// Subcommands.
#[derive(Subcommand, Debug)]
#[allow(clippy::large_enum_variant)] // parsed once; boxing would only obscure the clap derive
pub enum Command {
    /// Liệt kê thiết bị ký số (token) và chứng thư số / list tokens and certificates.
    Tokens(tokens::TokensArgs),
    /// Vòng đời thiết bị: mở khóa, ghi chứng thư gia hạn, đổi PIN / token life cycle: unblock, renewed certificate, PIN.
    Token(token::TokenArgs),
    /// Lập biên bản bàn giao thiết bị ký số / write a token handover record.
    Handover(handover::HandoverArgs),
    /// Ký số một tệp PDF / sign a PDF.
    Sign(sign::SignArgs),
    /// Kiểm tra chữ ký số của văn bản đến / verify signed PDFs.
    Verify(verify::VerifyArgs),
    /// Nâng mức chữ ký lên B-LT/B-LTA (dấu thời gian lưu trữ) / extend signatures to B-LT or B-LTA.
    Extend(extend::ExtendArgs),
    /// Chạy thử với danh tính demo (không có giá trị pháp lý) / demo with the demo identity.
    Demo(demo::DemoArgs),
    /// Chuẩn bị ảnh chữ ký/con dấu nền trong suốt / prepare a signature or seal image.
    Image(image::ImageArgs),
    /// Kho lưu trữ: kiểm tra, sao lưu, tìm kiếm / the archive: check, back up, search.
    Archive(archive::ArchiveArgs),
    /// Cầu nối cho hệ thống quản lý văn bản (wss://127.0.0.1:8987) / the e-office bridge.
    Bridge(bridge::BridgeArgs),
    /// Tiến trình phụ truy cập token cho ứng dụng máy tính / token helper process for the desktop app.
    #[command(hide = true)]
    Agent(agent::AgentArgs),
}

/// Run the parsed command.
pub fn run(cli: Cli) -> ExitCode {
    let lang: Lang = cli.lang.into();
    let result = match cli.command {
        Command::Tokens(a) => tokens::run(a, lang),
        Command::Token(a) => token::run(a, lang),
        Command::Handover(a) => handover::run(a, lang),
        Command::Sign(a) => sign::run(a, lang),
        Command::Demo(a) => demo::run(a, lang),
        Command::Extend(a) => extend::run(a, lang),
        Command::Verify(a) => verify::run(a, lang),
        Command::Image(a) => image::run(a, lang),
        Command::Archive(a) => archive::run(a, lang),
        Command::Bridge(a) => bridge::run(a, lang),
        Command::Agent(a) => agent::run(a, lang),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{}", one_line(&e.localize(lang)));
            match e {
                kyso::Error::Usage(_) => ExitCode::from(verify::EXIT_USAGE),
                _ => ExitCode::from(1),
            }
        }
    }
}

/// Messages go out on exactly one line.
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Where KýSố keeps per-user data (demo identity, queue).
pub fn data_dir() -> PathBuf {
    std::env::var_os("KYSO_DATA_DIR")
        .map(PathBuf::from)
        .or_else(|| dirs::data_dir().map(|d| d.join("kyso")))
        .unwrap_or_else(|| PathBuf::from(".kyso"))
}
