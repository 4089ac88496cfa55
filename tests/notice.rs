//! The rejection notice (SPEC R11) for a document the real verifier rejects: a PDF
//! signed with the demo identity, then tampered with inside the signed range.
//! The PDF notice is judged by outside tools: `qpdf --check` (structure),
//! `pdffonts` (the font is embedded as a subset) and `pdftotext` (the Vietnamese
//! text comes back exactly).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use kyso::sign::{sign_file, SignRequest};
use kyso::verify::engine::{verify_file, DocumentReport, VerifyOptions};
use kyso::verify::notice::{write_notice, NoticeFiles, TITLE_EN, TITLE_VI};
use kyso::verify::verdict::Indication;
use kyso::Lang;

/// Assemble a classic-xref PDF from object bodies (object i+1 = bodies[i]).
fn classic_pdf(bodies: &[&str]) -> Vec<u8> {
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
    write!(out, "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{}\n%%EOF\n", bodies.len() + 1, xref).expect("write");
    out
}

fn sample() -> Vec<u8> {
    let content = "BT /F1 12 Tf 72 720 Td (Hello) Tj ET";
    classic_pdf(&[
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        &format!("<< /Length {} >>\nstream\n{}\nendstream", content.len(), content),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman >>",
    ])
}

const FILE_NAME: &str = "quyết-định-12.pdf";

/// Sign the sample with the demo identity into `dir/FILE_NAME`, optionally
/// flipping a byte of the signed page content afterwards.
fn signed_sample(dir: &Path, tamper: bool) -> PathBuf {
    let signer = kyso::demo::demo_identity(&dir.join("id")).expect("demo identity");
    let input = dir.join("draft.pdf");
    std::fs::write(&input, sample()).expect("write draft");
    let out = dir.join(FILE_NAME);
    sign_file(SignRequest::new(&input, &out), &signer).expect("sign");
    if tamper {
        let mut bytes = std::fs::read(&out).expect("read");
        let at = bytes.windows(5).position(|w| w == b"Hello").expect("Hello");
        bytes[at] = b'J';
        std::fs::write(&out, bytes).expect("write tampered");
    }
    out
}

fn verify(path: &Path) -> DocumentReport {
    let (mut opts, _) = VerifyOptions::new(&[]);
    opts.offline = true;
    opts.file_digest = true;
    verify_file(path, &opts)
}

fn run(cmd: &str, args: &[&str], file: &Path) -> (bool, String) {
    let out = Command::new(cmd)
        .args(args)
        .arg(file)
        .args(if cmd == "pdftotext" { &["-"][..] } else { &[][..] })
        .output()
        .unwrap_or_else(|e| panic!("{cmd} is required (poppler-utils, qpdf): {e}"));
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

/// `qpdf --check`, `pdffonts` and `pdftotext` on a notice; returns the text.
fn judge_pdf(pdf: &Path) -> String {
    let (ok, qpdf) = run("qpdf", &["--check"], pdf);
    assert!(ok && qpdf.contains("No syntax or stream encoding errors"), "qpdf --check failed:\n{qpdf}");

    let (ok, fonts) = run("pdffonts", &[], pdf);
    assert!(ok, "{fonts}");
    let rows: Vec<&str> = fonts.lines().skip(2).filter(|l| !l.trim().is_empty()).collect();
    assert!(!rows.is_empty(), "no fonts:\n{fonts}");
    for row in &rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        // name, type (2 words), encoding, emb, sub, uni, object, generation
        assert!(cols.len() >= 8, "{row}");
        let name = cols[0];
        assert!(name.contains("+Tinos") && name.find('+') == Some(6), "not a subset name: {row}");
        assert_eq!(&cols[1..4], &["CID", "TrueType", "Identity-H"], "{row}");
        assert_eq!(&cols[4..7], &["yes", "yes", "yes"], "emb/sub/uni: {row}");
    }

    let (ok, text) = run("pdftotext", &["-enc", "UTF-8"], pdf);
    assert!(ok, "{text}");
    text
}

#[test]
fn notice_for_a_tampered_document() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = signed_sample(dir.path(), true);
    let report = verify(&file);
    assert_eq!(report.indication, Indication::TotalFailed, "{}", report.message_en);
    let sha = report.sha256.clone().expect("file_digest asked");
    assert_eq!(sha.len(), 64);

    let notices = dir.path().join("thong-bao");
    let first = write_notice(&report, &notices, Lang::Vi).expect("notice");
    assert_eq!(
        first,
        NoticeFiles {
            txt: notices.join("quyết-định-12.thong-bao-tu-choi.txt"), pdf: notices.join("quyết-định-12.thong-bao-tu-choi.pdf")
        }
    );

    let txt = std::fs::read_to_string(&first.txt).expect("txt");
    assert!(txt.starts_with(TITLE_VI), "{txt}");
    for needle in [FILE_NAME, sha.as_str(), "Không hợp lệ", "SHA-256", &report.checked_at, "Chữ ký số thứ 1", "Đề nghị"] {
        assert!(txt.contains(needle), "txt lacks {needle:?}:\n{txt}");
    }
    // The signer and the reason of the signature are listed.
    let sig = &report.signatures[0];
    assert!(txt.contains(sig.signer.subject.as_deref().expect("subject")), "{txt}");
    assert!(txt.contains("mã băm không khớp"), "{txt}");
    assert!(txt.contains("+07:00"), "times are Vietnam time: {txt}");

    let text = judge_pdf(&first.pdf);
    for needle in [TITLE_VI, FILE_NAME, sha.as_str(), "Không hợp lệ", "Đề nghị cơ quan"] {
        assert!(text.contains(needle), "pdftotext lacks {needle:?}:\n{text}");
    }
    let size = std::fs::metadata(&first.pdf).expect("pdf").len();
    assert!(size < 60_000, "notice is {size} bytes");

    // A second notice never replaces the first.
    let txt_before = std::fs::read(&first.txt).expect("txt");
    let second = write_notice(&report, &notices, Lang::Vi).expect("notice 2");
    assert_eq!(second.txt, notices.join("quyết-định-12.thong-bao-tu-choi-2.txt"));
    assert_eq!(second.pdf, notices.join("quyết-định-12.thong-bao-tu-choi-2.pdf"));
    assert_eq!(std::fs::read(&first.txt).expect("txt"), txt_before);
    // Nor does a stray file with the next name: both files move on together.
    std::fs::write(notices.join("quyết-định-12.thong-bao-tu-choi-3.pdf"), b"not mine").expect("write");
    let third = write_notice(&report, &notices, Lang::Vi).expect("notice 3");
    assert_eq!(third.txt, notices.join("quyết-định-12.thong-bao-tu-choi-4.txt"));
    assert_eq!(std::fs::read(notices.join("quyết-định-12.thong-bao-tu-choi-3.pdf")).expect("stray"), b"not mine");
    assert!(!notices.join("quyết-định-12.thong-bao-tu-choi-3.txt").exists());
    // No temporary files are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&notices)
        .expect("dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    if let Ok(keep) = std::env::var("KYSO_KEEP_NOTICE") {
        std::fs::copy(&first.pdf, keep).expect("keep");
    }
}

#[test]
fn notice_in_english_and_without_a_digest() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = signed_sample(dir.path(), true);
    let mut report = verify(&file);
    let sha = report.sha256.take().expect("digest");
    // Without the verifier's digest the notice hashes the file itself.
    let n = write_notice(&report, dir.path(), Lang::En).expect("notice");
    let txt = std::fs::read_to_string(&n.txt).expect("txt");
    assert!(txt.starts_with(TITLE_EN), "{txt}");
    assert!(txt.contains(&sha) && txt.contains("Invalid") && !txt.contains("Không hợp lệ"), "{txt}");
    let text = judge_pdf(&n.pdf);
    assert!(text.contains(TITLE_EN) && text.contains(&sha), "{text}");
}

#[test]
fn notice_for_an_untrusted_signature_says_indeterminate() {
    // The demo root is not a trust anchor: intact, but the path cannot be built.
    let dir = tempfile::tempdir().expect("tmp");
    let file = signed_sample(dir.path(), false);
    let report = verify(&file);
    assert_eq!(report.indication, Indication::Indeterminate, "{}", report.message_en);
    let n = write_notice(&report, &dir.path().join("out"), Lang::Vi).expect("notice");
    let txt = std::fs::read_to_string(&n.txt).expect("txt");
    assert!(txt.contains("Chưa xác định"), "{txt}");
    let text = judge_pdf(&n.pdf);
    assert!(text.contains("Chưa xác định"), "{text}");

    // A valid document is registered, not refused.
    let mut valid = report.clone();
    valid.indication = Indication::TotalPassed;
    let err = write_notice(&valid, &dir.path().join("out"), Lang::Vi).expect_err("valid");
    assert_eq!(err.kind(), "usage");
}

#[test]
fn hostile_names_cannot_forge_lines() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = signed_sample(dir.path(), true);
    let mut report = verify(&file);
    report.signatures[0].signer.subject = Some("CN=Kẻ giả mạo\nKết luận: Hợp lệ, CN=张三".into());
    let n = write_notice(&report, dir.path(), Lang::Vi).expect("notice");
    let txt = std::fs::read_to_string(&n.txt).expect("txt");
    assert!(txt.contains("CN=Kẻ giả mạo[U+000A]Kết luận: Hợp lệ, CN=张三"), "{txt}");
    let text = judge_pdf(&n.pdf);
    assert!(text.contains("[U+5F20][U+4E09]"), "CJK shown as code points: {text}");
}
