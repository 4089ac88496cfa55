//! `kyso handover`: the handover record of a token (biên bản bàn giao), ready for
//! the two personal signatures, kept in the queue.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use kyso::error::UsageError;
use kyso::queue::{NewHandover, Queue};
use kyso::records::handover::{write_handover, Handover};
use kyso::token::{self, TokenSelection};
use kyso::{tr, Lang};

/// Arguments of `kyso handover`.
#[derive(Args, Debug)]
pub struct HandoverArgs {
    /// Trình điều khiển PKCS#11 / PKCS#11 module path (repeatable).
    #[arg(long = "module", value_name = "PATH")]
    pub modules: Vec<PathBuf>,
    /// Nhãn thiết bị được bàn giao / label of the token handed over.
    #[arg(long = "token", value_name = "LABEL")]
    pub token: Option<String>,
    /// Người bàn giao / who hands it over.
    #[arg(long, value_name = "NAME")]
    pub from: String,
    /// Người nhận / who receives it.
    #[arg(long, value_name = "NAME")]
    pub to: String,
    /// Người chứng kiến / witness.
    #[arg(long, value_name = "NAME")]
    pub witness: Option<String>,
    /// Ngày bàn giao YYYY-MM-DD hoặc dd/mm/yyyy (mặc định hôm nay) / handover date.
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    /// Tên cơ quan / agency.
    #[arg(long, value_name = "TEXT")]
    pub agency: Option<String>,
    /// Địa danh trên dòng ngày tháng / place on the date line.
    #[arg(long, value_name = "TEXT")]
    pub place: Option<String>,
    /// Mẫu biên bản (.txt) / record template file.
    #[arg(long, value_name = "FILE")]
    pub template: Option<PathBuf>,
    /// Tệp PDF biên bản (mặc định trong thư mục dữ liệu) / the record PDF.
    #[arg(short = 'o', long = "output", value_name = "OUT.pdf")]
    pub output: Option<PathBuf>,
    /// Không đưa vào hàng đợi / do not add it to the queue.
    #[arg(long = "no-queue")]
    pub no_queue: bool,
    /// In kết quả dạng JSON / print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `YYYY-MM-DD` or `dd/mm/yyyy`.
fn parse_date(s: &str) -> Option<time::Date> {
    let iso = time::macros::format_description!("[year]-[month]-[day]");
    let vn = time::macros::format_description!("[day]/[month]/[year]");
    time::Date::parse(s.trim(), &iso).or_else(|_| time::Date::parse(s.trim(), &vn)).ok()
}

/// Run `kyso handover`.
pub fn run(a: HandoverArgs, lang: Lang) -> Result<ExitCode, kyso::Error> {
    let bad = |option: &str, value: &str| UsageError::InvalidArgument { option: option.into(), value: value.into() };
    if a.from.trim().is_empty() {
        return Err(bad("--from", &a.from).into());
    }
    if a.to.trim().is_empty() {
        return Err(bad("--to", &a.to).into());
    }
    let date = match &a.date {
        Some(d) => Some(parse_date(d).ok_or_else(|| bad("--date", d))?),
        None => None,
    };
    let sel = TokenSelection { modules: a.modules.clone(), token_label: a.token.clone(), cert_id: None, cert_label: None };
    let tok = token::identify(&sel)?;
    let certs = token::list_tokens(&a.modules)
        .tokens()
        .find(|t| t.serial == tok.serial && t.label == tok.label)
        .map(|t| t.certificates.clone())
        .unwrap_or_default();
    let date = date.unwrap_or_else(|| kyso::time::now_vietnam().date());
    let h = Handover {
        from: a.from.clone(),
        to: a.to.clone(),
        witness: a.witness.clone(),
        agency: a.agency.clone(),
        place: a.place.clone(),
        date: Some(date),
        template: a.template.clone(),
    };
    let dir = super::data_dir().join("documents");
    let files = write_handover(&h, &tok, &certs, &dir, a.output.as_deref())?;
    let queued = if a.no_queue {
        None
    } else {
        let mut q = Queue::open(&super::data_dir())?;
        let day = date.to_string();
        let (doc, entry) = q.record_handover(
            &files.pdf,
            &NewHandover {
                token_label: &tok.label,
                token_serial: &tok.serial,
                token_model: &tok.model,
                from_name: a.from.trim(),
                to_name: a.to.trim(),
                witness: a.witness.as_deref().map(str::trim).filter(|w| !w.is_empty()),
                handover_date: &day,
            },
        )?;
        Some((doc.id, entry))
    };
    if a.json {
        let v = serde_json::json!({
            "pdf": files.pdf, "txt": files.txt, "tokenSerial": tok.serial, "tokenModel": tok.model,
            "documentId": queued.as_ref().map(|(id, _)| *id), "handover": queued.as_ref().map(|(_, e)| e),
        });
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_else(|_| "{}".into()));
    } else {
        println!(
            "{}",
            tr!(
                lang,
                "Đã lập biên bản bàn giao thiết bị \"{}\" (số sê-ri {}): {} — hai bên ký số bằng chứng thư cá nhân của mình.",
                "Handover record of token \"{}\" (serial {}) written: {} — both people sign it with their own personal certificates.",
                tok.label,
                tok.serial,
                files.pdf.display()
            )
        );
    }
    Ok(ExitCode::SUCCESS)
}
