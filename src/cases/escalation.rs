//! Matters a county sends up to the city (issue 11, "Matters the county must send up") and the
//! city's answers.
//!
//! Seed 002 二(三)三: a county's handling opinion that involves 暂停协议, 解除协议 or 行政处罚 goes to
//! the city's 重大案件集体审议; 约谈整改, 通报批评, 暂停拨付, 拒付违规费用 are sent for the record
//! (备案). Seed 001 art. 21 ¶2: a termination is reported to the city, discussed, legally reviewed
//! and agreed by the city bureau's collective discussion before it is carried out. Recoup models a
//! request (审批 or 备案) on a case and the city's answer (批准, 变更, 不予批准, with its document
//! number). The answer arrives with the city's signed acknowledgement (`exchange`) or is typed by
//! hand from the city's paper; both are audited.
//!
//! The rule (ARCHITECTURE.md "Matters sent up to the city"): at an office of county level that is
//! paired with a city, or that has sent a request about the case, a decision that imposes a matter
//! needing approval is refused until an approving or changing answer covers that matter; a refusal
//! blocks it with the city's reason. 备案 matters need no answer and block nothing.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::cases::{self as case_mod, CaseStatus};
use super::measures::{MeasureInput, MeasureKind};
use super::procedure::DecisionKind;
use super::rules::{Rule, RuleSet};
use super::{bounded_text, cn_date, date_text, parse_stored_date, required_text, users};
use crate::calendar::WorkCalendar;
use crate::error::{ApiError, Result};
use crate::money::Money;
use crate::office::OfficeLevel;
use crate::store::{now_text, office_code, Tx};
use crate::vocab::text::{enum_from, enum_text};
use crate::vocab::Labeled as _;

/// Chinese labels of the request fields.
pub const FIELD_LABELS: &[(&str, &str)] = &[
    ("matters", "报市局事项"),
    ("asked", "请示（报备）内容"),
    ("asked_on", "报送日期"),
    ("request_id", "报市局请示"),
    ("request_uid", "请示编号"),
    ("outcome", "市局答复"),
    ("answered_on", "答复日期"),
    ("origin", "报送单位"),
    ("all", "显示全部"),
];

/// 报市局事项: what a county's handling opinion involves, as seed 002 二(三)三 lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
pub enum EscalationMatter {
    /// 暂停（中止）服务协议: 重大案件集体审议.
    #[serde(alias = "中止协议", alias = "暂停协议")]
    AgreementSuspension,
    /// 解除服务协议: 重大案件集体审议 (seed 001 art. 21 ¶2).
    #[serde(alias = "解除协议")]
    AgreementTermination,
    /// 行政处罚: 重大案件集体审议.
    #[serde(alias = "行政处罚")]
    AdministrativePenalty,
    /// 约谈整改: 备案.
    #[serde(alias = "约谈整改", alias = "约谈")]
    Interview,
    /// 通报批评: 备案.
    #[serde(alias = "通报批评")]
    PublicCriticism,
    /// 暂停拨付: 备案.
    #[serde(alias = "暂停拨付")]
    SettlementSuspension,
    /// 拒付违规费用: 备案.
    #[serde(alias = "拒付违规费用", alias = "拒付")]
    PaymentRefusal,
}

crate::labels!(EscalationMatter {
    AgreementSuspension => "暂停（中止）服务协议",
    AgreementTermination => "解除服务协议",
    AdministrativePenalty => "行政处罚",
    Interview => "约谈整改",
    PublicCriticism => "通报批评",
    SettlementSuspension => "暂停拨付",
    PaymentRefusal => "拒付违规费用",
});

impl EscalationMatter {
    /// Whether the city must approve it (重大案件集体审议) before the county decides.
    pub fn needs_approval(self) -> bool {
        matches!(
            self,
            Self::AgreementSuspension | Self::AgreementTermination | Self::AdministrativePenalty
        )
    }
}

/// 审批 (the decision waits for the answer) or 备案 (for the record).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub enum EscalationKind {
    Approval,
    Record,
}

crate::labels!(EscalationKind { Approval => "报请审批", Record => "报送备案" });

/// The city's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub enum AnswerOutcome {
    #[serde(alias = "批准", alias = "同意")]
    Approved,
    #[serde(alias = "变更")]
    Changed,
    #[serde(alias = "不予批准", alias = "不同意")]
    Refused,
}

crate::labels!(AnswerOutcome { Approved => "批准", Changed => "变更", Refused => "不予批准" });

/// How an answer reached the county.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub enum AnswerSource {
    /// With the city's signed acknowledgement (file or network).
    Exchange,
    /// Typed by hand from the city's paper.
    Paper,
}

crate::labels!(AnswerSource { Exchange => "市局回执（电子）", Paper => "市局纸质文件（手工登记）" });

/// `escalation.create`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct EscalationInput {
    pub case_id: i64,
    pub matters: Vec<EscalationMatter>,
    /// What is asked (the handling opinion).
    pub asked: String,
    #[ts(optional = nullable)]
    pub asked_on: Option<NaiveDate>,
}

/// An answer as the county holds it, or as the city writes it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct AnswerInput {
    /// At the county (hand entry): the request.
    pub request_id: i64,
    /// At the city: the county's request.
    pub request_uid: String,
    #[ts(optional = nullable)]
    pub outcome: Option<AnswerOutcome>,
    pub document_number: String,
    #[ts(optional = nullable)]
    pub answered_on: Option<NaiveDate>,
    pub note: String,
    /// 变更: the matters the city approves instead (empty otherwise: 批准 approves what was asked).
    pub matters: Vec<EscalationMatter>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CityAnswer {
    pub id: i64,
    pub outcome: AnswerOutcome,
    pub document_number: String,
    pub answered_on: NaiveDate,
    pub note: String,
    /// The matters approved (as changed); empty for a refusal.
    pub matters: Vec<EscalationMatter>,
    pub source: AnswerSource,
    /// Who typed it from paper ("" when it came with the acknowledgement).
    pub entered_by: String,
    pub recorded_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CityRequest {
    pub id: i64,
    pub uid: String,
    pub case_id: i64,
    pub kind: EscalationKind,
    pub matters: Vec<EscalationMatter>,
    pub asked: String,
    pub asked_on: NaiveDate,
    pub asked_by: String,
    /// The answers, oldest first; the last one governs.
    pub answers: Vec<CityAnswer>,
    /// 待答复 / 已批准 / 已变更 / 不予批准 / 已备案.
    pub status: String,
}

/// `escalation.list`: a case's requests and what its decision still needs from the city.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CaseEscalation {
    pub case_id: i64,
    /// Whether the rule applies here (a county office paired with a city, or one that asked).
    pub applies: bool,
    /// Whether the paired city can answer electronically (else: on paper).
    pub paired: bool,
    pub requests: Vec<CityRequest>,
    /// The matters the city approved (as changed) so far.
    pub approved: Vec<EscalationMatter>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct CaseRef {
    pub case_id: i64,
}

fn matters_text(m: &[EscalationMatter]) -> String {
    serde_json::to_string(m).expect("enum list")
}

pub fn matters_from(s: &str) -> Vec<EscalationMatter> {
    serde_json::from_str(s).unwrap_or_default()
}

/// "解除服务协议、行政处罚".
pub fn matters_label(m: &[EscalationMatter]) -> String {
    m.iter().map(|x| x.label()).collect::<Vec<_>>().join("、")
}

fn office_level(c: &Connection) -> Result<Option<OfficeLevel>> {
    Ok(crate::office::get(c)?.map(|o| o.level))
}

/// Whether this office is paired with a city (exchange).
pub fn paired(c: &Connection) -> Result<bool> {
    Ok(c.query_row(
        "SELECT 1 FROM exchange_peer WHERE role = 'city' AND revoked_at IS NULL",
        [],
        |_| Ok(()),
    )
    .optional()?
    .is_some())
}

fn answer_row(c: &Connection, r: &rusqlite::Row<'_>) -> rusqlite::Result<CityAnswer> {
    let entered: Option<i64> = r.get(8)?;
    Ok(CityAnswer {
        id: r.get(0)?,
        outcome: enum_from(r.get(1)?),
        document_number: r.get(2)?,
        answered_on: parse_stored_date(&r.get::<_, String>(3)?)?,
        note: r.get(4)?,
        matters: matters_from(&r.get::<_, String>(5)?),
        source: enum_from(r.get(6)?),
        recorded_at: r.get(7)?,
        entered_by: users::name_of(c, entered).unwrap_or_default(),
    })
}

fn answers(c: &Connection, request_id: i64) -> Result<Vec<CityAnswer>> {
    let mut stmt = c.prepare_cached(
        "SELECT id, outcome, document_number, answered_on, note, matters, source, recorded_at, entered_by
         FROM city_answer WHERE request_id = ?1 ORDER BY id",
    )?;
    let rows = stmt
        .query_map([request_id], |r| answer_row(c, r))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

fn status_of(kind: EscalationKind, last: Option<&CityAnswer>) -> String {
    match (kind, last) {
        (EscalationKind::Record, _) => "已报备案".into(),
        (EscalationKind::Approval, None) => "待市局答复".into(),
        (EscalationKind::Approval, Some(a)) => match a.outcome {
            AnswerOutcome::Approved => "市局已批准".into(),
            AnswerOutcome::Changed => "市局已变更".into(),
            AnswerOutcome::Refused => "市局不予批准".into(),
        },
    }
}

fn request_rows(c: &Connection, case_id: i64) -> Result<Vec<CityRequest>> {
    let mut stmt = c.prepare_cached(
        "SELECT id, uid, case_id, kind, matters, asked, asked_on, asked_by FROM city_request WHERE case_id = ?1 ORDER BY id",
    )?;
    let raw = stmt
        .query_map([case_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, i64>(7)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out = Vec::with_capacity(raw.len());
    for (id, uid, case_id, kind, matters, asked, asked_on, by) in raw {
        let kind: EscalationKind = enum_from(kind);
        let answers = answers(c, id)?;
        out.push(CityRequest {
            id,
            uid,
            case_id,
            kind,
            matters: matters_from(&matters),
            asked,
            asked_on: parse_stored_date(&asked_on)?,
            asked_by: users::name_of(c, Some(by))?,
            status: status_of(kind, answers.last()),
            answers,
        });
    }
    Ok(out)
}

/// Whether the rule applies to this case at this office: county level, and paired with a city
/// or the case already has a request (an office that escalates on paper follows its answers).
fn applies(c: &Connection, case_id: i64) -> Result<bool> {
    if office_level(c)? != Some(OfficeLevel::County) {
        return Ok(false);
    }
    if paired(c)? {
        return Ok(true);
    }
    Ok(c.query_row(
        "SELECT 1 FROM city_request WHERE case_id = ?1 LIMIT 1",
        [case_id],
        |_| Ok(()),
    )
    .optional()?
    .is_some())
}

fn approved_of(requests: &[CityRequest]) -> BTreeSet<EscalationMatter> {
    requests
        .iter()
        .filter(|r| r.kind == EscalationKind::Approval)
        .filter_map(|r| r.answers.last())
        .filter(|a| a.outcome != AnswerOutcome::Refused)
        .flat_map(|a| a.matters.iter().copied())
        .collect()
}

/// `escalation.list`.
pub fn list(c: &Connection, cal: &WorkCalendar, r: &CaseRef) -> Result<CaseEscalation> {
    case_mod::get(c, cal, r.case_id)?;
    let requests = request_rows(c, r.case_id)?;
    Ok(CaseEscalation {
        case_id: r.case_id,
        applies: applies(c, r.case_id)?,
        paired: paired(c)?,
        approved: approved_of(&requests).into_iter().collect(),
        requests,
    })
}

/// `escalation.create`: a county sends a matter of a case up (审批 when any matter needs the
/// city's approval, else 备案). Audited; travels up in the next bundle.
pub fn create(
    tx: &mut Tx<'_>,
    cal: &WorkCalendar,
    by: i64,
    i: &EscalationInput,
) -> Result<CaseEscalation> {
    if office_level(tx)? != Some(OfficeLevel::County) {
        return Err(ApiError::illegal(
            "报市局审批或备案由县级单位提出，本单位不是县级单位",
        ));
    }
    let c = case_mod::get(tx, cal, i.case_id)?;
    case_mod::require_open(&c)?;
    let rules = super::rules::for_case(tx, c.id)?;
    let mut matters: Vec<EscalationMatter> = i.matters.clone();
    matters.sort();
    matters.dedup();
    if matters.is_empty() {
        return Err(ApiError::field("matters", "请选择报市局的事项"));
    }
    let kind = if matters.iter().any(|m| m.needs_approval()) {
        EscalationKind::Approval
    } else {
        EscalationKind::Record
    };
    if kind == EscalationKind::Approval
        && !matches!(c.status, CaseStatus::Investigating | CaseStatus::Notified)
    {
        return Err(ApiError::illegal(format!(
            "案件{}已作出决定：{}须在作出决定前报市局审批{}",
            c.case_number,
            matters_label(&matters),
            rules.cite(Rule::CityApproval)
        )));
    }
    let asked = required_text(&i.asked, "asked", "请示（报备）内容", 2000)?;
    let on = i
        .asked_on
        .ok_or_else(|| ApiError::field("asked_on", "请填写报送日期"))?;
    crate::vocab::dates::not_before(on, c.filed_on, "asked_on", "报送日期", "立案日期")?;
    let party_code: String = match c.party_kind {
        crate::vocab::PartyKind::Institution => tx.query_row(
            "SELECT code FROM institution WHERE id = ?1",
            [c.institution_id],
            |r| r.get(0),
        )?,
        crate::vocab::PartyKind::Insured => tx.query_row(
            "SELECT id_number FROM insured WHERE id = ?1",
            [c.insured_id],
            |r| r.get(0),
        )?,
    };
    let id: i64 = tx.query_row(
        "SELECT COALESCE(MAX(id), 0) + 1 FROM city_request",
        [],
        |r| r.get(0),
    )?;
    let uid = format!("{}-Q{id}", office_code(tx)?);
    tx.execute(
        "INSERT INTO city_request (id, uid, case_id, kind, matters, asked, asked_on, asked_by, case_number, party, party_code, amount_fen, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        params![
            id,
            uid,
            c.id,
            enum_text(&kind),
            matters_text(&matters),
            asked,
            date_text(on),
            by,
            c.case_number,
            c.party,
            party_code,
            c.recovery_total + c.liquidated_damages,
            now_text()
        ],
    )?;
    tx.touch("city_request", id);
    list(tx, cal, &CaseRef { case_id: c.id })
}

fn outcome_checks(
    outcome: Option<AnswerOutcome>,
    asked: &[EscalationMatter],
    i: &AnswerInput,
) -> Result<(AnswerOutcome, Vec<EscalationMatter>, String)> {
    let outcome = outcome
        .ok_or_else(|| ApiError::field("outcome", "请选择市局的答复：批准、变更或不予批准"))?;
    let note = bounded_text(&i.note, "note", "答复意见", 1000)?;
    let matters = match outcome {
        AnswerOutcome::Approved => asked.to_vec(),
        AnswerOutcome::Changed => {
            if note.is_empty() {
                return Err(ApiError::field(
                    "note",
                    "市局变更处理意见的，请填写变更内容",
                ));
            }
            let mut m = i.matters.clone();
            m.sort();
            m.dedup();
            m
        }
        AnswerOutcome::Refused => {
            if note.is_empty() {
                return Err(ApiError::field("note", "请填写市局不予批准的理由"));
            }
            Vec::new()
        }
    };
    Ok((outcome, matters, note))
}

/// Check an answer's fields (shared by the county's hand entry and the city's answer); returns
/// (outcome, matters approved, number, date, note).
pub fn check_answer(
    asked: &[EscalationMatter],
    asked_on: NaiveDate,
    i: &AnswerInput,
) -> Result<(
    AnswerOutcome,
    Vec<EscalationMatter>,
    String,
    NaiveDate,
    String,
)> {
    let (outcome, matters, note) = outcome_checks(i.outcome, asked, i)?;
    let number = required_text(&i.document_number, "document_number", "市局文号", 60)?;
    let on = i
        .answered_on
        .ok_or_else(|| ApiError::field("answered_on", "请填写市局答复日期"))?;
    crate::vocab::dates::not_before(on, asked_on, "answered_on", "答复日期", "报送日期")?;
    Ok((outcome, matters, number, on, note))
}

/// The request's approval matters and date, by id.
fn request_head(
    c: &Connection,
    id: i64,
) -> Result<(i64, EscalationKind, Vec<EscalationMatter>, NaiveDate)> {
    let (case_id, kind, matters, on): (i64, String, String, String) = c
        .query_row(
            "SELECT case_id, kind, matters, asked_on FROM city_request WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?
        .ok_or_else(|| ApiError::field("request_id", "该报市局请示不存在"))?;
    Ok((
        case_id,
        enum_from(kind),
        matters_from(&matters),
        parse_stored_date(&on)?,
    ))
}

/// `escalation.record_answer`: the city's answer typed by hand from its paper (offline), with its
/// document number. Audited, with who entered it.
pub fn record_answer(
    tx: &mut Tx<'_>,
    cal: &WorkCalendar,
    by: i64,
    i: &AnswerInput,
) -> Result<CaseEscalation> {
    let (case_id, kind, asked, asked_on) = request_head(tx, i.request_id)?;
    if kind == EscalationKind::Record {
        return Err(ApiError::illegal("报送备案的事项无需市局答复"));
    }
    let approval: Vec<EscalationMatter> = asked
        .iter()
        .copied()
        .filter(|m| m.needs_approval())
        .collect();
    let (outcome, matters, number, on, note) = check_answer(&approval, asked_on, i)?;
    insert_answer(
        tx,
        i.request_id,
        outcome,
        &number,
        on,
        &note,
        &matters,
        AnswerSource::Paper,
        None,
        Some(by),
    )?;
    list(tx, cal, &CaseRef { case_id })
}

#[allow(clippy::too_many_arguments)]
fn insert_answer(
    tx: &mut Tx<'_>,
    request_id: i64,
    outcome: AnswerOutcome,
    number: &str,
    on: NaiveDate,
    note: &str,
    matters: &[EscalationMatter],
    source: AnswerSource,
    origin_uid: Option<&str>,
    entered_by: Option<i64>,
) -> Result<i64> {
    tx.execute(
        "INSERT INTO city_answer (request_id, outcome, document_number, answered_on, note, matters, source, origin_uid, entered_by, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            request_id,
            enum_text(&outcome),
            number,
            date_text(on),
            note,
            matters_text(matters),
            enum_text(&source),
            origin_uid,
            entered_by,
            now_text()
        ],
    )?;
    let id = tx.last_insert_rowid();
    tx.touch("city_answer", id);
    Ok(id)
}

/// An answer as it travels down in the city's signed acknowledgement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerWire {
    /// The answer's uid at the city (applied once).
    pub uid: String,
    /// The county's request it answers.
    pub request_uid: String,
    pub outcome: AnswerOutcome,
    pub document_number: String,
    pub answered_on: NaiveDate,
    pub note: String,
    pub matters: Vec<EscalationMatter>,
}

/// Apply the city's answers that came with its acknowledgement: each once (by its uid at the city);
/// an answer to a request this office does not hold is refused (the file is not for it). Returns
/// how many were new.
pub fn apply_answers(tx: &mut Tx<'_>, answers: &[AnswerWire]) -> Result<i64> {
    let mut n = 0;
    for a in answers {
        let held: Option<i64> = tx
            .query_row(
                "SELECT id FROM city_answer WHERE origin_uid = ?1",
                [&a.uid],
                |r| r.get(0),
            )
            .optional()?;
        if held.is_some() {
            continue;
        }
        let request: Option<i64> = tx
            .query_row(
                "SELECT id FROM city_request WHERE uid = ?1",
                [&a.request_uid],
                |r| r.get(0),
            )
            .optional()?;
        let Some(request_id) = request else {
            return Err(ApiError::validation(format!(
                "确认回执中市局的答复针对请示{}，本单位没有该请示；本次未作任何改动",
                a.request_uid
            )));
        };
        insert_answer(
            tx,
            request_id,
            a.outcome,
            &a.document_number,
            a.answered_on,
            &a.note,
            &a.matters,
            AnswerSource::Exchange,
            Some(&a.uid),
            None,
        )?;
        n += 1;
    }
    Ok(n)
}

/// What a decision imposes that needs the city's approval (seed 002 二(三)三).
pub fn matters_of_decision(kind: DecisionKind, measures: &[MeasureInput]) -> Vec<EscalationMatter> {
    let mut out = BTreeSet::new();
    if kind == DecisionKind::PenaltyDecision {
        out.insert(EscalationMatter::AdministrativePenalty);
    }
    for m in measures {
        match m.kind {
            Some(MeasureKind::AgreementSuspension) => {
                out.insert(EscalationMatter::AgreementSuspension);
            }
            Some(MeasureKind::AgreementTermination) => {
                out.insert(EscalationMatter::AgreementTermination);
            }
            _ => {}
        }
    }
    out.into_iter().collect()
}

/// The decision's guard: every matter needing approval is covered by an approving or changing
/// answer of the city; a refusal blocks it with the city's reason.
pub fn approval_given(
    c: &Connection,
    case_id: i64,
    kind: DecisionKind,
    measures: &[MeasureInput],
    rules: &RuleSet,
) -> Result<()> {
    let needed = matters_of_decision(kind, measures);
    if needed.is_empty() || !applies(c, case_id)? {
        return Ok(());
    }
    let requests = request_rows(c, case_id)?;
    let approved = approved_of(&requests);
    let missing: Vec<EscalationMatter> = needed
        .iter()
        .copied()
        .filter(|m| !approved.contains(m))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let cite = rules.cite(Rule::CityApproval);
    let what = matters_label(&missing);
    // The newest approval request that asked for a missing matter says why.
    let asked = requests.iter().rev().find(|r| {
        r.kind == EscalationKind::Approval && r.matters.iter().any(|m| missing.contains(m))
    });
    Err(ApiError::illegal(match asked {
        None => format!(
            "本案决定中的{what}须报市级医保部门重大案件集体审议，经市局同意后才能作出决定{cite}：请先在“报市局”中提出请示，并登记市局的答复"
        ),
        Some(r) => match r.answers.last() {
            None => format!(
                "本案已于{}报市局审批{what}，尚未收到市局的答复（批准或变更），不能作出决定{cite}；收到答复后导入市局回执，或按市局纸质文件登记答复",
                cn_date(r.asked_on)
            ),
            Some(a) if a.outcome == AnswerOutcome::Refused => format!(
                "市局已于{}以{}对本案的{what}不予批准（{}），不能作出含{what}的决定{cite}",
                cn_date(a.answered_on),
                a.document_number,
                a.note
            ),
            Some(a) => format!(
                "市局于{}以{}变更了处理意见（{}），同意的事项不含{what}，不能作出含{what}的决定{cite}",
                cn_date(a.answered_on),
                a.document_number,
                a.note
            ),
        },
    }))
}

/// The case page's next step while the notice's measures still need the city's approval: the
/// decision's own refusal, as guidance (None when nothing is missing).
pub fn next_step(
    c: &Connection,
    case_id: i64,
    proposed: &[MeasureInput],
    rules: &RuleSet,
) -> Result<Option<String>> {
    match approval_given(c, case_id, DecisionKind::AgreementDecision, proposed, rules) {
        Ok(()) => Ok(None),
        Err(e) if e.code == crate::error::ErrorCode::IllegalStep => Ok(Some(e.message)),
        Err(e) => Err(e),
    }
}

/// The insured persons who are parties to cases sent up to the city: their 身份证号/phone are not
/// masked in what goes up (issue 11: "except in matters escalated to or assigned by the city").
pub fn escalated_insured(c: &Connection) -> Result<std::collections::HashSet<i64>> {
    let mut stmt = c.prepare(
        "SELECT DISTINCT f.insured_id FROM city_request q JOIN case_file f ON f.id = q.case_id WHERE f.insured_id IS NOT NULL",
    )?;
    let ids = stmt
        .query_map([], |r| r.get::<_, i64>(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ids)
}

/// The amount in a request (for the city's list).
pub fn money(fen: i64) -> Money {
    Money::from_fen(fen)
}
