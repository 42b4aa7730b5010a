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
    /// Consumer protocol: the member's epoch and its reconciliation state (`STABLE`,
    /// `UNREVOKED_PARTITIONS`, `UNRELEASED_PARTITIONS`, `UNKNOWN`).
    pub member_epoch: Option<i32>,
    pub member_state: Option<String>,
    /// Consumer protocol: partitions it was told to revoke and still holds.
    pub revoking: Vec<(String, u32)>,
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
    /// `group.protocol` the group speaks: `classic` or `consumer` (KIP-848).
    pub group_protocol: String,
    /// The generation (classic) or the group epoch (consumer protocol).
    pub generation: i32,
    /// Consumer protocol: the epoch of the target assignment the members reconcile towards.
    pub assignment_epoch: Option<i32>,
    /// The assignor: the client-side one the leader ran (classic) or the server assignor.
    pub protocol: Option<String>,
    pub leader: Option<String>,
    pub coordinator: Option<BrokerId>,
    /// The coordinator's broker is down or its partition has no leader: the state shown is the
    /// last one known, and nothing can join, sync or commit.
    pub coordinator_down: bool,
    /// The first rebalance of a new group waits `group.initial.rebalance.delay.ms` (the delay,
    /// in ms) for more members, until this time (Kafka's `InitialDelayedJoin`).
    pub initial_delay: Option<(Millis, u64)>,
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
    /// Recent rebalances: how long each member could not read, and what it read meanwhile.
    pub rebalances: Vec<crate::sim::rebalances::Rebalance>,
    /// End-to-end latency over the last five to ten seconds, from a record's production to the
    /// group's `poll()` returning it, across its members.
    pub latency: crate::ground::latency::LatencySummary,
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
    if let Some(cg) = &g.consumer {
        topics.extend(cg.subscribed_topics());
    }
    let members = members(sim, g);
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
        members
            .iter()
            .find(|m| {
                m.assignment
                    .iter()
                    .chain(&m.revoking)
                    .any(|(t, q)| t == topic && *q == p)
            })
            .map(|m| m.client.clone())
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
    // Each partition once: a group reading a processor's input and its output (or two
    // processors of one input) would otherwise count that input's records twice.
    crate::ground::sort::sort(&mut audit_partitions);
    audit_partitions.dedup();
    let (total_lag, _) = group_lag(sim.cluster(), g);
    let offsets_topic = sim.cluster().topic_by_name(CONSUMER_OFFSETS);
    GroupView {
        group_id: g.group_id.clone(),
        state: g.state_name().to_string(),
        state_since: g.state_since,
        group_protocol: g.group_protocol().as_str().to_string(),
        generation: g.consumer.as_ref().map_or(g.generation, |c| c.group_epoch),
        assignment_epoch: g.consumer.as_ref().map(|c| c.assignment_epoch),
        protocol: match &g.consumer {
            Some(c) => c.last_assignor.map(|a| a.name().to_string()),
            None => g.protocol.map(|p| p.as_str().to_string()),
        },
        leader: g.leader.clone(),
        coordinator: sim.cluster().coordinator_for(CONSUMER_OFFSETS, &g.group_id),
        coordinator_down: sim
            .cluster()
            .available_coordinator(CONSUMER_OFFSETS, &g.group_id)
            .is_none(),
        initial_delay: match g.join_timer {
            Some(crate::coordinator::group::state::JoinTimer::Initial {
                deadline, delay, ..
            }) => Some((deadline, delay)),
            _ => None,
        },
        coordinator_partition: crate::ground::hash::coordinator_partition(
            &g.group_id,
            offsets_topic.map_or(50, |t| t.partitions.len() as u32),
        ),
        topics,
        members,
        partitions,
        total_lag,
        lag_history: sim.lag_history(&g.group_id),
        lag_interval_ms: sim.lag_interval_ms(),
        rebalances: sim.rebalances(&g.group_id),
        latency: {
            let now = sim.now();
            let mut w = crate::ground::latency::LatencyWindow::default();
            for c in sim
                .consumers()
                .filter(|c| c.group_id() == Some(g.group_id.as_str()))
            {
                w.merge(&c.stats.latency, now);
            }
            w.summary(now)
        },
        audit: sim
            .audit()
            .report(sim.audit().slot_of(&g.group_id), &audit_partitions),
    }
}

/// The coordinator's members, of whichever protocol the group speaks.
fn members(sim: &Simulation, g: &crate::coordinator::group::Group) -> Vec<MemberView> {
    let client = |index: u32, client_id: &str| {
        sim.consumer(index)
            .map_or(client_id.to_string(), |c| c.name.clone())
    };
    if let Some(cg) = &g.consumer {
        let session = sim.group_coordinator().consumer_session_timeout_ms;
        return cg
            .members
            .values()
            .map(|m| MemberView {
                member_id: m.member_id.clone(),
                client: client(m.client, &m.client_id),
                consumer: sim.consumer(m.client).map(|c| c.index),
                group_instance_id: m.instance_id.clone(),
                assignment: m.assignment.assigned.clone(),
                session_expires: Some(m.last_heartbeat + session),
                member_epoch: Some(m.assignment.member_epoch),
                member_state: Some(m.state().as_str().to_string()),
                revoking: m.assignment.pending_revocation.clone(),
            })
            .collect();
    }
    g.members
        .values()
        .map(|m| MemberView {
            member_id: m.member_id.clone(),
            client: client(m.client, &m.client_id),
            consumer: sim.consumer(m.client).map(|c| c.index),
            group_instance_id: m.group_instance_id.clone(),
            assignment: m.assignment.clone(),
            session_expires: m.session_deadline(),
            member_epoch: None,
            member_state: None,
            revoking: Vec::new(),
        })
        .collect()
}
