//! Log maintenance on every live broker: the retention check (`cleanup.policy=delete`) every
//! `log.retention.check.interval.ms`, and the log cleaner (`cleanup.policy=compact`) every
//! `log.cleaner.backoff.ms`; on the same timer, the controller's leader balancing every
//! `leader.imbalance.check.interval.seconds`. Each replica cleans its own log, below its own high watermark;
//! the leader's work is what the events report.
//!
//! Simplification: the cleaner cleans every log that needs it in one pass, where Kafka's cleaner
//! threads take the filthiest log first, one at a time.

use super::{Due, Simulation};
use crate::event::EventKind;
use crate::ground::Millis;
use crate::ground::PartitionIdx;

/// A partition as maintenance sees it.
struct Targets {
    config: crate::cluster::TopicConfig,
    leader_alive: bool,
    followers: Vec<crate::ground::BrokerId>,
    lso: i64,
}

#[derive(Clone, Debug, Default)]
pub(super) struct Maintenance {
    next_retention: Option<Millis>,
    next_cleaning: Option<Millis>,
    /// The controller's leader balancing (`leader.imbalance.check.interval.seconds`), on the
    /// same timer.
    next_leader_balance: Option<Millis>,
    timer_at: Option<Millis>,
}

impl Maintenance {
    fn next_deadline(&self) -> Option<Millis> {
        [
            self.next_retention,
            self.next_cleaning,
            self.next_leader_balance,
        ]
        .into_iter()
        .flatten()
        .min()
    }
}

impl Simulation {
    /// Starts the periodic checks (once there is a topic to look after).
    pub(super) fn start_maintenance(&mut self) {
        let now = self.now;
        let m = &mut self.maintenance;
        if m.next_retention.is_none() {
            m.next_retention = Some(now + self.cluster.config.log_retention_check_interval_ms);
        }
        if m.next_cleaning.is_none() {
            m.next_cleaning = Some(now + self.cluster.config.log_cleaner_backoff_ms);
        }
        if m.next_leader_balance.is_none() && self.cluster.config.auto_leader_rebalance_enable {
            m.next_leader_balance =
                Some(now + self.cluster.config.leader_imbalance_check_interval_seconds * 1000);
        }
        self.reschedule_maintenance();
    }

    fn reschedule_maintenance(&mut self) {
        if let Some(t) = self.maintenance.next_deadline() {
            let t = t.max(self.now);
            if self.maintenance.timer_at.is_none_or(|s| t < s) {
                self.maintenance.timer_at = Some(t);
                self.queue.push(t, Due::MaintenanceTimer);
            }
        }
    }

    pub(super) fn on_maintenance_timer(&mut self, at: Millis) {
        if self.maintenance.timer_at != Some(at) {
            return;
        }
        self.maintenance.timer_at = None;
        let now = self.now;
        if self.maintenance.next_retention.is_some_and(|t| t <= now) {
            self.maintenance.next_retention =
                Some(now + self.cluster.config.log_retention_check_interval_ms);
            self.enforce_retention();
        }
        if self.maintenance.next_cleaning.is_some_and(|t| t <= now) {
            self.maintenance.next_cleaning = Some(now + self.cluster.config.log_cleaner_backoff_ms);
            self.run_cleaner();
        }
        if self
            .maintenance
            .next_leader_balance
            .is_some_and(|t| t <= now)
        {
            self.maintenance.next_leader_balance =
                Some(now + self.cluster.config.leader_imbalance_check_interval_seconds * 1000);
            self.balance_partition_leaders();
        }
        self.reschedule_maintenance();
    }

    /// User partitions and their topic's configuration.
    fn maintained(&self, want: impl Fn(&crate::cluster::TopicConfig) -> bool) -> Vec<PartitionIdx> {
        self.cluster
            .topics()
            .filter(|t| !t.internal && want(&t.config))
            .flat_map(|t| t.partitions.iter().copied())
            .collect()
    }

    /// What maintenance of partition `p` works with: its topic's configuration, whether its
    /// leader's broker is up, the followers on live brokers, and its last stable offset.
    fn targets(&self, p: PartitionIdx) -> Option<Targets> {
        let part = self.cluster.partition(p)?;
        Some(Targets {
            config: self.cluster.topic(part.topic)?.config.clone(),
            leader_alive: part.leader.is_some_and(|b| self.cluster.broker_alive(b)),
            followers: part
                .followers
                .iter()
                .map(|r| r.broker)
                .filter(|&b| self.cluster.broker_alive(b))
                .collect(),
            lso: part.last_stable_offset(),
        })
    }

    /// `UnifiedLog.deleteOldSegments` on every replica of every `delete` topic.
    fn enforce_retention(&mut self) {
        let now = self.now;
        for p in self.maintained(|c| c.cleanup_policy.deletes()) {
            let Some(Targets {
                config: cfg,
                leader_alive,
                followers: alive,
                lso: _,
            }) = self.targets(p)
            else {
                continue;
            };
            let part = self.cluster.partition_mut(p).expect("exists");
            let mut leader_result = None;
            if leader_alive {
                let hw = part.high_watermark;
                let before = part.log.log_start_offset();
                let r = part
                    .log
                    .delete_retained(now, hw, cfg.retention_ms, cfg.retention_bytes);
                if r.0 + r.1 > 0 {
                    leader_result = Some((r, before, part.log.log_start_offset()));
                }
            }
            for b in alive {
                if let Some(r) = part.follower_mut(b) {
                    let hw = r.high_watermark;
                    r.log
                        .delete_retained(now, hw, cfg.retention_ms, cfg.retention_bytes);
                }
            }
            if let Some(((by_time, by_size), from, to)) = leader_result {
                let tp = self.cluster.tp(p);
                self.emit(EventKind::SegmentsDeleted {
                    tp,
                    segments: (by_time + by_size) as u32,
                    by_time: by_time > 0,
                    log_start_from: from,
                    log_start_to: to,
                });
            }
        }
    }

    /// One round of the log cleaner over every replica of every compacted topic.
    fn run_cleaner(&mut self) {
        let now = self.now;
        for p in self.maintained(|c| c.cleanup_policy.compacts()) {
            let Some(Targets {
                config: cfg,
                leader_alive,
                followers: alive,
                lso,
            }) = self.targets(p)
            else {
                continue;
            };
            let part = self.cluster.partition_mut(p).expect("exists");
            let mut stats = None;
            if leader_alive {
                let end = part.log.cleanable_end(now, lso, cfg.min_compaction_lag_ms);
                if part
                    .log
                    .needs_cleaning(now, end, cfg.min_cleanable_dirty_ratio)
                {
                    stats = Some(part.log.clean(now, end, cfg.delete_retention_ms));
                }
            }
            for b in alive {
                if let Some(r) = part.follower_mut(b) {
                    let bound = r.high_watermark.min(lso);
                    let end = r.log.cleanable_end(now, bound, cfg.min_compaction_lag_ms);
                    if r.log
                        .needs_cleaning(now, end, cfg.min_cleanable_dirty_ratio)
                    {
                        r.log.clean(now, end, cfg.delete_retention_ms);
                    }
                }
            }
            if let Some(s) = stats {
                let tp = self.cluster.tp(p);
                self.emit(EventKind::LogCleaned {
                    tp,
                    records_removed: s.records_removed,
                    tombstones_removed: s.tombstones_removed,
                    cleaned_up_to: s.cleaned_up_to,
                });
            }
        }
    }
}
