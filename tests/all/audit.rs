//! The audit log through the API: entries stored compressed and listed as JSON text, no image of a
//! row a command did not change, the incremental verify from its checkpoint and the full verify.

use recoup::api::Core;
use serde_json::{json, Value};

use crate::common::*;

fn verify(c: &Core, full: bool) -> Value {
    call(c, "audit.verify", json!({ "full": full }))
}

fn tamper(c: &Core, sql: &str) {
    c.store().read(|conn| Ok(conn.execute(sql, [])?)).unwrap();
}

/// A Tianjin office with one agreement case, notified and served.
fn office_with_a_case() -> (Office, i64) {
    let o = Office::tianjin();
    let inst = o.institution("H12010100001", "和平区人民医院");
    let case = CaseBuilder::agreement(&o, inst)
        .filed("2026-03-02")
        .finding("超标准收费", "协议第十条", "1200.00")
        .evidence("书证", "收费票据", "2026-03-03")
        .line(json!({"fund": "居民基本医保", "year_kind": "当年",
                     "category": "门诊费", "amount_due": "1200.00"}))
        .notified("2026-03-10")
        .served("2026-03-11");
    let id = case.id;
    (o, id)
}

#[test]
fn compressed_entries_round_trip_through_audit_list() {
    let (o, _) = office_with_a_case();
    let c = &o.core;
    let stored: Vec<String> = c
        .store()
        .read(|conn| {
            let mut s = conn.prepare("SELECT typeof(changes) FROM audit_log")?;
            let v = s
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            Ok(v)
        })
        .unwrap();
    assert!(stored.iter().all(|t| t == "blob"), "{stored:?}");
    let page = call(c, "audit.list", json!({"offset": 0, "limit": 100}));
    let items = page["items"].as_array().unwrap();
    assert_eq!(page["total"], json!(items.len()));
    for e in items {
        let changes: Value = serde_json::from_str(e["changes"].as_str().unwrap()).unwrap();
        for ch in changes.as_array().unwrap() {
            assert!(ch["table"].is_string() && ch["id"].is_i64(), "{ch}");
        }
    }
    let created = items
        .iter()
        .find(|e| e["command"] == "case.create")
        .unwrap();
    assert!(created["changes"]
        .as_str()
        .unwrap()
        .contains("\"case_file\""));
    assert_eq!(verify(c, true)["ok"], true);
}

#[test]
fn a_command_writes_no_image_of_a_row_it_did_not_change() {
    let (o, _) = office_with_a_case();
    let c = &o.core;
    // case.serve touches the case it serves and sets its `updated_at` (to the second): within the
    // same second the case row does not change and only the service is recorded; when the clock
    // has moved on, the case's new image is recorded too (never an unchanged one: checked below).
    let page = call(c, "audit.list", json!({"offset": 0, "limit": 1000}));
    let served = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["command"] == "case.serve")
        .unwrap();
    let tables: Vec<String> = serde_json::from_str::<Value>(served["changes"].as_str().unwrap())
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|ch| ch["table"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(tables[0], "document_service", "{served}");
    assert!(tables[1..].iter().all(|t| t == "case_file"), "{served}");
    // No entry carries an image equal to the row's previous image.
    let page = call(c, "audit.list", json!({"offset": 0, "limit": 1000}));
    let mut last = std::collections::HashMap::new();
    for e in page["items"].as_array().unwrap().iter().rev() {
        let changes: Value = serde_json::from_str(e["changes"].as_str().unwrap()).unwrap();
        for ch in changes.as_array().unwrap() {
            let key = (ch["table"].to_string(), ch["id"].as_i64().unwrap());
            let previous = last.insert(key.clone(), ch["after"].clone());
            assert_ne!(
                previous.as_ref(),
                Some(&ch["after"]),
                "{} re-recorded {key:?} unchanged",
                e["command"]
            );
        }
    }
}

#[test]
fn incremental_verify_catches_what_came_after_its_checkpoint() {
    let (o, case) = office_with_a_case();
    let c = &o.core;
    let first = call(c, "audit.verify", json!({}));
    assert_eq!(
        (&first["ok"], &first["full"]),
        (&json!(true), &json!(true)),
        "no checkpoint yet"
    );
    let again = call(c, "audit.verify", json!({}));
    assert_eq!(
        (&again["ok"], &again["full"], &again["checked"]),
        (&json!(true), &json!(false), &json!(0))
    );
    assert_eq!(again["entries"], first["entries"]);

    // A row touched after the checkpoint, then changed behind the app's back.
    call(
        c,
        "case.update",
        json!({"id": case, "summary": "超标准收费（复核）"}),
    );
    tamper(
        c,
        &format!("UPDATE case_file SET summary = '改' WHERE id = {case}"),
    );
    let r = call(c, "audit.verify", json!({}));
    assert_eq!(r["ok"], false, "{r}");
    assert_eq!(
        (&r["first_broken"]["table"], &r["first_broken"]["row_id"]),
        (&json!("case_file"), &json!(case))
    );
}

#[test]
fn incremental_verify_catches_a_broken_link_after_its_checkpoint() {
    let (o, case) = office_with_a_case();
    let c = &o.core;
    assert_eq!(verify(c, false)["ok"], true);
    let checkpoint = audit_entries(c);
    call(c, "case.update", json!({"id": case, "summary": "一"}));
    call(c, "case.update", json!({"id": case, "summary": "二"}));
    tamper(
        c,
        &format!(
            "UPDATE audit_log SET actor = '李四' WHERE seq = {}",
            checkpoint + 1
        ),
    );
    let r = verify(c, false);
    assert_eq!(r["first_broken"]["seq"], json!(checkpoint + 1), "{r}");
}

#[test]
fn full_verify_catches_an_old_row_edited_that_incremental_does_not_replay() {
    let (o, _) = office_with_a_case();
    let c = &o.core;
    assert_eq!(verify(c, false)["ok"], true);
    tamper(c, "UPDATE institution SET name = '改名' WHERE id = 1");
    assert_eq!(
        verify(c, false)["ok"],
        true,
        "not touched since the checkpoint"
    );
    let r = verify(c, true);
    assert_eq!(r["ok"], false);
    assert_eq!(r["first_broken"]["table"], "institution");
    // The failed full verify did not move the checkpoint, and does not lose the problem.
    assert_eq!(verify(c, true)["ok"], false);
}

/// `audit.verify` compares the schema with what the migrations create (issue 12): a dropped
/// trigger, a planted one and a dropped index are each named; the untouched database is clean.
#[test]
fn verify_finds_a_dropped_or_planted_trigger_and_a_dropped_index() {
    let (o, _) = office_with_a_case();
    let c = &o.core;
    assert_eq!(verify(c, true)["ok"], true);
    let (trigger, index): (String, String) = c
        .store()
        .read(|conn| {
            Ok(conn.query_row(
                "SELECT (SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name LIMIT 1),
                        (SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name LIMIT 1)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })
        .unwrap();
    tamper(c, &format!("DROP TRIGGER {trigger}"));
    tamper(c, &format!("DROP INDEX {index}"));
    tamper(
        c,
        "CREATE TRIGGER planted AFTER INSERT ON payment BEGIN SELECT 1; END",
    );
    let r = verify(c, false);
    assert_eq!(r["ok"], false);
    let reasons: Vec<String> = r["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["reason"].as_str().unwrap().to_string())
        .collect();
    for want in [
        format!("缺少触发器“{trigger}”"),
        format!("缺少索引“{index}”"),
        "多出触发器“planted”".to_string(),
    ] {
        assert!(
            reasons.iter().any(|r| r.contains(&want)),
            "{want}: {reasons:?}"
        );
    }
}

/// Issue 12: "cutting the last entries with their rows, or rewriting a payment and recomputing
/// every hash, passes `audit verify`" — no longer: every write signs the chain's head with the office
/// key into `<database>.head` (outside the database), and verify checks the log against it.
#[test]
fn a_log_cut_or_rewritten_below_the_signed_head_fails_verify() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("recoup.db");
    let o = OfficeBuilder::tianjin().init(Core::open(&db).unwrap());
    let c = &o.core;
    o.institution("H12010100001", "和平区人民医院");
    let head = audit_entries(c);
    let v = verify(c, true);
    assert_eq!(v["ok"], json!(true), "{v}");
    assert_eq!(v["signed_head"]["seq"], json!(head), "{v}");
    assert_eq!(v["signed_head"]["past"], json!(0));
    assert_eq!(v["signed_head"]["consistent"], json!(true));
    let file = db.with_extension("head");
    let signed: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(signed["seq"], json!(head));

    // A second process writing the same database signs the newer head; the older process does not
    // overwrite it with its own, older one.
    let other = Core::open(&db).unwrap();
    other.login(ADMIN, "secret123").unwrap();
    InstitutionBuilder::new("H12010100002", "和平区中医院").create(&other);
    let head = audit_entries(c);
    let signed: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(signed["seq"], json!(head));
    let reasons = |v: &Value| -> String {
        v["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["reason"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
            .join("\n")
    };

    // The signed head's own hash rewritten (as a log re-hashed after an edit would be).
    let hash: Vec<u8> = c
        .store()
        .read(|conn| {
            Ok(conn.query_row(
                &format!("SELECT hash FROM audit_log WHERE seq = {head}"),
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    tamper(
        c,
        &format!("UPDATE audit_log SET hash = zeroblob(32) WHERE seq = {head}"),
    );
    let v = verify(c, false);
    assert_eq!(v["ok"], json!(false));
    assert_eq!(v["signed_head"]["consistent"], json!(false));
    assert!(
        reasons(&v).contains("与本机签名确认的不同"),
        "{}",
        reasons(&v)
    );
    c.store()
        .read(|conn| {
            Ok(conn.execute(
                &format!("UPDATE audit_log SET hash = ?1 WHERE seq = {head}"),
                [&hash],
            )?)
        })
        .unwrap();
    assert_eq!(verify(c, true)["ok"], json!(true));

    // The last entry cut together with the row it created: the chain and the rows agree, but the
    // log is now shorter than what was signed.
    tamper(c, "DELETE FROM institution WHERE code = 'H12010100002'");
    tamper(c, &format!("DELETE FROM audit_log WHERE seq = {head}"));
    let v = verify(c, true);
    assert_eq!(v["ok"], json!(false), "{v}");
    assert_eq!(v["signed_head"]["past"], json!(-1));
    assert!(reasons(&v).contains("审计日志被截短"), "{}", reasons(&v));

    // A head file written by someone without the office key is not believed.
    let mut forged = signed.clone();
    forged["seq"] = json!(head - 1);
    std::fs::write(&file, serde_json::to_vec(&forged).unwrap()).unwrap();
    let v = verify(c, true);
    assert_eq!(v["ok"], json!(false));
    assert!(
        reasons(&v).contains("签名不是本单位密钥所签"),
        "{}",
        reasons(&v)
    );
    // Nor a damaged one.
    std::fs::write(&file, b"{").unwrap();
    assert!(reasons(&verify(c, true)).contains("已损坏"));
}
