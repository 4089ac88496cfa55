//! Shared helpers for integration tests: the SoftHSM2 test bed made by
//! `tests/fixtures/make-testbed.sh`, running the `kyso` binary, and the outside
//! judges (`tests/fixtures/validate.sh`: pyHanko, pdfsig, qpdf, prefix check).
#![allow(dead_code)]

pub mod trust;
pub mod wine;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The test bed: paths and environment from `testbed.env`.
pub struct Testbed {
    pub dir: PathBuf,
    pub env: HashMap<String, String>,
}

impl Testbed {
    pub fn var(&self, k: &str) -> String {
        self.env.get(k).cloned().unwrap_or_else(|| panic!("testbed.env lacks {k}"))
    }
    pub fn draft(&self, name: &str) -> PathBuf {
        self.dir.join("drafts").join(name)
    }
    pub fn pki(&self, name: &str) -> PathBuf {
        self.dir.join("pki").join(name)
    }
    pub fn module(&self) -> String {
        self.var("KYSO_TEST_MODULE")
    }
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Build (once; the script is idempotent and locked) and load the test bed.
pub fn testbed() -> Testbed {
    let dir = std::env::var_os("KYSO_TESTBED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("kyso-testbed"));
    let script = repo().join("tests/fixtures/make-testbed.sh");
    let st = Command::new("bash").arg(&script).arg(&dir).status().expect("run make-testbed.sh");
    assert!(st.success(), "make-testbed.sh failed; see {}/build.log", dir.display());
    let text = std::fs::read_to_string(dir.join("testbed.env")).expect("testbed.env");
    let mut env = HashMap::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("export ") {
            if let Some((k, v)) = rest.split_once('=') {
                env.insert(k.to_owned(), v.trim_matches('\'').to_owned());
            }
        }
    }
    let mut tb = Testbed { dir, env };
    let conf = process_tokens(&tb);
    tb.env.insert("SOFTHSM2_CONF".into(), conf.display().to_string());
    tb
}

/// This test process's own copy of the test bed's tokens (made once per process), so
/// that `SOFTHSM2_CONF` of [`testbed`] is never shared between test processes: SoftHSM2
/// rewrites a token's file on every login (its PIN-count flags), and another process
/// listing the slots meanwhile reads a half-written file and does not see the token
/// ("No token is labelled KYSO-TEST"). Copies left by processes that have ended are
/// removed here.
fn process_tokens(tb: &Testbed) -> PathBuf {
    static CONF: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    CONF.get_or_init(|| {
        let root = tb.dir.join("per-process");
        if let Ok(entries) = std::fs::read_dir(&root) {
            for e in entries.flatten() {
                let alive = e
                    .file_name()
                    .to_str()
                    .and_then(|n| n.parse::<u32>().ok())
                    .is_some_and(|pid| Path::new(&format!("/proc/{pid}")).exists());
                if !alive {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
        let mine = root.join(std::process::id().to_string());
        let _ = std::fs::remove_dir_all(&mine);
        std::fs::create_dir_all(&mine).expect("per-process token folder");
        private_tokens(tb, &mine)
    })
    .clone()
}

/// A private copy of the test bed's tokens (for tests that change token state),
/// returning the path of its softhsm2.conf.
pub fn private_tokens(tb: &Testbed, into: &Path) -> PathBuf {
    let tokens = into.join("tokens");
    let st = Command::new("cp").arg("-a").arg(tb.dir.join("tokens")).arg(&tokens).status().expect("cp");
    assert!(st.success());
    let conf = into.join("softhsm2.conf");
    std::fs::write(
        &conf,
        format!("directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n", tokens.display()),
    )
    .expect("write conf");
    conf
}

/// Run `kyso` with `args`, the test bed's SoftHSM2 config, and extra env.
pub fn kyso(tb: &Testbed, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kyso"));
    with_testbed_env(&mut cmd, tb, args, env).output().expect("run kyso")
}

/// `args`, the test bed's SoftHSM2 config and data folder, no `KYSO_PIN`, then `env`.
fn with_testbed_env<'c>(cmd: &'c mut Command, tb: &Testbed, args: &[&str], env: &[(&str, &str)]) -> &'c mut Command {
    cmd.args(args).env("SOFTHSM2_CONF", tb.var("SOFTHSM2_CONF")).env_remove("KYSO_PIN");
    cmd.env("KYSO_DATA_DIR", tb.dir.join("kyso-data"));
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// `kyso` as [`kyso`] does, but with the clock of the process set (libfaketime) to
/// an hour before `cert_pem` expires — or halfway through its validity if shorter:
/// how a test makes a document signed by a now-expired certificate, since
/// `kyso sign` refuses a certificate that is not valid now (Circular 15/2025 §2.2).
pub fn kyso_while_valid(tb: &Testbed, cert_pem: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    use der::DecodePem;
    let pem = std::fs::read(cert_pem).expect("certificate");
    let cert = x509_cert::Certificate::from_pem(&pem).expect("PEM certificate");
    let v = &cert.tbs_certificate.validity;
    let (from, to) = (v.not_before.to_unix_duration().as_secs(), v.not_after.to_unix_duration().as_secs());
    let at = if to.saturating_sub(3600) > from { to - 3600 } else { from + (to - from) / 2 };
    let when = time::OffsetDateTime::from_unix_timestamp(i64::try_from(at).expect("time")).expect("time");
    let text = when.format(&time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]")).expect("format");
    assert!(tool_present("faketime", Command::new("faketime").arg("--version").output().is_ok()), "faketime");
    let mut cmd = Command::new("faketime");
    cmd.arg(text).arg(env!("CARGO_BIN_EXE_kyso")).env("TZ", "UTC");
    with_testbed_env(&mut cmd, tb, args, env).output().expect("run faketime kyso")
}

/// Whether a test may go on: `true` when its tool (`what`) is `present`. A missing
/// tool fails the test — a test that skips did not run — unless the explicit opt-out
/// `KYSO_ALLOW_MISSING_TOOLS=1` is set (CI never sets it); then it prints why and the
/// caller skips.
pub fn tool_present(what: &str, present: bool) -> bool {
    if present {
        return true;
    }
    if std::env::var_os("KYSO_ALLOW_MISSING_TOOLS").is_some_and(|v| v == "1") {
        println!("SKIPPED (KYSO_ALLOW_MISSING_TOOLS=1): {what} is missing");
        return false;
    }
    panic!("{what} is missing: run scripts/setup-test-deps.sh (or set KYSO_ALLOW_MISSING_TOOLS=1 to skip this test knowingly)");
}

/// Run the outside judges on `signed`; panics with their report on failure.
pub fn validate(tb: &Testbed, signed: &Path, input: Option<&Path>, expected: Option<usize>) {
    let mut cmd = Command::new("bash");
    cmd.arg(repo().join("tests/fixtures/validate.sh")).arg(&tb.dir).arg(signed);
    if let Some(i) = input {
        cmd.arg(i);
    }
    if let Some(n) = expected {
        if input.is_none() {
            cmd.arg("");
        }
        cmd.arg(n.to_string());
    }
    let out = cmd.output().expect("run validate.sh");
    let report = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    println!("validate {}:\n{report}", signed.display());
    assert!(out.status.success(), "outside judges rejected {}:\n{report}", signed.display());
}

/// SHA-256 of a file, hex.
pub fn sha256_file(p: &Path) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(std::fs::read(p).expect("read")))
}

/// Assert a command failed with exactly one non-empty line on stderr; return it.
pub fn one_error_line(out: &Output) -> String {
    assert!(!out.status.success(), "expected failure, got success: {}", String::from_utf8_lossy(&out.stdout));
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "expected one line on stderr, got: {err:?}");
    lines[0].to_owned()
}
