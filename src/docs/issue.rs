//! Issuing documents from a case: the [`Document`] is built from the database (party, findings,
//! recovery lines, notification, decision, sign-off names, office name), numbered inside the write
//! transaction, and stored with its input snapshot and the PDF's sha256 so that a reprint is
//! byte-identical (`document.preview|issue|print|list`).
//!
//! Kinds a case can issue now: 责令退款通知书, 追回通知单, 陈述申辩告知书, 送达回证. The others
//! (decisions, 追回通知书, 抵扣通知书, 自查自纠明细单) are refused with a Chinese message.

use std::collections::BTreeMap;

use base64::Engine as _;
use chrono::{Datelike, NaiveDate};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use super::documents::*;
use super::{render, DocumentKind, MissingGlyphs, NumberingSettings, RenderOptions};
use crate::calendar::WorkCalendar;
use crate::cases::cases::CaseStatus;
use crate::cases::procedure::{self, CaseDetail};
use crate::cases::users;
use crate::error::{ApiError, Result};
use crate::registry::{enum_from, enum_text};
use crate::store::{now_text, Tx};

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct DocumentRequest {
    pub case_id: i64,
    #[ts(optional = nullable)]
    pub kind: Option<DocumentKind>,
    /// 成文日期 (issue) / the date printed on a preview (default: today).
    #[ts(optional = nullable)]
    pub issued_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DocumentPreview {
    pub pdf_base64: String,
    pub pages: usize,
    /// Characters no installed font has (printed without them in the preview).
    pub missing_glyphs: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct IssuedPdf {
    pub id: i64,
    pub number: String,
    pub pdf_base64: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct IssuedDocument {
    pub id: i64,
    pub uid: String,
    #[ts(optional = nullable)]
    pub case_id: Option<i64>,
    pub kind: DocumentKind,
    pub title: String,
    pub year: i32,
    pub seq: u32,
    pub number: String,
    pub sha256: String,
    pub issued_on: NaiveDate,
    pub issued_by: String,
    /// How many times it was printed again (`document.print`).
    pub prints: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct DocumentListQuery {
    #[ts(optional = nullable)]
    pub case_id: Option<i64>,
}

fn kind_of(r: &DocumentRequest) -> Result<DocumentKind> {
    r.kind
        .ok_or_else(|| ApiError::field("kind", "请选择文书种类"))
}

/// 机关代字 of a kind. There is no office setting for it yet: the first two characters of the
/// office name + 医保 + a tag per kind (e.g. 天津医保责退〔2026〕1号).
fn prefix(office_name: &str, kind: DocumentKind) -> String {
    let short: String = office_name.chars().take(2).collect();
    let tag = match kind {
        DocumentKind::RefundOrder => "责退",
        DocumentKind::RecoveryNotice => "追",
        DocumentKind::RecoverySlip => "追单",
        DocumentKind::HandlingDecision => "处决",
        DocumentKind::PenaltyDecision => "罚决",
        DocumentKind::SelfRefundInstitution | DocumentKind::SelfRefundInsured => "自纠",
        DocumentKind::OffsetNotice => "抵",
        DocumentKind::StatementNotice => "告",
        DocumentKind::ServiceReceipt => "送",
    };
    format!("{short}医保{tag}")
}

fn office_name(conn: &Connection) -> Result<String> {
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

/// Build the document of `kind` for a case, numbered `number`. Refuses (ILLEGAL_STEP) a kind that
/// does not fit the case's stage.
pub fn build_for_case(
    conn: &Connection,
    cal: &WorkCalendar,
    case_id: i64,
    kind: DocumentKind,
    number: &dyn Fn(&str) -> String,
    issued_on: NaiveDate,
) -> Result<Document> {
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
        phone: String::new(),
        address: String::new(),
    };
    let agency = Agency {
        name: issuer.clone(),
        address: String::new(),
    };
    let number = number(&prefix(&issuer, kind));
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

fn opts(missing: MissingGlyphs) -> RenderOptions {
    RenderOptions {
        missing_glyphs: missing,
        ..RenderOptions::default()
    }
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn sha_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// `document.preview`: the PDF with a blank number (〔2026〕　　号), no write.
pub fn preview(
    conn: &Connection,
    cal: &WorkCalendar,
    r: &DocumentRequest,
    today: NaiveDate,
) -> Result<DocumentPreview> {
    let kind = kind_of(r)?;
    let on = r.issued_on.unwrap_or(today);
    let doc = build_for_case(
        conn,
        cal,
        r.case_id,
        kind,
        &|p| format!("{p}〔{}〕　　号", on.year()),
        on,
    )?;
    let pdf = render(&doc, &opts(MissingGlyphs::Omit))?;
    Ok(DocumentPreview {
        pdf_base64: b64(&pdf.bytes),
        pages: pdf.pages,
        missing_glyphs: pdf.missing_glyphs.iter().map(|c| c.to_string()).collect(),
    })
}

/// `document.issue`: allocate the next number of (kind, year) in this transaction, render (refusing
/// missing glyphs), store the snapshot and the PDF's sha256.
pub fn issue(
    tx: &mut Tx<'_>,
    cal: &WorkCalendar,
    actor: &str,
    r: &DocumentRequest,
) -> Result<IssuedPdf> {
    let kind = kind_of(r)?;
    let on = r
        .issued_on
        .ok_or_else(|| ApiError::field("issued_on", "请填写成文日期"))?;
    let year = on.year();
    // Issued documents are never deleted, so MAX + 1 never reuses a number.
    let seq: u32 = tx.query_row(
        "SELECT COALESCE(MAX(seq), 0) + 1 FROM issued_document WHERE kind = ?1 AND year = ?2",
        params![enum_text(&kind), year],
        |r| r.get(0),
    )?;
    let settings = NumberingSettings::default();
    let numbered = std::cell::RefCell::new(None);
    let doc = build_for_case(
        tx,
        cal,
        r.case_id,
        kind,
        &|p| {
            let n = settings.format(kind, p, year, seq);
            let text = n.as_ref().cloned().unwrap_or_default();
            *numbered.borrow_mut() = Some(n);
            text
        },
        on,
    )?;
    let number = numbered
        .into_inner()
        .ok_or_else(|| ApiError::internal("文号未生成"))??;
    let pdf = render(&doc, &opts(MissingGlyphs::Refuse))?;
    let data = serde_json::to_string(&doc).map_err(|e| ApiError::internal(e.to_string()))?;
    let (id, uid) = crate::ledger::matter::next_uid(tx, "issued_document", "D")?;
    tx.execute(
        "INSERT INTO issued_document (id, uid, case_id, kind, year, seq, number, data, sha256, issued_on, issued_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            id,
            uid,
            r.case_id,
            enum_text(&kind),
            year,
            seq,
            number,
            data,
            sha_hex(&pdf.bytes),
            on.to_string(),
            actor
        ],
    )?;
    tx.touch("issued_document", id);
    Ok(IssuedPdf {
        id,
        number,
        pdf_base64: b64(&pdf.bytes),
    })
}

/// `document.print`: render again from the stored snapshot; the bytes must hash to the stored
/// sha256 (a byte-identical reprint); each print is recorded.
pub fn print(tx: &mut Tx<'_>, actor: &str, id: i64) -> Result<IssuedPdf> {
    let row: Option<(String, String, String)> = tx
        .query_row(
            "SELECT number, data, sha256 FROM issued_document WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((number, data, sha)) = row else {
        return Err(ApiError::field("id", "文书不存在"));
    };
    let doc: Document = serde_json::from_str(&data)
        .map_err(|e| ApiError::internal(format!("文书存档无法读取：{e}")))?;
    let pdf = render(&doc, &opts(MissingGlyphs::Refuse))?;
    if sha_hex(&pdf.bytes) != sha {
        return Err(ApiError::internal(
            "重新生成的文书与存档不一致（可能更换了字体或程序版本），未打印",
        ));
    }
    let before: i64 = tx.query_row(
        "SELECT COUNT(*) FROM document_print WHERE document_id = ?1",
        [id],
        |r| r.get(0),
    )?;
    tx.execute(
        "INSERT INTO document_print (document_id, printed_at, actor, reprint) VALUES (?1, ?2, ?3, ?4)",
        params![id, now_text(), actor, (before > 0) as i64],
    )?;
    let pid = tx.last_insert_rowid();
    tx.touch("document_print", pid);
    Ok(IssuedPdf {
        id,
        number,
        pdf_base64: b64(&pdf.bytes),
    })
}

/// `document.list`: issued documents, of one case or all, in issue order.
pub fn list(conn: &Connection, q: &DocumentListQuery) -> Result<Vec<IssuedDocument>> {
    let mut stmt = conn.prepare(
        "SELECT d.id, d.uid, d.case_id, d.kind, d.year, d.seq, d.number, d.sha256, d.issued_on, d.issued_by,
                (SELECT COUNT(*) FROM document_print p WHERE p.document_id = d.id)
         FROM issued_document d WHERE ?1 IS NULL OR d.case_id = ?1 ORDER BY d.id",
    )?;
    let rows = stmt.query_map([q.case_id], |r| {
        let kind: DocumentKind = enum_from(r.get(3)?);
        let on: String = r.get(8)?;
        Ok(IssuedDocument {
            id: r.get(0)?,
            uid: r.get(1)?,
            case_id: r.get(2)?,
            kind,
            title: kind.title().to_string(),
            year: r.get(4)?,
            seq: r.get(5)?,
            number: r.get(6)?,
            sha256: r.get(7)?,
            issued_on: on.parse().unwrap_or_default(),
            issued_by: r.get(9)?,
            prints: r.get(10)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}
