//! `Dead`: a group being removed from its coordinator. It takes no members (JoinGroup is refused
//! with COORDINATOR_NOT_AVAILABLE before it gets here) and answers members still talking to it as
//! unknown.

use super::state::Group;
use super::step::{answer_unknown_member, Input, Out, Step};

pub(super) fn step(_: Step, group: &mut Group, input: Input, out: &mut Out) {
    // Anything that is not a request (a member added, a timer) has nothing to act on.
    let _ = answer_unknown_member(group, input, out);
}
