//! `Dead`: a group being removed from its coordinator. It takes no members (JoinGroup is refused
//! with COORDINATOR_NOT_AVAILABLE before it gets here) and answers members still talking to it as
//! unknown.

use super::state::Group;
use super::step::{answer_heartbeat, fail_join, fail_sync, Input, Out, Step};
use crate::ground::ErrorCode;

pub(super) fn step(_: Step, group: &mut Group, input: Input, out: &mut Out) {
    match input {
        Input::Rejoin { join } => fail_join(
            out,
            join.client,
            &group.group_id,
            join.member_id,
            ErrorCode::UnknownMemberId,
        ),
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
        Input::MemberAdded { .. }
        | Input::StaticMemberRejoined { .. }
        | Input::MemberGone { .. }
        | Input::JoinTimerExpired
        | Input::SyncTimerExpired => {}
    }
}
