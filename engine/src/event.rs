//! Events: what happened, in Kafka's vocabulary, for the protocol log, timelines and tests.
//!
//! Events are coarse (one per request, response, state change), never one per record. Hot
//! events name clients by index; `Simulation::describe` renders any event as a line of text.

use serde::Serialize;

use crate::ground::{BrokerId, Tp};
use crate::ground::{ErrorCode, Millis};

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Event {
    /// Running number, starting at 0; readers ask for events after the last one they saw.
    pub seq: u64,
    pub time: Millis,
    pub kind: EventKind,
}

/// Why a group rebalances.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RebalanceReason {
    MemberJoined(String),
    MemberLeft(String),
    SessionTimeout(String),
    RebalanceTimeout(String),
    MetadataChanged,
    CooperativeFollowUp,
}

impl std::fmt::Display for RebalanceReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RebalanceReason::MemberJoined(m) => write!(f, "member {m} joined"),
            RebalanceReason::MemberLeft(m) => write!(f, "member {m} left"),
            RebalanceReason::SessionTimeout(m) => {
                write!(f, "member {m} missed its session timeout")
            }
            RebalanceReason::RebalanceTimeout(m) => write!(f, "member {m} did not rejoin in time"),
            RebalanceReason::MetadataChanged => write!(f, "subscribed topic metadata changed"),
            RebalanceReason::CooperativeFollowUp => {
                write!(
                    f,
                    "revoked partitions must be reassigned (cooperative round 2)"
                )
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "type")]
pub enum EventKind {
    // --- admin ---
    TopicCreated {
        topic: String,
        partitions: u32,
    },
    TopicDeleted {
        topic: String,
    },
    PartitionsIncreased {
        topic: String,
        from: u32,
        to: u32,
    },
    ProducerAdded {
        producer: u32,
    },
    ProducerRemoved {
        producer: u32,
    },
    LoadChanged {
        producer: u32,
        rate: u64,
    },
    ConsumerAdded {
        consumer: u32,
    },
    ConsumerRemoved {
        consumer: u32,
    },
    ConsumerCrashed {
        consumer: u32,
    },
    ConsumerPaused {
        consumer: u32,
    },
    ConsumerResumed {
        consumer: u32,
    },
    ConsumerConfigChanged {
        consumer: u32,
    },

    // --- produce ---
    InitProducerId {
        producer: u32,
        broker: BrokerId,
        producer_id: i64,
        epoch: i16,
    },
    ProduceRequest {
        producer: u32,
        broker: BrokerId,
        request_id: u64,
        batches: u32,
        records: u32,
        bytes: u32,
    },
    ProduceResponse {
        producer: u32,
        broker: BrokerId,
        request_id: u64,
        batches: u32,
        error: Option<ErrorCode>,
        duplicates: u32,
    },
    ProduceRequestLost {
        producer: u32,
        broker: BrokerId,
        request_id: u64,
    },
    ProduceResponseLost {
        producer: u32,
        broker: BrokerId,
        request_id: u64,
    },
    FaultsChanged {
        rules: u32,
    },
    ProduceRequestTimedOut {
        producer: u32,
        broker: BrokerId,
        request_id: u64,
    },
    BatchRetried {
        producer: u32,
        tp: Tp,
        records: u32,
        attempt: u32,
        error: ErrorCode,
    },
    BatchFailed {
        producer: u32,
        tp: Tp,
        records: u32,
        error: Option<ErrorCode>,
    },

    // --- fetch ---
    FetchRequest {
        consumer: u32,
        broker: BrokerId,
        request_id: u64,
        partitions: u32,
    },
    FetchResponse {
        consumer: u32,
        broker: BrokerId,
        request_id: u64,
        records: u64,
        bytes: u64,
    },
    OffsetReset {
        consumer: u32,
        tp: Tp,
        offset: i64,
        strategy: String,
    },

    // --- transactions ---
    TransactionBegun {
        producer: u32,
    },
    AddPartitionsToTxn {
        producer: u32,
        transactional_id: String,
        partitions: Vec<Tp>,
        error: Option<ErrorCode>,
    },
    AddOffsetsToTxn {
        producer: u32,
        transactional_id: String,
        group: String,
        error: Option<ErrorCode>,
    },
    EndTxn {
        producer: u32,
        transactional_id: String,
        commit: bool,
        error: Option<ErrorCode>,
    },
    TxnStateChanged {
        transactional_id: String,
        producer_id: i64,
        epoch: i16,
        from: String,
        to: String,
    },
    TxnMarkerWritten {
        tp: Tp,
        producer_id: i64,
        commit: bool,
        offset: i64,
    },
    TransactionTimedOut {
        transactional_id: String,
        producer_id: i64,
    },
    ProducerFenced {
        producer: u32,
        error: ErrorCode,
    },
    ProcessorAdded {
        processor: u32,
    },
    ProcessorProcessed {
        processor: u32,
        records: u32,
    },
    ProcessorCrashed {
        processor: u32,
    },
    ProcessorRestarted {
        processor: u32,
        incarnation: u32,
    }, // --- group protocol ---
    FindCoordinator {
        consumer: u32,
        group: String,
        broker: BrokerId,
    },
    JoinGroup {
        group: String,
        consumer: u32,
        member: String,
        owned: u32,
    },
    JoinGroupResponse {
        group: String,
        member: String,
        generation: i32,
        leader: String,
        error: Option<ErrorCode>,
    },
    SyncGroup {
        group: String,
        member: String,
        generation: i32,
        is_leader: bool,
    },
    SyncGroupResponse {
        group: String,
        member: String,
        generation: i32,
        partitions: u32,
        error: Option<ErrorCode>,
    },
    Heartbeat {
        group: String,
        member: String,
        error: Option<ErrorCode>,
    },
    LeaveGroup {
        group: String,
        member: String,
    },
    OffsetCommit {
        group: String,
        member: String,
        partitions: u32,
        error: Option<ErrorCode>,
    },
    TxnOffsetCommit {
        group: String,
        producer_id: i64,
        partitions: u32,
        error: Option<ErrorCode>,
    },
    OffsetFetch {
        group: String,
        member: String,
        partitions: u32,
    },
    GroupStateChanged {
        group: String,
        from: String,
        to: String,
        generation: i32,
    },
    RebalanceStarted {
        group: String,
        generation: i32,
        reason: RebalanceReason,
    },
    RebalanceCompleted {
        group: String,
        generation: i32,
        protocol: String,
        leader: String,
        members: u32,
    },
    MemberRemoved {
        group: String,
        member: String,
        reason: String,
    },
    PartitionsRevoked {
        group: String,
        consumer: u32,
        partitions: Vec<Tp>,
    },
    PartitionsAssigned {
        group: String,
        consumer: u32,
        partitions: Vec<Tp>,
    },
    // --- brokers and replication ---
    BrokerKilled {
        broker: BrokerId,
    },
    /// The controller stopped hearing from the broker and fenced it: it loses its leaderships.
    BrokerFenced {
        broker: BrokerId,
    },
    BrokerRestarted {
        broker: BrokerId,
    },
    BrokerSlowed {
        broker: BrokerId,
        delay_ms: u64,
    },
    LeaderElected {
        tp: Tp,
        leader: Option<BrokerId>,
        epoch: i32,
        unclean: bool,
        isr: Vec<BrokerId>,
        /// Records the previous leader had that the new one lacks.
        records_dropped: u64,
    },
    IsrShrunk {
        tp: Tp,
        removed: Vec<BrokerId>,
        isr: Vec<BrokerId>,
        /// Removed for lagging (false: its broker was fenced).
        lagging: bool,
        /// The ISR is now smaller than this effective `min.insync.replicas`: the leader refuses
        /// acks=all writes and holds its high watermark (Kafka 3.7+).
        under_min_isr: Option<u32>,
    },
    /// Partitions of the internal topics got new leaders: the group and transaction
    /// coordinators they host moved.
    CoordinatorsMoved {
        from: BrokerId,
        partitions: u32,
    },
    IsrExpanded {
        tp: Tp,
        added: BrokerId,
        isr: Vec<BrokerId>,
    },
    FollowerTruncated {
        tp: Tp,
        broker: BrokerId,
        to: i64,
    },
    // --- storage ---
    /// Retention deleted the oldest segments of the leader's log.
    SegmentsDeleted {
        tp: Tp,
        segments: u32,
        /// By `retention.ms` (else by `retention.bytes`).
        by_time: bool,
        log_start_from: i64,
        log_start_to: i64,
    },
    /// The log cleaner compacted the leader's log.
    LogCleaned {
        tp: Tp,
        records_removed: u64,
        tombstones_removed: u64,
        cleaned_up_to: i64,
    },
    /// An admin reset a group's committed offsets (`kafka-consumer-groups --reset-offsets`).
    OffsetsReset {
        group: String,
        partitions: u32,
        to: String,
    },
    // New variants go last: the trace hash includes each variant's position, so one added in
    // the middle would change the fingerprint of every run.
    /// KIP-360: an idempotent producer bumped its own epoch after it lost track of what a
    /// partition's leader holds; those partitions' sequences restart at 0. `epoch` is `None`
    /// when the epoch ran out and a new producer id is requested instead.
    ProducerEpochBumped {
        producer: u32,
        producer_id: i64,
        epoch: Option<i16>,
        partitions: Vec<Tp>,
    },
    /// KIP-320: after the leader changed, a consumer asked it (`OffsetsForLeaderEpoch`) where
    /// `epoch`, the epoch of its last record, ends; `end_offset` is -1 if the leader knows no
    /// such epoch. Below `position` means the log was truncated under the consumer.
    PositionValidated {
        consumer: u32,
        tp: Tp,
        position: i64,
        epoch: i32,
        leader_epoch: i32,
        end_offset: i64,
        outcome: ValidationOutcome,
    },
    /// With `auto.leader.rebalance.enable`, the controller's periodic check moved leadership
    /// back to the partition's preferred replica (the first in its assignment), which is alive
    /// and in sync again (`QuorumController` leader balancing).
    PreferredLeaderElected {
        tp: Tp,
        leader: BrokerId,
        previous: BrokerId,
        epoch: i32,
    },
    /// A consumer's OffsetFetch was answered UNSTABLE_OFFSET_COMMIT: an open transaction has sent
    /// offsets for `partitions` of the ones it asked about; it asks again after
    /// `retry.backoff.ms` (KIP-447).
    OffsetFetchUnstable {
        group: String,
        consumer: u32,
        partitions: u32,
    },
    // --- the consumer group protocol (KIP-848) ---
    /// A member joined a consumer-protocol group with ConsumerGroupHeartbeat at epoch 0.
    ConsumerGroupJoin {
        group: String,
        consumer: u32,
        member: String,
    },
    /// The group epoch moved: the group's make-up changed and a new target assignment is due.
    GroupEpochBumped {
        group: String,
        epoch: i32,
        reason: String,
    },
    /// The coordinator computed the target assignment for `epoch` with a server assignor.
    TargetAssignmentComputed {
        group: String,
        epoch: i32,
        assignor: String,
        members: u32,
    },
    /// A member's reconciliation moved (`CurrentAssignmentBuilder`): its epoch, its state, what
    /// it may own now and what it was told to revoke.
    MemberReconciled {
        group: String,
        member: String,
        from_epoch: i32,
        epoch: i32,
        state: String,
        assigned: u32,
        revoking: u32,
    },
    /// A ConsumerGroupHeartbeat answered with an error (fenced epoch, unknown member ...).
    ConsumerGroupHeartbeatFailed {
        group: String,
        member: String,
        error: ErrorCode,
    },
    /// A fenced broker that kept running is let back in by the controller: its heartbeats
    /// arrive in time again and it caught up with the metadata.
    BrokerUnfenced {
        broker: BrokerId,
    },
    /// A produce request lost its connection before an answer came (the broker died): its
    /// batches are retried at once with NETWORK_EXCEPTION.
    ProduceRequestDisconnected {
        producer: u32,
        broker: BrokerId,
        request_id: u64,
    },
    /// The producer's buffer pool is full: `send()` blocks (the load stops) until batches
    /// complete, for at most `max.block.ms`.
    SendBlocked {
        producer: u32,
        buffer_memory: u64,
        used: u64,
    },
    /// `send()` blocked `max.block.ms` without getting memory: the record fails
    /// (BufferExhaustedException) and the application goes on.
    BufferExhausted {
        producer: u32,
        bytes: u32,
        max_block_ms: u64,
        buffer_memory: u64,
        available: u64,
    },
    /// RabbitMQ `exchange.declare-ok`.
    RabbitExchangeDeclared {
        name: String,
        kind: String,
    },
    /// RabbitMQ `queue.declare-ok`.
    RabbitQueueDeclared {
        name: String,
        queue_type: String,
    },
    /// RabbitMQ `queue.bind-ok`.
    RabbitQueueBound {
        exchange: String,
        queue: String,
        routing_key: String,
    },
    /// A producer's application publishes to RabbitMQ too, in confirm mode.
    RabbitPublisherStarted {
        producer: u32,
        exchange: String,
        routing_key: String,
    },
    /// `basic.consume-ok` after `basic.qos`.
    RabbitConsumerAdded {
        name: String,
        queue: String,
        prefetch: u32,
    },
    /// A consumer's channel closed: its `requeued` unacked messages went back to the queue.
    RabbitConsumerClosed {
        name: String,
        queue: String,
        requeued: u64,
    },
    /// `count` messages left `queue` for dead-letter exchange `exchange` (`x-death` reason).
    RabbitDeadLettered {
        queue: String,
        reason: String,
        exchange: String,
        count: u64,
    },
    /// `count` messages left `queue` with no dead-letter exchange: gone.
    RabbitDropped {
        queue: String,
        reason: String,
        count: u64,
    },
    /// A `KafkaShareConsumer` joined share group `group` reading `topic`.
    ShareConsumerAdded {
        name: String,
        group: String,
        topic: String,
    },
    /// A share consumer's process died; its acquisition locks run out in `lock_ms`.
    ShareConsumerCrashed {
        name: String,
        group: String,
        lock_ms: u64,
    },
    /// A Kafka Streams application started with `instances` instances.
    StreamsAppStarted {
        application_id: String,
        instances: u32,
    },
    StreamsInstanceCrashed {
        instance: String,
    },
    StreamsInstanceRestarted {
        instance: String,
        incarnation: u32,
    },
    /// A task `0_<task>` was assigned to `instance`: it restores `records` changelog records
    /// before it processes.
    StreamsTaskRestoring {
        instance: String,
        task: u32,
        records: u64,
    },
    /// The stream thread died of an exception (`LogAndFailProcessingExceptionHandler`).
    StreamsThreadFailed {
        instance: String,
        message: String,
    },
    /// A transaction that added no partition and no offsets ended in the client alone: no
    /// EndTxn went to the coordinator, which never heard of it.
    EmptyTransactionEnded {
        producer: u32,
        transactional_id: String,
        commit: bool,
    },
    /// The cost settings changed (`set_costs`): network, handler threads, disk, TLS.
    CostsChanged {
        enabled: bool,
        tls: bool,
    },
}

/// What a consumer's position validation found (`SubscriptionState.maybeCompleteValidation`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValidationOutcome {
    /// The new leader holds everything below the position.
    Valid,
    /// The log diverges below the position: seek to the first offset known to diverge.
    Truncated { seek_to: i64 },
    /// The leader knows no such epoch: `auto.offset.reset` decides.
    Reset,
    /// Truncated, and `auto.offset.reset=none`: poll() throws `LogTruncationException`.
    NoResetPolicy,
}

/// Coarse families of events, for filtering a protocol log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Admin,
    Produce,
    Fetch,
    Group,
    Heartbeat,
    Offsets,
    Transaction,
    /// Brokers, leaders, the ISR.
    Replication,
    /// Segments, retention, compaction.
    Storage,
    /// The RabbitMQ node beside the cluster.
    Rabbit,
}

impl EventKind {
    pub fn category(&self) -> Category {
        use EventKind::*;
        match self {
            TopicCreated { .. }
            | TopicDeleted { .. }
            | PartitionsIncreased { .. }
            | ProducerAdded { .. }
            | ProducerRemoved { .. }
            | LoadChanged { .. }
            | ConsumerAdded { .. }
            | ConsumerRemoved { .. }
            | ConsumerCrashed { .. }
            | FaultsChanged { .. }
            | CostsChanged { .. }
            | ConsumerPaused { .. }
            | ConsumerResumed { .. }
            | ConsumerConfigChanged { .. } => Category::Admin,
            InitProducerId { .. }
            | ProduceRequest { .. }
            | ProduceResponse { .. }
            | ProduceRequestTimedOut { .. }
            | ProduceRequestDisconnected { .. }
            | SendBlocked { .. }
            | BufferExhausted { .. }
            | ProduceRequestLost { .. }
            | ProduceResponseLost { .. }
            | BatchRetried { .. }
            | BatchFailed { .. }
            | ProducerEpochBumped { .. } => Category::Produce,
            FetchRequest { .. } | FetchResponse { .. } => Category::Fetch,
            TransactionBegun { .. }
            | AddPartitionsToTxn { .. }
            | AddOffsetsToTxn { .. }
            | EndTxn { .. }
            | EmptyTransactionEnded { .. }
            | TxnStateChanged { .. }
            | TxnMarkerWritten { .. }
            | TransactionTimedOut { .. }
            | ProducerFenced { .. }
            | ProcessorProcessed { .. } => Category::Transaction,
            ProcessorAdded { .. } | ProcessorCrashed { .. } | ProcessorRestarted { .. } => {
                Category::Admin
            }
            Heartbeat { .. } => Category::Heartbeat,
            OffsetCommit { .. }
            | OffsetFetch { .. }
            | OffsetReset { .. }
            | PositionValidated { .. }
            | OffsetFetchUnstable { .. }
            | TxnOffsetCommit { .. } => Category::Offsets,
            FindCoordinator { .. }
            | ConsumerGroupJoin { .. }
            | GroupEpochBumped { .. }
            | TargetAssignmentComputed { .. }
            | MemberReconciled { .. }
            | ConsumerGroupHeartbeatFailed { .. }
            | JoinGroup { .. }
            | JoinGroupResponse { .. }
            | SyncGroup { .. }
            | SyncGroupResponse { .. }
            | LeaveGroup { .. }
            | GroupStateChanged { .. }
            | RebalanceStarted { .. }
            | RebalanceCompleted { .. }
            | MemberRemoved { .. }
            | PartitionsRevoked { .. }
            | PartitionsAssigned { .. } => Category::Group,
            BrokerKilled { .. }
            | BrokerFenced { .. }
            | BrokerUnfenced { .. }
            | BrokerRestarted { .. }
            | BrokerSlowed { .. }
            | LeaderElected { .. }
            | PreferredLeaderElected { .. }
            | IsrShrunk { .. }
            | CoordinatorsMoved { .. }
            | IsrExpanded { .. }
            | FollowerTruncated { .. } => Category::Replication,
            SegmentsDeleted { .. } | LogCleaned { .. } => Category::Storage,
            OffsetsReset { .. } => Category::Offsets,
            RabbitExchangeDeclared { .. }
            | RabbitQueueDeclared { .. }
            | RabbitQueueBound { .. }
            | RabbitPublisherStarted { .. }
            | RabbitConsumerAdded { .. }
            | RabbitConsumerClosed { .. }
            | RabbitDeadLettered { .. }
            | RabbitDropped { .. } => Category::Rabbit,
            ShareConsumerAdded { .. } | ShareConsumerCrashed { .. } => Category::Group,
            StreamsAppStarted { .. }
            | StreamsInstanceCrashed { .. }
            | StreamsInstanceRestarted { .. }
            | StreamsThreadFailed { .. } => Category::Admin,
            StreamsTaskRestoring { .. } => Category::Storage,
        }
    }
}
