//! Anchors in the document's own text: the signer's block (R1: the blank between
//! the title lines and the name) and, on page 1, the blanks for the number
//! (`Số:      /QĐ-UBND`) and the date (`…, ngày    tháng    năm 2026`) (R8).
//!
//! Matching ignores diacritics, case and spacing ([`fold`]). Every position is
//! in points, PDF user space (origin bottom-left), from glyph geometry.

use unicode_normalization::UnicodeNormalization;

use super::text::is_filler;
pub use super::text::{mm_to_pt, pt_to_mm, Rect, TextLine, Word};

/// Fold text for matching: NFD, combining marks dropped, đ→d, Đ→D, lowercase,
/// whitespace collapsed to single spaces and trimmed.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.nfd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        match c {
            'đ' | 'Đ' => out.push('d'),
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// A signature block: the name line, the title lines above it, and the blank
/// between them where the handwritten signature goes.
#[derive(Clone, Debug, PartialEq)]
pub struct SignatureBlock {
    /// The signer's name line.
    pub name: TextLine,
    /// The title lines, top to bottom (e.g. "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH").
    pub titles: Vec<TextLine>,
    /// The blank between the lowest title line's bottom and the name line's top,
    /// spanning the column of the name and title lines.
    pub blank: Rect,
}

/// The blank for the document number on `Số:      /QĐ-UBND`.
#[derive(Clone, Debug, PartialEq)]
pub struct Blank {
    /// Left of the blank: the end of "Số:" (points).
    pub x0: f32,
    /// Right of the blank: the start of "/…" (points); when there is no "/",
    /// the end of the printed filler or 6 em after "Số:".
    pub x1: f32,
    /// The line's baseline (points).
    pub baseline: f32,
    /// The line's font size (points).
    pub font_size: f32,
    /// The printed symbol after the blank, e.g. "/QĐ-UBND" (fillers removed);
    /// empty when none is printed.
    pub symbol: String,
    /// Whether a symbol (letters after "/") is printed.
    pub symbol_printed: bool,
}

/// A horizontal span in points.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Span {
    /// Left (points).
    pub x0: f32,
    /// Right (points).
    pub x1: f32,
}

impl Span {
    /// Width in points.
    pub fn width(&self) -> f32 {
        self.x1 - self.x0
    }
    /// The centre in points.
    pub fn center(&self) -> f32 {
        (self.x0 + self.x1) / 2.0
    }
}

/// The blanks of `…, ngày    tháng    năm 2026`.
#[derive(Clone, Debug, PartialEq)]
pub struct DateBlanks {
    /// After "ngày", when the day is blank.
    pub day: Option<Span>,
    /// After "tháng", when the month is blank.
    pub month: Option<Span>,
    /// After "năm", when the year is blank.
    pub year: Option<Span>,
    /// The line's baseline (points).
    pub baseline: f32,
    /// The line's font size (points).
    pub font_size: f32,
}

/// Titles that start or make up a signer's title line (folded).
const TITLE_WORDS: &[&str] = &[
    "chu tich",
    "giam doc",
    "bo truong",
    "thu truong",
    "truong",
    "pho",
    "kt.",
    "tm.",
    "q.",
    "tl.",
    "tuq.",
    "bi thu",
    "chanh",
    "vien truong",
    "hieu truong",
    "tong giam doc",
    "dai dien",
];

fn center_x(l: &TextLine) -> f32 {
    (l.x0 + l.x1) / 2.0
}

/// Whether `l` belongs to the same (centred) column as `anchor`.
fn same_column(l: &TextLine, anchor: &TextLine) -> bool {
    if !l.rect().overlaps_x(&anchor.rect()) {
        return false;
    }
    // Centred blocks share their centre; left-aligned ones their left edge.
    let em = anchor.font_size.max(l.font_size);
    (center_x(l) - center_x(anchor)).abs() <= 2.0 * em || (l.x0 - anchor.x0).abs() <= em
}

/// Lines strictly above `l` in its column, nearest first.
fn above<'a>(lines: &'a [TextLine], l: &TextLine) -> Vec<&'a TextLine> {
    let mut v: Vec<&TextLine> = lines.iter().filter(|o| o.baseline > l.baseline + 0.5 * l.font_size && same_column(o, l)).collect();
    v.sort_by(|a, b| a.baseline.total_cmp(&b.baseline));
    v
}

/// Lines strictly below `l` in its column, nearest first.
fn below<'a>(lines: &'a [TextLine], l: &TextLine) -> Vec<&'a TextLine> {
    let mut v: Vec<&TextLine> = lines.iter().filter(|o| o.baseline < l.baseline - 0.5 * l.font_size && same_column(o, l)).collect();
    v.sort_by(|a, b| b.baseline.total_cmp(&a.baseline));
    v
}

fn is_upper(s: &str) -> bool {
    s.chars().any(char::is_alphabetic) && s.chars().all(|c| !c.is_lowercase())
}

fn has_title_word(line: &TextLine) -> bool {
    let f = format!(" {} ", fold(&line.text));
    TITLE_WORDS.iter().any(|w| f.contains(&format!(" {w} ")))
}

/// The largest blank between a title and the name: 100 mm.
const MAX_BLANK_PT: f32 = 100.0 * 72.0 / 25.4;

/// Build the block from the name line: the title lines are the nearest lines
/// above it in the same column, stopping at a vertical gap > 3 line heights
/// (the gap between the name and the first title is the blank itself).
fn block_from_name(lines: &[TextLine], name: &TextLine) -> Option<SignatureBlock> {
    let cand = above(lines, name);
    let first = *cand.first()?;
    if first.y0 - name.y1 > MAX_BLANK_PT {
        return None;
    }
    let mut titles = vec![first.clone()];
    let mut last = first;
    for l in cand.iter().skip(1) {
        let gap = l.y0 - last.y1;
        if gap > 3.0 * last.height() || !same_column(l, first) {
            break;
        }
        titles.push((*l).clone());
        last = l;
    }
    titles.reverse();
    let mut col = name.rect();
    for t in &titles {
        col = col.union(&t.rect());
    }
    let blank = Rect { x0: col.x0, x1: col.x1, y0: name.y1, y1: first.y0 };
    Some(SignatureBlock { name: name.clone(), titles, blank })
}

/// Whether the folded line text names the signer (equal, or containing the name
/// as whole words).
fn names(line: &TextLine, folded_name: &str) -> bool {
    let f = fold(&line.text);
    f == folded_name || format!(" {f} ").contains(&format!(" {folded_name} "))
}

/// All signature blocks of `signer_name` on the page, bottom first.
pub fn find_signature_blocks(lines: &[TextLine], signer_name: &str) -> Vec<SignatureBlock> {
    let key = fold(signer_name);
    if key.is_empty() {
        return Vec::new();
    }
    let mut hits: Vec<&TextLine> = lines.iter().filter(|l| names(l, &key)).collect();
    hits.sort_by(|a, b| a.baseline.total_cmp(&b.baseline).then(b.x0.total_cmp(&a.x0)));
    hits.into_iter().filter_map(|n| block_from_name(lines, n)).collect()
}

/// Find the signature block on a page.
///
/// With `signer_name`, the name line is the lowest line on the page whose
/// folded text is (or contains) the folded name and that has title lines above
/// it. Without it, the title line is the lowest line matching `title` (or, with
/// no `title` either, an upper-case line with a known title word: CHỦ TỊCH,
/// GIÁM ĐỐC, KT., TM., …) that has a blank below it, and the name is the first
/// line below the blank.
pub fn find_signature_block(lines: &[TextLine], signer_name: Option<&str>, title: Option<&str>) -> Option<SignatureBlock> {
    if let Some(name) = signer_name.filter(|n| !fold(n).is_empty()) {
        let blocks = find_signature_blocks(lines, name);
        // With a title as well, prefer the block that carries it.
        if let Some(t) = title.map(fold).filter(|t| !t.is_empty()) {
            if let Some(b) = blocks.iter().find(|b| b.titles.iter().any(|l| fold(&l.text).contains(&t))) {
                return Some(b.clone());
            }
        }
        return blocks.into_iter().next();
    }
    let key = title.map(fold).filter(|t| !t.is_empty());
    let mut cands: Vec<&TextLine> = lines
        .iter()
        .filter(|l| match &key {
            Some(k) => fold(&l.text).contains(k.as_str()),
            None => is_upper(&l.text) && has_title_word(l),
        })
        .collect();
    cands.sort_by(|a, b| a.baseline.total_cmp(&b.baseline).then(b.x0.total_cmp(&a.x0)));
    for t in cands {
        let Some(name) = below(lines, t).into_iter().next() else { continue };
        // A blank of at least two line heights between the title and the name.
        if t.y0 - name.y1 < 2.0 * t.height() {
            continue;
        }
        if let Some(b) = block_from_name(lines, name) {
            if b.titles.iter().any(|l| l == t) {
                return Some(b);
            }
        }
    }
    None
}

/// Every signature block on the page found by its title words (an upper-case
/// line with CHỦ TỊCH, GIÁM ĐỐC, KT., TM.… above a blank above a name), bottom
/// first, each name line once.
pub fn find_all_signature_blocks(lines: &[TextLine]) -> Vec<SignatureBlock> {
    let mut cands: Vec<&TextLine> = lines.iter().filter(|l| is_upper(&l.text) && has_title_word(l)).collect();
    cands.sort_by(|a, b| a.baseline.total_cmp(&b.baseline).then(b.x0.total_cmp(&a.x0)));
    let mut out: Vec<SignatureBlock> = Vec::new();
    for t in cands {
        let Some(name) = below(lines, t).into_iter().next() else { continue };
        if t.y0 - name.y1 < 2.0 * t.height() {
            continue;
        }
        if let Some(b) = block_from_name(lines, name) {
            if b.titles.iter().any(|l| l == t) && !out.iter().any(|o| o.name == b.name) {
                out.push(b);
            }
        }
    }
    out
}

/// Rows: segments sharing a baseline, merged left to right (header lines are
/// often split into several segments by wide blanks).
fn rows(lines: &[TextLine]) -> Vec<(f32, f32, Vec<&Word>)> {
    let mut sorted: Vec<&TextLine> = lines.iter().collect();
    sorted.sort_by(|a, b| b.baseline.total_cmp(&a.baseline).then(a.x0.total_cmp(&b.x0)));
    let mut out: Vec<(f32, f32, Vec<&Word>)> = Vec::new();
    for l in sorted {
        match out.last_mut() {
            Some((base, size, words)) if (*base - l.baseline).abs() <= 0.3 * size.min(l.font_size) => {
                words.extend(l.words.iter());
                *size = size.max(l.font_size);
            }
            _ => out.push((l.baseline, l.font_size, l.words.iter().collect())),
        }
    }
    for (_, _, words) in &mut out {
        words.sort_by(|a, b| a.x0.total_cmp(&b.x0));
    }
    out
}

fn only_fillers(s: &str) -> bool {
    !s.is_empty() && s.chars().all(is_filler)
}

/// Find the number blank of `Số:      /QĐ-UBND` (also `Số: ……/QĐ-UBND`,
/// `Số:……/…`), the topmost on the page.
pub fn find_number_blank(lines: &[TextLine]) -> Option<Blank> {
    for (baseline, font_size, words) in rows(lines) {
        for (i, w) in words.iter().enumerate() {
            let f = fold(&w.text);
            let Some(rest) = f.strip_prefix("so:").or_else(|| (f == "so").then_some("")) else { continue };
            let mut x0 = w.x1;
            let mut j = i + 1;
            if f == "so" {
                // "Số :" written with a space.
                match words.get(j) {
                    Some(c) if c.text == ":" => {
                        x0 = c.x1;
                        j += 1;
                    }
                    _ => continue,
                }
            } else if !rest.is_empty() && !only_fillers(rest) && !rest.starts_with('/') {
                // "Số:12/…" is already numbered.
                continue;
            }
            // Skip fillers; the blank ends at the word starting with "/".
            let mut filler_end = None;
            let mut symbol = String::new();
            let mut x1 = None;
            while let Some(n) = words.get(j) {
                if only_fillers(&n.text) {
                    filler_end = Some(n.x1);
                    j += 1;
                    continue;
                }
                if n.text.starts_with('/') {
                    x1 = Some(n.x0);
                    symbol = n.text.clone();
                }
                break;
            }
            let x1 = match x1 {
                Some(x) => x,
                None if words.get(j).is_some_and(|n| n.x0 - x0 > font_size) => {
                    // Something else after a gap: take the gap (at most 12 em).
                    words.get(j).map(|n| n.x0.min(x0 + 12.0 * font_size)).unwrap_or(x0)
                }
                // Text right after "Số:" (e.g. "12/QĐ-UBND"): already numbered.
                None if words.get(j).is_some() && filler_end.is_none() => continue,
                None => filler_end.unwrap_or(x0 + 6.0 * font_size),
            };
            if x1 <= x0 {
                continue;
            }
            let letters: String = symbol.chars().filter(|c| c.is_alphanumeric()).collect();
            let symbol_printed = symbol.starts_with('/') && !letters.is_empty();
            let symbol = if symbol_printed { symbol } else { String::new() };
            return Some(Blank { x0, x1, baseline, font_size, symbol, symbol_printed });
        }
    }
    None
}

/// Find the date blanks of `…, ngày    tháng    năm 2026`, the topmost on the page.
pub fn find_date_blanks(lines: &[TextLine]) -> Option<DateBlanks> {
    for (baseline, font_size, words) in rows(lines) {
        let folded: Vec<String> = words.iter().map(|w| fold(&w.text)).collect();
        let Some(d) = folded.iter().position(|f| f == "ngay") else { continue };
        let Some(m) = folded.iter().skip(d + 1).position(|f| f == "thang").map(|p| p + d + 1) else { continue };
        let Some(y) = folded.iter().skip(m + 1).position(|f| f == "nam").map(|p| p + m + 1) else { continue };
        // A field is blank when only fillers stand between the keyword and the next one.
        let blank_between = |a: usize, b: usize| -> Option<Span> {
            let filled = words[a + 1..b].iter().any(|w| !only_fillers(&w.text));
            (!filled && words[b].x0 > words[a].x1).then(|| Span { x0: words[a].x1, x1: words[b].x0 })
        };
        let day = blank_between(d, m);
        let month = blank_between(m, y);
        let year = match words.get(y + 1) {
            Some(n) if !only_fillers(&n.text) && n.x0 - words[y].x1 < 2.0 * font_size => None,
            Some(n) if only_fillers(&n.text) => Some(Span { x0: words[y].x1, x1: n.x1 }),
            _ => Some(Span { x0: words[y].x1, x1: words[y].x1 + 3.0 * font_size }),
        };
        return Some(DateBlanks { day, month, year, baseline, font_size });
    }
    None
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// A line at baseline 700, 13 pt, from (text, x0, x1) words.
    fn line(words: &[(&str, f32, f32)]) -> TextLine {
        let words: Vec<Word> = words.iter().map(|(t, a, b)| Word { text: (*t).into(), x0: *a, x1: *b }).collect();
        TextLine {
            text: words.iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" "),
            x0: words[0].x0,
            x1: words[words.len() - 1].x1,
            y0: 700.0 - 0.35 * 13.0,
            y1: 700.0 + 0.95 * 13.0,
            baseline: 700.0,
            font_size: 13.0,
            words,
        }
    }

    #[test]
    fn dotted_number_and_date() {
        let l = line(&[("Số:", 100.0, 117.0), ("……", 117.0, 150.0), ("/", 150.0, 154.0), ("…", 154.0, 167.0)]);
        let b = find_number_blank(&[l]).unwrap();
        assert_eq!((b.x0, b.x1), (117.0, 150.0));
        assert!(!b.symbol_printed && b.symbol.is_empty());
        let l = line(&[("Số:", 100.0, 117.0), ("......", 120.0, 150.0), ("/QĐ-UBND", 150.0, 200.0)]);
        let b = find_number_blank(&[l]).unwrap();
        assert_eq!((b.x0, b.x1), (117.0, 150.0));
        assert!(b.symbol_printed);
        assert_eq!(b.symbol, "/QĐ-UBND");
        // Already numbered: no blank.
        let l = line(&[("Số:", 100.0, 117.0), ("12/QĐ-UBND", 120.0, 190.0)]);
        assert!(find_number_blank(&[l]).is_none());
        let l = line(&[
            ("Hà", 300.0, 315.0),
            ("Nội,", 318.0, 340.0),
            ("ngày", 343.0, 370.0),
            ("…", 372.0, 385.0),
            ("tháng", 388.0, 420.0),
            ("…", 422.0, 435.0),
            ("năm", 438.0, 462.0),
            ("…", 464.0, 490.0),
        ]);
        let d = find_date_blanks(&[l]).unwrap();
        assert_eq!(d.day, Some(Span { x0: 370.0, x1: 388.0 }));
        assert_eq!(d.month, Some(Span { x0: 420.0, x1: 438.0 }));
        assert_eq!(d.year, Some(Span { x0: 462.0, x1: 490.0 }));
        let l =
            line(&[("ngày", 343.0, 370.0), ("05", 373.0, 386.0), ("tháng", 388.0, 420.0), ("năm", 440.0, 462.0), ("2026", 465.0, 490.0)]);
        let d = find_date_blanks(&[l]).unwrap();
        assert!(d.day.is_none() && d.month.is_some() && d.year.is_none());
    }

    #[test]
    fn mm_conversion() {
        assert!((mm_to_pt(25.4) - 72.0).abs() < 1e-4);
        assert!((pt_to_mm(72.0) - 25.4).abs() < 1e-4);
    }

    #[test]
    fn fold_drops_marks_case_spacing() {
        assert_eq!(fold("Nguyễn  Văn   An"), "nguyen van an");
        assert_eq!(fold("  ĐẠI DIỆN\tBÊN A "), "dai dien ben a");
        assert_eq!(fold("Số:"), "so:");
        assert_eq!(fold("đồng Đô"), "dong do");
        assert_eq!(fold("TM. ỦY BAN NHÂN DÂN"), "tm. uy ban nhan dan");
        // Decomposed input folds like composed input.
        assert_eq!(fold("Nguye\u{302}\u{303}n"), fold("Nguyễn"));
    }
}
