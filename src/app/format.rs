//! Number and time formatting for a projector: short, with thin separators.

use super::decimal::{fixed, short};

/// `12,345,678`.
pub fn count(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub fn signed(n: i64) -> String {
    if n < 0 {
        format!("-{}", count(n.unsigned_abs()))
    } else {
        count(n as u64)
    }
}

/// `1.2k`, `3.4M`: compact counts for tight places.
pub fn compact(n: f64) -> String {
    if n >= 1e6 {
        format!("{}M", fixed(n / 1e6, 1))
    } else if n >= 1e4 {
        format!("{}k", fixed(n / 1e3, 0))
    } else if n >= 1e3 {
        format!("{}k", fixed(n / 1e3, 1))
    } else if n >= 10.0 || n == 0.0 {
        fixed(n, 0)
    } else {
        fixed(n, 1)
    }
}

/// Virtual time as `12.3 s` or `4 min 05 s`.
pub fn time(ms: u64) -> String {
    if ms < 60_000 {
        format!("{}.{} s", ms / 1000, (ms % 1000) / 100)
    } else {
        format!("{} min {:02} s", ms / 60_000, (ms % 60_000) / 1000)
    }
}

/// Milliseconds as a duration setting: `300 ms`, `45 s`, `5 min`.
pub fn duration(ms: u64) -> String {
    const HOUR: u64 = 3_600_000;
    if ms >= 24 * HOUR && ms.is_multiple_of(24 * HOUR) {
        let d = ms / (24 * HOUR);
        format!("{d} day{}", if d == 1 { "" } else { "s" })
    } else if ms >= HOUR && ms.is_multiple_of(HOUR) {
        format!("{} h", ms / HOUR)
    } else if ms < 1000 {
        format!("{ms} ms")
    } else if ms < 120_000 || !ms.is_multiple_of(60_000) {
        format!("{} s", short(ms as f64 / 1000.0, 3))
    } else {
        format!("{} min", ms / 60_000)
    }
}

/// Memory as `3.5 MB` or `640 KB` (binary units, as the engine counts them).
pub fn bytes(n: u64) -> String {
    if n >= 1 << 20 {
        format!("{} MB", fixed(n as f64 / (1u64 << 20) as f64, 1))
    } else {
        format!("{} KB", n.div_ceil(1 << 10))
    }
}

/// A latency summary as `p50 · p99 ms`, or a dash when nothing was measured in its window (a
/// stopped load has no recent latency, which is not 0 ms).
pub fn latency(l: &brokerlab_engine::view::LatencySummary) -> String {
    if l.records == 0 {
        "— (none lately)".to_string()
    } else {
        format!("{} · {} ms", l.p50_ms, l.p99_ms)
    }
}
