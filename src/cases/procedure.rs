//! The procedure of a case, with its guards. Each step is a `procedure_step` row with who
//! (`actor_id`) and when (`on_date`); each refusal is an `ILLEGAL_STEP` (or a field error) in
//! Chinese and changes nothing.
//!
//! Order: filing → findings, evidence, money → notification (告知, three signatures) → service of
//! the notice → statement window (陈述申辩, 5 working days from service; 001 art. 22) and, where the
//! thresholds say so, a hearing (行政处罚法 art. 63–64) → legal review (001 art. 40; 行政处罚法
//! art. 58) → collective review (001 art. 21) → decision within 90 (+30) days of filing (行政处罚法
//! art. 60) → service of the decision (行政处罚法 art. 61) → execution → closure.

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::cases::{self as case_mod, Case, CaseStatus};
use super::clocks::{self, Clock, ClockKind};
use super::hooks::{Ctx, DocumentNumbers};
use super::measures::{self, MeasureInput, MeasureKind};
use super::users::{self, Role, SignOff};
use super::{
    bounded_text, cn_date, date_text, opt_date, parse_stored_date, required_text, PartyKind, Track,
};
use crate::calendar::{Deadline, WorkCalendar};
use crate::error::{ApiError, Result};
use crate::money::Money;
use crate::registry::{enum_from, enum_text};
use crate::store::{now_text, Tx};
use crate::vocab::DocumentKind;

// ---------------------------------------------------------------------------------------------
// Vocabulary

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum StepKind {
    /// 立案
    Filed,
    /// 告知 (陈述申辩告知书 issued)
    Notified,
    /// 收到陈述申辩
    StatementReceived,
    /// 当事人放弃陈述申辩
    StatementWaived,
    /// 当事人申请听证
    HearingRequested,
    /// 举行听证
    HearingHeld,
    /// 法制审核
    LegalReview,
    /// 提交法制审核 (starts the review clock, 10 working days by default)
    LegalReviewSubmitted,
    /// 集体讨论
    CollectiveReview,
    /// 延长办案期限
    DecisionExtended,
    /// 作出决定
    Decided,
    /// 报市医保局备案 (001 art. 24)
    ReportedToCity,
    /// 结案
    Closed,
    /// 撤销立案 / 不予处理
    Dropped,
}

crate::labeled_by!(StepKind => label, ServedDocumentKind => label);

impl StepKind {
    pub fn label(self) -> &'static str {
        match self {
            StepKind::Filed => "立案",
            StepKind::Notified => "告知拟处理决定",
            StepKind::StatementReceived => "收到陈述申辩",
            StepKind::StatementWaived => "放弃陈述申辩",
            StepKind::HearingRequested => "申请听证",
            StepKind::HearingHeld => "举行听证",
            StepKind::LegalReview => "法制审核",
            StepKind::LegalReviewSubmitted => "提交法制审核",
            StepKind::CollectiveReview => "集体讨论",
            StepKind::DecisionExtended => "延长办案期限",
            StepKind::Decided => "作出处理决定",
            StepKind::ReportedToCity => "报市医保局备案",
            StepKind::Closed => "结案",
            StepKind::Dropped => "撤销案件",
        }
    }
}

/// The documents served on the party (GLOSSARY "Documents").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum ServedDocumentKind {
    /// 陈述申辩告知书 (001 art. 22) / 行政处罚事先告知书.
    #[serde(alias = "陈述申辩告知书", alias = "告知书")]
    StatementNotice,
    /// 听证通知书.
    #[serde(alias = "听证通知书")]
    HearingNotice,
    /// 行政处理决定书 (000 附件4).
    #[serde(alias = "行政处理决定书")]
    HandlingDecision,
    /// 行政处罚决定书 (000 附件4).
    #[serde(alias = "行政处罚决定书")]
    PenaltyDecision,
    /// 协议处理（违约处理）决定书 (001 art. 24).
    #[serde(alias = "协议处理决定书")]
    AgreementDecision,
    /// 责令退款通知书 (000 附件1).
    #[serde(alias = "责令退款通知书")]
    RefundOrder,
    /// 追回通知单 (000 附件3; 004 附件1).
    #[serde(alias = "追回通知单", alias = "医疗保障基金追回通知单")]
    RecoverySlip,
}

impl ServedDocumentKind {
    pub fn label(self) -> &'static str {
        match self {
            ServedDocumentKind::StatementNotice => "陈述申辩告知书",
            ServedDocumentKind::HearingNotice => "听证通知书",
            ServedDocumentKind::HandlingDecision => "行政处理决定书",
            ServedDocumentKind::PenaltyDecision => "行政处罚决定书",
            ServedDocumentKind::AgreementDecision => "协议处理决定书",
            ServedDocumentKind::RefundOrder => "责令退款通知书",
            ServedDocumentKind::RecoverySlip => "医疗保障基金追回通知单",
        }
    }
}

/// 送达方式 (行政处罚法 art. 61; 民事诉讼法 art. 87–95).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum ServiceMethod {
    #[serde(alias = "直接送达", alias = "当场交付")]
    Direct,
    #[serde(alias = "留置送达")]
    Left,
    #[serde(alias = "邮寄送达")]
    Mail,
    #[serde(alias = "电子送达")]
    Electronic,
    #[serde(alias = "委托送达")]
    Entrusted,
    /// 公告送达: served 30 days after publication.
    #[serde(alias = "公告送达")]
    PublicNotice,
}

crate::labels!(ServiceMethod {
    Direct => "直接送达",
    Left => "留置送达",
    Mail => "邮寄送达",
    Electronic => "电子送达",
    Entrusted => "委托送达",
    PublicNotice => "公告送达",
});

/// The kind of decision (000 附件4; 001 art. 24).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum DecisionKind {
    /// 行政处理决定 (责令退回, no penalty).
    #[serde(alias = "行政处理决定", alias = "行政处理")]
    HandlingDecision,
    /// 行政处罚决定 (fine, confiscation).
    #[serde(alias = "行政处罚决定", alias = "行政处罚")]
    PenaltyDecision,
    /// 协议处理决定 (the agency's breach decision).
    #[serde(alias = "协议处理决定", alias = "违约处理决定")]
    AgreementDecision,
}

crate::labels!(DecisionKind { HandlingDecision => "行政处理决定", PenaltyDecision => "行政处罚决定", AgreementDecision => "协议处理决定" });

impl ServedDocumentKind {
    pub const ALL: [ServedDocumentKind; 7] = [
        ServedDocumentKind::StatementNotice,
        ServedDocumentKind::HearingNotice,
        ServedDocumentKind::HandlingDecision,
        ServedDocumentKind::PenaltyDecision,
        ServedDocumentKind::AgreementDecision,
        ServedDocumentKind::RefundOrder,
        ServedDocumentKind::RecoverySlip,
    ];

    /// The document Recoup prints for it (none for the 听证通知书 and 协议处理决定书 yet).
    pub fn printed(self) -> Option<DocumentKind> {
        Some(match self {
            ServedDocumentKind::StatementNotice => DocumentKind::StatementNotice,
            ServedDocumentKind::HandlingDecision => DocumentKind::HandlingDecision,
            ServedDocumentKind::PenaltyDecision => DocumentKind::PenaltyDecision,
            ServedDocumentKind::RefundOrder => DocumentKind::RefundOrder,
            ServedDocumentKind::RecoverySlip => DocumentKind::RecoverySlip,
            ServedDocumentKind::HearingNotice | ServedDocumentKind::AgreementDecision => {
                return None
            }
        })
    }
}

/// The number of a served document: as typed, or — left blank — the next of its kind in the
/// office's sequence (docs::settings). A typed number in the office's format moves the sequence
/// past it, so the sequence never gives it again.
fn document_number(
    tx: &mut Tx<'_>,
    numbers: &DocumentNumbers,
    typed: &str,
    doc: ServedDocumentKind,
    on: NaiveDate,
    label: &str,
) -> Result<String> {
    let typed = bounded_text(typed, "document_number", label, 60)?;
    match (doc.printed(), typed.is_empty()) {
        (Some(kind), true) => (numbers.next)(tx, kind, on),
        (None, true) => Err(ApiError::field(
            "document_number",
            format!("{label}不能为空"),
        )),
        (kind, false) => {
            if let Some(kind) = kind {
                (numbers.claim)(tx, kind, &typed)?;
            }
            Ok(typed)
        }
    }
}

impl DecisionKind {
    fn document(self) -> ServedDocumentKind {
        match self {
            DecisionKind::HandlingDecision => ServedDocumentKind::HandlingDecision,
            DecisionKind::PenaltyDecision => ServedDocumentKind::PenaltyDecision,
            DecisionKind::AgreementDecision => ServedDocumentKind::AgreementDecision,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Requests and records

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub enum StatementKind {
    /// 陈述申辩 (written or oral; oral ones are put on record, 001 art. 22).
    #[serde(alias = "陈述申辩")]
    Statement,
    /// 明确放弃
    #[serde(alias = "放弃", alias = "放弃陈述申辩")]
    Waiver,
}

crate::labels!(StatementKind { Statement => "陈述申辩", Waiver => "放弃陈述申辩" });

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
}

// ---------------------------------------------------------------------------------------------
// Helpers

#[allow(clippy::too_many_arguments)]
pub(crate) fn add_step(
    tx: &mut Tx<'_>,
    case_id: i64,
    kind: StepKind,
    on: NaiveDate,
    actor_id: Option<i64>,
    outcome: &str,
    note: &str,
    data: serde_json::Value,
) -> Result<i64> {
    let id: i64 = tx.query_row(
        "SELECT COALESCE(MAX(id), 0) + 1 FROM procedure_step",
        [],
        |r| r.get(0),
    )?;
    tx.execute(
        "INSERT INTO procedure_step (id, case_id, kind, on_date, actor_id, outcome, note, data, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![id, case_id, enum_text(&kind), date_text(on), actor_id, outcome, note, data.to_string(), now_text()],
    )?;
    tx.touch("procedure_step", id);
    touch_case(tx, case_id)?;
    Ok(id)
}

fn touch_case(tx: &mut Tx<'_>, case_id: i64) -> Result<()> {
    tx.execute(
        "UPDATE case_file SET updated_at = ?1 WHERE id = ?2",
        params![now_text(), case_id],
    )?;
    tx.touch("case_file", case_id);
    Ok(())
}

fn set_status(tx: &mut Tx<'_>, case_id: i64, status: CaseStatus) -> Result<()> {
    tx.execute(
        "UPDATE case_file SET status = ?1, updated_at = ?2 WHERE id = ?3",
        params![enum_text(&status), now_text(), case_id],
    )?;
    tx.touch("case_file", case_id);
    Ok(())
}

/// 行政处罚法 art. 60: decide within 90 days of filing (+30 with approval) — calendar days, the
/// last day rolled to the next working day. `excluded` days do not count: the hearing, from the
/// request to the day it is held (DOMAIN §2: hearing, expert review and public notice do not count).
pub fn decision_deadline(
    cal: &WorkCalendar,
    filed: NaiveDate,
    days: u32,
    extension: u32,
    excluded: u32,
) -> Result<Deadline> {
    cal.calendar_deadline(filed, days + extension + excluded)
}

/// SQL expression (over `case_file c`) of the days that do not count towards the decision period:
/// from the hearing request to the hearing (one hearing per notification).
pub const EXCLUDED_DAYS_SQL: &str = "(SELECT COALESCE(SUM(CAST(julianday(h.on_date) - julianday(r.on_date) AS INTEGER)), 0)
        FROM procedure_step h JOIN procedure_step r ON r.case_id = h.case_id AND r.kind = 'HearingRequested'
        WHERE h.case_id = c.id AND h.kind = 'HearingHeld')";

pub fn steps(conn: &Connection, case_id: i64) -> Result<Vec<Step>> {
    let mut stmt = conn.prepare(
        "SELECT s.*, COALESCE(u.display_name, '') AS actor FROM procedure_step s
         LEFT JOIN app_user u ON u.id = s.actor_id WHERE s.case_id = ?1 ORDER BY s.id",
    )?;
    let rows = stmt
        .query_map([case_id], |r| {
            Ok(Step {
                id: r.get("id")?,
                kind: enum_from(r.get("kind")?),
                on: parse_stored_date(&r.get::<_, String>("on_date")?)?,
                actor_id: r.get("actor_id")?,
                actor: r.get("actor")?,
                outcome: r.get("outcome")?,
                note: r.get("note")?,
                data: serde_json::from_str(&r.get::<_, String>("data")?)
                    .unwrap_or(serde_json::Value::Null),
                recorded_at: r.get("recorded_at")?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn services(
    conn: &Connection,
    cal: &WorkCalendar,
    case_id: i64,
) -> Result<Vec<DocumentService>> {
    let days = super::profile::load(conn)?.service_days;
    let mut stmt = conn.prepare("SELECT * FROM document_service WHERE case_id = ?1 ORDER BY id")?;
    let rows = stmt
        .query_map([case_id], |r| {
            Ok(DocumentService {
                id: r.get("id")?,
                case_id: r.get("case_id")?,
                document: enum_from(r.get("document")?),
                document_number: r.get("document_number")?,
                issued_on: parse_stored_date(&r.get::<_, String>("issued_on")?)?,
                due_on: NaiveDate::MIN,
                method: r.get::<_, Option<String>>("method")?.map(enum_from),
                served_on: opt_date(r.get("served_on")?)?,
                published_on: opt_date(r.get("published_on")?)?,
                recipient: r.get("recipient")?,
                receipt: r.get("receipt")?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter()
        .map(|mut s| {
            // 行政处罚法 art. 61: 七日内送达 (working days, art. 85).
            s.due_on = cal.add_working_days(s.issued_on, days)?.date;
            Ok(s)
        })
        .collect()
}

fn issue_document(
    tx: &mut Tx<'_>,
    case_id: i64,
    doc: ServedDocumentKind,
    number: &str,
    issued: NaiveDate,
    step_id: i64,
) -> Result<i64> {
    let id: i64 = tx.query_row(
        "SELECT COALESCE(MAX(id), 0) + 1 FROM document_service",
        [],
        |r| r.get(0),
    )?;
    tx.execute(
        "INSERT INTO document_service (id, case_id, document, document_number, step_id, issued_on, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![id, case_id, enum_text(&doc), number, step_id, date_text(issued), now_text()],
    )?;
    tx.touch("document_service", id);
    Ok(id)
}

pub fn decision(conn: &Connection, case_id: i64) -> Result<Option<Decision>> {
    Ok(conn
        .query_row(
            "SELECT * FROM decision WHERE case_id = ?1",
            [case_id],
            |r| {
                Ok(Decision {
                    id: r.get("id")?,
                    case_id: r.get("case_id")?,
                    kind: enum_from(r.get("kind")?),
                    document_number: r.get("document_number")?,
                    decided_on: parse_stored_date(&r.get::<_, String>("decided_on")?)?,
                    recovery_total: r.get("recovery_total_fen")?,
                    liquidated_damages: r.get("liquidated_damages_fen")?,
                    payment_due: opt_date(r.get("payment_due")?)?,
                    fine: r.get("fine_fen")?,
                    fine_multiple: r.get("fine_multiple")?,
                    fine_basis: r.get("fine_basis")?,
                    confiscation: r.get("confiscation_fen")?,
                    signoff: SignOff {
                        handler_id: r.get("handler_id")?,
                        reviewer_id: r.get("reviewer_id")?,
                        approver_id: r.get("approver_id")?,
                    },
                    late_reason: r.get("late_reason")?,
                    summary: r.get("summary")?,
                })
            },
        )
        .optional()?)
}

/// The latest notification of a case and its step id.
fn notification(conn: &Connection, case_id: i64) -> Result<Option<(i64, Notification)>> {
    let row: Option<(i64, String)> = conn
        .query_row(
            "SELECT id, data FROM procedure_step WHERE case_id = ?1 AND kind = 'Notified' ORDER BY id DESC LIMIT 1",
            [case_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    row.map(|(id, data)| {
        serde_json::from_str(&data)
            .map(|n| (id, n))
            .map_err(|e| ApiError::internal(format!("告知记录无法读取：{e}")))
    })
    .transpose()
}

/// Where the case stands in the procedure.
struct State {
    case: Case,
    notice: Option<(i64, Notification)>,
    notice_served_on: Option<NaiveDate>,
    steps: Vec<Step>,
    requirements: Requirements,
}

fn has_step_after(steps: &[Step], after: i64, kinds: &[StepKind]) -> bool {
    steps
        .iter()
        .any(|s| s.id > after && kinds.contains(&s.kind))
}

fn state(conn: &Connection, cal: &WorkCalendar, case_id: i64) -> Result<State> {
    let case = case_mod::get(conn, cal, case_id)?;
    let steps = steps(conn, case_id)?;
    let notice = notification(conn, case_id)?;
    let profile = super::profile::load(conn)?;
    let mut req = Requirements::default();
    let mut notice_served_on = None;
    let mut proposed_heavy: Vec<MeasureKind> = Vec::new();
    let mut proposed_fine = Money::ZERO;
    if let Some((step_id, n)) = &notice {
        req.notified = true;
        req.hearing_offered = n.hearing_offered;
        notice_served_on = conn
            .query_row(
                "SELECT served_on FROM document_service WHERE id = ?1",
                [n.service_id],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()?
            .flatten()
            .map(|s| parse_stored_date(&s))
            .transpose()?;
        if let Some(served) = notice_served_on {
            req.notice_served = true;
            req.statement_due = Some(cal.add_working_days(served, n.statement_days)?.date);
            if n.hearing_offered {
                req.hearing_request_due =
                    Some(cal.add_working_days(served, n.hearing_request_days)?.date);
            }
        }
        req.statement_done = has_step_after(
            &steps,
            *step_id,
            &[StepKind::StatementReceived, StepKind::StatementWaived],
        );
        req.hearing_requested = has_step_after(&steps, *step_id, &[StepKind::HearingRequested]);
        req.hearing_held = has_step_after(&steps, *step_id, &[StepKind::HearingHeld]);
        proposed_heavy = n
            .proposed_measures
            .iter()
            .filter_map(|m| m.kind)
            .filter(|k| k.is_heavy())
            .collect();
        proposed_fine = n.proposed_fine.unwrap_or(Money::ZERO);
    }
    let last_review = steps.iter().rev().find(|s| s.kind == StepKind::LegalReview);
    req.legal_review_passed = last_review.is_some_and(|s| s.outcome == "Passed");
    // 001 art. 40; 行政处罚法 art. 58: before penalty decisions that are major, heard or complex;
    // 001 art. 21 para. 2–3: termination of an agreement goes through legal review.
    req.legal_review_required = match case.track {
        Track::Administrative => {
            !proposed_fine.is_zero() || req.hearing_held || !proposed_heavy.is_empty()
        }
        Track::Agreement => proposed_heavy.contains(&MeasureKind::AgreementTermination),
    };
    // 001 art. 21: recovery (不予支付 or 追回违规费用) ≥ 50,000 yuan, or any suspension of people,
    // departments or the agreement → collective review; 001 art. 40 for the bureau's major cases.
    let mut reasons = Vec::new();
    if case.recovery_total >= profile.collective_review_threshold {
        reasons.push(format!(
            "追回违规费用{}元，达到{}元集体讨论标准（河源办法第二十一条）",
            case.recovery_total.grouped(),
            profile.collective_review_threshold.grouped()
        ));
    }
    for k in &proposed_heavy {
        reasons.push(format!("拟{}（河源办法第二十一条）", k.label()));
    }
    req.collective_review_required = !reasons.is_empty();
    req.collective_review_reason = reasons.join("；");
    req.collective_review_done = steps
        .iter()
        .any(|s| s.kind == StepKind::CollectiveReview && s.outcome == "Agreed");
    Ok(State {
        case,
        notice,
        notice_served_on,
        steps,
        requirements: req,
    })
}

fn date_or_today(d: Option<NaiveDate>) -> NaiveDate {
    d.unwrap_or_else(super::today_local)
}

/// A step's date (the request's `field`) must not be before `what` happened on `earlier`.
fn not_before(on: NaiveDate, earlier: NaiveDate, field: &str, what: &str) -> Result<()> {
    crate::vocab::dates::not_before(on, earlier, field, "日期", what)
}

fn last_step_date(steps: &[Step]) -> NaiveDate {
    steps.iter().map(|s| s.on).max().unwrap_or(NaiveDate::MIN)
}

/// Investigators of the case: handler, co-handler and whoever collected evidence.
fn investigators(conn: &Connection, case: &Case) -> Result<Vec<i64>> {
    let mut ids = vec![case.handler_id];
    ids.extend(case.co_handler_id);
    let mut stmt = conn.prepare("SELECT DISTINCT collected_by FROM evidence WHERE case_id = ?1 AND collected_by IS NOT NULL")?;
    ids.extend(
        stmt.query_map([case.id], |r| r.get::<_, i64>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?,
    );
    Ok(ids)
}

// ---------------------------------------------------------------------------------------------
// Steps

/// 告知: the notice of intended handling with facts, reasons, basis and the right to state and
/// defend (001 art. 22; 行政处罚法 art. 44), signed by three distinct people.
pub fn notify(tx: &mut Tx<'_>, cal: &Ctx, i: &NotifyInput) -> Result<CaseDetail> {
    let st = state(tx, cal, i.case_id)?;
    let c = &st.case;
    case_mod::require_open(c)?;
    if c.status != CaseStatus::Investigating {
        return Err(ApiError::illegal(format!(
            "案件{}已告知过当事人（{}），不能重复告知",
            c.case_number,
            c.status.label()
        )));
    }
    let issued = date_or_today(i.issued_on);
    not_before(
        issued,
        last_step_date(&st.steps),
        "issued_on",
        "上一办案环节",
    )?;
    let findings = case_mod::findings(tx, c.id)?;
    if findings.is_empty() {
        return Err(ApiError::illegal(
            "尚未登记违规事实，不能告知当事人（告知须载明事实、理由和依据，河源办法第二十二条）",
        ));
    }
    let evidence = case_mod::evidence(tx, c.id)?;
    if evidence.is_empty() {
        return Err(ApiError::illegal("尚未登记证据，不能告知当事人（证据须经查证属实方可作为认定事实的根据，河源办法第三十七条）"));
    }
    let open_registration = case_mod::holds(tx, cal, c.id)?
        .into_iter()
        .find(|h| h.kind == case_mod::HoldKind::Registration && h.released_on.is_none());
    if let Some(h) = open_registration {
        return Err(ApiError::illegal(format!(
            "先行登记保存的证据尚未作出处理决定（应于{}前作出，河源办法第三十六条），请先处理",
            cn_date(h.due_on)
        )));
    }
    let number = document_number(
        tx,
        &cal.hooks.numbers,
        &i.document_number,
        ServedDocumentKind::StatementNotice,
        issued,
        "告知书文号",
    )?;
    users::check_signoff(tx, &i.signoff)?;
    if i.signoff.handler_id != c.handler_id && Some(i.signoff.handler_id) != c.co_handler_id {
        return Err(ApiError::field(
            "handler_id",
            "告知书的承办人应为本案承办人或协办人",
        ));
    }
    let profile = super::profile::load(tx)?;
    let proposed_measures = i.proposed_measures.clone().unwrap_or_default();
    for m in &proposed_measures {
        measures::validate(m, c.track, c.party_kind == PartyKind::Institution)?;
    }
    if let Some(f) = i.proposed_fine {
        if c.track != Track::Administrative {
            return Err(ApiError::field(
                "proposed_fine",
                "罚款是行政处罚，协议处理案件不能罚款（可按协议约定收取违约金）",
            ));
        }
        if f.is_negative() || f.is_zero() {
            return Err(ApiError::field("proposed_fine", "拟罚款金额应大于零"));
        }
    }
    if c.recovery_total.is_zero()
        && c.liquidated_damages.is_zero()
        && i.proposed_fine.is_none()
        && proposed_measures.is_empty()
    {
        return Err(ApiError::illegal(
            "告知书没有拟处理内容：请先录入应追回金额，或填写拟罚款、拟采取的协议处理措施",
        ));
    }
    // 行政处罚法 art. 63: hearing for large fines (thresholds in the profile, by party kind) and
    // for suspension/termination (DOMAIN §2).
    let threshold = match c.party_kind {
        PartyKind::Insured => profile.hearing_threshold_person,
        PartyKind::Institution => profile.hearing_threshold_organisation,
    };
    let hearing_offered = i.proposed_fine.is_some_and(|f| f >= threshold)
        || proposed_measures
            .iter()
            .any(|m| m.kind.is_some_and(|k| k.is_heavy()));
    let note = bounded_text(&i.note, "note", "备注", 500)?;
    let mut n = Notification {
        document_number: number.clone(),
        signoff: i.signoff,
        recovery_total: c.recovery_total,
        liquidated_damages: c.liquidated_damages,
        proposed_fine: i.proposed_fine,
        proposed_measures,
        statement_days: profile.statement_days,
        hearing_request_days: profile.hearing_request_days,
        hearing_offered,
        service_id: 0,
    };
    let step_id = add_step(
        tx,
        c.id,
        StepKind::Notified,
        issued,
        Some(i.signoff.handler_id),
        "",
        &note,
        serde_json::json!({}),
    )?;
    n.service_id = issue_document(
        tx,
        c.id,
        ServedDocumentKind::StatementNotice,
        &number,
        issued,
        step_id,
    )?;
    tx.execute(
        "UPDATE procedure_step SET data = ?1 WHERE id = ?2",
        params![
            serde_json::to_string(&n).map_err(|e| ApiError::internal(e.to_string()))?,
            step_id
        ],
    )?;
    set_status(tx, c.id, CaseStatus::Notified)?;
    detail(tx, cal, c.id, None)
}

/// Record the service of a document (送达回证; 行政处罚法 art. 61).
pub fn serve(tx: &mut Tx<'_>, cal: &Ctx, i: &ServeInput) -> Result<CaseDetail> {
    let row: Option<(i64, String, String, Option<String>)> = tx
        .query_row(
            "SELECT case_id, document, issued_on, served_on FROM document_service WHERE id = ?1",
            [i.service_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let (case_id, doc, issued, served) = row.ok_or_else(|| ApiError::not_found("待送达文书"))?;
    let doc: ServedDocumentKind = enum_from(doc);
    let issued = parse_stored_date(&issued)?;
    let c = case_mod::get(tx, cal, case_id)?;
    case_mod::require_open(&c)?;
    if let Some(s) = served {
        return Err(ApiError::illegal(format!(
            "{}已于{}送达，不能重复登记",
            doc.label(),
            cn_date(parse_stored_date(&s)?)
        )));
    }
    let method = i
        .method
        .ok_or_else(|| ApiError::field("method", "请选择送达方式"))?;
    let recipient = bounded_text(&i.recipient, "recipient", "受送达人", 100)?;
    let receipt = bounded_text(&i.receipt, "receipt", "送达回证或凭证编号", 100)?;
    let (served_on, published_on) = if method == ServiceMethod::PublicNotice {
        let published = i
            .published_on
            .ok_or_else(|| ApiError::field("published_on", "公告送达须填写公告发布日期"))?;
        not_before(published, issued, "published_on", "文书发出日期")?;
        // 公告送达: served when 30 days have passed since publication (民事诉讼法 art. 95).
        let days = super::profile::load(tx)?.public_notice_days;
        (
            cal.calendar_deadline(published, days)?.date,
            Some(published),
        )
    } else {
        let on = i
            .served_on
            .ok_or_else(|| ApiError::field("served_on", "请填写送达回证上签收的日期"))?;
        not_before(on, issued, "served_on", "文书发出日期")?;
        if recipient.is_empty() {
            return Err(ApiError::field("recipient", "请填写受送达人（签收人）"));
        }
        if receipt.is_empty() && method != ServiceMethod::Direct {
            return Err(ApiError::field(
                "receipt",
                "请填写送达凭证（回证编号、邮件单号或电子送达回执）",
            ));
        }
        (on, None)
    };
    tx.execute(
        "UPDATE document_service SET method = ?1, served_on = ?2, published_on = ?3, recipient = ?4, receipt = ?5
         WHERE id = ?6",
        params![enum_text(&method), date_text(served_on), published_on.map(date_text), recipient, receipt, i.service_id],
    )?;
    tx.touch("document_service", i.service_id);
    if matches!(
        doc,
        ServedDocumentKind::HandlingDecision
            | ServedDocumentKind::PenaltyDecision
            | ServedDocumentKind::AgreementDecision
    ) && c.status == CaseStatus::Decided
    {
        set_status(tx, case_id, CaseStatus::Executing)?;
    } else {
        touch_case(tx, case_id)?;
    }
    detail(tx, cal, case_id, None)
}

/// 陈述申辩 received or waived; optionally a hearing request (行政处罚法 art. 64: within 5
/// working days of the notice).
pub fn statement(tx: &mut Tx<'_>, cal: &Ctx, i: &StatementInput) -> Result<CaseDetail> {
    let st = state(tx, cal, i.case_id)?;
    let c = &st.case;
    if c.status != CaseStatus::Notified {
        return Err(ApiError::illegal(format!(
            "案件{}当前{}，不在陈述申辩阶段",
            c.case_number,
            c.status.label()
        )));
    }
    let (step_id, _) = st.notice.clone().expect("notified");
    let served = st.notice_served_on.ok_or_else(|| {
        ApiError::illegal("告知书尚未送达，陈述申辩期尚未开始：请先登记告知书的送达")
    })?;
    let kind = i
        .kind
        .ok_or_else(|| ApiError::field("kind", "请选择：陈述申辩或放弃陈述申辩"))?;
    let on = date_or_today(i.on);
    not_before(on, served, "on", "告知书送达日期")?;
    if has_step_after(
        &st.steps,
        step_id,
        &[StepKind::StatementReceived, StepKind::StatementWaived],
    ) {
        return Err(ApiError::illegal("本次告知的陈述申辩已登记，不能重复登记"));
    }
    let due = st.requirements.statement_due.expect("served");
    if on > due {
        // 001 art. 22: 自告知书送达之日起五个工作日内未行使的，视为放弃.
        return Err(ApiError::illegal(format!(
            "陈述申辩期已于{}届满，当事人未在期限内陈述申辩的视为放弃此权利（河源办法第二十二条）",
            cn_date(due)
        )));
    }
    let summary = match kind {
        StatementKind::Statement => required_text(&i.summary, "summary", "陈述申辩内容摘要", 2000)?,
        StatementKind::Waiver => bounded_text(&i.summary, "summary", "说明", 2000)?,
    };
    if let Some(a) = i.actor_id {
        users::get(tx, a).map_err(|_| ApiError::field("actor_id", "记录人不存在"))?;
    }
    if i.hearing_requested {
        if !st.requirements.hearing_offered {
            return Err(ApiError::illegal(
                "本案拟处理不属于应当告知听证权利的情形，当事人不能申请听证",
            ));
        }
        let hdue = st.requirements.hearing_request_due.expect("served");
        if on > hdue {
            return Err(ApiError::illegal(format!(
                "听证申请期已于{}届满（行政处罚法第六十四条：告知后五日内提出）",
                cn_date(hdue)
            )));
        }
    }
    let step_kind = match kind {
        StatementKind::Statement => StepKind::StatementReceived,
        StatementKind::Waiver => StepKind::StatementWaived,
    };
    add_step(
        tx,
        c.id,
        step_kind,
        on,
        i.actor_id,
        "",
        &summary,
        serde_json::json!({}),
    )?;
    if i.hearing_requested {
        add_step(
            tx,
            c.id,
            StepKind::HearingRequested,
            on,
            i.actor_id,
            "",
            "当事人申请听证",
            serde_json::json!({}),
        )?;
    }
    detail(tx, cal, c.id, None)
}

/// A hearing request recorded on its own (the party may ask without a statement).
pub fn hearing_request(tx: &mut Tx<'_>, cal: &Ctx, i: &DatedNote) -> Result<CaseDetail> {
    let st = state(tx, cal, i.case_id)?;
    let c = &st.case;
    if c.status != CaseStatus::Notified || !st.requirements.hearing_offered {
        return Err(ApiError::illegal(
            "本案当前不能申请听证：只有告知了听证权利的案件，在听证申请期内可以申请",
        ));
    }
    if st.requirements.hearing_requested {
        return Err(ApiError::illegal("当事人已申请听证，不能重复登记"));
    }
    let served = st
        .notice_served_on
        .ok_or_else(|| ApiError::illegal("告知书尚未送达，听证申请期尚未开始"))?;
    let on = date_or_today(i.on);
    not_before(on, served, "on", "告知书送达日期")?;
    let hdue = st.requirements.hearing_request_due.expect("served");
    if on > hdue {
        return Err(ApiError::illegal(format!(
            "听证申请期已于{}届满（行政处罚法第六十四条）",
            cn_date(hdue)
        )));
    }
    add_step(
        tx,
        c.id,
        StepKind::HearingRequested,
        on,
        i.actor_id,
        "",
        i.note.trim(),
        serde_json::json!({}),
    )?;
    detail(tx, cal, c.id, None)
}

/// 听证 held; the host is not an investigator (行政处罚法 art. 64(4)).
pub fn hearing(tx: &mut Tx<'_>, cal: &Ctx, i: &HearingInput) -> Result<CaseDetail> {
    let st = state(tx, cal, i.case_id)?;
    let c = &st.case;
    if c.status != CaseStatus::Notified || !st.requirements.hearing_requested {
        return Err(ApiError::illegal("当事人未申请听证，不能登记听证"));
    }
    if st.requirements.hearing_held {
        return Err(ApiError::illegal("本案听证已举行，不能重复登记"));
    }
    let on = date_or_today(i.held_on);
    not_before(on, last_step_date(&st.steps), "held_on", "上一办案环节")?;
    let host =
        users::get(tx, i.host_id).map_err(|_| ApiError::field("host_id", "听证主持人不存在"))?;
    if investigators(tx, c)?.contains(&host.id) {
        return Err(ApiError::illegal(format!(
            "{}是本案调查人员，不能主持听证（行政处罚法第六十四条：听证由行政机关指定的非本案调查人员主持）",
            host.display_name
        )));
    }
    let summary = required_text(&i.summary, "summary", "听证情况", 2000)?;
    add_step(
        tx,
        c.id,
        StepKind::HearingHeld,
        on,
        Some(host.id),
        "",
        &summary,
        serde_json::json!({}),
    )?;
    detail(tx, cal, c.id, None)
}

/// 法制审核 comes after the party was notified and before the decision (001 art. 40).
fn review_stage(c: &Case) -> Result<()> {
    if c.status != CaseStatus::Notified {
        return Err(ApiError::illegal(format!(
            "案件{}当前{}：法制审核在告知当事人之后、作出决定之前进行",
            c.case_number,
            c.status.label()
        )));
    }
    Ok(())
}

/// 法制审核 (001 art. 40; 行政处罚法 art. 58): the reviewer is not an investigator of the case.
pub fn legal_review(tx: &mut Tx<'_>, cal: &Ctx, i: &LegalReviewInput) -> Result<CaseDetail> {
    let st = state(tx, cal, i.case_id)?;
    let c = &st.case;
    review_stage(c)?;
    let reviewer = users::require_role(tx, i.reviewer_id, Role::Reviewer, "reviewer_id")?;
    if investigators(tx, c)?.contains(&reviewer.id) {
        return Err(ApiError::illegal(format!(
            "{}是本案承办人或调查人员，不能担任法制审核人员（行政处罚法第五十八条；河源办法第四十条）",
            reviewer.display_name
        )));
    }
    if st.requirements.hearing_requested && !st.requirements.hearing_held {
        return Err(ApiError::illegal(
            "当事人已申请听证，须先举行听证再进行法制审核",
        ));
    }
    let on = date_or_today(i.on);
    not_before(on, last_step_date(&st.steps), "on", "上一办案环节")?;
    let passed = i
        .passed
        .ok_or_else(|| ApiError::field("passed", "请选择审核结论：通过或不通过"))?;
    let opinion = required_text(&i.opinion, "opinion", "审核意见", 2000)?;
    add_step(
        tx,
        c.id,
        StepKind::LegalReview,
        on,
        Some(reviewer.id),
        if passed { "Passed" } else { "Failed" },
        &opinion,
        serde_json::json!({}),
    )?;
    detail(tx, cal, c.id, None)
}

/// 提交法制审核: starts the review clock (001 art. 40; profile `legal_review_days`). Optional: a
/// review recorded without a submission is taken as submitted the same day.
pub fn submit_legal_review(tx: &mut Tx<'_>, cal: &Ctx, i: &DatedNote) -> Result<CaseDetail> {
    let st = state(tx, cal, i.case_id)?;
    let c = &st.case;
    review_stage(c)?;
    if pending_review(&st.steps).is_some() {
        return Err(ApiError::illegal(
            "本案已提交法制审核，尚未出具审核意见，不能重复提交",
        ));
    }
    if st.requirements.legal_review_passed {
        return Err(ApiError::illegal("本案法制审核已通过，无需再次提交"));
    }
    let on = date_or_today(i.on);
    not_before(on, last_step_date(&st.steps), "on", "上一办案环节")?;
    if let Some(a) = i.actor_id {
        users::get(tx, a).map_err(|_| ApiError::field("actor_id", "提交人不存在"))?;
    }
    let days = super::profile::load(tx)?.legal_review_days;
    add_step(
        tx,
        c.id,
        StepKind::LegalReviewSubmitted,
        on,
        i.actor_id,
        "",
        i.note.trim(),
        serde_json::json!({ "days": days }),
    )?;
    detail(tx, cal, c.id, None)
}

/// The submission still waiting for its review: (date, working days).
fn pending_review(steps: &[Step]) -> Option<(NaiveDate, u32)> {
    let last = steps.iter().rev().find(|s| {
        matches!(
            s.kind,
            StepKind::LegalReview | StepKind::LegalReviewSubmitted
        )
    })?;
    (last.kind == StepKind::LegalReviewSubmitted)
        .then(|| (last.on, last.data["days"].as_u64().unwrap_or(10) as u32))
}

/// Running legal-review clocks (for `clock.list`).
pub(crate) fn pending_reviews(
    conn: &Connection,
    cal: &WorkCalendar,
) -> Result<Vec<(i64, NaiveDate, Deadline)>> {
    let mut stmt = conn.prepare(
        "SELECT DISTINCT c.id FROM case_file c JOIN procedure_step s ON s.case_id = c.id
         WHERE c.status = 'Notified' AND s.kind = 'LegalReviewSubmitted'",
    )?;
    let ids = stmt
        .query_map([], |r| r.get::<_, i64>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out = Vec::new();
    for id in ids {
        if let Some((on, days)) = pending_review(&steps(conn, id)?) {
            out.push((id, on, cal.add_working_days(on, days)?));
        }
    }
    Ok(out)
}

/// 集体讨论 (001 art. 21, 40): minutes kept in the file.
pub fn collective_review(
    tx: &mut Tx<'_>,
    cal: &Ctx,
    i: &CollectiveReviewInput,
) -> Result<CaseDetail> {
    let st = state(tx, cal, i.case_id)?;
    let c = &st.case;
    if c.status != CaseStatus::Notified {
        return Err(ApiError::illegal(format!(
            "案件{}当前{}：集体讨论在告知当事人之后、作出决定之前进行",
            c.case_number,
            c.status.label()
        )));
    }
    let on = date_or_today(i.on);
    not_before(on, last_step_date(&st.steps), "on", "上一办案环节")?;
    let chair = users::require_role(tx, i.chair_id, Role::Approver, "chair_id")?;
    let participants: Vec<String> = i
        .participants
        .iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    let mut unique = participants.clone();
    unique.sort();
    unique.dedup();
    if unique.len() < 3 {
        return Err(ApiError::field(
            "participants",
            "集体讨论应有三名以上参加人员，请逐一填写姓名",
        ));
    }
    let conclusion = required_text(&i.conclusion, "conclusion", "讨论结论", 2000)?;
    let minutes = required_text(&i.minutes_ref, "minutes_ref", "讨论记录编号", 100)?;
    let agreed = i
        .agreed
        .ok_or_else(|| ApiError::field("agreed", "请选择讨论结果：同意或不同意拟处理意见"))?;
    add_step(
        tx,
        c.id,
        StepKind::CollectiveReview,
        on,
        Some(chair.id),
        if agreed { "Agreed" } else { "Rejected" },
        &conclusion,
        serde_json::json!({ "participants": unique, "minutes_ref": minutes }),
    )?;
    detail(tx, cal, c.id, None)
}

/// 延长办案期限 (行政处罚法 art. 60: +30 days with the approval of the head), once, before the
/// deadline.
pub fn extend_decision(tx: &mut Tx<'_>, cal: &Ctx, i: &ExtensionInput) -> Result<CaseDetail> {
    let c = case_mod::get(tx, cal, i.case_id)?;
    if !matches!(c.status, CaseStatus::Investigating | CaseStatus::Notified) {
        return Err(ApiError::illegal(format!(
            "案件{}{}，无需延长办案期限",
            c.case_number,
            c.status.label()
        )));
    }
    if c.decision_extended {
        return Err(ApiError::illegal(
            "办案期限只能延长一次（行政处罚法第六十条）",
        ));
    }
    let on = date_or_today(i.on);
    not_before(on, c.filed_on, "on", "立案日期")?;
    if on > c.decision_due {
        return Err(ApiError::illegal(format!(
            "办案期限已于{}届满，不能在期满后延长",
            cn_date(c.decision_due)
        )));
    }
    let approver = users::require_role(tx, i.approver_id, Role::Approver, "approver_id")?;
    let reason = required_text(&i.reason, "reason", "延长理由", 500)?;
    let ext = super::profile::load(tx)?.decision_extension_days;
    if ext == 0 {
        return Err(ApiError::illegal(
            "规则配置中办案期限不可延长（延长期限为0）",
        ));
    }
    tx.execute(
        "UPDATE case_file SET decision_extension_days = ?1, updated_at = ?2 WHERE id = ?3",
        params![ext, now_text(), c.id],
    )?;
    add_step(
        tx,
        c.id,
        StepKind::DecisionExtended,
        on,
        Some(approver.id),
        "",
        &reason,
        serde_json::json!({ "days": ext }),
    )?;
    detail(tx, cal, c.id, None)
}

/// 作出决定, with every guard of the procedure.
pub fn decide(tx: &mut Tx<'_>, cal: &Ctx, i: &DecisionInput) -> Result<CaseDetail> {
    let st = state(tx, cal, i.case_id)?;
    let c = &st.case;
    let req = &st.requirements;
    case_mod::require_open(c)?;
    match c.status {
        CaseStatus::Investigating => {
            return Err(ApiError::illegal(
                "尚未告知当事人拟作出的处理决定及其事实、理由、依据和陈述申辩权利，不能作出决定（河源办法第二十二条；行政处罚法第四十四条）",
            ))
        }
        CaseStatus::Notified => {}
        _ => return Err(ApiError::illegal(format!("案件{}已作出决定，不能重复决定", c.case_number))),
    }
    let (_, notice) = st.notice.clone().expect("notified");
    let decided = i
        .decided_on
        .ok_or_else(|| ApiError::field("decided_on", "请填写决定日期"))?;
    not_before(
        decided,
        last_step_date(&st.steps),
        "decided_on",
        "上一办案环节",
    )?;
    // The statement window must have run out, unless the party already replied or waived.
    st.notice_served_on.ok_or_else(|| {
        ApiError::illegal(
            "告知书尚未送达当事人，不能作出决定：请先登记告知书的送达（行政处罚法第六十一条）",
        )
    })?;
    let statement_due = req.statement_due.expect("served");
    if !req.statement_done && decided <= statement_due {
        return Err(ApiError::illegal(format!(
            "陈述申辩期至{}届满，期满前（当事人未陈述申辩或明确放弃的）不能作出决定（河源办法第二十二条）",
            cn_date(statement_due)
        )));
    }
    if let Some(hdue) = req.hearing_request_due {
        if !req.hearing_requested
            && decided <= hdue
            && !has_step_after(&st.steps, 0, &[StepKind::StatementWaived])
        {
            return Err(ApiError::illegal(format!(
                "听证申请期至{}届满，期满前不能作出决定（行政处罚法第六十四条）",
                cn_date(hdue)
            )));
        }
    }
    if req.hearing_requested && !req.hearing_held {
        return Err(ApiError::illegal(
            "当事人已申请听证，须先举行听证（行政处罚法第六十三条、第六十四条）",
        ));
    }
    if req.legal_review_required && !req.legal_review_passed {
        return Err(ApiError::illegal(
            "本案须经法制审核，未经法制审核或者审核未通过的，不得作出决定（河源办法第四十条；行政处罚法第五十八条）",
        ));
    }
    if req.collective_review_required && !req.collective_review_done {
        return Err(ApiError::illegal(format!(
            "本案须经集体讨论同意后才能作出决定：{}",
            req.collective_review_reason
        )));
    }
    let kind = i.kind.ok_or_else(|| {
        ApiError::field(
            "kind",
            "请选择决定种类：行政处理决定、行政处罚决定或协议处理决定",
        )
    })?;
    match (c.track, kind) {
        (Track::Agreement, DecisionKind::AgreementDecision) => {}
        (Track::Administrative, DecisionKind::HandlingDecision | DecisionKind::PenaltyDecision) => {
        }
        (Track::Agreement, _) => {
            return Err(ApiError::field("kind", "协议处理案件应作出协议处理决定"))
        }
        (Track::Administrative, _) => {
            return Err(ApiError::field(
                "kind",
                "行政执法案件应作出行政处理决定或行政处罚决定",
            ))
        }
    }
    let number = document_number(
        tx,
        &cal.hooks.numbers,
        &i.document_number,
        kind.document(),
        decided,
        "决定书文号",
    )?;
    let (handler, _, _) = users::check_signoff(tx, &i.signoff)?;
    if handler.id != c.handler_id && Some(handler.id) != c.co_handler_id {
        return Err(ApiError::field(
            "handler_id",
            "决定书的承办人应为本案承办人或协办人",
        ));
    }
    // Money to recover needs a payment deadline (004 art. 8: 退缴时限).
    let owed = c.recovery_total + c.liquidated_damages;
    let payment_due = match i.payment_due {
        Some(d) => {
            if owed.is_zero() {
                return Err(ApiError::field(
                    "payment_due",
                    "本案没有应追回金额，无需填写缴费时限",
                ));
            }
            if d < decided {
                return Err(ApiError::field("payment_due", "缴费时限不能早于决定日期"));
            }
            Some(d)
        }
        None if !owed.is_zero() => {
            return Err(ApiError::field(
                "payment_due",
                "请填写应追回金额的缴费时限（天津办法第八条）",
            ))
        }
        None => None,
    };
    // Fine: administrative penalty only; multiple × amount, rounded half-up to the cent (DOMAIN §3).
    let fine_basis = bounded_text(&i.fine_basis, "fine_basis", "罚款依据", 300)?;
    let mut fine_multiple = None;
    if let Some(f) = i.fine {
        if kind != DecisionKind::PenaltyDecision {
            return Err(ApiError::field("fine", "罚款须以行政处罚决定作出"));
        }
        if f.is_negative() || f.is_zero() {
            return Err(ApiError::field("fine", "罚款金额应大于零"));
        }
        if fine_basis.is_empty() {
            return Err(ApiError::field(
                "fine_basis",
                "请填写罚款的法律依据（如《医疗保障基金使用监督管理条例》第三十八条）",
            ));
        }
        // 行政处罚法 art. 45 / 001 art. 22 (DOMAIN §2): the reply may not raise the penalty.
        match notice.proposed_fine {
            None => {
                return Err(ApiError::illegal("告知书未告知拟罚款，决定不能增加罚款：如需罚款应重新告知（行政处罚法第四十五条）"))
            }
            Some(p) if f > p => {
                return Err(ApiError::illegal(format!(
                    "决定罚款{}元高于告知的{}元：不得因当事人陈述申辩而加重处罚（行政处罚法第四十五条）",
                    f.grouped(),
                    p.grouped()
                )))
            }
            _ => {}
        }
        if let Some(m) = i
            .fine_multiple
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
        {
            let factor: rust_decimal::Decimal = m
                .parse()
                .map_err(|_| ApiError::field("fine_multiple", "罚款倍数应为数字，如 1.5"))?;
            if factor <= rust_decimal::Decimal::ZERO || factor > rust_decimal::Decimal::from(10) {
                return Err(ApiError::field(
                    "fine_multiple",
                    "罚款倍数应大于0且不超过10",
                ));
            }
            let expected = c.recovery_total.times(factor);
            if expected != f {
                return Err(ApiError::field(
                    "fine",
                    format!(
                        "罚款金额与倍数不符：涉及金额{}元 × {} = {}元（四舍五入到分）",
                        c.recovery_total.grouped(),
                        factor.normalize(),
                        expected.grouped()
                    ),
                ));
            }
            fine_multiple = Some(factor.normalize().to_string());
        }
    } else if i
        .fine_multiple
        .as_deref()
        .is_some_and(|m| !m.trim().is_empty())
    {
        return Err(ApiError::field(
            "fine",
            "填写了罚款倍数，请同时填写罚款金额",
        ));
    }
    if let Some(cf) = i.confiscation {
        if kind != DecisionKind::PenaltyDecision || cf.is_negative() || cf.is_zero() {
            return Err(ApiError::field(
                "confiscation",
                "没收违法所得须以行政处罚决定作出，且金额应大于零",
            ));
        }
    }
    // Measures: none heavier than notified.
    for m in &i.measures {
        let k = measures::validate(m, c.track, c.party_kind == PartyKind::Institution)?;
        let proposed = notice.proposed_measures.iter().find(|p| p.kind == Some(k));
        match proposed {
            None => {
                return Err(ApiError::illegal(format!(
                "告知书未告知拟{}，决定不能增加该措施：如需采取应重新告知（河源办法第二十二条）",
                k.label()
            )))
            }
            Some(p) if m.months.unwrap_or(0) > p.months.unwrap_or(0) => {
                return Err(ApiError::illegal(format!(
                    "{}{}个月长于告知的{}个月：不得因当事人陈述申辩而加重处理",
                    k.label(),
                    m.months.unwrap_or(0),
                    p.months.unwrap_or(0)
                )))
            }
            _ => {}
        }
    }
    // 行政处罚法 art. 60: within 90 (+30) days of filing; a late decision states why.
    let late_reason = bounded_text(&i.late_reason, "late_reason", "超期原因", 500)?;
    if decided > c.decision_due && late_reason.is_empty() {
        return Err(ApiError::illegal(format!(
            "办案期限已于{}届满（立案之日起{}日{}，行政处罚法第六十条）：请填写超期原因后再作出决定",
            cn_date(c.decision_due),
            (c.decision_due - c.filed_on).num_days(),
            if c.decision_extended { "，含延长期限" } else { "" }
        )));
    }
    let summary = bounded_text(&i.summary, "summary", "决定内容摘要", 2000)?;
    let id: i64 = tx.query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM decision", [], |r| {
        r.get(0)
    })?;
    tx.execute(
        "INSERT INTO decision (id, case_id, kind, document_number, decided_on, recovery_total_fen, liquidated_damages_fen,
            payment_due, fine_fen, fine_multiple, fine_basis, confiscation_fen, handler_id, reviewer_id, approver_id,
            late_reason, summary, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
        params![
            id,
            c.id,
            enum_text(&kind),
            number,
            date_text(decided),
            c.recovery_total,
            c.liquidated_damages,
            payment_due.map(date_text),
            i.fine,
            fine_multiple,
            fine_basis,
            i.confiscation,
            i.signoff.handler_id,
            i.signoff.reviewer_id,
            i.signoff.approver_id,
            late_reason,
            summary,
            now_text()
        ],
    )?;
    tx.touch("decision", id);
    measures::apply(tx, c.id, c.institution_id, decided, &i.measures)?;
    let step_id = add_step(
        tx,
        c.id,
        StepKind::Decided,
        decided,
        Some(i.signoff.approver_id),
        "",
        &summary,
        serde_json::json!({ "decision_id": id, "document_number": number }),
    )?;
    issue_document(tx, c.id, kind.document(), &number, decided, step_id)?;
    set_status(tx, c.id, CaseStatus::Decided)?;
    detail(tx, cal, c.id, None)
}

/// Issue a further document for service (7 working days, 行政处罚法 art. 61): the 责令退款通知书
/// and 追回通知单 once the decision is made (000 art. 2–3; 004 art. 6), the 听证通知书 once a
/// hearing was requested (行政处罚法 art. 64(2)). The notice and the decision are issued by
/// `notify` and `decide` themselves.
pub fn issue(tx: &mut Tx<'_>, cal: &Ctx, i: &IssueInput) -> Result<CaseDetail> {
    let st = state(tx, cal, i.case_id)?;
    let c = &st.case;
    case_mod::require_open(c)?;
    let doc = i
        .document
        .ok_or_else(|| ApiError::field("document", "请选择文书种类"))?;
    let issued = date_or_today(i.issued_on);
    let number = document_number(
        tx,
        &cal.hooks.numbers,
        &i.document_number,
        doc,
        issued,
        "文号",
    )?;
    match doc {
        ServedDocumentKind::RefundOrder | ServedDocumentKind::RecoverySlip => {
            let d = decision(tx, c.id)?.ok_or_else(|| {
                ApiError::illegal(format!(
                    "尚未作出处理决定，不能出具{}（吉林通知第二条、第三条；天津办法第六条）",
                    doc.label()
                ))
            })?;
            if (d.recovery_total + d.liquidated_damages).is_zero() {
                return Err(ApiError::illegal(format!(
                    "本案没有应追回金额，无需出具{}",
                    doc.label()
                )));
            }
            if doc == ServedDocumentKind::RefundOrder && c.track != Track::Administrative {
                return Err(ApiError::illegal("责令退款通知书由医保行政部门出具（吉林通知第二条），协议处理案件请出具追回通知单"));
            }
            not_before(issued, d.decided_on, "issued_on", "决定日期")?;
        }
        ServedDocumentKind::HearingNotice => {
            if !st.requirements.hearing_requested || st.requirements.hearing_held {
                return Err(ApiError::illegal(
                    "只有当事人申请听证且尚未举行听证时，才能出具听证通知书",
                ));
            }
            not_before(
                issued,
                last_step_date(&st.steps),
                "issued_on",
                "上一办案环节",
            )?;
        }
        _ => {
            return Err(ApiError::field(
                "document",
                "告知书和决定书在告知、作出决定时自动生成，无需另行出具",
            ))
        }
    }
    let step_id: Option<i64> = None;
    let id: i64 = tx.query_row(
        "SELECT COALESCE(MAX(id), 0) + 1 FROM document_service",
        [],
        |r| r.get(0),
    )?;
    tx.execute(
        "INSERT INTO document_service (id, case_id, document, document_number, step_id, issued_on, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![id, c.id, enum_text(&doc), number, step_id, date_text(issued), now_text()],
    )?;
    tx.touch("document_service", id);
    touch_case(tx, c.id)?;
    detail(tx, cal, c.id, None)
}

/// 报市医保局备案 (001 art. 24).
pub fn report_city(tx: &mut Tx<'_>, cal: &Ctx, i: &DatedNote) -> Result<CaseDetail> {
    let st = state(tx, cal, i.case_id)?;
    let c = &st.case;
    let d = decision(tx, c.id)?.ok_or_else(|| ApiError::illegal("尚未作出决定，无需报备"))?;
    if c.track != Track::Agreement {
        return Err(ApiError::illegal(
            "报市医保局备案适用于经办机构的协议处理决定（河源办法第二十四条）",
        ));
    }
    if st.steps.iter().any(|s| s.kind == StepKind::ReportedToCity) {
        return Err(ApiError::illegal("本案决定已报备，不能重复登记"));
    }
    let on = date_or_today(i.on);
    not_before(on, d.decided_on, "on", "决定日期")?;
    add_step(
        tx,
        c.id,
        StepKind::ReportedToCity,
        on,
        i.actor_id,
        "",
        i.note.trim(),
        serde_json::json!({}),
    )?;
    detail(tx, cal, c.id, None)
}

/// 结案: the decision served, every document served, no measure on evidence still running,
/// the agency's report to the city made, and every check of the ledger passed.
pub fn close(tx: &mut Tx<'_>, cal: &Ctx, i: &DatedNote) -> Result<CaseDetail> {
    let st = state(tx, cal, i.case_id)?;
    let c = &st.case;
    case_mod::require_open(c)?;
    if c.status != CaseStatus::Executing {
        return Err(ApiError::illegal(format!(
            "案件{}当前{}：须作出决定并送达后才能结案；未作决定的案件请使用“撤销案件”",
            c.case_number,
            c.status.label()
        )));
    }
    let on = date_or_today(i.on);
    not_before(on, last_step_date(&st.steps), "on", "上一办案环节")?;
    let mut blockers = Vec::new();
    for s in services(tx, cal, c.id)? {
        if s.served_on.is_none() {
            blockers.push(format!(
                "{}（{}）尚未送达",
                s.document.label(),
                s.document_number
            ));
        }
    }
    for h in case_mod::holds(tx, cal, c.id)? {
        if h.released_on.is_none() {
            blockers.push(format!("证据保全措施（{}）尚未处理", h.items));
        }
    }
    if c.track == Track::Agreement
        && tx
            .query_row(
                "SELECT level = 'county' FROM office WHERE id = 1",
                [],
                |r| r.get::<_, bool>(0),
            )
            .unwrap_or(true)
        && !st.steps.iter().any(|s| s.kind == StepKind::ReportedToCity)
    {
        blockers.push("协议处理决定尚未报市医保局备案（河源办法第二十四条）".into());
    }
    for check in cal.hooks.closure_checks {
        blockers.extend(check(tx, c.id)?);
    }
    if !blockers.is_empty() {
        return Err(ApiError::illegal(format!(
            "暂不能结案：{}",
            blockers.join("；")
        )));
    }
    add_step(
        tx,
        c.id,
        StepKind::Closed,
        on,
        i.actor_id,
        "",
        i.note.trim(),
        serde_json::json!({}),
    )?;
    tx.execute(
        "UPDATE case_file SET status = 'Closed', closed_on = ?1, updated_at = ?2 WHERE id = ?3",
        params![date_text(on), now_text(), c.id],
    )?;
    detail(tx, cal, c.id, None)
}

/// 撤销案件 (no violation established, or 不予处罚) before a decision, with an approver.
pub fn drop_case(tx: &mut Tx<'_>, cal: &Ctx, i: &DatedNote) -> Result<CaseDetail> {
    let st = state(tx, cal, i.case_id)?;
    let c = &st.case;
    if !matches!(c.status, CaseStatus::Investigating | CaseStatus::Notified) {
        return Err(ApiError::illegal(format!(
            "案件{}{}，不能撤销",
            c.case_number,
            c.status.label()
        )));
    }
    let approver = i
        .actor_id
        .ok_or_else(|| ApiError::field("actor_id", "撤销案件须经审批人批准，请选择审批人"))?;
    users::require_role(tx, approver, Role::Approver, "actor_id")?;
    let note = required_text(&i.note, "note", "撤销理由", 1000)?;
    let on = date_or_today(i.on);
    not_before(on, last_step_date(&st.steps), "on", "上一办案环节")?;
    if let Some(h) = case_mod::holds(tx, cal, c.id)?
        .into_iter()
        .find(|h| h.released_on.is_none())
    {
        return Err(ApiError::illegal(format!(
            "证据保全措施（{}）尚未处理，请先解除或作出处理决定",
            h.items
        )));
    }
    add_step(
        tx,
        c.id,
        StepKind::Dropped,
        on,
        Some(approver),
        "",
        &note,
        serde_json::json!({}),
    )?;
    tx.execute(
        "UPDATE case_file SET status = 'Dropped', closed_on = ?1, updated_at = ?2 WHERE id = ?3",
        params![date_text(on), now_text(), c.id],
    )?;
    detail(tx, cal, c.id, None)
}

// ---------------------------------------------------------------------------------------------
// Windows (for clocks) and the detail

pub(crate) struct Window {
    pub kind: ClockKind,
    pub served_on: NaiveDate,
    pub due: Deadline,
    pub basis: &'static str,
}

/// Running party windows of notified cases (the statement and hearing-request windows).
pub(crate) fn open_windows(conn: &Connection, cal: &WorkCalendar) -> Result<Vec<(i64, Window)>> {
    let mut stmt = conn.prepare("SELECT id FROM case_file WHERE status = 'Notified'")?;
    let ids = stmt
        .query_map([], |r| r.get::<_, i64>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out = Vec::new();
    for id in ids {
        let Some((step_id, n)) = notification(conn, id)? else {
            continue;
        };
        let served: Option<String> = conn
            .query_row(
                "SELECT served_on FROM document_service WHERE id = ?1",
                [n.service_id],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        let Some(served) = opt_date(served)? else {
            continue;
        };
        let steps = steps(conn, id)?;
        if !has_step_after(
            &steps,
            step_id,
            &[StepKind::StatementReceived, StepKind::StatementWaived],
        ) {
            out.push((
                id,
                Window {
                    kind: ClockKind::StatementWindow,
                    served_on: served,
                    due: cal.add_working_days(served, n.statement_days)?,
                    basis: "河源办法第二十二条；行政处罚法第四十五条",
                },
            ));
        }
        if n.hearing_offered
            && !has_step_after(
                &steps,
                step_id,
                &[StepKind::HearingRequested, StepKind::StatementWaived],
            )
        {
            out.push((
                id,
                Window {
                    kind: ClockKind::HearingRequest,
                    served_on: served,
                    due: cal.add_working_days(served, n.hearing_request_days)?,
                    basis: "行政处罚法第六十三条、第六十四条",
                },
            ));
        }
    }
    Ok(out)
}

fn step_title(s: &Step) -> String {
    let outcome = match (s.kind, s.outcome.as_str()) {
        (StepKind::LegalReview, "Passed") => "（通过）",
        (StepKind::LegalReview, "Failed") => "（不通过）",
        (StepKind::CollectiveReview, "Agreed") => "（同意）",
        (StepKind::CollectiveReview, "Rejected") => "（不同意）",
        _ => "",
    };
    format!("{}{}", s.kind.label(), outcome)
}

/// The case with everything a case page shows; `today` judges the clocks (default: local date).
pub fn detail(
    conn: &Connection,
    cal: &Ctx,
    case_id: i64,
    today: Option<NaiveDate>,
) -> Result<CaseDetail> {
    let st = state(conn, cal, case_id)?;
    let c = st.case.clone();
    let services = services(conn, cal, case_id)?;
    let holds = case_mod::holds(conn, cal, case_id)?;
    let lines = case_mod::recovery_lines(conn, case_id)?;
    let findings = case_mod::findings(conn, case_id)?;
    let evidence = case_mod::evidence(conn, case_id)?;
    let decision = decision(conn, case_id)?;
    let clocks = clocks::list(
        conn,
        cal,
        &clocks::ClockQuery {
            today,
            case_id: Some(case_id),
            ..Default::default()
        },
    )?
    .items;

    let mut timeline: Vec<TimelineEntry> = st
        .steps
        .iter()
        .map(|s| TimelineEntry {
            on: s.on,
            title: step_title(s),
            actor: s.actor.clone(),
            note: s.note.clone(),
            step_id: Some(s.id),
            service_id: None,
        })
        .collect();
    for s in &services {
        if let Some(on) = s.served_on {
            timeline.push(TimelineEntry {
                on,
                title: format!("送达{}", s.document.label()),
                actor: s.recipient.clone(),
                note: format!(
                    "{}{}",
                    s.document_number,
                    if s.receipt.is_empty() {
                        String::new()
                    } else {
                        format!("，凭证{}", s.receipt)
                    }
                ),
                step_id: None,
                service_id: Some(s.id),
            });
        }
    }
    timeline.sort_by_key(|t| {
        (
            t.on,
            t.step_id.unwrap_or(i64::MAX),
            t.service_id.unwrap_or(0),
        )
    });

    let req = st.requirements.clone();
    let mut next = Vec::new();
    for clock in clocks
        .iter()
        .filter(|k| k.state == super::ClockState::Overdue)
    {
        next.push(format!(
            "已逾期：{}（应于{}前）",
            clock.label,
            cn_date(clock.due_on)
        ));
    }
    match c.status {
        CaseStatus::Investigating => {
            if findings.is_empty() {
                next.push("登记违规事实（事实、期间、违反的规定、金额）".into());
            }
            if evidence.is_empty() {
                next.push("登记证据（河源办法第三十七条所列八类）".into());
            }
            if lines.is_empty() {
                next.push("按险种、当年/历年、费用类别录入应追回金额（天津办法第八条）".into());
            }
            for h in holds.iter().filter(|h| h.released_on.is_none()) {
                next.push(format!(
                    "证据保全措施（{}）应于{}前处理",
                    h.items,
                    cn_date(h.due_on)
                ));
            }
            next.push(format!(
                "制作并送达告知书，告知拟处理内容及陈述申辩权利（河源办法第二十二条）；办案期限至{}",
                cn_date(c.decision_due)
            ));
        }
        CaseStatus::Notified => {
            if !req.notice_served {
                if let Some(s) = services.iter().find(|s| s.served_on.is_none()) {
                    next.push(format!(
                        "送达{}并登记送达回证（应于{}前）",
                        s.document.label(),
                        cn_date(s.due_on)
                    ));
                }
            } else if !req.statement_done {
                next.push(format!(
                    "等待陈述申辩：期限至{}，期满前不得作出决定",
                    cn_date(req.statement_due.expect("served"))
                ));
            }
            if req.hearing_requested && !req.hearing_held {
                next.push("组织听证（主持人不得为本案调查人员）".into());
            }
            if req.legal_review_required && !req.legal_review_passed {
                next.push("提交法制审核（审核人员不得为本案承办人或调查人员）".into());
            }
            if req.collective_review_required && !req.collective_review_done {
                next.push(format!("提请集体讨论：{}", req.collective_review_reason));
            }
            next.push(format!("作出处理决定（应于{}前）", cn_date(c.decision_due)));
        }
        CaseStatus::Decided => {
            for s in services.iter().filter(|s| s.served_on.is_none()) {
                next.push(format!(
                    "送达{}并登记送达回证（应于{}前）",
                    s.document.label(),
                    cn_date(s.due_on)
                ));
            }
        }
        CaseStatus::Executing => {
            if let Some(d) = &decision {
                if let Some(due) = d.payment_due {
                    next.push(format!(
                        "督促当事人于{}前退回{}元，以财政票据为追回的最终凭据（天津办法第九条、第十一条）",
                        cn_date(due),
                        (d.recovery_total + d.liquidated_damages).grouped()
                    ));
                }
                if let Some(f) = d.fine {
                    next.push(format!(
                        "督促缴纳罚款{}元（上缴国库，不进入医保基金）",
                        f.grouped()
                    ));
                }
            }
            if c.track == Track::Agreement
                && !st.steps.iter().any(|s| s.kind == StepKind::ReportedToCity)
            {
                next.push("协议处理决定报市医保局备案（3个工作日内，河源办法第二十四条）".into());
            }
            next.push("执行完毕后结案归档".into());
        }
        CaseStatus::Closed | CaseStatus::Dropped => {}
    }

    Ok(CaseDetail {
        findings,
        evidence,
        holds,
        recovery_lines: lines,
        notification: st.notice.map(|(_, n)| n),
        decision,
        measures: measures::list(conn, case_id)?,
        services,
        steps: st.steps,
        timeline,
        requirements: req,
        clocks,
        next_steps: next,
        case: c,
    })
}
