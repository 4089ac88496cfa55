//! The e-office pages' protocol, as the Government Cipher Committee's
//! `vgcaplugin.js` speaks it (`docs/eoffice-protocol.md`).
//!
//! Each call is one WebSocket connection to `wss://127.0.0.1:8987/<Endpoint>`: one
//! text message in (a JSON object, sometimes itself sent as a JSON string), one text
//! message out (a JSON object as a string), then close.

use serde::{Deserialize, Serialize};

/// What a page asks for: the path of the WebSocket URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// The service's version (reply: a version string).
    GetVersion,
    /// The selected certificate.
    GetCertInfo,
    /// Open the settings.
    Config,
    /// A leader approves: personal signature (R1).
    SignApproved,
    /// The clerk releases: number and date, then the agency signature (R2, R8, R9).
    SignIssued,
    /// An annex: the agency's text stamp (R4).
    SignAppendix,
    /// An electronic copy: the agency's text stamp (R3).
    SignCopy,
    /// An incoming document: verified first (R11), then the agency's incoming stamp.
    SignIncome,
    /// The verification report.
    VerifyPdf,
    /// A generic signature (`SignFile`, `SignPDF`): the personal signature.
    SignFile,
    /// Seen in the wild, not built: answered with status 1 "không hỗ trợ".
    Unsupported,
}

impl Endpoint {
    /// The endpoint named by a request path (`/SignApproved`, case-insensitive, a
    /// query string ignored); `None` for a path that names nothing known.
    pub fn from_path(path: &str) -> Option<Endpoint> {
        let name = path.split(['?', '#']).next().unwrap_or("").trim_matches('/');
        let e = match name.to_ascii_lowercase().as_str() {
            "getversion" => Endpoint::GetVersion,
            "getcertinfo" => Endpoint::GetCertInfo,
            "config" => Endpoint::Config,
            "signapproved" => Endpoint::SignApproved,
            "signissued" => Endpoint::SignIssued,
            "signappendix" => Endpoint::SignAppendix,
            "signcopy" => Endpoint::SignCopy,
            "signincome" => Endpoint::SignIncome,
            "verifypdf" => Endpoint::VerifyPdf,
            "signfile" | "signpdf" => Endpoint::SignFile,
            "signxml" | "verifyxml" | "signjson" | "signoffice" | "signmsg" | "comment" | "auth" | "signhash" | "signcms" => {
                Endpoint::Unsupported
            }
            _ => return None,
        };
        Some(e)
    }

    /// The name used in logs and the queue's history.
    pub fn name(self) -> &'static str {
        match self {
            Endpoint::GetVersion => "GetVersion",
            Endpoint::GetCertInfo => "GetCertInfo",
            Endpoint::Config => "Config",
            Endpoint::SignApproved => "SignApproved",
            Endpoint::SignIssued => "SignIssued",
            Endpoint::SignAppendix => "SignAppendix",
            Endpoint::SignCopy => "SignCopy",
            Endpoint::SignIncome => "SignIncome",
            Endpoint::VerifyPdf => "VerifyPDF",
            Endpoint::SignFile => "SignFile",
            Endpoint::Unsupported => "Unsupported",
        }
    }

    /// Whether the call signs (and so needs a confirmation and a PIN).
    pub fn signs(self) -> bool {
        matches!(
            self,
            Endpoint::SignApproved
                | Endpoint::SignIssued
                | Endpoint::SignAppendix
                | Endpoint::SignCopy
                | Endpoint::SignIncome
                | Endpoint::SignFile
        )
    }

    /// Whether the call works on a document (downloads one).
    pub fn takes_document(self) -> bool {
        self.signs() || self == Endpoint::VerifyPdf
    }
}

/// One `{Key, Value}` of `MetaData`, sent back as a form field with the upload.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct MetaItem {
    /// Form field name.
    #[serde(alias = "Key", alias = "Name", alias = "name")]
    pub key: String,
    /// Its value (numbers and booleans are sent as their JSON text).
    #[serde(alias = "Value", deserialize_with = "text_value")]
    pub value: String,
}

/// A page's request. Field names as the pages send them (PascalCase, with the
/// camelCase spellings some deployments use); every field is optional.
#[derive(Clone, Default, Deserialize)]
#[serde(default)]
pub struct Request {
    /// The PDF: an address to download it from, or a bare name (then the user picks the file).
    #[serde(alias = "FileName", alias = "fileName", alias = "FileUrl", alias = "fileUrl", alias = "Url")]
    pub file_name: Option<String>,
    /// Where to POST the signed file (multipart field `uploadfile`).
    #[serde(alias = "FileUploadHandler", alias = "fileUploadHandler", alias = "UploadHandler")]
    pub file_upload_handler: Option<String>,
    /// The e-office session, sent as a cookie on download and upload.
    #[serde(alias = "SessionId", alias = "sessionId", alias = "SessionID")]
    pub session_id: Option<String>,
    /// Sent as `Authorization: Bearer …` on download and upload.
    #[serde(alias = "JWTToken", alias = "jwtToken", alias = "JwtToken", alias = "Token")]
    pub jwt_token: Option<String>,
    /// Number and symbol (SignIssued; the incoming number for SignIncome).
    #[serde(alias = "DocNumber", alias = "docNumber", deserialize_with = "opt_text")]
    pub doc_number: Option<String>,
    /// Issue date: ISO 8601 or a JavaScript date string.
    #[serde(alias = "IssuedDate", alias = "issuedDate", deserialize_with = "opt_text")]
    pub issued_date: Option<String>,
    /// Fields returned with the upload.
    #[serde(alias = "MetaData", alias = "metaData", alias = "Metadata")]
    pub meta_data: Vec<MetaItem>,
}

impl std::fmt::Debug for Request {
    // The session cookie and the token are credentials: never in logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("file_name", &self.file_name)
            .field("file_upload_handler", &self.file_upload_handler)
            .field("session_id", &self.session_id.as_ref().map(|_| "…"))
            .field("jwt_token", &self.jwt_token.as_ref().map(|_| "…"))
            .field("doc_number", &self.doc_number)
            .field("issued_date", &self.issued_date)
            .field("meta_data", &self.meta_data.len())
            .finish()
    }
}

impl Request {
    /// `MetaData` as the upload's form fields.
    pub fn fields(&self) -> Vec<(String, String)> {
        self.meta_data.iter().map(|m| (m.key.clone(), m.value.clone())).collect()
    }

    /// Parse a page's message: a JSON object, or a JSON string holding one (some
    /// pages `JSON.stringify` twice); an empty message is an empty request.
    pub fn parse(text: &str) -> Result<Request, serde_json::Error> {
        let t = text.trim();
        if t.is_empty() {
            return Ok(Request::default());
        }
        let value: serde_json::Value = serde_json::from_str(t)?;
        let value = match value {
            serde_json::Value::String(inner) if inner.trim().is_empty() => return Ok(Request::default()),
            serde_json::Value::String(inner) => serde_json::from_str(&inner)?,
            // `GetVersion` and friends may send anything.
            serde_json::Value::Null | serde_json::Value::Bool(_) | serde_json::Value::Number(_) => return Ok(Request::default()),
            v => v,
        };
        serde_json::from_value(value)
    }
}

fn text_value<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => s,
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    })
}

fn opt_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let s = text_value(d)?;
    Ok(Some(s).filter(|s| !s.trim().is_empty()))
}

/// The reply's `Status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Done.
    Ok = 0,
    /// Not done; `Message` says why (Vietnamese).
    Error = 1,
    /// The user cancelled.
    Cancelled = 11,
}

/// What the page gets back.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Reply {
    /// 0 done, 1 error, 11 cancelled.
    pub status: i32,
    /// For people, Vietnamese.
    pub message: String,
    /// The name the e-office server gave the uploaded file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    /// Where the e-office server keeps it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_server: Option<String>,
    /// Further fields of some calls: `GetVersion` `Version`; `GetCertInfo` `Subject`,
    /// `Issuer`, `SerialNumber`, `ValidFrom`, `ValidTo`, `Certificate` (base64 DER);
    /// `VerifyPDF` `Valid` and `Data` (the report of `kyso verify --json`).
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Reply {
    /// Success with a message.
    pub fn ok(message: impl Into<String>) -> Reply {
        Reply { status: Status::Ok as i32, message: message.into(), file_name: None, file_server: None, extra: serde_json::Map::new() }
    }

    /// A refusal or failure, Vietnamese message.
    pub fn error(message: impl Into<String>) -> Reply {
        Reply { status: Status::Error as i32, message: message.into(), file_name: None, file_server: None, extra: serde_json::Map::new() }
    }

    /// The user cancelled.
    pub fn cancelled() -> Reply {
        Reply::with_status(Status::Cancelled, "Người dùng đã hủy thao tác ký.")
    }

    /// A reply with `status`.
    pub fn with_status(status: Status, message: impl Into<String>) -> Reply {
        Reply { status: status as i32, message: message.into(), file_name: None, file_server: None, extra: serde_json::Map::new() }
    }

    /// The JSON text sent to the page.
    pub fn to_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| r#"{"Status":1,"Message":"Lỗi nội bộ"}"#.to_owned())
    }
}

/// A date as pages send it (`2026-12-06`, `2026-12-06T10:00:00+07:00`,
/// `06/12/2026`, `Sun Dec 06 2026 10:00:00 GMT+0700 (Indochina Time)`) as
/// `YYYY-MM-DD`; `None` when it is none of these.
pub fn issued_date(text: &str) -> Option<String> {
    let t = text.trim();
    let ymd = |y: i32, m: u8, d: u8| -> Option<String> {
        let month = time::Month::try_from(m).ok()?;
        time::Date::from_calendar_date(y, month, d).ok().map(|_| format!("{y:04}-{m:02}-{d:02}"))
    };
    // ISO 8601: the date part is the calendar date the page meant.
    if t.len() >= 10 && t.as_bytes().get(4) == Some(&b'-') && t.as_bytes().get(7) == Some(&b'-') {
        let (y, m, d) = (t.get(0..4)?.parse().ok()?, t.get(5..7)?.parse().ok()?, t.get(8..10)?.parse().ok()?);
        return ymd(y, m, d);
    }
    // dd/mm/yyyy (how Vietnamese pages show dates).
    let parts: Vec<&str> = t.split('/').collect();
    if parts.len() == 3 {
        let (d, m, y) = (parts[0].trim().parse().ok()?, parts[1].trim().parse().ok()?, parts[2].trim().get(0..4)?.parse().ok()?);
        return ymd(y, m, d);
    }
    // JavaScript's Date.prototype.toString: "Sun Dec 06 2026 10:00:00 GMT+0700 (…)".
    let words: Vec<&str> = t.split_whitespace().collect();
    if words.len() >= 4 {
        const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
        let m = MONTHS.iter().position(|m| words[1].to_ascii_lowercase().starts_with(m))?;
        let d = words[2].trim_end_matches(',').parse().ok()?;
        let y = words[3].parse().ok()?;
        return ymd(y, u8::try_from(m + 1).ok()?, d);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_by_path() {
        assert_eq!(Endpoint::from_path("/SignApproved"), Some(Endpoint::SignApproved));
        assert_eq!(Endpoint::from_path("/signpdf?x=1"), Some(Endpoint::SignFile));
        assert_eq!(Endpoint::from_path("/VerifyPDF"), Some(Endpoint::VerifyPdf));
        assert_eq!(Endpoint::from_path("/SignXML"), Some(Endpoint::Unsupported));
        assert_eq!(Endpoint::from_path("/../etc/passwd"), None);
        assert_eq!(Endpoint::from_path("/"), None);
    }

    #[test]
    fn requests_in_every_spelling() {
        let r = Request::parse(
            r#"{"FileName":"https://e.gov.vn/f/1.pdf","FileUploadHandler":"https://e.gov.vn/up","SessionId":"abc","JWTToken":"t",
                "DocNumber":12,"IssuedDate":"2026-12-06","MetaData":[{"Key":"id","Value":7}]}"#,
        )
        .unwrap();
        assert_eq!(r.file_name.as_deref(), Some("https://e.gov.vn/f/1.pdf"));
        assert_eq!(r.doc_number.as_deref(), Some("12"));
        assert_eq!(r.meta_data, vec![MetaItem { key: "id".into(), value: "7".into() }]);
        assert!(!format!("{r:?}").contains("abc"), "no credentials in Debug");
        let twice = serde_json::to_string(r#"{"fileName":"a.pdf"}"#).unwrap();
        assert_eq!(Request::parse(&twice).unwrap().file_name.as_deref(), Some("a.pdf"));
        assert!(Request::parse("").unwrap().file_name.is_none());
        assert!(Request::parse("{").is_err());
    }

    #[test]
    fn dates_as_pages_send_them() {
        assert_eq!(issued_date("2026-12-06").as_deref(), Some("2026-12-06"));
        assert_eq!(issued_date("2026-12-06T10:00:00.000Z").as_deref(), Some("2026-12-06"));
        assert_eq!(issued_date("06/12/2026").as_deref(), Some("2026-12-06"));
        assert_eq!(issued_date("Sun Dec 06 2026 10:00:00 GMT+0700 (Indochina Time)").as_deref(), Some("2026-12-06"));
        assert_eq!(issued_date("2026-02-30"), None);
        assert_eq!(issued_date("tomorrow"), None);
    }

    #[test]
    fn replies_as_pages_read_them() {
        assert_eq!(Reply::cancelled().to_text(), r#"{"Status":11,"Message":"Người dùng đã hủy thao tác ký."}"#);
    }
}
