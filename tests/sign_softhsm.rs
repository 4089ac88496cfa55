//! Signing through a real PKCS#11 module (SoftHSM2) judged by outside validators:
//! pyHanko (`sign validate`), poppler's pdfsig and `qpdf --check`, plus the
//! append-only rule (the input is an exact prefix of the output).

mod common;

use common::*;
use std::path::Path;

const KEYS: [(&str, &str); 3] = [("01", "rsa2048"), ("02", "rsa3072"), ("03", "p256")];

fn sign_with(tb: &Testbed, input: &Path, out: &Path, id: &str, role: &str) {
    let pin = tb.var("KYSO_TEST_PIN");
    let o = kyso(
        tb,
        &[
            "sign",
            input.to_str().expect("utf8"),
            "-o",
            out.to_str().expect("utf8"),
            "--module",
            &tb.module(),
            "--token",
            "KYSO-TEST",
            "--cert",
            id,
            "--role",
            role,
            "--reason",
            "Phê duyệt văn bản",
            "--location",
            "Thành phố Thử Nghiệm",
            // Every key type signs the same draft, whose block names one person: the
            // name check is tests/token_lifecycle.rs's.
            "--allow-name-mismatch",
        ],
        &[("KYSO_PIN", &pin)],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "kyso sign {} with {id} failed: {err}", input.display());
    // The test PKI's root is not an anchor here: the note says so, in Vietnamese only.
    let note =
        err.lines().find(|l| l.starts_with("Chứng thư số ký không chuỗi tới")).unwrap_or_else(|| panic!("no untrusted-root note: {err}"));
    assert!(note.contains("KýSố Test Root CA") && !note.contains("certificate") && !note.contains("root CA"), "{note}");
}

/// Sign `draft` with every key type and let the outside judges check each result.
fn sign_draft_with_each_key(draft: &str, existing_signatures: usize) {
    let tb = testbed();
    let input = tb.draft(draft);
    let before = sha256_file(&input);
    let dir = tempfile::tempdir().expect("tempdir");
    for (id, kind) in KEYS {
        let out = dir.path().join(format!("{draft}-{kind}.pdf"));
        sign_with(&tb, &input, &out, id, "personal");
        validate(&tb, &out, Some(&input), Some(existing_signatures + 1));
    }
    assert_eq!(before, sha256_file(&input), "the input changed");
}

#[test]
fn libreoffice_draft() {
    sign_draft_with_each_key("draft-lo.pdf", 0);
}

#[test]
fn object_stream_draft() {
    sign_draft_with_each_key("draft-objstm.pdf", 0);
}

#[test]
fn pdf20_draft() {
    sign_draft_with_each_key("draft-pdf20.pdf", 0);
}

#[test]
fn pdf14_draft() {
    sign_draft_with_each_key("draft-pdf14.pdf", 0);
}

#[test]
fn hybrid_reference_draft() {
    sign_draft_with_each_key("draft-hybrid.pdf", 0);
}

#[test]
fn scanned_image_only_draft() {
    sign_draft_with_each_key("draft-scanned.pdf", 0);
}

#[test]
fn draft_already_signed_by_pyhanko_keeps_both_valid() {
    sign_draft_with_each_key("draft-presigned.pdf", 1);
}

#[test]
fn personal_then_agency_both_validate() {
    let tb = testbed();
    let dir = tempfile::tempdir().expect("tempdir");
    let input = tb.draft("draft-lo.pdf");
    let first = dir.path().join("leader.pdf");
    let second = dir.path().join("sealed.pdf");
    sign_with(&tb, &input, &first, "01", "personal");
    sign_with(&tb, &first, &second, "04", "seal");
    validate(&tb, &second, Some(&first), Some(2));
    // And a third in a row on an object-stream file.
    let third = dir.path().join("third.pdf");
    sign_with(&tb, &second, &third, "03", "personal");
    validate(&tb, &third, Some(&second), Some(3));
}

#[test]
fn json_output_reports_byte_range() {
    let tb = testbed();
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("o.pdf");
    let input = tb.draft("draft-lo.pdf");
    let pin = tb.var("KYSO_TEST_PIN");
    let o = kyso(
        &tb,
        &[
            "sign",
            input.to_str().expect("utf8"),
            "-o",
            out.to_str().expect("utf8"),
            "--module",
            &tb.module(),
            "--token",
            "KYSO-TEST",
            "--cert",
            "01",
            "--json",
        ],
        &[("KYSO_PIN", &pin)],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let br = v["byteRange"].as_array().expect("byteRange");
    let len = std::fs::metadata(&out).expect("out").len();
    let (b, c) = (br[1].as_u64().expect("n"), br[2].as_u64().expect("n"));
    assert_eq!(br[0].as_u64(), Some(0));
    assert_eq!(c + br[3].as_u64().expect("n"), len, "ByteRange must reach the end of the file");
    assert!(b > std::fs::metadata(&input).expect("in").len());
    assert!(v["signingTime"].as_str().expect("time").ends_with("+07:00"));
}

/// R9/R10: the clerk's check before sealing refuses an invalid signature and a
/// document no person signed, unless it is digitised paper (`--scanned`).
#[test]
fn sealing_checks_existing_signatures_first() {
    let tb = testbed();
    let dir = tempfile::tempdir().expect("tempdir");
    let pin = tb.var("KYSO_TEST_PIN");
    let module = tb.module();
    let seal = |input: &Path, out: &Path, extra: &[&str]| {
        let mut args = vec![
            "sign",
            input.to_str().expect("utf8"),
            "-o",
            out.to_str().expect("utf8"),
            "--module",
            &module,
            "--token",
            "KYSO-TEST",
            "--cert",
            "04",
            "--role",
            "seal",
            "--offline",
        ];
        args.extend_from_slice(extra);
        kyso(&tb, &args, &[("KYSO_PIN", &pin)])
    };
    // Unsigned draft: refused without --scanned, accepted with it.
    let draft = tb.draft("draft-lo.pdf");
    let out = dir.path().join("sealed-unsigned.pdf");
    let line = one_error_line(&seal(&draft, &out, &[]));
    assert!(line.contains("chưa có chữ ký số của người có thẩm quyền"), "{line}");
    assert!(!out.exists());
    let scanned = tb.draft("draft-scanned.pdf");
    let out2 = dir.path().join("sealed-scan.pdf");
    let o = seal(&scanned, &out2, &["--scanned"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    validate(&tb, &out2, Some(&scanned), Some(1));

    // A leader-signed draft with one byte changed inside the signed range: refused.
    let leader = dir.path().join("leader.pdf");
    sign_with(&tb, &draft, &leader, "01", "personal");
    let mut bytes = std::fs::read(&leader).expect("read");
    let at = bytes.len() / 3;
    bytes[at] ^= 0x01;
    let tampered = dir.path().join("tampered.pdf");
    std::fs::write(&tampered, &bytes).expect("write");
    let out3 = dir.path().join("sealed-tampered.pdf");
    let line = one_error_line(&seal(&tampered, &out3, &["--lang", "en"]));
    assert!(line.contains("Sealing refused") && line.contains("invalid"), "{line}");
    assert!(!out3.exists());

    // The intact leader-signed draft: sealed.
    let out4 = dir.path().join("sealed.pdf");
    let o = seal(&leader, &out4, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    validate(&tb, &out4, Some(&leader), Some(2));
}
