//! Offsets against monthly settlements, stored (004 art. 10; 000 art. 7). See [`super::offset`]
//! for the month rules and [`super::book::Book::record_offset`] for the allocation.

use crate::cases::rules::OffsetPolicy;
use crate::cases::Rule;
use rusqlite::{params, Connection, OptionalExtension};

use super::matter::*;
use super::offset::{check_month, deductible, Month};
use super::types::*;
use crate::cases::{Fund, PartyKind};
use crate::error::{ApiError, Result};
use crate::money::Money;
use crate::store::{now_text, Tx};
use crate::vocab::text::enum_from;

/// Approve an offset: the 抵扣通知书 (004 art. 10).
pub fn create(tx: &mut Tx<'_>, r: &OffsetInput) -> Result<OffsetPlan> {
    let case = case_info(tx, r.case_id)?;
    case.require_open("办理抵扣")?;
    if case.party_kind != PartyKind::Institution {
        return Err(ApiError::illegal(format!(
            "抵扣结算基金仅适用于定点医药机构{}，参保人员应通过银行缴款退回",
            crate::cases::rules::for_case(tx, r.case_id)?.cite(Rule::Offset)
        )));
    }
    let notice = required_text(&r.notice_number, "notice_number", "抵扣通知书文号", 60)?;
    let requested_on = past_date(r.requested_on, "requested_on", "抵扣申请日期")?;
    case.not_before_filing(requested_on, "requested_on", "抵扣申请日期")?;
    let approved_on = past_date(r.approved_on, "approved_on", "审核同意日期")?;
    not_before(
        approved_on,
        requested_on,
        "approved_on",
        "审核同意日期",
        "申请日期",
    )?;
    // Issue 9: only once the amount is decided and the 通知单 that sets the deadline was issued —
    // never on a matter under investigation; when, follows the case's rule set.
    let rules = crate::cases::rules::for_case(tx, r.case_id)?;
    let Some(due) = case.payment_due else {
        return Err(ApiError::illegal(format!(
            "本案尚未作出决定确定应退回的金额和缴费时限，不能办理抵扣{}",
            rules.cite(Rule::Offset)
        )));
    };
    // The deadline reached the party: the decision served, or the 通知单 issued.
    let notified: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM document_service WHERE case_id = ?1 AND document = 'RecoverySlip')
             OR EXISTS (SELECT 1 FROM collection WHERE case_id = ?1 AND notice_number <> '' AND issued_on IS NOT NULL)
             OR EXISTS (SELECT 1 FROM document_service WHERE case_id = ?1 AND served_on IS NOT NULL
                          AND document IN ('HandlingDecision', 'PenaltyDecision', 'AgreementDecision'))",
        [case.id],
        |x| x.get(0),
    )?;
    if !notified {
        return Err(ApiError::illegal(format!(
            "本案的决定书尚未送达、也未出具医疗保障基金追回通知单，不能办理抵扣{}",
            rules.cite_with(Rule::Offset, "抵扣的是已告知当事人的应追回基金")
        )));
    }
    match rules.offset_policy {
        // 004 art. 10: 可在退缴时限内向医保经办机构提出抵扣退回申请.
        OffsetPolicy::OnRequestWithinDeadline if requested_on > due => {
            return Err(ApiError::illegal(format!(
                "抵扣申请应在退缴时限（{}）内提出{}，已逾期的应依法依规进一步处理{}",
                cn(due),
                rules.cite(Rule::OffsetOnRequest),
                rules.cite(Rule::Overdue)
            )));
        }
        // 000 art. 7: 对无故、恶意拖延或不予足额退款的，可以抵扣拨付基金.
        OffsetPolicy::AfterOverdue if requested_on <= due => {
            return Err(ApiError::illegal(format!(
                "退缴时限（{}）尚未届满：本单位规则为定点医药机构逾期不退、无故或恶意拖延时方可抵扣拨付基金{}",
                cn(due),
                rules.cite(Rule::Offset)
            )));
        }
        _ => {}
    }
    let served_on = match r.served_on {
        Some(d) => {
            let d = past_date(Some(d), "served_on", "送达日期")?;
            not_before(d, approved_on, "served_on", "送达日期", "审核同意日期")?;
            Some(d)
        }
        None => None,
    };
    let agency = match r.agency.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(a) => bounded_text(a, "agency", "经办机构", 100)?,
        None => case_agency(tx, case.id)?
            .filter(|a| !a.trim().is_empty())
            .ok_or_else(|| ApiError::field("agency", "请填写办理抵扣的医保经办机构"))?,
    };
    let active: Option<String> = tx
        .query_row(
            "SELECT notice_number FROM offset_plan WHERE case_id = ?1 AND status = 'Active'",
            [case.id],
            |x| x.get(0),
        )
        .optional()?;
    if let Some(n) = active {
        return Err(ApiError::conflict(format!(
            "本案已有执行中的抵扣（{n}），请在其中继续登记"
        )));
    }
    if tx
        .query_row(
            "SELECT 1 FROM offset_plan WHERE notice_number = ?1",
            [&notice],
            |_| Ok(()),
        )
        .optional()?
        .is_some()
    {
        return Err(
            ApiError::conflict(format!("抵扣通知书文号“{notice}”已使用"))
                .in_field("notice_number", "抵扣通知书文号"),
        );
    }
    let loaded = load(tx, Matter::Case(case.id))?;
    let owed = |f: Fund| loaded.book.outstanding_in(Some(&loaded.fund_scope(f)));
    let mut funds: Vec<(Fund, Money)> = Vec::new();
    if r.funds.is_empty() {
        for f in loaded.funds() {
            let o = owed(f);
            if !o.is_zero() {
                funds.push((f, o));
            }
        }
    } else {
        for fa in &r.funds {
            if funds.iter().any(|(f, _)| *f == fa.fund) {
                return Err(ApiError::field(
                    "funds",
                    format!("{}重复填写", fa.fund.label()),
                ));
            }
            if fa.amount.is_negative() || fa.amount.is_zero() {
                return Err(ApiError::field(
                    "funds",
                    format!("{}的抵扣金额必须大于零", fa.fund.label()),
                ));
            }
            let o = owed(fa.fund);
            if fa.amount > o {
                return Err(ApiError::illegal(format!(
                    "{}尚欠 {} 元，抵扣金额 {} 元不能超过尚欠金额",
                    fa.fund.label(),
                    o.grouped(),
                    fa.amount.grouped()
                )));
            }
            funds.push((fa.fund, fa.amount));
        }
    }
    if funds.is_empty() {
        return Err(ApiError::illegal("本案已无尚欠金额，无需抵扣"));
    }
    let (id, uid) = next_uid(tx, "offset_plan", "OP")?;
    let now = now_text();
    tx.execute(
        "INSERT INTO offset_plan (id, uid, case_id, notice_number, requested_on, approved_on, served_on, agency,
                                  status, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'Active', ?9, ?9)",
        params![
            id,
            uid,
            case.id,
            notice,
            date_text(requested_on),
            date_text(approved_on),
            served_on.map(date_text),
            agency,
            now
        ],
    )?;
    tx.touch("offset_plan", id);
    for (f, a) in funds {
        tx.execute(
            "INSERT INTO offset_plan_fund (plan_id, fund, amount_fen) VALUES (?1, ?2, ?3)",
            params![id, enum_text(&f), a.fen()],
        )?;
        let fid = last_id(tx);
        tx.touch("offset_plan_fund", fid);
    }
    get(tx, id)
}

struct PlanRow {
    id: i64,
    case_id: i64,
    approved_on: chrono::NaiveDate,
    status: OffsetStatus,
    notice_number: String,
}

fn plan_row(conn: &Connection, id: i64) -> Result<PlanRow> {
    conn.query_row(
        "SELECT id, case_id, approved_on, status, notice_number FROM offset_plan WHERE id = ?1",
        [id],
        |r| {
            Ok(PlanRow {
                id: r.get(0)?,
                case_id: r.get(1)?,
                approved_on: parse_stored_date(&r.get::<_, String>(2)?)?,
                status: enum_from(r.get(3)?),
                notice_number: r.get(4)?,
            })
        },
    )
    .optional()?
    .ok_or_else(|| ApiError::not_found("抵扣通知书"))
}

/// Plan amount, deducted so far, and last month, per fund.
fn fund_progress(conn: &Connection, plan_id: i64) -> Result<Vec<OffsetFundProgress>> {
    let mut stmt = conn.prepare_cached(
        "SELECT f.fund, f.amount_fen,
                COALESCE((SELECT SUM(d.deducted_fen) FROM offset_deduction d WHERE d.plan_id = f.plan_id AND d.fund = f.fund), 0),
                (SELECT COUNT(*) FROM offset_deduction d WHERE d.plan_id = f.plan_id AND d.fund = f.fund),
                (SELECT MAX(d.month) FROM offset_deduction d WHERE d.plan_id = f.plan_id AND d.fund = f.fund)
         FROM offset_plan_fund f WHERE f.plan_id = ?1 ORDER BY f.id",
    )?;
    let rows = stmt
        .query_map([plan_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, Option<String>>(4)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter()
        .map(|(fund, amount, deducted, months, last)| {
            let last_month = last.map(|s| s.parse::<Month>()).transpose()?;
            Ok(OffsetFundProgress {
                fund: enum_from(fund),
                amount: money(amount),
                deducted: money(deducted),
                remaining: money(amount - deducted),
                months,
                last_month,
            })
        })
        .collect()
}

/// Record one month's settlement of one fund: deduct what it can, carry the rest (004 art. 10).
pub fn deduct(tx: &mut Tx<'_>, r: &DeductionInput) -> Result<OffsetPlan> {
    let plan = plan_row(tx, r.plan_id)?;
    if plan.status != OffsetStatus::Active {
        return Err(ApiError::illegal(format!(
            "抵扣通知书 {} 已{}，不能再登记抵扣",
            plan.notice_number,
            if plan.status == OffsetStatus::Completed {
                "足额抵扣完毕"
            } else {
                "撤销"
            }
        )));
    }
    case_info(tx, plan.case_id)?.require_open("登记结算抵扣")?;
    let fund = need(r.fund, "fund", "险种")?;
    let month = need(r.month, "month", "结算月份")?;
    let settled_on = past_date(r.settled_on, "settled_on", "结算拨付日期")?;
    not_before(
        settled_on,
        plan.approved_on,
        "settled_on",
        "结算拨付日期",
        "抵扣审核同意日期",
    )?;
    let settlement = need(r.settlement, "settlement", "当月结算金额")?;
    if settlement.is_negative() {
        return Err(ApiError::field("settlement", "当月结算金额不能为负数"));
    }
    let progress = fund_progress(tx, plan.id)?;
    let Some(fp) = progress.iter().find(|p| p.fund == fund) else {
        return Err(ApiError::field(
            "fund",
            format!("抵扣通知书 {} 不含{}", plan.notice_number, fund.label()),
        ));
    };
    check_month(plan.approved_on, fp.last_month, month)?;
    if fp.remaining.is_zero() {
        return Err(ApiError::illegal(format!(
            "{}已足额抵扣，无需再登记",
            fund.label()
        )));
    }
    let mut loaded = load(tx, Matter::Case(plan.case_id))?;
    let scope = loaded.fund_scope(fund);
    let allocations = loaded
        .book
        .record_offset(&scope, deductible(settlement, fp.remaining));
    let deducted: Money = allocations.iter().map(|(_, a)| *a).sum();
    // What still has to be deducted: the plan's remainder, never more than the fund still owes
    // (a payment in the meantime lowers it).
    let remaining = (fp.remaining - deducted).min(loaded.book.outstanding_in(Some(&scope)));
    let (id, uid) = next_uid(tx, "offset_deduction", "OD")?;
    tx.execute(
        "INSERT INTO offset_deduction (id, uid, plan_id, fund, month, settled_on, settlement_fen, deducted_fen,
                                       remaining_fen, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            id,
            uid,
            plan.id,
            enum_text(&fund),
            month.to_string(),
            date_text(settled_on),
            settlement.fen(),
            deducted.fen(),
            remaining.fen(),
            now_text()
        ],
    )?;
    tx.touch("offset_deduction", id);
    for (seq, (line, a)) in allocations.iter().enumerate() {
        tx.execute(
            "INSERT INTO offset_allocation (deduction_id, seq, recovery_line_id, amount_fen) VALUES (?1, ?2, ?3, ?4)",
            params![id, seq as i64 + 1, line, a.fen()],
        )?;
        let aid = last_id(tx);
        tx.touch("offset_allocation", aid);
    }
    // Completed when every fund of the plan is covered, or nothing is owed on them any more.
    let mut done = true;
    for p in fund_progress(tx, plan.id)? {
        let left = if p.fund == fund {
            remaining
        } else {
            p.remaining
                .min(loaded.book.outstanding_in(Some(&loaded.fund_scope(p.fund))))
        };
        if !left.is_zero() {
            done = false;
        }
    }
    if done {
        tx.execute(
            "UPDATE offset_plan SET status = 'Completed', closed_on = ?1, close_reason = '足额抵扣', updated_at = ?2 WHERE id = ?3",
            params![date_text(settled_on), now_text(), plan.id],
        )?;
        tx.touch("offset_plan", plan.id);
    }
    get(tx, plan.id)
}

pub fn cancel(tx: &mut Tx<'_>, r: &OffsetCancel) -> Result<OffsetPlan> {
    let plan = plan_row(tx, r.id)?;
    if plan.status != OffsetStatus::Active {
        return Err(ApiError::illegal("该抵扣已结束，不能撤销"));
    }
    let reason = required_text(&r.reason, "reason", "撤销原因", 200)?;
    let d = past_date(Some(r.date), "date", "撤销日期")?;
    not_before(d, plan.approved_on, "date", "撤销日期", "审核同意日期")?;
    tx.execute(
        "UPDATE offset_plan SET status = 'Cancelled', closed_on = ?1, close_reason = ?2, updated_at = ?3 WHERE id = ?4",
        params![date_text(d), reason, now_text(), plan.id],
    )?;
    tx.touch("offset_plan", plan.id);
    get(tx, plan.id)
}

pub fn get(conn: &Connection, id: i64) -> Result<OffsetPlan> {
    let plan = plan_row(conn, id)?;
    let loaded = load(conn, Matter::Case(plan.case_id))?;
    let (uid, requested_on, served_on, agency, closed_on, close_reason): (
        String,
        String,
        Option<String>,
        String,
        Option<String>,
        String,
    ) = conn.query_row(
        "SELECT uid, requested_on, served_on, agency, closed_on, close_reason FROM offset_plan WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
    )?;
    let mut stmt = conn.prepare_cached(
        "SELECT id, uid, fund, month, settled_on, settlement_fen, deducted_fen, remaining_fen
         FROM offset_deduction WHERE plan_id = ?1 ORDER BY month, id",
    )?;
    let rows = stmt
        .query_map([id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, i64>(6)?,
                r.get::<_, i64>(7)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut deductions = Vec::new();
    for (did, duid, fund, month, settled_on, settlement, deducted, remaining) in rows {
        let mut stmt = conn.prepare_cached(
            "SELECT recovery_line_id, amount_fen FROM offset_allocation WHERE deduction_id = ?1 ORDER BY seq",
        )?;
        let allocations = stmt
            .query_map([did], |r| Ok((r.get::<_, i64>(0)?, money(r.get(1)?))))?
            .collect::<rusqlite::Result<Vec<_>>>()?
            .into_iter()
            .map(|(line_id, amount)| AllocationView {
                line_id,
                label: loaded.label(line_id),
                amount,
            })
            .collect();
        deductions.push(Deduction {
            id: did,
            uid: duid,
            plan_id: id,
            fund: enum_from(fund),
            month: month.parse()?,
            settled_on: parse_stored_date(&settled_on)?,
            settlement: money(settlement),
            deducted: money(deducted),
            paid_out: money(settlement - deducted),
            remaining: money(remaining),
            allocations,
            receipt_number: deduction_receipt(conn, did)?,
        });
    }
    // A fund's remainder is what still has to be deducted: the plan's rest, never more than the
    // fund still owes (see `deduct`).
    let mut funds = fund_progress(conn, id)?;
    for f in funds.iter_mut() {
        let owed = loaded.book.outstanding_in(Some(&loaded.fund_scope(f.fund)));
        f.remaining = f.remaining.min(owed);
    }
    Ok(OffsetPlan {
        id,
        uid,
        case_id: plan.case_id,
        notice_number: plan.notice_number,
        requested_on: parse_stored_date(&requested_on)?,
        approved_on: plan.approved_on,
        served_on: opt_date(served_on)?,
        agency,
        status: plan.status,
        closed_on: opt_date(closed_on)?,
        close_reason,
        funds,
        deductions,
    })
}

pub fn of_case(conn: &Connection, case_id: i64) -> Result<Vec<OffsetPlan>> {
    let mut stmt =
        conn.prepare_cached("SELECT id FROM offset_plan WHERE case_id = ?1 ORDER BY id")?;
    let ids = stmt
        .query_map([case_id], |r| r.get::<_, i64>(0))?
        .collect::<rusqlite::Result<Vec<i64>>>()?;
    ids.into_iter().map(|id| get(conn, id)).collect()
}
