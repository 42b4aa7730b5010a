//! A partition: its replicas, leader, in-sync replicas and the leader's log.

use super::{BrokerId, TopicId};
use crate::log::PartitionLog;

/// Dense index of a partition across all topics (never reused after a topic is deleted).
pub type PartitionIdx = u32;

#[derive(Clone, Debug)]
pub struct Partition {
    pub idx: PartitionIdx,
    pub topic: TopicId,
    /// Partition number within its topic.
    pub index: u32,
    /// Assigned replicas, preferred leader first.
    pub replicas: Vec<BrokerId>,
    pub leader: Option<BrokerId>,
    pub isr: Vec<BrokerId>,
    pub leader_epoch: i32,
    /// The leader's log.
    pub log: PartitionLog,
    /// Offset up to which every in-sync replica has the data; consumers read below it.
    pub high_watermark: i64,
    /// The aborted transaction index (`.txnindex`): which producer's records in which offset
    /// range a read_committed consumer must drop.
    pub aborted_txns: Vec<AbortedTxn>,
}

/// One aborted transaction in a partition (`AbortedTxn`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AbortedTxn {
    pub producer_id: i64,
    pub first_offset: i64,
    pub last_offset: i64,
}

impl Partition {
    /// Last stable offset: the first offset of the earliest open transaction if that is below
    /// the high watermark, otherwise the high watermark (`UnifiedLog.lastStableOffset`).
    pub fn last_stable_offset(&self) -> i64 {
        self.log
            .producer_state
            .iter()
            .filter_map(|(_, e)| e.current_txn_first_offset)
            .min()
            .map_or(self.high_watermark, |first| first.min(self.high_watermark))
    }
}

use crate::log::producer_state::{BatchMetadata, SequenceCheck};
use crate::log::{ControlType, RecordBatch};
use crate::protocol::{Appended, IsolationLevel};
use crate::sim::{ErrorCode, Millis};

impl Partition {
    /// The leader appends a client batch (`UnifiedLog.appendAsLeader`): validate idempotent
    /// sequences, assign offsets, remember the producer's batch.
    pub fn append_as_leader(
        &mut self,
        mut batch: RecordBatch,
        now: Millis,
    ) -> Result<Appended, ErrorCode> {
        let idempotent = batch.producer_id >= 0;
        if idempotent {
            let check = self.log.producer_state.check(
                batch.producer_id,
                batch.producer_epoch,
                batch.base_sequence,
                batch.last_sequence(),
            )?;
            if let SequenceCheck::Duplicate { base_offset } = check {
                return Ok(Appended {
                    base_offset,
                    duplicate: true,
                });
            }
        }
        batch.partition_leader_epoch = self.leader_epoch;
        let (pid, epoch, first_seq, last_seq) = (
            batch.producer_id,
            batch.producer_epoch,
            batch.base_sequence,
            batch.last_sequence(),
        );
        let transactional = batch.is_transactional;
        let base = self.log.append(batch, now);
        if idempotent {
            self.log.producer_state.update(
                pid,
                epoch,
                BatchMetadata {
                    first_seq,
                    last_seq,
                    first_offset: base,
                },
            );
            if transactional {
                if let Some(e) = self.log.producer_state.get_mut(pid) {
                    e.current_txn_first_offset.get_or_insert(base);
                }
            }
        }
        Ok(Appended {
            base_offset: base,
            duplicate: false,
        })
    }

    /// Writes a transaction marker (a control batch) for `producer_id` and closes its open
    /// transaction in this partition; an ABORT also goes into the aborted transaction index.
    /// Returns the marker's offset.
    pub fn append_marker(
        &mut self,
        producer_id: i64,
        epoch: i16,
        commit: bool,
        now: Millis,
    ) -> i64 {
        let first = self
            .log
            .producer_state
            .get(producer_id)
            .and_then(|e| e.current_txn_first_offset);
        let batch = RecordBatch {
            base_offset: 0,
            partition_leader_epoch: self.leader_epoch,
            first_timestamp: now,
            max_timestamp: now,
            producer_id,
            producer_epoch: epoch,
            base_sequence: -1,
            is_transactional: true,
            control: Some(if commit {
                ControlType::Commit
            } else {
                ControlType::Abort
            }),
            // Header plus one control record (version, type, coordinator epoch).
            size_bytes: crate::log::BATCH_OVERHEAD_BYTES + 17,
            records: Vec::new(),
            typed: Vec::new(),
            origin: None,
        };
        let offset = self.log.append(batch, now);
        self.log.producer_state.bump_epoch(producer_id, epoch);
        if let Some(e) = self.log.producer_state.get_mut(producer_id) {
            e.current_txn_first_offset = None;
        }
        if !commit {
            if let Some(first) = first {
                self.aborted_txns.push(AbortedTxn {
                    producer_id,
                    first_offset: first,
                    last_offset: offset,
                });
            }
        }
        let start = self.log.log_start_offset();
        self.aborted_txns.retain(|a| a.last_offset >= start);
        self.maybe_advance_high_watermark();
        offset
    }

    /// Whether a read_committed consumer drops this producer's record at `offset`.
    pub fn is_aborted(&self, producer_id: i64, offset: i64) -> bool {
        self.aborted_txns.iter().any(|a| {
            a.producer_id == producer_id && a.first_offset <= offset && offset <= a.last_offset
        })
    }

    /// Advances the high watermark to the minimum log end offset of the in-sync replicas.
    /// Until followers are simulated, the leader is the whole ISR.
    pub fn maybe_advance_high_watermark(&mut self) -> bool {
        let leo = self.log.log_end_offset();
        if leo > self.high_watermark {
            self.high_watermark = leo;
            true
        } else {
            false
        }
    }

    /// The offset a fetch with this isolation level may read up to.
    pub fn fetch_limit(&self, isolation: IsolationLevel) -> i64 {
        match isolation {
            IsolationLevel::ReadUncommitted => self.high_watermark,
            IsolationLevel::ReadCommitted => self.last_stable_offset(),
        }
    }

    /// What a fetch from `offset` returns: `(end_offset, bytes)`, whole batches up to
    /// `max_bytes` (at least one batch, as Kafka does), below the fetch limit.
    pub fn fetch_range(
        &self,
        offset: i64,
        isolation: IsolationLevel,
        max_bytes: u32,
    ) -> Result<(i64, u32), ErrorCode> {
        let limit = self.fetch_limit(isolation);
        if offset < self.log.log_start_offset() || offset > self.log.log_end_offset() {
            return Err(ErrorCode::OffsetOutOfRange);
        }
        if offset >= limit {
            return Ok((offset, 0));
        }
        let mut end = offset;
        let mut bytes = 0u32;
        for b in self.log.batches_from(offset) {
            if b.base_offset >= limit {
                break;
            }
            if bytes > 0 && bytes + b.size_bytes > max_bytes {
                break;
            }
            // A batch straddling the limit is cut at the limit (read_committed stops at the LSO).
            end = b.next_offset().min(limit);
            bytes += b.size_bytes;
        }
        Ok((end.max(offset), bytes))
    }
}
