//! BER → DER for CMS read from other producers (X.690 §8 vs §10).
//!
//! Many signing tools (Adobe among them) emit `SignedData` with indefinite lengths
//! and constructed OCTET STRINGs, which the strict `der` decoder refuses. This
//! rewrites lengths as definite and flattens constructed strings; it does not
//! reorder SET OF elements. Depth and size are bounded.

/// Deepest nesting accepted.
const MAX_DEPTH: usize = 64;

/// Why BER could not be converted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed BER at offset {0}")]
pub struct BerError(pub usize);

/// Convert one BER TLV (and anything after it is ignored) into DER.
pub fn to_der(input: &[u8]) -> Result<Vec<u8>, BerError> {
    Ok(to_der_with_len(input)?.0)
}

/// [`to_der`], also returning how many bytes of `input` the BER element took
/// (so a caller can tell what follows it).
pub fn to_der_with_len(input: &[u8]) -> Result<(Vec<u8>, usize), BerError> {
    let mut out = Vec::with_capacity(input.len());
    let used = convert(input, 0, &mut out, 0)?;
    Ok((out, used))
}

/// One element of a DER (definite-length) encoding: its tag byte(s), whether it is
/// constructed, and where its contents lie in the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DerElement<'a> {
    /// The whole element: tag, length and contents.
    pub whole: &'a [u8],
    /// The contents octets.
    pub body: &'a [u8],
    /// The first tag byte (class, constructed bit and number for low tags).
    pub tag: u8,
}

impl DerElement<'_> {
    /// Whether the element is constructed.
    pub fn constructed(&self) -> bool {
        self.tag & 0x20 != 0
    }
}

/// The first element of `b`, which must use definite lengths; `None` if it does
/// not (truncated, indefinite, a length over 4 bytes).
pub fn der_element(b: &[u8]) -> Option<DerElement<'_>> {
    let h = header(b, 0).ok()?;
    let len = h.len?;
    let end = h.header_len.checked_add(len)?;
    Some(DerElement { whole: b.get(..end)?, body: b.get(h.header_len..end)?, tag: *h.tag.first()? })
}

/// The elements one after another in `b` (the contents of a constructed DER
/// element); `None` if any is malformed.
pub fn der_children(mut b: &[u8]) -> Option<Vec<DerElement<'_>>> {
    let mut out = Vec::new();
    while !b.is_empty() {
        let e = der_element(b)?;
        b = &b[e.whole.len()..];
        out.push(e);
    }
    Some(out)
}

/// Append a DER header for `tag` and a contents length of `len` to `out`.
pub fn push_header(out: &mut Vec<u8>, tag: u8, len: usize) {
    out.push(tag);
    push_len(out, len);
}

struct Header {
    tag: Vec<u8>,
    constructed: bool,
    /// `None`: indefinite.
    len: Option<usize>,
    header_len: usize,
}

fn header(b: &[u8], at: usize) -> Result<Header, BerError> {
    let first = *b.get(at).ok_or(BerError(at))?;
    let mut p = at + 1;
    let mut tag = vec![first];
    if first & 0x1f == 0x1f {
        loop {
            let t = *b.get(p).ok_or(BerError(p))?;
            tag.push(t);
            p += 1;
            if t & 0x80 == 0 || tag.len() > 6 {
                break;
            }
        }
    }
    let l = *b.get(p).ok_or(BerError(p))?;
    p += 1;
    let len = if l < 0x80 {
        Some(usize::from(l))
    } else if l == 0x80 {
        None
    } else {
        let n = usize::from(l & 0x7f);
        if n > 4 {
            return Err(BerError(p));
        }
        let mut v = 0usize;
        for _ in 0..n {
            v = v << 8 | usize::from(*b.get(p).ok_or(BerError(p))?);
            p += 1;
        }
        Some(v)
    };
    Ok(Header { tag, constructed: first & 0x20 != 0, len, header_len: p - at })
}

fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&x| x == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

/// Convert the TLV at `at`, appending DER to `out`; returns the BER length consumed.
fn convert(b: &[u8], at: usize, out: &mut Vec<u8>, depth: usize) -> Result<usize, BerError> {
    if depth > MAX_DEPTH {
        return Err(BerError(at));
    }
    let h = header(b, at)?;
    let body_start = at + h.header_len;
    if !h.constructed {
        let len = h.len.ok_or(BerError(at))?;
        let body = b.get(body_start..body_start + len).ok_or(BerError(at))?;
        out.extend_from_slice(&h.tag);
        push_len(out, len);
        out.extend_from_slice(body);
        return Ok(h.header_len + len);
    }
    // Constructed: convert children into a buffer, then write with a definite length.
    let mut children = Vec::new();
    let mut p = body_start;
    let end = h.len.map(|l| body_start + l);
    if let Some(e) = end {
        if e > b.len() {
            return Err(BerError(at));
        }
    }
    loop {
        match end {
            Some(e) if p >= e => break,
            None if b.get(p..p + 2) == Some(&[0, 0]) => {
                p += 2;
                break;
            }
            _ => {}
        }
        if p >= b.len() {
            return Err(BerError(p));
        }
        p += convert(b, p, &mut children, depth + 1)?;
    }
    // A constructed OCTET STRING (or other string type) becomes primitive: its
    // primitive segments' contents are concatenated.
    let universal_string = h.tag.len() == 1 && h.tag[0] & 0xc0 == 0 && matches!(h.tag[0] & 0x1f, 3 | 4 | 12 | 19 | 20 | 22 | 26 | 30);
    if universal_string {
        let mut flat = Vec::new();
        let mut q = 0;
        while q < children.len() {
            let ch = header(&children, q).map_err(|_| BerError(at))?;
            let len = ch.len.ok_or(BerError(at))?;
            flat.extend_from_slice(children.get(q + ch.header_len..q + ch.header_len + len).ok_or(BerError(at))?);
            q += ch.header_len + len;
        }
        out.push(h.tag[0] & !0x20);
        push_len(out, flat.len());
        out.extend_from_slice(&flat);
    } else {
        out.extend_from_slice(&h.tag);
        push_len(out, children.len());
        out.extend_from_slice(&children);
    }
    Ok(p - at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indefinite_lengths_become_definite() {
        // SEQUENCE (indefinite) { INTEGER 5, OCTET STRING constructed { "ab", "c" } }
        let ber = [0x30, 0x80, 0x02, 0x01, 0x05, 0x24, 0x80, 0x04, 0x02, b'a', b'b', 0x04, 0x01, b'c', 0, 0, 0, 0];
        let der = to_der(&ber).expect("der");
        assert_eq!(der, vec![0x30, 0x08, 0x02, 0x01, 0x05, 0x04, 0x03, b'a', b'b', b'c']);
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(to_der(&[0x30, 0x80, 0x02]).is_err());
        assert!(to_der(&[0x30, 0x85, 1, 1, 1, 1, 1]).is_err());
        let deep: Vec<u8> = std::iter::repeat_n([0x30u8, 0x80], 200).flatten().collect();
        assert!(to_der(&deep).is_err());
    }
}
