//! Fines (罚款) and confiscations (没收违法所得): their own ledger, paid to the treasury and never
//! into the fund (000 art. 4: 罚没款项…上缴财政纳入预算，实行“收支两条线管理”; 001 art. 47;
//! 004 art. 18).
//!
//! - Due date: 15 days from service of the penalty decision (行政处罚法 art. 67), a calendar-day
//!   period that rolls forward to the next working day when its last day is a weekend or holiday
//!   (行政处罚法 art. 85) — counted by `WorkCalendar::calendar_deadline`.
//! - Late surcharge (加处罚款, 行政处罚法 art. 72(1)): each day late adds 3 % of the fine; the
//!   surcharge never exceeds the fine. It applies to fines only — not to confiscations and never to
//!   recovered fund money (DOMAIN §2).
//!
//! Choices the statute leaves open, made here:
//! - "每日按罚款数额的百分之三" is read literally: 3 % of the **fine as decided**, also after a partial
//!   payment. Days late are calendar days after the due date up to and including the day the
//!   principal is paid in full (paid on the due date: 0 days; the day after: 1 day).
//! - A payment goes to the principal first and to the surcharge after, so that a partial payment
//!   never keeps the fine itself open.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::calendar::{Deadline, WorkCalendar};
use crate::error::{ApiError, Result};
use crate::money::Money;

/// 行政处罚法 art. 67: 当事人应当自收到行政处罚决定书之日起十五日内…缴纳罚款.
pub const FINE_PAYMENT_DAYS: u32 = 15;

/// 行政处罚法 art. 72(1): 每日按罚款数额的百分之三加处罚款.
pub fn surcharge_rate_per_day() -> Decimal {
    Decimal::new(3, 2)
}

/// 罚款 or 没收违法所得.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum PenaltyKind {
    #[serde(alias = "罚款")]
    Fine,
    #[serde(alias = "没收违法所得", alias = "没收")]
    Confiscation,
}

crate::labeled_by!(PenaltyKind => label);

impl PenaltyKind {
    pub fn label(self) -> &'static str {
        match self {
            PenaltyKind::Fine => "罚款",
            PenaltyKind::Confiscation => "没收违法所得",
        }
    }
    /// Only a fine carries the late surcharge (行政处罚法 art. 72 speaks of 罚款 only).
    pub fn has_surcharge(self) -> bool {
        self == PenaltyKind::Fine
    }
}

/// The due date of a fine served on `served_on`: `days` calendar days (the rule profile's
/// `fine_payment_days`, by default [`FINE_PAYMENT_DAYS`], 行政处罚法 art. 67), rolled forward to the
/// next working day when the last day is not one (art. 85).
pub fn fine_due(cal: &WorkCalendar, served_on: NaiveDate, days: u32) -> Result<Deadline> {
    cal.calendar_deadline(served_on, days)
}

/// Calendar days after `due` up to and including `on` (0 when paid in time).
pub fn days_late(due: NaiveDate, on: NaiveDate) -> i64 {
    (on - due).num_days().max(0)
}

/// Days late as [`days_late`], without the days inside `paused` periods (first day, last day or
/// still running): 行政处罚法 art. 73 — 当事人申请行政复议或者提起行政诉讼的，加处罚款的数额在行政复议或者
/// 行政诉讼期间不予计算. Overlapping periods count once.
pub fn days_late_paused(
    due: NaiveDate,
    on: NaiveDate,
    paused: &[(NaiveDate, Option<NaiveDate>)],
) -> i64 {
    let late = days_late(due, on);
    if late == 0 || paused.is_empty() {
        return late;
    }
    // The late days are due+1 ..= on; count those inside any paused period.
    let first = due + chrono::Duration::days(1);
    let mut spans: Vec<(NaiveDate, NaiveDate)> = paused
        .iter()
        .filter_map(|(from, to)| {
            let a = (*from).max(first);
            let b = to.unwrap_or(on).min(on);
            (a <= b).then_some((a, b))
        })
        .collect();
    spans.sort();
    let mut inside = 0;
    let mut reach: Option<NaiveDate> = None;
    for (a, b) in spans {
        let a = match reach {
            Some(r) if a <= r => r + chrono::Duration::days(1),
            _ => a,
        };
        if a <= b {
            inside += (b - a).num_days() + 1;
        }
        reach = Some(reach.map_or(b, |r| r.max(b)));
    }
    (late - inside).max(0)
}

/// 3 % of the fine per day late, rounded half-up to the cent, never above the fine
/// (行政处罚法 art. 72(1)).
pub fn late_surcharge(fine: Money, days_late: i64) -> Money {
    if days_late <= 0 {
        return Money::ZERO;
    }
    fine.times(surcharge_rate_per_day() * Decimal::from(days_late))
        .min(fine)
}

/// Where one fine stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PenaltyStatus {
    pub amount: Money,
    /// None until the decision is served.
    pub due_on: Option<NaiveDate>,
    pub principal_paid: Money,
    /// Days late counted so far (frozen once the principal is paid in full).
    pub days_late: i64,
    /// Surcharge owed as of the day asked (or as of full payment of the principal).
    pub surcharge: Money,
    pub surcharge_paid: Money,
    /// Principal still owed + surcharge still owed.
    pub outstanding: Money,
    /// The day the principal was paid in full.
    pub principal_paid_on: Option<NaiveDate>,
}

/// Status of a penalty of `amount` due on `due_on`, with the payments `(date, amount)`, as of `as_of`.
/// Payments after `as_of` are ignored.
pub fn penalty_status(
    kind: PenaltyKind,
    amount: Money,
    due_on: Option<NaiveDate>,
    payments: &[(NaiveDate, Money)],
    as_of: NaiveDate,
) -> PenaltyStatus {
    penalty_status_paused(kind, amount, due_on, &[], payments, as_of)
}

/// [`penalty_status`] with the surcharge paused during 复议/诉讼 (`paused`, see [`days_late_paused`]).
pub fn penalty_status_paused(
    kind: PenaltyKind,
    amount: Money,
    due_on: Option<NaiveDate>,
    paused: &[(NaiveDate, Option<NaiveDate>)],
    payments: &[(NaiveDate, Money)],
    as_of: NaiveDate,
) -> PenaltyStatus {
    let parts: Vec<(NaiveDate, Money)> = due_on.map(|d| (d, amount)).into_iter().collect();
    penalty_status_scheduled(kind, amount, due_on, &parts, paused, payments, as_of)
}

/// [`penalty_status_paused`] of a fine whose principal falls due in `parts` (due date, amount), in
/// order: the whole fine on its due date, or the instalments of a 分期缴纳 (行政处罚法 art. 66).
/// Payments cover the parts in order. A part paid late carries 3 % a day of **its own amount**
/// until it is covered (the choice made here: art. 72 speaks of the 罚款数额, and what the approved
/// plan makes due on a day is that instalment), each part's surcharge capped at the part, so the
/// total never exceeds the fine. With one part this is the rule of the module doc. `due_on` is
/// what the status reports as due.
pub fn penalty_status_scheduled(
    kind: PenaltyKind,
    amount: Money,
    due_on: Option<NaiveDate>,
    parts: &[(NaiveDate, Money)],
    paused: &[(NaiveDate, Option<NaiveDate>)],
    payments: &[(NaiveDate, Money)],
    as_of: NaiveDate,
) -> PenaltyStatus {
    let mut payments: Vec<(NaiveDate, Money)> = payments
        .iter()
        .copied()
        .filter(|(d, _)| *d <= as_of)
        .collect();
    payments.sort_by_key(|(d, _)| *d);
    let total_paid: Money = payments.iter().map(|(_, a)| *a).sum();
    // The day the running total first reached `threshold`.
    let reached = |threshold: Money| {
        let mut running = Money::ZERO;
        payments.iter().find_map(|(d, a)| {
            running += *a;
            (running >= threshold).then_some(*d)
        })
    };
    let principal_paid_on = reached(amount);
    let principal_paid = total_paid.min(amount);
    let (mut days, mut surcharge) = (0, Money::ZERO);
    if kind.has_surcharge() {
        let mut threshold = Money::ZERO;
        for (due, part) in parts {
            threshold += *part;
            let late = days_late_paused(*due, reached(threshold).unwrap_or(as_of), paused);
            days = days.max(late);
            surcharge += late_surcharge(*part, late);
        }
    }
    let surcharge = surcharge.min(amount);
    let surcharge_paid = (total_paid - principal_paid).min(surcharge);
    PenaltyStatus {
        amount,
        due_on,
        principal_paid,
        days_late: days,
        surcharge,
        surcharge_paid,
        outstanding: (amount - principal_paid) + (surcharge - surcharge_paid),
        principal_paid_on,
    }
}

/// Splits `total` into `count` instalments in 分: equal parts, the last one taking what the
/// division leaves (so they add up exactly).
pub fn split_instalments(total: Money, count: u32) -> Vec<Money> {
    let count = count.max(1) as i64;
    let each = total.fen() / count;
    (0..count)
        .map(|i| {
            if i + 1 == count {
                Money::from_fen(total.fen() - each * (count - 1))
            } else {
                Money::from_fen(each)
            }
        })
        .collect()
}

/// Check a new payment against the penalty: positive, not before service, and not above what is
/// owed once it is counted (principal + the surcharge as of that payment).
pub fn check_payment(
    kind: PenaltyKind,
    amount: Money,
    due_on: Option<NaiveDate>,
    earlier: &[(NaiveDate, Money)],
    paid_on: NaiveDate,
    paying: Money,
) -> Result<PenaltyStatus> {
    check_payment_paused(kind, amount, due_on, &[], earlier, paid_on, paying)
}

/// [`check_payment`] with the surcharge paused during 复议/诉讼.
pub fn check_payment_paused(
    kind: PenaltyKind,
    amount: Money,
    due_on: Option<NaiveDate>,
    paused: &[(NaiveDate, Option<NaiveDate>)],
    earlier: &[(NaiveDate, Money)],
    paid_on: NaiveDate,
    paying: Money,
) -> Result<PenaltyStatus> {
    let parts: Vec<(NaiveDate, Money)> = due_on.map(|d| (d, amount)).into_iter().collect();
    check_payment_scheduled(
        kind, amount, due_on, &parts, paused, earlier, paid_on, paying,
    )
}

/// [`check_payment_paused`] of a fine due in `parts` (see [`penalty_status_scheduled`]).
#[allow(clippy::too_many_arguments)]
pub fn check_payment_scheduled(
    kind: PenaltyKind,
    amount: Money,
    due_on: Option<NaiveDate>,
    parts: &[(NaiveDate, Money)],
    paused: &[(NaiveDate, Option<NaiveDate>)],
    earlier: &[(NaiveDate, Money)],
    paid_on: NaiveDate,
    paying: Money,
) -> Result<PenaltyStatus> {
    if paying.is_negative() || paying.is_zero() {
        return Err(ApiError::field("amount", "缴款金额必须大于零"));
    }
    let mut all = earlier.to_vec();
    all.push((paid_on, paying));
    let last = all.iter().map(|(d, _)| *d).max().unwrap_or(paid_on);
    let before = penalty_status_scheduled(kind, amount, due_on, parts, paused, earlier, last);
    if before.outstanding.is_zero() {
        return Err(ApiError::illegal(format!(
            "该{}已缴清，不能再登记缴款",
            kind.label()
        )));
    }
    let after = penalty_status_scheduled(kind, amount, due_on, parts, paused, &all, last);
    let total_paid: Money = all.iter().map(|(_, a)| *a).sum();
    if total_paid > amount + after.surcharge {
        let can = amount + after.surcharge - earlier.iter().map(|(_, a)| *a).sum::<Money>();
        return Err(ApiError::illegal(format!(
            "缴款金额 {} 元超过尚欠的{}{} 元（{}），罚没款上缴国库，不设多缴",
            paying.grouped(),
            kind.label(),
            can.max(Money::ZERO).grouped(),
            if after.surcharge.is_zero() {
                "不含加处罚款".to_string()
            } else {
                format!("含加处罚款 {} 元", after.surcharge.grouped())
            }
        )));
    }
    Ok(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_in_review_or_litigation_are_not_late_days() {
        // 行政处罚法 art. 73. Due 03-17; 10 days late on 03-27.
        let due = d("2026-03-17");
        assert_eq!(days_late_paused(due, d("2026-03-27"), &[]), 10);
        // 复议 applied 03-20, decided 03-24 (5 days inside the late range): 5 left.
        let review = (d("2026-03-20"), Some(d("2026-03-24")));
        assert_eq!(days_late_paused(due, d("2026-03-27"), &[review]), 5);
        // Still pending: from 03-20 on nothing accrues.
        assert_eq!(
            days_late_paused(due, d("2026-04-30"), &[(d("2026-03-20"), None)]),
            2
        );
        // Applied before the due date: only the days after it count as paused.
        assert_eq!(
            days_late_paused(
                due,
                d("2026-03-27"),
                &[(d("2026-03-01"), Some(d("2026-03-19")))]
            ),
            8
        );
        // Overlapping 复议 then 诉讼 count once.
        let suit = (d("2026-03-23"), Some(d("2026-03-25")));
        assert_eq!(days_late_paused(due, d("2026-03-27"), &[review, suit]), 4);
    }

    #[test]
    fn a_late_instalment_carries_the_surcharge_on_its_own_amount() {
        // 行政处罚法 art. 66, 72: 9,000 in three instalments of 3,000 due 11-30, 12-31, 01-31.
        let fine = m("9000");
        let parts = [
            (d("2026-11-30"), m("3000")),
            (d("2026-12-31"), m("3000")),
            (d("2027-01-31"), m("3000")),
        ];
        let status = |pays: &[(NaiveDate, Money)], on: &str| {
            penalty_status_scheduled(
                PenaltyKind::Fine,
                fine,
                Some(d("2026-11-30")),
                &parts,
                &[],
                pays,
                d(on),
            )
        };
        // First paid on time, second 2 days late: 3 % × 2 × 3,000 = 180 (not of the 9,000).
        let s = status(
            &[(d("2026-11-30"), m("3000")), (d("2027-01-02"), m("3000"))],
            "2027-01-10",
        );
        assert_eq!((s.days_late, s.surcharge), (2, m("180")));
        assert_eq!(s.outstanding, m("3180"));
        // Nothing paid: the first is 41 days late on 01-10 (capped at its 3,000), the second 10.
        let s = status(&[], "2027-01-10");
        assert_eq!(s.days_late, 41);
        assert_eq!(s.surcharge, m("3000") + m("900"));
        // One part is the whole fine: the same as without a plan.
        let one = [(d("2026-11-30"), fine)];
        let a = penalty_status_scheduled(
            PenaltyKind::Fine,
            fine,
            Some(d("2026-11-30")),
            &one,
            &[],
            &[],
            d("2026-12-02"),
        );
        let b = penalty_status(
            PenaltyKind::Fine,
            fine,
            Some(d("2026-11-30")),
            &[],
            d("2026-12-02"),
        );
        assert_eq!(a, b);
        // The split adds up to the cent.
        assert_eq!(
            split_instalments(m("10000"), 3),
            vec![m("3333.33"), m("3333.33"), m("3333.34")]
        );
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }
    fn m(s: &str) -> Money {
        Money::parse(s).unwrap()
    }

    #[test]
    fn due_date_is_15_days_from_service_rolled_past_national_day_2026() {
        // 行政处罚法 art. 67 + 85; 国办发明电〔2025〕7号: 10月1日–7日 off.
        let cal = WorkCalendar::builtin();
        assert_eq!(
            fine_due(&cal, d("2026-09-16"), FINE_PAYMENT_DAYS)
                .unwrap()
                .date,
            d("2026-10-08")
        );
        // An ordinary day: served Mon 2026-03-02, +15 = Tue 03-17.
        assert_eq!(
            fine_due(&cal, d("2026-03-02"), FINE_PAYMENT_DAYS)
                .unwrap()
                .date,
            d("2026-03-17")
        );
        // +15 on a Saturday rolls to Monday.
        assert_eq!(
            fine_due(&cal, d("2026-03-06"), FINE_PAYMENT_DAYS)
                .unwrap()
                .date,
            d("2026-03-23")
        );
    }

    #[test]
    fn surcharge_is_three_percent_a_day_capped_at_the_fine() {
        // 行政处罚法 art. 72(1).
        let fine = m("10000");
        assert_eq!(late_surcharge(fine, 0), Money::ZERO);
        assert_eq!(late_surcharge(fine, 1), m("300"));
        assert_eq!(late_surcharge(fine, 33), m("9900"));
        assert_eq!(late_surcharge(fine, 34), fine);
        assert_eq!(late_surcharge(fine, 400), fine);
        // Half-up to the cent: 3 % of 0.50 is 0.015 → 0.02.
        assert_eq!(late_surcharge(m("0.50"), 1), m("0.02"));
    }

    #[test]
    fn partial_payments_go_to_the_principal_first_and_freeze_the_surcharge() {
        let due = d("2026-10-08");
        let fine = m("5000");
        let pays = [(d("2026-10-08"), m("2000")), (d("2026-10-12"), m("3000"))];
        let s = penalty_status(PenaltyKind::Fine, fine, Some(due), &pays, d("2026-12-31"));
        assert_eq!(s.principal_paid, fine);
        assert_eq!(s.principal_paid_on, Some(d("2026-10-12")));
        assert_eq!(s.days_late, 4);
        assert_eq!(s.surcharge, m("600"));
        assert_eq!(s.outstanding, m("600"));
        let s = penalty_status(
            PenaltyKind::Confiscation,
            fine,
            Some(due),
            &pays,
            d("2026-12-31"),
        );
        assert_eq!((s.surcharge, s.outstanding), (Money::ZERO, Money::ZERO));
    }

    #[test]
    fn a_payment_above_fine_plus_surcharge_is_refused() {
        let due = d("2026-10-08");
        let fine = m("1000");
        let e = check_payment(
            PenaltyKind::Fine,
            fine,
            Some(due),
            &[],
            d("2026-10-09"),
            m("1030.01"),
        )
        .unwrap_err();
        assert!(e.message.contains("1,030.00"), "{}", e.message);
        let s = check_payment(
            PenaltyKind::Fine,
            fine,
            Some(due),
            &[],
            d("2026-10-09"),
            m("1030"),
        )
        .unwrap();
        assert_eq!(s.outstanding, Money::ZERO);
        let e = check_payment(
            PenaltyKind::Fine,
            fine,
            Some(due),
            &[(d("2026-10-09"), m("1030"))],
            d("2026-10-20"),
            m("1"),
        )
        .unwrap_err();
        assert!(e.message.contains("已缴清"), "{}", e.message);
    }
}
