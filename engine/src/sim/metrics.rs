//! Short histories for charts: each group's total lag, sampled every `interval` of virtual time.
//!
//! State only changes at events, so a sample at time b is the state after every event at or
//! before b; samples are taken lazily while time advances, without queue entries of their own
//! (stepping to the next event never stops at a sample).

use crate::ground::small_map::SmallMap;
use std::collections::VecDeque;

use crate::cluster::Cluster;
use crate::coordinator::group::{Group, GroupCoordinator};
use crate::ground::Millis;

#[derive(Clone)]
pub(super) struct Metrics {
    interval: Millis,
    capacity: usize,
    next_at: Millis,
    pub lag: SmallMap<String, VecDeque<u64>>,
}

impl Metrics {
    pub fn new(interval: Millis, capacity: usize) -> Self {
        Metrics {
            interval,
            capacity,
            next_at: interval,
            lag: SmallMap::new(),
        }
    }

    pub fn interval(&self) -> Millis {
        self.interval
    }

    /// Takes the samples due before `t` (the state cannot change between events).
    pub fn sample_until(&mut self, t: Millis, cluster: &Cluster, groups: &GroupCoordinator) {
        if self.next_at > t {
            return;
        }
        let due = (t - self.next_at) / self.interval + 1;
        // Only the last `capacity` samples can be kept: skip ahead over the rest.
        let skip = due.saturating_sub(self.capacity as u64);
        self.next_at += skip * self.interval;
        let values: Vec<(String, u64)> = groups
            .groups()
            .map(|g| (g.group_id.clone(), group_lag(cluster, g).0))
            .collect();
        while self.next_at <= t {
            for (g, v) in &values {
                let h = self.lag.entry(g.clone()).or_default();
                if h.len() == self.capacity {
                    h.pop_front();
                }
                h.push_back(*v);
            }
            self.next_at += self.interval;
        }
    }
}

/// Lag as `kafka-consumer-groups` computes it: the high watermark minus the committed offset,
/// for each partition the group has committed. Kafka's tool lists end offsets with
/// READ_UNCOMMITTED (`ConsumerGroupCommand`), so a read_committed group shows lag over an open
/// transaction too.
pub fn group_lag(cluster: &Cluster, group: &Group) -> (u64, Vec<(u32, i64, i64)>) {
    let mut total = 0u64;
    let mut per = Vec::new();
    for (&p, c) in &group.offsets {
        if let Some(part) = cluster.partition(p) {
            let end = part.high_watermark;
            let lag = (end - c.offset).max(0);
            total += lag as u64;
            per.push((p, c.offset, end));
        }
    }
    (total, per)
}

impl super::Simulation {
    /// A group's total lag sampled every `lag_interval_ms`, oldest first.
    pub fn lag_history(&self, group: &str) -> Vec<u64> {
        self.metrics
            .lag
            .get(group)
            .map(|h| h.iter().copied().collect())
            .unwrap_or_default()
    }

    pub fn lag_interval_ms(&self) -> Millis {
        self.metrics.interval()
    }
}
