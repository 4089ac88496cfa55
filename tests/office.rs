//! The desktop app's document flow without the window (`kyso::office`): a real
//! SoftHSM2 token reached through a real `kyso agent` process, a real SQLite queue,
//! real files. Covers the leader's signature, the clerk's numbered seal batch
//! (one PIN, R9 refusal, cancel, a helper process dying mid-batch), release,
//! the inbox (verdict, register, reject with notice) and the archive search.

mod common;

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use common::{testbed, Testbed};
use kyso::agent::protocol::SecretPin;
use kyso::office::{
    AgentCommand, BatchItem, BatchProgress, BatchState, FixedPin, Office, OfficeConfig, PinPrompt, SignDocument, SignSummary, TokenChoice,
};
use kyso::queue::{DocRole, DocStatus, SearchQuery};
use kyso::verify::verdict::Indication;

const PERSONAL: &str = "01";
const AGENCY: &str = "04";

/// CRLs for the test PKI (so verdicts can be TOTAL_PASSED offline), made in `into`
/// (each test its own: tests run in parallel processes).
fn crls(tb: &Testbed, into: &Path) -> Vec<PathBuf> {
    let dir = into.join("crls");
    {
        let st = std::process::Command::new("bash")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/attacks/make-crls.sh"))
            .arg(&tb.dir)
            .arg(&dir)
            .status()
            .expect("make-crls.sh");
        assert!(st.success());
    }
    vec![dir.join("inter.crl.pem"), dir.join("root.crl.pem")]
}

/// The agent as the desktop starts it, with the token configuration `conf`;
/// `wrapper` puts a program in front of it (to make it die mid-batch).
fn agent(conf: &Path, wrapper: Option<&Path>) -> AgentCommand {
    let mut args: Vec<OsString> = vec![format!("SOFTHSM2_CONF={}", conf.display()).into()];
    if let Some(w) = wrapper {
        args.push("python3".into());
        args.push(w.into());
    }
    args.push(env!("CARGO_BIN_EXE_kyso").into());
    args.push("agent".into());
    AgentCommand { program: "/usr/bin/env".into(), args }
}

struct World {
    tb: Testbed,
    dir: tempfile::TempDir,
    office: Office,
}

fn world_with(wrapper: Option<&Path>, private: bool) -> World {
    let tb = testbed();
    let dir = tempfile::tempdir().expect("tmp");
    let conf = if private { common::private_tokens(&tb, dir.path()) } else { PathBuf::from(tb.var("SOFTHSM2_CONF")) };
    let config = OfficeConfig {
        data_dir: dir.path().join("data"),
        agent: agent(&conf, wrapper),
        modules: vec![PathBuf::from(tb.module())],
        trust: vec![tb.pki("root.pem")],
        crls: crls(&tb, dir.path()),
        offline: true,
    };
    let office = Office::open(config).expect("open office");
    World { tb, dir, office }
}

/// Every test works on its own copy of the token files: SoftHSM2 answers
/// CKR_GENERAL_ERROR now and then when several processes use one token folder.
fn world() -> World {
    world_with(None, true)
}

impl World {
    /// A copy of a test-bed draft under a Vietnamese name, in its own folder.
    fn draft(&self, name: &str) -> PathBuf {
        let folder = self.dir.path().join("docs");
        std::fs::create_dir_all(&folder).expect("mkdir");
        let p = folder.join(name);
        std::fs::copy(self.tb.draft("draft-lo.pdf"), &p).expect("copy draft");
        p
    }

    fn leader_signs(&self, name: &str) -> i64 {
        let p = self.draft(name);
        let doc = self.office.add_paths(&[p], DocRole::Sign).expect("add").remove(0);
        let kyso::office::SignedDocument { doc, report, .. } =
            self.office.sign_document(&SignDocument { id: doc.id, ..Default::default() }, &choice(PERSONAL), pin("123456")).expect("sign");
        assert_eq!(doc.status, DocStatus::Signed);
        assert_eq!(report.indication, Indication::TotalPassed, "{}", report.message_en);
        doc.id
    }
}

/// The PIN as the PIN window would give it, once.
fn pin(p: &str) -> &'static mut FixedPin {
    Box::leak(Box::new(FixedPin::new(SecretPin::new(p.into()))))
}

fn choice(id: &str) -> TokenChoice {
    TokenChoice { token_label: "KYSO-TEST".into(), cert_id_hex: id.into() }
}

/// The core's real batch answer (progress events and results) as the page gets it,
/// with what changes from run to run (paths, times, hashes) made constant, kept in
/// `ui/tests/fixtures/NAME.json` for the UI's tests (`KYSO_BLESS=1` rewrites it;
/// otherwise a stale fixture fails here, so the UI is always tested on what the
/// core sends).
fn ui_fixture(name: &str, dir: &Path, progress: &[BatchProgress], results: &[kyso::office::BatchResult]) {
    fn norm(v: &mut serde_json::Value, dir: &str) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, x) in m.iter_mut() {
                    match (k.as_str(), x.is_string()) {
                        ("createdAt" | "updatedAt", true) => *x = "2026-11-22T09:15:30+07:00".into(),
                        ("sha256", true) => *x = "0".repeat(64).into(),
                        _ => norm(x, dir),
                    }
                }
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(|x| norm(x, dir)),
            serde_json::Value::String(s) if s.contains(dir) => *s = s.replace(dir, "/home/vt"),
            _ => {}
        }
    }
    let mut v = serde_json::json!({ "progress": progress, "results": results });
    let canon = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_owned());
    norm(&mut v, &canon.to_string_lossy());
    norm(&mut v, &dir.to_string_lossy());
    let text = serde_json::to_string_pretty(&v).expect("json") + "\n";
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/tests/fixtures").join(format!("{name}.json"));
    if std::env::var_os("KYSO_BLESS").is_some_and(|b| b == "1") {
        std::fs::create_dir_all(path.parent().expect("dir")).expect("mkdir");
        std::fs::write(&path, &text).expect("write fixture");
    } else {
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert_eq!(committed, text, "{} is stale: run KYSO_BLESS=1 cargo nextest run -p kyso --test office and commit it", path.display());
    }
}

fn no_part_files(dir: &Path) {
    for e in std::fs::read_dir(dir).expect("read dir") {
        let name = e.expect("entry").file_name().to_string_lossy().into_owned();
        assert!(!name.ends_with(".part"), "temporary file left behind: {name}");
    }
}

#[test]
fn leader_signs_clerk_numbers_seals_and_releases() {
    let w = world();
    let input = w.draft("Quyết định 12.pdf");
    let before = common::sha256_file(&input);
    let doc = w.office.add_paths(std::slice::from_ref(&input), DocRole::Sign).expect("add").remove(0);
    assert_eq!(doc.status, DocStatus::Pending);

    let kyso::office::SignedDocument { doc: signed, report, .. } =
        w.office.sign_document(&SignDocument { id: doc.id, ..Default::default() }, &choice(PERSONAL), pin("123456")).expect("leader signs");
    assert_eq!(signed.status, DocStatus::Signed);
    assert!(signed.current_path.ends_with("Quyết định 12.signed.pdf"), "{}", signed.current_path);
    assert_eq!(report.indication, Indication::TotalPassed, "{}", report.message_en);
    assert_eq!(common::sha256_file(&input), before, "the draft is never modified");

    let today = kyso::time::now_vietnam().date().to_string();
    let mut events: Vec<BatchProgress> = Vec::new();
    let results = w
        .office
        .seal_batch(
            &[BatchItem { id: doc.id, doc_number: Some("12/QĐ-UBND".into()), doc_date: Some(today.clone()), ..Default::default() }],
            &choice(AGENCY),
            pin("123456"),
            &mut |p| events.push(p),
        )
        .expect("seal");
    assert!(results[0].ok(), "{:?}", results[0].error);
    assert_eq!(events.iter().map(|e| e.state).collect::<Vec<_>>(), vec![BatchState::Running, BatchState::Done]);
    let sealed = w.office.queue().get(doc.id).expect("get");
    assert_eq!(sealed.status, DocStatus::Sealed);
    assert_eq!(sealed.doc_number.as_deref(), Some("12/QĐ-UBND"));
    let sealed_path = PathBuf::from(&sealed.current_path);
    assert!(sealed.current_path.ends_with("Quyết định 12.sealed.pdf"), "{}", sealed.current_path);
    common::validate(&w.tb, &sealed_path, Some(Path::new(&signed.current_path)), Some(2));

    let released = w.office.release_document(doc.id).expect("release");
    assert_eq!(released.status, DocStatus::Released);
    let archived = PathBuf::from(released.archive_path.clone().expect("archived"));
    assert_eq!(common::sha256_file(&archived), common::sha256_file(&sealed_path), "archived in its original bytes");

    let history = w.office.queue().history(doc.id).expect("history");
    let actions: Vec<&str> = history.iter().map(|h| h.action.as_str()).collect();
    assert!(actions.contains(&"signed") && actions.contains(&"sealed"), "{actions:?}");
    let signed_entry = history.iter().find(|h| h.action == "signed").expect("signed entry");
    assert_eq!(signed_entry.sha256_before.as_deref(), Some(before.as_str()));
    assert!(signed_entry.actor.as_deref().is_some_and(|a| a.contains("Nguyễn Văn An")), "{:?}", signed_entry.actor);
    assert!(signed_entry.cert_serial.is_some());

    let found = w.office.queue().search(&SearchQuery { text: Some("12/QĐ".into()), from: None, to: None }).expect("search");
    assert!(found.iter().any(|d| d.id == doc.id));
    no_part_files(input.parent().expect("dir"));
}

#[test]
fn wrong_pin_signs_nothing_and_reports_tries() {
    let w = world();
    let input = w.draft("Công văn 7.pdf");
    let doc = w.office.add_paths(std::slice::from_ref(&input), DocRole::Sign).expect("add").remove(0);
    let err = w
        .office
        .sign_document(&SignDocument { id: doc.id, ..Default::default() }, &choice(PERSONAL), pin("000000"))
        .expect_err("wrong PIN");
    let body = kyso::agent::protocol::AgentErrorBody::from_error(&err);
    assert_eq!(body.kind, "pin_incorrect", "{body:?}");
    assert!(body.vi.contains("PIN"), "{}", body.vi);
    assert_eq!(w.office.queue().get(doc.id).expect("get").status, DocStatus::Pending);
    assert!(!input.with_file_name("Công văn 7.signed.pdf").exists());
    // The right PIN still works afterwards (the agent keeps serving).
    w.office
        .sign_document(&SignDocument { id: doc.id, ..Default::default() }, &choice(PERSONAL), pin("123456"))
        .expect("sign after a wrong PIN");
}

/// A wrong PIN never signs, whatever else is logged in: while the clerk's batch holds
/// the token (its own helper process), a leader's signature with a wrong PIN is
/// refused by the token with the tries left and signs nothing; the right PIN then
/// signs beside the batch, and the batch finishes.
#[test]
fn wrong_pin_during_a_held_batch_session_signs_nothing() {
    let w = world();
    let sealing: Vec<i64> = (1..=2).map(|n| w.leader_signs(&format!("Quyết định {n}.pdf"))).collect();
    let draft = w.draft("Công văn giữa lô.pdf");
    let other = w.office.add_paths(std::slice::from_ref(&draft), DocRole::Sign).expect("add").remove(0).id;
    let items: Vec<BatchItem> = sealing.iter().map(|&id| BatchItem { id, ..Default::default() }).collect();
    let office = &w.office;
    let mut during: Vec<Result<DocStatus, kyso::agent::AgentErrorBody>> = Vec::new();
    let results = office
        .seal_batch(&items, &choice(AGENCY), pin("123456"), &mut |p| {
            if p.state == BatchState::Running && p.index == 1 {
                for p in ["000000", "123456"] {
                    let r = office.sign_document(&SignDocument { id: other, ..Default::default() }, &choice(PERSONAL), pin(p));
                    during.push(r.map(|s| s.doc.status).map_err(|e| kyso::agent::AgentErrorBody::from_error(&e)));
                }
            }
        })
        .expect("batch");
    assert!(results.iter().all(|r| r.ok()), "{results:?}");
    let wrong = during[0].as_ref().expect_err("a wrong PIN must not sign");
    assert_eq!((wrong.kind.as_str(), wrong.pin_tries), ("pin_incorrect", Some(kyso::token::PinTries::Low)), "{wrong:?}");
    assert_eq!(during[1].as_ref().ok(), Some(&DocStatus::Signed), "the right PIN signs beside the batch: {:?}", during[1]);
    let history = office.queue().history(other).expect("history");
    assert_eq!(history.iter().filter(|h| h.action == "signed").count(), 1, "signed once, by the right PIN");
}

#[test]
fn batch_refuses_to_seal_over_an_invalid_signature_and_goes_on() {
    let w = world();
    let good = w.leader_signs("Tờ trình 1.pdf");
    let bad = w.leader_signs("Tờ trình 2.pdf");
    // Tamper with the leader-signed file on disk: one byte inside the signed range.
    let bad_path = PathBuf::from(w.office.queue().get(bad).expect("get").current_path);
    let mut bytes = std::fs::read(&bad_path).expect("read");
    let at = bytes.windows(6).position(|x| x == b"/Pages").expect("/Pages") + 1;
    bytes[at] = b'Q';
    std::fs::write(&bad_path, &bytes).expect("write");

    let items = [BatchItem { id: bad, ..Default::default() }, BatchItem { id: good, ..Default::default() }];
    let results = w.office.seal_batch(&items, &choice(AGENCY), pin("123456"), &mut |_| {}).expect("batch");
    assert!(!results[0].ok());
    let e = results[0].error.as_ref().expect("why");
    assert!(e.kind.contains("seal") || e.kind.contains("invalid"), "{e:?}");
    assert!(results[1].ok(), "{:?}", results[1].error);
    assert_eq!(w.office.queue().get(bad).expect("get").status, DocStatus::Signed, "refused document keeps its state");
    assert_eq!(w.office.queue().get(good).expect("get").status, DocStatus::Sealed);
}

#[test]
fn cancel_leaves_the_rest_pending() {
    let w = world();
    let ids: Vec<i64> = (1..=3).map(|n| w.leader_signs(&format!("Quyết định {n}.pdf"))).collect();
    let items: Vec<BatchItem> = ids.iter().map(|&id| BatchItem { id, ..Default::default() }).collect();
    let office = &w.office;
    let mut events = Vec::new();
    let results = office
        .seal_batch(&items, &choice(AGENCY), pin("123456"), &mut |p| {
            if p.state == BatchState::Done && p.index == 0 {
                office.cancel_batch();
            }
            events.push(p);
        })
        .expect("batch");
    ui_fixture("batch-cancelled", w.dir.path(), &events, &results);
    assert!(results[0].ok());
    assert_eq!((results[1].state, results[2].state), (BatchState::Pending, BatchState::Pending));
    let folder = w.dir.path().join("docs");
    for (n, &id) in ids.iter().enumerate().skip(1) {
        assert_eq!(office.queue().get(id).expect("get").status, DocStatus::Signed);
        assert!(!folder.join(format!("Quyết định {}.sealed.pdf", n + 1)).exists());
    }
    assert_eq!(office.queue().get(ids[0]).expect("get").status, DocStatus::Sealed);
}

/// A helper process that dies in the middle of a batch (a vendor driver crashing,
/// a token pulled out): the documents already sealed stay sealed, the rest stay
/// as they were, no partial file is left, and the window gets a message.
#[test]
fn helper_dying_mid_batch_leaves_the_rest_untouched() {
    let scratch = tempfile::tempdir().expect("tmp");
    let wrapper = scratch.path().join("die-on-third-sign.py");
    std::fs::write(
        &wrapper,
        r#"import os, subprocess, sys
child = subprocess.Popen(sys.argv[1:], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
signs = 0
for line in sys.stdin:
    if '"sign"' in line:
        signs += 1
        if signs == 3:
            child.kill()
            os._exit(9)
    child.stdin.write(line.encode()); child.stdin.flush()
    sys.stdout.write(child.stdout.readline().decode()); sys.stdout.flush()
"#,
    )
    .expect("write wrapper");
    let w = world_with(Some(&wrapper), true);
    // The leader signs through another office (unwrapped helper); the clerk's
    // office, whose helper dies, gets the signed files as documents to seal.
    let plain = world();
    let ids: Vec<i64> = (1..=4)
        .map(|n| {
            let id = plain.leader_signs(&format!("Văn bản {n}.pdf"));
            let path = PathBuf::from(plain.office.queue().get(id).expect("get").current_path);
            w.office.add_paths(&[path], DocRole::Seal).expect("add").remove(0).id
        })
        .collect();
    let items: Vec<BatchItem> = ids.iter().map(|&id| BatchItem { id, ..Default::default() }).collect();
    let mut events = Vec::new();
    let results = w.office.seal_batch(&items, &choice(AGENCY), pin("123456"), &mut |p| events.push(p)).expect("batch runs");
    assert!(results[0].ok() && results[1].ok(), "{results:?}");
    ui_fixture("batch-helper-died", plain.dir.path(), &events, &results);
    assert_eq!(results[2].state, BatchState::Failed, "the third fails when the helper dies");
    let kind = results[2].error.as_ref().map(|e| e.kind.clone()).unwrap_or_default();
    assert!(kind.contains("agent") || kind.contains("crash"), "{kind}");
    assert_eq!(results[3].state, BatchState::Pending, "the batch stops after the helper died: the rest is pending, not failed");
    for &id in &ids[2..] {
        let d = w.office.queue().get(id).expect("get");
        assert_eq!(d.status, DocStatus::Pending, "{}", d.file_name);
    }
    let folder = plain.dir.path().join("docs");
    no_part_files(&folder);
    for n in 3..=4 {
        assert!(!folder.join(format!("Văn bản {n}.sealed.pdf")).exists());
    }
    // The next call starts a new helper.
    assert!(!w.office.list_tokens().expect("tokens after a crash").is_empty());
}

#[test]
fn inbox_verdicts_register_and_reject_with_notice() {
    let w = world();
    let good_id = w.leader_signs("Công văn đến 1.pdf");
    let good_path = PathBuf::from(w.office.queue().get(good_id).expect("get").current_path);
    let incoming = w.dir.path().join("inbox");
    std::fs::create_dir_all(&incoming).expect("mkdir");
    std::fs::copy(&good_path, incoming.join("hợp lệ.pdf")).expect("copy");
    let mut bytes = std::fs::read(&good_path).expect("read");
    let at = bytes.windows(6).position(|x| x == b"/Pages").expect("/Pages") + 1;
    bytes[at] = b'Q';
    std::fs::write(incoming.join("bị sửa.pdf"), &bytes).expect("write");
    std::fs::write(incoming.join("ghi chú.txt"), b"not a pdf").expect("write");

    let docs = w.office.add_paths(std::slice::from_ref(&incoming), DocRole::Incoming).expect("add folder");
    assert_eq!(docs.len(), 2, "the folder's two PDFs");
    let by_name = |n: &str| docs.iter().find(|d| d.file_name == n).expect(n).id;
    let (good, bad) = (by_name("hợp lệ.pdf"), by_name("bị sửa.pdf"));

    let (d, r) = w.office.verify_document(good).expect("verify");
    assert_eq!((d.status, r.indication), (DocStatus::Valid, Indication::TotalPassed));
    let (d, r) = w.office.verify_document(bad).expect("verify");
    assert_eq!(d.status, DocStatus::Invalid);
    assert_eq!(r.indication, Indication::TotalFailed);
    assert!(d.verdict_reason.as_deref().is_some_and(|s| !s.is_empty()));

    // An invalid document is never registered.
    assert!(w.office.register_document(bad, Some("99/CV-X"), None).is_err());
    let reg = w.office.register_document(good, Some("45/CV-UBND"), Some("Công văn về việc thử nghiệm")).expect("register");
    assert_eq!(reg.status, DocStatus::Registered);
    let found = w.office.queue().search(&SearchQuery { text: Some("45/CV-UBND".into()), from: None, to: None }).expect("search");
    assert_eq!(found.iter().map(|d| d.id).collect::<Vec<_>>(), vec![good]);

    let rej = w.office.reject_document(bad, kyso::Lang::Vi).expect("reject");
    assert_eq!(rej.doc.status, DocStatus::Rejected);
    assert!(rej.notice_pdf.is_file() && rej.notice_text.is_file());
    let text = std::fs::read_to_string(&rej.notice_text).expect("notice");
    assert!(text.contains("bị sửa.pdf"), "{text}");
    assert!(incoming.join("bị sửa.pdf").is_file(), "a rejected document is never deleted");
}

#[test]
fn tokens_expiry_and_pin_change() {
    let w = world();
    let tokens = w.office.list_tokens().expect("tokens");
    let t = tokens.iter().find(|t| t.label == "KYSO-TEST").expect("test token");
    let personal = t.certificates.iter().find(|c| c.id_hex == PERSONAL).expect("personal cert");
    assert!(personal.common_name.as_deref().is_some_and(|n| n.contains("Nguyễn Văn An")));
    assert!(!personal.not_after.is_empty() && !personal.issuer.is_empty());
    let all = w.office.expiring_certificates(100_000).expect("expiring");
    assert!(all.len() >= t.certificates.len());
    let none = w.office.expiring_certificates(-100_000).expect("expiring");
    assert!(none.is_empty());

    w.office.change_pin("KYSO-TEST", SecretPin::new("123456".into()), SecretPin::new("654321".into())).expect("change PIN");
    let input = w.draft("Sau đổi PIN.pdf");
    let doc = w.office.add_paths(&[input], DocRole::Sign).expect("add").remove(0);
    assert!(w.office.sign_document(&SignDocument { id: doc.id, ..Default::default() }, &choice(PERSONAL), pin("123456")).is_err());
    w.office.sign_document(&SignDocument { id: doc.id, ..Default::default() }, &choice(PERSONAL), pin("654321")).expect("new PIN works");
}

/// A prompt that counts how often it is asked (and answers the right PIN).
struct CountingPrompt(usize);

impl PinPrompt for CountingPrompt {
    fn ask(&mut self, _summary: &SignSummary, _last: Option<&kyso::agent::AgentErrorBody>) -> Option<SecretPin> {
        self.0 += 1;
        Some(SecretPin::new("123456".into()))
    }
    fn finished(&mut self, _outcome: Result<(), &kyso::agent::AgentErrorBody>) {}
}

/// The queue's state is checked before the token is touched: signing a document
/// that is not waiting for a signature asks for no PIN and signs nothing.
#[test]
fn a_document_in_the_wrong_state_costs_no_pin() {
    let w = world();
    let id = w.leader_signs("Đã ký rồi.pdf");
    let mut prompt = CountingPrompt(0);
    let e = w.office.sign_document(&SignDocument { id, ..Default::default() }, &choice(PERSONAL), &mut prompt).expect_err("already signed");
    assert_eq!(kyso::agent::AgentErrorBody::from_error(&e).kind, "invalid_transition", "{e}");
    assert_eq!(prompt.0, 0, "no PIN asked");
    let folder = w.dir.path().join("docs");
    assert!(!folder.join("Đã ký rồi.signed.signed.pdf").exists());
    // In a batch, a document in the wrong state fails before any signature.
    let incoming = w.office.add_paths(&[w.draft("Công văn đến.pdf")], DocRole::Incoming).expect("add").remove(0).id;
    let results =
        w.office.seal_batch(&[BatchItem { id: incoming, ..Default::default() }], &choice(AGENCY), &mut prompt, &mut |_| {}).expect("batch");
    assert_eq!(results[0].state, BatchState::Failed);
    assert_eq!(results[0].error.as_ref().map(|e| e.kind.as_str()), Some("invalid_transition"));
    assert_eq!(w.office.queue().get(incoming).expect("get").status, DocStatus::Pending);
    assert!(!folder.join("Công văn đến.sealed.pdf").exists());
}

/// Registering archives exactly the bytes that were verified: a file changed on
/// disk after an earlier check is checked again as the copy that would be archived,
/// and refused; a good one is archived with the hash the check recorded.
#[test]
fn register_archives_the_bytes_it_verified() {
    let w = world();
    let original = w.leader_signs("Gốc.pdf");
    let signed = PathBuf::from(w.office.queue().get(original).expect("get").current_path);
    let incoming = w.dir.path().join("inbox");
    std::fs::create_dir_all(&incoming).expect("mkdir");
    let (a, b) = (incoming.join("a.pdf"), incoming.join("b.pdf"));
    std::fs::copy(&signed, &a).expect("copy");
    std::fs::copy(&signed, &b).expect("copy");
    let docs = w.office.add_paths(&[a.clone(), b.clone()], DocRole::Incoming).expect("add");
    let (ida, idb) = (docs[0].id, docs[1].id);
    assert_eq!(w.office.verify_document(ida).expect("verify").0.status, DocStatus::Valid);
    assert_eq!(w.office.verify_document(idb).expect("verify").0.status, DocStatus::Valid);
    // b changes on disk after its check.
    let mut bytes = std::fs::read(&b).expect("read");
    let at = bytes.windows(6).position(|x| x == b"/Pages").expect("/Pages") + 1;
    bytes[at] = b'Q';
    std::fs::write(&b, &bytes).expect("write");
    assert!(w.office.register_document(idb, Some("1/CV"), None).is_err(), "the changed bytes are checked, and fail");
    let db = w.office.queue().get(idb).expect("get");
    assert_eq!((db.status, db.archive_path), (DocStatus::Invalid, None));
    assert_eq!(db.sha256, common::sha256_file(&b), "the recorded hash is that of the bytes checked");
    // a: archived with the hash of the bytes verified.
    let reg = w.office.register_document(ida, Some("2/CV"), None).expect("register");
    let archived = PathBuf::from(reg.archive_path.expect("archived"));
    assert_eq!(common::sha256_file(&archived), reg.sha256);
    assert_eq!(common::sha256_file(&a), reg.sha256);
    let verified = w.office.queue().history(ida).expect("history").into_iter().rev().find(|h| h.action == "verified").expect("verified");
    assert_eq!(verified.sha256_after.as_deref(), Some(reg.sha256.as_str()));
    no_part_files(&w.dir.path().join("data/archive"));
}

/// The visible signature widget on `page` (1-based) of `file` nearest to `near` (a box
/// in mm from the page's top-left corner), read from the file itself: the stamp, not the
/// clerk's number and date widgets of the same signature.
fn widget_box_mm(file: &Path, page: usize, near: Option<[f64; 4]>) -> [f64; 4] {
    use kyso::stamp::place;
    let near = near.expect("a box");
    let pdf = kyso::pdf::PdfFile::open(file).expect("open");
    let page_box = place::page_box(&pdf, page - 1).expect("page box");
    let rects = place::signature_widget_rects(&pdf, page - 1).expect("widgets");
    let apart = |b: &[f64; 4]| b.iter().zip(near.iter()).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max);
    rects.into_iter().map(|r| place::rect_mm(page_box, r)).min_by(|a, b| apart(a).total_cmp(&apart(b))).expect("a visible signature widget")
}

fn assert_same_box(what: &str, a: Option<[f64; 4]>, b: Option<[f64; 4]>, tolerance: f64) {
    let (a, b) = (a.expect("a box"), b.expect("a box"));
    let worst = a.iter().zip(b.iter()).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max);
    assert!(worst <= tolerance, "{what}: {a:?} vs {b:?} ({worst} mm apart)");
}

/// The preview is the signing job's own plan: for the LibreOffice decision, the
/// two-signers draft and the object-stream draft, the box previewed with the chosen
/// certificate and the signature image is found in the signer's block and is the box
/// signed (as the result reports it and as the widget's /Rect in the signed file
/// says); the preview document carries that widget, unsigned. The clerk's preview
/// (seal, number, date) is the seal signed, and a seal dragged in the preview is
/// sealed where it was dragged, at the size shown.
#[test]
fn preview_is_where_the_signature_lands() {
    use kyso::office::{PreviewRequest, StampImageKind};
    let w = world();
    let raw = w.dir.path().join("raw-images");
    std::fs::create_dir_all(&raw).expect("mkdir");
    let st = std::process::Command::new("python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/stamps/make-images.py"))
        .arg(&raw)
        .status()
        .expect("python3");
    assert!(st.success());
    w.office.set_stamp_image(StampImageKind::Signature, &raw.join("signature.png"), None).expect("signature image");
    w.office.set_stamp_image(StampImageKind::Seal, &raw.join("seal.png"), Some(36.0)).expect("seal image");
    let folder = w.dir.path().join("docs");
    std::fs::create_dir_all(&folder).expect("mkdir");
    let request = |id, role, cert: &str| PreviewRequest {
        id,
        role,
        token_label: "KYSO-TEST".into(),
        cert_id_hex: cert.into(),
        doc_number: None,
        doc_date: None,
        page: None,
        at_mm: None,
        size_mm: None,
    };

    let mut signed_ids = Vec::new();
    for (draft, cert, name) in
        [("draft-lo.pdf", PERSONAL, "Nguyễn Văn An"), ("draft-two-signers.pdf", "02", "Trần Thị Bình"), ("draft-objstm.pdf", PERSONAL, "")]
    {
        let input = folder.join(draft);
        std::fs::copy(w.tb.draft(draft), &input).expect("copy draft");
        let id = w.office.add_paths(std::slice::from_ref(&input), DocRole::Sign).expect("add").remove(0).id;
        let req = request(id, DocRole::Sign, cert);
        let pv = w.office.preview_placement(&req).expect("preview");
        assert_eq!(pv.placement.placement, "found", "{draft}: {pv:?}");
        assert!(pv.page_size_mm[0] > 200.0 && pv.page_size_mm[1] > 290.0, "{draft}: A4 expected, {:?}", pv.page_size_mm);
        let shown = folder.join(format!("{draft}.preview.pdf"));
        std::fs::write(&shown, w.office.preview_document(&req).expect("preview document")).expect("write");
        assert_same_box(
            &format!("{draft}: preview document"),
            Some(widget_box_mm(&shown, pv.placement.page, pv.placement.box_mm)),
            pv.placement.box_mm,
            0.06,
        );
        std::fs::remove_file(&shown).expect("rm");

        let signed = w.office.sign_document(&SignDocument { id, ..Default::default() }, &choice(cert), pin("123456")).expect("sign");
        assert_eq!(signed.report.indication, Indication::TotalPassed, "{draft}: {}", signed.report.message_en);
        assert_eq!(signed.placement.page, pv.placement.page, "{draft}");
        assert_same_box(&format!("{draft}: result"), signed.placement.box_mm, pv.placement.box_mm, 0.0);
        let file = PathBuf::from(&signed.doc.current_path);
        assert_same_box(
            &format!("{draft}: signed file"),
            Some(widget_box_mm(&file, pv.placement.page, pv.placement.box_mm)),
            pv.placement.box_mm,
            0.06,
        );
        if !name.is_empty() {
            // Centred on the signer's own name (the two-signers draft has two blocks).
            let text = std::process::Command::new("pdftotext")
                .args(["-bbox", "-f", &pv.placement.page.to_string(), "-l", &pv.placement.page.to_string()])
                .arg(&file)
                .arg("-")
                .output()
                .expect("pdftotext");
            let html = String::from_utf8_lossy(&text.stdout).into_owned();
            let lines: Vec<&str> = html.lines().collect();
            let words: Vec<&str> = name.split(' ').collect();
            let (first, last) = (words[0], words[words.len() - 1]);
            let at_last = lines.iter().rposition(|l| l.ends_with(&format!(">{last}</word>"))).expect("the name's last word");
            let at_first = lines[..=at_last].iter().rposition(|l| l.ends_with(&format!(">{first}</word>"))).expect("the name's first word");
            let attr = |line: &str, k: &str| -> f64 {
                let at = line.find(&format!("{k}=\"")).expect("attr") + k.len() + 2;
                line[at..].split('"').next().expect("value").parse().expect("number")
            };
            let name_centre_mm = (attr(lines[at_first], "xMin") + attr(lines[at_last], "xMax")) / 2.0 / kyso::stamp::place::PT_PER_MM;
            let [x, _, bw, _] = pv.placement.box_mm.expect("box");
            assert!((x + bw / 2.0 - name_centre_mm).abs() <= 1.0, "{draft}: box {x}+{bw} mm not centred on {name} ({name_centre_mm} mm)");
        }
        signed_ids.push(id);
    }

    // Preview with a certificate the token does not have: said so, nothing planned.
    let e = w.office.preview_placement(&request(signed_ids[0], DocRole::Sign, "7f")).expect_err("unknown certificate");
    assert_eq!(kyso::agent::AgentErrorBody::from_error(&e).kind, "certificate_not_found", "{e}");

    // The clerk: seal, number and date as previewed; the second document's seal dragged.
    let today = kyso::time::now_vietnam().date().to_string();
    let mut items = Vec::new();
    let mut previews = Vec::new();
    for (i, &id) in signed_ids.iter().take(2).enumerate() {
        let mut req = request(id, DocRole::Seal, AGENCY);
        req.doc_number = Some(format!("{}/QĐ-UBND", 20 + i));
        req.doc_date = Some(today.clone());
        let found = w.office.preview_placement(&req).expect("seal preview");
        assert_eq!(found.placement.placement, "found", "{found:?}");
        assert!(
            found.placement.filled.iter().any(|(t, _)| t == &format!("{}", 20 + i)),
            "number blank filled: {:?}",
            found.placement.filled
        );
        if i == 1 {
            let [x, y, bw, _] = found.placement.box_mm.expect("box");
            req.at_mm = Some((x - 20.0, y + 5.0));
            req.page = Some(found.placement.page);
            req.size_mm = Some(bw);
        }
        let pv = w.office.preview_placement(&req).expect("seal preview");
        assert_eq!(pv.placement.placement, if i == 1 { "given" } else { "found" });
        items.push(BatchItem {
            id,
            doc_number: req.doc_number.clone(),
            doc_date: req.doc_date.clone(),
            page: req.page,
            at_mm: req.at_mm,
            size_mm: req.size_mm,
        });
        previews.push((found, pv));
    }
    let results = w.office.seal_batch(&items, &choice(AGENCY), pin("123456"), &mut |_| {}).expect("seal");
    for (r, (found, pv)) in results.iter().zip(&previews) {
        assert!(r.ok(), "{:?}", r.error);
        let placement = r.placement.as_ref().expect("placement");
        assert_same_box("sealed", placement.box_mm, pv.placement.box_mm, 0.0);
        assert_eq!(placement.filled, pv.placement.filled);
        let file = PathBuf::from(&r.doc.as_ref().expect("doc").current_path);
        assert_same_box("sealed file", Some(widget_box_mm(&file, placement.page, pv.placement.box_mm)), pv.placement.box_mm, 0.06);
        // Dragged: same size as found, moved by exactly the drag.
        let (f, p) = (found.placement.box_mm.expect("box"), pv.placement.box_mm.expect("box"));
        assert!((f[2] - p[2]).abs() <= 0.1 && (f[3] - p[3]).abs() <= 0.1, "size kept: {f:?} vs {p:?}");
    }
    let moved = previews[1].1.placement.box_mm.expect("box");
    let found = previews[1].0.placement.box_mm.expect("box");
    assert!((moved[0] - (found[0] - 20.0)).abs() <= 0.1 && (moved[1] - (found[1] + 5.0)).abs() <= 0.1, "{moved:?} vs {found:?}");
}
