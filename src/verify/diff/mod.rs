//! Difference analysis: what changed in a document after a signature, found by
//! comparing revisions object by object against a whitelist (the approach of
//! pyHanko's `diff_analysis`, re-derived for KýSố; SPEC R8, R9, R11b).
//!
//! A signature covers one revision. Every later revision (incremental update) is
//! compared with the one before it, and each object it writes is judged:
//!
//! * an object **rewritten with the same value** is ignored, wherever the new copy
//!   lives (another offset, an object stream): values are compared, not locations;
//! * an object **freed**, or given another generation (so that references to it
//!   now read `null`), is a disallowed change: pyHanko also rejects freeing;
//! * a **new object** is harmless by itself: it only matters through whatever
//!   references it, and that referrer is an earlier object being rewritten (judged
//!   below) or nothing at all. A new object that fills a reference the earlier
//!   revision already made (a dangling reference, the incremental-saving trick)
//!   is judged like a rewrite of that object;
//! * a **rewritten object** is judged by the rules for the role it plays in the
//!   earlier revision (catalog, form, field, widget, page, annotation list, DSS,
//!   document information, XMP), each rule reporting what it recognised as a
//!   [`ChangeKind`]; an object whose role no rule covers, such as a content
//!   stream, a font or a page-tree node, is [`ModificationLevel::Other`]. An
//!   object that plays a covered role *and* is also used elsewhere (prepared in
//!   advance by a shadow attack) is judged by that other use too — every path
//!   from the trailer counts, including paths through intermediate objects of
//!   the same role (an `/AP` dictionary that is also a page's `/XObject`
//!   resources).
//!
//! The rules only *recognise* changes; the [`ModificationLevel`] of each kind of
//! change is assigned from outside, in one readable list, [`Policy::standard`].
//! Whether a result is acceptable depends on the document's certification level:
//! [`DiffReport::allowed`].
//!
//! ## Decisions (where KýSố differs from or pins down pyHanko's defaults)
//!
//! * **Non-signature form fields** (text, check box, choice) whose value or
//!   appearance changes, and `/NeedAppearances`: accepted only when the document
//!   is certified with DocMDP P = 2 or 3, where its author declared form filling
//!   allowed; otherwise [`ModificationLevel::Other`]. Changing such a field after
//!   an approval signature changes what the signed page shows (the shadow attack
//!   "replace via form field"), and KýSố's own workflow never needs it: the clerk's
//!   number and date are widgets of the agency signature field (SPEC R8).
//! * **New visible signature fields** (or new visible widgets of a signature field)
//!   after a certification signature: Other (the sneaky-signature attack); pyHanko
//!   refuses them too. Without certification they are form filling: that is how a
//!   second signature and the clerk's number and date arrive — but a new field
//!   that is still **unsigned** at the end of the file and whose appearance
//!   paints something is an overlay no signature covers (Other); a blank
//!   placeholder is not.
//! * **Annotations** other than widgets: comment types (`/Text`, `/Popup` and text
//!   markup) are [`ModificationLevel::Annotations`]; types that can paint over the
//!   page (`/FreeText`, `/Stamp`, shapes, `/Ink`, `/Redact`, `/Link`, …) are also
//!   Annotations, except under DocMDP P = 3, where they are Other (the
//!   evil-annotation attack: P = 3 permits annotations, not covering the content).
//! * **Document information** (`/Info`) and the document-level **XMP** stream
//!   (the catalog's `/Metadata`, `/Type /Metadata /Subtype /XML`): LTA-update
//!   level, as in pyHanko. Neither is drawn on a page, and signing and archiving
//!   tools update producer and dates (PDF/A keeps the two in step). A `/Metadata`
//!   entry that points at anything but an XMP stream is Other.
//! * **Catalog**: `/AcroForm` (judged as a form change), `/DSS`, `/Extensions`
//!   (direct or indirect, with its developer extension dictionaries),
//!   `/Version` and `/Metadata` may change; `/Perms` may not (a certification or
//!   usage rights added after signing), nor any other key (`/Pages`, `/Names`,
//!   `/OpenAction`, `/AA`, `/OCProperties`, `/MarkInfo`, …).
//! * **Form** (`/AcroForm`): `/Fields` may only gain new signature fields, existing
//!   entries kept in order; `/SigFlags`, `/DA`, `/Q` may change and `/DR` may gain
//!   resources (form filling); anything else (`/XFA`, `/CO`, a changed `/DR` entry)
//!   is Other.
//! * **Field locks** (FieldMDP, from the signature's `/Reference` or its field's
//!   `/Lock`): a locked field may not be filled or signed later, and no new visible
//!   field whose name the lock covers may appear.
//! * Objects unused by the earlier revision that are rewritten: LTA-update level
//!   (pyHanko ignores orphans the same way); a rewritten object stream is looked
//!   through, and every object it held is compared by value.
//!
//! Work is bounded: [`MAX_OBJECTS_PER_REVISION`] objects read per revision,
//! [`MAX_OBJECTS_TOTAL`] in all, nesting depth [`MAX_DEPTH`]; beyond that the
//! analysis ends in [`PdfError::LimitExceeded`].

mod compare;
mod index;
mod rules_catalog;
pub mod rules_certified;
mod rules_dss;
mod rules_form;
mod rules_page;
mod rules_struct;

use std::collections::BTreeMap;

use serde::{Serialize, Serializer};

use crate::pdf::object::{ObjRef, Object};
use crate::pdf::reader::{PdfFile, StreamLoc, XrefEntry};
use crate::pdf::{ObjectSource, PdfError};

use index::{Budget, Role, Snapshot};

/// Most objects read (indexed or compared) for one revision.
pub const MAX_OBJECTS_PER_REVISION: usize = 100_000;
/// Most objects read over the whole analysis.
pub const MAX_OBJECTS_TOTAL: usize = 1_000_000;
/// Deepest nesting followed inside one object, and deepest form-field tree.
pub const MAX_DEPTH: usize = 70;

/// How far the changes after a signature go, from harmless to anything. Ordered:
/// `None < LtaUpdates < FormFilling < Annotations < Other`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ModificationLevel {
    /// Nothing changed (or only objects rewritten with the same value).
    None,
    /// Long-term validation material: DSS/VRI, document timestamps, document
    /// information and XMP metadata.
    LtaUpdates,
    /// Signing (new or existing signature fields and their widgets) and, where the
    /// document's certification allows it, filling form fields.
    FormFilling,
    /// Annotations added or edited.
    Annotations,
    /// Anything else: page content, page tree, resources, fonts, freed objects…
    Other,
}

impl ModificationLevel {
    /// The highest level a document with this DocMDP permission (`/P` of the
    /// certification signature) accepts: none or 2 → form filling, 3 →
    /// annotations, 1 → LTA updates only. Any other value is treated as 1.
    pub fn allowed_up_to(docmdp: Option<u8>) -> ModificationLevel {
        match docmdp {
            None | Some(2) => ModificationLevel::FormFilling,
            Some(3) => ModificationLevel::Annotations,
            Some(_) => ModificationLevel::LtaUpdates,
        }
    }
}

/// What a rule recognised in one change. The level of each kind comes from the
/// policy ([`Policy::standard`]), not from the rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ChangeKind {
    /// The document information dictionary (`/Info`) was changed or replaced.
    DocInfo,
    /// The document's XMP metadata stream was changed or replaced.
    XmpMetadata,
    /// The document security store (`/DSS`, `/VRI`, their streams) was changed.
    Dss,
    /// The catalog's `/Extensions` or `/Version` changed.
    CatalogExtensions,
    /// A new invisible signature field that is empty or holds a document
    /// timestamp, or an existing field given an invisible document timestamp.
    TimestampField,
    /// A new invisible signature field holding a signature.
    SignatureField,
    /// A new visible signature field, or a new visible widget of a signature field.
    VisibleSignatureField,
    /// A new visible signature field signed in the revision that adds it. After a
    /// certification this carries a [`Proviso`]: allowed only if that signature
    /// is valid and its widgets do not cover the signed content
    /// ([`rules_certified`]).
    SignatureAdded,
    /// Structure-tree entries (`/StructTreeRoot`, `/ParentTree`, a top-level
    /// structure element's `/K`) that only tag the widgets of new signature fields.
    StructureTree,
    /// An existing empty signature field was signed (with its widgets' appearances).
    SignatureFilled,
    /// Form settings: `/SigFlags`, `/DA`, `/Q`, resources added to `/DR`,
    /// field flags of a signed field.
    FormSettings,
    /// The value or appearance of a non-signature form field, or `/NeedAppearances`.
    FieldValue,
    /// A comment annotation (`/Text`, `/Popup`, text markup) added or edited.
    CommentAnnotation,
    /// Another annotation (`/FreeText`, `/Stamp`, shapes, `/Link`, …) added or edited.
    OverlayAnnotation,
    /// An object the earlier revision did not use was rewritten.
    UnusedObject,
    /// A change no rule allows.
    Disallowed,
}

/// One change found after the signature.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    /// The revision that made the change (0 is the original document).
    pub revision: usize,
    /// The object involved, as `N G R`; `None` for trailer or xref-level changes.
    #[serde(serialize_with = "ser_ref")]
    pub object: Option<ObjRef>,
    /// What the object is (`catalog`, `page 1`, `field 'sig2'`, `trailer`, a path…).
    pub what: String,
    /// What kind of change it is.
    pub kind: ChangeKind,
    /// A short English description naming the keys involved.
    pub description: String,
    /// The level the policy assigns to this change.
    pub level: ModificationLevel,
    /// What must still hold for the change to be allowed (checked by the
    /// verifier once every signature is known, [`rules_certified`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proviso: Option<Proviso>,
}

/// A new visible signature field's claim to be allowed after a certification:
/// the field, signed in the change's revision, and where its widgets are.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Proviso {
    /// Fully qualified field name.
    pub field: String,
    /// The visible widgets.
    pub widgets: Vec<WidgetPlace>,
}

/// A widget on a page.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WidgetPlace {
    /// Zero-based page index.
    pub page: usize,
    /// `/Rect` in default user space: x1, y1, x2, y2 (normalised).
    pub rect: [f64; 4],
}

fn ser_ref<S: Serializer>(r: &Option<ObjRef>, s: S) -> Result<S::Ok, S::Error> {
    match r {
        Some(r) => s.serialize_str(&r.to_string()),
        None => s.serialize_none(),
    }
}

/// The result of comparing a signed revision with everything after it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DiffReport {
    /// The revision the signature covers.
    pub signed_revision: usize,
    /// The highest level among the changes (`None` if there are none).
    pub level: ModificationLevel,
    /// Every change found, in revision order.
    pub changes: Vec<Change>,
}

impl DiffReport {
    /// Whether the changes are acceptable for a document with this DocMDP
    /// permission (`None` when the document is not certified): see
    /// [`ModificationLevel::allowed_up_to`].
    pub fn allowed(&self, docmdp: Option<u8>) -> bool {
        self.level <= ModificationLevel::allowed_up_to(docmdp)
    }

    /// The changes that make the result unacceptable under `docmdp`.
    pub fn disallowed(&self, docmdp: Option<u8>) -> impl Iterator<Item = &Change> {
        let max = ModificationLevel::allowed_up_to(docmdp);
        self.changes.iter().filter(move |c| c.level > max)
    }
}

/// Compare revision `signed_revision` with every later revision of `pdf`, each
/// successive pair in turn, and report every change with its level.
///
/// `docmdp` is the `/P` of the document's certification signature (the DocMDP
/// permission in force for this signature), `None` if the document is not
/// certified. It selects the levels of the kinds that depend on certification
/// (see [`Policy::standard`]); pass the same value to [`DiffReport::allowed`].
pub fn analyse(pdf: &PdfFile, signed_revision: usize, docmdp: Option<u8>) -> Result<DiffReport, PdfError> {
    analyse_with(pdf, signed_revision, &Policy::standard(docmdp))
}

/// [`analyse`] with an explicit policy.
pub fn analyse_with(pdf: &PdfFile, signed_revision: usize, policy: &Policy) -> Result<DiffReport, PdfError> {
    let count = pdf.revision_count();
    if signed_revision >= count {
        return Err(PdfError::Missing(format!("revision {signed_revision}")));
    }
    if signed_revision + 1 == count {
        // The signature covers the newest revision: nothing came after it.
        return Ok(DiffReport { signed_revision, level: ModificationLevel::None, changes: Vec::new() });
    }
    let mut total = Budget::new(MAX_OBJECTS_TOTAL, "objects compared in all revisions");
    let mut old = Snapshot::first(pdf, signed_revision, &mut total)?;
    let signed_section = pdf.revision_section(signed_revision).ok_or_else(|| PdfError::Missing(format!("revision {signed_revision}")))?;
    let locks = index::read_locks(&old, &signed_section.entries)?;
    let mut changes = Vec::new();
    for k in signed_revision + 1..count {
        let view = pdf.revision(k).ok_or_else(|| PdfError::Missing(format!("revision {k}")))?;
        let section = pdf.revision_section(k).ok_or_else(|| PdfError::Missing(format!("revision {k}")))?;
        let mut budget = Budget::new(MAX_OBJECTS_PER_REVISION, "objects compared per revision");
        let new = old.next(view, &section.entries, &mut budget, &mut total)?;
        let cx = Cx { pdf, old: &old, new: &new, locks: &locks };
        compare_revisions(&cx, k, &section.entries, policy, &mut budget, &mut changes)?;
        old = new;
    }
    let level = changes.iter().map(|c| c.level).max().unwrap_or(ModificationLevel::None);
    Ok(DiffReport { signed_revision, level, changes })
}

/// The revision a signature covers: the newest revision whose cross-reference
/// section, and those of all older revisions, start before `covered_end` (the end
/// of the signature's `/ByteRange`). This also holds for linearized files, whose
/// first-page section sits near the start of the file. `None` if no section does.
pub fn signed_revision(pdf: &PdfFile, covered_end: u64) -> Option<usize> {
    let n = (0..pdf.revision_count()).take_while(|&k| pdf.revision_section(k).is_some_and(|s| s.offset < covered_end)).count();
    n.checked_sub(1)
}

// ---------------------------------------------------------------------------
// The policy: rules in one list, levels in another.
// ---------------------------------------------------------------------------

/// A whitelist rule: it recognises the changes to objects playing one role.
pub(crate) trait Rule {
    /// A short stable name (for debugging and documentation).
    #[allow(dead_code)]
    fn name(&self) -> &'static str;
    /// Judge `upd`, an object playing `role` in the earlier revision: `None` if
    /// the role is not this rule's, else what changed (possibly nothing).
    fn apply(&self, cx: &Cx<'_>, upd: &Update, role: &Role) -> Result<Option<Vec<Finding>>, PdfError>;
}

/// The rules (which changes are recognised, for which roles) and the level of
/// each kind of change (one readable list, [`Policy::standard`]).
pub struct Policy {
    rules: Vec<Box<dyn Rule>>,
    levels: Vec<(ChangeKind, ModificationLevel)>,
}

impl Policy {
    /// KýSố's default policy for a document with DocMDP permission `docmdp`
    /// (`None`: not certified). Kinds not listed (`Disallowed`) are Other.
    pub fn standard(docmdp: Option<u8>) -> Policy {
        use ChangeKind as K;
        use ModificationLevel as L;
        let certified = docmdp.is_some();
        let form_filling_declared = matches!(docmdp, Some(2) | Some(3));
        Policy {
            rules: vec![
                Box::new(rules_catalog::CatalogRule),
                Box::new(rules_catalog::DocInfoRule),
                Box::new(rules_catalog::XmpMetadataRule),
                Box::new(rules_catalog::ExtensionsRule),
                Box::new(rules_form::AcroFormRule),
                Box::new(rules_form::FormResourcesRule),
                Box::new(rules_form::FieldsArrayRule),
                Box::new(rules_form::SignatureFieldRule),
                Box::new(rules_form::FormFieldRule),
                Box::new(rules_form::KidsArrayRule),
                Box::new(rules_form::WidgetRule),
                Box::new(rules_form::AppearanceRule),
                Box::new(rules_page::PageRule),
                Box::new(rules_page::AnnotsArrayRule),
                Box::new(rules_page::AnnotationRule),
                Box::new(rules_dss::DssRule),
                Box::new(rules_struct::StructTreeRule),
            ],
            levels: vec![
                (K::DocInfo, L::LtaUpdates),
                (K::XmpMetadata, L::LtaUpdates),
                (K::Dss, L::LtaUpdates),
                (K::CatalogExtensions, L::LtaUpdates),
                (K::TimestampField, L::LtaUpdates),
                (K::UnusedObject, L::LtaUpdates),
                (K::SignatureField, L::FormFilling),
                (K::SignatureFilled, L::FormFilling),
                // Certified documents: allowed only under its proviso (rules_certified).
                (K::SignatureAdded, L::FormFilling),
                (K::StructureTree, L::FormFilling),
                (K::FormSettings, L::FormFilling),
                // Sneaky signatures: no new visible signature fields after certification.
                (K::VisibleSignatureField, if certified { L::Other } else { L::FormFilling }),
                // Replace-via-form-field shadows: only a certification declares form filling.
                (K::FieldValue, if form_filling_declared { L::FormFilling } else { L::Other }),
                (K::CommentAnnotation, L::Annotations),
                // Evil annotations: P = 3 permits comments, not painting over the page.
                (K::OverlayAnnotation, if docmdp == Some(3) { L::Other } else { L::Annotations }),
                // ChangeKind::Disallowed is not listed: Other.
            ],
        }
    }

    /// The level this policy assigns to `kind`.
    pub fn level(&self, kind: ChangeKind) -> ModificationLevel {
        self.levels.iter().find(|(k, _)| *k == kind).map(|(_, l)| *l).unwrap_or(ModificationLevel::Other)
    }
}

// ---------------------------------------------------------------------------
// What rules see and say.
// ---------------------------------------------------------------------------

/// The two revisions being compared, indexed, and the signature's field locks.
pub(crate) struct Cx<'a> {
    pub pdf: &'a PdfFile,
    pub old: &'a Snapshot<'a>,
    pub new: &'a Snapshot<'a>,
    pub locks: &'a index::Locks,
}

impl Cx<'_> {
    /// Whether `r` was an object (not free, same generation) in the earlier revision.
    pub fn existed(&self, r: ObjRef) -> bool {
        self.old.defines(r)
    }
    /// `obj` resolved one level in the earlier revision.
    pub fn old_resolve(&self, obj: &Object) -> Result<Object, PdfError> {
        self.old.view.resolve(obj)
    }
    /// `obj` resolved one level in the later revision.
    pub fn new_resolve(&self, obj: &Object) -> Result<Object, PdfError> {
        self.new.view.resolve(obj)
    }
}

/// One rewritten object: its value before and after.
pub(crate) struct Update {
    pub r: ObjRef,
    pub old: Object,
    pub new: Object,
    pub old_stream: Option<StreamLoc>,
    pub new_stream: Option<StreamLoc>,
}

/// What a rule recognised.
pub(crate) struct Finding {
    pub kind: ChangeKind,
    pub what: String,
    pub description: String,
    pub proviso: Option<Proviso>,
}

impl Finding {
    pub fn new(kind: ChangeKind, what: impl Into<String>, description: impl Into<String>) -> Self {
        Finding { kind, what: what.into(), description: description.into(), proviso: None }
    }
    pub fn with_proviso(mut self, proviso: Option<Proviso>) -> Self {
        self.proviso = proviso;
        self
    }
    pub fn disallowed(what: impl Into<String>, description: impl Into<String>) -> Self {
        Finding::new(ChangeKind::Disallowed, what, description)
    }
}

// ---------------------------------------------------------------------------
// The driver.
// ---------------------------------------------------------------------------

fn compare_revisions(
    cx: &Cx<'_>,
    k: usize,
    entries: &BTreeMap<u32, XrefEntry>,
    policy: &Policy,
    budget: &mut Budget,
    out: &mut Vec<Change>,
) -> Result<(), PdfError> {
    let mut push = |f: Finding, object: Option<ObjRef>| {
        let level = policy.level(f.kind);
        out.push(Change { revision: k, object, what: f.what, kind: f.kind, description: f.description, level, proviso: f.proviso });
    };

    // The trailer: a new /Root is a new document; a new /Info is document information.
    let (old_root, new_root) = (cx.old.view.trailer().get(b"Root"), cx.new.view.trailer().get(b"Root"));
    if !opt_same(old_root, new_root) {
        push(Finding::disallowed("trailer", "trailer /Root points to another catalog"), None);
    }
    let (old_info, new_info) = (cx.old.view.trailer().get(b"Info"), cx.new.view.trailer().get(b"Info"));
    if !opt_same(old_info, new_info) {
        push(Finding::new(ChangeKind::DocInfo, "trailer", "trailer /Info points to another dictionary"), None);
    }

    // Objects whose value may have changed: this revision's entries, and the objects
    // held by any object stream it rewrites.
    let mut todo: Vec<(u32, XrefEntry)> = entries.iter().map(|(&n, &e)| (n, e)).filter(|(n, _)| *n != 0).collect();
    let rewritten_streams: Vec<u32> =
        todo.iter().filter(|(n, _)| cx.old.graph.nodes.get(n).is_some_and(|node| node.objstm)).map(|(n, _)| *n).collect();
    for s in rewritten_streams {
        for (&num, e) in cx.old.view.xref() {
            if matches!(e, XrefEntry::InStream { stream, .. } if *stream == s) && !entries.contains_key(&num) {
                if let Some(&ne) = cx.new.view.xref().get(&num) {
                    todo.push((num, ne));
                }
            }
        }
    }

    for (num, entry) in todo {
        budget.take(1)?;
        let old_gen = cx.old.gen_of(num);
        let new_gen = match entry {
            XrefEntry::Free => None,
            XrefEntry::InFile { gen, .. } => Some(gen),
            XrefEntry::InStream { .. } => Some(0),
        };
        match (old_gen, new_gen) {
            (Some(g), None) => {
                let r = ObjRef::new(num, g);
                push(Finding::disallowed(cx.old.describe(r), format!("object {r} ({}) was freed", cx.old.label(num))), Some(r));
            }
            (Some(g), Some(ng)) if g != ng => {
                let r = ObjRef::new(num, g);
                push(
                    Finding::disallowed(
                        cx.old.describe(r),
                        format!("object {num} ({}) now has generation {ng}: references to {r} read null", cx.old.label(num)),
                    ),
                    Some(r),
                );
            }
            (Some(g), Some(_)) => {
                let r = ObjRef::new(num, g);
                let (old, new) = match (cx.old.view.get(r), cx.new.view.get(r)) {
                    (Ok(o), Ok(n)) => (o, n),
                    (Err(e), _) | (_, Err(e)) if recoverable(&e) => {
                        push(Finding::disallowed("xref", format!("object {r} cannot be read as before: {e}")), Some(r));
                        continue;
                    }
                    (Err(e), _) | (_, Err(e)) => return Err(e),
                };
                if compare::same_raw(cx.pdf, &old, &new)? {
                    continue;
                }
                let upd = Update { r, old: old.object, new: new.object, old_stream: old.stream, new_stream: new.stream };
                for (f, obj) in judge(cx, policy, &upd)? {
                    push(f, obj);
                }
            }
            (None, Some(ng)) => {
                // A new object matters only if the earlier revision already referred to it.
                let r = ObjRef::new(num, ng);
                if !cx.old.paths.contains_key(&r) {
                    continue;
                }
                let new = match cx.new.view.get(r) {
                    Ok(n) => n,
                    Err(e) if recoverable(&e) => {
                        push(Finding::disallowed("xref", format!("object {r}, referred to before, cannot be read: {e}")), Some(r));
                        continue;
                    }
                    Err(e) => return Err(e),
                };
                if matches!(new.object, Object::Null) {
                    continue;
                }
                let upd = Update { r, old: Object::Null, new: new.object, old_stream: None, new_stream: new.stream };
                for (f, obj) in judge(cx, policy, &upd)? {
                    push(f, obj);
                }
            }
            (None, None) => {}
        }
    }
    Ok(())
}

/// Damage in the file (as opposed to a safety limit or an I/O failure): judged
/// as a disallowed change where it is met, rather than ending the analysis.
pub(crate) fn recoverable(e: &PdfError) -> bool {
    matches!(e, PdfError::Malformed { .. } | PdfError::BrokenXref { .. } | PdfError::Missing(_) | PdfError::UnsupportedFilter(_))
}

fn opt_same(a: Option<&Object>, b: Option<&Object>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => compare::same(a, b),
        _ => false,
    }
}

/// Judge one rewritten object by every role it plays in the earlier revision.
fn judge(cx: &Cx<'_>, policy: &Policy, upd: &Update) -> Result<Vec<(Finding, Option<ObjRef>)>, PdfError> {
    let r = upd.r;
    let mut out = Vec::new();
    let roles = cx.old.roles.get(&r).cloned().unwrap_or_default();
    if roles.is_empty() {
        if let Some(path) = cx.old.paths.get(&r) {
            // Used by the earlier revision, but no rule covers what it is.
            out.push((Finding::disallowed(path.clone(), compare::describe_change(cx.pdf, upd, &cx.old.label(r.num))?), Some(r)));
        } else {
            out.push((
                Finding::new(
                    ChangeKind::UnusedObject,
                    format!("object {r}"),
                    format!("object {r}, unused by the earlier revision, was rewritten"),
                ),
                Some(r),
            ));
        }
        return Ok(out);
    }
    for role in &roles {
        let mut claimed = None;
        for rule in &policy.rules {
            match rule.apply(cx, upd, role) {
                Ok(None) => continue,
                Ok(Some(fs)) => claimed = Some(fs),
                // A structure the rule must read is broken: not something it can allow.
                Err(e) if recoverable(&e) => {
                    claimed = Some(vec![Finding::disallowed(cx.old.describe(r), format!("{}: {e}", cx.old.describe(r)))])
                }
                Err(e) => return Err(e),
            }
            break;
        }
        match claimed {
            Some(fs) => out.extend(fs.into_iter().map(|f| (f, Some(r)))),
            None => {
                out.push((Finding::disallowed(cx.old.describe(r), compare::describe_change(cx.pdf, upd, &cx.old.label(r.num))?), Some(r)))
            }
        }
    }
    // Any other use of the object, not accounted for by its roles (a shadow
    // document can make one object serve two purposes). Pages are exempt: links,
    // outlines and structure refer to them, and a page may change only in /Annots.
    if roles.iter().all(|x| matches!(x, Role::Page { .. })) {
        return Ok(out);
    }
    for (path, how) in cx.old.uncovered_uses(r) {
        out.push((Finding::disallowed(path, format!("object {r} is also used as {how}, where this change is not allowed")), Some(r)));
    }
    Ok(out)
}
