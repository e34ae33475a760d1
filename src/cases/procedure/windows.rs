//! The party's running windows and the pending legal reviews, for `clock.list`
//! (`cases::clocks`).

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension};

use super::kinds::StepKind;
use super::rows::{notification, steps};
use super::state::has_step_after;
use super::types::Step;
use crate::calendar::{Deadline, WorkCalendar};
use crate::cases::clocks::ClockKind;
use crate::cases::opt_date;
use crate::error::Result;

/// A party window running on a notified case: its clock kind, when it started and ends.
pub(crate) struct Window {
    pub kind: ClockKind,
    pub served_on: NaiveDate,
    pub due: Deadline,
    pub basis: String,
}

/// Running party windows of notified cases (the statement and hearing-request windows).
/// `case_id`: only that case's.
pub(crate) fn open_windows(
    conn: &Connection,
    cal: &WorkCalendar,
    case_id: Option<i64>,
) -> Result<Vec<(i64, Window)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM case_file WHERE status = 'Notified' AND (?1 IS NULL OR id = ?1)",
    )?;
    let ids = stmt
        .query_map([case_id], |r| r.get::<_, i64>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out = Vec::new();
    for id in ids {
        let Some((step_id, n)) = notification(conn, id)? else {
            continue;
        };
        let served: Option<String> = conn
            .query_row(
                "SELECT served_on FROM document_service WHERE id = ?1",
                [n.service_id],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        let Some(served) = opt_date(served)? else {
            continue;
        };
        let steps = steps(conn, id)?;
        if !has_step_after(
            &steps,
            step_id,
            &[StepKind::StatementReceived, StepKind::StatementWaived],
        ) {
            out.push((
                id,
                Window {
                    kind: ClockKind::StatementWindow,
                    served_on: served,
                    due: cal.add_working_days(served, n.statement_days)?,
                    basis: crate::cases::rules::for_case(conn, id)?
                        .basis(crate::cases::rules::Rule::StatementRight),
                },
            ));
        }
        if n.hearing_offered
            && !has_step_after(
                &steps,
                step_id,
                &[StepKind::HearingRequested, StepKind::StatementWaived],
            )
        {
            out.push((
                id,
                Window {
                    kind: ClockKind::HearingRequest,
                    served_on: served,
                    due: cal.add_working_days(served, n.hearing_request_days)?,
                    basis: "《中华人民共和国行政处罚法》第六十三条、第六十四条".into(),
                },
            ));
        }
    }
    Ok(out)
}

/// The submission still waiting for its review: (date, working days).
pub(super) fn pending_review(steps: &[Step]) -> Option<(NaiveDate, u32)> {
    let last = steps.iter().rev().find(|s| {
        matches!(
            s.kind,
            StepKind::LegalReview | StepKind::LegalReviewSubmitted
        )
    })?;
    (last.kind == StepKind::LegalReviewSubmitted)
        .then(|| (last.on, last.data["days"].as_u64().unwrap_or(10) as u32))
}

/// Running legal-review clocks (for `clock.list`).
pub(crate) fn pending_reviews(
    conn: &Connection,
    cal: &WorkCalendar,
    case_id: Option<i64>,
) -> Result<Vec<(i64, NaiveDate, Deadline)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT c.id FROM case_file c JOIN procedure_step s ON s.case_id = c.id
         WHERE c.status = 'Notified' AND s.kind = 'LegalReviewSubmitted' AND (?1 IS NULL OR c.id = ?1)",
    )?;
    let ids = stmt
        .query_map([case_id], |r| r.get::<_, i64>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out = Vec::new();
    for id in ids {
        if let Some((on, days)) = pending_review(&steps(conn, id)?) {
            out.push((id, on, cal.add_working_days(on, days)?));
        }
    }
    Ok(out)
}
