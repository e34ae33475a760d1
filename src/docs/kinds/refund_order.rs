//! 责令退款通知书 (000 附件1): the bureau orders the party to refund; a letter with the amounts
//! table. Issued from a decided administrative case.

use crate::cases::Rule;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::super::documents::{Agency, Built, Contact, Party, RecoveryLine};
use super::super::sources::{CaseFacts, Source};
use super::super::templates::{expand, DocumentKind, Templates};
use super::common::*;
use super::Kind;
use crate::cases::Track;
use crate::error::{ApiError, Result};
use crate::vocab::dates::cn_date;

/// 责令退款通知书 (000 附件1): the bureau orders the party to refund.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefundOrderData {
    /// 发文机关, e.g. 某某县医疗保障局.
    pub issuer: String,
    pub document_number: String,
    pub party: Party,
    pub inspection_date: NaiveDate,
    /// e.g. 2026年医保基金使用专项检查.
    pub inspection_name: String,
    pub findings: Vec<String>,
    pub violated_provisions: String,
    pub legal_basis: String,
    pub lines: Vec<RecoveryLine>,
    pub deadline: NaiveDate,
    pub agency: Agency,
    pub contact: Contact,
    pub issue_date: NaiveDate,
}

pub struct RefundOrder;

impl Kind for RefundOrder {
    const KIND: DocumentKind = DocumentKind::RefundOrder;
    const TITLE: &'static str = "责令退款通知书";
    const PREFIX_TAG: &'static str = "责退";
    const FIELDS: &'static [(&'static str, &'static str)] = &[
        ("party_name", "当事人名称"),
        ("party_you", "对当事人的称呼（你单位/你）"),
        ("issuer", "发文机关"),
        ("inspection_date", "检查日期"),
        ("inspection_name", "检查名称"),
        ("findings", "违法违规事实"),
        ("violated_provisions", "违反的规定"),
        ("legal_basis", "处理依据"),
        ("amount", "金额（小写）"),
        ("amount_words", "金额（大写）"),
        ("deadline", "退款期限"),
        ("agency_name", "医保经办机构"),
    ];
    // 000 附件1: the bureau orders the party to refund; payment goes through the agency's
    // 追回通知单 (000 art. 3, 6).
    const TEMPLATE: &'static str = "\
{inspection_date}，{issuer}在{inspection_name}中发现，{party_you}存在以下违法违规使用医疗保障基金的行为：{findings}
上述行为违反了{violated_provisions}的规定。依据{legal_basis}的规定，现责令{party_you}退回违法违规使用的医疗保障基金共计人民币{amount_words}（¥{amount}），明细见下表。
请{party_you}于{deadline}前，按照{agency_name}出具的《医疗保障基金追回通知单》载明的缴款方式，将上述款项足额退回至医保经办机构基金支出户，并在缴款后3个工作日内将缴款凭证复印件送至{agency_name}。逾期不退回的，我局将依法依规作进一步处理。";

    type Data = RefundOrderData;

    fn build(d: &RefundOrderData, t: &Templates) -> Result<Built, ApiError> {
        require("issuer", "发文机关", &d.issuer)?;
        require("party.name", "当事人名称", &d.party.name)?;
        check_deadline("deadline", d.deadline, d.issue_date)?;
        let total = check_lines(&d.lines)?;
        let (amount, words) = money_fields(total);
        let f = fields(vec![
            ("party_name", d.party.name.clone()),
            ("party_you", d.party.you().to_string()),
            ("issuer", d.issuer.clone()),
            ("inspection_date", cn_date(d.inspection_date)),
            ("inspection_name", d.inspection_name.clone()),
            ("findings", inline_list(&d.findings)),
            ("violated_provisions", d.violated_provisions.clone()),
            ("legal_basis", d.legal_basis.clone()),
            ("amount", amount),
            ("amount_words", words),
            ("deadline", cn_date(d.deadline)),
            ("agency_name", d.agency.name.clone()),
        ]);
        let lines = expand(DocumentKind::RefundOrder, t, &f)?;
        Ok(letter_with_table(
            &d.issuer,
            "责令退款通知书",
            &d.document_number,
            &d.party.name,
            lines,
            &d.lines,
            d.issue_date,
            &d.contact,
        ))
    }

    fn from_case(src: &Source<'_>, c: CaseFacts) -> Result<RefundOrderData> {
        let (_, deadline) = c.payment_terms(Self::TITLE)?;
        if c.detail.case.track != Track::Administrative {
            return Err(ApiError::illegal(format!(
                "责令退款通知书由医保行政部门出具{}，协议处理案件请出具追回通知单",
                c.rules.cite(Rule::RefundOrder)
            )));
        }
        Ok(RefundOrderData {
            issuer: c.issuer,
            document_number: c.number,
            party: c.party,
            inspection_date: c.detail.case.filed_on,
            inspection_name: c.inspection_name,
            findings: c.findings,
            violated_provisions: c.violated_provisions,
            legal_basis: c.legal_basis,
            lines: c.lines,
            deadline,
            agency: c.agency,
            contact: c.contact,
            issue_date: src.issued_on,
        })
    }
}
