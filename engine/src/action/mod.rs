//! Actions: every change from outside the simulation, as plain data.
//!
//! The UI, scenario files, shared links and tests all drive the engine with these. Each is
//! validated completely before anything changes (`Simulation::apply`), so a refused action
//! leaves the simulation exactly as it was.

mod faults;
pub mod streams;

pub use faults::LinkFaults;
pub use streams::{StreamsSpec, WindowSpec};

use serde::Serialize;

use crate::cluster::TopicConfig;
use crate::consumer::ConsumerConfig;
use crate::log::record::Header;
use crate::producer::{LoadConfig, ProducerConfig};

/// Where `reset_offsets` moves a group's offsets (`kafka-consumer-groups --reset-offsets`).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ResetTo {
    /// `--to-earliest`: the log start offset.
    Earliest,
    /// `--to-latest`: the high watermark.
    Latest,
    /// `--to-offset`: this offset, clamped to what the log holds.
    Offset { offset: i64 },
    /// `--to-datetime`: the first offset with a timestamp at or after this time (ms of
    /// simulated time).
    Timestamp { ms: u64 },
    /// `--shift-by`: the committed offset plus this (negative goes back).
    ShiftBy { by: i64 },
}

/// A partition named by topic and number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PartitionRef {
    pub topic: String,
    pub partition: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Action {
    /// `CreateTopics`.
    CreateTopic {
        name: String,
        partitions: u32,
        config: TopicConfig,
    },
    /// `DeleteTopics`.
    DeleteTopic {
        name: String,
    },
    /// `CreatePartitions`: grow a topic (keys then map to other partitions).
    IncreasePartitions {
        topic: String,
        partitions: u32,
    },
    AddProducer {
        name: Option<String>,
        config: ProducerConfig,
        load: Option<LoadConfig>,
    },
    RemoveProducer {
        producer: String,
    },
    /// Start or replace a producer's load.
    SetLoad {
        producer: String,
        load: LoadConfig,
    },
    /// Change only the rate of a producer's load (0 pauses it).
    SetRate {
        producer: String,
        rate: u64,
    },
    /// `send()` one record, as typed.
    ProduceRecord {
        producer: String,
        topic: String,
        partition: Option<u32>,
        key: Option<String>,
        value: Option<String>,
        headers: Vec<Header>,
    },
    AddConsumer {
        name: Option<String>,
        config: ConsumerConfig,
        /// Topics to subscribe to (with a group.id), or to read entirely without one.
        topics: Vec<String>,
        /// Explicit partitions (`assign()`), instead of `topics`.
        assign: Option<Vec<PartitionRef>>,
    },
    /// `close()` the consumer: commit, leave the group, go away.
    RemoveConsumer {
        consumer: String,
    },
    /// Kill the consumer's process: no commit, no LeaveGroup. The group notices only when the
    /// session times out, and records polled since the last commit are delivered again.
    CrashConsumer {
        consumer: String,
    },
    /// `pause()` every assigned partition: no fetching, heartbeats go on.
    PauseConsumer {
        consumer: String,
    },
    ResumeConsumer {
        consumer: String,
    },
    /// Switch a consumer between read_uncommitted and read_committed (a restart of the consumer
    /// with the other `isolation.level`, keeping its group membership and positions).
    SetIsolation {
        consumer: String,
        level: crate::cluster::IsolationLevel,
    },
    /// How long the application takes per record, in microseconds.
    SetProcessingTime {
        consumer: String,
        us: u64,
    },
    /// `beginTransaction()` on a transactional producer.
    BeginTransaction {
        producer: String,
    },
    /// `commitTransaction()`.
    CommitTransaction {
        producer: String,
    },
    /// `abortTransaction()`.
    AbortTransaction {
        producer: String,
    },
    /// A consume-transform-produce processor from `input` to `output`.
    AddProcessor {
        name: String,
        input: String,
        output: String,
        /// Consumer group (the processor's name when unset).
        group: Option<String>,
        guarantee: crate::processor::Guarantee,
        /// Time spent per record, in microseconds.
        processing_us: u64,
    },
    /// The processor's process dies mid-work: no commit, no abort, no LeaveGroup.
    CrashProcessor {
        processor: String,
    },
    /// Start a crashed processor again (same transactional.id, same group.instance.id).
    RestartProcessor {
        processor: String,
    },
    /// Replace the network fault rules (an empty list heals the network).
    SetFaults {
        faults: Vec<crate::action::LinkFaults>,
    },
    /// `DeleteGroups`: only for a group with no members.
    DeleteGroup {
        group: String,
    },
    /// `kafka-consumer-groups --reset-offsets --execute` for one topic (every topic the group
    /// has offsets for when unset). Only for a group without active members.
    ResetOffsets {
        group: String,
        topic: Option<String>,
        to: ResetTo,
    },
    /// Kill a broker's process (`kill -9`): its log stays on disk.
    KillBroker {
        broker: i32,
    },
    /// Start a killed broker again.
    RestartBroker {
        broker: i32,
    },
    /// Slow a broker down: every message to or from it takes `delay_ms` longer (0 restores it).
    SlowBroker {
        broker: i32,
        delay_ms: u64,
    },
    /// RabbitMQ `exchange.declare`: `kind` is direct, fanout, topic or headers.
    DeclareExchange {
        name: String,
        kind: String,
    },
    /// RabbitMQ `queue.declare` with its `x-` arguments (`x-queue-type`, `x-message-ttl`, ...).
    DeclareQueue {
        name: String,
        arguments: crate::rabbit::Arguments,
    },
    /// RabbitMQ `queue.bind`: `routing_key` is the binding key (a pattern on a topic exchange).
    BindQueue {
        exchange: String,
        queue: String,
        routing_key: String,
    },
    /// The producer's application also publishes every record it sends to a RabbitMQ exchange
    /// (in confirm mode), with a routing key made from the record (`{key}`, `{region}`): both
    /// brokers get the same input.
    PublishToRabbit {
        producer: String,
        exchange: String,
        routing_key: String,
    },
    /// A RabbitMQ consumer on `queue` with `basic.qos` prefetch (0: unlimited) and manual acks;
    /// records with key `poison_key` fail in the application and are rejected, with requeue or
    /// without (dead-lettered).
    AddRabbitConsumer {
        name: String,
        queue: String,
        prefetch: u32,
        processing_us: u64,
        poison_key: Option<String>,
        requeue_poison: bool,
    },
    /// The RabbitMQ consumer's channel closes (a crash): its unacked messages are requeued.
    CloseRabbitConsumer {
        consumer: String,
    },
    /// A `KafkaShareConsumer` in share group `group` on `topic` (KIP-932). The first member
    /// creates the group with `share.record.lock.duration.ms` (`lock_ms`, 30000),
    /// `share.delivery.count.limit` (`delivery_limit`, 5) and `share.auto.offset.reset`
    /// (`auto_offset_reset`, latest); records with key `poison_key` fail in the application and
    /// are REJECTed (`reject_poison`) or RELEASEd.
    AddShareConsumer {
        name: String,
        group: String,
        topic: String,
        processing_us: u64,
        poison_key: Option<String>,
        reject_poison: bool,
        lock_ms: Option<u64>,
        delivery_limit: Option<u32>,
        auto_offset_reset: Option<String>,
        /// `share.partition.max.record.locks` (2000): the in-flight window of each partition.
        max_record_locks: Option<u32>,
    },
    /// The share consumer's process dies: its acquired records stay locked until the lock runs
    /// out.
    CrashShareConsumer {
        consumer: String,
    },
    /// A Kafka Streams application (issue 19), its fields written flat beside `type`.
    AddStreamsApp {
        #[serde(flatten)]
        spec: StreamsSpec,
    },
    /// An instance's process dies (`<application.id>-<n>`).
    CrashStreamsInstance {
        instance: String,
    },
    /// A crashed or failed instance starts again, with no local state.
    RestartStreamsInstance {
        instance: String,
    },
    /// A serving view fed by a sink group (named `name`) reading `topic`.
    AddMaterializedView {
        name: String,
        topic: String,
    },
    /// What work costs from now on (the cluster's `sim.*` cost settings, `num.io.threads`,
    /// `security.protocol`).
    SetCosts {
        costs: crate::cluster::CostConfig,
    },
}

impl Action {
    /// Short name of the action, for messages.
    pub fn name(&self) -> &'static str {
        match self {
            Action::CreateTopic { .. } => "create_topic",
            Action::DeleteTopic { .. } => "delete_topic",
            Action::IncreasePartitions { .. } => "increase_partitions",
            Action::AddProducer { .. } => "add_producer",
            Action::RemoveProducer { .. } => "remove_producer",
            Action::SetLoad { .. } => "set_load",
            Action::SetRate { .. } => "set_rate",
            Action::ProduceRecord { .. } => "produce_record",
            Action::AddConsumer { .. } => "add_consumer",
            Action::RemoveConsumer { .. } => "remove_consumer",
            Action::CrashConsumer { .. } => "crash_consumer",
            Action::PauseConsumer { .. } => "pause_consumer",
            Action::ResumeConsumer { .. } => "resume_consumer",
            Action::SetProcessingTime { .. } => "set_processing_time",
            Action::SetIsolation { .. } => "set_isolation",
            Action::SetFaults { .. } => "set_faults",
            Action::AddProcessor { .. } => "add_processor",
            Action::CrashProcessor { .. } => "crash_processor",
            Action::RestartProcessor { .. } => "restart_processor",
            Action::BeginTransaction { .. } => "begin_transaction",
            Action::CommitTransaction { .. } => "commit_transaction",
            Action::AbortTransaction { .. } => "abort_transaction",
            Action::DeleteGroup { .. } => "delete_group",
            Action::ResetOffsets { .. } => "reset_offsets",
            Action::KillBroker { .. } => "kill_broker",
            Action::RestartBroker { .. } => "restart_broker",
            Action::SlowBroker { .. } => "slow_broker",
            Action::DeclareExchange { .. } => "declare_exchange",
            Action::DeclareQueue { .. } => "declare_queue",
            Action::BindQueue { .. } => "bind_queue",
            Action::PublishToRabbit { .. } => "publish_to_rabbit",
            Action::AddRabbitConsumer { .. } => "add_rabbit_consumer",
            Action::CloseRabbitConsumer { .. } => "close_rabbit_consumer",
            Action::AddShareConsumer { .. } => "add_share_consumer",
            Action::CrashShareConsumer { .. } => "crash_share_consumer",
            Action::AddStreamsApp { .. } => "add_streams_app",
            Action::CrashStreamsInstance { .. } => "crash_streams_instance",
            Action::RestartStreamsInstance { .. } => "restart_streams_instance",
            Action::AddMaterializedView { .. } => "add_materialized_view",
            Action::SetCosts { .. } => "set_costs",
        }
    }
}

/// What an applied action did, for a confirmation line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Applied {
    pub summary: String,
    /// For `produce_record`: the partition the record went to.
    pub partition: Option<u32>,
}
