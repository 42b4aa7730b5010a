//! Consumer configuration with Kafka's names and defaults (`ConsumerConfig`), plus the two
//! settings that stand for the application around the consumer (`sim.` prefix).

use serde::Serialize;

use crate::cluster::IsolationLevel;
use crate::ground::ActionError;
use crate::protocol::{AssignorName, GroupProtocol, ServerAssignor};

/// `auto.offset.reset`.
/// The most time an application may take per record: a minute.
pub const MAX_PROCESSING_US: u64 = 60_000_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OffsetResetStrategy {
    Earliest,
    Latest,
    None,
}

impl OffsetResetStrategy {
    pub fn as_str(self) -> &'static str {
        match self {
            OffsetResetStrategy::Earliest => "earliest",
            OffsetResetStrategy::Latest => "latest",
            OffsetResetStrategy::None => "none",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConsumerConfig {
    #[serde(rename = "group.id")]
    pub group_id: Option<String>,
    #[serde(rename = "group.instance.id")]
    pub group_instance_id: Option<String>,
    /// `classic` (JoinGroup/SyncGroup, the default) or `consumer` (KIP-848).
    #[serde(rename = "group.protocol")]
    pub group_protocol: GroupProtocol,
    /// The server assignor a `consumer`-protocol member asks for; unset, the broker's first
    /// (`uniform`).
    #[serde(rename = "group.remote.assignor")]
    pub remote_assignor: Option<ServerAssignor>,
    /// Classic protocol only: with `group.protocol=consumer` the coordinator assigns.
    #[serde(rename = "partition.assignment.strategy")]
    pub assignors: Vec<AssignorName>,
    /// Classic protocol only: a `consumer`-protocol group's session and heartbeat interval are
    /// the broker's (`group.consumer.session.timeout.ms`, `group.consumer.heartbeat.interval.ms`).
    #[serde(rename = "session.timeout.ms")]
    pub session_timeout_ms: u64,
    #[serde(rename = "heartbeat.interval.ms")]
    pub heartbeat_interval_ms: u64,
    #[serde(rename = "max.poll.interval.ms")]
    pub max_poll_interval_ms: u64,
    #[serde(rename = "enable.auto.commit")]
    pub enable_auto_commit: bool,
    #[serde(rename = "auto.commit.interval.ms")]
    pub auto_commit_interval_ms: u64,
    #[serde(rename = "auto.offset.reset")]
    pub auto_offset_reset: OffsetResetStrategy,
    #[serde(rename = "max.poll.records")]
    pub max_poll_records: u32,
    #[serde(rename = "fetch.max.wait.ms")]
    pub fetch_max_wait_ms: u64,
    #[serde(rename = "fetch.min.bytes")]
    pub fetch_min_bytes: u32,
    #[serde(rename = "fetch.max.bytes")]
    pub fetch_max_bytes: u32,
    #[serde(rename = "max.partition.fetch.bytes")]
    pub max_partition_fetch_bytes: u32,
    #[serde(rename = "isolation.level")]
    pub isolation_level: IsolationLevel,
    #[serde(rename = "retry.backoff.ms")]
    pub retry_backoff_ms: u64,
    /// Time the application spends on each record it polled, in microseconds (simulation).
    #[serde(rename = "sim.processing.time.us")]
    pub processing_us: u64,
    /// Without auto commit, the application commits its position after processing each poll.
    #[serde(rename = "sim.commit.after.poll")]
    pub commit_after_poll: bool,
}

impl Default for ConsumerConfig {
    fn default() -> Self {
        ConsumerConfig {
            group_id: None,
            group_instance_id: None,
            group_protocol: GroupProtocol::Classic,
            remote_assignor: None,
            assignors: vec![AssignorName::Range, AssignorName::CooperativeSticky],
            session_timeout_ms: 45_000,
            heartbeat_interval_ms: 3000,
            max_poll_interval_ms: 300_000,
            enable_auto_commit: true,
            auto_commit_interval_ms: 5000,
            auto_offset_reset: OffsetResetStrategy::Latest,
            max_poll_records: 500,
            fetch_max_wait_ms: 500,
            fetch_min_bytes: 1,
            fetch_max_bytes: 52_428_800,
            max_partition_fetch_bytes: 1_048_576,
            isolation_level: IsolationLevel::ReadUncommitted,
            retry_backoff_ms: 100,
            processing_us: 0,
            commit_after_poll: true,
        }
    }
}

impl ConsumerConfig {
    /// The rebalance protocol the assignors allow: COOPERATIVE only if every listed assignor
    /// supports it (`ConsumerCoordinator`), so the default `[range, cooperative-sticky]` is eager.
    pub fn cooperative(&self) -> bool {
        self.group_protocol == GroupProtocol::Classic
            && !self.assignors.is_empty()
            && self.assignors.iter().all(|a| a.supports_cooperative())
    }

    pub fn validate(&self, min_session: u64, max_session: u64) -> Result<(), ActionError> {
        let bad = |m: String| Err(ActionError::InvalidConfig(m));
        use crate::ground::limits::{at_most, id_length, INT_MAX, LONG_MAX};
        at_most("session.timeout.ms", self.session_timeout_ms, INT_MAX)?;
        at_most("heartbeat.interval.ms", self.heartbeat_interval_ms, INT_MAX)?;
        at_most("max.poll.interval.ms", self.max_poll_interval_ms, INT_MAX)?;
        at_most(
            "auto.commit.interval.ms",
            self.auto_commit_interval_ms,
            INT_MAX,
        )?;
        at_most("fetch.max.wait.ms", self.fetch_max_wait_ms, INT_MAX)?;
        at_most("retry.backoff.ms", self.retry_backoff_ms, LONG_MAX)?;
        if let Some(g) = &self.group_id {
            id_length("group.id", g)?;
        }
        if let Some(i) = &self.group_instance_id {
            id_length("group.instance.id", i)?;
        }
        if let Some(g) = &self.group_id {
            if g.is_empty() {
                return bad(
                    "group.id must not be empty (leave it unset for a consumer without a group)."
                        .into(),
                );
            }
        }
        if self.group_instance_id.is_some() && self.group_id.is_none() {
            return bad("group.instance.id needs a group.id.".into());
        }
        if self.group_instance_id.as_deref() == Some("") {
            return bad("group.instance.id must not be empty.".into());
        }
        if self.remote_assignor.is_some() && self.group_protocol == GroupProtocol::Classic {
            return bad(
                "group.remote.assignor is for group.protocol=consumer; the classic protocol assigns on the client (partition.assignment.strategy)."
                    .into(),
            );
        }
        if self.group_id.is_some() && self.assignors.is_empty() {
            return bad("partition.assignment.strategy needs at least one assignor.".into());
        }
        let mut seen = self.assignors.clone();
        crate::ground::sort::sort(&mut seen);
        seen.dedup();
        if seen.len() != self.assignors.len() {
            return bad("partition.assignment.strategy lists an assignor twice.".into());
        }
        if self.group_id.is_some()
            && (self.session_timeout_ms < min_session || self.session_timeout_ms > max_session)
        {
            return bad(format!(
                "session.timeout.ms must be between group.min.session.timeout.ms ({min_session}) and group.max.session.timeout.ms ({max_session})."
            ));
        }
        if self.heartbeat_interval_ms == 0 || self.heartbeat_interval_ms >= self.session_timeout_ms
        {
            return bad(
                "heartbeat.interval.ms must be above 0 and lower than session.timeout.ms.".into(),
            );
        }
        if self.max_poll_interval_ms == 0 {
            return bad("max.poll.interval.ms must be at least 1.".into());
        }
        if self.max_poll_records == 0 {
            return bad("max.poll.records must be at least 1.".into());
        }
        if self.auto_commit_interval_ms == 0 {
            return bad("auto.commit.interval.ms must be at least 1.".into());
        }
        if self.fetch_max_bytes == 0 || self.max_partition_fetch_bytes == 0 {
            return bad("fetch.max.bytes and max.partition.fetch.bytes must be at least 1.".into());
        }
        if self.processing_us > MAX_PROCESSING_US {
            return bad(
                "Processing time must be at most a minute per record (sim.processing.time.us ≤ 60000000).".into(),
            );
        }
        Ok(())
    }
}
