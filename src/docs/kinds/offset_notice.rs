//! 抵扣通知书 (004 art. 10): the agency deducts the slip's money from later monthly settlements;
//! a letter with the amounts table, printed from the case's approved offset plan.

use crate::cases::Rule;
use std::collections::BTreeMap;

use chrono::NaiveDate;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::super::documents::{Built, Contact, Party, RecoveryLine, YearKind};
use super::super::sources::{current_offset_plan, latest_service_number, CaseFacts, Source};
use super::super::templates::{expand, DocumentKind, Templates};
use super::common::*;
use super::Kind;
use crate::error::{ApiError, Result};
use crate::ledger::matter::{ledger_lines, Matter};
use crate::ledger::offset::Month;
use crate::ledger::offsets;
use crate::ledger::types::{LedgerLine, OffsetPlan};
use crate::money::Money;
use crate::vocab::dates::cn_date;

/// 抵扣通知书 (004 art. 10): the agency deducts from later monthly settlements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OffsetNoticeData {
    /// The agency issuing the notice.
    pub issuer: String,
    pub document_number: String,
    pub party: Party,
    /// 通知单号 of the slip being offset.
    pub slip_number: String,
    pub application_date: NaiveDate,
    pub lines: Vec<RecoveryLine>,
    /// First settlement month deducted (year, month).
    pub start_year: i32,
    pub start_month: u32,
    pub contact: Contact,
    pub issue_date: NaiveDate,
}

pub struct OffsetNotice;

impl Kind for OffsetNotice {
    const KIND: DocumentKind = DocumentKind::OffsetNotice;
    const TITLE: &'static str = "抵扣通知书";
    const PREFIX_TAG: &'static str = "抵";
    const FIELDS: &'static [(&'static str, &'static str)] = &[
        ("party_name", "当事人名称"),
        ("issuer", "医保经办机构"),
        ("slip_number", "追回通知单编号"),
        ("application_date", "申请日期"),
        ("amount", "金额（小写）"),
        ("amount_words", "金额（大写）"),
        ("start_month", "开始抵扣月份"),
    ];
    // 004 art. 10: offset against later monthly settlements until fully covered.
    const TEMPLATE: &'static str = "\
{party_name}于{application_date}提出以结算基金抵扣方式退回《医疗保障基金追回通知单》（{slip_number}）所列应追回基金的申请。经审核，{issuer}同意抵扣，抵扣金额共计人民币{amount_words}（¥{amount}），明细见下表。
自{start_month}起，{issuer}在向你单位拨付医保结算费用时，按险种扣除上表所列金额后再行拨付；当月结算金额不足抵扣的，在下月结算金额中继续抵扣，直至足额抵扣。抵扣期间你单位无需另行缴款。";
    type Data = OffsetNoticeData;

    fn build(d: &OffsetNoticeData, t: &Templates) -> Result<Built, ApiError> {
        require("issuer", "医保经办机构", &d.issuer)?;
        require("slip_number", "追回通知单编号", &d.slip_number)?;
        if !(1..=12).contains(&d.start_month) {
            return Err(ApiError::field("start_month", "开始抵扣月份应为1至12"));
        }
        let total = check_lines(&d.lines)?;
        let (amount, words) = money_fields(total);
        let f = fields(vec![
            ("party_name", d.party.name.clone()),
            ("issuer", d.issuer.clone()),
            ("slip_number", d.slip_number.clone()),
            ("application_date", cn_date(d.application_date)),
            ("amount", amount),
            ("amount_words", words),
            (
                "start_month",
                format!("{}年{}月", d.start_year, d.start_month),
            ),
        ]);
        let lines = expand(DocumentKind::OffsetNotice, t, &f)?;
        Ok(letter_with_table(
            &d.issuer,
            "抵扣通知书",
            &d.document_number,
            &d.party.name,
            lines,
            &d.lines,
            d.issue_date,
            &d.contact,
        ))
    }

    /// 抵扣通知书 (004 art. 10): the agency approved the institution's request to have the money
    /// deducted from later monthly settlements; printed from the case's offset plan.
    fn from_case(src: &Source<'_>, c: CaseFacts) -> Result<OffsetNoticeData> {
        let conn = src.conn;
        let d = &c.detail;
        let Some(plan_id) = current_offset_plan(conn, d.case.id)? else {
            return Err(ApiError::illegal(format!(
                "本案没有经审核同意的抵扣申请，不能开具抵扣通知书{}",
                c.rules
                    .cite_with(Rule::Offset, "经办机构审核同意抵扣后出具")
            )));
        };
        let plan = offsets::get(conn, plan_id)?;
        let Some(slip_number) = latest_service_number(conn, d.case.id, "RecoverySlip")? else {
            return Err(ApiError::illegal(format!(
                "本案尚未开具医疗保障基金追回通知单，不能开具抵扣通知书{}",
                c.rules
                    .cite_with(Rule::Offset, "抵扣的是通知单所列应追回基金")
            )));
        };
        let lines = offset_lines(conn, d.case.id, &plan)?;
        // 004 art. 10: after approval the notice is served and the agency deducts "在后续的结算过程中"
        // month by month. The first month is the first settlement month actually deducted when one is
        // recorded; before that, the month after approval — the first settlement certain to come after
        // the notice reached the institution (the ledger accepts the approval month itself,
        // `offset::check_month`, for an agency that settles after serving in the same month).
        let start = plan
            .deductions
            .iter()
            .map(|x| x.month)
            .min()
            .unwrap_or_else(|| Month::of(plan.approved_on).next());
        let agency = src.settings.agency();
        Ok(OffsetNoticeData {
            issuer: agency.name,
            document_number: src.number.to_string(),
            party: c.party,
            slip_number,
            application_date: plan.requested_on,
            lines,
            start_year: start.year,
            start_month: start.month,
            contact: c.contact,
            issue_date: src.issued_on,
        })
    }
}

/// The plan's amount per fund (`offset_plan_fund`) spread over that fund's recovery lines the way
/// the ledger deducts it (`book.rs`: current year first, then prior years, each in line order),
/// each line taking at most what it owed apart from payments and other plans' deductions.
fn offset_lines(conn: &Connection, case_id: i64, plan: &OffsetPlan) -> Result<Vec<RecoveryLine>> {
    let (ledger, _) = ledger_lines(conn, Matter::Case(case_id))?;
    let mut own: BTreeMap<i64, Money> = BTreeMap::new();
    {
        let mut stmt = conn.prepare(
            "SELECT a.recovery_line_id, SUM(a.amount_fen) FROM offset_allocation a
             JOIN offset_deduction d ON d.id = a.deduction_id WHERE d.plan_id = ?1
             GROUP BY a.recovery_line_id",
        )?;
        for row in stmt.query_map([plan.id], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
        })? {
            let (line, fen) = row?;
            own.insert(line, Money::from_fen(fen));
        }
    }
    let mut out = Vec::new();
    for f in &plan.funds {
        let mut of_fund: Vec<&LedgerLine> = ledger.iter().filter(|l| l.fund == f.fund).collect();
        // Stable: current year first, line order kept within each group.
        of_fund.sort_by_key(|l| l.year_kind != Some(YearKind::CurrentYear));
        let mut left = f.amount;
        for l in &of_fund {
            if left.is_zero() {
                break;
            }
            let room =
                l.due - l.paid - l.offset + own.get(&l.line_id).copied().unwrap_or(Money::ZERO);
            let take = left.min(room.max(Money::ZERO));
            if take.is_zero() {
                continue;
            }
            left -= take;
            out.push(RecoveryLine {
                fund: f.fund,
                year: l.year_kind.unwrap_or(YearKind::PriorYears),
                category: l.category,
                amount: take,
            });
        }
        if !left.is_zero() {
            // Payments since approval left less room than the plan: the notice still states the
            // approved amount, the rest on the fund's last line (prior years when it has any).
            match out.iter_mut().rev().find(|x| x.fund == f.fund) {
                Some(x) => x.amount += left,
                None => out.push(RecoveryLine {
                    fund: f.fund,
                    year: YearKind::PriorYears,
                    category: None,
                    amount: left,
                }),
            }
        }
    }
    Ok(out)
}
