//! Readable X.500 names (RFC 4514 order reversed for reading: CN first), with
//! Vietnamese text decoded from UTF8String, BMPString, PrintableString or
//! TeletexString values.

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
