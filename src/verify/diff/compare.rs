//! Value comparison that ignores where things are in the file: [`Dict`]'s derived
//! `PartialEq` includes byte spans, so two copies of one dictionary at different
//! offsets would differ. Here they do not; numbers compare by value, streams by
//! their dictionary and their raw data.

use crate::pdf::object::{Dict, Object};
use crate::pdf::reader::{PdfFile, RawObject, StreamLoc};
use crate::pdf::PdfError;

use super::{Update, MAX_DEPTH};

/// Largest stream whose data is compared; a larger changed stream counts as changed.
const MAX_STREAM_COMPARE: u64 = 64 * 1024 * 1024;

/// Whether `a` and `b` are the same value (spans ignored, numbers by value).
pub(crate) fn same(a: &Object, b: &Object) -> bool {
    same_at(a, b, 0)
}

fn same_at(a: &Object, b: &Object, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    match (a, b) {
        (Object::Null, Object::Null) => true,
        (Object::Bool(x), Object::Bool(y)) => x == y,
        (Object::Int(x), Object::Int(y)) => x == y,
        (Object::Int(_) | Object::Real(_), Object::Int(_) | Object::Real(_)) => match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        },
        (Object::Name(x), Object::Name(y)) => x == y,
        (Object::String(x), Object::String(y)) => x == y,
        (Object::Ref(x), Object::Ref(y)) => x == y,
        (Object::Array(x), Object::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_at(p, q, depth + 1)),
        (Object::Dict(x), Object::Dict(y)) => same_dict_at(x, y, &[], depth),
        _ => false,
    }
}

/// Whether two dictionaries have the same keys and values, ignoring `skip` keys.
/// A duplicated key counts with its first value, as lookups do.
fn same_dict_at(x: &Dict, y: &Dict, skip: &[&[u8]], depth: usize) -> bool {
    fn keys<'d>(d: &'d Dict, skip: &[&[u8]]) -> Vec<&'d [u8]> {
        let mut k: Vec<&[u8]> = d.entries.iter().map(|e| e.key.as_slice()).filter(|k| !skip.contains(k)).collect();
        k.sort_unstable();
        k.dedup();
        k
    }
    let (kx, ky) = (keys(x, skip), keys(y, skip));
    kx == ky && kx.iter().all(|k| matches!((x.get(k), y.get(k)), (Some(p), Some(q)) if same_at(p, q, depth + 1)))
}

/// Keys whose values differ between `old` and `new` (added, removed or changed).
pub(crate) fn changed_keys(old: &Dict, new: &Dict) -> Vec<Vec<u8>> {
    let mut keys: Vec<&[u8]> = old.entries.iter().chain(&new.entries).map(|e| e.key.as_slice()).collect();
    keys.sort_unstable();
    keys.dedup();
    keys.into_iter()
        .filter(|k| match (old.get(k), new.get(k)) {
            (Some(a), Some(b)) => !same(a, b),
            (None, None) => false,
            _ => true,
        })
        .map(<[u8]>::to_vec)
        .collect()
}

/// `/Key1, /Key2` for a description.
pub(crate) fn key_list(keys: &[Vec<u8>]) -> String {
    keys.iter().map(|k| format!("/{}", String::from_utf8_lossy(k))).collect::<Vec<_>>().join(", ")
}

/// If `new` keeps every entry of `old` in order and only appends, the appended tail.
pub(crate) fn appended<'a>(old: &[Object], new: &'a [Object]) -> Option<&'a [Object]> {
    if new.len() < old.len() || !old.iter().zip(new).all(|(a, b)| same(a, b)) {
        return None;
    }
    new.get(old.len()..)
}

/// Whether two objects as read are the same: value, and stream data for streams.
pub(crate) fn same_raw(pdf: &PdfFile, old: &RawObject, new: &RawObject) -> Result<bool, PdfError> {
    same_value_and_data(pdf, &old.object, old.stream, &new.object, new.stream)
}

fn same_value_and_data(pdf: &PdfFile, a: &Object, sa: Option<StreamLoc>, b: &Object, sb: Option<StreamLoc>) -> Result<bool, PdfError> {
    match (sa, sb) {
        (None, None) => Ok(same(a, b)),
        (Some(la), Some(lb)) => {
            let (Some(da), Some(db)) = (a.as_dict(), b.as_dict()) else { return Ok(false) };
            // /Length may be written directly or indirectly; the data decides.
            if !same_dict_at(da, db, &[b"Length"], 0) || la.length != lb.length {
                return Ok(false);
            }
            if la.offset == lb.offset {
                return Ok(true);
            }
            if la.length > MAX_STREAM_COMPARE {
                return Ok(false);
            }
            Ok(pdf.read_stream_data(la, MAX_STREAM_COMPARE)? == pdf.read_stream_data(lb, MAX_STREAM_COMPARE)?)
        }
        _ => Ok(false),
    }
}

/// A short type label: `/Type /Font /Subtype /Type1`, `stream`, `array`, …
pub(crate) fn type_label(obj: &Object, stream: bool) -> String {
    match obj {
        Object::Dict(d) => {
            let mut parts = Vec::new();
            for key in [&b"Type"[..], b"Subtype", b"FT"] {
                if let Some(n) = d.name(key) {
                    parts.push(format!("/{} /{}", String::from_utf8_lossy(key), String::from_utf8_lossy(n)));
                }
            }
            let kind = if stream { "stream" } else { "dictionary" };
            if parts.is_empty() {
                kind.into()
            } else {
                format!("{kind} {}", parts.join(" "))
            }
        }
        Object::Array(_) => "array".into(),
        Object::Null => "null".into(),
        Object::Bool(_) => "boolean".into(),
        Object::Int(_) | Object::Real(_) => "number".into(),
        Object::Name(_) => "name".into(),
        Object::String(_) => "string".into(),
        Object::Ref(_) => "reference".into(),
    }
}

/// What differs between the two values of an update, naming the keys.
pub(crate) fn describe_change(pdf: &PdfFile, upd: &Update, label: &str) -> Result<String, PdfError> {
    let r = upd.r;
    if matches!(upd.old, Object::Null) {
        return Ok(format!(
            "object {r}, referred to but undefined before, is now defined ({})",
            type_label(&upd.new, upd.new_stream.is_some())
        ));
    }
    let mut parts = Vec::new();
    if let (Some(a), Some(b)) = (upd.old.as_dict(), upd.new.as_dict()) {
        let keys: Vec<Vec<u8>> = changed_keys(a, b).into_iter().filter(|k| !(k == b"Length" && upd.new_stream.is_some())).collect();
        if !keys.is_empty() {
            parts.push(format!("{} changed", key_list(&keys)));
        }
    } else if !same(&upd.old, &upd.new) {
        parts.push(format!("value changed to {}", type_label(&upd.new, upd.new_stream.is_some())));
    }
    match (upd.old_stream, upd.new_stream) {
        (Some(a), Some(b)) => {
            let same_data = a.length == b.length
                && a.length <= MAX_STREAM_COMPARE
                && pdf.read_stream_data(a, MAX_STREAM_COMPARE)? == pdf.read_stream_data(b, MAX_STREAM_COMPARE)?;
            if !same_data {
                parts.push("stream data changed".into());
            }
        }
        (None, Some(_)) => parts.push("now a stream".into()),
        (Some(_), None) => parts.push("no longer a stream".into()),
        (None, None) => {}
    }
    if parts.is_empty() {
        parts.push("rewritten".into());
    }
    Ok(format!("{label} {r}: {}", parts.join("; ")))
}
