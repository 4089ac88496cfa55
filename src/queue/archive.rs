//! The archive's files (R12): content-addressed under `archive/ab/<sha256>.pdf`,
//! in their original bytes, written once (temporary file, fsync, rename, fsync of
//! the folder) and never modified afterwards.

use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::atomic::{self, AtomicFile, Mode};
use crate::queue::QueueError;

/// Read buffer for hashing and copying.
const BUF: usize = 1 << 16;
/// Prefix and suffix of temporary files in the archive; stale ones are removed on open.
pub(crate) const TEMP_PREFIX: &str = ".kyso-";
/// See [`TEMP_PREFIX`].
pub(crate) const TEMP_SUFFIX: &str = ".part";

/// SHA-256 (lower-case hex) of a file, read in one streaming pass.
pub fn sha256_file(path: &Path) -> Result<String, QueueError> {
    let file = File::open(path).map_err(QueueError::io(path))?;
    let mut reader = BufReader::with_capacity(BUF, file);
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; BUF];
    loop {
        let n = reader.read(&mut buf).map_err(QueueError::io(path))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// The archive path of content with this hash, relative to the data dir:
/// `archive/ab/<sha256>.pdf`.
pub(crate) fn relative_path(sha256: &str) -> String {
    let shard = sha256.get(0..2).unwrap_or("00");
    format!("archive/{shard}/{sha256}.pdf")
}

/// Copy `src` into a new private temporary file `dest` (see [`crate::atomic`]),
/// hashing as it goes. Returns the file, its SHA-256 and its size.
fn copy_hashed(src: &Path, dest: &Path) -> Result<(AtomicFile, String, u64), QueueError> {
    let dir = atomic::parent_dir(dest);
    std::fs::create_dir_all(dir).map_err(QueueError::io(dir))?;
    let mut input = File::open(src).map_err(QueueError::io(src))?;
    let mut temp = AtomicFile::create(dest, Mode::NoClobber).map_err(QueueError::io(dir))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; BUF];
    let mut size = 0u64;
    loop {
        let n = input.read(&mut buf).map_err(QueueError::io(src))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        temp.write_all(&buf[..n]).map_err(QueueError::io(dest))?;
        size += n as u64;
    }
    Ok((temp, hex::encode(hasher.finalize()), size))
}

/// Rename a finished copy into place; an existing file of that name (content-addressed:
/// the same bytes, archived before) is kept.
fn commit_archived(temp: AtomicFile, dest: &Path) -> Result<(), QueueError> {
    match temp.commit() {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(QueueError::Io { path: dest.to_owned(), source: e }),
    }
}

/// Copy `src` to `dest` through a temporary file in `dest`'s folder, hashing as it
/// goes; the copy is fsynced and renamed into place only if its hash is `expected`
/// (otherwise [`QueueError::HashMismatch`] and nothing is left behind). An existing
/// `dest` is never replaced. Returns the size.
pub(crate) fn copy_verified(src: &Path, dest: &Path, expected: &str) -> Result<u64, QueueError> {
    let (temp, actual, size) = copy_hashed(src, dest)?;
    if actual != expected {
        return Err(QueueError::HashMismatch { path: src.to_owned(), expected: expected.to_owned(), actual });
    }
    commit_archived(temp, dest)?;
    Ok(size)
}

/// A document's bytes copied into the archive folder (private, not yet archived),
/// hashed once while copying: what is checked is this copy, and what is archived is
/// this copy ([`crate::queue::Queue::register_staged`]), never a second read of the
/// source. Dropped without being archived, it leaves nothing behind.
#[derive(Debug)]
pub struct Staged {
    file: AtomicFile,
    sha256: String,
    size: u64,
}

impl Staged {
    /// The staged copy, to check.
    pub fn path(&self) -> &Path {
        self.file.temp_path()
    }

    /// SHA-256 of the staged bytes (lower-case hex).
    pub fn sha256(&self) -> &str {
        &self.sha256
    }
}

/// Stage a copy of `src` in `data_dir/archive/`.
pub(crate) fn stage(src: &Path, data_dir: &Path) -> Result<Staged, QueueError> {
    let (file, sha256, size) = copy_hashed(src, &data_dir.join("archive").join("staged.pdf"))?;
    Ok(Staged { file, sha256, size })
}

/// Archive a staged copy as `archive/ab/<sha256>.pdf`; returns its relative path and size.
pub(crate) fn commit_staged(staged: Staged, data_dir: &Path) -> Result<(String, u64), QueueError> {
    let Staged { mut file, sha256, size } = staged;
    let rel = relative_path(&sha256);
    let dest = absolute(data_dir, &rel);
    let shard = atomic::parent_dir(&dest);
    std::fs::create_dir_all(shard).map_err(QueueError::io(shard))?;
    file.retarget(&dest);
    commit_archived(file, &dest)?;
    Ok((rel, size))
}

/// Make a rename in `dir` durable (Unix; Windows has no folder handles to sync).
pub(crate) fn sync_dir(dir: &Path) -> Result<(), QueueError> {
    #[cfg(unix)]
    {
        File::open(dir).and_then(|d| d.sync_all()).map_err(QueueError::io(dir))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Remove temporary files a crash left in the archive folder and its shard folders
/// (only ours: `.kyso-*.part`). Errors are ignored: a stale temporary file is harmless.
pub(crate) fn remove_stale_temps(archive: &Path) {
    let Ok(shards) = std::fs::read_dir(archive) else { return };
    let folders = shards.flatten().map(|e| e.path()).filter(|p| p.is_dir()).chain(std::iter::once(archive.to_owned()));
    for folder in folders {
        let Ok(files) = std::fs::read_dir(&folder) else { continue };
        for f in files.flatten() {
            let name = f.file_name();
            let name = name.to_string_lossy();
            if name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX) {
                let _ = std::fs::remove_file(f.path());
            }
        }
    }
}

/// Where archived file `rel` (as stored) is under `data_dir`. Only for paths made
/// by [`relative_path`]; a stored path goes through [`checked`] first.
pub(crate) fn absolute(data_dir: &Path, rel: &str) -> PathBuf {
    rel.split('/').fold(data_dir.to_owned(), |p, part| p.join(part))
}

/// Whether `sha256` is 64 lower-case hex digits.
fn is_sha256(sha256: &str) -> bool {
    sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The file of a stored archive path, which must be exactly `archive/ab/<sha256>.pdf`
/// for the recorded `sha256` (so `../`, absolute paths and other names never leave
/// the archive); otherwise [`QueueError::InvalidArchivePath`].
pub(crate) fn checked(data_dir: &Path, rel: &str, sha256: &str) -> Result<PathBuf, QueueError> {
    if is_sha256(sha256) && rel == relative_path(sha256) {
        Ok(absolute(data_dir, rel))
    } else {
        Err(QueueError::InvalidArchivePath { rel: rel.to_owned() })
    }
}

/// The file of a stored archive path whose hash is not at hand: the name must be
/// `archive/ab/<sha256>.pdf` with `ab` its first two digits.
pub(crate) fn checked_any(data_dir: &Path, rel: &str) -> Result<PathBuf, QueueError> {
    let sha = rel.strip_prefix("archive/").and_then(|r| r.get(3..)).and_then(|r| r.strip_suffix(".pdf")).unwrap_or_default();
    checked(data_dir, rel, sha)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn stored_paths_must_be_archive_paths_of_their_hash() {
        let d = Path::new("/data");
        let sha = "ab".repeat(32);
        assert_eq!(checked(d, &relative_path(&sha), &sha).unwrap(), d.join("archive/ab").join(format!("{sha}.pdf")));
        assert!(checked_any(d, &relative_path(&sha)).is_ok());
        for bad in [
            "../../etc/passwd",
            "/etc/passwd",
            "archive/ab/../../x.pdf",
            "archive/cd/abab.pdf",
            &format!("archive/ab/{sha}.PDF"),
            &format!("archive/ab/{sha}.pdf/.."),
        ] {
            assert!(matches!(checked(d, bad, &sha), Err(QueueError::InvalidArchivePath { .. })), "{bad}");
            assert!(checked_any(d, bad).is_err(), "{bad}");
        }
        let upper = sha.to_uppercase();
        assert!(checked(d, &relative_path(&upper), &upper).is_err());
    }

    #[test]
    fn copy_checks_the_hash_and_never_replaces() {
        let dir = tempfile::tempdir().expect("tmp");
        let src = dir.path().join("a.pdf");
        std::fs::write(&src, b"%PDF-1.7 hello").expect("write");
        let sha = sha256_file(&src).expect("hash");
        let dest = absolute(dir.path(), &relative_path(&sha));
        assert!(matches!(copy_verified(&src, &dest, "00"), Err(QueueError::HashMismatch { .. })));
        assert!(!dest.exists());
        assert_eq!(copy_verified(&src, &dest, &sha).expect("copy"), 14);
        assert_eq!(std::fs::read(&dest).expect("read"), b"%PDF-1.7 hello");
        assert_eq!(copy_verified(&src, &dest, &sha).expect("again"), 14);
        let shard = dest.parent().expect("shard");
        let names: Vec<_> = std::fs::read_dir(shard).expect("ls").flatten().map(|e| e.file_name()).collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }
}
