//! The stored due dates of the case clocks (issue 13): the 工作台 (`clock.board`), the office-wide
//! `clock.list` and the 案件 list's 只看逾期 read them through an index instead of building every
//! clock of every open matter.
//!
//! A clock's due date depends on its case's rows, the working-day calendar, the rule profile, the
//! rule sets and the office, never on today: so every write command rewrites the clocks of the
//! cases it touched, in its own transaction ([`refresh`], called by `api`'s write path), and the
//! whole table is rebuilt ([`ensure`]) when the calendar it was built with differs from the one in
//! force (its fingerprint) or a write changed the calendar, the profile, a rule set or the office
//! (which marks it stale). What today decides is judged when reading: the state (overdue, due
//! soon, running) and a party's window that lapsed (not a running clock).
//!
//! Not stored, built at each read by the sources in [`ClockMode::Live`]: the clocks of no case
//! (a lead's check, a self-correction's payment proof) and a fine's (its label counts the days
//! late). They are few: open leads, pending self-correction proofs, fines of open cases.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use super::clocks::{Clock, ClockContext, ClockMode, ClockSource};
use super::parse_stored_date;
use crate::calendar::WorkCalendar;
use crate::error::Result;
use crate::vocab::text::{enum_from, enum_text};
use crate::vocab::{ClockKind, ClockState};

/// Bump when the clock sources change what they compute for the same rows: the table is rebuilt.
const VERSION: &str = "clock_due 1";

/// A write touching one of these tables may change every case's clocks: the table is rebuilt in
/// the same transaction.
const GLOBAL_TABLES: &[&str] = &["office", "rule_profile", "rule_set"];

/// A write touching one of these changes the calendar, which the core reloads after the write:
/// the table is marked stale, and rebuilt by [`ensure`] with the new calendar.
const CALENDAR_TABLES: &[&str] = &["calendar_override", "calendar_year"];

/// The day stored clocks are computed "as of": before any case, so that no source leaves a clock
/// out for being past (a party's window that lapsed is hidden when reading instead).
fn store_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 3).expect("valid date")
}

/// Whether a clock of `kind` stops being shown once past due (a party's window: 陈述申辩期 and
/// 听证申请期, `clocks::window_clocks`).
fn lapses(kind: ClockKind) -> bool {
    matches!(kind, ClockKind::StatementWindow | ClockKind::HearingRequest)
}

/// Whether a clock is stored (a case's, not judged against today).
fn is_stored(c: &Clock) -> bool {
    c.case_id.is_some() && !matches!(c.kind, ClockKind::Fine | ClockKind::CourtApplication)
}

fn fingerprint(calendar: &WorkCalendar) -> String {
    let mut h = Sha256::new();
    h.update(VERSION.as_bytes());
    h.update(calendar.fingerprint().as_bytes());
    hex(&h.finalize())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn fresh(conn: &Connection, calendar: &WorkCalendar) -> Result<bool> {
    let stored: Option<String> = conn
        .prepare_cached("SELECT fingerprint FROM clock_due_state WHERE id = 1")?
        .query_row([], |r| r.get(0))
        .optional()?;
    Ok(stored.as_deref() == Some(fingerprint(calendar).as_str()))
}

/// The stored clocks of `case_id` (every case: None), computed by the sources.
fn compute<'s>(
    conn: &Connection,
    calendar: &WorkCalendar,
    sources: impl IntoIterator<Item = &'s ClockSource>,
    case_id: Option<i64>,
) -> Result<Vec<Clock>> {
    let profile = super::profile::load(conn)?;
    let mut ctx = ClockContext::new(
        store_day(),
        profile.due_soon_days,
        calendar,
        profile,
        case_id,
    )?;
    ctx.mode = ClockMode::Stored;
    let mut out = Vec::new();
    for source in sources {
        out.extend(source(conn, &ctx)?.into_iter().filter(is_stored));
    }
    if let Some(id) = case_id {
        out.retain(|c| c.case_id == Some(id));
    }
    Ok(out)
}

fn insert(conn: &Connection, clocks: &[Clock]) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO clock_due (case_id, kind_order, kind, label, started_on, due_on, basis, warnings, lapses)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for c in clocks {
        stmt.execute(params![
            c.case_id,
            c.kind as u8,
            enum_text(&c.kind),
            c.label,
            c.started_on.to_string(),
            c.due_on.to_string(),
            c.basis,
            serde_json::to_string(&c.warnings).unwrap_or_else(|_| "[]".into()),
            lapses(c.kind),
        ])?;
    }
    Ok(())
}

/// Rebuilds the table unless it was built with this calendar and nothing global changed since.
/// Called when the core opens and before every read of the table (cheap when fresh).
pub fn ensure<'s>(
    conn: &Connection,
    calendar: &WorkCalendar,
    sources: impl IntoIterator<Item = &'s ClockSource>,
) -> Result<()> {
    if fresh(conn, calendar)? {
        return Ok(());
    }
    if conn.is_autocommit() {
        let tx = conn.unchecked_transaction()?;
        rebuild(&tx, calendar, sources)?;
        tx.commit()?;
    } else {
        rebuild(conn, calendar, sources)?;
    }
    Ok(())
}

/// Every stored clock built again by the sources, with the fingerprint of `calendar`.
fn rebuild<'s>(
    conn: &Connection,
    calendar: &WorkCalendar,
    sources: impl IntoIterator<Item = &'s ClockSource>,
) -> Result<()> {
    let clocks = compute(conn, calendar, sources, None)?;
    conn.execute("DELETE FROM clock_due", [])?;
    insert(conn, &clocks)?;
    conn.execute(
        "INSERT OR REPLACE INTO clock_due_state (id, fingerprint) VALUES (1, ?1)",
        [fingerprint(calendar)],
    )?;
    Ok(())
}

/// The cases whose clocks a touched row may change.
fn cases_of(conn: &Connection, table: &str, id: i64, out: &mut BTreeSet<i64>) -> Result<()> {
    let sql = match table {
        "case_file" => {
            out.insert(id);
            return Ok(());
        }
        "finding" | "evidence" | "evidence_hold" | "recovery_line" | "procedure_step"
        | "document_service" | "decision" | "agreement_measure" | "payment" | "offset_plan"
        | "fine" => format!("SELECT case_id FROM {table} WHERE id = ?1"),
        "payment_allocation" => "SELECT p.case_id FROM payment_allocation a
             JOIN payment p ON p.id = a.payment_id WHERE a.id = ?1"
            .into(),
        "refund" => "SELECT p.case_id FROM refund r JOIN payment p ON p.id = r.payment_id
             WHERE r.id = ?1"
            .into(),
        "refund_allocation" => "SELECT p.case_id FROM refund_allocation a
             JOIN refund r ON r.id = a.refund_id JOIN payment p ON p.id = r.payment_id WHERE a.id = ?1"
            .into(),
        "offset_plan_fund" | "offset_deduction" => format!(
            "SELECT p.case_id FROM {table} t JOIN offset_plan p ON p.id = t.plan_id WHERE t.id = ?1"
        ),
        "offset_allocation" => "SELECT p.case_id FROM offset_allocation a
             JOIN offset_deduction d ON d.id = a.deduction_id JOIN offset_plan p ON p.id = d.plan_id
             WHERE a.id = ?1"
            .into(),
        "fine_payment" => "SELECT f.case_id FROM fine_payment t JOIN fine f ON f.id = t.fine_id
             WHERE t.id = ?1"
            .into(),
        // A suspension's clock lasts while its institution is suspended.
        "institution" => "SELECT case_id FROM agreement_measure
             WHERE institution_id = ?1 AND kind = 'AgreementSuspension'"
            .into(),
        _ => return Ok(()),
    };
    let mut stmt = conn.prepare_cached(&sql)?;
    let ids = stmt
        .query_map([id], |r| r.get::<_, Option<i64>>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    out.extend(ids.into_iter().flatten());
    Ok(())
}

/// Rewrites, inside a write transaction, the stored clocks of every case a touched row belongs
/// to; a change to the profile, a rule set or the office rebuilds the whole table, and one to the
/// calendar marks it stale (rebuilt by [`ensure`] once the core has reloaded the calendar).
pub fn refresh(
    conn: &Connection,
    calendar: &WorkCalendar,
    sources: &[&ClockSource],
    touched: &[(&'static str, i64)],
) -> Result<()> {
    if touched.is_empty() {
        return Ok(());
    }
    if touched.iter().any(|(t, _)| CALENDAR_TABLES.contains(t)) {
        conn.execute("DELETE FROM clock_due_state", [])?;
        return Ok(());
    }
    if touched.iter().any(|(t, _)| GLOBAL_TABLES.contains(t)) {
        return rebuild(conn, calendar, sources.iter().copied());
    }
    // A stale table is rebuilt whole anyway.
    let present: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM clock_due_state)")?
        .query_row([], |r| r.get(0))?;
    if !present {
        return Ok(());
    }
    let mut cases = BTreeSet::new();
    for &(table, id) in touched {
        cases_of(conn, table, id, &mut cases)?;
    }
    for case_id in cases {
        conn.prepare_cached("DELETE FROM clock_due WHERE case_id = ?1")?
            .execute([case_id])?;
        let clocks = compute(conn, calendar, sources.iter().copied(), Some(case_id))?;
        insert(conn, &clocks)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Reading

/// `AND` conditions on the stored clocks visible today in `state` (all states: None) and of `kind`.
fn conditions(state: Option<ClockState>, kind: Option<ClockKind>) -> String {
    // ?1 = today, ?2 = the first day no longer "due soon"; a lapsed window is not shown.
    let mut sql = String::from("NOT (lapses = 1 AND due_on < ?1)");
    match state {
        Some(ClockState::Overdue) => sql.push_str(" AND due_on < ?1"),
        Some(ClockState::DueSoon) => sql.push_str(" AND due_on >= ?1 AND due_on < ?2"),
        Some(ClockState::Running) => sql.push_str(" AND due_on >= ?2"),
        None => {}
    }
    if let Some(k) = kind {
        sql.push_str(&format!(" AND kind_order = {}", k as u8));
    }
    sql
}

/// How many stored clocks are visible today, in `state`, of `kind`.
pub fn count(
    conn: &Connection,
    ctx: &ClockContext,
    state: Option<ClockState>,
    kind: Option<ClockKind>,
) -> Result<i64> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT COUNT(*) FROM clock_due WHERE {} AND ?2 = ?2",
            conditions(state, kind)
        ))?
        .query_row(
            params![ctx.today.to_string(), ctx.soon_from().to_string()],
            |r| r.get(0),
        )?)
}

/// The first `limit` stored clocks visible today, in `state`, of `kind`, in the list's order
/// (due date, kind, case, label), not yet finished.
pub fn first(
    conn: &Connection,
    ctx: &ClockContext,
    state: Option<ClockState>,
    kind: Option<ClockKind>,
    limit: i64,
) -> Result<Vec<Clock>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT case_id, kind, label, started_on, due_on, basis, warnings FROM clock_due
         WHERE {} AND ?2 = ?2 ORDER BY due_on, kind_order, case_id, label LIMIT ?3",
        conditions(state, kind)
    ))?;
    let rows = stmt
        .query_map(
            params![ctx.today.to_string(), ctx.soon_from().to_string(), limit],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    parse_stored_date(&r.get::<_, String>(3)?)?,
                    parse_stored_date(&r.get::<_, String>(4)?)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                ))
            },
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows
        .into_iter()
        .map(
            |(case_id, kind, label, started_on, due_on, basis, warnings)| Clock {
                kind: enum_from(kind),
                label,
                case_id: Some(case_id),
                lead_id: None,
                reference: String::new(),
                party: String::new(),
                started_on,
                due_on,
                state: ctx.state(due_on),
                working_days_left: 0,
                basis,
                warnings: serde_json::from_str(&warnings).unwrap_or_default(),
            },
        )
        .collect())
}

/// The stored clocks visible today counted by kind: (kind, [overdue, due soon, running]).
pub fn counts_by_kind(conn: &Connection, ctx: &ClockContext) -> Result<Vec<(ClockKind, [i64; 3])>> {
    let mut stmt = conn.prepare_cached(
        "SELECT kind, SUM(due_on < ?1), SUM(due_on >= ?1 AND due_on < ?2), SUM(due_on >= ?2)
         FROM clock_due WHERE NOT (lapses = 1 AND due_on < ?1) GROUP BY kind_order, kind",
    )?;
    let rows = stmt
        .query_map(
            params![ctx.today.to_string(), ctx.soon_from().to_string()],
            |r| {
                Ok((
                    enum_from::<ClockKind>(r.get(0)?),
                    [r.get(1)?, r.get(2)?, r.get(3)?],
                ))
            },
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The cases with a stored clock past due today (a lapsed window aside), read through the due
/// date index; a case with several is listed once for each (the caller sorts and dedups).
pub fn overdue_cases(conn: &Connection, today: NaiveDate) -> Result<Vec<i64>> {
    let mut stmt =
        conn.prepare_cached("SELECT case_id FROM clock_due WHERE due_on < ?1 AND lapses = 0")?;
    let ids = stmt
        .query_map([today.to_string()], |r| r.get::<_, i64>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(ids)
}
