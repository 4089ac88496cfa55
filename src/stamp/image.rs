//! Preparing a signature or seal image (SPEC R1, R2) from a phone photo or a scan.
//!
//! A clerk photographs the leader's handwritten signature or the agency's seal on
//! paper; the stamp needs a PNG with a transparent background, in the right ink
//! (blue signature, red seal) and, for a seal, at its real physical size. The steps:
//!
//! 1. decode (PNG or JPEG only, at most [`MAX_FILE_BYTES`] and [`MAX_PIXELS`]),
//!    applying the EXIF orientation of phone photos;
//! 2. measure "ink" per pixel as the darkest of R, G and B (so blue and red inks
//!    stand out as well as black), and estimate the paper under it with a
//!    high-percentile block filter, dilated and smoothed, then upsampled: this
//!    flattens uneven lighting and shadows;
//! 3. darkness = 1 − value / paper; an Otsu threshold on it, above the paper's
//!    noise floor, with a soft ramp around the threshold for anti-aliased edges;
//! 4. specks (small connected components) are dropped, and faint pixels are kept
//!    only next to a real stroke;
//! 5. every pixel is recoloured to the ink; only alpha varies;
//! 6. the result is trimmed to the ink's bounding box plus a small margin and its
//!    resolution is recorded in the PNG `pHYs` chunk, so a viewer or the stamp
//!    knows its size in millimetres.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use image::{ImageDecoder, ImageFormat, ImageReader, Limits};

use crate::i18n::{Lang, Localize};
use crate::tr;

/// Largest input file accepted, in bytes.
pub const MAX_FILE_BYTES: u64 = 50 * 1024 * 1024;
/// Largest input image accepted, in pixels (width × height).
pub const MAX_PIXELS: u64 = 40_000_000;
/// Resolution assumed when the input does not record a plausible one.
pub const DEFAULT_DPI: f32 = 300.0;
/// Widest physical size accepted for `width_mm`.
pub const MAX_WIDTH_MM: f32 = 500.0;

const MM_PER_INCH: f32 = 25.4;

/// The ink the strokes are recoloured to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ink {
    /// Blue, for handwritten signatures (R1).
    Blue,
    /// Red, for seals (R2).
    Red,
}

impl Ink {
    /// The ink's colour as sRGB.
    pub fn rgb(self) -> [u8; 3] {
        match self {
            Ink::Blue => [0x1F, 0x3F, 0xBF],
            Ink::Red => [0xD0, 0x20, 0x2A],
        }
    }
}

/// Why an image could not be prepared.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImageError {
    /// The input file could not be opened or read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The input path.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// The input file is larger than [`MAX_FILE_BYTES`].
    #[error("{path} is too large ({bytes} bytes)")]
    FileTooLarge {
        /// The input path.
        path: PathBuf,
        /// Its size in bytes.
        bytes: u64,
    },
    /// The image has more than [`MAX_PIXELS`] pixels.
    #[error("{path} is too large ({width}×{height} pixels)")]
    TooManyPixels {
        /// The input path.
        path: PathBuf,
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// The input is not a PNG or JPEG image.
    #[error("{0} is not a PNG or JPEG image")]
    NotAnImage(PathBuf),
    /// The input looks like a PNG or JPEG but cannot be decoded.
    #[error("cannot decode {path}: {detail}")]
    Decode {
        /// The input path.
        path: PathBuf,
        /// The decoder's explanation.
        detail: String,
    },
    /// No ink was found: the image is blank or has no contrast.
    #[error("no signature or seal found in {0}")]
    NoInk(PathBuf),
    /// The requested physical width is not a positive number of millimetres.
    #[error("invalid width {0} mm")]
    InvalidWidth(f32),
    /// The output could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The destination path.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
}

impl ImageError {
    /// A stable machine-readable kind (e.g. `image_not_an_image`).
    pub fn kind(&self) -> &'static str {
        match self {
            ImageError::Read { .. } => "read_input",
            ImageError::FileTooLarge { .. } | ImageError::TooManyPixels { .. } => "image_too_large",
            ImageError::NotAnImage(_) => "image_not_an_image",
            ImageError::Decode { .. } => "image_decode",
            ImageError::NoInk(_) => "image_no_ink",
            ImageError::InvalidWidth(_) => "usage",
            ImageError::Write { .. } => "write_output",
        }
    }
}

impl Localize for ImageError {
    fn localize(&self, lang: Lang) -> String {
        match self {
            ImageError::Read { path, source } => tr!(
                lang,
                "Không đọc được tệp ảnh {}: {}. Hãy kiểm tra đường dẫn và quyền đọc.",
                "Cannot read the image {}: {}. Check the path and read permission.",
                path.display(),
                source
            ),
            ImageError::FileTooLarge { path, bytes } => tr!(
                lang,
                "Tệp ảnh {} quá lớn ({} MB, tối đa {} MB). Hãy chụp hoặc quét lại với độ phân giải thấp hơn.",
                "The image {} is too large ({} MB, at most {} MB). Photograph or scan it again at a lower resolution.",
                path.display(),
                bytes / (1024 * 1024),
                MAX_FILE_BYTES / (1024 * 1024)
            ),
            ImageError::TooManyPixels { path, width, height } => tr!(
                lang,
                "Ảnh {} quá lớn ({}×{} điểm ảnh, tối đa {} triệu). Hãy chụp hoặc quét lại với độ phân giải thấp hơn.",
                "The image {} is too large ({}×{} pixels, at most {} megapixels). Photograph or scan it again at a lower resolution.",
                path.display(),
                width,
                height,
                MAX_PIXELS / 1_000_000
            ),
            ImageError::NotAnImage(p) => tr!(
                lang,
                "Tệp {} không phải ảnh PNG hoặc JPEG. Hãy chọn ảnh chụp hoặc ảnh quét chữ ký/con dấu.",
                "{} is not a PNG or JPEG image. Choose a photo or scan of the signature or seal.",
                p.display()
            ),
            ImageError::Decode { path, detail } => tr!(
                lang,
                "Ảnh {} bị hỏng, không giải mã được ({}). Hãy chụp hoặc quét lại.",
                "The image {} is damaged and cannot be decoded ({}). Photograph or scan it again.",
                path.display(),
                detail
            ),
            ImageError::NoInk(p) => tr!(
                lang,
                "Không tìm thấy chữ ký hoặc con dấu trong ảnh {}. Hãy chụp rõ nét, đủ sáng, trên nền giấy trắng.",
                "No signature or seal found in {}. Take a sharp, well-lit photo on white paper.",
                p.display()
            ),
            ImageError::InvalidWidth(w) => tr!(
                lang,
                "Chiều rộng {} mm không hợp lệ (phải lớn hơn 0 và không quá {} mm).",
                "Invalid width {} mm (must be above 0 and at most {} mm).",
                w,
                MAX_WIDTH_MM
            ),
            ImageError::Write { path, source } => tr!(
                lang,
                "Không ghi được tệp ảnh {}: {}. Hãy chọn thư mục khác có quyền ghi và đủ dung lượng.",
                "Cannot write the image {}: {}. Choose another folder with write permission and free space.",
                path.display(),
                source
            ),
        }
    }
}

/// A prepared signature or seal image: ink-coloured RGBA, transparent background.
#[derive(Clone, Debug)]
pub struct PreparedImage {
    /// Straight (not premultiplied) RGBA, row by row, `width_px × height_px × 4` bytes.
    pub rgba: Vec<u8>,
    /// Width in pixels.
    pub width_px: u32,
    /// Height in pixels.
    pub height_px: u32,
    /// Resolution in dots per inch (the same both ways).
    pub dpi: f32,
}

impl PreparedImage {
    /// Physical width in millimetres at [`PreparedImage::dpi`].
    pub fn width_mm(&self) -> f32 {
        self.width_px as f32 / self.dpi * MM_PER_INCH
    }

    /// Physical height in millimetres at [`PreparedImage::dpi`].
    pub fn height_mm(&self) -> f32 {
        self.height_px as f32 / self.dpi * MM_PER_INCH
    }

    /// The image as PNG bytes, with its resolution in a `pHYs` chunk.
    pub fn to_png(&self) -> Result<Vec<u8>, String> {
        use image::ImageEncoder;
        let mut png = Vec::new();
        image::codecs::png::PngEncoder::new(&mut png)
            .write_image(&self.rgba, self.width_px, self.height_px, image::ExtendedColorType::Rgba8)
            .map_err(|e| e.to_string())?;
        // The signature (8 bytes) then IHDR (4 length + 4 type + 13 data + 4 CRC):
        // pHYs goes right after it, before any IDAT as the PNG spec requires.
        const AFTER_IHDR: usize = 8 + 25;
        if png.len() < AFTER_IHDR || png.get(12..16) != Some(b"IHDR".as_slice()) {
            return Err("unexpected PNG encoder output".into());
        }
        let ppm = (self.dpi / 0.0254).round().clamp(1.0, u32::MAX as f32) as u32;
        let mut chunk = Vec::with_capacity(21);
        chunk.extend_from_slice(&9u32.to_be_bytes());
        chunk.extend_from_slice(b"pHYs");
        chunk.extend_from_slice(&ppm.to_be_bytes());
        chunk.extend_from_slice(&ppm.to_be_bytes());
        chunk.push(1); // unit: metre
        let mut crc = flate2::Crc::new();
        crc.update(&chunk[4..]);
        chunk.extend_from_slice(&crc.sum().to_be_bytes());
        png.splice(AFTER_IHDR..AFTER_IHDR, chunk);
        Ok(png)
    }

    /// Write the PNG to `out` atomically (a temporary file next to it, then a
    /// rename): `out` is either the complete new image or untouched. An existing
    /// `out` is replaced; callers that must not overwrite check first.
    pub fn write_png(&self, out: &Path) -> Result<(), ImageError> {
        let werr = |source: std::io::Error| ImageError::Write { path: out.to_owned(), source };
        let png = self.to_png().map_err(|e| werr(std::io::Error::other(e)))?;
        crate::atomic::write(out, &png, crate::atomic::Mode::Replace).map_err(werr)
    }
}

/// Turn a photo or scan of a handwritten signature or a seal into a transparent,
/// ink-coloured, trimmed image. With `width_mm`, the resolution is set so the image
/// is that wide; otherwise the input's recorded resolution is kept when plausible
/// (100–4800 dpi), else [`DEFAULT_DPI`].
pub fn prepare(input: &Path, ink: Ink, width_mm: Option<f32>) -> Result<PreparedImage, ImageError> {
    if let Some(w) = width_mm {
        if !(w.is_finite() && w > 0.0 && w <= MAX_WIDTH_MM) {
            return Err(ImageError::InvalidWidth(w));
        }
    }
    let bytes = read_bounded(input)?;
    let (rgb, w, h) = decode(input, &bytes)?;
    let source_dpi = recorded_dpi(&bytes).filter(|d| (100.0..=4800.0).contains(d));
    let alpha = extract_alpha(&rgb, w, h).ok_or_else(|| ImageError::NoInk(input.to_owned()))?;
    let (rgba, tw, th) = trim_and_colour(&alpha, w, h, ink).ok_or_else(|| ImageError::NoInk(input.to_owned()))?;
    let dpi = match width_mm {
        Some(mm) => tw as f32 / (mm / MM_PER_INCH),
        None => source_dpi.unwrap_or(DEFAULT_DPI),
    };
    Ok(PreparedImage { rgba, width_px: tw, height_px: th, dpi })
}

fn read_bounded(input: &Path) -> Result<Vec<u8>, ImageError> {
    use std::io::Read;
    let rerr = |source: std::io::Error| ImageError::Read { path: input.to_owned(), source };
    let file = crate::input::open_regular(input).map_err(|e| match e.kind() {
        std::io::ErrorKind::InvalidInput => ImageError::NotAnImage(input.to_owned()),
        _ => rerr(e),
    })?;
    let meta = file.metadata().map_err(rerr)?;
    if !meta.is_file() {
        return Err(ImageError::NotAnImage(input.to_owned()));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(ImageError::FileTooLarge { path: input.to_owned(), bytes: meta.len() });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(rerr)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ImageError::FileTooLarge { path: input.to_owned(), bytes: bytes.len() as u64 });
    }
    Ok(bytes)
}

/// Decode to 8-bit RGB (transparent pixels of a PNG are composited on white).
fn decode(input: &Path, bytes: &[u8]) -> Result<(Vec<u8>, u32, u32), ImageError> {
    let derr = |e: image::ImageError| ImageError::Decode { path: input.to_owned(), detail: e.to_string() };
    let mut reader =
        ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|source| ImageError::Read { path: input.to_owned(), source })?;
    match reader.format() {
        Some(ImageFormat::Png | ImageFormat::Jpeg) => {}
        _ => return Err(ImageError::NotAnImage(input.to_owned())),
    }
    let mut limits = Limits::default();
    limits.max_alloc = Some(1 << 30);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(derr)?;
    let (w, h) = decoder.dimensions();
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(ImageError::TooManyPixels { path: input.to_owned(), width: w, height: h });
    }
    if w == 0 || h == 0 {
        return Err(ImageError::NoInk(input.to_owned()));
    }
    let orientation = decoder.orientation().ok();
    let mut img = image::DynamicImage::from_decoder(decoder).map_err(derr)?;
    if let Some(o) = orientation {
        img.apply_orientation(o);
    }
    let (w, h) = (img.width(), img.height());
    let rgb = if img.color().has_alpha() {
        let rgba = img.into_rgba8();
        let mut out = Vec::with_capacity(w as usize * h as usize * 3);
        for p in rgba.pixels() {
            let a = u32::from(p.0[3]);
            for c in 0..3 {
                out.push(((u32::from(p.0[c]) * a + 255 * (255 - a) + 127) / 255) as u8);
            }
        }
        out
    } else {
        img.into_rgb8().into_raw()
    };
    Ok((rgb, w, h))
}

/// The resolution recorded in a JPEG's JFIF header or a PNG's `pHYs` chunk, in dpi.
fn recorded_dpi(bytes: &[u8]) -> Option<f32> {
    let be16 = |i: usize| bytes.get(i..i + 2).map(|b| u16::from_be_bytes([b[0], b[1]]));
    let be32 = |i: usize| bytes.get(i..i + 4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
    if bytes.starts_with(&[0xFF, 0xD8]) {
        let mut i = 2;
        while i + 4 <= bytes.len() {
            if bytes.get(i) != Some(&0xFF) {
                return None;
            }
            let marker = *bytes.get(i + 1)?;
            if marker == 0xDA || marker == 0xD9 {
                return None;
            }
            let len = usize::from(be16(i + 2)?);
            let payload = bytes.get(i + 4..i + 2 + len)?;
            if marker == 0xE0 && payload.len() >= 12 && payload.starts_with(b"JFIF\0") {
                let x = f32::from(u16::from_be_bytes([payload[8], payload[9]]));
                return match payload[7] {
                    1 => Some(x),
                    2 => Some(x * 2.54),
                    _ => None,
                };
            }
            i += 2 + len;
        }
        None
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        let mut i = 8;
        while i + 8 <= bytes.len() {
            let len = be32(i)? as usize;
            let kind = bytes.get(i + 4..i + 8)?;
            if kind == b"IDAT" {
                return None;
            }
            if kind == b"pHYs" && len >= 9 {
                let ppu = be32(i + 8)?;
                return (*bytes.get(i + 16)? == 1).then_some(ppu as f32 * 0.0254);
            }
            i = i.checked_add(12)?.checked_add(len)?;
        }
        None
    } else {
        None
    }
}

/// Per-pixel ink coverage (0 = paper, 255 = full ink), or `None` when there is no ink.
fn extract_alpha(rgb: &[u8], w: u32, h: u32) -> Option<Vec<u8>> {
    let (w, h) = (w as usize, h as usize);
    let n = w * h;
    // The darkest channel: black, blue and red inks are all low in some channel,
    // white or tinted paper is high in all of them.
    let value: Vec<u8> = rgb.chunks_exact(3).map(|p| p[0].min(p[1]).min(p[2])).collect();
    let paper = estimate_paper(&value, w, h);

    // Darkness relative to the local paper, 0..=255.
    let dark: Vec<u8> = value
        .iter()
        .zip(&paper)
        .map(|(&v, &p)| {
            let d = 1.0 - f32::from(v) / p.max(1.0);
            (d.clamp(0.0, 1.0) * 255.0).round() as u8
        })
        .collect();
    let mut hist = [0u64; 256];
    for &d in &dark {
        hist[usize::from(d)] += 1;
    }

    // The paper's noise: median and MAD of darkness (paper is most of the picture).
    let median = percentile(&hist, n as u64, 0.5);
    let mut dev = [0u64; 256];
    for (d, &c) in hist.iter().enumerate() {
        dev[d.abs_diff(median)] += c;
    }
    let mad = percentile(&dev, n as u64, 0.5);
    let sigma = 1.4826 * mad.max(1) as f32;
    let floor = (median as f32 + 4.0 * sigma).max(20.0);

    let otsu = otsu(&hist) as f32;
    let t = otsu.max(floor + 8.0).min(230.0);
    let t_lo = (t * 0.6).max(floor).min(t - 4.0);

    // How dark the ink itself is: alpha reaches 255 at the ink's median darkness,
    // or at the mirror of t_lo around t, whichever comes first.
    let above: u64 = hist[(t.ceil() as usize).min(255)..].iter().sum();
    if above == 0 {
        return None;
    }
    let mut acc = 0u64;
    let mut ink_median = 255.0;
    for (d, &c) in hist.iter().enumerate().skip((t.ceil() as usize).min(255)) {
        acc += c;
        if acc * 2 >= above {
            ink_median = d as f32;
            break;
        }
    }
    let t_hi = (2.0 * t - t_lo).min(ink_median).max(t + 2.0);

    // Specks: components of the core (≥ t) smaller than a fraction of all ink.
    let core: Vec<bool> = dark.iter().map(|&d| f32::from(d) >= t).collect();
    let min_area = ((above / 1500) as usize).clamp(4, 80);
    let keep = drop_specks(&core, w, h, min_area);
    // Faint edge pixels count only next to a kept stroke.
    let near = dilate(&keep, w, h, 2);

    let mut any = false;
    let alpha: Vec<u8> = dark
        .iter()
        .zip(&near)
        .map(|(&d, &near)| {
            if !near {
                return 0;
            }
            let x = ((f32::from(d) - t_lo) / (t_hi - t_lo)).clamp(0.0, 1.0);
            let a = (x * x * (3.0 - 2.0 * x) * 255.0).round() as u8;
            any |= a > 0;
            a
        })
        .collect();
    any.then_some(alpha)
}

/// The paper's brightness under every pixel: the 90th percentile of each block,
/// dilated over neighbouring blocks (so strokes never count as paper), smoothed and
/// bilinearly upsampled.
fn estimate_paper(value: &[u8], w: usize, h: usize) -> Vec<f32> {
    let b = (w.max(h) / 48).clamp(8, 128);
    let (gw, gh) = (w.div_ceil(b), h.div_ceil(b));
    let mut grid = vec![0f32; gw * gh];
    for gy in 0..gh {
        for gx in 0..gw {
            let mut hist = [0u64; 256];
            let mut count = 0u64;
            for y in gy * b..((gy + 1) * b).min(h) {
                for &v in &value[y * w + gx * b..y * w + ((gx + 1) * b).min(w)] {
                    hist[usize::from(v)] += 1;
                    count += 1;
                }
            }
            grid[gy * gw + gx] = percentile(&hist, count, 0.9) as f32;
        }
    }
    // Max over a 5×5 block neighbourhood, then two 3×3 box blurs.
    let grid = grid_filter(&grid, gw, gh, 2, |vals| vals.iter().copied().fold(0.0, f32::max));
    let mean = |vals: &[f32]| vals.iter().sum::<f32>() / vals.len() as f32;
    let grid = grid_filter(&grid, gw, gh, 1, mean);
    let grid = grid_filter(&grid, gw, gh, 1, mean);

    let mut paper = vec![0f32; w * h];
    let half = b as f32 / 2.0;
    let at = |x: usize, y: usize| grid[y.min(gh - 1) * gw + x.min(gw - 1)];
    for y in 0..h {
        let fy = ((y as f32 + 0.5 - half) / b as f32).max(0.0);
        let (y0, ty) = (fy.floor() as usize, fy.fract());
        for x in 0..w {
            let fx = ((x as f32 + 0.5 - half) / b as f32).max(0.0);
            let (x0, tx) = (fx.floor() as usize, fx.fract());
            let top = at(x0, y0) * (1.0 - tx) + at(x0 + 1, y0) * tx;
            let bottom = at(x0, y0 + 1) * (1.0 - tx) + at(x0 + 1, y0 + 1) * tx;
            paper[y * w + x] = top * (1.0 - ty) + bottom * ty;
        }
    }
    paper
}

fn grid_filter(grid: &[f32], gw: usize, gh: usize, r: usize, f: impl Fn(&[f32]) -> f32) -> Vec<f32> {
    let mut out = vec![0f32; grid.len()];
    let mut vals = Vec::with_capacity((2 * r + 1) * (2 * r + 1));
    for y in 0..gh {
        for x in 0..gw {
            vals.clear();
            for yy in y.saturating_sub(r)..=(y + r).min(gh - 1) {
                for xx in x.saturating_sub(r)..=(x + r).min(gw - 1) {
                    vals.push(grid[yy * gw + xx]);
                }
            }
            out[y * gw + x] = f(&vals);
        }
    }
    out
}

/// The value below which a fraction `q` of the histogram's `total` lies.
fn percentile(hist: &[u64], total: u64, q: f64) -> usize {
    let target = (total as f64 * q).ceil().max(1.0) as u64;
    let mut acc = 0;
    for (v, &c) in hist.iter().enumerate() {
        acc += c;
        if acc >= target {
            return v;
        }
    }
    hist.len().saturating_sub(1)
}

/// Otsu's threshold: the first value of the upper class.
fn otsu(hist: &[u64; 256]) -> usize {
    let total: u64 = hist.iter().sum();
    let sum: f64 = hist.iter().enumerate().map(|(v, &c)| v as f64 * c as f64).sum();
    let (mut w0, mut sum0) = (0f64, 0f64);
    let (mut best, mut best_t) = (-1f64, 128usize);
    for (t, &c) in hist.iter().enumerate().take(255) {
        w0 += c as f64;
        sum0 += t as f64 * c as f64;
        let w1 = total as f64 - w0;
        if w0 == 0.0 || w1 == 0.0 {
            continue;
        }
        let (m0, m1) = (sum0 / w0, (sum - sum0) / w1);
        let between = w0 * w1 * (m0 - m1) * (m0 - m1);
        if between > best {
            best = between;
            best_t = t + 1;
        }
    }
    best_t
}

/// The 8-connected components of `mask` with at least `min_area` pixels.
fn drop_specks(mask: &[bool], w: usize, h: usize, min_area: usize) -> Vec<bool> {
    let mut seen = vec![false; mask.len()];
    let mut keep = vec![false; mask.len()];
    let mut stack = Vec::new();
    let mut comp = Vec::new();
    for start in 0..mask.len() {
        if !mask[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        comp.clear();
        while let Some(i) = stack.pop() {
            comp.push(i);
            let (x, y) = (i % w, i / w);
            for ny in y.saturating_sub(1)..=(y + 1).min(h - 1) {
                for nx in x.saturating_sub(1)..=(x + 1).min(w - 1) {
                    let j = ny * w + nx;
                    if mask[j] && !seen[j] {
                        seen[j] = true;
                        stack.push(j);
                    }
                }
            }
        }
        if comp.len() >= min_area {
            for &i in &comp {
                keep[i] = true;
            }
        }
    }
    keep
}

/// Square dilation by `r` pixels (separable).
fn dilate(mask: &[bool], w: usize, h: usize, r: usize) -> Vec<bool> {
    let mut rows = vec![false; mask.len()];
    for y in 0..h {
        for x in 0..w {
            rows[y * w + x] = (x.saturating_sub(r)..=(x + r).min(w - 1)).any(|xx| mask[y * w + xx]);
        }
    }
    let mut out = vec![false; mask.len()];
    for y in 0..h {
        for x in 0..w {
            out[y * w + x] = (y.saturating_sub(r)..=(y + r).min(h - 1)).any(|yy| rows[yy * w + x]);
        }
    }
    out
}

/// Crop to the ink's bounding box plus a margin and colour every pixel with the ink.
fn trim_and_colour(alpha: &[u8], w: u32, h: u32, ink: Ink) -> Option<(Vec<u8>, u32, u32)> {
    let (w, h) = (w as usize, h as usize);
    let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
    for y in 0..h {
        for x in 0..w {
            if alpha[y * w + x] > 0 {
                x0 = x0.min(x);
                x1 = x1.max(x);
                y0 = y0.min(y);
                y1 = y1.max(y);
            }
        }
    }
    if x0 == usize::MAX {
        return None;
    }
    let (bw, bh) = (x1 - x0 + 1, y1 - y0 + 1);
    let margin = ((bw.max(bh) as f32 * 0.02).round() as usize).max(4);
    let (ow, oh) = (bw + 2 * margin, bh + 2 * margin);
    let [r, g, b] = ink.rgb();
    let mut rgba = Vec::with_capacity(ow * oh * 4);
    for _ in 0..ow * oh {
        rgba.extend_from_slice(&[r, g, b, 0]);
    }
    for y in 0..bh {
        for x in 0..bw {
            rgba[((y + margin) * ow + x + margin) * 4 + 3] = alpha[(y + y0) * w + x + x0];
        }
    }
    Some((rgba, u32::try_from(ow).ok()?, u32::try_from(oh).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phys_chunk_round_trips() {
        let img = PreparedImage { rgba: vec![0; 10 * 5 * 4], width_px: 10, height_px: 5, dpi: 300.0 };
        let png = img.to_png().unwrap_or_default();
        let dpi = recorded_dpi(&png).unwrap_or(0.0);
        assert!((dpi - 300.0).abs() < 0.1, "{dpi}");
        assert!(image::load_from_memory(&png).is_ok());
    }

    #[test]
    fn otsu_splits_two_modes() {
        let mut h = [0u64; 256];
        h[10] = 1000;
        h[200] = 50;
        let t = otsu(&h);
        assert!(t > 10 && t <= 200, "{t}");
    }
}
