//! What the benchmark binaries share (not part of the library): process figures from Linux /proc.

/// A `/proc/self/status` figure in MB (e.g. "VmRSS:", "VmHWM:"); 0 where /proc is missing.
pub fn status_mb(key: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// CPU time this thread has run, in ms (`/proc/thread-self/schedstat`, ns); 0 where it is missing.
/// On a shared machine the wall time of a read grows with the other programs' load, its CPU time
/// much less: the benchmarks print both.
#[allow(dead_code)]
pub fn thread_cpu_ms() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map(|ns| ns / 1e6)
        .unwrap_or(0.0)
}
