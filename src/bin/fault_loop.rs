//! Fault loop (issue 12; not a test): kill -9 a process while it writes, then check that nothing
//! acknowledged was lost and that the database is whole.
//!
//! `fault_loop [RUNS] [--dir DIR] [--fresh-every K]` (default 20 runs, a fresh office database every
//! 50 runs). Each run starts this same program as a writer on the database: it logs in and writes in
//! a loop through the API (`Core::call`, the path of every host) — registry records one by one and,
//! every tenth write, an import of 200 rows in one transaction — printing an acknowledgement line
//! after each write returned. The driver kills it with SIGKILL after a random 60–400 ms (the writer
//! is then inside a write most of the time), then opens the database as the next program would and
//! checks: `PRAGMA integrity_check` is "ok"; the full `audit verify` passes; every acknowledged
//! record is there; every import is all there or not at all. It prints the figures and exits non-zero
//! when any check failed. `scripts/fault_loop.sh N` runs it; CI runs 20, the long run is ≥ 1,000.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use recoup::api::Core;
use serde_json::json;

const PASSWORD: &str = "fault-loop-1";
const IMPORT_ROWS: usize = 200;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--writer") {
        writer(Path::new(&args[1]), &args[2]);
        return;
    }
    let mut runs = 20usize;
    let mut dir: Option<PathBuf> = None;
    let mut fresh_every = 50usize;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--dir" => dir = it.next().map(PathBuf::from),
            "--fresh-every" => fresh_every = it.next().and_then(|v| v.parse().ok()).unwrap_or(50),
            n => runs = n.parse().unwrap_or_else(|_| panic!("unknown argument {n}")),
        }
    }
    let own = dir.is_none();
    let dir = dir.unwrap_or_else(|| {
        std::env::temp_dir().join(format!("recoup-fault-loop-{}", std::process::id()))
    });
    std::fs::create_dir_all(&dir).unwrap();
    let code = drive(&dir, runs, fresh_every.max(1));
    if own {
        let _ = std::fs::remove_dir_all(&dir);
    }
    std::process::exit(code);
}

fn new_office(db: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let c = Core::open(db).expect("open");
    c.call(
        "office.init",
        json!({"code": "220102", "name": "长春市南关区医疗保障局", "level": "county",
               "admin": {"username": "admin", "display_name": "管理员", "password": PASSWORD,
                         "roles": ["Admin", "Handler"], "cert_no": "执法证00001",
                         "cert_expires": "2099-12-31"}}),
    )
    .expect("office.init");
    c.login("admin", PASSWORD).expect("login");
    // The first login must change the password set at set-up.
    c.call(
        "user.change_password",
        json!({"old_password": PASSWORD, "new_password": format!("{PASSWORD}x")}),
    )
    .expect("change password");
}

/// A little random (xorshift over the clock): the kill delay.
fn random(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

struct Figures {
    runs: usize,
    killed_while_running: usize,
    /// Runs whose writer had acknowledged at least one write before the kill (so it was killed
    /// inside or between writes, not while starting).
    killed_after_first_write: usize,
    acked_records: usize,
    acked_imports: usize,
    lost: usize,
    partial_imports: usize,
    integrity_failures: usize,
    verify_failures: usize,
    open_failures: usize,
    audit_entries: i64,
}

fn drive(dir: &Path, runs: usize, fresh_every: usize) -> i32 {
    let exe = std::env::current_exe().expect("own path");
    let db = dir.join("fault.db");
    let mut f = Figures {
        runs: 0,
        killed_while_running: 0,
        killed_after_first_write: 0,
        acked_records: 0,
        acked_imports: 0,
        lost: 0,
        partial_imports: 0,
        integrity_failures: 0,
        verify_failures: 0,
        open_failures: 0,
        audit_entries: 0,
    };
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    let started = Instant::now();
    let mut acked: Vec<String> = Vec::new();
    let mut imports: Vec<(String, bool)> = Vec::new();
    let (mut total_records, mut total_imports) = (0usize, 0usize);
    for run in 0..runs {
        if run % fresh_every == 0 {
            new_office(&db);
            total_records += acked.len();
            total_imports += imports.iter().filter(|(_, d)| *d).count();
            acked.clear();
            imports.clear();
        }
        let mut child = Command::new(&exe)
            .arg("--writer")
            .arg(&db)
            .arg(format!("R{run}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the writer");
        let out = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            BufReader::new(out)
                .lines()
                .map_while(|l| l.ok())
                .collect::<Vec<String>>()
        });
        // Wait for the writer to be logged in and writing, then a random 60–400 ms.
        std::thread::sleep(Duration::from_millis(60 + random(&mut seed) % 340));
        if child.try_wait().ok().flatten().is_none() {
            f.killed_while_running += 1;
        }
        let _ = child.kill(); // SIGKILL on Unix
        let _ = child.wait();
        let lines = reader.join().unwrap_or_default();
        if lines
            .iter()
            .any(|l| l.starts_with("record ") || l.starts_with("import "))
        {
            f.killed_after_first_write += 1;
        }
        let mut started_imports = Vec::new();
        for l in lines {
            let mut parts = l.split_whitespace();
            match (parts.next(), parts.next()) {
                (Some("record"), Some(code)) => acked.push(code.to_string()),
                (Some("import-start"), Some(tag)) => started_imports.push(tag.to_string()),
                (Some("import"), Some(tag)) => imports.push((tag.to_string(), true)),
                _ => {}
            }
        }
        for tag in started_imports {
            if !imports.iter().any(|(t, _)| *t == tag) {
                imports.push((tag, false));
            }
        }
        f.runs += 1;
        // Open as the next program would, and check.
        let c = match Core::open(&db) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("run {run}: the database does not open: {}", e.message);
                f.open_failures += 1;
                continue;
            }
        };
        let check: Result<
            (String, recoup::store::audit::AuditReport, Vec<String>),
            recoup::ApiError,
        > = c.store().read(|conn| {
            let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
            let report = recoup::store::audit::verify(conn, true)?;
            let mut stmt = conn.prepare("SELECT code FROM institution")?;
            let codes = stmt
                .query_map([], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok((integrity, report, codes))
        });
        let (integrity, report, codes) = match check {
            Ok(x) => x,
            Err(e) => {
                eprintln!("run {run}: the checks could not run: {}", e.message);
                f.open_failures += 1;
                continue;
            }
        };
        if integrity != "ok" {
            eprintln!("run {run}: integrity_check: {integrity}");
            f.integrity_failures += 1;
        }
        if !report.ok {
            eprintln!("run {run}: audit verify: {:?}", report.first_broken);
            f.verify_failures += 1;
        }
        f.audit_entries = report.entries;
        let present: std::collections::HashSet<&str> = codes.iter().map(String::as_str).collect();
        for code in &acked {
            if !present.contains(code.as_str()) {
                eprintln!("run {run}: acknowledged {code} is missing");
                f.lost += 1;
            }
        }
        for (tag, done) in &imports {
            let prefix = format!("I{tag}R");
            let n = codes.iter().filter(|c| c.starts_with(&prefix)).count();
            let whole = n == 0 || n == IMPORT_ROWS;
            if !whole || (*done && n != IMPORT_ROWS) {
                eprintln!(
                    "run {run}: import {tag} has {n} of {IMPORT_ROWS} rows (acknowledged: {done})"
                );
                f.partial_imports += 1;
            }
        }
        let _ = std::io::stderr().flush();
        if (run + 1) % 50 == 0 {
            eprintln!("{} runs, {:.0} s", run + 1, started.elapsed().as_secs_f64());
        }
    }
    f.acked_records = total_records + acked.len();
    f.acked_imports = total_imports + imports.iter().filter(|(_, d)| *d).count();
    let failures =
        f.lost + f.partial_imports + f.integrity_failures + f.verify_failures + f.open_failures;
    println!(
        "fault loop: {} runs in {:.1} s",
        f.runs,
        started.elapsed().as_secs_f64()
    );
    println!("  killed while running         {}", f.killed_while_running);
    println!(
        "  killed after a first write   {}",
        f.killed_after_first_write
    );
    println!("  acknowledged records         {}", f.acked_records);
    println!("  acknowledged imports         {}", f.acked_imports);
    println!("  audit entries (last check)   {}", f.audit_entries);
    println!("  lost acknowledged writes     {}", f.lost);
    println!("  partial imports              {}", f.partial_imports);
    println!("  integrity_check failures     {}", f.integrity_failures);
    println!("  audit verify failures        {}", f.verify_failures);
    println!("  databases that did not open  {}", f.open_failures);
    if failures == 0 {
        println!("  result: OK");
        0
    } else {
        println!("  result: {failures} FAILURES");
        1
    }
}

/// The writer: logs in, then writes until killed, acknowledging each write after it returned.
fn writer(db: &Path, tag: &str) {
    let c = Core::open(db).expect("open");
    c.login("admin", &format!("{PASSWORD}x")).expect("login");
    let mut out = std::io::stdout().lock();
    for i in 0.. {
        if i % 10 == 9 {
            let import = format!("{tag}X{i}");
            let mut csv = String::from(
                "机构编码,机构名称,机构类别,统一社会信用代码,地址,法定代表人,联系电话,协议状态\n",
            );
            for r in 0..IMPORT_ROWS {
                csv.push_str(&format!(
                    "I{import}R{r},导入机构{r},医院,91350100M000100Y43,人民大街{r}号,王五,0431-88888888,正常\n"
                ));
            }
            use base64::Engine;
            let b64 = base64::engine::general_purpose::STANDARD.encode(csv.as_bytes());
            writeln!(out, "import-start {import}").unwrap();
            out.flush().unwrap();
            let r = c.call(
                "institution.import",
                json!({"file_name": "机构.csv", "content_base64": b64}),
            );
            match r {
                Ok(v) if v["created"] == IMPORT_ROWS => writeln!(out, "import {import}").unwrap(),
                Ok(v) => panic!("import {import}: {v}"),
                Err(e) => panic!("import {import}: {}", e.message),
            }
        } else {
            let code = format!("F{tag}N{i}");
            c.call(
                "institution.create",
                json!({"code": code, "name": format!("故障测试机构{i}"), "kind": "MedicalInstitution",
                       "credit_code": "91350100M000100Y43", "address": "人民大街1号", "legal_rep": "王五",
                       "contact": "0431-88888888", "agreement_status": "Active"}),
            )
            .unwrap_or_else(|e| panic!("{code}: {}", e.message));
            writeln!(out, "record {code}").unwrap();
        }
        out.flush().unwrap();
    }
}
