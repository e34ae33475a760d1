//! The reviews before a decision: 法制审核 (001 art. 40; 行政处罚法 art. 58), its submission and
//! 集体讨论 (001 art. 21, 40).

use super::detail::detail;
use super::kinds::StepKind;
use super::rows::add_step;
use super::state::{date_or_today, investigators, last_step_date, not_before, state};
use super::types::{CaseDetail, CollectiveReviewInput, DatedNote, LegalReviewInput};
use super::windows::pending_review;
use crate::cases::cases::{Case, CaseStatus};
use crate::cases::hooks::Ctx;
use crate::cases::required_text;
use crate::cases::users::{self, Role};
use crate::error::{ApiError, Result};
use crate::store::Tx;

/// 法制审核 comes after the party was notified and before the decision (001 art. 40).
fn review_stage(c: &Case) -> Result<()> {
    if c.status != CaseStatus::Notified {
        return Err(ApiError::illegal(format!(
            "案件{}当前{}：法制审核在告知当事人之后、作出决定之前进行",
            c.case_number,
            c.status.label()
        )));
    }
    Ok(())
}

/// 法制审核 (001 art. 40; 行政处罚法 art. 58): the reviewer is not an investigator of the case.
pub fn legal_review(tx: &mut Tx<'_>, cal: &Ctx, i: &LegalReviewInput) -> Result<CaseDetail> {
    let st = state(tx, cal, i.case_id)?;
    let c = &st.case;
    review_stage(c)?;
    let reviewer = users::require_role(tx, i.reviewer_id, Role::Reviewer, "reviewer_id")?;
    if investigators(tx, c)?.contains(&reviewer.id) {
        return Err(ApiError::illegal(format!(
            "{}是本案承办人或调查人员，不能担任法制审核人员{}",
            reviewer.display_name,
            st.rules.cite_legal_review(c.track)
        )));
    }
    if st.requirements.hearing_requested && !st.requirements.hearing_held {
        return Err(ApiError::illegal(
            "当事人已申请听证，须先举行听证再进行法制审核",
        ));
    }
    let on = date_or_today(i.on);
    not_before(on, last_step_date(&st.steps), "on", "上一办案环节")?;
    let passed = i
        .passed
        .ok_or_else(|| ApiError::field("passed", "请选择审核结论：通过或不通过"))?;
    let opinion = required_text(&i.opinion, "opinion", "审核意见", 2000)?;
    add_step(
        tx,
        c.id,
        StepKind::LegalReview,
        on,
        Some(reviewer.id),
        if passed { "Passed" } else { "Failed" },
        &opinion,
        serde_json::json!({}),
    )?;
    detail(tx, cal, c.id, None)
}

/// 提交法制审核: starts the review clock (001 art. 40; profile `legal_review_days`). Optional: a
/// review recorded without a submission is taken as submitted the same day.
pub fn submit_legal_review(tx: &mut Tx<'_>, cal: &Ctx, i: &DatedNote) -> Result<CaseDetail> {
    let st = state(tx, cal, i.case_id)?;
    let c = &st.case;
    review_stage(c)?;
    if pending_review(&st.steps).is_some() {
        return Err(ApiError::illegal(
            "本案已提交法制审核，尚未出具审核意见，不能重复提交",
        ));
    }
    if st.requirements.legal_review_passed {
        return Err(ApiError::illegal("本案法制审核已通过，无需再次提交"));
    }
    let on = date_or_today(i.on);
    not_before(on, last_step_date(&st.steps), "on", "上一办案环节")?;
    if let Some(a) = i.actor_id {
        users::get(tx, a).map_err(|_| ApiError::field("actor_id", "提交人不存在"))?;
    }
    let days = crate::cases::profile::load(tx)?.legal_review_days;
    add_step(
        tx,
        c.id,
        StepKind::LegalReviewSubmitted,
        on,
        i.actor_id,
        "",
        i.note.trim(),
        serde_json::json!({ "days": days }),
    )?;
    detail(tx, cal, c.id, None)
}

/// 集体讨论 (001 art. 21, 40): minutes kept in the file.
pub fn collective_review(
    tx: &mut Tx<'_>,
    cal: &Ctx,
    i: &CollectiveReviewInput,
) -> Result<CaseDetail> {
    let st = state(tx, cal, i.case_id)?;
    let c = &st.case;
    if c.status != CaseStatus::Notified {
        return Err(ApiError::illegal(format!(
            "案件{}当前{}：集体讨论在告知当事人之后、作出决定之前进行",
            c.case_number,
            c.status.label()
        )));
    }
    let on = date_or_today(i.on);
    not_before(on, last_step_date(&st.steps), "on", "上一办案环节")?;
    let chair = users::require_role(tx, i.chair_id, Role::Approver, "chair_id")?;
    let participants: Vec<String> = i
        .participants
        .iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    let mut unique = participants.clone();
    unique.sort();
    unique.dedup();
    if unique.len() < 3 {
        return Err(ApiError::field(
            "participants",
            "集体讨论应有三名以上参加人员，请逐一填写姓名",
        ));
    }
    let conclusion = required_text(&i.conclusion, "conclusion", "讨论结论", 2000)?;
    let minutes = required_text(&i.minutes_ref, "minutes_ref", "讨论记录编号", 100)?;
    let agreed = i
        .agreed
        .ok_or_else(|| ApiError::field("agreed", "请选择讨论结果：同意或不同意拟处理意见"))?;
    add_step(
        tx,
        c.id,
        StepKind::CollectiveReview,
        on,
        Some(chair.id),
        if agreed { "Agreed" } else { "Rejected" },
        &conclusion,
        serde_json::json!({ "participants": unique, "minutes_ref": minutes }),
    )?;
    detail(tx, cal, c.id, None)
}
