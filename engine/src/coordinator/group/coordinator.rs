//! The group coordinator of the classic protocol: a state machine over typed requests, in the
//! shape of raft-rs's `step`.
//!
//! Inputs: `handle(now, client, request)` for each request that reaches the coordinator, and
//! `on_timer(now)` when `next_deadline()` is due. Outputs are data (`Output`): responses to
//! send to a client and events. Following `GroupMetadataManager`'s classic group handling
//! (KIP-62, KIP-345, KIP-394), a request is first checked against what every state agrees on (is
//! the member known, is its generation current: here and in `join`), then handed to the function
//! of the group's state (`step`: `empty`, `preparing_rebalance`, `completing_rebalance`, `stable`,
//! `dead`). Offsets are in `offsets`, timers in `timers`, the moves the states share in
//! `rebalance`.
//!
//! Simplifications: request/response ordering is the network's FIFO; protocol ties are broken by
//! name; group metadata is not written to `__consumer_offsets` (the offsets are kept in memory
//! only).

use super::rebalance::remove_member;
use super::state::{CommittedOffset, Group};
use super::step::{answer_heartbeat, fail_sync, respond, step, Input, Join, Out, Output, Step};
use super::validate;
use crate::event::{EventKind, RebalanceReason};
use crate::ground::quote::quoted;
use crate::ground::small_map::SmallMap;
use crate::ground::{ErrorCode, Millis, Rng};
use crate::protocol::{GroupRequest, GroupResponse, TopicPartition};

#[derive(Clone, Debug)]
pub struct GroupCoordinator {
    pub(in crate::coordinator) groups: SmallMap<String, Group>,
    pub(in crate::coordinator) rng: Rng,
    pub initial_rebalance_delay_ms: u64,
    pub min_session_timeout_ms: u64,
    pub max_session_timeout_ms: u64,
    pub max_group_size: u32,
    /// `group.consumer.heartbeat.interval.ms` (KIP-848 groups).
    pub consumer_heartbeat_interval_ms: u64,
    /// `group.consumer.session.timeout.ms` (KIP-848 groups).
    pub consumer_session_timeout_ms: u64,
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
            consumer_heartbeat_interval_ms: 5_000,
            consumer_session_timeout_ms: 45_000,
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
            None => Err(format!("Group {} does not exist.", quoted(id))),
            Some(g) if g.is_active() => Err(format!(
                "Group {} is not empty ({}): stop its consumers first.",
                quoted(id),
                g.state_name()
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
            if g.is_active() {
                return Err(format!(
                    "Assignments can only be reset if the group {} is inactive, but the current state is {}. Stop its consumers first.",
                    quoted(id),
                    g.state_name()
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
                    leader_epoch: None,
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
                        leader_epoch: None,
                        commit_time: now,
                    },
                );
            }
        }
        n
    }

    pub(super) fn step_context(&self, now: Millis) -> Step {
        Step {
            now,
            initial_delay: self.initial_rebalance_delay_ms,
        }
    }

    /// Handles one request. `topics` gives the partition count of an existing topic, what the
    /// coordinator reads from the metadata image to run a server assignor (KIP-848).
    pub fn handle(
        &mut self,
        now: Millis,
        client: u32,
        req: GroupRequest,
        topics: &dyn Fn(&str) -> Option<u32>,
        out: &mut Out,
    ) {
        match req {
            GroupRequest::ConsumerGroupHeartbeat(hb) => {
                self.consumer_group_heartbeat(now, client, hb, topics, out)
            }
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
            } => self.txn_offset_commit(
                now,
                client,
                group,
                producer_id,
                member_id,
                generation,
                offsets,
                out,
            ),
            GroupRequest::OffsetFetch { group, partitions } => {
                self.offset_fetch(client, group, partitions, out)
            }
        }
    }

    /// SyncGroup is answered only for a known member of the current generation; what it means
    /// then depends on the state.
    #[allow(clippy::too_many_arguments)]
    fn sync_group(
        &mut self,
        now: Millis,
        client: u32,
        group_id: String,
        member_id: String,
        generation: i32,
        assignments: Vec<(String, Vec<TopicPartition>)>,
        out: &mut Out,
    ) {
        let s = self.step_context(now);
        if let Err(e) = validate::sync(self.groups.get(&group_id), &member_id, generation) {
            return fail_sync(out, client, &group_id, generation, e);
        }
        let group = self.groups.get_mut(&group_id).expect("validated");
        out.push(Output::Event(EventKind::SyncGroup {
            group: group_id.clone(),
            member: member_id.clone(),
            generation,
            is_leader: group.leader.as_deref() == Some(member_id.as_str()),
        }));
        let input = Input::Sync {
            client,
            member_id,
            generation,
            assignments,
        };
        step(s, group, input, out);
    }

    /// A heartbeat from a known member keeps its session alive whatever the state answers.
    fn heartbeat(
        &mut self,
        now: Millis,
        client: u32,
        group_id: String,
        member_id: String,
        generation: i32,
        out: &mut Out,
    ) {
        let s = self.step_context(now);
        let known = self
            .groups
            .get_mut(&group_id)
            .filter(|g| g.members.contains_key(&member_id));
        let Some(group) = known else {
            let e = Some(ErrorCode::UnknownMemberId);
            return answer_heartbeat(out, client, &group_id, member_id, e);
        };
        group
            .members
            .get_mut(&member_id)
            .expect("checked")
            .last_heartbeat = now;
        let input = Input::Heartbeat {
            client,
            member_id,
            generation,
        };
        step(s, group, input, out);
    }

    fn leave_group(
        &mut self,
        now: Millis,
        client: u32,
        group_id: String,
        member_id: String,
        out: &mut Out,
    ) {
        let s = self.step_context(now);
        let error = match self.groups.get_mut(&group_id) {
            Some(group) if group.members.contains_key(&member_id) => {
                out.push(Output::Event(EventKind::LeaveGroup {
                    group: group_id.clone(),
                    member: member_id.clone(),
                }));
                remove_member(group, &member_id);
                let reason = RebalanceReason::MemberLeft(member_id);
                step(s, group, Input::MemberGone { reason }, out);
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
}
