//! `Empty`: a group with no members (new, or every member gone). It keeps its committed offsets;
//! the first member to join starts a rebalance that waits `group.initial.rebalance.delay.ms` for
//! more members.

use super::rebalance::{prepare_rebalance, static_member_rejoins};
use super::state::Group;
use super::step::{answer_unknown_member, Input, Out, Step};
use crate::event::RebalanceReason;

pub(super) fn step(s: Step, group: &mut Group, input: Input, out: &mut Out) {
    match answer_unknown_member(group, input, out) {
        Some(Input::MemberAdded { member_id }) => {
            prepare_rebalance(s, group, RebalanceReason::MemberJoined(member_id), out)
        }
        Some(Input::StaticMemberRejoined { member_id, .. }) => {
            static_member_rejoins(s, group, member_id, out)
        }
        // No generation runs, so no timer does either.
        _ => {}
    }
}
