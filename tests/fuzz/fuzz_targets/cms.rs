//! BER → DER conversion and the CMS SignedData check on hostile bytes, against a
//! small fixed PDF (the covered range is its first 10 bytes).
#![no_main]

use libfuzzer_sys::fuzz_target;

mod common;

const SMALL_PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";

fuzz_target!(|data: &[u8]| {
    thread_local! {
        // No xref: opened as verification opens damaged files (objects found by scanning).
        static PDF: Option<kyso::pdf::PdfFile> = kyso::pdf::PdfFile::open_for_verification(&common::scratch("cms", SMALL_PDF)).ok();
    }
    if let Ok(der) = kyso::cms::ber::to_der(data) {
        // DER output must itself convert (idempotence is not required, success is).
        let _ = kyso::cms::ber::to_der(&der);
    }
    PDF.with(|pdf| {
        let pdf = pdf.as_ref().expect("the small PDF opens");
        let report = kyso::verify::cms_check::check(pdf, data, &[(0, 10)]);
        let _ = report.problem;
    });
});
