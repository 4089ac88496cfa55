//! `kyso sign`: sign one PDF with a token or a PKCS#12 identity.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use kyso::error::UsageError;
use kyso::identity::{Password, SoftwareSigner};
use kyso::job::{self, JobRole, SignJob};
use kyso::token::{self, Pin, TokenSelection};
use kyso::{Lang, Signer};

use super::RoleArg;

/// Arguments of `kyso sign`.
#[derive(Args, Debug)]
pub struct SignArgs {
    /// Tệp PDF cần ký (không bị thay đổi) / the PDF to sign (never modified).
    pub input: PathBuf,
    /// Tệp PDF kết quả / the signed output.
    #[arg(short = 'o', long = "output", value_name = "OUT.pdf")]
    pub output: PathBuf,
    /// Trình điều khiển PKCS#11 / PKCS#11 module path (repeatable).
    #[arg(long = "module", value_name = "PATH")]
    pub modules: Vec<PathBuf>,
    /// Nhãn thiết bị ký / token label.
    #[arg(long = "token", value_name = "LABEL")]
    pub token: Option<String>,
    /// CKA_ID của chứng thư (hex) / certificate id in hex.
    #[arg(long = "cert", value_name = "ID_HEX", conflicts_with = "cert_label")]
    pub cert: Option<String>,
    /// Nhãn chứng thư / certificate label.
    #[arg(long = "cert-label", value_name = "TEXT")]
    pub cert_label: Option<String>,
    /// Ký bằng tệp PKCS#12 (mật khẩu trong KYSO_P12_PASSWORD) / sign with a PKCS#12 file.
    #[arg(long = "pkcs12", value_name = "FILE", conflicts_with_all = ["modules", "token", "cert", "cert_label"])]
    pub pkcs12: Option<PathBuf>,
    /// Vai trò ký / signing role.
    #[arg(long, value_enum, default_value = "personal")]
    pub role: RoleArg,
    /// Lý do ký / reason.
    #[arg(long)]
    pub reason: Option<String>,
    /// Nơi ký / location.
    #[arg(long)]
    pub location: Option<String>,
    /// Ghi đè tệp kết quả đã có / overwrite an existing output.
    #[arg(long)]
    pub force: bool,
    /// Văn bản giấy số hóa: cho phép đóng dấu khi chưa có chữ ký cá nhân (R10) / digitised paper document.
    #[arg(long)]
    pub scanned: bool,
    /// Thêm chứng thư gốc tin cậy cho bước kiểm tra trước khi đóng dấu / extra trust anchors for the pre-seal check.
    #[arg(long = "trust", value_name = "PEM|DIR")]
    pub trust: Vec<PathBuf>,
    /// Tệp CRL cho bước kiểm tra / CRL files for the pre-seal check.
    #[arg(long = "crl", value_name = "FILE")]
    pub crls: Vec<PathBuf>,
    /// Không truy cập mạng khi kiểm tra / no online revocation checks.
    #[arg(long)]
    pub offline: bool,
    /// Đọc mã PIN (hoặc mật khẩu PKCS#12) từ stdin / read the PIN from stdin.
    #[arg(long = "pin-stdin")]
    pub pin_stdin: bool,
    /// In kết quả dạng JSON / print JSON.
    #[arg(long)]
    pub json: bool,
    /// Ảnh chữ ký/con dấu PNG nền trong suốt / signature or seal image.
    #[arg(long, value_name = "PNG")]
    pub image: Option<PathBuf>,
    /// Mẫu chữ ký (tên hoặc tệp .toml) / stamp template name or file.
    #[arg(long, value_name = "NAME|FILE")]
    pub template: Option<String>,
    /// Họ tên người ký để tìm vị trí / signer name to look for.
    #[arg(long = "signer-name", value_name = "TEXT")]
    pub signer_name: Option<String>,
    /// Chức vụ người ký / signer title.
    #[arg(long = "signer-title", value_name = "TEXT")]
    pub signer_title: Option<String>,
    /// Trang (từ 1) / page number (1-based).
    #[arg(long, value_name = "N")]
    pub page: Option<usize>,
    /// Vị trí góc trên bên trái, mm từ góc trên bên trái trang / position in mm.
    #[arg(long, value_name = "X,Y")]
    pub at: Option<String>,
    /// Kích thước (mm): đường kính dấu hoặc chiều rộng ảnh / size in mm.
    #[arg(long = "size-mm", value_name = "MM")]
    pub size_mm: Option<f64>,
    /// Số và ký hiệu văn bản (văn thư) / document number, e.g. 123/QĐ-UBND.
    #[arg(long = "doc-number", value_name = "TEXT")]
    pub doc_number: Option<String>,
    /// Ngày văn bản YYYY-MM-DD / document date.
    #[arg(long = "doc-date", value_name = "YYYY-MM-DD")]
    pub doc_date: Option<String>,
    /// Hình thức sao (sao y, sao lục, trích sao) / form of copy.
    #[arg(long = "copy-form", value_name = "TEXT")]
    pub copy_form: Option<String>,
    /// Tên cơ quan / organisation name.
    #[arg(long = "org-name", value_name = "TEXT")]
    pub org_name: Option<String>,
    /// Chữ ký không hiển thị / invisible signature.
    #[arg(long)]
    pub invisible: bool,
    /// Mức PAdES: b-b, b-t (dấu thời gian), b-lt (kèm dữ liệu kiểm tra), b-lta (lưu trữ) / PAdES level.
    #[arg(long, value_name = "LEVEL", value_parser = kyso::longterm::parse_level)]
    pub level: Option<kyso::longterm::SigningLevel>,
    /// Máy chủ dấu thời gian RFC 3161 (lặp lại được, thử theo thứ tự) / time-stamping authority URL (repeatable).
    #[arg(long = "tsa", value_name = "URL")]
    pub tsa: Vec<String>,
    /// Ký dù tên dưới khối chữ ký khác tên trên chứng thư / sign although the block names someone else.
    #[arg(long = "allow-name-mismatch")]
    pub allow_name_mismatch: bool,
}

/// Run `kyso sign`.
pub fn run(args: SignArgs, lang: Lang) -> Result<ExitCode, kyso::Error> {
    let job = to_job(&args)?;
    // Cheap checks first (paths, the PDF, the clerk's check before sealing), so a bad
    // path or a broken PDF never costs a PIN try.
    job::check_job(&job)?;
    let choice = job::choose_level(&job, &kyso::settings::Settings::load()?)?;
    let mut checked = None;

    let signer: Box<dyn Signer> = match &args.pkcs12 {
        Some(p12) => {
            let password = if args.pin_stdin {
                let mut line = zeroize::Zeroizing::new(String::new());
                std::io::BufRead::read_line(&mut std::io::stdin().lock(), &mut line).map_err(|_| kyso::Error::from(UsageError::NoPin))?;
                Password::new(line.trim_end_matches(['\r', '\n']).to_owned())
            } else {
                Password::from_env("KYSO_P12_PASSWORD")?
            };
            Box::new(SoftwareSigner::from_pkcs12(p12, &password)?)
        }
        None => {
            let cert_id = match &args.cert {
                Some(h) => {
                    Some(hex::decode(h.trim()).map_err(|_| UsageError::InvalidArgument { option: "--cert".into(), value: h.clone() })?)
                }
                None => None,
            };
            let sel = TokenSelection {
                modules: args.modules.clone(),
                token_label: args.token.clone(),
                cert_id,
                cert_label: args.cert_label.clone(),
            };
            // The certificate is checked before the PIN is read: a revoked or expired
            // certificate never costs a PIN try.
            if let Some((cert, pool)) = token::peek_certificate(&sel)? {
                let check = job::check_signer(&job, choice.level, &cert, &pool)?;
                // The right signer for the block, before the PIN too.
                job::check_signer_name(&job, &cert)?;
                checked = Some((check, cert));
            }
            let pin = read_pin(args.pin_stdin)?;
            Box::new(token::open_signer(&sel, pin)?)
        }
    };

    warn_on_role_mismatch(signer.certificate(), args.role, lang);

    // A PKCS#12 identity is checked here, before its key signs.
    let check = match checked {
        Some((check, cert)) if &cert == signer.certificate() => Some(check),
        _ => None,
    };
    let done = job::run_checked(&job, signer.as_ref(), check)?;
    for note in &done.notes {
        eprintln!("{}", note.text(lang));
    }
    let outcome = &done.outcome;
    if args.json {
        let mut v = serde_json::to_value(outcome).unwrap_or_default();
        if let Some(obj) = v.as_object_mut() {
            obj.insert("stamp".into(), serde_json::to_value(&done.placement).unwrap_or_default());
            obj.insert("placement".into(), serde_json::Value::String(done.placement.placement.clone()));
            obj.insert("level".into(), serde_json::to_value(done.level).unwrap_or_default());
            obj.insert("notes".into(), serde_json::to_value(&done.notes).unwrap_or_default());
            obj.insert("certificateCheck".into(), serde_json::to_value(&done.certificate_check).unwrap_or_default());
        }
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_else(|_| "{}".into()));
    } else {
        println!(
            "{}",
            kyso::tr!(
                lang,
                "Đã ký: {} (trường {}, {}, mức {})",
                "Signed: {} (field {}, {}, level {})",
                outcome.output.display(),
                outcome.field_name,
                outcome.signing_time,
                done.level.label()
            )
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The job `args` describe (everything but how to reach the key).
fn to_job(args: &SignArgs) -> Result<SignJob, kyso::Error> {
    let at_mm = match &args.at {
        Some(s) => {
            let parts: Vec<f64> = s.split(',').filter_map(|p| p.trim().parse().ok()).collect();
            match parts[..] {
                [x, y] => Some((x, y)),
                _ => return Err(UsageError::InvalidArgument { option: "--at".into(), value: s.clone() }.into()),
            }
        }
        None => None,
    };
    Ok(SignJob {
        input: args.input.clone(),
        output: args.output.clone(),
        role: match args.role {
            RoleArg::Personal => JobRole::Personal,
            RoleArg::Seal => JobRole::Seal,
            RoleArg::Copy => JobRole::Copy,
            RoleArg::Annex => JobRole::Annex,
        },
        force: args.force,
        scanned: args.scanned,
        trust: args.trust.clone(),
        crls: args.crls.clone(),
        offline: args.offline,
        reason: args.reason.clone(),
        location: args.location.clone(),
        image: args.image.clone(),
        template: args.template.clone(),
        signer_name: args.signer_name.clone(),
        signer_title: args.signer_title.clone(),
        page: args.page,
        at_mm,
        size_mm: args.size_mm,
        doc_number: args.doc_number.clone(),
        doc_date: args.doc_date.clone(),
        copy_form: args.copy_form.clone(),
        org_name: args.org_name.clone(),
        invisible: args.invisible,
        level: args.level,
        tsa: args.tsa.clone(),
        allow_name_mismatch: args.allow_name_mismatch,
    })
}

/// The PIN from stdin (`--pin-stdin`, one line) or `KYSO_PIN`.
pub(super) fn read_pin(from_stdin: bool) -> Result<Pin, kyso::Error> {
    if from_stdin {
        return Pin::from_reader(std::io::stdin().lock());
    }
    if let Some(pin) = Pin::from_env("KYSO_PIN") {
        return Ok(pin);
    }
    Err(UsageError::NoPin.into())
}

/// R15: a personal certificate signs as a person, the agency certificate as the agency.
fn warn_on_role_mismatch(cert: &x509_cert::Certificate, role: RoleArg, lang: Lang) {
    use kyso::token::classify::{classify_certificate, Role};
    let class = classify_certificate(cert);
    let wants_agency = role != RoleArg::Personal;
    let mismatch = match class.role {
        Role::Agency => !wants_agency,
        Role::Personal => wants_agency,
        _ => false,
    };
    if mismatch {
        eprintln!(
            "{}",
            kyso::tr!(
                lang,
                "Cảnh báo: chứng thư là chứng thư {} nhưng vai trò ký là {:?}. Hãy kiểm tra lại chứng thư được chọn (R15).",
                "Warning: the certificate is a {} certificate but the signing role is {:?}. Check the chosen certificate (R15).",
                class.role.label(lang),
                role
            )
        );
    }
}
