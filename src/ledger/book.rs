//! The pure book of one matter (a case or a self-correction): what is due per recovery line, what
//! payments and offset deductions have covered, and the over-payment credit waiting for a refund.
//! No database here; `ledger::store` rebuilds a [`Book`] from its rows, asks it what to write, and
//! writes exactly that.
//!
//! Invariant (checked by the property tests in `tests/all/ledger_props.rs`), per line and per matter,
//! to the cent: `paid + offset + outstanding = due`, with `paid, offset, outstanding ≥ 0`, and
//! `Σ payments − Σ refunds = Σ paid + credit`.
//!
//! **Allocation order.** The seeds prescribe none. A payment (or an offset deduction) fills the
//! current-year lines (当年) first and the prior-year lines (历年) after, each group in line order
//! (the order of the 通知单, 004 附件1). Reason: current-year money is booked against this year's
//! 社会保险待遇支出 and turns into a cross-year recovery (其他收入) once the year closes
//! (004 art. 12), so it is the money whose treatment is most time-sensitive. Refunds undo a
//! payment in the reverse order: its credit first, then the line it filled last.

use std::collections::{BTreeMap, BTreeSet};

use crate::error::{ApiError, Result};
use crate::money::Money;

/// One recovery line as the ledger sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub id: i64,
    /// 当年 (true) or 历年 (false), 004 art. 8.
    pub current_year: bool,
    pub due: Money,
    /// For messages, e.g. "职工基本医保·当年·住院费".
    pub label: String,
}

/// Where one line stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LineBalance {
    pub due: Money,
    /// Net of refunds.
    pub paid: Money,
    pub offset: Money,
    pub outstanding: Money,
}

/// The amounts a payment put on each line, and what was left over as credit.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PaymentPlan {
    /// (line id, amount), in allocation order; no zero amounts.
    pub allocations: Vec<(i64, Money)>,
    /// Over-payment kept for a refund (004 art. 15).
    pub credit: Money,
}

/// What a refund takes back from one payment.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RefundPlan {
    pub from_credit: Money,
    /// (line id, amount) taken off the line's `paid`, in refund order.
    pub lines: Vec<(i64, Money)>,
}

#[derive(Debug, Clone, Default)]
struct PaymentState {
    /// Net amount per line, in the order the payment filled them.
    allocations: Vec<(i64, Money)>,
    credit: Money,
}

/// The ledger of one matter.
#[derive(Debug, Clone, Default)]
pub struct Book {
    lines: Vec<Line>,
    paid: BTreeMap<i64, Money>,
    offset: BTreeMap<i64, Money>,
    payments: BTreeMap<i64, PaymentState>,
}

/// How a payment is to be spread, as the user asked.
#[derive(Debug, Clone, Default)]
pub struct PaymentRequest<'a> {
    pub amount: Money,
    /// Only these lines may receive money (e.g. the lines of the fund whose account was paid into).
    pub scope: Option<&'a BTreeSet<i64>>,
    /// Amounts the user put on named lines; the rest is spread in the standard order.
    pub explicit: &'a [(i64, Money)],
    /// The user confirmed that money beyond what is owed is an over-payment to be refunded.
    pub record_overpayment: bool,
}

impl Book {
    /// A book over `lines`, given in line order (the order of the notice).
    pub fn new(lines: Vec<Line>) -> Result<Book> {
        let mut seen = BTreeSet::new();
        for l in &lines {
            if !seen.insert(l.id) {
                return Err(ApiError::internal(format!("recovery line {} twice", l.id)));
            }
            if l.due.is_negative() {
                return Err(ApiError::internal(format!(
                    "recovery line {} negative due",
                    l.id
                )));
            }
        }
        Ok(Book {
            lines,
            ..Book::default()
        })
    }

    pub fn lines(&self) -> &[Line] {
        &self.lines
    }

    pub fn line(&self, id: i64) -> Option<&Line> {
        self.lines.iter().find(|l| l.id == id)
    }

    pub fn balance(&self, id: i64) -> LineBalance {
        let due = self.line(id).map(|l| l.due).unwrap_or_default();
        let paid = self.paid.get(&id).copied().unwrap_or_default();
        let offset = self.offset.get(&id).copied().unwrap_or_default();
        LineBalance {
            due,
            paid,
            offset,
            outstanding: due - paid - offset,
        }
    }

    /// Sums over all lines.
    pub fn total(&self) -> LineBalance {
        self.lines
            .iter()
            .map(|l| self.balance(l.id))
            .fold(LineBalance::default(), |a, b| LineBalance {
                due: a.due + b.due,
                paid: a.paid + b.paid,
                offset: a.offset + b.offset,
                outstanding: a.outstanding + b.outstanding,
            })
    }

    /// Outstanding over the given lines (all lines when `None`).
    pub fn outstanding_in(&self, scope: Option<&BTreeSet<i64>>) -> Money {
        self.lines
            .iter()
            .filter(|l| scope.is_none_or(|s| s.contains(&l.id)))
            .map(|l| self.balance(l.id).outstanding)
            .sum()
    }

    /// Over-payment credit not yet refunded, over all payments.
    pub fn credit(&self) -> Money {
        self.payments.values().map(|p| p.credit).sum()
    }

    /// Net amount a payment still has on the lines (its recovery part) and its credit.
    pub fn payment(&self, key: i64) -> Option<(Vec<(i64, Money)>, Money)> {
        self.payments
            .get(&key)
            .map(|p| (p.allocations.clone(), p.credit))
    }

    /// Line ids in allocation order: current year first, then prior years, each in line order.
    fn order(&self) -> Vec<i64> {
        let mut ids: Vec<(bool, usize, i64)> = self
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| (!l.current_year, i, l.id))
            .collect();
        ids.sort();
        ids.into_iter().map(|(_, _, id)| id).collect()
    }

    /// Load a payment already stored (net of its refunds), when rebuilding from the database.
    pub fn load_payment(&mut self, key: i64, allocations: Vec<(i64, Money)>, credit: Money) {
        for (line, amount) in &allocations {
            *self.paid.entry(*line).or_default() += *amount;
        }
        let allocations = allocations
            .into_iter()
            .filter(|(_, a)| !a.is_zero())
            .collect();
        self.payments.insert(
            key,
            PaymentState {
                allocations,
                credit,
            },
        );
    }

    /// Load an offset deduction already stored.
    pub fn load_offset(&mut self, line: i64, amount: Money) {
        *self.offset.entry(line).or_default() += amount;
    }

    /// Spread a payment over the lines and record it under `key`. Refuses, changing nothing:
    /// a non-positive amount, an explicit allocation to a line outside the matter or the scope, or
    /// above what the line still owes, allocations summing above the payment, and money beyond
    /// what is owed unless the over-payment is confirmed.
    pub fn record_payment(&mut self, key: i64, req: &PaymentRequest<'_>) -> Result<PaymentPlan> {
        if self.payments.contains_key(&key) {
            return Err(ApiError::internal(format!("payment {key} twice")));
        }
        if req.amount.is_negative() || req.amount.is_zero() {
            return Err(ApiError::field("amount", "缴款金额必须大于零"));
        }
        let mut plan = PaymentPlan::default();
        let mut taken: BTreeMap<i64, Money> = BTreeMap::new();
        let mut left = req.amount;
        for (n, (line_id, amount)) in req.explicit.iter().enumerate() {
            let line = self
                .line(*line_id)
                .filter(|l| req.scope.is_none_or(|s| s.contains(&l.id)))
                .ok_or_else(|| {
                    ApiError::field(
                        "allocations",
                        format!(
                            "第{}项分配指定的追回明细不属于本笔缴款可以冲抵的范围（本案、本险种）",
                            n + 1
                        ),
                    )
                })?;
            if amount.is_negative() || amount.is_zero() {
                return Err(ApiError::field(
                    "allocations",
                    format!("第{}项分配的金额必须大于零", n + 1),
                ));
            }
            if taken.contains_key(line_id) {
                return Err(ApiError::field(
                    "allocations",
                    format!("“{}”重复分配，请合并为一项", line.label),
                ));
            }
            let owed = self.balance(*line_id).outstanding;
            if *amount > owed {
                return Err(ApiError::illegal(format!(
                    "分配给“{}”的 {} 元超过该项尚欠的 {} 元；多缴部分不能记入追回明细，请按尚欠金额分配，并勾选“记录多缴”将差额作为待退款项",
                    line.label,
                    amount.grouped(),
                    owed.grouped()
                )));
            }
            if *amount > left {
                return Err(ApiError::field(
                    "allocations",
                    format!("分配合计超过缴款金额 {} 元", req.amount.grouped()),
                ));
            }
            left -= *amount;
            taken.insert(*line_id, *amount);
            plan.allocations.push((*line_id, *amount));
        }
        for id in self.order() {
            if left.is_zero() {
                break;
            }
            if req.scope.is_some_and(|s| !s.contains(&id)) || taken.contains_key(&id) {
                continue;
            }
            let owed = self.balance(id).outstanding;
            let amount = owed.min(left);
            if !amount.is_zero() {
                left -= amount;
                plan.allocations.push((id, amount));
            }
        }
        if !left.is_zero() && !req.record_overpayment {
            return Err(ApiError::illegal(format!(
                "缴款金额 {} 元超出尚欠金额 {} 元。如确属多缴，请选择“记录多缴”，多缴部分将作为待退款项办理退款",
                req.amount.grouped(),
                (req.amount - left).grouped(),
            )));
        }
        plan.credit = left;
        for (line, amount) in &plan.allocations {
            *self.paid.entry(*line).or_default() += *amount;
        }
        self.payments.insert(
            key,
            PaymentState {
                allocations: plan.allocations.clone(),
                credit: plan.credit,
            },
        );
        Ok(plan)
    }

    /// Deduct up to `available` (the month's settlement for one fund) from the lines in `scope`
    /// (the fund's lines), in the standard order, and never above what they owe (004 art. 10).
    /// Returns the amounts per line; what they sum to is the deduction, the rest of `available`
    /// is paid out to the institution as usual.
    pub fn record_offset(&mut self, scope: &BTreeSet<i64>, available: Money) -> Vec<(i64, Money)> {
        let mut left = available.max(Money::ZERO);
        let mut out = Vec::new();
        for id in self.order() {
            if left.is_zero() {
                break;
            }
            if !scope.contains(&id) {
                continue;
            }
            let amount = self.balance(id).outstanding.min(left);
            if !amount.is_zero() {
                left -= amount;
                *self.offset.entry(id).or_default() += amount;
                out.push((id, amount));
            }
        }
        out
    }

    /// Take `amount` back from payment `key` (erroneous or over-payment refund, 004 art. 15):
    /// its credit first, then its lines in reverse allocation order.
    pub fn refund(&mut self, key: i64, amount: Money) -> Result<RefundPlan> {
        if amount.is_negative() || amount.is_zero() {
            return Err(ApiError::field("amount", "退款金额必须大于零"));
        }
        let state = self
            .payments
            .get(&key)
            .ok_or_else(|| ApiError::not_found("缴款记录"))?;
        let refundable = state.credit + state.allocations.iter().map(|(_, a)| *a).sum::<Money>();
        if amount > refundable {
            return Err(ApiError::illegal(format!(
                "退款金额 {} 元超过该笔缴款可退的 {} 元",
                amount.grouped(),
                refundable.grouped()
            )));
        }
        let mut plan = RefundPlan::default();
        let mut left = amount;
        plan.from_credit = state.credit.min(left);
        left -= plan.from_credit;
        for (line, have) in state.allocations.iter().rev() {
            if left.is_zero() {
                break;
            }
            let take = (*have).min(left);
            left -= take;
            plan.lines.push((*line, take));
        }
        let state = self.payments.get_mut(&key).expect("checked");
        state.credit -= plan.from_credit;
        for (line, take) in &plan.lines {
            if let Some(slot) = state.allocations.iter_mut().find(|(l, _)| l == line) {
                slot.1 -= *take;
            }
            *self.paid.entry(*line).or_default() -= *take;
        }
        state.allocations.retain(|(_, a)| !a.is_zero());
        Ok(plan)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Money {
        Money::parse(s).unwrap()
    }

    /// A 天津-style notice (004 附件1): unknown fund split 5:5, current year 住院费 and 门诊费,
    /// prior years.
    fn book() -> Book {
        Book::new(vec![
            Line {
                id: 1,
                current_year: false,
                due: m("1000.00"),
                label: "职工基本医保·历年".into(),
            },
            Line {
                id: 2,
                current_year: true,
                due: m("300.00"),
                label: "职工基本医保·当年·住院费".into(),
            },
            Line {
                id: 3,
                current_year: true,
                due: m("200.00"),
                label: "职工基本医保·当年·门诊费".into(),
            },
        ])
        .unwrap()
    }

    fn pay(b: &mut Book, key: i64, amount: &str) -> Result<PaymentPlan> {
        b.record_payment(
            key,
            &PaymentRequest {
                amount: m(amount),
                ..Default::default()
            },
        )
    }

    #[test]
    fn current_year_lines_are_filled_first_in_line_order() {
        let mut b = book();
        let p = pay(&mut b, 1, "400").unwrap();
        assert_eq!(p.allocations, vec![(2, m("300")), (3, m("100"))]);
        assert_eq!(p.credit, Money::ZERO);
        let p = pay(&mut b, 2, "500").unwrap();
        assert_eq!(p.allocations, vec![(3, m("100")), (1, m("400"))]);
        assert_eq!(b.total().outstanding, m("600"));
        assert_eq!(b.balance(1).outstanding, m("600"));
    }

    #[test]
    fn over_payment_needs_confirmation_and_becomes_credit() {
        let mut b = book();
        let e = pay(&mut b, 1, "1500.01").unwrap_err();
        assert_eq!(e.code, crate::error::ErrorCode::IllegalStep);
        assert!(e.message.contains("多缴"), "{}", e.message);
        assert_eq!(b.total().paid, Money::ZERO, "refused changes nothing");
        let p = b
            .record_payment(
                1,
                &PaymentRequest {
                    amount: m("1500.01"),
                    record_overpayment: true,
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(p.credit, m("0.01"));
        assert_eq!(b.total().outstanding, Money::ZERO);
        assert_eq!(b.credit(), m("0.01"));
    }

    #[test]
    fn explicit_allocation_first_then_standard_order_and_never_above_the_line() {
        let mut b = book();
        let e = b
            .record_payment(
                1,
                &PaymentRequest {
                    amount: m("400"),
                    explicit: &[(3, m("200.01"))],
                    ..Default::default()
                },
            )
            .unwrap_err();
        assert!(e.message.contains("超过该项尚欠"), "{}", e.message);
        let p = b
            .record_payment(
                1,
                &PaymentRequest {
                    amount: m("400"),
                    explicit: &[(1, m("250"))],
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(p.allocations, vec![(1, m("250")), (2, m("150"))]);
        let e = b
            .record_payment(
                2,
                &PaymentRequest {
                    amount: m("10"),
                    explicit: &[(9, m("10"))],
                    ..Default::default()
                },
            )
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("allocations"));
    }

    #[test]
    fn scope_limits_a_payment_to_one_funds_lines() {
        let mut b = book();
        let scope: BTreeSet<i64> = [1].into();
        let e = b
            .record_payment(
                1,
                &PaymentRequest {
                    amount: m("1000.01"),
                    scope: Some(&scope),
                    ..Default::default()
                },
            )
            .unwrap_err();
        assert!(e.message.contains("1,000.00"), "{}", e.message);
        let p = b
            .record_payment(
                1,
                &PaymentRequest {
                    amount: m("1000"),
                    scope: Some(&scope),
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(p.allocations, vec![(1, m("1000"))]);
    }

    #[test]
    fn offsets_never_exceed_what_is_owed() {
        let mut b = book();
        let scope: BTreeSet<i64> = [1, 2, 3].into();
        assert_eq!(
            b.record_offset(&scope, m("350")),
            vec![(2, m("300")), (3, m("50"))]
        );
        assert_eq!(
            b.record_offset(&scope, m("5000")),
            vec![(3, m("150")), (1, m("1000"))]
        );
        assert!(b.record_offset(&scope, m("1")).is_empty());
        assert_eq!(b.total().offset, m("1500"));
    }

    #[test]
    fn refunds_take_credit_first_then_reverse_allocation_order() {
        let mut b = book();
        b.record_payment(
            1,
            &PaymentRequest {
                amount: m("1600"),
                record_overpayment: true,
                ..Default::default()
            },
        )
        .unwrap();
        let r = b.refund(1, m("150")).unwrap();
        assert_eq!(r.from_credit, m("100"));
        assert_eq!(r.lines, vec![(1, m("50"))]);
        assert_eq!(b.balance(1).outstanding, m("50"));
        let e = b.refund(1, m("1450.01")).unwrap_err();
        assert!(e.message.contains("1,450.00"), "{}", e.message);
        let r = b.refund(1, m("1450")).unwrap();
        assert_eq!(r.lines, vec![(1, m("950")), (3, m("200")), (2, m("300"))]);
        assert_eq!(b.total().outstanding, m("1500"));
        assert_eq!(b.payment(1).unwrap(), (vec![], Money::ZERO));
    }
}
