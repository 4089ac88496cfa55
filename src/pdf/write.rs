//! Serialisation helpers for the new objects KýSố writes.

/// A PDF text string (ISO 32000-2 §7.9.2.2): a literal string when `s` is
/// printable ASCII, otherwise UTF-16BE with a byte-order mark as a hex string
/// (Vietnamese text needs it: PDFDocEncoding has no Vietnamese letters).
pub fn text_string(s: &str) -> Vec<u8> {
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        let mut out = Vec::with_capacity(s.len() + 2);
        out.push(b'(');
        for b in s.bytes() {
            if matches!(b, b'(' | b')' | b'\\') {
                out.push(b'\\');
            }
            out.push(b);
        }
        out.push(b')');
        out
    } else {
        let mut hex = String::from("<FEFF");
        for unit in s.encode_utf16() {
            hex.push_str(&format!("{unit:04X}"));
        }
        hex.push('>');
        hex.into_bytes()
    }
}

/// A PDF name with `#xx` escapes for anything outside printable ASCII or a delimiter.
pub fn name(n: &[u8]) -> Vec<u8> {
    let mut out = vec![b'/'];
    for &b in n {
        if b.is_ascii_graphic() && !b"()<>[]{}/%#".contains(&b) {
            out.push(b);
        } else {
            out.extend_from_slice(format!("#{b:02X}").as_bytes());
        }
    }
    out
}

/// A real number with at most 4 decimals and no exponent.
pub fn real(v: f64) -> String {
    if !v.is_finite() {
        return "0".into();
    }
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-0" {
        "0".into()
    } else {
        s.to_owned()
    }
}

/// Decode a PDF text string (UTF-16BE with BOM, UTF-8 with BOM, or PDFDocEncoding
/// treated as Latin-1) to a Rust string.
pub fn decode_text_string(b: &[u8]) -> String {
    if let Some(rest) = b.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest.chunks(2).map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])).collect();
        String::from_utf16_lossy(&units)
    } else if let Some(rest) = b.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        String::from_utf8_lossy(rest).into_owned()
    } else {
        b.iter().map(|&c| c as char).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_strings() {
        assert_eq!(text_string("a(b)"), b"(a\\(b\\))".to_vec());
        assert_eq!(text_string("Hà"), b"<FEFF004800E0>".to_vec());
        assert_eq!(decode_text_string(&[0xFE, 0xFF, 0, b'H', 0, 0xE0]), "Hà");
        assert_eq!(name(b"A B"), b"/A#20B".to_vec());
        assert_eq!(real(595.303937007874), "595.3039");
        assert_eq!(real(12.0), "12");
    }
}
