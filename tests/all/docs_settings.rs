//! The office's document settings and the number sequence (issue 4; DOMAIN.md §5): 机关代字 and
//! number style per kind, office wording snapshotted with each issued document, one sequence per
//! kind and year shared by `case.notify` and `document.issue`, never reused.

use recoup::api::Core;
use serde_json::json;

use crate::common::*;

/// 长白县医疗保障局 (in `core`) with three officers (李四 handler, 王五 reviewer, 赵六 approver) and
/// an institution, 长白县某某药房.
fn office(core: Core) -> (Office, i64) {
    let o = OfficeBuilder::new("220623", "长白县医疗保障局")
        .only(&[Post::Handler, Post::Reviewer, Post::Approver])
        .officer(Post::Handler, "li", "李四", json!(["Handler"]))
        .institutions_at("长白县塔山路1号", "0439-8888888")
        .init(core);
    let inst = o.institution_with(
        "H22062300001",
        "长白县某某药房",
        json!({"kind": "RetailPharmacy"}),
    );
    (o, inst)
}

/// An agreement case against `inst` with a finding, evidence and one recovery line of `amount`:
/// ready to be notified.
fn case_ready_to_notify<'o>(o: &'o Office, inst: i64, amount: &str) -> Case<'o> {
    CaseBuilder::agreement(o, inst)
        .summary("串换药品")
        .filed("2026-03-02")
        .finding("将非医保药品串换为医保药品结算", "服务协议第十五条", "0")
        .evidence("电子数据", "进销存数据", "2026-03-02")
        .line(json!({"fund": "居民基本医保", "year_kind": "当年", "category": "门诊费", "amount_due": amount}))
}

/// The case's 告知书, issued on 2026-03-10 with the number `number` ("" leaves it to the sequence).
fn notify<'o>(case: Case<'o>, number: &str) -> Case<'o> {
    case.notified_with("2026-03-10", json!({ "document_number": number }))
}

#[test]
fn defaults_come_from_the_office_name() {
    let (o, inst) = office(Core::open_in_memory().unwrap());
    let c = &o.core;
    case_ready_to_notify(&o, inst, "2468.10");
    let s = call(c, "document.settings_get", json!({}));
    assert_eq!(s["kinds"].as_array().unwrap().len(), 16);
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
    let (o, inst) = office(Core::open_in_memory().unwrap());
    let c = &o.core;
    case_ready_to_notify(&o, inst, "2468.10");
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
    let (o, inst) = office(Core::open_in_memory().unwrap());
    let c = &o.core;
    let case = case_ready_to_notify(&o, inst, "2468.10");
    let case_id = case.id;
    // Prefix and 第-style set by the office for the 告知书 (DOMAIN.md §5: a setting per kind).
    let mut s = call(c, "document.settings_get", json!({}));
    s["kinds"][8]["prefix"] = json!("长医保告");
    s["kinds"][8]["style"] = json!("Di");
    let before = audit_entries(c);
    call(c, "document.settings_update", s);
    assert_eq!(audit_entries(c), before + 1);

    // Left blank, case.notify takes the next number of 2026.
    let d = notify(case, "").detail;
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
    let case2 = case_ready_to_notify(&o, inst, "100");
    let d = notify(case2, "长医保告〔2026〕第7号").detail;
    assert_eq!(
        d["notification"]["document_number"],
        "长医保告〔2026〕第7号"
    );
    let case3 = case_ready_to_notify(&o, inst, "100");
    let d = notify(case3, "").detail;
    assert_eq!(
        d["notification"]["document_number"],
        "长医保告〔2026〕第8号"
    );
    assert_eq!(call(c, "audit.verify", json!({}))["ok"], true);
}

#[test]
fn a_reprint_after_the_wording_changed_is_still_the_same_paper() {
    let (o, inst) = office(Core::open_in_memory().unwrap());
    let c = &o.core;
    let case_id = notify(case_ready_to_notify(&o, inst, "2468.10"), "").id;
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
        let (o, inst) = office(Core::open(&db).unwrap());
        let case_id = notify(case_ready_to_notify(&o, inst, "2468.10"), "").id;
        call(
            &o.core,
            "document.issue",
            json!({"case_id": case_id, "kind": "StatementNotice", "issued_on": "2026-03-10"}),
        );
    }
    let out = dir.path().join("batch.pdf");
    let run = crate::common::cli(&db)
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
    // The print is in the audit log, by the user logged in on the command line.
    let c = Core::open(&db).unwrap();
    c.login(crate::common::ADMIN, "secret123").unwrap();
    let log = call(&c, "audit.list", json!({"offset": 0, "limit": 1}));
    assert_eq!(log["items"][0]["command"], "document.print_batch");
    assert_eq!(log["items"][0]["actor"], crate::common::ADMIN);
    assert_eq!(call(&c, "document.list", json!({}))[0]["prints"], 1);
    assert_eq!(call(&c, "audit.verify", json!({}))["ok"], true);
}
