//! A small writer of whole new PDF documents: A4 pages, margins, word-wrapped
//! paragraphs and label/value rows in an embedded font, an optional page footer.
//!
//! Layout happens first (measured with [`EmbeddedFont::width`]), then each font used
//! is subset to exactly the characters placed and the file is serialised with
//! pdf-writer. Output is reproducible: the same content, creation date and fonts
//! give the same bytes.
//!
//! ```no_run
//! # fn main() -> Result<(), kyso::text::TextError> {
//! use kyso::text::{DocumentWriter, EmbeddedFont, PageSetup, TextStyle, Align};
//! let mut doc = DocumentWriter::new(EmbeddedFont::tinos()?, PageSetup::a4());
//! doc.bold_font(EmbeddedFont::tinos_bold()?);
//! doc.paragraph("THÔNG BÁO", TextStyle::new(14.0).bold().align(Align::Center));
//! doc.paragraph("Văn bản điện tử không được tiếp nhận.", TextStyle::new(12.0));
//! let pdf: Vec<u8> = doc.finish()?;
//! # Ok(()) }
//! ```

use pdf_writer::{Content, Date, Filter, Name, Pdf, Rect, Ref, TextStr};
use sha2::Digest;
use unicode_normalization::UnicodeNormalization;

use super::font::{deflate, EmbeddedFont, FontRefs};
use super::TextError;

/// Millimetres to points.
pub fn mm(v: f32) -> f32 {
    v * 72.0 / 25.4
}

/// Page size and margins, in points.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PageSetup {
    /// Page width.
    pub width: f32,
    /// Page height.
    pub height: f32,
    /// Top margin.
    pub margin_top: f32,
    /// Right margin.
    pub margin_right: f32,
    /// Bottom margin (the footer, if any, sits in it).
    pub margin_bottom: f32,
    /// Left margin.
    pub margin_left: f32,
}

impl PageSetup {
    /// A4 portrait (210 × 297 mm) with the margins of Decree 30/2020/NĐ-CP,
    /// Appendix I, for administrative documents: top and bottom 20 mm, left 30 mm,
    /// right 15 mm.
    pub fn a4() -> Self {
        PageSetup {
            width: mm(210.0),
            height: mm(297.0),
            margin_top: mm(20.0),
            margin_right: mm(15.0),
            margin_bottom: mm(20.0),
            margin_left: mm(30.0),
        }
    }

    /// Width available to text between the margins.
    pub fn content_width(&self) -> f32 {
        self.width - self.margin_left - self.margin_right
    }
}

/// Horizontal alignment of a paragraph's lines.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Align {
    /// Flush left (ragged right).
    #[default]
    Left,
    /// Centred between the margins.
    Center,
    /// Flush right.
    Right,
}

/// How a paragraph or one side of a row is set.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TextStyle {
    /// Font size in points.
    pub size: f32,
    /// Use the bold font (the regular one when no bold font was given).
    pub bold: bool,
    /// Alignment of each line.
    pub align: Align,
    /// Line height as a multiple of the size.
    pub leading: f32,
    /// Extra space above, in points (dropped at the top of a page).
    pub space_before: f32,
    /// Extra space below, in points.
    pub space_after: f32,
    /// Left indent of every line, in points.
    pub indent: f32,
}

impl TextStyle {
    /// Regular, left-aligned, line height 1.2 × `size`, no extra space.
    pub fn new(size: f32) -> Self {
        TextStyle { size, bold: false, align: Align::Left, leading: 1.2, space_before: 0.0, space_after: 0.0, indent: 0.0 }
    }

    /// Set in the bold font.
    pub fn bold(mut self) -> Self {
        self.bold = true;
        self
    }

    /// With this alignment.
    pub fn align(mut self, align: Align) -> Self {
        self.align = align;
        self
    }

    /// With this line height (multiple of the size).
    pub fn leading(mut self, leading: f32) -> Self {
        self.leading = leading;
        self
    }

    /// With this much space above.
    pub fn space_before(mut self, pt: f32) -> Self {
        self.space_before = pt;
        self
    }

    /// With this much space below.
    pub fn space_after(mut self, pt: f32) -> Self {
        self.space_after = pt;
        self
    }

    /// Indented by `pt` on the left.
    pub fn indent(mut self, pt: f32) -> Self {
        self.indent = pt;
        self
    }

    fn validate(&self) -> Result<(), TextError> {
        let positive = |v: f32| v.is_finite() && v > 0.0;
        let non_negative = |v: f32| v.is_finite() && v >= 0.0;
        let good = positive(self.size)
            && positive(self.leading)
            && non_negative(self.space_before)
            && non_negative(self.space_after)
            && non_negative(self.indent);
        if !good {
            return Err(TextError::Layout(format!("bad text style {self:?}")));
        }
        Ok(())
    }
}

enum Block {
    Paragraph { text: String, style: TextStyle },
    Row { label: String, label_style: TextStyle, value: String, value_style: TextStyle, label_width: f32 },
    Space(f32),
    Rule { space: f32 },
    Columns { texts: Vec<String>, style: TextStyle },
}

/// A new PDF document being assembled; [`finish`](Self::finish) lays it out and
/// returns its bytes.
pub struct DocumentWriter<'f> {
    regular: &'f EmbeddedFont,
    bold: Option<&'f EmbeddedFont>,
    page: PageSetup,
    blocks: Vec<Block>,
    title: Option<String>,
    lang: Option<String>,
    created: Option<time::OffsetDateTime>,
    footer: Option<(String, TextStyle)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Face {
    Regular,
    Bold,
}

struct Placed {
    face: Face,
    size: f32,
    x: f32,
    y: f32,
    text: String,
}

#[derive(Default)]
struct PageOut {
    texts: Vec<Placed>,
    rules: Vec<[f32; 4]>,
}

impl<'f> DocumentWriter<'f> {
    /// An empty document set in `regular`, with pages of `page`.
    pub fn new(regular: &'f EmbeddedFont, page: PageSetup) -> Self {
        DocumentWriter { regular, bold: None, page, blocks: Vec::new(), title: None, lang: None, created: None, footer: None }
    }

    /// The font for bold styles (without one, bold text is set in the regular font).
    pub fn bold_font(&mut self, bold: &'f EmbeddedFont) -> &mut Self {
        self.bold = Some(bold);
        self
    }

    /// The document title (`/Title`, shown by viewers instead of the file name).
    pub fn title(&mut self, title: &str) -> &mut Self {
        self.title = Some(title.nfc().collect());
        self
    }

    /// The natural language of the text (`/Lang`, BCP 47, e.g. `vi`).
    pub fn language(&mut self, lang: &str) -> &mut Self {
        self.lang = Some(lang.into());
        self
    }

    /// `/CreationDate`, written in Vietnam time (R18). Without it there is none.
    pub fn created(&mut self, at: time::OffsetDateTime) -> &mut Self {
        self.created = Some(at);
        self
    }

    /// A one-line footer centred in the bottom margin of every page; `{page}` and
    /// `{pages}` are replaced by the page number and the page count.
    pub fn footer(&mut self, template: &str, style: TextStyle) -> &mut Self {
        self.footer = Some((template.into(), style));
        self
    }

    /// A paragraph, word-wrapped to the text width; `\n` starts a new line.
    /// A word wider than a line is broken between characters.
    pub fn paragraph(&mut self, text: &str, style: TextStyle) -> &mut Self {
        self.blocks.push(Block::Paragraph { text: text.into(), style });
        self
    }

    /// A row of a two-column table: `label` wrapped in the first `label_width`
    /// points (after the label style's indent), `value` wrapped in the rest. Rows
    /// break across pages line by line. The row's space before and after come from
    /// `value_style`.
    pub fn row(&mut self, label: &str, label_style: TextStyle, value: &str, value_style: TextStyle, label_width: f32) -> &mut Self {
        self.blocks.push(Block::Row { label: label.into(), label_style, value: value.into(), value_style, label_width });
        self
    }

    /// Texts side by side in equal columns across the content width, each centred
    /// (and wrapped) in its own column: signature blocks of several people.
    pub fn columns(&mut self, texts: &[String], style: TextStyle) -> &mut Self {
        self.blocks.push(Block::Columns { texts: texts.to_vec(), style });
        self
    }

    /// Vertical space, in points.
    pub fn space(&mut self, pt: f32) -> &mut Self {
        self.blocks.push(Block::Space(pt));
        self
    }

    /// A thin horizontal line across the text width, with `space` points above and below.
    pub fn rule(&mut self, space: f32) -> &mut Self {
        self.blocks.push(Block::Rule { space });
        self
    }

    fn font(&self, face: Face) -> &'f EmbeddedFont {
        match face {
            Face::Bold => self.bold.unwrap_or(self.regular),
            Face::Regular => self.regular,
        }
    }

    fn face(&self, style: &TextStyle) -> Face {
        if style.bold && self.bold.is_some() {
            Face::Bold
        } else {
            Face::Regular
        }
    }

    /// Lay out, subset the fonts and serialise. Characters missing from a font are
    /// a [`TextError::MissingGlyphs`] naming them.
    pub fn finish(self) -> Result<Vec<u8>, TextError> {
        let pages = self.layout()?;
        self.serialise(pages)
    }

    fn layout(&self) -> Result<Vec<PageOut>, TextError> {
        let p = &self.page;
        let dims = [p.width, p.height, p.margin_top, p.margin_right, p.margin_bottom, p.margin_left];
        if dims.iter().any(|v| !v.is_finite() || *v < 0.0) || p.content_width() <= 0.0 || p.height - p.margin_top - p.margin_bottom <= 0.0 {
            return Err(TextError::Layout(format!("bad page setup {p:?}")));
        }
        let mut l = Layout { top: p.height - p.margin_top, bottom: p.margin_bottom, cursor: 0.0, pages: Vec::new() };
        l.new_page();
        let width = p.content_width();
        for block in &self.blocks {
            match block {
                Block::Paragraph { text, style } => {
                    style.validate()?;
                    let face = self.face(style);
                    let font = self.font(face);
                    let avail = width - style.indent;
                    if avail <= 0.0 {
                        return Err(TextError::Layout("indent wider than the page".into()));
                    }
                    l.space_before(style.space_before);
                    let (pad, lh) = line_box(font, style);
                    for line in wrap(font, text, style.size, avail) {
                        l.ensure(lh);
                        let w = font.width(&line, style.size);
                        let x = p.margin_left
                            + style.indent
                            + match style.align {
                                Align::Left => 0.0,
                                Align::Center => (avail - w) / 2.0,
                                Align::Right => avail - w,
                            };
                        let y = l.cursor - pad;
                        l.place(Placed { face, size: style.size, x, y, text: line });
                        l.cursor -= lh;
                    }
                    l.cursor -= style.space_after;
                }
                Block::Row { label, label_style, value, value_style, label_width } => {
                    label_style.validate()?;
                    value_style.validate()?;
                    let (lf, vf) = (self.face(label_style), self.face(value_style));
                    let (lfont, vfont) = (self.font(lf), self.font(vf));
                    let label_avail = label_width - label_style.indent;
                    let value_avail = width - label_width - value_style.indent;
                    if !label_width.is_finite() || label_avail <= 0.0 || value_avail <= 0.0 {
                        return Err(TextError::Layout(format!("bad label width {label_width}")));
                    }
                    l.space_before(value_style.space_before.max(label_style.space_before));
                    let labels = wrap(lfont, label, label_style.size, label_avail);
                    let values = wrap(vfont, value, value_style.size, value_avail);
                    let (lpad, llh) = line_box(lfont, label_style);
                    let (vpad, vlh) = line_box(vfont, value_style);
                    let mut labels = labels.into_iter();
                    let mut values = values.into_iter();
                    loop {
                        let (lt, vt) = (labels.next(), values.next());
                        if lt.is_none() && vt.is_none() {
                            break;
                        }
                        let pad = match (&lt, &vt) {
                            (Some(_), Some(_)) => lpad.max(vpad),
                            (Some(_), None) => lpad,
                            _ => vpad,
                        };
                        let below_l = if lt.is_some() { llh - lpad } else { 0.0 };
                        let below_v = if vt.is_some() { vlh - vpad } else { 0.0 };
                        let h = pad + below_l.max(below_v);
                        l.ensure(h);
                        let y = l.cursor - pad;
                        if let Some(text) = lt {
                            let x = p.margin_left + label_style.indent;
                            l.place(Placed { face: lf, size: label_style.size, x, y, text });
                        }
                        if let Some(text) = vt {
                            let x = p.margin_left + label_width + value_style.indent;
                            l.place(Placed { face: vf, size: value_style.size, x, y, text });
                        }
                        l.cursor -= h;
                    }
                    l.cursor -= value_style.space_after.max(label_style.space_after);
                }
                Block::Columns { texts, style } => {
                    style.validate()?;
                    if texts.is_empty() {
                        continue;
                    }
                    let face = self.face(style);
                    let font = self.font(face);
                    let col = width / texts.len() as f32;
                    l.space_before(style.space_before);
                    let (pad, lh) = line_box(font, style);
                    let wrapped: Vec<Vec<String>> = texts.iter().map(|t| wrap(font, t, style.size, col)).collect();
                    let rows = wrapped.iter().map(Vec::len).max().unwrap_or(0);
                    for r in 0..rows {
                        l.ensure(lh);
                        let y = l.cursor - pad;
                        for (i, lines) in wrapped.iter().enumerate() {
                            if let Some(line) = lines.get(r) {
                                let w = font.width(line, style.size);
                                let x = p.margin_left + col * i as f32 + (col - w) / 2.0;
                                l.place(Placed { face, size: style.size, x, y, text: line.clone() });
                            }
                        }
                        l.cursor -= lh;
                    }
                    l.cursor -= style.space_after;
                }
                Block::Space(pt) => {
                    if pt.is_finite() && *pt > 0.0 {
                        l.cursor -= pt;
                    }
                }
                Block::Rule { space } => {
                    let space = if space.is_finite() { space.max(0.0) } else { 0.0 };
                    l.ensure(2.0 * space + 1.0);
                    let y = l.cursor - space;
                    if let Some(page) = l.pages.last_mut() {
                        page.rules.push([p.margin_left, y, p.width - p.margin_right, y]);
                    }
                    l.cursor = y - space;
                }
            }
        }
        if let Some((template, style)) = &self.footer {
            style.validate()?;
            let face = self.face(style);
            let font = self.font(face);
            let count = l.pages.len();
            for (i, page) in l.pages.iter_mut().enumerate() {
                let text: String = template.replace("{page}", &(i + 1).to_string()).replace("{pages}", &count.to_string());
                let text: String = text.nfc().filter(|c| *c != '\n').collect();
                let w = font.width(&text, style.size);
                let x = match style.align {
                    Align::Left => p.margin_left,
                    Align::Center => p.margin_left + (width - w) / 2.0,
                    Align::Right => p.width - p.margin_right - w,
                };
                let y = p.margin_bottom / 2.0;
                page.texts.push(Placed { face, size: style.size, x, y, text });
            }
        }
        Ok(l.pages)
    }

    fn serialise(&self, pages: Vec<PageOut>) -> Result<Vec<u8>, TextError> {
        // Subset each face to exactly what was placed.
        let mut used = [String::new(), String::new()];
        for t in pages.iter().flat_map(|p| p.texts.iter()) {
            used[t.face as usize].push_str(&t.text);
        }
        let mut alloc = Ref::new(1);
        let catalog = alloc.bump();
        let tree = alloc.bump();
        let info = alloc.bump();
        let mut pdf = Pdf::new();
        let mut fonts: Vec<(Face, &'static [u8], FontRefs, super::FontSubset)> = Vec::new();
        for (face, name) in [(Face::Regular, &b"F1"[..]), (Face::Bold, &b"F2"[..])] {
            let text = &used[face as usize];
            if text.is_empty() {
                continue;
            }
            let subset = self.font(face).subset_for(text)?;
            let refs = FontRefs::allocate(&mut alloc);
            subset.write(&mut pdf, &refs)?;
            fonts.push((face, name, refs, subset));
        }

        let mut id_hash = sha2::Sha256::new();
        let mut page_refs = Vec::with_capacity(pages.len());
        for page in &pages {
            let mut content = Content::new();
            for t in &page.texts {
                let Some((_, name, _, subset)) = fonts.iter().find(|f| f.0 == t.face) else {
                    return Err(TextError::Layout("text placed in a font that was not embedded".into()));
                };
                subset.show(&mut content, name, t.size, t.x, t.y, &t.text)?;
            }
            if !page.rules.is_empty() {
                content.set_line_width(0.5);
                for [x1, y1, x2, y2] in &page.rules {
                    content.move_to(*x1, *y1);
                    content.line_to(*x2, *y2);
                }
                content.stroke();
            }
            let raw = content.finish();
            id_hash.update(&*raw);
            let data = deflate(&raw).map_err(|e| TextError::Layout(format!("compressing a page: {e}")))?;
            let page_ref = alloc.bump();
            let content_ref = alloc.bump();
            pdf.stream(content_ref, &data).filter(Filter::FlateDecode);
            let mut pw = pdf.page(page_ref);
            pw.media_box(Rect::new(0.0, 0.0, self.page.width, self.page.height)).parent(tree).contents(content_ref);
            let mut res = pw.resources();
            let mut fd = res.fonts();
            for (_, name, refs, _) in &fonts {
                fd.pair(Name(name), refs.type0);
            }
            drop(fd);
            drop(res);
            drop(pw);
            page_refs.push(page_ref);
        }
        let count = i32::try_from(page_refs.len()).map_err(|_| TextError::Layout("too many pages".into()))?;
        pdf.pages(tree).kids(page_refs.iter().copied()).count(count);

        let mut cat = pdf.catalog(catalog);
        cat.pages(tree);
        if let Some(lang) = &self.lang {
            cat.lang(TextStr(lang));
        }
        if self.title.is_some() {
            cat.viewer_preferences().display_doc_title(true);
        }
        drop(cat);
        let mut di = pdf.document_info(info);
        di.producer(TextStr("KýSố"));
        if let Some(title) = &self.title {
            di.title(TextStr(title));
            id_hash.update(title.as_bytes());
        }
        if let Some(at) = self.created {
            let t = at.to_offset(crate::time::VIETNAM);
            let year = u16::try_from(t.year()).unwrap_or(0);
            di.creation_date(
                Date::new(year)
                    .month(u8::from(t.month()))
                    .day(t.day())
                    .hour(t.hour())
                    .minute(t.minute())
                    .second(t.second())
                    .utc_offset_hour(7)
                    .utc_offset_minute(0),
            );
            id_hash.update(crate::time::iso8601(at).as_bytes());
        }
        drop(di);
        let id = id_hash.finalize().get(..16).map(<[u8]>::to_vec).unwrap_or_default();
        pdf.set_file_id((id.clone(), id));
        Ok(pdf.finish())
    }
}

struct Layout {
    top: f32,
    bottom: f32,
    cursor: f32,
    pages: Vec<PageOut>,
}

impl Layout {
    fn new_page(&mut self) {
        self.pages.push(PageOut::default());
        self.cursor = self.top;
    }

    fn at_top(&self) -> bool {
        self.cursor >= self.top
    }

    /// Start a new page unless `h` points still fit (or the page is still empty).
    fn ensure(&mut self, h: f32) {
        if self.cursor - h < self.bottom && !self.at_top() {
            self.new_page();
        }
    }

    fn space_before(&mut self, pt: f32) {
        if !self.at_top() {
            self.cursor -= pt;
        }
    }

    fn place(&mut self, t: Placed) {
        if let Some(page) = self.pages.last_mut() {
            page.texts.push(t);
        }
    }
}

/// (distance from the top of a line box to the baseline, line box height).
fn line_box(font: &EmbeddedFont, style: &TextStyle) -> (f32, f32) {
    let m = font.metrics(style.size);
    let lh = style.size * style.leading;
    let glyphs = m.ascender - m.descender;
    (m.ascender + (lh - glyphs) / 2.0, lh)
}

/// Greedy word wrap (NFC first): words are separated by spaces and tabs, `\n`
/// forces a break, a word wider than `max` is broken between characters.
/// Always at least one line per hard line (possibly empty).
pub fn wrap(font: &EmbeddedFont, text: &str, size: f32, max: f32) -> Vec<String> {
    let text: String = text.nfc().collect();
    let space = font.width(" ", size);
    let mut lines = Vec::new();
    for hard in text.split('\n') {
        let mut line = String::new();
        let mut line_w = 0.0f32;
        for word in hard.split([' ', '\t', '\r']).filter(|w| !w.is_empty()) {
            let w = font.width(word, size);
            if line.is_empty() && w <= max {
                line.push_str(word);
                line_w = w;
                continue;
            }
            if !line.is_empty() && line_w + space + w <= max {
                line.push(' ');
                line.push_str(word);
                line_w += space + w;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                line_w = 0.0;
            }
            if w <= max {
                line.push_str(word);
                line_w = w;
                continue;
            }
            for c in word.chars() {
                let cw = font.width(c.encode_utf8(&mut [0; 4]), size);
                if !line.is_empty() && line_w + cw > max {
                    lines.push(std::mem::take(&mut line));
                    line_w = 0.0;
                }
                line.push(c);
                line_w += cw;
            }
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn tinos() -> &'static EmbeddedFont {
        EmbeddedFont::tinos().expect("bundled Tinos")
    }

    #[test]
    fn wraps_within_the_width() {
        let f = tinos();
        let text = "Đề nghị cơ quan, đơn vị gửi văn bản kiểm tra lại chữ ký số và gửi lại văn bản điện tử đã được ký số hợp lệ.";
        let lines = wrap(f, text, 12.0, 200.0);
        assert!(lines.len() > 2, "{lines:?}");
        for l in &lines {
            assert!(f.width(l, 12.0) <= 200.0, "{l}");
        }
        assert_eq!(lines.join(" "), text);
    }

    #[test]
    fn breaks_long_words_and_keeps_hard_breaks() {
        let f = tinos();
        let hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        let lines = wrap(f, hash, 10.0, 100.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.concat(), hash);
        assert_eq!(wrap(f, "a\n\nb", 10.0, 100.0), vec!["a", "", "b"]);
        assert_eq!(wrap(f, "", 10.0, 100.0), vec![""]);
    }

    #[test]
    fn writes_a_pdf_and_refuses_missing_glyphs() {
        let f = tinos();
        let mut doc = DocumentWriter::new(f, PageSetup::a4());
        doc.paragraph("Xin chào Việt Nam", TextStyle::new(12.0));
        let pdf = doc.finish().expect("pdf");
        assert!(pdf.starts_with(b"%PDF-1.7"));
        assert!(pdf.windows(b"/FontFile2".len()).any(|w| w == b"/FontFile2"));

        let mut doc = DocumentWriter::new(f, PageSetup::a4());
        doc.paragraph("Người ký: 张三", TextStyle::new(12.0));
        match doc.finish() {
            Err(TextError::MissingGlyphs { chars, .. }) => assert_eq!(chars, vec!['张', '三']),
            other => panic!("unexpected {:?}", other.map(|b| b.len())),
        }
    }

    #[test]
    fn long_text_flows_onto_more_pages() {
        let f = tinos();
        let mut doc = DocumentWriter::new(f, PageSetup::a4());
        doc.footer("Trang {page}/{pages}", TextStyle::new(9.0).align(Align::Center));
        for i in 0..120 {
            doc.paragraph(&format!("Dòng thứ {i}: nội dung kiểm tra."), TextStyle::new(12.0));
        }
        let pages = doc.layout().expect("layout");
        assert!(pages.len() >= 3, "{}", pages.len());
        assert!(pages.iter().all(|p| p.texts.iter().all(|t| t.y >= 0.0)));
        assert_eq!(pages[0].texts.last().map(|t| t.text.as_str()), Some(format!("Trang 1/{}", pages.len()).as_str()));
    }

    #[test]
    fn rejects_bad_layouts() {
        let f = tinos();
        let mut doc = DocumentWriter::new(f, PageSetup::a4());
        doc.paragraph("x", TextStyle::new(0.0));
        assert!(matches!(doc.finish(), Err(TextError::Layout(_))));
        let mut doc = DocumentWriter::new(f, PageSetup::a4());
        doc.row("a", TextStyle::new(10.0), "b", TextStyle::new(10.0), 10_000.0);
        assert!(matches!(doc.finish(), Err(TextError::Layout(_))));
    }
}
