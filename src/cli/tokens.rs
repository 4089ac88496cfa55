//! `kyso tokens`: list PKCS#11 drivers, tokens and their certificates.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use kyso::i18n::Localize;
use kyso::token::{self, Inventory, PinTries, TokenError, TokenReport};
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
        print!("{}", render_inventory_text(&inv, lang));
    }
    match inv.problem() {
        Some(e) => Err(e.into()),
        None => Ok(ExitCode::SUCCESS),
    }
}

/// The human-readable `kyso tokens` output in `lang` (Vietnamese by default in the
/// CLI). JSON output is `serde_json` of the [`Inventory`] itself.
pub fn render_inventory_text(inv: &Inventory, lang: Lang) -> String {
    use std::fmt::Write;
    let l = |vi: &'static str, en: &'static str| lang.pick(vi, en);
    let mut out = String::new();
    if inv.modules.is_empty() {
        let _ = writeln!(out, "{}", TokenError::NoModule.localize(lang));
        return out;
    }
    for m in &inv.modules {
        let vendor = m.vendor.as_deref().unwrap_or(l("không rõ nhà cung cấp", "unknown vendor"));
        let _ = writeln!(out, "{} {} ({vendor})", l("Trình điều khiển:", "Driver:"), m.path.display());
        if let Some(e) = &m.error {
            let _ = writeln!(out, "  ! {}", e.text(lang));
            continue;
        }
        if m.tokens.is_empty() {
            let _ = writeln!(out, "  {}", l("(không có thiết bị nào được cắm)", "(no token present)"));
        }
        for t in &m.tokens {
            render_token(&mut out, t, lang);
        }
    }
    if inv.modules.iter().all(|m| m.error.is_some()) {
        let _ = writeln!(
            out,
            "{}",
            l(
                "Không nạp được trình điều khiển nào; hãy cài lại phần mềm của nhà cung cấp hoặc dùng --module.",
                "No driver could be loaded; reinstall the vendor software or use --module.",
            )
        );
    } else if inv.tokens().next().is_none() {
        let _ = writeln!(out, "{}", TokenError::NoToken.localize(lang));
    }
    out
}

fn render_token(out: &mut String, t: &TokenReport, lang: Lang) {
    use std::fmt::Write;
    let l = |vi: &'static str, en: &'static str| lang.pick(vi, en);
    let _ = writeln!(
        out,
        "  {} \"{}\" — {} {}, {} {}",
        l("Thiết bị", "Token"),
        t.label,
        t.manufacturer,
        t.model,
        l("số sê-ri", "serial"),
        t.serial
    );
    let pin = match (t.pin.initialized, t.pin.tries) {
        (false, _) => l("chưa đặt mã PIN", "no user PIN set"),
        (_, PinTries::Locked) => l(
            "ĐÃ BỊ KHÓA — dùng mã mở khóa (PUK) hoặc liên hệ tổ chức cung cấp chứng thư số",
            "LOCKED — use the recovery code (PUK) or contact the certification authority",
        ),
        (_, PinTries::FinalTry) => l("còn 1 lần thử — nhập sai nữa thiết bị sẽ bị khóa", "final try — one more wrong PIN locks the token"),
        (_, PinTries::Low) => l("đã có lần nhập sai, còn ít lần thử", "a wrong PIN was entered, few tries left"),
        (_, PinTries::Unknown) => l("bình thường", "normal"),
    };
    let pad = if t.pin.protected_authentication_path { l(" (nhập PIN trên thiết bị)", " (PIN entered on the device)") } else { "" };
    let _ = writeln!(out, "    {} {pin}{pad}", l("Mã PIN:", "PIN:"));
    if let Some(e) = &t.error {
        let _ = writeln!(out, "    ! {}", e.text(lang));
    }
    if t.certificates.is_empty() && t.error.is_none() {
        let _ = writeln!(
            out,
            "    {}",
            l(
                "Không thấy chứng thư ký số (có thể cần đăng nhập để xem).",
                "No signing certificate visible (the token may show them only after login).",
            )
        );
    }
    for c in &t.certificates {
        let name = c.common_name.as_deref().unwrap_or(&c.subject);
        let _ = writeln!(out, "    [{}] {} — {}", c.id, name, c.role.label(lang));
        let _ = writeln!(out, "         {} {}", l("Chủ thể:", "Subject:"), c.subject);
        let _ = writeln!(out, "         {} {}", l("Cấp bởi:", "Issuer: "), c.issuer);
        let state = if !c.currently_valid && c.days_to_expiry < 0 {
            l("ĐÃ HẾT HẠN", "EXPIRED").to_owned()
        } else if !c.currently_valid {
            l("chưa có hiệu lực", "not yet valid").to_owned()
        } else if c.expiring_soon {
            match lang {
                Lang::Vi => format!("SẮP HẾT HẠN: còn {} ngày — hãy gia hạn", c.days_to_expiry),
                Lang::En => format!("EXPIRES SOON: {} days left — renew it", c.days_to_expiry),
            }
        } else {
            match lang {
                Lang::Vi => format!("còn {} ngày", c.days_to_expiry),
                Lang::En => format!("{} days left", c.days_to_expiry),
            }
        };
        let _ = writeln!(out, "         {} {} → {} ({state})", l("Hiệu lực:", "Valid:  "), c.not_before, c.not_after);
        let _ = writeln!(
            out,
            "         {} {}, {} \"{}\"{}, {} {}",
            l("Khóa:", "Key:    "),
            c.key_kind,
            l("nhãn chứng thư", "certificate label"),
            c.cert_label,
            c.key_label.as_ref().map(|k| format!(", {} \"{k}\"", l("nhãn khóa", "key label"))).unwrap_or_default(),
            l("số sê-ri", "serial"),
            c.serial
        );
    }
    if !t.keys_without_certificate.is_empty() {
        let _ = writeln!(
            out,
            "    {} {}",
            l("Khóa chưa có chứng thư (không ký được):", "Keys without a certificate (cannot sign):"),
            t.keys_without_certificate.join(", ")
        );
    }
    for c in &t.other_certificates {
        let _ = writeln!(
            out,
            "    {} {}",
            if c.ca { l("Chứng thư CA:", "CA certificate:") } else { l("Chứng thư khác:", "Other certificate:") },
            c.subject
        );
    }
    if t.unreadable_certificates > 0 {
        let _ = writeln!(
            out,
            "    {} {}",
            l("Đối tượng chứng thư không đọc được:", "Unreadable certificate objects:"),
            t.unreadable_certificates
        );
    }
}
