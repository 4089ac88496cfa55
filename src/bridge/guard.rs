//! Who may use the bridge, and where it may send documents.
//!
//! The original service answers any web site; KýSố answers only origins IT listed
//! (`settings.toml` `[bridge] allow_origins`, `--allow-origin`) or that the user
//! allowed once when asked; only requests addressed to `127.0.0.1`/`localhost`
//! (a `Host` naming anything else is DNS rebinding); and downloads and uploads only
//! on the requesting origin or an allowed one.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use url::Url;

use super::BridgeError;

/// `scheme://host[:port]` in lower case, the default port left out; `None` for
/// `null`, opaque or non-web origins.
pub fn normalize_origin(origin: &str) -> Option<String> {
    let u = Url::parse(origin.trim()).ok()?;
    if !matches!(u.scheme(), "http" | "https") {
        return None;
    }
    let o = u.origin();
    o.is_tuple().then(|| o.ascii_serialization())
}

/// Whether a `Host` header names this computer's loopback (`127.0.0.1`, `[::1]`,
/// `localhost`, any port).
pub fn host_is_local(host: &str) -> bool {
    let h = host.trim().to_ascii_lowercase();
    let name = if let Some(rest) = h.strip_prefix('[') {
        rest.split(']').next().unwrap_or("").to_owned()
    } else {
        h.rsplit_once(':').map(|(n, p)| if p.chars().all(|c| c.is_ascii_digit()) { n } else { h.as_str() }).unwrap_or(&h).to_owned()
    };
    matches!(name.as_str(), "127.0.0.1" | "localhost" | "::1")
}

/// The origins that may use the bridge.
#[derive(Debug)]
pub struct OriginPolicy {
    /// Listed by IT (never asked).
    listed: BTreeSet<String>,
    /// Allowed by the user once, remembered in `bridge/origins.json`.
    remembered: Mutex<BTreeSet<String>>,
    /// Refused by the user in this run (not asked again until restart).
    refused: Mutex<BTreeSet<String>>,
    file: Option<PathBuf>,
}

impl OriginPolicy {
    /// A policy with IT's list and the user's earlier answers from `data_dir` (none
    /// remembered when `data_dir` is `None`). Unparseable entries are dropped.
    pub fn new(listed: &[String], data_dir: Option<&Path>) -> OriginPolicy {
        let listed = listed.iter().filter_map(|o| normalize_origin(o)).collect();
        let file = data_dir.map(|d| super::tls::dir(d).join("origins.json"));
        let remembered = file
            .as_ref()
            .and_then(|f| std::fs::read(f).ok())
            .and_then(|b| serde_json::from_slice::<Vec<String>>(&b).ok())
            .map(|v| v.iter().filter_map(|o| normalize_origin(o)).collect())
            .unwrap_or_default();
        OriginPolicy { listed, remembered: Mutex::new(remembered), refused: Mutex::new(BTreeSet::new()), file }
    }

    /// Whether IT listed at least one origin.
    pub fn has_list(&self) -> bool {
        !self.listed.is_empty()
    }

    /// Whether `origin` (normalized) may use the bridge without asking.
    pub fn allowed(&self, origin: &str) -> bool {
        self.listed.contains(origin) || self.remembered.lock().map(|r| r.contains(origin)).unwrap_or(false)
    }

    /// Whether the user already refused `origin` in this run.
    pub fn refused(&self, origin: &str) -> bool {
        self.refused.lock().map(|r| r.contains(origin)).unwrap_or(true)
    }

    /// Record the user's answer for `origin`: allowed is remembered on disk, refused
    /// for this run.
    pub fn remember(&self, origin: &str, allowed: bool) {
        if !allowed {
            if let Ok(mut r) = self.refused.lock() {
                r.insert(origin.to_owned());
            }
            return;
        }
        let Ok(mut r) = self.remembered.lock() else { return };
        r.insert(origin.to_owned());
        if let Some(file) = &self.file {
            let list: Vec<&String> = r.iter().collect();
            if let Ok(bytes) = serde_json::to_vec_pretty(&list) {
                if let Ok(mut f) = crate::atomic::AtomicFile::create(file, crate::atomic::Mode::Replace) {
                    use std::io::Write;
                    if f.file().write_all(&bytes).is_ok() {
                        let _ = f.commit();
                    }
                }
            }
        }
    }

    /// The address `target` (absolute, or relative to the page) resolved against
    /// the page's `origin`, if it is on that origin or an allowed one and uses
    /// http(s); else [`BridgeError::UrlNotAllowed`].
    pub fn resolve_url(&self, origin: &str, target: &str) -> Result<Url, BridgeError> {
        let refuse = || BridgeError::UrlNotAllowed { url: target.to_owned(), origin: origin.to_owned() };
        let base = Url::parse(origin).map_err(|_| refuse())?;
        let url = base.join(target.trim()).map_err(|_| refuse())?;
        if !matches!(url.scheme(), "http" | "https") || !url.username().is_empty() || url.password().is_some() {
            return Err(refuse());
        }
        let url_origin = url.origin().ascii_serialization();
        if url_origin == origin || self.allowed(&url_origin) {
            Ok(url)
        } else {
            Err(refuse())
        }
    }
}

/// Whether a page's `FileName` is an address (absolute or relative to the page)
/// rather than a bare file name for the user to pick.
pub fn is_address(file_name: &str) -> bool {
    let f = file_name.trim();
    f.starts_with("http://") || f.starts_with("https://") || f.starts_with('/') || f.contains('?')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        assert_eq!(normalize_origin("HTTPS://Eoffice.Example.gov.vn:443").as_deref(), Some("https://eoffice.example.gov.vn"));
        assert_eq!(normalize_origin("http://127.0.0.1:8080").as_deref(), Some("http://127.0.0.1:8080"));
        assert_eq!(normalize_origin("null"), None);
        assert_eq!(normalize_origin("file:///x"), None);
    }

    #[test]
    fn hosts() {
        for ok in ["127.0.0.1:8987", "localhost:8987", "LOCALHOST", "[::1]:8987", "127.0.0.1"] {
            assert!(host_is_local(ok), "{ok}");
        }
        for bad in ["evil.example", "evil.example:8987", "127.0.0.1.evil.example", "localhost.evil.example:8987", "", "[::2]:1"] {
            assert!(!host_is_local(bad), "{bad}");
        }
    }

    #[test]
    fn urls_stay_on_allowed_sites() {
        let p = OriginPolicy::new(&["https://files.example.gov.vn".into()], None);
        let o = "https://eoffice.example.gov.vn";
        assert_eq!(p.resolve_url(o, "/api/file?id=1").unwrap().as_str(), "https://eoffice.example.gov.vn/api/file?id=1");
        assert!(p.resolve_url(o, "https://files.example.gov.vn/a.pdf").is_ok());
        assert!(p.resolve_url(o, "https://evil.example/a.pdf").is_err());
        assert!(p.resolve_url(o, "file:///etc/passwd").is_err());
        assert!(p.resolve_url(o, "https://user:pw@eoffice.example.gov.vn/").is_err());
        assert!(p.resolve_url(o, "//evil.example/x").is_err());
    }
}
