//! 催告书 (行政强制法 art. 35, 54): before applying to the people's court for enforcement, the
//! office demands in writing that the party perform the decision: the period, the manner, the
//! amount, and the party's right to state its case and defend itself. Issued from a case once the
//! 催告 is recorded (`referral.demand`); its date is the date of that demand.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::super::documents::{Agency, Built, Contact, Party};
use super::super::layout::{Align, Block};
use super::super::sources::{CaseFacts, Source};
use super::super::templates::{expand, DocumentKind, Templates};
use super::common::*;
use super::Kind;
use crate::cases::Rule;
use crate::error::{ApiError, Result};
use crate::ledger::types::{ReferralKind, ReferralStatus};
use crate::money::Money;
use crate::vocab::dates::cn_date;
use crate::vocab::Labeled;

/// 催告书 (行政强制法 art. 35, 54).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemandNoticeData {
    pub issuer: String,
    pub document_number: String,
    pub party: Party,
    /// The decision being enforced: its title (行政处罚决定书 …) and number.
    pub decision_title: String,
    pub decision_number: String,
    pub decision_served_on: NaiveDate,
    /// What the decision required (退回医疗保障基金 / 缴纳罚款 …).
    pub obligation: String,
    /// The deadline the decision set, already passed.
    pub due_on: NaiveDate,
    /// Still owed on the day of the demand (a fine: principal and 加处罚款).
    pub outstanding: Money,
    /// Of `outstanding`, the 加处罚款 (行政处罚法 art. 72), printed when not zero.
    #[serde(default)]
    pub surcharge: Money,
    /// Days after service to perform and to state a case (行政强制法 art. 54: 十日).
    pub days: u32,
    /// Where the money goes (the agency, or the treasury for a fine).
    pub pay_to: String,
    /// The basis the paper prints (the office's citation of 催告 under 行政强制法).
    pub basis: String,
    pub agency: Agency,
    pub contact: Contact,
    pub issue_date: NaiveDate,
}

pub struct DemandNotice;

impl Kind for DemandNotice {
    const KIND: DocumentKind = DocumentKind::DemandNotice;
    const TITLE: &'static str = "催告书";
    const PREFIX_TAG: &'static str = "催";
    const FIELDS: &'static [(&'static str, &'static str)] = &[
        ("party_name", "当事人名称"),
        ("party_you", "对当事人的称呼（你单位/你）"),
        ("issuer", "发文机关"),
        ("decision_title", "决定书名称"),
        ("decision_number", "决定书文号"),
        ("decision_served_on", "决定书送达日期"),
        ("obligation", "决定确定的义务"),
        ("due_on", "决定确定的履行期限"),
        ("amount", "未履行金额（小写）"),
        ("amount_words", "未履行金额（大写）"),
        ("surcharge", "其中加处罚款（小写）"),
        ("days", "催告履行期限（日）"),
        ("pay_to", "缴款去向"),
        ("basis", "催告依据"),
    ];
    // 行政强制法 art. 35 (what a 催告书 states), art. 36 (陈述申辩), art. 54 (ten days, then the
    // court).
    const TEMPLATE: &'static str = "\
{issuer}于{decision_served_on}向{party_you}送达《{decision_title}》（{decision_number}），要求{party_you}于{due_on}前{obligation}。{party_you}在上述期限内未履行，截至本催告书发出之日，尚有人民币{amount_words}（¥{amount}）未缴纳。
?surcharge|其中包括依法加处的罚款人民币{surcharge}元。
依据{basis}的规定，现催告{party_you}自收到本催告书之日起{days}日内履行上述义务，将款项足额缴入{pay_to}。
{party_you}对本催告享有陈述和申辩的权利，可以自收到本催告书之日起{days}日内向我局提出；我局将对{party_you}提出的事实、理由和证据进行记录、复核。
逾期仍不履行且无正当理由的，我局将依法申请人民法院强制执行。";

    type Data = DemandNoticeData;

    fn build(d: &DemandNoticeData, t: &Templates) -> Result<Built, ApiError> {
        require("issuer", "发文机关", &d.issuer)?;
        require("party.name", "当事人名称", &d.party.name)?;
        require("decision_number", "决定书文号", &d.decision_number)?;
        if d.outstanding <= Money::ZERO {
            return Err(ApiError::field(
                "outstanding",
                "未履行金额应大于零：已足额缴纳的，无需催告",
            ));
        }
        if d.days == 0 {
            return Err(ApiError::field("days", "催告履行期限应至少为1日"));
        }
        if d.issue_date <= d.due_on {
            return Err(ApiError::field(
                "issue_date",
                format!("履行期限（{}）尚未届满，不能催告", cn_date(d.due_on)),
            ));
        }
        let (amount, words) = money_fields(d.outstanding);
        let surcharge = if d.surcharge.is_zero() {
            String::new()
        } else {
            d.surcharge.grouped()
        };
        let f = fields(vec![
            ("party_name", d.party.name.clone()),
            ("party_you", d.party.you().to_string()),
            ("issuer", d.issuer.clone()),
            ("decision_title", d.decision_title.clone()),
            ("decision_number", d.decision_number.clone()),
            ("decision_served_on", cn_date(d.decision_served_on)),
            ("obligation", d.obligation.clone()),
            ("due_on", cn_date(d.due_on)),
            ("amount", amount),
            ("amount_words", words),
            ("surcharge", surcharge),
            ("days", d.days.to_string()),
            ("pay_to", d.pay_to.clone()),
            ("basis", d.basis.clone()),
        ]);
        let lines = expand(DocumentKind::DemandNotice, t, &f)?;
        let mut blocks = title_blocks(&d.issuer, Self::TITLE);
        blocks.extend(number_block(&d.document_number));
        blocks.push(Block::line(format!("{}：", d.party.name), Align::Left));
        blocks.extend(template_blocks(lines, &mut |_| Vec::new()));
        blocks.push(signature(&d.issuer, d.issue_date));
        blocks.extend(contact_block(&d.contact));
        Ok(Built {
            blocks,
            always_number_pages: true,
        })
    }

    fn from_case(src: &Source<'_>, c: CaseFacts) -> Result<DemandNoticeData> {
        let conn = src.conn;
        // The demand recorded on the case (执行与缴款 · 催告): the latest one still open.
        let demand = crate::ledger::fines::referrals_of(conn, src.cal, c.case_id)?
            .into_iter()
            .rev()
            .find(|r| {
                r.kind == ReferralKind::CourtEnforcement && r.status == ReferralStatus::Demanded
            });
        let Some(demand) = demand else {
            return Err(ApiError::illegal(format!(
                "案件尚未登记催告，不能开具催告书：请先在“执行与缴款”中登记催告{}",
                c.rules.cite(Rule::Demand)
            )));
        };
        let issued = demand.demand_issued_on.unwrap_or(src.issued_on);
        let served_on = demand
            .decision_served_on
            .ok_or_else(|| ApiError::illegal("决定书尚未送达，不能催告"))?;
        let basis = c.rules.text(Rule::Demand).to_string();
        let (decision_title, decision_number, obligation, due_on, outstanding, surcharge, pay_to) =
            match demand.fine_id {
                Some(fid) => {
                    let f = crate::ledger::fines::get(conn, fid, Some(issued))?;
                    let due = f
                        .due_on
                        .ok_or_else(|| ApiError::illegal("罚没款尚无缴纳期限，不能催告"))?;
                    (
                        "行政处罚决定书".to_string(),
                        f.decision_number.clone(),
                        format!("缴纳{}人民币{}元", f.kind.label(), f.amount.grouped()),
                        due,
                        f.status.outstanding,
                        f.status.surcharge - f.status.surcharge_paid,
                        "国库（按决定书载明的缴款方式）".to_string(),
                    )
                }
                None => {
                    let dec = c
                        .detail
                        .decision
                        .as_ref()
                        .ok_or_else(|| ApiError::illegal("案件尚未作出处理决定，不能催告"))?;
                    let due = dec
                        .payment_due
                        .ok_or_else(|| ApiError::illegal("处理决定未载明退缴时限，不能催告"))?;
                    let owed = crate::ledger::matter::ledger_lines(
                        conn,
                        crate::ledger::matter::Matter::Case(c.case_id),
                    )?
                    .1
                    .outstanding;
                    (
                        format!("{}书", dec.kind.label()),
                        dec.document_number.clone(),
                        "退回违法违规使用的医疗保障基金".to_string(),
                        due,
                        owed,
                        Money::ZERO,
                        format!("{}基金支出户", c.agency.name),
                    )
                }
            };
        Ok(DemandNoticeData {
            issuer: c.issuer,
            document_number: c.number,
            party: c.party,
            decision_title,
            decision_number,
            decision_served_on: served_on,
            obligation,
            due_on,
            outstanding,
            surcharge,
            days: crate::ledger::fines::DEMAND_WORKING_DAYS,
            pay_to,
            basis: if basis.is_empty() {
                "《中华人民共和国行政强制法》第三十五条、第五十四条".to_string()
            } else {
                basis
            },
            agency: c.agency,
            contact: c.contact,
            issue_date: issued,
        })
    }
}
