//! Office records about tokens, written from templates the office can edit
//! (SPEC R16): the request to recover a token whose unblock code is locked
//! ([`recovery`]) and the handover record of an agency token ([`handover`]).
//!
//! A record template is plain UTF-8 text (`signature-templates/documents/*.txt`,
//! built in; a file of the same name in `<config>/kyso/templates/documents/`
//! replaces it; `--template FILE` names one). Each line is a paragraph, or a
//! directive: `#TITLE`, `#CENTER`, `#RIGHT`, `#HEADING`, `#ROW label | value`,
//! `#CERTS` (one row per certificate), `#SIGN a | b` (the titles of side-by-side
//! signature blocks), `#NAMES a | b` (the names under them, after the blank for the
//! signatures), `#SPACE pt`; `;` starts a comment; an empty line is a small space.
//! `{name}` is replaced by the record's value of that name (an unknown name stays as
//! written, so a typo shows in the output). [`render`] gives the same content as
//! text and as a PDF (A4, Tinos embedded); [`write_pair`] writes both beside each
//! other, never replacing an existing record.

pub mod handover;
pub mod recovery;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{OutputError, UsageError};
use crate::text::{Align, DocumentWriter, EmbeddedFont, PageSetup, TextStyle};

/// The two files of one record.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordFiles {
    /// The plain-text record (UTF-8).
    pub txt: PathBuf,
    /// The PDF record.
    pub pdf: PathBuf,
}

/// One certificate as a record lists it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CertLine {
    /// The holder (CN, else the subject).
    pub holder: String,
    /// Serial number, hex.
    pub serial: String,
    /// First day of validity, `dd/mm/yyyy`.
    pub valid_from: String,
    /// Last day of validity, `dd/mm/yyyy`.
    pub valid_to: String,
    /// The issuing CA (CN, else the issuer).
    pub issuer: String,
}

/// The built-in templates, by name.
const BUILTIN: &[(&str, &str)] = &[
    ("recovery-request", include_str!("../../signature-templates/documents/recovery-request.txt")),
    ("handover", include_str!("../../signature-templates/documents/handover.txt")),
];

/// The user's record template folder (`<config>/kyso/templates/documents`).
pub fn user_dir() -> Option<PathBuf> {
    crate::stamp::template::user_dir().map(|d| d.join("documents"))
}

/// The template text: `file` when given, else the user's `NAME.txt`, else the
/// built-in one.
pub fn template_text(name: &str, file: Option<&Path>) -> Result<String, crate::Error> {
    if let Some(f) = file {
        return std::fs::read_to_string(f).map_err(|source| OutputError::ReadInput { path: f.to_owned(), source }.into());
    }
    if let Some(p) = user_dir().map(|d| d.join(format!("{name}.txt"))).filter(|p| p.is_file()) {
        return std::fs::read_to_string(&p).map_err(|source| OutputError::ReadInput { path: p, source }.into());
    }
    BUILTIN
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| (*t).to_owned())
        .ok_or_else(|| UsageError::InvalidArgument { option: "--template".into(), value: name.into() }.into())
}

/// Control and bidirectional-formatting characters replaced by spaces, so a value
/// (a certificate name, a typed name) cannot add lines or reorder the record.
pub fn clean(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control()
                || ('\u{200e}'..='\u{200f}').contains(&c)
                || ('\u{202a}'..='\u{202e}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)
            {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// Replace `{name}` by `values[name]`; unknown names stay as written.
pub fn fill(line: &str, values: &BTreeMap<&str, String>) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) if after[..end].chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => {
                let key = &after[..end];
                match values.get(key) {
                    Some(v) => out.push_str(&clean(v)),
                    None => out.push_str(&rest[start..start + end + 2]),
                }
                rest = &after[end + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// One laid-out element of a record.
#[derive(Clone, Debug, PartialEq)]
enum Item {
    Title(String),
    Center(String),
    Right(String),
    Heading(String),
    Row(String, String),
    Para(String),
    Space(f32),
    Sign(Vec<String>),
    Names(Vec<String>),
}

fn split_cols(s: &str) -> Vec<String> {
    s.split('|').map(|c| c.trim().to_owned()).collect()
}

fn parse(template: &str, values: &BTreeMap<&str, String>, certs: &[CertLine]) -> Vec<Item> {
    let mut items = Vec::new();
    for raw in template.lines() {
        let line = raw.trim_end();
        if line.trim_start().starts_with(';') {
            continue;
        }
        if line.trim().is_empty() {
            items.push(Item::Space(6.0));
            continue;
        }
        let (directive, rest) = match line.strip_prefix('#') {
            Some(d) => d.split_once(' ').map(|(a, b)| (a, b.trim())).unwrap_or((d, "")),
            None => ("", line),
        };
        let rest = fill(rest, values);
        items.push(match directive {
            "TITLE" => Item::Title(rest),
            "CENTER" => Item::Center(rest),
            "RIGHT" => Item::Right(rest),
            "HEADING" => Item::Heading(rest),
            "ROW" => {
                let (l, v) = rest.split_once('|').map(|(l, v)| (l.trim().to_owned(), v.trim().to_owned())).unwrap_or((rest, String::new()));
                Item::Row(l, v)
            }
            "SPACE" => Item::Space(rest.parse::<f32>().ok().filter(|v| v.is_finite() && (0.0..=300.0).contains(v)).unwrap_or(12.0)),
            "SIGN" => Item::Sign(split_cols(&rest)),
            "NAMES" => Item::Names(split_cols(&rest)),
            "CERTS" => {
                for (i, c) in certs.iter().enumerate() {
                    items.push(Item::Row(
                        format!("{}.", i + 1),
                        clean(&format!(
                            "{} — số sê-ri {}, do {} cấp, hiệu lực từ {} đến {}",
                            c.holder, c.serial, c.issuer, c.valid_from, c.valid_to
                        )),
                    ));
                }
                if certs.is_empty() {
                    items.push(Item::Para("(không có chứng thư số nào trên thiết bị)".into()));
                }
                continue;
            }
            _ if directive.is_empty() => Item::Para(rest),
            // An unknown directive is shown as written: the office sees its typo.
            _ => Item::Para(fill(line, values)),
        });
    }
    items
}

/// A record: its content as text and as PDF bytes.
pub struct Rendered {
    /// The plain-text record.
    pub text: String,
    /// The PDF record.
    pub pdf: Vec<u8>,
}

/// Render `template` with `values` (and `certs` for `#CERTS`), titled `title`.
pub fn render(title: &str, template: &str, values: &BTreeMap<&str, String>, certs: &[CertLine]) -> Result<Rendered, crate::Error> {
    let items = parse(template, values, certs);
    let text = to_text(&items);
    let pdf = to_pdf(title, &items).map_err(|e| OutputError::WriteOutput { path: title.into(), source: std::io::Error::other(e) })?;
    Ok(Rendered { text, pdf })
}

fn to_text(items: &[Item]) -> String {
    let mut out = String::new();
    for it in items {
        match it {
            Item::Title(t) | Item::Center(t) | Item::Right(t) | Item::Para(t) => {
                out.push_str(t);
                out.push('\n');
            }
            Item::Heading(t) => {
                out.push('\n');
                out.push_str(t);
                out.push('\n');
            }
            Item::Row(l, v) => {
                out.push_str(&format!("  {l} {v}\n"));
            }
            Item::Space(_) => {
                if !out.ends_with("\n\n") {
                    out.push('\n');
                }
            }
            Item::Sign(c) => {
                out.push('\n');
                out.push_str(&c.join("    |    "));
                out.push('\n');
            }
            Item::Names(c) => {
                out.push_str("\n\n\n");
                out.push_str(&c.join("    |    "));
                out.push('\n');
            }
        }
    }
    out
}

fn to_pdf(title: &str, items: &[Item]) -> Result<Vec<u8>, crate::text::TextError> {
    let regular = EmbeddedFont::tinos()?;
    let bold = EmbeddedFont::tinos_bold()?;
    let mut w = DocumentWriter::new(regular, PageSetup::a4());
    w.bold_font(bold).title(title).language("vi-VN").created(crate::time::now_vietnam());
    let body = TextStyle::new(13.0).leading(1.3).space_after(3.0);
    for it in items {
        match it {
            Item::Title(t) => {
                w.paragraph(t, TextStyle::new(14.0).bold().align(Align::Center).space_before(6.0).space_after(6.0));
            }
            Item::Center(t) => {
                w.paragraph(t, body.align(Align::Center));
            }
            Item::Right(t) => {
                w.paragraph(t, body.align(Align::Right));
            }
            Item::Heading(t) => {
                w.paragraph(t, TextStyle::new(13.0).bold().space_before(6.0).space_after(3.0));
            }
            Item::Row(l, v) => {
                w.row(l, TextStyle::new(13.0).space_after(2.0), v, TextStyle::new(13.0).space_after(2.0), 110.0);
            }
            Item::Para(t) => {
                w.paragraph(t, body);
            }
            Item::Space(pt) => {
                w.space(*pt);
            }
            Item::Sign(c) => {
                w.columns(c, TextStyle::new(13.0).bold().space_before(12.0));
            }
            Item::Names(c) => {
                // The blank for the handwritten or digital signatures: 30 mm.
                w.space(crate::text::document::mm(30.0));
                w.columns(c, TextStyle::new(13.0).bold());
            }
        }
    }
    w.finish()
}

/// Write `rendered` as `<stem>.txt` and `<stem>.pdf` in `dir` (created if missing),
/// taking the next free suffix `-2`, `-3`… when either exists; both files or
/// neither. With `pdf_path`, the PDF goes exactly there (no clobber) and the text
/// beside it.
pub fn write_pair(rendered: &Rendered, dir: &Path, stem: &str, pdf_path: Option<&Path>) -> Result<RecordFiles, crate::Error> {
    use crate::atomic::{write, Mode};
    let werr = |path: &Path, e: std::io::Error| crate::Error::from(OutputError::from_write(path, e));
    if let Some(pdf) = pdf_path {
        let txt = pdf.with_extension("txt");
        write(pdf, &rendered.pdf, Mode::NoClobber).map_err(|e| werr(pdf, e))?;
        if let Err(e) = write(&txt, rendered.text.as_bytes(), Mode::NoClobber) {
            let _ = std::fs::remove_file(pdf);
            return Err(werr(&txt, e));
        }
        return Ok(RecordFiles { txt, pdf: pdf.to_owned() });
    }
    std::fs::create_dir_all(dir).map_err(|e| werr(dir, e))?;
    for n in 1..=999u32 {
        let suffix = if n == 1 { String::new() } else { format!("-{n}") };
        let files = RecordFiles { txt: dir.join(format!("{stem}{suffix}.txt")), pdf: dir.join(format!("{stem}{suffix}.pdf")) };
        if files.txt.symlink_metadata().is_ok() || files.pdf.symlink_metadata().is_ok() {
            continue;
        }
        match write(&files.pdf, &rendered.pdf, Mode::NoClobber) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(werr(&files.pdf, e)),
        }
        if let Err(e) = write(&files.txt, rendered.text.as_bytes(), Mode::NoClobber) {
            let _ = std::fs::remove_file(&files.pdf);
            return Err(werr(&files.txt, e));
        }
        return Ok(files);
    }
    Err(OutputError::OutputExists(dir.join(format!("{stem}-999.pdf"))).into())
}

/// `dd/mm/yyyy`.
pub fn vn_date(d: time::Date) -> String {
    format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year())
}

/// The certificate lines of a token's signing certificates (from the inventory).
pub fn cert_lines(certs: &[crate::token::CertificateInfo]) -> Vec<CertLine> {
    certs
        .iter()
        .map(|c| CertLine {
            holder: c.common_name.clone().unwrap_or_else(|| c.subject.clone()),
            serial: c.serial.clone(),
            valid_from: iso_to_vn(&c.not_before),
            valid_to: iso_to_vn(&c.not_after),
            issuer: c.issuer.clone(),
        })
        .collect()
}

/// `2026-05-01…` → `01/05/2026` (anything else unchanged).
pub fn iso_to_vn(s: &str) -> String {
    let d = s.get(0..10).and_then(|d| time::Date::parse(d, &time::macros::format_description!("[year]-[month]-[day]")).ok());
    d.map(vn_date).unwrap_or_else(|| s.to_owned())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn fills_known_names_and_keeps_unknown_ones() {
        let mut v = BTreeMap::new();
        v.insert("holder", "Nguyễn Văn An\nX".to_owned());
        assert_eq!(fill("Ông/bà {holder}, {nope} {x y}", &v), "Ông/bà Nguyễn Văn An X, {nope} {x y}");
    }

    #[test]
    fn builtin_templates_render_to_text_and_pdf() {
        let mut v = BTreeMap::new();
        v.insert("token_serial", "SN-42".to_owned());
        for (name, text) in BUILTIN {
            let r = render(name, text, &v, &[CertLine { holder: "Trần Thị Bình".into(), ..CertLine::default() }]).unwrap();
            assert!(r.pdf.starts_with(b"%PDF-"), "{name}");
            assert!(r.text.contains("SN-42"), "{name}: {}", r.text);
        }
    }
}
