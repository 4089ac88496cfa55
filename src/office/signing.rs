//! A leader signs one document; the agent does the token work.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use super::Office;
use crate::agent::protocol::Op;
use crate::job::{JobRole, SignJob};
use crate::queue::{sha256_file, DocRole, DocStatus, Document, SignedRecord};
use crate::agent::protocol::SecretPin;
use crate::verify::engine::{verify_file, DocumentReport};

/// Logging in may wait for a slow token (or its PIN pad).
pub(super) const LOGIN_TIMEOUT: Duration = Duration::from_secs(90);
/// One signature, including the pre-seal check (which may fetch CRLs).
pub(super) const SIGN_TIMEOUT: Duration = Duration::from_secs(120);
/// Listing tokens and certificates.
pub(super) const LIST_TIMEOUT: Duration = Duration::from_secs(30);

/// The token and certificate chosen in the certificate picker.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenChoice {
    /// Token label.
    pub token_label: String,
    /// The certificate's CKA_ID, hex.
    pub cert_id_hex: String,
}

/// What the *Ký* screen asks for.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SignDocument {
    /// Queue id.
    pub id: i64,
    /// 1-based page, when the user moved the stamp to another page.
    pub page: Option<usize>,
    /// Top-left of the stamp in mm, when the user dragged it.
    pub at_mm: Option<(f64, f64)>,
    /// Signature image (PNG).
    pub image_path: Option<PathBuf>,
    /// No visible stamp.
    pub invisible: bool,
}

/// What the stamp preview asks for.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
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

/// A logged-in token session in the agent, with who it signs as.
#[derive(Clone, Debug)]
pub(super) struct Session {
    /// The agent's session number.
    pub session: u64,
    /// The certificate's common name (or subject).
    pub actor: Option<String>,
    /// The certificate's serial number, hex.
    pub serial: Option<String>,
}

impl Session {
    /// Read the agent's `login` answer.
    fn from_value(v: &serde_json::Value) -> Result<Session, crate::Error> {
        let session = v
            .get("session")
            .and_then(serde_json::Value::as_u64)
            .ok_or_else(|| crate::agent::AgentError::Protocol("login: no session".into()))?;
        let signer = v.get("signer");
        let text = |k: &str| signer.and_then(|s| s.get(k)).and_then(serde_json::Value::as_str).map(str::to_owned);
        Ok(Session { session, actor: text("commonName").or_else(|| text("subject")), serial: text("serial") })
    }
}

impl Office {
    /// Log in to a token through the agent; returns the session number.
    pub(super) fn login(&self, choice: &TokenChoice, pin: SecretPin) -> Result<Session, crate::Error> {
        let v = self.call(
            Op::Login {
                modules: self.config.modules.clone(),
                token_label: Some(choice.token_label.clone()),
                cert_id_hex: Some(choice.cert_id_hex.clone()),
                pin,
            },
            LOGIN_TIMEOUT,
        )?;
        Session::from_value(&v)
    }

    /// Sign `job` in `session`.
    pub(super) fn sign_in_session(&self, session: u64, job: SignJob) -> Result<serde_json::Value, crate::Error> {
        self.call(Op::Sign { session, job }, SIGN_TIMEOUT)
    }

    /// End `session` (errors ignored: the agent drops sessions when it exits).
    pub(super) fn logout(&self, session: u64) {
        let _ = self.call(Op::Logout { session }, LIST_TIMEOUT);
    }

    /// One request to the agent, starting it when it is not running.
    pub(super) fn call(&self, op: Op, timeout: Duration) -> Result<serde_json::Value, crate::Error> {
        let mut slot = self.agent();
        if slot.is_none() {
            let client = crate::agent::AgentClient::spawn(&self.config.agent.program, &self.config.agent.args)?;
            *slot = Some(client);
        }
        match slot.as_mut() {
            Some(client) => Ok(client.call(op, timeout)?),
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

    /// Sign `job` in `session` and record the result for document `id` in one queue
    /// transaction: `status`, who signed (the session's certificate), the SHA-256 before
    /// and after, the number and date the job wrote. The caller has run
    /// [`crate::job::check_job`].
    pub(super) fn sign_and_record(&self, id: i64, session: &Session, job: SignJob, status: DocStatus, action: &str) -> Result<Document, crate::Error> {
        let before = sha256_file(&job.input)?;
        let (output, doc_number, doc_date) = (job.output.clone(), job.doc_number.clone(), job.doc_date.clone());
        self.sign_in_session(session.session, job)?;
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
    pub fn sign_document(&self, req: &SignDocument, choice: &TokenChoice, pin: SecretPin) -> Result<(Document, DocumentReport), crate::Error> {
        let doc = self.document(req.id)?;
        let mut job = self.job_for(&doc, JobRole::Personal, "signed");
        job.page = req.page;
        job.at_mm = req.at_mm;
        job.invisible = req.invisible;
        if req.image_path.is_some() {
            job.image = req.image_path.clone();
        }
        crate::job::check_job(&job)?;
        let output = job.output.clone();
        let session = self.login(choice, pin)?;
        let result = self.sign_and_record(req.id, &session, job, DocStatus::Signed, "signed");
        self.logout(session.session);
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
