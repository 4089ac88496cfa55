//! `kyso verify`: check incoming signed PDFs and say, in Vietnamese, whether a
//! clerk may register them.
//!
//! Exit status: 0 every file valid; 1 any invalid; 2 any indeterminate and none
//! invalid; 3 usage errors and unreadable paths.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use kyso::i18n::Localize;
use kyso::verify::engine::{verify_file, DocumentReport, VerifyOptions};
use kyso::verify::verdict::Indication;
use kyso::Lang;

/// Arguments of `kyso verify`.
#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// Tệp PDF hoặc thư mục cần kiểm tra / PDF files or folders to check.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Thêm chứng thư gốc tin cậy (PEM/DER hoặc thư mục) / extra trust anchors.
    #[arg(long = "trust", value_name = "PEM|DIR")]
    pub trust: Vec<PathBuf>,
    /// Tệp CRL / CRL files.
    #[arg(long = "crl", value_name = "FILE")]
    pub crls: Vec<PathBuf>,
    /// Không truy cập mạng (CRL/OCSP) / do not go online for revocation.
    #[arg(long)]
    pub offline: bool,
    /// In kết quả dạng JSON / print JSON.
    #[arg(long)]
    pub json: bool,
    /// Viết thông báo từ chối cho mỗi tệp không hợp lệ vào thư mục này / write rejection notices here.
    #[arg(long, value_name = "DIR")]
    pub notice: Option<PathBuf>,
    /// Lưu bản đã ký của từng chữ ký (PDF) vào thư mục này / write each signature's signed revision here.
    #[arg(long = "extract-signed", value_name = "DIR")]
    pub extract_signed: Option<PathBuf>,
}

/// Exit status for usage errors and unreadable paths.
pub const EXIT_USAGE: u8 = 3;

/// Run `kyso verify`.
pub fn run(args: VerifyArgs, lang: Lang) -> Result<ExitCode, kyso::Error> {
    let mut unreadable = false;
    let mut files = Vec::new();
    for p in &args.files {
        match expand(p) {
            Ok(mut v) => files.append(&mut v),
            Err(e) => {
                unreadable = true;
                eprintln!("{}", kyso::tr!(lang, "Không đọc được {}: {}", "Cannot read {}: {}", p.display(), e));
            }
        }
    }
    if files.is_empty() && !unreadable {
        eprintln!(
            "{}",
            kyso::tr!(
                lang,
                "Không có tệp PDF nào để kiểm tra trong: {}",
                "No PDF file to check in: {}",
                args.files.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
            )
        );
        return Ok(ExitCode::from(EXIT_USAGE));
    }
    let (mut opts, warnings) = VerifyOptions::new(&args.trust);
    for w in warnings {
        eprintln!("{}", kyso::tr!(lang, "Cảnh báo: {}", "Warning: {}", w));
    }
    opts.crl_files = args.crls.clone();
    opts.offline = args.offline;
    opts.file_digest = args.notice.is_some();
    let reports = verify_all(&files, &opts);

    if args.json {
        let doc = serde_json::json!({ "schemaVersion": kyso::verify::engine::SCHEMA_VERSION, "files": reports });
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".into()));
    } else {
        for r in &reports {
            print!("{}", render(r, lang));
        }
    }
    if let Some(dir) = &args.notice {
        std::fs::create_dir_all(dir).map_err(|e| kyso::error::OutputError::WriteOutput { path: dir.clone(), source: e })?;
        for r in reports.iter().filter(|r| r.indication != Indication::TotalPassed) {
            match kyso::verify::notice::write_notice(r, dir, lang) {
                Ok(n) => eprintln!("{}", kyso::tr!(lang, "Đã viết thông báo từ chối: {}", "Rejection notice written: {}", n.pdf.display())),
                Err(e) => eprintln!("{}", e.localize(lang)),
            }
        }
    }
    if let Some(dir) = &args.extract_signed {
        std::fs::create_dir_all(dir).map_err(|e| kyso::error::OutputError::WriteOutput { path: dir.clone(), source: e })?;
        for r in &reports {
            match kyso::verify::extract::write_signed_revisions(&r.file, r, dir) {
                Ok(written) => {
                    for w in written {
                        eprintln!("{}", kyso::tr!(lang, "Đã lưu bản đã ký: {}", "Signed revision written: {}", w.display()));
                    }
                }
                Err(e) => {
                    eprintln!(
                        "{}",
                        kyso::tr!(
                            lang,
                            "Không lưu được bản đã ký của {}: {}",
                            "Cannot write the signed revisions of {}: {}",
                            r.file.display(),
                            e
                        )
                    );
                    unreadable = true;
                }
            }
        }
    }
    if unreadable {
        return Ok(ExitCode::from(EXIT_USAGE));
    }
    let worst = reports.iter().map(|r| r.indication).max();
    Ok(ExitCode::from(match worst {
        None | Some(Indication::TotalPassed) => 0,
        Some(Indication::TotalFailed) => 1,
        Some(Indication::Indeterminate) => 2,
    }))
}

/// A file as itself; a folder as the PDFs inside it (recursively, sorted).
fn expand(p: &Path) -> std::io::Result<Vec<PathBuf>> {
    let meta = std::fs::metadata(p)?;
    if !meta.is_dir() {
        // A FIFO or device would block or never end: refused before it is opened.
        kyso::input::open_regular(p)?;
        return Ok(vec![p.to_owned()]);
    }
    let mut out = Vec::new();
    let mut stack = vec![p.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d)? {
            let e = e?;
            let path = e.path();
            if e.file_type()?.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|x| x.eq_ignore_ascii_case("pdf")) && kyso::input::check_regular(&path).is_ok() {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Verify files on all cores, keeping the input order.
fn verify_all(files: &[PathBuf], opts: &VerifyOptions) -> Vec<DocumentReport> {
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(files.len().max(1));
    if workers <= 1 {
        return files.iter().map(|f| verify_file(f, opts)).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<std::sync::Mutex<Option<DocumentReport>>> = files.iter().map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(f) = files.get(i) else { break };
                let r = verify_file(f, opts);
                if let Ok(mut slot) = results[i].lock() {
                    *slot = Some(r);
                }
            });
        }
    });
    results.into_iter().zip(files).map(|(m, f)| m.into_inner().ok().flatten().unwrap_or_else(|| verify_file(f, opts))).collect()
}

fn basis_label(b: kyso::verify::engine::TimeBasis, lang: Lang) -> &'static str {
    use kyso::verify::engine::TimeBasis;
    match b {
        TimeBasis::SignatureTimestamp => lang.pick("dấu thời gian của chữ ký", "the signature's time-stamp"),
        TimeBasis::DocumentTimestamp => lang.pick("dấu thời gian văn bản", "a document time-stamp"),
        TimeBasis::Archive => lang.pick("hồ sơ lưu trữ của KýSố", "KýSố's archive record"),
        TimeBasis::Now => lang.pick("lúc kiểm tra: không có dấu thời gian hợp lệ", "now: no valid time-stamp"),
    }
}

/// Human-readable report of one file.
pub fn render(r: &DocumentReport, lang: Lang) -> String {
    let mut s =
        format!("{}: {}\n  {}\n", r.file.display(), r.indication.label(lang), if lang == Lang::Vi { &r.message_vi } else { &r.message_en });
    for sig in &r.signatures {
        s.push_str(&format!(
            "  {} {} ({}): {} — {}\n",
            lang.pick("Chữ ký", "Signature"),
            sig.index,
            sig.field,
            sig.indication.label(lang),
            sig.signer.subject.as_deref().unwrap_or("?"),
        ));
        s.push_str(&format!(
            "      {}: {}; {}: {:?}{}\n",
            lang.pick("thời điểm ký (người ký tự ghi)", "signing time (as claimed)"),
            sig.signing_time.as_deref().or(sig.claimed_time.as_deref()).unwrap_or("?"),
            lang.pick("phạm vi", "coverage"),
            sig.coverage.coverage,
            sig.trust_anchor.as_ref().map(|a| format!("; {}: {}", lang.pick("gốc tin cậy", "trust anchor"), a.name)).unwrap_or_default(),
        ));
        if let Some(level) = sig.level {
            s.push_str(&format!(
                "      {}: {}; {}\n",
                lang.pick("mức PAdES", "PAdES level"),
                level.name(),
                if sig.evidence_offline {
                    lang.pick("tệp tự chứa đủ dữ liệu để kiểm tra ngoại tuyến", "the file's own evidence suffices offline")
                } else {
                    lang.pick("cần tra cứu trực tuyến để kiểm tra lại", "re-checking needs online look-ups")
                }
            ));
        }
        if let Some(v) = &sig.validation_time {
            s.push_str(&format!(
                "      {}: {} ({})\n",
                lang.pick("kiểm tra tại thời điểm", "judged at"),
                v.time,
                basis_label(v.basis, lang)
            ));
        }
        for ts in &sig.timestamps {
            s.push_str(&format!(
                "      {}: {}\n",
                lang.pick("dấu thời gian", "time-stamp"),
                if lang == Lang::Vi { &ts.message_vi } else { &ts.message_en }
            ));
        }
        if sig.sub_indication.is_some() {
            s.push_str(&format!("      {}\n", if lang == Lang::Vi { &sig.message_vi } else { &sig.message_en }));
        }
    }
    for t in &r.document_timestamps {
        s.push_str(&format!(
            "  {} ({}): {}\n",
            lang.pick("Dấu thời gian văn bản", "Document time-stamp"),
            t.field,
            if lang == Lang::Vi { &t.timestamp.message_vi } else { &t.timestamp.message_en }
        ));
    }
    s
}
