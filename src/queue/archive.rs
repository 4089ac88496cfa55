//! The archive's files (R12): content-addressed under `archive/ab/<sha256>.pdf`,
//! in their original bytes, written once (temporary file, fsync, rename, fsync of
//! the folder) and never modified afterwards.

use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

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

/// Copy `src` to `dest` through a temporary file in `dest`'s folder, hashing as it
/// goes; the copy is fsynced and renamed into place only if its hash is `expected`
/// (otherwise [`QueueError::HashMismatch`] and nothing is left behind). An existing
/// `dest` is never replaced. Returns the size.
pub(crate) fn copy_verified(src: &Path, dest: &Path, expected: &str) -> Result<u64, QueueError> {
    let dir = dest.parent().unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(dir).map_err(QueueError::io(dir))?;
    let mut input = File::open(src).map_err(QueueError::io(src))?;
    let mut temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .tempfile_in(dir)
        .map_err(QueueError::io(dir))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; BUF];
    let mut size = 0u64;
    loop {
        let n = input.read(&mut buf).map_err(QueueError::io(src))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        temp.write_all(&buf[..n]).map_err(QueueError::io(temp.path().to_owned()))?;
        size += n as u64;
    }
    let actual = hex::encode(hasher.finalize());
    if actual != expected {
        return Err(QueueError::HashMismatch { path: src.to_owned(), expected: expected.to_owned(), actual });
    }
    temp.as_file().sync_all().map_err(QueueError::io(dest))?;
    match temp.persist_noclobber(dest) {
        Ok(_) => {}
        // Content-addressed: an existing file of this name was archived before.
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(QueueError::Io { path: dest.to_owned(), source: e.error }),
    }
    sync_dir(dir)?;
    Ok(size)
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

/// Remove temporary files a crash left in the archive's shard folders (only ours:
/// `.kyso-*.part`). Errors are ignored: a stale temporary file is harmless.
pub(crate) fn remove_stale_temps(archive: &Path) {
    let Ok(shards) = std::fs::read_dir(archive) else { return };
    for shard in shards.flatten() {
        let Ok(files) = std::fs::read_dir(shard.path()) else { continue };
        for f in files.flatten() {
            let name = f.file_name();
            let name = name.to_string_lossy();
            if name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX) {
                let _ = std::fs::remove_file(f.path());
            }
        }
    }
}

/// Where archived file `rel` (as stored) is under `data_dir`.
pub(crate) fn absolute(data_dir: &Path, rel: &str) -> PathBuf {
    rel.split('/').fold(data_dir.to_owned(), |p, part| p.join(part))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

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
