//! Carrying the pages' calls: TLS (rustls) on a loopback socket, a WebSocket
//! handshake whose `Host`, `Origin` and path are checked before it is accepted,
//! one text message in, one out, close.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tungstenite::handshake::server::{ErrorResponse, Request as WsRequest, Response as WsResponse};
use tungstenite::protocol::WebSocketConfig;
use tungstenite::Message;

use super::guard::{host_is_local, normalize_origin};
use super::protocol::{Endpoint, Reply};
use super::{Bridge, BridgeError};

/// Time to finish the TLS and WebSocket handshakes and send the message.
const READ_TIMEOUT: Duration = Duration::from_secs(30);
/// Largest message a page may send (a request is a few hundred bytes).
const MAX_MESSAGE: usize = 1 << 20;
/// Connections served at once; more are closed at once.
const MAX_CONNECTIONS: usize = 32;

/// Bind the bridge's address: loopback only; an address already held names the
/// program holding it ([`BridgeError::PortInUse`]).
pub fn bind(addr: SocketAddr) -> Result<TcpListener, BridgeError> {
    if !addr.ip().is_loopback() {
        return Err(BridgeError::Listen {
            addr: addr.to_string(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "the bridge listens on 127.0.0.1 or ::1 only"),
        });
    }
    TcpListener::bind(addr).map_err(|source| {
        if source.kind() == std::io::ErrorKind::AddrInUse {
            BridgeError::PortInUse { addr: addr.to_string(), holder: holder_of(addr.port()) }
        } else {
            BridgeError::Listen { addr: addr.to_string(), source }
        }
    })
}

/// Serve calls on `listener` until `stop` is set (and one more connection arrives,
/// which [`wake`] makes). One thread per connection, at most [`MAX_CONNECTIONS`].
pub fn serve(bridge: Arc<Bridge>, tls: Arc<rustls::ServerConfig>, listener: TcpListener, stop: Arc<AtomicBool>) {
    let live = Arc::new(AtomicUsize::new(0));
    for conn in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = conn else { continue };
        if live.load(Ordering::SeqCst) >= MAX_CONNECTIONS {
            drop(stream);
            continue;
        }
        live.fetch_add(1, Ordering::SeqCst);
        let (bridge, tls, done) = (bridge.clone(), tls.clone(), live.clone());
        let spawned = std::thread::Builder::new().name("kyso-bridge-call".into()).spawn(move || {
            if let Err(why) = serve_one(&bridge, tls, stream) {
                bridge.ui.log(&why);
            }
            done.fetch_sub(1, Ordering::SeqCst);
        });
        if spawned.is_err() {
            live.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// Make a blocked [`serve`] look at its stop flag.
pub fn wake(addr: SocketAddr) {
    let _ = TcpStream::connect_timeout(&addr, Duration::from_secs(1));
}

/// What the handshake learned.
#[derive(Default)]
struct Accepted {
    endpoint: Option<Endpoint>,
    origin: Option<String>,
}

fn refuse(code: u16, text: String) -> ErrorResponse {
    let mut r = ErrorResponse::new(Some(text));
    *r.status_mut() = tungstenite::http::StatusCode::from_u16(code).unwrap_or(tungstenite::http::StatusCode::FORBIDDEN);
    r
}

/// Check the handshake: a local `Host`, a web `Origin`, a known endpoint.
fn check_handshake(req: &WsRequest, accepted: &mut Accepted) -> Result<(), (u16, String)> {
    use crate::i18n::{Lang, Localize};
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let host = header("host").unwrap_or_default();
    if !host_is_local(&host) {
        return Err((403, BridgeError::HostNotAllowed(host).localize(Lang::Vi)));
    }
    let raw_origin = header("origin").unwrap_or_default();
    let Some(origin) = normalize_origin(&raw_origin) else {
        let shown = if raw_origin.is_empty() { "(không có Origin)".into() } else { raw_origin };
        return Err((403, BridgeError::OriginNotAllowed(shown).localize(Lang::Vi)));
    };
    let Some(endpoint) = Endpoint::from_path(req.uri().path()) else {
        return Err((404, format!("Không có chức năng {}", req.uri().path())));
    };
    accepted.endpoint = Some(endpoint);
    accepted.origin = Some(origin);
    Ok(())
}

fn serve_one(bridge: &Bridge, tls: Arc<rustls::ServerConfig>, stream: TcpStream) -> Result<(), String> {
    let peer = stream.peer_addr().map_err(|e| e.to_string())?;
    if !peer.ip().is_loopback() {
        return Err(format!("{peer}: not a loopback peer"));
    }
    stream.set_read_timeout(Some(READ_TIMEOUT)).map_err(|e| e.to_string())?;
    stream.set_write_timeout(Some(READ_TIMEOUT)).map_err(|e| e.to_string())?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let conn = rustls::ServerConnection::new(tls).map_err(|e| e.to_string())?;
    let tls_stream = rustls::StreamOwned::new(conn, stream);
    let mut accepted = Accepted::default();
    let config = WebSocketConfig::default().max_message_size(Some(MAX_MESSAGE)).max_frame_size(Some(MAX_MESSAGE));
    // The error type is tungstenite's (an HTTP response), large by nature.
    #[allow(clippy::result_large_err)]
    let callback = |req: &WsRequest, resp: WsResponse| check_handshake(req, &mut accepted).map(|()| resp).map_err(|(c, t)| refuse(c, t));
    let mut ws = match tungstenite::accept_hdr_with_config(tls_stream, callback, Some(config)) {
        Ok(ws) => ws,
        // A refused handshake was answered with its reason; a TLS failure (the
        // browser does not trust the local CA yet) is only logged.
        Err(e) => return Err(format!("{peer}: handshake: {e}")),
    };
    let (Some(endpoint), Some(origin)) = (accepted.endpoint, accepted.origin) else {
        return Err(format!("{peer}: handshake without endpoint"));
    };
    let text = loop {
        match ws.read() {
            Ok(Message::Text(t)) => break t.to_string(),
            Ok(Message::Binary(b)) => break String::from_utf8_lossy(&b).into_owned(),
            Ok(Message::Close(_)) => return Ok(()),
            Ok(_) => continue,
            Err(e) => return Err(format!("{peer} {}: {e}", endpoint.name())),
        }
    };
    // Signing waits for the user: no read time-out while the call runs.
    let _ = ws.get_mut().get_mut().set_read_timeout(None);
    let reply: Reply = bridge.handle(endpoint, &origin, &text);
    let _ = ws.get_mut().get_mut().set_read_timeout(Some(READ_TIMEOUT));
    ws.send(Message::text(reply.to_text())).map_err(|e| format!("{peer} {}: reply: {e}", endpoint.name()))?;
    let _ = ws.close(None);
    // Let the close handshake finish (the page's close frame), briefly.
    for _ in 0..4 {
        if ws.read().is_err() {
            break;
        }
    }
    Ok(())
}

/// The program listening on `port`, as "name (PID n)", when the system says.
pub fn holder_of(port: u16) -> Option<String> {
    #[cfg(target_os = "linux")]
    {
        linux_holder(port)
    }
    #[cfg(windows)]
    {
        windows_holder(port)
    }
    #[cfg(not(any(target_os = "linux", windows)))]
    {
        let _ = port;
        None
    }
}

#[cfg(target_os = "linux")]
fn linux_holder(port: u16) -> Option<String> {
    let want = format!(":{port:04X}");
    let mut inodes = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = std::fs::read_to_string(table) else { continue };
        for line in text.lines().skip(1) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            // local_address, state 0A = LISTEN, inode.
            if cols.len() > 9 && cols[1].ends_with(&want) && cols[3] == "0A" {
                inodes.push(format!("socket:[{}]", cols[9]));
            }
        }
    }
    if inodes.is_empty() {
        return None;
    }
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let pid = entry.file_name().to_string_lossy().into_owned();
        if !pid.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let Ok(fds) = std::fs::read_dir(entry.path().join("fd")) else { continue };
        for fd in fds.flatten() {
            if let Ok(target) = std::fs::read_link(fd.path()) {
                if inodes.iter().any(|i| target.as_os_str() == i.as_str()) {
                    let name = std::fs::read_to_string(entry.path().join("comm")).unwrap_or_default();
                    return Some(format!("{} (PID {pid})", name.trim()));
                }
            }
        }
    }
    Some("một chương trình khác / another program".into())
}

#[cfg(windows)]
fn windows_holder(port: u16) -> Option<String> {
    let out = std::process::Command::new("netstat").args(["-ano", "-p", "TCP"]).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let suffix = format!(":{port}");
    let pid = text.lines().find_map(|l| {
        let cols: Vec<&str> = l.split_whitespace().collect();
        (cols.len() >= 5 && cols[1].ends_with(&suffix) && cols[3].eq_ignore_ascii_case("LISTENING")).then(|| cols[4].to_owned())
    })?;
    let out = std::process::Command::new("tasklist").args(["/FI", &format!("PID eq {pid}"), "/FO", "CSV", "/NH"]).output().ok()?;
    let line = String::from_utf8_lossy(&out.stdout).lines().next().unwrap_or("").to_owned();
    let name = line.split(',').next().unwrap_or("").trim_matches('"').to_owned();
    Some(if name.is_empty() { format!("PID {pid}") } else { format!("{name} (PID {pid})") })
}
