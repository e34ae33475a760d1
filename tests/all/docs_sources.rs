//! Every document kind filled from the data (docs/sources.rs): refused before the stage its seed
//! requires (ILLEGAL_STEP with the reason), and at that stage issued with every value of the data
//! in the PDF text (pdftotext), `document.options` agreeing.

use recoup::api::Core;
use recoup::ErrorCode;
use serde_json::{json, Value};

use crate::common::*;

fn assert_has(text: &str, needles: &[&str]) {
    for n in needles {
        let n: String = n.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(text.contains(&n), "{n:?} not in {text}");
    }
}

fn words(c: &Core, amount: &str) -> String {
    call(c, "money.words", json!({"amount": amount}))["words"]
        .as_str()
        .unwrap()
        .to_string()
}

const AGENCY: &str = "天津市和平区医疗保障服务中心";

/// The office's document settings: agency, phone and the two receiving accounts (004 附件1–3).
fn set_settings(
    c: &Core,
    agency: &str,
    address: &str,
    phone: &str,
    employee: &str,
    resident: &str,
) {
    let mut s = call(c, "document.settings_get", json!({}));
    s["agency_name"] = json!(agency);
    s["agency_address"] = json!(address);
    s["contact_phone"] = json!(phone);
    s["employee_account"] = json!({"account_name": "天津市医疗保障基金管理中心职工医保支出户",
        "bank": "中国工商银行天津和平支行", "account_number": employee, "bank_code": "102110000019"});
    s["resident_account"] = json!({"account_name": "天津市医疗保障基金管理中心居民医保支出户",
        "bank": "天津银行和平支行", "account_number": resident, "bank_code": "313110000017"});
    call(c, "document.settings_update", s);
}

fn options(c: &Core, case_id: i64) -> Vec<Value> {
    call(c, "document.options", json!({"id": case_id}))
        .as_array()
        .unwrap()
        .clone()
}

fn option(c: &Core, case_id: i64, kind: &str) -> Value {
    options(c, case_id)
        .into_iter()
        .find(|o| o["kind"] == kind)
        .unwrap()
}

/// Refused before its stage: ILLEGAL_STEP with the seed's reason, and `document.options` says the
/// same.
fn not_yet(c: &Core, case_id: i64, kind: &str, on: &str, needle: &str) {
    illegal(
        c,
        "document.issue",
        json!({"case_id": case_id, "kind": kind, "issued_on": on}),
        needle,
    );
    let o = option(c, case_id, kind);
    assert_eq!(o["available"], false, "{o}");
    assert!(o["reason"].as_str().unwrap().contains(needle), "{o}");
}

/// At its stage: available in `document.options`, issued, and its text.
fn issue(c: &Core, case_id: i64, kind: &str, on: &str) -> (Value, String) {
    let o = option(c, case_id, kind);
    assert_eq!(o["available"], true, "{o}");
    let doc = call(
        c,
        "document.issue",
        json!({"case_id": case_id, "kind": kind, "issued_on": on}),
    );
    if let Some(n) = o["number"].as_str() {
        assert_eq!(doc["number"], n, "the procedure's number");
    }
    let text = pdf_text(&pdf_of(&doc));
    assert_has(&text, &[doc["number"].as_str().unwrap()]);
    (doc, text)
}

// ---------------------------------------------------------------------------------------------
// Administrative track: 行政处罚决定书, 责令退款通知书, 追回医保基金通知书, 追回通知单, 送达回证

#[test]
fn administrative_penalty_case_prints_every_document_from_the_data() {
    let o = Office::tianjin();
    let c = &o.core;
    set_settings(
        c,
        AGENCY,
        "天津市和平区成都道100号",
        "022-27000000",
        "0302001109300012345",
        "2000123456789012",
    );
    let inst = o.institution("H12010100001", "和平区某某医院");
    let case = CaseBuilder::administrative(&o, inst)
        .summary("串换药品、虚记住院费用")
        .filed("2026-03-02")
        .finding(
            "将自费药品串换为医保目录内药品结算",
            "《医疗保障基金使用监督管理条例》第十五条",
            "0",
        )
        .evidence("电子数据", "2025年医保结算明细数据导出", "2026-03-03")
        .evidence("书证", "药品进销存台账复印件", "2026-03-03")
        .line(json!({"fund": "职工基本医保", "year_kind": "当年", "category": "住院费", "amount_due": "12345.67"}))
        .line(json!({"fund": "居民基本医保", "year_kind": "历年", "amount_due": "1000"}));
    let case_id = case.id;

    // Before the decision, none of the decision-stage documents (000 附件1, 2, 4; 004 art. 8, 10);
    // before the notification, no 告知书 (001 art. 22).
    not_yet(
        c,
        case_id,
        "StatementNotice",
        "2026-03-05",
        "尚未告知拟处理意见",
    );
    not_yet(
        c,
        case_id,
        "PenaltyDecision",
        "2026-03-05",
        "尚未作出行政处罚决定",
    );
    not_yet(
        c,
        case_id,
        "HandlingDecision",
        "2026-03-05",
        "尚未作出行政处理决定",
    );
    not_yet(c, case_id, "RefundOrder", "2026-03-05", "尚未作出处理决定");
    not_yet(
        c,
        case_id,
        "RecoveryNotice",
        "2026-03-05",
        "尚未作出处理决定",
    );
    not_yet(c, case_id, "RecoverySlip", "2026-03-05", "尚未作出处理决定");
    not_yet(
        c,
        case_id,
        "OffsetNotice",
        "2026-03-05",
        "没有经审核同意的抵扣申请",
    );
    not_yet(
        c,
        case_id,
        "ServiceReceipt",
        "2026-03-05",
        "尚无需要送达的文书",
    );

    // Notify (fine 2 × 13,345.67 = 26,691.34 proposed, 限期整改), serve, statement, legal review,
    // decide (001 art. 22, 40; 行政处罚法 art. 44, 58).
    let case = case.notified_with(
        "2026-03-09",
        json!({"document_number": "和医保告〔2026〕3号", "proposed_fine": "26691.34",
               "proposed_measures": [{"kind": "限期整改", "note": "三个月内完成药品管理整改"}]}),
    );
    // 陈述申辩告知书 (001 art. 22; 行政处罚法 art. 44): the number case.notify gave it, the facts,
    // the intended measures with the proposed fine, 5 working days to reply.
    let (_, text) = issue(c, case_id, "StatementNotice", "2026-03-09");
    assert_has(
        &text,
        &[
            "陈述申辩告知书",
            "和医保告〔2026〕3号",
            "和平区某某医院：",
            "将自费药品串换为医保目录内药品结算",
            "《医疗保障基金使用监督管理条例》第十五条",
            &words(c, "13345.67"),
            "¥13,345.67",
            &words(c, "26691.34"),
            "¥26,691.34",
            "限期整改：三个月内完成药品管理整改",
            "5个工作日内",
            "联系电话：022-27000000",
        ],
    );
    let case = case
        .served_with("2026-03-10", json!({"receipt": "SD-1"}))
        .stated("2026-03-11", "部分药品系系统对照错误所致")
        .submitted_for_legal_review("2026-03-12")
        .legal_reviewed_with("2026-03-13", json!({"opinion": "事实清楚"}));
    // The 送达回证 exists once a document is out for service (行政处罚法 art. 61).
    assert_eq!(option(c, case_id, "ServiceReceipt")["available"], true);
    not_yet(
        c,
        case_id,
        "PenaltyDecision",
        "2026-03-13",
        "尚未作出行政处罚决定",
    );
    case.decided_with(
        "2026-03-16",
        json!({"document_number": "和医保罚决〔2026〕2号", "payment_due": "2026-04-15",
               "fine": "26691.34", "fine_multiple": "2",
               "fine_basis": "《医疗保障基金使用监督管理条例》第三十八条",
               "measures": [{"kind": "限期整改", "note": "三个月内完成药品管理整改",
                             "rectify_by": "2026-06-16"}],
               "summary": "责令退回并处罚款"}),
    );

    // The decision made is a 处罚决定: no 处理决定书 (000 附件4).
    not_yet(
        c,
        case_id,
        "HandlingDecision",
        "2026-03-16",
        "本案作出的是行政处罚决定",
    );

    // 行政处罚决定书 (000 附件4; 行政处罚法 art. 59 (一)–(六)).
    let (dec, text) = issue(c, case_id, "PenaltyDecision", "2026-03-16");
    assert_eq!(dec["number"], "和医保罚决〔2026〕2号");
    assert_has(
        &text,
        &[
            "天津市和平区医疗保障局",
            "行政处罚决定书",
            "当事人：和平区某某医院",
            "统一社会信用代码：91350100M000100Y43",
            "机构编码：H12010100001",
            "法定代表人（负责人）：陈某",
            "地址：天津市和平区南京路1号",
            "将自费药品串换为医保目录内药品结算",
            "2025年医保结算明细数据导出",
            "药品进销存台账复印件",
            // 陈述申辩情况 from the statement step.
            "2026年3月11日提出陈述、申辩意见：部分药品系系统对照错误所致",
            "和医保告〔2026〕3号",
            "《医疗保障基金使用监督管理条例》第十五条",
            "《医疗保障基金使用监督管理条例》第三十八条",
            &words(c, "13345.67"),
            "¥13,345.67",
            "12,345.67",
            "1,000.00",
            "2倍的罚款",
            &words(c, "26691.34"),
            "¥26,691.34",
            "限期整改：三个月内完成药品管理整改（于2026年6月16日前整改完毕）",
            "2026年4月15日前",
            AGENCY,
            "天津市和平区人民政府",
            "天津市和平区人民法院",
            // art. 59 (六): the date of the decision.
            "2026年3月16日",
        ],
    );

    // 追回医保基金通知书 needs the 责令退款通知书 it cites (000 art. 2, 附件2).
    not_yet(
        c,
        case_id,
        "RecoveryNotice",
        "2026-03-17",
        "尚未开具责令退款通知书",
    );
    let (order, text) = issue(c, case_id, "RefundOrder", "2026-03-17");
    let order_number = order["number"].as_str().unwrap().to_string();
    assert_eq!(order_number, "天津医保责退〔2026〕1号");
    assert_has(
        &text,
        &[
            "责令退款通知书",
            "和平区某某医院：",
            "2026年3月2日",
            "2026年度医疗保障基金使用监督检查",
            &words(c, "13345.67"),
            "¥13,345.67",
            "2026年4月15日前",
            AGENCY,
            "联系人：张三",
            "联系电话：022-27000000",
            "2026年3月17日",
        ],
    );

    // 2026-04-15 (Wednesday) + 3 working days (004 art. 9 proof period) = 2026-04-20.
    let report = call(
        c,
        "calendar.add_workdays",
        json!({"date": "2026-04-15", "days": 3}),
    );
    assert_eq!(report["date"], "2026-04-20");
    let (notice, text) = issue(c, case_id, "RecoveryNotice", "2026-03-17");
    assert_eq!(notice["number"], "天津医保追〔2026〕1号");
    assert_has(
        &text,
        &[
            "关于追回医保基金通知书",
            &format!("{AGENCY}："),
            "和平区某某医院",
            "将自费药品串换为医保目录内药品结算",
            &format!("《责令退款通知书》（{order_number}）"),
            &words(c, "13345.67"),
            "¥13,345.67",
            "于2026年4月15日前将上述基金",
            "于2026年4月20日前将追回情况书面报送我局",
            "联系电话：022-27000000",
        ],
    );

    // 追回通知单 (004 附件1): issued by the agency (000 art. 3), each fund to its own account
    // (职工 / 居民), the agency's name and address.
    let (slip, text) = issue(c, case_id, "RecoverySlip", "2026-03-17");
    assert_eq!(slip["number"], "天津医保追单〔2026〕1号");
    assert_has(
        &text,
        &[
            "天津市和平区医疗保障服务中心医疗保障基金追回通知单",
            "和平区某某医院",
            "2026年4月15日前",
            "和医保罚决〔2026〕2号",
            "12,345.67",
            &words(c, "12345.67"),
            &words(c, "1000"),
            "天津市医疗保障基金管理中心职工医保支出户",
            "中国工商银行天津和平支行",
            "0302001109300012345",
            "102110000019",
            "天津市医疗保障基金管理中心居民医保支出户",
            "天津银行和平支行",
            "2000123456789012",
            "313110000017",
            AGENCY,
            "天津市和平区成都道100号",
            "张三",
            "王五",
            "赵六",
        ],
    );
    // The employee money sits with the employee account, the resident money with the resident one.
    let e = text.find("0302001109300012345").unwrap();
    let r = text.find("2000123456789012").unwrap();
    let employee_amount = text.find(&words(c, "12345.67")).unwrap();
    let resident_amount = text.find(&words(c, "1000")).unwrap();
    assert!(employee_amount < e && e < resident_amount && resident_amount < r);

    // 送达回证: one per document out for service, each with its own number (行政处罚法 art. 61), two
    // servers (001 art. 32).
    let receipts: Vec<Value> = options(c, case_id)
        .into_iter()
        .filter(|o| o["kind"] == "ServiceReceipt")
        .collect();
    let served = [
        "《陈述申辩告知书》（和医保告〔2026〕3号）",
        "《行政处罚决定书》（和医保罚决〔2026〕2号）",
        "《责令退款通知书》（天津医保责退〔2026〕1号）",
        "《医疗保障基金追回通知单》（天津医保追单〔2026〕1号）",
    ];
    assert_eq!(receipts.len(), served.len(), "{receipts:?}");
    let mut numbers = Vec::new();
    for (o, doc) in receipts.iter().zip(served) {
        assert_eq!(o["available"], true, "{o}");
        let issued = call(
            c,
            "document.issue",
            json!({"case_id": case_id, "kind": "ServiceReceipt", "issued_on": "2026-03-17",
                   "service_id": o["service_id"]}),
        );
        let text = pdf_text(&pdf_of(&issued));
        let number = issued["number"].as_str().unwrap().to_string();
        assert_has(
            &text,
            &[
                "送达回证",
                &format!("编号：{number}"),
                doc,
                "和平区某某医院",
                "天津市和平区南京路1号",
                "张三",
                "李四",
            ],
        );
        for other in served.iter().filter(|d| **d != doc) {
            assert!(!text.contains(other), "{other} on the receipt of {doc}");
        }
        numbers.push(number);
    }
    numbers.dedup();
    assert_eq!(numbers.len(), served.len(), "each receipt its own number");
    // Issued once per document: again is refused (reprint instead), and the option says so.
    let e = illegal(
        c,
        "document.issue",
        json!({"case_id": case_id, "kind": "ServiceReceipt", "issued_on": "2026-03-17",
               "service_id": receipts[0]["service_id"]}),
        "的送达回证已开具",
    );
    assert!(e.message.contains(&numbers[0]), "{}", e.message);
    // Without naming the document served, the receipt is not issued.
    field(
        c,
        "document.issue",
        json!({"case_id": case_id, "kind": "ServiceReceipt", "issued_on": "2026-03-17"}),
        "service_id",
    );

    // What is issued is not offered again; the offset stays refused on this case.
    for o in options(c, case_id) {
        match o["kind"].as_str().unwrap() {
            "OffsetNotice" => assert!(o["reason"]
                .as_str()
                .unwrap()
                .contains("没有经审核同意的抵扣申请")),
            "HandlingDecision" | "AgreementDecision" => assert_eq!(o["available"], false),
            // Printed for the officers to fill in on the spot, whenever needed.
            "InspectionRecord" => assert_eq!(o["available"], true, "{o}"),
            // No hold, no demand on this case (issue 9 papers).
            "RegistrationNotice"
            | "SealingDecision"
            | "SealingExtensionNotice"
            | "DemandNotice" => {
                assert_eq!(o["available"], false, "{o}")
            }
            _ => assert!(o["reason"].as_str().unwrap().contains("重新打印"), "{o}"),
        }
    }
    assert_eq!(call(c, "audit.verify", json!({}))["ok"], true);
}

// ---------------------------------------------------------------------------------------------
// 行政处理决定书 of a person who did not reply

#[test]
fn handling_decision_of_an_insured_person_who_did_not_reply() {
    let o = Office::tianjin();
    let c = &o.core;
    let person = InsuredBuilder::new()
        .scheme("居民")
        .phone("13800000000")
        .address("天津市和平区某路2号")
        .create(c);
    let case = CaseBuilder::administrative(&o, Insured(person))
        .summary("冒名就医")
        .filed("2026-03-02")
        .finding(
            "将本人医保凭证交由他人冒名使用",
            "《医疗保障基金使用监督管理条例》第十九条",
            "0",
        )
        .line(json!({"fund": "居民基本医保", "year_kind": "当年", "category": "门诊费", "amount_due": "356.80"}))
        .evidence("视听资料", "药店监控录像", "2026-03-03")
        .notified_with("2026-03-09", json!({"document_number": "和医保告〔2026〕5号"}))
        .served_with("2026-03-10", json!({"recipient": "王某", "receipt": "SD-5"}));
    let case_id = case.id;
    // The statement window (5 working days from 2026-03-10) lapses on 2026-03-17: a 行政处理决定
    // (no number given: the sequence numbers it).
    // No fine, no hearing, no heavy measure: no legal review needed (001 art. 40; 行政处罚法 art. 58).
    case.decided_with(
        "2026-03-18",
        json!({"kind": "行政处理决定", "document_number": null, "payment_due": "2026-04-17",
               "summary": "责令退回"}),
    );
    not_yet(
        c,
        case_id,
        "PenaltyDecision",
        "2026-03-18",
        "本案作出的是行政处理决定",
    );
    let (dec, text) = issue(c, case_id, "HandlingDecision", "2026-03-18");
    assert!(dec["number"].as_str().unwrap().contains("〔2026〕"));
    assert_has(
        &text,
        &[
            "行政处理决定书",
            "当事人：王某",
            "身份证号码：11010519491231002X",
            "地址：天津市和平区某路2号",
            "将本人医保凭证交由他人冒名使用",
            "药店监控录像",
            // Nobody replied: the template's sentence (000 附件4).
            "你在法定期限内未提出陈述、申辩意见",
            &words(c, "356.80"),
            "¥356.80",
            "2026年4月17日前",
            "天津市和平区人民政府",
            "天津市和平区人民法院",
            "2026年3月18日",
        ],
    );
    assert!(!text.contains("罚款人民币"), "{text}");
}

// ---------------------------------------------------------------------------------------------
// Agreement track: 追回通知单 and 抵扣通知书; the settings change what the next slip prints.

#[test]
fn agreement_case_offset_notice_and_settings_on_the_next_slip() {
    let o = Office::tianjin();
    let c = &o.core;
    set_settings(
        c,
        AGENCY,
        "天津市和平区成都道100号",
        "022-27000000",
        "0302001109300012345",
        "2000123456789012",
    );
    let inst = o.institution("H12010100002", "和平区某药房");
    // An agreement case decided on 2026-01-20 (the 告知书 numbered by the sequence: no number given).
    let case = |summary: &str| {
        CaseBuilder::agreement(&o, inst)
            .summary(summary)
            .filed("2026-01-05")
            .finding(summary, "服务协议第二十条", "0")
            .evidence("电子数据", "结算数据导出", "2026-01-05")
            .line(json!({"fund": "职工基本医保", "year_kind": "当年", "category": "门诊费", "amount_due": "8000"}))
            .line(json!({"fund": "职工基本医保", "year_kind": "历年", "amount_due": "1234.50"}))
            .notified_with("2026-01-12", json!({ "document_number": null }))
            .served("2026-01-13")
            .waived_with("2026-01-14", json!({"summary": "书面放弃"}))
            .decided("2026-01-20", "2026-03-20")
            .id
    };
    let case_id = case("虚记门诊费用");

    // The bureau's documents are not for an agreement case (000 art. 2, 4).
    not_yet(
        c,
        case_id,
        "PenaltyDecision",
        "2026-01-21",
        "协议处理案件不能开具",
    );
    not_yet(
        c,
        case_id,
        "HandlingDecision",
        "2026-01-21",
        "协议处理案件不能开具",
    );
    not_yet(
        c,
        case_id,
        "RecoveryNotice",
        "2026-01-21",
        "协议处理案件由经办机构直接出具追回通知单",
    );
    // 抵扣通知书: only on an approved request (004 art. 10) …
    not_yet(
        c,
        case_id,
        "OffsetNotice",
        "2026-01-21",
        "没有经审核同意的抵扣申请",
    );
    // … of the money on a 追回通知单: no offset before the slip that sets the deadline (issue 9).
    illegal(
        c,
        "offset.create",
        json!({"case_id": case_id, "notice_number": "和医保抵〔2026〕1号", "requested_on": "2026-02-10",
               "approved_on": "2026-02-12", "agency": AGENCY,
               "funds": [{"fund": "EmployeeBasic", "amount": "9234.50"}]}),
        "也未出具医疗保障基金追回通知单，不能办理抵扣",
    );
    let (slip, text) = issue(c, case_id, "RecoverySlip", "2026-01-21");
    let plan = call(
        c,
        "offset.create",
        json!({"case_id": case_id, "notice_number": "和医保抵〔2026〕1号", "requested_on": "2026-02-10",
               "approved_on": "2026-02-12", "agency": AGENCY,
               "funds": [{"fund": "EmployeeBasic", "amount": "9234.50"}]}),
    );
    let slip_number = slip["number"].as_str().unwrap().to_string();
    assert_has(
        &text,
        &[
            "0302001109300012345",
            "中国工商银行天津和平支行",
            AGENCY,
            "天津市和平区成都道100号",
        ],
    );
    // Only the employee fund is on this slip: the resident account is not printed.
    assert!(!text.contains("2000123456789012"), "{text}");

    // Before any deduction the notice starts the month after approval (004 art. 10: "在后续的结算
    // 过程中"); once the agency recorded the February settlement, it starts with that month.
    let p = call(
        c,
        "document.preview",
        json!({"case_id": case_id, "kind": "OffsetNotice", "issued_on": "2026-02-12"}),
    );
    assert_has(&pdf_text(&pdf_of(&p)), &["自2026年3月起", "¥9,234.50"]);
    call(
        c,
        "offset.deduct",
        json!({"plan_id": id(&plan), "fund": "EmployeeBasic", "month": "2026-02", "settled_on": "2026-02-25", "settlement": "5000"}),
    );
    let o_ = option(c, case_id, "OffsetNotice");
    assert_eq!(o_["number"], "和医保抵〔2026〕1号");
    let (notice, text) = issue(c, case_id, "OffsetNotice", "2026-02-12");
    assert_eq!(notice["number"], "和医保抵〔2026〕1号");
    assert_has(
        &text,
        &[
            &format!("{AGENCY}抵扣通知书"),
            "和平区某药房：",
            "2026年2月10日",
            &format!("《医疗保障基金追回通知单》（{slip_number}）"),
            &words(c, "9234.50"),
            "¥9,234.50",
            "8,000.00",
            "1,234.50",
            // The first settlement month deducted; the approved amounts as approved.
            "自2026年2月起",
            "联系人：张三",
            "联系电话：022-27000000",
            "2026年2月12日",
        ],
    );
    assert_eq!(plan["notice_number"], "和医保抵〔2026〕1号");

    // Settings changed: the next slip prints the new agency, address and account.
    set_settings(
        c,
        "天津市和平区医保经办中心",
        "天津市和平区新华路8号",
        "022-28888888",
        "6222000011112222",
        "6222000033334444",
    );
    let case2 = case("重复收费");
    let (_, text) = issue(c, case2, "RecoverySlip", "2026-01-21");
    assert_has(
        &text,
        &[
            "天津市和平区医保经办中心",
            "天津市和平区新华路8号",
            "6222000011112222",
        ],
    );
    assert!(!text.contains("0302001109300012345"), "{text}");
    assert!(!text.contains("成都道"), "{text}");
    assert_eq!(call(c, "audit.verify", json!({}))["ok"], true);
}

// ---------------------------------------------------------------------------------------------
// Self-correction forms (004 附件2, 附件3)

#[test]
fn self_correction_forms_from_the_records() {
    let o = Office::tianjin();
    let c = &o.core;
    set_settings(
        c,
        AGENCY,
        "天津市和平区成都道100号",
        "022-27000000",
        "0302001109300012345",
        "2000123456789012",
    );
    let inst = o.institution("H12010100005", "和平区某社区卫生服务中心");
    // Unknown fund 301.01 of 当年 门诊费 → 150.51 employee, 150.50 resident (004 art. 8); employee
    // 当年 住院费 1,000 and 历年 200.
    let sc = call(
        c,
        "self_correction.create",
        json!({"form_number": "ZC-2026-001", "party_kind": "定点医药机构", "institution_id": inst,
        "organizer": "医疗保障经办机构组织", "organizer_name": "和平区医保中心", "agency": AGENCY,
        "submitted_on": "2026-03-10", "contact": "刘某", "phone": "022-23456789",
        "lines": [
            {"fund": "职工基本医保", "year_kind": "当年", "category": "住院费", "amount": "1000"},
            {"fund": "职工基本医保", "year_kind": "历年", "amount": "200"},
            {"year_kind": "当年", "category": "门诊费", "amount": "301.01"}
        ]}),
    );
    let sc_id = id(&sc);
    // An institution's record has no 附件3 (and a person's no 附件2).
    let e = field(
        c,
        "document.issue",
        json!({"self_correction_id": sc_id, "kind": "SelfRefundInsured", "issued_on": "2026-03-10"}),
        "kind",
    );
    assert!(
        e.message.contains("应打印定点医药机构的退回明细单"),
        "{}",
        e.message
    );
    let p = call(
        c,
        "document.preview",
        json!({"self_correction_id": sc_id, "kind": "SelfRefundInstitution", "issued_on": "2026-03-10"}),
    );
    assert_eq!(p["missing_glyphs"], json!([]));
    let doc = call(
        c,
        "document.issue",
        json!({"self_correction_id": sc_id, "kind": "SelfRefundInstitution", "issued_on": "2026-03-10"}),
    );
    let text = pdf_text(&pdf_of(&doc));
    assert_has(
        &text,
        &[
            "天津市和平区医疗保障基金自查自纠退回明细单",
            "（定点医药机构）",
            "☑医疗保障经办机构组织的自查自纠，组织部门名称：和平区医保中心",
            "名称：和平区某社区卫生服务中心",
            "机构编码：H12010100005",
            "1,000.00",
            "200.00",
            "150.51",
            "150.50",
            // 大写 per section: employee 1,350.51, resident 150.50.
            &words(c, "1350.51"),
            &words(c, "150.50"),
            "联系人：刘某",
            "联系电话：022-23456789",
            "0302001109300012345",
            "2000123456789012",
            "中国工商银行天津和平支行",
            "天津银行和平支行",
            AGENCY,
        ],
    );

    let person = InsuredBuilder::new()
        .scheme("居民")
        .phone("13800000000")
        .address("和平区")
        .create(c);
    let sc = call(
        c,
        "self_correction.create",
        json!({"form_number": "ZC-2026-002", "party_kind": "参保人员", "insured_id": person, "scheme": "城乡居民基本医疗保险",
               "amount": "356.80", "agency": AGENCY, "submitted_on": "2026-03-16", "phone": "13800000000",
               "agent_name": "王小某", "agent_id_number": "11010519491231002X",
               "payments": [{"paid_on": "2026-03-16", "amount": "356.80", "voucher": "LG-1", "method": "银行临柜现金缴款"}]}),
    );
    let sc_id = id(&sc);
    let e = field(
        c,
        "document.issue",
        json!({"self_correction_id": sc_id, "kind": "SelfRefundInstitution", "issued_on": "2026-03-16"}),
        "kind",
    );
    assert!(
        e.message.contains("应打印参保人员的退回明细单"),
        "{}",
        e.message
    );
    let doc = call(
        c,
        "document.issue",
        json!({"self_correction_id": sc_id, "kind": "SelfRefundInsured", "issued_on": "2026-03-16"}),
    );
    let text = pdf_text(&pdf_of(&doc));
    assert_has(
        &text,
        &[
            "天津市和平区医疗保障基金自查自纠退回明细单",
            "（参保人员）",
            "姓名：王某",
            "身份证号码：11010519491231002X",
            "□职工基本医疗保险",
            "☑居民基本医疗保险",
            // The digit boxes: ¥ then 3 5 6 8 0 (元 角 分), and in 大写 叁伍陆捌零.
            "¥35680",
            "叁伍陆捌零",
            "□转账汇款",
            "☑银行临柜现金缴款",
            "姓名：王小某",
            "联系电话：13800000000",
            "0302001109300012345",
            "2000123456789012",
            AGENCY,
        ],
    );
    // The record's form is listed with it, and issued once (then reprinted).
    let listed = call(c, "document.list", json!({"self_correction_id": sc_id}));
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["id"], doc["id"]);
    assert_eq!(listed[0]["self_correction_id"], sc_id);
    assert_eq!(listed[0]["case_id"], Value::Null);
    illegal(
        c,
        "document.issue",
        json!({"self_correction_id": sc_id, "kind": "SelfRefundInsured", "issued_on": "2026-03-17"}),
        "重新打印",
    );
    let e = refuse(
        c,
        "document.issue",
        json!({"self_correction_id": 999, "kind": "SelfRefundInsured", "issued_on": "2026-03-16"}),
    );
    assert_eq!(e.field.as_deref(), Some("self_correction_id"));
    assert_ne!(e.code, ErrorCode::Internal);
}
