//! Money: `rust_decimal` in Rust, integer 分 in SQLite, strings in JSON. Never a float.
//!
//! Parsing accepts what a county clerk types (`1,234.5`, `１２３４.５`, `¥1234.50`, surrounding
//! spaces) and refuses everything else with a Chinese reason. `amount_in_words` writes the
//! financial numerals required on every notice (中国人民银行《支付结算办法》附件, 会计基础工作规范
//! art. 52; see shared/DOMAIN.md §4).

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};
use std::str::FromStr;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::ApiError;

/// The largest amount Recoup accepts: 9,999亿 9,999万 9,999.99 元. Anything above is a typing error.
pub const MAX_YUAN: i64 = 999_999_999_999;

/// An amount of money in yuan with exactly two decimals (分).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(Decimal);

impl Money {
    pub const ZERO: Money = Money(Decimal::ZERO);

    /// From integer 分 (the storage form).
    pub fn from_fen(fen: i64) -> Money {
        Money(Decimal::new(fen, 2))
    }

    /// To integer 分. Exact: a `Money` always has at most two decimals.
    pub fn fen(self) -> i64 {
        (self.0 * Decimal::ONE_HUNDRED)
            .to_i64()
            .expect("money within range")
    }

    pub fn yuan(yuan: i64) -> Money {
        Money(Decimal::new(yuan * 100, 2))
    }

    /// Round any decimal to the cent, half away from zero (四舍五入), e.g. a fine of 1.5 × the loss.
    pub fn round_half_up(value: Decimal) -> Money {
        let mut d = value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        d.rescale(2);
        Money(d)
    }

    pub fn decimal(self) -> Decimal {
        self.0
    }
    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }
    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }
    pub fn min(self, other: Money) -> Money {
        if self <= other {
            self
        } else {
            other
        }
    }
    pub fn max(self, other: Money) -> Money {
        if self >= other {
            self
        } else {
            other
        }
    }

    /// Multiply by a decimal factor (fine multiple, surcharge rate) and round half-up to the cent.
    pub fn times(self, factor: Decimal) -> Money {
        Money::round_half_up(self.0 * factor)
    }

    /// Parse a non-negative amount typed by a user.
    pub fn parse(input: &str) -> Result<Money, ApiError> {
        let m = Money::parse_signed(input)?;
        if m.is_negative() {
            return Err(ApiError::validation("金额不能为负数"));
        }
        Ok(m)
    }

    /// Parse an amount that may be negative (corrections, refunds of erroneous payments).
    pub fn parse_signed(input: &str) -> Result<Money, ApiError> {
        let normalized: String = input
            .trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}')
            .chars()
            .map(|c| match c {
                '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap(),
                '．' | '。' => '.',
                '，' => ',',
                '－' | '−' => '-',
                '＋' => '+',
                other => other,
            })
            .collect();
        let s = normalized.trim();
        if s.is_empty() {
            return Err(ApiError::validation("金额不能为空"));
        }
        let (negative, s) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s.strip_prefix('+').unwrap_or(s)),
        };
        let s = s.trim_start_matches(['¥', '￥']).trim();
        let s = s.strip_suffix('元').unwrap_or(s).trim();
        if s.is_empty() {
            return Err(ApiError::validation("金额不能为空"));
        }
        if let Some(bad) = s
            .chars()
            .find(|c| !(c.is_ascii_digit() || *c == '.' || *c == ','))
        {
            return Err(ApiError::validation(format!(
                "金额含有非法字符“{bad}”，只能填写数字和小数点"
            )));
        }
        let (int_part, frac_part) = match s.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (s, None),
        };
        if let Some(f) = frac_part {
            if f.contains('.') || f.contains(',') {
                return Err(ApiError::validation(
                    "金额格式不正确：小数点只能有一个，且小数部分不能有分隔符",
                ));
            }
            if f.is_empty() {
                return Err(ApiError::validation("金额格式不正确：小数点后缺少数字"));
            }
            if f.len() > 2 {
                return Err(ApiError::validation("金额最多保留两位小数（到分）"));
            }
        }
        if int_part.is_empty() {
            return Err(ApiError::validation("金额格式不正确：小数点前缺少数字"));
        }
        let digits: String = if int_part.contains(',') {
            let groups: Vec<&str> = int_part.split(',').collect();
            let ok = (1..=3).contains(&groups[0].len()) && groups[1..].iter().all(|g| g.len() == 3);
            if !ok {
                return Err(ApiError::validation(
                    "金额的千位分隔符位置不正确（应为 1,234,567.89）",
                ));
            }
            groups.concat()
        } else {
            int_part.to_string()
        };
        let significant = digits.trim_start_matches('0');
        if significant.len() > MAX_YUAN.to_string().len() {
            return Err(ApiError::validation("金额过大，超过 9999 亿元，请检查"));
        }
        let text = format!(
            "{}.{}",
            if digits.is_empty() { "0" } else { &digits },
            frac_part.unwrap_or("0")
        );
        let mut d = Decimal::from_str(&text).map_err(|_| ApiError::validation("金额格式不正确"))?;
        d.rescale(2);
        if d > Decimal::new(MAX_YUAN * 100 + 99, 2) {
            return Err(ApiError::validation("金额过大，超过 9999 亿元，请检查"));
        }
        Ok(Money(if negative { -d } else { d }))
    }

    /// Display with thousands separators: `1,234,567.89`.
    pub fn grouped(self) -> String {
        let plain = self.to_string();
        let (sign, rest) = match plain.strip_prefix('-') {
            Some(r) => ("-", r),
            None => ("", plain.as_str()),
        };
        let (int_part, frac) = rest.split_once('.').unwrap_or((rest, "00"));
        let mut out = String::new();
        for (i, c) in int_part.chars().enumerate() {
            if i > 0 && (int_part.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        format!("{sign}{out}.{frac}")
    }

    /// The amount in Chinese financial numerals, e.g. 16409.02 → 壹万陆仟肆佰零玖元零贰分.
    ///
    /// Rules (《支付结算办法》附件; 会计基础工作规范 art. 52; DOMAIN.md §4):
    /// - digits 零壹贰叁肆伍陆柒捌玖, units 拾佰仟万亿, then 元角分;
    /// - every run of zeros between two non-zero digits is written as one 零, including a zero
    ///   元 digit before a non-zero 角 (壹仟陆佰捌拾元零叁角贰分: the first form the 办法 gives);
    /// - 零 is always written when 角 is zero and 分 is not (…元零贰分);
    /// - 整 follows 元 or 角, never 分;
    /// - 10–19 are written 壹拾…, never 拾…;
    /// - zero is 零元整; a negative amount is prefixed 负 (never printed on a notice).
    ///
    /// The prefix 人民币 is left to the form that needs it.
    pub fn in_words(self) -> String {
        amount_in_words(self)
    }
}

const DIGITS: [&str; 10] = ["零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖"];
const SMALL_UNITS: [&str; 4] = ["", "拾", "佰", "仟"];

/// See [`Money::in_words`].
pub fn amount_in_words(amount: Money) -> String {
    let fen_total = amount.fen();
    let mut out = String::new();
    if fen_total < 0 {
        out.push('负');
    }
    let fen_total = fen_total.unsigned_abs();
    let integer = fen_total / 100;
    let jiao = ((fen_total / 10) % 10) as usize;
    let fen = (fen_total % 10) as usize;

    let digits: Vec<usize> = integer
        .to_string()
        .bytes()
        .map(|b| (b - b'0') as usize)
        .collect();
    let started_int = integer > 0;
    let mut zero_pending = false;
    if started_int {
        let n = digits.len();
        for (i, &d) in digits.iter().enumerate() {
            let pos = n - 1 - i;
            if d == 0 {
                zero_pending = true;
            } else {
                if zero_pending {
                    out.push('零');
                    zero_pending = false;
                }
                out.push_str(DIGITS[d]);
                out.push_str(SMALL_UNITS[pos % 4]);
            }
            if pos % 4 == 0 && pos > 0 {
                // Close a 万 or 亿 group when any digit of that group is non-zero.
                let group_nonzero = digits[i.saturating_sub(3)..=i].iter().any(|&x| x != 0);
                if group_nonzero {
                    out.push_str(match pos {
                        4 => "万",
                        8 => "亿",
                        _ => "万亿",
                    });
                }
            }
        }
        out.push('元');
    }
    match (jiao, fen) {
        (0, 0) => {
            if !started_int {
                out.push_str("零元");
            }
            out.push('整');
        }
        (j, 0) => {
            if zero_pending {
                out.push('零');
            }
            out.push_str(DIGITS[j]);
            out.push_str("角整");
        }
        (0, f) => {
            if started_int {
                out.push('零');
            }
            out.push_str(DIGITS[f]);
            out.push('分');
        }
        (j, f) => {
            if zero_pending {
                out.push('零');
            }
            out.push_str(DIGITS[j]);
            out.push('角');
            out.push_str(DIGITS[f]);
            out.push('分');
        }
    }
    out
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = self.0;
        d.rescale(2);
        write!(f, "{d}")
    }
}

impl FromStr for Money {
    type Err = ApiError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Money::parse_signed(s)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Strings only: a JSON number would have passed through a float somewhere.
        let s = String::deserialize(d)?;
        Money::parse_signed(&s).map_err(|e| serde::de::Error::custom(e.message))
    }
}

impl ts_rs::TS for Money {
    type WithoutGenerics = Self;
    type OptionInnerType = Self;
    fn name(_: &ts_rs::Config) -> String {
        "string".to_owned()
    }
    fn inline(_: &ts_rs::Config) -> String {
        "string".to_owned()
    }
}

impl rusqlite::ToSql for Money {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(rusqlite::types::ToSqlOutput::from(self.fen()))
    }
}

impl rusqlite::types::FromSql for Money {
    fn column_result(v: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        v.as_i64().map(Money::from_fen)
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, o: Money) -> Money {
        Money(self.0 + o.0)
    }
}
impl Sub for Money {
    type Output = Money;
    fn sub(self, o: Money) -> Money {
        Money(self.0 - o.0)
    }
}
impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}
impl AddAssign for Money {
    fn add_assign(&mut self, o: Money) {
        self.0 += o.0;
    }
}
impl SubAssign for Money {
    fn sub_assign(&mut self, o: Money) {
        self.0 -= o.0;
    }
}
impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |a, b| a + b)
    }
}
impl<'a> Sum<&'a Money> for Money {
    fn sum<I: Iterator<Item = &'a Money>>(iter: I) -> Money {
        iter.copied().sum()
    }
}

// ---------------------------------------------------------------------------------------------
// `money.words`

#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
pub struct MoneyRequest {
    /// As typed by the user, e.g. "1,234.5".
    pub amount: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
pub struct MoneyWords {
    pub amount: Money,
    /// With thousands separators, e.g. "1,234.50".
    pub grouped: String,
    /// 大写金额, e.g. 壹仟贰佰叁拾肆元伍角整.
    pub words: String,
}

/// `money.words`: what the user typed, read as an amount, grouped and in words.
pub fn words(r: &MoneyRequest) -> Result<MoneyWords, ApiError> {
    let amount = Money::parse(&r.amount).map_err(|e| e.in_field("amount", "金额"))?;
    Ok(MoneyWords {
        amount,
        grouped: amount.grouped(),
        words: amount.in_words(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Money {
        Money::parse(s).unwrap()
    }
    fn words(s: &str) -> String {
        m(s).in_words()
    }

    #[test]
    fn parses_what_clerks_type() {
        assert_eq!(m("1,234.5").to_string(), "1234.50");
        assert_eq!(m("１２３４.５").to_string(), "1234.50");
        assert_eq!(m("１，２３４．５０").to_string(), "1234.50");
        assert_eq!(m("1234.50").to_string(), "1234.50");
        assert_eq!(m("  1234.5  ").to_string(), "1234.50");
        assert_eq!(m("\u{3000}88\u{3000}").to_string(), "88.00");
        assert_eq!(m("¥1,000").to_string(), "1000.00");
        assert_eq!(m("0.01").fen(), 1);
        assert_eq!(m("007").to_string(), "7.00");
        assert_eq!(m("999,999,999,999.99").fen(), 99_999_999_999_999);
    }

    #[test]
    fn refuses_what_is_not_money() {
        for bad in [
            "",
            "   ",
            "1.234",
            "-5",
            "1e5",
            "1E5",
            "abc",
            "12a",
            "1.2.3",
            "1,23",
            "12,3456",
            ".5",
            "5.",
            "1,000,000,000,000",
            "99999999999999",
            "NaN",
            "inf",
            "0x10",
            "1 000",
        ] {
            let e = Money::parse(bad).expect_err(bad);
            assert_eq!(e.code, crate::error::ErrorCode::Validation, "{bad}");
            assert!(!e.message.is_empty());
        }
        assert!(Money::parse("1.234")
            .unwrap_err()
            .message
            .contains("两位小数"));
        assert!(Money::parse("-5").unwrap_err().message.contains("负数"));
        assert!(Money::parse("").unwrap_err().message.contains("不能为空"));
        assert_eq!(Money::parse_signed("-5").unwrap().fen(), -500);
    }

    #[test]
    fn fen_round_trip_and_display() {
        for fen in [0, 1, 10, 99, 100, 123_456_789, -250] {
            assert_eq!(Money::from_fen(fen).fen(), fen);
        }
        assert_eq!(Money::from_fen(123_456_789).grouped(), "1,234,567.89");
        assert_eq!(Money::from_fen(100).grouped(), "1.00");
        assert_eq!(Money::from_fen(-123_456).grouped(), "-1,234.56");
        assert_eq!(Money::from_fen(100_000).grouped(), "1,000.00");
    }

    #[test]
    fn rounds_half_up() {
        assert_eq!(
            Money::round_half_up(Decimal::new(12345, 3)).to_string(),
            "12.35"
        );
        assert_eq!(
            Money::round_half_up(Decimal::new(12344, 3)).to_string(),
            "12.34"
        );
        assert_eq!(
            Money::round_half_up(Decimal::new(-12345, 3)).to_string(),
            "-12.35"
        );
        // A fine of 1.5 × 333.33 = 499.995 → 500.00
        assert_eq!(m("333.33").times(Decimal::new(15, 1)).to_string(), "500.00");
    }

    #[test]
    fn json_is_string_only() {
        assert_eq!(serde_json::to_string(&m("12.3")).unwrap(), "\"12.30\"");
        assert_eq!(
            serde_json::from_str::<Money>("\"1,234.5\"").unwrap(),
            m("1234.5")
        );
        assert!(serde_json::from_str::<Money>("12.3").is_err());
    }

    #[test]
    fn words_examples_from_the_issue_and_the_payment_rules() {
        assert_eq!(words("16409.02"), "壹万陆仟肆佰零玖元零贰分");
        assert_eq!(words("0"), "零元整");
        assert_eq!(words("0.01"), "壹分");
        assert_eq!(words("0.10"), "壹角整");
        assert_eq!(words("0.15"), "壹角伍分");
        assert_eq!(words("1"), "壹元整");
        assert_eq!(words("10"), "壹拾元整");
        assert_eq!(words("15"), "壹拾伍元整");
        assert_eq!(words("19.9"), "壹拾玖元玖角整");
        assert_eq!(words("100"), "壹佰元整");
        assert_eq!(words("101"), "壹佰零壹元整");
        assert_eq!(words("110"), "壹佰壹拾元整");
        assert_eq!(words("1001"), "壹仟零壹元整");
        assert_eq!(words("1680.32"), "壹仟陆佰捌拾元零叁角贰分");
        assert_eq!(words("10000"), "壹万元整");
        assert_eq!(words("10010"), "壹万零壹拾元整");
        assert_eq!(words("100000"), "壹拾万元整");
        assert_eq!(words("107000.53"), "壹拾万零柒仟元零伍角叁分");
        assert_eq!(words("110000"), "壹拾壹万元整");
        assert_eq!(words("1000100"), "壹佰万零壹佰元整");
        assert_eq!(words("1001000"), "壹佰万零壹仟元整");
        assert_eq!(words("325.04"), "叁佰贰拾伍元零肆分");
        assert_eq!(words("50000"), "伍万元整");
        assert_eq!(words("100000001"), "壹亿零壹元整");
        assert_eq!(words("100010000"), "壹亿零壹万元整");
        assert_eq!(
            words("123456789.12"),
            "壹亿贰仟叁佰肆拾伍万陆仟柒佰捌拾玖元壹角贰分"
        );
        assert_eq!(
            words("999999999999.99"),
            "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"
        );
    }

    #[test]
    fn words_never_put_zheng_after_fen_and_never_start_with_shi() {
        for fen in (0..200_000i64)
            .step_by(7)
            .chain([1_000_000_00, 1_000_000_000_00])
        {
            let w = Money::from_fen(fen).in_words();
            assert!(!w.ends_with("分整"), "{fen}: {w}");
            assert!(!w.starts_with('拾'), "{fen}: {w}");
            assert!(!w.contains("零零"), "{fen}: {w}");
            assert!(!w.contains("零元") || fen == 0, "{fen}: {w}");
            assert!(!w.contains("零万") && !w.contains("零亿"), "{fen}: {w}");
            assert!(w.ends_with('整') || w.ends_with('分'), "{fen}: {w}");
        }
    }
}
