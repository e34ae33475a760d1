//! The monthly table's submission (issue 10): the office records that it sent a month's table to
//! the city (已报送, with the date), and the 工作台 carries a clock for each month whose table is
//! due and not yet sent — due the `due_day` of the next month (002 二(五): 次月3日前), rolled to a
//! working day as the report settings say ([`due`]).
//!
//! A month's clock appears only once the office keeps the table's own records: an inspection or an
//! accountability record from 1 January of that year to the month's end (the table is cumulative).
//! An office that does not produce the table in Recoup (and every test office that never records an
//! inspection) sees no such clock. Months are looked at from January of last year to the month
//! before today's; a clock is never a case's, so a case's own clock list never holds one.

use chrono::{Datelike, NaiveDate};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::monthly::MonthlyQuery;
use super::settings::{self, ReportSettings};
use crate::calendar::{Deadline, WorkCalendar};
use crate::cases::clocks::{Clock, ClockContext, ClockSource};
use crate::error::{ApiError, Result};
use crate::store::{now_text, Tx};
use crate::vocab::dates::{date_text, parse_stored_date};
use crate::vocab::text::bounded_text;
use crate::vocab::ClockKind;

/// `report.submit`: the month's table was sent to the city on `submitted_on`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SubmissionInput {
    pub year: i32,
    pub month: u32,
    pub submitted_on: NaiveDate,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Submission {
    pub year: i32,
    pub month: u32,
    pub submitted_on: NaiveDate,
    pub note: String,
}

/// The due date of a month's table (last day `to`): the settings' day of the next month, rolled to
/// the next working day when the settings say so.
pub fn due(cal: &WorkCalendar, s: &ReportSettings, to: NaiveDate) -> Result<Deadline> {
    Ok(if s.roll_due_to_working_day {
        cal.calendar_deadline(to, s.due_day)?
    } else {
        Deadline {
            date: to + chrono::Days::new(u64::from(s.due_day)),
            warnings: vec![],
        }
    })
}

pub fn get(conn: &Connection, year: i32, month: u32) -> Result<Option<Submission>> {
    let row: Option<(String, String)> = conn
        .prepare_cached(
            "SELECT submitted_on, note FROM report_submission WHERE year = ?1 AND month = ?2",
        )?
        .query_row(params![year, month], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    row.map(|(on, note)| {
        Ok(Submission {
            year,
            month,
            submitted_on: parse_stored_date(&on)?,
            note,
        })
    })
    .transpose()
}

/// `report.submit`: records (or corrects) the day the month's table was sent; not before the
/// month has ended.
pub fn submit(tx: &mut Tx<'_>, i: &SubmissionInput) -> Result<Submission> {
    let (_, to) = MonthlyQuery {
        year: i.year,
        month: i.month,
    }
    .period()?;
    if i.submitted_on <= to {
        return Err(ApiError::field(
            "submitted_on",
            "报送日期应在该月结束之后（月度统计表统计至月末）",
        ));
    }
    let note = bounded_text(&i.note, "note", "备注", 200)?;
    let now = now_text();
    tx.execute(
        "INSERT INTO report_submission (year, month, submitted_on, note, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)
         ON CONFLICT(year, month) DO UPDATE SET submitted_on = excluded.submitted_on,
             note = excluded.note, updated_at = excluded.updated_at",
        params![i.year, i.month, date_text(i.submitted_on), note, now],
    )?;
    let id: i64 = tx.query_row(
        "SELECT id FROM report_submission WHERE year = ?1 AND month = ?2",
        params![i.year, i.month],
        |r| r.get(0),
    )?;
    tx.touch("report_submission", id);
    Ok(get(tx, i.year, i.month)?.expect("just written"))
}

/// Whether the office keeps the table's own records in `year` up to `to`.
fn has_records(conn: &Connection, year: i32, to: NaiveDate) -> Result<bool> {
    let from = date_text(NaiveDate::from_ymd_opt(year, 1, 1).expect("1 January"));
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM inspection WHERE started_on BETWEEN ?1 AND ?2)
                 OR EXISTS (SELECT 1 FROM accountability WHERE decided_on BETWEEN ?1 AND ?2)",
        )?
        .query_row(params![from, date_text(to)], |r| r.get(0))?)
}

/// 报送月度统计表: one clock per month not yet submitted (see the module's note).
pub fn clocks(conn: &Connection, ctx: &ClockContext) -> Result<Vec<Clock>> {
    // No case's clock: never stored (`cases::clock_index`), built at each read only.
    if ctx.case_id.is_some() || ctx.mode == crate::cases::clocks::ClockMode::Stored {
        return Ok(Vec::new());
    }
    let s = settings::load(conn)?;
    let mut out = Vec::new();
    let (mut y, mut m) = (ctx.today.year() - 1, 1u32);
    while (y, m) < (ctx.today.year(), ctx.today.month()) {
        let (_, to) = MonthlyQuery { year: y, month: m }.period()?;
        if get(conn, y, m)?.is_none() && has_records(conn, y, to)? {
            let due = due(ctx.calendar, &s, to)?;
            out.push(ctx.clock(
                ClockKind::MonthlyReport,
                format!("报送{y}年{m}月统计表"),
                (None, None, format!("{y}年{m}月月度统计表"), String::new()),
                to,
                due,
                format!(
                    "次月{}日前报送{}",
                    s.due_day,
                    if s.roll_due_to_working_day {
                        "（遇节假日顺延）"
                    } else {
                        ""
                    }
                ),
            ));
        }
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    Ok(out)
}

/// This module's clock sources (plugged into `api::HOOKS`).
pub const CLOCK_SOURCES: &[ClockSource] = &[clocks];
