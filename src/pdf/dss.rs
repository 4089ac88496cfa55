//! Writing the Document Security Store (ISO 32000-2 §12.8.4.3; ETSI EN 319 142-1
//! §5.4): the certificates, OCSP responses and CRLs that validate a document's
//! signatures and time-stamps offline (PAdES B-LT), added in an incremental update.
//!
//! ```text
//! /DSS << /Certs [streams] /OCSPs [streams] /CRLs [streams]
//!         /VRI << /<SHA-1 of a signature's /Contents, upper-case hex>
//!                   << /Cert [...] /OCSP [...] /CRL [...] /TU (time) >> >> >>
//! ```
//!
//! An existing `/DSS` keeps every entry it had: new items are appended to its
//! arrays (direct or indirect) and new `/VRI` keys inserted, by splicing the
//! original bytes, so earlier signatures' difference analysis sees only DSS
//! changes. An item already in the store (byte for byte) is not written twice.

use std::collections::HashSet;

use sha2::Digest;

use super::object::{Dict, ObjRef, Object};
use super::update::{IncrementalUpdate, Splice, UpdateBytes};
use super::{filters, ObjectSource, PdfError, PdfFile};

/// Validation data for one signature (or time-stamp), to go in `/DSS` and its `/VRI` entry.
#[derive(Clone, Debug, Default)]
pub struct ValidationData {
    /// The `/VRI` key: upper-case hex SHA-1 of the signature's `/Contents` bytes
    /// ([`vri_key`]); `None` adds to the store without a `/VRI` entry.
    pub vri_key: Option<String>,
    /// DER certificates.
    pub certs: Vec<Vec<u8>>,
    /// DER `OCSPResponse`s.
    pub ocsps: Vec<Vec<u8>>,
    /// DER CRLs.
    pub crls: Vec<Vec<u8>>,
}

/// The `/VRI` key of a signature whose `/Contents` string holds `contents`
/// (padding included, as pyHanko and Adobe compute it).
pub fn vri_key(contents: &[u8]) -> String {
    hex::encode_upper(sha1::Sha1::digest(contents))
}

/// An incremental update adding `data` (several signatures' worth) to the
/// document's `/DSS`, `time` (a PDF date) as each `/VRI` entry's `/TU`.
pub fn dss_update(pdf: &PdfFile, data: &[ValidationData], time: &str) -> Result<UpdateBytes, PdfError> {
    let catalog = pdf.catalog()?;
    let cat = catalog.object.as_dict().ok_or_else(|| PdfError::Missing("catalog".into()))?;
    let existing = existing_items(pdf, cat)?;
    let mut up = IncrementalUpdate::new(pdf);
    let mut written: Vec<(Vec<u8>, ObjRef)> = Vec::new();
    let mut new_refs = [Vec::new(), Vec::new(), Vec::new()]; // certs, ocsps, crls
    let mut vri_entries: Vec<(String, [Vec<ObjRef>; 3])> = Vec::new();
    for d in data {
        let mut entry = [Vec::new(), Vec::new(), Vec::new()];
        for (kind, items) in [&d.certs, &d.ocsps, &d.crls].into_iter().enumerate() {
            for item in items {
                let r = match existing.get(item).copied().or_else(|| written.iter().find(|(b, _)| b == item).map(|(_, r)| *r)) {
                    Some(r) => r,
                    None => {
                        let r = up.reserve();
                        up.put(r, stream_object(item));
                        written.push((item.clone(), r));
                        new_refs[kind].push(r);
                        r
                    }
                };
                if !entry[kind].contains(&r) {
                    entry[kind].push(r);
                }
            }
        }
        if let Some(k) = &d.vri_key {
            vri_entries.push((k.clone(), entry));
        }
    }
    let vri_text = |(k, [c, o, l]): &(String, [Vec<ObjRef>; 3])| -> (Vec<u8>, Vec<u8>) {
        let mut v = b"<<".to_vec();
        for (name, refs) in [("Cert", c), ("OCSP", o), ("CRL", l)] {
            if !refs.is_empty() {
                v.extend_from_slice(format!(" /{name} {}", ref_array(refs)).as_bytes());
            }
        }
        v.extend_from_slice(b" /TU ");
        v.extend_from_slice(&crate::pdf::write::text_string(time));
        v.extend_from_slice(b" >>");
        (k.as_bytes().to_vec(), v)
    };
    let keys = [&b"Certs"[..], b"OCSPs", b"CRLs"];
    match cat.get(b"DSS") {
        None => {
            let dss = up.reserve();
            let mut d = b"<< /Type /DSS".to_vec();
            for (key, refs) in keys.iter().zip(&new_refs) {
                if !refs.is_empty() {
                    d.extend_from_slice(format!(" /{} {}", String::from_utf8_lossy(key), ref_array(refs)).as_bytes());
                }
            }
            if !vri_entries.is_empty() {
                d.extend_from_slice(b" /VRI <<");
                for e in &vri_entries {
                    let (k, v) = vri_text(e);
                    d.extend_from_slice(b" /");
                    d.extend_from_slice(&k);
                    d.push(b' ');
                    d.extend_from_slice(&v);
                }
                d.extend_from_slice(b" >>");
            }
            d.extend_from_slice(b" >>");
            up.put(dss, d);
            let mut s = Splice::new(&catalog);
            s.set(cat, b"DSS", format!("{} {} R", dss.num, dss.gen).as_bytes());
            up.put(catalog.id, s.finish()?);
        }
        Some(found) => {
            // The object holding the DSS dictionary: the catalog itself, or its own.
            let holder = match found {
                Object::Ref(r) => pdf.get(*r)?,
                _ => catalog.clone(),
            };
            let dss_dict = match found {
                Object::Ref(_) => holder.object.as_dict().cloned(),
                _ => cat.get(b"DSS").and_then(Object::as_dict).cloned(),
            }
            .ok_or_else(|| PdfError::malformed(0, "/DSS is not a dictionary"))?;
            let mut s = Splice::new(&holder);
            for (key, refs) in keys.iter().zip(&new_refs) {
                if refs.is_empty() {
                    continue;
                }
                match dss_dict.get(key) {
                    None => s.set(&dss_dict, key, ref_array(refs).as_bytes()),
                    Some(Object::Ref(ar)) => {
                        let arr = pdf.get(*ar)?;
                        let mut a = Splice::new(&arr);
                        let span = arr.value_span.clone();
                        for r in refs {
                            a.append_to_array(&span, format!("{} {} R", r.num, r.gen).as_bytes())?;
                        }
                        up.put(arr.id, a.finish()?);
                    }
                    Some(Object::Array(_)) => {
                        let span = dss_dict.entry(key).map(|e| e.value_span.clone()).ok_or_else(|| PdfError::malformed(0, "DSS array"))?;
                        for r in refs {
                            s.append_to_array(&span, format!("{} {} R", r.num, r.gen).as_bytes())?;
                        }
                    }
                    Some(_) => return Err(PdfError::malformed(0, "a /DSS entry is not an array")),
                }
            }
            if !vri_entries.is_empty() {
                match dss_dict.get(b"VRI") {
                    None => {
                        let mut v = b"<<".to_vec();
                        for e in &vri_entries {
                            let (k, t) = vri_text(e);
                            v.extend_from_slice(b" /");
                            v.extend_from_slice(&k);
                            v.push(b' ');
                            v.extend_from_slice(&t);
                        }
                        v.extend_from_slice(b" >>");
                        s.set(&dss_dict, b"VRI", &v);
                    }
                    Some(Object::Dict(vri)) => {
                        for e in &vri_entries {
                            let (k, t) = vri_text(e);
                            s.set(vri, &k, &t);
                        }
                    }
                    Some(Object::Ref(vr)) => {
                        let vraw = pdf.get(*vr)?;
                        let vri = vraw.object.as_dict().cloned().ok_or_else(|| PdfError::malformed(0, "/VRI is not a dictionary"))?;
                        let mut vs = Splice::new(&vraw);
                        for e in &vri_entries {
                            let (k, t) = vri_text(e);
                            vs.set(&vri, &k, &t);
                        }
                        up.put(vraw.id, vs.finish()?);
                    }
                    Some(_) => return Err(PdfError::malformed(0, "/VRI is not a dictionary")),
                }
            }
            up.put(holder.id, s.finish()?);
        }
    }
    up.finish()
}

/// `[n 0 R …]`.
fn ref_array(refs: &[ObjRef]) -> String {
    let items: Vec<String> = refs.iter().map(|r| format!("{} {} R", r.num, r.gen)).collect();
    format!("[{}]", items.join(" "))
}

/// An uncompressed stream holding `data` (DER does not compress).
fn stream_object(data: &[u8]) -> Vec<u8> {
    let mut v = format!("<< /Length {} >>\nstream\n", data.len()).into_bytes();
    v.extend_from_slice(data);
    v.extend_from_slice(b"\nendstream");
    v
}

/// The items already in the store (decoded stream data → its object), so none is
/// written twice.
fn existing_items(pdf: &PdfFile, cat: &Dict) -> Result<std::collections::HashMap<Vec<u8>, ObjRef>, PdfError> {
    let mut out = std::collections::HashMap::new();
    let Some(dss) = cat.get(b"DSS") else { return Ok(out) };
    let dss = pdf.resolve(dss)?;
    let Some(dss) = dss.as_dict() else { return Ok(out) };
    let mut seen = HashSet::new();
    for key in [&b"Certs"[..], b"OCSPs", b"CRLs"] {
        let Some(arr) = dss.get(key) else { continue };
        let arr = pdf.resolve(arr)?;
        for item in arr.as_array().unwrap_or_default().iter().take(10_000) {
            let Some(r) = item.as_ref() else { continue };
            if !seen.insert(r) {
                continue;
            }
            let raw = pdf.get(r)?;
            let (Some(d), Some(loc)) = (raw.object.as_dict(), raw.stream) else { continue };
            let data = filters::decode(d, &pdf.read_stream_data(loc, 16 * 1024 * 1024)?)?;
            out.entry(data).or_insert(r);
        }
    }
    Ok(out)
}
