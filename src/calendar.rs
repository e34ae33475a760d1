//! The one working-day calendar. Every legal clock in Recoup is counted here, never with ad-hoc
//! `+ Duration::days`.
//!
//! Counting rules (shared/DOMAIN.md §2): the day of the event is not counted; a working day
//! (工作日) skips weekends and statutory holidays but counts make-up working days (调休上班);
//! a calendar-day period whose last day is not a working day ends on the next working day
//! (行政处罚法 art. 85; 民法典 art. 203). Holidays come from the State Council's yearly notices
//! (`assets/calendar/holidays.json`, with the source of each year) plus overrides the office keeps
//! in its database. A count that runs through a year without data carries a warning.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::ApiError;

const BUILTIN: &str = include_str!("../assets/calendar/holidays.json");

/// Longest period the calendar will count, in days: far beyond any legal clock, stops runaway input.
const MAX_SPAN_DAYS: i64 = 3660;

#[derive(Debug, Deserialize)]
struct CalendarFile {
    years: BTreeMap<String, YearData>,
}

/// One year of the State Council's holiday arrangement, as shipped or as imported by the office.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct YearData {
    pub source: String,
    /// Inclusive date ranges of days off.
    pub holidays: Vec<(NaiveDate, NaiveDate)>,
    /// Weekend days that are make-up working days.
    pub workdays: Vec<NaiveDate>,
}

/// One office override of a single day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DayOverride {
    pub date: NaiveDate,
    pub working: bool,
    pub note: String,
}

/// A computed due date and what the calendar could not vouch for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Deadline {
    pub date: NaiveDate,
    /// Chinese warnings, e.g. a year without holiday data; empty when the date is certain.
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct WorkCalendar {
    holidays: BTreeSet<NaiveDate>,
    workdays: BTreeSet<NaiveDate>,
    sources: BTreeMap<i32, String>,
}

impl WorkCalendar {
    /// The calendar shipped in `assets/calendar/holidays.json`.
    pub fn builtin() -> WorkCalendar {
        let file: CalendarFile =
            serde_json::from_str(BUILTIN).expect("assets/calendar/holidays.json is valid");
        let mut cal = WorkCalendar::default();
        for (year, data) in file.years {
            let year: i32 = year.parse().expect("year key");
            cal.add_year(year, &data);
        }
        cal
    }

    /// The shipped arrangement of one year, as in the file.
    pub fn builtin_year(year: i32) -> Option<YearData> {
        let mut file: CalendarFile =
            serde_json::from_str(BUILTIN).expect("assets/calendar/holidays.json is valid");
        file.years.remove(&year.to_string())
    }

    /// Add (or replace) a year of holiday data. Replacing drops every day of the year the earlier
    /// data had off or made a working day, so an office's corrected year is exactly what it typed.
    pub fn add_year(&mut self, year: i32, data: &YearData) {
        self.holidays.retain(|d| d.year() != year);
        self.workdays.retain(|d| d.year() != year);
        for &(from, to) in &data.holidays {
            let mut d = from;
            while d <= to {
                self.holidays.insert(d);
                d = d.succ_opt().expect("date in range");
            }
        }
        self.workdays.extend(data.workdays.iter().copied());
        self.sources.insert(year, data.source.clone());
    }

    /// Apply one office override: it wins over the shipped data.
    pub fn apply_override(&mut self, o: &DayOverride) {
        if o.working {
            self.holidays.remove(&o.date);
            if is_weekend(o.date) {
                self.workdays.insert(o.date);
            }
        } else {
            self.workdays.remove(&o.date);
            self.holidays.insert(o.date);
        }
    }

    /// One year's days off of the holiday arrangement (weekend days inside a holiday included) and
    /// its make-up working days, overrides applied; plain weekends are not listed. What a month grid marks.
    pub fn year_marks(&self, year: i32) -> (Vec<NaiveDate>, Vec<NaiveDate>) {
        let in_year = |d: &&NaiveDate| d.year() == year;
        (
            self.holidays.iter().filter(in_year).copied().collect(),
            self.workdays
                .iter()
                .filter(in_year)
                .filter(|d| !self.holidays.contains(d))
                .copied()
                .collect(),
        )
    }

    pub fn has_year(&self, year: i32) -> bool {
        self.sources.contains_key(&year)
    }

    pub fn sources(&self) -> &BTreeMap<i32, String> {
        &self.sources
    }

    /// A text that differs whenever a deadline counted by this calendar may differ (its holidays,
    /// its working weekend days, the years it has data for): the stored clock due dates
    /// (`cases::clock_index`) are rebuilt when it changes.
    pub fn fingerprint(&self) -> String {
        use std::fmt::Write;
        let mut s = String::with_capacity(8 * (self.holidays.len() + self.workdays.len()) + 64);
        for d in &self.holidays {
            let _ = write!(s, "h{}", d.num_days_from_ce());
        }
        for d in &self.workdays {
            let _ = write!(s, "w{}", d.num_days_from_ce());
        }
        for y in self.sources.keys() {
            let _ = write!(s, "y{y}");
        }
        s
    }

    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        if self.holidays.contains(&d) {
            return false;
        }
        !is_weekend(d) || self.workdays.contains(&d)
    }

    /// The date N working days after `start` (the start day itself is not counted).
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> Result<Deadline, ApiError> {
        if i64::from(n) > MAX_SPAN_DAYS / 2 {
            return Err(ApiError::field("days", "工作日天数过大"));
        }
        let mut d = start;
        let mut left = n;
        let mut missing = BTreeSet::new();
        while left > 0 {
            d = next_day(d)?;
            self.note_missing(d, &mut missing);
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        Ok(Deadline {
            date: d,
            warnings: self.warnings(missing),
        })
    }

    /// The end of a period of `days` calendar days from `start`, rolled forward to the next working
    /// day when it falls on a weekend or holiday.
    pub fn calendar_deadline(&self, start: NaiveDate, days: u32) -> Result<Deadline, ApiError> {
        if i64::from(days) > MAX_SPAN_DAYS {
            return Err(ApiError::field("days", "天数过大"));
        }
        let mut missing = BTreeSet::new();
        let mut d = start
            .checked_add_signed(Duration::days(i64::from(days)))
            .ok_or_else(out_of_range)?;
        self.note_missing(d, &mut missing);
        while !self.is_working_day(d) {
            d = next_day(d)?;
            self.note_missing(d, &mut missing);
        }
        Ok(Deadline {
            date: d,
            warnings: self.warnings(missing),
        })
    }

    /// Working days strictly after `from` up to and including `to` (0 when `to <= from`).
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        let mut n = 0;
        let mut d = from;
        while d < to {
            d = d.succ_opt().expect("date in range");
            if self.is_working_day(d) {
                n += 1;
            }
        }
        n
    }

    fn note_missing(&self, d: NaiveDate, missing: &mut BTreeSet<i32>) {
        if !self.has_year(d.year()) {
            missing.insert(d.year());
        }
    }

    fn warnings(&self, missing: BTreeSet<i32>) -> Vec<String> {
        missing
            .into_iter()
            .map(|y| format!("{y}年的节假日安排尚未录入，该年仅按周末推算，期限可能不准确，请在“设置—工作日历”中补录后复核"))
            .collect()
    }
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

fn next_day(d: NaiveDate) -> Result<NaiveDate, ApiError> {
    d.succ_opt().ok_or_else(out_of_range)
}

fn out_of_range() -> ApiError {
    ApiError::field("date", "日期超出可计算范围")
}

/// Parse a `YYYY-MM-DD` date typed by a user, naming the field on error.
pub fn parse_date(field: &str, label: &str, s: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        ApiError::field(
            field,
            format!("{label}格式不正确，应为 YYYY-MM-DD，例如 2026-09-30"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn issue_example_national_day_2026() {
        // 国办发明电〔2025〕7号: 10月1日–7日 off, 10月10日 (Sat) a make-up working day.
        let cal = WorkCalendar::builtin();
        let r = cal.add_working_days(d("2026-09-30"), 5).unwrap();
        assert_eq!(r.date, d("2026-10-13"));
        assert!(r.warnings.is_empty());
    }

    #[test]
    fn every_year_2020_to_2026_is_covered_with_its_source() {
        let cal = WorkCalendar::builtin();
        for y in 2020..=2026 {
            assert!(cal.has_year(y), "{y}");
            assert!(cal.sources()[&y].contains("国办发明电"), "{y}");
        }
        assert!(!cal.has_year(2027));
    }

    #[test]
    fn holidays_and_make_up_days() {
        let cal = WorkCalendar::builtin();
        assert!(!cal.is_working_day(d("2026-10-01")));
        assert!(cal.is_working_day(d("2026-10-10"))); // Saturday, 调休上班
        assert!(!cal.is_working_day(d("2026-10-11"))); // ordinary Sunday
        assert!(cal.is_working_day(d("2026-02-14"))); // Saturday before 春节
        assert!(!cal.is_working_day(d("2026-02-23"))); // Monday inside 春节
        assert!(!cal.is_working_day(d("2020-02-01"))); // 2020 make-up day cancelled by the extension
        assert!(!cal.is_working_day(d("2020-01-31")));
        assert!(cal.is_working_day(d("2020-01-19")));
        assert!(!cal.is_working_day(d("2022-12-31")));
        assert!(cal.is_working_day(d("2023-01-03")));
    }

    #[test]
    fn event_day_is_not_counted() {
        let cal = WorkCalendar::builtin();
        // Monday 2026-11-23 + 1 working day = Tuesday.
        assert_eq!(
            cal.add_working_days(d("2026-11-23"), 1).unwrap().date,
            d("2026-11-24")
        );
        // Friday + 1 = Monday.
        assert_eq!(
            cal.add_working_days(d("2026-11-20"), 1).unwrap().date,
            d("2026-11-23")
        );
        assert_eq!(
            cal.add_working_days(d("2026-11-20"), 0).unwrap().date,
            d("2026-11-20")
        );
        // Spring Festival 2026: notice served Friday 2026-02-13, 5 working days:
        // 2/14 (Sat, make-up) 1, 2/15–2/23 off, 2/24 2, 2/25 3, 2/26 4, 2/27 5.
        assert_eq!(
            cal.add_working_days(d("2026-02-13"), 5).unwrap().date,
            d("2026-02-27")
        );
    }

    #[test]
    fn calendar_period_rolls_to_next_working_day() {
        let cal = WorkCalendar::builtin();
        // 15 days from 2026-09-16 ends 2026-10-01 (holiday) → next working day 2026-10-08.
        assert_eq!(
            cal.calendar_deadline(d("2026-09-16"), 15).unwrap().date,
            d("2026-10-08")
        );
        // Ends on an ordinary Saturday → Monday.
        assert_eq!(
            cal.calendar_deadline(d("2026-11-06"), 15).unwrap().date,
            d("2026-11-23")
        );
        // Ends on a make-up Saturday → stays.
        assert_eq!(
            cal.calendar_deadline(d("2026-09-25"), 15).unwrap().date,
            d("2026-10-10")
        );
    }

    #[test]
    fn a_year_without_data_is_flagged_not_assumed() {
        let cal = WorkCalendar::builtin();
        let r = cal.add_working_days(d("2026-12-28"), 10).unwrap();
        assert_eq!(r.warnings.len(), 1);
        assert!(r.warnings[0].contains("2027年"));
        let r = cal.calendar_deadline(d("2026-12-20"), 60).unwrap();
        assert!(r.warnings[0].contains("2027年"));
    }

    #[test]
    fn overrides_win() {
        let mut cal = WorkCalendar::builtin();
        cal.apply_override(&DayOverride {
            date: d("2026-11-24"),
            working: false,
            note: "本地停电".into(),
        });
        assert!(!cal.is_working_day(d("2026-11-24")));
        assert_eq!(
            cal.add_working_days(d("2026-11-23"), 1).unwrap().date,
            d("2026-11-25")
        );
        cal.apply_override(&DayOverride {
            date: d("2026-11-28"),
            working: true,
            note: "加班".into(),
        });
        assert!(cal.is_working_day(d("2026-11-28")));
    }

    #[test]
    fn working_days_between_counts_like_add() {
        let cal = WorkCalendar::builtin();
        let start = d("2026-09-28");
        for n in 0..30 {
            let end = cal.add_working_days(start, n).unwrap().date;
            assert_eq!(cal.working_days_between(start, end), n);
        }
    }
}
