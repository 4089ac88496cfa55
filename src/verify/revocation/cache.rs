//! A cache of downloaded CRLs and OCSP responses, in memory and on disk.
//!
//! Entries are keyed by URL (OCSP: URL and request), kept until the answer's
//! `nextUpdate` (no `nextUpdate`: 1 hour for a CRL, 5 minutes for an OCSP
//! response) and stored on disk under `dirs::cache_dir()/kyso/revocation/`
//! (`~/.cache/kyso/revocation` on Linux, `%LOCALAPPDATA%\kyso\revocation` on
//! Windows), one file per entry named by the SHA-256 of its key. A cached answer is
//! checked again (signature, freshness) each time it is used, so a tampered or
//! stale file is never trusted; it is only dropped. Disk errors are ignored: the
//! cache is an optimisation.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;

use sha2::Digest;
use time::OffsetDateTime;

const MAGIC: &str = "kyso-revocation-cache 1";
/// Largest cache file read back.
const MAX_ENTRY: u64 = 21 * 1024 * 1024;

#[derive(Clone)]
struct Entry {
    der: Vec<u8>,
    expires: i64,
}

/// A revocation-data cache shared by the checks of one run (and, with a folder,
/// between runs). Safe to share between threads.
pub struct RevocationCache {
    mem: Mutex<HashMap<String, Entry>>,
    dir: Option<PathBuf>,
}

impl Default for RevocationCache {
    fn default() -> Self {
        Self::in_memory()
    }
}

impl std::fmt::Debug for RevocationCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RevocationCache").field("dir", &self.dir).finish_non_exhaustive()
    }
}

impl RevocationCache {
    /// Memory plus the user's cache folder ([`RevocationCache::default_dir`]).
    pub fn new() -> Self {
        RevocationCache { mem: Mutex::new(HashMap::new()), dir: Self::default_dir() }
    }

    /// Memory only (nothing survives the run).
    pub fn in_memory() -> Self {
        RevocationCache { mem: Mutex::new(HashMap::new()), dir: None }
    }

    /// Memory plus the folder `dir`.
    pub fn with_dir(dir: impl Into<PathBuf>) -> Self {
        RevocationCache { mem: Mutex::new(HashMap::new()), dir: Some(dir.into()) }
    }

    /// `dirs::cache_dir()/kyso/revocation`.
    pub fn default_dir() -> Option<PathBuf> {
        dirs::cache_dir().map(|d| d.join("kyso").join("revocation"))
    }

    fn file_for(&self, key: &str) -> Option<PathBuf> {
        let name = hex::encode(sha2::Sha256::digest(key.as_bytes()));
        self.dir.as_ref().map(|d| d.join(format!("{name}.bin")))
    }

    /// The cached bytes for `key`, if present and not past their time.
    pub(crate) fn get(&self, key: &str, now: OffsetDateTime) -> Option<Vec<u8>> {
        let now = now.unix_timestamp();
        if let Ok(mem) = self.mem.lock() {
            if let Some(e) = mem.get(key) {
                if e.expires > now {
                    return Some(e.der.clone());
                }
            }
        }
        let path = self.file_for(key)?;
        let entry = read_entry(&path, key)?;
        if entry.expires <= now {
            let _ = std::fs::remove_file(&path);
            return None;
        }
        if let Ok(mut mem) = self.mem.lock() {
            mem.insert(key.to_owned(), entry.clone());
        }
        Some(entry.der)
    }

    /// Keep `der` for `key` until `expires`.
    pub(crate) fn put(&self, key: &str, der: &[u8], expires: OffsetDateTime) {
        let entry = Entry { der: der.to_vec(), expires: expires.unix_timestamp() };
        if let Some(path) = self.file_for(key) {
            let _ = write_entry(&path, key, &entry);
        }
        if let Ok(mut mem) = self.mem.lock() {
            mem.insert(key.to_owned(), entry);
        }
    }

    /// Forget `key` (its data turned out unusable).
    pub(crate) fn remove(&self, key: &str) {
        if let Ok(mut mem) = self.mem.lock() {
            mem.remove(key);
        }
        if let Some(path) = self.file_for(key) {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// File layout: `MAGIC\n<expires unix>\n<key>\n<DER bytes>`.
fn read_entry(path: &std::path::Path, key: &str) -> Option<Entry> {
    if std::fs::metadata(path).ok()?.len() > MAX_ENTRY {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    let mut rest: &[u8] = &bytes;
    let mut line = || -> Option<String> {
        let i = rest.iter().position(|&b| b == b'\n')?;
        let l = String::from_utf8(rest.get(..i)?.to_vec()).ok()?;
        rest = rest.get(i + 1..)?;
        Some(l)
    };
    if line()? != MAGIC {
        return None;
    }
    let expires: i64 = line()?.parse().ok()?;
    if line()? != key {
        return None;
    }
    Some(Entry { der: rest.to_vec(), expires })
}

fn write_entry(path: &std::path::Path, key: &str, e: &Entry) -> std::io::Result<()> {
    let dir = path.parent().ok_or_else(|| std::io::Error::other("no parent"))?;
    std::fs::create_dir_all(dir)?;
    // A key never contains a newline (URLs are percent-encoded); refuse if it does.
    if key.contains('\n') {
        return Err(std::io::Error::other("newline in key"));
    }
    let mut tmp = crate::atomic::AtomicFile::create(path, crate::atomic::Mode::Replace)?;
    write!(tmp, "{MAGIC}\n{}\n{key}\n", e.expires)?;
    tmp.write_all(&e.der)?;
    tmp.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disk_entries_survive_and_expire() {
        let dir = tempfile::tempdir().expect("tempdir");
        let now = OffsetDateTime::now_utc();
        let a = RevocationCache::with_dir(dir.path());
        a.put("crl http://x/a.crl", b"\x30\x00", now + time::Duration::hours(1));
        a.put("crl http://x/b.crl", b"\x30\x01", now - time::Duration::hours(1));
        let b = RevocationCache::with_dir(dir.path());
        assert_eq!(b.get("crl http://x/a.crl", now).as_deref(), Some(&b"\x30\x00"[..]));
        assert_eq!(b.get("crl http://x/b.crl", now), None);
        assert_eq!(b.get("crl http://x/c.crl", now), None);
    }
}
