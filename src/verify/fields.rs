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
        let mut child_fields = 0usize;
        if let Some(kids) = d.get(b"Kids") {
            let kids = pdf.resolve(kids)?;
            for k in kids.as_array().unwrap_or_default().iter().rev() {
                // A kid without /T that is a widget is this field's widget (§12.7.3.1),
                // not a field of its own.
                if is_widget_only(&pdf.resolve(k)?) {
                    continue;
                }
                child_fields += 1;
                stack.push((k.clone(), name.clone(), ft.clone(), depth + 1));
            }
        }
        if ft.as_deref() != Some(b"Sig") {
            continue;
        }
        if child_fields > 0 && d.get(b"V").is_none() {
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

impl SignatureField {
    /// A document time-stamp (`/Type /DocTimeStamp` or `/SubFilter /ETSI.RFC3161`,
    /// ISO 32000-2 §12.8.5) rather than a signature.
    pub fn is_document_timestamp(&self) -> bool {
        self.sig_type.as_deref() == Some("DocTimeStamp") || self.sub_filter.as_deref() == Some("ETSI.RFC3161")
    }
}

/// A widget annotation that is not also a field: no `/T`, `/Subtype /Widget`.
fn is_widget_only(o: &Object) -> bool {
    o.as_dict().is_some_and(|d| d.get(b"T").is_none() && d.name(b"Subtype") == Some(b"Widget"))
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    /// A small PDF with the given objects (numbered from 1; 1 is the catalog).
    fn pdf_with(objects: &[&str]) -> (tempfile::TempDir, PdfFile) {
        let mut out = b"%PDF-1.7\n".to_vec();
        let mut offsets = Vec::new();
        for (i, body) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
        }
        let xref = out.len();
        out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f\r\n", objects.len() + 1).as_bytes());
        for o in offsets {
            out.extend_from_slice(format!("{o:010} 00000 n\r\n").as_bytes());
        }
        out.extend_from_slice(format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes());
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("t.pdf");
        std::fs::write(&path, out).expect("write");
        let pdf = PdfFile::open(&path).expect("open");
        (dir, pdf)
    }

    const PAGES: &str = "<< /Type /Pages /Kids [3 0 R] /Count 1 >>";
    const PAGE: &str = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [5 0 R 6 0 R] >>";

    #[test]
    fn widget_kids_are_widgets_not_fields() {
        // An empty signature field with two widget kids: one empty field.
        let (_d, pdf) = pdf_with(&[
            "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] >> >>",
            PAGES,
            PAGE,
            "<< /FT /Sig /T (Sig1) /Kids [5 0 R 6 0 R] >>",
            "<< /Type /Annot /Subtype /Widget /Parent 4 0 R /Rect [0 0 10 10] /P 3 0 R >>",
            "<< /Type /Annot /Subtype /Widget /Parent 4 0 R /Rect [20 0 30 10] /P 3 0 R >>",
        ]);
        let (signed, empty) = find_signature_fields(&pdf).expect("fields");
        assert!(signed.is_empty());
        assert_eq!(empty, 1);
    }

    #[test]
    fn signed_field_with_widget_kids_is_one_signature() {
        let (_d, pdf) = pdf_with(&[
            "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] /SigFlags 3 >> >>",
            PAGES,
            PAGE,
            "<< /FT /Sig /T (Sig1) /V 7 0 R /Kids [5 0 R 6 0 R] >>",
            "<< /Type /Annot /Subtype /Widget /Parent 4 0 R /Rect [0 0 10 10] /P 3 0 R >>",
            "<< /Type /Annot /Subtype /Widget /Parent 4 0 R /Rect [20 0 30 10] /P 3 0 R >>",
            "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 1 2 3] /Contents <00> >>",
        ]);
        let (signed, empty) = find_signature_fields(&pdf).expect("fields");
        assert_eq!(signed.len(), 1);
        assert_eq!(signed[0].name, "Sig1");
        assert_eq!(empty, 0);
    }

    #[test]
    fn child_fields_are_still_visited() {
        // A non-terminal parent "P" with a merged child field "P.a" (has /T): one empty field P.a.
        let (_d, pdf) = pdf_with(&[
            "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] >> >>",
            PAGES,
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [5 0 R] >>",
            "<< /FT /Sig /T (P) /Kids [5 0 R] >>",
            "<< /Type /Annot /Subtype /Widget /T (a) /Parent 4 0 R /Rect [0 0 10 10] /P 3 0 R >>",
        ]);
        let (signed, empty) = find_signature_fields(&pdf).expect("fields");
        assert!(signed.is_empty());
        assert_eq!(empty, 1);
    }
}
