//! What a signature's `/ByteRange` covers, checked against the file's own
//! structure (ISO 32000-2 §12.8.1; the 2019 "Vulnerability Report: Attacks
//! bypassing the signature validation in PDF" — USF and SWA classes).
//!
//! A sound byte range is `[0 b c d]` where `[b, c)` is exactly the `/Contents`
//! hex string of *this* signature dictionary, as located through the
//! cross-reference data of the revision it signs, and `c + d` is the end of a
//! revision. Anything else — gaps, overlaps, a second `/Contents`, numbers past
//! the file, a dictionary inside an object stream — is refused.

use serde::Serialize;

use crate::pdf::object::{ObjRef, Object};
use crate::pdf::reader::XrefEntry;
use crate::pdf::{ObjectSource, PdfError, PdfFile};

/// How much of the file a signature's `/ByteRange` covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Coverage {
    /// The byte range is missing, malformed, or does not exclude exactly this
    /// signature's `/Contents`.
    None,
    /// Well-formed, but it does not end at the end of a revision.
    Partial,
    /// Everything up to the end of an earlier revision, except `/Contents`.
    WholeRevision,
    /// The whole file except `/Contents`.
    WholeFile,
}

/// The outcome of checking one byte range.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CoverageReport {
    /// The classification.
    pub coverage: Coverage,
    /// The revision (0 = original document) whose end the range reaches.
    pub revision: Option<usize>,
    /// The `/Contents` bytes taken from the excluded gap (hex-decoded), when sound.
    #[serde(skip)]
    pub contents: Vec<u8>,
    /// Why the range is unsound, when it is.
    pub problem: Option<String>,
}

impl CoverageReport {
    fn bad(coverage: Coverage, why: impl Into<String>) -> Self {
        CoverageReport { coverage, revision: None, contents: Vec::new(), problem: Some(why.into()) }
    }
}

/// Check the byte range of the signature dictionary `sig` (as read from the newest
/// revision) against the file.
pub fn check(pdf: &PdfFile, sig: ObjRef, byte_range: &Object) -> Result<CoverageReport, PdfError> {
    let ints: Vec<i64> = match byte_range.as_array() {
        Some(a) if a.len() == 4 => match a.iter().map(Object::as_int).collect::<Option<Vec<_>>>() {
            Some(v) => v,
            None => return Ok(CoverageReport::bad(Coverage::None, "/ByteRange holds non-integers")),
        },
        Some(_) => return Ok(CoverageReport::bad(Coverage::None, "/ByteRange does not have four numbers")),
        None => return Ok(CoverageReport::bad(Coverage::None, "/ByteRange is missing or not an array")),
    };
    let (a, b, c, d) = (ints[0], ints[1], ints[2], ints[3]);
    let len = pdf.len() as i64;
    if a != 0 {
        return Ok(CoverageReport::bad(Coverage::None, "/ByteRange does not start at 0"));
    }
    if b <= 0 || c <= b || d < 0 || c.checked_add(d).is_none_or(|e| e > len) {
        return Ok(CoverageReport::bad(Coverage::None, "/ByteRange numbers are negative, overlapping or past the end"));
    }
    let (b, c, d) = (b as u64, c as u64, d as u64);
    // The gap must be one hex string: '<' hex digits '>'.
    let gap_len = c - b;
    if !(2..=64 * 1024 * 1024).contains(&gap_len) {
        return Ok(CoverageReport::bad(Coverage::None, "/ByteRange gap has an impossible size"));
    }
    let gap = pdf.read_range(b, gap_len as usize)?;
    if gap.first() != Some(&b'<') || gap.last() != Some(&b'>') {
        return Ok(CoverageReport::bad(Coverage::None, "/ByteRange gap is not a hex string"));
    }
    let inner = &gap[1..gap.len() - 1];
    if !inner.iter().all(u8::is_ascii_hexdigit) || inner.len() % 2 != 0 {
        return Ok(CoverageReport::bad(Coverage::None, "/ByteRange gap is not a hex string"));
    }
    let end = c + d;
    // Which revision does the range close?
    let mut revision = None;
    for k in 0..pdf.revision_count() {
        if pdf.revision_end(k)? == Some(end) {
            revision = Some(k);
            break;
        }
    }
    let Some(k) = revision else {
        let mut r = CoverageReport::bad(Coverage::Partial, "/ByteRange does not end where a revision ends");
        r.contents = hex_decode(inner);
        return Ok(r);
    };
    // The gap must be this signature dictionary's own /Contents, located through the
    // xref of the revision it signs.
    let Some(view) = pdf.revision(k) else { return Ok(CoverageReport::bad(Coverage::None, "revision missing")) };
    let at = match view.xref().get(&sig.num) {
        Some(XrefEntry::InFile { offset, gen }) if *gen == sig.gen => *offset,
        Some(XrefEntry::InStream { .. }) => {
            return Ok(CoverageReport::bad(Coverage::None, "the signature dictionary is inside an object stream"))
        }
        _ => return Ok(CoverageReport::bad(Coverage::None, "the signature dictionary is not part of the signed revision")),
    };
    let raw = view.get(sig)?;
    let span = raw.object.as_dict().and_then(|d| d.entry(b"Contents")).map(|e| e.value_span.clone());
    let Some(span) = span else { return Ok(CoverageReport::bad(Coverage::None, "the signed revision's signature has no /Contents")) };
    let (cs, ce) = (at + span.start as u64, at + span.end as u64);
    if (cs, ce) != (b, c) {
        return Ok(CoverageReport::bad(Coverage::None, "/ByteRange does not exclude exactly this signature's /Contents"));
    }
    // The signed revision's dictionary must carry the same /ByteRange.
    if raw
        .object
        .as_dict()
        .and_then(|d| d.get(b"ByteRange"))
        .map(|o| o.as_array().map(|a| a.iter().filter_map(Object::as_int).collect::<Vec<_>>()))
        != Some(Some(ints.clone()))
    {
        return Ok(CoverageReport::bad(Coverage::None, "/ByteRange was changed after signing"));
    }
    let coverage = if end == pdf.len() { Coverage::WholeFile } else { Coverage::WholeRevision };
    Ok(CoverageReport { coverage, revision: Some(k), contents: hex_decode(inner), problem: None })
}

/// The bytes of `/Contents`' digits (already checked to be an even number of hex digits).
fn hex_decode(h: &[u8]) -> Vec<u8> {
    crate::pdf::syntax::decode_hex(h).unwrap_or_default()
}
