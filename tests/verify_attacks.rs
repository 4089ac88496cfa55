//! `kyso verify` against attacks on PDF signature validation (docs/attacks.md):
//! changed bytes; the 2019 "Vulnerability Report: Attacks bypassing the signature
//! validation in PDF" classes USF, ISA and SWA; the 2021 shadow attacks (hide,
//! replace, hide-and-replace); the 2021 certification attacks (evil annotation,
//! sneaky signature); the signed PDFs from the wild in `../shared/corpus/wild/`
//! (each checked against poppler's `pdfsig`); and hostile structures that must end
//! in a verdict in bounded time and memory.
//!
//! Attack files are built by `tests/fixtures/attacks/make-attacks.py` (byte-level
//! edits and hand-written incremental updates) and `pyhanko-sign.py` (DocMDP
//! certification, sneaky signatures) from documents signed in the SoftHSM2 test
//! bed. Every verification gets `--trust pki/root.pem` and CRLs for the test PKI
//! (`tests/fixtures/attacks/make-crls.sh`), so an untouched document is
//! TOTAL_PASSED and the only thing between an attack and "valid" is the attack's
//! detection. Hostile structures are generated here.

mod common;

use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn attacks_dir() -> PathBuf {
    repo().join("tests/fixtures/attacks")
}

/// Everything built once per test process.
struct Corpus {
    tb: Testbed,
    dir: PathBuf,
    crls: Vec<PathBuf>,
    /// draft-lo.pdf signed by kyso (token key 01), invisible signature.
    kyso_signed: PathBuf,
}

fn corpus() -> &'static Corpus {
    static C: OnceLock<Corpus> = OnceLock::new();
    C.get_or_init(|| {
        let tb = testbed();
        let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
        if let Ok(entries) = std::fs::read_dir(&base) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if let Some(pid) = name.strip_prefix("verify-attacks-") {
                    if !Path::new("/proc").join(pid).exists() {
                        let _ = std::fs::remove_dir_all(e.path());
                    }
                }
            }
        }
        let dir = base.join(format!("verify-attacks-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("corpus dir");
        let crl_dir = dir.join("crl");
        run_ok(Command::new("bash").arg(attacks_dir().join("make-crls.sh")).arg(&tb.dir).arg(&crl_dir));
        let crls = vec![crl_dir.join("inter.crl.pem"), crl_dir.join("root.crl.pem")];
        let kyso_signed = dir.join("kyso-signed.pdf");
        sign_kyso(&tb, &tb.draft("draft-lo.pdf"), &kyso_signed, "01");
        Corpus { tb, dir, crls, kyso_signed }
    })
}

fn run_ok(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap_or_else(|e| panic!("run {cmd:?}: {e}"));
    assert!(out.status.success(), "{cmd:?} failed:\n{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    out
}

fn sign_kyso(tb: &Testbed, input: &Path, output: &Path, id: &str) {
    let pin = tb.var("KYSO_TEST_PIN");
    let o = kyso(
        tb,
        &[
            "sign",
            input.to_str().expect("utf8"),
            "-o",
            output.to_str().expect("utf8"),
            "--module",
            &tb.module(),
            "--token",
            "KYSO-TEST",
            "--cert",
            id,
            "--invisible",
            "--force",
        ],
        &[("KYSO_PIN", &pin)],
    );
    assert!(o.status.success(), "kyso sign {} failed: {}", input.display(), String::from_utf8_lossy(&o.stderr));
}

/// `make-attacks.py KIND input out` → out (in the corpus dir).
fn make(kind: &str, input: &Path, out_name: &str) -> PathBuf {
    let out = corpus().dir.join(out_name);
    run_ok(Command::new("python3").arg(attacks_dir().join("make-attacks.py")).arg(kind).arg(input).arg(&out));
    out
}

/// `pyhanko-sign.py ARGS…` with a test bed key (`NAME.key/.pem`, chain inter.pem).
fn pyhanko_sign(cmd: &str, input: &Path, out_name: &str, key: &str, extra: &[&str]) -> PathBuf {
    let c = corpus();
    let out = c.dir.join(out_name);
    let mut command = Command::new("python3");
    command.arg(attacks_dir().join("pyhanko-sign.py")).arg(cmd).arg(input).arg(&out);
    if cmd == "certify" {
        command.args(extra);
    }
    command.arg(c.tb.pki(&format!("{key}.key"))).arg(c.tb.pki(&format!("{key}.pem"))).arg(c.tb.pki("inter.pem"));
    if cmd != "certify" {
        command.args(extra);
    }
    run_ok(&mut command);
    out
}

/// `kyso verify --json --trust root.pem --crl … FILE…`: exit code and the JSON.
fn verify(files: &[&Path], extra: &[&str]) -> (i32, Value) {
    let c = corpus();
    let root = c.tb.pki("root.pem");
    let mut args: Vec<String> = vec!["verify".into(), "--json".into(), "--trust".into(), root.display().to_string()];
    for crl in &c.crls {
        args.push("--crl".into());
        args.push(crl.display().to_string());
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    args.extend(files.iter().map(|f| f.display().to_string()));
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = kyso(&c.tb, &argv, &isolated_env());
    let code = o.status.code().expect("exit code");
    let v: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("kyso verify printed no JSON ({e}); stderr: {}", String::from_utf8_lossy(&o.stderr)));
    // The Windows stage (tests/windows/run.sh): kyso.exe under Wine must agree exactly.
    wine::assert_same_verdict_on_windows(&argv, code, &v, || linux_without_renderer(&argv));
    (code, v)
}

/// Keep the user's trust folder and revocation cache out of the tests.
/// The Linux `kyso ARGV` with no page renderer (`pdftoppm` off `PATH`), as on Windows,
/// which ships none yet: what the Windows stage compares such a verdict with.
fn linux_without_renderer(argv: &[&str]) -> (i32, Value) {
    let c = corpus();
    let mut env = isolated_env();
    env.push(("PATH", "/nonexistent-kyso-no-renderer"));
    let o = kyso(&c.tb, argv, &env);
    let v = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("kyso {argv:?} without PATH printed no JSON ({e})"));
    (o.status.code().expect("exit code"), v)
}

fn isolated_env() -> Vec<(&'static str, &'static str)> {
    static DIRS: OnceLock<(String, String)> = OnceLock::new();
    let (cache, config) = DIRS.get_or_init(|| {
        let d = corpus().dir.clone();
        (d.join("xdg-cache").display().to_string(), d.join("xdg-config").display().to_string())
    });
    vec![("XDG_CACHE_HOME", cache.as_str()), ("XDG_CONFIG_HOME", config.as_str())]
}

fn file_report(v: &Value) -> &Value {
    &v["files"][0]
}

fn summary(doc: &Value) -> String {
    let sigs: Vec<String> = doc["signatures"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|s| {
                    format!(
                        "[{} {} {} coverage={} digestOk={} signatureOk={}: {}]",
                        s["field"],
                        s["indication"],
                        s["subIndication"],
                        s["coverage"]["coverage"],
                        s["cms"]["digestOk"],
                        s["cms"]["signatureOk"],
                        s["messageEn"]
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    format!("{} {} {} — {} {}", doc["file"], doc["indication"], doc["subIndication"], doc["messageEn"], sigs.join(" "))
}

/// The file is TOTAL_FAILED (exit 1) with one of `subs` as the sub-indication.
fn assert_rejected(file: &Path, subs: &[&str]) -> Value {
    let (code, v) = verify(&[file], &[]);
    let doc = file_report(&v).clone();
    println!("{}", summary(&doc));
    assert_eq!(doc["indication"], "TOTAL_FAILED", "{} must be rejected: {}", file.display(), summary(&doc));
    assert_eq!(code, 1, "exit code for {}", file.display());
    let sub = doc["subIndication"].as_str().unwrap_or("");
    assert!(subs.contains(&sub), "{}: sub-indication {sub}, expected one of {subs:?}: {}", file.display(), summary(&doc));
    doc
}

fn assert_valid(file: &Path) -> Value {
    let (code, v) = verify(&[file], &[]);
    let doc = file_report(&v).clone();
    assert_eq!(doc["indication"], "TOTAL_PASSED", "{}", summary(&doc));
    assert_eq!(code, 0);
    doc
}

/// Bases every byte-level attack runs on: kyso's own signature, and pyHanko's
/// (the test bed's draft-presigned.pdf): the checks must not depend on the producer.
fn bases() -> Vec<(&'static str, PathBuf)> {
    let c = corpus();
    vec![("kyso", c.kyso_signed.clone()), ("pyhanko", c.tb.draft("draft-presigned.pdf"))]
}

fn attack_on_bases(kind: &str, subs: &[&str]) -> Vec<Value> {
    bases()
        .into_iter()
        .map(|(who, base)| {
            assert_valid(&base);
            let f = make(kind, &base, &format!("{kind}-{who}.pdf"));
            assert_rejected(&f, subs)
        })
        .collect()
}

// ------------------------------------------------------------------ controls

#[test]
fn control_untouched_signatures_are_valid() {
    let c = corpus();
    assert_valid(&c.kyso_signed);
    assert_valid(&c.tb.draft("draft-presigned.pdf"));
}

// ------------------------------------------------------------------ changed bytes

#[test]
fn one_byte_changed_in_first_signed_range() {
    for doc in attack_on_bases("flip-range1", &["HASH_FAILURE"]) {
        assert_eq!(doc["signatures"][0]["cms"]["digestOk"], false);
        assert_eq!(doc["signatures"][0]["coverage"]["coverage"], "WHOLE_FILE");
    }
}

#[test]
fn one_byte_changed_in_second_signed_range() {
    for doc in attack_on_bases("flip-range2", &["HASH_FAILURE"]) {
        assert_eq!(doc["signatures"][0]["cms"]["digestOk"], false);
    }
}

// ------------------------------------------------------------------ ISA (2019)

#[test]
fn isa_content_changed_in_incremental_update() {
    for doc in attack_on_bases("isa-content", &["POST_SIGNING_MODIFICATION"]) {
        let s = &doc["signatures"][0];
        assert_eq!(s["coverage"]["coverage"], "WHOLE_REVISION");
        assert_eq!(s["cms"]["digestOk"], true, "the signed revision itself is intact");
        let changes = s["modifications"]["changes"].to_string();
        assert!(changes.contains("other"), "the content change must be named: {changes}");
    }
}

#[test]
fn isa_objects_appended_without_xref_or_trailer() {
    attack_on_bases("isa-no-xref", &["FORMAT_FAILURE", "POST_SIGNING_MODIFICATION"]);
}

#[test]
fn isa_objects_and_trailer_appended_without_xref() {
    attack_on_bases("isa-trailer-no-xref", &["FORMAT_FAILURE", "POST_SIGNING_MODIFICATION"]);
}

#[test]
fn isa_update_also_stretches_byte_range_to_new_end() {
    for doc in attack_on_bases("isa-byterange", &["FORMAT_FAILURE", "HASH_FAILURE"]) {
        assert_ne!(doc["signatures"][0]["coverage"]["coverage"], "WHOLE_FILE");
    }
}

// ------------------------------------------------------------------ SWA (2019)

#[test]
fn swa_byte_range_wraps_inserted_objects() {
    for doc in attack_on_bases("swa-relocate", &["FORMAT_FAILURE"]) {
        assert_eq!(doc["signatures"][0]["coverage"]["coverage"], "NONE");
    }
    // The wrapped file is a real attack: the ranges it names hold exactly the
    // signed bytes, so poppler (which does not check the gap) calls it valid.
    let f = corpus().dir.join("swa-relocate-kyso.pdf");
    let p = pdfsig(&f);
    assert!(p.contains("Signature is Valid"), "pdfsig on the wrapped file:\n{p}");
}

#[test]
fn swa_wrapped_objects_with_appended_xref() {
    attack_on_bases("swa-appended", &["FORMAT_FAILURE"]);
}

// ------------------------------------------------------------------ USF (2019)

macro_rules! usf {
    ($($name:ident => $kind:literal),* $(,)?) => {$(
        #[test]
        fn $name() {
            attack_on_bases($kind, &["FORMAT_FAILURE", "HASH_FAILURE", "SIG_CRYPTO_FAILURE"]);
        }
    )*};
}

usf! {
    usf_contents_missing => "usf-contents-missing",
    usf_contents_null => "usf-contents-null",
    usf_contents_empty_hex => "usf-contents-empty-hex",
    usf_contents_empty_string => "usf-contents-empty-string",
    usf_contents_zeros => "usf-contents-zeros",
    usf_contents_garbage => "usf-contents-garbage",
    usf_contents_not_cms => "usf-contents-not-cms",
    usf_contents_integer => "usf-contents-integer",
    usf_contents_array => "usf-contents-array",
    usf_byterange_missing => "usf-byterange-missing",
    usf_byterange_null => "usf-byterange-null",
    usf_byterange_empty => "usf-byterange-empty",
    usf_byterange_zeros => "usf-byterange-zeros",
    usf_byterange_negative => "usf-byterange-negative",
    usf_byterange_past_eof => "usf-byterange-past-eof",
    usf_byterange_short => "usf-byterange-short",
    usf_byterange_three_numbers => "usf-byterange-three",
    usf_byterange_six_numbers => "usf-byterange-six",
    usf_byterange_reals => "usf-byterange-reals",
    usf_byterange_strings => "usf-byterange-strings",
    usf_byterange_not_array => "usf-byterange-not-array",
    usf_byterange_no_gap => "usf-byterange-no-gap",
    usf_byterange_whole_file => "usf-byterange-whole",
    usf_byterange_overlap => "usf-byterange-overlap",
    usf_byterange_not_from_zero => "usf-byterange-offset",
}

// ------------------------------------------------------------------ shadow attacks (2021)

/// Prepare (attacker's document) → kyso signs it (valid) → attack → rejected.
fn shadow(prepare: &str, attacks: &[&str]) {
    let c = corpus();
    let prepared = make(prepare, &c.tb.draft("draft-lo.pdf"), &format!("{prepare}.pdf"));
    let signed = c.dir.join(format!("{prepare}-signed.pdf"));
    sign_kyso(&c.tb, &prepared, &signed, "01");
    assert_valid(&signed);
    for a in attacks {
        let f = make(a, &signed, &format!("{a}.pdf"));
        let doc = assert_rejected(&f, &["POST_SIGNING_MODIFICATION", "FORMAT_FAILURE"]);
        assert_eq!(doc["signatures"][0]["cms"]["digestOk"], true);
    }
}

#[test]
fn shadow_hide_by_freeing_the_overlay_in_an_xref_only_update() {
    shadow("shadow-hide-prepare", &["shadow-hide-xref"]);
}

#[test]
fn shadow_hide_by_overwriting_the_overlay() {
    shadow("shadow-hide-prepare", &["shadow-hide-overwrite"]);
}

#[test]
fn shadow_replace_via_form_field() {
    shadow("shadow-replace-prepare", &["shadow-replace"]);
}

#[test]
fn shadow_hide_and_replace_via_xref_pointing_to_hidden_object() {
    shadow("shadow-har-prepare", &["shadow-har"]);
}

// ------------------------------------------------------------------ certification attacks (2021)

fn certified(p: u8) -> PathBuf {
    let c = corpus();
    let name = format!("certified-p{p}.pdf");
    let path = c.dir.join(&name);
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    if !path.exists() {
        pyhanko_sign("certify", &c.tb.draft("draft-lo.pdf"), &name, "personal-rsa3072", &[&p.to_string()]);
    }
    path
}

#[test]
fn certified_documents_and_an_allowed_approval_are_valid() {
    let c = corpus();
    for p in [1u8, 2, 3] {
        let doc = assert_valid(&certified(p));
        assert_eq!(doc["docmdp"], p);
    }
    // kyso will not sign a P = 1 document (any change breaks the certification).
    let pin = c.tb.var("KYSO_TEST_PIN");
    let refused = c.dir.join("certified-p1-signed.pdf");
    let p1 = certified(1);
    let o = kyso(
        &c.tb,
        &[
            "sign",
            p1.to_str().expect("utf8"),
            "-o",
            refused.to_str().expect("utf8"),
            "--module",
            &c.tb.module(),
            "--token",
            "KYSO-TEST",
            "--cert",
            "01",
            "--invisible",
        ],
        &[("KYSO_PIN", &pin)],
    );
    assert!(!o.status.success(), "kyso signed a DocMDP P = 1 document");
    assert!(!refused.exists());
    // An approval signature after a P = 2 certification is allowed.
    let approved = c.dir.join("certified-p2-approved.pdf");
    sign_kyso(&c.tb, &certified(2), &approved, "04");
    let doc = assert_valid(&approved);
    assert_eq!(doc["signatures"].as_array().map(Vec::len), Some(2));
}

fn eaa(kind: &str, levels: &[u8]) {
    for &p in levels {
        let f = make(kind, &certified(p), &format!("{kind}-p{p}.pdf"));
        let doc = assert_rejected(&f, &["POST_SIGNING_MODIFICATION"]);
        assert_eq!(doc["docmdp"], p);
        assert_eq!(doc["signatures"][0]["field"], "ChungThuc");
    }
}

#[test]
fn eaa_freetext_annotation_on_certified_document() {
    eaa("eaa-freetext", &[2, 3]);
}

#[test]
fn eaa_stamp_annotation_on_certified_document() {
    eaa("eaa-stamp", &[2, 3]);
}

#[test]
fn eaa_sticky_note_with_own_appearance_on_certified_document() {
    eaa("eaa-text-ap", &[2, 3]);
}

#[test]
fn eaa_highlight_with_own_appearance_on_certified_document() {
    eaa("eaa-highlight-ap", &[2, 3]);
}

#[test]
fn ssa_new_visible_signature_field_unsigned() {
    eaa("ssa-unsigned-field", &[2, 3]);
}

#[test]
fn ssa_sneaky_signature_by_a_trusted_insider() {
    // The sneaky signature itself is valid (a trusted test key) — the
    // certification it paints over must not be.
    let f = pyhanko_sign("sneaky", &certified(2), "ssa-signed-p2.pdf", "agency-rsa2048", &[]);
    let doc = assert_rejected(&f, &["POST_SIGNING_MODIFICATION"]);
    let sigs = doc["signatures"].as_array().expect("signatures");
    assert_eq!(sigs.len(), 2);
    assert_eq!(sigs[0]["field"], "ChungThuc");
    assert_eq!(sigs[0]["subIndication"], "POST_SIGNING_MODIFICATION");
    assert!(sigs[0]["messageEn"].as_str().unwrap_or("").contains("Sneaky"), "{}", sigs[0]["messageEn"]);
    // Signed in the revision that adds it, so judged on renders: it draws over
    // the heading of the certified page.
    assert!(sigs[0]["messageEn"].as_str().unwrap_or("").contains("covers signed content"), "{}", sigs[0]["messageEn"]);
}

/// The Government Cipher Committee's flow, made up: a P = 2 certification, then
/// another signer's visible signature in the blank bottom margin of page 1.
/// Both valid, and the certification says what was added.
#[test]
fn certified_document_signed_again_in_blank_space_is_valid() {
    let f = pyhanko_sign("margin", &certified(2), "certified-p2-margin.pdf", "agency-rsa2048", &[]);
    let doc = assert_valid(&f);
    let sigs = doc["signatures"].as_array().expect("signatures");
    assert_eq!(sigs.len(), 2);
    assert_eq!(sigs[0]["field"], "ChungThuc");
    assert_eq!(sigs[0]["addedSignatures"].as_array().map(Vec::len), Some(1), "{}", summary(&doc));
    let msg = sigs[0]["messageEn"].as_str().unwrap_or("");
    assert!(msg.contains("1 signature added by"), "{msg}");
}

/// A later signer's widget whose appearance is an opaque box with new text over
/// certified content: the certification is broken, though the covering
/// signature itself is valid.
#[test]
fn certified_document_signed_again_over_certified_content_is_refused() {
    let f = pyhanko_sign("cover", &certified(2), "certified-p2-cover.pdf", "agency-rsa2048", &[]);
    let doc = assert_rejected(&f, &["POST_SIGNING_MODIFICATION"]);
    let sigs = doc["signatures"].as_array().expect("signatures");
    assert_eq!(sigs[0]["field"], "ChungThuc");
    assert_eq!(sigs[0]["subIndication"], "POST_SIGNING_MODIFICATION");
    let msg = sigs[0]["messageEn"].as_str().unwrap_or("");
    assert!(msg.contains("'ChePhu'") && msg.contains("covers signed content on page 1"), "{msg}");
    assert_eq!(sigs[1]["field"], "ChePhu");
    assert_eq!(sigs[1]["indication"], "TOTAL_PASSED", "{}", summary(&doc));
}

// ------------------------------------------------------------------ the wild corpus

fn wild_dir() -> PathBuf {
    let d = std::env::var_os("KYSO_WILD_CORPUS").map(PathBuf::from).unwrap_or_else(|| repo().join("../shared/corpus/wild"));
    assert!(d.is_dir(), "the wild corpus is missing: {} (set KYSO_WILD_CORPUS)", d.display());
    d
}

fn nssdb_arg() -> String {
    format!("sql:{}", corpus().tb.dir.join("nssdb").display())
}

fn pdfsig(f: &Path) -> String {
    let out = Command::new("timeout").arg("60").arg("pdfsig").arg("-nssdir").arg(nssdb_arg()).arg(f).output().expect("run pdfsig");
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// pdfsig's verdict per signed field: field name → "Signature is Valid".
fn pdfsig_verdicts(text: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for block in text.split("Signature #").skip(1) {
        if block.contains("The signature form field is not signed") {
            continue;
        }
        let name = block.lines().find_map(|l| l.trim().strip_prefix("- Signature Field Name: ")).unwrap_or("?").to_owned();
        out.push((name, block.contains("- Signature Validation: Signature is Valid.")));
    }
    out
}

#[test]
fn wild_corpus_verdicts_and_pdfsig_agreement() {
    let dir = wild_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("read wild")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
        .collect();
    files.sort();
    assert!(files.len() >= 17, "expected the 17 files of wild/README.md, found {}", files.len());
    let mut table = Vec::new();
    let mut disagreements = Vec::new();
    for f in &files {
        let name = f.file_name().expect("name").to_string_lossy().into_owned();
        // --offline: these certificates name Internet CRL/OCSP servers.
        let started = Instant::now();
        let (code, v) = verify(&[f], &["--offline"]);
        assert!(started.elapsed() < Duration::from_secs(30), "{name} took {:?}", started.elapsed());
        let doc = file_report(&v);
        let ind = doc["indication"].as_str().unwrap_or("?").to_owned();
        let sub = doc["subIndication"].as_str().unwrap_or("-").to_owned();
        table.push(format!("{name:48} {ind:14} {sub:28} exit {code}"));
        assert_ne!(ind, "TOTAL_PASSED", "{name}: nothing in wild/ chains to our roots: {}", summary(doc));
        assert_eq!(code, if ind == "TOTAL_FAILED" { 1 } else { 2 }, "{name}");
        assert!(!doc["messageVi"].as_str().unwrap_or("").is_empty(), "{name}: no Vietnamese message");
        let sigs = doc["signatures"].as_array().cloned().unwrap_or_default();
        let ours = |field: &str| sigs.iter().find(|s| s["field"] == field);

        // pdfsig agreement: "Signature is Valid" ⇔ digestOk && signatureOk.
        let p = pdfsig(f);
        let theirs = pdfsig_verdicts(&p);
        assert_eq!(
            theirs.len(),
            sigs.len(),
            "{name}: pdfsig lists {} signed fields, we {}:\n{p}\n{}",
            theirs.len(),
            sigs.len(),
            summary(doc)
        );
        for (field, valid) in &theirs {
            let s = ours(field).unwrap_or_else(|| panic!("{name}: pdfsig's field {field} not in our report: {}", summary(doc)));
            let our_ok = s["cms"]["digestOk"] == true && s["cms"]["signatureOk"] == true;
            if our_ok != *valid {
                disagreements.push(format!("{name} {field}: pdfsig valid={valid}, kyso digestOk&&signatureOk={our_ok}"));
            }
        }

        // What wild/README.md says a correct verifier reports.
        match name.as_str() {
            n if n.contains("shadow") => {
                assert_eq!(ind, "TOTAL_FAILED", "{n}: {}", summary(doc));
                assert!(["POST_SIGNING_MODIFICATION", "FORMAT_FAILURE"].contains(&sub.as_str()), "{n}: {sub}");
            }
            "step6_signed_by_alice_bob_carol_and_dave.pdf" => {
                assert_eq!(ind, "INDETERMINATE");
                assert_eq!(sigs.len(), 4);
                for s in &sigs {
                    assert_eq!(s["subIndication"], "NO_CERTIFICATE_CHAIN_FOUND", "{}", summary(doc));
                    assert_eq!(s["modificationsAllowed"], true);
                }
            }
            "step_4_signed_by_alice_bob_carol_and_dave.pdf" => {
                assert_eq!(sigs.len(), 4);
                for s in &sigs {
                    assert_eq!(s["cms"]["digestOk"], true);
                }
            }
            "sample_signed_ecdsa.pdf" => {
                assert_eq!(ind, "TOTAL_FAILED");
                assert_eq!(sub, "SIG_CRYPTO_FAILURE");
                assert!(sigs[0]["messageEn"].as_str().unwrap_or("").contains("r‖s"), "say what is wrong: {}", sigs[0]["messageEn"]);
            }
            "notLTVenabled.pdf" => {
                assert_eq!(ind, "TOTAL_FAILED");
                assert!(
                    sigs[0]["messageEn"].as_str().unwrap_or("").contains("digest algorithm"),
                    "say what is wrong: {}",
                    sigs[0]["messageEn"]
                );
            }
            "testBrokenXref.pdf" | "rotated-90-appearance.pdf" | "WordSaveAsPdf.pdf" | "signed2-1.pdf" | "signed2-2.pdf" => {
                assert!(sigs.is_empty(), "{name}: {}", summary(doc));
                assert!(["NOT_SIGNED", "FORMAT_FAILURE"].contains(&sub.as_str()), "{name}: {sub}");
            }
            "202007279900001S001.pdf" | "BLANK-signed.pdf" | "monitor_2016_99.pdf" => {
                assert_eq!(ind, "INDETERMINATE");
                assert_eq!(sub, "NO_CERTIFICATE_CHAIN_FOUND");
                assert_eq!(sigs[0]["coverage"]["coverage"], "WHOLE_FILE");
            }
            other => println!("{other}: not described in wild/README.md"),
        }
    }
    println!("{}", table.join("\n"));
    assert!(disagreements.is_empty(), "kyso and pdfsig disagree:\n{}", disagreements.join("\n"));
}

// ------------------------------------------------------------------ hostile structures

/// What the tests need to append updates to a signed file by hand.
struct Info {
    data: Vec<u8>,
    startxref: u64,
    size: u32,
    root: u32,
    catalog: String,
    contents: Vec<u32>,
}

fn info(f: &Path) -> Info {
    let out = run_ok(Command::new("python3").arg(attacks_dir().join("make-attacks.py")).arg("--info").arg(f));
    let v: Value = serde_json::from_slice(&out.stdout).expect("info json");
    let n = |k: &str| v[k].as_u64().unwrap_or_else(|| panic!("info lacks {k}"));
    Info {
        data: std::fs::read(f).expect("read"),
        startxref: n("startxref"),
        size: n("size") as u32,
        root: n("root") as u32,
        catalog: v["catalog"].as_str().expect("catalog").to_owned(),
        contents: v["contents"].as_array().expect("contents").iter().filter_map(Value::as_u64).map(|x| x as u32).collect(),
    }
}

/// An incremental update: `objs` (raw `N 0 obj … endobj` bodies), a classic xref
/// table, and a trailer with `/Prev prev` (plus `extra`).
fn classic_update(base: &[u8], root: u32, size: u32, objs: &[(u32, Vec<u8>)], prev: &str, extra: &str) -> Vec<u8> {
    let mut out = base.to_vec();
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    let mut offsets = Vec::new();
    for (n, body) in objs {
        offsets.push((*n, out.len()));
        out.extend_from_slice(format!("{n} 0 obj\n").as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref_at = out.len();
    out.extend_from_slice(b"xref\n");
    for (n, off) in &offsets {
        out.extend_from_slice(format!("{n} 1\n{off:010} 00000 n \n").as_bytes());
    }
    let size = offsets.iter().map(|(n, _)| n + 1).max().unwrap_or(0).max(size);
    let prev = prev.replace("SELF", &xref_at.to_string());
    out.extend_from_slice(
        format!("trailer\n<< /Size {size} /Root {root} 0 R /Prev {prev} {extra} >>\nstartxref\n{xref_at}\n%%EOF\n").as_bytes(),
    );
    out
}

/// An update whose section is a cross-reference stream `xnum` with dictionary
/// entries `dict_extra` and raw `data`; `objs` are written before it and listed
/// in it as `/W [1 4 2]` entries of type 1 (plus `compressed`: (num, objstm, index)).
fn xref_stream_update(
    base: &[u8],
    i: &Info,
    objs: &[(u32, Vec<u8>)],
    compressed: &[(u32, u32, u16)],
    xnum: u32,
    dict_extra: &str,
    data: Option<Vec<u8>>,
) -> Vec<u8> {
    let mut out = base.to_vec();
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    let mut rows: Vec<(u32, [u8; 7])> = Vec::new();
    for (n, body) in objs {
        let off = out.len() as u32;
        let o = off.to_be_bytes();
        rows.push((*n, [1, o[0], o[1], o[2], o[3], 0, 0]));
        out.extend_from_slice(format!("{n} 0 obj\n").as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    for (n, stm, idx) in compressed {
        let s = stm.to_be_bytes();
        let x = idx.to_be_bytes();
        rows.push((*n, [2, s[0], s[1], s[2], s[3], x[0], x[1]]));
    }
    let xref_at = out.len() as u32;
    let o = xref_at.to_be_bytes();
    rows.push((xnum, [1, o[0], o[1], o[2], o[3], 0, 0]));
    rows.sort_by_key(|r| r.0);
    let index: Vec<String> = rows.iter().map(|r| format!("{} 1", r.0)).collect();
    let table: Vec<u8> = rows.iter().flat_map(|r| r.1).collect();
    let data = data.unwrap_or(table);
    let size = rows.iter().map(|r| r.0 + 1).max().unwrap_or(0).max(i.size);
    let length = if dict_extra.contains("/Length") { String::new() } else { format!("/Length {}", data.len()) };
    out.extend_from_slice(
        format!(
            "{xnum} 0 obj\n<< /Type /XRef /Size {size} /W [1 4 2] /Index [{}] /Root {} 0 R /Prev {} {length} {dict_extra} >>\nstream\n",
            index.join(" "),
            i.root,
            i.startxref
        )
        .as_bytes(),
    );
    out.extend_from_slice(&data);
    out.extend_from_slice(format!("\nendstream\nendobj\nstartxref\n{xref_at}\n%%EOF\n").as_bytes());
    out
}

/// A zlib stream of `gib` GiB of zeros, about 1 MB per GiB, made without
/// compressing a gigabyte: full-flush blocks are self-contained, so one
/// compressed mebibyte repeats.
fn flate_bomb(gib: usize) -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress};
    let zeros = vec![0u8; 1 << 20];
    let mut c = Compress::new(Compression::best(), true);
    let mut first = Vec::with_capacity(4096);
    c.compress_vec(&zeros, &mut first, FlushCompress::Full).expect("deflate");
    let mut chunk = Vec::with_capacity(4096);
    c.compress_vec(&zeros, &mut chunk, FlushCompress::Full).expect("deflate");
    assert_eq!(&first[2..], &chunk[..], "a full-flush block of zeros must repeat");
    let n = gib * 1024;
    let mut out = first;
    for _ in 1..n {
        out.extend_from_slice(&chunk);
    }
    out.extend_from_slice(&[0x03, 0x00]); // final empty fixed-Huffman block
    let total = (n as u64) << 20;
    let adler = ((total % 65521) << 16) | 1; // Adler-32 of zeros: a = 1, b = n mod 65521
    out.extend_from_slice(&(adler as u32).to_be_bytes());
    out
}

/// Run `kyso verify` under `/usr/bin/time -v` (when present) with a 30 s guard:
/// exit code, wall time and peak RSS in KiB.
fn verify_bounded(f: &Path) -> (i32, Duration, Option<u64>, Value) {
    let c = corpus();
    let time = Path::new("/usr/bin/time");
    let mut cmd = Command::new("timeout");
    cmd.arg("30");
    if time.exists() {
        cmd.arg(time).arg("-v");
    }
    cmd.arg(env!("CARGO_BIN_EXE_kyso"))
        .args(["verify", "--json", "--offline", "--trust"])
        .arg(c.tb.pki("root.pem"))
        .arg(f)
        .env("KYSO_DATA_DIR", c.tb.dir.join("kyso-data"));
    for (k, v) in isolated_env() {
        cmd.env(k, v);
    }
    let started = Instant::now();
    let out = cmd.output().expect("run kyso verify");
    let elapsed = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let rss =
        stderr.lines().find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes): ")).and_then(|v| v.trim().parse().ok());
    let code = out.status.code().unwrap_or(-1);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    let root = c.tb.pki("root.pem");
    let argv = ["verify", "--json", "--offline", "--trust", root.to_str().expect("utf8"), f.to_str().expect("utf8")];
    wine::assert_same_verdict_on_windows(&argv, code, &v, || linux_without_renderer(&argv));
    (code, elapsed, rss, v)
}

fn assert_bounded_verdict(name: &str, data: Vec<u8>) {
    let f = corpus().dir.join(format!("hostile-{name}.pdf"));
    std::fs::write(&f, data).expect("write hostile file");
    let (code, elapsed, rss, v) = verify_bounded(&f);
    let doc = file_report(&v);
    println!("{name}: exit {code}, {elapsed:?}, peak RSS {rss:?} KiB: {}", summary(doc));
    assert_ne!(code, 124, "{name}: killed after 30 s");
    assert!(elapsed < Duration::from_secs(20), "{name}: took {elapsed:?}");
    if let Some(kib) = rss {
        assert!(kib < 512 * 1024, "{name}: peak RSS {kib} KiB");
    }
    assert_eq!(code, 1, "{name}: expected a TOTAL_FAILED verdict: {}", summary(doc));
    assert_eq!(doc["indication"], "TOTAL_FAILED", "{name}");
}

fn hostile_base() -> Info {
    info(&corpus().kyso_signed)
}

#[test]
fn hostile_xref_prev_points_to_itself() {
    let i = hostile_base();
    let f = classic_update(&i.data, i.root, i.size, &[(i.size, b"<< /Kyso 1 >>".to_vec())], "SELF", "");
    assert_bounded_verdict("prev-self", f);
}

#[test]
fn hostile_xref_prev_cycle_of_two_sections() {
    let i = hostile_base();
    // Section A's /Prev names section B (written after it), B's names A. Offsets
    // are padded to a fixed width so that A's length does not depend on B's place.
    let a = classic_update(&i.data, i.root, i.size, &[(i.size, b"<< /A 1 >>".to_vec())], "0000000000", "");
    let a_xref = a.windows(5).rposition(|w| w == b"xref\n").expect("xref of A") as u64;
    let b_xref = a.len() as u64 + format!("{} 0 obj\n<< /B 1 >>\nendobj\n", i.size + 1).len() as u64;
    let a = classic_update(&i.data, i.root, i.size, &[(i.size, b"<< /A 1 >>".to_vec())], &format!("{b_xref:010}"), "");
    let b = classic_update(&a, i.root, i.size + 1, &[(i.size + 1, b"<< /B 1 >>".to_vec())], &a_xref.to_string(), "");
    assert_eq!(&b[b_xref as usize..b_xref as usize + 4], b"xref");
    assert_bounded_verdict("prev-cycle", b);
}

#[test]
fn hostile_xref_prev_past_end_of_file() {
    let i = hostile_base();
    let f = classic_update(&i.data, i.root, i.size, &[(i.size, b"<< /Kyso 1 >>".to_vec())], "1000000000000000", "");
    assert_bounded_verdict("prev-huge", f);
}

#[test]
fn hostile_xref_subsection_declares_huge_count() {
    let i = hostile_base();
    let mut out = i.data.clone();
    let xref_at = out.len();
    out.extend_from_slice(
        format!(
            "xref\n0 1000000000000\n0000000000 65535 f \ntrailer\n<< /Size 1000000000000 /Root {} 0 R /Prev {} >>\nstartxref\n{xref_at}\n%%EOF\n",
            i.root, i.startxref
        )
        .as_bytes(),
    );
    assert_bounded_verdict("xref-huge-count", out);
}

#[test]
fn hostile_stream_length_refers_to_itself() {
    let i = hostile_base();
    let c = i.contents[0];
    let body = format!("<< /Length {c} 0 R >>\nstream\nBT /F1 12 Tf (x) Tj ET\nendstream").into_bytes();
    let f = classic_update(&i.data, i.root, i.size, &[(c, body)], &i.startxref.to_string(), "");
    assert_bounded_verdict("length-self-content", f);
}

#[test]
fn hostile_xref_stream_length_refers_to_itself() {
    let i = hostile_base();
    let x = i.size + 5;
    let f = xref_stream_update(&i.data, &i, &[], &[], x, &format!("/Length {x} 0 R"), None);
    assert_bounded_verdict("length-self-xrefstm", f);
}

#[test]
fn hostile_deeply_nested_arrays() {
    let i = hostile_base();
    let depth = 100_000;
    let deep = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    // In the catalog (read first, to find the signature fields) …
    let cat = i.catalog.trim_end().strip_suffix(">>").expect("catalog dict").to_owned();
    let catalog = format!("{cat} /KysoDeep {deep} >>").into_bytes();
    let f = classic_update(&i.data, i.root, i.size, &[(i.root, catalog)], &i.startxref.to_string(), "");
    assert_bounded_verdict("deep-arrays-catalog", f);
    // … and as a rewritten page content object (read only by the difference analysis).
    let f = classic_update(&i.data, i.root, i.size, &[(i.contents[0], deep.into_bytes())], &i.startxref.to_string(), "");
    assert_bounded_verdict("deep-arrays-content", f);
}

#[test]
fn hostile_deeply_nested_dictionaries() {
    let i = hostile_base();
    let depth = 100_000;
    let deep = format!("{}{}", "<< /A ".repeat(depth), ">> ".repeat(depth));
    let f = classic_update(&i.data, i.root, i.size, &[(i.contents[0], deep.into_bytes())], &i.startxref.to_string(), "");
    assert_bounded_verdict("deep-dicts-content", f);
}

#[test]
fn hostile_huge_declared_stream_length() {
    let i = hostile_base();
    let body = b"<< /Length 1000000000000000 >>\nstream\nBT ET\nendstream".to_vec();
    let f = classic_update(&i.data, i.root, i.size, &[(i.contents[0], body)], &i.startxref.to_string(), "");
    assert_bounded_verdict("huge-length-content", f);
    let x = i.size + 5;
    let f = xref_stream_update(&i.data, &i, &[], &[], x, "/Length 1000000000000000", None);
    assert_bounded_verdict("huge-length-xrefstm", f);
}

#[test]
fn hostile_flate_bomb_in_xref_stream() {
    let i = hostile_base();
    let x = i.size + 5;
    let f = xref_stream_update(&i.data, &i, &[], &[], x, "/Filter /FlateDecode", Some(flate_bomb(1)));
    assert_bounded_verdict("bomb-xrefstm", f);
}

#[test]
fn hostile_flate_bomb_in_object_stream() {
    let i = hostile_base();
    let bomb = flate_bomb(1);
    let stm = i.size + 6;
    let mut body = format!("<< /Type /ObjStm /N 1 /First 8 /Filter /FlateDecode /Length {} >>\nstream\n", bomb.len()).into_bytes();
    body.extend_from_slice(&bomb);
    body.extend_from_slice(b"\nendstream");
    // The catalog now lives in the bomb (read first), …
    let f = xref_stream_update(&i.data, &i, &[(stm, body.clone())], &[(i.root, stm, 0)], i.size + 5, "", None);
    assert_bounded_verdict("bomb-objstm-catalog", f);
    // … or only the page content does (read by the difference analysis).
    let f = xref_stream_update(&i.data, &i, &[(stm, body)], &[(i.contents[0], stm, 0)], i.size + 5, "", None);
    assert_bounded_verdict("bomb-objstm-content", f);
}
