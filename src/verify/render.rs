//! Page renders for the certified-document rule ([`super::diff::rules_certified`]):
//! a page of a revision (the file's first bytes up to that revision's end) as a
//! grey-scale raster, with or without its annotations.
//!
//! The renderer is poppler's `pdftoppm` (poppler-utils), run as a separate
//! process on a temporary copy of the revision: a hostile file can at worst make
//! it fail or time out ([`TIMEOUT`]), which the verifier reports as "could not be
//! checked", never as valid.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::diff::rules_certified::Raster;

/// Resolution of the renders: 144 dpi, two pixels per point.
pub const DPI: u32 = 144;
/// Pixels per point at [`DPI`].
pub const SCALE: f64 = DPI as f64 / 72.0;
/// Longest a render may take.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// Something that draws one page of a PDF file.
pub trait PageRenderer {
    /// Page `page` (zero-based) of `pdf` at [`DPI`], in grey; `annotations`:
    /// whether annotation appearances are drawn.
    fn render(&self, pdf: &Path, page: usize, annotations: bool) -> Result<Raster, String>;
}

/// poppler's `pdftoppm`, found on `PATH`.
pub struct Pdftoppm;

impl PageRenderer for Pdftoppm {
    fn render(&self, pdf: &Path, page: usize, annotations: bool) -> Result<Raster, String> {
        let dir = tempfile::tempdir().map_err(|e| format!("temporary folder: {e}"))?;
        let out = dir.path().join("page");
        let n = (page + 1).to_string();
        let mut cmd = Command::new("pdftoppm");
        cmd.args(["-r", &DPI.to_string(), "-f", &n, "-l", &n, "-singlefile", "-gray"]);
        if !annotations {
            cmd.arg("-hide-annotations");
        }
        cmd.arg(pdf).arg(&out).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
        let mut child = cmd.spawn().map_err(|e| format!("pdftoppm (poppler-utils) cannot be started: {e}"))?;
        let started = Instant::now();
        let status = loop {
            match child.try_wait().map_err(|e| format!("pdftoppm: {e}"))? {
                Some(s) => break s,
                None if started.elapsed() > TIMEOUT => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(format!("pdftoppm took longer than {} s", TIMEOUT.as_secs()));
                }
                None => std::thread::sleep(Duration::from_millis(20)),
            }
        };
        if !status.success() {
            return Err(format!("pdftoppm failed ({status})"));
        }
        let bytes = std::fs::read(out.with_extension("pgm")).map_err(|e| format!("pdftoppm output: {e}"))?;
        parse_pgm(&bytes)
    }
}

/// A binary PGM (`P5`, 8-bit) as a [`Raster`].
pub fn parse_pgm(bytes: &[u8]) -> Result<Raster, String> {
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'#') {
            if bytes[i] == b'#' {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            i += 1;
        }
        let start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if start == i {
            return Err("truncated PGM header".into());
        }
        fields.push(String::from_utf8_lossy(&bytes[start..i]).into_owned());
    }
    let num = |s: &str| s.parse::<usize>().map_err(|_| format!("bad PGM header field {s}"));
    if fields[0] != "P5" || num(&fields[3])? != 255 {
        return Err("not an 8-bit binary PGM".into());
    }
    let (width, height) = (num(&fields[1])?, num(&fields[2])?);
    let data = bytes.get(i + 1..).unwrap_or_default();
    let len = width.checked_mul(height).ok_or("PGM too large")?;
    let pixels = data.get(..len).ok_or("truncated PGM data")?.to_vec();
    Ok(Raster { width, height, pixels })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pgm_round_trip() {
        let mut b = b"P5\n# comment\n3 2\n255\n".to_vec();
        b.extend_from_slice(&[0, 1, 2, 3, 4, 5]);
        let Ok(r) = parse_pgm(&b) else { panic!("the PGM does not parse") };
        assert_eq!((r.width, r.height), (3, 2));
        assert_eq!(r.at(2, 1), 5);
        assert!(parse_pgm(b"P5\n3 2\n255\n\x00").is_err());
        assert!(parse_pgm(b"P6\n1 1\n255\n\x00\x00\x00").is_err());
    }
}
