//! What every state agrees on before a request reaches the group's state: the checks that decide
//! whether a request is answered with an error without looking further. Each returns the error
//! Kafka's coordinator answers with.

use super::state::{Group, GroupState};
use super::step::Join;
use crate::coordinator::consumer_group::ConsumerGroup;
use crate::ground::ErrorCode;

/// `session.timeout.ms` must lie within the broker's `group.min/max.session.timeout.ms`
/// (INVALID_SESSION_TIMEOUT; the client's own config validation keeps this from happening).
pub(super) fn session_timeout(join: &Join, min: u64, max: u64) -> Result<(), ErrorCode> {
    if join.session_timeout_ms < min || join.session_timeout_ms > max {
        return Err(ErrorCode::InconsistentGroupProtocol);
    }
    Ok(())
}

/// A JoinGroup needs a live group and a protocol in common with the members it has.
pub(super) fn join(group: &Group, join: &Join) -> Result<(), ErrorCode> {
    if group
        .consumer
        .as_ref()
        .is_some_and(|c| !c.members.is_empty())
    {
        // A consumer-protocol group with members (see `consumer_group::coordinator`).
        return Err(ErrorCode::InconsistentGroupProtocol);
    }
    if group.state == GroupState::Dead {
        return Err(ErrorCode::CoordinatorNotAvailable);
    }
    if !group.supports_protocols(&join.protocols) {
        return Err(ErrorCode::InconsistentGroupProtocol);
    }
    Ok(())
}

/// SyncGroup: the member must be known and speak for the current generation.
pub(super) fn sync(
    group: Option<&Group>,
    member_id: &str,
    generation: i32,
) -> Result<(), ErrorCode> {
    let Some(group) = group.filter(|g| g.members.contains_key(member_id)) else {
        return Err(ErrorCode::UnknownMemberId);
    };
    if generation != group.generation {
        return Err(ErrorCode::IllegalGeneration);
    }
    Ok(())
}

/// OffsetCommit: a consumer outside the group protocol (assign mode, generation -1) may commit
/// to an Empty group; a member must be known, of the current generation, and not between
/// generations.
pub(super) fn offset_commit(group: &Group, member_id: &str, generation: i32) -> Option<ErrorCode> {
    if let Some(c) = &group.consumer {
        return consumer_offset_commit(c, member_id, generation);
    }
    if generation < 0 && group.state == GroupState::Empty {
        None
    } else if !group.members.contains_key(member_id) {
        Some(ErrorCode::UnknownMemberId)
    } else if generation != group.generation {
        Some(ErrorCode::IllegalGeneration)
    } else if group.state == GroupState::CompletingRebalance {
        Some(ErrorCode::RebalanceInProgress)
    } else {
        None
    }
}

/// OffsetCommit to a consumer-protocol group (`ConsumerGroup.validateOffsetCommit`): epoch -1
/// from outside the group only while it has no members; a member must be known and commit with
/// its current member epoch, else STALE_MEMBER_EPOCH (it commits again once it has the new one).
fn consumer_offset_commit(c: &ConsumerGroup, member_id: &str, epoch: i32) -> Option<ErrorCode> {
    if epoch < 0 && c.members.is_empty() {
        return None;
    }
    match c.members.get(member_id) {
        None => Some(ErrorCode::UnknownMemberId),
        Some(m) if m.assignment.member_epoch != epoch => Some(ErrorCode::StaleMemberEpoch),
        Some(_) => None,
    }
}

/// TxnOffsetCommit (KIP-447): the consumer's group metadata fences a member that lost its
/// partitions; a producer without group metadata (generation -1) is not checked.
pub(super) fn txn_offset_commit(
    group: &Group,
    member_id: &str,
    generation: i32,
) -> Option<ErrorCode> {
    if let Some(c) = &group.consumer {
        return if generation < 0 {
            None
        } else {
            consumer_offset_commit(c, member_id, generation)
        };
    }
    if generation < 0 {
        None
    } else if !group.members.contains_key(member_id) {
        Some(ErrorCode::UnknownMemberId)
    } else if generation != group.generation {
        Some(ErrorCode::IllegalGeneration)
    } else {
        None
    }
}
