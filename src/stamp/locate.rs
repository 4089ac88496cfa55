//! Finding places in the document's own text: the signer's block (R1) and the
//! blanks for the number and the date on page 1 (R8), as geometry for [`super::plan`].

use std::path::Path;

use super::anchors::{find_date_blanks, find_number_blank, find_signature_block};
use super::place::BlockGeometry;
use super::plan::{day_month, number_part, Blank, BlankFill};
use super::text::page_lines;

/// Largest file searched for text (drafts are small; big scans have no text layer).
const MAX_TEXT_SEARCH: u64 = 64 * 1024 * 1024;

fn read_small(input: &Path) -> Option<Vec<u8>> {
    let len = std::fs::metadata(input).ok()?.len();
    if len > MAX_TEXT_SEARCH {
        return None;
    }
    std::fs::read(input).ok()
}

/// The text lines of page `page` (0-based), when the file is small enough to search.
pub fn page_text(input: &Path, page: usize) -> Option<Vec<super::anchors::TextLine>> {
    let bytes = read_small(input)?;
    page_lines(&bytes, page).ok()
}

/// The number of pages, when the file is small enough to search.
pub fn page_count(input: &Path) -> Option<usize> {
    let bytes = read_small(input)?;
    super::text::page_count(&bytes).ok()
}

/// The signature block of `signer_name` (or of `title`) on page `page`.
pub fn signature_block(input: &Path, page: usize, signer_name: Option<&str>, title: Option<&str>) -> Option<BlockGeometry> {
    let bytes = read_small(input)?;
    let lines = page_lines(&bytes, page).ok()?;
    let block = find_signature_block(&lines, signer_name, title)?;
    let b = block.blank;
    Some(BlockGeometry {
        name_center_x: f64::from((block.name.x0 + block.name.x1) / 2.0),
        blank: [f64::from(b.x0), f64::from(b.y0), f64::from(b.x1), f64::from(b.y1)],
    })
}

/// The number and date blanks on page 1, filled with the number (only its numeric
/// part when the symbol is printed) and the day and month of `date`. Blanks that
/// are not found are left alone.
pub fn number_and_date(input: &Path, doc_number: Option<&str>, date: Option<time::Date>) -> Result<BlankFill, crate::Error> {
    let mut fill = BlankFill::default();
    let Some(bytes) = read_small(input) else { return Ok(fill) };
    let Ok(lines) = page_lines(&bytes, 0) else { return Ok(fill) };
    if let Some(n) = doc_number {
        if let Some(b) = find_number_blank(&lines) {
            let blank =
                Blank { x0: f64::from(b.x0), x1: f64::from(b.x1), baseline: f64::from(b.baseline), font_size: f64::from(b.font_size) };
            fill.items.push((blank, number_part(n, b.symbol_printed)));
        }
    }
    if let Some(d) = date {
        if let Some(db) = find_date_blanks(&lines) {
            let (day, month) = day_month(d);
            let mk = |s: &super::anchors::Span| Blank {
                x0: f64::from(s.x0),
                x1: f64::from(s.x1),
                baseline: f64::from(db.baseline),
                font_size: f64::from(db.font_size),
            };
            if let Some(s) = &db.day {
                fill.items.push((mk(s), day));
            }
            if let Some(s) = &db.month {
                fill.items.push((mk(s), month));
            }
            if let Some(s) = &db.year {
                fill.items.push((mk(s), d.year().to_string()));
            }
        }
    }
    Ok(fill)
}
