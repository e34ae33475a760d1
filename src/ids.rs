//! Check-character validation of the national identifiers the registry stores.

use crate::error::ApiError;

/// 统一社会信用代码 per GB 32100-2015: 18 characters from 0-9 and A-Z without I, O, Z, S, V;
/// the 18th is a check character: C18 = 31 − (Σ Ci·Wi mod 31), with 31 → 0.
pub fn validate_credit_code(code: &str) -> Result<String, ApiError> {
    const CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [u32; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let code = code.trim().to_uppercase();
    if code.chars().count() != 18 {
        return Err(ApiError::validation(format!(
            "统一社会信用代码应为18位，当前为{}位",
            code.chars().count()
        )));
    }
    let mut values = Vec::with_capacity(18);
    for (i, c) in code.chars().enumerate() {
        match CHARS.find(c) {
            Some(v) => values.push(v as u32),
            None => {
                return Err(ApiError::validation(format!(
                    "统一社会信用代码第{}位“{c}”不是允许的字符",
                    i + 1
                )));
            }
        }
    }
    let sum: u32 = values[..17].iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
    let check = (31 - sum % 31) % 31;
    if values[17] != check {
        return Err(ApiError::validation(format!(
            "统一社会信用代码校验位不正确（第18位应为“{}”），请核对",
            CHARS.as_bytes()[check as usize] as char
        )));
    }
    Ok(code)
}

/// 公民身份号码 per GB 11643-1999: 17 digits and a check character (ISO 7064 MOD 11-2, X = 10);
/// the birth date (characters 7–14) must be a real date.
pub fn validate_id_number(id: &str) -> Result<String, ApiError> {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    let id = id.trim().to_uppercase();
    if id.chars().count() != 18 {
        return Err(ApiError::validation(format!(
            "身份证号码应为18位，当前为{}位",
            id.chars().count()
        )));
    }
    let chars: Vec<char> = id.chars().collect();
    if !chars[..17].iter().all(|c| c.is_ascii_digit()) {
        return Err(ApiError::validation("身份证号码前17位必须是数字"));
    }
    let birth = &id[6..14];
    if chrono::NaiveDate::parse_from_str(birth, "%Y%m%d").is_err() {
        return Err(ApiError::validation(format!(
            "身份证号码中的出生日期“{birth}”不存在"
        )));
    }
    let sum: u32 = chars[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum();
    let expected = CHECK[(sum % 11) as usize];
    if chars[17] != expected {
        return Err(ApiError::validation(format!(
            "身份证号码校验位不正确（第18位应为“{expected}”），请核对"
        )));
    }
    Ok(id)
}

/// 行政区划代码: six digits, not starting with 0.
pub fn validate_division_code(code: &str) -> Result<String, ApiError> {
    let code = code.trim();
    if code.chars().count() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::validation("行政区划代码应为6位数字，例如 220102"));
    }
    // Issue 8: "012345" has six digits; say what is wrong with it.
    if code.starts_with('0') {
        return Err(ApiError::validation(
            "行政区划代码不能以0开头（前两位是省级代码，为11至82），例如 220102",
        ));
    }
    Ok(code.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credit_codes() {
        // Published example codes with correct check characters.
        assert!(validate_credit_code("91350100M000100Y43").is_ok());
        assert_eq!(
            validate_credit_code(" 91350100m000100y43 ").unwrap(),
            "91350100M000100Y43"
        );
        let e = validate_credit_code("91350100M000100Y44").unwrap_err();
        assert!(e.message.contains("校验位"), "{}", e.message);
        assert!(e.message.contains("“3”"), "{}", e.message);
        assert!(validate_credit_code("91350100M000100Y4")
            .unwrap_err()
            .message
            .contains("18位"));
        assert!(validate_credit_code("91350100I000100Y43")
            .unwrap_err()
            .message
            .contains("第9位"));
    }

    #[test]
    fn credit_code_check_character_is_computed_not_listed() {
        // Recompute the check character for a handful of bodies and verify round trip.
        const CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
        for body in ["52220102MJ000001", "12220100412760001", "92220102MA0000000"] {
            let body = &format!("{body:0<17}")[..17];
            let mut ok = 0;
            for c in CHARS.chars() {
                if validate_credit_code(&format!("{body}{c}")).is_ok() {
                    ok += 1;
                }
            }
            assert_eq!(ok, 1, "exactly one check character fits {body}");
        }
    }

    #[test]
    fn id_numbers() {
        // GB 11643 example: 11010519491231002X.
        assert_eq!(
            validate_id_number("11010519491231002x").unwrap(),
            "11010519491231002X"
        );
        assert!(validate_id_number("110105194912310021")
            .unwrap_err()
            .message
            .contains("校验位"));
        assert!(validate_id_number("110105194902300028")
            .unwrap_err()
            .message
            .contains("出生日期"));
        assert!(validate_id_number("1101051949123100")
            .unwrap_err()
            .message
            .contains("18位"));
        assert!(validate_id_number("1101051949123100AX")
            .unwrap_err()
            .message
            .contains("前17位"));
    }

    #[test]
    fn division_codes() {
        assert_eq!(validate_division_code("220102").unwrap(), "220102");
        for bad in ["22010", "2201020", "02 102", "abcdef", "022010"] {
            assert!(validate_division_code(bad).is_err(), "{bad}");
        }
    }
}
