//! The money side of a recovery (part B of the lifecycle issue): payments and their allocation to
//! recovery lines, proof of payment, offsets against monthly settlements, fiscal receipts, refunds
//! of erroneous payments, fines on their own ledger with the late surcharge, referrals, the
//! self-correction intake, the accounting view and the monthly reconciliation.
//!
//! Sources: 天津市医疗保障基金追回流程管理办法（试行）(seed 004) arts. 5–15 and 附件1–3;
//! 吉林 吉医保联〔2021〕9号 (seed 000) arts. 4, 7; 河源 (seed 001) arts. 13, 23, 47;
//! 行政处罚法 arts. 67, 72, 85; 行政强制法 arts. 53–55, 69.
//!
//! Layout:
//! - pure rules, no database: [`book`] (allocation, offsets, refunds; the `paid + offset +
//!   outstanding = due` invariant), [`fine`] (due date, surcharge), [`offset`] (settlement
//!   months), [`accounting`] (004 art. 12);
//! - stored operations: [`payments`] (payments, receipts, refunds), [`offsets`], [`fines`] (fines
//!   and referrals), [`self_correction`]; [`views`] (case ledger, accounting view,
//!   reconciliation, clocks); [`matter`] reads a case or a self-correction form into a `Book`;
//! - [`types`]: the API's request and response types.
//!
//! A balance is never stored: it is always due − allocations (payments net of refunds, offset
//! deductions), recomputed by the same `Book` that decided the allocations.

pub mod accounting;
pub mod book;
pub mod fine;
pub mod fines;
pub mod matter;
pub mod offset;
pub mod offsets;
pub mod payments;
pub mod platform;
pub mod reconcile;
#[doc(hidden)]
pub mod reconcile_by_matter;
pub mod self_correction;
pub mod tasks;
pub mod types;
pub mod views;

pub use views::{case_totals, clocks};

/// The ledger's clock sources (payment, proof, offset, fine), listed in `api::HOOKS`.
pub const CLOCK_SOURCES: &[crate::cases::clocks::ClockSource] = &[clocks];

use crate::cases::Rule;
use rusqlite::Connection;

use crate::error::Result;
use crate::money::Money;

/// Reasons a case cannot be closed yet as far as the money goes (part A's `CLOSURE_CHECKS`).
/// Money is recovered only with the fiscal receipt (004 art. 11); an over-payment must be refunded
/// (art. 15); an offset must have run its course (art. 10); a fine must be paid (行政处罚法 art. 67)
/// or handed to the court.
pub fn closure_blockers(conn: &Connection, case_id: i64) -> Result<Vec<String>> {
    let rules = crate::cases::rules::for_case(conn, case_id)?;
    let mut out = Vec::new();
    let m = matter::Matter::Case(case_id);
    let (_, t) = matter::ledger_lines(conn, m)?;
    let referred = |fine: Option<i64>| -> Result<bool> {
        Ok(conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM referral WHERE case_id = ?1 AND kind = 'CourtEnforcement'
               AND status <> 'Demanded' AND fine_id IS ?2)",
            rusqlite::params![case_id, fine],
            |r| r.get(0),
        )?)
    };
    let unarrived: i64 = conn.query_row(
        "SELECT COUNT(*) FROM payment WHERE case_id = ?1 AND arrived_on IS NULL AND cancelled_on IS NULL",
        [case_id],
        |r| r.get(0),
    )?;
    if unarrived > 0 {
        out.push(format!("{unarrived}笔缴款尚未确认到账"));
    }
    // 000 art. 3, 6; 004 art. 4 (应追必追): the file closes only when what is owed came back
    // (paid or offset) or went to court enforcement (行政强制法 art. 53–55).
    if active_offsets(conn, case_id)? == 0 && !t.outstanding.is_zero() && !referred(None)? {
        out.push(format!(
            "尚有 {} 元应追回基金未追回，也未申请人民法院强制执行",
            t.outstanding.grouped()
        ));
    }
    if !t.awaiting_receipt.is_zero() {
        out.push(format!(
            "已缴（抵扣）的 {} 元尚未开具财政票据{}",
            t.awaiting_receipt.grouped(),
            rules.cite_with(Rule::FiscalReceipt, "以财政票据作为基金追回的最终凭据")
        ));
    }
    if !t.credit.is_zero() {
        out.push(format!(
            "多缴的 {} 元尚未退还{}",
            t.credit.grouped(),
            rules.cite(Rule::ErroneousRefund)
        ));
    }
    let pending: i64 = conn.query_row(
        "SELECT COUNT(*) FROM refund r JOIN payment p ON p.id = r.payment_id WHERE p.case_id = ?1 AND r.status = 'Requested'",
        [case_id],
        |r| r.get(0),
    )?;
    if pending > 0 {
        out.push(format!("{pending}项退款申请尚未办结"));
    }
    if active_offsets(conn, case_id)? > 0 && !t.outstanding.is_zero() {
        out.push(format!(
            "抵扣尚在进行，尚需抵扣 {} 元{}",
            t.outstanding.grouped(),
            rules.cite(Rule::Offset)
        ));
    }
    for f in fines::list(
        conn,
        &types::FineQuery {
            case_id: Some(case_id),
            ..Default::default()
        },
    )? {
        if f.status.outstanding > Money::ZERO && !referred(Some(f.id))? {
            out.push(format!(
                "{}尚欠 {} 元未缴纳，也未申请人民法院强制执行",
                f.kind.label(),
                f.status.outstanding.grouped()
            ));
        }
    }
    Ok(out)
}

fn active_offsets(conn: &Connection, case_id: i64) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT COUNT(*) FROM offset_plan WHERE case_id = ?1 AND status = 'Active'",
        [case_id],
        |r| r.get(0),
    )?)
}

/// Chinese labels of the ledger's request fields, for `api::label_of`.
pub const FIELD_LABELS: &[(&str, &str)] = &[
    ("self_correction_id", "自查自纠退回明细单"),
    ("until", "暂缓至"),
    ("count", "分期期数"),
    ("first_due_on", "第一期缴纳日期"),
    ("reference", "文书号"),
    ("paid_on", "缴款日期"),
    ("voucher", "缴款凭证号"),
    ("payer", "缴款人"),
    ("agency", "经办机构"),
    ("allocations", "分配明细"),
    ("record_overpayment", "记录多缴"),
    ("arrived_on", "到账日期"),
    ("proof_received_on", "缴款凭证送达日期"),
    ("payment_id", "缴款记录"),
    ("deduction_id", "抵扣记录"),
    ("receipt_number", "财政票据号码"),
    ("reason", "原因"),
    ("requested_on", "申请日期"),
    ("item", "录入事项"),
    ("entered_on", "录入日期"),
    ("approved_on", "审核同意日期"),
    ("opinion", "处理意见"),
    ("notice_number", "文号"),
    ("funds", "险种金额"),
    ("plan_id", "抵扣通知书"),
    ("month", "结算月份"),
    ("settled_on", "结算拨付日期"),
    ("settlement", "当月结算金额"),
    ("fine_id", "罚没款"),
    ("court", "人民法院"),
    ("decision_served_on", "决定书送达日期"),
    ("demand_issued_on", "催告书发出日期"),
    ("demand_served_on", "催告书送达日期"),
    ("to_body", "移送机关"),
    ("referred_on", "移送日期"),
    ("form_number", "退回明细单编号"),
    ("organizer", "自查自纠类型"),
    ("organizer_name", "组织部门名称"),
    ("scheme", "参保类别"),
    ("submitted_on", "提交日期"),
    ("submitted_from", "提交日期起"),
    ("submitted_to", "提交日期止"),
    ("contact", "联系人"),
    ("phone", "联系电话"),
    ("agent_name", "代办人姓名"),
    ("agent_id_number", "代办人身份证号码"),
    ("payments", "缴款"),
    ("lines", "明细"),
    ("as_of", "计算日期"),
    ("from", "起始日期"),
    ("to", "截止日期"),
    ("issued_on", "开具日期"),
    ("agency_address", "经办机构地址"),
    ("account_name", "开户名称"),
    ("bank", "开户银行"),
    ("account_number", "账号"),
    ("bank_code", "开户银行交换行行号"),
    ("method", "缴款方式"),
    ("note", "备注"),
];
