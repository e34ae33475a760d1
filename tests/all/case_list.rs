//! The case list at scale (issue 13): substring search through the bigram index (two-character
//! words included), kept current by every write; pages read from either end agree with one
//! newest-first order.

use serde_json::{json, Value};

use crate::common::*;

fn ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect()
}

fn numbers(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["case_number"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_case_list_searches_substrings_and_pages_from_either_end() {
    let o = Office::tianjin();
    let c = &o.core;
    let tongren = o.institution("P12010100001", "天津市同仁堂药店");
    let renmin = o.institution("H12010100002", "天津市人民医院");
    let zhongyi = o.institution("H12010100003", "天津市和平区中医院");
    // Eleven cases filed on different days, out of order.
    let mut filed = Vec::new();
    for (i, (inst, summary)) in [
        (tongren, "串换药品"),
        (renmin, "虚记住院费用"),
        (zhongyi, "分解住院"),
        (renmin, "超标准收费"),
        (tongren, "重复收费"),
        (zhongyi, "挂床住院"),
        (renmin, "串换药品"),
        (tongren, "虚记住院费用"),
        (zhongyi, "超限定范围用药"),
        (renmin, "分解住院"),
        (tongren, "超标准收费"),
    ]
    .into_iter()
    .enumerate()
    {
        let day = [3, 17, 5, 21, 9, 13, 1, 25, 7, 19, 11][i];
        // Every third case came from a report (举报), the others from settlement review.
        let builder = CaseBuilder::agreement(&o, inst).summary(summary);
        let builder = if i % 3 == 0 {
            builder.source("举报")
        } else {
            builder
        };
        let case = builder.filed(&format!("2026-09-{day:02}"));
        filed.push((day, case.id));
    }
    let search = |q: &str| call(c, "case.list", json!({"query": q, "limit": 100}));
    let total = |q: &str| search(q)["total"].as_i64().unwrap();
    // Two-character words, a longer substring, one character, an institution code, a number.
    assert_eq!(total("同仁"), 4);
    assert_eq!(total("人民"), 4);
    assert_eq!(total("中医院"), 3);
    assert_eq!(total("医院"), 7);
    assert_eq!(total("住院"), 5); // summaries: 虚记住院费用 ×2, 分解住院 ×2, 挂床住院
    assert_eq!(total("药"), 6); // 药店 ×4, 串换药品 (of 人民医院), 超限定范围用药
    assert_eq!(total("H1201010000"), 7);
    let first = search("")["items"][0]["case_number"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(numbers(&search(&first)), vec![first.clone()]);
    // Punctuation does not count; an unknown word finds nothing.
    assert_eq!(total("同 仁"), 4);
    assert_eq!(total("同仁医院"), 0);
    // No match across fields: "费用" ends a summary, "天津" begins the party.
    assert_eq!(total("用天"), 0);
    // A search with a filter.
    assert_eq!(
        call(
            c,
            "case.list",
            json!({"query": "人民", "institution_id": renmin})
        )["total"],
        4
    );
    assert_eq!(
        call(
            c,
            "case.list",
            json!({"query": "人民", "institution_id": tongren})
        )["total"],
        0
    );
    // Renaming an institution re-indexes its cases.
    let mut renamed = InstitutionBuilder::new("P12010100001", "天津市仁心大药房").payload();
    renamed["id"] = json!(tongren);
    renamed["agreement_status"] = json!("Active");
    call(c, "institution.update", renamed);
    assert_eq!(total("同仁"), 0);
    assert_eq!(total("仁心"), 4);

    // Newest filed first; every page of 3, read from the front or (past the middle) from the
    // back, is a slice of the same order.
    filed.sort_by(|a, b| b.cmp(a));
    let all = call(c, "case.list", json!({"limit": 100}));
    let want: Vec<i64> = filed.iter().map(|(_, id)| *id).collect();
    assert_eq!(ids(&all), want);
    for offset in 0..12 {
        let page = call(c, "case.list", json!({"offset": offset, "limit": 3}));
        assert_eq!(page["total"], 11);
        let end = (offset + 3).min(11);
        assert_eq!(ids(&page), want[offset.min(11)..end], "offset {offset}");
    }
    // Oldest first: the same order reversed, paged the same way from either end.
    let oldest: Vec<i64> = want.iter().rev().copied().collect();
    for offset in 0..12 {
        let page = call(
            c,
            "case.list",
            json!({"offset": offset, "limit": 3, "oldest_first": true}),
        );
        let end = (offset + 3).min(11);
        assert_eq!(
            ids(&page),
            oldest[offset.min(11)..end],
            "oldest first, offset {offset}"
        );
    }
    // 立案日期 from/to (both inclusive), 案件来源, and the two together.
    let dated = call(
        c,
        "case.list",
        json!({"filed_from": "2026-09-07", "filed_to": "2026-09-17", "oldest_first": true}),
    );
    let in_range: Vec<i64> = filed
        .iter()
        .rev()
        .filter(|(d, _)| (7..=17).contains(d))
        .map(|(_, id)| *id)
        .collect();
    assert_eq!(ids(&dated), in_range);
    assert_eq!(dated["total"], 5); // the 7th, 9th, 11th, 13th and 17th
                                   // Cases 0, 3, 6, 9 were reported: filed on the 3rd, 21st, 1st and 19th.
    let reported = call(c, "case.list", json!({"source": "Report"}));
    assert_eq!(reported["total"], 4);
    let reported_days: Vec<i64> = [21, 19, 3, 1]
        .iter()
        .map(|d| filed.iter().find(|(day, _)| day == d).unwrap().1)
        .collect();
    assert_eq!(ids(&reported), reported_days);
    assert_eq!(
        call(
            c,
            "case.list",
            json!({"source": "Report", "filed_from": "2026-09-02", "filed_to": "2026-09-20"})
        )["total"],
        2
    );
    let e = c
        .call(
            "case.list",
            json!({"filed_from": "2026-09-20", "filed_to": "2026-09-02"}),
        )
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("filed_from"));

    // A search is paged the same way.
    let page = call(
        c,
        "case.list",
        json!({"query": "医院", "offset": 5, "limit": 3}),
    );
    assert_eq!(page["total"], 7);
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    assert_eq!(call(c, "audit.verify", json!({}))["ok"], true);
}

#[test]
fn a_search_too_long_or_with_control_characters_is_refused_with_its_field() {
    // Issue 12: a 50,000-character search answered HTTP 500 (SQLite's LIKE pattern limit).
    let o = crate::common::OfficeBuilder::tianjin().open();
    let long = "人".repeat(50_000);
    for command in ["case.list", "lead.list", "institution.list", "insured.list"] {
        let e = crate::common::refuse(&o.core, command, serde_json::json!({ "query": long }));
        assert_eq!(e.code, recoup::ErrorCode::Validation, "{command}");
        assert_eq!(e.field.as_deref(), Some("query"), "{command}");
        assert!(
            e.message.contains("最多100个字"),
            "{command}: {}",
            e.message
        );
        let e = crate::common::refuse(
            &o.core,
            command,
            serde_json::json!({ "query": "同仁\u{7}" }),
        );
        assert_eq!(e.field.as_deref(), Some("query"), "{command}");
    }
    // A hundred characters are still a search.
    let hundred = "人".repeat(100);
    for command in ["case.list", "lead.list", "institution.list", "insured.list"] {
        let page = crate::common::call(&o.core, command, serde_json::json!({ "query": hundred }));
        assert_eq!(page["total"], 0, "{command}");
    }
}

/// 案件 list filters of issue 8: 险种 (a matter with a line of that fund), 应追回金额 range (lines
/// other than 违约金), and 只看逾期 (a clock past its due date today, as on the 工作台).
#[test]
fn the_case_list_filters_by_fund_amount_and_overdue() {
    let o = Office::tianjin();
    let c = &o.core;
    let inst = o.institution("H12010100002", "天津市人民医院");
    let today = chrono::Local::now().date_naive();
    // Filed long ago and still investigating: its decision clock is overdue.
    let old = CaseBuilder::agreement(&o, inst)
        .filed(&(today - chrono::Duration::days(400)).to_string())
        .line(json!({"fund": "居民基本医保", "year_kind": "当年", "category": "门诊费", "amount_due": "52000"}))
        .line(json!({"fund": "居民基本医保", "year_kind": "当年", "category": "违约金", "amount_due": "3000"}));
    // Filed today: nothing is overdue yet.
    // Found by the words of a finding and by the number of its 告知书 (issue 8).
    let notified = CaseBuilder::agreement(&o, inst)
        .filed(&today.to_string())
        .finding("虚构医疗服务项目", "服务协议第二十条", "0")
        .evidence("书证", "结算清单", &today.to_string())
        .line(json!({"fund": "医疗救助", "year_kind": "当年", "category": "门诊费", "amount_due": "5000"}))
        .notified_with(&today.to_string(), json!({"document_number": "南医保协告〔2026〕77号"}));
    let search = |q: &str| ids(&call(c, "case.list", json!({"query": q})));
    assert_eq!(search("虚构医疗"), vec![notified.id]);
    assert_eq!(search("协告〔2026〕77"), vec![notified.id]);
    assert_eq!(search("77号"), vec![notified.id]);
    // No match across two items of a list (the finding, then the next finding or number).
    assert_eq!(search("项目南"), Vec::<i64>::new());
    let employee = CaseBuilder::agreement(&o, inst)
        .filed(&today.to_string())
        .line(json!({"fund": "职工基本医保", "year_kind": "当年", "category": "住院费", "amount_due": "1200.50"}));
    let both = CaseBuilder::agreement(&o, inst)
        .filed(&today.to_string())
        .line(json!({"fund": "职工基本医保", "year_kind": "历年", "amount_due": "800"}))
        .line(json!({"fund": "居民基本医保", "year_kind": "当年", "category": "门诊费", "amount_due": "800"}));
    let list = |q: Value| {
        let mut got = ids(&call(c, "case.list", q.clone()));
        got.sort_unstable();
        let total = call(c, "case.list", q)["total"].as_i64().unwrap();
        assert_eq!(total as usize, got.len());
        got
    };
    let sorted = |mut v: Vec<i64>| {
        v.sort_unstable();
        v
    };
    assert_eq!(
        list(json!({"fund": "EmployeeBasic"})),
        sorted(vec![employee.id, both.id])
    );
    assert_eq!(
        list(json!({"fund": "ResidentBasic"})),
        sorted(vec![old.id, both.id])
    );
    assert_eq!(list(json!({"fund": "Maternity"})), Vec::<i64>::new());
    // 违约金 is not part of the recovery total: the old case is 52,000.00, not 55,000.00.
    assert_eq!(list(json!({"amount_min": "52000"})), vec![old.id]);
    assert_eq!(list(json!({"amount_min": "52000.01"})), Vec::<i64>::new());
    assert_eq!(
        list(json!({"amount_max": "1200.50"})),
        sorted(vec![employee.id])
    );
    assert_eq!(
        list(json!({"amount_min": "1,200.50", "amount_max": "1600"})),
        sorted(vec![employee.id, both.id])
    );
    assert_eq!(list(json!({"overdue_only": true})), vec![old.id]);
    assert_eq!(
        list(json!({"overdue_only": true, "fund": "EmployeeBasic"})),
        Vec::<i64>::new()
    );
    // A case without lines totals 0 (no row in case_amount): inside a range from 0.
    let bare = CaseBuilder::agreement(&o, inst).filed(&today.to_string());
    assert_eq!(list(json!({"amount_max": "0"})), vec![bare.id]);
    assert_eq!(
        list(json!({"amount_min": "0", "amount_max": "0"})),
        vec![bare.id]
    );
    // Removing a line changes the total the filter reads (kept by triggers on recovery_line).
    let lines = call(c, "case.get", json!({"id": both.id}))["recovery_lines"].clone();
    let resident = lines
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["fund"] == "ResidentBasic")
        .unwrap()["id"]
        .clone();
    call(c, "recovery.remove_line", json!({"id": resident}));
    assert_eq!(
        list(json!({"amount_min": "1,200.50", "amount_max": "1600"})),
        vec![employee.id]
    );
    assert_eq!(
        list(json!({"amount_min": "800", "amount_max": "800"})),
        vec![both.id]
    );
    assert_eq!(list(json!({"fund": "ResidentBasic"})), vec![old.id]);
    // The overdue case is the one the 工作台 shows as overdue.
    let board = call(c, "clock.board", json!({}));
    let overdue = board["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["state"] == "Overdue")
        .unwrap();
    assert!(overdue["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|k| k["case_id"] == old.id));
    // A range upside down, or a negative amount, is refused naming the field.
    let e = c
        .call(
            "case.list",
            json!({"amount_min": "100", "amount_max": "10"}),
        )
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("amount_min"));
    let e = c
        .call("case.list", json!({"amount_max": "-1"}))
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("amount_max"));
}

/// The registries sort on the server by code or name, both ways, and page through that order
/// (issue 8: every list sortable).
#[test]
fn the_registries_sort_by_code_or_name_and_page_through_that_order() {
    let o = Office::tianjin();
    let c = &o.core;
    for (code, name) in [
        ("H12010100003", "乙医院"),
        ("H12010100001", "丙医院"),
        ("P12010100002", "甲药店"),
    ] {
        o.institution(code, name);
    }
    let names = |q: Value| -> Vec<String> {
        call(c, "institution.list", q)["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(json!({})), ["丙医院", "乙医院", "甲药店"]); // by code
    assert_eq!(
        names(json!({"sort": "Code", "descending": true})),
        ["甲药店", "乙医院", "丙医院"]
    );
    // Names by character code: 丙 U+4E19 < 乙 U+4E59 < 甲 U+7532.
    assert_eq!(
        names(json!({"sort": "Name"})),
        ["丙医院", "乙医院", "甲药店"]
    );
    assert_eq!(
        names(json!({"sort": "Name", "descending": true, "limit": 2})),
        ["甲药店", "乙医院"]
    );
    assert_eq!(
        names(json!({"sort": "Name", "descending": true, "offset": 2})),
        ["丙医院"]
    );
    let e = c
        .call("institution.list", json!({"sort": "Phone"}))
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("sort"));
}

/// The 工作台's stored due dates (`clock_index`, 0020) follow the calendar: an office override
/// moves them and its removal moves them back; `clocks()` checks on every call that the stored
/// clocks equal the ones built from the sources for each case.
#[test]
fn the_stored_clock_due_dates_follow_the_calendar() {
    let o = Office::tianjin();
    let c = &o.core;
    let inst = o.institution("H12010100002", "天津市人民医院");
    let case = CaseBuilder::agreement(&o, inst)
        .filed("2026-09-01")
        .finding("虚构医疗服务项目", "服务协议第二十条", "0")
        .evidence("书证", "结算清单", "2026-09-01")
        .line(json!({"fund": "医疗救助", "year_kind": "当年", "category": "门诊费", "amount_due": "5000"}))
        .notified("2026-09-07");
    let service_due = |today: &str| -> String {
        clocks(c, today)
            .iter()
            .find(|k| k["kind"] == "Service" && k["case_id"] == case.id)
            .expect("the notice is to be served")["due_on"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let before = service_due("2026-09-08");
    // A working day of the service period declared a holiday: due one working day later.
    c.call(
        "calendar.set_override",
        json!({"date": "2026-09-10", "working": false, "note": "县里统一安排"}),
    )
    .unwrap();
    let after = service_due("2026-09-08");
    assert!(after > before, "{before} -> {after}");
    c.call("calendar.remove_override", json!({"date": "2026-09-10"}))
        .unwrap();
    assert_eq!(service_due("2026-09-08"), before);
}
