//! A signing job as data: what `kyso sign`, the agent and the desktop app ask for
//! (input, output, role, stamp options), turned into a stamp plan and a signature.
//!
//! The steps are split so that nothing costs a PIN try before it must:
//!
//! 1. [`check_job`]: paths, the input parses as a PDF, and for the clerk's seal the
//!    check of every signature already on the document (R9/R10). No token is used.
//! 2. (the caller logs in to the token, or opens a PKCS#12 identity)
//! 3. [`check_signer`]: the signing certificate is checked (valid now, trusted,
//!    not revoked; Circular 15/2025 §2.2) — before the PIN when the certificate can
//!    be read without it.
//! 4. [`run`]: the stamp plan ([`plan_stamp`]), the signature, and the long-term
//!    steps of the level ([`choose_level`], [`longterm::complete`]).
//!
//! [`preview`] and [`preview_document`] plan the stamp exactly as [`run`] does — the
//! same [`plan_stamp`] with the signer's certificate and image — without signing, for
//! the desktop's preview: what the screen shows is where the signature lands.

use std::collections::BTreeMap;
use std::path::PathBuf;

use const_oid::db::{rfc3280, rfc4519};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use x509_cert::Certificate;

use crate::error::{OutputError, UsageError};
use crate::longterm::{self, CertificateCheck, LongTermError, SigningLevel};
use crate::pdf::{PdfError, PdfFile};
use crate::settings::Settings;
use crate::sign::{self, SignOutcome, SignRequest};
use crate::stamp::plan::{self, PlacementReport, StampPlan, StampRequest};
use crate::stamp::signer_check::NameCheck;
use crate::stamp::{place, template};
use crate::tsa::{TsaClient, TsaError};
use crate::{Error, Signer};

/// The signer's role (R15); it also picks the default stamp template.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobRole {
    /// A person signs (leader, reviewer): personal certificate, template `personal`.
    #[default]
    Personal,
    /// The agency signs an issued document (the seal): template `seal` (`scanned` for R10).
    Seal,
    /// The agency signs an electronic copy: template `copy` (R3).
    Copy,
    /// The agency signs a separate annex: template `annex` (R4).
    Annex,
}

impl JobRole {
    /// Whether the agency certificate is expected (every role but `personal`).
    pub fn is_agency(self) -> bool {
        self != JobRole::Personal
    }
}

/// One document to sign, with everything `kyso sign` can say about it except how to
/// reach the key. Field names are camelCase in JSON; every field is optional there.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SignJob {
    /// The PDF to sign (never modified).
    pub input: PathBuf,
    /// Where to write the signed PDF.
    pub output: PathBuf,
    /// The signing role.
    pub role: JobRole,
    /// Overwrite an existing output.
    pub force: bool,
    /// A digitised paper document: the agency may seal without a personal signature (R10).
    pub scanned: bool,
    /// Extra trust anchors (PEM files or folders) for the check before sealing.
    pub trust: Vec<PathBuf>,
    /// CRL files for the check before sealing.
    pub crls: Vec<PathBuf>,
    /// No network access during the check before sealing.
    pub offline: bool,
    /// `/Reason`.
    pub reason: Option<String>,
    /// `/Location`.
    pub location: Option<String>,
    /// Signature or seal image (PNG with transparency).
    pub image: Option<PathBuf>,
    /// Stamp template name or `.toml` file; `None` picks it from the role.
    pub template: Option<String>,
    /// Signer name to look for (and print); `None`: the certificate's CN.
    pub signer_name: Option<String>,
    /// Signer title to look for.
    pub signer_title: Option<String>,
    /// 1-based page.
    pub page: Option<usize>,
    /// Top-left of the stamp, mm from the page's top-left corner.
    pub at_mm: Option<(f64, f64)>,
    /// Size in mm (seal diameter or image width).
    pub size_mm: Option<f64>,
    /// Number and symbol, e.g. `123/QĐ-UBND` (the clerk's, R8).
    pub doc_number: Option<String>,
    /// Document date `YYYY-MM-DD` (the clerk's, R8).
    pub doc_date: Option<String>,
    /// Form of copy (`SAO Y`, `SAO LỤC`, `TRÍCH SAO`), R3.
    pub copy_form: Option<String>,
    /// Organisation name; `None`: the certificate's O.
    pub org_name: Option<String>,
    /// An invisible signature.
    pub invisible: bool,
    /// PAdES level; `None`: the settings' level for the role, else B-T when a TSA
    /// is configured, else B-B (with a note).
    pub level: Option<SigningLevel>,
    /// Time-stamping authority addresses, tried in order; empty: the settings'.
    pub tsa: Vec<String>,
    /// Sign although the signature block names someone else than the certificate's
    /// holder (the user confirmed; `--allow-name-mismatch`). An agency certificate
    /// in a `KT.`/`TL.`/`TUQ.` block stays refused.
    pub allow_name_mismatch: bool,
}

/// The level a job signs at, the TSA addresses it uses, and the note to show.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LevelChoice {
    /// The level.
    pub level: SigningLevel,
    /// TSA addresses, in order.
    pub tsa: Vec<String>,
    /// Said once to the user when the level was not asked for (B-B for want of a TSA).
    pub note: Option<Note>,
}

/// A one-line remark for the user, in both languages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Note {
    /// Stable machine-readable kind.
    pub kind: String,
    /// Vietnamese.
    pub message_vi: String,
    /// English.
    pub message_en: String,
}

impl Note {
    /// The text in `lang`.
    pub fn text(&self, lang: crate::Lang) -> &str {
        if lang == crate::Lang::Vi {
            &self.message_vi
        } else {
            &self.message_en
        }
    }
}

/// The level `job` signs at under `settings`: the job's, else the settings' for the
/// role, else B-T when a TSA is configured, else B-B with a note. A time-stamped
/// level without any TSA address is refused ([`TsaError::NoAddress`]).
pub fn choose_level(job: &SignJob, settings: &Settings) -> Result<LevelChoice, Error> {
    let tsa = if job.tsa.is_empty() { settings.tsa.clone() } else { job.tsa.clone() };
    let asked = job.level.or_else(|| settings.level_for(job.role));
    let level = asked.unwrap_or(if tsa.is_empty() { SigningLevel::BB } else { SigningLevel::BT });
    if level.time_stamped() && tsa.is_empty() {
        return Err(LongTermError::Tsa(TsaError::NoAddress).into());
    }
    let note = (asked.is_none() && tsa.is_empty()).then(|| Note {
        kind: "no_tsa".into(),
        message_vi: "Chưa cấu hình máy chủ dấu thời gian (--tsa hoặc tệp settings.toml): ký ở mức B-B, không có dấu thời gian.".into(),
        message_en: "No time-stamping authority is configured (--tsa or settings.toml): signed at B-B, without a time-stamp.".into(),
    });
    Ok(LevelChoice { level, tsa, note })
}

/// Circular 15/2025 §2.2: check the signing certificate `cert` (with `pool`, the
/// certificates that come with it) before the token signs, under the job's trust,
/// CRL files and network setting ([`longterm::check_signing_certificate`]). B-LT and
/// B-LTA also need its revocation status now: unknown is refused here, before any PIN.
pub fn check_signer(job: &SignJob, level: SigningLevel, cert: &Certificate, pool: &[Certificate]) -> Result<CertificateCheck, Error> {
    let opts = verify_options(job);
    let check = longterm::check_signing_certificate(cert, pool, &opts)?;
    if level >= SigningLevel::BLt {
        if let Some(why) = check.status_unknown.clone().or_else(|| check.untrusted.clone()) {
            return Err(LongTermError::NoValidationData { detail: why }.into());
        }
    }
    Ok(check)
}

fn verify_options(job: &SignJob) -> crate::verify::engine::VerifyOptions {
    let (mut opts, _) = crate::verify::engine::VerifyOptions::new(&job.trust);
    opts.crl_files = job.crls.clone();
    opts.offline = job.offline;
    opts
}

/// Where a signature's stamp went: [`PlacementReport`] as the agent and the desktop send it.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct StampPlacement {
    /// Template used.
    pub template: String,
    /// `found`, `default` or `given`; `invisible` when nothing is drawn.
    pub placement: String,
    /// 1-based page.
    pub page: usize,
    /// `[x, y, width, height]` in mm from the page's top-left corner.
    pub box_mm: Option<[f64; 4]>,
    /// Blanks filled on page 1 (number, day, month), as `[x, y, w, h]` mm.
    pub filled: Vec<(String, [f64; 4])>,
}

impl From<PlacementReport> for StampPlacement {
    fn from(p: PlacementReport) -> StampPlacement {
        StampPlacement { template: p.template, placement: p.placement, page: p.page, box_mm: p.box_mm, filled: p.filled }
    }
}

/// Where the stamp of a signature would go (the desktop's preview), planned by
/// [`plan_stamp`] with the signer's certificate, as [`run`] plans it.
#[derive(Clone, Debug, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Preview {
    /// The plan's report: template, how it was placed, page, box, filled blanks
    /// (flattened: the JSON is `{ template, placement, page, boxMm, filled, pageSizeMm }`).
    #[serde(flatten)]
    pub placement: StampPlacement,
    /// The size of that page in mm `[width, height]`.
    pub page_size_mm: [f64; 2],
}

/// What a signed job produced.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobOutcome {
    /// The signature as written.
    pub outcome: SignOutcome,
    /// Where the stamp went.
    pub placement: PlacementReport,
    /// The level signed at.
    pub level: SigningLevel,
    /// The check of the signing certificate made before signing, with its evidence.
    pub certificate_check: CertificateCheck,
    /// What the user should know (B-B for want of a TSA, status unknown offline…).
    pub notes: Vec<Note>,
}

/// Everything that must hold before any PIN is used: the output path is acceptable
/// ([`sign::check_paths`]), the input opens as a PDF, and for the seal role the
/// signatures already on the document pass the clerk's check (R9/R10).
pub fn check_job(job: &SignJob) -> Result<(), Error> {
    sign::check_paths(&job.input, &job.output, job.force)?;
    open_input(job)?;
    // R9: the clerk checks every signature before sealing; sealing over an invalid
    // one, or sealing what no person signed (unless scanned paper, R10), is refused.
    if job.role == JobRole::Seal {
        crate::workflow::check_before_sealing(&job.input, &verify_options(job), job.scanned)?;
    }
    choose_level(job, &Settings::load()?)?;
    Ok(())
}

fn open_input(job: &SignJob) -> Result<PdfFile, Error> {
    PdfFile::open(&job.input).map_err(|e| match e {
        PdfError::Io(source) => Error::from(OutputError::ReadInput { path: job.input.clone(), source }),
        e => e.into(),
    })
}

/// Names read from the signing certificate (the job's own values win).
#[derive(Default)]
struct Names {
    signer: Option<String>,
    org: Option<String>,
    email: Option<String>,
}

/// The stamp plan of `job` for a signature by `cert` at `signing_time`: the template
/// from `job.template` or the role, placeholders from the job and the certificate
/// (CN, O, e-mail), the place found in the document or given.
pub fn plan_stamp(job: &SignJob, cert: &Certificate, signing_time: OffsetDateTime) -> Result<StampPlan, Error> {
    let subject = &cert.tbs_certificate.subject;
    let names = Names {
        signer: job.signer_name.clone().or_else(|| crate::cms::names::attribute(subject, rfc4519::CN)),
        org: job.org_name.clone().or_else(|| crate::cms::names::attribute(subject, rfc4519::O)),
        email: crate::cms::names::attribute(subject, rfc3280::EMAIL_ADDRESS),
    };
    plan_with(job, &names, signing_time)
}

/// Where the stamp of `job` signed by `cert` would go: [`plan_stamp`] at the current
/// Vietnam time (the call [`run`] makes), with the size of the stamp's page.
pub fn preview(job: &SignJob, cert: &Certificate) -> Result<Preview, Error> {
    let plan = plan_stamp(job, cert, crate::time::now_vietnam())?;
    let pdf = open_input(job)?;
    let page = place::page_box(&pdf, plan.report.page.saturating_sub(1))?;
    let to_mm = |pt: f64| pt / place::PT_PER_MM;
    Ok(Preview { page_size_mm: [to_mm(page.width()), to_mm(page.height())], placement: plan.report.into() })
}

/// The input of `job` with the stamp of a signature by `cert` drawn in it, as bytes
/// for a viewer: the input followed by the very update [`run`] would append (the
/// same [`plan_stamp`], the same widgets and appearance streams), with an empty
/// `/Contents` — nothing is signed and nothing is written to disk. Files over
/// `max_len` bytes are refused ([`OutputError::ReadInput`]).
pub fn preview_document(job: &SignJob, cert: &Certificate, max_len: u64) -> Result<Vec<u8>, Error> {
    let read_err = |source| Error::from(OutputError::ReadInput { path: job.input.clone(), source });
    let len = std::fs::metadata(&job.input).map_err(read_err)?.len();
    if len > max_len {
        return Err(read_err(std::io::Error::new(std::io::ErrorKind::InvalidData, "file too large for a preview")));
    }
    let signing_time = crate::time::now_vietnam();
    let plan = plan_stamp(job, cert, signing_time)?;
    let pdf = open_input(job)?;
    let spec = crate::pdf::sigfield::SignatureSpec {
        field_name: None,
        name: sign::common_name(cert),
        reason: job.reason.clone(),
        location: job.location.clone(),
        signing_time,
        widgets: plan.widgets,
        contents_capacity: 1,
        document_timestamp: false,
    };
    let update = crate::pdf::sigfield::prepare(&pdf, &spec)?;
    let mut bytes = std::fs::read(&job.input).map_err(read_err)?;
    if bytes.len() as u64 != pdf.len() {
        return Err(crate::pdf::PdfError::malformed(0, "the input changed while the preview was made").into());
    }
    bytes.extend_from_slice(&update.tail);
    Ok(bytes)
}

/// Pages searched for signature blocks by the name check.
const NAME_CHECK_MAX_PAGES: usize = 200;

/// The right signer for the block ([`crate::stamp::signer_check`]): for a visible
/// personal signature, the name under the blocks of the document (or of the page
/// the user chose), compared with `cert`'s holder. A mismatch is refused unless
/// `job.allow_name_mismatch`; an agency certificate in a `KT.`/`TL.`/`TUQ.` block
/// always is. Returns what was found.
pub fn check_signer_name(job: &SignJob, cert: &Certificate) -> Result<NameCheck, Error> {
    use crate::stamp::signer_check::{check_lines, SignerNameRefusal};
    if job.role != JobRole::Personal || job.invisible {
        return Ok(NameCheck::NotApplicable);
    }
    let holder = crate::cms::names::attribute(&cert.tbs_certificate.subject, rfc4519::CN).unwrap_or_default();
    // The page the user chose, else every page, last first (blocks end documents):
    // the holder's own block anywhere wins, else the first block found.
    let pages: Vec<usize> = if job.page.is_some() || job.at_mm.is_some() {
        vec![plan_stamp(job, cert, crate::time::now_vietnam())?.report.page.saturating_sub(1)]
    } else {
        let count = crate::stamp::locate::page_count(&job.input).unwrap_or(0).min(NAME_CHECK_MAX_PAGES);
        (0..count).rev().collect()
    };
    let mut check = NameCheck::NoBlock;
    for page in pages {
        let Some(lines) = crate::stamp::locate::page_text(&job.input, page) else { continue };
        match check_lines(&lines, &holder, job.signer_name.as_deref()) {
            NameCheck::Match { block } => {
                check = NameCheck::Match { block };
                break;
            }
            m @ NameCheck::Mismatch { .. } if check == NameCheck::NoBlock => check = m,
            _ => {}
        }
    }
    let agency = crate::token::classify::classify_certificate(cert).role == crate::token::Role::Agency;
    match &check {
        NameCheck::Match { block } | NameCheck::Mismatch { block, .. } if agency && block.delegation.is_some() => {
            Err(SignerNameRefusal::AgencyInDelegatedBlock {
                block_name: block.name.clone(),
                delegation: block.delegation.clone().unwrap_or_default(),
            }
            .into())
        }
        NameCheck::Mismatch { block, holder } if !job.allow_name_mismatch => Err(SignerNameRefusal::NameMismatch {
            block_name: block.name.clone(),
            holder: holder.clone(),
            delegation: block.delegation.clone(),
        }
        .into()),
        _ => Ok(check),
    }
}

/// Check the signer's certificate ([`check_signer`]), plan the stamp, then sign
/// with `signer` at the current Vietnam time, at the job's level. The checks of
/// [`check_job`] are the caller's, made before the signer was opened.
pub fn run(job: &SignJob, signer: &dyn Signer) -> Result<JobOutcome, Error> {
    run_checked(job, signer, None)
}

/// [`run`] with the certificate check already made (before the PIN was asked).
pub fn run_checked(job: &SignJob, signer: &dyn Signer, checked: Option<CertificateCheck>) -> Result<JobOutcome, Error> {
    let choice = choose_level(job, &Settings::load()?)?;
    let check = match checked {
        Some(c) => c,
        None => check_signer(job, choice.level, signer.certificate(), signer.chain())?,
    };
    check_signer_name(job, signer.certificate())?;
    let mut notes: Vec<Note> = choice.note.iter().cloned().collect();
    notes.extend(check.notes());
    let signing_time = crate::time::now_vietnam();
    let plan = plan_stamp(job, signer.certificate(), signing_time)?;
    let mut req = SignRequest::new(&job.input, &job.output);
    req.force = job.force;
    req.reason = job.reason.clone();
    req.location = job.location.clone();
    req.signing_time = Some(signing_time);
    req.widgets = plan.widgets;
    req.timestamp_reserve = if choice.level.time_stamped() { longterm::TOKEN_RESERVE } else { 0 };
    let signed = sign::Prepared::new(req, signer)?.digest()?.sign(signer)?;
    let client = TsaClient::new(choice.tsa.clone());
    let outcome = longterm::complete(signed, choice.level, &client, &verify_options(job))?;
    Ok(JobOutcome { outcome, placement: plan.report, level: choice.level, certificate_check: check, notes })
}

fn template_name(job: &SignJob) -> String {
    job.template.clone().unwrap_or_else(|| {
        match job.role {
            JobRole::Seal if job.scanned => "scanned",
            JobRole::Personal => "personal",
            JobRole::Seal => "seal",
            JobRole::Copy => "copy",
            JobRole::Annex => "annex",
        }
        .to_owned()
    })
}

fn plan_with(job: &SignJob, names: &Names, signing_time: OffsetDateTime) -> Result<StampPlan, Error> {
    let pdf = open_input(job)?;
    let t = template::load(&template_name(job))
        .map_err(|e| UsageError::InvalidArgument { option: "--template".into(), value: e.to_string() })?;
    let mut values: BTreeMap<&'static str, String> = BTreeMap::new();
    values.insert("signing_time", crate::time::iso8601(signing_time));
    if let Some(n) = &names.signer {
        values.insert("signer_name", n.clone());
    }
    if let Some(o) = &names.org {
        values.insert("org_name", o.clone());
    }
    values.insert("copy_form", job.copy_form.clone().unwrap_or_else(|| "SAO Y".into()));
    if let Some(n) = &job.doc_number {
        values.insert("doc_number", n.clone());
    }
    if let Some(d) = &job.doc_date {
        values.insert("doc_date", d.clone());
    }
    if let Some(e) = &names.email {
        values.insert("email", e.clone());
    }
    let req = StampRequest {
        template: Some(t),
        image: job.image.clone(),
        invisible: job.invisible,
        page: job.page,
        at_mm: job.at_mm,
        size_mm: job.size_mm,
        values,
    };
    let doc_date = match &job.doc_date {
        Some(d) => Some(
            time::Date::parse(d, &time::macros::format_description!("[year]-[month]-[day]"))
                .map_err(|_| UsageError::InvalidArgument { option: "--doc-date".into(), value: d.clone() })?,
        ),
        None => None,
    };
    let input = job.input.clone();
    // The leader's block is found by the leader's name; a seal (signed with the
    // agency's certificate) looks for the block by its title words only.
    let finder_name =
        if job.role == JobRole::Personal { job.signer_name.clone().or(names.signer.clone()) } else { job.signer_name.clone() };
    let finder_title = job.signer_title.clone();
    let find_block =
        move |page: usize| crate::stamp::locate::signature_block(&input, page, finder_name.as_deref(), finder_title.as_deref());
    // R8: the number and date are filled in by the clerk, with the agency signature.
    let fill = if job.role == JobRole::Seal && (job.doc_number.is_some() || doc_date.is_some()) {
        Some(crate::stamp::locate::number_and_date(&job.input, job.doc_number.as_deref(), doc_date)?)
    } else {
        None
    };
    Ok(plan::plan(&pdf, &req, &find_block, fill)?)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn job_json_is_camel_case_with_defaults() {
        let job: SignJob =
            serde_json::from_str(r#"{"input":"a.pdf","output":"b.pdf","role":"seal","docNumber":"12/QĐ-UBND","atMm":[10.0,20.5]}"#)
                .unwrap();
        assert_eq!(job.role, JobRole::Seal);
        assert_eq!(job.doc_number.as_deref(), Some("12/QĐ-UBND"));
        assert_eq!(job.at_mm, Some((10.0, 20.5)));
        assert!(!job.force && job.trust.is_empty());
        let v = serde_json::to_value(&job).unwrap();
        assert_eq!(v["signerName"], serde_json::Value::Null);
        assert_eq!(v["role"], "seal");
    }
}
