//! `kyso image prepare` (SPEC R1, R2) on a synthetic phone photo of a signature:
//! strokes on paper with a strong lighting gradient, noise, JPEG quality 70, made by
//! `tests/fixtures/make-photo.py`, which also writes the true stroke mask.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const KYSO: &str = env!("CARGO_BIN_EXE_kyso");

fn have_pillow() -> bool {
    let ok = Command::new("python3").args(["-c", "import PIL"]).output().map(|o| o.status.success()).unwrap_or(false);
    common::tool_present("python3 with Pillow (to make the test photo)", ok)
}

/// Make the photo (and its `.mask.png`) in `dir`; `None` when Python/Pillow is missing.
fn make_photo(dir: &Path) -> Option<(PathBuf, PathBuf)> {
    if !have_pillow() {
        return None;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/make-photo.py");
    let photo = dir.join("photo.jpg");
    let out = Command::new("python3").arg(&script).arg(&photo).output().expect("run make-photo.py");
    assert!(out.status.success(), "make-photo.py failed: {}", String::from_utf8_lossy(&out.stderr));
    Some((photo, dir.join("photo.mask.png")))
}

fn kyso(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(KYSO).args(["--lang", "en"]).args(args).output().expect("run kyso")
}

fn prepare(input: &Path, out: &Path, ink: &str, extra: &[&str]) -> Output {
    let mut args: Vec<&std::ffi::OsStr> =
        vec!["image".as_ref(), "prepare".as_ref(), input.as_os_str(), "-o".as_ref(), out.as_os_str(), "--ink".as_ref(), ink.as_ref()];
    args.extend(extra.iter().map(|s| std::ffi::OsStr::new(*s)));
    kyso(&args)
}

/// The PNG's `pHYs` chunk: (pixels per metre x, y, unit).
fn phys(png: &[u8]) -> Option<(u32, u32, u8)> {
    let mut i = 8;
    while i + 8 <= png.len() {
        let len = u32::from_be_bytes(png[i..i + 4].try_into().ok()?) as usize;
        let kind = &png[i + 4..i + 8];
        if kind == b"pHYs" {
            let d = &png[i + 8..i + 17];
            return Some((u32::from_be_bytes(d[0..4].try_into().ok()?), u32::from_be_bytes(d[4..8].try_into().ok()?), d[8]));
        }
        if kind == b"IDAT" {
            return None;
        }
        i += 12 + len;
    }
    None
}

fn hue(rgb: [u8; 3]) -> f32 {
    let [r, g, b] = rgb.map(|c| c as f32 / 255.0);
    let (max, min) = (r.max(g).max(b), r.min(g).min(b));
    let d = max - min;
    if d == 0.0 {
        return 0.0;
    }
    let h = if max == r {
        60.0 * ((g - b) / d)
    } else if max == g {
        60.0 * ((b - r) / d + 2.0)
    } else {
        60.0 * ((r - g) / d + 4.0)
    };
    (h + 360.0) % 360.0
}

fn hue_distance(a: f32, b: f32) -> f32 {
    let d = (a - b).abs() % 360.0;
    d.min(360.0 - d)
}

struct Bbox {
    x0: i64,
    y0: i64,
    x1: i64,
    y1: i64,
}

fn bbox(w: u32, h: u32, on: impl Fn(u32, u32) -> bool) -> Bbox {
    let mut b = Bbox { x0: i64::MAX, y0: i64::MAX, x1: -1, y1: -1 };
    for y in 0..h {
        for x in 0..w {
            if on(x, y) {
                b.x0 = b.x0.min(x as i64);
                b.y0 = b.y0.min(y as i64);
                b.x1 = b.x1.max(x as i64);
                b.y1 = b.y1.max(y as i64);
            }
        }
    }
    b
}

/// Prepare the photo with `ink` and check the result against the true mask;
/// returns the output's bytes.
fn check_against_mask(dir: &Path, photo: &Path, mask_path: &Path, ink: &str, target_hue: f32) -> Vec<u8> {
    let out = dir.join(format!("out-{ink}.png"));
    let o = prepare(photo, &out, ink, &[]);
    assert!(o.status.success(), "kyso failed: {}", String::from_utf8_lossy(&o.stderr));
    let bytes = std::fs::read(&out).unwrap();
    let img = image::load_from_memory(&bytes).unwrap().to_rgba8();
    let mask = image::open(mask_path).unwrap().to_luma8();
    let (mw, mh) = mask.dimensions();
    let (ow, oh) = img.dimensions();

    // Where the output sits in the photo: its ink's bounding box against the
    // strokes', refined by the shift that best overlaps the strokes.
    let sb = bbox(mw, mh, |x, y| mask.get_pixel(x, y)[0] >= 64);
    let ob = bbox(ow, oh, |x, y| img.get_pixel(x, y)[3] > 0);
    assert!(ob.x1 >= 0, "output has no ink");
    let guess = (sb.x0 - ob.x0, sb.y0 - ob.y0);
    let alpha_at = |sx: i64, sy: i64, off: (i64, i64)| -> u8 {
        let (x, y) = (sx - off.0, sy - off.1);
        if x < 0 || y < 0 || x >= ow as i64 || y >= oh as i64 {
            0
        } else {
            img.get_pixel(x as u32, y as u32)[3]
        }
    };
    let mut best = (i64::MIN, guess);
    for dy in -6..=6 {
        for dx in -6..=6 {
            let off = (guess.0 + dx, guess.1 + dy);
            let mut score = 0i64;
            for y in (sb.y0..=sb.y1).step_by(2) {
                for x in (sb.x0..=sb.x1).step_by(2) {
                    let stroke = mask.get_pixel(x as u32, y as u32)[0] >= 128;
                    let inked = alpha_at(x, y, off) > 128;
                    score += if stroke == inked { 1 } else { 0 };
                }
            }
            if score > best.0 {
                best = (score, off);
            }
        }
    }
    let off = best.1;
    assert!((off.0 - guess.0).abs() <= 4 && (off.1 - guess.1).abs() <= 4, "output misaligned: {off:?} vs {guess:?}");

    let (mut paper, mut paper_clear, mut stroke, mut stroke_opaque) = (0u64, 0u64, 0u64, 0u64);
    for y in 0..mh as i64 {
        for x in 0..mw as i64 {
            let m = mask.get_pixel(x as u32, y as u32)[0];
            let a = alpha_at(x, y, off);
            if m == 0 {
                paper += 1;
                paper_clear += u64::from(a == 0);
            } else if m >= 128 {
                stroke += 1;
                stroke_opaque += u64::from(a > 128);
            }
        }
    }
    let paper_pct = 100.0 * paper_clear as f64 / paper as f64;
    let stroke_pct = 100.0 * stroke_opaque as f64 / stroke as f64;

    // Inside the trimmed output only (a stricter view of the background).
    let (mut crop_paper, mut crop_clear) = (0u64, 0u64);
    for y in 0..oh as i64 {
        for x in 0..ow as i64 {
            let (sx, sy) = (x + off.0, y + off.1);
            if sx >= 0 && sy >= 0 && sx < mw as i64 && sy < mh as i64 && mask.get_pixel(sx as u32, sy as u32)[0] == 0 {
                crop_paper += 1;
                crop_clear += u64::from(img.get_pixel(x as u32, y as u32)[3] == 0);
            }
        }
    }
    let crop_pct = 100.0 * crop_clear as f64 / crop_paper.max(1) as f64;

    let mut worst_hue = 0f32;
    for p in img.pixels().filter(|p| p[3] > 0) {
        worst_hue = worst_hue.max(hue_distance(hue([p[0], p[1], p[2]]), target_hue));
    }
    let (sw, sh) = (sb.x1 - sb.x0 + 1, sb.y1 - sb.y0 + 1);
    eprintln!(
        "--ink {ink}: paper clear {paper_pct:.2}% (in crop {crop_pct:.2}%), strokes opaque {stroke_pct:.2}%, worst hue off {worst_hue:.1}°, output {ow}×{oh} for strokes {sw}×{sh}"
    );
    assert!(paper_pct >= 95.0, "only {paper_pct:.2}% of paper pixels are transparent");
    assert!(crop_pct >= 90.0, "only {crop_pct:.2}% of paper pixels inside the crop are transparent");
    assert!(stroke_pct >= 90.0, "only {stroke_pct:.2}% of stroke pixels are opaque");
    assert!(worst_hue <= 15.0, "hue {worst_hue:.1}° away from {target_hue}°");
    // Trimmed: the strokes' box plus a small margin on each side.
    let margin = |side: i64| 4.max((sw.max(sh) as f64 * 0.04) as i64) + side;
    assert!((ow as i64) >= sw - 4 && (ow as i64) <= sw + 2 * margin(4), "width {ow} vs strokes {sw}");
    assert!((oh as i64) >= sh - 4 && (oh as i64) <= sh + 2 * margin(4), "height {oh} vs strokes {sh}");
    // Anti-aliased: some partial alpha at the stroke edges.
    assert!(img.pixels().any(|p| p[3] > 0 && p[3] < 255), "no soft edge");
    bytes
}

#[test]
fn blue_signature_from_uneven_photo() {
    let dir = tempfile::tempdir().unwrap();
    let Some((photo, mask)) = make_photo(dir.path()) else { return };
    let png = check_against_mask(dir.path(), &photo, &mask, "blue", 225.0);
    // No --size-mm and a JPEG that records no real resolution (JFIF 1:1): 300 dpi.
    let (px, py, unit) = phys(&png).expect("pHYs chunk");
    assert_eq!(unit, 1);
    assert_eq!(px, py);
    assert!((px as f64 * 0.0254 - 300.0).abs() < 0.5, "{px} px/m");
}

#[test]
fn red_seal_ink() {
    let dir = tempfile::tempdir().unwrap();
    let Some((photo, mask)) = make_photo(dir.path()) else { return };
    check_against_mask(dir.path(), &photo, &mask, "red", 0.0);
}

#[test]
fn size_mm_sets_physical_width() {
    let dir = tempfile::tempdir().unwrap();
    let Some((photo, _)) = make_photo(dir.path()) else { return };
    let out = dir.path().join("seal.png");
    let o = prepare(&photo, &out, "red", &["--size-mm", "36"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let bytes = std::fs::read(&out).unwrap();
    let (ppm, _, unit) = phys(&bytes).expect("pHYs chunk");
    assert_eq!(unit, 1);
    let w = image::load_from_memory(&bytes).unwrap().width();
    let mm = w as f64 / ppm as f64 * 1000.0;
    eprintln!("--size-mm 36: {w} px at {ppm} px/m = {mm:.3} mm");
    assert!((mm - 36.0).abs() <= 0.5, "{mm} mm");

    // A nonsensical size is refused.
    let o = prepare(&photo, &dir.path().join("bad.png"), "red", &["--size-mm", "-3"]);
    assert!(!o.status.success());
}

#[test]
fn garbage_input_is_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("scan.jpg");
    std::fs::write(&junk, b"this is not an image at all\n").unwrap();
    let out = dir.path().join("out.png");
    let o = prepare(&junk, &out, "blue", &[]);
    assert!(!o.status.success());
    assert_ne!(o.status.code(), Some(101), "panicked");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "stderr: {err}");
    assert!(err.contains("not a PNG or JPEG"), "stderr: {err}");
    assert!(!out.exists());

    // A truncated JPEG and a PNG header with nothing after it: no panic either.
    let mut fake = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
    fake.extend_from_slice(b"JFIF\0\x01\x01\x01\x00\x48\x00\x48\x00\x00");
    fake.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08, 0xFF, 0xFF, 0xFF, 0xFF]);
    std::fs::write(&junk, &fake).unwrap();
    let o = prepare(&junk, &out, "blue", &[]);
    assert!(!o.status.success());
    assert_ne!(o.status.code(), Some(101), "panicked: {}", String::from_utf8_lossy(&o.stderr));
    std::fs::write(&junk, b"\x89PNG\r\n\x1a\n").unwrap();
    let o = prepare(&junk, &out, "blue", &[]);
    assert!(!o.status.success());
    assert_ne!(o.status.code(), Some(101), "panicked: {}", String::from_utf8_lossy(&o.stderr));

    // A blank page: no ink found.
    let blank = dir.path().join("blank.png");
    image::RgbImage::from_pixel(200, 100, image::Rgb([240, 238, 230])).save(&blank).unwrap();
    let o = prepare(&blank, &out, "blue", &[]);
    assert!(!o.status.success());
    assert_eq!(String::from_utf8_lossy(&o.stderr).trim_end().lines().count(), 1);
    assert!(!out.exists());
}

#[test]
fn existing_output_needs_force() {
    let dir = tempfile::tempdir().unwrap();
    let Some((photo, _)) = make_photo(dir.path()) else { return };
    let out = dir.path().join("out.png");
    std::fs::write(&out, b"keep me").unwrap();
    let o = prepare(&photo, &out, "blue", &[]);
    assert!(!o.status.success());
    assert_eq!(String::from_utf8_lossy(&o.stderr).trim_end().lines().count(), 1);
    assert_eq!(std::fs::read(&out).unwrap(), b"keep me");
    let o = prepare(&photo, &out, "blue", &["--force"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(image::open(&out).is_ok());
    // Never the input itself, even with --force.
    let o = prepare(&photo, &photo, "blue", &["--force"]);
    assert!(!o.status.success());
}
