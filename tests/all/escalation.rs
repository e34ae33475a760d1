//! Matters a county sends up to the city and the city's answers (issue 11, "Matters the county must
//! send up"): seed 002 二(三)三 (暂停协议, 解除协议, 行政处罚 → the city's 重大案件集体审议; 约谈整改,
//! 通报批评, 暂停拨付, 拒付 → 备案) and seed 001 art. 21 ¶2 (a termination is agreed by the city
//! before it is carried out). A county and its city in two databases, the files passed between
//! them as bytes, as in `exchange.rs`.

use std::path::Path;

use recoup::api::Core;
use recoup::error::ErrorCode;
use serde_json::{json, Value};

use crate::common::*;

// A county of 济南 with the 济南 preset: its rule set cites the city's document for the rule.
const COUNTY: &str = "370102";
const CITY: &str = "370100";

fn county_at(db: &Path) -> Office {
    OfficeBuilder::new(COUNTY, "历下区医疗保障局")
        .preset("Jinan")
        .init(Core::open(db).unwrap())
}

fn city_at(db: &Path) -> Office {
    OfficeBuilder::new(CITY, "市医疗保障局")
        .level(Some("city"))
        .init(Core::open(db).unwrap())
}

fn pair(county: &Core, city: &Core) {
    pair_as(county, COUNTY, "历下区医疗保障局", city);
}

/// Export what the city has not acknowledged and import it there; the acknowledgement's bytes.
fn send_up(county: &Core, city: &Core) -> Vec<u8> {
    let f = call(county, "exchange.export", json!({}));
    let r = call(city, "exchange.import", payload(&b64(&f)));
    b64(&r["ack"])
}

/// An agreement case heading for `measure` (解除协议 / 中止协议 / 约谈), notified, served, waived,
/// reviewed collectively and legally: ready for the decision but for the city.
fn ready_case(o: &Office, inst: i64, measure: &str) -> i64 {
    ready_case_with(o, inst, json!([{ "kind": measure }]))
}

fn ready_case_with(o: &Office, inst: i64, proposed: Value) -> i64 {
    let case = CaseBuilder::agreement(o, inst)
        .filed("2026-03-02")
        .finding("分解住院", "服务协议第二十条", "0")
        .evidence("电子数据", "结算数据导出", "2026-03-02")
        .line(json!({"fund": "EmployeeBasic", "year_kind": "PriorYears", "amount_due": "8000"}))
        .notified_with("2026-03-03", json!({ "proposed_measures": proposed }))
        .served("2026-03-03")
        .waived_with("2026-03-03", json!({"kind": "Waiver", "summary": null}))
        .collectively_reviewed("2026-03-10", "同意", "记录-1")
        .legal_reviewed("2026-03-10");
    case.id
}

fn decision(o: &Office, case_id: i64, n: u32, measure: &str) -> Value {
    json!({"case_id": case_id, "decided_on": "2026-03-25", "kind": "AgreementDecision",
           "document_number": format!("历医保协决〔2026〕{n}号"), "payment_due": "2026-04-30",
           "measures": [{ "kind": measure }], "signoff": o.signoff()})
}

fn ask(c: &Core, case_id: i64, matters: Value) -> Value {
    call(
        c,
        "escalation.create",
        json!({"case_id": case_id, "matters": matters, "asked": "拟解除与该院的服务协议，请予审议",
               "asked_on": "2026-03-11"}),
    )
}

#[test]
fn a_termination_waits_for_the_city_approval_which_comes_down_with_the_acknowledgement() {
    let dir = tempfile::tempdir().unwrap();
    let county = county_at(&dir.path().join("county.db"));
    let city = city_at(&dir.path().join("city.db"));
    let (cc, ci) = (&county.core, &city.core);
    pair(cc, ci);
    let inst = county.institution("H37010200001", "历下区某医院");
    let case_id = ready_case(&county, inst, "解除协议");

    // Before any request: the decision is refused, naming the matter and citing the office's rule
    // set (the 济南 preset: seed 002 二(三)), never another region's document.
    let e = illegal(
        cc,
        "case.decide",
        decision(&county, case_id, 1, "AgreementTermination"),
        "解除服务协议须报市级医保部门重大案件集体审议",
    );
    assert!(e.message.contains("济医保字〔2020〕1号"), "{}", e.message);
    assert!(e.message.contains("报市局"), "{}", e.message);

    // The case page says so among its next steps, before the decision.
    let steps = call(cc, "case.get", json!({ "id": case_id }))["next_steps"].clone();
    let steps: Vec<String> = serde_json::from_value(steps).unwrap();
    let hint = steps
        .iter()
        .position(|s| s.contains("须报市级医保部门重大案件集体审议"))
        .expect("the city's approval among the next steps");
    assert!(steps[hint + 1].starts_with("作出处理决定"), "{steps:?}");

    // The request: 审批 (termination), audited.
    let before = audit_entries(cc);
    let r = ask(cc, case_id, json!(["解除协议"]));
    assert_eq!(audit_entries(cc), before + 1);
    let q = &r["requests"][0];
    assert_eq!(q["kind"], json!("Approval"));
    assert_eq!(q["status"], json!("待市局答复"));
    assert_eq!(r["applies"], json!(true));
    // Pending: refused, saying the answer is awaited.
    illegal(
        cc,
        "case.decide",
        decision(&county, case_id, 1, "AgreementTermination"),
        "尚未收到市局的答复",
    );

    // Up with the next bundle; the city lists it as 待审批.
    let ack = send_up(cc, ci);
    let pending = call(ci, "escalation.pending", json!({}));
    let pending = pending.as_array().unwrap();
    assert_eq!(pending.len(), 1);
    let p = &pending[0];
    assert_eq!(p["origin"], json!(COUNTY));
    assert_eq!(p["county"], json!("历下区医疗保障局"));
    assert_eq!(p["party"], json!("历下区某医院"));
    assert_eq!(p["party_code"], json!("H37010200001"));
    assert_eq!(p["matters"], json!(["AgreementTermination"]));
    assert_eq!(p["amount"], json!("8000.00"));
    assert_eq!(p["status"], json!("待审批"));
    let uid = p["uid"].as_str().unwrap().to_string();
    assert_eq!(uid, format!("{COUNTY}-Q1"));
    // The acknowledgement of that bundle carries no answer yet: the decision still waits.
    call(cc, "exchange.import", payload(&ack));
    illegal(
        cc,
        "case.decide",
        decision(&county, case_id, 1, "AgreementTermination"),
        "尚未收到市局的答复",
    );

    // The city approves (audited at the city); the acknowledgement it returns carries the answer.
    let before_city = audit_entries(ci);
    let given = call(
        ci,
        "escalation.answer",
        json!({"request_uid": uid, "outcome": "批准", "document_number": "济医保审〔2026〕3号",
               "answered_on": "2026-03-20", "note": "经市局集体审议同意"}),
    );
    assert_eq!(audit_entries(ci), before_city + 1);
    assert_eq!(given["request"]["status"], json!("已批准（待县局收到）"));
    assert!(call(ci, "escalation.pending", json!({}))
        .as_array()
        .unwrap()
        .is_empty());
    let answer_ack = b64(&given["ack"]);

    // A tampered acknowledgement is refused and changes nothing.
    let mut bad = answer_ack.clone();
    // Encrypted to the county (it carries the city's answer): the number is not readable on the stick.
    let needle = "济医保审〔2026〕3号".as_bytes();
    assert!(!answer_ack.windows(needle.len()).any(|w| w == needle));
    let at = bad.len() / 2;
    bad[at] ^= 1;
    let e = refuse(cc, "exchange.import", payload(&bad));
    assert!(
        e.message.contains("签名") || e.message.contains("损坏"),
        "{}",
        e.message
    );

    // Imported at the county: the answer is recorded (an audit entry), once.
    let before = audit_entries(cc);
    let out = call(cc, "exchange.import", payload(&answer_ack));
    assert_eq!(out["applied"], json!(1));
    assert!(out["summary"].as_str().unwrap().contains("答复1件"));
    assert_eq!(audit_entries(cc), before + 1);
    let again = call(cc, "exchange.import", payload(&answer_ack));
    assert_eq!(again["applied"], json!(0));
    assert_eq!(
        audit_entries(cc),
        before + 1,
        "the same answer applies once"
    );
    let l = call(cc, "escalation.list", json!({"case_id": case_id}));
    let a = &l["requests"][0]["answers"][0];
    assert_eq!(a["outcome"], json!("Approved"));
    assert_eq!(a["source"], json!("Exchange"));
    assert_eq!(a["document_number"], json!("济医保审〔2026〕3号"));
    assert_eq!(l["approved"], json!(["AgreementTermination"]));

    // Now the decision goes through (and the next steps no longer ask for the city).
    let steps = call(cc, "case.get", json!({ "id": case_id }))["next_steps"].to_string();
    assert!(!steps.contains("市级医保部门"), "{steps}");
    let d = call(
        cc,
        "case.decide",
        decision(&county, case_id, 1, "AgreementTermination"),
    );
    assert_eq!(d["case"]["status"], json!("Decided"));

    // The county's receipt of the answer goes up in the next bundle; the city sees it.
    send_up(cc, ci);
    let all = call(ci, "escalation.pending", json!({"all": true}));
    assert_eq!(all[0]["status"], json!("已批准（县局已收到）"));
}

#[test]
fn a_refusal_blocks_the_decision_with_the_city_reason() {
    let dir = tempfile::tempdir().unwrap();
    let county = county_at(&dir.path().join("county.db"));
    let city = city_at(&dir.path().join("city.db"));
    let (cc, ci) = (&county.core, &city.core);
    pair(cc, ci);
    let inst = county.institution("H37010200002", "历下区某诊所");
    let case_id = ready_case_with(
        &county,
        inst,
        json!([{ "kind": "解除协议" }, { "kind": "约谈" }]),
    );
    ask(cc, case_id, json!(["AgreementTermination"]));
    send_up(cc, ci);
    let uid = call(ci, "escalation.pending", json!({"code": COUNTY}))[0]["uid"].clone();

    // A refusal needs its reason; the answer must not predate the request.
    field(
        ci,
        "escalation.answer",
        json!({"request_uid": uid, "outcome": "不予批准", "document_number": "济医保审〔2026〕4号",
               "answered_on": "2026-03-20"}),
        "note",
    );
    field(
        ci,
        "escalation.answer",
        json!({"request_uid": uid, "outcome": "不予批准", "document_number": "济医保审〔2026〕4号",
               "answered_on": "2026-03-01", "note": "x"}),
        "answered_on",
    );
    let given = call(
        ci,
        "escalation.answer",
        json!({"request_uid": uid, "outcome": "不予批准", "document_number": "济医保审〔2026〕4号",
               "answered_on": "2026-03-20", "note": "违约情节较轻，不宜解除协议"}),
    );
    call(cc, "exchange.import", payload(&b64(&given["ack"])));
    let e = illegal(
        cc,
        "case.decide",
        decision(&county, case_id, 1, "AgreementTermination"),
        "不予批准",
    );
    assert!(
        e.message.contains("违约情节较轻，不宜解除协议"),
        "{}",
        e.message
    );
    assert!(e.message.contains("济医保审〔2026〕4号"), "{}", e.message);
    let l = call(cc, "escalation.list", json!({"case_id": case_id}));
    assert_eq!(l["requests"][0]["status"], json!("市局不予批准"));
    // A decision without the refused matter is the county's own (备案 matters need no answer).
    let d = call(cc, "case.decide", decision(&county, case_id, 2, "约谈"));
    assert_eq!(d["case"]["status"], json!("Decided"));
}

#[test]
fn an_answer_on_paper_while_offline_is_entered_by_hand_with_its_number() {
    let dir = tempfile::tempdir().unwrap();
    let county = county_at(&dir.path().join("county.db"));
    let city = city_at(&dir.path().join("city.db"));
    let (cc, ci) = (&county.core, &city.core);
    pair(cc, ci);
    let inst = county.institution("H37010200003", "历下区某药店");
    let case_id = ready_case_with(&county, inst, json!([{ "kind": "中止协议", "months": 1 }]));
    let r = ask(cc, case_id, json!(["中止协议", "约谈"]));
    let req = r["requests"][0]["id"].clone();
    assert_eq!(r["requests"][0]["kind"], json!("Approval"));
    illegal(
        cc,
        "case.decide",
        decision(&county, case_id, 1, "AgreementSuspension"),
        "尚未收到市局的答复",
    );

    // The city's paper: changed — a suspension of 1 month approved instead. Its number is required.
    field(
        cc,
        "escalation.record_answer",
        json!({"request_id": req, "outcome": "变更", "answered_on": "2026-03-20",
               "note": "改为中止协议1个月", "matters": ["中止协议"]}),
        "document_number",
    );
    let before = audit_entries(cc);
    let l = call(
        cc,
        "escalation.record_answer",
        json!({"request_id": req, "outcome": "变更", "document_number": "济医保审〔2026〕5号",
               "answered_on": "2026-03-20", "note": "改为中止协议1个月", "matters": ["中止协议"]}),
    );
    assert_eq!(audit_entries(cc), before + 1, "the hand entry is audited");
    let a = &l["requests"][0]["answers"][0];
    assert_eq!(a["source"], json!("Paper"));
    assert_eq!(a["entered_by"], json!("系统管理员"));
    assert_eq!(l["requests"][0]["status"], json!("市局已变更"));
    // A termination was not approved by the change; the suspension is.
    illegal(
        cc,
        "case.decide",
        decision(&county, case_id, 1, "AgreementTermination"),
        "须报市级医保部门",
    );
    let d = call(
        cc,
        "case.decide",
        json!({"case_id": case_id, "decided_on": "2026-03-25", "kind": "AgreementDecision",
               "document_number": "历医保协决〔2026〕1号", "payment_due": "2026-04-30",
               "measures": [{ "kind": "AgreementSuspension", "months": 1 }], "signoff": county.signoff()}),
    );
    assert_eq!(d["case"]["status"], json!("Decided"));
    // The hand entry travels up like any entry; the city holds the request (answered on paper).
    send_up(cc, ci);
    let all = call(ci, "escalation.pending", json!({"all": true}));
    assert_eq!(all.as_array().unwrap().len(), 1);
    assert_eq!(all[0]["status"], json!("待审批"));
}

#[test]
fn record_matters_need_no_answer_and_escalated_parties_go_up_unmasked() {
    let dir = tempfile::tempdir().unwrap();
    let county = county_at(&dir.path().join("county.db"));
    let city = city_at(&dir.path().join("city.db"));
    let (cc, ci) = (&county.core, &city.core);
    pair(cc, ci);

    // 备案 (约谈整改, 通报批评): kind Record, no answer needed; the city cannot answer it.
    let inst = county.institution("H37010200004", "历下区某门诊部");
    let case_id = ready_case(&county, inst, "约谈");
    let r = ask(cc, case_id, json!(["约谈", "通报批评"]));
    assert_eq!(r["requests"][0]["kind"], json!("Record"));
    assert_eq!(r["requests"][0]["status"], json!("已报备案"));
    illegal(
        cc,
        "escalation.record_answer",
        json!({"request_id": r["requests"][0]["id"], "outcome": "批准", "document_number": "x",
               "answered_on": "2026-03-20"}),
        "无需市局答复",
    );

    // An insured person's matter escalated: their 身份证号 and phone go up unmasked (issue 11:
    // "except in matters escalated to or assigned by the city"); others stay masked.
    let escalated = InsuredBuilder::new().phone("13812345678").create(cc);
    let other = InsuredBuilder::new()
        .with(json!({"id_number": "110105194912310038", "name": "李某"}))
        .phone("13900001111")
        .create(cc);
    let _ = other;
    let case = CaseBuilder::administrative(&county, Insured(escalated)).filed("2026-03-02");
    call(
        cc,
        "escalation.create",
        json!({"case_id": case.id, "matters": ["行政处罚"], "asked": "拟对参保人处以罚款",
               "asked_on": "2026-03-05"}),
    );
    send_up(cc, ci);
    let replica = ci
        .store()
        .read(|c| recoup::exchange::replica_entries(c, COUNTY, 0))
        .unwrap();
    let text: String = replica.iter().map(|e| e.changes.as_str()).collect();
    assert!(text.contains("11010519491231002X"), "the escalated party");
    assert!(text.contains("13812345678"));
    assert!(
        !text.contains("110105194912310038"),
        "another person stays masked"
    );
    assert!(!text.contains("13900001111"));
    let p = call(ci, "escalation.pending", json!({}));
    assert_eq!(p[0]["party_code"], json!("11010519491231002X"));
    assert_eq!(p[0]["matters"], json!(["AdministrativePenalty"]));
    // The city's office cannot ask, a county cannot answer.
    illegal(
        ci,
        "escalation.create",
        json!({"case_id": 1, "matters": ["解除协议"], "asked": "x", "asked_on": "2026-03-05"}),
        "县级单位",
    );
    illegal(
        cc,
        "escalation.answer",
        json!({"request_uid": "x", "outcome": "批准", "document_number": "x",
               "answered_on": "2026-03-20"}),
        "市级单位",
    );
}

#[test]
fn an_unpaired_county_decides_alone_until_it_asks_the_city_on_paper() {
    // Not paired with a city: the rule does not apply (the county exchanges nothing) …
    let o = OfficeBuilder::new(COUNTY, "历下区医疗保障局")
        .preset("Jinan")
        .open();
    let inst = o.institution("H37010200005", "历下区某医院");
    let case_id = ready_case(&o, inst, "解除协议");
    let l = call(&o.core, "escalation.list", json!({"case_id": case_id}));
    assert_eq!(l["applies"], json!(false));
    // … until it sends the matter up on paper: then the city's answer governs.
    ask(&o.core, case_id, json!(["解除协议"]));
    illegal(
        &o.core,
        "case.decide",
        decision(&o, case_id, 1, "AgreementTermination"),
        "尚未收到市局的答复",
    );
    let req =
        call(&o.core, "escalation.list", json!({"case_id": case_id}))["requests"][0]["id"].clone();
    call(
        &o.core,
        "escalation.record_answer",
        json!({"request_id": req, "outcome": "批准", "document_number": "济医保审〔2026〕6号",
               "answered_on": "2026-03-20"}),
    );
    call(
        &o.core,
        "case.decide",
        decision(&o, case_id, 1, "AgreementTermination"),
    );
}

// ---------------------------------------------------------------------------------------------
// Leads assigned by the city (线索交办; seed 003: leads from above are checked one by one; seed 002
// 二(三)三: the progress of matters assigned from above is reported up).

fn leads(c: &Core) -> Vec<Value> {
    call(c, "lead.list", json!({"limit": 100}))["items"]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn a_lead_assigned_by_the_city_comes_down_once_with_its_due_date_and_its_outcome_goes_back_up() {
    let dir = tempfile::tempdir().unwrap();
    let county = county_at(&dir.path().join("county.db"));
    let city = city_at(&dir.path().join("city.db"));
    let (cc, ci) = (&county.core, &city.core);
    pair(cc, ci);
    let inst = county.institution("H37010200009", "历下区某医院");
    let assign = |summary: &str, due: &str| {
        json!({"county": COUNTY, "summary": summary, "institution_code": "H37010200009",
               "party": "历下区某医院", "assigned_on": "2026-03-02", "due_on": due})
    };
    // Only to a county the city has heard from (it goes down with the acknowledgement).
    illegal(
        ci,
        "assignment.create",
        assign("举报虚记住院费用", "2026-04-15"),
        "尚未收到该县级单位的数据包",
    );
    field(
        ci,
        "assignment.create",
        json!({"county": "370199", "summary": "x", "assigned_on": "2026-03-02", "due_on": "2026-04-15"}),
        "county",
    );
    let ack = send_up(cc, ci);
    call(cc, "exchange.import", payload(&ack));
    field(
        ci,
        "assignment.create",
        assign("举报虚记住院费用", "2026-03-01"),
        "due_on",
    );
    let before_city = audit_entries(ci);
    let given = call(
        ci,
        "assignment.create",
        assign("举报虚记住院费用", "2026-04-15"),
    );
    assert_eq!(
        audit_entries(ci),
        before_city + 1,
        "the assignment is audited"
    );
    assert_eq!(given["assignment"]["status"], json!("县局未接收"));
    let down = b64(&given["ack"]);

    // Encrypted to the county: what the city wrote is not readable on the stick; the preview says
    // what it brings.
    let needle = "举报虚记住院费用".as_bytes();
    assert!(!down.windows(needle.len()).any(|w| w == needle));
    let p = call(cc, "exchange.preview", payload(&down));
    assert!(
        p["summary"].as_str().unwrap().contains("交办线索1条"),
        "{p}"
    );
    // Another county (paired with the same city) cannot open it.
    let other = OfficeBuilder::new("370103", "市中区医疗保障局").open();
    let pairing = call(ci, "exchange.pairing_file", json!({}));
    call(
        &other.core,
        "exchange.pair",
        json!({ "data": pairing["data"] }),
    );
    let e = refuse(&other.core, "exchange.import", payload(&down));
    assert!(e.message.contains("不是发给本单位的"), "{}", e.message);

    // A tampered acknowledgement is refused; nothing changes.
    let mut bad = down.clone();
    let at = bad.len() / 2;
    bad[at] ^= 1;
    refuse(cc, "exchange.import", payload(&bad));
    assert!(leads(cc).is_empty());

    // Applied: a lead of the county (上级交办, the city as reporter, the city's due date, linked to
    // the institution by its 机构编码), audited; the same file again applies nothing.
    let before = audit_entries(cc);
    let out = call(cc, "exchange.import", payload(&down));
    assert_eq!(out["applied"], json!(1));
    assert!(out["summary"].as_str().unwrap().contains("交办线索1条"));
    assert_eq!(audit_entries(cc), before + 1);
    let again = call(cc, "exchange.import", payload(&down));
    assert_eq!(again["applied"], json!(0));
    assert_eq!(audit_entries(cc), before + 1, "applied once by its uid");
    let l = leads(cc);
    assert_eq!(l.len(), 1);
    let lead = &l[0];
    assert_eq!(lead["source"], json!("AssignedFromAbove"));
    assert_eq!(lead["reporter"], json!("市医疗保障局"));
    assert_eq!(lead["check_due"], json!("2026-04-15"));
    assert_eq!(lead["institution_id"], json!(inst));
    assert_eq!(lead["origin_uid"], json!(format!("{CITY}-J1")));
    let lead_id = id(lead);
    // The city's due date is read-only here: no extension by the county.
    illegal(
        cc,
        "lead.extend",
        json!({"id": lead_id, "on": "2026-03-05", "approver_id": county.approver, "reason": "情况复杂"}),
        "由市局交办",
    );
    // On the 工作台: the lead's clock runs to the city's date.
    let k = clocks(cc, "2026-04-20");
    let clock = k
        .iter()
        .find(|k| k["lead_id"] == json!(lead_id))
        .expect("the assigned lead's clock");
    assert_eq!(clock["due_on"], json!("2026-04-15"));
    assert_eq!(clock["state"], json!("Overdue"));

    // A second assignment arrives with the next acknowledgement (the first is not applied again).
    let given2 = call(
        ci,
        "assignment.create",
        assign("大数据筛查：串换药品", "2026-05-15"),
    );
    let out = call(cc, "exchange.import", payload(&b64(&given2["ack"])));
    assert_eq!(out["applied"], json!(1));
    let second = leads(cc)
        .into_iter()
        .find(|l| l["origin_uid"] == json!(format!("{CITY}-J2")))
        .unwrap();

    // Outcomes: the first filed as a case, the second not filed, with the reason.
    let case = CaseBuilder::agreement(&county, inst)
        .with(json!({ "lead_id": lead_id }))
        .filed("2026-03-10");
    let case_number = case.detail["case"]["case_number"].clone();
    call(
        cc,
        "lead.conclude",
        json!({"id": id(&second), "outcome": "不予立案", "on": "2026-03-12",
               "note": "经核查未发现串换药品"}),
    );
    // Up with the next bundle; the city sees the outcomes.
    send_up(cc, ci);
    let list = call(ci, "assignment.list", json!({"code": COUNTY}));
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    let first = list
        .iter()
        .find(|a| a["uid"] == json!(format!("{CITY}-J1")))
        .unwrap();
    assert_eq!(first["status"], json!("已立案"));
    assert_eq!(first["case_number"], case_number);
    assert_eq!(first["overdue"], json!(false));
    let second = list
        .iter()
        .find(|a| a["uid"] == json!(format!("{CITY}-J2")))
        .unwrap();
    assert_eq!(second["status"], json!("不予立案"));
    assert_eq!(second["outcome_note"], json!("经核查未发现串换药品"));
    assert!(second["lead_number"]
        .as_str()
        .unwrap()
        .starts_with("XS2026-"));

    // The city's overview of the county, from the replica: last contact, last entry, lag.
    let o = call(ci, "exchange.counties", json!({}));
    let o = &o[0];
    assert_eq!(o["code"], json!(COUNTY));
    assert_eq!(o["last_seq"], json!(audit_entries(cc)));
    assert_eq!(o["bundles"], json!(2));
    assert_eq!(o["days_since_contact"], json!(0));
    assert_eq!(o["lag_days"], json!(0));
    assert_eq!(o["open_assignments"], json!(0));
    // One more assignment, already past due: open and overdue at the city until the county acts.
    call(
        ci,
        "assignment.create",
        json!({"county": COUNTY, "summary": "媒体曝光", "assigned_on": "2026-01-05", "due_on": "2026-01-20"}),
    );
    let o = call(ci, "exchange.counties", json!({}));
    assert_eq!(
        (
            o[0]["open_assignments"].clone(),
            o[0]["overdue_assignments"].clone()
        ),
        (json!(1), json!(1))
    );
    let list = call(ci, "assignment.list", json!({}));
    assert_eq!(list[0]["status"], json!("县局未接收"));
    assert_eq!(list[0]["overdue"], json!(true));
}

#[test]
fn over_the_network_the_request_goes_up_and_the_answer_comes_down_with_the_next_sync() {
    let dir = tempfile::tempdir().unwrap();
    let county = county_at(&dir.path().join("county.db"));
    let city_db = dir.path().join("city.db");
    let city = city_at(&city_db);
    let cc = &county.core;
    pair(cc, &city.core);
    let inst = county.institution("H37010200010", "历下区某医院");
    let case_id = ready_case(&county, inst, "解除协议");
    ask(cc, case_id, json!(["解除协议"]));

    // The city's hub: `recoup serve` on its database; the county syncs (立即同步).
    let core = city.core;
    let url = serve_in_thread(core);
    call(cc, "exchange.set_hub", json!({ "hub_url": url }));
    let r = call(cc, "exchange.sync", json!({}));
    assert_eq!(r["sent"], json!(true), "{r}");

    // At the city (another process on its database): the request is pending; it is approved.
    let ci = Core::open(&city_db).unwrap();
    ci.login(ADMIN, "secret123").unwrap();
    let p = call(&ci, "escalation.pending", json!({}));
    assert_eq!(p.as_array().unwrap().len(), 1);
    call(
        &ci,
        "escalation.answer",
        json!({"request_uid": p[0]["uid"], "outcome": "批准", "document_number": "济医保审〔2026〕7号",
               "answered_on": "2026-03-20"}),
    );
    illegal(
        cc,
        "case.decide",
        decision(&county, case_id, 1, "AgreementTermination"),
        "尚未收到市局的答复",
    );
    // The county's next sync brings the answer down with the acknowledgement, even with nothing new
    // to send (a poll: an empty signed bundle; the hub applies nothing and answers).
    let hub_entries = audit_entries(&ci);
    let r = call(cc, "exchange.sync", json!({}));
    assert_eq!(r["sent"], json!(false), "{r}");
    assert!(
        r["summary"]
            .as_str()
            .unwrap()
            .contains("没有新的记录需要发送"),
        "{r}"
    );
    assert!(r["summary"].as_str().unwrap().contains("答复1件"), "{r}");
    assert_eq!(
        audit_entries(&ci),
        hub_entries,
        "a poll writes nothing at the hub"
    );
    // Applying the answer was a write: the sync after sends it up.
    let r = call(cc, "exchange.sync", json!({}));
    assert_eq!(r["sent"], json!(true), "{r}");
    let l = call(cc, "escalation.list", json!({"case_id": case_id}));
    assert_eq!(l["requests"][0]["answers"][0]["source"], json!("Exchange"));
    call(
        cc,
        "case.decide",
        decision(&county, case_id, 1, "AgreementTermination"),
    );
}

/// The city's hub (issue 11): a county's matters, its clocks and its 002 table are read at the city
/// from the county's replica with the county's own commands — the same answers as at the county —
/// and nothing can be changed there. The replica follows each new bundle.
#[test]
fn the_city_reads_a_county_replica_with_the_county_commands_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let county = county_at(&dir.path().join("county.db"));
    let city = city_at(&dir.path().join("city.db"));
    let (cc, ci) = (&county.core, &city.core);
    pair(cc, ci);
    let inst = county.institution("H37010200001", "历下区某医院");
    let case_id = ready_case(&county, inst, "约谈");
    send_up(cc, ci);
    let read = |command: &str, payload: Value| {
        call(
            ci,
            "county.read",
            json!({"code": COUNTY, "command": command, "payload": payload}),
        )
    };
    let same = |command: &str, payload: Value| {
        assert_eq!(
            read(command, payload.clone()),
            call(cc, command, payload.clone()),
            "{command} {payload}"
        );
    };
    same("case.list", json!({}));
    same("case.get", json!({ "id": case_id }));
    same("clock.list", json!({"today": "2026-03-12", "within": 5}));
    same("ledger.case", json!({ "case_id": case_id }));
    same("report.monthly", json!({"year": 2026, "month": 3}));
    same("institution.list", json!({}));
    // The city's table: the county's row is its own table, the total adds the counties up.
    let city_table = call(ci, "county.monthly", json!({"year": 2026, "month": 3}));
    let own = call(cc, "report.monthly", json!({"year": 2026, "month": 3}));
    assert_eq!(city_table["counties"][0]["code"], COUNTY);
    assert_eq!(city_table["counties"][0]["cells"], own["cells"]);
    assert_eq!(
        city_table["total"], own["cells"],
        "one county: the total is its row"
    );
    assert_eq!(city_table["groups"], own["groups"]);
    // The replica is a file of its own next to the hub's database.
    assert!(dir
        .path()
        .join("city.db.replicas")
        .join(format!("{COUNTY}.sqlite"))
        .exists());

    // Read-only: a write is refused, and so is a county the hub does not know.
    let e = refuse(
        ci,
        "county.read",
        json!({"code": COUNTY, "command": "case.drop", "payload": {"case_id": case_id}}),
    );
    assert_eq!(e.code, ErrorCode::Forbidden);
    field(
        ci,
        "county.read",
        json!({"code": "370199", "command": "case.list", "payload": {}}),
        "code",
    );

    // The county decides; with the next bundle the city reads the decided case.
    call(
        cc,
        "case.decide",
        decision(&county, case_id, 1, "Interview"),
    );
    assert_ne!(
        read("case.get", json!({ "id": case_id }))["case"]["status"],
        call(cc, "case.get", json!({ "id": case_id }))["case"]["status"],
        "not sent yet: the replica is what the city holds"
    );
    send_up(cc, ci);
    same("case.get", json!({ "id": case_id }));
    same("clock.list", json!({"today": "2026-03-26", "within": 5}));
}
