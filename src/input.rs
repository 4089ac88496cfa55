//! Opening files the user names as input: regular files only.
//!
//! Opening a FIFO for reading blocks until something writes to it, and a device
//! can be read forever; a path given to `kyso verify`, `sign` or `image prepare`
//! that is not a regular file is refused before it is opened.

use std::fs::File;
use std::io;
use std::path::Path;

/// Open `path` for reading if it is a regular file (symbolic links followed);
/// an [`io::ErrorKind::InvalidInput`] error otherwise, without opening it.
pub fn open_regular(path: &Path) -> io::Result<File> {
    check_regular(path)?;
    File::open(path)
}

/// An [`io::ErrorKind::InvalidInput`] error if `path` exists and is not a
/// regular file (a folder, FIFO, socket or device).
pub fn check_regular(path: &Path) -> io::Result<()> {
    let meta = std::fs::metadata(path)?;
    if meta.is_file() {
        return Ok(());
    }
    let what = if meta.is_dir() { "a folder" } else { "not a regular file (a pipe, socket or device)" };
    Err(io::Error::new(io::ErrorKind::InvalidInput, what))
}

#[cfg(all(test, unix))]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn fifos_and_folders_are_refused_without_blocking() {
        let dir = tempfile::tempdir().expect("tempdir");
        let fifo = dir.path().join("x.pdf");
        let st = std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
        assert!(st.success());
        let e = open_regular(&fifo).expect_err("a FIFO is refused");
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        assert_eq!(open_regular(dir.path()).expect_err("a folder").kind(), io::ErrorKind::InvalidInput);
        assert_eq!(open_regular(&dir.path().join("none")).expect_err("missing").kind(), io::ErrorKind::NotFound);
    }
}
