//! Vietnam time (UTC+07:00), the only time zone KýSố shows or stamps (SPEC R18).

use time::{OffsetDateTime, UtcOffset};

/// UTC+07:00, Indochina Time, with no daylight saving.
pub const VIETNAM: UtcOffset = match UtcOffset::from_hms(7, 0, 0) {
    Ok(o) => o,
    Err(_) => UtcOffset::UTC,
};

/// The current instant expressed in Vietnam time.
pub fn now_vietnam() -> OffsetDateTime {
    OffsetDateTime::now_utc().to_offset(VIETNAM)
}

/// ISO 8601 with offset, e.g. `2026-11-22T09:15:30+07:00` (R18).
pub fn iso8601(t: OffsetDateTime) -> String {
    let t = t.to_offset(VIETNAM);
    format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+07:00", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute(), t.second())
}

/// A PDF date string (ISO 32000-1 §7.9.4), e.g. `D:20261122091530+07'00'`.
pub fn pdf_date(t: OffsetDateTime) -> String {
    let t = t.to_offset(VIETNAM);
    format!("D:{:04}{:02}{:02}{:02}{:02}{:02}+07'00'", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute(), t.second())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn formats_in_vietnam_time() {
        let t = datetime!(2026-11-22 02:15:30 UTC);
        assert_eq!(iso8601(t), "2026-11-22T09:15:30+07:00");
        assert_eq!(pdf_date(t), "D:20261122091530+07'00'");
    }
}
