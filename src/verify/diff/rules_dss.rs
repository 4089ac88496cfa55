//! The rule for the document security store (ISO 32000-2 §12.8.4.3, ETSI EN
//! 319 142-1 §5.4): the `/DSS` dictionary, its `/VRI` entries, their arrays and
//! the certificate, CRL, OCSP and timestamp streams they hold.

use crate::pdf::object::Object;
use crate::pdf::PdfError;

use super::compare::{changed_keys, key_list};
use super::index::Role;
use super::{ChangeKind, Cx, Finding, Rule, Update};

/// Keys a DSS, VRI or VRI-entry dictionary may hold.
const DSS_KEYS: &[&[u8]] = &[b"Type", b"Certs", b"OCSPs", b"CRLs", b"VRI", b"Cert", b"OCSP", b"CRL", b"TU", b"TS"];

/// DSS objects may be rewritten as DSS objects (LTA-update level).
pub(crate) struct DssRule;

impl Rule for DssRule {
    fn name(&self) -> &'static str {
        "dss"
    }

    fn apply(&self, _cx: &Cx<'_>, upd: &Update, role: &Role) -> Result<Option<Vec<Finding>>, PdfError> {
        if *role != Role::Dss {
            return Ok(None);
        }
        let what = "DSS";
        let f = match (&upd.new, upd.new_stream) {
            // Certificates, CRLs, OCSP responses, timestamp tokens.
            (Object::Dict(_), Some(_)) => Finding::new(ChangeKind::Dss, what, format!("DSS stream {} rewritten", upd.r)),
            (Object::Dict(d), None) => {
                let odd: Vec<Vec<u8>> =
                    d.entries.iter().map(|e| e.key.clone()).filter(|k| !DSS_KEYS.contains(&k.as_slice()) && !is_vri_key(k)).collect();
                if odd.is_empty() {
                    let keys = upd.old.as_dict().map(|o| changed_keys(o, d)).unwrap_or_default();
                    Finding::new(ChangeKind::Dss, what, format!("DSS dictionary {} updated ({})", upd.r, key_list(&keys)))
                } else {
                    Finding::disallowed(what, format!("DSS dictionary {} holds unexpected keys {}", upd.r, key_list(&odd)))
                }
            }
            (Object::Array(a), None) if a.iter().all(|o| matches!(o, Object::Ref(_))) => {
                Finding::new(ChangeKind::Dss, what, format!("DSS array {} updated", upd.r))
            }
            _ => Finding::disallowed(what, format!("DSS object {} replaced by something else", upd.r)),
        };
        Ok(Some(vec![f]))
    }
}

/// A VRI key: the uppercase hex SHA-1 of a signature value (40 digits).
fn is_vri_key(k: &[u8]) -> bool {
    k.len() == 40 && k.iter().all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(b))
}
