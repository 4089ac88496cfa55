//! `kyso token unblock | import-cert | change-pin`: the token's life cycle (R16).
//!
//! PINs and the unblock code are read from standard input, one per line (never
//! from the command line); when standard input is a terminal each is asked for on
//! standard error first.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use kyso::i18n::Localize;
use kyso::records::recovery::{write_recovery_request, RecoveryRequest};
use kyso::token::{self, ImportOptions, Pin, TokenError, TokenSelection};
use kyso::{tr, Lang};

/// Arguments of `kyso token`.
#[derive(Args, Debug)]
pub struct TokenArgs {
    #[command(subcommand)]
    pub command: TokenCommand,
}

/// Which token (shared by the subcommands).
#[derive(Args, Debug, Clone)]
pub struct Which {
    /// Trình điều khiển PKCS#11 / PKCS#11 module path (repeatable).
    #[arg(long = "module", value_name = "PATH")]
    pub modules: Vec<PathBuf>,
    /// Nhãn thiết bị / token label.
    #[arg(long = "token", value_name = "LABEL")]
    pub token: Option<String>,
}

impl Which {
    fn selection(&self) -> TokenSelection {
        TokenSelection { modules: self.modules.clone(), token_label: self.token.clone(), cert_id: None, cert_label: None }
    }
}

/// `kyso token` subcommands.
#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Mở khóa thiết bị bằng mã mở khóa (PUK/SO PIN) và đặt mã PIN mới; stdin: mã mở khóa, PIN mới, PIN mới nhắc lại
    /// / unblock with the recovery code and set a new PIN; stdin: code, new PIN, new PIN again.
    Unblock(UnblockArgs),
    /// Ghi chứng thư số gia hạn lên thiết bị cạnh khóa của nó; stdin: mã PIN
    /// / write a renewed certificate next to its key; stdin: the PIN.
    ImportCert(ImportArgs),
    /// Đổi mã PIN; stdin: PIN cũ, PIN mới, PIN mới nhắc lại / change the PIN; stdin: old, new, new again.
    ChangePin(ChangePinArgs),
}

/// Arguments of `kyso token unblock`.
#[derive(Args, Debug)]
pub struct UnblockArgs {
    #[command(flatten)]
    pub which: Which,
    /// Thư mục ghi văn bản đề nghị khôi phục khi mã mở khóa cũng bị khóa
    /// / folder for the recovery request when the unblock code is locked too.
    #[arg(long = "out-dir", value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// Tên cơ quan trong văn bản đề nghị / agency named in the request.
    #[arg(long, value_name = "TEXT")]
    pub agency: Option<String>,
    /// Người quản lý thiết bị / the token's holder.
    #[arg(long, value_name = "NAME")]
    pub holder: Option<String>,
    /// Lý do / reason.
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Địa danh trên dòng ngày tháng / place on the date line.
    #[arg(long, value_name = "TEXT")]
    pub place: Option<String>,
    /// Mẫu văn bản đề nghị (.txt) / request template file.
    #[arg(long, value_name = "FILE")]
    pub template: Option<PathBuf>,
    /// In kết quả dạng JSON / print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `kyso token import-cert`.
#[derive(Args, Debug)]
pub struct ImportArgs {
    /// Tệp chứng thư (.pem, .cer, .p7b) / the certificate file.
    pub file: PathBuf,
    #[command(flatten)]
    pub which: Which,
    /// Xóa chứng thư cũ của cùng khóa sau khi ghi / delete the key's older certificates.
    #[arg(long = "remove-old")]
    pub remove_old: bool,
    /// Thêm chứng thư gốc tin cậy / extra trust anchors (PEM file or folder).
    #[arg(long = "trust", value_name = "PEM|DIR")]
    pub trust: Vec<PathBuf>,
    /// In kết quả dạng JSON / print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `kyso token change-pin`.
#[derive(Args, Debug)]
pub struct ChangePinArgs {
    #[command(flatten)]
    pub which: Which,
}

/// Run `kyso token …`.
pub fn run(args: TokenArgs, lang: Lang) -> Result<ExitCode, kyso::Error> {
    match args.command {
        TokenCommand::Unblock(a) => unblock(a, lang),
        TokenCommand::ImportCert(a) => import(a, lang),
        TokenCommand::ChangePin(a) => change_pin(a, lang),
    }
}

/// Secrets from standard input, one per line, each prompted on a terminal.
struct Secrets {
    tty: bool,
    input: std::io::StdinLock<'static>,
}

impl Secrets {
    fn new() -> Secrets {
        let stdin = std::io::stdin();
        Secrets { tty: stdin.is_terminal(), input: stdin.lock() }
    }

    fn ask(&mut self, prompt: &str) -> Result<Pin, kyso::Error> {
        if self.tty {
            eprint!("{prompt}: ");
            let _ = std::io::stderr().flush();
        }
        Pin::from_reader(&mut self.input as &mut dyn BufRead)
    }

    /// A new PIN typed twice.
    fn new_pin(&mut self, lang: Lang) -> Result<Pin, kyso::Error> {
        let first = self.ask(lang.pick("Mã PIN mới", "New PIN"))?;
        let again = self.ask(lang.pick("Nhập lại mã PIN mới", "New PIN again"))?;
        if !first.same_as(&again) {
            return Err(TokenError::PinMismatch.into());
        }
        Ok(first)
    }
}

fn unblock(a: UnblockArgs, lang: Lang) -> Result<ExitCode, kyso::Error> {
    let sel = a.which.selection();
    let before = token::identify(&sel)?;
    if !before.pin.so_locked {
        println!("{}", so_state(&before.pin, lang));
    }
    let result = if before.pin.so_locked {
        Err(TokenError::SoPinLocked.into())
    } else {
        let mut s = Secrets::new();
        let so = s.ask(lang.pick("Mã mở khóa (PUK/SO PIN)", "Unblock code (PUK/SO PIN)"))?;
        let new = s.new_pin(lang)?;
        token::unblock_pin(&sel, &so, &new)
    };
    match result {
        Ok(_) => {
            if a.json {
                println!("{}", serde_json::json!({ "unblocked": true, "token": before.label, "serial": before.serial }));
            } else {
                println!(
                    "{}",
                    tr!(
                        lang,
                        "Đã mở khóa thiết bị \"{}\" (số sê-ri {}) và đặt mã PIN mới.",
                        "Token \"{}\" (serial {}) unblocked; the new PIN is set.",
                        before.label,
                        before.serial
                    )
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(kyso::Error::Token(TokenError::SoPinLocked)) => {
            let now = token::identify(&sel).unwrap_or(before);
            let certs = token::list_tokens(&sel.modules)
                .tokens()
                .find(|t| t.serial == now.serial && t.label == now.label)
                .map(|t| t.certificates.clone())
                .unwrap_or_default();
            let req = RecoveryRequest {
                agency: a.agency,
                holder: a.holder,
                reason: a.reason,
                place: a.place,
                template: a.template,
                ..RecoveryRequest::default()
            };
            let dir = a.out_dir.unwrap_or_else(|| super::data_dir().join("documents"));
            let files = write_recovery_request(&req, &now, &certs, &dir)?;
            eprintln!("{}", super::one_line(&TokenError::SoPinLocked.localize(lang)));
            if a.json {
                println!("{}", serde_json::json!({ "unblocked": false, "soLocked": true, "request": files }));
            } else {
                println!(
                    "{}",
                    tr!(
                        lang,
                        "Đã soạn văn bản đề nghị khôi phục: {} và {}",
                        "Recovery request written: {} and {}",
                        files.pdf.display(),
                        files.txt.display()
                    )
                );
            }
            Ok(ExitCode::from(1))
        }
        Err(e) => Err(e),
    }
}

/// The unblock code's state, shown before it is asked for.
fn so_state(pin: &kyso::token::PinStatus, lang: Lang) -> String {
    use kyso::token::PinTries;
    match pin.so_tries {
        PinTries::Unknown => {
            lang.pick("Mã mở khóa: thiết bị không báo lần nhập sai nào.", "Unblock code: the token reports no wrong tries.").to_owned()
        }
        PinTries::Low => lang
            .pick("Mã mở khóa: đã có lần nhập sai, còn ít lần thử.", "Unblock code: a wrong code was entered, few tries left.")
            .to_owned(),
        PinTries::FinalTry => lang
            .pick(
                "Mã mở khóa: CÒN 1 LẦN THỬ — nhập sai nữa thì chỉ tổ chức chứng thực khôi phục được.",
                "Unblock code: FINAL TRY — one more wrong code and only the CA can recover the token.",
            )
            .to_owned(),
        PinTries::Locked => lang.pick("Mã mở khóa đã bị khóa.", "The unblock code is locked.").to_owned(),
    }
}

fn import(a: ImportArgs, lang: Lang) -> Result<ExitCode, kyso::Error> {
    let sel = a.which.selection();
    let opts = ImportOptions { file: a.file, trust: a.trust, remove_old: a.remove_old };
    let pin = match Pin::from_env("KYSO_PIN") {
        Some(p) => p,
        None => Secrets::new().ask(lang.pick("Mã PIN", "PIN"))?,
    };
    let report = token::import_certificate(&sel, &opts, pin)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report).unwrap_or_else(|_| "{}".into()));
    } else {
        let done = if report.written { lang.pick("Đã ghi", "Written") } else { lang.pick("Đã có sẵn", "Already present") };
        println!(
            "{}",
            tr!(
                lang,
                "{} chứng thư \"{}\" lên thiết bị \"{}\" cạnh khóa [{}], nhãn \"{}\", hiệu lực đến {}.",
                "{}: certificate \"{}\" on token \"{}\" next to key [{}], label \"{}\", valid until {}.",
                done,
                report.subject,
                report.token_label,
                report.id,
                report.label,
                report.not_after
            )
        );
        for ca in &report.ca_written {
            println!("{}", tr!(lang, "Đã ghi chứng thư CA: {}", "CA certificate written: {}", ca));
        }
        for s in &report.removed {
            println!("{}", tr!(lang, "Đã xóa chứng thư cũ số sê-ri {}", "Old certificate removed, serial {}", s));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn change_pin(a: ChangePinArgs, lang: Lang) -> Result<ExitCode, kyso::Error> {
    let sel = a.which.selection();
    let mut s = Secrets::new();
    let old = s.ask(lang.pick("Mã PIN hiện tại", "Current PIN"))?;
    let new = s.new_pin(lang)?;
    token::change_pin(&sel, &old, &new)?;
    println!("{}", lang.pick("Đã đổi mã PIN.", "The PIN is changed."));
    Ok(ExitCode::SUCCESS)
}
