//! What the app was started with: PDF paths from the command line
//! (`kyso-desktop a.pdf b.pdf`, or a desktop file association `%F`).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The flag the login autostart entry starts the app with (the window opens minimized).
pub const AUTOSTART_ARG: &str = "--autostart";

/// Picks the PDF files out of the process arguments.
///
/// * `args` are the arguments *without* the program name;
/// * anything starting with `-` is a flag and is ignored, except that after a
///   bare `--` every argument is taken as a path;
/// * only names ending in `.pdf` (any case) are kept, made absolute against
///   `cwd` and kept only if `is_file` says they exist; duplicates are dropped.
///
/// Pure: the file-system check is passed in, so it can be tested without files.
pub fn pdf_paths<I, F>(args: I, cwd: &Path, is_file: F) -> Vec<PathBuf>
where
    I: IntoIterator<Item = OsString>,
    F: Fn(&Path) -> bool,
{
    let mut out: Vec<PathBuf> = Vec::new();
    let mut flags_done = false;
    for arg in args {
        if !flags_done {
            if arg == "--" {
                flags_done = true;
                continue;
            }
            if arg.as_encoded_bytes().first() == Some(&b'-') {
                continue;
            }
        }
        let path = PathBuf::from(arg);
        let is_pdf = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
        if !is_pdf {
            continue;
        }
        let abs = if path.is_absolute() { path } else { cwd.join(path) };
        if is_file(&abs) && !out.contains(&abs) {
            out.push(abs);
        }
    }
    out
}

/// The PDF files given to this process.
pub fn from_env() -> Vec<PathBuf> {
    let cwd = std::env::current_dir().unwrap_or_default();
    pdf_paths(std::env::args_os().skip(1), &cwd, Path::is_file)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str], existing: &[&str]) -> Vec<PathBuf> {
        pdf_paths(args.iter().map(OsString::from), Path::new("/home/vt"), |p| existing.iter().any(|e| Path::new(e) == p))
    }

    #[test]
    fn keeps_existing_pdfs_made_absolute_and_skips_flags() {
        let got = run(
            &["--verbose", "-x", "công văn.pdf", "/srv/QĐ 12.PDF", "notes.txt", "missing.pdf", "công văn.pdf"],
            &["/home/vt/công văn.pdf", "/srv/QĐ 12.PDF", "/home/vt/notes.txt"],
        );
        assert_eq!(got, vec![PathBuf::from("/home/vt/công văn.pdf"), PathBuf::from("/srv/QĐ 12.PDF")]);
    }

    #[test]
    fn double_dash_ends_flags() {
        let got = run(&["--", "-lạ.pdf"], &["/home/vt/-lạ.pdf"]);
        assert_eq!(got, vec![PathBuf::from("/home/vt/-lạ.pdf")]);
    }

    #[test]
    fn nothing_given() {
        assert!(run(&[], &[]).is_empty());
    }
}
