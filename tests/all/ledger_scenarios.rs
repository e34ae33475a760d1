//! Scenario tests of execution and money (src/ledger) through the public API (`Core::call`), as
//! every host uses it, with real dates across the 2026 holidays (国办发明电〔2025〕7号). Each rule
//! is cited next to its assertion: seed 004 = 天津 2025, 000 = 吉林 2021, 001 = 河源; national laws
//! by name.

use recoup::api::Core;
use serde_json::{json, Value};

use crate::common::*;

// ---------------------------------------------------------------------------------------------
// Helpers

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

/// An agreement case (004 art. 6 para. 2: the agency's own decision) against `inst`, filed on
/// `filed` with its finding and evidence, ready for its recovery lines.
fn agreement_case<'o>(o: &'o Office, inst: i64, filed: &str) -> Case<'o> {
    CaseBuilder::agreement(o, inst)
        .summary("虚记住院费用、串换项目")
        .filed(filed)
        .finding("虚记住院费用", "服务协议第二十条", "0")
        .evidence("电子数据", "结算数据导出", filed)
}

fn ledger(c: &Core, case_id: i64) -> Value {
    call(c, "ledger.case", json!({"case_id": case_id}))
}

fn line<'a>(l: &'a Value, fund: &str, year: &str, category: Option<&str>) -> &'a Value {
    l["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["fund"] == fund && x["year_kind"] == year && x["category"].as_str() == category)
        .unwrap_or_else(|| panic!("no line {fund} {year} {category:?}"))
}

fn clocks_of(items: &[Value], kind: &str) -> Vec<Value> {
    items
        .iter()
        .filter(|k| k["kind"] == kind)
        .cloned()
        .collect()
}

fn mismatches(r: &Value, kind: &str) -> Vec<Value> {
    r["mismatches"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == kind)
        .cloned()
        .collect()
}

fn recon_row<'a>(r: &'a Value, agency: &str, fund: &str) -> &'a Value {
    r["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["agency"] == agency && x["fund"] == fund)
        .unwrap_or_else(|| panic!("no row {agency} {fund} in {r}"))
}

/// paid + offset + outstanding = due, per line and per case, to the cent.
fn assert_balanced(l: &Value) {
    let m = |v: &Value| recoup::Money::parse(s(v)).unwrap();
    for x in l["lines"].as_array().unwrap() {
        assert_eq!(
            m(&x["paid"]) + m(&x["offset"]) + m(&x["outstanding"]),
            m(&x["due"]),
            "{x}"
        );
    }
    let t = &l["totals"];
    assert_eq!(
        m(&t["paid"]) + m(&t["offset"]) + m(&t["outstanding"]),
        m(&t["due"]),
        "{t}"
    );
}

const AGENCY: &str = "天津市和平区医疗保障基金管理中心";

// ---------------------------------------------------------------------------------------------
// 天津: unknown fund split 5:5, partial payment, offset over three monthly settlements, receipts

#[test]
fn tianjin_recovery_partial_payment_offset_over_three_months_and_receipts() {
    let o = Office::tianjin();
    let c = &o.core;
    let inst = o.institution("H12010100001", "和平区某医院");
    // 004 art. 8: 当年 split into 住院/门诊; the fund of the 住院费 and of the prior years cannot be
    // told → 5:5 employee/resident, the employee half taking the odd cent. Decided with the 退缴时限
    // 2026-03-06, served the next day, reported to the city.
    let case_id = agreement_case(&o, inst, "2026-01-05")
        .line(json!({"year_kind": "当年", "category": "住院费", "amount_due": "20000.01"}))
        .line(json!({"fund": "职工基本医保", "year_kind": "当年", "category": "门诊费", "amount_due": "3000"}))
        .line(json!({"year_kind": "历年", "amount_due": "5000"}))
        .notified("2026-01-12")
        .served("2026-01-13")
        .waived("2026-01-14")
        .decided("2026-01-20", "2026-03-06")
        .decision_served("2026-01-21")
        .reported("2026-01-22")
        .id;
    let l = ledger(c, case_id);
    assert_eq!(l["totals"]["due"], "28000.01");
    assert_eq!(
        line(&l, "EmployeeBasic", "CurrentYear", Some("Inpatient"))["due"],
        "10000.01"
    );
    assert_eq!(
        line(&l, "ResidentBasic", "CurrentYear", Some("Inpatient"))["due"],
        "10000.00"
    );
    assert_eq!(
        line(&l, "EmployeeBasic", "PriorYears", None)["due"],
        "2500.00"
    );
    assert_eq!(l["payment_due"], "2026-03-06");

    // The 缴费信息 of the 通知单 (004 art. 8–9, 附件1): the agency receiving money and proof.
    field(
        c,
        "collection.set",
        json!({"case_id": case_id, "agency": " "}),
        "agency",
    );
    call(
        c,
        "collection.set",
        json!({"case_id": case_id, "notice_number": "和医保追〔2026〕1号", "issued_on": "2026-01-20", "agency": AGENCY,
               "agency_address": "天津市和平区贵州路1号", "account_name": "天津市医疗保障基金管理中心",
               "bank": "中国农业银行天津和平支行", "account_number": "02160001040042313", "bank_code": "103110016005"}),
    );

    // The payment clock runs until the money is paid (004 art. 8–9).
    let items = clocks(c, "2026-02-02");
    let pay = clocks_of(&items, "Payment");
    assert_eq!(pay.len(), 1);
    assert_eq!(pay[0]["due_on"], "2026-03-06");
    assert!(s(&pay[0]["label"]).contains("28,000.01"));

    // Illegal allocations and over-payments are refused with nothing written.
    let l = ledger(c, case_id);
    let outpatient =
        line(&l, "EmployeeBasic", "CurrentYear", Some("Outpatient"))["line_id"].clone();
    illegal(
        c,
        "payment.record",
        json!({"case_id": case_id, "paid_on": "2026-02-13", "amount": "8000", "voucher": "NY0213", "fund": "EmployeeBasic",
               "allocations": [{"line_id": outpatient, "amount": "3000.01"}]}),
        "超过该项尚欠",
    );
    illegal(
        c,
        "payment.record",
        json!({"case_id": case_id, "paid_on": "2026-02-13", "amount": "15500.02", "voucher": "NY0213", "fund": "EmployeeBasic"}),
        "多缴",
    );
    field(
        c,
        "payment.record",
        json!({"case_id": case_id, "paid_on": "2026-02-13", "amount": "8000"}),
        "voucher",
    );
    field(
        c,
        "payment.record",
        json!({"case_id": case_id, "paid_on": "2026-02-13", "amount": 8000, "voucher": "x"}),
        "amount",
    );
    field(
        c,
        "payment.record",
        json!({"case_id": case_id, "paid_on": "2099-01-01", "amount": "8000", "voucher": "x"}),
        "paid_on",
    );

    // A partial payment into the employee account on Friday 2026-02-13, the eve of 春节. Proof is
    // due within 3 working days (004 art. 9): Sat 02-14 is a make-up working day, 02-15..02-23 are
    // off, then 02-24 and 02-25 → 2026-02-25.
    let p = call(
        c,
        "payment.record",
        json!({"case_id": case_id, "paid_on": "2026-02-13", "amount": "8,000", "voucher": "NY2026021300018",
               "payer": "和平区某医院", "fund": "职工基本医保"}),
    );
    assert_eq!(p["proof_due_on"], "2026-02-25");
    assert_eq!(
        p["agency"], AGENCY,
        "agency taken from the collection terms"
    );
    assert_eq!(p["status"], "Recorded");
    // Current year first, in line order: all of it on the employee 住院费 half.
    assert_eq!(p["allocations"].as_array().unwrap().len(), 1);
    assert_eq!(p["allocations"][0]["label"], "职工基本医保·当年·住院费");
    assert_eq!(p["allocations"][0]["amount"], "8000.00");
    let payment_id = id(&p);
    let items = clocks(c, "2026-02-20");
    let proof = clocks_of(&items, "PaymentProof");
    assert_eq!(proof[0]["due_on"], "2026-02-25");
    assert_eq!(
        proof[0]["state"], "DueSoon",
        "2 working days left (02-24, 02-25)"
    );
    assert_eq!(
        clocks_of(&items, "Payment")[0]["label"],
        "退缴时限（尚欠 20,000.01 元）"
    );

    // No receipt for money that has not arrived (004 art. 11).
    illegal(
        c,
        "receipt.issue",
        json!({"payment_id": payment_id, "receipt_number": "津财票2026-000101", "issued_on": "2026-02-24"}),
        "尚未确认到账",
    );
    call(
        c,
        "payment.confirm_arrival",
        json!({"id": payment_id, "date": "2026-02-24"}),
    );
    refuse(
        c,
        "payment.confirm_arrival",
        json!({"id": payment_id, "date": "2026-02-24"}),
    );
    field(
        c,
        "receipt.issue",
        json!({"payment_id": payment_id, "receipt_number": "津财票2026-000101", "issued_on": "2026-02-25", "amount": "8000.01"}),
        "amount",
    );
    let r = call(
        c,
        "receipt.issue",
        json!({"payment_id": payment_id, "receipt_number": "津财票2026-000101", "issued_on": "2026-02-25"}),
    );
    assert_eq!(r["amount"], "8000.00");
    // Proof came a day late: recorded as it happened, shown as late.
    let p = call(
        c,
        "payment.proof_received",
        json!({"id": payment_id, "date": "2026-02-26"}),
    );
    assert_eq!(p["proof_late"], true);
    assert_eq!(p["status"], "Recovered");
    let l = ledger(c, case_id);
    assert_eq!(l["totals"]["paid"], "8000.00");
    assert_eq!(l["totals"]["recovered"], "8000.00");
    assert_eq!(l["totals"]["outstanding"], "20000.01");
    assert_balanced(&l);
    // 000 art. 3, 6; 004 art. 4: the file cannot close while money is still owed and not sent to
    // court enforcement.
    let e = illegal(
        c,
        "case.close",
        json!({"case_id": case_id, "on": "2026-02-27"}),
        "应追回基金未追回",
    );
    assert!(e.message.contains("20,000.01"), "{}", e.message);

    // February reconciliation (004 art. 14): the notice of January, the money and receipt of
    // February, and the late proof.
    let jan = call(c, "ledger.reconcile", json!({"month": "2026-01"}));
    assert_eq!(
        recon_row(&jan, AGENCY, "EmployeeBasic")["notices_issued"],
        "15500.01"
    );
    assert_eq!(
        recon_row(&jan, AGENCY, "ResidentBasic")["notices_issued"],
        "12500.00"
    );
    let feb = call(c, "ledger.reconcile", json!({"month": "2026-02"}));
    let row = recon_row(&feb, AGENCY, "EmployeeBasic");
    assert_eq!(
        (row["arrived"].as_str(), row["receipted"].as_str()),
        (Some("8000.00"), Some("8000.00"))
    );
    let late = mismatches(&feb, "ProofMissing");
    assert_eq!(late.len(), 1);
    assert!(
        s(&late[0]["detail"]).contains("2026年2月25日"),
        "{}",
        late[0]["detail"]
    );
    assert!(mismatches(&feb, "NotReceipted").is_empty());
    assert!(
        mismatches(&feb, "Overdue").is_empty(),
        "the deadline is in March"
    );

    // Offset (004 art. 10): requested within the deadline only.
    illegal(
        c,
        "offset.create",
        json!({"case_id": case_id, "notice_number": "和医保抵〔2026〕1号", "requested_on": "2026-03-09", "approved_on": "2026-03-10"}),
        "退缴时限",
    );
    let plan = call(
        c,
        "offset.create",
        json!({"case_id": case_id, "notice_number": "和医保抵〔2026〕1号", "requested_on": "2026-03-02",
               "approved_on": "2026-03-04", "served_on": "2026-03-05"}),
    );
    let plan_id = id(&plan);
    assert_eq!(plan["status"], "Active");
    assert_eq!(plan["agency"], AGENCY);
    let funds = plan["funds"].as_array().unwrap();
    assert_eq!(
        (funds[0]["fund"].as_str(), funds[0]["amount"].as_str()),
        (Some("EmployeeBasic"), Some("7500.01"))
    );
    assert_eq!(
        (funds[1]["fund"].as_str(), funds[1]["amount"].as_str()),
        (Some("ResidentBasic"), Some("12500.00"))
    );
    refuse(
        c,
        "offset.create",
        json!({"case_id": case_id, "notice_number": "和医保抵〔2026〕2号", "requested_on": "2026-03-02", "approved_on": "2026-03-04"}),
    );
    // With an offset running the payment clock stops; the offset clock shows the next settlement.
    let items = clocks(c, "2026-03-20");
    assert!(clocks_of(&items, "Payment").is_empty());
    let off = clocks_of(&items, "Offset");
    assert_eq!(off.len(), 2);
    assert_eq!(off[0]["due_on"], "2026-03-31");
    assert!(off
        .iter()
        .any(|k| s(&k["label"]).contains("尚需抵扣 7,500.01 元")));

    let deduct = |fund: &str, month: &str, settled: &str, settlement: &str| {
        call(
            c,
            "offset.deduct",
            json!({"plan_id": plan_id, "fund": fund, "month": month, "settled_on": settled, "settlement": settlement}),
        )
    };
    // Month 1 (March settlements, paid out 2026-04-10).
    let p1 = deduct("EmployeeBasic", "2026-03", "2026-04-10", "3000");
    let d = &p1["deductions"][0];
    assert_eq!(
        (d["deducted"].as_str(), d["remaining"].as_str()),
        (Some("3000.00"), Some("4500.01"))
    );
    assert_eq!(
        d["allocations"][0]["amount"], "2000.01",
        "the rest of the employee 住院费 first"
    );
    assert_eq!(
        d["allocations"][1]["amount"], "999.99",
        "then 门诊费 (current year, line order)"
    );
    deduct("ResidentBasic", "2026-03", "2026-04-10", "5000");
    // Months go forward, once per fund, never before approval.
    field(
        c,
        "offset.deduct",
        json!({"plan_id": plan_id, "fund": "EmployeeBasic", "month": "2026-03", "settled_on": "2026-04-10", "settlement": "1"}),
        "month",
    );
    field(
        c,
        "offset.deduct",
        json!({"plan_id": plan_id, "fund": "MedicalAssistance", "month": "2026-04", "settled_on": "2026-05-11", "settlement": "1"}),
        "fund",
    );
    // Month 2 (April settlements, paid out 2026-05-11 after 劳动节 05-01..05).
    let p2 = deduct("EmployeeBasic", "2026-04", "2026-05-11", "4000");
    let d = p2["deductions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["month"] == "2026-04")
        .unwrap()
        .clone();
    assert_eq!(
        (
            d["deducted"].as_str(),
            d["paid_out"].as_str(),
            d["remaining"].as_str()
        ),
        (Some("4000.00"), Some("0.00"), Some("500.01"))
    );
    deduct("ResidentBasic", "2026-04", "2026-05-11", "2000");
    let l = ledger(c, case_id);
    assert_balanced(&l);
    assert_eq!(l["totals"]["offset"], "14000.00");
    assert_eq!(l["totals"]["outstanding"], "6000.01");

    // Deducted money is not recovered until its receipt: the May reconciliation lists both April
    // deductions, and the case cannot close.
    let may = call(c, "ledger.reconcile", json!({"month": "2026-05"}));
    assert_eq!(
        recon_row(&may, AGENCY, "EmployeeBasic")["offset"],
        "4000.00"
    );
    assert!(mismatches(&may, "NotReceipted").len() >= 2, "{may}");
    assert!(
        mismatches(&may, "Overdue").is_empty(),
        "an offset is running"
    );

    // Month 3: the rest; the settlement above it is paid out to the institution.
    let p3 = deduct("EmployeeBasic", "2026-05", "2026-06-10", "9000");
    let d = p3["deductions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["month"] == "2026-05")
        .unwrap()
        .clone();
    assert_eq!(
        (
            d["deducted"].as_str(),
            d["paid_out"].as_str(),
            d["remaining"].as_str()
        ),
        (Some("500.01"), Some("8499.99"), Some("0.00"))
    );
    assert_eq!(p3["status"], "Active", "the resident fund still owes");
    let p3 = deduct("ResidentBasic", "2026-05", "2026-06-10", "6000");
    assert_eq!(p3["status"], "Completed");
    assert_eq!(p3["funds"][0]["months"], 3);
    illegal(
        c,
        "offset.deduct",
        json!({"plan_id": plan_id, "fund": "ResidentBasic", "month": "2026-06", "settled_on": "2026-07-10", "settlement": "1"}),
        "足额抵扣",
    );
    let l = ledger(c, case_id);
    assert_balanced(&l);
    assert_eq!(l["totals"]["paid"], "8000.00");
    assert_eq!(l["totals"]["offset"], "20000.01");
    assert_eq!(l["totals"]["outstanding"], "0.00");
    assert_eq!(l["totals"]["recovered"], "8000.00");
    assert_eq!(l["totals"]["awaiting_receipt"], "20000.01");

    // Fiscal receipts for the six deductions (004 art. 11); the case cannot close before the last.
    let plan = call(c, "offset.get", json!({"id": plan_id}));
    let deductions = plan["deductions"].as_array().unwrap().clone();
    assert_eq!(deductions.len(), 6);
    for (n, d) in deductions.iter().enumerate().take(5) {
        let r = call(
            c,
            "receipt.issue",
            json!({"deduction_id": d["id"], "receipt_number": format!("津财票2026-00020{n}"), "issued_on": d["settled_on"]}),
        );
        assert_eq!(r["amount"], d["deducted"]);
    }
    let e = illegal(
        c,
        "case.close",
        json!({"case_id": case_id, "on": "2026-06-12"}),
        "尚未开具财政票据",
    );
    assert!(e.message.contains("5,500.00"), "{}", e.message);
    refuse(
        c,
        "receipt.issue",
        json!({"deduction_id": deductions[5]["id"], "receipt_number": "津财票2026-000200", "issued_on": "2026-06-10"}),
    );
    call(
        c,
        "receipt.issue",
        json!({"deduction_id": deductions[5]["id"], "receipt_number": "津财票2026-000205", "issued_on": "2026-06-11"}),
    );
    let l = ledger(c, case_id);
    assert_eq!(l["totals"]["recovered"], "28000.01");
    assert_eq!(l["receipts"].as_array().unwrap().len(), 7);

    // The accounting view (004 art. 12): every receipt, debit 支出户存款; this year's money credits
    // 社会保险待遇支出, the prior years' 其他收入.
    let entries = call(
        c,
        "ledger.accounting",
        json!({"from": "2026-01-01", "to": "2026-12-31", "case_id": case_id}),
    );
    let entries = entries.as_array().unwrap();
    assert!(entries.iter().all(|e| e["debit"] == "支出户存款"));
    let total = |account: &str| -> recoup::Money {
        entries
            .iter()
            .filter(|e| e["credit"] == account)
            .map(|e| recoup::Money::parse(s(&e["amount"])).unwrap())
            .sum()
    };
    assert_eq!(
        total("BenefitExpenditure").to_string(),
        "23000.01",
        "10000.01 + 10000.00 + 3000 of 当年"
    );
    assert_eq!(total("OtherIncome").to_string(), "5000.00", "历年");
    let first = &entries[0];
    assert_eq!(
        (
            first["receipt_number"].as_str(),
            first["credit_label"].as_str()
        ),
        (Some("津财票2026-000101"), Some("社会保险待遇支出"))
    );
    assert!(s(&first["rule"]).contains("第十二条"));

    // The 工作台's year at a glance agrees with the case's own ledger (the only matter of the office).
    let totals = ledger(c, case_id)["totals"].clone();
    let year = call(
        c,
        "ledger.year_summary",
        json!({"year": 2026, "today": "2026-06-14"}),
    );
    for (summary, case) in [
        ("due", "due"),
        ("paid", "paid"),
        ("offset", "offset"),
        ("receipted", "recovered"),
        ("outstanding", "outstanding"),
    ] {
        assert_eq!(year[summary], totals[case], "{summary}: {year} vs {totals}");
    }
    assert_eq!(
        (year["overdue"].as_str(), year["overdue_matters"].as_i64()),
        (Some("0.00"), Some(0))
    );
    let before = call(
        c,
        "ledger.year_summary",
        json!({"year": 2025, "today": "2026-06-14"}),
    );
    assert_eq!(
        (before["due"].as_str(), before["paid"].as_str()),
        (Some("0.00"), Some("0.00"))
    );

    let d = call(
        c,
        "case.close",
        json!({"case_id": case_id, "on": "2026-06-15"}),
    );
    assert_eq!(d["case"]["status"], "Closed");
    // No offset and no payment on a closed case.
    illegal(
        c,
        "offset.create",
        json!({"case_id": case_id, "notice_number": "和医保抵〔2026〕3号", "requested_on": "2026-03-02", "approved_on": "2026-03-04"}),
        "已结案",
    );
    illegal(
        c,
        "payment.record",
        json!({"case_id": case_id, "paid_on": "2026-06-16", "amount": "1", "voucher": "x", "record_overpayment": true}),
        "已结案",
    );
    assert!(clocks(c, "2026-06-16").is_empty());
    let report = call(c, "audit.verify", json!({}));
    assert_eq!(report["ok"], true, "{report}");
}

// ---------------------------------------------------------------------------------------------
// Over-payment, erroneous payment refunded and paid again (004 art. 15)

#[test]
fn over_payment_refund_and_erroneous_payment_paid_again() {
    let o = Office::tianjin();
    let c = &o.core;
    let inst = o.institution("H12010100002", "和平区某诊所");
    let case_id = agreement_case(&o, inst, "2026-04-01")
        .line(json!({"fund": "EmployeeBasic", "year_kind": "PriorYears", "amount_due": "1000"}))
        .notified("2026-04-08")
        .served("2026-04-09")
        .waived("2026-04-10")
        .decided("2026-04-15", "2026-05-15")
        .decision_served("2026-04-16")
        .reported("2026-04-17")
        .id;
    // No collection terms yet: the receiving agency must be named.
    field(
        c,
        "payment.record",
        json!({"case_id": case_id, "paid_on": "2026-04-20", "amount": "1200", "voucher": "B1"}),
        "agency",
    );
    // An over-payment is refused unless confirmed; then kept as credit to refund.
    let p = json!({"case_id": case_id, "paid_on": "2026-04-20", "amount": "1200", "voucher": "B1", "agency": AGENCY});
    illegal(c, "payment.record", p.clone(), "记录多缴");
    let mut confirmed = p.clone();
    confirmed["record_overpayment"] = json!(true);
    let pay = call(c, "payment.record", confirmed);
    let pay_id = id(&pay);
    assert_eq!(pay["credit"], "200.00");
    assert_eq!(pay["allocations"][0]["amount"], "1000.00");
    // Refund before arrival is refused.
    illegal(
        c,
        "refund.request",
        json!({"payment_id": pay_id, "amount": "200", "reason": "多缴", "requested_on": "2026-04-21"}),
        "尚未确认到账",
    );
    call(
        c,
        "payment.confirm_arrival",
        json!({"id": pay_id, "date": "2026-04-21"}),
    );
    // The receipt covers the recovery, not the over-payment.
    let rc = call(
        c,
        "receipt.issue",
        json!({"payment_id": pay_id, "receipt_number": "津财票2026-000301", "issued_on": "2026-04-21"}),
    );
    assert_eq!(rc["amount"], "1000.00");
    let l = ledger(c, case_id);
    assert_eq!(
        (
            l["totals"]["credit"].as_str(),
            l["totals"]["recovered"].as_str()
        ),
        (Some("200.00"), Some("1000.00"))
    );
    let apr = call(c, "ledger.reconcile", json!({"month": "2026-04"}));
    assert_eq!(mismatches(&apr, "CreditNotRefunded").len(), 1);
    assert_eq!(
        recon_row(&apr, AGENCY, "EmployeeBasic")["arrived"],
        "1200.00"
    );

    // A refund reaching into receipted money needs the receipt voided first.
    illegal(
        c,
        "refund.request",
        json!({"payment_id": pay_id, "amount": "300", "reason": "多缴", "requested_on": "2026-04-22"}),
        "冲红",
    );
    let rf = call(
        c,
        "refund.request",
        json!({"payment_id": pay_id, "amount": "200", "reason": "多缴200元", "requested_on": "2026-04-22"}),
    );
    assert_eq!(rf["status"], "Requested");
    illegal(
        c,
        "case.close",
        json!({"case_id": case_id, "on": "2026-04-23"}),
        "退款申请尚未办结",
    );
    let rf = call(
        c,
        "refund.complete",
        json!({"id": id(&rf), "opinion": "同意退还多缴款", "date": "2026-04-24"}),
    );
    assert_eq!(
        (
            rf["from_credit"].as_str(),
            rf["from_lines"].as_array().map(Vec::len)
        ),
        (Some("200.00"), Some(0))
    );
    illegal(
        c,
        "refund.complete",
        json!({"id": id(&rf), "opinion": "x", "date": "2026-04-24"}),
        "已办结",
    );

    // The party then finds the payment itself wrong (004 art. 15): receipt voided, refund, pay again.
    let v = call(
        c,
        "receipt.void",
        json!({"id": id(&rc), "date": "2026-04-25", "reason": "缴款有误，申请退款"}),
    );
    assert_eq!(v["voided_on"], "2026-04-25");
    let rf = call(
        c,
        "refund.request",
        json!({"payment_id": pay_id, "amount": "1000", "reason": "缴款账户有误", "requested_on": "2026-04-25"}),
    );
    field(
        c,
        "refund.reject",
        json!({"id": id(&rf), "opinion": "", "date": "2026-04-26"}),
        "opinion",
    );
    let rf = call(
        c,
        "refund.complete",
        json!({"id": id(&rf), "opinion": "经核实属实，同意退款后重新缴款", "date": "2026-04-28"}),
    );
    assert_eq!(rf["from_lines"][0]["amount"], "1000.00");
    let l = ledger(c, case_id);
    assert_eq!(
        (
            l["totals"]["outstanding"].as_str(),
            l["totals"]["refunded"].as_str()
        ),
        (Some("1000.00"), Some("1200.00"))
    );
    assert_eq!(l["totals"]["recovered"], "0.00");
    assert_balanced(&l);

    // A re-payment that bounces is cancelled; the debt is back.
    let bounced = call(
        c,
        "payment.record",
        json!({"case_id": case_id, "paid_on": "2026-04-29", "amount": "1000", "voucher": "B2", "agency": AGENCY}),
    );
    assert_eq!(ledger(c, case_id)["totals"]["outstanding"], "0.00");
    field(
        c,
        "payment.cancel",
        json!({"id": id(&bounced), "date": "2026-04-30", "reason": ""}),
        "reason",
    );
    call(
        c,
        "payment.cancel",
        json!({"id": id(&bounced), "date": "2026-04-30", "reason": "银行退票"}),
    );
    assert_eq!(ledger(c, case_id)["totals"]["outstanding"], "1000.00");
    illegal(
        c,
        "payment.confirm_arrival",
        json!({"id": id(&bounced), "date": "2026-05-06"}),
        "已撤销",
    );
    // Paid again per 004 art. 9.
    let again = call(
        c,
        "payment.record",
        json!({"case_id": case_id, "paid_on": "2026-05-06", "amount": "1000.00", "voucher": "B3", "agency": AGENCY, "proof_received_on": "2026-05-07"}),
    );
    call(
        c,
        "payment.confirm_arrival",
        json!({"id": id(&again), "date": "2026-05-07"}),
    );
    illegal(
        c,
        "payment.cancel",
        json!({"id": id(&again), "date": "2026-05-08", "reason": "x"}),
        "已确认到账",
    );
    call(
        c,
        "receipt.issue",
        json!({"payment_id": id(&again), "receipt_number": "津财票2026-000302", "issued_on": "2026-05-08"}),
    );
    let l = ledger(c, case_id);
    assert_eq!(
        (
            l["totals"]["paid"].as_str(),
            l["totals"]["recovered"].as_str(),
            l["totals"]["credit"].as_str()
        ),
        (Some("1000.00"), Some("1000.00"), Some("0.00"))
    );
    assert_eq!(l["payments"].as_array().unwrap().len(), 3);
    assert_balanced(&l);
    // A cross-year line (历年) credits 其他收入 (004 art. 12).
    let entries = call(c, "ledger.accounting", json!({"case_id": case_id}));
    assert_eq!(
        entries.as_array().unwrap().len(),
        1,
        "the voided receipt has no entry"
    );
    assert_eq!(entries[0]["credit_label"], "其他收入");
    // Reconciliation of April: 1200 in, 1200 back; the voided receipt leaves nothing receipted.
    let apr = call(c, "ledger.reconcile", json!({"month": "2026-04"}));
    let row = recon_row(&apr, AGENCY, "EmployeeBasic");
    assert_eq!(
        (
            row["arrived"].as_str(),
            row["refunded"].as_str(),
            row["received"].as_str()
        ),
        (Some("1200.00"), Some("1200.00"), Some("0.00"))
    );
    assert!(mismatches(&apr, "CreditNotRefunded").is_empty());
    // A fine is an administrative penalty: not on an agreement case.
    illegal(
        c,
        "fine.create",
        json!({"case_id": case_id, "amount": "100", "decision_number": "x", "decided_on": "2026-04-15"}),
        "行政执法",
    );
    let d = call(
        c,
        "case.close",
        json!({"case_id": case_id, "on": "2026-05-11"}),
    );
    assert_eq!(d["case"]["status"], "Closed");
    assert_eq!(call(c, "audit.verify", json!({}))["ok"], true);
}

// ---------------------------------------------------------------------------------------------
// Fine paid late: 15 days from service rolled past National Day, 3 %/day capped at the fine

/// An administrative case against `inst` with a fine of 20,000 yuan (2 × 10,000), decided on
/// 2026-09-14 and served on 2026-09-16 (due 2026-10-08 after National Day); `n` numbers its papers.
fn fined_case(o: &Office, inst: i64, n: u32) -> i64 {
    CaseBuilder::administrative(o, inst)
        .filed("2026-07-01")
        .finding("串换药品", "条例第三十八条", "10000")
        .evidence("书证", "结算清单", "2026-07-02")
        .line(json!({"fund": "职工基本医保", "year_kind": "当年", "category": "住院费", "amount_due": "10000"}))
        .notified_with(
            "2026-08-03",
            json!({"document_number": format!("和医保告〔2026〕{n}号"), "proposed_fine": "20000"}),
        )
        .served("2026-08-04")
        .waived_with("2026-08-05", json!({"summary": "放弃"}))
        .legal_reviewed("2026-08-20")
        .decided_with(
            "2026-09-14",
            json!({"document_number": format!("和医保罚〔2026〕{n}号"), "payment_due": "2026-10-15",
                   "fine": "20000", "fine_multiple": "2",
                   "fine_basis": "《医疗保障基金使用监督管理条例》第三十八条"}),
        )
        .decision_served("2026-09-16")
        .id
}

#[test]
fn fine_paid_late_with_capped_surcharge_and_a_court_demand() {
    let o = Office::tianjin();
    let c = &o.core;
    let inst = o.institution("H12010100003", "和平区某民营医院");
    let case_id = fined_case(&o, inst, 7);

    // The fine's amount comes from the decision; a different one is refused.
    field(
        c,
        "fine.create",
        json!({"case_id": case_id, "amount": "19999"}),
        "amount",
    );
    // The fine runs from the service on the 送达回证 that part A recorded; another date is refused.
    field(
        c,
        "fine.create",
        json!({"case_id": case_id, "served_on": "2026-09-17"}),
        "served_on",
    );
    // 行政处罚法 art. 67: 15 days from service; 2026-09-16 + 15 = 10-01, inside National Day
    // (10-01..10-07) → the next working day, Thursday 2026-10-08 (art. 85).
    let f = call(c, "fine.create", json!({"case_id": case_id}));
    let fine_id = id(&f);
    assert_eq!(f["served_on"], "2026-09-16");
    assert_eq!(
        (f["amount"].as_str(), f["decision_number"].as_str()),
        (Some("20000.00"), Some("和医保罚〔2026〕7号"))
    );
    assert_eq!(f["due_on"], "2026-10-08");
    assert_eq!(
        f["paid_to"], "国库（非税收入，收支两条线）",
        "000 art. 4; 001 art. 47"
    );
    assert!(f["warnings"].as_array().unwrap().is_empty());
    refuse(
        c,
        "fine.create",
        json!({"case_id": case_id, "served_on": "2026-09-16"}),
    );

    // Clocks: due soon on the day, then overdue with the surcharge named.
    assert_eq!(
        clocks_of(&clocks(c, "2026-10-08"), "Fine")[0]["state"],
        "DueSoon"
    );
    let late = clocks_of(&clocks(c, "2026-10-09"), "Fine");
    assert_eq!(late[0]["state"], "Overdue");
    assert!(
        s(&late[0]["label"]).contains("逾期1日，加处罚款 600.00 元"),
        "{}",
        late[0]["label"]
    );
    let capped = clocks_of(&clocks(c, "2026-11-12"), "Fine");
    assert!(
        s(&capped[0]["label"]).contains("已达上限"),
        "{}",
        capped[0]["label"]
    );
    let st = &call(
        c,
        "fine.list",
        json!({"id": fine_id, "as_of": "2026-10-20"}),
    )[0]["status"];
    assert_eq!(
        (st["days_late"].as_i64(), st["surcharge"].as_str()),
        (Some(12), Some("7200.00"))
    );

    // Court enforcement (行政强制法 art. 53–55): no demand before the period is over; after the
    // demand, 10 working days and the 6-month litigation period must run out first.
    illegal(
        c,
        "referral.demand",
        json!({"case_id": case_id, "fine_id": fine_id, "court": "天津市和平区人民法院", "demand_issued_on": "2026-10-08"}),
        "尚未届满",
    );
    let rf = call(
        c,
        "referral.demand",
        json!({"case_id": case_id, "fine_id": fine_id, "court": "天津市和平区人民法院", "demand_issued_on": "2026-10-20", "demand_served_on": "2026-10-21"}),
    );
    assert_eq!(rf["status"], "Demanded");
    assert_eq!(rf["decision_served_on"], "2026-09-16");
    // The 催告书 (行政强制法 art. 35, 54) records that demand: its date is the demand's, it names
    // the decision, what is still owed with the 加处罚款, ten days, and the right to state a case.
    let demand = call(
        c,
        "document.preview",
        json!({"case_id": case_id, "kind": "DemandNotice"}),
    );
    let text = pdf_text(&pdf_of(&demand));
    for part in [
        "催告书",
        "2026年9月16日",
        "《行政处罚决定书》（和医保罚〔2026〕7号）",
        "于2026年10月8日前缴纳罚款人民币20,000.00元",
        // 20,000 + 12 days × 3 % × 20,000 = 27,200.00 owed on 2026-10-20.
        "贰万柒仟贰佰元整（¥27,200.00）",
        "其中包括依法加处的罚款人民币7,200.00元",
        "《中华人民共和国行政强制法》第三十五条、第五十四条",
        "自收到本催告书之日起10日内",
        "陈述和申辩的权利",
        "申请人民法院强制执行",
        "2026年10月20日",
    ] {
        assert!(text.contains(part), "{part} in {text}");
    }
    // A date other than the demand's is refused: the paper records that step.
    field(
        c,
        "document.issue",
        json!({"case_id": case_id, "kind": "DemandNotice", "issued_on": "2026-10-22"}),
        "issued_on",
    );
    // Litigation until 2027-03-16 (行政诉讼法 art. 46); apply from the day after, by 2027-06-16.
    assert_eq!(rf["apply_from"], "2027-03-17");
    assert_eq!(rf["apply_by"], "2027-06-16");
    assert!(
        s(&rf["warnings"][0]).contains("2027年"),
        "no 2027 holiday data yet: {}",
        rf["warnings"]
    );
    illegal(
        c,
        "referral.apply",
        json!({"id": id(&rf), "date": "2026-11-05"}),
        "最早可于2027年3月17日",
    );

    // Paid on 2026-11-12: 35 days late, 3 % × 35 = 105 % → capped at the fine (行政处罚法 art. 72).
    illegal(
        c,
        "fine.pay",
        json!({"fine_id": fine_id, "paid_on": "2026-11-12", "amount": "40000.01", "voucher": "FS-1"}),
        "40,000.00",
    );
    let f = call(
        c,
        "fine.pay",
        json!({"fine_id": fine_id, "paid_on": "2026-11-12", "amount": "40000", "voucher": "FS-1"}),
    );
    assert_eq!(f["status"]["days_late"], 35);
    assert_eq!(f["status"]["surcharge"], "20000.00");
    assert_eq!(f["status"]["outstanding"], "0.00");
    assert_eq!(
        (
            f["payments"][0]["principal"].as_str(),
            f["payments"][0]["surcharge"].as_str()
        ),
        (Some("20000.00"), Some("20000.00"))
    );
    illegal(
        c,
        "fine.pay",
        json!({"fine_id": fine_id, "paid_on": "2026-11-13", "amount": "1", "voucher": "FS-2"}),
        "已缴清",
    );
    assert!(clocks_of(&clocks(c, "2026-11-13"), "Fine").is_empty());
    call(
        c,
        "referral.close",
        json!({"id": id(&rf), "date": "2026-11-13", "outcome": "当事人已缴清罚款及加处罚款，不再申请强制执行"}),
    );

    // The recovered funds, paid late too, carry no surcharge (DOMAIN §2): exactly what is due.
    illegal(
        c,
        "payment.record",
        json!({"case_id": case_id, "paid_on": "2026-11-02", "amount": "10000.01", "voucher": "NY1102", "agency": AGENCY}),
        "多缴",
    );
    let p = call(
        c,
        "payment.record",
        json!({"case_id": case_id, "paid_on": "2026-11-02", "amount": "10000", "voucher": "NY1102", "agency": AGENCY, "arrived_on": "2026-11-03", "proof_received_on": "2026-11-03"}),
    );
    let e = illegal(
        c,
        "case.close",
        json!({"case_id": case_id, "on": "2026-11-16"}),
        "财政票据",
    );
    assert!(
        !e.message.contains("罚款尚欠"),
        "the fine is paid: {}",
        e.message
    );
    call(
        c,
        "receipt.issue",
        json!({"payment_id": id(&p), "receipt_number": "津财票2026-000401", "issued_on": "2026-11-04"}),
    );
    // Fines never reach the fund's books (000 art. 4): one entry, the recovery.
    let entries = call(c, "ledger.accounting", json!({"case_id": case_id}));
    assert_eq!(entries.as_array().unwrap().len(), 1);
    assert_eq!(entries[0]["amount"], "10000.00");
    assert_eq!(
        entries[0]["credit_label"], "社会保险待遇支出",
        "2026 money received in 2026"
    );
    let l = ledger(c, case_id);
    assert_eq!(l["fines"][0]["status"]["outstanding"], "0.00");
    assert_eq!(l["referrals"][0]["status"], "Closed");
    let d = call(
        c,
        "case.close",
        json!({"case_id": case_id, "on": "2026-11-16"}),
    );
    assert_eq!(d["case"]["status"], "Closed");
    assert_eq!(call(c, "audit.verify", json!({}))["ok"], true);
}

#[test]
fn an_unpaid_fine_blocks_closing_and_other_referrals_need_a_reason() {
    let o = Office::tianjin();
    let c = &o.core;
    let inst = o.institution("H12010100004", "和平区某药房");
    let case = CaseBuilder::administrative(&o, inst)
        .summary("欺诈骗保")
        .filed("2026-06-01")
        .finding("伪造处方", "条例第四十条", "3000")
        .evidence("书证", "处方", "2026-06-02")
        .line(json!({"fund": "居民基本医保", "year_kind": "当年", "category": "门诊费", "amount_due": "3000"}))
        .notified_with(
            "2026-06-08",
            json!({"document_number": "和医保告〔2026〕8号", "proposed_fine": "6000"}),
        )
        .served_with("2026-06-09", json!({"recipient": "孙某"}))
        .waived_with("2026-06-10", json!({"summary": "放弃"}))
        .legal_reviewed("2026-06-22")
        .decided_with(
            "2026-06-24",
            json!({"document_number": "和医保罚〔2026〕8号", "payment_due": "2026-07-24",
                   "fine": "6000", "fine_multiple": "2", "fine_basis": "条例第四十条"}),
        );
    let case_id = case.id;
    // Registered before the decision is served: no due date yet.
    let f = call(c, "fine.create", json!({"case_id": case_id}));
    assert!(f["due_on"].is_null(), "not served yet: no due date");
    case.decision_served_with("2026-06-29", json!({"recipient": "孙某"}));
    // The date must be the one on the 送达回证 (行政处罚法 art. 61, 67).
    field(
        c,
        "fine.serve",
        json!({"id": id(&f), "served_on": "2026-06-25"}),
        "served_on",
    );
    // 2026-06-29 + 15 = 07-14 (Tuesday).
    let f = call(
        c,
        "fine.serve",
        json!({"id": id(&f), "served_on": "2026-06-29"}),
    );
    assert_eq!(f["due_on"], "2026-07-14");
    refuse(
        c,
        "fine.serve",
        json!({"id": id(&f), "served_on": "2026-06-29"}),
    );
    let p = call(
        c,
        "payment.record",
        json!({"case_id": case_id, "paid_on": "2026-07-01", "amount": "3000", "voucher": "Z1", "agency": AGENCY, "arrived_on": "2026-07-02", "proof_received_on": "2026-07-02"}),
    );
    call(
        c,
        "receipt.issue",
        json!({"payment_id": id(&p), "receipt_number": "津财票2026-000501", "issued_on": "2026-07-03"}),
    );
    // The check runs as of today (long past 34 days late): 6000 + the surcharge capped at 6000.
    let e = illegal(
        c,
        "case.close",
        json!({"case_id": case_id, "on": "2026-08-03"}),
        "罚款尚欠",
    );
    assert!(e.message.contains("12,000.00"), "{}", e.message);
    let st = &call(
        c,
        "fine.list",
        json!({"case_id": case_id, "as_of": "2026-08-03"}),
    )[0]["status"];
    assert_eq!(
        (st["days_late"].as_i64(), st["outstanding"].as_str()),
        (Some(20), Some("9600.00")),
        "6000 + 3 % × 20 days"
    );
    // Handing the matter to the police needs a body and a reason; court enforcement needs a demand.
    field(
        c,
        "referral.create",
        json!({"case_id": case_id, "kind": "移送司法", "to_body": "", "referred_on": "2026-08-03", "reason": "涉嫌诈骗"}),
        "to_body",
    );
    field(
        c,
        "referral.create",
        json!({"case_id": case_id, "kind": "CourtEnforcement", "to_body": "法院", "referred_on": "2026-08-03", "reason": "x"}),
        "kind",
    );
    let r = call(
        c,
        "referral.create",
        json!({"case_id": case_id, "kind": "移送司法", "to_body": "天津市公安局和平分局", "referred_on": "2026-08-03", "reason": "伪造处方骗取医保基金，涉嫌诈骗罪"}),
    );
    assert_eq!(
        (r["kind"].as_str(), r["status"].as_str()),
        (Some("Judicial"), Some("Referred"))
    );
    assert_eq!(call(c, "audit.verify", json!({}))["ok"], true);
}

// ---------------------------------------------------------------------------------------------
// Self-correction (004 附件2/3) feeding the same ledger

#[test]
fn self_correction_of_an_institution_and_of_an_insured_person() {
    let o = Office::tianjin();
    let c = &o.core;
    let inst = o.institution("H12010100005", "和平区某社区卫生服务中心");
    // 附件2 requires the type, at least one line, the year of each line; 违约金 is not on the form.
    let base = json!({"form_number": "ZC-2026-001", "party_kind": "定点医药机构", "institution_id": inst,
                      "organizer": "医疗保障经办机构组织", "organizer_name": "和平区医保中心", "agency": AGENCY,
                      "submitted_on": "2026-03-10", "contact": "刘某", "phone": "022-1"});
    field(c, "self_correction.create", base.clone(), "lines");
    let mut bad = base.clone();
    bad["lines"] = json!([{"year_kind": "当年", "category": "违约金", "amount": "1"}]);
    field(c, "self_correction.create", bad, "lines");
    let mut bad = base.clone();
    bad["lines"] = json!([{"fund": "EmployeeBasic", "amount": "1"}]);
    let e = field(c, "self_correction.create", bad, "lines");
    assert!(e.message.contains("所属年份"), "{}", e.message);

    // Unknown fund 1000.01 of 当年 住院费 → 500.01 employee, 500.00 resident (004 art. 8); 200 of
    // employee prior years. Two transfers, one per fund account, handed in with the form.
    let mut form = base.clone();
    form["lines"] = json!([
        {"year_kind": "当年", "category": "住院费", "amount": "1000.01"},
        {"fund": "职工基本医保", "year_kind": "历年", "amount": "200"}
    ]);
    form["payments"] = json!([
        {"fund": "EmployeeBasic", "paid_on": "2026-03-09", "amount": "700.01", "voucher": "ZC-E-1", "arrived_on": "2026-03-10"},
        {"fund": "ResidentBasic", "paid_on": "2026-03-09", "amount": "500", "voucher": "ZC-R-1"}
    ]);
    let sc = call(c, "self_correction.create", form.clone());
    refuse(c, "self_correction.create", form);
    assert_eq!(sc["uid"], "120101-SC1");
    assert_eq!(sc["totals"]["due"], "1200.01");
    assert_eq!(sc["totals"]["paid"], "1200.01");
    assert_eq!(sc["totals"]["outstanding"], "0.00");
    let halves: Vec<(&str, &str)> = sc["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["category"] == "Inpatient")
        .map(|l| (s(&l["fund"]), s(&l["due"])))
        .collect();
    assert_eq!(
        halves,
        [("EmployeeBasic", "500.01"), ("ResidentBasic", "500.00")]
    );
    // The form and the voucher copies came together: no proof clock (004 art. 9(2)).
    assert!(sc["payments"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["proof_received_on"] == "2026-03-10"));
    let employee = sc["payments"][0].clone();
    let resident = sc["payments"][1].clone();
    illegal(
        c,
        "receipt.issue",
        json!({"payment_id": resident["id"], "receipt_number": "津财票2026-000601", "issued_on": "2026-03-11"}),
        "尚未确认到账",
    );
    call(
        c,
        "payment.confirm_arrival",
        json!({"id": resident["id"], "date": "2026-03-11"}),
    );
    call(
        c,
        "receipt.issue",
        json!({"payment_id": employee["id"], "receipt_number": "津财票2026-000601", "issued_on": "2026-03-11"}),
    );
    call(
        c,
        "receipt.issue",
        json!({"payment_id": resident["id"], "receipt_number": "津财票2026-000602", "issued_on": "2026-03-12"}),
    );
    let sc = call(c, "self_correction.get", json!({"id": sc["id"]}));
    assert_eq!(sc["totals"]["recovered"], "1200.01");
    // Current-year money received this year → 社会保险待遇支出; prior years → 其他收入 (004 art. 12).
    let entries = call(
        c,
        "ledger.accounting",
        json!({"self_correction_id": sc["id"]}),
    );
    let by = |fund: &str, credit: &str| -> Vec<String> {
        entries
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["fund"] == fund && e["credit"] == credit)
            .map(|e| s(&e["amount"]).to_string())
            .collect()
    };
    assert_eq!(by("EmployeeBasic", "BenefitExpenditure"), ["500.01"]);
    assert_eq!(by("EmployeeBasic", "OtherIncome"), ["200.00"]);
    assert_eq!(by("ResidentBasic", "BenefitExpenditure"), ["500.00"]);

    // 附件3: an insured person, 参保类别 and one amount; the APP is for insured persons only.
    let person = InsuredBuilder::new()
        .scheme("居民")
        .phone("13800000000")
        .address("和平区")
        .create(c);
    let ins = json!({"form_number": "ZC-2026-002", "party_kind": "参保人员", "insured_id": person, "scheme": "城乡居民基本医疗保险",
                     "amount": "356.80", "agency": AGENCY, "submitted_on": "2026-03-16", "phone": "13800000000",
                     "payments": [{"paid_on": "2026-03-16", "amount": "356.80", "voucher": "APP-20260316-1", "method": "津医保APP", "arrived_on": "2026-03-17"}]});
    let mut bad = ins.clone();
    bad["scheme"] = json!("EmployeeLargeAmount");
    let e = field(c, "self_correction.create", bad, "scheme");
    assert!(
        e.message.contains("职工基本医疗保险或居民基本医疗保险"),
        "{}",
        e.message
    );
    let mut bad = ins.clone();
    bad["agent_name"] = json!("王小某");
    bad["agent_id_number"] = json!("110105194912310021");
    field(c, "self_correction.create", bad, "agent_id_number");
    let mut with_agent = ins.clone();
    with_agent["agent_name"] = json!("王小某");
    with_agent["agent_id_number"] = json!("11010519491231002X");
    let sc2 = call(c, "self_correction.create", with_agent);
    assert!(
        sc2["lines"][0]["year_kind"].is_null(),
        "附件3 has no year split"
    );
    // Paid through the APP: the arrival confirmation is the final proof (004 art. 11(2)).
    assert_eq!(sc2["payments"][0]["status"], "Recovered");
    assert_eq!(sc2["totals"]["recovered"], "356.80");
    illegal(
        c,
        "receipt.issue",
        json!({"payment_id": sc2["payments"][0]["id"], "receipt_number": "津财票2026-000603", "issued_on": "2026-03-18"}),
        "到账确认",
    );
    let entries = call(
        c,
        "ledger.accounting",
        json!({"self_correction_id": sc2["id"]}),
    );
    assert_eq!(entries.as_array().unwrap().len(), 1);
    assert!(entries[0]["receipt_number"].is_null());
    assert_eq!(
        entries[0]["credit_label"], "其他收入",
        "year unknown → cross-year (004 art. 12)"
    );
    assert!(s(&entries[0]["rule"]).contains("无法区分当年和历年"));
    // The APP is refused for an institution's form and for a case.
    field(
        c,
        "payment.record",
        json!({"self_correction_id": 1, "paid_on": "2026-03-18", "amount": "1", "voucher": "x", "method": "App", "record_overpayment": true}),
        "method",
    );

    // The March reconciliation sees both forms, per agency and fund.
    let mar = call(c, "ledger.reconcile", json!({"month": "2026-03"}));
    assert_eq!(
        recon_row(&mar, AGENCY, "EmployeeBasic")["notices_issued"],
        "700.01"
    );
    assert_eq!(
        recon_row(&mar, AGENCY, "ResidentBasic")["notices_issued"],
        "856.80"
    );
    assert_eq!(
        recon_row(&mar, AGENCY, "ResidentBasic")["received"],
        "856.80"
    );
    assert_eq!(
        recon_row(&mar, AGENCY, "ResidentBasic")["receipted"],
        "856.80"
    );
    assert!(mar["mismatches"].as_array().unwrap().is_empty(), "{mar}");
    let page = call(c, "self_correction.list", json!({"institution_id": inst}));
    assert_eq!(page["total"], 1);
    // The 自查自纠 list (issue 8): search by form number or party name, party kind, 提交日期 range,
    // newest or oldest first. One institution's form (03-10) and the insured person's (03-16).
    let numbers = |q: Value| -> Vec<String> {
        call(c, "self_correction.list", q)["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["form_number"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(numbers(json!({})), ["ZC-2026-002", "ZC-2026-001"]);
    assert_eq!(
        numbers(json!({"oldest_first": true})),
        ["ZC-2026-001", "ZC-2026-002"]
    );
    assert_eq!(numbers(json!({"query": "社区卫生"})), ["ZC-2026-001"]);
    assert_eq!(numbers(json!({"query": "王某"})), ["ZC-2026-002"]);
    assert_eq!(numbers(json!({"query": "2026-002"})), ["ZC-2026-002"]);
    assert_eq!(numbers(json!({"party_kind": "Insured"})), ["ZC-2026-002"]);
    assert_eq!(
        numbers(json!({"party_kind": "Institution"})),
        ["ZC-2026-001"]
    );
    assert_eq!(
        numbers(json!({"submitted_from": "2026-03-11", "submitted_to": "2026-03-31"})),
        ["ZC-2026-002"]
    );
    let e = c
        .call(
            "self_correction.list",
            json!({"submitted_from": "2026-03-31", "submitted_to": "2026-03-01"}),
        )
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("submitted_from"));
    assert_eq!(call(c, "audit.verify", json!({}))["ok"], true);
}

// ---------------------------------------------------------------------------------------------
// The CLI (`recoup call`) runs the same commands and prints the Chinese refusal

#[test]
fn the_cli_records_a_self_correction_and_refuses_a_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let run = |cmd: &str, payload: Value| {
        crate::common::cli(&db)
            .args(["call", cmd, &payload.to_string()])
            .output()
            .unwrap()
    };
    crate::common::cli_init(&db, "120101", "天津市和平区医疗保障局");
    let out = run(
        "insured.create",
        json!({"id_number": "11010519491231002X", "name": "王某", "scheme": "职工", "phone": "1", "address": "x"}),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let form = json!({"form_number": "ZC-CLI-1", "party_kind": "Insured", "insured_id": 1, "scheme": "EmployeeBasic",
                      "amount": "88.00", "agency": AGENCY, "submitted_on": "2026-03-16",
                      "payments": [{"paid_on": "2026-03-16", "amount": "88", "voucher": "CLI-1", "method": "转账汇款"}]});
    let out = run("self_correction.create", form.clone());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["totals"]["paid"], "88.00");
    assert_eq!(v["payments"][0]["proof_due_on"], "2026-03-19");
    let out = run("self_correction.create", form);
    assert!(!out.status.success());
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("已登记过"), "{text}");
}

#[test]
fn the_year_at_a_glance_counts_what_is_owed_and_overdue() {
    let o = Office::tianjin();
    let c = &o.core;
    let inst = o.institution("H12010100001", "和平区某医院");
    let case_id = agreement_case(&o, inst, "2026-01-05")
        .line(json!({"fund": "职工基本医保", "year_kind": "当年", "category": "门诊费", "amount_due": "12345.67"}))
        .notified("2026-01-12")
        .served("2026-01-13")
        .waived("2026-01-14")
        .decided("2026-01-20", "2026-03-06")
        .id;
    call(
        c,
        "payment.record",
        json!({"case_id": case_id, "paid_on": "2026-02-13", "amount": "2345.67", "voucher": "NY0213", "fund": "EmployeeBasic", "agency": "天津市和平区医疗保障基金管理中心"}),
    );
    // 我的待办 of the administrator, who holds every role: the payment waits for its arrival.
    let tasks = call(c, "task.mine", json!({}));
    let group = |label: &str| {
        tasks
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["label"] == label)
            .unwrap_or_else(|| panic!("{label} in {tasks}"))
            .clone()
    };
    let arrival = group("已登记、待确认到账的缴款");
    assert_eq!(
        (arrival["total"].as_i64(), arrival["role"].as_str()),
        (Some(1), Some("Finance"))
    );
    assert_eq!(arrival["items"][0]["case_id"], case_id);
    assert_eq!(arrival["items"][0]["party"], "和平区某医院");
    assert_eq!(group("已告知、待作出决定")["total"], 0, "decided already");
    assert_eq!(
        group("我承办的未结案件")["total"],
        0,
        "张三 handles it, not the administrator"
    );
    let at = |today: &str| call(c, "ledger.year_summary", json!({ "today": today }));
    // Before the 退缴时限 (004 art. 8): owed, not overdue.
    let y = at("2026-03-06");
    assert_eq!(y["year"], 2026);
    assert_eq!(
        (
            y["due"].as_str(),
            y["paid"].as_str(),
            y["receipted"].as_str()
        ),
        (Some("12345.67"), Some("2345.67"), Some("0.00")),
        "nothing is recovered before its fiscal receipt (004 art. 11)"
    );
    assert_eq!(
        (y["outstanding"].as_str(), y["overdue"].as_str()),
        (Some("10000.00"), Some("0.00"))
    );
    // The day after: overdue.
    let y = at("2026-03-07");
    assert_eq!(
        (y["overdue"].as_str(), y["overdue_matters"].as_i64()),
        (Some("10000.00"), Some(1))
    );
    let e = c
        .call("ledger.year_summary", json!({"year": 1999}))
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("year"));
}

#[test]
fn the_same_voucher_twice_is_refused_until_confirmed() {
    // Issue 12: a double click or a retry after a crash must not record the same money twice.
    let o = Office::tianjin();
    let c = &o.core;
    let inst = o.institution("H12010100001", "和平区某医院");
    let case_id = agreement_case(&o, inst, "2026-01-05")
        .line(json!({"fund": "职工基本医保", "year_kind": "当年", "category": "门诊费", "amount_due": "5000"}))
        .notified("2026-01-12")
        .served("2026-01-13")
        .waived("2026-01-14")
        .decided("2026-01-20", "2026-03-06")
        .id;
    let pay = |extra: Value| {
        merged(
            json!({"case_id": case_id, "paid_on": "2026-02-13", "amount": "1000", "voucher": "NY0213",
                   "agency": "天津市和平区医疗保障基金管理中心"}),
            extra,
        )
    };
    let first = call(c, "payment.record", pay(Value::Null));
    let e = refuse(c, "payment.record", pay(Value::Null));
    assert_eq!(
        (e.code, e.field.as_deref()),
        (recoup::ErrorCode::Conflict, Some("voucher"))
    );
    assert!(
        e.message.contains("2026年2月13日") && e.message.contains("1,000.00元"),
        "{}",
        e.message
    );
    // Confirmed as another payment with the same number: recorded.
    call(
        c,
        "payment.record",
        pay(json!({"confirm_duplicate_voucher": true})),
    );
    assert_eq!(ledger(c, case_id)["totals"]["paid"], "2000.00");
    // A cancelled payment's number is free again.
    call(
        c,
        "payment.cancel",
        json!({"id": first["id"], "date": "2026-02-20", "reason": "银行退票"}),
    );
    let e = refuse(c, "payment.record", pay(Value::Null));
    assert_eq!(
        e.field.as_deref(),
        Some("voucher"),
        "the second is still there"
    );
}

#[test]
fn a_repeated_request_id_records_the_money_once() {
    // Issue 12: the UI sends one request id per form opening; a double click or a retry after a
    // lost answer returns the first result and writes nothing.
    let o = Office::tianjin();
    let c = &o.core;
    let inst = o.institution("H12010100001", "和平区某医院");
    let case_id = agreement_case(&o, inst, "2026-01-05")
        .line(json!({"fund": "职工基本医保", "year_kind": "当年", "category": "门诊费", "amount_due": "5000"}))
        .notified("2026-01-12")
        .served("2026-01-13")
        .waived("2026-01-14")
        .decided("2026-01-20", "2026-03-06")
        .id;
    let rid = "6f1c2a8e-3b5d-4c7e-9a10-2b3c4d5e6f70";
    let pay = json!({"case_id": case_id, "paid_on": "2026-02-13", "amount": "1000", "voucher": "NY0213",
                     "agency": AGENCY, "request_id": rid});
    let first = call(c, "payment.record", pay.clone());
    let entries = audit_entries(c);
    let again = call(c, "payment.record", pay.clone());
    assert_eq!(again, first, "the repeat answers with the first result");
    assert_eq!(audit_entries(c), entries, "the repeat writes nothing");
    assert_eq!(ledger(c, case_id)["totals"]["paid"], "1000.00");
    // The same id with other content is refused, nothing written.
    let e = refuse(
        c,
        "payment.record",
        merged(pay.clone(), json!({"amount": "2000"})),
    );
    assert_eq!(e.code, recoup::ErrorCode::Conflict, "{e:?}");
    // Nor may it be reused by another command.
    let e = refuse(
        c,
        "payment.confirm_arrival",
        json!({"id": id(&first), "date": "2026-02-14", "request_id": rid}),
    );
    assert_eq!(e.code, recoup::ErrorCode::Conflict, "{e:?}");
    // A refused first attempt keeps nothing: the same id then goes through once fixed.
    let rid2 = "a0000000-0000-4000-8000-000000000002";
    field(
        c,
        "payment.record",
        json!({"case_id": case_id, "paid_on": "2026-02-13", "amount": "500", "request_id": rid2}),
        "voucher",
    );
    let second = call(
        c,
        "payment.record",
        json!({"case_id": case_id, "paid_on": "2026-02-13", "amount": "500", "voucher": "NY0214",
               "agency": AGENCY, "request_id": rid2}),
    );
    assert_ne!(id(&second), id(&first));
    // Arrival, receipt and fine payments are idempotent the same way.
    let arrive = json!({"id": id(&first), "date": "2026-02-14", "request_id": "arrival-0000001"});
    let a1 = call(c, "payment.confirm_arrival", arrive.clone());
    let n = audit_entries(c);
    assert_eq!(call(c, "payment.confirm_arrival", arrive), a1);
    assert_eq!(audit_entries(c), n);
    let receipt = json!({"payment_id": id(&first), "receipt_number": "JS0001", "issued_on": "2026-02-15",
                         "request_id": "receipt-0000001"});
    let r1 = call(c, "receipt.issue", receipt.clone());
    assert_eq!(call(c, "receipt.issue", receipt), r1);
    assert_eq!(ledger(c, case_id)["totals"]["paid"], "1500.00");
    // A malformed id is refused naming the field.
    for bad in [
        json!("short"),
        json!(12345678),
        json!("有中文的编号有中文的编号"),
        json!("x".repeat(65)),
    ] {
        field(
            c,
            "payment.record",
            merged(pay.clone(), json!({"request_id": bad})),
            "request_id",
        );
    }
    // Every money command takes one.
    let money = recoup::api::idempotent_commands();
    for cmd in [
        "payment.record",
        "payment.confirm_arrival",
        "receipt.issue",
        "refund.request",
        "refund.complete",
        "offset.deduct",
        "fine.pay",
    ] {
        assert!(money.contains(&cmd), "{cmd} takes a request id");
    }
}

// ---------------------------------------------------------------------------------------------
// 不可抗力 (004 art. 14 ¶2): the refund deadline extended at the party's written request

#[test]
fn the_refund_deadline_is_extended_for_force_majeure_with_its_reason() {
    let o = Office::tianjin();
    let c = &o.core;
    let case_id = decided_in_april(&o, "H12010100003", "和平区某门诊部");
    let ask = |extra: Value| {
        merged(
            json!({"case_id": case_id, "requested_on": "2026-05-08", "on": "2026-05-11",
                   "new_due": "2026-06-15", "approver_id": o.approver,
                   "reason": "当事人所在地遭受洪涝灾害，账户冻结无法转账"}),
            extra,
        )
    };
    // The new deadline must be later than the old one; the reason is required; the request
    // cannot precede the decision; only an approver signs.
    field(
        c,
        "case.extend_payment",
        ask(json!({"new_due": "2026-05-15"})),
        "new_due",
    );
    field(
        c,
        "case.extend_payment",
        ask(json!({"reason": " "})),
        "reason",
    );
    field(
        c,
        "case.extend_payment",
        ask(json!({"requested_on": "2026-04-14"})),
        "requested_on",
    );
    field(
        c,
        "case.extend_payment",
        ask(json!({"approver_id": o.handler})),
        "approver_id",
    );
    let before = clocks(c, "2026-05-20");
    assert_eq!(
        clocks_of(&before, "Payment")[0]["state"],
        "Overdue",
        "without the extension the payment is late on 2026-05-20"
    );
    let d = call(c, "case.extend_payment", ask(Value::Null));
    assert_eq!(d["decision"]["payment_due"], "2026-06-15");
    let step = d["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "PaymentExtended")
        .expect("the extension is a step of the case");
    let note = step["note"].as_str().unwrap();
    assert!(note.contains("洪涝灾害"), "{note}");
    assert!(
        note.contains("由2026年5月15日延长至2026年6月15日"),
        "{note}"
    );
    // 天津's preset cites its own article; the national base has none to cite.
    assert!(note.contains("第十四条"), "{note}");
    // The clocks follow the new deadline: not overdue on 2026-05-20 any more.
    let after = clocks(c, "2026-05-20");
    let pay = clocks_of(&after, "Payment");
    assert_eq!(pay[0]["due_on"], "2026-06-15");
    assert_ne!(pay[0]["state"], "Overdue");
}

// ---------------------------------------------------------------------------------------------
// 医保信息平台 (004 art. 9, 11): what was entered, and what is not yet

#[test]
fn the_notice_voucher_and_receipt_record_their_entry_in_the_platform() {
    let o = Office::tianjin();
    let c = &o.core;
    let case_id = decided_in_april(&o, "H12010100004", "和平区某药店");
    let pending = |c: &Core| call(c, "platform.pending", json!({}));
    assert_eq!(pending(c)["total"], 0);
    call(
        c,
        "collection.set",
        json!({"case_id": case_id, "notice_number": "和医保追〔2026〕7号", "issued_on": "2026-04-16", "agency": AGENCY,
               "account_name": "天津市医疗保障基金管理中心", "bank": "中国农业银行天津和平支行",
               "account_number": "02160001040042313"}),
    );
    let p = call(
        c,
        "payment.record",
        json!({"case_id": case_id, "paid_on": "2026-04-20", "amount": "1000", "voucher": "NY0420"}),
    );
    let payment_id = id(&p);
    assert_eq!(p["platform_entered_on"], Value::Null);
    // A voucher is entered once it was handed in (004 art. 9): not listed before.
    let list = pending(c);
    let kinds: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["item"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["Notice"]);
    assert_eq!(list["items"][0]["reference"], c_number(c, case_id));
    assert_eq!(list["items"][0]["party"], "和平区某药店");
    assert_eq!(list["items"][0]["number"], "和医保追〔2026〕7号");
    call(
        c,
        "payment.proof_received",
        json!({"id": payment_id, "date": "2026-04-21"}),
    );
    call(
        c,
        "payment.confirm_arrival",
        json!({"id": payment_id, "date": "2026-04-22"}),
    );
    let r = call(
        c,
        "receipt.issue",
        json!({"payment_id": payment_id, "receipt_number": "津财票2026-000901", "issued_on": "2026-04-23"}),
    );
    assert_eq!(pending(c)["total"], 3);
    // Entered before the item's own date: refused, naming the field; nothing written.
    field(
        c,
        "platform.record",
        json!({"item": "Receipt", "id": id(&r), "entered_on": "2026-04-22"}),
        "entered_on",
    );
    let notice_id = pending(c)["items"][0]["id"].clone();
    call(
        c,
        "platform.record",
        json!({"item": "追回通知单", "id": notice_id, "entered_on": "2026-04-16"}),
    );
    call(
        c,
        "platform.record",
        json!({"item": "Payment", "id": payment_id, "entered_on": "2026-04-21"}),
    );
    let left = call(
        c,
        "platform.record",
        json!({"item": "Receipt", "id": id(&r), "entered_on": "2026-04-23"}),
    );
    assert_eq!(left["total"], 0);
    assert_eq!(
        call(c, "payment.get", json!({"id": payment_id}))["platform_entered_on"],
        "2026-04-21"
    );
    let e = refuse(
        c,
        "platform.record",
        json!({"item": "Payment", "id": payment_id, "entered_on": "2026-04-22"}),
    );
    assert!(e.message.contains("已于2026年4月21日录入"), "{}", e.message);
}

fn c_number(c: &Core, case_id: i64) -> Value {
    call(c, "case.get", json!({"id": case_id}))["case"]["case_number"].clone()
}

/// An agreement case of 1,000.00 元 (prior years) against a new institution, decided on 2026-04-15
/// with the refund due 2026-05-15, the decision served the next day.
fn decided_in_april(o: &Office, code: &str, name: &str) -> i64 {
    let inst = o.institution(code, name);
    agreement_case(o, inst, "2026-04-01")
        .line(json!({"fund": "EmployeeBasic", "year_kind": "PriorYears", "amount_due": "1000"}))
        .notified("2026-04-08")
        .served("2026-04-09")
        .waived("2026-04-10")
        .decided("2026-04-15", "2026-05-15")
        .decision_served("2026-04-16")
        .id
}

/// 行政处罚法 art. 66: a fine deferred on the party's application, approved: due on the new date, the
/// surcharge counted from it. Art. 73: while 行政复议 or 行政诉讼 runs, the fine is still owed but no
/// surcharge accrues; after the decision it accrues again.
#[test]
fn a_deferred_fine_and_a_review_pause_the_surcharge() {
    let o = Office::tianjin();
    let c = &o.core;
    let inst = o.institution("H12010100004", "和平区某诊所");
    let case_id = fined_case(&o, inst, 8);
    let f = call(c, "fine.create", json!({"case_id": case_id}));
    let fine_id = id(&f);
    assert_eq!(f["due_on"], "2026-10-08");
    let at = |on: &str| call(c, "fine.list", json!({"id": fine_id, "as_of": on}))[0].clone();
    assert_eq!(
        at("2026-10-13")["status"]["surcharge"],
        "3000.00",
        "5 days late"
    );

    // 暂缓缴纳 to 2026-11-30, approved 2026-10-09 (after the old due date: the days before the
    // approval are no longer late either — the due date is the approved one).
    field(
        c,
        "fine.defer",
        json!({"fine_id": fine_id, "approved_on": "2026-10-09", "until": "2026-10-08", "reason": "经营困难"}),
        "until",
    );
    field(
        c,
        "fine.defer",
        json!({"fine_id": fine_id, "approved_on": "2026-09-15", "until": "2026-11-30", "reason": "经营困难"}),
        "approved_on",
    );
    field(
        c,
        "fine.defer",
        json!({"fine_id": fine_id, "approved_on": "2026-10-09", "until": "2026-11-30"}),
        "reason",
    );
    let f = call(
        c,
        "fine.defer",
        json!({"fine_id": fine_id, "approved_on": "2026-10-09", "until": "2026-11-30",
               "reference": "和医保暂缓〔2026〕1号", "reason": "受灾停业，资金周转困难"}),
    );
    assert_eq!(f["due_on"], "2026-11-30");
    assert_eq!(f["deferred_from"], "2026-10-08");
    assert_eq!(f["reliefs"][0]["kind"], "Deferral");
    assert_eq!(at("2026-11-30")["status"]["surcharge"], "0.00");
    assert_eq!(at("2026-12-02")["status"]["days_late"], 2);

    // 行政复议 applied for on 2026-12-01: the days from then on are not late days.
    let f = call(
        c,
        "fine.appeal",
        json!({"fine_id": fine_id, "kind": "行政复议", "filed_on": "2026-12-01",
               "reference": "天津市和平区人民政府"}),
    );
    let review = f["reliefs"][1]["id"].clone();
    assert_eq!(f["reliefs"][1]["ended_on"], Value::Null);
    let pending = at("2026-12-20");
    assert_eq!(pending["status"]["days_late"], 0, "{pending}");
    assert_eq!(pending["status"]["outstanding"], "20000.00", "still owed");
    illegal(
        c,
        "fine.appeal",
        json!({"fine_id": fine_id, "kind": "行政诉讼", "filed_on": "2026-12-02",
               "reference": "和平区人民法院"}),
        "尚未登记结果",
    );
    // The 复议决定 on 2026-12-02 upholds the fine: late again from 12-03.
    field(
        c,
        "fine.appeal_end",
        json!({"id": review, "ended_on": "2026-12-02"}),
        "outcome",
    );
    let f = call(
        c,
        "fine.appeal_end",
        json!({"id": review, "ended_on": "2026-12-02", "reference": "和政复决〔2026〕3号",
               "outcome": "维持原行政处罚决定"}),
    );
    assert_eq!(f["reliefs"][1]["ended_on"], "2026-12-02");
    assert!(s(&f["reliefs"][1]["reference"]).contains("和政复决〔2026〕3号"));
    let after = at("2026-12-05");
    assert_eq!(after["status"]["days_late"], 3, "{after}");
    assert_eq!(after["status"]["surcharge"], "1800.00");
    // Paid in full on 12-02 (inside the review): nothing added.
    let paid = call(
        c,
        "fine.pay",
        json!({"fine_id": fine_id, "paid_on": "2026-12-02", "amount": "20000", "voucher": "FS-2026-0008"}),
    );
    assert_eq!(paid["status"]["outstanding"], "0.00", "{paid}");
    assert_eq!(paid["status"]["surcharge"], "0.00");
}

/// 行政强制法 art. 53: the agency applies to the court only where the party neither sought 复议 nor
/// sued. A pending 复议/诉讼 stops the window; after the 复议决定 the party may still sue within 15
/// days (行政诉讼法 art. 45) and the three months run after them; after a judgment the agency applies
/// to enforce it within two years (法释〔2018〕1号 art. 153). The window is a clock on the 工作台.
#[test]
fn a_review_or_a_suit_moves_the_court_application_window() {
    let o = Office::tianjin();
    let c = &o.core;
    let inst = o.institution("H12010100009", "和平区某药店");
    let case_id = fined_case(&o, inst, 9);
    let fine_id = id(&call(c, "fine.create", json!({"case_id": case_id})));
    let rf = call(
        c,
        "referral.demand",
        json!({"case_id": case_id, "fine_id": fine_id, "court": "天津市和平区人民法院",
               "demand_issued_on": "2026-10-20", "demand_served_on": "2026-10-21"}),
    );
    assert_eq!(
        (rf["apply_from"].as_str(), rf["apply_by"].as_str()),
        (Some("2027-03-17"), Some("2027-06-16"))
    );
    let court = |on: &str| clocks_of(&clocks(c, on), "CourtApplication");
    let k = court("2026-10-22");
    assert_eq!(k.len(), 1);
    assert_eq!(k[0]["due_on"], "2027-06-16");
    assert!(
        s(&k[0]["label"]).contains("2027年3月17日起可申请"),
        "{}",
        k[0]["label"]
    );
    let referral = || ledger(c, case_id)["referrals"][0].clone();

    // 复议 applied for: nothing is counted until its result.
    let f = call(
        c,
        "fine.appeal",
        json!({"fine_id": fine_id, "kind": "行政复议", "filed_on": "2026-10-26",
               "reference": "天津市和平区人民政府"}),
    );
    let r = referral();
    assert_eq!(
        (r["apply_from"].clone(), r["apply_by"].clone()),
        (Value::Null, Value::Null)
    );
    assert!(s(&r["warnings"][0]).contains("结果登记前不计算"), "{r}");
    assert!(court("2026-10-27").is_empty());

    // Upheld on 2026-11-20: a suit is possible until 12-05, a Saturday → Monday 12-07; the
    // application from 12-08 to three months after, 2027-03-07 (a Sunday) → 2027-03-08.
    call(
        c,
        "fine.appeal_end",
        json!({"id": f["reliefs"][0]["id"], "ended_on": "2026-11-20", "reference": "和政复决〔2026〕9号",
               "outcome": "维持原行政处罚决定"}),
    );
    let r = referral();
    assert_eq!(
        (r["apply_from"].as_str(), r["apply_by"].as_str()),
        (Some("2026-12-08"), Some("2027-03-08")),
        "{r}"
    );
    assert_eq!(court("2026-11-21")[0]["due_on"], "2027-03-08");

    // Then sued on 11-30 and the claim dismissed by a judgment in force on 12-01: the agency
    // applies to enforce it from the next day, within two years.
    let f = call(
        c,
        "fine.appeal",
        json!({"fine_id": fine_id, "kind": "行政诉讼", "filed_on": "2026-11-30",
               "reference": "天津市和平区人民法院"}),
    );
    illegal(
        c,
        "referral.apply",
        json!({"id": id(&rf), "date": "2026-12-01"}),
        "尚未决定",
    );
    call(
        c,
        "fine.appeal_end",
        json!({"id": f["reliefs"][1]["id"], "ended_on": "2026-12-01", "reference": "（2026）津0101行初88号",
               "outcome": "驳回原告诉讼请求"}),
    );
    let r = referral();
    assert_eq!(
        (r["apply_from"].as_str(), r["apply_by"].as_str()),
        (Some("2026-12-02"), Some("2028-12-01")),
        "{r}"
    );
    let applied = call(
        c,
        "referral.apply",
        json!({"id": id(&rf), "date": "2026-12-02"}),
    );
    assert_eq!(applied["status"], "Referred");
    assert!(court("2026-12-02").is_empty(), "applied: no clock left");
}

/// 行政处罚法 art. 66: 分期缴纳 approved on the party's application. What is still owed on the
/// approval day is split into equal monthly instalments (the last takes the cents); the fine is next
/// due when its first uncovered instalment is; a late instalment carries 3 % a day of its own amount
/// (art. 72, the choice documented in `ledger::fine`); no second plan, no deferral under a plan.
#[test]
fn a_fine_paid_in_instalments_is_late_only_for_the_instalment_missed() {
    let o = Office::tianjin();
    let c = &o.core;
    let inst = o.institution("H12010100010", "和平区某门诊部");
    let case_id = fined_case(&o, inst, 10);
    let f = call(c, "fine.create", json!({"case_id": case_id}));
    let fine_id = id(&f);
    // 2,000 paid on the due date, then the plan for the 18,000 left.
    call(
        c,
        "fine.pay",
        json!({"fine_id": fine_id, "paid_on": "2026-10-08", "amount": "2000", "voucher": "FS-10-1"}),
    );
    let plan = json!({"fine_id": fine_id, "approved_on": "2026-10-09", "count": 3, "first_due_on": "2026-10-31",
                      "reference": "和医保分期〔2026〕1号", "reason": "经营困难，一次缴清确有困难"});
    for (name, bad) in [
        ("count", json!({"count": 1})),
        ("first_due_on", json!({"first_due_on": "2026-10-01"})),
        ("reason", json!({"reason": ""})),
        ("approved_on", json!({"approved_on": "2026-09-01"})),
    ] {
        let mut p = plan.clone();
        p.as_object_mut()
            .unwrap()
            .extend(bad.as_object().unwrap().clone());
        field(c, "fine.instal", p, name);
    }
    let f = call(c, "fine.instal", plan.clone());
    let parts: Vec<(&str, &str)> = f["instalments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (s(&i["due_on"]), s(&i["amount"])))
        .collect();
    assert_eq!(
        parts,
        vec![
            ("2026-10-31", "6000.00"),
            ("2026-11-30", "6000.00"),
            ("2026-12-31", "6000.00")
        ]
    );
    assert_eq!(f["due_on"], "2026-10-31");
    refuse(c, "fine.instal", plan);
    illegal(
        c,
        "fine.defer",
        json!({"fine_id": fine_id, "approved_on": "2026-10-10", "until": "2027-03-01", "reason": "困难"}),
        "分期",
    );
    // The first instalment on time; the second 2 days late: 3 % × 2 × 6,000 = 360, not of the fine.
    call(
        c,
        "fine.pay",
        json!({"fine_id": fine_id, "paid_on": "2026-10-30", "amount": "6000", "voucher": "FS-10-2"}),
    );
    let at = |on: &str| call(c, "fine.list", json!({"id": fine_id, "as_of": on}))[0].clone();
    let f = at("2026-11-30");
    assert_eq!(f["due_on"], "2026-11-30");
    assert_eq!(f["status"]["surcharge"], "0.00");
    assert_eq!(f["instalments"][0]["covered_on"], "2026-10-30");
    let clock = clocks_of(&clocks(c, "2026-11-27"), "Fine");
    assert!(
        s(&clock[0]["label"]).contains("第2期，共3期，本期 6,000.00 元"),
        "{}",
        clock[0]["label"]
    );
    assert_eq!(clock[0]["due_on"], "2026-11-30");
    let f = call(
        c,
        "fine.pay",
        json!({"fine_id": fine_id, "paid_on": "2026-12-02", "amount": "6000", "voucher": "FS-10-3"}),
    );
    assert_eq!(f["status"]["days_late"], 2);
    assert_eq!(f["status"]["surcharge"], "360.00");
    assert_eq!(f["due_on"], "2026-12-31");
    assert_eq!(f["instalments"][1]["covered"], "6000.00");
    assert_eq!(f["instalments"][2]["covered"], "0.00");
    // Owed now: the third instalment and the 360 surcharge.
    assert_eq!(f["status"]["outstanding"], "6360.00");
    assert_eq!(call(c, "audit.verify", json!({}))["ok"], true);
}
