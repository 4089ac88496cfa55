//! The Document Security Store (ISO 32000-2 §12.8.4.3; ETSI EN 319 142-1 §5.4):
//! certificates, CRLs and OCSP responses a document carries for validation, and
//! the DocMDP permission of a certification signature (§12.8.2.2).

use x509_cert::Certificate;

use crate::pdf::filters;
use crate::pdf::object::{ObjRef, Object};
use crate::pdf::{ObjectSource, PdfError, PdfFile};

/// Most DSS entries read.
const MAX_ITEMS: usize = 10_000;
/// Largest DSS stream read.
const MAX_STREAM: u64 = 16 * 1024 * 1024;
/// Most decoded DSS bytes in all (many entries may name one compressed bomb).
const MAX_TOTAL: usize = 128 * 1024 * 1024;

/// Validation material from `/DSS`.
#[derive(Clone, Debug, Default)]
pub struct Dss {
    /// Certificates.
    pub certs: Vec<Certificate>,
    /// CRLs (DER).
    pub crls: Vec<Vec<u8>>,
    /// OCSP responses (DER).
    pub ocsps: Vec<Vec<u8>>,
}

/// Read `/DSS` from the catalog; a missing DSS is empty, a broken one an error.
pub fn read_dss(pdf: &PdfFile) -> Result<Dss, PdfError> {
    use der::Decode;
    let mut out = Dss::default();
    let mut total = 0usize;
    let cat = pdf.catalog()?;
    let Some(dss) = cat.object.as_dict().and_then(|d| d.get(b"DSS")) else { return Ok(out) };
    let dss = pdf.resolve(dss)?;
    let Some(dss) = dss.as_dict() else { return Ok(out) };
    for (key, sink) in [(&b"Certs"[..], 0u8), (b"CRLs", 1), (b"OCSPs", 2)] {
        let Some(arr) = dss.get(key) else { continue };
        let arr = pdf.resolve(arr)?;
        for item in arr.as_array().unwrap_or_default().iter().take(MAX_ITEMS) {
            let Some(r) = item.as_ref() else { continue };
            let Some(bytes) = stream_bytes(pdf, r)? else { continue };
            total = total.saturating_add(bytes.len());
            if total > MAX_TOTAL {
                return Err(PdfError::LimitExceeded("DSS size"));
            }
            match sink {
                0 => {
                    if let Ok(c) = Certificate::from_der(&bytes) {
                        out.certs.push(c);
                    }
                }
                1 => out.crls.push(bytes),
                _ => out.ocsps.push(bytes),
            }
        }
    }
    Ok(out)
}

fn stream_bytes(pdf: &PdfFile, r: ObjRef) -> Result<Option<Vec<u8>>, PdfError> {
    let raw = pdf.get(r)?;
    let (Some(dict), Some(loc)) = (raw.object.as_dict(), raw.stream) else { return Ok(None) };
    let data = pdf.read_stream_data(loc, MAX_STREAM)?;
    Ok(Some(filters::decode(dict, &data)?))
}

/// The certification signature, if any: its signature dictionary and `/P`
/// (1 no changes, 2 form filling and signing, 3 also annotations; default 2).
pub fn certification(pdf: &PdfFile) -> Result<Option<(ObjRef, u8)>, PdfError> {
    let cat = pdf.catalog()?;
    let Some(perms) = cat.object.as_dict().and_then(|d| d.get(b"Perms")) else { return Ok(None) };
    let perms = pdf.resolve(perms)?;
    let Some(Object::Ref(sig)) = perms.as_dict().and_then(|p| p.get(b"DocMDP")).cloned() else { return Ok(None) };
    let sd = pdf.get(sig)?.object;
    let mut p = 2u8;
    if let Some(refs) = sd.as_dict().and_then(|d| d.get(b"Reference")) {
        let refs = pdf.resolve(refs)?;
        for r in refs.as_array().unwrap_or_default() {
            let r = pdf.resolve(r)?;
            let Some(d) = r.as_dict() else { continue };
            if d.name(b"TransformMethod") != Some(b"DocMDP") {
                continue;
            }
            if let Some(params) = d.get(b"TransformParams") {
                let params = pdf.resolve(params)?;
                if let Some(v) = params.as_dict().and_then(|x| x.int(b"P")) {
                    p = u8::try_from(v.clamp(1, 3)).unwrap_or(2);
                }
            }
        }
    }
    Ok(Some((sig, p)))
}
