//! `Stable`: every member has its assignment and heartbeats. A member that joins or changes its
//! subscription starts a rebalance; a static member that restarts within its session gets its
//! identity back without one (KIP-345).

use super::rebalance::{
    answer_current_generation, member_gone_from_generation, prepare_rebalance,
    rejoin_running_generation, static_member_rejoins,
};
use super::state::Group;
use super::step::{answer_heartbeat, respond, Input, Out, Output, Step};
use crate::event::{EventKind, RebalanceReason};
use crate::ground::ErrorCode;
use crate::protocol::GroupResponse;

pub(super) fn step(s: Step, group: &mut Group, input: Input, out: &mut Out) {
    match input {
        Input::Rejoin { join } => {
            // The leader rejoining means it wants to reassign (a metadata change it noticed).
            let is_leader = group.leader.as_deref() == Some(join.member_id.as_str());
            rejoin_running_generation(s, group, join, !is_leader, out)
        }
        Input::MemberAdded { member_id } => {
            prepare_rebalance(s, group, RebalanceReason::MemberJoined(member_id), out)
        }
        Input::StaticMemberRejoined {
            member_id,
            client,
            selected_protocol_unchanged,
            was_leader,
        } => {
            if selected_protocol_unchanged {
                let m = group.members.get_mut(&member_id).expect("just rejoined");
                m.awaiting_join = false;
                // A leader that comes back must not reassign: nothing changed (KIP-814).
                answer_current_generation(group, client, member_id, was_leader, out);
            } else {
                static_member_rejoins(s, group, member_id, out);
            }
        }
        Input::Sync {
            client,
            member_id,
            generation,
            ..
        } => {
            // A member asking again gets the assignment it already has.
            let m = group.members.get_mut(&member_id).expect("checked");
            m.last_heartbeat = s.now;
            out.push(Output::Event(EventKind::SyncGroupResponse {
                group: group.group_id.clone(),
                member: member_id.clone(),
                generation,
                partitions: m.assignment.len() as u32,
                error: None,
            }));
            let assignment = m.assignment.clone();
            respond(
                out,
                client,
                GroupResponse::SyncGroup {
                    group: group.group_id.clone(),
                    generation,
                    result: Ok(assignment),
                },
            );
        }
        Input::Heartbeat {
            client,
            member_id,
            generation,
        } => {
            let error = (generation != group.generation).then_some(ErrorCode::IllegalGeneration);
            answer_heartbeat(out, client, &group.group_id, member_id, error);
        }
        Input::MemberGone { reason } => member_gone_from_generation(s, group, reason, out),
        Input::JoinTimerExpired | Input::SyncTimerExpired => {}
    }
}
