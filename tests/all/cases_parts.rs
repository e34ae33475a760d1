//! The parts of the case lifecycle on their own: the 5:5 split (property), users and passwords,
//! the rule profile, leads and their clock, evidence holds, the clock list.

use proptest::prelude::*;
use recoup::api::Core;
use recoup::cases::split_half;
use recoup::{ErrorCode, Money};
use serde_json::{json, Value};

use crate::common::*;

fn core() -> Core {
    let c = Core::open_in_memory().unwrap();
    crate::common::init_office(
        &c,
        json!({"code": "120101", "name": "和平区医疗保障局"}),
        "secret123",
    );
    c
}

fn user(c: &Core, username: &str, roles: Value) -> i64 {
    call(
        c,
        "user.create",
        json!({"username": username, "display_name": username.to_uppercase(), "roles": roles, "password": "passw0rd"}),
    )["id"]
        .as_i64()
        .unwrap()
}

/// The same office (no level given) with these officers, each named after its username (h → H)
/// with password passw0rd, created in this order.
fn office(officers: &[(Post, &str, &str)]) -> Office {
    let mut b = OfficeBuilder::new("120101", "和平区医疗保障局")
        .level(None)
        .password("passw0rd")
        .only(&[]);
    for &(post, username, role) in officers {
        b = b.officer(post, username, &username.to_uppercase(), json!([role]));
    }
    b.open()
}

// ---------------------------------------------------------------------------------------------
// 5:5 split (004 art. 8)

proptest! {
    #[test]
    fn halves_always_add_up_to_the_total(fen in 0i64..=99_999_999_999_999i64) {
        let total = Money::from_fen(fen);
        let (employee, resident) = split_half(total);
        prop_assert_eq!(employee + resident, total);
        // The employee half takes the odd cent, never more.
        let diff = employee.fen() - resident.fen();
        prop_assert!(diff == 0 || diff == 1);
        prop_assert_eq!(diff == 1, fen % 2 == 1);
    }
}

#[test]
fn odd_amounts_split_exactly_to_the_cent() {
    for (total, e, r) in [
        ("0.01", "0.01", "0.00"),
        ("0.03", "0.02", "0.01"),
        ("100.01", "50.01", "50.00"),
        ("99999.99", "50000.00", "49999.99"),
        ("1234.56", "617.28", "617.28"),
    ] {
        let (a, b) = split_half(Money::parse(total).unwrap());
        assert_eq!(
            (a.to_string(), b.to_string()),
            (e.to_string(), r.to_string()),
            "{total}"
        );
    }
}

#[test]
fn split_lines_through_the_api_and_removal_of_both_halves() {
    let o = office(&[
        (Post::Handler, "h1", "Handler"),
        (Post::CoHandler, "h2", "Handler"),
    ]);
    let c = &o.core;
    let p = InsuredBuilder::new().scheme("居民").create(c);
    let d = CaseBuilder::administrative(&o, Insured(p))
        .with(json!({"track": "Administrative"}))
        .summary("冒名就医")
        .filed("2026-03-02")
        .detail;
    let case_id = d["case"]["id"].clone();
    assert_eq!(d["case"]["party_kind"], "Insured");
    // The split is the rule of a preset (天津); under the national base the fund must be named.
    field(
        c,
        "recovery.add_line",
        json!({"case_id": case_id, "amount_due": "0.01"}),
        "fund",
    );
    call(c, "profile.update", json!({"unknown_fund_split": true}));
    // A matter keeps the rule set it was filed under: this one is refiled under the new profile.
    let d = CaseBuilder::administrative(&o, Insured(p))
        .with(json!({"track": "Administrative"}))
        .summary("冒名就医")
        .filed("2026-03-02")
        .detail;
    let case_id = d["case"]["id"].clone();
    // One cent cannot be split: it goes to the employee fund alone.
    let one = call(
        c,
        "recovery.add_line",
        json!({"case_id": case_id, "amount_due": "0.01"}),
    );
    assert_eq!(one.as_array().unwrap().len(), 1);
    assert_eq!(one[0]["fund"], "EmployeeBasic");
    assert_eq!(
        one[0]["year_kind"], "PriorYears",
        "year unknown → cross-year (004 art. 12)"
    );
    let two = call(
        c,
        "recovery.add_line",
        json!({"case_id": case_id, "amount_due": "777.77", "year_kind": "CurrentYear", "category": "门诊费"}),
    );
    assert_eq!(two[0]["amount_due"], "388.89");
    assert_eq!(two[1]["amount_due"], "388.88");
    assert_eq!(two[0]["split_group"], two[1]["split_group"]);
    let d = call(c, "case.get", json!({"id": case_id}));
    assert_eq!(d["case"]["recovery_total"], "777.78");
    let left = call(c, "recovery.remove_line", json!({"id": two[1]["id"]}));
    assert_eq!(left.as_array().unwrap().len(), 1, "both halves go together");
    // An agreement case against a person is refused (001 art. 18 concerns the institutions).
    let e = refuse(
        c,
        "case.create",
        json!({"track": "Agreement", "insured_id": p, "source": "其他", "summary": "x", "handler_id": o.handler, "filed_on": "2026-03-02"}),
    );
    assert_eq!(e.field.as_deref(), Some("track"));
}

// ---------------------------------------------------------------------------------------------
// Users

#[test]
fn passwords_are_argon2id_hashes_and_login_checks_them() {
    let c = core();
    let id = user(&c, "zhang", json!(["承办人", "审批人"]));
    let hash: String = c
        .store()
        .read(|conn| {
            Ok(conn.query_row(
                "SELECT password_hash FROM user_secret WHERE user_id = ?1",
                [id],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains("passw0rd"));
    let u = call(
        &c,
        "user.login",
        json!({"username": "zhang", "password": "passw0rd"}),
    );
    assert_eq!(u["user"]["roles"], json!(["Handler", "Approver"]));
    assert!(
        u["user"].get("password_hash").is_none() && u["user"].get("secret_digest").is_none(),
        "the API never shows the hash"
    );
    let e = c
        .call(
            "user.login",
            json!({"username": "zhang", "password": "wrong123"}),
        )
        .unwrap_err();
    assert!(e.message.contains("用户名或密码不正确"));
    call(
        &c,
        "user.set_password",
        json!({"id": id, "password": "n3wpassword"}),
    );
    assert!(c
        .call(
            "user.login",
            json!({"username": "zhang", "password": "passw0rd"})
        )
        .is_err());
    call(
        &c,
        "user.login",
        json!({"username": "ZHANG", "password": "n3wpassword"}),
    );
    // Disabled users cannot log in.
    call(&c, "user.update", json!({"id": id, "active": false}));
    assert!(c
        .call(
            "user.login",
            json!({"username": "zhang", "password": "n3wpassword"})
        )
        .is_err());

    let e = refuse(
        &c,
        "user.create",
        json!({"username": "li", "display_name": "李四", "roles": ["Handler"], "password": "short1"}),
    );
    assert_eq!(e.field.as_deref(), Some("password"));
    let e = refuse(
        &c,
        "user.create",
        json!({"username": "Zhang", "display_name": "x", "roles": ["Handler"], "password": "passw0rd"}),
    );
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::Conflict, Some("username"))
    );
    let e = refuse(
        &c,
        "user.create",
        json!({"username": "li", "display_name": "李四", "roles": [], "password": "passw0rd"}),
    );
    assert_eq!(e.field.as_deref(), Some("roles"));
    let e = refuse(
        &c,
        "user.create",
        json!({"username": "li", "display_name": "李四", "roles": ["局长"], "password": "passw0rd"}),
    );
    assert_eq!(e.field.as_deref(), Some("roles"));
    assert!(e.message.contains("角色"), "{}", e.message);
    // The set-up's administrator and zhang (disabled).
    assert_eq!(call(&c, "user.list", json!({}))["total"], 1);
    assert_eq!(
        call(&c, "user.list", json!({"include_inactive": true}))["total"],
        2
    );
}

#[test]
fn the_last_admin_cannot_be_disabled() {
    let c = core();
    // The administrator of the set-up (user 1) is the only one.
    let e = refuse(&c, "user.update", json!({"id": 1, "active": false}));
    assert_eq!(e.code, ErrorCode::IllegalStep);
    let e = refuse(&c, "user.update", json!({"id": 1, "roles": ["Handler"]}));
    assert_eq!(e.code, ErrorCode::IllegalStep);
    user(&c, "admin2", json!(["Admin"]));
    call(&c, "user.update", json!({"id": 1, "active": false}));
    // A disabled user's session ends at their next call.
    let e = c.call("user.list", json!({})).unwrap_err();
    assert_eq!(e.code, ErrorCode::NotLoggedIn);
}

// ---------------------------------------------------------------------------------------------
// Rule profile

#[test]
fn the_profile_has_the_domain_defaults_and_every_change_is_audited() {
    let c = core();
    let p = call(&c, "profile.get", json!({}));
    // Every value is described once (unit, range, source) for the settings page, in the core's words.
    let fields = call(&c, "profile.describe", json!({}));
    let mut described: Vec<&str> = fields
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    // The rule set (preset and citations) is described by `profile.presets`, not here.
    let mut values: Vec<&str> = p
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .filter(|k| !["preset", "offset_policy", "unknown_fund_split", "citations"].contains(k))
        .collect();
    described.sort();
    values.sort();
    assert_eq!(described, values);
    let statement = fields
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "statement_days")
        .unwrap();
    assert_eq!(
        (&statement["unit"], &statement["min"], &statement["max"]),
        (&json!("WorkingDays"), &json!(3), &json!(15))
    );
    assert!(fields
        .as_array()
        .unwrap()
        .iter()
        .all(|f| !f["source"].as_str().unwrap().contains("号文")));
    // DOMAIN.md §2 defaults.
    assert_eq!(p["statement_days"], 5);
    assert_eq!(p["hearing_threshold_person"], "5000.00");
    assert_eq!(p["hearing_threshold_organisation"], "100000.00");
    assert_eq!(p["legal_review_days"], 10);
    assert_eq!(p["lead_check_days"], 15);
    assert_eq!(p["lead_check_extension_days"], 15);
    assert_eq!(p["collective_review_threshold"], "50000.00");
    assert_eq!(p["decision_days"], 90);
    assert_eq!(p["decision_extension_days"], 30);
    let mut q = p.clone();
    q["statement_days"] = json!(1);
    let e = refuse(&c, "profile.update", q.clone());
    assert_eq!(e.field.as_deref(), Some("statement_days"));
    q["statement_days"] = json!(3); // some provinces use 3 (DOMAIN §2)
    q["collective_review_threshold"] = json!(30000); // a JSON number is refused: money is a string
    let e = refuse(&c, "profile.update", q.clone());
    assert_eq!(e.field.as_deref(), Some("collective_review_threshold"));
    q["collective_review_threshold"] = json!("30000");
    let before = audit_entries(&c);
    let p2 = call(&c, "profile.update", q);
    assert_eq!(p2["statement_days"], 3);
    assert_eq!(
        call(&c, "profile.get", json!({}))["collective_review_threshold"],
        "30000.00"
    );
    assert_eq!(audit_entries(&c), before + 1);
    let last = call(&c, "audit.list", json!({"offset": 0, "limit": 1}));
    assert_eq!(last["items"][0]["command"], "profile.update");
    assert_eq!(call(&c, "audit.verify", json!({}))["ok"], true);
}

#[test]
fn a_shorter_statement_window_from_the_profile_applies_to_new_notices() {
    let o = office(&[
        (Post::Handler, "h", "Handler"),
        (Post::CoHandler, "h2", "Handler"),
        (Post::Reviewer, "r", "Reviewer"),
        (Post::Approver, "a", "Approver"),
    ]);
    let c = &o.core;
    let mut p = call(c, "profile.get", json!({}));
    p["statement_days"] = json!(3);
    call(c, "profile.update", p);
    let ins = InsuredBuilder::new().create(c);
    // A person fined ≥ 5,000 is offered a hearing (行政处罚法 art. 63; profile threshold).
    let case = CaseBuilder::administrative(&o, Insured(ins))
        .with(json!({"track": "Administrative"}))
        .source("Inspection")
        .summary("重复享受待遇")
        .filed("2026-04-01")
        .finding("重复报销", "条例第四十一条", "6000")
        .evidence("书证", "报销单据", "2026-04-02")
        .line(json!({"fund": "ResidentBasic", "year_kind": "CurrentYear", "category": "Inpatient", "amount_due": "6000"}))
        .notified_with(
            "2026-04-02",
            json!({"document_number": "告2", "proposed_fine": "12000"}),
        );
    let (case_id, d) = (case.id, &case.detail);
    assert_eq!(d["notification"]["hearing_offered"], true);
    assert_eq!(d["notification"]["statement_days"], 3);
    let sid = d["notification"]["service_id"].clone();
    // Public notice: served 30 days after publication (民事诉讼法 art. 95), rolled to a working day.
    let e = refuse(
        c,
        "case.serve",
        json!({"service_id": sid, "method": "公告送达"}),
    );
    assert_eq!(e.field.as_deref(), Some("published_on"));
    let d = call(
        c,
        "case.serve",
        json!({"service_id": sid, "method": "公告送达", "published_on": "2026-04-03"}),
    );
    // 2026-04-03 + 30 days = 2026-05-03, inside the May Day holiday (05-01..05) → 2026-05-06.
    assert_eq!(d["services"][0]["served_on"], "2026-05-06");
    // 3 working days from 05-06: 05-07, 05-08, 05-09 (make-up Saturday).
    assert_eq!(d["requirements"]["statement_due"], "2026-05-09");
    // The hearing request window keeps its own 5 working days (行政处罚法 art. 64): 05-07, 08, 09,
    // 11, 12.
    assert_eq!(d["requirements"]["hearing_request_due"], "2026-05-12");
    let e = refuse(
        c,
        "case.statement",
        json!({"case_id": case_id, "kind": "Statement", "on": "2026-05-11", "summary": "迟到的申辩"}),
    );
    assert_eq!(e.code, ErrorCode::IllegalStep);
    assert!(e.message.contains("视为放弃"));
    // The hearing may still be requested until 05-12.
    call(
        c,
        "case.request_hearing",
        json!({"case_id": case_id, "on": "2026-05-12"}),
    );
    let d = call(c, "case.get", json!({"id": case_id, "today": "2026-05-12"}));
    assert_eq!(d["requirements"]["hearing_requested"], true);
    assert!(d["next_steps"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s.as_str().unwrap().contains("组织听证")));
}

// ---------------------------------------------------------------------------------------------
// Leads

#[test]
fn lead_check_clock_extension_once_and_outcomes() {
    let c = core();
    let a = user(&c, "a", json!(["Approver"]));
    let h = user(&c, "h", json!(["Handler"]));
    // Every source the seeds name is accepted, in Chinese too.
    for s in [
        "监督检查",
        "举报",
        "上级交办",
        "部门移交",
        "大数据筛查",
        "经办机构报告",
        "外部监督",
        "媒体曝光",
        "其他",
    ] {
        call(
            &c,
            "lead.create",
            json!({"source": s, "received_on": "2026-06-01", "summary": format!("{s}线索")}),
        );
    }
    let e = refuse(
        &c,
        "lead.create",
        json!({"source": "道听途说", "received_on": "2026-06-01", "summary": "x"}),
    );
    assert_eq!(e.field.as_deref(), Some("source"));
    let e = refuse(
        &c,
        "lead.create",
        json!({"source": "Report", "summary": "x"}),
    );
    assert_eq!(e.field.as_deref(), Some("received_on"));
    let page = call(&c, "lead.list", json!({"query": "大数据", "limit": 5}));
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["source"], "DataScreening");
    assert_eq!(
        call(&c, "lead.list", json!({"limit": 4}))["items"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    assert_eq!(call(&c, "lead.list", json!({}))["total"], 9);

    let lead = call(
        &c,
        "lead.create",
        json!({"source": "Report", "received_on": "2026-09-14", "summary": "举报某药店刷卡套现", "handler_id": h}),
    );
    let lid = lead["id"].clone();
    // Newest received first by default; oldest first when asked (the 收到日期 column's sort).
    let first = |q: Value| call(&c, "lead.list", q)["items"][0]["id"].clone();
    assert_eq!(first(json!({})), lid);
    assert_ne!(first(json!({"oldest_first": true})), lid);
    assert_eq!(
        call(&c, "lead.list", json!({"oldest_first": true}))["items"][9]["id"],
        lid
    );
    // 2026-09-14 + 15 working days: 09-20 (Sunday) works, 09-25..27 off, 10-01..07 off →
    // 15,16,17,18,20,21,22,23,24,28,29,30,10-08,09,10 → 2026-10-10 (make-up Saturday).
    assert_eq!(lead["check_due"], "2026-10-10");
    let items = call(&c, "clock.list", json!({"today": "2026-10-12"}))["items"].clone();
    let k = items
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["lead_id"] == lid)
        .unwrap();
    assert_eq!(k["state"], "Overdue");
    assert_eq!(k["working_days_left"], -1);
    // The extension must come before the period ends, with an approver and a reason.
    let e = refuse(
        &c,
        "lead.extend",
        json!({"id": lid, "on": "2026-10-12", "approver_id": a, "reason": "需调取数据"}),
    );
    assert_eq!(e.code, ErrorCode::IllegalStep);
    let e = refuse(
        &c,
        "lead.extend",
        json!({"id": lid, "on": "2026-10-09", "approver_id": h, "reason": "需调取数据"}),
    );
    assert_eq!(e.field.as_deref(), Some("approver_id"));
    let l = call(
        &c,
        "lead.extend",
        json!({"id": lid, "on": "2026-10-09", "approver_id": a, "reason": "需调取结算数据"}),
    );
    // +15 working days from 2026-09-14 in total 30: 10-12 .. → 2026-10-30.
    assert_eq!(l["check_due"], "2026-10-30");
    let e = refuse(
        &c,
        "lead.extend",
        json!({"id": lid, "on": "2026-10-12", "approver_id": a, "reason": "再延"}),
    );
    assert!(
        e.message.contains("只能") || e.message.contains("延长过一次"),
        "{}",
        e.message
    );
    let items = call(&c, "clock.list", json!({"today": "2026-10-12"}))["items"].clone();
    let k = items
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["lead_id"] == lid)
        .unwrap();
    assert_eq!(k["state"], "Running");
    assert_eq!(k["label"], "线索核查（已延长）");
    // Referral needs the receiving body.
    let e = refuse(
        &c,
        "lead.conclude",
        json!({"id": lid, "outcome": "移送", "on": "2026-10-20", "note": "涉嫌诈骗"}),
    );
    assert_eq!(e.field.as_deref(), Some("referred_to"));
    let l = call(
        &c,
        "lead.conclude",
        json!({"id": lid, "outcome": "Refer", "on": "2026-10-20", "note": "涉嫌诈骗", "referred_to": "区公安分局"}),
    );
    assert_eq!(l["status"], "Referred");
    let e = refuse(
        &c,
        "lead.conclude",
        json!({"id": lid, "outcome": "NoCase", "note": "x"}),
    );
    assert_eq!(e.code, ErrorCode::IllegalStep);
    // A referred lead can no longer become a case.
    let e = refuse(
        &c,
        "case.create",
        json!({"track": "Agreement", "lead_id": lid, "summary": "x", "handler_id": h, "filed_on": "2026-10-21", "institution_id": 1}),
    );
    assert!(e.message.contains("已办结"), "{}", e.message);
    let items = call(&c, "clock.list", json!({"today": "2026-10-21"}))["items"].clone();
    assert!(items
        .as_array()
        .unwrap()
        .iter()
        .all(|k| k["lead_id"] != lid));
}

// ---------------------------------------------------------------------------------------------
// Evidence holds and the decision clock

#[test]
fn evidence_holds_and_the_decision_extension_are_clocks() {
    let o = office(&[
        (Post::Handler, "h", "Handler"),
        (Post::CoHandler, "h2", "Handler"),
        (Post::Approver, "a", "Approver"),
        (Post::Reviewer, "r", "Reviewer"),
    ]);
    let (c, h, a) = (&o.core, o.handler, o.approver);
    let inst = InstitutionBuilder::new("H12010100001", "和平区某医院")
        .with(json!({"kind": "医疗机构", "address": "", "legal_rep": "", "contact": ""}))
        .create(c);
    let case = CaseBuilder::administrative(&o, inst)
        .with(json!({"track": "Administrative"}))
        .source("Inspection")
        .summary("虚构医药服务项目")
        .filed("2026-09-01");
    let (case_id, d) = (case.id, &case.detail);
    assert_eq!(d["case"]["repeat_offence"], false);
    // 先行登记保存: decide within 7 working days (001 art. 36; 行政处罚法 art. 85).
    let reg = call(
        c,
        "evidence.hold",
        json!({"case_id": case_id, "kind": "先行登记保存", "items": "处方笺30张", "started_on": "2026-09-22", "approver_id": a}),
    );
    // 09-23, 24, 28, 29, 30, 10-08, 10-09 (中秋 and National Day off).
    assert_eq!(reg["due_on"], "2026-10-09");
    // 封存: 30 days (001 art. 36): 2026-09-22 + 30 = 2026-10-22.
    let seal = call(
        c,
        "evidence.hold",
        json!({"case_id": case_id, "kind": "Sealing", "items": "收费系统服务器", "started_on": "2026-09-22", "approver_id": a}),
    );
    assert_eq!(seal["due_on"], "2026-10-22");
    // Their papers, each with its list, dated the day the hold started (001 art. 36(二): handed
    // over on the spot with the list; 行政强制法 art. 24: period and the ways to appeal).
    let paper = |kind: &str| {
        pdf_text(&pdf_of(&call(
            c,
            "document.preview",
            json!({"case_id": case_id, "kind": kind}),
        )))
    };
    let text = paper("SealingDecision");
    for part in [
        "封存决定书",
        "收费系统服务器",
        "决定自2026年9月22日起予以封存，封存期限至2026年10月22日",
        "共1项，清单如下",
        "六十日内依法申请行政复议",
        "当事人（签名或者盖章）",
    ] {
        assert!(text.contains(part), "{part} in {text}");
    }
    let text = paper("RegistrationNotice");
    for part in [
        "先行登记保存通知书",
        "处方笺30张",
        "《中华人民共和国行政处罚法》第五十六条",
        "将于2026年10月9日前依法作出处理决定",
    ] {
        assert!(text.contains(part), "{part} in {text}");
    }
    // Issued on another day than the hold's: refused, naming the date (the paper records the step).
    let e = field(
        c,
        "document.issue",
        json!({"case_id": case_id, "kind": "SealingDecision", "issued_on": "2026-09-23"}),
        "issued_on",
    );
    assert!(
        e.message.contains("封存日期为2026年9月22日"),
        "{}",
        e.message
    );
    let e = refuse(
        c,
        "evidence.extend_hold",
        json!({"id": reg["id"], "on": "2026-09-25", "approver_id": a}),
    );
    assert_eq!(e.code, ErrorCode::IllegalStep);
    // Not extended yet: no extension paper.
    assert!(refuse(
        c,
        "document.preview",
        json!({"case_id": case_id, "kind": "SealingExtensionNotice"})
    )
    .message
    .contains("没有延长的封存措施"));
    // 行政强制法 art. 25: the extension is told in writing with its reason — no reason, refused.
    field(
        c,
        "evidence.extend_hold",
        json!({"id": seal["id"], "on": "2026-10-20", "approver_id": a}),
        "reason",
    );
    let seal = call(
        c,
        "evidence.extend_hold",
        json!({"id": seal["id"], "on": "2026-10-20", "approver_id": a,
               "reason": "服务器内数据量大，需会同信息部门逐条导出核对"}),
    );
    // +30: 2026-11-21 is a Saturday → Monday 2026-11-23.
    assert_eq!(seal["due_on"], "2026-11-23");
    assert_eq!(seal["extended_on"], "2026-10-20");
    assert_eq!(seal["due_before_extension"], "2026-10-22");
    refuse(
        c,
        "evidence.extend_hold",
        json!({"id": seal["id"], "on": "2026-10-21", "approver_id": a, "reason": "再延"}),
    );
    // The 延长封存期限通知书 says why, from when to when, and is dated the day it was decided.
    let text = paper("SealingExtensionNotice");
    for part in [
        "延长封存期限通知书",
        "封存期限至2026年10月22日",
        "因服务器内数据量大，需会同信息部门逐条导出核对，情况复杂",
        "决定将封存期限延长至2026年11月23日",
        "收费系统服务器",
        "六十日内依法申请行政复议",
        "2026年10月20日",
    ] {
        assert!(text.contains(part), "{part} in {text}");
    }
    let e = field(
        c,
        "document.issue",
        json!({"case_id": case_id, "kind": "SealingExtensionNotice", "issued_on": "2026-10-22"}),
        "issued_on",
    );
    assert!(
        e.message.contains("延长决定日期为2026年10月20日"),
        "{}",
        e.message
    );
    let items = call(c, "clock.list", json!({"today": "2026-10-12", "within": 5}))["items"].clone();
    let items = items.as_array().unwrap();
    let reg_clock = items
        .iter()
        .find(|k| k["kind"] == "EvidenceRegistration")
        .unwrap();
    assert_eq!(reg_clock["state"], "Overdue");
    assert_eq!(reg_clock["reference"], d["case"]["case_number"]);
    assert_eq!(reg_clock["party"], "和平区某医院");
    assert_eq!(
        items.iter().find(|k| k["kind"] == "Sealing").unwrap()["state"],
        "Running"
    );
    // Sorted by due date.
    let dues: Vec<&str> = items
        .iter()
        .map(|k| k["due_on"].as_str().unwrap())
        .collect();
    let mut sorted = dues.clone();
    sorted.sort();
    assert_eq!(dues, sorted);
    // Only overdue clocks, on request.
    let over = call(
        c,
        "clock.list",
        json!({"today": "2026-10-12", "state": "Overdue"}),
    )["items"]
        .clone();
    assert_eq!(over.as_array().unwrap().len(), 1);
    // The notice waits for the registration decision.
    case.finding("虚构项目", "条例第四十条", "3000")
        .evidence("物证", "处方笺", "2026-09-22")
        .line(json!({"fund": "EmployeeBasic", "year_kind": "PriorYears", "amount_due": "3000"}));
    let notify = json!({"case_id": case_id, "issued_on": "2026-10-13", "document_number": "告3",
                        "signoff": o.signoff()});
    let e = refuse(c, "case.notify", notify.clone());
    assert!(e.message.contains("先行登记保存"), "{}", e.message);
    call(
        c,
        "evidence.release_hold",
        json!({"id": reg["id"], "on": "2026-10-12", "outcome": "转为证据"}),
    );
    call(c, "case.notify", notify);

    // Decision clock: 2026-09-01 + 90 days = 2026-11-30; extended once by 30 with approval.
    let k = call(
        c,
        "clock.list",
        json!({"today": "2026-11-25", "case_id": case_id}),
    )["items"]
        .clone();
    let dk = k
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == "Decision")
        .unwrap()
        .clone();
    assert_eq!(dk["due_on"], "2026-11-30");
    assert_eq!(dk["state"], "DueSoon");
    assert_eq!(dk["basis"], "行政处罚法第六十条");
    let e = refuse(
        c,
        "case.extend_decision",
        json!({"case_id": case_id, "on": "2026-11-26", "approver_id": h, "reason": "案情复杂"}),
    );
    assert_eq!(e.field.as_deref(), Some("approver_id"));
    let d = call(
        c,
        "case.extend_decision",
        json!({"case_id": case_id, "on": "2026-11-26", "approver_id": a, "reason": "案情复杂"}),
    );
    assert_eq!(d["case"]["decision_due"], "2026-12-30");
    assert_eq!(d["case"]["decision_extended"], true);
    let e = refuse(
        c,
        "case.extend_decision",
        json!({"case_id": case_id, "on": "2026-11-27", "approver_id": a, "reason": "再延"}),
    );
    assert_eq!(e.code, ErrorCode::IllegalStep);
    // Dropping needs an approver and closes the clocks (once the holds are dealt with).
    let e = refuse(
        c,
        "case.drop",
        json!({"case_id": case_id, "on": "2026-11-27", "note": "证据不足", "actor_id": a}),
    );
    assert!(e.message.contains("收费系统服务器"), "{}", e.message);
    call(
        c,
        "evidence.release_hold",
        json!({"id": seal["id"], "on": "2026-11-27", "outcome": "解除封存"}),
    );
    let d = call(
        c,
        "case.drop",
        json!({"case_id": case_id, "on": "2026-11-27", "note": "证据不足", "actor_id": a}),
    );
    assert_eq!(d["case"]["status"], "Dropped");
    assert!(
        call(c, "clock.list", json!({"today": "2026-11-27"}))["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // The list filters and searches.
    assert_eq!(
        call(c, "case.list", json!({"query": "和平区某"}))["total"],
        1
    );
    assert_eq!(call(c, "case.list", json!({"open_only": true}))["total"], 0);
    assert_eq!(
        call(
            c,
            "case.list",
            json!({"status": "Dropped", "track": "行政执法"})
        )["total"],
        1
    );
    assert_eq!(call(c, "audit.verify", json!({}))["ok"], true);
}

#[test]
fn a_second_case_within_a_year_of_a_decision_is_flagged_as_repeat() {
    // 001 art. 42(二): 一年内实施两次以上同一性质违法行为 → heavier penalty. Set from decided cases.
    let o = office(&[(Post::Handler, "h", "Handler")]);
    let (c, h) = (&o.core, o.handler);
    let inst = InstitutionBuilder::new("H12010100002", "和平区某药店")
        .with(json!({"kind": "零售药店", "address": "", "legal_rep": "", "contact": ""}))
        .create(c);
    c.store()
        .write("test", "seed", |tx| {
            tx.execute(
                "INSERT INTO case_file (id, uid, case_number, track, party_kind, institution_id, source, summary, handler_id,
                    status, filed_on, decision_days, created_at, updated_at)
                 VALUES (100, 'x-C100', 'AJ2025-0100', 'Agreement', 'Institution', ?1, 'Other', '旧案', ?2, 'Closed',
                    '2025-10-01', 90, 't', 't')",
                rusqlite::params![inst, h],
            )?;
            tx.execute(
                "INSERT INTO decision (id, case_id, kind, document_number, decided_on, recovery_total_fen, liquidated_damages_fen,
                    handler_id, reviewer_id, approver_id, created_at)
                 VALUES (100, 100, 'AgreementDecision', '旧决', '2025-12-01', 0, 0, ?1, ?1, ?1, 't')",
                [h],
            )?;
            tx.touch("case_file", 100);
            tx.touch("decision", 100);
            Ok(())
        })
        .unwrap();
    let new_case = |filed: &str| {
        CaseBuilder::agreement(&o, inst)
            .with(json!({"track": "Agreement"}))
            .source("协议管理")
            .summary("再犯")
            .filed(filed)
            .detail["case"]
            .clone()
    };
    assert_eq!(new_case("2026-11-30")["repeat_offence"], true);
    assert_eq!(new_case("2026-12-02")["repeat_offence"], false);
    // The voluntary-return flag (001 art. 41) is set by the handler.
    let k = new_case("2026-12-03");
    let d = call(
        c,
        "case.update",
        json!({"id": k["id"], "voluntary_return": true}),
    );
    assert_eq!(d["case"]["voluntary_return"], true);
}

// ---------------------------------------------------------------------------------------------
// The CLI host

#[test]
fn the_case_commands_work_through_recoup_call() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let run = |cmd: &str, payload: Value| {
        let out = crate::common::cli(&db)
            .args(["call", cmd, &payload.to_string()])
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        (out.status.code(), v)
    };
    crate::common::cli_init(&db, "120101", "和平区医疗保障局");
    // Without a login only the public commands run.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_recoup"))
        .arg("--db")
        .arg(&db)
        .args(["call", "lead.list", "{}"])
        .env_remove("RECOUP_USER")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let e: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(e["code"], "NOT_LOGGED_IN");
    assert_eq!(e["message"], "请先登录");
    let (code, u) = run(
        "user.create",
        json!({"username": "zhang", "display_name": "张三", "roles": ["承办人"], "password": "passw0rd"}),
    );
    assert_eq!(code, Some(0));
    let (code, lead) = run(
        "lead.create",
        json!({"source": "大数据筛查", "received_on": "2026-11-02", "summary": "住院天数异常", "handler_id": u["id"]}),
    );
    assert_eq!(code, Some(0));
    assert_eq!(lead["check_due"], "2026-11-23");
    let (_, clocks) = run("clock.list", json!({"today": "2026-11-20"}));
    assert_eq!(clocks["items"][0]["kind"], "LeadCheck");
    assert_eq!(clocks["items"][0]["state"], "DueSoon");
    // A refusal: exit code 1, the error JSON with its stable code and Chinese message.
    let (code, e) = run(
        "lead.conclude",
        json!({"id": lead["id"], "outcome": "不予立案"}),
    );
    assert_eq!(code, Some(1));
    assert_eq!(e["code"], "VALIDATION");
    assert_eq!(e["field"], "note");
    assert!(e["message"].as_str().unwrap().contains("不予立案理由"));
    let (code, e) = run(
        "lead.extend",
        json!({"id": lead["id"], "on": "2026-11-24", "approver_id": u["id"], "reason": "x"}),
    );
    assert_eq!(code, Some(1));
    assert_eq!(e["code"], "ILLEGAL_STEP");
}
