//! Notice benchmark and sample renderer (not a test).
//!
//! `notice_bench samples DIR` writes one PDF per document kind into DIR.
//! `notice_bench bench [N]` prints per-notice warm time, PDF size and peak memory for one typical
//! notice and for a batch of N (default 1000).

use std::time::Instant;

use recoup::docs::{self, samples, Document, RenderOptions};

fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()))
        .unwrap_or(0)
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
                let out = docs::render(&doc, &opts).unwrap_or_else(|e| panic!("{name}: {}", e.message));
                std::fs::write(dir.join(format!("{name}.pdf")), &out.bytes).unwrap();
                println!("{name}: {} pages, {} bytes", out.pages, out.bytes.len());
            }
        }
        _ => {
            let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1000);
            let doc = Document::RefundOrder(samples::refund_order());
            let t = Instant::now();
            let first = docs::render(&doc, &opts).expect("render");
            let cold = t.elapsed();
            let runs = 50;
            let t = Instant::now();
            for _ in 0..runs {
                std::hint::black_box(docs::render(&doc, &opts).expect("render"));
            }
            let warm = t.elapsed() / runs;
            println!("fonts: {:?}", docs::FontSet::global().describe());
            println!(
                "single notice ({} pages): cold {:.1} ms, warm {:.2} ms, size {} bytes ({:.1} KB)",
                first.pages,
                cold.as_secs_f64() * 1e3,
                warm.as_secs_f64() * 1e3,
                first.bytes.len(),
                first.bytes.len() as f64 / 1024.0
            );
            let batch: Vec<Document> = (0..n)
                .map(|i| {
                    let mut d = samples::decision();
                    d.document_number = format!("某医保罚决〔2026〕{}号", i + 1);
                    Document::PenaltyDecision(d)
                })
                .collect();
            let t = Instant::now();
            let mut last = 0;
            let out = docs::render_batch(&batch, &opts, &mut |done, _total| last = done).expect("batch");
            let el = t.elapsed();
            println!(
                "batch of {n}: {:.2} s total, {:.2} ms per notice, {} pages, {:.1} MB, progress calls up to {last}",
                el.as_secs_f64(),
                el.as_secs_f64() * 1e3 / n as f64,
                out.pages,
                out.bytes.len() as f64 / 1048576.0
            );
            if let Some(p) = args.get(3) {
                std::fs::write(p, &out.bytes).unwrap();
            }
            println!("peak RSS {:.1} MB", peak_rss_kb() as f64 / 1024.0);
        }
    }
}
