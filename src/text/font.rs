//! An embedded TrueType font: metrics, measuring, subsetting, and the PDF objects
//! of the subset (ISO 32000-2 §9.7 composite fonts).
//!
//! The subset is written as a Type0 font with the predefined `Identity-H` CMap over
//! one CIDFontType2 descendant whose `/CIDToGIDMap` is `/Identity`, so a CID is the
//! glyph id in the subset font program. [`FontSubset::encode`] turns a string into
//! those two-byte CIDs for a `Tj` operand; `/ToUnicode` maps them back so copying,
//! searching and `pdftotext` give the original text.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;
use std::sync::OnceLock;

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Chunk, Content, Filter, Finish, Name, Rect, Ref, Settings, Str};
use sha2::Digest;
use unicode_normalization::UnicodeNormalization;

use super::TextError;

/// Tinos Regular 1.33 (SIL OFL 1.1, see `assets/fonts/LICENSE-Tinos.txt`).
static TINOS_REGULAR: &[u8] = include_bytes!("../../assets/fonts/Tinos-Regular.ttf");
/// Tinos Bold 1.33 (SIL OFL 1.1).
static TINOS_BOLD: &[u8] = include_bytes!("../../assets/fonts/Tinos-Bold.ttf");

/// Vertical metrics at a given size, in points (descender is negative).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LineMetrics {
    /// Height above the baseline of the tallest letters and accents the font
    /// designer allows for (`hhea` ascender).
    pub ascender: f32,
    /// Depth below the baseline (negative).
    pub descender: f32,
    /// Extra space the designer recommends between lines.
    pub line_gap: f32,
    /// Height of flat capital letters such as `H`.
    pub cap_height: f32,
    /// Height of flat lower-case letters such as `x`.
    pub x_height: f32,
}

impl LineMetrics {
    /// `ascender - descender + line_gap`: the font's natural line spacing.
    pub fn line_height(&self) -> f32 {
        self.ascender - self.descender + self.line_gap
    }
}

/// A TrueType font that KýSố can measure and embed.
///
/// Parsing happens once, at load: the character map and advance widths are kept,
/// so measuring needs no further access to the font file.
pub struct EmbeddedFont {
    data: Cow<'static, [u8]>,
    postscript_name: String,
    units_per_em: f32,
    cmap: HashMap<char, u16>,
    advances: Vec<u16>,
    ascender: i16,
    descender: i16,
    line_gap: i16,
    cap_height: i16,
    x_height: i16,
    bbox: [i16; 4],
    italic_angle: f32,
    weight: u16,
    /// `FontFlags` bits (the type is neither `Clone` nor `Debug`).
    flags: u32,
}

impl std::fmt::Debug for EmbeddedFont {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedFont")
            .field("postscript_name", &self.postscript_name)
            .field("glyphs", &self.advances.len())
            .field("bytes", &self.data.len())
            .finish()
    }
}

impl EmbeddedFont {
    /// The bundled Tinos Regular: Times New Roman metrics, every Vietnamese letter.
    /// Parsed on first use and shared afterwards.
    pub fn tinos() -> Result<&'static EmbeddedFont, TextError> {
        static FONT: OnceLock<Result<EmbeddedFont, TextError>> = OnceLock::new();
        FONT.get_or_init(|| EmbeddedFont::from_bytes(TINOS_REGULAR)).as_ref().map_err(Clone::clone)
    }

    /// The bundled Tinos Bold, for titles and labels.
    pub fn tinos_bold() -> Result<&'static EmbeddedFont, TextError> {
        static FONT: OnceLock<Result<EmbeddedFont, TextError>> = OnceLock::new();
        FONT.get_or_init(|| EmbeddedFont::from_bytes(TINOS_BOLD)).as_ref().map_err(Clone::clone)
    }

    /// Load a TrueType font (glyph outlines in `glyf`; CFF fonts are refused because
    /// the subset is embedded as `/FontFile2`). The font must allow embedding.
    pub fn from_bytes(data: impl Into<Cow<'static, [u8]>>) -> Result<Self, TextError> {
        let data = data.into();
        let face = ttf_parser::Face::parse(&data, 0).map_err(|e| TextError::BadFont(e.to_string()))?;
        if face.tables().glyf.is_none() {
            return Err(TextError::BadFont("not a TrueType (glyf) font".into()));
        }
        if !face.is_subsetting_allowed() || !face.is_outline_embedding_allowed() {
            return Err(TextError::BadFont("the font's licence bits (OS/2 fsType) forbid embedding".into()));
        }
        let units_per_em = f32::from(face.units_per_em());
        if units_per_em <= 0.0 {
            return Err(TextError::BadFont("unitsPerEm is 0".into()));
        }
        let postscript_name = face
            .names()
            .into_iter()
            .filter(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
            .find_map(|n| n.to_string())
            .map(|n| n.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect::<String>())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "Font".into());

        let mut cmap = HashMap::new();
        if let Some(table) = face.tables().cmap {
            for sub in table.subtables.into_iter().filter(|s| s.is_unicode()) {
                sub.codepoints(|cp| {
                    if let (Some(c), Some(g)) = (char::from_u32(cp), sub.glyph_index(cp)) {
                        if g.0 != 0 {
                            cmap.entry(c).or_insert(g.0);
                        }
                    }
                });
            }
        }
        if cmap.is_empty() {
            return Err(TextError::BadFont("no Unicode character map".into()));
        }
        let advances = (0..face.number_of_glyphs()).map(|g| face.glyph_hor_advance(ttf_parser::GlyphId(g)).unwrap_or(0)).collect();

        let ascender = face.ascender();
        let bb = face.global_bounding_box();
        // PANOSE (OS/2 bytes 32..42): family 2 is Latin text; serif styles 2..=10
        // have serifs, 11..=13 are sans. Only a hint for viewers that substitute.
        let panose = face.raw_face().table(ttf_parser::Tag::from_bytes(b"OS/2")).and_then(|t| t.get(32..34));
        let serif = matches!(panose, Some([2, s]) if (2..=10).contains(s));
        let mut flags = FontFlags::SYMBOLIC;
        flags.set(FontFlags::SERIF, serif);
        flags.set(FontFlags::FIXED_PITCH, face.is_monospaced());
        flags.set(FontFlags::ITALIC, face.is_italic());
        Ok(EmbeddedFont {
            postscript_name,
            units_per_em,
            cmap,
            advances,
            ascender,
            descender: face.descender(),
            line_gap: face.line_gap(),
            cap_height: face.capital_height().unwrap_or((f32::from(ascender) * 0.7) as i16),
            x_height: face.x_height().unwrap_or((f32::from(ascender) * 0.5) as i16),
            bbox: [bb.x_min, bb.y_min, bb.x_max, bb.y_max],
            italic_angle: face.italic_angle(),
            weight: face.weight().to_number(),
            flags: flags.bits(),
            data,
        })
    }

    /// The font's PostScript name (`Tinos`, `Tinos-Bold`).
    pub fn postscript_name(&self) -> &str {
        &self.postscript_name
    }

    /// Size of the whole font file in bytes.
    pub fn file_len(&self) -> usize {
        self.data.len()
    }

    /// Whether the font has a glyph for `c` (taken as is, not normalised).
    pub fn has_char(&self, c: char) -> bool {
        self.cmap.contains_key(&c)
    }

    /// The characters of `text` (after NFC) the font cannot draw, each once, in
    /// order of first appearance.
    pub fn missing_chars(&self, text: &str) -> Vec<char> {
        let mut seen = BTreeSet::new();
        text.nfc().filter(|c| !self.has_char(*c) && seen.insert(*c)).collect()
    }

    /// `Ok` when every character of `text` (after NFC) has a glyph.
    pub fn check(&self, text: &str) -> Result<(), TextError> {
        let chars = self.missing_chars(text);
        if chars.is_empty() {
            Ok(())
        } else {
            Err(TextError::MissingGlyphs { font: self.postscript_name.clone(), chars })
        }
    }

    /// Advance width of `text` (after NFC) set at `size` points, in points: exactly
    /// the room the text takes when drawn with a [`FontSubset`] of this font (the
    /// `/W` widths are the same advances; there is no kerning). A character the
    /// font lacks counts as the `.notdef` box; [`check`](Self::check) finds them.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        let units: u32 = text.nfc().map(|c| u32::from(self.advance(self.cmap.get(&c).copied().unwrap_or(0)))).sum();
        units as f32 * size / self.units_per_em
    }

    /// Vertical metrics at `size` points.
    pub fn metrics(&self, size: f32) -> LineMetrics {
        let s = |v: i16| f32::from(v) * size / self.units_per_em;
        LineMetrics {
            ascender: s(self.ascender),
            descender: s(self.descender),
            line_gap: s(self.line_gap),
            cap_height: s(self.cap_height),
            x_height: s(self.x_height),
        }
    }

    fn advance(&self, gid: u16) -> u16 {
        self.advances.get(usize::from(gid)).copied().unwrap_or(0)
    }

    /// In thousandths of an em (PDF glyph space).
    fn to_pdf_units(&self, v: f32) -> f32 {
        v * 1000.0 / self.units_per_em
    }

    /// A subset of this font holding the glyphs of every character in `text_used`
    /// (after NFC), ready to embed. Characters the font lacks are an error listing
    /// them all.
    pub fn subset_for(&self, text_used: &str) -> Result<FontSubset, TextError> {
        self.check(text_used)?;
        let mut by_glyph: BTreeMap<u16, char> = BTreeMap::new();
        for c in text_used.nfc() {
            if let Some(&g) = self.cmap.get(&c) {
                // One glyph may serve several characters (space and no-break space):
                // /ToUnicode names the first, in code-point order.
                let e = by_glyph.entry(g).or_insert(c);
                if c < *e {
                    *e = c;
                }
            }
        }
        // Ascending old glyph ids give a deterministic subset; composite glyphs'
        // components are added after these by the subsetter and never addressed.
        let mut remapper = subsetter::GlyphRemapper::new();
        for g in by_glyph.keys() {
            remapper.remap(*g);
        }
        let program = subsetter::subset(&self.data, 0, &remapper)
            .map_err(|e| TextError::Embed { font: self.postscript_name.clone(), detail: e.to_string() })?;

        let mut map = BTreeMap::new();
        let mut widths = vec![self.to_pdf_units(f32::from(self.advance(0)))];
        let mut to_unicode = Vec::new();
        for (old, c) in &by_glyph {
            let cid = remapper
                .get(*old)
                .ok_or_else(|| TextError::Embed { font: self.postscript_name.clone(), detail: format!("glyph {old} lost") })?;
            if usize::from(cid) != widths.len() {
                return Err(TextError::Embed { font: self.postscript_name.clone(), detail: "non-consecutive glyph ids".into() });
            }
            widths.push(self.to_pdf_units(f32::from(self.advance(*old))));
            to_unicode.push((cid, *c));
        }
        for c in text_used.nfc() {
            if let Some(cid) = self.cmap.get(&c).and_then(|g| remapper.get(*g)) {
                map.insert(c, cid);
            }
        }

        let mut h = sha2::Sha256::new();
        for g in by_glyph.keys() {
            h.update(g.to_be_bytes());
        }
        h.update(self.postscript_name.as_bytes());
        let tag: String = h.finalize().iter().take(6).map(|b| char::from(b'A' + b % 26)).collect();

        Ok(FontSubset {
            base_font: format!("{tag}+{}", self.postscript_name),
            program,
            map,
            widths,
            to_unicode,
            bbox: Rect::new(
                self.to_pdf_units(f32::from(self.bbox[0])),
                self.to_pdf_units(f32::from(self.bbox[1])),
                self.to_pdf_units(f32::from(self.bbox[2])),
                self.to_pdf_units(f32::from(self.bbox[3])),
            ),
            ascent: self.to_pdf_units(f32::from(self.ascender)),
            descent: self.to_pdf_units(f32::from(self.descender)),
            cap_height: self.to_pdf_units(f32::from(self.cap_height)),
            x_height: self.to_pdf_units(f32::from(self.x_height)),
            italic_angle: self.italic_angle,
            // The usual estimate from the weight class (there is no stem width in TrueType).
            stem_v: 10.0 + 0.244 * (f32::from(self.weight) - 50.0),
            flags: self.flags,
        })
    }
}

/// The object numbers of the five objects of an embedded font.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FontRefs {
    /// The Type0 font: the value for a `/Font` resource entry.
    pub type0: Ref,
    /// The CIDFontType2 descendant.
    pub cid_font: Ref,
    /// The font descriptor.
    pub descriptor: Ref,
    /// The `/FontFile2` stream (the subset font program).
    pub font_file: Ref,
    /// The `/ToUnicode` CMap stream.
    pub to_unicode: Ref,
}

impl FontRefs {
    /// Five consecutive object numbers starting at `first`; `first` is advanced
    /// past them.
    pub fn allocate(first: &mut Ref) -> Self {
        let mut next = || first.bump();
        FontRefs { type0: next(), cid_font: next(), descriptor: next(), font_file: next(), to_unicode: next() }
    }
}

/// The glyphs of one piece of text taken from an [`EmbeddedFont`], and everything
/// needed to embed them.
#[derive(Clone, Debug)]
pub struct FontSubset {
    base_font: String,
    program: Vec<u8>,
    map: BTreeMap<char, u16>,
    /// By CID, in thousandths of an em; CID 0 is `.notdef`.
    widths: Vec<f32>,
    to_unicode: Vec<(u16, char)>,
    bbox: Rect,
    ascent: f32,
    descent: f32,
    cap_height: f32,
    x_height: f32,
    italic_angle: f32,
    stem_v: f32,
    flags: u32,
}

impl FontSubset {
    /// `/BaseFont`: a six-letter tag derived from the glyph set, `+`, the
    /// PostScript name (`ABCDEF+Tinos`), which tells readers it is a subset.
    pub fn base_font(&self) -> &str {
        &self.base_font
    }

    /// Size of the subset font program (uncompressed), in bytes.
    pub fn program_len(&self) -> usize {
        self.program.len()
    }

    /// How many characters the subset can draw.
    pub fn char_count(&self) -> usize {
        self.map.len()
    }

    /// The `Tj` operand for `text` (after NFC): two bytes per character, the CID
    /// big-endian. Characters outside the subset are an error listing them.
    pub fn encode(&self, text: &str) -> Result<Vec<u8>, TextError> {
        let mut out = Vec::with_capacity(text.len() * 2);
        let mut missing = Vec::new();
        for c in text.nfc() {
            match self.map.get(&c) {
                Some(cid) => out.extend_from_slice(&cid.to_be_bytes()),
                None if !missing.contains(&c) => missing.push(c),
                None => {}
            }
        }
        if missing.is_empty() {
            Ok(out)
        } else {
            Err(TextError::NotInSubset { font: self.base_font.clone(), chars: missing })
        }
    }

    /// Draw `text` on one line with its baseline starting at (`x`, `y`), as
    /// `BT /resource size Tf x y Td <cids> Tj ET`. `resource` is the name this
    /// subset's Type0 font has in the page's or form's `/Font` resources.
    pub fn show(&self, content: &mut Content, resource: &[u8], size: f32, x: f32, y: f32, text: &str) -> Result<(), TextError> {
        let cids = self.encode(text)?;
        content.begin_text();
        content.set_font(Name(resource), size);
        content.next_line(x, y);
        content.show(Str(&cids));
        content.end_text();
        Ok(())
    }

    /// Write the five objects into `chunk` under `refs`.
    pub fn write(&self, chunk: &mut Chunk, refs: &FontRefs) -> Result<(), TextError> {
        self.write_type0(chunk, refs);
        self.write_cid_font(chunk, refs);
        self.write_descriptor(chunk, refs);
        self.write_font_file(chunk, refs)?;
        self.write_to_unicode(chunk, refs)?;
        Ok(())
    }

    /// The five objects as `(reference, serialised value)` pairs, the value without
    /// `n 0 obj` / `endobj`: for a writer of incremental updates that numbers and
    /// frames objects itself (`crate::pdf::update::IncrementalUpdate::put`).
    pub fn object_values(&self, refs: &FontRefs) -> Result<Vec<(Ref, Vec<u8>)>, TextError> {
        type Step<'a> = &'a dyn Fn(&FontSubset, &mut Chunk, &FontRefs) -> Result<(), TextError>;
        let steps: [(Ref, Step); 5] = [
            (refs.type0, &|s, c, r| {
                s.write_type0(c, r);
                Ok(())
            }),
            (refs.cid_font, &|s, c, r| {
                s.write_cid_font(c, r);
                Ok(())
            }),
            (refs.descriptor, &|s, c, r| {
                s.write_descriptor(c, r);
                Ok(())
            }),
            (refs.font_file, &|s, c, r| s.write_font_file(c, r)),
            (refs.to_unicode, &|s, c, r| s.write_to_unicode(c, r)),
        ];
        let mut out = Vec::with_capacity(5);
        for (id, step) in steps {
            let mut chunk = Chunk::with_settings(Settings { pretty: false });
            step(self, &mut chunk, refs)?;
            let bytes = chunk.as_bytes();
            let head = format!("{} 0 obj\n", id.get());
            let value = bytes
                .strip_prefix(head.as_bytes())
                .and_then(|b| b.strip_suffix(b"\nendobj\n"))
                .ok_or_else(|| TextError::Embed { font: self.base_font.clone(), detail: "unexpected object framing".into() })?;
            out.push((id, value.to_vec()));
        }
        Ok(out)
    }

    fn write_type0(&self, chunk: &mut Chunk, refs: &FontRefs) {
        chunk
            .type0_font(refs.type0)
            .base_font(Name(self.base_font.as_bytes()))
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(refs.cid_font)
            .to_unicode(refs.to_unicode);
    }

    fn write_cid_font(&self, chunk: &mut Chunk, refs: &FontRefs) {
        let mut cid = chunk.cid_font(refs.cid_font);
        cid.subtype(CidFontType::Type2)
            .base_font(Name(self.base_font.as_bytes()))
            .system_info(SYSTEM_INFO)
            .font_descriptor(refs.descriptor)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        let dw = self.widths.first().copied().unwrap_or(0.0);
        cid.default_width(dw);
        cid.widths().consecutive(0, self.widths.iter().copied());
        cid.finish();
    }

    fn write_descriptor(&self, chunk: &mut Chunk, refs: &FontRefs) {
        chunk
            .font_descriptor(refs.descriptor)
            .name(Name(self.base_font.as_bytes()))
            .flags(FontFlags::from_bits_truncate(self.flags))
            .bbox(self.bbox)
            .italic_angle(self.italic_angle)
            .ascent(self.ascent)
            .descent(self.descent)
            .cap_height(self.cap_height)
            .x_height(self.x_height)
            .stem_v(self.stem_v)
            .font_file2(refs.font_file);
    }

    fn write_font_file(&self, chunk: &mut Chunk, refs: &FontRefs) -> Result<(), TextError> {
        let data = deflate(&self.program).map_err(|e| TextError::Embed { font: self.base_font.clone(), detail: e.to_string() })?;
        let len1 = i32::try_from(self.program.len())
            .map_err(|_| TextError::Embed { font: self.base_font.clone(), detail: "font program too large".into() })?;
        let mut s = chunk.stream(refs.font_file, &data);
        s.filter(Filter::FlateDecode);
        s.pair(Name(b"Length1"), len1);
        s.finish();
        Ok(())
    }

    fn write_to_unicode(&self, chunk: &mut Chunk, refs: &FontRefs) -> Result<(), TextError> {
        let mut cmap = UnicodeCmap::<u16>::new(Name(b"Adobe-Identity-UCS"), SYSTEM_INFO);
        for (cid, c) in &self.to_unicode {
            cmap.pair(*cid, *c);
        }
        let data = deflate(&cmap.finish()).map_err(|e| TextError::Embed { font: self.base_font.clone(), detail: e.to_string() })?;
        chunk.cmap(refs.to_unicode, &data).filter(Filter::FlateDecode);
        Ok(())
    }
}

const SYSTEM_INFO: SystemInfo<'static> = SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"Identity"), supplement: 0 };

/// zlib (FlateDecode) compression of a stream's data.
pub(crate) fn deflate(data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut enc = flate2::write::ZlibEncoder::new(Vec::with_capacity(data.len() / 2), flate2::Compression::best());
    enc.write_all(data)?;
    enc.finish()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn tinos() -> &'static EmbeddedFont {
        EmbeddedFont::tinos().expect("bundled Tinos")
    }

    #[test]
    fn loads_the_bundled_fonts() {
        let f = tinos();
        assert_eq!(f.postscript_name(), "Tinos");
        assert_eq!(EmbeddedFont::tinos_bold().expect("bold").postscript_name(), "Tinos-Bold");
        assert!(FontFlags::from_bits_truncate(f.flags).contains(FontFlags::SERIF));
    }

    #[test]
    fn measures_like_times_new_roman() {
        let f = tinos();
        // Times New Roman advances (units of 2048/em): H 1479, space 512, i 569.
        assert!((f.width("H", 1000.0) - 1479.0 * 1000.0 / 2048.0).abs() < 0.01);
        assert!((f.width(" ", 10.0) - 2.5).abs() < 0.001);
        assert!((f.width("iii", 12.0) - 3.0 * 569.0 * 12.0 / 2048.0).abs() < 0.001);
        // Width scales with size and adds up over characters.
        let w = f.width("Quyết định", 10.0);
        assert!((f.width("Quyết định", 20.0) - 2.0 * w).abs() < 0.001);
        assert!((w - (f.width("Quyết", 10.0) + f.width(" ", 10.0) + f.width("định", 10.0))).abs() < 0.001);
        assert_eq!(f.width("", 12.0), 0.0);
    }

    #[test]
    fn decomposed_text_measures_as_composed() {
        let f = tinos();
        let composed = "Nguyễn Văn Ải";
        let decomposed: String = composed.nfd().collect();
        assert_ne!(composed, decomposed);
        assert_eq!(f.width(composed, 11.0), f.width(&decomposed, 11.0));
        assert!(f.check(&decomposed).is_ok());
    }

    #[test]
    fn line_metrics_are_sane() {
        let m = tinos().metrics(10.0);
        assert!(m.ascender > 8.0 && m.ascender < 10.0, "{m:?}");
        assert!(m.descender < -1.5 && m.descender > -3.0, "{m:?}");
        assert!(m.cap_height > 6.0 && m.cap_height < m.ascender, "{m:?}");
        assert!(m.x_height > 4.0 && m.x_height < m.cap_height, "{m:?}");
        assert!(m.line_height() > 10.0 && m.line_height() < 13.0, "{m:?}");
    }

    #[test]
    fn covers_all_vietnamese_letters() {
        let letters = "aăâbcdđeêghiklmnoôơpqrstuưvxy";
        let tones = ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'];
        let mut all = String::new();
        for l in letters.chars().chain(letters.to_uppercase().chars()) {
            all.push(l);
            if "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY".contains(l) {
                for t in tones {
                    all.push(l);
                    all.push(t);
                }
            }
        }
        assert_eq!(tinos().missing_chars(&all), Vec::<char>::new());
        assert_eq!(EmbeddedFont::tinos_bold().expect("bold").missing_chars(&all), Vec::<char>::new());
    }

    #[test]
    fn missing_glyphs_are_listed_not_dropped() {
        let f = tinos();
        let err = f.check("Tên: 中文 ✓ 中").expect_err("CJK is not in Tinos");
        match &err {
            TextError::MissingGlyphs { font, chars } => {
                assert_eq!(font, "Tinos");
                assert_eq!(chars, &vec!['中', '文', '✓']);
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(err.to_string().contains("'中' (U+4E2D)"), "{err}");
        assert!(matches!(f.subset_for("a中"), Err(TextError::MissingGlyphs { .. })));
    }

    #[test]
    fn subset_encodes_only_its_own_text() {
        let f = tinos();
        let s = f.subset_for("Không hợp lệ").expect("subset");
        assert!(s.base_font().ends_with("+Tinos") && s.base_font().len() == "ABCDEF+Tinos".len(), "{}", s.base_font());
        assert!(s.program_len() < 20_000, "{}", s.program_len());
        let bytes = s.encode("hợp lệ").expect("encode");
        assert_eq!(bytes.len(), 12);
        // Decomposed input encodes to the same CIDs.
        let decomposed: String = "hợp lệ".nfd().collect();
        assert_eq!(s.encode(&decomposed).expect("encode"), bytes);
        match s.encode("hợp lệ, xong") {
            Err(TextError::NotInSubset { chars, .. }) => assert_eq!(chars, vec![',', 'x', 'o']),
            other => panic!("unexpected {other:?}"),
        }
        // Same text, same subset (reproducible output).
        assert_eq!(f.subset_for("Không hợp lệ").expect("subset").base_font(), s.base_font());
    }

    #[test]
    fn object_values_are_unframed() {
        let s = tinos().subset_for("Ký số").expect("subset");
        let mut first = Ref::new(10);
        let refs = FontRefs::allocate(&mut first);
        assert_eq!(first, Ref::new(15));
        let objs = s.object_values(&refs).expect("objects");
        assert_eq!(objs.len(), 5);
        let type0 = String::from_utf8_lossy(&objs[0].1);
        assert!(type0.starts_with("<<") && type0.ends_with(">>"), "{type0}");
        assert!(type0.contains("/Encoding/Identity-H") && type0.contains("/DescendantFonts[11 0 R]"), "{type0}");
        assert!(objs[3].1.starts_with(b"<<") && objs[3].1.ends_with(b"endstream"));
    }
}
