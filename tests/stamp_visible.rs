//! Visible signatures measured the way a reader sees them (SPEC R1–R4, R8):
//! pages rendered with `pdftoppm`, new ink located by colour, text boxes from
//! `pdftotext -bbox-layout`, and the outside judges on every output.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

const DPI: u32 = 100;

struct Ink {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

impl Ink {
    fn w(&self) -> f64 {
        self.x1 - self.x0
    }
    fn cx(&self) -> f64 {
        (self.x0 + self.x1) / 2.0
    }
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn images(dir: &Path) -> (PathBuf, PathBuf) {
    let st = Command::new("python3").arg(repo().join("tests/fixtures/stamps/make-images.py")).arg(dir).status().expect("python3");
    assert!(st.success());
    (dir.join("signature.png"), dir.join("seal.png"))
}

fn render(pdf: &Path, page: usize, out_prefix: &Path, dpi: u32) -> PathBuf {
    let st = Command::new("pdftoppm")
        .args(["-r", &dpi.to_string(), "-f", &page.to_string(), "-l", &page.to_string(), "-png", "-singlefile"])
        .arg(pdf)
        .arg(out_prefix)
        .status()
        .expect("pdftoppm");
    assert!(st.success());
    out_prefix.with_extension("png")
}

/// New ink on `page` of `after` compared with `before`: (blue, red, dark) boxes in mm.
fn new_ink(before: &Path, after: &Path, page: usize, dir: &Path) -> (Option<Ink>, Option<Ink>, Option<Ink>, (f64, f64)) {
    let b = render(before, page, &dir.join(format!("before-{page}")), DPI);
    let a = render(after, page, &dir.join(format!("after-{page}")), DPI);
    let out = Command::new("python3")
        .arg(repo().join("tests/fixtures/stamps/measure.py"))
        .arg(&b)
        .arg(&a)
        .arg(DPI.to_string())
        .output()
        .expect("measure");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let get = |k: &str| {
        v[k].as_object().map(|o| Ink {
            x0: o["x0"].as_f64().unwrap_or(0.0),
            y0: o["y0"].as_f64().unwrap_or(0.0),
            x1: o["x1"].as_f64().unwrap_or(0.0),
            y1: o["y1"].as_f64().unwrap_or(0.0),
        })
    };
    let size = (v["width_mm"].as_f64().unwrap_or(0.0), v["height_mm"].as_f64().unwrap_or(0.0));
    (get("blue"), get("red"), get("dark"), size)
}

/// Word boxes (mm from top-left) on `page`, from pdftotext.
fn words(pdf: &Path, page: usize) -> Vec<(String, Ink)> {
    let out = Command::new("pdftotext")
        .args(["-bbox-layout", "-f", &page.to_string(), "-l", &page.to_string()])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext");
    let text = String::from_utf8_lossy(&out.stdout);
    let mm = 25.4 / 72.0;
    let attr = |l: &str, k: &str| -> f64 {
        l.split(&format!("{k}=\"")).nth(1).and_then(|r| r.split('"').next()).and_then(|n| n.parse().ok()).unwrap_or(0.0)
    };
    text.lines()
        .filter(|l| l.trim_start().starts_with("<word"))
        .map(|l| {
            let w = l.split('>').nth(1).and_then(|r| r.split('<').next()).unwrap_or("").to_owned();
            (w, Ink { x0: attr(l, "xMin") * mm, y0: attr(l, "yMin") * mm, x1: attr(l, "xMax") * mm, y1: attr(l, "yMax") * mm })
        })
        .collect()
}

/// The box of the line made of `names` (last occurrence of its first word).
fn line_box(ws: &[(String, Ink)], names: &[&str]) -> Ink {
    let idx = ws.iter().rposition(|(w, _)| w == names[0]).unwrap_or_else(|| panic!("no word {}", names[0]));
    let last = ws[idx..].iter().find(|(w, _)| w == names[names.len() - 1]).map(|(_, b)| b).expect("last word");
    Ink { x0: ws[idx].1.x0, y0: ws[idx].1.y0, x1: last.x1, y1: last.y1 }
}

fn sign_p12(tb: &Testbed, input: &Path, out: &Path, p12: &str, args: &[&str]) {
    let p12 = tb.pki(p12);
    let mut all = vec!["sign", input.to_str().expect("utf8"), "-o", out.to_str().expect("utf8"), "--pkcs12", p12.to_str().expect("utf8")];
    all.extend_from_slice(args);
    let o = kyso(tb, &all, &[("KYSO_P12_PASSWORD", "kyso-test")]);
    assert!(o.status.success(), "kyso sign {:?}: {}", args, String::from_utf8_lossy(&o.stderr));
}

#[test]
fn copy_and_annex_stamps_are_text_at_top_right_of_page_one() {
    let tb = testbed();
    let dir = tempfile::tempdir().expect("tmp");
    let input = tb.draft("draft-lo.pdf");
    for (role, extra) in [
        ("copy", vec!["--copy-form", "SAO Y", "--org-name", "Văn phòng UBND tỉnh Thử Nghiệm"]),
        ("annex", vec!["--doc-number", "123/QĐ-UBND"]),
    ] {
        let out = dir.path().join(format!("{role}.pdf"));
        let mut args = vec!["--role", role];
        args.extend(extra.iter().copied());
        // --doc-number with annex is text only (no blanks filled: not a seal).
        sign_p12(&tb, &input, &out, "agency-rsa2048.p12", &args);
        validate(&tb, &out, Some(&input), Some(1));
        let (blue, red, dark, (pw, ph)) = new_ink(&input, &out, 1, dir.path());
        assert!(blue.is_none() && red.is_none(), "{role}: no image may be drawn");
        let dark = dark.expect("new black text");
        assert!(dark.x0 > pw / 2.0 && dark.y1 < ph / 2.0, "{role}: text outside the top-right quarter");
        // The flattened stamp's words: the time in Vietnam time, the text 10 pt.
        let flat = dir.path().join(format!("{role}-flat.pdf"));
        let st = Command::new("qpdf").args(["--flatten-annotations=all"]).arg(&out).arg(&flat).status().expect("qpdf");
        assert!(st.success() || st.code() == Some(3));
        let ws = words(&flat, 1);
        let time = ws.iter().find(|(w, _)| w.ends_with("+07:00")).expect("signing time with +07:00");
        assert!(time.1.x0 > pw / 2.0);
        // Tinos at 10 pt: the word box is ascender+descender (0.891+0.216) × 10 pt ≈ 3.9 mm.
        let h = time.1.y1 - time.1.y0;
        assert!((h - 11.07 * 25.4 / 72.0).abs() < 0.3, "{role}: text height {h} mm is not 10 pt");
    }
}

#[test]
fn seal_at_real_size_over_the_left_third_of_the_signature() {
    let tb = testbed();
    let dir = tempfile::tempdir().expect("tmp");
    let (sig, seal) = images(dir.path());
    let input = tb.draft("draft-director.pdf");
    let leader = dir.path().join("leader.pdf");
    sign_p12(&tb, &input, &leader, "personal-rsa3072.p12", &["--image", sig.to_str().expect("utf8"), "--signer-name", "Trần Thị Bình"]);
    let sealed = dir.path().join("sealed.pdf");
    let root = tb.pki("root.pem");
    sign_p12(
        &tb,
        &leader,
        &sealed,
        "agency-rsa2048.p12",
        &["--role", "seal", "--image", seal.to_str().expect("utf8"), "--trust", root.to_str().expect("utf8"), "--offline"],
    );
    validate(&tb, &sealed, Some(&leader), Some(2));
    let (blue, _, _, _) = new_ink(&input, &leader, 1, dir.path());
    let blue = blue.expect("blue signature");
    let (_, red, _, _) = new_ink(&leader, &sealed, 1, dir.path());
    let red = red.expect("red seal");
    assert!((red.w() - 36.0).abs() <= 0.5, "seal width {} mm", red.w());
    let covered = (red.x1.min(blue.x1) - red.x0.max(blue.x0)).max(0.0) / blue.w();
    assert!((0.25..=0.40).contains(&covered), "seal covers {covered:.2} of the signature");
    assert!(red.cx() < blue.cx(), "seal must be on the signature's left side");
}

#[test]
fn personal_signature_between_title_and_name() {
    let tb = testbed();
    let dir = tempfile::tempdir().expect("tmp");
    let (sig, _) = images(dir.path());
    for (draft, name, page) in [
        ("draft-lo.pdf", "Nguyễn Văn An", 2),
        ("draft-objstm.pdf", "Nguyễn Văn An", 2),
        ("draft-director.pdf", "Trần Thị Bình", 1),
        ("draft-two-signers.pdf", "Trần Thị Bình", 1),
        ("draft-two-signers.pdf", "Lê Hoàng Cường", 1),
    ] {
        let input = tb.draft(draft);
        let out = dir.path().join(format!("{}-{}.pdf", draft, name.len()));
        // One certificate finds every block by the name given: placement, not the
        // name check (tests/token_lifecycle.rs), is tested here.
        sign_p12(
            &tb,
            &input,
            &out,
            "personal-rsa2048.p12",
            &["--image", sig.to_str().expect("utf8"), "--signer-name", name, "--allow-name-mismatch"],
        );
        validate(&tb, &out, Some(&input), Some(1));
        let (blue, _, _, _) = new_ink(&input, &out, page, dir.path());
        let blue = blue.unwrap_or_else(|| panic!("{draft}: no blue signature on page {page}"));
        let ws = words(&input, page);
        let parts: Vec<&str> = name.split(' ').collect();
        let name_box = line_box(&ws, &parts);
        assert!((blue.cx() - (name_box.x0 + name_box.x1) / 2.0).abs() <= 2.0, "{draft} {name}: not centred on the name");
        assert!(blue.y1 <= name_box.y0 + 1.0, "{draft} {name}: overlaps the name");
        // The title line just above: the nearest word line above the blank.
        let title_bottom = ws
            .iter()
            .filter(|(_, b)| b.y1 <= blue.y0 + 1.0 && b.x1 > name_box.x0 - 10.0 && b.x0 < name_box.x1 + 10.0)
            .map(|(_, b)| b.y1)
            .fold(0.0, f64::max);
        assert!(title_bottom > 0.0 && blue.y0 >= title_bottom - 1.0, "{draft} {name}: overlaps the title");
    }
}

#[test]
fn leader_signs_then_clerk_numbers_dates_and_seals_in_one_step() {
    let tb = testbed();
    let dir = tempfile::tempdir().expect("tmp");
    let (sig, seal) = images(dir.path());
    let input = tb.draft("draft-lo.pdf");
    let leader = dir.path().join("leader.pdf");
    sign_p12(&tb, &input, &leader, "personal-rsa2048.p12", &["--image", sig.to_str().expect("utf8")]);
    let issued = dir.path().join("issued.pdf");
    let root = tb.pki("root.pem");
    let o = kyso(
        &tb,
        &[
            "sign",
            leader.to_str().expect("utf8"),
            "-o",
            issued.to_str().expect("utf8"),
            "--pkcs12",
            tb.pki("agency-rsa2048.p12").to_str().expect("utf8"),
            "--role",
            "seal",
            "--image",
            seal.to_str().expect("utf8"),
            "--doc-number",
            "123/QĐ-UBND",
            "--doc-date",
            "2026-11-22",
            "--trust",
            root.to_str().expect("utf8"),
            "--offline",
            "--json",
        ],
        &[("KYSO_P12_PASSWORD", "kyso-test")],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["stamp"]["filled"].as_array().map(Vec::len), Some(3), "number, day and month: {v}");
    // Both signatures valid, exactly two signatures (no empty fields), difference
    // analysis allows the clerk's update.
    validate(&tb, &issued, Some(&leader), Some(2));
    // New ink in the blank after "Số:" and after "ngày" and "tháng" on page 1.
    let (_, _, dark, _) = new_ink(&leader, &issued, 1, dir.path());
    assert!(dark.is_some());
    let ws = words(&leader, 1);
    let so = ws.iter().find(|(w, _)| w == "Số:").expect("Số:").1.x1;
    let sym = ws.iter().find(|(w, _)| w.starts_with("/QĐ")).expect("/QĐ").1.x0;
    let flat = dir.path().join("issued-flat.pdf");
    let _ = Command::new("qpdf").args(["--flatten-annotations=all"]).arg(&issued).arg(&flat).status();
    let fw = words(&flat, 1);
    let num = fw.iter().find(|(w, _)| w == "123").expect("number written");
    assert!(num.1.x0 >= so - 0.5 && num.1.x1 <= sym + 0.5, "number outside the blank");
    let ngay = ws.iter().find(|(w, _)| w == "ngày").expect("ngày").1.x1;
    let thang = ws.iter().find(|(w, _)| w == "tháng").expect("tháng").1.clone_box();
    let ngay_line = ws.iter().find(|(w, _)| w == "ngày").expect("ngày").1.clone_box();
    assert!((ngay_line.y0 - thang.y0).abs() < 2.0, "date line words on one line");
    let nam = ws.iter().find(|(w, b)| w == "năm" && (b.y0 - thang.y0).abs() < 2.0).expect("năm").1.x0;
    let same_line = |b: &Ink| (b.y0 - thang.y0).abs() < 2.0;
    let day = fw.iter().find(|(w, b)| w == "22" && b.x0 > ngay - 0.5 && same_line(b)).expect("day written").1.clone_box();
    assert!(day.x1 <= thang.x0 + 0.5, "day outside its blank");
    let month = fw.iter().find(|(w, b)| w == "11" && b.x0 >= thang.x1 - 0.5 && same_line(b)).expect("month written");
    assert!(month.1.x1 <= nam + 0.5, "month outside its blank");
}

trait CloneBox {
    fn clone_box(&self) -> Ink;
}

impl CloneBox for Ink {
    fn clone_box(&self) -> Ink {
        Ink { x0: self.x0, y0: self.y0, x1: self.x1, y1: self.y1 }
    }
}

/// R10: a scanned paper document (no text layer) sealed by the agency alone: the
/// seal lands at the template's place on the last page, at real size.
#[test]
fn scanned_document_sealed_at_the_template_place() {
    let tb = testbed();
    let dir = tempfile::tempdir().expect("tmp");
    let (_, seal) = images(dir.path());
    let input = tb.draft("draft-scanned.pdf");
    let out = dir.path().join("scan-sealed.pdf");
    let o = kyso(
        &tb,
        &[
            "sign",
            input.to_str().expect("utf8"),
            "-o",
            out.to_str().expect("utf8"),
            "--pkcs12",
            tb.pki("agency-rsa2048.p12").to_str().expect("utf8"),
            "--role",
            "seal",
            "--scanned",
            "--image",
            seal.to_str().expect("utf8"),
            "--offline",
            "--json",
        ],
        &[("KYSO_P12_PASSWORD", "kyso-test")],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["stamp"]["template"], "scanned");
    let (_, red, _, (pw, ph)) = new_ink(&input, &out, 1, dir.path());
    let red = red.expect("red seal");
    assert!((red.w() - 36.0).abs() <= 0.5, "seal width {} mm", red.w());
    assert!(red.x0 > pw / 2.0 && red.y0 > ph / 2.0, "seal not at the bottom right");
}
