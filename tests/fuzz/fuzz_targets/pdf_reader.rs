//! The PDF reader on hostile input: opening (strict and for verification), the
//! page tree, the catalog, every revision, and the objects of the newest
//! cross-reference data. Any panic, hang or memory blow-up is a bug: the reader
//! must refuse bad structure with an error in bounded time and memory.
#![no_main]

use kyso::pdf::{ObjectSource, PdfFile};
use libfuzzer_sys::fuzz_target;

mod common;

/// Most objects read per input.
const MAX_GETS: usize = 2000;
/// Most revisions walked per input.
const MAX_REVISIONS: usize = 64;

fn exercise(pdf: &PdfFile) {
    let _ = pdf.page_refs();
    let _ = pdf.catalog();
    let _ = pdf.next_object_number();
    let n = pdf.revision_count();
    for k in 0..n.min(MAX_REVISIONS) {
        let _ = pdf.revision_end(k);
        if let Some(view) = pdf.revision(k) {
            let _ = view.catalog();
            let _ = view.page_refs();
        }
    }
    let _ = pdf.revision(n);
    let _ = pdf.revision_end(n);
    // Every object the newest cross-reference section lists, then anything else the
    // merged xref holds, up to MAX_GETS reads in all.
    let mut nums: Vec<u32> = pdf.sections().first().map(|s| s.entries.keys().copied().collect()).unwrap_or_default();
    if let Some(view) = n.checked_sub(1).and_then(|k| pdf.revision(k)) {
        nums.extend(view.xref().keys().copied());
    }
    for num in nums.into_iter().take(MAX_GETS) {
        let gen = match pdf.xref_entry(num) {
            Some(kyso::pdf::reader::XrefEntry::InFile { gen, .. }) => gen,
            _ => 0,
        };
        if let Ok(raw) = pdf.get(kyso::pdf::ObjRef::new(num, gen)) {
            let _ = raw.value_bytes();
            if let (Some(loc), Some(dict)) = (raw.stream, raw.object.as_dict()) {
                if let Ok(data) = pdf.read_stream_data(loc, 1 << 20) {
                    let _ = kyso::pdf::filters::decode(dict, &data);
                }
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let path = common::scratch("reader", data);
    if let Ok(pdf) = PdfFile::open(&path) {
        exercise(&pdf);
    }
    if let Ok(pdf) = PdfFile::open_for_verification(&path) {
        let _ = pdf.xref_problems();
        exercise(&pdf);
    }
});
