//! Exchange benchmark (issue 11; not a test): export and import of N audit entries.
//!
//! `exchange_bench [N] [--dir DIR]` sets up a county and its city (database files in DIR, a
//! temporary folder by default), pairs them, then writes N audit entries at the county through the
//! one write path (`Store::write`: one insured person per entry, so every entry is masked on the
//! way up; `synchronous=OFF` while building, as only the exchange is measured). It then times
//! `exchange.export` at the county, `exchange.preview` and `exchange.import` at the city (a single
//! transaction), the acknowledgement back at the county, a replay of the same bundle (nothing
//! to apply), the first and the next read of the county's replica at the city (`county.read`: the
//! first replays every entry into the replica), and the recovery of a county restored from a copy
//! taken before the entries were written (`exchange.recovery` at the city; its preview and import at
//! the county: every masked original opened, every hash recomputed, the entries put back), and
//! prints the bundle size per 1,000 entries.
//!
//! Example: `cargo run --bin exchange_bench -- 100000` (debug build, dependencies at opt-level 1).

use std::time::Instant;

use base64::Engine as _;
use recoup::api::Core;
use rusqlite::params;
use serde_json::{json, Value};

const PASSWORD: &str = "bench1pass";

fn call(c: &Core, cmd: &str, payload: Value) -> Value {
    c.call(cmd, payload)
        .unwrap_or_else(|e| panic!("{cmd}: {}", e.message))
}

fn office(path: &std::path::Path, code: &str, name: &str, level: &str) -> Core {
    let c = Core::open(path).expect("open");
    call(
        &c,
        "office.init",
        json!({"code": code, "name": name, "level": level,
               "admin": {"username": "admin", "display_name": "管理员", "password": PASSWORD, "roles": ["Admin"]}}),
    );
    c.login("admin", PASSWORD).expect("login");
    c
}

/// A valid 公民身份号码 from a running number.
fn id_number(n: usize) -> String {
    let first17 = format!("2201021980{:07}", n);
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17
        .chars()
        .zip(W)
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum();
    format!(
        "{first17}{}",
        ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'][(sum % 11) as usize]
    )
}

fn main() {
    let mut n: usize = 100_000;
    let mut dir: Option<std::path::PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--dir" => dir = args.next().map(Into::into),
            x => n = x.parse().expect("N"),
        }
    }
    let dir = dir.unwrap_or_else(|| {
        std::env::temp_dir().join(format!("recoup-exchange-bench-{}", std::process::id()))
    });
    std::fs::create_dir_all(&dir).expect("dir");
    let _ = std::fs::remove_file(dir.join("county.db"));
    let _ = std::fs::remove_file(dir.join("city.db"));
    let county = office(
        &dir.join("county.db"),
        "220102",
        "长春市南关区医疗保障局",
        "county",
    );
    let city = office(&dir.join("city.db"), "220100", "长春市医疗保障局", "city");
    let pairing = call(&city, "exchange.pairing_file", json!({}));
    call(&county, "exchange.pair", json!({"data": pairing["data"]}));
    let fp = call(&county, "exchange.status", json!({}))["fingerprint"].clone();
    call(
        &city,
        "exchange.register",
        json!({"code": "220102", "name": "南关区", "fingerprint": fp}),
    );

    // The county as a backup taken now would keep it (database and key file): restored later.
    let early = dir.join("county-early.db");
    let _ = std::fs::remove_file(&early);
    county
        .store()
        .read(|c| Ok(c.execute("VACUUM INTO ?1", [early.to_str().unwrap()])?))
        .unwrap();
    std::fs::copy(dir.join("county.key"), early.with_extension("key")).expect("key copy");

    let t = Instant::now();
    let store = county.store();
    store
        .read(|c| Ok(c.pragma_update(None, "synchronous", "OFF")?))
        .unwrap();
    for i in 0..n {
        store
            .write("admin", "insured.create", |tx| {
                tx.execute(
                    "INSERT INTO insured (uid, id_number, name, scheme, phone, address, updated_at) VALUES (?1, ?2, ?3, 'Resident', ?4, ?5, '2026-12-01T09:00:00+08:00')",
                    params![
                        format!("220102-P{i}"),
                        id_number(i),
                        format!("参保人{i}"),
                        format!("138{:08}", i),
                        format!("长春市南关区某街道{}号", i % 500)
                    ],
                )?;
                let id = tx.last_insert_rowid();
                tx.touch("insured", id);
                Ok(())
            })
            .unwrap();
        if i % 10_000 == 9_999 {
            eprint!("\r已写入 {}/{n}", i + 1);
        }
    }
    eprintln!();
    store
        .read(|c| Ok(c.pragma_update(None, "synchronous", "FULL")?))
        .unwrap();
    let entries = store.read(recoup::store::audit::head).unwrap().0;
    println!(
        "county: {entries} audit entries written in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let f = call(&county, "exchange.export", json!({}));
    let export_s = t.elapsed().as_secs_f64();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(f["data"].as_str().unwrap())
        .unwrap();
    let payload = json!({"data": f["data"]});

    let t = Instant::now();
    let p = call(&city, "exchange.preview", payload.clone());
    let preview_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let r = call(&city, "exchange.import", payload.clone());
    let import_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let again = call(&city, "exchange.import", payload);
    let replay_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    call(
        &county,
        "exchange.import",
        json!({"data": r["ack"]["data"]}),
    );
    let ack_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let read = json!({"code": "220102", "command": "institution.list", "payload": {}});
    call(&city, "county.read", read.clone());
    let replica_first_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    call(&city, "county.read", read);
    let replica_next_s = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let recovery = call(&city, "exchange.recovery", json!({"code": "220102"}));
    let recovery_file_s = t.elapsed().as_secs_f64();
    let restored = Core::open(&early).expect("open the early copy");
    restored.login("admin", PASSWORD).expect("login");
    let recovery_payload = json!({"data": recovery["data"]});
    let t = Instant::now();
    let rp = call(&restored, "exchange.preview", recovery_payload.clone());
    let recovery_preview_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let rr = call(&restored, "exchange.import", recovery_payload);
    let recovery_import_s = t.elapsed().as_secs_f64();
    let recovered = rr["applied"].as_i64().unwrap_or(0);
    assert_eq!(rp["new_entries"].as_i64(), Some(recovered));
    assert_eq!(
        restored.store().read(recoup::store::audit::head).unwrap(),
        store.read(recoup::store::audit::head).unwrap(),
        "the restored county has the log back"
    );
    drop(restored);

    assert_eq!(p["new_entries"].as_i64(), Some(entries));
    assert_eq!(r["applied"].as_i64(), Some(entries));
    assert_eq!(again["applied"].as_i64(), Some(0));
    let city_db = std::fs::metadata(dir.join("city.db"))
        .map(|m| m.len())
        .unwrap_or(0)
        + std::fs::metadata(dir.join("city.db-wal"))
            .map(|m| m.len())
            .unwrap_or(0);

    println!(
        "bundle {}: {} bytes, {:.1} KB per 1,000 entries",
        f["file_name"].as_str().unwrap(),
        bytes.len(),
        bytes.len() as f64 / entries as f64
    );
    println!("export (county, read + mask + sign + zstd + age): {export_s:.2} s");
    println!("preview (city, decrypt + verify + chain, nothing written): {preview_s:.2} s");
    println!(
        "import (city, one transaction): {import_s:.2} s ({:.0} entries/s)",
        entries as f64 / import_s
    );
    println!("replay of the same bundle (nothing applied): {replay_s:.2} s");
    println!("acknowledgement at the county: {:.3} s", ack_s);
    println!("city, first read of the county's replica (replays every entry): {replica_first_s:.2} s; next read: {replica_next_s:.3} s");
    println!(
        "recovery of {recovered} entries: file at the city {recovery_file_s:.2} s ({:.1} MB), preview at the county {recovery_preview_s:.2} s, import {recovery_import_s:.2} s",
        recovery["bytes"].as_f64().unwrap_or(0.0) / 1e6
    );
    println!("city database after import: {:.1} MB", city_db as f64 / 1e6);
    drop((county, city));
    for f in ["county", "city", "county-early"] {
        for ext in ["db", "db-wal", "db-shm", "key"] {
            let _ = std::fs::remove_file(dir.join(format!("{f}.{ext}")));
        }
    }
    let _ = std::fs::remove_dir(&dir);
}
