//! The token's life cycle (SPEC R16, issue 13) through real SoftHSM2 tokens, each
//! test on its own copy of the test bed's tokens (the shared token is never locked
//! or changed): unblock with the SO PIN, the recovery request when the SO PIN is
//! locked, a renewed certificate written beside its key, the handover record signed
//! by both people, and the right signer for the block.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{kyso, one_error_line, private_tokens, sha256_file, testbed, tool_present, validate, Testbed};

/// A scratch folder and a private copy of the tokens (its `softhsm2.conf`).
struct Scene {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    conf: String,
}

fn scene(tb: &Testbed) -> Scene {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().to_owned();
    let conf = private_tokens(tb, &dir).to_string_lossy().into_owned();
    Scene { _tmp: tmp, dir, conf }
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// `kyso` on the scene's tokens, with `stdin` piped in.
fn run(tb: &Testbed, sc: &Scene, args: &[&str], env: &[(&str, &str)], stdin: &str) -> Output {
    use std::io::Write;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kyso"));
    cmd.args(args)
        .env("SOFTHSM2_CONF", &sc.conf)
        .env("KYSO_DATA_DIR", sc.dir.join("data"))
        .env_remove("KYSO_PIN")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let _ = tb;
    let mut child = cmd.spawn().expect("spawn kyso");
    if let Some(mut i) = child.stdin.take() {
        let _ = i.write_all(stdin.as_bytes());
    }
    child.wait_with_output().expect("kyso output")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn set_flags(sc: &Scene, flag: &str) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lock-token.py");
    let o = Command::new("python3")
        .arg(&script)
        .arg(sc.dir.join("tokens"))
        .arg("KYSO-TEST")
        .arg("--flag")
        .arg(flag)
        .output()
        .expect("lock-token.py");
    assert!(o.status.success(), "lock-token.py: {}", text(&o));
}

/// The KYSO-TEST token of `kyso tokens --json`.
fn token_json(tb: &Testbed, sc: &Scene) -> serde_json::Value {
    let o = run(tb, sc, &["tokens", "--module", &tb.module(), "--json"], &[], "");
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    v["modules"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|m| m["tokens"].as_array().cloned().unwrap_or_default())
        .find(|t| t["label"] == "KYSO-TEST")
        .expect("KYSO-TEST listed")
}

fn sign_args<'a>(tb: &'a Testbed, input: &'a str, out: &'a str, cert: &'a str, module: &'a str) -> Vec<&'a str> {
    let _ = tb;
    vec!["sign", input, "-o", out, "--module", module, "--token", "KYSO-TEST", "--cert", cert]
}

fn cert_serial(pem: &Path) -> String {
    use der::DecodePem;
    let c = x509_cert::Certificate::from_pem(std::fs::read(pem).expect("pem")).expect("certificate");
    hex::encode_upper(c.tbs_certificate.serial_number.as_bytes())
}

/// The signers' serial numbers as `kyso verify --json` reports them.
fn signer_serials(tb: &Testbed, sc: &Scene, pdf: &Path) -> Vec<String> {
    let root = tb.var("KYSO_TEST_ROOT");
    let o = run(tb, sc, &["verify", s(pdf), "--json", "--trust", &root, "--offline"], &[], "");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|_| panic!("verify json: {}", text(&o)));
    let doc = v["files"][0].clone();
    doc["signatures"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|sig| sig["signer"]["serial"].as_str().unwrap_or_default().to_ascii_uppercase().replace(':', ""))
        .collect()
}

fn pdftotext(pdf: &Path) -> String {
    let o = Command::new("pdftotext").arg(pdf).arg("-").output();
    assert!(tool_present("pdftotext", o.is_ok()));
    String::from_utf8_lossy(&o.expect("pdftotext").stdout).into_owned()
}

#[test]
fn locked_pin_unblocked_with_the_so_pin_then_signs_with_the_new_pin() {
    let tb = testbed();
    let sc = scene(&tb);
    let module = tb.module();
    set_flags(&sc, "0x40000"); // CKF_USER_PIN_LOCKED
    assert_eq!(token_json(&tb, &sc)["pin"]["locked"], true);
    let input = tb.draft("draft-lo.pdf");
    let out = sc.dir.join("signed.pdf");
    let o = run(&tb, &sc, &sign_args(&tb, s(&input), s(&out), "01", &module), &[("KYSO_PIN", "123456")], "");
    assert!(!o.status.success() && !out.exists(), "a locked token must not sign: {}", text(&o));

    // The two new PINs differ: nothing is changed.
    let o = run(&tb, &sc, &["token", "unblock", "--module", &module, "--token", "KYSO-TEST"], &[], "12345678\n654321\n654322\n");
    let line = one_error_line(&o);
    assert!(line.contains("Hai lần nhập mã PIN mới không giống nhau"), "{line}");
    assert_eq!(token_json(&tb, &sc)["pin"]["locked"], true);

    // A wrong SO PIN: refused, and the SO tries are shown.
    let o = run(&tb, &sc, &["token", "unblock", "--module", &module, "--token", "KYSO-TEST"], &[], "00000000\n654321\n654321\n");
    assert!(!o.status.success());
    let t = text(&o);
    assert!(t.contains("Mã mở khóa (PUK/SO PIN) không đúng") && t.contains("còn ít lần thử"), "{t}");
    assert!(!t.contains("00000000") && !t.contains("654321"), "a PIN in the output: {t}");
    assert_eq!(token_json(&tb, &sc)["pin"]["soTries"], "low");
    let o = run(&tb, &sc, &["--lang", "en", "token", "unblock", "--module", &module, "--token", "KYSO-TEST"], &[], "1\n2\n2\n");
    assert!(text(&o).contains("Unblock code: a wrong code was entered, few tries left."), "{}", text(&o));

    // The right SO PIN: the new PIN is set and the lock is gone.
    let o = run(&tb, &sc, &["token", "unblock", "--module", &module, "--token", "KYSO-TEST"], &[], "12345678\n654321\n654321\n");
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("Đã mở khóa thiết bị \"KYSO-TEST\""), "{}", text(&o));
    let tok = token_json(&tb, &sc);
    assert_eq!(tok["pin"]["locked"], false, "{tok}");

    // The old PIN no longer signs; the new one does, and the judges accept it.
    let o = run(&tb, &sc, &sign_args(&tb, s(&input), s(&out), "01", &module), &[("KYSO_PIN", "123456")], "");
    assert!(!o.status.success() && !out.exists(), "the old PIN signed: {}", text(&o));
    let o = run(&tb, &sc, &sign_args(&tb, s(&input), s(&out), "01", &module), &[("KYSO_PIN", "654321")], "");
    assert!(o.status.success(), "{}", text(&o));
    validate(&tb, &out, Some(&input), Some(1));

    // `kyso token change-pin` on the CLI too.
    let o = run(&tb, &sc, &["token", "change-pin", "--module", &module, "--token", "KYSO-TEST"], &[], "654321\n111222\n111222\n");
    assert!(o.status.success(), "{}", text(&o));
    let out2 = sc.dir.join("signed2.pdf");
    let o = run(&tb, &sc, &sign_args(&tb, s(&input), s(&out2), "01", &module), &[("KYSO_PIN", "111222")], "");
    assert!(o.status.success(), "{}", text(&o));
}

#[test]
fn so_pin_locked_writes_the_recovery_request() {
    let tb = testbed();
    let sc = scene(&tb);
    let module = tb.module();
    set_flags(&sc, "0x440000"); // CKF_SO_PIN_LOCKED | CKF_USER_PIN_LOCKED
    let serial = token_json(&tb, &sc)["serial"].as_str().expect("serial").to_owned();
    let req = sc.dir.join("requests");
    let o = run(
        &tb,
        &sc,
        &["token", "unblock", "--module", &module, "--token", "KYSO-TEST", "--out-dir", s(&req), "--holder", "Nguyễn Văn An"],
        &[],
        "",
    );
    assert!(!o.status.success(), "an SO-locked token cannot be unblocked");
    let t = text(&o);
    assert!(t.contains("Mã mở khóa (PUK/SO PIN) của thiết bị cũng đã bị khóa"), "{t}");
    let pdf = req.join(format!("de-nghi-khoi-phuc-{serial}.pdf"));
    let txt = req.join(format!("de-nghi-khoi-phuc-{serial}.txt"));
    assert!(pdf.is_file() && txt.is_file(), "{t}");
    let page = pdftotext(&pdf);
    for want in [serial.as_str(), "SoftHSM v2", "ĐỀ NGHỊ KHÔI PHỤC", "Nguyễn Văn An", "Sở Khoa học và Công nghệ"] {
        assert!(page.contains(want), "{want} missing from the request:\n{page}");
    }
    let plain = std::fs::read_to_string(&txt).expect("txt");
    assert!(plain.contains(&serial) && plain.contains("Số sê-ri chứng thư"), "{plain}");
    let q = Command::new("qpdf").arg("--check").arg(&pdf).output().expect("qpdf");
    assert!(q.status.success(), "qpdf --check: {}", text(&q));
    // A second request does not replace the first.
    let o = run(&tb, &sc, &["token", "unblock", "--module", &module, "--token", "KYSO-TEST", "--out-dir", s(&req)], &[], "");
    assert!(!o.status.success());
    assert!(req.join(format!("de-nghi-khoi-phuc-{serial}-2.pdf")).is_file());
}

#[test]
fn renewed_certificate_is_written_beside_its_key_and_signs() {
    let tb = testbed();
    let sc = scene(&tb);
    let module = tb.module();
    let root = tb.var("KYSO_TEST_ROOT");
    let pin = [("KYSO_PIN", "123456")];
    let import = |file: &str, extra: &[&str]| {
        let p = tb.pki(file);
        let mut a = vec!["token", "import-cert", s(&p), "--module", &module, "--token", "KYSO-TEST", "--trust", &root];
        a.extend_from_slice(extra);
        run(&tb, &sc, &a, &pin, "")
    };
    let ids = |tok: &serde_json::Value| -> Vec<(String, String)> {
        tok["certificates"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| (c["id"].as_str().unwrap_or_default().to_owned(), c["serial"].as_str().unwrap_or_default().to_owned()))
            .collect()
    };
    let before = ids(&token_json(&tb, &sc));

    // Refused: a key the token does not hold; a certificate no anchor vouches for.
    let o = import("stranger-rsa2048.pem", &[]);
    let line = one_error_line(&o);
    assert!(line.contains("không có khóa bí mật") && line.contains("Hoàng Văn Em"), "{line}");
    let o = import("personal-rsa2048-rogue.pem", &[]);
    let line = one_error_line(&o);
    assert!(line.contains("không được tổ chức chứng thực tin cậy cấp"), "{line}");
    assert_eq!(ids(&token_json(&tb, &sc)), before, "a refused import changed the token");

    // The renewal as a .p7b: written beside key 01, the newest first in the inventory.
    let renewed = cert_serial(&tb.pki("personal-rsa2048-renewed.pem"));
    let old = cert_serial(&tb.pki("personal-rsa2048.pem"));
    let o = import("personal-rsa2048-renewed.p7b", &["--json"]);
    assert!(o.status.success(), "{}", text(&o));
    let rep: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(rep["id"], "01");
    assert_eq!(rep["written"], true);
    assert!(rep["label"].as_str().unwrap_or_default().starts_with("Nguyễn Văn An (đến "), "{rep}");
    assert!(rep["caWritten"].as_array().is_some_and(|a| a.iter().any(|c| c.as_str().unwrap_or_default().contains("Root CA"))), "{rep}");
    let tok = token_json(&tb, &sc);
    let of01: Vec<&serde_json::Value> = tok["certificates"].as_array().into_iter().flatten().filter(|c| c["id"] == "01").collect();
    assert_eq!(of01.len(), 2, "{tok}");
    assert_eq!(of01[0]["serial"].as_str().unwrap_or_default().to_ascii_uppercase(), renewed, "the renewal pairs with key 01 first");
    // Without a login SoftHSM2 shows the public key of the pair.
    assert!(of01[0]["keyEvidence"] == "privateKey" || of01[0]["keyEvidence"] == "publicKey", "{tok}");
    // Importing it again writes nothing.
    let o = import("personal-rsa2048-renewed.cer", &["--json"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("\"written\": false"), "{}", text(&o));

    // Signing with key 01 uses the renewed certificate.
    let input = tb.draft("draft-lo.pdf");
    let out = sc.dir.join("renewed.pdf");
    let o = run(&tb, &sc, &sign_args(&tb, s(&input), s(&out), "01", &module), &pin, "");
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(signer_serials(&tb, &sc, &out), vec![renewed.clone()]);
    validate(&tb, &out, Some(&input), Some(1));

    // --remove-old: only the renewal is left on key 01.
    let o = import("personal-rsa2048-renewed.pem", &["--remove-old", "--json"]);
    assert!(o.status.success(), "{}", text(&o));
    let rep: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(rep["removed"].as_array().map(Vec::len), Some(1), "{rep}");
    let tok = token_json(&tb, &sc);
    let of01: Vec<String> = tok["certificates"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["id"] == "01")
        .map(|c| c["serial"].as_str().unwrap_or_default().to_ascii_uppercase())
        .collect();
    assert_eq!(of01, vec![renewed], "old {old} still there");
}

#[test]
fn handover_record_signed_by_both_people() {
    let tb = testbed();
    let sc = scene(&tb);
    let module = tb.module();
    let pdf = sc.dir.join("ban-giao.pdf");
    let o = run(
        &tb,
        &sc,
        &[
            "handover",
            "--module",
            &module,
            "--token",
            "KYSO-TEST",
            "--from",
            "Nguyễn Văn An",
            "--to",
            "Trần Thị Bình",
            "--witness",
            "Lê Hoàng Cường",
            "--date",
            "04/05/2026",
            "-o",
            s(&pdf),
            "--json",
        ],
        &[],
        "",
    );
    assert!(o.status.success(), "{}", text(&o));
    let rep: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let serial = token_json(&tb, &sc)["serial"].as_str().expect("serial").to_owned();
    let page = pdftotext(&pdf);
    for want in
        [serial.as_str(), "BIÊN BẢN BÀN GIAO", "Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng Cường", "04/05/2026", "BÊN GIAO", "BÊN NHẬN"]
    {
        assert!(page.contains(want), "{want} missing:\n{page}");
    }
    assert!(rep["documentId"].as_i64().is_some(), "{rep}");

    // Both personal signatures, each person with their own certificate.
    let pin = [("KYSO_PIN", "123456")];
    let one = sc.dir.join("ban-giao.1.pdf");
    let two = sc.dir.join("ban-giao.2.pdf");
    let o = run(&tb, &sc, &sign_args(&tb, s(&pdf), s(&one), "01", &module), &pin, "");
    assert!(o.status.success(), "{}", text(&o));
    let o = run(&tb, &sc, &sign_args(&tb, s(&one), s(&two), "02", &module), &pin, "");
    assert!(o.status.success(), "{}", text(&o));
    validate(&tb, &two, Some(&one), Some(2));
    let root = tb.var("KYSO_TEST_ROOT");
    let o = run(&tb, &sc, &["verify", s(&two), "--trust", &root, "--offline", "--json"], &[], "");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("verify json");
    let doc = v["files"][0].clone();
    let sigs = doc["signatures"].as_array().cloned().unwrap_or_default();
    assert_eq!(sigs.len(), 2);
    // Offline and without CRLs in the test PKI: only the revocation status is open.
    assert!(
        sigs.iter().all(|s| s["indication"] == "TOTAL_PASSED" || (s["indication"] == "INDETERMINATE" && s["subIndication"] == "TRY_LATER")),
        "{doc}"
    );
    assert!(sigs.iter().all(|s| s["chain"]["anchor"]["origin"] == root.as_str()), "{doc}");

    // The report lists the handover.
    let o = run(&tb, &sc, &["archive", "report", "--year", "2026"], &[], "");
    let t = text(&o);
    assert!(o.status.success() && t.contains("Bàn giao thiết bị ký số năm 2026: 1"), "{t}");
    assert!(t.contains("Nguyễn Văn An → Trần Thị Bình") && t.contains(&serial), "{t}");
}

#[test]
fn name_check_before_a_personal_signature() {
    let tb = testbed();
    let sc = scene(&tb);
    let module = tb.module();
    let pin = [("KYSO_PIN", "123456")];
    // draft-lo.pdf ends with KT. CHỦ TỊCH / PHÓ CHỦ TỊCH / Nguyễn Văn An.
    let input = tb.draft("draft-lo.pdf");
    let sha = sha256_file(&input);
    let mine = sc.dir.join("an.pdf");
    let o = run(&tb, &sc, &sign_args(&tb, s(&input), s(&mine), "01", &module), &pin, "");
    assert!(o.status.success(), "the person named signs: {}", text(&o));

    // Another person's certificate (Trần Thị Bình): refused on the CLI, before the PIN.
    let other = sc.dir.join("binh.pdf");
    let o = run(&tb, &sc, &sign_args(&tb, s(&input), s(&other), "02", &module), &[("KYSO_PIN", "999999")], "");
    let line = one_error_line(&o);
    assert!(line.contains("\"Nguyễn Văn An\"") && line.contains("\"Trần Thị Bình\"") && line.contains("KT."), "{line}");
    assert!(!other.exists());
    let o = run(
        &tb,
        &sc,
        &["--lang", "en"].iter().copied().chain(sign_args(&tb, s(&input), s(&other), "02", &module)).collect::<Vec<_>>(),
        &pin,
        "",
    );
    assert!(one_error_line(&o).contains("--allow-name-mismatch"));
    // Folding: the name typed in lower case without diacritics still picks and matches.
    let folded = sc.dir.join("an-folded.pdf");
    let mut a = sign_args(&tb, s(&input), s(&folded), "01", &module);
    a.extend(["--signer-name", "nguyen  van an"]);
    let o = run(&tb, &sc, &a, &pin, "");
    assert!(o.status.success(), "{}", text(&o));
    // Confirmed: signs.
    let mut a = sign_args(&tb, s(&input), s(&other), "02", &module);
    a.push("--allow-name-mismatch");
    let o = run(&tb, &sc, &a, &pin, "");
    assert!(o.status.success(), "{}", text(&o));

    // The agency certificate in a KT. block: refused even when confirmed.
    let agency = sc.dir.join("agency.pdf");
    let mut a = sign_args(&tb, s(&input), s(&agency), "04", &module);
    a.push("--allow-name-mismatch");
    let o = run(&tb, &sc, &a, &pin, "");
    let line = one_error_line(&o);
    assert!(line.contains("chứng thư số cá nhân") && line.contains("KT."), "{line}");
    assert!(!agency.exists());

    // The seal is not subject to the rule.
    let root = tb.var("KYSO_TEST_ROOT");
    let sealed = sc.dir.join("sealed.pdf");
    let mut a = sign_args(&tb, s(&mine), s(&sealed), "04", &module);
    a.extend(["--role", "seal", "--trust", &root, "--offline"]);
    let o = run(&tb, &sc, &a, &pin, "");
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(sha256_file(&input), sha, "the input changed");
    let _ = kyso;
}
