//! What a decision may impose: the fine, 没收违法所得 and agreement measures, none heavier than
//! the notice proposed (行政处罚法 art. 45; 001 art. 22). `decide` runs these checks after the
//! procedure's own (see `decide.rs`), in the order `valid_fine`, `confiscation_in_a_penalty`,
//! `measures_not_heavier_than_notified`.

use crate::cases::rules::{Rule, RuleSet};
use rust_decimal::Decimal;

use super::kinds::DecisionKind;
use super::types::{DecisionInput, Notification};
use crate::cases::cases::Case;
use crate::cases::measures::{self, MeasureInput};
use crate::cases::PartyKind;
use crate::error::{ApiError, Result};
use crate::money::Money;

/// The fine: only in a penalty decision (001 art. 18), above zero, with its legal basis, no
/// heavier than notified (行政处罚法 art. 45) and equal to its multiple × the amount (DOMAIN §3);
/// a multiple needs a fine. Returns the multiple as stored.
pub(super) fn valid_fine(
    i: &DecisionInput,
    c: &Case,
    kind: DecisionKind,
    notice: &Notification,
    fine_basis: &str,
) -> Result<Option<String>> {
    let Some(f) = i.fine else {
        if i.fine_multiple
            .as_deref()
            .is_some_and(|m| !m.trim().is_empty())
        {
            return Err(ApiError::field(
                "fine",
                "填写了罚款倍数，请同时填写罚款金额",
            ));
        }
        return Ok(None);
    };
    fine_in_a_penalty(f, kind, fine_basis)?;
    fine_not_heavier_than_notified(f, notice)?;
    fine_matches_its_multiple(f, i.fine_multiple.as_deref(), c)
}

/// A fine is decided by a penalty decision, above zero, with its legal basis.
fn fine_in_a_penalty(f: Money, kind: DecisionKind, fine_basis: &str) -> Result<()> {
    if kind != DecisionKind::PenaltyDecision {
        return Err(ApiError::field("fine", "罚款须以行政处罚决定作出"));
    }
    if f.is_negative() || f.is_zero() {
        return Err(ApiError::field("fine", "罚款金额应大于零"));
    }
    if fine_basis.is_empty() {
        return Err(ApiError::field(
            "fine_basis",
            "请填写罚款的法律依据（如《医疗保障基金使用监督管理条例》第三十八条）",
        ));
    }
    Ok(())
}

/// No heavier decision than notified: the reply may not raise the penalty (行政处罚法 art. 45;
/// 001 art. 22; DOMAIN §2).
fn fine_not_heavier_than_notified(f: Money, notice: &Notification) -> Result<()> {
    match notice.proposed_fine {
        None => Err(ApiError::illegal(
            "告知书未告知拟罚款，决定不能增加罚款：如需罚款应重新告知（行政处罚法第四十五条）",
        )),
        Some(p) if f > p => Err(ApiError::illegal(format!(
            "决定罚款{}元高于告知的{}元：不得因当事人陈述申辩而加重处罚（行政处罚法第四十五条）",
            f.grouped(),
            p.grouped()
        ))),
        _ => Ok(()),
    }
}

/// Fine = multiple × the amount involved, rounded half-up to the cent (DOMAIN §3; 735号令
/// art. 38: 1–2×, art. 40: 2–5×; at most 10×). Returns the normalised multiple, if one was given.
fn fine_matches_its_multiple(f: Money, multiple: Option<&str>, c: &Case) -> Result<Option<String>> {
    let Some(m) = multiple.map(str::trim).filter(|m| !m.is_empty()) else {
        return Ok(None);
    };
    let factor: Decimal = m
        .parse()
        .map_err(|_| ApiError::field("fine_multiple", "罚款倍数应为数字，如 1.5"))?;
    if factor <= Decimal::ZERO || factor > Decimal::from(10) {
        return Err(ApiError::field(
            "fine_multiple",
            "罚款倍数应大于0且不超过10",
        ));
    }
    let expected = c.recovery_total.times(factor);
    if expected != f {
        return Err(ApiError::field(
            "fine",
            format!(
                "罚款金额与倍数不符：涉及金额{}元 × {} = {}元（四舍五入到分）",
                c.recovery_total.grouped(),
                factor.normalize(),
                expected.grouped()
            ),
        ));
    }
    Ok(Some(factor.normalize().to_string()))
}

/// 没收违法所得 is decided by a penalty decision, above zero.
pub(super) fn confiscation_in_a_penalty(
    confiscation: Option<Money>,
    kind: DecisionKind,
) -> Result<()> {
    if let Some(cf) = confiscation {
        if kind != DecisionKind::PenaltyDecision || cf.is_negative() || cf.is_zero() {
            return Err(ApiError::field(
                "confiscation",
                "没收违法所得须以行政处罚决定作出，且金额应大于零",
            ));
        }
    }
    Ok(())
}

/// Measures: each valid for the track and party (001 art. 19–20), none that was not notified
/// and none longer than notified (001 art. 22; 行政处罚法 art. 45).
pub(super) fn measures_not_heavier_than_notified(
    decided: &[MeasureInput],
    c: &Case,
    notice: &Notification,
    rules: &RuleSet,
) -> Result<()> {
    for m in decided {
        let k = measures::validate(m, c.track, c.party_kind == PartyKind::Institution, rules)?;
        let proposed = notice.proposed_measures.iter().find(|p| p.kind == Some(k));
        match proposed {
            None => {
                return Err(ApiError::illegal(format!(
                    "告知书未告知拟{}，决定不能增加该措施：如需采取应重新告知{}",
                    k.label(),
                    rules.cite(Rule::NoticeFacts)
                )))
            }
            Some(p) if m.months.unwrap_or(0) > p.months.unwrap_or(0) => {
                return Err(ApiError::illegal(format!(
                    "{}{}个月长于告知的{}个月：不得因当事人陈述申辩而加重处理",
                    k.label(),
                    m.months.unwrap_or(0),
                    p.months.unwrap_or(0)
                )))
            }
            _ => {}
        }
    }
    Ok(())
}
