//! Certification paths and revocation (SPEC R11): expired signer, revoked signer
//! (CRL file, CRL over HTTP, OCSP from `openssl ocsp` as a responder), untrusted
//! root, unreachable revocation source (TRY_LATER), offline with nothing embedded.
//!
//! The PKI comes from `tests/fixtures/revocation/make-ca.sh`, built once per test
//! process with the 127.0.0.1 ports chosen here baked into its CRL distribution
//! points and OCSP URLs. Servers (`python3 -m http.server`, `openssl ocsp`) are
//! started by the test that needs them, wrapped in `timeout 120`, and stopped by
//! pid when it ends (also on panic). Only 127.0.0.1 is contacted.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use kyso::trust::{certificates_in, AnchorSource, TrustStore, BUNDLED};
use kyso::verify::chain::{build_path, build_path_for, EndEntityUsage, PathStatus};
use kyso::verify::revocation::{
    self, check, check_as_of, JudgedAt, RevocationCache, RevocationReport, RevocationSources, RevocationStatus, RevocationSummary,
    SourceKind,
};
use time::OffsetDateTime;
use x509_cert::Certificate;

struct Pki {
    dir: PathBuf,
    http: u16,
    ocsp: u16,
}

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().expect("local addr").port()
}

/// The fixture PKI, made once per test process.
fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
        // Leftovers of earlier runs whose process is gone.
        if let Ok(entries) = std::fs::read_dir(&base) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if let Some(pid) = name.strip_prefix("revocation-pki-") {
                    if !Path::new("/proc").join(pid).exists() {
                        let _ = std::fs::remove_dir_all(e.path());
                    }
                }
            }
        }
        let dir = base.join(format!("revocation-pki-{}", std::process::id()));
        let (http, ocsp, dead) = (free_port(), free_port(), free_port());
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/revocation/make-ca.sh");
        let out = Command::new("bash")
            .arg(&script)
            .arg(&dir)
            .args([http.to_string(), ocsp.to_string(), dead.to_string()])
            .output()
            .expect("run make-ca.sh");
        assert!(out.status.success(), "make-ca.sh failed: {}", String::from_utf8_lossy(&out.stderr));
        Pki { dir, http, ocsp }
    })
}

fn cert(name: &str) -> Certificate {
    let bytes = std::fs::read(pki().dir.join(name)).expect("read certificate");
    certificates_in(&bytes).expect("parse certificate").remove(0).0
}

fn test_store() -> TrustStore {
    let mut store = TrustStore::empty();
    store.add_file(&pki().dir.join("root.pem"), AnchorSource::CommandLine).expect("add root");
    store
}

/// The trusted path of a leaf under the test intermediate.
fn path_of(leaf: &str) -> Vec<Certificate> {
    let r = build_path(&cert(leaf), &[cert("inter.pem")], &test_store(), OffsetDateTime::now_utc());
    assert_eq!(r.status, PathStatus::Trusted, "{leaf}: {r:?}");
    r.certificates
}

fn offline(crls: &[&str], crl_files: &[&str]) -> RevocationSources {
    RevocationSources {
        crls: crls.iter().map(|f| std::fs::read(pki().dir.join(f)).expect("read CRL")).collect(),
        ocsps: Vec::new(),
        crl_files: crl_files.iter().map(|f| pki().dir.join(f)).collect(),
        online: false,
    }
}

fn online() -> RevocationSources {
    RevocationSources { online: true, ..Default::default() }
}

fn kinds(r: &RevocationReport) -> Vec<Option<SourceKind>> {
    r.certificates
        .iter()
        .map(|c| match &c.status {
            RevocationStatus::Good { source } | RevocationStatus::Revoked { source, .. } => Some(source.kind),
            _ => None,
        })
        .collect()
}

/// Child processes started by a test, stopped by pid on drop.
struct Servers(Vec<Child>);

/// How to tell that a server is ready.
enum Ready<'a> {
    /// A TCP connection to this 127.0.0.1 port succeeds.
    Connect(u16),
    /// Its output (sent to `log`) contains `needle`. (`openssl ocsp` exits when
    /// a connection closes without a request, so it must not be probed.)
    Says { log: &'a Path, needle: &'a str },
}

impl Servers {
    fn spawn(&mut self, dir: &Path, program: &str, args: &[&str], ready: Ready<'_>) {
        let (out, err) = match &ready {
            Ready::Connect(_) => (Stdio::null(), Stdio::null()),
            Ready::Says { log, .. } => {
                let f = std::fs::File::create(log).expect("server log");
                (Stdio::from(f.try_clone().expect("clone log")), Stdio::from(f))
            }
        };
        let child = Command::new("timeout")
            .arg("120")
            .arg(program)
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .expect("spawn server");
        self.0.push(child);
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let up = match &ready {
                Ready::Connect(port) => TcpStream::connect(("127.0.0.1", *port)).is_ok(),
                Ready::Says { log, needle } => std::fs::read_to_string(log).is_ok_and(|t| t.contains(needle)),
            };
            if up {
                break;
            }
            assert!(Instant::now() < deadline, "{program} did not become ready");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn stop(&mut self) {
        for mut child in self.0.drain(..) {
            // SIGTERM to `timeout`, which passes it on to the server.
            let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
            let deadline = Instant::now() + Duration::from_secs(5);
            loop {
                match child.try_wait() {
                    Ok(Some(_)) => break,
                    Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
                    _ => {
                        let _ = child.kill();
                        let _ = child.wait();
                        break;
                    }
                }
            }
        }
    }
}

impl Drop for Servers {
    fn drop(&mut self) {
        self.stop();
    }
}

#[test]
fn bundled_store_loads_and_issuing_cas_chain_to_their_roots() {
    assert!(BUNDLED.iter().all(|ca| ca.certificate().is_some()), "a bundled certificate does not match its pin");
    let (store, warnings) = TrustStore::load_with(None, &[]);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(store.anchors().len(), 4);
    assert_eq!(store.intermediates().len(), 3);
    let now = OffsetDateTime::now_utc();
    for (ca, root) in [(&BUNDLED[1], &BUNDLED[0]), (&BUNDLED[3], &BUNDLED[2]), (&BUNDLED[5], &BUNDLED[4])] {
        let c = ca.certificate().expect("pinned");
        let r = build_path_for(&c, &[], &store, now, EndEntityUsage::Any);
        assert_eq!(r.status, PathStatus::Trusted, "{}", ca.file);
        let anchor = r.anchor.expect("anchor");
        assert_eq!(anchor.sha256, root.sha256);
        assert_eq!(anchor.source, AnchorSource::Bundled);
    }
}

#[test]
fn paths_trusted_expired_and_untrusted() {
    let store = test_store();
    let now = OffsetDateTime::now_utc();
    let inter = cert("inter.pem");
    let pool = std::slice::from_ref(&inter);

    let good = build_path(&cert("good.pem"), pool, &store, now);
    assert_eq!(good.status, PathStatus::Trusted);
    assert_eq!(good.path.len(), 3);
    assert_eq!(good.certificates.len(), 3);
    let anchor = good.anchor.as_ref().expect("anchor");
    assert!(anchor.name.contains("KýSố Test Root"), "{}", anchor.name);
    assert_eq!(anchor.source, AnchorSource::CommandLine);
    // The intermediate is signed with RSASSA-PSS, the leaf with ECDSA P-256.
    assert_eq!(good.path[0].signature_algorithm, "ecdsa-with-SHA256");
    assert_eq!(good.path[1].signature_algorithm, "RSASSA-PSS");
    let json = serde_json::to_value(&good).expect("json");
    assert_eq!(json["status"]["kind"], "trusted");
    assert!(json.get("certificates").is_none());

    // Expired signer, at the current time.
    let expired = build_path(&cert("expired.pem"), pool, &store, now);
    match &expired.status {
        PathStatus::Expired { which, .. } => assert!(which.contains("Lê Văn Hết Hạn"), "{which}"),
        other => panic!("expected Expired, got {other:?}"),
    }
    // The good leaf judged at a time after its expiry, and before its start.
    let later = build_path(&cert("good.pem"), pool, &store, now + time::Duration::days(3 * 365));
    assert!(matches!(later.status, PathStatus::Expired { .. }), "{:?}", later.status);
    let earlier = build_path(&cert("good.pem"), pool, &store, now - time::Duration::days(30));
    assert!(matches!(earlier.status, PathStatus::NotYetValid { .. }), "{:?}", earlier.status);

    // A leaf under a root nobody trusts, with and without that root in the pool.
    let other = build_path(&cert("other-leaf.pem"), &[cert("other-root.pem")], &store, now);
    match &other.status {
        PathStatus::NoChainFound { untrusted_root: true, reached, .. } => assert!(reached.contains("Untrusted Root")),
        s => panic!("expected NoChainFound at an untrusted root, got {s:?}"),
    }
    assert_eq!(serde_json::to_value(&other).expect("json")["status"]["kind"], "noChainFound");
    let alone = build_path(&cert("other-leaf.pem"), &[], &store, now);
    assert!(matches!(alone.status, PathStatus::NoChainFound { untrusted_root: false, .. }), "{:?}", alone.status);
    // The test leaf against the bundled Vietnamese anchors only.
    let bundled = build_path(&cert("good.pem"), pool, &TrustStore::bundled(), now);
    assert!(matches!(bundled.status, PathStatus::NoChainFound { .. }), "{:?}", bundled.status);
    // A forged intermediate (same name and key identifier, other key): the leaf's
    // signature does not verify with it, and the search backtracks to the real one.
    let forged = build_path(&cert("good.pem"), &[cert("forged-inter.pem")], &store, now);
    assert!(matches!(forged.status, PathStatus::BadSignature { .. }), "{:?}", forged.status);
    let both = build_path(&cert("good.pem"), &[cert("forged-inter.pem"), inter], &store, now);
    assert_eq!(both.status, PathStatus::Trusted);
}

#[test]
fn revocation_from_files_and_embedded_data() {
    let cache = RevocationCache::in_memory();
    let good = path_of("good.pem");
    let revoked = path_of("revoked.pem");
    // After the fixture (and its revocation) was made.
    let now = OffsetDateTime::now_utc();

    // --crl files (PEM).
    let files = offline(&[], &["inter.crl.pem", "root.crl.pem"]);
    let r = check(&good, JudgedAt::Now, &files, &cache);
    assert_eq!(r.summary, RevocationSummary::Good, "{r:?}");
    assert_eq!(r.certificates.len(), 2, "the anchor is not checked");
    assert_eq!(kinds(&r), vec![Some(SourceKind::CrlFile); 2]);

    let r = check(&revoked, JudgedAt::Now, &files, &cache);
    assert_eq!(r.summary, RevocationSummary::Revoked, "{r:?}");
    match &r.certificates[0].status {
        RevocationStatus::Revoked { reason, after_judged_time, source, .. } => {
            assert_eq!(reason.as_deref(), Some("keyCompromise"));
            assert!(!after_judged_time);
            assert_eq!(source.kind, SourceKind::CrlFile);
        }
        s => panic!("expected Revoked, got {s:?}"),
    }
    // A claimed earlier time proves nothing: judged now, still revoked.
    // A *proven* time before the revocation (a verified time-stamp): good then.
    let r = check(&revoked, JudgedAt::Proven(now - time::Duration::hours(2)), &files, &cache);
    assert!(matches!(r.certificates[0].status, RevocationStatus::Revoked { after_judged_time: true, judged_time_proven: true, .. }));
    assert_eq!(r.summary, RevocationSummary::Good, "revoked after a proven time: the signature came first");
    // A proven time after the revocation: revoked.
    let r = check(&revoked, JudgedAt::Proven(now + time::Duration::minutes(1)), &files, &cache);
    assert_eq!(r.summary, RevocationSummary::Revoked);

    // Embedded DER CRLs (as from /DSS or adbe-revocationInfoArchival).
    let embedded = offline(&["crl/inter.crl", "crl/root.crl"], &[]);
    let r = check(&good, JudgedAt::Now, &embedded, &cache);
    assert_eq!(r.summary, RevocationSummary::Good);
    assert_eq!(kinds(&r), vec![Some(SourceKind::EmbeddedCrl); 2]);

    // Offline with nothing embedded: NotChecked, TRY_LATER.
    let r = check(&good, JudgedAt::Now, &offline(&[], &[]), &cache);
    assert_eq!(r.summary, RevocationSummary::TryLater);
    assert!(r.certificates.iter().all(|c| c.status == RevocationStatus::NotChecked), "{r:?}");
    // Only the root's CRL: the leaf stays unchecked.
    let r = check(&good, JudgedAt::Now, &offline(&["crl/root.crl"], &[]), &cache);
    assert_eq!(r.summary, RevocationSummary::TryLater);
    assert_eq!(r.certificates[0].status, RevocationStatus::NotChecked);
    assert!(matches!(r.certificates[1].status, RevocationStatus::Good { .. }));

    // A CRL that is out of date now cannot say "good" without a proven time…
    let later = now + time::Duration::days(30);
    let r = check_as_of(&good, JudgedAt::Now, later, &files, &cache);
    assert_eq!(r.summary, RevocationSummary::TryLater);
    match &r.certificates[0].status {
        RevocationStatus::Unknown { why } => assert!(why.contains("out of date"), "{why}"),
        s => panic!("expected Unknown, got {s:?}"),
    }
    // …nor for a proven time after it was issued (it cannot show the status then)…
    let r = check_as_of(&good, JudgedAt::Proven(now + time::Duration::days(1)), later, &embedded, &cache);
    assert_eq!(r.summary, RevocationSummary::TryLater, "{r:?}");
    // …but it can for a proven time before it was issued.
    let r = check_as_of(&good, JudgedAt::Proven(now - time::Duration::days(3)), later, &embedded, &cache);
    assert_eq!(r.summary, RevocationSummary::Good, "{r:?}");
}

#[test]
fn revocation_online_crl_ocsp_unreachable_and_cache() {
    let p = pki();
    let good = path_of("good.pem");
    let revoked = path_of("revoked.pem");
    let dead = path_of("dead.pem");
    let cache_dir = p.dir.join("cache");
    let mut servers = Servers(Vec::new());

    // 1. CRLs over HTTP. The OCSP responder is not up yet: its refusal is noted
    //    and the CRL distribution point answers.
    let port = p.http.to_string();
    servers.spawn(&p.dir.join("crl"), "python3", &["-m", "http.server", &port, "--bind", "127.0.0.1"], Ready::Connect(p.http));
    let disk = RevocationCache::with_dir(&cache_dir);
    let r = check(&good, JudgedAt::Now, &online(), &disk);
    assert_eq!(r.summary, RevocationSummary::Good, "{r:#?}");
    assert_eq!(kinds(&r), vec![Some(SourceKind::CrlUrl); 2], "{r:#?}");
    assert!(r.certificates[0].tried.iter().any(|t| t.starts_with("OCSP http://127.0.0.1:")), "{:?}", r.certificates[0].tried);
    let r = check(&revoked, JudgedAt::Now, &online(), &RevocationCache::in_memory());
    assert_eq!(r.summary, RevocationSummary::Revoked, "{r:#?}");
    assert_eq!(kinds(&r)[0], Some(SourceKind::CrlUrl));

    // 2. OCSP from `openssl ocsp` as the intermediate's delegated responder.
    let port = p.ocsp.to_string();
    servers.spawn(
        &p.dir,
        "openssl",
        &[
            "ocsp",
            "-index",
            "inter/index.txt",
            "-port",
            &port,
            "-rsigner",
            "ocsp.pem",
            "-rkey",
            "ocsp.key",
            "-CA",
            "inter.pem",
            "-nmin",
            "10",
            "-ignore_err",
        ],
        Ready::Says { log: &p.dir.join("ocsp.log"), needle: "waiting for OCSP client connections" },
    );
    let r = check(&good, JudgedAt::Now, &online(), &RevocationCache::in_memory());
    assert_eq!(r.summary, RevocationSummary::Good, "{r:#?}");
    assert_eq!(kinds(&r), vec![Some(SourceKind::OcspUrl), Some(SourceKind::CrlUrl)], "{r:#?}");
    let r = check(&revoked, JudgedAt::Now, &online(), &RevocationCache::in_memory());
    assert_eq!(r.summary, RevocationSummary::Revoked, "{r:#?}");
    match &r.certificates[0].status {
        RevocationStatus::Revoked { reason, source, .. } => {
            assert_eq!(source.kind, SourceKind::OcspUrl);
            assert_eq!(reason.as_deref(), Some("keyCompromise"));
        }
        s => panic!("expected Revoked, got {s:?}"),
    }

    // An OCSP response fetched now and then embedded (as in adbe-revocationInfoArchival).
    let req = revocation::ocsp::request_der(&good[0], &good[1]).expect("OCSP request");
    let url = format!("http://127.0.0.1:{}/", p.ocsp);
    let resp = revocation::fetch::Fetcher::new().post(&url, "application/ocsp-request", &req).expect("OCSP response");
    let embedded = RevocationSources {
        ocsps: vec![resp],
        crls: vec![std::fs::read(p.dir.join("crl/root.crl")).expect("root CRL")],
        ..Default::default()
    };
    let r = check(&good, JudgedAt::Now, &embedded, &RevocationCache::in_memory());
    assert_eq!(kinds(&r), vec![Some(SourceKind::EmbeddedOcsp), Some(SourceKind::EmbeddedCrl)], "{r:#?}");
    // The same response says nothing about the revoked certificate.
    let r = check(&revoked, JudgedAt::Now, &embedded, &RevocationCache::in_memory());
    assert_eq!(r.certificates[0].status, RevocationStatus::NotChecked);

    // 3. A CRL distribution point nobody listens on: Unknown (TRY_LATER), quickly.
    let started = Instant::now();
    let r = check(&dead, JudgedAt::Now, &online(), &RevocationCache::in_memory());
    assert!(started.elapsed() < Duration::from_secs(8), "took {:?}", started.elapsed());
    assert_eq!(r.summary, RevocationSummary::TryLater, "{r:#?}");
    match &r.certificates[0].status {
        RevocationStatus::Unknown { why } => assert!(why.contains("unreachable"), "{why}"),
        s => panic!("expected Unknown, got {s:?}"),
    }
    assert!(matches!(r.certificates[1].status, RevocationStatus::Good { .. }));
    let json = serde_json::to_value(&r).expect("json");
    assert_eq!(json["summary"], "TRY_LATER");
    assert_eq!(json["certificates"][0]["status"]["kind"], "unknown");

    // 4. With the servers gone, the disk cache still answers for the CRLs.
    servers.stop();
    let r = check(&good, JudgedAt::Now, &online(), &RevocationCache::with_dir(&cache_dir));
    assert_eq!(r.summary, RevocationSummary::Good, "{r:#?}");
    match &r.certificates[0].status {
        RevocationStatus::Good { source } => {
            assert_eq!(source.kind, SourceKind::CrlUrl);
            assert!(source.cached);
        }
        s => panic!("expected Good from the cache, got {s:?}"),
    }
    // Without a cache, nothing answers.
    let r = check(&good, JudgedAt::Now, &online(), &RevocationCache::in_memory());
    assert_eq!(r.summary, RevocationSummary::TryLater);
}
