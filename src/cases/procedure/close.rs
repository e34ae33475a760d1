//! The end of a case: the agency's report to the city (001 art. 24), 结案 once everything is
//! served, released and paid, and 撤销案件 before a decision.

use crate::cases::rules::Rule;
use rusqlite::{params, Connection};

use super::detail::detail;
use super::kinds::StepKind;
use super::rows::{add_step, decision, services};
use super::state::{date_or_today, last_step_date, not_before, state, State};
use super::types::{CaseDetail, DatedNote};
use crate::cases::cases::{self as case_mod, Case, CaseStatus};
use crate::cases::hooks::Ctx;
use crate::cases::users::{self, Role};
use crate::cases::{date_text, required_text, Track};
use crate::error::{ApiError, Result};
use crate::store::{now_text, Tx};

/// 报市医保局备案 (001 art. 24).
pub fn report_city(tx: &mut Tx<'_>, cal: &Ctx, i: &DatedNote) -> Result<CaseDetail> {
    let st = state(tx, cal, i.case_id)?;
    let c = &st.case;
    let d = decision(tx, c.id)?.ok_or_else(|| ApiError::illegal("尚未作出决定，无需报备"))?;
    if c.track != Track::Agreement {
        return Err(ApiError::illegal(format!(
            "报市医保局备案适用于经办机构的协议处理决定{}",
            st.rules.cite(Rule::CityReport)
        )));
    }
    if reported_to_city(&st) {
        return Err(ApiError::illegal("本案决定已报备，不能重复登记"));
    }
    let on = date_or_today(i.on);
    not_before(on, d.decided_on, "on", "决定日期")?;
    add_step(
        tx,
        c.id,
        StepKind::ReportedToCity,
        on,
        i.actor_id,
        "",
        i.note.trim(),
        serde_json::json!({}),
    )?;
    detail(tx, cal, c.id, None)
}

fn reported_to_city(st: &State) -> bool {
    st.steps.iter().any(|s| s.kind == StepKind::ReportedToCity)
}

/// 结案: the decision served, every document served, no measure on evidence still running,
/// the agency's report to the city made, and every check of the ledger passed.
pub fn close(tx: &mut Tx<'_>, cal: &Ctx, i: &DatedNote) -> Result<CaseDetail> {
    let st = state(tx, cal, i.case_id)?;
    let c = &st.case;
    closing_stage(c)?;
    let on = date_or_today(i.on);
    not_before(on, last_step_date(&st.steps), "on", "上一办案环节")?;
    let mut blockers = unserved_documents(tx, cal, c)?;
    blockers.extend(unreleased_holds(tx, cal, c)?);
    blockers.extend(city_report_missing(tx, &st));
    for check in cal.hooks.closure_checks {
        blockers.extend(check(tx, c.id)?);
    }
    if !blockers.is_empty() {
        return Err(ApiError::illegal(format!(
            "暂不能结案：{}",
            blockers.join("；")
        )));
    }
    add_step(
        tx,
        c.id,
        StepKind::Closed,
        on,
        i.actor_id,
        "",
        i.note.trim(),
        serde_json::json!({}),
    )?;
    tx.execute(
        "UPDATE case_file SET status = 'Closed', closed_on = ?1, updated_at = ?2 WHERE id = ?3",
        params![date_text(on), now_text(), c.id],
    )?;
    detail(tx, cal, c.id, None)
}

/// Only an open case whose decision was made and served (it is then executing) closes; a case
/// without a decision is dropped instead.
fn closing_stage(c: &Case) -> Result<()> {
    case_mod::require_open(c)?;
    if c.status != CaseStatus::Executing {
        return Err(ApiError::illegal(format!(
            "案件{}当前{}：须作出决定并送达后才能结案；未作决定的案件请使用“撤销案件”",
            c.case_number,
            c.status.label()
        )));
    }
    Ok(())
}

/// Every document issued to the party is served (行政处罚法 art. 61).
fn unserved_documents(conn: &Connection, cal: &Ctx, c: &Case) -> Result<Vec<String>> {
    let mut blockers = Vec::new();
    for s in services(conn, cal, c.id)? {
        if s.served_on.is_none() {
            blockers.push(format!(
                "{}（{}）尚未送达",
                s.document.label(),
                s.document_number
            ));
        }
    }
    Ok(blockers)
}

/// No measure on evidence (先行登记保存, 封存) still running (001 art. 35–36).
fn unreleased_holds(conn: &Connection, cal: &Ctx, c: &Case) -> Result<Vec<String>> {
    let mut blockers = Vec::new();
    for h in case_mod::holds(conn, cal, c.id)? {
        if h.released_on.is_none() {
            blockers.push(format!("证据保全措施（{}）尚未处理", h.items));
        }
    }
    Ok(blockers)
}

/// A county agency's agreement decision is reported to the city (001 art. 24); an office whose
/// level cannot be read counts as a county.
fn city_report_missing(conn: &Connection, st: &State) -> Option<String> {
    let county = || {
        conn.query_row(
            "SELECT level = 'county' FROM office WHERE id = 1",
            [],
            |r| r.get::<_, bool>(0),
        )
        .unwrap_or(true)
    };
    if st.case.track == Track::Agreement && county() && !reported_to_city(st) {
        Some(format!(
            "协议处理决定尚未报市医保局备案{}",
            st.rules.cite(Rule::CityReport)
        ))
    } else {
        None
    }
}

/// 撤销案件 (no violation established, or 不予处罚) before a decision, with an approver.
pub fn drop_case(tx: &mut Tx<'_>, cal: &Ctx, i: &DatedNote) -> Result<CaseDetail> {
    let st = state(tx, cal, i.case_id)?;
    let c = &st.case;
    if !matches!(c.status, CaseStatus::Investigating | CaseStatus::Notified) {
        return Err(ApiError::illegal(format!(
            "案件{}{}，不能撤销",
            c.case_number,
            c.status.label()
        )));
    }
    let approver = i
        .actor_id
        .ok_or_else(|| ApiError::field("actor_id", "撤销案件须经审批人批准，请选择审批人"))?;
    users::require_role(tx, approver, Role::Approver, "actor_id")?;
    let note = required_text(&i.note, "note", "撤销理由", 1000)?;
    let on = date_or_today(i.on);
    not_before(on, last_step_date(&st.steps), "on", "上一办案环节")?;
    if let Some(h) = case_mod::holds(tx, cal, c.id)?
        .into_iter()
        .find(|h| h.released_on.is_none())
    {
        return Err(ApiError::illegal(format!(
            "证据保全措施（{}）尚未处理，请先解除或作出处理决定",
            h.items
        )));
    }
    add_step(
        tx,
        c.id,
        StepKind::Dropped,
        on,
        Some(approver),
        "",
        &note,
        serde_json::json!({}),
    )?;
    tx.execute(
        "UPDATE case_file SET status = 'Dropped', closed_on = ?1, updated_at = ?2 WHERE id = ?3",
        params![date_text(on), now_text(), c.id],
    )?;
    detail(tx, cal, c.id, None)
}
