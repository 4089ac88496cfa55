//! The caller's side: [`AgentClient`] starts the agent process and sends it one
//! request at a time, each with its own time limit.
//!
//! A thread reads the agent's standard output into a channel, so a driver that hangs
//! inside the agent costs the caller a [`AgentError::TimedOut`] (the agent is killed),
//! and a driver that crashes it an [`AgentError::Crashed`], never the caller's own
//! thread. The next call starts a new agent; its sessions are new too, so a `sign`
//! naming an old session gets the remote error `session_lost` and the caller logs in
//! again.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::Value;
use zeroize::Zeroizing;

use serde::de::DeserializeOwned;

use super::protocol::{AgentErrorBody, HelloResult, LoginResult, LogoutResult, Op, Request, Response, SecretPin, SignResult};
use crate::i18n::{Lang, Localize};
use crate::job::SignJob;
use crate::token::Inventory;
use crate::tr;

/// How long an agent may take to exit after its input is closed before it is killed.
const EXIT_GRACE: Duration = Duration::from_secs(2);

/// Why a call to the agent failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AgentError {
    /// The agent program could not be started.
    #[error("cannot start the token agent {program}: {source}")]
    Spawn {
        /// The program.
        program: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The agent did not answer in time; it was killed (a hanging driver).
    #[error("the token agent did not answer within {timeout:?}")]
    TimedOut {
        /// The time limit of the call.
        timeout: Duration,
    },
    /// The agent exited or was killed before answering (a crashing driver).
    #[error("the token agent stopped: {}", status_text(.status))]
    Crashed {
        /// Its exit status, when it could be collected.
        status: Option<ExitStatus>,
    },
    /// Talking to the agent failed otherwise.
    #[error("cannot talk to the token agent: {0}")]
    Io(#[source] std::io::Error),
    /// The agent answered something that is not a response to this request.
    #[error("unexpected answer from the token agent: {0}")]
    Protocol(String),
    /// The agent carried out the request and reports a failure (wrong PIN, bad PDF…).
    #[error("{}", .0.en)]
    Remote(AgentErrorBody),
}

fn status_text(status: &Option<ExitStatus>) -> String {
    status.map(|s| s.to_string()).unwrap_or_else(|| "unknown status".into())
}

impl AgentError {
    /// A stable snake_case kind: the remote kind, or `agent_start`, `agent_timeout`,
    /// `agent_crashed`, `agent_io`, `agent_protocol`.
    pub fn kind(&self) -> &str {
        match self {
            AgentError::Spawn { .. } => "agent_start",
            AgentError::TimedOut { .. } => "agent_timeout",
            AgentError::Crashed { .. } => "agent_crashed",
            AgentError::Io(_) => "agent_io",
            AgentError::Protocol(_) => "agent_protocol",
            AgentError::Remote(b) => &b.kind,
        }
    }

    /// The error as the window shows it (`{ kind, vi, en, pinTries }`).
    pub fn body(&self) -> AgentErrorBody {
        match self {
            AgentError::Remote(b) => b.clone(),
            other => AgentErrorBody::localized(other.kind(), other),
        }
    }
}

impl Localize for AgentError {
    fn localize(&self, lang: Lang) -> String {
        match self {
            AgentError::Spawn { program, source } => tr!(lang,
                "Không khởi động được tiến trình truy cập thiết bị ký số ({}: {}). Hãy cài lại KýSố.",
                "Cannot start the token helper process ({}: {}). Reinstall KýSố.",
                program.display(), source),
            AgentError::TimedOut { timeout } => tr!(lang,
                "Thiết bị ký số hoặc trình điều khiển không phản hồi sau {} giây nên đã bị dừng. Hãy rút thiết bị ra, cắm lại rồi thử lại; tệp gốc không bị thay đổi.",
                "The token or its driver did not answer within {} seconds and was stopped. Unplug the token, plug it in again and retry; the input file is unchanged.",
                timeout.as_secs()),
            AgentError::Crashed { status } => tr!(lang,
                "Trình điều khiển thiết bị ký số bị lỗi và tiến trình truy cập thiết bị đã dừng ({}). Hãy rút thiết bị ra, cắm lại rồi thử lại; nếu vẫn lỗi, hãy cài lại phần mềm của nhà cung cấp chứng thư số.",
                "The token driver failed and the token helper process stopped ({}). Unplug the token, plug it in again and retry; if it keeps failing, reinstall your certificate provider's software.",
                status_text(status)),
            AgentError::Io(e) => tr!(lang,
                "Mất liên lạc với tiến trình truy cập thiết bị ký số ({}). Hãy thử lại.",
                "Lost contact with the token helper process ({}). Try again.",
                e),
            AgentError::Protocol(what) => tr!(lang,
                "Tiến trình truy cập thiết bị ký số trả lời không hợp lệ ({}). Hãy thử lại.",
                "The token helper process gave an invalid answer ({}). Try again.",
                what),
            AgentError::Remote(b) => match lang {
                Lang::Vi => b.vi.clone(),
                Lang::En => b.en.clone(),
            },
        }
    }
}

/// Which token and certificate a `login` opens (the PIN travels apart).
#[derive(Clone, Debug, Default)]
pub struct Login {
    /// Drivers to use; empty: every known driver found on this computer.
    pub modules: Vec<PathBuf>,
    /// The token label; needed only when several tokens are present.
    pub token_label: Option<String>,
    /// The certificate's `CKA_ID` in hex; needed only when several can sign.
    pub cert_id_hex: Option<String>,
}

/// Which certificate file an `importCert` writes onto which token (the PIN travels apart).
#[derive(Clone, Debug, Default)]
pub struct ImportCert {
    /// Drivers to use; empty: every known driver found on this computer.
    pub modules: Vec<PathBuf>,
    /// The token label; needed only when several tokens are present.
    pub token_label: Option<String>,
    /// The certificate file.
    pub file: PathBuf,
    /// Extra trust anchors.
    pub trust: Vec<PathBuf>,
    /// Delete the key's older certificates.
    pub remove_old: bool,
}

/// A running agent: its process, its input, and its output lines.
struct Running {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<Vec<u8>>,
}

/// A handle on the agent process, started with `program args…` and restarted after a
/// crash or a time-out. Dropping it closes the agent's input (the agent logs out and
/// exits) and kills it if it has not exited within two seconds.
pub struct AgentClient {
    program: PathBuf,
    args: Vec<OsString>,
    running: Option<Running>,
    next_id: u64,
}

impl std::fmt::Debug for AgentClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AgentClient")
            .field("program", &self.program)
            .field("args", &self.args)
            .field("running", &self.running.as_ref().map(|r| r.child.id()))
            .finish()
    }
}

impl AgentClient {
    /// Start `program` with `args` (e.g. the desktop's own executable with
    /// `--agent`, or `kyso` with `agent`). Its standard error is inherited.
    pub fn spawn(program: &Path, args: &[OsString]) -> Result<AgentClient, AgentError> {
        let mut client = AgentClient { program: program.to_owned(), args: args.to_vec(), running: None, next_id: 1 };
        client.start()?;
        Ok(client)
    }

    fn start(&mut self) -> Result<&mut Running, AgentError> {
        if self.running.is_none() {
            let mut child = Command::new(&self.program)
                .args(&self.args)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .map_err(|source| AgentError::Spawn { program: self.program.clone(), source })?;
            let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
                let _ = child.kill();
                let _ = child.wait();
                return Err(AgentError::Io(std::io::Error::other("no pipes to the agent")));
            };
            let (tx, lines) = mpsc::channel();
            std::thread::Builder::new()
                .name("kyso-agent-reader".into())
                .spawn(move || {
                    let mut reader = BufReader::new(stdout);
                    loop {
                        let mut line = Vec::new();
                        match reader.read_until(b'\n', &mut line) {
                            Ok(0) | Err(_) => break,
                            Ok(_) => {
                                if tx.send(line).is_err() {
                                    break;
                                }
                            }
                        }
                    }
                })
                .map_err(AgentError::Io)?;
            self.running = Some(Running { child, stdin, lines });
        }
        self.running.as_mut().ok_or_else(|| AgentError::Protocol("agent not running".into()))
    }

    /// The process id of the running agent, if one is running.
    pub fn pid(&self) -> Option<u32> {
        self.running.as_ref().map(|r| r.child.id())
    }

    /// Send `op` and wait up to `timeout` for its answer: the result value, or the
    /// agent's error as [`AgentError::Remote`]. A time-out kills the agent; a dead
    /// agent is [`AgentError::Crashed`]; either way the next call starts a new one.
    pub fn call(&mut self, op: Op, timeout: Duration) -> Result<Value, AgentError> {
        let id = self.next_id;
        self.next_id += 1;
        let deadline = Instant::now() + timeout;
        // The request may hold a PIN: serialised into a buffer wiped after sending.
        let mut text = Zeroizing::new(serde_json::to_string(&Request { id, op }).map_err(|e| AgentError::Protocol(e.to_string()))?);
        text.push('\n');
        let running = self.start()?;
        if running.stdin.write_all(text.as_bytes()).and_then(|()| running.stdin.flush()).is_err() {
            // A closed pipe: the agent is gone.
            return Err(self.crashed());
        }
        drop(text);
        loop {
            let Some(running) = self.running.as_mut() else {
                return Err(AgentError::Protocol("agent not running".into()));
            };
            let left = deadline.saturating_duration_since(Instant::now());
            match running.lines.recv_timeout(left) {
                Ok(line) => {
                    let Ok(response) = serde_json::from_slice::<Response>(&line) else {
                        // Not ours (a driver printing to stdout): skip it.
                        eprintln!("kyso: ignored a line from the token agent that is not a response");
                        continue;
                    };
                    if response.id != id {
                        continue;
                    }
                    return match (response.ok, response.result, response.error) {
                        (true, result, _) => Ok(result.unwrap_or(Value::Null)),
                        (false, _, Some(body)) => Err(AgentError::Remote(body)),
                        (false, _, None) => Err(AgentError::Protocol("failure without an error".into())),
                    };
                }
                Err(RecvTimeoutError::Timeout) => {
                    if let Some(mut r) = self.running.take() {
                        let _ = r.child.kill();
                        let _ = r.child.wait();
                    }
                    return Err(AgentError::TimedOut { timeout });
                }
                Err(RecvTimeoutError::Disconnected) => return Err(self.crashed()),
            }
        }
    }

    /// The agent died: collect its status (killing it if it only closed its output).
    fn crashed(&mut self) -> AgentError {
        let status = self.running.take().and_then(|r| reap(r.child, EXIT_GRACE));
        AgentError::Crashed { status }
    }

    /// [`AgentClient::call`], the answer read as `T` (the op's typed result); an
    /// answer of another shape is [`AgentError::Protocol`], never a silent default.
    pub fn call_as<T: DeserializeOwned>(&mut self, op: Op, timeout: Duration) -> Result<T, AgentError> {
        let name = op.name();
        let value = self.call(op, timeout)?;
        serde_json::from_value(value).map_err(|e| AgentError::Protocol(format!("{name}: {e}")))
    }

    /// `hello`: the agent's protocol and `kyso` versions.
    pub fn hello(&mut self, timeout: Duration) -> Result<HelloResult, AgentError> {
        self.call_as(Op::Hello, timeout)
    }

    /// `tokens`: the inventory of `modules` (empty: every known driver).
    pub fn tokens(&mut self, modules: Vec<PathBuf>, timeout: Duration) -> Result<Inventory, AgentError> {
        self.call_as(Op::Tokens { modules }, timeout)
    }

    /// `login`: a session on the token, checked by the token against `pin`.
    pub fn login(&mut self, login: Login, pin: SecretPin, timeout: Duration) -> Result<LoginResult, AgentError> {
        let Login { modules, token_label, cert_id_hex } = login;
        self.call_as(Op::Login { modules, token_label, cert_id_hex, pin }, timeout)
    }

    /// `sign`: check, then sign `job` in `session`.
    pub fn sign(&mut self, session: u64, job: SignJob, timeout: Duration) -> Result<SignResult, AgentError> {
        self.call_as(Op::Sign { session, job }, timeout)
    }

    /// `logout`: close `session`.
    pub fn logout(&mut self, session: u64, timeout: Duration) -> Result<LogoutResult, AgentError> {
        self.call_as(Op::Logout { session }, timeout)
    }

    /// `changePin` on the token `token_label`.
    pub fn change_pin(
        &mut self,
        modules: Vec<PathBuf>,
        token_label: Option<String>,
        old_pin: SecretPin,
        new_pin: SecretPin,
        timeout: Duration,
    ) -> Result<(), AgentError> {
        let _: Value = self.call(Op::ChangePin { modules, token_label, old_pin, new_pin }, timeout)?;
        Ok(())
    }

    /// `unblockPin` on the token `token_label`: the token as it was before.
    pub fn unblock_pin(
        &mut self,
        modules: Vec<PathBuf>,
        token_label: Option<String>,
        so_pin: SecretPin,
        new_pin: SecretPin,
        timeout: Duration,
    ) -> Result<crate::token::TokenIdentity, AgentError> {
        self.call_as(Op::UnblockPin { modules, token_label, so_pin, new_pin }, timeout)
    }

    /// `importCert`: write the certificate in `file` next to its key on `token_label`.
    pub fn import_cert(&mut self, req: ImportCert, pin: SecretPin, timeout: Duration) -> Result<crate::token::ImportReport, AgentError> {
        let ImportCert { modules, token_label, file, trust, remove_old } = req;
        self.call_as(Op::ImportCert { modules, token_label, file, trust, remove_old, pin }, timeout)
    }

    /// Close the agent's input and wait for it to exit (killing it after two seconds).
    pub fn close(&mut self) -> Option<ExitStatus> {
        let r = self.running.take()?;
        drop(r.stdin);
        reap(r.child, EXIT_GRACE)
    }
}

/// Wait up to `grace` for `child` to exit, then kill it.
fn reap(mut child: Child, grace: Duration) -> Option<ExitStatus> {
    let until = Instant::now() + grace;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if Instant::now() < until => std::thread::sleep(Duration::from_millis(10)),
            _ => {
                let _ = child.kill();
                return child.wait().ok();
            }
        }
    }
}

impl Drop for AgentClient {
    fn drop(&mut self) {
        self.close();
    }
}
