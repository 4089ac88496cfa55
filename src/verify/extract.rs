//! The signed revision of each signature as a PDF of its own (`kyso verify
//! --extract-signed DIR`): what the signer actually saw and signed, to compare
//! with what a viewer shows of the whole file.
//!
//! A signature covers the file from its first byte to the end of the revision it
//! closes; those bytes are a complete PDF (every incremental update ends with its
//! own cross-reference section and trailer), written here unchanged.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::engine::DocumentReport;
use crate::pdf::PdfFile;

/// Write the signed revision of every signature of `report` (made for `path`)
/// into `dir` as `<stem>.chu-ky-<index>-<field>.pdf`; returns the files written.
/// An existing file is never replaced.
pub fn write_signed_revisions(path: &Path, report: &DocumentReport, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let pdf = PdfFile::open_for_verification(path).map_err(std::io::Error::other)?;
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "van-ban".into());
    let mut out = Vec::new();
    for sig in &report.signatures {
        let Some(rev) = sig.coverage.revision else { continue };
        let Some(end) = pdf.revision_end(rev).map_err(std::io::Error::other)? else { continue };
        let field: String = sig.field.chars().map(|c| if c.is_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
        let target = dir.join(format!("{stem}.chu-ky-{}-{field}.pdf", sig.index));
        copy_prefix(path, end, &target)?;
        out.push(target);
    }
    Ok(out)
}

/// Copy the first `len` bytes of `src` to a new file `dst` (temporary file, fsync,
/// no-clobber rename).
fn copy_prefix(src: &Path, len: u64, dst: &Path) -> std::io::Result<()> {
    let dir = dst.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut input = crate::input::open_regular(src)?;
    input.seek(SeekFrom::Start(0))?;
    let mut tmp = tempfile::Builder::new().prefix(".kyso-").suffix(".pdf.part").tempfile_in(dir)?;
    let copied = std::io::copy(&mut input.take(len), tmp.as_file_mut())?;
    if copied != len {
        return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "the file is shorter than the signed revision"));
    }
    tmp.as_file_mut().flush()?;
    tmp.as_file().sync_all()?;
    tmp.persist_noclobber(dst).map_err(|e| e.error)?;
    Ok(())
}
