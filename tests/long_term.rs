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
