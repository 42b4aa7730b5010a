//! The cluster as the page draws it: brokers, topics, partitions and their replicas.

use serde::Serialize;

use crate::ground::{BrokerId, Millis};
use crate::sim::Simulation;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BrokerView {
    pub id: BrokerId,
    pub alive: bool,
    /// Fenced by the controller: dead and noticed (until then its leaderships stand), or
    /// running but with heartbeats too late for `broker.session.timeout.ms`.
    pub fenced: bool,
    /// When the controller will fence a broker it has stopped hearing from in time.
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
    /// `min.insync.replicas` capped at the replication factor (`effectiveMinIsr`).
    pub min_isr: u32,
    /// Fewer in-sync replicas than `min_isr`: acks=all writes are refused and the high watermark
    /// stands still (Kafka 3.7+).
    pub under_min_isr: bool,
    /// Records the playground's memory bound (not retention) removed from the leader's log,
    /// and the offset below which they were.
    pub evicted_records: u64,
    pub evicted_up_to: i64,
    /// Engine memory the leader's log takes, and its share of `sim.log.memory.bytes`.
    pub memory_bytes: u64,
    pub memory_share_bytes: u64,
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

/// Every user topic with its partitions and their replicas.
pub(super) fn topics(sim: &Simulation) -> Vec<TopicView> {
    let cluster = sim.cluster();
    cluster
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
                    min_isr: p.effective_min_isr() as u32,
                    under_min_isr: p.is_under_min_isr(),
                    evicted_records: p.log.evicted.records,
                    evicted_up_to: p.log.evicted.up_to,
                    memory_bytes: p.log.memory_bytes(),
                    memory_share_bytes: p.log.config.memory_bytes,
                })
                .collect(),
        })
        .collect()
}

/// Every broker, with what it leads, holds and coordinates (`groups` gives the coordinators).
pub(super) fn brokers(sim: &Simulation, groups: &[super::GroupView]) -> Vec<BrokerView> {
    let cluster = sim.cluster();
    cluster
        .brokers
        .iter()
        .map(|b| BrokerView {
            id: b.id,
            alive: b.alive,
            fence_at: sim.fence_at(b.id),
            fenced: b.fenced || (!b.alive && sim.fence_at(b.id).is_none()),
            slow_ms: sim.slow_delay(b.id),
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
        .collect()
}
