//! The signer's images, set once per user profile: the leader's handwritten
//! signature (blue, R1) and the agency's seal (red, R2). Kept prepared
//! (transparent, recoloured, trimmed) in the data dir's `images/`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Office;
use crate::stamp::image::{prepare, Ink};

/// Which image.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum StampImageKind {
    /// The leader's signature, drawn on personal signatures.
    Signature,
    /// The agency's seal, drawn when the clerk seals.
    Seal,
}

impl StampImageKind {
    fn file_name(self) -> &'static str {
        match self {
            StampImageKind::Signature => "signature.png",
            StampImageKind::Seal => "seal.png",
        }
    }

    fn ink(self) -> Ink {
        match self {
            StampImageKind::Signature => Ink::Blue,
            StampImageKind::Seal => Ink::Red,
        }
    }
}

impl Office {
    /// Where the prepared image of `kind` lives (whether or not it is set).
    pub fn stamp_image_path(&self, kind: StampImageKind) -> PathBuf {
        self.config.data_dir.join("images").join(kind.file_name())
    }

    /// The prepared image of `kind`, if one was set.
    pub fn stamp_image(&self, kind: StampImageKind) -> Option<PathBuf> {
        Some(self.stamp_image_path(kind)).filter(|p| p.is_file())
    }

    /// [`Office::set_stamp_image`] on the image the user picked (`handle`,
    /// [`GrantKind::Image`]), after checking it is a PNG or JPEG.
    pub fn set_stamp_image_granted(&self, kind: StampImageKind, handle: &str, size_mm: Option<f32>) -> Result<PathBuf, crate::Error> {
        let source = self.grants().take(handle, super::GrantKind::Image)?;
        if !super::grants::looks_like_image(&source) {
            let name = source.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            return Err(super::OfficeError::NotImage { name }.into());
        }
        self.set_stamp_image(kind, &source, size_mm)
    }

    /// Prepare `source` (a photo or scan, or an already transparent PNG) and keep it
    /// as the image of `kind`, replacing the previous one atomically. `size_mm`: the
    /// seal's real diameter, or the signature's width.
    pub fn set_stamp_image(&self, kind: StampImageKind, source: &Path, size_mm: Option<f32>) -> Result<PathBuf, crate::Error> {
        let out = self.stamp_image_path(kind);
        if let Some(dir) = out.parent() {
            std::fs::create_dir_all(dir).map_err(|source| crate::error::OutputError::WriteOutput { path: dir.to_owned(), source })?;
        }
        let img = prepare(source, kind.ink(), size_mm)?;
        img.write_png(&out)?;
        Ok(out)
    }
}
