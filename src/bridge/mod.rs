//! The e-office bridge: the agency's e-office web pages sign through KýSố with the
//! calls they make to the Government Cipher Committee's VGCA Sign Service
//! (`wss://127.0.0.1:8987/<Endpoint>`, `docs/eoffice-protocol.md`).
//!
//! [`Bridge::handle`] answers one call: the page's origin is checked against the
//! [`guard::OriginPolicy`] (asking the user once for a new one), the document is
//! fetched from the page's own server with the page's session ([`transfer`]), enters
//! the queue with the requesting site in its history, is signed through the
//! [`Office`] flows after the user confirmed it in the PIN window (or, in
//! `--unattended` mode for listed origins, with the PIN given at start), and is sent
//! back. A signed file whose upload failed stays in the queue and is sent again by
//! [`Bridge::retry_upload`] (*Gửi lại*) or when the page asks again for the same file.
//! [`server`] carries calls over TLS ([`tls`]) and WebSocket.

mod error;
pub mod guard;
pub mod protocol;
pub mod server;
pub mod tls;
pub mod transfer;

use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use url::Url;
use zeroize::Zeroizing;

pub use error::BridgeError;
use guard::OriginPolicy;
use protocol::{Endpoint, Reply, Request, Status};
use transfer::{Credentials, Uploaded};

use crate::agent::protocol::SecretPin;
use crate::agent::AgentErrorBody;
use crate::i18n::{Lang, Localize};
use crate::office::{AgencyStamp, BatchItem, Office, OfficeError, PinPrompt, SignDocument, SignSummary, TokenChoice};
use crate::queue::{sha256_file, DocRole, DocStatus};
use crate::stamp::signer_check::SignerNameRefusal;
use crate::token::Role;

/// The address the e-office pages call.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8987";

/// How the bridge finds a certificate (as `kyso sign` does: token label, certificate label).
#[derive(Clone, Debug, Default)]
pub struct CertPick {
    /// Token label.
    pub token: Option<String>,
    /// Certificate label.
    pub cert_label: Option<String>,
}

/// Settings of a [`Bridge`].
#[derive(Clone, Debug)]
pub struct BridgeConfig {
    /// Where to listen (loopback only).
    pub listen: SocketAddr,
    /// Origins IT allows (never asked).
    pub allow_origins: Vec<String>,
    /// Sign listed origins' requests without asking (`kyso bridge --unattended`).
    pub unattended: bool,
    /// The personal certificate (SignApproved, SignFile, GetCertInfo).
    pub personal: CertPick,
    /// The agency certificate (SignIssued, SignCopy, SignAppendix, SignIncome).
    pub seal: CertPick,
}

impl Default for BridgeConfig {
    fn default() -> Self {
        BridgeConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8987)),
            allow_origins: Vec::new(),
            unattended: false,
            personal: CertPick::default(),
            seal: CertPick::default(),
        }
    }
}

/// What the user confirms before a bridged signature: shown in the PIN window
/// above the document summary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct BridgeConfirmation {
    /// The requesting web site (origin).
    pub origin: String,
    /// The call (`SignApproved`, `SignIssued`…).
    pub endpoint: String,
    /// What will be done, in Vietnamese ("Ký duyệt (chữ ký cá nhân)"…).
    pub action_vi: String,
    /// What will be done, in English.
    pub action_en: String,
    /// The document's file name.
    pub file_name: String,
    /// Its size in bytes.
    pub size: u64,
    /// Queue id (the preview reads the document through it).
    pub document_id: i64,
}

/// What the bridge needs from the program it runs in: the desktop app (dialogs and
/// the PIN window) or `kyso bridge` (unattended, PIN from stdin).
pub trait BridgeUi: Send + Sync {
    /// Ask whether the web page `origin` may use KýSố ("Trang … muốn dùng KýSố để
    /// ký. Cho phép?"). Asked once per origin; a yes is remembered.
    fn ask_origin(&self, origin: &str) -> bool;
    /// Show what will be signed and ask for the PIN; `last` is why the previous PIN
    /// was refused. `None`: the user cancelled.
    fn ask_pin(&self, what: &BridgeConfirmation, summary: &SignSummary, last: Option<&AgentErrorBody>) -> Option<SecretPin>;
    /// The login ended.
    fn pin_finished(&self, _outcome: Result<(), &AgentErrorBody>) {}
    /// Whether a signature can be confirmed now (`Err`: why not, answered before
    /// anything is downloaded).
    fn can_sign(&self) -> Result<(), BridgeError> {
        Ok(())
    }
    /// The signature block names `block_name` but the certificate is `holder`'s:
    /// may this person sign there (a deputy, `delegation` `KT.`/`TL.`/`TUQ.`)?
    /// Asked before the PIN; the default (unattended) is no.
    fn confirm_name_mismatch(&self, _what: &BridgeConfirmation, _block_name: &str, _holder: &str, _delegation: Option<&str>) -> bool {
        false
    }
    /// Let the user pick the local PDF a page named only by `name`; `None`: cancelled
    /// or impossible (no dialog in unattended mode).
    fn pick_pdf(&self, name: &str) -> Option<PathBuf>;
    /// Open KýSố's settings (`Config`); false when there is nothing to open.
    fn open_settings(&self) -> bool;
    /// The certificate the user chose for bridged signatures of this kind, if any.
    fn certificate(&self, _agency: bool) -> Option<TokenChoice> {
        None
    }
    /// One line about a call (site, call, outcome; never a PIN or a session).
    fn log(&self, line: &str);
    /// The queue changed (the desktop refreshes its lists).
    fn queue_changed(&self) {}
}

/// An upload to do again: where and with which session (kept in memory only: the
/// page's session is a credential and is not written to disk).
#[derive(Clone, Debug)]
struct PendingUpload {
    /// (origin, call, download address, SHA-256 of the downloaded file): the same
    /// request again sends the signed file again instead of signing it twice.
    key: String,
    url: Url,
    creds: Credentials,
    file_name: String,
    fields: Vec<(String, String)>,
    origin: String,
}

/// A document fetched for a call.
struct Fetched {
    path: PathBuf,
    name: String,
    size: u64,
    /// Download address without its query (for the history), or the local file.
    source: String,
    key_source: String,
    sha256: String,
}

/// The bridge service.
pub struct Bridge {
    office: Arc<Office>,
    ui: Arc<dyn BridgeUi>,
    policy: OriginPolicy,
    config: BridgeConfig,
    pending: Mutex<HashMap<i64, PendingUpload>>,
    /// One signing call at a time (one token login at a time).
    signing: Mutex<()>,
}

impl Bridge {
    /// A bridge over `office`. `--unattended` without an allow-list is refused.
    pub fn new(office: Arc<Office>, ui: Arc<dyn BridgeUi>, config: BridgeConfig) -> Result<Bridge, BridgeError> {
        let policy = OriginPolicy::new(&config.allow_origins, Some(&office.config().data_dir));
        if config.unattended && !policy.has_list() {
            return Err(BridgeError::UnattendedWithoutAllowList);
        }
        Ok(Bridge { office, ui, policy, config, pending: Mutex::new(HashMap::new()), signing: Mutex::new(()) })
    }

    /// The settings.
    pub fn config(&self) -> &BridgeConfig {
        &self.config
    }

    /// The office the bridge signs through.
    pub fn office(&self) -> &Office {
        &self.office
    }

    /// Whether `origin` (normalized) may call, asking the user once when it is
    /// neither listed nor remembered (never in unattended mode).
    pub fn admit(&self, origin: &str) -> bool {
        if self.policy.allowed(origin) {
            return true;
        }
        if self.config.unattended || self.policy.refused(origin) {
            return false;
        }
        let yes = self.ui.ask_origin(origin);
        self.policy.remember(origin, yes);
        self.ui.log(&format!("{origin}: {}", if yes { "allowed by the user" } else { "refused by the user" }));
        yes
    }

    /// Answer one call from the page at `origin` (already normalized and checked
    /// by the server: the `Host` was local).
    pub fn handle(&self, endpoint: Endpoint, origin: &str, message: &str) -> Reply {
        if !self.admit(origin) {
            self.ui.log(&format!("{origin} {}: refused (origin not allowed)", endpoint.name()));
            return Reply::error(BridgeError::OriginNotAllowed(origin.to_owned()).localize(Lang::Vi));
        }
        let reply = match Request::parse(message) {
            Ok(req) => self.dispatch(endpoint, origin, &req),
            Err(e) => Err(BridgeError::BadRequest(e.to_string()).into()),
        };
        let reply = reply.unwrap_or_else(|e| if is_cancel(&e) { Reply::cancelled() } else { Reply::error(e.localize(Lang::Vi)) });
        self.ui.log(&format!("{origin} {}: status {} {}", endpoint.name(), reply.status, reply.message));
        reply
    }

    fn dispatch(&self, endpoint: Endpoint, origin: &str, req: &Request) -> Result<Reply, crate::Error> {
        match endpoint {
            Endpoint::GetVersion => {
                let v = env!("CARGO_PKG_VERSION");
                let mut r = Reply::ok(v);
                r.extra.insert("Version".into(), v.into());
                r.extra.insert("Product".into(), "KySo".into());
                Ok(r)
            }
            Endpoint::Config => Ok(if self.ui.open_settings() {
                Reply::ok("Đã mở cài đặt KýSố.")
            } else {
                Reply::ok("KýSố đang chạy ở chế độ dòng lệnh: cài đặt nằm trong settings.toml (xem docs/it-guide.md).")
            }),
            Endpoint::GetCertInfo => self.cert_info(),
            Endpoint::Unsupported => Err(BridgeError::Unsupported("này".into()).into()),
            Endpoint::VerifyPdf => self.verify(origin, req),
            _ => {
                let _one = self.signing.lock().unwrap_or_else(|p| p.into_inner());
                self.sign(endpoint, origin, req)
            }
        }
    }

    /// The certificate a call of this kind signs with: the pick given at start,
    /// else the user's choice, else the only one of that kind on the tokens.
    pub fn choose(&self, agency: bool) -> Result<TokenChoice, crate::Error> {
        let pick = if agency { &self.config.seal } else { &self.config.personal };
        if pick.token.is_none() && pick.cert_label.is_none() {
            if let Some(c) = self.ui.certificate(agency) {
                return Ok(c);
            }
        }
        let tokens = self.office.list_tokens()?;
        let want = if agency { Role::Agency } else { Role::Personal };
        let candidates: Vec<TokenChoice> = tokens
            .iter()
            .filter(|t| pick.token.as_ref().is_none_or(|l| &t.label == l))
            .flat_map(|t| t.certificates.iter().map(move |c| (t, c)))
            .filter(|(_, c)| match &pick.cert_label {
                Some(l) => &c.label == l,
                None => c.role == want,
            })
            .map(|(t, c)| TokenChoice { token_label: t.label.clone(), cert_id_hex: c.id_hex.clone() })
            .collect();
        match candidates.as_slice() {
            [one] => Ok(one.clone()),
            _ => Err(BridgeError::NoCertificate(if agency { "agency" } else { "personal" }).into()),
        }
    }

    fn cert_info(&self) -> Result<Reply, crate::Error> {
        let choice = self.choose(false)?;
        // As `choose` just listed it; listed again only when it was not (to report why).
        let cert = match self.office.known_certificate(&choice) {
            Some(c) => c,
            None => self.office.certificate_of(&choice)?.ok_or(BridgeError::NoCertificate("personal"))?,
        };
        let mut r = Reply::ok(cert.common_name.clone().unwrap_or_else(|| cert.subject.clone()));
        let b64 = <base64ct::Base64 as base64ct::Encoding>::encode_string(&cert.der);
        for (k, v) in [
            ("Subject", cert.subject.clone()),
            ("Issuer", cert.issuer.clone()),
            ("SerialNumber", cert.serial.clone()),
            ("ValidFrom", cert.not_before.clone()),
            ("ValidTo", cert.not_after.clone()),
            ("Certificate", b64),
            ("TokenLabel", choice.token_label.clone()),
        ] {
            r.extra.insert(k.into(), v.into());
        }
        Ok(r)
    }

    fn verify(&self, origin: &str, req: &Request) -> Result<Reply, crate::Error> {
        let (fetched, _) = self.fetch(Endpoint::VerifyPdf, origin, req)?;
        let doc = self.enqueue(&fetched, DocRole::Incoming, Endpoint::VerifyPdf, origin)?;
        let (_, report) = self.office.verify_document(doc)?;
        self.ui.queue_changed();
        let mut r = Reply::ok(report.message_vi.clone());
        r.extra.insert("Valid".into(), (report.indication == crate::verify::verdict::Indication::TotalPassed).into());
        r.extra.insert("Data".into(), serde_json::to_value(&report).unwrap_or_default());
        Ok(r)
    }

    fn sign(&self, endpoint: Endpoint, origin: &str, req: &Request) -> Result<Reply, crate::Error> {
        self.ui.can_sign()?;
        let (fetched, creds) = self.fetch(endpoint, origin, req)?;
        let upload = match req.file_upload_handler.as_deref().filter(|u| !u.trim().is_empty()) {
            Some(u) => Some(self.policy.resolve_url(origin, u)?),
            None => None,
        };
        let key = format!("{origin}\n{}\n{}\n{}", endpoint.name(), fetched.key_source, fetched.sha256);
        // The page asks again for a file signed here whose upload failed: send it again.
        let again = self.pending.lock().map(|p| p.iter().find(|(_, u)| u.key == key).map(|(id, _)| *id)).unwrap_or(None);
        if let Some(id) = again {
            let _ = std::fs::remove_file(&fetched.path);
            return self.upload_again(id, Some((creds, req)));
        }
        let role = match endpoint {
            Endpoint::SignApproved | Endpoint::SignFile => DocRole::Sign,
            Endpoint::SignIncome => DocRole::Incoming,
            _ => DocRole::Seal,
        };
        let id = self.enqueue(&fetched, role, endpoint, origin)?;
        let what = BridgeConfirmation {
            origin: origin.to_owned(),
            endpoint: endpoint.name().to_owned(),
            action_vi: action_text(endpoint, Lang::Vi).to_owned(),
            action_en: action_text(endpoint, Lang::En).to_owned(),
            file_name: fetched.name.clone(),
            size: fetched.size,
            document_id: id,
        };
        let mut prompt = BridgePrompt { ui: self.ui.as_ref(), what: &what };
        let doc_date = match req.issued_date.as_deref() {
            Some(d) => Some(protocol::issued_date(d).ok_or_else(|| BridgeError::BadRequest(format!("IssuedDate {d:?}")))?),
            None => None,
        };
        let signed_path = match endpoint {
            Endpoint::SignApproved | Endpoint::SignFile => {
                let choice = self.choose(false)?;
                let mut sign = SignDocument { id, ..SignDocument::default() };
                let signed = match self.office.sign_document(&sign, &choice, &mut prompt) {
                    // The block names someone else (R15, Decree 68/2024): the user decides,
                    // before any PIN; nobody at the computer (unattended) means no.
                    Err(crate::Error::SignerName(SignerNameRefusal::NameMismatch { block_name, holder, delegation })) => {
                        if !self.ui.confirm_name_mismatch(&what, &block_name, &holder, delegation.as_deref()) {
                            return Err(BridgeError::NameMismatch { block_name, holder }.into());
                        }
                        sign.allow_name_mismatch = true;
                        self.office.sign_document(&sign, &choice, &mut prompt)?
                    }
                    other => other?,
                };
                signed.doc.current_path
            }
            Endpoint::SignIssued => {
                let number = req.doc_number.clone().ok_or(BridgeError::Missing("DocNumber"))?;
                // No date from the page: the day of release (Vietnam time), shown in the
                // confirmation before the PIN.
                let date = doc_date.unwrap_or_else(|| {
                    let d = crate::time::now_vietnam().date();
                    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
                });
                let choice = self.choose(true)?;
                let item = BatchItem { id, doc_number: Some(number), doc_date: Some(date), ..BatchItem::default() };
                let mut results = self.office.seal_batch(&[item], &choice, &mut prompt, &mut |_| {})?;
                let r = results.pop().ok_or(BridgeError::BadRequest("empty batch".into()))?;
                match (r.doc, r.error) {
                    (Some(doc), _) => doc.current_path,
                    (None, Some(body)) => return Ok(Reply::error(body.vi)),
                    (None, None) => return Err(OfficeError::Cancelled.into()),
                }
            }
            Endpoint::SignCopy | Endpoint::SignAppendix => {
                let kind = if endpoint == Endpoint::SignCopy { AgencyStamp::Copy } else { AgencyStamp::Annex };
                let choice = self.choose(true)?;
                self.office.stamp_document(id, kind, req.doc_number.clone(), &choice, &mut prompt)?.doc.current_path
            }
            Endpoint::SignIncome => {
                // R11: only a document checked valid is received.
                let (doc, report) = self.office.verify_document(id)?;
                self.ui.queue_changed();
                if doc.status != DocStatus::Valid {
                    return Err(BridgeError::IncomingNotValid(report.message_vi).into());
                }
                let choice = self.choose(true)?;
                self.office.stamp_document(id, AgencyStamp::Incoming, req.doc_number.clone(), &choice, &mut prompt)?.doc.current_path
            }
            _ => return Err(BridgeError::Unsupported(endpoint.name().into()).into()),
        };
        self.ui.queue_changed();
        let Some(url) = upload else {
            // No upload address: the signed file stays here.
            let mut r = Reply::ok("Đã ký số.");
            r.file_name = Some(signed_path.clone());
            return Ok(r);
        };
        let pending = PendingUpload { key, url, creds, file_name: fetched.name.clone(), fields: req.fields(), origin: origin.to_owned() };
        if let Ok(mut p) = self.pending.lock() {
            p.insert(id, pending);
        }
        self.upload_again(id, None)
    }

    /// Send document `id`'s signed file to where its page asked (the *Gửi lại*
    /// action). Only while this program runs: the page's session is not stored.
    pub fn retry_upload(&self, id: i64) -> Result<Uploaded, crate::Error> {
        let reply = self.upload_again(id, None)?;
        if reply.status == Status::Ok as i32 {
            Ok(Uploaded { file_name: reply.file_name, file_server: reply.file_server, message: Some(reply.message) })
        } else {
            Err(BridgeError::Upload(reply.message).into())
        }
    }

    /// Queue ids whose signed file waits to be sent again.
    pub fn pending_uploads(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self.pending.lock().map(|p| p.keys().copied().collect()).unwrap_or_default();
        ids.sort_unstable();
        ids
    }

    fn upload_again(&self, id: i64, fresh: Option<(Credentials, &Request)>) -> Result<Reply, crate::Error> {
        let mut pending = {
            let p = self.pending.lock().unwrap_or_else(|p| p.into_inner());
            p.get(&id).cloned().ok_or(BridgeError::NothingToRetry(id))?
        };
        if let Some((creds, req)) = fresh {
            // The page's newer session and fields.
            pending.creds = creds;
            pending.fields = req.fields();
        }
        let doc = self.office.queue().get(id)?;
        let path = PathBuf::from(&doc.current_path);
        let bytes = std::fs::read(&path).map_err(|e| BridgeError::io(&path, e))?;
        match transfer::upload(&pending.url, &pending.creds, &pending.file_name, &bytes, &pending.fields) {
            Ok(up) => {
                if let Ok(mut p) = self.pending.lock() {
                    p.remove(&id);
                }
                let detail = format!("{} {}", pending.origin, up.file_name.as_deref().unwrap_or(&pending.file_name));
                let _ = self.office.queue().record_event(id, "uploaded", &detail);
                self.ui.queue_changed();
                let mut r = Reply::ok(up.message.clone().unwrap_or_else(|| "Đã ký số và gửi văn bản lên hệ thống.".into()));
                r.file_name = up.file_name.or(Some(pending.file_name.clone()));
                r.file_server = up.file_server;
                Ok(r)
            }
            Err(e) => {
                let _ = self.office.queue().record_event(id, "upload_failed", &e.localize(Lang::En));
                if let Ok(mut p) = self.pending.lock() {
                    p.insert(id, pending);
                }
                self.ui.queue_changed();
                Err(e.into())
            }
        }
    }

    /// The document of a call: downloaded from the page's server (address checked
    /// against the policy), or picked by the user when the page names only a file;
    /// written into `bridge/inbox/<time>-<random>/NAME.pdf` in the data folder.
    fn fetch(&self, endpoint: Endpoint, origin: &str, req: &Request) -> Result<(Fetched, Credentials), crate::Error> {
        let creds = Credentials { session_id: req.session_id.clone().map(Zeroizing::new), jwt: req.jwt_token.clone().map(Zeroizing::new) };
        let target = req.file_name.as_deref().map(str::trim).filter(|f| !f.is_empty()).ok_or(BridgeError::Missing("FileName"))?;
        let (bytes, name, source, key_source) = if guard::is_address(target) {
            let url = self.policy.resolve_url(origin, target)?;
            let check = |u: &str| self.policy.resolve_url(origin, u);
            let (bytes, name) = transfer::download(&url, &creds, &check)?;
            let mut shown = url.clone();
            shown.set_query(None);
            (bytes, name, shown.to_string(), url.to_string())
        } else {
            let path = self.ui.pick_pdf(target).ok_or_else(|| {
                if self.config.unattended {
                    crate::Error::from(BridgeError::NoFileDialog)
                } else {
                    OfficeError::Cancelled.into()
                }
            })?;
            let file = crate::input::open_regular(&path).map_err(|e| BridgeError::io(&path, e))?;
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut std::io::Read::take(file, transfer::MAX_DOCUMENT + 1), &mut bytes)
                .map_err(|e| BridgeError::io(&path, e))?;
            if bytes.len() as u64 > transfer::MAX_DOCUMENT {
                return Err(BridgeError::TooLarge(transfer::MAX_DOCUMENT >> 20).into());
            }
            if !transfer::starts_like_pdf(&bytes) {
                return Err(BridgeError::NotPdf.into());
            }
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            let shown = path.display().to_string();
            (bytes, name, shown.clone(), shown)
        };
        let mut name = name.and_then(|n| transfer::clean_name(&n)).unwrap_or_else(|| format!("{}.pdf", endpoint.name()));
        if !crate::office::is_pdf_name(Path::new(&name)) {
            name.push_str(".pdf");
        }
        let dir = inbox_dir(&self.office.config().data_dir)?;
        let path = dir.join(&name);
        let io = |e| BridgeError::io(&path, e);
        let mut f = crate::atomic::AtomicFile::create(&path, crate::atomic::Mode::NoClobber).map_err(io)?;
        f.file().write_all(&bytes).map_err(io)?;
        f.commit().map_err(io)?;
        let sha256 = sha256_file(&path)?;
        let size = bytes.len() as u64;
        Ok((Fetched { path, name, size, source, key_source, sha256 }, creds))
    }

    fn enqueue(&self, fetched: &Fetched, role: DocRole, endpoint: Endpoint, origin: &str) -> Result<i64, crate::Error> {
        let doc = self.office.add_paths(std::slice::from_ref(&fetched.path), role)?;
        let id = doc.first().map(|d| d.id).ok_or(BridgeError::Missing("FileName"))?;
        let detail = format!("{origin} {} {}", endpoint.name(), fetched.source);
        self.office.queue().record_event(id, "bridge_received", &detail)?;
        self.ui.queue_changed();
        Ok(id)
    }
}

/// `n` random bytes, hex (folder names, multipart boundaries, CA names).
fn random_hex(n: usize) -> String {
    use rand_core::RngCore;
    let mut b = vec![0u8; n];
    rand_core::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

/// A fresh folder for one call's document.
fn inbox_dir(data_dir: &Path) -> Result<PathBuf, BridgeError> {
    let now = time::OffsetDateTime::now_utc();
    let stamp = format!(
        "{:04}{:02}{:02}-{:02}{:02}{:02}-{}",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second(),
        random_hex(4)
    );
    let dir = tls::dir(data_dir).join("inbox").join(stamp);
    std::fs::create_dir_all(&dir).map_err(|e| BridgeError::io(&dir, e))?;
    Ok(dir)
}

fn is_cancel(e: &crate::Error) -> bool {
    matches!(e, crate::Error::Office(OfficeError::Cancelled))
}

fn action_text(endpoint: Endpoint, lang: Lang) -> &'static str {
    match endpoint {
        Endpoint::SignApproved | Endpoint::SignFile => lang.pick("Ký duyệt (chữ ký số cá nhân)", "Approve (personal signature)"),
        Endpoint::SignIssued => lang.pick("Cấp số và ký số cơ quan để phát hành", "Number and sign as the agency to release"),
        Endpoint::SignCopy => lang.pick("Ký số cơ quan trên bản sao điện tử", "Agency signature on an electronic copy"),
        Endpoint::SignAppendix => lang.pick("Ký số cơ quan trên phụ lục", "Agency signature on an annex"),
        Endpoint::SignIncome => lang.pick("Kiểm tra và ký số tiếp nhận văn bản đến", "Check and stamp an incoming document"),
        _ => lang.pick("Ký số", "Sign"),
    }
}

/// The office's PIN prompt for a bridged call: the [`BridgeUi`] shows the site and
/// the document with the summary.
struct BridgePrompt<'a> {
    ui: &'a dyn BridgeUi,
    what: &'a BridgeConfirmation,
}

impl PinPrompt for BridgePrompt<'_> {
    fn ask(&mut self, summary: &SignSummary, last: Option<&AgentErrorBody>) -> Option<SecretPin> {
        self.ui.ask_pin(self.what, summary, last)
    }

    fn finished(&mut self, outcome: Result<(), &AgentErrorBody>) {
        self.ui.pin_finished(outcome);
    }
}
