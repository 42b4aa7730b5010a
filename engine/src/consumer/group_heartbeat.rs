//! The consumer's side of the consumer group protocol (KIP-848, `group.protocol=consumer`), after
//! `ConsumerMembershipManager` and `ConsumerHeartbeatRequestManager`.
//!
//! One request does everything: the member joins with a ConsumerGroupHeartbeat at epoch 0 and
//! then heartbeats every `group.consumer.heartbeat.interval.ms` (the coordinator says how often)
//! with its epoch and the partitions it owns. When an answer brings a new assignment, the member
//! reconciles on its own: partitions it keeps go on flowing; partitions it loses are committed
//! (with auto commit) and then revoked; partitions it gains are taken; and the next heartbeat,
//! sent at once, acknowledges it. No JoinGroup, no SyncGroup, no leader, and nobody else stops.
//!
//! Simplification: a fenced member (FENCED_MEMBER_EPOCH, UNKNOWN_MEMBER_ID) loses its partitions
//! at once and joins again with the same member id, as the Java client does, without waiting for
//! the application's `onPartitionsLost` callback.

use super::membership::MemberState;
use super::Consumer;
use crate::event::EventKind;
use crate::ground::ErrorCode;
use crate::party::Ctx;
use crate::protocol::consumer_group::{LEAVE_GROUP_MEMBER_EPOCH, LEAVE_GROUP_STATIC_MEMBER_EPOCH};
use crate::protocol::{ConsumerGroupHeartbeat, GroupRequest, HeartbeatAssignment};

impl Consumer {
    /// The group part of `poll()` with the consumer protocol: join if not in the group; the
    /// consumer returns records from what it owns while it reconciles.
    pub(super) fn consumer_group_poll(&mut self, ctx: &mut Ctx<'_>) -> bool {
        let m = self.membership_mut();
        match m.state {
            MemberState::Unjoined if !m.heartbeat_in_flight => {
                m.state = MemberState::Joining;
                m.rejoin_needed = false;
                m.generation = 0;
                self.send_group_heartbeat(ctx, 0);
                false
            }
            MemberState::Unjoined | MemberState::Joining => false,
            MemberState::Stable if m.pending_assignment.is_some() => {
                // An assignment that came while the application was busy: its callbacks run
                // here, in poll().
                let target = m.pending_assignment.take().expect("checked");
                self.reconcile(ctx, target);
                true
            }
            _ => true,
        }
    }

    /// Heartbeats when due (`ConsumerHeartbeatRequestManager`); the max.poll.interval.ms check
    /// has run before.
    pub(super) fn consumer_group_heartbeat_thread(&mut self, ctx: &mut Ctx<'_>) {
        let m = self.membership_mut();
        if ctx.now >= m.next_heartbeat && !m.heartbeat_in_flight {
            let epoch = m.generation;
            self.send_group_heartbeat(ctx, epoch);
        }
    }

    fn send_group_heartbeat(&mut self, ctx: &mut Ctx<'_>, epoch: i32) {
        let owned: Vec<(String, u32)> = self
            .assigned
            .iter()
            .map(|a| (a.tp.topic.clone(), a.tp.partition))
            .collect();
        let interval = self.heartbeat_interval();
        let m = self.membership_mut();
        m.heartbeat_in_flight = true;
        m.next_heartbeat = ctx.now + interval;
        let req = ConsumerGroupHeartbeat {
            group: m.group_id.clone(),
            member_id: m.member_id.clone(),
            member_epoch: epoch,
            instance_id: self.config.group_instance_id.clone(),
            client_id: self.name.clone(),
            rebalance_timeout_ms: self.config.max_poll_interval_ms,
            subscribed_topics: self.topics.clone(),
            server_assignor: self.config.remote_assignor,
            owned,
        };
        self.send_group(ctx, GroupRequest::ConsumerGroupHeartbeat(req));
    }

    fn heartbeat_interval(&self) -> u64 {
        self.membership
            .as_ref()
            .and_then(|m| m.heartbeat_interval_ms)
            .unwrap_or(self.config.heartbeat_interval_ms)
    }

    /// Leaving: epoch -1 gives the partitions back; a static member sends -2 and keeps its
    /// place until its session expires. Either way the consumer is no longer in the group.
    pub(super) fn consumer_group_leave(&mut self, ctx: &mut Ctx<'_>) {
        let epoch = if self.config.group_instance_id.is_some() {
            LEAVE_GROUP_STATIC_MEMBER_EPOCH
        } else {
            LEAVE_GROUP_MEMBER_EPOCH
        };
        self.send_group_heartbeat(ctx, epoch);
        let m = self.membership_mut();
        m.generation = 0;
        m.state = MemberState::Unjoined;
        m.pending_assignment = None;
        // The answer to a leave is not waited for.
        m.heartbeat_in_flight = false;
        self.revoke(ctx, None);
    }

    pub(super) fn on_consumer_group_heartbeat(
        &mut self,
        ctx: &mut Ctx<'_>,
        result: Result<HeartbeatAssignment, ErrorCode>,
    ) {
        let backoff = self.config.retry_backoff_ms;
        let m = self.membership_mut();
        m.heartbeat_in_flight = false;
        match result {
            Ok(a) if a.member_epoch < 0 => {}
            Ok(a) => {
                if m.state == MemberState::Unjoined {
                    // The answer to a join that a leave overtook.
                    return;
                }
                m.member_id = a.member_id;
                m.generation = a.member_epoch;
                m.heartbeat_interval_ms = Some(a.heartbeat_interval_ms);
                m.next_heartbeat = ctx.now + a.heartbeat_interval_ms;
                if m.state == MemberState::Joining {
                    m.state = MemberState::Stable;
                }
                if let Some(target) = a.assignment {
                    self.reconcile(ctx, target);
                }
            }
            Err(ErrorCode::FencedMemberEpoch) | Err(ErrorCode::UnknownMemberId) => {
                // `transitionToFenced`: the partitions are lost, not revoked (no commit).
                m.generation = 0;
                m.state = MemberState::Unjoined;
                m.pending_assignment = None;
                self.revoke(ctx, None);
            }
            Err(ErrorCode::UnreleasedInstanceId)
            | Err(ErrorCode::GroupIdNotFound)
            | Err(ErrorCode::GroupMaxSizeReached) => {
                // Fatal for this consumer: it stays out of the group.
                m.state = MemberState::Unjoined;
                m.heartbeat_in_flight = true;
                self.backoff_until = Some(ctx.now + 60_000);
            }
            Err(_) => {
                if m.state == MemberState::Joining {
                    m.state = MemberState::Unjoined;
                }
                m.next_heartbeat = ctx.now + backoff;
                self.backoff_until = Some(ctx.now + backoff);
            }
        }
    }

    /// `ConsumerMembershipManager.maybeReconcile`: nothing to revoke, take the new assignment
    /// now; otherwise commit first (with auto commit) and revoke when the commit is answered.
    /// Both wait for the application's next poll() if it is busy.
    fn reconcile(&mut self, ctx: &mut Ctx<'_>, target: Vec<(String, u32)>) {
        let busy = self.is_busy(ctx.now);
        let m = self.membership_mut();
        if m.state == MemberState::Reconciling || busy {
            // A commit before revocation is in flight: take the newest target after it. Or the
            // application is busy processing: the revocation callback and the commit before it
            // run in its thread, at its next poll() (`AsyncKafkaConsumer`), so a slow member
            // holds up the partitions it gives away, and only those.
            m.pending_assignment = Some(target);
            return;
        }
        let revoking = self
            .assigned
            .iter()
            .any(|a| !target.contains(&(a.tp.topic.clone(), a.tp.partition)));
        if revoking && self.config.enable_auto_commit {
            for a in self.assigned.iter_mut() {
                a.pending_revocation = !target.contains(&(a.tp.topic.clone(), a.tp.partition));
            }
            if self.commit_positions(ctx) {
                let m = self.membership_mut();
                m.state = MemberState::Reconciling;
                m.pending_assignment = Some(target);
                return;
            }
        }
        self.take_assignment(ctx, target);
    }

    /// The commit before revocation was answered (whether it succeeded or not, revocation goes
    /// on, as in `maybeRevokeAndAssign`).
    pub(super) fn finish_reconciliation(&mut self, ctx: &mut Ctx<'_>) {
        let m = self.membership_mut();
        m.state = MemberState::Stable;
        if let Some(target) = m.pending_assignment.take() {
            self.take_assignment(ctx, target);
        }
    }

    /// Revoke what the target leaves out, take what it adds, and acknowledge with a heartbeat
    /// at once.
    fn take_assignment(&mut self, ctx: &mut Ctx<'_>, target: Vec<(String, u32)>) {
        let (revoked, added) = self.assignment_change(&target);
        for a in self.assigned.iter_mut() {
            a.pending_revocation = false;
        }
        if revoked.is_empty() && added.is_empty() {
            return;
        }
        self.stats.rebalances += 1;
        if !revoked.is_empty() {
            self.revoke(ctx, Some(&revoked));
        }
        self.set_assignment(ctx, &target);
        if !added.is_empty() {
            let group = self.config.group_id.clone().unwrap_or_default();
            ctx.emit(EventKind::PartitionsAssigned {
                group,
                consumer: self.index,
                partitions: added,
            });
        }
        // ACKNOWLEDGING: the next heartbeat tells the coordinator what the member owns now.
        let m = self.membership_mut();
        m.next_heartbeat = ctx.now;
        if !m.heartbeat_in_flight {
            let epoch = m.generation;
            self.send_group_heartbeat(ctx, epoch);
        }
    }
}
