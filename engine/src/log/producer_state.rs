//! Broker-side idempotence state: what the partition leader remembers about each producer id.
//!
//! Follows `ProducerStateEntry` / `ProducerAppendInfo` (KIP-98): per producer id the current
//! epoch and the metadata of the last five appended batches (`NUM_BATCHES_TO_RETAIN`). A retried
//! batch whose sequence range matches a cached one is a duplicate and is answered with the original
//! offsets instead of being appended again; anything else must continue the sequence exactly.

use std::collections::{BTreeMap, VecDeque};

use super::batch::increment_sequence;
use crate::ground::ErrorCode;

pub const NUM_BATCHES_TO_RETAIN: usize = 5;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchMetadata {
    pub first_seq: i32,
    pub last_seq: i32,
    pub first_offset: i64,
}

#[derive(Clone, Debug, Default)]
pub struct ProducerStateEntry {
    pub epoch: i16,
    pub batches: VecDeque<BatchMetadata>,
    /// First offset of the producer's open transaction in this partition, if any.
    pub current_txn_first_offset: Option<i64>,
}

impl ProducerStateEntry {
    pub fn last_seq(&self) -> Option<i32> {
        self.batches.back().map(|b| b.last_seq)
    }
}

/// What the leader decides about an incoming idempotent batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SequenceCheck {
    /// Append it.
    Append,
    /// Already in the log: answer with the original base offset.
    Duplicate { base_offset: i64 },
}

#[derive(Clone, Debug, Default)]
pub struct ProducerStateManager {
    producers: BTreeMap<i64, ProducerStateEntry>,
}

impl ProducerStateManager {
    pub fn get(&self, producer_id: i64) -> Option<&ProducerStateEntry> {
        self.producers.get(&producer_id)
    }

    pub fn get_mut(&mut self, producer_id: i64) -> Option<&mut ProducerStateEntry> {
        self.producers.get_mut(&producer_id)
    }

    pub fn len(&self) -> usize {
        self.producers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.producers.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&i64, &ProducerStateEntry)> {
        self.producers.iter()
    }

    /// Validates a client batch against the producer's state (`analyzeAndValidateProducerState`).
    pub fn check(
        &self,
        producer_id: i64,
        epoch: i16,
        first_seq: i32,
        last_seq: i32,
    ) -> Result<SequenceCheck, ErrorCode> {
        let Some(entry) = self.producers.get(&producer_id) else {
            // No state for this producer id (new, expired or truncated away): accept.
            return Ok(SequenceCheck::Append);
        };
        if epoch < entry.epoch {
            return Err(ErrorCode::InvalidProducerEpoch);
        }
        if epoch == entry.epoch {
            if let Some(dup) = entry
                .batches
                .iter()
                .find(|b| b.first_seq == first_seq && b.last_seq == last_seq)
            {
                return Ok(SequenceCheck::Duplicate {
                    base_offset: dup.first_offset,
                });
            }
        }
        if epoch > entry.epoch {
            if first_seq != 0 && entry.last_seq().is_some() {
                return Err(ErrorCode::OutOfOrderSequenceNumber);
            }
        } else if let Some(last) = entry.last_seq() {
            if first_seq != increment_sequence(last, 1) {
                return Err(ErrorCode::OutOfOrderSequenceNumber);
            }
        }
        Ok(SequenceCheck::Append)
    }

    /// Records an appended batch.
    pub fn update(&mut self, producer_id: i64, epoch: i16, meta: BatchMetadata) {
        let entry = self.producers.entry(producer_id).or_default();
        if epoch != entry.epoch {
            entry.epoch = epoch;
            entry.batches.clear();
        }
        if entry.batches.len() == NUM_BATCHES_TO_RETAIN {
            entry.batches.pop_front();
        }
        entry.batches.push_back(meta);
    }

    /// Records a new epoch without a batch (a transaction marker written with a bumped epoch).
    pub fn bump_epoch(&mut self, producer_id: i64, epoch: i16) {
        let entry = self.producers.entry(producer_id).or_default();
        if epoch > entry.epoch {
            entry.epoch = epoch;
            entry.batches.clear();
        }
    }

    pub fn clear(&mut self) {
        self.producers.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(first_seq: i32, last_seq: i32, first_offset: i64) -> BatchMetadata {
        BatchMetadata {
            first_seq,
            last_seq,
            first_offset,
        }
    }

    /// KIP-98: a retried batch with the same sequence range is answered with its first offsets.
    #[test]
    fn retried_batch_is_a_duplicate_with_its_original_offset() {
        let mut s = ProducerStateManager::default();
        s.update(1, 0, meta(0, 9, 100));
        assert_eq!(
            s.check(1, 0, 0, 9),
            Ok(SequenceCheck::Duplicate { base_offset: 100 })
        );
        assert_eq!(s.check(1, 0, 10, 19), Ok(SequenceCheck::Append));
    }

    #[test]
    fn a_gap_in_sequences_is_out_of_order() {
        let mut s = ProducerStateManager::default();
        s.update(1, 0, meta(0, 9, 0));
        assert_eq!(
            s.check(1, 0, 20, 29),
            Err(ErrorCode::OutOfOrderSequenceNumber)
        );
    }

    #[test]
    fn only_the_last_five_batches_are_remembered() {
        let mut s = ProducerStateManager::default();
        for i in 0..6 {
            s.update(1, 0, meta(i * 10, i * 10 + 9, i as i64 * 10));
        }
        // The first batch fell out of the cache: not recognised as a duplicate any more.
        assert_eq!(
            s.check(1, 0, 0, 9),
            Err(ErrorCode::OutOfOrderSequenceNumber)
        );
        assert_eq!(
            s.check(1, 0, 10, 19),
            Ok(SequenceCheck::Duplicate { base_offset: 10 })
        );
    }

    #[test]
    fn an_older_epoch_is_fenced_and_a_newer_one_must_start_at_zero() {
        let mut s = ProducerStateManager::default();
        s.update(1, 3, meta(0, 4, 0));
        assert_eq!(s.check(1, 2, 5, 9), Err(ErrorCode::InvalidProducerEpoch));
        assert_eq!(
            s.check(1, 4, 5, 9),
            Err(ErrorCode::OutOfOrderSequenceNumber)
        );
        assert_eq!(s.check(1, 4, 0, 4), Ok(SequenceCheck::Append));
    }

    #[test]
    fn unknown_producer_id_accepts_any_sequence() {
        let s = ProducerStateManager::default();
        assert_eq!(s.check(9, 0, 42, 50), Ok(SequenceCheck::Append));
    }
}
