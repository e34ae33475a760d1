//! The office running this installation: who it is (`office.get|init`) and its own working-day
//! calendar data — years it entered (e.g. 2027 once the State Council publishes it) and single-day
//! overrides — stored in the database over the shipped `assets/calendar/holidays.json`.

use chrono::{Datelike, NaiveDate};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::calendar::{DayOverride, Deadline, WorkCalendar, YearData};
use crate::error::{ApiError, Result};
use crate::ids::validate_division_code;
use crate::store::{now_text, Tx};
use crate::vocab::text::{enum_from, enum_text};

/// 层级: the level of the office running this installation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum OfficeLevel {
    #[serde(alias = "县级", alias = "区县")]
    County,
    #[serde(alias = "市级")]
    City,
    #[serde(alias = "省级")]
    Province,
}

crate::labels!(OfficeLevel {
    County => "县级",
    City => "市级",
    Province => "省级",
});

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Office {
    /// 6-digit 行政区划代码
    pub code: String,
    pub name: String,
    pub level: OfficeLevel,
    pub created_at: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct OfficeInit {
    pub code: String,
    pub name: String,
    #[ts(optional = nullable)]
    pub level: Option<OfficeLevel>,
}

pub fn get(c: &Connection) -> Result<Option<Office>> {
    Ok(c.query_row(
        "SELECT code, name, level, created_at FROM office WHERE id = 1",
        [],
        |r| {
            Ok(Office {
                code: r.get(0)?,
                name: r.get(1)?,
                level: enum_from(r.get(2)?),
                created_at: r.get(3)?,
            })
        },
    )
    .optional()?)
}

/// `office.init`: once per database.
pub fn init(tx: &mut Tx<'_>, req: &OfficeInit) -> Result<Office> {
    let code = validate_division_code(&req.code).map_err(|e| e.in_field("code", "行政区划代码"))?;
    let name = req.name.trim();
    if name.is_empty() {
        return Err(ApiError::field("name", "单位名称不能为空"));
    }
    if name.chars().count() > 60 {
        return Err(ApiError::field("name", "单位名称过长（最多60个字）"));
    }
    let level = req.level.unwrap_or(OfficeLevel::County);
    if get(tx)?.is_some() {
        return Err(ApiError::conflict("本单位已经设置过，不能重复初始化"));
    }
    tx.execute(
        "INSERT INTO office (id, code, name, level, created_at) VALUES (1, ?1, ?2, ?3, ?4)",
        params![code, name, enum_text(&level), now_text()],
    )?;
    tx.touch("office", 1);
    get(tx)?.ok_or_else(|| ApiError::internal("office"))
}

// ---------------------------------------------------------------------------------------------
// The calendar: requests, and the office's years and overrides

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CountRequest {
    /// The event date (not counted).
    pub date: NaiveDate,
    pub days: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct DateRequest {
    pub date: NaiveDate,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct WorkingDayAnswer {
    pub date: NaiveDate,
    pub working: bool,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CalendarYearInput {
    pub year: i32,
    pub data: YearData,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CalendarYearInfo {
    pub year: i32,
    pub source: String,
    /// true when the office entered or replaced this year itself.
    pub from_office: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct YearRequest {
    pub year: i32,
}

/// One year as the calendar page shows it: what the counting uses, and where it comes from.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CalendarYearView {
    pub year: i32,
    /// The notice the year's arrangement comes from; None when the year has no data (weekends only).
    pub source: Option<String>,
    pub from_office: bool,
    /// Days off (weekend days inside a holiday included), overrides applied.
    pub holidays: Vec<NaiveDate>,
    /// Weekend days that are working days (调休上班), overrides applied.
    pub workdays: Vec<NaiveDate>,
    /// The office's own changes of single days in this year.
    pub overrides: Vec<DayOverride>,
    /// The arrangement as entered (ranges), for editing; None when the year has no data.
    pub data: Option<YearData>,
}

/// `calendar.year`: one year's marked days, for the month grid and the date pickers.
pub fn year_view(c: &Connection, cal: &WorkCalendar, year: i32) -> Result<CalendarYearView> {
    if !(2000..=2100).contains(&year) {
        return Err(ApiError::field("year", "年份应在2000年至2100年之间"));
    }
    let (holidays, workdays) = cal.year_marks(year);
    let office: Option<String> = c
        .query_row(
            "SELECT data FROM calendar_year WHERE year = ?1",
            [year],
            |r| r.get(0),
        )
        .optional()?;
    let data = match &office {
        Some(json) => {
            Some(serde_json::from_str(json).map_err(|e| ApiError::internal(e.to_string()))?)
        }
        None => WorkCalendar::builtin_year(year),
    };
    Ok(CalendarYearView {
        year,
        source: cal.sources().get(&year).cloned(),
        from_office: office.is_some(),
        holidays,
        workdays,
        overrides: overrides(c)?
            .into_iter()
            .filter(|o| o.date.year() == year)
            .collect(),
        data,
    })
}

/// The shipped calendar with this office's years and overrides applied.
pub fn load_calendar(c: &Connection) -> Result<WorkCalendar> {
    let mut cal = WorkCalendar::builtin();
    let mut stmt = c.prepare("SELECT year, data FROM calendar_year ORDER BY year")?;
    for row in stmt.query_map([], |r| Ok((r.get::<_, i32>(0)?, r.get::<_, String>(1)?)))? {
        let (year, data) = row?;
        let data: YearData =
            serde_json::from_str(&data).map_err(|e| ApiError::internal(e.to_string()))?;
        cal.add_year(year, &data);
    }
    for o in overrides(c)? {
        cal.apply_override(&o);
    }
    Ok(cal)
}

pub fn is_working_day(cal: &WorkCalendar, date: NaiveDate) -> WorkingDayAnswer {
    let warnings = if cal.has_year(date.year()) {
        vec![]
    } else {
        vec![format!(
            "{}年的节假日安排尚未录入，仅按周末判断",
            date.year()
        )]
    };
    WorkingDayAnswer {
        date,
        working: cal.is_working_day(date),
        warnings,
    }
}

pub fn add_workdays(cal: &WorkCalendar, r: &CountRequest) -> Result<Deadline> {
    cal.add_working_days(r.date, r.days)
}

pub fn calendar_deadline(cal: &WorkCalendar, r: &CountRequest) -> Result<Deadline> {
    cal.calendar_deadline(r.date, r.days)
}

/// Every year the calendar knows, with its source and whether the office entered it.
pub fn years(c: &Connection, cal: &WorkCalendar) -> Result<Vec<CalendarYearInfo>> {
    let mut stmt = c.prepare("SELECT year FROM calendar_year")?;
    let office_years = stmt
        .query_map([], |r| r.get::<_, i32>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(cal
        .sources()
        .iter()
        .map(|(y, s)| CalendarYearInfo {
            year: *y,
            source: s.clone(),
            from_office: office_years.contains(y),
        })
        .collect())
}

/// `calendar.set_year`: enter or replace a whole year (holidays and make-up working days).
pub fn set_year(tx: &mut Tx<'_>, r: &CalendarYearInput) -> Result<CalendarYearInfo> {
    if !(2000..=2100).contains(&r.year) {
        return Err(ApiError::field("year", "年份应在2000年至2100年之间"));
    }
    if r.data.source.trim().is_empty() {
        return Err(ApiError::field(
            "data",
            "请填写该年节假日安排的依据（文件名称和文号）",
        ));
    }
    let in_year = |d: &NaiveDate| d.year() == r.year;
    for (from, to) in &r.data.holidays {
        if from > to || !(in_year(from) || in_year(to)) {
            return Err(ApiError::field(
                "data",
                format!("假期 {from} 至 {to} 不正确：起止日期颠倒或不在{}年", r.year),
            ));
        }
    }
    if let Some(d) = r.data.workdays.iter().find(|d| !in_year(d)) {
        return Err(ApiError::field(
            "data",
            format!("调休上班日 {d} 不在{}年", r.year),
        ));
    }
    let json = serde_json::to_string(&r.data).map_err(|e| ApiError::internal(e.to_string()))?;
    tx.execute(
        "INSERT INTO calendar_year (year, data) VALUES (?1, ?2) ON CONFLICT(year) DO UPDATE SET data = excluded.data",
        params![r.year, json],
    )?;
    let id: i64 = tx.query_row(
        "SELECT id FROM calendar_year WHERE year = ?1",
        [r.year],
        |x| x.get(0),
    )?;
    tx.touch("calendar_year", id);
    Ok(CalendarYearInfo {
        year: r.year,
        source: r.data.source.clone(),
        from_office: true,
    })
}

pub fn overrides(c: &Connection) -> Result<Vec<DayOverride>> {
    let mut stmt = c.prepare("SELECT date, working, note FROM calendar_override ORDER BY date")?;
    let rows = stmt
        .query_map([], |r| {
            Ok(DayOverride {
                date: r
                    .get::<_, String>(0)?
                    .parse()
                    .map_err(|_| rusqlite::Error::InvalidQuery)?,
                working: r.get(1)?,
                note: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// `calendar.set_override`: one day made a working day or a day off, with the reason.
pub fn set_override(tx: &mut Tx<'_>, o: &DayOverride) -> Result<DayOverride> {
    if o.note.trim().is_empty() {
        return Err(ApiError::field("note", "请填写调整原因"));
    }
    tx.execute(
        "INSERT INTO calendar_override (date, working, note) VALUES (?1, ?2, ?3)
         ON CONFLICT(date) DO UPDATE SET working = excluded.working, note = excluded.note",
        params![o.date.to_string(), o.working, o.note.trim()],
    )?;
    let id: i64 = tx.query_row(
        "SELECT id FROM calendar_override WHERE date = ?1",
        [o.date.to_string()],
        |x| x.get(0),
    )?;
    tx.touch("calendar_override", id);
    Ok(o.clone())
}

pub fn remove_override(tx: &mut Tx<'_>, date: NaiveDate) -> Result<()> {
    let id: i64 = tx
        .query_row(
            "SELECT id FROM calendar_override WHERE date = ?1",
            [date.to_string()],
            |x| x.get(0),
        )
        .map_err(|_| ApiError::not_found("该日的工作日调整"))?;
    tx.execute("DELETE FROM calendar_override WHERE id = ?1", [id])?;
    tx.touch("calendar_override", id);
    Ok(())
}
