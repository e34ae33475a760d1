//! Helpers shared by the scenario tests: calls through the public API that must succeed, and
//! refusals that must leave the database unchanged.
#![allow(dead_code)]

use recoup::api::Core;
use recoup::{ApiError, ErrorCode};
use serde_json::Value;

/// A call that must succeed.
pub fn call(c: &Core, cmd: &str, payload: Value) -> Value {
    match c.call(cmd, payload.clone()) {
        Ok(v) => v,
        Err(e) => panic!("{cmd} {payload} failed: {e:?}"),
    }
}

pub fn audit_entries(c: &Core) -> i64 {
    c.store()
        .read(|conn| Ok(conn.query_row("SELECT COUNT(*) FROM audit_log", [], |r| r.get(0))?))
        .unwrap()
}

/// A refused call: an error with a Chinese message, and nothing written.
pub fn refuse(c: &Core, cmd: &str, payload: Value) -> ApiError {
    let before = audit_entries(c);
    let e = c
        .call(cmd, payload.clone())
        .expect_err(&format!("{cmd} {payload} should be refused"));
    assert_eq!(audit_entries(c), before, "a refused {cmd} changes nothing");
    assert!(
        e.message
            .chars()
            .any(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch)),
        "message in Chinese: {}",
        e.message
    );
    e
}

/// A step the procedure does not allow now; the message must say why (`needle`).
pub fn illegal(c: &Core, cmd: &str, payload: Value, needle: &str) -> ApiError {
    let e = refuse(c, cmd, payload);
    assert_eq!(e.code, ErrorCode::IllegalStep, "{e:?}");
    assert!(
        e.message.contains(needle),
        "message {:?} lacks {needle:?}",
        e.message
    );
    e
}

/// Bad input, naming the request field.
pub fn field(c: &Core, cmd: &str, payload: Value, name: &str) -> ApiError {
    let e = refuse(c, cmd, payload);
    assert_eq!(e.field.as_deref(), Some(name), "{e:?}");
    e
}
