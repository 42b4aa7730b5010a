//! One replica's log of a partition: segments keyed by base offset, the active one last.
//!
//! Words as in Kafka's `UnifiedLog`: the log start offset is the first offset still kept, the log
//! end offset (LEO) the offset the next record will get. Offsets are never reused or renumbered.
//!
//! Simplification: the log lives in memory, so it is bounded by `max_records` (a simulation
//! setting, not a Kafka one). When a partition holds more, its oldest closed segments are deleted
//! and the log start offset moves, exactly as `retention.bytes` would do it; to make that possible
//! the active segment also rolls once it holds a quarter of the bound.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::producer_state::{BatchMetadata, ProducerStateManager};
use super::{ControlType, RecordBatch, Segment};
use crate::sim::Millis;

/// What the producer state needs from a batch header.
#[derive(Clone, Copy, Debug)]
struct BatchHeader {
    pid: i64,
    epoch: i16,
    first_seq: i32,
    last_seq: i32,
    transactional: bool,
    control: Option<ControlType>,
}

impl BatchHeader {
    fn of(b: &RecordBatch) -> Self {
        BatchHeader {
            pid: b.producer_id,
            epoch: b.producer_epoch,
            first_seq: b.base_sequence,
            last_seq: b.last_sequence(),
            transactional: b.is_transactional,
            control: b.control,
        }
    }
}

/// One aborted transaction in a partition (`AbortedTxn`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AbortedTxn {
    pub producer_id: i64,
    pub first_offset: i64,
    pub last_offset: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogConfig {
    /// `segment.bytes`: roll the active segment when it reaches this size.
    pub segment_bytes: u64,
    /// `segment.ms`: roll the active segment when it is this old.
    pub segment_ms: u64,
    /// `index.interval.bytes`: bytes between two offset index entries.
    pub index_interval_bytes: u32,
    /// In-memory bound on records kept per partition (simulation setting).
    pub max_records: u64,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            segment_bytes: 1 << 30,
            segment_ms: 7 * 24 * 3600 * 1000,
            index_interval_bytes: 4096,
            max_records: 1 << 16,
        }
    }
}

#[derive(Clone, Debug)]
pub struct PartitionLog {
    /// The aborted transaction index (`.txnindex`): which producer's records in which offset
    /// range a read_committed consumer must drop. Rebuilt by every replica from the markers.
    pub aborted_txns: Vec<AbortedTxn>,
    pub config: LogConfig,
    segments: BTreeMap<i64, Segment>,
    log_start_offset: i64,
    log_end_offset: i64,
    records: u64,
    size_bytes: u64,
    pub producer_state: ProducerStateManager,
}

impl PartitionLog {
    pub fn new(config: LogConfig, now: Millis) -> Self {
        let mut segments = BTreeMap::new();
        segments.insert(0, Segment::new(0, now));
        PartitionLog {
            config,
            segments,
            log_start_offset: 0,
            log_end_offset: 0,
            records: 0,
            size_bytes: 0,
            producer_state: ProducerStateManager::default(),
            aborted_txns: Vec::new(),
        }
    }

    pub fn log_start_offset(&self) -> i64 {
        self.log_start_offset
    }

    pub fn log_end_offset(&self) -> i64 {
        self.log_end_offset
    }

    /// Records currently kept (between log start and log end, minus any compacted away).
    pub fn records(&self) -> u64 {
        self.records
    }

    pub fn size_bytes(&self) -> u64 {
        self.size_bytes
    }

    pub fn segments(&self) -> impl Iterator<Item = &Segment> {
        self.segments.values()
    }

    pub fn segment_count(&self) -> usize {
        self.segments.len()
    }

    fn active(&mut self) -> &mut Segment {
        self.segments
            .values_mut()
            .next_back()
            .expect("a log always has an active segment")
    }

    fn should_roll(&self, incoming_bytes: u32, now: Millis) -> bool {
        let active = self.segments.values().next_back().expect("active segment");
        if active.batches().is_empty() {
            return false;
        }
        active.size_bytes() + incoming_bytes as u64 > self.config.segment_bytes
            || now.saturating_sub(active.created_at) >= self.config.segment_ms
            || active.records() * 4 >= self.config.max_records
    }

    /// Closes the active segment and opens a new one at the log end offset.
    pub fn roll(&mut self, now: Millis) {
        let leo = self.log_end_offset;
        self.segments.insert(leo, Segment::new(leo, now));
    }

    /// Appends a batch at the log end offset (the leader assigns `base_offset`) and returns it.
    pub fn append(&mut self, mut batch: RecordBatch, now: Millis) -> i64 {
        if self.should_roll(batch.size_bytes, now) {
            self.roll(now);
        }
        let base = self.log_end_offset;
        batch.base_offset = base;
        self.log_end_offset = batch.next_offset();
        self.records += batch.record_count() as u64;
        self.size_bytes += batch.size_bytes as u64;
        let interval = self.config.index_interval_bytes;
        self.active().append(batch, interval);
        self.enforce_memory_bound();
        base
    }

    fn enforce_memory_bound(&mut self) {
        while self.records > self.config.max_records && self.segments.len() > 1 {
            let (&base, _) = self.segments.iter().next().expect("non-empty");
            self.delete_segment(base);
        }
    }

    fn delete_segment(&mut self, base: i64) {
        if let Some(seg) = self.segments.remove(&base) {
            self.records -= seg.records();
            self.size_bytes -= seg.size_bytes();
            let next = self
                .segments
                .keys()
                .next()
                .copied()
                .unwrap_or(self.log_end_offset);
            self.log_start_offset = self.log_start_offset.max(next);
        }
    }

    /// Appends a batch and keeps the producer state and the transaction index up to date: what a
    /// leader does after validating a client batch, and what a follower does with every batch it
    /// replicates (so that a new leader dedupes retries and knows open transactions too).
    pub fn append_tracked(&mut self, batch: RecordBatch, now: Millis) -> i64 {
        let header = BatchHeader::of(&batch);
        let base = self.append(batch, now);
        self.track(header, base);
        let start = self.log_start_offset;
        self.aborted_txns.retain(|a| a.last_offset >= start);
        base
    }

    /// Rebuilds the producer state and the aborted index from the batches kept, as a broker does
    /// after truncating its log (`UnifiedLog.rebuildProducerState`).
    fn rebuild_producer_state(&mut self) {
        self.producer_state.clear();
        self.aborted_txns.clear();
        let headers: Vec<(BatchHeader, i64)> = self
            .batches_from(self.log_start_offset)
            .map(|b| (BatchHeader::of(b), b.base_offset))
            .collect();
        for (h, base) in headers {
            self.track(h, base);
        }
    }

    /// Updates the producer state and the aborted index for a batch appended at `base`.
    fn track(&mut self, h: BatchHeader, base: i64) {
        let BatchHeader {
            pid,
            epoch,
            first_seq,
            last_seq,
            transactional,
            control,
        } = h;
        if pid < 0 {
            return;
        }
        let first_txn_offset = self
            .producer_state
            .get(pid)
            .and_then(|e| e.current_txn_first_offset);
        match control {
            Some(ct) => {
                // A transaction marker closes the producer's transaction in this partition.
                self.producer_state.bump_epoch(pid, epoch);
                if let Some(e) = self.producer_state.get_mut(pid) {
                    e.current_txn_first_offset = None;
                }
                if ct == ControlType::Abort {
                    if let Some(first) = first_txn_offset {
                        self.aborted_txns.push(AbortedTxn {
                            producer_id: pid,
                            first_offset: first,
                            last_offset: base,
                        });
                    }
                }
            }
            None => {
                self.producer_state.update(
                    pid,
                    epoch,
                    BatchMetadata {
                        first_seq,
                        last_seq,
                        first_offset: base,
                    },
                );
                if transactional {
                    if let Some(e) = self.producer_state.get_mut(pid) {
                        e.current_txn_first_offset.get_or_insert(base);
                    }
                }
            }
        }
    }

    /// Whether a read_committed consumer drops this producer's record at `offset`.
    pub fn is_aborted(&self, producer_id: i64, offset: i64) -> bool {
        self.aborted_txns.iter().any(|a| {
            a.producer_id == producer_id && a.first_offset <= offset && offset <= a.last_offset
        })
    }

    /// The first offset of the earliest open transaction, if any.
    pub fn first_open_txn_offset(&self) -> Option<i64> {
        self.producer_state
            .iter()
            .filter_map(|(_, e)| e.current_txn_first_offset)
            .min()
    }

    /// Deletes whole segments entirely below `offset` (never the active one) and moves the log
    /// start offset; returns how many were deleted.
    pub fn delete_segments_before(&mut self, offset: i64) -> usize {
        let mut deleted = 0;
        loop {
            let mut it = self.segments.iter();
            let (Some((&base, seg)), Some(_)) = (it.next(), it.next()) else {
                break;
            };
            if seg.next_offset() > offset {
                break;
            }
            self.delete_segment(base);
            deleted += 1;
        }
        deleted
    }

    /// Removes everything at or after `offset` (a follower truncating to its leader).
    pub fn truncate_to(&mut self, offset: i64, now: Millis) {
        if offset >= self.log_end_offset {
            return;
        }
        let doomed: Vec<i64> = self.segments.range(offset..).map(|(&b, _)| b).collect();
        for base in doomed {
            if base >= offset {
                if let Some(seg) = self.segments.remove(&base) {
                    self.records -= seg.records();
                    self.size_bytes -= seg.size_bytes();
                }
            }
        }
        if let Some((_, seg)) = self.segments.range_mut(..offset).next_back() {
            let before = (seg.records(), seg.size_bytes());
            seg.truncate_to(offset);
            self.records -= before.0 - seg.records();
            self.size_bytes -= before.1 - seg.size_bytes();
        }
        self.log_end_offset = offset.max(self.log_start_offset);
        if self.segments.is_empty() {
            self.segments
                .insert(self.log_end_offset, Segment::new(self.log_end_offset, now));
        }
        self.rebuild_producer_state();
    }

    /// Drops everything and starts empty at `offset` (`truncateFullyAndStartAt`): what a
    /// follower does when the leader no longer has the offset it would fetch from.
    pub fn reset_to(&mut self, offset: i64, now: Millis) {
        self.segments.clear();
        self.segments.insert(offset, Segment::new(offset, now));
        self.log_start_offset = offset;
        self.log_end_offset = offset;
        self.records = 0;
        self.size_bytes = 0;
        self.producer_state.clear();
        self.aborted_txns.clear();
    }

    /// Batches that hold offsets `from..`, in offset order, starting with the one containing
    /// `from` (or the first after it).
    pub fn batches_from(&self, from: i64) -> impl Iterator<Item = &RecordBatch> {
        let from = from.max(self.log_start_offset);
        let first_base = self
            .segments
            .range(..=from)
            .next_back()
            .map_or(from, |(&b, _)| b);
        let mut first = true;
        self.segments.range(first_base..).flat_map(move |(_, seg)| {
            let start = if first { seg.position_of(from) } else { 0 };
            first = false;
            seg.batches()[start..].iter()
        })
    }

    /// The newest batch, if the log holds any.
    pub fn last_batch(&self) -> Option<&RecordBatch> {
        self.segments
            .values()
            .rev()
            .find_map(|s| s.batches().last())
    }

    /// The batch holding `offset`, if it is still in the log.
    pub fn batch_at(&self, offset: i64) -> Option<&RecordBatch> {
        self.batches_from(offset)
            .next()
            .filter(|b| b.base_offset <= offset && offset <= b.last_offset())
    }

    /// First offset whose batch has a max timestamp at or after `ts` (`ListOffsets` by time).
    pub fn offset_for_timestamp(&self, ts: Millis) -> Option<i64> {
        self.batches_from(self.log_start_offset)
            .find(|b| b.max_timestamp >= ts)
            .map(|b| b.base_offset.max(self.log_start_offset))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::RecordMeta;

    fn batch(records: u32) -> RecordBatch {
        RecordBatch {
            base_offset: 0,
            partition_leader_epoch: 0,
            first_timestamp: 0,
            max_timestamp: 0,
            producer_id: -1,
            producer_epoch: -1,
            base_sequence: -1,
            is_transactional: false,
            control: None,
            size_bytes: 61 + records * 100,
            records: vec![
                RecordMeta {
                    key: 0,
                    ts_delta: 0,
                    value_len: 90
                };
                records as usize
            ],
            typed: Vec::new(),
            origin: None,
        }
    }

    #[test]
    fn append_assigns_consecutive_offsets_without_gaps() {
        let mut log = PartitionLog::new(LogConfig::default(), 0);
        assert_eq!(log.append(batch(3), 0), 0);
        assert_eq!(log.append(batch(2), 0), 3);
        assert_eq!(log.log_end_offset(), 5);
        let bases: Vec<i64> = log.batches_from(0).map(|b| b.base_offset).collect();
        assert_eq!(bases, vec![0, 3]);
        assert_eq!(log.batch_at(4).map(|b| b.base_offset), Some(3));
    }

    #[test]
    fn segments_roll_by_size_and_lookups_cross_them() {
        let cfg = LogConfig {
            segment_bytes: 1000,
            ..LogConfig::default()
        };
        let mut log = PartitionLog::new(cfg, 0);
        for _ in 0..10 {
            log.append(batch(4), 0); // 461 bytes each: two per segment
        }
        assert_eq!(log.segment_count(), 5);
        assert_eq!(log.batch_at(21).map(|b| b.base_offset), Some(20));
        let bases: Vec<i64> = log.batches_from(9).map(|b| b.base_offset).collect();
        assert_eq!(bases, vec![8, 12, 16, 20, 24, 28, 32, 36]);
    }

    #[test]
    fn memory_bound_deletes_oldest_segments_and_moves_log_start() {
        let cfg = LogConfig {
            max_records: 40,
            ..LogConfig::default()
        };
        let mut log = PartitionLog::new(cfg, 0);
        for _ in 0..100 {
            log.append(batch(5), 0);
        }
        assert!(log.records() <= 40, "{}", log.records());
        assert!(log.log_start_offset() > 0);
        assert_eq!(log.log_end_offset(), 500);
        assert_eq!(
            log.batches_from(0).next().map(|b| b.base_offset),
            Some(log.log_start_offset())
        );
    }

    #[test]
    fn truncate_at_segment_boundary_removes_segments() {
        let cfg = LogConfig {
            segment_bytes: 1000,
            ..LogConfig::default()
        };
        let mut log = PartitionLog::new(cfg, 0);
        for _ in 0..6 {
            log.append(batch(4), 0);
        }
        log.truncate_to(8, 0);
        assert_eq!(log.log_end_offset(), 8);
        assert_eq!(log.records(), 8);
        assert_eq!(log.append(batch(1), 0), 8);
    }

    #[test]
    fn truncate_inside_a_segment_keeps_the_earlier_batches() {
        let mut log = PartitionLog::new(LogConfig::default(), 0);
        for _ in 0..5 {
            log.append(batch(2), 0);
        }
        log.truncate_to(6, 0);
        assert_eq!(log.log_end_offset(), 6);
        assert_eq!(log.records(), 6);
    }
}
