//! Filling documents from the database, the part every kind shares: the [`Source`] (database,
//! calendar, settings, number, date), the case read once into [`CaseFacts`] (party, findings,
//! recovery lines, decision, office name) or a self-correction record into
//! [`SelfCorrectionFacts`], and the lookups several kinds use. Each kind fills its own data and
//! refuses before the stage the seed requires in `kinds/<kind>.rs` (`Kind::from_case`, e.g. no
//! 责令退款通知书 before the decision, 000 附件1).

use crate::cases::Rule;
use chrono::{Datelike, NaiveDate};
use rusqlite::{params, Connection, OptionalExtension};

use super::documents::{Agency, Contact, Document, Party, PartyKind, RecoveryLine};
use super::kinds;
use super::settings::DocumentSettings;
use super::DocumentKind;
use crate::cases::cases::CaseStatus;
use crate::cases::measures::MeasureKind;
use crate::cases::procedure::{self, CaseDetail, Decision};
use crate::cases::users;
use crate::cases::Ctx as CaseCtx;
use crate::error::{ApiError, Result};
use crate::ledger::types::SelfCorrection;
use crate::vocab::dates::cn_date;

/// Where a document is filled from (not the case module's `cases::Ctx`, which it holds as `cal`):
/// the database, the calendar, the office's document settings, the number the document carries
/// and its date.
pub struct Source<'a> {
    pub conn: &'a Connection,
    pub cal: &'a CaseCtx<'a>,
    pub settings: &'a DocumentSettings,
    pub number: &'a str,
    pub issued_on: NaiveDate,
    /// The service a 送达回证 is for (one receipt per document served; `DocumentRequest.service_id`).
    pub service_id: Option<i64>,
}

/// What the kinds filled from a case start from: the case as the procedure reports it and what
/// several kinds print the same way.
pub struct CaseFacts {
    pub case_id: i64,
    /// The office's name (发文机关).
    pub issuer: String,
    pub detail: CaseDetail,
    pub party: Party,
    pub lines: Vec<RecoveryLine>,
    /// The findings' descriptions (违法事实).
    pub findings: Vec<String>,
    /// The findings' rules broken, each once, joined with 、.
    pub violated_provisions: String,
    /// The decision's basis, else 条例 art. 38.
    pub legal_basis: String,
    /// The rule set the case was filed under: what refusals and papers cite (issue 9).
    pub rules: crate::cases::RuleSet,
    pub inspection_name: String,
    /// The case's handler with the office's phone.
    pub contact: Contact,
    pub agency: Agency,
    /// The number the document carries (`Source::number`).
    pub number: String,
    /// Decided, executing or closed.
    pub decided: bool,
}

impl CaseFacts {
    fn load(src: &Source<'_>, case_id: i64) -> Result<CaseFacts> {
        let Source {
            conn,
            cal,
            settings,
            ..
        } = *src;
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
        let decided = matches!(
            d.case.status,
            CaseStatus::Decided | CaseStatus::Executing | CaseStatus::Closed
        );
        Ok(CaseFacts {
            case_id,
            issuer,
            party,
            lines,
            findings,
            violated_provisions: violated_provisions(&d),
            legal_basis,
            rules: crate::cases::rules::for_case(src.conn, case_id)?,
            inspection_name,
            contact,
            agency: settings.agency(),
            number: src.number.to_string(),
            decided,
            detail: d,
        })
    }

    /// The decision a document carrying its amounts and 缴费时限 is issued on (000 art. 3 and
    /// 附件1/3, 004 art. 8: the order to refund and the slip are not issued before the case is
    /// decided), with that 缴费时限.
    pub fn payment_terms(&self, title: &str) -> Result<(Decision, NaiveDate)> {
        let Some(dec) = self.detail.decision.as_ref().filter(|_| self.decided) else {
            return Err(ApiError::illegal(format!(
                "案件尚未作出处理决定，不能开具{}{}",
                title,
                self.rules.cite_with(
                    Rule::RecoveryTerms,
                    "责令退款和追回以处理决定确定的金额和缴费时限为准"
                )
            )));
        };
        if self.lines.is_empty() {
            return Err(ApiError::illegal(format!(
                "案件没有应追回的金额，不能开具{}",
                title
            )));
        }
        let Some(deadline) = dec.payment_due else {
            return Err(ApiError::illegal(format!(
                "处理决定未载明缴费时限{}，不能开具退款、追回文书",
                self.rules.cite(Rule::RecoveryTerms)
            )));
        };
        Ok((dec.clone(), deadline))
    }
}

/// The rules the findings broke, each once, in the findings' order.
fn violated_provisions(d: &CaseDetail) -> String {
    let mut provisions: Vec<String> = Vec::new();
    for f in &d.findings {
        let r = f.rule_broken.trim();
        if !r.is_empty() && !provisions.iter().any(|p| p == r) {
            provisions.push(r.to_string());
        }
    }
    provisions.join("、")
}

/// Build the document of `kind` for a case. Refuses (ILLEGAL_STEP, with the seed's reason) a kind
/// that does not fit the case's stage, so the same call answers "can this be issued now?".
pub fn build_for_case(src: &Source<'_>, case_id: i64, kind: DocumentKind) -> Result<Document> {
    let case = CaseFacts::load(src, case_id)?;
    kinds::from_case(kind, src, case)
}

/// A self-correction record (自查自纠) with what both of its forms print the same way.
pub struct SelfCorrectionFacts {
    pub record: SelfCorrection,
    /// The region of the office (某某县), the prefix of the form's title.
    pub issuer: String,
    /// The agency the record was handed to (004 art. 7, 9).
    pub agency: Agency,
}

impl SelfCorrectionFacts {
    fn load(src: &Source<'_>, id: i64) -> Result<SelfCorrectionFacts> {
        let conn = src.conn;
        let sc = crate::ledger::self_correction::get(conn, id)
            .map_err(|e| ApiError::field("self_correction_id", e.message))?;
        let office = office_name(conn)?;
        let issuer = super::settings::region_of(&office).to_string();
        // The form names the agency the record was handed to (004 art. 7, 9); its address is the
        // office's setting when it is that agency.
        let configured = src.settings.agency();
        let agency = if sc.agency.trim().is_empty() || sc.agency.trim() == configured.name {
            configured
        } else {
            Agency {
                name: sc.agency.trim().to_string(),
                address: String::new(),
            }
        };
        Ok(SelfCorrectionFacts {
            record: sc,
            issuer,
            agency,
        })
    }

    /// Who filed the record: an institution (附件2) or an insured person (附件3).
    pub fn party_kind(&self) -> PartyKind {
        self.record.party_kind
    }
}

/// The 自查自纠退回明细单 of a self-correction record (004 附件2 for an institution, 附件3 for an
/// insured person); no case. Amounts are the record's lines as the form lays them out; the
/// receiving accounts are the office's (附件2–3 填表说明 1, 2); the title carries the region.
pub(crate) fn build_for_self_correction(
    src: &Source<'_>,
    id: i64,
    kind: DocumentKind,
) -> Result<Document> {
    let sc = SelfCorrectionFacts::load(src, id)?;
    kinds::from_self_correction(kind, src, sc)
}

// ---------------------------------------------------------------------------------------------
// Lookups several kinds use.

pub(crate) fn office_name(conn: &Connection) -> Result<String> {
    crate::store::office_code(conn)?;
    Ok(conn.query_row("SELECT name FROM office WHERE id = 1", [], |r| r.get(0))?)
}

pub(crate) fn user_name(conn: &Connection, id: i64) -> Result<String> {
    Ok(users::get(conn, id)?.display_name)
}

fn party(conn: &Connection, d: &CaseDetail) -> Result<Party> {
    if let Some(id) = d.case.institution_id {
        Ok(conn.query_row(
            "SELECT name, code, credit_code, legal_rep, address, contact, contact_person FROM institution WHERE id = ?1",
            [id],
            |r| {
                Ok(Party {
                    kind: PartyKind::Institution,
                    name: r.get(0)?,
                    code: r.get(1)?,
                    credit_code: r.get(2)?,
                    legal_representative: r.get(3)?,
                    address: r.get(4)?,
                    contact: r.get::<_, Option<String>>(6)?.unwrap_or_default(),
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

/// The number of the latest document of this kind registered for service on the case
/// (`document_service`: by `case.issue_document`, `case.decide` or `document.issue`).
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

/// A measure as printed: its label, months, period and note (proposed or decided alike).
pub(crate) fn measure_label(
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
