//! Real Vietnamese signed documents (issue 17).
//!
//! 1. Made-up decrees signed the way the Government Cipher Committee's flow signs
//!    real ones (`tests/fixtures/vn-real/make-decree.py`, generated here with the
//!    test PKI of `tests/common/trust.rs`): a tagged decree certified (P = 2) by
//!    the leader and time-stamped, then signed again by the issuing office —
//!    number, day, month and the seal each a new visible field tagged in the
//!    structure tree, with `/Info` and XMP rewritten. These always run.
//! 2. Published decrees signed by the committee's CAs, verified offline with only
//!    the bundled trust anchors. The files are described in
//!    `tests/fixtures/vn-real/README.md` (origin, SHA-256, expected verdicts); they
//!    live in `$KYSO_VN_CORPUS`, `$KYSO_SHARED/corpus/vn/` or `../shared/corpus/vn/`, not in the repository:
//!    ignored by default, run by `scripts/test.sh` whenever that folder exists.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::trust::{brief, current_crls, pki, repo, run_ok, scratch, Servers};
use serde_json::Value;
use sha2::{Digest, Sha256};

// ------------------------------------------------------------------ 1. the committee's flow, made up

/// `make-decree.py ARGS…`.
fn decree(args: &[&str]) {
    run_ok(Command::new("python3").arg(repo().join("tests/fixtures/vn-real/make-decree.py")).args(args).current_dir(&pki().dir));
}

/// The tagged draft certified (P = 2, visible, time-stamped) by `good` as the leader.
fn certified_decree(name: &str, tsa: &str) -> PathBuf {
    let (draft, certified) = (scratch(&format!("{name}-draft.pdf")), scratch(&format!("{name}-certified.pdf")));
    decree(&["draft", &s(&draft)]);
    decree(&["certify", &s(&draft), &s(&certified), "good.key", "good.pem", "chain.pem", "--tsa", tsa]);
    certified
}

/// The issuing office's step: field `field` at `rect` showing `text`.
fn office_signs(input: &Path, out: &Path, field: &str, rect: [u32; 4], text: &str, extra: &[&str]) {
    let r = rect.map(|v| v.to_string());
    let mut args =
        vec!["add", input.to_str().expect("utf-8"), out.to_str().expect("utf-8"), "coquan.key", "coquan.pem", "chain.pem", field];
    args.extend(r.iter().map(String::as_str));
    args.push(text);
    args.extend_from_slice(extra);
    decree(&args);
}

fn s(p: &Path) -> String {
    p.to_str().expect("utf-8").to_owned()
}

/// `kyso verify --json --offline --trust root.pem --crl … FILE` (the test PKI).
fn verify_test_pki(f: &Path) -> (i32, Value) {
    common::trust::verify(f, &[&current_crls()[0], &current_crls()[1]])
}

/// A certified decree signed again four times by the issuing office (number,
/// day, month in the blanks of the heading; the seal over the leader's signature),
/// each step tagging its widget in the structure tree and rewriting `/Info` and
/// XMP, every signature time-stamped: all five valid, the certification lists the
/// four added signatures, and poppler and qpdf agree the file is sound.
#[test]
fn a_certified_decree_signed_again_by_the_issuing_office_is_valid() {
    let servers = Servers::start();
    let tsa = format!("http://127.0.0.1:{}/tsa", pki().http);
    let mut f = certified_decree("decree", &tsa);
    let steps: [(&str, [u32; 4], &str); 4] = [
        ("So", [93, 751, 128, 768], "50"),
        ("Ngay", [368, 751, 398, 766], "31"),
        ("Thang", [430, 751, 458, 766], "01"),
        ("DongDau", [405, 315, 520, 380], "CHINH PHU"),
    ];
    for (i, (field, rect, text)) in steps.iter().enumerate() {
        let out = scratch(&format!("decree-{i}.pdf"));
        office_signs(&f, &out, field, *rect, text, &["--tsa", &tsa]);
        f = out;
    }
    drop(servers);
    let (code, d) = verify_test_pki(&f);
    assert_eq!(d["indication"], "TOTAL_PASSED", "{}", brief(&d));
    assert_eq!(code, 0);
    assert_eq!(d["docmdp"], 2);
    let sigs = d["signatures"].as_array().expect("signatures");
    assert_eq!(
        sigs.iter().map(|s| s["field"].as_str().unwrap_or("")).collect::<Vec<_>>(),
        ["Signature1", "So", "Ngay", "Thang", "DongDau"]
    );
    for s in sigs {
        assert_eq!(s["indication"], "TOTAL_PASSED", "{}: {}", s["field"], s["messageEn"]);
        assert_eq!(s["timestamps"][0]["status"], "valid", "{}: {}", s["field"], s["timestamps"]);
        assert_eq!(s["validationTime"]["basis"], "signatureTimestamp", "{}", s["field"]);
    }
    let added = sigs[0]["addedSignatures"].as_array().cloned().unwrap_or_default();
    assert_eq!(added.len(), 4, "{added:?}");
    let msg = sigs[0]["messageEn"].as_str().unwrap_or("");
    assert!(msg.contains("4 signatures added by CHÍNH PHỦ"), "{msg}");
    // What the office's updates touched, as the analysis lists it.
    let changes = sigs[0]["modifications"]["changes"].as_array().cloned().unwrap_or_default();
    let kinds: Vec<&str> = changes.iter().filter_map(|c| c["kind"].as_str()).collect();
    for k in ["signatureAdded", "structureTree", "docInfo", "xmpMetadata"] {
        assert!(kinds.contains(&k), "{k} missing: {kinds:?}");
    }
    // Outside judges: poppler checks every digest and signature, qpdf the structure.
    let p = Command::new("pdfsig").arg(&f).output().expect("pdfsig");
    assert_eq!(String::from_utf8_lossy(&p.stdout).matches("Signature is Valid").count(), 5, "{}", String::from_utf8_lossy(&p.stdout));
    let q = Command::new("qpdf").arg("--check").arg(&f).output().expect("qpdf");
    assert!(q.status.success(), "{}", String::from_utf8_lossy(&q.stdout));
}

/// The same flow, but the office's "signature" is an opaque box over two lines
/// of the certified text: the certification is broken (the covering signature
/// itself is valid), and the message says which field covers what.
#[test]
fn a_later_signature_over_the_certified_text_breaks_the_certification() {
    let servers = Servers::start();
    let tsa = format!("http://127.0.0.1:{}/tsa", pki().http);
    let certified = certified_decree("decree-over", &tsa);
    let f = scratch("decree-over.pdf");
    office_signs(&certified, &f, "Dieu1", [66, 565, 520, 598], "Dieu 1. (da sua) Thu hoi toan bo dat", &["--tsa", &tsa, "--over"]);
    drop(servers);
    let (code, d) = verify_test_pki(&f);
    assert_eq!(d["indication"], "TOTAL_FAILED", "{}", brief(&d));
    assert_eq!(d["subIndication"], "POST_SIGNING_MODIFICATION", "{}", brief(&d));
    assert_eq!(code, 1);
    let sigs = d["signatures"].as_array().expect("signatures");
    let msg = sigs[0]["messageEn"].as_str().unwrap_or("");
    assert!(msg.contains("'Dieu1'") && msg.contains("covers signed content on page 1"), "{msg}");
    assert_eq!(sigs[1]["indication"], "TOTAL_PASSED", "{}", sigs[1]["messageEn"]);
}

// ------------------------------------------------------------------ 2. G1 and MIC stand-ins, made up

/// The stand-ins of `make-g1-like.py` (made once per test process).
fn g1_like() -> &'static Path {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        // One set per test process (nextest runs each test in its own).
        let dir = scratch(&format!("g1-like-{}", std::process::id()));
        let draft = scratch(&format!("g1-like-draft-{}.pdf", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        decree(&["draft", &s(&draft)]);
        run_ok(Command::new("python3").arg(repo().join("tests/fixtures/vn-real/make-g1-like.py")).arg(&dir).arg(&draft));
        dir
    })
}

/// One certificate of the stand-ins, parsed, with its DER.
fn cert(name: &str) -> (x509_cert::Certificate, Vec<u8>) {
    use der::Decode;
    let der = std::fs::read(g1_like().join(format!("{name}.der"))).expect("certificate");
    (x509_cert::Certificate::from_der(&der).expect("DER"), der)
}

/// Verify `file` offline with `store` and the stand-ins' current CRLs: the JSON report.
fn verify_with(file: &str, store: kyso::trust::TrustStore) -> Value {
    use kyso::verify::engine::{verify_file, VerifyOptions};
    let opts = VerifyOptions {
        trust: store,
        crl_files: ["g1-cp.crl", "g1-root.crl", "mic-ca.crl", "mic-root.crl"].iter().map(|c| g1_like().join(c)).collect(),
        offline: true,
        cache: kyso::verify::revocation::RevocationCache::in_memory(),
        file_digest: false,
        archive_poe: None,
    };
    serde_json::to_value(verify_file(&g1_like().join(file), &opts)).expect("json")
}

/// A store holding the stand-ins pinned as KýSố pins the real G1 and MIC CAs
/// (root as anchor, issuing CA as intermediate), nothing else.
fn pinned_store() -> kyso::trust::TrustStore {
    let mut store = kyso::trust::TrustStore::empty();
    for (name, root) in [("g1-root", true), ("g1-cp", false), ("mic-root", true)] {
        let (c, der) = cert(name);
        store.add_pinned(c, &der, root, format!("{name}.der"));
    }
    store
}

fn weak_list(sig: &Value) -> String {
    sig["weakAlgorithms"].to_string()
}

/// An agency seal issued in 2025 under the G1 stand-in: the CMS embeds only the
/// signer's certificate (its issuer name written with PrintableStrings, the CA's
/// own subject with UTF8Strings), the issuing CA comes from the store, both CA
/// certificates are SHA-1 signed (accepted because pinned, and reported), and the
/// time-stamp of "Máy chủ cấp dấu thời gian 01" — a TSA certificate the root
/// signed with SHA-1 in 2015 — is valid. Without the pins the same file is
/// INDETERMINATE (SHA-1 with no proof from before 2021): the pin is what makes
/// the G1 chain acceptable.
#[test]
fn a_g1_agency_seal_with_only_its_own_certificate_is_valid_through_the_pinned_chain() {
    let d = verify_with("g1-seal.pdf", pinned_store());
    assert_eq!(d["indication"], "TOTAL_PASSED", "{}", brief(&d));
    let s0 = &d["signatures"][0];
    let path: Vec<&str> = s0["chain"]["path"].as_array().expect("path").iter().map(|e| e["subject"].as_str().unwrap_or("")).collect();
    assert_eq!(path.len(), 3, "{path:?}");
    assert!(path[1].contains("Co quan chung thuc so Chinh phu") && path[2].contains("RootCA"), "{path:?}");
    assert_eq!(s0["chain"]["path"][1]["pinned"], true);
    assert!(s0["trustAnchor"]["name"].as_str().unwrap_or("").contains("RootCA thu nghiem"), "{}", s0["trustAnchor"]);
    assert!(weak_list(s0).contains("(pinned)"), "{}", weak_list(s0));
    let ts = &s0["timestamps"][0];
    assert_eq!(ts["status"], "valid", "{ts}");
    assert!(ts["tsa"].as_str().unwrap_or("").contains("May chu cap dau thoi gian 01"), "{ts}");
    assert_eq!(ts["chain"]["path"][0]["pinnedRootIssued"], true, "{ts}");
    assert_eq!(s0["validationTime"]["basis"], "signatureTimestamp");

    // The same CAs trusted only as an ordinary anchor and helper: not acceptable.
    let mut plain = kyso::trust::TrustStore::empty();
    let (root, der) = cert("g1-root");
    plain.add_anchor(root, &der, kyso::trust::AnchorSource::CommandLine, "g1-root.der".into());
    plain.add_intermediate(cert("g1-cp").0);
    let d = verify_with("g1-seal.pdf", plain);
    assert_eq!(d["indication"], "INDETERMINATE", "{}", brief(&d));
    assert_eq!(d["subIndication"], "CRYPTO_CONSTRAINTS_FAILURE_NO_POE", "{}", brief(&d));
    assert!(d["signatures"][0]["messageEn"].as_str().unwrap_or("").contains("SHA-1"), "{}", brief(&d));
}

/// A certificate the pinned G1 issuing CA signed with SHA-1 in 2025: never
/// acceptable, pins or not, time-stamp or not.
#[test]
fn a_sha1_certificate_issued_in_2025_under_the_pinned_g1_ca_is_refused() {
    let d = verify_with("g1-sha1seal.pdf", pinned_store());
    assert_eq!(d["indication"], "INDETERMINATE", "{}", brief(&d));
    assert_eq!(d["subIndication"], "CRYPTO_CONSTRAINTS_FAILURE_NO_POE", "{}", brief(&d));
    let msg = d["signatures"][0]["messageEn"].as_str().unwrap_or("");
    assert!(msg.contains("BỘ XÂY DỰNG (SHA-1)") && msg.contains("sha1WithRSAEncryption"), "{msg}");
}

/// A public CA's signature of the MIC era: the file embeds the whole chain, root
/// included; the issuing CA was signed by the pinned root with SHA-1 in 2012
/// (accepted, reported); the signer's certificate (2019) is SHA-256. Valid, and
/// trusted to the MIC root. With another root of the same name pinned instead,
/// the embedded root is an untrusted look-alike.
#[test]
fn a_public_ca_signature_under_the_mic_root_stand_in_is_trusted() {
    let d = verify_with("mic.pdf", pinned_store());
    assert_eq!(d["indication"], "TOTAL_PASSED", "{}", brief(&d));
    let s0 = &d["signatures"][0];
    assert!(s0["trustAnchor"]["name"].as_str().unwrap_or("").contains("MIC National Root CA"), "{}", s0["trustAnchor"]);
    assert_eq!(s0["chain"]["path"][1]["pinnedRootIssued"], true, "{}", s0["chain"]);
    assert!(weak_list(s0).contains("NEWTEL-CA") && weak_list(s0).contains("(pinned)"), "{}", weak_list(s0));

    // The real MIC root (same role, another key) pinned instead: no chain.
    let d = verify_with("mic.pdf", kyso::trust::TrustStore::bundled());
    assert_eq!(d["indication"], "INDETERMINATE", "{}", brief(&d));
    assert_eq!(d["subIndication"], "NO_CERTIFICATE_CHAIN_FOUND", "{}", brief(&d));
    assert_eq!(d["signatures"][0]["chain"]["status"]["untrustedRoot"], true);
}

// ------------------------------------------------------------------ 3. published decrees (kept out of the repository)

fn corpus() -> PathBuf {
    let d = std::env::var_os("KYSO_VN_CORPUS").map(PathBuf::from).unwrap_or_else(|| {
        std::env::var_os("KYSO_SHARED")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"))
            .join("corpus/vn")
    });
    assert!(d.is_dir(), "the real documents are missing: {} (set KYSO_VN_CORPUS; tests/fixtures/vn-real/README.md)", d.display());
    d
}

/// The file, checked against its pinned SHA-256.
fn file(name: &str, sha256: &str) -> PathBuf {
    let p = corpus().join(name);
    let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    assert_eq!(hex::encode(Sha256::digest(&bytes)), sha256, "{name} is not the published file");
    p
}

/// `kyso verify --json --offline FILE` with no user trust folder: the file's report.
fn verify(f: &Path) -> Value {
    let cfg = tempfile::tempdir().expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_kyso"))
        .args(["verify", "--json", "--offline"])
        .arg(f)
        .env("XDG_CONFIG_HOME", cfg.path())
        .env("XDG_CACHE_HOME", cfg.path())
        .output()
        .expect("run kyso");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    v["files"][0].clone()
}

fn pdfsig_valid_count(f: &Path) -> usize {
    let out = Command::new("pdfsig").arg(f).output().expect("run pdfsig");
    String::from_utf8_lossy(&out.stdout).matches("Signature is Valid").count()
}

/// Every signature intact and trusted to the G2 root, time-stamped by the
/// committee's TSA (imprint and token signature checked), nothing disallowed after
/// it; only revocation is left open offline.
fn assert_g2_signatures(d: &Value, n: usize) {
    assert_eq!(d["indication"], "INDETERMINATE", "{}", d["messageEn"]);
    assert_eq!(d["subIndication"], "TRY_LATER", "{}", d["messageEn"]);
    let sigs = d["signatures"].as_array().expect("signatures");
    assert_eq!(sigs.len(), n);
    for s in sigs {
        assert_eq!(s["cms"]["digestOk"], true, "{}", s["field"]);
        assert_eq!(s["cms"]["signatureOk"], true, "{}", s["field"]);
        assert_eq!(s["chain"]["status"]["kind"], "trusted", "{}", s["chain"]);
        assert!(s["trustAnchor"]["name"].as_str().unwrap_or("").contains("RootCA chuyên dùng Chính phủ G2"), "{}", s["trustAnchor"]);
        assert_eq!(s["modificationsAllowed"], true, "{}: {}", s["field"], s["messageEn"]);
        assert_eq!(s["subIndication"], "TRY_LATER", "{}: {}", s["field"], s["messageEn"]);
        let ts = &s["timestamps"][0];
        assert!(ts["tsa"].as_str().unwrap_or("").contains("Máy chủ cấp dấu thời gian"), "{ts}");
        assert_eq!(ts["imprintOk"], true, "{ts}");
        assert_eq!(ts["signatureOk"], true, "{ts}");
    }
}

#[test]
#[ignore = "needs the published PDFs in ../shared/corpus/vn (tests/fixtures/vn-real/README.md)"]
fn a_g2_agency_seal_with_a_committee_time_stamp() {
    let f = file("49-2026-ND-CP.pdf", "287c92d7156240acbf6137db82143cfd656f78c0ab9b8ad3f44da237b35345ce");
    let d = verify(&f);
    assert_g2_signatures(&d, 1);
    assert_eq!(d["docmdp"], 2);
    assert_eq!(pdfsig_valid_count(&f), 1);
    let f = file("199-ndcp.signed.pdf", "4671a6a737d674b6f9c7ba81e90844ba1dd737d4cfb420b6e9c979bb33f50899");
    let d = verify(&f);
    assert_g2_signatures(&d, 1);
    assert_eq!(pdfsig_valid_count(&f), 1);
}

#[test]
#[ignore = "needs the published PDFs in ../shared/corpus/vn (tests/fixtures/vn-real/README.md)"]
fn a_certified_decree_signed_again_by_the_issuing_office() {
    let f = file("50-2026-ND-CP.pdf", "8a881a425c7d888605b70a9b442ed4c8355a3031c6d52fb8b184e211e3354ec2");
    let d = verify(&f);
    assert_g2_signatures(&d, 6);
    assert_eq!(d["docmdp"], 2);
    let added = d["signatures"][0]["addedSignatures"].as_array().cloned().unwrap_or_default();
    assert_eq!(added.len(), 5, "{added:?}");
    assert!(added.iter().all(|a| a.as_str().unwrap_or("").contains("CHÍNH PHỦ")), "{added:?}");
    // The clerk reads what was added even while the verdict waits for revocation.
    let msg = d["signatures"][0]["messageEn"].as_str().unwrap_or("");
    assert!(msg.contains("5 signatures added by CHÍNH PHỦ"), "{msg}");
    assert_eq!(pdfsig_valid_count(&f), 6);
}
