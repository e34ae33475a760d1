//! Issuing documents from a case: the [`Document`] is built from the database (party, findings,
//! recovery lines, notification, decision, sign-off names, office name), numbered inside the write
//! transaction, and stored with its input snapshot and the PDF's sha256 so that a reprint is
//! byte-identical (`document.preview|issue|print|list`).
//!
//! Numbers: a document whose number the procedure already holds (the 告知书 of `case.notify`, the
//! 决定书 of `case.decide`, a 责令退款通知书 / 追回通知单 registered by `case.issue_document`)
//! prints that number; any other gets the next number of its kind and year (settings.rs), and a
//! 责令退款通知书 / 追回通知单 issued here is registered for service in the same transaction, so
//! its 送达 clock starts. `document.options` tells the UI which kinds a case can issue now and why
//! not the others.

use base64::Engine as _;
use chrono::{Datelike, NaiveDate};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use super::documents::*;
use super::settings::{self, DocumentSettings};
use super::sources::{build_for_case, current_offset_plan, latest_service_number, Source};
use super::{render, render_batch, DocumentKind, MissingGlyphs, RenderOptions, Templates};
use crate::cases::procedure::{self, IssueInput, ServedDocumentKind};
use crate::cases::Ctx as CaseCtx;
use crate::error::{ApiError, Result};
use crate::store::{now_text, Tx};
use crate::vocab::dates::cn_date;
use crate::vocab::text::{enum_from, enum_text};

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct DocumentRequest {
    /// The case (every kind but the self-correction forms).
    #[ts(optional = nullable)]
    pub case_id: Option<i64>,
    /// The self-correction record (自查自纠退回明细单).
    #[ts(optional = nullable)]
    pub self_correction_id: Option<i64>,
    #[ts(optional = nullable)]
    pub kind: Option<DocumentKind>,
    /// 成文日期 (issue) / the date printed on a preview (default: today).
    #[ts(optional = nullable)]
    pub issued_on: Option<NaiveDate>,
    /// 送达回证: the document served it is for (one receipt per document, `DocumentOption.service_id`).
    #[ts(optional = nullable)]
    pub service_id: Option<i64>,
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
    /// Issued before its paper's fingerprint was kept and no longer byte-identical: rendered
    /// again from the data kept at issue by this version, which cannot prove the layout unchanged
    /// (the screen says so).
    pub regenerated: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct IssuedDocument {
    pub id: i64,
    pub uid: String,
    #[ts(optional = nullable)]
    pub case_id: Option<i64>,
    /// The self-correction record of a 自查自纠退回明细单.
    #[ts(optional = nullable)]
    pub self_correction_id: Option<i64>,
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
    #[ts(optional = nullable)]
    pub self_correction_id: Option<i64>,
}

/// What a case can issue now (`document.options`): one entry per kind a case has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DocumentOption {
    pub kind: DocumentKind,
    pub title: String,
    pub available: bool,
    /// Why it cannot be issued now (Chinese), when not available.
    pub reason: String,
    /// The number it carries when the procedure already gave it one (告知书, 决定书 …).
    #[ts(optional = nullable)]
    pub number: Option<String>,
    /// The date of the step the document records (告知, 决定, 出具, 抵扣审核同意): its default
    /// 成文日期 and the earliest one accepted (issue 9).
    #[ts(optional = nullable)]
    pub step_date: Option<NaiveDate>,
    /// The 成文日期 must be `step_date` (the procedure numbered the document on that date and its
    /// service clock runs from it).
    pub date_fixed: bool,
    /// 送达回证: the document served this receipt is for (one option per document).
    #[ts(optional = nullable)]
    pub service_id: Option<i64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct BatchRequest {
    /// Issued documents, printed in this order.
    pub ids: Vec<i64>,
    /// Printing on both sides: a blank page after each notice with an odd page count.
    pub duplex: bool,
    /// Follow the batch under this id (`job.progress`, `job.cancel`).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub job: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct BatchPdf {
    pub pdf_base64: String,
    pub pages: usize,
    pub count: usize,
}

/// What is stored of an issued document: its input and the wording in force that day, so that a
/// reprint after the office edits its templates is still the same paper.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Snapshot {
    document: Document,
    #[serde(default)]
    template: Option<String>,
}

impl Snapshot {
    fn parse(data: &str) -> Result<Snapshot> {
        serde_json::from_str::<Snapshot>(data)
            .or_else(|_| {
                // Documents issued before templates were stored: the input alone.
                serde_json::from_str::<Document>(data).map(|document| Snapshot {
                    document,
                    template: None,
                })
            })
            .map_err(|e| ApiError::internal(format!("文书存档无法读取：{e}")))
    }

    fn options(&self) -> RenderOptions {
        let mut templates = Templates::default();
        if let Some(t) = &self.template {
            templates.overrides.insert(self.document.kind(), t.clone());
        }
        RenderOptions {
            templates,
            missing_glyphs: MissingGlyphs::Refuse,
            ..RenderOptions::default()
        }
    }
}

/// The kinds issued from a case (the self-correction forms have none).
pub const CASE_KINDS: [DocumentKind; 14] = [
    DocumentKind::InspectionRecord,
    DocumentKind::RegistrationNotice,
    DocumentKind::SealingDecision,
    DocumentKind::SealingExtensionNotice,
    DocumentKind::StatementNotice,
    DocumentKind::HandlingDecision,
    DocumentKind::PenaltyDecision,
    DocumentKind::AgreementDecision,
    DocumentKind::RefundOrder,
    DocumentKind::RecoveryNotice,
    DocumentKind::RecoverySlip,
    DocumentKind::OffsetNotice,
    DocumentKind::DemandNotice,
    DocumentKind::ServiceReceipt,
];

fn kind_of(r: &DocumentRequest) -> Result<DocumentKind> {
    r.kind
        .ok_or_else(|| ApiError::field("kind", "请选择文书种类"))
}

fn is_self_correction(kind: DocumentKind) -> bool {
    matches!(
        kind,
        DocumentKind::SelfRefundInstitution | DocumentKind::SelfRefundInsured
    )
}

/// The procedure's record of a document kind (served on the party, with a 送达 clock).
/// (The inverse of `ServedDocumentKind::printed`, so the two never disagree.)
fn served_kind(kind: DocumentKind) -> Option<ServedDocumentKind> {
    ServedDocumentKind::ALL
        .into_iter()
        .find(|s| s.printed() == Some(kind))
}

/// The number the procedure already gave this kind of document of the case: the latest
/// 告知书 / 决定书 / registered 责令退款通知书 or 通知单, or the offset plan's 抵扣通知书.
fn procedure_number(conn: &Connection, case_id: i64, kind: DocumentKind) -> Result<Option<String>> {
    if kind == DocumentKind::OffsetNotice {
        return match current_offset_plan(conn, case_id)? {
            Some(id) => Ok(Some(crate::ledger::offsets::get(conn, id)?.notice_number)),
            None => Ok(None),
        };
    }
    match served_kind(kind) {
        Some(served) => latest_service_number(conn, case_id, &enum_text(&served)),
        None => Ok(None),
    }
}

/// The date of the step a case document records (issue 9: the 成文日期 tells the truth), with what
/// it is called and whether the document must carry exactly that date: a document whose number the
/// procedure holds (告知书, 决定书, a registered 通知单) carries the date of its step, from which its
/// service clock runs; a 抵扣通知书 is dated on or after the approval.
fn step_date(
    conn: &Connection,
    case_id: i64,
    kind: DocumentKind,
) -> Result<Option<(NaiveDate, &'static str, bool)>> {
    if kind == DocumentKind::OffsetNotice {
        return match current_offset_plan(conn, case_id)? {
            Some(id) => Ok(Some((
                crate::ledger::offsets::get(conn, id)?.approved_on,
                "抵扣审核同意日期",
                false,
            ))),
            None => Ok(None),
        };
    }
    if kind == DocumentKind::SealingExtensionNotice {
        // The extension's paper records the extension (行政强制法 art. 25).
        let on: Option<String> = conn
            .query_row(
                "SELECT extended_on FROM evidence_hold WHERE case_id = ?1 AND kind = 'Sealing'
                   AND extended_days > 0 ORDER BY id DESC LIMIT 1",
                [case_id],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        return Ok(match on {
            Some(d) => Some((crate::cases::parse_stored_date(&d)?, "延长决定日期", true)),
            None => None,
        });
    }
    if let Some((hold, what)) = match kind {
        DocumentKind::RegistrationNotice => Some(("Registration", "登记保存日期")),
        DocumentKind::SealingDecision => Some(("Sealing", "封存日期")),
        _ => None,
    } {
        // A hold's paper is handed over when the hold starts (001 art. 36(二)).
        let on: Option<String> = conn
            .query_row(
                "SELECT started_on FROM evidence_hold WHERE case_id = ?1 AND kind = ?2
                 ORDER BY id DESC LIMIT 1",
                params![case_id, hold],
                |r| r.get(0),
            )
            .optional()?;
        return Ok(match on {
            Some(d) => Some((crate::cases::parse_stored_date(&d)?, what, true)),
            None => None,
        });
    }
    if kind == DocumentKind::DemandNotice {
        // The 催告书 records the demand (执行与缴款 · 催告): its date is the demand's.
        let on: Option<String> = conn
            .query_row(
                "SELECT demand_issued_on FROM referral WHERE case_id = ?1 AND kind = 'CourtEnforcement'
                   AND status = 'Demanded' ORDER BY id DESC LIMIT 1",
                [case_id],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        return Ok(match on {
            Some(d) => Some((crate::cases::parse_stored_date(&d)?, "催告日期", true)),
            None => None,
        });
    }
    let Some(served) = served_kind(kind) else {
        return Ok(None);
    };
    let on: Option<String> = conn
        .query_row(
            "SELECT issued_on FROM document_service WHERE case_id = ?1 AND document = ?2
             ORDER BY id DESC LIMIT 1",
            params![case_id, enum_text(&served)],
            |r| r.get(0),
        )
        .optional()?;
    let what = match kind {
        DocumentKind::StatementNotice => "告知日期",
        DocumentKind::RefundOrder | DocumentKind::RecoverySlip => "出具日期",
        _ => "决定日期",
    };
    Ok(match on {
        Some(d) => Some((crate::cases::parse_stored_date(&d)?, what, true)),
        None => None,
    })
}

/// The 成文日期 of a document: the one asked for, else the date of the step it records — never
/// silently today; refused when before that step, different from a step date the procedure fixed,
/// or after today.
fn document_date(
    conn: &Connection,
    r: &DocumentRequest,
    kind: DocumentKind,
    today: NaiveDate,
) -> Result<NaiveDate> {
    let step = match r.case_id {
        Some(case_id) if !is_self_correction(kind) => step_date(conn, case_id, kind)?,
        _ => None,
    };
    let on = match (r.issued_on, step) {
        (Some(d), _) => d,
        (None, Some((d, _, _))) => d,
        (None, None) => return Err(ApiError::field("issued_on", "请填写成文日期")),
    };
    if on > today {
        return Err(ApiError::field(
            "issued_on",
            format!("成文日期{}晚于今天，文书不能预先开具", cn_date(on)),
        ));
    }
    if let Some((d, what, fixed)) = step {
        if on < d {
            return Err(ApiError::field(
                "issued_on",
                format!(
                    "成文日期{}早于{what}{}，请改为{what}或其后的日期",
                    cn_date(on),
                    cn_date(d)
                ),
            ));
        }
        if fixed && on != d {
            return Err(ApiError::field(
                "issued_on",
                format!(
                    "{}的{what}为{}，成文日期应与之一致（已开具清单、文书和送达期限使用同一日期）",
                    kind.title(),
                    cn_date(d)
                ),
            ));
        }
    }
    Ok(on)
}

/// An issued document of this case with this kind and number, when there is one.
fn issued_as(conn: &Connection, case_id: i64, kind: DocumentKind, number: &str) -> Result<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM issued_document WHERE case_id = ?1 AND kind = ?2 AND number = ?3",
            params![case_id, enum_text(&kind), number],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

fn already_issued(kind: DocumentKind, number: &str) -> ApiError {
    ApiError::illegal(format!(
        "本案已开具{}（{number}），如需再次打印，请在“已开具文书”中点击“重新打印”",
        kind.title()
    ))
}

fn build(ctx: &Source<'_>, r: &DocumentRequest, kind: DocumentKind) -> Result<Document> {
    if is_self_correction(kind) {
        let id = r
            .self_correction_id
            .ok_or_else(|| ApiError::field("self_correction_id", "请选择自查自纠记录"))?;
        super::sources::build_for_self_correction(ctx, id, kind)
    } else {
        let case_id = r
            .case_id
            .ok_or_else(|| ApiError::field("case_id", "请选择案件"))?;
        build_for_case(ctx, case_id, kind)
    }
}

fn opts(missing: MissingGlyphs, settings: &DocumentSettings) -> RenderOptions {
    RenderOptions {
        templates: settings.templates(),
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

/// `document.options`: for each kind a case has, whether it can be issued now, and if not why.
pub fn options(
    conn: &Connection,
    cal: &CaseCtx<'_>,
    case_id: i64,
    today: NaiveDate,
) -> Result<Vec<DocumentOption>> {
    let settings = settings::load(conn)?;
    let mut out = Vec::new();
    for kind in CASE_KINDS {
        if kind == DocumentKind::ServiceReceipt {
            out.extend(receipt_options(conn, cal, &settings, case_id, today)?);
            continue;
        }
        let number = procedure_number(conn, case_id, kind)?;
        let blank = settings.blank_number(kind, today.year());
        let step = step_date(conn, case_id, kind)?;
        let on = step.map_or(today, |(d, _, _)| d);
        let result = match &number {
            Some(n) if issued_as(conn, case_id, kind, n)? => Err(already_issued(kind, n)),
            _ => build_for_case(
                &Source {
                    conn,
                    cal,
                    settings: &settings,
                    number: number.as_deref().unwrap_or(&blank),
                    issued_on: on,
                    service_id: None,
                },
                case_id,
                kind,
            )
            .map(|_| ()),
        };
        if let Err(e) = &result {
            if e.field.as_deref() == Some("case_id") {
                return Err(e.clone());
            }
        }
        out.push(DocumentOption {
            kind,
            title: kind.title().to_string(),
            available: result.is_ok(),
            reason: result.err().map(|e| e.message).unwrap_or_default(),
            number,
            step_date: step.map(|(d, _, _)| d),
            date_fixed: step.is_some_and(|(_, _, fixed)| fixed),
            service_id: None,
        });
    }
    Ok(out)
}

/// The 送达回证 a case can issue: one per document registered for service (行政处罚法 art. 61; each
/// receipt records the service of one document and carries its own number). A case with nothing to
/// serve gets one row saying why.
fn receipt_options(
    conn: &Connection,
    cal: &CaseCtx<'_>,
    settings: &DocumentSettings,
    case_id: i64,
    today: NaiveDate,
) -> Result<Vec<DocumentOption>> {
    let kind = DocumentKind::ServiceReceipt;
    let blank = settings.blank_number(kind, today.year());
    let services = crate::cases::procedure::services(conn, cal, case_id)?;
    let check = |service_id: Option<i64>| -> Result<()> {
        let src = Source {
            conn,
            cal,
            settings,
            number: &blank,
            issued_on: today,
            service_id,
        };
        build_for_case(&src, case_id, kind).map(|_| ())
    };
    let mut out = Vec::new();
    let mut row = |service_id: Option<i64>, title: String, result: Result<()>| {
        out.push(DocumentOption {
            kind,
            title,
            available: result.is_ok(),
            reason: result.err().map(|e| e.message).unwrap_or_default(),
            number: None,
            step_date: None,
            date_fixed: false,
            service_id,
        });
    };
    if services.is_empty() {
        row(None, kind.title().to_string(), check(None));
        return Ok(out);
    }
    for s in services {
        let title = format!(
            "{}（{}{}）",
            kind.title(),
            s.document.label(),
            s.document_number
        );
        let result = match receipt_issued_for(conn, s.id)? {
            Some(n) => Err(receipt_already_issued(&s, &n)),
            None => check(Some(s.id)),
        };
        row(Some(s.id), title, result);
    }
    Ok(out)
}

/// The number of the 送达回证 already issued for a service, if any.
fn receipt_issued_for(conn: &Connection, service_id: i64) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT number FROM issued_document WHERE kind = 'ServiceReceipt' AND service_id = ?1",
            [service_id],
            |r| r.get(0),
        )
        .optional()?)
}

fn receipt_already_issued(s: &crate::cases::procedure::DocumentService, number: &str) -> ApiError {
    ApiError::illegal(format!(
        "{}（{}）的送达回证已开具（{number}），如需再次打印，请在“已开具文书”中点击“重新打印”",
        s.document.label(),
        s.document_number
    ))
}

/// `document.preview`: the PDF as it would be issued today (or on `issued_on`), no write. A number
/// not yet allocated prints blank (某医保告〔2026〕　　号); characters no font has are left out
/// and listed.
pub fn preview(
    conn: &Connection,
    cal: &CaseCtx<'_>,
    r: &DocumentRequest,
    today: NaiveDate,
) -> Result<DocumentPreview> {
    let kind = kind_of(r)?;
    let on = match r.case_id {
        Some(case_id) if r.issued_on.is_none() && !is_self_correction(kind) => {
            step_date(conn, case_id, kind)?
                .map(|(d, _, _)| d)
                .unwrap_or(today)
        }
        _ => r.issued_on.unwrap_or(today),
    };
    let settings = settings::load(conn)?;
    let number = match r.case_id {
        Some(case_id) if !is_self_correction(kind) => procedure_number(conn, case_id, kind)?,
        _ => None,
    }
    .unwrap_or_else(|| settings.blank_number(kind, on.year()));
    let ctx = Source {
        conn,
        cal,
        settings: &settings,
        number: &number,
        issued_on: on,
        service_id: r.service_id,
    };
    let doc = build(&ctx, r, kind)?;
    let pdf = render(&doc, &opts(MissingGlyphs::Omit, &settings))?;
    Ok(DocumentPreview {
        pdf_base64: b64(&pdf.bytes),
        pages: pdf.pages,
        missing_glyphs: pdf.missing_glyphs.iter().map(|c| c.to_string()).collect(),
    })
}

/// `document.issue`: number the document (the procedure's number, or the next of its kind and
/// year), render it (refusing characters no font has), store the snapshot and the PDF's sha256; a
/// 责令退款通知书 / 追回通知单 numbered here is also registered for service (`case.issue_document`).
pub fn issue(
    tx: &mut Tx<'_>,
    cal: &CaseCtx<'_>,
    actor: &str,
    r: &DocumentRequest,
) -> Result<IssuedPdf> {
    let kind = kind_of(r)?;
    let settings = settings::load(tx)?;
    let case_id = if is_self_correction(kind) {
        None
    } else {
        Some(
            r.case_id
                .ok_or_else(|| ApiError::field("case_id", "请选择案件"))?,
        )
    };
    let self_correction_id = if is_self_correction(kind) {
        r.self_correction_id
    } else {
        None
    };
    if let Some(sc) = self_correction_id {
        let issued: Option<String> = tx
            .query_row(
                "SELECT number FROM issued_document WHERE self_correction_id = ?1 AND kind = ?2",
                params![sc, enum_text(&kind)],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(n) = issued {
            return Err(ApiError::illegal(format!(
                "该自查自纠记录已开具{}（{n}），如需再次打印，请在已开具文书中点击“重新打印”",
                kind.title()
            )));
        }
    }
    let service_id = match kind {
        DocumentKind::ServiceReceipt => r.service_id,
        _ => None,
    };
    if let (Some(sid), Some(c)) = (service_id, case_id) {
        if let Some(n) = receipt_issued_for(tx, sid)? {
            let s = crate::cases::procedure::services(tx, cal, c)?
                .into_iter()
                .find(|s| s.id == sid)
                .ok_or_else(|| ApiError::field("service_id", "该送达记录不属于本案"))?;
            return Err(receipt_already_issued(&s, &n));
        }
    }
    let existing = match case_id {
        Some(c) => procedure_number(tx, c, kind)?,
        None => None,
    };
    let register = existing.is_none()
        && matches!(kind, DocumentKind::RefundOrder | DocumentKind::RecoverySlip);
    if let Some(n) = &existing {
        if issued_as(tx, case_id.unwrap_or_default(), kind, n)? {
            return Err(already_issued(kind, n));
        }
    }
    let on = document_date(tx, r, kind, crate::cases::today_local())?;
    let (number, year, seq) = match existing {
        Some(n) => {
            // A number in the office's format takes its place in the sequence; any other (typed
            // by hand) gets the next register number, and prints as typed.
            match settings::parse_number(&n) {
                Some((y, s)) if !seq_taken(tx, kind, y, s)? => {
                    settings::claim(tx, kind, y, s)?;
                    (n, y, s)
                }
                _ => (n, on.year(), settings::allocate(tx, kind, on.year())?),
            }
        }
        None => {
            let seq = settings::allocate(tx, kind, on.year())?;
            (settings.number(kind, on.year(), seq)?, on.year(), seq)
        }
    };
    let doc = build(
        &Source {
            conn: tx,
            cal,
            settings: &settings,
            number: &number,
            issued_on: on,
            service_id,
        },
        r,
        kind,
    )?;
    let snapshot = Snapshot {
        template: settings.templates().overrides.get(&kind).cloned(),
        document: doc,
    };
    let pdf = render(&snapshot.document, &snapshot.options())?;
    if register {
        procedure::issue(
            tx,
            cal,
            &IssueInput {
                case_id: case_id.unwrap_or_default(),
                document: served_kind(kind),
                document_number: number.clone(),
                issued_on: Some(on),
            },
        )?;
    }
    let data = serde_json::to_string(&snapshot).map_err(|e| ApiError::internal(e.to_string()))?;
    let (id, uid) = crate::ledger::matter::next_uid(tx, "issued_document", "D")?;
    tx.execute(
        "INSERT INTO issued_document (id, uid, case_id, self_correction_id, kind, year, seq, number, data, sha256, issued_on, issued_by, service_id, content_sha)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        params![
            id,
            uid,
            case_id,
            self_correction_id,
            enum_text(&kind),
            year,
            seq,
            number,
            data,
            sha_hex(&pdf.bytes),
            on.to_string(),
            actor,
            service_id,
            pdf.content
        ],
    )?;
    tx.touch("issued_document", id);
    Ok(IssuedPdf {
        id,
        number,
        pdf_base64: b64(&pdf.bytes),
        regenerated: false,
    })
}

fn seq_taken(conn: &Connection, kind: DocumentKind, year: i32, seq: u32) -> Result<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM issued_document WHERE kind = ?1 AND year = ?2 AND seq = ?3",
            params![enum_text(&kind), year, seq],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// What an issued document must reproduce: its PDF's sha256 and, since 0029, its paper's
/// fingerprint ([`super::RenderedPdf::content`]).
struct Archived {
    sha: String,
    content: Option<String>,
}

fn stored(conn: &Connection, id: i64) -> Result<(String, Snapshot, Archived)> {
    let row: Option<(String, String, String, Option<String>)> = conn
        .query_row(
            "SELECT number, data, sha256, content_sha FROM issued_document WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((number, data, sha, content)) = row else {
        return Err(ApiError::field("id", format!("文书不存在（编号{id}）")));
    };
    Ok((number, Snapshot::parse(&data)?, Archived { sha, content }))
}

fn record_print(tx: &mut Tx<'_>, actor: &str, id: i64) -> Result<()> {
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
    Ok(())
}

/// `document.get`: an issued document's PDF to look at, rendered again from the snapshot and
/// checked against the stored hash; not a print, so nothing is recorded.
pub fn get(conn: &Connection, id: i64) -> Result<IssuedPdf> {
    let (number, snapshot, archived) = stored(conn, id)?;
    let (pdf, regenerated) = reproduce(&snapshot, &archived)?;
    Ok(IssuedPdf {
        id,
        number,
        pdf_base64: b64(&pdf.bytes),
        regenerated,
    })
}

/// The PDF of a snapshot, which must be what was issued: the same bytes, or (another version of
/// the PDF writer, of a font file's encoding) the same paper — every run of text in the same face,
/// size and place, every rule. A document issued before the paper's fingerprint was kept that
/// no longer gives the same bytes is rendered again and said to be (`true`).
fn reproduce(snapshot: &Snapshot, archived: &Archived) -> Result<(super::RenderedPdf, bool)> {
    let pdf = render(&snapshot.document, &snapshot.options())?;
    if sha_hex(&pdf.bytes) == archived.sha {
        return Ok((pdf, false));
    }
    match &archived.content {
        Some(c) if *c == pdf.content => Ok((pdf, false)),
        None => Ok((pdf, true)),
        Some(_) => Err(ApiError::internal(
            "重新生成的文书与存档不一致（字体或版面已变化），无法查看或打印",
        )),
    }
}

/// `document.print`: render again from the stored snapshot; the bytes must hash to the stored
/// sha256 (a byte-identical reprint); each print is recorded.
pub fn print(tx: &mut Tx<'_>, actor: &str, id: i64) -> Result<IssuedPdf> {
    let (number, snapshot, archived) = stored(tx, id)?;
    let (pdf, regenerated) = reproduce(&snapshot, &archived)?;
    record_print(tx, actor, id)?;
    Ok(IssuedPdf {
        id,
        number,
        pdf_base64: b64(&pdf.bytes),
        regenerated,
    })
}

/// `document.print_batch`: many issued documents in one PDF (each with its own page numbers),
/// every one recorded as printed. `progress(done, total)` drives the CLI's progress line and the
/// UI's (a job); its error (cancelled) fails the batch, so no print of it is recorded.
pub fn print_batch(
    tx: &mut Tx<'_>,
    actor: &str,
    r: &BatchRequest,
    progress: &mut dyn FnMut(usize, usize) -> Result<()>,
) -> Result<BatchPdf> {
    if r.ids.is_empty() {
        return Err(ApiError::field("ids", "请选择要打印的文书"));
    }
    let mut docs = Vec::with_capacity(r.ids.len());
    let mut templates = Templates::default();
    for &id in &r.ids {
        let (_, s, _) = stored(tx, id)?;
        if let Some(t) = &s.template {
            let kind = s.document.kind();
            if templates.overrides.get(&kind).is_some_and(|x| x != t) {
                return Err(ApiError::validation(format!(
                    "所选{}开具时使用的文书内容不同，请分批打印",
                    kind.title()
                )));
            }
            templates.overrides.insert(kind, t.clone());
        }
        docs.push(s.document);
    }
    let pdf = render_batch(
        &docs,
        &RenderOptions {
            templates,
            missing_glyphs: MissingGlyphs::Refuse,
            duplex: r.duplex,
        },
        progress,
    )?;
    for &id in &r.ids {
        record_print(tx, actor, id)?;
    }
    Ok(BatchPdf {
        pdf_base64: b64(&pdf.bytes),
        pages: pdf.pages,
        count: docs.len(),
    })
}
/// `document.list`: issued documents — of one case, of one self-correction record, or all — in
/// issue order.
pub fn list(conn: &Connection, q: &DocumentListQuery) -> Result<Vec<IssuedDocument>> {
    let mut stmt = conn.prepare(
        "SELECT d.id, d.uid, d.case_id, d.kind, d.year, d.seq, d.number, d.sha256, d.issued_on, d.issued_by,
                (SELECT COUNT(*) FROM document_print p WHERE p.document_id = d.id), d.self_correction_id
         FROM issued_document d
         WHERE (?1 IS NULL OR d.case_id = ?1) AND (?2 IS NULL OR d.self_correction_id = ?2)
         ORDER BY d.id",
    )?;
    let rows = stmt.query_map(params![q.case_id, q.self_correction_id], |r| {
        let kind: DocumentKind = enum_from(r.get(3)?);
        let on: String = r.get(8)?;
        Ok(IssuedDocument {
            id: r.get(0)?,
            uid: r.get(1)?,
            case_id: r.get(2)?,
            self_correction_id: r.get(11)?,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A new kind issued from a case must take its place in `CASE_KINDS` (ARCHITECTURE.md, "A new
    /// document kind"), or `document.options` would never offer it.
    #[test]
    fn case_kinds_are_every_kind_but_the_self_correction_forms() {
        let mut listed = CASE_KINDS.to_vec();
        listed.sort();
        let mut expected: Vec<DocumentKind> = DocumentKind::ALL
            .into_iter()
            .filter(|k| !is_self_correction(*k))
            .collect();
        expected.sort();
        assert_eq!(listed, expected);
    }
}
