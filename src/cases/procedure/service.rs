//! Documents served on the party (行政处罚法 art. 61): their numbers, further documents issued for
//! service (`issue`) and the record of service (`serve`, the 送达回证).

use crate::cases::rules::Rule;
use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};

use super::detail::detail;
use super::kinds::{ServedDocumentKind, ServiceMethod};
use super::rows::{decision, set_status, touch_case};
use super::state::{date_or_today, last_step_date, not_before, state, State};
use super::types::{CaseDetail, IssueInput, ServeInput};
use crate::cases::cases::{self as case_mod, CaseStatus};
use crate::cases::hooks::{Ctx, DocumentNumbers};
use crate::cases::{bounded_text, cn_date, date_text, parse_stored_date, Track};
use crate::error::{ApiError, Result};
use crate::store::{now_text, Tx};
use crate::vocab::text::{enum_from, enum_text};

/// The number of a served document: as typed, or — left blank — the next of its kind in the
/// office's sequence (docs::settings). A typed number in the office's format moves the sequence
/// past it, so the sequence never gives it again.
pub(super) fn document_number(
    tx: &mut Tx<'_>,
    numbers: &DocumentNumbers,
    typed: &str,
    doc: ServedDocumentKind,
    on: NaiveDate,
    label: &str,
) -> Result<String> {
    let typed = bounded_text(typed, "document_number", label, 60)?;
    match (doc.printed(), typed.is_empty()) {
        (Some(kind), true) => (numbers.next)(tx, kind, on),
        (None, true) => Err(ApiError::field(
            "document_number",
            format!("{label}不能为空"),
        )),
        (kind, false) => {
            if let Some(kind) = kind {
                (numbers.claim)(tx, kind, &typed)?;
            }
            Ok(typed)
        }
    }
}

/// Record the service of a document (送达回证; 行政处罚法 art. 61).
pub fn serve(tx: &mut Tx<'_>, cal: &Ctx, i: &ServeInput) -> Result<CaseDetail> {
    let row: Option<(i64, String, String, Option<String>)> = tx
        .query_row(
            "SELECT case_id, document, issued_on, served_on FROM document_service WHERE id = ?1",
            [i.service_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let (case_id, doc, issued, served) = row.ok_or_else(|| ApiError::not_found("待送达文书"))?;
    let doc: ServedDocumentKind = enum_from(doc);
    let issued = parse_stored_date(&issued)?;
    let c = case_mod::get(tx, cal, case_id)?;
    case_mod::require_open(&c)?;
    if let Some(s) = served {
        return Err(ApiError::illegal(format!(
            "{}已于{}送达，不能重复登记",
            doc.label(),
            cn_date(parse_stored_date(&s)?)
        )));
    }
    let method = i
        .method
        .ok_or_else(|| ApiError::field("method", "请选择送达方式"))?;
    let recipient = bounded_text(&i.recipient, "recipient", "受送达人", 100)?;
    let receipt = bounded_text(&i.receipt, "receipt", "送达回证或凭证编号", 100)?;
    let (served_on, published_on) = if method == ServiceMethod::PublicNotice {
        public_notice_served_on(tx, cal, i, issued)?
    } else {
        let on = i
            .served_on
            .ok_or_else(|| ApiError::field("served_on", "请填写送达回证上签收的日期"))?;
        not_before(on, issued, "served_on", "文书发出日期")?;
        if recipient.is_empty() {
            return Err(ApiError::field("recipient", "请填写受送达人（签收人）"));
        }
        if receipt.is_empty() && method != ServiceMethod::Direct {
            return Err(ApiError::field(
                "receipt",
                "请填写送达凭证（回证编号、邮件单号或电子送达回执）",
            ));
        }
        (on, None)
    };
    if c.track == Track::Administrative
        && matches!(method, ServiceMethod::Direct | ServiceMethod::Left)
    {
        // Served in person by the officers, who show their certificates (行政处罚法 art. 42, 55).
        let cite = crate::cases::rules::for_case(tx, case_id)?.cite(Rule::TwoOfficers);
        let servers = [("承办人", Some(c.handler_id)), ("协办人", c.co_handler_id)];
        for (post, id) in servers {
            if let Some(id) = id {
                crate::cases::users::require_certificate(tx, id, served_on, "method", post, &cite)?;
            }
        }
    }
    tx.execute(
        "UPDATE document_service SET method = ?1, served_on = ?2, published_on = ?3, recipient = ?4, receipt = ?5
         WHERE id = ?6",
        params![enum_text(&method), date_text(served_on), published_on.map(date_text), recipient, receipt, i.service_id],
    )?;
    tx.touch("document_service", i.service_id);
    if matches!(
        doc,
        ServedDocumentKind::HandlingDecision
            | ServedDocumentKind::PenaltyDecision
            | ServedDocumentKind::AgreementDecision
    ) && c.status == CaseStatus::Decided
    {
        set_status(tx, case_id, CaseStatus::Executing)?;
    } else {
        touch_case(tx, case_id)?;
    }
    detail(tx, cal, case_id, None)
}

/// 公告送达: served when 30 days have passed since publication (民事诉讼法 art. 95). Returns
/// (served on, published on).
fn public_notice_served_on(
    tx: &mut Tx<'_>,
    cal: &Ctx,
    i: &ServeInput,
    issued: NaiveDate,
) -> Result<(NaiveDate, Option<NaiveDate>)> {
    let published = i
        .published_on
        .ok_or_else(|| ApiError::field("published_on", "公告送达须填写公告发布日期"))?;
    not_before(published, issued, "published_on", "文书发出日期")?;
    let days = crate::cases::profile::load(tx)?.public_notice_days;
    Ok((
        cal.calendar_deadline(published, days)?.date,
        Some(published),
    ))
}

/// Issue a further document for service (7 working days, 行政处罚法 art. 61): the 责令退款通知书
/// and 追回通知单 once the decision is made (000 art. 2–3; 004 art. 6), the 听证通知书 once a
/// hearing was requested (行政处罚法 art. 64(2)). The notice and the decision are issued by
/// `notify` and `decide` themselves.
pub fn issue(tx: &mut Tx<'_>, cal: &Ctx, i: &IssueInput) -> Result<CaseDetail> {
    let st = state(tx, cal, i.case_id)?;
    let c = &st.case;
    case_mod::require_open(c)?;
    let doc = i
        .document
        .ok_or_else(|| ApiError::field("document", "请选择文书种类"))?;
    let issued = date_or_today(i.issued_on);
    let number = document_number(
        tx,
        &cal.hooks.numbers,
        &i.document_number,
        doc,
        issued,
        "文号",
    )?;
    issuable(tx, &st, doc, issued)?;
    let step_id: Option<i64> = None;
    let id: i64 = tx.query_row(
        "SELECT COALESCE(MAX(id), 0) + 1 FROM document_service",
        [],
        |r| r.get(0),
    )?;
    tx.execute(
        "INSERT INTO document_service (id, case_id, document, document_number, step_id, issued_on, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![id, c.id, enum_text(&doc), number, step_id, date_text(issued), now_text()],
    )?;
    tx.touch("document_service", id);
    touch_case(tx, c.id)?;
    detail(tx, cal, c.id, None)
}

/// Whether `doc` may be issued now: the 责令退款通知书 (bureau, administrative cases only) and the
/// 追回通知单 after a decision with money to recover (000 art. 2–3; 004 art. 6), the 听证通知书
/// while a requested hearing is still to be held (行政处罚法 art. 64(2)); the notice and the
/// decision never (they are issued by their steps).
fn issuable(
    conn: &Connection,
    st: &State,
    doc: ServedDocumentKind,
    issued: NaiveDate,
) -> Result<()> {
    let c = &st.case;
    match doc {
        ServedDocumentKind::RefundOrder | ServedDocumentKind::RecoverySlip => {
            let d = decision(conn, c.id)?.ok_or_else(|| {
                ApiError::illegal(format!(
                    "尚未作出处理决定，不能出具{}{}",
                    doc.label(),
                    st.rules.cite(match doc {
                        ServedDocumentKind::RefundOrder => Rule::RefundOrder,
                        _ => Rule::RecoveryTerms,
                    })
                ))
            })?;
            if (d.recovery_total + d.liquidated_damages).is_zero() {
                return Err(ApiError::illegal(format!(
                    "本案没有应追回金额，无需出具{}",
                    doc.label()
                )));
            }
            if doc == ServedDocumentKind::RefundOrder && c.track != Track::Administrative {
                return Err(ApiError::illegal(format!(
                    "责令退款通知书由医保行政部门出具{}，协议处理案件请出具追回通知单",
                    st.rules.cite(Rule::RefundOrder)
                )));
            }
            not_before(issued, d.decided_on, "issued_on", "决定日期")?;
        }
        ServedDocumentKind::HearingNotice => {
            if !st.requirements.hearing_requested || st.requirements.hearing_held {
                return Err(ApiError::illegal(
                    "只有当事人申请听证且尚未举行听证时，才能出具听证通知书",
                ));
            }
            not_before(
                issued,
                last_step_date(&st.steps),
                "issued_on",
                "上一办案环节",
            )?;
        }
        _ => {
            return Err(ApiError::field(
                "document",
                "告知书和决定书在告知、作出决定时自动生成，无需另行出具",
            ))
        }
    }
    Ok(())
}
