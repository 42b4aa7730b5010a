//! Read-only views of the simulation for the UI, the CLI report and tests. Taking a snapshot
//! costs time proportional to partitions and clients, never to records.

use serde::Serialize;

use super::metrics::{group_lag, isolation_of};
use super::Simulation;
use crate::audit::AuditReport;
use crate::cluster::IsolationLevel;
use crate::cluster::CONSUMER_OFFSETS;
use crate::consumer::ConsumerStats;
use crate::consumer::MemberState;
use crate::ground::Millis;
use crate::ground::{BrokerId, PartitionIdx};
use crate::log::{ControlType, NULL_KEY};
use crate::producer::{KeyDistribution, PartitionerKind, ProducerStats};
use crate::protocol::Acks;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Snapshot {
    pub time: Millis,
    pub seed: u64,
    /// The trace hash, as 16 hex digits.
    pub trace_hash: String,
    pub next_event_seq: u64,
    pub brokers: Vec<BrokerView>,
    pub topics: Vec<TopicView>,
    pub producers: Vec<ProducerView>,
    pub consumers: Vec<ConsumerView>,
    pub groups: Vec<GroupView>,
    pub processors: Vec<ProcessorView>,
    /// Network fault rules in force.
    pub faults: Vec<crate::action::LinkFaults>,
    /// The cluster's configuration (broker settings such as the retention check interval).
    pub cluster: crate::cluster::ClusterConfig,
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
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BrokerView {
    pub id: BrokerId,
    pub alive: bool,
    /// Dead, and the controller knows (it fenced the broker); until then its leaderships stand.
    pub fenced: bool,
    /// When the controller will fence a dead broker it has not noticed yet.
    pub fence_at: Option<Millis>,
    /// Extra delay on every message to or from it.
    pub slow_ms: u64,
    /// Partitions (of user topics) it holds a replica of.
    pub replica_of: u32,
    /// Partitions (of user topics) this broker leads.
    pub leader_of: u32,
    /// Groups this broker coordinates.
    pub coordinator_of: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TopicView {
    pub name: String,
    pub config: crate::cluster::TopicConfig,
    pub partitions: Vec<PartitionView>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PartitionView {
    pub partition: u32,
    pub leader: Option<BrokerId>,
    pub replicas: Vec<BrokerId>,
    pub isr: Vec<BrokerId>,
    pub log_start_offset: i64,
    pub high_watermark: i64,
    pub last_stable_offset: i64,
    pub log_end_offset: i64,
    pub records: u64,
    pub bytes: u64,
    pub segments: u32,
    pub leader_epoch: i32,
    pub unclean_elections: u32,
    /// Every replica in assignment order, the leader's included.
    pub replica_states: Vec<ReplicaView>,
    /// Whether every replica's log ends where the leader's does.
    pub replicas_in_sync: bool,
}

/// One replica of a partition as the leader sees it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReplicaView {
    pub broker: BrokerId,
    pub leader: bool,
    pub in_isr: bool,
    pub log_end_offset: i64,
    pub log_start_offset: i64,
}

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
    /// Average records per acknowledged batch over the recent history.
    pub avg_batch_records: f64,
    /// Average batches per produce request over the recent history.
    pub avg_request_batches: f64,
    pub sticky_partition: Option<u32>,
    pub stats: ProducerStats,
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
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MemberView {
    pub member_id: String,
    pub client: String,
    /// The consumer behind the member; `None` once it crashed or was removed without leaving the
    /// group: the coordinator keeps the member until its session expires.
    pub consumer: Option<u32>,
    pub group_instance_id: Option<String>,
    pub assignment: Vec<(String, u32)>,
    /// When the coordinator drops the member if no heartbeat comes (`None` while a request of
    /// its is pending).
    pub session_expires: Option<Millis>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroupPartitionView {
    pub topic: String,
    pub partition: u32,
    pub committed: Option<i64>,
    /// High watermark, or LSO for a read_committed group.
    pub end_offset: i64,
    pub lag: Option<i64>,
    /// Consumer (by name) that owns the partition in the current assignment.
    pub owner: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroupView {
    pub group_id: String,
    pub state: String,
    pub state_since: Millis,
    pub generation: i32,
    pub protocol: Option<String>,
    pub leader: Option<String>,
    pub coordinator: Option<BrokerId>,
    /// `__consumer_offsets` partition of the group.
    pub coordinator_partition: u32,
    pub topics: Vec<String>,
    pub members: Vec<MemberView>,
    pub partitions: Vec<GroupPartitionView>,
    pub total_lag: u64,
    /// Total lag sampled every `lag_interval_ms`, oldest first.
    pub lag_history: Vec<u64>,
    pub lag_interval_ms: Millis,
    pub audit: AuditReport,
}

/// One record as a reader sees it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RecordView {
    pub offset: i64,
    pub timestamp: Millis,
    pub key: Option<String>,
    /// Key identity (for colouring); `None` for a null key.
    pub key_id: Option<u32>,
    pub value: Option<String>,
    pub value_bytes: Option<u32>,
    pub headers: Vec<(String, String)>,
    pub batch_base_offset: i64,
    pub producer_id: i64,
    pub producer_epoch: i16,
    /// Sequence number of the record (`-1` without idempotence).
    pub sequence: i32,
    pub transactional: bool,
    pub control: Option<ControlType>,
    pub producer: Option<String>,
}

fn avg(v: &[u32]) -> f64 {
    if v.is_empty() {
        0.0
    } else {
        v.iter().map(|&x| x as f64).sum::<f64>() / v.len() as f64
    }
}

impl Simulation {
    pub fn snapshot(&self) -> Snapshot {
        let cluster = &self.cluster;
        let topics: Vec<TopicView> = cluster
            .topics()
            .filter(|t| !t.internal)
            .map(|t| TopicView {
                name: t.name.clone(),
                config: t.config.clone(),
                partitions: t
                    .partitions
                    .iter()
                    .filter_map(|&p| cluster.partition(p))
                    .map(|p| PartitionView {
                        partition: p.index,
                        leader: p.leader,
                        replicas: p.replicas.clone(),
                        isr: p.isr.clone(),
                        log_start_offset: p.log.log_start_offset(),
                        high_watermark: p.high_watermark,
                        last_stable_offset: p.last_stable_offset(),
                        log_end_offset: p.log.log_end_offset(),
                        records: p.log.records(),
                        bytes: p.log.size_bytes(),
                        segments: p.log.segment_count() as u32,
                        leader_epoch: p.leader_epoch,
                        unclean_elections: p.unclean_elections,
                        replica_states: p
                            .replica_logs()
                            .map(|(b, log)| ReplicaView {
                                broker: b,
                                leader: p.leader == Some(b),
                                in_isr: p.isr.contains(&b),
                                log_end_offset: log.log_end_offset(),
                                log_start_offset: log.log_start_offset(),
                            })
                            .collect(),
                        replicas_in_sync: p
                            .replica_logs()
                            .all(|(_, l)| l.log_end_offset() == p.log.log_end_offset()),
                    })
                    .collect(),
            })
            .collect();
        let groups: Vec<GroupView> = self.groups.groups().map(|g| self.group_view(g)).collect();
        let brokers = cluster
            .brokers
            .iter()
            .map(|b| BrokerView {
                id: b.id,
                alive: b.alive,
                fence_at: self
                    .replication
                    .pending_fence
                    .iter()
                    .find(|(x, _)| *x == b.id)
                    .map(|(_, t)| *t),
                fenced: !b.alive
                    && !self
                        .replication
                        .pending_fence
                        .iter()
                        .any(|(x, _)| *x == b.id),
                slow_ms: self.replication.slow_delay(b.id),
                replica_of: cluster
                    .topics()
                    .filter(|t| !t.internal)
                    .flat_map(|t| t.partitions.iter())
                    .filter(|&&p| {
                        cluster
                            .partition(p)
                            .is_some_and(|p| p.replicas.contains(&b.id))
                    })
                    .count() as u32,
                leader_of: cluster
                    .topics()
                    .filter(|t| !t.internal)
                    .flat_map(|t| t.partitions.iter())
                    .filter(|&&p| cluster.partition(p).and_then(|p| p.leader) == Some(b.id))
                    .count() as u32,
                coordinator_of: groups
                    .iter()
                    .filter(|g| g.coordinator == Some(b.id))
                    .map(|g| g.group_id.clone())
                    .collect(),
            })
            .collect();
        Snapshot {
            time: self.now,
            seed: self.seed,
            trace_hash: format!("{:016x}", self.trace_hash()),
            next_event_seq: self.next_event_seq,
            brokers,
            topics,
            producers: self.producers().map(|p| self.producer_view(p)).collect(),
            consumers: self.consumers().map(|c| self.consumer_view(c)).collect(),
            groups,
            faults: self.faults.clone(),
            cluster: cluster.config.clone(),
            processors: self
                .processors()
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
                    transaction: self
                        .producer(p.producer)
                        .filter(|_| p.phase != crate::processor::Phase::Crashed)
                        .and_then(|pr| pr.txn.as_ref())
                        .map(|t| t.state.as_str().to_string()),
                    incarnation: p.incarnation,
                    consumer: format!("{}-consumer", p.name),
                    producer: format!("{}-producer", p.name),
                    stats: p.stats.clone(),
                })
                .collect(),
        }
    }

    fn producer_view(&self, p: &crate::producer::Producer) -> ProducerView {
        let load = p.load.as_ref();
        let topic = load.and_then(|l| self.cluster.topic(l.topic));
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
            avg_batch_records: avg(&p.stats.recent_batch_records),
            avg_request_batches: avg(&p.stats.recent_request_batches),
            sticky_partition: load.and_then(|l| p.sticky_partition(l.topic)),
            stats: p.stats.clone(),
            transactional_id: p.config.transactional_id.clone(),
            transaction_state: p.txn.as_ref().map(|t| t.state.as_str().to_string()),
            transactions_committed: p.txn.as_ref().map_or(0, |t| t.committed),
            transactions_aborted: p.txn.as_ref().map_or(0, |t| t.aborted),
            processor: p.owner,
        }
    }

    fn consumer_view(&self, c: &crate::consumer::Consumer) -> ConsumerView {
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
            paused: c.paused,
            busy: c.is_busy(self.now),
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
                    let end = self
                        .cluster
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
        }
    }

    fn group_view(&self, g: &crate::coordinator::group::Group) -> GroupView {
        let isolation = isolation_of(&self.consumers, &g.group_id);
        let mut topics: Vec<String> = self
            .consumers()
            .filter(|c| c.group_id() == Some(g.group_id.as_str()))
            .flat_map(|c| c.topics.iter().cloned())
            .collect();
        for m in g.members.values() {
            for (_, s) in &m.protocols {
                topics.extend(s.topics.iter().cloned());
            }
        }
        for &p in g.offsets.keys() {
            if let Some(t) = self
                .cluster
                .partition(p)
                .and_then(|p| self.cluster.topic(p.topic))
            {
                topics.push(t.name.clone());
            }
        }
        crate::ground::sort::sort(&mut topics);
        topics.dedup();
        topics.retain(|t| self.cluster.topic_by_name(t).is_some());
        let owner_of = |topic: &str, p: u32| -> Option<String> {
            g.members
                .values()
                .find(|m| m.assignment.iter().any(|(t, q)| t == topic && *q == p))
                .map(|m| {
                    self.consumer(m.client)
                        .map_or(m.client_id.clone(), |c| c.name.clone())
                })
        };
        let mut partitions = Vec::new();
        let mut idxs: Vec<PartitionIdx> = Vec::new();
        for t in &topics {
            let topic = self.cluster.topic_by_name(t).expect("retained above");
            for &p in &topic.partitions {
                let Some(part) = self.cluster.partition(p) else {
                    continue;
                };
                idxs.push(p);
                let committed = g.offsets.get(&p).map(|c| c.offset);
                let end = part.fetch_limit(isolation);
                partitions.push(GroupPartitionView {
                    topic: t.clone(),
                    partition: part.index,
                    committed,
                    end_offset: end,
                    lag: committed.map(|c| (end - c).max(0)),
                    owner: owner_of(t, part.index),
                });
            }
        }
        // Records a processor derived are audited as the input records they come from: a group
        // reading a processor's output is judged against the processor's input.
        let mut audit_partitions = idxs.clone();
        for proc_ in self.processors() {
            if topics.contains(&proc_.output) {
                if let Some(t) = self.cluster.topic_by_name(&proc_.input) {
                    audit_partitions.extend(t.partitions.iter().copied());
                }
            }
        }
        let (total_lag, _) = group_lag(&self.cluster, g, isolation);
        let offsets_topic = self.cluster.topic_by_name(CONSUMER_OFFSETS);
        GroupView {
            group_id: g.group_id.clone(),
            state: g.state.as_str().to_string(),
            state_since: g.state_since,
            generation: g.generation,
            protocol: g.protocol.map(|p| p.as_str().to_string()),
            leader: g.leader.clone(),
            coordinator: self.cluster.coordinator_for(CONSUMER_OFFSETS, &g.group_id),
            coordinator_partition: crate::ground::hash::coordinator_partition(
                &g.group_id,
                offsets_topic.map_or(50, |t| t.partitions.len() as u32),
            ),
            topics,
            members: g
                .members
                .values()
                .map(|m| MemberView {
                    member_id: m.member_id.clone(),
                    client: self
                        .consumer(m.client)
                        .map_or(m.client_id.clone(), |c| c.name.clone()),
                    consumer: self.consumer(m.client).map(|c| c.index),
                    group_instance_id: m.group_instance_id.clone(),
                    assignment: m.assignment.clone(),
                    session_expires: m.session_deadline(),
                })
                .collect(),
            partitions,
            total_lag,
            lag_history: self
                .metrics
                .lag
                .get(&g.group_id)
                .map(|h| h.iter().copied().collect())
                .unwrap_or_default(),
            lag_interval_ms: self.metrics.interval(),
            audit: self
                .audit
                .report(self.audit.slot_of(&g.group_id), &audit_partitions),
        }
    }

    /// Records of `topic`-`partition` from offset `from` (at most `max`), as a reader sees them.
    /// Control records (transaction markers) are included and flagged.
    pub fn records(&self, topic: &str, partition: u32, from: i64, max: usize) -> Vec<RecordView> {
        let Some(idx) = self
            .cluster
            .topic_id(topic)
            .and_then(|t| self.cluster.partition_idx(t, partition))
        else {
            return Vec::new();
        };
        let Some(part) = self.cluster.partition(idx) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for b in part.log.batches_from(from) {
            if out.len() >= max {
                break;
            }
            let producer = b
                .origin
                .and_then(|o| self.producer(o.producer))
                .map(|p| p.name.clone());
            if let Some(control) = b.control {
                if b.base_offset >= from {
                    out.push(RecordView {
                        offset: b.base_offset,
                        timestamp: b.first_timestamp,
                        key: None,
                        key_id: None,
                        value: None,
                        value_bytes: None,
                        headers: Vec::new(),
                        batch_base_offset: b.base_offset,
                        producer_id: b.producer_id,
                        producer_epoch: b.producer_epoch,
                        sequence: -1,
                        transactional: true,
                        control: Some(control),
                        producer,
                    });
                }
                continue;
            }
            for (i, r) in b.records.iter().enumerate() {
                let offset = b.base_offset + i as i64;
                if offset < from {
                    continue;
                }
                if out.len() >= max {
                    break;
                }
                let typed = b.typed.iter().find(|t| t.offset_delta == i as u32);
                let value_bytes =
                    (r.value_len != crate::log::record::NULL_VALUE).then_some(r.value_len);
                let value = match typed {
                    Some(t) => t.value.clone(),
                    None => value_bytes.map(|n| {
                        synth_value(
                            self.seed,
                            b.origin.map_or(0, |o| o.producer),
                            idx,
                            b.origin.map_or(0, |o| o.first_record) + i as u64,
                            n,
                        )
                    }),
                };
                out.push(RecordView {
                    offset,
                    timestamp: b.first_timestamp + r.ts_delta as u64,
                    key: self.keys.text(r.key).map(|k| k.into_owned()),
                    key_id: (r.key != NULL_KEY).then_some(r.key),
                    value,
                    value_bytes,
                    headers: typed
                        .map(|t| {
                            t.headers
                                .iter()
                                .map(|h| (h.key.clone(), h.value.clone()))
                                .collect()
                        })
                        .unwrap_or_default(),
                    batch_base_offset: b.base_offset,
                    producer_id: b.producer_id,
                    producer_epoch: b.producer_epoch,
                    sequence: if b.base_sequence < 0 {
                        -1
                    } else {
                        crate::log::batch::increment_sequence(b.base_sequence, i as i32)
                    },
                    transactional: b.is_transactional,
                    control: None,
                    producer: producer.clone(),
                });
            }
        }
        out
    }
}

/// A generated value, made from the seed when it is shown (never stored): readable text of
/// exactly `len` bytes.
fn synth_value(seed: u64, producer: u32, partition: PartitionIdx, n: u64, len: u32) -> String {
    let mut rng =
        crate::ground::Rng::new(seed ^ ((producer as u64) << 48) ^ ((partition as u64) << 32) ^ n);
    let head = format!("{{\"n\":{n},\"data\":\"");
    let mut s = String::with_capacity(len as usize);
    s.push_str(&head);
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    while s.len() + 2 < len as usize {
        s.push(ALPHABET[rng.below(ALPHABET.len() as u32) as usize] as char);
    }
    if s.len() + 2 <= len as usize {
        s.push_str("\"}");
    }
    s.truncate(len as usize);
    s
}

/// One cell of a partition strip: `per_cell` consecutive offsets summarised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct StripCell {
    /// First offset the cell stands for.
    pub offset: i64,
    /// Data records in the cell (0: not written yet, deleted, or only markers).
    pub records: u32,
    /// Key id of the last data record in the cell (`None` for a null key or an empty cell).
    pub key: Option<u32>,
    /// A transaction marker in the cell, if any.
    pub control: Option<ControlType>,
    /// Some record in the cell belongs to a transaction.
    pub transactional: bool,
    /// Some record belongs to a transaction still open (at or after the last stable offset).
    pub open: bool,
    /// Some record belongs to an aborted transaction.
    pub aborted: bool,
    /// A segment of the leader's log starts in this cell.
    pub segment_start: bool,
    /// The cell is in the active segment (the one being written).
    pub active_segment: bool,
}

impl StripCell {
    /// A cell starting at `offset` before anything is known of its records.
    fn empty(offset: i64) -> Self {
        StripCell {
            offset,
            records: 0,
            key: None,
            control: None,
            transactional: false,
            open: false,
            aborted: false,
            segment_start: false,
            active_segment: false,
        }
    }
}

impl Simulation {
    /// The tail of a partition for drawing: `cells` cells of `per_cell` offsets each, the last
    /// one ending at `end` (exclusive). Cost grows with the batches in the window, not records.
    pub fn strip(
        &self,
        topic: &str,
        partition: u32,
        end: i64,
        cells: usize,
        per_cell: u32,
    ) -> Vec<StripCell> {
        let per = per_cell.max(1) as i64;
        let start = end - per * cells as i64;
        let mut out: Vec<StripCell> = (0..cells)
            .map(|i| StripCell::empty(start + i as i64 * per))
            .collect();
        let Some(part) = self
            .cluster
            .topic_id(topic)
            .and_then(|t| self.cluster.partition_idx(t, partition))
            .and_then(|p| self.cluster.partition(p))
        else {
            return out;
        };
        if per > 1 && part.log.is_dense() {
            fill_dense(&part.log, &mut out, per);
        } else {
            fill_by_batches(part, &mut out, start, end, per);
        }
        mark_segments(&part.log, &mut out, start, end, per);
        out
    }
}

/// Fills strip cells from a log where every offset between the log start and the log end is a
/// data record (no markers, no compaction gaps): each cell's count follows from its offsets and
/// its colour from one lookup of its last record, instead of a walk over every batch in the
/// window (thousands per partition at high rates).
fn fill_dense(log: &crate::log::PartitionLog, out: &mut [StripCell], per: i64) {
    let (first, leo) = (log.log_start_offset(), log.log_end_offset());
    let mut cursor = log.cursor(out.first().map_or(first, |c| c.offset));
    for cell in out.iter_mut() {
        let lo = cell.offset.max(first);
        let hi = (cell.offset + per).min(leo);
        if lo >= hi {
            continue;
        }
        cell.records = (hi - lo) as u32;
        if let Some(b) = cursor.seek(hi - 1) {
            let last = b.records[(hi - 1 - b.base_offset) as usize].key;
            cell.key = (last != NULL_KEY).then_some(last);
        }
    }
}

/// Fills strip cells by walking the batches in the window (markers, transactions, gaps).
fn fill_by_batches(
    part: &crate::cluster::Partition,
    out: &mut [StripCell],
    start: i64,
    end: i64,
    per: i64,
) {
    let cells = out.len();
    {
        let lso = part.last_stable_offset();
        for b in part.log.batches_from(start.max(0)) {
            if b.base_offset >= end {
                break;
            }
            let (open, aborted) = if b.is_transactional && b.control.is_none() {
                (
                    b.base_offset >= lso,
                    part.is_aborted(b.producer_id, b.base_offset),
                )
            } else {
                (false, false)
            };
            let lo = b.base_offset.max(start);
            let hi = b.next_offset().min(end);
            if lo >= hi {
                continue;
            }
            let first_cell = ((lo - start) / per) as usize;
            let last_cell = ((hi - 1 - start) / per) as usize;
            // Index the cells directly: skipping through an iterator cost O(cells) per batch.
            let last_cell = last_cell.min(cells - 1);
            for (c, cell) in out[first_cell..=last_cell].iter_mut().enumerate() {
                let c = c + first_cell;
                let c_lo = (start + c as i64 * per).max(lo);
                let c_hi = (start + (c as i64 + 1) * per).min(hi);
                cell.transactional |= b.is_transactional;
                cell.open |= open;
                cell.aborted |= aborted;
                if let Some(ct) = b.control {
                    cell.control = Some(ct);
                    continue;
                }
                cell.records += (c_hi - c_lo) as u32;
                let last = b.records[(c_hi - 1 - b.base_offset) as usize].key;
                cell.key = (last != NULL_KEY).then_some(last);
            }
        }
    }
}

/// Segment boundaries inside the window, and the active segment.
fn mark_segments(
    log: &crate::log::PartitionLog,
    out: &mut [StripCell],
    start: i64,
    end: i64,
    per: i64,
) {
    let cells = out.len();
    let cell_of = |o: i64| ((o - start) / per) as usize;
    let mut active_base = None;
    for seg in log.segments() {
        active_base = Some(seg.base_offset);
        if seg.base_offset > start && seg.base_offset < end {
            out[cell_of(seg.base_offset).min(cells - 1)].segment_start = true;
        }
    }
    if let Some(a) = active_base.filter(|_| log.segment_count() > 1) {
        for cell in out.iter_mut().filter(|c| c.offset + per > a) {
            cell.active_segment = true;
        }
    }
}

#[cfg(test)]
mod strip_tests {
    use crate::cluster::ClusterConfig;
    use crate::producer::{KeyDistribution, LoadConfig};
    use crate::{Action, Simulation};

    /// One topic `t` of one partition after `ms` of a producer at `rate` over `keys` keys.
    fn produced(seed: u64, rate: u64, keys: u32, ms: u64) -> Simulation {
        let mut s = Simulation::new(seed, ClusterConfig::default()).unwrap();
        s.apply(Action::CreateTopic {
            name: "t".into(),
            partitions: 1,
            config: Default::default(),
        })
        .unwrap();
        let load = LoadConfig {
            topic: "t".into(),
            rate,
            keys: KeyDistribution::Uniform { keys },
            value_bytes: 10,
        };
        s.apply(Action::AddProducer {
            name: None,
            config: Default::default(),
            load: Some(load),
        })
        .unwrap();
        s.advance(ms);
        s
    }

    #[test]
    fn strip_cells_cover_the_tail_of_the_log() {
        let s = produced(1, 1000, 5, 1000);
        let end = s.snapshot().topics[0].partitions[0].log_end_offset;
        assert!(end > 900);
        let one = s.strip("t", 0, end, 10, 1);
        assert!(one.iter().all(|c| c.records == 1 && c.key.is_some()));
        assert_eq!(one[9].offset, end - 1);
        let recs = s.records("t", 0, end - 1, 1);
        assert_eq!(one[9].key, recs[0].key_id);
        let agg = s.strip("t", 0, end, 10, 50);
        assert!(agg.iter().all(|c| c.records == 50));
        let past = s.strip("t", 0, 20, 10, 5);
        assert_eq!(
            past[0].records + past[1].records + past[2].records,
            0,
            "before offset 0"
        );
        assert_eq!(past[9].records, 5);
    }

    /// The dense fast path draws exactly what walking every batch draws.
    #[test]
    fn dense_strips_match_the_batch_walk() {
        let s = produced(2, 5000, 50, 3000);
        let c = s.cluster();
        let part = c
            .partition(c.partition_idx(c.topic_id("t").unwrap(), 0).unwrap())
            .unwrap();
        assert!(part.log.is_dense());
        let end = part.log.log_end_offset();
        for per in [2i64, 7, 64, 512] {
            for shift in [0, 3, 1000] {
                let e = end - shift;
                let cells = 48;
                let start = e - per * cells as i64;
                let blank = |i: usize| super::StripCell::empty(start + i as i64 * per);
                let mut a: Vec<_> = (0..cells).map(blank).collect();
                let mut b: Vec<_> = (0..cells).map(blank).collect();
                super::fill_dense(&part.log, &mut a, per);
                super::fill_by_batches(part, &mut b, start, e, per);
                assert_eq!(a, b, "per {per}, end {e}");
            }
        }
    }
}
