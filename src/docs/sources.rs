//! Filling documents from the database: the case (party, findings, recovery lines, notification,
//! decision, sign-off names), the office's name and document settings. Each kind checks that the
//! case has reached the stage the seed requires before the document exists (e.g. no 责令退款通知书
//! before the decision, 000 附件1).

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use rusqlite::{Connection, OptionalExtension};

use super::documents::*;
use super::settings::DocumentSettings;
use super::DocumentKind;
use crate::calendar::WorkCalendar;
use crate::cases::cases::CaseStatus;
use crate::cases::procedure::{self, CaseDetail};
use crate::cases::users;
use crate::cases::Track;
use crate::error::{ApiError, Result};
use crate::registry::enum_text;

pub(crate) fn office_name(conn: &Connection) -> Result<String> {
    crate::store::office_code(conn)?;
    Ok(conn.query_row("SELECT name FROM office WHERE id = 1", [], |r| r.get(0))?)
}

fn user_name(conn: &Connection, id: i64) -> Result<String> {
    Ok(users::get(conn, id)?.display_name)
}

fn party(conn: &Connection, d: &CaseDetail) -> Result<Party> {
    if let Some(id) = d.case.institution_id {
        Ok(conn.query_row(
            "SELECT name, code, credit_code, legal_rep, address, contact FROM institution WHERE id = ?1",
            [id],
            |r| {
                Ok(Party {
                    kind: PartyKind::Institution,
                    name: r.get(0)?,
                    code: r.get(1)?,
                    credit_code: r.get(2)?,
                    legal_representative: r.get(3)?,
                    address: r.get(4)?,
                    contact: String::new(),
                    phone: r.get(5)?,
                })
            },
        )?)
    } else if let Some(id) = d.case.insured_id {
        Ok(conn.query_row(
            "SELECT name, id_number, address, phone FROM insured WHERE id = ?1",
            [id],
            |r| {
                Ok(Party {
                    kind: PartyKind::Insured,
                    name: r.get(0)?,
                    code: r.get(1)?,
                    credit_code: String::new(),
                    legal_representative: String::new(),
                    address: r.get(2)?,
                    contact: String::new(),
                    phone: r.get(3)?,
                })
            },
        )?)
    } else {
        Err(ApiError::internal("案件没有当事人"))
    }
}

/// What every builder needs besides the case: the database, the calendar, the office's document
/// settings, the number the document carries and its date.
pub struct Ctx<'a> {
    pub conn: &'a Connection,
    pub cal: &'a WorkCalendar,
    pub settings: &'a DocumentSettings,
    pub number: &'a str,
    pub issued_on: NaiveDate,
}

/// Build the document of `kind` for a case. Refuses (ILLEGAL_STEP, with the seed's reason) a kind
/// that does not fit the case's stage, so the same call answers "can this be issued now?".
pub fn build_for_case(ctx: &Ctx<'_>, case_id: i64, kind: DocumentKind) -> Result<Document> {
    let Ctx {
        conn,
        cal,
        settings,
        issued_on,
        ..
    } = *ctx;
    let exists: Option<i64> = conn
        .query_row("SELECT id FROM case_file WHERE id = ?1", [case_id], |r| {
            r.get(0)
        })
        .optional()?;
    if exists.is_none() {
        return Err(ApiError::field("case_id", "案件不存在"));
    }
    let issuer = office_name(conn)?;
    let d = procedure::detail(conn, cal, case_id, None)?;
    let party = party(conn, &d)?;
    let lines: Vec<RecoveryLine> = d.recovery_lines.iter().map(RecoveryLine::from).collect();
    let findings: Vec<String> = d.findings.iter().map(|f| f.description.clone()).collect();
    let mut provisions: Vec<String> = Vec::new();
    for f in &d.findings {
        let r = f.rule_broken.trim();
        if !r.is_empty() && !provisions.iter().any(|p| p == r) {
            provisions.push(r.to_string());
        }
    }
    let violated_provisions = provisions.join("、");
    let legal_basis = d
        .decision
        .as_ref()
        .map(|x| x.fine_basis.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "《医疗保障基金使用监督管理条例》第三十八条".to_string());
    let inspection_name = format!("{}年度医疗保障基金使用监督检查", d.case.filed_on.year());
    let contact = Contact {
        name: d.case.handler.clone(),
        phone: settings.contact_phone.clone(),
        address: String::new(),
    };
    let agency = settings.agency(&issuer);
    let number = ctx.number.to_string();
    let decided = matches!(
        d.case.status,
        CaseStatus::Decided | CaseStatus::Executing | CaseStatus::Closed
    );
    let doc = match kind {
        DocumentKind::RefundOrder | DocumentKind::RecoverySlip => {
            // 000 art. 3 and 附件1/3, 004 art. 8: the order to refund and the slip carry the amounts
            // and the 缴费时限 of the decision — neither is issued before the case is decided.
            let Some(dec) = d.decision.as_ref().filter(|_| decided) else {
                return Err(ApiError::illegal(format!(
                    "案件尚未作出处理决定，不能开具{}（000号文附件1/3、004号文第8条：责令退款和追回以处理决定确定的金额和缴费时限为准）",
                    kind.title()
                )));
            };
            if lines.is_empty() {
                return Err(ApiError::illegal(format!(
                    "案件没有应追回的金额，不能开具{}",
                    kind.title()
                )));
            }
            let Some(deadline) = dec.payment_due else {
                return Err(ApiError::illegal(
                    "处理决定未载明缴费时限（004号文第8条），不能开具退款、追回文书",
                ));
            };
            if kind == DocumentKind::RefundOrder && d.case.track != Track::Administrative {
                return Err(ApiError::illegal(
                    "责令退款通知书由医保行政部门出具（吉林通知第二条），协议处理案件请出具追回通知单",
                ));
            }
            if kind == DocumentKind::RefundOrder {
                Document::RefundOrder(RefundOrderData {
                    issuer,
                    document_number: number,
                    party,
                    inspection_date: d.case.filed_on,
                    inspection_name,
                    findings,
                    violated_provisions,
                    legal_basis,
                    lines,
                    deadline,
                    agency,
                    contact,
                    issue_date: issued_on,
                })
            } else {
                let mut funds: BTreeMap<String, SlipFund> = BTreeMap::new();
                let mut order = Vec::new();
                for l in &lines {
                    let key = enum_text(&l.fund);
                    if !funds.contains_key(&key) {
                        order.push(key.clone());
                    }
                    funds
                        .entry(key)
                        .or_insert_with(|| SlipFund {
                            fund: l.fund,
                            lines: Vec::new(),
                            account: BankAccount::default(),
                        })
                        .lines
                        .push(l.clone());
                }
                let sign = |id: i64, opinion: &str| -> Result<SignOff> {
                    Ok(SignOff {
                        name: user_name(conn, id)?,
                        opinion: opinion.to_string(),
                        date: Some(dec.decided_on),
                    })
                };
                Document::RecoverySlip(RecoverySlipData {
                    issuer: issuer.clone(),
                    document_number: number,
                    source: d.case.source,
                    party,
                    payment_method: PaymentMethod::BankTransfer,
                    deadline,
                    handling_result: format!(
                        "依据处理决定（{}），追回违规使用的医疗保障基金。",
                        dec.document_number
                    ),
                    handler: sign(dec.signoff.handler_id, "")?,
                    reviewer: sign(dec.signoff.reviewer_id, "情况属实，同意追回。")?,
                    approver: sign(dec.signoff.approver_id, "同意。")?,
                    funds: order.into_iter().filter_map(|k| funds.remove(&k)).collect(),
                    agency,
                    copies: 3,
                })
            }
        }
        DocumentKind::StatementNotice => {
            // 001 art. 22: the notice of intended action follows the findings (case.notify).
            let Some(n) = d.notification.as_ref() else {
                return Err(ApiError::illegal(
                    "案件尚未告知拟处理意见，不能开具陈述申辩告知书（001号文第22条：先查明事实，再告知）",
                ));
            };
            Document::StatementNotice(StatementNoticeData {
                issuer,
                document_number: number,
                party,
                inspection_date: d.case.filed_on,
                inspection_name,
                findings,
                violated_provisions,
                legal_basis,
                lines,
                fine: n.proposed_fine.map(|amount| FineData {
                    multiple: None,
                    amount,
                }),
                other_measures: Vec::new(),
                reply_days: n.statement_days,
                hearing_days: n.hearing_offered.then_some(n.hearing_request_days),
                contact,
                issue_date: issued_on,
            })
        }
        DocumentKind::ServiceReceipt => {
            if d.services.is_empty() {
                return Err(ApiError::illegal(
                    "案件尚无需要送达的文书，不能开具送达回证（行政处罚法第六十一条）",
                ));
            }
            let mut servers = vec![d.case.handler.clone()];
            if !d.case.co_handler.is_empty() {
                servers.push(d.case.co_handler.clone());
            }
            if servers.len() < 2 {
                return Err(ApiError::illegal(
                    "送达回证需有两名送达人（001号文第32条），本案只有一名承办人，请先指定协办人",
                ));
            }
            Document::ServiceReceipt(ServiceReceiptData {
                issuer,
                documents: d
                    .services
                    .iter()
                    .map(|s| ServedDocument {
                        title: s.document.label().to_string(),
                        document_number: s.document_number.clone(),
                    })
                    .collect(),
                recipient: party.name.clone(),
                place: party.address.clone(),
                method: "直接送达".to_string(),
                servers,
                remarks: String::new(),
            })
        }
        other => {
            return Err(ApiError::field(
                "kind",
                format!("暂不支持从案件开具{}", other.title()),
            ))
        }
    };
    Ok(doc)
}

/// The 自查自纠退回明细单 of a self-correction record (004 附件2 for an institution, 附件3 for an
/// insured person); no case.
pub(crate) fn build_for_self_correction(
    _ctx: &Ctx<'_>,
    _id: i64,
    kind: DocumentKind,
) -> Result<Document> {
    Err(ApiError::field(
        "kind",
        format!("暂不支持从自查自纠记录开具{}", kind.title()),
    ))
}
