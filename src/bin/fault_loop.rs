//! Fault loop (issue 12; not a test): kill -9 a process while it writes, then check that nothing
//! acknowledged was lost and that the database is whole.
//!
//! `fault_loop [RUNS] [--dir DIR] [--fresh-every K]` (default 20 runs, a fresh office database every
//! 50 runs). Each run starts this same program as a writer on the database: it logs in and writes in
//! a loop through the API (`Core::call`, the path of every host) — registry records one by one;
//! every tenth write an import of 200 rows in one transaction; of the others, one in five an export
//! of the data bundle for the city, saved as the CLI saves it (`files::write_atomic`), and one in five
//! a backup with the office key (passphrase) — printing an acknowledgement line after each write
//! returned.
//! The driver kills it with SIGKILL after a random 60–400 ms, one run in five 1.5–3 s (the writer is
//! then inside a write most of the time), then opens the database as the next program would and checks: `PRAGMA
//! integrity_check` is "ok"; the full `audit verify` passes; every acknowledged record is there;
//! every import is all there or not at all; every acknowledged export is recorded and every bundle
//! file on the "stick" (acknowledged or not) is whole: the city imports it and its acknowledgement
//! goes back to the county, as a clerk would carry it; every backup file is whole (integrity, audit
//! chain) and every acknowledged backup has its key, which opens with the passphrase. It prints the
//! figures and exits non-zero when any check failed. `scripts/fault_loop.sh N` runs it; CI runs 20,
//! the long run is ≥ 1,000.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use recoup::api::Core;
use serde_json::json;

const PASSWORD: &str = "fault-loop-1";
const IMPORT_ROWS: usize = 200;
const COUNTY: &str = "220102";
const CITY: &str = "220100";
const BACKUP_PASSPHRASE: &str = "备份口令-fault-loop";

/// Where a run keeps what is not the county's database: the city's, the bundle files carried to it
/// (the "USB stick") and the backups.
fn city_db(dir: &Path) -> PathBuf {
    dir.join("city").join("city.db")
}
fn stick(dir: &Path) -> PathBuf {
    dir.join("stick")
}
fn backups(dir: &Path) -> PathBuf {
    dir.join("backups")
}

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

/// A fresh county office, and a fresh city it is paired with (each with its own key), as set up at
/// the first start.
fn new_office(db: &Path) {
    let dir = db.parent().unwrap();
    for path in [db.to_path_buf(), city_db(dir)] {
        for suffix in ["", "-wal", "-shm", ".head"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        let _ = std::fs::remove_file(recoup::exchange::keys::key_path(&path));
    }
    for d in [stick(dir), backups(dir)] {
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
    }
    std::fs::create_dir_all(city_db(dir).parent().unwrap()).unwrap();
    let county = init(db, COUNTY, "长春市南关区医疗保障局", "county");
    let city = init(&city_db(dir), CITY, "长春市医疗保障局", "city");
    let pairing = city
        .call("exchange.pairing_file", json!({}))
        .expect("pairing file");
    county
        .call("exchange.pair", json!({"data": pairing["data"]}))
        .expect("pair");
    let slip = county
        .call("exchange.registration", json!({}))
        .expect("registration slip");
    let slip = String::from_utf8(b64_decode(&slip["data"])).unwrap();
    let key = slip
        .lines()
        .find_map(|l| l.strip_prefix("签名公钥："))
        .expect("the slip's public key")
        .to_string();
    city.call(
        "exchange.register",
        json!({"code": COUNTY, "name": "南关区", "public_key": key}),
    )
    .expect("register the county");
}

fn init(db: &Path, code: &str, name: &str, level: &str) -> Core {
    let c = Core::open(db).expect("open");
    c.call(
        "office.init",
        json!({"code": code, "name": name, "level": level,
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
    c
}

/// Open an office database logged in, as its next program would.
fn logged_in(db: &Path) -> Result<Core, recoup::ApiError> {
    let c = Core::open(db)?;
    c.login("admin", &format!("{PASSWORD}x"))?;
    Ok(c)
}

fn b64_decode(v: &serde_json::Value) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(v.as_str().unwrap_or(""))
        .expect("base64")
}

fn b64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
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
    acked_exports: usize,
    acked_backups: usize,
    /// Bundle files the city imported (each whole, in order), and acknowledgements carried back.
    bundles_imported: usize,
    /// Acknowledged exports the county has no record of, or whose file is not on the stick.
    exports_lost: usize,
    /// Bundle or backup files under their own name that are not whole.
    broken_files: usize,
    /// Acknowledged backups whose key file is missing or does not open with the passphrase.
    backups_without_key: usize,
    /// Temporary files a killed export or backup left beside the files (never under their names).
    temporary_left: usize,
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
        acked_exports: 0,
        acked_backups: 0,
        bundles_imported: 0,
        exports_lost: 0,
        broken_files: 0,
        backups_without_key: 0,
        temporary_left: 0,
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
        // Wait for the writer to be logged in and writing, then a random 60–400 ms; one run in five
        // 1.5–3 s, long enough for a backup with the key (its passphrase is stretched with scrypt)
        // to finish now and then.
        let wait = if run % 5 == 4 {
            1500 + random(&mut seed) % 1500
        } else {
            60 + random(&mut seed) % 340
        };
        std::thread::sleep(Duration::from_millis(wait));
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
        let (mut exports, mut saved_backups) = (Vec::new(), Vec::new());
        for l in lines {
            let mut parts = l.split_whitespace();
            match (parts.next(), parts.next()) {
                (Some("record"), Some(code)) => acked.push(code.to_string()),
                (Some("export"), Some(name)) => exports.push(name.to_string()),
                (Some("backup"), Some(path)) => saved_backups.push(PathBuf::from(path)),
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
        let c = match logged_in(&db) {
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
        f.acked_exports += exports.len();
        f.acked_backups += saved_backups.len();
        check_exports(&c, dir, run, &exports, &mut f);
        check_backups(dir, run, &saved_backups, &mut f);
        let _ = std::io::stderr().flush();
        if (run + 1) % 50 == 0 {
            eprintln!("{} runs, {:.0} s", run + 1, started.elapsed().as_secs_f64());
        }
    }
    f.acked_records = total_records + acked.len();
    f.acked_imports = total_imports + imports.iter().filter(|(_, d)| *d).count();
    let failures = f.lost
        + f.partial_imports
        + f.integrity_failures
        + f.verify_failures
        + f.open_failures
        + f.exports_lost
        + f.broken_files
        + f.backups_without_key;
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
    println!("  acknowledged exports         {}", f.acked_exports);
    println!("  acknowledged backups         {}", f.acked_backups);
    println!("  bundles imported at the city {}", f.bundles_imported);
    println!("  temporary files left         {}", f.temporary_left);
    println!("  audit entries (last check)   {}", f.audit_entries);
    println!("  lost acknowledged writes     {}", f.lost);
    println!("  partial imports              {}", f.partial_imports);
    println!("  integrity_check failures     {}", f.integrity_failures);
    println!("  audit verify failures        {}", f.verify_failures);
    println!("  databases that did not open  {}", f.open_failures);
    println!("  lost acknowledged exports    {}", f.exports_lost);
    println!("  broken bundle/backup files   {}", f.broken_files);
    println!("  backups without their key    {}", f.backups_without_key);
    if failures == 0 {
        println!("  result: OK");
        0
    } else {
        println!("  result: {failures} FAILURES");
        1
    }
}

/// Files whose names say they are temporary (a killed write's leftovers): counted and cleared.
fn clear_temporary(dir: &Path, f: &mut Figures) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.ends_with(".tmp") || name.ends_with(".db-partial") {
            f.temporary_left += 1;
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Every acknowledged export is recorded and on the stick; every bundle on the stick is whole: the
/// city imports them in order, and its acknowledgement is carried back to the county.
fn check_exports(county: &Core, dir: &Path, run: usize, acked: &[String], f: &mut Figures) {
    for name in acked {
        let recorded: i64 = county
            .store()
            .read(|c| {
                Ok(c.query_row(
                    "SELECT COUNT(*) FROM exchange_export WHERE file_name = ?1",
                    [name],
                    |r| r.get(0),
                )?)
            })
            .unwrap_or(0);
        if recorded == 0 || !stick(dir).join(name).is_file() {
            eprintln!("run {run}: acknowledged export {name} is not recorded or not on the stick");
            f.exports_lost += 1;
        }
    }
    clear_temporary(&stick(dir), f);
    let mut files: Vec<PathBuf> = std::fs::read_dir(stick(dir))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "recoup"))
        .collect();
    if files.is_empty() {
        return;
    }
    files.sort();
    let city = match logged_in(&city_db(dir)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!(
                "run {run}: the city's database does not open: {}",
                e.message
            );
            f.open_failures += 1;
            return;
        }
    };
    for file in files {
        let bytes = std::fs::read(&file).unwrap_or_default();
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        match city.call(
            "exchange.import",
            json!({"data": b64_encode(&bytes), "file_name": name}),
        ) {
            Ok(_) => f.bundles_imported += 1,
            Err(e) => {
                eprintln!("run {run}: the city refused {name}: {}", e.message);
                f.broken_files += 1;
            }
        }
        let _ = std::fs::remove_file(&file);
    }
    let carried = city
        .call("exchange.ack", json!({"code": COUNTY}))
        .and_then(|ack| county.call("exchange.import", json!({"data": ack["data"]})));
    if let Err(e) = carried {
        eprintln!(
            "run {run}: the acknowledgement did not go back: {}",
            e.message
        );
        f.broken_files += 1;
    }
}

/// Every backup file under its name is whole (integrity, full audit chain); every acknowledged one
/// has its key, which opens with the passphrase. Checked backups are removed (the folder stays small).
fn check_backups(dir: &Path, run: usize, acked: &[PathBuf], f: &mut Figures) {
    for path in acked {
        let key = std::fs::read(recoup::store::backup::key_path(path));
        let opens = key.map(|k| {
            recoup::exchange::keys::KeyStore::open_encrypted(&k, BACKUP_PASSPHRASE).is_ok()
        });
        if !path.is_file() || !matches!(opens, Ok(true)) {
            eprintln!(
                "run {run}: acknowledged backup {} or its key is missing or does not open",
                path.display()
            );
            f.backups_without_key += 1;
        }
    }
    clear_temporary(&backups(dir), f);
    for e in std::fs::read_dir(backups(dir))
        .into_iter()
        .flatten()
        .flatten()
    {
        let path = e.path();
        if path.extension().is_some_and(|x| x == "db") {
            let whole = rusqlite::Connection::open_with_flags(
                &path,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
            )
            .ok()
            .and_then(|c| {
                let integrity: String = c
                    .query_row("PRAGMA integrity_check", [], |r| r.get(0))
                    .ok()?;
                let report = recoup::store::audit::verify(&c, true).ok()?;
                Some(integrity == "ok" && report.ok)
            });
            if whole != Some(true) {
                eprintln!("run {run}: backup {} is not whole", path.display());
                f.broken_files += 1;
            }
        }
    }
    for e in std::fs::read_dir(backups(dir))
        .into_iter()
        .flatten()
        .flatten()
    {
        let _ = std::fs::remove_file(e.path());
    }
}

/// The writer: logs in, then writes until killed, acknowledging each write after it returned.
fn writer(db: &Path, tag: &str) {
    let c = logged_in(db).expect("login");
    let dir = db.parent().unwrap();
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
            writeln!(out, "import-start {import}").unwrap();
            out.flush().unwrap();
            let r = c.call(
                "institution.import",
                json!({"file_name": "机构.csv", "content_base64": b64_encode(csv.as_bytes())}),
            );
            match r {
                Ok(v) if v["created"] == IMPORT_ROWS => writeln!(out, "import {import}").unwrap(),
                Ok(v) => panic!("import {import}: {v}"),
                Err(e) => panic!("import {import}: {}", e.message),
            }
        } else if i % 5 == 1 {
            // 导出到U盘: the bundle, saved whole on the stick as the CLI saves it.
            let f = c
                .call("exchange.export", json!({}))
                .unwrap_or_else(|e| panic!("export: {}", e.message));
            let name = f["file_name"].as_str().expect("file name").to_string();
            recoup::files::write_atomic(&stick(dir).join(&name), &b64_decode(&f["data"]), false)
                .expect("save the bundle");
            writeln!(out, "export {name}").unwrap();
        } else if i % 5 == 3 {
            let path = backups(dir).join(format!("b-{tag}-{i}.db"));
            c.call(
                "backup.create",
                json!({"path": path.display().to_string(), "passphrase": BACKUP_PASSPHRASE}),
            )
            .unwrap_or_else(|e| panic!("backup: {}", e.message));
            writeln!(out, "backup {}", path.display()).unwrap();
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
