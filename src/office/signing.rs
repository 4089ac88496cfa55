//! A leader signs one document; the agent does the token work.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use super::Office;
use super::{DocumentSummary, OfficeError, PinPrompt, SignSummary};
use crate::agent::protocol::SecretPin;
use crate::agent::protocol::SignResult;
use crate::agent::{AgentClient, AgentErrorBody, Login};
use crate::job::{JobRole, SignJob};
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
    /// No visible stamp.
    pub invisible: bool,
}

/// What the stamp preview asks for.
#[derive(Clone, Debug, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PreviewRequest {
    /// Queue id.
    pub id: i64,
    /// `sign` (personal signature) or `seal` (the clerk's seal, with number and date).
    pub role: DocRole,
    /// The chosen certificate's name, to find the signer's block.
    pub signer_name: Option<String>,
    /// Number and symbol to write (seal).
    pub doc_number: Option<String>,
    /// Date `YYYY-MM-DD` to write (seal).
    pub doc_date: Option<String>,
    /// 1-based page chosen by the user.
    pub page: Option<usize>,
    /// Top-left of the stamp in mm, when dragged.
    pub at_mm: Option<(f64, f64)>,
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
    ) -> Result<Document, crate::Error> {
        let before = sha256_file(&job.input)?;
        if confirmed.is_some_and(|c| !c.eq_ignore_ascii_case(&before)) {
            let name = job.input.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            return Err(OfficeError::DocumentChanged { name }.into());
        }
        let (output, doc_number, doc_date) = (job.output.clone(), job.doc_number.clone(), job.doc_date.clone());
        self.sign_in_session(session, job)?;
        let rec = SignedRecord {
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
        Ok(self.queue().record_signed(id, &rec)?)
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
    ) -> Result<(Document, DocumentReport), crate::Error> {
        let doc = self.document(req.id)?;
        self.queue().check_step(req.id, Action::Sign)?;
        let mut job = self.job_for(&doc, JobRole::Personal, "signed");
        job.page = req.page;
        job.at_mm = req.at_mm;
        job.invisible = req.invisible;
        crate::job::check_job(&job)?;
        let output = job.output.clone();
        let summary = self.summary(DocRole::Sign, choice, &[(req.id, None, None)])?;
        let confirmed = summary.documents.first().map(|d| d.sha256.clone());
        let mut session = self.login_prompted(choice, &summary, prompt)?;
        let result = self.sign_and_record(req.id, &mut session, job, DocStatus::Signed, "signed", confirmed.as_deref());
        self.logout(session);
        let doc = result.inspect_err(|e| {
            let _ = self.queue().record_failure(req.id, "sign_failed", &crate::i18n::Localize::localize(e, crate::Lang::En));
        })?;
        let report = verify_file(&output, &self.verify_options());
        Ok((doc, report))
    }

    /// Where the stamp would go on the document, for the preview. Nothing is signed
    /// and no token is touched.
    pub fn preview_placement(&self, req: &PreviewRequest) -> Result<crate::job::Preview, crate::Error> {
        let doc = self.document(req.id)?;
        let role = if req.role == DocRole::Seal { JobRole::Seal } else { JobRole::Personal };
        let mut job = self.job_for(&doc, role, "preview");
        job.page = req.page;
        job.at_mm = req.at_mm;
        job.doc_number = req.doc_number.clone();
        job.doc_date = req.doc_date.clone();
        crate::job::preview(&job, req.signer_name.as_deref(), None)
    }
}
