//! Rule sets (issue 9): national law as the base, presets of 吉林 (seed 000), 天津 (seed 004), 山东·济南
//! (seed 002) and 广东·河源 (seed 001, a draft: numbers only) shipped as data. Every hint, refusal,
//! clock and paper cites the rule set of the office — or of the case, as it was when the case was
//! filed — and no user-facing text of the core or the UI names a seed or another region's document.

use std::path::{Path, PathBuf};

use recoup::api::Core;
use serde_json::{json, Value};

use crate::common::*;

/// What no user-facing text outside the preset data may contain: the seeds' internal codes and
/// the short names earlier versions used for regional documents, and those documents' titles and
/// 文号 (which only the preset data in `assets/rules/` carries).
const FORBIDDEN: &[&str] = &[
    "000号",
    "001号",
    "002号",
    "003号",
    "004号",
    "号文第",
    "河源办法",
    "天津办法",
    "吉林通知",
    "济南通知",
    "河源市医疗保障基金使用监督管理办法",
    "天津市医疗保障基金追回流程管理办法",
    "关于规范医疗保障基金追回工作的通知",
    "吉医保联",
    "济医保字",
    "全市医疗保障基金监管工作的通知",
    // 举报处理 is 令第5号; 令第4号 is the 处罚程序 (DOMAIN §7).
    "举报处理暂行办法》（国家医保局令第4号",
    "举报处理暂行办法》（国家医疗保障局令第4号",
];

fn files_under(dir: &Path, exts: &[&str], out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            files_under(&p, exts, out);
        } else if exts.iter().any(|e| p.extension().is_some_and(|x| x == *e)) {
            out.push(p);
        }
    }
}

/// The text a user can see from a source file: Rust without its comment lines (seed references in
/// comments are wanted) and its unit tests; the UI's files whole.
fn visible_lines(path: &Path) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(path).unwrap();
    let rust = path.extension().is_some_and(|e| e == "rs");
    text.lines()
        // A file's unit tests (at its end, by convention) reach no user.
        .take_while(|l| !(rust && l.trim() == "#[cfg(test)]"))
        .enumerate()
        .filter(|(_, l)| {
            let t = l.trim_start();
            !(rust && (t.starts_with("//") || t.starts_with("#[doc")))
        })
        .map(|(n, l)| (n + 1, l.to_string()))
        .collect()
}

#[test]
fn no_user_facing_text_names_a_seed_or_another_regions_document() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    files_under(&root.join("src"), &["rs"], &mut files);
    files_under(&root.join("ui/src"), &["vue", "ts"], &mut files);
    // Migrations are append-only: 0002's trigger text is replaced by 0013's, checked below.
    files_under(&root.join("src-tauri/src"), &["rs"], &mut files);
    assert!(files.len() > 100, "the sources were found: {}", files.len());
    let mut found = Vec::new();
    for f in &files {
        for (n, line) in visible_lines(f) {
            for m in FORBIDDEN {
                if line.contains(m) {
                    found.push(format!("{}:{n}: {m}: {}", f.display(), line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "user-facing text names a seed or another region:\n{}",
        found.join("\n")
    );
    // The database's own text: the termination-ban trigger as 0013 left it.
    let c = Core::open_in_memory().unwrap();
    let sql: Vec<String> = c
        .store()
        .read(|conn| {
            let mut stmt = conn.prepare("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL")?;
            let v = stmt
                .query_map([], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(v)
        })
        .unwrap();
    for s in &sql {
        for m in FORBIDDEN {
            assert!(!s.contains(m), "schema text names {m}: {s}");
        }
    }
}

fn presets(c: &Core) -> Vec<Value> {
    call(c, "profile.presets", json!({}))
        .as_array()
        .unwrap()
        .clone()
}

fn citation(preset: &Value, rule: &str) -> String {
    preset["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == rule)
        .unwrap_or_else(|| panic!("{rule} in {}", preset["preset"]))["citation"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The shipped tables: one per preset, every rule in each; regional documents by their full title
/// and 文号 (DOMAIN §7) and only in their own preset; the 河源 draft cited nowhere.
#[test]
fn every_preset_is_a_table_of_rule_value_citation() {
    let c = Core::open_in_memory().unwrap();
    let all = presets(&c);
    let names: Vec<&str> = all.iter().map(|p| p["preset"].as_str().unwrap()).collect();
    assert_eq!(names, ["National", "Jilin", "Tianjin", "Jinan", "Heyuan"]);
    let rules = all[0]["rows"].as_array().unwrap().len();
    assert!(rules >= 20);
    for p in &all {
        assert_eq!(
            p["rows"].as_array().unwrap().len(),
            rules,
            "{}",
            p["preset"]
        );
        let table = p["rows"].to_string();
        for other in [
            "吉医保联",
            "天津市医疗保障基金追回流程管理办法",
            "济医保字",
            "河源",
        ] {
            let own = match p["preset"].as_str().unwrap() {
                "Jilin" => "吉医保联",
                "Tianjin" => "天津市医疗保障基金追回流程管理办法",
                "Jinan" => "济医保字",
                _ => "",
            };
            if other != own {
                assert!(!table.contains(other), "{} cites {other}", p["preset"]);
            }
        }
        // National titles are exact (DOMAIN §7).
        assert!(!table.contains("国家医保局令第4号》"));
        assert_eq!(
            citation(p, "LeadCheck"),
            "《医疗保障行政处罚程序暂行规定》（国家医疗保障局令第4号）"
        );
        assert_eq!(
            citation(p, "Complaint"),
            "《医疗保障基金使用监督管理举报处理暂行办法》（国家医疗保障局令第5号）"
        );
    }
    // Each regional preset names its document once, in full, with its 文号.
    let jilin = &all[1];
    assert_eq!(jilin["document"]["number"], "吉医保联〔2021〕9号");
    assert!(citation(jilin, "RefundOrder").starts_with(
        "《吉林省医疗保障局 吉林省财政厅关于规范医疗保障基金追回工作的通知》（吉医保联〔2021〕9号）第二条"
    ));
    assert_eq!(
        citation(&all[2], "UnknownFundSplit"),
        "《天津市医疗保障基金追回流程管理办法（试行）》第八条"
    );
    assert!(citation(&all[3], "CityReport").contains("（济医保字〔2020〕1号）"));
    // 河源 (seed 001) is a draft: its numbers, the national citations.
    let heyuan = &all[4];
    assert_eq!(heyuan["document"]["draft"], true);
    for (row, national) in heyuan["rows"]
        .as_array()
        .unwrap()
        .iter()
        .zip(all[0]["rows"].as_array().unwrap())
    {
        if row["rule"] != "CityReport" {
            assert_eq!(row["citation"], national["citation"], "{}", row["rule"]);
        }
    }
    let statement = heyuan["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == "StatementRight")
        .unwrap();
    assert_eq!(
        statement["values"][0],
        json!({"name": "statement_days", "value": "5"})
    );
}

/// The preset is picked at first run and may change later (audited, by an administrator); the office
/// may edit a citation, never to a draft for comment.
#[test]
fn the_office_picks_its_preset_and_edits_citations() {
    let o = OfficeBuilder::new("220102", "长春市南关区医疗保障局")
        .preset("Jilin")
        .open();
    let c = &o.core;
    let p = call(c, "profile.get", json!({}));
    assert_eq!(p["preset"], "Jilin");
    assert!(p["citations"]["Offset"]
        .as_str()
        .unwrap()
        .contains("吉医保联〔2021〕9号）第七条"));
    let before = audit_entries(c);
    let p = call(c, "profile.use_preset", json!({"preset": "National"}));
    assert_eq!(p["preset"], "National");
    assert_eq!(p["citations"]["Offset"], "");
    assert_eq!(audit_entries(c), before + 1, "the change is audited");
    let mut edited = p.clone();
    edited["citations"]["Offset"] = json!("《长春市医疗保障基金追回细则》第五条");
    let p = call(c, "profile.update", edited.clone());
    assert_eq!(
        p["citations"]["Offset"],
        "《长春市医疗保障基金追回细则》第五条"
    );
    edited["citations"]["Offset"] = json!("《某市办法（征求意见稿）》第五条");
    let e = field(c, "profile.update", edited, "citations");
    assert!(e.message.contains("征求意见稿"), "{}", e.message);
}

// ---------------------------------------------------------------------------------------------
// Scenarios per preset, through the API

/// Texts of one case the user sees: the detail (next steps, reasons, clocks, remarks) as JSON.
fn case_text(c: &Core, id: i64) -> String {
    call(c, "case.get", json!({"id": id})).to_string()
}

fn next_steps(detail: &Value) -> Vec<String> {
    detail["next_steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

fn hint<'a>(steps: &'a [String], starts: &str) -> &'a str {
    steps
        .iter()
        .find(|s| s.starts_with(starts))
        .unwrap_or_else(|| panic!("no hint {starts} in {steps:?}"))
}

fn assert_none_of(text: &str, others: &[&str]) {
    for o in others {
        assert!(!text.contains(o), "{o} in {text}");
    }
}

const REGIONS: &[&str] = &[
    "吉医保联",
    "吉林省",
    "天津",
    "济医保字",
    "济南",
    "河源",
    "号文",
];

/// An administrative case against a hospital: a finding of 36,000 yuan (an unknown fund, 5:5 where
/// the office's rule set splits it, else the employee fund), evidence; returns the case.
fn administrative<'o>(o: &'o Office, inst: i64) -> Case<'o> {
    let mut line =
        json!({"year_kind": "CurrentYear", "category": "Inpatient", "amount_due": "36000.00"});
    if call(&o.core, "profile.get", json!({}))["unknown_fund_split"] != true {
        line["fund"] = json!("EmployeeBasic");
    }
    CaseBuilder::administrative(o, inst)
        .filed("2026-08-03")
        .finding(
            "串换药品",
            "《医疗保障基金使用监督管理条例》第十五条",
            "36000.00",
        )
        .evidence("书证", "药品进销存台账", "2026-08-04")
        .line(line)
}

/// An agreement case of 60,000 yuan against a hospital, notified, served and waived.
fn agreement<'o>(o: &'o Office, inst: i64) -> Case<'o> {
    CaseBuilder::agreement(o, inst)
        .filed("2026-08-03")
        .finding("分解住院", "医保服务协议第十条", "60000.00")
        .evidence("书证", "住院病历", "2026-08-04")
        .line(json!({"fund": "EmployeeBasic", "year_kind": "CurrentYear", "category": "Inpatient", "amount_due": "60000.00"}))
}

#[test]
fn a_jilin_county_cites_national_law_and_its_province() {
    let o = OfficeBuilder::new("220102", "长春市南关区医疗保障局")
        .preset("Jilin")
        .open();
    let c = &o.core;
    let inst = o.institution("H22010200001", "南关区某医院");
    let case = administrative(&o, inst);
    // Before the notice: the recovery lines follow 吉医保联〔2021〕9号 art. 3, 6 (seed 000).
    // The 5:5 split of money whose fund cannot be told is 天津's rule (seed 004 art. 8), not 吉林's:
    // the fund must be named, and the refusal says where the office could switch the split on.
    let e = field(
        c,
        "recovery.add_line",
        json!({"case_id": case.id, "amount_due": "100.00"}),
        "fund",
    );
    assert!(e.message.contains("设置 · 规则配置"), "{}", e.message);
    let filed = call(c, "case.get", json!({"id": case.id}));
    assert_eq!(filed["recovery_lines"].as_array().unwrap().len(), 1);
    // The 责令退款通知书 waits for the decision (seed 000 art. 2–3), in 吉林's words.
    illegal(
        c,
        "document.issue",
        json!({"case_id": case.id, "kind": "RefundOrder", "issued_on": "2026-08-05"}),
        "（《吉林省医疗保障局 吉林省财政厅关于规范医疗保障基金追回工作的通知》（吉医保联〔2021〕9号）第三条、第六条：",
    );
    let case = case.notified("2026-08-20");
    let steps = next_steps(&case.detail);
    assert!(
        steps.iter().all(|s| !s.contains("吉医保联")),
        "nothing of 000 before the money: {steps:?}"
    );
    // Findings are fixed once notified (行政处罚法 art. 44).
    illegal(
        c,
        "finding.add",
        json!({"case_id": case.id, "description": "又一项", "rule_broken": "条例", "amount": "1.00"}),
        "已告知当事人的事实和金额不得擅自变更（《中华人民共和国行政处罚法》第四十四条）",
    );
    // The 告知书 is the administrative one: 行政处罚法 on the paper, nothing regional.
    let doc = call(
        c,
        "document.issue",
        json!({"case_id": case.id, "kind": "StatementNotice", "issued_on": "2026-08-20"}),
    );
    let text = pdf_text(&pdf_of(&doc));
    assert!(
        text.contains("根据《中华人民共和国行政处罚法》第四十四条、第四十五条的规定"),
        "{text}"
    );
    assert!(!text.contains("协议处理"), "{text}");
    assert_none_of(&text, &["吉医保联", "天津", "河源", "济南"]);
    assert_none_of(
        &case_text(c, case.id),
        &["天津", "济医保字", "河源", "号文"],
    );
}

#[test]
fn a_tianjin_district_cites_the_tianjin_measures() {
    let o = Office::tianjin();
    let c = &o.core;
    let inst = o.institution("H12010100001", "和平区某医院");
    let case = administrative(&o, inst);
    let d = call(c, "case.get", json!({"id": case.id}));
    let lines = &d["recovery_lines"];
    assert!(
        lines[0]["note"]
            .as_str()
            .unwrap()
            .ends_with("按5：5比例分摊（《天津市医疗保障基金追回流程管理办法（试行）》第八条）"),
        "{lines}"
    );
    let d = call(c, "case.get", json!({"id": case.id}));
    let steps = next_steps(&d);
    // Evidence and lines are in; the notice is next (行政处罚法 art. 44).
    assert!(
        hint(&steps, "制作并送达告知书").contains("（《中华人民共和国行政处罚法》第四十四条）"),
        "{steps:?}"
    );
    // A current-year line without category: 天津 art. 8 (seed 004).
    let e = field(
        c,
        "recovery.add_line",
        json!({"case_id": case.id, "fund": "EmployeeBasic", "year_kind": "CurrentYear", "amount_due": "1.00"}),
        "category",
    );
    assert!(
        e.message
            .ends_with("（《天津市医疗保障基金追回流程管理办法（试行）》第八条）"),
        "{}",
        e.message
    );
    // 违约金 is the agreement's: 令第2号/第3号 and the service agreement, not a regional text.
    let e = field(
        c,
        "recovery.add_line",
        json!({"case_id": case.id, "fund": "EmployeeBasic", "year_kind": "CurrentYear", "category": "LiquidatedDamages", "amount_due": "1.00"}),
        "category",
    );
    assert!(
        e.message
            .contains("（《医疗机构医疗保障定点管理暂行办法》（国家医疗保障局令第2号）"),
        "{}",
        e.message
    );
    // Decided and served: the money hint cites 天津 art. 9 and 11.
    let case = case
        .notified("2026-08-20")
        .served("2026-08-21")
        .waived("2026-08-24")
        .decided_with(
            "2026-08-26",
            json!({"kind": "行政处理决定", "document_number": "和医保处〔2026〕1号", "payment_due": "2026-09-30"}),
        )
        .decision_served("2026-08-27");
    let steps = next_steps(&case.detail);
    assert!(
        hint(&steps, "督促当事人于2026年9月30日前退回36,000.00元")
            .ends_with("（《天津市医疗保障基金追回流程管理办法（试行）》第九条、第十一条）"),
        "{steps:?}"
    );
    let clocks = call(
        c,
        "clock.list",
        json!({"case_id": case.id, "today": "2026-08-28"}),
    )["items"]
        .clone();
    let payment = clocks
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == "Payment")
        .unwrap_or_else(|| panic!("{clocks}"));
    assert_eq!(
        payment["basis"],
        "《天津市医疗保障基金追回流程管理办法（试行）》第八条、第九条"
    );
    assert_none_of(
        &case_text(c, case.id),
        &["吉医保联", "吉林", "济医保字", "河源", "号文"],
    );
}

#[test]
fn a_jinan_district_reports_agreement_decisions_to_the_city() {
    let o = OfficeBuilder::new("370102", "济南市历下区医疗保障局")
        .preset("Jinan")
        .open();
    let c = &o.core;
    let inst = o.institution("H37010200001", "历下区某医院");
    let case = agreement(&o, inst).notified("2026-08-20");
    // The agreement's 告知书: 协议处理 under 令第2/3号 and the agreement, remedies against it, no
    // 行政处罚法 paragraph (issue 9; seed 001 art. 25 for the remedies).
    let doc = call(
        c,
        "document.issue",
        json!({"case_id": case.id, "kind": "StatementNotice", "issued_on": "2026-08-20"}),
    );
    let text = pdf_text(&pdf_of(&doc));
    for want in [
        "依据《医疗机构医疗保障定点管理暂行办法》（国家医疗保障局令第2号）、《零售药店医疗保障定点管理暂行办法》（国家医疗保障局令第3号）及医保服务协议，我单位拟对你单位作出如下协议处理：",
        "可以与我单位协商解决，或者请求医疗保障行政部门协调处理，也可以依法申请行政复议或者提起行政诉讼。",
    ] {
        assert!(text.contains(want), "{want} not in {text}");
    }
    assert_none_of(
        &text,
        &[
            "行政处罚法",
            "行政处理（处罚）",
            "听证",
            "吉医保联",
            "天津",
            "河源",
        ],
    );
    let case = case.served("2026-08-21").waived("2026-08-24");
    // 60,000 ≥ 50,000: the collective review, which 济南 requires of agreement matters (seed 002
    // 二（三）).
    let e = illegal(
        c,
        "case.decide",
        json!({"case_id": case.id, "kind": "协议处理决定", "decided_on": "2026-08-26", "document_number": "历医保协决〔2026〕1号",
               "payment_due": "2026-09-30", "measures": [], "signoff": o.signoff()}),
        "集体讨论",
    );
    assert!(
        e.message.contains("达到50,000.00元集体讨论标准（《济南市医疗保障局关于做好2020年全市医疗保障基金监管工作的通知》（济医保字〔2020〕1号）二（三））"),
        "{}",
        e.message
    );
    let case = case
        .collectively_reviewed("2026-08-25", "同意追回", "会议纪要1")
        .decided("2026-08-26", "2026-09-30")
        .decision_served("2026-08-27");
    let steps = next_steps(&case.detail);
    assert!(
        hint(&steps, "协议处理决定报市医保局备案").contains("（济医保字〔2020〕1号）二（三）"),
        "{steps:?}"
    );
    let clocks = call(
        c,
        "clock.list",
        json!({"case_id": case.id, "today": "2026-08-28"}),
    )["items"]
        .clone();
    let report = clocks
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == "CityReport")
        .unwrap();
    assert!(
        report["basis"]
            .as_str()
            .unwrap()
            .contains("济医保字〔2020〕1号"),
        "{report}"
    );
    assert_none_of(
        &case_text(c, case.id),
        &["吉医保联", "天津", "河源", "号文"],
    );
}

#[test]
fn the_national_base_cites_only_national_law() {
    // An office of a province without a preset (四川·成都·锦江).
    let o = OfficeBuilder::new("510104", "成都市锦江区医疗保障局").open();
    let c = &o.core;
    assert_eq!(call(c, "profile.get", json!({}))["preset"], "National");
    let inst = o.institution("H51010400001", "锦江区某医院");
    let case = agreement(&o, inst);
    let steps = next_steps(&call(c, "case.get", json!({"id": case.id})));
    // No national text fixes the recovery lines' layout: no citation rather than a foreign one.
    assert!(
        steps
            .iter()
            .all(|s| !s.contains("按险种、当年/历年、费用类别录入应追回金额（")),
        "{steps:?}"
    );
    let case = case
        .notified("2026-08-20")
        .served("2026-08-21")
        .waived("2026-08-24");
    let e = illegal(
        c,
        "case.decide",
        json!({"case_id": case.id, "kind": "协议处理决定", "decided_on": "2026-08-26", "document_number": "锦医保协决〔2026〕1号",
               "payment_due": "2026-09-30", "measures": [], "signoff": o.signoff()}),
        "集体讨论",
    );
    // The threshold is the office's own setting on the agreement track: no citation.
    assert!(
        e.message.contains("达到50,000.00元集体讨论标准") && !e.message.contains("标准（"),
        "{}",
        e.message
    );
    let case = case
        .collectively_reviewed("2026-08-25", "同意追回", "会议纪要1")
        .decided("2026-08-26", "2026-09-30")
        .decision_served("2026-08-27");
    let steps = next_steps(&case.detail);
    assert_eq!(
        hint(&steps, "协议处理决定报市医保局备案"),
        "协议处理决定报市医保局备案"
    );
    let clocks = call(
        c,
        "clock.list",
        json!({"case_id": case.id, "today": "2026-08-28"}),
    )["items"]
        .clone();
    let report = clocks
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == "CityReport")
        .unwrap();
    assert_eq!(report["basis"], "本单位规则配置");
    assert_none_of(&case_text(c, case.id), REGIONS);
    // The lead check: 令第4号, and for a 举报 also 令第5号 (not 第4号).
    call(
        c,
        "lead.create",
        json!({"source": "举报", "received_on": "2026-11-20", "summary": "举报串换药品", "institution_id": inst, "handler_id": o.handler}),
    );
    let clocks = call(c, "clock.list", json!({"today": "2026-11-21"}))["items"].clone();
    let lead = clocks
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == "LeadCheck")
        .unwrap();
    assert_eq!(
        lead["basis"],
        "《医疗保障行政处罚程序暂行规定》（国家医疗保障局令第4号）；《医疗保障基金使用监督管理举报处理暂行办法》（国家医疗保障局令第5号）"
    );
}

/// A matter keeps the rule set in force when it was filed (issue 9): a later change of the
/// office's preset moves only new matters.
#[test]
fn a_case_keeps_the_rule_set_it_was_filed_under() {
    let o = Office::tianjin();
    let c = &o.core;
    let inst = o.institution("H12010100001", "和平区某医院");
    let old = administrative(&o, inst);
    call(c, "profile.use_preset", json!({"preset": "National"}));
    let new = administrative(&o, inst);
    let note = |id: i64| {
        call(c, "case.get", json!({"id": id}))["recovery_lines"][0]["note"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let e = field(
        c,
        "recovery.add_line",
        json!({"case_id": old.id, "fund": "EmployeeBasic", "year_kind": "CurrentYear", "amount_due": "1.00"}),
        "category",
    );
    assert!(
        e.message
            .contains("《天津市医疗保障基金追回流程管理办法（试行）》第八条"),
        "{}",
        e.message
    );
    let e = field(
        c,
        "recovery.add_line",
        json!({"case_id": new.id, "fund": "EmployeeBasic", "year_kind": "CurrentYear", "amount_due": "1.00"}),
        "category",
    );
    assert!(!e.message.contains("天津"), "{}", e.message);
    assert!(note(old.id).contains("天津"));
    assert!(!note(new.id).contains("天津"));
    assert_eq!(call(c, "audit.verify", json!({}))["ok"], true);
}

/// The agreement track prints its own decision (issue 9): 协议处理决定书 with its own number
/// sequence, the measures, amount and 违约金, deadline and how to pay, and the remedies against an
/// agreement decision — no 行政处罚法 wording.
#[test]
fn the_agreement_track_prints_its_own_decision() {
    let o = OfficeBuilder::new("510104", "成都市锦江区医疗保障局")
        .institutions_at("成都市锦江区红星路1号", "028-88888888")
        .open();
    let c = &o.core;
    let mut s = call(c, "document.settings_get", json!({}));
    s["employee_account"] = json!({"account_name": "成都市医疗保障事务中心", "bank": "某银行锦江支行",
                                   "account_number": "510100001", "bank_code": "102651000001"});
    call(c, "document.settings_update", s);
    let inst = o.institution("H51010400001", "锦江区某医院");
    let decide = |case: Case<'_>| -> i64 {
        let id = case.id;
        let case = case
            .line(json!({"fund": "EmployeeBasic", "year_kind": "CurrentYear", "category": "LiquidatedDamages", "amount_due": "2000.00"}))
            .notified("2026-08-20")
            .served("2026-08-21")
            .waived("2026-08-24")
            .collectively_reviewed("2026-08-25", "同意追回", "会议纪要1");
        // A blank number: the next of the agreement decision's own sequence.
        call(
            c,
            "case.decide",
            json!({"case_id": id, "kind": "协议处理决定", "decided_on": "2026-08-26", "document_number": "",
                   "payment_due": "2026-09-30", "measures": [], "signoff": o.signoff()}),
        );
        drop(case);
        id
    };
    let first = decide(agreement(&o, inst));
    let second = decide(agreement(&o, inst));
    let number = |id: i64| {
        call(c, "case.get", json!({"id": id}))["decision"]["document_number"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(
        number(first).ends_with("协决〔2026〕1号"),
        "{}",
        number(first)
    );
    assert!(
        number(second).ends_with("协决〔2026〕2号"),
        "{}",
        number(second)
    );
    let doc = call(
        c,
        "document.issue",
        json!({"case_id": second, "kind": "AgreementDecision"}),
    );
    assert_eq!(doc["number"], number(second));
    let text = pdf_text(&pdf_of(&doc));
    for want in [
        "协议处理决定书",
        &number(second),
        "一、违约事实和证据",
        "依据《医疗机构医疗保障定点管理暂行办法》（国家医疗保障局令第2号）、《零售药店医疗保障定点管理暂行办法》（国家医疗保障局令第3号）及医保服务协议，我单位决定作出如下协议处理：",
        "违约金",
        "应于2026年9月30日前",
        "可以与我单位协商解决，或者请求医疗保障行政部门协调处理，也可以依法向",
        "2026年8月26日",
    ] {
        assert!(text.contains(want), "{want} not in {text}");
    }
    assert_none_of(&text, &["行政处罚法", "罚款", "我局"]);
    // An administrative case has no agreement decision to print.
    let admin = administrative(&o, inst);
    let options = call(c, "document.options", json!({"id": admin.id}));
    let option = options
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["kind"] == "AgreementDecision")
        .unwrap();
    assert_eq!(option["available"], false);
    assert!(
        option["reason"]
            .as_str()
            .unwrap()
            .contains("行政执法案件请开具行政处理决定书"),
        "{option}"
    );
}

/// A party returning money before the decision (主动退回, 001 art. 41) has it allocated to the
/// recovery lines; removing such a line is refused with the reason, not a storage error (issue 9).
#[test]
fn a_recovery_line_with_money_on_it_is_not_removed() {
    let o = Office::tianjin();
    let c = &o.core;
    let inst = o.institution("H12010100001", "和平区某医院");
    let case = agreement(&o, inst);
    let line = call(c, "case.get", json!({"id": case.id}))["recovery_lines"][0]["id"].clone();
    call(
        c,
        "payment.record",
        json!({"case_id": case.id, "paid_on": "2026-08-10", "amount": "1000.00", "voucher": "ZD0810",
               "fund": "EmployeeBasic", "method": "BankTransfer", "agency": "天津市和平区医疗保障服务中心"}),
    );
    let e = illegal(
        c,
        "recovery.remove_line",
        json!({"id": line}),
        "已有缴款（抵扣）1,000.00 元计入，不能删除",
    );
    assert!(
        e.message.contains("撤销该笔缴款或办理退款"),
        "{}",
        e.message
    );
    assert_eq!(
        call(c, "case.get", json!({"id": case.id}))["recovery_lines"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

/// `recoup init --preset 吉林`: the CLI sets the office up with its preset (Chinese names accepted).
#[test]
fn the_cli_sets_the_office_up_with_its_preset() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("recoup.db");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_recoup"))
        .arg("--db")
        .arg(&db)
        .args([
            "init",
            "--code",
            "220102",
            "--name",
            "长春市南关区医疗保障局",
            "--admin-user",
            ADMIN,
            "--preset",
            "吉林",
        ])
        .env("RECOUP_PASSWORD", "secret123")
        .env_remove("RECOUP_USER")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let c = Core::open(&db).unwrap();
    c.login(ADMIN, "secret123").unwrap();
    let p = call(&c, "profile.get", json!({}));
    assert_eq!(p["preset"], "Jilin");
    assert!(p["citations"]["RefundOrder"]
        .as_str()
        .unwrap()
        .contains("吉医保联〔2021〕9号"));
}

/// Which matters may be offset follows the preset (issue 9): 天津 on request within the deadline
/// (seed 004 art. 10), 吉林 once the institution let the deadline pass (seed 000 art. 7); never on a
/// matter under investigation nor before the 通知单 that sets the deadline.
#[test]
fn when_an_offset_may_be_set_up_follows_the_preset() {
    let o = OfficeBuilder::new("220102", "长春市南关区医疗保障局")
        .preset("Jilin")
        .open();
    let c = &o.core;
    let inst = o.institution("H22010200001", "南关区某医院");
    let case = CaseBuilder::agreement(&o, inst)
        .filed("2026-08-03")
        .finding("分解住院", "医保服务协议第十条", "6000.00")
        .evidence("书证", "住院病历", "2026-08-04")
        .line(json!({"fund": "EmployeeBasic", "year_kind": "CurrentYear", "category": "Inpatient", "amount_due": "6000.00"}));
    let case_id = case.id;
    let offset = move |requested: &str, approved: &str, n: u32| {
        json!({"case_id": case_id, "notice_number": format!("长医保抵〔2026〕{n}号"), "requested_on": requested,
               "approved_on": approved, "agency": "长春市南关区医疗保障经办中心"})
    };
    illegal(
        c,
        "offset.create",
        offset("2026-08-05", "2026-08-06", 1),
        "尚未作出决定确定应退回的金额和缴费时限",
    );
    let case = case
        .notified("2026-08-20")
        .served("2026-08-21")
        .waived("2026-08-24")
        .decided("2026-08-26", "2026-09-30");
    illegal(
        c,
        "offset.create",
        offset("2026-09-01", "2026-09-02", 1),
        "决定书尚未送达、也未出具医疗保障基金追回通知单",
    );
    call(
        c,
        "case.issue_document",
        json!({"case_id": case.id, "document": "RecoverySlip", "document_number": "长医保追〔2026〕1号", "issued_on": "2026-08-27"}),
    );
    // 吉林: within the deadline the institution pays; the agency deducts only after it let the
    // deadline pass.
    let e = illegal(
        c,
        "offset.create",
        offset("2026-09-01", "2026-09-02", 1),
        "退缴时限（2026年9月30日）尚未届满",
    );
    assert!(
        e.message.contains("（吉医保联〔2021〕9号）第七条"),
        "{}",
        e.message
    );
    let plan = call(c, "offset.create", offset("2026-10-09", "2026-10-12", 1));
    assert_eq!(plan["status"], "Active");
    let presets = presets(c);
    let jilin = presets.iter().find(|p| p["preset"] == "Jilin").unwrap();
    let row = jilin["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == "Offset")
        .unwrap();
    assert_eq!(
        row["values"][0]["value"],
        "逾期不退（无故、恶意拖延）时抵扣拨付基金"
    );
}

/// 行政处罚法 binds the administrative track: the legal review an agreement termination needs is
/// not refused "under 行政处罚法 art. 58" (issue 9), while an administrative one is.
#[test]
fn the_agreement_track_does_not_cite_the_administrative_penalty_law() {
    let o = OfficeBuilder::new("510104", "成都市锦江区医疗保障局").open();
    let c = &o.core;
    let inst = o.institution("H51010400001", "锦江区某医院");
    let case = agreement(&o, inst)
        .notified_with(
            "2026-08-20",
            json!({"proposed_measures": [{"kind": "解除协议"}]}),
        )
        .served("2026-08-21")
        .waived("2026-08-24");
    let e = illegal(
        c,
        "case.decide",
        json!({"case_id": case.id, "kind": "协议处理决定", "decided_on": "2026-08-26", "document_number": "锦医保协决〔2026〕1号",
               "payment_due": "2026-09-30", "measures": [{"kind": "解除协议"}], "signoff": o.signoff()}),
        "本案须经法制审核",
    );
    assert!(!e.message.contains("行政处罚法"), "{}", e.message);
    let steps = next_steps(&call(c, "case.get", json!({"id": case.id})));
    assert!(steps.iter().all(|s| !s.contains("行政处罚法")), "{steps:?}");
}

/// The first-run set-up suggests the preset made for the office's region (issue 9), by the
/// 行政区划代码 prefixes the preset files declare (province, or city where the preset is a city's).
#[test]
fn the_preset_of_the_office_region_is_suggested_by_its_code() {
    let c = Core::open_in_memory().unwrap();
    let suggest = |code: &str| {
        c.call("office.suggest_preset", json!({ "code": code }))
            .unwrap()
    };
    assert_eq!(suggest("220102"), "Jilin");
    assert_eq!(suggest("120101"), "Tianjin");
    assert_eq!(suggest("370102"), "Jinan");
    assert_eq!(suggest("441602"), "Heyuan");
    // 青岛 is in 山东 but the 济南 preset is the city's; Beijing has none.
    assert_eq!(suggest("370202"), Value::Null);
    assert_eq!(suggest("110101"), Value::Null);
}
