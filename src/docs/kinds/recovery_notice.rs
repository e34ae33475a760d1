//! 追回医保基金通知书 (000 附件2): the bureau tells the agency to recover what the 责令退款通知书
//! ordered; a letter with the amounts table, citing the order's number.

use crate::cases::Rule;
use chrono::NaiveDate;
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};

use super::super::documents::{Agency, Built, Contact, Party, RecoveryLine};
use super::super::sources::{latest_service_number, CaseFacts, Source};
use super::super::templates::{expand, DocumentKind, Templates};
use super::common::*;
use super::Kind;
use crate::cases::Track;
use crate::error::{ApiError, Result};
use crate::vocab::dates::cn_date;

/// 追回医保基金通知书 (000 附件2): the bureau tells the agency to recover.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecoveryNoticeData {
    pub issuer: String,
    pub document_number: String,
    pub agency: Agency,
    pub party: Party,
    pub inspection_date: NaiveDate,
    pub inspection_name: String,
    pub findings: Vec<String>,
    pub legal_basis: String,
    /// 文号 of the 责令退款通知书 sent to the party.
    pub refund_order_number: String,
    pub lines: Vec<RecoveryLine>,
    pub deadline: NaiveDate,
    pub report_deadline: NaiveDate,
    pub contact: Contact,
    pub issue_date: NaiveDate,
}

pub struct RecoveryNotice;

impl Kind for RecoveryNotice {
    const KIND: DocumentKind = DocumentKind::RecoveryNotice;
    const TITLE: &'static str = "关于追回医保基金通知书";
    const PREFIX_TAG: &'static str = "追";
    const FIELDS: &'static [(&'static str, &'static str)] = &[
        ("agency_name", "医保经办机构"),
        ("issuer", "发文机关"),
        ("party_name", "当事人名称"),
        ("inspection_date", "检查日期"),
        ("inspection_name", "检查名称"),
        ("findings", "违法违规事实"),
        ("legal_basis", "处理依据"),
        ("amount", "金额（小写）"),
        ("amount_words", "金额（大写）"),
        ("refund_order_number", "责令退款通知书文号"),
        ("deadline", "追回期限"),
        ("report_deadline", "报送期限"),
    ];
    // 000 附件2: the bureau tells the agency to recover (000 art. 2, 3, 6).
    const TEMPLATE: &'static str = "\
{inspection_date}，{issuer}在{inspection_name}中发现，{party_name}存在以下违法违规使用医疗保障基金的行为：{findings}
依据{legal_basis}的规定，我局已向{party_name}下达《责令退款通知书》（{refund_order_number}），责令其退回医疗保障基金共计人民币{amount_words}（¥{amount}），明细见下表。
请你单位依据上述通知书，向{party_name}开具《医疗保障基金追回通知单》，明确退缴时限和退回路径，于{deadline}前将上述基金按原拨付渠道追回至基金支出户，并于{report_deadline}前将追回情况书面报送我局。";

    type Data = RecoveryNoticeData;

    fn build(d: &RecoveryNoticeData, t: &Templates) -> Result<Built, ApiError> {
        require("issuer", "发文机关", &d.issuer)?;
        require("agency.name", "医保经办机构", &d.agency.name)?;
        check_deadline("deadline", d.deadline, d.issue_date)?;
        check_deadline("report_deadline", d.report_deadline, d.issue_date)?;
        let total = check_lines(&d.lines)?;
        let (amount, words) = money_fields(total);
        let f = fields(vec![
            ("agency_name", d.agency.name.clone()),
            ("issuer", d.issuer.clone()),
            ("party_name", d.party.name.clone()),
            ("inspection_date", cn_date(d.inspection_date)),
            ("inspection_name", d.inspection_name.clone()),
            ("findings", inline_list(&d.findings)),
            ("legal_basis", d.legal_basis.clone()),
            ("amount", amount),
            ("amount_words", words),
            ("refund_order_number", d.refund_order_number.clone()),
            ("deadline", cn_date(d.deadline)),
            ("report_deadline", cn_date(d.report_deadline)),
        ]);
        let lines = expand(DocumentKind::RecoveryNotice, t, &f)?;
        Ok(letter_with_table(
            &d.issuer,
            "关于追回医保基金通知书",
            &d.document_number,
            &d.agency.name,
            lines,
            &d.lines,
            d.issue_date,
            &d.contact,
        ))
    }

    /// 000 art. 2 and 附件2: on an inspection the bureau sends the party the 责令退款通知书 and the
    /// agency the 追回医保基金通知书, which cites the former by its number; the agency then issues
    /// the 通知单 (000 art. 3, 6). So: administrative track, decided, and a 责令退款通知书 on file.
    fn from_case(src: &Source<'_>, c: CaseFacts) -> Result<RecoveryNoticeData> {
        let conn = src.conn;
        let d = &c.detail;
        if d.case.track != Track::Administrative {
            return Err(ApiError::illegal(format!(
                "追回医保基金通知书由医保行政部门向经办机构下达{}，协议处理案件由经办机构直接出具追回通知单",
                c.rules.cite(Rule::RecoveryNotice)
            )));
        }
        let Some(dec) = d.decision.as_ref().filter(|_| c.decided) else {
            return Err(ApiError::illegal(format!(
                "案件尚未作出处理决定，不能开具追回医保基金通知书{}",
                c.rules
                    .cite_with(Rule::RecoveryNotice, "依据处理决定和责令退款通知书追回")
            )));
        };
        let Some(deadline) = dec.payment_due else {
            return Err(ApiError::illegal(format!(
                "处理决定未载明缴费时限{}，不能开具追回医保基金通知书",
                c.rules.cite(Rule::RecoveryTerms)
            )));
        };
        if c.lines.is_empty() {
            return Err(ApiError::illegal(
                "案件没有应追回的金额，不能开具追回医保基金通知书",
            ));
        }
        refuse_second_notice(src, c.case_id)?;
        let Some(refund_order_number) = latest_service_number(conn, c.case_id, "RefundOrder")?
        else {
            return Err(ApiError::illegal(
                "本案尚未开具责令退款通知书，不能开具追回医保基金通知书（追回医保基金通知书载明责令退款通知书的文号）",
            ));
        };
        let report_deadline = report_deadline(src, deadline)?;
        Ok(RecoveryNoticeData {
            issuer: c.issuer,
            document_number: c.number,
            agency: c.agency,
            party: c.party,
            inspection_date: d.case.filed_on,
            inspection_name: c.inspection_name,
            findings: c.findings,
            legal_basis: c.legal_basis,
            refund_order_number,
            lines: c.lines,
            deadline,
            report_deadline,
            contact: c.contact,
            issue_date: src.issued_on,
        })
    }
}

/// One notice per case to the agency: it has no number from the procedure that `document.issue`
/// could recognise as already used, so a second one is refused here.
fn refuse_second_notice(src: &Source<'_>, case_id: i64) -> Result<()> {
    let issued: Option<String> = src
        .conn
        .query_row(
            "SELECT number FROM issued_document WHERE case_id = ?1 AND kind = 'RecoveryNotice'
                     ORDER BY id DESC LIMIT 1",
            [case_id],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(n) = issued {
        return Err(ApiError::illegal(format!(
            "本案已开具关于追回医保基金通知书（{n}），如需再次打印，请在“已开具文书”中点击“重新打印”"
        )));
    }
    Ok(())
}

/// The seed names no report date (000 art. 3, 6, 8 only say "及时", "报当地医疗保障部门").
/// Working rule: the party pays by the 缴费时限 and brings the voucher within the profile's
/// payment_proof_days working days (004 art. 9: 缴款后3个工作日内), so the agency can report what
/// came back by deadline + those working days, counted on the calendar (行政处罚法 art. 85: 工作日).
fn report_deadline(src: &Source<'_>, deadline: NaiveDate) -> Result<NaiveDate> {
    let proof_days = crate::cases::profile::load(src.conn)?.payment_proof_days;
    Ok(src.cal.add_working_days(deadline, proof_days)?.date)
}
