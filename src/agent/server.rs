//! The agent's side: [`serve`] reads requests line by line and answers each one.
//!
//! Every login is checked by the token with its own PIN: the first session logs in
//! in this process; a login asked for while this process holds one runs in a helper
//! agent process of its own (this program again), where `C_Login` really checks the
//! PIN, and that session's `sign` and `logout` are passed on to it.
//!
//! A line that is not a valid request gets a `bad_request` response and the loop goes
//! on; end of input ends it (sessions close, tokens log out). A panic while handling a
//! request becomes an `internal` error response. Logs go to standard error and never
//! contain a request's fields.

use std::collections::HashMap;
use std::io::{self, BufRead, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

use rand_core::RngCore;
use serde_json::Value;
use zeroize::Zeroizing;

use super::client::{AgentClient, Login};
use super::protocol::{
    AgentErrorBody, HelloResult, LoginResult, LogoutResult, Op, Request, Response, SignResult, SignerSummary, PROTOCOL_VERSION,
};
use crate::error::UsageError;
use crate::job;
use crate::token::{self, TokenSelection, TokenSigner};

/// Room for any request with a PIN, so the line buffer holding it is not reallocated
/// (which would leave a copy of the PIN in freed memory).
const LINE_CAPACITY: usize = 16 * 1024;

/// Serve requests from `reader`, answering on `writer` (one JSON object per line
/// each way), until end of input or a `shutdown` request. Only I/O errors on the
/// two streams end it with an error.
pub fn serve(mut reader: impl BufRead, mut writer: impl Write) -> io::Result<()> {
    let mut agent = Agent::default();
    loop {
        let mut line = Zeroizing::new(Vec::with_capacity(LINE_CAPACITY));
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let (response, stop) = agent.handle_line(&line);
        let text = serde_json::to_string(&response).map_err(io::Error::other)?;
        writer.write_all(text.as_bytes())?;
        writer.write_all(b"\n")?;
        writer.flush()?;
        if stop {
            return Ok(());
        }
    }
}

/// [`serve`] on this process's standard input and output (`kyso agent`, or the
/// desktop app started with `--agent`).
pub fn serve_stdio() -> io::Result<()> {
    serve(io::stdin().lock(), io::stdout().lock())
}

/// How long a helper agent may take to log in (slow drivers, PIN pads) and to sign.
const CHILD_LOGIN_TIMEOUT: Duration = Duration::from_secs(90);
const CHILD_SIGN_TIMEOUT: Duration = Duration::from_secs(120);
const CHILD_LOGOUT_TIMEOUT: Duration = Duration::from_secs(10);

/// A session: a login this process holds, or one a helper agent of its own holds.
enum Held {
    /// Logged in here (boxed: a signer is large, and there are few sessions).
    Local(Box<TokenSigner>),
    /// A login asked for while this process already held one: the token's login
    /// state belongs to a process, so here `C_Login` would not check the PIN. It
    /// runs instead in a new agent process (this program again), where the token
    /// checks it; `sign` and `logout` are passed on.
    Child {
        /// The helper agent.
        client: AgentClient,
        /// Its session number.
        session: u64,
    },
}

/// The agent's state: open sessions by id, and how to start a helper agent.
#[derive(Default)]
struct Agent {
    sessions: HashMap<u64, Held>,
}

/// This program with its arguments: a helper agent for a second login.
fn child_command() -> Result<(std::path::PathBuf, Vec<std::ffi::OsString>), AgentErrorBody> {
    let exe = std::env::current_exe().map_err(|e| {
        AgentErrorBody::new("agent_start", format!("Không khởi động được tiến trình phụ: {e}"), format!("Cannot start a helper agent: {e}"))
    })?;
    Ok((exe, std::env::args_os().skip(1).collect()))
}

/// Only the id of a request, for answering one that does not parse as a whole.
#[derive(serde::Deserialize)]
struct IdOnly {
    id: u64,
}

fn bad_request(detail: &str) -> AgentErrorBody {
    AgentErrorBody::new(
        "bad_request",
        format!("Yêu cầu gửi tới tiến trình token không hợp lệ: {detail}."),
        format!("Invalid request to the token agent: {detail}."),
    )
}

/// serde's message, unless it may quote a value (which could be a PIN).
fn parse_problem(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    if msg.contains("invalid type") || msg.contains("invalid value") {
        format!("a value has the wrong type (line {}, column {})", e.line(), e.column())
    } else {
        msg
    }
}

impl Agent {
    /// Answer one line; the flag says whether to stop.
    fn handle_line(&mut self, line: &[u8]) -> (Response, bool) {
        let Ok(text) = std::str::from_utf8(line) else {
            return (Response::err(0, bad_request("not UTF-8")), false);
        };
        let request: Request = match serde_json::from_str(text) {
            Ok(r) => r,
            Err(e) => {
                let id = serde_json::from_str::<IdOnly>(text).map(|r| r.id).unwrap_or(0);
                eprintln!("kyso agent: malformed request {id}: {}", parse_problem(&e));
                return (Response::err(id, bad_request(&parse_problem(&e))), false);
            }
        };
        let id = request.id;
        let stop = matches!(request.op, Op::Shutdown);
        let name = request.op.name();
        let result = catch_unwind(AssertUnwindSafe(|| self.dispatch(request.op)));
        let response = match result {
            Ok(Ok(v)) => Response::ok(id, v),
            Ok(Err(body)) => {
                eprintln!("kyso agent: {name} {id} failed: {}", body.kind);
                Response::err(id, body)
            }
            Err(_) => {
                eprintln!("kyso agent: {name} {id} panicked");
                Response::err(
                    id,
                    AgentErrorBody::new(
                        "internal",
                        "Lỗi nội bộ của tiến trình token; hãy thử lại.".into(),
                        "Internal error in the token agent; try again.".into(),
                    ),
                )
            }
        };
        (response, stop)
    }

    fn dispatch(&mut self, op: Op) -> Result<Value, AgentErrorBody> {
        let core = |e: crate::Error| AgentErrorBody::from_error(&e);
        match op {
            Op::Hello => to_value(&HelloResult { version: PROTOCOL_VERSION, kyso: env!("CARGO_PKG_VERSION").into() }),
            Op::Tokens { modules } => to_value(&token::list_tokens(&modules)),
            Op::Login { modules, token_label, cert_id_hex, pin } => {
                let cert_id = match cert_id_hex.clone() {
                    Some(h) => Some(
                        hex::decode(h.trim())
                            .map_err(|_| core(UsageError::InvalidArgument { option: "certIdHex".into(), value: h.clone() }.into()))?,
                    ),
                    None => None,
                };
                if !self.sessions.is_empty() {
                    // This process holds a login: a second one must be checked by the
                    // token, which only a process of its own can do.
                    let (program, args) = child_command()?;
                    let mut client = AgentClient::spawn(&program, &args).map_err(|e| e.body())?;
                    let login = Login { modules, token_label, cert_id_hex };
                    let r = client.login(login, pin, CHILD_LOGIN_TIMEOUT).map_err(|e| e.body())?;
                    let session = self.new_session_id();
                    self.sessions.insert(session, Held::Child { client, session: r.session });
                    return to_value(&LoginResult { session, signer: r.signer });
                }
                let sel = TokenSelection { modules, token_label, cert_id, cert_label: None };
                let signer = token::open_signer(&sel, pin.into_pin()).map_err(core)?;
                let summary = SignerSummary::from(signer.info());
                let session = self.new_session_id();
                self.sessions.insert(session, Held::Local(Box::new(signer)));
                to_value(&LoginResult { session, signer: summary })
            }
            Op::Sign { session, job } => match self.sessions.get_mut(&session).ok_or_else(session_lost)? {
                Held::Local(signer) => {
                    job::check_job(&job).map_err(core)?;
                    to_value(&SignResult::from(job::run(&job, signer.as_ref()).map_err(core)?))
                }
                Held::Child { client, session } => to_value(&client.sign(*session, job, CHILD_SIGN_TIMEOUT).map_err(|e| e.body())?),
            },
            Op::Logout { session } => {
                let held = self.sessions.remove(&session);
                if let Some(Held::Child { mut client, session }) = held {
                    let _ = client.logout(session, CHILD_LOGOUT_TIMEOUT);
                    client.close();
                    return to_value(&LogoutResult { logged_out: true });
                }
                to_value(&LogoutResult { logged_out: held.is_some() })
            }
            Op::ChangePin { modules, token_label, old_pin, new_pin } => {
                let sel = TokenSelection { modules, token_label, cert_id: None, cert_label: None };
                token::change_pin(&sel, &old_pin.into_pin(), &new_pin.into_pin()).map_err(core)?;
                Ok(Value::Null)
            }
            Op::UnblockPin { modules, token_label, so_pin, new_pin } => {
                let sel = TokenSelection { modules, token_label, cert_id: None, cert_label: None };
                to_value(&token::unblock_pin(&sel, &so_pin.into_pin(), &new_pin.into_pin()).map_err(core)?)
            }
            Op::ImportCert { modules, token_label, file, trust, remove_old, pin } => {
                let sel = TokenSelection { modules, token_label, cert_id: None, cert_label: None };
                let opts = token::ImportOptions { file, trust, remove_old };
                to_value(&token::import_certificate(&sel, &opts, pin.into_pin()).map_err(core)?)
            }
            Op::Shutdown => {
                self.sessions.clear();
                Ok(Value::Null)
            }
        }
    }

    /// A random id below 2^53, not 0, not in use.
    fn new_session_id(&self) -> u64 {
        loop {
            let id = rand_core::OsRng.next_u64() >> 11;
            if id != 0 && !self.sessions.contains_key(&id) {
                return id;
            }
        }
    }
}

fn session_lost() -> AgentErrorBody {
    AgentErrorBody::new(
        "session_lost",
        "Phiên làm việc với thiết bị ký số không còn (tiến trình token đã khởi động lại). Hãy nhập lại mã PIN.".into(),
        "The token session is gone (the token agent restarted). Enter the PIN again.".into(),
    )
}

fn to_value<T: serde::Serialize>(v: &T) -> Result<Value, AgentErrorBody> {
    serde_json::to_value(v).map_err(|e| AgentErrorBody::new("internal", format!("Lỗi nội bộ: {e}"), format!("Internal error: {e}")))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn exchange(input: &str) -> Vec<Value> {
        let mut out = Vec::new();
        serve(input.as_bytes(), &mut out).unwrap();
        String::from_utf8(out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    }

    #[test]
    fn malformed_lines_get_errors_and_the_loop_goes_on() {
        let r = exchange("{not json\n\n{\"id\":4,\"op\":\"fly\"}\n{\"id\":5,\"op\":\"hello\"}\n{\"id\":6,\"op\":\"sign\",\"session\":1,\"job\":{}}\n{\"id\":7,\"op\":\"shutdown\"}\n{\"id\":8,\"op\":\"hello\"}\n");
        assert_eq!(r.len(), 5, "{r:?}");
        assert_eq!((r[0]["id"].as_u64(), r[0]["ok"].as_bool()), (Some(0), Some(false)));
        assert_eq!(r[0]["error"]["kind"], "bad_request");
        assert_eq!((r[1]["id"].as_u64(), r[1]["error"]["kind"].as_str()), (Some(4), Some("bad_request")));
        assert_eq!(r[2]["result"]["version"], PROTOCOL_VERSION);
        assert_eq!(r[3]["error"]["kind"], "session_lost");
        assert_eq!((r[4]["id"].as_u64(), r[4]["ok"].as_bool()), (Some(7), Some(true)));
    }

    #[test]
    fn a_mistyped_pin_is_not_quoted_back() {
        let r = exchange("{\"id\":1,\"op\":\"login\",\"pin\":123456,\"tokenLabel\":\"secret-ish 987654\"}\n");
        let text = r[0].to_string();
        assert!(!text.contains("123456"), "{text}");
    }
}
