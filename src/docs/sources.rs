//! Filling documents from the database: the case (party, findings, recovery lines, notification,
//! decision, sign-off names), the office's name and document settings. Each kind checks that the
//! case has reached the stage the seed requires before the document exists (e.g. no 责令退款通知书
//! before the decision, 000 附件1).

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use rusqlite::{params, Connection, OptionalExtension};

use super::documents::*;
use super::settings::DocumentSettings;
use super::DocumentKind;
use crate::cases::cases::CaseStatus;
use crate::cases::measures::{Measure, MeasureKind};
use crate::cases::procedure::{self, CaseDetail, DecisionKind, StepKind};
use crate::cases::users;
use crate::cases::Ctx as CaseCtx;
use crate::cases::Track;
use crate::error::{ApiError, Result};
use crate::ledger::matter::{ledger_lines, Matter};
use crate::ledger::offset::Month;
use crate::ledger::offsets;
use crate::ledger::types::{LedgerLine, OffsetPlan, Organizer};
use crate::money::Money;
use crate::registry::enum_text;

/// The receiving account of a fund (004 附件1 收款人/开户银行/账号; 附件2–3 填表说明 1, 2): the
/// employee funds (职工…) go to the 职工医保 account, the resident funds (居民…) to the 居民医保
/// account; any other fund prints blank, to be filled in by hand ("如需其他险种开户行账号，请向所属
/// 医疗保障经办机构咨询", 附件2–3).
fn fund_account(settings: &DocumentSettings, fund: Fund) -> BankAccount {
    let label = fund.label();
    if label.starts_with("职工") {
        settings.employee_account.clone()
    } else if label.starts_with("居民") {
        settings.resident_account.clone()
    } else {
        BankAccount::default()
    }
}

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

/// Where a document is filled from (not the case module's `cases::Ctx`, which it holds as `cal`):
/// the database, the calendar, the office's document settings, the number the document carries
/// and its date.
pub struct Source<'a> {
    pub conn: &'a Connection,
    pub cal: &'a CaseCtx<'a>,
    pub settings: &'a DocumentSettings,
    pub number: &'a str,
    pub issued_on: NaiveDate,
}

/// Build the document of `kind` for a case. Refuses (ILLEGAL_STEP, with the seed's reason) a kind
/// that does not fit the case's stage, so the same call answers "can this be issued now?".
pub fn build_for_case(ctx: &Source<'_>, case_id: i64, kind: DocumentKind) -> Result<Document> {
    let Source {
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
    let agency = settings.agency();
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
                            account: fund_account(settings, l.fund),
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
                    // The agency issues the slip to the party (000 art. 3; 004 art. 8, 附件1).
                    issuer: agency.name.clone(),
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
                // 行政处罚法 art. 44: the notice names every measure intended.
                other_measures: n
                    .proposed_measures
                    .iter()
                    .filter_map(|m| Some(measure_label(m.kind?, m.months, None, None, &m.note)))
                    .collect(),
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
        DocumentKind::HandlingDecision | DocumentKind::PenaltyDecision => {
            let data = decision_data(
                ctx,
                &d,
                kind,
                party,
                lines,
                findings,
                violated_provisions,
                legal_basis,
                inspection_name,
                &issuer,
            )?;
            if kind == DocumentKind::PenaltyDecision {
                Document::PenaltyDecision(data)
            } else {
                Document::HandlingDecision(data)
            }
        }
        DocumentKind::RecoveryNotice => {
            // 000 art. 2 and 附件2: on an inspection the bureau sends the party the 责令退款通知书
            // and the agency the 追回医保基金通知书, which cites the former by its number; the
            // agency then issues the 通知单 (000 art. 3, 6). So: administrative track, decided,
            // and a 责令退款通知书 on file.
            if d.case.track != Track::Administrative {
                return Err(ApiError::illegal(
                    "追回医保基金通知书由医保行政部门向经办机构下达（吉林通知第二条、附件2），协议处理案件由经办机构直接出具追回通知单",
                ));
            }
            let Some(dec) = d.decision.as_ref().filter(|_| decided) else {
                return Err(ApiError::illegal(
                    "案件尚未作出处理决定，不能开具追回医保基金通知书（吉林通知第二条、附件2：依据处理决定和责令退款通知书追回）",
                ));
            };
            let Some(deadline) = dec.payment_due else {
                return Err(ApiError::illegal(
                    "处理决定未载明缴费时限（天津办法第八条），不能开具追回医保基金通知书",
                ));
            };
            if lines.is_empty() {
                return Err(ApiError::illegal(
                    "案件没有应追回的金额，不能开具追回医保基金通知书",
                ));
            }
            // One notice per case to the agency: it has no number from the procedure that
            // `document.issue` could recognise as already used, so a second one is refused here.
            let issued: Option<String> = conn
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
            let Some(refund_order_number) = latest_service_number(conn, case_id, "RefundOrder")?
            else {
                return Err(ApiError::illegal(
                    "本案尚未开具责令退款通知书，不能开具追回医保基金通知书（吉林通知附件2载明责令退款通知书的文号）",
                ));
            };
            // The seed names no report date (000 art. 3, 6, 8 only say "及时", "报当地医疗保障部门").
            // Working rule: the party pays by the 缴费时限 and brings the voucher within the
            // profile's payment_proof_days working days (004 art. 9: 缴款后3个工作日内), so the
            // agency can report what came back by deadline + those working days, counted on the
            // calendar (行政处罚法 art. 85: 工作日).
            let proof_days = crate::cases::profile::load(conn)?.payment_proof_days;
            let report_deadline = cal.add_working_days(deadline, proof_days)?.date;
            Document::RecoveryNotice(RecoveryNoticeData {
                issuer,
                document_number: number,
                agency,
                party,
                inspection_date: d.case.filed_on,
                inspection_name,
                findings,
                legal_basis,
                refund_order_number,
                lines,
                deadline,
                report_deadline,
                contact,
                issue_date: issued_on,
            })
        }
        DocumentKind::OffsetNotice => offset_notice(ctx, &d, party, contact)?,
        other => {
            return Err(ApiError::field(
                "kind",
                format!("暂不支持从案件开具{}", other.title()),
            ))
        }
    };
    Ok(doc)
}

/// The number of the latest document of this kind registered for service on the case
/// (`document_service`: by `case.issue_document`, `case.decide` or `document.issue`).
/// The case's offset plan the 抵扣通知书 is about: the latest one not cancelled.
pub(crate) fn current_offset_plan(conn: &Connection, case_id: i64) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT id FROM offset_plan WHERE case_id = ?1 AND status <> 'Cancelled' ORDER BY id DESC LIMIT 1",
            [case_id],
            |r| r.get(0),
        )
        .optional()?)
}

/// The number of the latest document of this kind registered for service on the case.
pub(crate) fn latest_service_number(
    conn: &Connection,
    case_id: i64,
    document: &str,
) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT document_number FROM document_service WHERE case_id = ?1 AND document = ?2
             ORDER BY id DESC LIMIT 1",
            params![case_id, document],
            |r| r.get(0),
        )
        .optional()?)
}

/// 行政处理决定书 / 行政处罚决定书 (000 art. 4, 附件4; 行政处罚法 art. 59): only once the case has a
/// decision of that kind; everything printed comes from that decision.
#[allow(clippy::too_many_arguments)]
fn decision_data(
    ctx: &Source<'_>,
    d: &CaseDetail,
    kind: DocumentKind,
    party: Party,
    lines: Vec<RecoveryLine>,
    facts: Vec<String>,
    violated_provisions: String,
    legal_basis: String,
    inspection_name: String,
    issuer: &str,
) -> Result<DecisionData> {
    let title = kind.title();
    let (wanted, what) = if kind == DocumentKind::PenaltyDecision {
        (DecisionKind::PenaltyDecision, "行政处罚决定")
    } else {
        (DecisionKind::HandlingDecision, "行政处理决定")
    };
    if d.case.track != Track::Administrative {
        return Err(ApiError::illegal(format!(
            "{title}由医疗保障行政部门作出（吉林通知第四条、附件4），协议处理案件不能开具"
        )));
    }
    let Some(dec) = d.decision.as_ref() else {
        return Err(ApiError::illegal(format!(
            "案件尚未作出{what}，不能开具{title}（吉林通知附件4；行政处罚法第五十九条：决定书载明已作出的决定）"
        )));
    };
    if dec.kind != wanted {
        let made = if dec.kind == DecisionKind::PenaltyDecision {
            "行政处罚决定书"
        } else {
            "行政处理决定书"
        };
        return Err(ApiError::illegal(format!(
            "案件尚未作出{what}：本案作出的是{}，请开具{made}（吉林通知附件4）",
            made.trim_end_matches('书')
        )));
    }
    let Some(deadline) = dec.payment_due else {
        return Err(ApiError::illegal(format!(
            "决定未载明缴费时限，不能开具{title}（行政处罚法第五十九条第四项：履行方式和期限）"
        )));
    };
    let evidence: Vec<String> = d
        .evidence
        .iter()
        .map(|e| e.description.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if evidence.is_empty() {
        return Err(ApiError::illegal(format!(
            "案件没有登记证据，不能开具{title}（行政处罚法第五十九条第二项：违法事实和证据）"
        )));
    }
    if party.address.trim().is_empty() {
        return Err(ApiError::illegal(format!(
            "当事人地址为空，不能开具{title}（行政处罚法第五十九条第一项），请先在登记信息中补充地址"
        )));
    }
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
    let settings = ctx.settings;
    Ok(DecisionData {
        issuer: issuer.to_string(),
        document_number: ctx.number.to_string(),
        party,
        inspection_date: d.case.filed_on,
        inspection_name,
        facts,
        evidence,
        statement_summary: statement_summary(d),
        violated_provisions,
        legal_basis,
        lines,
        fine,
        other_measures,
        deadline,
        fine_payment: "持本决定书通过非税收入缴款渠道缴纳".to_string(),
        agency: settings.agency(),
        government: settings.government(),
        court: settings.court(),
        // 行政处罚法 art. 59 (六): the date the decision was made, whenever it is printed.
        issue_date: dec.decided_on,
    })
}

/// A decided measure as one item of the decision: 限期整改：…, 中止服务协议3个月（…至…）.
fn measure_text(m: &Measure) -> String {
    measure_label(m.kind, m.months, m.starts_on, m.ends_on, &m.note)
}

/// A measure as printed: its label, months, period and note (proposed or decided alike).
fn measure_label(
    kind: MeasureKind,
    months: Option<u32>,
    starts_on: Option<NaiveDate>,
    ends_on: Option<NaiveDate>,
    note: &str,
) -> String {
    let mut s = kind.label().to_string();
    if let Some(n) = months.filter(|n| *n > 0) {
        s.push_str(&format!("{n}个月"));
    }
    if let (Some(a), Some(b)) = (starts_on, ends_on) {
        s.push_str(&format!("（{}至{}）", cn_date(a), cn_date(b)));
    }
    let note = note.trim();
    if !note.is_empty() {
        s.push_str(&format!("：{note}"));
    }
    s
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
                "我局于{}依法举行了听证，听证情况：{note}。",
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
        "我局于{}向{you}告知拟作出的处理决定及其事实、理由、依据和{you}依法享有的陈述、申辩权利{number}。{}",
        cn_date(notified.on),
        parts.join("")
    )
}

/// 抵扣通知书 (004 art. 10): the agency approved the institution's request to have the money
/// deducted from later monthly settlements; printed from the case's offset plan.
fn offset_notice(
    ctx: &Source<'_>,
    d: &CaseDetail,
    party: Party,
    contact: Contact,
) -> Result<Document> {
    let conn = ctx.conn;
    let Some(plan_id) = current_offset_plan(conn, d.case.id)? else {
        return Err(ApiError::illegal(
            "本案没有经审核同意的抵扣申请，不能开具抵扣通知书（天津办法第十条：定点医药机构在退缴时限内申请、经办机构审核同意后出具）",
        ));
    };
    let plan = offsets::get(conn, plan_id)?;
    let Some(slip_number) = latest_service_number(conn, d.case.id, "RecoverySlip")? else {
        return Err(ApiError::illegal(
            "本案尚未开具医疗保障基金追回通知单，不能开具抵扣通知书（天津办法第十条：抵扣的是通知单所列应追回基金）",
        ));
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
    let agency = ctx.settings.agency();
    Ok(Document::OffsetNotice(OffsetNoticeData {
        issuer: agency.name,
        document_number: ctx.number.to_string(),
        party,
        slip_number,
        application_date: plan.requested_on,
        lines,
        start_year: start.year,
        start_month: start.month,
        contact,
        issue_date: ctx.issued_on,
    }))
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

/// The 自查自纠退回明细单 of a self-correction record (004 附件2 for an institution, 附件3 for an
/// insured person); no case. Amounts are the record's lines as the form lays them out; the
/// receiving accounts are the office's (附件2–3 填表说明 1, 2); the title carries the region.
pub(crate) fn build_for_self_correction(
    ctx: &Source<'_>,
    id: i64,
    kind: DocumentKind,
) -> Result<Document> {
    let conn = ctx.conn;
    let sc = crate::ledger::self_correction::get(conn, id)
        .map_err(|e| ApiError::field("self_correction_id", e.message))?;
    let office = office_name(conn)?;
    let issuer = super::settings::region_of(&office).to_string();
    let settings = ctx.settings;
    // The form names the agency the record was handed to (004 art. 7, 9); its address is the
    // office's setting when it is that agency.
    let configured = settings.agency();
    let agency = if sc.agency.trim().is_empty() || sc.agency.trim() == configured.name {
        configured
    } else {
        Agency {
            name: sc.agency.trim().to_string(),
            address: String::new(),
        }
    };
    match (sc.party_kind, kind) {
        (PartyKind::Institution, DocumentKind::SelfRefundInstitution) => {
            let inst_id = sc
                .institution_id
                .ok_or_else(|| ApiError::internal("退回明细单没有定点医药机构"))?;
            let (name, code): (String, String) = conn.query_row(
                "SELECT name, code FROM institution WHERE id = ?1",
                [inst_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            // 附件2 has one section per basic fund (职工 / 居民), each 历年 and 当年 by 住院费 /
            // 门诊费 / 门特费 / 生育津贴; a section without money is ticked 不涉及此项.
            let mut employee: Option<SelfRefundSection> = None;
            let mut resident: Option<SelfRefundSection> = None;
            for l in &sc.lines {
                let section = match l.fund {
                    Fund::EmployeeBasic => employee.get_or_insert_with(Default::default),
                    Fund::ResidentBasic => resident.get_or_insert_with(Default::default),
                    other => {
                        return Err(ApiError::validation(format!(
                            "退回明细单（天津办法附件2）只有职工基本医保和居民基本医保两栏，本记录含{}，无法打印",
                            other.label()
                        )))
                    }
                };
                let slot = match (l.year_kind, l.category) {
                    (Some(YearKind::CurrentYear), Some(ExpenseCategory::Inpatient)) => {
                        &mut section.inpatient
                    }
                    (Some(YearKind::CurrentYear), Some(ExpenseCategory::Outpatient)) => {
                        &mut section.outpatient
                    }
                    (Some(YearKind::CurrentYear), Some(ExpenseCategory::SpecialOutpatient)) => {
                        &mut section.special_outpatient
                    }
                    (Some(YearKind::CurrentYear), Some(ExpenseCategory::MaternityAllowance)) => {
                        &mut section.maternity_allowance
                    }
                    // 历年 is not split by category (附件2 "——"); an unknown year is booked as
                    // cross-year (004 art. 12).
                    (Some(YearKind::PriorYears) | None, None) => &mut section.prior_years,
                    _ => {
                        return Err(ApiError::validation(format!(
                            "退回明细单（天津办法附件2）没有“{}”这一栏，无法打印",
                            l.label
                        )))
                    }
                };
                *slot = Some(slot.unwrap_or(Money::ZERO) + l.due);
            }
            Ok(Document::SelfRefundInstitution(SelfRefundInstitutionData {
                issuer,
                kind: match sc.organizer {
                    Organizer::Bureau => SelfCorrectionKind::Bureau {
                        organizer: sc.organizer_name.clone(),
                    },
                    Organizer::Agency => SelfCorrectionKind::Agency {
                        organizer: sc.organizer_name.clone(),
                    },
                    Organizer::SelfInitiated => SelfCorrectionKind::OnOwn,
                },
                institution_name: name,
                institution_code: code,
                employee,
                resident,
                contact: sc.contact.clone(),
                phone: sc.phone.clone(),
                employee_account: settings.employee_account.clone(),
                resident_account: settings.resident_account.clone(),
                agency,
            }))
        }
        (PartyKind::Insured, DocumentKind::SelfRefundInsured) => {
            let insured_id = sc
                .insured_id
                .ok_or_else(|| ApiError::internal("退回明细单没有参保人员"))?;
            let (name, id_number, phone): (String, String, String) = conn.query_row(
                "SELECT name, id_number, phone FROM insured WHERE id = ?1",
                [insured_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
            let fund = sc
                .scheme
                .ok_or_else(|| ApiError::internal("参保人员的退回明细单没有参保类别"))?;
            // 附件3: 转账汇款 or 银行临柜现金缴款 — the way the money handed in with the form was
            // paid (the latest valid payment), else 转账汇款, the usual way (004 art. 9).
            let payment = match sc
                .payments
                .iter()
                .rev()
                .find(|p| p.cancelled_on.is_none())
                .map(|p| p.method)
            {
                Some(crate::ledger::types::PaymentMethod::BankCounter) => {
                    InsuredPayment::CashAtCounter
                }
                _ => InsuredPayment::Transfer,
            };
            let agent = (!sc.agent_name.trim().is_empty()).then(|| Agent {
                name: sc.agent_name.clone(),
                id_number: sc.agent_id_number.clone(),
            });
            Ok(Document::SelfRefundInsured(SelfRefundInsuredData {
                issuer,
                name,
                id_number,
                fund,
                amount: sc.totals.due,
                payment,
                agent,
                phone: if sc.phone.trim().is_empty() {
                    phone
                } else {
                    sc.phone.clone()
                },
                employee_account: settings.employee_account.clone(),
                resident_account: settings.resident_account.clone(),
                agency,
            }))
        }
        (PartyKind::Institution, _) => Err(ApiError::field(
            "kind",
            "该退回明细单由定点医药机构填报，应打印定点医药机构的退回明细单（天津办法附件2），不能打印参保人员的（附件3）",
        )),
        (PartyKind::Insured, _) => Err(ApiError::field(
            "kind",
            "该退回明细单由参保人员填报，应打印参保人员的退回明细单（天津办法附件3），不能打印定点医药机构的（附件2）",
        )),
    }
}
