//! Offsets (抵扣) against monthly settlements (004 art. 10; 000 art. 7): on the institution's
//! request and the agency's approval, an 抵扣通知书 is issued; the agency then deducts, per fund,
//! from each later monthly settlement what is still owed, and carries the remainder into the next
//! month "直至足额抵扣相应金额".
//!
//! A month's deduction for a fund is `min(settlement of that fund that month, what the plan still
//! has to cover for that fund, what the fund's recovery lines still owe)` — a payment made in the
//! meantime lowers what is deducted, never the other way round. Months are recorded in order, each
//! once per fund, none before the month of approval.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use ts_rs::TS;

use crate::error::{ApiError, Result};
use crate::money::Money;

/// A settlement month, `YYYY-MM` in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, TS)]
#[ts(type = "string")]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    pub fn of(d: NaiveDate) -> Month {
        Month {
            year: d.year(),
            month: d.month(),
        }
    }
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("valid month")
    }
    /// The last day of the month.
    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().expect("in range")
    }
    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }
    pub fn contains(self, d: NaiveDate) -> bool {
        Month::of(d) == self
    }
    /// 2026年3月
    pub fn label(self) -> String {
        format!("{}年{}月", self.year, self.month)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Month {
    type Err = ApiError;
    fn from_str(s: &str) -> Result<Month> {
        let bad = || ApiError::validation("月份格式不正确，应为 YYYY-MM，例如 2026-03");
        let s = s.trim();
        let (y, m) = s
            .split_once('-')
            .or_else(|| {
                s.split_once('年')
                    .map(|(y, m)| (y, m.trim_end_matches('月')))
            })
            .ok_or_else(bad)?;
        let year: i32 = y.trim().parse().map_err(|_| bad())?;
        let month: u32 = m.trim().parse().map_err(|_| bad())?;
        if !(2000..=2100).contains(&year) || !(1..=12).contains(&month) {
            return Err(bad());
        }
        Ok(Month { year, month })
    }
}

impl Serialize for Month {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Month {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Month, D::Error> {
        let s = String::deserialize(d)?;
        s.parse()
            .map_err(|e: ApiError| serde::de::Error::custom(e.message))
    }
}

/// Check that `month` may be deducted for a fund whose last recorded month is `last`, under a
/// plan approved on `approved_on`.
pub fn check_month(approved_on: NaiveDate, last: Option<Month>, month: Month) -> Result<()> {
    let first = Month::of(approved_on);
    if month < first {
        return Err(ApiError::field(
            "month",
            format!(
                "{}早于抵扣通知书的审核同意月份{}，不能抵扣（经审核同意后在后续结算中抵扣）",
                month.label(),
                first.label()
            ),
        ));
    }
    if let Some(last) = last {
        if month <= last {
            return Err(ApiError::field(
                "month",
                format!(
                    "该险种已登记到{}的结算抵扣，请按月份顺序登记（每月每险种一次）",
                    last.label()
                ),
            ));
        }
    }
    Ok(())
}

/// What may be deducted this month for one fund: the settlement, capped by the plan's remainder.
/// (`Book::record_offset` then caps it by what the lines still owe.)
pub fn deductible(settlement: Money, plan_remaining: Money) -> Money {
    settlement.min(plan_remaining).max(Money::ZERO)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn months_parse_and_print() {
        let m: Month = "2026-03".parse().unwrap();
        assert_eq!(m.to_string(), "2026-03");
        assert_eq!("2026年3月".parse::<Month>().unwrap(), m);
        assert!("2026-13".parse::<Month>().is_err());
        assert_eq!(
            Month {
                year: 2026,
                month: 12
            }
            .next()
            .to_string(),
            "2027-01"
        );
        assert_eq!(
            "2026-02".parse::<Month>().unwrap().last_day(),
            d("2026-02-28")
        );
    }

    #[test]
    fn months_go_forward_from_the_approval() {
        // 004 art. 10: deducted in the settlements after approval, month by month.
        let approved = d("2026-03-10");
        let m = |s: &str| s.parse::<Month>().unwrap();
        assert!(check_month(approved, None, m("2026-02")).is_err());
        assert!(check_month(approved, None, m("2026-03")).is_ok());
        assert!(check_month(approved, Some(m("2026-04")), m("2026-04")).is_err());
        assert!(check_month(approved, Some(m("2026-04")), m("2026-05")).is_ok());
    }
}
