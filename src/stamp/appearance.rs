//! Appearance streams of visible signatures (ISO 32000-2 §12.5.5, §8.9.5.4):
//! a signature or seal image as an image XObject with a soft mask (real
//! transparency), and text lines in the embedded Tinos subset.

use std::io::Write;
use std::path::Path;

use crate::pdf::forms::AppearanceResources;
use crate::pdf::sigfield::{AppearanceBuilder, AppearanceStream};
use crate::pdf::update::IncrementalUpdate;
use crate::pdf::write::real;
use crate::pdf::PdfError;
use crate::text::{EmbeddedFont, FontRefs};

/// Largest image accepted for a stamp, in pixels.
const MAX_PIXELS: u64 = 40_000_000;

/// An RGBA image ready to embed.
#[derive(Clone, Debug)]
pub struct StampImage {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// RGB samples.
    rgb: Vec<u8>,
    /// Alpha samples.
    alpha: Vec<u8>,
}

impl StampImage {
    /// Load a PNG (or JPEG) file; a PNG's alpha becomes the soft mask.
    pub fn load(path: &Path) -> Result<StampImage, PdfError> {
        let bad = |d: String| PdfError::malformed(0, format!("image {}: {d}", path.display()));
        let reader = image::ImageReader::open(path).map_err(|e| bad(e.to_string()))?;
        let reader = reader.with_guessed_format().map_err(|e| bad(e.to_string()))?;
        let (w, h) = reader.into_dimensions().map_err(|e| bad(e.to_string()))?;
        if u64::from(w) * u64::from(h) > MAX_PIXELS {
            return Err(PdfError::LimitExceeded("image size"));
        }
        let mut img = image::open(path).map_err(|e| bad(e.to_string()))?.to_rgba8();
        // Trim fully transparent margins so the template size is the ink's size
        // (a seal's real diameter, R2).
        let (w0, h0) = img.dimensions();
        let (mut x0, mut y0, mut x1, mut y1) = (w0, h0, 0u32, 0u32);
        for (x, y, p) in img.enumerate_pixels() {
            if p.0[3] > 16 {
                x0 = x0.min(x);
                y0 = y0.min(y);
                x1 = x1.max(x);
                y1 = y1.max(y);
            }
        }
        if x1 >= x0 && y1 >= y0 && (x1 - x0 + 1, y1 - y0 + 1) != (w0, h0) {
            img = image::imageops::crop_imm(&img, x0, y0, x1 - x0 + 1, y1 - y0 + 1).to_image();
        }
        let (width, height) = img.dimensions();
        let mut rgb = Vec::with_capacity((width * height * 3) as usize);
        let mut alpha = Vec::with_capacity((width * height) as usize);
        for p in img.pixels() {
            rgb.extend_from_slice(&p.0[..3]);
            alpha.push(p.0[3]);
        }
        Ok(StampImage { width, height, rgb, alpha })
    }

    /// Width / height.
    pub fn aspect(&self) -> f64 {
        f64::from(self.width) / f64::from(self.height.max(1))
    }
}

/// Text lines drawn in a stamp.
#[derive(Clone, Debug)]
pub struct StampText {
    /// Lines, top to bottom.
    pub lines: Vec<String>,
    /// Font size in points.
    pub size: f64,
    /// RGB colour components 0–1.
    pub color: [f64; 3],
}

impl StampText {
    /// Width and height the lines need, in points.
    pub fn extent(&self) -> Result<(f64, f64), PdfError> {
        let font = EmbeddedFont::tinos().map_err(text_err)?;
        let w = self.lines.iter().map(|l| f64::from(font.width(l, self.size as f32))).fold(0.0, f64::max);
        let lh = f64::from(font.metrics(self.size as f32).line_height());
        Ok((w, lh * self.lines.len() as f64))
    }
}

fn text_err(e: crate::text::TextError) -> PdfError {
    PdfError::malformed(0, format!("stamp text: {e}"))
}

/// A stamp: an image scaled into the box, and/or text lines.
#[derive(Clone, Debug, Default)]
pub struct StampAppearance {
    /// The image, drawn to fill the box (the box is sized to its aspect).
    pub image: Option<StampImage>,
    /// Text lines, drawn from the top-left of the box.
    pub text: Option<StampText>,
}

fn deflate(data: &[u8]) -> Result<Vec<u8>, PdfError> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data)?;
    Ok(e.finish()?)
}

impl AppearanceBuilder for StampAppearance {
    fn build(&self, up: &mut IncrementalUpdate<'_>, w: f64, h: f64) -> Result<AppearanceStream, PdfError> {
        let mut content = Vec::new();
        let mut resources = AppearanceResources::default();
        if let Some(img) = &self.image {
            let smask = up.reserve();
            let im = up.reserve();
            let alpha = deflate(&img.alpha)?;
            let mut body = Vec::new();
            write!(
                body,
                "<< /Type /XObject /Subtype /Image /Width {} /Height {} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length {} >>\nstream\n",
                img.width, img.height, alpha.len()
            )?;
            body.extend_from_slice(&alpha);
            body.extend_from_slice(b"\nendstream");
            up.put(smask, body);
            let rgb = deflate(&img.rgb)?;
            let mut body = Vec::new();
            write!(
                body,
                "<< /Type /XObject /Subtype /Image /Width {} /Height {} /ColorSpace /DeviceRGB /BitsPerComponent 8 /SMask {} 0 R /Interpolate true /Filter /FlateDecode /Length {} >>\nstream\n",
                img.width, img.height, smask.num, rgb.len()
            )?;
            body.extend_from_slice(&rgb);
            body.extend_from_slice(b"\nendstream");
            up.put(im, body);
            resources.xobjects.push(("Im1".into(), im));
            writeln!(content, "q {} 0 0 {} 0 0 cm /Im1 Do Q", real(w), real(h))?;
        }
        if let Some(t) = self.text.as_ref().filter(|t| !t.lines.is_empty()) {
            let font = EmbeddedFont::tinos().map_err(text_err)?;
            let all: String = t.lines.concat();
            let subset = font.subset_for(&all).map_err(text_err)?;
            let nums: Vec<u32> = (0..5).map(|_| up.reserve().num).collect();
            let r = |i: usize| pdf_writer::Ref::new(nums[i] as i32);
            let refs = FontRefs { type0: r(0), cid_font: r(1), descriptor: r(2), font_file: r(3), to_unicode: r(4) };
            for (id, value) in subset.object_values(&refs).map_err(text_err)? {
                up.put(crate::pdf::ObjRef::new(id.get() as u32, 0), value);
            }
            resources.fonts.push(("F1".into(), crate::pdf::ObjRef::new(nums[0], 0)));
            let m = font.metrics(t.size as f32);
            let lh = f64::from(m.line_height());
            let [cr, cg, cb] = t.color;
            write!(content, "BT /F1 {} Tf {} {} {} rg ", real(t.size), real(cr), real(cg), real(cb))?;
            let mut y = h - f64::from(m.ascender);
            for (i, line) in t.lines.iter().enumerate() {
                let glyphs = subset.encode(line).map_err(text_err)?;
                if i == 0 {
                    write!(content, "0 {} Td ", real(y))?;
                } else {
                    write!(content, "0 {} Td ", real(-lh))?;
                }
                write!(content, "<{}> Tj ", hex::encode_upper(&glyphs))?;
                y -= lh;
            }
            content.extend_from_slice(b"ET\n");
        }
        Ok(AppearanceStream { content, resources })
    }
}

/// Parse `RRGGBB` into RGB components 0–1 (black if malformed).
pub fn parse_color(hex_rgb: &str) -> [f64; 3] {
    let h = hex_rgb.trim_start_matches('#');
    let c = |i: usize| h.get(i..i + 2).and_then(|x| u8::from_str_radix(x, 16).ok()).map(|v| f64::from(v) / 255.0).unwrap_or(0.0);
    if h.len() == 6 {
        [c(0), c(2), c(4)]
    } else {
        [0.0; 3]
    }
}
