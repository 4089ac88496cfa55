//! `kyso sign` failure paths through the real binary and a real PKCS#11 module
//! (SoftHSM2). Every refusal must: exit non-zero; print exactly one non-empty line
//! on stderr, in Vietnamese by default and English with `--lang en`, saying what went
//! wrong; leave the input byte-identical; leave no output and no temporary
//! `.kyso-*.pdf.part` file behind; and never echo a PIN.
//!
//! Tests that change token state (wrong PIN, locked token) use a private copy of the
//! test bed's tokens. Login attempts are counted through SoftHSM2's token file: every
//! `C_Login` (right or wrong) rewrites the token flags in `tokens/<uuid>/token.object`,
//! which bumps the generation number stored in its first 8 bytes (SoftHSM2 2.6.1,
//! measured with pkcs11-tool: +1 per login; `C_GetTokenInfo`, sessions and object
//! reads do not write it).

mod common;

use common::*;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const WRONG_PIN: &str = "24680135";

/// A scratch directory with `out/` for outputs.
struct Scene {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    outdir: PathBuf,
}

fn scene() -> Scene {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().to_owned();
    let outdir = root.join("out");
    std::fs::create_dir(&outdir).expect("mkdir out");
    Scene { _tmp: tmp, root, outdir }
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf8 path")
}

/// `sign IN -o OUT --module M --token KYSO-TEST --cert 01` plus `extra`.
fn sign_args(tb: &Testbed, input: &Path, out: &Path, extra: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = vec!["sign".into(), s(input).into(), "-o".into(), s(out).into()];
    for a in ["--module", &tb.module(), "--token", "KYSO-TEST", "--cert", "01"] {
        v.push(a.to_owned());
    }
    v.extend(extra.iter().map(|a| (*a).to_owned()));
    v
}

fn run(tb: &Testbed, args: &[String], env: &[(&str, &str)]) -> Output {
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    kyso(tb, &refs, env)
}

/// The names in `dir` (empty if it is not a readable directory).
fn listing(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default()
}

fn is_part(name: &str) -> bool {
    name.starts_with(".kyso-") && name.ends_with(".pdf.part")
}

/// What a refusal is checked against.
struct Expect<'a> {
    /// What the case is (for assertion messages).
    what: &'a str,
    /// Substrings the one error line must contain.
    keys: &'a [&'a str],
    /// Substrings it must not contain.
    not: &'a [&'a str],
    /// The input and its SHA-256 before the run.
    input: Option<(&'a Path, &'a str)>,
    /// The output path and, if it existed before, its SHA-256 (then it must be untouched).
    output: (&'a Path, Option<&'a str>),
    /// The output directory's listing before the run (`None`: not comparable, e.g. /proc).
    dir_before: Option<&'a BTreeSet<String>>,
    /// Values (PINs) that must appear nowhere in stdout or stderr.
    secrets: &'a [&'a str],
}

/// Whether `pin` appears in `text` on its own (not inside a longer run of letters or
/// digits: the test bed's PIN 123456 is part of the agency's tax code 0101234567, which
/// certificate lists print).
fn leaks(text: &str, pin: &str) -> bool {
    let b = text.as_bytes();
    text.match_indices(pin).any(|(i, m)| {
        let before = i.checked_sub(1).map(|j| b[j]);
        let after = b.get(i + m.len()).copied();
        !before.is_some_and(|c| c.is_ascii_alphanumeric()) && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

/// Check a refusal; return the error line.
fn assert_refused(o: &Output, e: &Expect) -> String {
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(!o.status.success(), "{}: kyso succeeded but must refuse; stdout: {stdout} stderr: {stderr}", e.what);
    let line = one_error_line(o);
    for k in e.keys {
        assert!(line.contains(k), "{}: the error line lacks {k:?}: {line}", e.what);
    }
    for k in e.not {
        assert!(!line.contains(k), "{}: the error line must not mention {k:?}: {line}", e.what);
    }
    if let Some((p, sha)) = e.input {
        assert_eq!(sha256_file(p), sha, "{}: the input {} changed", e.what, p.display());
    }
    let (out, before) = e.output;
    match before {
        None => assert!(std::fs::symlink_metadata(out).is_err(), "{}: an output {} was left behind", e.what, out.display()),
        Some(sha) => assert_eq!(sha256_file(out), sha, "{}: the existing output {} was changed", e.what, out.display()),
    }
    let dir = out.parent().unwrap_or(Path::new("."));
    let after = listing(dir);
    let parts: Vec<_> = after.iter().filter(|n| is_part(n)).collect();
    assert!(parts.is_empty(), "{}: temporary files left in {}: {parts:?}", e.what, dir.display());
    if let Some(b) = e.dir_before {
        assert_eq!(&after, b, "{}: the output directory {} changed", e.what, dir.display());
    }
    for secret in e.secrets {
        assert!(
            !leaks(&stdout, secret) && !leaks(&stderr, secret),
            "{}: a PIN appears in kyso's output: stdout {stdout:?} stderr {stderr:?}",
            e.what
        );
    }
    println!("{}: {line}", e.what);
    line
}

/// A copy of draft-lo.pdf in `dir`.
fn copy_draft(tb: &Testbed, dir: &Path, name: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::copy(tb.draft("draft-lo.pdf"), &p).expect("copy draft");
    p
}

// ---------------------------------------------------------------------------
// Token state helpers (private token copies)

/// The `token.object` of the token labelled `label` under `tokens/`.
fn token_object(tokens: &Path, label: &str) -> PathBuf {
    let mut padded = label.as_bytes().to_vec();
    padded.resize(32, b' ');
    for e in std::fs::read_dir(tokens).expect("read tokens dir") {
        let f = e.expect("entry").path().join("token.object");
        if let Ok(data) = std::fs::read(&f) {
            if data.windows(32).any(|w| w == padded.as_slice()) {
                return f;
            }
        }
    }
    panic!("no token.object for {label} under {}", tokens.display());
}

/// SoftHSM2's write generation of a token file: +1 for each `C_Login`.
fn generation(token_object: &Path) -> u64 {
    let data = std::fs::read(token_object).expect("read token.object");
    u64::from_be_bytes(data[..8].try_into().expect("8 bytes"))
}

/// The token flags line `pkcs11-tool -T` shows for `label`, read through the module.
fn token_flags(tb: &Testbed, conf: &Path, label: &str) -> String {
    let o =
        Command::new("pkcs11-tool").args(["--module", &tb.module(), "-T"]).env("SOFTHSM2_CONF", conf).output().expect("run pkcs11-tool -T");
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    for block in text.split("\nSlot ") {
        let labelled =
            block.lines().any(|l| l.trim_start().starts_with("token label") && l.split_once(':').is_some_and(|(_, v)| v.trim() == label));
        if labelled {
            if let Some(l) = block.lines().find(|l| l.trim_start().starts_with("token flags")) {
                return l.to_owned();
            }
        }
    }
    panic!("pkcs11-tool -T shows no token {label}: {text}");
}

fn private_copy(tb: &Testbed, sc: &Scene) -> (PathBuf, PathBuf) {
    let dir = sc.root.join("hsm");
    std::fs::create_dir(&dir).expect("mkdir hsm");
    let conf = private_tokens(tb, &dir);
    (conf, dir.join("tokens"))
}

// ---------------------------------------------------------------------------
// 1. Wrong PIN

#[test]
fn wrong_pin_reports_tries_logs_in_once_and_right_pin_then_works() {
    let tb = testbed();
    let sc = scene();
    let (conf, tokens) = private_copy(&tb, &sc);
    let conf_s = s(&conf).to_owned();
    let tobj = token_object(&tokens, "KYSO-TEST");
    let input = copy_draft(&tb, &sc.root, "in.pdf");
    let sha = sha256_file(&input);
    let out = sc.outdir.join("signed.pdf");
    let pin = tb.var("KYSO_TEST_PIN");
    assert!(
        !token_flags(&tb, &conf, "KYSO-TEST").contains("count low"),
        "the test bed's KYSO-TEST already has 'user PIN count low' set (a test left a wrong PIN behind)"
    );

    // Vietnamese (default).
    let before = listing(&sc.outdir);
    let g0 = generation(&tobj);
    let o = run(&tb, &sign_args(&tb, &input, &out, &[]), &[("SOFTHSM2_CONF", &conf_s), ("KYSO_PIN", WRONG_PIN)]);
    assert_refused(
        &o,
        &Expect {
            what: "wrong PIN (vi)",
            keys: &["Mã PIN không đúng", "Còn ít lần thử", "khóa"],
            not: &["Incorrect"],
            input: Some((&input, &sha)),
            output: (&out, None),
            dir_before: Some(&before),
            secrets: &[WRONG_PIN, &pin],
        },
    );
    assert_eq!(
        generation(&tobj) - g0,
        1,
        "kyso must make exactly one C_Login with a wrong PIN (SoftHSM2 rewrites its token file once per login)"
    );
    let flags = token_flags(&tb, &conf, "KYSO-TEST");
    assert!(flags.contains("user PIN count low"), "SoftHSM2 should now report count low: {flags}");

    // English, second wrong PIN: still one login, still "few tries".
    let g1 = generation(&tobj);
    let o = run(&tb, &sign_args(&tb, &input, &out, &["--lang", "en"]), &[("SOFTHSM2_CONF", &conf_s), ("KYSO_PIN", WRONG_PIN)]);
    assert_refused(
        &o,
        &Expect {
            what: "wrong PIN (en)",
            keys: &["Incorrect PIN", "Few tries left", "lock"],
            not: &["Mã PIN"],
            input: Some((&input, &sha)),
            output: (&out, None),
            dir_before: Some(&before),
            secrets: &[WRONG_PIN, &pin],
        },
    );
    assert_eq!(generation(&tobj) - g1, 1, "kyso must make exactly one C_Login per run");

    // The right PIN still works after wrong ones (SoftHSM2 never locks), and clears count low.
    let g2 = generation(&tobj);
    let o = run(&tb, &sign_args(&tb, &input, &out, &[]), &[("SOFTHSM2_CONF", &conf_s), ("KYSO_PIN", &pin)]);
    let (so, se) = (String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(o.status.success(), "the right PIN after a wrong one must sign: {se}");
    assert!(!leaks(&so, &pin) && !leaks(&se, &pin), "the PIN appears in kyso's output");
    assert_eq!(generation(&tobj) - g2, 1, "one C_Login for a signature with a right PIN");
    assert!(out.is_file());
    assert_eq!(sha256_file(&input), sha);
    let flags = token_flags(&tb, &conf, "KYSO-TEST");
    assert!(!flags.contains("count low"), "a correct login clears count low: {flags}");
}

// ---------------------------------------------------------------------------
// 2. Locked token

fn lock_token(tokens: &Path, label: &str) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lock-token.py");
    let o = Command::new("python3").arg(&script).arg(tokens).arg(label).output().expect("run lock-token.py");
    assert!(o.status.success(), "lock-token.py failed: {}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
}

#[test]
fn locked_token_is_refused_without_a_login() {
    let tb = testbed();
    let sc = scene();
    let (conf, tokens) = private_copy(&tb, &sc);
    let conf_s = s(&conf).to_owned();
    lock_token(&tokens, "KYSO-TEST");
    let flags = token_flags(&tb, &conf, "KYSO-TEST");
    assert!(flags.contains("user PIN locked"), "lock-token.py did not make SoftHSM2 report a locked PIN: {flags}");
    let tobj = token_object(&tokens, "KYSO-TEST");
    let input = copy_draft(&tb, &sc.root, "in.pdf");
    let sha = sha256_file(&input);
    let out = sc.outdir.join("signed.pdf");
    let pin = tb.var("KYSO_TEST_PIN");
    let before = listing(&sc.outdir);

    // The RIGHT PIN: SoftHSM2's C_Login ignores the locked flag, so a client that logs
    // in anyway would sign, and would bump the token file's generation.
    for (lang, keys, not) in [(None, &["đã bị khóa", "PUK"][..], &["locked"][..]), (Some("en"), &["locked", "PUK"][..], &["khóa"][..])]
    {
        let g0 = generation(&tobj);
        let extra: Vec<&str> = lang.map(|l| vec!["--lang", l]).unwrap_or_default();
        let o = run(&tb, &sign_args(&tb, &input, &out, &extra), &[("SOFTHSM2_CONF", &conf_s), ("KYSO_PIN", &pin)]);
        assert!(
            !o.status.success(),
            "kyso signed with a token whose flags say CKF_USER_PIN_LOCKED: it must read the flags and refuse before C_Login (src/token/signer.rs)"
        );
        assert_refused(
            &o,
            &Expect {
                what: if lang.is_some() { "locked token (en)" } else { "locked token (vi)" },
                keys,
                not,
                input: Some((&input, &sha)),
                output: (&out, None),
                dir_before: Some(&before),
                secrets: &[&pin],
            },
        );
        assert_eq!(generation(&tobj), g0, "kyso called C_Login on a token that reports its PIN locked");
    }
    // Still locked, nothing else changed by kyso.
    assert!(token_flags(&tb, &conf, "KYSO-TEST").contains("user PIN locked"));
}

#[test]
fn token_without_user_pin_is_refused() {
    let tb = testbed();
    let sc = scene();
    let input = copy_draft(&tb, &sc.root, "in.pdf");
    let sha = sha256_file(&input);
    let out = sc.outdir.join("signed.pdf");
    let before = listing(&sc.outdir);
    let args: Vec<String> =
        ["sign", s(&input), "-o", s(&out), "--module", &tb.module(), "--token", "KYSO-NOPIN"].iter().map(|a| (*a).to_owned()).collect();
    let o = run(&tb, &args, &[("KYSO_PIN", WRONG_PIN)]);
    assert_refused(
        &o,
        &Expect {
            what: "PIN never set (KYSO-NOPIN)",
            keys: &["chưa được đặt mã PIN"],
            not: &[],
            input: Some((&input, &sha)),
            output: (&out, None),
            dir_before: Some(&before),
            secrets: &[WRONG_PIN],
        },
    );
}

// ---------------------------------------------------------------------------
// 3. No module, no token

#[test]
fn module_that_cannot_be_loaded() {
    let tb = testbed();
    let sc = scene();
    let input = copy_draft(&tb, &sc.root, "in.pdf");
    let sha = sha256_file(&input);
    let out = sc.outdir.join("signed.pdf");
    let before = listing(&sc.outdir);
    let pin = tb.var("KYSO_TEST_PIN");
    for (lang, keys) in [
        (None, &["Không nạp được trình điều khiển", "/nonexistent/libfoo.so"][..]),
        (Some("en"), &["Cannot load the token driver", "/nonexistent/libfoo.so"][..]),
    ] {
        let mut args: Vec<String> =
            ["sign", s(&input), "-o", s(&out), "--module", "/nonexistent/libfoo.so"].iter().map(|a| (*a).to_owned()).collect();
        if let Some(l) = lang {
            args.extend(["--lang".to_owned(), l.to_owned()]);
        }
        let o = run(&tb, &args, &[("KYSO_PIN", &pin)]);
        assert_refused(
            &o,
            &Expect {
                what: "module cannot be loaded",
                keys,
                not: &[],
                input: Some((&input, &sha)),
                output: (&out, None),
                dir_before: Some(&before),
                secrets: &[&pin],
            },
        );
    }
}

/// A SoftHSM2 configuration whose token directory is empty: only an uninitialised slot.
fn empty_token_conf(sc: &Scene) -> PathBuf {
    let tokens = sc.root.join("empty-tokens");
    std::fs::create_dir(&tokens).expect("mkdir");
    let conf = sc.root.join("empty-softhsm2.conf");
    std::fs::write(
        &conf,
        format!("directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n", tokens.display()),
    )
    .expect("write conf");
    conf
}

#[test]
fn no_token_plugged_in() {
    let tb = testbed();
    let sc = scene();
    let conf = empty_token_conf(&sc);
    let input = copy_draft(&tb, &sc.root, "in.pdf");
    let sha = sha256_file(&input);
    let out = sc.outdir.join("signed.pdf");
    let before = listing(&sc.outdir);
    let pin = tb.var("KYSO_TEST_PIN");
    let args: Vec<String> = ["sign", s(&input), "-o", s(&out), "--module", &tb.module()].iter().map(|a| (*a).to_owned()).collect();
    let o = run(&tb, &args, &[("KYSO_PIN", &pin), ("SOFTHSM2_CONF", s(&conf))]);
    assert_refused(
        &o,
        &Expect {
            what: "no token (explicit module)",
            keys: &["Không thấy thiết bị ký số", "cắm"],
            not: &[],
            input: Some((&input, &sha)),
            output: (&out, None),
            dir_before: Some(&before),
            secrets: &[&pin],
        },
    );
}

/// Without `--module` kyso looks for known drivers. The built-in list includes SoftHSM2
/// (`/usr/lib/softhsm/libsofthsm2.so`, a test driver), so on a machine with SoftHSM2
/// "no driver at all" cannot happen: then an empty token directory must give the
/// "no token" message. Without SoftHSM2 (and no other known driver) it must be the
/// "no driver" message. HOME and XDG_CONFIG_HOME point at an empty directory so a
/// user driver list cannot interfere.
#[test]
fn no_module_given_discovery() {
    let tb = testbed();
    let sc = scene();
    let conf = empty_token_conf(&sc);
    let home = sc.root.join("home");
    std::fs::create_dir_all(home.join(".config")).expect("mkdir home");
    let input = copy_draft(&tb, &sc.root, "in.pdf");
    let sha = sha256_file(&input);
    let out = sc.outdir.join("signed.pdf");
    let before = listing(&sc.outdir);
    let pin = tb.var("KYSO_TEST_PIN");
    let args: Vec<String> = ["sign", s(&input), "-o", s(&out), "--lang", "en"].iter().map(|a| (*a).to_owned()).collect();
    let o = run(
        &tb,
        &args,
        &[("KYSO_PIN", &pin), ("SOFTHSM2_CONF", s(&conf)), ("HOME", s(&home)), ("XDG_CONFIG_HOME", s(&home.join(".config")))],
    );
    let softhsm_known = Path::new("/usr/lib/softhsm/libsofthsm2.so").is_file();
    let keys: &[&str] = if softhsm_known { &["No signing token found", "Plug"] } else { &["No token driver", "--module"] };
    assert_refused(
        &o,
        &Expect {
            what: if softhsm_known { "no --module, SoftHSM2 discovered, no token" } else { "no --module, no driver" },
            keys,
            not: &[],
            input: Some((&input, &sha)),
            output: (&out, None),
            dir_before: Some(&before),
            secrets: &[&pin],
        },
    );
}

// ---------------------------------------------------------------------------
// 4, 5. Certificate and token selection

#[test]
fn key_without_certificate() {
    let tb = testbed();
    let sc = scene();
    let input = copy_draft(&tb, &sc.root, "in.pdf");
    let sha = sha256_file(&input);
    let out = sc.outdir.join("signed.pdf");
    let before = listing(&sc.outdir);
    let pin = tb.var("KYSO_TEST_PIN");
    let mut args = sign_args(&tb, &input, &out, &[]);
    let at = args.iter().position(|a| a == "01").expect("--cert 01");
    args[at] = "05".into();
    let o = run(&tb, &args, &[("KYSO_PIN", &pin)]);
    assert_refused(
        &o,
        &Expect {
            what: "key 05 without certificate",
            keys: &["Khóa 05", "chưa có chứng thư số"],
            not: &[],
            input: Some((&input, &sha)),
            output: (&out, None),
            dir_before: Some(&before),
            secrets: &[&pin],
        },
    );
}

#[test]
fn unknown_certificate_id_lists_the_signing_certificates() {
    let tb = testbed();
    let sc = scene();
    let input = copy_draft(&tb, &sc.root, "in.pdf");
    let sha = sha256_file(&input);
    let out = sc.outdir.join("signed.pdf");
    let before = listing(&sc.outdir);
    let pin = tb.var("KYSO_TEST_PIN");
    let mut args = sign_args(&tb, &input, &out, &[]);
    let at = args.iter().position(|a| a == "01").expect("--cert 01");
    args[at] = "99".into();
    let o = run(&tb, &args, &[("KYSO_PIN", &pin)]);
    let line = assert_refused(
        &o,
        &Expect {
            what: "unknown certificate id 99",
            keys: &["Không tìm thấy chứng thư số", "99", "[01]", "[02]", "[03]", "[04]", "Nguyễn Văn An", "Trần Thị Bình"],
            // 05 is a key without certificate, 0a a CA certificate without key: neither can sign.
            not: &["[05]", "[0a]"],
            input: Some((&input, &sha)),
            output: (&out, None),
            dir_before: Some(&before),
            secrets: &[&pin],
        },
    );
    assert!(line.len() < 2000, "the list should stay readable: {} bytes", line.len());
}

#[test]
fn several_certificates_and_none_chosen() {
    let tb = testbed();
    let sc = scene();
    let input = copy_draft(&tb, &sc.root, "in.pdf");
    let sha = sha256_file(&input);
    let out = sc.outdir.join("signed.pdf");
    let before = listing(&sc.outdir);
    let pin = tb.var("KYSO_TEST_PIN");
    let args: Vec<String> = ["sign", s(&input), "-o", s(&out), "--module", &tb.module(), "--token", "KYSO-TEST", "--lang", "en"]
        .iter()
        .map(|a| (*a).to_owned())
        .collect();
    let o = run(&tb, &args, &[("KYSO_PIN", &pin)]);
    assert_refused(
        &o,
        &Expect {
            what: "several signing certificates, no --cert",
            // The option it names must be one `kyso sign` has.
            keys: &["several signing certificates", "with --cert", "[01]", "[04]"],
            not: &["--cert-id", "[05]", "[0a]"],
            input: Some((&input, &sha)),
            output: (&out, None),
            dir_before: Some(&before),
            secrets: &[&pin],
        },
    );
}

#[test]
fn unknown_token_label_lists_the_tokens() {
    let tb = testbed();
    let sc = scene();
    let input = copy_draft(&tb, &sc.root, "in.pdf");
    let sha = sha256_file(&input);
    let out = sc.outdir.join("signed.pdf");
    let before = listing(&sc.outdir);
    let pin = tb.var("KYSO_TEST_PIN");
    let mut args = sign_args(&tb, &input, &out, &["--lang", "en"]);
    let at = args.iter().position(|a| a == "KYSO-TEST").expect("--token");
    args[at] = "NOPE".into();
    let o = run(&tb, &args, &[("KYSO_PIN", &pin)]);
    assert_refused(
        &o,
        &Expect {
            what: "unknown token label NOPE",
            keys: &["No token is labelled \"NOPE\"", "\"KYSO-TEST\"", "\"KYSO-NOPIN\""],
            not: &[],
            input: Some((&input, &sha)),
            output: (&out, None),
            dir_before: Some(&before),
            secrets: &[&pin],
        },
    );
}

// ---------------------------------------------------------------------------
// 6. Bad input files: refused before the token is asked (no KYSO_PIN at all)

/// Run a bad-input case without any PIN: the error must be about the file.
fn refuse_input(tb: &Testbed, sc: &Scene, input: &Path, what: &str, lang_en: bool, keys: &[&str]) -> String {
    let out = sc.outdir.join(format!("{}.signed.pdf", input.file_name().and_then(|n| n.to_str()).unwrap_or("x")));
    let sha = input.exists().then(|| sha256_file(input));
    let before = listing(&sc.outdir);
    let extra: &[&str] = if lang_en { &["--lang", "en"] } else { &[] };
    let o = run(tb, &sign_args(tb, input, &out, extra), &[]);
    assert_refused(
        &o,
        &Expect {
            what,
            keys,
            // Not the missing-PIN message: the file is judged before the token.
            not: &["KYSO_PIN", "--pin-stdin"],
            input: sha.as_deref().map(|h| (input, h)),
            output: (&out, None),
            dir_before: Some(&before),
            secrets: &[],
        },
    )
}

#[test]
fn truncated_pdf() {
    let tb = testbed();
    let sc = scene();
    let full = std::fs::read(tb.draft("draft-lo.pdf")).expect("read draft");
    let p = sc.root.join("truncated.pdf");
    std::fs::write(&p, &full[..full.len() / 2]).expect("write");
    refuse_input(&tb, &sc, &p, "truncated PDF (vi)", false, &["bị cắt cụt"]);
    refuse_input(&tb, &sc, &p, "truncated PDF (en)", true, &["truncated"]);
}

fn qpdf(args: &[&str]) {
    let o = Command::new("qpdf").args(args).output().expect("run qpdf");
    // qpdf exits 3 for warnings; the file is still written.
    assert!(o.status.success() || o.status.code() == Some(3), "qpdf {args:?}: {}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn encrypted_pdfs() {
    let tb = testbed();
    let sc = scene();
    let src = tb.draft("draft-lo.pdf");
    let enc = sc.root.join("enc.pdf");
    qpdf(&["--encrypt", "user", "owner", "256", "--", s(&src), s(&enc)]);
    refuse_input(&tb, &sc, &enc, "encrypted PDF, user password", false, &["mã hóa", "mật khẩu"]);
    let owner_only = sc.root.join("enc-owner.pdf");
    qpdf(&["--encrypt", "", "owner", "256", "--", s(&src), s(&owner_only)]);
    // Opens without a password in any viewer, but is still encrypted.
    refuse_input(&tb, &sc, &owner_only, "encrypted PDF, owner password only (vi)", false, &["mã hóa"]);
    refuse_input(&tb, &sc, &owner_only, "encrypted PDF, owner password only (en)", true, &["encrypted"]);
}

#[test]
fn files_that_are_not_pdf() {
    let tb = testbed();
    let sc = scene();
    // Random bytes (a fixed xorshift stream, so a failure can be reproduced).
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut junk = Vec::with_capacity(8192);
    while junk.len() < 8192 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        junk.extend_from_slice(&x.to_le_bytes());
    }
    junk[0] = 0x89;
    let random = sc.root.join("random.pdf");
    std::fs::write(&random, &junk).expect("write");
    refuse_input(&tb, &sc, &random, "random bytes", false, &["không phải là PDF"]);

    let text = sc.root.join("note.pdf");
    std::fs::write(&text, "Kính gửi: Văn phòng UBND tỉnh.\nĐây là tệp văn bản, không phải PDF.\n").expect("write");
    refuse_input(&tb, &sc, &text, "text file", false, &["không phải là PDF"]);
    refuse_input(&tb, &sc, &text, "text file (en)", true, &["not a PDF"]);

    let empty = sc.root.join("empty.pdf");
    std::fs::write(&empty, b"").expect("write");
    refuse_input(&tb, &sc, &empty, "empty file", false, &["không phải là PDF"]);
}

/// The offset just before the `N 0 obj` line nearest the middle of `pdf`.
fn object_start_near_middle(pdf: &[u8]) -> usize {
    let mid = pdf.len() / 2;
    let mut best = None;
    for i in 1..pdf.len().saturating_sub(8) {
        if pdf[i - 1] == b'\n' && pdf[i].is_ascii_digit() {
            let line_end = pdf[i..].iter().position(|&b| b == b'\n').map_or(pdf.len(), |e| i + e);
            let line = &pdf[i..line_end];
            if line.ends_with(b" 0 obj") || line.ends_with(b" 0 obj\r") {
                let d = i.abs_diff(mid);
                if best.is_none_or(|(_, bd)| d < bd) {
                    best = Some((i, d));
                }
            }
        }
    }
    best.expect("an object in draft-lo.pdf").0
}

#[test]
fn shifted_xref_offsets_are_refused_not_repaired() {
    let tb = testbed();
    let sc = scene();
    let full = std::fs::read(tb.draft("draft-lo.pdf")).expect("read draft");
    let at = object_start_near_middle(&full);
    let insert = b"% kyso: 27 bytes inserted\n";

    // (a) Bytes inserted between two objects: every later offset, startxref included, is off.
    let mut shifted = full[..at].to_vec();
    shifted.extend_from_slice(insert);
    shifted.extend_from_slice(&full[at..]);
    let a = sc.root.join("shifted.pdf");
    std::fs::write(&a, &shifted).expect("write");
    refuse_input(&tb, &sc, &a, "shifted offsets (vi)", false, &["xref", "không tự sửa"]);
    refuse_input(&tb, &sc, &a, "shifted offsets (en)", true, &["cross-reference", "does not repair"]);

    // (b) The same, with startxref corrected: only the object entries are wrong.
    let sx = shifted.windows(9).rposition(|w| w == b"startxref").expect("startxref");
    let num_start = sx + b"startxref".len();
    let digits_at = num_start + shifted[num_start..].iter().position(u8::is_ascii_digit).expect("offset");
    let digits_len = shifted[digits_at..].iter().position(|c| !c.is_ascii_digit()).expect("end");
    let old: usize = std::str::from_utf8(&shifted[digits_at..digits_at + digits_len]).expect("ascii").parse().expect("number");
    assert!(old > at, "the xref table of draft-lo.pdf should be after the insertion point");
    let mut fixed = shifted[..digits_at].to_vec();
    fixed.extend_from_slice((old + insert.len()).to_string().as_bytes());
    fixed.extend_from_slice(&shifted[digits_at + digits_len..]);
    let b = sc.root.join("shifted-startxref-fixed.pdf");
    std::fs::write(&b, &fixed).expect("write");
    refuse_input(&tb, &sc, &b, "shifted object offsets, startxref right", false, &["xref", "không tự sửa"]);
}

#[test]
fn missing_input_file() {
    let tb = testbed();
    let sc = scene();
    let p = sc.root.join("không-có.pdf");
    let line = refuse_input(&tb, &sc, &p, "missing input", false, &["Không đọc được tệp", "không-có.pdf"]);
    assert!(!p.exists());
    let _ = line;
    refuse_input(&tb, &sc, &p, "missing input (en)", true, &["Cannot read", "không-có.pdf"]);
}

// ---------------------------------------------------------------------------
// 7. Output problems

/// `kyso` with the test bed's environment, run in `cwd`.
fn kyso_cmd(tb: &Testbed) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kyso"));
    cmd.env("SOFTHSM2_CONF", tb.var("SOFTHSM2_CONF")).env_remove("KYSO_PIN");
    cmd.env("KYSO_DATA_DIR", tb.dir.join("kyso-data"));
    cmd
}

#[test]
fn output_is_the_input() {
    let tb = testbed();
    let sc = scene();
    let dir = sc.root.join("dir");
    std::fs::create_dir(&dir).expect("mkdir");
    let input = copy_draft(&tb, &dir, "x.pdf");
    let sha = sha256_file(&input);
    let before = listing(&dir);
    let keys: &[&str] = &["trùng với tệp gốc", "không bao giờ ghi đè"];

    // Same spelling, and a different spelling of the same path (relative, with ..).
    for (what, inp, out) in [
        ("output == input", s(&input).to_owned(), s(&input).to_owned()),
        ("output ./dir/../dir/x.pdf", "dir/x.pdf".to_owned(), "./dir/../dir/x.pdf".to_owned()),
    ] {
        let o = kyso_cmd(&tb)
            .current_dir(&sc.root)
            .args(["sign", &inp, "-o", &out, "--module", &tb.module(), "--token", "KYSO-TEST", "--cert", "01"])
            .output()
            .expect("run kyso");
        assert_refused(
            &o,
            &Expect {
                what,
                keys,
                not: &["KYSO_PIN", "--pin-stdin"],
                input: Some((&input, &sha)),
                output: (&input, Some(&sha)),
                dir_before: Some(&before),
                secrets: &[],
            },
        );
    }

    // A symlink to the input as the output.
    let link = sc.outdir.join("link.pdf");
    std::os::unix::fs::symlink(&input, &link).expect("symlink");
    let out_before = listing(&sc.outdir);
    let o = run(&tb, &sign_args(&tb, &input, &link, &["--force"]), &[]);
    assert_refused(
        &o,
        &Expect {
            what: "output is a symlink to the input (with --force)",
            keys,
            not: &["KYSO_PIN", "--pin-stdin"],
            input: Some((&input, &sha)),
            output: (&link, Some(&sha)),
            dir_before: Some(&out_before),
            secrets: &[],
        },
    );
    assert!(std::fs::symlink_metadata(&link).expect("link").file_type().is_symlink(), "the symlink was replaced");
}

#[test]
fn existing_output_without_force_is_untouched() {
    let tb = testbed();
    let sc = scene();
    let input = copy_draft(&tb, &sc.root, "in.pdf");
    let sha = sha256_file(&input);
    let out = sc.outdir.join("signed.pdf");
    std::fs::write(&out, b"an earlier result the user wants to keep\n").expect("write");
    let out_sha = sha256_file(&out);
    let before = listing(&sc.outdir);
    let pin = tb.var("KYSO_TEST_PIN");
    for (lang, keys) in [(None, &["đã tồn tại", "--force"][..]), (Some("en"), &["already exists", "--force"][..])] {
        let extra: Vec<&str> = lang.map(|l| vec!["--lang", l]).unwrap_or_default();
        let o = run(&tb, &sign_args(&tb, &input, &out, &extra), &[("KYSO_PIN", &pin)]);
        assert_refused(
            &o,
            &Expect {
                what: "existing output without --force",
                keys,
                not: &[],
                input: Some((&input, &sha)),
                output: (&out, Some(&out_sha)),
                dir_before: Some(&before),
                secrets: &[&pin],
            },
        );
    }
}

/// Output directories that cannot be written (as root, permission bits do not stop
/// writes, so these use paths that cannot hold a file). No PIN is given: like a bad
/// input, a bad output folder must be found before the token is asked for one.
#[test]
fn output_directory_not_writable() {
    let tb = testbed();
    let sc = scene();
    let input = copy_draft(&tb, &sc.root, "in.pdf");
    let sha = sha256_file(&input);
    let regular = sc.root.join("a-file");
    std::fs::write(&regular, b"not a directory").expect("write");
    let regular_sha = sha256_file(&regular);

    let mut cases: Vec<(&str, PathBuf)> = vec![
        ("parent is a regular file (ENOTDIR)", regular.join("signed.pdf")),
        ("parent does not exist", sc.root.join("no-such-dir").join("signed.pdf")),
        ("/proc", PathBuf::from("/proc/kyso-test.pdf")),
    ];
    let ro = sc.root.join("read-only");
    // The effective uid via `id -u` (no libc dependency in the tests).
    let uid = Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    let root = uid.as_deref().map_or(true, |u| u == "0");
    if !root {
        use std::os::unix::fs::PermissionsExt;
        std::fs::create_dir(&ro).expect("mkdir");
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).expect("chmod");
        cases.push(("chmod 0555 directory", ro.join("signed.pdf")));
    } else {
        println!("running as root: the chmod 0555 case is skipped (root writes anyway)");
    }
    for (what, out) in cases {
        let parent = out.parent().expect("parent");
        let before = listing(parent);
        // /proc's listing changes by itself (one entry per process).
        let comparable = !parent.starts_with("/proc");
        let o = run(&tb, &sign_args(&tb, &input, &out, &[]), &[]);
        assert_refused(
            &o,
            &Expect {
                what,
                keys: &["Không ghi được tệp kết quả", "Tệp gốc không bị thay đổi"],
                // Not "no PIN": the folder is checked before the token.
                not: &["KYSO_PIN", "--pin-stdin"],
                input: Some((&input, &sha)),
                output: (&out, None),
                dir_before: comparable.then_some(&before),
                secrets: &[],
            },
        );
    }
    assert_eq!(sha256_file(&regular), regular_sha, "the regular file in the output path changed");
    assert!(!sc.root.join("no-such-dir").exists(), "kyso created the missing output directory");
}

// ---------------------------------------------------------------------------
// 8. Positive controls: --force, --pin-stdin

#[test]
fn force_overwrites_an_existing_output() {
    let tb = testbed();
    let sc = scene();
    let input = copy_draft(&tb, &sc.root, "in.pdf");
    let sha = sha256_file(&input);
    let out = sc.outdir.join("signed.pdf");
    std::fs::write(&out, b"old").expect("write");
    let pin = tb.var("KYSO_TEST_PIN");
    let o = run(&tb, &sign_args(&tb, &input, &out, &["--force"]), &[("KYSO_PIN", &pin)]);
    assert!(o.status.success(), "--force must overwrite: {}", String::from_utf8_lossy(&o.stderr));
    let signed = std::fs::read(&out).expect("read output");
    let orig = std::fs::read(&input).expect("read input");
    assert!(signed.len() > orig.len() && signed.starts_with(&orig), "the output is not the input plus an update");
    assert_eq!(sha256_file(&input), sha);
    assert!(listing(&sc.outdir).iter().all(|n| !is_part(n)), "temporary file left behind");
    validate(&tb, &out, Some(&input), Some(1));
}

fn sign_with_stdin(tb: &Testbed, input: &Path, out: &Path, stdin: &[u8], extra: &[&str]) -> Output {
    let mut cmd = kyso_cmd(tb);
    cmd.args(sign_args(tb, input, out, &["--pin-stdin"])).args(extra);
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn kyso");
    {
        let mut w = child.stdin.take().expect("stdin");
        // kyso may exit before reading stdin; a broken pipe is then fine.
        let _ = w.write_all(stdin);
    }
    child.wait_with_output().expect("wait kyso")
}

#[test]
fn pin_from_stdin() {
    let tb = testbed();
    let sc = scene();
    let input = copy_draft(&tb, &sc.root, "in.pdf");
    let sha = sha256_file(&input);
    let pin = tb.var("KYSO_TEST_PIN");
    let out = sc.outdir.join("signed.pdf");
    let o = sign_with_stdin(&tb, &input, &out, format!("{pin}\n").as_bytes(), &[]);
    let (so, se) = (String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(o.status.success(), "--pin-stdin with the right PIN must sign: {se}");
    assert!(!leaks(&so, &pin) && !leaks(&se, &pin), "the PIN appears in kyso's output");
    assert!(out.is_file());
    assert_eq!(sha256_file(&input), sha);
    assert!(std::fs::read(&out).expect("read").starts_with(&std::fs::read(&input).expect("read")));

    // An empty stdin is "no PIN", not a login with an empty PIN.
    let out2 = sc.outdir.join("signed2.pdf");
    let before = listing(&sc.outdir);
    let o = sign_with_stdin(&tb, &input, &out2, b"", &[]);
    assert_refused(
        &o,
        &Expect {
            what: "--pin-stdin with empty stdin",
            keys: &["Chưa có mã PIN"],
            not: &[],
            input: Some((&input, &sha)),
            output: (&out2, None),
            dir_before: Some(&before),
            secrets: &[],
        },
    );
}

#[test]
fn leak_check_itself() {
    assert!(leaks("Mã PIN 123456 không đúng.", "123456"));
    assert!(leaks("123456", "123456"));
    assert!(!leaks("UID=MST:0101234567", "123456"));
    assert!(!leaks("nothing here", "123456"));
}
