//! What reaches a group once its request has been validated, and the dispatch on the group's
//! state, in the manner of raft-rs's `step` → `step_leader`/`step_follower`: one function per
//! state (`ClassicGroupState`) decides what every input means there.

use super::state::{Group, GroupState};
use super::{completing_rebalance, dead, empty, preparing_rebalance, stable};
use crate::event::{EventKind, RebalanceReason};
use crate::ground::{ErrorCode, Millis};
use crate::protocol::{AssignorName, GroupResponse, Subscription, TopicPartition};

/// The coordinator's outputs: responses to clients and events, as data.
#[derive(Clone, Debug)]
pub enum Output {
    Respond {
        client: u32,
        response: GroupResponse,
    },
    Event(EventKind),
}

pub(super) type Out = Vec<Output>;

pub(super) fn respond(out: &mut Out, client: u32, response: GroupResponse) {
    out.push(Output::Respond { client, response });
}

/// What a state function needs besides the group: the time, and how long a new group waits for
/// more members before its first rebalance (`group.initial.rebalance.delay.ms`).
#[derive(Clone, Copy, Debug)]
pub(super) struct Step {
    pub now: Millis,
    pub initial_delay: u64,
}

/// A JoinGroup as the coordinator keeps it while it decides.
#[derive(Clone, Debug)]
pub(super) struct Join {
    pub client: u32,
    pub member_id: String,
    pub group_instance_id: Option<String>,
    pub client_id: String,
    pub session_timeout_ms: u64,
    pub rebalance_timeout_ms: u64,
    pub protocols: Vec<(AssignorName, Subscription)>,
}

/// A validated input to a group.
#[derive(Debug)]
pub(super) enum Input {
    /// JoinGroup from a member the group already has.
    Rejoin { join: Join },
    /// A member was just added (a dynamic member back after MEMBER_ID_REQUIRED, or a new static
    /// member): the group must rebalance to give it partitions.
    MemberAdded { member_id: String },
    /// A static member restarted and took over its old identity under a new member id (KIP-345).
    StaticMemberRejoined {
        member_id: String,
        client: u32,
        /// The protocol the group would select with it is the one it runs (no rebalance needed).
        selected_protocol_unchanged: bool,
        was_leader: bool,
    },
    /// SyncGroup from a member of the current generation.
    Sync {
        client: u32,
        member_id: String,
        generation: i32,
        assignments: Vec<(String, Vec<TopicPartition>)>,
    },
    /// Heartbeat from a known member (its `last_heartbeat` is already updated).
    Heartbeat {
        client: u32,
        member_id: String,
        generation: i32,
    },
    /// A member left or was removed (already gone from `members`).
    MemberGone { reason: RebalanceReason },
    /// The join phase's timer is due (`InitialDelayedJoin` or `DelayedJoin`).
    JoinTimerExpired,
    /// Members that never sent SyncGroup are out of time.
    SyncTimerExpired,
}

/// Hands `input` to the function of the group's state.
pub(super) fn step(s: Step, group: &mut Group, input: Input, out: &mut Out) {
    match group.state {
        GroupState::Empty => empty::step(s, group, input, out),
        GroupState::PreparingRebalance => preparing_rebalance::step(s, group, input, out),
        GroupState::CompletingRebalance => completing_rebalance::step(s, group, input, out),
        GroupState::Stable => stable::step(s, group, input, out),
        GroupState::Dead => dead::step(s, group, input, out),
    }
}

/// Answers a JoinGroup with an error.
pub(super) fn fail_join(out: &mut Out, client: u32, group: &str, member_id: String, e: ErrorCode) {
    // MEMBER_ID_REQUIRED is the first half of every dynamic join (KIP-394), not news.
    if e != ErrorCode::MemberIdRequired {
        out.push(Output::Event(EventKind::JoinGroupResponse {
            group: group.to_string(),
            member: member_id.clone(),
            generation: -1,
            leader: String::new(),
            error: Some(e),
        }));
    }
    respond(
        out,
        client,
        GroupResponse::JoinGroup {
            group: group.to_string(),
            member_id,
            result: Err(e),
        },
    );
}

/// Answers a SyncGroup with an error.
pub(super) fn fail_sync(out: &mut Out, client: u32, group: &str, generation: i32, e: ErrorCode) {
    respond(
        out,
        client,
        GroupResponse::SyncGroup {
            group: group.to_string(),
            generation,
            result: Err(e),
        },
    );
}

/// Answers a request from a member the group does not know as such (the group has no generation
/// it could belong to): UNKNOWN_MEMBER_ID. Returns the input back when it is not a request.
pub(super) fn answer_unknown_member(group: &Group, input: Input, out: &mut Out) -> Option<Input> {
    let e = ErrorCode::UnknownMemberId;
    match input {
        Input::Rejoin { join } => fail_join(out, join.client, &group.group_id, join.member_id, e),
        Input::Sync {
            client, generation, ..
        } => fail_sync(out, client, &group.group_id, generation, e),
        Input::Heartbeat {
            client, member_id, ..
        } => answer_heartbeat(out, client, &group.group_id, member_id, Some(e)),
        other => return Some(other),
    }
    None
}

/// Answers a heartbeat, and records it.
pub(super) fn answer_heartbeat(
    out: &mut Out,
    client: u32,
    group: &str,
    member_id: String,
    error: Option<ErrorCode>,
) {
    out.push(Output::Event(EventKind::Heartbeat {
        group: group.to_string(),
        member: member_id,
        error,
    }));
    respond(
        out,
        client,
        GroupResponse::Heartbeat {
            group: group.to_string(),
            error,
        },
    );
}
