//! The group coordinator: a state machine over typed requests, in the shape of raft-rs's `step`.
//!
//! Inputs: `handle(now, client, request)` for each request that reaches the coordinator, and
//! `on_timer(now)` when `next_deadline()` is due. Outputs are data (`Output`): responses to
//! send to a client and events. Requests are dispatched on the group's state (Empty,
//! PreparingRebalance, CompletingRebalance, Stable, Dead), one function per request and state,
//! following `GroupMetadataManager`'s classic group handling (KIP-62, KIP-345, KIP-394).
//!
//! Simplifications: a heartbeat or join from an unknown generation is refused as Kafka does, but
//! request/response ordering is the network's FIFO; protocol ties are broken by name; group
//! metadata is not written to `__consumer_offsets` (the offsets are kept in memory only).

use crate::ground::small_map::SmallMap;

use super::state::{CommittedOffset, Group, GroupState, JoinTimer, Member};
use crate::event::{EventKind, RebalanceReason};
use crate::ground::{ErrorCode, Millis, Rng};
use crate::protocol::group::{GroupRequest, GroupResponse, JoinResult, Subscription};
use crate::protocol::{AssignorName, MemberSubscription};

/// What the coordinator wants done.
#[derive(Clone, Debug)]
pub enum Output {
    Respond {
        client: u32,
        response: GroupResponse,
    },
    Event(EventKind),
}

#[derive(Clone, Debug)]
pub struct GroupCoordinator {
    groups: SmallMap<String, Group>,
    rng: Rng,
    pub initial_rebalance_delay_ms: u64,
    pub min_session_timeout_ms: u64,
    pub max_session_timeout_ms: u64,
    pub max_group_size: u32,
}

type Out = Vec<Output>;

fn respond(out: &mut Out, client: u32, response: GroupResponse) {
    out.push(Output::Respond { client, response });
}

impl GroupCoordinator {
    pub fn new(
        rng: Rng,
        initial_rebalance_delay_ms: u64,
        min_session: u64,
        max_session: u64,
        max_group_size: u32,
    ) -> Self {
        GroupCoordinator {
            groups: SmallMap::new(),
            rng,
            initial_rebalance_delay_ms,
            min_session_timeout_ms: min_session,
            max_session_timeout_ms: max_session,
            max_group_size,
        }
    }

    pub fn group(&self, id: &str) -> Option<&Group> {
        self.groups.get(id)
    }

    pub fn groups(&self) -> impl Iterator<Item = &Group> {
        self.groups.values()
    }

    pub fn group_mut(&mut self, id: &str) -> Option<&mut Group> {
        self.groups.get_mut(id)
    }

    /// Removes an Empty group and its offsets (`DeleteGroups`).
    pub fn delete_group(&mut self, id: &str) -> Result<(), String> {
        match self.groups.get(id) {
            None => Err(format!("Group '{id}' does not exist.")),
            Some(g) if g.state != GroupState::Empty && g.state != GroupState::Dead => Err(format!(
                "Group '{id}' is not empty ({}): stop its consumers first.",
                g.state.as_str()
            )),
            Some(_) => {
                self.groups.remove(id);
                Ok(())
            }
        }
    }

    /// Sets committed offsets of a group with no members (`--reset-offsets --execute`),
    /// creating the group if it does not exist yet.
    pub fn reset_offsets(
        &mut self,
        now: Millis,
        id: &str,
        offsets: &[(crate::ground::PartitionIdx, i64)],
    ) -> Result<(), String> {
        if let Some(g) = self.groups.get(id) {
            if g.state != GroupState::Empty && g.state != GroupState::Dead {
                return Err(format!(
                    "Assignments can only be reset if the group '{id}' is inactive, but the current state is {}. Stop its consumers first.",
                    g.state.as_str()
                ));
            }
        }
        let g = self
            .groups
            .entry(id.to_string())
            .or_insert_with(|| Group::new(id.to_string(), now));
        for &(p, offset) in offsets {
            g.offsets.insert(
                p,
                CommittedOffset {
                    offset,
                    commit_time: now,
                },
            );
        }
        Ok(())
    }

    /// Forgets committed offsets of deleted partitions.
    pub fn remove_partitions(&mut self, gone: &[crate::ground::PartitionIdx]) {
        for (_, g) in self.groups.iter_mut() {
            g.offsets.retain(|p, _| !gone.contains(p));
        }
    }

    /// A transaction marker reached the group: apply (COMMIT) or drop (ABORT) the offsets the
    /// producer committed inside the transaction.
    pub fn complete_txn(
        &mut self,
        now: Millis,
        group: &str,
        producer_id: i64,
        commit: bool,
    ) -> usize {
        let Some(g) = self.groups.get_mut(group) else {
            return 0;
        };
        let Some(pending) = g.pending_txn_offsets.remove(&producer_id) else {
            return 0;
        };
        let n = pending.len();
        if commit {
            for (p, offset) in pending {
                g.offsets.insert(
                    p,
                    CommittedOffset {
                        offset,
                        commit_time: now,
                    },
                );
            }
        }
        n
    }

    /// Earliest time `on_timer` has work, for groups whose coordinator is `available` (the
    /// timers of a group whose coordinator is down stand still).
    pub fn next_deadline(&self, available: &dyn Fn(&str) -> bool) -> Option<Millis> {
        let mut next: Option<Millis> = None;
        let mut take = |t: Millis| next = Some(next.map_or(t, |n| n.min(t)));
        for g in self.groups.values().filter(|g| available(&g.group_id)) {
            if let Some(t) = g.join_timer {
                take(t.deadline());
            }
            if let Some(t) = g.sync_deadline {
                take(t);
            }
            for m in g.members.values() {
                if let Some(t) = m.session_deadline() {
                    take(t);
                }
            }
            for &t in g.pending_members.values() {
                take(t);
            }
        }
        next
    }

    pub fn handle(&mut self, now: Millis, client: u32, req: GroupRequest, out: &mut Out) {
        match req {
            GroupRequest::FindCoordinator { .. } => {
                // Answered by the simulation, which knows the metadata.
            }
            GroupRequest::JoinGroup {
                group,
                member_id,
                group_instance_id,
                client_id,
                session_timeout_ms,
                rebalance_timeout_ms,
                protocols,
            } => {
                let join = Join {
                    client,
                    member_id,
                    group_instance_id,
                    client_id,
                    session_timeout_ms,
                    rebalance_timeout_ms,
                    protocols,
                };
                self.join_group(now, group, join, out)
            }
            GroupRequest::SyncGroup {
                group,
                member_id,
                generation,
                assignments,
            } => self.sync_group(now, client, group, member_id, generation, assignments, out),
            GroupRequest::Heartbeat {
                group,
                member_id,
                generation,
            } => self.heartbeat(now, client, group, member_id, generation, out),
            GroupRequest::LeaveGroup { group, member_id } => {
                self.leave_group(now, client, group, member_id, out)
            }
            GroupRequest::OffsetCommit {
                group,
                member_id,
                generation,
                offsets,
            } => self.offset_commit(now, client, group, member_id, generation, offsets, out),
            GroupRequest::TxnOffsetCommit {
                group,
                transactional_id: _,
                producer_id,
                epoch: _,
                member_id,
                generation,
                offsets,
            } => {
                let g = self
                    .groups
                    .entry(group.clone())
                    .or_insert_with(|| Group::new(group.clone(), now));
                // KIP-447: the consumer's group metadata fences a member that lost its partitions.
                let error = if generation < 0 {
                    None
                } else if !g.members.contains_key(&member_id) {
                    Some(ErrorCode::UnknownMemberId)
                } else if generation != g.generation {
                    Some(ErrorCode::IllegalGeneration)
                } else {
                    None
                };
                if error.is_none() {
                    // Inserted one by one: `extend` sorts (see `crate::ground::small_map`).
                    let pending = g.pending_txn_offsets.entry(producer_id).or_default();
                    for &(partition, offset) in offsets.iter() {
                        pending.insert(partition, offset);
                    }
                }
                out.push(Output::Event(EventKind::TxnOffsetCommit {
                    group: group.clone(),
                    producer_id,
                    partitions: offsets.len() as u32,
                    error,
                }));
                respond(out, client, GroupResponse::TxnOffsetCommit { group, error });
            }
            GroupRequest::OffsetFetch { group, partitions } => {
                let offsets = partitions
                    .iter()
                    .map(|p| {
                        let off = self
                            .groups
                            .get(&group)
                            .and_then(|g| g.offsets.get(p))
                            .map(|c| c.offset);
                        (*p, off)
                    })
                    .collect();
                respond(
                    out,
                    client,
                    GroupResponse::OffsetFetch {
                        group,
                        offsets,
                        error: None,
                    },
                );
            }
        }
    }

    // ---------------------------------------------------------------- JoinGroup

    fn join_group(&mut self, now: Millis, group_id: String, join: Join, out: &mut Out) {
        let client = join.client;
        let fail = |out: &mut Out, member_id: String, e: ErrorCode| {
            respond(
                out,
                client,
                GroupResponse::JoinGroup {
                    group: group_id.clone(),
                    member_id,
                    result: Err(e),
                },
            )
        };
        if join.session_timeout_ms < self.min_session_timeout_ms
            || join.session_timeout_ms > self.max_session_timeout_ms
        {
            // INVALID_SESSION_TIMEOUT; the client config validation keeps this from happening.
            return fail(out, join.member_id, ErrorCode::InconsistentGroupProtocol);
        }
        let group = self
            .groups
            .entry(group_id.clone())
            .or_insert_with(|| Group::new(group_id.clone(), now));
        if group.state == GroupState::Dead {
            return fail(out, join.member_id, ErrorCode::CoordinatorNotAvailable);
        }
        if !group.supports_protocols(&join.protocols) {
            return fail(out, join.member_id, ErrorCode::InconsistentGroupProtocol);
        }
        if join.member_id.is_empty() {
            if let Some(instance) = join.group_instance_id.clone() {
                if let Some(old_id) = group.static_members.get(&instance).cloned() {
                    return self.static_rejoin(now, group_id, instance, old_id, join, out);
                }
                let member_id = self.new_member_id(&join.client_id);
                let group = self.groups.get_mut(&group_id).expect("just inserted");
                group.static_members.insert(instance, member_id.clone());
                return Self::add_member_and_rebalance(
                    now,
                    group,
                    member_id,
                    join,
                    self.initial_rebalance_delay_ms,
                    out,
                );
            }
            // KIP-394: a new dynamic member first gets an id and must rejoin with it.
            if group.members.len() as u32 >= self.max_group_size {
                return fail(out, String::new(), ErrorCode::GroupMaxSizeReached);
            }
            let member_id = self.new_member_id(&join.client_id);
            let group = self.groups.get_mut(&group_id).expect("exists");
            group
                .pending_members
                .insert(member_id.clone(), now + join.session_timeout_ms);
            return fail(out, member_id, ErrorCode::MemberIdRequired);
        }
        let member_id = join.member_id.clone();
        if group.pending_members.remove(&member_id).is_some() {
            return Self::add_member_and_rebalance(
                now,
                group,
                member_id,
                join,
                self.initial_rebalance_delay_ms,
                out,
            );
        }
        let Some(member) = group.members.get(&member_id) else {
            return fail(out, member_id, ErrorCode::UnknownMemberId);
        };
        let unchanged = member.protocols == join.protocols;
        let is_leader = group.leader.as_deref() == Some(member_id.as_str());
        match group.state {
            GroupState::PreparingRebalance => {
                update_member(group, &member_id, &join, now);
                Self::maybe_complete_join(now, group, out);
            }
            GroupState::CompletingRebalance | GroupState::Stable
                if unchanged && !(is_leader && group.state == GroupState::Stable) =>
            {
                // A follower that lost its response: answer with the current generation.
                let m = group.members.get_mut(&member_id).expect("member");
                m.last_heartbeat = now;
                let result = JoinResult {
                    generation: group.generation,
                    protocol: group.protocol.expect("a generation has a protocol"),
                    leader: group.leader.clone().unwrap_or_default(),
                    member_id: member_id.clone(),
                    members: Vec::new(),
                    skip_assignment: false,
                };
                respond(
                    out,
                    client,
                    GroupResponse::JoinGroup {
                        group: group_id,
                        member_id,
                        result: Ok(result),
                    },
                );
            }
            GroupState::CompletingRebalance | GroupState::Stable => {
                update_member(group, &member_id, &join, now);
                let reason = RebalanceReason::MemberJoined(member_id.clone());
                Self::prepare_rebalance(now, group, reason, self.initial_rebalance_delay_ms, out);
            }
            GroupState::Empty | GroupState::Dead => {
                fail(out, member_id, ErrorCode::UnknownMemberId);
            }
        }
    }

    fn new_member_id(&mut self, client_id: &str) -> String {
        format!("{client_id}-{:08x}", self.rng.next_u64() as u32)
    }

    fn add_member_and_rebalance(
        now: Millis,
        group: &mut Group,
        member_id: String,
        join: Join,
        initial_delay: u64,
        out: &mut Out,
    ) {
        out.push(Output::Event(EventKind::JoinGroup {
            group: group.group_id.clone(),
            consumer: join.client,
            member: member_id.clone(),
            owned: join
                .protocols
                .first()
                .map_or(0, |(_, s)| s.owned_partitions.len() as u32),
        }));
        let seq = group.next_join_seq;
        group.next_join_seq += 1;
        group.members.insert(
            member_id.clone(),
            Member {
                member_id: member_id.clone(),
                group_instance_id: join.group_instance_id,
                client_id: join.client_id,
                client: join.client,
                session_timeout_ms: join.session_timeout_ms,
                rebalance_timeout_ms: join.rebalance_timeout_ms,
                protocols: join.protocols,
                awaiting_join: true,
                awaiting_sync: false,
                assignment: Vec::new(),
                last_heartbeat: now,
                is_new: true,
                joined_seq: seq,
            },
        );
        if group.leader.is_none() {
            group.leader = Some(member_id.clone());
        }
        group.new_member_added = true;
        match group.state {
            GroupState::PreparingRebalance => Self::maybe_complete_join(now, group, out),
            _ => Self::prepare_rebalance(
                now,
                group,
                RebalanceReason::MemberJoined(member_id),
                initial_delay,
                out,
            ),
        }
    }

    /// KIP-345: a static member restarted with a new member id takes over its old identity.
    /// In a Stable group with unchanged protocols this needs no rebalance.
    fn static_rejoin(
        &mut self,
        now: Millis,
        group_id: String,
        instance: String,
        old_id: String,
        join: Join,
        out: &mut Out,
    ) {
        let new_id = self.new_member_id(&join.client_id);
        let delay = self.initial_rebalance_delay_ms;
        let group = self.groups.get_mut(&group_id).expect("exists");
        let Some(mut member) = group.members.remove(&old_id) else {
            group.static_members.remove(&instance);
            // The mapping was stale: join as a new static member.
            let group = self.groups.get_mut(&group_id).expect("exists");
            group.static_members.insert(instance, new_id.clone());
            return Self::add_member_and_rebalance(now, group, new_id, join, delay, out);
        };
        let unchanged = member.protocols == join.protocols;
        member.member_id = new_id.clone();
        member.client = join.client;
        member.client_id = join.client_id.clone();
        member.last_heartbeat = now;
        member.session_timeout_ms = join.session_timeout_ms;
        member.rebalance_timeout_ms = join.rebalance_timeout_ms;
        let was_leader = group.leader.as_deref() == Some(old_id.as_str());
        if was_leader {
            group.leader = Some(new_id.clone());
        }
        group.static_members.insert(instance, new_id.clone());
        out.push(Output::Event(EventKind::JoinGroup {
            group: group_id.clone(),
            consumer: join.client,
            member: new_id.clone(),
            owned: 0,
        }));
        match group.state {
            GroupState::Stable if unchanged => {
                member.awaiting_join = false;
                group.members.insert(new_id.clone(), member);
                let result = JoinResult {
                    generation: group.generation,
                    protocol: group.protocol.expect("stable group has a protocol"),
                    leader: group.leader.clone().unwrap_or_default(),
                    member_id: new_id.clone(),
                    members: Vec::new(),
                    skip_assignment: was_leader,
                };
                respond(
                    out,
                    join.client,
                    GroupResponse::JoinGroup {
                        group: group_id,
                        member_id: new_id,
                        result: Ok(result),
                    },
                );
            }
            GroupState::PreparingRebalance => {
                member.protocols = join.protocols;
                member.awaiting_join = true;
                group.members.insert(new_id, member);
                Self::maybe_complete_join(now, group, out);
            }
            _ => {
                member.protocols = join.protocols;
                member.awaiting_join = true;
                group.members.insert(new_id.clone(), member);
                Self::prepare_rebalance(
                    now,
                    group,
                    RebalanceReason::MemberJoined(new_id),
                    delay,
                    out,
                );
            }
        }
    }

    fn transition(now: Millis, group: &mut Group, to: GroupState, out: &mut Out) {
        if group.state == to {
            return;
        }
        out.push(Output::Event(EventKind::GroupStateChanged {
            group: group.group_id.clone(),
            from: group.state.as_str().to_string(),
            to: to.as_str().to_string(),
            generation: group.generation,
        }));
        group.state = to;
        group.state_since = now;
    }

    fn prepare_rebalance(
        now: Millis,
        group: &mut Group,
        reason: RebalanceReason,
        initial_delay: u64,
        out: &mut Out,
    ) {
        if group.state == GroupState::CompletingRebalance {
            // Members waiting for their assignment must rejoin instead.
            for (_, m) in group.members.iter_mut() {
                m.assignment.clear();
                if m.awaiting_sync {
                    m.awaiting_sync = false;
                    out.push(Output::Respond {
                        client: m.client,
                        response: GroupResponse::SyncGroup {
                            group: group.group_id.clone(),
                            generation: group.generation,
                            result: Err(ErrorCode::RebalanceInProgress),
                        },
                    });
                }
            }
            group.sync_deadline = None;
        }
        let rebalance_timeout = group.rebalance_timeout();
        group.join_timer = Some(if group.state == GroupState::Empty {
            let delay = initial_delay.min(rebalance_timeout);
            JoinTimer::Initial {
                deadline: now + delay,
                delay,
                remaining: rebalance_timeout.saturating_sub(delay),
            }
        } else {
            JoinTimer::Rebalance {
                deadline: now + rebalance_timeout,
            }
        });
        group.new_member_added = false;
        out.push(Output::Event(EventKind::RebalanceStarted {
            group: group.group_id.clone(),
            generation: group.generation,
            reason,
        }));
        Self::transition(now, group, GroupState::PreparingRebalance, out);
        Self::maybe_complete_join(now, group, out);
    }

    /// Completes the join phase early once everyone rejoined (never during the initial delay).
    fn maybe_complete_join(now: Millis, group: &mut Group, out: &mut Out) {
        if group.state != GroupState::PreparingRebalance {
            return;
        }
        if matches!(group.join_timer, Some(JoinTimer::Initial { .. })) {
            return;
        }
        if group.has_all_members_joined() {
            Self::complete_join(now, group, out);
        }
    }

    /// `onCompleteJoin`: drop members that did not rejoin, start the next generation, and answer
    /// every waiting JoinGroup (the leader's answer carries all subscriptions).
    fn complete_join(now: Millis, group: &mut Group, out: &mut Out) {
        group.join_timer = None;
        let missing: Vec<String> = group
            .members
            .values()
            .filter(|m| !m.awaiting_join)
            .map(|m| m.member_id.clone())
            .collect();
        for id in missing {
            out.push(Output::Event(EventKind::MemberRemoved {
                group: group.group_id.clone(),
                member: id.clone(),
                reason: "did not rejoin before the rebalance timeout".into(),
            }));
            Self::remove_member(group, &id);
        }
        group.generation += 1;
        if group.members.is_empty() {
            group.protocol = None;
            group.leader = None;
            Self::transition(now, group, GroupState::Empty, out);
            return;
        }
        if !group
            .leader
            .as_ref()
            .is_some_and(|l| group.members.contains_key(l))
        {
            group.leader = group
                .members
                .values()
                .min_by_key(|m| m.joined_seq)
                .map(|m| m.member_id.clone());
        }
        group.protocol = group.select_protocol();
        let protocol = group.protocol.expect("members share a protocol");
        let leader = group.leader.clone().expect("chosen above");
        Self::transition(now, group, GroupState::CompletingRebalance, out);
        let subscriptions: Vec<MemberSubscription> = group
            .members
            .values()
            .map(|m| {
                let s = m.subscription(protocol).expect("member supports protocol");
                MemberSubscription {
                    member_id: m.member_id.clone(),
                    group_instance_id: m.group_instance_id.clone(),
                    subscription: s.topics.clone(),
                    owned_partitions: s.owned_partitions.clone(),
                    generation: (s.generation >= 0).then_some(s.generation),
                }
            })
            .collect();
        out.push(Output::Event(EventKind::RebalanceCompleted {
            group: group.group_id.clone(),
            generation: group.generation,
            protocol: protocol.as_str().to_string(),
            leader: leader.clone(),
            members: group.members.len() as u32,
        }));
        let mut latest_rebalance_timeout = 0;
        for (_, m) in group.members.iter_mut() {
            m.awaiting_join = false;
            m.is_new = false;
            m.last_heartbeat = now;
            latest_rebalance_timeout = latest_rebalance_timeout.max(m.rebalance_timeout_ms);
            let is_leader = m.member_id == leader;
            out.push(Output::Event(EventKind::JoinGroupResponse {
                group: group.group_id.clone(),
                member: m.member_id.clone(),
                generation: group.generation,
                leader: leader.clone(),
                error: None,
            }));
            out.push(Output::Respond {
                client: m.client,
                response: GroupResponse::JoinGroup {
                    group: group.group_id.clone(),
                    member_id: m.member_id.clone(),
                    result: Ok(JoinResult {
                        generation: group.generation,
                        protocol,
                        leader: leader.clone(),
                        member_id: m.member_id.clone(),
                        members: if is_leader {
                            subscriptions.clone()
                        } else {
                            Vec::new()
                        },
                        skip_assignment: false,
                    }),
                },
            });
        }
        // Every member must send SyncGroup within the rebalance timeout.
        group.sync_deadline = Some(now + latest_rebalance_timeout);
    }

    fn remove_member(group: &mut Group, member_id: &str) {
        if let Some(m) = group.members.remove(member_id) {
            if let Some(instance) = m.group_instance_id {
                if group.static_members.get(&instance).map(String::as_str) == Some(member_id) {
                    group.static_members.remove(&instance);
                }
            }
        }
        if group.leader.as_deref() == Some(member_id) {
            group.leader = group
                .members
                .values()
                .min_by_key(|m| m.joined_seq)
                .map(|m| m.member_id.clone());
        }
    }

    /// A member is gone (left, expired): rebalance or finish the join phase without it.
    fn on_member_gone(
        now: Millis,
        group: &mut Group,
        reason: RebalanceReason,
        delay: u64,
        out: &mut Out,
    ) {
        match group.state {
            GroupState::Stable | GroupState::CompletingRebalance => {
                if group.members.is_empty() {
                    group.generation += 1;
                    group.protocol = None;
                    group.leader = None;
                    group.sync_deadline = None;
                    out.push(Output::Event(EventKind::RebalanceStarted {
                        group: group.group_id.clone(),
                        generation: group.generation - 1,
                        reason,
                    }));
                    Self::transition(now, group, GroupState::PreparingRebalance, out);
                    Self::transition(now, group, GroupState::Empty, out);
                } else {
                    Self::prepare_rebalance(now, group, reason, delay, out);
                }
            }
            GroupState::PreparingRebalance => {
                if group.members.is_empty()
                    && matches!(group.join_timer, Some(JoinTimer::Rebalance { .. }))
                {
                    Self::complete_join(now, group, out);
                } else {
                    Self::maybe_complete_join(now, group, out);
                }
            }
            GroupState::Empty | GroupState::Dead => {}
        }
    }

    // ---------------------------------------------------------------- SyncGroup

    #[allow(clippy::too_many_arguments)]
    fn sync_group(
        &mut self,
        now: Millis,
        client: u32,
        group_id: String,
        member_id: String,
        generation: i32,
        assignments: Vec<(String, Vec<crate::protocol::TopicPartition>)>,
        out: &mut Out,
    ) {
        let fail = |out: &mut Out, e: ErrorCode| {
            respond(
                out,
                client,
                GroupResponse::SyncGroup {
                    group: group_id.clone(),
                    generation,
                    result: Err(e),
                },
            )
        };
        let Some(group) = self.groups.get_mut(&group_id) else {
            return fail(out, ErrorCode::UnknownMemberId);
        };
        if !group.members.contains_key(&member_id) {
            return fail(out, ErrorCode::UnknownMemberId);
        }
        if generation != group.generation {
            return fail(out, ErrorCode::IllegalGeneration);
        }
        let is_leader = group.leader.as_deref() == Some(member_id.as_str());
        out.push(Output::Event(EventKind::SyncGroup {
            group: group_id.clone(),
            member: member_id.clone(),
            generation,
            is_leader,
        }));
        match group.state {
            GroupState::Empty | GroupState::Dead => fail(out, ErrorCode::UnknownMemberId),
            GroupState::PreparingRebalance => fail(out, ErrorCode::RebalanceInProgress),
            GroupState::CompletingRebalance => {
                let m = group.members.get_mut(&member_id).expect("checked");
                m.awaiting_sync = true;
                m.last_heartbeat = now;
                if is_leader {
                    // The last entry for a member wins, as in Kafka's map of assignments.
                    let mut given = assignments;
                    for (_, m) in group.members.iter_mut() {
                        m.assignment = given
                            .iter()
                            .rposition(|(id, _)| *id == m.member_id)
                            .map(|i| given.swap_remove(i).1)
                            .unwrap_or_default();
                    }
                    group.sync_deadline = None;
                    Self::transition(now, group, GroupState::Stable, out);
                    for (_, m) in group.members.iter_mut() {
                        if m.awaiting_sync {
                            m.awaiting_sync = false;
                            m.last_heartbeat = now;
                            out.push(Output::Event(EventKind::SyncGroupResponse {
                                group: group_id.clone(),
                                member: m.member_id.clone(),
                                generation,
                                partitions: m.assignment.len() as u32,
                                error: None,
                            }));
                            out.push(Output::Respond {
                                client: m.client,
                                response: GroupResponse::SyncGroup {
                                    group: group_id.clone(),
                                    generation,
                                    result: Ok(m.assignment.clone()),
                                },
                            });
                        }
                    }
                }
            }
            GroupState::Stable => {
                let m = group.members.get_mut(&member_id).expect("checked");
                m.last_heartbeat = now;
                out.push(Output::Event(EventKind::SyncGroupResponse {
                    group: group_id.clone(),
                    member: member_id.clone(),
                    generation,
                    partitions: m.assignment.len() as u32,
                    error: None,
                }));
                let assignment = m.assignment.clone();
                respond(
                    out,
                    client,
                    GroupResponse::SyncGroup {
                        group: group_id,
                        generation,
                        result: Ok(assignment),
                    },
                );
            }
        }
    }

    // ---------------------------------------------------------------- Heartbeat, LeaveGroup

    fn heartbeat(
        &mut self,
        now: Millis,
        client: u32,
        group_id: String,
        member_id: String,
        generation: i32,
        out: &mut Out,
    ) {
        let error = match self.groups.get_mut(&group_id) {
            None => Some(ErrorCode::UnknownMemberId),
            Some(group) => match group.members.get_mut(&member_id) {
                None => Some(ErrorCode::UnknownMemberId),
                Some(m) => {
                    m.last_heartbeat = now;
                    match group.state {
                        GroupState::Empty | GroupState::Dead => Some(ErrorCode::UnknownMemberId),
                        _ if generation != group.generation => Some(ErrorCode::IllegalGeneration),
                        GroupState::PreparingRebalance => Some(ErrorCode::RebalanceInProgress),
                        GroupState::CompletingRebalance | GroupState::Stable => None,
                    }
                }
            },
        };
        out.push(Output::Event(EventKind::Heartbeat {
            group: group_id.clone(),
            member: member_id,
            error,
        }));
        respond(
            out,
            client,
            GroupResponse::Heartbeat {
                group: group_id,
                error,
            },
        );
    }

    fn leave_group(
        &mut self,
        now: Millis,
        client: u32,
        group_id: String,
        member_id: String,
        out: &mut Out,
    ) {
        let delay = self.initial_rebalance_delay_ms;
        let error = match self.groups.get_mut(&group_id) {
            Some(group) if group.members.contains_key(&member_id) => {
                out.push(Output::Event(EventKind::LeaveGroup {
                    group: group_id.clone(),
                    member: member_id.clone(),
                }));
                Self::remove_member(group, &member_id);
                Self::on_member_gone(
                    now,
                    group,
                    RebalanceReason::MemberLeft(member_id),
                    delay,
                    out,
                );
                None
            }
            Some(group) => {
                if group.pending_members.remove(&member_id).is_some() {
                    None
                } else {
                    Some(ErrorCode::UnknownMemberId)
                }
            }
            None => Some(ErrorCode::UnknownMemberId),
        };
        respond(
            out,
            client,
            GroupResponse::LeaveGroup {
                group: group_id,
                error,
            },
        );
    }

    // ---------------------------------------------------------------- OffsetCommit

    #[allow(clippy::too_many_arguments)]
    fn offset_commit(
        &mut self,
        now: Millis,
        client: u32,
        group_id: String,
        member_id: String,
        generation: i32,
        offsets: Vec<(crate::ground::PartitionIdx, i64)>,
        out: &mut Out,
    ) {
        let group = self
            .groups
            .entry(group_id.clone())
            .or_insert_with(|| Group::new(group_id.clone(), now));
        let error = if generation < 0 && group.state == GroupState::Empty {
            None // a consumer outside the group protocol (assign mode)
        } else if !group.members.contains_key(&member_id) {
            Some(ErrorCode::UnknownMemberId)
        } else if generation != group.generation {
            Some(ErrorCode::IllegalGeneration)
        } else if group.state == GroupState::CompletingRebalance {
            Some(ErrorCode::RebalanceInProgress)
        } else {
            None
        };
        if error.is_none() {
            for &(p, offset) in &offsets {
                group.offsets.insert(
                    p,
                    CommittedOffset {
                        offset,
                        commit_time: now,
                    },
                );
            }
            if let Some(m) = group.members.get_mut(&member_id) {
                m.last_heartbeat = now;
            }
        }
        out.push(Output::Event(EventKind::OffsetCommit {
            group: group_id.clone(),
            member: member_id,
            partitions: offsets.len() as u32,
            error,
        }));
        respond(
            out,
            client,
            GroupResponse::OffsetCommit {
                group: group_id,
                offsets,
                error,
            },
        );
    }

    // ---------------------------------------------------------------- timers

    /// A new coordinator loaded these groups (`onGroupLoaded`): every member's session starts
    /// afresh, so nobody is expelled for the time the coordinator was down.
    pub fn reload(&mut self, now: Millis, which: impl Fn(&str) -> bool) {
        for (_, group) in self.groups.iter_mut() {
            if !which(&group.group_id) {
                continue;
            }
            for (_, m) in group.members.iter_mut() {
                m.last_heartbeat = now;
            }
        }
    }

    pub fn on_timer(&mut self, now: Millis, available: &dyn Fn(&str) -> bool, out: &mut Out) {
        let delay = self.initial_rebalance_delay_ms;
        for (_, group) in self.groups.iter_mut() {
            if !available(&group.group_id) {
                continue;
            }
            group.pending_members.retain(|_, deadline| *deadline > now);
            // Session expiry.
            let expired: Vec<String> = group
                .members
                .values()
                .filter(|m| m.session_deadline().is_some_and(|d| d <= now))
                .map(|m| m.member_id.clone())
                .collect();
            for id in expired {
                out.push(Output::Event(EventKind::MemberRemoved {
                    group: group.group_id.clone(),
                    member: id.clone(),
                    reason: "session timeout expired (no heartbeat)".into(),
                }));
                Self::remove_member(group, &id);
                Self::on_member_gone(now, group, RebalanceReason::SessionTimeout(id), delay, out);
            }
            // Join phase.
            if let Some(timer) = group.join_timer {
                if timer.deadline() <= now {
                    match timer {
                        JoinTimer::Initial {
                            delay, remaining, ..
                        } if group.new_member_added && remaining > 0 => {
                            let next = delay.min(remaining);
                            group.new_member_added = false;
                            group.join_timer = Some(JoinTimer::Initial {
                                deadline: now + next,
                                delay,
                                remaining: remaining - next,
                            });
                        }
                        _ => Self::complete_join(now, group, out),
                    }
                }
            }
            // Members that never sent SyncGroup.
            if let Some(deadline) = group.sync_deadline {
                if deadline <= now && group.state == GroupState::CompletingRebalance {
                    group.sync_deadline = None;
                    let laggards: Vec<String> = group
                        .members
                        .values()
                        .filter(|m| !m.awaiting_sync)
                        .map(|m| m.member_id.clone())
                        .collect();
                    for id in &laggards {
                        out.push(Output::Event(EventKind::MemberRemoved {
                            group: group.group_id.clone(),
                            member: id.clone(),
                            reason: "no SyncGroup before the rebalance timeout".into(),
                        }));
                        Self::remove_member(group, id);
                    }
                    if let Some(id) = laggards.into_iter().next() {
                        Self::prepare_rebalance(
                            now,
                            group,
                            RebalanceReason::RebalanceTimeout(id),
                            delay,
                            out,
                        );
                    }
                }
            }
        }
    }
}

struct Join {
    client: u32,
    member_id: String,
    group_instance_id: Option<String>,
    client_id: String,
    session_timeout_ms: u64,
    rebalance_timeout_ms: u64,
    protocols: Vec<(AssignorName, Subscription)>,
}

fn update_member(group: &mut Group, member_id: &str, join: &Join, now: Millis) {
    let m = group.members.get_mut(member_id).expect("member exists");
    m.protocols = join.protocols.clone();
    m.client = join.client;
    m.session_timeout_ms = join.session_timeout_ms;
    m.rebalance_timeout_ms = join.rebalance_timeout_ms;
    m.awaiting_join = true;
    m.last_heartbeat = now;
}
