//! The rejection notice to the sender (SPEC R11): when an incoming document is
//! invalid or cannot be judged, the office refuses to register it and tells the
//! sender why, naming the file by its SHA-256 so there is no doubt which copy was
//! checked.
//!
//! [`write_notice`] writes the same content twice, next to each other in `dir`:
//! `<stem>.thong-bao-tu-choi.txt` (UTF-8 plain text, for e-mail bodies and the
//! document-management system) and `<stem>.thong-bao-tu-choi.pdf` (A4, Tinos
//! embedded as a subset, for printing and sending as an attachment). Both are
//! written to a temporary file and renamed into place; an existing notice is never
//! replaced: the next free suffix `-2`, `-3`, … is used for both files.
//!
//! Every value taken from the document (file name, signer subject, reasons quoting
//! the file) is shown with control and bidirectional-formatting characters
//! replaced by `[U+XXXX]`, so a crafted certificate cannot add lines or reorder
//! the notice. In the PDF, characters the font cannot draw are shown the same way
//! (the text file keeps them).

use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::Digest;

use super::engine::{parse_pdf_date, DocumentReport, SignatureReport};
use super::verdict::Indication;
use crate::error::{OutputError, UsageError};
use crate::i18n::Lang;
use crate::text::{Align, DocumentWriter, EmbeddedFont, PageSetup, TextError, TextStyle};

/// The Vietnamese title of the notice.
pub const TITLE_VI: &str = "THÔNG BÁO TỪ CHỐI TIẾP NHẬN VĂN BẢN ĐIỆN TỬ";
/// The English title of the notice.
pub const TITLE_EN: &str = "NOTICE OF REFUSAL OF AN ELECTRONIC DOCUMENT";

/// The two files of one notice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoticeFiles {
    /// The plain-text notice (UTF-8).
    pub txt: PathBuf,
    /// The PDF notice.
    pub pdf: PathBuf,
}

/// Write the rejection notice for `report` into `dir` (created if missing), in
/// Vietnamese, or in English when `lang` is [`Lang::En`].
///
/// Refuses a report whose verdict is valid (a valid document is registered, not
/// refused). Uses `report.sha256`, or hashes `report.file` (streaming) when the
/// verifier was not asked for the digest.
pub fn write_notice(report: &DocumentReport, dir: &Path, lang: Lang) -> Result<NoticeFiles, crate::Error> {
    if report.indication == Indication::TotalPassed {
        return Err(UsageError::InvalidArgument {
            option: "--notice".into(),
            value: lang.pick("văn bản hợp lệ, không lập thông báo từ chối", "the document is valid; no rejection notice is made").into(),
        }
        .into());
    }
    let (sha256, size) = match &report.sha256 {
        Some(h) => (h.to_ascii_lowercase(), report.size),
        None => {
            let (h, n) = sha256_file(&report.file)?;
            (h, report.size.or(Some(n)))
        }
    };
    let notice = Notice::build(report, &sha256, size, lang);
    let txt = notice.to_text();
    let created = time::OffsetDateTime::parse(&report.checked_at, &time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| crate::time::now_vietnam());
    let pdf = notice.to_pdf(created).map_err(|e| write_error(dir, std::io::Error::other(e)))?;

    std::fs::create_dir_all(dir).map_err(|e| write_error(dir, e))?;
    let stem =
        report.file.file_stem().map(|s| s.to_string_lossy().into_owned()).filter(|s| !s.is_empty()).unwrap_or_else(|| "van-ban".into());
    for n in 1..=MAX_SUFFIX {
        let suffix = if n == 1 { String::new() } else { format!("-{n}") };
        let paths = NoticeFiles {
            txt: dir.join(format!("{stem}.thong-bao-tu-choi{suffix}.txt")),
            pdf: dir.join(format!("{stem}.thong-bao-tu-choi{suffix}.pdf")),
        };
        if paths.txt.symlink_metadata().is_ok() || paths.pdf.symlink_metadata().is_ok() {
            continue;
        }
        match persist_new(dir, &paths.txt, txt.as_bytes()) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(write_error(&paths.txt, e)),
        }
        match persist_new(dir, &paths.pdf, &pdf) {
            Ok(()) => return Ok(paths),
            Err(e) => {
                // Never leave half a notice behind.
                let _ = std::fs::remove_file(&paths.txt);
                if e.kind() == std::io::ErrorKind::AlreadyExists {
                    continue;
                }
                return Err(write_error(&paths.pdf, e));
            }
        }
    }
    Err(OutputError::OutputExists(dir.join(format!("{stem}.thong-bao-tu-choi-{MAX_SUFFIX}.txt"))).into())
}

/// How many notices for one file name a directory may hold.
const MAX_SUFFIX: u32 = 999;

fn write_error(path: &Path, source: std::io::Error) -> crate::Error {
    OutputError::WriteOutput { path: path.to_owned(), source }.into()
}

/// Write `bytes` to a new file `path`: temporary file in `dir`, flushed to disk,
/// then linked into place only if `path` does not exist yet.
fn persist_new(_dir: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    crate::atomic::write(path, bytes, crate::atomic::Mode::NoClobber)
}

fn sha256_file(path: &Path) -> Result<(String, u64), crate::Error> {
    let read_err = |source| crate::Error::from(OutputError::ReadInput { path: path.to_owned(), source });
    let mut f = std::fs::File::open(path).map_err(read_err)?;
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut total = 0u64;
    loop {
        let n = f.read(&mut buf).map_err(read_err)?;
        if n == 0 {
            break;
        }
        h.update(buf.get(..n).unwrap_or_default());
        total += n as u64;
    }
    Ok((hex::encode(h.finalize()), total))
}

/// One line of content, rendered to text and to PDF alike.
enum Item {
    Title(String),
    Subtitle(String),
    Para(String),
    Heading(String),
    SubHeading(String),
    Row { label: String, value: String, mono: bool },
    Closing(String),
    Note(String),
}

struct Notice {
    lang: Lang,
    items: Vec<Item>,
}

impl Notice {
    fn build(report: &DocumentReport, sha256: &str, size: Option<u64>, lang: Lang) -> Self {
        let t = |vi: &'static str, en: &'static str| lang.pick(vi, en).to_owned();
        let mut items = vec![Item::Title(lang.pick(TITLE_VI, TITLE_EN).into())];
        items.push(Item::Subtitle(match report.indication {
            Indication::Indeterminate => {
                t("(chưa xác định được tính hợp lệ của chữ ký số)", "(the validity of the digital signature could not be established)")
            }
            _ => t("(chữ ký số không hợp lệ)", "(the digital signature is invalid)"),
        }));
        items.push(Item::Para(match report.indication {
            Indication::Indeterminate => t(
                "Cơ quan, đơn vị nhận đã kiểm tra chữ ký số trên văn bản điện tử dưới đây và chưa xác định được chữ ký số là hợp lệ, nên chưa tiếp nhận (đăng ký) văn bản này.",
                "The receiving office checked the digital signature on the electronic document below and could not establish that it is valid, so the document has not been accepted (registered).",
            ),
            _ => t(
                "Cơ quan, đơn vị nhận đã kiểm tra chữ ký số trên văn bản điện tử dưới đây; chữ ký số không hợp lệ nên văn bản không được tiếp nhận (đăng ký).",
                "The receiving office checked the digital signature on the electronic document below; the signature is invalid, so the document has not been accepted (registered).",
            ),
        }));

        items.push(Item::Heading(t("1. Văn bản được kiểm tra", "1. The document checked")));
        let name = report.file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        items.push(Item::Row { label: t("Tên tệp:", "File name:"), value: clean(&name), mono: false });
        items.push(Item::Row { label: t("Mã băm SHA-256:", "SHA-256:"), value: sha256.to_owned(), mono: true });
        if let Some(n) = size {
            items.push(Item::Row { label: t("Kích thước:", "Size:"), value: format_size(n, lang), mono: false });
        }
        items.push(Item::Row { label: t("Thời điểm kiểm tra:", "Checked at:"), value: clean(&report.checked_at), mono: false });

        items.push(Item::Heading(t("2. Kết quả kiểm tra", "2. Result")));
        let label = report.label(lang);
        items.push(Item::Row { label: t("Kết luận:", "Verdict:"), value: label.into(), mono: false });
        let message = lang.pick(&report.message_vi, &report.message_en);
        let reason = message.strip_prefix(&format!("{label}: ")).unwrap_or(message);
        items.push(Item::Row { label: t("Lý do:", "Reason:"), value: capitalise(&clean(reason)), mono: false });

        items.push(Item::Heading(match lang {
            Lang::Vi => format!("3. Các chữ ký số trên văn bản ({})", report.signatures.len()),
            Lang::En => format!("3. Signatures in the document ({})", report.signatures.len()),
        }));
        if report.signatures.is_empty() {
            items.push(Item::Para(t("Văn bản không có chữ ký số nào.", "The document carries no digital signature.")));
        }
        for s in &report.signatures {
            signature_items(&mut items, s, lang);
        }

        items.push(Item::Closing(t(
            "Đề nghị cơ quan, tổ chức, cá nhân gửi văn bản kiểm tra lại và gửi lại văn bản điện tử đã được ký số hợp lệ.",
            "Please check the document and send it again with a valid digital signature.",
        )));
        items.push(Item::Note(match lang {
            Lang::Vi => format!(
                "Thông báo này do phần mềm KýSố lập tự động lúc {}; tệp được kiểm tra xác định bằng mã băm SHA-256 nêu trên.",
                clean(&report.checked_at)
            ),
            Lang::En => format!(
                "This notice was produced automatically by KýSố at {}; the file checked is identified by the SHA-256 above.",
                clean(&report.checked_at)
            ),
        }));
        Notice { lang, items }
    }

    fn to_text(&self) -> String {
        let width = self
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Row { label, .. } => Some(label.chars().count()),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        let mut out = String::new();
        let mut after_rows = false;
        for item in &self.items {
            let rows_end = after_rows && !matches!(item, Item::Row { .. } | Item::SubHeading(_));
            if rows_end {
                out.push('\n');
            }
            after_rows = matches!(item, Item::Row { .. });
            let _ = match item {
                Item::Title(s) => writeln!(out, "{s}"),
                Item::Subtitle(s) | Item::Para(s) | Item::Closing(s) => writeln!(out, "{s}\n"),
                Item::Heading(s) => writeln!(out, "{s}"),
                Item::SubHeading(s) => writeln!(out, "   {s}"),
                Item::Row { label, value, .. } => {
                    let pad = width.saturating_sub(label.chars().count());
                    writeln!(out, "      {label}{} {value}", " ".repeat(pad))
                }
                Item::Note(s) => writeln!(out, "--\n{s}"),
            };
        }
        out
    }

    fn to_pdf(&self, created: time::OffsetDateTime) -> Result<Vec<u8>, TextError> {
        let regular = EmbeddedFont::tinos()?;
        let bold = EmbeddedFont::tinos_bold()?;
        let page = PageSetup::a4();
        let mut doc = DocumentWriter::new(regular, page);
        doc.bold_font(bold);
        doc.title(match self.items.first() {
            Some(Item::Title(t)) => t,
            _ => TITLE_VI,
        });
        doc.language(self.lang.pick("vi", "en"));
        doc.created(created);
        doc.footer(self.lang.pick("Trang {page}/{pages}", "Page {page} of {pages}"), TextStyle::new(9.0).align(Align::Center));
        let label_width = 128.0;
        let body = 12.0;
        for item in &self.items {
            match item {
                Item::Title(s) => {
                    doc.paragraph(&drawable(regular, bold, s), TextStyle::new(13.0).bold().align(Align::Center));
                }
                Item::Subtitle(s) => {
                    doc.paragraph(&drawable(regular, bold, s), TextStyle::new(12.0).align(Align::Center).space_after(14.0));
                }
                Item::Para(s) => {
                    doc.paragraph(&drawable(regular, bold, s), TextStyle::new(body).leading(1.3).space_after(6.0));
                }
                Item::Heading(s) => {
                    doc.paragraph(&drawable(regular, bold, s), TextStyle::new(body).bold().space_before(8.0).space_after(3.0));
                }
                Item::SubHeading(s) => {
                    doc.paragraph(&drawable(regular, bold, s), TextStyle::new(11.0).bold().indent(12.0).space_before(5.0).space_after(1.0));
                }
                Item::Row { label, value, mono } => {
                    // The digest at 10 pt fits one line (64 hex digits ≤ 320 pt).
                    let vsize = if *mono { 10.0 } else { 11.0 };
                    doc.row(
                        &drawable(regular, bold, label),
                        TextStyle::new(11.0).indent(12.0).leading(1.25),
                        &drawable(regular, regular, value),
                        TextStyle::new(vsize).leading(11.0 * 1.25 / vsize),
                        label_width,
                    );
                }
                Item::Closing(s) => {
                    doc.paragraph(&drawable(regular, bold, s), TextStyle::new(body).leading(1.3).space_before(14.0));
                }
                Item::Note(s) => {
                    doc.rule(10.0);
                    doc.paragraph(&drawable(regular, bold, s), TextStyle::new(9.0).leading(1.25));
                }
            }
        }
        doc.finish()
    }
}

fn signature_items(items: &mut Vec<Item>, s: &SignatureReport, lang: Lang) {
    let t = |vi: &'static str, en: &'static str| lang.pick(vi, en).to_owned();
    items.push(Item::SubHeading(match lang {
        Lang::Vi => format!("Chữ ký số thứ {} (trường {})", s.index, clean(&s.field)),
        Lang::En => format!("Signature {} (field {})", s.index, clean(&s.field)),
    }));
    let signer = s
        .signer
        .subject
        .as_deref()
        .map(clean)
        .unwrap_or_else(|| t("(không đọc được chứng thư số của người ký)", "(the signer's certificate could not be read)"));
    items.push(Item::Row { label: t("Người ký:", "Signer:"), value: signer, mono: false });
    if let Some(issuer) = s.signer.issuer.as_deref() {
        items.push(Item::Row { label: t("Tổ chức cấp:", "Issued by:"), value: clean(issuer), mono: false });
    }
    let claimed = match s.claimed_time.as_deref() {
        Some(raw) => parse_pdf_date(raw).map(crate::time::iso8601).unwrap_or_else(|| clean(raw)),
        None => t("(không ghi)", "(not stated)"),
    };
    items.push(Item::Row { label: t("Thời điểm ký (tự khai):", "Claimed signing time:"), value: claimed, mono: false });
    if let Some(ts) = s.timestamp.as_deref() {
        let shown = time::OffsetDateTime::parse(ts, &time::format_description::well_known::Rfc3339)
            .map(crate::time::iso8601)
            .unwrap_or_else(|_| clean(ts));
        items.push(Item::Row { label: t("Dấu thời gian:", "Time-stamp:"), value: shown, mono: false });
    }
    items.push(Item::Row { label: t("Kết quả:", "Result:"), value: s.indication.label(lang).into(), mono: false });
    items.push(Item::Row { label: t("Lý do:", "Reason:"), value: clean(lang.pick(&s.message_vi, &s.message_en)), mono: false });
}

/// The first letter in upper case (`chữ ký 1 …` → `Chữ ký 1 …`).
fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `12.345 byte` / `12,345 bytes`.
fn format_size(n: u64, lang: Lang) -> String {
    let digits = n.to_string();
    let sep = lang.pick(".", ",");
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push_str(sep);
        }
        grouped.push(c);
    }
    match lang {
        Lang::Vi => format!("{grouped} byte"),
        Lang::En => format!("{grouped} bytes"),
    }
}

/// Control characters and bidirectional formatting characters as `[U+XXXX]`.
fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let bidi = matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
        if c.is_control() || bidi || c == '\u{2028}' || c == '\u{2029}' {
            let _ = write!(out, "[U+{:04X}]", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

/// `s` (already [`clean`]ed) with characters that `a` or `b` cannot draw as `[U+XXXX]`.
fn drawable(a: &EmbeddedFont, b: &EmbeddedFont, s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut out = String::with_capacity(s.len());
    for c in s.nfc() {
        if a.has_char(c) && b.has_char(c) {
            out.push(c);
        } else {
            let _ = write!(out, "[U+{:04X}]", u32::from(c));
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_grouped() {
        assert_eq!(format_size(12345, Lang::Vi), "12.345 byte");
        assert_eq!(format_size(1234567, Lang::En), "1,234,567 bytes");
        assert_eq!(format_size(999, Lang::Vi), "999 byte");
        assert_eq!(format_size(0, Lang::En), "0 bytes");
    }

    #[test]
    fn hostile_values_cannot_add_lines() {
        assert_eq!(clean("CN=A\nKết quả: Hợp lệ"), "CN=A[U+000A]Kết quả: Hợp lệ");
        assert_eq!(clean("x\u{202E}fdp.exe"), "x[U+202E]fdp.exe");
        let f = EmbeddedFont::tinos().expect("font");
        assert_eq!(drawable(f, f, "Lý 张"), "Lý [U+5F20]");
    }
}
