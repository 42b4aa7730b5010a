//! Committed offsets: OffsetCommit from members (and from consumers outside the group protocol),
//! TxnOffsetCommit held pending until its transaction ends (KIP-98, fenced by generation in
//! KIP-447), and OffsetFetch.

use super::coordinator::GroupCoordinator;
use super::state::{CommittedOffset, Group};
use super::step::{respond, Out, Output};
use super::validate;
use crate::event::EventKind;
use crate::ground::{Millis, PartitionIdx};
use crate::protocol::GroupResponse;

impl GroupCoordinator {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn offset_commit(
        &mut self,
        now: Millis,
        client: u32,
        group_id: String,
        member_id: String,
        generation: i32,
        offsets: Vec<(PartitionIdx, i64)>,
        out: &mut Out,
    ) {
        let group = self
            .groups
            .entry(group_id.clone())
            .or_insert_with(|| Group::new(group_id.clone(), now));
        let error = validate::offset_commit(group, &member_id, generation);
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

    #[allow(clippy::too_many_arguments)]
    pub(super) fn txn_offset_commit(
        &mut self,
        now: Millis,
        client: u32,
        group: String,
        producer_id: i64,
        member_id: String,
        generation: i32,
        offsets: Vec<(PartitionIdx, i64)>,
        out: &mut Out,
    ) {
        let g = self
            .groups
            .entry(group.clone())
            .or_insert_with(|| Group::new(group.clone(), now));
        let error = validate::txn_offset_commit(g, &member_id, generation);
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

    pub(super) fn offset_fetch(
        &self,
        client: u32,
        group: String,
        partitions: Vec<PartitionIdx>,
        out: &mut Out,
    ) {
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
