//! Date helpers shared by every module. Deadlines are never computed here: they come from
//! `calendar::WorkCalendar`.

use chrono::{Datelike, NaiveDate};

use crate::error::{ApiError, Result};

/// The local date of this computer (the default "today" of requests that do not say).
pub fn today_local() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// A date as stored in SQLite: 2026-09-30.
pub fn date_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub fn parse_stored_date(s: &str) -> rusqlite::Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

pub fn opt_date(s: Option<String>) -> rusqlite::Result<Option<NaiveDate>> {
    s.map(|s| parse_stored_date(&s)).transpose()
}

/// A Chinese date, as messages and papers write it: 2026年9月30日 (GB/T 9704 §7.3.5: Arabic
/// numerals, no padding).
pub fn cn_date(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// `d` (the request's `field`, called `label`) must not be before `from` (called `from_label`).
pub fn not_before(
    d: NaiveDate,
    from: NaiveDate,
    field: &str,
    label: &str,
    from_label: &str,
) -> Result<()> {
    if d < from {
        return Err(ApiError::field(
            field,
            format!(
                "{label}（{}）不能早于{from_label}（{}）",
                cn_date(d),
                cn_date(from)
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_chinese_and_order() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(cn_date(d("2026-09-03")), "2026年9月3日");
        assert!(not_before(d("2026-09-03"), d("2026-09-03"), "on", "日期", "告知日期").is_ok());
        let e = not_before(
            d("2026-09-02"),
            d("2026-09-03"),
            "on",
            "送达日期",
            "告知日期",
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "送达日期（2026年9月2日）不能早于告知日期（2026年9月3日）"
        );
    }
}
