//! Committed offsets: OffsetCommit from members (and from consumers outside the group protocol),
//! TxnOffsetCommit held pending until its transaction ends (KIP-98, fenced by generation in
//! KIP-447), and OffsetFetch.

use super::coordinator::GroupCoordinator;
use super::state::{CommittedOffset, Group};
use super::step::{respond, Out, Output};
use super::validate;
use crate::event::EventKind;
use crate::ground::{ErrorCode, Millis, PartitionIdx};
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
        offsets: Vec<(PartitionIdx, i64, Option<i32>)>,
        out: &mut Out,
    ) {
        let group = self
            .groups
            .entry(group_id.clone())
            .or_insert_with(|| Group::new(group_id.clone(), now));
        let error = validate::offset_commit(group, &member_id, generation);
        if error.is_none() {
            for &(p, offset, leader_epoch) in &offsets {
                group.offsets.insert(
                    p,
                    CommittedOffset {
                        offset,
                        leader_epoch,
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
                offsets: offsets.iter().map(|&(p, o, _)| (p, o)).collect(),
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
        // `require_stable`: a partition whose offsets an open transaction has sent is answered
        // UNSTABLE_OFFSET_COMMIT, and the consumer asks again until the transaction ends
        // (`OffsetMetadataManager.fetchOffsets`, KIP-447).
        let unstable = self.groups.get(&group).map_or(0, |g| {
            partitions
                .iter()
                .filter(|p| g.pending_txn_offsets.values().any(|o| o.contains_key(p)))
                .count()
        });
        if unstable > 0 {
            out.push(Output::Event(EventKind::OffsetFetchUnstable {
                group: group.clone(),
                consumer: client,
                partitions: unstable as u32,
            }));
            return respond(
                out,
                client,
                GroupResponse::OffsetFetch {
                    group,
                    offsets: Vec::new(),
                    error: Some(ErrorCode::UnstableOffsetCommit),
                },
            );
        }
        let offsets = partitions
            .iter()
            .map(|p| {
                let c = self.groups.get(&group).and_then(|g| g.offsets.get(p));
                (*p, c.map(|c| c.offset), c.and_then(|c| c.leader_epoch))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ground::Rng;
    use crate::protocol::GroupRequest;

    fn fetch(c: &mut GroupCoordinator, now: Millis) -> Option<GroupResponse> {
        let mut out = Vec::new();
        let req = GroupRequest::OffsetFetch {
            group: "g".into(),
            partitions: vec![0, 1],
        };
        c.handle(now, 7, req, &|_| None, &mut out);
        out.into_iter().find_map(|o| match o {
            Output::Respond { response, .. } => Some(response),
            _ => None,
        })
    }

    /// `OffsetMetadataManager.fetchOffsets` with `require_stable` (KIP-447): while a transaction
    /// holds offsets for a partition, OffsetFetch is answered UNSTABLE_OFFSET_COMMIT; once its
    /// marker arrives, the committed offsets.
    #[test]
    fn offset_fetch_is_unstable_while_a_transaction_holds_offsets() {
        let mut c = GroupCoordinator::new(Rng::new(1), 3000, 6000, 1_800_000, u32::MAX);
        let mut out = Vec::new();
        let commit = GroupRequest::TxnOffsetCommit {
            group: "g".into(),
            transactional_id: "t".into(),
            producer_id: 5,
            epoch: 0,
            member_id: String::new(),
            generation: -1,
            offsets: vec![(1, 42)],
        };
        c.handle(0, 3, commit, &|_| None, &mut out);
        match fetch(&mut c, 10) {
            Some(GroupResponse::OffsetFetch { error, .. }) => {
                assert_eq!(error, Some(ErrorCode::UnstableOffsetCommit))
            }
            other => panic!("{other:?}"),
        }
        c.complete_txn(20, "g", 5, true);
        match fetch(&mut c, 30) {
            Some(GroupResponse::OffsetFetch { error, offsets, .. }) => {
                assert_eq!(error, None);
                assert_eq!(offsets, vec![(0, None, None), (1, Some(42), None)]);
            }
            other => panic!("{other:?}"),
        }
    }

    fn first_response(out: Vec<Output>) -> GroupResponse {
        out.into_iter()
            .find_map(|o| match o {
                Output::Respond { response, .. } => Some(response),
                _ => None,
            })
            .expect("answered")
    }

    /// `ConsumerGroup.validateOffsetCommit` (KIP-848): a consumer-protocol member commits with
    /// its member epoch; any other epoch is STALE_MEMBER_EPOCH and nothing is stored.
    #[test]
    fn offset_commit_with_a_stale_member_epoch_is_refused() {
        use crate::protocol::ConsumerGroupHeartbeat;
        let mut c = GroupCoordinator::new(Rng::new(1), 3000, 6000, 1_800_000, u32::MAX);
        let join = GroupRequest::ConsumerGroupHeartbeat(ConsumerGroupHeartbeat {
            group: "g".into(),
            member_id: "m".into(),
            member_epoch: 0,
            instance_id: None,
            client_id: "m".into(),
            rebalance_timeout_ms: 30_000,
            subscribed_topics: vec!["orders".into()],
            server_assignor: None,
            owned: Vec::new(),
        });
        let mut out = Vec::new();
        c.handle(0, 3, join, &|_| Some(2), &mut out);
        let epoch = match first_response(out) {
            GroupResponse::ConsumerGroupHeartbeat(r) => r.result.unwrap().member_epoch,
            other => panic!("{other:?}"),
        };
        let commit = |generation: i32| GroupRequest::OffsetCommit {
            group: "g".into(),
            member_id: "m".into(),
            generation,
            offsets: vec![(0, 10, None)],
        };
        for (e, expected) in [
            (epoch - 1, Some(ErrorCode::StaleMemberEpoch)),
            (epoch, None),
        ] {
            let mut out = Vec::new();
            c.handle(5, 3, commit(e), &|_| Some(2), &mut out);
            match first_response(out) {
                GroupResponse::OffsetCommit { error, .. } => assert_eq!(error, expected),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(c.group("g").unwrap().offsets.len(), 1);
    }
}
