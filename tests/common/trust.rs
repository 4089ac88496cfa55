//! The time and trust test PKI (`tests/fixtures/trust/make-pki.sh`: a root, an
//! issuing CA, leaves valid now / 2023–2030 (revoked now) / 2023–2025 (expired), a
//! TSA, a fake TSA, an OCSP responder), built once for all test processes under
//! `CARGO_TARGET_TMPDIR` behind a file lock; its HTTP side (`tsa-server.py`: CRLs
//! issued on request and `openssl ts -reply`, also "as of 2024-06-01" through
//! faketime) and `openssl ocsp` run on 127.0.0.1 only while a test holds the server
//! lock ([`Servers::start`]). Helpers to sign with pyHanko, attack, verify.
#![allow(dead_code)]

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use serde_json::Value;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

pub fn run_ok(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("spawn");
    assert!(out.status.success(), "{cmd:?} failed:\n{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    out
}

pub struct Pki {
    pub dir: PathBuf,
    pub http: u16,
    pub ocsp: u16,
}

/// The shared PKI: rebuilt when older than an hour (its current CRLs last a week,
/// its "now" certificates start a day back) or older than its scripts.
pub fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
        let dir = base.join("kyso-trust-pki");
        let lock = File::create(base.join("kyso-trust-pki.lock")).expect("lock file");
        lock.lock().expect("lock");
        let marker = dir.join(".complete");
        let scripts = ["make-pki.sh", "tsa-server.py"].map(|f| repo().join("tests/fixtures/trust").join(f));
        let newest_script = scripts.iter().filter_map(|p| p.metadata().and_then(|m| m.modified()).ok()).max();
        let fresh = marker.metadata().and_then(|m| m.modified()).is_ok_and(|t| {
            SystemTime::now().duration_since(t).is_ok_and(|age| age < Duration::from_secs(3600)) && newest_script.is_none_or(|n| n <= t)
        });
        if !fresh {
            let (http, ocsp) = (free_port(), free_port());
            run_ok(Command::new("bash").arg(&scripts[0]).arg(&dir).arg(http.to_string()).arg(ocsp.to_string()));
            std::fs::write(dir.join("ports"), format!("{http} {ocsp}")).expect("ports");
            File::create(&marker).expect("marker");
        }
        let ports = std::fs::read_to_string(dir.join("ports")).expect("ports");
        let mut it = ports.split_whitespace().map(|p| p.parse::<u16>().expect("port"));
        let (http, ocsp) = (it.next().expect("http port"), it.next().expect("ocsp port"));
        drop(lock);
        Pki { dir, http, ocsp }
    })
}

pub fn pki_file(name: &str) -> PathBuf {
    pki().dir.join(name)
}

/// The test PKI's servers, for one test at a time (the ports are in the certificates).
pub struct Servers {
    children: Vec<Child>,
    _lock: File,
}

impl Servers {
    /// The CRL + TSA server on the PKI's HTTP port and the OCSP responder.
    pub fn start() -> Servers {
        Servers::start_with(true, true)
    }

    /// `http`: the CRL + TSA server on the PKI's HTTP port (the one its certificates
    /// name); `ocsp`: the OCSP responder. Either may be left down.
    pub fn start_with(http: bool, ocsp: bool) -> Servers {
        let p = pki();
        let lock = File::create(PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("kyso-trust-servers.lock")).expect("lock");
        lock.lock().expect("server lock");
        let mut servers = Servers { children: Vec::new(), _lock: lock };
        if http {
            servers.http_server(p.http);
        }
        if ocsp {
            // Each server leads its own process group (with `timeout` as a safety net
            // if this process dies), so that dropping the guard stops all of it.
            let mut child = Command::new("timeout")
                .args(["300", "openssl", "ocsp", "-index", "inter/index.txt", "-port"])
                .arg(p.ocsp.to_string())
                .args(["-rsigner", "ocsp.pem", "-rkey", "ocsp.key", "-CA", "inter.pem", "-nmin", "10", "-ignore_err"])
                .current_dir(&p.dir)
                .process_group(0)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("openssl ocsp");
            let pipe = child.stderr.take().expect("stderr");
            servers.children.push(child);
            wait_for(Box::new(pipe), "waiting for OCSP client connections");
        }
        servers
    }

    /// `tsa-server.py` on `port` (a port no certificate names: a TSA reachable
    /// while the CRL distribution points are not).
    pub fn http_server(&mut self, port: u16) {
        let mut child = Command::new("timeout")
            .args(["300", "python3"])
            .process_group(0)
            .arg(repo().join("tests/fixtures/trust/tsa-server.py"))
            .arg(port.to_string())
            .arg(&pki().dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("tsa-server.py");
        let pipe = child.stdout.take().expect("stdout");
        self.children.push(child);
        wait_for(Box::new(pipe), "listening");
    }
}

fn wait_for(pipe: Box<dyn std::io::Read + Send>, needle: &str) {
    let needle = needle.to_owned();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            if line.contains(&needle) {
                let _ = tx.send(());
            }
        }
    });
    rx.recv_timeout(Duration::from_secs(20)).expect("server ready");
}

impl Drop for Servers {
    fn drop(&mut self) {
        for c in &mut self.children {
            let _ = Command::new("kill").args(["-KILL", "--", &format!("-{}", c.id())]).status();
            let _ = c.wait();
        }
    }
}

pub fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("verify-trust");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let p = dir.join(name);
    let _ = std::fs::remove_file(&p);
    p
}

pub fn draft() -> PathBuf {
    static TB: OnceLock<super::Testbed> = OnceLock::new();
    TB.get_or_init(super::testbed).draft("draft-lo.pdf")
}

/// `pyhanko-attack.py ARGS…` in the PKI folder.
pub fn attacker(args: &[&str]) {
    run_ok(Command::new("python3").arg(repo().join("tests/fixtures/trust/pyhanko-attack.py")).args(args).current_dir(&pki().dir));
}

/// A pyHanko signature on `input` by the PKI leaf `who`, with extra options.
pub fn pyhanko_sign(input: &Path, out: &Path, who: &str, extra: &[&str]) {
    let (key, cert) = (format!("{who}.key"), format!("{who}.pem"));
    let mut args = vec!["sign", input.to_str().expect("utf-8"), out.to_str().expect("utf-8"), &key, &cert, "chain.pem"];
    args.extend_from_slice(extra);
    attacker(&args);
}

/// `make-attacks.py KIND IN OUT`.
pub fn make_attack(kind: &str, input: &Path, out: &Path) {
    run_ok(Command::new("python3").arg(repo().join("tests/fixtures/attacks/make-attacks.py")).arg(kind).arg(input).arg(out));
}

pub fn kyso(args: &[String]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kyso")).args(args).env_remove("KYSO_PIN").output().expect("run kyso")
}

/// `kyso verify --json --offline --trust root.pem EXTRA… FILE`: (exit code, the file's report).
pub fn verify(file: &Path, extra: &[&Path]) -> (i32, Value) {
    let mut args = vec!["verify".into(), "--json".into(), "--offline".into(), "--trust".into(), s(&pki_file("root.pem"))];
    for e in extra {
        args.push("--crl".into());
        args.push(s(e));
    }
    args.push(s(file));
    let out = kyso(&args);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("json: {e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap_or(-1), v["files"][0].clone())
}

pub fn current_crls() -> [PathBuf; 2] {
    [pki_file("inter.crl.pem"), pki_file("root.crl.pem")]
}

pub fn brief(d: &Value) -> String {
    format!("{} {} — {}", d["indication"], d["subIndication"], d["messageEn"])
}

/// pyHanko's verdict: (judged VALID, its output).
pub fn pyhanko_validate(file: &Path, extra: &[&str]) -> (bool, String) {
    let out = Command::new("pyhanko")
        .args(["sign", "validate", "--trust"])
        .arg(pki_file("root.pem"))
        .args(["--trust-replace", "--pretty-print"])
        .args(extra)
        .arg(file)
        .output()
        .expect("run pyhanko");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success() && text.contains("The signature is judged VALID"), text)
}
