//! Consumer groups as the page draws them: state, members, committed offsets, lag and audit.

use serde::Serialize;

use crate::audit::AuditReport;
use crate::cluster::CONSUMER_OFFSETS;
use crate::ground::{BrokerId, Millis, PartitionIdx};
use crate::sim::group_lag;
use crate::sim::Simulation;

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

pub(super) fn group_view(sim: &Simulation, g: &crate::coordinator::group::Group) -> GroupView {
    let mut topics: Vec<String> = sim
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
        if let Some(t) = sim
            .cluster()
            .partition(p)
            .and_then(|p| sim.cluster().topic(p.topic))
        {
            topics.push(t.name.clone());
        }
    }
    crate::ground::sort::sort(&mut topics);
    topics.dedup();
    topics.retain(|t| sim.cluster().topic_by_name(t).is_some());
    let owner_of = |topic: &str, p: u32| -> Option<String> {
        g.members
            .values()
            .find(|m| m.assignment.iter().any(|(t, q)| t == topic && *q == p))
            .map(|m| {
                sim.consumer(m.client)
                    .map_or(m.client_id.clone(), |c| c.name.clone())
            })
    };
    let mut partitions = Vec::new();
    let mut idxs: Vec<PartitionIdx> = Vec::new();
    for t in &topics {
        let topic = sim.cluster().topic_by_name(t).expect("retained above");
        for &p in &topic.partitions {
            let Some(part) = sim.cluster().partition(p) else {
                continue;
            };
            idxs.push(p);
            let committed = g.offsets.get(&p).map(|c| c.offset);
            // LOG-END-OFFSET in `kafka-consumer-groups --describe`: the high watermark.
            let end = part.high_watermark;
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
    for proc_ in sim.processors() {
        if topics.contains(&proc_.output) {
            if let Some(t) = sim.cluster().topic_by_name(&proc_.input) {
                audit_partitions.extend(t.partitions.iter().copied());
            }
        }
    }
    let (total_lag, _) = group_lag(sim.cluster(), g);
    let offsets_topic = sim.cluster().topic_by_name(CONSUMER_OFFSETS);
    GroupView {
        group_id: g.group_id.clone(),
        state: g.state.as_str().to_string(),
        state_since: g.state_since,
        generation: g.generation,
        protocol: g.protocol.map(|p| p.as_str().to_string()),
        leader: g.leader.clone(),
        coordinator: sim.cluster().coordinator_for(CONSUMER_OFFSETS, &g.group_id),
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
                client: sim
                    .consumer(m.client)
                    .map_or(m.client_id.clone(), |c| c.name.clone()),
                consumer: sim.consumer(m.client).map(|c| c.index),
                group_instance_id: m.group_instance_id.clone(),
                assignment: m.assignment.clone(),
                session_expires: m.session_deadline(),
            })
            .collect(),
        partitions,
        total_lag,
        lag_history: sim.lag_history(&g.group_id),
        lag_interval_ms: sim.lag_interval_ms(),
        audit: sim
            .audit()
            .report(sim.audit().slot_of(&g.group_id), &audit_partitions),
    }
}
