//! How long records or messages wait, from being sent to what is measured (a producer's
//! acknowledgement: the price of batching that `linger.ms`, `batch.size` and `acks` set; a
//! RabbitMQ message's delivery or ack). Every one adds its latency (now minus when it was sent)
//! to a histogram of fixed buckets; two windows of
//! [`WINDOW_MS`] rotate, so the percentiles describe the last five to ten seconds, not the whole
//! run. A record costs one bucket increment, however fast the producer goes.

use serde::Serialize;

use crate::ground::Millis;

/// One window's length (virtual milliseconds).
pub const WINDOW_MS: Millis = 5_000;

/// Upper bounds of the buckets, in milliseconds (the last one takes the rest).
const BOUNDS: [Millis; 35] = [
    0, 1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60, 80, 100, 120, 150, 200, 250, 300,
    400, 500, 600, 800, 1_000, 1_500, 2_000, 3_000, 5_000, 10_000, 30_000,
];
const BUCKETS: usize = BOUNDS.len() + 1;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LatencyWindow {
    #[serde(skip)]
    current: [u32; BUCKETS],
    #[serde(skip)]
    previous: [u32; BUCKETS],
    #[serde(skip)]
    started: Millis,
    /// The largest latency in the two windows.
    #[serde(skip)]
    max: [Millis; 2],
}

impl Default for LatencyWindow {
    fn default() -> Self {
        LatencyWindow {
            current: [0; BUCKETS],
            previous: [0; BUCKETS],
            started: 0,
            max: [0; 2],
        }
    }
}

/// Send-to-acknowledgement latency over the last five to ten seconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct LatencySummary {
    pub records: u64,
    /// Upper bounds of the buckets holding the 50th and 99th percentiles (ms).
    pub p50_ms: Millis,
    pub p99_ms: Millis,
    pub max_ms: Millis,
}

impl LatencyWindow {
    /// `count` records acknowledged `now` that were sent at `sent` (ms).
    pub fn record(&mut self, now: Millis, sent: Millis, count: u32) {
        self.rotate(now);
        let latency = now.saturating_sub(sent);
        let bucket = BOUNDS.partition_point(|&b| b < latency);
        self.current[bucket] += count;
        self.max[0] = self.max[0].max(latency);
    }

    fn rotate(&mut self, now: Millis) {
        if now >= self.started + 2 * WINDOW_MS {
            // Both windows are old: nothing recent.
            *self = LatencyWindow {
                started: now - now % WINDOW_MS,
                ..LatencyWindow::default()
            };
        } else if now >= self.started + WINDOW_MS {
            self.previous = self.current;
            self.current = [0; BUCKETS];
            self.max = [0, self.max[0]];
            self.started += WINDOW_MS;
        }
    }

    /// Adds `other`'s records (a group's latency from its members'), both as of `now`.
    pub fn merge(&mut self, other: &LatencyWindow, now: Millis) {
        self.rotate(now);
        let mut o = other.clone();
        o.rotate(now);
        for i in 0..BUCKETS {
            self.current[i] += o.current[i];
            self.previous[i] += o.previous[i];
        }
        self.max = [self.max[0].max(o.max[0]), self.max[1].max(o.max[1])];
    }

    /// The percentiles as of `now`.
    pub fn summary(&self, now: Millis) -> LatencySummary {
        let mut w = self.clone();
        w.rotate(now);
        let counts: Vec<u64> = (0..BUCKETS)
            .map(|i| u64::from(w.current[i]) + u64::from(w.previous[i]))
            .collect();
        let records: u64 = counts.iter().sum();
        if records == 0 {
            return LatencySummary::default();
        }
        let max_ms = w.max[0].max(w.max[1]);
        let at = |q: f64| {
            let wanted = ((records as f64) * q).ceil().max(1.0) as u64;
            let mut seen = 0;
            for (i, c) in counts.iter().enumerate() {
                seen += c;
                if seen >= wanted {
                    return BOUNDS.get(i).copied().unwrap_or(max_ms).min(max_ms);
                }
            }
            max_ms
        };
        LatencySummary {
            records,
            p50_ms: at(0.50),
            p99_ms: at(0.99),
            max_ms,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_come_from_the_buckets_of_the_last_windows() {
        let mut w = LatencyWindow::default();
        // 98 records at 3 ms, one at 40 ms, one at 700 ms.
        w.record(1_000, 997, 98);
        w.record(1_000, 960, 1);
        w.record(1_200, 500, 1);
        let s = w.summary(1_200);
        assert_eq!(s.records, 100);
        assert_eq!(s.p50_ms, 3);
        assert_eq!(s.p99_ms, 40);
        assert_eq!(s.max_ms, 700);
        // Still counted in the previous window ...
        assert_eq!(w.summary(6_000).records, 100);
        // ... and gone once two windows have passed.
        assert_eq!(w.summary(10_000), LatencySummary::default());
        w.record(12_345, 12_300, 5);
        let s = w.summary(12_400);
        // A percentile is its bucket's bound, but never above the largest latency seen.
        assert_eq!((s.records, s.p50_ms, s.max_ms), (5, 45, 45));
    }

    #[test]
    fn merged_windows_count_both() {
        let mut a = LatencyWindow::default();
        let mut b = LatencyWindow::default();
        a.record(1_000, 998, 50);
        b.record(7_000, 6_900, 50);
        a.merge(&b, 7_000);
        let s = a.summary(7_000);
        assert_eq!(
            (s.records, s.p50_ms, s.p99_ms, s.max_ms),
            (100, 2, 100, 100)
        );
    }
}
