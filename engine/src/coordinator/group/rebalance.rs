//! The moves every state shares: changing state, starting a rebalance, finishing the join phase,
//! adding and removing members (`GroupMetadataManager`'s classic group helpers).

use super::state::{Group, GroupState, JoinTimer, Member};
use super::step::{Join, Out, Output, Step};
use crate::event::{EventKind, RebalanceReason};
use crate::ground::ErrorCode;
use crate::protocol::{GroupResponse, JoinResult, MemberSubscription};

pub(super) fn transition(s: Step, group: &mut Group, to: GroupState, out: &mut Out) {
    if group.state == to {
        return;
    }
    out.push(Output::Event(EventKind::GroupStateChanged {
        group: group.group_id.clone(),
        from: group.state.as_str().to_string(),
        to: to.as_str().to_string(),
        generation: group.generation,
    }));
    group.state = to;
    group.state_since = s.now;
}

/// `prepareRebalance`: every member must rejoin; an Empty group first waits
/// `group.initial.rebalance.delay.ms` for more members (`InitialDelayedJoin`).
pub(super) fn prepare_rebalance(
    s: Step,
    group: &mut Group,
    reason: RebalanceReason,
    out: &mut Out,
) {
    if group.state == GroupState::CompletingRebalance {
        // Members waiting for their assignment must rejoin instead.
        for (_, m) in group.members.iter_mut() {
            m.assignment.clear();
            if m.awaiting_sync {
                m.awaiting_sync = false;
                out.push(Output::Respond {
                    client: m.client,
                    response: GroupResponse::SyncGroup {
                        group: group.group_id.clone(),
                        generation: group.generation,
                        result: Err(ErrorCode::RebalanceInProgress),
                    },
                });
            }
        }
        group.sync_deadline = None;
    }
    let rebalance_timeout = group.rebalance_timeout();
    group.join_timer = Some(if group.state == GroupState::Empty {
        let delay = s.initial_delay.min(rebalance_timeout);
        JoinTimer::Initial {
            deadline: s.now + delay,
            delay,
            remaining: rebalance_timeout.saturating_sub(delay),
        }
    } else {
        JoinTimer::Rebalance {
            deadline: s.now + rebalance_timeout,
        }
    });
    group.new_member_added = false;
    out.push(Output::Event(EventKind::RebalanceStarted {
        group: group.group_id.clone(),
        generation: group.generation,
        reason,
    }));
    transition(s, group, GroupState::PreparingRebalance, out);
    maybe_complete_join(s, group, out);
}

/// Completes the join phase early once everyone rejoined (never during the initial delay).
pub(super) fn maybe_complete_join(s: Step, group: &mut Group, out: &mut Out) {
    if group.state != GroupState::PreparingRebalance {
        return;
    }
    if matches!(group.join_timer, Some(JoinTimer::Initial { .. })) {
        return;
    }
    if group.has_all_members_joined() {
        complete_join(s, group, out);
    }
}

/// `onCompleteJoin`: drop members that did not rejoin, start the next generation, and answer
/// every waiting JoinGroup (the leader's answer carries all subscriptions).
pub(super) fn complete_join(s: Step, group: &mut Group, out: &mut Out) {
    let now = s.now;
    group.join_timer = None;
    // Only dynamic members that did not rejoin are dropped: a static one keeps its place (and
    // gets partitions) until its session times out (`completeClassicGroupJoin`).
    let missing: Vec<String> = group
        .members
        .values()
        .filter(|m| !m.awaiting_join && m.group_instance_id.is_none())
        .map(|m| m.member_id.clone())
        .collect();
    for id in missing {
        out.push(Output::Event(EventKind::MemberRemoved {
            group: group.group_id.clone(),
            member: id.clone(),
            reason: "did not rejoin before the rebalance timeout".into(),
        }));
        remove_member(group, &id);
    }
    // The leader must be a member that rejoined (`maybeElectNewJoinedLeader`); with only absent
    // static members left, wait another rebalance timeout for their sessions to expire.
    let joined = |g: &Group, id: &str| g.members.get(id).is_some_and(|m| m.awaiting_join);
    if !group.leader.as_deref().is_some_and(|l| joined(group, l)) {
        group.leader = group
            .members
            .values()
            .filter(|m| m.awaiting_join)
            .min_by_key(|m| m.joined_seq)
            .map(|m| m.member_id.clone());
    }
    if group.leader.is_none() && !group.members.is_empty() {
        group.join_timer = Some(JoinTimer::Rebalance {
            deadline: now + group.rebalance_timeout(),
        });
        return;
    }
    group.generation += 1;
    if group.members.is_empty() {
        group.protocol = None;
        group.leader = None;
        transition(s, group, GroupState::Empty, out);
        return;
    }
    group.protocol = group.select_protocol();
    let protocol = group.protocol.expect("members share a protocol");
    let leader = group.leader.clone().expect("chosen above");
    transition(s, group, GroupState::CompletingRebalance, out);
    let subscriptions: Vec<MemberSubscription> = group
        .members
        .values()
        .map(|m| {
            let s = m.subscription(protocol).expect("member supports protocol");
            MemberSubscription {
                member_id: m.member_id.clone(),
                group_instance_id: m.group_instance_id.clone(),
                subscription: s.topics.clone(),
                owned_partitions: s.owned_partitions.clone(),
                generation: (s.generation >= 0).then_some(s.generation),
            }
        })
        .collect();
    out.push(Output::Event(EventKind::RebalanceCompleted {
        group: group.group_id.clone(),
        generation: group.generation,
        protocol: protocol.as_str().to_string(),
        leader: leader.clone(),
        members: group.members.len() as u32,
    }));
    let mut latest_rebalance_timeout = 0;
    for (_, m) in group.members.iter_mut() {
        m.awaiting_join = false;
        m.is_new = false;
        m.last_heartbeat = now;
        latest_rebalance_timeout = latest_rebalance_timeout.max(m.rebalance_timeout_ms);
        let is_leader = m.member_id == leader;
        out.push(Output::Event(EventKind::JoinGroupResponse {
            group: group.group_id.clone(),
            member: m.member_id.clone(),
            generation: group.generation,
            leader: leader.clone(),
            error: None,
        }));
        out.push(Output::Respond {
            client: m.client,
            response: GroupResponse::JoinGroup {
                group: group.group_id.clone(),
                member_id: m.member_id.clone(),
                result: Ok(JoinResult {
                    generation: group.generation,
                    protocol,
                    leader: leader.clone(),
                    member_id: m.member_id.clone(),
                    members: if is_leader {
                        subscriptions.clone()
                    } else {
                        Vec::new()
                    },
                    skip_assignment: false,
                }),
            },
        });
    }
    // Every member must send SyncGroup within the rebalance timeout.
    group.sync_deadline = Some(now + latest_rebalance_timeout);
}

/// Adds a member that is joining (`addMemberAndRebalance`, before the rebalance itself).
pub(super) fn add_member(s: Step, group: &mut Group, member_id: &str, join: Join, out: &mut Out) {
    out.push(Output::Event(EventKind::JoinGroup {
        group: group.group_id.clone(),
        consumer: join.client,
        member: member_id.to_string(),
        owned: join
            .protocols
            .first()
            .map_or(0, |(_, s)| s.owned_partitions.len() as u32),
    }));
    let seq = group.next_join_seq;
    group.next_join_seq += 1;
    group.members.insert(
        member_id.to_string(),
        Member {
            member_id: member_id.to_string(),
            group_instance_id: join.group_instance_id,
            client_id: join.client_id,
            client: join.client,
            session_timeout_ms: join.session_timeout_ms,
            rebalance_timeout_ms: join.rebalance_timeout_ms,
            protocols: join.protocols,
            awaiting_join: true,
            awaiting_sync: false,
            assignment: Vec::new(),
            last_heartbeat: s.now,
            is_new: true,
            joined_seq: seq,
        },
    );
    if group.leader.is_none() {
        group.leader = Some(member_id.to_string());
    }
    group.new_member_added = true;
}

/// A known member's JoinGroup replaces what the coordinator knew of it.
pub(super) fn update_member(s: Step, group: &mut Group, join: &Join) {
    let m = group
        .members
        .get_mut(&join.member_id)
        .expect("member exists");
    m.protocols = join.protocols.clone();
    m.client = join.client;
    m.session_timeout_ms = join.session_timeout_ms;
    m.rebalance_timeout_ms = join.rebalance_timeout_ms;
    m.awaiting_join = true;
    m.last_heartbeat = s.now;
}

pub(super) fn remove_member(group: &mut Group, member_id: &str) {
    if let Some(m) = group.members.remove(member_id) {
        if let Some(instance) = m.group_instance_id {
            if group.static_members.get(&instance).map(String::as_str) == Some(member_id) {
                group.static_members.remove(&instance);
            }
        }
    }
    if group.leader.as_deref() == Some(member_id) {
        group.leader = group
            .members
            .values()
            .min_by_key(|m| m.joined_seq)
            .map(|m| m.member_id.clone());
    }
}

/// Answers a member that asks to join with the current generation, without a rebalance.
pub(super) fn answer_current_generation(
    group: &Group,
    client: u32,
    member_id: String,
    skip_assignment: bool,
    out: &mut Out,
) {
    let result = JoinResult {
        generation: group.generation,
        protocol: group.protocol.expect("a generation has a protocol"),
        leader: group.leader.clone().unwrap_or_default(),
        member_id: member_id.clone(),
        members: Vec::new(),
        skip_assignment,
    };
    out.push(Output::Respond {
        client,
        response: GroupResponse::JoinGroup {
            group: group.group_id.clone(),
            member_id,
            result: Ok(result),
        },
    });
}

/// A static member that took over its old identity must rejoin like everyone else: the group
/// rebalances (from any state but PreparingRebalance, which it simply joins).
pub(super) fn static_member_rejoins(s: Step, group: &mut Group, member_id: String, out: &mut Out) {
    group
        .members
        .get_mut(&member_id)
        .expect("just rejoined")
        .awaiting_join = true;
    prepare_rebalance(s, group, RebalanceReason::MemberJoined(member_id), out)
}

/// A member of a running generation (CompletingRebalance or Stable) is gone: the others rebalance,
/// or, if it was the last, the group ends its generation and is Empty.
pub(super) fn member_gone_from_generation(
    s: Step,
    group: &mut Group,
    reason: RebalanceReason,
    out: &mut Out,
) {
    if !group.members.is_empty() {
        return prepare_rebalance(s, group, reason, out);
    }
    group.generation += 1;
    group.protocol = None;
    group.leader = None;
    group.sync_deadline = None;
    out.push(Output::Event(EventKind::RebalanceStarted {
        group: group.group_id.clone(),
        generation: group.generation - 1,
        reason,
    }));
    transition(s, group, GroupState::PreparingRebalance, out);
    transition(s, group, GroupState::Empty, out);
}

/// A known member asks to join a running generation (CompletingRebalance or Stable). A member
/// whose protocols did not change and that may keep its assignment lost its last response: it gets
/// the current generation again. Anyone else starts a rebalance.
pub(super) fn rejoin_running_generation(
    s: Step,
    group: &mut Group,
    join: Join,
    may_keep: bool,
    out: &mut Out,
) {
    let m = group
        .members
        .get_mut(&join.member_id)
        .expect("known member");
    if may_keep && m.protocols == join.protocols {
        m.last_heartbeat = s.now;
        return answer_current_generation(group, join.client, join.member_id, false, out);
    }
    update_member(s, group, &join);
    let reason = RebalanceReason::MemberJoined(join.member_id);
    prepare_rebalance(s, group, reason, out);
}
