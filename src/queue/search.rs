//! Searching the queue and archive (R12): by number and symbol, title, signer or
//! file name, ignoring case and Vietnamese diacritics ("quyet dinh" finds
//! "Quyết định"), within a date range.

use serde::Deserialize;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use crate::queue::store::{row_to_raw, DOC_COLUMNS};
use crate::queue::{Document, Queue, QueueError};

/// What to look for. Every field is optional; an empty query lists everything.
#[derive(Clone, Debug, Default, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SearchQuery {
    /// Words that must all appear in the number, title, signers or file name.
    pub text: Option<String>,
    /// Earliest date, `YYYY-MM-DD` (the document's date, or its last change).
    pub from: Option<String>,
    /// Latest date, `YYYY-MM-DD`, inclusive.
    pub to: Option<String>,
}

/// Lower case without diacritics: `"Quyết Định"` → `"quyet dinh"`, `đ` → `d`.
pub fn fold(s: &str) -> String {
    s.nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| match c {
            'đ' | 'Đ' => 'd',
            c => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// Check a `YYYY-MM-DD` date (a real calendar date).
pub fn check_date(d: &str) -> Result<(), QueueError> {
    let bad = || QueueError::InvalidDate(d.to_owned());
    let b = d.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| d.get(r).filter(|s| s.bytes().all(|c| c.is_ascii_digit())).and_then(|s| s.parse::<u8>().ok());
    let year = d.get(0..4).filter(|s| s.bytes().all(|c| c.is_ascii_digit())).and_then(|s| s.parse::<i32>().ok()).ok_or_else(bad)?;
    let month = num(5..7).and_then(|m| time::Month::try_from(m).ok()).ok_or_else(bad)?;
    let day = num(8..10).ok_or_else(bad)?;
    time::Date::from_calendar_date(year, month, day).map_err(|_| bad())?;
    Ok(())
}

/// Escape `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

impl Queue {
    /// Documents matching `q`, newest first. Text is split into words, each of which
    /// must appear (case- and diacritic-insensitively) in the number and symbol,
    /// title, signers or file name; `from`/`to` bound the document's date, or the
    /// date of its last change when it has none.
    pub fn search(&self, q: &SearchQuery) -> Result<Vec<Document>, QueueError> {
        let mut sql = format!("SELECT {DOC_COLUMNS} FROM documents WHERE 1 = 1");
        let mut params: Vec<String> = Vec::new();
        if let Some(text) = &q.text {
            for word in fold(text).split_whitespace() {
                params.push(format!("%{}%", like_escape(word)));
                sql.push_str(&format!(" AND search_key LIKE ?{} ESCAPE '\\'", params.len()));
            }
        }
        let day = "COALESCE(doc_date, substr(updated_at, 1, 10))";
        for (bound, op) in [(&q.from, ">="), (&q.to, "<=")] {
            if let Some(d) = bound.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
                check_date(d)?;
                params.push(d.to_owned());
                sql.push_str(&format!(" AND {day} {op} ?{}", params.len()));
            }
        }
        sql.push_str(" ORDER BY created_at DESC, id DESC");
        let mut stmt = self.conn.prepare(&sql).map_err(self.db())?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(params.iter()), row_to_raw)
            .map_err(self.db())?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(self.db())?;
        rows.into_iter().map(|r| self.document(r)).collect()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn folds_vietnamese() {
        assert_eq!(fold("Quyết Định số 12/QĐ-UBND"), "quyet dinh so 12/qd-ubnd");
        assert_eq!(fold("Nguyễn Văn Ảnh; ĐỖ THỊ Ước"), "nguyen van anh; do thi uoc");
        // Decomposed input folds the same as composed.
        assert_eq!(fold("Quye\u{302}\u{301}t"), "quyet");
    }

    #[test]
    fn dates() {
        assert!(check_date("2026-11-22").is_ok());
        assert!(check_date("2024-02-29").is_ok());
        for bad in ["2026-02-30", "2026-13-01", "22/11/2026", "2026-1-22", "２０２６-11-22", ""] {
            assert!(check_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn like_is_escaped() {
        assert_eq!(like_escape("50%_a\\b"), "50\\%\\_a\\\\b");
    }
}
