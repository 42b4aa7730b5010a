//! `Empty`: a group with no members (new, or every member gone). It keeps its committed offsets;
//! the first member to join starts a rebalance that waits `group.initial.rebalance.delay.ms` for
//! more members.

use super::rebalance::prepare_rebalance;
use super::state::Group;
use super::step::{answer_heartbeat, fail_join, fail_sync, Input, Out, Step};
use crate::event::RebalanceReason;
use crate::ground::ErrorCode;

pub(super) fn step(s: Step, group: &mut Group, input: Input, out: &mut Out) {
    match input {
        Input::Rejoin { join } => fail_join(
            out,
            join.client,
            &group.group_id,
            join.member_id,
            ErrorCode::UnknownMemberId,
        ),
        Input::MemberAdded { member_id } => {
            prepare_rebalance(s, group, RebalanceReason::MemberJoined(member_id), out)
        }
        Input::StaticMemberRejoined { member_id, .. } => {
            group
                .members
                .get_mut(&member_id)
                .expect("just rejoined")
                .awaiting_join = true;
            prepare_rebalance(s, group, RebalanceReason::MemberJoined(member_id), out)
        }
        Input::Sync {
            client, generation, ..
        } => fail_sync(
            out,
            client,
            &group.group_id,
            generation,
            ErrorCode::UnknownMemberId,
        ),
        Input::Heartbeat {
            client, member_id, ..
        } => answer_heartbeat(
            out,
            client,
            &group.group_id,
            member_id,
            Some(ErrorCode::UnknownMemberId),
        ),
        // No generation runs, so no timer does either.
        Input::MemberGone { .. } | Input::JoinTimerExpired | Input::SyncTimerExpired => {}
    }
}
