//! A consumer group of the consumer group protocol as its coordinator holds it (`ConsumerGroup`,
//! `ConsumerGroupMember`): the group epoch that moves whenever the group's make-up changes, the
//! target assignment computed for an epoch, each member's reconciliation towards it, and which
//! member epoch holds each partition right now.

use serde::Serialize;

use super::assignors::ServerAssignor;
use super::reconciliation::{MemberAssignment, MemberState};
use crate::ground::small_map::SmallMap;
use crate::ground::Millis;

/// `ConsumerGroup.ConsumerGroupState`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum ConsumerGroupState {
    /// No members.
    Empty,
    /// The group epoch moved past the target assignment's: a new target is due.
    Assigning,
    /// Some member is not yet at the target epoch, or is waiting to revoke or for a partition.
    Reconciling,
    /// Every member owns its target at the target epoch.
    Stable,
}

impl ConsumerGroupState {
    /// As `kafka-consumer-groups --describe --state` prints it.
    pub fn as_str(self) -> &'static str {
        match self {
            ConsumerGroupState::Empty => "Empty",
            ConsumerGroupState::Assigning => "Assigning",
            ConsumerGroupState::Reconciling => "Reconciling",
            ConsumerGroupState::Stable => "Stable",
        }
    }
}

/// `ConsumerGroupMember`.
#[derive(Clone, Debug)]
pub struct ConsumerGroupMember {
    pub member_id: String,
    pub instance_id: Option<String>,
    pub client_id: String,
    /// The consumer client this member is (where responses go).
    pub client: u32,
    pub rebalance_timeout_ms: u64,
    pub subscribed_topics: Vec<String>,
    pub server_assignor: Option<ServerAssignor>,
    pub assignment: MemberAssignment,
    pub last_heartbeat: Millis,
    /// A member asked to revoke must have done so by then or be fenced
    /// (`scheduleConsumerGroupRebalanceTimeout`).
    pub revocation_deadline: Option<Millis>,
    /// A static member left with epoch -2: it keeps its place until its session expires, and
    /// a consumer with its `group.instance.id` may take it over.
    pub static_left: bool,
}

impl ConsumerGroupMember {
    pub fn state(&self) -> MemberState {
        self.assignment.state
    }
}

#[derive(Clone, Debug, Default)]
pub struct ConsumerGroup {
    pub group_epoch: i32,
    /// The epoch the target assignment was computed for (`assignmentEpoch`).
    pub assignment_epoch: i32,
    /// Member id to its target partitions.
    pub target: SmallMap<String, Vec<(String, u32)>>,
    pub members: SmallMap<String, ConsumerGroupMember>,
    /// The member epoch of the member that holds each partition (`currentPartitionEpoch`): a
    /// partition is handed to its next owner only once it is released from here.
    pub partition_epochs: SmallMap<(String, u32), i32>,
    /// Partition counts of the subscribed topics at the last epoch (`subscriptionMetadata`).
    pub subscription_metadata: SmallMap<String, u32>,
    /// The assignor that computed the current target, for the page.
    pub last_assignor: Option<ServerAssignor>,
}

impl ConsumerGroup {
    /// `ConsumerGroup.maybeUpdateGroupState`.
    pub fn state(&self) -> ConsumerGroupState {
        if self.members.is_empty() {
            ConsumerGroupState::Empty
        } else if self.group_epoch > self.assignment_epoch {
            ConsumerGroupState::Assigning
        } else if self.members.values().any(|m| {
            m.assignment.member_epoch != self.assignment_epoch || m.state() != MemberState::Stable
        }) {
            ConsumerGroupState::Reconciling
        } else {
            ConsumerGroupState::Stable
        }
    }

    /// The assignor the members asked for: the most asked for, ties to the first by name, and
    /// `uniform` (the broker's first `group.consumer.assignors`) if nobody asked
    /// (`ConsumerGroup.preferredServerAssignor`).
    pub fn preferred_assignor(&self) -> ServerAssignor {
        let mut votes: SmallMap<&'static str, (u32, ServerAssignor)> = SmallMap::new();
        for a in self.members.values().filter_map(|m| m.server_assignor) {
            votes.entry(a.name()).or_insert((0, a)).0 += 1;
        }
        let best = votes.values().map(|(n, _)| *n).max();
        votes
            .values()
            .find(|(n, _)| Some(*n) == best)
            .map_or(ServerAssignor::Uniform, |(_, a)| *a)
    }

    /// The topics some member subscribes to, sorted.
    pub fn subscribed_topics(&self) -> Vec<String> {
        let mut t: Vec<String> = self
            .members
            .values()
            .flat_map(|m| m.subscribed_topics.iter().cloned())
            .collect();
        crate::ground::sort::sort(&mut t);
        t.dedup();
        t
    }

    /// Records that `member` now holds `assigned` at `epoch` and no longer holds what it gave
    /// up (`updateCurrentPartitionEpochs`: remove the old, add the new).
    pub fn update_partition_epochs(&mut self, old: &MemberAssignment, new: &MemberAssignment) {
        for tp in old.assigned.iter().chain(&old.pending_revocation) {
            self.partition_epochs.remove(tp);
        }
        for tp in new.assigned.iter().chain(&new.pending_revocation) {
            self.partition_epochs.insert(tp.clone(), new.member_epoch);
        }
    }

    /// Removes a member and frees its partitions (`removeMember`), moving the group epoch so
    /// that its partitions go to the others.
    pub fn remove_member(&mut self, member_id: &str) -> Option<ConsumerGroupMember> {
        let m = self.members.remove(member_id)?;
        for tp in m
            .assignment
            .assigned
            .iter()
            .chain(&m.assignment.pending_revocation)
        {
            self.partition_epochs.remove(tp);
        }
        self.target.remove(member_id);
        self.group_epoch += 1;
        Some(m)
    }

    /// When the coordinator has timer work: a session expiring, a revocation overdue.
    pub fn next_deadline(&self, session_timeout_ms: u64) -> Option<Millis> {
        self.members
            .values()
            .flat_map(|m| {
                [
                    Some(m.last_heartbeat + session_timeout_ms),
                    m.revocation_deadline,
                ]
            })
            .flatten()
            .min()
    }
}
