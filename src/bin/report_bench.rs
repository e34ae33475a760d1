//! Report benchmark (issue 10; not a test): the monthly table of 002 over a large office.
//!
//! `report_bench [N] [--institutions M] [--dir DIR] [--keep]` makes an office through the API
//! (office.init, its administrator), then writes N cases and their records STRAIGHT INTO SQLite in
//! one transaction (not through the API and without audit entries: building 100,000 matters through
//! the API takes hours, see `scale_bench`; only the reads are measured here): M institutions (80 %
//! medical), cases filed over ten years (2017–2026), 70 % decided with a payment that arrived and was
//! receipted, a third of those with one or two agreement measures, 2 % referred, one offset
//! deduction in twenty, three inspections per institution and year, a thousand accountability
//! records a year, a 2026 campaign with the twelve key areas of 003 (every tenth case of 2026
//! tagged). It then times the functions the commands run, on a plain connection: `report.monthly`
//! for every month of 2026, a drill-down page of the largest cell, the XLSX export and the campaign
//! figures, and the sheets (追回台账 per matter and per institution, 执法处理情况, 月度对账, 追回资金报送)
//! with a drill-down page of each 合计 (median of five runs each), and prints the database size.
//! Target (issue 10): ≤ 100 ms each at 100,000 matters and 2,000 institutions, release build.
//!
//! Example: `cargo run --release --bin report_bench -- 100000 --institutions 2000`.

mod bench_common;
use bench_common::{status_mb, thread_cpu_ms};

use std::path::PathBuf;
use std::time::Instant;

use recoup::api::Core;
use recoup::calendar::WorkCalendar;
use recoup::reports::campaign::{
    drill as campaign_drill, figures, CampaignDrill, CampaignFigure, CampaignQuery,
};
use recoup::reports::export::MonthlyExport;
use recoup::reports::monthly::{
    drill, members_sql, monthly, DrillQuery, MonthlyColumn, MonthlyQuery,
};
use recoup::reports::monthly_xlsx;
use recoup::reports::settings::RecoveredBasis;
use recoup::reports::sheet::{
    drill as sheet_drill, sheet, sheet_xlsx, SheetDrill, SheetKind, SheetQuery,
};
use rusqlite::params;
use serde_json::json;

const PASSWORD: &str = "bench1pass";

/// splitmix64: the same office on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A date of `year` (days 1–28 of a month up to November 2026, the last month measured).
fn date(rng: &mut Rng, year: i32) -> String {
    let last = if year == 2026 { 11 } else { 12 };
    format!("{year}-{:02}-{:02}", 1 + rng.below(last), 1 + rng.below(28))
}

fn later(d: &str, days: u64) -> String {
    let d = chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("date");
    let mut d = d + chrono::Days::new(days);
    let limit = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).expect("date");
    if d > limit {
        d = limit;
    }
    d.format("%Y-%m-%d").to_string()
}

fn build(path: &PathBuf, n: u64, institutions: u64) -> anyhow::Result<i64> {
    let core = Core::open(path)?;
    core.call(
        "office.init",
        json!({"code": "120101", "name": "天津市和平区医疗保障局", "level": "county",
               "admin": {"username": "admin", "display_name": "管理员", "password": PASSWORD}}),
    )?;
    drop(core);
    let mut conn = rusqlite::Connection::open(path)?;
    let tx = conn.transaction()?;
    let now = "2026-11-30T00:00:00";
    let mut rng = Rng(0x5EED_2026_0010);
    for i in 1..=institutions {
        let kind = if i % 5 == 0 {
            "RetailPharmacy"
        } else {
            "MedicalInstitution"
        };
        tx.execute(
            "INSERT INTO institution (id, uid, code, name, kind, credit_code, address, legal_rep, contact,
                agreement_status, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, '', '', '', '', 'Active', ?6)",
            params![i, format!("120101-I{i}"), format!("H{i:011}"), format!("机构{i}"), kind, now],
        )?;
    }
    const MEASURES: &[&str] = &[
        "Interview",
        "RectificationOrder",
        "PublicCriticism",
        "SettlementSuspension",
        "AgreementSuspension",
        "AgreementTermination",
    ];
    let (mut payment, mut receipt, mut plan) = (0u64, 0u64, 0u64);
    for id in 1..=n {
        let year = 2017 + (id * 10 / (n + 1)) as i32;
        let filed = date(&mut rng, year);
        let inst = 1 + rng.below(institutions);
        let decided = rng.below(10) < 7;
        let closed = decided && (year < 2026 || rng.below(2) == 0);
        tx.execute(
            "INSERT INTO case_file (id, uid, case_number, track, party_kind, institution_id, source, summary,
                handler_id, status, filed_on, decision_days, closed_on, created_at, updated_at)
             VALUES (?1, ?2, ?3, 'Agreement', 'Institution', ?4, 'SettlementReview', '虚记住院费用', 1, ?5, ?6, 90, ?7, ?8, ?8)",
            params![
                id,
                format!("120101-C{id}"),
                format!("和医保案〔{year}〕{id}号"),
                inst,
                if closed { "Closed" } else if decided { "Executing" } else { "Investigating" },
                filed,
                closed.then(|| later(&filed, 120)),
                now
            ],
        )?;
        if !decided {
            continue;
        }
        let decided_on = later(&filed, 30 + rng.below(60));
        let fen = 100_000 + rng.below(10_000_000) as i64;
        tx.execute(
            "INSERT INTO decision (case_id, kind, document_number, decided_on, recovery_total_fen,
                liquidated_damages_fen, payment_due, handler_id, reviewer_id, approver_id, created_at)
             VALUES (?1, 'AgreementDecision', ?2, ?3, ?4, 0, ?5, 1, 1, 1, ?6)",
            params![id, format!("和医保协决〔{year}〕{id}号"), decided_on, fen, later(&decided_on, 30), now],
        )?;
        if rng.below(3) == 0 {
            for _ in 0..1 + rng.below(2) {
                let kind = MEASURES[rng.below(MEASURES.len() as u64) as usize];
                tx.execute(
                    "INSERT INTO agreement_measure (case_id, institution_id, kind, starts_on, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![id, inst, kind, decided_on, now],
                )?;
            }
        }
        if rng.below(50) == 0 {
            tx.execute(
                "INSERT INTO referral (uid, case_id, kind, to_body, referred_on, status, created_at, updated_at)
                 VALUES (?1, ?2, 'Judicial', '公安机关', ?3, 'Referred', ?4, ?4)",
                params![format!("120101-R{id}"), id, later(&decided_on, 10), now],
            )?;
        }
        // The case's recovery line; a third of the open cases have paid half so far (the ledger's
        // outstanding and days overdue).
        tx.execute(
            "INSERT INTO recovery_line (case_id, fund, year_kind, category, amount_due_fen, created_at)
             VALUES (?1, 'EmployeeBasic', 'CurrentYear', 'Inpatient', ?2, ?3)",
            params![id, fen, now],
        )?;
        let line = tx.last_insert_rowid();
        let pay_fen = if !closed && rng.below(3) == 0 {
            fen / 2
        } else {
            fen
        };
        let paid = later(&decided_on, 10 + rng.below(30));
        payment += 1;
        tx.execute(
            "INSERT INTO payment (id, uid, case_id, paid_on, amount_fen, method, voucher, agency, proof_due_on,
                proof_received_on, arrived_on, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 'BankTransfer', ?6, '经办机构', ?4, ?4, ?4, ?7, ?7)",
            params![payment, format!("120101-P{payment}"), id, paid, pay_fen, format!("NY{payment}"), now],
        )?;
        tx.execute(
            "INSERT INTO payment_allocation (payment_id, seq, recovery_line_id, amount_fen) VALUES (?1, 1, ?2, ?3)",
            params![payment, line, pay_fen],
        )?;
        receipt += 1;
        tx.execute(
            "INSERT INTO fiscal_receipt (uid, receipt_number, issued_on, payment_id, amount_fen, agency, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, '经办机构', ?6, ?6)",
            params![format!("120101-F{receipt}"), format!("财票{receipt}"), later(&paid, 3), payment, pay_fen, now],
        )?;
        if rng.below(20) == 0 {
            plan += 1;
            tx.execute(
                "INSERT INTO offset_plan (id, uid, case_id, notice_number, requested_on, approved_on, agency, status,
                    created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5, '经办机构', 'Completed', ?6, ?6)",
                params![plan, format!("120101-O{plan}"), id, format!("抵{plan}"), decided_on, now],
            )?;
            let settled = later(&decided_on, 40);
            tx.execute(
                "INSERT INTO offset_deduction (uid, plan_id, fund, month, settled_on, settlement_fen, deducted_fen,
                    remaining_fen, created_at) VALUES (?1, ?2, 'EmployeeBasic', ?3, ?4, 1000000, 50000, 0, ?5)",
                params![format!("120101-D{plan}"), plan, &settled[..7], settled, now],
            )?;
            let deduction = tx.last_insert_rowid();
            tx.execute(
                "INSERT INTO offset_allocation (deduction_id, seq, recovery_line_id, amount_fen) VALUES (?1, 1, ?2, 50000)",
                params![deduction, line],
            )?;
            receipt += 1;
            tx.execute(
                "INSERT INTO fiscal_receipt (uid, receipt_number, issued_on, deduction_id, amount_fen, agency, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, 50000, '经办机构', ?5, ?5)",
                params![format!("120101-F{receipt}"), format!("财票{receipt}"), settled, deduction, now],
            )?;
        }
    }
    let mut inspection = 0u64;
    for year in 2017..=2026 {
        for inst in 1..=institutions {
            for _ in 0..3 {
                inspection += 1;
                let joint = if rng.below(5) == 0 {
                    "公安、卫生健康"
                } else {
                    ""
                };
                tx.execute(
                    "INSERT INTO inspection (id, uid, kind, institution_id, started_on, departments, problems_found,
                        created_at, updated_at) VALUES (?1, ?2, 'Routine', ?3, ?4, ?5, ?6, ?7, ?7)",
                    params![inspection, format!("120101-J{inspection}"), inst, date(&mut rng, year), joint,
                            rng.below(3) == 0, now],
                )?;
            }
        }
        for k in 0..1000u64 {
            const CATEGORIES: &[&str] = &[
                "InstitutionStaff",
                "AgencyStaff",
                "OtherDepartment",
                "Insured",
            ];
            let id = (year as u64 - 2017) * 1000 + k + 1;
            tx.execute(
                "INSERT INTO accountability (id, uid, category, person, decided_on, created_at, updated_at)
                 VALUES (?1, ?2, ?3, '某某', ?4, ?5, ?5)",
                params![id, format!("120101-Z{id}"), CATEGORIES[(k % 4) as usize], date(&mut rng, year), now],
            )?;
        }
    }
    // A 2026 campaign with the twelve key areas of 003; every tenth case of 2026 tagged.
    tx.execute(
        "INSERT INTO campaign (id, name, year, created_at, updated_at) VALUES (1, '2026年专项整治', 2026, ?1, ?1)",
        [now],
    )?;
    for (i, a) in recoup::reports::records::AREAS_003.iter().enumerate() {
        tx.execute(
            "INSERT INTO campaign_area (id, campaign_id, name, seq) VALUES (?1, 1, ?2, ?1)",
            params![i as i64 + 1, a],
        )?;
    }
    tx.execute(
        "UPDATE case_file SET campaign_area_id = 1 + id % 12 WHERE filed_on >= '2026-01-01' AND id % 10 = 0",
        [],
    )?;
    tx.commit()?;
    conn.execute_batch("ANALYZE")?;
    println!(
        "  written: {n} cases, {institutions} institutions, {payment} payments, {receipt} receipts, {plan} offsets, {inspection} inspections"
    );
    Ok(1)
}

/// The median wall time of `runs` runs, in ms; the median CPU time of the same runs is kept in
/// [`LAST_CPU`] and printed next to it (on a busy machine the wall time grows with the others' load).
fn median_ms(runs: usize, mut f: impl FnMut() -> anyhow::Result<()>) -> anyhow::Result<f64> {
    let mut times = Vec::with_capacity(runs);
    let mut cpu = Vec::with_capacity(runs);
    for _ in 0..runs {
        let c = thread_cpu_ms();
        let t = Instant::now();
        f()?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        cpu.push(thread_cpu_ms() - c);
    }
    times.sort_by(|a, b| a.partial_cmp(b).expect("finite"));
    cpu.sort_by(|a, b| a.partial_cmp(b).expect("finite"));
    LAST_CPU.with(|c| c.set(cpu[runs / 2]));
    Ok(times[runs / 2])
}

thread_local! {
    static LAST_CPU: std::cell::Cell<f64> = const { std::cell::Cell::new(0.0) };
}

/// " (CPU 12.3 ms)": the CPU time of the last [`median_ms`].
fn cpu() -> String {
    format!(" (CPU {:.1} ms)", LAST_CPU.with(|c| c.get()))
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut n = 100_000u64;
    let mut institutions = 2_000u64;
    let mut dir = std::env::temp_dir();
    let mut keep = false;
    let mut reuse = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--institutions" => institutions = it.next().expect("a number").parse()?,
            "--dir" => dir = PathBuf::from(it.next().expect("a directory")),
            "--keep" => keep = true,
            "--reuse" => {
                reuse = true;
                keep = true;
            }
            other => n = other.parse()?,
        }
    }
    let path = dir.join(format!("report_bench_{n}.db"));
    let campaign_id = if reuse && path.exists() {
        // A kept database: migrations run on open (e.g. new indexes), nothing is rebuilt.
        println!("report_bench: {n} cases, kept database {}", path.display());
        drop(Core::open(&path)?);
        Some(1)
    } else {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        println!(
            "report_bench: {n} cases, {institutions} institutions → {}",
            path.display()
        );
        let t = Instant::now();
        let campaign_id = Some(build(&path, n, institutions)?);
        println!("  built in {:.1} s", t.elapsed().as_secs_f64());
        campaign_id
    };
    // The reads run on a plain connection: `Core::open` would first rebuild the case search index
    // for the cases written behind its back (see `store::search::ensure`), which is not what is
    // measured here. The functions are those the commands run.
    let conn = rusqlite::Connection::open(&path)?;
    let cal = WorkCalendar::builtin();
    let size = std::fs::metadata(&path)?.len() as f64 / 1024.0 / 1024.0;
    println!("  database: {size:.1} MB");
    let mut worst = 0.0f64;
    for month in 1..=11 {
        let q = MonthlyQuery { year: 2026, month };
        monthly(&conn, &cal, &q)?;
        let ms = median_ms(5, || Ok(monthly(&conn, &cal, &q).map(|_| ())?))?;
        worst = worst.max(ms);
        if month == 1 || month == 6 || month == 11 {
            let t = monthly(&conn, &cal, &q)?;
            let cells: Vec<&str> = t.cells.iter().map(|c| c.text.as_str()).collect();
            println!("  2026-{month:02}: {ms:7.1} ms  {}", cells.join(" "));
        }
    }
    // Each column's own query, to see where the time goes.
    let november = ("2026-01-01", "2026-11-30");
    for (column, _) in recoup::reports::monthly::columns() {
        let sql = format!(
            "SELECT COUNT(*) FROM (SELECT k, ref FROM ({}) GROUP BY k, ref)",
            members_sql(column, RecoveredBasis::Receipted)
        );
        let ms = median_ms(3, || {
            conn.query_row(&sql, params![november.0, november.1], |r| {
                r.get::<_, i64>(0)
            })?;
            Ok(())
        })?;
        println!("    {column:?}: {ms:.1} ms");
    }
    let drill_q = DrillQuery {
        year: 2026,
        month: 11,
        column: MonthlyColumn::Recovered,
        offset: Some(0),
        limit: Some(50),
    };
    let drill_ms = median_ms(5, || Ok(drill(&conn, &drill_q).map(|_| ())?))?;
    let export = MonthlyExport {
        year: 2026,
        month: 11,
        filled_on: None,
    };
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 2).expect("date");
    let xlsx = median_ms(5, || {
        Ok(monthly_xlsx(&conn, &cal, &export, today).map(|_| ())?)
    })?;
    let verdict = |ms: f64| if ms <= 100.0 { "met" } else { "NOT MET" };
    // ledger.reconcile of November (issue 13: ≤ 200 ms, work proportional to the month's records),
    // checked against the first, matter-by-matter implementation (same rows and mismatches).
    let rq = recoup::ledger::types::ReconcileQuery {
        month: Some("2026-11".parse()?),
    };
    let set_based = recoup::ledger::reconcile::reconcile(&conn, &rq)?;
    let ms = median_ms(5, || {
        Ok(recoup::ledger::reconcile::reconcile(&conn, &rq).map(|_| ())?)
    })?;
    println!(
        "  ledger.reconcile 2026-11 ({} rows, {} mismatches): {ms:.1} ms{} — target ≤ 200 ms: {}",
        set_based.rows.len(),
        set_based.mismatches.len(),
        cpu(),
        if ms <= 200.0 { "met" } else { "NOT MET" }
    );
    let t = Instant::now();
    let by_matter = recoup::ledger::reconcile_by_matter::reconcile_by_matter(&conn, &rq)?;
    println!(
        "    matter by matter (the reference): {:.1} ms — {}",
        t.elapsed().as_secs_f64() * 1000.0,
        if serde_json::to_value(&by_matter)? == serde_json::to_value(&set_based)? {
            "same answer"
        } else {
            "DIFFERENT ANSWER"
        }
    );
    println!(
        "  report.monthly, slowest month (median of 5): {worst:.1} ms — target ≤ 100 ms: {}",
        verdict(worst)
    );
    println!(
        "  report.monthly_drill, 追回 of November, first 50: {drill_ms:.1} ms — {}",
        verdict(drill_ms)
    );
    println!(
        "  report.monthly_xlsx, November: {xlsx:.1} ms — {}",
        verdict(xlsx)
    );
    if let Some(campaign) = campaign_id {
        let q = CampaignQuery {
            campaign_id: campaign,
            from: None,
            to: None,
        };
        let ms = median_ms(5, || Ok(figures(&conn, &q).map(|_| ())?))?;
        println!("  report.campaign, 12 areas: {ms:.1} ms — {}", verdict(ms));
        // The drill-down of the first area's 追回 (the widest member query), first 50.
        let area = conn.query_row(
            "SELECT id FROM campaign_area WHERE campaign_id = ?1 ORDER BY seq LIMIT 1",
            [campaign],
            |r| r.get::<_, i64>(0),
        )?;
        let d = CampaignDrill {
            query: q.clone(),
            figure: CampaignFigure::Recovered,
            area_id: Some(area),
            source: None,
            offset: None,
            limit: Some(50),
        };
        let ms = median_ms(5, || Ok(campaign_drill(&conn, &d).map(|_| ())?))?;
        println!(
            "  report.campaign_drill, 追回 of the first area, first 50: {ms:.1} ms — {}",
            verdict(ms)
        );
    }
    // The sheets (追回台账, 执法处理情况, 月度对账, 追回资金报送): each built, then a drill-down page of its
    // 合计 (the largest member query), median of five.
    let sheets = [
        (
            SheetKind::RecoveryLedger,
            Some("2026-01-01"),
            "2026-11-30",
            Some("all"),
        ),
        (
            SheetKind::RecoveryByInstitution,
            Some("2026-01-01"),
            "2026-11-30",
            Some("institutions"),
        ),
        (
            SheetKind::Enforcement,
            Some("2026-01-01"),
            "2026-12-31",
            Some("all:due"),
        ),
        (
            SheetKind::Reconciliation,
            None,
            "2026-11-30",
            Some("total:received"),
        ),
        (
            SheetKind::FundsToFinance,
            Some("2026-01-01"),
            "2026-11-30",
            Some("fund:all"),
        ),
    ];
    for (kind, from, to, key) in sheets {
        let q = SheetQuery {
            report: kind,
            from: from.map(|d| d.parse().expect("date")),
            to: to.parse()?,
        };
        let s = sheet(&conn, &q)?;
        let rows: usize = s.tables.iter().map(|t| t.rows.len()).sum();
        let ms = median_ms(5, || Ok(sheet(&conn, &q).map(|_| ())?))?;
        println!(
            "  report.sheet {kind:?} ({rows} rows): {ms:.1} ms{} — {}",
            cpu(),
            verdict(ms)
        );
        if let Some(key) = key {
            let d = SheetDrill {
                query: q.clone(),
                key: key.to_string(),
                offset: Some(0),
                limit: Some(50),
            };
            let ms = median_ms(5, || Ok(sheet_drill(&conn, &d).map(|_| ())?))?;
            println!(
                "    drill-down {key}, first 50: {ms:.1} ms{} — {}",
                cpu(),
                verdict(ms)
            );
        }
        if kind == SheetKind::RecoveryLedger {
            let ms = median_ms(3, || Ok(sheet_xlsx(&conn, &q).map(|_| ())?))?;
            println!("    XLSX: {ms:.1} ms{} — {}", cpu(), verdict(ms));
        }
    }
    // 追回台账's query read from the stored balances (0026) against the sub-query computation
    // it replaced (the reference, `LEDGER_COMPUTED`): the same rows, and the time of each.
    {
        use recoup::reports::recovery::{LEDGER, LEDGER_COMPUTED};
        let read = |sql: &str| -> anyhow::Result<Vec<(String, i64, i64, i64, i64, i64)>> {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT k, ref, due, paid, offs, rec FROM ({sql}) ORDER BY k, ref"
            ))?;
            let rows = stmt
                .query_map(params!["2026-01-01", "2026-11-30"], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        };
        let stored = read(LEDGER)?;
        let same = stored == read(LEDGER_COMPUTED)?;
        let ms_stored = median_ms(5, || read(LEDGER).map(|_| ()))?;
        let cpu_stored = cpu();
        let ms_computed = median_ms(5, || read(LEDGER_COMPUTED).map(|_| ()))?;
        println!(
            "  追回台账 query, {} matters: stored balances {ms_stored:.1} ms{cpu_stored}, computed (before 0026) {ms_computed:.1} ms{} — {}",
            stored.len(),
            cpu(),
            if same { "same rows" } else { "DIFFERENT ROWS" }
        );
    }
    println!("  peak RSS {:.0} MB", status_mb("VmHWM:"));
    drop(conn);
    if !keep {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
    Ok(())
}
