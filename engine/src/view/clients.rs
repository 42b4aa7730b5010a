//! The clients as the page draws them: producers, consumers and processors.

use crate::ground::latency::LatencySummary;
use serde::Serialize;

use crate::cluster::IsolationLevel;
use crate::consumer::{ConsumerStats, MemberState};
use crate::producer::{KeyDistribution, PartitionerKind, ProducerStats};
use crate::protocol::Acks;
use crate::sim::Simulation;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProducerView {
    pub index: u32,
    pub name: String,
    pub topic: Option<String>,
    /// The deleted topic the producer's load was for; it resumes when a topic of that name is
    /// created again.
    pub waiting_for_topic: Option<String>,
    pub rate: u64,
    pub keys: Option<KeyDistribution>,
    pub value_bytes: u32,
    pub acks: Acks,
    pub batch_size: u32,
    pub linger_ms: u64,
    pub max_in_flight: u32,
    pub idempotent: bool,
    pub partitioner: PartitionerKind,
    pub producer_id: Option<i64>,
    pub producer_epoch: Option<i16>,
    pub queued_records: u64,
    pub queued_batches: u64,
    pub in_flight_requests: u32,
    /// Bytes of batches held in the buffer pool (waiting or in flight), of `buffer.memory`.
    pub buffer_used: u64,
    pub buffer_memory: u64,
    /// How long the current `send()` has been blocked on a full pool (0: not blocked).
    pub blocked_ms: u64,
    pub max_block_ms: u64,
    /// Average records per acknowledged batch over the recent history.
    pub avg_batch_records: f64,
    /// Average batches per produce request over the recent history.
    pub avg_request_batches: f64,
    pub sticky_partition: Option<u32>,
    pub stats: ProducerStats,
    /// Send-to-acknowledgement latency over the last five to ten seconds.
    pub latency: LatencySummary,
    pub transactional_id: Option<String>,
    /// `TransactionManager` state of a transactional producer.
    pub transaction_state: Option<String>,
    pub transactions_committed: u64,
    pub transactions_aborted: u64,
    /// The producer whose processor it belongs to.
    pub processor: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AssignedView {
    pub topic: String,
    pub partition: u32,
    pub position: Option<i64>,
    pub committed: Option<i64>,
    /// End offset minus position (the consumer's own `records-lag`).
    pub lag: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConsumerView {
    pub index: u32,
    pub name: String,
    pub group: Option<String>,
    pub member_id: Option<String>,
    /// Stable, Joining, Syncing, ... or "Assigned" for a consumer without a group.
    pub state: String,
    pub generation: Option<i32>,
    pub is_leader: bool,
    /// Some assigned partition is `pause()`d.
    pub paused: bool,
    /// The application is busy processing the last poll.
    pub busy: bool,
    pub processing_us: u64,
    /// `auto.commit.interval.ms` when `enable.auto.commit` is on: committed offsets (and so lag)
    /// move in steps of that interval.
    pub auto_commit_ms: Option<u64>,
    pub isolation: IsolationLevel,
    pub topics: Vec<String>,
    pub assigned: Vec<AssignedView>,
    pub stats: ConsumerStats,
    /// What it is doing, with the cause when it reads nothing.
    pub status: super::ConsumerStatus,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProcessorView {
    pub index: u32,
    pub name: String,
    pub input: String,
    pub output: String,
    pub group: String,
    pub guarantee: crate::processor::Guarantee,
    /// Polling, Processing, Committing or Crashed.
    pub phase: String,
    /// The producer's transaction state (exactly-once only).
    pub transaction: Option<String>,
    pub incarnation: u32,
    pub consumer: String,
    pub producer: String,
    pub stats: crate::processor::ProcessorStats,
    /// Why it does nothing useful although its phase looks normal: a topic it reads or writes
    /// does not exist (deleted, or never created).
    pub warning: Option<String>,
}

fn avg(v: &[u32]) -> f64 {
    if v.is_empty() {
        0.0
    } else {
        v.iter().map(|&x| x as f64).sum::<f64>() / v.len() as f64
    }
}

pub(super) fn producer_view(sim: &Simulation, p: &crate::producer::Producer) -> ProducerView {
    let load = p.load.as_ref();
    let topic = load.and_then(|l| sim.cluster().topic(l.topic));
    // The running load's settings, or those of the load waiting for its deleted topic.
    let config = load.map(|l| &l.config).or(p.waiting_for_topic.as_ref());
    ProducerView {
        index: p.index,
        name: p.name.clone(),
        topic: topic.map(|t| t.name.clone()),
        waiting_for_topic: p.waiting_for_topic.as_ref().map(|l| l.topic.clone()),
        rate: load.map_or(0, |l| l.config.rate),
        keys: config.map(|c| c.keys.clone()),
        value_bytes: config.map_or(0, |c| c.value_bytes),
        acks: p.config.acks,
        batch_size: p.config.batch_size,
        linger_ms: p.config.linger_ms,
        max_in_flight: p.config.max_in_flight,
        idempotent: p.is_idempotent(),
        partitioner: p.config.partitioner,
        producer_id: p.producer_id().map(|x| x.0),
        producer_epoch: p.producer_id().map(|x| x.1),
        queued_records: p.accumulator.queued_records(),
        queued_batches: p.accumulator.queued_batches(),
        in_flight_requests: p.in_flight_requests() as u32,
        buffer_used: p.buffer_used(),
        buffer_memory: p.config.buffer_memory,
        blocked_ms: p.blocked_since.map_or(0, |t| sim.now().saturating_sub(t)),
        max_block_ms: p.config.max_block_ms,
        avg_batch_records: avg(&p.stats.recent_batch_records),
        avg_request_batches: avg(&p.stats.recent_request_batches),
        sticky_partition: load.and_then(|l| p.sticky_partition(l.topic)),
        stats: p.stats.clone(),
        latency: p.stats.latency.summary(sim.now()),
        transactional_id: p.config.transactional_id.clone(),
        transaction_state: p.txn.as_ref().map(|t| t.state.as_str().to_string()),
        transactions_committed: p.txn.as_ref().map_or(0, |t| t.committed),
        transactions_aborted: p.txn.as_ref().map_or(0, |t| t.aborted),
        processor: p.owner,
    }
}

pub(super) fn consumer_view(sim: &Simulation, c: &crate::consumer::Consumer) -> ConsumerView {
    let m = c.membership.as_ref();
    ConsumerView {
        index: c.index,
        name: c.name.clone(),
        group: c.config.group_id.clone(),
        member_id: m.map(|m| m.member_id.clone()).filter(|id| !id.is_empty()),
        state: match m {
            None => "Assigned".to_string(),
            Some(m) => match m.state {
                MemberState::Stable if m.rejoin_needed => "Rejoining".into(),
                s => format!("{s:?}"),
            },
        },
        generation: m.map(|m| m.generation).filter(|g| *g >= 0),
        is_leader: m.is_some_and(|m| m.is_leader && m.is_joined()),
        paused: c.is_paused(),
        busy: c.is_busy(sim.now()),
        processing_us: c.config.processing_us,
        auto_commit_ms: c
            .config
            .enable_auto_commit
            .then_some(c.config.auto_commit_interval_ms),
        isolation: c.config.isolation_level,
        topics: c.topics.clone(),
        assigned: c
            .assignment()
            .map(|a| {
                let end = sim
                    .cluster()
                    .partition(a.partition)
                    .map(|p| p.fetch_limit(c.config.isolation_level));
                AssignedView {
                    topic: a.tp.topic.clone(),
                    partition: a.tp.partition,
                    position: a.position,
                    committed: a.committed,
                    lag: a.position.zip(end).map(|(pos, end)| (end - pos).max(0)),
                }
            })
            .collect(),
        stats: c.stats.clone(),
        status: super::ConsumerStatus::of(sim, c),
    }
}

pub(super) fn processor_views(sim: &Simulation) -> Vec<ProcessorView> {
    sim.processors()
        .map(|p| ProcessorView {
            index: p.index,
            name: p.name.clone(),
            input: p.input.clone(),
            output: p.output.clone(),
            group: p.group.clone(),
            guarantee: p.guarantee,
            phase: match p.phase {
                crate::processor::Phase::Polling => "Polling",
                crate::processor::Phase::Processing { .. } => "Processing",
                crate::processor::Phase::Committing => "Committing",
                crate::processor::Phase::Crashed => "Crashed",
            }
            .to_string(),
            transaction: sim
                .producer(p.producer)
                .filter(|_| p.phase != crate::processor::Phase::Crashed)
                .and_then(|pr| pr.txn.as_ref())
                .map(|t| t.state.as_str().to_string()),
            incarnation: p.incarnation,
            consumer: format!("{}-consumer", p.name),
            producer: format!("{}-producer", p.name),
            stats: p.stats.clone(),
            warning: processor_warning(sim, &p.input, &p.output),
        })
        .collect()
}

/// A processor whose input topic is gone reads nothing; one whose output is gone cannot write.
fn processor_warning(sim: &Simulation, input: &str, output: &str) -> Option<String> {
    let missing = |t: &str| sim.cluster().topic_by_name(t).is_none();
    let quoted = crate::ground::quote::quoted;
    match (missing(input), missing(output)) {
        (false, false) => None,
        (true, false) => Some(format!(
            "its input topic {} does not exist (deleted?): nothing to read",
            quoted(input)
        )),
        (false, true) => Some(format!(
            "its output topic {} does not exist (deleted?): what it writes fails",
            quoted(output)
        )),
        (true, true) => Some(format!(
            "its topics {} and {} do not exist (deleted?): nothing to read or write",
            quoted(input),
            quoted(output)
        )),
    }
}
