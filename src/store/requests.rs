//! Idempotent commands (issue 12): a money command may carry a client request id (`request_id`, a
//! UUID the UI generates once per form opening). The first call with an id runs and its answer is
//! kept in `client_request` inside the same write transaction; a repeat (a double click, a retry
//! after a lost answer or a crash) returns that first answer and writes nothing.

use rusqlite::OptionalExtension;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{now_text, Tx};
use crate::error::{ApiError, Result};

/// Longest request id accepted (a UUID has 36 characters).
pub const MAX_ID: usize = 64;

/// Take `request_id` out of a request object: None when absent or null; a refusal naming the
/// field when it is not a short string of letters, digits and dashes.
pub fn take(payload: &mut Value) -> Result<Option<String>> {
    let Some(obj) = payload.as_object_mut() else {
        return Ok(None);
    };
    let Some(v) = obj.remove("request_id") else {
        return Ok(None);
    };
    match v {
        Value::Null => Ok(None),
        Value::String(s)
            if (8..=MAX_ID).contains(&s.len())
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') =>
        {
            Ok(Some(s))
        }
        _ => Err(ApiError::field(
            "request_id",
            "提交编号格式不正确（应为界面自动生成的8至64位字母、数字或连字符），本次未保存",
        )),
    }
}

fn digest(payload: &Value) -> String {
    // serde_json's map keeps keys sorted, so equal requests give equal text.
    hex::encode(Sha256::digest(payload.to_string().as_bytes()))
}

/// Run `f` once per request id: a repeat of the same command with the same payload returns the
/// first answer and runs nothing; the same id with another command or payload is refused.
pub fn once(
    tx: &mut Tx<'_>,
    actor: &str,
    command: &str,
    request_id: &str,
    payload: &Value,
    f: impl FnOnce(&mut Tx<'_>) -> Result<Value>,
) -> Result<Value> {
    let sha = digest(payload);
    let earlier: Option<(String, String, String)> = tx
        .query_row(
            "SELECT command, payload_sha256, response FROM client_request WHERE request_id = ?1",
            [request_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    if let Some((cmd, old_sha, response)) = earlier {
        if cmd != command || old_sha != sha {
            return Err(ApiError::conflict(
                "此提交编号已用于另一项内容不同的登记，本次未保存；请关闭对话框后重新填写",
            ));
        }
        return serde_json::from_str(&response)
            .map_err(|e| ApiError::internal(format!("已保存的处理结果无法读取：{e}")));
    }
    let out = f(tx)?;
    tx.execute(
        "INSERT INTO client_request (request_id, command, payload_sha256, response, actor, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        rusqlite::params![request_id, command, sha, out.to_string(), actor, now_text()],
    )?;
    Ok(out)
}
