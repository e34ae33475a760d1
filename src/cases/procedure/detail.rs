//! The case page: everything about a case, its timeline (steps and service in date order) and
//! what the law requires next.

use crate::cases::rules::Rule;
use chrono::NaiveDate;
use rusqlite::Connection;

use super::kinds::StepKind;
use super::rows::{decision, services};
use super::state::{state, State};
use super::types::Requirements;
use super::types::{CaseDetail, Decision, DocumentService, Step, TimelineEntry};
use crate::cases::cases::{self as case_mod, CaseStatus};
use crate::cases::clocks::{self, Clock};
use crate::cases::hooks::Ctx;
use crate::cases::measures;
use crate::cases::{cn_date, ClockState, Track};
use crate::error::Result;

/// The case with everything a case page shows; `today` judges the clocks (default: local date).
pub fn detail(
    conn: &Connection,
    cal: &Ctx,
    case_id: i64,
    today: Option<NaiveDate>,
) -> Result<CaseDetail> {
    let st = state(conn, cal, case_id)?;
    let services = services(conn, cal, case_id)?;
    let holds = case_mod::holds(conn, cal, case_id)?;
    let lines = case_mod::recovery_lines(conn, case_id)?;
    let findings = case_mod::findings(conn, case_id)?;
    let evidence = case_mod::evidence(conn, case_id)?;
    let decision = decision(conn, case_id)?;
    let clocks = clocks::list(
        conn,
        cal,
        cal.hooks.clock_sources(),
        &clocks::ClockQuery {
            today,
            case_id: Some(case_id),
            limit: Some(crate::store::query::PAGE_MAX),
            ..Default::default()
        },
    )?
    .items;
    let timeline = timeline(&st.steps, &services);
    let rules = crate::cases::rules::for_case(conn, case_id)?;
    let rule_set_edited = rules.citations != crate::cases::rules::preset_citations(rules.preset);
    let prior_refusals =
        measures::refusals_of(conn, case_id, st.case.institution_id, st.case.insured_id)?;
    let mut next = overdue(&clocks);
    let req = st.requirements.clone();
    match st.case.status {
        CaseStatus::Investigating => next.extend(investigating_next(
            &st, &findings, &evidence, &lines, &holds,
        )),
        CaseStatus::Notified => {
            next.extend(notified_next(&st, &services));
            // What the city must approve first (seed 002 二(三)三), before "作出处理决定".
            if let Some((_, n)) = &st.notice {
                if let Some(hint) = crate::cases::escalation::next_step(
                    conn,
                    case_id,
                    &n.proposed_measures,
                    &st.rules,
                )? {
                    let at = next.len().saturating_sub(1);
                    next.insert(at, hint);
                }
            }
        }
        CaseStatus::Decided => next.extend(unserved(&services)),
        CaseStatus::Executing => next.extend(executing_next(&st, decision.as_ref())),
        CaseStatus::Closed | CaseStatus::Dropped => {}
    }
    Ok(CaseDetail {
        findings,
        evidence,
        holds,
        recovery_lines: lines,
        notification: st.notice.map(|(_, n)| n),
        decision,
        measures: measures::list(conn, case_id)?,
        services,
        steps: st.steps,
        timeline,
        requirements: req,
        clocks,
        next_steps: next,
        rule_preset: rules.preset,
        rule_set_edited,
        unknown_fund_split: rules.unknown_fund_split,
        prior_refusals,
        case: st.case,
    })
}

fn step_title(s: &Step) -> String {
    let outcome = match (s.kind, s.outcome.as_str()) {
        (StepKind::LegalReview, "Passed") => "（通过）",
        (StepKind::LegalReview, "Failed") => "（不通过）",
        (StepKind::CollectiveReview, "Agreed") => "（同意）",
        (StepKind::CollectiveReview, "Rejected") => "（不同意）",
        _ => "",
    };
    format!("{}{}", s.kind.label(), outcome)
}

/// Steps and served documents in date order (steps of a day in the order recorded, then service).
fn timeline(steps: &[Step], services: &[DocumentService]) -> Vec<TimelineEntry> {
    let mut timeline: Vec<TimelineEntry> = steps
        .iter()
        .map(|s| TimelineEntry {
            on: s.on,
            title: step_title(s),
            actor: s.actor.clone(),
            note: s.note.clone(),
            step_id: Some(s.id),
            service_id: None,
        })
        .collect();
    for s in services {
        if let Some(on) = s.served_on {
            timeline.push(TimelineEntry {
                on,
                title: format!("送达{}", s.document.label()),
                actor: s.recipient.clone(),
                note: format!(
                    "{}{}",
                    s.document_number,
                    if s.receipt.is_empty() {
                        String::new()
                    } else {
                        format!("，凭证{}", s.receipt)
                    }
                ),
                step_id: None,
                service_id: Some(s.id),
            });
        }
    }
    timeline.sort_by_key(|t| {
        (
            t.on,
            t.step_id.unwrap_or(i64::MAX),
            t.service_id.unwrap_or(0),
        )
    });
    timeline
}

/// The overdue clocks come first.
fn overdue(clocks: &[Clock]) -> Vec<String> {
    clocks
        .iter()
        .filter(|k| k.state == ClockState::Overdue)
        .map(|clock| format!("已逾期：{}（应于{}前）", clock.label, cn_date(clock.due_on)))
        .collect()
}

/// The rule a notice of intended action follows: 行政处罚法 art. 44 on the administrative track;
/// the service agreement and 令第2/3号 on the agreement track (issue 9).
pub(crate) fn notice_rule(track: Track) -> Rule {
    match track {
        Track::Administrative => Rule::NoticeFacts,
        Track::Agreement => Rule::AgreementMeasures,
    }
}

/// Before the notice: facts, evidence, money, the holds, then the notice (001 art. 22).
fn investigating_next(
    st: &State,
    findings: &[case_mod::Finding],
    evidence: &[case_mod::Evidence],
    lines: &[case_mod::RecoveryLine],
    holds: &[case_mod::EvidenceHold],
) -> Vec<String> {
    let mut next = Vec::new();
    if findings.is_empty() {
        next.push("登记违规事实（事实、期间、违反的规定、金额）".into());
    }
    if evidence.is_empty() {
        next.push(format!(
            "登记证据（书证、物证、视听资料、电子数据、证人证言、当事人的陈述、鉴定意见、勘验笔录或现场笔录）{}",
            st.rules.cite(Rule::Evidence)
        ));
    }
    if lines.is_empty() {
        next.push(format!(
            "按险种、当年/历年、费用类别录入应追回金额{}",
            st.rules.cite(Rule::RecoveryTerms)
        ));
    }
    for h in holds.iter().filter(|h| h.released_on.is_none()) {
        next.push(format!(
            "证据保全措施（{}）应于{}前处理",
            h.items,
            cn_date(h.due_on)
        ));
    }
    next.push(format!(
        "制作并送达告知书，告知拟处理内容及陈述申辩权利{}；办案期限至{}",
        st.rules.cite(notice_rule(st.case.track)),
        cn_date(st.case.decision_due)
    ));
    next
}

/// After the notice: its service, the statement window, the hearing, the reviews, the decision.
fn notified_next(st: &State, services: &[DocumentService]) -> Vec<String> {
    let req: &Requirements = &st.requirements;
    let mut next = Vec::new();
    if !req.notice_served {
        if let Some(s) = services.iter().find(|s| s.served_on.is_none()) {
            next.push(format!(
                "送达{}并登记送达回证（应于{}前）",
                s.document.label(),
                cn_date(s.due_on)
            ));
        }
    } else if !req.statement_done {
        next.push(format!(
            "等待陈述申辩：期限至{}，期满前不得作出决定",
            cn_date(req.statement_due.expect("served"))
        ));
    }
    if req.hearing_requested && !req.hearing_held {
        next.push("组织听证（主持人不得为本案调查人员）".into());
    }
    if req.legal_review_required && !req.legal_review_passed {
        next.push("提交法制审核（审核人员不得为本案承办人或调查人员）".into());
    }
    if req.collective_review_required && !req.collective_review_done {
        next.push(format!("提请集体讨论：{}", req.collective_review_reason));
    }
    next.push(format!(
        "作出处理决定（应于{}前）",
        cn_date(st.case.decision_due)
    ));
    next
}

/// Every document still to serve (after the decision).
fn unserved(services: &[DocumentService]) -> Vec<String> {
    services
        .iter()
        .filter(|s| s.served_on.is_none())
        .map(|s| {
            format!(
                "送达{}并登记送达回证（应于{}前）",
                s.document.label(),
                cn_date(s.due_on)
            )
        })
        .collect()
}

/// While executing: the money (004 art. 9, 11), the fine, the report to the city (001 art. 24).
fn executing_next(st: &State, decision: Option<&Decision>) -> Vec<String> {
    let mut next = Vec::new();
    if let Some(d) = decision {
        if let Some(due) = d.payment_due {
            next.push(format!(
                "督促当事人于{}前退回{}元，以财政票据为追回的最终凭据{}",
                cn_date(due),
                (d.recovery_total + d.liquidated_damages).grouped(),
                st.rules
                    .cite_all(&[Rule::PaymentProof, Rule::FiscalReceipt])
            ));
        }
        if let Some(f) = d.fine {
            next.push(format!(
                "督促缴纳罚款{}元（上缴国库，不进入医保基金）",
                f.grouped()
            ));
        }
    }
    if st.case.track == Track::Agreement
        && !st.steps.iter().any(|s| s.kind == StepKind::ReportedToCity)
    {
        next.push(format!(
            "协议处理决定报市医保局备案{}",
            st.rules.cite(Rule::CityReport)
        ));
    }
    next.push("执行完毕后结案归档".into());
    next
}
