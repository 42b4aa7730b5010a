//! A log segment: a run of batches starting at a base offset, with a sparse offset index.
//!
//! As in Kafka, the index gets one entry (relative offset -> batch position) every
//! `index.interval.bytes` of appended data, and a lookup is a floor search in the index followed
//! by a short forward scan.
//!
//! Batches are shared (`Arc`): a batch never changes once appended, so a copy of the log (a
//! timeline checkpoint) and a follower's replica hold the leader's batches, not copies of them.

use std::sync::Arc;

use super::RecordBatch;
use crate::ground::Millis;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct IndexEntry {
    relative_offset: u32,
    position: u32,
}

#[derive(Clone, Debug)]
pub struct Segment {
    pub base_offset: i64,
    pub created_at: Millis,
    batches: Vec<Arc<RecordBatch>>,
    index: Vec<IndexEntry>,
    bytes_since_index_entry: u32,
    size_bytes: u64,
    /// Engine memory the batches take outside the segment's own vector
    /// (`RecordBatch::heap_bytes`).
    heap_bytes: u64,
    records: u64,
    max_timestamp: Millis,
}

impl Segment {
    pub fn new(base_offset: i64, created_at: Millis) -> Self {
        Segment {
            base_offset,
            created_at,
            batches: Vec::new(),
            index: Vec::new(),
            bytes_since_index_entry: 0,
            size_bytes: 0,
            heap_bytes: 0,
            records: 0,
            max_timestamp: 0,
        }
    }

    pub fn append(&mut self, batch: RecordBatch, index_interval_bytes: u32) {
        self.append_shared(Arc::new(batch), index_interval_bytes);
    }

    /// Appends a batch another log holds too (a follower's copy of its leader's).
    pub fn append_shared(&mut self, batch: Arc<RecordBatch>, index_interval_bytes: u32) {
        if self.bytes_since_index_entry >= index_interval_bytes || self.index.is_empty() {
            self.index.push(IndexEntry {
                relative_offset: (batch.base_offset - self.base_offset) as u32,
                position: self.batches.len() as u32,
            });
            self.bytes_since_index_entry = 0;
        }
        self.bytes_since_index_entry += batch.size_bytes;
        self.size_bytes += batch.size_bytes as u64;
        self.heap_bytes += batch.heap_bytes();
        self.records += batch.record_count() as u64;
        self.max_timestamp = self.max_timestamp.max(batch.max_timestamp);
        self.batches.push(batch);
    }

    /// Position of the batch that holds `offset`, or of the first batch after it (offsets inside
    /// a segment can have gaps after compaction).
    pub fn position_of(&self, offset: i64) -> usize {
        let rel = (offset - self.base_offset).max(0) as u32;
        let start = match self.index.partition_point(|e| e.relative_offset <= rel) {
            0 => 0,
            i => self.index[i - 1].position as usize,
        };
        start + self.batches[start..].partition_point(|b| b.last_offset() < offset)
    }

    /// Replaces the batches with the cleaner's rewrite of them, rebuilding index and totals.
    pub fn replace_batches(
        &mut self,
        batches: impl IntoIterator<Item = Arc<RecordBatch>>,
        index_interval_bytes: u32,
    ) {
        *self = Segment::new(self.base_offset, self.created_at);
        for b in batches {
            self.append_shared(b, index_interval_bytes);
        }
    }

    pub fn batches(&self) -> &[Arc<RecordBatch>] {
        &self.batches
    }

    pub fn size_bytes(&self) -> u64 {
        self.size_bytes
    }

    pub fn records(&self) -> u64 {
        self.records
    }

    /// Engine memory of the batches and the offset index, by length (see
    /// `RecordBatch::heap_bytes`: a copy must count the same as its original).
    pub fn memory_bytes(&self) -> u64 {
        self.heap_bytes
            + (self.batches.len() * std::mem::size_of::<RecordBatch>()
                + self.index.len() * std::mem::size_of::<IndexEntry>()) as u64
    }

    pub fn max_timestamp(&self) -> Millis {
        self.max_timestamp
    }

    pub fn index_entries(&self) -> usize {
        self.index.len()
    }

    /// Offset after the last batch (the base offset when empty).
    pub fn next_offset(&self) -> i64 {
        self.batches
            .last()
            .map_or(self.base_offset, |b| b.next_offset())
    }

    /// Removes every batch at or after `offset` (used when a replica truncates its log).
    pub fn truncate_to(&mut self, offset: i64) {
        let keep = self.position_of(offset);
        for b in self.batches.drain(keep..) {
            self.size_bytes -= b.size_bytes as u64;
            self.heap_bytes -= b.heap_bytes();
            self.records -= b.record_count() as u64;
        }
        self.index.retain(|e| (e.position as usize) < keep);
        self.max_timestamp = self
            .batches
            .iter()
            .map(|b| b.max_timestamp)
            .max()
            .unwrap_or(0);
    }
}
