//! Where a stamp goes (SPEC R1–R5): from a template, the page's geometry, the
//! signature block found in the text, and the signatures already on the page.
//! All rectangles are PDF user space points `[x0 y0 x1 y1]` (origin bottom-left).

use serde::Serialize;

use super::template::Template;
use crate::pdf::object::Object;
use crate::pdf::{ObjectSource, PdfError, PdfFile};

/// Points per millimetre.
pub const PT_PER_MM: f64 = 72.0 / 25.4;

/// Millimetres to points.
pub fn mm(v: f64) -> f64 {
    v * PT_PER_MM
}

/// How the place was decided (reported by `--json`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Placement {
    /// Found from the document (signature block, earlier signature, page corner rule).
    Found,
    /// The template's default place, because nothing was found.
    Default,
    /// Given by the user (`--page`, `--at`).
    Given,
}

/// A page's size in points (its CropBox, else MediaBox).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PageBox {
    /// Lower-left x.
    pub x0: f64,
    /// Lower-left y.
    pub y0: f64,
    /// Upper-right x.
    pub x1: f64,
    /// Upper-right y.
    pub y1: f64,
}

impl PageBox {
    /// Width in points.
    pub fn width(&self) -> f64 {
        self.x1 - self.x0
    }
    /// Height in points.
    pub fn height(&self) -> f64 {
        self.y1 - self.y0
    }
}

/// The blank between a signer's title lines and name line.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BlockGeometry {
    /// Horizontal centre of the name line.
    pub name_center_x: f64,
    /// The blank: `[x0 y0 x1 y1]` with `y0` the name's top and `y1` the lowest title's bottom.
    pub blank: [f64; 4],
}

/// The page box of page `index`, following `/Parent` inheritance (bounded).
pub fn page_box(pdf: &PdfFile, index: usize) -> Result<PageBox, PdfError> {
    let pages = pdf.page_refs()?;
    let mut node = *pages.get(index).ok_or_else(|| PdfError::Missing(format!("page {}", index + 1)))?;
    for _ in 0..32 {
        let obj = pdf.get(node)?.object;
        let Some(d) = obj.as_dict() else { break };
        for key in [&b"CropBox"[..], b"MediaBox"] {
            if let Some(v) = d.get(key) {
                let v = pdf.resolve(v)?;
                if let Some([a, b, c, e]) = v.as_array().map(|a| a.iter().filter_map(Object::as_f64).collect::<Vec<_>>()).as_deref() {
                    return Ok(PageBox { x0: a.min(*c), y0: b.min(*e), x1: a.max(*c), y1: b.max(*e) });
                }
            }
        }
        match d.reference(b"Parent") {
            Some(p) => node = p,
            None => break,
        }
    }
    // ISO 32000-2 requires /MediaBox; fall back to A4 rather than fail.
    Ok(PageBox { x0: 0.0, y0: 0.0, x1: 595.276, y1: 841.89 })
}

/// Rectangles of visible signature widgets already on page `index`, in page order.
pub fn signature_widget_rects(pdf: &PdfFile, index: usize) -> Result<Vec<[f64; 4]>, PdfError> {
    let pages = pdf.page_refs()?;
    let Some(page) = pages.get(index) else { return Ok(Vec::new()) };
    let obj = pdf.get(*page)?.object;
    let Some(annots) = obj.as_dict().and_then(|d| d.get(b"Annots")) else { return Ok(Vec::new()) };
    let annots = pdf.resolve(annots)?;
    let mut out = Vec::new();
    for a in annots.as_array().unwrap_or_default().iter().take(10_000) {
        let a = pdf.resolve(a)?;
        let Some(d) = a.as_dict() else { continue };
        if d.name(b"Subtype") != Some(b"Widget") {
            continue;
        }
        let ft = match d.name(b"FT") {
            Some(ft) => Some(ft.to_vec()),
            None => match d.get(b"Parent") {
                Some(p) => pdf.resolve(p)?.as_dict().and_then(|pd| pd.name(b"FT").map(<[u8]>::to_vec)),
                None => None,
            },
        };
        if ft.as_deref() != Some(b"Sig") {
            continue;
        }
        if let Some(r) = d.get(b"Rect").and_then(Object::as_array) {
            let v: Vec<f64> = r.iter().filter_map(Object::as_f64).collect();
            if let [x0, y0, x1, y1] = v[..] {
                let rect = [x0.min(x1), y0.min(y1), x0.max(x1), y0.max(y1)];
                if rect[2] - rect[0] > 1.0 && rect[3] - rect[1] > 1.0 {
                    out.push(rect);
                }
            }
        }
    }
    Ok(out)
}

/// The personal signature image's rectangle in a signature block: as large as the
/// template allows, fitted into the blank, centred on the name line (R1).
pub fn personal_rect(t: &Template, block: &BlockGeometry, aspect: f64) -> [f64; 4] {
    let [bx0, by0, bx1, by1] = block.blank;
    let pad = 1.5;
    let avail_h = (by1 - by0 - 2.0 * pad).max(4.0);
    let avail_w = (bx1 - bx0).max(4.0) * 1.4;
    let max_w = t.size.width_mm.map(mm).unwrap_or(mm(45.0)).min(avail_w);
    let max_h = t.size.height_mm.map(mm).unwrap_or(mm(25.0)).min(avail_h);
    let aspect = if aspect.is_finite() && aspect > 0.05 { aspect } else { 2.0 };
    let mut h = max_h;
    let mut w = h * aspect;
    if w > max_w {
        w = max_w;
        h = w / aspect;
    }
    let cx = block.name_center_x;
    let cy = (by0 + by1) / 2.0;
    [cx - w / 2.0, cy - h / 2.0, cx + w / 2.0, cy + h / 2.0]
}

/// The seal's rectangle: real size `size_pt`, covering `cover` of the personal
/// signature's width on its left, vertically centred on it (R2).
pub fn seal_rect(personal: [f64; 4], size_pt: f64, cover: f64) -> [f64; 4] {
    let [px0, py0, px1, py1] = personal;
    let right = px0 + cover * (px1 - px0);
    let cy = (py0 + py1) / 2.0;
    [right - size_pt, cy - size_pt / 2.0, right, cy + size_pt / 2.0]
}

/// A box of `w`×`h` at a page corner or edge rule, inside `margin` points.
pub fn corner_rect(kind: &str, page: PageBox, w: f64, h: f64, margin: f64) -> Option<[f64; 4]> {
    let (x0, y1) = match kind {
        "top-right" => (page.x1 - margin - w, page.y1 - margin),
        "top-left" => (page.x0 + margin, page.y1 - margin),
        "top-center" => (page.x0 + (page.width() - w) / 2.0, page.y1 - margin),
        "bottom-right" => (page.x1 - margin - w, page.y0 + margin + h),
        _ => return None,
    };
    Some([x0, y1 - h, x0 + w, y1])
}

/// A box of `w`×`h` whose top-left corner is `(x_mm, y_mm)` from the page's top-left.
pub fn rect_from_top_left(page: PageBox, x_mm: f64, y_mm: f64, w: f64, h: f64) -> [f64; 4] {
    let x0 = page.x0 + mm(x_mm);
    let y1 = page.y1 - mm(y_mm);
    [x0, y1 - h, x0 + w, y1]
}

/// A rectangle as millimetres from the page's top-left corner: `[x, y, width, height]`.
pub fn rect_mm(page: PageBox, r: [f64; 4]) -> [f64; 4] {
    let round = |v: f64| (v / PT_PER_MM * 10.0).round() / 10.0;
    [round(r[0] - page.x0), round(page.y1 - r[3]), round(r[2] - r[0]), round(r[3] - r[1])]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_covers_a_third_on_the_left() {
        let personal = [300.0, 200.0, 420.0, 260.0];
        let s = seal_rect(personal, mm(36.0), 0.33);
        assert!((s[2] - (300.0 + 0.33 * 120.0)).abs() < 1e-9);
        assert!(((s[1] + s[3]) / 2.0 - 230.0).abs() < 1e-9);
        assert!((s[2] - s[0] - mm(36.0)).abs() < 1e-9);
    }

    #[test]
    fn personal_fits_the_blank_and_centres_on_the_name() {
        let t = super::super::template::load("personal").expect("template");
        let block = BlockGeometry { name_center_x: 400.0, blank: [340.0, 100.0, 460.0, 180.0] };
        let r = personal_rect(&t, &block, 3.0);
        assert!(((r[0] + r[2]) / 2.0 - 400.0).abs() < 1e-6);
        assert!(r[1] >= 100.0 && r[3] <= 180.0);
    }
}
