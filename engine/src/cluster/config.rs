//! Cluster-wide settings: broker count, network delay, coordinator settings and the simulation's
//! memory bound. Field names are Kafka's configuration names where one exists.

use serde::Serialize;

use crate::ground::ActionError;

/// `sim.log.memory.bytes` by default. `scripts/bench-memory.sh` measured the page's wasm memory
/// with it flat at 70 MB over 24 simulated hours of first-look and 71 MB over an hour at 100,000
/// records/s: within the page's 128 MB aim, with room for the page's own state.
pub const LOG_MEMORY_DEFAULT: u64 = 64 << 20;
pub const LOG_MEMORY_MIN: u64 = 1 << 20;
pub const LOG_MEMORY_MAX: u64 = 1 << 30;
/// No replica's share is smaller than this, however many partitions there are (so a log can
/// always hold a few segments): with the most partitions the playground allows, the bound is
/// exceeded by at most this much per replica.
pub const LOG_MEMORY_MIN_SHARE: u64 = 16 << 10;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClusterConfig {
    pub brokers: u32,
    /// One-way network delay between any client and any broker (simulation setting).
    #[serde(rename = "network.delay.ms")]
    pub network_delay_ms: u64,
    #[serde(rename = "offsets.topic.num.partitions")]
    pub offsets_topic_partitions: u32,
    #[serde(rename = "transaction.state.log.num.partitions")]
    pub transaction_state_partitions: u32,
    #[serde(rename = "group.initial.rebalance.delay.ms")]
    pub group_initial_rebalance_delay_ms: u64,
    #[serde(rename = "group.min.session.timeout.ms")]
    pub group_min_session_timeout_ms: u64,
    #[serde(rename = "group.max.session.timeout.ms")]
    pub group_max_session_timeout_ms: u64,
    #[serde(rename = "group.max.size")]
    pub group_max_size: u32,
    /// How often members of a `consumer`-protocol group heartbeat (KIP-848): also how long a
    /// member waiting for a released partition may wait for it.
    #[serde(rename = "group.consumer.heartbeat.interval.ms")]
    pub group_consumer_heartbeat_interval_ms: u64,
    /// A `consumer`-protocol member with no heartbeat for this long is fenced.
    #[serde(rename = "group.consumer.session.timeout.ms")]
    pub group_consumer_session_timeout_ms: u64,
    /// How long the controller waits for a broker's heartbeat before fencing it.
    #[serde(rename = "broker.session.timeout.ms")]
    pub broker_session_timeout_ms: u64,
    /// A follower that has not caught up with the leader for this long leaves the ISR.
    #[serde(rename = "replica.lag.time.max.ms")]
    pub replica_lag_time_max_ms: u64,
    /// How long a leader holds a follower's fetch when it has nothing new.
    #[serde(rename = "replica.fetch.wait.max.ms")]
    pub replica_fetch_wait_max_ms: u64,
    #[serde(rename = "replica.fetch.max.bytes")]
    pub replica_fetch_max_bytes: u32,
    #[serde(rename = "replica.fetch.backoff.ms")]
    pub replica_fetch_backoff_ms: u64,
    /// How often brokers look for segments past retention.
    #[serde(rename = "log.retention.check.interval.ms")]
    pub log_retention_check_interval_ms: u64,
    /// How often the log cleaner looks for logs to compact.
    #[serde(rename = "log.cleaner.backoff.ms")]
    pub log_cleaner_backoff_ms: u64,
    /// The controller moves leadership back to each partition's preferred replica (the first
    /// in its assignment) when that replica is alive and in sync, checking every
    /// `leader.imbalance.check.interval.seconds`.
    #[serde(rename = "auto.leader.rebalance.enable")]
    pub auto_leader_rebalance_enable: bool,
    #[serde(rename = "leader.imbalance.check.interval.seconds")]
    pub leader_imbalance_check_interval_seconds: u64,
    /// Engine memory all partition replicas' logs take together at most, in bytes, split
    /// evenly among them (simulation setting, not Kafka's; see `PartitionLog`).
    #[serde(rename = "sim.log.memory.bytes")]
    pub log_memory_bytes: u64,
    /// What work costs (network, request handlers, disk, page cache, TLS, compression).
    #[serde(flatten)]
    pub costs: super::costs::CostConfig,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig {
            brokers: 3,
            network_delay_ms: 1,
            offsets_topic_partitions: 50,
            transaction_state_partitions: 50,
            group_initial_rebalance_delay_ms: 3000,
            group_consumer_heartbeat_interval_ms: 5_000,
            group_consumer_session_timeout_ms: 45_000,
            group_min_session_timeout_ms: 6000,
            group_max_session_timeout_ms: 1_800_000,
            group_max_size: i32::MAX as u32,
            broker_session_timeout_ms: 9000,
            replica_lag_time_max_ms: 30_000,
            replica_fetch_wait_max_ms: 500,
            replica_fetch_max_bytes: 1 << 20,
            replica_fetch_backoff_ms: 1000,
            log_retention_check_interval_ms: 300_000,
            log_cleaner_backoff_ms: 15_000,
            log_memory_bytes: LOG_MEMORY_DEFAULT,
            auto_leader_rebalance_enable: true,
            leader_imbalance_check_interval_seconds: 300,
            costs: super::costs::CostConfig::default(),
        }
    }
}

impl ClusterConfig {
    pub fn validate(&self) -> Result<(), ActionError> {
        self.costs.validate()?;
        let bad = |m: &str| Err(ActionError::InvalidConfig(m.to_string()));
        use crate::ground::limits::{at_most, INT_MAX};
        at_most(
            "group.initial.rebalance.delay.ms",
            self.group_initial_rebalance_delay_ms,
            INT_MAX,
        )?;
        at_most(
            "group.min.session.timeout.ms",
            self.group_min_session_timeout_ms,
            INT_MAX,
        )?;
        at_most(
            "group.max.session.timeout.ms",
            self.group_max_session_timeout_ms,
            INT_MAX,
        )?;
        if !(1..=9).contains(&self.brokers) {
            return bad("A cluster has 1 to 9 brokers in the playground.");
        }
        if self.network_delay_ms > 10_000 {
            return bad("network.delay.ms must be at most 10000.");
        }
        if !(1..=200).contains(&self.offsets_topic_partitions)
            || !(1..=200).contains(&self.transaction_state_partitions)
        {
            return bad("Internal topics need 1 to 200 partitions.");
        }
        if !(1..=86_400).contains(&self.leader_imbalance_check_interval_seconds) {
            return bad("leader.imbalance.check.interval.seconds must be between 1 and 86400.");
        }
        if !(LOG_MEMORY_MIN..=LOG_MEMORY_MAX).contains(&self.log_memory_bytes) {
            return bad(&format!(
                "sim.log.memory.bytes must be between {LOG_MEMORY_MIN} and {LOG_MEMORY_MAX}."
            ));
        }
        if !(100..=600_000).contains(&self.broker_session_timeout_ms)
            || !(100..=600_000).contains(&self.replica_lag_time_max_ms)
        {
            return bad("broker.session.timeout.ms and replica.lag.time.max.ms must be between 100 and 600000.");
        }
        if self.replica_fetch_wait_max_ms > self.replica_lag_time_max_ms {
            return bad("replica.fetch.wait.max.ms must not exceed replica.lag.time.max.ms.");
        }
        if self.replica_fetch_max_bytes < 1024 || self.replica_fetch_backoff_ms > 60_000 {
            return bad("replica.fetch.max.bytes must be at least 1024 and replica.fetch.backoff.ms at most 60000.");
        }
        if !(100..=3_600_000).contains(&self.log_retention_check_interval_ms)
            || !(100..=3_600_000).contains(&self.log_cleaner_backoff_ms)
        {
            return bad("log.retention.check.interval.ms and log.cleaner.backoff.ms must be between 100 and 3600000.");
        }
        if self.group_consumer_heartbeat_interval_ms < 100
            || self.group_consumer_heartbeat_interval_ms >= self.group_consumer_session_timeout_ms
            || self.group_consumer_session_timeout_ms > 1_800_000
        {
            return bad("group.consumer.heartbeat.interval.ms must be at least 100 and lower than group.consumer.session.timeout.ms, which must be at most 1800000.");
        }
        if self.group_min_session_timeout_ms > self.group_max_session_timeout_ms {
            return bad(
                "group.min.session.timeout.ms must not exceed group.max.session.timeout.ms.",
            );
        }
        Ok(())
    }
}
