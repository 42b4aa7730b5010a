//! `PreparingRebalance`: the join phase. Every member must send JoinGroup again; the phase ends
//! when all have (`maybe_complete_join`) or when its timer runs out: the initial delay of a new
//! group (`InitialDelayedJoin`, extended for each member that arrives meanwhile) or the rebalance
//! timeout (`DelayedJoin`), after which dynamic members that did not rejoin are dropped (static
//! ones keep their place until their session times out).

use super::rebalance::{complete_join, maybe_complete_join, update_member};
use super::state::{Group, JoinTimer};
use super::step::{answer_heartbeat, fail_sync, Input, Out, Step};
use crate::ground::ErrorCode;

pub(super) fn step(s: Step, group: &mut Group, input: Input, out: &mut Out) {
    match input {
        Input::Rejoin { join } => {
            update_member(s, group, &join);
            maybe_complete_join(s, group, out);
        }
        Input::MemberAdded { .. } => maybe_complete_join(s, group, out),
        Input::StaticMemberRejoined { member_id, .. } => {
            // It is back in time to take part in this rebalance.
            let m = group.members.get_mut(&member_id).expect("just rejoined");
            m.awaiting_join = true;
            maybe_complete_join(s, group, out);
        }
        Input::Sync {
            client, generation, ..
        } => fail_sync(
            out,
            client,
            &group.group_id,
            generation,
            ErrorCode::RebalanceInProgress,
        ),
        Input::Heartbeat {
            client,
            member_id,
            generation,
        } => {
            let error = if generation != group.generation {
                ErrorCode::IllegalGeneration
            } else {
                ErrorCode::RebalanceInProgress
            };
            answer_heartbeat(out, client, &group.group_id, member_id, Some(error));
        }
        Input::MemberGone { .. } => {
            // The last member left a rebalance: nobody is left to wait for.
            if group.members.is_empty()
                && matches!(group.join_timer, Some(JoinTimer::Rebalance { .. }))
            {
                complete_join(s, group, out);
            } else {
                maybe_complete_join(s, group, out);
            }
        }
        Input::JoinTimerExpired => match group.join_timer {
            Some(JoinTimer::Initial {
                delay, remaining, ..
            }) if group.new_member_added && remaining > 0 => {
                // Someone arrived during the delay: wait once more, up to the rebalance timeout.
                let next = delay.min(remaining);
                group.new_member_added = false;
                group.join_timer = Some(JoinTimer::Initial {
                    deadline: s.now + next,
                    delay,
                    remaining: remaining - next,
                });
            }
            _ => complete_join(s, group, out),
        },
        Input::SyncTimerExpired => {}
    }
}
