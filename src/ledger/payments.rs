//! Payments (004 art. 9), arrival and fiscal receipts (004 art. 11), refunds of erroneous
//! payments and over-payments (004 art. 15).
//!
//! Lifecycle of a payment: recorded (with its voucher; allocated at once, so that what is owed
//! drops the day the party pays) → proof handed in (通知单 + voucher copy, within 3 working days
//! of paying) → arrival confirmed on the agency's bank statement → fiscal receipt. Only the
//! receipt makes money "recovered". A payment that never arrives is cancelled (its allocations stop
//! counting); one that arrived is undone only by a refund.

use crate::cases::Rule;
use std::collections::BTreeSet;

use rusqlite::{params, Connection, OptionalExtension};

use super::book::PaymentRequest;
use super::matter::*;
use super::types::*;
use crate::calendar::WorkCalendar;
use crate::error::{ApiError, Result};
use crate::money::Money;
use crate::store::{now_text, Tx};
use crate::vocab::text::enum_from;

/// 004 art. 9: 在缴款后3个工作日内将《通知单》及缴款凭证复印件送达 (default of the rule profile's
/// `payment_proof_days`).
pub const PROOF_WORKING_DAYS: u32 = 3;

// ---------------------------------------------------------------------------------------------
// Payments

pub fn record(tx: &mut Tx<'_>, cal: &WorkCalendar, r: &PaymentInput) -> Result<Payment> {
    let m = Matter::from_ids(r.case_id, r.self_correction_id)?;
    let mut case_filed = None;
    let default_agency = match m {
        Matter::Case(id) => {
            let case = case_info(tx, id)?;
            case.require_open("再登记缴款")?;
            case_filed = Some(case);
            case_agency(tx, id)?
        }
        Matter::SelfCorrection(id) => Some(
            tx.query_row(
                "SELECT agency FROM self_correction WHERE id = ?1",
                [id],
                |x| x.get::<_, String>(0),
            )
            .optional()?
            .ok_or_else(|| ApiError::not_found("自查自纠退回明细单"))?,
        ),
    };
    let paid_on = past_date(r.paid_on, "paid_on", "缴款日期")?;
    if let Some(case) = &case_filed {
        case.not_before_filing(paid_on, "paid_on", "缴款日期")?;
    }
    let amount = positive(r.amount, "amount", "缴款金额")?;
    let voucher = required_text(&r.voucher, "voucher", "缴款凭证号", 60)?;
    if !r.confirm_duplicate_voucher {
        refuse_duplicate_voucher(tx, &voucher)?;
    }
    let payer = bounded_text(&r.payer, "payer", "缴款人", 100)?;
    let note = bounded_text(&r.note, "note", "备注", 500)?;
    let method = r.method.unwrap_or(PaymentMethod::BankTransfer);
    if method == PaymentMethod::App {
        let insured_form = match m {
            Matter::SelfCorrection(id) => tx
                .query_row(
                    "SELECT party_kind = 'Insured' FROM self_correction WHERE id = ?1",
                    [id],
                    |x| x.get::<_, bool>(0),
                )
                .optional()?
                .unwrap_or(false),
            Matter::Case(_) => false,
        };
        if !insured_form {
            return Err(ApiError::field(
                "method",
                format!(
                    "通过医保APP退回仅适用于参保人员的自查自纠{}，其他缴款请选择银行缴款/转账汇款",
                    crate::cases::rules::office(tx)?.cite(Rule::AppRefund)
                ),
            ));
        }
    }
    let agency = match r.agency.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(a) => bounded_text(a, "agency", "经办机构", 100)?,
        None => default_agency
            .filter(|a| !a.trim().is_empty())
            .ok_or_else(|| {
                ApiError::field(
                    "agency",
                    "请填写收款的医保经办机构（或先登记通知单的缴费信息）",
                )
            })?,
    };
    let arrived_on = match r.arrived_on {
        Some(d) => {
            let d = past_date(Some(d), "arrived_on", "到账日期")?;
            not_before(d, paid_on, "arrived_on", "到账日期", "缴款日期")?;
            Some(d)
        }
        None => None,
    };
    let proof_received_on = match r.proof_received_on {
        Some(d) => {
            let d = past_date(Some(d), "proof_received_on", "缴款凭证送达日期")?;
            not_before(
                d,
                paid_on,
                "proof_received_on",
                "缴款凭证送达日期",
                "缴款日期",
            )?;
            Some(d)
        }
        None => None,
    };

    let mut loaded = load(tx, m)?;
    if loaded.lines.is_empty() {
        return Err(ApiError::illegal(
            "尚未确定应退回金额（没有追回明细），不能登记缴款",
        ));
    }
    let scope: Option<BTreeSet<i64>> = match r.fund {
        Some(f) => {
            let s = loaded.fund_scope(f);
            if s.is_empty() {
                return Err(ApiError::field(
                    "fund",
                    format!("没有{}的应退回金额，请核对缴入的险种账户", f.label()),
                ));
            }
            Some(s)
        }
        None => None,
    };
    let explicit: Vec<(i64, Money)> = r
        .allocations
        .iter()
        .map(|a| (a.line_id, a.amount))
        .collect();
    let (id, uid) = next_uid(tx, "payment", "PM")?;
    let plan = loaded.book.record_payment(
        id,
        &PaymentRequest {
            amount,
            scope: scope.as_ref(),
            explicit: &explicit,
            record_overpayment: r.record_overpayment,
        },
    )?;
    // 004 art. 9: proof within 3 working days of paying (the rule profile's payment_proof_days).
    let proof_days = crate::cases::profile::load(tx)?.payment_proof_days;
    let proof_due = cal.add_working_days(paid_on, proof_days)?;
    let now = now_text();
    tx.execute(
        "INSERT INTO payment (id, uid, case_id, self_correction_id, paid_on, amount_fen, method, voucher,
                              payer, fund, agency, credit_fen, proof_due_on, proof_received_on, arrived_on,
                              note, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?17)",
        params![
            id,
            uid,
            m.case_id(),
            m.self_correction_id(),
            date_text(paid_on),
            amount.fen(),
            enum_text(&method),
            voucher,
            payer,
            r.fund.map(|f| enum_text(&f)),
            agency,
            plan.credit.fen(),
            date_text(proof_due.date),
            proof_received_on.map(date_text),
            arrived_on.map(date_text),
            note,
            now,
        ],
    )?;
    tx.touch("payment", id);
    for (seq, (line, a)) in plan.allocations.iter().enumerate() {
        tx.execute(
            &format!(
                "INSERT INTO payment_allocation (payment_id, seq, {}, amount_fen) VALUES (?1, ?2, ?3, ?4)",
                m.line_col()
            ),
            params![id, seq as i64 + 1, line, a.fen()],
        )?;
        let aid = last_id(tx);
        tx.touch("payment_allocation", aid);
    }
    let mut view = get(tx, id)?;
    view.warnings.extend(proof_due.warnings);
    Ok(view)
}

pub fn get(conn: &Connection, id: i64) -> Result<Payment> {
    let p = payment_row(conn, id)?;
    view(conn, &p)
}

pub fn list(conn: &Connection, q: &PaymentQuery) -> Result<Vec<Payment>> {
    let m = Matter::from_ids(q.case_id, q.self_correction_id)?;
    let loaded = load(conn, m)?;
    payments_of(conn, m)?
        .iter()
        .map(|p| view_in(conn, p, &loaded))
        .collect()
}

pub fn view(conn: &Connection, p: &PaymentRow) -> Result<Payment> {
    view_in(conn, p, &load(conn, p.matter)?)
}

/// The view of a payment of a matter already loaded (lists load the matter once).
pub fn view_in(conn: &Connection, p: &PaymentRow, loaded: &Loaded) -> Result<Payment> {
    let (allocs, credit) = if p.cancelled_on.is_some() {
        (Vec::new(), Money::ZERO)
    } else {
        loaded.book.payment(p.id).unwrap_or_default()
    };
    let receipt_number = payment_receipt(conn, p.id)?;
    let refunded: i64 = conn.query_row(
        "SELECT COALESCE(SUM(amount_fen), 0) FROM refund WHERE payment_id = ?1 AND status = 'Completed'",
        [p.id],
        |r| r.get(0),
    )?;
    // Entered in the 医保信息平台 (issue 9; 004 art. 9).
    let platform_entered_on: Option<String> = conn.query_row(
        "SELECT platform_entered_on FROM payment WHERE id = ?1",
        [p.id],
        |r| r.get(0),
    )?;
    let status = if p.cancelled_on.is_some() {
        PaymentStatus::Cancelled
    } else if receipt_number.is_some() || app_recovered(conn, p)? {
        PaymentStatus::Recovered
    } else if p.arrived_on.is_some() {
        PaymentStatus::Arrived
    } else {
        PaymentStatus::Recorded
    };
    Ok(Payment {
        id: p.id,
        uid: p.uid.clone(),
        case_id: p.matter.case_id(),
        self_correction_id: p.matter.self_correction_id(),
        paid_on: p.paid_on,
        amount: p.amount,
        method: p.method,
        voucher: p.voucher.clone(),
        payer: p.payer.clone(),
        fund: p.fund,
        agency: p.agency.clone(),
        status,
        allocations: allocs
            .into_iter()
            .map(|(line_id, amount)| AllocationView {
                line_id,
                label: loaded.label(line_id),
                amount,
            })
            .collect(),
        credit,
        refunded: money(refunded),
        proof_due_on: p.proof_due_on,
        proof_received_on: p.proof_received_on,
        proof_late: p.proof_received_on.is_some_and(|d| d > p.proof_due_on),
        arrived_on: p.arrived_on,
        cancelled_on: p.cancelled_on,
        cancel_reason: p.cancel_reason.clone(),
        receipt_number,
        platform_entered_on: crate::vocab::dates::opt_date(platform_entered_on)?,
        note: p.note.clone(),
        warnings: Vec::new(),
    })
}

fn live_payment(conn: &Connection, id: i64) -> Result<PaymentRow> {
    let p = payment_row(conn, id)?;
    if p.cancelled_on.is_some() {
        return Err(ApiError::illegal("该笔缴款已撤销"));
    }
    Ok(p)
}

/// 到账确认 (004 art. 11): the agency saw the money on its bank statement.
pub fn confirm_arrival(tx: &mut Tx<'_>, r: &PaymentDate) -> Result<Payment> {
    let p = live_payment(tx, r.id)?;
    if let Some(d) = p.arrived_on {
        return Err(ApiError::conflict(format!("该笔缴款已于{}确认到账", cn(d))));
    }
    let d = past_date(Some(r.date), "date", "到账日期")?;
    not_before(d, p.paid_on, "date", "到账日期", "缴款日期")?;
    tx.execute(
        "UPDATE payment SET arrived_on = ?1, updated_at = ?2 WHERE id = ?3",
        params![date_text(d), now_text(), p.id],
    )?;
    tx.touch("payment", p.id);
    get(tx, p.id)
}

/// 缴款凭证送达 (004 art. 9). Late proof is recorded as it happened, and shown as late.
pub fn proof_received(tx: &mut Tx<'_>, r: &PaymentDate) -> Result<Payment> {
    let p = live_payment(tx, r.id)?;
    if let Some(d) = p.proof_received_on {
        return Err(ApiError::conflict(format!(
            "该笔缴款的凭证已于{}送达",
            cn(d)
        )));
    }
    let d = past_date(Some(r.date), "date", "缴款凭证送达日期")?;
    not_before(d, p.paid_on, "date", "缴款凭证送达日期", "缴款日期")?;
    tx.execute(
        "UPDATE payment SET proof_received_on = ?1, updated_at = ?2 WHERE id = ?3",
        params![date_text(d), now_text(), p.id],
    )?;
    tx.touch("payment", p.id);
    get(tx, p.id)
}

/// A recorded payment that never arrived: it stops counting.
pub fn cancel(tx: &mut Tx<'_>, r: &PaymentCancel) -> Result<Payment> {
    let p = live_payment(tx, r.id)?;
    if p.arrived_on.is_some() {
        return Err(ApiError::illegal(format!(
            "该笔缴款已确认到账，不能撤销；如属错缴，请办理退款{}",
            p.matter.rules(tx)?.cite(Rule::ErroneousRefund)
        )));
    }
    if let Matter::Case(id) = p.matter {
        case_info(tx, id)?.require_open("撤销缴款")?;
    }
    let reason = required_text(&r.reason, "reason", "撤销原因", 200)?;
    let d = past_date(Some(r.date), "date", "撤销日期")?;
    not_before(d, p.paid_on, "date", "撤销日期", "缴款日期")?;
    tx.execute(
        "UPDATE payment SET cancelled_on = ?1, cancel_reason = ?2, updated_at = ?3 WHERE id = ?4",
        params![date_text(d), reason, now_text(), p.id],
    )?;
    tx.touch("payment", p.id);
    get(tx, p.id)
}

// ---------------------------------------------------------------------------------------------
// Fiscal receipts (004 art. 11)

const RECEIPT_COLS: &str = "id, uid, receipt_number, issued_on, payment_id, deduction_id, amount_fen, agency, voided_on, void_reason";

fn receipt_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Receipt> {
    Ok(Receipt {
        id: r.get(0)?,
        uid: r.get(1)?,
        receipt_number: r.get(2)?,
        issued_on: parse_stored_date(&r.get::<_, String>(3)?)?,
        payment_id: r.get(4)?,
        deduction_id: r.get(5)?,
        amount: money(r.get(6)?),
        agency: r.get(7)?,
        voided_on: opt_date(r.get(8)?)?,
        void_reason: r.get(9)?,
    })
}

pub fn receipt(conn: &Connection, id: i64) -> Result<Receipt> {
    conn.query_row(
        &format!("SELECT {RECEIPT_COLS} FROM fiscal_receipt WHERE id = ?1"),
        [id],
        receipt_from_row,
    )
    .optional()?
    .ok_or_else(|| ApiError::not_found("财政票据"))
}

/// Every receipt (valid or voided) of a case: on its payments and on its offset deductions.
pub fn case_receipts(conn: &Connection, case_id: i64) -> Result<Vec<Receipt>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {RECEIPT_COLS} FROM fiscal_receipt WHERE payment_id IN (SELECT id FROM payment WHERE case_id = ?1)
         UNION ALL
         SELECT {RECEIPT_COLS} FROM fiscal_receipt
         WHERE deduction_id IN (SELECT d.id FROM offset_deduction d JOIN offset_plan p ON p.id = d.plan_id WHERE p.case_id = ?1)
         ORDER BY issued_on, id"
    ))?;
    let rows = stmt
        .query_map([case_id], receipt_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Issue the fiscal receipt for money that arrived (a payment) or was deducted (an offset). The
/// amount is what the payment or deduction put on recovery lines; an over-payment is refunded,
/// not receipted.
pub fn issue_receipt(tx: &mut Tx<'_>, r: &ReceiptInput) -> Result<Receipt> {
    let number = required_text(&r.receipt_number, "receipt_number", "财政票据号码", 60)?;
    let issued_on = past_date(r.issued_on, "issued_on", "开票日期")?;
    let (amount, agency) = match (r.payment_id, r.deduction_id) {
        (Some(pid), None) => {
            let p = live_payment(tx, pid)?;
            let Some(arrived) = p.arrived_on else {
                return Err(ApiError::illegal(format!(
                    "该笔缴款尚未确认到账，不能开具财政票据{}",
                    p.matter
                        .rules(tx)?
                        .cite_with(Rule::FiscalReceipt, "收到银行入账凭证、核对无误后开具")
                )));
            };
            not_before(issued_on, arrived, "issued_on", "开票日期", "到账日期")?;
            if let Some(n) = payment_receipt(tx, pid)? {
                return Err(ApiError::conflict(format!(
                    "该笔缴款已开具财政票据 {n}，如需重开请先冲红"
                )));
            }
            if app_recovered(tx, &p)? {
                return Err(ApiError::illegal(format!(
                    "参保人员通过医保APP退回的款项以到账确认作为认定依据{}，无需在此开具票据",
                    p.matter.rules(tx)?.cite(Rule::AppRefund)
                )));
            }
            let loaded = load(tx, p.matter)?;
            let (allocs, _) = loaded.book.payment(pid).unwrap_or_default();
            let amount: Money = allocs.iter().map(|(_, a)| *a).sum();
            if amount.is_zero() {
                return Err(ApiError::illegal(
                    "该笔缴款没有记入追回明细的金额（多缴部分应办理退款，不开具追回票据）",
                ));
            }
            (amount, p.agency)
        }
        (None, Some(did)) => {
            let (deducted, settled_on, agency): (i64, String, String) = tx
                .query_row(
                    "SELECT d.deducted_fen, d.settled_on, p.agency FROM offset_deduction d
                     JOIN offset_plan p ON p.id = d.plan_id WHERE d.id = ?1",
                    [did],
                    |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?)),
                )
                .optional()?
                .ok_or_else(|| ApiError::not_found("抵扣记录"))?;
            let settled_on = parse_stored_date(&settled_on)?;
            not_before(
                issued_on,
                settled_on,
                "issued_on",
                "开票日期",
                "结算抵扣日期",
            )?;
            if let Some(n) = deduction_receipt(tx, did)? {
                return Err(ApiError::conflict(format!(
                    "该笔抵扣已开具财政票据 {n}，如需重开请先冲红"
                )));
            }
            if deducted == 0 {
                return Err(ApiError::illegal("该月结算没有抵扣金额，不能开具财政票据"));
            }
            (money(deducted), agency)
        }
        _ => {
            return Err(ApiError::field(
                "payment_id",
                "请指定票据对应的缴款或抵扣（二者选一）",
            ))
        }
    };
    if let Some(given) = r.amount {
        if given != amount {
            return Err(ApiError::field(
                "amount",
                format!(
                    "票据金额 {} 元与到账的追回金额 {} 元不一致",
                    given.grouped(),
                    amount.grouped()
                ),
            ));
        }
    }
    let taken: Option<i64> = tx
        .query_row(
            "SELECT id FROM fiscal_receipt WHERE receipt_number = ?1",
            [&number],
            |x| x.get(0),
        )
        .optional()?;
    if taken.is_some() {
        return Err(
            ApiError::conflict(format!("财政票据号码“{number}”已登记过"))
                .in_field("receipt_number", "财政票据号码"),
        );
    }
    let (id, uid) = next_uid(tx, "fiscal_receipt", "FR")?;
    let now = now_text();
    tx.execute(
        "INSERT INTO fiscal_receipt (id, uid, receipt_number, issued_on, payment_id, deduction_id, amount_fen,
                                     agency, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
        params![
            id,
            uid,
            number,
            date_text(issued_on),
            r.payment_id,
            r.deduction_id,
            amount.fen(),
            agency,
            now
        ],
    )?;
    tx.touch("fiscal_receipt", id);
    receipt(tx, id)
}

/// 冲红: a voided receipt stays on file; the money is no longer "recovered" until a new one.
pub fn void_receipt(tx: &mut Tx<'_>, r: &ReceiptVoid) -> Result<Receipt> {
    let rc = receipt(tx, r.id)?;
    if let Some(d) = rc.voided_on {
        return Err(ApiError::conflict(format!("该票据已于{}冲红", cn(d))));
    }
    let reason = required_text(&r.reason, "reason", "冲红原因", 200)?;
    let d = past_date(Some(r.date), "date", "冲红日期")?;
    not_before(d, rc.issued_on, "date", "冲红日期", "开票日期")?;
    tx.execute(
        "UPDATE fiscal_receipt SET voided_on = ?1, void_reason = ?2, updated_at = ?3 WHERE id = ?4",
        params![date_text(d), reason, now_text(), rc.id],
    )?;
    tx.touch("fiscal_receipt", rc.id);
    receipt(tx, rc.id)
}

// ---------------------------------------------------------------------------------------------
// Refunds (004 art. 15)

const REFUND_COLS: &str = "id, uid, payment_id, amount_fen, reason, requested_on, status, opinion, decided_on, refunded_on, from_credit_fen";

fn refund_row(conn: &Connection, id: i64) -> Result<(Refund, Matter)> {
    let mut r = conn
        .query_row(
            &format!("SELECT {REFUND_COLS} FROM refund WHERE id = ?1"),
            [id],
            |r| {
                Ok(Refund {
                    id: r.get(0)?,
                    uid: r.get(1)?,
                    payment_id: r.get(2)?,
                    amount: money(r.get(3)?),
                    reason: r.get(4)?,
                    requested_on: parse_stored_date(&r.get::<_, String>(5)?)?,
                    status: enum_from(r.get(6)?),
                    opinion: r.get(7)?,
                    decided_on: opt_date(r.get(8)?)?,
                    refunded_on: opt_date(r.get(9)?)?,
                    from_credit: money(r.get(10)?),
                    from_lines: Vec::new(),
                })
            },
        )
        .optional()?
        .ok_or_else(|| ApiError::not_found("退款申请"))?;
    let p = payment_row(conn, r.payment_id)?;
    let loaded = load(conn, p.matter)?;
    let col = p.matter.line_col();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {col}, amount_fen FROM refund_allocation WHERE refund_id = ?1 ORDER BY id"
    ))?;
    r.from_lines = stmt
        .query_map([id], |x| Ok((x.get::<_, i64>(0)?, money(x.get(1)?))))?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .map(|(line_id, amount)| AllocationView {
            line_id,
            label: loaded.label(line_id),
            amount,
        })
        .collect();
    Ok((r, p.matter))
}

pub fn refund(conn: &Connection, id: i64) -> Result<Refund> {
    Ok(refund_row(conn, id)?.0)
}

pub fn refunds_of(conn: &Connection, m: Matter) -> Result<Vec<Refund>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT r.id FROM refund r JOIN payment p ON p.id = r.payment_id WHERE p.{} = ?1 ORDER BY r.id",
        m.owner_col()
    ))?;
    let ids = stmt
        .query_map([m.id()], |r| r.get::<_, i64>(0))?
        .collect::<rusqlite::Result<Vec<i64>>>()?;
    ids.into_iter().map(|id| refund(conn, id)).collect()
}

/// Check that `amount` (plus what is already requested and pending) can come back from the
/// payment now: refundable, not touching receipted money, not reopening a closed case.
fn check_refund(conn: &Connection, p: &PaymentRow, amount: Money, pending: Money) -> Result<()> {
    let mut loaded = load(conn, p.matter)?;
    let plan = loaded.book.refund(p.id, amount + pending).map_err(|e| {
        if pending.is_zero() {
            e
        } else {
            ApiError::illegal(format!(
                "{}（另有待办结的退款申请 {} 元）",
                e.message,
                pending.grouped()
            ))
        }
    })?;
    if !plan.lines.is_empty() {
        if let Some(n) = payment_receipt(conn, p.id)? {
            return Err(ApiError::illegal(format!(
                "退款涉及已开具财政票据 {n} 的追回金额，请先将该票据冲红，退款后按实际追回金额重新开票"
            )));
        }
        if let Matter::Case(id) = p.matter {
            case_info(conn, id)?.require_open("退回已记入追回明细的金额（只能退还多缴部分）")?;
        }
    }
    Ok(())
}

fn pending_refunds(conn: &Connection, payment_id: i64, except: Option<i64>) -> Result<Money> {
    let fen: i64 = conn.query_row(
        "SELECT COALESCE(SUM(amount_fen), 0) FROM refund WHERE payment_id = ?1 AND status = 'Requested' AND id <> ?2",
        params![payment_id, except.unwrap_or(0)],
        |r| r.get(0),
    )?;
    Ok(money(fen))
}

/// 退款申请 (004 art. 15): the party found its payment wrong (or paid too much).
pub fn request_refund(tx: &mut Tx<'_>, r: &RefundInput) -> Result<Refund> {
    let p = live_payment(tx, r.payment_id)?;
    if p.arrived_on.is_none() {
        return Err(ApiError::illegal(
            "该笔缴款尚未确认到账，不能退款；如款项未到账，请撤销该笔缴款",
        ));
    }
    let amount = positive(r.amount, "amount", "退款金额")?;
    let reason = required_text(&r.reason, "reason", "退款原因", 500)?;
    let requested_on = past_date(r.requested_on, "requested_on", "申请日期")?;
    not_before(
        requested_on,
        p.paid_on,
        "requested_on",
        "申请日期",
        "缴款日期",
    )?;
    let pending = pending_refunds(tx, p.id, None)?;
    check_refund(tx, &p, amount, pending)?;
    let (id, uid) = next_uid(tx, "refund", "RF")?;
    let now = now_text();
    tx.execute(
        "INSERT INTO refund (id, uid, payment_id, amount_fen, reason, requested_on, status, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'Requested', ?7, ?7)",
        params![id, uid, p.id, amount.fen(), reason, date_text(requested_on), now],
    )?;
    tx.touch("refund", id);
    refund(tx, id)
}

/// The agency paid the refund back (004 art. 15). The lines it came off owe it again; the party
/// re-pays under art. 9.
pub fn complete_refund(tx: &mut Tx<'_>, r: &RefundDecision) -> Result<Refund> {
    let (rf, m) = refund_row(tx, r.id)?;
    if rf.status != RefundStatus::Requested {
        return Err(ApiError::illegal("该退款申请已办结"));
    }
    let opinion = required_text(&r.opinion, "opinion", "处理意见", 500)?;
    let d = past_date(r.date, "date", "退款日期")?;
    not_before(d, rf.requested_on, "date", "退款日期", "申请日期")?;
    let p = live_payment(tx, rf.payment_id)?;
    let pending = pending_refunds(tx, p.id, Some(rf.id))?;
    check_refund(tx, &p, rf.amount, pending)?;
    let mut loaded = load(tx, m)?;
    let plan = loaded.book.refund(p.id, rf.amount)?;
    for (line, a) in &plan.lines {
        tx.execute(
            &format!(
                "INSERT INTO refund_allocation (refund_id, {}, amount_fen) VALUES (?1, ?2, ?3)",
                m.line_col()
            ),
            params![rf.id, line, a.fen()],
        )?;
        let aid = last_id(tx);
        tx.touch("refund_allocation", aid);
    }
    tx.execute(
        "UPDATE refund SET status = 'Completed', opinion = ?1, decided_on = ?2, refunded_on = ?2,
                from_credit_fen = ?3, updated_at = ?4 WHERE id = ?5",
        params![
            opinion,
            date_text(d),
            plan.from_credit.fen(),
            now_text(),
            rf.id
        ],
    )?;
    tx.touch("refund", rf.id);
    refund(tx, rf.id)
}

pub fn reject_refund(tx: &mut Tx<'_>, r: &RefundDecision) -> Result<Refund> {
    let (rf, _) = refund_row(tx, r.id)?;
    if rf.status != RefundStatus::Requested {
        return Err(ApiError::illegal("该退款申请已办结"));
    }
    let opinion = required_text(&r.opinion, "opinion", "不予退款的理由", 500)?;
    let d = past_date(r.date, "date", "处理日期")?;
    not_before(d, rf.requested_on, "date", "处理日期", "申请日期")?;
    tx.execute(
        "UPDATE refund SET status = 'Rejected', opinion = ?1, decided_on = ?2, updated_at = ?3 WHERE id = ?4",
        params![opinion, date_text(d), now_text(), rf.id],
    )?;
    tx.touch("refund", rf.id);
    refund(tx, rf.id)
}

/// A voucher number already on a payment that was not cancelled is most likely the same money
/// recorded twice (a double click, a retry after a crash): refused until the clerk confirms.
fn refuse_duplicate_voucher(conn: &Connection, voucher: &str) -> Result<()> {
    let earlier: Option<(String, i64, Option<String>)> = conn
        .query_row(
            "SELECT p.paid_on, p.amount_fen, c.case_number FROM payment p
             LEFT JOIN case_file c ON c.id = p.case_id
             WHERE p.voucher = ?1 AND p.cancelled_on IS NULL ORDER BY p.id LIMIT 1",
            [voucher],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((paid_on, fen, case_number)) = earlier else {
        return Ok(());
    };
    let whose = case_number
        .map(|n| format!("（案件{n}）"))
        .unwrap_or_else(|| "（自查自纠）".to_string());
    Err(ApiError::conflict(format!(
        "缴款凭证号“{voucher}”已于{}登记过一笔{}元的缴款{whose}。如确为另一笔缴款，请确认不是重复登记后再保存",
        cn(parse_stored_date(&paid_on).map_err(|e| ApiError::internal(e.to_string()))?),
        money(fen).grouped()
    ))
    .in_field("voucher", "缴款凭证号"))
}
