//! The audit log: one entry per write transaction, numbered by a gap-free sequence per office and
//! hash-chained, carrying the after-image of every row it changed. The city exchange will ship
//! exactly these entries, so they are the replication log as well as the evidence trail.
//!
//! `verify` replays the chain and compares every audited row with its last recorded image: an edit,
//! deletion, insertion or reordering done behind the application's back is reported with the first
//! place where the record and the data part ways.

use std::collections::BTreeMap;

use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use ts_rs::TS;

use super::{now_text, office_code, AUDITED_TABLES};
use crate::error::Result;

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, Serialize, TS)]
pub struct AuditEntry {
    pub seq: i64,
    pub office_code: String,
    pub at: String,
    pub actor: String,
    pub command: String,
    /// JSON array of `{table, id, after}`; `after` is null for a deleted row.
    pub changes: String,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AuditProblem {
    /// The audit entry where the chain breaks, when the problem is in the log itself.
    pub seq: Option<i64>,
    pub table: Option<String>,
    pub row_id: Option<i64>,
    /// Chinese description.
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct AuditReport {
    pub ok: bool,
    pub entries: i64,
    /// The first broken link (also `problems[0]`).
    pub first_broken: Option<AuditProblem>,
    /// Every problem found, at most 100.
    pub problems: Vec<AuditProblem>,
}

/// Canonical JSON image of one row (columns sorted by name), or None when it does not exist.
pub fn row_image(conn: &Connection, table: &str, id: i64) -> Result<Option<Value>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT * FROM {table} WHERE id = ?1"))?;
    let names: Vec<String> = stmt.column_names().iter().map(|s| s.to_string()).collect();
    Ok(stmt
        .query_row([id], |r| row_to_json(r, &names))
        .optional()?)
}

fn row_to_json(r: &rusqlite::Row<'_>, names: &[String]) -> rusqlite::Result<Value> {
    let mut map = serde_json::Map::new();
    for (i, n) in names.iter().enumerate() {
        let v = match r.get_ref(i)? {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(x) => Value::from(x),
            // Audited tables never hold REAL (money is integer 分); keep the text form if one appears.
            ValueRef::Real(x) => Value::from(x.to_string()),
            ValueRef::Text(t) => Value::from(String::from_utf8_lossy(t).into_owned()),
            ValueRef::Blob(b) => Value::from(hex::encode(b)),
        };
        map.insert(n.clone(), v);
    }
    Ok(Value::Object(map))
}

/// JSON with object keys sorted at every level, whatever serde_json's map ordering is.
/// A row as its recorded image saw it: a column a later migration added (absent from the image)
/// counts only while it is still NULL — any value put there behind the app's back still differs.
fn as_recorded(mut image: Value, after: &Value) -> Value {
    if let (Value::Object(now), Value::Object(then)) = (&mut image, after) {
        now.retain(|k, v| then.contains_key(k) || !v.is_null());
    }
    image
}

pub fn canonical(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let sorted: BTreeMap<&String, &Value> = m.iter().collect();
            let parts: Vec<String> = sorted
                .into_iter()
                .map(|(k, v)| format!("{}:{}", Value::from(k.as_str()), canonical(v)))
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(canonical).collect::<Vec<_>>().join(",")
        ),
        other => other.to_string(),
    }
}

fn entry_hash(
    prev: &str,
    seq: i64,
    office: &str,
    at: &str,
    actor: &str,
    command: &str,
    changes: &str,
) -> String {
    let mut h = Sha256::new();
    for part in [prev, &seq.to_string(), office, at, actor, command, changes] {
        h.update(part.as_bytes());
        h.update([0x1f]);
    }
    hex::encode(h.finalize())
}

/// Append the entry for one write transaction (called by `Store::write` only).
pub(super) fn append(
    conn: &Connection,
    actor: &str,
    command: &str,
    touched: &[(&'static str, i64)],
) -> Result<()> {
    let office = office_code(conn)?;
    let mut changes = Vec::with_capacity(touched.len());
    for &(table, id) in touched {
        let after = row_image(conn, table, id)?.unwrap_or(Value::Null);
        changes.push(serde_json::json!({ "table": table, "id": id, "after": after }));
    }
    let changes = canonical(&Value::Array(changes));
    let (last_seq, prev): (i64, String) = conn
        .query_row(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .unwrap_or((0, GENESIS.to_string()));
    let seq = last_seq + 1;
    let at = now_text();
    let hash = entry_hash(&prev, seq, &office, &at, actor, command, &changes);
    conn.execute(
        "INSERT INTO audit_log (seq, office_code, at, actor, command, changes, prev_hash, hash) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)",
        params![seq, office, at, actor, command, changes, prev, hash],
    )?;
    Ok(())
}

pub fn list(conn: &Connection, offset: i64, limit: i64) -> Result<(Vec<AuditEntry>, i64)> {
    let total: i64 = conn.query_row("SELECT COUNT(*) FROM audit_log", [], |r| r.get(0))?;
    let mut stmt = conn.prepare(
        "SELECT seq, office_code, at, actor, command, changes, prev_hash, hash FROM audit_log ORDER BY seq DESC LIMIT ?1 OFFSET ?2",
    )?;
    let rows = stmt
        .query_map([limit, offset], |r| {
            Ok(AuditEntry {
                seq: r.get(0)?,
                office_code: r.get(1)?,
                at: r.get(2)?,
                actor: r.get(3)?,
                command: r.get(4)?,
                changes: r.get(5)?,
                prev_hash: r.get(6)?,
                hash: r.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((rows, total))
}

/// Check the chain and every audited row. Never writes.
pub fn verify(conn: &Connection) -> Result<AuditReport> {
    let mut problems = Vec::new();
    let mut push = |p: AuditProblem| {
        if problems.len() < 100 {
            problems.push(p);
        }
    };
    let chain_problem = |seq: i64, reason: String| AuditProblem {
        seq: Some(seq),
        table: None,
        row_id: None,
        reason,
    };

    // 1. The chain, in sequence order; the sequence number is part of each hash, so renumbering
    //    (reordering) breaks the chain too.
    let mut stmt = conn.prepare(
        "SELECT rowid, seq, office_code, at, actor, command, changes, prev_hash, hash FROM audit_log ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    let mut expected_seq = 1i64;
    let mut prev_hash = GENESIS.to_string();
    let mut entries = 0i64;
    let mut images: BTreeMap<(String, i64), (i64, Value)> = BTreeMap::new();
    let mut chain_ok = true;
    while let Some(r) = rows.next()? {
        entries += 1;
        let seq: i64 = r.get(1)?;
        let office: String = r.get(2)?;
        let at: String = r.get(3)?;
        let actor: String = r.get(4)?;
        let command: String = r.get(5)?;
        let changes: String = r.get(6)?;
        let stored_prev: String = r.get(7)?;
        let stored_hash: String = r.get(8)?;
        if chain_ok {
            if seq != expected_seq {
                push(chain_problem(seq, format!("审计记录序号不连续：应为第{expected_seq}条，实际为第{seq}条（记录被删除或调换）")));
                chain_ok = false;
            } else if stored_prev != prev_hash {
                push(chain_problem(
                    seq,
                    format!("第{seq}条审计记录与前一条的链接断开（前一条被删除、修改或调换）"),
                ));
                chain_ok = false;
            } else if entry_hash(&stored_prev, seq, &office, &at, &actor, &command, &changes)
                != stored_hash
            {
                push(chain_problem(
                    seq,
                    format!("第{seq}条审计记录的内容被修改（哈希不符）"),
                ));
                chain_ok = false;
            }
        }
        if let Ok(Value::Array(list)) = serde_json::from_str::<Value>(&changes) {
            for c in list {
                if let (Some(t), Some(id)) = (c["table"].as_str(), c["id"].as_i64()) {
                    images.insert((t.to_string(), id), (seq, c["after"].clone()));
                }
            }
        }
        expected_seq += 1;
        prev_hash = stored_hash;
    }

    // 2. Every audited row must equal its last recorded image, and every recorded row must exist.
    for table in AUDITED_TABLES {
        let mut stmt = conn.prepare(&format!("SELECT * FROM {table} ORDER BY id"))?;
        let names: Vec<String> = stmt.column_names().iter().map(|s| s.to_string()).collect();
        let id_col = names
            .iter()
            .position(|n| n == "id")
            .expect("audited tables have id");
        let mut rows = stmt.query([])?;
        let mut seen = std::collections::BTreeSet::new();
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(id_col)?;
            seen.insert(id);
            let image = row_to_json(r, &names)?;
            match images.get(&(table.to_string(), id)) {
                None => push(AuditProblem {
                    seq: None,
                    table: Some(table.to_string()),
                    row_id: Some(id),
                    reason: format!(
                        "数据表 {table} 第{id}行没有任何审计记录（被绕过软件直接写入）"
                    ),
                }),
                Some((seq, after)) if canonical(after) != canonical(&as_recorded(image, after)) => {
                    push(AuditProblem {
                        seq: Some(*seq),
                        table: Some(table.to_string()),
                        row_id: Some(id),
                        reason: if after.is_null() {
                            format!("数据表 {table} 第{id}行已于第{seq}条审计记录中删除，却又出现（被绕过软件直接写入）")
                        } else {
                            format!("数据表 {table} 第{id}行与第{seq}条审计记录不一致（被绕过软件直接修改）")
                        },
                    })
                }
                Some(_) => {}
            }
        }
        for ((t, id), (seq, after)) in
            images.range((table.to_string(), i64::MIN)..=(table.to_string(), i64::MAX))
        {
            if t == table && !after.is_null() && !seen.contains(id) {
                push(AuditProblem {
                    seq: Some(*seq),
                    table: Some(table.to_string()),
                    row_id: Some(*id),
                    reason: format!("数据表 {table} 第{id}行在第{seq}条审计记录中存在，现已缺失（被绕过软件直接删除）"),
                });
            }
        }
    }
    problems.sort_by_key(|p| (p.seq.is_none(), p.seq));
    Ok(AuditReport {
        ok: problems.is_empty(),
        entries,
        first_broken: problems.first().cloned(),
        problems,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn store_with_rows() -> Store {
        let s = Store::open_in_memory().unwrap();
        s.write("管理员", "office.init", |tx| {
            tx.execute("INSERT INTO office (id, code, name, level, created_at) VALUES (1,'220102','南关区医疗保障局','county','t')", [])?;
            tx.touch("office", 1);
            Ok(())
        })
        .unwrap();
        for i in 1..=3 {
            s.write("张三", "calendar.set_override", |tx| {
                tx.execute(
                    "INSERT INTO calendar_override (date, working, note) VALUES (?1, 0, '测试')",
                    [format!("2026-12-0{i}")],
                )?;
                tx.touch("calendar_override", tx.last_insert_rowid());
                Ok(())
            })
            .unwrap();
        }
        s
    }

    fn verify_s(s: &Store) -> AuditReport {
        s.read(verify).unwrap()
    }

    #[test]
    fn a_column_added_later_counts_while_null() {
        let s = store_with_rows();
        s.write("管理员", "migration", |tx| {
            tx.execute("ALTER TABLE office ADD COLUMN motto TEXT", [])?;
            Ok(())
        })
        .unwrap();
        assert!(verify_s(&s).ok, "{:?}", verify_s(&s).problems);
        s.write("黑客", "none", |tx| {
            tx.execute("UPDATE office SET motto = '改' WHERE id = 1", [])?;
            Ok(())
        })
        .unwrap();
        let r = verify_s(&s);
        assert!(!r.ok);
        assert!(r.problems[0].reason.contains("office"), "{:?}", r.problems);
    }

    #[test]
    fn a_clean_log_verifies() {
        let s = store_with_rows();
        let r = verify_s(&s);
        assert!(r.ok, "{:?}", r.problems);
        assert_eq!(r.entries, 4);
    }

    #[test]
    fn editing_an_audited_row_is_found() {
        let s = store_with_rows();
        s.read(|c| Ok(c.execute("UPDATE calendar_override SET note = '改' WHERE id = 2", [])?))
            .unwrap();
        let r = verify_s(&s);
        let p = r.first_broken.unwrap();
        assert_eq!(
            (p.table.as_deref(), p.row_id, p.seq),
            (Some("calendar_override"), Some(2), Some(3))
        );
        assert!(p.reason.contains("修改"));
    }

    #[test]
    fn deleting_or_inserting_rows_behind_the_app_is_found() {
        let s = store_with_rows();
        s.read(|c| Ok(c.execute("DELETE FROM calendar_override WHERE id = 1", [])?))
            .unwrap();
        s.read(|c| {
            Ok(c.execute(
                "INSERT INTO calendar_override (date, working, note) VALUES ('2027-01-01',0,'x')",
                [],
            )?)
        })
        .unwrap();
        let r = verify_s(&s);
        assert_eq!(r.problems.len(), 2, "{:?}", r.problems);
        assert!(r
            .problems
            .iter()
            .any(|p| p.reason.contains("删除") && p.row_id == Some(1)));
        assert!(r
            .problems
            .iter()
            .any(|p| p.reason.contains("没有任何审计记录")));
    }

    #[test]
    fn tampering_with_the_log_is_found_at_the_first_broken_link() {
        let s = store_with_rows();
        s.read(|c| Ok(c.execute("UPDATE audit_log SET actor = '李四' WHERE seq = 2", [])?))
            .unwrap();
        assert_eq!(verify_s(&s).first_broken.unwrap().seq, Some(2));

        let s = store_with_rows();
        s.read(|c| Ok(c.execute("DELETE FROM audit_log WHERE seq = 3", [])?))
            .unwrap();
        let p = verify_s(&s).first_broken.unwrap();
        assert_eq!(p.seq, Some(4));
        assert!(p.reason.contains("不连续"));

        // Reorder: swap entries 2 and 3.
        let s = store_with_rows();
        s.read(|c| {
            c.execute_batch(
                "UPDATE audit_log SET seq = -2 WHERE seq = 2;
                 UPDATE audit_log SET seq = 2 WHERE seq = 3;
                 UPDATE audit_log SET seq = 3 WHERE seq = -2;",
            )?;
            Ok(())
        })
        .unwrap();
        assert_eq!(verify_s(&s).first_broken.unwrap().seq, Some(2));
    }
}
