//! A checked reader for PDF syntax (ISO 32000-2 §7.2–7.3) over an untrusted buffer.
//!
//! Every read is bounds-checked and returns a [`SyntaxError`]; nesting depth is
//! limited so hostile files cannot exhaust the stack. Running out of input is a
//! distinct error ([`SyntaxError::Eof`]) so callers reading a window of a large
//! file can retry with a larger window.

use super::object::{Dict, DictEntry, ObjRef, Object};

/// Deepest nesting of arrays and dictionaries accepted.
pub const MAX_DEPTH: usize = 64;

/// Why a buffer could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SyntaxError {
    /// The buffer ended before the object did.
    #[error("unexpected end of data")]
    Eof,
    /// Something that is not valid PDF syntax, at a buffer offset.
    #[error("invalid syntax at offset {at}: {what}")]
    Invalid {
        /// Offset in the buffer.
        at: usize,
        /// What was expected or found.
        what: &'static str,
    },
    /// Arrays or dictionaries nested deeper than [`MAX_DEPTH`].
    #[error("objects nested too deeply")]
    TooDeep,
}

/// Whether `b` is PDF white space.
pub fn is_whitespace(b: u8) -> bool {
    matches!(b, 0 | 9 | 10 | 12 | 13 | 32)
}

/// Whether `b` is a PDF delimiter.
pub fn is_delimiter(b: u8) -> bool {
    matches!(b, b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%')
}

fn is_regular(b: u8) -> bool {
    !is_whitespace(b) && !is_delimiter(b)
}

/// A bounds-checked cursor over PDF bytes.
#[derive(Clone, Debug)]
pub struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    /// A cursor at `pos` in `buf`.
    pub fn new(buf: &'a [u8], pos: usize) -> Self {
        Cursor { buf, pos }
    }

    /// Current offset in the buffer.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Move to `pos` (clamped to the end of the buffer).
    pub fn seek(&mut self, pos: usize) {
        self.pos = pos.min(self.buf.len());
    }

    /// The underlying buffer.
    pub fn buf(&self) -> &'a [u8] {
        self.buf
    }

    fn peek(&self) -> Option<u8> {
        self.buf.get(self.pos).copied()
    }

    /// Skip white space and comments.
    pub fn skip_ws(&mut self) {
        while let Some(b) = self.peek() {
            if is_whitespace(b) {
                self.pos += 1;
            } else if b == b'%' {
                while let Some(c) = self.peek() {
                    if c == b'\n' || c == b'\r' {
                        break;
                    }
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    /// Read a run of regular characters (a keyword or number) after white space.
    pub fn word(&mut self) -> Result<&'a [u8], SyntaxError> {
        self.skip_ws();
        let start = self.pos;
        while let Some(b) = self.peek() {
            if !is_regular(b) {
                break;
            }
            self.pos += 1;
        }
        if start == self.pos {
            return Err(if self.pos >= self.buf.len() {
                SyntaxError::Eof
            } else {
                SyntaxError::Invalid { at: start, what: "expected a keyword or number" }
            });
        }
        if self.pos >= self.buf.len() {
            // A word touching the end of the buffer may be cut short.
            return Err(SyntaxError::Eof);
        }
        Ok(&self.buf[start..self.pos])
    }

    /// Expect the keyword `kw` next.
    pub fn expect_keyword(&mut self, kw: &'static [u8]) -> Result<(), SyntaxError> {
        let at = {
            let mut c = self.clone();
            c.skip_ws();
            c.pos
        };
        let w = self.word()?;
        if w == kw {
            Ok(())
        } else {
            Err(SyntaxError::Invalid { at, what: "unexpected keyword" })
        }
    }

    /// Read an unsigned integer word.
    pub fn unsigned(&mut self) -> Result<u64, SyntaxError> {
        let at = self.pos;
        let w = self.word()?;
        parse_unsigned(w).ok_or(SyntaxError::Invalid { at, what: "expected an unsigned integer" })
    }

    /// Parse one direct object (or `N G R` reference).
    pub fn object(&mut self) -> Result<Object, SyntaxError> {
        self.object_at_depth(0)
    }

    fn object_at_depth(&mut self, depth: usize) -> Result<Object, SyntaxError> {
        if depth > MAX_DEPTH {
            return Err(SyntaxError::TooDeep);
        }
        self.skip_ws();
        let start = self.pos;
        let b = self.peek().ok_or(SyntaxError::Eof)?;
        match b {
            b'/' => {
                self.pos += 1;
                Ok(Object::Name(self.name_body()?))
            }
            b'(' => Ok(Object::String(self.literal_string()?)),
            b'<' => {
                if self.buf.get(self.pos + 1) == Some(&b'<') {
                    Ok(Object::Dict(self.dict_at_depth(depth)?))
                } else {
                    Ok(Object::String(self.hex_string()?))
                }
            }
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_ws();
                    match self.peek() {
                        None => return Err(SyntaxError::Eof),
                        Some(b']') => {
                            self.pos += 1;
                            break;
                        }
                        Some(_) => items.push(self.object_at_depth(depth + 1)?),
                    }
                }
                Ok(Object::Array(items))
            }
            b'+' | b'-' | b'.' | b'0'..=b'9' => {
                let w = self.word()?;
                if w.iter().all(|c| c.is_ascii_digit()) {
                    // Possibly the start of `N G R`.
                    let mut look = self.clone();
                    if let (Some(num), Ok(g)) = (parse_unsigned(w), look.word()) {
                        if let Some(gen) = parse_unsigned(g) {
                            if let Ok(r) = look.word() {
                                if r == b"R" {
                                    if let (Ok(num), Ok(gen)) = (u32::try_from(num), u16::try_from(gen)) {
                                        *self = look;
                                        return Ok(Object::Ref(ObjRef { num, gen }));
                                    }
                                }
                            }
                        }
                    }
                }
                number(w).ok_or(SyntaxError::Invalid { at: start, what: "malformed number" })
            }
            _ if is_regular(b) => {
                let w = self.word()?;
                match w {
                    b"true" => Ok(Object::Bool(true)),
                    b"false" => Ok(Object::Bool(false)),
                    b"null" => Ok(Object::Null),
                    _ => Err(SyntaxError::Invalid { at: start, what: "unexpected keyword" }),
                }
            }
            _ => Err(SyntaxError::Invalid { at: start, what: "unexpected delimiter" }),
        }
    }

    /// Parse a dictionary starting at `<<`.
    pub fn dict(&mut self) -> Result<Dict, SyntaxError> {
        self.dict_at_depth(0)
    }

    fn dict_at_depth(&mut self, depth: usize) -> Result<Dict, SyntaxError> {
        if depth > MAX_DEPTH {
            return Err(SyntaxError::TooDeep);
        }
        self.skip_ws();
        let start = self.pos;
        if self.buf.get(start..start + 2).ok_or(SyntaxError::Eof)? != b"<<" {
            return Err(SyntaxError::Invalid { at: start, what: "expected a dictionary" });
        }
        self.pos += 2;
        let mut entries = Vec::new();
        loop {
            self.skip_ws();
            match self.peek() {
                None => return Err(SyntaxError::Eof),
                Some(b'>') => {
                    if self.buf.get(self.pos + 1) == Some(&b'>') {
                        self.pos += 2;
                        break;
                    }
                    if self.pos + 1 >= self.buf.len() {
                        return Err(SyntaxError::Eof);
                    }
                    return Err(SyntaxError::Invalid { at: self.pos, what: "expected >>" });
                }
                Some(b'/') => {
                    self.pos += 1;
                    let key = self.name_body()?;
                    self.skip_ws();
                    let vstart = self.pos;
                    let value = self.object_at_depth(depth + 1)?;
                    entries.push(DictEntry { key, value, value_span: vstart..self.pos });
                }
                Some(_) => return Err(SyntaxError::Invalid { at: self.pos, what: "expected a name key" }),
            }
        }
        Ok(Dict { entries, span: start..self.pos })
    }

    fn name_body(&mut self) -> Result<Vec<u8>, SyntaxError> {
        let mut out = Vec::new();
        while let Some(b) = self.peek() {
            if !is_regular(b) {
                return Ok(out);
            }
            if b == b'#' {
                let h = self.buf.get(self.pos + 1..self.pos + 3).ok_or(SyntaxError::Eof)?;
                let v = hex_val(h[0]).zip(hex_val(h[1]));
                match v {
                    Some((a, c)) => {
                        out.push(a << 4 | c);
                        self.pos += 3;
                    }
                    None => {
                        out.push(b);
                        self.pos += 1;
                    }
                }
            } else {
                out.push(b);
                self.pos += 1;
            }
        }
        Err(SyntaxError::Eof)
    }

    fn literal_string(&mut self) -> Result<Vec<u8>, SyntaxError> {
        // Caller saw '('.
        self.pos += 1;
        let mut out = Vec::new();
        let mut depth = 1usize;
        loop {
            let b = self.peek().ok_or(SyntaxError::Eof)?;
            self.pos += 1;
            match b {
                b'(' => {
                    depth += 1;
                    out.push(b);
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(out);
                    }
                    out.push(b);
                }
                b'\\' => {
                    let e = self.peek().ok_or(SyntaxError::Eof)?;
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'\r' => {
                            if self.peek() == Some(b'\n') {
                                self.pos += 1;
                            }
                        }
                        b'\n' => {}
                        b'0'..=b'7' => {
                            let mut v = u32::from(e - b'0');
                            for _ in 0..2 {
                                match self.peek() {
                                    Some(d @ b'0'..=b'7') => {
                                        v = v * 8 + u32::from(d - b'0');
                                        self.pos += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push((v & 0xff) as u8);
                        }
                        other => out.push(other),
                    }
                }
                _ => out.push(b),
            }
        }
    }

    fn hex_string(&mut self) -> Result<Vec<u8>, SyntaxError> {
        let start = self.pos;
        let body = self.buf.get(start + 1..).ok_or(SyntaxError::Eof)?;
        let end = body.iter().position(|&b| b == b'>').ok_or(SyntaxError::Eof)?;
        let out = decode_hex(&body[..end]).ok_or(SyntaxError::Invalid { at: start, what: "bad hex string" })?;
        self.pos = start + 1 + end + 1;
        Ok(out)
    }
}

/// [`HEX_DIGITS`] entry of a PDF white-space byte.
const HEX_SPACE: u8 = 0x10;
/// [`HEX_DIGITS`] entry of a byte that is neither a digit nor white-space.
const HEX_BAD: u8 = 0xff;
/// Each byte's value as a hexadecimal digit, or [`HEX_SPACE`] / [`HEX_BAD`].
const HEX_DIGITS: [u8; 256] = {
    let mut t = [HEX_BAD; 256];
    let mut b = 0usize;
    while b < 256 {
        t[b] = match b as u8 {
            c @ b'0'..=b'9' => c - b'0',
            c @ b'a'..=b'f' => c - b'a' + 10,
            c @ b'A'..=b'F' => c - b'A' + 10,
            0 | 9 | 10 | 12 | 13 | 32 => HEX_SPACE,
            _ => HEX_BAD,
        };
        b += 1;
    }
    t
};

/// The value of one hexadecimal digit.
pub fn hex_val(b: u8) -> Option<u8> {
    let v = HEX_DIGITS[usize::from(b)];
    (v < 16).then_some(v)
}

/// The bytes of the body of a hexadecimal string (between `<` and `>`, ISO 32000-2
/// §7.3.4.3): white-space is skipped, an odd last digit is followed by 0; `None` if
/// any other byte is not a hexadecimal digit.
pub fn decode_hex(digits: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(digits.len() / 2 + 1);
    let mut hi: Option<u8> = None;
    for &b in digits {
        let v = HEX_DIGITS[usize::from(b)];
        if v < 16 {
            match hi.take() {
                Some(h) => out.push(h << 4 | v),
                None => hi = Some(v),
            }
        } else if v == HEX_BAD {
            return None;
        }
    }
    if let Some(h) = hi {
        out.push(h << 4);
    }
    Some(out)
}

/// Parse a run of ASCII digits (at most 19) as an unsigned integer.
pub fn parse_unsigned(w: &[u8]) -> Option<u64> {
    if w.is_empty() || w.len() > 19 || !w.iter().all(|c| c.is_ascii_digit()) {
        return None;
    }
    std::str::from_utf8(w).ok()?.parse().ok()
}

fn number(w: &[u8]) -> Option<Object> {
    let s = std::str::from_utf8(w).ok()?;
    if let Ok(i) = s.parse::<i64>() {
        return Some(Object::Int(i));
    }
    // Reals: digits with one point and an optional sign; no exponents in PDF.
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let valid = !body.is_empty()
        && body.bytes().filter(|&c| c == b'.').count() <= 1
        && body.bytes().all(|c| c.is_ascii_digit() || c == b'.')
        && body != ".";
    valid.then(|| Object::Real(w.to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Object, SyntaxError> {
        // A trailing space so words at the end are not taken as cut short.
        let buf = format!("{s} ");
        Cursor::new(buf.as_bytes(), 0).object()
    }

    #[test]
    fn hex_strings_skip_white_space_and_pad_an_odd_digit() {
        assert_eq!(parse("<48 65\n6C6c\t6F>"), Ok(Object::String(b"Hello".to_vec())));
        assert_eq!(parse("<901FA>"), Ok(Object::String(vec![0x90, 0x1f, 0xa0])));
        assert_eq!(parse("<>"), Ok(Object::String(Vec::new())));
        assert!(matches!(parse("<4G>"), Err(SyntaxError::Invalid { .. })));
        assert_eq!(parse("<4142"), Err(SyntaxError::Eof));
        assert_eq!(decode_hex(b"0a 0B"), Some(vec![0x0a, 0x0b]));
        assert_eq!(decode_hex(b"0x"), None);
        assert_eq!(hex_val(b'f'), Some(15));
        assert_eq!(hex_val(b' '), None);
    }

    #[test]
    fn parses_basic_objects() {
        assert_eq!(parse("42"), Ok(Object::Int(42)));
        assert_eq!(parse("-3.25"), Ok(Object::Real(b"-3.25".to_vec())));
        assert_eq!(parse("/A#20B"), Ok(Object::Name(b"A B".to_vec())));
        assert_eq!(parse("(a\\)b(c))"), Ok(Object::String(b"a)b(c)".to_vec())));
        assert_eq!(parse("<48 49 5>"), Ok(Object::String(vec![0x48, 0x49, 0x50])));
        assert_eq!(parse("12 0 R"), Ok(Object::Ref(ObjRef::new(12, 0))));
        assert_eq!(parse("[1 2 R 3]"), Ok(Object::Array(vec![Object::Ref(ObjRef::new(1, 2)), Object::Int(3)])));
    }

    #[test]
    fn dict_spans_cover_values() {
        let buf = b"<< /MediaBox [0 0 595.303937007874 841.889763779528] /Annots 7 0 R >> ";
        let d = Cursor::new(buf, 0).dict().expect("dict");
        let mb = d.entry(b"MediaBox").expect("mediabox");
        assert_eq!(&buf[mb.value_span.clone()], b"[0 0 595.303937007874 841.889763779528]");
        assert_eq!(d.reference(b"Annots"), Some(ObjRef::new(7, 0)));
        assert_eq!(d.span, 0..buf.len() - 1);
    }

    #[test]
    fn truncated_input_is_eof_not_panic() {
        for s in ["<< /A [1 2", "(abc", "<< /K", "<4142", "[[[", "/Nam"] {
            assert_eq!(Cursor::new(s.as_bytes(), 0).object(), Err(SyntaxError::Eof), "{s}");
        }
    }

    #[test]
    fn deep_nesting_is_refused() {
        let s = "[".repeat(10_000);
        assert_eq!(Cursor::new(s.as_bytes(), 0).object(), Err(SyntaxError::TooDeep));
    }
}
