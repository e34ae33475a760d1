//! Read-side of the ledger: the collection terms of a case, the case ledger, the accounting view
//! (004 art. 12), the monthly reconciliation (004 art. 14; 001 art. 13, 23) and the ledger's clocks.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use rusqlite::{params, Connection, OptionalExtension};

use super::accounting::{credit_account, DEBIT_ACCOUNT};
use super::fine::late_surcharge;
use super::matter::*;
use super::offset::Month;
use super::types::*;
use super::{fines, offsets, payments};
use crate::calendar::{Deadline, WorkCalendar};
use crate::cases::{Clock, ClockContext, ClockKind, ClockState, Fund, YearKind};
use crate::error::{ApiError, Result};
use crate::money::Money;
use crate::store::{now_text, Tx};

// ---------------------------------------------------------------------------------------------
// Collection terms

pub fn set_collection(tx: &mut Tx<'_>, r: &CollectionInput) -> Result<Collection> {
    let case = case_info(tx, r.case_id)?;
    case.require_open("修改缴费信息")?;
    let agency = required_text(&r.agency, "agency", "经办机构名称", 100)?;
    let issued_on = match r.issued_on {
        Some(d) => Some(past_date(Some(d), "issued_on", "通知单开具日期")?),
        None => None,
    };
    let v = [
        bounded_text(&r.notice_number, "notice_number", "通知单号", 60)?,
        bounded_text(&r.agency_address, "agency_address", "经办机构地址", 200)?,
        bounded_text(&r.account_name, "account_name", "开户名称", 100)?,
        bounded_text(&r.bank, "bank", "开户银行", 100)?,
        bounded_text(&r.account_number, "account_number", "账号", 40)?,
        bounded_text(&r.bank_code, "bank_code", "开户银行交换行行号", 20)?,
    ];
    if !v[4]
        .chars()
        .all(|c| c.is_ascii_digit() || c == '-' || c == ' ')
    {
        return Err(ApiError::field("account_number", "账号只能包含数字"));
    }
    tx.execute(
        "INSERT INTO collection (case_id, notice_number, issued_on, agency, agency_address, account_name, bank,
                                 account_number, bank_code, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT(case_id) DO UPDATE SET notice_number = excluded.notice_number, issued_on = excluded.issued_on,
             agency = excluded.agency, agency_address = excluded.agency_address, account_name = excluded.account_name,
             bank = excluded.bank, account_number = excluded.account_number, bank_code = excluded.bank_code,
             updated_at = excluded.updated_at",
        params![
            case.id,
            v[0],
            issued_on.map(date_text),
            agency,
            v[1],
            v[2],
            v[3],
            v[4],
            v[5],
            now_text()
        ],
    )?;
    let id: i64 = tx.query_row(
        "SELECT id FROM collection WHERE case_id = ?1",
        [case.id],
        |x| x.get(0),
    )?;
    tx.touch("collection", id);
    collection(tx, case.id)?.ok_or_else(|| ApiError::internal("collection"))
}

pub fn collection(conn: &Connection, case_id: i64) -> Result<Option<Collection>> {
    Ok(conn
        .query_row(
            "SELECT notice_number, issued_on, agency, agency_address, account_name, bank, account_number, bank_code
             FROM collection WHERE case_id = ?1",
            [case_id],
            |r| {
                Ok(Collection {
                    case_id,
                    notice_number: r.get(0)?,
                    issued_on: opt_date(r.get(1)?)?,
                    agency: r.get(2)?,
                    agency_address: r.get(3)?,
                    account_name: r.get(4)?,
                    bank: r.get(5)?,
                    account_number: r.get(6)?,
                    bank_code: r.get(7)?,
                })
            },
        )
        .optional()?)
}

// ---------------------------------------------------------------------------------------------
// The case ledger

pub fn case_ledger(
    conn: &Connection,
    cal: &WorkCalendar,
    q: &CaseLedgerQuery,
) -> Result<CaseLedger> {
    let case = case_info(conn, q.case_id)?;
    let m = Matter::Case(case.id);
    let (lines, totals) = ledger_lines(conn, m)?;
    let loaded = load(conn, m)?;
    Ok(CaseLedger {
        case_id: case.id,
        case_number: case.case_number.clone(),
        party: case.party.clone(),
        closed: case.closed(),
        collection: collection(conn, case.id)?,
        payment_due: case.payment_due,
        lines,
        totals,
        payments: payments_of(conn, m)?
            .iter()
            .map(|p| payments::view_in(conn, p, &loaded))
            .collect::<Result<_>>()?,
        offsets: offsets::of_case(conn, case.id)?,
        receipts: payments::case_receipts(conn, case.id)?,
        refunds: payments::refunds_of(conn, m)?,
        fines: fines::list(
            conn,
            &FineQuery {
                case_id: Some(case.id),
                id: None,
                as_of: q.as_of,
            },
        )?,
        referrals: fines::referrals_of(conn, cal, case.id)?,
    })
}

/// Where a case's recovery stands, for part A (e.g. a guard before closing a case).
pub fn case_totals(conn: &Connection, case_id: i64) -> Result<LedgerTotals> {
    Ok(ledger_lines(conn, Matter::Case(case_id))?.1)
}

// ---------------------------------------------------------------------------------------------
// Accounting view (004 art. 12)

struct MatterMeta {
    reference: String,
    /// The year a 当年 line refers to.
    fund_year: Option<i32>,
}

fn matter_meta(conn: &Connection, m: Matter) -> Result<MatterMeta> {
    match m {
        Matter::Case(id) => {
            let case = case_info(conn, id)?;
            let issued = collection(conn, id)?.and_then(|c| c.issued_on);
            Ok(MatterMeta {
                reference: case.case_number,
                // 当年 on the decision (or the 通知单) means the year it was made.
                fund_year: case.decided_on.or(issued).map(|d| d.year()),
            })
        }
        Matter::SelfCorrection(id) => {
            let (number, submitted): (String, String) = conn.query_row(
                "SELECT form_number, submitted_on FROM self_correction WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            Ok(MatterMeta {
                reference: number,
                fund_year: Some(parse_stored_date(&submitted)?.year()),
            })
        }
    }
}

/// Entries for `allocs` (line, amount) received on `received_on`, grouped per fund × credit account.
#[allow(clippy::too_many_arguments)]
fn entries_for(
    loaded: &Loaded,
    meta: &MatterMeta,
    allocs: &[(i64, Money)],
    received_on: NaiveDate,
    receipt: Option<(i64, String)>,
    agency: &str,
    out: &mut Vec<AccountingEntry>,
) {
    let mut grouped: BTreeMap<(Fund, super::accounting::CreditAccount), (Money, String)> =
        BTreeMap::new();
    for (line, amount) in allocs {
        let Some(l) = loaded.line(*line) else {
            continue;
        };
        let current = l.year_kind.map(|y| y == YearKind::CurrentYear);
        let (account, rule) = credit_account(current, meta.fund_year, received_on);
        let slot = grouped
            .entry((l.fund, account))
            .or_insert((Money::ZERO, rule));
        slot.0 += *amount;
    }
    for ((fund, account), (amount, rule)) in grouped {
        if amount.is_zero() {
            continue;
        }
        out.push(AccountingEntry {
            receipt_id: receipt.as_ref().map(|r| r.0),
            receipt_number: receipt.as_ref().map(|r| r.1.clone()),
            received_on,
            reference: meta.reference.clone(),
            agency: agency.to_string(),
            fund,
            debit: DEBIT_ACCOUNT.to_string(),
            credit: account,
            credit_label: account.label().to_string(),
            amount,
            rule,
        });
    }
}

/// For every valid fiscal receipt issued in the period (and every insured person's APP refund
/// confirmed in it), the entry 004 art. 12 prescribes.
pub fn accounting(conn: &Connection, q: &AccountingQuery) -> Result<Vec<AccountingEntry>> {
    let from = q.from.map(date_text).unwrap_or_else(|| "0000-01-01".into());
    let to = q.to.map(date_text).unwrap_or_else(|| "9999-12-31".into());
    let mut out = Vec::new();
    let mut cache: BTreeMap<Matter, (Loaded, MatterMeta)> = BTreeMap::new();
    let wanted = |m: Matter| match (q.case_id, q.self_correction_id) {
        (None, None) => true,
        (c, s) => m.case_id() == c && c.is_some() || m.self_correction_id() == s && s.is_some(),
    };
    // Receipts on payments.
    let mut stmt = conn.prepare(
        "SELECT r.id, r.receipt_number, r.payment_id, r.deduction_id, r.agency FROM fiscal_receipt r
         WHERE r.voided_on IS NULL AND r.issued_on BETWEEN ?1 AND ?2 ORDER BY r.issued_on, r.id",
    )?;
    let rows = stmt
        .query_map(params![from, to], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<i64>>(2)?,
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (rid, number, payment_id, deduction_id, agency) in rows {
        if let Some(pid) = payment_id {
            let p = payment_row(conn, pid)?;
            if !wanted(p.matter) {
                continue;
            }
            let (loaded, meta) = cached(conn, &mut cache, p.matter)?;
            let (allocs, _) = loaded.book.payment(pid).unwrap_or_default();
            let received = p.arrived_on.unwrap_or(p.paid_on);
            entries_for(
                loaded,
                meta,
                &allocs,
                received,
                Some((rid, number)),
                &agency,
                &mut out,
            );
        } else if let Some(did) = deduction_id {
            let (case_id, settled): (i64, String) = conn.query_row(
                "SELECT p.case_id, d.settled_on FROM offset_deduction d JOIN offset_plan p ON p.id = d.plan_id WHERE d.id = ?1",
                [did],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            let m = Matter::Case(case_id);
            if !wanted(m) {
                continue;
            }
            let mut stmt = conn.prepare(
                "SELECT recovery_line_id, amount_fen FROM offset_allocation WHERE deduction_id = ?1 ORDER BY seq",
            )?;
            let allocs = stmt
                .query_map([did], |r| Ok((r.get::<_, i64>(0)?, money(r.get(1)?))))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let (loaded, meta) = cached(conn, &mut cache, m)?;
            entries_for(
                loaded,
                meta,
                &allocs,
                parse_stored_date(&settled)?,
                Some((rid, number)),
                &agency,
                &mut out,
            );
        }
    }
    // Insured persons' APP refunds: recovered on the agency's arrival confirmation (004 art. 11(2)).
    let mut stmt = conn.prepare(&format!(
        "SELECT {PAYMENT_COLS} FROM payment WHERE method = 'App' AND arrived_on BETWEEN ?1 AND ?2
           AND cancelled_on IS NULL ORDER BY arrived_on, id"
    ))?;
    let rows = stmt
        .query_map(params![from, to], payment_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for p in rows {
        if !wanted(p.matter) || !app_recovered(conn, &p)? {
            continue;
        }
        let (loaded, meta) = cached(conn, &mut cache, p.matter)?;
        let (allocs, _) = loaded.book.payment(p.id).unwrap_or_default();
        let received = p.arrived_on.unwrap_or(p.paid_on);
        entries_for(loaded, meta, &allocs, received, None, &p.agency, &mut out);
    }
    Ok(out)
}

fn cached<'a>(
    conn: &Connection,
    cache: &'a mut BTreeMap<Matter, (Loaded, MatterMeta)>,
    m: Matter,
) -> Result<&'a (Loaded, MatterMeta)> {
    if let std::collections::btree_map::Entry::Vacant(e) = cache.entry(m) {
        e.insert((load(conn, m)?, matter_meta(conn, m)?));
    }
    Ok(&cache[&m])
}

// ---------------------------------------------------------------------------------------------
// Monthly reconciliation (004 art. 14; 001 art. 13, 23)

const NO_AGENCY: &str = "（未指定经办机构）";

fn row_mut<'a>(
    rows: &'a mut BTreeMap<(String, Option<Fund>), ReconcileRow>,
    agency: &str,
    fund: Option<Fund>,
) -> &'a mut ReconcileRow {
    rows.entry((agency.to_string(), fund))
        .or_insert_with(|| ReconcileRow {
            agency: agency.to_string(),
            fund,
            ..ReconcileRow::default()
        })
}

/// Business records against finance records for one month, per agency and fund: what notices and
/// forms asked for, what arrived or was deducted, what was refunded, what was receipted — and every
/// mismatch standing at the end of the month.
pub fn reconcile(conn: &Connection, q: &ReconcileQuery) -> Result<Reconciliation> {
    let month = q.month.unwrap_or_else(|| Month::of(today()));
    let (first, last) = (month.first_day(), month.last_day());
    let within = |d: Option<NaiveDate>| d.is_some_and(|d| d >= first && d <= last);
    let mut rows: BTreeMap<(String, Option<Fund>), ReconcileRow> = BTreeMap::new();
    let mut mismatches: Vec<Mismatch> = Vec::new();

    // Every matter that has lines.
    let mut matters: Vec<Matter> = Vec::new();
    {
        let mut stmt =
            conn.prepare("SELECT DISTINCT case_id FROM recovery_line ORDER BY case_id")?;
        for id in stmt.query_map([], |r| r.get::<_, i64>(0))? {
            matters.push(Matter::Case(id?));
        }
        let mut stmt = conn.prepare("SELECT id FROM self_correction ORDER BY id")?;
        for id in stmt.query_map([], |r| r.get::<_, i64>(0))? {
            matters.push(Matter::SelfCorrection(id?));
        }
    }

    for m in matters {
        let loaded = load(conn, m)?;
        let meta = matter_meta(conn, m)?;
        let (issued_on, default_agency, case) = match m {
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
        let mk = |kind, agency: &str, fund, amount, detail: String| Mismatch {
            kind,
            agency: agency.to_string(),
            fund,
            reference: meta.reference.clone(),
            case_id: m.case_id(),
            self_correction_id: m.self_correction_id(),
            amount,
            detail,
        };
        // Notices issued / forms submitted this month.
        if within(issued_on) {
            for l in &loaded.lines {
                row_mut(&mut rows, &default_agency, Some(l.fund)).notices_issued += l.due;
            }
        }
        // Payments.
        for p in payments_of(conn, m)? {
            if p.paid_on > last {
                continue;
            }
            let fund_of = |line: i64| loaded.line(line).map(|l| l.fund);
            let (allocs, credit) = loaded.book.payment(p.id).unwrap_or_default();
            let arrived_in_month = within(p.arrived_on);
            let arrived_by_end = p.arrived_on.is_some_and(|d| d <= last);
            if p.cancelled_on.is_some_and(|d| d <= last) {
                continue;
            }
            if arrived_in_month {
                // What arrived: the payment as recorded (refunds are counted when paid back).
                let mut stmt = conn.prepare(&format!(
                    "SELECT {}, amount_fen FROM payment_allocation WHERE payment_id = ?1",
                    m.line_col()
                ))?;
                let gross = stmt
                    .query_map([p.id], |r| Ok((r.get::<_, i64>(0)?, money(r.get(1)?))))?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                for (line, a) in gross {
                    row_mut(&mut rows, &p.agency, fund_of(line)).arrived += a;
                }
                if !p.credit_at_record.is_zero() {
                    row_mut(&mut rows, &p.agency, credit_fund(&p, &loaded, conn)?).arrived +=
                        p.credit_at_record;
                }
            }
            if !arrived_by_end {
                mismatches.push(mk(
                    MismatchKind::NotArrived,
                    &p.agency,
                    p.fund,
                    p.amount,
                    format!(
                        "{}缴款 {} 元（凭证号 {}）至{}仍未确认到账",
                        cn(p.paid_on),
                        p.amount.grouped(),
                        p.voucher,
                        cn(last)
                    ),
                ));
            }
            // Receipt for it?
            let valid: Option<(String, String, i64)> = conn
                .query_row(
                    "SELECT receipt_number, issued_on, amount_fen FROM fiscal_receipt
                     WHERE payment_id = ?1 AND voided_on IS NULL",
                    [p.id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let recovery: Money = allocs.iter().map(|(_, a)| *a).sum();
            let app = app_recovered(conn, &p)?;
            match &valid {
                Some((number, issued, amount)) => {
                    let issued = parse_stored_date(issued)?;
                    if within(Some(issued)) {
                        for (line, a) in &allocs {
                            row_mut(&mut rows, &p.agency, fund_of(*line)).receipted += *a;
                        }
                    }
                    if money(*amount) != recovery && issued <= last {
                        mismatches.push(mk(
                            MismatchKind::ReceiptAmount,
                            &p.agency,
                            p.fund,
                            money(*amount) - recovery,
                            format!(
                                "财政票据 {number} 金额 {} 元，与该笔缴款现记入追回明细的 {} 元不一致",
                                money(*amount).grouped(),
                                recovery.grouped()
                            ),
                        ));
                    }
                    if issued > last && arrived_by_end && !recovery.is_zero() {
                        mismatches.push(mk(
                            MismatchKind::NotReceipted,
                            &p.agency,
                            p.fund,
                            recovery,
                            format!(
                                "{}到账 {} 元，至{}尚未开具财政票据（{}开具）",
                                cn(p.arrived_on.unwrap_or(p.paid_on)),
                                recovery.grouped(),
                                cn(last),
                                cn(issued)
                            ),
                        ));
                    }
                }
                None if app => {
                    if arrived_in_month {
                        for (line, a) in &allocs {
                            row_mut(&mut rows, &p.agency, fund_of(*line)).receipted += *a;
                        }
                    }
                }
                None => {
                    if arrived_by_end && !recovery.is_zero() {
                        mismatches.push(mk(
                            MismatchKind::NotReceipted,
                            &p.agency,
                            p.fund,
                            recovery,
                            format!(
                                "{}到账 {} 元，尚未开具财政票据（天津办法第十一条）",
                                cn(p.arrived_on.unwrap_or(p.paid_on)),
                                recovery.grouped()
                            ),
                        ));
                    }
                }
            }
            // Proof within 3 working days (004 art. 9).
            if p.proof_due_on <= last && p.proof_received_on.is_none_or(|d| d > p.proof_due_on) {
                mismatches.push(mk(
                    MismatchKind::ProofMissing,
                    &p.agency,
                    p.fund,
                    p.amount,
                    match p.proof_received_on {
                        Some(d) if d <= last => format!(
                            "{}缴款的凭证应于{}前送达，实际{}送达",
                            cn(p.paid_on),
                            cn(p.proof_due_on),
                            cn(d)
                        ),
                        _ => format!(
                            "{}缴款的凭证应于{}前送达（天津办法第九条），至{}未送达",
                            cn(p.paid_on),
                            cn(p.proof_due_on),
                            cn(last)
                        ),
                    },
                ));
            }
            if !credit.is_zero() && arrived_by_end {
                mismatches.push(mk(
                    MismatchKind::CreditNotRefunded,
                    &p.agency,
                    p.fund,
                    credit,
                    format!(
                        "{}缴款多缴 {} 元，尚未退还（天津办法第十五条）",
                        cn(p.paid_on),
                        credit.grouped()
                    ),
                ));
            }
            // Refunds paid back this month; requests still open.
            let mut stmt = conn.prepare(
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
            for (rid, amount, status, requested, refunded_on, from_credit) in refunds {
                if status == "Completed" && within(refunded_on) {
                    let mut stmt = conn.prepare(&format!(
                        "SELECT {}, amount_fen FROM refund_allocation WHERE refund_id = ?1",
                        m.line_col()
                    ))?;
                    for row in
                        stmt.query_map([rid], |r| Ok((r.get::<_, i64>(0)?, money(r.get(1)?))))?
                    {
                        let (line, a) = row?;
                        row_mut(&mut rows, &p.agency, fund_of(line)).refunded += a;
                    }
                    if !from_credit.is_zero() {
                        row_mut(&mut rows, &p.agency, credit_fund(&p, &loaded, conn)?).refunded +=
                            from_credit;
                    }
                }
                let open_at_end = requested <= last
                    && (status == "Requested" || refunded_on.is_some_and(|d| d > last));
                if open_at_end {
                    mismatches.push(mk(
                        MismatchKind::RefundPending,
                        &p.agency,
                        p.fund,
                        amount,
                        format!(
                            "{}申请退款 {} 元，至{}尚未办结",
                            cn(requested),
                            amount.grouped(),
                            cn(last)
                        ),
                    ));
                }
            }
        }
        // Offsets.
        if let Some(case) = &case {
            for plan in offsets::of_case(conn, case.id)? {
                for d in &plan.deductions {
                    if within(Some(d.settled_on)) {
                        row_mut(&mut rows, &plan.agency, Some(d.fund)).offset += d.deducted;
                    }
                    match conn
                        .query_row(
                            "SELECT issued_on FROM fiscal_receipt WHERE deduction_id = ?1 AND voided_on IS NULL",
                            [d.id],
                            |r| r.get::<_, String>(0),
                        )
                        .optional()?
                    {
                        Some(issued) => {
                            let issued = parse_stored_date(&issued)?;
                            if within(Some(issued)) {
                                row_mut(&mut rows, &plan.agency, Some(d.fund)).receipted += d.deducted;
                            }
                            if issued > last && d.settled_on <= last {
                                mismatches.push(mk(
                                    MismatchKind::NotReceipted,
                                    &plan.agency,
                                    Some(d.fund),
                                    d.deducted,
                                    format!(
                                        "{}结算抵扣 {} 元，至{}尚未开具财政票据",
                                        d.month.label(),
                                        d.deducted.grouped(),
                                        cn(last)
                                    ),
                                ));
                            }
                        }
                        None if d.settled_on <= last && !d.deducted.is_zero() => {
                            mismatches.push(mk(
                                MismatchKind::NotReceipted,
                                &plan.agency,
                                Some(d.fund),
                                d.deducted,
                                format!(
                                    "{}结算抵扣 {} 元，尚未开具财政票据（天津办法第十一条）",
                                    d.month.label(),
                                    d.deducted.grouped()
                                ),
                            ));
                        }
                        None => {}
                    }
                }
                // A running plan should show this month's settlement for each fund still owed.
                let running = plan.approved_on <= last
                    && plan.closed_on.is_none_or(|c| c > last)
                    && Month::of(plan.approved_on) <= month;
                if running {
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
                            mismatches.push(mk(
                                MismatchKind::OffsetMissing,
                                &plan.agency,
                                Some(f.fund),
                                f.remaining,
                                format!(
                                    "抵扣通知书 {}：{}{}的结算抵扣未登记，尚需抵扣 {} 元（天津办法第十条）",
                                    plan.notice_number,
                                    month.label(),
                                    f.fund.label(),
                                    f.remaining.grouped()
                                ),
                            ));
                        }
                    }
                }
            }
            // Overdue (004 art. 14): past the notice's deadline with money still owed, and no offset
            // running for it.
            if let Some(due) = case.payment_due {
                let offset_running: bool = conn.query_row(
                    "SELECT EXISTS (SELECT 1 FROM offset_plan WHERE case_id = ?1 AND approved_on <= ?2
                       AND (closed_on IS NULL OR closed_on > ?2) AND status <> 'Cancelled')",
                    params![case.id, date_text(last)],
                    |r| r.get(0),
                )?;
                if due < last && !case.closed() && !offset_running {
                    let owed = owed_at(conn, &loaded, m, last)?;
                    for (fund, amount) in owed {
                        mismatches.push(mk(
                            MismatchKind::Overdue,
                            &default_agency,
                            Some(fund),
                            amount,
                            format!(
                                "退缴时限{}已过，{}尚欠 {} 元（天津办法第十四条）",
                                cn(due),
                                fund.label(),
                                amount.grouped()
                            ),
                        ));
                    }
                }
            }
        }
    }
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
    Ok(Reconciliation {
        month,
        rows,
        totals,
        mismatches,
    })
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
        let mut stmt = conn.prepare(
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

// ---------------------------------------------------------------------------------------------
// Clocks (contributed to part A's `clock.list` through `cases::clocks::SOURCES`)

pub fn clocks(conn: &Connection, ctx: &ClockContext) -> Result<Vec<Clock>> {
    let mut out = Vec::new();
    // 退缴时限 (004 art. 8–9): open cases with a deadline and money owed, no offset running.
    let mut stmt = conn.prepare(
        "SELECT c.id, d.decided_on, d.payment_due FROM case_file c JOIN decision d ON d.case_id = c.id
         WHERE c.status NOT IN ('Closed', 'Dropped') AND d.payment_due IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM offset_plan p WHERE p.case_id = c.id AND p.status = 'Active')",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                parse_stored_date(&r.get::<_, String>(1)?)?,
                parse_stored_date(&r.get::<_, String>(2)?)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (case_id, decided, due) in rows {
        let totals = case_totals(conn, case_id)?;
        if totals.outstanding.is_zero() {
            continue;
        }
        out.push(ctx.case_clock(
            conn,
            case_id,
            ClockKind::Payment,
            format!("退缴时限（尚欠 {} 元）", totals.outstanding.grouped()),
            decided,
            Deadline {
                date: due,
                warnings: vec![],
            },
            "天津办法第八条、第九条",
        )?);
    }
    // 缴款凭证 within 3 working days (004 art. 9), for payments of open matters.
    let mut stmt = conn.prepare(&format!(
        "SELECT {PAYMENT_COLS} FROM payment WHERE proof_received_on IS NULL AND cancelled_on IS NULL
           AND (case_id IS NULL OR case_id IN (SELECT id FROM case_file WHERE status NOT IN ('Closed', 'Dropped')))"
    ))?;
    let rows = stmt
        .query_map([], payment_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for p in rows {
        let due = ctx
            .calendar
            .add_working_days(p.paid_on, ctx.profile.payment_proof_days)?;
        let label = format!(
            "缴款凭证送达（{}缴款 {} 元）",
            cn(p.paid_on),
            p.amount.grouped()
        );
        match p.matter {
            Matter::Case(case_id) => out.push(ctx.case_clock(
                conn,
                case_id,
                ClockKind::PaymentProof,
                label,
                p.paid_on,
                due,
                "天津办法第九条",
            )?),
            Matter::SelfCorrection(id) => {
                let (number, party): (String, String) = conn.query_row(
                    "SELECT s.form_number, COALESCE(i.name, p.name, '') FROM self_correction s
                     LEFT JOIN institution i ON i.id = s.institution_id LEFT JOIN insured p ON p.id = s.insured_id
                     WHERE s.id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?;
                let (state, left) = ctx.state(due.date);
                out.push(Clock {
                    kind: ClockKind::PaymentProof,
                    label,
                    case_id: None,
                    lead_id: None,
                    reference: number,
                    party,
                    started_on: p.paid_on,
                    due_on: due.date,
                    state,
                    working_days_left: left,
                    basis: "天津办法第九条第二款".into(),
                    warnings: due.warnings,
                });
            }
        }
    }
    // 抵扣 progress (004 art. 10): the next month's settlement is due by the end of that month.
    let mut stmt = conn.prepare(
        "SELECT p.id FROM offset_plan p JOIN case_file c ON c.id = p.case_id
         WHERE p.status = 'Active' AND c.status NOT IN ('Closed', 'Dropped')",
    )?;
    let ids = stmt
        .query_map([], |r| r.get::<_, i64>(0))?
        .collect::<rusqlite::Result<Vec<i64>>>()?;
    for id in ids {
        let plan = offsets::get(conn, id)?;
        for f in &plan.funds {
            if f.remaining.is_zero() {
                continue;
            }
            let next = match f.last_month {
                Some(m) => m.next(),
                None => Month::of(plan.approved_on),
            };
            let due = ctx.calendar.calendar_deadline(next.last_day(), 0)?;
            out.push(ctx.case_clock(
                conn,
                plan.case_id,
                ClockKind::Offset,
                format!(
                    "抵扣（{}{}结算，尚需抵扣 {} 元，已抵扣{}个月）",
                    f.fund.label(),
                    next.label(),
                    f.remaining.grouped(),
                    f.months
                ),
                plan.approved_on,
                due,
                "天津办法第十条",
            )?);
        }
    }
    // 罚款 within 15 days of service (行政处罚法 art. 67) and the surcharge (art. 72).
    let mut stmt = conn.prepare(
        "SELECT f.id FROM fine f JOIN case_file c ON c.id = f.case_id
         WHERE f.due_on IS NOT NULL AND c.status NOT IN ('Closed', 'Dropped')",
    )?;
    let ids = stmt
        .query_map([], |r| r.get::<_, i64>(0))?
        .collect::<rusqlite::Result<Vec<i64>>>()?;
    for id in ids {
        let f = fines::get(conn, id, Some(ctx.today))?;
        let (Some(due), Some(served)) = (f.due_on, f.served_on) else {
            continue;
        };
        if f.status.outstanding.is_zero() {
            continue;
        }
        let label = if f.status.days_late > 0 && f.kind.has_surcharge() {
            let capped = late_surcharge(f.amount, f.status.days_late) >= f.amount;
            format!(
                "{}缴纳（逾期{}日，加处罚款 {} 元{}）",
                f.kind.label(),
                f.status.days_late,
                f.status.surcharge.grouped(),
                if capped { "，已达上限" } else { "" }
            )
        } else {
            format!("{}缴纳（{} 元）", f.kind.label(), f.amount.grouped())
        };
        let mut clock = ctx.case_clock(
            conn,
            f.case_id,
            ClockKind::Fine,
            label,
            served,
            Deadline {
                date: due,
                warnings: vec![],
            },
            "行政处罚法第六十七条、第七十二条",
        )?;
        if clock.state != ClockState::Overdue && ctx.today > due {
            clock.state = ClockState::Overdue;
        }
        out.push(clock);
    }
    Ok(out)
}
