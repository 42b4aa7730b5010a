//! The configs: cluster, topic, producer, load and consumer, each field by its Kafka name and
//! absent fields at Kafka's defaults (the types' `Default`), and the named settings they hold.

use serde_json::Value;

use super::{named, At, FromJson, Obj};
use crate::cluster::{
    CleanupPolicy, ClusterConfig, CostConfig, IsolationLevel, SecurityProtocol, TopicCompression,
    TopicConfig,
};
use crate::consumer::{ConsumerConfig, OffsetResetStrategy};
use crate::log::Compression;
use crate::processor::Guarantee;
use crate::producer::{KeyDistribution, LoadConfig, PartitionerKind, ProducerConfig};
use crate::protocol::{Acks, AssignorName, GroupProtocol, ServerAssignor};

impl FromJson for ClusterConfig {
    fn from_json(v: &Value, at: &At) -> Result<Self, String> {
        let o = Obj::new(v, at, "a cluster config (an object)")?;
        let mut c = ClusterConfig::default();
        o.set("brokers", &mut c.brokers)?;
        o.set("network.delay.ms", &mut c.network_delay_ms)?;
        o.set(
            "offsets.topic.num.partitions",
            &mut c.offsets_topic_partitions,
        )?;
        o.set(
            "transaction.state.log.num.partitions",
            &mut c.transaction_state_partitions,
        )?;
        o.set(
            "group.initial.rebalance.delay.ms",
            &mut c.group_initial_rebalance_delay_ms,
        )?;
        o.set(
            "group.min.session.timeout.ms",
            &mut c.group_min_session_timeout_ms,
        )?;
        o.set(
            "group.max.session.timeout.ms",
            &mut c.group_max_session_timeout_ms,
        )?;
        o.set("group.max.size", &mut c.group_max_size)?;
        o.set(
            "group.consumer.heartbeat.interval.ms",
            &mut c.group_consumer_heartbeat_interval_ms,
        )?;
        o.set(
            "group.consumer.session.timeout.ms",
            &mut c.group_consumer_session_timeout_ms,
        )?;
        o.set(
            "broker.session.timeout.ms",
            &mut c.broker_session_timeout_ms,
        )?;
        o.set("replica.lag.time.max.ms", &mut c.replica_lag_time_max_ms)?;
        o.set(
            "replica.fetch.wait.max.ms",
            &mut c.replica_fetch_wait_max_ms,
        )?;
        o.set("replica.fetch.max.bytes", &mut c.replica_fetch_max_bytes)?;
        o.set("replica.fetch.backoff.ms", &mut c.replica_fetch_backoff_ms)?;
        o.set(
            "log.retention.check.interval.ms",
            &mut c.log_retention_check_interval_ms,
        )?;
        o.set("log.cleaner.backoff.ms", &mut c.log_cleaner_backoff_ms)?;
        o.set(
            "auto.leader.rebalance.enable",
            &mut c.auto_leader_rebalance_enable,
        )?;
        o.set(
            "leader.imbalance.check.interval.seconds",
            &mut c.leader_imbalance_check_interval_seconds,
        )?;
        o.set("sim.log.memory.bytes", &mut c.log_memory_bytes)?;
        set_costs(&o, &mut c.costs)?;
        o.done(c)
    }
}

/// The cost settings, in a cluster config or a `set_costs` action.
fn set_costs(o: &Obj<'_>, k: &mut CostConfig) -> Result<(), String> {
    o.set("sim.costs.enabled", &mut k.enabled)?;
    o.set("security.protocol", &mut k.security_protocol)?;
    o.set("num.io.threads", &mut k.num_io_threads)?;
    o.set("sim.network.bandwidth.mbit", &mut k.network_bandwidth_mbit)?;
    o.set("sim.request.cost.us", &mut k.request_cost_us)?;
    o.set("sim.request.byte.cost.ns", &mut k.request_byte_cost_ns)?;
    o.set("sim.page.cache.bytes", &mut k.page_cache_bytes)?;
    o.set("sim.disk.read.mb.per.s", &mut k.disk_read_mb_per_s)?;
    o.set("sim.tls.byte.cost.ns", &mut k.tls_byte_cost_ns)
}

impl FromJson for CostConfig {
    fn from_json(v: &Value, at: &At) -> Result<Self, String> {
        let o = Obj::new(v, at, "cost settings (an object)")?;
        let mut c = CostConfig::default();
        set_costs(&o, &mut c)?;
        o.done(c)
    }
}

impl FromJson for TopicConfig {
    fn from_json(v: &Value, at: &At) -> Result<Self, String> {
        let o = Obj::new(v, at, "a topic config (an object)")?;
        let mut c = TopicConfig::default();
        o.set("replication.factor", &mut c.replication_factor)?;
        o.set("min.insync.replicas", &mut c.min_insync_replicas)?;
        o.set(
            "unclean.leader.election.enable",
            &mut c.unclean_leader_election_enable,
        )?;
        o.set("segment.bytes", &mut c.segment_bytes)?;
        o.set("segment.ms", &mut c.segment_ms)?;
        o.set("cleanup.policy", &mut c.cleanup_policy)?;
        o.set("retention.ms", &mut c.retention_ms)?;
        o.set("retention.bytes", &mut c.retention_bytes)?;
        o.set("delete.retention.ms", &mut c.delete_retention_ms)?;
        o.set("min.compaction.lag.ms", &mut c.min_compaction_lag_ms)?;
        o.set(
            "min.cleanable.dirty.ratio",
            &mut c.min_cleanable_dirty_ratio,
        )?;
        o.set("compression.type", &mut c.compression_type)?;
        o.done(c)
    }
}

impl FromJson for ProducerConfig {
    fn from_json(v: &Value, at: &At) -> Result<Self, String> {
        let o = Obj::new(v, at, "a producer config (an object)")?;
        let mut c = ProducerConfig::default();
        o.set("batch.size", &mut c.batch_size)?;
        o.set("linger.ms", &mut c.linger_ms)?;
        o.set("acks", &mut c.acks)?;
        o.set(
            "max.in.flight.requests.per.connection",
            &mut c.max_in_flight,
        )?;
        o.set("enable.idempotence", &mut c.enable_idempotence)?;
        o.set("partitioner.class", &mut c.partitioner)?;
        o.set("partitioner.ignore.keys", &mut c.partitioner_ignore_keys)?;
        o.set(
            "partitioner.adaptive.partitioning.enable",
            &mut c.adaptive_partitioning,
        )?;
        o.set("request.timeout.ms", &mut c.request_timeout_ms)?;
        o.set("delivery.timeout.ms", &mut c.delivery_timeout_ms)?;
        o.set("retries", &mut c.retries)?;
        o.set("retry.backoff.ms", &mut c.retry_backoff_ms)?;
        o.set("retry.backoff.max.ms", &mut c.retry_backoff_max_ms)?;
        o.set("max.request.size", &mut c.max_request_size)?;
        o.set("buffer.memory", &mut c.buffer_memory)?;
        o.set("max.block.ms", &mut c.max_block_ms)?;
        o.set("transactional.id", &mut c.transactional_id)?;
        o.set("compression.type", &mut c.compression_type)?;
        o.set("transaction.timeout.ms", &mut c.transaction_timeout_ms)?;
        o.set("sim.transaction.ms", &mut c.transaction_ms)?;
        o.set("sim.abort.percent", &mut c.abort_percent)?;
        o.done(c)
    }
}

impl FromJson for LoadConfig {
    fn from_json(v: &Value, at: &At) -> Result<Self, String> {
        let o = Obj::new(v, at, "a load (an object)")?;
        let c = LoadConfig {
            topic: o.req("topic")?,
            rate: o.req("rate")?,
            keys: o.or("keys", LoadConfig::DEFAULT_KEYS)?,
            value_bytes: o.or("value_bytes", LoadConfig::DEFAULT_VALUE_BYTES)?,
            events: o.or_default("events")?,
            compression_ratio: o.or_default("compression_ratio")?,
        };
        o.done(c)
    }
}

impl FromJson for crate::producer::events::EventModel {
    fn from_json(v: &Value, at: &At) -> Result<Self, String> {
        use crate::producer::events::EventType;
        let o = Obj::new(v, at, "an event model (an object with a type)")?;
        let kind = match o.with("type", |v, at| {
            named(v, at, &[("click", 0), ("view", 1), ("purchase", 2)])
        })? {
            None => return Err(at.error("missing field `type`")),
            Some(0) => EventType::Click,
            Some(1) => EventType::View,
            Some(_) => EventType::Purchase,
        };
        let m = Self {
            kind,
            amount_min: o.or("amount_min", 1)?,
            amount_max: o.or("amount_max", 100)?,
            malformed_percent: o.or_default("malformed_percent")?,
            missing_field_percent: o.or_default("missing_field_percent")?,
        };
        o.done(m)
    }
}

/// Internally tagged by `type`, as the derived `Serialize` writes it.
impl FromJson for KeyDistribution {
    fn from_json(v: &Value, at: &At) -> Result<Self, String> {
        let o = Obj::new(v, at, "a key distribution (an object with a type)")?;
        let kind = o.with("type", |v, at| {
            named(
                v,
                at,
                &[("none", 0), ("uniform", 1), ("hot_key", 2), ("zipf", 3)],
            )
        })?;
        let keys = match kind {
            None => return Err(at.error("missing field `type`")),
            Some(0) => KeyDistribution::None,
            Some(1) => KeyDistribution::Uniform {
                keys: o.req("keys")?,
            },
            Some(2) => KeyDistribution::HotKey {
                keys: o.req("keys")?,
                hot_percent: o.req("hot_percent")?,
            },
            Some(_) => KeyDistribution::Zipf {
                keys: o.req("keys")?,
                exponent: o.req("exponent")?,
            },
        };
        o.done(keys)
    }
}

impl FromJson for ConsumerConfig {
    fn from_json(v: &Value, at: &At) -> Result<Self, String> {
        let o = Obj::new(v, at, "a consumer config (an object)")?;
        let mut c = ConsumerConfig::default();
        o.set("group.id", &mut c.group_id)?;
        o.set("group.instance.id", &mut c.group_instance_id)?;
        o.set("group.protocol", &mut c.group_protocol)?;
        o.set("group.remote.assignor", &mut c.remote_assignor)?;
        o.set("partition.assignment.strategy", &mut c.assignors)?;
        o.set("session.timeout.ms", &mut c.session_timeout_ms)?;
        o.set("heartbeat.interval.ms", &mut c.heartbeat_interval_ms)?;
        o.set("max.poll.interval.ms", &mut c.max_poll_interval_ms)?;
        o.set("enable.auto.commit", &mut c.enable_auto_commit)?;
        o.set("auto.commit.interval.ms", &mut c.auto_commit_interval_ms)?;
        o.set("auto.offset.reset", &mut c.auto_offset_reset)?;
        o.set("max.poll.records", &mut c.max_poll_records)?;
        o.set("fetch.max.wait.ms", &mut c.fetch_max_wait_ms)?;
        o.set("fetch.min.bytes", &mut c.fetch_min_bytes)?;
        o.set("fetch.max.bytes", &mut c.fetch_max_bytes)?;
        o.set(
            "max.partition.fetch.bytes",
            &mut c.max_partition_fetch_bytes,
        )?;
        o.set("isolation.level", &mut c.isolation_level)?;
        o.set("retry.backoff.ms", &mut c.retry_backoff_ms)?;
        o.set("sim.processing.time.us", &mut c.processing_us)?;
        o.set("sim.commit.after.poll", &mut c.commit_after_poll)?;
        o.done(c)
    }
}

/// The settings that take one of a few names: the first spelling of each is the one written.
macro_rules! named_setting {
    ($($ty:ty => [$($name:literal => $value:expr),+ $(,)?];)+) => {$(
        impl FromJson for $ty {
            fn from_json(v: &Value, at: &At) -> Result<Self, String> {
                named(v, at, &[$(($name, $value)),+])
            }
        }
    )+};
}

named_setting! {
    SecurityProtocol => ["PLAINTEXT" => SecurityProtocol::Plaintext, "SSL" => SecurityProtocol::Ssl];
    TopicCompression => [
        "producer" => TopicCompression::Producer,
        "uncompressed" => TopicCompression::Uncompressed,
        "gzip" => TopicCompression::Gzip,
        "snappy" => TopicCompression::Snappy,
        "lz4" => TopicCompression::Lz4,
        "zstd" => TopicCompression::Zstd,
    ];
    Compression => [
        "none" => Compression::None,
        "gzip" => Compression::Gzip,
        "snappy" => Compression::Snappy,
        "lz4" => Compression::Lz4,
        "zstd" => Compression::Zstd,
    ];
    Acks => ["0" => Acks::None, "1" => Acks::Leader, "all" => Acks::All, "-1" => Acks::All];
    PartitionerKind => ["built-in" => PartitionerKind::BuiltIn, "round-robin" => PartitionerKind::RoundRobin];
    CleanupPolicy => [
        "delete" => CleanupPolicy::Delete,
        "compact" => CleanupPolicy::Compact,
        "compact,delete" => CleanupPolicy::CompactDelete,
        "delete,compact" => CleanupPolicy::CompactDelete,
    ];
    GroupProtocol => ["classic" => GroupProtocol::Classic, "consumer" => GroupProtocol::Consumer];
    ServerAssignor => ["uniform" => ServerAssignor::Uniform, "range" => ServerAssignor::Range];
    AssignorName => [
        "range" => AssignorName::Range,
        "roundrobin" => AssignorName::RoundRobin,
        "sticky" => AssignorName::Sticky,
        "cooperative-sticky" => AssignorName::CooperativeSticky,
    ];
    OffsetResetStrategy => [
        "earliest" => OffsetResetStrategy::Earliest,
        "latest" => OffsetResetStrategy::Latest,
        "none" => OffsetResetStrategy::None,
    ];
    IsolationLevel => [
        "read_uncommitted" => IsolationLevel::ReadUncommitted,
        "read_committed" => IsolationLevel::ReadCommitted,
    ];
    Guarantee => ["exactly_once" => Guarantee::ExactlyOnce, "at_least_once" => Guarantee::AtLeastOnce];
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    #[test]
    fn configs_read_kafka_names_and_refuse_others() {
        let c: ProducerConfig =
            parse(r#"{"linger.ms": 50, "acks": "1", "batch.size": 1000}"#).unwrap();
        assert_eq!(
            (c.linger_ms, c.acks, c.batch_size),
            (50, Acks::Leader, 1000)
        );
        assert_eq!(
            c.max_in_flight,
            ProducerConfig::default().max_in_flight,
            "absent fields keep Kafka's defaults"
        );
        let e = parse::<ProducerConfig>(r#"{"lingerms": 5}"#).unwrap_err();
        assert!(
            e.starts_with("lingerms: unknown field \"lingerms\", expected one of `batch.size`"),
            "{e}"
        );
        let e = parse::<ConsumerConfig>(r#"{"isolation.level": "read-committed"}"#).unwrap_err();
        assert_eq!(
            e,
            "isolation.level: unknown variant \"read-committed\", expected one of \
             `read_uncommitted` or `read_committed`."
        );
    }

    #[test]
    fn a_load_needs_a_topic_and_a_rate_and_defaults_the_rest() {
        let l: LoadConfig = parse(r#"{"topic": "t", "rate": 5}"#).unwrap();
        assert_eq!(l.keys, LoadConfig::DEFAULT_KEYS);
        assert_eq!(l.value_bytes, LoadConfig::DEFAULT_VALUE_BYTES);
        assert_eq!(
            parse::<LoadConfig>(r#"{"topic": "t"}"#).unwrap_err(),
            "missing field `rate`."
        );
        let e =
            parse::<LoadConfig>(r#"{"topic": "t", "rate": 5, "keys": {"keys": 3}}"#).unwrap_err();
        assert_eq!(e, "keys: missing field `type`.");
    }
}
