//! Shared helpers for the fuzz targets: each input is written to a per-process
//! file under the temp directory, because the reader works on files.

use std::io::Write;
use std::path::PathBuf;

/// Write `data` to this process's scratch file and return its path.
pub fn scratch(name: &str, data: &[u8]) -> PathBuf {
    let path = std::env::temp_dir().join(format!("kyso-fuzz-{}-{}.pdf", name, std::process::id()));
    let mut f = std::fs::File::create(&path).expect("create scratch file");
    f.write_all(data).expect("write scratch file");
    path
}
