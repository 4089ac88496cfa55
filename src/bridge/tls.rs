//! TLS on 127.0.0.1 for the bridge: a certification authority made for this
//! installation alone, and the server certificate it issues for `127.0.0.1`,
//! `::1` and `localhost`.
//!
//! Both keys stay in the data folder (`bridge/`, files mode 0600) and are never
//! exported: `kyso bridge cert --export` writes the CA *certificate*, which the
//! browsers must trust (`--install` adds it to the user's stores, [`install`]).
//! The CA can only sign for these local names in practice: its key never leaves the
//! machine, and a stolen copy would be useful only for a user who already trusts it.

use std::io::Write;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use der::asn1::Ia5String;
use der::pem::LineEnding;
use der::{Decode, DecodePem, Encode, EncodePem};
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use rand_core::OsRng;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{ExtendedKeyUsage, SubjectAltName};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::time::Validity;
use x509_cert::Certificate;
use zeroize::Zeroizing;

use super::BridgeError;
use crate::atomic::{AtomicFile, Mode};

const CA_CERT: &str = "ca.pem";
const CA_KEY: &str = "ca.key";
const SERVER_CERT: &str = "server.pem";
const SERVER_KEY: &str = "server.key";
const CA_LIFETIME: Duration = Duration::from_secs(20 * 365 * 86_400);
const SERVER_LIFETIME: Duration = Duration::from_secs(2 * 365 * 86_400);
/// A server certificate closer than this to its end is issued again.
const RENEW_BEFORE: Duration = Duration::from_secs(30 * 86_400);
/// The name browsers show for the CA.
pub const CA_NAME: &str = "KySo local CA";

/// The folder of the bridge's keys and certificates in a data folder.
pub fn dir(data_dir: &Path) -> PathBuf {
    data_dir.join("bridge")
}

/// The local CA's certificate file in a data folder (created by [`server_config`]).
pub fn ca_cert_path(data_dir: &Path) -> PathBuf {
    dir(data_dir).join(CA_CERT)
}

/// The server's TLS settings: the CA and the server certificate are made on first
/// use and the server certificate is issued again when it nears its end.
pub fn server_config(data_dir: &Path) -> Result<Arc<rustls::ServerConfig>, BridgeError> {
    let (chain, key) = ensure(data_dir)?;
    // ring, as the rest of KýSố (aws-lc-rs would need cmake and NASM for the Windows
    // cross build); no post-quantum key exchange on a loopback connection is no loss.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| BridgeError::Tls(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| BridgeError::Tls(e.to_string()))?;
    Ok(Arc::new(config))
}

/// The CA certificate (PEM), made if missing.
pub fn ca_certificate_pem(data_dir: &Path) -> Result<String, BridgeError> {
    ensure(data_dir)?;
    std::fs::read_to_string(ca_cert_path(data_dir)).map_err(|e| BridgeError::io(&ca_cert_path(data_dir), e))
}

type Chain = (Vec<rustls::pki_types::CertificateDer<'static>>, rustls::pki_types::PrivateKeyDer<'static>);

fn ensure(data_dir: &Path) -> Result<Chain, BridgeError> {
    let dir = dir(data_dir);
    create_private_dir(&dir)?;
    let (ca, ca_key) = match (read_cert(&dir.join(CA_CERT)), read_key(&dir.join(CA_KEY))) {
        (Some(c), Some(k)) if !ends_within(&c, RENEW_BEFORE) => (c, k),
        _ => {
            let key = p256::ecdsa::SigningKey::random(&mut OsRng);
            let name = Name::from_str(&format!("CN={CA_NAME},O=KySo,OU={}", super::random_hex(4))).map_err(gen)?;
            let spki = SubjectPublicKeyInfoOwned::from_key(*key.verifying_key()).map_err(gen)?;
            let b = CertificateBuilder::new(Profile::Root, serial()?, validity(CA_LIFETIME)?, name, spki, &key).map_err(gen)?;
            let ca = b.build::<p256::ecdsa::DerSignature>().map_err(gen)?;
            write_key(&dir.join(CA_KEY), &key)?;
            write(&dir.join(CA_CERT), ca.to_pem(LineEnding::LF).map_err(gen)?.as_bytes())?;
            // A new CA: the old server certificate is not its.
            let _ = std::fs::remove_file(dir.join(SERVER_CERT));
            (ca, key)
        }
    };
    let server = match (read_cert(&dir.join(SERVER_CERT)), read_key(&dir.join(SERVER_KEY))) {
        (Some(c), Some(k)) if !ends_within(&c, RENEW_BEFORE) && c.tbs_certificate.issuer == ca.tbs_certificate.subject => (c, k),
        _ => {
            let key = p256::ecdsa::SigningKey::random(&mut OsRng);
            let cert = issue_server(&ca, &ca_key, &key)?;
            write_key(&dir.join(SERVER_KEY), &key)?;
            write(&dir.join(SERVER_CERT), cert.to_pem(LineEnding::LF).map_err(gen)?.as_bytes())?;
            (cert, key)
        }
    };
    let leaf = server.0.to_der().map_err(gen)?;
    let ca_der = ca.to_der().map_err(gen)?;
    let key_der = Zeroizing::new(server.1.to_pkcs8_der().map_err(gen)?.as_bytes().to_vec());
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(rustls::pki_types::PrivatePkcs8KeyDer::from(key_der.to_vec()));
    Ok((vec![leaf.into(), ca_der.into()], key))
}

fn issue_server(ca: &Certificate, ca_key: &p256::ecdsa::SigningKey, key: &p256::ecdsa::SigningKey) -> Result<Certificate, BridgeError> {
    let subject = Name::from_str("CN=127.0.0.1,O=KySo").map_err(gen)?;
    let spki = SubjectPublicKeyInfoOwned::from_key(*key.verifying_key()).map_err(gen)?;
    let profile = Profile::Leaf { issuer: ca.tbs_certificate.subject.clone(), enable_key_agreement: false, enable_key_encipherment: false };
    let mut b = CertificateBuilder::new(profile, serial()?, validity(SERVER_LIFETIME)?, subject, spki, ca_key).map_err(gen)?;
    let names = vec![
        GeneralName::IpAddress(der::asn1::OctetString::new(ip_bytes("127.0.0.1")).map_err(gen)?),
        GeneralName::IpAddress(der::asn1::OctetString::new(ip_bytes("::1")).map_err(gen)?),
        GeneralName::DnsName(Ia5String::new("localhost").map_err(gen)?),
    ];
    b.add_extension(&SubjectAltName(names)).map_err(gen)?;
    b.add_extension(&ExtendedKeyUsage(vec![const_oid::db::rfc5280::ID_KP_SERVER_AUTH])).map_err(gen)?;
    b.build::<p256::ecdsa::DerSignature>().map_err(gen)
}

fn ip_bytes(ip: &str) -> Vec<u8> {
    match IpAddr::from_str(ip) {
        Ok(IpAddr::V4(a)) => a.octets().to_vec(),
        Ok(IpAddr::V6(a)) => a.octets().to_vec(),
        Err(_) => Vec::new(),
    }
}

fn read_cert(path: &Path) -> Option<Certificate> {
    let bytes = std::fs::read(path).ok()?;
    Certificate::from_pem(&bytes).ok().or_else(|| Certificate::from_der(&bytes).ok())
}

fn read_key(path: &Path) -> Option<p256::ecdsa::SigningKey> {
    let text = Zeroizing::new(std::fs::read_to_string(path).ok()?);
    p256::ecdsa::SigningKey::from_pkcs8_pem(&text).ok()
}

fn ends_within(cert: &Certificate, margin: Duration) -> bool {
    let end = cert.tbs_certificate.validity.not_after.to_system_time();
    SystemTime::now() + margin >= end
}

fn write_key(path: &Path, key: &p256::ecdsa::SigningKey) -> Result<(), BridgeError> {
    let pem = key.to_pkcs8_pem(LineEnding::LF).map_err(gen)?;
    write(path, pem.as_bytes())
}

/// Written through [`AtomicFile`]: a private (0600) file renamed into place.
fn write(path: &Path, bytes: &[u8]) -> Result<(), BridgeError> {
    let io = |e| BridgeError::io(path, e);
    let mut f = AtomicFile::create(path, Mode::Replace).map_err(io)?;
    f.file().write_all(bytes).map_err(io)?;
    f.commit().map_err(io)
}

fn create_private_dir(path: &Path) -> Result<(), BridgeError> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(path).map_err(|e| BridgeError::io(path, e))
}

fn serial() -> Result<SerialNumber, BridgeError> {
    crate::identity::demo::random_serial().map_err(gen)
}

fn validity(lifetime: Duration) -> Result<Validity, BridgeError> {
    crate::identity::demo::validity(lifetime).map_err(gen)
}

fn gen(e: impl std::fmt::Display) -> BridgeError {
    BridgeError::Tls(e.to_string())
}

/// Where [`install`] added the CA, or why not, one line per store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstallReport {
    /// Stores that now trust the CA.
    pub installed: Vec<String>,
    /// Stores that could not be updated, with the reason.
    pub failed: Vec<String>,
}

/// Add the CA certificate to the current user's trust stores: on Windows the user's
/// Root store (`certutil -user -addstore Root`); on Linux every NSS database of
/// Chromium (`~/.pki/nssdb`, created if missing) and Firefox (profiles'
/// `cert9.db`) through `certutil` (libnss3-tools); on macOS the login keychain
/// (`security add-trusted-cert`).
pub fn install(data_dir: &Path) -> Result<InstallReport, BridgeError> {
    let pem = ca_certificate_pem(data_dir)?;
    let file = ca_cert_path(data_dir);
    let mut report = InstallReport { installed: Vec::new(), failed: Vec::new() };
    drop(pem);
    let mut run = |label: String, program: &str, args: &[&std::ffi::OsStr]| match std::process::Command::new(program).args(args).output() {
        Ok(o) if o.status.success() => report.installed.push(label),
        Ok(o) => report.failed.push(format!("{label}: {}", String::from_utf8_lossy(&o.stderr).trim())),
        Err(e) => report.failed.push(format!("{label}: {program}: {e}")),
    };
    if cfg!(windows) {
        run(
            "Windows (CurrentUser\\Root)".into(),
            "certutil",
            &["-user".as_ref(), "-f".as_ref(), "-addstore".as_ref(), "Root".as_ref(), file.as_os_str()],
        );
    } else if cfg!(target_os = "macos") {
        let keychain = dirs::home_dir().unwrap_or_default().join("Library/Keychains/login.keychain-db");
        run(
            "macOS login keychain".into(),
            "security",
            &["add-trusted-cert".as_ref(), "-r".as_ref(), "trustRoot".as_ref(), "-k".as_ref(), keychain.as_os_str(), file.as_os_str()],
        );
    } else {
        for db in nss_databases() {
            let target = format!("sql:{}", db.display());
            let label = format!("NSS {}", db.display());
            run(
                label,
                "certutil",
                &[
                    "-A".as_ref(),
                    "-d".as_ref(),
                    target.as_ref(),
                    "-n".as_ref(),
                    CA_NAME.as_ref(),
                    "-t".as_ref(),
                    "C,,".as_ref(),
                    "-i".as_ref(),
                    file.as_os_str(),
                ],
            );
        }
    }
    Ok(report)
}

/// Take the CA out of the stores [`install`] adds it to (uninstalling KýSố): by
/// name, [`CA_NAME`], since only KýSố adds certificates under it.
pub fn remove() -> InstallReport {
    let mut report = InstallReport { installed: Vec::new(), failed: Vec::new() };
    let mut run = |label: String, program: &str, args: &[&str]| match std::process::Command::new(program).args(args).output() {
        Ok(o) if o.status.success() => report.installed.push(label),
        Ok(o) => report.failed.push(format!("{label}: {}", String::from_utf8_lossy(&o.stderr).trim())),
        Err(e) => report.failed.push(format!("{label}: {program}: {e}")),
    };
    if cfg!(windows) {
        run("Windows (CurrentUser\\Root)".into(), "certutil", &["-user", "-delstore", "Root", CA_NAME]);
    } else if cfg!(target_os = "macos") {
        run("macOS login keychain".into(), "security", &["delete-certificate", "-c", CA_NAME]);
    } else {
        for db in nss_databases() {
            let target = format!("sql:{}", db.display());
            run(format!("NSS {}", db.display()), "certutil", &["-D", "-d", &target, "-n", CA_NAME]);
        }
    }
    report
}

/// The NSS databases of the current user on Linux: Chromium's `~/.pki/nssdb`
/// (created, empty password, when missing) and each Firefox profile holding a `cert9.db`.
pub fn nss_databases() -> Vec<PathBuf> {
    let Some(home) = dirs::home_dir() else { return Vec::new() };
    let mut out = Vec::new();
    let chromium = home.join(".pki/nssdb");
    if !chromium.join("cert9.db").exists() && std::fs::create_dir_all(&chromium).is_ok() {
        let _ = std::process::Command::new("certutil")
            .args(["-N", "--empty-password", "-d"])
            .arg(format!("sql:{}", chromium.display()))
            .output();
    }
    if chromium.join("cert9.db").exists() {
        out.push(chromium);
    }
    for base in [home.join(".mozilla/firefox"), home.join("snap/firefox/common/.mozilla/firefox")] {
        if let Ok(entries) = std::fs::read_dir(&base) {
            let mut profiles: Vec<PathBuf> =
                entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.join("cert9.db").exists()).collect();
            profiles.sort();
            out.extend(profiles);
        }
    }
    out
}
