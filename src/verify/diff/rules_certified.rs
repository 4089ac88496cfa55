//! Later signatures in a certified document (DocMDP P = 2 or 3): the
//! Government Cipher Committee's flow, where the first signature certifies a
//! decree and later signers — the issuing office writing the number and date, the
//! agency seal over the leader's signature — each add a visible signature field
//! in the revision that signs it.
//!
//! The difference analysis recognises such a field ([`super::ChangeKind::SignatureAdded`])
//! and attaches a [`super::Proviso`]; the verifier allows it only if
//! 1. the field's signature, made in that revision, is itself valid; and
//! 2. its widgets **cover no signed content**: on renders of the page, the ink
//!    the new revision adds (or removes) inside each widget's rectangle lies
//!    away from the page content of the signed revision ([`CoverMeasure`]).
//!
//! "Away from" is measured, not guessed from rectangles: widgets are routinely
//! larger than what they draw (the number "50" written into the blank after
//! "Số:" sits in a rectangle that clips the neighbouring "/2"), and a seal is
//! drawn over the signer's block as on paper, its rim grazing the title above
//! and the list of recipients beside it. So the rule is: nothing of the signed
//! page content may be erased, and at most [`MAX_TOUCHING_PERCENT`] % of the
//! pixels the widget changes may lie on or next to (within [`NEAR`] pixels of)
//! signed content. Measured on a real decree (50/2026/NĐ-CP): the number and
//! date widgets 0 %, the seal 4.6 %; pyHanko's sneaky signature over a
//! document's heading 28 %, a white box with new text 100 % (and erasing).

/// A grey-scale raster (0 = black, 255 = white), rows top to bottom.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Raster {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// `width * height` samples.
    pub pixels: Vec<u8>,
}

impl Raster {
    /// The sample at (x, y); white outside the raster.
    pub fn at(&self, x: usize, y: usize) -> u8 {
        if x < self.width && y < self.height {
            self.pixels.get(y * self.width + x).copied().unwrap_or(255)
        } else {
            255
        }
    }
}

/// A rectangle of pixels, `x0..x1` × `y0..y1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PixelRect {
    /// Left (inclusive).
    pub x0: usize,
    /// Top (inclusive).
    pub y0: usize,
    /// Right (exclusive).
    pub x1: usize,
    /// Bottom (exclusive).
    pub y1: usize,
}

/// Below this grey value a pixel of the signed revision is content ("ink").
pub const INK: u8 = 160;
/// A pixel differing by more than this between two renders has changed.
pub const CHANGED: u8 = 40;
/// Distance, in pixels, within which a change counts as touching content (at
/// 144 dpi: 1.5 pt, about the gap between two letters).
pub const NEAR: usize = 3;
/// Largest share of a widget's changed pixels that may touch signed content.
pub const MAX_TOUCHING_PERCENT: usize = 10;
/// Signed-content pixels a widget may whiten (anti-aliasing noise at its edges).
pub const MAX_ERASED: usize = 4;

/// What one new widget does to the page, inside its rectangle.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CoverMeasure {
    /// Pixels that differ between the render before and after its revision.
    pub changed: usize,
    /// Of those, the ones on or within [`NEAR`] pixels of signed content.
    pub touching: usize,
    /// Signed-content pixels turned white (hidden).
    pub erased: usize,
}

impl CoverMeasure {
    /// Measure widget `rect`: `content` is the signed revision's page content
    /// (annotations hidden), `before` and `after` the page (with annotations)
    /// before and after the revision that adds the widget, all at one resolution.
    pub fn measure(content: &Raster, before: &Raster, after: &Raster, rect: PixelRect) -> CoverMeasure {
        let mut m = CoverMeasure::default();
        for y in rect.y0..rect.y1 {
            for x in rect.x0..rect.x1 {
                let (b, a) = (before.at(x, y), after.at(x, y));
                if b.abs_diff(a) <= CHANGED {
                    continue;
                }
                m.changed += 1;
                if content.at(x, y) < INK && a > 200 {
                    m.erased += 1;
                }
                if near_ink(content, x, y) {
                    m.touching += 1;
                }
            }
        }
        m
    }

    /// Whether the widget covers signed content.
    pub fn covers(&self) -> bool {
        self.erased > MAX_ERASED || self.touching * 100 > self.changed * MAX_TOUCHING_PERCENT
    }

    /// The share of changed pixels touching content, in per cent.
    pub fn touching_percent(&self) -> f64 {
        if self.changed == 0 {
            0.0
        } else {
            self.touching as f64 * 100.0 / self.changed as f64
        }
    }
}

fn near_ink(content: &Raster, x: usize, y: usize) -> bool {
    let (x0, y0) = (x.saturating_sub(NEAR), y.saturating_sub(NEAR));
    (y0..=y + NEAR).any(|yy| (x0..=x + NEAR).any(|xx| content.at(xx, yy) < INK))
}

/// `/Rect` (default user space) as pixels of a page rendered at `scale` pixels per
/// point, whose visible box is `bbox` (the crop box) and which is rotated by
/// `rotate` degrees clockwise (0, 90, 180, 270), clamped to the raster.
pub fn to_pixels(rect: [f64; 4], bbox: [f64; 4], rotate: i64, scale: f64, raster: &Raster) -> PixelRect {
    let [x0, y0, x1, y1] = bbox;
    let corners = [(rect[0], rect[1]), (rect[2], rect[3])];
    let map = |(x, y): (f64, f64)| -> (f64, f64) {
        match rotate.rem_euclid(360) {
            90 => ((y - y0) * scale, (x - x0) * scale),
            180 => ((x1 - x) * scale, (y - y0) * scale),
            270 => ((y1 - y) * scale, (x1 - x) * scale),
            _ => ((x - x0) * scale, (y1 - y) * scale),
        }
    };
    let (a, b) = (map(corners[0]), map(corners[1]));
    let clamp = |v: f64, max: usize| -> usize { v.max(0.0).min(max as f64) as usize };
    PixelRect {
        x0: clamp(a.0.min(b.0).floor(), raster.width),
        y0: clamp(a.1.min(b.1).floor(), raster.height),
        x1: clamp(a.0.max(b.0).ceil(), raster.width),
        y1: clamp(a.1.max(b.1).ceil(), raster.height),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blank(w: usize, h: usize) -> Raster {
        Raster { width: w, height: h, pixels: vec![255; w * h] }
    }

    fn fill(r: &mut Raster, x0: usize, y0: usize, x1: usize, y1: usize, v: u8) {
        for y in y0..y1 {
            for x in x0..x1 {
                r.pixels[y * r.width + x] = v;
            }
        }
    }

    /// A "line of text" of the signed page: a black bar at rows 40..50.
    fn signed_page() -> Raster {
        let mut p = blank(200, 100);
        fill(&mut p, 20, 40, 180, 50, 0);
        p
    }

    #[test]
    fn ink_added_in_blank_space_does_not_cover() {
        let content = signed_page();
        let mut after = content.clone();
        fill(&mut after, 30, 70, 60, 80, 0); // a number written below the line
        let m = CoverMeasure::measure(&content, &content, &after, PixelRect { x0: 0, y0: 60, x1: 200, y1: 100 });
        assert_eq!(m.changed, 300);
        assert_eq!(m.touching, 0);
        assert!(!m.covers());
    }

    #[test]
    fn a_white_box_over_signed_content_covers() {
        let content = signed_page();
        let mut after = content.clone();
        fill(&mut after, 10, 30, 190, 60, 255); // the box
        fill(&mut after, 30, 42, 90, 48, 0); // the attacker's text in it
        let m = CoverMeasure::measure(&content, &content, &after, PixelRect { x0: 10, y0: 30, x1: 190, y1: 60 });
        assert!(m.erased > MAX_ERASED, "{m:?}");
        assert!(m.covers());
    }

    #[test]
    fn text_written_over_signed_text_covers() {
        let content = signed_page();
        let mut after = content.clone();
        fill(&mut after, 20, 50, 180, 56, 80); // grey text right under and against the line
        let m = CoverMeasure::measure(&content, &content, &after, PixelRect { x0: 0, y0: 30, x1: 200, y1: 70 });
        assert_eq!(m.erased, 0);
        assert!(m.touching_percent() >= 50.0, "{m:?}");
        assert!(m.covers());
    }

    #[test]
    fn a_seal_grazing_the_title_does_not_cover() {
        let content = signed_page();
        let mut after = content.clone();
        fill(&mut after, 20, 52, 180, 100, 120); // a large seal whose rim touches the line
        let m = CoverMeasure::measure(&content, &content, &after, PixelRect { x0: 0, y0: 30, x1: 200, y1: 100 });
        assert_eq!(m.erased, 0);
        assert!(m.touching_percent() < 10.0, "{m:?}");
        assert!(!m.covers());
    }

    #[test]
    fn rectangles_map_to_pixels_with_crop_box_and_rotation() {
        let r = blank(1190, 1684);
        let p = to_pixels([100.0, 700.0, 200.0, 742.0], [0.0, 0.0, 595.0, 842.0], 0, 2.0, &r);
        assert_eq!(p, PixelRect { x0: 200, y0: 200, x1: 400, y1: 284 });
        let shifted = to_pixels([110.0, 710.0, 210.0, 752.0], [10.0, 10.0, 605.0, 852.0], 0, 2.0, &r);
        assert_eq!(shifted, p);
        let rotated = to_pixels([0.0, 0.0, 10.0, 20.0], [0.0, 0.0, 842.0, 595.0], 90, 1.0, &r);
        assert_eq!(rotated, PixelRect { x0: 0, y0: 0, x1: 20, y1: 10 });
    }
}
