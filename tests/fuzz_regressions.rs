//! Hostile PDFs, each found by fuzzing or written by hand for the fuzzing issue
//! (`docs/fuzzing.md`): xref loops, self-referencing objects, deep nesting, huge
//! declared lengths, decompression bombs. Every file is put through the same calls
//! as the fuzz targets (`tests/fuzz/fuzz_targets/`): the reader must return, with
//! an error or a result, without panicking and within a time bound.
//!
//! The files are in `tests/fixtures/fuzz-regressions/`; `make-hostile.py` there
//! writes the hand-made ones.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use kyso::pdf::reader::XrefEntry;
use kyso::pdf::{ObjRef, ObjectSource, PdfFile};
use kyso::verify::engine::{verify_file, VerifyOptions};
use kyso::verify::revocation::RevocationCache;

/// Generous: debug builds on a shared two-core machine. A regression (a loop, a
/// bomb inflated again and again) takes minutes or runs out of memory.
const BOUND: Duration = Duration::from_secs(60);

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz-regressions").join(name)
}

/// What the `pdf_reader` fuzz target does with one opened file.
fn exercise(pdf: &PdfFile) {
    let _ = pdf.page_refs();
    let _ = pdf.catalog();
    let _ = pdf.next_object_number();
    let n = pdf.revision_count();
    for k in 0..n.min(64) {
        let _ = pdf.revision_end(k);
        if let Some(view) = pdf.revision(k) {
            let _ = view.catalog();
            let _ = view.page_refs();
        }
    }
    let _ = pdf.revision(n);
    let _ = pdf.revision_end(n);
    let mut nums: Vec<u32> = pdf.sections().first().map(|s| s.entries.keys().copied().collect()).unwrap_or_default();
    if let Some(view) = n.checked_sub(1).and_then(|k| pdf.revision(k)) {
        nums.extend(view.xref().keys().copied());
    }
    for num in nums.into_iter().take(2000) {
        let gen = match pdf.xref_entry(num) {
            Some(XrefEntry::InFile { gen, .. }) => gen,
            _ => 0,
        };
        if let Ok(raw) = pdf.get(ObjRef::new(num, gen)) {
            if let (Some(loc), Some(dict)) = (raw.stream, raw.object.as_dict()) {
                if let Ok(data) = pdf.read_stream_data(loc, 1 << 20) {
                    let _ = kyso::pdf::filters::decode(dict, &data);
                }
            }
        }
    }
}

/// The `pdf_reader` and `verify` fuzz targets' calls, timed. Returns the strict
/// open's result as text, for the assertions.
fn run(name: &str) -> String {
    let path = fixture(name);
    assert!(path.exists(), "{} missing", path.display());
    let start = Instant::now();
    let strict = match PdfFile::open(&path) {
        Ok(pdf) => {
            exercise(&pdf);
            "ok".to_string()
        }
        Err(e) => e.to_string(),
    };
    if let Ok(pdf) = PdfFile::open_for_verification(&path) {
        exercise(&pdf);
    }
    let (mut opts, _) = VerifyOptions::new(&[]);
    opts.offline = true;
    opts.cache = RevocationCache::in_memory();
    let report = verify_file(&path, &opts);
    let _ = serde_json::to_vec(&report);
    let _ = kyso::verify::check_integrity(&path);
    let took = start.elapsed();
    assert!(took < BOUND, "{name}: took {took:?}");
    strict
}

macro_rules! regression {
    ($test:ident, $file:literal, $expect:expr) => {
        #[test]
        fn $test() {
            let got = run($file);
            let expect: Option<&str> = $expect;
            if let Some(e) = expect {
                assert!(got.contains(e), "{}: strict open said {got:?}, expected {e:?}", $file);
            }
        }
    };
}

// Handled before fuzzing began; kept so they stay handled.
regression!(prev_loop, "xref-prev-loop.pdf", Some("loop in /Prev chain"));
regression!(page_tree_loop, "page-tree-loop.pdf", None);
regression!(self_referencing_length, "self-length.pdf", None);
regression!(deep_nesting, "deep-nesting.pdf", None);
regression!(huge_declared_length, "huge-length.pdf", None);
regression!(flate_bomb_in_xref_stream, "flate-bomb-xref.pdf", Some("decoded stream size"));
regression!(many_direct_signature_fields, "many-direct-sig-fields.pdf", None);

// Stack overflow: an object stream whose /Length is an object inside itself.
regression!(object_stream_length_inside_itself, "objstm-self-length.pdf", None);
// Out of memory: an 8 KB xref stream declaring 8 million entries.
regression!(xref_stream_declaring_millions, "xref-stream-8m-entries.pdf", Some("cross-reference entries"));
// Timeout: 100 xref tables naming one /XRefStm that inflates to 60 MB.
regression!(shared_xrefstm_bomb, "shared-xrefstm.pdf", Some("cross-reference stream data"));
// Memory and time: object streams of 40 MB each, read alternately.
regression!(object_stream_cache_bombs, "objstm-cache-bombs.pdf", None);
// Out of memory: DSS /CRLs naming one 15 MB bomb 200 times.
regression!(dss_bomb, "dss-bomb.pdf", Some("ok"));
// Timeout: 2000 signature fields x 300 revisions, each field rescanning every revision.
regression!(many_fields_many_revisions, "many-fields-many-revisions.pdf", Some("ok"));
// Timeout: 2000 revisions before one %%EOF, each rescanning 512 KB.
regression!(revisions_before_one_eof, "revisions-one-eof.pdf", None);

// Found by the fuzzer (pdf_reader, minimised): an xref entry pointing past the end
// of the file made the object reader compute `len - offset` and overflow.
regression!(fuzz_xref_offset_past_end, "fuzz-xref-offset-past-end.pdf", None);

#[test]
fn every_fixture_has_a_test() {
    let src = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions.rs")).expect("read self");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz-regressions");
    for e in std::fs::read_dir(dir).expect("fixtures") {
        let name = e.expect("entry").file_name().to_string_lossy().into_owned();
        if name.ends_with(".pdf") || name.ends_with(".bin") {
            assert!(src.contains(&format!("\"{name}\"")), "{name} has no regression test");
        }
    }
}
