//! The whole offline verifier on hostile input: signature fields, coverage,
//! CMS, chain building, DSS, the diff of later revisions, and the integrity
//! check. Never online: `opts.offline` is set before any use.
#![no_main]

use kyso::verify::engine::VerifyOptions;
use libfuzzer_sys::fuzz_target;

mod common;

thread_local! {
    static OPTS: VerifyOptions = {
        let (mut opts, _) = VerifyOptions::new(&[]);
        opts.offline = true;
        opts.cache = kyso::verify::revocation::RevocationCache::in_memory();
        opts.file_digest = true;
        opts
    };
}

fuzz_target!(|data: &[u8]| {
    let path = common::scratch("verify", data);
    OPTS.with(|opts| {
        assert!(opts.offline, "the fuzzer must never go online");
        let report = kyso::verify::engine::verify_file(&path, opts);
        // The CLI and the app serialise the report: that must not panic either.
        let _ = serde_json::to_vec(&report);
    });
    let _ = kyso::verify::check_integrity(&path);
});
