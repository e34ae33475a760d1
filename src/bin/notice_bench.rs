//! Notice benchmark and sample renderer (not a test).
//!
//! `notice_bench samples DIR` writes one PDF per document kind into DIR.
//! `notice_bench bench [N] [OUT.pdf]` prints warm time per notice (wall and CPU), PDF size and peak
//! memory for one typical two-page notice (责令退款通知书) and for a batch of N (default 1000) of
//! the same notice with different numbers. The Typst peer: `python3 benches/typst_notice.py N`.
//! `notice_bench compare [N] [ROUNDS]` runs both, alternately, each in a fresh process (so that
//! every round has a cold first notice), ROUNDS times (default 3), and prints the medians of both
//! sides, the ratios Recoup / Typst and whether each target of issue 13 is met.

mod bench_common;
use bench_common::status_mb;

use std::time::Instant;

use recoup::docs::{self, samples, Document, RenderOptions};

fn peak_rss_mb() -> f64 {
    status_mb("VmHWM:")
}

/// Resident memory now (after the fonts were cut, the full faces are dropped).
fn rss_mb() -> f64 {
    status_mb("VmRSS:")
}

/// CPU seconds used by this process (user + system), from /proc (Linux); 0 elsewhere.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
        return 0.0;
    };
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11).and_then(|s| s.parse::<f64>().ok()).unwrap_or(0.0)
        + f.get(12).and_then(|s| s.parse::<f64>().ok()).unwrap_or(0.0);
    ticks / 100.0
}

/// One process's figures, as printed on its `RESULT` line (`key=value` pairs).
type Figures = std::collections::BTreeMap<String, f64>;

fn parse_result(out: &str, who: &str) -> Figures {
    let line = out
        .lines()
        .find(|l| l.starts_with("RESULT "))
        .unwrap_or_else(|| panic!("{who}: no RESULT line in its output:\n{out}"));
    line.split_whitespace()
        .skip(1)
        .filter_map(|kv| {
            let (k, v) = kv.split_once('=')?;
            Some((k.to_string(), v.parse().ok()?))
        })
        .collect()
}

fn run(cmd: &mut std::process::Command, who: &str) -> Figures {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{who}: cannot start: {e}"));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{who} failed: {}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    for l in text.lines().filter(|l| !l.starts_with("RESULT ")) {
        println!("  {l}");
    }
    parse_result(&text, who)
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Both benchmarks alternately, in fresh processes; medians, ratios and the targets of issue 13.
fn compare(n: usize, rounds: usize) {
    let me = std::env::current_exe().expect("own path");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/typst_notice.py");
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    println!("load average before: {}", loadavg());
    let (mut rs, mut ts) = (Vec::new(), Vec::new());
    for round in 1..=rounds {
        println!("round {round}/{rounds} (load {})", loadavg());
        rs.push(run(
            std::process::Command::new(&me).args(["bench", &n.to_string()]),
            "recoup",
        ));
        ts.push(run(
            std::process::Command::new(&python).args([script, &n.to_string()]),
            "typst",
        ));
    }
    println!("load average after: {}", loadavg());
    let med = |all: &[Figures], key: &str| -> f64 {
        let mut v: Vec<f64> = all
            .iter()
            .map(|f| *f.get(key).unwrap_or_else(|| panic!("{key} missing")))
            .collect();
        median(&mut v)
    };
    println!("\nmedians of {rounds} rounds, Recoup against Typst (Python package), batch of {n}:");
    println!(
        "{:<44} {:>12} {:>12} {:>8}  target",
        "", "Recoup", "Typst", "ratio"
    );
    // (label, Recoup key, Typst key, unit, lower is better → target "≤ Typst"/"ahead")
    let rows: [(&str, &str, &str, &str, &str); 8] = [
        (
            "single notice, warm (ms)",
            "warm_ms",
            "warm_ms",
            "ms",
            "≤ Typst",
        ),
        (
            "  Recoup warm, new body glyphs each notice (ms)",
            "warm_new_glyphs_ms",
            "warm_ms",
            "ms",
            "info",
        ),
        (
            "single notice, cold (ms, first in process)",
            "cold_ms",
            "cold_ms",
            "ms",
            "≤ Typst",
        ),
        (
            "  Typst cold incl. font search (ms)",
            "cold_ms",
            "cold_with_fonts_ms",
            "ms",
            "info",
        ),
        (
            "PDF size, two pages (KB)",
            "size_kb",
            "size_kb",
            "KB",
            "≤ Typst",
        ),
        ("batch of N (s)", "batch_s", "batch_s", "s", "ahead"),
        (
            "peak memory after the single notice (MB)",
            "peak_single_mb",
            "peak_single_mb",
            "MB",
            "info",
        ),
        (
            "peak memory after the batch (MB)",
            "peak_batch_mb",
            "peak_batch_mb",
            "MB",
            "ahead",
        ),
    ];
    let mut all_met = true;
    for (label, rk, tk, _unit, target) in rows {
        let (r, t) = (med(&rs, rk), med(&ts, tk));
        let ratio = r / t;
        let verdict = match target {
            "≤ Typst" if r <= t => "≤ Typst: met",
            "≤ Typst" => "≤ Typst: NOT met",
            "ahead" if r < t => "ahead: met",
            "ahead" => "ahead: NOT met",
            _ => "",
        };
        if verdict.ends_with("NOT met") {
            all_met = false;
        }
        println!("{label:<44} {r:>12.2} {t:>12.2} {ratio:>8.2}  {verdict}");
    }
    println!(
        "Recoup CPU per warm notice: {:.2} ms ({:.2} ms with new body glyphs); every round (warm ms) Recoup {:?}, Typst {:?}",
        med(&rs, "warm_cpu_ms"),
        med(&rs, "warm_new_glyphs_cpu_ms"),
        rs.iter().map(|f| f["warm_ms"]).collect::<Vec<_>>(),
        ts.iter().map(|f| f["warm_ms"]).collect::<Vec<_>>()
    );
    println!(
        "{}",
        if all_met {
            "all targets met"
        } else {
            "some targets NOT met"
        }
    );
}

fn notice(n: usize) -> Document {
    let mut d = samples::refund_order();
    d.document_number = format!("某医保责退〔2026〕{n}号");
    Document::RefundOrder(d)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let opts = RenderOptions::default();
    match args.get(1).map(String::as_str) {
        Some("samples") => {
            let dir = std::path::PathBuf::from(args.get(2).map(String::as_str).unwrap_or("."));
            std::fs::create_dir_all(&dir).unwrap();
            for doc in samples::all() {
                let name = format!("{:?}", doc.kind());
                let out =
                    docs::render(&doc, &opts).unwrap_or_else(|e| panic!("{name}: {}", e.message));
                std::fs::write(dir.join(format!("{name}.pdf")), &out.bytes).unwrap();
                println!("{name}: {} pages, {} bytes", out.pages, out.bytes.len());
            }
        }
        Some("compare") => {
            let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1000);
            let rounds: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(3);
            compare(n, rounds.max(1));
        }
        _ => {
            let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1000);
            let t = Instant::now();
            let first = docs::render(&notice(1), &opts).expect("render");
            let cold = t.elapsed();
            let runs = 200;
            let (t, c) = (Instant::now(), cpu_seconds());
            for i in 0..runs {
                std::hint::black_box(docs::render(&notice(i + 2), &opts).expect("render"));
            }
            let warm = t.elapsed().as_secs_f64() / runs as f64;
            let warm_cpu = (cpu_seconds() - c) / runs as f64;
            // The same with two new characters in the party's name every time: the body's face
            // is cut again for every notice (Recoup keeps the last few subsets; the title's face
            // still hits). This is the cost of a clerk's next notice to another party.
            let (t, c) = (Instant::now(), cpu_seconds());
            for i in 0..runs {
                let mut d = samples::refund_order();
                let ch = |k: usize| char::from_u32(0x4E00 + (k * 7919 % 20000) as u32).unwrap();
                d.party.name = format!("某某县{}{}医院", ch(2 * i + 1), ch(2 * i + 2));
                d.document_number = format!("某医保责退〔2026〕{}号", i + 1000);
                std::hint::black_box(
                    docs::render(&Document::RefundOrder(d), &opts).expect("render"),
                );
            }
            let fresh = t.elapsed().as_secs_f64() / runs as f64;
            let fresh_cpu = (cpu_seconds() - c) / runs as f64;
            // The layout's share (the rest is the PDF: font subsets, compression, writing).
            let t = Instant::now();
            for i in 0..runs {
                std::hint::black_box(docs::layout_document(&notice(i + 2), &opts).expect("layout"));
            }
            let layout = t.elapsed().as_secs_f64() / runs as f64;
            println!(
                "recoup: single notice ({} pages): cold {:.1} ms, warm {:.2} ms wall / {:.2} ms CPU (layout {:.2} ms; with new glyphs every notice {:.2} ms wall / {:.2} ms CPU), size {} bytes ({:.1} KB), peak RSS {:.0} MB, RSS now {:.0} MB",
                first.pages,
                cold.as_secs_f64() * 1e3,
                warm * 1e3,
                warm_cpu * 1e3,
                layout * 1e3,
                fresh * 1e3,
                fresh_cpu * 1e3,
                first.bytes.len(),
                first.bytes.len() as f64 / 1024.0,
                peak_rss_mb(),
                rss_mb()
            );
            let peak_single = peak_rss_mb();
            let batch: Vec<Document> = (0..n).map(|i| notice(i + 1)).collect();
            let (t, c) = (Instant::now(), cpu_seconds());
            let mut last = 0;
            let out = docs::render_batch(&batch, &opts, &mut |done, _total| {
                last = done;
                Ok(())
            })
            .expect("batch");
            let el = t.elapsed().as_secs_f64();
            let cpu = cpu_seconds() - c;
            println!(
                "recoup: batch of {n}: {el:.2} s wall / {cpu:.2} s CPU ({:.2} ms per notice), {} pages, {:.1} MB, peak RSS {:.0} MB, progress reached {last}",
                el * 1e3 / n as f64,
                out.pages,
                out.bytes.len() as f64 / 1048576.0,
                peak_rss_mb()
            );
            if let Some(p) = args.get(3) {
                std::fs::write(p, &out.bytes).unwrap();
            }
            println!(
                "RESULT cold_ms={:.3} warm_ms={:.4} warm_cpu_ms={:.4} warm_new_glyphs_ms={:.4} warm_new_glyphs_cpu_ms={:.4} size_kb={:.2} batch_s={:.4} batch_mb={:.3} peak_single_mb={:.1} peak_batch_mb={:.1}",
                cold.as_secs_f64() * 1e3,
                warm * 1e3,
                warm_cpu * 1e3,
                fresh * 1e3,
                fresh_cpu * 1e3,
                first.bytes.len() as f64 / 1024.0,
                el,
                out.bytes.len() as f64 / 1048576.0,
                peak_single,
                peak_rss_mb()
            );
            for (role, face) in docs::FontSet::global().describe() {
                println!("font {}: {face}", role.label());
            }
        }
    }
}
