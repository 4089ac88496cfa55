//! KýSố's Windows build under Wine (issue 14): `kyso.exe` signs with a PKCS#12 file on
//! Vietnamese file names and backslash paths and the outside judges accept the result;
//! outputs are never clobbered without `--force` and never replaced while another program
//! holds them open; long paths; the data folder is `%APPDATA%\kyso`; driver discovery in
//! `System32`/`SysWOW64`; the desktop's token agent answers; the installer installs and
//! uninstalls silently, per user and per machine.
//!
//! These run only in the Windows stage, `tests/windows/run.sh` (which builds the exes and
//! the Wine prefix and sets `KYSO_WINE_*`), hence `#[ignore]` in plain runs. The verdicts
//! of `kyso.exe verify` are compared with the Linux binary's over the attack files and the
//! wild corpus by `tests/verify_attacks.rs` in the same stage.

mod common;

use std::io::{BufRead, BufReader, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::wine::{win_path, Wine};
use common::*;
use serde_json::Value;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn ok(o: &Output, what: &str) {
    assert!(
        o.status.success(),
        "{what} failed (exit {:?}):\n{}{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// The stamp images of `tests/fixtures/stamps/make-images.py`: (signature, seal).
fn images(dir: &Path) -> (PathBuf, PathBuf) {
    let st = Command::new("python3").arg(repo().join("tests/fixtures/stamps/make-images.py")).arg(dir).status().expect("python3");
    assert!(st.success());
    (dir.join("signature.png"), dir.join("seal.png"))
}

/// The Wine prefix's Windows user folder (`C:\users\<name>`).
fn wine_user_dir() -> PathBuf {
    wine_user_dir_in(&PathBuf::from(std::env::var_os("WINEPREFIX").expect("WINEPREFIX")))
}

fn wine_user_dir_in(prefix: &Path) -> PathBuf {
    let users = prefix.join("drive_c/users");
    let name = std::fs::read_dir(&users)
        .expect("users folder")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n != "Public")
        .expect("a Wine user");
    users.join(name)
}

fn prefix_path(rel: &str) -> PathBuf {
    PathBuf::from(std::env::var_os("WINEPREFIX").expect("WINEPREFIX")).join(rel)
}

/// `--trust root.pem --crl inter.crl --crl root.crl` for the test PKI (its certificates
/// name no CRL or OCSP server; `make-crls.sh` writes the CRLs into `dir/crl`), so a good
/// signature is TOTAL_PASSED.
fn trust_args(tb: &Testbed, dir: &Path) -> Vec<String> {
    let crls = dir.join("crl");
    let st = Command::new("bash")
        .arg(repo().join("tests/fixtures/attacks/make-crls.sh"))
        .arg(&tb.dir)
        .arg(&crls)
        .status()
        .expect("make-crls.sh");
    assert!(st.success());
    let p = |f: PathBuf| f.to_str().expect("utf8").to_owned();
    vec![
        "--trust".into(),
        p(tb.pki("root.pem")),
        "--crl".into(),
        p(crls.join("inter.crl.pem")),
        "--crl".into(),
        p(crls.join("root.crl.pem")),
    ]
}

/// Temporary files kyso leaves beside an output only while it writes.
fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("read dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".kyso") || n.ends_with(".part") || n.ends_with(".tmp"))
        .collect()
}

// ------------------------------------------------------------------ signing

#[test]
#[ignore = "runs kyso.exe under Wine: tests/windows/run.sh"]
fn signs_vietnamese_file_names_with_backslash_paths_and_the_judges_accept() {
    let w = Wine::required();
    let tb = testbed();
    let dir = tempfile::tempdir().expect("tmp");
    let docs = dir.path().join("Tài liệu");
    std::fs::create_dir_all(docs.join("Đã ký")).expect("mkdir");
    let input = docs.join("Quyết định 12.pdf");
    std::fs::copy(tb.draft("draft-lo.pdf"), &input).expect("copy draft");
    let before = sha256_file(&input);
    let p12 = tb.pki("personal-rsa2048.p12");
    let pass = [("KYSO_P12_PASSWORD", "kyso-test")];

    // Absolute Windows paths in and out.
    let out = docs.join("Đã ký").join("Quyết định 12.đã ký.pdf");
    let o = w.kyso(&["sign", input.to_str().unwrap(), "-o", out.to_str().unwrap(), "--pkcs12", p12.to_str().unwrap(), "--json"], &pass);
    ok(&o, "kyso.exe sign (absolute paths)");
    let v: Value = serde_json::from_slice(&o.stdout).expect("sign --json");
    assert!(v["output"].as_str().is_some_and(|s| s.ends_with(r"Đã ký\Quyết định 12.đã ký.pdf")), "{v}");
    validate(&tb, &out, Some(&input), Some(1));
    assert_eq!(sha256_file(&input), before, "the input is never modified");

    // Relative paths with backslashes from the document folder, and a visible signature.
    let (sig, seal) = images(dir.path());
    let mut c = Wine::command(&w.kyso_exe);
    c.current_dir(&docs)
        .args(["sign", r"Quyết định 12.pdf", "-o", r"Đã ký\Quyết định 12 (có chữ ký).pdf", "--pkcs12"])
        .arg(win_path(&p12))
        .arg("--image")
        .arg(win_path(&sig))
        .env("KYSO_P12_PASSWORD", "kyso-test");
    let o = c.output().expect("wine");
    ok(&o, "kyso.exe sign (relative backslash paths, visible)");
    let leader = docs.join("Đã ký").join("Quyết định 12 (có chữ ký).pdf");
    validate(&tb, &leader, Some(&input), Some(1));

    // The clerk numbers, dates and seals it (R8/R9): two valid signatures.
    let issued = docs.join("Đã ký").join("Quyết định 12 — ban hành.pdf");
    let root = tb.pki("root.pem");
    let agency = tb.pki("agency-rsa2048.p12");
    let o = w.kyso(
        &[
            "sign",
            leader.to_str().unwrap(),
            "-o",
            issued.to_str().unwrap(),
            "--pkcs12",
            agency.to_str().unwrap(),
            "--role",
            "seal",
            "--image",
            seal.to_str().unwrap(),
            "--doc-number",
            "12/QĐ-UBND",
            "--doc-date",
            "2026-11-22",
            "--trust",
            root.to_str().unwrap(),
            "--offline",
        ],
        &pass,
    );
    ok(&o, "kyso.exe sign --role seal");
    validate(&tb, &issued, Some(&leader), Some(2));
    assert!(leftovers(&docs.join("Đã ký")).is_empty());

    // The same on drive C:, in the user's profile (`C:\users\<name>\Tài liệu\Quyết định
    // 12.pdf`; not Documents, which Wine links to the Linux home), named the Windows way.
    let user = wine_user_dir();
    let user_name = user.file_name().expect("user").to_string_lossy().into_owned();
    let c_docs = user.join("Tài liệu");
    std::fs::create_dir_all(&c_docs).expect("mkdir");
    std::fs::copy(tb.draft("draft-lo.pdf"), c_docs.join("Quyết định 12.pdf")).expect("copy draft");
    let c_in = format!(r"C:\users\{user_name}\Tài liệu\Quyết định 12.pdf");
    let c_out = format!(r"C:\users\{user_name}\Tài liệu\Quyết định 12.đã ký.pdf");
    let o = w.kyso(&["sign", &c_in, "-o", &c_out, "--pkcs12", p12.to_str().unwrap(), "--json"], &pass);
    let _ = std::fs::remove_file(c_docs.join("Quyết định 12.pdf"));
    let signed_c = c_docs.join("Quyết định 12.đã ký.pdf");
    let kept = dir.path().join("c-drive.pdf");
    let _ = std::fs::copy(&signed_c, &kept);
    let _ = std::fs::remove_file(&signed_c);
    let _ = std::fs::remove_dir(&c_docs);
    ok(&o, r"kyso.exe sign C:\users\…\Tài liệu\Quyết định 12.pdf");
    let v: Value = serde_json::from_slice(&o.stdout).expect("sign --json");
    assert!(v["output"].as_str().is_some_and(|s| s.eq_ignore_ascii_case(&c_out)), "{v}");
    validate(&tb, &kept, Some(&input), Some(1));

    // And kyso.exe checks what it made: valid (CRLs of the test PKI given), exit 0.
    let mut args = vec!["verify".to_owned(), "--json".to_owned()];
    args.extend(trust_args(&tb, dir.path()));
    args.push(issued.to_str().unwrap().to_owned());
    let o = w.kyso(&args.iter().map(String::as_str).collect::<Vec<_>>(), &[]);
    ok(&o, "kyso.exe verify");
    let v: Value = serde_json::from_slice(&o.stdout).expect("verify --json");
    assert_eq!(v["files"][0]["indication"], "TOTAL_PASSED", "{v}");
}

#[test]
#[ignore = "runs kyso.exe under Wine: tests/windows/run.sh"]
fn force_replaces_an_existing_output_and_nothing_else_does() {
    let w = Wine::required();
    let tb = testbed();
    let dir = tempfile::tempdir().expect("tmp");
    let input = dir.path().join("Tờ trình.pdf");
    std::fs::copy(tb.draft("draft-director.pdf"), &input).expect("copy");
    let out = dir.path().join("Tờ trình.đã ký.pdf");
    std::fs::write(&out, b"an older file the user keeps").expect("write");
    let p12 = tb.pki("personal-rsa3072.p12");
    let args = ["sign", input.to_str().unwrap(), "-o", out.to_str().unwrap(), "--pkcs12", p12.to_str().unwrap()];
    let pass = [("KYSO_P12_PASSWORD", "kyso-test")];

    let o = w.kyso(&args, &pass);
    let line = one_error_line(&o);
    assert!(line.contains("--force"), "the refusal names --force: {line}");
    assert_eq!(std::fs::read(&out).expect("read"), b"an older file the user keeps");

    let mut forced = args.to_vec();
    forced.push("--force");
    ok(&w.kyso(&forced, &pass), "kyso.exe sign --force over an existing file");
    validate(&tb, &out, Some(&input), Some(1));
    // Replaced again over a signed file (the usual re-sign).
    ok(&w.kyso(&forced, &pass), "kyso.exe sign --force over the signed file");
    validate(&tb, &out, Some(&input), Some(1));
    assert!(leftovers(dir.path()).is_empty(), "{:?}", leftovers(dir.path()));
}

/// A PDF reader holding the output open (read, sharing read only): `--force` must fail
/// with a message, leave the file as it was and no temporary file; once the reader
/// closes it, the same command succeeds.
#[test]
#[ignore = "runs kyso.exe under Wine: tests/windows/run.sh"]
fn refuses_to_replace_an_output_another_program_holds_open() {
    let w = Wine::required();
    let tb = testbed();
    let helpers = Wine::folder("KYSO_WINE_HELPERS");
    let dir = tempfile::tempdir().expect("tmp");
    let input = dir.path().join("Công văn 7.pdf");
    std::fs::copy(tb.draft("draft-lo.pdf"), &input).expect("copy");
    let out = dir.path().join("Công văn 7.đã ký.pdf");
    let p12 = tb.pki("personal-rsa2048.p12");
    let args = ["sign", input.to_str().unwrap(), "-o", out.to_str().unwrap(), "--pkcs12", p12.to_str().unwrap(), "--force"];
    let pass = [("KYSO_P12_PASSWORD", "kyso-test")];
    ok(&w.kyso(&args, &pass), "first signature");
    let first = sha256_file(&out);

    let mut reader = Wine::command(&helpers.join("holdopen.exe"))
        .arg(win_path(&out))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start holdopen.exe");
    let mut line = String::new();
    BufReader::new(reader.stdout.take().expect("stdout")).read_line(&mut line).expect("holdopen says open");
    assert_eq!(line.trim(), "open", "holdopen.exe did not open the file");

    let o = w.kyso(&args, &pass);
    let msg = one_error_line(&o);
    println!("refusal while open: {msg}");
    assert_eq!(sha256_file(&out), first, "the held file is untouched");
    assert!(leftovers(dir.path()).is_empty(), "temporary files left: {:?}", leftovers(dir.path()));
    assert!(msg.contains("đang được mở trong chương trình khác"), "the message says another program has the file open: {msg}");
    let en = w.kyso(&[&args[..], &["--lang", "en"]].concat(), &pass);
    let msg_en = one_error_line(&en);
    assert!(msg_en.contains("is open in another program"), "{msg_en}");
    assert_eq!(sha256_file(&out), first);

    drop(reader.stdin.take()); // the reader closes the file
    let st = reader.wait().expect("holdopen exits");
    assert!(st.success());
    ok(&w.kyso(&args, &pass), "sign --force after the reader closed the file");
    validate(&tb, &out, Some(&input), Some(1));
}

/// Paths longer than Windows' old 260-character limit, in Vietnamese.
#[test]
#[ignore = "runs kyso.exe under Wine: tests/windows/run.sh"]
fn signs_and_verifies_under_paths_longer_than_260_characters() {
    let w = Wine::required();
    let tb = testbed();
    let dir = tempfile::tempdir().expect("tmp");
    let mut deep = dir.path().join("Tài liệu");
    for i in 1..=6 {
        deep = deep.join(format!("Hồ sơ {i} — Văn bản đến của Ủy ban nhân dân tỉnh Thử Nghiệm"));
    }
    std::fs::create_dir_all(&deep).expect("mkdir");
    let input = deep.join("Quyết định về việc phê duyệt kế hoạch ứng dụng chữ ký số năm 2026.pdf");
    std::fs::copy(tb.draft("draft-lo.pdf"), &input).expect("copy");
    let out = deep.join("Quyết định về việc phê duyệt kế hoạch ứng dụng chữ ký số năm 2026.đã ký.pdf");
    assert!(win_path(&out).chars().count() > 300, "{} characters", win_path(&out).chars().count());
    let p12 = tb.pki("personal-rsa2048.p12");
    let o = w.kyso(
        &["sign", input.to_str().unwrap(), "-o", out.to_str().unwrap(), "--pkcs12", p12.to_str().unwrap()],
        &[("KYSO_P12_PASSWORD", "kyso-test")],
    );
    ok(&o, "kyso.exe sign on a long path");
    validate(&tb, &out, Some(&input), Some(1));
    let mut args = vec!["verify".to_owned()];
    args.extend(trust_args(&tb, dir.path()));
    args.push(out.to_str().unwrap().to_owned());
    let o = w.kyso(&args.iter().map(String::as_str).collect::<Vec<_>>(), &[]);
    ok(&o, "kyso.exe verify on a long path (valid: exit 0)");
}

// ------------------------------------------------------------------ data folder

/// With no `KYSO_DATA_DIR`, KýSố's data folder is `%APPDATA%\kyso`: reading the archive
/// looks there (and, there being none yet, says so and creates nothing), and the demo
/// keeps its identity there.
#[test]
#[ignore = "runs kyso.exe under Wine: tests/windows/run.sh"]
fn data_folder_is_in_appdata_and_the_demo_runs() {
    let w = Wine::required();
    let user = wine_user_dir();
    let appdata = user.join("AppData/Roaming/kyso");
    let user_name = user.file_name().expect("user").to_string_lossy().into_owned();
    let o = w.kyso(&["archive", "list"], &[]);
    let msg = one_error_line(&o);
    let expected = format!(r"C:\users\{user_name}\AppData\Roaming\kyso");
    assert!(msg.to_lowercase().contains(&expected.to_lowercase()), "not %APPDATA%\\kyso ({expected}): {msg}");
    assert!(!appdata.join("kyso.sqlite3").exists(), "reading the archive created it");

    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("Bản demo");
    let o = w.kyso(&["demo", "--out", out.to_str().unwrap()], &[]);
    ok(&o, "kyso.exe demo");
    assert!(appdata.join("demo").is_dir(), "demo identity not in %APPDATA%\\kyso\\demo");
    let sealed: Vec<_> = std::fs::read_dir(&out)
        .expect("demo output")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".da-ky.dong-dau.pdf"))
        .collect();
    assert_eq!(sealed.len(), 3, "three sealed samples");
    for f in sealed {
        let st = Command::new("qpdf").arg("--check").arg(f.path()).output().expect("qpdf");
        assert!(st.status.success(), "qpdf --check {}", f.path().display());
    }
}

// ------------------------------------------------------------------ token drivers

/// Drivers planted in the prefix's `C:\windows\system32` and `syswow64`: the 64-bit
/// copy is tried (and, being no PKCS#11 driver, reported), its 32-bit twin is not, and a
/// vendor with only a 32-bit driver gets the message that says which one to install.
#[test]
#[ignore = "runs kyso.exe under Wine: tests/windows/run.sh"]
fn tokens_finds_drivers_in_system32_and_explains_32_bit_ones() {
    let w = Wine::required();
    let sys32 = prefix_path("drive_c/windows/system32");
    let wow64 = prefix_path("drive_c/windows/syswow64");
    let x64_dll = sys32.join("bcryptprimitives.dll"); // a real 64-bit DLL (the test shim)
    assert!(x64_dll.is_file(), "the Windows stage puts bcryptprimitives.dll in system32");
    let mut x86 = vec![0u8; 0x86];
    x86[0..2].copy_from_slice(b"MZ");
    x86[0x3c..0x40].copy_from_slice(&0x80u32.to_le_bytes());
    x86[0x80..0x84].copy_from_slice(b"PE\0\0");
    x86[0x84..0x86].copy_from_slice(&0x014cu16.to_le_bytes());
    let planted = [sys32.join("eTPKCS11.dll"), wow64.join("eTPKCS11.dll"), wow64.join("BkavCA.dll")];
    std::fs::copy(&x64_dll, &planted[0]).expect("plant x64");
    std::fs::write(&planted[1], &x86).expect("plant x86");
    std::fs::write(&planted[2], &x86).expect("plant x86 only");
    let o = w.kyso(&["tokens", "--json"], &[]);
    for p in &planted {
        let _ = std::fs::remove_file(p);
    }
    let v: Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("tokens --json: {e}: {}", String::from_utf8_lossy(&o.stderr)));
    println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    let modules = v["modules"].as_array().expect("modules");
    let find = |suffix: &str| modules.iter().find(|m| m["path"].as_str().is_some_and(|p| p.to_lowercase().ends_with(suffix)));
    let safenet = find(r"\system32\etpkcs11.dll").expect("the System32 driver is found");
    assert_eq!(safenet["vendor"], "SafeNet / Thales eToken");
    assert_eq!(safenet["error"]["kind"], "module_load", "{safenet}");
    assert!(find(r"\syswow64\etpkcs11.dll").is_none(), "the 32-bit twin is left out");
    let bkav = find(r"\syswow64\bkavca.dll").expect("a 32-bit-only driver is listed");
    assert_eq!(bkav["error"]["kind"], "module_architecture", "{bkav}");
    assert!(bkav["error"]["message"].as_str().unwrap_or("").contains("32-bit"), "{bkav}");
}

// ------------------------------------------------------------------ the desktop's agent

/// `kyso-desktop.exe --agent` (the token helper the window starts) answers over pipes.
#[test]
#[ignore = "runs kyso.exe under Wine: tests/windows/run.sh"]
fn desktop_agent_answers_over_pipes() {
    let _w = Wine::required();
    let dist = Wine::folder("KYSO_WINE_DIST");
    let mut agent = Wine::command(&dist.join("kyso-desktop.exe"))
        .arg("--agent")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start kyso-desktop.exe --agent");
    let mut stdin = agent.stdin.take().expect("stdin");
    let mut lines = BufReader::new(agent.stdout.take().expect("stdout")).lines();
    writeln!(stdin, r#"{{"id":1,"op":"hello"}}"#).expect("write");
    let hello: Value = serde_json::from_str(&lines.next().expect("a line").expect("read")).expect("json");
    assert_eq!(hello["id"], 1);
    assert_eq!(hello["result"]["version"], kyso::agent::PROTOCOL_VERSION, "{hello}");
    let missing = r"C:\Chương trình\không có\vnptca_p11_v8.dll";
    writeln!(stdin, "{}", serde_json::json!({"id": 2, "op": "tokens", "modules": [missing]})).expect("write");
    let tokens: Value = serde_json::from_str(&lines.next().expect("a line").expect("read")).expect("json");
    assert_eq!(tokens["result"]["modules"][0]["path"], missing, "{tokens}");
    assert_eq!(tokens["result"]["modules"][0]["error"]["kind"], "module_load", "{tokens}");
    writeln!(stdin, r#"{{"id":3,"op":"shutdown"}}"#).expect("write");
    let bye: Value = serde_json::from_str(&lines.next().expect("a line").expect("read")).expect("json");
    assert_eq!(bye["id"], 3);
    assert!(agent.wait().expect("agent exits").success());
}

// ------------------------------------------------------------------ the installer

/// A registry key and its subkeys as `reg export` writes them (`[key]` sections of
/// `"Name"="value"` lines, backslashes and quotes escaped), or `None` when the key does
/// not exist. `reg query` would print Vietnamese as `?` (console code page); the export
/// file is UTF-16. Only reg's own "Unable to find the specified registry key" means
/// `None`: any other failure (Wine starting its server or services on a busy machine) is
/// retried, then reported, so that an "is gone" check cannot pass on a failed command.
fn reg_export(prefix: &Path, key: &str) -> Option<String> {
    let mut failures = Vec::new();
    for _ in 0..3 {
        let f = tempfile::Builder::new().suffix(".reg").tempfile().expect("tmp");
        // A file, not a pipe, for reg's messages (it prints them on stdout): see `quiet`.
        let mut said = tempfile::tempfile().expect("tmp");
        let st = Wine::command_in(prefix, Path::new("reg"))
            .args(["export", key])
            .arg(win_path(f.path()))
            .arg("/y")
            .stdin(Stdio::null())
            .stdout(said.try_clone().expect("dup"))
            .stderr(said.try_clone().expect("dup"))
            .status()
            .expect("run wine");
        if st.success() {
            let bytes = std::fs::read(f.path()).expect("read export");
            let units: Vec<u16> = bytes.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
            return Some(String::from_utf16_lossy(&units));
        }
        let mut message = String::new();
        said.seek(std::io::SeekFrom::Start(0)).expect("seek");
        said.read_to_string(&mut message).expect("read reg's output");
        if message.contains("Unable to find the specified registry key") {
            return None;
        }
        eprintln!("reg export {key}: {st}: {}", message.trim());
        failures.push(format!("{st}: {}", message.trim()));
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
    panic!("reg export {key} failed three times: {failures:?}");
}

/// A key's own values (its first section of [`reg_export`]), or `None`: no such key.
fn reg_key(prefix: &Path, key: &str) -> Option<String> {
    // The first section is the key itself; subkeys follow in their own sections.
    reg_export(prefix, key).map(|text| text.split("\r\n[").nth(1).unwrap_or("").to_owned())
}

/// One value of a key (`None`: no key or no value), as exported (`"…"` or `dword:…`).
fn reg_value(prefix: &Path, key: &str, name: &str) -> Option<String> {
    let start = if name.is_empty() { "@=".to_owned() } else { format!("\"{name}\"=") };
    reg_key(prefix, key)?.lines().find_map(|l| l.strip_prefix(&start).map(str::to_owned))
}

/// A value that must be there; when it is not, the failure shows what the registry holds
/// instead: the export of the nearest enclosing key that exists (first 4,000 characters).
fn reg_value_required(prefix: &Path, key: &str, name: &str) -> String {
    if let Some(v) = reg_value(prefix, key, name) {
        return v;
    }
    let mut ancestor = key;
    let found = loop {
        match ancestor.rsplit_once('\\') {
            Some((parent, _)) => ancestor = parent,
            None => break None,
        }
        if let Some(text) = reg_export(prefix, ancestor) {
            break Some(text);
        }
    };
    let shown: String = found.unwrap_or_default().chars().take(4000).collect();
    panic!("no value {name:?} in {key}; the nearest existing key is {ancestor}:\n{shown}");
}

/// Run a Wine command with no pipes to this test: Wine's own service processes, started
/// by the first command, inherit its standard handles and outlive it, so a command whose
/// output is captured would wait for them.
fn quiet(c: &mut Command) -> std::process::ExitStatus {
    c.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).status().expect("run wine")
}

/// Run an installer or uninstaller and wait until it is done: an uninstaller copies
/// itself to %TEMP% and returns at once, so wait for every process of the prefix to end.
fn run_setup(prefix: &Path, setup: &Path, args: &[&str]) -> i32 {
    let st = quiet(Wine::command_in(prefix, setup).args(args));
    if setup.file_name().is_some_and(|n| n == "uninstall.exe") {
        wait_wineserver(prefix);
    }
    st.code().unwrap_or(-1)
}

/// Wait until every process of the prefix has ended (and Wine has saved the registry).
fn wait_wineserver(prefix: &Path) {
    let st = Command::new("wineserver").arg("-w").env("WINEPREFIX", prefix).status().expect("wineserver -w");
    assert!(st.success());
}

fn installer() -> PathBuf {
    let dist = Wine::folder("KYSO_WINE_DIST");
    std::fs::read_dir(&dist)
        .expect("dist")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.file_name().is_some_and(|n| n.to_string_lossy().ends_with("_x64-setup.exe")))
        .expect("KySo_<version>_x64-setup.exe in KYSO_WINE_DIST")
}

const UNINST: &str = r"Software\Microsoft\Windows\CurrentVersion\Uninstall\KySo";

/// What one install leaves, for the hive (`HKCU`/`HKLM`) and folder of its mode.
fn assert_installed(prefix: &Path, hive: &str, dir: &Path, start_menu: &Path) {
    for f in ["kyso-desktop.exe", "kyso.exe", "WebView2Loader.dll", "uninstall.exe"] {
        assert!(dir.join(f).is_file(), "{f} not installed in {}", dir.display());
    }
    assert!(start_menu.join("KýSố.lnk").is_file(), "no Start-menu entry in {}", start_menu.display());
    let uninst = format!(r"{hive}\{UNINST}");
    assert_eq!(reg_value_required(prefix, &uninst, "DisplayName"), r#""KýSố""#);
    let quiet = reg_value_required(prefix, &uninst, "QuietUninstallString");
    assert!(quiet.contains(r#"\\uninstall.exe\""#) && quiet.ends_with(r#" /S""#), "{quiet}");
    let open = reg_value_required(prefix, &format!(r"{hive}\Software\Classes\KySo.PDF\shell\open\command"), "");
    assert!(open.contains(r#"\\kyso-desktop.exe\" \"%1\""#), "{open}");
    reg_value_required(prefix, &format!(r"{hive}\Software\Classes\.pdf\OpenWithProgids"), "KySo.PDF");
    let verb = reg_value_required(prefix, &format!(r"{hive}\Software\Classes\SystemFileAssociations\.pdf\shell\KySo.PDF"), "MUIVerb");
    assert!(verb.contains("KýSố"), "{verb}");
    reg_value_required(prefix, &format!(r"{hive}\Software\RegisteredApplications"), "KySo");
}

fn assert_uninstalled(prefix: &Path, hive: &str, dir: &Path, start_menu: &Path) {
    assert!(!dir.exists(), "{} left behind", dir.display());
    assert!(!start_menu.join("KýSố.lnk").exists(), "Start-menu entry left behind");
    for key in [
        UNINST.to_owned(),
        r"Software\Classes\KySo.PDF".to_owned(),
        r"Software\Classes\SystemFileAssociations\.pdf\shell\KySo.PDF".to_owned(),
        r"Software\Classes\Applications\kyso-desktop.exe".to_owned(),
        r"Software\KySo".to_owned(),
    ] {
        assert!(reg_key(prefix, &format!(r"{hive}\{key}")).is_none(), "{hive}\\{key} left behind");
    }
    assert!(reg_value(prefix, &format!(r"{hive}\Software\Classes\.pdf\OpenWithProgids"), "KySo.PDF").is_none());
    assert!(reg_value(prefix, &format!(r"{hive}\Software\RegisteredApplications"), "KySo").is_none());
}

/// Per user (no administrator: `%LOCALAPPDATA%\Programs\KySo`, HKCU) and per machine
/// (`/AllUsers`: `%ProgramFiles%\KySo`, HKLM), silent install and uninstall, the user's
/// data kept unless `/DELETEUSERDATA`, the WebView2 check and IT's bootstrapper hook, and
/// an upgrade refused while KýSố runs. One test: the steps share the prefix's registry.
#[test]
#[ignore = "runs kyso.exe under Wine: tests/windows/run.sh"]
fn installer_installs_and_uninstalls_silently_per_user_and_per_machine() {
    let _w = Wine::required();
    let setup = installer();
    let prefix = Wine::folder("KYSO_WINE_INSTALLER_PREFIX");
    let user = wine_user_dir_in(&prefix);
    let user_dir = user.join("AppData/Local/Programs/KySo");
    let user_menu = user.join("AppData/Roaming/Microsoft/Windows/Start Menu/Programs");
    let data = user.join("AppData/Roaming/kyso");
    let wv2 = r"HKCU\Software\Microsoft\EdgeUpdate\Clients\{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}";
    quiet(Wine::command_in(&prefix, Path::new("reg")).args(["delete", wv2, "/f"]));

    // Per user. Wine has no WebView2: the installer says so (and records it) but installs.
    assert_eq!(run_setup(&prefix, &setup, &["/S"]), 0, "silent per-user install");
    assert_installed(&prefix, "HKCU", &user_dir, &user_menu);
    assert_eq!(
        reg_value(&prefix, r"HKCU\Software\KySo", "WebView2Missing").as_deref(),
        Some("dword:00000001"),
        "missing WebView2 recorded"
    );
    assert_eq!(reg_value(&prefix, r"HKCU\Software\KySo", "InstallMode").as_deref(), Some(r#""CurrentUser""#));
    // The installed CLI runs (the test shim in system32 stands in for Windows' bcryptprimitives.dll).
    let st = quiet(Wine::command_in(&prefix, &user_dir.join("kyso.exe")).args(["verify", "--help"]));
    assert!(st.success(), "the installed kyso.exe runs");

    // The user's data exists; an upgrade while the app runs is refused (exit 2), files intact.
    std::fs::create_dir_all(data.join("archive")).expect("data");
    std::fs::write(data.join("kyso.sqlite3"), b"the user's register").expect("data");
    let mut running = Wine::command_in(&prefix, &user_dir.join("kyso-desktop.exe"))
        .arg("--agent")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the installed app's agent");
    let mut agent_in = running.stdin.take().expect("stdin");
    writeln!(agent_in, r#"{{"id":1,"op":"hello"}}"#).expect("write");
    let mut line = String::new();
    BufReader::new(running.stdout.take().expect("stdout")).read_line(&mut line).expect("hello");
    assert!(line.contains("\"version\""), "{line}");
    let code = quiet(Wine::command_in(&prefix, &setup).arg("/S")).code();
    assert_eq!(code, Some(2), "an upgrade over a running KýSố must stop with exit code 2");
    drop(agent_in);
    assert!(running.wait().expect("agent ends").success());
    wait_wineserver(&prefix);
    assert_installed(&prefix, "HKCU", &user_dir, &user_menu);

    // Silent uninstall keeps the data.
    assert_eq!(run_setup(&prefix, &user_dir.join("uninstall.exe"), &["/S"]), 0, "silent uninstall");
    assert_uninstalled(&prefix, "HKCU", &user_dir, &user_menu);
    assert_eq!(std::fs::read(data.join("kyso.sqlite3")).expect("data kept"), b"the user's register");

    // IT's WebView2 bootstrapper beside the setup is run silently when the runtime is missing.
    let helpers = Wine::folder("KYSO_WINE_HELPERS");
    let kit = tempfile::tempdir().expect("tmp");
    let kit_setup = kit.path().join(setup.file_name().expect("name"));
    std::fs::copy(&setup, &kit_setup).expect("copy setup");
    std::fs::copy(helpers.join("MicrosoftEdgeWebview2Setup.exe"), kit.path().join("MicrosoftEdgeWebview2Setup.exe")).expect("copy");
    assert_eq!(run_setup(&prefix, &kit_setup, &["/S"]), 0);
    let args = std::fs::read_to_string(kit.path().join("webview2-setup-args.txt")).expect("bootstrapper was run");
    assert_eq!(args.trim(), "/silent /install");
    assert_eq!(reg_value(&prefix, wv2, "pv").as_deref(), Some(r#""131.0.2903.70""#));
    assert!(reg_value(&prefix, r"HKCU\Software\KySo", "WebView2Missing").is_none(), "runtime now present");
    // /DELETEUSERDATA removes the user's data as well.
    assert_eq!(run_setup(&prefix, &user_dir.join("uninstall.exe"), &["/S", "/DELETEUSERDATA"]), 0);
    assert_uninstalled(&prefix, "HKCU", &user_dir, &user_menu);
    assert!(!data.exists(), "/DELETEUSERDATA leaves {}", data.display());

    // Per machine.
    let machine_dir = prefix.join("drive_c/Program Files/KySo");
    let machine_menu = prefix.join("drive_c/ProgramData/Microsoft/Windows/Start Menu/Programs");
    assert_eq!(run_setup(&prefix, &setup, &["/S", "/AllUsers"]), 0, "silent per-machine install");
    assert_installed(&prefix, "HKLM", &machine_dir, &machine_menu);
    assert!(!user_dir.exists(), "a per-machine install writes nothing per user");
    let silent = reg_value(&prefix, &format!(r"HKLM\{UNINST}"), "QuietUninstallString").expect("quiet uninstall");
    assert!(silent.ends_with(r#" /AllUsers /S""#), "{silent}");
    assert_eq!(run_setup(&prefix, &machine_dir.join("uninstall.exe"), &["/AllUsers", "/S"]), 0);
    assert_uninstalled(&prefix, "HKLM", &machine_dir, &machine_menu);
    quiet(Wine::command_in(&prefix, Path::new("reg")).args(["delete", wv2, "/f"]));
}
