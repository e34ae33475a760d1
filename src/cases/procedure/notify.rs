//! 告知: the notice of intended handling (陈述申辩告知书 / 行政处罚事先告知书). Each check below
//! enforces one rule; `notify` runs them in this order, so the first one that fails is the
//! message the user sees.

use crate::cases::procedure::detail::notice_rule;
use crate::cases::rules::{for_case, Rule};
use rusqlite::{params, Connection};

use super::detail::detail;
use super::kinds::{ServedDocumentKind, StepKind};
use super::rows::{add_step, issue_document, set_status};
use super::service::document_number;
use super::state::{date_or_today, last_step_date, not_before, signed_by_the_case_handler, state};
use super::types::{CaseDetail, Notification, NotifyInput};
use crate::cases::cases::{self as case_mod, Case, CaseStatus};
use crate::cases::hooks::Ctx;
use crate::cases::measures::{self, MeasureInput};
use crate::cases::profile::RuleProfile;
use crate::cases::{bounded_text, cn_date, PartyKind, Track};
use crate::error::{ApiError, Result};
use crate::money::Money;
use crate::store::Tx;

/// 告知: the notice of intended handling with facts, reasons, basis and the right to state and
/// defend (001 art. 22; 行政处罚法 art. 44), signed by three distinct people.
pub fn notify(tx: &mut Tx<'_>, cal: &Ctx, i: &NotifyInput) -> Result<CaseDetail> {
    let st = state(tx, cal, i.case_id)?;
    let c = &st.case;
    not_yet_notified(c)?;
    let issued = date_or_today(i.issued_on);
    not_before(
        issued,
        last_step_date(&st.steps),
        "issued_on",
        "上一办案环节",
    )?;
    facts_recorded(tx, c)?;
    evidence_recorded(tx, c)?;
    no_registration_hold_open(tx, cal, c)?;
    let number = document_number(
        tx,
        &cal.hooks.numbers,
        &i.document_number,
        ServedDocumentKind::StatementNotice,
        issued,
        "告知书文号",
    )?;
    signed_by_the_case_handler(tx, &i.signoff, c, "告知书")?;
    let profile = crate::cases::profile::load(tx)?;
    let proposed_measures = valid_proposed_measures(i, c, &st.rules)?;
    valid_proposed_fine(i.proposed_fine, c)?;
    something_proposed(c, i.proposed_fine, &proposed_measures)?;
    let hearing_offered = hearing_offered(&profile, c, i.proposed_fine, &proposed_measures);
    let note = bounded_text(&i.note, "note", "备注", 500)?;
    let mut n = Notification {
        document_number: number.clone(),
        signoff: i.signoff,
        recovery_total: c.recovery_total,
        liquidated_damages: c.liquidated_damages,
        proposed_fine: i.proposed_fine,
        proposed_measures,
        statement_days: profile.statement_days,
        hearing_request_days: profile.hearing_request_days,
        hearing_offered,
        service_id: 0,
    };
    let step_id = add_step(
        tx,
        c.id,
        StepKind::Notified,
        issued,
        Some(i.signoff.handler_id),
        "",
        &note,
        serde_json::json!({}),
    )?;
    n.service_id = issue_document(
        tx,
        c.id,
        ServedDocumentKind::StatementNotice,
        &number,
        issued,
        step_id,
    )?;
    tx.execute(
        "UPDATE procedure_step SET data = ?1 WHERE id = ?2",
        params![
            serde_json::to_string(&n).map_err(|e| ApiError::internal(e.to_string()))?,
            step_id
        ],
    )?;
    set_status(tx, c.id, CaseStatus::Notified)?;
    detail(tx, cal, c.id, None)
}

/// An open case still under investigation: a case is notified once.
fn not_yet_notified(c: &Case) -> Result<()> {
    case_mod::require_open(c)?;
    if c.status != CaseStatus::Investigating {
        return Err(ApiError::illegal(format!(
            "案件{}已告知过当事人（{}），不能重复告知",
            c.case_number,
            c.status.label()
        )));
    }
    Ok(())
}

/// The notice states the facts, reasons and basis (001 art. 22): findings come first.
fn facts_recorded(conn: &Connection, c: &Case) -> Result<()> {
    if case_mod::findings(conn, c.id)?.is_empty() {
        return Err(ApiError::illegal(format!(
            "尚未登记违规事实，不能告知当事人{}",
            for_case(conn, c.id)?.cite_with(notice_rule(c.track), "告知须载明事实、理由和依据")
        )));
    }
    Ok(())
}

/// Facts rest on evidence checked as true (001 art. 37).
fn evidence_recorded(conn: &Connection, c: &Case) -> Result<()> {
    if case_mod::evidence(conn, c.id)?.is_empty() {
        return Err(ApiError::illegal(format!(
            "尚未登记证据，不能告知当事人{}",
            for_case(conn, c.id)?
                .cite_with(Rule::Evidence, "证据须经查证属实方可作为认定事实的根据")
        )));
    }
    Ok(())
}

/// Evidence under 先行登记保存 is dealt with first (decided within 7 working days, 001 art. 36).
fn no_registration_hold_open(conn: &Connection, cal: &Ctx, c: &Case) -> Result<()> {
    let open_registration = case_mod::holds(conn, cal, c.id)?
        .into_iter()
        .find(|h| h.kind == case_mod::HoldKind::Registration && h.released_on.is_none());
    if let Some(h) = open_registration {
        return Err(ApiError::illegal(format!(
            "先行登记保存的证据尚未作出处理决定{}，请先处理",
            for_case(conn, c.id)?.cite_with(
                Rule::EvidenceRegistration,
                &format!("应于{}前作出", cn_date(h.due_on))
            )
        )));
    }
    Ok(())
}

/// Each proposed agreement measure fits the track and the party (001 art. 19–20).
fn valid_proposed_measures(
    i: &NotifyInput,
    c: &Case,
    rules: &crate::cases::rules::RuleSet,
) -> Result<Vec<MeasureInput>> {
    let proposed_measures = i.proposed_measures.clone().unwrap_or_default();
    for m in &proposed_measures {
        measures::validate(m, c.track, c.party_kind == PartyKind::Institution, rules)?;
    }
    Ok(proposed_measures)
}

/// A fine is an administrative penalty (001 art. 18; 735号令 art. 38–41) and more than zero.
fn valid_proposed_fine(fine: Option<Money>, c: &Case) -> Result<()> {
    if let Some(f) = fine {
        if c.track != Track::Administrative {
            return Err(ApiError::field(
                "proposed_fine",
                "罚款是行政处罚，协议处理案件不能罚款（可按协议约定收取违约金）",
            ));
        }
        if f.is_negative() || f.is_zero() {
            return Err(ApiError::field("proposed_fine", "拟罚款金额应大于零"));
        }
    }
    Ok(())
}

/// The notice proposes something: money to recover, a fine or a measure.
fn something_proposed(
    c: &Case,
    fine: Option<Money>,
    proposed_measures: &[MeasureInput],
) -> Result<()> {
    if c.recovery_total.is_zero()
        && c.liquidated_damages.is_zero()
        && fine.is_none()
        && proposed_measures.is_empty()
    {
        return Err(ApiError::illegal(
            "告知书没有拟处理内容：请先录入应追回金额，或填写拟罚款、拟采取的协议处理措施",
        ));
    }
    Ok(())
}

/// 行政处罚法 art. 63: hearing for large fines (thresholds in the profile, by party kind) and
/// for suspension/termination (DOMAIN §2).
fn hearing_offered(
    profile: &RuleProfile,
    c: &Case,
    fine: Option<Money>,
    proposed_measures: &[MeasureInput],
) -> bool {
    let threshold = match c.party_kind {
        PartyKind::Insured => profile.hearing_threshold_person,
        PartyKind::Institution => profile.hearing_threshold_organisation,
    };
    fine.is_some_and(|f| f >= threshold)
        || proposed_measures
            .iter()
            .any(|m| m.kind.is_some_and(|k| k.is_heavy()))
}
