//! Text geometry and anchors (src/stamp/text.rs, src/stamp/anchors.rs) on the
//! test bed's drafts, checked against `pdftotext -bbox-layout` (poppler).

mod common;
use common::*;

use std::path::Path;
use std::process::Command;

use kyso::stamp::anchors::{find_date_blanks, find_number_blank, find_signature_block, find_signature_blocks, SignatureBlock};
use kyso::stamp::text::{TextDoc, TextLine};

/// A pdftotext word in PDF user space (origin bottom-left).
#[derive(Debug, Clone)]
struct PWord {
    text: String,
    x0: f32,
    y0: f32,
    x1: f32,
    y1: f32,
}

fn attr(tag: &str, name: &str) -> f32 {
    let key = format!("{name}=\"");
    let start = tag.find(&key).unwrap_or_else(|| panic!("no {name} in {tag}")) + key.len();
    let end = tag[start..].find('"').unwrap() + start;
    tag[start..end].parse().unwrap()
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
}

/// pdftotext's words on page `page` (0-based).
fn poppler_words(pdf: &Path, page: usize) -> Vec<PWord> {
    let n = (page + 1).to_string();
    let out = Command::new("pdftotext").args(["-bbox-layout", "-f", &n, "-l", &n]).arg(pdf).arg("-").output().expect("run pdftotext");
    assert!(out.status.success());
    let xml = String::from_utf8(out.stdout).unwrap();
    let ptag = &xml[xml.find("<page ").unwrap()..];
    let height = attr(&ptag[..ptag.find('>').unwrap()], "height");
    let mut words = Vec::new();
    let mut rest = xml.as_str();
    while let Some(i) = rest.find("<word ") {
        rest = &rest[i..];
        let close = rest.find('>').unwrap();
        let tag = &rest[..close];
        let end = rest.find("</word>").unwrap();
        let text = unescape(&rest[close + 1..end]);
        words.push(PWord {
            text,
            x0: attr(tag, "xMin"),
            x1: attr(tag, "xMax"),
            y0: height - attr(tag, "yMax"),
            y1: height - attr(tag, "yMin"),
        });
        rest = &rest[end..];
    }
    words
}

/// Every word of `line` has a pdftotext word with the same text whose box
/// matches within 1 pt, and the line box is the union of those boxes.
fn assert_matches_poppler(line: &TextLine, pw: &[PWord]) {
    let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
    let mut worst = 0f32;
    for w in &line.words {
        let p = pw
            .iter()
            .filter(|p| p.text == w.text)
            .min_by(|a, b| {
                (a.x0 - w.x0).abs().total_cmp(&(b.x0 - w.x0).abs()).then((a.y0 - line.y0).abs().total_cmp(&(b.y0 - line.y0).abs()))
            })
            .unwrap_or_else(|| panic!("pdftotext has no word {:?} (line {:?})", w.text, line.text));
        for (mine, theirs, what) in [(w.x0, p.x0, "x0"), (w.x1, p.x1, "x1"), (line.y0, p.y0, "y0"), (line.y1, p.y1, "y1")] {
            assert!((mine - theirs).abs() <= 1.0, "{what} of {:?}: ours {mine}, pdftotext {theirs}", w.text);
            worst = worst.max((mine - theirs).abs());
        }
        x0 = x0.min(p.x0);
        y0 = y0.min(p.y0);
        x1 = x1.max(p.x1);
        y1 = y1.max(p.y1);
    }
    eprintln!("{:?}: worst difference from pdftotext {worst:.3} pt", line.text);
    for (mine, theirs) in [(line.x0, x0), (line.y0, y0), (line.x1, x1), (line.y1, y1)] {
        assert!((mine - theirs).abs() <= 1.0, "line {:?}: box {:?} vs pdftotext {:?}", line.text, line.rect(), (x0, y0, x1, y1));
    }
}

fn last_page(pdf: &Path) -> (TextDoc, usize, Vec<TextLine>) {
    let doc = TextDoc::open(pdf).unwrap();
    let last = doc.page_count() - 1;
    let lines = doc.page_lines(last).unwrap();
    (doc, last, lines)
}

fn check_block(pdf: &Path, page: usize, b: &SignatureBlock, name: &str, titles: &[&str]) {
    assert_eq!(b.name.text, name);
    let got: Vec<&str> = b.titles.iter().map(|t| t.text.as_str()).collect();
    assert_eq!(got, titles, "titles of {name}");
    let pw = poppler_words(pdf, page);
    assert_matches_poppler(&b.name, &pw);
    for t in &b.titles {
        assert_matches_poppler(t, &pw);
    }
    // The blank lies between the lowest title and the name, over their column.
    let lowest = b.titles.last().unwrap();
    assert!((b.blank.y0 - b.name.y1).abs() < 0.01 && (b.blank.y1 - lowest.y0).abs() < 0.01);
    assert!(b.blank.height() > 30.0, "blank too small: {:?}", b.blank);
    assert!(b.blank.x0 <= b.name.x0 && b.blank.x1 >= b.name.x1);
}

#[test]
fn lo_signature_block_matches_pdftotext() {
    let tb = testbed();
    let pdf = tb.draft("draft-lo.pdf");
    let (doc, last, lines) = last_page(&pdf);
    assert_eq!(doc.page_count(), 2);
    let info = doc.page_info(last).unwrap();
    assert!((info.media_box.width() - 595.3).abs() < 1.0 && (info.media_box.height() - 841.9).abs() < 1.0, "{info:?}");
    assert_eq!(info.rotation, 0);
    let titles = ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"];
    let b = find_signature_block(&lines, Some("Nguyễn Văn An"), None).expect("block by name");
    check_block(&pdf, last, &b, "Nguyễn Văn An", &titles);
    // The name folded (no diacritics, other case, extra spaces) finds the same block.
    let b2 = find_signature_block(&lines, Some("nguyen  van AN"), None).unwrap();
    assert_eq!(b2, b);
    // Without a name: the known title words find it, and the name below the blank.
    let b3 = find_signature_block(&lines, None, None).expect("block by title words");
    assert_eq!(b3, b);
    let b4 = find_signature_block(&lines, None, Some("phó chủ tịch")).expect("block by title");
    assert_eq!(b4, b);
    // The blank is about 30 mm.
    assert!(b.blank.height_mm() > 20.0 && b.blank.height_mm() < 50.0, "{}", b.blank.height_mm());
    // Someone else's name: no block.
    assert!(find_signature_block(&lines, Some("Phạm Thị Không"), None).is_none());
}

#[test]
fn director_block() {
    let tb = testbed();
    let pdf = tb.draft("draft-director.pdf");
    let (doc, last, lines) = last_page(&pdf);
    assert_eq!(doc.page_count(), 1);
    let b = find_signature_block(&lines, Some("Trần Thị Bình"), None).expect("block");
    check_block(&pdf, last, &b, "Trần Thị Bình", &["GIÁM ĐỐC"]);
    let b2 = find_signature_block(&lines, None, Some("GIÁM ĐỐC")).expect("block by title");
    assert_eq!(b2, b);
    assert_eq!(find_signature_block(&lines, None, None).as_ref(), Some(&b));
}

#[test]
fn two_signers_side_by_side() {
    let tb = testbed();
    let pdf = tb.draft("draft-two-signers.pdf");
    let (_, last, lines) = last_page(&pdf);
    let a = find_signature_block(&lines, Some("Lê Hoàng Cường"), None).expect("block A");
    let b = find_signature_block(&lines, Some("Trần Thị Bình"), None).expect("block B");
    check_block(&pdf, last, &a, "Lê Hoàng Cường", &["ĐẠI DIỆN BÊN A", "GIÁM ĐỐC"]);
    check_block(&pdf, last, &b, "Trần Thị Bình", &["ĐẠI DIỆN BÊN B", "GIÁM ĐỐC"]);
    assert!(a.blank.x1 < b.blank.x0, "blocks overlap: {:?} {:?}", a.blank, b.blank);
    assert_eq!(find_signature_blocks(&lines, "Trần Thị Bình").len(), 1);
}

fn header(pdf: &Path) -> Vec<TextLine> {
    TextDoc::open(pdf).unwrap().page_lines(0).unwrap()
}

fn word<'a>(lines: &'a [TextLine], text: &str) -> &'a kyso::stamp::text::Word {
    lines.iter().flat_map(|l| l.words.iter()).find(|w| w.text == text).unwrap_or_else(|| panic!("no word {text}"))
}

#[test]
fn number_and_date_blanks() {
    let tb = testbed();
    let pdf = tb.draft("draft-lo.pdf");
    let lines = header(&pdf);
    let pw = poppler_words(&pdf, 0);
    let so = pw.iter().find(|w| w.text == "Số:").unwrap();
    let sym = pw.iter().find(|w| w.text == "/QĐ-UBND").unwrap();
    let n = find_number_blank(&lines).expect("number blank");
    assert!((n.x0 - so.x1).abs() <= 1.0 && (n.x1 - sym.x0).abs() <= 1.0, "{n:?} vs {so:?} {sym:?}");
    assert!(n.x1 - n.x0 > 10.0);
    assert!(n.symbol_printed);
    assert_eq!(n.symbol, "/QĐ-UBND");
    assert!(so.y0 < n.baseline && n.baseline < so.y1);
    assert!(n.font_size > 10.0 && n.font_size < 16.0);

    let d = find_date_blanks(&lines).expect("date blanks");
    let (ngay, thang, nam) = (word(&lines, "ngày"), word(&lines, "tháng"), word(&lines, "năm"));
    let day = d.day.expect("day blank");
    let month = d.month.expect("month blank");
    assert!((day.x0 - ngay.x1).abs() < 0.01 && (day.x1 - thang.x0).abs() < 0.01);
    assert!((month.x0 - thang.x1).abs() < 0.01 && (month.x1 - nam.x0).abs() < 0.01);
    assert!(day.width() > 10.0 && month.width() > 10.0);
    assert!(d.year.is_none(), "the year 2026 is printed");
    // And against pdftotext.
    let pngay = pw.iter().find(|w| w.text == "ngày").unwrap();
    let pthang = pw.iter().find(|w| w.text == "tháng").unwrap();
    assert!((day.x0 - pngay.x1).abs() <= 1.0 && (day.x1 - pthang.x0).abs() <= 1.0);
    assert!(pngay.y0 < d.baseline && d.baseline < pngay.y1);
}

#[test]
fn objstm_gives_the_same_as_lo() {
    let tb = testbed();
    let a = TextDoc::open(&tb.draft("draft-lo.pdf")).unwrap();
    let b = TextDoc::open(&tb.draft("draft-objstm.pdf")).unwrap();
    assert_eq!(a.page_count(), b.page_count());
    for p in 0..a.page_count() {
        assert_eq!(a.page_lines(p).unwrap(), b.page_lines(p).unwrap(), "page {p}");
        assert_eq!(a.page_info(p).unwrap(), b.page_info(p).unwrap());
    }
    let last = b.page_count() - 1;
    let lb = b.page_lines(last).unwrap();
    let la = a.page_lines(last).unwrap();
    assert_eq!(find_signature_block(&lb, Some("Nguyễn Văn An"), None), find_signature_block(&la, Some("Nguyễn Văn An"), None));
    assert!(find_signature_block(&lb, Some("Nguyễn Văn An"), None).is_some());
    let hb = b.page_lines(0).unwrap();
    assert_eq!(find_number_blank(&hb), find_number_blank(&a.page_lines(0).unwrap()));
    assert_eq!(find_date_blanks(&hb), find_date_blanks(&a.page_lines(0).unwrap()));
}

#[test]
fn scanned_has_no_text_and_no_block() {
    let tb = testbed();
    let doc = TextDoc::open(&tb.draft("draft-scanned.pdf")).unwrap();
    for p in 0..doc.page_count() {
        let lines = doc.page_lines(p).unwrap();
        assert!(lines.is_empty(), "{lines:?}");
        assert!(find_signature_block(&lines, Some("Nguyễn Văn An"), None).is_none());
        assert!(find_signature_block(&lines, None, None).is_none());
        assert!(find_number_blank(&lines).is_none());
        assert!(find_date_blanks(&lines).is_none());
    }
}

#[test]
fn garbage_and_bad_pages_are_errors_not_panics() {
    assert!(kyso::stamp::text::page_lines(b"not a pdf at all", 0).is_err());
    assert!(kyso::stamp::text::page_lines(
        b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF",
        0
    )
    .is_err());
    let tb = testbed();
    let bytes = std::fs::read(tb.draft("draft-lo.pdf")).unwrap();
    // Truncated file.
    let _ = kyso::stamp::text::page_lines(&bytes[..bytes.len() / 2], 0);
    // Out-of-range page.
    let e = kyso::stamp::text::page_lines(&bytes, 99).unwrap_err();
    assert_eq!(e.kind(), "stamp_no_such_page");
    assert_eq!(kyso::stamp::text::page_count(&bytes).unwrap(), 2);
    // Wrapped into the crate error.
    let e: kyso::Error = e.into();
    assert_eq!(e.kind(), "stamp_no_such_page");
    // Corrupt content bytes: flip bytes in the middle of the file.
    let mut bad = bytes.clone();
    let mid = bad.len() / 3;
    for b in &mut bad[mid..mid + 2000] {
        *b = b.wrapping_mul(31).wrapping_add(7);
    }
    if let Ok(doc) = TextDoc::from_bytes(&bad) {
        for p in 0..doc.page_count() {
            let _ = doc.page_lines(p);
        }
    }
}

#[test]
fn too_large_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("big.pdf");
    let f = std::fs::File::create(&p).unwrap();
    f.set_len(kyso::stamp::text::MAX_TEXT_SEARCH_BYTES + 1).unwrap();
    let e = TextDoc::open(&p).unwrap_err();
    assert_eq!(e.kind(), "stamp_file_too_large");
}

#[test]
fn every_draft_reads_without_error() {
    let tb = testbed();
    for name in ["draft-hybrid.pdf", "draft-pdf14.pdf", "draft-pdf20.pdf", "draft-presigned.pdf", "big-300p.pdf"] {
        let path = tb.draft(name);
        if !path.exists() {
            continue;
        }
        let t = std::time::Instant::now();
        let doc = TextDoc::open(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let first = doc.page_lines(0).unwrap_or_else(|e| panic!("{name}: {e}"));
        let last = doc.page_lines(doc.page_count() - 1).unwrap_or_else(|e| panic!("{name}: {e}"));
        eprintln!("{name}: {} pages, {} + {} lines, {:?}", doc.page_count(), first.len(), last.len(), t.elapsed());
        // big-300p.pdf has no text; the drafts all do.
        assert!(!name.starts_with("draft-") || !first.is_empty(), "{name}: no text on page 1");
    }
}
