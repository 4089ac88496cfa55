//! File grants: the only way a file reaches the office from the window.
//!
//! The web page never names a path. The shell mints a [`FileGrant`] when the user
//! picks a file in a native dialog, drops files on the window, or starts the app
//! with files; the page gets an opaque random handle and the file's name
//! ([`FileRef`]) and hands the handle back. [`Grants::take`] turns a handle into
//! its path once, and only for the purpose it was minted for: a save location
//! cannot be read as a PDF, a PDF cannot be overwritten. A handle the shell did
//! not mint is [`OfficeError::NotGranted`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rand_core::RngCore;
use serde::{Deserialize, Serialize};

use super::OfficeError;

/// What a grant lets the office do with its path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum GrantKind {
    /// Read PDFs: a file, or a folder whose PDFs are added (open dialog, drop, launch).
    Open,
    /// Read one PNG or JPEG image (the image dialog).
    Image,
    /// Create or replace this one file (a save dialog, which asked about replacing).
    Save,
    /// Create a new folder inside this one (the backup's folder dialog).
    Folder,
    /// Read one certificate file (`.pem`, `.cer`, `.p7b`) to write onto a token.
    Certificate,
}

/// What the page holds for a granted file: an opaque handle and a name to show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct FileRef {
    /// 32 random hex digits; meaningless outside this process.
    pub handle: String,
    /// The file's (or folder's) name, for display only.
    pub name: String,
}

#[derive(Debug)]
struct FileGrant {
    path: PathBuf,
    kind: GrantKind,
}

/// The grants minted in this process, each used at most once.
#[derive(Debug, Default)]
pub struct Grants {
    map: Mutex<HashMap<String, FileGrant>>,
}

impl Grants {
    /// Mint a handle for `path` with `kind` (the shell does this for paths the user chose).
    pub fn mint(&self, path: &Path, kind: GrantKind) -> FileRef {
        let mut bytes = [0u8; 16];
        rand_core::OsRng.fill_bytes(&mut bytes);
        let handle = hex::encode(bytes);
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string());
        self.lock().insert(handle.clone(), FileGrant { path: path.to_owned(), kind });
        FileRef { handle, name }
    }

    /// The path behind `handle`, if it was minted for `kind`; the grant is used up.
    /// A handle of another kind stays valid for its own purpose.
    pub fn take(&self, handle: &str, kind: GrantKind) -> Result<PathBuf, OfficeError> {
        let mut map = self.lock();
        match map.get(handle) {
            Some(g) if g.kind == kind => Ok(map.remove(handle).map(|g| g.path).unwrap_or_default()),
            _ => Err(OfficeError::NotGranted),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, FileGrant>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Whether the first 1024 bytes of `path` hold `%PDF-` (where readers look for the header).
pub fn looks_like_pdf(path: &Path) -> bool {
    read_head(path, 1024).is_some_and(|h| h.windows(5).any(|w| w == b"%PDF-"))
}

/// Whether `path` starts with a PNG or JPEG signature.
pub fn looks_like_image(path: &Path) -> bool {
    read_head(path, 8).is_some_and(|h| h.starts_with(b"\x89PNG\r\n\x1a\n") || h.starts_with(&[0xFF, 0xD8, 0xFF]))
}

fn read_head(path: &Path, n: u64) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut head = Vec::new();
    std::fs::File::open(path).ok()?.take(n).read_to_end(&mut head).ok()?;
    Some(head)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_used_once_and_for_their_kind_only() {
        let g = Grants::default();
        let r = g.mint(Path::new("/tmp/đơn.pdf"), GrantKind::Open);
        assert_eq!((r.name.as_str(), r.handle.len()), ("đơn.pdf", 32));
        assert!(matches!(g.take(&r.handle, GrantKind::Save), Err(OfficeError::NotGranted)));
        assert_eq!(g.take(&r.handle, GrantKind::Open).unwrap(), PathBuf::from("/tmp/đơn.pdf"));
        assert!(matches!(g.take(&r.handle, GrantKind::Open), Err(OfficeError::NotGranted)), "used up");
        assert!(matches!(g.take("/etc/passwd", GrantKind::Open), Err(OfficeError::NotGranted)), "a path is not a handle");
    }

    #[test]
    fn content_checks() {
        let d = tempfile::tempdir().unwrap();
        let (pdf, png, txt) = (d.path().join("a.pdf"), d.path().join("b.png"), d.path().join("c.pdf"));
        std::fs::write(&pdf, b"\xef\xbb\xbf%PDF-1.7\n").unwrap();
        std::fs::write(&png, b"\x89PNG\r\n\x1a\n....").unwrap();
        std::fs::write(&txt, b"root:x:0:0:root:/root:/bin/bash\n").unwrap();
        assert!(looks_like_pdf(&pdf) && !looks_like_pdf(&txt) && !looks_like_pdf(&png));
        assert!(looks_like_image(&png) && !looks_like_image(&pdf));
        assert!(!looks_like_pdf(&d.path().join("missing.pdf")));
    }
}
