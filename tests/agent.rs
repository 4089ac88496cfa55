//! The token agent as real processes: `kyso agent` over SoftHSM2 (the shared test bed,
//! or a private copy of its tokens when a test changes token state), spoken to through
//! `kyso::agent::AgentClient`; and fake agents (`sh`) that crash or hang.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use kyso::agent::{AgentClient, AgentError, Op, SecretPin};
use kyso::job::{JobRole, SignJob};
use kyso::token::PinTries;
use serde_json::Value;

const T: Duration = Duration::from_secs(30);

fn kyso_bin() -> &'static str {
    env!("CARGO_BIN_EXE_kyso")
}

/// `env SOFTHSM2_CONF=… kyso agent`: the real agent on the tokens of `conf`.
fn agent_args(tb: &Testbed, conf: &Path) -> Vec<OsString> {
    vec![
        format!("SOFTHSM2_CONF={}", conf.display()).into(),
        format!("KYSO_DATA_DIR={}", tb.dir.join("kyso-data").display()).into(),
        kyso_bin().into(),
        "agent".into(),
    ]
}

fn real_agent(tb: &Testbed, conf: &Path) -> AgentClient {
    AgentClient::spawn(Path::new("env"), &agent_args(tb, conf)).expect("spawn kyso agent")
}

fn shared_conf(tb: &Testbed) -> PathBuf {
    PathBuf::from(tb.var("SOFTHSM2_CONF"))
}

fn login(tb: &Testbed, a: &mut AgentClient, cert: &str, pin: &str) -> Result<Value, AgentError> {
    a.call(
        Op::Login {
            modules: vec![tb.module().into()],
            token_label: Some("KYSO-TEST".into()),
            cert_id_hex: Some(cert.into()),
            pin: SecretPin::new(pin.into()),
        },
        T,
    )
}

fn remote(e: AgentError) -> kyso::agent::AgentErrorBody {
    match e {
        AgentError::Remote(b) => b,
        other => panic!("expected a remote error, got {other:?}"),
    }
}

fn job(input: &Path, output: &Path) -> SignJob {
    SignJob {
        input: input.to_owned(),
        output: output.to_owned(),
        role: JobRole::Personal,
        reason: Some("Phê duyệt".into()),
        ..SignJob::default()
    }
}

fn sign(a: &mut AgentClient, session: u64, job: SignJob) -> Result<Value, AgentError> {
    a.call(Op::Sign { session, job }, T)
}

/// `kyso verify --trust root --crl … --offline FILE`: exit 0 (TOTAL_PASSED).
fn assert_verifies(tb: &Testbed, file: &Path, crl_dir: &Path) {
    if !crl_dir.join("inter.crl.pem").exists() {
        let st = Command::new("bash")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/attacks/make-crls.sh"))
            .arg(&tb.dir)
            .arg(crl_dir)
            .output()
            .expect("make-crls.sh");
        assert!(st.status.success(), "make-crls.sh: {}", String::from_utf8_lossy(&st.stderr));
    }
    let root = tb.pki("root.pem");
    let inter_crl = crl_dir.join("inter.crl.pem");
    let root_crl = crl_dir.join("root.crl.pem");
    let cache = crl_dir.join("xdg");
    let o = kyso(
        tb,
        &[
            "verify",
            "--offline",
            "--trust",
            root.to_str().unwrap(),
            "--crl",
            inter_crl.to_str().unwrap(),
            "--crl",
            root_crl.to_str().unwrap(),
            file.to_str().unwrap(),
        ],
        &[("XDG_CACHE_HOME", cache.to_str().unwrap()), ("XDG_CONFIG_HOME", cache.to_str().unwrap())],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "kyso verify {}:\n{}{}",
        file.display(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn hello_and_tokens() {
    let tb = testbed();
    let mut a = real_agent(&tb, &shared_conf(&tb));
    let hello = a.hello(T).unwrap();
    assert_eq!(hello.version, kyso::agent::PROTOCOL_VERSION);
    // Typed answers: the inventory as the core made it, not JSON read with defaults.
    let inv = a.tokens(vec![tb.module().into()], T).unwrap();
    let labels: Vec<&str> = inv.tokens().map(|t| t.label.as_str()).collect();
    assert!(labels.contains(&"KYSO-TEST"), "{labels:?}");
    let t = inv.tokens().find(|t| t.label == "KYSO-TEST").unwrap();
    assert!(t.certificates.iter().all(|c| c.days_to_expiry > 0), "days to expiry read as sent");
    assert_eq!(a.call(Op::Shutdown, T).unwrap(), Value::Null);
}

#[test]
fn wrong_pin_is_pin_incorrect_with_tries() {
    let tb = testbed();
    let dir = tempfile::tempdir().unwrap();
    let conf = private_tokens(&tb, dir.path());
    let mut a = real_agent(&tb, &conf);
    let b = remote(login(&tb, &mut a, "01", "000000").unwrap_err());
    assert_eq!(b.kind, "pin_incorrect", "{b:?}");
    assert_eq!(b.pin_tries, Some(kyso::token::PinTries::Low), "{b:?}");
    assert!(b.vi.starts_with("Mã PIN không đúng"), "{b:?}");
    // Still not locked: the right PIN logs in.
    let ok = login(&tb, &mut a, "01", &tb.var("KYSO_TEST_PIN")).unwrap();
    assert!(ok["session"].as_u64().is_some(), "{ok}");
}

/// A wrong PIN never signs, whatever else is logged in. While a clerk's batch holds
/// a session on the token in one agent, a second `login` to that agent is checked by
/// the token (in a helper process of its own): a wrong or empty PIN is refused with
/// the tries left and opens nothing; the right one opens a session that signs beside
/// the batch, which goes on.
#[test]
fn a_wrong_pin_never_signs_while_a_batch_session_is_held() {
    let tb = testbed();
    let dir = tempfile::tempdir().unwrap();
    let conf = private_tokens(&tb, dir.path());
    let pin = tb.var("KYSO_TEST_PIN");
    let mut agent = real_agent(&tb, &conf);
    let held = login(&tb, &mut agent, "04", &pin).unwrap()["session"].as_u64().unwrap();

    let b = remote(login(&tb, &mut agent, "01", "000000").unwrap_err());
    assert_eq!((b.kind.as_str(), b.pin_tries), ("pin_incorrect", Some(PinTries::Low)), "{b:?}");
    let b = remote(login(&tb, &mut agent, "01", "").unwrap_err());
    assert!(b.kind.starts_with("pin_"), "an empty PIN is refused too: {b:?}");
    // Nothing was opened by the refused logins; the held session still signs.
    let out = dir.path().join("wrong.signed.pdf");
    let b = remote(sign(&mut agent, held.wrapping_add(1), job(&tb.draft("draft-lo.pdf"), &out)).unwrap_err());
    assert_eq!(b.kind, "session_lost", "{b:?}");
    assert!(!out.exists(), "nothing signed");
    let sealed = dir.path().join("batch.signed.pdf");
    // The agency certificate (04) may not sign draft-lo's KT. block (the right
    // signer for the block): the held session signs the director's draft, confirmed.
    sign(&mut agent, held, SignJob { allow_name_mismatch: true, ..job(&tb.draft("draft-director.pdf"), &sealed) }).unwrap();

    // The right PIN: a second session, checked by the token, signing beside the batch.
    let second = login(&tb, &mut agent, "01", &pin).unwrap();
    assert_eq!(second["signer"]["certIdHex"], "01", "{second}");
    let s2 = second["session"].as_u64().unwrap();
    let signed = dir.path().join("leader.signed.pdf");
    sign(&mut agent, s2, job(&tb.draft("draft-lo.pdf"), &signed)).unwrap();
    sign(
        &mut agent,
        held,
        SignJob { allow_name_mismatch: true, ..job(&tb.draft("draft-director.pdf"), &dir.path().join("batch2.signed.pdf")) },
    )
    .unwrap();
    assert!(sealed.is_file() && signed.is_file());
    assert_eq!(agent.call(Op::Logout { session: s2 }, T).unwrap()["loggedOut"], true);
    let b = remote(sign(&mut agent, s2, job(&tb.draft("draft-lo.pdf"), &dir.path().join("x.pdf"))).unwrap_err());
    assert_eq!(b.kind, "session_lost");
}

#[test]
fn one_login_signs_two_drafts_and_a_bad_pdf_costs_nothing() {
    let tb = testbed();
    let dir = tempfile::tempdir().unwrap();
    let mut a = real_agent(&tb, &shared_conf(&tb));
    let started = Instant::now();
    let login = login(&tb, &mut a, "01", &tb.var("KYSO_TEST_PIN")).unwrap();
    let session = login["session"].as_u64().expect("session");
    assert_eq!(login["signer"]["role"], "personal", "{login}");
    assert_eq!(login["signer"]["certIdHex"], "01", "{login}");

    // A bad PDF is refused by the check, before the token is used.
    let pin_before = a.call(Op::Tokens { modules: vec![tb.module().into()] }, T).unwrap()["modules"][0]["tokens"][0]["pin"].clone();
    let junk = dir.path().join("junk.pdf");
    std::fs::write(&junk, b"this is not a PDF at all\n").unwrap();
    let junk_out = dir.path().join("junk.signed.pdf");
    let b = remote(sign(&mut a, session, job(&junk, &junk_out)).unwrap_err());
    assert_eq!(b.kind, "bad_pdf", "{b:?}");
    assert!(!junk_out.exists());
    let pin_after = a.call(Op::Tokens { modules: vec![tb.module().into()] }, T).unwrap()["modules"][0]["tokens"][0]["pin"].clone();
    assert_eq!(pin_before, pin_after);

    let mut outs = Vec::new();
    for draft in ["draft-lo.pdf", "draft-pdf14.pdf"] {
        let input = tb.draft(draft);
        let before = sha256_file(&input);
        let out = dir.path().join(draft.replace(".pdf", ".signed.pdf"));
        let done = sign(&mut a, session, job(&input, &out)).unwrap();
        assert_eq!(done["outcome"]["output"], out.display().to_string(), "{done}");
        assert!(done["placement"]["template"].is_string(), "{done}");
        assert_eq!(before, sha256_file(&input), "the input changed");
        outs.push(out);
    }
    // An existing output is refused (no --force), as a typed kind.
    let b = remote(sign(&mut a, session, job(&tb.draft("draft-lo.pdf"), &outs[0])).unwrap_err());
    assert_eq!(b.kind, "output_exists", "{b:?}");
    assert_eq!(a.call(Op::Logout { session }, T).unwrap()["loggedOut"], true);
    let b = remote(sign(&mut a, session, job(&tb.draft("draft-lo.pdf"), &dir.path().join("x.pdf"))).unwrap_err());
    assert_eq!(b.kind, "session_lost", "{b:?}");
    eprintln!("agent part: {:?}", started.elapsed());

    let crl_dir = dir.path().join("crl");
    for out in &outs {
        assert_verifies(&tb, out, &crl_dir);
    }
    validate(&tb, &outs[1], Some(&tb.draft("draft-pdf14.pdf")), Some(1));
}

#[test]
fn change_pin_then_log_in_with_the_new_one() {
    let tb = testbed();
    let dir = tempfile::tempdir().unwrap();
    let conf = private_tokens(&tb, dir.path());
    let mut a = real_agent(&tb, &conf);
    let change = |old: &str, new: &str| Op::ChangePin {
        modules: vec![tb.module().into()],
        token_label: Some("KYSO-TEST".into()),
        old_pin: SecretPin::new(old.into()),
        new_pin: SecretPin::new(new.into()),
    };
    let b = remote(a.call(change("000000", "654321"), T).unwrap_err());
    assert_eq!(b.kind, "pin_incorrect", "{b:?}");
    assert!(matches!(b.pin_tries, Some(PinTries::Unknown | PinTries::Low | PinTries::FinalTry)), "{b:?}");
    assert_eq!(a.call(change(&tb.var("KYSO_TEST_PIN"), "654321"), T).unwrap(), Value::Null);
    assert_eq!(remote(login(&tb, &mut a, "01", &tb.var("KYSO_TEST_PIN")).unwrap_err()).kind, "pin_incorrect");
    let ok = login(&tb, &mut a, "01", "654321").unwrap();
    assert!(ok["session"].as_u64().is_some(), "{ok}");
}

#[test]
fn unblock_pin_with_the_so_pin_then_log_in_with_the_new_one() {
    let tb = testbed();
    let dir = tempfile::tempdir().unwrap();
    let conf = private_tokens(&tb, dir.path());
    let mut a = real_agent(&tb, &conf);
    let unblock = |so: &str, new: &str| Op::UnblockPin {
        modules: vec![tb.module().into()],
        token_label: Some("KYSO-TEST".into()),
        so_pin: SecretPin::new(so.into()),
        new_pin: SecretPin::new(new.into()),
    };
    // A wrong unblock code: `so_pin_incorrect` with the unblock code's tries, never the code.
    let b = remote(a.call(unblock("00000000", "246810"), T).unwrap_err());
    assert_eq!(b.kind, "so_pin_incorrect", "{b:?}");
    assert!(b.pin_tries.is_some(), "{b:?}");
    assert!(!format!("{b:?}").contains("00000000"), "{b:?}");
    let before: kyso::token::TokenIdentity =
        serde_json::from_value(a.call(unblock(&tb.var("KYSO_TEST_SO_PIN"), "246810"), T).unwrap()).unwrap();
    assert_eq!(before.label, "KYSO-TEST");
    assert!(!before.serial.is_empty());
    assert_eq!(remote(login(&tb, &mut a, "01", &tb.var("KYSO_TEST_PIN")).unwrap_err()).kind, "pin_incorrect");
    let ok = login(&tb, &mut a, "01", "246810").unwrap();
    assert!(ok["session"].as_u64().is_some(), "{ok}");
}

#[test]
fn import_cert_pairs_the_renewed_certificate_and_refuses_a_stranger() {
    let tb = testbed();
    let dir = tempfile::tempdir().unwrap();
    let conf = private_tokens(&tb, dir.path());
    let mut a = real_agent(&tb, &conf);
    let pki = tb.dir.join("pki");
    let req = |file: &str| kyso::agent::ImportCert {
        modules: vec![tb.module().into()],
        token_label: Some("KYSO-TEST".into()),
        file: pki.join(file),
        trust: vec![pki.join("root.pem")],
        remove_old: false,
    };
    let pin = || SecretPin::new(tb.var("KYSO_TEST_PIN"));
    let b = remote(a.import_cert(req("stranger-rsa2048.pem"), pin(), T).unwrap_err());
    assert_ne!(b.kind, "internal", "{b:?}");
    assert!(b.vi.contains("khóa") || b.en.contains("key"), "{b:?}");
    let r = a.import_cert(req("personal-rsa2048-renewed.p7b"), pin(), T).unwrap();
    assert_eq!((r.id.as_str(), r.written), ("01", true), "{r:?}");
    let inv = a.tokens(vec![tb.module().into()], T).unwrap();
    let tok = inv.tokens().find(|t| t.label == "KYSO-TEST").unwrap();
    let paired = tok.certificates.iter().filter(|c| c.id == "01").count();
    assert_eq!(paired, 2, "the renewed certificate is paired with key 01");
}

#[test]
fn a_block_naming_someone_else_is_refused_with_both_names() {
    let tb = testbed();
    let mut a = real_agent(&tb, &shared_conf(&tb));
    let s = login(&tb, &mut a, "02", &tb.var("KYSO_TEST_PIN")).unwrap()["session"].as_u64().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("lo.signed.pdf");
    // draft-lo.pdf ends with KT. CHỦ TỊCH / PHÓ CHỦ TỊCH / Nguyễn Văn An; key 02 is Trần Thị Bình's.
    let b = remote(sign(&mut a, s, job(&tb.draft("draft-lo.pdf"), &out)).unwrap_err());
    assert_eq!(b.kind, "name_mismatch", "{b:?}");
    let names = b.name_conflict.expect("both names");
    assert_eq!(
        (names.block_name.as_str(), names.holder.as_str(), names.delegation.as_deref()),
        ("Nguyễn Văn An", "Trần Thị Bình", Some("KT."))
    );
    assert!(!out.exists());
    let v = sign(&mut a, s, SignJob { allow_name_mismatch: true, ..job(&tb.draft("draft-lo.pdf"), &out) }).unwrap();
    assert!(v["outcome"].is_object(), "{v}");
    assert!(out.exists());
}

#[test]
fn a_crashing_agent_is_crashed_and_the_next_call_respawns() {
    let mut a = AgentClient::spawn(Path::new("sh"), &["-c".into(), "read l; kill -9 $$".into()]).unwrap();
    let e = a.call(Op::Hello, T).unwrap_err();
    match &e {
        AgentError::Crashed { status } => {
            use std::os::unix::process::ExitStatusExt;
            assert_eq!(status.and_then(|s| s.signal()), Some(9), "{e:?}");
        }
        other => panic!("expected Crashed, got {other:?}"),
    }
    assert_eq!(e.body().kind, "agent_crashed");
    assert!(e.body().vi.contains("Trình điều khiển"), "{:?}", e.body());

    // A real agent that dies under a session: the call fails, the next one starts a
    // new agent, where the old session is `session_lost`.
    let tb = testbed();
    let mut a = real_agent(&tb, &shared_conf(&tb));
    let session = login(&tb, &mut a, "01", &tb.var("KYSO_TEST_PIN")).unwrap()["session"].as_u64().unwrap();
    let pid = a.pid().unwrap();
    assert!(Command::new("kill").arg("-9").arg(pid.to_string()).status().unwrap().success());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("a.pdf");
    let e = sign(&mut a, session, job(&tb.draft("draft-lo.pdf"), &out)).unwrap_err();
    assert!(matches!(e, AgentError::Crashed { .. }), "{e:?}");
    let b = remote(sign(&mut a, session, job(&tb.draft("draft-lo.pdf"), &out)).unwrap_err());
    assert_eq!(b.kind, "session_lost");
    assert_ne!(a.pid(), Some(pid));
    assert!(!out.exists());
    let session = login(&tb, &mut a, "01", &tb.var("KYSO_TEST_PIN")).unwrap()["session"].as_u64().unwrap();
    sign(&mut a, session, job(&tb.draft("draft-lo.pdf"), &out)).unwrap();
    assert!(out.exists());
}

#[test]
fn a_hanging_agent_times_out_then_a_respawned_real_agent_works() {
    let tb = testbed();
    let dir = tempfile::tempdir().unwrap();
    let mark = dir.path().join("hung-once");
    // First start: hang without reading; later starts: the real agent.
    let script = format!("if [ ! -e '{}' ]; then touch '{}'; exec sleep 60; fi; exec env \"$@\"", mark.display(), mark.display());
    let mut args: Vec<OsString> = vec!["-c".into(), script.into(), "sh".into()];
    args.extend(agent_args(&tb, &shared_conf(&tb)));
    let mut a = AgentClient::spawn(Path::new("sh"), &args).unwrap();
    let started = Instant::now();
    let e = a.call(Op::Hello, Duration::from_secs(2)).unwrap_err();
    let took = started.elapsed();
    assert!(matches!(e, AgentError::TimedOut { .. }), "{e:?}");
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert_eq!(e.body().kind, "agent_timeout");
    assert!(a.pid().is_none());
    let hello = a.hello(T).unwrap();
    assert_eq!(hello.version, kyso::agent::PROTOCOL_VERSION);
}

#[test]
fn a_malformed_line_gets_an_error_and_the_agent_keeps_serving() {
    let tb = testbed();
    let mut child = Command::new(kyso_bin())
        .arg("agent")
        .env("SOFTHSM2_CONF", tb.var("SOFTHSM2_CONF"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    stdin.write_all(b"{\"id\": 7, \"op\": \"hello\"\n").unwrap();
    stdin.write_all(b"{\"id\": 8, \"op\": \"teleport\"}\n").unwrap();
    stdin.write_all(b"{\"id\": 9, \"op\": \"hello\"}\n").unwrap();
    stdin.flush().unwrap();
    let r1: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    let r2: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    let r3: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    assert_eq!((r1["ok"].as_bool(), r1["error"]["kind"].as_str()), (Some(false), Some("bad_request")), "{r1}");
    assert_eq!((r2["id"].as_u64(), r2["error"]["kind"].as_str()), (Some(8), Some("bad_request")), "{r2}");
    assert_eq!((r3["id"].as_u64(), r3["ok"].as_bool()), (Some(9), Some(true)), "{r3}");
    drop(stdin);
    let st = child.wait().unwrap();
    assert!(st.success(), "{st:?}");
}

#[test]
fn preview_places_the_stamp_with_the_signers_certificate() {
    use der::Decode;
    let tb = testbed();
    let mut j = job(&tb.draft("draft-lo.pdf"), Path::new("/nonexistent/out.pdf"));
    j.role = JobRole::Copy;
    let cert = x509_cert::Certificate::from_der(&std::fs::read(tb.pki("agency-rsa2048.der")).unwrap()).unwrap();
    let p = kyso::job::preview(&j, &cert).unwrap();
    let v = serde_json::to_value(&p).unwrap();
    // Flat JSON: the placement's fields next to the page size (what the desktop page reads).
    assert_eq!(v["page"], 1, "{v}");
    assert_eq!(v["template"], "copy", "{v}");
    assert!(v["pageSizeMm"].is_array(), "{v}");
    let bx = v["boxMm"].as_array().expect("boxMm");
    let [w, h] = p.page_size_mm;
    assert!((w - 210.0).abs() < 1.0 && (h - 297.0).abs() < 1.0, "{w}x{h}");
    // Top right of page 1 (R3).
    assert!(bx[0].as_f64().unwrap() > w / 2.0 && bx[1].as_f64().unwrap() < 50.0, "{v}");
}
