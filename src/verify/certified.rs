//! Judging the provisos of later signatures in a certified document (DocMDP
//! P = 2 or 3), once every signature of the file has been checked: see
//! [`super::diff::rules_certified`] for the rule. The verifier calls [`judge`]
//! for each signature, newest first, so the signature that added a field has
//! its final verdict before the signatures it was added after are judged.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;
use std::path::PathBuf;

use super::diff::rules_certified::{to_pixels, CoverMeasure, Raster};
use super::diff::Proviso;
use super::engine::SignatureReport;
use super::render::{PageRenderer, SCALE};
use super::verdict::{Indication, SubIndication};
use crate::pdf::object::{ObjRef, Object};
use crate::pdf::reader::RevisionView;
use crate::pdf::{ObjectSource, PdfFile};

/// What the provisos of one signature come to.
#[derive(Clone, Debug, PartialEq)]
pub enum Decision {
    /// Every later signature field is signed validly and covers nothing: the
    /// fields added, each with its signer's common name.
    Accepted(Vec<(String, String)>),
    /// A later field breaks the rule (English, Vietnamese).
    Refused(String, String),
    /// The rule could not be established (the adding signature is itself
    /// indeterminate, or a page could not be rendered); the fields whose
    /// widgets were found to cover nothing so far.
    Unconfirmed(SubIndication, String, String, Vec<(String, String)>),
}

/// The decision on the provisos in `reports[i]`'s modifications, or `None` when
/// it has none (or its modifications are already refused).
pub fn judge(reports: &[SignatureReport], i: usize, renders: &mut Renders<'_>) -> Option<Decision> {
    let r = reports.get(i)?;
    let m = r.modifications.as_ref().filter(|_| r.modifications_allowed)?;
    let signed = r.coverage.revision?;
    let mut provisos: BTreeMap<(usize, String), &Proviso> = BTreeMap::new();
    for c in &m.changes {
        if let Some(p) = &c.proviso {
            provisos.entry((c.revision, p.field.clone())).or_insert(p);
        }
    }
    if provisos.is_empty() {
        return None;
    }
    let mut accepted = Vec::new();
    let mut unconfirmed = None;
    for ((k, field), proviso) in &provisos {
        let adder = reports.iter().find(|s| s.field == *field && s.coverage.revision == Some(*k));
        let Some(adder) = adder else {
            return Some(Decision::Refused(
                format!("chữ ký '{field}' được thêm ở bản sửa đổi {k} mà không có chữ ký nào bao trùm bản sửa đổi đó"),
                format!("signature field '{field}' was added in revision {k}, which no signature covers"),
            ));
        };
        match adder.indication {
            Indication::TotalFailed => {
                return Some(Decision::Refused(
                    format!("chữ ký '{field}' được thêm ở bản sửa đổi {k} không hợp lệ: {}", adder.message_vi),
                    format!("signature '{field}', added in revision {k}, is not valid: {}", adder.message_en),
                ))
            }
            Indication::Indeterminate if unconfirmed.is_none() => {
                unconfirmed = Some((
                    adder.sub_indication.unwrap_or(SubIndication::TryLater),
                    format!("chưa xác nhận được chữ ký '{field}' được thêm ở bản sửa đổi {k}: {}", adder.message_vi),
                    format!("signature '{field}', added in revision {k}, could not be confirmed: {}", adder.message_en),
                ));
            }
            _ => {}
        }
        for w in &proviso.widgets {
            let measured = renders.measure(signed, *k, w.page, w.rect);
            match measured {
                Err(e) => {
                    return Some(Decision::Unconfirmed(
                        SubIndication::PostSigningModification,
                        format!("không dựng được hình trang {} để kiểm tra chữ ký '{field}' có che nội dung đã ký không ({e})", w.page + 1),
                        format!(
                            "page {} could not be rendered to check whether signature '{field}' covers signed content ({e})",
                            w.page + 1
                        ),
                        accepted,
                    ))
                }
                Ok(m) if m.covers() => {
                    let pct = format!("{:.0}", m.touching_percent());
                    return Some(Decision::Refused(
                        format!(
                            "chữ ký '{field}' được thêm ở bản sửa đổi {k} che nội dung đã ký trên trang {} ({pct}% phần nó vẽ nằm trên nội dung, {} điểm ảnh nội dung bị xóa)",
                            w.page + 1,
                            m.erased
                        ),
                        format!(
                            "signature '{field}', added in revision {k}, covers signed content on page {} ({pct}% of what it draws lies on the content, {} content pixels erased)",
                            w.page + 1,
                            m.erased
                        ),
                    ));
                }
                Ok(_) => {}
            }
        }
        accepted.push((field.clone(), adder.signer.common_name.clone().unwrap_or_else(|| field.clone())));
    }
    Some(match unconfirmed {
        Some((sub, vi, en)) => Decision::Unconfirmed(sub, vi, en, accepted),
        None => Decision::Accepted(accepted),
    })
}

/// "5 chữ ký do CHÍNH PHỦ thêm", grouped by signer, in both languages;
/// `confirmed`: whether those signatures are themselves valid (else their own
/// verdict is still open, e.g. revocation unknown offline).
pub fn added_sentence(added: &[(String, String)], confirmed: bool) -> (String, String) {
    let mut by: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, who) in added {
        *by.entry(who.as_str()).or_default() += 1;
    }
    let vi: Vec<String> = by.iter().map(|(w, n)| format!("{n} chữ ký do {w} thêm")).collect();
    let en: Vec<String> = by.iter().map(|(w, n)| format!("{n} signature{} added by {w}", if *n == 1 { "" } else { "s" })).collect();
    let (how_vi, how_en) = if confirmed {
        ("hợp lệ, không che nội dung đã ký", "valid, covering no signed content")
    } else {
        ("không che nội dung đã ký; chính các chữ ký này chưa xác nhận xong", "covering no signed content; their own verdict is still open")
    };
    (format!(" Sau khi ký: {} ({how_vi}).", vi.join(", ")), format!(" After signing: {} ({how_en}).", en.join(", ")))
}

/// Renders of one file's revisions, each revision written once to a temporary
/// file and each page rendered once.
pub struct Renders<'a> {
    pdf: &'a PdfFile,
    renderer: &'a dyn PageRenderer,
    files: HashMap<usize, PathBuf>,
    dir: Option<tempfile::TempDir>,
    cache: HashMap<(usize, usize, bool), Raster>,
}

impl<'a> Renders<'a> {
    /// Nothing rendered yet.
    pub fn new(pdf: &'a PdfFile, renderer: &'a dyn PageRenderer) -> Self {
        Renders { pdf, renderer, files: HashMap::new(), dir: None, cache: HashMap::new() }
    }

    /// What the revision `k` does to the widget at `rect` on `page`, against the
    /// page content of revision `signed`.
    fn measure(&mut self, signed: usize, k: usize, page: usize, rect: [f64; 4]) -> Result<CoverMeasure, String> {
        let (bbox, rotate) = self.page_box(k, page)?;
        let content = self.render(signed, page, false)?;
        let before = self.render(k.checked_sub(1).ok_or("no earlier revision")?, page, true)?;
        let after = self.render(k, page, true)?;
        let px = to_pixels(rect, bbox, rotate, SCALE, &after);
        Ok(CoverMeasure::measure(&content, &before, &after, px))
    }

    fn render(&mut self, rev: usize, page: usize, annotations: bool) -> Result<Raster, String> {
        if let Some(r) = self.cache.get(&(rev, page, annotations)) {
            return Ok(r.clone());
        }
        let file = self.revision_file(rev)?;
        let r = self.renderer.render(&file, page, annotations)?;
        self.cache.insert((rev, page, annotations), r.clone());
        Ok(r)
    }

    /// The file's bytes up to the end of revision `rev`, as a PDF of its own.
    fn revision_file(&mut self, rev: usize) -> Result<PathBuf, String> {
        if let Some(f) = self.files.get(&rev) {
            return Ok(f.clone());
        }
        let end = self.pdf.revision_end(rev).map_err(|e| e.to_string())?.ok_or("the revision's end is unknown")?;
        if self.dir.is_none() {
            self.dir = Some(tempfile::tempdir().map_err(|e| format!("temporary folder: {e}"))?);
        }
        let dir = self.dir.as_ref().ok_or("temporary folder")?;
        let path = dir.path().join(format!("rev{rev}.pdf"));
        let mut out = std::fs::File::create(&path).map_err(|e| e.to_string())?;
        let mut at = 0u64;
        while at < end {
            let n = (end - at).min(1 << 20) as usize;
            let chunk = self.pdf.read_range(at, n).map_err(|e| e.to_string())?;
            if chunk.is_empty() {
                return Err("the file is shorter than its revision".into());
            }
            out.write_all(&chunk).map_err(|e| e.to_string())?;
            at += chunk.len() as u64;
        }
        self.files.insert(rev, path.clone());
        Ok(path)
    }

    /// The crop box and rotation of page `page` in revision `rev`.
    fn page_box(&self, rev: usize, page: usize) -> Result<([f64; 4], i64), String> {
        let view = self.pdf.revision(rev).ok_or("no such revision")?;
        page_geometry(&view, page).map_err(|e| format!("page {}: {e}", page + 1))
    }
}

/// A page-tree node to visit: (node, inherited `/MediaBox`, `/CropBox`, `/Rotate`, depth).
type PageNode = (ObjRef, Option<Object>, Option<Object>, Option<i64>, usize);

/// The crop box (else media box) and `/Rotate` of page `index`, inherited through
/// the page tree.
fn page_geometry(view: &RevisionView<'_>, index: usize) -> Result<([f64; 4], i64), String> {
    let root = view.trailer().reference(b"Root").ok_or("no catalog")?;
    let cat = view.get(root).map_err(|e| e.to_string())?.object;
    let pages = cat.as_dict().and_then(|d| d.reference(b"Pages")).ok_or("no page tree")?;
    // Depth-first, counting leaves; inherited attributes carried along.
    let mut stack: Vec<PageNode> = vec![(pages, None, None, None, 0)];
    let mut seen = BTreeSet::new();
    let mut n = 0usize;
    while let Some((node, media, crop, rotate, depth)) = stack.pop() {
        if depth > super::diff::MAX_DEPTH || !seen.insert(node) || seen.len() > 1_000_000 {
            return Err("page tree too deep or looping".into());
        }
        let obj = view.get(node).map_err(|e| e.to_string())?.object;
        let Some(d) = obj.as_dict() else { continue };
        let media = d.get(b"MediaBox").cloned().or(media);
        let crop = d.get(b"CropBox").cloned().or(crop);
        let rotate = d.int(b"Rotate").or(rotate);
        match d.get(b"Kids") {
            Some(kids) if !d.has_type(b"Page") => {
                let kids = view.resolve(kids).map_err(|e| e.to_string())?;
                for k in kids.as_array().unwrap_or_default().iter().rev() {
                    if let Object::Ref(k) = k {
                        stack.push((*k, media.clone(), crop.clone(), rotate, depth + 1));
                    }
                }
            }
            _ => {
                if n == index {
                    let rect = |o: Option<Object>| -> Option<[f64; 4]> {
                        let o = view.resolve(&o?).ok()?;
                        let v: Vec<f64> = o.as_array()?.iter().filter_map(Object::as_f64).collect();
                        match v.as_slice() {
                            [a, b, c, d] => Some([a.min(*c), b.min(*d), a.max(*c), b.max(*d)]),
                            _ => None,
                        }
                    };
                    let bbox = rect(crop).or_else(|| rect(media)).unwrap_or([0.0, 0.0, 612.0, 792.0]);
                    return Ok((bbox, rotate.unwrap_or(0)));
                }
                n += 1;
            }
        }
    }
    Err("no such page".into())
}
