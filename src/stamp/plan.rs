//! From a template and what the document shows to the widgets of one signature:
//! the stamp (image and/or text lines) and, for the clerk, the number and date
//! written into the blanks on page 1 (R8) as extra widgets of the same field.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;

use super::appearance::{parse_color, StampAppearance, StampImage, StampText};
use super::place::{self, mm, BlockGeometry, PageBox, Placement};
use super::template::Template;
use crate::pdf::sigfield::WidgetSpec;
use crate::pdf::{ObjectSource, PdfError, PdfFile};

/// What the user asked for.
#[derive(Clone, Debug, Default)]
pub struct StampRequest {
    /// The template.
    pub template: Option<Template>,
    /// Signature or seal image (PNG with transparency).
    pub image: Option<PathBuf>,
    /// Force an invisible signature.
    pub invisible: bool,
    /// 1-based page given by the user.
    pub page: Option<usize>,
    /// Top-left of the stamp in mm from the page's top-left, given by the user.
    pub at_mm: Option<(f64, f64)>,
    /// Size override in mm (seal diameter, or image width).
    pub size_mm: Option<f64>,
    /// Placeholder values (`signer_name`, `org_name`, `copy_form`, `doc_number`, `signing_time`…).
    pub values: BTreeMap<&'static str, String>,
}

/// A blank to write into: left and right x, baseline y, font size (points).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Blank {
    /// Left edge of the gap.
    pub x0: f64,
    /// Right edge of the gap.
    pub x1: f64,
    /// Baseline of the line.
    pub baseline: f64,
    /// The line's font size.
    pub font_size: f64,
}

/// Text to write into blanks on page 1 (the clerk's number and date).
#[derive(Clone, Debug, Default)]
pub struct BlankFill {
    /// `(blank, text)` pairs.
    pub items: Vec<(Blank, String)>,
}

/// Where the stamp went, for `--json`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlacementReport {
    /// Template used.
    pub template: String,
    /// `found`, `default` or `given`; `invisible` when nothing is drawn.
    pub placement: String,
    /// 1-based page.
    pub page: usize,
    /// `[x, y, width, height]` in mm from the page's top-left corner.
    pub box_mm: Option<[f64; 4]>,
    /// Blanks filled on page 1 (number, day, month), as `[x, y, w, h]` mm.
    pub filled: Vec<(String, [f64; 4])>,
}

/// The widgets for one signature and the report of where they went.
pub struct StampPlan {
    /// Widgets: the stamp first.
    pub widgets: Vec<WidgetSpec>,
    /// The report.
    pub report: PlacementReport,
}

/// Pick the page: the user's, the template's rule, or where `find_block` finds the
/// signature block (searching from the last page).
fn choose_page(
    pdf: &PdfFile,
    t: &Template,
    req: &StampRequest,
    pages: usize,
    find_block: &dyn Fn(usize) -> Option<BlockGeometry>,
) -> (usize, Option<BlockGeometry>) {
    if let Some(p) = req.page {
        let idx = p.saturating_sub(1).min(pages.saturating_sub(1));
        return (idx, find_block(idx));
    }
    let last = pages.saturating_sub(1);
    // The seal goes on the page of the leader's visible signature (R2).
    if t.anchor.kind == "seal-over-personal" {
        for idx in (0..pages).rev() {
            if place::signature_widget_rects(pdf, idx).map(|r| !r.is_empty()).unwrap_or(false) {
                return (idx, find_block(idx));
            }
        }
    }
    match t.page.rule.as_str() {
        "first" => (0, None),
        "number" => (t.page.number.unwrap_or(1).saturating_sub(1).min(last), None),
        "anchor" => {
            for idx in (0..pages).rev() {
                if let Some(b) = find_block(idx) {
                    return (idx, Some(b));
                }
            }
            (if t.page.fallback.as_deref() == Some("first") { 0 } else { last }, None)
        }
        _ => (last, None),
    }
}

/// Plan the widgets of a signature on `pdf`.
pub fn plan(
    pdf: &PdfFile,
    req: &StampRequest,
    find_block: &dyn Fn(usize) -> Option<BlockGeometry>,
    fill: Option<BlankFill>,
) -> Result<StampPlan, PdfError> {
    let pages = pdf.page_refs()?.len();
    let mut widgets = Vec::new();
    let Some(t) = req.template.clone().filter(|_| !req.invisible) else {
        widgets.push(WidgetSpec::invisible(0));
        let mut report = PlacementReport { template: "-".into(), placement: "invisible".into(), page: 1, box_mm: None, filled: Vec::new() };
        add_fills(pdf, fill, &mut widgets, &mut report)?;
        return Ok(StampPlan { widgets, report });
    };
    let image = match (&req.image, t.image.use_image) {
        (Some(p), true) => Some(StampImage::load(p)?),
        _ => None,
    };
    let lines = t.lines(&req.values.iter().map(|(k, v)| (*k, v.clone())).collect());
    let text = t.text.as_ref().filter(|_| !lines.is_empty()).map(|tr| StampText {
        lines: lines.clone(),
        size: tr.size_pt,
        color: parse_color(&tr.color),
    });
    if image.is_none() && text.is_none() {
        // Nothing to draw (e.g. a personal signature with no image): invisible,
        // exactly as without a template, and no text search.
        let page_idx = req.page.map(|p| p.saturating_sub(1).min(pages.saturating_sub(1))).unwrap_or(0);
        widgets.push(WidgetSpec::invisible(page_idx));
        let mut report = PlacementReport {
            template: t.name.clone(),
            placement: "invisible".into(),
            page: page_idx + 1,
            box_mm: None,
            filled: Vec::new(),
        };
        add_fills(pdf, fill, &mut widgets, &mut report)?;
        return Ok(StampPlan { widgets, report });
    }
    let (page_idx, block) = choose_page(pdf, &t, req, pages, find_block);
    let page = place::page_box(pdf, page_idx)?;
    // Size of the stamp box.
    let (tw, th) = match &text {
        Some(tx) => tx.extent()?,
        None => (0.0, 0.0),
    };
    let aspect = image.as_ref().map(StampImage::aspect).unwrap_or(1.0);
    let (mut w, mut h) = match &image {
        Some(_) => {
            let w = req.size_mm.or(t.size.width_mm).map(mm).unwrap_or(mm(40.0));
            (w, w / aspect)
        }
        None => (tw + 2.0, th + 2.0),
    };
    if image.is_some() && text.is_some() {
        w = w.max(tw);
        h += th;
    }
    let (rect, how) = if let Some((x, y)) = req.at_mm {
        (place::rect_from_top_left(page, x, y, w, h), Placement::Given)
    } else {
        match t.anchor.kind.as_str() {
            "signature-block" => match &block {
                Some(b) if image.is_some() => (place::personal_rect(&t, b, aspect), Placement::Found),
                _ => fallback_rect(&t, page, w, h),
            },
            "seal-over-personal" => {
                let cover = t.anchor.cover_fraction.unwrap_or(0.33);
                let existing = place::signature_widget_rects(pdf, page_idx)?;
                let personal = existing.last().copied().or_else(|| {
                    block.as_ref().map(|b| {
                        let pt = super::template::load("personal").unwrap_or_else(|_| t.clone());
                        place::personal_rect(&pt, b, 2.5)
                    })
                });
                match personal {
                    Some(p) => (place::seal_rect(p, w, cover), Placement::Found),
                    None => fallback_rect(&t, page, w, h),
                }
            }
            kind => match place::corner_rect(kind, page, w, h, mm(t.anchor.margin_mm.unwrap_or(10.0))) {
                Some(r) => (r, Placement::Found),
                None => fallback_rect(&t, page, w, h),
            },
        }
    };
    let appearance = StampAppearance { image, text };
    widgets.push(WidgetSpec { page_index: page_idx, rect, appearance: Some(Box::new(appearance)) });
    let mut report = PlacementReport {
        template: t.name.clone(),
        placement: serde_json::to_value(how).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default(),
        page: page_idx + 1,
        box_mm: Some(place::rect_mm(page, rect)),
        filled: Vec::new(),
    };
    add_fills(pdf, fill, &mut widgets, &mut report)?;
    Ok(StampPlan { widgets, report })
}

fn fallback_rect(t: &Template, page: PageBox, w: f64, h: f64) -> ([f64; 4], Placement) {
    if let Some(kind) = t.anchor.fallback.as_deref() {
        if let Some(r) = place::corner_rect(kind, page, w, h, mm(t.anchor.margin_mm.unwrap_or(15.0))) {
            return (r, Placement::Default);
        }
    }
    match t.default {
        Some(p) => (place::rect_from_top_left(page, p.x_mm, p.y_mm, w, h), Placement::Default),
        None => (place::rect_from_top_left(page, 120.0, 230.0, w, h), Placement::Default),
    }
}

/// The clerk's number and date: one widget per blank on page 1, each drawing its
/// text in the document's own size, black.
fn add_fills(pdf: &PdfFile, fill: Option<BlankFill>, widgets: &mut Vec<WidgetSpec>, report: &mut PlacementReport) -> Result<(), PdfError> {
    let Some(fill) = fill else { return Ok(()) };
    let page = place::page_box(pdf, 0)?;
    for (blank, text) in fill.items {
        let st = StampText { lines: vec![text.clone()], size: blank.font_size, color: [0.0, 0.0, 0.0] };
        let (tw, _) = st.extent()?;
        let font = crate::text::EmbeddedFont::tinos().map_err(|e| PdfError::malformed(0, e.to_string()))?;
        let m = font.metrics(blank.font_size as f32);
        let (asc, desc) = (f64::from(m.ascender), f64::from(m.descender).abs());
        let cx = (blank.x0 + blank.x1) / 2.0;
        let w = tw.max(1.0) + 1.0;
        let rect = [cx - w / 2.0, blank.baseline - desc, cx + w / 2.0, blank.baseline + asc];
        report.filled.push((text, place::rect_mm(page, rect)));
        widgets.push(WidgetSpec { page_index: 0, rect, appearance: Some(Box::new(StampAppearance { image: None, text: Some(st) })) });
    }
    Ok(())
}

/// The day and month as written in a Vietnamese date line (Decree 30/2020,
/// Appendix I: days below 10 and months 1 and 2 take a leading zero).
pub fn day_month(date: time::Date) -> (String, String) {
    let d = date.day();
    let m = u8::from(date.month());
    let day = if d < 10 { format!("{d:02}") } else { d.to_string() };
    let month = if m < 3 { format!("{m:02}") } else { m.to_string() };
    (day, month)
}

/// The part of a document number to write when the symbol is already printed:
/// `123/QĐ-UBND` → `123`.
pub fn number_part(doc_number: &str, symbol_printed: bool) -> String {
    if symbol_printed {
        doc_number.split('/').next().unwrap_or(doc_number).trim().to_owned()
    } else {
        doc_number.trim().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_day_and_month() {
        let d = |y, m, dd| time::Date::from_calendar_date(y, time::Month::try_from(m).expect("m"), dd).expect("date");
        assert_eq!(day_month(d(2026, 2, 5)), ("05".into(), "02".into()));
        assert_eq!(day_month(d(2026, 11, 22)), ("22".into(), "11".into()));
        assert_eq!(day_month(d(2026, 3, 9)), ("09".into(), "3".into()));
        assert_eq!(number_part("123/QĐ-UBND", true), "123");
        assert_eq!(number_part("123/QĐ-UBND", false), "123/QĐ-UBND");
    }
}
