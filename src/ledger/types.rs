//! Request and response types of the ledger commands (see `commands!` in `src/api.rs`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::accounting::CreditAccount;
use super::fine::{PenaltyKind, PenaltyStatus};
use super::offset::Month;
use crate::cases::{ExpenseCategory, Fund, PartyKind, YearKind};
use crate::money::Money;

// ---------------------------------------------------------------------------------------------
// Vocabulary

/// 缴款方式 (004 art. 9, 附件1, 附件3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum PaymentMethod {
    /// 银行缴款 / 转账汇款
    #[serde(
        alias = "银行缴款",
        alias = "转账汇款",
        alias = "银行缴款/转账汇款",
        alias = "转账"
    )]
    BankTransfer,
    /// 银行临柜现金缴款 (附件3)
    #[serde(alias = "银行临柜现金缴款", alias = "现金", alias = "临柜")]
    BankCounter,
    /// 津医保APP (insured persons' self-correction, 004 art. 7, 11)
    #[serde(alias = "APP", alias = "津医保APP", alias = "手机APP")]
    App,
}

impl PaymentMethod {
    pub fn label(self) -> &'static str {
        match self {
            PaymentMethod::BankTransfer => "银行缴款/转账汇款",
            PaymentMethod::BankCounter => "银行临柜现金缴款",
            PaymentMethod::App => "医保APP",
        }
    }
}

/// 缴款状态.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum PaymentStatus {
    /// 已登记，待到账确认
    Recorded,
    /// 已到账，待开具财政票据
    Arrived,
    /// 已开具财政票据 (or, for an insured person's APP refund, 到账确认: 004 art. 11(2))
    Recovered,
    /// 未到账，已撤销
    Cancelled,
}

crate::labels!(PaymentStatus { Recorded => "已登记", Arrived => "已到账", Recovered => "已追回", Cancelled => "已撤销" });

/// Who organised a self-correction (附件2: 自查自纠类型).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum Organizer {
    #[serde(
        alias = "医疗保障行政部门组织",
        alias = "行政部门组织",
        alias = "医保局组织"
    )]
    Bureau,
    #[serde(alias = "医疗保障经办机构组织", alias = "经办机构组织")]
    Agency,
    #[serde(alias = "自行开展", alias = "自行开展的自查自纠", alias = "主动")]
    SelfInitiated,
}

crate::labeled_by!(Organizer => label, ReferralKind => label, PaymentMethod => label);

impl Organizer {
    pub fn label(self) -> &'static str {
        match self {
            Organizer::Bureau => "医疗保障行政部门组织的自查自纠",
            Organizer::Agency => "医疗保障经办机构组织的自查自纠",
            Organizer::SelfInitiated => "自行开展的自查自纠",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum OffsetStatus {
    Active,
    Completed,
    Cancelled,
}

crate::labels!(OffsetStatus { Active => "抵扣中", Completed => "已抵扣完毕", Cancelled => "已取消" });

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum RefundStatus {
    Requested,
    Completed,
    Rejected,
}

crate::labels!(RefundStatus { Requested => "已申请", Completed => "已退款", Rejected => "已驳回" });

/// 移送 kinds (GLOSSARY: JudicialReferral, DisciplineReferral).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum ReferralKind {
    /// 申请人民法院强制执行 (行政强制法 art. 53–55)
    #[serde(alias = "申请法院强制执行", alias = "法院强制执行")]
    CourtEnforcement,
    /// 移送司法机关
    #[serde(alias = "移送司法", alias = "移送公安", alias = "司法")]
    Judicial,
    /// 移送纪检监察
    #[serde(alias = "移送纪检监察", alias = "纪检监察")]
    Discipline,
    #[serde(alias = "其他", alias = "其他部门")]
    Other,
}

impl ReferralKind {
    pub fn label(self) -> &'static str {
        match self {
            ReferralKind::CourtEnforcement => "申请人民法院强制执行",
            ReferralKind::Judicial => "移送司法机关",
            ReferralKind::Discipline => "移送纪检监察机关",
            ReferralKind::Other => "移送其他部门",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum ReferralStatus {
    /// 已催告，待申请
    Demanded,
    /// 已申请 / 已移送
    Referred,
    Closed,
}

crate::labels!(ReferralStatus { Demanded => "已催告", Referred => "已移送", Closed => "已办结" });

// ---------------------------------------------------------------------------------------------
// Lines and balances

/// One line of a matter with where it stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct LedgerLine {
    /// recovery_line id (case) or self_correction_line id (self-correction).
    pub line_id: i64,
    pub fund: Fund,
    /// None: the form did not say (an insured person's self-correction) — booked as cross-year.
    pub year_kind: Option<YearKind>,
    pub category: Option<ExpenseCategory>,
    pub label: String,
    pub due: Money,
    /// Paid, net of refunds.
    pub paid: Money,
    pub offset: Money,
    pub outstanding: Money,
    /// Covered by a valid fiscal receipt (004 art. 11): the only "recovered" money.
    pub recovered: Money,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct LedgerTotals {
    pub due: Money,
    pub paid: Money,
    pub offset: Money,
    pub outstanding: Money,
    pub recovered: Money,
    /// Paid or deducted but not yet covered by a fiscal receipt.
    pub awaiting_receipt: Money,
    /// Over-payment not yet refunded.
    pub credit: Money,
    /// Completed refunds.
    pub refunded: Money,
}

/// `ledger.year_summary`: a year of recovery at a glance (工作台).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct YearSummaryQuery {
    /// Default: the year of `today`.
    #[ts(optional = nullable)]
    pub year: Option<i32>,
    /// Default: the computer's date.
    #[ts(optional = nullable)]
    pub today: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct YearSummary {
    pub year: i32,
    pub today: NaiveDate,
    /// 应追回: recovery (and 违约金) decided in the year, plus self-corrections submitted in it.
    pub due: Money,
    /// 已缴款: payments made in the year (cancelled ones left out, completed refunds deducted).
    pub paid: Money,
    /// 已抵扣: deducted from settlements in the year.
    pub offset: Money,
    /// 已开票据: fiscal receipts issued in the year and not voided — what counts as recovered.
    pub receipted: Money,
    /// 尚欠: still owed today on open matters with a decision, whatever the year.
    pub outstanding: Money,
    /// 逾期未缴: the part of `outstanding` whose payment deadline has passed.
    pub overdue: Money,
    /// Open matters with an overdue amount.
    pub overdue_matters: i64,
}

// ---------------------------------------------------------------------------------------------
// Collection terms (the 缴费信息 of the 通知单)

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct CollectionInput {
    pub case_id: i64,
    /// 通知单号
    pub notice_number: String,
    #[ts(optional = nullable)]
    pub issued_on: Option<NaiveDate>,
    /// 经办机构名称 (receives the money and the proof, 004 art. 9)
    pub agency: String,
    pub agency_address: String,
    /// 收款人 / 开户名称
    pub account_name: String,
    pub bank: String,
    pub account_number: String,
    /// 开户银行交换行行号
    pub bank_code: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Collection {
    pub case_id: i64,
    pub notice_number: String,
    pub issued_on: Option<NaiveDate>,
    pub agency: String,
    pub agency_address: String,
    pub account_name: String,
    pub bank: String,
    pub account_number: String,
    pub bank_code: String,
}

// ---------------------------------------------------------------------------------------------
// Payments

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct AllocationInput {
    pub line_id: i64,
    pub amount: Money,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct PaymentInput {
    /// Exactly one of case_id and self_correction_id.
    #[ts(optional = nullable)]
    pub case_id: Option<i64>,
    #[ts(optional = nullable)]
    pub self_correction_id: Option<i64>,
    #[ts(optional = nullable)]
    pub paid_on: Option<NaiveDate>,
    #[ts(optional = nullable)]
    pub amount: Option<Money>,
    #[ts(optional = nullable)]
    pub method: Option<PaymentMethod>,
    /// 缴款凭证号 / 银行流水号
    pub voucher: String,
    pub payer: String,
    /// The fund account paid into; only that fund's lines are covered. Omit: any line.
    #[ts(optional = nullable)]
    pub fund: Option<Fund>,
    /// 经办机构; defaults to the case's collection terms or the self-correction's agency.
    #[ts(optional = nullable)]
    pub agency: Option<String>,
    /// Amounts put on named lines first; the rest is spread current year first, in line order.
    pub allocations: Vec<AllocationInput>,
    /// Confirms that money beyond what is owed is an over-payment to refund (004 art. 15).
    pub record_overpayment: bool,
    /// Confirms that a voucher number already recorded belongs to another payment (issue 12: a
    /// double click or a retry must not record the same money twice).
    pub confirm_duplicate_voucher: bool,
    /// Already seen on the agency's bank statement.
    #[ts(optional = nullable)]
    pub arrived_on: Option<NaiveDate>,
    /// The 通知单 and voucher copy were handed in (004 art. 9).
    #[ts(optional = nullable)]
    pub proof_received_on: Option<NaiveDate>,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AllocationView {
    pub line_id: i64,
    pub label: String,
    /// Net of refunds.
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Payment {
    pub id: i64,
    pub uid: String,
    pub case_id: Option<i64>,
    pub self_correction_id: Option<i64>,
    pub paid_on: NaiveDate,
    pub amount: Money,
    pub method: PaymentMethod,
    pub voucher: String,
    pub payer: String,
    pub fund: Option<Fund>,
    pub agency: String,
    pub status: PaymentStatus,
    /// What the payment still has on recovery lines (net of refunds).
    pub allocations: Vec<AllocationView>,
    /// Over-payment still to refund.
    pub credit: Money,
    pub refunded: Money,
    /// 3 working days after paying (004 art. 9).
    pub proof_due_on: NaiveDate,
    pub proof_received_on: Option<NaiveDate>,
    /// Handed in after the 3 working days.
    pub proof_late: bool,
    pub arrived_on: Option<NaiveDate>,
    pub cancelled_on: Option<NaiveDate>,
    pub cancel_reason: String,
    /// The valid fiscal receipt, if any.
    pub receipt_number: Option<String>,
    /// When the voucher's information was entered in the 医保信息平台 (004 art. 9).
    #[ts(optional = nullable)]
    pub platform_entered_on: Option<NaiveDate>,
    pub note: String,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct PaymentDate {
    pub id: i64,
    pub date: NaiveDate,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct PaymentCancel {
    pub id: i64,
    pub date: NaiveDate,
    pub reason: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct PaymentQuery {
    #[ts(optional = nullable)]
    pub case_id: Option<i64>,
    #[ts(optional = nullable)]
    pub self_correction_id: Option<i64>,
}

// ---------------------------------------------------------------------------------------------
// Fiscal receipts

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct ReceiptInput {
    /// Exactly one of payment_id and deduction_id.
    #[ts(optional = nullable)]
    pub payment_id: Option<i64>,
    #[ts(optional = nullable)]
    pub deduction_id: Option<i64>,
    /// 财政票据号码
    pub receipt_number: String,
    #[ts(optional = nullable)]
    pub issued_on: Option<NaiveDate>,
    /// When given, must equal the money the receipt covers.
    #[ts(optional = nullable)]
    pub amount: Option<Money>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Receipt {
    pub id: i64,
    pub uid: String,
    pub receipt_number: String,
    pub issued_on: NaiveDate,
    pub payment_id: Option<i64>,
    pub deduction_id: Option<i64>,
    pub amount: Money,
    pub agency: String,
    pub voided_on: Option<NaiveDate>,
    pub void_reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ReceiptVoid {
    pub id: i64,
    pub date: NaiveDate,
    pub reason: String,
}

// ---------------------------------------------------------------------------------------------
// Refunds

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct RefundInput {
    pub payment_id: i64,
    #[ts(optional = nullable)]
    pub amount: Option<Money>,
    pub reason: String,
    #[ts(optional = nullable)]
    pub requested_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct RefundDecision {
    pub id: i64,
    /// 医保部门处理意见
    pub opinion: String,
    #[ts(optional = nullable)]
    pub date: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Refund {
    pub id: i64,
    pub uid: String,
    pub payment_id: i64,
    pub amount: Money,
    pub reason: String,
    pub requested_on: NaiveDate,
    pub status: RefundStatus,
    pub opinion: String,
    pub decided_on: Option<NaiveDate>,
    pub refunded_on: Option<NaiveDate>,
    /// Part taken from the over-payment credit.
    pub from_credit: Money,
    /// Part taken off recovery lines (they owe it again: re-payment per 004 art. 9, art. 15).
    pub from_lines: Vec<AllocationView>,
}

// ---------------------------------------------------------------------------------------------
// Offsets

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct FundAmount {
    pub fund: Fund,
    pub amount: Money,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct OffsetInput {
    pub case_id: i64,
    /// 抵扣通知书 文号
    pub notice_number: String,
    #[ts(optional = nullable)]
    pub requested_on: Option<NaiveDate>,
    #[ts(optional = nullable)]
    pub approved_on: Option<NaiveDate>,
    #[ts(optional = nullable)]
    pub served_on: Option<NaiveDate>,
    #[ts(optional = nullable)]
    pub agency: Option<String>,
    /// Per fund; omit to cover everything each fund still owes.
    pub funds: Vec<FundAmount>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct DeductionInput {
    pub plan_id: i64,
    #[ts(optional = nullable)]
    pub fund: Option<Fund>,
    #[ts(optional = nullable)]
    pub month: Option<Month>,
    /// The day the month's settlement was paid out (less the deduction).
    #[ts(optional = nullable)]
    pub settled_on: Option<NaiveDate>,
    /// The month's settlement of this fund before the deduction.
    #[ts(optional = nullable)]
    pub settlement: Option<Money>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Deduction {
    pub id: i64,
    pub uid: String,
    pub plan_id: i64,
    pub fund: Fund,
    pub month: Month,
    pub settled_on: NaiveDate,
    pub settlement: Money,
    pub deducted: Money,
    /// Paid out to the institution: settlement − deducted.
    pub paid_out: Money,
    /// What the plan still has to cover for this fund after this month (carried on).
    pub remaining: Money,
    pub allocations: Vec<AllocationView>,
    pub receipt_number: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct OffsetFundProgress {
    pub fund: Fund,
    pub amount: Money,
    pub deducted: Money,
    pub remaining: Money,
    pub months: i64,
    pub last_month: Option<Month>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct OffsetPlan {
    pub id: i64,
    pub uid: String,
    pub case_id: i64,
    pub notice_number: String,
    pub requested_on: NaiveDate,
    pub approved_on: NaiveDate,
    pub served_on: Option<NaiveDate>,
    pub agency: String,
    pub status: OffsetStatus,
    pub closed_on: Option<NaiveDate>,
    pub close_reason: String,
    pub funds: Vec<OffsetFundProgress>,
    pub deductions: Vec<Deduction>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct OffsetCancel {
    pub id: i64,
    pub date: NaiveDate,
    pub reason: String,
}

// ---------------------------------------------------------------------------------------------
// Fines

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct FineInput {
    pub case_id: i64,
    #[ts(optional = nullable)]
    pub kind: Option<PenaltyKind>,
    /// Defaults to the amount in the case's decision.
    #[ts(optional = nullable)]
    pub amount: Option<Money>,
    /// 行政处罚决定书 文号; defaults to the decision's.
    pub decision_number: String,
    #[ts(optional = nullable)]
    pub decided_on: Option<NaiveDate>,
    #[ts(optional = nullable)]
    pub served_on: Option<NaiveDate>,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct FineServe {
    pub id: i64,
    pub served_on: NaiveDate,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct FinePaymentInput {
    pub fine_id: i64,
    #[ts(optional = nullable)]
    pub paid_on: Option<NaiveDate>,
    #[ts(optional = nullable)]
    pub amount: Option<Money>,
    /// 非税收入缴款书号 / 银行流水号
    pub voucher: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FinePayment {
    pub id: i64,
    pub uid: String,
    pub paid_on: NaiveDate,
    pub amount: Money,
    pub principal: Money,
    pub surcharge: Money,
    pub voucher: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Fine {
    pub id: i64,
    pub uid: String,
    pub case_id: i64,
    pub kind: PenaltyKind,
    pub amount: Money,
    pub decision_number: String,
    pub decided_on: NaiveDate,
    pub served_on: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
    /// As of `as_of`: principal and surcharge paid and owed.
    pub as_of: NaiveDate,
    pub status: PenaltyStatus,
    /// Always 国库 (000 art. 4; 001 art. 47; 004 art. 18).
    pub paid_to: String,
    pub payments: Vec<FinePayment>,
    pub note: String,
    pub warnings: Vec<String>,
    /// The due date before a 暂缓缴纳 moved it (`due_on` is then the approved date).
    #[ts(optional = nullable)]
    pub deferred_from: Option<NaiveDate>,
    /// 暂缓缴纳 approved, 行政复议 / 行政诉讼 brought (行政处罚法 art. 66, 73), in order.
    pub reliefs: Vec<FineRelief>,
    /// 分期缴纳 approved (art. 66): the instalments in order, with what the payments covered
    /// (`due_on` is then the first instalment not covered). Empty without a plan.
    pub instalments: Vec<FineInstalment>,
    /// When the principal falls due, part by part (`fines::schedule`): what payments are judged by.
    #[serde(skip)]
    #[ts(skip)]
    pub schedule: Vec<(NaiveDate, Money)>,
}

/// One instalment of an approved 分期缴纳 (行政处罚法 art. 66).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FineInstalment {
    pub id: i64,
    pub seq: u32,
    pub due_on: NaiveDate,
    pub amount: Money,
    /// What the payments (principal first, instalments in order) covered of it.
    pub covered: Money,
    /// The day it was covered in full.
    #[ts(optional = nullable)]
    pub covered_on: Option<NaiveDate>,
    pub approved_on: NaiveDate,
    /// 批准文书号
    pub reference: String,
    /// The economic hardship the party stated.
    pub note: String,
}

/// `fine.instal`: 分期缴纳 approved on the party's application (行政处罚法 art. 66). What of the fine
/// is still owed on the approval day is split into `count` equal monthly instalments (in 分, the
/// last taking the remainder), the first due on `first_due_on`, each next one a month later.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct FineInstalmentInput {
    pub fine_id: i64,
    #[ts(optional = nullable)]
    pub approved_on: Option<NaiveDate>,
    #[ts(optional = nullable)]
    pub count: Option<u32>,
    #[ts(optional = nullable)]
    pub first_due_on: Option<NaiveDate>,
    /// 批准文书号
    pub reference: String,
    /// The economic hardship the party stated.
    pub reason: String,
}

/// What changes a fine's payment after its decision (行政处罚法 art. 66, 73).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub enum ReliefKind {
    /// 暂缓缴纳: on the party's application for economic hardship, approved (art. 66).
    #[serde(alias = "暂缓缴纳", alias = "延期缴纳")]
    Deferral,
    /// 行政复议 applied for: the surcharge does not accrue meanwhile (art. 73).
    #[serde(alias = "行政复议")]
    Review,
    /// 行政诉讼 brought: likewise (art. 73).
    #[serde(alias = "行政诉讼")]
    Litigation,
}

crate::labels!(ReliefKind { Deferral => "暂缓缴纳", Review => "行政复议", Litigation => "行政诉讼" });

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FineRelief {
    pub id: i64,
    pub uid: String,
    pub kind: ReliefKind,
    /// 暂缓缴纳: approved on; 复议/诉讼: applied for / brought on.
    pub started_on: NaiveDate,
    /// 暂缓缴纳: the new due date; 复议/诉讼: decided / judged on (none while pending).
    #[ts(optional = nullable)]
    pub ended_on: Option<NaiveDate>,
    /// 批准文书号 / 复议决定书号 / 判决书号.
    pub reference: String,
    /// The hardship stated, or the outcome.
    pub note: String,
}

/// `fine.defer`: 暂缓缴纳 approved (行政处罚法 art. 66).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct FineDeferInput {
    pub fine_id: i64,
    #[ts(optional = nullable)]
    pub approved_on: Option<NaiveDate>,
    /// The new due date.
    #[ts(optional = nullable)]
    pub until: Option<NaiveDate>,
    /// 批准文书号
    pub reference: String,
    /// The economic hardship the party stated.
    pub reason: String,
}

/// `fine.appeal`: 行政复议 applied for or 行政诉讼 brought (行政处罚法 art. 73).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct FineAppealInput {
    pub fine_id: i64,
    #[ts(optional = nullable)]
    pub kind: Option<ReliefKind>,
    #[ts(optional = nullable)]
    pub filed_on: Option<NaiveDate>,
    /// The authority or court, and its case number if known.
    pub reference: String,
    pub note: String,
}

/// `fine.appeal_end`: the 复议决定 / 判决 (the outcome in the note).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct FineAppealEnd {
    pub id: i64,
    #[ts(optional = nullable)]
    pub ended_on: Option<NaiveDate>,
    /// 复议决定书号 / 判决书号
    pub reference: String,
    /// The outcome (维持、变更、撤销…).
    pub outcome: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct FineQuery {
    #[ts(optional = nullable)]
    pub case_id: Option<i64>,
    #[ts(optional = nullable)]
    pub id: Option<i64>,
    /// The day to judge the surcharge from; defaults to the local date.
    #[ts(optional = nullable)]
    pub as_of: Option<NaiveDate>,
}

// ---------------------------------------------------------------------------------------------
// Referrals

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct DemandInput {
    pub case_id: i64,
    /// Enforce this fine; omit to enforce the recovery decision.
    #[ts(optional = nullable)]
    pub fine_id: Option<i64>,
    /// 人民法院
    pub court: String,
    /// Service of the decision to enforce; defaults to the fine's service date.
    #[ts(optional = nullable)]
    pub decision_served_on: Option<NaiveDate>,
    #[ts(optional = nullable)]
    pub demand_issued_on: Option<NaiveDate>,
    #[ts(optional = nullable)]
    pub demand_served_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct ReferralInput {
    pub case_id: i64,
    #[ts(optional = nullable)]
    pub fine_id: Option<i64>,
    #[ts(optional = nullable)]
    pub kind: Option<ReferralKind>,
    pub to_body: String,
    #[ts(optional = nullable)]
    pub referred_on: Option<NaiveDate>,
    pub reason: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct ReferralStep {
    pub id: i64,
    #[ts(optional = nullable)]
    pub date: Option<NaiveDate>,
    /// 处理结果 (close), or a note.
    pub outcome: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Referral {
    pub id: i64,
    pub uid: String,
    pub case_id: i64,
    pub fine_id: Option<i64>,
    pub kind: ReferralKind,
    pub to_body: String,
    pub status: ReferralStatus,
    pub decision_served_on: Option<NaiveDate>,
    pub demand_issued_on: Option<NaiveDate>,
    pub demand_served_on: Option<NaiveDate>,
    /// Court: the first day the application may be filed (10 working days after the 催告 was
    /// served and the appeal periods over; 行政强制法 art. 53–54).
    pub apply_from: Option<NaiveDate>,
    /// Court: the last day (3 months after the appeal periods, 行政强制法 art. 53).
    pub apply_by: Option<NaiveDate>,
    pub referred_on: Option<NaiveDate>,
    pub reason: String,
    pub outcome: String,
    pub closed_on: Option<NaiveDate>,
    pub warnings: Vec<String>,
}

// ---------------------------------------------------------------------------------------------
// Self-correction (004 art. 7–9, 附件2/3)

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct SelfCorrectionLineInput {
    /// Omit when the fund cannot be told: split 5:5 employee/resident (004 art. 8).
    #[ts(optional = nullable)]
    pub fund: Option<Fund>,
    #[ts(optional = nullable)]
    pub year_kind: Option<YearKind>,
    #[ts(optional = nullable)]
    pub category: Option<ExpenseCategory>,
    #[ts(optional = nullable)]
    pub amount: Option<Money>,
}

/// A payment handed in with the form (附件2: 缴款金额 per fund; 附件3: one amount).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct SelfCorrectionPayment {
    #[ts(optional = nullable)]
    pub fund: Option<Fund>,
    #[ts(optional = nullable)]
    pub paid_on: Option<NaiveDate>,
    #[ts(optional = nullable)]
    pub amount: Option<Money>,
    pub voucher: String,
    #[ts(optional = nullable)]
    pub method: Option<PaymentMethod>,
    #[ts(optional = nullable)]
    pub arrived_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct SelfCorrectionInput {
    /// 退回明细单编号
    pub form_number: String,
    #[ts(optional = nullable)]
    pub party_kind: Option<PartyKind>,
    #[ts(optional = nullable)]
    pub institution_id: Option<i64>,
    #[ts(optional = nullable)]
    pub insured_id: Option<i64>,
    /// 自查自纠类型 (附件2); insured persons: who organised it, if anyone (004 art. 5(5)).
    #[ts(optional = nullable)]
    pub organizer: Option<Organizer>,
    /// 组织部门名称
    pub organizer_name: String,
    /// Insured person: 参保类别, EmployeeBasic or ResidentBasic (附件3).
    #[ts(optional = nullable)]
    pub scheme: Option<Fund>,
    /// Insured person: 缴款金额 (附件3 has no fund-year split).
    #[ts(optional = nullable)]
    pub amount: Option<Money>,
    /// Institution: 应退回金额 per fund × year × category (附件2).
    pub lines: Vec<SelfCorrectionLineInput>,
    /// 属地医保经办机构 (004 art. 7, 9)
    pub agency: String,
    #[ts(optional = nullable)]
    pub submitted_on: Option<NaiveDate>,
    /// 联系人
    pub contact: String,
    pub phone: String,
    /// 代办人 (附件3)
    pub agent_name: String,
    pub agent_id_number: String,
    pub note: String,
    pub payments: Vec<SelfCorrectionPayment>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SelfCorrection {
    pub id: i64,
    pub uid: String,
    pub form_number: String,
    pub party_kind: PartyKind,
    pub institution_id: Option<i64>,
    pub insured_id: Option<i64>,
    pub party: String,
    pub organizer: Organizer,
    pub organizer_name: String,
    pub scheme: Option<Fund>,
    pub agency: String,
    pub submitted_on: NaiveDate,
    pub contact: String,
    pub phone: String,
    pub agent_name: String,
    pub agent_id_number: String,
    pub note: String,
    pub lines: Vec<LedgerLine>,
    pub totals: LedgerTotals,
    pub payments: Vec<Payment>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct SelfCorrectionQuery {
    /// Substring of the form number or the party's name.
    #[ts(optional = nullable)]
    pub query: Option<String>,
    #[ts(optional = nullable)]
    pub party_kind: Option<PartyKind>,
    #[ts(optional = nullable)]
    pub institution_id: Option<i64>,
    #[ts(optional = nullable)]
    pub insured_id: Option<i64>,
    /// 提交日期 from (inclusive).
    #[ts(optional = nullable)]
    pub submitted_from: Option<NaiveDate>,
    /// 提交日期 to (inclusive).
    #[ts(optional = nullable)]
    pub submitted_to: Option<NaiveDate>,
    /// Oldest submitted first (default: newest first).
    #[ts(optional = nullable)]
    pub oldest_first: Option<bool>,
    #[ts(optional = nullable)]
    pub offset: Option<i64>,
    #[ts(optional = nullable)]
    pub limit: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SelfCorrectionSummary {
    pub id: i64,
    pub uid: String,
    pub form_number: String,
    pub party_kind: PartyKind,
    pub party: String,
    pub submitted_on: NaiveDate,
    pub agency: String,
    pub due: Money,
    pub outstanding: Money,
    pub recovered: Money,
    /// The 专项整治 key area the form counts under (`campaign.tag`).
    #[ts(optional = nullable)]
    pub campaign_area_id: Option<i64>,
}

// ---------------------------------------------------------------------------------------------
// Case ledger view

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct CaseLedgerQuery {
    pub case_id: i64,
    /// For fines: the day to judge the surcharge from; defaults to the local date.
    #[ts(optional = nullable)]
    pub as_of: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CaseLedger {
    pub case_id: i64,
    pub case_number: String,
    pub party: String,
    pub closed: bool,
    pub collection: Option<Collection>,
    /// 缴费时限 from the decision (004 art. 8).
    pub payment_due: Option<NaiveDate>,
    pub lines: Vec<LedgerLine>,
    pub totals: LedgerTotals,
    pub payments: Vec<Payment>,
    pub offsets: Vec<OffsetPlan>,
    pub receipts: Vec<Receipt>,
    pub refunds: Vec<Refund>,
    /// Fines and confiscations: a separate ledger, to the treasury.
    pub fines: Vec<Fine>,
    pub referrals: Vec<Referral>,
}

// ---------------------------------------------------------------------------------------------
// Accounting view and reconciliation

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct AccountingQuery {
    #[ts(optional = nullable)]
    pub from: Option<NaiveDate>,
    #[ts(optional = nullable)]
    pub to: Option<NaiveDate>,
    #[ts(optional = nullable)]
    pub case_id: Option<i64>,
    #[ts(optional = nullable)]
    pub self_correction_id: Option<i64>,
}

/// One accounting entry (004 art. 12): debit 支出户存款, credit per the year of the money.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AccountingEntry {
    /// The fiscal receipt (None for an insured person's APP refund confirmed on arrival).
    pub receipt_id: Option<i64>,
    pub receipt_number: Option<String>,
    /// The day the money was received (arrival, or the settlement it was deducted from).
    pub received_on: NaiveDate,
    /// 案件编号 or 退回明细单编号.
    pub reference: String,
    pub agency: String,
    pub fund: Fund,
    pub debit: String,
    pub credit: CreditAccount,
    pub credit_label: String,
    pub amount: Money,
    /// Why this credit account, citing 004 art. 12.
    pub rule: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct ReconcileQuery {
    #[ts(optional = nullable)]
    pub month: Option<Month>,
}

/// One agency × fund row of the month (004 art. 14; 001 art. 13, 23).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct ReconcileRow {
    pub agency: String,
    pub fund: Option<Fund>,
    /// 应追回: amounts on 通知单 issued and self-correction forms submitted this month.
    pub notices_issued: Money,
    /// Payments arrived this month (recovery part and over-payment).
    pub arrived: Money,
    /// Deducted from this month's settlements.
    pub offset: Money,
    /// Refunds paid back this month.
    pub refunded: Money,
    /// arrived + offset − refunded.
    pub received: Money,
    /// Fiscal receipts issued this month (valid ones) and APP arrivals confirmed.
    pub receipted: Money,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum MismatchKind {
    /// 已登记缴款，未确认到账
    NotArrived,
    /// 已到账（或已抵扣），未开具财政票据
    NotReceipted,
    /// 财政票据金额与到账金额不一致
    ReceiptAmount,
    /// 缴款凭证未在3个工作日内送达
    ProofMissing,
    /// 逾期未缴或未足额缴款 (004 art. 14)
    Overdue,
    /// 多缴款项未退
    CreditNotRefunded,
    /// 退款申请未办结
    RefundPending,
    /// 抵扣中，本月未登记结算抵扣
    OffsetMissing,
}

crate::labels!(MismatchKind {
    NotArrived => "未确认到账",
    NotReceipted => "未开具财政票据",
    ReceiptAmount => "票据金额与到账金额不符",
    ProofMissing => "缴款凭证未送达",
    Overdue => "逾期未缴",
    CreditNotRefunded => "多缴款项未退",
    RefundPending => "退款未办结",
    OffsetMissing => "本月未登记抵扣",
});

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Mismatch {
    pub kind: MismatchKind,
    pub agency: String,
    pub fund: Option<Fund>,
    /// 案件编号 / 退回明细单编号
    pub reference: String,
    pub case_id: Option<i64>,
    pub self_correction_id: Option<i64>,
    pub amount: Money,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Reconciliation {
    pub month: Month,
    pub rows: Vec<ReconcileRow>,
    pub totals: ReconcileRow,
    /// Every mismatch standing at the end of the month.
    pub mismatches: Vec<Mismatch>,
}
