//! Fines and confiscations, stored: their own ledger, paid to the treasury, never into the fund
//! (000 art. 4; 001 art. 47; 004 art. 18). Rules in [`super::fine`]. And referrals: court
//! enforcement after a demand letter (行政强制法 art. 53–55), or hand-over to another body.

use chrono::{Months, NaiveDate};
use rusqlite::{params, Connection, OptionalExtension};

use super::fine::{
    check_payment_scheduled, fine_due, penalty_status_scheduled, split_instalments, PenaltyKind,
};
use super::matter::*;
use super::types::*;
use crate::calendar::WorkCalendar;
use crate::error::{ApiError, Result};
use crate::money::Money;
use crate::store::{now_text, Tx};
use crate::vocab::labels::Labeled as _;
use crate::vocab::text::enum_from;

/// 行政处罚法 art. 67: 15 days, as the rule profile has it.
fn fine_days(conn: &Connection) -> Result<u32> {
    Ok(crate::cases::profile::load(conn)?.fine_payment_days)
}

/// When part A recorded the service of the case's 行政处罚决定书, if it did.
fn penalty_service(conn: &Connection, case_id: i64) -> Result<Option<NaiveDate>> {
    let d: Option<String> = conn
        .query_row(
            "SELECT MIN(served_on) FROM document_service WHERE case_id = ?1 AND served_on IS NOT NULL
               AND document = 'PenaltyDecision'",
            [case_id],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    Ok(opt_date(d)?)
}

/// The fine runs from the service on the 送达回证; another date is a typing error.
fn same_service(d: NaiveDate, recorded: Option<NaiveDate>) -> Result<()> {
    match recorded {
        Some(r) if r != d => Err(ApiError::field(
            "served_on",
            format!(
                "送达日期（{}）与行政处罚决定书送达回证记载的{}不一致",
                cn(d),
                cn(r)
            ),
        )),
        _ => Ok(()),
    }
}

/// Where fines go (000 art. 4: 罚没款项通过非税收入电子化系统上缴财政).
pub const PAID_TO: &str = "国库（非税收入，收支两条线）";

pub fn create(tx: &mut Tx<'_>, cal: &WorkCalendar, r: &FineInput) -> Result<Fine> {
    let case = case_info(tx, r.case_id)?;
    case.require_open("登记罚没款")?;
    if !case.administrative {
        return Err(ApiError::illegal(
            "罚款、没收违法所得是行政处罚，只能在行政执法案件中作出；协议处理的违约金请作为追回明细（费用类别“违约金”）登记",
        ));
    }
    let kind = r.kind.unwrap_or(PenaltyKind::Fine);
    let decided = match kind {
        PenaltyKind::Fine => case.fine,
        PenaltyKind::Confiscation => case.confiscation,
    };
    let amount = match (r.amount, decided) {
        (Some(a), Some(d)) if a != d => {
            return Err(ApiError::field(
                "amount",
                format!(
                    "{}金额 {} 元与处理决定中的 {} 元不一致",
                    kind.label(),
                    a.grouped(),
                    d.grouped()
                ),
            ))
        }
        (Some(a), _) | (None, Some(a)) => a,
        (None, None) => {
            return Err(ApiError::field(
                "amount",
                format!("请填写{}金额", kind.label()),
            ))
        }
    };
    if amount.is_negative() || amount.is_zero() {
        return Err(ApiError::field(
            "amount",
            format!("{}金额必须大于零", kind.label()),
        ));
    }
    let number = if r.decision_number.trim().is_empty() {
        case.decision_number.clone().unwrap_or_default()
    } else {
        r.decision_number.clone()
    };
    let number = required_text(&number, "decision_number", "行政处罚决定书文号", 60)?;
    let decided_on = past_date(r.decided_on.or(case.decided_on), "decided_on", "决定日期")?;
    case.not_before_filing(decided_on, "decided_on", "决定日期")?;
    // The service date on the 送达回证 of the penalty decision, when part A recorded it.
    let recorded = penalty_service(tx, case.id)?;
    let (served_on, due) = match r.served_on.or(recorded) {
        Some(d) => {
            let d = past_date(Some(d), "served_on", "送达日期")?;
            not_before(d, decided_on, "served_on", "送达日期", "决定日期")?;
            same_service(d, recorded)?;
            (Some(d), Some(fine_due(cal, d, fine_days(tx)?)?))
        }
        None => (None, None),
    };
    let note = bounded_text(&r.note, "note", "备注", 500)?;
    if tx
        .query_row(
            "SELECT 1 FROM fine WHERE case_id = ?1 AND kind = ?2",
            params![case.id, enum_text(&kind)],
            |_| Ok(()),
        )
        .optional()?
        .is_some()
    {
        return Err(ApiError::conflict(format!("本案已登记{}", kind.label())));
    }
    let (id, uid) = next_uid(tx, "fine", "FN")?;
    let now = now_text();
    tx.execute(
        "INSERT INTO fine (id, uid, case_id, kind, amount_fen, decision_number, decided_on, served_on, due_on,
                           note, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
        params![
            id,
            uid,
            case.id,
            enum_text(&kind),
            amount.fen(),
            number,
            date_text(decided_on),
            served_on.map(date_text),
            due.as_ref().map(|d| date_text(d.date)),
            note,
            now
        ],
    )?;
    tx.touch("fine", id);
    let mut f = get(tx, id, None)?;
    if let Some(d) = due {
        f.warnings.extend(d.warnings);
    }
    Ok(f)
}

/// Service of the penalty decision starts the 15 days (行政处罚法 art. 67).
pub fn serve(tx: &mut Tx<'_>, cal: &WorkCalendar, r: &FineServe) -> Result<Fine> {
    let f = get(tx, r.id, None)?;
    if let Some(d) = f.served_on {
        return Err(ApiError::conflict(format!("该处罚决定已于{}送达", cn(d))));
    }
    let d = past_date(Some(r.served_on), "served_on", "送达日期")?;
    not_before(d, f.decided_on, "served_on", "送达日期", "决定日期")?;
    same_service(d, penalty_service(tx, f.case_id)?)?;
    let due = fine_due(cal, d, fine_days(tx)?)?;
    tx.execute(
        "UPDATE fine SET served_on = ?1, due_on = ?2, updated_at = ?3 WHERE id = ?4",
        params![date_text(d), date_text(due.date), now_text(), f.id],
    )?;
    tx.touch("fine", f.id);
    let mut f = get(tx, f.id, None)?;
    f.warnings.extend(due.warnings);
    Ok(f)
}

fn payments(conn: &Connection, fine_id: i64) -> Result<Vec<FinePayment>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, uid, paid_on, amount_fen, principal_fen, surcharge_fen, voucher
         FROM fine_payment WHERE fine_id = ?1 ORDER BY paid_on, id",
    )?;
    let rows = stmt
        .query_map([fine_id], |r| {
            Ok(FinePayment {
                id: r.get(0)?,
                uid: r.get(1)?,
                paid_on: parse_stored_date(&r.get::<_, String>(2)?)?,
                amount: money(r.get(3)?),
                principal: money(r.get(4)?),
                surcharge: money(r.get(5)?),
                voucher: r.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// A payment of a fine: principal first, then the surcharge (see [`super::fine`]).
pub fn pay(tx: &mut Tx<'_>, r: &FinePaymentInput) -> Result<Fine> {
    let f = get(tx, r.fine_id, None)?;
    case_info(tx, f.case_id)?.require_open("登记罚没款缴纳")?;
    let paid_on = past_date(r.paid_on, "paid_on", "缴款日期")?;
    not_before(paid_on, f.decided_on, "paid_on", "缴款日期", "决定日期")?;
    let amount = need(r.amount, "amount", "缴款金额")?;
    let voucher = required_text(&r.voucher, "voucher", "缴款书号或银行流水号", 60)?;
    let earlier: Vec<(NaiveDate, Money)> =
        f.payments.iter().map(|p| (p.paid_on, p.amount)).collect();
    if let Some(last) = earlier.iter().map(|(d, _)| *d).max() {
        not_before(paid_on, last, "paid_on", "缴款日期", "上一次缴款日期")?;
    }
    check_payment_scheduled(
        f.kind,
        f.amount,
        f.due_on,
        &f.schedule,
        &paused(&f.reliefs),
        &earlier,
        paid_on,
        amount,
    )?;
    let principal_before: Money = f.payments.iter().map(|p| p.principal).sum();
    let principal = (f.amount - principal_before).min(amount).max(Money::ZERO);
    let surcharge = amount - principal;
    let (id, uid) = next_uid(tx, "fine_payment", "FP")?;
    tx.execute(
        "INSERT INTO fine_payment (id, uid, fine_id, paid_on, amount_fen, principal_fen, surcharge_fen, voucher, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            id,
            uid,
            f.id,
            date_text(paid_on),
            amount.fen(),
            principal.fen(),
            surcharge.fen(),
            voucher,
            now_text()
        ],
    )?;
    tx.touch("fine_payment", id);
    get(tx, f.id, Some(paid_on))
}

pub fn get(conn: &Connection, id: i64, as_of: Option<NaiveDate>) -> Result<Fine> {
    let row = conn
        .query_row(
            "SELECT uid, case_id, kind, amount_fen, decision_number, decided_on, served_on, due_on, note
             FROM fine WHERE id = ?1",
            [id],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, Option<String>>(7)?,
                    r.get::<_, String>(8)?,
                ))
            },
        )
        .optional()?
        .ok_or_else(|| ApiError::not_found("罚没款记录"))?;
    let (uid, case_id, kind, amount, number, decided_on, served_on, due_on, note) = row;
    let kind: PenaltyKind = enum_from(kind);
    let amount = money(amount);
    let statutory_due = opt_date(due_on)?;
    let payments = payments(conn, id)?;
    let reliefs = reliefs(conn, id)?;
    // 暂缓缴纳 moves the due date to the last one approved (行政处罚法 art. 66).
    let deferred = reliefs
        .iter()
        .filter(|r| r.kind == ReliefKind::Deferral)
        .filter_map(|r| r.ended_on)
        .max();
    let due_on = match (statutory_due, deferred) {
        (Some(d), Some(n)) if n > d => Some(n),
        (d, _) => d,
    };
    let deferred_from = statutory_due.filter(|d| Some(*d) != due_on);
    let as_of = as_of.unwrap_or_else(today);
    let mut instalments = instalments(conn, id)?;
    let paid: Vec<(NaiveDate, Money)> = payments
        .iter()
        .filter(|p| p.paid_on <= as_of)
        .map(|p| (p.paid_on, p.amount))
        .collect();
    let parts = schedule(due_on, amount, &instalments);
    let status = penalty_status_scheduled(
        kind,
        amount,
        due_on,
        &parts,
        &paused(&reliefs),
        &paid,
        as_of,
    );
    // What the payments covered of each instalment: the principal before the plan first, then the
    // instalments in order (as `penalty_status_scheduled` counts them).
    let before_plan = amount - instalments.iter().map(|i| i.amount).sum::<Money>();
    let mut left = status.principal_paid - before_plan.min(status.principal_paid);
    let mut threshold = before_plan;
    for i in &mut instalments {
        i.covered = left.min(i.amount);
        left -= i.covered;
        threshold += i.amount;
        let mut running = Money::ZERO;
        i.covered_on = paid.iter().find_map(|(d, a)| {
            running += *a;
            (running >= threshold).then_some(*d)
        });
    }
    // Under a plan the fine is next due when its first instalment not covered is.
    let due_on = match instalments.iter().find(|i| i.covered < i.amount) {
        Some(i) => Some(i.due_on),
        None => instalments.last().map(|i| i.due_on).or(due_on),
    };
    let status = super::fine::PenaltyStatus { due_on, ..status };
    Ok(Fine {
        id,
        uid,
        case_id,
        kind,
        amount,
        decision_number: number,
        decided_on: parse_stored_date(&decided_on)?,
        served_on: opt_date(served_on)?,
        due_on,
        as_of,
        status,
        paid_to: PAID_TO.to_string(),
        payments,
        note,
        warnings: Vec::new(),
        deferred_from,
        reliefs,
        instalments,
        schedule: parts,
    })
}

/// When the principal falls due: without a plan the whole fine on `due_on`; with one, what was
/// paid before the plan on `due_on` and each instalment on its day.
fn schedule(
    due_on: Option<NaiveDate>,
    amount: Money,
    instalments: &[FineInstalment],
) -> Vec<(NaiveDate, Money)> {
    let Some(due) = due_on else {
        return Vec::new();
    };
    let planned: Money = instalments.iter().map(|i| i.amount).sum();
    let mut parts = Vec::new();
    if amount > planned {
        parts.push((due, amount - planned));
    }
    parts.extend(instalments.iter().map(|i| (i.due_on, i.amount)));
    parts
}

fn instalments(conn: &Connection, fine_id: i64) -> Result<Vec<FineInstalment>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, seq, due_on, amount_fen, approved_on, reference, note
         FROM fine_instalment WHERE fine_id = ?1 ORDER BY seq",
    )?;
    let rows = stmt
        .query_map([fine_id], |r| {
            Ok(FineInstalment {
                id: r.get(0)?,
                seq: r.get(1)?,
                due_on: parse_stored_date(&r.get::<_, String>(2)?)?,
                amount: money(r.get(3)?),
                covered: Money::ZERO,
                covered_on: None,
                approved_on: parse_stored_date(&r.get::<_, String>(4)?)?,
                reference: r.get(5)?,
                note: r.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

fn reliefs(conn: &Connection, fine_id: i64) -> Result<Vec<FineRelief>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, uid, kind, started_on, ended_on, reference, note
         FROM fine_relief WHERE fine_id = ?1 ORDER BY started_on, id",
    )?;
    let rows = stmt
        .query_map([fine_id], |r| {
            Ok(FineRelief {
                id: r.get(0)?,
                uid: r.get(1)?,
                kind: enum_from(r.get::<_, String>(2)?),
                started_on: parse_stored_date(&r.get::<_, String>(3)?)?,
                ended_on: r
                    .get::<_, Option<String>>(4)?
                    .map(|d| parse_stored_date(&d))
                    .transpose()?,
                reference: r.get(5)?,
                note: r.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The 复议/诉讼 periods, in which no surcharge accrues (行政处罚法 art. 73).
fn paused(reliefs: &[FineRelief]) -> Vec<(NaiveDate, Option<NaiveDate>)> {
    reliefs
        .iter()
        .filter(|r| r.kind != ReliefKind::Deferral)
        .map(|r| (r.started_on, r.ended_on))
        .collect()
}

fn insert_relief(
    tx: &mut Tx<'_>,
    fine_id: i64,
    kind: ReliefKind,
    started_on: NaiveDate,
    ended_on: Option<NaiveDate>,
    reference: &str,
    note: &str,
) -> Result<()> {
    let (id, uid) = next_uid(tx, "fine_relief", "FR")?;
    let now = now_text();
    tx.execute(
        "INSERT INTO fine_relief (id, uid, fine_id, kind, started_on, ended_on, reference, note, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
        params![
            id,
            uid,
            fine_id,
            enum_text(&kind),
            date_text(started_on),
            ended_on.map(date_text),
            reference,
            note,
            now
        ],
    )?;
    tx.touch("fine_relief", id);
    Ok(())
}

/// `fine.defer`: 暂缓缴纳 (行政处罚法 art. 66: 当事人确有经济困难，需要延期或者分期缴纳罚款的，经当事人
/// 申请和行政机关批准，可以暂缓或者分期缴纳). For a 罚款 served and not paid; the surcharge then
/// runs from the new due date only.
pub fn defer(tx: &mut Tx<'_>, r: &FineDeferInput) -> Result<Fine> {
    let f = get(tx, r.fine_id, None)?;
    case_info(tx, f.case_id)?.require_open("批准暂缓缴纳")?;
    if f.kind != PenaltyKind::Fine {
        return Err(ApiError::illegal(
            "暂缓缴纳只适用于罚款（《中华人民共和国行政处罚法》第六十六条）",
        ));
    }
    let (Some(served), Some(due)) = (f.served_on, f.due_on) else {
        return Err(ApiError::illegal("罚款决定尚未送达，缴纳期限未开始计算"));
    };
    if f.status.principal_paid >= f.amount {
        return Err(ApiError::illegal("罚款已缴清，无需暂缓缴纳"));
    }
    if !f.instalments.is_empty() {
        return Err(ApiError::illegal(
            "该罚款已批准分期缴纳，各期按分期计划缴纳，不能再暂缓",
        ));
    }
    let approved = past_date(r.approved_on, "approved_on", "批准日期")?;
    not_before(approved, served, "approved_on", "批准日期", "送达日期")?;
    let until = need(r.until, "until", "暂缓至")?;
    if until <= due {
        return Err(ApiError::field(
            "until",
            format!("暂缓至（{}）应晚于现在的缴纳期限（{}）", cn(until), cn(due)),
        ));
    }
    let reason = required_text(&r.reason, "reason", "经济困难的情况", 500)?;
    let reference = bounded_text(&r.reference, "reference", "批准文书号", 60)?;
    insert_relief(
        tx,
        f.id,
        ReliefKind::Deferral,
        approved,
        Some(until),
        &reference,
        &reason,
    )?;
    get(tx, f.id, None)
}

/// `fine.instal`: 分期缴纳 (行政处罚法 art. 66: 当事人确有经济困难，需要延期或者分期缴纳罚款的，经当事人
/// 申请和行政机关批准，可以暂缓或者分期缴纳). What of the fine is still owed on the approval day is split
/// into equal monthly instalments on the dates the approval sets (not rolled: the approval names
/// them); a late instalment carries the surcharge on its own amount (`fine::penalty_status_scheduled`).
pub fn instal(tx: &mut Tx<'_>, r: &FineInstalmentInput) -> Result<Fine> {
    let f = get(tx, r.fine_id, None)?;
    case_info(tx, f.case_id)?.require_open("批准分期缴纳")?;
    if f.kind != PenaltyKind::Fine {
        return Err(ApiError::illegal(
            "分期缴纳只适用于罚款（《中华人民共和国行政处罚法》第六十六条）",
        ));
    }
    let Some(served) = f.served_on else {
        return Err(ApiError::illegal("罚款决定尚未送达，缴纳期限未开始计算"));
    };
    if !f.instalments.is_empty() {
        return Err(ApiError::conflict(format!(
            "该罚款已于{}批准分期缴纳，不能再次批准",
            cn(f.instalments[0].approved_on)
        )));
    }
    let approved = past_date(r.approved_on, "approved_on", "批准日期")?;
    not_before(approved, served, "approved_on", "批准日期", "送达日期")?;
    let count = need(r.count, "count", "分期期数")?;
    if !(2..=60).contains(&count) {
        return Err(ApiError::field(
            "count",
            "分期期数应为2至60期（只缴一次请使用“暂缓缴纳”）",
        ));
    }
    let first = need(r.first_due_on, "first_due_on", "第一期缴纳日期")?;
    not_before(
        first,
        approved,
        "first_due_on",
        "第一期缴纳日期",
        "批准日期",
    )?;
    let reason = required_text(&r.reason, "reason", "经济困难的情况", 500)?;
    let reference = bounded_text(&r.reference, "reference", "批准文书号", 60)?;
    let paid_before: Money = f
        .payments
        .iter()
        .filter(|p| p.paid_on <= approved)
        .map(|p| p.amount)
        .sum::<Money>()
        .min(f.amount);
    let owed = f.amount - paid_before;
    if owed.is_zero() {
        return Err(ApiError::illegal("罚款已缴清，无需分期缴纳"));
    }
    if f.payments.iter().any(|p| p.paid_on > approved) {
        return Err(ApiError::field(
            "approved_on",
            "批准日期之后已登记缴款：分期计划应在这些缴款之前批准，请核对批准日期",
        ));
    }
    let now = now_text();
    for (i, part) in split_instalments(owed, count).into_iter().enumerate() {
        let due = first
            .checked_add_months(Months::new(i as u32))
            .ok_or_else(|| ApiError::field("first_due_on", "第一期缴纳日期无效"))?;
        let (id, uid) = next_uid(tx, "fine_instalment", "FI")?;
        tx.execute(
            "INSERT INTO fine_instalment (id, uid, fine_id, seq, due_on, amount_fen, approved_on, reference, note, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                id,
                uid,
                f.id,
                i as i64 + 1,
                date_text(due),
                part.fen(),
                date_text(approved),
                reference,
                reason,
                now
            ],
        )?;
        tx.touch("fine_instalment", id);
    }
    get(tx, f.id, None)
}

/// `fine.appeal`: 行政复议 applied for or 行政诉讼 brought against the penalty decision. The penalty
/// is still to be paid (行政处罚法 art. 73: 行政处罚不停止执行), but no surcharge accrues meanwhile.
pub fn appeal(tx: &mut Tx<'_>, r: &FineAppealInput) -> Result<Fine> {
    let f = get(tx, r.fine_id, None)?;
    case_info(tx, f.case_id)?.require_open("登记行政复议或行政诉讼")?;
    let kind = need(r.kind, "kind", "类别（行政复议或行政诉讼）")?;
    if kind == ReliefKind::Deferral {
        return Err(ApiError::field(
            "kind",
            "请选择行政复议或行政诉讼；暂缓缴纳请使用“暂缓缴纳”",
        ));
    }
    let filed = past_date(r.filed_on, "filed_on", "申请（起诉）日期")?;
    not_before(
        filed,
        f.decided_on,
        "filed_on",
        "申请（起诉）日期",
        "决定日期",
    )?;
    if let Some(open) = f
        .reliefs
        .iter()
        .find(|x| x.kind != ReliefKind::Deferral && x.ended_on.is_none())
    {
        return Err(ApiError::illegal(format!(
            "{}（{}提出）尚未登记结果，请先登记其结果",
            open.kind.label(),
            cn(open.started_on)
        )));
    }
    let reference = required_text(&r.reference, "reference", "复议机关或受理法院", 100)?;
    let note = bounded_text(&r.note, "note", "备注", 500)?;
    insert_relief(tx, f.id, kind, filed, None, &reference, &note)?;
    get(tx, f.id, None)
}

/// `fine.appeal_end`: the 复议决定 or 判决, with its outcome; the surcharge accrues again after it.
pub fn appeal_end(tx: &mut Tx<'_>, r: &FineAppealEnd) -> Result<Fine> {
    let row: Option<(i64, String, String, Option<String>, String)> = tx
        .query_row(
            "SELECT fine_id, kind, started_on, ended_on, reference FROM fine_relief WHERE id = ?1",
            [r.id],
            |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?, x.get(3)?, x.get(4)?)),
        )
        .optional()?;
    let Some((fine_id, kind, started, ended, reference)) = row else {
        return Err(ApiError::not_found("行政复议或行政诉讼记录"));
    };
    let kind: ReliefKind = enum_from(kind);
    if kind == ReliefKind::Deferral {
        return Err(ApiError::illegal("暂缓缴纳没有需要登记的结果"));
    }
    if ended.is_some() {
        return Err(ApiError::conflict(format!(
            "该{}的结果已登记",
            kind.label()
        )));
    }
    let f = get(tx, fine_id, None)?;
    case_info(tx, f.case_id)?.require_open("登记行政复议或行政诉讼的结果")?;
    let started = parse_stored_date(&started)?;
    let ended = past_date(r.ended_on, "ended_on", "决定（判决）日期")?;
    not_before(
        ended,
        started,
        "ended_on",
        "决定（判决）日期",
        "申请（起诉）日期",
    )?;
    let outcome = required_text(&r.outcome, "outcome", "结果", 500)?;
    let number = bounded_text(&r.reference, "reference", "决定书或判决书文号", 60)?;
    let reference = if number.is_empty() {
        reference
    } else {
        format!("{reference}；{number}")
    };
    tx.execute(
        "UPDATE fine_relief SET ended_on = ?1, reference = ?2, note = CASE WHEN note = '' THEN ?3 ELSE note || '；' || ?3 END, updated_at = ?4 WHERE id = ?5",
        params![date_text(ended), reference, outcome, now_text(), r.id],
    )?;
    tx.touch("fine_relief", r.id);
    get(tx, fine_id, None)
}

pub fn list(conn: &Connection, q: &FineQuery) -> Result<Vec<Fine>> {
    if let Some(id) = q.id {
        return Ok(vec![get(conn, id, q.as_of)?]);
    }
    let mut stmt = conn
        .prepare("SELECT id FROM fine WHERE (?1 IS NULL OR case_id = ?1) ORDER BY case_id, id")?;
    let ids = stmt
        .query_map([q.case_id], |r| r.get::<_, i64>(0))?
        .collect::<rusqlite::Result<Vec<i64>>>()?;
    ids.into_iter().map(|id| get(conn, id, q.as_of)).collect()
}

// ---------------------------------------------------------------------------------------------
// Referrals

/// 行政强制法 art. 54: the party has 10 days after service of the 催告书; art. 69 makes periods
/// "十日以内" working days.
pub const DEMAND_WORKING_DAYS: u32 = 10;
/// 行政诉讼法 art. 46: a lawsuit within 6 months of knowing the decision (the longer of the two
/// appeal periods; 复议 is 60 days). 行政强制法 art. 53: apply within 3 months after they ran out.
pub const LITIGATION_MONTHS: u32 = 6;
pub const APPLICATION_MONTHS: u32 = 3;

/// (first day, last day) to apply to the court, and calendar warnings.
fn court_window(
    cal: &WorkCalendar,
    decision_served_on: Option<NaiveDate>,
    demand_served_on: Option<NaiveDate>,
) -> Result<(Option<NaiveDate>, Option<NaiveDate>, Vec<String>)> {
    let mut warnings = Vec::new();
    let litigation_end =
        decision_served_on.and_then(|d| d.checked_add_months(Months::new(LITIGATION_MONTHS)));
    let after_demand = after_demand(cal, demand_served_on, &mut warnings)?;
    let from = match (after_demand, litigation_end.and_then(|d| d.succ_opt())) {
        (Some(a), Some(b)) => Some(a.max(b)),
        _ => None,
    };
    let by =
        match litigation_end.and_then(|d| d.checked_add_months(Months::new(APPLICATION_MONTHS))) {
            Some(d) => {
                // A period ending on a holiday ends on the next working day.
                let end = cal.calendar_deadline(d, 0)?;
                warnings.extend(end.warnings);
                Some(end.date)
            }
            None => None,
        };
    warnings.sort();
    warnings.dedup();
    Ok((from, by, warnings))
}

/// The first day after the 10 working days the 催告 gives (行政强制法 art. 54), once it is served;
/// the calendar's warnings go to `warnings`.
fn after_demand(
    cal: &WorkCalendar,
    demand_served_on: Option<NaiveDate>,
    warnings: &mut Vec<String>,
) -> Result<Option<NaiveDate>> {
    Ok(match demand_served_on {
        Some(d) => {
            let end = cal.add_working_days(d, DEMAND_WORKING_DAYS)?;
            warnings.extend(end.warnings);
            end.date.succ_opt()
        }
        None => None,
    })
}

/// 行政诉讼法 art. 45: 不服复议决定的，可以在收到复议决定书之日起十五日内向人民法院提起诉讼.
pub const SUIT_AFTER_REVIEW_DAYS: u32 = 15;
/// 最高人民法院关于适用《中华人民共和国行政诉讼法》的解释 (法释〔2018〕1号) art. 153: 申请执行的期限为二年.
pub const JUDGMENT_ENFORCEMENT_YEARS: u32 = 2;

/// The court window once the party sought 复议 or sued (行政强制法 art. 53 applies only where it did
/// neither): while the latest is pending nothing is counted; after a 复议决定 the party may still sue
/// for 15 days, and the 3 months run after them; after a judgment the agency applies to enforce it
/// within 2 years. `after_demand` is the first day the 催告 allows.
fn window_after_relief(
    cal: &WorkCalendar,
    relief: &FineRelief,
    after_demand: Option<NaiveDate>,
) -> Result<(Option<NaiveDate>, Option<NaiveDate>, Vec<String>)> {
    let mut warnings = Vec::new();
    let Some(ended) = relief.ended_on else {
        warnings.push(format!(
            "当事人已于{}提起{}（{}），结果登记前不计算申请人民法院强制执行的期限（行政强制法第五十三条）",
            cn(relief.started_on),
            relief.kind.label(),
            relief.reference
        ));
        return Ok((None, None, warnings));
    };
    let (earliest, by) = match relief.kind {
        ReliefKind::Review => {
            let suit = cal.calendar_deadline(ended, SUIT_AFTER_REVIEW_DAYS)?;
            warnings.extend(suit.warnings);
            let by = suit
                .date
                .checked_add_months(Months::new(APPLICATION_MONTHS))
                .map(|d| cal.calendar_deadline(d, 0))
                .transpose()?;
            (suit.date.succ_opt(), by)
        }
        _ => {
            let by = ended
                .checked_add_months(Months::new(12 * JUDGMENT_ENFORCEMENT_YEARS))
                .map(|d| cal.calendar_deadline(d, 0))
                .transpose()?;
            (ended.succ_opt(), by)
        }
    };
    if let Some(b) = &by {
        warnings.extend(b.warnings.iter().cloned());
    }
    let from = match (after_demand, earliest) {
        (Some(a), Some(b)) => Some(a.max(b)),
        _ => None,
    };
    warnings.sort();
    warnings.dedup();
    Ok((from, by.map(|b| b.date), warnings))
}

fn outstanding_of(
    conn: &Connection,
    case_id: i64,
    fine_id: Option<i64>,
    on: NaiveDate,
) -> Result<Money> {
    match fine_id {
        Some(fid) => {
            let f = get(conn, fid, Some(on))?;
            if f.case_id != case_id {
                return Err(ApiError::field("fine_id", "该罚没款不属于本案"));
            }
            Ok(f.status.outstanding)
        }
        None => Ok(ledger_lines(conn, Matter::Case(case_id))?.1.outstanding),
    }
}

/// When the case's decision (处理 / 处罚 / 协议处理决定书) was served, as part A recorded it.
fn decision_service(conn: &Connection, case_id: i64) -> Result<Option<NaiveDate>> {
    let d: Option<String> = conn
        .query_row(
            "SELECT MIN(served_on) FROM document_service WHERE case_id = ?1 AND served_on IS NOT NULL
               AND document IN ('HandlingDecision', 'PenaltyDecision', 'AgreementDecision')",
            [case_id],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    Ok(opt_date(d)?)
}

/// 催告 before applying to the court (行政强制法 art. 54).
pub fn demand(tx: &mut Tx<'_>, cal: &WorkCalendar, r: &DemandInput) -> Result<Referral> {
    let case = case_info(tx, r.case_id)?;
    case.require_open("催告")?;
    let court = required_text(&r.court, "court", "人民法院", 100)?;
    let issued = past_date(r.demand_issued_on, "demand_issued_on", "催告书发出日期")?;
    let (due, decision_served_on) = match r.fine_id {
        Some(fid) => {
            let f = get(tx, fid, Some(issued))?;
            if f.case_id != case.id {
                return Err(ApiError::field("fine_id", "该罚没款不属于本案"));
            }
            (f.due_on, r.decision_served_on.or(f.served_on))
        }
        None => (
            case.payment_due,
            r.decision_served_on.or(decision_service(tx, case.id)?),
        ),
    };
    let decision_served_on = need(
        decision_served_on,
        "decision_served_on",
        "处理（处罚）决定书送达日期",
    )?;
    // 行政强制法 art. 54: the demand follows a failure to pay within the period.
    match due {
        Some(due) if issued <= due => {
            return Err(ApiError::illegal(format!(
                "缴纳期限（{}）尚未届满，不能催告（行政强制法第五十四条）",
                cn(due)
            )))
        }
        None => {
            return Err(ApiError::illegal(
                "尚无缴纳期限（决定未送达或未载明退缴时限），不能催告",
            ))
        }
        _ => {}
    }
    if outstanding_of(tx, case.id, r.fine_id, issued)?.is_zero() {
        return Err(ApiError::illegal("已足额缴纳，无需催告"));
    }
    let served = match r.demand_served_on {
        Some(d) => {
            let d = past_date(Some(d), "demand_served_on", "催告书送达日期")?;
            not_before(d, issued, "demand_served_on", "催告书送达日期", "发出日期")?;
            Some(d)
        }
        None => None,
    };
    let (id, uid) = next_uid(tx, "referral", "RR")?;
    let now = now_text();
    tx.execute(
        "INSERT INTO referral (id, uid, case_id, fine_id, kind, to_body, decision_served_on, demand_issued_on,
                               demand_served_on, status, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, 'CourtEnforcement', ?5, ?6, ?7, ?8, 'Demanded', ?9, ?9)",
        params![
            id,
            uid,
            case.id,
            r.fine_id,
            court,
            date_text(decision_served_on),
            date_text(issued),
            served.map(date_text),
            now
        ],
    )?;
    tx.touch("referral", id);
    referral(tx, cal, id)
}

pub fn demand_served(tx: &mut Tx<'_>, cal: &WorkCalendar, r: &ReferralStep) -> Result<Referral> {
    let rf = referral(tx, cal, r.id)?;
    if rf.kind != ReferralKind::CourtEnforcement || rf.status != ReferralStatus::Demanded {
        return Err(ApiError::illegal("只有待申请强制执行的催告可以登记送达"));
    }
    if let Some(d) = rf.demand_served_on {
        return Err(ApiError::conflict(format!("催告书已于{}送达", cn(d))));
    }
    let d = past_date(r.date, "date", "催告书送达日期")?;
    if let Some(issued) = rf.demand_issued_on {
        not_before(d, issued, "date", "催告书送达日期", "发出日期")?;
    }
    tx.execute(
        "UPDATE referral SET demand_served_on = ?1, updated_at = ?2 WHERE id = ?3",
        params![date_text(d), now_text(), rf.id],
    )?;
    tx.touch("referral", rf.id);
    referral(tx, cal, rf.id)
}

/// 申请人民法院强制执行 (行政强制法 art. 53–55).
pub fn apply(tx: &mut Tx<'_>, cal: &WorkCalendar, r: &ReferralStep) -> Result<Referral> {
    let rf = referral(tx, cal, r.id)?;
    if rf.kind != ReferralKind::CourtEnforcement || rf.status != ReferralStatus::Demanded {
        return Err(ApiError::illegal("该移送不是待申请的法院强制执行"));
    }
    let d = past_date(r.date, "date", "申请日期")?;
    if rf.demand_served_on.is_none() {
        return Err(ApiError::illegal(
            "催告书尚未送达，不能申请强制执行（行政强制法第五十四条）",
        ));
    }
    if let Some(from) = rf.apply_from {
        if d < from {
            return Err(ApiError::illegal(format!(
                "催告书送达后10个工作日内、或复议和诉讼期限届满前，不能申请强制执行（行政强制法第五十三条、第五十四条），最早可于{}申请",
                cn(from)
            )));
        }
    }
    if let Some(by) = rf.apply_by {
        if d > by {
            return Err(ApiError::illegal(format!(
                "已超过申请人民法院强制执行的期限（{}，行政强制法第五十三条）",
                cn(by)
            )));
        }
    }
    if outstanding_of(tx, rf.case_id, rf.fine_id, d)?.is_zero() {
        return Err(ApiError::illegal("已足额缴纳，无需申请强制执行"));
    }
    // 行政强制法 art. 53: only where the party neither sought 复议 nor sued; one still pending
    // stops the application.
    if let Some(fid) = rf.fine_id {
        if let Some(p) = get(tx, fid, Some(d))?
            .reliefs
            .into_iter()
            .find(|x| x.kind != ReliefKind::Deferral && x.ended_on.is_none())
        {
            return Err(ApiError::illegal(format!(
                "当事人已于{}提起{}（{}），尚未决定，不能申请人民法院强制执行（行政强制法第五十三条）",
                cn(p.started_on),
                p.kind.label(),
                p.reference
            )));
        }
    }
    let note = bounded_text(&r.outcome, "outcome", "备注", 500)?;
    tx.execute(
        "UPDATE referral SET status = 'Referred', referred_on = ?1, reason = ?2, updated_at = ?3 WHERE id = ?4",
        params![date_text(d), note, now_text(), rf.id],
    )?;
    tx.touch("referral", rf.id);
    referral(tx, cal, rf.id)
}

/// Hand the matter to another body (移送司法机关 / 纪检监察 / other).
pub fn refer(tx: &mut Tx<'_>, cal: &WorkCalendar, r: &ReferralInput) -> Result<Referral> {
    let case = case_info(tx, r.case_id)?;
    let kind = need(r.kind, "kind", "移送类别")?;
    if kind == ReferralKind::CourtEnforcement {
        return Err(ApiError::field(
            "kind",
            "申请人民法院强制执行须先催告（行政强制法第五十四条），请使用“催告”",
        ));
    }
    if let Some(fid) = r.fine_id {
        if get(tx, fid, None)?.case_id != case.id {
            return Err(ApiError::field("fine_id", "该罚没款不属于本案"));
        }
    }
    let to_body = required_text(&r.to_body, "to_body", "移送机关", 100)?;
    let reason = required_text(&r.reason, "reason", "移送理由", 500)?;
    let d = past_date(r.referred_on, "referred_on", "移送日期")?;
    let (id, uid) = next_uid(tx, "referral", "RR")?;
    let now = now_text();
    tx.execute(
        "INSERT INTO referral (id, uid, case_id, fine_id, kind, to_body, referred_on, status, reason, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'Referred', ?8, ?9, ?9)",
        params![id, uid, case.id, r.fine_id, enum_text(&kind), to_body, date_text(d), reason, now],
    )?;
    tx.touch("referral", id);
    referral(tx, cal, id)
}

pub fn close(tx: &mut Tx<'_>, cal: &WorkCalendar, r: &ReferralStep) -> Result<Referral> {
    let rf = referral(tx, cal, r.id)?;
    if rf.status == ReferralStatus::Closed {
        return Err(ApiError::illegal("该移送已办结"));
    }
    let outcome = required_text(&r.outcome, "outcome", "处理结果", 500)?;
    let d = past_date(r.date, "date", "办结日期")?;
    if let Some(from) = rf.referred_on.or(rf.demand_issued_on) {
        not_before(d, from, "date", "办结日期", "移送（催告）日期")?;
    }
    tx.execute(
        "UPDATE referral SET status = 'Closed', outcome = ?1, closed_on = ?2, updated_at = ?3 WHERE id = ?4",
        params![outcome, date_text(d), now_text(), rf.id],
    )?;
    tx.touch("referral", rf.id);
    referral(tx, cal, rf.id)
}

pub fn referral(conn: &Connection, cal: &WorkCalendar, id: i64) -> Result<Referral> {
    let mut rf = conn
        .query_row(
            "SELECT uid, case_id, fine_id, kind, to_body, status, decision_served_on, demand_issued_on,
                    demand_served_on, referred_on, reason, outcome, closed_on
             FROM referral WHERE id = ?1",
            [id],
            |r| {
                Ok(Referral {
                    id,
                    uid: r.get(0)?,
                    case_id: r.get(1)?,
                    fine_id: r.get(2)?,
                    kind: enum_from(r.get(3)?),
                    to_body: r.get(4)?,
                    status: enum_from(r.get(5)?),
                    decision_served_on: opt_date(r.get(6)?)?,
                    demand_issued_on: opt_date(r.get(7)?)?,
                    demand_served_on: opt_date(r.get(8)?)?,
                    apply_from: None,
                    apply_by: None,
                    referred_on: opt_date(r.get(9)?)?,
                    reason: r.get(10)?,
                    outcome: r.get(11)?,
                    closed_on: opt_date(r.get(12)?)?,
                    warnings: Vec::new(),
                })
            },
        )
        .optional()?
        .ok_or_else(|| ApiError::not_found("移送记录"))?;
    if rf.kind == ReferralKind::CourtEnforcement {
        // The latest 复议/诉讼 against the penalty, if any, decides the window.
        let relief = match rf.fine_id {
            Some(fid) => reliefs(conn, fid)?
                .into_iter()
                .filter(|r| r.kind != ReliefKind::Deferral)
                .max_by_key(|r| (r.started_on, r.id)),
            None => None,
        };
        let (from, by, warnings) = match relief {
            Some(r) => {
                // The relief's window says what it waits for; the 催告's own calendar
                // warnings are not repeated there.
                let first = after_demand(cal, rf.demand_served_on, &mut Vec::new())?;
                window_after_relief(cal, &r, first)?
            }
            None => court_window(cal, rf.decision_served_on, rf.demand_served_on)?,
        };
        rf.apply_from = from;
        rf.apply_by = by;
        rf.warnings = warnings;
    }
    Ok(rf)
}

pub fn referrals_of(conn: &Connection, cal: &WorkCalendar, case_id: i64) -> Result<Vec<Referral>> {
    let mut stmt = conn.prepare_cached("SELECT id FROM referral WHERE case_id = ?1 ORDER BY id")?;
    let ids = stmt
        .query_map([case_id], |r| r.get::<_, i64>(0))?
        .collect::<rusqlite::Result<Vec<i64>>>()?;
    ids.into_iter().map(|id| referral(conn, cal, id)).collect()
}
