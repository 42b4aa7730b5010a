//! A record batch as the log stores it: Kafka's v2 batch header plus compact records.

use serde::{Deserialize, Serialize};

use super::compression::Compression;
use super::record::{RecordMeta, TypedRecord};
use crate::ground::Millis;

/// `ControlRecordType`: the marker a control batch carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum ControlType {
    Abort = 0,
    Commit = 1,
}

/// Where a batch came from, for the delivery audit. Not part of Kafka's wire format: the
/// simulation keeps it so that a retried batch appended twice is recognised as the same records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BatchOrigin {
    /// Index of the producing client in the simulation.
    pub producer: u32,
    /// The producer's own running number of the batch's first record in this partition.
    pub first_record: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RecordBatch {
    /// Offset of the first record; assigned by the leader on append.
    pub base_offset: i64,
    pub partition_leader_epoch: i32,
    pub first_timestamp: Millis,
    pub max_timestamp: Millis,
    /// `-1` when the producer is not idempotent.
    pub producer_id: i64,
    pub producer_epoch: i16,
    /// `-1` when the producer is not idempotent.
    pub base_sequence: i32,
    pub is_transactional: bool,
    /// `Some` for a control batch (a transaction marker); it holds one control record.
    pub control: Option<ControlType>,
    /// Batch size in bytes, header included: on the wire and on disk, so compressed when
    /// `compression` is a codec.
    pub size_bytes: u32,
    /// The codec the records are compressed with (`compression.type`).
    pub compression: Compression,
    /// What `size_bytes` would be uncompressed: the bytes a codec's CPU cost applies to.
    pub uncompressed_bytes: u32,
    pub records: Vec<RecordMeta>,
    /// Records whose value or headers were typed by a user.
    pub typed: Vec<TypedRecord>,
    pub origin: Option<BatchOrigin>,
    /// Set by the log cleaner on a batch holding tombstones the first time it cleans it: the
    /// tombstones go at a cleaning after this time (KIP-534's delete horizon).
    pub delete_horizon_ms: Option<Millis>,
}

impl RecordBatch {
    /// Records in the batch; a control batch holds exactly one (the marker).
    pub fn record_count(&self) -> u32 {
        if self.control.is_some() {
            1
        } else {
            self.records.len() as u32
        }
    }

    pub fn last_offset(&self) -> i64 {
        self.base_offset + self.record_count() as i64 - 1
    }

    pub fn next_offset(&self) -> i64 {
        self.base_offset + self.record_count() as i64
    }

    /// What keeping this batch costs the engine in memory, in bytes: the struct, its records
    /// and what users typed into them. The playground's memory bound (`sim.log.memory.bytes`)
    /// counts these, not `size_bytes` (Kafka's on-disk size), since a one-record batch of
    /// 100 bytes on disk costs about twice that here and a 500-record batch far less.
    pub fn memory_bytes(&self) -> u64 {
        std::mem::size_of::<Self>() as u64 + self.heap_bytes()
    }

    /// The part of `memory_bytes` outside the struct itself (its records and typed values).
    /// Lengths, not capacities: a copy of the log (a timeline checkpoint) has no allocator slack,
    /// and the memory bound must evict the same segments in the copy as in the original.
    pub fn heap_bytes(&self) -> u64 {
        let typed: usize = self
            .typed
            .iter()
            .map(|t| {
                std::mem::size_of::<TypedRecord>()
                    + t.value.as_ref().map_or(0, String::len)
                    + t.headers
                        .iter()
                        .map(|h| std::mem::size_of_val(h) + h.key.len() + h.value.len())
                        .sum::<usize>()
            })
            .sum();
        (self.records.len() * std::mem::size_of::<RecordMeta>() + typed) as u64
    }

    pub fn last_sequence(&self) -> i32 {
        if self.base_sequence < 0 {
            -1
        } else {
            increment_sequence(self.base_sequence, self.record_count() as i32 - 1)
        }
    }
}

/// Sequence numbers wrap to 0 after `Integer.MAX_VALUE` (`DefaultRecordBatch.incrementSequence`).
pub fn increment_sequence(sequence: i32, increment: i32) -> i32 {
    if sequence > i32::MAX - increment {
        increment - (i32::MAX - sequence) - 1
    } else {
        sequence + increment
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequences_wrap_after_integer_max_value() {
        assert_eq!(increment_sequence(5, 3), 8);
        assert_eq!(increment_sequence(i32::MAX, 1), 0);
        assert_eq!(increment_sequence(i32::MAX - 1, 3), 1);
    }
}
