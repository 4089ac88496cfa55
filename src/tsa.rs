//! An RFC 3161 time-stamping client: ask a time-stamping authority (TSA) to
//! time-stamp a digest, and accept its answer only once it is checked.
//!
//! ```text
//! TimeStampReq ::= SEQUENCE { version INTEGER { v1(1) }, messageImprint MessageImprint,
//!    reqPolicy TSAPolicyId OPTIONAL, nonce INTEGER OPTIONAL,
//!    certReq BOOLEAN DEFAULT FALSE, extensions [0] IMPLICIT Extensions OPTIONAL }
//! TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken TimeStampToken OPTIONAL }
//! ```
//!
//! Each request carries a fresh 63-bit nonce and `certReq` (the TSA's certificate
//! in the token, so the token can be checked anywhere), over HTTP or HTTPS
//! (`application/timestamp-query`, RFC 3161 §3.4) with short time-outs. An answer
//! is accepted only if its status is granted, it holds a token, the token's nonce
//! and message imprint are the request's, and [`crate::verify::timestamp`] finds
//! the token valid (its signature, the TSA's path to a trust anchor, the
//! `id-kp-timeStamping` key usage) — or valid but for a revocation status that
//! cannot be had yet (an offline office: it is checked again when the document
//! is verified or extended). Several TSA addresses are tried in order; none is
//! built in.

use std::io::Read;
use std::time::Duration;

use der::asn1::{Int, OctetString};
use der::{Decode, Encode};
use rand_core::RngCore;

use crate::cms::ber::{der_children, der_element};
use crate::i18n::{Lang, Localize};
use crate::tr;
use crate::verify::crypto::DigestAlg;
use crate::verify::timestamp::{self, Imprinted, TimestampContext, TimestampKind, TimestampReport, TimestampStatus};

/// Time allowed to open a connection to a TSA.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Time allowed for a whole exchange with a TSA.
pub const TOTAL_TIMEOUT: Duration = Duration::from_secs(15);
/// Largest answer accepted.
pub const MAX_RESPONSE: u64 = 1024 * 1024;

/// Why a TSA's answer was not used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TsaError {
    /// No TSA address was given.
    #[error("no time-stamping authority is configured")]
    NoAddress,
    /// The address is not `http://` or `https://`.
    #[error("{url}: only http:// and https:// addresses are supported")]
    BadAddress {
        /// The address.
        url: String,
    },
    /// The TSA could not be reached or answered with an HTTP error.
    #[error("{url}: {why}")]
    Unreachable {
        /// The address.
        url: String,
        /// What happened.
        why: String,
    },
    /// The answer is not a time-stamp response, or holds no token.
    #[error("{url}: not a time-stamp response ({why})")]
    Garbage {
        /// The address.
        url: String,
        /// What is wrong.
        why: String,
    },
    /// The TSA refused (status rejection, waiting, revocation…).
    #[error("{url}: the time-stamping authority refused the request (status {status}{text})")]
    Refused {
        /// The address.
        url: String,
        /// The PKIStatus.
        status: i64,
        /// Its free text, if any (with a leading separator).
        text: String,
    },
    /// The token answers another request (nonce or imprint), or a replay.
    #[error("{url}: the time-stamp does not answer this request ({what})")]
    Mismatch {
        /// The address.
        url: String,
        /// `nonce` or `message imprint`.
        what: String,
    },
    /// The token failed its check (untrusted TSA, bad signature, wrong key usage).
    #[error("{url}: {why}")]
    Rejected {
        /// The address.
        url: String,
        /// The check's verdict, in English.
        why: String,
        /// The same in Vietnamese.
        why_vi: String,
    },
    /// Every configured TSA failed; each reason in order.
    #[error("no time-stamping authority gave a usable time-stamp: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    AllFailed(Vec<TsaError>),
}

impl Localize for TsaError {
    fn localize(&self, lang: Lang) -> String {
        match self {
            TsaError::NoAddress => tr!(
                lang,
                "Chưa cấu hình máy chủ cấp dấu thời gian (--tsa URL hoặc tệp cấu hình của cơ quan).",
                "No time-stamping authority is configured (--tsa URL or the office's settings file)."
            ),
            TsaError::BadAddress { url } => tr!(
                lang,
                "Địa chỉ máy chủ cấp dấu thời gian {} không hợp lệ (chỉ hỗ trợ http:// và https://).",
                "The time-stamping authority address {} is not valid (only http:// and https://).",
                url
            ),
            TsaError::Unreachable { url, why } => tr!(
                lang,
                "Không kết nối được máy chủ cấp dấu thời gian {} ({}).",
                "The time-stamping authority {} could not be reached ({}).",
                url,
                why
            ),
            TsaError::Garbage { url, why } => {
                tr!(lang, "Máy chủ {} không trả về dấu thời gian hợp lệ ({}).", "{} did not answer with a time-stamp ({}).", url, why)
            }
            TsaError::Refused { url, status, text } => tr!(
                lang,
                "Máy chủ cấp dấu thời gian {} từ chối yêu cầu (trạng thái {}{}).",
                "The time-stamping authority {} refused the request (status {}{}).",
                url,
                status,
                text
            ),
            TsaError::Mismatch { url, what } => tr!(
                lang,
                "Dấu thời gian từ {} không khớp với yêu cầu ({}): không dùng.",
                "The time-stamp from {} does not answer this request ({}): not used.",
                url,
                what
            ),
            TsaError::Rejected { url, why, why_vi } => tr!(lang, "{}: {}", "{}: {}", url, if lang == Lang::Vi { why_vi } else { why }),
            TsaError::AllFailed(all) => {
                let parts: Vec<String> = all.iter().map(|e| e.localize(lang)).collect();
                tr!(
                    lang,
                    "Không lấy được dấu thời gian từ máy chủ nào: {}",
                    "No time-stamping authority gave a usable time-stamp: {}",
                    parts.join(" ")
                )
            }
        }
    }
}

/// A checked time-stamp token and where it came from.
#[derive(Clone, Debug)]
pub struct Stamp {
    /// The token (`ContentInfo`, DER) exactly as the TSA sent it.
    pub token: Vec<u8>,
    /// The TSA address that answered.
    pub url: String,
    /// The token's check.
    pub report: TimestampReport,
}

/// A client for a list of TSA addresses, tried in order.
pub struct TsaClient {
    urls: Vec<String>,
    agent: ureq::Agent,
}

impl TsaClient {
    /// A client for `urls` (tried in order).
    pub fn new(urls: Vec<String>) -> Self {
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(CONNECT_TIMEOUT)
            .timeout(TOTAL_TIMEOUT)
            .redirects(2)
            .user_agent(concat!("kyso/", env!("CARGO_PKG_VERSION")))
            .build();
        TsaClient { urls, agent }
    }

    /// The configured addresses.
    pub fn urls(&self) -> &[String] {
        &self.urls
    }

    /// Time-stamp `data` (hashed here with `alg`; for a signature time-stamp, the
    /// SignerInfo's signature value) as a token of `kind`, checked against `cx`.
    /// The first TSA whose answer passes every check wins.
    pub fn stamp(&self, data: Imprinted<'_>, kind: TimestampKind, alg: DigestAlg, cx: &TimestampContext<'_>) -> Result<Stamp, TsaError> {
        let digest = match &data {
            Imprinted::Bytes(b) => alg.digest(b),
            Imprinted::Ranges { pdf, ranges } => crate::verify::cms_check::hash_ranges(pdf, ranges, alg)
                .map_err(|e| TsaError::Unreachable { url: String::new(), why: format!("reading the data: {e}") })?,
        };
        if self.urls.is_empty() {
            return Err(TsaError::NoAddress);
        }
        let mut errors = Vec::new();
        for url in &self.urls {
            match self.stamp_at(url, &digest, alg, &data, kind, cx) {
                Ok(s) => return Ok(s),
                Err(e) => errors.push(e),
            }
        }
        Err(if errors.len() == 1 { errors.remove(0) } else { TsaError::AllFailed(errors) })
    }

    fn stamp_at(
        &self,
        url: &str,
        digest: &[u8],
        alg: DigestAlg,
        data: &Imprinted<'_>,
        kind: TimestampKind,
        cx: &TimestampContext<'_>,
    ) -> Result<Stamp, TsaError> {
        let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase()).unwrap_or_default();
        if scheme != "http" && scheme != "https" {
            return Err(TsaError::BadAddress { url: url.to_owned() });
        }
        let nonce = {
            let mut b = [0u8; 8];
            rand_core::OsRng.fill_bytes(&mut b);
            b[0] &= 0x7f; // positive, and no leading zero byte in its encoding
            b[0] |= 0x40;
            b
        };
        let req = request_der(digest, alg, &nonce).map_err(|e| TsaError::Garbage { url: url.to_owned(), why: e })?;
        let body = self.post(url, &req)?;
        let token = token_of(&body).map_err(|r| match r {
            ResponseProblem::Garbage(why) => TsaError::Garbage { url: url.to_owned(), why },
            ResponseProblem::Refused(status, text) => TsaError::Refused { url: url.to_owned(), status, text },
        })?;
        // The request's own checks first: an answer to another request is not ours.
        let info = token_info(&token).map_err(|why| TsaError::Garbage { url: url.to_owned(), why })?;
        if info.nonce.as_deref().map(strip_zeros) != Some(strip_zeros(&nonce)) {
            return Err(TsaError::Mismatch { url: url.to_owned(), what: "nonce".into() });
        }
        if info.hashed_message != digest {
            return Err(TsaError::Mismatch { url: url.to_owned(), what: "message imprint".into() });
        }
        let report = timestamp::check_token(&token, kind, clone_imprinted(data), cx);
        let usable = match report.status {
            TimestampStatus::Valid => true,
            // Valid but for a revocation status that cannot be had now.
            TimestampStatus::Indeterminate => {
                report.signature_ok && report.imprint_ok && report.chain.as_ref().is_some_and(|c| c.trusted())
            }
            TimestampStatus::Untrusted | TimestampStatus::Invalid => false,
        };
        if !usable {
            return Err(TsaError::Rejected { url: url.to_owned(), why: report.message_en.clone(), why_vi: report.message_vi.clone() });
        }
        Ok(Stamp { token, url: url.to_owned(), report })
    }

    fn post(&self, url: &str, body: &[u8]) -> Result<Vec<u8>, TsaError> {
        let unreachable = |why: String| TsaError::Unreachable { url: url.to_owned(), why };
        let resp = match self.agent.post(url).set("Content-Type", "application/timestamp-query").send_bytes(body) {
            Ok(r) => r,
            Err(ureq::Error::Status(code, _)) => return Err(unreachable(format!("HTTP status {code}"))),
            Err(ureq::Error::Transport(t)) => return Err(unreachable(t.to_string())),
        };
        let mut out = Vec::new();
        resp.into_reader().take(MAX_RESPONSE + 1).read_to_end(&mut out).map_err(|e| unreachable(e.to_string()))?;
        if out.len() as u64 > MAX_RESPONSE {
            return Err(TsaError::Garbage { url: url.to_owned(), why: format!("an answer over {MAX_RESPONSE} bytes") });
        }
        Ok(out)
    }
}

fn clone_imprinted<'a>(d: &Imprinted<'a>) -> Imprinted<'a> {
    match d {
        Imprinted::Bytes(b) => Imprinted::Bytes(b),
        Imprinted::Ranges { pdf, ranges } => Imprinted::Ranges { pdf, ranges },
    }
}

fn strip_zeros(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|&&x| x == 0).count();
    &b[n..]
}

/// A DER `TimeStampReq` for `digest` made with `alg`, with `nonce` and `certReq`.
pub fn request_der(digest: &[u8], alg: DigestAlg, nonce: &[u8]) -> Result<Vec<u8>, String> {
    let req = x509_tsp::TimeStampReq {
        version: x509_tsp::TspVersion::V1,
        message_imprint: x509_tsp::MessageImprint {
            hash_algorithm: spki::AlgorithmIdentifier { oid: alg.oid(), parameters: None },
            hashed_message: OctetString::new(digest.to_vec()).map_err(|e| e.to_string())?,
        },
        req_policy: None,
        nonce: Some(Int::new(nonce).map_err(|e| e.to_string())?),
        cert_req: true,
        extensions: None,
    };
    req.to_der().map_err(|e| e.to_string())
}

enum ResponseProblem {
    Garbage(String),
    Refused(i64, String),
}

/// The token of a `TimeStampResp`, exactly as sent, once its status is granted
/// (0) or granted with modifications (1).
fn token_of(resp: &[u8]) -> Result<Vec<u8>, ResponseProblem> {
    let garbage = |w: &str| ResponseProblem::Garbage(w.to_owned());
    let outer = der_element(resp).ok_or_else(|| garbage("not DER"))?;
    let parts = der_children(outer.body).ok_or_else(|| garbage("malformed"))?;
    let status_info = parts.first().ok_or_else(|| garbage("no status"))?;
    let status_parts = der_children(status_info.body).ok_or_else(|| garbage("malformed status"))?;
    let status = status_parts
        .first()
        .and_then(|s| der::asn1::Int::from_der(s.whole).ok())
        .and_then(|i| i.as_bytes().iter().try_fold(0i64, |acc, &b| acc.checked_mul(256).map(|v| v + i64::from(b))))
        .ok_or_else(|| garbage("malformed status"))?;
    if status != 0 && status != 1 {
        let text = status_parts
            .get(1)
            .filter(|p| p.tag == 0x30)
            .and_then(|p| der_children(p.body))
            .and_then(|t| t.first().map(|s| String::from_utf8_lossy(s.body).into_owned()))
            .map(|t| format!(": {t}"))
            .unwrap_or_default();
        return Err(ResponseProblem::Refused(status, text));
    }
    let token = parts.get(1).ok_or_else(|| garbage("granted but no token"))?;
    Ok(token.whole.to_vec())
}

/// The `TSTInfo` of a token.
fn token_info(token: &[u8]) -> Result<timestamp::TstInfo, String> {
    let read = crate::cms::read::read_signed_data(token).map_err(|e| e.to_string())?;
    let econtent = read.signed_data.encap_content_info.econtent.as_ref().ok_or("no TSTInfo")?;
    let os: OctetString = econtent.decode_as().map_err(|e| e.to_string())?;
    timestamp::parse_tst_info(os.as_bytes())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_der_with_nonce_and_cert_req() {
        let der = request_der(&[7u8; 32], DigestAlg::Sha256, &[0x41, 1, 2, 3, 4, 5, 6, 7]).unwrap();
        let req = x509_tsp::TimeStampReq::from_der(&der).unwrap();
        assert!(req.cert_req);
        assert_eq!(req.nonce.unwrap().as_bytes(), &[0x41, 1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(req.message_imprint.hashed_message.as_bytes(), &[7u8; 32]);
    }

    #[test]
    fn refusals_and_garbage_are_told_apart() {
        // TimeStampResp { PKIStatusInfo { 2 (rejection), PKIFreeText { "bad" } } }
        let refused = [0x30, 0x0c, 0x30, 0x0a, 0x02, 0x01, 0x02, 0x30, 0x05, 0x0c, 0x03, b'b', b'a', b'd'];
        match token_of(&refused) {
            Err(ResponseProblem::Refused(2, t)) => assert_eq!(t, ": bad"),
            _ => panic!("expected a refusal"),
        }
        assert!(matches!(token_of(b"<html>"), Err(ResponseProblem::Garbage(_))));
        let granted_without_token = [0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x00];
        assert!(matches!(token_of(&granted_without_token), Err(ResponseProblem::Garbage(_))));
    }
}
