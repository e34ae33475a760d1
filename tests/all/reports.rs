//! Reports (issue 10) through the public API: the records only the reports need (inspections,
//! accountability, campaigns) and the monthly table of 002 (济南市医疗保障局 济医保字〔2020〕1号,
//! 二(五) and 附表 with its 备注), written out by hand for January, February and March 2026 over a
//! fixture that crosses the year and month boundaries; its drill-down, XLSX and PDF.

use std::io::Cursor;

use base64::Engine;
use calamine::{Data, Reader, Xlsx};
use recoup::api::Core;
use serde_json::{json, Value};

use crate::common::*;

const AGENCY: &str = "天津市和平区医疗保障基金管理中心";

fn b64(v: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(v["content_base64"].as_str().unwrap())
        .unwrap()
}

/// The texts of the 22 figure cells of a month, in the paper's column order.
fn row(c: &Core, month: u32) -> Vec<String> {
    let t = call(c, "report.monthly", json!({"year": 2026, "month": month}));
    t["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["text"].as_str().unwrap().to_string())
        .collect()
}

fn drill(c: &Core, month: u32, column: &str) -> Vec<(String, String, Option<String>)> {
    let p = call(
        c,
        "report.monthly_drill",
        json!({"year": 2026, "month": month, "column": column}),
    );
    assert_eq!(
        p["total"].as_i64().unwrap() as usize,
        p["items"].as_array().unwrap().len()
    );
    p["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["kind"].as_str().unwrap().to_string(),
                i["number"].as_str().unwrap().to_string(),
                i["amount"].as_str().map(str::to_string),
            )
        })
        .collect()
}

/// An agreement case against `inst` with its finding and evidence and one or two recovery lines.
fn agreement<'o>(o: &'o Office, inst: i64, filed: &str, lines: &[Value]) -> Case<'o> {
    let mut case = CaseBuilder::agreement(o, inst)
        .filed(filed)
        .finding("虚记住院费用", "服务协议第二十条", "0")
        .evidence("电子数据", "结算数据导出", filed);
    for l in lines {
        case = case.line(l.clone());
    }
    case
}

fn measures(kinds: &[&str]) -> Value {
    Value::Array(kinds.iter().map(|k| json!({"kind": k})).collect())
}

fn pay(c: &Core, case_id: i64, paid: &str, amount: &str, fund: &str, voucher: &str) -> i64 {
    id(&call(
        c,
        "payment.record",
        json!({"case_id": case_id, "paid_on": paid, "amount": amount, "fund": fund,
               "voucher": voucher, "agency": AGENCY}),
    ))
}

fn receipt(c: &Core, payment: i64, number: &str, on: &str) -> i64 {
    id(&call(
        c,
        "receipt.issue",
        json!({"payment_id": payment, "receipt_number": number, "issued_on": on}),
    ))
}

fn inspect(
    c: &Core,
    kind: &str,
    inst: i64,
    on: &str,
    departments: &[&str],
    problems: bool,
) -> Value {
    call(
        c,
        "inspection.create",
        json!({"kind": kind, "institution_id": inst, "started_on": on, "departments": departments,
               "problems_found": problems, "inspectors": "张三、李四"}),
    )
}

fn accountable(c: &Core, category: &str, person: &str, on: &str, case_id: Option<i64>) {
    call(
        c,
        "accountability.create",
        json!({"category": category, "person": person, "decided_on": on, "case_id": case_id,
               "measure": "诫勉谈话"}),
    );
}

fn xlsx_file(rows: &[&[&str]]) -> String {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, cells) in rows.iter().enumerate() {
        for (col, v) in cells.iter().enumerate() {
            sheet.write_string(r as u32, col as u16, *v).unwrap();
        }
    }
    base64::engine::general_purpose::STANDARD.encode(book.save_to_buffer().unwrap())
}

/// The fixture (all figures below are counted by hand from it):
///
/// Institutions under agreement: 医院甲, 医院乙, 诊所丙 (medical), 药店丁, 药店戊 (pharmacies) = 5;
/// 医院己 has no agreement and 医院庚 was terminated before the year: not counted (002 备注1).
///
/// Inspections: 医院甲 2025-12-15 (last year: not counted), 2026-01-10 日常 no problem, 2026-02-05
/// 飞行 with 市场监管局, problems; 药店丁 2026-01-20 专项 with 公安局 and 卫健委, problems;
/// 医院乙 2026-02-27 交叉, none; 药店戊 2026-03-02 抽查复查, problems (imported); 诊所丙
/// 2026-04-01 (after March).
///
/// Cases: Z against 医院乙, a December finding decided 2025-12-10 (约谈), paid 2025-12-28, receipt
/// 2026-01-05, closed 2026-01-12: its 约谈 is last year's, its 3,000.00 this January's.
/// A against 医院甲 decided 2026-01-15 with 约谈 and 通报批评 (two columns), 8,000.00 住院费 +
/// 500.00 违约金 paid, receipt 2026-01-28 voided (冲红) 2026-02-10 and issued again 2026-03-03.
/// B against 药店丁 decided 2026-02-12 with 暂停结算 (其他处理情形), 20,000.00 offset against the
/// February (settled 2026-03-10, 12,000.00) and March (settled 2026-04-10, 8,000.00) settlements,
/// each deduction receipted the day it was settled. C against 诊所丙, 行政处罚 decided 2026-03-05
/// (fine 10,000.00 paid to the treasury 2026-03-10: never in the fund figure), 5,000.00 paid,
/// receipt 2026-03-16, moved to the police 2026-03-20 (移交司法机关).
/// Self-correction of 药店戊: 1,234.56 submitted 2026-02-15, receipt 2026-02-18.
/// Accountability: an institution's staff 2025-12-20 (last year) and 2026-01-15, agency staff
/// 2026-02-12, another department's staff 2026-03-06, an insured person 2026-03-05.
/// The cases of the fixture (their institutions: A 和平区医院甲, B 和平区药店丁, C 和平区诊所丙,
/// Z 和平区医院乙; the self-correction ZC-2026-001 of 和平区药店戊).
struct Fixture {
    z: i64,
    a: i64,
    b: i64,
    cc: i64,
}

/// A year of inspections, cases, measures and money crossing month and year boundaries (issue 10):
/// Z found in December and closed in January, A with two measures and a receipt reversed by 冲红,
/// B offset over two monthly settlements, C a penalty with a fine and a referral to the police, a
/// self-correction return, accountability in each category.
fn fixture(o: &Office) -> Fixture {
    let c = &o.core;
    let pharmacy = json!({"kind": "RetailPharmacy"});
    let h1 = o.institution("H12010100011", "和平区医院甲");
    let h2 = o.institution("H12010100012", "和平区医院乙");
    let h3 = o.institution("H12010100013", "和平区诊所丙");
    let p1 = o.institution_with("P12010100014", "和平区药店丁", pharmacy.clone());
    let p2 = o.institution_with("P12010100015", "和平区药店戊", pharmacy);
    o.institution_with(
        "H12010100016",
        "和平区医院己",
        json!({"agreement_status": "None"}),
    );
    o.institution_with(
        "H12010100017",
        "和平区医院庚",
        json!({"agreement_status": "Terminated"}),
    );

    // Inspections (the March one of 药店戊 comes by import below).
    inspect(c, "日常", h1, "2025-12-15", &[], true);
    inspect(c, "日常", h1, "2026-01-10", &[], false);
    inspect(c, "专项", p1, "2026-01-20", &["公安局", "卫健委"], true);
    inspect(c, "飞行", h1, "2026-02-05", &["市场监管局"], true);
    inspect(c, "交叉", h2, "2026-02-27", &[], false);
    inspect(c, "日常", h3, "2026-04-01", &[], false);
    let report = call(
        c,
        "inspection.import",
        json!({"file_name": "检查记录.xlsx", "content_base64": xlsx_file(&[
            &["机构编码", "检查方式", "检查日期", "联合检查部门", "是否发现问题", "检查人员"],
            &["P12010100015", "抽查复查", "2026-03-02", "", "是", "张三、李四"],
            &["X00000000000", "日常", "2026-03-03", "", "否", "张三"],
            &["H12010100013", "日常", "3月5日", "", "否", "张三"],
        ])}),
    );
    assert_eq!(report["total_rows"], 3);
    assert_eq!(report["created"], 1);
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2);
    assert_eq!(
        (errors[0]["row"].as_i64(), errors[0]["field"].as_str()),
        (Some(3), Some("institution_code"))
    );
    assert_eq!(
        (errors[1]["row"].as_i64(), errors[1]["field"].as_str()),
        (Some(4), Some("started_on"))
    );

    // Z: the December finding, closed in January.
    let z = agreement(
        &o,
        h2,
        "2025-12-01",
        &[json!({"fund": "职工基本医保", "year_kind": "当年", "category": "住院费", "amount_due": "3000"})],
    )
    .notified_with("2025-12-03", json!({"proposed_measures": measures(&["约谈"])}))
    .served("2025-12-04")
    .waived("2025-12-05")
    .decided_with(
        "2025-12-10",
        json!({"payment_due": "2026-01-30", "measures": measures(&["约谈"])}),
    )
    .decision_served("2025-12-11")
    .reported("2025-12-12")
    .id;
    let zp = pay(c, z, "2025-12-28", "3000", "职工基本医保", "NY-Z");
    call(
        c,
        "payment.confirm_arrival",
        json!({"id": zp, "date": "2025-12-29"}),
    );
    call(
        c,
        "payment.proof_received",
        json!({"id": zp, "date": "2025-12-29"}),
    );
    receipt(c, zp, "津财票2026-000001", "2026-01-05");
    call(c, "case.close", json!({"case_id": z, "on": "2026-01-12"}));

    // A: two measures, 违约金, a receipt reversed by 冲红 and issued again.
    let a = agreement(
        &o,
        h1,
        "2026-01-05",
        &[
            json!({"fund": "职工基本医保", "year_kind": "当年", "category": "住院费", "amount_due": "8000"}),
            json!({"fund": "职工基本医保", "year_kind": "当年", "category": "违约金", "amount_due": "500"}),
        ],
    )
    .notified_with("2026-01-06", json!({"proposed_measures": measures(&["约谈", "通报批评"])}))
    .served("2026-01-07")
    .waived("2026-01-08")
    .decided_with(
        "2026-01-15",
        json!({"payment_due": "2026-03-31", "measures": measures(&["约谈", "通报批评"])}),
    )
    .id;
    let ap = pay(c, a, "2026-01-26", "8500", "职工基本医保", "NY-A");
    call(
        c,
        "payment.confirm_arrival",
        json!({"id": ap, "date": "2026-01-27"}),
    );
    let ar = receipt(c, ap, "津财票2026-000002", "2026-01-28");
    call(
        c,
        "receipt.void",
        json!({"id": ar, "date": "2026-02-10", "reason": "票据抬头有误，冲红重开"}),
    );
    receipt(c, ap, "津财票2026-000003", "2026-03-03");

    // B: 暂停结算, offset over two monthly settlements.
    let b = agreement(
        &o,
        p1,
        "2026-01-22",
        &[json!({"fund": "职工基本医保", "year_kind": "当年", "category": "门诊费", "amount_due": "20000"})],
    )
    .notified_with("2026-02-02", json!({"proposed_measures": measures(&["暂停结算"])}))
    .served("2026-02-03")
    .waived("2026-02-04")
    .decided_with(
        "2026-02-12",
        json!({"payment_due": "2026-02-27", "measures": measures(&["暂停结算"])}),
    )
    // An offset needs the decision served first (issue 9: only money the party was told of).
    .decision_served("2026-02-13")
    .id;
    call(c, "collection.set", json!({"case_id": b, "agency": AGENCY}));
    let plan = call(
        c,
        "offset.create",
        json!({"case_id": b, "notice_number": "和医保抵〔2026〕1号", "requested_on": "2026-02-20",
               "approved_on": "2026-02-24", "served_on": "2026-02-25"}),
    );
    for (month, settled, settlement) in [
        ("2026-02", "2026-03-10", "12000"),
        ("2026-03", "2026-04-10", "30000"),
    ] {
        let plan = call(
            c,
            "offset.deduct",
            json!({"plan_id": id(&plan), "fund": "EmployeeBasic", "month": month, "settled_on": settled, "settlement": settlement}),
        );
        let d = plan["deductions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["month"] == month)
            .unwrap()
            .clone();
        call(
            c,
            "receipt.issue",
            json!({"deduction_id": d["id"], "receipt_number": format!("津财票2026-1{}", &month[5..]), "issued_on": settled}),
        );
    }

    // C: an administrative penalty; the fine goes to the treasury; moved to the police.
    let cc = CaseBuilder::administrative(&o, h3)
        .filed("2026-02-02")
        .finding("串换药品", "条例第三十八条", "5000")
        .evidence("书证", "结算清单", "2026-02-03")
        .line(json!({"fund": "居民基本医保", "year_kind": "当年", "category": "门诊费", "amount_due": "5000"}))
        .notified_with(
            "2026-02-09",
            json!({"document_number": "和医保告〔2026〕3号", "proposed_fine": "10000"}),
        )
        .served("2026-02-10")
        .waived_with("2026-02-11", json!({"summary": "放弃"}))
        .legal_reviewed("2026-02-24")
        .decided_with(
            "2026-03-05",
            json!({"document_number": "和医保罚〔2026〕3号", "payment_due": "2026-03-31",
                   "fine": "10000", "fine_multiple": "2",
                   "fine_basis": "《医疗保障基金使用监督管理条例》第三十八条"}),
        )
        .decision_served("2026-03-06")
        .id;
    let fine = call(c, "fine.create", json!({"case_id": cc}));
    call(
        c,
        "fine.pay",
        json!({"fine_id": id(&fine), "paid_on": "2026-03-10", "amount": "10000", "voucher": "FS-C"}),
    );
    let cp = pay(c, cc, "2026-03-12", "5000", "居民基本医保", "NY-C");
    call(
        c,
        "payment.confirm_arrival",
        json!({"id": cp, "date": "2026-03-13"}),
    );
    receipt(c, cp, "津财票2026-000004", "2026-03-16");
    call(
        c,
        "referral.create",
        json!({"case_id": cc, "kind": "移送司法", "to_body": "天津市公安局和平分局",
               "referred_on": "2026-03-20", "reason": "伪造处方骗取医保基金，涉嫌诈骗罪"}),
    );

    // A self-correction return.
    let sc = call(
        c,
        "self_correction.create",
        json!({"form_number": "ZC-2026-001", "party_kind": "定点医药机构", "institution_id": p2,
               "organizer": "医疗保障经办机构组织", "organizer_name": "和平区医保中心", "agency": AGENCY,
               "submitted_on": "2026-02-15", "contact": "刘某", "phone": "022-1",
               "lines": [{"fund": "职工基本医保", "year_kind": "历年", "amount": "1234.56"}],
               "payments": [{"fund": "EmployeeBasic", "paid_on": "2026-02-16", "amount": "1234.56",
                             "voucher": "ZC-1", "arrived_on": "2026-02-17"}]}),
    );
    receipt(c, id(&sc["payments"][0]), "津财票2026-000005", "2026-02-18");

    // Accountability (002 附表 备注3).
    accountable(c, "医疗机构", "周某", "2025-12-20", Some(z));
    accountable(c, "医疗机构", "吴某", "2026-01-15", Some(a));
    accountable(c, "经办机构", "郑某", "2026-02-12", None);
    accountable(c, "参保人员", "王某", "2026-03-05", None);
    accountable(c, "其他部门", "冯某", "2026-03-06", Some(cc));

    Fixture { z, a, b, cc }
}

#[test]
fn the_monthly_table_of_002_for_three_months_by_hand() {
    let o = Office::tianjin();
    let c = &o.core;
    let Fixture { z, a, b, cc } = fixture(&o);

    // The table, by hand. Columns: institutions 总数 医疗 药店 | inspected 总数 联合 医疗 药店 进度 |
    // problems 医疗 药店 | 约谈 通报 暂停 解除 处罚 移交 追回(万元) 其他 | 追责 医疗机构 经办 其他部门 参保.
    // 追回, January: Z 3,000.00 + A 8,500.00 (违约金 included) = 11,500.00 = 1.15 万元.
    // February: A's receipt voided on 02-10 → Z 3,000.00 + self-correction 1,234.56 = 4,234.56 →
    // 0.423456 → 0.42. March: Z 3,000.00 + A again 8,500.00 + 1,234.56 + B's first deduction
    // 12,000.00 + C 5,000.00 = 29,734.56 → 2.97 (the second deduction is April's; the fine is not
    // fund money).
    let jan = [
        "5", "3", "2", "2", "1", "1", "1", "40.00", "0", "1", "1", "1", "0", "0", "0", "0", "1.15",
        "0", "1", "0", "0", "0",
    ];
    let feb = [
        "5", "3", "2", "3", "2", "2", "1", "60.00", "1", "1", "1", "1", "0", "0", "0", "0", "0.42",
        "1", "1", "1", "0", "0",
    ];
    let mar = [
        "5", "3", "2", "4", "2", "2", "2", "80.00", "1", "2", "1", "1", "0", "0", "1", "1", "2.97",
        "1", "1", "1", "1", "1",
    ];
    assert_eq!(row(c, 1), jan);
    assert_eq!(row(c, 2), feb);
    assert_eq!(row(c, 3), mar);

    let t = call(c, "report.monthly", json!({"year": 2026, "month": 3}));
    let recovered = t["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["column"] == "Recovered")
        .unwrap();
    assert_eq!(recovered["amount"], "29734.56");
    assert_eq!(recovered["count"], 5);
    assert_eq!(
        (t["from"].as_str(), t["to"].as_str()),
        (Some("2026-01-01"), Some("2026-03-31"))
    );
    // 002 二(五): by the 3rd of the next month; 2026-04-03 is a Friday (清明 is 04-04..06).
    assert_eq!(t["due"], "2026-04-03");
    // September's table: 10-03 is in the National Day holiday (10-01..07), rolled to Thursday
    // 10-08 by default; without the roll (a setting) the 3rd itself.
    let due = |month: u32| {
        call(c, "report.monthly", json!({"year": 2026, "month": month}))["due"].clone()
    };
    assert_eq!(due(9), "2026-10-08");
    let mut s = call(c, "report.settings_get", json!({}));
    s["roll_due_to_working_day"] = json!(false);
    call(c, "report.settings_update", s.clone());
    assert_eq!(due(9), "2026-10-03");
    s["roll_due_to_working_day"] = json!(true);
    call(c, "report.settings_update", s);
    assert!(t["notes"][1]
        .as_str()
        .unwrap()
        .contains("不含上缴国库的罚款"));

    // Drill-down: the same query lists the matters behind a cell.
    let case_no = |case_id: i64| {
        call(c, "case.get", json!({"id": case_id}))["case"]["case_number"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (na, nb, nc, nz) = (case_no(a), case_no(b), case_no(cc), case_no(z));
    assert_eq!(
        drill(c, 3, "Interview"),
        [("Case".into(), na.clone(), None)]
    );
    assert_eq!(
        drill(c, 3, "OtherHandling"),
        [("Case".into(), nb.clone(), None)]
    );
    assert_eq!(drill(c, 3, "Judicial"), [("Case".into(), nc.clone(), None)]);
    let mut money = drill(c, 3, "Recovered");
    money.sort();
    let mut expected = vec![
        ("Case".to_string(), na, Some("8500.00".to_string())),
        ("Case".to_string(), nb, Some("12000.00".to_string())),
        ("Case".to_string(), nc, Some("5000.00".to_string())),
        ("Case".to_string(), nz, Some("3000.00".to_string())),
        (
            "SelfCorrection".to_string(),
            "ZC-2026-001".to_string(),
            Some("1234.56".to_string()),
        ),
    ];
    expected.sort();
    assert_eq!(money, expected);
    let joint: Vec<String> = drill(c, 2, "InspectedJoint")
        .into_iter()
        .map(|x| x.1)
        .collect();
    assert_eq!(joint, ["H12010100011", "P12010100014"]);
    assert_eq!(drill(c, 1, "AccountableInstitution")[0].1, "吴某");

    // The other definition of 追回 (a setting): by arrival and settled deduction. March: A 8,500.00
    // (arrived 01-27) + 1,234.56 + 12,000.00 + C 5,000.00 = 26,734.56 (Z's money arrived in 2025).
    let mut s = call(c, "report.settings_get", json!({}));
    s["recovered_basis"] = json!("Arrived");
    s["amount_decimals"] = json!(3);
    field(
        c,
        "report.settings_update",
        merged(s.clone(), json!({"due_day": 40})),
        "due_day",
    );
    call(c, "report.settings_update", s);
    assert_eq!(row(c, 3)[16], "2.673");
    let mut s = call(c, "report.settings_get", json!({}));
    s["recovered_basis"] = json!("Receipted");
    s["amount_decimals"] = json!(2);
    s["principal"] = json!("赵局长");
    s["preparer"] = json!("张三");
    s["phone"] = json!("022-12345678");
    call(c, "report.settings_update", s);

    // XLSX: the merged header rows of 002 附表, the numbers back through calamine.
    let file = call(
        c,
        "report.monthly_xlsx",
        json!({"year": 2026, "month": 3, "filled_on": "2026-04-02"}),
    );
    assert!(file["file_name"]
        .as_str()
        .unwrap()
        .ends_with("2026年3月医保基金监督检查情况统计表.xlsx"));
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(b64(&file))).unwrap();
    let sheet = book.sheet_names()[0].clone();
    assert_eq!(sheet, "2026年3月");
    let mut merged: Vec<((u32, u32), (u32, u32))> = book
        .merge_cells_by_sheet_name(&sheet)
        .unwrap()
        .iter()
        .map(|d| (d.start, d.end))
        .filter(|(s, _)| (2..=3).contains(&s.0))
        .collect();
    merged.sort();
    assert_eq!(
        merged,
        [
            ((2, 0), (3, 0)),
            ((2, 1), (2, 3)),
            ((2, 4), (2, 8)),
            ((2, 9), (2, 10)),
            ((2, 11), (2, 18)),
            ((2, 19), (2, 22)),
        ]
    );
    // Frozen under the header rows and beside 填报单位, counts and 万元 with their number formats
    // (calamine reads neither: the workbook's XML is read).
    let part = |name: &str| {
        let mut zip = zip::ZipArchive::new(Cursor::new(b64(&file))).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut xml).unwrap();
        xml
    };
    let ws = part("xl/worksheets/sheet1.xml");
    assert!(
        ws.contains(
            r#"xSplit="1" ySplit="4" topLeftCell="B5" activePane="bottomRight" state="frozen""#
        ),
        "{ws}"
    );
    let styles = part("xl/styles.xml");
    for format in ["#,##0", "0.00"] {
        assert!(
            styles.contains(&format!(r#"formatCode="{format}""#)),
            "{format} in {styles}"
        );
    }
    let range = book.worksheet_range(&sheet).unwrap();
    let text = |r: u32, col: u32| match range.get_value((r, col)) {
        Some(Data::String(s)) => s.clone(),
        other => format!("{other:?}"),
    };
    assert_eq!(text(0, 0), "医保基金监督检查情况统计表");
    assert_eq!(text(2, 0), "填报单位");
    let groups: Vec<String> = [1, 4, 9, 11, 19].iter().map(|col| text(2, *col)).collect();
    assert_eq!(
        groups,
        [
            "定点医药机构数",
            "已检查机构数",
            "存在问题机构数",
            "定点医药机构处理情况",
            "追责情况"
        ]
    );
    let heads: Vec<String> = (1..23).map(|col| text(3, col)).collect();
    assert_eq!(
        heads,
        [
            "总数",
            "医疗机构",
            "零售药店",
            "总数",
            "多部门联合检查",
            "医疗机构数量",
            "零售药店数量",
            "检查进度（%）",
            "医疗机构",
            "零售药店",
            "约谈限期整改数量",
            "通报批评数量",
            "暂停协议数量",
            "解除协议数量",
            "行政处罚数量",
            "移交司法机关数量",
            "追回医保基金",
            "其他处理情形",
            "医疗机构",
            "经办机构",
            "其他部门",
            "参保人员"
        ]
    );
    assert_eq!(text(4, 0), "天津市和平区医疗保障局");
    let back: Vec<String> = (1..23)
        .map(|col| match range.get_value((4, col)) {
            Some(Data::Float(f)) if col == 8 || col == 17 => format!("{f:.2}"),
            Some(Data::Float(f)) => format!("{f}"),
            other => panic!("cell {col}: {other:?}"),
        })
        .collect();
    assert_eq!(back, mar);
    assert!(text(6, 0).contains("单位主要负责人") && text(6, 0).contains("赵局长"));
    assert!(text(6, 17).contains("022-12345678"));
    assert!(text(1, 11).contains("2026年4月2日"));

    // PDF: one landscape A4 page with the table, the sign-off row and the notes.
    let pdf = call(
        c,
        "report.monthly_pdf",
        json!({"year": 2026, "month": 3, "filled_on": "2026-04-02"}),
    );
    assert_eq!(pdf["pages"], 1);
    let bytes = b64(&pdf);
    let raw = String::from_utf8_lossy(&bytes);
    assert!(
        raw.contains("841.8") && raw.contains("595.2"),
        "landscape A4 MediaBox"
    );
    let text = pdf_text(&bytes);
    // Every record written above is in the audit chain (invariant 2), the new tables included.
    let audit = call(c, "audit.verify", json!({"full": true}));
    assert_eq!(audit["ok"], true, "{audit}");
    for needle in [
        "医保基金监督检查情况统计表",
        "填报单位",
        "定点医药机构处理情况",
        "单位主要负责人",
        "核对人",
        "制表人电话",
        "填报日期",
        "2026年4月2日",
        "2.97",
        "80.00",
    ] {
        assert!(text.contains(needle), "{needle} in {text}");
    }
}

#[test]
fn inspections_accountability_and_campaigns_are_refused_with_the_field_named() {
    let o = Office::tianjin();
    let c = &o.core;
    let h = o.institution("H12010100021", "和平区医院甲");
    field(
        c,
        "inspection.create",
        json!({"institution_id": h, "started_on": "2026-03-01"}),
        "kind",
    );
    field(
        c,
        "inspection.create",
        json!({"kind": "日常", "started_on": "2026-03-01"}),
        "institution_id",
    );
    field(
        c,
        "inspection.create",
        json!({"kind": "日常", "institution_id": h}),
        "started_on",
    );
    field(
        c,
        "inspection.create",
        json!({"kind": "日常", "institution_id": h, "started_on": "2026-03-05", "ended_on": "2026-03-01"}),
        "ended_on",
    );
    field(
        c,
        "inspection.create",
        json!({"kind": "日常", "institution_id": h, "started_on": "2026-03-05", "case_ids": [99]}),
        "case_ids",
    );
    let campaign = call(
        c,
        "campaign.create",
        json!({"name": "2026年医保基金违法违规问题专项整治", "year": 2026, "areas": ["血液透析", "康复理疗", "血液透析"]}),
    );
    assert_eq!(campaign["areas"].as_array().unwrap().len(), 2);
    let area = campaign["areas"][0]["id"].clone();
    field(
        c,
        "campaign.create",
        json!({"name": "2026年医保基金违法违规问题专项整治", "year": 2026, "areas": ["骨科"]}),
        "name",
    );
    field(
        c,
        "campaign.create",
        json!({"name": "x", "year": 2026, "areas": []}),
        "areas",
    );
    let x = call(
        c,
        "inspection.create",
        json!({"kind": "专项", "institution_id": h, "started_on": "2026-03-05", "departments": ["公安局", " ", "公安局"],
               "problems_found": true, "campaign_area_id": area}),
    );
    assert_eq!(x["departments"], json!(["公安局"]));
    assert_eq!(
        x["campaign_area"],
        "2026年医保基金违法违规问题专项整治 · 血液透析"
    );
    // An area in use cannot be dropped from the list.
    field(
        c,
        "campaign.update",
        json!({"id": id(&campaign), "name": "2026年医保基金违法违规问题专项整治", "year": 2026, "areas": ["康复理疗"]}),
        "areas",
    );
    let case = CaseBuilder::agreement(&o, h).filed("2026-03-06");
    let updated = call(
        c,
        "inspection.update",
        json!({"id": id(&x), "kind": "专项", "institution_id": h, "started_on": "2026-03-05",
               "departments": ["公安局"], "problems_found": true, "campaign_area_id": area, "case_ids": [case.id]}),
    );
    assert_eq!(updated["case_ids"], json!([case.id]));
    call(
        c,
        "campaign.tag",
        json!({"case_id": case.id, "campaign_area_id": area}),
    );
    // The case detail says which area the matter counts under (the case page's 专项整治领域).
    assert_eq!(
        call(c, "case.get", json!({"id": case.id}))["case"]["campaign_area_id"],
        area
    );
    // 003 二(二): every lead verified one by one, 清仓见底 = none outstanding.
    call(
        c,
        "lead.create",
        json!({"source": "举报投诉", "received_on": "2026-06-01", "summary": "反映串换药品"}),
    );
    call(
        c,
        "lead.create",
        json!({"source": "上级交办", "received_on": "2026-06-02", "summary": "上级下发线索"}),
    );
    call(
        c,
        "lead.create",
        json!({"source": "上级交办", "received_on": "2025-06-02", "summary": "去年的线索"}),
    );
    let f = call(c, "report.campaign", json!({"campaign_id": id(&campaign)}));
    assert_eq!(
        (f["from"].as_str(), f["to"].as_str()),
        (Some("2026-01-01"), Some("2026-12-31"))
    );
    let dialysis = &f["areas"][0];
    assert_eq!(dialysis["area"], "血液透析");
    assert_eq!(
        (
            &dialysis["inspections"],
            &dialysis["cases"],
            &dialysis["institutions"],
            &dialysis["recovered"]
        ),
        (&json!(1), &json!(1), &json!(1), &json!("0.00"))
    );
    assert_eq!(f["areas"][1]["cases"], 0);
    let leads: Vec<(String, i64, i64)> = f["leads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["source"].as_str().unwrap().to_string(),
                l["received"].as_i64().unwrap(),
                l["outstanding"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        leads,
        [
            ("AssignedFromAbove".to_string(), 1, 1),
            ("Report".to_string(), 1, 1)
        ]
    );
    assert_eq!(f["leads_cleared"], false);
    let list = call(
        c,
        "inspection.list",
        json!({"year": 2026, "query": "医院甲"}),
    );
    assert_eq!(list["total"], 1);
    assert_eq!(
        call(c, "inspection.list", json!({"year": 2025}))["total"],
        0
    );

    field(
        c,
        "accountability.create",
        json!({"person": "吴某", "decided_on": "2026-03-01"}),
        "category",
    );
    field(
        c,
        "accountability.create",
        json!({"category": "经办机构", "decided_on": "2026-03-01"}),
        "person",
    );
    field(
        c,
        "accountability.create",
        json!({"category": "经办机构", "person": "吴某"}),
        "decided_on",
    );
    let a = call(
        c,
        "accountability.create",
        json!({"category": "经办机构", "person": "吴某", "decided_on": "2026-03-01", "case_id": case.id}),
    );
    assert_eq!(a["case_number"], case.detail["case"]["case_number"]);
    assert_eq!(
        call(c, "accountability.list", json!({"category": "AgencyStaff"}))["total"],
        1
    );
    field(
        c,
        "report.monthly",
        json!({"year": 2026, "month": 13}),
        "month",
    );
}

/// The texts of a sheet's table, row by row.
fn sheet_rows(s: &Value, table: usize) -> Vec<Vec<String>> {
    s["tables"][table]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["cells"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["text"].as_str().unwrap().to_string())
                .collect()
        })
        .collect()
}

/// The matters behind a figure of a sheet: (number, amount), through the cell's own drill key.
fn sheet_drill(c: &Core, query: &Value, key: &str) -> Vec<(String, String)> {
    let p = call(
        c,
        "report.sheet_drill",
        json!({"query": query, "key": key, "limit": 100}),
    );
    assert_eq!(
        p["total"].as_i64().unwrap() as usize,
        p["items"].as_array().unwrap().len()
    );
    p["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["number"].as_str().unwrap().to_string(),
                i["amount"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn the_recovery_ledger_per_matter_and_per_institution_by_hand() {
    let o = Office::tianjin();
    let c = &o.core;
    let Fixture { z, a, b, cc } = fixture(&o);
    let case_no = |case_id: i64| {
        call(c, "case.get", json!({"id": case_id}))["case"]["case_number"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (na, nb, nc, nz) = (case_no(a), case_no(b), case_no(cc), case_no(z));

    // As of 31 March: Z (closed in January, still in the period's ledger), A (8,000 + 违约金 500,
    // receipted again on 03-03), B (20,000, 12,000 deducted from February's settlement on 03-10,
    // 8,000 outstanding, 缴费时限 02-27: 02-28 … 03-31 = 32 days), the self-correction, C.
    // Columns: number, party, decided, due date | 应追回 已缴款 已抵扣 已开票 未追回 逾期天数.
    let q = json!({"report": "RecoveryLedger", "from": "2026-01-01", "to": "2026-03-31"});
    let s = call(c, "report.sheet", q.clone());
    let r = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(
        sheet_rows(&s, 0),
        [
            r(&[
                &nz,
                "和平区医院乙",
                "2025-12-10",
                "2026-01-30",
                "3000.00",
                "3000.00",
                "0.00",
                "3000.00",
                "0.00",
                "0"
            ]),
            r(&[
                &na,
                "和平区医院甲",
                "2026-01-15",
                "2026-03-31",
                "8500.00",
                "8500.00",
                "0.00",
                "8500.00",
                "0.00",
                "0"
            ]),
            r(&[
                &nb,
                "和平区药店丁",
                "2026-02-12",
                "2026-02-27",
                "20000.00",
                "0.00",
                "12000.00",
                "12000.00",
                "8000.00",
                "32"
            ]),
            r(&[
                "ZC-2026-001",
                "和平区药店戊",
                "2026-02-15",
                "",
                "1234.56",
                "1234.56",
                "0.00",
                "1234.56",
                "0.00",
                "0"
            ]),
            r(&[
                &nc,
                "和平区诊所丙",
                "2026-03-05",
                "2026-03-31",
                "5000.00",
                "5000.00",
                "0.00",
                "5000.00",
                "0.00",
                "0"
            ]),
            // 已开票 29,734.56 = the monthly table's 追回医保基金 of March (receipted basis).
            r(&[
                "合计", "", "", "", "37734.56", "17734.56", "12000.00", "29734.56", "8000.00", "32"
            ]),
        ]
    );
    let heads: Vec<&str> = s["tables"][0]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["label"].as_str().unwrap())
        .collect();
    assert_eq!(heads[9], "逾期天数（自然日，自缴费时限次日起算至截止日）");
    // The case number opens the case; every figure opens its matters through the ledger's query.
    assert_eq!(s["tables"][0]["rows"][2]["cells"][0]["case_id"], b);
    let key = s["tables"][0]["rows"][2]["cells"][8]["drill"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(sheet_drill(c, &q, &key), [(nb.clone(), "8000.00".into())]);
    assert_eq!(sheet_drill(c, &q, "all").len(), 5);

    // The 冲红 in time: on 31 January A's first receipt (01-28) stands; on 15 February it was
    // voided (02-10) and not yet issued again; B is decided, nothing paid, not yet overdue; the
    // self-correction was submitted that day and paid the next.
    let jan = call(
        c,
        "report.sheet",
        json!({"report": "RecoveryLedger", "to": "2026-01-31"}),
    );
    assert_eq!(sheet_rows(&jan, 0)[1][7], "8500.00");
    let feb = sheet_rows(
        &call(
            c,
            "report.sheet",
            json!({"report": "RecoveryLedger", "to": "2026-02-15"}),
        ),
        0,
    );
    assert_eq!(feb[1][7], "0.00");
    assert_eq!(
        feb[2][4..],
        r(&["20000.00", "0.00", "0.00", "0.00", "20000.00", "0"])
    );
    assert_eq!(
        feb[3][4..],
        r(&["1234.56", "0.00", "0.00", "0.00", "1234.56", "0"])
    );
    // From April, Z (closed 01-12) has left the ledger.
    let apr = call(
        c,
        "report.sheet",
        json!({"report": "RecoveryLedger", "from": "2026-04-01", "to": "2026-04-30"}),
    );
    let numbers: Vec<String> = sheet_rows(&apr, 0)
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    assert!(!numbers.contains(&nz), "{numbers:?}");
    // B's second deduction (April, 8,000) cleared it.
    let b_row = sheet_rows(&apr, 0)
        .into_iter()
        .find(|r| r[0] == nb)
        .unwrap();
    assert_eq!(
        b_row[4..],
        r(&["20000.00", "0.00", "20000.00", "20000.00", "0.00", "0"])
    );

    // Per institution: the same query grouped; 药店丁 (8,000 outstanding) first, then by code.
    let qi = json!({"report": "RecoveryByInstitution", "from": "2026-01-01", "to": "2026-03-31"});
    let si = call(c, "report.sheet", qi.clone());
    let rows = sheet_rows(&si, 0);
    assert_eq!(
        rows.iter().map(|r| r[1].as_str()).collect::<Vec<_>>(),
        [
            "和平区药店丁",
            "和平区医院甲",
            "和平区医院乙",
            "和平区诊所丙",
            "和平区药店戊",
            ""
        ]
    );
    assert_eq!(
        rows[0][2..],
        r(&["1", "20000.00", "0.00", "12000.00", "12000.00", "8000.00", "32"])
    );
    assert_eq!(
        rows[5][2..],
        r(&["5", "37734.56", "17734.56", "12000.00", "29734.56", "8000.00", "32"])
    );
    let key = si["tables"][0]["rows"][0]["cells"][7]["drill"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(key.starts_with("inst:"));
    assert_eq!(sheet_drill(c, &qi, &key), [(nb.clone(), "8000.00".into())]);
    assert_eq!(sheet_drill(c, &qi, "institutions").len(), 5);
    // A key the report does not have is refused, naming the field.
    field(
        c,
        "report.sheet_drill",
        json!({"query": qi, "key": "inst:1 OR 1=1"}),
        "key",
    );

    // XLSX: the same figures back through calamine; PDF on landscape A4.
    let file = call(c, "report.sheet_xlsx", q.clone());
    assert!(file["file_name"].as_str().unwrap().ends_with(".xlsx"));
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(b64(&file))).unwrap();
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).unwrap();
    let cell = |r: u32, col: u32| match range.get_value((r, col)) {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Float(f)) => format!("{f:.2}"),
        other => format!("{other:?}"),
    };
    assert_eq!(cell(0, 0), "医保基金追回台账（按案件）");
    assert_eq!(cell(3, 9), "逾期天数（自然日，自缴费时限次日起算至截止日）");
    assert_eq!(cell(6, 0), nb.as_str());
    assert_eq!(
        (4..10).map(|col| cell(6, col)).collect::<Vec<_>>(),
        ["20000.00", "0.00", "12000.00", "12000.00", "8000.00", "32.00"]
    );
    assert_eq!(cell(9, 4), "37734.56");
    let pdf = call(c, "report.sheet_pdf", q);
    assert!(pdf["pages"].as_i64().unwrap() >= 1);
    let text = pdf_text(&b64(&pdf));
    for needle in ["医保基金追回台账", "逾期天数", "37,734.56", "8,000.00"] {
        assert!(text.contains(needle), "{needle} in {text}");
    }
}

#[test]
fn enforcement_figures_count_a_case_once_under_its_heaviest_handling() {
    let o = Office::tianjin();
    let c = &o.core;
    let Fixture { a, b, cc, .. } = fixture(&o);
    let case_no = |case_id: i64| {
        call(c, "case.get", json!({"id": case_id}))["case"]["case_number"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // Decided in 2026: A (约谈 and 通报批评 → 通报批评; 8,000 + 违约金 500), B (暂停结算; 20,000),
    // C (行政处罚 with a fine of 10,000, then moved to the police → 移送司法机关; 5,000). Z was
    // decided in 2025. The monthly table of March counts C under both 行政处罚 and 移交司法 and
    // A under both 约谈 and 通报批评; here each once. 万元 from 分, rounded once.
    let q = json!({"report": "Enforcement", "from": "2026-01-01", "to": "2026-12-31"});
    let s = call(c, "report.sheet", q.clone());
    let r = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(
        sheet_rows(&s, 0),
        [
            r(&["移送司法机关", "1", "0.50", "1.00", "0.00"]),
            r(&["行政处罚", "0", "0.00", "0.00", "0.00"]),
            r(&["解除服务协议", "0", "0.00", "0.00", "0.00"]),
            r(&["中止服务协议", "0", "0.00", "0.00", "0.00"]),
            r(&["暂停医保医师（药师）服务资格", "0", "0.00", "0.00", "0.00"]),
            r(&["暂停结算（拨付）", "1", "2.00", "0.00", "0.00"]),
            r(&["通报批评", "1", "0.85", "0.00", "0.00"]),
            r(&["约谈、限期整改", "0", "0.00", "0.00", "0.00"]),
            r(&["仅责令退回医保基金", "0", "0.00", "0.00", "0.00"]),
            r(&["合计", "3", "3.35", "1.00", "0.00"]),
        ]
    );
    assert!(s["notes"][0]
        .as_str()
        .unwrap()
        .contains("从重到轻依次为：移送司法机关、行政处罚、解除服务协议"));
    // Each cell's own member query lists its cases.
    let key = |row: usize, col: usize| {
        s["tables"][0]["rows"][row]["cells"][col]["drill"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        sheet_drill(c, &q, &key(6, 2)),
        [(case_no(a), "8500.00".to_string())]
    );
    assert_eq!(
        sheet_drill(c, &q, &key(0, 3)),
        [(case_no(cc), "10000.00".to_string())]
    );
    assert_eq!(sheet_drill(c, &q, &key(5, 1)).len(), 1);
    assert_eq!(sheet_drill(c, &q, &key(5, 1))[0].0, case_no(b));
    assert_eq!(sheet_drill(c, &q, &key(9, 1)).len(), 3);
    // Before the referral (20 March) C's heaviest is the penalty.
    let early = call(
        c,
        "report.sheet",
        json!({"report": "Enforcement", "from": "2026-01-01", "to": "2026-03-10"}),
    );
    assert_eq!(sheet_rows(&early, 0)[0][1], "0");
    assert_eq!(
        sheet_rows(&early, 0)[1][1..],
        r(&["1", "0.50", "1.00", "0.00"])
    );
    let pdf = call(c, "report.sheet_pdf", q);
    let text = pdf_text(&b64(&pdf));
    assert!(text.contains("医保基金执法处理情况统计表") && text.contains("从重到轻"));
}

#[test]
fn recovered_funds_for_the_treasury_and_the_bureau_and_the_printed_reconciliation() {
    let o = Office::tianjin();
    let c = &o.core;
    let Fixture { z, a, b, cc } = fixture(&o);
    let case_no = |case_id: i64| {
        call(c, "case.get", json!({"id": case_id}))["case"]["case_number"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // January to March, receipted basis: the monthly table's 29,734.56 (March, cumulative), by
    // fund — 职工: Z 3,000 + A 8,500 (its second receipt; the first was voided) + B's deduction
    // 12,000 + the self-correction 1,234.56 = 24,734.56; 居民: C 5,000 — and by matter.
    let q = json!({"report": "FundsToFinance", "from": "2026-01-01", "to": "2026-03-31"});
    let s = call(c, "report.sheet", q.clone());
    assert_eq!(s["addressee"], "同级财政部门");
    let r = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(
        sheet_rows(&s, 0),
        [
            r(&["职工基本医保", "4", "24734.56"]),
            r(&["居民基本医保", "1", "5000.00"]),
            r(&["合计", "5", "29734.56"]),
        ]
    );
    let by_matter = sheet_rows(&s, 1);
    assert_eq!(
        by_matter
            .iter()
            .map(|r| (r[0].clone(), r[3].clone()))
            .collect::<Vec<_>>(),
        [
            (case_no(z), "3000.00".to_string()),
            (case_no(a), "8500.00".to_string()),
            (case_no(b), "12000.00".to_string()),
            (case_no(cc), "5000.00".to_string()),
            ("ZC-2026-001".to_string(), "1234.56".to_string()),
            ("合计".to_string(), "29734.56".to_string()),
        ]
    );
    let key = s["tables"][0]["rows"][1]["cells"][2]["drill"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        sheet_drill(c, &q, &key),
        [(case_no(cc), "5000.00".to_string())]
    );
    assert_eq!(sheet_drill(c, &q, "matter:all").len(), 5);
    let bureau = call(
        c,
        "report.sheet",
        json!({"report": "FundsToBureau", "from": "2026-01-01", "to": "2026-03-31"}),
    );
    assert_eq!(bureau["addressee"], "属地医疗保障行政部门");
    assert_eq!(sheet_rows(&bureau, 0), sheet_rows(&s, 0));
    let file = call(c, "report.sheet_xlsx", q.clone());
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(b64(&file))).unwrap();
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).unwrap();
    assert_eq!(range.get_value((6, 2)), Some(&Data::Float(5000.0)));
    let text = pdf_text(&b64(&call(c, "report.sheet_pdf", q)));
    assert!(text.contains("报同级财政部门") && text.contains("29,734.56"));

    // The reconciliation of March as a sheet: the figures of ledger.reconcile, every mismatch
    // naming its matter.
    let rec = call(c, "ledger.reconcile", json!({"month": "2026-03"}));
    let s = call(
        c,
        "report.sheet",
        json!({"report": "Reconciliation", "to": "2026-03-31"}),
    );
    let rows = sheet_rows(&s, 0);
    let total = rows.last().unwrap();
    assert_eq!(total[0], "合计");
    assert_eq!(
        total[2..],
        [
            rec["totals"]["notices_issued"].as_str().unwrap(),
            rec["totals"]["arrived"].as_str().unwrap(),
            rec["totals"]["offset"].as_str().unwrap(),
            rec["totals"]["refunded"].as_str().unwrap(),
            rec["totals"]["received"].as_str().unwrap(),
            rec["totals"]["receipted"].as_str().unwrap(),
        ]
    );
    assert_eq!(rows.len(), rec["rows"].as_array().unwrap().len() + 1);
    assert_eq!(
        sheet_rows(&s, 1).len(),
        rec["mismatches"].as_array().unwrap().len()
    );
    let pdf = call(
        c,
        "report.sheet_pdf",
        json!({"report": "Reconciliation", "to": "2026-03-31"}),
    );
    assert!(pdf_text(&b64(&pdf)).contains("医保基金追回月度对账表"));

    // Every figure of the printed reconciliation opens the matters behind it, and the amounts
    // they put in add up to the figure (the same computation: recorded where the figure is added
    // up) — every month of the fixture (冲红, an offset over two months, refunds).
    let mut opened = 0;
    for to in ["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30"] {
        let q = json!({"report": "Reconciliation", "to": to});
        let s = call(c, "report.sheet", q.clone());
        for (t, first) in [(0usize, 2usize), (1, 4)] {
            for row in s["tables"][t]["rows"].as_array().unwrap() {
                let cells = row["cells"].as_array().unwrap();
                let figures = if t == 0 {
                    &cells[first..]
                } else {
                    &cells[first..first + 1]
                };
                for cell in figures {
                    let key = cell["drill"]
                        .as_str()
                        .unwrap_or_else(|| panic!("{to}: a figure without its matters: {cell}"));
                    let items = sheet_drill(c, &q, key);
                    let sum: recoup::Money = items
                        .iter()
                        .map(|(_, a)| recoup::Money::parse(a).unwrap())
                        .sum();
                    assert_eq!(
                        sum,
                        recoup::Money::parse(cell["text"].as_str().unwrap()).unwrap(),
                        "{to} {key}: {items:?}"
                    );
                    if !items.is_empty() {
                        opened += 1;
                    }
                }
            }
        }
    }
    assert!(opened > 20, "{opened} figures with matters");
    // March by hand: what arrived in all is the arrivals of the month, matter by matter.
    let q = json!({"report": "Reconciliation", "to": "2026-03-31"});
    let arrived = sheet_drill(c, &q, "total:arrived");
    assert!(!arrived.is_empty());
    refuse(
        c,
        "report.sheet_drill",
        json!({"query": q, "key": "row:99:arrived"}),
    );
    refuse(
        c,
        "report.sheet_drill",
        json!({"query": q, "key": "total:owed"}),
    );
}

#[test]
fn a_self_correction_form_carries_its_campaign_area_in_the_list() {
    let o = Office::tianjin();
    let c = &o.core;
    fixture(&o);
    let campaign = call(
        c,
        "campaign.create",
        json!({"name": "2026年医保基金违法违规问题专项整治", "year": 2026, "areas": ["康复理疗", "血液透析"]}),
    );
    let area = campaign["areas"][1]["id"].clone();
    let list = call(c, "self_correction.list", json!({}));
    let sc = &list["items"][0];
    assert_eq!(sc["form_number"], "ZC-2026-001");
    assert_eq!(sc["campaign_area_id"], Value::Null);
    // The 自查自纠 screen's 专项整治领域 control (the case page's component) sends campaign.tag.
    call(
        c,
        "campaign.tag",
        json!({"self_correction_id": sc["id"], "campaign_area_id": area}),
    );
    let list = call(c, "self_correction.list", json!({}));
    assert_eq!(list["items"][0]["campaign_area_id"], area);
    // The campaign figures count it under that area.
    let figures = call(
        c,
        "report.campaign",
        json!({"campaign_id": id(&campaign), "to": "2026-03-31"}),
    );
    assert_eq!(figures["areas"][1]["self_corrections"], 1);
    assert_eq!(figures["areas"][1]["recovered"], "1234.56");
    call(
        c,
        "campaign.tag",
        json!({"self_correction_id": list["items"][0]["id"], "campaign_area_id": null}),
    );
    assert_eq!(
        call(c, "self_correction.list", json!({}))["items"][0]["campaign_area_id"],
        Value::Null
    );
}

#[test]
fn the_monthly_table_is_a_clock_on_the_dashboard_until_it_is_recorded_as_submitted() {
    let o = Office::tianjin();
    let c = &o.core;
    let h = o.institution("H12010100031", "和平区医院甲");
    // No table records yet: no clock, whatever the month.
    assert!(clocks(c, "2026-03-02")
        .iter()
        .all(|k| k["kind"] != "MonthlyReport"));
    inspect(c, "日常", h, "2026-02-05", &[], false);
    // February's table is due on 3 March (a Tuesday); January had no record yet, so no clock for it.
    let on = |today: &str| -> Vec<Value> {
        clocks(c, today)
            .into_iter()
            .filter(|k| k["kind"] == "MonthlyReport")
            .collect()
    };
    let feb = on("2026-03-02");
    assert_eq!(feb.len(), 1, "{feb:?}");
    assert_eq!(feb[0]["reference"], "2026年2月月度统计表");
    assert_eq!(feb[0]["due_on"], "2026-03-03");
    assert_eq!(feb[0]["state"], "DueSoon");
    assert_eq!(feb[0]["case_id"], Value::Null);
    assert_eq!(on("2026-03-04")[0]["state"], "Overdue");
    // In April, March's table is due too (the table is cumulative from 1 January).
    assert_eq!(on("2026-04-01").len(), 2);
    // Recorded as sent: February's clock ends, the table says so.
    field(
        c,
        "report.submit",
        json!({"year": 2026, "month": 2, "submitted_on": "2026-02-27"}),
        "submitted_on",
    );
    call(
        c,
        "report.submit",
        json!({"year": 2026, "month": 2, "submitted_on": "2026-03-02"}),
    );
    assert!(on("2026-03-04").is_empty());
    assert_eq!(
        call(c, "report.monthly", json!({"year": 2026, "month": 2}))["submitted_on"],
        "2026-03-02"
    );
    let april = on("2026-04-01");
    assert_eq!(april.len(), 1);
    assert_eq!(april[0]["due_on"], "2026-04-03");
    let audit = call(c, "audit.verify", json!({"full": true}));
    assert_eq!(audit["ok"], true, "{audit}");
}

#[test]
fn a_random_draw_is_recorded_from_the_platform_list_and_printed_for_publication() {
    let o = Office::tianjin();
    let c = &o.core;
    let h1 = o.institution("H12010100041", "和平区医院甲");
    let p1 = o.institution_with(
        "P12010100042",
        "和平区药店乙",
        json!({"kind": "RetailPharmacy"}),
    );
    // The platform's exported list: institutions by code (or name), inspectors, an unknown code.
    let list = call(
        c,
        "draw.parse_list",
        json!({"file_name": "抽查结果.xlsx", "content_base64": xlsx_file(&[
            &["序号", "机构编码", "机构名称", "检查人员"],
            &["1", "H12010100041", "和平区医院甲", "张三、李四"],
            &["2", "", "和平区药店乙", "王五"],
            &["3", "X99", "外区医院", ""],
        ])}),
    );
    let found: Vec<i64> = list["institutions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    assert_eq!(found, [h1, p1]);
    assert_eq!(list["inspectors"], json!(["张三", "李四", "王五"]));
    assert_eq!(
        list["problems"],
        json!(["第4行：X99 不在定点医药机构名单中"])
    );
    field(
        c,
        "draw.create",
        json!({"drawn_on": "2026-04-08", "title": "2026年第二季度日常检查", "institution_ids": [], "inspectors": ["张三"]}),
        "institution_ids",
    );
    field(
        c,
        "draw.create",
        json!({"drawn_on": "2026-04-08", "title": "2026年第二季度日常检查", "institution_ids": [h1], "inspectors": [" "]}),
        "inspectors",
    );
    let d = call(
        c,
        "draw.create",
        json!({"drawn_on": "2026-04-08", "title": "2026年第二季度日常检查", "institution_ids": found,
               "inspectors": list["inspectors"]}),
    );
    assert_eq!(d["institutions"][1]["name"], "和平区药店乙");
    let all = call(c, "draw.list", json!({}));
    assert_eq!(all.as_array().unwrap().len(), 1);
    let pdf = call(c, "draw.pdf", json!({"id": d["id"]}));
    assert_eq!(pdf["pages"], 1);
    let text = pdf_text(&b64(&pdf));
    for needle in [
        "双随机、一公开",
        "抽查结果公示",
        "和平区医院甲",
        "P12010100042",
        "零售药店",
        "张三、李四、王五",
        "2026年4月8日",
    ] {
        assert!(text.contains(needle), "{needle} in {text}");
    }
    let audit = call(c, "audit.verify", json!({"full": true}));
    assert_eq!(audit["ok"], true, "{audit}");
}

/// A draw recorded wrongly is corrected through `draw.update` (partial: the fields left out keep
/// their values; an empty payload changes nothing and is refused) or withdrawn with its reason
/// (`draw.withdraw`); a withdrawn draw stays listed, is not changed or printed again, and both
/// are in the audit log. 双随机、一公开 (001 art. 31).
#[test]
fn a_recorded_draw_is_corrected_or_withdrawn_with_its_reason() {
    let o = Office::tianjin();
    let c = &o.core;
    let h1 = o.institution("H12010100051", "和平区医院丙");
    let h2 = o.institution("H12010100052", "和平区医院丁");
    let d = call(
        c,
        "draw.create",
        json!({"drawn_on": "2026-04-08", "title": "2026年第二季度日常检查", "institution_ids": [h1],
               "inspectors": ["张三", "李四"], "note": "平台抽取"}),
    );
    let id = d["id"].clone();
    // Nothing to change: refused, nothing written.
    let e = refuse(c, "draw.update", json!({"id": id}));
    assert!(e.message.contains("没有要修改的内容"), "{e:?}");
    refuse(c, "draw.update", json!({"id": id, "unknown": 1}));
    // Refusals name the field in Chinese.
    let e = field(
        c,
        "draw.update",
        json!({"id": id, "drawn_on": "四月八日"}),
        "drawn_on",
    );
    assert!(e.message.contains("抽取日期"), "{e:?}");
    field(
        c,
        "draw.update",
        json!({"id": id, "institution_ids": []}),
        "institution_ids",
    );
    field(
        c,
        "draw.update",
        json!({"id": id, "inspectors": ["  "]}),
        "inspectors",
    );
    field(c, "draw.update", json!({"id": id, "title": " "}), "title");
    // A wrong institution and a wrong day corrected; title, inspectors and note kept.
    let fixed = call(
        c,
        "draw.update",
        json!({"id": id, "institution_ids": [h2, h1], "drawn_on": "2026-04-09"}),
    );
    assert_eq!(fixed["drawn_on"], "2026-04-09");
    assert_eq!(fixed["title"], "2026年第二季度日常检查");
    assert_eq!(fixed["inspectors"], json!(["张三", "李四"]));
    assert_eq!(fixed["note"], "平台抽取");
    let names: Vec<&str> = fixed["institutions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["和平区医院丁", "和平区医院丙"]);
    // The same values again: nothing written.
    let before = audit_entries(c);
    call(
        c,
        "draw.update",
        json!({"id": id, "title": "2026年第二季度日常检查", "drawn_on": "2026-04-09"}),
    );
    assert_eq!(
        audit_entries(c),
        before,
        "the same draw again writes nothing"
    );
    let fixed = call(
        c,
        "draw.update",
        json!({"id": id, "inspectors": ["张三", "王五"]}),
    );
    assert_eq!(fixed["inspectors"], json!(["张三", "王五"]));
    assert_eq!(fixed["institutions"].as_array().unwrap().len(), 2);
    let text = pdf_text(&b64(&call(c, "draw.pdf", json!({"id": id}))));
    assert!(
        text.contains("张三、王五") && text.contains("2026年4月9日"),
        "{text}"
    );
    // Withdrawn: the reason is required, the day not before the draw.
    field(
        c,
        "draw.withdraw",
        json!({"id": id, "reason": " "}),
        "reason",
    );
    field(
        c,
        "draw.withdraw",
        json!({"id": id, "reason": "重复登记", "date": "2026-04-01"}),
        "date",
    );
    let w = call(
        c,
        "draw.withdraw",
        json!({"id": id, "reason": "重复登记", "date": "2026-04-10"}),
    );
    assert_eq!(w["withdrawn_on"], "2026-04-10");
    assert_eq!(w["withdraw_reason"], "重复登记");
    let listed = call(c, "draw.list", json!({}));
    assert_eq!(listed[0]["withdrawn_on"], "2026-04-10");
    illegal(
        c,
        "draw.update",
        json!({"id": id, "title": "改"}),
        "已于2026年4月10日撤回",
    );
    illegal(
        c,
        "draw.withdraw",
        json!({"id": id, "reason": "再撤"}),
        "撤回",
    );
    illegal(c, "draw.pdf", json!({"id": id}), "不能打印公示");
    let log = call(c, "audit.list", json!({"offset": 0, "limit": 1000}));
    let commands: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["command"].as_str().unwrap())
        .collect();
    assert_eq!(
        commands.iter().filter(|c| **c == "draw.update").count(),
        2,
        "{commands:?}"
    );
    assert!(commands.contains(&"draw.withdraw"), "{commands:?}");
    let audit = call(c, "audit.verify", json!({"full": true}));
    assert_eq!(audit["ok"], true, "{audit}");
}

#[test]
fn the_charts_are_sums_of_the_sheets_member_queries() {
    let o = Office::tianjin();
    let c = &o.core;
    let Fixture { b, .. } = fixture(&o);
    let ch = call(
        c,
        "report.charts",
        json!({"year": 2026, "to": "2026-03-31"}),
    );
    let amounts = |name: &str| -> Vec<(String, String)> {
        ch[name]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| {
                (
                    b["label"].as_str().unwrap().to_string(),
                    b["amount"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let p = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    // By month, each month's receipts standing at its end: January holds A's first receipt (voided
    // in February), March its second; so the months add up to more than the year's 29,734.56.
    assert_eq!(
        amounts("by_month"),
        p(&[("1月", "11500.00"), ("2月", "1234.56"), ("3月", "25500.00")])
    );
    assert_eq!(
        amounts("by_fund"),
        p(&[("职工基本医保", "24734.56"), ("居民基本医保", "5000.00")])
    );
    assert_eq!(
        amounts("by_kind"),
        p(&[("定点医疗机构", "16500.00"), ("定点零售药店", "13234.56")])
    );
    assert_eq!(
        amounts("by_age"),
        p(&[
            ("未逾期", "0.00"),
            ("逾期1至30天", "0.00"),
            ("逾期31至90天", "8000.00"),
            ("逾期91至180天", "0.00"),
            ("逾期181天至1年", "0.00"),
            ("逾期1年以上", "0.00"),
        ])
    );
    // A bar opens its matters through the same query and key.
    let bar = &ch["by_age"][2];
    let number = call(c, "case.get", json!({"id": b}))["case"]["case_number"].clone();
    assert_eq!(
        sheet_drill(c, &bar["query"], bar["key"].as_str().unwrap()),
        [(number.as_str().unwrap().to_string(), "8000.00".to_string())]
    );
    let pharmacy = &ch["by_kind"][1];
    assert_eq!(
        sheet_drill(c, &pharmacy["query"], pharmacy["key"].as_str().unwrap()).len(),
        2
    );
}

/// 天津 art. 16 (and the national rules on cross-province settlement it refers to): money of insured
/// persons of another province treated here goes back to the 参保地 account as a reduction of the
/// cross-province settlement. The line names the 参保地; the 通知单 says where that part goes, citing
/// the office's rule set; the report to the treasury and the bureau shows it on its own row, not
/// under the local funds, and the row drills down to its matter.
#[test]
fn cross_province_money_returns_to_the_insured_region_not_to_the_local_fund() {
    let o = Office::tianjin();
    let c = &o.core;
    let h = o.institution("H12010100031", "和平区医院辛");
    let case = agreement(
        &o,
        h,
        "2026-02-02",
        &[
            json!({"fund": "职工基本医保", "year_kind": "当年", "category": "住院费", "amount_due": "3000"}),
            json!({"fund": "居民基本医保", "year_kind": "当年", "category": "住院费", "amount_due": "2000",
                   "insured_region": "河北省石家庄市"}),
        ],
    )
    .notified_with("2026-02-03", json!({"proposed_measures": measures(&["约谈"])}))
    .served("2026-02-04")
    .waived("2026-02-05")
    .decided_with(
        "2026-02-10",
        json!({"payment_due": "2026-03-31", "measures": measures(&["约谈"])}),
    )
    .decision_served("2026-02-11")
    .id;
    let lines = call(c, "case.get", json!({"id": case}))["recovery_lines"].clone();
    assert_eq!(lines[1]["insured_region"], "河北省石家庄市");
    assert_eq!(lines[0]["insured_region"], Value::Null);
    let mut settings = call(c, "document.settings_get", json!({}));
    for key in ["employee_account", "resident_account"] {
        settings[key] = json!({"account_name": "天津市医疗保障基金管理中心", "bank": "中国农业银行天津和平支行",
                               "account_number": "02160001040042313", "bank_code": "103110016005"});
    }
    settings["contact_phone"] = json!("022-23456789");
    call(c, "document.settings_update", settings);
    let slip = pdf_text(&pdf_of(&call(
        c,
        "document.preview",
        json!({"case_id": case, "kind": "RecoverySlip"}),
    )));
    let slip: String = slip.split_whitespace().collect();
    assert!(
        slip.contains("其中跨省异地就医费用2,000.00元（参保地：河北省石家庄市），按原渠道返回参保地账户，冲减跨省异地就医直接结算费用"),
        "{slip}"
    );
    assert!(
        slip.contains("第十六条"),
        "the 天津 preset's article: {slip}"
    );
    for (fund, amount, voucher, number) in [
        ("职工基本医保", "3000", "NY-X1", "津财票2026-000101"),
        ("居民基本医保", "2000", "NY-X2", "津财票2026-000102"),
    ] {
        let p = pay(c, case, "2026-02-20", amount, fund, voucher);
        call(
            c,
            "payment.confirm_arrival",
            json!({"id": p, "date": "2026-02-21"}),
        );
        receipt(c, p, number, "2026-02-25");
    }
    let q = json!({"report": "FundsToFinance", "from": "2026-02-01", "to": "2026-02-28"});
    let s = call(c, "report.sheet", q.clone());
    let r = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(
        sheet_rows(&s, 0),
        [
            r(&["职工基本医保", "1", "3000.00"]),
            r(&["跨省异地就医（返回参保地）", "1", "2000.00"]),
            r(&["合计", "1", "5000.00"]),
        ]
    );
    let number = call(c, "case.get", json!({"id": case}))["case"]["case_number"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        sheet_drill(c, &q, "fund:cross"),
        [(number.clone(), "2000.00".to_string())]
    );
    assert_eq!(
        sheet_drill(c, &q, "fund:ResidentBasic"),
        Vec::<(String, String)>::new()
    );
    let notes = s["notes"].to_string();
    assert!(
        notes.contains("返回参保地账户") && notes.contains("第十六条"),
        "{notes}"
    );
}

/// The matters behind one campaign figure (all of them: the fixture is small), as
/// `(kind, number, amount)`, after checking the page's total against the items.
fn campaign_drill(
    c: &Core,
    q: &Value,
    figure: &str,
    group: Value,
) -> Vec<(String, String, Option<String>)> {
    let mut req = json!({"query": q, "figure": figure, "limit": 100});
    if figure.starts_with("Leads") {
        req["source"] = group;
    } else {
        req["area_id"] = group;
    }
    let p = call(c, "report.campaign_drill", req);
    let items = p["items"].as_array().unwrap();
    assert_eq!(p["total"].as_i64().unwrap() as usize, items.len());
    items
        .iter()
        .map(|i| {
            (
                i["kind"].as_str().unwrap().to_string(),
                i["number"].as_str().unwrap().to_string(),
                i["amount"].as_str().map(str::to_string),
            )
        })
        .collect()
}

/// Every figure of the campaign page against the matters its drill-down lists: a count is the
/// number of matters, an amount the sum of theirs (to the cent).
fn every_campaign_figure_opens_its_matters(c: &Core, q: &Value) {
    let f = call(c, "report.campaign", q.clone());
    let cents = |s: &str| -> i64 {
        let (y, fen) = s.split_once('.').unwrap();
        y.parse::<i64>().unwrap() * 100 + fen.parse::<i64>().unwrap()
    };
    for a in f["areas"].as_array().unwrap() {
        for (figure, field) in [
            ("Inspections", "inspections"),
            ("Cases", "cases"),
            ("Institutions", "institutions"),
            ("SelfCorrections", "self_corrections"),
        ] {
            let items = campaign_drill(c, q, figure, a["area_id"].clone());
            assert_eq!(
                items.len() as i64,
                a[field].as_i64().unwrap(),
                "{figure} of {a}"
            );
        }
        for (figure, field) in [
            ("Recovered", "recovered"),
            ("SelfCorrected", "self_corrected"),
        ] {
            let items = campaign_drill(c, q, figure, a["area_id"].clone());
            let sum: i64 = items.iter().map(|i| cents(i.2.as_deref().unwrap())).sum();
            assert_eq!(sum, cents(a[field].as_str().unwrap()), "{figure} of {a}");
        }
    }
    for l in f["leads"].as_array().unwrap() {
        for (figure, field) in [
            ("LeadsReceived", "received"),
            ("LeadsVerified", "verified"),
            ("LeadsOutstanding", "outstanding"),
        ] {
            let items = campaign_drill(c, q, figure, l["source"].clone());
            assert!(items.iter().all(|i| i.0 == "Lead"));
            assert_eq!(
                items.len() as i64,
                l[field].as_i64().unwrap(),
                "{figure} of {l}"
            );
        }
    }
}

/// 003 四(三) 定期报送专项整治工作数据: the campaign figures count the period asked for, each by its
/// own date (inspections by start, cases by filing, 追回 by receipt as in the 002 table,
/// self-correction forms by submission, leads by receipt and concluded by the period's end), and
/// every number opens the matters behind it through the query it was counted from.
#[test]
fn campaign_figures_follow_the_period_and_every_number_opens_its_matters() {
    let o = Office::tianjin();
    let c = &o.core;
    let Fixture { z, a, b, cc } = fixture(&o);
    let campaign = call(
        c,
        "campaign.create",
        json!({"name": "2026年医保基金违法违规问题专项整治", "year": 2026, "areas": ["血液透析", "康复理疗"]}),
    );
    let (dialysis, rehab) = (
        campaign["areas"][0]["id"].clone(),
        campaign["areas"][1]["id"].clone(),
    );
    for (case, area) in [(z, &dialysis), (a, &dialysis), (b, &rehab), (cc, &rehab)] {
        call(
            c,
            "campaign.tag",
            json!({"case_id": case, "campaign_area_id": area}),
        );
    }
    let sc = call(c, "self_correction.list", json!({}))["items"][0]["id"].clone();
    call(
        c,
        "campaign.tag",
        json!({"self_correction_id": sc, "campaign_area_id": dialysis}),
    );
    let h1 = o.institution("H12010100031", "和平区透析中心");
    for (on, area) in [
        ("2025-12-20", &dialysis),
        ("2026-02-01", &dialysis),
        ("2026-03-15", &rehab),
        ("2026-05-01", &rehab),
    ] {
        call(
            c,
            "inspection.create",
            json!({"kind": "专项", "institution_id": h1, "started_on": on, "problems_found": true,
                   "campaign_area_id": area}),
        );
    }
    let lead = |source: &str, on: &str| {
        id(&call(
            c,
            "lead.create",
            json!({"source": source, "received_on": on, "summary": "专项整治线索"}),
        ))
    };
    let l1 = lead("举报投诉", "2026-01-10");
    lead("举报投诉", "2026-03-01");
    let l3 = lead("上级交办", "2026-02-01");
    lead("上级交办", "2025-12-01");
    call(
        c,
        "lead.conclude",
        json!({"id": l1, "outcome": "不予立案", "on": "2026-02-20", "note": "查无实据", "referred_to": ""}),
    );
    call(
        c,
        "lead.conclude",
        json!({"id": l3, "outcome": "移送", "on": "2026-04-02", "note": "涉嫌伪造病历", "referred_to": "公安局"}),
    );
    let cid = id(&campaign);
    let figures = |from: &str, to: &str| {
        let f = call(
            c,
            "report.campaign",
            json!({"campaign_id": cid, "from": from, "to": to}),
        );
        let areas: Vec<Vec<String>> = f["areas"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                [
                    "inspections",
                    "cases",
                    "institutions",
                    "recovered",
                    "self_corrections",
                    "self_corrected",
                ]
                .iter()
                .map(|k| a[*k].to_string().trim_matches('"').to_string())
                .collect()
            })
            .collect();
        let leads: Vec<(String, i64, i64, i64)> = f["leads"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["source"].as_str().unwrap().to_string(),
                    l["received"].as_i64().unwrap(),
                    l["verified"].as_i64().unwrap(),
                    l["outstanding"].as_i64().unwrap(),
                )
            })
            .collect();
        (areas, leads, f["leads_cleared"].as_bool().unwrap())
    };
    // First quarter. 血液透析: the inspection of 02-01 (not 2025-12-20); case A filed 01-05 (Z was
    // filed in 2025); its institution; 追回 Z 3,000.00 (receipt 01-05) + A 8,500.00 (the receipt of
    // 01-28 voided 02-10, issued again 03-03) + the form 1,234.56 (02-18) = 12,734.56; the form.
    // 康复理疗: the inspection of 03-15; B and C (filed 01-22, 02-02), two institutions; 追回 B's
    // first deduction 12,000.00 (03-10) + C 5,000.00 (03-16) = 17,000.00.
    let (areas, leads, cleared) = figures("2026-01-01", "2026-03-31");
    assert_eq!(
        areas,
        [
            ["1", "1", "1", "12734.56", "1", "1234.56"],
            ["1", "2", "2", "17000.00", "0", "0.00"]
        ]
    );
    // 举报: two received, the one concluded 02-20 verified; 上级交办: concluded 04-02, after the
    // quarter, so still outstanding at its end (the one of 2025 is not counted).
    assert_eq!(
        leads,
        [
            ("AssignedFromAbove".to_string(), 1, 0, 1),
            ("Report".to_string(), 2, 1, 1)
        ]
    );
    assert!(!cleared);
    // February alone: only the form's 1,234.56 came back; C was filed; no lead of 举报 received.
    let (areas, leads, _) = figures("2026-02-01", "2026-02-28");
    assert_eq!(
        areas,
        [
            ["1", "0", "0", "1234.56", "1", "1234.56"],
            ["0", "1", "1", "0.00", "0", "0.00"]
        ]
    );
    assert_eq!(leads, [("AssignedFromAbove".to_string(), 1, 0, 1)]);
    // April to December: the lead of 上级交办 is not received in it; nothing outstanding → 清仓见底.
    let (areas, leads, cleared) = figures("2026-04-01", "2026-12-31");
    assert_eq!(areas[1][0], "1"); // the inspection of 05-01
    assert!(leads.is_empty());
    assert!(cleared);
    // The default period is the campaign's year; the page states which date each figure counts by.
    let f = call(c, "report.campaign", json!({"campaign_id": cid}));
    assert_eq!(
        (f["from"].as_str(), f["to"].as_str()),
        (Some("2026-01-01"), Some("2026-12-31"))
    );
    assert_eq!(f["areas"][1]["inspections"], 2);
    assert_eq!(f["leads"][0]["verified"], 1);
    let notes = f["notes"].to_string();
    for needle in [
        "检查开始日期",
        "立案日期",
        "开具财政票据的日期",
        "提交日期",
        "收到日期",
        "截至期末",
    ] {
        assert!(notes.contains(needle), "{needle} in {notes}");
    }

    // Every number opens its matters, for each period.
    for (from, to) in [
        ("2026-01-01", "2026-03-31"),
        ("2026-02-01", "2026-02-28"),
        ("2026-01-01", "2026-12-31"),
    ] {
        every_campaign_figure_opens_its_matters(
            c,
            &json!({"campaign_id": cid, "from": from, "to": to}),
        );
    }
    // And the lists themselves, by hand.
    let q1 = json!({"campaign_id": cid, "from": "2026-01-01", "to": "2026-03-31"});
    let money = |s: &str| Some(s.to_string());
    let recovered = campaign_drill(c, &q1, "Recovered", dialysis.clone());
    let mut amounts: Vec<(String, Option<String>)> =
        recovered.into_iter().map(|i| (i.0, i.2)).collect();
    amounts.sort();
    assert_eq!(
        amounts,
        [
            ("Case".to_string(), money("3000.00")),
            ("Case".to_string(), money("8500.00")),
            ("SelfCorrection".to_string(), money("1234.56"))
        ]
    );
    let institutions: Vec<String> = campaign_drill(c, &q1, "Institutions", rehab.clone())
        .into_iter()
        .map(|i| format!("{} {}", i.0, i.1))
        .collect();
    assert_eq!(
        institutions,
        ["Institution H12010100013", "Institution P12010100014"]
    );
    let inspections = campaign_drill(c, &q1, "Inspections", rehab.clone());
    assert_eq!(
        inspections,
        [("Inspection".to_string(), "2026-03-15".to_string(), None)]
    );
    let outstanding = campaign_drill(c, &q1, "LeadsOutstanding", json!("Report"));
    assert_eq!(outstanding.len(), 1);
    assert_eq!(outstanding[0].0, "Lead");

    // Refused: an area of no such campaign, a lead figure without its source, a period backwards,
    // the campaign through the sheets' request.
    field(
        c,
        "report.campaign_drill",
        json!({"query": q1, "figure": "Cases", "area_id": 9999}),
        "area_id",
    );
    field(
        c,
        "report.campaign_drill",
        json!({"query": q1, "figure": "LeadsReceived"}),
        "source",
    );
    field(
        c,
        "report.campaign",
        json!({"campaign_id": cid, "from": "2026-04-01", "to": "2026-03-31"}),
        "from",
    );
    field(
        c,
        "report.sheet",
        json!({"report": "Campaign", "to": "2026-03-31"}),
        "report",
    );

    // On paper: the same figures, the period and the notes.
    let x = call(c, "report.campaign_xlsx", q1.clone());
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(b64(&x))).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    let cells: Vec<String> = range.cells().map(|(_, _, d)| d.to_string()).collect();
    for needle in [
        "血液透析",
        "12734.56",
        "17000",
        "统计期间：2026年1月1日至2026年3月31日",
        "尚有线索未核查完毕",
    ] {
        assert!(
            cells.iter().any(|t| t.contains(needle)),
            "{needle} in {cells:?}"
        );
    }
    assert!(cells.iter().any(|t| t.contains("立案日期")));
    let pdf = call(c, "report.campaign_pdf", q1);
    assert_eq!(pdf["pages"], 1);
    let text = pdf_text(&b64(&pdf));
    for needle in ["专项整治", "血液透析", "12,734.56", "立案日期"] {
        assert!(text.contains(needle), "{needle} in {text}");
    }
}
