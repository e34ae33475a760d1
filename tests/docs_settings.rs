//! The office's document settings and the number sequence (issue 4; DOMAIN.md §5): 机关代字 and
//! number style per kind, office wording snapshotted with each issued document, one sequence per
//! kind and year shared by `case.notify` and `document.issue`, never reused.

use recoup::api::Core;
use serde_json::{json, Value};

mod common;
use common::*;

/// An office (长白县医疗保障局), three officers, an institution and an agreement case with a
/// finding, evidence and one recovery line — ready to be notified.
fn case_ready_to_notify(c: &Core) -> (i64, Value) {
    call(
        c,
        "office.init",
        json!({"code": "220623", "name": "长白县医疗保障局", "level": "county"}),
    );
    let signoff = json!({
        "handler_id": user(c, "li", "李四", json!(["Handler"])),
        "reviewer_id": user(c, "wang", "王五", json!(["Reviewer"])),
        "approver_id": user(c, "zhao", "赵六", json!(["Approver"])),
    });
    let inst = id(&call(
        c,
        "institution.create",
        json!({
            "code": "H22062300001", "name": "长白县某某药房", "kind": "RetailPharmacy",
            "credit_code": "91350100M000100Y43", "address": "长白县塔山路1号",
            "legal_rep": "陈某", "contact": "0439-8888888", "agreement_status": "Active"
        }),
    ));
    let case_id = new_case(c, inst, &signoff, "2468.10");
    (case_id, signoff)
}

fn notify(c: &Core, case_id: i64, signoff: &Value, number: &str) -> Value {
    call(
        c,
        "case.notify",
        json!({"case_id": case_id, "issued_on": "2026-03-10", "document_number": number,
               "signoff": signoff, "proposed_measures": []}),
    )
}

#[test]
fn defaults_come_from_the_office_name() {
    let c = &Core::open_in_memory().unwrap();
    case_ready_to_notify(c);
    let s = call(c, "document.settings_get", json!({}));
    assert_eq!(s["kinds"].as_array().unwrap().len(), 10);
    let notice = &s["kinds"].as_array().unwrap()[8];
    assert_eq!(notice["kind"], "StatementNotice");
    assert_eq!(notice["default_prefix"], "长白医保告");
    assert_eq!(notice["prefix"], "");
    assert_eq!(s["agency_name"], "");
    assert_eq!(s["default_agency_name"], "长白县医疗保障局");
    assert_eq!(s["default_government"], "长白县人民政府");
    assert_eq!(s["default_court"], "长白县人民法院");
    assert!(notice["default_template"]
        .as_str()
        .unwrap()
        .contains("陈述和申辩的权利"));
    assert!(notice["fields"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["name"] == "reply_days"));
}

#[test]
fn bad_settings_are_refused_naming_the_field_and_change_nothing() {
    let c = &Core::open_in_memory().unwrap();
    case_ready_to_notify(c);
    let good = call(c, "document.settings_get", json!({}));

    let mut s = good.clone();
    s["kinds"][0]["prefix"] = json!("长白医保〔退〕");
    let e = field(c, "document.settings_update", s, "kinds.0.prefix");
    assert!(e.message.contains("括号"), "{}", e.message);

    // A template naming a field the kind does not have never reaches paper.
    let mut s = good.clone();
    s["kinds"][8]["template"] = json!("{party_name}：请于{no_such_field}前答复。");
    let e = field(c, "document.settings_update", s, "kinds.8.template");
    assert!(e.message.contains("陈述申辩告知书"), "{}", e.message);

    let mut s = good.clone();
    s["employee_account"]["account_number"] = json!("6222 ABC");
    let e = field(
        c,
        "document.settings_update",
        s,
        "employee_account.account_number",
    );
    assert!(e.message.contains("职工医保账号"), "{}", e.message);

    assert_eq!(call(c, "document.settings_get", json!({})), good);
}

#[test]
fn a_blank_number_is_allocated_and_a_typed_one_moves_the_sequence() {
    let c = &Core::open_in_memory().unwrap();
    let (case_id, signoff) = case_ready_to_notify(c);
    // Prefix and 第-style set by the office for the 告知书 (DOMAIN.md §5: a setting per kind).
    let mut s = call(c, "document.settings_get", json!({}));
    s["kinds"][8]["prefix"] = json!("长医保告");
    s["kinds"][8]["style"] = json!("Di");
    let before = audit_entries(c);
    call(c, "document.settings_update", s);
    assert_eq!(audit_entries(c), before + 1);

    // Left blank, case.notify takes the next number of 2026.
    let d = notify(c, case_id, &signoff, "");
    assert_eq!(
        d["notification"]["document_number"],
        "长医保告〔2026〕第1号"
    );

    // The printed 告知书 carries exactly that number, and prints once.
    let pdf = call(
        c,
        "document.issue",
        json!({"case_id": case_id, "kind": "StatementNotice", "issued_on": "2026-03-10"}),
    );
    assert_eq!(pdf["number"], "长医保告〔2026〕第1号");
    assert!(pdf_text(&pdf_of(&pdf)).contains("长医保告〔2026〕第1号"));
    illegal(
        c,
        "document.issue",
        json!({"case_id": case_id, "kind": "StatementNotice", "issued_on": "2026-03-11"}),
        "重新打印",
    );

    // A number typed from the paper register (第7号) moves the sequence past it: the next blank
    // one is 第8号, and 1–7 are never given again.
    let (case2, signoff2) = second_case(c);
    let d = notify(c, case2, &signoff2, "长医保告〔2026〕第7号");
    assert_eq!(
        d["notification"]["document_number"],
        "长医保告〔2026〕第7号"
    );
    let (case3, signoff3) = second_case(c);
    let d = notify(c, case3, &signoff3, "");
    assert_eq!(
        d["notification"]["document_number"],
        "长医保告〔2026〕第8号"
    );
    assert_eq!(call(c, "audit.verify", json!({}))["ok"], true);
}

/// Another case of the same office (officers 1–3, institution 1), ready to be notified.
fn second_case(c: &Core) -> (i64, Value) {
    let signoff = json!({"handler_id": 1, "reviewer_id": 2, "approver_id": 3});
    (new_case(c, 1, &signoff, "100"), signoff)
}

/// An agreement case against `inst` with a finding, evidence and one recovery line.
fn new_case(c: &Core, inst: i64, signoff: &Value, amount: &str) -> i64 {
    let d = call(
        c,
        "case.create",
        json!({"track": "协议处理", "institution_id": inst, "source": "审核结算", "summary": "串换药品",
               "handler_id": signoff["handler_id"], "filed_on": "2026-03-02"}),
    );
    let case_id = id(&d["case"]);
    call(
        c,
        "finding.add",
        json!({"case_id": case_id, "description": "将非医保药品串换为医保药品结算", "rule_broken": "服务协议第十五条", "amount": "0"}),
    );
    call(
        c,
        "evidence.add",
        json!({"case_id": case_id, "kind": "电子数据", "description": "进销存数据", "collected_on": "2026-03-02"}),
    );
    call(
        c,
        "recovery.add_line",
        json!({"case_id": case_id, "fund": "居民基本医保", "year_kind": "当年", "category": "门诊费", "amount_due": amount}),
    );
    case_id
}

#[test]
fn a_reprint_after_the_wording_changed_is_still_the_same_paper() {
    let c = &Core::open_in_memory().unwrap();
    let (case_id, signoff) = case_ready_to_notify(c);
    notify(c, case_id, &signoff, "");
    let issued = call(
        c,
        "document.issue",
        json!({"case_id": case_id, "kind": "StatementNotice", "issued_on": "2026-03-10"}),
    );

    // The office rewrites the 告知书's wording afterwards.
    let mut s = call(c, "document.settings_get", json!({}));
    let default = s["kinds"][8]["default_template"]
        .as_str()
        .unwrap()
        .to_string();
    s["kinds"][8]["template"] = json!(default.replace("逾期未提出的", "逾期不提出的"));
    call(c, "document.settings_update", s);

    let again = call(c, "document.print", json!({"id": id(&issued)}));
    assert_eq!(pdf_of(&again), pdf_of(&issued));
    assert!(pdf_text(&pdf_of(&again)).contains("逾期未提出的"));
}

#[test]
fn the_cli_prints_a_batch_with_progress() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("recoup.db");
    {
        let c = &Core::open(&db).unwrap();
        let (case_id, signoff) = case_ready_to_notify(c);
        notify(c, case_id, &signoff, "");
        call(
            c,
            "document.issue",
            json!({"case_id": case_id, "kind": "StatementNotice", "issued_on": "2026-03-10"}),
        );
    }
    let out = dir.path().join("batch.pdf");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_recoup"))
        .arg("--db")
        .arg(&db)
        .args(["print-batch", "--all", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stdout}{stderr}");
    assert!(stderr.contains("已排版 1/1"), "{stderr}");
    assert!(stdout.contains("1份文书"), "{stdout}");
    let text = pdf_text(&std::fs::read(&out).unwrap());
    assert!(text.contains("长白医保告〔2026〕1号"), "{text}");
    // The print is in the audit log.
    let c = Core::open(&db).unwrap();
    assert_eq!(call(&c, "document.list", json!({}))[0]["prints"], 1);
    assert_eq!(call(&c, "audit.verify", json!({}))["ok"], true);
}
