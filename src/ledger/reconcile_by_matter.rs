//! The monthly reconciliation matter by matter: the first implementation of `ledger.reconcile`
//! (issue 13 replaced it by the set-based [`super::reconcile`]), kept as the reference the tests and
//! `report_bench` compare the set-based one with. It loads every matter open during the month
//! (linear in open matters, about 0.2–0.5 ms each) and runs each named check on it; the set-based
//! one must give exactly the same rows and mismatches in the same order. Not used by any command.

use crate::cases::Rule;
use std::collections::BTreeMap;

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};

use super::matter::*;
use super::offset::Month;
use super::offsets;
use super::types::*;
use super::views::{collection, matter_meta, MatterMeta};
use crate::cases::Fund;
use crate::error::Result;
use crate::money::Money;

const NO_AGENCY: &str = "（未指定经办机构）";

#[doc(hidden)]
pub fn reconcile_by_matter(conn: &Connection, q: &ReconcileQuery) -> Result<Reconciliation> {
    let month = q.month.unwrap_or_else(|| Month::of(today()));
    let mut r = Reconciler {
        conn,
        month,
        first: month.first_day(),
        last: month.last_day(),
        rows: BTreeMap::new(),
        mismatches: Vec::new(),
    };
    for m in matters(conn, r.first, r.last)? {
        let v = MatterView::load(conn, m)?;
        r.notices(&v);
        for p in payments_of(conn, m)? {
            r.payment(&v, &p)?;
        }
        if let Some(case) = &v.case {
            r.offsets(&v, case)?;
            r.overdue(&v, case)?;
        }
    }
    Ok(r.finish())
}

/// The matters a month's reconciliation reads: cases with recovery lines that were filed by the end
/// of the month and not closed before it began, and self-correction forms. A case closed before
/// the month has nothing in it: its notice, payments, receipts, refunds and deductions all came
/// before its closure, and closing needed every payment arrived and receipted, no over-payment and
/// no refund pending (`ledger::closure_blockers`). So the work follows the office's open matters,
/// not its ten years of closed files (issue 13).
fn matters(conn: &Connection, first: NaiveDate, last: NaiveDate) -> Result<Vec<Matter>> {
    let mut matters: Vec<Matter> = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT c.id FROM case_file c
         WHERE (c.closed_on IS NULL OR c.closed_on >= ?1) AND c.filed_on <= ?2
           AND EXISTS (SELECT 1 FROM recovery_line r WHERE r.case_id = c.id)
         ORDER BY c.id",
    )?;
    for id in stmt.query_map(params![date_text(first), date_text(last)], |r| {
        r.get::<_, i64>(0)
    })? {
        matters.push(Matter::Case(id?));
    }
    let mut stmt = conn.prepare_cached("SELECT id FROM self_correction ORDER BY id")?;
    for id in stmt.query_map([], |r| r.get::<_, i64>(0))? {
        matters.push(Matter::SelfCorrection(id?));
    }
    Ok(matters)
}

/// One matter as the reconciliation reads it.
struct MatterView {
    m: Matter,
    loaded: Loaded,
    meta: MatterMeta,
    /// When the notice was issued (the decision, or the 通知单) or the form submitted.
    issued_on: Option<NaiveDate>,
    /// The agency of the collection terms (for a case without them: [`NO_AGENCY`]).
    agency: String,
    case: Option<CaseInfo>,
    /// What the matter's mismatches cite (issue 9: a case its own rule set).
    rules: crate::cases::RuleSet,
}

impl MatterView {
    fn load(conn: &Connection, m: Matter) -> Result<MatterView> {
        let (issued_on, agency, case) = match m {
            Matter::Case(id) => {
                let case = case_info(conn, id)?;
                let coll = collection(conn, id)?;
                let issued = coll.as_ref().and_then(|c| c.issued_on).or(case.decided_on);
                let agency = coll
                    .map(|c| c.agency)
                    .unwrap_or_else(|| NO_AGENCY.to_string());
                (issued, agency, Some(case))
            }
            Matter::SelfCorrection(id) => {
                let (submitted, agency): (String, String) = conn.query_row(
                    "SELECT submitted_on, agency FROM self_correction WHERE id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?;
                (Some(parse_stored_date(&submitted)?), agency, None)
            }
        };
        Ok(MatterView {
            m,
            loaded: load(conn, m)?,
            meta: matter_meta(conn, m)?,
            issued_on,
            agency,
            case,
            rules: m.rules(conn)?,
        })
    }

    fn fund_of(&self, line: i64) -> Option<Fund> {
        self.loaded.line(line).map(|l| l.fund)
    }

    fn mismatch(
        &self,
        kind: MismatchKind,
        agency: &str,
        fund: Option<Fund>,
        amount: Money,
        detail: String,
    ) -> Mismatch {
        Mismatch {
            kind,
            agency: agency.to_string(),
            fund,
            reference: self.meta.reference.clone(),
            case_id: self.m.case_id(),
            self_correction_id: self.m.self_correction_id(),
            amount,
            detail,
        }
    }
}

struct Reconciler<'c> {
    conn: &'c Connection,
    month: Month,
    first: NaiveDate,
    last: NaiveDate,
    rows: BTreeMap<(String, Option<Fund>), ReconcileRow>,
    mismatches: Vec<Mismatch>,
}

impl Reconciler<'_> {
    fn within(&self, d: Option<NaiveDate>) -> bool {
        d.is_some_and(|d| d >= self.first && d <= self.last)
    }

    fn row(&mut self, agency: &str, fund: Option<Fund>) -> &mut ReconcileRow {
        self.rows
            .entry((agency.to_string(), fund))
            .or_insert_with(|| ReconcileRow {
                agency: agency.to_string(),
                fund,
                ..ReconcileRow::default()
            })
    }

    /// Notices issued / forms submitted this month: what was asked for.
    fn notices(&mut self, v: &MatterView) {
        if self.within(v.issued_on) {
            for l in &v.loaded.lines {
                self.row(&v.agency, Some(l.fund)).notices_issued += l.due;
            }
        }
    }

    /// One payment up to the end of the month: arrival, receipt, proof, credit, refunds.
    fn payment(&mut self, v: &MatterView, p: &PaymentRow) -> Result<()> {
        if p.paid_on > self.last || p.cancelled_on.is_some_and(|d| d <= self.last) {
            return Ok(());
        }
        let (allocs, credit) = v.loaded.book.payment(p.id).unwrap_or_default();
        let arrived_by_end = p.arrived_on.is_some_and(|d| d <= self.last);
        if self.within(p.arrived_on) {
            self.arrivals(v, p)?;
        }
        if !arrived_by_end {
            self.not_arrived(v, p);
        }
        self.receipt(v, p, &allocs, arrived_by_end)?;
        self.proof(v, p);
        if !credit.is_zero() && arrived_by_end {
            self.credit_not_refunded(v, p, credit);
        }
        self.refunds(v, p)
    }

    /// What arrived this month: the payment as recorded (refunds are counted when paid back).
    fn arrivals(&mut self, v: &MatterView, p: &PaymentRow) -> Result<()> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {}, amount_fen FROM payment_allocation WHERE payment_id = ?1",
            v.m.line_col()
        ))?;
        let gross = stmt
            .query_map([p.id], |r| Ok((r.get::<_, i64>(0)?, money(r.get(1)?))))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for (line, a) in gross {
            self.row(&p.agency, v.fund_of(line)).arrived += a;
        }
        if !p.credit_at_record.is_zero() {
            let fund = credit_fund(p, &v.loaded, self.conn)?;
            self.row(&p.agency, fund).arrived += p.credit_at_record;
        }
        Ok(())
    }

    /// Paid but not confirmed as arrived by the end of the month.
    fn not_arrived(&mut self, v: &MatterView, p: &PaymentRow) {
        let detail = format!(
            "{}缴款 {} 元（凭证号 {}）至{}仍未确认到账",
            cn(p.paid_on),
            p.amount.grouped(),
            p.voucher,
            cn(self.last)
        );
        self.mismatches.push(v.mismatch(
            MismatchKind::NotArrived,
            &p.agency,
            p.fund,
            p.amount,
            detail,
        ));
    }

    /// The fiscal receipt of the payment (004 art. 11): receipted this month, amount equal to what
    /// the payment recovered, issued at all; an insured person's APP refund needs none.
    fn receipt(
        &mut self,
        v: &MatterView,
        p: &PaymentRow,
        allocs: &[(i64, Money)],
        arrived_by_end: bool,
    ) -> Result<()> {
        let valid: Option<(String, String, i64)> = self
            .conn
            .query_row(
                "SELECT receipt_number, issued_on, amount_fen FROM fiscal_receipt
                 WHERE payment_id = ?1 AND voided_on IS NULL",
                [p.id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let recovery: Money = allocs.iter().map(|(_, a)| *a).sum();
        let app = app_recovered(self.conn, p)?;
        let last = self.last;
        match &valid {
            Some((number, issued, amount)) => {
                let issued = parse_stored_date(issued)?;
                if self.within(Some(issued)) {
                    for (line, a) in allocs {
                        self.row(&p.agency, v.fund_of(*line)).receipted += *a;
                    }
                }
                if money(*amount) != recovery && issued <= last {
                    let detail = format!(
                        "财政票据 {number} 金额 {} 元，与该笔缴款现记入追回明细的 {} 元不一致",
                        money(*amount).grouped(),
                        recovery.grouped()
                    );
                    self.mismatches.push(v.mismatch(
                        MismatchKind::ReceiptAmount,
                        &p.agency,
                        p.fund,
                        money(*amount) - recovery,
                        detail,
                    ));
                }
                if issued > last && arrived_by_end && !recovery.is_zero() {
                    let detail = format!(
                        "{}到账 {} 元，至{}尚未开具财政票据（{}开具）",
                        cn(p.arrived_on.unwrap_or(p.paid_on)),
                        recovery.grouped(),
                        cn(last),
                        cn(issued)
                    );
                    self.mismatches.push(v.mismatch(
                        MismatchKind::NotReceipted,
                        &p.agency,
                        p.fund,
                        recovery,
                        detail,
                    ));
                }
            }
            None if app => {
                if self.within(p.arrived_on) {
                    for (line, a) in allocs {
                        self.row(&p.agency, v.fund_of(*line)).receipted += *a;
                    }
                }
            }
            None => {
                if arrived_by_end && !recovery.is_zero() {
                    let detail = format!(
                        "{}到账 {} 元，尚未开具财政票据{}",
                        cn(p.arrived_on.unwrap_or(p.paid_on)),
                        recovery.grouped(),
                        v.rules.cite(Rule::FiscalReceipt)
                    );
                    self.mismatches.push(v.mismatch(
                        MismatchKind::NotReceipted,
                        &p.agency,
                        p.fund,
                        recovery,
                        detail,
                    ));
                }
            }
        }
        Ok(())
    }

    /// Proof of payment within 3 working days (004 art. 9).
    fn proof(&mut self, v: &MatterView, p: &PaymentRow) {
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
                v.rules.cite(Rule::PaymentProof),
                cn(last)
            ),
        };
        self.mismatches.push(v.mismatch(
            MismatchKind::ProofMissing,
            &p.agency,
            p.fund,
            p.amount,
            detail,
        ));
    }

    /// An over-payment not yet paid back (004 art. 15).
    fn credit_not_refunded(&mut self, v: &MatterView, p: &PaymentRow, credit: Money) {
        let detail = format!(
            "{}缴款多缴 {} 元，尚未退还{}",
            cn(p.paid_on),
            credit.grouped(),
            v.rules.cite(Rule::ErroneousRefund)
        );
        self.mismatches.push(v.mismatch(
            MismatchKind::CreditNotRefunded,
            &p.agency,
            p.fund,
            credit,
            detail,
        ));
    }

    /// Refunds paid back this month; requests still open at its end.
    fn refunds(&mut self, v: &MatterView, p: &PaymentRow) -> Result<()> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, amount_fen, status, requested_on, refunded_on, from_credit_fen FROM refund WHERE payment_id = ?1",
        )?;
        let refunds = stmt
            .query_map([p.id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    money(r.get(1)?),
                    r.get::<_, String>(2)?,
                    parse_stored_date(&r.get::<_, String>(3)?)?,
                    opt_date(r.get(4)?)?,
                    money(r.get(5)?),
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let last = self.last;
        for (rid, amount, status, requested, refunded_on, from_credit) in refunds {
            if status == "Completed" && self.within(refunded_on) {
                let mut stmt = self.conn.prepare_cached(&format!(
                    "SELECT {}, amount_fen FROM refund_allocation WHERE refund_id = ?1",
                    v.m.line_col()
                ))?;
                let rows = stmt
                    .query_map([rid], |r| Ok((r.get::<_, i64>(0)?, money(r.get(1)?))))?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                for (line, a) in rows {
                    self.row(&p.agency, v.fund_of(line)).refunded += a;
                }
                if !from_credit.is_zero() {
                    let fund = credit_fund(p, &v.loaded, self.conn)?;
                    self.row(&p.agency, fund).refunded += from_credit;
                }
            }
            let open_at_end = requested <= last
                && (status == "Requested" || refunded_on.is_some_and(|d| d > last));
            if open_at_end {
                let detail = format!(
                    "{}申请退款 {} 元，至{}尚未办结",
                    cn(requested),
                    amount.grouped(),
                    cn(last)
                );
                self.mismatches.push(v.mismatch(
                    MismatchKind::RefundPending,
                    &p.agency,
                    p.fund,
                    amount,
                    detail,
                ));
            }
        }
        Ok(())
    }

    /// Offset deductions (004 art. 10): deducted and receipted this month, receipts missing, and a
    /// running plan without this month's settlement.
    fn offsets(&mut self, v: &MatterView, case: &CaseInfo) -> Result<()> {
        for plan in offsets::of_case(self.conn, case.id)? {
            for d in &plan.deductions {
                self.deduction(v, &plan, d)?;
            }
            self.offset_month_missing(v, &plan);
        }
        Ok(())
    }

    fn deduction(&mut self, v: &MatterView, plan: &OffsetPlan, d: &Deduction) -> Result<()> {
        let last = self.last;
        if self.within(Some(d.settled_on)) {
            self.row(&plan.agency, Some(d.fund)).offset += d.deducted;
        }
        let issued = self
            .conn
            .query_row(
                "SELECT issued_on FROM fiscal_receipt WHERE deduction_id = ?1 AND voided_on IS NULL",
                [d.id],
                |r| r.get::<_, String>(0),
            )
            .optional()?;
        match issued {
            Some(issued) => {
                let issued = parse_stored_date(&issued)?;
                if self.within(Some(issued)) {
                    self.row(&plan.agency, Some(d.fund)).receipted += d.deducted;
                }
                if issued > last && d.settled_on <= last {
                    let detail = format!(
                        "{}结算抵扣 {} 元，至{}尚未开具财政票据",
                        d.month.label(),
                        d.deducted.grouped(),
                        cn(last)
                    );
                    self.mismatches.push(v.mismatch(
                        MismatchKind::NotReceipted,
                        &plan.agency,
                        Some(d.fund),
                        d.deducted,
                        detail,
                    ));
                }
            }
            None if d.settled_on <= last && !d.deducted.is_zero() => {
                let detail = format!(
                    "{}结算抵扣 {} 元，尚未开具财政票据{}",
                    d.month.label(),
                    d.deducted.grouped(),
                    v.rules.cite(Rule::FiscalReceipt)
                );
                self.mismatches.push(v.mismatch(
                    MismatchKind::NotReceipted,
                    &plan.agency,
                    Some(d.fund),
                    d.deducted,
                    detail,
                ));
            }
            None => {}
        }
        Ok(())
    }

    /// A running plan should show this month's settlement for each fund still owed.
    fn offset_month_missing(&mut self, v: &MatterView, plan: &OffsetPlan) {
        let month = self.month;
        let running = plan.approved_on <= self.last
            && plan.closed_on.is_none_or(|c| c > self.last)
            && Month::of(plan.approved_on) <= month;
        if !running {
            return;
        }
        for f in &plan.funds {
            let has_month = plan
                .deductions
                .iter()
                .any(|d| d.fund == f.fund && d.month == month);
            let covered_before = plan
                .deductions
                .iter()
                .filter(|d| d.fund == f.fund && d.month < month)
                .map(|d| d.deducted)
                .sum::<Money>()
                >= f.amount;
            if !has_month && !covered_before && !f.remaining.is_zero() {
                let detail = format!(
                    "抵扣通知书 {}：{}{}的结算抵扣未登记，尚需抵扣 {} 元{}",
                    plan.notice_number,
                    month.label(),
                    f.fund.label(),
                    f.remaining.grouped(),
                    v.rules.cite(Rule::Offset)
                );
                self.mismatches.push(v.mismatch(
                    MismatchKind::OffsetMissing,
                    &plan.agency,
                    Some(f.fund),
                    f.remaining,
                    detail,
                ));
            }
        }
    }

    /// Overdue (004 art. 14): past the notice's deadline with money still owed, and no offset
    /// running for it.
    fn overdue(&mut self, v: &MatterView, case: &CaseInfo) -> Result<()> {
        let Some(due) = case.payment_due else {
            return Ok(());
        };
        let last = self.last;
        let offset_running: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM offset_plan WHERE case_id = ?1 AND approved_on <= ?2
               AND (closed_on IS NULL OR closed_on > ?2) AND status <> 'Cancelled')",
            params![case.id, date_text(last)],
            |r| r.get(0),
        )?;
        if due >= last || case.closed() || offset_running {
            return Ok(());
        }
        for (fund, amount) in owed_at(self.conn, &v.loaded, v.m, last)? {
            let detail = format!(
                "退缴时限{}已过，{}尚欠 {} 元{}",
                cn(due),
                fund.label(),
                amount.grouped(),
                v.rules.cite(Rule::Overdue)
            );
            self.mismatches.push(v.mismatch(
                MismatchKind::Overdue,
                &v.agency,
                Some(fund),
                amount,
                detail,
            ));
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
        Reconciliation {
            month: self.month,
            rows,
            totals,
            mismatches: self.mismatches,
        }
    }
}

/// The fund account an over-payment sits in: the one paid into, else the fund of the line the
/// payment filled last (where the surplus spilled over).
fn credit_fund(p: &PaymentRow, loaded: &Loaded, conn: &Connection) -> Result<Option<Fund>> {
    if p.fund.is_some() {
        return Ok(p.fund);
    }
    let last: Option<i64> = conn
        .query_row(
            &format!(
                "SELECT {} FROM payment_allocation WHERE payment_id = ?1 ORDER BY seq DESC LIMIT 1",
                p.matter.line_col()
            ),
            [p.id],
            |r| r.get(0),
        )
        .optional()?;
    Ok(last
        .and_then(|l| loaded.line(l))
        .or_else(|| loaded.lines.first())
        .map(|l| l.fund))
}

/// What each fund of a case still owed at the end of `last` (payments and deductions up to then).
fn owed_at(
    conn: &Connection,
    loaded: &Loaded,
    m: Matter,
    last: NaiveDate,
) -> Result<Vec<(Fund, Money)>> {
    // Subtract only what happened after `last` back out of the current book.
    let mut later: BTreeMap<i64, Money> = BTreeMap::new();
    for p in payments_of(conn, m)? {
        if p.cancelled_on.is_some() || p.paid_on <= last {
            continue;
        }
        if let Some((allocs, _)) = loaded.book.payment(p.id) {
            for (line, a) in allocs {
                *later.entry(line).or_default() += a;
            }
        }
    }
    if let Matter::Case(case_id) = m {
        let mut stmt = conn.prepare_cached(
            "SELECT a.recovery_line_id, a.amount_fen FROM offset_allocation a
             JOIN offset_deduction d ON d.id = a.deduction_id JOIN offset_plan p ON p.id = d.plan_id
             WHERE p.case_id = ?1 AND d.settled_on > ?2",
        )?;
        for row in stmt.query_map(params![case_id, date_text(last)], |r| {
            Ok((r.get::<_, i64>(0)?, money(r.get(1)?)))
        })? {
            let (line, a) = row?;
            *later.entry(line).or_default() += a;
        }
    }
    let mut per_fund: Vec<(Fund, Money)> = Vec::new();
    for l in &loaded.lines {
        let owed =
            loaded.book.balance(l.id).outstanding + later.get(&l.id).copied().unwrap_or_default();
        if owed.is_zero() {
            continue;
        }
        match per_fund.iter_mut().find(|(f, _)| *f == l.fund) {
            Some(slot) => slot.1 += owed,
            None => per_fund.push((l.fund, owed)),
        }
    }
    Ok(per_fund)
}
