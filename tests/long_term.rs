//! Long-term signatures (issue 11): the RFC 3161 client against local time-stamping
//! authorities (`tests/fixtures/trust/tsa-server.py` on 127.0.0.1: `openssl ts`,
//! and the misbehaving ones: down, garbage, a replayed nonce, another imprint, an
//! untrusted TSA).

mod common;

use common::trust::*;
use kyso::trust::{AnchorSource, TrustStore};
use kyso::tsa::{TsaClient, TsaError};
use kyso::verify::crypto::DigestAlg;
use kyso::verify::revocation::{RevocationCache, RevocationSources};
use kyso::verify::timestamp::{Imprinted, TimestampContext, TimestampKind, TimestampStatus};

fn context_parts() -> (TrustStore, RevocationSources, RevocationCache) {
    let mut trust = TrustStore::empty();
    trust.add_file(&pki_file("root.pem"), AnchorSource::CommandLine).expect("root");
    let sources = RevocationSources { crl_files: current_crls().to_vec(), ..Default::default() };
    (trust, sources, RevocationCache::in_memory())
}

/// Each failure is told apart, and the next address in the list is tried.
#[test]
fn the_tsa_client_checks_every_answer_and_tries_the_next_address() {
    let _servers = Servers::start();
    let base = format!("http://127.0.0.1:{}", pki().http);
    let (trust, sources, cache) = context_parts();
    let cx = TimestampContext {
        trust: &trust,
        pool: &[],
        sources: &sources,
        cache: &cache,
        now: time::OffsetDateTime::now_utc(),
        token_poe: None,
    };
    let data = b"chu ky so can dau thoi gian";
    let stamp = |path: &str| {
        TsaClient::new(vec![format!("{base}{path}")]).stamp(Imprinted::Bytes(data), TimestampKind::Signature, DigestAlg::Sha256, &cx)
    };
    let ok = stamp("/tsa").expect("the test TSA answers");
    assert_eq!(ok.report.status, TimestampStatus::Valid, "{}", ok.report.message_en);
    assert!(ok.report.tsa.as_deref().is_some_and(|t| t.contains("Máy chủ cấp dấu thời gian thử nghiệm")));

    assert!(matches!(stamp("/down"), Err(TsaError::Unreachable { .. })), "{:?}", stamp("/down"));
    assert!(matches!(stamp("/garbage"), Err(TsaError::Garbage { .. })), "{:?}", stamp("/garbage"));
    assert!(matches!(stamp("/wrong-nonce"), Err(TsaError::Mismatch { ref what, .. }) if what == "nonce"), "{:?}", stamp("/wrong-nonce"));
    assert!(matches!(stamp("/wrong-imprint"), Err(TsaError::Mismatch { .. })), "{:?}", stamp("/wrong-imprint"));
    assert!(matches!(stamp("/fake-2024"), Err(TsaError::Rejected { .. })), "{:?}", stamp("/fake-2024"));
    let closed = format!("http://127.0.0.1:{}/tsa", free_port());
    assert!(matches!(
        TsaClient::new(vec![closed]).stamp(Imprinted::Bytes(data), TimestampKind::Signature, DigestAlg::Sha256, &cx),
        Err(TsaError::Unreachable { .. })
    ));
    assert!(matches!(
        TsaClient::new(vec!["ftp://127.0.0.1/tsa".into()]).stamp(Imprinted::Bytes(data), TimestampKind::Signature, DigestAlg::Sha256, &cx),
        Err(TsaError::BadAddress { .. })
    ));
    assert!(matches!(
        TsaClient::new(Vec::new()).stamp(Imprinted::Bytes(data), TimestampKind::Signature, DigestAlg::Sha256, &cx),
        Err(TsaError::NoAddress)
    ));

    // A list: the bad ones are passed over, the good one answers.
    let list: Vec<String> = ["/down", "/garbage", "/wrong-nonce", "/fake-2024", "/tsa"].iter().map(|p| format!("{base}{p}")).collect();
    let s = TsaClient::new(list).stamp(Imprinted::Bytes(data), TimestampKind::Signature, DigestAlg::Sha256, &cx).expect("the last one");
    assert!(s.url.ends_with("/tsa"));
    // All bad: every reason, in order, in one error a clerk can read.
    let list: Vec<String> = ["/down", "/garbage"].iter().map(|p| format!("{base}{p}")).collect();
    match TsaClient::new(list).stamp(Imprinted::Bytes(data), TimestampKind::Signature, DigestAlg::Sha256, &cx) {
        Err(e @ TsaError::AllFailed(_)) => {
            let vi = kyso::i18n::Localize::localize(&e, kyso::Lang::Vi);
            assert!(vi.contains("Không lấy được dấu thời gian") && vi.contains("/down") && vi.contains("/garbage"), "{vi}");
        }
        other => panic!("expected AllFailed, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------
// Signing at each level, extending, and the check before signing, through the CLI.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

fn tsa(path: &str) -> String {
    format!("http://127.0.0.1:{}{path}", pki().http)
}

/// `kyso sign IN -o OUT --pkcs12 WHO.p12 --trust root.pem --json EXTRA…` (password 1234).
fn sign_p12(who: &str, input: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kyso"));
    cmd.args(["sign", &s(input), "-o", &s(out), "--json", "--invisible", "--pkcs12"])
        .arg(pki_file(&format!("{who}.p12")))
        .arg("--trust")
        .arg(pki_file("root.pem"))
        .args(extra)
        .env("KYSO_P12_PASSWORD", "1234")
        .env("KYSO_SETTINGS", pki_file("no-settings.toml"))
        .env("XDG_CACHE_HOME", fresh_cache())
        .env_remove("KYSO_PIN");
    cmd.output().expect("run kyso sign")
}

/// An empty cache folder per run: no revocation answer carried over from another.
fn fresh_cache() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("lt-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn ok_json(out: &Output, what: &str) -> serde_json::Value {
    assert!(out.status.success(), "{what}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{what}: json {e}: {}", String::from_utf8_lossy(&out.stdout)))
}

fn is_prefix(input: &Path, output: &Path) -> bool {
    let (a, b) = (std::fs::read(input).expect("input"), std::fs::read(output).expect("output"));
    b.len() > a.len() && b.starts_with(&a)
}

/// pyHanko with no network, fed only with the file's /DSS (see pyhanko-offline.py).
fn pyhanko_offline(file: &Path) -> (bool, serde_json::Value) {
    let out = Command::new("python3")
        .arg(repo().join("tests/fixtures/trust/pyhanko-offline.py"))
        .arg(file)
        .arg(pki_file("root.pem"))
        .output()
        .expect("run pyhanko-offline.py");
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("pyhanko-offline.py: {e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.success(), v)
}

fn pdfsig_first_valid(file: &Path) -> bool {
    let out = Command::new("pdfsig").arg(file).output().expect("run pdfsig");
    let text = String::from_utf8_lossy(&out.stdout);
    text.split("Signature #2").next().is_some_and(|first| first.contains("Signature is Valid"))
}

fn qpdf_ok(file: &Path) -> bool {
    Command::new("qpdf").arg("--check").arg(file).output().expect("run qpdf").status.success()
}

/// For RSA, P-256 and P-384 keys: B-T, B-LT and B-LTA outputs, the input a prefix
/// of each. With every server stopped, B-LT and B-LTA are judged by pyHanko (the
/// signature, its time-stamp and the document time-stamp sound and trusted from
/// the file's own evidence) and by `kyso verify --offline` (TOTAL_PASSED, level
/// and offline evidence reported); B-T carries its time-stamp but not the evidence.
#[test]
fn every_key_type_at_every_level_is_accepted_offline_by_outside_judges() {
    let input = draft();
    let mut made: Vec<(String, &str, PathBuf)> = Vec::new();
    {
        let _servers = Servers::start();
        for who in ["good", "p256", "p384"] {
            for level in ["b-t", "b-lt", "b-lta"] {
                let out = scratch(&format!("lt-{who}-{level}.pdf"));
                let v = ok_json(&sign_p12(who, &input, &out, &["--level", level, "--tsa", &tsa("/tsa")]), &format!("{who} {level}"));
                assert_eq!(v["level"], level, "{who}: {v}");
                assert!(v["certificateCheck"]["revocation"]["summary"] == "GOOD", "{who} {level}: checked before signing: {v}");
                assert!(is_prefix(&input, &out), "{who} {level}: the input must be a prefix of the output");
                made.push((who.to_owned(), level, out));
            }
        }
        // B-T: pyHanko's own command line, online, finds the signature time-stamp sound and trusted.
        let (ok, text) = pyhanko_validate(&made[0].2, &["--force-revinfo"]);
        assert!(ok && text.contains("The timestamp token is cryptographically sound"), "{text}");
        assert!(!text.contains("The TSA certificate is untrusted"), "{text}");
    }
    // Every server is stopped now.
    for (who, level, file) in &made {
        assert!(qpdf_ok(file), "qpdf --check {who} {level}");
        assert!(pdfsig_first_valid(file), "pdfsig {who} {level}");
        let (code, report) = verify(file, &[]);
        let sig = &report["signatures"][0];
        let expected = level.to_ascii_uppercase();
        assert_eq!(sig["level"], expected.as_str(), "{who} {level}: {}", brief(&report));
        if *level == "b-t" {
            assert_eq!(sig["evidenceOffline"], false);
            continue;
        }
        assert_eq!(code, 0, "{who} {level} offline: {}", brief(&report));
        assert_eq!(sig["evidenceOffline"], true, "{who} {level}");
        let (ok, v) = pyhanko_offline(file);
        assert!(ok, "pyHanko offline {who} {level}: {v}");
        assert_eq!(v["signatures"][0]["timestamp"]["trusted"], true, "{who} {level}: {v}");
        assert_eq!(v["documentTimestamps"].as_array().map(Vec::len), Some(usize::from(*level == "b-lta")), "{v}");
    }
}

/// `kyso extend`: a pyHanko B-B signature raised to B-LTA (accepted offline by
/// pyHanko), and a kyso personal + seal chain raised to B-LTA with both
/// signatures still valid; the input is a prefix of each output, never modified.
#[test]
fn extend_raises_other_signers_and_our_chains_to_b_lta() {
    let input = draft();
    let ph = scratch("ext-pyhanko-bb.pdf");
    pyhanko_sign(&input, &ph, "good", &[]);
    let personal = scratch("ext-personal.pdf");
    let sealed = scratch("ext-sealed.pdf");
    let (ph_lta, chain_lta) = (scratch("ext-pyhanko-lta.pdf"), scratch("ext-chain-lta.pdf"));
    {
        let _servers = Servers::start();
        ok_json(&sign_p12("good", &input, &personal, &["--level", "b-b"]), "personal");
        ok_json(&sign_p12("p256", &personal, &sealed, &["--role", "seal", "--level", "b-t", "--tsa", &tsa("/tsa")]), "seal");
        for (from, to) in [(&ph, &ph_lta), (&sealed, &chain_lta)] {
            let before = std::fs::read(from).expect("input");
            let out = kyso(&[
                "extend".into(),
                s(from),
                "-o".into(),
                s(to),
                "--level".into(),
                "b-lta".into(),
                "--tsa".into(),
                tsa("/tsa"),
                "--trust".into(),
                s(&pki_file("root.pem")),
                "--lang".into(),
                "en".into(),
            ]);
            assert!(
                out.status.success(),
                "extend {}: {}{}",
                from.display(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            assert_eq!(std::fs::read(from).expect("input"), before, "the input is never modified");
            assert!(is_prefix(from, to));
        }
    }
    let (ok, v) = pyhanko_offline(&ph_lta);
    assert!(ok, "pyHanko offline on the extended pyHanko file: {v}");
    assert_eq!(v["documentTimestamps"].as_array().map(Vec::len), Some(1), "{v}");
    let (code, report) = verify(&ph_lta, &[]);
    assert_eq!(code, 0, "{}", brief(&report));
    assert_eq!(report["signatures"][0]["level"], "B-LTA", "{}", brief(&report));
    let (code, report) = verify(&chain_lta, &[]);
    assert_eq!(code, 0, "offline, the chain's own evidence: {}", brief(&report));
    let sigs = report["signatures"].as_array().expect("signatures");
    assert_eq!(sigs.len(), 2);
    assert!(sigs.iter().all(|s| s["indication"] == "TOTAL_PASSED" && s["level"] == "B-LTA"), "{report}");
    let (ok, v) = pyhanko_offline(&chain_lta);
    assert!(ok, "pyHanko offline on the extended chain: {v}");
    // Nothing to extend: an unsigned document is refused and nothing is written.
    let nothing = scratch("ext-nothing.pdf");
    let out = kyso(&["extend".into(), s(&input), "-o".into(), s(&nothing), "--tsa".into(), tsa("/tsa"), "--lang".into(), "en".into()]);
    assert!(!out.status.success() && !nothing.exists(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no signature"), "{}", String::from_utf8_lossy(&out.stderr));
}

fn err_text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A SoftHSM2 token (in `dir`) holding the PKI leaf `who`'s key and certificate
/// (user PIN 123456); returns (SOFTHSM2_CONF, module path).
fn token_with(dir: &Path, who: &str, label: &str) -> (PathBuf, String) {
    std::fs::create_dir_all(dir.join("tokens")).expect("token dir");
    let conf = dir.join("softhsm2.conf");
    std::fs::write(
        &conf,
        format!("directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n", dir.join("tokens").display()),
    )
    .expect("conf");
    let module = super_module();
    let run = |cmd: &mut Command| {
        let o = cmd.env("SOFTHSM2_CONF", &conf).output().expect("token tool");
        assert!(o.status.success(), "{cmd:?}: {}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    };
    run(Command::new("softhsm2-util").args(["--init-token", "--free", "--label", label, "--so-pin", "12345678", "--pin", "123456"]));
    run(Command::new("softhsm2-util")
        .args(["--import"])
        .arg(pki_file(&format!("{who}.key")))
        .args(["--token", label, "--label", who, "--id", "01", "--pin", "123456"]));
    let der = dir.join(format!("{who}.der"));
    run(Command::new("openssl").args(["x509", "-in"]).arg(pki_file(&format!("{who}.pem"))).args(["-outform", "DER", "-out"]).arg(&der));
    run(Command::new("pkcs11-tool")
        .args(["--module", &module, "--token-label", label, "--login", "--pin", "123456", "--write-object"])
        .arg(&der)
        .args(["--type", "cert", "--id", "01", "--label", who]));
    // The issuing CA's certificate too, as tokens carry it.
    let inter = dir.join("inter.der");
    run(Command::new("openssl").args(["x509", "-in"]).arg(pki_file("inter.pem")).args(["-outform", "DER", "-out"]).arg(&inter));
    run(Command::new("pkcs11-tool")
        .args(["--module", &module, "--token-label", label, "--login", "--pin", "123456", "--write-object"])
        .arg(&inter)
        .args(["--type", "cert", "--id", "c0", "--label", "issuing CA"]));
    (conf, module)
}

fn super_module() -> String {
    static TB: std::sync::OnceLock<common::Testbed> = std::sync::OnceLock::new();
    TB.get_or_init(common::testbed).module()
}

/// The token's flags as `pkcs11-tool -T` prints them.
fn token_flags(conf: &Path, module: &str) -> String {
    let o = Command::new("pkcs11-tool").args(["--module", module, "-T"]).env("SOFTHSM2_CONF", conf).output().expect("pkcs11-tool -T");
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Circular 15/2025 §2.2: the signing certificate is checked before the token is
/// asked anything. A revoked certificate on a token is refused before the PIN is
/// tried (a wrong PIN leaves no "count low" flag: no try was spent); an expired one
/// is refused; with OCSP down the CRL answers; with both down B-T is signed with a
/// note and B-LT refused, nothing written.
#[test]
fn the_signing_certificate_is_checked_before_the_pin() {
    let input = draft();
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("lt-token-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (conf, module) = token_with(&dir, "longlived", "LT-REVOKED");
    {
        let _servers = Servers::start();
        let out = scratch("check-revoked.pdf");
        let o = Command::new(env!("CARGO_BIN_EXE_kyso"))
            .args(["sign", &s(&input), "-o", &s(&out), "--module", &module, "--token", "LT-REVOKED", "--trust"])
            .arg(pki_file("root.pem"))
            .args(["--level", "b-b", "--lang", "en"])
            .env("SOFTHSM2_CONF", &conf)
            .env("KYSO_PIN", "000000")
            .env("KYSO_SETTINGS", pki_file("no-settings.toml"))
            .env("XDG_CACHE_HOME", fresh_cache())
            .output()
            .expect("kyso sign");
        let e = err_text(&o);
        assert!(!o.status.success() && e.contains("was revoked") && e.contains("keyCompromise"), "{e}");
        assert!(!out.exists(), "nothing is written");
        let flags = token_flags(&conf, &module);
        assert!(flags.contains("LT-REVOKED") && !flags.contains("count low"), "the wrong PIN was never tried: {flags}");

        let out = scratch("check-expired.pdf");
        let o = sign_p12("expired2025", &input, &out, &["--level", "b-b", "--lang", "en"]);
        assert!(!o.status.success() && err_text(&o).contains("not valid now") && !out.exists(), "{}", err_text(&o));
    }
    {
        // OCSP down, CRL up: the CRL answers, and is the evidence kept.
        let _servers = Servers::start_with(true, false);
        let out = scratch("check-crl.pdf");
        let v = ok_json(&sign_p12("good", &input, &out, &["--level", "b-lt", "--tsa", &tsa("/tsa")]), "crl only");
        let first = &v["certificateCheck"]["revocation"]["certificates"][0]["status"];
        assert_eq!(first["kind"], "good", "{v}");
        assert_eq!(first["source"]["kind"], "crlUrl", "{v}");
        let (code, report) = verify(&out, &[]);
        assert_eq!(code, 0, "B-LT from CRLs, offline: {}", brief(&report));
    }
    {
        // Both down, a TSA elsewhere: B-T signed with the fact noted; B-LT refused.
        let mut servers = Servers::start_with(false, false);
        let port = free_port();
        servers.http_server(port);
        let other_tsa = format!("http://127.0.0.1:{port}/tsa");
        let out = scratch("check-unknown-bt.pdf");
        let o = sign_p12("good", &input, &out, &["--level", "b-t", "--tsa", &other_tsa, "--lang", "en"]);
        let v = ok_json(&o, "status unknown, B-T");
        assert_eq!(v["level"], "b-t");
        assert!(v["notes"].as_array().is_some_and(|n| n.iter().any(|n| n["kind"] == "status_unknown")), "{v}");
        assert!(err_text(&o).contains("could not be checked at signing time"), "{}", err_text(&o));
        assert!(v["certificateCheck"]["statusUnknown"].is_string(), "{v}");
        let out = scratch("check-unknown-blt.pdf");
        let o = sign_p12("good", &input, &out, &["--level", "b-lt", "--tsa", &other_tsa, "--lang", "en"]);
        assert!(!o.status.success() && err_text(&o).contains("B-LT needs the revocation status") && !out.exists(), "{}", err_text(&o));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A TSA that is down, answers garbage, replays another nonce, or is not trusted:
/// a clear error and nothing written; with a list, the next TSA is tried.
#[test]
fn tsa_failures_write_nothing_and_the_next_tsa_is_tried() {
    let input = draft();
    let _servers = Servers::start();
    for (path, words) in
        [("/down", "503"), ("/garbage", "garbage"), ("/wrong-nonce", "nonce"), ("/fake-2024", "trust"), ("/wrong-imprint", "imprint")]
    {
        let out = scratch(&format!("tsa-fail{}.pdf", path.replace('/', "-")));
        let o = sign_p12("good", &input, &out, &["--level", "b-t", "--tsa", &tsa(path), "--lang", "en"]);
        let e = err_text(&o);
        assert!(!o.status.success(), "{path}: must fail");
        assert!(e.to_lowercase().contains(words) || e.contains(path), "{path}: {e}");
        assert_eq!(e.trim().lines().count(), 1, "{path}: one line: {e}");
        assert!(!out.exists(), "{path}: nothing written");
        let dir = out.parent().expect("dir");
        let parts = std::fs::read_dir(dir)
            .expect("dir")
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".part"))
            .count();
        assert_eq!(parts, 0, "{path}: no temporary file left");
    }
    let out = scratch("tsa-list.pdf");
    let v = ok_json(
        &sign_p12("good", &input, &out, &["--level", "b-t", "--tsa", &tsa("/down"), "--tsa", &tsa("/garbage"), "--tsa", &tsa("/tsa")]),
        "list",
    );
    assert_eq!(v["level"], "b-t");
    // No TSA anywhere: B-T is refused before signing, B-B is the default with a note.
    let out = scratch("tsa-none.pdf");
    let o = sign_p12("good", &input, &out, &["--level", "b-t", "--lang", "en"]);
    assert!(!o.status.success() && err_text(&o).contains("No time-stamping authority") && !out.exists(), "{}", err_text(&o));
    let o = sign_p12("good", &input, &out, &["--lang", "en"]);
    let v = ok_json(&o, "default");
    assert_eq!(v["level"], "b-b");
    assert!(err_text(&o).contains("signed at B-B"), "{}", err_text(&o));
    // A settings file with a TSA makes B-T the default.
    let settings = scratch("settings.toml");
    std::fs::write(&settings, format!("tsa = [\"{}\"]\n", tsa("/tsa"))).expect("settings");
    let out = scratch("tsa-settings.pdf");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kyso"));
    cmd.args(["sign", &s(&input), "-o", &s(&out), "--json", "--invisible", "--pkcs12"])
        .arg(pki_file("good.p12"))
        .arg("--trust")
        .arg(pki_file("root.pem"))
        .env("KYSO_P12_PASSWORD", "1234")
        .env("KYSO_SETTINGS", &settings);
    let v = ok_json(&cmd.output().expect("kyso"), "settings");
    assert_eq!(v["level"], "b-t", "{v}");
}

/// Offline, a B-LT and a B-LTA signature stay TOTAL_PASSED after the signer's
/// certificate has expired: the time-stamp proves the signature came first and the
/// file holds the revocation answers of that time.
#[test]
fn offline_b_lt_and_b_lta_stay_valid_after_the_signer_expires() {
    let input = draft();
    let name = format!("short{}", std::process::id());
    {
        let dir = pki().dir.clone(); // made first: pki() takes the same lock
        let lock = File::create(PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("kyso-trust-pki.lock")).expect("lock");
        lock.lock().expect("lock");
        run_ok(Command::new("bash").arg(repo().join("tests/fixtures/trust/make-pki.sh")).arg("--leaf").arg(&dir).arg(&name).arg("40"));
    }
    let started = std::time::Instant::now();
    let (lt, lta) = (scratch("short-blt.pdf"), scratch("short-blta.pdf"));
    {
        let _servers = Servers::start();
        ok_json(&sign_p12(&name, &input, &lt, &["--level", "b-lt", "--tsa", &tsa("/tsa")]), "short B-LT");
        ok_json(&sign_p12(&name, &input, &lta, &["--level", "b-lta", "--tsa", &tsa("/tsa")]), "short B-LTA");
    }
    let left = Duration::from_secs(42).saturating_sub(started.elapsed());
    std::thread::sleep(left);
    for (file, level) in [(&lt, "B-LT"), (&lta, "B-LTA")] {
        let (code, report) = verify(file, &[]);
        let sig = &report["signatures"][0];
        assert_eq!(code, 0, "{level}: {}", brief(&report));
        assert_eq!(sig["level"], level);
        assert_eq!(sig["evidenceOffline"], true);
        assert_eq!(sig["validationTime"]["basis"], "signatureTimestamp", "{report}");
    }
    // The same certificate signing now is refused: it has expired.
    let out = scratch("short-now.pdf");
    let o = sign_p12(&name, &input, &out, &["--level", "b-b", "--lang", "en"]);
    assert!(!o.status.success() && err_text(&o).contains("not valid now"), "{}", err_text(&o));
}

/// `kyso archive extend`: an archived document whose last time-stamp expires before
/// the date (a B-T file, its TSA certificate ends in 2035) gets a B-LTA version beside
/// the original, with a history row naming both SHA-256; the original is untouched; a
/// date before that expiry leaves it alone.
#[test]
fn archive_extend_keeps_a_b_lta_version_beside_the_original() {
    use kyso::queue::{DocRole, DocStatus, Queue, VerifiedRecord};
    let input = draft();
    let data = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("lt-archive-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(&data).expect("data dir");
    let signed = scratch("archive-bt.pdf");
    let _servers = Servers::start();
    ok_json(&sign_p12("good", &input, &signed, &["--level", "b-t", "--tsa", &tsa("/tsa")]), "B-T");
    let (id, original_sha, original_rel) = {
        let mut q = Queue::open(&data).expect("queue");
        let doc = q.add(&signed, DocRole::Incoming).expect("add");
        let v = VerifiedRecord { status: DocStatus::Valid, verdict: "TOTAL_PASSED".into(), reason: None, signers: None, sha256: None };
        q.record_verified(doc.id, &v).expect("verified");
        let reg = q.register(doc.id, Some("12/QĐ-UBND"), None).expect("register");
        (reg.id, reg.sha256.clone(), reg.archive_path.clone().expect("archived"))
    };
    let run = |before: &str| {
        Command::new(env!("CARGO_BIN_EXE_kyso"))
            .args(["archive", "--data-dir", &s(&data), "extend", "--before", before, "--json", "--tsa", &tsa("/tsa"), "--trust"])
            .arg(pki_file("root.pem"))
            .env("XDG_CACHE_HOME", fresh_cache())
            .output()
            .expect("kyso archive extend")
    };
    // The TSA certificate ends on 2035-01-01: not due before then.
    let v = ok_json(&run("2034-12-31"), "not due");
    assert_eq!(v[0]["result"], "not_due", "{v}");
    let v = ok_json(&run("2035-06-01"), "due");
    assert_eq!(v[0]["result"], "extended", "{v}");
    let new_rel = v[0]["archivePath"].as_str().expect("new version").to_owned();
    assert_ne!(new_rel, original_rel);
    let original = data.join(&original_rel);
    let extended = data.join(&new_rel);
    assert_eq!(kyso::queue::sha256_file(&original).expect("hash"), original_sha, "the original is never modified");
    assert!(is_prefix(&original, &extended));
    let q = Queue::open(&data).expect("queue");
    let h = q.history(id).expect("history");
    let row = h.iter().find(|e| e.action == "archive_extended").expect("history row");
    assert_eq!(row.sha256_before.as_deref(), Some(original_sha.as_str()));
    assert_eq!(row.sha256_after.as_deref(), v[0]["sha256After"].as_str());
    assert!(q.check().expect("check").ok(), "kyso archive check: both versions intact");
    drop(q);
    let (code, report) = verify(&extended, &[]);
    assert_eq!(code, 0, "{}", brief(&report));
    assert_eq!(report["signatures"][0]["level"], "B-LTA");
    // Extended again later: the newest version is the one extended.
    let v = ok_json(&run("2036-01-01"), "again");
    assert_eq!(v[0]["sha256Before"], row.sha256_after.as_deref().unwrap_or_default(), "{v}");
    let _ = std::fs::remove_dir_all(&data);
}
