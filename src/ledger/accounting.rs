//! The accounting entry the seed prescribes for recovered money (004 art. 12):
//!
//! - 收到追回本年医疗保险待遇: 借 支出户存款, 贷 社会保险待遇支出;
//! - 收到跨年度追回医疗保险待遇: 借 支出户存款, 贷 其他收入;
//! - 无法区分当年和历年的 (and 无法核清退回基金来源的): as cross-year.
//!
//! "本年" is judged when the money is received, against the fund year of the line: a line marked
//! 当年 on a notice of 2025 whose money arrives in 2026 is a cross-year recovery by then. The fund
//! year of a 当年 line is the year of the document that set it (the decision, or the
//! self-correction form); without it the year cannot be told and the entry is cross-year.
//! (The seed writes the account as “其它收入”; the 社会保险基金会计制度 (财会〔2017〕28号) names
//! it 其他收入, which is used here.)

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// 借方科目 of every recovery receipt (004 art. 12).
pub const DEBIT_ACCOUNT: &str = "支出户存款";

/// 贷方科目 (004 art. 12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
pub enum CreditAccount {
    /// 社会保险待遇支出: recovery of this year's benefits.
    BenefitExpenditure,
    /// 其他收入: cross-year recovery, or year unknown.
    OtherIncome,
}

crate::labeled_by!(CreditAccount => label);

impl CreditAccount {
    pub fn label(self) -> &'static str {
        match self {
            CreditAccount::BenefitExpenditure => "社会保险待遇支出",
            CreditAccount::OtherIncome => "其他收入",
        }
    }
}

/// Which credit account, and the reason in Chinese (the caller appends the matter's citation), for money of a line received on `received_on`.
/// `current_year`: Some(true) for a 当年 line, Some(false) for 历年, None when the form did not say
/// (an insured person's self-correction, 004 art. 8: 参保人员无需填报此项). `fund_year`: the year a
/// 当年 line refers to.
pub fn credit_account(
    current_year: Option<bool>,
    fund_year: Option<i32>,
    received_on: NaiveDate,
) -> (CreditAccount, String) {
    let year = received_on.year();
    match (current_year, fund_year) {
        (Some(true), Some(y)) if y == year => (
            CreditAccount::BenefitExpenditure,
            format!("{year}年收到的追回本年医疗保险待遇"),
        ),
        (Some(true), Some(y)) => (
            CreditAccount::OtherIncome,
            format!("{y}年的当年基金于{year}年收到，按跨年度追回处理"),
        ),
        (Some(true), None) => (
            CreditAccount::OtherIncome,
            "当年基金所属年度不明，按跨年度追回处理".to_string(),
        ),
        (Some(false), _) => (
            CreditAccount::OtherIncome,
            "历年基金，跨年度追回医疗保险待遇".to_string(),
        ),
        (None, _) => (
            CreditAccount::OtherIncome,
            "无法区分当年和历年，按跨年度追回处理".to_string(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn current_year_money_received_in_its_year_credits_benefit_expenditure() {
        // 004 art. 12: 借记“支出户存款”，贷记“社会保险待遇支出”.
        let (a, why) = credit_account(Some(true), Some(2026), d("2026-12-31"));
        assert_eq!(a, CreditAccount::BenefitExpenditure);
        assert!(why.contains("本年"));
    }

    #[test]
    fn cross_year_and_unknown_year_credit_other_income() {
        // 004 art. 12: 跨年度 → 其他收入; 无法区分当年和历年的 → 跨年度.
        assert_eq!(
            credit_account(Some(true), Some(2025), d("2026-01-04")).0,
            CreditAccount::OtherIncome
        );
        assert_eq!(
            credit_account(Some(false), Some(2026), d("2026-05-01")).0,
            CreditAccount::OtherIncome
        );
        assert_eq!(
            credit_account(None, None, d("2026-05-01")).0,
            CreditAccount::OtherIncome
        );
        assert_eq!(
            credit_account(Some(true), None, d("2026-05-01")).0,
            CreditAccount::OtherIncome
        );
        assert_eq!(CreditAccount::OtherIncome.label(), "其他收入");
    }
}
