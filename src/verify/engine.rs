//! The verifier: one report per document, one per signature, in signing order.
//!
//! A signature goes through these stages, each a function that either passes or
//! ends the check with a [`Verdict`] (ETSI EN 319 102-1 terms):
//!
//! 1. [`byte_ranges`]: `/ByteRange` against the file's revisions (USF, SWA);
//! 2. [`cms`]: digest, signature value, signing certificate, `/Contents` padding;
//! 3. [`signature_timestamps`]: each signature time-stamp token ([`super::timestamp`]);
//!    a tampered one makes the signature invalid;
//! 4. [`modifications`]: what changed after the signature ([`super::diff`]);
//! 5. [`validation_time`]: the proof of existence (POE), only ever from a verified
//!    time-stamp, a verified document time-stamp covering the signature, or the
//!    archive's own record; without one the signature is judged **now** — `/M` and
//!    the CMS signing-time are the signer's claims, never proof;
//! 6. [`certificate_path`]: a path to a trust anchor, valid at that time;
//! 7. [`algorithms`]: a weak algorithm (SHA-1) only with a proof of existence
//!    from before its sunset, or on a pinned bundled certificate
//!    ([`super::algorithms`]);
//! 8. [`revocation`]: not revoked at that time, from fresh answers only.
//!
//! Document time-stamps are checked first (newest first, each giving POE to the
//! older ones) and reported beside the signatures.
//!
//! The document is valid only when every signature is, nothing disallowed happened
//! after any of them, and no document time-stamp was tampered with.

use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::Digest;
use time::OffsetDateTime;
use x509_cert::Certificate;

use super::algorithms::{WeakUse, WEAK_SUNSET};
use super::certified::{self, Decision};
use super::chain::{build_path, to_time, PathReport, PathStatus};
use super::cms_check::{self, CmsForm, CmsProblem, CmsReport};
use super::coverage::{self, Coverage, CoverageReport};
use super::diff::{self, DiffReport};
use super::dss;
use super::fields::{find_signature_fields, SignatureField};
use super::level::{self, PadesLevel};
use super::render::Pdftoppm;
use super::revocation::{self, JudgedAt, RevocationCache, RevocationReport, RevocationSources, RevocationStatus, RevocationSummary};
use super::timestamp::{self, Imprinted, TimestampContext, TimestampKind, TimestampReport, TimestampStatus};
use super::verdict::{Indication, SubIndication};
use crate::i18n::{Lang, Localize};
use crate::pdf::PdfFile;
use crate::trust::{AnchorInfo, TrustStore};

/// Version of the JSON report schema (`docs/verify-json.md`).
pub const SCHEMA_VERSION: u32 = 2;

/// A proof of existence of a whole file kept outside it: the archive's record
/// that a file with this SHA-256 was found valid (verified and registered) at
/// `time` (R12). It proves the bytes existed then, and — the check having passed,
/// revocation included — that no certificate was revoked then: when no revocation
/// data can be had any more (CAs drop expired certificates from their CRLs), the
/// record stands in for it; a revocation dated at or before `time` still wins.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArchivePoe {
    /// When the file was registered.
    pub time: OffsetDateTime,
    /// The SHA-256 the record holds (hex, lower case); used only if the file matches.
    pub sha256: String,
}

/// How to verify.
pub struct VerifyOptions {
    /// Trust anchors.
    pub trust: TrustStore,
    /// CRL files from `--crl`.
    pub crl_files: Vec<PathBuf>,
    /// Do not contact CRL distribution points or OCSP responders.
    pub offline: bool,
    /// Revocation answers cache.
    pub cache: RevocationCache,
    /// Compute the file's SHA-256 (for notices and the archive).
    pub file_digest: bool,
    /// The archive's record of this file, if it has one.
    pub archive_poe: Option<ArchivePoe>,
}

impl VerifyOptions {
    /// Bundled and user trust anchors plus `extra`, online revocation, disk cache.
    pub fn new(extra_trust: &[PathBuf]) -> (Self, Vec<String>) {
        let (trust, warnings) = TrustStore::load(extra_trust);
        (
            VerifyOptions {
                trust,
                crl_files: Vec::new(),
                offline: false,
                cache: RevocationCache::new(),
                file_digest: false,
                archive_poe: None,
            },
            warnings,
        )
    }
}

/// The signer as reported.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignerInfoReport {
    /// Subject (`CN=…, O=…`).
    pub subject: Option<String>,
    /// Common name.
    pub common_name: Option<String>,
    /// Issuer.
    pub issuer: Option<String>,
    /// Serial number, hex.
    pub serial: Option<String>,
}

/// Where the time a signature was judged at comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum TimeBasis {
    /// A verified signature time-stamp.
    SignatureTimestamp,
    /// A verified document time-stamp covering the signature.
    DocumentTimestamp,
    /// The archive's record of when the file was registered.
    Archive,
    /// Nothing proves an earlier time: the time of the check.
    Now,
}

/// The time a signature was judged at.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidationTime {
    /// ISO 8601, Vietnam time.
    pub time: String,
    /// Where it comes from.
    pub basis: TimeBasis,
}

/// Everything found about one signature.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignatureReport {
    /// 1-based position in signing order.
    pub index: usize,
    /// Field name.
    pub field: String,
    /// `/SubFilter`.
    pub sub_filter: Option<String>,
    /// Signer.
    pub signer: SignerInfoReport,
    /// Claimed signing time (`/M`) as written.
    pub claimed_time: Option<String>,
    /// Claimed signing time in Vietnam time, ISO 8601 (R18): a claim, not a proof.
    pub signing_time: Option<String>,
    /// `/Reason`.
    pub reason: Option<String>,
    /// `/Location`.
    pub location: Option<String>,
    /// `genTime` of a *verified* signature time-stamp, if any.
    pub timestamp: Option<String>,
    /// Every signature time-stamp token, each with its own result.
    pub timestamps: Vec<TimestampReport>,
    /// The time the certificate was judged at, and why.
    pub validation_time: Option<ValidationTime>,
    /// `/ByteRange` analysis.
    pub coverage: CoverageReport,
    /// CMS checks.
    pub cms: CmsReport,
    /// Certificate path.
    pub chain: Option<PathReport>,
    /// Revocation.
    pub revocation: Option<RevocationReport>,
    /// What changed after this signature.
    pub modifications: Option<DiffReport>,
    /// Whether the changes after it are allowed.
    pub modifications_allowed: bool,
    /// Trust anchor matched.
    pub trust_anchor: Option<AnchorInfo>,
    /// Signature fields added after this signature in a certified document and
    /// accepted under its rule (`field (signer)`, docs/verification-trust.md).
    pub added_signatures: Vec<String>,
    /// Weak algorithms found (CMS or path) as `what: algorithm`; pinned bundled
    /// certificates marked `(pinned)`. Accepted only as docs/verification-trust.md
    /// says ("Weak algorithms").
    pub weak_algorithms: Vec<String>,
    /// No revocation data could be had now; the archive's record of its earlier,
    /// passed check (at `archivePoe`) stands in for it.
    pub revocation_from_archive: bool,
    /// The PAdES baseline level the signature reaches (B-B … B-LTA; PKCS#7 for
    /// `adbe.pkcs7.*`); `None` when its CMS could not be read.
    pub level: Option<PadesLevel>,
    /// The file alone (its certificates and revocation answers) validates the
    /// signer's path and its time-stamps' paths, with no network.
    pub evidence_offline: bool,
    /// The signer's certificate, when found (not serialised; see `signer`).
    #[serde(skip)]
    pub signer_certificate: Option<x509_cert::Certificate>,
    /// The verdict.
    pub indication: Indication,
    /// Why, when not TOTAL_PASSED.
    pub sub_indication: Option<SubIndication>,
    /// Plain Vietnamese sentence.
    pub message_vi: String,
    /// Plain English sentence.
    pub message_en: String,
}

/// A document time-stamp (`/DocTimeStamp`) as reported.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentTimestampReport {
    /// Field name.
    pub field: String,
    /// `/ByteRange` analysis; `revision` is the revision it covers.
    pub coverage: CoverageReport,
    /// The token's check.
    pub timestamp: TimestampReport,
}

/// The verdict on a whole file.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentReport {
    /// Schema version.
    pub schema_version: u32,
    /// The file checked.
    pub file: PathBuf,
    /// SHA-256 of the file, when asked for.
    pub sha256: Option<String>,
    /// File size.
    pub size: Option<u64>,
    /// When the check ran (ISO 8601, Vietnam time).
    pub checked_at: String,
    /// Document verdict.
    pub indication: Indication,
    /// Why, when not TOTAL_PASSED.
    pub sub_indication: Option<SubIndication>,
    /// Plain Vietnamese sentence.
    pub message_vi: String,
    /// Plain English sentence.
    pub message_en: String,
    /// Signature fields present but not signed.
    pub empty_signature_fields: usize,
    /// DocMDP permission of a certification signature, if any.
    pub docmdp: Option<u8>,
    /// Per signature, in signing order.
    pub signatures: Vec<SignatureReport>,
    /// Document time-stamps, oldest first.
    pub document_timestamps: Vec<DocumentTimestampReport>,
    /// The archive record used as proof of existence, when one was.
    pub archive_poe: Option<String>,
}

impl DocumentReport {
    /// The verdict's short label.
    pub fn label(&self, lang: Lang) -> &'static str {
        self.indication.label(lang)
    }
}

/// Verify every signature in `path`. Never fails: an unreadable or malformed file
/// is a TOTAL_FAILED / FORMAT_FAILURE report saying why.
pub fn verify_file(path: &Path, opts: &VerifyOptions) -> DocumentReport {
    let now = OffsetDateTime::now_utc();
    let mut doc = DocumentReport {
        schema_version: SCHEMA_VERSION,
        file: path.to_owned(),
        sha256: None,
        size: std::fs::metadata(path).ok().map(|m| m.len()),
        checked_at: crate::time::iso8601(crate::time::now_vietnam()),
        indication: Indication::TotalFailed,
        sub_indication: Some(SubIndication::FormatFailure),
        message_vi: String::new(),
        message_en: String::new(),
        empty_signature_fields: 0,
        docmdp: None,
        signatures: Vec::new(),
        document_timestamps: Vec::new(),
        archive_poe: None,
    };
    let wants_digest = opts.file_digest || opts.archive_poe.is_some();
    let format_failure = |doc: &mut DocumentReport, e: &dyn Localize| {
        doc.message_vi = format!("{} ({})", SubIndication::FormatFailure.sentence(Lang::Vi), e.localize(Lang::Vi));
        doc.message_en = format!("{} ({})", SubIndication::FormatFailure.sentence(Lang::En), e.localize(Lang::En));
    };
    let opened = PdfFile::open_for_verification(path);
    if wants_digest {
        // Hashed from what was parsed when the file opened: the digest describes the
        // bytes the verdict is about.
        doc.sha256 = match &opened {
            Ok(pdf) => pdf_sha256(pdf),
            Err(_) => file_sha256(path),
        };
    }
    let pdf = match opened {
        Ok(p) => p,
        Err(crate::pdf::PdfError::Encrypted) => {
            doc.indication = Indication::Indeterminate;
            doc.sub_indication = Some(SubIndication::FormatFailure);
            doc.message_vi = "Văn bản được mã hóa (đặt mật khẩu hoặc mã hóa bằng chứng thư số): KýSố chưa kiểm tra được chữ ký trong văn bản mã hóa. Hãy đề nghị nơi gửi gửi lại bản không mã hóa.".into();
            doc.message_en = "The document is encrypted (password or certificate): KýSố cannot check the signatures of an encrypted document yet. Ask the sender for an unencrypted copy.".into();
            return doc;
        }
        Err(e) => {
            format_failure(&mut doc, &e);
            return doc;
        }
    };
    let (fields, empty) = match find_signature_fields(&pdf) {
        Ok(f) => f,
        Err(e) => {
            format_failure(&mut doc, &e);
            return doc;
        }
    };
    doc.empty_signature_fields = empty;
    let (doc_ts_fields, sig_fields): (Vec<&SignatureField>, Vec<&SignatureField>) = fields.iter().partition(|f| f.is_document_timestamp());
    let certification = dss::certification(&pdf).ok().flatten();
    doc.docmdp = certification.map(|(_, p)| p);
    let dss = dss::read_dss(&pdf).unwrap_or_default();
    let archive_poe =
        opts.archive_poe.as_ref().filter(|a| doc.sha256.as_deref().is_some_and(|h| h.eq_ignore_ascii_case(&a.sha256))).map(|a| a.time);
    doc.archive_poe = archive_poe.map(crate::time::iso8601);
    let mut cx = DocContext { pdf: &pdf, opts, dss, docmdp: doc.docmdp, now, doc_poe: Vec::new(), doc_stamps: Vec::new(), archive_poe };
    doc.document_timestamps = document_timestamps(&mut cx, &doc_ts_fields);
    if sig_fields.is_empty() && pdf.is_reconstructed() {
        let why = pdf.xref_problems().first().cloned().unwrap_or_default();
        doc.message_vi =
            format!("{} (bảng tham chiếu xref bị hỏng: {why}; không tìm thấy chữ ký nào)", SubIndication::FormatFailure.sentence(Lang::Vi));
        doc.message_en =
            format!("{} (damaged cross-reference table: {why}; no signature found)", SubIndication::FormatFailure.sentence(Lang::En));
        return doc;
    }
    if sig_fields.is_empty() {
        doc.sub_indication = Some(SubIndication::NotSigned);
        doc.message_vi = SubIndication::NotSigned.sentence(Lang::Vi).into();
        doc.message_en = SubIndication::NotSigned.sentence(Lang::En).into();
        return doc;
    }

    let mut reports: Vec<SignatureReport> = sig_fields.iter().map(|f| check_signature(&cx, f)).collect();
    later_signatures_of_a_certified_document(&cx, &mut reports);
    // A file whose cross-reference data is inconsistent is never valid: what a
    // viewer shows may not be what was signed (shadow and xref attacks).
    if let Some(problem) = pdf.xref_problems().first() {
        for r in reports.iter_mut().filter(|r| r.indication != Indication::TotalFailed) {
            Verdict::failed(SubIndication::FormatFailure)
                .detail(
                    format!("bảng tham chiếu xref không nhất quán: {problem}"),
                    format!("inconsistent cross-reference table: {problem}"),
                )
                .apply(r);
        }
    }
    // Bytes after the end of the newest revision that are not white space:
    // objects appended without a cross-reference section (the incremental-saving
    // attack's variants without xref or trailer), which a repairing viewer may
    // show although no revision, and so no difference analysis, includes them.
    if let Some(tail) = trailing_data(&pdf).filter(|_| !pdf.is_reconstructed()) {
        for r in reports.iter_mut().filter(|r| r.indication != Indication::TotalFailed) {
            Verdict::failed(SubIndication::FormatFailure)
                .detail(
                    format!("{tail} byte sau dấu kết thúc %%EOF cuối cùng không thuộc bản sửa đổi nào của tệp"),
                    format!("{tail} bytes after the last %%EOF belong to no revision of the file"),
                )
                .apply(r);
        }
    }
    // A document time-stamp that was tampered with: someone changed the file or
    // swapped the token.
    if let Some(bad) = doc.document_timestamps.iter().find(|t| t.timestamp.status == TimestampStatus::Invalid) {
        let (vi, en) = (bad.timestamp.message_vi.clone(), bad.timestamp.message_en.clone());
        for r in reports.iter_mut().filter(|r| r.indication != Indication::TotalFailed) {
            Verdict::failed(SubIndication::SigCryptoFailure)
                .detail(format!("dấu thời gian văn bản '{}': {vi}", bad.field), format!("document time-stamp '{}': {en}", bad.field))
                .apply(r);
        }
    }
    // Signing order: by the revision each signature closes; unusable ones last.
    reports.sort_by_key(|r| r.coverage.revision.unwrap_or(usize::MAX));
    for (i, r) in reports.iter_mut().enumerate() {
        r.index = i + 1;
    }
    let worst = reports.iter().map(|r| r.indication).max().unwrap_or(Indication::TotalFailed);
    doc.indication = worst;
    doc.sub_indication = reports.iter().find(|r| r.indication == worst).and_then(|r| r.sub_indication);
    let (vi, en) = document_sentence(&reports, worst);
    doc.message_vi = vi;
    doc.message_en = en;
    doc.signatures = reports;
    doc
}

/// Signatures added after a certification (DocMDP P = 2 or 3) in the revision
/// that signs them: each earlier signature's provisos are judged, newest first,
/// against the final verdicts of the signatures that added the fields
/// ([`super::certified`]).
fn later_signatures_of_a_certified_document(cx: &DocContext<'_>, reports: &mut [SignatureReport]) {
    if !matches!(cx.docmdp, Some(2) | Some(3)) {
        return;
    }
    let mut order: Vec<usize> = (0..reports.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(reports[i].coverage.revision));
    let mut renders = certified::Renders::new(cx.pdf, &Pdftoppm);
    for i in order {
        let Some(decision) = certified::judge(reports, i, &mut renders) else { continue };
        let r = &mut reports[i];
        let revision = r.coverage.revision.unwrap_or(0);
        match decision {
            Decision::Accepted(added) => {
                r.added_signatures = added.iter().map(|(field, who)| format!("{field} ({who})")).collect();
                if r.indication != Indication::TotalFailed {
                    let (vi, en) = certified::added_sentence(&added, true);
                    r.message_vi.push_str(&vi);
                    r.message_en.push_str(&en);
                }
            }
            Decision::Refused(vi, en) if r.indication != Indication::TotalFailed => {
                r.modifications_allowed = false;
                Verdict::failed(SubIndication::PostSigningModification)
                    .detail(
                        format!("bản đã ký là bản sửa đổi {revision}; thêm sau khi ký: {vi}"),
                        format!("revision {revision} was signed; added after signing: {en}"),
                    )
                    .apply(r);
            }
            Decision::Unconfirmed(sub, vi, en, added) => {
                r.added_signatures = added.iter().map(|(field, who)| format!("{field} ({who})")).collect();
                if r.indication != Indication::TotalPassed {
                    // Already not valid for its own reason (e.g. revocation unknown
                    // offline): the clerk still reads what was added after it.
                    if r.indication == Indication::Indeterminate && !added.is_empty() {
                        let (vi, en) = certified::added_sentence(&added, false);
                        r.message_vi.push_str(&vi);
                        r.message_en.push_str(&en);
                    }
                    continue;
                }
                Verdict::indeterminate(sub)
                    .sentence(
                        "Chưa xác nhận được các chữ ký được thêm sau khi văn bản được chứng thực.",
                        "The signatures added after the document was certified could not be confirmed.",
                    )
                    .detail(vi, en)
                    .apply(r);
            }
            _ => {}
        }
    }
}

/// What every signature of one document is checked against.
struct DocContext<'a> {
    pdf: &'a PdfFile,
    opts: &'a VerifyOptions,
    dss: dss::Dss,
    docmdp: Option<u8>,
    now: OffsetDateTime,
    /// Verified document time-stamps: (the revision each covers, its genTime).
    doc_poe: Vec<(usize, OffsetDateTime)>,
    /// The revisions covered by document time-stamps that are sound but perhaps not
    /// proven yet (their TSA's status unknown offline): they still make the level.
    doc_stamps: Vec<usize>,
    /// The archive's record of the whole file, when it matches.
    archive_poe: Option<OffsetDateTime>,
}

impl DocContext<'_> {
    /// Revocation sources common to every check: `/DSS`, `--crl`, online.
    fn revocation_sources(&self) -> RevocationSources {
        RevocationSources {
            crls: self.dss.crls.clone(),
            ocsps: self.dss.ocsps.clone(),
            crl_files: self.opts.crl_files.clone(),
            online: !self.opts.offline,
        }
    }

    /// The earliest proof of existence of revision `rev` from document
    /// time-stamps (any later one covers it).
    fn document_poe(&self, rev: usize) -> Option<OffsetDateTime> {
        self.doc_poe.iter().filter(|(covered, _)| *covered >= rev).map(|(_, t)| *t).min()
    }

    fn timestamp_context<'b>(&'b self, sources: &'b RevocationSources, token_poe: Option<OffsetDateTime>) -> TimestampContext<'b> {
        TimestampContext { trust: &self.opts.trust, pool: &self.dss.certs, sources, cache: &self.opts.cache, now: self.now, token_poe }
    }
}

/// Check the document time-stamps, newest first, each given the proof of
/// existence of the newer verified ones; record the valid ones in `cx.doc_poe`.
fn document_timestamps(cx: &mut DocContext<'_>, fields: &[&SignatureField]) -> Vec<DocumentTimestampReport> {
    let sources = cx.revocation_sources();
    let mut out: Vec<DocumentTimestampReport> = Vec::new();
    let mut checked: Vec<(&SignatureField, CoverageReport)> = fields
        .iter()
        .map(|f| {
            let cov = match f.sig_ref {
                Some(r) => coverage::check(cx.pdf, r, &f.byte_range_obj).unwrap_or_else(|e| CoverageReport {
                    coverage: Coverage::None,
                    revision: None,
                    contents: Vec::new(),
                    problem: Some(e.to_string()),
                }),
                None => CoverageReport {
                    coverage: Coverage::None,
                    revision: None,
                    contents: Vec::new(),
                    problem: Some("the signature dictionary is not an indirect object".into()),
                },
            };
            (*f, cov)
        })
        .collect();
    checked.sort_by_key(|(_, c)| std::cmp::Reverse(c.revision));
    for (f, cov) in checked {
        let token_poe = cov.revision.and_then(|rev| cx.doc_poe.iter().filter(|(c, _)| *c > rev).map(|(_, t)| *t).min());
        let tcx = cx.timestamp_context(&sources, token_poe);
        let ts = match (cov.coverage, f.byte_range.as_slice()) {
            (Coverage::WholeFile | Coverage::WholeRevision, [_, b, c, d]) => {
                let ranges = [(0, *b as u64), (*c as u64, *d as u64)];
                let token = cms_check::trim_padding(&cov.contents);
                let junk = cov.contents.get(token.len()..).unwrap_or_default().iter().any(|&b| b != 0);
                let mut ts =
                    timestamp::check_token(token, TimestampKind::Document, Imprinted::Ranges { pdf: cx.pdf, ranges: &ranges }, &tcx);
                if junk && ts.status != TimestampStatus::Invalid {
                    ts.status = TimestampStatus::Invalid;
                    ts.proven_time = None;
                    ts.message_vi = "Dấu thời gian văn bản không hợp lệ: có dữ liệu lạ sau mã thông báo trong /Contents.".into();
                    ts.message_en = "Invalid document time-stamp: bytes other than padding follow the token in /Contents.".into();
                }
                ts
            }
            _ => {
                let mut ts = timestamp::check_token(&[], TimestampKind::Document, Imprinted::Bytes(&[]), &tcx);
                let why = cov.problem.clone().unwrap_or_default();
                ts.message_vi = format!("Dấu thời gian văn bản không hợp lệ: vùng ký /ByteRange sai ({why}).");
                ts.message_en = format!("Invalid document time-stamp: unsound /ByteRange ({why}).");
                ts
            }
        };
        if let (Some(t), Some(rev)) = (ts.proven_time, cov.revision) {
            cx.doc_poe.push((rev, t));
        }
        if let (TimestampStatus::Valid | TimestampStatus::Indeterminate, Some(rev)) = (ts.status, cov.revision) {
            cx.doc_stamps.push(rev);
        }
        out.push(DocumentTimestampReport { field: f.name.clone(), coverage: cov, timestamp: ts });
    }
    out.reverse();
    out
}

/// How many bytes follow the end of the newest revision, when they are more than
/// white space (or NUL padding).
fn trailing_data(pdf: &PdfFile) -> Option<u64> {
    const PEEK: u64 = 64 * 1024;
    let newest = pdf.revision_count().checked_sub(1)?;
    let end = pdf.revision_end(newest).ok()??;
    let tail = pdf.len().checked_sub(end).filter(|&t| t > 0)?;
    let bytes = pdf.read_range(end, tail.min(PEEK) as usize).ok()?;
    let blank = bytes.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | 0));
    (!blank || tail > PEEK).then_some(tail)
}

/// SHA-256 of the whole of `pdf`, through its open handle or in-memory copy.
fn pdf_sha256(pdf: &PdfFile) -> Option<String> {
    let mut h = sha2::Sha256::new();
    pdf.stream_range(0, pdf.len(), &mut |piece| h.update(piece)).ok()?;
    Some(hex::encode(h.finalize()))
}

/// SHA-256 of a file that did not open as a PDF (still named in the report).
fn file_sha256(path: &Path) -> Option<String> {
    use std::io::Read;
    let mut f = std::fs::File::open(path).ok()?;
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Some(hex::encode(h.finalize()))
}

fn document_sentence(reports: &[SignatureReport], worst: Indication) -> (String, String) {
    match worst {
        Indication::TotalPassed => (
            format!("Hợp lệ: {} chữ ký số đều hợp lệ và văn bản không bị sửa đổi sau khi ký.", reports.len()),
            format!("Valid: all {} signatures are valid and the document was not modified after signing.", reports.len()),
        ),
        _ => {
            let bad: Vec<&SignatureReport> = reports.iter().filter(|r| r.indication == worst).collect();
            let vi = bad.iter().map(|r| format!("chữ ký {} ({}): {}", r.index, r.field, r.message_vi)).collect::<Vec<_>>().join("; ");
            let en = bad.iter().map(|r| format!("signature {} ({}): {}", r.index, r.field, r.message_en)).collect::<Vec<_>>().join("; ");
            (format!("{}: {}", worst.label(Lang::Vi), vi), format!("{}: {}", worst.label(Lang::En), en))
        }
    }
}

// ---------------------------------------------------------------------------
// One signature, stage by stage.
// ---------------------------------------------------------------------------

/// How a check ended when it did not pass: the indication, why, and an optional
/// detail in each language appended to the standard sentence.
#[derive(Clone, Debug)]
struct Verdict {
    indication: Indication,
    sub: SubIndication,
    detail: Option<(String, String)>,
    /// A sentence of its own instead of the sub-indication's standard one.
    sentence: Option<(&'static str, &'static str)>,
}

impl Verdict {
    fn failed(sub: SubIndication) -> Self {
        Verdict { indication: Indication::TotalFailed, sub, detail: None, sentence: None }
    }
    fn indeterminate(sub: SubIndication) -> Self {
        Verdict { indication: Indication::Indeterminate, sub, detail: None, sentence: None }
    }
    /// The same detail in both languages (technical text: names, times, OIDs).
    fn because(self, detail: impl Into<String>) -> Self {
        let d = detail.into();
        self.detail(d.clone(), d)
    }
    fn detail(mut self, vi: impl Into<String>, en: impl Into<String>) -> Self {
        self.detail = Some((vi.into(), en.into()));
        self
    }
    fn sentence(mut self, vi: &'static str, en: &'static str) -> Self {
        self.sentence = Some((vi, en));
        self
    }
    fn apply(self, r: &mut SignatureReport) {
        r.indication = self.indication;
        r.sub_indication = Some(self.sub);
        let (vi, en) = match self.detail {
            Some((vi, en)) => (format!(" ({vi})"), format!(" ({en})")),
            None => (String::new(), String::new()),
        };
        let (svi, sen) = self.sentence.unwrap_or((self.sub.sentence(Lang::Vi), self.sub.sentence(Lang::En)));
        r.message_vi = format!("{svi}{vi}");
        r.message_en = format!("{sen}{en}");
    }
}

type Stage<T> = Result<T, Verdict>;

fn check_signature(cx: &DocContext<'_>, f: &SignatureField) -> SignatureReport {
    let mut r = SignatureReport {
        index: 0,
        field: f.name.clone(),
        sub_filter: f.sub_filter.clone(),
        signer: SignerInfoReport::default(),
        claimed_time: f.claimed_time.clone(),
        signing_time: f.claimed_time.as_deref().and_then(parse_pdf_date).map(crate::time::iso8601),
        reason: f.reason.clone(),
        location: f.location.clone(),
        timestamp: None,
        timestamps: Vec::new(),
        validation_time: None,
        coverage: CoverageReport { coverage: Coverage::None, revision: None, contents: Vec::new(), problem: None },
        cms: CmsReport::default(),
        chain: None,
        revocation: None,
        modifications: None,
        modifications_allowed: false,
        trust_anchor: None,
        weak_algorithms: Vec::new(),
        added_signatures: Vec::new(),
        revocation_from_archive: false,
        level: None,
        evidence_offline: false,
        signer_certificate: None,
        indication: Indication::TotalFailed,
        sub_indication: Some(SubIndication::FormatFailure),
        message_vi: String::new(),
        message_en: String::new(),
    };
    match stages(cx, f, &mut r) {
        Ok(()) => passed(&mut r),
        Err(v) => v.apply(&mut r),
    }
    if r.cms.digest_ok || r.signer_certificate.is_some() {
        let facts = level_facts(cx, f, &r);
        r.evidence_offline = facts.validation_data;
        r.level = Some(level::level(facts));
    }
    r
}

/// What the signature carries for long-term validation ([`level::level`]).
fn level_facts(cx: &DocContext<'_>, f: &SignatureField, r: &SignatureReport) -> level::LevelFacts {
    let rev = r.coverage.revision;
    // A time-stamp whose TSA status cannot be had offline still makes the level.
    let sig_stamped = r.timestamps.iter().any(|t| matches!(t.status, TimestampStatus::Valid | TimestampStatus::Indeterminate));
    let doc_stamped = rev.is_some_and(|v| cx.doc_stamps.iter().any(|covered| *covered >= v));
    let archived = rev.is_some_and(|v| cx.doc_stamps.iter().any(|covered| *covered > v));
    // Offline: only what the file holds (the DSS and the CMS's own revocation data).
    let embedded = RevocationSources {
        crls: cx.dss.crls.iter().chain(&r.cms.crls).cloned().collect(),
        ocsps: cx.dss.ocsps.iter().chain(&r.cms.ocsps).cloned().collect(),
        crl_files: Vec::new(),
        online: false,
    };
    let has_embedded = !embedded.crls.is_empty() || !embedded.ocsps.is_empty();
    let judged = |t: Option<OffsetDateTime>| t.map(JudgedAt::Proven).unwrap_or(JudgedAt::Now);
    let good = |certs: &[Certificate], at: JudgedAt| {
        certs.is_empty() || revocation::check_as_of(certs, at, cx.now, &embedded, &cx.opts.cache).summary == RevocationSummary::Good
    };
    let signer_ok = has_embedded
        && r.chain.as_ref().is_some_and(|c| c.trusted())
        && good(
            r.chain.as_ref().map(|c| c.certificates.as_slice()).unwrap_or_default(),
            judged(r.timestamps.iter().filter_map(|t| t.proven_time).min().or(rev.and_then(|v| cx.document_poe(v)))),
        );
    let stamps_ok = r
        .timestamps
        .iter()
        .filter(|t| t.status == TimestampStatus::Valid)
        .all(|t| good(&t.tsa_certificates, judged(rev.and_then(|v| cx.document_poe(v)))));
    level::LevelFacts {
        cades: f.sub_filter.as_deref() == Some("ETSI.CAdES.detached"),
        time_stamped: sig_stamped || doc_stamped,
        validation_data: signer_ok && stamps_ok,
        archive_time_stamped: archived,
    }
}

fn stages(cx: &DocContext<'_>, f: &SignatureField, r: &mut SignatureReport) -> Stage<()> {
    if cx.pdf.is_reconstructed() {
        return damaged_file(cx, f, r);
    }
    let ranges = byte_ranges(cx, f, r)?;
    cms(cx, f, r, &ranges)?;
    signature_timestamps(cx, r)?;
    modifications(cx, r)?;
    let at = validation_time(cx, r);
    let certs = certificate_path(cx, f, r, at)?;
    algorithms(r, at)?;
    revocation(cx, f, r, &certs, at)
}

fn passed(r: &mut SignatureReport) {
    r.indication = Indication::TotalPassed;
    r.sub_indication = None;
    let anchor = r.trust_anchor.as_ref().map(|a| a.name.clone()).unwrap_or_default();
    let (when_vi, when_en) = match &r.validation_time {
        Some(ValidationTime { time, basis: TimeBasis::SignatureTimestamp }) => {
            (format!(" Thời điểm ký được dấu thời gian chứng minh: {time}."), format!(" Signing time proven by a time-stamp: {time}."))
        }
        Some(ValidationTime { time, basis: TimeBasis::DocumentTimestamp }) => (
            format!(" Chữ ký tồn tại trước {time} (dấu thời gian văn bản)."),
            format!(" The signature existed before {time} (document time-stamp)."),
        ),
        Some(ValidationTime { time, basis: TimeBasis::Archive }) => (
            format!(" Chữ ký đã được kiểm tra là hợp lệ lúc {time} (theo hồ sơ lưu trữ của KýSố, dùng làm bằng chứng thời điểm)."),
            format!(" The signature was found valid at {time} (KýSố's archive record, used as proof of that time)."),
        ),
        _ => (String::new(), String::new()),
    };
    let (when_vi, when_en) = if r.revocation_from_archive {
        (
            format!("{when_vi} Tình trạng thu hồi lấy từ lần kiểm tra được lưu trong hồ sơ lưu trữ."),
            format!("{when_en} The revocation status is the one found by the check kept in the archive record."),
        )
    } else {
        (when_vi, when_en)
    };
    let (weak_vi, weak_en) = if r.weak_algorithms.is_empty() {
        (String::new(), String::new())
    } else {
        let list = r.weak_algorithms.join("; ");
        (
            format!(" Lưu ý: có dùng thuật toán yếu ({list}), được chấp nhận vì chứng thư được KýSố ghim theo dấu vân tay hoặc chữ ký được chứng minh tồn tại trước ngày ngừng dùng thuật toán này."),
            format!(" Note: a weak algorithm is used ({list}); accepted because the certificate is pinned by KýSố's fingerprint or the signature is proven to predate the algorithm's sunset."),
        )
    };
    r.message_vi = format!(
        "Chữ ký hợp lệ; chứng thư số tin cậy (gốc: {anchor}), chưa bị thu hồi; văn bản không bị sửa đổi sau khi ký.{when_vi}{weak_vi}"
    );
    r.message_en = format!(
        "Valid signature; trusted certificate (root: {anchor}), not revoked; no disallowed change after signing.{when_en}{weak_en}"
    );
}

/// A file whose cross-reference data was rebuilt by scanning: its revisions are
/// unknown, so nothing past the CMS can be judged, and it is FORMAT_FAILURE. The
/// signature's digest and signature value over its `/ByteRange` as written are
/// still checked and reported, as a repairing validator (pdfsig) shows them.
fn damaged_file(cx: &DocContext<'_>, f: &SignatureField, r: &mut SignatureReport) -> Stage<()> {
    let why = cx.pdf.xref_problems().first().cloned().unwrap_or_default();
    let len = i64::try_from(cx.pdf.len()).unwrap_or(i64::MAX);
    let ranges = match f.byte_range.as_slice() {
        &[0, b, c, d] if b > 0 && c > b && d >= 0 && c.checked_add(d).is_some_and(|e| e <= len) => [(0, b as u64), (c as u64, d as u64)],
        _ => {
            return Err(Verdict::failed(SubIndication::FormatFailure).detail(
                format!("bảng tham chiếu xref bị hỏng ({why}); /ByteRange không dùng được"),
                format!("damaged cross-reference table ({why}); unusable /ByteRange"),
            ))
        }
    };
    r.coverage = CoverageReport {
        coverage: Coverage::Partial,
        revision: None,
        contents: f.contents.clone(),
        problem: Some("the cross-reference data is damaged: the revisions of the file are unknown".into()),
    };
    let intact = cms(cx, f, r, &ranges).is_ok() && r.cms.digest_ok && r.cms.signature_ok;
    let (vi, en) = if intact {
        ("mã băm và chữ ký số trên vùng /ByteRange vẫn đúng", "the digest and signature value over its /ByteRange still check out")
    } else {
        ("mã băm hoặc chữ ký số trên vùng /ByteRange không đúng", "the digest or signature value over its /ByteRange does not check out")
    };
    Err(Verdict::failed(SubIndication::FormatFailure).detail(
        format!("bảng tham chiếu xref bị hỏng ({why}); chữ ký được tìm thấy bằng cách quét tệp; {vi}, nhưng không xác định được phần nào của văn bản đã được ký"),
        format!("damaged cross-reference table ({why}); the signature was found by scanning the file; {en}, but which part of the document was signed cannot be established"),
    ))
}

/// 1. The byte range, against the file's own structure.
fn byte_ranges(cx: &DocContext<'_>, f: &SignatureField, r: &mut SignatureReport) -> Stage<[(u64, u64); 2]> {
    let Some(sig_ref) = f.sig_ref else {
        return Err(Verdict::failed(SubIndication::FormatFailure).because("the signature dictionary is not an indirect object"));
    };
    r.coverage = coverage::check(cx.pdf, sig_ref, &f.byte_range_obj)
        .map_err(|e| Verdict::failed(SubIndication::FormatFailure).because(e.to_string()))?;
    if matches!(r.coverage.coverage, Coverage::None | Coverage::Partial) {
        let v = Verdict::failed(SubIndication::FormatFailure);
        return Err(match r.coverage.problem.clone() {
            Some(why) => v.because(why),
            None => v,
        });
    }
    match f.byte_range.as_slice() {
        [_, b, c, d] => Ok([(0, *b as u64), (*c as u64, *d as u64)]),
        _ => Err(Verdict::failed(SubIndication::FormatFailure)),
    }
}

/// 2. The CMS.
fn cms(cx: &DocContext<'_>, f: &SignatureField, r: &mut SignatureReport, ranges: &[(u64, u64)]) -> Stage<()> {
    let form = match f.sub_filter.as_deref() {
        Some("adbe.pkcs7.sha1") => CmsForm::Sha1Encapsulated,
        // A bare PKCS#1 signature with the certificates in /Cert (PDF 1.3 era), not a CMS.
        Some("adbe.x509.rsa_sha1") => {
            return Err(Verdict::indeterminate(SubIndication::FormatFailure)
                .detail("định dạng chữ ký cũ chưa được hỗ trợ (adbe.x509.rsa_sha1)", "unsupported old format (adbe.x509.rsa_sha1)"))
        }
        _ => CmsForm::Detached,
    };
    r.cms = cms_check::check_form(cx.pdf, &r.coverage.contents, ranges, form);
    r.signer_certificate = r.cms.signer.clone();
    if let Some(cert) = &r.cms.signer {
        r.signer = SignerInfoReport {
            subject: Some(crate::cms::names::display(&cert.tbs_certificate.subject)),
            common_name: crate::cms::names::attribute(&cert.tbs_certificate.subject, const_oid::db::rfc4519::CN),
            issuer: Some(crate::cms::names::display(&cert.tbs_certificate.issuer)),
            serial: Some(hex::encode_upper(cert.tbs_certificate.serial_number.as_bytes())),
        };
    }
    match r.cms.problem.clone() {
        None => Ok(()),
        Some(CmsProblem::Format(why)) => Err(Verdict::failed(SubIndication::FormatFailure).because(why)),
        Some(CmsProblem::NoSigningCertificate) => Err(Verdict::indeterminate(SubIndication::NoSigningCertificateFound)),
        Some(CmsProblem::Hash) => Err(Verdict::failed(SubIndication::HashFailure)),
        Some(CmsProblem::Crypto(why)) => Err(Verdict::failed(SubIndication::SigCryptoFailure).because(why)),
        Some(CmsProblem::Unsupported(why)) => Err(Verdict::indeterminate(SubIndication::CryptoConstraintsFailure)
            .detail(format!("KýSố chưa hỗ trợ thuật toán này: {why}"), format!("this verifier does not support the algorithm: {why}"))),
        Some(CmsProblem::SigningCertificateMismatch) => Err(Verdict::failed(SubIndication::SigConstraintsFailure)),
    }
}

/// 3. The signature time-stamp tokens: each checked; a tampered one invalidates.
fn signature_timestamps(cx: &DocContext<'_>, r: &mut SignatureReport) -> Stage<()> {
    if r.cms.timestamp_tokens.is_empty() {
        return Ok(());
    }
    let sources = cx.revocation_sources();
    let token_poe = r.coverage.revision.and_then(|rev| cx.document_poe(rev));
    // The TSA's path may be completed by certificates the signature carries too.
    let mut pool = r.cms.certificates.clone();
    pool.extend(cx.dss.certs.iter().cloned());
    let mut tcx = cx.timestamp_context(&sources, token_poe);
    tcx.pool = &pool;
    for token in &r.cms.timestamp_tokens {
        r.timestamps.push(timestamp::check_token(token, TimestampKind::Signature, Imprinted::Bytes(&r.cms.signature_value), &tcx));
    }
    r.timestamp = r.timestamps.iter().filter_map(|t| t.proven_time).min().map(crate::time::iso8601);
    r.cms.timestamp = r.timestamp.clone();
    match r.timestamps.iter().find(|t| t.status == TimestampStatus::Invalid) {
        Some(bad) => Err(Verdict::failed(SubIndication::SigCryptoFailure)
            .sentence(
                "Dấu thời gian gắn với chữ ký đã bị sửa hoặc không thuộc chữ ký này: chữ ký không được chấp nhận.",
                "The signature's time-stamp was tampered with or belongs to another signature: the signature is not accepted.",
            )
            .detail(bad.message_vi.clone(), bad.message_en.clone())),
        None => Ok(()),
    }
}

/// 4. What changed after the signature.
fn modifications(cx: &DocContext<'_>, r: &mut SignatureReport) -> Stage<()> {
    let revision = r.coverage.revision.unwrap_or(0);
    let report = diff::analyse(cx.pdf, revision, cx.docmdp)
        .map_err(|e| Verdict::failed(SubIndication::FormatFailure).because(format!("revision comparison failed: {e}")))?;
    r.modifications_allowed = report.allowed(cx.docmdp);
    let disallowed: Vec<String> = report.disallowed(cx.docmdp).take(5).map(|c| format!("{} {}", c.what, c.description)).collect();
    r.modifications = Some(report);
    if r.modifications_allowed {
        return Ok(());
    }
    let list = disallowed.join("; ");
    Err(Verdict::failed(SubIndication::PostSigningModification).detail(
        format!("bản đã ký là bản sửa đổi {revision}; thêm sau khi ký: {list}"),
        format!("revision {revision} was signed; added after signing: {list}"),
    ))
}

/// Stage 5: the time the certificate is judged at, the earliest verified proof
/// of existence, else now.
fn validation_time(cx: &DocContext<'_>, r: &mut SignatureReport) -> JudgedAt {
    let candidates = [
        (r.timestamps.iter().filter_map(|t| t.proven_time).min(), TimeBasis::SignatureTimestamp),
        (r.coverage.revision.and_then(|rev| cx.document_poe(rev)), TimeBasis::DocumentTimestamp),
        (cx.archive_poe, TimeBasis::Archive),
    ];
    let best = candidates.iter().filter_map(|(t, b)| t.map(|t| (t, *b))).min_by_key(|(t, _)| *t);
    let (at, time, basis) = match best {
        Some((t, b)) => (JudgedAt::Proven(t), t, b),
        None => (JudgedAt::Now, cx.now, TimeBasis::Now),
    };
    r.validation_time = Some(ValidationTime { time: crate::time::iso8601(time), basis });
    at
}

/// The claimed signing time: `/M`, else the CMS signing-time attribute.
fn claimed_time(f: &SignatureField) -> Option<OffsetDateTime> {
    parse_pdf_date(f.claimed_time.as_deref()?)
}

/// 6. A certification path at the validation time.
fn certificate_path(cx: &DocContext<'_>, f: &SignatureField, r: &mut SignatureReport, at: JudgedAt) -> Stage<Vec<Certificate>> {
    let Some(cert) = r.cms.signer.clone() else { return Err(Verdict::indeterminate(SubIndication::NoSigningCertificateFound)) };
    let mut pool = r.cms.certificates.clone();
    pool.extend(cx.dss.certs.iter().cloned());
    let time = at.time(cx.now);
    let path = build_path(&cert, &pool, &cx.opts.trust, time);
    r.trust_anchor = path.anchor.clone();
    let status = path.status.clone();
    let certs = path.certificates.clone();
    r.chain = Some(path);
    match status {
        PathStatus::Trusted => Ok(certs),
        PathStatus::NoChainFound { .. } => Err(Verdict::indeterminate(SubIndication::NoCertificateChainFound)),
        PathStatus::Expired { which, not_after } => {
            let signer_expired = to_time(&cert.tbs_certificate.validity.not_after);
            let claimed_after = claimed_time(f).is_some_and(|c| c > signer_expired);
            Err(match at {
                // Proven to exist only after expiry, or the signer itself claims so.
                JudgedAt::Proven(_) => Verdict::indeterminate(SubIndication::Expired).because(format!("{which}: {not_after}")),
                JudgedAt::Now if claimed_after => Verdict::indeterminate(SubIndication::Expired).because(format!("{which}: {not_after}")),
                JudgedAt::Now => Verdict::indeterminate(SubIndication::OutOfBoundsNoPoe).detail(
                    format!("{which} hết hạn {not_after}; không có dấu thời gian hợp lệ chứng minh chữ ký được tạo trước đó"),
                    format!("{which} expired {not_after}; no valid time-stamp proves the signature was made before"),
                ),
            })
        }
        PathStatus::NotYetValid { which, not_before } => {
            Err(Verdict::indeterminate(SubIndication::NotYetValid).because(format!("{which}: {not_before}")))
        }
        PathStatus::BadSignature { which } => {
            Err(Verdict::failed(SubIndication::NoCertificateChainFound).because(format!("{which}: bad certificate signature")))
        }
        other => {
            Err(Verdict::indeterminate(SubIndication::NoCertificateChainFound).detail(other.localize(Lang::Vi), other.localize(Lang::En)))
        }
    }
}

/// Stage 7, weak algorithms: only with a proof of existence from before their
/// sunset, or on a pinned bundled certificate ([`super::algorithms`]).
fn algorithms(r: &mut SignatureReport, at: JudgedAt) -> Stage<()> {
    let mut weak = WeakUse::default();
    if let Some(w) = &r.cms.weak_algorithm {
        weak.needs_poe.push(format!("CMS: {w}"));
    }
    if let Some(path) = &r.chain {
        weak.needs_poe.extend(path.weak_links());
        weak.pinned.extend(path.pinned_weak_links());
    }
    r.weak_algorithms = weak.report();
    let poe = match at {
        JudgedAt::Proven(t) => Some(t),
        JudgedAt::Now => None,
    };
    if weak.acceptable(poe) {
        return Ok(());
    }
    let list = weak.needs_poe.join("; ");
    let sunset = crate::time::iso8601(WEAK_SUNSET);
    Err(Verdict::indeterminate(SubIndication::CryptoConstraintsFailureNoPoe).detail(
        format!("thuật toán yếu ({list}) chỉ được chấp nhận khi có bằng chứng chữ ký tồn tại trước {sunset}"),
        format!("weak algorithm ({list}), acceptable only with proof that the signature existed before {sunset}"),
    ))
}

/// 8. Revocation of the path at the validation time.
fn revocation(cx: &DocContext<'_>, f: &SignatureField, r: &mut SignatureReport, certs: &[Certificate], at: JudgedAt) -> Stage<()> {
    let mut sources = cx.revocation_sources();
    sources.crls.extend(r.cms.crls.iter().cloned());
    sources.ocsps.extend(r.cms.ocsps.iter().cloned());
    let rev = revocation::check_as_of(certs, at, cx.now, &sources, &cx.opts.cache);
    let summary = rev.summary;
    let revoked = rev.certificates.iter().find(|c| c.status.revoked_for_signature()).cloned();
    let unknown = rev.certificates.iter().find_map(|c| match &c.status {
        RevocationStatus::Unknown { .. } | RevocationStatus::NotChecked => Some((c.status.localize(Lang::Vi), c.status.localize(Lang::En))),
        _ => None,
    });
    r.revocation = Some(rev);
    match summary {
        RevocationSummary::Good => Ok(()),
        RevocationSummary::Revoked => {
            let (who, when) = revoked
                .as_ref()
                .map(|c| match &c.status {
                    RevocationStatus::Revoked { revocation_time, .. } => (c.subject.clone(), revocation_time.clone()),
                    _ => (c.subject.clone(), String::new()),
                })
                .unwrap_or_default();
            let detail = format!("{who}: {when}");
            // With a proven time, revoked at or before it. Without one, never valid:
            // revoked before the claimed time is the signer's own admission, after it
            // nothing proves the signature came first.
            let claimed = claimed_time(f).map(crate::time::iso8601);
            Err(match at {
                JudgedAt::Proven(_) => Verdict::failed(SubIndication::Revoked).because(detail),
                JudgedAt::Now if claimed.is_some_and(|c| when <= c) => Verdict::failed(SubIndication::Revoked).because(detail),
                JudgedAt::Now => Verdict::indeterminate(SubIndication::RevokedNoPoe).because(detail),
            })
        }
        RevocationSummary::TryLater if cx.archive_poe.is_some_and(|p| p >= at.time(cx.now)) => {
            // The archive's own earlier check found the path not revoked at its time,
            // after the time judged here: revocation is permanent, so not revoked then.
            r.revocation_from_archive = true;
            Ok(())
        }
        RevocationSummary::TryLater => {
            let v = Verdict::indeterminate(SubIndication::TryLater);
            Err(match unknown {
                Some((vi, en)) => v.detail(vi, en),
                None => v,
            })
        }
    }
}

/// Parse a PDF date `D:YYYYMMDDHHmmSS+HH'mm'` (ISO 32000-2 §7.9.4); missing parts default.
pub fn parse_pdf_date(s: &str) -> Option<time::OffsetDateTime> {
    let s = s.strip_prefix("D:").unwrap_or(s);
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    let num = |a: usize, b: usize, def: u32| digits.get(a..b).and_then(|x| x.parse::<u32>().ok()).unwrap_or(def);
    let year = i32::try_from(num(0, 4, 0)).ok().filter(|y| *y > 1900)?;
    let month = time::Month::try_from(u8::try_from(num(4, 6, 1)).ok()?).ok()?;
    let date = time::Date::from_calendar_date(year, month, u8::try_from(num(6, 8, 1)).ok()?).ok()?;
    let t = time::Time::from_hms(u8::try_from(num(8, 10, 0)).ok()?, u8::try_from(num(10, 12, 0)).ok()?, u8::try_from(num(12, 14, 0)).ok()?)
        .ok()?;
    let rest = &s[digits.len()..];
    let offset = match rest.chars().next() {
        Some(sign @ ('+' | '-')) => {
            let od: String = rest[1..].chars().filter(char::is_ascii_digit).collect();
            let h = od.get(0..2).and_then(|x| x.parse::<i8>().ok()).unwrap_or(0);
            let m = od.get(2..4).and_then(|x| x.parse::<i8>().ok()).unwrap_or(0);
            let (h, m) = if sign == '-' { (-h, -m) } else { (h, m) };
            time::UtcOffset::from_hms(h, m, 0).ok()?
        }
        _ => time::UtcOffset::UTC,
    };
    Some(time::PrimitiveDateTime::new(date, t).assume_offset(offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_dates() {
        let t = parse_pdf_date("D:20261122091530+07'00'").expect("date");
        assert_eq!(crate::time::iso8601(t), "2026-11-22T09:15:30+07:00");
        let t = parse_pdf_date("D:20200101120000Z").expect("date");
        assert_eq!(crate::time::iso8601(t), "2020-01-01T19:00:00+07:00");
        assert!(parse_pdf_date("garbage").is_none());
    }
}
