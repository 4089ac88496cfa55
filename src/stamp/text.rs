//! The text of a page with its geometry: glyphs grouped into lines and words,
//! in PDF user space points (origin bottom-left, as in the page's MediaBox).
//!
//! Glyph positions come from `pdf-extract` (which decodes simple TrueType and
//! Identity-H fonts through ToUnicode). Words and lines are rebuilt from the
//! glyph geometry alone, never from the order or the grouping of the content
//! stream, so a font-subset switch inside a word does not split it.
//!
//! Line boxes span `baseline - 0.35·size` to `baseline + 0.95·size`, the em box
//! that poppler (`pdftotext -bbox`) uses for fonts without usable Ascent/Descent,
//! as LibreOffice writes them; x-extents are the glyph advances.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use unicode_normalization::UnicodeNormalization;

use crate::i18n::{Lang, Localize};
use crate::tr;

/// Files larger than this are refused for text search.
pub const MAX_TEXT_SEARCH_BYTES: u64 = 64 * 1024 * 1024;

/// Ascent of the line box, in em.
const ASCENT: f32 = 0.95;
/// Descent of the line box, in em (negative: below the baseline).
const DESCENT: f32 = -0.35;

/// Why the text of a PDF could not be read for placing a stamp.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StampError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: std::path::PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is larger than [`MAX_TEXT_SEARCH_BYTES`].
    #[error("file too large for text search: {size} bytes (limit {limit})")]
    TooLarge {
        /// The file size in bytes.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// The PDF could not be parsed.
    #[error("cannot parse the PDF: {0}")]
    Parse(String),
    /// The requested page does not exist.
    #[error("page {index} does not exist (the document has {count} pages)")]
    NoSuchPage {
        /// The requested page (0-based).
        index: usize,
        /// The number of pages.
        count: usize,
    },
    /// The page's content could not be interpreted.
    #[error("cannot read the text of page {page}: {reason}")]
    Content {
        /// The page (0-based).
        page: usize,
        /// What went wrong.
        reason: String,
    },
}

impl StampError {
    /// A stable machine-readable kind.
    pub fn kind(&self) -> &'static str {
        match self {
            StampError::Read { .. } => "read_input",
            StampError::TooLarge { .. } => "stamp_file_too_large",
            StampError::Parse(_) => "stamp_pdf_unreadable",
            StampError::NoSuchPage { .. } => "stamp_no_such_page",
            StampError::Content { .. } => "stamp_page_unreadable",
        }
    }
}

impl Localize for StampError {
    fn localize(&self, lang: Lang) -> String {
        match self {
            StampError::Read { path, source } => tr!(lang, "Không đọc được tệp {}: {}.", "Cannot read {}: {}.", path.display(), source),
            StampError::TooLarge { size, limit } => tr!(
                lang,
                "Tệp quá lớn để tìm vị trí ký theo nội dung ({} byte, giới hạn {} byte). Hãy đặt vị trí chữ ký bằng tay.",
                "The file is too large to find the signature place from its text ({} bytes, limit {}). Place the signature by hand.",
                size,
                limit
            ),
            StampError::Parse(why) => tr!(
                lang,
                "Không đọc được nội dung PDF để tìm vị trí ký: {}. Hãy đặt vị trí chữ ký bằng tay.",
                "Cannot read the PDF to find the signature place: {}. Place the signature by hand.",
                why
            ),
            StampError::NoSuchPage { index, count } => {
                tr!(lang, "Không có trang {} (tài liệu có {} trang).", "There is no page {} (the document has {} pages).", index + 1, count)
            }
            StampError::Content { page, reason } => tr!(
                lang,
                "Không đọc được chữ trên trang {}: {}. Hãy đặt vị trí chữ ký bằng tay.",
                "Cannot read the text of page {}: {}. Place the signature by hand.",
                page + 1,
                reason
            ),
        }
    }
}

/// One word of a line: its text (NFC) and horizontal extent in points.
#[derive(Clone, Debug, PartialEq)]
pub struct Word {
    /// The word's text, NFC.
    pub text: String,
    /// Left edge (points).
    pub x0: f32,
    /// Right edge (points).
    pub x1: f32,
}

/// A line (or a segment of a line separated by a gap wider than ~3 em).
#[derive(Clone, Debug, PartialEq)]
pub struct TextLine {
    /// The words joined by single spaces, NFC.
    pub text: String,
    /// Left (points).
    pub x0: f32,
    /// Bottom (points): baseline − 0.35 em.
    pub y0: f32,
    /// Right (points).
    pub x1: f32,
    /// Top (points): baseline + 0.95 em.
    pub y1: f32,
    /// The baseline (points).
    pub baseline: f32,
    /// The largest font size on the line, in points (after the text matrix and CTM).
    pub font_size: f32,
    /// The words, left to right.
    pub words: Vec<Word>,
}

impl TextLine {
    /// The line's box.
    pub fn rect(&self) -> Rect {
        Rect { x0: self.x0, y0: self.y0, x1: self.x1, y1: self.y1 }
    }
    /// The line height (box height).
    pub fn height(&self) -> f32 {
        self.y1 - self.y0
    }
}

/// A rectangle in points (PDF user space, origin bottom-left).
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Rect {
    /// Left.
    pub x0: f32,
    /// Bottom.
    pub y0: f32,
    /// Right.
    pub x1: f32,
    /// Top.
    pub y1: f32,
}

/// Millimetres in one point.
pub const MM_PER_PT: f32 = 25.4 / 72.0;

/// Points to millimetres.
pub fn pt_to_mm(pt: f32) -> f32 {
    pt * MM_PER_PT
}

/// Millimetres to points.
pub fn mm_to_pt(mm: f32) -> f32 {
    mm / MM_PER_PT
}

impl Rect {
    /// Width in points.
    pub fn width(&self) -> f32 {
        self.x1 - self.x0
    }
    /// Height in points.
    pub fn height(&self) -> f32 {
        self.y1 - self.y0
    }
    /// Centre (x, y) in points.
    pub fn center(&self) -> (f32, f32) {
        ((self.x0 + self.x1) / 2.0, (self.y0 + self.y1) / 2.0)
    }
    /// Width in millimetres.
    pub fn width_mm(&self) -> f32 {
        pt_to_mm(self.width())
    }
    /// Height in millimetres.
    pub fn height_mm(&self) -> f32 {
        pt_to_mm(self.height())
    }
    /// The smallest rectangle holding both.
    pub fn union(&self, o: &Rect) -> Rect {
        Rect { x0: self.x0.min(o.x0), y0: self.y0.min(o.y0), x1: self.x1.max(o.x1), y1: self.y1.max(o.y1) }
    }
    /// Whether the horizontal extents overlap.
    pub fn overlaps_x(&self, o: &Rect) -> bool {
        self.x0 < o.x1 && o.x0 < self.x1
    }
    /// Whether the point lies inside (edges included).
    pub fn contains(&self, x: f32, y: f32) -> bool {
        x >= self.x0 && x <= self.x1 && y >= self.y0 && y <= self.y1
    }
}

/// A page's boxes and rotation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PageInfo {
    /// The MediaBox (points).
    pub media_box: Rect,
    /// The CropBox (points); the MediaBox when absent.
    pub crop_box: Rect,
    /// /Rotate, normalised to 0, 90, 180 or 270.
    pub rotation: u16,
}

/// A parsed PDF ready for text search.
pub struct TextDoc {
    doc: pdf_extract::Document,
    pages: Vec<pdf_extract::ObjectId>,
}

impl std::fmt::Debug for TextDoc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextDoc").field("pages", &self.pages.len()).finish()
    }
}

fn panic_reason(p: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "internal error in the PDF text reader".to_string()
    }
}

impl TextDoc {
    /// Read and parse a file (refusing files over [`MAX_TEXT_SEARCH_BYTES`]).
    pub fn open(path: &Path) -> Result<TextDoc, StampError> {
        let meta = std::fs::metadata(path).map_err(|source| StampError::Read { path: path.to_path_buf(), source })?;
        if meta.len() > MAX_TEXT_SEARCH_BYTES {
            return Err(StampError::TooLarge { size: meta.len(), limit: MAX_TEXT_SEARCH_BYTES });
        }
        let bytes = std::fs::read(path).map_err(|source| StampError::Read { path: path.to_path_buf(), source })?;
        TextDoc::from_bytes(&bytes)
    }

    /// Parse a PDF held in memory (refusing more than [`MAX_TEXT_SEARCH_BYTES`]).
    pub fn from_bytes(bytes: &[u8]) -> Result<TextDoc, StampError> {
        let size = bytes.len() as u64;
        if size > MAX_TEXT_SEARCH_BYTES {
            return Err(StampError::TooLarge { size, limit: MAX_TEXT_SEARCH_BYTES });
        }
        let doc = catch_unwind(AssertUnwindSafe(|| pdf_extract::Document::load_mem(bytes)))
            .map_err(|p| StampError::Parse(panic_reason(p)))?
            .map_err(|e| StampError::Parse(e.to_string()))?;
        let pages = catch_unwind(AssertUnwindSafe(|| doc.get_pages().into_values().collect::<Vec<_>>()))
            .map_err(|p| StampError::Parse(panic_reason(p)))?;
        if pages.is_empty() {
            return Err(StampError::Parse("no pages".into()));
        }
        Ok(TextDoc { doc, pages })
    }

    /// The number of pages.
    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    fn page_id(&self, index: usize) -> Result<pdf_extract::ObjectId, StampError> {
        self.pages.get(index).copied().ok_or(StampError::NoSuchPage { index, count: self.pages.len() })
    }

    /// The page's MediaBox, CropBox and rotation (inherited values followed).
    pub fn page_info(&self, index: usize) -> Result<PageInfo, StampError> {
        let id = self.page_id(index)?;
        let media = self.inherited(id, b"MediaBox").and_then(|o| self.rect_of(o));
        let media_box = media.unwrap_or(Rect { x0: 0.0, y0: 0.0, x1: 595.276, y1: 841.89 });
        let crop_box = self.inherited(id, b"CropBox").and_then(|o| self.rect_of(o)).unwrap_or(media_box);
        let rot = self.inherited(id, b"Rotate").and_then(|o| self.doc.dereference(o).ok().and_then(|(_, o)| o.as_i64().ok())).unwrap_or(0);
        let rotation = (rot.rem_euclid(360) / 90 * 90) as u16;
        Ok(PageInfo { media_box, crop_box, rotation })
    }

    fn inherited(&self, mut id: pdf_extract::ObjectId, key: &[u8]) -> Option<&pdf_extract::Object> {
        for _ in 0..64 {
            let dict = self.doc.get_object(id).ok()?.as_dict().ok()?;
            if let Ok(v) = dict.get(key) {
                return Some(v);
            }
            id = dict.get(b"Parent").ok()?.as_reference().ok()?;
        }
        None
    }

    fn rect_of(&self, o: &pdf_extract::Object) -> Option<Rect> {
        let (_, o) = self.doc.dereference(o).ok()?;
        let a = o.as_array().ok()?;
        if a.len() != 4 {
            return None;
        }
        let mut v = [0f32; 4];
        for (slot, item) in v.iter_mut().zip(a) {
            let (_, item) = self.doc.dereference(item).ok()?;
            *slot = item.as_float().ok()?;
        }
        Some(Rect { x0: v[0].min(v[2]), y0: v[1].min(v[3]), x1: v[0].max(v[2]), y1: v[1].max(v[3]) })
    }

    /// The page's text lines (0-based page index), top to bottom, left to right.
    pub fn page_lines(&self, index: usize) -> Result<Vec<TextLine>, StampError> {
        self.page_id(index)?;
        // pdf-extract numbers pages from 1 in page-tree order, like `get_pages`.
        let page_num = u32::try_from(index + 1).map_err(|_| StampError::NoSuchPage { index, count: self.pages.len() })?;
        let mut sink = GlyphSink::default();
        let res = catch_unwind(AssertUnwindSafe(|| pdf_extract::output_doc_page(&self.doc, &mut sink, page_num)));
        match res {
            Err(p) => return Err(StampError::Content { page: index, reason: panic_reason(p) }),
            Ok(Err(e)) => return Err(StampError::Content { page: index, reason: e.to_string() }),
            Ok(Ok(())) => {}
        }
        Ok(group_lines(sink.glyphs))
    }
}

/// Read the text lines of page `page_index` (0-based) of a PDF held in memory.
pub fn page_lines(pdf: &[u8], page_index: usize) -> Result<Vec<TextLine>, StampError> {
    TextDoc::from_bytes(pdf)?.page_lines(page_index)
}

/// The number of pages of a PDF held in memory.
pub fn page_count(pdf: &[u8]) -> Result<usize, StampError> {
    Ok(TextDoc::from_bytes(pdf)?.page_count())
}

/// The boxes and rotation of page `page_index` (0-based).
pub fn page_info(pdf: &[u8], page_index: usize) -> Result<PageInfo, StampError> {
    TextDoc::from_bytes(pdf)?.page_info(page_index)
}

#[derive(Clone, Debug)]
struct Glyph {
    text: String,
    x0: f32,
    x1: f32,
    base: f32,
    size: f32,
    space: bool,
}

#[derive(Default)]
struct GlyphSink {
    glyphs: Vec<Glyph>,
}

impl pdf_extract::OutputDev for GlyphSink {
    fn begin_page(
        &mut self,
        _page_num: u32,
        _media_box: &pdf_extract::MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
    fn end_page(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
    fn output_character(
        &mut self,
        trm: &pdf_extract::Transform,
        width: f64,
        spacing: f64,
        font_size: f64,
        char: &str,
    ) -> Result<(), pdf_extract::OutputError> {
        // Only upright, unrotated text: the signature block and the header are.
        if trm.m12.abs() > 1e-3 * trm.m11.abs().max(1e-9) || trm.m21.abs() > 1e-3 * trm.m22.abs().max(1e-9) {
            return Ok(());
        }
        if trm.m11 <= 0.0 || trm.m22 <= 0.0 {
            return Ok(());
        }
        let size = (font_size * trm.m22).abs() as f32;
        let x0 = trm.m31 as f32;
        let adv = (width * font_size * trm.m11) as f32;
        let _ = spacing;
        let base = trm.m32 as f32;
        if !(x0.is_finite() && adv.is_finite() && base.is_finite() && size.is_finite()) || size <= 0.0 {
            return Ok(());
        }
        let space = char.chars().all(char::is_whitespace);
        self.glyphs.push(Glyph { text: char.to_string(), x0, x1: x0 + adv.max(0.0), base, size, space });
        Ok(())
    }
    fn begin_word(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
    fn end_word(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
    fn end_line(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
}

/// Characters that print a blank to be filled in by hand (dots, ellipsis, underscores).
pub fn is_filler(c: char) -> bool {
    matches!(c, '.' | '…' | '_' | '‥' | '·')
}

fn group_lines(mut glyphs: Vec<Glyph>) -> Vec<TextLine> {
    glyphs.retain(|g| !g.text.is_empty());
    // Rows: glyphs whose baselines are within 0.3 of the smaller size.
    glyphs.sort_by(|a, b| b.base.total_cmp(&a.base).then(a.x0.total_cmp(&b.x0)));
    let mut rows: Vec<Vec<Glyph>> = Vec::new();
    for g in glyphs {
        match rows.last_mut() {
            Some(row)
                if {
                    let r = &row[0];
                    (r.base - g.base).abs() <= 0.3 * r.size.min(g.size)
                } =>
            {
                row.push(g)
            }
            _ => rows.push(vec![g]),
        }
    }
    let mut lines = Vec::new();
    for mut row in rows {
        row.sort_by(|a, b| a.x0.total_cmp(&b.x0));
        // Segments: split at horizontal gaps wider than 3 em.
        let mut seg: Vec<Glyph> = Vec::new();
        let mut right = f32::NEG_INFINITY;
        for g in row {
            if g.space {
                // Spaces separate words but never stretch a segment.
                if !seg.is_empty() {
                    seg.push(g);
                }
                continue;
            }
            if !seg.is_empty() && g.x0 - right > 3.0 * g.size {
                if let Some(l) = make_line(std::mem::take(&mut seg)) {
                    lines.push(l);
                }
            }
            right = if seg.is_empty() { g.x1 } else { right.max(g.x1) };
            seg.push(g);
        }
        if let Some(l) = make_line(seg) {
            lines.push(l);
        }
    }
    lines
}

fn make_line(glyphs: Vec<Glyph>) -> Option<TextLine> {
    let mut words: Vec<Word> = Vec::new();
    let mut cur: Vec<&Glyph> = Vec::new();
    let mut cx1 = f32::NEG_INFINITY;
    let mut size = 0f32;
    let mut base_sum = 0f32;
    let mut n = 0f32;
    let flush = |cur: &mut Vec<&Glyph>, words: &mut Vec<Word>| {
        split_fillers(cur, words);
        cur.clear();
    };
    let mut prev_space = false;
    for g in &glyphs {
        if g.space {
            prev_space = true;
            continue;
        }
        size = size.max(g.size);
        base_sum += g.base;
        n += 1.0;
        // A new word at a space or a geometric gap.
        let gap = g.x0 - cx1 > 0.2 * g.size;
        let mark_only = g.text.chars().all(unicode_normalization::char::is_combining_mark);
        if !cur.is_empty() && !mark_only && (prev_space || gap) {
            flush(&mut cur, &mut words);
        }
        cur.push(g);
        cx1 = cx1.max(g.x1);
        prev_space = false;
    }
    flush(&mut cur, &mut words);
    if words.is_empty() || n == 0.0 {
        return None;
    }
    let baseline = base_sum / n;
    let text = words.iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ");
    let x0 = words.iter().map(|w| w.x0).fold(f32::INFINITY, f32::min);
    let x1 = words.iter().map(|w| w.x1).fold(f32::NEG_INFINITY, f32::max);
    Some(TextLine { text, x0, y0: baseline + DESCENT * size, x1, y1: baseline + ASCENT * size, baseline, font_size: size, words })
}

/// Push the word made of `glyphs`, split where a run of fillers (an ellipsis,
/// underscores, or two or more dots) starts or ends, so "Số:……/…" gives
/// "Số:", "……", "/", "…" while "TM." and "45.000" stay whole.
fn split_fillers(glyphs: &[&Glyph], words: &mut Vec<Word>) {
    if glyphs.is_empty() {
        return;
    }
    let is_f = |g: &Glyph| g.text.chars().all(is_filler);
    // Mark glyphs that belong to a blank run.
    let mut blank = vec![false; glyphs.len()];
    let mut i = 0;
    while i < glyphs.len() {
        if is_f(glyphs[i]) {
            let mut j = i;
            while j < glyphs.len() && is_f(glyphs[j]) {
                j += 1;
            }
            let run = &glyphs[i..j];
            let long = run.len() >= 2 || run.iter().any(|g| g.text.chars().any(|c| matches!(c, '…' | '_' | '‥')));
            if long {
                blank[i..j].iter_mut().for_each(|b| *b = true);
            }
            i = j;
        } else {
            i += 1;
        }
    }
    let mut start = 0;
    for k in 1..=glyphs.len() {
        if k == glyphs.len() || blank[k] != blank[start] {
            let part = &glyphs[start..k];
            let text: String = part.iter().map(|g| g.text.as_str()).collect::<String>().nfc().collect();
            let x0 = part.iter().map(|g| g.x0).fold(f32::INFINITY, f32::min);
            let x1 = part.iter().map(|g| g.x1).fold(f32::NEG_INFINITY, f32::max);
            words.push(Word { text, x0, x1 });
            start = k;
        }
    }
}
