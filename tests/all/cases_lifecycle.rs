//! Scenario tests of the case lifecycle through the public API (`Core::call`), as every host uses it.
//! Each rule is cited next to its assertion (seed file + article, or the national law).

use recoup::api::Core;
use serde_json::{json, Value};

use crate::common::*;

// ---------------------------------------------------------------------------------------------
// Helpers

/// 河源市源城区 with its five officers. The handler also holds the reviewer role: the core, not the
/// role list, must stop them from reviewing their own case.
fn office() -> Office {
    OfficeBuilder::heyuan()
        .officer(Post::Handler, "zhang", "张三", json!(["承办人", "复核人"]))
        .open()
}

fn clock_of<'a>(items: &'a [Value], kind: &str, case_id: i64) -> Option<&'a Value> {
    items
        .iter()
        .find(|k| k["kind"] == kind && k["case_id"].as_i64() == Some(case_id))
}

// ---------------------------------------------------------------------------------------------
// The administrative case, lead to service

#[test]
fn administrative_case_from_lead_to_served_decision_across_national_day() {
    let o = office();
    let c = &o.core;
    let hospital = o.institution("H44160200001", "源城区某医院");

    // A report (举报) names the hospital (001 art. 31); 15 working days to verify (国家医保局令第4号).
    let lead = call(
        c,
        "lead.create",
        json!({"source": "举报投诉", "received_on": "2026-09-01", "summary": "反映某医院串换药品、虚记住院费用",
               "reporter": "匿名", "institution_id": hospital, "handler_id": o.handler}),
    );
    assert_eq!(lead["status"], "Open");
    // 2026-09-01 + 15 working days: Sunday 2026-09-20 is a make-up working day (国办发明电〔2025〕7号),
    // so the 15th working day is Monday 2026-09-21.
    assert_eq!(lead["check_due"], "2026-09-21");

    // An administrative case needs two officers (001 art. 32(二)).
    let e = refuse(
        c,
        "case.create",
        json!({"track": "Administrative", "lead_id": id(&lead), "summary": "串换药品", "handler_id": o.handler, "filed_on": "2026-09-10"}),
    );
    assert_eq!(e.field.as_deref(), Some("co_handler_id"));
    let detail = call(
        c,
        "case.create",
        json!({"track": "行政执法", "lead_id": id(&lead), "summary": "串换药品、虚记住院费用",
               "handler_id": o.handler, "co_handler_id": o.co_handler, "filed_on": "2026-09-10"}),
    );
    let case_id = id(&detail["case"]);
    assert_eq!(detail["case"]["status"], "Investigating");
    assert_eq!(detail["case"]["party"], "源城区某医院");
    // 004 art. 5(二): a case from a report is a recovery established from a tip.
    assert_eq!(detail["case"]["source"], "Report");
    // 行政处罚法 art. 60: 90 calendar days from 2026-09-10 = 2026-12-09 (a Wednesday).
    assert_eq!(detail["case"]["decision_due"], "2026-12-09");
    let lead = call(c, "lead.get", json!({"id": id(&lead)}));
    assert_eq!(lead["status"], "CaseOpened");
    assert_eq!(lead["case_id"], case_id);
    // The lead is no longer a running clock; the decision clock is.
    let items = clocks(c, "2026-09-15");
    assert!(items.iter().all(|k| k["kind"] != "LeadCheck"));
    assert_eq!(
        clock_of(&items, "Decision", case_id).unwrap()["due_on"],
        "2026-12-09"
    );

    // Notification before any finding is refused (001 art. 22: facts, reasons and basis).
    illegal(
        c,
        "case.notify",
        json!({"case_id": case_id, "issued_on": "2026-09-20", "document_number": "源医保告〔2026〕1号", "signoff": o.signoff()}),
        "违规事实",
    );

    let finding = call(
        c,
        "finding.add",
        json!({"case_id": case_id, "description": "2026年1月至6月将甲类药品串换为乙类药品结算",
               "period_from": "2026-01-01", "period_to": "2026-06-30",
               "rule_broken": "《医疗保障基金使用监督管理条例》第三十八条第（四）项", "amount": "13345.68"}),
    );
    // 001 art. 37: one of the eight kinds of evidence.
    let e = refuse(
        c,
        "evidence.add",
        json!({"case_id": case_id, "kind": "传闻", "description": "x", "collected_on": "2026-09-12"}),
    );
    assert_eq!(e.field.as_deref(), Some("kind"));
    call(
        c,
        "evidence.add",
        json!({"case_id": case_id, "finding_id": id(&finding), "kind": "书证", "description": "住院结算清单复印件",
               "collected_on": "2026-09-12", "collected_by": o.co_handler}),
    );
    // Recovery lines per fund × year × category (004 art. 8).
    let e = refuse(
        c,
        "recovery.add_line",
        json!({"case_id": case_id, "fund": "职工基本医保", "year_kind": "当年", "amount_due": "12345.67"}),
    );
    assert_eq!(e.field.as_deref(), Some("category"));
    // 违约金 is an agreement remedy (001 art. 18), not for the administrative track.
    let e = refuse(
        c,
        "recovery.add_line",
        json!({"case_id": case_id, "fund": "EmployeeBasic", "year_kind": "CurrentYear", "category": "违约金", "amount_due": "100"}),
    );
    assert_eq!(e.field.as_deref(), Some("category"));
    call(
        c,
        "recovery.add_line",
        json!({"case_id": case_id, "fund": "职工基本医保", "year_kind": "当年", "category": "住院费", "amount_due": "12,345.67"}),
    );
    // Unknown fund: the 5:5 split is 天津's rule (004 art. 8), not this office's: the fund is named.
    field(
        c,
        "recovery.add_line",
        json!({"case_id": case_id, "year_kind": "历年", "amount_due": "1000.01"}),
        "fund",
    );
    for (fund, amount) in [("职工基本医保", "500.01"), ("居民基本医保", "500.00")] {
        let line = call(
            c,
            "recovery.add_line",
            json!({"case_id": case_id, "fund": fund, "year_kind": "历年", "amount_due": amount}),
        );
        assert!(
            line[0]["category"].is_null(),
            "prior years are not split by category (004 附件1)"
        );
    }

    // The notice carries three distinct people (GLOSSARY; 004 附件1 sign-off rows).
    let e = illegal(
        c,
        "case.notify",
        json!({"case_id": case_id, "issued_on": "2026-09-24", "document_number": "源医保告〔2026〕1号",
               "signoff": {"handler_id": o.handler, "reviewer_id": o.handler, "approver_id": o.approver}}),
        "三名不同人员",
    );
    assert!(e.message.contains("张三"));
    // Proposed fine 1.5 × 13,345.68 = 20,018.52, below the organisation hearing threshold (100,000).
    let detail = call(
        c,
        "case.notify",
        json!({"case_id": case_id, "issued_on": "2026-09-24", "document_number": "源医保告〔2026〕1号",
               "signoff": o.signoff(), "proposed_fine": "20018.52"}),
    );
    assert_eq!(detail["case"]["status"], "Notified");
    assert_eq!(detail["notification"]["statement_days"], 5);
    assert_eq!(detail["notification"]["hearing_offered"], false);
    assert_eq!(
        detail["requirements"]["legal_review_required"], true,
        "a fine needs legal review (001 art. 40)"
    );
    assert_eq!(
        detail["requirements"]["collective_review_required"], false,
        "13,345.68 < 50,000 (001 art. 21)"
    );
    // Findings and money are frozen once notified (001 art. 22).
    illegal(
        c,
        "recovery.add_line",
        json!({"case_id": case_id, "fund": "EmployeeBasic", "year_kind": "PriorYears", "amount_due": "1"}),
        "已告知",
    );
    let notice = detail["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["document"] == "StatementNotice")
        .unwrap()
        .clone();
    // 行政处罚法 art. 61: served within 7 working days of issue: 2026-09-24 → 2026-10-12, across
    // 中秋 (09-25..27) and National Day (10-01..07) with the make-up Saturday 10-10.
    assert_eq!(notice["due_on"], "2026-10-12");

    // The 追回通知单 follows the decision (000 art. 3; 004 art. 6).
    illegal(
        c,
        "case.issue_document",
        json!({"case_id": case_id, "document": "追回通知单", "document_number": "x", "issued_on": "2026-09-28"}),
        "尚未作出处理决定",
    );
    // No decision before the notice is served.
    illegal(
        c,
        "case.decide",
        json!({"case_id": case_id, "kind": "PenaltyDecision", "decided_on": "2026-09-28", "document_number": "源医保罚〔2026〕1号",
               "payment_due": "2026-11-30", "signoff": o.signoff()}),
        "告知书尚未送达",
    );

    // Served on 2026-09-30, the day before National Day. 001 art. 22: 5 working days from service;
    // 10-01..10-07 are off, 10-10 (Saturday) is a make-up working day (国办发明电〔2025〕7号):
    // 10-08, 10-09, 10-10, 10-12, 10-13 → the window ends 2026-10-13.
    let e = refuse(
        c,
        "case.serve",
        json!({"service_id": notice["id"], "method": "邮寄送达", "served_on": "2026-09-30", "recipient": "陈某"}),
    );
    assert_eq!(e.field.as_deref(), Some("receipt"));
    let detail = call(
        c,
        "case.serve",
        json!({"service_id": notice["id"], "method": "直接送达", "served_on": "2026-09-30", "recipient": "陈某", "receipt": "SD-001"}),
    );
    assert_eq!(detail["requirements"]["statement_due"], "2026-10-13");
    let items = clocks(c, "2026-09-30");
    let window = clock_of(&items, "StatementWindow", case_id).expect("statement window clock");
    assert_eq!(window["due_on"], "2026-10-13");
    assert_eq!(window["started_on"], "2026-09-30");
    assert_eq!(window["state"], "Running");
    assert_eq!(window["working_days_left"], 5);
    // 2026-10-09: three working days left (10-10, 10-12, 10-13) → due soon (within 3).
    let items = clocks(c, "2026-10-09");
    assert_eq!(
        clock_of(&items, "StatementWindow", case_id).unwrap()["state"],
        "DueSoon"
    );
    let items = clocks(c, "2026-10-08");
    assert_eq!(
        clock_of(&items, "StatementWindow", case_id).unwrap()["state"],
        "Running"
    );
    // After the window the party's right has lapsed (001 art. 22): not a running clock any more.
    assert!(clock_of(&clocks(c, "2026-10-14"), "StatementWindow", case_id).is_none());

    // Legal review by the handler is refused (行政处罚法 art. 58; 001 art. 40), even though he holds
    // the reviewer role; so is review by the co-handler who collected the evidence.
    let e = illegal(
        c,
        "case.legal_review",
        json!({"case_id": case_id, "reviewer_id": o.handler, "on": "2026-10-12", "passed": true, "opinion": "同意"}),
        "不能担任法制审核人员",
    );
    assert!(e.message.contains("张三"));
    let e = refuse(
        c,
        "case.legal_review",
        json!({"case_id": case_id, "reviewer_id": o.co_handler, "on": "2026-10-12", "passed": true, "opinion": "同意"}),
    );
    assert_eq!(
        e.field.as_deref(),
        Some("reviewer_id"),
        "李四 is not a reviewer at all"
    );

    // Deciding on the last day of the window is refused; so is deciding without the legal review.
    let decision = |on: &str, fine: &str| {
        json!({"case_id": case_id, "kind": "行政处罚决定", "decided_on": on, "document_number": "源医保罚〔2026〕1号",
               "payment_due": "2026-11-30", "fine": fine, "fine_multiple": "1.5",
               "fine_basis": "《医疗保障基金使用监督管理条例》第三十八条", "signoff": o.signoff(), "summary": "责令退回并处罚款"})
    };
    illegal(
        c,
        "case.decide",
        decision("2026-10-13", "20018.52"),
        "2026年10月13日届满",
    );
    illegal(
        c,
        "case.decide",
        decision("2026-10-14", "20018.52"),
        "法制审核",
    );

    // Submitted for legal review: 10 working days (profile; 001 art. 40) → 2026-10-28.
    call(
        c,
        "case.submit_legal_review",
        json!({"case_id": case_id, "on": "2026-10-14", "actor_id": o.handler}),
    );
    let items = clocks(c, "2026-10-14");
    assert_eq!(
        clock_of(&items, "LegalReview", case_id).unwrap()["due_on"],
        "2026-10-28"
    );
    illegal(
        c,
        "case.submit_legal_review",
        json!({"case_id": case_id, "on": "2026-10-14"}),
        "不能重复提交",
    );
    // A failed review still blocks; a passed one by someone outside the investigation opens the way.
    let d = call(
        c,
        "case.legal_review",
        json!({"case_id": case_id, "reviewer_id": o.legal, "on": "2026-10-14", "passed": false, "opinion": "证据不足，补充结算明细"}),
    );
    assert_eq!(d["requirements"]["legal_review_passed"], false);
    assert!(
        clock_of(&clocks(c, "2026-10-14"), "LegalReview", case_id).is_none(),
        "reviewed: the clock stops"
    );
    illegal(
        c,
        "case.decide",
        decision("2026-10-15", "20018.52"),
        "法制审核",
    );
    call(
        c,
        "case.legal_review",
        json!({"case_id": case_id, "reviewer_id": o.legal, "on": "2026-10-15", "passed": true, "opinion": "事实清楚，证据确实充分，适用依据正确"}),
    );
    // The fine may not exceed what was notified (行政处罚法 art. 45), and must equal multiple × amount
    // rounded half-up to the cent (DOMAIN §3).
    let mut too_high = decision("2026-10-15", "20018.53");
    too_high["fine_multiple"] = Value::Null;
    illegal(c, "case.decide", too_high, "不得因当事人陈述申辩而加重处罚");
    let e = refuse(c, "case.decide", decision("2026-10-15", "20000.00"));
    assert_eq!(e.field.as_deref(), Some("fine"));
    assert!(e.message.contains("20,018.52"), "{}", e.message);
    let mut same_person = decision("2026-10-15", "20018.52");
    same_person["signoff"]["reviewer_id"] = json!(o.handler);
    illegal(c, "case.decide", same_person, "三名不同人员");

    let detail = call(c, "case.decide", decision("2026-10-15", "20018.52"));
    assert_eq!(detail["case"]["status"], "Decided");
    let dec = &detail["decision"];
    assert_eq!(dec["fine"], "20018.52");
    assert_eq!(dec["fine_multiple"], "1.5");
    assert_eq!(dec["recovery_total"], "13345.68");
    assert_eq!(dec["payment_due"], "2026-11-30");
    let served_doc = detail["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["document"] == "PenaltyDecision")
        .unwrap()
        .clone();
    // 行政处罚法 art. 61: 7 working days from 2026-10-15 → 2026-10-26.
    assert_eq!(served_doc["due_on"], "2026-10-26");
    let items = clocks(c, "2026-10-16");
    assert_eq!(
        clock_of(&items, "Service", case_id).unwrap()["due_on"],
        "2026-10-26"
    );
    assert!(
        clock_of(&items, "Decision", case_id).is_none(),
        "decided: the 90-day clock stops"
    );
    // Overdue when not served in time.
    assert_eq!(
        clock_of(&clocks(c, "2026-10-27"), "Service", case_id).unwrap()["state"],
        "Overdue"
    );

    // No closing before service.
    illegal(
        c,
        "case.close",
        json!({"case_id": case_id, "on": "2026-10-20"}),
        "须作出决定并送达后",
    );
    let detail = call(
        c,
        "case.serve",
        json!({"service_id": served_doc["id"], "method": "Direct", "served_on": "2026-10-19", "recipient": "陈某", "receipt": "SD-002"}),
    );
    assert_eq!(detail["case"]["status"], "Executing");
    let titles: Vec<&str> = detail["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "立案",
            "告知拟处理决定",
            "送达陈述申辩告知书",
            "提交法制审核",
            "法制审核（不通过）",
            "法制审核（通过）",
            "作出处理决定",
            "送达行政处罚决定书"
        ]
    );
    // Every step says who.
    let steps = detail["steps"].as_array().unwrap();
    assert!(steps
        .iter()
        .all(|s| !s["actor"].as_str().unwrap().is_empty()));
    // The bureau's 责令退款通知书 to the party (000 art. 2) is a further document to serve.
    let d = call(
        c,
        "case.issue_document",
        json!({"case_id": case_id, "document": "RefundOrder", "document_number": "源医保退〔2026〕1号", "issued_on": "2026-10-19"}),
    );
    let order = d["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["document"] == "RefundOrder")
        .unwrap()
        .clone();
    // 行政处罚法 art. 61: 10-20, 21, 22, 23, 26, 27, 28.
    assert_eq!(order["due_on"], "2026-10-28");
    illegal(
        c,
        "case.issue_document",
        json!({"case_id": case_id, "document": "HearingNotice", "document_number": "x", "issued_on": "2026-10-19"}),
        "听证",
    );
    call(
        c,
        "case.serve",
        json!({"service_id": order["id"], "method": "Direct", "served_on": "2026-10-20", "recipient": "陈某"}),
    );
    // What the law requires next: the money by the deadline on the decision (004 art. 9, 11).
    let d = call(c, "case.get", json!({"id": case_id, "today": "2026-10-19"}));
    assert!(
        d["next_steps"].as_array().unwrap().iter().any(|s| s
            .as_str()
            .unwrap()
            .contains("2026年11月30日前退回13,345.68元")),
        "{}",
        d["next_steps"]
    );
    // Closing waits for the money (part B's closure checks); the procedure itself is complete.
    assert!(d["services"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| !s["served_on"].is_null()));
    let report = call(c, "audit.verify", json!({}));
    assert_eq!(report["ok"], true, "{report}");
}

// ---------------------------------------------------------------------------------------------
// 河源: agreement case ≥ 50,000 yuan needs the collective review (001 art. 21)

/// A 河源 agreement case against `inst`, filed on `filed`, with its finding (分解住院) and the
/// evidence collected on `collected`.
fn agreement_case<'o>(o: &'o Office, inst: i64, filed: &str, collected: &str) -> Case<'o> {
    CaseBuilder::agreement(o, inst)
        .source("协议管理")
        .summary("超标准收费、分解住院")
        .filed(filed)
        .finding("分解住院", "服务协议第二十条", "0")
        .evidence("电子数据", "结算数据导出", collected)
}

/// The 告知书 of these agreement cases (源医保协告〔2026〕1号), proposing `measures`.
fn notice(measures: Value) -> Value {
    json!({"document_number": "源医保协告〔2026〕1号", "proposed_measures": measures})
}

#[test]
fn heyuan_agreement_case_above_50000_is_blocked_until_collective_review() {
    let o = office();
    let c = &o.core;
    let inst = o.institution("H44160200002", "源城区某诊所");
    // 52,000.00 of misused money + 3,000.00 liquidated damages. Only the former counts towards the
    // 50,000 threshold: 001 art. 21 speaks of "不予支付违规费用或者追回违规费用".
    let case = agreement_case(&o, inst, "2026-08-03", "2026-08-05")
        .line(json!({"fund": "居民基本医保", "year_kind": "当年", "category": "门诊费", "amount_due": "52000"}))
        .line(json!({"fund": "居民基本医保", "year_kind": "当年", "category": "违约金", "amount_due": "3000"}))
        .notified_with("2026-08-20", notice(json!([{"kind": "约谈"}])))
        .served("2026-08-21");
    let (case_id, d) = (case.id, &case.detail);
    assert_eq!(d["case"]["recovery_total"], "52000.00");
    assert_eq!(d["case"]["liquidated_damages"], "3000.00");
    assert_eq!(d["requirements"]["collective_review_required"], true);
    assert!(d["requirements"]["collective_review_reason"]
        .as_str()
        .unwrap()
        .contains("52,000.00"));
    // Agreement handling without termination needs no legal review (001 art. 21 para. 2 covers termination).
    assert_eq!(d["requirements"]["legal_review_required"], false);
    // The party waives its statement (001 art. 22).
    case.waived("2026-08-24");
    let decide = json!({"case_id": case_id, "kind": "协议处理决定", "decided_on": "2026-08-26", "document_number": "源医保协决〔2026〕1号",
                        "payment_due": "2026-09-30", "measures": [{"kind": "约谈"}], "signoff": o.signoff()});
    let e = illegal(c, "case.decide", decide.clone(), "集体讨论");
    // The 河源 preset takes the draft's threshold but never cites the draft (issue 9).
    assert!(
        e.message.contains("达到50,000.00元集体讨论标准") && !e.message.contains("河源"),
        "{}",
        e.message
    );
    // A fine is an administrative penalty, never an agreement measure.
    let mut with_fine = decide.clone();
    with_fine["fine"] = json!("100");
    with_fine["fine_basis"] = json!("x");
    assert!(c.call("case.decide", with_fine).is_err());

    // A collective review needs at least three participants, and must agree.
    let review = |participants: Value, agreed: bool| {
        json!({"case_id": case_id, "on": "2026-08-25", "chair_id": o.approver, "participants": participants,
               "conclusion": "同意追回并约谈", "agreed": agreed, "minutes_ref": "集体讨论记录2026-08"})
    };
    let e = refuse(
        c,
        "case.collective_review",
        review(json!(["赵六", "王五"]), true),
    );
    assert_eq!(e.field.as_deref(), Some("participants"));
    let e = refuse(
        c,
        "case.collective_review",
        review(json!(["赵六", "王五", "赵六"]), true),
    );
    assert_eq!(
        e.field.as_deref(),
        Some("participants"),
        "the same name twice is one participant"
    );
    call(
        c,
        "case.collective_review",
        review(json!(["赵六", "王五", "孙八"]), false),
    );
    illegal(c, "case.decide", decide.clone(), "集体讨论");
    call(
        c,
        "case.collective_review",
        review(json!(["赵六", "王五", "孙八"]), true),
    );
    let d = call(c, "case.decide", decide);
    assert_eq!(d["case"]["status"], "Decided");
    assert_eq!(d["measures"][0]["kind"], "Interview");

    // 001 art. 24: the county agency's decision goes to the city bureau within 3 working days.
    let items = clocks(c, "2026-08-27");
    let report = clock_of(&items, "CityReport", case_id).expect("city report clock");
    assert_eq!(report["due_on"], "2026-08-31");
    assert_eq!(report["state"], "DueSoon");
    call(
        c,
        "case.serve",
        json!({"service_id": service_of(&d, "AgreementDecision"), "method": "电子送达", "served_on": "2026-08-27", "recipient": "陈某", "receipt": "DZ-7"}),
    );
    illegal(
        c,
        "case.close",
        json!({"case_id": case_id, "on": "2026-10-09"}),
        "报市医保局备案",
    );
    call(
        c,
        "case.report_city",
        json!({"case_id": case_id, "on": "2026-08-28"}),
    );
    assert!(clock_of(&clocks(c, "2026-09-01"), "CityReport", case_id).is_none());
    illegal(
        c,
        "case.report_city",
        json!({"case_id": case_id, "on": "2026-08-29"}),
        "不能重复",
    );
}

#[test]
fn collective_review_threshold_includes_50000_exactly() {
    // 001 art. 21: "5万元（含5万元）以上".
    let o = office();
    let inst = o.institution("H44160200003", "源城区某药店");
    for (amount, required) in [("49999.99", false), ("50000.00", true)] {
        let d = agreement_case(&o, inst, "2026-08-03", "2026-08-05")
            .line(json!({"fund": "EmployeeBasic", "year_kind": "PriorYears", "amount_due": amount}))
            .notified_with("2026-08-20", notice(json!([])))
            .served("2026-08-21")
            .detail;
        assert_eq!(
            d["requirements"]["collective_review_required"], required,
            "{amount}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Termination and the 3-year ban (001 art. 20)

fn terminate(
    o: &Office,
    inst: i64,
    filed: &str,
    issued: &str,
    served: &str,
    review_on: &str,
    decided: &str,
) -> Value {
    terminate_for(
        o,
        inst,
        [filed, issued, served, review_on, decided],
        json!({"kind": "AgreementTermination"}),
    )
}

/// A termination decided with `measure` on `dates` (filed, notice issued, served, reviewed,
/// decided).
fn terminate_for(o: &Office, inst: i64, dates: [&str; 5], measure: Value) -> Value {
    let line = json!({"fund": "EmployeeBasic", "year_kind": "PriorYears", "amount_due": "8000"});
    terminated(o, inst, dates, measure, Some(line)).detail
}

/// An agreement case decided on `dates[4]` with the termination `measure`, and with a recovery
/// `line` or none (a termination without money).
fn terminated<'o>(
    o: &'o Office,
    inst: i64,
    dates: [&str; 5],
    measure: Value,
    line: Option<Value>,
) -> Case<'o> {
    let [filed, issued, served, review_on, decided] = dates;
    let money = line.is_some();
    let mut case = agreement_case(o, inst, filed, filed);
    if let Some(line) = line {
        case = case.line(line);
    }
    let case = case
        .notified_with(issued, notice(json!([{"kind": "解除协议"}])))
        .served(served);
    let d = &case.detail;
    // Termination: collective review and legal review (001 art. 21), hearing offered (DOMAIN §2).
    assert_eq!(d["requirements"]["collective_review_required"], true);
    assert_eq!(d["requirements"]["legal_review_required"], true);
    assert_eq!(d["requirements"]["hearing_offered"], true);
    let mut decision = json!({"kind": "AgreementDecision", "document_number": "源医保协决〔2026〕9号",
                              "measures": [measure]});
    if money {
        decision["payment_due"] = json!(decided);
    }
    case.waived_with(served, json!({"kind": "Waiver", "summary": null}))
        .collectively_reviewed(review_on, "同意解除服务协议", "记录-1")
        .legal_reviewed(review_on)
        .decided_with(decided, decision)
}

fn inst_input(status: &str) -> Value {
    json!({
        "code": "H44160200009", "name": "源城区某民营医院", "kind": "MedicalInstitution",
        "credit_code": "91350100M000100Y43", "address": "河源市源城区9号",
        "legal_rep": "陈某", "contact": "0762-3333333", "agreement_status": status
    })
}

#[test]
fn terminated_agreement_cannot_be_renewed_within_three_years() {
    let o = office();
    let c = &o.core;
    let inst = id(&call(c, "institution.create", inst_input("Active")));
    // Dates relative to today: the ban is judged on the real date (the trigger reads date('now')).
    let today = chrono::Local::now().date_naive();
    let day = |n: i64| {
        (today - chrono::Duration::days(n))
            .format("%Y-%m-%d")
            .to_string()
    };
    let decided = day(60);
    let d = terminate(&o, inst, &day(100), &day(80), &day(79), &day(61), &decided);
    assert_eq!(d["measures"][0]["starts_on"], decided.as_str());
    let decided_date = chrono::NaiveDate::parse_from_str(&decided, "%Y-%m-%d").unwrap();
    let ban_end = decided_date
        .checked_add_months(chrono::Months::new(36))
        .unwrap();
    assert_eq!(
        call(c, "institution.get", json!({"id": inst}))["agreement_status"],
        "Terminated"
    );

    let mut update = inst_input("Active");
    update["id"] = json!(inst);
    let e = illegal(
        c,
        "institution.update",
        update.clone(),
        "3年内及期满后未完全履行行政处罚法律责任的，不得与其签订服务协议",
    );
    use chrono::Datelike;
    let ban_date = format!(
        "{}年{}月{}日",
        ban_end.year(),
        ban_end.month(),
        ban_end.day()
    );
    // The ban's last day is the corresponding day three years on, itself included (民法典 art. 202).
    let ban_text = format!("因违法违规被解除服务协议，{ban_date}（含当日）前不得");
    assert!(
        e.message.contains(&ban_text),
        "{} lacks {ban_text}",
        e.message
    );
    // Going through "no agreement" first does not open a back door.
    let mut none = inst_input("未签订");
    none["id"] = json!(inst);
    call(c, "institution.update", none);
    illegal(c, "institution.update", update, "（国家医疗保障局令第2号）");
    // Nor does an import: the database trigger refuses the row and reports it.
    use base64::Engine;
    let csv = "机构编码,机构名称,机构类别,统一社会信用代码,协议状态\nH44160200009,源城区某民营医院,医疗机构,91350100M000100Y43,正常\n";
    let report = call(
        c,
        "institution.import",
        json!({"file_name": "a.csv", "content_base64": base64::engine::general_purpose::STANDARD.encode(csv)}),
    );
    assert_eq!(report["errors"].as_array().unwrap().len(), 1, "{report}");
    assert!(report["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("3年"));
    assert!(!report.to_string().contains("河源"), "{report}");
    assert_eq!(
        call(c, "institution.get", json!({"id": inst}))["agreement_status"],
        "None"
    );
    // The ban follows the legal entity (issue 9): the same 统一社会信用代码 under a new 机构编码 is
    // refused an active agreement; registered without one it is accepted.
    let mut again = inst_input("Active");
    again["code"] = json!("H44160200077");
    again["name"] = json!("源城区某民营医院（新址）");
    let e = field(c, "institution.create", again.clone(), "agreement_status");
    assert!(e.message.contains("91350100M000100Y43"), "{}", e.message);
    assert!(e.message.contains(&ban_text), "{}", e.message);
    again["agreement_status"] = json!("未签订");
    let newer = id(&call(c, "institution.create", again));
    let mut activate = inst_input("Active");
    activate["code"] = json!("H44160200077");
    activate["id"] = json!(newer);
    illegal(c, "institution.update", activate, &ban_text);
    // The list of terminated institutions for publication (001 art. 20).
    let period = json!({"from": day(100), "to": day(0)});
    let list = call(c, "report.terminated", period.clone());
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["name"], "源城区某民营医院");
    assert_eq!(list[0]["terminated_on"], decided.as_str());
    assert_eq!(list[0]["decision_number"], "源医保协决〔2026〕9号");
    let file = call(c, "report.terminated_pdf", period);
    let text = pdf_text(
        &base64::engine::general_purpose::STANDARD
            .decode(file["content_base64"].as_str().unwrap())
            .unwrap(),
    );
    for part in [
        "解除医疗保障服务协议的定点医药机构名单",
        "源城区某民营医院",
        "91350100M000100Y43",
        &ban_date,
        "违法违规",
    ] {
        assert!(text.contains(part), "{part} in {text}");
    }
    field(
        c,
        "report.terminated",
        json!({"from": day(0), "to": day(10)}),
        "to",
    );
    assert_eq!(call(c, "audit.verify", json!({}))["ok"], true);
}

/// 国家医疗保障局令第2号/第3号: a termination for a serious breach of the agreement bars a new one
/// for 1 year (违法违规: 3 years); the last day is the corresponding day, itself included (民法典
/// art. 201, 202) — a new agreement may be signed from the day after.
#[test]
fn a_termination_for_a_serious_breach_bars_one_year_up_to_the_corresponding_day() {
    let o = office();
    let c = &o.core;
    let today = chrono::Local::now().date_naive();
    let year_ago = today.checked_sub_months(chrono::Months::new(12)).unwrap();
    let dates = |decided: chrono::NaiveDate| -> [String; 5] {
        [40, 20, 19, 1, 0].map(|n| {
            (decided - chrono::Duration::days(n))
                .format("%Y-%m-%d")
                .to_string()
        })
    };
    // Decided a year ago today: today is the ban's last day.
    let a = id(&call(c, "institution.create", inst_input("Active")));
    let d1 = dates(year_ago);
    let detail = terminate_for(
        &o,
        a,
        d1.each_ref().map(String::as_str),
        json!({"kind": "AgreementTermination", "ground": "严重违反协议约定"}),
    );
    assert_eq!(detail["measures"][0]["ground"], "Breach");
    let mut update = inst_input("Active");
    update["id"] = json!(a);
    use chrono::Datelike;
    let e = illegal(
        c,
        "institution.update",
        update.clone(),
        "严重违反服务协议约定",
    );
    assert!(
        e.message.contains(&format!(
            "{}年{}月{}日（含当日）前不得",
            today.year(),
            today.month(),
            today.day()
        )),
        "{}",
        e.message
    );
    // Another legal entity, decided a year and a day ago: its ban ended yesterday.
    let mut other = inst_input("Active");
    other["code"] = json!("H44160200010");
    other["credit_code"] = json!("91440100MA59ABCD22");
    let b = id(&call(c, "institution.create", other.clone()));
    let d2 = dates(year_ago - chrono::Duration::days(1));
    // No money in this one: it can be closed once served and reported.
    let b_case = terminated(
        &o,
        b,
        d2.each_ref().map(String::as_str),
        json!({"kind": "AgreementTermination", "ground": "Breach"}),
        None,
    );
    other["id"] = json!(b);
    // The bar is judged on the application's date: an application made yesterday, the ban's last
    // day, is refused even when entered today; a date after today is refused as such.
    let yesterday = (today - chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    let mut late = other.clone();
    late["applied_on"] = json!(yesterday);
    illegal(
        c,
        "institution.update",
        late,
        "因严重违反服务协议约定被解除服务协议",
    );
    let mut future = other.clone();
    future["applied_on"] = json!((today + chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string());
    field(c, "institution.update", future, "applied_on");
    // The year is over, but the matter is not fulfilled (not closed): the bar holds until it is
    // (令第3号/第2号: "已满1年但未完全履行违约责任").
    let e = illegal(c, "institution.update", other.clone(), "尚未结案");
    let number = b_case.detail["case"]["case_number"].as_str().unwrap();
    assert!(
        e.message.contains(number) && e.message.contains("违约责任"),
        "{}",
        e.message
    );
    let b_id = b_case.id;
    let b_case = b_case.decision_served(&d2[4]).reported(&d2[4]);
    assert_eq!(b_case.detail["case"]["status"], "Executing");
    let closed = call(
        c,
        "case.close",
        json!({"case_id": b_id, "on": today.format("%Y-%m-%d").to_string()}),
    );
    assert_eq!(closed["case"]["status"], "Closed");
    assert_eq!(
        call(c, "institution.update", other)["agreement_status"],
        "Active"
    );
    // The list for publication says why and until when.
    let list = call(c, "report.terminated", json!({"from": d2[4], "to": d1[4]}));
    assert_eq!(list.as_array().unwrap().len(), 2, "{list}");
    assert_eq!(list[1]["ground"], "Breach");
    assert_eq!(list[1]["ban_until"], today.format("%Y-%m-%d").to_string());
    // Only a termination has a ground.
    let case = agreement_case(&o, a, &d1[0], &d1[0]);
    let e = refuse(
        c,
        "case.notify",
        json!({"case_id": case.id, "issued_on": d1[1], "document_number": "告9",
               "signoff": o.signoff(),
               "proposed_measures": [{"kind": "约谈", "ground": "Breach"}]}),
    );
    assert!(e.message.contains("不区分解除原因"), "{}", e.message);
}

#[test]
fn a_termination_older_than_three_years_no_longer_bars_a_new_agreement() {
    let o = office();
    let c = &o.core;
    let inst = id(&call(c, "institution.create", inst_input("Active")));
    let case = terminated(
        &o,
        inst,
        [
            "2022-11-01",
            "2022-11-15",
            "2022-11-16",
            "2022-11-28",
            "2022-11-29",
        ],
        json!({"kind": "AgreementTermination"}),
        None,
    );
    let mut update = inst_input("Active");
    update["id"] = json!(inst);
    // 2022-11-29 + 3 years = 2025-11-29 < today, but the matter is not closed: the bar holds until
    // its liability is fulfilled (令第2号: 已满3年但未完全履行…).
    let e = illegal(c, "institution.update", update.clone(), "尚未结案");
    assert!(
        e.message.contains("期限已于2025年11月29日届满"),
        "{}",
        e.message
    );
    let id_ = case.id;
    case.decision_served("2022-11-29").reported("2022-11-30");
    call(c, "case.close", json!({"case_id": id_, "on": "2022-12-01"}));
    let v = call(c, "institution.update", update);
    assert_eq!(v["agreement_status"], "Active");
}

#[test]
fn suspension_lengths_follow_001_art_19_and_no_measure_is_heavier_than_notified() {
    let o = office();
    let c = &o.core;
    let inst = o.institution("H44160200004", "源城区某卫生院");
    let case = agreement_case(&o, inst, "2026-08-03", "2026-08-04");
    let case_id = case.id;
    let notify = |m: Value| json!({"case_id": case_id, "issued_on": "2026-08-20", "document_number": "告1", "signoff": o.signoff(), "proposed_measures": [m]});
    // 1–3 months; 3–6 when serious.
    let e = refuse(
        c,
        "case.notify",
        notify(json!({"kind": "中止协议", "months": 4})),
    );
    assert!(
        e.message.contains("（国家医疗保障局令第2号）") && !e.message.contains("河源"),
        "{}",
        e.message
    );
    refuse(
        c,
        "case.notify",
        notify(json!({"kind": "中止协议", "months": 7, "serious": true})),
    );
    refuse(c, "case.notify", notify(json!({"kind": "中止协议"})));
    call(
        c,
        "case.notify",
        notify(json!({"kind": "AgreementSuspension", "months": 2})),
    );
    let case = case.served("2026-08-21");
    // A hearing was offered (suspension), the party asks for one within 5 working days (行政处罚法 art. 64).
    call(
        c,
        "case.statement",
        json!({"case_id": case_id, "kind": "陈述申辩", "on": "2026-08-25", "summary": "认为金额计算有误", "hearing_requested": true}),
    );
    // 行政处罚法 art. 60: 90 days from 2026-08-03 = 2026-11-01, a Sunday → 2026-11-02.
    let due =
        |c: &Core| call(c, "case.get", json!({"id": case_id}))["case"]["decision_due"].clone();
    assert_eq!(due(c), "2026-11-02");
    // The hearing is hosted by someone outside the investigation (行政处罚法 art. 64(4)).
    illegal(
        c,
        "case.hearing",
        json!({"case_id": case_id, "held_on": "2026-09-01", "host_id": o.handler, "summary": "x"}),
        "非本案调查人员",
    );
    call(
        c,
        "case.hearing",
        json!({"case_id": case_id, "held_on": "2026-09-01", "host_id": o.legal, "summary": "当事人到场陈述"}),
    );
    // The hearing (requested 08-25, held 09-01: 7 days) does not count (DOMAIN §2):
    // 2026-11-08 is a Sunday → 2026-11-09.
    assert_eq!(due(c), "2026-11-09");
    assert_eq!(
        clock_of(&clocks(c, "2026-09-01"), "Decision", case_id).unwrap()["due_on"],
        "2026-11-09"
    );
    case.collectively_reviewed("2026-09-02", "同意中止协议", "记录-2");
    let decide = |m: Value| {
        json!({"case_id": case_id, "kind": "AgreementDecision", "decided_on": "2026-09-03", "document_number": "决1",
               "measures": [m], "signoff": o.signoff()})
    };
    illegal(
        c,
        "case.decide",
        decide(json!({"kind": "AgreementSuspension", "months": 3})),
        "长于告知的2个月",
    );
    illegal(
        c,
        "case.decide",
        decide(json!({"kind": "AgreementTermination"})),
        "告知书未告知拟解除服务协议",
    );
    let d = call(
        c,
        "case.decide",
        decide(json!({"kind": "AgreementSuspension", "months": 1, "starts_on": "2026-09-05"})),
    );
    assert_eq!(d["measures"][0]["ends_on"], "2026-10-05");
    // A decision of measures alone prints (issue 9): no payment paragraph, the objection is the
    // fourth heading.
    let paper = call(
        c,
        "document.preview",
        json!({"case_id": case_id, "kind": "AgreementDecision"}),
    );
    let text = pdf_text(&pdf_of(&paper));
    assert!(text.contains("协议处理决定书"), "{text}");
    assert!(text.contains("四、异议途径"), "{text}");
    assert!(!text.contains("履行方式和期限"), "{text}");
    assert!(!text.contains("追回通知单"), "{text}");
    assert_eq!(
        call(c, "institution.get", json!({"id": inst}))["agreement_status"],
        "Suspended"
    );
    // The end of the suspension is a clock until the institution is active again.
    let k = clock_of(&clocks(c, "2026-09-30"), "AgreementSuspension", case_id)
        .unwrap()
        .clone();
    assert_eq!(k["due_on"], "2026-10-05");
    // Lifting a suspension is not a new agreement: allowed.
    let mut up = call(c, "institution.get", json!({"id": inst}));
    up["agreement_status"] = json!("Active");
    call(c, "institution.update", up);
    assert!(clock_of(&clocks(c, "2026-09-30"), "AgreementSuspension", case_id).is_none());
    // No money involved: served, reported to the city (001 art. 24), closed.
    call(
        c,
        "case.serve",
        json!({"service_id": service_of(&d, "AgreementDecision"), "method": "Direct", "served_on": "2026-09-04", "recipient": "陈某"}),
    );
    call(
        c,
        "case.report_city",
        json!({"case_id": case_id, "on": "2026-09-04"}),
    );
    let d = call(
        c,
        "case.close",
        json!({"case_id": case_id, "on": "2026-10-06", "note": "中止期满，整改到位"}),
    );
    assert_eq!(d["case"]["status"], "Closed");
    assert_eq!(d["case"]["closed_on"], "2026-10-06");
    illegal(
        c,
        "case.update",
        json!({"id": case_id, "summary": "改"}),
        "已结案",
    );
}

// ---------------------------------------------------------------------------------------------
// 执法证 (issue 9): officers on an administrative matter hold a valid certificate

/// 行政处罚法 art. 42 (administrative penalties are imposed by officers with enforcement
/// qualification, at least two) and art. 55 (they show their certificates): an administrative matter
/// cannot be filed, nor a paper served in person, by an officer without a valid 执法证. The
/// agreement track is the agency's (001 art. 18) and needs none.
#[test]
fn officers_without_a_valid_enforcement_certificate_cannot_file_or_serve_in_person() {
    let o = office();
    let c = &o.core;
    let hospital = o.institution("H44160200001", "源城区某医院");
    // A new officer without a certificate on file.
    let sun = id(&call(
        c,
        "user.create",
        json!({"username": "sun", "display_name": "孙八", "roles": ["Handler"], "password": "secret123"}),
    ));
    assert_eq!(call(c, "user.get", json!({"id": sun}))["cert_no"], "");
    let admin_case = |handler: i64, filed: &str| {
        json!({"track": "行政执法", "institution_id": hospital, "source": "监督检查", "summary": "串换药品",
               "handler_id": handler, "co_handler_id": o.co_handler, "filed_on": filed})
    };
    let e = field(
        c,
        "case.create",
        admin_case(sun, "2026-09-10"),
        "handler_id",
    );
    assert!(
        e.message.contains("承办人孙八没有登记执法证"),
        "{}",
        e.message
    );
    assert!(e.message.contains("设置·用户与角色"), "{}", e.message);
    // The citation is the office's rule (two officers, certificates shown).
    assert!(e.message.contains("行政处罚法"), "{}", e.message);
    // The same officer as co-handler is named as such.
    let e = field(
        c,
        "case.create",
        merged(
            admin_case(o.handler, "2026-09-10"),
            json!({"co_handler_id": sun}),
        ),
        "co_handler_id",
    );
    assert!(e.message.contains("协办人孙八"), "{}", e.message);
    // The agreement track needs no certificate.
    call(
        c,
        "case.create",
        json!({"track": "协议处理", "institution_id": hospital, "source": "审核结算", "summary": "虚记住院费用",
               "handler_id": sun, "filed_on": "2026-09-10"}),
    );

    // A certificate is a number and its expiry, both or neither.
    field(
        c,
        "user.update",
        json!({"id": sun, "cert_no": "粤执00088"}),
        "cert_expires",
    );
    let u = call(
        c,
        "user.update",
        json!({"id": sun, "cert_no": "粤执00088", "cert_expires": "2026-09-30"}),
    );
    assert_eq!(u["cert_no"], "粤执00088");
    assert_eq!(u["cert_expires"], "2026-09-30");

    // Valid on the filing date: filed.
    let detail = call(c, "case.create", admin_case(sun, "2026-09-10"));
    let case_id = id(&detail["case"]);
    // The 现场检查笔录 names both officers with their certificate numbers (001 art. 32(二)).
    let record = call(
        c,
        "document.preview",
        json!({"case_id": case_id, "kind": "InspectionRecord", "issued_on": "2026-09-15"}),
    );
    let text = pdf_text(&pdf_of(&record));
    for part in [
        "现场检查笔录",
        "孙八",
        "执法证号：粤执00088",
        "出示执法证件",
        "源城区某医院",
    ] {
        assert!(text.contains(part), "{part} in {text}");
    }
    // On a day after the certificate expired it is refused like the filing.
    let e = field(
        c,
        "document.preview",
        json!({"case_id": case_id, "kind": "InspectionRecord", "issued_on": "2026-10-09"}),
        "issued_on",
    );
    assert!(e.message.contains("已于2026年9月30日到期"), "{}", e.message);
    // Expired before the filing date: refused with the expiry and the date.
    let e = field(
        c,
        "case.create",
        admin_case(sun, "2026-10-08"),
        "handler_id",
    );
    assert!(
        e.message
            .contains("执法证已于2026年9月30日到期，不能在2026年10月8日"),
        "{}",
        e.message
    );

    // Serving the 告知书 in person after the certificate expired is refused; by post it is not
    // an officer's act and goes through.
    call(
        c,
        "finding.add",
        json!({"case_id": case_id, "description": "串换药品", "rule_broken": "《医疗保障基金使用监督管理条例》第三十八条",
               "amount": "1000.00"}),
    );
    call(
        c,
        "recovery.add_line",
        json!({"case_id": case_id, "fund": "职工基本医保", "year_kind": "当年", "category": "住院费", "amount_due": "1000.00"}),
    );
    call(
        c,
        "evidence.add",
        json!({"case_id": case_id, "kind": "书证", "description": "结算清单", "collected_on": "2026-09-12"}),
    );
    let detail = call(
        c,
        "case.notify",
        json!({"case_id": case_id, "issued_on": "2026-09-28", "document_number": "源医保告〔2026〕9号",
               "signoff": {"handler_id": sun, "reviewer_id": o.reviewer, "approver_id": o.approver}}),
    );
    let service = detail["notification"]["service_id"].clone();
    let in_person = json!({"service_id": service, "method": "Direct", "served_on": "2026-10-09", "recipient": "陈某"});
    let e = field(c, "case.serve", in_person.clone(), "method");
    assert!(
        e.message
            .contains("承办人孙八的执法证已于2026年9月30日到期"),
        "{}",
        e.message
    );
    let served = call(
        c,
        "case.serve",
        json!({"service_id": service, "method": "Mail", "served_on": "2026-10-09", "recipient": "陈某",
               "receipt": "EMS1234567890"}),
    );
    assert_eq!(served["case"]["status"], "Notified");
    // The page says which rule set the case follows (the office's preset when it was filed).
    assert_eq!(served["rule_preset"], "Heyuan");
    assert_eq!(served["rule_set_edited"], false);
}

// ---------------------------------------------------------------------------------------------
// 限期整改 and its 回头看 (issue 9)

/// A 限期整改 names its deadline; the 回头看 is a clock until its result is recorded; "not
/// rectified" is kept as 拒不改正 (001 art. 42(二)) and shown on the next case against the party.
#[test]
fn a_rectification_order_has_its_deadline_a_follow_up_clock_and_a_recorded_refusal() {
    let o = office();
    let c = &o.core;
    let inst = o.institution("H44160200009", "源城区某诊所");
    let order = json!({"kind": "限期整改", "note": "规范处方管理"});
    let case = CaseBuilder::agreement(&o, inst)
        .filed("2026-04-01")
        .finding("串换药品", "医保服务协议第十条", "1000")
        .evidence("书证", "处方", "2026-04-02")
        .line(json!({"fund": "EmployeeBasic", "year_kind": "PriorYears", "amount_due": "1000"}))
        .notified_with("2026-04-08", json!({"proposed_measures": [order.clone()]}))
        .served("2026-04-09")
        .waived("2026-04-10");
    let case_id = case.id;
    // Decided without its deadline: refused, naming what is missing.
    let e = refuse(
        c,
        "case.decide",
        json!({"case_id": case_id, "kind": "协议处理决定", "decided_on": "2026-04-15",
               "document_number": "源医保协决〔2026〕1号", "payment_due": "2026-05-15",
               "measures": [order], "signoff": o.signoff()}),
    );
    assert!(e.message.contains("整改期限"), "{}", e.message);
    let case = case.decided_with(
        "2026-04-15",
        json!({"payment_due": "2026-05-15",
               "measures": [{"kind": "限期整改", "note": "规范处方管理", "rectify_by": "2026-05-29"}]}),
    );
    let m = &case.detail["measures"][0];
    assert_eq!(m["rectify_by"], "2026-05-29");
    assert_eq!(m["followed_up_on"], Value::Null);
    let measure_id = id(m);
    // The 回头看 is a clock due on the deadline.
    let k = clock_of(&clocks(c, "2026-05-20"), "Rectification", case_id)
        .expect("the follow-up is a running clock")
        .clone();
    assert_eq!(k["due_on"], "2026-05-29");
    assert_eq!(
        clock_of(&clocks(c, "2026-06-01"), "Rectification", case_id).unwrap()["state"],
        "Overdue"
    );
    // Not rectified needs what was seen; the result is recorded once.
    field(
        c,
        "measure.follow_up",
        json!({"id": measure_id, "on": "2026-06-02", "rectified": false}),
        "note",
    );
    field(
        c,
        "measure.follow_up",
        json!({"id": measure_id, "on": "2026-04-14", "rectified": true}),
        "on",
    );
    let d = call(
        c,
        "measure.follow_up",
        json!({"id": measure_id, "on": "2026-06-02", "rectified": false, "note": "处方仍未按规定书写"}),
    );
    assert_eq!(d["measures"][0]["rectified"], false);
    assert_eq!(d["measures"][0]["followed_up_on"], "2026-06-02");
    assert!(clock_of(&clocks(c, "2026-06-03"), "Rectification", case_id).is_none());
    let e = refuse(
        c,
        "measure.follow_up",
        json!({"id": measure_id, "on": "2026-06-03", "rectified": true}),
    );
    assert_eq!(e.code, recoup::ErrorCode::Conflict);
    // The next case against the same institution states the refusal.
    let next = CaseBuilder::agreement(&o, inst).filed("2026-06-10");
    let refusals = next.detail["prior_refusals"].as_array().unwrap();
    assert_eq!(refusals.len(), 1, "{refusals:?}");
    let r = refusals[0].as_str().unwrap();
    assert!(
        r.contains("限期整改至2026年5月29日，2026年6月2日回头看未整改：处方仍未按规定书写"),
        "{r}"
    );
    // Another institution's case does not.
    let other = o.institution("H44160200010", "源城区另一诊所");
    let clean = CaseBuilder::agreement(&o, other).filed("2026-06-10");
    assert_eq!(clean.detail["prior_refusals"], json!([]));
}

/// 令第2号/第3号: an applicant whose 法定代表人、主要负责人或实际控制人 caused a termination for
/// 违法违规 elsewhere is not accepted within 5 years of it (the corresponding day included). Persons
/// are known by name only: a namesake is accepted once the clerk states how it was checked
/// (同名核实说明, kept on the institution and so in the audit log).
#[test]
fn persons_who_caused_a_termination_for_violation_bar_other_institutions_for_five_years() {
    let o = office();
    let c = &o.core;
    let today = chrono::Local::now().date_naive();
    let day = |n: i64| {
        (today - chrono::Duration::days(n))
            .format("%Y-%m-%d")
            .to_string()
    };
    let mut first = inst_input("Active");
    first["principal"] = json!("刘大伟");
    let a = id(&call(c, "institution.create", first));
    terminate_for(
        &o,
        a,
        [&day(100), &day(80), &day(79), &day(61), &day(60)],
        json!({"kind": "AgreementTermination", "ground": "Violation"}),
    );
    let decided = today - chrono::Duration::days(60);
    let last = decided.checked_add_months(chrono::Months::new(60)).unwrap();
    use chrono::Datelike;
    let last_text = format!(
        "{}年{}月{}日（含当日）",
        last.year(),
        last.month(),
        last.day()
    );

    // Another legal entity whose 实际控制人 bears the name of A's 主要负责人.
    let other = |code: &str, credit: &str| {
        json!({"code": code, "name": "源城区新开诊所", "kind": "MedicalInstitution",
               "credit_code": credit, "address": "河源市源城区10号", "legal_rep": "黄某",
               "controller": "刘大伟", "contact": "0762-4444444", "agreement_status": "Active"})
    };
    let before = audit_entries(c);
    let e = field(
        c,
        "institution.create",
        other("H44160200020", "91440100MA59ABCD22"),
        "namesake_note",
    );
    assert!(
        e.message.contains("实际控制人刘大伟与源城区某民营医院")
            && e.message.contains("主要负责人同名")
            && e.message.contains(&last_text)
            && e.message.contains("（国家医疗保障局令第2号）"),
        "{}",
        e.message
    );
    assert_eq!(audit_entries(c), before, "a refusal changes nothing");
    // A names another 主要负责人 after its termination: the bar still follows 刘大伟, who was it then.
    call(
        c,
        "institution.update",
        json!({"id": a, "principal": "周新"}),
    );
    let e = field(
        c,
        "institution.create",
        other("H44160200020", "91440100MA59ABCD22"),
        "namesake_note",
    );
    assert!(
        e.message.contains("实际控制人刘大伟与源城区某民营医院")
            && e.message.contains("主要负责人同名"),
        "{}",
        e.message
    );
    // Registered without an agreement it is accepted; applying for one later is judged then.
    let mut none = other("H44160200020", "91440100MA59ABCD22");
    none["agreement_status"] = json!("None");
    let b = id(&call(c, "institution.create", none));
    let mut apply = json!({"id": b, "agreement_status": "Active"});
    field(c, "institution.update", apply.clone(), "namesake_note");
    // The clerk checked the identity cards: another person of the same name.
    apply["namesake_note"] = json!("经核对身份证件，本机构实际控制人刘大伟（身份证号末四位1234）与源城区某民营医院主要负责人并非同一人");
    let saved = call(c, "institution.update", apply);
    assert_eq!(saved["agreement_status"], "Active");
    assert!(saved["namesake_note"]
        .as_str()
        .unwrap()
        .contains("并非同一人"));
    // An institution under agreement that names a barred person anew is judged too; one that keeps
    // its persons is not.
    let mut third = other("H44160200021", "91440100MA59ABCD35");
    third["controller"] = json!("");
    let t = id(&call(c, "institution.create", third));
    field(
        c,
        "institution.update",
        json!({"id": t, "legal_rep": "陈某"}),
        "namesake_note",
    );
    call(
        c,
        "institution.update",
        json!({"id": t, "address": "河源市源城区11号"}),
    );
    // A termination for a serious breach of the agreement bars the entity, not its persons.
    let mut breach = other("H44160200023", "91440100MA59ABCD5B");
    breach["controller"] = json!("吴某");
    let y = id(&call(c, "institution.create", breach));
    terminate_for(
        &o,
        y,
        [&day(100), &day(80), &day(79), &day(61), &day(60)],
        json!({"kind": "AgreementTermination", "ground": "Breach"}),
    );
    let mut fresh = other("H44160200024", "91440100MA59ABCD6E");
    fresh["controller"] = json!("吴某");
    assert_eq!(
        call(c, "institution.create", fresh)["agreement_status"],
        "Active"
    );
}
