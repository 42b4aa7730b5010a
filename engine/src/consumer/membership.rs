//! The consumer's side of the group protocol (`AbstractCoordinator`, `ConsumerCoordinator`).
//!
//! Joining: FindCoordinator, then JoinGroup (first with an empty member id, answered with
//! MEMBER_ID_REQUIRED and the id to use, KIP-394), then SyncGroup; the leader runs the assignor.
//! Before rejoining, commit (with auto commit) and wait for the answer. Eager protocol: then
//! revoke everything. Cooperative protocol (KIP-429): keep owned partitions and go on reading
//! them, report them in JoinGroup, and after SyncGroup revoke only what moved, without another
//! commit; if anything was revoked, rejoin at once for the second round.
//! The heartbeat thread sends Heartbeat every `heartbeat.interval.ms` once the member has joined,
//! and leaves the group if the application has not polled within `max.poll.interval.ms`.

use crate::ground::small_map::SmallMap;

use super::{Consumer, OffsetLookup};
use crate::consumer::assignors;
use crate::event::EventKind;
use crate::ground::BrokerId;
use crate::ground::{ErrorCode, Millis, Tp};
use crate::party::Ctx;
use crate::protocol::{AssignorName, GroupProtocol};
use crate::protocol::{GroupRequest, GroupResponse, JoinResult, Subscription};
use crate::protocol::{Message, Party};

/// Client-side membership state (`MemberState` of `AbstractCoordinator`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum MemberState {
    /// Not in the group (yet).
    Unjoined,
    /// Committing offsets before an eager rejoin (`onJoinPrepare`).
    CommittingBeforeJoin,
    /// JoinGroup sent, waiting for the join phase to finish.
    Joining,
    /// SyncGroup sent, waiting for the assignment.
    Syncing,
    Stable,
    /// Consumer protocol: committing before it revokes partitions its new assignment leaves
    /// out (`ConsumerMembershipManager` RECONCILING); it goes on reading the rest.
    Reconciling,
}

#[derive(Clone, Debug)]
pub struct Membership {
    pub group_id: String,
    /// `group.protocol`: which of the two protocols this member speaks.
    pub protocol_kind: GroupProtocol,
    pub coordinator: Option<BrokerId>,
    finding_coordinator: bool,
    pub member_id: String,
    /// The generation (classic) or the member epoch (consumer protocol).
    pub generation: i32,
    pub protocol: Option<AssignorName>,
    pub is_leader: bool,
    pub state: MemberState,
    pub rejoin_needed: bool,
    pub(super) next_heartbeat: Millis,
    pub(super) heartbeat_in_flight: bool,
    /// Partition counts the leader assigned with; a change triggers a rejoin.
    assigned_metadata: Option<(Vec<String>, SmallMap<String, u32>)>,
    /// The application stopped polling and the member left; heartbeats stop.
    pub(super) poll_timed_out: bool,
    /// Consumer protocol: the assignment to take once the commit before revocation is answered.
    pub(super) pending_assignment: Option<Vec<(String, u32)>>,
    /// Consumer protocol: the interval the coordinator asked for.
    pub(super) heartbeat_interval_ms: Option<u64>,
    /// What the StickyAssignor remembers in its user data: the last assignment and its
    /// generation, sent in JoinGroup even though the eager protocol revoked it.
    sticky_memory: (Vec<(String, u32)>, i32),
}

impl Membership {
    pub fn new(group_id: String, protocol_kind: GroupProtocol) -> Self {
        Membership {
            group_id,
            protocol_kind,
            coordinator: None,
            finding_coordinator: false,
            member_id: String::new(),
            generation: -1,
            protocol: None,
            is_leader: false,
            state: MemberState::Unjoined,
            rejoin_needed: true,
            next_heartbeat: 0,
            heartbeat_in_flight: false,
            assigned_metadata: None,
            poll_timed_out: false,
            pending_assignment: None,
            heartbeat_interval_ms: None,
            sticky_memory: (Vec::new(), -1),
        }
    }

    /// Joined with a generation (heartbeats and commits are meaningful).
    pub fn is_joined(&self) -> bool {
        match self.protocol_kind {
            GroupProtocol::Classic => {
                matches!(self.state, MemberState::Stable | MemberState::Syncing)
                    && self.generation >= 0
            }
            GroupProtocol::Consumer => {
                matches!(self.state, MemberState::Stable | MemberState::Reconciling)
                    && self.generation > 0
            }
        }
    }

    pub(super) fn next_heartbeat_due(&self) -> Option<Millis> {
        (self.is_joined() && !self.heartbeat_in_flight && !self.poll_timed_out)
            .then_some(self.next_heartbeat)
    }
}

impl Consumer {
    pub(super) fn membership_mut(&mut self) -> &mut Membership {
        self.membership.as_mut().expect("group consumer")
    }

    pub(super) fn send_group(&mut self, ctx: &mut Ctx<'_>, req: GroupRequest) {
        if let Some(c) = self.membership.as_ref().and_then(|m| m.coordinator) {
            ctx.send(Party::Broker(c), Message::Group(req));
        }
    }

    /// The group part of `poll()`. Returns false while the consumer cannot return records.
    pub(super) fn group_poll(&mut self, ctx: &mut Ctx<'_>) -> bool {
        let m = self.membership.as_mut().expect("group consumer");
        m.poll_timed_out = false;
        if m.coordinator.is_none() {
            if !m.finding_coordinator {
                let group = m.group_id.clone();
                let broker = ctx.cluster.brokers.iter().find(|b| b.alive).map(|b| b.id);
                if let Some(b) = broker {
                    m.finding_coordinator = true;
                    ctx.send(
                        Party::Broker(b),
                        Message::Group(GroupRequest::FindCoordinator { group }),
                    );
                }
            }
            return false;
        }
        if m.protocol_kind == GroupProtocol::Consumer {
            return self.consumer_group_poll(ctx);
        }
        match m.state {
            MemberState::CommittingBeforeJoin | MemberState::Joining | MemberState::Syncing => {
                return false
            }
            MemberState::Unjoined | MemberState::Stable | MemberState::Reconciling => {}
        }
        if m.state == MemberState::Stable && m.is_leader {
            // Over the group's whole subscription: a subscribed topic that did not exist at the
            // assignment and exists now changes the metadata too.
            if let Some((subscribed, snapshot)) = &m.assigned_metadata {
                if *snapshot != subscribed_metadata(ctx, subscribed.iter()) {
                    m.rejoin_needed = true;
                }
            }
        }
        if m.rejoin_needed || m.state == MemberState::Unjoined {
            self.prepare_join(ctx);
            return false;
        }
        true
    }

    /// `onJoinPrepare`: with auto commit, commit and wait for the answer, then send JoinGroup.
    /// Eager and cooperative members alike: a cooperative member commits here and not again when
    /// it revokes after SyncGroup (`onJoinComplete`), so what it reads in between is read again
    /// by the partition's next owner.
    fn prepare_join(&mut self, ctx: &mut Ctx<'_>) {
        let m = self.membership.as_ref().expect("group consumer");
        let joined = m.generation >= 0 && !m.member_id.is_empty();
        if self.config.enable_auto_commit
            && joined
            && !self.assigned.is_empty()
            && self.commit_positions(ctx)
        {
            self.membership_mut().state = MemberState::CommittingBeforeJoin;
            return;
        }
        self.send_join(ctx);
    }

    fn send_join(&mut self, ctx: &mut Ctx<'_>) {
        let cooperative = self.config.cooperative();
        if !cooperative && !self.assigned.is_empty() {
            self.revoke(ctx, None);
        }
        let owned: Vec<(String, u32)> = self
            .assigned
            .iter()
            .map(|a| (a.tp.topic.clone(), a.tp.partition))
            .collect();
        let m = self.membership.as_mut().expect("group consumer");
        m.state = MemberState::Joining;
        m.rejoin_needed = false;
        let generation = m.generation;
        let topics = self.topics.clone();
        let (memory, memory_generation) = m.sticky_memory.clone();
        let subscription = |a: AssignorName| match a {
            // ConsumerProtocolSubscription.ownedPartitions: what the member holds now (nothing,
            // after an eager revocation).
            AssignorName::CooperativeSticky => Subscription {
                topics: topics.clone(),
                owned_partitions: if cooperative {
                    owned.clone()
                } else {
                    Vec::new()
                },
                generation,
            },
            // StickyAssignor's user data: its last assignment, revoked or not.
            AssignorName::Sticky => Subscription {
                topics: topics.clone(),
                owned_partitions: memory.clone(),
                generation: memory_generation,
            },
            AssignorName::Range | AssignorName::RoundRobin => Subscription {
                topics: topics.clone(),
                owned_partitions: Vec::new(),
                generation,
            },
        };
        let req = GroupRequest::JoinGroup {
            group: m.group_id.clone(),
            member_id: m.member_id.clone(),
            group_instance_id: self.config.group_instance_id.clone(),
            client_id: self.name.clone(),
            session_timeout_ms: self.config.session_timeout_ms,
            rebalance_timeout_ms: self.config.max_poll_interval_ms,
            protocols: self
                .config
                .assignors
                .iter()
                .map(|a| (*a, subscription(*a)))
                .collect(),
        };
        self.send_group(ctx, req);
    }

    /// What a new assignment changes: (owned partitions it leaves out, partitions it adds).
    pub(super) fn assignment_change(&self, target: &[(String, u32)]) -> (Vec<Tp>, Vec<Tp>) {
        let owned: Vec<Tp> = self.assigned.iter().map(|a| a.tp.clone()).collect();
        let target: Vec<Tp> = target
            .iter()
            .map(|(t, p)| Tp {
                topic: t.clone(),
                partition: *p,
            })
            .collect();
        let revoked = owned
            .iter()
            .filter(|t| !target.contains(t))
            .cloned()
            .collect();
        let added = target.into_iter().filter(|t| !owned.contains(t)).collect();
        (revoked, added)
    }

    /// `onPartitionsRevoked`: drop `which` (all if `None`) from the assignment.
    pub(super) fn revoke(&mut self, ctx: &mut Ctx<'_>, which: Option<&[Tp]>) {
        let (gone, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut self.assigned)
            .into_iter()
            .partition(|a| which.is_none_or(|w| w.contains(&a.tp)));
        self.assigned = kept;
        if !gone.is_empty() {
            let group = self.config.group_id.clone().unwrap_or_default();
            ctx.emit(EventKind::PartitionsRevoked {
                group,
                consumer: self.index,
                partitions: gone.into_iter().map(|a| a.tp).collect(),
            });
        }
    }

    /// The heartbeat thread.
    pub(super) fn heartbeat_thread(&mut self, ctx: &mut Ctx<'_>) {
        let now = ctx.now;
        let max_poll = self.config.max_poll_interval_ms;
        let last_poll = self.last_poll;
        let Some(m) = self.membership.as_mut() else {
            return;
        };
        if !m.is_joined() || m.poll_timed_out {
            return;
        }
        if m.protocol_kind == GroupProtocol::Consumer {
            return self.consumer_group_heartbeat_thread(ctx);
        }
        if now > last_poll + max_poll && self.next_poll > last_poll {
            // The application is stuck processing: leave so the group can move on.
            m.poll_timed_out = true;
            self.leave_group(ctx, "consumer poll timeout has expired");
            if let Some(m) = self.membership.as_mut() {
                m.rejoin_needed = true;
            }
            return;
        }
        if now >= m.next_heartbeat && !m.heartbeat_in_flight {
            m.heartbeat_in_flight = true;
            m.next_heartbeat = now + self.config.heartbeat_interval_ms;
            let req = GroupRequest::Heartbeat {
                group: m.group_id.clone(),
                member_id: m.member_id.clone(),
                generation: m.generation,
            };
            self.send_group(ctx, req);
        }
    }

    /// LeaveGroup (dynamic members only; a static member just goes quiet) and forget the
    /// membership: a later poll joins again as a new member.
    pub(super) fn leave_group(&mut self, ctx: &mut Ctx<'_>, _reason: &str) {
        let is_static = self.config.group_instance_id.is_some();
        let Some(m) = self.membership.as_mut() else {
            return;
        };
        if m.member_id.is_empty() {
            return;
        }
        if m.protocol_kind == GroupProtocol::Consumer {
            return self.consumer_group_leave(ctx);
        }
        if !is_static {
            let req = GroupRequest::LeaveGroup {
                group: m.group_id.clone(),
                member_id: m.member_id.clone(),
            };
            m.member_id.clear();
            m.generation = -1;
            m.state = MemberState::Unjoined;
            self.send_group(ctx, req);
            // onPartitionsLost: no commit, the partitions are simply gone.
            self.revoke(ctx, None);
        }
    }

    /// Resets the member after UNKNOWN_MEMBER_ID / ILLEGAL_GENERATION; partitions are lost.
    fn reset_member(&mut self, ctx: &mut Ctx<'_>, forget_id: bool) {
        let m = self.membership_mut();
        if forget_id {
            m.member_id.clear();
        }
        m.generation = -1;
        m.state = MemberState::Unjoined;
        m.rejoin_needed = true;
        m.is_leader = false;
        self.revoke(ctx, None);
    }

    pub(super) fn on_group_response(&mut self, ctx: &mut Ctx<'_>, resp: GroupResponse) {
        if is_coordinator_error(&resp) {
            // `markCoordinatorUnknown`: find it again before the next request.
            if let Some(m) = self.membership.as_mut() {
                if let GroupResponse::SyncGroup { generation, .. } = &resp {
                    if m.state == MemberState::Syncing && *generation == m.generation {
                        m.state = MemberState::Unjoined;
                        m.rejoin_needed = true;
                    }
                }
                m.coordinator = None;
            }
        }
        match resp {
            GroupResponse::FindCoordinator { group, coordinator } => {
                let m = self.membership_mut();
                m.finding_coordinator = false;
                match coordinator {
                    Ok(b) => {
                        m.coordinator = Some(b);
                        ctx.emit(EventKind::FindCoordinator {
                            consumer: self.index,
                            group,
                            broker: b,
                        });
                    }
                    Err(_) => self.backoff_until = Some(ctx.now + self.config.retry_backoff_ms),
                }
            }
            GroupResponse::JoinGroup {
                member_id, result, ..
            } => self.on_join_response(ctx, member_id, result),
            GroupResponse::SyncGroup {
                generation, result, ..
            } => self.on_sync_response(ctx, generation, result),
            GroupResponse::Heartbeat { error, .. } => {
                let m = self.membership_mut();
                m.heartbeat_in_flight = false;
                match error {
                    None => {}
                    Some(ErrorCode::RebalanceInProgress) if m.state == MemberState::Stable => {
                        m.rejoin_needed = true;
                    }
                    Some(ErrorCode::UnknownMemberId) => self.reset_member(ctx, true),
                    Some(ErrorCode::IllegalGeneration) => self.reset_member(ctx, false),
                    Some(_) => {}
                }
            }
            GroupResponse::LeaveGroup { .. } => {}
            GroupResponse::OffsetCommit { offsets, error, .. } => {
                self.on_commit_response(&offsets, error);
                let m = self.membership.as_mut();
                if let Some(m) = m {
                    if m.state == MemberState::CommittingBeforeJoin {
                        self.send_join(ctx);
                    } else if m.state == MemberState::Reconciling {
                        self.finish_reconciliation(ctx);
                    }
                }
            }
            GroupResponse::OffsetFetch {
                offsets,
                error: None,
                ..
            } => self.on_offset_fetch(ctx, offsets),
            GroupResponse::OffsetFetch { .. } => {
                // Ask again once the coordinator is known again.
                for a in self.assigned.iter_mut() {
                    if a.offset_lookup == OffsetLookup::InFlight {
                        a.offset_lookup = OffsetLookup::NeedsFetch;
                    }
                }
                self.backoff_until = Some(ctx.now + self.config.retry_backoff_ms);
            }
            GroupResponse::TxnOffsetCommit { .. } => {}
            GroupResponse::ConsumerGroupHeartbeat(r) => {
                self.on_consumer_group_heartbeat(ctx, r.result)
            }
        }
    }

    fn on_join_response(
        &mut self,
        ctx: &mut Ctx<'_>,
        member_id: String,
        result: Result<JoinResult, ErrorCode>,
    ) {
        if self.membership.as_ref().map(|m| m.state) != Some(MemberState::Joining) {
            return;
        }
        match result {
            Err(ErrorCode::MemberIdRequired) => {
                self.membership_mut().member_id = member_id;
                self.send_join(ctx);
            }
            Err(ErrorCode::UnknownMemberId) => {
                self.reset_member(ctx, true);
                self.send_join(ctx);
            }
            Err(ErrorCode::FencedInstanceId) | Err(ErrorCode::InconsistentGroupProtocol) => {
                // Fatal for this consumer: it stays out of the group.
                let m = self.membership_mut();
                m.state = MemberState::Unjoined;
                m.rejoin_needed = false;
                self.backoff_until = Some(ctx.now + 60_000);
            }
            Err(_) => {
                let m = self.membership_mut();
                m.state = MemberState::Unjoined;
                m.rejoin_needed = true;
                self.backoff_until = Some(ctx.now + self.config.retry_backoff_ms);
            }
            Ok(join) => {
                let heartbeat_interval = self.config.heartbeat_interval_ms;
                let m = self.membership_mut();
                m.member_id = join.member_id.clone();
                m.generation = join.generation;
                m.protocol = Some(join.protocol);
                m.is_leader = join.leader == join.member_id;
                m.state = MemberState::Syncing;
                m.next_heartbeat = ctx.now + heartbeat_interval;
                let assignments = if m.is_leader && !join.skip_assignment {
                    self.perform_assignment(ctx, &join)
                } else {
                    Vec::new()
                };
                let m = self.membership.as_ref().expect("group consumer");
                let req = GroupRequest::SyncGroup {
                    group: m.group_id.clone(),
                    member_id: m.member_id.clone(),
                    generation: m.generation,
                    assignments,
                };
                self.send_group(ctx, req);
            }
        }
    }

    /// The leader runs the chosen assignor over every member's subscription.
    fn perform_assignment(
        &mut self,
        ctx: &Ctx<'_>,
        join: &JoinResult,
    ) -> Vec<(String, Vec<(String, u32)>)> {
        let mut subscribed: Vec<String> = Vec::new();
        for t in join.members.iter().flat_map(|m| m.subscription.iter()) {
            if !subscribed.contains(t) {
                subscribed.push(t.clone());
            }
        }
        let topics = subscribed_metadata(ctx, subscribed.iter());
        let result = assignors::assign(join.protocol, &topics, &join.members);
        self.membership_mut().assigned_metadata = Some((subscribed, topics));
        result.into_iter().collect()
    }

    fn on_sync_response(
        &mut self,
        ctx: &mut Ctx<'_>,
        generation: i32,
        result: Result<Vec<(String, u32)>, ErrorCode>,
    ) {
        let Some(m) = self.membership.as_ref() else {
            return;
        };
        if m.state != MemberState::Syncing || generation != m.generation {
            return;
        }
        match result {
            Err(ErrorCode::RebalanceInProgress) => {
                let m = self.membership_mut();
                m.state = MemberState::Unjoined;
                m.rejoin_needed = true;
            }
            Err(ErrorCode::UnknownMemberId) => self.reset_member(ctx, true),
            Err(_) => self.reset_member(ctx, false),
            Ok(assignment) if assignment.iter().any(|(t, _)| !self.topics.contains(t)) => {
                // checkAssignmentMatchedSubscription: refuse it and join again.
                let m = self.membership_mut();
                m.state = MemberState::Unjoined;
                m.rejoin_needed = true;
            }
            Ok(assignment) => {
                self.stats.rebalances += 1;
                let cooperative = self.config.cooperative();
                let (revoked, added) = self.assignment_change(&assignment);
                if cooperative && !revoked.is_empty() {
                    // `onJoinComplete` revokes without committing: the last commit was in
                    // `onJoinPrepare`.
                    self.revoke(ctx, Some(&revoked));
                }
                self.set_assignment(ctx, &assignment);
                let group = self.config.group_id.clone().unwrap_or_default();
                if !added.is_empty() {
                    ctx.emit(EventKind::PartitionsAssigned {
                        group,
                        consumer: self.index,
                        partitions: added,
                    });
                }
                let m = self.membership_mut();
                m.state = MemberState::Stable;
                m.sticky_memory = (assignment, generation);
                if cooperative && !revoked.is_empty() {
                    // KIP-429: revoked partitions are handed out in a second rebalance.
                    m.rejoin_needed = true;
                }
            }
        }
    }
}

/// Partition counts of the named topics that exist (the metadata the assignor sees).
pub(super) fn subscribed_metadata<'a>(
    ctx: &Ctx<'_>,
    topics: impl Iterator<Item = &'a String>,
) -> SmallMap<String, u32> {
    let mut out = SmallMap::new();
    for t in topics {
        if let Some(topic) = ctx.cluster.topic_by_name(t) {
            out.insert(t.clone(), topic.partitions.len() as u32);
        }
    }
    out
}

/// NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE or a broken connection to the coordinator.
fn is_coordinator_error(resp: &GroupResponse) -> bool {
    let e = match resp {
        GroupResponse::FindCoordinator { .. } => return false,
        GroupResponse::JoinGroup { result, .. } => result.as_ref().err().copied(),
        GroupResponse::SyncGroup { result, .. } => result.as_ref().err().copied(),
        GroupResponse::Heartbeat { error, .. }
        | GroupResponse::LeaveGroup { error, .. }
        | GroupResponse::OffsetCommit { error, .. }
        | GroupResponse::OffsetFetch { error, .. }
        | GroupResponse::TxnOffsetCommit { error, .. } => *error,
        GroupResponse::ConsumerGroupHeartbeat(r) => r.result.as_ref().err().copied(),
    };
    matches!(
        e,
        Some(
            ErrorCode::NotCoordinator
                | ErrorCode::CoordinatorNotAvailable
                | ErrorCode::NetworkException
        )
    )
}
