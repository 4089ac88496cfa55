//! Reading a CMS `SignedData` (RFC 5652 §5.1) written by another producer.
//!
//! ```text
//! ContentInfo ::= SEQUENCE { contentType ContentType, content [0] EXPLICIT ANY }
//! SignedData ::= SEQUENCE {
//!   version CMSVersion,
//!   digestAlgorithms DigestAlgorithmIdentifiers,        -- SET OF
//!   encapContentInfo EncapsulatedContentInfo,
//!   certificates [0] IMPLICIT CertificateSet OPTIONAL,  -- SET OF
//!   crls [1] IMPLICIT RevocationInfoChoices OPTIONAL,   -- SET OF
//!   signerInfos SignerInfos }                           -- SET OF
//! SignerInfo ::= SEQUENCE {
//!   version, sid, digestAlgorithm,
//!   signedAttrs [0] IMPLICIT SignedAttributes OPTIONAL, -- SET OF Attribute
//!   signatureAlgorithm, signature,
//!   unsignedAttrs [1] IMPLICIT UnsignedAttributes OPTIONAL }
//! Attribute ::= SEQUENCE { attrType OBJECT IDENTIFIER, attrValues SET OF AttributeValue }
//! ```
//!
//! Real signers do not all write DER. What is accepted, because its meaning is
//! unambiguous, and recorded in [`ReadSignedData::leniency`]:
//!
//! * BER: indefinite lengths and constructed strings (Adobe, NSS), rewritten as DER;
//! * a SET OF whose members are not in DER order (sorted when decoded);
//! * a SET OF holding the same member twice, byte for byte (NSS puts the signer's
//!   certificate in `certificates` twice): the copies are dropped. Two *different*
//!   members that compare equal cannot occur once identical ones are gone.
//!
//! The signature over the signed attributes is checked against the bytes the
//! producer wrote ([`ReadSignedData::signed_attrs_as_written`]), not a
//! re-encoding, so reordering or deduplicating never changes what is verified.

use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use der::{Decode, Encode};

use super::ber::{self, der_children, der_element, push_header, DerElement};

/// `id-signedData` (RFC 5652 §5.1).
pub const ID_SIGNED_DATA: der::oid::ObjectIdentifier = der::oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");

/// Why a `SignedData` could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// Not a BER/DER encoding at all.
    #[error("the CMS cannot be decoded: {0}")]
    Encoding(String),
    /// A `ContentInfo` of another type.
    #[error("the CMS is not SignedData")]
    NotSignedData,
    /// Decodable bytes that are not a `SignedData`.
    #[error("SignedData cannot be decoded: {0}")]
    Structure(String),
}

/// A decoded `SignedData` and how leniently it had to be read.
#[derive(Clone, Debug)]
pub struct ReadSignedData {
    /// The decoded structure (DER-normalised).
    pub signed_data: SignedData,
    /// The first SignerInfo's `signedAttrs` exactly as written, retagged as a
    /// `SET OF` (the bytes RFC 5652 §5.4 signs), when written with definite lengths.
    pub signed_attrs_as_written: Option<Vec<u8>>,
    /// What was not DER (empty for a strict DER encoding).
    pub leniency: Vec<&'static str>,
    /// How many bytes of the input the encoding took (what follows is padding or junk).
    pub encoded_len: usize,
}

/// Read a `ContentInfo` holding a `SignedData` from `input` (trailing bytes are
/// not read; see [`ReadSignedData::encoded_len`]).
pub fn read_signed_data(input: &[u8]) -> Result<ReadSignedData, ReadError> {
    // The common case first: strict DER, decoded in place.
    if let Some(e) = der_element(input) {
        if let Ok(signed_data) = decode(e.whole) {
            let signed_attrs_as_written = signed_attrs_as_written(e.whole);
            return Ok(ReadSignedData { signed_data, signed_attrs_as_written, leniency: Vec::new(), encoded_len: e.whole.len() });
        }
    }
    let mut leniency = Vec::new();
    let (der, encoded_len) = ber::to_der_with_len(input).map_err(|e| ReadError::Encoding(e.to_string()))?;
    if der.as_slice() != input.get(..encoded_len).unwrap_or_default() {
        leniency.push("BER encoding (indefinite lengths or constructed strings)");
    }
    let signed_attrs_as_written = signed_attrs_as_written(input.get(..encoded_len).unwrap_or_default());
    let signed_data = match decode(&der) {
        Ok(sd) => sd,
        Err(first) => match dedupe_signed_data(&der) {
            Some(deduped) if deduped != der => {
                leniency.push("a SET OF holds identical members");
                decode(&deduped)?
            }
            _ => return Err(first),
        },
    };
    Ok(ReadSignedData { signed_data, signed_attrs_as_written, leniency, encoded_len })
}

fn decode(der: &[u8]) -> Result<SignedData, ReadError> {
    let ci = ContentInfo::from_der(der).map_err(|e| ReadError::Encoding(e.to_string()))?;
    if ci.content_type != ID_SIGNED_DATA {
        return Err(ReadError::NotSignedData);
    }
    ci.content.decode_as().map_err(|e| ReadError::Structure(e.to_string()))
}

/// The signed attributes of the first SignerInfo as written, with the
/// `[0] IMPLICIT` tag replaced by `SET` (0x31).
fn signed_attrs_as_written(ci: &[u8]) -> Option<Vec<u8>> {
    let ci = der_element(ci)?;
    let content = der_children(ci.body)?.into_iter().nth(1)?;
    let sd = der_children(content.body)?.into_iter().next()?;
    let signer_infos = der_children(sd.body)?.into_iter().rfind(|e| e.tag == 0x31)?;
    let si = der_children(signer_infos.body)?.into_iter().next()?;
    let attrs = der_children(si.body)?.into_iter().find(|e| e.tag == 0xa0)?;
    let mut out = attrs.whole.to_vec();
    *out.first_mut()? = 0x31;
    Some(out)
}

/// A DER `ContentInfo { SignedData }` with identical duplicate members removed
/// from the SETs RFC 5652 defines (digest algorithms, certificates, CRLs, signer
/// infos, signed and unsigned attributes and each attribute's values).
fn dedupe_signed_data(der: &[u8]) -> Option<Vec<u8>> {
    let ci = der_element(der)?;
    let mut ci_kids: Vec<Vec<u8>> = der_children(ci.body)?.iter().map(|e| e.whole.to_vec()).collect();
    let content = der_element(ci_kids.get(1)?)?;
    let sd = der_element(content.body)?;
    let mut sd_kids = Vec::new();
    for e in der_children(sd.body)? {
        sd_kids.push(match e.tag {
            // digestAlgorithms, certificates [0], crls [1]
            0x31 if sd_kids.len() == 1 => rebuild(e, dedupe(der_children(e.body)?)),
            0xa0 | 0xa1 => rebuild(e, dedupe(der_children(e.body)?)),
            // signerInfos
            0x31 => {
                let mut infos = Vec::new();
                for si in dedupe(der_children(e.body)?) {
                    infos.push(dedupe_signer_info(der_element(&si)?)?);
                }
                rebuild(e, infos)
            }
            _ => e.whole.to_vec(),
        });
    }
    let sd = rebuild(sd, sd_kids);
    let content = rebuild(content, vec![sd]);
    *ci_kids.get_mut(1)? = content;
    Some(rebuild(ci, ci_kids))
}

fn dedupe_signer_info(si: DerElement<'_>) -> Option<Vec<u8>> {
    let mut kids = Vec::new();
    for e in der_children(si.body)? {
        kids.push(if matches!(e.tag, 0xa0 | 0xa1) {
            let mut attrs = Vec::new();
            for a in dedupe(der_children(e.body)?) {
                let a = der_element(&a)?;
                let parts: Vec<Vec<u8>> = der_children(a.body)?
                    .into_iter()
                    .map(|p| if p.tag == 0x31 { der_children(p.body).map(|v| rebuild(p, dedupe(v))) } else { Some(p.whole.to_vec()) })
                    .collect::<Option<_>>()?;
                attrs.push(rebuild(a, parts));
            }
            rebuild(e, dedupe_owned(attrs))
        } else {
            e.whole.to_vec()
        });
    }
    Some(rebuild(si, kids))
}

fn dedupe(members: Vec<DerElement<'_>>) -> Vec<Vec<u8>> {
    dedupe_owned(members.into_iter().map(|e| e.whole.to_vec()).collect())
}

fn dedupe_owned(members: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = Vec::with_capacity(members.len());
    for m in members {
        if !out.contains(&m) {
            out.push(m);
        }
    }
    out
}

/// `e`'s tag with `kids` as its new contents.
fn rebuild(e: DerElement<'_>, kids: Vec<Vec<u8>>) -> Vec<u8> {
    let len = kids.iter().map(Vec::len).sum();
    let mut out = Vec::with_capacity(len + 6);
    push_header(&mut out, e.tag, len);
    for k in kids {
        out.extend_from_slice(&k);
    }
    out
}

/// The DER encoding of `sd`'s first SignerInfo's signed attributes as a `SET OF`
/// (sorted, as RFC 5652 §5.4 prescribes): the fallback when the bytes as written
/// are not available or do not verify.
pub fn signed_attrs_der(attrs: &cms::signed_data::SignedAttributes) -> Option<Vec<u8>> {
    attrs.to_der().ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    /// A SignedData made by `cms`'s own types with one certificate; returns DER.
    fn sample() -> Vec<u8> {
        // ContentInfo { signedData, [0] { SignedData { 1, {sha256}, {data}, [0] {cert}, {} } } }
        let cert = [0x30, 0x03, 0x02, 0x01, 0x07];
        let mut sd = vec![0x02, 0x01, 0x01];
        sd.extend([0x31, 0x0d, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01]);
        sd.extend([0x30, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01]);
        sd.push(0xa0);
        sd.push((cert.len() * 2) as u8);
        sd.extend(cert);
        sd.extend(cert);
        sd.extend([0x31, 0x00]);
        let mut sdw = vec![0x30, sd.len() as u8];
        sdw.extend(sd);
        let mut content = vec![0xa0, sdw.len() as u8];
        content.extend(sdw);
        let oid = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];
        let mut ci = vec![0x30, (oid.len() + content.len()) as u8];
        ci.extend(oid);
        ci.extend(content);
        ci
    }

    #[test]
    fn identical_set_members_are_dropped_and_recorded() {
        let der = sample();
        let deduped = dedupe_signed_data(&der).expect("dedupe");
        assert_eq!(deduped.len(), der.len() - 5);
        let certs_in = |d: &[u8]| -> usize {
            let ci = der_element(d).expect("ci");
            let content = der_children(ci.body).expect("kids")[1];
            let sd = der_element(content.body).expect("sd");
            let certs = der_children(sd.body).expect("sd kids").into_iter().find(|e| e.tag == 0xa0).expect("certs");
            der_children(certs.body).expect("members").len()
        };
        assert_eq!((certs_in(&der), certs_in(&deduped)), (2, 1));
        let ci = ContentInfo::from_der(&deduped).expect("decodes once deduplicated");
        assert_eq!(ci.content_type, ID_SIGNED_DATA);
    }

    #[test]
    fn garbage_and_truncation_are_errors() {
        assert!(read_signed_data(&[0x30, 0x80, 0x02]).is_err());
        assert!(read_signed_data(b"not der at all").is_err());
        let der = sample();
        assert!(read_signed_data(&der[..der.len() - 3]).is_err());
    }
}
