//! `CompletingRebalance`: the sync phase. The new generation exists; members wait in SyncGroup
//! until the leader sends the assignment its assignor computed, and the group becomes Stable.
//! Members that never send SyncGroup within the rebalance timeout are dropped and the group
//! rebalances again.

use super::rebalance::{
    member_gone_from_generation, prepare_rebalance, rejoin_running_generation,
    static_member_rejoins,
};
use super::rebalance::{remove_member, transition};
use super::state::{Group, GroupState};
use super::step::{answer_heartbeat, Input, Out, Output, Step};
use crate::event::{EventKind, RebalanceReason};
use crate::ground::ErrorCode;
use crate::protocol::GroupResponse;

pub(super) fn step(s: Step, group: &mut Group, input: Input, out: &mut Out) {
    match input {
        Input::Rejoin { join } => rejoin_running_generation(s, group, join, true, out),
        Input::MemberAdded { member_id } => {
            prepare_rebalance(s, group, RebalanceReason::MemberJoined(member_id), out)
        }
        Input::StaticMemberRejoined { member_id, .. } => {
            static_member_rejoins(s, group, member_id, out)
        }
        Input::Sync {
            member_id,
            generation,
            assignments,
            ..
        } => sync(s, group, &member_id, generation, assignments, out),
        Input::Heartbeat {
            client,
            member_id,
            generation,
        } => {
            let error = (generation != group.generation).then_some(ErrorCode::IllegalGeneration);
            answer_heartbeat(out, client, &group.group_id, member_id, error);
        }
        Input::MemberGone { reason } => member_gone_from_generation(s, group, reason, out),
        Input::SyncTimerExpired => sync_timed_out(s, group, out),
        Input::JoinTimerExpired => {}
    }
}

/// A member waits for its assignment; the leader's SyncGroup carries everyone's, and answers
/// every member waiting.
fn sync(
    s: Step,
    group: &mut Group,
    member_id: &str,
    generation: i32,
    assignments: Vec<(String, Vec<crate::protocol::TopicPartition>)>,
    out: &mut Out,
) {
    let is_leader = group.leader.as_deref() == Some(member_id);
    let m = group.members.get_mut(member_id).expect("checked");
    m.awaiting_sync = true;
    m.last_heartbeat = s.now;
    if !is_leader {
        return;
    }
    // The last entry for a member wins, as in Kafka's map of assignments.
    let mut given = assignments;
    for (_, m) in group.members.iter_mut() {
        m.assignment = given
            .iter()
            .rposition(|(id, _)| *id == m.member_id)
            .map(|i| given.swap_remove(i).1)
            .unwrap_or_default();
    }
    group.sync_deadline = None;
    transition(s, group, GroupState::Stable, out);
    let group_id = group.group_id.clone();
    for (_, m) in group.members.iter_mut() {
        if m.awaiting_sync {
            m.awaiting_sync = false;
            m.last_heartbeat = s.now;
            out.push(Output::Event(EventKind::SyncGroupResponse {
                group: group_id.clone(),
                member: m.member_id.clone(),
                generation,
                partitions: m.assignment.len() as u32,
                error: None,
            }));
            out.push(Output::Respond {
                client: m.client,
                response: GroupResponse::SyncGroup {
                    group: group_id.clone(),
                    generation,
                    result: Ok(m.assignment.clone()),
                },
            });
        }
    }
}

/// The rebalance timeout passed and some members never sent SyncGroup: drop them and rebalance.
fn sync_timed_out(s: Step, group: &mut Group, out: &mut Out) {
    group.sync_deadline = None;
    let laggards: Vec<String> = group
        .members
        .values()
        .filter(|m| !m.awaiting_sync)
        .map(|m| m.member_id.clone())
        .collect();
    for id in &laggards {
        out.push(Output::Event(EventKind::MemberRemoved {
            group: group.group_id.clone(),
            member: id.clone(),
            reason: "no SyncGroup before the rebalance timeout".into(),
        }));
        remove_member(group, id);
    }
    if let Some(id) = laggards.into_iter().next() {
        prepare_rebalance(s, group, RebalanceReason::RebalanceTimeout(id), out);
    }
}
