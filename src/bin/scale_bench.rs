//! Scale benchmark (issue 13; not a test).
//!
//! `scale_bench [N…] [--dir DIR] [--keep] [--reuse] [--strict] [--empty-search]` builds, for each N (default 1000), a fresh office
//! database of N cases THROUGH THE API (`Core::call`, as every host does, so the audit chain is
//! real): office.init, five officers, institutions, then cases at every stage — investigating,
//! notified and served, decided with a payment due, executing (a payment recorded / arrived /
//! receipted), under an offset plan, closed — filed over ten years (2017–2026), from a fixed seed
//! so that runs are comparable. It then times the reads a clerk waits for (median and p95 of
//! several runs) and prints a growth table: one row per figure, one column per N, and the target
//! of issue 13 (release build, 2 cores, at 100,000 cases) with met / NOT MET.
//!
//! `--keep` leaves the database as `DIR/scale_bench_N.db`; `--reuse` measures such a kept
//! database again instead of building it (migrations run on open), so that a change to a read can be
//! measured at 100,000 cases without a rebuild; with `--empty-search` the kept database's search
//! index is emptied first, so that the open times its rebuild.
//!
//! Example: `cargo run --release --bin scale_bench -- 1000 10000`.

mod bench_common;
use bench_common::status_mb;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use recoup::api::Core;
use serde_json::{json, Value};

/// The last day the build may use: every date given to the API is on or before it (the API
/// refuses dates in the future), and the reads are judged as of it.
const HORIZON: (i32, u32, u32) = (2026, 11, 30);
const SEED: u64 = 0x5EED_2026_0013;

/// Problems met (a call refused while building, an audit chain that does not verify): with
/// `--strict` (CI, at 1,000 cases, debug build) the benchmark then exits non-zero, which keeps its
/// code path alive without judging debug timings.
static PROBLEMS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn problem(text: String) {
    PROBLEMS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    println!("  {text}");
}
const AGENCY: &str = "天津市和平区医疗保障基金管理中心";
const STEM: &str = "和医保";

// ---------------------------------------------------------------------------------------------
// Process figures (Linux /proc; 0 elsewhere)

/// Resets VmHWM to the current RSS (Linux ≥ 4.0), so each N gets its own peak.
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

// ---------------------------------------------------------------------------------------------
// A fixed pseudo-random sequence (splitmix64), so that every run builds the same offices.

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// In `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % ((hi - lo + 1) as u64)) as i64
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.next() as usize % items.len()]
    }
}

// ---------------------------------------------------------------------------------------------
// Dates

fn horizon() -> NaiveDate {
    NaiveDate::from_ymd_opt(HORIZON.0, HORIZON.1, HORIZON.2).unwrap()
}

/// The first Monday–Friday on or after `d` (holidays aside: good enough for a realistic spread).
fn weekday(mut d: NaiveDate) -> NaiveDate {
    while matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
        d += Duration::days(1);
    }
    d
}

fn after(d: NaiveDate, rng: &mut Rng, lo: i64, hi: i64) -> NaiveDate {
    weekday(d + Duration::days(rng.range(lo, hi)))
}

fn ds(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn cents(c: i64) -> String {
    format!("{}.{:02}", c / 100, c % 100)
}

// ---------------------------------------------------------------------------------------------
// Building through the API

/// The calls made and the refusals met while building (command → count, first message).
#[derive(Default)]
struct Tally {
    calls: u64,
    errors: BTreeMap<String, (u64, String)>,
    /// Per command: calls and seconds spent in them (where building spends its time).
    spent: BTreeMap<String, (u64, f64)>,
}

struct Office {
    core: Core,
    handler: i64,
    reviewer: i64,
    approver: i64,
    tally: std::cell::RefCell<Tally>,
}

impl Office {
    /// One call; a refusal is counted (with its first message) and ends the case being built.
    fn call(&self, cmd: &str, payload: Value) -> Option<Value> {
        let mut t = self.tally.borrow_mut();
        t.calls += 1;
        let started = Instant::now();
        let answer = self.core.call(cmd, payload);
        let spent = t.spent.entry(cmd.to_string()).or_default();
        spent.0 += 1;
        spent.1 += started.elapsed().as_secs_f64();
        match answer {
            Ok(v) => Some(v),
            Err(e) => {
                let entry = t
                    .errors
                    .entry(cmd.to_string())
                    .or_insert_with(|| (0, format!("{:?}: {}", e.code, e.message)));
                entry.0 += 1;
                None
            }
        }
    }

    fn must(&self, cmd: &str, payload: Value) -> Value {
        self.core
            .call(cmd, payload.clone())
            .unwrap_or_else(|e| panic!("{cmd} {payload}: {e:?}"))
    }

    fn signoff(&self) -> Value {
        json!({"handler_id": self.handler, "reviewer_id": self.reviewer, "approver_id": self.approver})
    }
}

fn id(v: &Value) -> i64 {
    v["id"].as_i64().expect("id")
}

/// The office's first administrator (every role) the build and the reads run as.
const BENCH_USER: &str = "bench";
const BENCH_PASSWORD: &str = "secret123";

/// Log in for the reads: the bench's administrator, or in a database kept before logins existed
/// (issue 8), its handler.
fn login_for_reads(core: &Core) {
    if core.login(BENCH_USER, BENCH_PASSWORD).is_err() {
        core.login("zhang", BENCH_PASSWORD)
            .expect("log in to the kept database");
    }
}

fn open_office(path: &Path) -> Office {
    let core = Core::open(path).expect("open the database");
    // Building is set-up, not measured against a target: without an fsync per transaction it is
    // bound by the code instead of by the disk (and by other programs writing to it). The reads are
    // measured on a fresh connection with the application's own settings.
    core.store()
        .read(|c| {
            c.pragma_update(None, "synchronous", "OFF")
                .map_err(|e| recoup::ApiError::internal(e.to_string()))
        })
        .expect("synchronous off");
    let mut o = Office {
        core,
        handler: 0,
        reviewer: 0,
        approver: 0,
        tally: Default::default(),
    };
    o.must(
        "office.init",
        json!({"code": "120101", "name": "天津市和平区医疗保障局", "level": "county",
               "admin": {"username": BENCH_USER, "display_name": "基准测试", "password": BENCH_PASSWORD,
                         "roles": ["Admin", "Handler", "Reviewer", "Approver", "Finance"],
                         "cert_no": "执法证00001", "cert_expires": "2099-12-31"}}),
    );
    // The build acts as the administrator, who holds every role.
    o.core
        .login(BENCH_USER, BENCH_PASSWORD)
        .expect("the bench's administrator logs in");
    // A 天津 district: money of an unknown fund is split 5:5 (004 art. 8), which some lines need.
    o.must("profile.update", json!({"unknown_fund_split": true}));
    let officers = [
        ("zhang", "张三", "Handler"),
        ("li", "李四", "Handler"),
        ("wang", "王五", "Reviewer"),
        ("zhao", "赵六", "Approver"),
        ("qian", "钱七", "Reviewer"),
    ];
    for (username, name, role) in officers {
        let u = id(&o.must(
            "user.create",
            json!({"username": username, "display_name": name, "roles": [role], "password": "secret123",
                   "cert_no": format!("执法证{username}"), "cert_expires": "2099-12-31"}),
        ));
        match username {
            "zhang" => o.handler = u,
            "wang" => o.reviewer = u,
            "zhao" => o.approver = u,
            _ => {}
        }
    }
    o
}

const PLACES: &[&str] = &[
    "和平区",
    "南京路",
    "劝业场",
    "小白楼",
    "五大道",
    "新兴街",
    "南营门",
    "南市",
    "滨江道",
    "同仁",
    "鞍山道",
    "西康路",
    "成都道",
    "贵州路",
    "长春道",
    "山西路",
    "岳阳道",
    "唐山道",
];
const KINDS: &[(&str, &str)] = &[
    ("人民医院", "MedicalInstitution"),
    ("中医院", "MedicalInstitution"),
    ("社区卫生服务中心", "MedicalInstitution"),
    ("口腔门诊部", "MedicalInstitution"),
    ("诊所", "MedicalInstitution"),
    ("康复医院", "MedicalInstitution"),
    ("大药房", "RetailPharmacy"),
    ("医药连锁店", "RetailPharmacy"),
    ("同仁堂药店", "RetailPharmacy"),
];

/// An office's institutions: about one for every 20 cases, between 20 and 600.
fn institutions(o: &Office, n: usize, rng: &mut Rng) -> Vec<i64> {
    let count = (n / 20).clamp(20, 600);
    (0..count)
        .map(|i| {
            let place = rng.pick(PLACES);
            let (kind_name, kind) = *rng.pick(KINDS);
            let name = format!("天津市{place}{kind_name}（{}）", i + 1);
            let tag = if kind == "RetailPharmacy" { "P" } else { "H" };
            id(&o.must(
                "institution.create",
                json!({"code": format!("{tag}120101{:05}", i + 1), "name": name, "kind": kind,
                       "credit_code": "91350100M000100Y43", "address": format!("天津市和平区{place}{}号", i + 1),
                       "legal_rep": "陈某", "contact": "022-23333333", "agreement_status": "Active"}),
            ))
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    Investigating,
    Notified,
    Decided,
    /// A part payment recorded; 0 = recorded only, 1 = arrived, 2 = arrived and receipted.
    Executing(u8),
    Offset,
    Closed,
}

impl Stage {
    /// About 13% of an office's matters are open (filed in the last eight months), the rest
    /// closed over ten years: a ten-year history is mostly closed files. (13% open at 100,000
    /// cases gives the ≈13,000 running clocks measured when issue 13 was filed.)
    fn draw(rng: &mut Rng) -> Stage {
        match rng.range(0, 999) {
            0..=24 => Stage::Investigating,
            25..=46 => Stage::Notified,
            47..=77 => Stage::Decided,
            78..=89 => Stage::Executing(0),
            90..=101 => Stage::Executing(1),
            102..=113 => Stage::Executing(2),
            114..=129 => Stage::Offset,
            _ => Stage::Closed,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Stage::Investigating => "investigating",
            Stage::Notified => "notified+served",
            Stage::Decided => "decided, payment due",
            Stage::Executing(0) => "executing, payment recorded",
            Stage::Executing(1) => "executing, payment arrived",
            Stage::Executing(_) => "executing, payment receipted",
            Stage::Offset => "offset plan, one deduction",
            Stage::Closed => "closed",
        }
    }

    /// The span of filing dates, in days before the horizon: open matters are recent, closed
    /// ones spread over ten years.
    fn filed_days_back(self) -> (i64, i64) {
        match self {
            Stage::Investigating => (1, 80),
            Stage::Notified => (40, 80),
            Stage::Decided => (80, 150),
            Stage::Executing(_) => (100, 220),
            Stage::Offset => (130, 240),
            Stage::Closed => (150, 3620),
        }
    }
}

const SUMMARIES: &[&str] = &[
    "虚记住院费用",
    "串换药品",
    "超标准收费",
    "重复收费",
    "分解住院",
    "挂床住院",
    "超限定范围用药",
    "虚构医药服务项目",
];

/// One case taken through the procedure to `stage` (4 to 12 calls); its id once filed, even if a
/// later step was refused.
fn build_case(o: &Office, inst: i64, stage: Stage, rng: &mut Rng) -> Option<i64> {
    let (near, far) = stage.filed_days_back();
    let filed = weekday(horizon() - Duration::days(rng.range(near, far)));
    let filed = filed.min(horizon());
    let summary = *rng.pick(SUMMARIES);
    let detail = o.call(
        "case.create",
        json!({"track": "协议处理", "institution_id": inst, "source": rng.pick(&["审核结算", "监督检查", "举报", "协议管理"]),
               "summary": summary, "handler_id": o.handler, "filed_on": ds(filed)}),
    )?;
    let case_id = id(&detail["case"]);
    // Below 50,000 (no collective review) and 100,000 (no hearing): the common case.
    let amount = rng.range(50_000, 4_999_999);
    // A refused step ends the case there; the refusal is in the tally.
    let _ = steps(o, case_id, filed, amount, summary, stage);
    Some(case_id)
}

/// The steps after filing; None at the first refusal. The dates come from the case's own
/// sequence, so that a refused step in one case does not shift every later case.
fn steps(
    o: &Office,
    case_id: i64,
    filed: NaiveDate,
    amount: i64,
    summary: &str,
    stage: Stage,
) -> Option<()> {
    let mut rng = Rng(rng_seed(case_id));
    let due = cents(amount);
    o.call(
        "finding.add",
        json!({"case_id": case_id, "description": summary, "rule_broken": "服务协议第二十条", "amount": due}),
    )?;
    o.call(
        "evidence.add",
        json!({"case_id": case_id, "kind": "电子数据", "description": "结算数据导出", "collected_on": ds(filed)}),
    )?;
    let mut line = json!({"case_id": case_id, "amount_due": due});
    match rng.range(0, 9) {
        0..=1 => {
            // Fund unknown: split 5:5 (004 art. 8).
            line["year_kind"] = json!("当年");
            line["category"] = json!("住院费");
        }
        2..=6 => {
            line["fund"] = json!(rng.pick(&["职工基本医保", "居民基本医保"]));
            line["year_kind"] = json!("当年");
            line["category"] = json!(rng.pick(&["住院费", "门诊费"]));
        }
        _ => {
            line["fund"] = json!(rng.pick(&["职工基本医保", "居民基本医保"]));
            line["year_kind"] = json!("历年");
        }
    }
    o.call("recovery.add_line", line)?;
    if stage == Stage::Investigating {
        return Some(());
    }
    let notified = after(filed, &mut rng, 10, 30);
    let detail = o.call(
        "case.notify",
        json!({"case_id": case_id, "issued_on": ds(notified), "signoff": o.signoff(),
               "document_number": format!("{STEM}协告〔{}〕{case_id}号", notified.year()),
               "proposed_measures": []}),
    )?;
    let served = after(notified, &mut rng, 1, 3);
    o.call(
        "case.serve",
        json!({"service_id": detail["notification"]["service_id"], "method": "Direct",
               "served_on": ds(served), "recipient": "陈某"}),
    )?;
    if stage == Stage::Notified {
        return Some(());
    }
    // The statement window (5 working days from service, holidays aside) has lapsed.
    let decided = after(served, &mut rng, 20, 30);
    let payment_due = decided + Duration::days(30);
    let detail = o.call(
        "case.decide",
        json!({"case_id": case_id, "decided_on": ds(decided), "signoff": o.signoff(),
               "kind": "协议处理决定", "document_number": format!("{STEM}协决〔{}〕{case_id}号", decided.year()),
               "measures": [], "payment_due": ds(payment_due)}),
    )?;
    let kind = detail["decision"]["kind"].clone();
    let service = detail["services"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["document"] == kind))
        .map(|s| s["id"].clone())
        .unwrap_or(Value::Null);
    let decision_served = after(decided, &mut rng, 1, 2);
    o.call(
        "case.serve",
        json!({"service_id": service, "method": "Direct", "served_on": ds(decision_served), "recipient": "陈某"}),
    )?;
    o.call(
        "case.report_city",
        json!({"case_id": case_id, "on": ds(weekday(decided + Duration::days(1)))}),
    )?;
    match stage {
        Stage::Decided => Some(()),
        Stage::Executing(k) => {
            let paid = after(decision_served, &mut rng, 2, 20);
            let mut p = json!({"case_id": case_id, "paid_on": ds(paid), "amount": cents(amount / 2),
                               "voucher": format!("NY{case_id:07}"), "payer": "当事人", "agency": AGENCY});
            if k >= 1 {
                p["arrived_on"] = json!(ds(weekday(paid + Duration::days(1))));
                p["proof_received_on"] = json!(ds(weekday(paid + Duration::days(1))));
            }
            let pay = o.call("payment.record", p)?;
            if k >= 2 {
                o.call(
                    "receipt.issue",
                    json!({"payment_id": id(&pay), "receipt_number": format!("津财票{}-{case_id:07}", paid.year()),
                           "issued_on": ds(after(paid, &mut rng, 2, 4))}),
                )?;
            }
            Some(())
        }
        Stage::Offset => {
            // The 通知单 that sets the deadline comes first (an offset deducts what it lists).
            o.call(
                "case.issue_document",
                json!({"case_id": case_id, "document": "RecoverySlip", "issued_on": ds(decision_served),
                       "document_number": format!("{STEM}追单〔{}〕{case_id}号", decision_served.year())}),
            )?;
            let requested = after(decision_served, &mut rng, 1, 5);
            let approved = after(requested, &mut rng, 1, 3);
            let plan = o.call(
                "offset.create",
                json!({"case_id": case_id, "notice_number": format!("{STEM}抵〔{}〕{case_id}号", approved.year()),
                       "requested_on": ds(requested), "approved_on": ds(approved), "agency": AGENCY,
                       "served_on": ds(weekday(approved + Duration::days(1)))}),
            )?;
            let funds = plan["funds"].as_array().cloned().unwrap_or_default();
            let fund = funds
                .first()
                .map(|f| f["fund"].clone())
                .unwrap_or(Value::Null);
            let next = NaiveDate::from_ymd_opt(approved.year(), approved.month(), 1).unwrap()
                + Duration::days(40);
            let settled = weekday(NaiveDate::from_ymd_opt(next.year(), next.month(), 10).unwrap());
            o.call(
                "offset.deduct",
                json!({"plan_id": id(&plan), "fund": fund, "month": approved.format("%Y-%m").to_string(),
                       "settled_on": ds(settled), "settlement": cents(rng.range(100_000, 3_000_000))}),
            )?;
            Some(())
        }
        Stage::Closed => {
            let paid = after(decision_served, &mut rng, 2, 20);
            let arrived = weekday(paid + Duration::days(1));
            let pay = o.call(
                "payment.record",
                json!({"case_id": case_id, "paid_on": ds(paid), "amount": due,
                       "voucher": format!("NY{case_id:07}"), "payer": "当事人", "agency": AGENCY,
                       "arrived_on": ds(arrived), "proof_received_on": ds(arrived)}),
            )?;
            let receipted = after(arrived, &mut rng, 1, 3);
            o.call(
                "receipt.issue",
                json!({"payment_id": id(&pay), "receipt_number": format!("津财票{}-{case_id:07}", paid.year()),
                       "issued_on": ds(receipted)}),
            )?;
            o.call(
                "case.close",
                json!({"case_id": case_id, "on": ds(after(receipted, &mut rng, 1, 10))}),
            )?;
            Some(())
        }
        Stage::Investigating | Stage::Notified => unreachable!(),
    }
}

/// The seed of a case's own sequence.
fn rng_seed(case_id: i64) -> u64 {
    let mut r = Rng(SEED ^ (case_id as u64).wrapping_mul(0x2545_F491_4F6C_DD1D));
    r.next()
}

// ---------------------------------------------------------------------------------------------
// Measuring

struct Timing {
    /// The first run (the one that finds nothing prepared or cached).
    first: f64,
    median: f64,
    p95: f64,
    runs: usize,
}

/// Runs `f` at least 3 and at most `max` times (stopping after about 5 s), in ms.
fn time(max: usize, mut f: impl FnMut() -> Value) -> (Timing, Value) {
    let mut ms = Vec::new();
    let started = Instant::now();
    let mut last = Value::Null;
    let mut first = None;
    while ms.len() < max && (ms.len() < 3 || started.elapsed().as_secs_f64() < 5.0) {
        let t = Instant::now();
        last = std::hint::black_box(f());
        ms.push(t.elapsed().as_secs_f64() * 1e3);
        first.get_or_insert(ms[0]);
    }
    ms.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let at = |q: f64| ms[((ms.len() as f64 - 1.0) * q).round() as usize];
    (
        Timing {
            first: first.unwrap_or_default(),
            median: at(0.5),
            p95: at(0.95),
            runs: ms.len(),
        },
        last,
    )
}

/// One row of the growth table.
struct Row {
    name: String,
    /// The issue-13 target, e.g. "p95 ≤ 20 ms", and the check of a value against it.
    target: &'static str,
    check: Option<fn(f64) -> bool>,
}

struct Column {
    n: usize,
    /// Cell text and the value checked against the target, per row name.
    cells: BTreeMap<String, (String, Option<f64>)>,
}

/// `text` padded with spaces to `width` terminal columns (a CJK character takes two).
fn pad(text: &str, width: usize) -> String {
    let used: usize = text
        .chars()
        .map(|c| if (c as u32) >= 0x2E80 { 2 } else { 1 })
        .sum();
    format!("{text}{}", " ".repeat(width.saturating_sub(used)))
}

fn fmt_ms(t: &Timing) -> String {
    format!("{:.1} / {:.1} ms", t.median, t.p95)
}

/// Builds the office database of `n` cases at `path` through the API and records the build
/// figures; the core stays open for the reads.
fn build(n: usize, path: &Path, cell: &mut impl FnMut(&str, String, Option<f64>)) -> Core {
    // Build.
    let mut rng = Rng(SEED);
    let started = Instant::now();
    let o = open_office(&path);
    let insts = institutions(&o, n, &mut rng);
    let mut stages: BTreeMap<Stage, usize> = BTreeMap::new();
    let mut cases: Vec<(i64, Stage)> = Vec::with_capacity(n);
    let build_started = Instant::now();
    let mut tenth_started = Instant::now();
    let mut last_tenth = 0.0;
    for i in 0..n {
        let stage = Stage::draw(&mut rng);
        let inst = *rng.pick(&insts);
        if let Some(case_id) = build_case(&o, inst, stage, &mut rng) {
            cases.push((case_id, stage));
            *stages.entry(stage).or_default() += 1;
        }
        if (i + 1) % (n / 10).max(1) == 0 {
            last_tenth = (n / 10).max(1) as f64 / tenth_started.elapsed().as_secs_f64();
            tenth_started = Instant::now();
            eprintln!(
                "  N={n}: {} cases, {:.0} s, {:.1} cases/s",
                i + 1,
                build_started.elapsed().as_secs_f64(),
                (i + 1) as f64 / build_started.elapsed().as_secs_f64()
            );
        }
    }
    let build_s = started.elapsed().as_secs_f64();
    let tally = std::mem::take(&mut *o.tally.borrow_mut());
    o.core
        .store()
        .read(|c| {
            c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                r.get::<_, i64>(0)
            })
            .map_err(|e| recoup::ApiError::internal(e.to_string()))
        })
        .expect("checkpoint");
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0)
        + std::fs::metadata(format!("{}-wal", path.display()))
            .map(|m| m.len())
            .unwrap_or(0);
    let audit: i64 = o
        .core
        .store()
        .read(|c| {
            c.query_row("SELECT COUNT(*) FROM audit_log", [], |r| r.get(0))
                .map_err(|e| recoup::ApiError::internal(e.to_string()))
        })
        .unwrap_or(0);
    println!(
        "\nN={n}: {} cases filed ({} institutions), {} API calls, {audit} audit entries, built in {build_s:.1} s ({:.1} cases/s, {:.0} calls/s)",
        cases.len(),
        insts.len(),
        tally.calls,
        cases.len() as f64 / build_s,
        tally.calls as f64 / build_s
    );
    for (stage, count) in &stages {
        println!("  {:<30} {count}", stage.name());
    }
    let mut spent: Vec<_> = tally.spent.iter().collect();
    spent.sort_by(|a, b| b.1 .1.total_cmp(&a.1 .1));
    println!("  where building spent its time (command: calls, total, mean per call):");
    for (cmd, (calls, secs)) in spent {
        println!(
            "    {cmd:<22} {calls:>8} {secs:>8.1} s {:>8.2} ms",
            secs * 1e3 / *calls as f64
        );
    }
    if tally.errors.is_empty() {
        println!("  no call was refused while building");
    } else {
        for (cmd, (count, first)) in &tally.errors {
            problem(format!("REFUSED {cmd} ×{count}, first: {first}"));
        }
    }
    let per_case = size as f64 / n as f64;
    cell(
        "database size",
        format!("{:.1} MB", size as f64 / 1048576.0),
        None,
    );
    cell(
        "bytes per case",
        format!("{:.1} KB", per_case / 1024.0),
        Some(per_case),
    );
    cell(
        "build (cases/s)",
        format!("{build_s:.0} s, {:.1}/s", n as f64 / build_s),
        None,
    );
    cell(
        "build, last tenth (cases/s)",
        format!("{last_tenth:.1}/s"),
        None,
    );

    o.core
}

fn bench(n: usize, dir: &Path, keep: bool, reuse: bool, empty_search: bool) -> Column {
    // A kept database has a stable name, so that `--reuse` finds it again.
    let path: PathBuf = if keep || reuse {
        dir.join(format!("scale_bench_{n}.db"))
    } else {
        dir.join(format!("scale_bench_{}_{n}.db", std::process::id()))
    };
    let reused = reuse && path.exists();
    if !reused {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
    let mut col = Column {
        n,
        cells: BTreeMap::new(),
    };
    let mut cell = |name: &str, text: String, value: Option<f64>| {
        col.cells.insert(name.to_string(), (text, value));
    };
    let core = if reused {
        println!("\nN={n}: reusing {}", path.display());
        if empty_search {
            // The search index is derived data, rebuilt on open when it does not hold one entry
            // per case: time that rebuild (issue 13).
            let conn = rusqlite::Connection::open(&path).expect("open the kept database");
            conn.execute("DELETE FROM case_search", [])
                .expect("empty the search index");
        }
        let started = Instant::now();
        let core = Core::open(&path).expect("open the kept database");
        let ms = started.elapsed().as_secs_f64() * 1e3;
        cell(
            "open (kept database)",
            format!(
                "{ms:.0} ms{}",
                if empty_search {
                    ", search index rebuilt"
                } else {
                    ""
                }
            ),
            None,
        );
        core
    } else {
        drop(build(n, &path, &mut cell));
        Core::open(&path).expect("open the built database")
    };
    login_for_reads(&core);
    // The peak memory of the reads (the build is set-up).
    let peak_reset = reset_peak_rss();
    // Reads.
    let c = &core;
    let sql_i64 = |sql: &str| -> i64 {
        c.store()
            .read(|conn| {
                conn.query_row(sql, [], |r| r.get(0))
                    .map_err(|e| recoup::ApiError::internal(e.to_string()))
            })
            .unwrap_or(1)
    };
    let call = |cmd: &str, payload: Value| {
        c.call(cmd, payload.clone())
            .unwrap_or_else(|e| panic!("{cmd} {payload}: {e:?}"))
    };
    let today = ds(horizon());
    let (t, first) = time(21, || call("case.list", json!({})));
    let total = first["total"].as_i64().unwrap_or(0);
    cell("case.list first page", fmt_ms(&t), Some(t.p95));
    for q in ["人民", "同仁", "中医院"] {
        let (t, r) = time(21, || call("case.list", json!({"query": q})));
        cell(
            &format!("case.list search {q}"),
            format!("{} ({} hits)", fmt_ms(&t), r["total"]),
            Some(t.p95),
        );
    }
    // The filters that are not in the list index (issue 8): a fund (a line of that fund), the
    // recovery-total range, and the overdue matters (judged by the clock sources, as the 工作台).
    for (name, q) in [
        (
            "case.list fund + amount",
            json!({"fund": "ResidentBasic", "amount_min": "1000", "amount_max": "20000"}),
        ),
        ("case.list overdue only", json!({"overdue_only": true})),
    ] {
        let (t, r) = time(21, || call("case.list", q.clone()));
        cell(
            name,
            format!("{} ({} hits)", fmt_ms(&t), r["total"]),
            Some(t.p95),
        );
    }
    let limit = first["items"].as_array().map_or(50, |a| a.len().max(1)) as i64;
    let (t, _) = time(21, || {
        call(
            "case.list",
            json!({"offset": (total - limit).max(0), "limit": limit}),
        )
    });
    cell("case.list last page", fmt_ms(&t), Some(t.p95));
    let middle = sql_i64(&format!(
        "SELECT id FROM case_file ORDER BY id LIMIT 1 OFFSET {}",
        total / 2
    ));
    let (t, detail) = time(21, || {
        call("case.get", json!({"id": middle, "today": today}))
    });
    cell(
        "case.get (middle case)",
        format!(
            "{} ({} KB)",
            fmt_ms(&t),
            serde_json::to_vec(&detail).map_or(0, |v| v.len()) / 1024
        ),
        Some(t.p95),
    );
    let (t, board) = time(11, || call("clock.board", json!({"today": today})));
    let groups = board["groups"].as_array().cloned().unwrap_or_default();
    let counts: Vec<String> = groups.iter().map(|g| format!("{}", g["total"])).collect();
    let items: usize = groups
        .iter()
        .map(|g| g["items"].as_array().map_or(0, |a| a.len()))
        .sum();
    let bytes = serde_json::to_vec(&board).map_or(0, |v| v.len());
    cell("clock.board (dashboard)", fmt_ms(&t), Some(t.p95));
    cell(
        "clock.board answer",
        format!(
            "{:.0} KB, {items} items of {} clocks",
            bytes as f64 / 1024.0,
            counts.join("+")
        ),
        None,
    );
    // A case with money on it, from the middle on.
    let money = sql_i64(&format!(
        "SELECT COALESCE((SELECT case_id FROM payment WHERE case_id >= {middle} ORDER BY case_id LIMIT 1), {middle})"
    ));
    let (t, _) = time(21, || call("ledger.case", json!({"case_id": money})));
    cell("ledger.case", fmt_ms(&t), Some(t.p95));
    let (t, r) = time(11, || call("ledger.reconcile", json!({"month": "2026-09"})));
    cell(
        "ledger.reconcile 2026-09",
        format!(
            "{} ({} mismatches; first run {:.1} ms)",
            fmt_ms(&t),
            r["mismatches"].as_array().map_or(0, |a| a.len()),
            t.first,
        ),
        Some(t.p95),
    );
    // The set-based reconciliation against the first, matter-by-matter one (kept as the reference):
    // the same rows and mismatches in the same order, or a problem.
    let q = recoup::ledger::types::ReconcileQuery {
        month: Some("2026-09".parse().expect("month")),
    };
    let by_matter = c
        .store()
        .read(|conn| recoup::ledger::reconcile_by_matter::reconcile_by_matter(conn, &q))
        .map(|v| serde_json::to_value(v).expect("json"));
    if by_matter.as_ref().ok() != Some(&r) {
        problem(
            "ledger.reconcile 2026-09: the set-based answer differs from the matter-by-matter one"
                .to_string(),
        );
    }
    let (t, r) = time(3, || call("audit.verify", json!({"full": true})));
    if r["ok"] != json!(true) {
        problem(format!("audit.verify (full): NOT OK: {r}"));
    }
    cell(
        "audit.verify (full)",
        format!("{:.0} / {:.0} ms ({} runs)", t.median, t.p95, t.runs),
        Some(t.p95),
    );
    if let Some(t) = serve_round_trips(&path) {
        cell("recoup serve round trip", fmt_ms(&t), Some(t.p95));
    }
    // The default verify after a day's work: 50 cases updated since the checkpoint the last verify
    // left (the updates are not timed).
    let open: Vec<i64> = c
        .store()
        .read(|conn| {
            let mut stmt = conn
                .prepare(
                    "SELECT id FROM case_file WHERE status = 'Investigating' ORDER BY id LIMIT 50",
                )
                .map_err(|e| recoup::ApiError::internal(e.to_string()))?;
            let ids = stmt
                .query_map([], |r| r.get(0))
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<i64>>>())
                .map_err(|e| recoup::ApiError::internal(e.to_string()))?;
            Ok(ids)
        })
        .unwrap_or_default();
    let mut ms = Vec::new();
    let mut r = Value::Null;
    for run in 0..5 {
        for &id in &open {
            call(
                "case.update",
                json!({"id": id, "summary": format!("超标准收费（复核{run}）")}),
            );
        }
        let started = Instant::now();
        r = call("audit.verify", json!({}));
        ms.push(started.elapsed().as_secs_f64() * 1e3);
    }
    if r["ok"] != json!(true) || r["full"] != json!(false) {
        problem(format!("audit.verify (incremental): NOT OK: {r}"));
    }
    ms.sort_by(|a, b| a.partial_cmp(b).unwrap());
    cell(
        "audit.verify (incremental)",
        format!(
            "{:.1} / {:.1} ms ({} entries since)",
            ms[ms.len() / 2],
            ms[ms.len() - 1],
            r["checked"]
        ),
        Some(ms[ms.len() - 1]),
    );
    let peak = status_mb("VmHWM:");
    cell(
        "peak RSS (VmHWM)",
        format!(
            "{peak:.0} MB{}",
            if peak_reset { "" } else { " (since start)" }
        ),
        Some(peak),
    );
    drop(core);
    if keep || reuse {
        println!("  kept {}", path.display());
    } else {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
    col
}

/// `office.get` over `recoup serve` (a second connection to the same database), 21 times on one
/// keep-alive connection: the host must answer without the 40 ms delayed-ACK stall.
fn serve_round_trips(path: &Path) -> Option<Timing> {
    use std::io::{BufRead, BufReader, Read, Write};
    let core = Core::open(path).ok()?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = recoup::serve::serve(core, 0, None, |ready| {
            let _ = tx.send((ready.url.clone(), ready.secret.clone()));
        });
    });
    let (url, secret) = rx.recv().ok()?;
    let addr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let stream = std::net::TcpStream::connect(&addr).ok()?;
    stream.set_nodelay(true).ok()?;
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut writer = stream;
    let (t, _) = time(21, || {
        let body = "{}";
        write!(
            writer,
            "POST /api/office.get HTTP/1.1\r\nHost: {addr}\r\nX-Recoup-Secret: {secret}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .expect("send");
        let mut status = String::new();
        reader.read_line(&mut status).expect("answer status");
        assert!(
            status.starts_with("HTTP/1.1 200"),
            "recoup serve refused office.get: {status}"
        );
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).expect("answer head");
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut answer = vec![0u8; length];
        reader.read_exact(&mut answer).expect("answer body");
        Value::from(answer.len())
    });
    Some(t)
}

fn rows() -> Vec<Row> {
    let row = |name: &str, target: &'static str, check: Option<fn(f64) -> bool>| Row {
        name: name.to_string(),
        target,
        check,
    };
    let list: Option<fn(f64) -> bool> = Some(|v| v <= 20.0);
    vec![
        row("database size", "", None),
        row("open (kept database)", "", None),
        row("bytes per case", "≤ 6 KB", Some(|v| v <= 6.0 * 1024.0)),
        row("build (cases/s)", "", None),
        row("build, last tenth (cases/s)", "", None),
        row("case.list first page", "p95 ≤ 20 ms", list),
        row("case.list search 人民", "p95 ≤ 20 ms", list),
        row("case.list search 同仁", "p95 ≤ 20 ms", list),
        row("case.list search 中医院", "p95 ≤ 20 ms", list),
        row("case.list last page", "p95 ≤ 20 ms", list),
        row("case.list fund + amount", "p95 ≤ 20 ms", list),
        // The same clock sources as the 工作台, so the 工作台's target.
        row("case.list overdue only", "p95 ≤ 50 ms", Some(|v| v <= 50.0)),
        row("case.get (middle case)", "p95 ≤ 10 ms", Some(|v| v <= 10.0)),
        row(
            "clock.board (dashboard)",
            "p95 ≤ 50 ms",
            Some(|v| v <= 50.0),
        ),
        row("clock.board answer", "first page per group", None),
        row("ledger.case", "p95 ≤ 5 ms", Some(|v| v <= 5.0)),
        row(
            "ledger.reconcile 2026-09",
            "p95 ≤ 200 ms",
            Some(|v| v <= 200.0),
        ),
        row("audit.verify (full)", "≤ 10 s", Some(|v| v <= 10_000.0)),
        row(
            "audit.verify (incremental)",
            "≤ 1 s",
            Some(|v| v <= 1_000.0),
        ),
        row(
            "recoup serve round trip",
            "no 40 ms stall",
            Some(|v| v < 20.0),
        ),
        row("peak RSS (VmHWM)", "≤ 150 MB", Some(|v| v <= 150.0)),
    ]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut ns = Vec::new();
    let mut dir = std::env::temp_dir();
    let mut keep = false;
    let mut reuse = false;
    let mut strict = false;
    let mut empty_search = false;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--keep" => keep = true,
            "--reuse" => reuse = true,
            "--strict" => strict = true,
            "--empty-search" => empty_search = true,
            "--dir" => {
                i += 1;
                dir = PathBuf::from(args.get(i).expect("--dir DIR"));
            }
            a => ns.push(
                a.replace(['_', ','], "")
                    .parse::<usize>()
                    .unwrap_or_else(|_| panic!("not a number of cases: {a}")),
            ),
        }
        i += 1;
    }
    if ns.is_empty() {
        ns.push(1000);
    }
    let build = if cfg!(debug_assertions) {
        "DEBUG build (figures are not comparable with the targets)"
    } else {
        "release build"
    };
    println!(
        "scale_bench: {build}, seed {SEED:#x}, horizon {}, times are median / p95 in ms",
        ds(horizon())
    );
    let columns: Vec<Column> = ns
        .iter()
        .map(|&n| bench(n, &dir, keep, reuse, empty_search))
        .collect();

    // The growth table: a figure that grows tenfold with N is a linear scan.
    println!(
        "\nGrowth table ({build}); targets of issue 13 are for 100,000 cases, release, 2 cores"
    );
    let width = 30;
    let cw = 44;
    print!("{}", pad("figure", width));
    for c in &columns {
        print!(" | {}", pad(&format!("N={}", c.n), cw));
    }
    println!(" | target");
    println!("{}", "-".repeat(width + columns.len() * (cw + 3) + 30));
    for row in rows() {
        print!("{}", pad(&row.name, width));
        for c in &columns {
            let (text, value) = c.cells.get(&row.name).cloned().unwrap_or_default();
            let verdict = match (row.check, value) {
                (Some(check), Some(v)) if check(v) => " met",
                (Some(_), Some(_)) => " NOT MET",
                _ => "",
            };
            print!(" | {}", pad(&format!("{text}{verdict}"), cw));
        }
        println!(" | {}", row.target);
    }
    let problems = PROBLEMS.load(std::sync::atomic::Ordering::Relaxed);
    if strict && problems > 0 {
        eprintln!("scale_bench: {problems} problem(s), see above");
        std::process::exit(1);
    }
}
