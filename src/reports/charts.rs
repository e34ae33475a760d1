//! The charts of the 统计报表 page (issue 10): fund money recovered by month, by fund and by kind
//! of institution, and what is still outstanding by how long it is overdue. Every bar is the sum
//! of a sheet's member query (`sheet::drill` lists the matters behind it with the same query and
//! key), so a bar and its matters never disagree.

use chrono::{Datelike, NaiveDate};
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::sheet::{SheetKind, SheetQuery};
use super::{funds, recovery, settings};
use crate::cases::Fund;
use crate::error::{ApiError, Result};
use crate::money::Money;
use crate::vocab::dates::date_text;
use crate::vocab::text::{enum_from, enum_text};

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ChartQuery {
    pub year: i32,
    /// The day the outstanding amounts are taken at (default: today, or 31 December of a past year).
    #[ts(optional = nullable)]
    pub to: Option<NaiveDate>,
}

/// One bar: its label, amount, and what opens its matters (`report.sheet_drill` with `query`, `key`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Bar {
    pub label: String,
    pub amount: Money,
    pub query: SheetQuery,
    pub key: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Charts {
    pub year: i32,
    pub to: NaiveDate,
    pub by_month: Vec<Bar>,
    pub by_fund: Vec<Bar>,
    pub by_kind: Vec<Bar>,
    pub by_age: Vec<Bar>,
}

fn sum(conn: &Connection, sql: &str, from: NaiveDate, to: NaiveDate) -> Result<i64> {
    Ok(conn
        .prepare_cached(&format!("SELECT COALESCE(SUM(fen), 0) FROM ({sql})"))?
        .query_row(params![date_text(from), date_text(to)], |r| r.get(0))?)
}

fn bar(conn: &Connection, label: String, query: SheetQuery, key: &str, sql: String) -> Result<Bar> {
    let (from, to) = query.period()?;
    Ok(Bar {
        label,
        amount: Money::from_fen(sum(conn, &sql, from, to)?),
        query,
        key: key.to_string(),
    })
}

/// The age bands of what is outstanding (days overdue, calendar days as in the ledger).
pub const AGE_BANDS: &[(&str, &str)] = &[
    ("0-0", "未逾期"),
    ("1-30", "逾期1至30天"),
    ("31-90", "逾期31至90天"),
    ("91-180", "逾期91至180天"),
    ("181-365", "逾期181天至1年"),
    ("366-", "逾期1年以上"),
];

pub fn charts(conn: &Connection, q: &ChartQuery, today: NaiveDate) -> Result<Charts> {
    if !(2000..=2099).contains(&q.year) {
        return Err(ApiError::field("year", "年份应在2000至2099年之间"));
    }
    let first = NaiveDate::from_ymd_opt(q.year, 1, 1).expect("1 January");
    let last = NaiveDate::from_ymd_opt(q.year, 12, 31).expect("31 December");
    let to = q.to.unwrap_or(today).clamp(first, last);
    let funds_query = |from: NaiveDate, to: NaiveDate| SheetQuery {
        report: SheetKind::FundsToFinance,
        from: Some(from),
        to,
    };
    let mut by_month = Vec::new();
    for m in 1..=to.month() {
        let start = NaiveDate::from_ymd_opt(q.year, m, 1).expect("first day");
        let end = if m == 12 {
            last
        } else {
            NaiveDate::from_ymd_opt(q.year, m + 1, 1).expect("first day") - chrono::Days::new(1)
        };
        by_month.push(bar(
            conn,
            format!("{m}月"),
            funds_query(start, end),
            "matter:all",
            funds::members(conn, "matter:all")?,
        )?);
    }
    let basis = settings::load(conn)?.recovered_basis;
    let found: Vec<String> = conn
        .prepare_cached(&format!(
            "SELECT CASE WHEN xregion THEN 'cross' ELSE fund END AS g FROM ({}) GROUP BY g ORDER BY g",
            match basis {
                settings::RecoveredBasis::Receipted => funds::BY_FUND_RECEIPTED,
                settings::RecoveredBasis::Arrived => funds::BY_FUND_ARRIVED,
            }
        ))?
        .query_map(params![date_text(first), date_text(to)], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut by_fund = Vec::new();
    for f in found {
        // Cross-province money (跨省异地就医) is its own bar, as in the funds report.
        let (key, label) = if f == "cross" {
            (
                "fund:cross".to_string(),
                "跨省异地就医（返回参保地）".to_string(),
            )
        } else {
            let fund: Fund = enum_from(f);
            (
                format!("fund:{}", enum_text(&fund)),
                fund.label().to_string(),
            )
        };
        by_fund.push(bar(
            conn,
            label,
            funds_query(first, to),
            &key,
            funds::members(conn, &key)?,
        )?);
    }
    let mut by_kind = Vec::new();
    for (kind, label) in [
        ("MedicalInstitution", "定点医疗机构"),
        ("RetailPharmacy", "定点零售药店"),
    ] {
        let key = format!("kind:{kind}");
        by_kind.push(bar(
            conn,
            label.to_string(),
            funds_query(first, to),
            &key,
            funds::members(conn, &key)?,
        )?);
    }
    let mut by_age = Vec::new();
    for (band, label) in AGE_BANDS {
        let key = format!("age:{band}");
        by_age.push(bar(
            conn,
            label.to_string(),
            SheetQuery {
                report: SheetKind::RecoveryLedger,
                from: Some(first),
                to,
            },
            &key,
            recovery::members(&key)?,
        )?);
    }
    Ok(Charts {
        year: q.year,
        to,
        by_month,
        by_fund,
        by_kind,
        by_age,
    })
}
