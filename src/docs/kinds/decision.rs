//! 行政处理决定书 / 行政处罚决定书 (000 附件4; 行政处罚法 art. 59) and 协议处理决定书 (issue 9; 001
//! art. 18–25; 令第2号/第3号): one data struct and one builder for the three; the 处罚 one carries
//! the fine, the agreement one cites the agreement and offers the agreement's remedies. Printed from
//! the case's decision of that kind.

use crate::cases::{Rule, RuleSet};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::super::documents::{Agency, Built, FineData, Party, RecoveryLine};
use super::super::layout::Block;
use super::super::sources::{measure_label, CaseFacts, Source};
use super::super::templates::{expand, DocumentKind, Templates};
use super::common::*;
use super::Kind;
use crate::cases::measures::Measure;
use crate::cases::procedure::{CaseDetail, Decision, DecisionKind, StepKind};
use crate::cases::Track;
use crate::error::{ApiError, Result};
use crate::money::Money;
use crate::vocab::dates::cn_date;

/// 行政处理决定书 / 行政处罚决定书 (000 附件4; 行政处罚法 art. 59).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionData {
    pub issuer: String,
    pub document_number: String,
    /// art. 59 (一): name and address of the party.
    pub party: Party,
    pub inspection_date: NaiveDate,
    pub inspection_name: String,
    /// art. 59 (二): facts …
    pub facts: Vec<String>,
    /// … and evidence.
    pub evidence: Vec<String>,
    /// 陈述申辩 / 听证 outcome; empty = the party did not reply in time.
    #[serde(default)]
    pub statement_summary: String,
    pub violated_provisions: String,
    /// art. 59 (三): kind of measure and its basis.
    pub legal_basis: String,
    pub lines: Vec<RecoveryLine>,
    /// Only on a 行政处罚决定书.
    #[serde(default)]
    pub fine: Option<FineData>,
    /// Other measures (暂停医保医师服务资格 …), one per item.
    #[serde(default)]
    pub other_measures: Vec<String>,
    /// art. 59 (四): how and by when. None only on an agreement decision that asks for no money
    /// (measures alone, e.g. 约谈 or 暂停协议; issue 9).
    #[serde(default)]
    pub deadline: Option<NaiveDate>,
    /// Where the fine is paid (非税收入缴款, 000 art. 4).
    #[serde(default = "default_fine_payment")]
    pub fine_payment: String,
    pub agency: Agency,
    /// art. 59 (五): 复议 to the county people's government (行政复议法 2023), lawsuit to the court.
    pub government: String,
    pub court: String,
    /// art. 59 (六): the deciding authority and date = issuer and issue_date.
    pub issue_date: NaiveDate,
    /// 协议处理决定书 only: the basis of the agreement measures (the case's rule set: 令第2号/第3号
    /// and the service agreement).
    #[serde(default)]
    pub agreement_basis: String,
}

fn default_fine_payment() -> String {
    "持本决定书通过非税收入缴款渠道缴纳".to_string()
}

/// The fields of both decisions' templates.
const DECISION_FIELDS: &[(&str, &str)] = &[
    ("party_name", "当事人名称"),
    ("party_you", "对当事人的称呼（你单位/你）"),
    ("issuer", "作出决定的机关"),
    ("inspection_date", "检查日期"),
    ("inspection_name", "检查名称"),
    ("violated_provisions", "违反的规定"),
    ("legal_basis", "处理处罚依据"),
    ("deadline", "退款期限"),
    ("fine_days", "罚款缴纳期限（日）"),
    ("fine_payment", "罚款缴纳方式"),
    ("government", "行政复议机关（县级人民政府）"),
    ("court", "人民法院"),
    ("agency_name", "医保经办机构"),
];

/// The fields of the agreement decision's template.
const AGREEMENT_FIELDS: &[(&str, &str)] = &[
    ("party_name", "当事人名称"),
    ("party_you", "对当事人的称呼（你单位/你）"),
    ("issuer", "作出决定的单位"),
    ("inspection_date", "检查日期"),
    ("inspection_name", "检查名称"),
    ("violated_provisions", "违反的协议约定或规定"),
    ("agreement_basis", "协议处理依据"),
    ("deadline", "退款期限"),
    (
        "objection_heading",
        "异议途径的标题（有退款期限时为第五项）",
    ),
    ("government", "行政复议机关（县级人民政府）"),
    ("court", "人民法院"),
    ("agency_name", "医保经办机构"),
];

/// 协议处理决定书 (违约处理决定书): the agency's decision on a breach of the service agreement —
/// facts, measures, amount and 违约金, deadline and how to pay, and how to object under the
/// agreement (协商, 协调, 行政复议, 行政诉讼; 001 art. 25). No 行政处罚法 wording.
pub struct AgreementDecision;

impl Kind for AgreementDecision {
    const KIND: DocumentKind = DocumentKind::AgreementDecision;
    const TITLE: &'static str = "协议处理决定书";
    const PREFIX_TAG: &'static str = "协决";
    const FIELDS: &'static [(&'static str, &'static str)] = AGREEMENT_FIELDS;
    const TEMPLATE: &'static str = "\
一、违约事实和证据
{inspection_date}，{issuer}在{inspection_name}中，对{party_you}履行医疗保障服务协议的情况进行了核查。经查，{party_you}存在以下违反服务协议约定的行为：
#facts
上述事实有以下证据证明：
#evidence
二、陈述申辩情况
#statement
三、处理依据和内容
{party_you}的上述行为违反了{violated_provisions}。依据{agreement_basis}，我单位决定作出如下协议处理：
#measures
?deadline|四、履行方式和期限
?deadline|{party_you}应于{deadline}前，按照{agency_name}出具的《医疗保障基金追回通知单》将上述款项（含违约金）退回至医保经办机构基金支出户。逾期不退回的，我单位将依照服务协议约定和有关规定作进一步处理。
{objection_heading}
{party_you}对本处理决定有异议的，可以与我单位协商解决，或者请求医疗保障行政部门协调处理，也可以依法向{government}申请行政复议，或者向{court}提起行政诉讼。";
    type Data = DecisionData;

    fn build(d: &DecisionData, t: &Templates) -> Result<Built, ApiError> {
        build_decision(d, Self::KIND, t)
    }

    fn from_case(src: &Source<'_>, c: CaseFacts) -> Result<DecisionData> {
        decision_data(src, c, Self::KIND)
    }
}

pub struct HandlingDecision;

impl Kind for HandlingDecision {
    const KIND: DocumentKind = DocumentKind::HandlingDecision;
    const TITLE: &'static str = "行政处理决定书";
    const PREFIX_TAG: &'static str = "处决";
    const FIELDS: &'static [(&'static str, &'static str)] = DECISION_FIELDS;
    // 000 附件4 with 行政处罚法 art. 59 (一)–(六); appeal to the county people's government
    // (行政复议法 2023 art. 24), lawsuit within 6 months (行政诉讼法 art. 46).
    const TEMPLATE: &'static str = "\
一、违法事实和证据
{inspection_date}，{issuer}在{inspection_name}中，对{party_you}使用医疗保障基金的情况进行了检查。经查，{party_you}存在以下违法违规行为：
#facts
上述事实有以下证据证明：
#evidence
二、陈述申辩情况
#statement
三、处理依据和内容
{party_you}的上述行为违反了{violated_provisions}的规定。依据{legal_basis}的规定，我局决定作出如下处理：
#measures
四、履行方式和期限
{party_you}应于{deadline}前，按照{agency_name}出具的《医疗保障基金追回通知单》将上述款项退回至医保经办机构基金支出户。逾期不退回的，我局将依法申请人民法院强制执行。
五、救济途径和期限
{party_you}如不服本决定，可以在收到本决定书之日起六十日内向{government}申请行政复议，或者在六个月内直接向{court}提起行政诉讼。行政复议和行政诉讼期间，本决定不停止执行。";
    type Data = DecisionData;

    fn build(d: &DecisionData, t: &Templates) -> Result<Built, ApiError> {
        build_decision(d, Self::KIND, t)
    }

    fn from_case(src: &Source<'_>, c: CaseFacts) -> Result<DecisionData> {
        decision_data(src, c, Self::KIND)
    }
}

pub struct PenaltyDecision;

impl Kind for PenaltyDecision {
    const KIND: DocumentKind = DocumentKind::PenaltyDecision;
    const TITLE: &'static str = "行政处罚决定书";
    const PREFIX_TAG: &'static str = "罚决";
    const FIELDS: &'static [(&'static str, &'static str)] = DECISION_FIELDS;
    const TEMPLATE: &'static str = "\
一、违法事实和证据
{inspection_date}，{issuer}在{inspection_name}中，对{party_you}使用医疗保障基金的情况进行了检查。经查，{party_you}存在以下违法违规行为：
#facts
上述事实有以下证据证明：
#evidence
二、陈述申辩情况
#statement
三、处罚依据和内容
{party_you}的上述行为违反了{violated_provisions}的规定。依据{legal_basis}的规定，我局决定给予如下行政处理和行政处罚：
#measures
四、履行方式和期限
应退回的医疗保障基金，请于{deadline}前按照{agency_name}出具的《医疗保障基金追回通知单》退回至医保经办机构基金支出户。罚款请于收到本决定书之日起{fine_days}日内{fine_payment}。到期不缴纳罚款的，每日按罚款数额的百分之三加处罚款，加处罚款的数额不超出罚款的数额。
五、救济途径和期限
{party_you}如不服本处罚决定，可以在收到本决定书之日起六十日内向{government}申请行政复议，或者在六个月内直接向{court}提起行政诉讼。行政复议和行政诉讼期间，本决定不停止执行。逾期不申请行政复议、不提起行政诉讼又不履行本决定的，我局将依法申请人民法院强制执行。";
    type Data = DecisionData;

    fn build(d: &DecisionData, t: &Templates) -> Result<Built, ApiError> {
        build_decision(d, Self::KIND, t)
    }

    fn from_case(src: &Source<'_>, c: CaseFacts) -> Result<DecisionData> {
        decision_data(src, c, Self::KIND)
    }
}

fn build_decision(d: &DecisionData, kind: DocumentKind, t: &Templates) -> Result<Built, ApiError> {
    require("issuer", "作出决定的机关", &d.issuer)?;
    require("party.name", "当事人名称", &d.party.name)?;
    // 行政处罚法 art. 59 (一): the address is required on the decision.
    require("party.address", "当事人地址", &d.party.address)?;
    require("government", "行政复议机关", &d.government)?;
    require("court", "人民法院", &d.court)?;
    // 行政复议法 (2023) art. 24: the 复议机关 of a county bureau is the county people's government.
    if !d.government.trim().ends_with("人民政府") {
        return Err(ApiError::field("government", "行政复议机关应为本级人民政府（如“某某县人民政府”），2024年起不再向上一级主管部门申请复议"));
    }
    match d.deadline {
        Some(deadline) => check_deadline("deadline", deadline, d.issue_date)?,
        // An agreement decision of measures alone asks for no payment.
        None if kind == DocumentKind::AgreementDecision && d.lines.is_empty() => {}
        None => return Err(ApiError::field("deadline", "请填写退款期限")),
    }
    if d.facts.is_empty() {
        return Err(ApiError::field("facts", "违法事实不能为空"));
    }
    if d.evidence.is_empty() {
        return Err(ApiError::field("evidence", "证据不能为空"));
    }
    let total = if d.lines.is_empty() {
        Money::ZERO
    } else {
        check_lines(&d.lines)?
    };
    if kind == DocumentKind::AgreementDecision {
        if d.fine.is_some() {
            return Err(ApiError::field(
                "fine",
                "协议处理决定书不含罚款：罚款是行政处罚，应由医疗保障行政部门作出",
            ));
        }
        require("agreement_basis", "协议处理依据", &d.agreement_basis)?;
    }
    if kind == DocumentKind::HandlingDecision && d.fine.is_some() {
        return Err(ApiError::field(
            "fine",
            "行政处理决定书不含罚款，罚款应使用行政处罚决定书",
        ));
    }
    if kind == DocumentKind::PenaltyDecision && d.fine.is_none() && d.other_measures.is_empty() {
        return Err(ApiError::field("fine", "行政处罚决定书应载明处罚内容"));
    }
    check_fine(&d.fine, total)?;
    let f = fields(vec![
        ("party_name", d.party.name.clone()),
        ("party_you", d.party.you().to_string()),
        ("issuer", d.issuer.clone()),
        ("inspection_date", cn_date(d.inspection_date)),
        ("inspection_name", d.inspection_name.clone()),
        ("violated_provisions", d.violated_provisions.clone()),
        ("legal_basis", d.legal_basis.clone()),
        ("deadline", d.deadline.map(cn_date).unwrap_or_default()),
        (
            "objection_heading",
            if d.deadline.is_some() {
                "五、异议途径"
            } else {
                "四、异议途径"
            }
            .to_string(),
        ),
        ("fine_days", "十五".to_string()),
        ("fine_payment", d.fine_payment.clone()),
        ("government", d.government.clone()),
        ("court", d.court.clone()),
        ("agency_name", d.agency.name.clone()),
        ("agreement_basis", d.agreement_basis.clone()),
    ]);
    let lines = expand(kind, t, &f)?;
    let title = kind.title();
    let we = if kind == DocumentKind::AgreementDecision {
        "我单位"
    } else {
        "我局"
    };
    let mut blocks = title_blocks(&d.issuer, title);
    blocks.extend(number_block(&d.document_number));
    blocks.extend(party_lines(&d.party));
    let you = d.party.you();
    blocks.extend(template_blocks(lines, &mut |m| match m {
        "facts" => numbered_paras(&d.facts),
        "evidence" => numbered_paras(&d.evidence),
        "statement" => {
            let s = if d.statement_summary.trim().is_empty() {
                format!("{we}已依法告知{you}拟作出的处理决定及事实、理由、依据，并告知{you}依法享有陈述、申辩的权利。{you}在{}期限内未提出陈述、申辩意见。", if kind == DocumentKind::AgreementDecision { "规定" } else { "法定" })
            } else {
                d.statement_summary.trim().to_string()
            };
            vec![Block::body(s)]
        }
        "measures" => measures(&d.lines, &d.fine, &d.other_measures),
        _ => Vec::new(),
    }));
    blocks.push(signature(&d.issuer, d.issue_date));
    Ok(Built {
        blocks,
        always_number_pages: true,
    })
}

/// 行政处理决定书 / 行政处罚决定书 (000 art. 4, 附件4; 行政处罚法 art. 59): only once the case has a
/// decision of that kind; everything printed comes from that decision.
fn decision_data(src: &Source<'_>, c: CaseFacts, kind: DocumentKind) -> Result<DecisionData> {
    let d = &c.detail;
    let title = kind.title();
    let (dec, deadline) = decision_of(d, kind, &c.rules)?;
    let evidence: Vec<String> = d
        .evidence
        .iter()
        .map(|e| e.description.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    // 行政处罚法 art. 59 (一), (二) on the administrative track; the agreement decision states the
    // same (issue 9) without citing the 行政处罚法.
    let (art_evidence, art_address) = if kind == DocumentKind::AgreementDecision {
        (String::new(), String::new())
    } else {
        (
            "（行政处罚法第五十九条第二项：违法事实和证据）".to_string(),
            "（行政处罚法第五十九条第一项）".to_string(),
        )
    };
    if evidence.is_empty() {
        return Err(ApiError::illegal(format!(
            "案件没有登记证据，不能开具{title}{art_evidence}"
        )));
    }
    if c.party.address.trim().is_empty() {
        return Err(ApiError::illegal(format!(
            "当事人地址为空，不能开具{title}{art_address}，请先在登记信息中补充地址"
        )));
    }
    let (fine, other_measures) = penalties(d, dec);
    let settings = src.settings;
    Ok(DecisionData {
        issuer: c.issuer,
        document_number: src.number.to_string(),
        party: c.party,
        inspection_date: d.case.filed_on,
        inspection_name: c.inspection_name,
        facts: c.findings,
        evidence,
        statement_summary: statement_summary(d),
        violated_provisions: c.violated_provisions,
        legal_basis: c.legal_basis,
        lines: c.lines,
        fine,
        other_measures,
        deadline,
        fine_payment: "持本决定书通过非税收入缴款渠道缴纳".to_string(),
        agency: settings.agency(),
        government: settings.government(),
        court: settings.court(),
        // 行政处罚法 art. 59 (六): the date the decision was made, whenever it is printed.
        issue_date: dec.decided_on,
        agreement_basis: if kind == DocumentKind::AgreementDecision {
            match c.rules.text(Rule::AgreementMeasures) {
                "" => "医保服务协议".to_string(),
                t => t.to_string(),
            }
        } else {
            String::new()
        },
    })
}

/// The case's decision when it is of this kind (administrative track only), with its 缴费时限.
fn decision_of<'d>(
    d: &'d CaseDetail,
    kind: DocumentKind,
    rules: &RuleSet,
) -> Result<(&'d Decision, Option<NaiveDate>)> {
    let title = kind.title();
    if kind == DocumentKind::AgreementDecision {
        return agreement_decision_of(d, rules);
    }
    let (wanted, what) = if kind == DocumentKind::PenaltyDecision {
        (DecisionKind::PenaltyDecision, "行政处罚决定")
    } else {
        (DecisionKind::HandlingDecision, "行政处理决定")
    };
    if d.case.track != Track::Administrative {
        return Err(ApiError::illegal(format!(
            "{title}由医疗保障行政部门作出{}，协议处理案件不能开具",
            rules.cite(Rule::DecisionDocument)
        )));
    }
    let Some(dec) = d.decision.as_ref() else {
        return Err(ApiError::illegal(format!(
            "案件尚未作出{what}，不能开具{title}{}",
            rules.cite_with(Rule::DecisionDocument, "决定书载明已作出的决定")
        )));
    };
    if dec.kind != wanted {
        let made = if dec.kind == DecisionKind::PenaltyDecision {
            "行政处罚决定书"
        } else {
            "行政处理决定书"
        };
        return Err(ApiError::illegal(format!(
            "案件尚未作出{what}：本案作出的是{}，请开具{made}",
            made.trim_end_matches('书')
        )));
    }
    let Some(deadline) = dec.payment_due else {
        return Err(ApiError::illegal(format!(
            "决定未载明缴费时限，不能开具{title}（行政处罚法第五十九条第四项：履行方式和期限）"
        )));
    };
    Ok((dec, Some(deadline)))
}

/// The agreement decision of an agreement case, with its 缴费时限 (issue 9).
fn agreement_decision_of<'d>(
    d: &'d CaseDetail,
    rules: &RuleSet,
) -> Result<(&'d Decision, Option<NaiveDate>)> {
    if d.case.track != Track::Agreement {
        return Err(ApiError::illegal(
            "协议处理决定书用于协议处理案件，行政执法案件请开具行政处理决定书或行政处罚决定书",
        ));
    }
    let Some(dec) = d.decision.as_ref() else {
        return Err(ApiError::illegal(format!(
            "案件尚未作出协议处理决定，不能开具协议处理决定书{}",
            rules.cite(Rule::AgreementMeasures)
        )));
    };
    match dec.payment_due {
        Some(deadline) => Ok((dec, Some(deadline))),
        // Measures alone (约谈, 暂停协议 …): nothing to pay, no deadline to print.
        None if d.recovery_lines.is_empty() && dec.liquidated_damages.is_zero() => Ok((dec, None)),
        None => Err(ApiError::illegal(
            "协议处理决定未载明缴费时限，不能开具协议处理决定书（决定书载明退款期限和方式）",
        )),
    }
}

/// The fine (a 处罚 decision only) and the other measures: confiscation first, then the decided
/// measures.
fn penalties(d: &CaseDetail, dec: &Decision) -> (Option<FineData>, Vec<String>) {
    let fine = match (dec.kind, dec.fine) {
        (DecisionKind::PenaltyDecision, Some(amount)) => Some(FineData {
            multiple: dec
                .fine_multiple
                .as_deref()
                .and_then(|m| m.trim().parse::<rust_decimal::Decimal>().ok()),
            amount,
        }),
        _ => None,
    };
    let mut other_measures: Vec<String> = Vec::new();
    if let Some(c) = dec.confiscation {
        other_measures.push(format!(
            "没收违法所得人民币{}（¥{}）",
            c.in_words(),
            c.grouped()
        ));
    }
    other_measures.extend(d.measures.iter().map(measure_text));
    (fine, other_measures)
}

/// A decided measure as one item of the decision: 限期整改：…, 中止服务协议3个月（…至…）.
fn measure_text(m: &Measure) -> String {
    let label = measure_label(m.kind, m.months, m.starts_on, m.ends_on, &m.note);
    match m.rectify_by {
        Some(by) => format!(
            "{label}（于{}前整改完毕）",
            crate::vocab::dates::cn_date(by)
        ),
        None => label,
    }
}

/// 陈述申辩情况 of the decision (行政处罚法 art. 44, 45, 62–65), from the steps the procedure
/// recorded after the latest notification: the party's statement, a waiver, a hearing. Empty when
/// the party did not reply in time (the template then says so).
fn statement_summary(d: &CaseDetail) -> String {
    let you = if d.case.party_kind == crate::cases::PartyKind::Institution {
        "你单位"
    } else {
        "你"
    };
    // The agency decides an agreement matter (issue 9); the bureau an administrative one.
    let we = if d.case.track == Track::Agreement {
        "我单位"
    } else {
        "我局"
    };
    let Some(notified) = d
        .steps
        .iter()
        .filter(|s| s.kind == StepKind::Notified)
        .max_by_key(|s| s.id)
    else {
        return String::new();
    };
    let after = || d.steps.iter().filter(|s| s.id > notified.id);
    let mut parts: Vec<String> = Vec::new();
    for s in after() {
        let note = s.note.trim().trim_end_matches(['。', '；']);
        match s.kind {
            StepKind::StatementReceived => parts.push(format!(
                "{you}于{}提出陈述、申辩意见：{note}。",
                cn_date(s.on)
            )),
            StepKind::StatementWaived => parts.push(format!(
                "{you}于{}明确表示放弃陈述、申辩的权利。",
                cn_date(s.on)
            )),
            StepKind::HearingHeld => parts.push(format!(
                "{we}于{}依法举行了听证，听证情况：{note}。",
                cn_date(s.on)
            )),
            _ => {}
        }
    }
    if parts.is_empty() {
        return String::new();
    }
    let number = d
        .notification
        .as_ref()
        .map(|n| format!("（{}）", n.document_number))
        .unwrap_or_default();
    format!(
        "{we}于{}向{you}告知拟作出的处理决定及其事实、理由、依据和{you}依法享有的陈述、申辩权利{number}。{}",
        cn_date(notified.on),
        parts.join("")
    )
}
