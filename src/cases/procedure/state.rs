//! The guard state: where a case stands in the procedure and what the law requires of it now,
//! plus the small helpers every step's guards share (dates, investigators, the decision period).

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension};

use super::kinds::StepKind;
use super::rows::{notification, steps};
use super::types::{Notification, Requirements, Step};
use crate::calendar::{Deadline, WorkCalendar};
use crate::cases::cases::{self as case_mod, Case};
use crate::cases::measures::MeasureKind;
use crate::cases::profile::RuleProfile;
use crate::cases::rules::{Rule, RuleSet};
use crate::cases::users::{self, SignOff};
use crate::cases::{parse_stored_date, Track};
use crate::error::{ApiError, Result};
use crate::money::Money;

/// 行政处罚法 art. 60: decide within 90 days of filing (+30 with approval) — calendar days, the
/// last day rolled to the next working day. `excluded` days do not count: the hearing, from the
/// request to the day it is held (DOMAIN §2: hearing, expert review and public notice do not count).
pub fn decision_deadline(
    cal: &WorkCalendar,
    filed: NaiveDate,
    days: u32,
    extension: u32,
    excluded: u32,
) -> Result<Deadline> {
    cal.calendar_deadline(filed, days + extension + excluded)
}

/// SQL expression (over `case_file c`) of the days that do not count towards the decision period:
/// from the hearing request to the hearing (one hearing per notification).
pub const EXCLUDED_DAYS_SQL: &str = "(SELECT COALESCE(SUM(CAST(julianday(h.on_date) - julianday(r.on_date) AS INTEGER)), 0)
        FROM procedure_step h JOIN procedure_step r ON r.case_id = h.case_id AND r.kind = 'HearingRequested'
        WHERE h.case_id = c.id AND h.kind = 'HearingHeld')";

/// Where the case stands in the procedure.
pub(super) struct State {
    pub(super) case: Case,
    pub(super) notice: Option<(i64, Notification)>,
    pub(super) notice_served_on: Option<NaiveDate>,
    pub(super) steps: Vec<Step>,
    pub(super) requirements: Requirements,
    /// The rule set the case was filed under: what its refusals cite.
    pub(super) rules: RuleSet,
}

pub(super) fn has_step_after(steps: &[Step], after: i64, kinds: &[StepKind]) -> bool {
    steps
        .iter()
        .any(|s| s.id > after && kinds.contains(&s.kind))
}

pub(super) fn state(conn: &Connection, cal: &WorkCalendar, case_id: i64) -> Result<State> {
    let case = case_mod::get(conn, cal, case_id)?;
    let steps = steps(conn, case_id)?;
    let notice = notification(conn, case_id)?;
    let profile = crate::cases::profile::load(conn)?;
    let rules = crate::cases::rules::for_case(conn, case_id)?;
    let mut req = Requirements::default();
    let mut notice_served_on = None;
    let mut proposed_heavy: Vec<MeasureKind> = Vec::new();
    let mut proposed_fine = Money::ZERO;
    if let Some((step_id, n)) = &notice {
        notice_served_on = notice_requirements(conn, cal, &steps, *step_id, n, &mut req)?;
        proposed_heavy = n
            .proposed_measures
            .iter()
            .filter_map(|m| m.kind)
            .filter(|k| k.is_heavy())
            .collect();
        proposed_fine = n.proposed_fine.unwrap_or(Money::ZERO);
    }
    review_requirements(
        &case,
        &profile,
        &rules,
        &steps,
        &proposed_heavy,
        proposed_fine,
        &mut req,
    );
    Ok(State {
        case,
        notice,
        notice_served_on,
        steps,
        requirements: req,
        rules,
    })
}

/// The party's side once notified: the notice's service, the statement window (001 art. 22) and
/// the hearing-request window (行政处罚法 art. 63–64). Returns the date the notice was served.
fn notice_requirements(
    conn: &Connection,
    cal: &WorkCalendar,
    steps: &[Step],
    step_id: i64,
    n: &Notification,
    req: &mut Requirements,
) -> Result<Option<NaiveDate>> {
    req.notified = true;
    req.hearing_offered = n.hearing_offered;
    let notice_served_on = conn
        .query_row(
            "SELECT served_on FROM document_service WHERE id = ?1",
            [n.service_id],
            |r| r.get::<_, Option<String>>(0),
        )
        .optional()?
        .flatten()
        .map(|s| parse_stored_date(&s))
        .transpose()?;
    if let Some(served) = notice_served_on {
        req.notice_served = true;
        req.statement_due = Some(cal.add_working_days(served, n.statement_days)?.date);
        if n.hearing_offered {
            req.hearing_request_due =
                Some(cal.add_working_days(served, n.hearing_request_days)?.date);
        }
    }
    req.statement_done = has_step_after(
        steps,
        step_id,
        &[StepKind::StatementReceived, StepKind::StatementWaived],
    );
    req.hearing_requested = has_step_after(steps, step_id, &[StepKind::HearingRequested]);
    req.hearing_held = has_step_after(steps, step_id, &[StepKind::HearingHeld]);
    Ok(notice_served_on)
}

/// The reviews the decision needs: legal review (001 art. 21, 40; 行政处罚法 art. 58) and
/// collective review (001 art. 21).
fn review_requirements(
    case: &Case,
    profile: &RuleProfile,
    rules: &RuleSet,
    steps: &[Step],
    proposed_heavy: &[MeasureKind],
    proposed_fine: Money,
    req: &mut Requirements,
) {
    let last_review = steps.iter().rev().find(|s| s.kind == StepKind::LegalReview);
    req.legal_review_passed = last_review.is_some_and(|s| s.outcome == "Passed");
    // 001 art. 40; 行政处罚法 art. 58: before penalty decisions that are major, heard or complex;
    // 001 art. 21 para. 2–3: termination of an agreement goes through legal review.
    req.legal_review_required = match case.track {
        Track::Administrative => {
            !proposed_fine.is_zero() || req.hearing_held || !proposed_heavy.is_empty()
        }
        Track::Agreement => proposed_heavy.contains(&MeasureKind::AgreementTermination),
    };
    // 001 art. 21: recovery (不予支付 or 追回违规费用) ≥ 50,000 yuan, or any suspension of people,
    // departments or the agreement → collective review; 001 art. 40 for the bureau's major cases.
    let mut reasons = Vec::new();
    let rule = match case.track {
        Track::Administrative => Rule::CollectiveReview,
        Track::Agreement => Rule::AgreementCollectiveReview,
    };
    if case.recovery_total >= profile.collective_review_threshold {
        reasons.push(format!(
            "追回违规费用{}元，达到{}元集体讨论标准{}",
            case.recovery_total.grouped(),
            profile.collective_review_threshold.grouped(),
            rules.cite(rule)
        ));
    }
    for k in proposed_heavy {
        reasons.push(format!("拟{}{}", k.label(), rules.cite(rule)));
    }
    req.collective_review_required = !reasons.is_empty();
    req.collective_review_reason = reasons.join("；");
    req.collective_review_done = steps
        .iter()
        .any(|s| s.kind == StepKind::CollectiveReview && s.outcome == "Agreed");
}

pub(super) fn date_or_today(d: Option<NaiveDate>) -> NaiveDate {
    d.unwrap_or_else(crate::cases::today_local)
}

/// A step's date (the request's `field`) must not be before `what` happened on `earlier`.
pub(super) fn not_before(on: NaiveDate, earlier: NaiveDate, field: &str, what: &str) -> Result<()> {
    crate::vocab::dates::not_before(on, earlier, field, "日期", what)
}

pub(super) fn last_step_date(steps: &[Step]) -> NaiveDate {
    steps.iter().map(|s| s.on).max().unwrap_or(NaiveDate::MIN)
}

/// Investigators of the case: handler, co-handler and whoever collected evidence.
pub(super) fn investigators(conn: &Connection, case: &Case) -> Result<Vec<i64>> {
    let mut ids = vec![case.handler_id];
    ids.extend(case.co_handler_id);
    let mut stmt = conn.prepare_cached("SELECT DISTINCT collected_by FROM evidence WHERE case_id = ?1 AND collected_by IS NOT NULL")?;
    ids.extend(
        stmt.query_map([case.id], |r| r.get::<_, i64>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?,
    );
    Ok(ids)
}

/// Three distinct signatures (001 art. 22; 004 附件1), the handler being the case's handler or
/// co-handler; `document` names the document signed (告知书, 决定书).
pub(super) fn signed_by_the_case_handler(
    conn: &Connection,
    signoff: &SignOff,
    c: &Case,
    document: &str,
) -> Result<()> {
    let (handler, _, _) = users::check_signoff(conn, signoff)?;
    if handler.id != c.handler_id && Some(handler.id) != c.co_handler_id {
        return Err(ApiError::field(
            "handler_id",
            format!("{document}的承办人应为本案承办人或协办人"),
        ));
    }
    Ok(())
}
