//! The party's side after the notice: 陈述申辩 (001 art. 22), the hearing request and the hearing
//! (行政处罚法 art. 63–64).

use chrono::NaiveDate;

use super::detail::detail;
use super::kinds::{StatementKind, StepKind};
use super::rows::add_step;
use super::state::{
    date_or_today, has_step_after, investigators, last_step_date, not_before, state, State,
};
use super::types::{CaseDetail, DatedNote, HearingInput, StatementInput};
use crate::cases::cases::CaseStatus;
use crate::cases::hooks::Ctx;
use crate::cases::users;
use crate::cases::{bounded_text, cn_date, required_text};
use crate::error::{ApiError, Result};
use crate::store::Tx;

/// 陈述申辩 received or waived; optionally a hearing request (行政处罚法 art. 64: within 5
/// working days of the notice).
pub fn statement(tx: &mut Tx<'_>, cal: &Ctx, i: &StatementInput) -> Result<CaseDetail> {
    let st = state(tx, cal, i.case_id)?;
    let c = &st.case;
    if c.status != CaseStatus::Notified {
        return Err(ApiError::illegal(format!(
            "案件{}当前{}，不在陈述申辩阶段",
            c.case_number,
            c.status.label()
        )));
    }
    let (step_id, _) = st.notice.clone().expect("notified");
    let served = st.notice_served_on.ok_or_else(|| {
        ApiError::illegal("告知书尚未送达，陈述申辩期尚未开始：请先登记告知书的送达")
    })?;
    let kind = i
        .kind
        .ok_or_else(|| ApiError::field("kind", "请选择：陈述申辩或放弃陈述申辩"))?;
    let on = date_or_today(i.on);
    not_before(on, served, "on", "告知书送达日期")?;
    statement_window_open(&st, step_id, on)?;
    let summary = match kind {
        StatementKind::Statement => required_text(&i.summary, "summary", "陈述申辩内容摘要", 2000)?,
        StatementKind::Waiver => bounded_text(&i.summary, "summary", "说明", 2000)?,
    };
    if let Some(a) = i.actor_id {
        users::get(tx, a).map_err(|_| ApiError::field("actor_id", "记录人不存在"))?;
    }
    if i.hearing_requested {
        hearing_may_be_requested(&st, on)?;
    }
    let step_kind = match kind {
        StatementKind::Statement => StepKind::StatementReceived,
        StatementKind::Waiver => StepKind::StatementWaived,
    };
    add_step(
        tx,
        c.id,
        step_kind,
        on,
        i.actor_id,
        "",
        &summary,
        serde_json::json!({}),
    )?;
    if i.hearing_requested {
        add_step(
            tx,
            c.id,
            StepKind::HearingRequested,
            on,
            i.actor_id,
            "",
            "当事人申请听证",
            serde_json::json!({}),
        )?;
    }
    detail(tx, cal, c.id, None)
}

/// One statement per notice, within its window; after it the right is waived (001 art. 22).
fn statement_window_open(st: &State, step_id: i64, on: NaiveDate) -> Result<()> {
    if has_step_after(
        &st.steps,
        step_id,
        &[StepKind::StatementReceived, StepKind::StatementWaived],
    ) {
        return Err(ApiError::illegal("本次告知的陈述申辩已登记，不能重复登记"));
    }
    let due = st.requirements.statement_due.expect("served");
    if on > due {
        // 001 art. 22: 自告知书送达之日起五个工作日内未行使的，视为放弃.
        return Err(ApiError::illegal(format!(
            "陈述申辩期已于{}届满，当事人未在期限内陈述申辩的视为放弃此权利{}",
            cn_date(due),
            st.rules.cite(crate::cases::rules::Rule::StatementRight)
        )));
    }
    Ok(())
}

/// A hearing asked for with the statement: only when one was offered, within the request window
/// (行政处罚法 art. 63–64).
fn hearing_may_be_requested(st: &State, on: NaiveDate) -> Result<()> {
    if !st.requirements.hearing_offered {
        return Err(ApiError::illegal(
            "本案拟处理不属于应当告知听证权利的情形，当事人不能申请听证",
        ));
    }
    let hdue = st.requirements.hearing_request_due.expect("served");
    if on > hdue {
        return Err(ApiError::illegal(format!(
            "听证申请期已于{}届满（行政处罚法第六十四条：告知后五日内提出）",
            cn_date(hdue)
        )));
    }
    Ok(())
}

/// A hearing request recorded on its own (the party may ask without a statement).
pub fn hearing_request(tx: &mut Tx<'_>, cal: &Ctx, i: &DatedNote) -> Result<CaseDetail> {
    let st = state(tx, cal, i.case_id)?;
    let c = &st.case;
    if c.status != CaseStatus::Notified || !st.requirements.hearing_offered {
        return Err(ApiError::illegal(
            "本案当前不能申请听证：只有告知了听证权利的案件，在听证申请期内可以申请",
        ));
    }
    if st.requirements.hearing_requested {
        return Err(ApiError::illegal("当事人已申请听证，不能重复登记"));
    }
    let served = st
        .notice_served_on
        .ok_or_else(|| ApiError::illegal("告知书尚未送达，听证申请期尚未开始"))?;
    let on = date_or_today(i.on);
    not_before(on, served, "on", "告知书送达日期")?;
    let hdue = st.requirements.hearing_request_due.expect("served");
    if on > hdue {
        return Err(ApiError::illegal(format!(
            "听证申请期已于{}届满（行政处罚法第六十四条）",
            cn_date(hdue)
        )));
    }
    add_step(
        tx,
        c.id,
        StepKind::HearingRequested,
        on,
        i.actor_id,
        "",
        i.note.trim(),
        serde_json::json!({}),
    )?;
    detail(tx, cal, c.id, None)
}

/// 听证 held; the host is not an investigator (行政处罚法 art. 64(4)).
pub fn hearing(tx: &mut Tx<'_>, cal: &Ctx, i: &HearingInput) -> Result<CaseDetail> {
    let st = state(tx, cal, i.case_id)?;
    let c = &st.case;
    if c.status != CaseStatus::Notified || !st.requirements.hearing_requested {
        return Err(ApiError::illegal("当事人未申请听证，不能登记听证"));
    }
    if st.requirements.hearing_held {
        return Err(ApiError::illegal("本案听证已举行，不能重复登记"));
    }
    let on = date_or_today(i.held_on);
    not_before(on, last_step_date(&st.steps), "held_on", "上一办案环节")?;
    let host =
        users::get(tx, i.host_id).map_err(|_| ApiError::field("host_id", "听证主持人不存在"))?;
    if investigators(tx, c)?.contains(&host.id) {
        return Err(ApiError::illegal(format!(
            "{}是本案调查人员，不能主持听证（行政处罚法第六十四条：听证由行政机关指定的非本案调查人员主持）",
            host.display_name
        )));
    }
    let summary = required_text(&i.summary, "summary", "听证情况", 2000)?;
    add_step(
        tx,
        c.id,
        StepKind::HearingHeld,
        on,
        Some(host.id),
        "",
        &summary,
        serde_json::json!({}),
    )?;
    detail(tx, cal, c.id, None)
}
