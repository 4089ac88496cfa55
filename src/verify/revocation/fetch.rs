//! Plain-HTTP fetching of CRLs (GET) and OCSP responses (POST).
//!
//! RFC 5280 §4.2.1.13 and RFC 6960 Appendix A use `http://`; the data is signed,
//! so no TLS is needed and none is compiled in: `https://` and `ldap://`
//! addresses are reported as unsupported. Limits: 3 s to connect, 3 s per read
//! and write, 30 s for a whole exchange, at most 3 redirects, at most 20 MiB per
//! response. No proxy is used.

use std::io::Read;
use std::time::Duration;

/// Time allowed to open a connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// Time allowed for each read or write on the connection.
pub const IO_TIMEOUT: Duration = Duration::from_secs(3);
/// Time allowed for a whole exchange (large CRLs on slow links).
pub const TOTAL_TIMEOUT: Duration = Duration::from_secs(30);
/// Redirects followed.
pub const MAX_REDIRECTS: u32 = 3;
/// Largest response accepted.
pub const MAX_RESPONSE: u64 = 20 * 1024 * 1024;

/// An HTTP client with the limits above.
pub struct Fetcher {
    agent: ureq::Agent,
}

impl Default for Fetcher {
    fn default() -> Self {
        Self::new()
    }
}

impl Fetcher {
    /// A client with the module's timeouts and limits.
    pub fn new() -> Self {
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(CONNECT_TIMEOUT)
            .timeout_read(IO_TIMEOUT)
            .timeout_write(IO_TIMEOUT)
            .timeout(TOTAL_TIMEOUT)
            .redirects(MAX_REDIRECTS)
            .user_agent(concat!("kyso/", env!("CARGO_PKG_VERSION")))
            .build();
        Fetcher { agent }
    }

    /// GET `url`.
    pub fn get(&self, url: &str) -> Result<Vec<u8>, String> {
        check_url(url)?;
        read_capped(self.agent.get(url).call())
    }

    /// POST `body` as `content_type` to `url`.
    pub fn post(&self, url: &str, content_type: &str, body: &[u8]) -> Result<Vec<u8>, String> {
        check_url(url)?;
        read_capped(self.agent.post(url).set("Content-Type", content_type).send_bytes(body))
    }
}

fn check_url(url: &str) -> Result<(), String> {
    let scheme = url.split_once(':').map(|(s, _)| s.to_ascii_lowercase()).unwrap_or_default();
    if scheme == "http" {
        Ok(())
    } else {
        Err(format!("only http:// addresses are fetched, not {scheme}:"))
    }
}

fn read_capped(result: Result<ureq::Response, ureq::Error>) -> Result<Vec<u8>, String> {
    let resp = match result {
        Ok(r) => r,
        Err(ureq::Error::Status(code, _)) => return Err(format!("HTTP status {code}")),
        Err(ureq::Error::Transport(t)) => return Err(format!("unreachable: {t}")),
    };
    if let Some(len) = resp.header("Content-Length").and_then(|v| v.trim().parse::<u64>().ok()) {
        if len > MAX_RESPONSE {
            return Err(format!("response too large ({len} bytes)"));
        }
    }
    let mut out = Vec::new();
    resp.into_reader().take(MAX_RESPONSE + 1).read_to_end(&mut out).map_err(|e| format!("reading the response: {e}"))?;
    if out.len() as u64 > MAX_RESPONSE {
        return Err(format!("response larger than {MAX_RESPONSE} bytes"));
    }
    Ok(out)
}
