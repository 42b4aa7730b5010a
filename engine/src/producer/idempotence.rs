//! Client-side idempotence: the part of Kafka's `TransactionManager` a producer uses even without
//! a `transactional.id`. Per partition: the next sequence, the sequences in flight, the last one
//! acknowledged, and the producer id and epoch they belong to.
//!
//! When the client can no longer know what the broker holds, KIP-360 gives it a way out instead
//! of a producer wedged for good:
//! * a batch that expired (`delivery.timeout.ms`) after being sent at least once leaves its
//!   partition *unresolved* (`markSequenceUnresolved`): nothing new is drained for it;
//! * once nothing is in flight there (`maybeResolveSequences`), either the last acknowledged
//!   sequence shows the expired batches did land after all, or the epoch must be bumped;
//! * an OUT_OF_ORDER_SEQUENCE_NUMBER that reveals a real gap, or a batch failed for good, also asks
//!   for a bump (`handleFailedBatch` → `requestEpochBumpForPartition`);
//! * the bump (`bumpIdempotentProducerEpoch`) is local: the epoch goes up by one and the
//!   partitions that asked for it restart their sequences at 0 (`startSequencesAtBeginning`); the
//!   others restart at 0 as soon as their in-flight batches of the old epoch are done
//!   (`maybeUpdateProducerIdAndEpoch`). The leader accepts sequence 0 from a higher epoch.
//!
//! Simplification: a transactional producer keeps its own rules (`transactional.rs`); it is not
//! bumped here.

use super::accumulator::DrainDecision;
use super::ProducerBatch;
use crate::ground::PartitionIdx;
use crate::log::batch::increment_sequence;

/// One partition's sequence bookkeeping (`TopicPartitionEntry`).
#[derive(Clone, Debug, Default)]
struct PartitionEntry {
    /// The producer id and epoch these sequences belong to (`None`: not yet used).
    producer_id: Option<(i64, i16)>,
    /// Base sequence of the next new batch.
    next_sequence: i32,
    /// Base sequences of drained, not yet completed batches (the first is what a retry waits for).
    in_flight: Vec<i32>,
    /// Last sequence acknowledged (`lastAckedSequence`), -1 before any.
    last_acked: i32,
}

impl PartitionEntry {
    fn new() -> Self {
        PartitionEntry {
            last_acked: -1,
            ..PartitionEntry::default()
        }
    }
}

/// Why the epoch was bumped, for the event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct EpochBump {
    pub producer_id: i64,
    /// The new epoch; `None` when the old one was `Short.MAX_VALUE` and a new producer id is needed.
    pub epoch: Option<i16>,
    /// Partitions whose sequences restart at 0 now.
    pub partitions: Vec<PartitionIdx>,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct IdempotenceState {
    pub producer_id: Option<(i64, i16)>,
    pub init_in_flight: bool,
    partitions: Vec<PartitionEntry>,
    /// KIP-360 `partitionsWithUnresolvedSequences`: partitions where a batch expired after being
    /// sent, with the sequence that follows the last such batch.
    unresolved: Vec<(PartitionIdx, i32)>,
    /// `partitionsToRewriteSequences`: partitions whose sequences restart at the next bump.
    to_rewrite: Vec<PartitionIdx>,
    epoch_bump_required: bool,
}

impl IdempotenceState {
    /// A new producer id or epoch from InitProducerId: sequences start again from 0 everywhere.
    pub(super) fn reset(&mut self, producer_id: (i64, i16)) {
        self.producer_id = Some(producer_id);
        self.partitions.clear();
        self.unresolved.clear();
        self.to_rewrite.clear();
        self.epoch_bump_required = false;
    }

    fn entry(&mut self, p: PartitionIdx) -> &mut PartitionEntry {
        let i = p as usize;
        if i >= self.partitions.len() {
            self.partitions.resize_with(i + 1, PartitionEntry::new);
        }
        &mut self.partitions[i]
    }

    fn has_in_flight(&self, p: PartitionIdx) -> bool {
        self.partitions
            .get(p as usize)
            .is_some_and(|e| !e.in_flight.is_empty())
    }

    fn is_unresolved(&self, p: PartitionIdx) -> bool {
        self.unresolved.iter().any(|(q, _)| *q == p)
    }

    /// `isNextSequence`: whether a batch with this base sequence is the one the broker expects
    /// next, as far as the client knows.
    pub(super) fn is_next_sequence(&self, p: PartitionIdx, base: i32) -> bool {
        let last = self.partitions.get(p as usize).map_or(-1, |e| e.last_acked);
        increment_sequence(last, 1) == base || (last < 0 && base == 0)
    }

    /// `TransactionManager.canRetry` for OUT_OF_ORDER_SEQUENCE_NUMBER. A batch that is not the
    /// next one the client expects the leader to take is retried: an earlier batch of its
    /// partition is still unacknowledged and on its way again. If it is the next one, the leader
    /// really has a gap: a transactional batch fails, an idempotent one asks for an epoch bump and
    /// is retried under the new epoch (unless the partition is unresolved and the gap may yet close).
    pub(super) fn may_retry_out_of_order(
        &mut self,
        b: &ProducerBatch,
        transactional: bool,
    ) -> bool {
        let p = b.partition;
        let unresolved = self
            .unresolved
            .iter()
            .find(|(q, _)| *q == p)
            .map(|(_, s)| *s);
        if unresolved.is_none() && (b.sequence_reset || !self.is_next_sequence(p, b.base_sequence))
        {
            return true;
        }
        if transactional {
            return false;
        }
        if unresolved.is_none_or(|next| next == b.base_sequence) {
            self.request_epoch_bump(p);
        }
        true
    }

    /// Decides whether `drain` may take a partition's first batch, stamping a new batch with its
    /// producer id, epoch and sequence (`RecordAccumulator.shouldStopDrainBatchesForPartition`).
    pub(super) fn drain(
        &mut self,
        batch: &mut ProducerBatch,
        transactional: bool,
    ) -> DrainDecision {
        let Some(current) = self.producer_id else {
            return DrainDecision::Stop;
        };
        let p = batch.partition;
        if batch.has_sequence() {
            // A retried batch goes only when it is the first in flight for its partition.
            let first = self
                .partitions
                .get(p as usize)
                .and_then(|e| e.in_flight.iter().copied().min());
            if first.is_some_and(|f| f != batch.base_sequence) {
                return DrainDecision::Stop;
            }
            return DrainDecision::Take;
        }
        let stale = self
            .partitions
            .get(p as usize)
            .is_none_or(|e| e.producer_id != Some(current));
        if stale && self.has_in_flight(p) {
            // A batch of the new epoch with sequence 0 must not overtake batches of the old one.
            return DrainDecision::Stop;
        }
        if self.is_unresolved(p) {
            // What became of the expired batches is unknown until the partition is drained.
            return DrainDecision::Stop;
        }
        let e = self.entry(p);
        if stale {
            // `maybeUpdateProducerIdAndEpoch`: the partition's sequences start at 0 again.
            *e = PartitionEntry {
                producer_id: Some(current),
                ..PartitionEntry::new()
            };
        }
        batch.base_sequence = e.next_sequence;
        batch.producer_id = current.0;
        batch.producer_epoch = current.1;
        batch.is_transactional = transactional;
        e.next_sequence = increment_sequence(e.next_sequence, batch.records.len() as i32);
        e.in_flight.push(batch.base_sequence);
        DrainDecision::Take
    }

    /// `handleCompletedBatch`.
    pub(super) fn on_completed(&mut self, b: &ProducerBatch) {
        self.remove_in_flight(b.partition, b.base_sequence);
        if b.base_sequence >= 0 {
            let e = self.entry(b.partition);
            e.last_acked = e
                .last_acked
                .max(b.base_sequence + b.records.len() as i32 - 1);
        }
    }

    pub(super) fn remove_in_flight(&mut self, p: PartitionIdx, seq: i32) {
        if let Some(e) = self.partitions.get_mut(p as usize) {
            e.in_flight.retain(|&s| s != seq);
        }
    }

    /// `markSequenceUnresolved`: a batch that had been sent expired; its fate on the broker is
    /// unknown.
    pub(super) fn mark_unresolved(&mut self, b: &ProducerBatch) {
        if !b.has_sequence() {
            return;
        }
        let next = increment_sequence(b.base_sequence, b.records.len() as i32);
        match self.unresolved.iter_mut().find(|(q, _)| *q == b.partition) {
            Some((_, s)) => *s = (*s).max(next),
            None => self.unresolved.push((b.partition, next)),
        }
    }

    /// `requestEpochBumpForPartition`.
    pub(super) fn request_epoch_bump(&mut self, p: PartitionIdx) {
        self.epoch_bump_required = true;
        if !self.to_rewrite.contains(&p) {
            self.to_rewrite.push(p);
        }
    }

    /// `maybeResolveSequences`: an unresolved partition with nothing in flight is resolved if the
    /// last acknowledged sequence shows its batches landed after all; otherwise it needs a bump.
    pub(super) fn maybe_resolve_sequences(&mut self) {
        let unresolved = std::mem::take(&mut self.unresolved);
        for (p, next) in unresolved {
            if self.has_in_flight(p) {
                self.unresolved.push((p, next));
                continue;
            }
            let next_sequence = self
                .partitions
                .get(p as usize)
                .map_or(0, |e| e.next_sequence);
            if !self.is_next_sequence(p, next_sequence) {
                self.request_epoch_bump(p);
            }
        }
    }

    /// `bumpIdempotentProducerEpoch`, if one was asked for: the epoch goes up by one (or, at
    /// `Short.MAX_VALUE`, the producer id is dropped so that InitProducerId gets a new one), and
    /// the partitions that asked restart their sequences. The caller renumbers those partitions'
    /// drained batches (`restart_sequences`).
    pub(super) fn maybe_bump_epoch(&mut self) -> Option<EpochBump> {
        if !self.epoch_bump_required {
            return None;
        }
        let (pid, epoch) = self.producer_id?;
        self.epoch_bump_required = false;
        let partitions = std::mem::take(&mut self.to_rewrite);
        self.unresolved.retain(|(p, _)| !partitions.contains(p));
        if epoch == i16::MAX {
            // `resetIdempotentProducerId`: a new producer id starts everything afresh.
            self.producer_id = None;
            return Some(EpochBump {
                producer_id: pid,
                epoch: None,
                partitions,
            });
        }
        self.producer_id = Some((pid, epoch + 1));
        Some(EpochBump {
            producer_id: pid,
            epoch: Some(epoch + 1),
            partitions,
        })
    }

    /// `startSequencesAtBeginning`: a partition's drained batches (`batches`, sorted by their old
    /// sequence) get sequences from 0 under the current epoch.
    pub(super) fn restart_sequences(
        &mut self,
        p: PartitionIdx,
        batches: &mut [&mut ProducerBatch],
    ) {
        let Some(current) = self.producer_id else {
            return;
        };
        let mut seq = 0;
        let mut in_flight = Vec::with_capacity(batches.len());
        for b in batches.iter_mut() {
            b.sequence_reset = true;
            b.producer_id = current.0;
            b.producer_epoch = current.1;
            b.base_sequence = seq;
            in_flight.push(seq);
            seq = increment_sequence(seq, b.records.len() as i32);
        }
        *self.entry(p) = PartitionEntry {
            producer_id: Some(current),
            next_sequence: seq,
            in_flight,
            last_acked: -1,
        };
    }
}
