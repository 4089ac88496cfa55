//! `kyso archive`: check, export and search the queue's archive, list the queue,
//! and the periodic report (R12, R17).
//!
//! Exit status of `check`: 0 everything as recorded, 1 anything damaged or missing.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use kyso::atomic::Mode;
use kyso::error::OutputError;
use kyso::queue::{BadKind, DocRole, DocStatus, Document, Queue, SearchQuery};
use kyso::{tr, Lang};

/// Arguments of `kyso archive`.
#[derive(Args, Debug)]
pub struct ArchiveArgs {
    /// Thư mục dữ liệu (mặc định KYSO_DATA_DIR hoặc thư mục dữ liệu người dùng) / data folder.
    #[arg(long = "data-dir", value_name = "DIR", global = true)]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: ArchiveCommand,
}

/// `kyso archive` subcommands.
#[derive(Subcommand, Debug)]
enum ArchiveCommand {
    /// Kiểm tra cơ sở dữ liệu và mọi tệp lưu trữ / check the database and every archived file.
    Check {
        /// In kết quả dạng JSON / print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Sao lưu sang thư mục khác (ổ ngoài, mạng) / back up into a folder on other storage.
    Export {
        /// Thư mục đích / destination folder.
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
    /// Tìm theo số ký hiệu, trích yếu, người ký, tên tệp / search by number, title, signer, file name.
    Search {
        /// Từ khóa (không cần dấu) / words (diacritics optional).
        #[arg(value_name = "TEXT", default_value = "")]
        text: String,
        /// Từ ngày / from date (YYYY-MM-DD).
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: Option<String>,
        /// Đến ngày / to date (YYYY-MM-DD).
        #[arg(long, value_name = "YYYY-MM-DD")]
        to: Option<String>,
        /// In kết quả dạng JSON / print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Báo cáo số văn bản đã ký theo 6 tháng và năm / report of documents signed per half-year and year.
    Report {
        /// Năm / year.
        #[arg(long)]
        year: i32,
        /// Ghi ra tệp CSV / write a CSV file.
        #[arg(long, value_name = "FILE")]
        csv: Option<PathBuf>,
        /// Ghi đè tệp CSV đã có / replace an existing CSV file.
        #[arg(long, requires = "csv")]
        force: bool,
    },
    /// Thêm dấu thời gian lưu trữ (B-LTA) cho văn bản lưu trữ sắp hết hạn dấu thời gian /
    /// add an archive time-stamp to archived documents whose last time-stamp expires soon.
    Extend {
        /// Gia hạn văn bản có chứng thư dấu thời gian cuối hết hạn trước ngày này (mặc định: 1 năm nữa) /
        /// extend those whose last time-stamp certificate expires before this date (default: a year from now).
        #[arg(long, value_name = "YYYY-MM-DD")]
        before: Option<String>,
        /// Máy chủ dấu thời gian (lặp lại được) / time-stamping authority URL (repeatable).
        #[arg(long = "tsa", value_name = "URL")]
        tsa: Vec<String>,
        /// Thêm chứng thư gốc tin cậy / extra trust anchors.
        #[arg(long = "trust", value_name = "PEM|DIR")]
        trust: Vec<PathBuf>,
        /// Tệp CRL / CRL files.
        #[arg(long = "crl", value_name = "FILE")]
        crls: Vec<PathBuf>,
        /// In kết quả dạng JSON / print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Liệt kê hàng đợi / list the queue.
    List {
        /// Vai trò / role.
        #[arg(long, value_enum)]
        role: Option<RoleFilter>,
        /// Trạng thái / status.
        #[arg(long, value_enum)]
        status: Option<StatusFilter>,
        /// In kết quả dạng JSON / print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `--role` values.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum RoleFilter {
    Sign,
    Seal,
    Incoming,
}

impl From<RoleFilter> for DocRole {
    fn from(r: RoleFilter) -> DocRole {
        match r {
            RoleFilter::Sign => DocRole::Sign,
            RoleFilter::Seal => DocRole::Seal,
            RoleFilter::Incoming => DocRole::Incoming,
        }
    }
}

/// `--status` values.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum StatusFilter {
    Pending,
    Signed,
    Sealed,
    Released,
    Valid,
    Invalid,
    Indeterminate,
    Registered,
    Rejected,
}

impl From<StatusFilter> for DocStatus {
    fn from(s: StatusFilter) -> DocStatus {
        match s {
            StatusFilter::Pending => DocStatus::Pending,
            StatusFilter::Signed => DocStatus::Signed,
            StatusFilter::Sealed => DocStatus::Sealed,
            StatusFilter::Released => DocStatus::Released,
            StatusFilter::Valid => DocStatus::Valid,
            StatusFilter::Invalid => DocStatus::Invalid,
            StatusFilter::Indeterminate => DocStatus::Indeterminate,
            StatusFilter::Registered => DocStatus::Registered,
            StatusFilter::Rejected => DocStatus::Rejected,
        }
    }
}

/// Print pretty JSON.
fn print_json<T: serde::Serialize>(v: &T) {
    println!("{}", serde_json::to_string_pretty(v).unwrap_or_else(|_| "null".into()));
}

/// Run `kyso archive`.
pub fn run(args: ArchiveArgs, lang: Lang) -> Result<ExitCode, kyso::Error> {
    // A folder named on the command line must exist: a typo must not create (and
    // report as intact) an empty archive.
    if let Some(d) = args.data_dir.as_ref().filter(|d| !d.is_dir()) {
        return Err(kyso::error::UsageError::InvalidArgument { option: "--data-dir".into(), value: d.display().to_string() }.into());
    }
    // Every subcommand but `extend` only reads the archive: opened read-only, and a
    // folder that holds no archive is refused (nothing is created there).
    let data_dir = args.data_dir.clone().unwrap_or_else(super::data_dir);
    let queue = Queue::open_read_only(&data_dir)?;
    if let ArchiveCommand::Extend { before, tsa, trust, crls, json } = args.command {
        drop(queue);
        return extend(&data_dir, before, tsa, &trust, crls, json, lang);
    }
    match args.command {
        ArchiveCommand::Check { json } => {
            let report = queue.check()?;
            if json {
                print_json(&report);
            } else {
                if !report.database_ok {
                    println!("{}", tr!(lang, "Cơ sở dữ liệu bị lỗi: {}", "The database is damaged: {}", report.database.join("; ")));
                }
                for b in &report.bad {
                    let what = match b.problem {
                        BadKind::Missing => lang.pick("mất tệp", "missing"),
                        BadKind::Changed => lang.pick("nội dung bị thay đổi", "changed"),
                        BadKind::Unreadable => lang.pick("không đọc được", "unreadable"),
                        BadKind::Unrecorded => lang.pick("không có trong sổ lưu trữ", "not in the archive ledger"),
                        BadKind::InvalidPath => lang.pick(
                            "đường dẫn ghi trong cơ sở dữ liệu không hợp lệ (không được dùng)",
                            "invalid path in the database (not followed)",
                        ),
                    };
                    let ids: Vec<String> = b.documents.iter().map(|i| format!("#{i}")).collect();
                    println!("{}", tr!(lang, "HỎNG: {} — {} (văn bản {})", "BAD: {} — {} (documents {})", b.path, what, ids.join(", ")));
                }
                if report.ok() {
                    println!(
                        "{}",
                        tr!(
                            lang,
                            "Kho lưu trữ nguyên vẹn: cơ sở dữ liệu tốt, {} tệp đúng như khi lưu.",
                            "The archive is intact: database ok, {} files as archived.",
                            report.checked
                        )
                    );
                } else {
                    println!(
                        "{}",
                        tr!(
                            lang,
                            "Đã kiểm tra {} tệp, {} tệp có vấn đề. Hãy khôi phục từ bản sao lưu (kyso archive export).",
                            "Checked {} files, {} with problems. Restore them from a backup (kyso archive export).",
                            report.checked,
                            report.bad.len()
                        )
                    );
                }
            }
            Ok(if report.ok() { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        ArchiveCommand::Export { dir } => {
            let r = queue.export_backup(&dir)?;
            println!(
                "{}",
                tr!(
                    lang,
                    "Đã sao lưu {} văn bản và {} tệp lưu trữ vào {}. Kiểm tra bằng: cd \"{}\" && sha256sum -c SHA256SUMS",
                    "Backed up {} documents and {} archived files into {}. Check with: cd \"{}\" && sha256sum -c SHA256SUMS",
                    r.documents,
                    r.files,
                    r.dir.display(),
                    r.dir.display()
                )
            );
            Ok(ExitCode::SUCCESS)
        }
        ArchiveCommand::Search { text, from, to, json } => {
            let q = SearchQuery { text: Some(text).filter(|t| !t.trim().is_empty()), from, to };
            let docs = queue.search(&q)?;
            if json {
                print_json(&docs);
            } else {
                print_docs(&docs, lang);
            }
            Ok(ExitCode::SUCCESS)
        }
        ArchiveCommand::Report { year, csv, force } => {
            let rows = queue.report(year)?;
            match csv {
                Some(path) => {
                    let text = queue.report_csv(year)?;
                    let mode = if force { Mode::Replace } else { Mode::NoClobber };
                    kyso::atomic::write(&path, text.as_bytes(), mode).map_err(|e| OutputError::from_write(&path, e))?;
                    println!("{}", tr!(lang, "Đã ghi báo cáo: {}", "Report written: {}", path.display()));
                }
                None => {
                    println!("{}", tr!(lang, "Số văn bản đã ký số năm {}", "Documents signed in {}", year));
                    for r in rows {
                        println!("{:<8} {:<28} {}", r.period, r.role.label(lang), r.count);
                    }
                    let handovers = queue.handovers(Some(year))?;
                    println!("{}", tr!(lang, "Bàn giao thiết bị ký số năm {}: {}", "Token handovers in {}: {}", year, handovers.len()));
                    for h in handovers {
                        println!(
                            "{}  {} ({}, {} {})  {} → {}{}",
                            h.handover_date,
                            h.token_label,
                            h.token_model,
                            lang.pick("số sê-ri", "serial"),
                            h.token_serial,
                            h.from_name,
                            h.to_name,
                            h.witness.map(|w| format!(" ({} {w})", lang.pick("chứng kiến:", "witness:"))).unwrap_or_default()
                        );
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        ArchiveCommand::Extend { .. } => Ok(ExitCode::SUCCESS), // handled above
        ArchiveCommand::List { role, status, json } => {
            let docs = queue.list(role.map(Into::into), status.map(Into::into))?;
            if json {
                print_json(&docs);
            } else {
                print_docs(&docs, lang);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// One line per document: id, status, role, number, title, file.
fn print_docs(docs: &[Document], lang: Lang) {
    if docs.is_empty() {
        println!("{}", tr!(lang, "Không có văn bản nào.", "No documents."));
        return;
    }
    for d in docs {
        println!(
            "#{:<5} {:<16} {:<24} {:<16} {} — {}",
            d.id,
            d.status.label(lang),
            d.role.label(lang),
            d.doc_number.as_deref().unwrap_or("-"),
            d.title.as_deref().unwrap_or(""),
            d.file_name
        );
    }
}

/// `kyso archive extend`: B-LTA for every archived document whose last time-stamp
/// certificate expires before the date; each result kept as a new version.
fn extend(
    data_dir: &std::path::Path,
    before: Option<String>,
    tsa: Vec<String>,
    trust: &[PathBuf],
    crls: Vec<PathBuf>,
    json: bool,
    lang: Lang,
) -> Result<ExitCode, kyso::Error> {
    let before = match before {
        Some(d) => {
            kyso::queue::check_date(&d)?;
            let date = time::Date::parse(&d, &time::macros::format_description!("[year]-[month]-[day]"))
                .map_err(|_| kyso::error::UsageError::InvalidArgument { option: "--before".into(), value: d.clone() })?;
            date.midnight().assume_offset(kyso::time::VIETNAM)
        }
        None => time::OffsetDateTime::now_utc() + time::Duration::days(365),
    };
    let tsa = if tsa.is_empty() { kyso::settings::Settings::load()?.tsa } else { tsa };
    if tsa.is_empty() {
        return Err(kyso::longterm::LongTermError::Tsa(kyso::tsa::TsaError::NoAddress).into());
    }
    let (mut opts, warnings) = kyso::verify::engine::VerifyOptions::new(trust);
    for w in warnings {
        eprintln!("{}", tr!(lang, "Cảnh báo: {}", "Warning: {}", w));
    }
    opts.crl_files = crls;
    let mut queue = Queue::open(data_dir)?;
    let done = queue.extend_archive(before, &kyso::tsa::TsaClient::new(tsa), &opts)?;
    let failed = done.iter().filter(|o| o.result == "failed").count();
    if json {
        print_json(&done);
    } else {
        for o in &done {
            let line = match o.result.as_str() {
                "extended" => tr!(
                    lang,
                    "#{} {}: đã thêm dấu thời gian lưu trữ, bản mới {} (SHA-256 {})",
                    "#{} {}: archive time-stamp added, new version {} (SHA-256 {})",
                    o.id,
                    o.file_name,
                    o.archive_path.as_deref().unwrap_or(""),
                    o.sha256_after.as_deref().unwrap_or("")
                ),
                "failed" => tr!(
                    lang,
                    "#{} {}: KHÔNG gia hạn được: {}",
                    "#{} {}: NOT extended: {}",
                    o.id,
                    o.file_name,
                    if lang == Lang::Vi { o.error_vi.as_deref() } else { o.error_en.as_deref() }.unwrap_or("")
                ),
                _ => tr!(
                    lang,
                    "#{} {}: chưa đến hạn (dấu thời gian cuối hết hạn {})",
                    "#{} {}: not due (last time-stamp expires {})",
                    o.id,
                    o.file_name,
                    o.expires.as_deref().unwrap_or("-")
                ),
            };
            println!("{line}");
        }
    }
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
