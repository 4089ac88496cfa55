//! `src/token` against a real SoftHSM2 token through its PKCS#11 module (no mocks).
//!
//! Uses the shared test bed (`tests/fixtures/make-testbed.sh`, token `KYSO-TEST`, PIN
//! 123456) on a private copy of its token directory, plus one extra token `KYSO-AA`
//! whose key has `CKA_ALWAYS_AUTHENTICATE`, with the SoftHSM2 module the test bed
//! found (`KYSO_TEST_MODULE`). A missing tool fails the test bed, so these tests fail
//! rather than skip (scripts/setup-test-deps.sh installs softhsm2 and opensc).
//!
//! The tests of one process share one PKCS#11 initialisation and one `SOFTHSM2_CONF`;, so one PKCS#11 initialisation and one `SOFTHSM2_CONF`;
//! the login state belongs to the token and the process, so every test holds `LOCK`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, MutexGuard, OnceLock};

use der::{Decode, Encode};
use kyso::i18n::Lang;
use kyso::token::{list_tokens, open_signer, Inventory, KeyEvidence, Pin, PinTries, Role, SignMechanism, TokenError, TokenSelection};
use kyso::{Error, KeyKind, Signer};
use x509_cert::Certificate;

const PIN: &str = "123456";

struct Bed {
    module: PathBuf,
    pki: PathBuf,
}

static LOCK: Mutex<()> = Mutex::new(());

/// The test bed with `SOFTHSM2_CONF` pointing at a private copy of its tokens (the
/// SoftHSM2 module is the one the test bed found). Holds the test lock. `Option` only
/// for the `let … else` at each test: a missing tool fails in the test bed.
fn setup() -> Option<(&'static Bed, MutexGuard<'static, ()>)> {
    let guard = LOCK.lock().unwrap_or_else(|p| p.into_inner());
    static BED: OnceLock<Bed> = OnceLock::new();
    let bed = BED.get_or_init(|| {
        // The test bed finds SoftHSM2's module (KYSO_TEST_MODULE) and fails when a
        // tool is missing.
        let tb = common::testbed();
        let module = tb.module();
        // One copy per test process (nextest runs each test in its own process).
        let copy = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("token_softhsm-tokens-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&copy);
        std::fs::create_dir_all(&copy).unwrap();
        let conf = common::private_tokens(&tb, &copy);
        let pki = tb.dir.join("pki");
        // A token whose key needs the PIN before every signature.
        let sh = |args: &[&str]| {
            let out = Command::new(args[0]).args(&args[1..]).env("SOFTHSM2_CONF", &conf).output().unwrap();
            assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        };
        sh(&["softhsm2-util", "--init-token", "--free", "--label", "KYSO-AA", "--pin", PIN, "--so-pin", "12345678"]);
        let key = pki.join("personal-rsa2048.key");
        let cert = pki.join("personal-rsa2048.der");
        let p11 = ["pkcs11-tool", "--module", &module, "--token-label", "KYSO-AA", "--login", "--pin", PIN];
        let mut a = p11.to_vec();
        a.extend(["--write-object", key.to_str().unwrap(), "--type", "privkey", "--id", "07", "--label", "AA key", "--always-auth"]);
        sh(&a);
        let mut a = p11.to_vec();
        a.extend(["--write-object", cert.to_str().unwrap(), "--type", "cert", "--id", "07", "--label", "AA cert"]);
        sh(&a);
        // Before the module is first initialised in this process.
        std::env::set_var("SOFTHSM2_CONF", &conf);
        Bed { module: PathBuf::from(tb.module()), pki }
    });
    Some((bed, guard))
}

fn selection(bed: &Bed, token: &str, id: Option<u8>) -> TokenSelection {
    TokenSelection {
        modules: vec![bed.module.clone()],
        token_label: Some(token.to_owned()),
        cert_id: id.map(|i| vec![i]),
        cert_label: None,
    }
}

fn pin(p: &str) -> Pin {
    Pin::new(p.to_owned())
}

fn token_err(e: Error) -> TokenError {
    match e {
        Error::Token(t) => t,
        other => panic!("not a token error: {other:?}"),
    }
}

fn spki_der(cert: &Certificate) -> Vec<u8> {
    cert.tbs_certificate.subject_public_key_info.to_der().unwrap()
}

fn verify_rsa(cert: &Certificate, msg: &[u8], sig: &[u8]) {
    use rsa::pkcs8::DecodePublicKey;
    use sha2::{Digest, Sha256};
    let key = rsa::RsaPublicKey::from_public_key_der(&spki_der(cert)).unwrap();
    key.verify(rsa::Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(msg), sig).expect("RSA signature verifies with the certificate's key");
}

#[test]
fn inventory_lists_tokens_certificates_roles_and_orphan_keys() {
    let Some((bed, _g)) = setup() else { return };
    let inv = list_tokens(std::slice::from_ref(&bed.module));
    assert_eq!(inv.modules.len(), 1);
    let m = &inv.modules[0];
    assert!(m.error.is_none(), "{:?}", m.error);
    assert_eq!(m.vendor.as_deref(), Some("SoftHSM2 (test)"));
    let labels: Vec<&str> = m.tokens.iter().map(|t| t.label.as_str()).collect();
    assert!(labels.contains(&"KYSO-TEST") && labels.contains(&"KYSO-NOPIN"), "{labels:?}");
    assert!(!labels.contains(&""), "blank slots are not listed: {labels:?}");

    let t = m.tokens.iter().find(|t| t.label == "KYSO-TEST").unwrap();
    let ids: Vec<&str> = t.certificates.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["01", "02", "03", "04"], "the four signing certificates");
    assert_eq!(t.keys_without_certificate, ["05"]);
    assert!(t.other_certificates.iter().any(|c| c.ca && c.subject.contains("KýSố Test Issuing CA")));

    let c01 = &t.certificates[0];
    assert_eq!(c01.cert_label, "Nguyen Van An");
    assert_eq!(c01.key_label.as_deref(), Some("Private key 01"), "paired by CKA_ID despite labels");
    assert_eq!(c01.key_evidence, KeyEvidence::PublicKey, "no login: the public key shows the pair");
    assert_eq!(c01.role, Role::Personal);
    assert!(c01.subject.starts_with("CN=Nguyễn Văn An,"), "{}", c01.subject);
    assert!(c01.subject.contains("UID=CCCD:001085012345"));
    assert!(c01.issuer.starts_with("CN=KýSố Test Issuing CA"), "{}", c01.issuer);
    assert!(c01.not_after.ends_with("+07:00") && c01.not_before.ends_with("+07:00"));
    assert!(c01.currently_valid && !c01.expiring_soon && c01.days_to_expiry > 700);
    assert_eq!(c01.key_kind, "RSA-2048");
    assert_eq!(t.certificates[1].key_kind, "RSA-3072");
    assert_eq!(t.certificates[1].key_label.as_deref(), Some("Trần Thị Bình"));
    assert_eq!(t.certificates[2].key_kind, "EC P-256");
    assert_eq!(t.certificates[2].role, Role::Personal);
    assert_eq!(t.certificates[3].role, Role::Agency);

    let nopin = m.tokens.iter().find(|t| t.label == "KYSO-NOPIN").unwrap();
    assert!(!nopin.pin.initialized);

    // The text rendering is the CLI's (`kyso tokens`), on the same tokens.
    let out = Command::new(env!("CARGO_BIN_EXE_kyso")).args(["tokens", "--module"]).arg(&bed.module).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains("KYSO-TEST") && text.contains("Nguyễn Văn An — cá nhân"), "{text}");
    assert!(text.contains("Ủy ban nhân dân tỉnh Thử Nghiệm — cơ quan, tổ chức"), "{text}");
    assert!(text.contains("Khóa chưa có chứng thư (không ký được): 05"), "{text}");
    let json = serde_json::to_value(&inv).unwrap();
    // The agent sends this JSON; its reader gets the same inventory back, typed.
    let back: Inventory = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(serde_json::to_value(&back).unwrap(), json);
    let tok = &json["modules"][0]["tokens"];
    assert!(tok.to_string().contains("\"keysWithoutCertificate\":[\"05\"]"), "{tok}");
    println!("{text}");
}

#[test]
fn rsa_signs_with_both_mechanisms_and_one_login() {
    let Some((bed, _g)) = setup() else { return };
    let mut signer = open_signer(&selection(bed, "KYSO-TEST", Some(1)), pin(PIN)).unwrap();
    assert_eq!(signer.key_kind(), KeyKind::Rsa { bits: 2048 });
    assert_eq!(signer.mechanism(), SignMechanism::Sha256RsaPkcs);
    assert_eq!(signer.info().role, Role::Personal);
    assert_eq!(signer.info().token_label, "KYSO-TEST");
    let cert = signer.certificate().clone();
    let expected = std::fs::read(bed.pki.join("personal-rsa2048.der")).unwrap();
    assert_eq!(cert.to_der().unwrap(), expected);

    // One login, several documents.
    let mut first = Vec::new();
    for i in 0..4 {
        let msg = format!("signed attributes #{i}");
        let sig = signer.sign(msg.as_bytes()).unwrap();
        assert_eq!(sig.len(), 256);
        verify_rsa(&cert, msg.as_bytes(), &sig);
        if i == 0 {
            first = sig;
        }
    }

    // CKM_RSA_PKCS over a software DigestInfo gives the identical signature.
    assert!(signer.force_raw_rsa_pkcs());
    assert_eq!(signer.mechanism(), SignMechanism::RsaPkcs);
    let sig = signer.sign(b"signed attributes #0").unwrap();
    verify_rsa(&cert, b"signed attributes #0", &sig);
    assert_eq!(sig, first);

    // The chain: the issuing CA on the token, not the root.
    let inter = Certificate::from_der(&std::fs::read(bed.pki.join("inter.der")).unwrap()).unwrap();
    assert_eq!(signer.chain(), std::slice::from_ref(&inter));

    // The 3072-bit key, chosen by certificate label (after logging out: a second
    // login while this process holds the token is refused, see below).
    drop(signer);
    let sel = TokenSelection { cert_label: Some("Trần Thị Bình".into()), ..selection(bed, "KYSO-TEST", None) };
    let s2 = open_signer(&sel, pin(PIN)).unwrap();
    assert_eq!(s2.key_kind(), KeyKind::Rsa { bits: 3072 });
    let sig = s2.sign(b"x").unwrap();
    assert_eq!(sig.len(), 384);
    verify_rsa(s2.certificate(), b"x", &sig);
}

#[test]
fn ec_signature_is_der_and_verifies() {
    use p256::ecdsa::signature::Verifier;
    use p256::pkcs8::DecodePublicKey;
    let Some((bed, _g)) = setup() else { return };
    let signer = open_signer(&selection(bed, "KYSO-TEST", Some(3)), pin(PIN)).unwrap();
    assert_eq!(signer.key_kind(), KeyKind::EcP256);
    assert_eq!(signer.mechanism(), SignMechanism::Ecdsa);
    let key = p256::ecdsa::VerifyingKey::from_public_key_der(&spki_der(signer.certificate())).unwrap();
    for msg in [&b"first"[..], b"second", b""] {
        let der = signer.sign(msg).unwrap();
        assert_eq!(der[0], 0x30, "DER Ecdsa-Sig-Value");
        assert!(der.len() <= KeyKind::EcP256.max_signature_len());
        let sig = p256::ecdsa::Signature::from_der(&der).unwrap();
        key.verify(msg, &sig).expect("ECDSA signature verifies");
    }
}

#[test]
fn always_authenticate_key_logs_in_before_each_signature() {
    let Some((bed, _g)) = setup() else { return };
    let signer = open_signer(&selection(bed, "KYSO-AA", None), pin(PIN)).unwrap();
    assert!(signer.info().always_authenticate);
    assert_eq!(signer.mechanism(), SignMechanism::Sha256RsaPkcs);
    for msg in [&b"one"[..], b"two", b"three"] {
        let sig = signer.sign(msg).unwrap();
        verify_rsa(signer.certificate(), msg, &sig);
    }
}

#[test]
fn wrong_pin_reports_the_token_state_and_the_right_pin_still_works() {
    let Some((bed, _g)) = setup() else { return };
    let err = token_err(open_signer(&selection(bed, "KYSO-TEST", Some(1)), pin("000000")).unwrap_err());
    let TokenError::PinIncorrect { tries } = err else { panic!("expected PinIncorrect, got {err:?}") };
    println!("SoftHSM2 after a wrong PIN: tries = {tries:?}");
    let inv = list_tokens(std::slice::from_ref(&bed.module));
    let t = inv.tokens().find(|t| t.label == "KYSO-TEST").unwrap();
    println!("flags after the wrong PIN: {:?}", t.pin);
    assert_eq!(tries, PinTries::Low, "SoftHSM2 2.6.1 sets CKF_USER_PIN_COUNT_LOW");
    assert!(t.pin.count_low && !t.pin.final_try && !t.pin.locked);
    let msg = kyso::i18n::Localize::localize(&TokenError::PinIncorrect { tries }, Lang::Vi);
    assert!(msg.starts_with("Mã PIN không đúng. Còn ít lần thử"), "{msg}");

    let signer = open_signer(&selection(bed, "KYSO-TEST", Some(1)), pin(PIN)).unwrap();
    let sig = signer.sign(b"after a wrong PIN").unwrap();
    verify_rsa(signer.certificate(), b"after a wrong PIN", &sig);
    let inv = list_tokens(std::slice::from_ref(&bed.module));
    let t = inv.tokens().find(|t| t.label == "KYSO-TEST").unwrap();
    println!("flags after the right PIN: {:?}", t.pin);
    assert!(!t.pin.count_low, "a good login clears COUNT_LOW");
}

/// While this process holds a login to the token (a clerk's batch), another login —
/// with a wrong PIN, an empty one, or even the right one — is refused: the token
/// would answer CKR_USER_ALREADY_LOGGED_IN without checking the PIN, so nothing may
/// sign on it. Once the batch's signer is gone, the PIN is checked again.
#[test]
fn a_second_login_while_one_is_held_is_refused_whatever_the_pin() {
    let Some((bed, _g)) = setup() else { return };
    let batch = open_signer(&selection(bed, "KYSO-TEST", Some(4)), pin(PIN)).unwrap();
    for p in ["000000", "", PIN] {
        let e = token_err(open_signer(&selection(bed, "KYSO-TEST", Some(1)), pin(p)).unwrap_err());
        assert!(matches!(e, TokenError::AlreadyLoggedIn), "PIN {p:?}: {e:?}");
        assert_eq!(e.kind(), "token_busy");
    }
    // The held session still signs.
    let sig = batch.sign(b"batch goes on").unwrap();
    verify_rsa(batch.certificate(), b"batch goes on", &sig);
    drop(batch);
    let e = token_err(open_signer(&selection(bed, "KYSO-TEST", Some(1)), pin("000000")).unwrap_err());
    assert!(matches!(e, TokenError::PinIncorrect { .. }), "{e:?}");
    open_signer(&selection(bed, "KYSO-TEST", Some(1)), pin(PIN)).unwrap();
}

#[test]
fn selection_errors_name_what_was_seen() {
    let Some((bed, _g)) = setup() else { return };
    // A driver that does not exist.
    let sel = TokenSelection { modules: vec!["/nonexistent/libvnptca.so".into()], ..Default::default() };
    let e = token_err(open_signer(&sel, pin(PIN)).unwrap_err());
    assert!(matches!(&e, TokenError::ModuleLoad { path, .. } if path == Path::new("/nonexistent/libvnptca.so")), "{e:?}");
    let inv = list_tokens(&[PathBuf::from("/nonexistent/libvnptca.so")]);
    assert_eq!(inv.modules[0].error.as_ref().map(|e| e.kind.as_str()), Some("module_load"));

    // A token label nobody has.
    let e = token_err(open_signer(&selection(bed, "NO-SUCH-TOKEN", None), pin(PIN)).unwrap_err());
    let TokenError::TokenNotFound { wanted, seen } = &e else { panic!("{e:?}") };
    assert_eq!(wanted, "NO-SUCH-TOKEN");
    assert!(seen.iter().any(|s| s == "KYSO-TEST") && seen.iter().any(|s| s == "KYSO-NOPIN"), "{seen:?}");
    println!("{}", kyso::i18n::Localize::localize(&e, Lang::Vi));

    // Several tokens and no label.
    let sel = TokenSelection { modules: vec![bed.module.clone()], ..Default::default() };
    let e = token_err(open_signer(&sel, pin(PIN)).unwrap_err());
    assert!(matches!(e, TokenError::AmbiguousToken { wanted: None, .. }), "{e:?}");

    // Four signing certificates and none chosen.
    let e = token_err(open_signer(&selection(bed, "KYSO-TEST", None), pin(PIN)).unwrap_err());
    let TokenError::AmbiguousCertificate { candidates } = &e else { panic!("{e:?}") };
    let ids: Vec<&str> = candidates.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["01", "02", "03", "04"]);
    assert!(candidates[0].subject.starts_with("CN=Nguyễn Văn An"));
    println!("{}", kyso::i18n::Localize::localize(&e, Lang::Vi));

    // The orphan key, and an id nobody has.
    let e = token_err(open_signer(&selection(bed, "KYSO-TEST", Some(5)), pin(PIN)).unwrap_err());
    assert!(matches!(&e, TokenError::KeyWithoutCertificate { id } if id == "05"), "{e:?}");
    let e = token_err(open_signer(&selection(bed, "KYSO-TEST", Some(9)), pin(PIN)).unwrap_err());
    let TokenError::CertificateNotFound { available, .. } = &e else { panic!("{e:?}") };
    assert_eq!(available.len(), 4);

    // A key label selects too (the certificate is labelled differently).
    let sel = TokenSelection { cert_label: Some("Private key 01".into()), ..selection(bed, "KYSO-TEST", None) };
    let s = open_signer(&sel, pin(PIN)).unwrap();
    assert_eq!(s.info().certificate.id, "01");
    drop(s);

    // A token whose user PIN was never set.
    let e = token_err(open_signer(&selection(bed, "KYSO-NOPIN", None), pin(PIN)).unwrap_err());
    assert!(matches!(e, TokenError::PinNotInitialized), "{e:?}");
}

/// cryptoki 0.12 cannot put the context-specific login between `C_SignInit` and a
/// single-part `C_Sign`; SoftHSM2 insists on that order, so an always-authenticate
/// key with only `CKM_RSA_PKCS` is refused with a clear error, not a panic or a
/// generic failure.
#[test]
fn always_authenticate_with_single_part_mechanism_is_refused_clearly() {
    let Some((bed, _g)) = setup() else { return };
    let mut signer = open_signer(&selection(bed, "KYSO-AA", None), pin(PIN)).unwrap();
    assert!(signer.force_raw_rsa_pkcs());
    let e = token_err(signer.sign(b"raw").unwrap_err());
    assert!(matches!(&e, TokenError::MechanismUnsupported { detail, .. } if detail.contains("ALWAYS_AUTHENTICATE")), "{e:?}");
}
