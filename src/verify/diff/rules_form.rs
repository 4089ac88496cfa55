//! Rules for the interactive form (ISO 32000-2 §12.7): the `/AcroForm`
//! dictionary, its `/Fields` and `/DR`, form fields, their `/Kids`, widgets and
//! appearance streams.

use crate::pdf::object::{Dict, ObjRef, Object};
use crate::pdf::{ObjectSource, PdfError};

use super::compare::{appended, changed_keys, key_list, same};
use super::index::{FieldNode, Role};
use super::{ChangeKind, Cx, Finding, Proviso, Rule, Update, WidgetPlace, MAX_DEPTH};

/// Keys of an empty signature field (or its merged widget) that signing may set.
const SIGNING_KEYS: &[&[u8]] = &[b"V", b"AP", b"AS", b"F", b"Ff", b"MK", b"DA", b"Kids", b"Type"];
/// Keys of a widget of a signature field being signed that may change.
const SIGNING_WIDGET_KEYS: &[&[u8]] = &[b"AP", b"AS", b"MK", b"F", b"DA"];
/// Keys of a non-signature field (or its merged widget) that filling may change.
const VALUE_KEYS: &[&[u8]] = &[b"V", b"AP", b"AS", b"Ff", b"DA", b"Q", b"MK", b"RV"];
/// Keys of a widget of a non-signature field that filling may change.
const VALUE_WIDGET_KEYS: &[&[u8]] = &[b"AP", b"AS", b"MK", b"DA", b"Q"];
/// Most fields examined under one new `/Fields` entry.
const MAX_NEW_FIELD_NODES: usize = 10_000;

fn outside(keys: &[Vec<u8>], allowed: &[&[u8]]) -> Vec<Vec<u8>> {
    keys.iter().filter(|k| !allowed.contains(&k.as_slice())).cloned().collect()
}

fn field_name(node: Option<&FieldNode>) -> String {
    node.map(|n| n.name.clone()).unwrap_or_default()
}

// ---------------------------------------------------------------------------
// The form dictionary.
// ---------------------------------------------------------------------------

/// `/AcroForm` as an object of its own: judged by [`diff_acroform`].
pub(crate) struct AcroFormRule;

impl Rule for AcroFormRule {
    fn name(&self) -> &'static str {
        "acroform"
    }

    fn apply(&self, cx: &Cx<'_>, upd: &Update, role: &Role) -> Result<Option<Vec<Finding>>, PdfError> {
        if *role != Role::AcroForm {
            return Ok(None);
        }
        match (upd.old.as_dict(), upd.new.as_dict(), upd.new_stream) {
            (old, Some(new), None) => Ok(Some(diff_acroform(cx, old, new)?)),
            _ => Ok(Some(vec![Finding::disallowed("form (/AcroForm)", format!("form dictionary {} replaced by something else", upd.r))])),
        }
    }
}

/// The catalog's `/AcroForm` entry changed from `old` to `new`.
pub(crate) fn acroform_entry(cx: &Cx<'_>, old: Option<&Object>, new: Option<&Object>) -> Result<Vec<Finding>, PdfError> {
    let what = "form (/AcroForm)";
    let Some(new) = new else { return Ok(vec![Finding::disallowed(what, "catalog /AcroForm removed")]) };
    if let (Some(Object::Ref(a)), Object::Ref(b)) = (old, new) {
        if a == b {
            return Ok(Vec::new());
        }
    }
    if let Object::Ref(b) = new {
        if cx.existed(*b) {
            return Ok(vec![Finding::disallowed(what, format!("catalog /AcroForm now points to the existing object {b}"))]);
        }
    }
    let old = match old {
        Some(o) => cx.old_resolve(o)?,
        None => Object::Null,
    };
    let new = cx.new_resolve(new)?;
    match new.as_dict() {
        Some(n) => diff_acroform(cx, old.as_dict(), n),
        None => Ok(vec![Finding::disallowed(what, "catalog /AcroForm is not a dictionary")]),
    }
}

/// `/Fields` may only gain new signature fields; `/SigFlags`, `/DA`, `/Q` may
/// change; `/DR` may gain resources; `/NeedAppearances` counts as field filling.
pub(crate) fn diff_acroform(cx: &Cx<'_>, old: Option<&Dict>, new: &Dict) -> Result<Vec<Finding>, PdfError> {
    let what = "form (/AcroForm)";
    let empty = Dict::default();
    let old = old.unwrap_or(&empty);
    let mut out = Vec::new();
    let mut other = Vec::new();
    for key in changed_keys(old, new) {
        match key.as_slice() {
            b"Fields" => out.extend(fields_entry(cx, old.get(b"Fields"), new.get(b"Fields"))?),
            b"SigFlags" | b"DA" | b"Q" => {
                out.push(Finding::new(ChangeKind::FormSettings, what, format!("form /{} changed", String::from_utf8_lossy(&key))))
            }
            b"DR" => out.push(dr_entry(cx, old.get(b"DR"), new.get(b"DR"))?),
            b"NeedAppearances" => {
                out.push(Finding::new(ChangeKind::FieldValue, what, "form /NeedAppearances changed: viewers may redraw every field"))
            }
            _ => other.push(key),
        }
    }
    if !other.is_empty() {
        out.push(Finding::disallowed(what, format!("form {} changed", key_list(&other))));
    }
    Ok(out)
}

fn fields_entry(cx: &Cx<'_>, old: Option<&Object>, new: Option<&Object>) -> Result<Vec<Finding>, PdfError> {
    if let (Some(Object::Ref(a)), Some(Object::Ref(b))) = (old, new) {
        if a == b {
            // The array object itself is judged by FieldsArrayRule.
            return Ok(Vec::new());
        }
    }
    let old = match old {
        Some(o) => cx.old_resolve(o)?,
        None => Object::Array(Vec::new()),
    };
    let new = match new {
        Some(o) => cx.new_resolve(o)?,
        None => Object::Array(Vec::new()),
    };
    match new.as_array() {
        Some(n) => fields_append(cx, old.as_array().unwrap_or_default(), n),
        None => Ok(vec![Finding::disallowed("form /Fields", "form /Fields is not an array")]),
    }
}

fn fields_append(cx: &Cx<'_>, old: &[Object], new: &[Object]) -> Result<Vec<Finding>, PdfError> {
    let Some(tail) = appended(old, new) else {
        return Ok(vec![Finding::disallowed("form /Fields", "form /Fields: existing fields removed or reordered")]);
    };
    let mut out = Vec::new();
    for item in tail {
        let Object::Ref(f) = item else {
            out.push(Finding::disallowed("form /Fields", "form /Fields gained a direct object"));
            continue;
        };
        if cx.existed(*f) {
            out.push(Finding::disallowed("form /Fields", format!("the existing object {f} was added to form /Fields")));
            continue;
        }
        out.push(match new_sig_field(cx, *f)? {
            Ok((kind, description, proviso)) => {
                Finding::new(kind, format!("field '{}'", field_name(cx.new.fields.get(f))), description).with_proviso(proviso)
            }
            Err(why) => Finding::disallowed("form /Fields", why),
        });
    }
    Ok(out)
}

/// What a new signature field is: its kind, a description, and for a visible
/// field signed in the same revision, the [`Proviso`] it is allowed under.
pub(crate) type NewField = (ChangeKind, String, Option<Proviso>);

/// Classify the new top-level field `f` (with all its descendants): the kind, or
/// why it is not allowed.
pub(crate) fn new_sig_field(cx: &Cx<'_>, f: ObjRef) -> Result<Result<NewField, String>, PdfError> {
    let Some(node) = cx.new.fields.get(&f) else {
        return Ok(Err(format!("new /Fields entry {f} is not a form field")));
    };
    let name = node.name.clone();
    let mut widgets = Vec::new();
    let mut stack = vec![(f, 0usize)];
    let mut seen = 0usize;
    while let Some((g, depth)) = stack.pop() {
        seen += 1;
        if depth > MAX_DEPTH || seen > MAX_NEW_FIELD_NODES {
            return Err(PdfError::LimitExceeded("new form fields"));
        }
        let Some(n) = cx.new.fields.get(&g) else { continue };
        if !n.is_sig() {
            let ft = n.ft.as_deref().map(|t| format!("/{}", String::from_utf8_lossy(t))).unwrap_or_else(|| "typeless".into());
            return Ok(Err(format!("new field '{}' is a {ft} field, not a signature field", n.name)));
        }
        if g != f && cx.existed(g) {
            return Ok(Err(format!("new field '{name}' takes in the existing field {g}")));
        }
        widgets.extend(n.widgets.iter().copied());
        stack.extend(n.kids.iter().map(|&k| (k, depth + 1)));
    }
    if let Some(w) = widgets.iter().find(|&&w| w != f && cx.existed(w)) {
        return Ok(Err(format!("new field '{name}' takes in the existing annotation {w}")));
    }
    let value = match sig_value(cx, f)? {
        Err(why) => return Ok(Err(why)),
        Ok(v) => v,
    };
    // An empty field or a document time-stamp; `Some(false)`: signed right here.
    let timestamp = value != Some(false);
    let mut visible = Vec::new();
    for &w in &widgets {
        if let Some(page) = widget_visible_on(cx, w)? {
            visible.push(page);
        }
    }
    if !visible.is_empty() && cx.locks.locks(&name) {
        return Ok(Err(format!("new visible field '{name}' is covered by the signature's field lock (FieldMDP)")));
    }
    // An unsigned field that paints: an overlay no signature covers (what the clerk
    // would see is not what anyone signed). Allowed only if the field is signed by
    // the end of the file, when its signature covers what it shows.
    if !visible.is_empty() && !signed_in_final_revision(cx, f)? {
        for &w in &widgets {
            if let Some(page) = widget_visible_on(cx, w)? {
                if paints(cx, w)? {
                    return Ok(Err(format!(
                        "new signature field '{name}' is not signed, yet its appearance paints on page {}: an overlay no signature covers",
                        page + 1
                    )));
                }
            }
        }
    }
    let n = widgets.len();
    Ok(Ok(if visible.is_empty() {
        if timestamp {
            (ChangeKind::TimestampField, format!("new invisible signature field '{name}' (document timestamp or empty)"), None)
        } else {
            (ChangeKind::SignatureField, format!("new invisible signature field '{name}'"), None)
        }
    } else {
        let mut pages: Vec<String> = visible.iter().map(|p| (p + 1).to_string()).collect();
        pages.dedup();
        let pages = pages.join(", ");
        if value == Some(false) {
            let proviso = Proviso { field: name.clone(), widgets: widget_places(cx, &widgets)? };
            (
                ChangeKind::SignatureAdded,
                format!("new signature field '{name}' signed, {n} widget(s), visible on page {pages}"),
                Some(proviso),
            )
        } else {
            (ChangeKind::VisibleSignatureField, format!("new signature field '{name}', {n} widget(s), visible on page {pages}"), None)
        }
    }))
}

/// Where the visible widgets among `widgets` are (later revision).
fn widget_places(cx: &Cx<'_>, widgets: &[ObjRef]) -> Result<Vec<WidgetPlace>, PdfError> {
    let mut out = Vec::new();
    for &w in widgets {
        let Some(page) = widget_visible_on(cx, w)? else { continue };
        let Object::Dict(d) = cx.new.view.get(w)?.object else { continue };
        let r: Vec<f64> =
            d.get(b"Rect").and_then(Object::as_array).map(|a| a.iter().filter_map(Object::as_f64).collect()).unwrap_or_default();
        if let [x1, y1, x2, y2] = r.as_slice() {
            out.push(WidgetPlace { page, rect: [x1.min(*x2), y1.min(*y2), x1.max(*x2), y1.max(*y2)] });
        }
    }
    Ok(out)
}

/// The value of signature field `f` in the later revision: `None` if empty,
/// `Some(true)` for a document timestamp, `Some(false)` for a signature; an error
/// string if it reuses an existing object or is not a signature dictionary.
fn sig_value(cx: &Cx<'_>, f: ObjRef) -> Result<Result<Option<bool>, String>, PdfError> {
    let Object::Dict(d) = cx.new.view.get(f)?.object else { return Ok(Ok(None)) };
    let v = match d.get(b"V") {
        None | Some(Object::Null) => return Ok(Ok(None)),
        Some(v) => v,
    };
    if let Object::Ref(v) = v {
        if cx.existed(*v) {
            return Ok(Err(format!("the value of signature field {f} is the existing object {v}")));
        }
    }
    match cx.new_resolve(v)? {
        Object::Dict(sd) => Ok(Ok(Some(sd.has_type(b"DocTimeStamp")))),
        _ => Ok(Err(format!("the value of signature field {f} is not a signature dictionary"))),
    }
}

/// Whether signature field `f` holds a value in the newest revision of the file.
fn signed_in_final_revision(cx: &Cx<'_>, f: ObjRef) -> Result<bool, PdfError> {
    match cx.pdf.get(f) {
        Ok(raw) => Ok(matches!(&raw.object, Object::Dict(d) if !matches!(d.get(b"V"), None | Some(Object::Null)))),
        Err(e) if super::recoverable(&e) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Largest appearance stream read to tell whether it draws anything.
const MAX_APPEARANCE: u64 = 16 * 1024 * 1024;

/// Whether widget `w` (later revision) has a normal appearance that draws
/// something: a stream, or state streams, whose content is more than saving and
/// restoring the graphics state. An appearance that cannot be read counts as drawing.
pub(crate) fn paints(cx: &Cx<'_>, w: ObjRef) -> Result<bool, PdfError> {
    let Object::Dict(d) = cx.new.view.get(w)?.object else { return Ok(false) };
    let Some(ap) = d.get(b"AP") else { return Ok(false) };
    let ap = cx.new_resolve(ap)?;
    let Some(n) = ap.as_dict().and_then(|a| a.get(b"N")).cloned() else { return Ok(false) };
    let mut streams = Vec::new();
    match n {
        Object::Ref(r) => {
            let raw = cx.new.view.get(r)?;
            match (raw.stream, &raw.object) {
                (Some(_), _) => streams.push(raw),
                (None, Object::Dict(states)) => {
                    for e in &states.entries {
                        if let Object::Ref(sr) = &e.value {
                            streams.push(cx.new.view.get(*sr)?);
                        }
                    }
                }
                _ => {}
            }
        }
        Object::Dict(states) => {
            for e in &states.entries {
                if let Object::Ref(sr) = &e.value {
                    streams.push(cx.new.view.get(*sr)?);
                }
            }
        }
        _ => {}
    }
    for raw in streams {
        let (Some(loc), Some(dict)) = (raw.stream, raw.object.as_dict()) else { continue };
        let drawn = match cx.pdf.read_stream_data(loc, MAX_APPEARANCE).and_then(|data| crate::pdf::filters::decode(dict, &data)) {
            Ok(content) => !content.split(|b| b.is_ascii_whitespace()).all(|t| t.is_empty() || t == b"q" || t == b"Q"),
            Err(_) => true,
        };
        if drawn {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The page (zero-based) on which widget `w` is visible in the later revision:
/// listed in a page's `/Annots`, a rectangle with an area, not hidden.
pub(crate) fn widget_visible_on(cx: &Cx<'_>, w: ObjRef) -> Result<Option<usize>, PdfError> {
    let Some(&page) = cx.new.annot_page.get(&w) else { return Ok(None) };
    let Object::Dict(d) = cx.new.view.get(w)?.object else { return Ok(None) };
    let rect: Vec<f64> =
        d.get(b"Rect").and_then(Object::as_array).map(|a| a.iter().filter_map(Object::as_f64).collect()).unwrap_or_default();
    let area = match rect.as_slice() {
        [x1, y1, x2, y2] => ((x2 - x1) * (y2 - y1)).abs(),
        _ => 0.0,
    };
    let hidden = d.int(b"F").is_some_and(|f| f & (2 | 32) != 0);
    Ok((area > 0.0 && !hidden).then_some(page))
}

// ---------------------------------------------------------------------------
// /Fields and /DR as objects of their own.
// ---------------------------------------------------------------------------

/// An indirect `/Fields` array: append-only, new entries new signature fields.
pub(crate) struct FieldsArrayRule;

impl Rule for FieldsArrayRule {
    fn name(&self) -> &'static str {
        "form-fields-array"
    }

    fn apply(&self, cx: &Cx<'_>, upd: &Update, role: &Role) -> Result<Option<Vec<Finding>>, PdfError> {
        if *role != Role::FieldsArray {
            return Ok(None);
        }
        match (upd.old.as_array(), upd.new.as_array()) {
            (Some(old), Some(new)) => Ok(Some(fields_append(cx, old, new)?)),
            _ => Ok(Some(vec![Finding::disallowed("form /Fields", format!("form /Fields {} is no longer an array", upd.r))])),
        }
    }
}

/// The form's default resources, or one of their category dictionaries, as an
/// object of its own: may only gain entries.
pub(crate) struct FormResourcesRule;

impl Rule for FormResourcesRule {
    fn name(&self) -> &'static str {
        "form-resources"
    }

    fn apply(&self, cx: &Cx<'_>, upd: &Update, role: &Role) -> Result<Option<Vec<Finding>>, PdfError> {
        if *role != Role::FormResources {
            return Ok(None);
        }
        let f = match (upd.old.as_dict(), upd.new.as_dict(), upd.new_stream) {
            (Some(old), Some(new), None) => gains_only(cx, old, new, format!("form resources {}", upd.r))?,
            _ => Finding::disallowed("form resources (/DR)", format!("form resources {} replaced by something else", upd.r)),
        };
        Ok(Some(vec![f]))
    }
}

fn dr_entry(cx: &Cx<'_>, old: Option<&Object>, new: Option<&Object>) -> Result<Finding, PdfError> {
    let old = match old {
        Some(o) => cx.old_resolve(o)?,
        None => Object::Dict(Dict::default()),
    };
    let new = match new {
        Some(o) => cx.new_resolve(o)?,
        None => Object::Null,
    };
    match (old.as_dict(), new.as_dict()) {
        (Some(o), Some(n)) => gains_only(cx, o, n, "form /DR".into()),
        _ => Ok(Finding::disallowed("form (/AcroForm)", "form /DR removed or not a dictionary")),
    }
}

/// A resource dictionary (two levels: categories, then names) that keeps every
/// entry it had and only gains new ones.
fn gains_only(cx: &Cx<'_>, old: &Dict, new: &Dict, label: String) -> Result<Finding, PdfError> {
    let mut changed = Vec::new();
    for e in &old.entries {
        let Some(nv) = new.get(&e.key) else {
            changed.push(format!("/{} removed", String::from_utf8_lossy(&e.key)));
            continue;
        };
        if same(&e.value, nv) {
            continue;
        }
        // A category dictionary rewritten: its old names must keep their values.
        let (ov, nv) = (cx.old_resolve(&e.value)?, cx.new_resolve(nv)?);
        match (ov.as_dict(), nv.as_dict()) {
            (Some(od), Some(nd)) => {
                for s in &od.entries {
                    if !nd.get(&s.key).is_some_and(|x| same(&s.value, x)) {
                        changed.push(format!("/{} /{} changed", String::from_utf8_lossy(&e.key), String::from_utf8_lossy(&s.key)));
                    }
                }
            }
            _ => changed.push(format!("/{} changed", String::from_utf8_lossy(&e.key))),
        }
    }
    Ok(if changed.is_empty() {
        Finding::new(ChangeKind::FormSettings, "form resources (/DR)", format!("{label} gained resources"))
    } else {
        Finding::disallowed("form resources (/DR)", format!("{label}: {}", changed.join(", ")))
    })
}

// ---------------------------------------------------------------------------
// Fields, kids, widgets, appearances.
// ---------------------------------------------------------------------------

/// A signature field: an empty one may be signed (its value, appearance and
/// widgets set); a signed one may change only its field flags.
pub(crate) struct SignatureFieldRule;

impl Rule for SignatureFieldRule {
    fn name(&self) -> &'static str {
        "signature-field"
    }

    fn apply(&self, cx: &Cx<'_>, upd: &Update, role: &Role) -> Result<Option<Vec<Finding>>, PdfError> {
        let Some(node) = cx.old.fields.get(&upd.r).filter(|n| *role == Role::Field && n.is_sig()) else { return Ok(None) };
        let what = format!("field '{}'", node.name);
        let (Some(old), Some(new), None) = (upd.old.as_dict(), upd.new.as_dict(), upd.new_stream) else {
            return Ok(Some(vec![Finding::disallowed(what, format!("signature field {} replaced by something else", upd.r))]));
        };
        let keys = changed_keys(old, new);
        if node.signed {
            let f = if outside(&keys, &[b"Ff"]).is_empty() {
                Finding::new(ChangeKind::FormSettings, what, format!("signed field '{}': /Ff changed", node.name))
            } else {
                Finding::disallowed(what, format!("signed field '{}': {} changed", node.name, key_list(&keys)))
            };
            return Ok(Some(vec![f]));
        }
        let now_signed = !matches!(new.get(b"V"), None | Some(Object::Null));
        if !now_signed {
            return Ok(Some(vec![Finding::disallowed(
                what,
                format!("empty signature field '{}' changed without being signed: {}", node.name, key_list(&keys)),
            )]));
        }
        if cx.locks.locks(&node.name) {
            return Ok(Some(vec![Finding::disallowed(
                what,
                format!("field '{}' is locked by the signature's field lock (FieldMDP)", node.name),
            )]));
        }
        let bad = outside(&keys, SIGNING_KEYS);
        if !bad.is_empty() {
            return Ok(Some(vec![Finding::disallowed(
                what,
                format!("signature field '{}' signed, but {} changed too", node.name, key_list(&bad)),
            )]));
        }
        if keys.iter().any(|k| k == b"Kids") {
            if let Some(why) = kids_gain_new(cx, old.get(b"Kids"), new.get(b"Kids"))? {
                return Ok(Some(vec![Finding::disallowed(what, format!("signature field '{}': {why}", node.name))]));
            }
        }
        let f = match sig_value(cx, upd.r)? {
            Err(why) => Finding::disallowed(what, why),
            Ok(is_ts) => {
                let visible = any_visible(cx, upd.r)?;
                if is_ts == Some(true) && !visible {
                    Finding::new(ChangeKind::TimestampField, what, format!("empty field '{}' given a document timestamp", node.name))
                } else {
                    Finding::new(
                        ChangeKind::SignatureFilled,
                        what,
                        format!("empty signature field '{}' signed ({})", node.name, key_list(&keys)),
                    )
                }
            }
        };
        Ok(Some(vec![f]))
    }
}

/// Whether any widget of field `f` (later revision) is visible.
fn any_visible(cx: &Cx<'_>, f: ObjRef) -> Result<bool, PdfError> {
    for &w in cx.new.fields.get(&f).map(|n| n.widgets.as_slice()).unwrap_or_default() {
        if widget_visible_on(cx, w)?.is_some() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// `None` if `/Kids` kept its entries and gained only new objects, else why not.
fn kids_gain_new(cx: &Cx<'_>, old: Option<&Object>, new: Option<&Object>) -> Result<Option<String>, PdfError> {
    if let (Some(Object::Ref(a)), Some(Object::Ref(b))) = (old, new) {
        if a == b {
            return Ok(None);
        }
    }
    let old = match old {
        Some(o) => cx.old_resolve(o)?,
        None => Object::Array(Vec::new()),
    };
    let new = match new {
        Some(o) => cx.new_resolve(o)?,
        None => Object::Array(Vec::new()),
    };
    let (Some(o), Some(n)) = (old.as_array(), new.as_array()) else { return Ok(Some("/Kids is not an array".into())) };
    Ok(kids_tail_check(cx, o, n))
}

fn kids_tail_check(cx: &Cx<'_>, old: &[Object], new: &[Object]) -> Option<String> {
    let Some(tail) = appended(old, new) else { return Some("/Kids: entries removed or reordered".into()) };
    tail.iter().find_map(|k| match k {
        Object::Ref(k) if !cx.existed(*k) => None,
        Object::Ref(k) => Some(format!("the existing object {k} was added to /Kids")),
        _ => Some("/Kids gained a direct object".into()),
    })
}

/// A non-signature field: its value and appearance may change (field filling,
/// whose level depends on certification), unless the signature locked it.
pub(crate) struct FormFieldRule;

impl Rule for FormFieldRule {
    fn name(&self) -> &'static str {
        "form-field-value"
    }

    fn apply(&self, cx: &Cx<'_>, upd: &Update, role: &Role) -> Result<Option<Vec<Finding>>, PdfError> {
        let Some(node) = cx.old.fields.get(&upd.r).filter(|n| *role == Role::Field && !n.is_sig()) else { return Ok(None) };
        let what = format!("field '{}'", node.name);
        let (Some(old), Some(new), None) = (upd.old.as_dict(), upd.new.as_dict(), upd.new_stream) else {
            return Ok(Some(vec![Finding::disallowed(what, format!("form field {} replaced by something else", upd.r))]));
        };
        let keys = changed_keys(old, new);
        let bad = outside(&keys, VALUE_KEYS);
        let f = if !bad.is_empty() {
            Finding::disallowed(what, format!("field '{}': {} changed", node.name, key_list(&bad)))
        } else if cx.locks.locks(&node.name) {
            Finding::disallowed(what, format!("field '{}' is locked by the signature's field lock (FieldMDP)", node.name))
        } else {
            Finding::new(ChangeKind::FieldValue, what, format!("field '{}' filled: {} changed", node.name, key_list(&keys)))
        };
        Ok(Some(vec![f]))
    }
}

/// An indirect `/Kids` array of a field: may gain new widgets only while its
/// signature field is being signed.
pub(crate) struct KidsArrayRule;

impl Rule for KidsArrayRule {
    fn name(&self) -> &'static str {
        "field-kids"
    }

    fn apply(&self, cx: &Cx<'_>, upd: &Update, role: &Role) -> Result<Option<Vec<Finding>>, PdfError> {
        let Role::KidsArray { field } = role else { return Ok(None) };
        let old_node = cx.old.fields.get(field);
        let name = field_name(old_node);
        let what = format!("/Kids of field '{name}'");
        let being_signed = old_node.is_some_and(|n| n.is_sig() && !n.signed) && cx.new.fields.get(field).is_some_and(|n| n.signed);
        let f = match (upd.old.as_array(), upd.new.as_array()) {
            (Some(o), Some(n)) if being_signed => match kids_tail_check(cx, o, n) {
                None if !cx.locks.locks(&name) => {
                    Finding::new(ChangeKind::SignatureFilled, what, format!("signature field '{name}' gained widgets"))
                }
                None => Finding::disallowed(what, format!("field '{name}' is locked by the signature's field lock (FieldMDP)")),
                Some(why) => Finding::disallowed(what, why),
            },
            _ => Finding::disallowed(what, format!("/Kids of field '{name}' changed")),
        };
        Ok(Some(vec![f]))
    }
}

/// A widget that is not itself a field: follows its field (signing an empty
/// signature field, or filling another field).
pub(crate) struct WidgetRule;

impl Rule for WidgetRule {
    fn name(&self) -> &'static str {
        "widget"
    }

    fn apply(&self, cx: &Cx<'_>, upd: &Update, role: &Role) -> Result<Option<Vec<Finding>>, PdfError> {
        let Role::Widget { field } = role else { return Ok(None) };
        let node = cx.old.fields.get(field);
        let name = field_name(node);
        let what = format!("widget of field '{name}'");
        let (Some(old), Some(new), None) = (upd.old.as_dict(), upd.new.as_dict(), upd.new_stream) else {
            return Ok(Some(vec![Finding::disallowed(what, format!("widget {} replaced by something else", upd.r))]));
        };
        let keys = changed_keys(old, new);
        Ok(Some(vec![follow_field(cx, *field, node, &keys, &WIDGET_MAY_CHANGE, &what, &format!("widget {}", upd.r))]))
    }
}

/// The keys that may change on something belonging to a field, while signing it
/// (signature fields) or filling it (other fields).
struct MayChange {
    signing: &'static [&'static [u8]],
    filling: &'static [&'static [u8]],
}

const WIDGET_MAY_CHANGE: MayChange = MayChange { signing: SIGNING_WIDGET_KEYS, filling: VALUE_WIDGET_KEYS };
/// An appearance stream as a whole stands for the field's `/AP`.
const APPEARANCE_MAY_CHANGE: MayChange = MayChange { signing: &[b"AP"], filling: &[b"AP"] };

/// A change to something that belongs to field `field` (its widget, an appearance
/// stream): allowed as part of signing it or filling it.
fn follow_field(
    cx: &Cx<'_>,
    field: ObjRef,
    node: Option<&FieldNode>,
    keys: &[Vec<u8>],
    may: &MayChange,
    what: &str,
    label: &str,
) -> Finding {
    let (signing_keys, value_keys) = (may.signing, may.filling);
    let Some(node) = node else { return Finding::disallowed(what, format!("{label} changed")) };
    if cx.locks.locks(&node.name) {
        return Finding::disallowed(
            what,
            format!("{label} changed, but field '{}' is locked by the signature's field lock (FieldMDP)", node.name),
        );
    }
    if node.is_sig() {
        let being_signed = !node.signed && cx.new.fields.get(&field).is_some_and(|n| n.signed);
        let bad = outside(keys, signing_keys);
        if being_signed && bad.is_empty() {
            Finding::new(
                ChangeKind::SignatureFilled,
                what,
                format!("{label} updated while signing field '{}' ({})", node.name, key_list(keys)),
            )
        } else if being_signed {
            Finding::disallowed(what, format!("{label}: {} changed", key_list(&bad)))
        } else {
            Finding::disallowed(what, format!("{label} of signature field '{}' changed ({})", node.name, key_list(keys)))
        }
    } else {
        let bad = outside(keys, value_keys);
        if bad.is_empty() {
            Finding::new(ChangeKind::FieldValue, what, format!("{label} of field '{}' updated ({})", node.name, key_list(keys)))
        } else {
            Finding::disallowed(what, format!("{label}: {} changed", key_list(&bad)))
        }
    }
}

/// An appearance stream (or `/AP` dictionary) rewritten in place: allowed only as
/// part of signing or filling its field, or editing its annotation.
pub(crate) struct AppearanceRule;

impl Rule for AppearanceRule {
    fn name(&self) -> &'static str {
        "appearance-in-place"
    }

    fn apply(&self, cx: &Cx<'_>, upd: &Update, role: &Role) -> Result<Option<Vec<Finding>>, PdfError> {
        let Role::Appearance { annot } = role else { return Ok(None) };
        let label = format!("appearance {}", upd.r);
        let owner_roles = cx.old.roles.get(annot).cloned().unwrap_or_default();
        let field = owner_roles.iter().find_map(|r| match r {
            Role::Field => Some(*annot),
            Role::Widget { field } => Some(*field),
            _ => None,
        });
        if let Some(field) = field {
            let node = cx.old.fields.get(&field);
            let what = format!("appearance of field '{}'", field_name(node));
            let keys = vec![b"AP".to_vec()];
            return Ok(Some(vec![follow_field(cx, field, node, &keys, &APPEARANCE_MAY_CHANGE, &what, &label)]));
        }
        if let Some(page) = owner_roles.iter().find_map(|r| match r {
            Role::Annotation { page } => Some(*page),
            _ => None,
        }) {
            let subtype = match cx.old.view.get(*annot)?.object {
                Object::Dict(d) => d.name(b"Subtype").map(<[u8]>::to_vec).unwrap_or_default(),
                _ => Vec::new(),
            };
            // A rewritten appearance paints whatever it likes, whatever the type.
            let kind = super::rules_page::annotation_kind_painted(&subtype, true);
            return Ok(Some(vec![Finding::new(
                kind,
                format!("annotation on page {}", page + 1),
                format!("{label} of /{} annotation {annot} rewritten", String::from_utf8_lossy(&subtype)),
            )]));
        }
        Ok(Some(vec![Finding::disallowed(format!("appearance of {annot}"), format!("{label} rewritten"))]))
    }
}
