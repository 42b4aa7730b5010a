//! Topics: names (with Kafka's rules), partitions and per-topic configuration.

use serde::Serialize;

use crate::log::Compression;

use super::ClusterConfig;
use crate::ground::quote::quoted;
use crate::ground::{ActionError, Millis};
use crate::ground::{PartitionIdx, TopicId};
use crate::log::{Compaction, LogConfig};

/// `Topic.MAX_NAME_LENGTH`.
pub const MAX_NAME_LENGTH: usize = 249;

#[derive(Clone, Debug)]
pub struct Topic {
    pub id: TopicId,
    pub name: String,
    /// Global partition indices, by partition number.
    pub partitions: Vec<PartitionIdx>,
    pub config: TopicConfig,
    pub internal: bool,
    pub created_at: Millis,
}

/// `cleanup.policy`: what happens to old data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum CleanupPolicy {
    /// Delete whole segments past `retention.ms` / `retention.bytes`.
    #[serde(rename = "delete")]
    Delete,
    /// Keep the latest record of every key.
    #[serde(rename = "compact")]
    Compact,
    #[serde(rename = "compact,delete")]
    CompactDelete,
}

impl CleanupPolicy {
    pub fn deletes(self) -> bool {
        matches!(self, CleanupPolicy::Delete | CleanupPolicy::CompactDelete)
    }

    pub fn compacts(self) -> bool {
        matches!(self, CleanupPolicy::Compact | CleanupPolicy::CompactDelete)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CleanupPolicy::Delete => "delete",
            CleanupPolicy::Compact => "compact",
            CleanupPolicy::CompactDelete => "compact,delete",
        }
    }
}

/// Per-topic configuration, with Kafka's names and defaults.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TopicConfig {
    #[serde(rename = "replication.factor")]
    pub replication_factor: u32,
    #[serde(rename = "min.insync.replicas")]
    pub min_insync_replicas: u32,
    /// Whether a replica outside the ISR may become leader when no ISR member is alive (and
    /// acknowledged data may be lost).
    #[serde(rename = "unclean.leader.election.enable")]
    pub unclean_leader_election_enable: bool,
    #[serde(rename = "segment.bytes")]
    pub segment_bytes: u64,
    #[serde(rename = "segment.ms")]
    pub segment_ms: u64,
    #[serde(rename = "cleanup.policy")]
    pub cleanup_policy: CleanupPolicy,
    /// How long data is kept (-1: forever).
    #[serde(rename = "retention.ms")]
    pub retention_ms: i64,
    /// How large a partition may grow (-1: unlimited).
    #[serde(rename = "retention.bytes")]
    pub retention_bytes: i64,
    /// How long a tombstone stays after the cleaner first saw it.
    #[serde(rename = "delete.retention.ms")]
    pub delete_retention_ms: u64,
    /// Records younger than this are not compacted.
    #[serde(rename = "min.compaction.lag.ms")]
    pub min_compaction_lag_ms: u64,
    /// Share of not-yet-cleaned bytes at which the cleaner picks the log.
    #[serde(rename = "min.cleanable.dirty.ratio")]
    pub min_cleanable_dirty_ratio: f64,
    /// The codec the broker stores batches with; `producer` keeps each batch's own.
    #[serde(rename = "compression.type")]
    pub compression_type: TopicCompression,
}

/// A topic's `compression.type` (`LogConfig`): `producer` by default, keeping the codec each
/// batch arrived with; otherwise the broker stores every batch in this codec and recompresses a
/// batch that arrives in another (`LogValidator`: no in-place path when the codecs differ).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TopicCompression {
    #[default]
    Producer,
    Uncompressed,
    Gzip,
    Snappy,
    Lz4,
    Zstd,
}

impl TopicCompression {
    /// The codec a batch compressed with `batch` is stored in.
    pub fn stored(self, batch: Compression) -> Compression {
        match self {
            TopicCompression::Producer => batch,
            TopicCompression::Uncompressed => Compression::None,
            TopicCompression::Gzip => Compression::Gzip,
            TopicCompression::Snappy => Compression::Snappy,
            TopicCompression::Lz4 => Compression::Lz4,
            TopicCompression::Zstd => Compression::Zstd,
        }
    }
}

impl Default for TopicConfig {
    fn default() -> Self {
        TopicConfig {
            replication_factor: 1,
            min_insync_replicas: 1,
            unclean_leader_election_enable: false,
            segment_bytes: 1 << 30,
            segment_ms: 7 * 24 * 3600 * 1000,
            cleanup_policy: CleanupPolicy::Delete,
            retention_ms: 7 * 24 * 3600 * 1000,
            retention_bytes: -1,
            delete_retention_ms: 24 * 3600 * 1000,
            min_compaction_lag_ms: 0,
            min_cleanable_dirty_ratio: 0.5,
            compression_type: TopicCompression::Producer,
        }
    }
}

impl TopicConfig {
    pub fn validate(&self, brokers: u32) -> Result<(), ActionError> {
        let bad = |m: String| Err(ActionError::InvalidConfig(m));
        if self.replication_factor == 0 {
            return bad("Replication factor must be larger than 0.".into());
        }
        if self.replication_factor > brokers {
            return bad(format!(
                "Replication factor: {} larger than available brokers: {brokers}.",
                self.replication_factor
            ));
        }
        if self.min_insync_replicas == 0 {
            return bad("min.insync.replicas must be at least 1.".into());
        }
        if self.segment_bytes < 14 {
            return bad("segment.bytes must be at least 14.".into());
        }
        if self.segment_ms == 0 {
            return bad("segment.ms must be at least 1.".into());
        }
        use crate::ground::limits::{at_most, LONG_MAX};
        at_most("segment.ms", self.segment_ms, LONG_MAX)?;
        at_most("delete.retention.ms", self.delete_retention_ms, LONG_MAX)?;
        at_most(
            "min.compaction.lag.ms",
            self.min_compaction_lag_ms,
            LONG_MAX,
        )?;
        if self.retention_ms < -1 || self.retention_bytes < -1 {
            return bad("retention.ms and retention.bytes must be -1 (no limit) or more.".into());
        }
        if !(0.0..=1.0).contains(&self.min_cleanable_dirty_ratio) {
            return bad("min.cleanable.dirty.ratio must be between 0 and 1.".into());
        }
        Ok(())
    }

    pub fn log_config(&self, cluster: &ClusterConfig) -> LogConfig {
        LogConfig {
            segment_bytes: self.segment_bytes,
            segment_ms: self.segment_ms,
            memory_bytes: cluster.log_memory_bytes,
            compaction: self.cleanup_policy.compacts().then_some(Compaction {
                delete_retention_ms: self.delete_retention_ms,
                min_compaction_lag_ms: self.min_compaction_lag_ms,
            }),
            ..LogConfig::default()
        }
    }
}

/// Kafka's topic name rules (`org.apache.kafka.common.internals.Topic.validate`), with its
/// messages, the name in them quoted (escaped and cut, `crate::ground::quote`).
pub fn validate_topic_name(name: &str) -> Result<(), ActionError> {
    let bad = |m: String| Err(ActionError::InvalidTopicName(m));
    if name.is_empty() {
        return bad("Topic name is illegal, it can't be empty".into());
    }
    if name == "." || name == ".." {
        return bad("Topic name cannot be \".\" or \"..\"".into());
    }
    if name.len() > MAX_NAME_LENGTH {
        return bad(format!(
            "Topic name is illegal, it can't be longer than {MAX_NAME_LENGTH} characters, topic name: {}",
            quoted(name)
        ));
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-')
    {
        return bad(format!(
            "Topic name {} is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'",
            quoted(name)
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legal_names_pass() {
        for n in ["orders", "a.b_c-D9", &"x".repeat(249)] {
            assert!(validate_topic_name(n).is_ok(), "{n}");
        }
    }

    #[test]
    fn illegal_names_are_refused_with_kafkas_message() {
        let msg = |n: &str| validate_topic_name(n).unwrap_err().to_string();
        assert_eq!(msg(""), "Topic name is illegal, it can't be empty");
        assert_eq!(msg("."), "Topic name cannot be \".\" or \"..\"");
        assert_eq!(msg(".."), "Topic name cannot be \".\" or \"..\"");
        assert!(msg(&"x".repeat(250)).contains("can't be longer than 249 characters"));
        assert!(msg("my topic").contains("contains a character other than ASCII alphanumerics"));
        assert!(msg("café").contains("illegal"));
    }
}
