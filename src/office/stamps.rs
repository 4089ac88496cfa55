//! The agency's text stamps asked for by the e-office bridge: an electronic copy
//! (R3), an annex (R4), and the incoming stamp on a checked incoming document (R11).

use super::signing::Recorded;
use super::{Office, PinPrompt, SignedDocument, TokenChoice};
use crate::job::JobRole;
use crate::queue::{Action, DocRole, DocStatus};

/// Which text stamp the agency signs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgencyStamp {
    /// `SAO Y` copy stamp (template `copy`) on a document of role `seal`.
    Copy,
    /// Annex stamp (template `annex`, with the main document's number) on a document of role `seal`.
    Annex,
    /// The `ĐẾN` stamp (template `incoming`) on an incoming document already checked valid.
    Incoming,
}

impl AgencyStamp {
    /// The queue role a document of this stamp has.
    pub fn doc_role(self) -> DocRole {
        match self {
            AgencyStamp::Copy | AgencyStamp::Annex => DocRole::Seal,
            AgencyStamp::Incoming => DocRole::Incoming,
        }
    }

    fn parts(self) -> (JobRole, Option<&'static str>, Action, DocStatus, &'static str, &'static str) {
        match self {
            AgencyStamp::Copy => (JobRole::Copy, None, Action::Seal, DocStatus::Sealed, "copy_signed", "copy"),
            AgencyStamp::Annex => (JobRole::Annex, None, Action::Seal, DocStatus::Sealed, "annex_signed", "annex"),
            AgencyStamp::Incoming => (JobRole::Copy, Some("incoming"), Action::Stamp, DocStatus::Valid, "incoming_stamped", "received"),
        }
    }
}

impl Office {
    /// Sign document `id` with the agency certificate `choice` and the text stamp
    /// `kind` (`doc_number`: the main document's number for an annex, the incoming
    /// number for the incoming stamp), beside its file, record it and verify it.
    /// The queue's state and the job are checked before `prompt` asks for the PIN.
    pub fn stamp_document(
        &self,
        id: i64,
        kind: AgencyStamp,
        doc_number: Option<String>,
        choice: &TokenChoice,
        prompt: &mut dyn PinPrompt,
    ) -> Result<SignedDocument, crate::Error> {
        let (role, template, step, status, action, suffix) = kind.parts();
        let doc = self.document(id)?;
        self.queue().check_step(id, step)?;
        let mut job = self.job_for(&doc, role, suffix);
        job.template = template.map(str::to_owned);
        job.image = None;
        job.doc_number = doc_number.filter(|n| !n.trim().is_empty());
        if kind == AgencyStamp::Incoming && job.doc_number.is_none() {
            // Decree 30's blank "Số đến: ……" for the clerk to fill in by hand.
            job.doc_number = Some("……".into());
        }
        crate::job::check_job(&job)?;
        self.sign_one(id, job, Recorded { role: doc.role, status, action, failure: format!("{action}_failed") }, choice, prompt)
    }
}
