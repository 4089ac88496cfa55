//! The objects one signature adds to a PDF (ISO 32000-2 §12.7.5.5, §12.8.1):
//! a signature dictionary with `/ByteRange` and `/Contents` placeholders, a
//! signature field with its widget annotations and their appearance streams, and
//! the page's `/Annots` and the form's `/Fields` extended by splicing.
//!
//! One widget is merged with the field (§12.7.3.1). Several widgets (the agency
//! seal plus the clerk's number and date, R8) are the field's `/Kids`, each naming
//! the field in `/Parent` (§12.5.6.19): conformant, and drawn by poppler, PDFium,
//! pdf.js and MuPDF (MuPDF draws a kid only through its `/Parent`). poppler before
//! 25.12 misreads such kids as unsigned child fields: see `docs/signature-widgets.md`.
//! The new objects are written by the typed writers in [`super::forms`].

use crate::pdf::ObjectSource;
use std::collections::HashSet;
use std::ops::Range;

use time::OffsetDateTime;

use super::forms::{self, AppearanceResources, SignatureDict, Widget, WidgetRole};
use super::object::{Dict, ObjRef, Object};
use super::reader::{PdfFile, RawObject};
pub use super::update::IncrementalUpdate as Update;
use super::update::{IncrementalUpdate, Splice};
use super::PdfError;

/// The content of one widget's appearance (a form XObject, ISO 32000-2 §12.5.5):
/// its drawing operators and resources. Objects the resources refer to (images,
/// fonts) are written into the same update by the builder.
#[derive(Clone, Debug, Default)]
pub struct AppearanceStream {
    /// Content stream operators drawing inside `/BBox [0 0 w h]`.
    pub content: Vec<u8>,
    /// What the operators name in `/Resources`.
    pub resources: AppearanceResources,
}

/// Builds an appearance for a widget of width `w` and height `h` points, writing
/// any objects it needs (image XObjects, embedded fonts) into `up`.
pub trait AppearanceBuilder: std::fmt::Debug {
    /// Build the appearance.
    fn build(&self, up: &mut IncrementalUpdate<'_>, w: f64, h: f64) -> Result<AppearanceStream, PdfError>;
}

/// One widget annotation of the signature field.
#[derive(Debug)]
pub struct WidgetSpec {
    /// Zero-based page index.
    pub page_index: usize,
    /// Rectangle in PDF user space; all zeros for an invisible signature.
    pub rect: [f64; 4],
    /// What it shows (`None`: an empty appearance).
    pub appearance: Option<Box<dyn AppearanceBuilder>>,
}

impl WidgetSpec {
    /// An invisible widget on page `page_index`.
    pub fn invisible(page_index: usize) -> Self {
        WidgetSpec { page_index, rect: [0.0; 4], appearance: None }
    }
}

/// What the signature dictionary and its field say.
#[derive(Debug)]
pub struct SignatureSpec {
    /// Field name (`/T`); `None` picks `Signature1`, `Signature2`, … not yet used.
    pub field_name: Option<String>,
    /// `/Name`: the signer's name as shown.
    pub name: Option<String>,
    /// `/Reason`.
    pub reason: Option<String>,
    /// `/Location`.
    pub location: Option<String>,
    /// `/M`: claimed signing time (written in Vietnam time).
    pub signing_time: OffsetDateTime,
    /// The field's widgets: the first is the signature's own stamp; more widgets
    /// (e.g. the clerk's number and date, R8) belong to the same field, so they
    /// arrive in the same update and are covered by the same signature.
    pub widgets: Vec<WidgetSpec>,
    /// Capacity of `/Contents` in bytes (the hex string holds twice as many digits).
    pub contents_capacity: usize,
    /// A document time-stamp (`/Type /DocTimeStamp`) rather than a signature.
    pub document_timestamp: bool,
}

/// The appended bytes of a signature update, ready for the digest.
pub struct PreparedUpdate {
    /// Bytes to append after the input.
    pub tail: Vec<u8>,
    /// Span of the `/Contents` hex string in `tail`, from `<` to `>` inclusive.
    pub contents: Range<usize>,
    /// Span of the reserved text inside `/ByteRange [ … ]` in `tail`.
    pub byte_range: Range<usize>,
    /// The field name used.
    pub field_name: String,
}

impl PreparedUpdate {
    /// Fill in `/ByteRange` for an input of `input_len` bytes and return the two
    /// covered ranges as absolute file offsets `[(0, a), (b, end)]`.
    pub fn fix_byte_range(&mut self, input_len: u64) -> Result<[(u64, u64); 2], PdfError> {
        let a = input_len + self.contents.start as u64;
        let b = input_len + self.contents.end as u64;
        let end = input_len + self.tail.len() as u64;
        let text = format!("0 {} {} {}", a, b, end - b);
        let slot = self.tail.get_mut(self.byte_range.clone()).ok_or(PdfError::LimitExceeded("byte range"))?;
        if text.len() > slot.len() {
            return Err(PdfError::LimitExceeded("byte range width"));
        }
        slot.fill(b' ');
        slot[..text.len()].copy_from_slice(text.as_bytes());
        Ok([(0, a), (b, end)])
    }
}

/// Build the update that adds one signature to `pdf`.
pub fn prepare(pdf: &PdfFile, spec: &SignatureSpec) -> Result<PreparedUpdate, PdfError> {
    let catalog = pdf.catalog()?;
    let cat = catalog.object.as_dict().ok_or_else(|| PdfError::Missing("catalog".into()))?;
    refuse_if_certified_no_changes(pdf, cat)?;

    let pages = pdf.page_refs()?;
    if spec.widgets.is_empty() {
        return Err(PdfError::Missing("signature widget".into()));
    }
    let mut up = IncrementalUpdate::new(pdf);
    let sig_ref = up.reserve();
    let field_ref = up.reserve();
    let merged = spec.widgets.len() == 1;

    // The form: /AcroForm with /Fields extended and /SigFlags 3.
    let field_name = add_to_acroform(pdf, &mut up, &catalog, field_ref, spec.field_name.as_deref())?;

    // Widgets: one merged with the field, or several as its /Kids naming it in /Parent.
    let mut kids = Vec::new();
    let mut by_page: Vec<(ObjRef, Vec<ObjRef>)> = Vec::new();
    for w in &spec.widgets {
        let page_ref = *pages.get(w.page_index).ok_or_else(|| PdfError::Missing(format!("page {}", w.page_index + 1)))?;
        let widget_ref = if merged { field_ref } else { up.reserve() };
        let [x1, y1, x2, y2] = w.rect;
        let (wd, ht) = ((x2 - x1).abs(), (y2 - y1).abs());
        // A document time-stamp's widget has no area and needs no appearance (§12.5.5);
        // validators class such an update as archival maintenance only.
        let ap_ref = if spec.document_timestamp && w.appearance.is_none() && wd == 0.0 && ht == 0.0 {
            None
        } else {
            let ap_ref = up.reserve();
            let ap = match &w.appearance {
                Some(b) => b.build(&mut up, wd, ht)?,
                None => AppearanceStream::default(),
            };
            up.put(ap_ref, forms::appearance_xobject(ap_ref, wd, ht, &ap.content, &ap.resources)?);
            Some(ap_ref)
        };
        let role = if merged { WidgetRole::Merged { name: &field_name, value: sig_ref } } else { WidgetRole::Kid { parent: field_ref } };
        let widget = Widget { role, rect: w.rect, page: Some(page_ref), appearance: ap_ref };
        up.put(widget_ref, widget.write(widget_ref)?);
        if !merged {
            kids.push(widget_ref);
        }
        match by_page.iter_mut().find(|(p, _)| *p == page_ref) {
            Some((_, list)) => list.push(widget_ref),
            None => by_page.push((page_ref, vec![widget_ref])),
        }
    }
    if !merged {
        up.put(field_ref, forms::signature_field(field_ref, &field_name, sig_ref, &kids)?);
    }
    // The pages: /Annots extended with their widgets.
    for (page_ref, widgets) in &by_page {
        add_to_annots(pdf, &mut up, *page_ref, widgets)?;
    }

    // Signature dictionary with fixed-width placeholders.
    let signing_time = crate::time::pdf_date(spec.signing_time);
    let sig = SignatureDict {
        document_timestamp: spec.document_timestamp,
        sub_filter: if spec.document_timestamp { "ETSI.RFC3161" } else { "ETSI.CAdES.detached" },
        signing_time: &signing_time,
        name: spec.name.as_deref(),
        reason: spec.reason.as_deref(),
        location: spec.location.as_deref(),
        contents_capacity: spec.contents_capacity,
        app_version: env!("CARGO_PKG_VERSION"),
    }
    .finish()?;
    up.put(sig_ref, sig.bytes);

    let written = up.finish()?;
    let sig_off = *written.value_offsets.get(&sig_ref).ok_or_else(|| PdfError::Missing("signature object".into()))?;
    Ok(PreparedUpdate {
        tail: written.bytes,
        contents: sig_off + sig.contents.start..sig_off + sig.contents.end,
        byte_range: sig_off + sig.byte_range.start..sig_off + sig.byte_range.end,
        field_name,
    })
}

/// A certification signature with `/P 1` forbids every later change.
fn refuse_if_certified_no_changes(pdf: &PdfFile, cat: &Dict) -> Result<(), PdfError> {
    let Some(perms) = cat.get(b"Perms") else { return Ok(()) };
    let perms = pdf.resolve(perms)?;
    let Some(docmdp) = perms.as_dict().and_then(|p| p.get(b"DocMDP")) else { return Ok(()) };
    let sig = pdf.resolve(docmdp)?;
    let refs = match sig.as_dict().and_then(|d| d.get(b"Reference")) {
        Some(r) => pdf.resolve(r)?,
        None => return Ok(()),
    };
    for r in refs.as_array().unwrap_or_default() {
        let r = pdf.resolve(r)?;
        let Some(d) = r.as_dict() else { continue };
        if d.name(b"TransformMethod") != Some(b"DocMDP") {
            continue;
        }
        let params = match d.get(b"TransformParams") {
            Some(p) => pdf.resolve(p)?,
            None => continue,
        };
        if params.as_dict().and_then(|p| p.int(b"P")) == Some(1) {
            return Err(PdfError::CertifiedNoChanges);
        }
    }
    Ok(())
}

fn ref_bytes(r: ObjRef) -> Vec<u8> {
    format!("{} {} R", r.num, r.gen).into_bytes()
}

/// Add `field` to the document's `/AcroForm /Fields`, creating or extending the
/// form as needed, and set `/SigFlags` to include SignaturesExist|AppendOnly.
/// Returns the field name, unique among the existing top-level fields.
fn add_to_acroform(
    pdf: &PdfFile,
    up: &mut IncrementalUpdate<'_>,
    catalog: &RawObject,
    field: ObjRef,
    wanted: Option<&str>,
) -> Result<String, PdfError> {
    let cat = catalog.object.as_dict().ok_or_else(|| PdfError::Missing("catalog".into()))?;
    match cat.get(b"AcroForm") {
        None | Some(Object::Null) => {
            let name = unique_field_name(pdf, None, wanted)?;
            let form = up.reserve();
            up.put(form, forms::new_acroform(form, &[field])?);
            let mut s = Splice::new(catalog);
            s.set(cat, b"AcroForm", &ref_bytes(form));
            up.put(catalog.id, s.finish()?);
            Ok(name)
        }
        Some(Object::Ref(r)) => {
            let form_raw = pdf.get(*r)?;
            let form = form_raw.object.as_dict().ok_or_else(|| PdfError::malformed(0, "/AcroForm is not a dictionary"))?;
            let name = unique_field_name(pdf, Some(form), wanted)?;
            let mut s = Splice::new(&form_raw);
            extend_fields(pdf, up, &mut s, form, field)?;
            set_sig_flags(&mut s, form);
            up.put(form_raw.id, s.finish()?);
            Ok(name)
        }
        Some(Object::Dict(form)) => {
            let name = unique_field_name(pdf, Some(form), wanted)?;
            let mut s = Splice::new(catalog);
            extend_fields(pdf, up, &mut s, form, field)?;
            set_sig_flags(&mut s, form);
            up.put(catalog.id, s.finish()?);
            Ok(name)
        }
        Some(_) => Err(PdfError::malformed(0, "/AcroForm is not a dictionary")),
    }
}

fn extend_fields(pdf: &PdfFile, up: &mut IncrementalUpdate<'_>, s: &mut Splice<'_>, form: &Dict, field: ObjRef) -> Result<(), PdfError> {
    match form.entry(b"Fields") {
        Some(e) => match &e.value {
            Object::Array(_) => s.append_to_array(&e.value_span, &ref_bytes(field)),
            Object::Ref(r) => {
                let arr = pdf.get(*r)?;
                if arr.object.as_array().is_none() {
                    return Err(PdfError::malformed(0, "/Fields is not an array"));
                }
                let mut a = Splice::new(&arr);
                a.append_to_array(&arr.value_span, &ref_bytes(field))?;
                up.put(arr.id, a.finish()?);
                Ok(())
            }
            _ => {
                s.set(form, b"Fields", format!("[{} {} R]", field.num, field.gen).as_bytes());
                Ok(())
            }
        },
        None => {
            s.set(form, b"Fields", format!("[{} {} R]", field.num, field.gen).as_bytes());
            Ok(())
        }
    }
}

fn set_sig_flags(s: &mut Splice<'_>, form: &Dict) {
    let current = form.int(b"SigFlags").unwrap_or(0);
    if current & 3 != 3 {
        s.set(form, b"SigFlags", (current | 3).to_string().as_bytes());
    }
}

fn add_to_annots(pdf: &PdfFile, up: &mut IncrementalUpdate<'_>, page_ref: ObjRef, widgets: &[ObjRef]) -> Result<(), PdfError> {
    let items: Vec<u8> = widgets.iter().map(|w| format!("{} {} R", w.num, w.gen)).collect::<Vec<_>>().join(" ").into_bytes();
    let array = [b"[".as_slice(), &items, b"]"].concat();
    let page = pdf.get(page_ref)?;
    let d = page.object.as_dict().ok_or_else(|| PdfError::malformed(0, "page is not a dictionary"))?;
    if page.stream.is_some() {
        return Err(PdfError::malformed(0, "page object is a stream"));
    }
    let mut s = Splice::new(&page);
    match d.entry(b"Annots") {
        Some(e) => match &e.value {
            Object::Array(_) => s.append_to_array(&e.value_span, &items)?,
            Object::Ref(r) => {
                let arr = pdf.get(*r)?;
                if arr.object.as_array().is_some() {
                    let mut a = Splice::new(&arr);
                    a.append_to_array(&arr.value_span, &items)?;
                    up.put(arr.id, a.finish()?);
                    return Ok(());
                }
                s.set(d, b"Annots", &array);
            }
            _ => s.set(d, b"Annots", &array),
        },
        None => s.set(d, b"Annots", &array),
    }
    up.put(page.id, s.finish()?);
    Ok(())
}

/// The names of the form's top-level fields (bounded), and a name not among them.
fn unique_field_name(pdf: &PdfFile, form: Option<&Dict>, wanted: Option<&str>) -> Result<String, PdfError> {
    let mut names = HashSet::new();
    if let Some(fields) = form.and_then(|f| f.get(b"Fields")) {
        let fields = pdf.resolve(fields)?;
        for f in fields.as_array().unwrap_or_default().iter().take(100_000) {
            if let Ok(Object::Dict(d)) = pdf.resolve(f) {
                if let Some(t) = d.get(b"T").and_then(Object::as_string) {
                    names.insert(super::write::decode_text_string(t));
                }
            }
        }
    }
    if let Some(w) = wanted {
        if names.contains(w) {
            return Err(PdfError::malformed(0, format!("a field named {w} already exists")));
        }
        return Ok(w.to_owned());
    }
    Ok((1..).map(|i| format!("Signature{i}")).find(|n| !names.contains(n)).unwrap_or_else(|| "Signature".into()))
}
