//! Text helpers shared by every module: enum ↔ stored text, request decoding with Chinese field
//! messages, bounded text fields, SQL LIKE patterns.

use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;

use crate::error::{ApiError, Result};

/// The serde name of a unit enum variant (the form stored in SQLite).
pub fn enum_text<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(Value::String(s)) => s,
        _ => unreachable!("unit enum"),
    }
}

/// Read back a stored enum; the CHECK constraints guarantee it parses.
pub fn enum_from<T: DeserializeOwned>(s: String) -> T {
    serde_json::from_value(Value::String(s)).expect("stored enum value is valid")
}

/// Trimmed, non-empty, bounded text.
pub fn required_text(v: &str, field: &str, label: &str, max: usize) -> Result<String> {
    let v = v.trim();
    if v.is_empty() {
        return Err(ApiError::field(field, format!("{label}不能为空")));
    }
    bounded_text(v, field, label, max)
}

/// Trimmed text of at most `max` characters (may be empty), without invisible control characters
/// (issue 12): line breaks and tabs are what people type; other control characters and the
/// direction overrides (U+202A–U+202E, U+2066–U+2069, which make "医院" print as "院医") are not,
/// and would reach papers and the city's copy.
pub fn bounded_text(v: &str, field: &str, label: &str, max: usize) -> Result<String> {
    let v = v.trim();
    if v.chars().count() > max {
        return Err(ApiError::field(
            field,
            format!("{label}过长（最多{max}个字）"),
        ));
    }
    if v.chars().any(invisible_control) {
        return Err(ApiError::field(
            field,
            format!("{label}含有不可见的控制字符（可能是从其他软件复制带来的），请删除后重新输入"),
        ));
    }
    Ok(v.to_string())
}

/// A character nobody means to type into a form: control characters other than line breaks and
/// tabs, and the bidirectional overrides and isolates.
fn invisible_control(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        || ('\u{202A}'..='\u{202E}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// A substring pattern for `LIKE ?n ESCAPE '\'`: `%`, `_` and `\` typed by the user match
/// themselves.
/// The longest text a search box takes (characters).
pub const SEARCH_MAX: usize = 100;

/// The text typed in a search box, trimmed (None when empty), refused when longer than
/// [`SEARCH_MAX`] (issue 12: a 50,000-character search made SQLite refuse its LIKE pattern, HTTP 500)
/// or holding control characters.
pub fn search_text(query: Option<&str>) -> Result<Option<&str>> {
    let Some(q) = query.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if q.chars().count() > SEARCH_MAX {
        return Err(ApiError::field(
            "query",
            format!("搜索内容过长（最多{SEARCH_MAX}个字）"),
        ));
    }
    if q.chars().any(char::is_control) {
        return Err(ApiError::field("query", "搜索内容含有不可见的控制字符"));
    }
    Ok(Some(q))
}

pub fn like_pattern(s: &str) -> String {
    format!(
        "%{}%",
        s.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    )
}

/// Decode a request, naming the field in Chinese when a value cannot be read. `label_of` gives the
/// Chinese label of a request field.
pub fn decode_with<T: DeserializeOwned>(payload: Value, label_of: fn(&str) -> String) -> Result<T> {
    let payload = if payload.is_null() {
        Value::Object(Default::default())
    } else {
        payload
    };
    dates_in_range(&payload, "", label_of)?;
    serde_path_to_error::deserialize(payload).map_err(|e| {
        let path = e.path().to_string();
        // "roles[0]" → "roles": the field, not the element, is what the form shows.
        let field = path.split(['.', '[']).next().unwrap_or("").to_string();
        let inner = e.inner().to_string();
        if field.is_empty() || field == "?" {
            if let Some(missing) = inner
                .strip_prefix("missing field `")
                .and_then(|s| s.split('`').next())
            {
                return ApiError::field(missing, format!("缺少必填项：{}", label_of(missing)));
            }
            return ApiError::validation("请求数据格式不正确");
        }
        ApiError::field(&field, format!("{}的取值无法识别", label_of(&field)))
    })
}

/// The years a date of a request may fall in (issue 12): nothing this office records happened
/// before 2000 or after 2099, and a year like 0000 or +10000 is a typing or program error.
pub const DATE_YEARS: std::ops::RangeInclusive<i64> = 2000..=2099;

/// The year of a text written as a date (`2026-09-30`, `+10000-01-01`), or None for other text.
fn date_year(s: &str) -> Option<i64> {
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' | b'-' => (&s[..1], &s[1..]),
        _ => ("", s),
    };
    let mut parts = rest.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |t: &str, n: std::ops::RangeInclusive<usize>| {
        n.contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit())
    };
    if parts.next().is_some() || !digits(y, 4..=12) || !digits(m, 1..=2) || !digits(d, 1..=2) {
        return None;
    }
    let year: i64 = y.parse().ok()?;
    Some(if sign == "-" { -year } else { year })
}

/// Refuse a request holding a date outside [`DATE_YEARS`], naming its (top-level) field.
fn dates_in_range(v: &Value, field: &str, label_of: fn(&str) -> String) -> Result<()> {
    match v {
        Value::String(s) => match date_year(s) {
            Some(y) if !DATE_YEARS.contains(&y) => {
                let label = if field.is_empty() {
                    "日期".to_string()
                } else {
                    label_of(field)
                };
                Err(ApiError::field(
                    if field.is_empty() { "date" } else { field },
                    format!("{label}（{s}）超出可登记的范围，应在2000年1月1日至2099年12月31日之间"),
                ))
            }
            _ => Ok(()),
        },
        Value::Array(items) => items
            .iter()
            .try_for_each(|x| dates_in_range(x, field, label_of)),
        Value::Object(map) => map.iter().try_for_each(|(k, x)| {
            dates_in_range(x, if field.is_empty() { k } else { field }, label_of)
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_outside_2000_to_2099_are_refused_naming_the_field() {
        let label = |f: &str| {
            if f == "paid_on" {
                "缴款日期".to_string()
            } else {
                f.to_string()
            }
        };
        for bad in [
            "0000-01-01",
            "+10000-01-01",
            "1999-12-31",
            "2100-01-01",
            "-0001-01-01",
        ] {
            let e =
                super::decode_with::<serde_json::Value>(serde_json::json!({"paid_on": bad}), label)
                    .unwrap_err();
            assert_eq!(e.field.as_deref(), Some("paid_on"), "{bad}");
            assert!(e.message.starts_with("缴款日期（"), "{}", e.message);
        }
        let e = super::decode_with::<serde_json::Value>(
            serde_json::json!({"lines": [{"from": "1990-01-01"}]}),
            label,
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("lines"));
        for good in [
            "2000-01-01",
            "2099-12-31",
            "2026-9-3",
            "NY-2026-01",
            "12-34",
            "电话0431-8888-8888",
        ] {
            assert!(
                super::decode_with::<serde_json::Value>(serde_json::json!({"x": good}), label,)
                    .is_ok(),
                "{good}"
            );
        }
    }

    use super::*;

    #[test]
    fn like_pattern_escapes_wildcards() {
        assert_eq!(like_pattern("5%_a\\"), "%5\\%\\_a\\\\%");
    }

    #[test]
    fn invisible_control_characters_are_refused_line_breaks_are_not() {
        assert_eq!(
            bounded_text("第一行\n第二行\t完", "note", "备注", 50).unwrap(),
            "第一行\n第二行\t完"
        );
        for bad in [
            "南关\u{202E}医院",
            "南关\u{2066}医院",
            "南关\u{0007}医院",
            "南关\u{001B}[0m",
        ] {
            let e = bounded_text(bad, "name", "机构名称", 50).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("name"));
            assert!(
                e.message.starts_with("机构名称含有不可见的控制字符"),
                "{}",
                e.message
            );
        }
        assert!(required_text("甲\u{202D}乙", "f", "名称", 10).is_err());
    }

    #[test]
    fn bounded_and_required() {
        assert_eq!(required_text("  甲 ", "f", "名称", 3).unwrap(), "甲");
        let e = required_text(" ", "f", "名称", 3).unwrap_err();
        assert_eq!(
            (e.field.as_deref(), e.message.as_str()),
            (Some("f"), "名称不能为空")
        );
        let e = bounded_text("甲乙丙丁", "f", "名称", 3).unwrap_err();
        assert_eq!(e.message, "名称过长（最多3个字）");
    }
}
