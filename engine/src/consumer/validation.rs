//! Log truncation detection (KIP-320): after a partition's leader changes, the consumer asks the
//! new leader where the epoch of its last record ends (`OffsetsForLeaderEpoch`) before it fetches
//! again. If that is below its position, the new leader's log diverged from the one it read
//! (an unclean election threw records away): it seeks to the divergence point instead of
//! re-reading from the start or skipping to the end, and says so
//! (`SubscriptionState.maybeCompleteValidation`).

use super::{Consumer, OffsetResetStrategy, Validation};
use crate::event::{EventKind, ValidationOutcome};
use crate::ground::BrokerId;
use crate::party::Ctx;
use crate::protocol::{
    EpochEndOffset, EpochQuery, Message, OffsetsForLeaderEpochRequest,
    OffsetsForLeaderEpochResponse, Party,
};

impl Consumer {
    /// `maybeValidatePositionForCurrentLeader` for every assigned partition, then
    /// `validatePositionsIfNeeded`: one `OffsetsForLeaderEpoch` per leader for the positions
    /// awaiting validation.
    pub(super) fn validate_positions_if_needed(&mut self, ctx: &mut Ctx<'_>) {
        for a in &mut self.assigned {
            let Some(part) = ctx.cluster.partition(a.partition) else {
                continue;
            };
            let current = part.leader_epoch;
            if a.position.is_none() || part.leader.is_none() {
                continue;
            }
            match (a.leader_epoch, a.validation) {
                (_, Validation::InFlight { leader_epoch, .. }) if leader_epoch == current => {}
                (Some(known), Validation::Valid) if known == current => {}
                (None, Validation::Needed) => {
                    // A committed offset with its epoch: validate it with this leader.
                    a.leader_epoch = Some(current);
                }
                (None, _) => {
                    // The first fetch of this position: it came from this leader's metadata.
                    a.leader_epoch = Some(current);
                    a.validation = Validation::Valid;
                }
                _ => {
                    // Data fetched from the previous leader is not handed out
                    // (`FetchCollector`: no longer fetchable).
                    a.buffered = None;
                    if a.offset_epoch.is_some() {
                        a.validation = Validation::Needed;
                    } else {
                        // No epoch for the position: nothing to validate it with.
                        a.leader_epoch = Some(current);
                        a.validation = Validation::Valid;
                    }
                }
            }
        }
        let mut by_leader: Vec<(BrokerId, Vec<EpochQuery>)> = Vec::new();
        for a in &mut self.assigned {
            let (Validation::Needed, Some(position), Some(epoch)) =
                (a.validation, a.position, a.offset_epoch)
            else {
                continue;
            };
            let (Some(leader), Some(part)) = (
                ctx.cluster.available_leader(a.partition),
                ctx.cluster.partition(a.partition),
            ) else {
                continue;
            };
            let query = EpochQuery {
                partition: a.partition,
                current_leader_epoch: part.leader_epoch,
                leader_epoch: epoch,
                position,
            };
            a.validation = Validation::InFlight {
                position,
                leader_epoch: part.leader_epoch,
            };
            match by_leader.iter_mut().find(|(b, _)| *b == leader) {
                Some((_, v)) => v.push(query),
                None => by_leader.push((leader, vec![query])),
            }
        }
        for (leader, partitions) in by_leader {
            ctx.send(
                Party::Broker(leader),
                Message::OffsetsForLeaderEpoch(OffsetsForLeaderEpochRequest { partitions }),
            );
        }
    }

    /// The leader's answer: complete the validation, seek to the divergence point, or (no
    /// epoch known there) reset as `auto.offset.reset` says.
    pub(super) fn on_epoch_end_offsets(
        &mut self,
        ctx: &mut Ctx<'_>,
        resp: OffsetsForLeaderEpochResponse,
    ) {
        for EpochEndOffset { query, result } in resp.partitions {
            let Some(i) = self
                .assigned
                .iter()
                .position(|a| a.partition == query.partition)
            else {
                continue;
            };
            let asked = Validation::InFlight {
                position: query.position,
                leader_epoch: query.current_leader_epoch,
            };
            if self.assigned[i].validation != asked {
                continue; // a stale answer: the position or the leader moved meanwhile
            }
            let end = match result {
                Err(_) => {
                    // Fenced, not the leader, or unreachable: ask again at the next poll.
                    self.assigned[i].validation = Validation::Needed;
                    continue;
                }
                Ok(end) => end,
            };
            let has_reset_policy = self.config.auto_offset_reset != OffsetResetStrategy::None;
            let outcome = match end {
                Some((_, end_offset)) if end_offset >= query.position => ValidationOutcome::Valid,
                Some((_, end_offset)) if has_reset_policy => ValidationOutcome::Truncated {
                    seek_to: end_offset,
                },
                None if has_reset_policy => ValidationOutcome::Reset,
                _ => ValidationOutcome::NoResetPolicy,
            };
            let a = &mut self.assigned[i];
            a.validation = Validation::Valid;
            a.leader_epoch = Some(query.current_leader_epoch);
            let tp = a.tp.clone();
            match outcome {
                ValidationOutcome::Valid => {}
                ValidationOutcome::Truncated { seek_to } => {
                    a.position = Some(seek_to);
                    a.offset_epoch = end.map(|(e, _)| e);
                    a.buffered = None;
                }
                ValidationOutcome::Reset => {}
                ValidationOutcome::NoResetPolicy => {
                    // `LogTruncationException` from poll(): the application has to seek.
                    a.position = None;
                    a.buffered = None;
                }
            }
            ctx.emit(EventKind::PositionValidated {
                consumer: self.index,
                tp,
                position: query.position,
                epoch: query.leader_epoch,
                leader_epoch: query.current_leader_epoch,
                end_offset: end.map_or(-1, |(_, o)| o),
                outcome,
            });
            if outcome == ValidationOutcome::Reset {
                self.reset_position(ctx, i, "truncation detected, epoch unknown to the leader");
            }
        }
    }
}
