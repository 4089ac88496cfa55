//! Rules for the document-level objects: the catalog, the document information
//! dictionary and the XMP metadata stream.

use crate::pdf::object::Object;
use crate::pdf::{ObjectSource, PdfError};

use super::compare::{changed_keys, key_list};
use super::index::Role;
use super::{rules_form, ChangeKind, Cx, Finding, Rule, Update};

/// The catalog may change only in `/AcroForm` (judged as a form change), `/DSS`,
/// `/Metadata` (to an XMP stream), `/Extensions` and `/Version`.
pub(crate) struct CatalogRule;

impl Rule for CatalogRule {
    fn name(&self) -> &'static str {
        "catalog"
    }

    fn apply(&self, cx: &Cx<'_>, upd: &Update, role: &Role) -> Result<Option<Vec<Finding>>, PdfError> {
        if *role != Role::Catalog {
            return Ok(None);
        }
        let (Some(old), Some(new), None) = (upd.old.as_dict(), upd.new.as_dict(), upd.new_stream) else {
            return Ok(Some(vec![Finding::disallowed("catalog", format!("catalog {} is no longer a dictionary", upd.r))]));
        };
        let mut out = Vec::new();
        let mut other = Vec::new();
        for key in changed_keys(old, new) {
            match key.as_slice() {
                b"AcroForm" => out.extend(rules_form::acroform_entry(cx, old.get(b"AcroForm"), new.get(b"AcroForm"))?),
                b"DSS" => out.push(Finding::new(ChangeKind::Dss, "catalog", "catalog /DSS added or replaced")),
                b"Metadata" => out.push(metadata_entry(cx, new.get(b"Metadata"))?),
                b"Extensions" | b"Version" => out.push(Finding::new(
                    ChangeKind::CatalogExtensions,
                    "catalog",
                    format!("catalog /{} changed", String::from_utf8_lossy(&key)),
                )),
                b"Perms" => out.push(Finding::disallowed(
                    "catalog",
                    "catalog /Perms changed: a certification (DocMDP) or usage rights added after signing",
                )),
                _ => other.push(key),
            }
        }
        if !other.is_empty() {
            out.push(Finding::disallowed("catalog", format!("catalog {}: {} changed", upd.r, key_list(&other))));
        }
        Ok(Some(out))
    }
}

/// The catalog's new `/Metadata` must be an XMP metadata stream.
fn metadata_entry(cx: &Cx<'_>, new: Option<&Object>) -> Result<Finding, PdfError> {
    let ok = match new {
        None => true,
        Some(Object::Ref(r)) => {
            let raw = cx.new.view.get(*r)?;
            raw.stream.is_some() && raw.object.as_dict().is_some_and(is_xmp)
        }
        Some(_) => false,
    };
    Ok(if ok {
        Finding::new(ChangeKind::XmpMetadata, "catalog", "catalog /Metadata points to a new XMP stream")
    } else {
        Finding::disallowed("catalog", "catalog /Metadata points to something other than an XMP metadata stream")
    })
}

fn is_xmp(d: &crate::pdf::object::Dict) -> bool {
    d.has_type(b"Metadata") && d.name(b"Subtype") == Some(b"XML")
}

/// The catalog's `/Extensions` (or a developer extension dictionary, or an array
/// of them) as an object of its own: it declares which extensions the file uses
/// and draws nothing, so it may change like the direct entry (LTA-update level).
pub(crate) struct ExtensionsRule;

impl Rule for ExtensionsRule {
    fn name(&self) -> &'static str {
        "catalog-extensions"
    }

    fn apply(&self, _cx: &Cx<'_>, upd: &Update, role: &Role) -> Result<Option<Vec<Finding>>, PdfError> {
        if *role != Role::Extensions {
            return Ok(None);
        }
        let f = match (&upd.new, upd.new_stream) {
            (Object::Dict(_) | Object::Array(_), None) => {
                Finding::new(ChangeKind::CatalogExtensions, "catalog /Extensions", format!("extensions dictionary {} changed", upd.r))
            }
            _ => Finding::disallowed("catalog /Extensions", format!("extensions dictionary {} replaced by something else", upd.r)),
        };
        Ok(Some(vec![f]))
    }
}

/// The document information dictionary may change freely (LTA-update level).
pub(crate) struct DocInfoRule;

impl Rule for DocInfoRule {
    fn name(&self) -> &'static str {
        "document-info"
    }

    fn apply(&self, _cx: &Cx<'_>, upd: &Update, role: &Role) -> Result<Option<Vec<Finding>>, PdfError> {
        if *role != Role::Info {
            return Ok(None);
        }
        let f = match (upd.old.as_dict(), upd.new.as_dict(), upd.new_stream) {
            (Some(old), Some(new), None) => Finding::new(
                ChangeKind::DocInfo,
                "document information",
                format!("document information {}: {} changed", upd.r, key_list(&changed_keys(old, new))),
            ),
            (_, Some(_), None) => {
                Finding::new(ChangeKind::DocInfo, "document information", format!("document information {} replaced", upd.r))
            }
            _ => Finding::disallowed("document information", format!("document information {} is no longer a dictionary", upd.r)),
        };
        Ok(Some(vec![f]))
    }
}

/// The document-level XMP stream may be rewritten as another XMP stream.
pub(crate) struct XmpMetadataRule;

impl Rule for XmpMetadataRule {
    fn name(&self) -> &'static str {
        "xmp-metadata"
    }

    fn apply(&self, _cx: &Cx<'_>, upd: &Update, role: &Role) -> Result<Option<Vec<Finding>>, PdfError> {
        if *role != Role::Xmp {
            return Ok(None);
        }
        let f = if upd.new_stream.is_some() && upd.new.as_dict().is_some_and(is_xmp) {
            Finding::new(ChangeKind::XmpMetadata, "XMP metadata", format!("XMP metadata stream {} rewritten", upd.r))
        } else {
            Finding::disallowed("XMP metadata", format!("XMP metadata {} replaced by something other than an XMP stream", upd.r))
        };
        Ok(Some(vec![f]))
    }
}
