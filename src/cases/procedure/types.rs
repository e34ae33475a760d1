//! The requests of the procedure's commands and the records they return.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::kinds::{DecisionKind, ServedDocumentKind, ServiceMethod, StatementKind, StepKind};
use crate::cases::cases::{self as case_mod, Case};
use crate::cases::clocks::Clock;
use crate::cases::measures::{self, MeasureInput};
use crate::cases::users::SignOff;
use crate::money::Money;

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct NotifyInput {
    pub case_id: i64,
    #[ts(optional = nullable)]
    pub issued_on: Option<NaiveDate>,
    pub document_number: String,
    pub signoff: SignOff,
    /// 拟罚款 (administrative track only).
    #[ts(optional = nullable)]
    pub proposed_fine: Option<Money>,
    #[ts(optional = nullable)]
    pub proposed_measures: Option<Vec<MeasureInput>>,
    pub note: String,
}

/// What the notice told the party (stored with the `Notified` step).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct Notification {
    pub document_number: String,
    pub signoff: SignOff,
    pub recovery_total: Money,
    pub liquidated_damages: Money,
    #[ts(optional = nullable)]
    pub proposed_fine: Option<Money>,
    pub proposed_measures: Vec<MeasureInput>,
    /// Working days of the statement window in force when notified (profile).
    pub statement_days: u32,
    pub hearing_request_days: u32,
    /// 告知听证权利 (行政处罚法 art. 63–64; thresholds from the profile).
    pub hearing_offered: bool,
    pub service_id: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct ServeInput {
    /// The `document_service` row (see the case detail's `services`).
    pub service_id: i64,
    #[ts(optional = nullable)]
    pub method: Option<ServiceMethod>,
    /// The date signed on the 送达回证 (not for public notice).
    #[ts(optional = nullable)]
    pub served_on: Option<NaiveDate>,
    /// For public notice: the publication date; served 30 days later.
    #[ts(optional = nullable)]
    pub published_on: Option<NaiveDate>,
    pub recipient: String,
    /// 送达回证 number, postal tracking number or system receipt.
    pub receipt: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct StatementInput {
    pub case_id: i64,
    #[ts(optional = nullable)]
    pub kind: Option<StatementKind>,
    #[ts(optional = nullable)]
    pub on: Option<NaiveDate>,
    pub summary: String,
    /// The party asks for a hearing (only when one was offered).
    pub hearing_requested: bool,
    /// Who took the statement.
    #[ts(optional = nullable)]
    pub actor_id: Option<i64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct HearingInput {
    pub case_id: i64,
    #[ts(optional = nullable)]
    pub held_on: Option<NaiveDate>,
    /// 主持人: not an investigator of the case (行政处罚法 art. 64(4)).
    pub host_id: i64,
    pub summary: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct LegalReviewInput {
    pub case_id: i64,
    pub reviewer_id: i64,
    #[ts(optional = nullable)]
    pub on: Option<NaiveDate>,
    #[ts(optional = nullable)]
    pub passed: Option<bool>,
    pub opinion: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct CollectiveReviewInput {
    pub case_id: i64,
    #[ts(optional = nullable)]
    pub on: Option<NaiveDate>,
    /// 主持人 (an approver: the head of the office or agency).
    pub chair_id: i64,
    /// Names of those present (at least three).
    pub participants: Vec<String>,
    /// The conclusion; `agreed` = the proposed handling was approved.
    pub conclusion: String,
    #[ts(optional = nullable)]
    pub agreed: Option<bool>,
    /// Where the minutes are filed (讨论记录存入案卷, 001 art. 21).
    pub minutes_ref: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct ExtensionInput {
    pub case_id: i64,
    #[ts(optional = nullable)]
    pub on: Option<NaiveDate>,
    pub approver_id: i64,
    pub reason: String,
}

/// `case.extend_payment`: the refund deadline moved for 不可抗力 or another special circumstance
/// at the party's written request (004 art. 14 ¶2).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct PaymentExtensionInput {
    pub case_id: i64,
    /// When the party's written request arrived.
    #[ts(optional = nullable)]
    pub requested_on: Option<NaiveDate>,
    /// When the office agreed (default today).
    #[ts(optional = nullable)]
    pub on: Option<NaiveDate>,
    #[ts(optional = nullable)]
    pub new_due: Option<NaiveDate>,
    pub approver_id: i64,
    pub reason: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct DecisionInput {
    pub case_id: i64,
    #[ts(optional = nullable)]
    pub kind: Option<DecisionKind>,
    #[ts(optional = nullable)]
    pub decided_on: Option<NaiveDate>,
    pub document_number: String,
    /// 缴费时限 for the money to recover (004 art. 8); required when there is money to recover.
    #[ts(optional = nullable)]
    pub payment_due: Option<NaiveDate>,
    /// 罚款 decided (the fine ledger is part B).
    #[ts(optional = nullable)]
    pub fine: Option<Money>,
    /// The multiple of the amount involved, e.g. "1.5" (735号令 art. 38: 1–2×, art. 40: 2–5×).
    #[ts(optional = nullable)]
    pub fine_multiple: Option<String>,
    /// Legal basis of the fine, e.g. "《医疗保障基金使用监督管理条例》第三十八条".
    pub fine_basis: String,
    /// 没收违法所得.
    #[ts(optional = nullable)]
    pub confiscation: Option<Money>,
    pub measures: Vec<MeasureInput>,
    pub signoff: SignOff,
    pub summary: String,
    /// Why the decision comes after its deadline (required then).
    pub late_reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Decision {
    pub id: i64,
    pub case_id: i64,
    pub kind: DecisionKind,
    pub document_number: String,
    pub decided_on: NaiveDate,
    pub recovery_total: Money,
    pub liquidated_damages: Money,
    #[ts(optional = nullable)]
    pub payment_due: Option<NaiveDate>,
    #[ts(optional = nullable)]
    pub fine: Option<Money>,
    #[ts(optional = nullable)]
    pub fine_multiple: Option<String>,
    pub fine_basis: String,
    #[ts(optional = nullable)]
    pub confiscation: Option<Money>,
    pub signoff: SignOff,
    pub late_reason: String,
    pub summary: String,
}

/// Issue a further document to the party (责令退款通知书, 追回通知单, 听证通知书) so that its
/// service is tracked like the notice and the decision.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct IssueInput {
    pub case_id: i64,
    #[ts(optional = nullable)]
    pub document: Option<ServedDocumentKind>,
    pub document_number: String,
    #[ts(optional = nullable)]
    pub issued_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct DatedNote {
    pub case_id: i64,
    #[ts(optional = nullable)]
    pub on: Option<NaiveDate>,
    pub note: String,
    /// The approver for dropping a case; the person recording otherwise (optional).
    #[ts(optional = nullable)]
    pub actor_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DocumentService {
    pub id: i64,
    pub case_id: i64,
    pub document: ServedDocumentKind,
    pub document_number: String,
    pub issued_on: NaiveDate,
    /// 送达期限 (7 working days from issue; 行政处罚法 art. 61).
    pub due_on: NaiveDate,
    #[ts(optional = nullable)]
    pub method: Option<ServiceMethod>,
    #[ts(optional = nullable)]
    pub served_on: Option<NaiveDate>,
    #[ts(optional = nullable)]
    pub published_on: Option<NaiveDate>,
    pub recipient: String,
    pub receipt: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Step {
    pub id: i64,
    pub kind: StepKind,
    pub on: NaiveDate,
    #[ts(optional = nullable)]
    pub actor_id: Option<i64>,
    pub actor: String,
    pub outcome: String,
    pub note: String,
    pub data: serde_json::Value,
    pub recorded_at: String,
}

/// One line of the case's timeline: steps and document service, in date order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TimelineEntry {
    pub on: NaiveDate,
    /// Chinese title, e.g. "法制审核（通过）".
    pub title: String,
    pub actor: String,
    pub note: String,
    #[ts(optional = nullable)]
    pub step_id: Option<i64>,
    #[ts(optional = nullable)]
    pub service_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CaseDetail {
    pub case: Case,
    pub findings: Vec<case_mod::Finding>,
    pub evidence: Vec<case_mod::Evidence>,
    pub holds: Vec<case_mod::EvidenceHold>,
    pub recovery_lines: Vec<case_mod::RecoveryLine>,
    #[ts(optional = nullable)]
    pub notification: Option<Notification>,
    #[ts(optional = nullable)]
    pub decision: Option<Decision>,
    pub measures: Vec<measures::Measure>,
    pub services: Vec<DocumentService>,
    pub steps: Vec<Step>,
    pub timeline: Vec<TimelineEntry>,
    pub requirements: Requirements,
    /// Running clocks of this case (as `clock.list` shows them today).
    pub clocks: Vec<Clock>,
    /// What the law requires next, in Chinese, most urgent first.
    pub next_steps: Vec<String>,
    /// The rule set the case follows: the one in force when it was filed (issue 9), and whether
    /// the office had changed any of that preset's citations.
    pub rule_preset: crate::cases::RulePreset,
    pub rule_set_edited: bool,
    /// Money whose fund cannot be told is split 5:5 under this case's rule set (天津 art. 8); else
    /// each recovery line names its fund.
    pub unknown_fund_split: bool,
    /// Earlier 限期整改 of the same party found not rectified (拒不改正), one sentence each: a
    /// fact the decision may rely on (issue 9).
    pub prior_refusals: Vec<String>,
}

/// What the law requires of this case, as far as known now.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct Requirements {
    pub notified: bool,
    pub notice_served: bool,
    /// End of the 陈述申辩 window (after service).
    #[ts(optional = nullable)]
    pub statement_due: Option<NaiveDate>,
    pub statement_done: bool,
    pub hearing_offered: bool,
    #[ts(optional = nullable)]
    pub hearing_request_due: Option<NaiveDate>,
    pub hearing_requested: bool,
    pub hearing_held: bool,
    pub legal_review_required: bool,
    pub legal_review_passed: bool,
    pub collective_review_required: bool,
    pub collective_review_done: bool,
    /// Why a collective review is required (Chinese), when it is.
    pub collective_review_reason: String,
}
