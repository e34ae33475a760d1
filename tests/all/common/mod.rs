//! Helpers shared by the scenario tests: calls through the public API that must succeed, and
//! refusals that must leave the database unchanged; builders of offices, parties and cases
//! (builders.rs).
#![allow(dead_code)]

mod builders;
pub use builders::*;

use base64::Engine as _;
use recoup::api::Core;
use recoup::{ApiError, ErrorCode};
use serde_json::{json, Value};

/// The expiry of the 执法证 every officer the tests create holds (issue 9: officers on an
/// administrative matter hold a valid certificate).
pub const CERT_EXPIRES: &str = "2035-12-31";

/// `office.init` with `office`'s fields and the first administrator ([`ADMIN`], holding every
/// role, password `password`), who is then logged in: the tests act as them.
pub fn init_office(c: &Core, office: Value, password: &str) {
    let mut office = office;
    office["admin"] = json!({"username": ADMIN, "display_name": "系统管理员", "password": password,
                             "roles": ["Admin", "Handler", "Reviewer", "Approver", "Finance"],
                             "cert_no": "执法证00001", "cert_expires": CERT_EXPIRES});
    call(c, "office.init", office);
    c.login(ADMIN, password).expect("the administrator logs in");
}

/// The `recoup` CLI on database `db`, logged in as the administrator of [`cli_init`].
pub fn cli(db: &std::path::Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_recoup"));
    cmd.arg("--db")
        .arg(db)
        .env("RECOUP_USER", ADMIN)
        .env("RECOUP_PASSWORD", "secret123");
    cmd
}

/// `recoup init` of office `code`/`name` on `db`: the administrator [`ADMIN`] (password secret123)
/// gets every role, as in [`init_office`].
pub fn cli_init(db: &std::path::Path, code: &str, name: &str) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_recoup"))
        .arg("--db")
        .arg(db)
        .args([
            "init",
            "--code",
            code,
            "--name",
            name,
            "--admin-user",
            ADMIN,
        ])
        .env("RECOUP_PASSWORD", "secret123")
        .env_remove("RECOUP_USER")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let c = Core::open(db).unwrap();
    c.login(ADMIN, "secret123").unwrap();
    call(
        &c,
        "user.update",
        json!({"id": 1, "roles": ["Admin", "Handler", "Reviewer", "Approver", "Finance"]}),
    );
}

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

pub fn id(v: &Value) -> i64 {
    v["id"].as_i64().expect("id")
}

pub fn user(c: &Core, username: &str, name: &str, roles: Value) -> i64 {
    id(&call(
        c,
        "user.create",
        json!({"username": username, "display_name": name, "roles": roles, "password": "secret123",
               "cert_no": format!("执法证{username}"), "cert_expires": CERT_EXPIRES}),
    ))
}

/// The running clocks (`clock.list`) as of `today`.
/// Every running clock of the office on `today`. Also checks that the per-case answers, which each
/// clock source narrows in SQL (`clock.list` with `case_id`, and the clocks of `case.get`), are
/// exactly the office-wide list filtered to that case.
pub fn clocks(c: &Core, today: &str) -> Vec<Value> {
    let list = call(c, "clock.list", json!({"today": today, "limit": 1000}));
    let items = list["items"].as_array().unwrap().clone();
    assert_eq!(list["total"].as_u64(), Some(items.len() as u64));
    // Each clock's state agrees with its working days left (the state is judged without counting).
    let within = list["within"].as_i64().unwrap();
    for k in &items {
        let overdue = k["due_on"].as_str().unwrap() < today;
        let left = k["working_days_left"].as_i64().unwrap();
        let want = if overdue {
            "Overdue"
        } else if left <= within {
            "DueSoon"
        } else {
            "Running"
        };
        assert_eq!(k["state"], want, "state of {k}");
    }
    // The dashboard: per state, the count and the first page of the same clocks in the same order;
    // the other pages through clock.list with the state.
    let board = call(c, "clock.board", json!({"today": today, "limit": 2}));
    let groups = board["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 3);
    // Counted by kind (issue 8: the 工作台 groups clocks by kind): each kind's counts per state are
    // the clocks of that kind and state, and only kinds with a clock are listed.
    let kinds = board["kinds"].as_array().unwrap();
    for k in kinds {
        for (field, state) in [
            ("overdue", "Overdue"),
            ("due_soon", "DueSoon"),
            ("running", "Running"),
        ] {
            let n = items
                .iter()
                .filter(|x| x["kind"] == k["kind"] && x["state"] == state)
                .count();
            assert_eq!(
                k[field].as_u64(),
                Some(n as u64),
                "{field} of {}",
                k["kind"]
            );
        }
    }
    let listed: u64 = kinds
        .iter()
        .map(|k| {
            ["overdue", "due_soon", "running"]
                .iter()
                .map(|f| k[*f].as_u64().unwrap())
                .sum::<u64>()
        })
        .sum();
    assert_eq!(listed, items.len() as u64);
    assert!(kinds.iter().all(|k| ["overdue", "due_soon", "running"]
        .iter()
        .any(|f| k[*f].as_u64() > Some(0))));
    for g in groups {
        let state = g["state"].as_str().unwrap();
        let of_state: Vec<Value> = items
            .iter()
            .filter(|k| k["state"] == state)
            .cloned()
            .collect();
        assert_eq!(g["total"].as_u64(), Some(of_state.len() as u64), "{state}");
        let first: Vec<Value> = of_state.iter().take(2).cloned().collect();
        assert_eq!(g["items"], json!(first), "first page of {state}");
        let rest = call(
            c,
            "clock.list",
            json!({"today": today, "state": state, "offset": 2, "limit": 1000}),
        );
        let rest_want: Vec<Value> = of_state.iter().skip(2).cloned().collect();
        assert_eq!(rest["items"], json!(rest_want), "later pages of {state}");
        assert_eq!(rest["total"].as_u64(), Some(of_state.len() as u64));
    }
    let cases = call(c, "case.list", json!({"limit": 1000}))["items"].clone();
    for case in cases.as_array().unwrap() {
        let id = case["id"].as_i64().unwrap();
        let want: Vec<Value> = items
            .iter()
            .filter(|k| k["case_id"].as_i64() == Some(id))
            .cloned()
            .collect();
        let listed = call(c, "clock.list", json!({"today": today, "case_id": id}))["items"].clone();
        assert_eq!(listed, json!(want), "clock.list of case {id} on {today}");
        let detail = call(c, "case.get", json!({"id": id, "today": today}))["clocks"].clone();
        assert_eq!(
            detail,
            json!(want),
            "clocks in case.get of case {id} on {today}"
        );
    }
    items
}

pub fn pdf_of(v: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(v["pdf_base64"].as_str().unwrap())
        .unwrap()
}

/// The text of a PDF (poppler's pdftotext), without whitespace so that wrapped lines still match,
/// without page numbers (— 1 —) and with a ticked box as ☑. `RECOUP_KEEP_PDF=DIR` keeps the PDFs.
pub fn pdf_text(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.pdf");
    std::fs::write(&path, bytes).unwrap();
    if let Ok(keep) = std::env::var("RECOUP_KEEP_PDF") {
        // For looking at a render: RECOUP_KEEP_PDF=/tmp/dir cargo test --test all docs_sources::
        let n = std::fs::read_dir(&keep).map(|d| d.count()).unwrap_or(0);
        let _ = std::fs::write(format!("{keep}/{n:02}.pdf"), bytes);
    }
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(out.status.success());
    let text: String = String::from_utf8(out.stdout)
        .unwrap()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    // Page numbers (— 1 —) split a sentence running over a page; a ticked box ☑ may come out as
    // "□✓" (drawn from two fonts).
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find('—') {
        out.push_str(&rest[..i]);
        let after = &rest[i + '—'.len_utf8()..];
        let digits = after.chars().take_while(|c| c.is_ascii_digit()).count();
        if digits > 0 && after[digits..].starts_with('—') {
            rest = &after[digits + '—'.len_utf8()..];
        } else {
            out.push('—');
            rest = after;
        }
    }
    out.push_str(rest);
    out.replace("□✓", "☑")
}

// ---------------------------------------------------------------------------------------------
// Exchange with the city (issue 11): files as the API hands them, pairing.

/// The bytes of an exchange file answer (`{"data": base64}`).
pub fn b64(v: &Value) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(v["data"].as_str().unwrap())
        .unwrap()
}

/// The request carrying a file's bytes (`{"data": base64}`).
pub fn payload(bytes: &[u8]) -> Value {
    use base64::Engine as _;
    json!({ "data": base64::engine::general_purpose::STANDARD.encode(bytes) })
}

/// Pair `county` with `city` and register it there, as `code`, by its public key (from its slip).
pub fn pair_as(county: &Core, code: &str, name: &str, city: &Core) {
    let pairing = call(city, "exchange.pairing_file", json!({}));
    call(county, "exchange.pair", json!({ "data": pairing["data"] }));
    let slip = String::from_utf8(b64(&call(county, "exchange.registration", json!({})))).unwrap();
    let key = slip
        .lines()
        .find_map(|l| l.strip_prefix("签名公钥："))
        .unwrap()
        .to_string();
    call(
        city,
        "exchange.register",
        json!({"code": code, "name": name, "public_key": key}),
    );
}

/// Every row of every table, as text: compared before and after each refused call. The verify
/// checkpoint is left out (a successful `audit.verify` records it; it is a cache of the log).
pub fn dump(c: &Core) -> Vec<(String, Vec<String>)> {
    c.store()
        .read(|conn| {
            let mut stmt = conn.prepare(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
                 AND name <> 'audit_checkpoint' ORDER BY name",
            )?;
            let tables: Vec<String> = stmt
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            let mut out = Vec::new();
            for t in tables {
                let mut s = conn.prepare(&format!("SELECT * FROM \"{t}\""))?;
                let n = s.column_count();
                let rows: Vec<String> = s
                    .query_map([], |r| {
                        Ok((0..n)
                            .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                            .collect::<Vec<_>>()
                            .join("|"))
                    })?
                    .collect::<rusqlite::Result<_>>()?;
                out.push((t, rows));
            }
            Ok(out)
        })
        .unwrap()
}

/// A digest of the rows the queries give, in order (two states compared without keeping them).
pub fn rows_digest(c: &Core, queries: &[&str]) -> String {
    use sha2::{Digest as _, Sha256};
    c.store()
        .read(|conn| {
            let mut h = Sha256::new();
            for sql in queries {
                let mut stmt = conn.prepare(sql)?;
                let n = stmt.column_count();
                let mut rows = stmt.query([])?;
                while let Some(r) = rows.next()? {
                    for i in 0..n {
                        let v: rusqlite::types::Value = r.get(i)?;
                        h.update(format!("{v:?}\u{1f}").as_bytes());
                    }
                    h.update(b"\n");
                }
            }
            Ok(hex::encode(h.finalize()))
        })
        .unwrap()
}

/// `recoup serve` on `core` in a thread of this process (port chosen by the system); its address.
pub fn serve_in_thread(core: Core) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        recoup::serve::serve(core, 0, None, |ready| tx.send(ready.url.clone()).unwrap()).unwrap();
    });
    rx.recv().unwrap()
}
