//! Integration tests of the foundation through the public API (`Core::call`), as every host uses it.

use base64::Engine;
use recoup::api::{self, Core};
use recoup::ErrorCode;
use serde_json::{json, Value};

fn core() -> Core {
    let c = Core::open_in_memory().unwrap();
    crate::common::init_office(
        &c,
        json!({"code": "220102", "name": "长春市南关区医疗保障局", "level": "county"}),
        "secret123",
    );
    c
}

fn inst(code: &str, name: &str) -> Value {
    json!({
        "code": code, "name": name, "kind": "MedicalInstitution",
        "credit_code": "91350100M000100Y43", "address": "长春市南关区人民大街1号",
        "legal_rep": "王五", "contact": "0431-88888888", "agreement_status": "Active"
    })
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn count(c: &Core, table: &str) -> i64 {
    c.store()
        .read(
            |conn| Ok(conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))?),
        )
        .unwrap()
}

#[test]
fn office_is_set_up_once_and_validated() {
    let c = Core::open_in_memory().unwrap();
    assert_eq!(c.call("office.get", json!({})).unwrap(), Value::Null);
    let e = c
        .call("institution.create", inst("H22010200001", "某医院"))
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::NotInitialized);
    let e = c
        .call("office.init", json!({"code": "22010", "name": "x"}))
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::Validation, Some("code"))
    );
    assert!(e.message.contains("行政区划代码"));
    let e = c
        .call("office.init", json!({"code": "220102", "name": " "}))
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("name"));
    let e = c
        .call(
            "office.init",
            json!({"code": "220102", "name": "x", "level": "galaxy"}),
        )
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("level"));
    // Issue 8: the set-up creates the first administrator, with a password they choose.
    let e = c
        .call("office.init", json!({"code": "220102", "name": "x"}))
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("username"), "{}", e.message);
    let e = c
        .call(
            "office.init",
            json!({"code": "220102", "name": "x", "admin": {"username": "admin", "display_name": "刘一", "password": "short"}}),
        )
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("password"));
    assert!(e.message.contains("至少8位"), "{}", e.message);
    assert_eq!(count(&c, "audit_log"), 0, "refused input changes nothing");

    let o = c
        .call(
            "office.init",
            json!({"code": "220102", "name": "南关区医疗保障局", "level": "县级",
                   "admin": {"username": "admin", "display_name": "刘一", "password": "first1pass"}}),
        )
        .unwrap();
    assert_eq!(o["level"], "county");
    let login = c
        .call(
            "user.login",
            json!({"username": "admin", "password": "first1pass"}),
        )
        .unwrap();
    assert_eq!(login["user"]["roles"], json!(["Admin"]));
    assert_eq!(
        login["user"]["must_change_password"], false,
        "the administrator chose their own password at set-up"
    );
    assert_eq!(login["token"].as_str().map(str::len), Some(64));
    let e = c
        .call("office.init", json!({"code": "220103", "name": "x"}))
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict);
    assert_eq!(c.call("office.get", Value::Null).unwrap()["code"], "220102");
}

#[test]
fn institutions_create_edit_list_search() {
    let c = core();
    let a = c
        .call("institution.create", inst("H22010200001", "南关区人民医院"))
        .unwrap();
    assert_eq!(a["uid"], "220102-I1");
    let mut pharmacy = inst("P22010200002", "大药房南关店");
    pharmacy["kind"] = json!("零售药店");
    c.call("institution.create", pharmacy).unwrap();

    let dup = c
        .call("institution.create", inst("h22010200001", "另一个"))
        .unwrap_err();
    assert_eq!(
        (dup.code, dup.field.as_deref()),
        (ErrorCode::Conflict, Some("code"))
    );

    let mut bad = inst("H22010200009", "坏机构");
    bad["credit_code"] = json!("91350100M000100Y44");
    let e = c.call("institution.create", bad).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("credit_code"));
    assert!(
        e.message.starts_with("统一社会信用代码校验位不正确"),
        "{}",
        e.message
    );

    let e = c
        .call(
            "institution.create",
            json!({"code": "H1", "name": "x", "kind": "Hospital"}),
        )
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("kind"));
    assert!(e.message.contains("机构类别"));

    let page = c
        .call("institution.list", json!({"query": "药房"}))
        .unwrap();
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["kind"], "RetailPharmacy");
    let page = c
        .call("institution.list", json!({"kind": "MedicalInstitution"}))
        .unwrap();
    assert_eq!(page["total"], 1);
    let page = c.call("institution.list", json!({"query": "%"})).unwrap();
    assert_eq!(page["total"], 0, "LIKE wildcards are literal");
    let page = c
        .call("institution.list", json!({"limit": 1, "offset": 1}))
        .unwrap();
    assert_eq!(
        (
            page["total"].as_i64(),
            page["items"].as_array().unwrap().len()
        ),
        (Some(2), 1)
    );

    let mut edit = inst("H22010200001", "南关区人民医院（新院区）");
    edit["id"] = a["id"].clone();
    edit["agreement_status"] = json!("中止");
    let b = c.call("institution.update", edit).unwrap();
    assert_eq!(b["name"], "南关区人民医院（新院区）");
    assert_eq!(b["agreement_status"], "Suspended");
    let e = c.call("institution.get", json!({"id": 99})).unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound);

    let report = c.call("audit.verify", json!({})).unwrap();
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["entries"], 4); // office + 2 creates + 1 update
}

const CSV: &str = "机构编码,机构名称,机构类别,统一社会信用代码,地址,法定代表人,联系电话,协议状态\n\
H22010200001,南关区人民医院,医疗机构,91350100M000100Y43,人民大街1号,王五,0431-1,正常\n\
P22010200002,大药房南关店,零售药店,91350100M000100Y44,民康路2号,赵六,0431-2,正常\n\
P22010200003,百姓药房,零售药店,91350100M000100Y43,自由大路3号,孙七,0431-3,中止\n\
,没有编码的机构,医疗机构,91350100M000100Y43,,,,\n";

#[test]
fn csv_import_takes_good_rows_reports_bad_ones_and_is_idempotent() {
    let c = core();
    let req = json!({"file_name": "机构.csv", "content_base64": b64(CSV.as_bytes())});
    let r = c.call("institution.import", req.clone()).unwrap();
    assert_eq!(
        (r["total_rows"].as_i64(), r["created"].as_i64()),
        (Some(4), Some(2))
    );
    let errors = r["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2);
    assert_eq!(
        (errors[0]["row"].as_i64(), errors[0]["field"].as_str()),
        (Some(3), Some("credit_code"))
    );
    assert!(errors[0]["message"].as_str().unwrap().contains("校验位"));
    // The report names the rejected institution, not only its row (issue 8).
    assert_eq!(errors[0]["record"], "P22010200002 大药房南关店");
    assert_eq!(
        (errors[1]["row"].as_i64(), errors[1]["field"].as_str()),
        (Some(5), Some("code"))
    );
    assert_eq!(errors[1]["record"], "没有编码的机构");
    let audit_before = count(&c, "audit_log");

    let again = c.call("institution.import", req).unwrap();
    assert_eq!(
        (again["created"].as_i64(), again["unchanged"].as_i64()),
        (Some(0), Some(2))
    );
    assert_eq!(
        count(&c, "audit_log"),
        audit_before,
        "a re-import of the same file changes nothing"
    );
    assert_eq!(count(&c, "institution"), 2);

    // The same content saved by Excel on Chinese Windows: GB18030 with CRLF.
    let edited = CSV
        .replace("南关区人民医院", "南关区人民医院二部")
        .replace('\n', "\r\n");
    let (gbk, _, _) = encoding_rs::GB18030.encode(&edited);
    let r = c
        .call(
            "institution.import",
            json!({"file_name": "机构.CSV", "content_base64": b64(&gbk)}),
        )
        .unwrap();
    assert_eq!(
        (r["updated"].as_i64(), r["unchanged"].as_i64()),
        (Some(1), Some(1))
    );
    let page = c
        .call("institution.list", json!({"query": "二部"}))
        .unwrap();
    assert_eq!(page["total"], 1);
    assert_eq!(c.call("audit.verify", json!({})).unwrap()["ok"], true);
}

#[test]
fn the_template_notes_in_headers_and_its_example_row_do_not_get_in_the_way() {
    // The template's headers carry the allowed values in brackets and its second row is an
    // example whose code begins with 示例: both as the UI's template writes them.
    let c = core();
    let csv = "\u{feff}机构编码,机构名称,机构类别（医疗机构、零售药店）,统一社会信用代码,地址,法定代表人,联系电话,协议状态（正常、中止、解除、未签订）\n\
示例：H22010200001,长春市某某医院,医疗机构,91350100M000100Y43,人民大街1号,王五,0431-1,正常\n\
H22010200009,南关区中医院,医疗机构,91350100M000100Y43,人民大街9号,王九,0431-9,中止\n";
    let r = c
        .call(
            "institution.import",
            json!({"file_name": "机构.csv", "content_base64": b64(csv.as_bytes())}),
        )
        .unwrap();
    assert_eq!(
        (
            r["total_rows"].as_i64(),
            r["created"].as_i64(),
            r["examples_skipped"].as_i64()
        ),
        (Some(1), Some(1), Some(1)),
        "{r}"
    );
    assert_eq!(r["errors"], json!([]));
    let page = c.call("institution.list", json!({})).unwrap();
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["agreement_status"], "Suspended");
}

#[test]
fn xlsx_import_reports_spreadsheet_row_numbers() {
    use rust_xlsxwriter::Workbook;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let rows = [
        ["身份证号码", "姓名", "参保类别", "联系电话", "住址"],
        [
            "11010519491231002X",
            "张三",
            "职工",
            "13800000000",
            "南关区",
        ],
        ["110105194912310021", "李四", "居民", "", ""],
        ["11010519491231002X", "张三重复", "职工", "", ""],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (col, v) in row.iter().enumerate() {
            ws.write_string(r as u32, col as u16, *v).unwrap();
        }
    }
    let bytes = wb.save_to_buffer().unwrap();
    let c = core();
    let r = c
        .call(
            "insured.import",
            json!({"file_name": "参保人员.xlsx", "content_base64": b64(&bytes)}),
        )
        .unwrap();
    assert_eq!(r["created"], 1);
    let rows: Vec<i64> = r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["row"].as_i64().unwrap())
        .collect();
    assert_eq!(rows, vec![3, 4]);
    assert!(r["errors"][1]["message"].as_str().unwrap().contains("重复"));
    let p = c.call("insured.list", json!({"query": "张"})).unwrap();
    assert_eq!(p["items"][0]["scheme"], "Employee");
}

#[test]
fn import_refuses_a_file_without_the_key_column_and_changes_nothing() {
    let c = core();
    let e = c
        .call(
            "institution.import",
            json!({"file_name": "x.csv", "content_base64": b64("名称,地址\n甲,乙\n".as_bytes())}),
        )
        .unwrap_err();
    assert!(e.message.contains("机构编码"), "{}", e.message);
    let e = c
        .call(
            "institution.import",
            json!({"file_name": "x.pdf", "content_base64": b64(b"%PDF")}),
        )
        .unwrap_err();
    assert!(e.message.contains("CSV"));
    assert_eq!(count(&c, "audit_log"), 1);
}

#[test]
fn calendar_and_money_through_the_api() {
    let c = core();
    let d = c
        .call(
            "calendar.add_workdays",
            json!({"date": "2026-09-30", "days": 5}),
        )
        .unwrap();
    assert_eq!(d, json!({"date": "2026-10-13", "warnings": []}));
    let e = c
        .call(
            "calendar.add_workdays",
            json!({"date": "2026/09/30", "days": 5}),
        )
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("date"));

    // An office override moves the deadline and is audited.
    c.call(
        "calendar.set_override",
        json!({"date": "2026-10-09", "working": false, "note": "县里统一安排"}),
    )
    .unwrap();
    let d = c
        .call(
            "calendar.add_workdays",
            json!({"date": "2026-09-30", "days": 5}),
        )
        .unwrap();
    assert_eq!(d["date"], "2026-10-14");
    c.call("calendar.remove_override", json!({"date": "2026-10-09"}))
        .unwrap();
    assert_eq!(
        c.call(
            "calendar.add_workdays",
            json!({"date": "2026-09-30", "days": 5})
        )
        .unwrap()["date"],
        "2026-10-13"
    );

    // 2027 has no shipped data: warned, then the office enters it.
    let d = c
        .call(
            "calendar.add_workdays",
            json!({"date": "2026-12-30", "days": 3}),
        )
        .unwrap();
    assert_eq!(d["warnings"].as_array().unwrap().len(), 1);
    c.call(
        "calendar.set_year",
        json!({"year": 2027, "data": {"source": "国办发明电〔2026〕X号", "holidays": [["2027-01-01", "2027-01-01"]], "workdays": []}}),
    )
    .unwrap();
    let d = c
        .call(
            "calendar.add_workdays",
            json!({"date": "2026-12-30", "days": 3}),
        )
        .unwrap();
    assert_eq!(d, json!({"date": "2027-01-05", "warnings": []}));
    let years = c.call("calendar.years", json!({})).unwrap();
    assert_eq!(years.as_array().unwrap().len(), 8);

    // The month grid's view of a year: the shipped 2026 (国办发明电〔2025〕7号) with the office's
    // override marked; weekends are not listed, a make-up Saturday is.
    c.call(
        "calendar.set_override",
        json!({"date": "2026-12-31", "working": false, "note": "县里统一安排"}),
    )
    .unwrap();
    let y = c.call("calendar.year", json!({"year": 2026})).unwrap();
    assert_eq!(y["from_office"], false);
    assert!(y["source"]
        .as_str()
        .unwrap()
        .contains("国办发明电〔2025〕7号"));
    let days = |k: &str| -> Vec<String> {
        y[k].as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_str().unwrap().to_string())
            .collect()
    };
    assert!(days("holidays").contains(&"2026-10-07".to_string()));
    assert!(days("holidays").contains(&"2026-12-31".to_string()));
    assert!(!days("holidays").contains(&"2026-10-10".to_string()));
    assert_eq!(
        days("workdays"),
        [
            "2026-01-04",
            "2026-02-14",
            "2026-02-28",
            "2026-05-09",
            "2026-09-20",
            "2026-10-10"
        ]
    );
    assert_eq!(y["overrides"][0]["note"], "县里统一安排");
    assert_eq!(y["data"]["holidays"].as_array().unwrap().len(), 7);
    let y = c.call("calendar.year", json!({"year": 2030})).unwrap();
    assert_eq!(y["source"], json!(null));
    assert_eq!(y["holidays"], json!([]));
    let e = c.call("calendar.year", json!({"year": 1999})).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("year"));

    // An office that replaces a shipped year gets exactly what it typed: the shipped 国庆 days off
    // and the make-up Saturday 2026-10-10 are gone, the deadline counts the new arrangement.
    c.call(
        "calendar.set_year",
        json!({"year": 2026, "data": {"source": "本局更正", "holidays": [["2026-10-01", "2026-10-02"]], "workdays": []}}),
    )
    .unwrap();
    let y = c.call("calendar.year", json!({"year": 2026})).unwrap();
    assert_eq!(y["from_office"], true);
    assert_eq!(
        y["holidays"],
        json!(["2026-10-01", "2026-10-02", "2026-12-31"])
    );
    assert_eq!(y["workdays"], json!([]));
    assert_eq!(
        c.call(
            "calendar.add_workdays",
            json!({"date": "2026-09-30", "days": 3})
        )
        .unwrap()["date"],
        "2026-10-07"
    );

    let w = c
        .call("money.words", json!({"amount": "16,409.02"}))
        .unwrap();
    assert_eq!(
        w,
        json!({"amount": "16409.02", "grouped": "16,409.02", "words": "壹万陆仟肆佰零玖元零贰分"})
    );
    let e = c
        .call("money.words", json!({"amount": "1.005"}))
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("amount"));
    assert_eq!(c.call("audit.verify", json!({})).unwrap()["ok"], true);
}

#[test]
fn unknown_commands_and_malformed_payloads_are_typed_errors() {
    let c = core();
    assert_eq!(
        c.call("no.such", json!({})).unwrap_err().code,
        ErrorCode::UnknownCommand
    );
    let e = c.call("institution.get", json!({})).unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::Validation, Some("id"))
    );
    assert!(e.message.contains("缺少必填项"), "{}", e.message);
    let e = c.call("institution.get", json!({"id": "七"})).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("id"));
}

#[test]
fn database_file_survives_reopen_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/recoup.db");
    {
        let c = Core::open(&path).unwrap();
        crate::common::init_office(
            &c,
            json!({"code": "220102", "name": "南关区医疗保障局"}),
            "secret123",
        );
        c.call("institution.create", inst("H22010200001", "南关区人民医院"))
            .unwrap();
    }
    let c = Core::open(&path).unwrap();
    // Sessions live in the process: a new one logs in again.
    let e = c.call("institution.list", json!({})).unwrap_err();
    assert_eq!(e.code, ErrorCode::NotLoggedIn);
    c.login(crate::common::ADMIN, "secret123").unwrap();
    assert_eq!(c.call("institution.list", json!({})).unwrap()["total"], 1);
    assert_eq!(c.call("audit.verify", json!({})).unwrap()["ok"], true);
    // Tamper behind the app's back.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute("UPDATE institution SET name = '改名' WHERE id = 1", [])
        .unwrap();
    // The default verify replays what came after its checkpoint (nothing here); the full one
    // compares every row.
    let r = c.call("audit.verify", json!({})).unwrap();
    assert_eq!(
        (&r["ok"], &r["full"], &r["checked"]),
        (&json!(true), &json!(false), &json!(0))
    );
    let r = c.call("audit.verify", json!({"full": true})).unwrap();
    assert_eq!(r["ok"], false);
    assert_eq!(r["full"], true);
    assert_eq!(r["first_broken"]["table"], "institution");
}

#[test]
fn typescript_bindings_are_current() {
    let current = std::fs::read_to_string(api::typescript_path()).unwrap_or_default();
    assert!(
        current == api::typescript(),
        "ui/src/api/types.gen.ts is stale: run `cargo run -p recoup -- gen-ts` and commit it"
    );
    for name in api::command_names() {
        assert!(current.contains(&format!("\"{name}\"")), "{name}");
    }
    // Every type named in the command map is declared (generic arguments included).
    let map = current.split("export interface Commands").nth(1).unwrap();
    let map = map.split("export type CommandName").next().unwrap();
    for ident in map.split(|c: char| !c.is_ascii_alphanumeric() && c != '_') {
        if ident.starts_with(|c: char| c.is_ascii_uppercase())
            && !["Array", "Record", "Commands"].contains(&ident)
        {
            let declared = current.contains(&format!("export type {ident} "))
                || current.contains(&format!("export type {ident}<"));
            assert!(declared, "{ident} is used but not declared");
        }
    }
}

#[test]
fn a_long_import_reports_its_progress_and_a_cancelled_one_keeps_nothing() {
    // Issue 8: long work shows progress and can be cancelled, leaving no half result. The job
    // commands are answered while the import holds the database.
    let c = core();
    let mut csv = String::from("机构编码,机构名称,机构类别,统一社会信用代码\n");
    for i in 0..20_000 {
        csv.push_str(&format!(
            "H220102{i:05},南关区第{i}诊所,医疗机构,91350100M000100Y43\n"
        ));
    }
    let req =
        json!({"file_name": "机构.csv", "content_base64": b64(csv.as_bytes()), "job": "imp-1"});
    let progress = || c.call("job.progress", json!({"job": "imp-1"})).unwrap();
    std::thread::scope(|s| {
        let import = s.spawn(|| c.call("institution.import", req.clone()));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        let seen = loop {
            let p = progress();
            if p["running"] == true && p["done"].as_u64().unwrap() > 0 {
                break p;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the import never reported progress"
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
        };
        assert_eq!(seen["total"], 20_000);
        assert_eq!(seen["cancelled"], false);
        let asked = c.call("job.cancel", json!({"job": "imp-1"})).unwrap();
        assert_eq!(asked["cancelled"], true);
        let e = import.join().unwrap().unwrap_err();
        assert_eq!(e.code, ErrorCode::Cancelled);
        assert!(e.message.contains("已取消导入"), "{}", e.message);
    });
    assert_eq!(
        count(&c, "institution"),
        0,
        "a cancelled import keeps nothing"
    );
    assert_eq!(progress()["running"], false);
    // Nothing to cancel once it ended; the same id may run again, to the end.
    assert_eq!(
        c.call("job.cancel", json!({"job": "imp-1"})).unwrap()["cancelled"],
        false
    );
    let short =
        json!({"file_name": "机构.csv", "content_base64": b64(CSV.as_bytes()), "job": "imp-1"});
    assert_eq!(c.call("institution.import", short).unwrap()["created"], 2);
    assert_eq!(c.call("audit.verify", json!({})).unwrap()["ok"], true);
}

#[test]
fn a_name_with_a_direction_override_is_refused_and_nothing_is_written() {
    // Issue 12: U+202E in a name would print "医院" reversed on every paper.
    let c = core();
    let before = count(&c, "audit_log");
    let e = c
        .call(
            "institution.create",
            json!({"code": "H22010200001", "name": "南关区\u{202E}人民医院", "kind": "MedicalInstitution",
                   "credit_code": "91350100M000100Y43", "agreement_status": "Active"}),
        )
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Validation);
    assert_eq!(e.field.as_deref(), Some("name"));
    assert!(e.message.contains("控制字符"), "{}", e.message);
    assert_eq!(count(&c, "institution"), 0);
    assert_eq!(count(&c, "audit_log"), before);
}

#[test]
fn a_database_held_by_another_program_is_refused_as_busy_and_nothing_is_written() {
    // Issue 12: a second process holding the write lock past the busy timeout used to surface as
    // "数据库错误：database is locked" (HTTP 500).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("recoup.db");
    let c = Core::open(&path).unwrap();
    crate::common::init_office(
        &c,
        json!({"code": "220102", "name": "长春市南关区医疗保障局", "level": "county"}),
        "secret123",
    );
    let other = rusqlite::Connection::open(&path).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let e = c
        .call("institution.create", inst("H22010200001", "南关区人民医院"))
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Busy);
    assert!(
        e.message.contains("另一个程序") && e.message.contains("未保存"),
        "{}",
        e.message
    );
    assert_eq!(recoup::serve::http_status(e.code), 503);
    other.execute_batch("ROLLBACK").unwrap();
    // Once the other program lets go, the same request goes through.
    c.call("institution.create", inst("H22010200001", "南关区人民医院"))
        .unwrap();
    assert_eq!(count(&c, "institution"), 1);
}
