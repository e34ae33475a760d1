//! Monthly reconciliation (004 art. 14; 001 art. 13, 23): business records against finance records
//! for one month, per agency and fund — what notices and forms asked for, what arrived or was
//! deducted, what was refunded, what was receipted — and every mismatch standing at the end of the
//! month. Each kind of mismatch has its own named check below.
//!
//! Set-based (issue 13): the month's work follows the records that can say something about it,
//! never the office's history of matters. A payment says something about a month only if something
//! happened to it in or after the month (arrived, receipted, refunded: the date indexes) or if it is
//! open now (not arrived, no valid receipt, its proof late or missing, an over-payment, a refund
//! requested: the partial indexes and the `payment_unreceipted` table of 0023); likewise a
//! deduction (settled in the month, receipted in or after it, or unreceipted); a notice only if it
//! was issued in the month; an offset plan only if it was running at the month's end; an overdue
//! matter only if it is open now with a decision (status 已决定 or 执行中) whose deadline had passed.
//! Those records are read in a few batched queries and put through the same named checks as
//! before; `reconcile_by_matter` (the first, matter-by-matter implementation) is kept as the
//! reference the tests and `report_bench` compare this one with, row for row and mismatch for
//! mismatch, in the same order.
//!
//! Which matters count is unchanged: cases with recovery lines filed by the end of the month and not
//! closed before it began, and every self-correction form.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate};
use rusqlite::types::ToSql;
use rusqlite::{params, Connection};

use super::matter::{
    cn, date_text, money, opt_date, parse_stored_date, payment_from_row, today, Matter, PaymentRow,
    PAYMENT_COLS,
};
use super::offset::Month;
use super::types::*;
use crate::cases::{Fund, Rule};
use crate::error::Result;
use crate::money::Money;
use crate::vocab::text::enum_from;

const NO_AGENCY: &str = "（未指定经办机构）";

/// Where a mismatch goes in the list: the order of the matter-by-matter reconciliation (cases by
/// id, then forms by id; within a matter its payments by date and id, each payment's checks in
/// order, then its offset plans, then what is overdue).
type Order = (u8, i64, u8, i64, i64, i64, i64);

pub fn reconcile(conn: &Connection, q: &ReconcileQuery) -> Result<Reconciliation> {
    Ok(run(conn, q, false)?.0)
}

/// A figure of a row of the reconciliation (the money columns; 实收 is 到账 + 抵扣 − 退款).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Figure {
    NoticesIssued,
    Arrived,
    Offset,
    Refunded,
    Received,
    Receipted,
}

/// What one matter put into one figure of one row (agency, fund): the rows behind the figures,
/// recorded where each figure is added up, so that a figure and its matters come from the same
/// computation (`reports::funds`, the printed reconciliation's drill-down).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contribution {
    pub agency: String,
    pub fund: Option<Fund>,
    pub figure: Figure,
    pub matter: Matter,
    pub amount: Money,
}

/// The reconciliation and, for every figure, what each matter put into it (实收 as its three
/// parts: 到账 and 抵扣 added, 退款 taken away).
pub fn reconcile_with_members(
    conn: &Connection,
    q: &ReconcileQuery,
) -> Result<(Reconciliation, Vec<Contribution>)> {
    run(conn, q, true)
}

/// Runs the reconciliation inside one read transaction (a savepoint, so that it also runs inside a
/// caller's transaction): every query sees the same state of the database, and SQLite takes its
/// read lock once instead of once per statement.
fn run(
    conn: &Connection,
    q: &ReconcileQuery,
    keep_members: bool,
) -> Result<(Reconciliation, Vec<Contribution>)> {
    conn.execute_batch("SAVEPOINT reconcile")?;
    let out = run_in(conn, q, keep_members);
    // Nothing was written: releasing only ends the read transaction.
    conn.execute_batch("RELEASE reconcile")?;
    out
}

fn run_in(
    conn: &Connection,
    q: &ReconcileQuery,
    keep_members: bool,
) -> Result<(Reconciliation, Vec<Contribution>)> {
    let month = q.month.unwrap_or_else(|| Month::of(today()));
    let first = month.first_day();
    let last = month.last_day();
    let mut r = Reconciler {
        conn,
        month,
        first,
        last,
        f: date_text(first),
        l: date_text(last),
        rows: BTreeMap::new(),
        mismatches: Vec::new(),
        rules: crate::cases::rules::office(conn)?,
        rule_sets: HashMap::new(),
        cases: HashMap::new(),
        forms: HashMap::new(),
        members: keep_members.then(Vec::new),
    };
    r.notices()?;
    r.payments()?;
    r.deductions()?;
    r.offsets_missing()?;
    r.overdue()?;
    let mut members = r.members.take().unwrap_or_default();
    // 实收 = 到账 + 抵扣 − 退款 (as `finish` computes it), so its members are theirs.
    let received: Vec<Contribution> = members
        .iter()
        .filter_map(|c| {
            let amount = match c.figure {
                Figure::Arrived | Figure::Offset => c.amount,
                Figure::Refunded => -c.amount,
                _ => return None,
            };
            Some(Contribution {
                figure: Figure::Received,
                amount,
                ..c.clone()
            })
        })
        .collect();
    members.extend(received);
    Ok((r.finish(), members))
}

/// `[1,2,3]`: a list of ids for `json_each`.
fn id_list<'a>(ids: impl IntoIterator<Item = &'a i64>) -> String {
    let mut s = String::from("[");
    for (i, id) in ids.into_iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&id.to_string());
    }
    s.push(']');
    s
}

fn ids(conn: &Connection, sql: &str, p: &[&dyn ToSql]) -> Result<BTreeSet<i64>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let out = stmt
        .query_map(p, |r| r.get::<_, Option<i64>>(0))?
        .filter_map(|r| r.transpose())
        .collect::<rusqlite::Result<BTreeSet<i64>>>()?;
    Ok(out)
}

fn days(d: NaiveDate) -> i64 {
    d.num_days_from_ce() as i64
}

/// A case as the reconciliation reads it.
struct CaseRow {
    number: String,
    filed_on: NaiveDate,
    closed_on: Option<NaiveDate>,
    status: String,
    has_lines: bool,
    /// The agency of the collection terms, else [`NO_AGENCY`].
    agency: String,
    /// When the notice was issued: the 通知单, else the decision.
    issued_on: Option<NaiveDate>,
    payment_due: Option<NaiveDate>,
    /// The rule set the case was filed under (issue 9: its mismatches cite that one).
    rule_set_id: Option<i64>,
}

impl CaseRow {
    fn closed(&self) -> bool {
        self.status == "Closed" || self.status == "Dropped"
    }
}

/// A self-correction form as the reconciliation reads it.
struct FormRow {
    number: String,
    agency: String,
    submitted_on: NaiveDate,
    insured: bool,
}

/// One line: (id, fund, due).
type LineFund = (i64, Fund, Money);

/// A payment's rows: allocations (seq order: line, fund, amount), refunds, refund allocations.
#[derive(Default)]
struct PaymentData {
    allocs: Vec<(i64, Fund, Money)>,
    refunds: Vec<RefundRow>,
    /// The valid receipt: (its id, issued on, amount); its number is read only for a mismatch.
    receipt: Option<(i64, NaiveDate, Money)>,
}

struct RefundRow {
    id: i64,
    amount: Money,
    status: String,
    requested: NaiveDate,
    refunded_on: Option<NaiveDate>,
    from_credit: Money,
    /// Allocations taken back: (line, fund, amount).
    lines: Vec<(i64, Fund, Money)>,
}

struct Reconciler<'c> {
    conn: &'c Connection,
    month: Month,
    first: NaiveDate,
    last: NaiveDate,
    f: String,
    l: String,
    rows: BTreeMap<(String, Option<Fund>), ReconcileRow>,
    mismatches: Vec<(Order, Mismatch)>,
    /// The office's rule set: what a self-correction form's mismatches cite.
    rules: crate::cases::RuleSet,
    /// The rule sets the cases were filed under, by id, each read once.
    rule_sets: HashMap<i64, crate::cases::RuleSet>,
    cases: HashMap<i64, CaseRow>,
    forms: HashMap<i64, FormRow>,
    /// What each matter put into each figure, when asked for (the drill-down).
    members: Option<Vec<Contribution>>,
}

impl Reconciler<'_> {
    fn within(&self, d: Option<NaiveDate>) -> bool {
        d.is_some_and(|d| d >= self.first && d <= self.last)
    }

    /// Adds `amount` of matter `m` to a figure of the row (agency, fund).
    fn add(&mut self, agency: &str, fund: Option<Fund>, figure: Figure, m: Matter, amount: Money) {
        let row = self
            .rows
            .entry((agency.to_string(), fund))
            .or_insert_with(|| ReconcileRow {
                agency: agency.to_string(),
                fund,
                ..ReconcileRow::default()
            });
        *match figure {
            Figure::NoticesIssued => &mut row.notices_issued,
            Figure::Arrived => &mut row.arrived,
            Figure::Offset => &mut row.offset,
            Figure::Refunded => &mut row.refunded,
            Figure::Received => &mut row.received,
            Figure::Receipted => &mut row.receipted,
        } += amount;
        if let Some(members) = &mut self.members {
            members.push(Contribution {
                agency: agency.to_string(),
                fund,
                figure,
                matter: m,
                amount,
            });
        }
    }

    /// Reads the cases and forms among `m` not read yet.
    fn load_matters(&mut self, m: impl IntoIterator<Item = Matter>) -> Result<()> {
        let (mut cases, mut forms) = (BTreeSet::new(), BTreeSet::new());
        for m in m {
            match m {
                Matter::Case(id) if !self.cases.contains_key(&id) => {
                    cases.insert(id);
                }
                Matter::SelfCorrection(id) if !self.forms.contains_key(&id) => {
                    forms.insert(id);
                }
                _ => {}
            }
        }
        if !cases.is_empty() {
            let mut stmt = self.conn.prepare_cached(
                "SELECT c.id, c.case_number, c.filed_on, c.closed_on, c.status,
                        EXISTS (SELECT 1 FROM recovery_line r WHERE r.case_id = c.id),
                        col.agency, col.issued_on, d.decided_on, d.payment_due, c.rule_set_id
                 FROM case_file c LEFT JOIN collection col ON col.case_id = c.id
                 LEFT JOIN decision d INDEXED BY decision_case_dates ON d.case_id = c.id
                 WHERE c.id IN (SELECT value FROM json_each(?1))",
            )?;
            let rows = stmt
                .query_map([id_list(&cases)], |r| {
                    let issued: Option<NaiveDate> = opt_date(r.get(7)?)?;
                    let decided: Option<NaiveDate> = opt_date(r.get(8)?)?;
                    Ok((
                        r.get::<_, i64>(0)?,
                        CaseRow {
                            number: r.get(1)?,
                            filed_on: parse_stored_date(&r.get::<_, String>(2)?)?,
                            closed_on: opt_date(r.get(3)?)?,
                            status: r.get(4)?,
                            has_lines: r.get(5)?,
                            agency: r
                                .get::<_, Option<String>>(6)?
                                .unwrap_or_else(|| NO_AGENCY.to_string()),
                            issued_on: issued.or(decided),
                            payment_due: opt_date(r.get(9)?)?,
                            rule_set_id: r.get(10)?,
                        },
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            for (_, c) in &rows {
                if let Some(id) = c.rule_set_id {
                    if !self.rule_sets.contains_key(&id) {
                        let set = crate::cases::rules::stored(self.conn, id)?;
                        self.rule_sets.insert(id, set);
                    }
                }
            }
            self.cases.extend(rows);
        }
        if !forms.is_empty() {
            let mut stmt = self.conn.prepare_cached(
                "SELECT id, form_number, agency, submitted_on, party_kind FROM self_correction
                 WHERE id IN (SELECT value FROM json_each(?1))",
            )?;
            let rows = stmt
                .query_map([id_list(&forms)], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        FormRow {
                            number: r.get(1)?,
                            agency: r.get(2)?,
                            submitted_on: parse_stored_date(&r.get::<_, String>(3)?)?,
                            insured: r.get::<_, String>(4)? == "Insured",
                        },
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            self.forms.extend(rows);
        }
        Ok(())
    }

    /// Whether the month's reconciliation reads the matter: a case with recovery lines filed by
    /// the end of the month and not closed before it began (a case closed earlier has nothing in
    /// it: closing needed every payment arrived and receipted, nothing owed or pending,
    /// `ledger::closure_blockers`), or a self-correction form.
    fn in_scope(&self, m: Matter) -> bool {
        match m {
            Matter::Case(id) => self.cases.get(&id).is_some_and(|c| {
                c.has_lines
                    && c.filed_on <= self.last
                    && c.closed_on.is_none_or(|d| d >= self.first)
            }),
            Matter::SelfCorrection(id) => self.forms.contains_key(&id),
        }
    }

    /// What a mismatch of matter `m` cites for rule `r`: the case's own rule set, else the office's.
    fn cite(&self, m: Matter, r: Rule) -> String {
        let case_set = match m {
            Matter::Case(id) => self
                .cases
                .get(&id)
                .and_then(|c| c.rule_set_id)
                .and_then(|id| self.rule_sets.get(&id)),
            Matter::SelfCorrection(_) => None,
        };
        case_set.unwrap_or(&self.rules).cite(r)
    }

    fn reference(&self, m: Matter) -> String {
        match m {
            Matter::Case(id) => self.cases.get(&id).map(|c| c.number.clone()),
            Matter::SelfCorrection(id) => self.forms.get(&id).map(|f| f.number.clone()),
        }
        .unwrap_or_default()
    }

    fn order(m: Matter, phase: u8, a: i64, b: i64, c: i64, d: i64) -> Order {
        match m {
            Matter::Case(id) => (0, id, phase, a, b, c, d),
            Matter::SelfCorrection(id) => (1, id, phase, a, b, c, d),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        order: Order,
        m: Matter,
        kind: MismatchKind,
        agency: &str,
        fund: Option<Fund>,
        amount: Money,
        detail: String,
    ) {
        let mismatch = Mismatch {
            kind,
            agency: agency.to_string(),
            fund,
            reference: self.reference(m),
            case_id: m.case_id(),
            self_correction_id: m.self_correction_id(),
            amount,
            detail,
        };
        self.mismatches.push((order, mismatch));
    }

    /// The lines of matters, in line order: (line id, fund, due) per matter.
    fn lines_of(&self, m: &BTreeSet<Matter>) -> Result<BTreeMap<Matter, Vec<LineFund>>> {
        let mut out: BTreeMap<Matter, Vec<LineFund>> = BTreeMap::new();
        let cases: Vec<i64> = m.iter().filter_map(|m| m.case_id()).collect();
        let forms: Vec<i64> = m.iter().filter_map(|m| m.self_correction_id()).collect();
        for (list, sql, case) in [
            (
                cases,
                "SELECT case_id, id, fund, amount_due_fen FROM recovery_line INDEXED BY recovery_line_case_fund
                 WHERE case_id IN (SELECT value FROM json_each(?1)) ORDER BY id",
                true,
            ),
            (
                forms,
                "SELECT self_correction_id, id, fund, amount_due_fen FROM self_correction_line
                 WHERE self_correction_id IN (SELECT value FROM json_each(?1)) ORDER BY id",
                false,
            ),
        ] {
            if list.is_empty() {
                continue;
            }
            let mut stmt = self.conn.prepare_cached(sql)?;
            let rows = stmt
                .query_map([id_list(&list)], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, i64>(1)?,
                        enum_from::<Fund>(r.get(2)?),
                        money(r.get(3)?),
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            for (owner, id, fund, due) in rows {
                let m = if case {
                    Matter::Case(owner)
                } else {
                    Matter::SelfCorrection(owner)
                };
                out.entry(m).or_default().push((id, fund, due));
            }
        }
        Ok(out)
    }

    /// Notices issued / forms submitted this month: what was asked for.
    fn notices(&mut self) -> Result<()> {
        let (f, l) = (self.f.clone(), self.l.clone());
        let mut matters: BTreeSet<Matter> = ids(
            self.conn,
            "SELECT case_id FROM decision WHERE decided_on BETWEEN ?1 AND ?2
             UNION SELECT case_id FROM collection WHERE issued_on BETWEEN ?1 AND ?2",
            &[&f, &l],
        )?
        .into_iter()
        .map(Matter::Case)
        .collect();
        matters.extend(
            ids(
                self.conn,
                "SELECT id FROM self_correction WHERE submitted_on BETWEEN ?1 AND ?2",
                &[&f, &l],
            )?
            .into_iter()
            .map(Matter::SelfCorrection),
        );
        self.load_matters(matters.iter().copied())?;
        matters.retain(|m| {
            self.in_scope(*m)
                && self.within(match m {
                    Matter::Case(id) => self.cases.get(id).and_then(|c| c.issued_on),
                    Matter::SelfCorrection(id) => self.forms.get(id).map(|f| f.submitted_on),
                })
        });
        let lines = self.lines_of(&matters)?;
        for m in &matters {
            let agency = match m {
                Matter::Case(id) => self.cases[id].agency.clone(),
                Matter::SelfCorrection(id) => self.forms[id].agency.clone(),
            };
            for (_, fund, due) in lines.get(m).map(Vec::as_slice).unwrap_or_default() {
                self.add(&agency, Some(*fund), Figure::NoticesIssued, *m, *due);
            }
        }
        Ok(())
    }

    /// Every payment the month can say something about, through the named checks.
    fn payments(&mut self) -> Result<()> {
        let (f, l) = (self.f.clone(), self.l.clone());
        // Arrived in or after the month (arrivals; not arrived by its end); not arrived at all and
        // not cancelled by its end; receipted in or after it; without a valid receipt now; with a
        // completed refund (refunds of the month; a receipt that no longer matches) or one still
        // requested; proof late or missing; an over-payment. Each from an index alone (the
        // unarrived through its partial index: the planner otherwise walked the NULL range of
        // `payment_arrived_on` and read every such payment's row for its cancellation).
        let candidates = ids(
            self.conn,
            "SELECT id FROM payment WHERE arrived_on >= ?1
             UNION SELECT id FROM payment INDEXED BY payment_unarrived
                   WHERE arrived_on IS NULL AND (cancelled_on IS NULL OR cancelled_on > ?2)
             UNION SELECT payment_id FROM fiscal_receipt INDEXED BY fiscal_receipt_issued_cover
                   WHERE issued_on >= ?1 AND payment_id IS NOT NULL AND voided_on IS NULL
             UNION SELECT payment_id FROM payment_unreceipted
             UNION SELECT payment_id FROM refund WHERE status = 'Completed'
             UNION SELECT payment_id FROM refund WHERE status = 'Requested'
             UNION SELECT id FROM payment WHERE (proof_received_on IS NULL OR proof_received_on > proof_due_on) AND proof_due_on <= ?2
             UNION SELECT id FROM payment WHERE credit_fen > 0",
            &[&f, &l],
        )?;
        if candidates.is_empty() {
            return Ok(());
        }
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {PAYMENT_COLS} FROM payment WHERE id IN (SELECT value FROM json_each(?1))"
        ))?;
        let mut payments = stmt
            .query_map([id_list(&candidates)], payment_from_row)?
            .collect::<rusqlite::Result<Vec<PaymentRow>>>()?;
        // Up to the end of the month and not cancelled by then.
        let last = self.last;
        payments.retain(|p| p.paid_on <= last && !p.cancelled_on.is_some_and(|d| d <= last));
        self.load_matters(payments.iter().map(|p| p.matter))?;
        payments.retain(|p| self.in_scope(p.matter));
        if payments.is_empty() {
            return Ok(());
        }
        let mut data = self.payment_data(&payments)?;
        for p in &payments {
            let d = data.remove(&p.id).unwrap_or_default();
            self.payment(p, &d)?;
        }
        Ok(())
    }

    /// The allocations, refunds and valid receipt of each payment.
    fn payment_data(&self, payments: &[PaymentRow]) -> Result<HashMap<i64, PaymentData>> {
        let list = id_list(payments.iter().map(|p| &p.id));
        let mut data: HashMap<i64, PaymentData> = HashMap::new();
        // A line's fund is looked up under the payment's case in `recovery_line_case_fund` (0034),
        // from the index alone: the line's own row is wide.
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.payment_id, COALESCE(a.recovery_line_id, a.self_correction_line_id),
                    COALESCE(rl.fund, sl.fund), a.amount_fen
             FROM payment_allocation a JOIN payment p ON p.id = a.payment_id
             LEFT JOIN recovery_line rl INDEXED BY recovery_line_case_fund
                  ON rl.case_id = p.case_id AND rl.id = a.recovery_line_id
             LEFT JOIN self_correction_line sl ON sl.id = a.self_correction_line_id
             WHERE a.payment_id IN (SELECT value FROM json_each(?1)) ORDER BY a.payment_id, a.seq",
        )?;
        for row in stmt.query_map([&list], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                enum_from::<Fund>(r.get(2)?),
                money(r.get(3)?),
            ))
        })? {
            let (p, line, fund, amount) = row?;
            data.entry(p).or_default().allocs.push((line, fund, amount));
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, payment_id, amount_fen, status, requested_on, refunded_on, from_credit_fen
             FROM refund WHERE payment_id IN (SELECT value FROM json_each(?1)) ORDER BY id",
        )?;
        let mut refund_of: HashMap<i64, (i64, usize)> = HashMap::new();
        for row in stmt.query_map([&list], |r| {
            Ok((
                r.get::<_, i64>(1)?,
                RefundRow {
                    id: r.get(0)?,
                    amount: money(r.get(2)?),
                    status: r.get(3)?,
                    requested: parse_stored_date(&r.get::<_, String>(4)?)?,
                    refunded_on: opt_date(r.get(5)?)?,
                    from_credit: money(r.get(6)?),
                    lines: Vec::new(),
                },
            ))
        })? {
            let (p, refund) = row?;
            let refunds = &mut data.entry(p).or_default().refunds;
            refund_of.insert(refund.id, (p, refunds.len()));
            refunds.push(refund);
        }
        if !refund_of.is_empty() {
            let mut stmt = self.conn.prepare_cached(
                "SELECT ra.refund_id, COALESCE(ra.recovery_line_id, ra.self_correction_line_id),
                        COALESCE(rl.fund, sl.fund), ra.amount_fen
                 FROM refund_allocation ra JOIN refund f ON f.id = ra.refund_id
                 JOIN payment p ON p.id = f.payment_id
                 LEFT JOIN recovery_line rl INDEXED BY recovery_line_case_fund
                      ON rl.case_id = p.case_id AND rl.id = ra.recovery_line_id
                 LEFT JOIN self_correction_line sl ON sl.id = ra.self_correction_line_id
                 WHERE ra.refund_id IN (SELECT value FROM json_each(?1)) ORDER BY ra.id",
            )?;
            let refunds = id_list(refund_of.keys());
            for row in stmt.query_map([refunds], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    enum_from::<Fund>(r.get(2)?),
                    money(r.get(3)?),
                ))
            })? {
                let (refund, line, fund, amount) = row?;
                if let Some((p, i)) = refund_of.get(&refund) {
                    if let Some(d) = data.get_mut(p) {
                        d.refunds[*i].lines.push((line, fund, amount));
                    }
                }
            }
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT payment_id, id, issued_on, amount_fen
             FROM fiscal_receipt INDEXED BY fiscal_receipt_payment_issued
             WHERE payment_id IN (SELECT value FROM json_each(?1)) AND voided_on IS NULL",
        )?;
        for row in stmt.query_map([&list], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                parse_stored_date(&r.get::<_, String>(2)?)?,
                money(r.get(3)?),
            ))
        })? {
            let (p, receipt, issued, amount) = row?;
            data.entry(p).or_default().receipt = Some((receipt, issued, amount));
        }
        Ok(data)
    }

    /// One payment up to the end of the month: arrival, receipt, proof, credit, refunds.
    fn payment(&mut self, p: &PaymentRow, d: &PaymentData) -> Result<()> {
        let at =
            |sub: i64, refund: i64| Self::order(p.matter, 0, days(p.paid_on), p.id, sub, refund);
        // What the payment still has on the lines (net of completed refunds, no zero amounts)
        // and its credit; a payment cancelled since has neither (the book leaves it out).
        let (allocs, credit): (Vec<(i64, Fund, Money)>, Money) = if p.cancelled_on.is_some() {
            (Vec::new(), Money::ZERO)
        } else {
            let mut back: HashMap<i64, Money> = HashMap::new();
            let mut from_credit = Money::ZERO;
            for r in d.refunds.iter().filter(|r| r.status == "Completed") {
                from_credit += r.from_credit;
                for (line, _, a) in &r.lines {
                    *back.entry(*line).or_default() += *a;
                }
            }
            let net = d
                .allocs
                .iter()
                .map(|(line, fund, a)| {
                    (
                        *line,
                        *fund,
                        *a - back.get(line).copied().unwrap_or_default(),
                    )
                })
                .filter(|(_, _, a)| !a.is_zero())
                .collect();
            (net, p.credit_at_record - from_credit)
        };
        let arrived_by_end = p.arrived_on.is_some_and(|d| d <= self.last);
        // Arrivals: the payment as recorded (refunds are counted when paid back).
        if self.within(p.arrived_on) {
            for (_, fund, a) in &d.allocs {
                self.add(&p.agency, Some(*fund), Figure::Arrived, p.matter, *a);
            }
            if !p.credit_at_record.is_zero() {
                let fund = self.credit_fund(p, d)?;
                self.add(
                    &p.agency,
                    fund,
                    Figure::Arrived,
                    p.matter,
                    p.credit_at_record,
                );
            }
        }
        // Paid but not confirmed as arrived by the end of the month.
        if !arrived_by_end {
            let detail = format!(
                "{}缴款 {} 元（凭证号 {}）至{}仍未确认到账",
                cn(p.paid_on),
                p.amount.grouped(),
                p.voucher,
                cn(self.last)
            );
            self.push(
                at(0, 0),
                p.matter,
                MismatchKind::NotArrived,
                &p.agency,
                p.fund,
                p.amount,
                detail,
            );
        }
        self.receipt(p, d, &allocs, arrived_by_end, at(1, 0), at(2, 0))?;
        self.proof(p, at(3, 0));
        if !credit.is_zero() && arrived_by_end {
            // An over-payment not yet paid back (004 art. 15).
            let detail = format!(
                "{}缴款多缴 {} 元，尚未退还{}",
                cn(p.paid_on),
                credit.grouped(),
                self.cite(p.matter, Rule::ErroneousRefund)
            );
            self.push(
                at(4, 0),
                p.matter,
                MismatchKind::CreditNotRefunded,
                &p.agency,
                p.fund,
                credit,
                detail,
            );
        }
        self.refunds(p, d, at)
    }

    /// The fiscal receipt of the payment (004 art. 11): receipted this month, amount equal to what
    /// the payment recovered, issued at all; an insured person's APP refund needs none.
    fn receipt(
        &mut self,
        p: &PaymentRow,
        d: &PaymentData,
        allocs: &[(i64, Fund, Money)],
        arrived_by_end: bool,
        amount_at: Order,
        missing_at: Order,
    ) -> Result<()> {
        let recovery: Money = allocs.iter().map(|(_, _, a)| *a).sum();
        let app = p.method == PaymentMethod::App
            && p.arrived_on.is_some()
            && matches!(p.matter, Matter::SelfCorrection(id) if self.forms.get(&id).is_some_and(|f| f.insured));
        let last = self.last;
        match &d.receipt {
            Some((receipt, issued, amount)) => {
                let issued = *issued;
                if self.within(Some(issued)) {
                    for (_, fund, a) in allocs {
                        self.add(&p.agency, Some(*fund), Figure::Receipted, p.matter, *a);
                    }
                }
                if *amount != recovery && issued <= last {
                    let number: String = self.conn.query_row(
                        "SELECT receipt_number FROM fiscal_receipt WHERE id = ?1",
                        [receipt],
                        |r| r.get(0),
                    )?;
                    let detail = format!(
                        "财政票据 {number} 金额 {} 元，与该笔缴款现记入追回明细的 {} 元不一致",
                        amount.grouped(),
                        recovery.grouped()
                    );
                    self.push(
                        amount_at,
                        p.matter,
                        MismatchKind::ReceiptAmount,
                        &p.agency,
                        p.fund,
                        *amount - recovery,
                        detail,
                    );
                }
                if issued > last && arrived_by_end && !recovery.is_zero() {
                    let detail = format!(
                        "{}到账 {} 元，至{}尚未开具财政票据（{}开具）",
                        cn(p.arrived_on.unwrap_or(p.paid_on)),
                        recovery.grouped(),
                        cn(last),
                        cn(issued)
                    );
                    self.push(
                        missing_at,
                        p.matter,
                        MismatchKind::NotReceipted,
                        &p.agency,
                        p.fund,
                        recovery,
                        detail,
                    );
                }
            }
            None if app => {
                if self.within(p.arrived_on) {
                    for (_, fund, a) in allocs {
                        self.add(&p.agency, Some(*fund), Figure::Receipted, p.matter, *a);
                    }
                }
            }
            None => {
                if arrived_by_end && !recovery.is_zero() {
                    let detail = format!(
                        "{}到账 {} 元，尚未开具财政票据{}",
                        cn(p.arrived_on.unwrap_or(p.paid_on)),
                        recovery.grouped(),
                        self.cite(p.matter, Rule::FiscalReceipt)
                    );
                    self.push(
                        missing_at,
                        p.matter,
                        MismatchKind::NotReceipted,
                        &p.agency,
                        p.fund,
                        recovery,
                        detail,
                    );
                }
            }
        }
        Ok(())
    }

    /// Proof of payment within 3 working days (004 art. 9).
    fn proof(&mut self, p: &PaymentRow, at: Order) {
        let last = self.last;
        if p.proof_due_on > last || p.proof_received_on.is_some_and(|d| d <= p.proof_due_on) {
            return;
        }
        let detail = match p.proof_received_on {
            Some(d) if d <= last => format!(
                "{}缴款的凭证应于{}前送达，实际{}送达",
                cn(p.paid_on),
                cn(p.proof_due_on),
                cn(d)
            ),
            _ => format!(
                "{}缴款的凭证应于{}前送达{}，至{}未送达",
                cn(p.paid_on),
                cn(p.proof_due_on),
                self.cite(p.matter, Rule::PaymentProof),
                cn(last)
            ),
        };
        self.push(
            at,
            p.matter,
            MismatchKind::ProofMissing,
            &p.agency,
            p.fund,
            p.amount,
            detail,
        );
    }

    /// Refunds paid back this month; requests still open at its end.
    fn refunds(
        &mut self,
        p: &PaymentRow,
        d: &PaymentData,
        at: impl Fn(i64, i64) -> Order,
    ) -> Result<()> {
        let last = self.last;
        for r in &d.refunds {
            if r.status == "Completed" && self.within(r.refunded_on) {
                for (_, fund, a) in &r.lines {
                    self.add(&p.agency, Some(*fund), Figure::Refunded, p.matter, *a);
                }
                if !r.from_credit.is_zero() {
                    let fund = self.credit_fund(p, d)?;
                    self.add(&p.agency, fund, Figure::Refunded, p.matter, r.from_credit);
                }
            }
            let open_at_end = r.requested <= last
                && (r.status == "Requested" || r.refunded_on.is_some_and(|d| d > last));
            if open_at_end {
                let detail = format!(
                    "{}申请退款 {} 元，至{}尚未办结",
                    cn(r.requested),
                    r.amount.grouped(),
                    cn(last)
                );
                self.push(
                    at(5, r.id),
                    p.matter,
                    MismatchKind::RefundPending,
                    &p.agency,
                    p.fund,
                    r.amount,
                    detail,
                );
            }
        }
        Ok(())
    }

    /// The fund account an over-payment sits in: the one paid into, else the fund of the line the
    /// payment filled last (where the surplus spilled over), else the matter's first line's.
    fn credit_fund(&self, p: &PaymentRow, d: &PaymentData) -> Result<Option<Fund>> {
        if p.fund.is_some() {
            return Ok(p.fund);
        }
        if let Some((_, fund, _)) = d.allocs.last() {
            return Ok(Some(*fund));
        }
        let lines = self.lines_of(&BTreeSet::from([p.matter]))?;
        Ok(lines
            .get(&p.matter)
            .and_then(|l| l.first())
            .map(|(_, fund, _)| *fund))
    }

    /// Offset deductions (004 art. 10): deducted and receipted this month, receipts missing.
    fn deductions(&mut self) -> Result<()> {
        let (f, l) = (self.f.clone(), self.l.clone());
        let candidates = ids(
            self.conn,
            "SELECT id FROM offset_deduction WHERE settled_on BETWEEN ?1 AND ?2
             UNION SELECT deduction_id FROM fiscal_receipt INDEXED BY fiscal_receipt_issued_cover
                   WHERE issued_on >= ?1 AND deduction_id IS NOT NULL AND voided_on IS NULL
             UNION SELECT deduction_id FROM deduction_unreceipted",
            &[&f, &l],
        )?;
        if candidates.is_empty() {
            return Ok(());
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT d.id, d.plan_id, p.case_id, p.agency, d.fund, d.month, d.settled_on, d.deducted_fen,
                    r.issued_on
             FROM offset_deduction d JOIN offset_plan p ON p.id = d.plan_id
             LEFT JOIN fiscal_receipt r ON r.deduction_id = d.id AND r.voided_on IS NULL
             WHERE d.id IN (SELECT value FROM json_each(?1))",
        )?;
        let rows = stmt
            .query_map([id_list(&candidates)], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, String>(3)?,
                    enum_from::<Fund>(r.get(4)?),
                    r.get::<_, String>(5)?,
                    parse_stored_date(&r.get::<_, String>(6)?)?,
                    money(r.get(7)?),
                    opt_date(r.get(8)?)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        self.load_matters(rows.iter().map(|r| Matter::Case(r.2)))?;
        let last = self.last;
        for (id, plan, case_id, agency, fund, month, settled_on, deducted, issued) in rows {
            let m = Matter::Case(case_id);
            if !self.in_scope(m) {
                continue;
            }
            let month: Month = month.parse()?;
            let at = Self::order(
                m,
                1,
                plan,
                0,
                (month.year as i64) * 12 + month.month as i64,
                id,
            );
            if self.within(Some(settled_on)) {
                self.add(&agency, Some(fund), Figure::Offset, m, deducted);
            }
            match issued {
                Some(issued) => {
                    if self.within(Some(issued)) {
                        self.add(&agency, Some(fund), Figure::Receipted, m, deducted);
                    }
                    if issued > last && settled_on <= last {
                        let detail = format!(
                            "{}结算抵扣 {} 元，至{}尚未开具财政票据",
                            month.label(),
                            deducted.grouped(),
                            cn(last)
                        );
                        self.push(
                            at,
                            m,
                            MismatchKind::NotReceipted,
                            &agency,
                            Some(fund),
                            deducted,
                            detail,
                        );
                    }
                }
                None if settled_on <= last && !deducted.is_zero() => {
                    let detail = format!(
                        "{}结算抵扣 {} 元，尚未开具财政票据{}",
                        month.label(),
                        deducted.grouped(),
                        self.cite(m, Rule::FiscalReceipt)
                    );
                    self.push(
                        at,
                        m,
                        MismatchKind::NotReceipted,
                        &agency,
                        Some(fund),
                        deducted,
                        detail,
                    );
                }
                None => {}
            }
        }
        Ok(())
    }

    /// What each line of the cases still owed at the end of `on`: due − what payments made by then
    /// and not cancelled put on it (net of completed refunds) − what was deducted by then.
    fn owed_on(&self, cases: &BTreeSet<i64>, on: &str) -> Result<BTreeMap<Matter, Vec<LineFund>>> {
        let m: BTreeSet<Matter> = cases.iter().map(|c| Matter::Case(*c)).collect();
        let mut lines = self.lines_of(&m)?;
        let list = id_list(cases);
        let mut taken: HashMap<i64, Money> = HashMap::new();
        for sql in [
            "SELECT a.recovery_line_id, SUM(a.amount_fen) FROM payment p
             JOIN payment_allocation a ON a.payment_id = p.id
             WHERE p.case_id IN (SELECT value FROM json_each(?1)) AND p.cancelled_on IS NULL AND p.paid_on <= ?2
             GROUP BY a.recovery_line_id",
            "SELECT ra.recovery_line_id, -SUM(ra.amount_fen) FROM payment p
             JOIN refund f ON f.payment_id = p.id JOIN refund_allocation ra ON ra.refund_id = f.id
             WHERE p.case_id IN (SELECT value FROM json_each(?1)) AND p.cancelled_on IS NULL AND p.paid_on <= ?2
               AND f.status = 'Completed'
             GROUP BY ra.recovery_line_id",
            "SELECT oa.recovery_line_id, SUM(oa.amount_fen) FROM offset_plan op
             JOIN offset_deduction od ON od.plan_id = op.id JOIN offset_allocation oa ON oa.deduction_id = od.id
             WHERE op.case_id IN (SELECT value FROM json_each(?1)) AND od.settled_on <= ?2
             GROUP BY oa.recovery_line_id",
        ] {
            let mut stmt = self.conn.prepare_cached(sql)?;
            for row in stmt.query_map(params![list, on], |r| {
                Ok((r.get::<_, Option<i64>>(0)?, money(r.get(1)?)))
            })? {
                if let (Some(line), a) = row? {
                    *taken.entry(line).or_default() += a;
                }
            }
        }
        for l in lines.values_mut() {
            for (id, _, due) in l.iter_mut() {
                *due -= taken.get(id).copied().unwrap_or_default();
            }
        }
        Ok(lines)
    }

    /// A running plan should show this month's settlement for each fund still owed.
    fn offsets_missing(&mut self) -> Result<()> {
        let (f, l) = (self.f.clone(), self.l.clone());
        // Running at the end of the month (open, or closed after it), of a case the month reads.
        let mut stmt = self.conn.prepare_cached(
            "SELECT p.id, p.case_id, p.notice_number, p.agency, p.approved_on
             FROM offset_plan p INDEXED BY offset_plan_closed_on CROSS JOIN case_file c ON c.id = p.case_id
             WHERE p.closed_on IS NULL AND p.approved_on <= ?2
               AND (c.closed_on IS NULL OR c.closed_on >= ?1) AND c.filed_on <= ?2
             UNION ALL
             SELECT p.id, p.case_id, p.notice_number, p.agency, p.approved_on
             FROM offset_plan p INDEXED BY offset_plan_closed_on CROSS JOIN case_file c ON c.id = p.case_id
             WHERE p.closed_on > ?2 AND p.approved_on <= ?2
               AND (c.closed_on IS NULL OR c.closed_on >= ?1) AND c.filed_on <= ?2",
        )?;
        let plans = stmt
            .query_map([&f, &l], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    parse_stored_date(&r.get::<_, String>(4)?)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        if plans.is_empty() {
            return Ok(());
        }
        self.load_matters(plans.iter().map(|p| Matter::Case(p.1)))?;
        let month = self.month;
        let plans: Vec<_> = plans
            .into_iter()
            .filter(|p| self.in_scope(Matter::Case(p.1)) && Month::of(p.4) <= month)
            .collect();
        let cases: BTreeSet<i64> = plans.iter().map(|p| p.1).collect();
        // What the fund's lines still owe now (the plan's remainder is never more).
        let owed_now = self.owed_on(&cases, "9999-12-31")?;
        for (plan, case_id, notice_number, agency, _) in plans {
            let m = Matter::Case(case_id);
            let mut stmt = self.conn.prepare_cached(
                "SELECT fund, amount_fen FROM offset_plan_fund WHERE plan_id = ?1 ORDER BY id",
            )?;
            let funds = stmt
                .query_map([plan], |r| {
                    Ok((enum_from::<Fund>(r.get(0)?), money(r.get(1)?)))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let mut stmt = self.conn.prepare_cached(
                "SELECT fund, month, deducted_fen FROM offset_deduction WHERE plan_id = ?1",
            )?;
            let deductions = stmt
                .query_map([plan], |r| {
                    Ok((
                        enum_from::<Fund>(r.get(0)?),
                        r.get::<_, String>(1)?,
                        money(r.get(2)?),
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?
                .into_iter()
                .map(|(f, mo, a)| Ok((f, mo.parse::<Month>()?, a)))
                .collect::<Result<Vec<_>>>()?;
            for (i, (fund, amount)) in funds.into_iter().enumerate() {
                let deducted: Money = deductions.iter().filter(|d| d.0 == fund).map(|d| d.2).sum();
                let owed: Money = owed_now
                    .get(&m)
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                    .iter()
                    .filter(|l| l.1 == fund)
                    .map(|l| l.2)
                    .sum();
                let remaining = (amount - deducted).min(owed);
                let has_month = deductions.iter().any(|d| d.0 == fund && d.1 == month);
                let covered_before = deductions
                    .iter()
                    .filter(|d| d.0 == fund && d.1 < month)
                    .map(|d| d.2)
                    .sum::<Money>()
                    >= amount;
                if !has_month && !covered_before && !remaining.is_zero() {
                    let detail = format!(
                        "抵扣通知书 {}：{}{}的结算抵扣未登记，尚需抵扣 {} 元{}",
                        notice_number,
                        month.label(),
                        fund.label(),
                        remaining.grouped(),
                        self.cite(m, Rule::Offset)
                    );
                    self.push(
                        Self::order(m, 1, plan, 1, i as i64, 0),
                        m,
                        MismatchKind::OffsetMissing,
                        &agency,
                        Some(fund),
                        remaining,
                        detail,
                    );
                }
            }
        }
        Ok(())
    }

    /// Overdue (004 art. 14): past the notice's deadline with money still owed, and no offset
    /// running for it. Only an open case with a decision can be overdue: status 已决定 or 执行中
    /// (a decision moves a case there, and nothing moves it back).
    fn overdue(&mut self) -> Result<()> {
        let (f, l) = (self.f.clone(), self.l.clone());
        let cases = ids(
            self.conn,
            "SELECT c.id FROM case_file c INDEXED BY case_file_status
             CROSS JOIN decision d INDEXED BY decision_case_dates ON d.case_id = c.id
             WHERE c.status IN ('Decided', 'Executing') AND d.payment_due < ?2 AND c.filed_on <= ?2
               AND (c.closed_on IS NULL OR c.closed_on >= ?1)",
            &[&f, &l],
        )?;
        if cases.is_empty() {
            return Ok(());
        }
        self.load_matters(cases.iter().map(|c| Matter::Case(*c)))?;
        let last = self.last;
        let running = ids(
            self.conn,
            "SELECT case_id FROM offset_plan WHERE case_id IN (SELECT value FROM json_each(?1))
               AND approved_on <= ?2 AND (closed_on IS NULL OR closed_on > ?2) AND status <> 'Cancelled'",
            &[&id_list(&cases), &l],
        )?;
        let cases: BTreeSet<i64> = cases
            .into_iter()
            .filter(|c| {
                let m = Matter::Case(*c);
                self.in_scope(m)
                    && !running.contains(c)
                    && self.cases.get(c).is_some_and(|row| {
                        !row.closed() && row.payment_due.is_some_and(|d| d < last)
                    })
            })
            .collect();
        if cases.is_empty() {
            return Ok(());
        }
        let owed = self.owed_on(&cases, &l)?;
        for case_id in cases {
            let m = Matter::Case(case_id);
            let (due, agency) = {
                let c = &self.cases[&case_id];
                (c.payment_due.unwrap_or(last), c.agency.clone())
            };
            let mut per_fund: Vec<(Fund, Money)> = Vec::new();
            for (_, fund, owed) in owed.get(&m).map(Vec::as_slice).unwrap_or_default() {
                if owed.is_zero() {
                    continue;
                }
                match per_fund.iter_mut().find(|(f, _)| f == fund) {
                    Some(slot) => slot.1 += *owed,
                    None => per_fund.push((*fund, *owed)),
                }
            }
            for (i, (fund, amount)) in per_fund.into_iter().enumerate() {
                let detail = format!(
                    "退缴时限{}已过，{}尚欠 {} 元{}",
                    cn(due),
                    fund.label(),
                    amount.grouped(),
                    self.cite(m, Rule::Overdue)
                );
                self.push(
                    Self::order(m, 2, i as i64, 0, 0, 0),
                    m,
                    MismatchKind::Overdue,
                    &agency,
                    Some(fund),
                    amount,
                    detail,
                );
            }
        }
        Ok(())
    }

    fn finish(self) -> Reconciliation {
        let mut rows = self.rows;
        for r in rows.values_mut() {
            r.received = r.arrived + r.offset - r.refunded;
        }
        let rows: Vec<ReconcileRow> = rows.into_values().collect();
        let mut totals = ReconcileRow {
            agency: "合计".into(),
            ..ReconcileRow::default()
        };
        for r in &rows {
            totals.notices_issued += r.notices_issued;
            totals.arrived += r.arrived;
            totals.offset += r.offset;
            totals.refunded += r.refunded;
            totals.received += r.received;
            totals.receipted += r.receipted;
        }
        let mut mismatches = self.mismatches;
        mismatches.sort_by(|a, b| a.0.cmp(&b.0));
        Reconciliation {
            month: self.month,
            rows,
            totals,
            mismatches: mismatches.into_iter().map(|(_, m)| m).collect(),
        }
    }
}
