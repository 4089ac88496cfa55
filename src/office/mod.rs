//! The office's document flow, as the desktop app drives it: documents enter the
//! queue ([`crate::queue`]), are signed by a leader, numbered and sealed by the
//! clerk in batches, released, or checked on arrival and registered or rejected
//! (SPEC R7–R12, R16, R17).
//!
//! [`Office`] ties together the queue, the token helper process
//! ([`crate::agent::client::AgentClient`]) and the verifier, so that the desktop
//! shell only passes data through. Every method takes `&self`: the queue and the
//! agent have their own locks, so listing the queue is not blocked while a batch
//! is signing, and a batch is cancelled through [`Office::cancel_batch`].

mod batch;
mod devices;
mod error;
pub mod grants;
mod images;
mod inbox;
mod lifecycle;
mod naming;
mod prompt;
mod signing;
mod stamps;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

pub use batch::{BatchItem, BatchProgress, BatchResult, BatchState};
pub use devices::{flatten_inventory, CertView, ExpiringCertificate, TokenView};
pub use error::OfficeError;
pub use grants::{FileRef, GrantKind, Grants};
pub use images::StampImageKind;
pub use inbox::{signers_line, verdict_code, Rejection};
pub use lifecycle::{HandoverMade, HandoverRequest, RecoveryWritten};
pub use naming::output_beside;
pub use prompt::{DocumentSummary, FixedPin, PinPrompt, SignSummary};
pub use signing::{PreviewRequest, SignDocument, SignedDocument, TokenChoice};
pub use stamps::AgencyStamp;

use crate::agent::AgentClient;
use crate::queue::{DocRole, Document, Queue};
use crate::verify::engine::VerifyOptions;

/// How to start the token helper process.
#[derive(Clone, Debug)]
pub struct AgentCommand {
    /// The program (`kyso`, or the desktop app's own executable).
    pub program: PathBuf,
    /// Its arguments (`["agent"]` or `["--agent"]`).
    pub args: Vec<OsString>,
}

/// Settings of an [`Office`].
#[derive(Clone, Debug)]
pub struct OfficeConfig {
    /// Queue database, archive and notices live here.
    pub data_dir: PathBuf,
    /// The token helper process.
    pub agent: AgentCommand,
    /// PKCS#11 modules to use instead of discovery (tests, IT overrides).
    pub modules: Vec<PathBuf>,
    /// Extra trust anchors for verification.
    pub trust: Vec<PathBuf>,
    /// CRL files to use besides those in the documents and online.
    pub crls: Vec<PathBuf>,
    /// No online revocation checks.
    pub offline: bool,
}

/// The queue, the token helper and the verifier, shared by the desktop's commands.
pub struct Office {
    config: OfficeConfig,
    queue: Mutex<Queue>,
    agent: Mutex<Option<AgentClient>>,
    cancel: AtomicBool,
    grants: Grants,
    tokens_seen: Mutex<Vec<TokenView>>,
}

impl Office {
    /// Open (or create) the queue in `config.data_dir`. The helper process is
    /// started on first use.
    pub fn open(config: OfficeConfig) -> Result<Office, crate::Error> {
        let queue = Queue::open(&config.data_dir).map_err(crate::Error::from)?;
        Ok(Office {
            config,
            queue: Mutex::new(queue),
            agent: Mutex::new(None),
            cancel: AtomicBool::new(false),
            grants: Grants::default(),
            tokens_seen: Mutex::new(Vec::new()),
        })
    }

    /// The settings.
    pub fn config(&self) -> &OfficeConfig {
        &self.config
    }

    /// The queue, locked. A poisoned lock (a panic elsewhere) is recovered: the
    /// queue's state lives in SQLite, not in memory.
    pub fn queue(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn agent(&self) -> MutexGuard<'_, Option<AgentClient>> {
        self.agent.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Verification options for this office (bundled + user + configured anchors).
    pub fn verify_options(&self) -> VerifyOptions {
        let (mut opts, _warnings) = VerifyOptions::new(&self.config.trust);
        opts.offline = self.config.offline;
        opts.crl_files = self.config.crls.clone();
        opts.file_digest = true;
        opts
    }

    /// The file grants the shell mints and the office redeems.
    pub fn grants(&self) -> &Grants {
        &self.grants
    }

    /// Add the files behind granted `handles` ([`GrantKind::Open`], each used once)
    /// in `role`. A handle the shell did not mint is [`OfficeError::NotGranted`] and
    /// nothing is added.
    pub fn add_files(&self, handles: &[String], role: DocRole) -> Result<Vec<Document>, crate::Error> {
        let paths = handles.iter().map(|h| self.grants.take(h, GrantKind::Open)).collect::<Result<Vec<_>, _>>()?;
        self.add_paths(&paths, role)
    }

    /// Add files (folders are expanded to the PDFs directly inside them) in `role`.
    /// Content is checked first: a named file that does not start like a PDF is
    /// [`OfficeError::NotPdf`]; a folder's files that do not are skipped.
    pub fn add_paths(&self, paths: &[PathBuf], role: DocRole) -> Result<Vec<Document>, crate::Error> {
        let mut files = Vec::new();
        for p in paths {
            if p.is_dir() {
                let entries = std::fs::read_dir(p).map_err(|source| crate::error::OutputError::ReadInput { path: p.clone(), source })?;
                let mut found: Vec<PathBuf> = entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|f| f.is_file() && is_pdf_name(f) && grants::looks_like_pdf(f))
                    .collect();
                found.sort();
                files.extend(found);
            } else if grants::looks_like_pdf(p) {
                files.push(p.clone());
            } else if !p.exists() {
                let source = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
                return Err(crate::error::OutputError::ReadInput { path: p.clone(), source }.into());
            } else {
                let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                return Err(OfficeError::NotPdf { name }.into());
            }
        }
        let mut q = self.queue();
        let mut out = Vec::new();
        for f in files {
            out.push(q.add(&f, role).map_err(crate::Error::from)?);
        }
        Ok(out)
    }

    /// Ask a running batch to stop after the document it is signing.
    pub fn cancel_batch(&self) {
        self.cancel.store(true, Ordering::SeqCst);
    }

    fn take_cancel(&self) -> bool {
        self.cancel.swap(false, Ordering::SeqCst)
    }

    fn reset_cancel(&self) {
        self.cancel.store(false, Ordering::SeqCst);
    }

    fn notices_dir(&self) -> PathBuf {
        self.config.data_dir.join("notices")
    }

    fn document(&self, id: i64) -> Result<Document, crate::Error> {
        self.queue().get(id).map_err(crate::Error::from)
    }
}

impl Office {
    /// The current bytes of document `id` (for the preview): only a queued
    /// document, only a PDF (`%PDF-` checked again: the file may have been replaced
    /// since it was added). Refuses files over 256 MB rather than filling the
    /// window's memory.
    pub fn read_current(&self, id: i64) -> Result<Vec<u8>, crate::Error> {
        const MAX: u64 = 256 << 20;
        let doc = self.document(id)?;
        let path = PathBuf::from(&doc.current_path);
        if path.exists() && !grants::looks_like_pdf(&path) {
            return Err(OfficeError::NotPdf { name: doc.file_name }.into());
        }
        let read_err = |source| crate::error::OutputError::ReadInput { path: path.clone(), source };
        let len = std::fs::metadata(&path).map_err(read_err)?.len();
        if len > MAX {
            return Err(crate::error::OutputError::ReadInput {
                path: path.clone(),
                source: std::io::Error::new(std::io::ErrorKind::InvalidData, "file larger than 256 MB"),
            }
            .into());
        }
        std::fs::read(&path).map_err(|source| crate::error::OutputError::ReadInput { path: path.clone(), source }.into())
    }

    /// Write the per-role report of `year` as CSV to the file the user chose in a
    /// save dialog (`handle`, [`GrantKind::Save`]: the dialog asked before replacing
    /// a file). Written atomically: a failure leaves no half-written report.
    pub fn export_report_csv(&self, year: i32, handle: &str) -> Result<PathBuf, crate::Error> {
        let path = self.grants.take(handle, GrantKind::Save)?;
        let csv = self.queue().report_csv(year)?;
        crate::atomic::write(&path, csv.as_bytes(), crate::atomic::Mode::Replace)
            .map_err(|e| crate::error::OutputError::from_write(&path, e))?;
        Ok(path)
    }

    /// *Lưu trữ → Gia hạn*: a document time-stamp (B-LTA) for every archived
    /// document whose last time-stamp certificate expires within a year (or that has
    /// none), with the office's TSA (`settings.toml`); each result kept as a new
    /// version beside the original ([`crate::queue::Queue::extend_archive`]).
    pub fn extend_archive(&self) -> Result<Vec<crate::queue::ExtendOutcome>, crate::Error> {
        let tsa = crate::settings::Settings::load()?.tsa;
        if tsa.is_empty() {
            return Err(crate::longterm::LongTermError::Tsa(crate::tsa::TsaError::NoAddress).into());
        }
        let before = time::OffsetDateTime::now_utc() + time::Duration::days(365);
        let opts = self.verify_options();
        Ok(self.queue().extend_archive(before, &crate::tsa::TsaClient::new(tsa), &opts)?)
    }

    /// Back up the queue and the archive into a new folder inside the folder the
    /// user chose (`handle`, [`GrantKind::Folder`]).
    pub fn export_backup(&self, handle: &str) -> Result<crate::queue::BackupReport, crate::Error> {
        let dir = self.grants.take(handle, GrantKind::Folder)?;
        Ok(self.queue().export_backup(&dir)?)
    }
}

/// Where the desktop app keeps its queue: `KYSO_DATA_DIR`, else the user's data
/// dir (`~/.local/share/kyso`, `%APPDATA%\kyso`), the same as the CLI's.
pub fn default_data_dir() -> PathBuf {
    std::env::var_os("KYSO_DATA_DIR")
        .map(PathBuf::from)
        .or_else(|| dirs::data_dir().map(|d| d.join("kyso")))
        .unwrap_or_else(|| PathBuf::from(".kyso"))
}

/// `*.pdf`, any case.
pub fn is_pdf_name(p: &Path) -> bool {
    p.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf"))
}
