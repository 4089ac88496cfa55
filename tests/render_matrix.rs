//! The render matrix (issue 15): every stamp kind — personal image, seal, the clerk's
//! number and date, copy text, annex text, the Party-organ layouts, the scanned-document
//! seal — signed by `kyso sign` on at least three drafts, then drawn by the four engines
//! readers meet (poppler, PDFium, MuPDF, pdf.js: `tests/fixtures/render/matrix.py`).
//! Each engine must show new ink of the stamp's colour inside the box `--json` reports,
//! and the text stamps must come back, Vietnamese letters intact, from each engine's
//! text extraction. Every signed file also goes to the outside judges. A missing engine
//! fails the test.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use serde_json::{json, Value};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A signed file, the input it was made from, and what `kyso sign --json` said.
struct Signed {
    input: PathBuf,
    output: PathBuf,
    report: Value,
    signatures: usize,
}

fn sign(tb: &Testbed, input: &Path, out: &Path, p12: &str, args: &[&str], signatures: usize) -> Signed {
    let p12 = tb.pki(p12);
    let mut all =
        vec!["sign", input.to_str().expect("utf8"), "-o", out.to_str().expect("utf8"), "--pkcs12", p12.to_str().expect("utf8"), "--json"];
    all.extend_from_slice(args);
    let o = kyso(tb, &all, &[("KYSO_P12_PASSWORD", "kyso-test")]);
    assert!(o.status.success(), "kyso sign {args:?} on {}: {}", input.display(), String::from_utf8_lossy(&o.stderr));
    let report: Value = serde_json::from_slice(&o.stdout).expect("sign --json");
    Signed { input: input.to_owned(), output: out.to_owned(), report, signatures }
}

/// One stamp to look for: in the stamp's own box (`stamp.boxMm` on `stamp.page`).
fn stamp(s: &Signed, what: &str, ink: &str, text: &[String]) -> Value {
    let st = &s.report["stamp"];
    let b = st["boxMm"].as_array().unwrap_or_else(|| panic!("{what}: no stamp box in {}", s.report));
    json!({"what": what, "page": st["page"], "box_mm": b, "ink": ink, "text": text})
}

/// The clerk's number and date: one check per filled blank on page 1.
fn fills(s: &Signed, number: &str) -> Vec<Value> {
    let filled = s.report["stamp"]["filled"].as_array().cloned().unwrap_or_default();
    assert!(!filled.is_empty(), "no number/date filled in {}", s.output.display());
    filled
        .iter()
        .map(|f| {
            let t = f[0].as_str().unwrap_or_default().to_owned();
            let text: Vec<String> = if t == number { vec![t.clone()] } else { Vec::new() };
            json!({"what": format!("number/date '{t}'"), "page": 1, "box_mm": f[1], "ink": "dark", "text": text})
        })
        .collect()
}

fn case(id: String, s: &Signed, checks: Vec<Value>) -> Value {
    json!({"id": id, "before": s.input, "after": s.output, "checks": checks})
}

#[test]
fn every_engine_draws_every_stamp_kind() {
    let tb = testbed();
    let started = std::time::Instant::now();
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    let st = Command::new("python3").arg(repo().join("tests/fixtures/stamps/make-images.py")).arg(d).status().expect("python3");
    assert!(st.success());
    let (sig, seal) = (d.join("signature.png"), d.join("seal.png"));
    let (sig, seal) = (sig.to_str().expect("utf8"), seal.to_str().expect("utf8"));
    let root = tb.pki("root.pem");
    let root = root.to_str().expect("utf8");
    let org = "Văn phòng UBND tỉnh Thử Nghiệm";
    let number = "9123";
    let doc_number = format!("{number}/QĐ-UBND");
    let time = |s: &Signed| s.report["signingTime"].as_str().expect("signingTime").to_owned();

    let mut signed: Vec<Signed> = Vec::new();
    let mut cases = Vec::new();
    // Leader, then clerk: personal image; seal over it with the number and date.
    for (draft, p12, name) in [
        ("draft-lo.pdf", "personal-rsa2048.p12", "Nguyễn Văn An"),
        ("draft-director.pdf", "personal-rsa3072.p12", "Trần Thị Bình"),
        ("draft-two-signers.pdf", "personal-rsa3072.p12", "Trần Thị Bình"),
        ("draft-objstm.pdf", "personal-rsa2048.p12", "Nguyễn Văn An"),
    ] {
        let leader = sign(&tb, &tb.draft(draft), &d.join(format!("{draft}.leader.pdf")), p12, &["--image", sig, "--signer-name", name], 1);
        cases.push(case(format!("personal {draft}"), &leader, vec![stamp(&leader, "personal image", "blue", &[])]));
        let issued = sign(
            &tb,
            &leader.output,
            &d.join(format!("{draft}.issued.pdf")),
            "agency-rsa2048.p12",
            &["--role", "seal", "--image", seal, "--doc-number", &doc_number, "--doc-date", "2026-11-22", "--trust", root, "--offline"],
            2,
        );
        let mut checks = vec![stamp(&issued, "seal", "red", &[])];
        checks.extend(fills(&issued, number));
        cases.push(case(format!("seal+number/date {draft}"), &issued, checks));
        // Party organs: the agency on page 1, top centre, over the leader's signature.
        let party = sign(
            &tb,
            &leader.output,
            &d.join(format!("{draft}.party-agency.pdf")),
            "agency-rsa2048.p12",
            &["--role", "seal", "--template", "party-agency", "--image", seal, "--org-name", org, "--trust", root, "--offline"],
            2,
        );
        let text = vec![format!("Ký bởi: {org}"), time(&party)];
        cases.push(case(
            format!("party-agency {draft}"),
            &party,
            vec![stamp(&party, "party agency seal", "red", &[]), stamp(&party, "party agency text", "dark", &text)],
        ));
        signed.extend([leader, issued, party]);
    }
    // Text stamps and the other Party-organ layouts on the unsigned drafts.
    for draft in ["draft-lo.pdf", "draft-director.pdf", "draft-two-signers.pdf"] {
        let input = tb.draft(draft);
        let copy = sign(
            &tb,
            &input,
            &d.join(format!("{draft}.copy.pdf")),
            "agency-rsa2048.p12",
            &["--role", "copy", "--copy-form", "SAO Y", "--org-name", org],
            1,
        );
        let text = vec!["SAO Y".to_owned(), org.to_owned(), time(&copy)];
        cases.push(case(format!("copy {draft}"), &copy, vec![stamp(&copy, "copy text", "dark", &text)]));
        let annex = sign(
            &tb,
            &input,
            &d.join(format!("{draft}.annex.pdf")),
            "agency-rsa2048.p12",
            &["--role", "annex", "--doc-number", &doc_number],
            1,
        );
        let text = vec![format!("Kèm theo văn bản số {doc_number}"), time(&annex)];
        cases.push(case(format!("annex {draft}"), &annex, vec![stamp(&annex, "annex text", "dark", &text)]));
        let archive = sign(
            &tb,
            &input,
            &d.join(format!("{draft}.party-archive.pdf")),
            "agency-rsa2048.p12",
            &["--role", "copy", "--template", "party-archive", "--copy-form", "SAO LỤC", "--org-name", org],
            1,
        );
        let text = vec!["SAO LỤC".to_owned(), org.to_owned(), time(&archive)];
        cases.push(case(format!("party-archive {draft}"), &archive, vec![stamp(&archive, "party archive text", "dark", &text)]));
        let personal = sign(
            &tb,
            &input,
            &d.join(format!("{draft}.party-personal.pdf")),
            "personal-rsa3072.p12",
            // The stamp is drawn on every draft, whoever's block it ends with (draft-lo:
            // KT. … Nguyễn Văn An): the signer confirmed signing under her own name.
            &["--template", "party-personal", "--image", sig, "--signer-name", "Trần Thị Bình", "--allow-name-mismatch"],
            1,
        );
        let text = vec!["Ký bởi: Trần Thị Bình".to_owned(), time(&personal)];
        cases.push(case(
            format!("party-personal {draft}"),
            &personal,
            vec![stamp(&personal, "party personal image", "blue", &[]), stamp(&personal, "party personal text", "dark", &text)],
        ));
        signed.extend([copy, annex, archive, personal]);
    }
    // Digitised paper (R10): the agency seals alone, at the template's place.
    for draft in ["draft-scanned.pdf", "draft-director.pdf", "draft-two-signers.pdf"] {
        let s = sign(
            &tb,
            &tb.draft(draft),
            &d.join(format!("{draft}.scanned.pdf")),
            "agency-rsa2048.p12",
            &["--role", "seal", "--scanned", "--image", seal, "--offline"],
            1,
        );
        cases.push(case(format!("scanned seal {draft}"), &s, vec![stamp(&s, "scanned seal", "red", &[])]));
        signed.push(s);
    }

    let signing = started.elapsed();
    let spec = d.join("cases.json");
    std::fs::write(&spec, serde_json::to_vec_pretty(&cases).expect("json")).expect("write cases");
    let out = Command::new("python3")
        .arg(repo().join("tests/fixtures/render/matrix.py"))
        .arg(&spec)
        .arg(d.join("renders"))
        .output()
        .expect("run matrix.py");
    let report = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    println!("{report}");
    assert!(out.status.success(), "render matrix failed:\n{report}");
    let matrix = started.elapsed() - signing;

    // The outside judges accept every signed file (two at a time: each run is ≈ 2 s of Python).
    let tb = &tb;
    std::thread::scope(|scope| {
        let half = signed.len().div_ceil(2);
        for part in signed.chunks(half) {
            scope.spawn(move || {
                for s in part {
                    validate(tb, &s.output, Some(&s.input), Some(s.signatures));
                }
            });
        }
    });
    let judges = started.elapsed() - signing - matrix;
    println!("render matrix timing: signing {} files {signing:.1?}, matrix {matrix:.1?}, outside judges {judges:.1?}", signed.len());
}

/// The clerk's update has the conformant shape (ISO 32000-1 §12.7.3.1, §12.5.6.19):
/// one signature field holding `/V` and `/Kids`; each kid a pure widget (no `/T`,
/// no field keys) that names the field in `/Parent` and sits in its page's `/Annots`.
/// KýSố's own verifier sees exactly two signatures and no empty field, and its
/// difference analysis calls the clerk's update form filling.
#[test]
fn clerk_update_has_conformant_kid_widgets() {
    use kyso::pdf::{ObjRef, Object, ObjectSource, PdfFile};
    let tb = testbed();
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    let st = Command::new("python3").arg(repo().join("tests/fixtures/stamps/make-images.py")).arg(d).status().expect("python3");
    assert!(st.success());
    let (sig, seal) = (d.join("signature.png"), d.join("seal.png"));
    let leader =
        sign(&tb, &tb.draft("draft-lo.pdf"), &d.join("leader.pdf"), "personal-rsa2048.p12", &["--image", sig.to_str().expect("utf8")], 1);
    let root = tb.pki("root.pem");
    let issued = sign(
        &tb,
        &leader.output,
        &d.join("issued.pdf"),
        "agency-rsa2048.p12",
        &[
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
        ],
        2,
    );
    let pdf = PdfFile::open(&issued.output).expect("open");
    let cat = pdf.catalog().expect("catalog");
    let form = pdf.resolve(cat.object.as_dict().and_then(|c| c.get(b"AcroForm")).expect("AcroForm")).expect("form");
    let fields = pdf.resolve(form.as_dict().and_then(|f| f.get(b"Fields")).expect("Fields")).expect("fields");
    let field_ref = fields.as_array().and_then(|a| a.last()).and_then(Object::as_ref).expect("agency field ref");
    let field = pdf.get(field_ref).expect("field").object;
    let field = field.as_dict().expect("field dict");
    assert_eq!(field.name(b"FT"), Some(b"Sig".as_slice()));
    assert!(field.get(b"T").is_some() && field.reference(b"V").is_some());
    assert!(field.get(b"Subtype").is_none(), "a field with kids is not itself a widget");
    let kids: Vec<ObjRef> = field.get(b"Kids").and_then(Object::as_array).expect("Kids").iter().filter_map(Object::as_ref).collect();
    assert_eq!(kids.len(), 4, "seal, number, day, month");
    let mut annots = Vec::new();
    for p in pdf.page_refs().expect("pages") {
        let page = pdf.get(p).expect("page").object;
        if let Some(a) = page.as_dict().and_then(|d| d.get(b"Annots")) {
            annots.extend(pdf.resolve(a).expect("annots").as_array().unwrap_or_default().iter().filter_map(Object::as_ref));
        }
    }
    for k in kids {
        let w = pdf.get(k).expect("kid").object;
        let w = w.as_dict().expect("kid dict");
        assert_eq!(w.name(b"Subtype"), Some(b"Widget".as_slice()), "kid {k:?}");
        assert_eq!(w.reference(b"Parent"), Some(field_ref), "kid {k:?} names its field");
        for key in [b"T".as_slice(), b"FT", b"V", b"Kids"] {
            assert!(w.get(key).is_none(), "kid {k:?} carries field key /{}", String::from_utf8_lossy(key));
        }
        assert!(w.get(b"AP").is_some() && w.get(b"Rect").is_some());
        assert!(annots.contains(&k), "kid {k:?} is in its page's /Annots");
    }
    // KýSố's verifier: two signatures, no empty field, the clerk's update allowed.
    let o =
        kyso(&tb, &["verify", issued.output.to_str().expect("utf8"), "--trust", root.to_str().expect("utf8"), "--offline", "--json"], &[]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|_| panic!("verify --json: {}", String::from_utf8_lossy(&o.stderr)));
    let file = &v["files"][0];
    assert_eq!(file["signatures"].as_array().map(Vec::len), Some(2), "{file}");
    assert_eq!(file["emptySignatureFields"], 0, "kid widgets are not empty fields: {file}");
    let changes = file["signatures"][0]["modifications"]["changes"].as_array().expect("changes");
    assert!(!changes.is_empty() && changes.iter().all(|c| c["level"] == "formFilling"), "{changes:?}");
    validate(&tb, &issued.output, Some(&leader.output), Some(2));
}

/// A missing engine is a failure, never a skip: with no `pdftoppm`/`mutool`/`node` on
/// PATH the matrix exits 3 and names what is missing.
#[test]
fn a_missing_engine_fails_the_matrix() {
    let dir = tempfile::tempdir().expect("tmp");
    let spec = dir.path().join("cases.json");
    std::fs::write(&spec, "[]").expect("write");
    // The real interpreter (python3 may be a pyenv shim that needs PATH); the engines' PATH empty.
    let exe = Command::new("python3").args(["-c", "import sys; print(sys.executable)"]).output().expect("python3");
    let python = PathBuf::from(String::from_utf8_lossy(&exe.stdout).trim());
    let out = Command::new(python)
        .arg(repo().join("tests/fixtures/render/matrix.py"))
        .arg(&spec)
        .arg(dir.path().join("renders"))
        .env("PATH", dir.path())
        .output()
        .expect("run matrix.py");
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not found"));
}
