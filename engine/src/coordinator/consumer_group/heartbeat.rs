//! `ConsumerGroupHeartbeat` on one consumer group (`GroupMetadataManager.consumerGroupHeartbeat`):
//! join with epoch 0, leave with -1 (or -2 for a static member), otherwise check the member's
//! epoch, take its subscription, move the group epoch if the subscription or the subscribed
//! topics' metadata changed, compute a new target assignment when the group epoch is past the
//! target's, and take this member one step towards its target.
//!
//! Only the member that heartbeats moves: the others learn of a new target at their own next
//! heartbeat, which is why the consumer protocol's rebalances take about one heartbeat interval
//! and why no member ever stops for another.

use super::assignors::{self, MemberSpec};
use super::group::{ConsumerGroup, ConsumerGroupMember};
use super::reconciliation::{self, MemberAssignment, MemberState};
use crate::coordinator::group::Output;
use crate::event::EventKind;
use crate::ground::{ErrorCode, Millis};
use crate::protocol::consumer_group::{LEAVE_GROUP_MEMBER_EPOCH, LEAVE_GROUP_STATIC_MEMBER_EPOCH};
use crate::protocol::{ConsumerGroupHeartbeat, HeartbeatAssignment};

/// The broker's settings for consumer groups.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// `group.consumer.heartbeat.interval.ms`.
    pub heartbeat_interval_ms: u64,
    /// `group.consumer.session.timeout.ms`.
    pub session_timeout_ms: u64,
    /// `group.max.size`.
    pub max_size: u32,
}

/// One heartbeat as it reaches the group.
pub struct Heartbeat<'a> {
    pub now: Millis,
    pub client: u32,
    pub request: ConsumerGroupHeartbeat,
    /// Partition counts of existing topics (the metadata image).
    pub topics: &'a dyn Fn(&str) -> Option<u32>,
    /// A fresh member id, for a member that joins without one.
    pub new_member_id: &'a mut dyn FnMut(&str) -> String,
}

pub fn heartbeat(
    group: &mut ConsumerGroup,
    settings: Settings,
    hb: Heartbeat<'_>,
    out: &mut Vec<Output>,
) -> Result<HeartbeatAssignment, ErrorCode> {
    let Heartbeat {
        now,
        client,
        request,
        topics,
        new_member_id,
    } = hb;
    let req = &request;
    let group_id = req.group.clone();
    let event = |e: EventKind| Output::Event(e);
    let answer = |member_id: &str, epoch: i32, assignment| HeartbeatAssignment {
        member_id: member_id.to_string(),
        member_epoch: epoch,
        heartbeat_interval_ms: settings.heartbeat_interval_ms,
        assignment,
    };
    if req.member_epoch == LEAVE_GROUP_MEMBER_EPOCH
        || req.member_epoch == LEAVE_GROUP_STATIC_MEMBER_EPOCH
    {
        return leave(group, &group_id, req, out).map(|e| answer(&req.member_id, e, None));
    }
    // Why the group epoch moves in this heartbeat, if it does: once, whatever changed.
    let mut bump_reason: Option<String> = None;
    let member_id = if req.member_epoch == 0 {
        let (id, new) = join(group, settings, now, client, req, new_member_id, out)?;
        if new {
            bump_reason = Some(format!("member {id} joined"));
        }
        id
    } else {
        let Some(m) = group.members.get(&req.member_id) else {
            return Err(ErrorCode::UnknownMemberId);
        };
        check_epoch(&m.assignment, req)?;
        req.member_id.clone()
    };
    let m = group
        .members
        .get_mut(&member_id)
        .expect("joined or checked");
    m.last_heartbeat = now;
    m.client = client;
    m.rebalance_timeout_ms = req.rebalance_timeout_ms;
    m.server_assignor = req.server_assignor;
    if m.subscribed_topics != req.subscribed_topics {
        m.subscribed_topics = req.subscribed_topics.clone();
        bump_reason.get_or_insert(format!("member {member_id} changed its subscription"));
    }
    if refresh_metadata(group, topics) {
        bump_reason.get_or_insert("subscribed topic metadata changed".to_string());
    }
    if let Some(reason) = bump_reason {
        group.group_epoch += 1;
        out.push(epoch_event(group, &group_id, &reason));
    }
    if group.group_epoch > group.assignment_epoch {
        update_target(group, &group_id, topics, out);
    }
    let old = group.members[&member_id].assignment.clone();
    let epochs = &group.partition_epochs;
    let partition_epoch = |t: &str, p: u32| *epochs.get(&(t.to_string(), p)).unwrap_or(&-1);
    let step = reconciliation::Step {
        target_epoch: group.assignment_epoch,
        target: group.target.get(&member_id).map_or(&[], Vec::as_slice),
        partition_epoch: &partition_epoch,
        owned: Some(&req.owned),
    };
    let new = reconciliation::next(&old, &step).map_err(|_| ErrorCode::FencedMemberEpoch)?;
    if new != old {
        group.update_partition_epochs(&old, &new);
        out.push(event(EventKind::MemberReconciled {
            group: group_id.clone(),
            member: member_id.clone(),
            from_epoch: old.member_epoch,
            epoch: new.member_epoch,
            state: new.state.as_str().to_string(),
            assigned: new.assigned.len() as u32,
            revoking: new.pending_revocation.len() as u32,
        }));
    }
    let m = group.members.get_mut(&member_id).expect("still here");
    m.revocation_deadline = match new.state {
        MemberState::UnrevokedPartitions => {
            m.revocation_deadline.or(Some(now + m.rebalance_timeout_ms))
        }
        _ => None,
    };
    let assigned = new.assigned.clone();
    let epoch = new.member_epoch;
    m.assignment = new;
    // Every request here is a full one (it carries subscription and owned partitions), and
    // Kafka answers a full request with the assignment.
    Ok(answer(&member_id, epoch, Some(assigned)))
}

/// A member leaves: a dynamic one for good (its partitions go to the others), a static one
/// only for now (`-2`: it keeps its place and partitions until its session expires, so a
/// restart within it moves nothing).
fn leave(
    group: &mut ConsumerGroup,
    group_id: &str,
    req: &ConsumerGroupHeartbeat,
    out: &mut Vec<Output>,
) -> Result<i32, ErrorCode> {
    if !group.members.contains_key(&req.member_id) {
        return Err(ErrorCode::UnknownMemberId);
    }
    out.push(Output::Event(EventKind::LeaveGroup {
        group: group_id.to_string(),
        member: req.member_id.clone(),
    }));
    if req.member_epoch == LEAVE_GROUP_STATIC_MEMBER_EPOCH {
        group
            .members
            .get_mut(&req.member_id)
            .expect("checked")
            .static_left = true;
        return Ok(LEAVE_GROUP_STATIC_MEMBER_EPOCH);
    }
    group.remove_member(&req.member_id);
    out.push(epoch_event(
        group,
        group_id,
        &format!("member {} left", req.member_id),
    ));
    Ok(LEAVE_GROUP_MEMBER_EPOCH)
}

/// Epoch 0: a new member, a member that was fenced joining again, or a static member coming
/// back under a new member id (`getOrMaybeSubscribeStaticConsumerGroupMember`).
fn join(
    group: &mut ConsumerGroup,
    settings: Settings,
    now: Millis,
    client: u32,
    req: &ConsumerGroupHeartbeat,
    new_member_id: &mut dyn FnMut(&str) -> String,
    out: &mut Vec<Output>,
) -> Result<(String, bool), ErrorCode> {
    let group_id = req.group.clone();
    let mut member_id = req.member_id.clone();
    if let Some(instance) = &req.instance_id {
        let holder = group
            .members
            .values()
            .find(|m| m.instance_id.as_deref() == Some(instance))
            .map(|m| (m.member_id.clone(), m.static_left));
        if let Some((old_id, left)) = holder {
            if !left && old_id != member_id {
                return Err(ErrorCode::UnreleasedInstanceId);
            }
            // The restarted static member takes over its old assignment and epoch: nothing
            // moves, and its heartbeat's answer hands it its partitions again.
            let mut m = group.members.remove(&old_id).expect("found");
            if member_id.is_empty() {
                member_id = new_member_id(&req.client_id);
            }
            m.member_id = member_id.clone();
            m.static_left = false;
            if let Some(t) = group.target.remove(&old_id) {
                group.target.insert(member_id.clone(), t);
            }
            group.members.insert(member_id.clone(), m);
            out.push(joined(&group_id, client, &member_id));
            return Ok((member_id, false));
        }
    }
    if let Some(m) = group.members.get(&member_id) {
        // A member fenced by the coordinator comes back with epoch 0 and owns nothing.
        let old = m.assignment.clone();
        let fresh = MemberAssignment::joined();
        group.update_partition_epochs(&old, &fresh);
        group.members.get_mut(&member_id).expect("found").assignment = fresh;
        out.push(joined(&group_id, client, &member_id));
        return Ok((member_id, false));
    }
    if group.members.len() as u32 >= settings.max_size {
        return Err(ErrorCode::GroupMaxSizeReached);
    }
    if member_id.is_empty() {
        member_id = new_member_id(&req.client_id);
    }
    group.members.insert(
        member_id.clone(),
        ConsumerGroupMember {
            member_id: member_id.clone(),
            instance_id: req.instance_id.clone(),
            client_id: req.client_id.clone(),
            client,
            rebalance_timeout_ms: req.rebalance_timeout_ms,
            subscribed_topics: req.subscribed_topics.clone(),
            server_assignor: req.server_assignor,
            assignment: MemberAssignment::joined(),
            last_heartbeat: now,
            revocation_deadline: None,
            static_left: false,
        },
    );
    out.push(joined(&group_id, client, &member_id));
    Ok((member_id, true))
}

/// `throwIfConsumerGroupMemberEpochIsInvalid`: ahead of the coordinator is fenced; behind is
/// fenced too unless it is the previous epoch and the member owns only what it was assigned (the
/// response with its new epoch was lost).
fn check_epoch(m: &MemberAssignment, req: &ConsumerGroupHeartbeat) -> Result<(), ErrorCode> {
    let e = req.member_epoch;
    let subset = req.owned.iter().all(|tp| m.assigned.contains(tp));
    if e > m.member_epoch || (e < m.member_epoch && (e != m.previous_member_epoch || !subset)) {
        return Err(ErrorCode::FencedMemberEpoch);
    }
    Ok(())
}

/// Whether the subscribed topics' partition counts changed (created, deleted, partitions added):
/// then the epoch moves, so that the next target covers them.
fn refresh_metadata(group: &mut ConsumerGroup, topics: &dyn Fn(&str) -> Option<u32>) -> bool {
    // Inserted one by one: `collect` would sort (see `crate::ground::small_map`).
    let mut metadata = crate::ground::small_map::SmallMap::new();
    for t in group.subscribed_topics() {
        if let Some(n) = topics(&t) {
            metadata.insert(t, n);
        }
    }
    if metadata == group.subscription_metadata {
        return false;
    }
    group.subscription_metadata = metadata;
    true
}

fn epoch_event(group: &ConsumerGroup, group_id: &str, reason: &str) -> Output {
    Output::Event(EventKind::GroupEpochBumped {
        group: group_id.to_string(),
        epoch: group.group_epoch,
        reason: reason.to_string(),
    })
}

fn joined(group: &str, client: u32, member: &str) -> Output {
    Output::Event(EventKind::ConsumerGroupJoin {
        group: group.to_string(),
        consumer: client,
        member: member.to_string(),
    })
}

/// `updateTargetAssignment`: the preferred server assignor over every member's subscription to
/// topics that exist, each member's previous target given so that it can stay sticky.
fn update_target(
    group: &mut ConsumerGroup,
    group_id: &str,
    topics: &dyn Fn(&str) -> Option<u32>,
    out: &mut Vec<Output>,
) {
    let assignor = group.preferred_assignor();
    let specs: Vec<MemberSpec> = group
        .members
        .values()
        .map(|m| MemberSpec {
            member_id: m.member_id.clone(),
            instance_id: m.instance_id.clone(),
            topics: m
                .subscribed_topics
                .iter()
                .filter(|t| topics(t).is_some())
                .cloned()
                .collect(),
            target: group.target.get(&m.member_id).cloned().unwrap_or_default(),
        })
        .collect();
    match assignors::assign(assignor, &specs, topics) {
        Ok(target) => group.target = target,
        Err(e) => {
            // Cannot happen with topics filtered to existing ones; keep the old target.
            out.push(Output::Event(EventKind::GroupEpochBumped {
                group: group_id.to_string(),
                epoch: group.group_epoch,
                reason: format!("the assignor failed: {}", e.0),
            }));
        }
    }
    group.assignment_epoch = group.group_epoch;
    group.last_assignor = Some(assignor);
    out.push(Output::Event(EventKind::TargetAssignmentComputed {
        group: group_id.to_string(),
        epoch: group.assignment_epoch,
        assignor: assignor.name().to_string(),
        members: group.members.len() as u32,
    }));
}

/// The coordinator's timers for one group: a member whose session expired, or that did not
/// revoke within its rebalance timeout, is fenced and its partitions go to the others.
pub fn on_timer(
    group: &mut ConsumerGroup,
    group_id: &str,
    settings: Settings,
    now: Millis,
    out: &mut Vec<Output>,
) {
    let expired: Vec<(String, &'static str)> = group
        .members
        .values()
        .filter_map(|m| {
            if m.last_heartbeat + settings.session_timeout_ms <= now {
                Some((
                    m.member_id.clone(),
                    "session timeout expired (no heartbeat)",
                ))
            } else if m.revocation_deadline.is_some_and(|d| d <= now) {
                Some((
                    m.member_id.clone(),
                    "did not revoke its partitions within the rebalance timeout",
                ))
            } else {
                None
            }
        })
        .collect();
    for (member, reason) in expired {
        out.push(Output::Event(EventKind::MemberRemoved {
            group: group_id.to_string(),
            member: member.clone(),
            reason: reason.to_string(),
        }));
        group.remove_member(&member);
        out.push(epoch_event(
            group,
            group_id,
            &format!("member {member} was fenced"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SETTINGS: Settings = Settings {
        heartbeat_interval_ms: 5_000,
        session_timeout_ms: 45_000,
        max_size: 10,
    };

    fn six(topic: &str) -> Option<u32> {
        (topic == "orders").then_some(6)
    }

    fn request(member: &str, epoch: i32, owned: &[u32]) -> ConsumerGroupHeartbeat {
        ConsumerGroupHeartbeat {
            group: "g".into(),
            member_id: member.into(),
            member_epoch: epoch,
            instance_id: None,
            client_id: member.into(),
            rebalance_timeout_ms: 30_000,
            subscribed_topics: vec!["orders".into()],
            server_assignor: None,
            owned: owned.iter().map(|&p| ("orders".to_string(), p)).collect(),
        }
    }

    fn beat(
        g: &mut ConsumerGroup,
        now: Millis,
        req: ConsumerGroupHeartbeat,
    ) -> Result<HeartbeatAssignment, ErrorCode> {
        let mut ids = |c: &str| format!("{c}-id");
        let hb = Heartbeat {
            now,
            client: 0,
            request: req,
            topics: &six,
            new_member_id: &mut ids,
        };
        heartbeat(g, SETTINGS, hb, &mut Vec::new())
    }

    fn partitions(a: &HeartbeatAssignment) -> Vec<u32> {
        a.assignment
            .as_ref()
            .map(|v| v.iter().map(|(_, p)| *p).collect())
            .unwrap_or_default()
    }

    /// `a` alone owns all six at epoch 1; then `b` joins (epoch 2), and `a` is told to revoke.
    fn a_revoking_for_b() -> ConsumerGroup {
        let mut g = ConsumerGroup::default();
        let a = beat(&mut g, 0, request("a", 0, &[])).unwrap();
        assert_eq!(
            (a.member_epoch, partitions(&a)),
            (1, vec![0, 1, 2, 3, 4, 5])
        );
        let b = beat(&mut g, 10, request("b", 0, &[])).unwrap();
        assert_eq!((b.member_epoch, partitions(&b)), (2, vec![]));
        let a = beat(&mut g, 20, request("a", 1, &[0, 1, 2, 3, 4, 5])).unwrap();
        assert_eq!((a.member_epoch, partitions(&a)), (1, vec![0, 1, 2]));
        g
    }

    /// `throwIfConsumerGroupMemberEpochIsInvalid`: an epoch ahead of the coordinator's is
    /// fenced; the previous epoch is accepted while the member owns only what it was assigned
    /// (its last answer was lost), and fenced once it claims more.
    #[test]
    fn member_epoch_ahead_is_fenced_and_the_previous_one_only_with_a_subset() {
        let mut g = ConsumerGroup::default();
        beat(&mut g, 0, request("a", 0, &[])).unwrap();
        assert_eq!(
            beat(&mut g, 5, request("a", 7, &[])),
            Err(ErrorCode::FencedMemberEpoch)
        );
        beat(&mut g, 10, request("b", 0, &[])).unwrap();
        let mut g2 = g.clone();
        // a revokes (still epoch 1), then moves to epoch 2 with 0..2.
        beat(&mut g, 20, request("a", 1, &[0, 1, 2, 3, 4, 5])).unwrap();
        let a = beat(&mut g, 30, request("a", 1, &[0, 1, 2])).unwrap();
        assert_eq!(a.member_epoch, 2);
        // The answer was lost: epoch 1 again, owning a subset of what it has: accepted.
        assert!(beat(&mut g, 40, request("a", 1, &[0, 1, 2])).is_ok());
        // Epoch 1 claiming a partition it no longer has: fenced.
        assert_eq!(
            beat(&mut g, 50, request("a", 1, &[0, 1, 2, 3])),
            Err(ErrorCode::FencedMemberEpoch)
        );
        assert_eq!(
            beat(&mut g2, 20, request("nobody", 3, &[])),
            Err(ErrorCode::UnknownMemberId)
        );
    }

    /// A partition reaches its next owner only once the previous owner's heartbeat stops
    /// reporting it (`currentPartitionEpoch`): until then `b` waits UNRELEASED_PARTITIONS.
    #[test]
    fn a_partition_moves_only_after_its_owner_released_it() {
        let mut g = a_revoking_for_b();
        let b = beat(&mut g, 30, request("b", 2, &[])).unwrap();
        assert_eq!(partitions(&b), Vec::<u32>::new());
        assert_eq!(
            g.members[&"b".to_string()].state(),
            MemberState::UnreleasedPartitions
        );
        beat(&mut g, 40, request("a", 1, &[0, 1, 2])).unwrap();
        let b = beat(&mut g, 50, request("b", 2, &[])).unwrap();
        assert_eq!(partitions(&b), vec![3, 4, 5]);
        assert_eq!(g.state(), super::super::ConsumerGroupState::Stable);
    }

    /// `scheduleConsumerGroupRebalanceTimeout`: a member that does not revoke within its
    /// rebalance timeout is fenced, and its partitions go to the others.
    #[test]
    fn a_member_that_does_not_revoke_within_its_rebalance_timeout_is_fenced() {
        let mut g = a_revoking_for_b();
        let deadline = g.members[&"a".to_string()]
            .revocation_deadline
            .expect("set");
        assert_eq!(deadline, 20 + 30_000);
        // a keeps heartbeating, still reporting the partitions it must give up.
        beat(&mut g, 20_000, request("a", 1, &[0, 1, 2, 3, 4, 5])).unwrap();
        beat(&mut g, 20_000, request("b", 2, &[])).unwrap();
        let mut out = Vec::new();
        on_timer(&mut g, "g", SETTINGS, deadline - 1, &mut out);
        assert!(g.members.contains_key("a"));
        on_timer(&mut g, "g", SETTINGS, deadline, &mut out);
        assert!(!g.members.contains_key("a"));
        let b = beat(&mut g, deadline + 10, request("b", 2, &[])).unwrap();
        assert_eq!(partitions(&b), vec![0, 1, 2, 3, 4, 5]);
    }

    /// A static member that leaves with epoch -2 keeps its place; a new instance under the same
    /// `group.instance.id` takes it over without a new group epoch. Another live holder of the
    /// instance id is refused with UNRELEASED_INSTANCE_ID.
    #[test]
    fn static_member_leave_and_rejoin_keeps_the_epoch() {
        let mut g = ConsumerGroup::default();
        let stat = |m: &str, e: i32, owned: &[u32]| ConsumerGroupHeartbeat {
            instance_id: Some("i1".into()),
            ..request(m, e, owned)
        };
        beat(&mut g, 0, stat("a", 0, &[])).unwrap();
        assert_eq!(
            beat(&mut g, 5, stat("other", 0, &[])),
            Err(ErrorCode::UnreleasedInstanceId)
        );
        let left = beat(&mut g, 10, stat("a", -2, &[0, 1, 2, 3, 4, 5])).unwrap();
        assert_eq!(left.member_epoch, -2);
        let epoch = g.group_epoch;
        let back = beat(&mut g, 20, stat("a2", 0, &[])).unwrap();
        assert_eq!(
            (back.member_epoch, partitions(&back)),
            (1, vec![0, 1, 2, 3, 4, 5])
        );
        assert_eq!(g.group_epoch, epoch);
    }
}
