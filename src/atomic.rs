//! Writing a file so that it is either absent or complete: a temporary file beside
//! the destination (`.kyso-XXXXXX.part`), written and `fsync`ed, then renamed into
//! place, then the folder `fsync`ed so the rename survives a power cut. A failure
//! at any point (or dropping an [`AtomicFile`] without [`AtomicFile::commit`])
//! removes the temporary file: the destination is untouched.
//!
//! Two modes: [`Mode::NoClobber`] (an existing destination is refused, atomically:
//! nobody can slip a file in between a check and the rename) and [`Mode::Replace`]
//! (an existing destination is replaced in one step).
//!
//! Permissions: the temporary file is created private (0600 on Unix). A file
//! derived from an input (a signed PDF beside its draft) takes the input's
//! permission bits, and its owner and group where the process may set them
//! ([`AtomicFile::keep_permissions_of`]); files of KýSố's own (the archive's
//! copies, the queue's notices) stay private.
//!
//! The platform-specific step is one small function, `rename_into_place`. On Windows
//! a file another program holds open (a PDF reader showing the previous version)
//! cannot be replaced: after a short wait for virus scanners, that is an
//! [`io::ErrorKind::ResourceBusy`] error saying so, and nothing has changed.

use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tempfile::NamedTempFile;

/// What to do when the destination exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Refuse ([`io::ErrorKind::AlreadyExists`]); the check and the rename are one step.
    NoClobber,
    /// Replace it in one step.
    Replace,
}

/// A file being written: a private temporary file beside its destination.
#[derive(Debug)]
pub struct AtomicFile {
    temp: NamedTempFile,
    dest: PathBuf,
    mode: Mode,
}

/// The folder `path` is in (`.` for a bare file name).
pub fn parent_dir(path: &Path) -> &Path {
    path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or_else(|| Path::new("."))
}

impl AtomicFile {
    /// Start writing `dest`: a temporary `.kyso-XXXXXX<suffix>.part` in the same folder.
    pub fn create(dest: &Path, mode: Mode) -> io::Result<AtomicFile> {
        let suffix = dest.extension().map(|e| format!(".{}.part", e.to_string_lossy())).unwrap_or_else(|| ".part".to_owned());
        let temp = tempfile::Builder::new().prefix(".kyso-").suffix(&suffix).tempfile_in(parent_dir(dest))?;
        Ok(AtomicFile { temp, dest: dest.to_owned(), mode })
    }

    /// The temporary file, for reading back or patching in place.
    pub fn file(&mut self) -> &mut File {
        self.temp.as_file_mut()
    }

    /// Append `bytes` (an incremental update) at the end; returns where they start.
    pub fn append(&mut self, bytes: &[u8]) -> io::Result<u64> {
        let f = self.temp.as_file_mut();
        let at = f.seek(SeekFrom::End(0))?;
        f.write_all(bytes)?;
        Ok(at)
    }

    /// Overwrite the bytes at `offset` (a placeholder filled in).
    pub fn write_at(&mut self, offset: u64, bytes: &[u8]) -> io::Result<()> {
        let f = self.temp.as_file_mut();
        f.seek(SeekFrom::Start(offset))?;
        f.write_all(bytes)
    }

    /// The length written so far.
    pub fn written_len(&mut self) -> io::Result<u64> {
        self.temp.as_file_mut().seek(SeekFrom::End(0))
    }

    /// The temporary file's path (beside the destination).
    pub fn temp_path(&self) -> &Path {
        self.temp.path()
    }

    /// The destination.
    pub fn dest(&self) -> &Path {
        &self.dest
    }

    /// Rename into `dest` instead (decided once the content is known, e.g. a
    /// content-addressed name); it must be on the same file system as the temporary file.
    pub fn retarget(&mut self, dest: &Path) {
        self.dest = dest.to_owned();
    }

    /// Give the file `input`'s permission bits, and its owner and group where this
    /// process may (a signed copy of a 0644 draft is 0644, of a 0640 draft 0640).
    /// On systems without Unix permissions this does nothing.
    pub fn keep_permissions_of(&mut self, input: &Path) -> io::Result<()> {
        let meta = std::fs::metadata(input)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::{MetadataExt, PermissionsExt};
            // Owner first: changing it may clear set-id bits, which are not kept anyway.
            let _ = std::os::unix::fs::chown(self.temp.path(), Some(meta.uid()), Some(meta.gid()));
            let bits = meta.permissions().mode() & 0o777;
            self.temp.as_file().set_permissions(std::fs::Permissions::from_mode(bits))?;
        }
        #[cfg(not(unix))]
        let _ = meta;
        Ok(())
    }

    /// Flush and `fsync` the data, rename it into place (as [`Mode`] says), and
    /// `fsync` the folder. On an error the temporary file is removed.
    pub fn commit(self) -> io::Result<()> {
        let AtomicFile { mut temp, dest, mode } = self;
        temp.flush()?;
        temp.as_file().sync_all()?;
        rename_into_place(temp, &dest, mode)?;
        sync_dir(parent_dir(&dest))
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.temp.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.temp.flush()
    }
}

/// Write `bytes` to `dest` atomically (private permissions).
pub fn write(dest: &Path, bytes: &[u8], mode: Mode) -> io::Result<()> {
    let mut f = AtomicFile::create(dest, mode)?;
    f.write_all(bytes)?;
    f.commit()
}

/// How long a refused rename is retried on Windows: virus scanners and the search
/// indexer open a new or changed file for a moment, and a rename meanwhile fails.
const SHARING_WAIT: Duration = Duration::from_secs(2);
const SHARING_STEP: Duration = Duration::from_millis(100);

/// What a [`io::ErrorKind::ResourceBusy`] error from [`AtomicFile::commit`] says.
pub const IN_USE: &str = "the file is open in another program / tệp đang được mở trong chương trình khác";

/// The one platform-specific step: move the finished temporary file to `dest`.
/// No-clobber links the file under its new name (which fails if the name exists)
/// and removes the temporary name; replace is `rename(2)`.
///
/// On Windows tempfile calls `MoveFileExW` (with `MOVEFILE_REPLACE_EXISTING` to
/// replace), which fails while another program has the destination (or the
/// temporary file) open without delete sharing. That is retried for
/// [`SHARING_WAIT`]; a destination still held open then gives
/// [`io::ErrorKind::ResourceBusy`] ([`IN_USE`]).
fn rename_into_place(temp: NamedTempFile, dest: &Path, mode: Mode) -> io::Result<()> {
    let started = Instant::now();
    let mut temp = temp;
    loop {
        let persisted = match mode {
            Mode::NoClobber => temp.persist_noclobber(dest),
            Mode::Replace => temp.persist(dest),
        };
        match persisted {
            Ok(_file) => return Ok(()),
            Err(e) if sharing_refusal(&e.error) && started.elapsed() < SHARING_WAIT => {
                temp = e.file;
                std::thread::sleep(SHARING_STEP);
            }
            // On failure `e.file` is dropped here, which removes the temporary file.
            Err(e) => return Err(explain_refusal(e.error, dest)),
        }
    }
}

/// Windows' answers when another program has a file open: `ERROR_ACCESS_DENIED` (5:
/// renaming over a file open without delete sharing), `ERROR_SHARING_VIOLATION` (32),
/// `ERROR_LOCK_VIOLATION` (33). Never on other systems.
fn sharing_refusal(e: &io::Error) -> bool {
    cfg!(windows) && matches!(e.raw_os_error(), Some(5 | 32 | 33))
}

/// `e`, or [`IN_USE`] when that is why: `dest` cannot be opened without sharing now.
/// A read-only or protected destination keeps its "access denied".
fn explain_refusal(e: io::Error, dest: &Path) -> io::Error {
    if sharing_refusal(&e) && open_elsewhere(dest) {
        return io::Error::new(io::ErrorKind::ResourceBusy, IN_USE);
    }
    e
}

/// Whether another program has `path` open (Windows: an exclusive open fails with
/// `ERROR_SHARING_VIOLATION` while any other handle exists).
#[cfg(windows)]
fn open_elsewhere(path: &Path) -> bool {
    use std::os::windows::fs::OpenOptionsExt;
    match std::fs::OpenOptions::new().read(true).share_mode(0).open(path) {
        Err(e) => e.raw_os_error() == Some(32),
        Ok(_) => false,
    }
}

#[cfg(not(windows))]
fn open_elsewhere(_path: &Path) -> bool {
    false
}

/// `fsync` a folder so that a rename inside it is durable (a no-op where folders
/// cannot be opened, e.g. Windows).
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    /// A PDF reader's handle (read, others may only read): replacing is refused as
    /// "in use" after the wait, the file and the folder unchanged; once it is closed the
    /// same replace succeeds. Runs in the Windows stage, under Wine.
    #[cfg(windows)]
    #[test]
    fn a_file_open_in_another_program_is_busy_and_untouched() {
        use std::os::windows::fs::OpenOptionsExt;
        let d = tempfile::tempdir().unwrap();
        let dest = d.path().join("Quyết định.đã ký.pdf");
        write(&dest, b"shown in the reader", Mode::NoClobber).unwrap();
        let reader = std::fs::OpenOptions::new().read(true).share_mode(1).open(&dest).unwrap();
        let started = Instant::now();
        let e = write(&dest, b"new", Mode::Replace).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::ResourceBusy, "{e:?}");
        assert!(e.to_string().contains("another program"), "{e}");
        assert!(started.elapsed() >= SHARING_WAIT, "retried for scanners first");
        assert_eq!(std::fs::read(&dest).unwrap(), b"shown in the reader");
        assert_eq!(entries(d.path()), ["Quyết định.đã ký.pdf"], "no .part left");
        drop(reader);
        write(&dest, b"new", Mode::Replace).unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"new");
    }

    #[test]
    fn refusals_are_windows_sharing_codes_only() {
        let denied = io::Error::from_raw_os_error(5);
        assert_eq!(sharing_refusal(&denied), cfg!(windows));
        assert!(!sharing_refusal(&io::Error::from(io::ErrorKind::AlreadyExists)));
        // Not held open: the error stays what it was.
        let d = tempfile::tempdir().unwrap();
        let e = explain_refusal(io::Error::from_raw_os_error(5), &d.path().join("none.pdf"));
        assert_ne!(e.kind(), io::ErrorKind::ResourceBusy);
    }

    fn entries(d: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(d).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    }

    #[test]
    fn no_clobber_refuses_and_leaves_nothing_behind() {
        let d = tempfile::tempdir().unwrap();
        let dest = d.path().join("báo cáo.csv");
        write(&dest, b"one", Mode::NoClobber).unwrap();
        let e = write(&dest, b"two", Mode::NoClobber).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&dest).unwrap(), b"one");
        write(&dest, b"three", Mode::Replace).unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"three");
        assert_eq!(entries(d.path()), ["báo cáo.csv"], "no .part left");
    }

    #[test]
    fn dropped_without_commit_leaves_nothing() {
        let d = tempfile::tempdir().unwrap();
        let dest = d.path().join("x.pdf");
        {
            let mut f = AtomicFile::create(&dest, Mode::NoClobber).unwrap();
            f.write_all(b"half").unwrap();
            assert!(f.temp_path().file_name().unwrap().to_string_lossy().ends_with(".pdf.part"));
        }
        assert!(entries(d.path()).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn private_by_default_and_the_input_mode_when_asked() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let own = d.path().join("own.bin");
        write(&own, b"x", Mode::NoClobber).unwrap();
        assert_eq!(mode(&own), 0o600);
        for bits in [0o644, 0o640, 0o600] {
            let input = d.path().join(format!("in-{bits:o}.pdf"));
            std::fs::write(&input, b"%PDF-").unwrap();
            std::fs::set_permissions(&input, std::fs::Permissions::from_mode(bits)).unwrap();
            let out = d.path().join(format!("out-{bits:o}.pdf"));
            let mut f = AtomicFile::create(&out, Mode::NoClobber).unwrap();
            f.write_all(b"%PDF-").unwrap();
            f.keep_permissions_of(&input).unwrap();
            f.commit().unwrap();
            assert_eq!(mode(&out), bits);
        }
    }
}
