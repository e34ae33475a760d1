//! Reading and writing the procedure's rows: steps, document service, the decision and the
//! stored notification.

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};

use super::kinds::{ServedDocumentKind, StepKind};
use super::types::{Decision, DocumentService, Notification, Step};
use crate::calendar::WorkCalendar;
use crate::cases::cases::CaseStatus;
use crate::cases::users::SignOff;
use crate::cases::{date_text, opt_date, parse_stored_date};
use crate::error::{ApiError, Result};
use crate::store::{now_text, Tx};
use crate::vocab::text::{enum_from, enum_text};

#[allow(clippy::too_many_arguments)]
pub(crate) fn add_step(
    tx: &mut Tx<'_>,
    case_id: i64,
    kind: StepKind,
    on: NaiveDate,
    actor_id: Option<i64>,
    outcome: &str,
    note: &str,
    data: serde_json::Value,
) -> Result<i64> {
    // Every step's note and outcome, whichever form typed it (issue 12: a 1 MB note was kept).
    let note = crate::vocab::text::bounded_text(note, "note", "备注", 2000)?;
    let outcome = crate::vocab::text::bounded_text(outcome, "outcome", "意见", 2000)?;
    if let Some(actor) = actor_id {
        let known: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM app_user WHERE id = ?1)",
            [actor],
            |r| r.get(0),
        )?;
        if !known {
            return Err(ApiError::field("actor_id", "所选人员不存在，请重新选择"));
        }
    }
    let id: i64 = tx.query_row(
        "SELECT COALESCE(MAX(id), 0) + 1 FROM procedure_step",
        [],
        |r| r.get(0),
    )?;
    tx.execute(
        "INSERT INTO procedure_step (id, case_id, kind, on_date, actor_id, outcome, note, data, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![id, case_id, enum_text(&kind), date_text(on), actor_id, outcome, note, data.to_string(), now_text()],
    )?;
    tx.touch("procedure_step", id);
    touch_case(tx, case_id)?;
    Ok(id)
}

pub(super) fn touch_case(tx: &mut Tx<'_>, case_id: i64) -> Result<()> {
    tx.execute(
        "UPDATE case_file SET updated_at = ?1 WHERE id = ?2",
        params![now_text(), case_id],
    )?;
    tx.touch("case_file", case_id);
    Ok(())
}

pub(super) fn set_status(tx: &mut Tx<'_>, case_id: i64, status: CaseStatus) -> Result<()> {
    tx.execute(
        "UPDATE case_file SET status = ?1, updated_at = ?2 WHERE id = ?3",
        params![enum_text(&status), now_text(), case_id],
    )?;
    tx.touch("case_file", case_id);
    Ok(())
}

pub fn steps(conn: &Connection, case_id: i64) -> Result<Vec<Step>> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.*, COALESCE(u.display_name, '') AS actor FROM procedure_step s
         LEFT JOIN app_user u ON u.id = s.actor_id WHERE s.case_id = ?1 ORDER BY s.id",
    )?;
    let rows = stmt
        .query_map([case_id], |r| {
            Ok(Step {
                id: r.get("id")?,
                kind: enum_from(r.get("kind")?),
                on: parse_stored_date(&r.get::<_, String>("on_date")?)?,
                actor_id: r.get("actor_id")?,
                actor: r.get("actor")?,
                outcome: r.get("outcome")?,
                note: r.get("note")?,
                data: serde_json::from_str(&r.get::<_, String>("data")?)
                    .unwrap_or(serde_json::Value::Null),
                recorded_at: r.get("recorded_at")?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn services(
    conn: &Connection,
    cal: &WorkCalendar,
    case_id: i64,
) -> Result<Vec<DocumentService>> {
    let days = crate::cases::profile::load(conn)?.service_days;
    let mut stmt =
        conn.prepare_cached("SELECT * FROM document_service WHERE case_id = ?1 ORDER BY id")?;
    let rows = stmt
        .query_map([case_id], |r| {
            Ok(DocumentService {
                id: r.get("id")?,
                case_id: r.get("case_id")?,
                document: enum_from(r.get("document")?),
                document_number: r.get("document_number")?,
                issued_on: parse_stored_date(&r.get::<_, String>("issued_on")?)?,
                due_on: NaiveDate::MIN,
                method: r.get::<_, Option<String>>("method")?.map(enum_from),
                served_on: opt_date(r.get("served_on")?)?,
                published_on: opt_date(r.get("published_on")?)?,
                recipient: r.get("recipient")?,
                receipt: r.get("receipt")?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter()
        .map(|mut s| {
            // 行政处罚法 art. 61: 七日内送达 (working days, art. 85).
            s.due_on = cal.add_working_days(s.issued_on, days)?.date;
            Ok(s)
        })
        .collect()
}

pub(super) fn issue_document(
    tx: &mut Tx<'_>,
    case_id: i64,
    doc: ServedDocumentKind,
    number: &str,
    issued: NaiveDate,
    step_id: i64,
) -> Result<i64> {
    let id: i64 = tx.query_row(
        "SELECT COALESCE(MAX(id), 0) + 1 FROM document_service",
        [],
        |r| r.get(0),
    )?;
    tx.execute(
        "INSERT INTO document_service (id, case_id, document, document_number, step_id, issued_on, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![id, case_id, enum_text(&doc), number, step_id, date_text(issued), now_text()],
    )?;
    tx.touch("document_service", id);
    Ok(id)
}

pub fn decision(conn: &Connection, case_id: i64) -> Result<Option<Decision>> {
    Ok(conn
        .query_row(
            "SELECT * FROM decision WHERE case_id = ?1",
            [case_id],
            |r| {
                Ok(Decision {
                    id: r.get("id")?,
                    case_id: r.get("case_id")?,
                    kind: enum_from(r.get("kind")?),
                    document_number: r.get("document_number")?,
                    decided_on: parse_stored_date(&r.get::<_, String>("decided_on")?)?,
                    recovery_total: r.get("recovery_total_fen")?,
                    liquidated_damages: r.get("liquidated_damages_fen")?,
                    payment_due: opt_date(r.get("payment_due")?)?,
                    fine: r.get("fine_fen")?,
                    fine_multiple: r.get("fine_multiple")?,
                    fine_basis: r.get("fine_basis")?,
                    confiscation: r.get("confiscation_fen")?,
                    signoff: SignOff {
                        handler_id: r.get("handler_id")?,
                        reviewer_id: r.get("reviewer_id")?,
                        approver_id: r.get("approver_id")?,
                    },
                    late_reason: r.get("late_reason")?,
                    summary: r.get("summary")?,
                })
            },
        )
        .optional()?)
}

/// The latest notification of a case and its step id.
pub(super) fn notification(conn: &Connection, case_id: i64) -> Result<Option<(i64, Notification)>> {
    let row: Option<(i64, String)> = conn
        .query_row(
            "SELECT id, data FROM procedure_step WHERE case_id = ?1 AND kind = 'Notified' ORDER BY id DESC LIMIT 1",
            [case_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    row.map(|(id, data)| {
        serde_json::from_str(&data)
            .map(|n| (id, n))
            .map_err(|e| ApiError::internal(format!("告知记录无法读取：{e}")))
    })
    .transpose()
}
