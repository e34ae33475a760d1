//! A matter is what money is owed on: a case (its `recovery_line`s, part A) or a self-correction
//! form (its `self_correction_line`s). This module reads either into the pure [`Book`] — lines in
//! line order, every non-cancelled payment net of its completed refunds, every offset deduction —
//! and holds the small helpers the other ledger modules share.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension};

use super::book::{Book, Line};
use super::types::{LedgerLine, LedgerTotals, PaymentMethod};
use crate::cases::{self, ExpenseCategory, Fund, PartyKind, YearKind};
use crate::error::{ApiError, Result};
use crate::money::Money;
use crate::store::{office_code, Tx};
use crate::vocab::text::enum_from;

pub(crate) use crate::cases::{date_text, opt_date, parse_stored_date};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Matter {
    Case(i64),
    SelfCorrection(i64),
}

impl Matter {
    /// The rule set the matter cites (issue 9): a case's own, a self-correction form the office's.
    pub fn rules(self, conn: &rusqlite::Connection) -> Result<crate::cases::RuleSet> {
        match self {
            Matter::Case(id) => crate::cases::rules::for_case(conn, id),
            Matter::SelfCorrection(_) => crate::cases::rules::office(conn),
        }
    }

    pub fn from_ids(case_id: Option<i64>, self_correction_id: Option<i64>) -> Result<Matter> {
        match (case_id, self_correction_id) {
            (Some(c), None) => Ok(Matter::Case(c)),
            (None, Some(s)) => Ok(Matter::SelfCorrection(s)),
            _ => Err(ApiError::field(
                "case_id",
                "请指定案件或自查自纠退回明细单（二者选一）",
            )),
        }
    }
    /// Column of `payment` naming the matter.
    pub fn owner_col(self) -> &'static str {
        match self {
            Matter::Case(_) => "case_id",
            Matter::SelfCorrection(_) => "self_correction_id",
        }
    }
    /// Column of the allocation tables naming a line of this matter.
    pub fn line_col(self) -> &'static str {
        match self {
            Matter::Case(_) => "recovery_line_id",
            Matter::SelfCorrection(_) => "self_correction_line_id",
        }
    }
    pub fn id(self) -> i64 {
        match self {
            Matter::Case(id) | Matter::SelfCorrection(id) => id,
        }
    }
    pub fn case_id(self) -> Option<i64> {
        match self {
            Matter::Case(id) => Some(id),
            Matter::SelfCorrection(_) => None,
        }
    }
    pub fn self_correction_id(self) -> Option<i64> {
        match self {
            Matter::SelfCorrection(id) => Some(id),
            Matter::Case(_) => None,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Small helpers

pub(crate) use crate::vocab::dates::{cn_date as cn, today_local as today};
pub(crate) use crate::vocab::text::enum_text;

/// A required request value, or a field error "请填写…".
pub(crate) fn need<T>(v: Option<T>, field: &str, label: &str) -> Result<T> {
    v.ok_or_else(|| ApiError::field(field, format!("请填写{label}")))
}

/// An event date: not after today.
pub(crate) fn past_date(d: Option<NaiveDate>, field: &str, label: &str) -> Result<NaiveDate> {
    let d = need(d, field, label)?;
    if d > today() {
        return Err(ApiError::field(
            field,
            format!("{label}（{}）不能晚于今天", cases::cn_date(d)),
        ));
    }
    Ok(d)
}

pub(crate) use crate::vocab::dates::not_before;
pub(crate) use crate::vocab::text::{bounded_text, required_text};

pub(crate) fn positive(m: Option<Money>, field: &str, label: &str) -> Result<Money> {
    let m = need(m, field, label)?;
    if m.is_negative() || m.is_zero() {
        return Err(ApiError::field(field, format!("{label}必须大于零")));
    }
    Ok(m)
}

pub(crate) fn money(fen: i64) -> Money {
    Money::from_fen(fen)
}

/// The next id of `table` and its stable uid `<office>-<tag><id>`.
pub(crate) fn next_uid(tx: &Tx<'_>, table: &str, tag: &str) -> Result<(i64, String)> {
    let office = office_code(tx)?;
    let id: i64 = tx.query_row(
        &format!("SELECT COALESCE(MAX(id), 0) + 1 FROM {table}"),
        [],
        |r| r.get(0),
    )?;
    Ok((id, format!("{office}-{tag}{id}")))
}

/// Id of the last row inserted.
pub(crate) fn last_id(tx: &Tx<'_>) -> i64 {
    tx.last_insert_rowid()
}

// ---------------------------------------------------------------------------------------------
// Cases as the ledger sees them

#[derive(Debug, Clone)]
pub struct CaseInfo {
    pub id: i64,
    pub case_number: String,
    pub party: String,
    pub party_kind: PartyKind,
    pub administrative: bool,
    pub status: String,
    /// 立案日期: no money of the case is paid, offset or receipted before it (issue 12).
    pub filed_on: NaiveDate,
    pub decided_on: Option<NaiveDate>,
    pub decision_number: Option<String>,
    pub payment_due: Option<NaiveDate>,
    pub fine: Option<Money>,
    pub confiscation: Option<Money>,
}

impl CaseInfo {
    pub fn closed(&self) -> bool {
        self.status == "Closed" || self.status == "Dropped"
    }
    /// Refuse a change on a closed or dropped case.
    pub fn require_open(&self, what: &str) -> Result<()> {
        if self.closed() {
            return Err(ApiError::illegal(format!(
                "案件{}已{}，不能{what}",
                self.case_number,
                if self.status == "Closed" {
                    "结案"
                } else {
                    "撤销"
                }
            )));
        }
        Ok(())
    }
    /// `d` (the request's `field`, called `label`) not before the case was filed.
    pub fn not_before_filing(&self, d: NaiveDate, field: &str, label: &str) -> Result<()> {
        not_before(d, self.filed_on, field, label, "立案日期")
    }
}

pub fn case_info(conn: &Connection, id: i64) -> Result<CaseInfo> {
    let row = conn
        .query_row(
            "SELECT c.case_number, COALESCE(i.name, p.name, ''), c.party_kind, c.track, c.status,
                    d.decided_on, d.document_number, d.payment_due, d.fine_fen, d.confiscation_fen,
                    c.filed_on
             FROM case_file c LEFT JOIN institution i ON i.id = c.institution_id
             LEFT JOIN insured p ON p.id = c.insured_id
             LEFT JOIN decision d ON d.case_id = c.id WHERE c.id = ?1",
            [id],
            |r| {
                Ok(CaseInfo {
                    id,
                    case_number: r.get(0)?,
                    party: r.get(1)?,
                    party_kind: enum_from(r.get(2)?),
                    administrative: r.get::<_, String>(3)? == "Administrative",
                    status: r.get(4)?,
                    decided_on: opt_date(r.get(5)?)?,
                    decision_number: r.get(6)?,
                    payment_due: opt_date(r.get(7)?)?,
                    fine: r.get::<_, Option<i64>>(8)?.map(money),
                    confiscation: r.get::<_, Option<i64>>(9)?.map(money),
                    filed_on: parse_stored_date(&r.get::<_, String>(10)?)?,
                })
            },
        )
        .optional()?;
    row.ok_or_else(|| ApiError::not_found("案件"))
}

/// The agency named in the case's collection terms, if any.
pub fn case_agency(conn: &Connection, case_id: i64) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT agency FROM collection WHERE case_id = ?1",
            [case_id],
            |r| r.get(0),
        )
        .optional()?)
}

// ---------------------------------------------------------------------------------------------
// Lines and the book

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineRow {
    pub id: i64,
    pub fund: Fund,
    pub year_kind: Option<YearKind>,
    pub category: Option<ExpenseCategory>,
    pub due: Money,
}

impl LineRow {
    /// e.g. "职工基本医保·当年·住院费", "居民基本医保·历年", "职工基本医保·年度未区分".
    pub fn label(&self) -> String {
        let mut s = self.fund.label().to_string();
        match self.year_kind {
            Some(y) => {
                s.push('·');
                s.push_str(y.label());
            }
            None => s.push_str("·年度未区分"),
        }
        if let Some(c) = self.category {
            s.push('·');
            s.push_str(c.label());
        }
        s
    }
}

pub fn lines(conn: &Connection, m: Matter) -> Result<Vec<LineRow>> {
    let sql = match m {
        Matter::Case(_) => {
            "SELECT id, fund, year_kind, category, amount_due_fen FROM recovery_line
             WHERE case_id = ?1 ORDER BY id"
        }
        Matter::SelfCorrection(_) => {
            "SELECT id, fund, year_kind, category, amount_due_fen FROM self_correction_line
             WHERE self_correction_id = ?1 ORDER BY id"
        }
    };
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt
        .query_map([m.id()], |r| {
            Ok(LineRow {
                id: r.get(0)?,
                fund: enum_from(r.get(1)?),
                year_kind: r.get::<_, Option<String>>(2)?.map(enum_from),
                category: r.get::<_, Option<String>>(3)?.map(enum_from),
                due: money(r.get(4)?),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// One stored payment as the ledger needs it.
#[derive(Debug, Clone)]
pub struct PaymentRow {
    pub id: i64,
    pub uid: String,
    pub matter: Matter,
    pub paid_on: NaiveDate,
    pub amount: Money,
    pub method: PaymentMethod,
    pub voucher: String,
    pub payer: String,
    pub fund: Option<Fund>,
    pub agency: String,
    pub credit_at_record: Money,
    pub proof_due_on: NaiveDate,
    pub proof_received_on: Option<NaiveDate>,
    pub arrived_on: Option<NaiveDate>,
    pub cancelled_on: Option<NaiveDate>,
    pub cancel_reason: String,
    pub note: String,
}

pub const PAYMENT_COLS: &str = "id, uid, case_id, self_correction_id, paid_on, amount_fen, method, voucher, payer, fund, agency, credit_fen, proof_due_on, proof_received_on, arrived_on, cancelled_on, cancel_reason, note";

pub fn payment_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PaymentRow> {
    let case_id: Option<i64> = r.get(2)?;
    let sc: Option<i64> = r.get(3)?;
    Ok(PaymentRow {
        id: r.get(0)?,
        uid: r.get(1)?,
        matter: match case_id {
            Some(c) => Matter::Case(c),
            None => Matter::SelfCorrection(sc.unwrap_or_default()),
        },
        paid_on: parse_stored_date(&r.get::<_, String>(4)?)?,
        amount: money(r.get(5)?),
        method: enum_from(r.get(6)?),
        voucher: r.get(7)?,
        payer: r.get(8)?,
        fund: r.get::<_, Option<String>>(9)?.map(enum_from),
        agency: r.get(10)?,
        credit_at_record: money(r.get(11)?),
        proof_due_on: parse_stored_date(&r.get::<_, String>(12)?)?,
        proof_received_on: opt_date(r.get(13)?)?,
        arrived_on: opt_date(r.get(14)?)?,
        cancelled_on: opt_date(r.get(15)?)?,
        cancel_reason: r.get(16)?,
        note: r.get(17)?,
    })
}

pub fn payment_row(conn: &Connection, id: i64) -> Result<PaymentRow> {
    conn.query_row(
        &format!("SELECT {PAYMENT_COLS} FROM payment WHERE id = ?1"),
        [id],
        payment_from_row,
    )
    .optional()?
    .ok_or_else(|| ApiError::not_found("缴款记录"))
}

pub fn payments_of(conn: &Connection, m: Matter) -> Result<Vec<PaymentRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {PAYMENT_COLS} FROM payment WHERE {} = ?1 ORDER BY paid_on, id",
        m.owner_col()
    ))?;
    let rows = stmt
        .query_map([m.id()], payment_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// A matter's book: its lines with every payment and deduction on them.
pub struct Loaded {
    pub book: Book,
    pub lines: Vec<LineRow>,
}

impl Loaded {
    pub fn line(&self, id: i64) -> Option<&LineRow> {
        self.lines.iter().find(|l| l.id == id)
    }
    pub fn label(&self, id: i64) -> String {
        self.line(id).map(LineRow::label).unwrap_or_default()
    }
    /// Ids of the lines of one fund.
    pub fn fund_scope(&self, fund: Fund) -> BTreeSet<i64> {
        self.lines
            .iter()
            .filter(|l| l.fund == fund)
            .map(|l| l.id)
            .collect()
    }
    /// Funds of the matter, in line order, each once.
    pub fn funds(&self) -> Vec<Fund> {
        let mut out: Vec<Fund> = Vec::new();
        for l in &self.lines {
            if !out.contains(&l.fund) {
                out.push(l.fund);
            }
        }
        out
    }
}

pub fn load(conn: &Connection, m: Matter) -> Result<Loaded> {
    let lines = lines(conn, m)?;
    let mut book = Book::new(
        lines
            .iter()
            .map(|l| Line {
                id: l.id,
                // A line whose year is not known is booked as cross-year (004 art. 12) and
                // allocated with the prior years.
                current_year: l.year_kind == Some(YearKind::CurrentYear),
                due: l.due,
                label: l.label(),
            })
            .collect(),
    )?;
    let line_col = m.line_col();
    for p in payments_of(conn, m)? {
        if p.cancelled_on.is_some() {
            continue;
        }
        let (allocs, credit) = net_payment(conn, p.id, line_col, p.credit_at_record)?;
        book.load_payment(p.id, allocs, credit);
    }
    if let Matter::Case(case_id) = m {
        let mut stmt = conn.prepare_cached(
            "SELECT a.recovery_line_id, a.amount_fen FROM offset_allocation a
             JOIN offset_deduction d ON d.id = a.deduction_id
             JOIN offset_plan p ON p.id = d.plan_id WHERE p.case_id = ?1",
        )?;
        for row in stmt.query_map([case_id], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
        })? {
            let (line, fen) = row?;
            book.load_offset(line, money(fen));
        }
    }
    Ok(Loaded { book, lines })
}

/// A payment's allocations (in order) net of its completed refunds, and its credit net of them.
fn net_payment(
    conn: &Connection,
    payment_id: i64,
    line_col: &str,
    credit_at_record: Money,
) -> Result<(Vec<(i64, Money)>, Money)> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {line_col}, amount_fen FROM payment_allocation WHERE payment_id = ?1 ORDER BY seq"
    ))?;
    let mut allocs: Vec<(i64, Money)> = stmt
        .query_map([payment_id], |r| {
            Ok((r.get::<_, i64>(0)?, money(r.get(1)?)))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT a.{line_col}, SUM(a.amount_fen) FROM refund_allocation a
         JOIN refund r ON r.id = a.refund_id
         WHERE r.payment_id = ?1 AND r.status = 'Completed' GROUP BY a.{line_col}"
    ))?;
    let back: BTreeMap<i64, Money> = stmt
        .query_map([payment_id], |r| {
            Ok((r.get::<_, i64>(0)?, money(r.get(1)?)))
        })?
        .collect::<rusqlite::Result<_>>()?;
    for (line, amount) in allocs.iter_mut() {
        if let Some(b) = back.get(line) {
            *amount -= *b;
        }
    }
    let from_credit: i64 = conn.query_row(
        "SELECT COALESCE(SUM(from_credit_fen), 0) FROM refund WHERE payment_id = ?1 AND status = 'Completed'",
        [payment_id],
        |r| r.get(0),
    )?;
    Ok((allocs, credit_at_record - money(from_credit)))
}

/// Valid fiscal receipt number of a payment, if any.
pub fn payment_receipt(conn: &Connection, payment_id: i64) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT receipt_number FROM fiscal_receipt WHERE payment_id = ?1 AND voided_on IS NULL",
            [payment_id],
            |r| r.get(0),
        )
        .optional()?)
}

pub fn deduction_receipt(conn: &Connection, deduction_id: i64) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT receipt_number FROM fiscal_receipt WHERE deduction_id = ?1 AND voided_on IS NULL",
            [deduction_id],
            |r| r.get(0),
        )
        .optional()?)
}

/// An insured person's self-correction paid through the APP is recovered on arrival: the agency's
/// 到账确认 is the final proof there, not a fiscal receipt (004 art. 11(2)).
pub fn app_recovered(conn: &Connection, p: &PaymentRow) -> Result<bool> {
    if p.method != PaymentMethod::App || p.arrived_on.is_none() {
        return Ok(false);
    }
    let Matter::SelfCorrection(id) = p.matter else {
        return Ok(false);
    };
    let kind: String = conn.query_row(
        "SELECT party_kind FROM self_correction WHERE id = ?1",
        [id],
        |r| r.get(0),
    )?;
    Ok(kind == "Insured")
}

/// Lines with balances and what is recovered (covered by a valid receipt), plus totals.
pub fn ledger_lines(conn: &Connection, m: Matter) -> Result<(Vec<LedgerLine>, LedgerTotals)> {
    let loaded = load(conn, m)?;
    let mut recovered: BTreeMap<i64, Money> = BTreeMap::new();
    let mut awaiting = Money::ZERO;
    let mut refunded = Money::ZERO;
    for p in payments_of(conn, m)? {
        if p.cancelled_on.is_some() {
            continue;
        }
        let (allocs, _) = loaded.book.payment(p.id).unwrap_or_default();
        let done = payment_receipt(conn, p.id)?.is_some() || app_recovered(conn, &p)?;
        for (line, a) in allocs {
            if done {
                *recovered.entry(line).or_default() += a;
            } else {
                awaiting += a;
            }
        }
        let r: i64 = conn.query_row(
            "SELECT COALESCE(SUM(amount_fen), 0) FROM refund WHERE payment_id = ?1 AND status = 'Completed'",
            [p.id],
            |r| r.get(0),
        )?;
        refunded += money(r);
    }
    if let Matter::Case(case_id) = m {
        let mut stmt = conn.prepare_cached(
            "SELECT d.id, a.recovery_line_id, a.amount_fen FROM offset_allocation a
             JOIN offset_deduction d ON d.id = a.deduction_id
             JOIN offset_plan p ON p.id = d.plan_id WHERE p.case_id = ?1",
        )?;
        let rows = stmt
            .query_map([case_id], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, money(r.get(2)?)))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for (deduction, line, a) in rows {
            if deduction_receipt(conn, deduction)?.is_some() {
                *recovered.entry(line).or_default() += a;
            } else {
                awaiting += a;
            }
        }
    }
    let mut out = Vec::new();
    let mut totals = LedgerTotals {
        credit: loaded.book.credit(),
        refunded,
        awaiting_receipt: awaiting,
        ..LedgerTotals::default()
    };
    for l in &loaded.lines {
        let b = loaded.book.balance(l.id);
        let rec = recovered.get(&l.id).copied().unwrap_or_default();
        totals.due += b.due;
        totals.paid += b.paid;
        totals.offset += b.offset;
        totals.outstanding += b.outstanding;
        totals.recovered += rec;
        out.push(LedgerLine {
            line_id: l.id,
            fund: l.fund,
            year_kind: l.year_kind,
            category: l.category,
            label: l.label(),
            due: b.due,
            paid: b.paid,
            offset: b.offset,
            outstanding: b.outstanding,
            recovered: rec,
        });
    }
    Ok((out, totals))
}
