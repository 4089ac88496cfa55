//! Rules for the logical structure (ISO 32000-2 §14.7): what a signing tool of a
//! tagged document adds for its new widgets. The Government Cipher Committee's
//! tools (and iText-based ones) tag each new signature widget: a new `/Form`
//! structure element whose `/K` is an object reference (`/OBJR`) to the widget,
//! appended to a top-level element's `/K`, and a `/ParentTree` entry under the
//! widget's `/StructParent` (often in a rewritten copy of the whole number tree),
//! with `/ParentTreeNextKey` raised.
//!
//! Allowed: exactly that — every entry the earlier revision had is kept with the
//! same value, and whatever is new tags only widgets of signature fields that
//! are new in this revision. Anything else in the structure tree is Other.

use std::collections::BTreeMap;

use crate::pdf::object::{Dict, ObjRef, Object};
use crate::pdf::reader::RevisionView;
use crate::pdf::{ObjectSource, PdfError};

use super::compare::{appended, changed_keys, key_list, same};
use super::index::Role;
use super::{ChangeKind, Cx, Finding, Rule, Update, MAX_DEPTH};

/// Most number-tree nodes read for one `/ParentTree`.
const MAX_TREE_NODES: usize = 10_000;

/// The structure tree root, a `/ParentTree` node, or a top-level structure element.
pub(crate) struct StructTreeRule;

impl Rule for StructTreeRule {
    fn name(&self) -> &'static str {
        "structure-tree"
    }

    fn apply(&self, cx: &Cx<'_>, upd: &Update, role: &Role) -> Result<Option<Vec<Finding>>, PdfError> {
        let what = match role {
            Role::StructTreeRoot => "structure tree root",
            Role::ParentTree => "structure tree /ParentTree",
            Role::StructElem => "structure element",
            _ => return Ok(None),
        };
        let (Some(old), Some(new), None) = (upd.old.as_dict(), upd.new.as_dict(), upd.new_stream) else {
            return Ok(Some(vec![Finding::disallowed(what, format!("{what} {} replaced by something else", upd.r))]));
        };
        let problem = match role {
            Role::StructTreeRoot => root_problem(cx, old, new)?,
            Role::ParentTree => parent_tree_problem(cx, &Object::Ref(upd.r), &Object::Ref(upd.r))?,
            _ => elem_problem(cx, old, new)?,
        };
        let f = match problem {
            None => Finding::new(ChangeKind::StructureTree, what, format!("{what} {}: entries for new signature widgets", upd.r)),
            Some(why) => Finding::disallowed(what, format!("{what} {}: {why}", upd.r)),
        };
        Ok(Some(vec![f]))
    }
}

/// The root may change `/ParentTree` (same entries plus new ones),
/// `/ParentTreeNextKey` (upwards) and `/K` (new elements appended).
fn root_problem(cx: &Cx<'_>, old: &Dict, new: &Dict) -> Result<Option<String>, PdfError> {
    let keys = changed_keys(old, new);
    for key in &keys {
        let problem = match key.as_slice() {
            b"ParentTree" => match (old.get(b"ParentTree"), new.get(b"ParentTree")) {
                (Some(o), Some(n)) => parent_tree_problem(cx, o, n)?,
                _ => Some("/ParentTree added or removed".into()),
            },
            b"ParentTreeNextKey" => {
                let (o, n) = (old.int(b"ParentTreeNextKey").unwrap_or(0), new.int(b"ParentTreeNextKey").unwrap_or(-1));
                (n < o).then(|| "/ParentTreeNextKey lowered".into())
            }
            b"K" => kids_problem(cx, old.get(b"K"), new.get(b"K"))?,
            _ => Some(format!("{} changed", key_list(std::slice::from_ref(key)))),
        };
        if problem.is_some() {
            return Ok(problem);
        }
    }
    Ok(None)
}

/// A structure element may only gain new elements at the end of its `/K`.
fn elem_problem(cx: &Cx<'_>, old: &Dict, new: &Dict) -> Result<Option<String>, PdfError> {
    let keys = changed_keys(old, new);
    if let Some(other) = keys.iter().find(|k| k.as_slice() != b"K") {
        return Ok(Some(format!("{} changed", key_list(std::slice::from_ref(other)))));
    }
    kids_problem(cx, old.get(b"K"), new.get(b"K"))
}

/// `/K` kept its entries in order and gained only new elements tagging new
/// signature widgets.
fn kids_problem(cx: &Cx<'_>, old: Option<&Object>, new: Option<&Object>) -> Result<Option<String>, PdfError> {
    let as_list = |o: Option<&Object>| -> Vec<Object> {
        match o {
            None => Vec::new(),
            Some(Object::Array(a)) => a.clone(),
            Some(other) => vec![other.clone()],
        }
    };
    let (old, new) = (as_list(old), as_list(new));
    let Some(tail) = appended(&old, &new) else { return Ok(Some("/K: entries removed or reordered".into())) };
    for item in tail {
        let Object::Ref(e) = item else { return Ok(Some("/K gained a direct object".into())) };
        if let Some(why) = new_elem_problem(cx, *e)? {
            return Ok(Some(why));
        }
    }
    Ok(None)
}

/// `e` must be a structure element new in this revision whose content is only
/// object references to widgets of signature fields new in this revision.
fn new_elem_problem(cx: &Cx<'_>, e: ObjRef) -> Result<Option<String>, PdfError> {
    if cx.existed(e) {
        return Ok(Some(format!("the existing object {e} was added")));
    }
    let Object::Dict(d) = cx.new.view.get(e)?.object else { return Ok(Some(format!("{e} is not a structure element"))) };
    if d.get(b"S").is_none() {
        return Ok(Some(format!("{e} is not a structure element")));
    }
    let items = match d.get(b"K") {
        Some(Object::Array(a)) => a.clone(),
        Some(k) => vec![k.clone()],
        None => Vec::new(),
    };
    if items.is_empty() {
        return Ok(Some(format!("structure element {e} tags nothing")));
    }
    for item in items {
        let objr = cx.new_resolve(&item)?;
        let target = objr.as_dict().filter(|o| o.has_type(b"OBJR")).and_then(|o| o.reference(b"Obj"));
        let Some(w) = target else {
            return Ok(Some(format!("structure element {e} tags page content, not a widget")));
        };
        if !new_signature_widget(cx, w) {
            return Ok(Some(format!("structure element {e} tags {w}, which is not a widget of a new signature field")));
        }
    }
    Ok(None)
}

/// Whether `w` is a widget of a signature field that did not exist before.
fn new_signature_widget(cx: &Cx<'_>, w: ObjRef) -> bool {
    !cx.existed(w) && cx.new.fields.iter().any(|(f, n)| n.is_sig() && !cx.existed(*f) && n.widgets.contains(&w))
}

/// The `/ParentTree` number tree before (`old`, earlier revision) and after
/// (`new`): every key keeps a value equal to its old one; a new key's value is a
/// new element tagging new signature widgets (or an array of such elements).
fn parent_tree_problem(cx: &Cx<'_>, old: &Object, new: &Object) -> Result<Option<String>, PdfError> {
    let before = match number_tree(&cx.old.view, old)? {
        Some(t) => t,
        None => return Ok(Some("the earlier /ParentTree cannot be read".into())),
    };
    let Some(after) = number_tree(&cx.new.view, new)? else { return Ok(Some("the new /ParentTree cannot be read".into())) };
    for (key, ov) in &before {
        let Some(nv) = after.get(key) else { return Ok(Some(format!("/ParentTree entry {key} removed"))) };
        if !same_value(cx, ov, nv, 0)? {
            return Ok(Some(format!("/ParentTree entry {key} changed")));
        }
    }
    for (key, nv) in after.iter().filter(|(k, _)| !before.contains_key(k)) {
        let elems = match nv {
            Object::Ref(r) => match cx.new.view.get(*r)?.object {
                Object::Array(a) if !cx.existed(*r) => a,
                Object::Dict(_) => vec![nv.clone()],
                _ => return Ok(Some(format!("/ParentTree entry {key} is not new"))),
            },
            Object::Array(a) => a.clone(),
            _ => return Ok(Some(format!("/ParentTree entry {key} is not a structure element"))),
        };
        for el in elems {
            let Object::Ref(e) = el else { return Ok(Some(format!("/ParentTree entry {key} holds a direct object"))) };
            if let Some(why) = new_elem_problem(cx, e)? {
                return Ok(Some(format!("/ParentTree entry {key}: {why}")));
            }
        }
    }
    Ok(None)
}

/// Values equal once references to objects new in the later revision are
/// followed (a tool that copies the number tree copies its value arrays).
fn same_value(cx: &Cx<'_>, old: &Object, new: &Object, depth: usize) -> Result<bool, PdfError> {
    if same(old, new) {
        return Ok(true);
    }
    if depth > 2 {
        return Ok(false);
    }
    let old = cx.old_resolve(old)?;
    let new = match new {
        Object::Ref(r) if !cx.existed(*r) => cx.new_resolve(new)?,
        Object::Ref(_) => return Ok(false),
        other => other.clone(),
    };
    match (&old, &new) {
        (Object::Array(a), Object::Array(b)) if a.len() == b.len() => {
            for (x, y) in a.iter().zip(b) {
                if !same_value(cx, x, y, depth + 1)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        _ => Ok(same(&old, &new)),
    }
}

/// The entries of a number tree (ISO 32000-2 §7.9.7), `None` if it is malformed.
fn number_tree(view: &RevisionView<'_>, root: &Object) -> Result<Option<BTreeMap<i64, Object>>, PdfError> {
    let mut out = BTreeMap::new();
    let mut stack = vec![(root.clone(), 0usize)];
    let mut seen = 0usize;
    while let Some((node, depth)) = stack.pop() {
        seen += 1;
        if depth > MAX_DEPTH || seen > MAX_TREE_NODES {
            return Err(PdfError::LimitExceeded("structure tree /ParentTree"));
        }
        let Object::Dict(d) = view.resolve(&node)? else { return Ok(None) };
        if let Some(nums) = d.get(b"Nums") {
            let nums = view.resolve(nums)?;
            let Some(a) = nums.as_array() else { return Ok(None) };
            for pair in a.chunks(2) {
                let [Object::Int(k), v] = pair else { return Ok(None) };
                out.insert(*k, v.clone());
            }
        }
        for k in d.get(b"Kids").map(|k| view.resolve(k)).transpose()?.as_ref().and_then(Object::as_array).unwrap_or_default() {
            stack.push((k.clone(), depth + 1));
        }
    }
    Ok(Some(out))
}
