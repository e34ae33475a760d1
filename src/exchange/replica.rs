//! A county's replica at the city's hub (issue 11: "keeps each county's replica read-only and
//! shows the 002 table per county, overdue clocks by county, a county's matter").
//!
//! The hub holds every county's entries (`replica_entry`, whole-row images). Here they are replayed,
//! in the county's order, into a database of the county's own (`<hub>.replicas/<code>.sqlite`; in
//! memory for an in-memory hub) with the same schema, so that the city reads a county's table, its
//! clocks and its matters with the very commands the county runs — the same queries, no second
//! implementation — through `Core::county_read`, which allows `read` commands only.
//!
//! The replica is derived, not audited: it is brought up to the entries the hub holds before each
//! read ([`catch_up`]); the number of the last entry replayed is kept in the replica itself, in the
//! same transaction as the rows. Deleting the file costs a rebuild, nothing else.

use std::collections::HashMap;

use rusqlite::types::Value as SqlValue;
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{ApiError, ErrorCode, Result};
use crate::money::Money;
use crate::reports::monthly::{
    fixed, progress, wan_yuan, HeaderGroup, MonthlyCell, MonthlyColumn, MonthlyTable,
};
use crate::store::{audit, AUDITED_TABLES};

/// What the city asks of a county's replica: one read command with its payload.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct CountyRead {
    /// The county's office code.
    pub code: String,
    pub command: String,
    pub payload: serde_json::Value,
}

/// The commands the city may run on a county's replica: what the county's 工作台, 案件, 追回台账,
/// 文书 and 统计报表 pages read.
pub const COUNTY_READS: &[&str] = &[
    "office.get",
    "case.list",
    "case.get",
    "clock.list",
    "clock.board",
    "ledger.case",
    "fine.list",
    "document.list",
    "document.get",
    "report.monthly",
    "report.monthly_drill",
    "report.monthly_xlsx",
    "report.monthly_pdf",
    "report.sheet",
    "report.sheet_drill",
    "institution.list",
    "lead.list",
    // What each county did with what the city sent down (issue 11, "Downward").
    "down.list",
];

/// Refuses what the replica does not serve.
pub fn check_command(command: &str) -> Result<()> {
    if COUNTY_READS.contains(&command) {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::Forbidden,
            "区县数据在市级只能查看，不能修改",
        ))
    }
}

/// Whether `code` is a county registered at this hub (a replica exists only for those).
pub fn is_county(hub: &Connection, code: &str) -> Result<bool> {
    Ok(hub
        .query_row(
            "SELECT 1 FROM exchange_peer WHERE code = ?1 AND role = 'county'",
            [code],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Masked columns that are unique in a county's own database (`insured.id_number`). In the replica
/// a masked 身份证号 keeps only its first 6 and last 4 characters, so two persons of one district may
/// share it: the replica's copy of such a table has no unique constraint on those columns (found at
/// 100,000 insured persons by `exchange_bench`). The table is rebuilt once, everything else as the
/// county's; its rows are the county's rows.
const RELAXED: &[(&str, &str)] = &[("insured", "id_number")];

/// Drop the unique constraint of [`RELAXED`] columns in a replica (idempotent; in `Store::replay`,
/// foreign keys off). The table is created again from its own statement without `UNIQUE` on the
/// column, its rows copied, and its indexes and triggers made again.
pub fn relax_masked_unique(tx: &Transaction<'_>) -> Result<()> {
    for &(table, column) in RELAXED {
        let unique: bool = tx.query_row(
            &format!(
                "SELECT EXISTS (SELECT 1 FROM pragma_index_list('{table}') l
                   JOIN pragma_index_info(l.name) i WHERE l.origin = 'u' AND i.name = '{column}')"
            ),
            [],
            |r| r.get(0),
        )?;
        if !unique {
            continue;
        }
        let create: String = tx.query_row(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?1",
            [table],
            |r| r.get(0),
        )?;
        let relaxed = relax_column(&create, column).ok_or_else(|| {
            ApiError::internal(format!("区县副本的表{table}无法调整（{column}）"))
        })?;
        let mut stmt = tx.prepare(
            "SELECT sql FROM sqlite_master WHERE tbl_name = ?1 AND type IN ('index', 'trigger') AND sql IS NOT NULL",
        )?;
        let others = stmt
            .query_map([table], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let scratch = format!("{table}__relaxed");
        tx.execute_batch(&format!(
            "{};
             INSERT INTO {scratch} SELECT * FROM {table};
             DROP TABLE {table};
             ALTER TABLE {scratch} RENAME TO {table};",
            relaxed.replacen(
                &format!("CREATE TABLE {table}"),
                &format!("CREATE TABLE {scratch}"),
                1
            )
        ))?;
        for sql in others {
            tx.execute_batch(&sql)?;
        }
    }
    Ok(())
}

/// `CREATE TABLE` text without `UNIQUE` right after `column`'s type and constraints.
fn relax_column(create: &str, column: &str) -> Option<String> {
    let start = create.find(&format!("\n    {column} "))? + 1;
    let end = start + create[start..].find([',', '\n'])?;
    let def = &create[start..end];
    let without = def.replacen(" UNIQUE", "", 1);
    (without != def).then(|| format!("{}{without}{}", &create[..start], &create[end..]))
}

const STATE: &str =
    "CREATE TABLE IF NOT EXISTS replica_state (origin TEXT PRIMARY KEY, seq INTEGER NOT NULL)";

/// Replays into `replica` the entries of `origin` the hub holds after the last one replayed;
/// answers how many. One transaction (`Store::replay`): all or nothing.
pub fn catch_up(hub: &Connection, replica: &Transaction<'_>, origin: &str) -> Result<usize> {
    replica.execute_batch(STATE)?;
    let done: i64 = replica
        .query_row(
            "SELECT seq FROM replica_state WHERE origin = ?1",
            [origin],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0);
    let mut reader = audit::ChangesReader::new()?;
    let mut stmt = hub.prepare(
        "SELECT seq, changes FROM replica_entry WHERE origin = ?1 AND seq > ?2 ORDER BY seq",
    )?;
    let mut rows = stmt.query(params![origin, done])?;
    let mut tables = Tables::default();
    let mut touched: Vec<(&'static str, i64)> = Vec::new();
    let (mut n, mut last) = (0, done);
    while let Some(r) = rows.next()? {
        let seq: i64 = r.get(0)?;
        let changes = reader
            .read(r.get_ref(1)?)
            .ok_or_else(|| ApiError::new(ErrorCode::Storage, "副本记录无法读取"))?;
        apply(replica, &mut tables, changes, &mut touched)?;
        n += 1;
        last = seq;
    }
    if n == 0 {
        return Ok(0);
    }
    touched.sort_unstable();
    touched.dedup();
    crate::store::search::refresh(replica, &touched)?;
    // Every stored clock is built again on the next read (`cases::clock_index::ensure`).
    replica.execute("DELETE FROM clock_due_state", [])?;
    replica.execute(
        "INSERT INTO replica_state (origin, seq) VALUES (?1, ?2)
         ON CONFLICT (origin) DO UPDATE SET seq = excluded.seq",
        params![origin, last],
    )?;
    Ok(n)
}

/// The columns of each table (name → whether it holds bytes), read once.
#[derive(Default)]
pub(crate) struct Tables(HashMap<&'static str, HashMap<String, bool>>);

impl Tables {
    fn columns(&mut self, c: &Connection, table: &'static str) -> Result<&HashMap<String, bool>> {
        if !self.0.contains_key(table) {
            let mut stmt = c.prepare(&format!("PRAGMA table_info({table})"))?;
            let cols = stmt
                .query_map([], |r| {
                    let name: String = r.get(1)?;
                    let kind: String = r.get(2)?;
                    Ok((name, kind.to_ascii_uppercase().contains("BLOB")))
                })?
                .collect::<rusqlite::Result<HashMap<_, _>>>()?;
            self.0.insert(table, cols);
        }
        Ok(&self.0[table])
    }
}

#[derive(Deserialize)]
struct Change {
    table: String,
    id: i64,
    after: Option<serde_json::Map<String, serde_json::Value>>,
}

/// One entry's changes: each row written as its image says (updated where it exists, inserted
/// where not — so the derived tables' triggers see an update as one), or deleted.
pub(crate) fn apply(
    tx: &Connection,
    tables: &mut Tables,
    changes: &str,
    touched: &mut Vec<(&'static str, i64)>,
) -> Result<()> {
    let changes: Vec<Change> = serde_json::from_str(changes)
        .map_err(|e| ApiError::internal(format!("副本记录无法读取：{e}")))?;
    for ch in changes {
        // Only the audited tables, by their own names (never a name from the file).
        let Some(table) = AUDITED_TABLES.iter().copied().find(|t| *t == ch.table) else {
            return Err(ApiError::internal(format!(
                "副本记录含有未知的表：{}",
                ch.table
            )));
        };
        touched.push((table, ch.id));
        let Some(after) = ch.after else {
            tx.prepare_cached(&format!("DELETE FROM {table} WHERE id = ?1"))?
                .execute([ch.id])?;
            continue;
        };
        let cols = tables.columns(tx, table)?;
        let mut names = Vec::new();
        let mut values = Vec::new();
        for (k, v) in &after {
            let Some(&blob) = cols.get(k) else {
                continue;
            };
            names.push(format!("\"{}\"", k.replace('"', "\"\"")));
            values.push(sql_value(v, blob));
        }
        let set = names
            .iter()
            .enumerate()
            .map(|(i, n)| format!("{n} = ?{}", i + 1))
            .collect::<Vec<_>>()
            .join(", ");
        let id_param = values.len() + 1;
        let mut with_id = values.clone();
        with_id.push(SqlValue::Integer(ch.id));
        let updated = tx
            .prepare_cached(&format!("UPDATE {table} SET {set} WHERE id = ?{id_param}"))?
            .execute(rusqlite::params_from_iter(with_id.iter()))?;
        if updated == 0 {
            let marks = (1..=values.len())
                .map(|i| format!("?{i}"))
                .collect::<Vec<_>>()
                .join(", ");
            tx.prepare_cached(&format!(
                "INSERT INTO {table} ({}) VALUES ({marks})",
                names.join(", ")
            ))?
            .execute(rusqlite::params_from_iter(values.iter()))?;
        }
    }
    Ok(())
}

/// A value of a row image as stored: bytes were written as hex (`audit::row_image`).
fn sql_value(v: &serde_json::Value, blob: bool) -> SqlValue {
    match v {
        serde_json::Value::Null => SqlValue::Null,
        serde_json::Value::Bool(b) => SqlValue::Integer(*b as i64),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => SqlValue::Integer(i),
            None => SqlValue::Text(n.to_string()),
        },
        serde_json::Value::String(s) if blob => match hex::decode(s) {
            Ok(b) => SqlValue::Blob(b),
            Err(_) => SqlValue::Text(s.clone()),
        },
        serde_json::Value::String(s) => SqlValue::Text(s.clone()),
        other => SqlValue::Text(other.to_string()),
    }
}

/// One county's row of the city's monthly table.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CountyMonthlyRow {
    pub code: String,
    pub name: String,
    /// The county's own table from its replica: what it holds of the county's entries.
    pub cells: Vec<MonthlyCell>,
    /// Days since the county's last bundle (how current its row is); None before the first.
    #[ts(optional = nullable)]
    pub days_since_contact: Option<i64>,
}

/// The 002 table per county and the city total (issue 11, the city's hub; seed 002 二(五): the
/// counties report monthly). Each county's row is its replica's `report.monthly`; the total adds
/// the counts and the exact amounts, rounded to 万元 once, and computes 检查进度 from the summed
/// counts (not an average of percentages).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CityMonthly {
    pub year: i32,
    pub month: u32,
    pub groups: Vec<HeaderGroup>,
    pub counties: Vec<CountyMonthlyRow>,
    pub total: Vec<MonthlyCell>,
    pub notes: Vec<String>,
}

/// The city total of the counties' tables (see [`CityMonthly`]); `decimals` of the 万元 figure.
pub fn city_total(rows: &[CountyMonthlyRow], decimals: u32) -> Vec<MonthlyCell> {
    let Some(first) = rows.first() else {
        return Vec::new();
    };
    let sum = |column: MonthlyColumn| -> (i64, Money) {
        rows.iter()
            .flat_map(|r| r.cells.iter().filter(|c| c.column == column))
            .fold((0, Money::ZERO), |(n, m), c| {
                (n + c.count, m + c.amount.unwrap_or(Money::ZERO))
            })
    };
    first
        .cells
        .iter()
        .map(|c| {
            let (count, amount) = sum(c.column);
            match c.column {
                MonthlyColumn::Progress => {
                    let inspected = sum(MonthlyColumn::InspectedTotal).0;
                    let total = sum(MonthlyColumn::InstitutionsTotal).0;
                    MonthlyCell {
                        column: c.column,
                        text: fixed(progress(inspected, total), 2),
                        count: inspected,
                        amount: None,
                    }
                }
                MonthlyColumn::Recovered => MonthlyCell {
                    column: c.column,
                    text: fixed(wan_yuan(amount.fen(), decimals), decimals),
                    count,
                    amount: Some(amount),
                },
                _ => MonthlyCell {
                    column: c.column,
                    text: count.to_string(),
                    count,
                    amount: None,
                },
            }
        })
        .collect()
}

/// The counties registered at the hub and not revoked: (code, name, days since the last bundle).
pub fn counties(hub: &Connection) -> Result<Vec<(String, String, Option<i64>)>> {
    Ok(crate::exchange::assign::overview(hub)?
        .into_iter()
        .filter(|c| !c.revoked)
        .map(|c| (c.code, c.name, c.days_since_contact))
        .collect())
}

/// The city's table from its counties' tables (their `report.monthly`, read by the caller).
pub fn city_monthly(
    year: i32,
    month: u32,
    counties: Vec<(String, String, Option<i64>, MonthlyTable)>,
    decimals: u32,
) -> CityMonthly {
    let groups = counties
        .first()
        .map(|c| c.3.groups.clone())
        .unwrap_or_default();
    let notes = counties
        .first()
        .map(|c| c.3.notes.clone())
        .unwrap_or_default();
    let rows: Vec<CountyMonthlyRow> = counties
        .into_iter()
        .map(|(code, name, days, t)| CountyMonthlyRow {
            code,
            name,
            cells: t.cells,
            days_since_contact: days,
        })
        .collect();
    let mut notes = notes;
    notes.push(format!(
        "{}．各区县数据为本单位已收到的区县数据（以各区县最近一次报送为准）；合计栏的检查进度按合计的已检查机构数与定点医药机构数计算，追回资金按精确到分的金额合计后折算万元。",
        notes.len() + 1
    ));
    CityMonthly {
        year,
        month,
        groups,
        total: city_total(&rows, decimals),
        counties: rows,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(column: MonthlyColumn, count: i64, amount: Option<&str>) -> MonthlyCell {
        MonthlyCell {
            column,
            text: String::new(),
            count,
            amount: amount.map(|a| Money::parse(a).unwrap()),
        }
    }

    fn county(total: i64, inspected: i64, recovered: &str) -> CountyMonthlyRow {
        CountyMonthlyRow {
            code: String::new(),
            name: String::new(),
            cells: vec![
                cell(MonthlyColumn::InstitutionsTotal, total, None),
                cell(MonthlyColumn::InspectedTotal, inspected, None),
                cell(MonthlyColumn::Progress, inspected, None),
                cell(MonthlyColumn::Recovered, 2, Some(recovered)),
            ],
            days_since_contact: None,
        }
    }

    /// The city total adds counts and exact amounts, rounds the 万元 once, and takes 检查进度 from
    /// the summed counts: 30 of 40 institutions is 75.00 %, not the mean of 50 % and 100 %.
    #[test]
    fn the_city_total_adds_counts_and_cents_and_computes_the_progress_from_the_sums() {
        let t = city_total(&[county(20, 10, "4999.99"), county(20, 20, "0.02")], 2);
        let text: Vec<&str> = t.iter().map(|c| c.text.as_str()).collect();
        // 4,999.99 + 0.02 = 5,000.01 元 = 0.500001 万元 → 0.50.
        assert_eq!(text, ["40", "30", "75.00", "0.50"]);
        assert_eq!(t[3].amount, Some(Money::parse("5000.01").unwrap()));
        assert_eq!(t[3].count, 4);
    }
}
