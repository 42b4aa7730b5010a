//! One replica's log of a partition: segments keyed by base offset, the active one last.
//!
//! Words as in Kafka's `UnifiedLog`: the log start offset is the first offset still kept, the log
//! end offset (LEO) the offset the next record will get. Offsets are never reused or renumbered.
//!
//! Simplification: the log lives in memory, so each replica's log is bounded by its share of the
//! playground's memory (`sim.log.memory.bytes`, not a Kafka setting), counted in bytes of engine
//! memory rather than records, so that the bound holds whatever the batch size. When a log
//! would take more, a compacted topic's cleaner runs first; then its oldest closed segments are
//! deleted and the log start offset moves, as `retention.bytes` would do it, and the log counts
//! what the bound removed so that nobody mistakes it for retention. To make that possible the
//! active segment rolls once it takes a quarter of the bound.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

mod cleaner;
mod cursor;

pub use cleaner::CleanerStats;
pub use cursor::BatchCursor;

use super::producer_state::{BatchMetadata, ProducerStateManager};
use super::{ControlType, RecordBatch, Segment};
use crate::ground::Millis;

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
    /// This replica's share of the playground's memory bound, in bytes of engine memory
    /// (simulation setting: `sim.log.memory.bytes` split among all partition replicas).
    pub memory_bytes: u64,
    /// For `cleanup.policy=compact`: the cleaner's settings, so that it can run before the
    /// memory bound deletes anything.
    pub compaction: Option<Compaction>,
}

/// The log cleaner settings of a compacted topic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Compaction {
    pub delete_retention_ms: u64,
    pub min_compaction_lag_ms: u64,
}

/// What the playground's memory bound (not retention) removed from a log.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Evicted {
    pub records: u64,
    pub segments: u64,
    /// Everything below this offset that is gone was removed by the bound or by retention.
    pub up_to: i64,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            segment_bytes: 1 << 30,
            segment_ms: 7 * 24 * 3600 * 1000,
            index_interval_bytes: 4096,
            memory_bytes: 8 << 20,
            compaction: None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct PartitionLog {
    /// The leader epoch cache (`LeaderEpochFileCache`): each leader epoch with the first offset
    /// written in it, oldest first. Replicas compare these to find where their logs diverge.
    pub epochs: Vec<(i32, i64)>,
    /// Where the cleaner stopped last time: offsets below are clean (`cleaner-offset-checkpoint`).
    pub clean_offset: i64,
    /// Some offset between the log start and the log end may hold no data record: a marker
    /// was written, a transaction, a replicated gap, or the cleaner removed records.
    sparse: bool,
    /// The aborted transaction index (`.txnindex`): which producer's records in which offset
    /// range a read_committed consumer must drop. Rebuilt by every replica from the markers.
    pub aborted_txns: Vec<AbortedTxn>,
    /// Transactions whose marker is in the log but not yet below the high watermark, as (first
    /// offset, marker offset) (`ProducerStateManager.unreplicatedTxns`): until the marker is
    /// replicated a new leader may not have it, so the transaction is not stable yet.
    unreplicated_txns: Vec<(i64, i64)>,
    pub config: LogConfig,
    segments: BTreeMap<i64, Segment>,
    log_start_offset: i64,
    log_end_offset: i64,
    records: u64,
    size_bytes: u64,
    /// The high watermark as last reported (`onHighWatermarkUpdated`): the cleaner stays below.
    high_watermark: i64,
    pub evicted: Evicted,
    /// Batches the memory bound removed, as (producer, first record number, records), for the
    /// delivery audit to collect (`take_evicted`).
    evicted_origins: Vec<(u32, u64, u32)>,
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
            high_watermark: 0,
            evicted: Evicted::default(),
            evicted_origins: Vec::new(),
            producer_state: ProducerStateManager::default(),
            aborted_txns: Vec::new(),
            unreplicated_txns: Vec::new(),
            epochs: Vec::new(),
            clean_offset: 0,
            sparse: false,
        }
    }

    /// Whether every offset from the log start to the log end is a data record.
    pub fn is_dense(&self) -> bool {
        !self.sparse
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

    /// Engine memory the log's batches take (what the memory bound counts).
    pub fn memory_bytes(&self) -> u64 {
        self.segments.values().map(Segment::memory_bytes).sum()
    }

    /// The batches the memory bound removed since the last call, for the delivery audit.
    pub fn take_evicted(&mut self) -> Vec<(u32, u64, u32)> {
        std::mem::take(&mut self.evicted_origins)
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

    /// `LogSegment.shouldRoll`. For `segment.ms` Kafka measures from the first batch's
    /// timestamp to the incoming batch's (`timeWaitedForRoll`), not from when the segment was
    /// created: a segment opened long before its first record does not roll at once.
    fn should_roll(&self, incoming: &RecordBatch) -> bool {
        let active = self.segments.values().next_back().expect("active segment");
        let Some(first) = active.batches().first() else {
            return false;
        };
        let waited = incoming.max_timestamp.saturating_sub(first.max_timestamp);
        active.size_bytes() + incoming.size_bytes as u64 > self.config.segment_bytes
            || waited > self.config.segment_ms
            || active.memory_bytes() * 4 >= self.config.memory_bytes
    }

    /// Closes the active segment and opens a new one at the log end offset.
    pub fn roll(&mut self, now: Millis) {
        let leo = self.log_end_offset;
        self.segments.insert(leo, Segment::new(leo, now));
    }

    /// Appends a batch at the log end offset (the leader assigns `base_offset`) and returns it.
    pub fn append(&mut self, mut batch: RecordBatch, now: Millis) -> i64 {
        if self.should_roll(&batch) {
            self.roll(now);
        }
        let base = self.log_end_offset;
        batch.base_offset = base;
        self.place(Arc::new(batch), now);
        base
    }

    /// Appends a batch a leader sent, at the offset it has there: after compaction the leader's
    /// log has gaps, which the copy keeps.
    /// The batch is shared with the leader's log unless its offset moves.
    pub fn append_replicated(&mut self, batch: Arc<RecordBatch>, now: Millis) -> i64 {
        if self.should_roll(&batch) {
            self.roll(now);
        }
        let base = batch.base_offset.max(self.log_end_offset);
        let header = BatchHeader::of(&batch);
        let batch = if base == batch.base_offset {
            batch
        } else {
            Arc::new(RecordBatch {
                base_offset: base,
                ..RecordBatch::clone(&batch)
            })
        };
        self.place(batch, now);
        self.track(header, base);
        let start = self.log_start_offset;
        self.aborted_txns.retain(|a| a.last_offset >= start);
        base
    }

    /// Puts a batch whose base offset is set at the end of the active segment.
    fn place(&mut self, batch: Arc<RecordBatch>, now: Millis) {
        self.sparse |= batch.control.is_some()
            || batch.is_transactional
            || batch.base_offset != self.log_end_offset;
        let epoch = batch.partition_leader_epoch;
        if self.epochs.last().is_none_or(|&(e, _)| epoch > e) {
            self.epochs.push((epoch, batch.base_offset));
        }
        self.log_end_offset = batch.next_offset();
        self.records += batch.record_count() as u64;
        self.size_bytes += batch.size_bytes as u64;
        let interval = self.config.index_interval_bytes;
        self.active().append_shared(batch, interval);
        self.enforce_memory_bound(now);
    }

    /// Keeps the log within its share of memory: a compacted log is cleaned first (below the
    /// high watermark and the last stable offset, as the cleaner would); then the oldest closed
    /// segments go, counted as evicted.
    fn enforce_memory_bound(&mut self, now: Millis) {
        let bound = self.config.memory_bytes;
        let mut memory = self.memory_bytes();
        if memory <= bound || self.segments.len() < 2 {
            return;
        }
        if let Some(c) = self.config.compaction {
            let hw = self.high_watermark;
            let stable = self.first_unstable_offset(hw).map_or(hw, |u| u.min(hw));
            let end = self.cleanable_end(now, stable, c.min_compaction_lag_ms);
            if end > self.clean_offset {
                self.clean(now, end, c.delete_retention_ms);
                memory = self.memory_bytes();
            }
        }
        while memory > bound && self.segments.len() > 1 {
            let (&base, seg) = self.segments.iter().next().expect("non-empty");
            memory -= seg.memory_bytes();
            self.evicted.records += seg.records();
            self.evicted.segments += 1;
            for b in seg.batches() {
                if let (Some(o), None) = (b.origin, b.control) {
                    self.evicted_origins
                        .push((o.producer, o.first_record, b.record_count()));
                }
            }
            self.delete_segment(base);
            self.evicted.up_to = self.log_start_offset;
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
            self.clean_offset = self.clean_offset.max(self.log_start_offset);
            // `truncateFromStart`: epochs wholly before the log start go.
            let start = self.log_start_offset;
            while self.epochs.len() > 1 && self.epochs[1].1 <= start {
                self.epochs.remove(0);
            }
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
        self.unreplicated_txns.clear();
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
                if let Some(first) = first_txn_offset {
                    self.unreplicated_txns.push((first, base));
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
    /// `firstUnstableOffset`: the first offset of the oldest transaction that is open, or whose
    /// marker the high watermark `hw` has not passed yet. The last stable offset stays below it.
    pub fn first_unstable_offset(&self, hw: i64) -> Option<i64> {
        let unreplicated = self
            .unreplicated_txns
            .iter()
            .filter(|&&(_, marker)| marker >= hw)
            .map(|&(first, _)| first)
            .min();
        match (self.first_open_txn_offset(), unreplicated) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// `onHighWatermarkUpdated`: transactions whose marker is now below the high watermark are
    /// stable.
    pub fn on_high_watermark_updated(&mut self, hw: i64) {
        self.high_watermark = hw;
        self.unreplicated_txns.retain(|&(_, marker)| marker >= hw);
    }

    pub fn first_open_txn_offset(&self) -> Option<i64> {
        self.producer_state
            .iter()
            .filter_map(|(_, e)| e.current_txn_first_offset)
            .min()
    }

    /// `deleteOldSegments` for `cleanup.policy=delete`, as Kafka's two passes: first
    /// `deleteRetentionSizeBreachedSegments` (oldest segments while the log would still hold
    /// `retention_bytes` without them), then `deleteRetentionMsBreachedSegments` (oldest segments
    /// whose newest record is older than `retention_ms`). Each pass deletes whole segments wholly
    /// below `high_watermark`, from the oldest, and stops at the first that stays; the active
    /// segment goes too when it qualifies (a new one is rolled first). The size pass counts the
    /// log as it is before either pass, so a segment the time pass deletes afterwards never
    /// makes the size pass take one more. Returns (segments deleted by time, by size).
    pub fn delete_retained(
        &mut self,
        now: Millis,
        high_watermark: i64,
        retention_ms: i64,
        retention_bytes: i64,
    ) -> (usize, usize) {
        let mut by_size = 0;
        if retention_bytes >= 0 {
            let mut excess = self.size_bytes as i64 - retention_bytes;
            by_size = self.delete_oldest_while(now, high_watermark, |seg| {
                let fits = excess - seg.size_bytes() as i64 >= 0;
                if fits {
                    excess -= seg.size_bytes() as i64;
                }
                fits
            });
        }
        let mut by_time = 0;
        if retention_ms >= 0 {
            by_time = self.delete_oldest_while(now, high_watermark, |seg| {
                !seg.batches().is_empty()
                    && now.saturating_sub(seg.max_timestamp()) as i64 > retention_ms
            });
        }
        (by_time, by_size)
    }

    /// One retention pass (`deleteOldSegments(predicate, reason)`): deletes segments from the
    /// oldest while `breached` holds and the segment lies wholly below `high_watermark`.
    fn delete_oldest_while(
        &mut self,
        now: Millis,
        high_watermark: i64,
        mut breached: impl FnMut(&Segment) -> bool,
    ) -> usize {
        let mut doomed = Vec::new();
        let bases: Vec<i64> = self.segments.keys().copied().collect();
        for (i, &base) in bases.iter().enumerate() {
            let seg = &self.segments[&base];
            let next_base = bases.get(i + 1).copied().unwrap_or(self.log_end_offset);
            let last = i + 1 == bases.len();
            if high_watermark < next_base || (last && seg.batches().is_empty()) {
                break;
            }
            if !breached(seg) {
                break;
            }
            doomed.push(base);
        }
        if !doomed.is_empty() && doomed.len() == self.segments.len() {
            self.roll(now);
        }
        let n = doomed.len();
        for base in doomed {
            self.delete_segment(base);
        }
        n
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
        let leo = self.log_end_offset;
        self.epochs.retain(|&(_, start)| start < leo);
        self.clean_offset = self.clean_offset.min(leo);
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
        self.unreplicated_txns.clear();
        self.epochs.clear();
        self.clean_offset = offset;
    }

    /// The end offset of `epoch` in this log: where the next epoch starts, or the log end.
    fn epoch_end(&self, i: usize) -> i64 {
        self.epochs
            .get(i + 1)
            .map_or(self.log_end_offset, |&(_, start)| start)
    }

    /// A new leader records its epoch as starting at its log end before it has appended
    /// anything in it (`UnifiedLog.maybeAssignEpochStartOffset` in `Partition.makeLeader`), so
    /// that `OffsetsForLeaderEpoch` for an older epoch ends where the new one began.
    pub fn assign_epoch_start(&mut self, epoch: i32, start: i64) {
        if self.epochs.last().is_none_or(|&(e, _)| epoch > e) {
            self.epochs.push((epoch, start));
        }
    }

    /// `LeaderEpochFileCache.endOffsetFor`: the largest epoch at or below `requested` this log
    /// knows, and the offset where `requested` ends (the start of the next newer epoch, or the
    /// log end if `requested` is the latest). `None` (UNDEFINED_EPOCH_OFFSET) if the log knows no
    /// epoch newer than `requested` and `requested` is not its latest either.
    pub fn end_offset_for_epoch(&self, requested: i32) -> Option<(i32, i64)> {
        if requested < 0 {
            return None;
        }
        if self.epochs.last().is_some_and(|&(e, _)| e == requested) {
            return Some((requested, self.log_end_offset));
        }
        let higher = self.epochs.iter().find(|&&(e, _)| e > requested)?;
        let floor = self.epochs.iter().rev().find(|&&(e, _)| e <= requested);
        Some((floor.map_or(requested, |&(e, _)| e), higher.1))
    }

    /// Where this replica's log stops agreeing with `leader`'s, if it holds anything beyond that
    /// point: the end of the newest leader epoch both have (data of one epoch comes from one
    /// leader, so both logs agree on it up to the shorter end). This is the answer the
    /// `OffsetsForLeaderEpoch` / diverging-epoch exchange (KIP-101, KIP-595) arrives at.
    pub fn divergence_from(&self, leader: &PartitionLog) -> Option<i64> {
        let leo = self.log_end_offset;
        for (i, &(epoch, _)) in self.epochs.iter().enumerate().rev() {
            if let Some(j) = leader.epochs.iter().position(|&(e, _)| e == epoch) {
                let agree = self.epoch_end(i).min(leader.epoch_end(j));
                return (leo > agree).then_some(agree);
            }
        }
        (leo > self.log_start_offset).then_some(self.log_start_offset)
    }

    /// Batches that hold offsets `from..`, in offset order, starting with the one containing
    /// `from` (or the first after it).
    pub fn batches_from(&self, from: i64) -> impl Iterator<Item = &RecordBatch> {
        self.shared_batches_from(from).map(Arc::as_ref)
    }

    /// As [`PartitionLog::batches_from`], the batches themselves, to share (a follower's fetch).
    pub fn shared_batches_from(&self, from: i64) -> impl Iterator<Item = &Arc<RecordBatch>> {
        let (from, segments) = self.segments_from(from);
        let mut first = true;
        segments.flat_map(move |(_, seg)| {
            let start = if first { seg.position_of(from) } else { 0 };
            first = false;
            seg.batches()[start..].iter()
        })
    }

    /// `from`, raised to the log start, and the segments from the one holding it onwards.
    fn segments_from(
        &self,
        from: i64,
    ) -> (i64, std::collections::btree_map::Range<'_, i64, Segment>) {
        let from = from.max(self.log_start_offset);
        let first_base = self
            .segments
            .range(..=from)
            .next_back()
            .map_or(from, |(&b, _)| b);
        (from, self.segments.range(first_base..))
    }

    /// The newest batch, if the log holds any.
    pub fn last_batch(&self) -> Option<&RecordBatch> {
        self.segments
            .values()
            .rev()
            .find_map(|s| s.batches().last().map(Arc::as_ref))
    }

    /// The batch holding `offset`, if it is still in the log.
    pub fn batch_at(&self, offset: i64) -> Option<&RecordBatch> {
        self.batches_from(offset)
            .next()
            .filter(|b| b.base_offset <= offset && offset <= b.last_offset())
    }

    /// First offset whose batch has a max timestamp at or after `ts` (`ListOffsets` by time).
    pub fn offset_for_timestamp(&self, ts: Millis) -> Option<i64> {
        // `fetchOffsetByTimestamp`: the first batch whose max timestamp reaches `ts`, then the
        // first record in it that does (a batch's records need not be in timestamp order).
        self.batches_from(self.log_start_offset)
            .find(|b| b.max_timestamp >= ts)
            .map(|b| {
                let i = b
                    .records
                    .iter()
                    .position(|r| r.timestamp(b.first_timestamp) >= ts)
                    .unwrap_or(0);
                (b.base_offset + i as i64).max(self.log_start_offset)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::RecordMeta;

    pub(super) fn batch(records: u32) -> RecordBatch {
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
            compression: crate::log::Compression::None,
            uncompressed_bytes: 61 + records * 100,
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
            delete_horizon_ms: None,
        }
    }

    /// `UnifiedLog.fetchOffsetByTimestamp` (ListOffsets by timestamp): the first record at or
    /// after the timestamp, not the base offset of its batch.
    #[test]
    fn offset_for_timestamp_is_the_first_record_at_or_after_it() {
        let mut log = PartitionLog::new(LogConfig::default(), 0);
        log.append(batch(2), 0); // offsets 0, 1 at time 0
        let mut b = batch(3); // offsets 2, 3, 4 at 100, 200, 300
        b.first_timestamp = 100;
        b.max_timestamp = 300;
        for (i, r) in b.records.iter_mut().enumerate() {
            r.ts_delta = 100 * i as i32;
        }
        log.append(b, 300);
        assert_eq!(log.offset_for_timestamp(0), Some(0));
        assert_eq!(log.offset_for_timestamp(100), Some(2));
        assert_eq!(log.offset_for_timestamp(150), Some(3));
        assert_eq!(log.offset_for_timestamp(300), Some(4));
        assert_eq!(log.offset_for_timestamp(301), None);
    }

    /// `LogCleanerManager.grabFilthiestCompactedLog` picks a log only when its dirty ratio is
    /// strictly greater than `min.cleanable.dirty.ratio`.
    #[test]
    fn the_cleaner_needs_a_dirty_ratio_strictly_above_the_minimum() {
        let cfg = LogConfig {
            segment_bytes: 500,
            ..LogConfig::default()
        };
        let mut log = PartitionLog::new(cfg, 0);
        for _ in 0..3 {
            log.append(batch(4), 0); // 461 bytes: one segment each, the last one active
        }
        log.clean_offset = 4; // the first segment is clean, the second dirty: ratio 0.5
        let end = 8; // the active segment is never cleaned
        assert_eq!(log.dirty_ratio(end), 0.5);
        assert!(!log.needs_cleaning(0, end, 0.5));
        assert!(log.needs_cleaning(0, end, 0.49));
    }

    /// `LogSegment.shouldRoll` with `segment.ms`: the time waited counts from the first batch's
    /// timestamp to the incoming one's, and must exceed `segment.ms`.
    #[test]
    fn segment_ms_counts_from_the_first_batch_timestamp() {
        let cfg = LogConfig {
            segment_ms: 1_000,
            ..LogConfig::default()
        };
        let at = |t: Millis| {
            let mut b = batch(1);
            b.first_timestamp = t;
            b.max_timestamp = t;
            b
        };
        // The segment exists from time 0; its first record comes at 5,000.
        let mut log = PartitionLog::new(cfg, 0);
        log.append(at(5_000), 5_000);
        log.append(at(6_000), 6_000);
        assert_eq!(log.segment_count(), 1, "exactly segment.ms waited: no roll");
        log.append(at(6_001), 6_001);
        assert_eq!(log.segment_count(), 2);
    }

    /// `LogCleaner` with `CleanedTransactionMetadata`: a transaction marker stays while any
    /// batch of its transaction does; once they are gone it gets a delete horizon and goes at
    /// the first cleaning after it, as tombstones do (KIP-534).
    #[test]
    fn the_cleaner_removes_a_marker_after_its_transaction_and_delete_horizon() {
        let txn = |key: u32, seq: i32| {
            let mut b = batch(1);
            b.records[0].key = key;
            b.is_transactional = true;
            b.producer_id = 1;
            b.producer_epoch = 0;
            b.base_sequence = seq;
            b
        };
        let marker = || RecordBatch {
            control: Some(ControlType::Commit),
            records: Vec::new(),
            size_bytes: 78,
            compression: crate::log::Compression::None,
            uncompressed_bytes: 78,
            ..txn(0, -1)
        };
        let plain = |key: u32| {
            let mut b = batch(1);
            b.records[0].key = key;
            b
        };
        let mut log = PartitionLog::new(LogConfig::default(), 0);
        log.append_tracked(txn(7, 0), 0); // 0: superseded below
        log.append_tracked(marker(), 0); // 1
        log.append_tracked(txn(8, 1), 0); // 2: the latest of key 8, stays
        log.append_tracked(marker(), 0); // 3
        log.append_tracked(plain(7), 0); // 4
        log.roll(0);
        log.on_high_watermark_updated(5);
        let end = log.log_end_offset();
        let first = log.clean(0, end, 1_000);
        assert_eq!(
            first.markers_removed, 0,
            "the first pass met both transactions"
        );
        let second = log.clean(2_000, end, 1_000);
        assert_eq!(second.markers_removed, 1, "{second:?}");
        let left: Vec<i64> = log.batches_from(0).map(|b| b.base_offset).collect();
        assert_eq!(left, vec![2, 3, 4], "key 8's transaction keeps its marker");
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
    fn memory_bound_deletes_oldest_segments_counts_them_and_moves_log_start() {
        let cfg = LogConfig {
            memory_bytes: 16 << 10,
            ..LogConfig::default()
        };
        let mut log = PartitionLog::new(cfg, 0);
        for _ in 0..1_000 {
            log.append(batch(5), 0);
        }
        assert!(log.memory_bytes() <= 16 << 10, "{}", log.memory_bytes());
        assert!(log.log_start_offset() > 0);
        assert_eq!(log.log_end_offset(), 5_000);
        assert_eq!(log.evicted.records as i64, log.log_start_offset());
        assert_eq!(log.evicted.up_to, log.log_start_offset());
        assert_eq!(log.records() + log.evicted.records, 5_000);
        assert_eq!(
            log.batches_from(0).next().map(|b| b.base_offset),
            Some(log.log_start_offset())
        );
    }

    /// The bound is in bytes of engine memory: one-record batches, which cost more per record,
    /// are kept in fewer records, and memory stays under the bound whatever the batch size.
    #[test]
    fn memory_bound_holds_whatever_the_batch_size() {
        let cfg = LogConfig {
            memory_bytes: 64 << 10,
            ..LogConfig::default()
        };
        let mut kept = Vec::new();
        for size in [1, 10, 100] {
            let mut log = PartitionLog::new(cfg, 0);
            for _ in 0..(20_000 / size) {
                log.append(batch(size), 0);
            }
            assert!(
                log.memory_bytes() <= 64 << 10,
                "{size}: {}",
                log.memory_bytes()
            );
            assert!(log.evicted.records > 0, "{size}");
            kept.push(log.records());
        }
        assert!(kept[0] < kept[1] && kept[1] < kept[2], "{kept:?}");
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

    fn in_epoch(records: u32, epoch: i32) -> RecordBatch {
        RecordBatch {
            partition_leader_epoch: epoch,
            ..batch(records)
        }
    }

    #[test]
    fn divergence_is_the_end_of_the_newest_common_epoch() {
        // Leader: epoch 0 up to 10, epoch 2 from 10. Follower: epoch 0 up to 14 (it had more of
        // epoch 0 than the leader that took over), then epoch 1 (a deposed leader's writes).
        let mut leader = PartitionLog::new(LogConfig::default(), 0);
        leader.append(in_epoch(10, 0), 0);
        leader.append(in_epoch(5, 2), 0);
        let mut follower = PartitionLog::new(LogConfig::default(), 0);
        follower.append(in_epoch(14, 0), 0);
        follower.append(in_epoch(3, 1), 0);
        assert_eq!(follower.epochs, vec![(0, 0), (1, 14)]);
        assert_eq!(follower.divergence_from(&leader), Some(10));
        follower.truncate_to(10, 0);
        assert_eq!(follower.divergence_from(&leader), None);
        // A follower that is merely behind does not diverge.
        let mut behind = PartitionLog::new(LogConfig::default(), 0);
        behind.append(in_epoch(4, 0), 0);
        assert_eq!(behind.divergence_from(&leader), None);
    }

    /// `LeaderEpochFileCache.endOffsetFor`, as a consumer's `OffsetsForLeaderEpoch` (KIP-320)
    /// is answered: epoch 0 holds 0..10, epoch 1 never wrote here, epoch 2 holds 10..15 and
    /// epoch 3 began at 15 with nothing written yet.
    #[test]
    fn end_offset_for_epoch_is_where_the_next_newer_epoch_starts() {
        let mut log = PartitionLog::new(LogConfig::default(), 0);
        log.append(in_epoch(10, 0), 0);
        log.append(in_epoch(5, 2), 0);
        log.assign_epoch_start(3, 15);
        log.assign_epoch_start(3, 15);
        assert_eq!(log.epochs, vec![(0, 0), (2, 10), (3, 15)]);
        assert_eq!(log.end_offset_for_epoch(0), Some((0, 10)));
        // An epoch the log never saw: the floor epoch, ending where the next one starts.
        assert_eq!(log.end_offset_for_epoch(1), Some((0, 10)));
        assert_eq!(log.end_offset_for_epoch(2), Some((2, 15)));
        // The latest epoch ends at the log end, wherever that is now.
        log.append(in_epoch(4, 3), 0);
        assert_eq!(log.end_offset_for_epoch(3), Some((3, 19)));
        // Newer than anything known, or undefined: UNDEFINED_EPOCH_OFFSET.
        assert_eq!(log.end_offset_for_epoch(7), None);
        assert_eq!(log.end_offset_for_epoch(-1), None);
    }

    #[test]
    fn retention_deletes_whole_old_segments_below_the_high_watermark() {
        let cfg = LogConfig {
            segment_bytes: 1000,
            ..LogConfig::default()
        };
        let mut log = PartitionLog::new(cfg, 0);
        for t in 0..10u64 {
            let mut b = batch(4);
            b.max_timestamp = t * 1000;
            log.append(b, t * 1000); // 461 bytes each: two batches per segment
        }
        // Time: segments whose newest record is older than 3.5 s at t=10 s: the first four
        // segments end at 1 s, 3 s, 5 s, 7 s. Only those wholly below the HW (24) count.
        let (by_time, _) = log.delete_retained(10_000, 24, 3_500, -1);
        assert_eq!(by_time, 3);
        assert_eq!(log.log_start_offset(), 24);
        // Size: a segment goes only if the rest still holds retention.bytes (922 bytes per
        // segment here): 1000 keeps both, 900 lets the oldest go.
        assert_eq!(log.delete_retained(10_000, 40, -1, 1000), (0, 0));
        let (_, by_size) = log.delete_retained(10_000, 40, -1, 900);
        assert_eq!(by_size, 1);
        assert!(log.size_bytes() >= 900);
        assert_eq!(log.log_start_offset(), 32);
    }

    /// `UnifiedLog.deleteOldSegments`: size and time are separate passes. The oldest segment
    /// (six one-record batches) is past retention.ms; the log is over retention.bytes by more
    /// than the second segment (two four-record batches) but less than the first. The size pass
    /// deletes nothing (the oldest segment is larger than the excess), the time pass deletes the
    /// expired one, and the second stays: the log is under retention.bytes once the first is
    /// gone. A single combined pass counted the second against the excess measured before the
    /// first was deleted, and deleted it too.
    #[test]
    fn retention_by_size_and_by_time_are_separate_passes() {
        let cfg = LogConfig {
            segment_bytes: 1000,
            ..LogConfig::default()
        };
        let mut log = PartitionLog::new(cfg, 0);
        let mut sizes = Vec::new();
        let mut append = |log: &mut PartitionLog, records: u32, ts: u64| {
            let before = log.size_bytes();
            let mut b = batch(records);
            b.max_timestamp = ts;
            log.append(b, ts);
            sizes.push(log.size_bytes() - before);
        };
        for _ in 0..6 {
            append(&mut log, 1, 0); // segment 1: old
        }
        for _ in 0..2 {
            append(&mut log, 4, 9_000); // segment 2: new
        }
        append(&mut log, 4, 9_000); // segment 3, the active one
        let first: u64 = sizes[..6].iter().sum();
        let second: u64 = sizes[6..8].iter().sum();
        assert!(second < first, "{second} < {first}");
        let excess = (first + second) / 2;
        let limit = log.size_bytes() as i64 - excess as i64;
        let end = log.log_end_offset();
        assert_eq!(log.delete_retained(10_000, end, 5_000, limit), (1, 0));
        assert_eq!(log.log_start_offset(), 6);
    }
}
