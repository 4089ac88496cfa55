//! Fetching the document from the e-office server and sending the signed one back,
//! with the page's session: its `SessionId` as a cookie and its `JWTToken` as a
//! bearer token. Short time-outs, a size limit, and redirects followed only to
//! addresses the [`super::guard::OriginPolicy`] allows.

use std::io::Read;
use std::time::Duration;

use url::Url;
use zeroize::Zeroizing;

use super::BridgeError;

/// The largest document the bridge downloads.
pub const MAX_DOCUMENT: u64 = 100 << 20;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const TRANSFER_TIMEOUT: Duration = Duration::from_secs(120);
const MAX_REDIRECTS: usize = 3;

/// The page's credentials for its e-office server (never logged, zeroized on drop).
#[derive(Clone, Default)]
pub struct Credentials {
    /// `SessionId`: sent as a cookie. A value with `=` is sent as written
    /// (`NAME=value; …`); a bare value as `ASP.NET_SessionId` and `SessionId`.
    pub session_id: Option<Zeroizing<String>>,
    /// `JWTToken`: sent as `Authorization: Bearer`.
    pub jwt: Option<Zeroizing<String>>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Credentials(…)")
    }
}

impl Credentials {
    fn apply(&self, mut req: ureq::Request) -> ureq::Request {
        if let Some(s) = self.session_id.as_deref().map(|s| s.trim()).filter(|s| !s.is_empty()) {
            let cookie = if s.contains('=') { s.to_owned() } else { format!("ASP.NET_SessionId={s}; SessionId={s}") };
            req = req.set("Cookie", &cookie);
        }
        if let Some(t) = self.jwt.as_deref().map(|s| s.trim()).filter(|s| !s.is_empty()) {
            let t = t.strip_prefix("Bearer ").unwrap_or(t);
            req = req.set("Authorization", &format!("Bearer {t}"));
        }
        req
    }
}

fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout_connect(CONNECT_TIMEOUT)
        .timeout(TRANSFER_TIMEOUT)
        .redirects(0)
        .user_agent(concat!("KySo/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// A short reason for people from a failed call (status and the first line of
/// the body, or the transport error).
fn reason(e: ureq::Error) -> String {
    match e {
        ureq::Error::Status(code, resp) => {
            let text = resp.into_string().unwrap_or_default();
            let line = text.lines().next().unwrap_or("").chars().take(200).collect::<String>();
            if line.trim().is_empty() {
                format!("HTTP {code}")
            } else {
                format!("HTTP {code}: {}", line.trim())
            }
        }
        ureq::Error::Transport(t) => t.to_string(),
    }
}

/// Download the document at `url`, following at most three redirects, each
/// target checked by `check`; at most [`MAX_DOCUMENT`] bytes; refused unless it
/// starts like a PDF. Returns the bytes and a file name (from
/// `Content-Disposition`, else the address's last segment).
pub fn download(
    url: &Url,
    creds: &Credentials,
    check: &dyn Fn(&str) -> Result<Url, BridgeError>,
) -> Result<(Vec<u8>, Option<String>), BridgeError> {
    let agent = agent();
    let mut url = url.clone();
    for _ in 0..=MAX_REDIRECTS {
        let resp = match creds.apply(agent.get(url.as_str())).call() {
            Ok(r) => r,
            Err(e) => return Err(BridgeError::Download(reason(e))),
        };
        if (300..400).contains(&resp.status()) {
            let location =
                resp.header("Location").ok_or_else(|| BridgeError::Download(format!("HTTP {} without Location", resp.status())))?;
            let next = url.join(location).map_err(|e| BridgeError::Download(e.to_string()))?;
            url = check(next.as_str())?;
            continue;
        }
        let name = resp.header("Content-Disposition").and_then(disposition_name).or_else(|| last_segment(&url));
        let mut body = Vec::new();
        resp.into_reader().take(MAX_DOCUMENT + 1).read_to_end(&mut body).map_err(|e| BridgeError::Download(e.to_string()))?;
        if body.len() as u64 > MAX_DOCUMENT {
            return Err(BridgeError::TooLarge(MAX_DOCUMENT >> 20));
        }
        if !starts_like_pdf(&body) {
            return Err(BridgeError::NotPdf);
        }
        return Ok((body, name));
    }
    Err(BridgeError::Download("too many redirects".into()))
}

/// `%PDF-` within the first 1024 bytes (ISO 32000 allows leading junk there).
pub fn starts_like_pdf(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(1024)].windows(5).any(|w| w == b"%PDF-")
}

fn disposition_name(header: &str) -> Option<String> {
    // filename*=UTF-8''… first (RFC 6266), then filename="…".
    for part in header.split(';').map(str::trim) {
        if let Some(v) = part.strip_prefix("filename*=") {
            let v = v.trim_matches('"');
            let encoded = v.split_once("''").map(|(_, e)| e).unwrap_or(v);
            if let Some(d) = percent_decode(encoded) {
                return clean_name(&d);
            }
        }
    }
    for part in header.split(';').map(str::trim) {
        if let Some(v) = part.strip_prefix("filename=") {
            return clean_name(v.trim_matches('"'));
        }
    }
    None
}

fn percent_decode(s: &str) -> Option<String> {
    percent_encoding::percent_decode_str(s).decode_utf8().ok().map(|c| c.into_owned())
}

fn last_segment(url: &Url) -> Option<String> {
    let seg = url.path_segments()?.next_back()?.to_owned();
    percent_decode(&seg).and_then(|s| clean_name(&s))
}

/// A file name safe to create in the bridge's folder: the last path component,
/// no control characters, at most 120 characters; `None` when nothing is left.
pub fn clean_name(name: &str) -> Option<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String =
        base.chars().filter(|c| !c.is_control() && !matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|')).take(120).collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_owned();
    (!cleaned.is_empty()).then_some(cleaned)
}

/// What the e-office server answered to an upload.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Uploaded {
    /// The name the server gave the file.
    pub file_name: Option<String>,
    /// Where the server keeps it.
    pub file_server: Option<String>,
    /// The server's message.
    pub message: Option<String>,
}

/// POST `bytes` as `multipart/form-data` field `uploadfile` (named `file_name`,
/// `application/pdf`), with `fields` as further form fields, to `url`. Success:
/// a 2xx answer whose JSON `Status` is true (or a 2xx answer that is not JSON).
pub fn upload(url: &Url, creds: &Credentials, file_name: &str, bytes: &[u8], fields: &[(String, String)]) -> Result<Uploaded, BridgeError> {
    let boundary = format!("----KySoBoundary{}", super::random_hex(12));
    let mut body = Vec::with_capacity(bytes.len() + 1024);
    for (k, v) in fields {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"\r\n\r\n", quote(k)).as_bytes());
        body.extend_from_slice(v.as_bytes());
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"uploadfile\"; filename=\"{}\"\r\nContent-Type: application/pdf\r\n\r\n",
            quote(file_name)
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = creds.apply(agent().post(url.as_str())).set("Content-Type", &format!("multipart/form-data; boundary={boundary}"));
    let resp = req.send_bytes(&body).map_err(|e| BridgeError::Upload(reason(e)))?;
    if !(200..300).contains(&resp.status()) {
        return Err(BridgeError::Upload(format!("HTTP {}", resp.status())));
    }
    let mut text = String::new();
    resp.into_reader().take(1 << 20).read_to_string(&mut text).map_err(|e| BridgeError::Upload(e.to_string()))?;
    let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
        let line = text.trim();
        let name = (!line.is_empty() && !line.contains('\n') && line.len() < 500).then(|| line.to_owned());
        return Ok(Uploaded { file_name: name, ..Uploaded::default() });
    };
    let field = |k: &str| json.as_object().and_then(|o| o.iter().find(|(key, _)| key.eq_ignore_ascii_case(k)).map(|(_, v)| v.clone()));
    let text_of = |v: Option<serde_json::Value>| match v {
        Some(serde_json::Value::String(s)) => Some(s),
        Some(serde_json::Value::Null) | None => None,
        Some(other) => Some(other.to_string()),
    };
    let ok = match field("Status") {
        Some(serde_json::Value::Bool(b)) => b,
        Some(serde_json::Value::String(s)) => matches!(s.to_ascii_lowercase().as_str(), "true" | "ok" | "success"),
        None => true,
        Some(_) => false,
    };
    let message = text_of(field("Message"));
    if !ok {
        return Err(BridgeError::Upload(message.unwrap_or_else(|| "Status false".into())));
    }
    Ok(Uploaded { file_name: text_of(field("FileName")), file_server: text_of(field("FileServer")), message })
}

fn quote(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).map(|c| if c == '"' { '\'' } else { c }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(disposition_name("attachment; filename=\"Quyet dinh.pdf\"").as_deref(), Some("Quyet dinh.pdf"));
        assert_eq!(
            disposition_name("attachment; filename=\"x.pdf\"; filename*=UTF-8''Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh.pdf").as_deref(),
            Some("Quyết định.pdf")
        );
        assert_eq!(clean_name("../../etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(clean_name("..\\..\\a.pdf").as_deref(), Some("a.pdf"));
        assert_eq!(clean_name("..."), None);
        assert!(starts_like_pdf(b"%PDF-1.7\n"));
        assert!(!starts_like_pdf(b"<html>"));
    }
}
