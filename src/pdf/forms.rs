//! Typed writers for the new objects one signature adds (ISO 32000-2 §12.5.6.19,
//! §12.7.3.1, §12.7.5.5, §12.8.1): the signature dictionary, the signature field,
//! its widget annotations, their appearance streams and a new `/AcroForm`.
//!
//! Fields, widgets, appearance XObjects and the form are written with pdf-writer's
//! [`Chunk`] writers; each function returns the object's *value* (no
//! `N 0 obj … endobj` frame), ready for [`super::update::IncrementalUpdate::put`].
//! The signature dictionary has a writer of its own ([`SignatureDict`]): its
//! `/ByteRange` and `/Contents` are fixed-width placeholders whose exact offsets
//! the signer must know, so it finishes explicitly with a `Result` and reports
//! those spans (pdf-writer's writers finish when dropped and cannot say where a
//! value went).
//!
//! Objects of earlier revisions are never written here: they are spliced
//! ([`super::update::Splice`]).

use std::io::Write;
use std::ops::Range;

use pdf_writer::types::{AnnotationFlags, AnnotationType, FieldType, SigFlags};
use pdf_writer::{Chunk, Name, Rect, Ref, Settings, TextStr};

use super::object::ObjRef;
use super::write::text_string;
use super::PdfError;

/// Width reserved inside `/ByteRange [ … ]` for four numbers.
pub const BYTE_RANGE_WIDTH: usize = 64;

/// `/F` of every widget KýSố writes: Print (3) and Locked (8, PDF 1.4), so the
/// stamp prints and cannot be moved or deleted in a viewer (Table 167).
pub fn widget_flags() -> AnnotationFlags {
    AnnotationFlags::PRINT | AnnotationFlags::LOCKED
}

/// pdf-writer's reference for a new object (generation 0, number ≤ `i32::MAX`).
fn new_ref(r: ObjRef) -> Result<Ref, PdfError> {
    match i32::try_from(r.num) {
        Ok(n) if n > 0 && r.gen == 0 => Ok(Ref::new(n)),
        _ => Err(PdfError::LimitExceeded("object number for a new object")),
    }
}

/// A coordinate as written: rounded to 1/10 000 of a point, 0 if not finite.
fn coord(v: f64) -> f32 {
    if v.is_finite() {
        ((v * 10_000.0).round() / 10_000.0) as f32
    } else {
        0.0
    }
}

/// The value of object `id` as `write` puts it into a fresh chunk, unframed.
fn value_of(id: ObjRef, write: impl FnOnce(&mut Chunk, Ref)) -> Result<Vec<u8>, PdfError> {
    let r = new_ref(id)?;
    let mut chunk = Chunk::with_settings(Settings { pretty: false });
    write(&mut chunk, r);
    let head = format!("{} 0 obj\n", r.get());
    chunk
        .as_bytes()
        .strip_prefix(head.as_bytes())
        .and_then(|b| b.strip_suffix(b"\nendobj\n"))
        .map(<[u8]>::to_vec)
        .ok_or_else(|| PdfError::malformed(0, "pdf-writer framed an object unexpectedly"))
}

/// How a widget belongs to its signature field.
#[derive(Clone, Copy, Debug)]
pub enum WidgetRole<'a> {
    /// The field's only widget, merged with the field into one dictionary
    /// (§12.7.3.1): it carries `/FT /Sig`, `/T` and `/V` itself.
    Merged {
        /// Partial field name (`/T`).
        name: &'a str,
        /// The signature dictionary (`/V`).
        value: ObjRef,
    },
    /// One of several widgets: listed in the field's `/Kids` and naming the
    /// field in `/Parent` (§12.5.6.19, PDF 1.7+); field attributes are inherited.
    Kid {
        /// The signature field.
        parent: ObjRef,
    },
}

/// A widget annotation of a signature field (§12.5.6.19).
#[derive(Clone, Copy, Debug)]
pub struct Widget<'a> {
    /// How it belongs to the field.
    pub role: WidgetRole<'a>,
    /// `/Rect` in default user space; all zeros for an invisible signature.
    pub rect: [f64; 4],
    /// `/P`: the page. Optional for widgets; left out when the page object's
    /// generation is not 0 (pdf-writer writes generation-0 references only).
    pub page: Option<ObjRef>,
    /// `/AP << /N … >>`: the normal appearance stream; `None` only for a widget
    /// of zero area (§12.5.5 requires none there), such as a document time-stamp's.
    pub appearance: Option<ObjRef>,
}

impl Widget<'_> {
    /// The widget's dictionary as object `id`.
    pub fn write(&self, id: ObjRef) -> Result<Vec<u8>, PdfError> {
        let page = match self.page {
            Some(p) if p.gen == 0 => Some(new_ref(p)?),
            _ => None,
        };
        let ap = self.appearance.map(new_ref).transpose()?;
        let [x1, y1, x2, y2] = self.rect.map(coord);
        let rect = Rect::new(x1, y1, x2, y2);
        match self.role {
            WidgetRole::Merged { name, value } => {
                let v = new_ref(value)?;
                value_of(id, |c, r| {
                    let mut field = c.indirect(r).start::<pdf_writer::writers::Field>();
                    field.field_type(FieldType::Signature).partial_name(TextStr(name));
                    field.pair(Name(b"V"), v);
                    let mut annot = field.into_annotation();
                    annot.flags(widget_flags()).rect(rect);
                    if let Some(p) = page {
                        annot.page(p);
                    }
                    if let Some(ap) = ap {
                        annot.appearance().normal().stream(ap);
                    }
                })
            }
            WidgetRole::Kid { parent } => {
                let parent = new_ref(parent)?;
                value_of(id, |c, r| {
                    let mut annot = c.annotation(r);
                    annot.subtype(AnnotationType::Widget).parent(parent).flags(widget_flags()).rect(rect);
                    if let Some(p) = page {
                        annot.page(p);
                    }
                    if let Some(ap) = ap {
                        annot.appearance().normal().stream(ap);
                    }
                })
            }
        }
    }
}

/// A signature field whose widgets are its `/Kids` (§12.7.3.1, §12.7.5.5):
/// `/FT /Sig`, `/T name`, `/V value`, `/Kids [kids]`.
pub fn signature_field(id: ObjRef, name: &str, value: ObjRef, kids: &[ObjRef]) -> Result<Vec<u8>, PdfError> {
    let v = new_ref(value)?;
    let kids = kids.iter().map(|k| new_ref(*k)).collect::<Result<Vec<_>, _>>()?;
    value_of(id, |c, r| {
        let mut field = c.indirect(r).start::<pdf_writer::writers::Field>();
        field.field_type(FieldType::Signature).partial_name(TextStr(name));
        field.pair(Name(b"V"), v);
        field.children(kids);
    })
}

/// A new interactive form (§12.7.3): `/Fields [fields]`, `/SigFlags 3`
/// (SignaturesExist | AppendOnly, PDF 1.3).
pub fn new_acroform(id: ObjRef, fields: &[ObjRef]) -> Result<Vec<u8>, PdfError> {
    let fields = fields.iter().map(|f| new_ref(*f)).collect::<Result<Vec<_>, _>>()?;
    value_of(id, |c, r| {
        let mut form = c.indirect(r).start::<pdf_writer::writers::Form>();
        form.fields(fields).sig_flags(SigFlags::SIGNATURES_EXIST | SigFlags::APPEND_ONLY);
    })
}

/// What an appearance stream's `/Resources` name: image XObjects and fonts,
/// each an object of the same update.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AppearanceResources {
    /// `/XObject` entries: resource name (without `/`) and object.
    pub xobjects: Vec<(String, ObjRef)>,
    /// `/Font` entries: resource name and object.
    pub fonts: Vec<(String, ObjRef)>,
}

impl AppearanceResources {
    /// Whether there is nothing to list.
    pub fn is_empty(&self) -> bool {
        self.xobjects.is_empty() && self.fonts.is_empty()
    }
}

/// A widget's appearance: a form XObject (§8.10, §12.5.5) with `/BBox [0 0 w h]`.
pub fn appearance_xobject(
    id: ObjRef,
    width: f64,
    height: f64,
    content: &[u8],
    resources: &AppearanceResources,
) -> Result<Vec<u8>, PdfError> {
    let xobjects = resources.xobjects.iter().map(|(n, r)| Ok((n.as_bytes(), new_ref(*r)?))).collect::<Result<Vec<_>, PdfError>>()?;
    let fonts = resources.fonts.iter().map(|(n, r)| Ok((n.as_bytes(), new_ref(*r)?))).collect::<Result<Vec<_>, PdfError>>()?;
    value_of(id, |c, r| {
        let mut form = c.form_xobject(r, content);
        form.bbox(Rect::new(0.0, 0.0, coord(width), coord(height)));
        if !xobjects.is_empty() || !fonts.is_empty() {
            let mut res = form.resources();
            if !xobjects.is_empty() {
                res.x_objects().pairs(xobjects.iter().map(|(n, r)| (Name(n), *r)));
            }
            if !fonts.is_empty() {
                res.fonts().pairs(fonts.iter().map(|(n, r)| (Name(n), *r)));
            }
        }
    })
}

/// The signature dictionary (§12.8.1, Table 255) with fixed-width placeholders
/// for `/ByteRange` and `/Contents`, filled in after the digest.
#[derive(Clone, Debug)]
pub struct SignatureDict<'a> {
    /// A signature (`/Type /Sig`) or a document time-stamp (`/Type /DocTimeStamp`,
    /// ISO 32000-2 §12.8.5: `/SubFilter /ETSI.RFC3161`, no `/M`, no `/Name`).
    pub document_timestamp: bool,
    /// `/SubFilter`: `ETSI.CAdES.detached` (PAdES, PDF 2.0) unless changed.
    pub sub_filter: &'a str,
    /// `/M`: the claimed signing time as a PDF date string.
    pub signing_time: &'a str,
    /// `/Name`, `/Reason`, `/Location` (left out when empty).
    pub name: Option<&'a str>,
    /// `/Reason`.
    pub reason: Option<&'a str>,
    /// `/Location`.
    pub location: Option<&'a str>,
    /// Capacity of `/Contents` in bytes (twice as many hex digits are written).
    pub contents_capacity: usize,
    /// `/Prop_Build /App /REx`: the signing application's version.
    pub app_version: &'a str,
}

/// A serialised signature dictionary and where its placeholders are.
#[derive(Clone, Debug, PartialEq)]
pub struct SignatureDictBytes {
    /// The dictionary.
    pub bytes: Vec<u8>,
    /// The blank text inside `/ByteRange [ … ]`.
    pub byte_range: Range<usize>,
    /// The `/Contents` hex string, from `<` to `>` inclusive.
    pub contents: Range<usize>,
}

impl SignatureDict<'_> {
    /// Serialise: `/Type /Sig /Filter /Adobe.PPKLite /SubFilter … /ByteRange [blank]
    /// /Contents <0…0> /M … [/Name /Reason /Location] /Prop_Build`.
    pub fn finish(&self) -> Result<SignatureDictBytes, PdfError> {
        if self.contents_capacity == 0 || self.contents_capacity > 1 << 20 {
            return Err(PdfError::LimitExceeded("signature /Contents capacity"));
        }
        let mut out = Vec::with_capacity(self.contents_capacity * 2 + 512);
        let kind: &[u8] = if self.document_timestamp { b"DocTimeStamp" } else { b"Sig" };
        out.extend_from_slice(b"<< /Type /");
        out.extend_from_slice(kind);
        out.extend_from_slice(b" /Filter /Adobe.PPKLite /SubFilter ");
        out.extend_from_slice(&super::write::name(self.sub_filter.as_bytes()));
        out.extend_from_slice(b" /ByteRange [");
        let br = out.len()..out.len() + BYTE_RANGE_WIDTH;
        out.resize(br.end, b' ');
        out.extend_from_slice(b"] /Contents ");
        let contents_start = out.len();
        out.push(b'<');
        out.resize(out.len() + self.contents_capacity * 2, b'0');
        out.push(b'>');
        let contents = contents_start..out.len();
        if self.document_timestamp {
            out.extend_from_slice(b" >>");
            return Ok(SignatureDictBytes { bytes: out, byte_range: br, contents });
        }
        out.extend_from_slice(b" /M ");
        out.extend_from_slice(&text_string(self.signing_time));
        for (key, val) in [("Name", self.name), ("Reason", self.reason), ("Location", self.location)] {
            if let Some(v) = val.filter(|v| !v.is_empty()) {
                write!(out, " /{key} ")?;
                out.extend_from_slice(&text_string(v));
            }
        }
        out.extend_from_slice(b" /Prop_Build << /App << /Name /KySo /REx ");
        out.extend_from_slice(&text_string(self.app_version));
        out.extend_from_slice(b" >> >> >>");
        Ok(SignatureDictBytes { bytes: out, byte_range: br, contents })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn s(b: &[u8]) -> &str {
        std::str::from_utf8(b).expect("utf8")
    }

    #[test]
    fn merged_widget_is_field_and_annotation() {
        let w = Widget {
            role: WidgetRole::Merged { name: "Signature1", value: ObjRef::new(40, 0) },
            rect: [100.25, 200.0, 227.80001, 272.33333],
            page: Some(ObjRef::new(3, 0)),
            appearance: Some(ObjRef::new(42, 0)),
        };
        let got = w.write(ObjRef::new(41, 0)).expect("widget");
        assert_eq!(
            s(&got),
            "<</FT/Sig/T(Signature1)/V 40 0 R/Type/Annot/Subtype/Widget/F 132/Rect[100.25 200 227.8 272.3333]/P 3 0 R/AP<</N 42 0 R>>>>"
        );
    }

    #[test]
    fn kid_widget_names_its_parent_and_no_field_keys() {
        let w = Widget {
            role: WidgetRole::Kid { parent: ObjRef::new(41, 0) },
            rect: [10.0, 20.0, 30.5, 40.0],
            page: Some(ObjRef::new(7, 0)),
            appearance: Some(ObjRef::new(44, 0)),
        };
        let got = w.write(ObjRef::new(43, 0)).expect("widget");
        assert_eq!(s(&got), "<</Type/Annot/Subtype/Widget/Parent 41 0 R/F 132/Rect[10 20 30.5 40]/P 7 0 R/AP<</N 44 0 R>>>>");
    }

    #[test]
    fn page_of_another_generation_is_left_out() {
        let w = Widget {
            role: WidgetRole::Kid { parent: ObjRef::new(41, 0) },
            rect: [0.0; 4],
            page: Some(ObjRef::new(7, 2)),
            appearance: Some(ObjRef::new(44, 0)),
        };
        let got = w.write(ObjRef::new(43, 0)).expect("widget");
        assert_eq!(s(&got), "<</Type/Annot/Subtype/Widget/Parent 41 0 R/F 132/Rect[0 0 0 0]/AP<</N 44 0 R>>>>");
    }

    #[test]
    fn field_with_kids_and_vietnamese_name() {
        let got =
            signature_field(ObjRef::new(41, 0), "Chữ ký 2", ObjRef::new(40, 0), &[ObjRef::new(43, 0), ObjRef::new(45, 0)]).expect("field");
        assert_eq!(s(&got), "<</FT/Sig/T<FEFF004300681EEF0020006B00FD00200032>/V 40 0 R/Kids[43 0 R 45 0 R]>>");
    }

    #[test]
    fn new_form() {
        let got = new_acroform(ObjRef::new(50, 0), &[ObjRef::new(41, 0)]).expect("form");
        assert_eq!(s(&got), "<</Fields[41 0 R]/SigFlags 3>>");
    }

    #[test]
    fn appearance_with_and_without_resources() {
        let res =
            AppearanceResources { xobjects: vec![("Im1".into(), ObjRef::new(60, 0))], fonts: vec![("F1".into(), ObjRef::new(61, 0))] };
        let got = appearance_xobject(ObjRef::new(59, 0), 102.0472, 36.5, b"q Q", &res).expect("ap");
        assert_eq!(
            s(&got),
            "<</Length 3/Type/XObject/Subtype/Form/BBox[0 0 102.0472 36.5]/Resources<</XObject<</Im1 60 0 R>>/Font<</F1 61 0 R>>>>>>\nstream\nq Q\nendstream"
        );
        let empty = appearance_xobject(ObjRef::new(59, 0), 0.0, 0.0, b"", &AppearanceResources::default()).expect("ap");
        assert_eq!(s(&empty), "<</Length 0/Type/XObject/Subtype/Form/BBox[0 0 0 0]>>\nstream\n\nendstream");
    }

    #[test]
    fn objects_that_cannot_be_new_are_refused() {
        let w = Widget {
            role: WidgetRole::Kid { parent: ObjRef::new(41, 1) },
            rect: [0.0; 4],
            page: None,
            appearance: Some(ObjRef::new(44, 0)),
        };
        assert!(w.write(ObjRef::new(43, 0)).is_err());
        assert!(new_acroform(ObjRef::new(u32::MAX, 0), &[]).is_err());
    }

    #[test]
    fn signature_dictionary_and_its_placeholders() {
        let d = SignatureDict {
            document_timestamp: false,
            sub_filter: "ETSI.CAdES.detached",
            signing_time: "D:20261122091530+07'00'",
            name: Some("Nguyễn Văn An"),
            reason: Some(""),
            location: Some("Hà Nội"),
            contents_capacity: 4,
            app_version: "0.1.0",
        };
        let got = d.finish().expect("sig");
        let blank = " ".repeat(BYTE_RANGE_WIDTH);
        let want = format!(
            "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [{blank}] /Contents <00000000> \
             /M (D:20261122091530+07'00') /Name <FEFF004E0067007500791EC5006E002000560103006E00200041006E> \
             /Location <FEFF004800E00020004E1ED90069> /Prop_Build << /App << /Name /KySo /REx (0.1.0) >> >> >>"
        );
        assert_eq!(s(&got.bytes), want);
        assert_eq!(&got.bytes[got.byte_range.clone()], blank.as_bytes());
        assert_eq!(&got.bytes[got.contents.clone()], b"<00000000>");
        assert!(SignatureDict { contents_capacity: 0, ..d }.finish().is_err());
        // A document time-stamp: its own type and SubFilter, nothing a signer claims.
        let ts = SignatureDict { document_timestamp: true, sub_filter: "ETSI.RFC3161", ..d }.finish().expect("doc ts");
        assert_eq!(
            s(&ts.bytes),
            format!("<< /Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter /ETSI.RFC3161 /ByteRange [{blank}] /Contents <00000000> >>")
        );
    }
}
