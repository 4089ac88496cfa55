//! The e-office bridge (issue 12) with real parts: a real browser (headless
//! Chromium driven by chromedriver) opens a test e-office page served by a mock
//! e-office server (`tests/fixtures/eoffice/server.py`: downloads and uploads only
//! with the page's session cookie and bearer token), trusts the bridge's local CA
//! through its NSS database (`kyso bridge cert --install`), and presses "Ký số" for
//! every call; `kyso bridge --unattended` signs with a SoftHSM2 token. Each uploaded
//! file is judged by pyHanko, pdfsig and qpdf (`tests/fixtures/validate.sh`) and its
//! stamps are compared with what `kyso sign` makes of the same file. Refusals are
//! tried at the door with a WebSocket client that can lie about `Host` and `Origin`.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{testbed, tool_present, validate, Testbed};
use der::{DecodePem, Encode};
use serde_json::{json, Value};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A child process killed when dropped.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Start `cmd` and wait for a stdout line containing `marker`; returns the process
/// and that line.
fn start_until(mut cmd: Command, marker: &str, stdin: Option<&str>) -> (Proc, String) {
    cmd.stdout(Stdio::piped()).stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    let mut child = cmd.spawn().expect("spawn");
    if let Some(text) = stdin {
        let mut i = child.stdin.take().expect("stdin");
        i.write_all(text.as_bytes()).expect("write stdin");
    }
    let out = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(out).lines();
    let mut proc = Proc(child);
    loop {
        match lines.next() {
            Some(Ok(l)) if l.contains(marker) => {
                // Keep draining stdout so the child never blocks on a full pipe.
                std::thread::spawn(move || for _ in lines.by_ref() {});
                return (proc, l);
            }
            Some(Ok(_)) => continue,
            _ => {
                let status = proc.0.wait().ok();
                panic!("process ended before printing {marker:?}: {status:?}");
            }
        }
    }
}

fn port_in(line: &str, after: &str) -> u16 {
    let rest = line.split(after).nth(1).unwrap_or_else(|| panic!("no {after:?} in {line:?}"));
    rest.chars().take_while(char::is_ascii_digit).collect::<String>().parse().expect("port")
}

/// The test's own world: a private copy of the tokens, CRLs, documents, the mock
/// e-office server.
struct World {
    tb: Testbed,
    dir: tempfile::TempDir,
    conf: PathBuf,
    crls: Vec<PathBuf>,
    docs: PathBuf,
    uploads: PathBuf,
    _eoffice: Proc,
    eo_port: u16,
}

impl World {
    fn new() -> World {
        let tb = testbed();
        let dir = tempfile::tempdir().expect("tmp");
        let conf = common::private_tokens(&tb, dir.path());
        let crl_dir = dir.path().join("crls");
        let st =
            Command::new("bash").arg(repo().join("tests/fixtures/attacks/make-crls.sh")).arg(&tb.dir).arg(&crl_dir).status().expect("crls");
        assert!(st.success());
        let crls = vec![crl_dir.join("inter.crl.pem"), crl_dir.join("root.crl.pem")];
        let (docs, uploads) = (dir.path().join("docs"), dir.path().join("uploads"));
        std::fs::create_dir_all(&docs).expect("mkdir");
        std::fs::create_dir_all(&uploads).expect("mkdir");
        let mut cmd = Command::new("python3");
        cmd.arg(repo().join("tests/fixtures/eoffice/server.py")).arg(&docs).arg(&uploads);
        let (eoffice, line) = start_until(cmd, "PORT", None);
        let eo_port = port_in(&line, "PORT ");
        World { tb, dir, conf, crls, docs, uploads, _eoffice: eoffice, eo_port }
    }

    fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.eo_port)
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    fn put(&self, name: &str, from: &Path) {
        std::fs::copy(from, self.docs.join(name)).expect("copy document");
    }

    /// `kyso` with this world's tokens.
    fn kyso(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_kyso"));
        c.env("SOFTHSM2_CONF", &self.conf).env("HOME", self.home()).env_remove("KYSO_PIN");
        c
    }

    /// `kyso sign` of `input` as the CLI would (same certificate, role, images).
    fn cli_sign(&self, input: &Path, output: &Path, role: &str, cert: &str, extra: &[&str]) {
        // The images the bridge signs with are the ones its data folder keeps
        // (prepared when set); before the bridge ran, the raw test images.
        let (sig, seal) = self.images();
        let kept = |n: &str, raw: PathBuf| Some(self.data().join("images").join(n)).filter(|p| p.exists()).unwrap_or(raw);
        let image = if role == "personal" { kept("signature.png", sig) } else { kept("seal.png", seal) };
        let mut c = self.kyso();
        c.args(["sign"]).arg(input).arg("-o").arg(output).args([
            "--module",
            &self.tb.module(),
            "--token",
            "KYSO-TEST",
            "--cert-label",
            cert,
            "--role",
            role,
        ]);
        if role == "personal" || role == "seal" {
            c.arg("--image").arg(image);
        }
        c.arg("--trust").arg(self.tb.pki("root.pem")).arg("--offline").args(["--pin-stdin", "--level", "b-b"]);
        for crl in &self.crls {
            c.arg("--crl").arg(crl);
        }
        c.args(extra).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = c.spawn().expect("kyso sign");
        child.stdin.take().expect("stdin").write_all(b"123456\n").expect("pin");
        let out = child.wait_with_output().expect("kyso sign");
        assert!(out.status.success(), "kyso sign: {}", String::from_utf8_lossy(&out.stderr));
    }

    fn images(&self) -> (PathBuf, PathBuf) {
        let dir = self.dir.path().join("images");
        if !dir.join("seal.png").exists() {
            std::fs::create_dir_all(&dir).expect("mkdir");
            let st = Command::new("python3").arg(repo().join("tests/fixtures/stamps/make-images.py")).arg(&dir).status().expect("python3");
            assert!(st.success());
        }
        (dir.join("signature.png"), dir.join("seal.png"))
    }

    /// `kyso bridge --unattended` on a free port with `pin` on stdin.
    fn bridge(&self, pin: &str, extra: &[&str]) -> (Proc, u16) {
        let (sig, seal) = self.images();
        let mut c = self.kyso();
        c.args(["bridge", "--listen", "127.0.0.1:0", "--allow-origin", &self.origin(), "--unattended", "--pin-stdin"])
            .args(["--module", &self.tb.module(), "--cert-label", "Nguyen Van An", "--seal-cert-label", "UBND tinh Thu Nghiem"])
            .arg("--data-dir")
            .arg(self.data())
            .arg("--trust")
            .arg(self.tb.pki("root.pem"))
            .arg("--offline")
            .arg("--signature-image")
            .arg(sig)
            .arg("--seal-image")
            .arg(seal)
            .args(extra);
        for crl in &self.crls {
            c.arg("--crl").arg(crl);
        }
        // HOME is the world's: no user settings.toml, so B-B (no TSA configured).
        let (p, line) = start_until(c, "wss://", Some(&format!("{pin}\n")));
        (p, port_in(&line, "wss://127.0.0.1:"))
    }

    fn uploads_seen(&self) -> Value {
        let url = format!("http://127.0.0.1:{}/control/uploads", self.eo_port);
        serde_json::from_str(&ureq::get(&url).call().expect("uploads").into_string().expect("body")).expect("json")
    }

    fn fail_next_upload(&self) {
        let url = format!("http://127.0.0.1:{}/control/fail-next-upload", self.eo_port);
        ureq::post(&url).send_string("").expect("control");
    }

    fn history(&self) -> Vec<(i64, String, String)> {
        let db = rusqlite::Connection::open(self.data().join("kyso.sqlite3")).expect("queue");
        let mut st = db.prepare("SELECT document_id, action, COALESCE(detail, '') FROM history ORDER BY id").expect("sql");
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).expect("rows");
        rows.map(|r| r.expect("row")).collect()
    }
}

/// A WebDriver session on headless Chromium (chromedriver), with `home` as HOME so
/// Chromium reads the NSS database there.
struct Browser {
    _driver: Proc,
    base: String,
    session: String,
}

impl Browser {
    fn new(home: &Path, profile: &Path) -> Browser {
        assert!(tool_present("chromium", Path::new("/usr/bin/chromium").exists()), "chromium");
        assert!(tool_present("chromedriver", Path::new("/usr/bin/chromedriver").exists()), "chromedriver");
        let port = std::net::TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("addr").port();
        let mut cmd = Command::new("/usr/bin/chromedriver");
        cmd.arg(format!("--port={port}")).env("HOME", home);
        let (driver, _) = start_until(cmd, "started successfully", None);
        let base = format!("http://127.0.0.1:{port}");
        let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", format!("--user-data-dir={}", profile.display())]
        }}}});
        let v = post_json(&format!("{base}/session"), &caps);
        let session = v["value"]["sessionId"].as_str().expect("sessionId").to_owned();
        Browser { _driver: driver, base, session }
    }

    fn post(&self, path: &str, body: Value) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let v = post_json(&url, &body);
        v["value"].clone()
    }

    fn open(&self, url: &str) {
        self.post("/url", json!({ "url": url }));
    }

    /// Press the page's button for `call` and wait for its reply (the page writes
    /// the bridge's JSON answer into `#out-<call>`).
    fn press(&self, call: &str) -> Value {
        let el = self.post("/element", json!({"using": "css selector", "value": format!("#btn-{call}")}));
        let id = el.as_object().and_then(|o| o.values().next()).and_then(Value::as_str).expect("element").to_owned();
        self.post(&format!("/element/{id}/click"), json!({}));
        let start = Instant::now();
        loop {
            let text = self
                .post("/execute/sync", json!({"script": format!("return document.getElementById('out-{call}').textContent"), "args": []}));
            if let Some(t) = text.as_str().filter(|t| !t.is_empty()) {
                return serde_json::from_str(t).unwrap_or_else(|_| panic!("{call}: not JSON: {t}"));
            }
            assert!(start.elapsed() < Duration::from_secs(120), "{call}: no reply from the bridge");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = ureq::delete(&format!("{}/session/{}", self.base, self.session)).call();
    }
}

/// The text MuPDF draws on page 1, widget appearances included (pdftotext reads
/// only the page's own content).
fn drawn_text(pdf: &Path) -> String {
    let out = Command::new("mutool").args(["draw", "-F", "txt", "-o", "-"]).arg(pdf).arg("1").output().expect("mutool");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn post_json(url: &str, body: &Value) -> Value {
    let text = ureq::post(url).set("Content-Type", "application/json").send_string(&body.to_string()).expect("webdriver");
    serde_json::from_str(&text.into_string().expect("body")).expect("json")
}

fn uploaded_paths(seen: &Value) -> Vec<PathBuf> {
    seen["uploads"].as_array().expect("uploads").iter().map(|u| PathBuf::from(u["path"].as_str().expect("path"))).collect()
}

fn widgets(pdf: &Path) -> Value {
    let out = Command::new("python3").arg(repo().join("tests/fixtures/eoffice/widgets.py")).arg(pdf).output().expect("widgets.py");
    assert!(out.status.success(), "widgets.py: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("json")
}

#[test]
fn an_eoffice_page_in_chromium_signs_every_kind_through_the_bridge() {
    let w = World::new();
    let draft = w.tb.draft("draft-lo.pdf");
    for name in ["to-trinh.pdf", "ban-sao.pdf", "phu-luc.pdf", "gui-lai.pdf", "van-ban-den-sai.pdf"] {
        w.put(name, &draft);
    }
    // The leader's signed draft the clerk releases (made by `kyso sign`).
    let leader_signed = w.dir.path().join("leader-signed.pdf");
    w.cli_sign(&draft, &leader_signed, "personal", "Nguyen Van An", &[]);
    w.put("quyet-dinh.pdf", &leader_signed);

    let (_bridge, port) = w.bridge("123456", &[]);
    // The browser trusts the bridge's local CA through its NSS database.
    let st = w.kyso().args(["bridge", "cert", "--install", "--data-dir"]).arg(w.data()).status().expect("cert --install");
    assert!(st.success());
    let browser = Browser::new(&w.home(), &w.dir.path().join("profile"));
    browser.open(&format!("{}/page.html?bridge={port}", w.origin()));

    let v = browser.press("version");
    assert_eq!(v["Status"], 0, "{v}");
    assert_eq!(v["Version"], env!("CARGO_PKG_VERSION"));

    // Each signing call: Status 0, the file uploaded with the page's fields.
    let mut expected = Vec::new();
    for (call, file, sigs) in
        [("approve", "to-trinh.pdf", 1), ("issue", "quyet-dinh.pdf", 2), ("copy", "ban-sao.pdf", 1), ("appendix", "phu-luc.pdf", 1)]
    {
        let r = browser.press(call);
        assert_eq!(r["Status"], 0, "{call}: {r}");
        assert_eq!(r["FileServer"], "http://files.eoffice.test", "{call}: {r}");
        expected.push((call, file, sigs));
    }
    let seen = w.uploads_seen();
    let up = uploaded_paths(&seen);
    assert_eq!(up.len(), 4, "{seen}");
    for (i, (call, file, sigs)) in expected.iter().enumerate() {
        assert!(up[i].starts_with(&w.uploads) && up[i].to_string_lossy().ends_with(file), "{call}: {}", up[i].display());
        assert_eq!(seen["uploads"][i]["fields"]["docId"], *file, "{call}: the page's MetaData came back");
        assert_eq!(seen["uploads"][i]["fields"]["step"], "1");
        // The bytes the e-office server sent are a prefix of what came back.
        validate(&w.tb, &up[i], Some(&w.docs.join(file)), Some(*sigs));
    }

    // The stamps are where `kyso sign` puts them on the same input.
    let cli = w.dir.path().join("cli");
    std::fs::create_dir_all(&cli).expect("mkdir");
    let same = |name: &str, bridged: &Path, role: &str, cert: &str, extra: &[&str]| {
        let out = cli.join(name);
        w.cli_sign(&w.docs.join(name), &out, role, cert, extra);
        let (a, b) = (widgets(bridged), widgets(&out));
        assert_eq!(a, b, "{name}: the bridge's stamp boxes differ from kyso sign's");
        assert!(a.as_array().is_some_and(|v| !v.is_empty()), "{name}: no visible stamp");
    };
    same("to-trinh.pdf", &up[0], "personal", "Nguyen Van An", &[]);
    same("quyet-dinh.pdf", &up[1], "seal", "UBND tinh Thu Nghiem", &["--doc-number", "125/QĐ-UBND", "--doc-date", "2026-12-06"]);
    same("ban-sao.pdf", &up[2], "copy", "UBND tinh Thu Nghiem", &[]);
    same("phu-luc.pdf", &up[3], "annex", "UBND tinh Thu Nghiem", &["--doc-number", "125/QĐ-UBND"]);
    let text = drawn_text(&up[1]);
    assert!(text.lines().any(|l| l.trim() == "125") && text.lines().any(|l| l.trim() == "06"), "number and day drawn: {text}");

    // Incoming: the released decision verifies and gets the ĐẾN stamp; an unsigned one is refused.
    w.put("van-ban-den.pdf", &up[1]);
    let r = browser.press("income");
    assert_eq!(r["Status"], 0, "{r}");
    let up = uploaded_paths(&w.uploads_seen());
    assert_eq!(up.len(), 5);
    validate(&w.tb, &up[4], Some(&w.docs.join("van-ban-den.pdf")), Some(3));
    let text = drawn_text(&up[4]);
    assert!(text.contains("ĐẾN") && text.contains("Số đến: 342"), "the incoming stamp: {text}");
    let r = browser.press("incomeBad");
    assert_eq!(r["Status"], 1, "{r}");
    assert!(r["Message"].as_str().unwrap_or("").contains("Văn bản đến không hợp lệ"), "{r}");

    // VerifyPDF: the report, for an absolute and a page-relative address.
    for call in ["verify", "relative"] {
        let r = browser.press(call);
        assert_eq!(r["Status"], 0, "{r}");
        assert_eq!(r["Valid"], true, "{r}");
        assert_eq!(r["Data"]["indication"], "TOTAL_PASSED", "{r}");
    }

    // Refusals the page can cause; nothing more is uploaded.
    for (call, says) in [
        ("otherOrigin", "Từ chối địa chỉ https://evil.example/a.pdf"),
        ("redirect", "Từ chối địa chỉ http://evil.example/steal.pdf"),
        ("notPdf", "không phải văn bản PDF"),
        ("unsupported", "chưa hỗ trợ"),
    ] {
        let r = browser.press(call);
        assert_eq!(r["Status"], 1, "{call}: {r}");
        assert!(r["Message"].as_str().unwrap_or("").contains(says), "{call}: {r}");
    }
    assert_eq!(uploaded_paths(&w.uploads_seen()).len(), 5);

    // The upload server fails: the signed file stays in the queue; asking again
    // sends that same file (signed once).
    w.fail_next_upload();
    let r = browser.press("retry");
    assert_eq!(r["Status"], 1, "{r}");
    assert!(r["Message"].as_str().unwrap_or("").contains("Gửi lại"), "{r}");
    assert_eq!(uploaded_paths(&w.uploads_seen()).len(), 5);
    let r = browser.press("retry");
    assert_eq!(r["Status"], 0, "{r}");
    let up = uploaded_paths(&w.uploads_seen());
    assert_eq!(up.len(), 6);
    validate(&w.tb, &up[5], Some(&w.docs.join("gui-lai.pdf")), Some(1));

    // The queue's history: every document with the requesting site, one signature
    // for the retried one, its failed and its successful upload.
    let h = w.history();
    let received: Vec<_> = h.iter().filter(|(_, a, _)| a == "bridge_received").collect();
    assert!(received.len() >= 9, "{h:?}");
    assert!(received.iter().all(|(_, _, d)| d.starts_with(&w.origin())), "{received:?}");
    assert!(received.iter().all(|(_, _, d)| !d.contains("sess-7f3a") && !d.contains("jwt-")), "no credentials in the history");
    let retried = received.iter().find(|(_, _, d)| d.contains("gui-lai.pdf")).map(|(id, _, _)| *id).expect("retried document");
    let of_retried: Vec<&str> = h
        .iter()
        .filter(|(id, a, _)| *id == retried && ["added", "bridge_received", "signed", "upload_failed", "uploaded"].contains(&a.as_str()))
        .map(|(_, a, _)| a.as_str())
        .collect();
    assert_eq!(of_retried, ["added", "bridge_received", "signed", "upload_failed", "uploaded"], "{h:?}");
}

/// A WebSocket call over TLS that can say any `Host` and `Origin`: `Ok(reply)`,
/// or `Err((HTTP status, body))` when the handshake is refused.
fn ws_call(ca: &Path, port: u16, path: &str, host: Option<&str>, origin: Option<&str>, body: &str) -> Result<Value, (u16, String)> {
    use tungstenite::client::IntoClientRequest;
    let pem = std::fs::read(ca).expect("ca");
    let ca = x509_cert::Certificate::from_pem(&pem).expect("ca pem").to_der().expect("der");
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca.into()).expect("root");
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("tls")
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from("127.0.0.1").expect("name");
    let conn = rustls::ClientConnection::new(Arc::new(config), name).expect("tls client");
    let tcp = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    tcp.set_read_timeout(Some(Duration::from_secs(120))).expect("timeout");
    let stream = rustls::StreamOwned::new(conn, tcp);
    let mut req = format!("wss://127.0.0.1:{port}/{path}").into_client_request().expect("request");
    if let Some(h) = host {
        req.headers_mut().insert("Host", h.parse().expect("host"));
    }
    if let Some(o) = origin {
        req.headers_mut().insert("Origin", o.parse().expect("origin"));
    }
    match tungstenite::client::client(req, stream) {
        Ok((mut ws, _)) => {
            ws.send(tungstenite::Message::text(body)).expect("send");
            loop {
                match ws.read().expect("read") {
                    tungstenite::Message::Text(t) => return Ok(serde_json::from_str(&t).expect("json reply")),
                    _ => continue,
                }
            }
        }
        Err(tungstenite::HandshakeError::Failure(tungstenite::Error::Http(resp))) => {
            let text = resp.body().as_ref().map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default();
            Err((resp.status().as_u16(), text))
        }
        Err(e) => panic!("handshake: {e}"),
    }
}

fn sign_request(w: &World, file: &str) -> String {
    json!({
        "FileName": format!("{}/files/{file}", w.origin()),
        "FileUploadHandler": format!("{}/upload", w.origin()),
        "SessionId": "sess-7f3a",
        "JWTToken": "jwt-eyJhbGciOi.test",
    })
    .to_string()
}

#[test]
fn refusals_at_the_door_and_a_wrong_pin() {
    let w = World::new();
    w.put("to-trinh.pdf", &w.tb.draft("draft-lo.pdf"));
    let (_bridge, port) = w.bridge("654321", &[]);
    let ca = w.data().join("bridge/ca.pem");
    let origin = w.origin();
    let local = format!("127.0.0.1:{port}");

    // DNS rebinding: a page on evil.example resolving to 127.0.0.1 sends Host: evil.example.
    let (code, body) = ws_call(&ca, port, "GetVersion", Some(&format!("evil.example:{port}")), Some(&origin), "{}").expect_err("Host");
    assert_eq!(code, 403, "{body}");
    assert!(body.contains("evil.example"), "{body}");
    // No Origin (not a browser page) and unknown calls.
    let (code, _) = ws_call(&ca, port, "GetVersion", Some(&local), None, "{}").expect_err("no origin");
    assert_eq!(code, 403);
    let (code, _) = ws_call(&ca, port, "DeleteEverything", Some(&local), Some(&origin), "{}").expect_err("unknown path");
    assert_eq!(code, 404);
    // A site not on the allow-list: refused, never asked in unattended mode.
    let r =
        ws_call(&ca, port, "SignApproved", Some(&local), Some("https://evil.example"), &sign_request(&w, "to-trinh.pdf")).expect("reply");
    assert_eq!(r["Status"], 1, "{r}");
    assert!(r["Message"].as_str().unwrap_or("").contains("không được phép"), "{r}");
    // The allowed site over `localhost` works.
    let r = ws_call(&ca, port, "GetVersion", Some(&format!("localhost:{port}")), Some(&origin), "").expect("reply");
    assert_eq!(r["Status"], 0, "{r}");

    // A wrong PIN: Status 1 with the tries left, nothing uploaded, the draft untouched.
    let before = common::sha256_file(&w.docs.join("to-trinh.pdf"));
    let r = ws_call(&ca, port, "SignApproved", Some(&local), Some(&origin), &sign_request(&w, "to-trinh.pdf")).expect("reply");
    assert_eq!(r["Status"], 1, "{r}");
    let msg = r["Message"].as_str().unwrap_or("");
    assert!(msg.contains("PIN") && msg.contains("lần thử"), "the tries left are shown: {msg}");
    assert!(!msg.contains("654321"), "never the PIN");
    assert_eq!(uploaded_paths(&w.uploads_seen()).len(), 0);
    assert_eq!(common::sha256_file(&w.docs.join("to-trinh.pdf")), before);
    // No second try with a PIN the token refused: the token's tries are kept.
    let r = ws_call(&ca, port, "SignApproved", Some(&local), Some(&origin), &sign_request(&w, "to-trinh.pdf")).expect("reply");
    assert_eq!(r["Status"], 1, "{r}");
    assert!(r["Message"].as_str().unwrap_or("").contains("ngừng ký tự động"), "{r}");
    let h = w.history();
    assert_eq!(h.iter().filter(|(_, a, _)| a == "bridge_received").count(), 1, "refused before downloading: {h:?}");
    assert!(!h.iter().any(|(_, a, _)| a == "signed" || a == "uploaded"), "{h:?}");
}

#[test]
fn start_up_refusals_name_the_problem() {
    let w = World::new();
    // --unattended without an allow-list.
    let out = w.kyso().args(["bridge", "--unattended", "--listen", "127.0.0.1:0", "--data-dir"]).arg(w.data()).output().expect("kyso");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--allow-origin"), "{}", String::from_utf8_lossy(&out.stderr));
    // IT's allow-list in settings.toml is an allow-list too.
    let settings = w.dir.path().join("settings.toml");
    std::fs::write(&settings, format!("[bridge]\nallow_origins = [\"{}\"]\n", w.origin())).expect("settings");
    let mut c = w.kyso();
    c.args(["bridge", "--unattended", "--pin-stdin", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(w.data())
        .env("KYSO_SETTINGS", &settings);
    let (_running, line) = start_until(c, "wss://", Some("123456\n"));
    let port = port_in(&line, "wss://127.0.0.1:");
    let r = ws_call(&w.data().join("bridge/ca.pem"), port, "GetVersion", None, Some(&w.origin()), "{}").expect("reply");
    assert_eq!(r["Status"], 0, "{r}");
    // A port another program holds: the message names it.
    let holder = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = holder.local_addr().expect("addr").port();
    let out = w.kyso().args(["bridge", "--listen", &format!("127.0.0.1:{port}"), "--data-dir"]).arg(w.data()).output().expect("kyso");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    let me = std::fs::read_to_string("/proc/self/comm").unwrap_or_default();
    assert!(err.contains(&format!("{port}")) && err.contains(me.trim()) && err.contains("VGCA"), "{err}");
    // Not loopback.
    let out = w.kyso().args(["bridge", "--listen", "0.0.0.0:0", "--data-dir"]).arg(w.data()).output().expect("kyso");
    assert!(!out.status.success());
    // The local CA: exported as PEM, its key private and never exported.
    let pem = w.dir.path().join("kyso-ca.pem");
    let out = w.kyso().args(["bridge", "cert", "--export"]).arg(&pem).arg("--data-dir").arg(w.data()).output().expect("kyso");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&pem).expect("pem");
    assert!(text.starts_with("-----BEGIN CERTIFICATE-----") && !text.contains("PRIVATE"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for key in ["ca.key", "server.key"] {
            let mode = std::fs::metadata(w.data().join("bridge").join(key)).expect("key").permissions().mode();
            assert_eq!(mode & 0o077, 0, "{key} is private");
        }
    }
    // The server certificate names 127.0.0.1 and localhost and chains to the exported CA.
    let st = Command::new("openssl")
        .args(["verify", "-CAfile"])
        .arg(&pem)
        .args(["-verify_ip", "127.0.0.1", "-purpose", "sslserver"])
        .arg(w.data().join("bridge/server.pem"))
        .status()
        .expect("openssl");
    assert!(st.success());
}

/// The desktop's side of the contract, played by the test: a user who allows a
/// new site when asked, then cancels the confirmation window.
#[derive(Default)]
struct CancellingUser {
    asked: std::sync::Mutex<Vec<String>>,
    confirmations: std::sync::Mutex<Vec<kyso::bridge::BridgeConfirmation>>,
    /// The answer to "may this person sign another's block?", and who was named.
    allow_names: std::sync::atomic::AtomicBool,
    names: std::sync::Mutex<Vec<(String, String)>>,
}

impl kyso::bridge::BridgeUi for CancellingUser {
    fn ask_origin(&self, origin: &str) -> bool {
        self.asked.lock().expect("lock").push(origin.to_owned());
        true
    }
    fn ask_pin(
        &self,
        what: &kyso::bridge::BridgeConfirmation,
        _summary: &kyso::office::SignSummary,
        _last: Option<&kyso::agent::AgentErrorBody>,
    ) -> Option<kyso::agent::protocol::SecretPin> {
        self.confirmations.lock().expect("lock").push(what.clone());
        None
    }
    fn confirm_name_mismatch(&self, _what: &kyso::bridge::BridgeConfirmation, block: &str, holder: &str, _d: Option<&str>) -> bool {
        self.names.lock().expect("lock").push((block.to_owned(), holder.to_owned()));
        self.allow_names.load(std::sync::atomic::Ordering::SeqCst)
    }
    fn pick_pdf(&self, _name: &str) -> Option<PathBuf> {
        None
    }
    fn open_settings(&self) -> bool {
        true
    }
    fn log(&self, line: &str) {
        println!("bridge: {line}");
    }
}

#[test]
fn a_new_site_is_asked_once_and_a_cancelled_confirmation_is_status_11() {
    use kyso::office::{AgentCommand, Office, OfficeConfig};
    let w = World::new();
    w.put("to-trinh.pdf", &w.tb.draft("draft-lo.pdf"));
    let agent = AgentCommand {
        program: "/usr/bin/env".into(),
        args: vec![format!("SOFTHSM2_CONF={}", w.conf.display()).into(), env!("CARGO_BIN_EXE_kyso").into(), "agent".into()],
    };
    let office = Office::open(OfficeConfig {
        data_dir: w.data(),
        agent,
        modules: vec![PathBuf::from(w.tb.module())],
        trust: vec![w.tb.pki("root.pem")],
        crls: w.crls.clone(),
        offline: true,
    })
    .expect("office");
    let user = Arc::new(CancellingUser::default());
    // Trần Thị Bình's certificate; the draft's block is Nguyễn Văn An's (KT. CHỦ TỊCH).
    let config = kyso::bridge::BridgeConfig {
        listen: "127.0.0.1:0".parse().expect("addr"),
        personal: kyso::bridge::CertPick { token: Some("KYSO-TEST".into()), cert_label: Some("Trần Thị Bình".into()) },
        ..Default::default()
    };
    let bridge = Arc::new(kyso::bridge::Bridge::new(Arc::new(office), user.clone(), config).expect("bridge"));
    let tls = kyso::bridge::tls::server_config(&w.data()).expect("tls");
    let listener = kyso::bridge::server::bind("127.0.0.1:0".parse().expect("addr")).expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let serving = {
        let (b, s) = (bridge.clone(), stop.clone());
        std::thread::spawn(move || kyso::bridge::server::serve(b, tls, listener, s))
    };
    let ca = w.data().join("bridge/ca.pem");
    let local = format!("127.0.0.1:{port}");
    let origin = w.origin();

    let r = ws_call(&ca, port, "GetVersion", Some(&local), Some(&origin), "{}").expect("reply");
    assert_eq!(r["Status"], 0, "{r}");
    // The block names another person: the user says no → refused, no PIN asked.
    let r = ws_call(&ca, port, "SignApproved", Some(&local), Some(&origin), &sign_request(&w, "to-trinh.pdf")).expect("reply");
    assert_eq!(r["Status"], 1, "{r}");
    let msg = r["Message"].as_str().unwrap_or("");
    assert!(msg.contains("Nguyễn Văn An") && msg.contains("Trần Thị Bình") && !msg.contains("--allow"), "{msg}");
    assert!(user.confirmations.lock().expect("lock").is_empty(), "no PIN asked");
    // The user says yes: on to the PIN window, where they cancel → Status 11.
    user.allow_names.store(true, std::sync::atomic::Ordering::SeqCst);
    let r = ws_call(&ca, port, "SignApproved", Some(&local), Some(&origin), &sign_request(&w, "to-trinh.pdf")).expect("reply");
    assert_eq!(r["Status"], 11, "{r}");
    assert_eq!(user.names.lock().expect("lock").len(), 2);
    assert_eq!(*user.asked.lock().expect("lock"), std::slice::from_ref(&origin), "asked once, remembered");
    let remembered = std::fs::read_to_string(w.data().join("bridge/origins.json")).expect("origins.json");
    assert!(remembered.contains(&origin), "{remembered}");
    let seen = user.confirmations.lock().expect("lock").clone();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].origin, origin);
    assert_eq!(seen[0].endpoint, "SignApproved");
    assert_eq!(seen[0].file_name, "to-trinh.pdf");
    assert_eq!(seen[0].size, std::fs::metadata(w.docs.join("to-trinh.pdf")).expect("size").len());
    assert!(seen[0].action_vi.contains("Ký duyệt"));
    assert_eq!(uploaded_paths(&w.uploads_seen()).len(), 0, "nothing uploaded");
    // The document waits in the queue, pending.
    let docs = bridge.office().queue().list(None, None).expect("list");
    assert!(docs.iter().all(|d| d.status == kyso::queue::DocStatus::Pending), "{docs:?}");

    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    kyso::bridge::server::wake(format!("127.0.0.1:{port}").parse().expect("addr"));
    serving.join().expect("server stopped");
}
