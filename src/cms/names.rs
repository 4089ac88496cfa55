//! Readable X.500 names (RFC 4514 order reversed for reading: CN first), with
//! Vietnamese text decoded from UTF8String, BMPString, PrintableString or
//! TeletexString values, and name matching in the manner of RFC 5280 §7.1.

use const_oid::ObjectIdentifier;
use der::asn1::{BmpString, Ia5String, PrintableString, TeletexString, Utf8StringRef};
use der::{Decode, Encode, Tag, Tagged};
use x509_cert::attr::AttributeValue;
use x509_cert::name::Name;

/// Decode one attribute value to text.
pub fn value_text(v: &AttributeValue) -> Option<String> {
    let der = v.to_der().ok()?;
    match v.tag() {
        Tag::Utf8String => Utf8StringRef::from_der(&der).ok().map(|s| s.as_str().to_owned()),
        Tag::PrintableString => PrintableString::from_der(&der).ok().map(|s| s.as_str().to_owned()),
        Tag::Ia5String => Ia5String::from_der(&der).ok().map(|s| s.as_str().to_owned()),
        Tag::TeletexString => TeletexString::from_der(&der).ok().map(|s| s.as_str().to_owned()),
        Tag::BmpString => BmpString::from_der(&der).ok().map(|s| s.to_string()),
        _ => Some(hex::encode(v.value())),
    }
}

/// The first value of attribute `oid` in `name`, as text.
pub fn attribute(name: &Name, oid: ObjectIdentifier) -> Option<String> {
    name.0.iter().flat_map(|rdn| rdn.0.iter()).find(|atv| atv.oid == oid).and_then(|atv| value_text(&atv.value))
}

/// A short label for common attribute types.
fn short(oid: ObjectIdentifier) -> String {
    use const_oid::db::rfc4519 as a;
    let known = [
        (a::CN, "CN"),
        (a::O, "O"),
        (a::OU, "OU"),
        (a::L, "L"),
        (a::ST, "ST"),
        (a::C, "C"),
        (a::UID, "UID"),
        (a::SERIAL_NUMBER, "SERIALNUMBER"),
        (a::STREET, "STREET"),
        (a::TITLE, "T"),
        (const_oid::db::rfc3280::EMAIL_ADDRESS, "E"),
    ];
    known.iter().find(|(o, _)| *o == oid).map(|(_, s)| (*s).to_owned()).unwrap_or_else(|| oid.to_string())
}

/// `CN=…, O=…, C=VN` with the most specific attribute first.
pub fn display(name: &Name) -> String {
    let mut parts = Vec::new();
    for rdn in name.0.iter().rev() {
        for atv in rdn.0.iter() {
            let v = value_text(&atv.value).unwrap_or_default();
            parts.push(format!("{}={}", short(atv.oid), v));
        }
    }
    parts.join(", ")
}

/// Whether two distinguished names are the same name for chaining (RFC 5280
/// §7.1, RFC 4518 simplified): byte-identical, or the same RDNs in the same order
/// whose attribute values read the same whatever their string type (a CA may
/// write "Ban Co yeu Chinh phu" as a PrintableString in one certificate and a
/// UTF8String in another), ignoring case and runs of white space. Values that are
/// not text are compared byte for byte. Only selects candidates: the issuer's
/// signature is always checked.
pub fn same(a: &Name, b: &Name) -> bool {
    a == b
        || (a.0.len() == b.0.len()
            && a.0.iter().zip(b.0.iter()).all(|(x, y)| {
                let mut xs: Vec<_> = x.0.iter().map(|atv| (atv.oid, normalized(&atv.value))).collect();
                let mut ys: Vec<_> = y.0.iter().map(|atv| (atv.oid, normalized(&atv.value))).collect();
                xs.sort();
                ys.sort();
                xs == ys
            }))
}

/// A text value trimmed, inner white space collapsed and lower-cased; other
/// values as their tag and bytes.
fn normalized(v: &AttributeValue) -> String {
    match v.tag() {
        Tag::Utf8String | Tag::PrintableString | Tag::Ia5String | Tag::TeletexString | Tag::BmpString => match value_text(v) {
            Some(t) => t.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase(),
            None => format!("?{}", hex::encode(v.value())),
        },
        t => format!("{t}:{}", hex::encode(v.value())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::asn1::{Any, SetOfVec};
    use x509_cert::attr::AttributeTypeAndValue;
    use x509_cert::name::RelativeDistinguishedName;

    fn name(parts: &[(ObjectIdentifier, Tag, &str)]) -> Name {
        let rdns = parts
            .iter()
            .map(|(oid, tag, v)| {
                let atv = AttributeTypeAndValue { oid: *oid, value: Any::new(*tag, v.as_bytes()).expect("value") };
                RelativeDistinguishedName(SetOfVec::try_from(vec![atv]).expect("rdn"))
            })
            .collect();
        x509_cert::name::RdnSequence(rdns)
    }

    #[test]
    fn names_match_whatever_their_string_type_case_and_spacing() {
        use const_oid::db::rfc4519 as a;
        let ca = name(&[
            (a::C, Tag::PrintableString, "VN"),
            (a::O, Tag::Utf8String, "Ban Co yeu Chinh phu"),
            (a::CN, Tag::Utf8String, "Co quan chung thuc so Chinh phu"),
        ]);
        let printable = name(&[
            (a::C, Tag::PrintableString, "VN"),
            (a::O, Tag::PrintableString, "Ban Co yeu Chinh phu"),
            (a::CN, Tag::PrintableString, "CO QUAN CHUNG THUC SO  CHINH PHU "),
        ]);
        assert_ne!(ca, printable);
        assert!(same(&ca, &printable));
        let other = name(&[
            (a::C, Tag::PrintableString, "VN"),
            (a::O, Tag::Utf8String, "Ban Co yeu Chinh phu"),
            (a::CN, Tag::Utf8String, "Co quan chung thuc so Chinh phu 2"),
        ]);
        assert!(!same(&ca, &other));
        let reordered = name(&[
            (a::O, Tag::Utf8String, "Ban Co yeu Chinh phu"),
            (a::C, Tag::PrintableString, "VN"),
            (a::CN, Tag::Utf8String, "Co quan chung thuc so Chinh phu"),
        ]);
        assert!(!same(&ca, &reordered), "RDN order matters");
        let vi = name(&[(a::CN, Tag::Utf8String, "CHÍNH PHỦ")]);
        assert!(same(&vi, &name(&[(a::CN, Tag::Utf8String, "Chính phủ")])));
        assert!(!same(&vi, &name(&[(a::CN, Tag::Utf8String, "CHINH PHU")])), "diacritics are not folded");
    }
}
