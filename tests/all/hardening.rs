//! Issue 12, hardening: files that cannot crash an import, input ranges, the bad-input corpus,
//! several processes on one database, backups.

use base64::Engine;
use recoup::api::Core;
use recoup::ErrorCode;
use serde_json::{json, Value};

use crate::common::*;

fn core() -> Core {
    let c = Core::open_in_memory().unwrap();
    init_office(
        &c,
        json!({"code": "220102", "name": "长春市南关区医疗保障局", "level": "county"}),
        "secret123",
    );
    c
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// An XLSX whose cells are `cells` ((row, col, text), zero-based).
fn xlsx(cells: &[(u32, u16, &str)]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (r, c, v) in cells {
        ws.write_string(*r, *c, *v).unwrap();
    }
    wb.save_to_buffer().unwrap()
}

/// Rewrite one part of a zip (an XLSX) with `edit`.
fn edit_part(bytes: &[u8], part: &str, edit: impl Fn(String) -> String) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut src = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..src.len() {
        let mut f = src.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut text = Vec::new();
        f.read_to_end(&mut text).unwrap();
        if name == part {
            text = edit(String::from_utf8(text).unwrap()).into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&text).unwrap();
    }
    out.finish().unwrap().into_inner()
}

fn import_refused(c: &Core, cmd: &str, name: &str, bytes: &[u8], needle: &str) {
    let e = refuse(
        c,
        cmd,
        json!({"file_name": name, "content_base64": b64(bytes)}),
    );
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::Validation, Some("file_name")),
        "{e:?}"
    );
    assert!(
        e.message.contains(needle) && e.message.contains("未导入"),
        "{cmd}: {}",
        e.message
    );
}

#[test]
fn an_xlsx_declaring_a_huge_sheet_is_refused_before_anything_is_allocated() {
    let c = core();
    // The header in A1 and one cell at XFD1048576: a range over both corners would be 16384 ×
    // 1048576 cells (over 500 GB).
    let bomb = xlsx(&[(0, 0, "机构编码"), (1_048_575, 16_383, "x")]);
    assert!(bomb.len() < 8 * 1024, "a small file: {} bytes", bomb.len());
    let t = std::time::Instant::now();
    for cmd in ["institution.import", "insured.import", "inspection.import"] {
        import_refused(&c, cmd, "炸弹.xlsx", &bomb, "行");
    }
    eprintln!(
        "XLSX with A1 and XFD1048576: {} bytes, refused by three imports in {:?}",
        bomb.len(),
        t.elapsed()
    );
    // The same cell alone (the declared dimension is the single cell).
    let alone = xlsx(&[(1_048_575, 16_383, "x")]);
    import_refused(&c, "institution.import", "a.xlsx", &alone, "行");
    // Columns past the bound in row 1.
    let wide = xlsx(&[(0, 0, "机构编码"), (0, 5000, "x")]);
    import_refused(&c, "institution.import", "a.xlsx", &wide, "列");
    // The declared dimension alone is enough to refuse, whatever the cells say.
    let ok = xlsx(&[(0, 0, "机构编码"), (1, 0, "H22010200001")]);
    let lying = edit_part(&ok, "xl/worksheets/sheet1.xml", |x| {
        x.replace(
            "<dimension ref=\"A1:A2\"/>",
            "<dimension ref=\"A1:XFD1048576\"/>",
        )
    });
    assert_ne!(lying, ok);
    import_refused(&c, "institution.import", "a.xlsx", &lying, "行");
    // A shared string table declaring billions of strings.
    let strings = edit_part(&ok, "xl/sharedStrings.xml", |x| {
        x.replace("uniqueCount=\"2\"", "uniqueCount=\"99999999999\"")
    });
    assert_ne!(strings, ok);
    import_refused(&c, "institution.import", "a.xlsx", &strings, "过多");
    // A cell longer than a cell may be.
    let long = "长".repeat(2001);
    let big_cell = xlsx(&[(0, 0, "机构编码"), (1, 0, &long)]);
    import_refused(&c, "institution.import", "a.xlsx", &big_cell, "第2行第1列");
    // A file past the size bound, refused before decoding.
    let huge = "A".repeat(30 * 1024 * 1024);
    let e = refuse(
        &c,
        "institution.import",
        json!({"file_name": "a.csv", "content_base64": huge}),
    );
    assert!(e.message.contains("MB"), "{}", e.message);
    // A good file still imports (row numbers as Excel shows them).
    let r = call(
        &c,
        "institution.import",
        json!({"file_name": "a.xlsx", "content_base64": b64(&ok)}),
    );
    assert_eq!(r["total_rows"], 1, "{r}");
}

#[test]
fn a_second_process_sees_the_first_ones_calendar_change() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("office.db");
    let a = Core::open(&db).unwrap();
    init_office(
        &a,
        json!({"code": "220102", "name": "长春市南关区医疗保障局", "level": "county"}),
        "secret123",
    );
    let b = Core::open(&db).unwrap();
    b.login(ADMIN, "secret123").unwrap();
    let day = json!({"date": "2026-12-07"});
    assert_eq!(
        call(&b, "calendar.is_working_day", day.clone())["working"],
        true
    );
    // The first process makes Monday 2026-12-07 a day off; the second, which loaded its calendar
    // before, sees it on its next call.
    call(
        &a,
        "calendar.set_override",
        json!({"date": "2026-12-07", "working": false, "note": "临时调休"}),
    );
    assert_eq!(
        call(&b, "calendar.is_working_day", day.clone())["working"],
        false
    );
    let due = call(
        &b,
        "calendar.add_workdays",
        json!({"date": "2026-12-04", "days": 1}),
    );
    assert_eq!(due["date"], "2026-12-08");
    // And back.
    call(&a, "calendar.remove_override", day.clone());
    assert_eq!(call(&b, "calendar.is_working_day", day)["working"], true);
}

// ---------------------------------------------------------------------------------------------
// The bad-input corpus: every command of the table, as an administrator holding every role

/// Request fields the corpus fills, by kind.
const ID_FIELDS: &[&str] = &[
    "id",
    "case_id",
    "payment_id",
    "plan_id",
    "fine_id",
    "self_correction_id",
    "institution_id",
    "insured_id",
    "lead_id",
    "finding_id",
    "line_id",
    "deduction_id",
    "receipt_id",
    "refund_id",
    "hold_id",
    "evidence_id",
    "approver_id",
    "reviewer_id",
    "handler_id",
    "co_handler_id",
    "campaign_id",
    "campaign_area_id",
    "referral_id",
    "document_id",
    "user_id",
];
const DATE_FIELDS: &[&str] = &[
    "date",
    "on",
    "today",
    "filed_on",
    "paid_on",
    "arrived_on",
    "proof_received_on",
    "issued_on",
    "served_on",
    "decided_on",
    "requested_on",
    "approved_on",
    "settled_on",
    "received_on",
    "started_on",
    "ended_on",
    "collected_on",
    "held_on",
    "published_on",
    "submitted_on",
    "period_from",
    "period_to",
    "from",
    "to",
    "payment_due",
    "until",
    "due_on",
];
const TEXT_FIELDS: &[&str] = &[
    "name",
    "code",
    "note",
    "reason",
    "summary",
    "voucher",
    "payer",
    "agency",
    "query",
    "description",
    "rule_broken",
    "opinion",
    "notice_number",
    "receipt_number",
    "username",
    "display_name",
    "password",
    "address",
    "contact",
    "legal_rep",
    "credit_code",
    "id_number",
    "phone",
    "file_name",
    "content_base64",
    "inspectors",
    "title",
    "number",
    "agency_name",
    "month",
    "job",
    "request_id",
    "path",
];
const MONEY_FIELDS: &[&str] = &[
    "amount",
    "amount_due",
    "settlement",
    "fine_amount",
    "confiscation",
    "amount_yuan",
];

fn filled(fields: &[&str], v: Value, ids: i64) -> Value {
    let mut o = serde_json::Map::new();
    for f in ID_FIELDS {
        // People are never real ones: naming a real co-handler is a valid change.
        let people = [
            "approver_id",
            "reviewer_id",
            "handler_id",
            "co_handler_id",
            "user_id",
        ];
        o.insert(
            f.to_string(),
            json!(if people.contains(f) { 987_654 } else { ids }),
        );
    }
    for f in fields {
        o.insert(f.to_string(), v.clone());
    }
    Value::Object(o)
}

/// (what, payload, must be refused by a write): the bad inputs of issue 12.
fn corpus() -> Vec<(&'static str, Value, bool)> {
    let mb = "医".repeat(350_000); // 1 MB of UTF-8
    let every_date = |d: &str| filled(DATE_FIELDS, json!(d), 1);
    vec![
        ("{}", json!({}), true),
        ("[]", json!([]), true),
        ("null", Value::Null, true),
        ("a string", json!("x"), true),
        ("a number", json!(42), true),
        (
            "wrong types",
            {
                let mut v = filled(TEXT_FIELDS, json!({"nested": [1, 2]}), 1);
                for f in ID_FIELDS {
                    v[*f] = json!("第一");
                }
                for f in DATE_FIELDS {
                    v[*f] = json!(20260101);
                }
                v
            },
            true,
        ),
        ("year 0000", every_date("0000-01-01"), true),
        ("year +10000", every_date("+10000-01-01"), true),
        ("1 MB text", filled(TEXT_FIELDS, json!(mb), 1), true),
        (
            "U+202E",
            filled(TEXT_FIELDS, json!("南关\u{202E}医院"), 1),
            true,
        ),
        (
            "negative money",
            filled(MONEY_FIELDS, json!("-100.00"), 1),
            false,
        ),
        (
            "huge money",
            filled(MONEY_FIELDS, json!("999999999999999999999999999"), 1),
            false,
        ),
        ("float money", filled(MONEY_FIELDS, json!(100.5), 1), false),
        ("unknown ids", filled(&[], Value::Null, 987_654), false),
    ]
}

/// An agreement case filed on 2026-01-05 and decided on 2026-01-20 with 5,000.00 due by 2026-03-06.
fn decided_case_id(o: &Office) -> i64 {
    let inst = o.institution("H12010100001", "和平区某医院");
    CaseBuilder::agreement(&o, inst)
        .summary("虚记住院费用")
        .filed("2026-01-05")
        .finding("虚记住院费用", "服务协议第二十条", "0")
        .evidence("电子数据", "结算数据导出", "2026-01-05")
        .line(json!({"fund": "职工基本医保", "year_kind": "当年", "category": "门诊费", "amount_due": "5000"}))
        .notified("2026-01-12")
        .served("2026-01-13")
        .waived("2026-01-14")
        .decided("2026-01-20", "2026-03-06")
        .id
}

/// [`decided_case_id`] with one payment of 1,000.00 (2026-02-13): (case id, payment id).
fn decided_case(o: &Office) -> (i64, i64) {
    let c = &o.core;
    let case_id = decided_case_id(o);
    let p = call(
        c,
        "payment.record",
        json!({"case_id": case_id, "paid_on": "2026-02-13", "amount": "1000", "voucher": "NY0213",
               "agency": "天津市和平区医疗保障基金管理中心"}),
    );
    (case_id, id(&p))
}

#[test]
fn the_bad_input_corpus_is_refused_by_every_command_and_changes_nothing() {
    let o = Office::tianjin();
    let c = &o.core;
    decided_case(&o);
    let kinds: std::collections::HashMap<&str, bool> =
        recoup::api::command_kinds().iter().copied().collect();
    // Logging out would end the session the corpus runs in.
    let skip = ["user.logout"];
    let mut failures = Vec::new();
    let mut calls = 0;
    let mut before = dump(c);
    let mut accepted = Vec::new();
    for &cmd in recoup::api::command_names() {
        if skip.contains(&cmd) {
            continue;
        }
        let writes = kinds[cmd];
        for (what, payload, must_refuse) in corpus() {
            calls += 1;
            let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                c.call(cmd, payload.clone())
            }));
            let after = dump(c);
            let changed = after != before;
            match out {
                Err(_) => failures.push(format!("{cmd} {what}: panicked")),
                Ok(Err(e)) => {
                    if matches!(e.code, ErrorCode::Internal | ErrorCode::Storage) {
                        failures.push(format!("{cmd} {what}: {:?} {}", e.code, e.message));
                    } else if !e
                        .message
                        .chars()
                        .any(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch))
                    {
                        failures.push(format!("{cmd} {what}: message not Chinese: {}", e.message));
                    }
                }
                Ok(Ok(_)) if writes && must_refuse => {
                    failures.push(format!("{cmd} {what}: accepted"))
                }
                Ok(Ok(_)) if writes => {
                    // Real ids and nothing else wrong for this command (money fields it does not
                    // have): a valid request. Bad money itself is checked command by command in
                    // `bad_money_is_refused_by_every_money_command`.
                    accepted.push(format!("{cmd} {what}"));
                    before = after;
                    continue;
                }
                Ok(Ok(_)) => {}
            }
            if changed {
                let diff: Vec<&str> = before
                    .iter()
                    .zip(&after)
                    .filter(|(a, b)| a != b)
                    .map(|(a, _)| a.0.as_str())
                    .collect();
                failures.push(format!("{cmd} {what}: changed {diff:?}"));
                panic!("{}", failures.join("\n"));
            }
        }
    }
    assert!(calls > 1000, "{calls} calls");
    eprintln!("{calls} calls; valid requests among them: {accepted:?}");
    assert!(
        failures.is_empty(),
        "{} findings:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn dates_outside_the_range_and_money_before_filing_are_refused() {
    let o = Office::tianjin();
    let c = &o.core;
    let case_id = decided_case_id(&o);
    let pay = |paid_on: &str| {
        json!({"case_id": case_id, "paid_on": paid_on, "amount": "1000", "voucher": "NY0213",
               "agency": "天津市和平区医疗保障基金管理中心"})
    };
    for bad in ["0000-01-01", "+10000-01-01", "1999-12-31"] {
        let e = field(c, "payment.record", pay(bad), "paid_on");
        assert!(
            e.message.contains("2000年1月1日至2099年12月31日"),
            "{}",
            e.message
        );
    }
    // A list filter or a calendar question too.
    field(
        c,
        "calendar.is_working_day",
        json!({"date": "0000-01-01"}),
        "date",
    );
    // Before the case was filed: refused, naming the filing date.
    let e = field(c, "payment.record", pay("2026-01-04"), "paid_on");
    assert!(
        e.message.contains("立案日期（2026年1月5日）"),
        "{}",
        e.message
    );
    let e = field(
        c,
        "offset.create",
        json!({"case_id": case_id, "notice_number": "抵〔2026〕1号", "requested_on": "2025-12-30",
               "approved_on": "2026-01-21", "agency": "天津市和平区医疗保障基金管理中心"}),
        "requested_on",
    );
    assert!(e.message.contains("立案日期"), "{}", e.message);
    call(c, "payment.record", pay("2026-01-05"));
}

#[test]
fn updates_are_partial_and_an_empty_one_is_refused() {
    let c = core();
    // Saving the rule profile as it stands appends nothing to the log (only a change does).
    call(&c, "profile.update", json!({"statement_days": 7}));
    let entries = audit_entries(&c);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    call(&c, "profile.update", json!({"statement_days": 7}));
    assert_eq!(
        audit_entries(&c),
        entries,
        "an unchanged profile is not recorded again"
    );
    call(&c, "profile.update", json!({"statement_days": 5}));
    assert_eq!(audit_entries(&c), entries + 1);
    let before = call(&c, "document.settings_get", json!({}));
    for empty in [json!({}), json!({"id": 1}), Value::Null, json!([])] {
        refuse(&c, "document.settings_update", empty);
    }
    let e = refuse(&c, "document.settings_update", json!({}));
    assert!(e.message.contains("没有要修改的内容"), "{}", e.message);
    // One field changes; the others keep their values.
    let after = call(
        &c,
        "document.settings_update",
        json!({"contact_phone": "0431-88888888"}),
    );
    assert_eq!(after["contact_phone"], "0431-88888888");
    for key in [
        "agency_name",
        "agency_address",
        "kinds",
        "employee_account",
        "government",
        "court",
    ] {
        assert_eq!(after[key], before[key], "{key} kept");
    }
    // A registry record: only the name given.
    let inst = call(
        &c,
        "institution.create",
        json!({"code": "H22010200001", "name": "南关区人民医院", "kind": "MedicalInstitution",
               "credit_code": "91350100M000100Y43", "address": "人民大街1号", "legal_rep": "王五",
               "contact": "0431-88888888", "agreement_status": "Active"}),
    );
    let renamed = call(
        &c,
        "institution.update",
        json!({"id": inst["id"], "name": "南关区第一人民医院"}),
    );
    assert_eq!(renamed["name"], "南关区第一人民医院");
    for key in [
        "code",
        "kind",
        "credit_code",
        "address",
        "legal_rep",
        "contact",
        "agreement_status",
    ] {
        assert_eq!(renamed[key], inst[key], "{key} kept");
    }
    refuse(&c, "institution.update", json!({"id": inst["id"]}));
    refuse(&c, "report.settings_update", json!({}));
    refuse(&c, "profile.update", json!({}));
}

#[test]
fn bad_money_is_refused_by_every_money_command() {
    let o = Office::tianjin();
    let c = &o.core;
    let (case_id, payment_id) = decided_case(&o);
    call(
        c,
        "payment.confirm_arrival",
        json!({"id": payment_id, "date": "2026-02-14"}),
    );
    // (command, a valid request but for its amount, the amount's field)
    let requests = [
        (
            "payment.record",
            json!({"case_id": case_id, "paid_on": "2026-02-13", "voucher": "NY0299",
                                  "agency": "天津市和平区医疗保障基金管理中心"}),
            "amount",
        ),
        (
            "receipt.issue",
            json!({"payment_id": payment_id, "receipt_number": "JS0001",
                                 "issued_on": "2026-02-15"}),
            "amount",
        ),
        (
            "refund.request",
            json!({"payment_id": payment_id, "reason": "错缴",
                                  "requested_on": "2026-02-15"}),
            "amount",
        ),
        (
            "recovery.add_line",
            json!({"case_id": case_id, "fund": "职工基本医保", "year_kind": "当年",
                                     "category": "门诊费"}),
            "amount_due",
        ),
        ("money.words", json!({}), "amount"),
    ];
    let bad = [
        json!("-100.00"),
        json!("999999999999999999999999999"),
        json!(100.5),
        json!("1.234"),
        json!("abc"),
        json!(""),
    ];
    for (cmd, base, field_name) in requests {
        for b in &bad {
            let mut p = base.clone();
            p[field_name] = b.clone();
            let e = refuse(c, cmd, p);
            assert!(
                !matches!(e.code, ErrorCode::Internal | ErrorCode::Storage),
                "{cmd} {b}: {e:?}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Backups: the restore drill

fn institution_names(c: &Core) -> Vec<String> {
    let page = call(c, "institution.list", json!({"limit": 100}));
    let mut names: Vec<String> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

fn add_institution(c: &Core, code: &str, name: &str) {
    call(
        c,
        "institution.create",
        json!({"code": code, "name": name, "kind": "MedicalInstitution",
               "credit_code": "91350100M000100Y43", "address": "人民大街1号", "legal_rep": "王五",
               "contact": "0431-88888888", "agreement_status": "Active"}),
    );
}

#[test]
fn restore_drill_backup_to_a_stick_restore_verified_with_a_copy_kept() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("data").join("recoup.db");
    let usb = dir.path().join("usb");
    std::fs::create_dir_all(&usb).unwrap();
    let c = Core::open(&db).unwrap();
    init_office(
        &c,
        json!({"code": "220102", "name": "长春市南关区医疗保障局", "level": "county"}),
        "secret123",
    );
    add_institution(&c, "H22010200001", "南关区人民医院");

    // The automatic daily backup: once a day, in backups/ beside the database.
    let auto = c.daily_backup().unwrap().expect("today's backup");
    assert!(auto.automatic && auto.bytes > 0, "{auto:?}");
    assert!(c.daily_backup().unwrap().is_none(), "once a day");
    let backups = db.parent().unwrap().join("backups");
    // Only the newest 14 automatic backups are kept.
    for day in 1..=20 {
        std::fs::write(
            backups.join(format!("recoup-auto-202501{day:02}.db")),
            b"old",
        )
        .unwrap();
    }
    std::fs::remove_file(&auto.path).unwrap();
    c.daily_backup().unwrap().expect("made again");
    let autos = call(&c, "backup.list", json!({}))["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["automatic"] == true)
        .count();
    assert_eq!(autos, 14);
    // The office keeps fewer (设置 · 规则配置).
    call(&c, "profile.update", json!({"backups_kept": 5}));
    let today = call(&c, "backup.list", json!({}))["items"][0]["path"]
        .as_str()
        .unwrap()
        .to_string();
    std::fs::remove_file(&today).unwrap();
    c.daily_backup().unwrap().expect("made again");
    let list = call(&c, "backup.list", json!({}));
    assert_eq!(list["keep"], 5);
    let autos = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["automatic"] == true)
        .count();
    assert_eq!(autos, 5);

    // 备份到U盘: a folder on the stick.
    let on_stick = call(
        &c,
        "backup.create",
        json!({"path": usb.display().to_string()}),
    );
    let stick_file = on_stick["path"].as_str().unwrap().to_string();
    assert!(
        stick_file.starts_with(&usb.display().to_string()),
        "{on_stick}"
    );
    assert!(!std::path::Path::new(&format!("{stick_file}-wal")).exists());
    assert_eq!(on_stick["with_key"], false);
    // With a passphrase, the office key goes with it, encrypted (a lost key breaks the exchange).
    let short = refuse(
        &c,
        "backup.create",
        json!({"path": usb.display().to_string(), "passphrase": "1234"}),
    );
    assert_eq!(short.field.as_deref(), Some("passphrase"), "{short:?}");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let keyed = call(
        &c,
        "backup.create",
        json!({"path": usb.display().to_string(), "passphrase": "南关区备份口令2026"}),
    );
    assert_eq!(keyed["with_key"], true, "{keyed}");
    let keyed_file = keyed["path"].as_str().unwrap().to_string();
    let key_file = std::path::Path::new(&keyed_file).with_extension("key.age");
    let saved = std::fs::read(&key_file).unwrap();
    let office_key = std::fs::read_to_string(db.with_extension("key")).unwrap();
    assert!(
        !String::from_utf8_lossy(&saved).contains(office_key.lines().nth(1).unwrap()),
        "the key is saved encrypted"
    );
    // A folder that is not there is refused in words.
    let e = refuse(
        &c,
        "backup.create",
        json!({"path": dir.path().join("no").display().to_string()}),
    );
    assert!(e.message.contains("U盘"), "{}", e.message);

    // Work goes on after the backup; a second process has the database open too.
    add_institution(&c, "H22010200002", "南关区中医院");
    let other = Core::open(&db).unwrap();
    other.login(ADMIN, "secret123").unwrap();
    assert_eq!(institution_names(&other).len(), 2);

    // A backup whose log was tampered with is refused; nothing changes.
    let forged = usb.join("forged.db");
    std::fs::copy(&stick_file, &forged).unwrap();
    {
        let f = rusqlite::Connection::open(&forged).unwrap();
        f.execute("UPDATE institution SET name = '假医院' WHERE id = 1", [])
            .unwrap();
    }
    let before_files = std::fs::read_dir(&backups).unwrap().count();
    let e = refuse(
        &c,
        "backup.restore",
        json!({"path": forged.display().to_string()}),
    );
    assert!(e.message.contains("校验未通过"), "{}", e.message);
    assert_eq!(
        std::fs::read_dir(&backups).unwrap().count(),
        before_files,
        "no copy, no change"
    );
    // Not a backup at all.
    let junk = usb.join("junk.db");
    std::fs::write(&junk, b"not a database").unwrap();
    let e = refuse(
        &c,
        "backup.restore",
        json!({"path": junk.display().to_string()}),
    );
    assert!(e.message.contains("不是本软件的备份文件"), "{}", e.message);
    assert_eq!(institution_names(&c).len(), 2);

    // A wrong passphrase restores nothing.
    let e = refuse(
        &c,
        "backup.restore",
        json!({"path": keyed_file, "passphrase": "不是这个口令呀"}),
    );
    assert_eq!(e.field.as_deref(), Some("passphrase"), "{e:?}");
    assert_eq!(institution_names(&c).len(), 2);
    let head_before = audit_entries(&c);

    // 从备份恢复: verified, the current database kept first, every login ended.
    let r = call(&c, "backup.restore", json!({"path": stick_file}));
    assert_eq!(r["key_restored"], false);
    assert!(r["entries"].as_i64().unwrap() > 0);
    let kept = r["kept"]["path"].as_str().unwrap().to_string();
    assert_eq!(r["kept"]["before_restore"], true);
    let e = c.call("institution.list", json!({})).unwrap_err();
    assert_eq!(e.code, ErrorCode::NotLoggedIn);
    c.login(ADMIN, "secret123").unwrap();
    assert_eq!(institution_names(&c), vec!["南关区人民医院"]);
    let v = call(&c, "audit.verify", json!({"full": true}));
    assert_eq!(v["ok"], true, "{v}");
    // The restore is the restored log's next entry, naming the head it replaced; the office's
    // signed head starts again from it (it was ahead of the restored log).
    let restored_entries = r["entries"].as_i64().unwrap();
    assert_eq!(audit_entries(&c), restored_entries + 1);
    let last = &call(&c, "audit.list", json!({"offset": 0, "limit": 1}))["items"][0];
    assert_eq!(last["command"], "backup.restore", "{last}");
    assert!(
        last["changes"]
            .as_str()
            .unwrap()
            .contains(&format!("\"replaced_seq\":{head_before}")),
        "{last}"
    );
    assert_eq!(v["signed_head"]["seq"], json!(restored_entries + 1), "{v}");
    assert_eq!(v["signed_head"]["consistent"], true);
    // The other process sees the restored data at its next call.
    assert_eq!(institution_names(&other), vec!["南关区人民医院"]);
    // The kept copy holds what was replaced.
    let k = Core::open(std::path::Path::new(&kept)).unwrap();
    k.login(ADMIN, "secret123").unwrap();
    assert_eq!(institution_names(&k).len(), 2);
    // The restored database takes writes and still verifies.
    add_institution(&c, "H22010200003", "南关区妇幼保健院");
    assert_eq!(call(&c, "audit.verify", json!({"full": true}))["ok"], true);
    let mode: String = c
        .store()
        .read(|conn| Ok(conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?))
        .unwrap();
    assert_eq!(mode, "wal");

    // A new PC: a fresh installation restores the backup that carries the key, with its passphrase;
    // the new installation's own key is kept aside, never deleted.
    let new_db = dir.path().join("new-pc").join("recoup.db");
    let n = Core::open(&new_db).unwrap();
    init_office(
        &n,
        json!({"code": "220102", "name": "长春市南关区医疗保障局", "level": "county"}),
        "secret123",
    );
    let r = call(
        &n,
        "backup.restore",
        json!({"path": keyed_file, "passphrase": "南关区备份口令2026"}),
    );
    assert_eq!(r["key_restored"], true, "{r}");
    assert_eq!(
        std::fs::read_to_string(new_db.with_extension("key")).unwrap(),
        office_key
    );
    let aside = std::fs::read_dir(new_db.parent().unwrap())
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .contains("key.before-restore-")
        })
        .count();
    assert_eq!(aside, 1);
    n.login(ADMIN, "secret123").unwrap();
    assert_eq!(institution_names(&n), vec!["南关区人民医院"]);
    assert_eq!(call(&n, "audit.verify", json!({"full": true}))["ok"], true);
}
