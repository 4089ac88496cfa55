//! Finding the signature fields of a document and reading their signature
//! dictionaries (ISO 32000-2 §12.7.5.5, §12.8.1).

use crate::pdf::ObjectSource;
use std::collections::HashSet;

use crate::pdf::object::{Dict, ObjRef, Object};
use crate::pdf::write::decode_text_string;
use crate::pdf::{PdfError, PdfFile};

/// A signed signature field.
#[derive(Clone, Debug)]
pub struct SignatureField {
    /// Fully qualified field name.
    pub name: String,
    /// The signature dictionary's reference, when indirect.
    pub sig_ref: Option<ObjRef>,
    /// `/ByteRange` integers as written.
    pub byte_range: Vec<i64>,
    /// `/ByteRange` as written (any type), for structural checks.
    pub byte_range_obj: Object,
    /// `/Filter`.
    pub filter: Option<String>,
    /// `/Type` of the signature dictionary (`Sig` or `DocTimeStamp`).
    pub sig_type: Option<String>,
    /// `/Name`, `/Reason`, `/Location` as written.
    pub name_entry: Option<String>,
    /// `/Reason`.
    pub reason: Option<String>,
    /// `/Location`.
    pub location: Option<String>,
    /// `/Contents` bytes (DER plus zero padding).
    pub contents: Vec<u8>,
    /// `/SubFilter`.
    pub sub_filter: Option<String>,
    /// `/M` as written.
    pub claimed_time: Option<String>,
}

/// All signed signature fields, in the order the form lists them.
pub fn find_signatures(pdf: &PdfFile) -> Result<Vec<SignatureField>, PdfError> {
    Ok(find_signature_fields(pdf)?.0)
}

/// Signed signature fields, and the number of signature fields with no value.
pub fn find_signature_fields(pdf: &PdfFile) -> Result<(Vec<SignatureField>, usize), PdfError> {
    let mut empty = 0usize;
    let cat = pdf.catalog()?;
    let Some(form) = cat.object.as_dict().and_then(|d| d.get(b"AcroForm")) else { return Ok((Vec::new(), 0)) };
    let form = pdf.resolve(form)?;
    let Some(fields) = form.as_dict().and_then(|d| d.get(b"Fields")) else { return Ok((Vec::new(), 0)) };
    let fields = pdf.resolve(fields)?;
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut stack: Vec<(Object, String, Option<Vec<u8>>, usize)> =
        fields.as_array().unwrap_or_default().iter().rev().map(|o| (o.clone(), String::new(), None, 0)).collect();
    while let Some((node, parent_name, inherited_ft, depth)) = stack.pop() {
        if depth > 32 || out.len() > 10_000 {
            return Err(PdfError::LimitExceeded("form field tree"));
        }
        if let Object::Ref(r) = node {
            if !seen.insert(r) {
                continue;
            }
        }
        let obj = pdf.resolve(&node)?;
        let Some(d) = obj.as_dict() else { continue };
        let own = d.get(b"T").and_then(Object::as_string).map(decode_text_string);
        let name = match (&own, parent_name.is_empty()) {
            (Some(t), true) => t.clone(),
            (Some(t), false) => format!("{parent_name}.{t}"),
            (None, _) => parent_name.clone(),
        };
        let ft = d.name(b"FT").map(<[u8]>::to_vec).or(inherited_ft);
        if let Some(kids) = d.get(b"Kids") {
            let kids = pdf.resolve(kids)?;
            for k in kids.as_array().unwrap_or_default().iter().rev() {
                stack.push((k.clone(), name.clone(), ft.clone(), depth + 1));
            }
        }
        if ft.as_deref() != Some(b"Sig") {
            continue;
        }
        if d.get(b"Kids").is_some() && d.get(b"V").is_none() {
            continue; // A parent; its kids are visited.
        }
        let Some(v) = d.get(b"V").filter(|v| !matches!(v, Object::Null)) else {
            empty += 1;
            continue;
        };
        let sig_ref = v.as_ref();
        let sig = pdf.resolve(v)?;
        let Some(sd) = sig.as_dict() else {
            empty += 1;
            continue;
        };
        out.push(read_sig_dict(sd, name, sig_ref));
    }
    Ok((out, empty))
}

fn read_sig_dict(sd: &Dict, name: String, sig_ref: Option<ObjRef>) -> SignatureField {
    let byte_range =
        sd.get(b"ByteRange").and_then(Object::as_array).map(|a| a.iter().filter_map(Object::as_int).collect()).unwrap_or_default();
    let text = |k: &[u8]| sd.get(k).and_then(Object::as_string).map(decode_text_string);
    SignatureField {
        name,
        sig_ref,
        byte_range,
        byte_range_obj: sd.get(b"ByteRange").cloned().unwrap_or(Object::Null),
        filter: sd.name(b"Filter").map(|n| String::from_utf8_lossy(n).into_owned()),
        sig_type: sd.name(b"Type").map(|n| String::from_utf8_lossy(n).into_owned()),
        name_entry: text(b"Name"),
        reason: text(b"Reason"),
        location: text(b"Location"),
        contents: sd.get(b"Contents").and_then(Object::as_string).map(<[u8]>::to_vec).unwrap_or_default(),
        sub_filter: sd.name(b"SubFilter").map(|n| String::from_utf8_lossy(n).into_owned()),
        claimed_time: sd.get(b"M").and_then(Object::as_string).map(decode_text_string),
    }
}
