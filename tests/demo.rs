//! `kyso demo` (the README's main job without a display): with no token, it signs
//! the bundled drafts as a leader and as the agency, checks them, and pyHanko
//! accepts both signatures against the demo root.

use std::process::Command;

#[test]
fn demo_signs_and_checks_the_samples() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("out");
    let data = dir.path().join("data");
    let run = Command::new(env!("CARGO_BIN_EXE_kyso"))
        .args(["demo", "--out", out.to_str().expect("utf8")])
        .env("KYSO_DATA_DIR", &data)
        .env_remove("KYSO_PIN")
        .output()
        .expect("run demo");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "demo failed: {stdout}\n{}", String::from_utf8_lossy(&run.stderr));
    assert!(stdout.contains("KHÔNG có giá trị pháp lý"), "demo must say the identity is not legally valid");
    assert_eq!(stdout.matches("[toàn vẹn]").count(), 6, "{stdout}");

    // pyHanko, trusting the demo root, accepts both signatures of a sealed sample.
    let root = data.join("demo/v1/root.pem");
    assert!(root.exists(), "demo root at {}", root.display());
    let sealed = out.join("quyet-dinh-mau.da-ky.dong-dau.pdf");
    let v = Command::new("pyhanko")
        .args(["sign", "validate", "--trust"])
        .arg(&root)
        .args(["--trust-replace", "--pretty-print"])
        .arg(&sealed)
        .output();
    match v {
        Ok(v) => {
            let text = String::from_utf8_lossy(&v.stdout);
            assert!(v.status.success(), "pyHanko rejected the demo output:\n{text}");
            assert_eq!(text.matches("The signature is judged VALID").count(), 2, "{text}");
        }
        Err(e) => panic!("pyhanko is required (scripts/setup-test-deps.sh installs it): {e}"),
    }

    // Running it again reuses the same identity and overwrites its own outputs.
    let again = Command::new(env!("CARGO_BIN_EXE_kyso"))
        .args(["demo", "--out", out.to_str().expect("utf8")])
        .env("KYSO_DATA_DIR", &data)
        .output()
        .expect("run demo");
    assert!(again.status.success());
}
