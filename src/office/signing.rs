//! A leader signs one document; the agent does the token work.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use super::Office;
use super::{DocumentSummary, OfficeError, PinPrompt, SignSummary};
use crate::agent::protocol::SecretPin;
use crate::agent::protocol::SignResult;
use crate::agent::{AgentClient, AgentErrorBody, Login};
use crate::job::{JobRole, SignJob, StampPlacement};
use crate::queue::{sha256_file, Action, DocRole, DocStatus, Document, SignedRecord};
use crate::verify::engine::{verify_file, DocumentReport};

/// Logging in may wait for a slow token (or its PIN pad).
pub(super) const LOGIN_TIMEOUT: Duration = Duration::from_secs(90);
/// One signature, including the pre-seal check (which may fetch CRLs).
pub(super) const SIGN_TIMEOUT: Duration = Duration::from_secs(120);
/// Listing tokens and certificates.
pub(super) const LIST_TIMEOUT: Duration = Duration::from_secs(30);

/// The token and certificate chosen in the certificate picker.
#[derive(Clone, Debug, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TokenChoice {
    /// Token label.
    pub token_label: String,
    /// The certificate's CKA_ID, hex.
    pub cert_id_hex: String,
}

/// What the *Ký* screen asks for. The stamp image is the one set in the data
/// folder (*Thiết bị*), never a path from the page.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SignDocument {
    /// Queue id.
    pub id: i64,
    /// 1-based page, when the user moved the stamp to another page.
    pub page: Option<usize>,
    /// Top-left of the stamp in mm, when the user dragged it.
    pub at_mm: Option<(f64, f64)>,
    /// The stamp's width in mm, when the user dragged it (so it keeps the size shown).
    pub size_mm: Option<f64>,
    /// No visible stamp.
    pub invisible: bool,
    /// The user confirmed signing a block that names someone else (the page shows
    /// both names after a `name_mismatch` refusal and asks).
    pub allow_name_mismatch: bool,
}

/// What the stamp preview asks for: the same document, certificate and place the
/// signature (or the clerk's seal) will be made with.
#[derive(Clone, Debug, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PreviewRequest {
    /// Queue id.
    pub id: i64,
    /// `sign` (personal signature) or `seal` (the clerk's seal, with number and date).
    pub role: DocRole,
    /// The chosen token's label.
    pub token_label: String,
    /// The chosen certificate's `CKA_ID`, hex: the stamp is planned with it.
    pub cert_id_hex: String,
    /// Number and symbol to write (seal).
    #[serde(default)]
    pub doc_number: Option<String>,
    /// Date `YYYY-MM-DD` to write (seal).
    #[serde(default)]
    pub doc_date: Option<String>,
    /// 1-based page chosen by the user.
    #[serde(default)]
    pub page: Option<usize>,
    /// Top-left of the stamp in mm, when dragged.
    #[serde(default)]
    pub at_mm: Option<(f64, f64)>,
    /// The stamp's width in mm, when dragged.
    #[serde(default)]
    pub size_mm: Option<f64>,
}

/// A document just signed or sealed: the queue's record, the verifier's report of
/// the new file, and where its stamp went.
#[derive(Clone, Debug)]
pub struct SignedDocument {
    /// The document afterwards.
    pub doc: Document,
    /// The verification of the signed file.
    pub report: DocumentReport,
    /// Where the stamp went (as the signing job planned it).
    pub placement: StampPlacement,
}

/// Largest document the preview draws (the whole file goes to the viewer).
const PREVIEW_MAX: u64 = 256 << 20;

/// A place the page asked for: inside a page (mm from the top-left corner, below
/// 2 m) and a stamp between 3 mm and 300 mm wide.
pub(super) fn check_place(at_mm: Option<(f64, f64)>, size_mm: Option<f64>) -> Result<(), crate::Error> {
    let bad = |option: &str, value: String| crate::error::UsageError::InvalidArgument { option: option.into(), value };
    if let Some((x, y)) = at_mm {
        if !(x.is_finite() && y.is_finite() && (0.0..=2000.0).contains(&x) && (0.0..=2000.0).contains(&y)) {
            return Err(bad("--at", format!("{x},{y}")).into());
        }
    }
    if let Some(w) = size_mm {
        if !(w.is_finite() && (3.0..=300.0).contains(&w)) {
            return Err(bad("--size-mm", w.to_string()).into());
        }
    }
    Ok(())
}

/// How [`Office::sign_one`] records a signature: the queue role shown in the PIN
/// window, the status and history action on success, the history action on failure.
pub(super) struct Recorded {
    pub(super) role: DocRole,
    pub(super) status: DocStatus,
    pub(super) action: &'static str,
    pub(super) failure: String,
}

/// A logged-in token session, with who it signs as. Each session has its own
/// agent process: the token's login state belongs to a process, so a second login
/// (a leader signing while the clerk's batch holds the token) is a real `C_Login`
/// in a fresh process, checked against its own PIN — never the batch's login.
pub(super) struct Session {
    /// The agent process holding this session alone.
    client: AgentClient,
    /// The agent's session number.
    pub session: u64,
    /// The certificate's common name (or subject).
    pub actor: Option<String>,
    /// The certificate's serial number, hex.
    pub serial: Option<String>,
}

impl Office {
    /// Log in to a token in a new agent process of its own.
    pub(super) fn login(&self, choice: &TokenChoice, pin: SecretPin) -> Result<Session, crate::Error> {
        let mut client = AgentClient::spawn(&self.config.agent.program, &self.config.agent.args)?;
        let login = Login {
            modules: self.config.modules.clone(),
            token_label: Some(choice.token_label.clone()),
            cert_id_hex: Some(choice.cert_id_hex.clone()),
        };
        let r = client.login(login, pin, LOGIN_TIMEOUT)?;
        let actor = r.signer.common_name.clone().or_else(|| Some(r.signer.subject.clone()));
        Ok(Session { client, session: r.session, actor, serial: Some(r.signer.serial) })
    }

    /// Sign `job` in `session`.
    pub(super) fn sign_in_session(&self, session: &mut Session, job: SignJob) -> Result<SignResult, crate::Error> {
        Ok(session.client.sign(session.session, job, SIGN_TIMEOUT)?)
    }

    /// End `session`: log out, and the agent process exits (errors ignored: an agent
    /// that is gone has logged out anyway).
    pub(super) fn logout(&self, mut session: Session) {
        let _ = session.client.logout(session.session, LIST_TIMEOUT);
        session.client.close();
    }

    /// The shared agent (listing tokens, changing a PIN; never a login), started
    /// when it is not running.
    pub(super) fn with_agent<T>(&self, f: impl FnOnce(&mut AgentClient) -> Result<T, crate::agent::AgentError>) -> Result<T, crate::Error> {
        let mut slot = self.agent();
        if slot.is_none() {
            let client = AgentClient::spawn(&self.config.agent.program, &self.config.agent.args)?;
            *slot = Some(client);
        }
        match slot.as_mut() {
            Some(client) => Ok(f(client)?),
            None => Err(crate::agent::AgentError::Protocol("no agent".into()).into()),
        }
    }

    /// A job on document `doc`'s current file, written beside it as `NAME.<suffix>.pdf`,
    /// with this office's trust anchors, CRLs and network setting, and the stamp image
    /// of `role` when one is set.
    pub(super) fn job_for(&self, doc: &Document, role: JobRole, suffix: &str) -> SignJob {
        let input = PathBuf::from(&doc.current_path);
        let kind = if role.is_agency() { super::StampImageKind::Seal } else { super::StampImageKind::Signature };
        SignJob {
            output: super::output_beside(&input, suffix),
            input,
            role,
            image: self.stamp_image(kind),
            trust: self.config.trust.clone(),
            crls: self.config.crls.clone(),
            offline: self.config.offline,
            ..SignJob::default()
        }
    }

    /// The job of a leader's signature on `doc` (`req`: the place the user chose):
    /// the one [`Office::sign_document`] signs and [`Office::preview_placement`] shows.
    pub(super) fn personal_job(&self, doc: &Document, req: &SignDocument) -> Result<SignJob, crate::Error> {
        check_place(req.at_mm, req.size_mm)?;
        let mut job = self.job_for(doc, JobRole::Personal, "signed");
        job.page = req.page;
        job.at_mm = req.at_mm;
        job.size_mm = req.size_mm;
        job.invisible = req.invisible;
        job.allow_name_mismatch = req.allow_name_mismatch;
        Ok(job)
    }

    /// What `documents` (with the number and date each will get) signed by `choice`
    /// in `role` would be: for the PIN window. Hashes each file now.
    pub fn summary(
        &self,
        role: DocRole,
        choice: &TokenChoice,
        documents: &[(i64, Option<String>, Option<String>)],
    ) -> Result<SignSummary, crate::Error> {
        let mut docs = Vec::with_capacity(documents.len());
        for (id, doc_number, doc_date) in documents {
            let d = self.document(*id)?;
            let sha256 = sha256_file(std::path::Path::new(&d.current_path))?;
            let file_name =
                std::path::Path::new(&d.current_path).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or(d.file_name);
            docs.push(DocumentSummary { id: *id, file_name, sha256, doc_number: doc_number.clone(), doc_date: doc_date.clone() });
        }
        let cert = self.known_certificate(choice);
        Ok(SignSummary {
            role,
            token_label: choice.token_label.clone(),
            cert_id_hex: choice.cert_id_hex.clone(),
            certificate: cert.as_ref().map(|c| c.common_name.clone().unwrap_or_else(|| c.subject.clone())),
            cert_serial: cert.map(|c| c.serial),
            documents: docs,
        })
    }

    /// Ask `prompt` for the PIN and log in, asking again after a wrong PIN (with the
    /// tries left) until the token takes it, refuses otherwise, or the user cancels
    /// ([`OfficeError::Cancelled`] before any attempt; the last refusal after one).
    pub(super) fn login_prompted(
        &self,
        choice: &TokenChoice,
        summary: &SignSummary,
        prompt: &mut dyn PinPrompt,
    ) -> Result<Session, crate::Error> {
        let mut last: Option<(crate::Error, AgentErrorBody)> = None;
        loop {
            let Some(pin) = prompt.ask(summary, last.as_ref().map(|(_, b)| b)) else {
                return Err(last.map(|(e, _)| e).unwrap_or_else(|| OfficeError::Cancelled.into()));
            };
            match self.login(choice, pin) {
                Ok(s) => {
                    prompt.finished(Ok(()));
                    return Ok(s);
                }
                Err(e) => {
                    let body = AgentErrorBody::from_error(&e);
                    if matches!(body.kind.as_str(), "pin_incorrect" | "pin_len_range") {
                        last = Some((e, body));
                        continue;
                    }
                    prompt.finished(Err(&body));
                    return Err(e);
                }
            }
        }
    }

    /// Sign `job` in `session` and record the result for document `id` in one queue
    /// transaction: `status`, who signed (the session's certificate), the SHA-256 before
    /// and after, the number and date the job wrote. The caller has run
    /// [`crate::job::check_job`]. `confirmed`: the SHA-256 the user saw in the PIN
    /// window; a file that no longer has it is not signed.
    pub(super) fn sign_and_record(
        &self,
        id: i64,
        session: &mut Session,
        job: SignJob,
        status: DocStatus,
        action: &str,
        confirmed: Option<&str>,
    ) -> Result<(Document, StampPlacement), crate::Error> {
        let before = sha256_file(&job.input)?;
        if confirmed.is_some_and(|c| !c.eq_ignore_ascii_case(&before)) {
            let name = job.input.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            return Err(OfficeError::DocumentChanged { name }.into());
        }
        let (output, doc_number, doc_date) = (job.output.clone(), job.doc_number.clone(), job.doc_date.clone());
        let signed = self.sign_in_session(session, job)?;
        let rec = SignedRecord {
            certificate_check: signed.certificate_check.as_ref().and_then(|c| serde_json::to_string(c).ok()),
            sha256_after: sha256_file(&output)?,
            output,
            status,
            actor: session.actor.clone(),
            cert_serial: session.serial.clone(),
            sha256_before: before,
            doc_number,
            doc_date,
            action: action.into(),
        };
        Ok((self.queue().record_signed(id, &rec)?, signed.placement))
    }

    /// The *Ký* screen's button: sign document `req.id` (role `sign`) with a personal
    /// signature, beside its file as `NAME.signed.pdf`, record it, and verify it.
    /// The document's state and the job are checked first; then `prompt` is asked
    /// for the PIN with a summary of what will be signed.
    pub fn sign_document(
        &self,
        req: &SignDocument,
        choice: &TokenChoice,
        prompt: &mut dyn PinPrompt,
    ) -> Result<SignedDocument, crate::Error> {
        let doc = self.document(req.id)?;
        self.queue().check_step(req.id, Action::Sign)?;
        let job = self.personal_job(&doc, req)?;
        crate::job::check_job(&job)?;
        // The right signer for the block, before the PIN: a mismatch comes back as
        // `name_mismatch` naming both, for the page to ask and call again confirmed.
        if let Ok(cert) = self.signing_certificate(choice) {
            crate::job::check_signer_name(&job, &cert)?;
        }
        let step = Recorded { role: DocRole::Sign, status: DocStatus::Signed, action: "signed", failure: "sign_failed".into() };
        self.sign_one(req.id, job, step, choice, prompt)
    }

    /// Sign document `id` with `job` (already checked): the PIN asked with the
    /// summary of what will be signed, one login in its own agent process, the
    /// result recorded as `step` says (a failure as `step.failure`), the output verified.
    pub(super) fn sign_one(
        &self,
        id: i64,
        job: SignJob,
        step: Recorded,
        choice: &TokenChoice,
        prompt: &mut dyn PinPrompt,
    ) -> Result<SignedDocument, crate::Error> {
        let output = job.output.clone();
        let summary = self.summary(step.role, choice, &[(id, job.doc_number.clone(), job.doc_date.clone())])?;
        let confirmed = summary.documents.first().map(|d| d.sha256.clone());
        let mut session = self.login_prompted(choice, &summary, prompt)?;
        let result = self.sign_and_record(id, &mut session, job, step.status, step.action, confirmed.as_deref());
        self.logout(session);
        let (doc, placement) = result.inspect_err(|e| {
            let _ = self.queue().record_failure(id, &step.failure, &crate::i18n::Localize::localize(e, crate::Lang::En));
        })?;
        let report = verify_file(&output, &self.verify_options());
        Ok(SignedDocument { doc, report, placement })
    }

    /// The job and the certificate a preview shows: the job [`Office::sign_document`]
    /// (role `sign`) or [`Office::seal_batch`] (role `seal`) would run for the same
    /// request, and the chosen certificate as the token lists it (no login).
    fn preview_job(&self, req: &PreviewRequest) -> Result<(SignJob, x509_cert::Certificate), crate::Error> {
        let doc = self.document(req.id)?;
        let job = if req.role == DocRole::Seal {
            let item = super::BatchItem {
                id: req.id,
                doc_number: req.doc_number.clone(),
                doc_date: req.doc_date.clone(),
                page: req.page,
                at_mm: req.at_mm,
                size_mm: req.size_mm,
            };
            self.seal_job(&doc, &item)?
        } else {
            let sign = SignDocument {
                id: req.id,
                page: req.page,
                at_mm: req.at_mm,
                size_mm: req.size_mm,
                invisible: false,
                allow_name_mismatch: true,
            };
            self.personal_job(&doc, &sign)?
        };
        let choice = TokenChoice { token_label: req.token_label.clone(), cert_id_hex: req.cert_id_hex.clone() };
        Ok((job, self.signing_certificate(&choice)?))
    }

    /// Where the stamp will go on the document, planned with the chosen certificate
    /// and the stamp image exactly as signing plans it. Nothing is signed and no
    /// token is logged in to.
    pub fn preview_placement(&self, req: &PreviewRequest) -> Result<crate::job::Preview, crate::Error> {
        let (job, cert) = self.preview_job(req)?;
        crate::job::preview(&job, &cert)
    }

    /// The document with that stamp (and the clerk's number and date) drawn in it,
    /// unsigned, for the viewer ([`crate::job::preview_document`]): the appearance
    /// streams the signature will carry. Only a queued document; at most 256 MB.
    pub fn preview_document(&self, req: &PreviewRequest) -> Result<Vec<u8>, crate::Error> {
        let (job, cert) = self.preview_job(req)?;
        if !super::grants::looks_like_pdf(&job.input) {
            let name = job.input.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            return Err(OfficeError::NotPdf { name }.into());
        }
        crate::job::preview_document(&job, &cert, PREVIEW_MAX)
    }
}
