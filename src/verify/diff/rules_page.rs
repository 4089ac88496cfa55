//! Rules for pages and their annotations (ISO 32000-2 §7.7.3.3, §12.5): a page
//! may change only in `/Annots`, which may only gain entries — widgets of
//! signature fields, or annotations.

use crate::pdf::object::{ObjRef, Object};
use crate::pdf::{ObjectSource, PdfError};

use super::compare::{appended, changed_keys, key_list};
use super::index::Role;
use super::rules_form::{new_sig_field, widget_visible_on};
use super::{ChangeKind, Cx, Finding, Rule, Update};

/// Annotation types that comment without painting over the page: notes, their
/// pop-ups and text markup (ISO 32000-2 §12.5.6.4, .14, .10). Every other type
/// can cover signed content with its own appearance.
const COMMENT_TYPES: &[&[u8]] = &[b"Text", b"Popup", b"Highlight", b"Underline", b"Squiggly", b"StrikeOut", b"Caret"];

/// The kind of change an annotation of `subtype` makes.
pub(crate) fn annotation_kind(subtype: &[u8]) -> ChangeKind {
    if COMMENT_TYPES.contains(&subtype) {
        ChangeKind::CommentAnnotation
    } else {
        ChangeKind::OverlayAnnotation
    }
}

/// The kind of change a new or edited annotation makes when `appearance` says
/// whether it brings an appearance stream of its own (`/AP` new or changed): a
/// comment type with its own appearance can paint anything over the page, like
/// a `/FreeText` (the evil-annotation attack under DocMDP P = 3 with a sticky
/// note or highlight whose `/AP` is an opaque box of text).
pub(crate) fn annotation_kind_painted(subtype: &[u8], appearance: bool) -> ChangeKind {
    if appearance {
        ChangeKind::OverlayAnnotation
    } else {
        annotation_kind(subtype)
    }
}

/// A page: only `/Annots` may change.
pub(crate) struct PageRule;

impl Rule for PageRule {
    fn name(&self) -> &'static str {
        "page"
    }

    fn apply(&self, cx: &Cx<'_>, upd: &Update, role: &Role) -> Result<Option<Vec<Finding>>, PdfError> {
        let Role::Page { index } = *role else { return Ok(None) };
        let what = format!("page {}", index + 1);
        let (Some(old), Some(new), None) = (upd.old.as_dict(), upd.new.as_dict(), upd.new_stream) else {
            return Ok(Some(vec![Finding::disallowed(what, format!("page object {} replaced by something else", upd.r))]));
        };
        let mut out = Vec::new();
        let mut other = Vec::new();
        for key in changed_keys(old, new) {
            if key == b"Annots" {
                out.extend(annots_entry(cx, index, old.get(b"Annots"), new.get(b"Annots"))?);
            } else {
                other.push(key);
            }
        }
        if !other.is_empty() {
            out.push(Finding::disallowed(what, format!("page {} ({}): {} changed", index + 1, upd.r, key_list(&other))));
        }
        Ok(Some(out))
    }
}

fn annots_entry(cx: &Cx<'_>, page: usize, old: Option<&Object>, new: Option<&Object>) -> Result<Vec<Finding>, PdfError> {
    if let (Some(Object::Ref(a)), Some(Object::Ref(b))) = (old, new) {
        if a == b {
            // The array object itself is judged by AnnotsArrayRule.
            return Ok(Vec::new());
        }
    }
    let old = match old {
        Some(o) => cx.old_resolve(o)?,
        None => Object::Null,
    };
    let new = match new {
        Some(o) => cx.new_resolve(o)?,
        None => Object::Null,
    };
    annots_append(cx, page, old.as_array().unwrap_or_default(), new.as_array().unwrap_or_default())
}

/// `/Annots` kept its entries in order and gained only new annotations.
fn annots_append(cx: &Cx<'_>, page: usize, old: &[Object], new: &[Object]) -> Result<Vec<Finding>, PdfError> {
    let what = format!("page {} /Annots", page + 1);
    let Some(tail) = appended(old, new) else {
        return Ok(vec![Finding::disallowed(what, format!("page {} /Annots: annotations removed or reordered", page + 1))]);
    };
    let mut out = Vec::new();
    for item in tail {
        out.push(match item {
            Object::Ref(a) if cx.existed(*a) => {
                Finding::disallowed(what.clone(), format!("the existing object {a} was added to page {} /Annots", page + 1))
            }
            Object::Ref(a) => new_annotation(cx, page, *a)?,
            _ => Finding::disallowed(what.clone(), format!("page {} /Annots gained a direct object", page + 1)),
        });
    }
    Ok(out)
}

/// A new annotation `a` on `page`: a widget of a signature field being added or
/// signed in this revision, or another annotation.
fn new_annotation(cx: &Cx<'_>, page: usize, a: ObjRef) -> Result<Finding, PdfError> {
    let what = format!("annotation on page {}", page + 1);
    let Object::Dict(d) = cx.new.view.get(a)?.object else {
        return Ok(Finding::disallowed(what, format!("page {} /Annots gained {a}, which is not a dictionary", page + 1)));
    };
    let subtype = d.name(b"Subtype").map(<[u8]>::to_vec).unwrap_or_default();
    if subtype != b"Widget" {
        return Ok(Finding::new(
            annotation_kind_painted(&subtype, d.get(b"AP").is_some()),
            what,
            format!("new /{} annotation {a} on page {}", String::from_utf8_lossy(&subtype), page + 1),
        ));
    }
    let field = if cx.new.fields.contains_key(&a) {
        Some(a)
    } else {
        cx.new.roles.get(&a).and_then(|v| {
            v.iter().find_map(|r| match r {
                Role::Widget { field } => Some(*field),
                _ => None,
            })
        })
    };
    let Some(field) = field else {
        return Ok(Finding::disallowed(what, format!("new widget {a} on page {} belongs to no form field", page + 1)));
    };
    let Some(node) = cx.new.fields.get(&field) else {
        return Ok(Finding::disallowed(what, format!("new widget {a} on page {} belongs to no form field", page + 1)));
    };
    let what = format!("widget of field '{}'", node.name);
    if !node.is_sig() {
        return Ok(Finding::disallowed(what, format!("new widget {a} of the non-signature field '{}' on page {}", node.name, page + 1)));
    }
    if !cx.existed(field) {
        // A widget of a new field: the same kind as the field itself. (Under a
        // nested new field the top-level one is judged from /Fields.)
        let top = top_field(cx, field);
        return Ok(match new_sig_field(cx, top)? {
            Ok((kind, _, proviso)) => {
                Finding::new(kind, what, format!("widget {a} of new signature field '{}' on page {}", node.name, page + 1))
                    .with_proviso(proviso)
            }
            Err(why) => Finding::disallowed(what, why),
        });
    }
    // A new widget of a field that existed before: only while signing it.
    let old_signed = cx.old.fields.get(&field).map(|n| n.signed);
    if old_signed != Some(false) || !node.signed {
        return Ok(Finding::disallowed(what, format!("new widget {a} of signature field '{}', which is not being signed now", node.name)));
    }
    Ok(match widget_visible_on(cx, a)? {
        Some(p) => Finding::new(
            ChangeKind::VisibleSignatureField,
            what,
            format!("new visible widget {a} of signature field '{}' on page {}", node.name, p + 1),
        ),
        None => Finding::new(ChangeKind::SignatureFilled, what, format!("new invisible widget {a} of signature field '{}'", node.name)),
    })
}

/// The top-level ancestor of new field `f` among the later revision's fields.
fn top_field(cx: &Cx<'_>, f: ObjRef) -> ObjRef {
    let mut cur = f;
    for _ in 0..super::MAX_DEPTH {
        match cx.new.fields.iter().find(|(_, n)| n.kids.contains(&cur)) {
            Some((&p, _)) => cur = p,
            None => break,
        }
    }
    cur
}

/// An indirect `/Annots` array: append-only, as for a page's direct one.
pub(crate) struct AnnotsArrayRule;

impl Rule for AnnotsArrayRule {
    fn name(&self) -> &'static str {
        "page-annots"
    }

    fn apply(&self, cx: &Cx<'_>, upd: &Update, role: &Role) -> Result<Option<Vec<Finding>>, PdfError> {
        let Role::AnnotsArray { page } = *role else { return Ok(None) };
        match (upd.old.as_array(), upd.new.as_array()) {
            (Some(o), Some(n)) => Ok(Some(annots_append(cx, page, o, n)?)),
            _ => Ok(Some(vec![Finding::disallowed(
                format!("page {} /Annots", page + 1),
                format!("page {} /Annots {} is no longer an array", page + 1, upd.r),
            )])),
        }
    }
}

/// An existing annotation (not a form widget) edited: comment or overlay kind,
/// by its subtype, which may not change.
pub(crate) struct AnnotationRule;

impl Rule for AnnotationRule {
    fn name(&self) -> &'static str {
        "annotation-edit"
    }

    fn apply(&self, _cx: &Cx<'_>, upd: &Update, role: &Role) -> Result<Option<Vec<Finding>>, PdfError> {
        let Role::Annotation { page } = *role else { return Ok(None) };
        let what = format!("annotation on page {}", page + 1);
        let (Some(old), Some(new), None) = (upd.old.as_dict(), upd.new.as_dict(), upd.new_stream) else {
            return Ok(Some(vec![Finding::disallowed(what, format!("annotation {} replaced by something else", upd.r))]));
        };
        let (os, ns) = (old.name(b"Subtype").unwrap_or_default(), new.name(b"Subtype").unwrap_or_default());
        let f = if os != ns {
            Finding::disallowed(
                what,
                format!("annotation {} changed type from /{} to /{}", upd.r, String::from_utf8_lossy(os), String::from_utf8_lossy(ns)),
            )
        } else {
            let changed = changed_keys(old, new);
            Finding::new(
                annotation_kind_painted(os, changed.iter().any(|k| k == b"AP")),
                what,
                format!("/{} annotation {} edited: {} changed", String::from_utf8_lossy(os), upd.r, key_list(&changed)),
            )
        };
        Ok(Some(vec![f]))
    }
}
