//! `kyso bridge`: the e-office bridge without the desktop app (integration tests,
//! IT smoke checks), and `kyso bridge cert` for the local CA.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use clap::{Args, Subcommand};
use kyso::agent::protocol::SecretPin;
use kyso::agent::AgentErrorBody;
use kyso::bridge::{self, Bridge, BridgeConfig, BridgeConfirmation, BridgeUi, CertPick};
use kyso::error::UsageError;
use kyso::office::{AgentCommand, Office, OfficeConfig, SignSummary, StampImageKind};
use kyso::token::Pin;
use kyso::Lang;

/// `kyso bridge` arguments.
#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BridgeArgs {
    #[command(subcommand)]
    command: Option<BridgeCommand>,
    /// Địa chỉ lắng nghe (chỉ 127.0.0.1 hoặc ::1) / address to listen on (loopback only).
    #[arg(long, value_name = "ADDR", default_value = bridge::DEFAULT_LISTEN)]
    listen: SocketAddr,
    /// Trang web được phép gọi (lặp lại được; thêm vào [bridge] allow_origins của settings.toml) /
    /// web page origin allowed to call (repeatable; added to settings.toml's list).
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    allow_origins: Vec<String>,
    /// Ký yêu cầu của các trang được phép mà không hỏi (cần --allow-origin và --pin-stdin/KYSO_PIN) /
    /// sign allowed origins' requests without asking.
    #[arg(long)]
    unattended: bool,
    /// Đọc mã PIN từ stdin (một dòng) / read the PIN from stdin (one line).
    #[arg(long = "pin-stdin")]
    pin_stdin: bool,
    /// Trình điều khiển PKCS#11 / PKCS#11 module path (repeatable).
    #[arg(long = "module", value_name = "PATH")]
    modules: Vec<PathBuf>,
    /// Nhãn thiết bị ký của chứng thư cá nhân / token label of the personal certificate.
    #[arg(long = "token", value_name = "LABEL")]
    token: Option<String>,
    /// Nhãn chứng thư cá nhân / personal certificate label.
    #[arg(long = "cert-label", value_name = "TEXT")]
    cert_label: Option<String>,
    /// Nhãn thiết bị ký của chứng thư cơ quan (mặc định như --token) / token label of the agency certificate.
    #[arg(long = "seal-token", value_name = "LABEL")]
    seal_token: Option<String>,
    /// Nhãn chứng thư cơ quan / agency certificate label.
    #[arg(long = "seal-cert-label", value_name = "TEXT")]
    seal_cert_label: Option<String>,
    /// Thư mục dữ liệu (hàng đợi, khóa TLS cục bộ) / data folder (queue, local TLS keys).
    #[arg(long = "data-dir", value_name = "DIR", global = true)]
    data_dir: Option<PathBuf>,
    /// Ảnh chữ ký cá nhân (PNG/JPEG, lưu vào thư mục dữ liệu) / the personal signature image (kept in the data folder).
    #[arg(long = "signature-image", value_name = "PNG")]
    signature_image: Option<PathBuf>,
    /// Ảnh con dấu (PNG/JPEG) / the seal image.
    #[arg(long = "seal-image", value_name = "PNG")]
    seal_image: Option<PathBuf>,
    /// Chứng thư gốc tin cậy thêm / extra trust anchors.
    #[arg(long = "trust", value_name = "PEM|DIR")]
    trust: Vec<PathBuf>,
    /// Tệp CRL / CRL files.
    #[arg(long = "crl", value_name = "FILE")]
    crls: Vec<PathBuf>,
    /// Không kiểm tra thu hồi trực tuyến / no online revocation checks.
    #[arg(long)]
    offline: bool,
}

#[derive(Subcommand, Debug)]
enum BridgeCommand {
    /// Chứng thư CA cục bộ của cầu nối / the bridge's local CA certificate.
    Cert(CertArgs),
}

#[derive(Args, Debug)]
struct CertArgs {
    /// Ghi chứng thư CA (PEM) ra tệp / write the CA certificate (PEM) to FILE.
    #[arg(long, value_name = "FILE")]
    export: Option<PathBuf>,
    /// Thêm chứng thư CA vào kho tin cậy của trình duyệt / add it to the browsers' trust stores.
    #[arg(long)]
    install: bool,
    /// Gỡ chứng thư CA khỏi các kho tin cậy (khi gỡ cài đặt) / take it out of the trust stores (uninstall).
    #[arg(long, conflicts_with = "install")]
    remove: bool,
}

/// Run `kyso bridge`.
pub fn run(args: BridgeArgs, lang: Lang) -> Result<ExitCode, kyso::Error> {
    let data_dir = args.data_dir.clone().unwrap_or_else(super::data_dir);
    if let Some(BridgeCommand::Cert(c)) = &args.command {
        return cert(&data_dir, c, lang);
    }
    // IT's allow-list: settings.toml `[bridge] allow_origins`, then `--allow-origin`.
    let mut allow_origins = kyso::settings::Settings::load()?.bridge.allow_origins;
    allow_origins.extend(args.allow_origins.iter().cloned());
    let pin = if args.unattended {
        if allow_origins.is_empty() {
            return Err(kyso::bridge::BridgeError::UnattendedWithoutAllowList.into());
        }
        UNATTENDED.store(true, std::sync::atomic::Ordering::SeqCst);
        Some(super::sign::read_pin(args.pin_stdin)?)
    } else {
        None
    };
    let program = std::env::current_exe().map_err(|source| kyso::error::OutputError::ReadInput { path: "kyso".into(), source })?;
    let office = Office::open(OfficeConfig {
        data_dir: data_dir.clone(),
        agent: AgentCommand { program, args: vec!["agent".into()] },
        modules: args.modules.clone(),
        trust: args.trust.clone(),
        crls: args.crls.clone(),
        offline: args.offline,
    })?;
    if let Some(p) = &args.signature_image {
        office.set_stamp_image(StampImageKind::Signature, p, None)?;
    }
    if let Some(p) = &args.seal_image {
        office.set_stamp_image(StampImageKind::Seal, p, None)?;
    }
    let config = BridgeConfig {
        listen: args.listen,
        allow_origins,
        unattended: args.unattended,
        personal: CertPick { token: args.token.clone(), cert_label: args.cert_label.clone() },
        seal: CertPick { token: args.seal_token.clone().or(args.token.clone()), cert_label: args.seal_cert_label.clone() },
    };
    let ui = Arc::new(TerminalUi { pin: std::sync::Mutex::new(pin) });
    let bridge = Arc::new(Bridge::new(Arc::new(office), ui, config)?);
    let tls = bridge::tls::server_config(&data_dir)?;
    let listener = bridge::server::bind(args.listen)?;
    let local = listener.local_addr().map_err(|source| kyso::bridge::BridgeError::Listen { addr: args.listen.to_string(), source })?;
    println!(
        "{}",
        kyso::tr!(
            lang,
            "KýSố đang nhận yêu cầu ký từ hệ thống quản lý văn bản tại wss://{} (CA cục bộ: {})",
            "KySo is answering e-office calls on wss://{} (local CA: {})",
            local,
            bridge::tls::ca_cert_path(&data_dir).display()
        )
    );
    // Scripts wait for this line.
    use std::io::Write;
    let _ = std::io::stdout().flush();
    bridge::server::serve(bridge, tls, listener, Arc::new(AtomicBool::new(false)));
    Ok(ExitCode::SUCCESS)
}

fn cert(data_dir: &std::path::Path, c: &CertArgs, lang: Lang) -> Result<ExitCode, kyso::Error> {
    if c.export.is_none() && !c.install && !c.remove {
        return Err(UsageError::InvalidArgument { option: "cert".into(), value: "--export FILE | --install | --remove".into() }.into());
    }
    if c.remove {
        let report = bridge::tls::remove();
        for s in &report.installed {
            println!("{}", kyso::tr!(lang, "Đã gỡ khỏi kho tin cậy: {}", "Removed from: {}", s));
        }
        for s in &report.failed {
            eprintln!("{}", kyso::tr!(lang, "Không gỡ được: {}", "Not removed: {}", s));
        }
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(path) = &c.export {
        let pem = bridge::tls::ca_certificate_pem(data_dir)?;
        let io = |source| kyso::error::OutputError::WriteOutput { path: path.clone(), source };
        let mut f = kyso::atomic::AtomicFile::create(path, kyso::atomic::Mode::Replace).map_err(io)?;
        use std::io::Write;
        f.file().write_all(pem.as_bytes()).map_err(io)?;
        f.commit().map_err(io)?;
        println!("{}", kyso::tr!(lang, "Đã ghi chứng thư CA cục bộ vào {}", "Wrote the local CA certificate to {}", path.display()));
    }
    if c.install {
        let report = bridge::tls::install(data_dir)?;
        for s in &report.installed {
            println!("{}", kyso::tr!(lang, "Đã thêm vào kho tin cậy: {}", "Trusted in: {}", s));
        }
        for s in &report.failed {
            eprintln!("{}", kyso::tr!(lang, "Không thêm được: {}", "Not added: {}", s));
        }
        if report.installed.is_empty() {
            eprintln!(
                "{}",
                kyso::tr!(
                    lang,
                    "Không có kho tin cậy nào được cập nhật (Linux: cần gói libnss3-tools).",
                    "No trust store was updated (Linux: install libnss3-tools)."
                )
            );
            return Ok(ExitCode::from(1));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The terminal as the bridge's user: origins only from the allow-list, the PIN given
/// at start (unattended), one log line per call on stderr.
struct TerminalUi {
    /// The PIN given at start; dropped once the token refuses it, so a wrong PIN
    /// never uses up the token's tries call after call.
    pin: std::sync::Mutex<Option<Pin>>,
}

impl BridgeUi for TerminalUi {
    fn ask_origin(&self, _origin: &str) -> bool {
        false
    }

    fn can_sign(&self) -> Result<(), kyso::bridge::BridgeError> {
        match self.pin.lock() {
            Ok(p) if p.is_some() => Ok(()),
            _ if self.unattended() => Err(kyso::bridge::BridgeError::PinRefusedEarlier),
            _ => Err(kyso::bridge::BridgeError::NoConfirmation),
        }
    }

    fn ask_pin(&self, what: &BridgeConfirmation, summary: &SignSummary, last: Option<&AgentErrorBody>) -> Option<SecretPin> {
        let mut held = self.pin.lock().ok()?;
        if last.is_some() {
            // The PIN given at start was refused: asking again would only use up tries.
            *held = None;
            self.log("the token refused the PIN given at start: unattended signing stopped");
            return None;
        }
        let pin = held.as_ref()?;
        let cert = summary.certificate.as_deref().unwrap_or("?");
        self.log(&format!("{} {}: signing {} ({} bytes) as {cert}", what.origin, what.endpoint, what.file_name, what.size));
        Some(SecretPin::from(pin.clone()))
    }

    fn pin_finished(&self, outcome: Result<(), &AgentErrorBody>) {
        if let Err(e) = outcome {
            if e.kind.starts_with("pin") {
                if let Ok(mut held) = self.pin.lock() {
                    *held = None;
                }
            }
        }
    }

    fn pick_pdf(&self, _name: &str) -> Option<PathBuf> {
        None
    }

    fn open_settings(&self) -> bool {
        false
    }

    fn log(&self, line: &str) {
        let now = kyso::time::iso8601(time::OffsetDateTime::now_utc());
        eprintln!("{now} {}", super::one_line(line));
    }
}

impl TerminalUi {
    /// Started with `--unattended` (a PIN was given, even if since refused).
    fn unattended(&self) -> bool {
        UNATTENDED.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// Set once at start with `--unattended`.
static UNATTENDED: AtomicBool = AtomicBool::new(false);

impl std::fmt::Debug for TerminalUi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TerminalUi")
    }
}
