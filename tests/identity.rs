//! Software identities: PKCS#12 files made by the `openssl` command (modern PBES2
//! and legacy 3DES/RC2, RSA and EC), PEM keys, and the generated demo identity.
//!
//! A test that needs `openssl` fails when the command is missing (unless `KYSO_ALLOW_MISSING_TOOLS=1`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use der::{Decode, Encode, EncodePem};
use kyso::demo::{demo_agency_identity, demo_identity, demo_root_pem};
use kyso::i18n::Localize;
use kyso::identity::{IdentityError, Password, SoftwareSigner};
use kyso::{KeyKind, Lang, Signer};
use p256::pkcs8::DecodePublicKey;
use sha2::{Digest, Sha256};
use signature::hazmat::PrehashVerifier;
use signature::Verifier;
use x509_cert::Certificate;

const MESSAGE: &[u8] = b"KySo test message: van ban so 123/UBND";
const PASSWORD: &str = "Mat-khau 2026!";

fn have_openssl() -> bool {
    let ok = Command::new("openssl").arg("version").output().is_ok_and(|o| o.status.success());
    common::tool_present("the `openssl` command", ok)
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl").args(args).current_dir(dir).output().expect("run openssl");
    assert!(
        out.status.success(),
        "openssl {:?} failed:\n{}{}",
        args,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[derive(Clone, Copy, Debug)]
enum Alg {
    Rsa2048,
    P256,
    P384,
}

fn genkey(dir: &Path, alg: Alg, out: &str) {
    let opts: &[&str] = match alg {
        Alg::Rsa2048 => &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
        Alg::P256 => &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
        Alg::P384 => &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
    };
    let mut args = vec!["genpkey"];
    args.extend_from_slice(opts);
    args.extend_from_slice(&["-out", out]);
    openssl(dir, &args);
}

/// A root → intermediate → leaf hierarchy with the leaf key of `alg`; files
/// root.pem, inter.pem, leaf.pem, leaf.key in `dir`.
fn make_pki(dir: &Path, alg: Alg) {
    std::fs::write(
        dir.join("ca.ext"),
        "[ca]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n\
         subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n\
         [leaf]\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n\
         subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
    )
    .unwrap();
    genkey(dir, Alg::P256, "root.key");
    openssl(
        dir,
        &["req", "-x509", "-new", "-key", "root.key", "-subj", "/CN=Test Root CA/O=KySo Test/C=VN", "-days", "30", "-out", "root.pem"],
    );
    genkey(dir, Alg::P256, "inter.key");
    openssl(dir, &["req", "-new", "-key", "inter.key", "-subj", "/CN=Test Issuing CA/O=KySo Test/C=VN", "-out", "inter.csr"]);
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "inter.csr",
            "-CA",
            "root.pem",
            "-CAkey",
            "root.key",
            "-CAcreateserial",
            "-days",
            "30",
            "-extfile",
            "ca.ext",
            "-extensions",
            "ca",
            "-out",
            "inter.pem",
        ],
    );
    genkey(dir, alg, "leaf.key");
    openssl(dir, &["req", "-new", "-key", "leaf.key", "-subj", "/CN=Nguyen Van Test/O=UBND Test/C=VN", "-out", "leaf.csr"]);
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "inter.pem",
            "-CAkey",
            "inter.key",
            "-CAcreateserial",
            "-days",
            "30",
            "-extfile",
            "ca.ext",
            "-extensions",
            "leaf",
            "-out",
            "leaf.pem",
        ],
    );
    // The chain file lists the root BEFORE the intermediate, so ordering is tested.
    let chain = [std::fs::read(dir.join("root.pem")).unwrap(), std::fs::read(dir.join("inter.pem")).unwrap()].concat();
    std::fs::write(dir.join("chain.pem"), chain).unwrap();
}

#[derive(Clone, Copy, Debug)]
enum P12Variant {
    /// `openssl pkcs12 -export` defaults (OpenSSL 3: PBES2, PBKDF2-SHA256, AES-256-CBC, HMAC-SHA256).
    Modern,
    /// `-legacy`: 40-bit RC2 for certificates, 3DES for the key, SHA-1 MAC.
    Legacy,
    /// As Windows "export with private key" (TripleDES-SHA1): 3DES for both, SHA-1 MAC.
    Windows3Des,
}

fn export_p12(dir: &Path, variant: P12Variant, password: &str, out: &str) -> PathBuf {
    let pass = format!("pass:{password}");
    let mut args = vec![
        "pkcs12",
        "-export",
        "-inkey",
        "leaf.key",
        "-in",
        "leaf.pem",
        "-certfile",
        "chain.pem",
        "-name",
        "Test",
        "-passout",
        &pass,
        "-out",
        out,
    ];
    match variant {
        P12Variant::Modern => {}
        P12Variant::Legacy => args.push("-legacy"),
        P12Variant::Windows3Des => args.extend_from_slice(&["-keypbe", "PBE-SHA1-3DES", "-certpbe", "PBE-SHA1-3DES", "-macalg", "sha1"]),
    }
    openssl(dir, &args);
    dir.join(out)
}

fn cert_from_pem(path: &Path) -> Certificate {
    let pem = std::fs::read(path).unwrap();
    Certificate::load_pem_chain(&pem).unwrap().remove(0)
}

/// Verify `sig` over `MESSAGE` with the public key of `cert`, with the RustCrypto
/// verifiers and, independently, with `openssl dgst -verify`.
fn assert_verifies(signer: &SoftwareSigner, sig: &[u8], scratch: &Path) {
    let cert = signer.certificate();
    let spki = cert.tbs_certificate.subject_public_key_info.to_der().unwrap();
    match signer.key_kind() {
        KeyKind::Rsa { bits } => {
            assert_eq!(sig.len(), bits / 8);
            let public = rsa::RsaPublicKey::from_public_key_der(&spki).unwrap();
            let vk = rsa::pkcs1v15::VerifyingKey::<Sha256>::new(public);
            vk.verify(MESSAGE, &rsa::pkcs1v15::Signature::try_from(sig).unwrap()).unwrap();
        }
        KeyKind::EcP256 => {
            let vk = p256::ecdsa::VerifyingKey::from_public_key_der(&spki).unwrap();
            vk.verify(MESSAGE, &p256::ecdsa::DerSignature::try_from(sig).unwrap()).unwrap();
        }
        KeyKind::EcP384 => {
            let vk = p384::ecdsa::VerifyingKey::from_public_key_der(&spki).unwrap();
            let sig = p384::ecdsa::DerSignature::try_from(sig).unwrap();
            vk.verify_prehash(&Sha256::digest(MESSAGE), &sig).unwrap();
        }
    }
    assert!(sig.len() <= signer.key_kind().max_signature_len());

    // Independent check with OpenSSL.
    std::fs::write(scratch.join("signer.pem"), cert.to_pem(der::pem::LineEnding::LF).unwrap()).unwrap();
    std::fs::write(scratch.join("msg.bin"), MESSAGE).unwrap();
    std::fs::write(scratch.join("sig.bin"), sig).unwrap();
    openssl(scratch, &["x509", "-in", "signer.pem", "-pubkey", "-noout", "-out", "pub.pem"]);
    openssl(scratch, &["dgst", "-sha256", "-verify", "pub.pem", "-signature", "sig.bin", "msg.bin"]);
}

fn subject_cn(cert: &Certificate) -> String {
    cert.tbs_certificate.subject.to_string()
}

fn check_p12(alg: Alg, variant: P12Variant, password: &str) {
    if !have_openssl() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    make_pki(dir.path(), alg);
    let p12 = export_p12(dir.path(), variant, password, "id.p12");

    let signer = SoftwareSigner::from_pkcs12(&p12, &Password::new(password))
        .unwrap_or_else(|e| panic!("{alg:?} {variant:?}: {e} ({})", e.localize(Lang::En)));
    let expected_kind = match alg {
        Alg::Rsa2048 => KeyKind::Rsa { bits: 2048 },
        Alg::P256 => KeyKind::EcP256,
        Alg::P384 => KeyKind::EcP384,
    };
    assert_eq!(signer.key_kind(), expected_kind);
    assert_eq!(Signer::key_kind(&signer), expected_kind);
    assert_eq!(signer.certificate(), &cert_from_pem(&dir.path().join("leaf.pem")));
    // Chain ordered issuer upward although the file listed the root first.
    let chain: Vec<String> = signer.chain().iter().map(subject_cn).collect();
    assert_eq!(chain.len(), 2, "{chain:?}");
    assert!(chain[0].contains("Test Issuing CA"), "{chain:?}");
    assert!(chain[1].contains("Test Root CA"), "{chain:?}");

    let sig = signer.sign(MESSAGE).unwrap();
    assert_verifies(&signer, &sig, dir.path());
}

#[test]
fn pkcs12_rsa_modern() {
    check_p12(Alg::Rsa2048, P12Variant::Modern, PASSWORD);
}

#[test]
fn pkcs12_rsa_legacy() {
    check_p12(Alg::Rsa2048, P12Variant::Legacy, PASSWORD);
}

#[test]
fn pkcs12_rsa_windows_3des() {
    check_p12(Alg::Rsa2048, P12Variant::Windows3Des, PASSWORD);
}

#[test]
fn pkcs12_p256_modern() {
    check_p12(Alg::P256, P12Variant::Modern, PASSWORD);
}

#[test]
fn pkcs12_p256_legacy() {
    check_p12(Alg::P256, P12Variant::Legacy, PASSWORD);
}

#[test]
fn pkcs12_p384_modern() {
    check_p12(Alg::P384, P12Variant::Modern, PASSWORD);
}

#[test]
fn pkcs12_vietnamese_password_modern_and_legacy() {
    check_p12(Alg::P256, P12Variant::Modern, "Mật khẩu Việt 2026");
    check_p12(Alg::P256, P12Variant::Legacy, "Mật khẩu Việt 2026");
}

#[test]
fn pkcs12_wrong_password_is_typed() {
    if !have_openssl() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    make_pki(dir.path(), Alg::P256);
    for (variant, name) in [(P12Variant::Modern, "m.p12"), (P12Variant::Legacy, "l.p12")] {
        let p12 = export_p12(dir.path(), variant, PASSWORD, name);
        let err = SoftwareSigner::from_pkcs12(&p12, &Password::new("sai mật khẩu")).unwrap_err();
        assert!(matches!(err, kyso::Error::Identity(IdentityError::WrongPassword { .. })), "{variant:?}: {err:?}");
        assert!(err.localize(Lang::Vi).contains("Mật khẩu tệp PKCS#12 không đúng"), "{}", err.localize(Lang::Vi));
        assert!(err.localize(Lang::En).contains("Wrong password"));
        if let kyso::Error::Identity(e) = &err {
            assert_eq!(e.kind(), "p12_wrong_password");
        }
    }
}

#[test]
fn pkcs12_errors_without_key_or_file() {
    if !have_openssl() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    make_pki(dir.path(), Alg::P256);
    let pass = format!("pass:{PASSWORD}");
    openssl(dir.path(), &["pkcs12", "-export", "-nokeys", "-in", "leaf.pem", "-passout", &pass, "-out", "nokey.p12"]);
    let err = SoftwareSigner::from_pkcs12(&dir.path().join("nokey.p12"), &Password::new(PASSWORD)).unwrap_err();
    assert!(matches!(err, kyso::Error::Identity(IdentityError::NoPrivateKey { .. })), "{err:?}");

    let err = SoftwareSigner::from_pkcs12(&dir.path().join("missing.p12"), &Password::new(PASSWORD)).unwrap_err();
    assert!(matches!(err, kyso::Error::Identity(IdentityError::ReadFile { .. })), "{err:?}");

    std::fs::write(dir.path().join("garbage.p12"), b"not a pfx at all").unwrap();
    let err = SoftwareSigner::from_pkcs12(&dir.path().join("garbage.p12"), &Password::new(PASSWORD)).unwrap_err();
    assert!(matches!(err, kyso::Error::Identity(IdentityError::Pkcs12Malformed { .. })), "{err:?}");
}

#[test]
fn pem_keys_pkcs8_pkcs1_sec1() {
    if !have_openssl() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    make_pki(d, Alg::Rsa2048);
    openssl(d, &["rsa", "-in", "leaf.key", "-traditional", "-out", "leaf.pkcs1.pem"]);
    for key in ["leaf.key", "leaf.pkcs1.pem"] {
        let signer = SoftwareSigner::from_pem(&d.join(key), &d.join("leaf.pem"), Some(&d.join("chain.pem"))).unwrap();
        assert_eq!(signer.key_kind(), KeyKind::Rsa { bits: 2048 });
        assert_eq!(signer.chain().len(), 2);
        assert_verifies(&signer, &signer.sign(MESSAGE).unwrap(), d);
    }

    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    make_pki(d, Alg::P256);
    openssl(d, &["ec", "-in", "leaf.key", "-out", "leaf.sec1.pem"]);
    // `openssl ecparam -genkey` style: an EC PARAMETERS block, then the SEC1 key.
    openssl(d, &["ecparam", "-name", "prime256v1", "-out", "params.pem"]);
    let with_params = [std::fs::read(d.join("params.pem")).unwrap(), std::fs::read(d.join("leaf.sec1.pem")).unwrap()].concat();
    std::fs::write(d.join("leaf.params.pem"), with_params).unwrap();
    for key in ["leaf.key", "leaf.sec1.pem", "leaf.params.pem"] {
        let signer = SoftwareSigner::from_pem(&d.join(key), &d.join("leaf.pem"), None).unwrap();
        assert_eq!(signer.key_kind(), KeyKind::EcP256);
        assert!(signer.chain().is_empty());
        assert_verifies(&signer, &signer.sign(MESSAGE).unwrap(), d);
    }

    // A certificate for another key is refused.
    let err = SoftwareSigner::from_pem(&d.join("leaf.key"), &d.join("root.pem"), None).unwrap_err();
    assert!(matches!(err, kyso::Error::Identity(IdentityError::NoMatchingCertificate { .. })), "{err:?}");

    // An encrypted PEM key is refused with its own error.
    openssl(d, &["pkcs8", "-topk8", "-in", "leaf.key", "-passout", "pass:x", "-out", "leaf.enc.pem"]);
    let err = SoftwareSigner::from_pem(&d.join("leaf.enc.pem"), &d.join("leaf.pem"), None).unwrap_err();
    assert!(matches!(err, kyso::Error::Identity(IdentityError::EncryptedKey { .. })), "{err:?}");

    // Ed25519 is not supported.
    openssl(d, &["genpkey", "-algorithm", "ED25519", "-out", "ed.key"]);
    let err = SoftwareSigner::from_pem(&d.join("ed.key"), &d.join("leaf.pem"), None).unwrap_err();
    assert!(
        matches!(&err, kyso::Error::Identity(IdentityError::UnsupportedKeyType { algorithm, .. }) if algorithm == "Ed25519"),
        "{err:?}"
    );
}

#[test]
fn password_never_prints() {
    let p = Password::new("bí mật 123");
    assert_eq!(format!("{p:?}"), "Password(***)");
    std::env::set_var("KYSO_TEST_P12_PASSWORD_X", "abc");
    assert_eq!(format!("{:?}", Password::from_env("KYSO_TEST_P12_PASSWORD_X").unwrap()), "Password(***)");
    let err = Password::from_env("KYSO_TEST_P12_PASSWORD_UNSET").unwrap_err();
    assert!(matches!(err, IdentityError::PasswordMissing { .. }));
    assert!(err.localize(Lang::Vi).contains("KYSO_TEST_P12_PASSWORD_UNSET"));
}

fn ders(signer: &SoftwareSigner) -> Vec<Vec<u8>> {
    std::iter::once(signer.certificate()).chain(signer.chain()).map(|c| c.to_der().unwrap()).collect()
}

#[test]
fn demo_identity_generated_once_and_valid() {
    let dir = tempfile::tempdir().unwrap();
    let demo_dir = dir.path().join("kyso").join("demo");

    let first = demo_identity(&demo_dir).unwrap();
    let root_pem = demo_root_pem(&demo_dir);
    assert!(root_pem.exists());
    let second = demo_identity(&demo_dir).unwrap();
    assert_eq!(ders(&first), ders(&second), "reloaded identically");
    let agency = demo_agency_identity(&demo_dir).unwrap();
    let agency_again = demo_agency_identity(&demo_dir).unwrap();
    assert_eq!(ders(&agency), ders(&agency_again));
    assert_eq!(first.key_kind(), KeyKind::EcP256);
    assert!(first.chain().is_empty(), "the root is not embedded");

    // Names: UTF8String, Vietnamese diacritics, marked as not legally valid.
    let person = first.certificate().tbs_certificate.subject.to_string();
    assert!(person.contains("Nguyễn Văn Demo (DEMO — không có giá trị pháp lý)"), "{person}");
    assert!(person.contains("Ủy ban nhân dân tỉnh Demo"), "{person}");
    let org = agency.certificate().tbs_certificate.subject.to_string();
    assert!(org.contains("Ủy ban nhân dân tỉnh Demo (DEMO)"), "{org}");
    assert!(org.contains("MST:0000000000"), "{org}");
    let root = cert_from_pem(&root_pem);
    let root_name = root.tbs_certificate.subject.to_string();
    assert!(root_name.contains("KHÔNG CÓ GIÁ TRỊ PHÁP LÝ (not legally valid)"), "{root_name}");
    assert_eq!(first.certificate().tbs_certificate.issuer, root.tbs_certificate.subject);

    // Five years of validity for the leaf.
    let v = &first.certificate().tbs_certificate.validity;
    let days = (v.not_after.to_unix_duration() - v.not_before.to_unix_duration()).as_secs() / 86_400;
    assert!((1826..=1827).contains(&days), "{days} days");

    // Both sign verifiably.
    let scratch = tempfile::tempdir().unwrap();
    for signer in [&first, &agency] {
        let sig = signer.sign(MESSAGE).unwrap();
        let spki = signer.certificate().tbs_certificate.subject_public_key_info.to_der().unwrap();
        let vk = p256::ecdsa::VerifyingKey::from_public_key_der(&spki).unwrap();
        vk.verify(MESSAGE, &p256::ecdsa::DerSignature::try_from(sig.as_slice()).unwrap()).unwrap();
        if have_openssl() {
            assert_verifies(signer, &sig, scratch.path());
        }
    }

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let set = root_pem.parent().unwrap();
        for key in ["personal-key.pem", "agency-key.pem"] {
            let mode = std::fs::metadata(set.join(key)).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{key}");
        }
    }

    // OpenSSL reads every file and accepts both leaves under the demo root.
    if !have_openssl() {
        return;
    }
    let set = root_pem.parent().unwrap();
    for cert in ["root.pem", "personal-cert.pem", "agency-cert.pem"] {
        let out =
            Command::new("openssl").args(["x509", "-noout", "-text", "-nameopt", "utf8", "-in"]).arg(set.join(cert)).output().unwrap();
        assert!(out.status.success(), "{cert}: {}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("Subject Key Identifier"), "{cert}: {text}");
        assert!(text.contains("ecdsa-with-SHA256"), "{cert}: {text}");
        if cert != "root.pem" {
            assert!(text.contains("Authority Key Identifier"), "{cert}: {text}");
            assert!(text.contains("Digital Signature, Non Repudiation"), "{cert}: {text}");
            assert!(text.contains("không có giá trị pháp lý") || text.contains("(DEMO)"), "{cert}: {text}");
        }
    }
    for key in ["personal-key.pem", "agency-key.pem"] {
        openssl(set, &["pkey", "-in", key, "-noout"]);
    }
    for leaf in ["personal-cert.pem", "agency-cert.pem"] {
        let out = Command::new("openssl").args(["verify", "-x509_strict", "-CAfile"]).arg(&root_pem).arg(set.join(leaf)).output().unwrap();
        assert!(
            out.status.success() && String::from_utf8_lossy(&out.stdout).contains(": OK"),
            "openssl verify {leaf}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn demo_identity_concurrent_first_run_agrees() {
    let dir = tempfile::tempdir().unwrap();
    let demo_dir = dir.path().join("demo");
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let d = demo_dir.clone();
            std::thread::spawn(move || ders(&demo_identity(&d).unwrap()))
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert!(results.windows(2).all(|w| w[0] == w[1]), "all callers see the same identity");
    // Exactly one set and no temporaries are left.
    let names: Vec<String> = std::fs::read_dir(&demo_dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names, vec!["v1".to_owned()], "{names:?}");
}

#[test]
fn demo_identity_incomplete_set_is_replaced_not_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let demo_dir = dir.path().join("demo");
    let first = demo_identity(&demo_dir).unwrap();
    let set = demo_root_pem(&demo_dir).parent().unwrap().to_owned();
    std::fs::remove_file(set.join("agency-key.pem")).unwrap();

    let second = demo_identity(&demo_dir).unwrap();
    assert_ne!(ders(&first), ders(&second), "a new set was generated");
    assert!(demo_agency_identity(&demo_dir).is_ok());
    let kept =
        std::fs::read_dir(&demo_dir).unwrap().filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with("v1.old-")).count();
    assert_eq!(kept, 1, "the broken set is kept aside");
    let _ = Certificate::from_der(&ders(&second)[0]).unwrap();
}

#[test]
fn pkcs12_empty_password() {
    check_p12(Alg::P256, P12Variant::Modern, "");
    check_p12(Alg::Rsa2048, P12Variant::Windows3Des, "");
}
