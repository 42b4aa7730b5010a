//! The headless report of a scenario run (`brokerlab-cli run`).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::sim::rebalances::Rebalance;

use crate::audit::AuditReport;
use crate::ground::Millis;
use crate::sim::Simulation;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PartitionReport {
    pub topic: String,
    pub partition: u32,
    pub log_start_offset: i64,
    pub log_end_offset: i64,
    pub high_watermark: i64,
    pub last_stable_offset: i64,
    /// Records the leader's log holds (fewer than the offsets span after compaction).
    pub records: u64,
    pub segments: u32,
    pub leader: Option<i32>,
    pub leader_epoch: i32,
    pub replicas: Vec<i32>,
    pub isr: Vec<i32>,
    pub unclean_elections: u32,
    /// Whether every replica holds the same batches as the leader.
    pub replicas_in_sync: bool,
    /// Fewer in-sync replicas than `min.insync.replicas` (capped at the replication factor).
    pub under_min_isr: bool,
    /// Records the playground's memory bound (`sim.log.memory.bytes`, not retention) removed
    /// from the leader's log.
    pub evicted_records: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroupReport {
    pub group: String,
    pub state: String,
    pub generation: i32,
    pub protocol: Option<String>,
    /// Consumer name -> its partitions, as `topic-partition`.
    pub assignment: BTreeMap<String, Vec<String>>,
    /// `topic-partition` -> committed offset.
    pub committed: BTreeMap<String, i64>,
    /// `topic-partition` -> lag (end offset - committed offset).
    pub lag: BTreeMap<String, i64>,
    pub total_lag: u64,
    pub audit: AuditReport,
    /// `classic` or `consumer` (KIP-848).
    pub group_protocol: String,
    /// Recent rebalances: who could not read, for how long, and what each member read meanwhile.
    pub rebalances: Vec<Rebalance>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProducerReport {
    pub producer: String,
    pub records_sent: u64,
    pub records_acked: u64,
    pub records_failed: u64,
    pub batches: u64,
    pub requests: u64,
    pub retries: u64,
    pub avg_records_per_batch: f64,
    pub avg_batches_per_request: f64,
    pub producer_id: Option<i64>,
    pub producer_epoch: Option<i16>,
    /// Transaction manager state, for a transactional producer (`FATAL_ERROR` when fenced).
    pub transaction_state: Option<String>,
    pub transactions_committed: u64,
    pub transactions_aborted: u64,
    /// Time `send()` spent blocked on a full `buffer.memory` (left out while 0).
    #[serde(skip_serializing_if = "is_zero")]
    pub send_blocked_ms: u64,
    /// Records `send()` failed after `max.block.ms` (left out while 0).
    #[serde(skip_serializing_if = "is_zero")]
    pub buffer_exhausted: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

fn is_false(b: &bool) -> bool {
    !b
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProcessorReport {
    pub processor: String,
    pub guarantee: crate::processor::Guarantee,
    pub phase: String,
    pub incarnation: u32,
    pub records_processed: u64,
    pub transactions_committed: u64,
    pub crashes: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    pub seed: u64,
    pub time_ms: Millis,
    /// The run was stopped before its end (Ctrl-C in the CLI): `time_ms` is where it stood.
    #[serde(skip_serializing_if = "is_false")]
    pub interrupted: bool,
    pub trace_hash: String,
    pub events: u64,
    /// Broker id -> whether it is up.
    pub brokers: BTreeMap<i32, bool>,
    pub partitions: Vec<PartitionReport>,
    pub groups: Vec<GroupReport>,
    pub producers: Vec<ProducerReport>,
    pub processors: Vec<ProcessorReport>,
    /// RabbitMQ's queues, consumers and publishers, when the scenario has RabbitMQ.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rabbit: Option<RabbitReport>,
    /// Share groups (KIP-932), when the scenario has any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub share_groups: Vec<ShareGroupReport>,
}

/// A share group at the end of a run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ShareGroupReport {
    pub group: String,
    pub members: Vec<String>,
    pub delivered: u64,
    pub redelivered: u64,
    pub accepted: u64,
    pub archived: u64,
    pub order_violations: u64,
    /// Each share-partition's start offset (SPSO).
    pub start_offsets: Vec<i64>,
}

impl ShareGroupReport {
    fn all(sim: &Simulation) -> Vec<ShareGroupReport> {
        sim.share_groups()
            .groups
            .iter()
            .map(|g| ShareGroupReport {
                group: g.name.clone(),
                members: g.members.iter().map(|m| m.name.clone()).collect(),
                delivered: g.members.iter().map(|m| m.stats.delivered).sum(),
                redelivered: g.members.iter().map(|m| m.stats.redelivered).sum(),
                accepted: g.partitions.iter().map(|(_, p)| p.acknowledged).sum(),
                archived: g.partitions.iter().map(|(_, p)| p.archived).sum(),
                order_violations: g.order_violations,
                start_offsets: g.partitions.iter().map(|(_, p)| p.start_offset()).collect(),
            })
            .collect()
    }
}

/// A RabbitMQ queue at the end of a run: what is left in it and where its messages went.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RabbitQueueReport {
    pub queue: String,
    pub queue_type: String,
    pub ready: u64,
    pub unacked: u64,
    #[serde(flatten)]
    pub counts: crate::rabbit::QueueStats,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RabbitConsumerReport {
    pub consumer: String,
    pub queue: String,
    pub delivered: u64,
    pub redelivered: u64,
    pub acked: u64,
    pub rejected: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RabbitPublisherReport {
    pub producer: String,
    pub published: u64,
    pub acked: u64,
    pub nacked: u64,
    pub unroutable: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RabbitReport {
    pub queues: Vec<RabbitQueueReport>,
    pub consumers: Vec<RabbitConsumerReport>,
    pub publishers: Vec<RabbitPublisherReport>,
}

impl RabbitReport {
    /// `None` when the run has no RabbitMQ.
    fn of(sim: &Simulation) -> Option<RabbitReport> {
        let node = sim.rabbit();
        if node.is_empty() {
            return None;
        }
        Some(RabbitReport {
            queues: node
                .queues()
                .iter()
                .map(|q| RabbitQueueReport {
                    queue: q.queue.name.clone(),
                    queue_type: match q.queue.args.queue_type {
                        crate::rabbit::QueueType::Classic => "classic".into(),
                        crate::rabbit::QueueType::Quorum => "quorum".into(),
                    },
                    ready: q.queue.ready_len() as u64,
                    unacked: q.unacked() as u64,
                    counts: q.stats.clone(),
                })
                .collect(),
            consumers: node
                .consumers()
                .map(|c| RabbitConsumerReport {
                    consumer: c.name.clone(),
                    queue: c.queue.clone(),
                    delivered: c.stats.delivered,
                    redelivered: c.stats.redelivered,
                    acked: c.stats.acked,
                    rejected: c.stats.rejected,
                })
                .collect(),
            publishers: node
                .publishers()
                .map(|p| RabbitPublisherReport {
                    producer: p.producer.clone(),
                    published: p.stats.published,
                    acked: p.stats.acked,
                    nacked: p.stats.nacked,
                    unroutable: p.stats.unroutable,
                })
                .collect(),
        })
    }
}

impl Report {
    pub fn from_simulation(sim: &Simulation) -> Self {
        let snap = sim.snapshot();
        let partitions = snap
            .topics
            .iter()
            .flat_map(|t| {
                t.partitions.iter().map(move |p| PartitionReport {
                    topic: t.name.clone(),
                    partition: p.partition,
                    log_start_offset: p.log_start_offset,
                    log_end_offset: p.log_end_offset,
                    high_watermark: p.high_watermark,
                    last_stable_offset: p.last_stable_offset,
                    records: p.records,
                    segments: p.segments,
                    leader: p.leader,
                    leader_epoch: p.leader_epoch,
                    replicas: p.replicas.clone(),
                    isr: p.isr.clone(),
                    unclean_elections: p.unclean_elections,
                    replicas_in_sync: sim
                        .cluster()
                        .topic_by_name(&t.name)
                        .and_then(|x| x.partitions.get(p.partition as usize))
                        .and_then(|&i| sim.cluster().partition(i))
                        .is_some_and(|x| x.replicas_agree()),
                    under_min_isr: p.under_min_isr,
                    evicted_records: p.evicted_records,
                })
            })
            .collect();
        let groups = snap
            .groups
            .iter()
            .map(|g| GroupReport {
                group: g.group_id.clone(),
                state: g.state.clone(),
                generation: g.generation,
                protocol: g.protocol.clone(),
                assignment: g
                    .members
                    .iter()
                    .map(|m| {
                        (
                            m.client.clone(),
                            m.assignment
                                .iter()
                                .map(|(t, p)| format!("{t}-{p}"))
                                .collect(),
                        )
                    })
                    .collect(),
                committed: g
                    .partitions
                    .iter()
                    .filter_map(|p| {
                        p.committed
                            .map(|c| (format!("{}-{}", p.topic, p.partition), c))
                    })
                    .collect(),
                lag: g
                    .partitions
                    .iter()
                    .filter_map(|p| p.lag.map(|l| (format!("{}-{}", p.topic, p.partition), l)))
                    .collect(),
                total_lag: g.total_lag,
                audit: g.audit.clone(),
                group_protocol: g.group_protocol.clone(),
                rebalances: g.rebalances.clone(),
            })
            .collect();
        let producers = snap
            .producers
            .iter()
            .map(|p| {
                let s = &p.stats;
                ProducerReport {
                    producer: p.name.clone(),
                    records_sent: s.records_sent,
                    records_acked: s.records_acked,
                    records_failed: s.records_failed,
                    batches: s.batches_sent,
                    requests: s.requests_sent,
                    retries: s.batch_retries,
                    avg_records_per_batch: if s.batches_acked > 0 {
                        s.records_acked as f64 / s.batches_acked as f64
                    } else {
                        0.0
                    },
                    avg_batches_per_request: if s.requests_sent > 0 {
                        s.batches_sent as f64 / s.requests_sent as f64
                    } else {
                        0.0
                    },
                    producer_id: p.producer_id,
                    producer_epoch: p.producer_epoch,
                    transaction_state: p.transaction_state.clone(),
                    transactions_committed: p.transactions_committed,
                    transactions_aborted: p.transactions_aborted,
                    send_blocked_ms: s.send_blocked_ms,
                    buffer_exhausted: s.buffer_exhausted,
                }
            })
            .collect();
        Report {
            seed: snap.seed,
            time_ms: snap.time,
            interrupted: false,
            trace_hash: snap.trace_hash,
            brokers: snap.brokers.iter().map(|b| (b.id, b.alive)).collect(),
            events: snap.next_event_seq,
            partitions,
            groups,
            producers,
            processors: snap
                .processors
                .iter()
                .map(|p| ProcessorReport {
                    processor: p.name.clone(),
                    guarantee: p.guarantee,
                    phase: p.phase.clone(),
                    incarnation: p.incarnation,
                    records_processed: p.stats.records_processed,
                    transactions_committed: p.stats.transactions_committed,
                    crashes: p.stats.crashes,
                })
                .collect(),
            rabbit: RabbitReport::of(sim),
            share_groups: ShareGroupReport::all(sim),
        }
    }
}
