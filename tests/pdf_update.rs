//! The append-only writer on hand-made PDFs: earlier objects are spliced token
//! for token (the lopdf f32 trap), several signatures stay intact, and hostile
//! structures end in an error, never a panic or a hang.

use kyso::pdf::ObjectSource;
use std::io::Write;
use std::path::{Path, PathBuf};

use kyso::pdf::PdfFile;
use kyso::sign::{sign_file, SignRequest};
use kyso::verify::{check_integrity, Coverage};

/// Assemble a classic-xref PDF from object bodies (object i+1 = bodies[i]).
fn classic_pdf(bodies: &[&str], trailer_extra: &str) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, b) in bodies.iter().enumerate() {
        offsets.push(out.len());
        write!(out, "{} 0 obj\n{}\nendobj\n", i + 1, b).expect("write");
    }
    let xref = out.len();
    write!(out, "xref\n0 {}\n0000000000 65535 f \n", bodies.len() + 1).expect("write");
    for o in offsets {
        writeln!(out, "{o:010} 00000 n ").expect("write");
    }
    write!(out, "trailer\n<< /Size {} /Root 1 0 R {} >>\nstartxref\n{}\n%%EOF\n", bodies.len() + 1, trailer_extra, xref).expect("write");
    out
}

const MEDIABOX: &str = "[0 0 595.303937007874 841.889763779528]";

fn sample() -> Vec<u8> {
    let content = "BT /F1 12 Tf 72 720 Td (Hello) Tj ET";
    classic_pdf(
        &[
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            &format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox {MEDIABOX} /Contents 4 0 R /Annots [] /Resources << /Font << /F1 5 0 R >> >> >>"
            ),
            &format!("<< /Length {} >>\nstream\n{}\nendstream", content.len(), content),
            "<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman >>",
        ],
        "",
    )
}

fn demo_signer(dir: &Path) -> kyso::identity::SoftwareSigner {
    kyso::demo::demo_identity(&dir.join("id")).expect("demo identity")
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write");
    p
}

#[test]
fn earlier_objects_are_spliced_not_reserialised() {
    let dir = tempfile::tempdir().expect("tmp");
    let signer = demo_signer(dir.path());
    let input = write(dir.path(), "in.pdf", &sample());
    let out = dir.path().join("out.pdf");
    sign_file(SignRequest::new(&input, &out), &signer).expect("sign");
    let signed = std::fs::read(&out).expect("read");
    let original = std::fs::read(&input).expect("read");
    assert!(signed.starts_with(&original), "input must be a prefix");
    // The page's new revision keeps the MediaBox digits exactly.
    let tail = &signed[original.len()..];
    let tail_text = String::from_utf8_lossy(tail);
    assert!(tail_text.contains(MEDIABOX), "MediaBox rewritten: {tail_text}");
    assert!(tail_text.contains("/Annots [ 7 0 R ]") || tail_text.contains("/Annots [7 0 R"), "widget not appended: {tail_text}");
    let reports = check_integrity(&out).expect("verify");
    assert_eq!(reports.len(), 1);
    assert!(reports[0].intact(), "{:?}", reports[0]);
    assert_eq!(reports[0].coverage, Coverage::WholeFile);
}

#[test]
fn two_signatures_in_a_row_stay_intact() {
    let dir = tempfile::tempdir().expect("tmp");
    let signer = demo_signer(dir.path());
    let input = write(dir.path(), "in.pdf", &sample());
    let one = dir.path().join("one.pdf");
    let two = dir.path().join("two.pdf");
    sign_file(SignRequest::new(&input, &one), &signer).expect("sign 1");
    sign_file(SignRequest::new(&one, &two), &signer).expect("sign 2");
    let reports = check_integrity(&two).expect("verify");
    assert_eq!(reports.len(), 2);
    assert!(reports.iter().all(|r| r.intact()), "{reports:?}");
    assert_eq!(reports[0].coverage, Coverage::WholeRevision);
    assert_eq!(reports[1].coverage, Coverage::WholeFile);
    assert_ne!(reports[0].field, reports[1].field);
}

#[test]
fn one_changed_byte_breaks_the_digest() {
    let dir = tempfile::tempdir().expect("tmp");
    let signer = demo_signer(dir.path());
    let input = write(dir.path(), "in.pdf", &sample());
    let out = dir.path().join("out.pdf");
    sign_file(SignRequest::new(&input, &out), &signer).expect("sign");
    let mut bytes = std::fs::read(&out).expect("read");
    let at = bytes.windows(5).position(|w| w == b"Hello").expect("Hello");
    bytes[at] = b'J';
    let bad = write(dir.path(), "bad.pdf", &bytes);
    let reports = check_integrity(&bad).expect("verify");
    assert!(!reports[0].digest_ok && !reports[0].intact());
}

fn open_err(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("tmp");
    let p = write(dir.path(), "x.pdf", bytes);
    let started = std::time::Instant::now();
    let r = PdfFile::open(&p).and_then(|pdf| pdf.page_refs().map(|_| ()));
    assert!(started.elapsed().as_secs() < 20, "took too long");
    match r {
        Ok(()) => "ok".into(),
        Err(e) => e.kind().to_owned(),
    }
}

#[test]
fn hostile_structures_are_errors() {
    // /Prev pointing at itself.
    let mut loop_pdf = sample();
    let s = String::from_utf8_lossy(&loop_pdf).into_owned();
    let xref_at = s.rfind("xref\n0").expect("xref");
    let s2 = s.replace("/Size 6 /Root 1 0 R", &format!("/Size 6 /Root 1 0 R /Prev {xref_at}"));
    loop_pdf = s2.into_bytes();
    assert_eq!(open_err(&loop_pdf), "pdf_broken_xref");

    // A page tree that contains itself.
    let cyc = classic_pdf(&["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [2 0 R] /Count 1 >>"], "");
    assert_eq!(open_err(&cyc), "pdf_malformed");

    // Deep nesting.
    let deep = format!("<< /Type /Catalog /Pages 2 0 R /X {}1{} >>", "[".repeat(5000), "]".repeat(5000));
    let deep = classic_pdf(&[&deep, "<< /Type /Pages /Kids [] /Count 0 >>"], "");
    assert_eq!(open_err(&deep), "pdf_limit");

    // A stream claiming a huge length.
    let huge = classic_pdf(
        &[
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>",
            "<< /Length 99999999999 >>\nstream\nabc\nendstream",
        ],
        "",
    );
    // Opening reads only what signing needs; the stream is refused when read.
    let dir = tempfile::tempdir().expect("tmp");
    let p = write(dir.path(), "huge.pdf", &huge);
    let pdf = PdfFile::open(&p).expect("open");
    assert!(pdf.get(kyso::pdf::ObjRef::new(4, 0)).is_err());

    // Xref offsets that point at the wrong place (a repair would be needed).
    let mut shifted = sample();
    shifted.splice(20..20, b"% inserted comment\n".iter().copied());
    assert_eq!(open_err(&shifted), "pdf_broken_xref");

    // Garbage and truncation.
    assert_eq!(open_err(b"hello world"), "pdf_not_pdf");
    let full = sample();
    assert_eq!(open_err(&full[..full.len() / 2]), "pdf_truncated");
    assert_eq!(open_err(b""), "pdf_not_pdf");
}

#[test]
fn encrypted_input_is_refused() {
    let pdf = classic_pdf(
        &[
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [] /Count 0 >>",
            "<< /Filter /Standard /V 2 /R 3 /O <00> /U <00> /P -4 >>",
        ],
        "/Encrypt 3 0 R",
    );
    assert_eq!(open_err(&pdf), "pdf_encrypted");
}

/// A file of at most `RESIDENT_MAX` bytes is read into memory and its objects parsed
/// once; a larger one is read window by window. Both give the same objects, also one
/// far longer than the first window (a signature's `/Contents`), read repeatedly.
#[test]
fn small_and_large_files_read_the_same_objects() {
    let dir = tempfile::tempdir().expect("tempdir");
    let hex: String = (0..40_000u32).map(|i| format!("{:02X}", i % 251)).collect();
    let long = format!("<< /Type /Sig /Contents <{hex}> /M (D:20261206) >>");
    let pad = |n: usize| format!("<< /Length {n} >>\nstream\n{}\nendstream", "%".repeat(n));
    let small = classic_pdf(&["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [] /Count 0 >>", &long, &pad(10)], "");
    let large = classic_pdf(&["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [] /Count 0 >>", &long, &pad(1 << 21)], "");
    assert!(small.len() as u64 <= kyso::pdf::reader::RESIDENT_MAX && large.len() as u64 > kyso::pdf::reader::RESIDENT_MAX);
    let read = |name: &str, bytes: &[u8]| {
        let pdf = PdfFile::open(&write(dir.path(), name, bytes)).expect("open");
        let r = kyso::pdf::ObjRef::new(3, 0);
        let (a, b) = (pdf.get(r).expect("object 3"), pdf.get(r).expect("object 3 again"));
        assert_eq!(format!("{:?}", a.object), format!("{:?}", b.object));
        assert_eq!(a.value_bytes(), b.value_bytes());
        let contents = a.object.as_dict().and_then(|d| d.get(b"Contents")).cloned().expect("/Contents");
        (format!("{contents:?}"), a.value_bytes().to_vec())
    };
    let (s, l) = (read("small.pdf", &small), read("large.pdf", &large));
    assert_eq!(s, l);
    assert_eq!(s.1, long.as_bytes());
}

/// The verifier hashes the bytes it parsed: a file renamed over the path after the PDF
/// was opened (a swap between parsing and hashing) changes nothing, for a file held in
/// memory and for one read through its handle alike.
#[test]
fn byte_ranges_are_hashed_from_the_file_that_was_parsed() {
    use kyso::verify::cms_check::hash_ranges;
    use kyso::verify::crypto::DigestAlg;
    let dir = tempfile::tempdir().expect("tempdir");
    let pad = |n: usize| format!("<< /Length {n} >>\nstream\n{}\nendstream", "%".repeat(n));
    for (name, n) in [("small.pdf", 10), ("large.pdf", 1 << 21)] {
        let original = classic_pdf(&["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [] /Count 0 >>", &pad(n)], "");
        let path = write(dir.path(), name, &original);
        let pdf = PdfFile::open(&path).expect("open");
        let mut other = original.clone();
        let at = other.windows(8).position(|w| w == b"stream\n%").expect("padding") + 7;
        other[at] = b'X';
        std::fs::rename(write(dir.path(), "swapped.pdf", &other), &path).expect("rename over");
        assert_ne!(std::fs::read(&path).expect("read"), original, "{name}: the path now holds another file");
        let whole = [(0, original.len() as u64)];
        let hashed = hash_ranges(&pdf, &whole, DigestAlg::Sha256).expect("hash");
        assert_eq!(hashed, DigestAlg::Sha256.digest(&original), "{name}");
        let past = hash_ranges(&pdf, &[(0, original.len() as u64 + 1)], DigestAlg::Sha256);
        assert_eq!(past.expect_err("past the end").kind(), std::io::ErrorKind::UnexpectedEof, "{name}");
    }
}
