//! The record accumulator: per-partition queues of batches waiting to be sent.
//!
//! As Kafka's `RecordAccumulator`: a record goes into the last batch of its partition's queue if
//! it fits (`MemoryRecordsBuilder.hasRoomFor`, counting `DefaultRecord.sizeInBytes`), otherwise
//! that batch is closed and a new one opened. A partition's leader is *ready* when its first batch
//! is full (or another batch waits behind it), has lingered `linger.ms`, or must be flushed; once
//! a leader is ready, `drain` takes the first batch of every partition it leads, one per
//! partition, up to `max.request.size`, starting where the last drain for that node stopped.

use std::collections::VecDeque;

use crate::ground::Millis;
use crate::ground::{BrokerId, PartitionIdx};
use crate::log::compression::compressed_size;
use crate::log::{
    record_size_in_bytes, Compression, KeyId, RecordMeta, TypedRecord, BATCH_OVERHEAD_BYTES,
};

/// A batch on the client side, from its first record until the leader acknowledges it.
#[derive(Clone, Debug)]
pub struct ProducerBatch {
    /// Producer-local id, stable across retries.
    pub id: u64,
    pub partition: PartitionIdx,
    pub created_ms: Millis,
    pub first_timestamp: Millis,
    pub max_timestamp: Millis,
    pub records: Vec<RecordMeta>,
    pub typed: Vec<TypedRecord>,
    /// `estimatedSizeInBytes`: header plus records so far, compressed at the estimated ratio
    /// when the producer compresses (`batch.size` is measured against this).
    pub size_bytes: u32,
    /// Header plus records so far, uncompressed: what the codec's CPU cost applies to.
    pub uncompressed_bytes: u32,
    /// Closed for appends (`isFull()`).
    pub full: bool,
    pub attempts: u32,
    pub last_attempt_ms: Millis,
    /// Base sequence once drained by an idempotent producer (`-1` before / without).
    pub base_sequence: i32,
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub is_transactional: bool,
    /// Renumbered from 0 by an epoch bump (`sequenceHasBeenReset`, KIP-360).
    pub sequence_reset: bool,
    /// The producer's running number of this batch's first record in its partition (audit).
    pub first_record: u64,
}

impl ProducerBatch {
    pub fn record_count(&self) -> u32 {
        self.records.len() as u32
    }

    /// `waitedTimeMs`: since creation, or since the last attempt for a retried batch.
    pub fn waited(&self, now: Millis) -> Millis {
        now.saturating_sub(self.created_ms.max(self.last_attempt_ms))
    }

    pub fn has_sequence(&self) -> bool {
        self.base_sequence >= 0
    }

    /// `hasReachedDeliveryTimeout`: `delivery.timeout.ms` has passed since the batch was created.
    pub fn expired(&self, now: Millis, delivery_timeout_ms: u64) -> bool {
        now.saturating_sub(self.created_ms) >= delivery_timeout_ms
    }
}

/// What a batch takes from the buffer pool: `batch.size`, or more for a record that does not fit
/// in one (`RecordAccumulator.append` allocates `max(batchSize, estimated size)`).
fn pool_bytes(batch_size: u32, size: u32) -> u64 {
    batch_size.max(size) as u64
}

impl ProducerBatch {
    /// Bytes this batch holds in the buffer pool until it completes.
    pub fn pool_bytes(&self, batch_size: u32) -> u64 {
        pool_bytes(batch_size, self.size_bytes)
    }
}

/// What an append did (`RecordAppendResult`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AppendResult {
    pub appended_bytes: u32,
    pub batch_is_full: bool,
    pub new_batch_created: bool,
    /// Not appended: a new batch was needed and the buffer pool had no room for it
    /// (`BufferPool.allocate` would block).
    pub pool_exhausted: bool,
}

/// One record to append.
#[derive(Clone, Copy, Debug)]
pub struct AppendRecord {
    pub key: KeyId,
    pub key_len: Option<u32>,
    pub value_len: Option<u32>,
    pub timestamp: Millis,
    pub headers_bytes: u32,
    pub header_count: u32,
}

#[derive(Clone, Debug, Default)]
pub struct RecordAccumulator {
    pub batch_size: u32,
    pub linger_ms: u64,
    queues: Vec<VecDeque<ProducerBatch>>,
    /// Partitions that have a queue, ascending (the iteration order of `ready` and `drain`).
    active: Vec<PartitionIdx>,
    /// Records appended so far per partition (numbers the records for the audit).
    record_counter: Vec<u64>,
    /// Where the last drain for each node stopped.
    drain_index: Vec<(BrokerId, usize)>,
    muted: Vec<PartitionIdx>,
    next_batch_id: u64,
    /// Bytes the buffer pool can still hand out for new batches (`None`: no limit). The
    /// producer sets it from `buffer.memory` before appending its load's records.
    pub pool_room: Option<u64>,
    /// Every batch flushed regardless of linger (`flush()`, a transaction commit).
    pub flush_in_progress: bool,
    pub closed: bool,
    /// The producer's `compression.type` and the ratio its data compresses at: records count
    /// toward `batch.size` at their estimated compressed size, so a compressed batch holds more.
    pub compression: Compression,
    pub compression_ratio: f64,
}

impl RecordAccumulator {
    pub fn new(batch_size: u32, linger_ms: u64) -> Self {
        RecordAccumulator {
            batch_size,
            linger_ms,
            compression_ratio: 1.0,
            ..Default::default()
        }
    }

    fn queue_mut(&mut self, p: PartitionIdx) -> &mut VecDeque<ProducerBatch> {
        let i = p as usize;
        if i >= self.queues.len() {
            self.queues.resize_with(i + 1, VecDeque::new);
            self.record_counter.resize(i + 1, 0);
        }
        if let Err(pos) = self.active.binary_search(&p) {
            self.active.insert(pos, p);
        }
        &mut self.queues[i]
    }

    pub fn queue(&self, p: PartitionIdx) -> Option<&VecDeque<ProducerBatch>> {
        self.queues.get(p as usize)
    }

    /// Partitions this producer has a queue for.
    pub fn partitions(&self) -> &[PartitionIdx] {
        &self.active
    }

    /// `allBatchesFull`: only the last batch can be open.
    pub fn all_batches_full(&self, p: PartitionIdx) -> bool {
        self.queue(p).and_then(|q| q.back()).is_none_or(|b| b.full)
    }

    /// Appends one record; returns the result and the record's running number in the partition.
    #[inline]
    pub fn append(
        &mut self,
        p: PartitionIdx,
        rec: AppendRecord,
        typed: Option<TypedRecord>,
        now: Millis,
    ) -> (AppendResult, u64) {
        let batch_size = self.batch_size;
        let ratio = self.compression_ratio;
        let next_id = self.next_batch_id;
        let record_no = {
            let i = p as usize;
            if i < self.record_counter.len() {
                self.record_counter[i]
            } else {
                0
            }
        };
        let q = self.queue_mut(p);
        if let Some(last) = q.back_mut().filter(|b| !b.full) {
            let offset_delta = last.records.len() as u32;
            let ts_delta = (rec.timestamp as i64 - last.first_timestamp as i64)
                .clamp(i64::from(i32::MIN), i64::from(i32::MAX));
            let size = record_size_in_bytes(
                offset_delta,
                ts_delta,
                rec.key_len,
                rec.value_len,
                rec.headers_bytes,
                rec.header_count,
            );
            let raw = size;
            let size = compressed_size(raw, ratio);
            // hasRoomFor: the first record always fits; later ones must stay within batch.size.
            if last.size_bytes + size <= batch_size.max(BATCH_OVERHEAD_BYTES) {
                push_record(last, rec, ts_delta, (size, raw), typed, batch_size);
                let full = q.len() > 1 || q.back().is_some_and(|b| b.full);
                self.record_counter[p as usize] += 1;
                return (
                    AppendResult {
                        appended_bytes: size,
                        batch_is_full: full,
                        new_batch_created: false,
                        pool_exhausted: false,
                    },
                    record_no,
                );
            }
            last.full = true;
        }
        let size = record_size_in_bytes(
            0,
            0,
            rec.key_len,
            rec.value_len,
            rec.headers_bytes,
            rec.header_count,
        );
        let raw = size;
        let size = compressed_size(raw, ratio);
        // `BufferPool.allocate(max(batch.size, record size))`.
        let alloc = pool_bytes(batch_size, BATCH_OVERHEAD_BYTES + size);
        if let Some(room) = self.pool_room.as_mut() {
            if alloc > *room {
                return (
                    AppendResult {
                        appended_bytes: 0,
                        batch_is_full: true,
                        new_batch_created: false,
                        pool_exhausted: true,
                    },
                    record_no,
                );
            }
            *room -= alloc;
        }
        let q = self.queue_mut(p);
        let mut batch = ProducerBatch {
            id: next_id,
            partition: p,
            created_ms: now,
            first_timestamp: rec.timestamp,
            max_timestamp: rec.timestamp,
            records: Vec::new(),
            typed: Vec::new(),
            size_bytes: BATCH_OVERHEAD_BYTES,
            uncompressed_bytes: BATCH_OVERHEAD_BYTES,
            full: false,
            attempts: 0,
            last_attempt_ms: 0,
            base_sequence: -1,
            producer_id: -1,
            producer_epoch: -1,
            is_transactional: false,
            sequence_reset: false,
            first_record: record_no,
        };
        push_record(&mut batch, rec, 0, (size, raw), typed, batch_size);
        q.push_back(batch);
        let full = q.len() > 1 || q.back().is_some_and(|b| b.full);
        self.next_batch_id += 1;
        self.record_counter[p as usize] += 1;
        (
            AppendResult {
                appended_bytes: BATCH_OVERHEAD_BYTES + size,
                batch_is_full: full,
                new_batch_created: true,
                pool_exhausted: false,
            },
            record_no,
        )
    }

    /// `ready()`: the leaders with something sendable, and how long until the next check.
    /// `queue_sizes` receives (partition, queue length) of every partition with a leader, for the
    /// adaptive partitioner.
    pub fn ready(
        &self,
        now: Millis,
        leader: impl Fn(PartitionIdx) -> Option<BrokerId>,
        backoff: impl Fn(u32) -> u64,
        mut queue_sizes: impl FnMut(PartitionIdx, u32),
    ) -> (Vec<BrokerId>, Option<Millis>) {
        let mut ready: Vec<BrokerId> = Vec::new();
        let mut next_check: Option<Millis> = None;
        for &p in &self.active {
            let q = &self.queues[p as usize];
            let Some(leader) = leader(p) else {
                continue;
            };
            queue_sizes(p, q.len() as u32);
            let Some(batch) = q.front() else {
                continue;
            };
            if ready.contains(&leader) || self.muted.contains(&p) {
                continue;
            }
            let waited = batch.waited(now);
            let backing_off = batch.attempts > 0 && waited < backoff(batch.attempts - 1);
            let time_to_wait = if backing_off {
                backoff(batch.attempts - 1)
            } else {
                self.linger_ms
            };
            let full = q.len() > 1 || batch.full;
            let expired = waited >= time_to_wait;
            let sendable = full || expired || self.flush_in_progress || self.closed;
            if sendable && !backing_off {
                ready.push(leader);
            } else {
                let at = now + time_to_wait.saturating_sub(waited);
                next_check = Some(next_check.map_or(at, |n: Millis| n.min(at)));
            }
        }
        crate::ground::sort::sort(&mut ready);
        (ready, next_check)
    }

    /// `drainBatchesForOneNode`: at most one batch per partition led by `node`, up to `max_size`
    /// bytes, round-robin from where the last drain stopped. `may_drain` decides for a partition's
    /// first batch whether draining must stop (idempotence ordering rules) and stamps sequences.
    pub fn drain(
        &mut self,
        node: BrokerId,
        led_by_node: &[PartitionIdx],
        max_size: u32,
        now: Millis,
        backoff: impl Fn(u32) -> u64,
        mut before_drain: impl FnMut(&mut ProducerBatch) -> DrainDecision,
    ) -> Vec<ProducerBatch> {
        let mut out = Vec::new();
        if led_by_node.is_empty() {
            return out;
        }
        let slot = match self.drain_index.iter().position(|(n, _)| *n == node) {
            Some(i) => i,
            None => {
                self.drain_index.push((node, 0));
                self.drain_index.len() - 1
            }
        };
        let mut index = self.drain_index[slot].1 % led_by_node.len();
        let start = index;
        let mut size = 0u32;
        loop {
            let p = led_by_node[index];
            self.drain_index[slot].1 = index;
            index = (index + 1) % led_by_node.len();
            if !self.muted.contains(&p) {
                if let Some(q) = self.queues.get_mut(p as usize) {
                    if let Some(first) = q.front_mut() {
                        let backing_off =
                            first.attempts > 0 && first.waited(now) < backoff(first.attempts - 1);
                        if !backing_off {
                            if size + first.size_bytes > max_size && !out.is_empty() {
                                break;
                            }
                            match before_drain(first) {
                                DrainDecision::Stop => break,
                                DrainDecision::Skip => {
                                    if index == start {
                                        break;
                                    }
                                    continue;
                                }
                                DrainDecision::Take => {}
                            }
                            let mut batch = q.pop_front().expect("front exists");
                            batch.full = true;
                            size += batch.size_bytes;
                            batch.last_attempt_ms = now;
                            out.push(batch);
                        }
                    }
                }
            }
            if index == start {
                break;
            }
        }
        out
    }

    /// Puts a batch that must be retried back at the front of its queue, in sequence order
    /// (`reenqueue` / `insertInSequenceOrder`).
    pub fn reenqueue(&mut self, mut batch: ProducerBatch, now: Millis) {
        batch.attempts += 1;
        batch.last_attempt_ms = now;
        let q = self.queue_mut(batch.partition);
        if batch.has_sequence() {
            let pos = q
                .iter()
                .position(|b| !b.has_sequence() || b.base_sequence > batch.base_sequence)
                .unwrap_or(q.len());
            q.insert(pos, batch);
        } else {
            q.push_front(batch);
        }
    }

    /// The batches queued for a partition, to renumber after an epoch bump.
    pub fn queued_mut(&mut self, p: PartitionIdx) -> impl Iterator<Item = &mut ProducerBatch> {
        self.queues.get_mut(p as usize).into_iter().flatten()
    }

    pub fn mute(&mut self, p: PartitionIdx) {
        if !self.muted.contains(&p) {
            self.muted.push(p);
        }
    }

    pub fn unmute(&mut self, p: PartitionIdx) {
        self.muted.retain(|&m| m != p);
    }

    /// Removes and returns every queued batch older than `delivery.timeout.ms` (only batches
    /// not currently in flight are here).
    pub fn expired_batches(&mut self, now: Millis, delivery_timeout_ms: u64) -> Vec<ProducerBatch> {
        let mut out = Vec::new();
        for &p in &self.active {
            let q = &mut self.queues[p as usize];
            while q
                .front()
                .is_some_and(|b| now.saturating_sub(b.created_ms) >= delivery_timeout_ms)
            {
                out.push(q.pop_front().expect("front exists"));
            }
        }
        out
    }

    /// Earliest time a queued batch expires.
    pub fn next_expiry(&self, delivery_timeout_ms: u64) -> Option<Millis> {
        self.active
            .iter()
            .filter_map(|&p| self.queues[p as usize].front())
            .map(|b| b.created_ms + delivery_timeout_ms)
            .min()
    }

    /// Drops every queued batch of the given partitions (topic deleted); returns them.
    pub fn remove_partitions(&mut self, gone: &[PartitionIdx]) -> Vec<ProducerBatch> {
        let mut out = Vec::new();
        for &p in gone {
            if let Some(q) = self.queues.get_mut(p as usize) {
                out.extend(q.drain(..));
            }
        }
        self.active.retain(|p| !gone.contains(p));
        out
    }

    /// Removes every queued batch (a transaction is aborted: nothing unsent goes out).
    pub fn drain_all(&mut self) -> Vec<ProducerBatch> {
        let mut out = Vec::new();
        for &p in &self.active {
            out.extend(self.queues[p as usize].drain(..));
        }
        out
    }

    /// Records waiting in the accumulator.
    pub fn queued_records(&self) -> u64 {
        self.active
            .iter()
            .flat_map(|&p| self.queues[p as usize].iter())
            .map(|b| b.records.len() as u64)
            .sum()
    }

    /// Bytes the waiting batches hold in the buffer pool.
    pub fn pool_bytes(&self) -> u64 {
        self.active
            .iter()
            .flat_map(|&p| self.queues[p as usize].iter())
            .map(|b| b.pool_bytes(self.batch_size))
            .sum()
    }

    pub fn queued_batches(&self) -> u64 {
        self.active
            .iter()
            .map(|&p| self.queues[p as usize].len() as u64)
            .sum()
    }

    /// Whether any batch is waiting.
    pub fn has_undrained(&self) -> bool {
        self.active
            .iter()
            .any(|&p| !self.queues[p as usize].is_empty())
    }
}

/// Whether `drain` may take a partition's first batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DrainDecision {
    Take,
    /// Leave this partition's batch for now and go on with the others.
    Skip,
    Stop,
}

#[inline]
fn push_record(
    batch: &mut ProducerBatch,
    rec: AppendRecord,
    ts_delta: i64,
    (size, raw): (u32, u32),
    typed: Option<TypedRecord>,
    batch_size: u32,
) {
    let offset_delta = batch.records.len() as u32;
    batch.records.push(RecordMeta {
        key: rec.key,
        ts_delta: ts_delta as i32,
        value_len: rec.value_len.unwrap_or(crate::log::record::NULL_VALUE),
    });
    if let Some(mut t) = typed {
        t.offset_delta = offset_delta;
        batch.typed.push(t);
    }
    batch.size_bytes += size;
    batch.uncompressed_bytes += raw;
    batch.max_timestamp = batch.max_timestamp.max(rec.timestamp);
    // isFull(): the write limit is reached (a single oversized record fills its batch).
    if batch.size_bytes >= batch_size {
        batch.full = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(ts: Millis) -> AppendRecord {
        AppendRecord {
            key: 0,
            key_len: Some(8),
            value_len: Some(100),
            timestamp: ts,
            headers_bytes: 0,
            header_count: 0,
        }
    }

    #[test]
    fn records_fill_a_batch_up_to_batch_size_then_a_new_one_opens() {
        let mut acc = RecordAccumulator::new(16384, 5);
        let mut new_batches = 0;
        for _ in 0..300 {
            let (r, _) = acc.append(0, rec(0), None, 0);
            new_batches += r.new_batch_created as u32;
        }
        let q = acc.queue(0).unwrap();
        assert_eq!(new_batches, 3);
        // 61 + 64 records of 117 bytes (offset deltas 0..63) + 74 of 118 bytes = 16345 <= 16384;
        // one more would exceed batch.size.
        assert_eq!(q[0].records.len(), 138);
        assert!(q[0].full && q[1].full && !q[2].full);
        assert!(q[0].size_bytes <= 16384);
    }

    #[test]
    fn leader_is_ready_when_full_or_lingered() {
        let mut acc = RecordAccumulator::new(16384, 5);
        acc.append(0, rec(0), None, 0);
        let leader = |_| Some(1);
        let (ready, next) = acc.ready(2, leader, |_| 100, |_, _| {});
        assert!(ready.is_empty());
        assert_eq!(next, Some(5));
        let (ready, _) = acc.ready(5, leader, |_| 100, |_, _| {});
        assert_eq!(ready, vec![1]);
    }

    #[test]
    fn drain_takes_one_batch_per_partition_and_rotates() {
        let mut acc = RecordAccumulator::new(200, 0);
        for p in 0..3 {
            for _ in 0..4 {
                acc.append(p, rec(0), None, 0);
            }
        }
        let got = acc.drain(
            1,
            &[0, 1, 2],
            1_000_000,
            0,
            |_| 100,
            |_| DrainDecision::Take,
        );
        let parts: Vec<_> = got.iter().map(|b| b.partition).collect();
        assert_eq!(parts, vec![0, 1, 2]);
        let got = acc.drain(1, &[0, 1, 2], 200, 0, |_| 100, |_| DrainDecision::Take);
        assert_eq!(
            got.len(),
            1,
            "max.request.size stops the drain after one batch"
        );
    }

    #[test]
    fn reenqueued_batches_go_back_in_sequence_order() {
        let mut acc = RecordAccumulator::new(16384, 0);
        acc.append(0, rec(0), None, 0);
        let mut b1 = acc
            .drain(1, &[0], 1 << 20, 0, |_| 0, |_| DrainDecision::Take)
            .remove(0);
        acc.append(0, rec(0), None, 0);
        let mut b2 = acc
            .drain(1, &[0], 1 << 20, 0, |_| 0, |_| DrainDecision::Take)
            .remove(0);
        b1.base_sequence = 0;
        b2.base_sequence = 1;
        acc.reenqueue(b2, 1);
        acc.reenqueue(b1, 1);
        let seqs: Vec<_> = acc
            .queue(0)
            .unwrap()
            .iter()
            .map(|b| b.base_sequence)
            .collect();
        assert_eq!(seqs, vec![0, 1]);
    }
}
