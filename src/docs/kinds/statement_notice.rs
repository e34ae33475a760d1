//! 陈述申辩告知书 (001 art. 22; 行政处罚法 art. 44, 45, 63, 64): the notice of the intended
//! measures and the party's right to state its case (and to a hearing), after case.notify.

use crate::cases::Rule;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::super::documents::{Built, Contact, FineData, Party, RecoveryLine};
use super::super::layout::{Align, Block};
use super::super::sources::{measure_label, CaseFacts, Source};
use super::super::templates::{expand, DocumentKind, Templates};
use super::common::*;
use super::Kind;
use crate::error::{ApiError, Result};
use crate::money::Money;
use crate::vocab::dates::cn_date;

/// 陈述申辩告知书 (001 art. 22; 行政处罚法 art. 44, 45, 63, 64).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatementNoticeData {
    pub issuer: String,
    pub document_number: String,
    pub party: Party,
    pub inspection_date: NaiveDate,
    pub inspection_name: String,
    pub findings: Vec<String>,
    pub violated_provisions: String,
    pub legal_basis: String,
    pub lines: Vec<RecoveryLine>,
    #[serde(default)]
    pub fine: Option<FineData>,
    #[serde(default)]
    pub other_measures: Vec<String>,
    /// 5 working days by default; a province may use 3 (DOMAIN.md §2, setting).
    pub reply_days: u32,
    /// Set when the intended measure opens a hearing (行政处罚法 art. 63–64).
    #[serde(default)]
    pub hearing_days: Option<u32>,
    pub contact: Contact,
    pub issue_date: NaiveDate,
    /// Agreement track (issue 9): the notice announces an intended 协议处理 under this basis (the
    /// service agreement and 令第2/3号, from the case's rule set) with the remedies open against an
    /// agreement decision (协商, 协调, 行政复议, 行政诉讼; 001 art. 25), and no 行政处罚法 paragraph.
    /// None: an administrative notice.
    #[serde(default)]
    pub agreement_basis: Option<String>,
}

pub struct StatementNotice;

impl Kind for StatementNotice {
    const KIND: DocumentKind = DocumentKind::StatementNotice;
    const TITLE: &'static str = "陈述申辩告知书";
    const PREFIX_TAG: &'static str = "告";
    const FIELDS: &'static [(&'static str, &'static str)] = &[
        ("party_name", "当事人名称"),
        ("party_you", "对当事人的称呼（你单位/你）"),
        ("issuer", "发文机关"),
        ("inspection_date", "检查日期"),
        ("inspection_name", "检查名称"),
        ("findings", "违法违规事实"),
        ("violated_provisions", "违反的规定"),
        ("legal_basis", "拟处理处罚依据"),
        ("reply_days", "陈述申辩期限（工作日）"),
        ("hearing_days", "听证申请期限（工作日）"),
        ("administrative", "行政执法案件（协议处理案件为空）"),
        ("agreement_basis", "协议处理依据（行政执法案件为空）"),
    ];
    // 001 art. 22; 行政处罚法 art. 44, 45, 63, 64.
    const TEMPLATE: &'static str = "\
{inspection_date}，{issuer}在{inspection_name}中发现，{party_you}存在以下违法违规使用医疗保障基金的行为：{findings}
?administrative|上述行为违反了{violated_provisions}的规定。依据{legal_basis}的规定，我局拟对{party_you}作出如下行政处理（处罚）：
?agreement_basis|上述行为违反了{violated_provisions}的规定。依据{agreement_basis}，我单位拟对{party_you}作出如下协议处理：
#measures
?administrative|根据《中华人民共和国行政处罚法》第四十四条、第四十五条的规定，{party_you}享有陈述和申辩的权利。请于收到本告知书之日起{reply_days}个工作日内向我局提出陈述、申辩意见；逾期未提出的，视为放弃陈述、申辩的权利。我局不因{party_you}的陈述、申辩而加重处罚。
?agreement_basis|{party_you}享有陈述和申辩的权利。请于收到本告知书之日起{reply_days}个工作日内向我单位提出陈述、申辩意见；逾期未提出的，视为放弃陈述、申辩的权利。我单位不因{party_you}的陈述、申辩而加重处理。
?agreement_basis|{party_you}对协议处理有异议的，可以与我单位协商解决，或者请求医疗保障行政部门协调处理，也可以依法申请行政复议或者提起行政诉讼。
?hearing_days|根据《中华人民共和国行政处罚法》第六十三条、第六十四条的规定，{party_you}有权要求举行听证。要求听证的，请于收到本告知书之日起{hearing_days}个工作日内向我局提出；逾期未提出的，视为放弃听证的权利。";
    type Data = StatementNoticeData;

    fn build(d: &StatementNoticeData, t: &Templates) -> Result<Built, ApiError> {
        require("issuer", "发文机关", &d.issuer)?;
        require("party.name", "当事人名称", &d.party.name)?;
        if d.reply_days == 0 {
            return Err(ApiError::field(
                "reply_days",
                "陈述申辩期限应至少为1个工作日",
            ));
        }
        let total = if d.lines.is_empty() {
            Money::ZERO
        } else {
            check_lines(&d.lines)?
        };
        check_fine(&d.fine, total)?;
        let f = fields(vec![
            ("party_name", d.party.name.clone()),
            ("party_you", d.party.you().to_string()),
            ("issuer", d.issuer.clone()),
            ("inspection_date", cn_date(d.inspection_date)),
            ("inspection_name", d.inspection_name.clone()),
            ("findings", inline_list(&d.findings)),
            ("violated_provisions", d.violated_provisions.clone()),
            ("legal_basis", d.legal_basis.clone()),
            ("reply_days", d.reply_days.to_string()),
            (
                "hearing_days",
                d.hearing_days.map(|x| x.to_string()).unwrap_or_default(),
            ),
            (
                "administrative",
                if d.agreement_basis.is_none() {
                    "是"
                } else {
                    ""
                }
                .to_string(),
            ),
            (
                "agreement_basis",
                d.agreement_basis.clone().unwrap_or_default(),
            ),
        ]);
        let lines = expand(DocumentKind::StatementNotice, t, &f)?;
        let mut blocks = title_blocks(&d.issuer, "陈述申辩告知书");
        blocks.extend(number_block(&d.document_number));
        blocks.push(Block::line(format!("{}：", d.party.name), Align::Left));
        blocks.extend(template_blocks(lines, &mut |m| match m {
            "measures" => measures(&d.lines, &d.fine, &d.other_measures),
            _ => Vec::new(),
        }));
        blocks.push(signature(&d.issuer, d.issue_date));
        blocks.extend(contact_block(&d.contact));
        Ok(Built {
            blocks,
            always_number_pages: true,
        })
    }

    fn from_case(src: &Source<'_>, c: CaseFacts) -> Result<StatementNoticeData> {
        let d = &c.detail;
        // 001 art. 22: the notice of intended action follows the findings (case.notify).
        let Some(n) = d.notification.as_ref() else {
            return Err(ApiError::illegal(format!(
                "案件尚未告知拟处理意见，不能开具陈述申辩告知书{}",
                c.rules.cite_with(Rule::NoticeFacts, "先查明事实，再告知")
            )));
        };
        Ok(StatementNoticeData {
            issuer: c.issuer,
            document_number: c.number,
            party: c.party,
            inspection_date: d.case.filed_on,
            inspection_name: c.inspection_name,
            findings: c.findings,
            violated_provisions: c.violated_provisions,
            legal_basis: c.legal_basis,
            lines: c.lines,
            fine: n.proposed_fine.map(|amount| FineData {
                multiple: None,
                amount,
            }),
            // 行政处罚法 art. 44: the notice names every measure intended.
            other_measures: n
                .proposed_measures
                .iter()
                .filter_map(|m| Some(measure_label(m.kind?, m.months, None, None, &m.note)))
                .collect(),
            reply_days: n.statement_days,
            hearing_days: n.hearing_offered.then_some(n.hearing_request_days),
            contact: c.contact,
            issue_date: src.issued_on,
            agreement_basis: (d.case.track == crate::cases::Track::Agreement)
                .then(|| c.rules.text(Rule::AgreementMeasures).to_string())
                .map(|b| {
                    if b.is_empty() {
                        "医保服务协议".to_string()
                    } else {
                        b
                    }
                }),
        })
    }
}
