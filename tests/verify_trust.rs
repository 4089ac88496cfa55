//! What a clerk can stake a registration on (issue 9): no forged time, no stale
//! revocation, no hidden overlay. Each test builds its attack file here, with
//! pyHanko as the attacker's tool (`tests/fixtures/trust/pyhanko-attack.py`) or
//! byte-level edits (`tests/fixtures/attacks/make-attacks.py`), and asserts kyso's
//! verdict — and, where pyHanko is right, that pyHanko agrees.
//!
//! The PKI (`tests/fixtures/trust/make-pki.sh`: a root, an issuing CA, leaves valid
//! now / 2023–2030 (revoked now) / 2023–2025 (expired), a TSA, a fake TSA, an OCSP
//! responder) is built once for all test processes under `CARGO_TARGET_TMPDIR`
//! behind a file lock; its HTTP side (`tsa-server.py`: CRLs and `openssl ts -reply`,
//! also "as of 2024-06-01" through faketime) and `openssl ocsp` run on 127.0.0.1
//! only while a test holds the server lock. Every verification is `--offline`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::trust::*;

// ------------------------------------------------------------------ 1. time and revocation

/// A certificate revoked today for key compromise signs with `/M` in 2024 and a
/// 2024 CRL in `/DSS`: never valid — neither with today's CRL given, nor offline.
#[test]
fn backdated_signing_time_and_stale_dss_crl_are_never_valid() {
    let signed = scratch("backdated.pdf");
    let attack = scratch("backdated-stale-dss.pdf");
    pyhanko_sign(&draft(), &signed, "longlived", &["--at", "2024-06-01T10:00:00+07:00"]);
    attacker(&["dss", signed.to_str().expect("utf-8"), attack.to_str().expect("utf-8"), "stale-2024-inter.crl.pem"]);

    let crls = current_crls();
    let (code, d) = verify(&attack, &[&crls[0], &crls[1]]);
    assert_ne!(d["indication"], "TOTAL_PASSED", "{}", brief(&d));
    assert!(["REVOKED", "REVOKED_NO_POE"].contains(&d["subIndication"].as_str().unwrap_or("")), "{}", brief(&d));
    let s0 = &d["signatures"][0];
    assert_eq!(s0["validationTime"]["basis"], "now", "/M is a claim: {}", s0["validationTime"]);
    assert_eq!(s0["claimedTime"].as_str().map(|t| t.starts_with("D:2024")), Some(true), "{}", s0["claimedTime"]);
    assert_eq!(s0["revocation"]["certificates"][0]["status"]["kind"], "revoked", "{}", s0["revocation"]);
    assert_ne!(code, 0);

    // Offline with only the stale embedded CRL: it cannot vouch for "now".
    let (code, d) = verify(&attack, &[]);
    assert_eq!(d["indication"], "INDETERMINATE", "{}", brief(&d));
    assert_eq!(d["subIndication"], "TRY_LATER", "{}", brief(&d));
    let tried = d["signatures"][0]["revocation"]["certificates"][0]["status"]["why"].as_str().unwrap_or("").to_owned();
    assert!(tried.contains("out of date"), "{tried}");
    assert_eq!(code, 2);

    // Control: the same steps by a certificate in good standing are valid.
    let good = scratch("backdated-good.pdf");
    pyhanko_sign(&draft(), &good, "good", &[]);
    let (code, d) = verify(&good, &[&crls[0], &crls[1]]);
    assert_eq!(d["indication"], "TOTAL_PASSED", "{}", brief(&d));
    assert_eq!(code, 0);
}

/// "Revoked" from one source beats "good" from another, whatever the order.
#[test]
fn a_revocation_anywhere_beats_a_fresh_good_answer_elsewhere() {
    let signed = scratch("revoked-with-current.pdf");
    pyhanko_sign(&draft(), &signed, "longlived", &[]);
    // A "current" inter CRL made before the revocation cannot exist (the real one
    // lists it), so give the revoking CRL beside a good root CRL and the stale one.
    let crls = current_crls();
    let stale = pki_file("stale-2024-inter.crl.pem");
    let (_, d) = verify(&signed, &[&stale, &crls[1], &crls[0]]);
    assert_ne!(d["indication"], "TOTAL_PASSED", "{}", brief(&d));
    assert_eq!(d["signatures"][0]["revocation"]["summary"], "REVOKED", "{}", d["signatures"][0]["revocation"]);
}

// ------------------------------------------------------------------ 2. time-stamps

/// A certificate that expired in 2025 and a token from a self-signed "TSA" dated
/// 2024: the token is untrusted and never moves the time.
#[test]
fn a_forged_timestamp_from_an_untrusted_tsa_does_not_move_the_time() {
    let f = scratch("forged-tst.pdf");
    pyhanko_sign(
        &draft(),
        &f,
        "expired2025",
        &["--at", "2024-06-01T11:59:00+00:00", "--forged-tsa", "fake-tsa.pem", "fake-tsa.key", "2024-06-01T12:00:00+00:00"],
    );
    let crls = [pki_file("past-2024-inter.crl.pem"), pki_file("past-2024-root.crl.pem")];
    let (code, d) = verify(&f, &[&crls[0], &crls[1]]);
    assert_eq!(d["indication"], "INDETERMINATE", "{}", brief(&d));
    assert_eq!(d["subIndication"], "OUT_OF_BOUNDS_NO_POE", "{}", brief(&d));
    let s0 = &d["signatures"][0];
    assert_eq!(s0["timestamps"][0]["status"], "untrusted", "{}", s0["timestamps"]);
    assert_eq!(s0["timestamps"][0]["imprintOk"], true, "a well-made forgery");
    assert!(s0["timestamp"].is_null(), "an untrusted token gives no time: {}", s0["timestamp"]);
    assert_eq!(s0["validationTime"]["basis"], "now");
    assert_eq!(code, 2);
    let (valid, text) = pyhanko_validate(&f, &["--other-certs", pki_file("inter.pem").to_str().expect("utf-8")]);
    assert!(!valid, "pyHanko agrees it is not valid:\n{text}");
}

/// A token copied from another signature: its imprint does not match, the
/// signature is not valid (someone tampered with it).
#[test]
fn a_timestamp_copied_from_another_signature_invalidates_it() {
    let _servers = Servers::start();
    let url = format!("http://127.0.0.1:{}/tsa", pki().http);
    let victim = scratch("tst-victim.pdf");
    let donor = scratch("tst-donor.pdf");
    let swapped = scratch("tst-swapped.pdf");
    pyhanko_sign(&draft(), &victim, "good", &["--tsa", &url]);
    pyhanko_sign(&draft(), &donor, "good", &["--tsa", &url]);
    attacker(&["swap-tst", victim.to_str().expect("utf-8"), donor.to_str().expect("utf-8"), swapped.to_str().expect("utf-8")]);
    let crls = current_crls();
    let (code, d) = verify(&victim, &[&crls[0], &crls[1]]);
    assert_eq!(d["indication"], "TOTAL_PASSED", "the untouched victim is valid: {}", brief(&d));
    assert_eq!(d["signatures"][0]["timestamps"][0]["status"], "valid");
    assert_eq!(d["signatures"][0]["validationTime"]["basis"], "signatureTimestamp");
    assert_eq!(code, 0);
    let (code, d) = verify(&swapped, &[&crls[0], &crls[1]]);
    assert_eq!(d["indication"], "TOTAL_FAILED", "{}", brief(&d));
    assert_eq!(d["subIndication"], "SIG_CRYPTO_FAILURE", "{}", brief(&d));
    let t = &d["signatures"][0]["timestamps"][0];
    assert_eq!(t["status"], "invalid", "{t}");
    assert_eq!(t["imprintOk"], false, "{t}");
    assert!(d["messageVi"].as_str().unwrap_or("").contains("dấu thời gian"), "{}", d["messageVi"]);
    assert_eq!(code, 1);
    let (valid, text) = pyhanko_validate(&swapped, &[]);
    assert!(!valid && text.contains("cryptographically unsound"), "pyHanko agrees:\n{text}");
}

/// A valid token from the test TSA (`openssl ts -reply` over HTTP, answering as of
/// 2024-06-01) proves the signature existed while its now-expired certificate was
/// valid: valid, judged at the token's time. Without the token: not valid.
#[test]
fn a_valid_timestamp_keeps_a_signature_by_a_now_expired_certificate_valid() {
    let servers = Servers::start();
    let url = format!("http://127.0.0.1:{}/tsa-2024", pki().http);
    let with_tst = scratch("expired-with-tst.pdf");
    let without = scratch("expired-without-tst.pdf");
    let weak_tsa = scratch("expired-noncritical-tsa.pdf");
    pyhanko_sign(&draft(), &with_tst, "expired2025", &["--at", "2024-06-01T11:59:00+00:00", "--tsa", &url]);
    pyhanko_sign(&draft(), &without, "expired2025", &["--at", "2024-06-01T11:59:00+00:00"]);
    // (`openssl ts` refuses such a TSA certificate, so the token is made locally.)
    pyhanko_sign(
        &draft(),
        &weak_tsa,
        "expired2025",
        &["--at", "2024-06-01T11:59:00+00:00", "--forged-tsa", "tsa-noncritical.pem", "tsa-noncritical.key", "2024-06-01T12:00:00+00:00"],
    );
    drop(servers);
    // Revocation evidence from after the time-stamp and before the expiry (a
    // CRL issued after expiry no longer lists the certificate), and today's CRLs
    // for the TSA.
    let crls =
        [pki_file("past-2024-inter.crl.pem"), pki_file("past-2024-root.crl.pem"), pki_file("inter.crl.pem"), pki_file("root.crl.pem")];
    let crl_refs: Vec<&Path> = crls.iter().map(PathBuf::as_path).collect();
    let (code, d) = verify(&with_tst, &crl_refs);
    assert_eq!(d["indication"], "TOTAL_PASSED", "{}", brief(&d));
    let s0 = &d["signatures"][0];
    assert_eq!(s0["validationTime"]["basis"], "signatureTimestamp");
    assert_eq!(s0["timestamp"], "2024-06-01T19:00:00+07:00");
    assert_eq!(s0["timestamps"][0]["status"], "valid");
    assert!(s0["timestamps"][0]["tsa"].as_str().unwrap_or("").contains("Máy chủ cấp dấu thời gian thử nghiệm"));
    assert_eq!(code, 0);

    let (code, d) = verify(&without, &crl_refs);
    assert_eq!(d["indication"], "INDETERMINATE", "{}", brief(&d));
    assert_eq!(d["subIndication"], "OUT_OF_BOUNDS_NO_POE", "{}", brief(&d));
    assert_eq!(code, 2);

    // RFC 3161 §2.3: a TSA whose extendedKeyUsage is not critical is not trusted.
    let (_, d) = verify(&weak_tsa, &crl_refs);
    assert_eq!(d["signatures"][0]["timestamps"][0]["status"], "untrusted", "{}", d["signatures"][0]["timestamps"]);
    assert_eq!(d["subIndication"], "OUT_OF_BOUNDS_NO_POE", "{}", brief(&d));
}

/// PAdES B-LTA made by pyHanko with the test TSA: valid offline with its document
/// time-stamp listed as such (not as a signature, not as an empty field), and the
/// `/DSS` + document time-stamp updates allowed; pyHanko agrees.
#[test]
fn pades_lta_by_pyhanko_is_valid_with_its_document_timestamp() {
    let servers = Servers::start();
    let url = format!("http://127.0.0.1:{}/tsa", pki().http);
    let f = scratch("pyhanko-lta.pdf");
    pyhanko_sign(&draft(), &f, "good", &["--lta", &url]);
    drop(servers);
    let (code, d) = verify(&f, &[]);
    assert_eq!(d["indication"], "TOTAL_PASSED", "{}", brief(&d));
    assert_eq!(code, 0);
    assert_eq!(d["signatures"].as_array().map(Vec::len), Some(1), "the document time-stamp is not a signature");
    assert_eq!(d["emptySignatureFields"], 0);
    let dts = d["documentTimestamps"].as_array().expect("document time-stamps");
    assert_eq!(dts.len(), 1, "{d}");
    assert_eq!(dts[0]["timestamp"]["status"], "valid", "{}", dts[0]);
    assert_eq!(dts[0]["timestamp"]["kind"], "document");
    let level = d["signatures"][0]["modifications"]["level"].as_str().unwrap_or("").to_owned();
    assert!(["ltaUpdates", "none"].contains(&level.as_str()), "{level}");
    // pyHanko 0.38's `sign validate` does not read /DSS (only `adesverify` does, and it
    // wants revocation data issued after the time-stamp, which pyHanko itself fetched
    // before it): it is asked with the PKI's servers up.
    let servers = Servers::start();
    let (valid, text) = pyhanko_validate(&f, &["--force-revinfo"]);
    drop(servers);
    assert!(valid, "pyHanko agrees:\n{text}");
}

// ------------------------------------------------------------------ 3. what you see is what was signed

/// An empty signature field appended after a signature whose widget paints a white
/// box and new text over the decision: not valid, and the clerk cannot seal it (R9).
#[test]
fn an_overlay_in_an_unsigned_signature_field_is_not_valid() {
    let signed = scratch("overlay-base.pdf");
    let overlay = scratch("overlay.pdf");
    let blank = scratch("overlay-blank-placeholder.pdf");
    pyhanko_sign(&draft(), &signed, "good", &[]);
    make_attack("ssa-unsigned-field", &signed, &overlay);
    make_attack("blank-unsigned-field", &signed, &blank);
    let crls = current_crls();
    let (code, d) = verify(&overlay, &[&crls[0], &crls[1]]);
    assert_eq!(d["indication"], "TOTAL_FAILED", "{}", brief(&d));
    assert_eq!(d["subIndication"], "POST_SIGNING_MODIFICATION", "{}", brief(&d));
    let msg = d["messageEn"].as_str().unwrap_or("");
    assert!(msg.contains("Sneaky") && msg.contains("not signed") && msg.contains("revision 1 was signed"), "{msg}");
    assert_eq!(code, 1);
    // A blank placeholder for a later signature paints nothing: still valid.
    let (code, d) = verify(&blank, &[&crls[0], &crls[1]]);
    assert_eq!(d["indication"], "TOTAL_PASSED", "{}", brief(&d));
    assert_eq!(d["emptySignatureFields"], 1);
    assert_eq!(code, 0);

    // The clerk's seal is refused before any key is touched.
    let tb = common::testbed();
    let sealed = scratch("overlay-sealed.pdf");
    let out = Command::new(env!("CARGO_BIN_EXE_kyso"))
        .arg("sign")
        .arg(&overlay)
        .arg("-o")
        .arg(&sealed)
        .args(["--role", "seal", "--invisible", "--offline", "--pkcs12"])
        .arg(tb.pki("agency-rsa2048.p12"))
        .arg("--trust")
        .arg(pki_file("root.pem"))
        .args(["--crl", crls[0].to_str().expect("utf-8"), "--crl", crls[1].to_str().expect("utf-8")])
        .env("KYSO_P12_PASSWORD", tb.var("KYSO_TEST_P12_PASSWORD"))
        .output()
        .expect("run kyso sign");
    assert!(!out.status.success(), "sealing over an overlay must be refused");
    assert!(!sealed.exists());

    // The clerk can open what was signed: the signed revision lacks the fake text.
    let dir = scratch("overlay-extracted");
    let _ = std::fs::remove_dir_all(&dir);
    let out = kyso(&["verify".into(), "--offline".into(), "--extract-signed".into(), s(&dir), s(&overlay)]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let extracted: Vec<PathBuf> = std::fs::read_dir(&dir).expect("dir").flatten().map(|e| e.path()).collect();
    assert_eq!(extracted.len(), 1, "{extracted:?}");
    let signed_len = std::fs::metadata(&signed).expect("signed").len();
    assert_eq!(std::fs::metadata(&extracted[0]).expect("extracted").len(), signed_len, "exactly the signed revision");
    assert_eq!(common::sha256_file(&extracted[0]), common::sha256_file(&signed));
}

/// A later revision rewrites an appearance stream X that the signed revision also
/// draws on the page through an intermediate indirect dictionary A (the widget's
/// `/AP` and the page's `/XObject` resources are both A = << /N X >>): every path
/// to X is judged, so the change is not "form filling".
#[test]
fn an_appearance_shared_through_an_intermediate_dictionary_is_judged_by_every_path() {
    let prepared = scratch("shared-ap-prepared.pdf");
    let signed = scratch("shared-ap-signed.pdf");
    let attack = scratch("shared-ap-attack.pdf");
    make_attack("shared-ap-prepare", &draft(), &prepared);
    pyhanko_sign(&prepared, &signed, "good", &["--field", "Duyet"]);
    make_attack("shared-ap-attack", &signed, &attack);
    let crls = current_crls();
    let (_, d) = verify(&signed, &[&crls[0], &crls[1]]);
    assert_eq!(d["indication"], "TOTAL_PASSED", "the prepared, signed document is valid: {}", brief(&d));
    let (code, d) = verify(&attack, &[&crls[0], &crls[1]]);
    let duyet = d["signatures"].as_array().expect("sigs").iter().find(|s| s["field"] == "Duyet").cloned().expect("Duyet");
    assert_eq!(duyet["indication"], "TOTAL_FAILED", "{}", duyet["messageEn"]);
    assert_eq!(duyet["subIndication"], "POST_SIGNING_MODIFICATION");
    assert!(duyet["messageEn"].as_str().unwrap_or("").contains("through"), "{}", duyet["messageEn"]);
    assert_eq!(code, 1);
}

/// An update to an indirect `/Extensions` dictionary is allowed like one to a direct one.
#[test]
fn an_update_to_an_indirect_extensions_dictionary_is_allowed() {
    let prepared = scratch("ext-prepared.pdf");
    let signed = scratch("ext-signed.pdf");
    let updated = scratch("ext-updated.pdf");
    make_attack("extensions-indirect-prepare", &draft(), &prepared);
    pyhanko_sign(&prepared, &signed, "good", &[]);
    make_attack("extensions-indirect-update", &signed, &updated);
    let crls = current_crls();
    let (code, d) = verify(&updated, &[&crls[0], &crls[1]]);
    assert_eq!(d["indication"], "TOTAL_PASSED", "{}", brief(&d));
    assert_eq!(d["signatures"][0]["modifications"]["level"], "ltaUpdates");
    assert_eq!(code, 0);
}

// ------------------------------------------------------------------ 4. encodings and algorithms

/// A signature made by poppler's `pdfsig -add-signature` (NSS: BER, the signer's
/// certificate twice in the certificate SET) is valid, as pyHanko and pdfsig say.
#[test]
fn a_signature_made_by_nss_through_pdfsig_is_valid() {
    let dir = scratch("nss-db");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("nss dir");
    let db = format!("sql:{}", dir.display());
    let p12 = dir.join("good.p12");
    run_ok(
        Command::new("openssl")
            .args(["pkcs12", "-export", "-passout", "pass:nss", "-inkey"])
            .arg(pki_file("good.key"))
            .arg("-in")
            .arg(pki_file("good.pem"))
            .arg("-certfile")
            .arg(pki_file("chain.pem"))
            .arg("-out")
            .arg(&p12),
    );
    run_ok(Command::new("certutil").args(["-N", "-d", &db, "--empty-password"]));
    run_ok(Command::new("pk12util").args(["-i"]).arg(&p12).args(["-d", &db, "-W", "nss"]));
    run_ok(Command::new("certutil").args(["-A", "-d", &db, "-n", "root", "-t", "CT,C,C", "-i"]).arg(pki_file("root.pem")));
    let f = scratch("nss-signed.pdf");
    let nick = String::from_utf8_lossy(&run_ok(Command::new("certutil").args(["-L", "-d", &db])).stdout)
        .lines()
        .find(|l| l.trim_end().ends_with("u,u,u"))
        .map(|l| l.trim_end().trim_end_matches("u,u,u").trim().to_owned())
        .expect("the key's nickname");
    run_ok(
        Command::new("pdfsig")
            .args(["-nssdir", &db, "-add-signature", "-nick", &nick, "-new-signature-field-name", "NSS1"])
            .arg(draft())
            .arg(&f),
    );
    let crls = current_crls();
    let (code, d) = verify(&f, &[&crls[0], &crls[1]]);
    assert_eq!(d["indication"], "TOTAL_PASSED", "{}", brief(&d));
    let leniency = d["signatures"][0]["cms"]["leniency"].as_array().expect("leniency");
    assert!(!leniency.is_empty(), "NSS writes BER and a duplicated certificate: {leniency:?}");
    assert_eq!(code, 0);
    let out = run_ok(Command::new("pdfsig").args(["-nssdir", &db]).arg(&f));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Signature is Valid."));
    // pyHanko cannot fetch revocation data here (the PKI's servers are down).
    let (valid, text) = pyhanko_validate(&f, &["--no-strict-syntax", "--no-revocation-check"]);
    assert!(valid, "pyHanko agrees:\n{text}");
}

/// Bytes other than zero padding after the CMS inside `/Contents`: not valid.
#[test]
fn bytes_after_the_cms_in_contents_are_not_valid() {
    let signed = scratch("junk-base.pdf");
    let junk = scratch("junk-after-cms.pdf");
    pyhanko_sign(&draft(), &signed, "good", &[]);
    make_attack("junk-after-cms", &signed, &junk);
    let crls = current_crls();
    let (code, d) = verify(&junk, &[&crls[0], &crls[1]]);
    assert_eq!(d["indication"], "TOTAL_FAILED", "{}", brief(&d));
    assert_eq!(d["subIndication"], "FORMAT_FAILURE");
    assert!(d["messageEn"].as_str().unwrap_or("").contains("non-zero bytes follow the CMS"), "{}", d["messageEn"]);
    assert_eq!(code, 1);
}

/// Ed25519 (RFC 8419) is verified; Ed448 with SHAKE256 is an algorithm KýSố does
/// not implement: INDETERMINATE / CRYPTO_CONSTRAINTS_FAILURE naming it, never a
/// format failure.
#[test]
fn eddsa_signatures() {
    let ed25519 = scratch("ed25519.pdf");
    let ed448 = scratch("ed448.pdf");
    pyhanko_sign(&draft(), &ed25519, "ed25519", &[]);
    pyhanko_sign(&draft(), &ed448, "ed448", &[]);
    let crls = current_crls();
    let (code, d) = verify(&ed25519, &[&crls[0], &crls[1]]);
    assert_eq!(d["indication"], "TOTAL_PASSED", "{}", brief(&d));
    assert_eq!(code, 0);
    let (valid, text) = pyhanko_validate(&ed25519, &["--no-revocation-check"]);
    assert!(valid, "pyHanko agrees:\n{text}");
    let (code, d) = verify(&ed448, &[&crls[0], &crls[1]]);
    assert_eq!(d["indication"], "INDETERMINATE", "{}", brief(&d));
    assert_eq!(d["subIndication"], "CRYPTO_CONSTRAINTS_FAILURE", "{}", brief(&d));
    let msg = d["messageEn"].as_str().unwrap_or("");
    assert!(msg.contains("SHAKE256") || msg.contains("Ed448"), "the algorithm is named: {msg}");
    assert_eq!(code, 2);
}

// ------------------------------------------------------------------ 5. inputs

/// An encrypted PDF that opens without a password (the usual "owner password
/// only" file) is verified like any other; one that needs a password gets a
/// verification answer, not the signing flow's message; kyso never signs one.
#[test]
fn encrypted_documents() {
    let crls = current_crls();
    let mut aes256 = PathBuf::new();
    for (bits, aes) in [("256", "y"), ("128", "y"), ("128", "n"), ("40", "n")] {
        let enc = scratch(&format!("encrypted-{bits}-{aes}.pdf"));
        let signed = scratch(&format!("encrypted-{bits}-{aes}-signed.pdf"));
        let mut q = Command::new("qpdf");
        q.args(["--allow-weak-crypto", "--encrypt", "", "chu-so-huu", bits]);
        if bits == "128" {
            q.arg(format!("--use-aes={aes}"));
        }
        run_ok(q.arg("--").arg(draft()).arg(&enc));
        pyhanko_sign(&enc, &signed, "good", &[]);
        let (code, d) = verify(&signed, &[&crls[0], &crls[1]]);
        assert_eq!(d["indication"], "TOTAL_PASSED", "{bits}-bit, AES {aes}: {}", brief(&d));
        assert_eq!(d["signatures"][0]["field"], "Sig1", "the field name is decrypted");
        assert_eq!(code, 0);
        // A change after signing is still found through the encryption.
        if bits == "256" {
            aes256 = enc.clone();
            let tampered = scratch("encrypted-256-overlay.pdf");
            make_attack("ssa-unsigned-field", &signed, &tampered);
            let (_, d) = verify(&tampered, &[&crls[0], &crls[1]]);
            assert_eq!(d["subIndication"], "POST_SIGNING_MODIFICATION", "{}", brief(&d));
        }
    }

    // A user password: INDETERMINATE, with a verification message.
    let signed = scratch("enc-base.pdf");
    let enc = scratch("encrypted-password.pdf");
    pyhanko_sign(&draft(), &signed, "good", &[]);
    run_ok(Command::new("qpdf").args(["--encrypt", "mat-khau", "chu-so-huu", "256", "--"]).arg(&signed).arg(&enc));
    let (code, d) = verify(&enc, &[]);
    assert_eq!(d["indication"], "INDETERMINATE", "{}", brief(&d));
    let (vi, en) = (d["messageVi"].as_str().unwrap_or(""), d["messageEn"].as_str().unwrap_or(""));
    assert!(vi.contains("mã hóa") && en.contains("encrypted"), "{vi} / {en}");
    assert!(!en.contains("cannot be signed") && !vi.contains("không thể ký"), "not the signing message: {en}");
    assert_eq!(code, 2);

    // Signing still refuses an encrypted document.
    let tb = common::testbed();
    let out = Command::new(env!("CARGO_BIN_EXE_kyso"))
        .arg("sign")
        .arg(&aes256)
        .arg("-o")
        .arg(scratch("encrypted-resigned.pdf"))
        .args(["--invisible", "--pkcs12"])
        .arg(tb.pki("personal-rsa2048.p12"))
        .env("KYSO_P12_PASSWORD", tb.var("KYSO_TEST_P12_PASSWORD"))
        .output()
        .expect("kyso sign");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("mã hóa"), "{}", String::from_utf8_lossy(&out.stderr));
}

/// A FIFO is refused at once by `verify`, `sign` and `image prepare`; a folder with
/// no PDF exits 3 with one line.
#[test]
fn fifos_and_folders_without_pdfs_are_refused_at_once() {
    let dir = scratch("fifo-dir");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let fifo = dir.join("vanban.pdf");
    run_ok(Command::new("mkfifo").arg(&fifo));
    let started = Instant::now();
    let out = kyso(&["verify".into(), s(&fifo)]);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().filter(|l| !l.trim().is_empty()).count(), 1, "{err}");
    let out = kyso(&["sign".into(), s(&fifo), "-o".into(), s(&dir.join("out.pdf")), "--invisible".into()]);
    assert!(!out.status.success());
    let png = dir.join("anh.png");
    run_ok(Command::new("mkfifo").arg(&png));
    let out = kyso(&["image".into(), "prepare".into(), s(&png), "-o".into(), s(&dir.join("ra.png")), "--ink".into(), "blue".into()]);
    assert!(!out.status.success());
    assert!(started.elapsed() < Duration::from_secs(20), "took {:?}", started.elapsed());

    let empty = scratch("no-pdf-here");
    let _ = std::fs::remove_dir_all(&empty);
    std::fs::create_dir_all(&empty).expect("dir");
    std::fs::write(empty.join("ghi-chu.txt"), "không phải PDF").expect("write");
    let out = kyso(&["verify".into(), s(&empty)]);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().filter(|l| !l.trim().is_empty()).count(), 1, "{err}");
    assert!(err.contains("Không có tệp PDF"), "{err}");
}

// ------------------------------------------------------------------ 6. the archive as proof of existence

/// The archive's record that it found a file valid is a proof of existence: a
/// registered document does not turn indeterminate merely because its signer's
/// certificate expired later (and the report says so); the same file outside the
/// archive does.
#[test]
fn an_archived_document_stays_valid_after_its_signer_certificate_expires() {
    use kyso::office::{AgentCommand, Office, OfficeConfig};
    use kyso::queue::{DocRole, DocStatus};
    // A certificate for a few seconds more, from a copy of the issuing CA's database.
    let ca = scratch("short-lived-ca");
    let _ = std::fs::remove_dir_all(&ca);
    std::fs::create_dir_all(&ca).expect("ca dir");
    run_ok(
        Command::new("cp")
            .args(["-a"])
            .arg(pki_file("inter"))
            .arg(pki_file("ca.cnf"))
            .arg(pki_file("inter.pem"))
            .arg(pki_file("inter.key"))
            .arg(pki_file("chain.pem"))
            .arg(&ca),
    );
    run_ok(
        Command::new("openssl")
            .args(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "short.key"])
            .current_dir(&ca),
    );
    run_ok(
        Command::new("openssl")
            .args(["req", "-config", "ca.cnf", "-new", "-key", "short.key", "-subj", "/C=VN/CN=Đỗ Văn Ngắn Hạn", "-out", "short.csr"])
            .current_dir(&ca),
    );
    // The lifetime starts once the key exists and leaves a busy machine time to sign and
    // verify before the expiry; the test then waits for the expiry itself, not a fixed time.
    let expiry = time::OffsetDateTime::now_utc() + time::Duration::seconds(25);
    let end = expiry.format(&time::macros::format_description!("[year][month][day][hour][minute][second]Z")).expect("format");
    run_ok(
        Command::new("openssl")
            .args([
                "ca",
                "-config",
                "ca.cnf",
                "-batch",
                "-notext",
                "-name",
                "inter_ca",
                "-in",
                "short.csr",
                "-out",
                "short.pem",
                "-extensions",
                "v3_leaf",
                "-startdate",
                "20240101000000Z",
                "-enddate",
                &end,
            ])
            .current_dir(&ca),
    );
    let signed = scratch("short-lived-signed.pdf");
    run_ok(
        Command::new("python3")
            .arg(repo().join("tests/fixtures/trust/pyhanko-attack.py"))
            .args(["sign"])
            .arg(draft())
            .arg(&signed)
            .args(["short.key", "short.pem", "chain.pem"])
            .current_dir(&ca),
    );
    let data = scratch("short-lived-office");
    let _ = std::fs::remove_dir_all(&data);
    let crls = current_crls();
    let office = Office::open(OfficeConfig {
        data_dir: data,
        agent: AgentCommand { program: PathBuf::from(env!("CARGO_BIN_EXE_kyso")), args: vec!["agent".into()] },
        modules: Vec::new(),
        trust: vec![pki_file("root.pem")],
        crls: crls.to_vec(),
        offline: true,
    })
    .expect("office");
    let doc = office.add_paths(std::slice::from_ref(&signed), DocRole::Incoming).expect("add").remove(0);
    let (doc, report) = office.verify_document(doc.id).expect("verify");
    assert_eq!(doc.status, DocStatus::Valid, "{}", report.message_en);
    let doc = office.register_document(doc.id, Some("15/CV-THU"), None).expect("register");
    assert_eq!(doc.status, DocStatus::Registered);

    assert!(time::OffsetDateTime::now_utc() < expiry, "signed and registered only after the certificate expired: a slow machine");
    let left = expiry - time::OffsetDateTime::now_utc() + time::Duration::seconds(2);
    std::thread::sleep(Duration::try_from(left).unwrap_or_default());
    // Outside the archive: nothing proves the signature predates the expiry.
    let (code, d) = verify(&signed, &[&crls[0], &crls[1]]);
    assert_eq!(d["subIndication"], "OUT_OF_BOUNDS_NO_POE", "{}", brief(&d));
    assert_eq!(code, 2);
    // In the archive: its own record is the proof, and the report says so.
    let (doc, report) = office.verify_document(doc.id).expect("re-verify");
    assert_eq!(doc.status, DocStatus::Registered, "a finished document keeps its status");
    let r = serde_json::to_value(&report).expect("json");
    assert_eq!(r["indication"], "TOTAL_PASSED", "{}", brief(&r));
    assert_eq!(r["signatures"][0]["validationTime"]["basis"], "archive");
    assert!(r["archivePoe"].is_string());
    assert!(report.signatures[0].message_vi.contains("hồ sơ lưu trữ"), "{}", report.signatures[0].message_vi);
}

// ------------------------------------------------------------------ 4. weak algorithms, look-alike roots (issue 17)

/// `pkcs7-sha1.py`: an `adbe.pkcs7.sha1` signature made with `openssl cms`.
fn pkcs7_sha1(out: &Path, who: &str, tsa: Option<&str>) {
    pkcs7_script(out, who, tsa, &[]);
}

/// `pkcs7-sha1.py` with extra options.
fn pkcs7_script(out: &Path, who: &str, tsa: Option<&str>, extra: &[&str]) {
    let mut cmd = Command::new("python3");
    cmd.arg(repo().join("tests/fixtures/trust/pkcs7-sha1.py"))
        .arg(draft())
        .arg(out)
        .arg(format!("{who}.key"))
        .arg(format!("{who}.pem"))
        .arg("inter.pem")
        .current_dir(&pki().dir);
    if let Some(url) = tsa {
        cmd.args(["--tsa", url]);
    }
    cmd.args(extra);
    run_ok(&mut cmd);
}

/// An `adbe.x509.rsa_sha1` signature (a bare PKCS#1 signature, no CMS): an
/// unsupported old format, INDETERMINATE and said so — never a malformed CMS.
#[test]
fn an_adbe_x509_rsa_sha1_signature_is_an_unsupported_old_format() {
    let f = scratch("x509-rsa-sha1.pdf");
    pkcs7_script(&f, "sha1era", None, &["--x509-rsa-sha1"]);
    let (code, d) = verify(&f, &[]);
    assert_eq!(d["indication"], "INDETERMINATE", "{}", brief(&d));
    assert_eq!(code, 2);
    let s0 = &d["signatures"][0];
    assert_eq!(s0["subFilter"], "adbe.x509.rsa_sha1");
    let msg = s0["messageEn"].as_str().unwrap_or("");
    assert!(msg.contains("unsupported old format"), "{msg}");
    assert!(!msg.contains("not detached") && !msg.contains("CMS"), "{msg}");
}

/// An `adbe.pkcs7.detached` signature whose SignedData carries an empty id-data
/// eContent instead of none (a producer's quirk seen in real 2022 contracts):
/// the empty content is read as detached, the signature is valid — as poppler
/// says — and the leniency is reported.
#[test]
fn an_empty_encapsulated_content_is_read_as_detached() {
    let f = scratch("empty-econtent.pdf");
    pkcs7_script(&f, "good", None, &["--empty-econtent"]);
    let crls = current_crls();
    let (code, d) = verify(&f, &[&crls[0], &crls[1]]);
    assert_eq!(d["indication"], "TOTAL_PASSED", "{}", brief(&d));
    assert_eq!(code, 0);
    let cms = &d["signatures"][0]["cms"];
    assert_eq!(d["signatures"][0]["subFilter"], "adbe.pkcs7.detached");
    assert_eq!(cms["digestOk"], true, "{cms}");
    assert!(cms["leniency"].as_array().is_some_and(|l| l.iter().any(|x| x.as_str().unwrap_or("").contains("empty encapsulated"))), "{cms}");
    let p = Command::new("pdfsig").arg(&f).output().expect("pdfsig");
    let text = String::from_utf8_lossy(&p.stdout);
    assert!(text.contains("Signature is Valid"), "pdfsig:\n{text}");
}

/// An `adbe.pkcs7.sha1` signature (the SHA-1 of the byte ranges signed as
/// encapsulated content) made with openssl: valid with the SHA-1 warning when a
/// time-stamp proves it existed before SHA-1's sunset (2021-01-01); the same
/// signature without that proof is a new SHA-1 signature, INDETERMINATE — and
/// never "the CMS is not detached".
#[test]
fn an_adbe_pkcs7_sha1_signature_is_valid_with_a_sha1_warning_only_when_proven_before_2021() {
    let servers = Servers::start();
    let url = format!("http://127.0.0.1:{}/tsa-2020", pki().http);
    let proven = scratch("pkcs7-sha1-2020.pdf");
    let fresh = scratch("pkcs7-sha1-now.pdf");
    pkcs7_sha1(&proven, "sha1era", Some(&url));
    pkcs7_sha1(&fresh, "sha1era", None);
    drop(servers);
    let crls = current_crls();
    let (code, d) = verify(&proven, &[&crls[0], &crls[1]]);
    assert_eq!(d["indication"], "TOTAL_PASSED", "{}", brief(&d));
    assert_eq!(code, 0);
    let s0 = &d["signatures"][0];
    assert_eq!(s0["subFilter"], "adbe.pkcs7.sha1");
    assert_eq!(s0["cms"]["digestOk"], true);
    assert_eq!(s0["cms"]["weakAlgorithm"], "SHA-1");
    assert_eq!(s0["timestamps"][0]["status"], "valid", "{}", s0["timestamps"]);
    assert_eq!(s0["validationTime"]["time"], "2020-06-01T19:00:00+07:00");
    assert!(
        s0["weakAlgorithms"].as_array().is_some_and(|w| w.iter().any(|x| x.as_str().unwrap_or("").contains("SHA-1"))),
        "{}",
        s0["weakAlgorithms"]
    );
    assert!(s0["messageEn"].as_str().unwrap_or("").contains("weak algorithm"), "{}", s0["messageEn"]);
    // poppler checks the same digest and signature.
    let p = Command::new("pdfsig").arg(&proven).output().expect("pdfsig");
    let text = String::from_utf8_lossy(&p.stdout);
    assert!(text.contains("Signature is Valid"), "pdfsig:\n{text}");

    let (code, d) = verify(&fresh, &[&crls[0], &crls[1]]);
    assert_eq!(d["indication"], "INDETERMINATE", "{}", brief(&d));
    assert_eq!(d["subIndication"], "CRYPTO_CONSTRAINTS_FAILURE_NO_POE", "{}", brief(&d));
    assert_eq!(code, 2);
    let msg = d["signatures"][0]["messageEn"].as_str().unwrap_or("");
    assert!(msg.contains("SHA-1") && msg.contains("2021-01-01"), "{msg}");
    assert!(!msg.contains("not detached"), "{msg}");
}

/// A certificate issued after 2020 and signed with SHA-1 by its (unpinned) CA is
/// refused, even for a signature with a valid time-stamp of today: SHA-1 is
/// accepted only on the pinned G1/MIC links or before its sunset.
#[test]
fn a_sha1_signed_certificate_issued_after_2020_is_refused_even_with_a_timestamp() {
    let servers = Servers::start();
    let url = format!("http://127.0.0.1:{}/tsa", pki().http);
    let f = scratch("sha1-certificate.pdf");
    pyhanko_sign(&draft(), &f, "sha1cert", &["--tsa", &url]);
    drop(servers);
    let crls = current_crls();
    let (code, d) = verify(&f, &[&crls[0], &crls[1]]);
    assert_eq!(d["indication"], "INDETERMINATE", "{}", brief(&d));
    assert_eq!(d["subIndication"], "CRYPTO_CONSTRAINTS_FAILURE_NO_POE", "{}", brief(&d));
    assert_eq!(code, 2);
    let s0 = &d["signatures"][0];
    assert_eq!(s0["timestamps"][0]["status"], "valid", "{}", s0["timestamps"]);
    let msg = s0["messageEn"].as_str().unwrap_or("");
    assert!(msg.contains("Vũ Thị Mới SHA-1") && msg.contains("sha1WithRSAEncryption"), "{msg}");
}

/// A look-alike "MIC National Root CA" (the same names, another key) and a
/// signature under it: untrusted. Anchors are pinned by fingerprint and matched
/// by key, never by name.
#[test]
fn a_look_alike_mic_national_root_with_the_same_name_stays_untrusted() {
    let dir = scratch("look-alike");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let subject = "/C=VN/O=Ministry of Information and Communications/OU=National CA Center/CN=MIC National Root CA";
    let ext = dir.join("ext.cnf");
    std::fs::write(
        &ext,
        "[req]\ndistinguished_name=dn\nstring_mask=default\n[dn]\n[root]\nbasicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n\
         [leaf]\nbasicConstraints=critical,CA:false\nkeyUsage=critical,digitalSignature,nonRepudiation\n",
    )
    .expect("ext");
    let o = |args: &[&str]| run_ok(Command::new("openssl").args(args).current_dir(&dir));
    o(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "root.key",
        "-out",
        "root.pem",
        "-days",
        "3650",
        "-subj",
        subject,
        "-extensions",
        "root",
        "-config",
        "ext.cnf",
    ]);
    o(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "leaf.key",
        "-out",
        "leaf.csr",
        "-subj",
        "/C=VN/CN=Nguyễn Văn Giả Mạo",
        "-utf8",
        "-config",
        "ext.cnf",
    ]);
    o(&[
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "root.pem",
        "-CAkey",
        "root.key",
        "-CAcreateserial",
        "-out",
        "leaf.pem",
        "-days",
        "365",
        "-extfile",
        "ext.cnf",
        "-extensions",
        "leaf",
    ]);
    // The bundled root has the very same subject.
    let bundled =
        kyso::trust::BUNDLED.iter().find(|b| b.file == "mic-national-root-ca.crt").and_then(|b| b.certificate()).expect("bundled MIC root");
    let fake = kyso::trust::certificates_in(&std::fs::read(dir.join("root.pem")).expect("root")).expect("pem").remove(0).0;
    assert_eq!(fake.tbs_certificate.subject, bundled.tbs_certificate.subject, "a true look-alike");
    let f = scratch("look-alike-signed.pdf");
    attacker(&["sign", &s(&draft()), &s(&f), &s(&dir.join("leaf.key")), &s(&dir.join("leaf.pem")), &s(&dir.join("root.pem"))]);
    let (code, d) = verify(&f, &[]);
    assert_eq!(d["indication"], "INDETERMINATE", "{}", brief(&d));
    assert_eq!(d["subIndication"], "NO_CERTIFICATE_CHAIN_FOUND", "{}", brief(&d));
    assert_eq!(code, 2);
    let s0 = &d["signatures"][0];
    assert!(s0["trustAnchor"].is_null(), "{}", s0["trustAnchor"]);
    assert_eq!(s0["chain"]["status"]["untrustedRoot"], true, "{}", s0["chain"]);
}

/// Two intact signatures, then an update whose cross-reference table is garbage
/// (a broken tool's save): kyso still lists both signatures with their digest and
/// signature checks — as pdfsig does after repairing the file — while the
/// document is TOTAL_FAILED / FORMAT_FAILURE.
#[test]
fn a_damaged_cross_reference_table_still_lists_every_signature() {
    let (one, two, broken) = (scratch("xref-one.pdf"), scratch("xref-two.pdf"), scratch("xref-broken.pdf"));
    pyhanko_sign(&draft(), &one, "good", &[]);
    pyhanko_sign(&one, &two, "good", &["--field", "Sig2"]);
    let mut data = std::fs::read(&two).expect("read");
    let at = data.len();
    data.extend_from_slice(
        format!("xref\n0 2\nthis is not a cross-reference table\ntrailer\n<< /Size 3 >>\nstartxref\n{at}\n%%EOF\n").as_bytes(),
    );
    std::fs::write(&broken, &data).expect("write");
    let crls = current_crls();
    let (code, d) = verify(&broken, &[&crls[0], &crls[1]]);
    assert_eq!(d["indication"], "TOTAL_FAILED", "{}", brief(&d));
    assert_eq!(d["subIndication"], "FORMAT_FAILURE", "{}", brief(&d));
    assert_eq!(code, 1);
    let sigs = d["signatures"].as_array().expect("signatures");
    assert_eq!(sigs.iter().map(|s| s["field"].as_str().unwrap_or("")).collect::<Vec<_>>(), ["Sig1", "Sig2"], "{}", brief(&d));
    for s in sigs {
        assert_eq!(s["cms"]["digestOk"], true, "{}", s["messageEn"]);
        assert_eq!(s["cms"]["signatureOk"], true, "{}", s["messageEn"]);
        assert_eq!(s["subIndication"], "FORMAT_FAILURE");
        assert!(s["messageEn"].as_str().unwrap_or("").contains("damaged cross-reference table"), "{}", s["messageEn"]);
    }
    // pdfsig repairs the file and finds the same two intact signatures.
    let p = Command::new("pdfsig").arg(&broken).output().expect("pdfsig");
    assert_eq!(String::from_utf8_lossy(&p.stdout).matches("Signature is Valid").count(), 2, "{}", String::from_utf8_lossy(&p.stdout));
    // The intact file itself is valid.
    let (code, d) = verify(&two, &[&crls[0], &crls[1]]);
    assert_eq!(d["indication"], "TOTAL_PASSED", "{}", brief(&d));
    assert_eq!(code, 0);
}
