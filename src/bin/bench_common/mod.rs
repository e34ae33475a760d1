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
