//! Real Vietnamese signed documents (issue 17): published decrees signed by the
//! Government Cipher Committee's CAs, verified offline with only the bundled trust
//! anchors. The files are described in `tests/fixtures/vn-real/README.md` (origin,
//! SHA-256, expected verdicts); they live in `../shared/corpus/vn/` (or
//! `KYSO_VN_CORPUS`), not in the repository: ignored by default, run by
//! `scripts/test.sh` whenever that folder exists.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use sha2::{Digest, Sha256};

fn corpus() -> PathBuf {
    let d = std::env::var_os("KYSO_VN_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/vn"));
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
