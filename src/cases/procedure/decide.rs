//! The decision: the extension of the decision period (行政处罚法 art. 60) and 作出决定 with
//! every guard of the procedure. Each check enforces one rule; `decide` runs them in the order
//! they are listed here (the checks of what the decision imposes — fine, confiscation, measures —
//! are in `penalty.rs`), so the first one that fails is the message the user sees.

use crate::cases::rules::{Rule, RuleSet};
use chrono::NaiveDate;
use rusqlite::params;

use super::detail::detail;
use super::kinds::{DecisionKind, StepKind};
use super::penalty::{confiscation_in_a_penalty, measures_not_heavier_than_notified, valid_fine};
use super::rows::{add_step, issue_document, set_status};
use super::service::document_number;
use super::state::{
    date_or_today, has_step_after, last_step_date, not_before, signed_by_the_case_handler, state,
    State,
};
use super::types::{
    CaseDetail, Decision, DecisionInput, ExtensionInput, PaymentExtensionInput, Requirements,
};
use crate::cases::cases::{self as case_mod, Case, CaseStatus};
use crate::cases::hooks::Ctx;
use crate::cases::measures::{self, MeasureInput};
use crate::cases::users::{self, Role};
use crate::cases::{bounded_text, cn_date, date_text, required_text, Track};
use crate::error::{ApiError, Result};
use crate::store::{now_text, Tx};
use crate::vocab::text::enum_text;

/// 延长办案期限 (行政处罚法 art. 60: +30 days with the approval of the head), once, before the
/// deadline.
pub fn extend_decision(tx: &mut Tx<'_>, cal: &Ctx, i: &ExtensionInput) -> Result<CaseDetail> {
    let c = case_mod::get(tx, cal, i.case_id)?;
    if !matches!(c.status, CaseStatus::Investigating | CaseStatus::Notified) {
        return Err(ApiError::illegal(format!(
            "案件{}{}，无需延长办案期限",
            c.case_number,
            c.status.label()
        )));
    }
    if c.decision_extended {
        return Err(ApiError::illegal(
            "办案期限只能延长一次（行政处罚法第六十条）",
        ));
    }
    let on = date_or_today(i.on);
    not_before(on, c.filed_on, "on", "立案日期")?;
    if on > c.decision_due {
        return Err(ApiError::illegal(format!(
            "办案期限已于{}届满，不能在期满后延长",
            cn_date(c.decision_due)
        )));
    }
    let approver = users::require_role(tx, i.approver_id, Role::Approver, "approver_id")?;
    let reason = required_text(&i.reason, "reason", "延长理由", 500)?;
    let ext = crate::cases::profile::load(tx)?.decision_extension_days;
    if ext == 0 {
        return Err(ApiError::illegal(
            "规则配置中办案期限不可延长（延长期限为0）",
        ));
    }
    tx.execute(
        "UPDATE case_file SET decision_extension_days = ?1, updated_at = ?2 WHERE id = ?3",
        params![ext, now_text(), c.id],
    )?;
    add_step(
        tx,
        c.id,
        StepKind::DecisionExtended,
        on,
        Some(approver.id),
        "",
        &reason,
        serde_json::json!({ "days": ext }),
    )?;
    detail(tx, cal, c.id, None)
}

/// 延长退款期限 for 不可抗力 or another special circumstance (004 art. 14 ¶2: the party asks in
/// writing, the office that issued the 通知单 decides). The decision's 缴费时限 moves to the date
/// decided, so every clock, the overdue lists and the lateness of payments follow it; the original
/// deadline and the party's request are kept in the step.
pub fn extend_payment(tx: &mut Tx<'_>, cal: &Ctx, i: &PaymentExtensionInput) -> Result<CaseDetail> {
    let c = case_mod::get(tx, cal, i.case_id)?;
    case_mod::require_open(&c)?;
    let rules = crate::cases::rules::for_case(tx, c.id)?;
    let Some(dec) = super::rows::decision(tx, c.id)? else {
        return Err(ApiError::illegal(
            "案件尚未作出处理决定，没有可以延长的退款期限",
        ));
    };
    let Some(due) = dec.payment_due else {
        return Err(ApiError::illegal(
            "处理决定未载明退缴时限，没有可以延长的退款期限",
        ));
    };
    let requested = i
        .requested_on
        .ok_or_else(|| ApiError::field("requested_on", "请填写当事人提出书面申请的日期"))?;
    not_before(requested, dec.decided_on, "requested_on", "决定日期")?;
    let on = date_or_today(i.on);
    not_before(on, requested, "on", "当事人申请日期")?;
    let reason = required_text(&i.reason, "reason", "延期理由", 500)?;
    let new_due = i
        .new_due
        .ok_or_else(|| ApiError::field("new_due", "请填写延长后的退款期限"))?;
    if new_due <= due {
        return Err(ApiError::field(
            "new_due",
            format!(
                "延长后的退款期限（{}）须晚于原期限（{}）",
                cn_date(new_due),
                cn_date(due)
            ),
        ));
    }
    if new_due < on {
        return Err(ApiError::field(
            "new_due",
            format!(
                "延长后的退款期限（{}）不能早于同意延期的日期（{}）",
                cn_date(new_due),
                cn_date(on)
            ),
        ));
    }
    let approver = users::require_role(tx, i.approver_id, Role::Approver, "approver_id")?;
    tx.execute(
        "UPDATE decision SET payment_due = ?1 WHERE id = ?2",
        params![date_text(new_due), dec.id],
    )?;
    tx.touch("decision", dec.id);
    add_step(
        tx,
        c.id,
        StepKind::PaymentExtended,
        on,
        Some(approver.id),
        "",
        &format!(
            "{reason}。当事人{}书面申请，退款期限由{}延长至{}{}",
            cn_date(requested),
            cn_date(due),
            cn_date(new_due),
            rules.cite(Rule::PaymentExtension)
        ),
        serde_json::json!({
            "requested_on": date_text(requested),
            "from": date_text(due),
            "to": date_text(new_due),
        }),
    )?;
    detail(tx, cal, c.id, None)
}

/// 作出决定, with every guard of the procedure.
pub fn decide(tx: &mut Tx<'_>, cal: &Ctx, i: &DecisionInput) -> Result<CaseDetail> {
    let st = state(tx, cal, i.case_id)?;
    let c = &st.case;
    let req = &st.requirements;
    let rules = &st.rules;
    notified_and_undecided(c, rules)?;
    let (_, notice) = st.notice.clone().expect("notified");
    let decided = decision_date(i, &st)?;
    notice_served(&st)?;
    statement_window_over(req, decided, rules)?;
    hearing_request_window_over(&st, decided)?;
    hearing_held_if_requested(req)?;
    legal_review_passed(req, rules, c.track)?;
    collective_review_agreed(req)?;
    let kind = kind_of_the_track(i.kind, c.track)?;
    // 暂停/解除协议 and 行政处罚 wait for the city's approval (seed 002 二(三)三; seed 001 art. 21 ¶2).
    crate::cases::escalation::approval_given(tx, c.id, kind, &i.measures, rules)?;
    let number = document_number(
        tx,
        &cal.hooks.numbers,
        &i.document_number,
        kind.document(),
        decided,
        "决定书文号",
    )?;
    signed_by_the_case_handler(tx, &i.signoff, c, "决定书")?;
    let payment_due = payment_due_for_money_owed(i.payment_due, c, decided, rules)?;
    let fine_basis = bounded_text(&i.fine_basis, "fine_basis", "罚款依据", 300)?;
    let fine_multiple = valid_fine(i, c, kind, &notice, &fine_basis)?;
    confiscation_in_a_penalty(i.confiscation, kind)?;
    measures_not_heavier_than_notified(&i.measures, c, &notice, rules)?;
    let late_reason = within_the_decision_period(i, c, decided)?;
    let summary = bounded_text(&i.summary, "summary", "决定内容摘要", 2000)?;
    let d = Decision {
        id: 0, // given by record_decision
        case_id: c.id,
        kind,
        document_number: number,
        decided_on: decided,
        recovery_total: c.recovery_total,
        liquidated_damages: c.liquidated_damages,
        payment_due,
        fine: i.fine,
        fine_multiple,
        fine_basis,
        confiscation: i.confiscation,
        signoff: i.signoff,
        late_reason,
        summary,
    };
    record_decision(tx, c, &i.measures, d)?;
    detail(tx, cal, c.id, None)
}

/// The decision row, the measures it imposes, the `Decided` step and the decision document for
/// service (7 working days, 行政处罚法 art. 61); the case becomes Decided.
fn record_decision(
    tx: &mut Tx<'_>,
    c: &Case,
    measures_decided: &[MeasureInput],
    d: Decision,
) -> Result<()> {
    let id: i64 = tx.query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM decision", [], |r| {
        r.get(0)
    })?;
    tx.execute(
        "INSERT INTO decision (id, case_id, kind, document_number, decided_on, recovery_total_fen, liquidated_damages_fen,
            payment_due, fine_fen, fine_multiple, fine_basis, confiscation_fen, handler_id, reviewer_id, approver_id,
            late_reason, summary, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
        params![
            id,
            d.case_id,
            enum_text(&d.kind),
            d.document_number,
            date_text(d.decided_on),
            d.recovery_total,
            d.liquidated_damages,
            d.payment_due.map(date_text),
            d.fine,
            d.fine_multiple,
            d.fine_basis,
            d.confiscation,
            d.signoff.handler_id,
            d.signoff.reviewer_id,
            d.signoff.approver_id,
            d.late_reason,
            d.summary,
            now_text()
        ],
    )?;
    tx.touch("decision", id);
    measures::apply(tx, c.id, c.institution_id, d.decided_on, measures_decided)?;
    let step_id = add_step(
        tx,
        c.id,
        StepKind::Decided,
        d.decided_on,
        Some(d.signoff.approver_id),
        "",
        &d.summary,
        serde_json::json!({ "decision_id": id, "document_number": d.document_number }),
    )?;
    issue_document(
        tx,
        c.id,
        d.kind.document(),
        &d.document_number,
        d.decided_on,
        step_id,
    )?;
    set_status(tx, c.id, CaseStatus::Decided)
}

/// The party was told the intended decision with its facts, reasons and basis and the right to
/// state and defend (001 art. 22; 行政处罚法 art. 44), and the case is not decided yet.
fn notified_and_undecided(c: &Case, rules: &RuleSet) -> Result<()> {
    case_mod::require_open(c)?;
    match c.status {
        CaseStatus::Investigating => Err(ApiError::illegal(format!(
            "尚未告知当事人拟作出的处理决定及其事实、理由、依据和陈述申辩权利，不能作出决定{}",
            rules.cite(Rule::NoticeFacts)
        ))),
        CaseStatus::Notified => Ok(()),
        _ => Err(ApiError::illegal(format!(
            "案件{}已作出决定，不能重复决定",
            c.case_number
        ))),
    }
}

/// The decision date is given and not before the last step.
fn decision_date(i: &DecisionInput, st: &State) -> Result<NaiveDate> {
    let decided = i
        .decided_on
        .ok_or_else(|| ApiError::field("decided_on", "请填写决定日期"))?;
    not_before(
        decided,
        last_step_date(&st.steps),
        "decided_on",
        "上一办案环节",
    )?;
    Ok(decided)
}

/// The notice was served: the statement window runs from service (行政处罚法 art. 61).
fn notice_served(st: &State) -> Result<()> {
    st.notice_served_on.ok_or_else(|| {
        ApiError::illegal(
            "告知书尚未送达当事人，不能作出决定：请先登记告知书的送达（行政处罚法第六十一条）",
        )
    })?;
    Ok(())
}

/// The statement window has run out, unless the party already replied or waived (001 art. 22).
fn statement_window_over(req: &Requirements, decided: NaiveDate, rules: &RuleSet) -> Result<()> {
    let statement_due = req.statement_due.expect("served");
    if !req.statement_done && decided <= statement_due {
        return Err(ApiError::illegal(format!(
            "陈述申辩期至{}届满，期满前（当事人未陈述申辩或明确放弃的）不能作出决定{}",
            cn_date(statement_due),
            rules.cite(Rule::StatementRight)
        )));
    }
    Ok(())
}

/// An offered hearing's request window has run out, unless the party asked or waived
/// (行政处罚法 art. 64).
fn hearing_request_window_over(st: &State, decided: NaiveDate) -> Result<()> {
    let req = &st.requirements;
    if let Some(hdue) = req.hearing_request_due {
        if !req.hearing_requested
            && decided <= hdue
            && !has_step_after(&st.steps, 0, &[StepKind::StatementWaived])
        {
            return Err(ApiError::illegal(format!(
                "听证申请期至{}届满，期满前不能作出决定（行政处罚法第六十四条）",
                cn_date(hdue)
            )));
        }
    }
    Ok(())
}

/// A requested hearing was held (行政处罚法 art. 63–64).
fn hearing_held_if_requested(req: &Requirements) -> Result<()> {
    if req.hearing_requested && !req.hearing_held {
        return Err(ApiError::illegal(
            "当事人已申请听证，须先举行听证（行政处罚法第六十三条、第六十四条）",
        ));
    }
    Ok(())
}

/// Legal review passed before a penalty, heard or suspension/termination decision (001 art. 40;
/// 行政处罚法 art. 58).
fn legal_review_passed(req: &Requirements, rules: &RuleSet, track: Track) -> Result<()> {
    if req.legal_review_required && !req.legal_review_passed {
        return Err(ApiError::illegal(format!(
            "本案须经法制审核，未经法制审核或者审核未通过的，不得作出决定{}",
            rules.cite_legal_review(track)
        )));
    }
    Ok(())
}

/// Collective review agreed for a recovery ≥ 50,000 or a suspension/termination (001 art. 21).
fn collective_review_agreed(req: &Requirements) -> Result<()> {
    if req.collective_review_required && !req.collective_review_done {
        return Err(ApiError::illegal(format!(
            "本案须经集体讨论同意后才能作出决定：{}",
            req.collective_review_reason
        )));
    }
    Ok(())
}

/// The kind of decision fits the track: the agency decides on the agreement (001 art. 24), the
/// bureau by a handling or penalty decision (000 附件4).
fn kind_of_the_track(kind: Option<DecisionKind>, track: Track) -> Result<DecisionKind> {
    let kind = kind.ok_or_else(|| {
        ApiError::field(
            "kind",
            "请选择决定种类：行政处理决定、行政处罚决定或协议处理决定",
        )
    })?;
    match (track, kind) {
        (Track::Agreement, DecisionKind::AgreementDecision) => {}
        (Track::Administrative, DecisionKind::HandlingDecision | DecisionKind::PenaltyDecision) => {
        }
        (Track::Agreement, _) => {
            return Err(ApiError::field("kind", "协议处理案件应作出协议处理决定"))
        }
        (Track::Administrative, _) => {
            return Err(ApiError::field(
                "kind",
                "行政执法案件应作出行政处理决定或行政处罚决定",
            ))
        }
    }
    Ok(kind)
}

/// Money to recover needs a payment deadline, not before the decision; no money, no deadline
/// (004 art. 8: 退缴时限).
fn payment_due_for_money_owed(
    payment_due: Option<NaiveDate>,
    c: &Case,
    decided: NaiveDate,
    rules: &RuleSet,
) -> Result<Option<NaiveDate>> {
    let owed = c.recovery_total + c.liquidated_damages;
    match payment_due {
        Some(d) => {
            if owed.is_zero() {
                return Err(ApiError::field(
                    "payment_due",
                    "本案没有应追回金额，无需填写缴费时限",
                ));
            }
            if d < decided {
                return Err(ApiError::field("payment_due", "缴费时限不能早于决定日期"));
            }
            Ok(Some(d))
        }
        None if !owed.is_zero() => Err(ApiError::field(
            "payment_due",
            format!(
                "请填写应追回金额的缴费时限{}",
                rules.cite(Rule::RecoveryTerms)
            ),
        )),
        None => Ok(None),
    }
}

/// Within 90 (+30) days of filing (行政处罚法 art. 60); a late decision states why. Returns the
/// reason as stored.
fn within_the_decision_period(i: &DecisionInput, c: &Case, decided: NaiveDate) -> Result<String> {
    let late_reason = bounded_text(&i.late_reason, "late_reason", "超期原因", 500)?;
    if decided > c.decision_due && late_reason.is_empty() {
        return Err(ApiError::illegal(format!(
            "办案期限已于{}届满（立案之日起{}日{}，行政处罚法第六十条）：请填写超期原因后再作出决定",
            cn_date(c.decision_due),
            (c.decision_due - c.filed_on).num_days(),
            if c.decision_extended { "，含延长期限" } else { "" }
        )));
    }
    Ok(late_reason)
}
