//! Notice benchmark and sample renderer (not a test).
//!
//! `notice_bench samples DIR` writes one PDF per document kind into DIR.
//! `notice_bench bench [N] [OUT.pdf]` prints warm time per notice (wall and CPU), PDF size and peak
//! memory for one typical two-page notice (责令退款通知书) and for a batch of N (default 1000) of
//! the same notice with different numbers. The Typst peer: `python3 benches/typst_notice.py N`.

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
            println!(
                "recoup: single notice ({} pages): cold {:.0} ms, warm {:.2} ms wall / {:.2} ms CPU, size {} bytes ({:.1} KB), peak RSS {:.0} MB, RSS now {:.0} MB",
                first.pages,
                cold.as_secs_f64() * 1e3,
                warm * 1e3,
                warm_cpu * 1e3,
                first.bytes.len(),
                first.bytes.len() as f64 / 1024.0,
                peak_rss_mb(),
                rss_mb()
            );
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
            for (role, face) in docs::FontSet::global().describe() {
                println!("font {}: {face}", role.label());
            }
        }
    }
}
