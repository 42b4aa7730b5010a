//! A partition: its replicas, leader, in-sync replicas, and each replica's log.
//!
//! The leader's log is `log`; every other replica's log is in `followers`. Followers copy the
//! leader's batches (same offsets) by fetching; the leader tracks each follower's log end offset
//! as of its last fetch and moves the high watermark to the smallest LEO in the ISR. A follower
//! that has not caught up within `replica.lag.time.max.ms` leaves the ISR, and rejoins once its
//! LEO reaches the high watermark. When the leader dies, the controller picks the first alive
//! replica of the ISR in assignment order (or, with unclean election, any alive replica), bumps
//! the leader epoch and records where the new epoch starts; a follower whose log goes beyond that
//! point truncates to it (KIP-101), which is how unclean elections lose acknowledged data.

use serde::Serialize;

use crate::ground::{BrokerId, PartitionIdx, TopicId};
use crate::ground::{ErrorCode, Millis};
use crate::log::producer_state::SequenceCheck;
use crate::log::{BatchOrigin, ControlType, PartitionLog, RecordBatch};

/// `isolation.level`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IsolationLevel {
    ReadUncommitted,
    ReadCommitted,
}

/// A successful produce of one batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Appended {
    /// Offset of the batch's first record (`-1` is never used: acks=0 gets no response).
    pub base_offset: i64,
    /// The leader recognised a retried batch it already had and did not append it again.
    pub duplicate: bool,
}

/// A replica other than the leader.
#[derive(Clone, Debug)]
pub struct Replica {
    pub broker: BrokerId,
    pub log: PartitionLog,
    /// The high watermark this replica learnt from the leader.
    pub high_watermark: i64,
    /// Its LEO as the leader saw it at its last fetch (`-1`: not fetched from this leader yet).
    pub leader_view_leo: i64,
    /// When it was last known to have everything the leader had (`lastCaughtUpTimeMs`).
    pub last_caught_up: Millis,
    /// The leader's LEO and the time at its previous fetch, to credit a fetch that reached what
    /// the leader had then (`Replica.updateFetchStateOrThrow`).
    last_fetch_leader_leo: i64,
    last_fetch_time: Millis,
}

impl Replica {
    fn new(broker: BrokerId, log: PartitionLog, now: Millis) -> Self {
        Replica {
            broker,
            log,
            high_watermark: 0,
            leader_view_leo: -1,
            last_caught_up: now,
            last_fetch_leader_leo: -1,
            last_fetch_time: now,
        }
    }
}

/// What the leader answers a follower's fetch with.
#[derive(Clone, Debug, PartialEq)]
pub enum ReplicaFetchResult {
    /// Batches from the fetch offset on (possibly none).
    Batches(Vec<std::sync::Arc<RecordBatch>>),
    /// The follower's log holds batches of an epoch the leader's log does not continue: it must
    /// truncate to this offset first (the `divergingEpoch` of a fetch response, KIP-595).
    Diverging { truncate_to: i64 },
    /// The leader no longer has the offset: start over at its log start offset.
    OutOfRange { log_start: i64 },
}

/// What the leader's handling of a follower fetch changed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FetchEffects {
    pub high_watermark_moved: bool,
    pub joined_isr: bool,
}

/// What an election changed in the partition's contents: batches the previous leader had that
/// the new leader does not (thrown away), and batches the new leader has that the previous one did
/// not (served again: after an unclean election, a later one can pick a replica that kept records
/// the first threw away).
#[derive(Clone, Debug, Default)]
pub struct ElectionOutcome {
    pub dropped: Vec<(BatchOrigin, u32)>,
    pub dropped_records: u64,
    pub restored: Vec<(BatchOrigin, u32)>,
}

#[derive(Clone, Debug)]
pub struct Partition {
    pub idx: PartitionIdx,
    pub topic: TopicId,
    /// Partition number within its topic.
    pub index: u32,
    /// Partitions of internal topics hold no records here (coordinators keep their state in
    /// memory), so they are never replicated; only their leaders matter.
    pub internal: bool,
    /// Assigned replicas, preferred leader first.
    pub replicas: Vec<BrokerId>,
    pub leader: Option<BrokerId>,
    pub isr: Vec<BrokerId>,
    pub leader_epoch: i32,
    /// The leader's LEO when its epoch began (a follower must reach it to rejoin the ISR).
    pub leader_epoch_start_offset: i64,
    /// The leader's log (the last leader's, while the partition is offline).
    pub log: PartitionLog,
    /// Whose log `log` is.
    pub log_owner: BrokerId,
    pub followers: Vec<Replica>,
    /// Offset up to which every in-sync replica has the data; consumers read below it.
    pub high_watermark: i64,
    /// Elections that picked a replica outside the ISR.
    pub unclean_elections: u32,
    /// The topic's `min.insync.replicas`.
    pub min_insync_replicas: u32,
}

impl Partition {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        idx: PartitionIdx,
        topic: TopicId,
        index: u32,
        internal: bool,
        replicas: Vec<BrokerId>,
        leader: Option<BrokerId>,
        make_log: impl Fn() -> PartitionLog,
        now: Millis,
    ) -> Self {
        let owner = leader.unwrap_or(replicas[0]);
        let followers = replicas
            .iter()
            .filter(|&&b| b != owner)
            .map(|&b| Replica::new(b, make_log(), now))
            .collect();
        Partition {
            idx,
            topic,
            index,
            internal,
            isr: replicas.clone(),
            replicas,
            leader,
            leader_epoch: 0,
            leader_epoch_start_offset: 0,
            log: make_log(),
            log_owner: owner,
            followers,
            high_watermark: 0,
            unclean_elections: 0,
            min_insync_replicas: 1,
        }
    }

    /// The leader and its followers, as (broker, log) in assignment order.
    pub fn replica_logs(&self) -> impl Iterator<Item = (BrokerId, &PartitionLog)> {
        self.replicas
            .iter()
            .filter_map(|&b| self.replica_log(b).map(|l| (b, l)))
    }

    /// Last stable offset: the first offset of the earliest open transaction if that is below
    /// the high watermark, otherwise the high watermark (`UnifiedLog.lastStableOffset`).
    pub fn last_stable_offset(&self) -> i64 {
        self.log
            .first_unstable_offset(self.high_watermark)
            .map_or(self.high_watermark, |first| first.min(self.high_watermark))
    }

    /// Whether a read_committed consumer drops this producer's record at `offset`.
    pub fn is_aborted(&self, producer_id: i64, offset: i64) -> bool {
        self.log.is_aborted(producer_id, offset)
    }

    pub fn follower(&self, broker: BrokerId) -> Option<&Replica> {
        self.followers.iter().find(|r| r.broker == broker)
    }

    pub fn follower_mut(&mut self, broker: BrokerId) -> Option<&mut Replica> {
        self.followers.iter_mut().find(|r| r.broker == broker)
    }

    /// The log of the replica on `broker`.
    pub fn replica_log(&self, broker: BrokerId) -> Option<&PartitionLog> {
        if broker == self.log_owner {
            Some(&self.log)
        } else {
            self.follower(broker).map(|r| &r.log)
        }
    }

    /// The leader appends a client batch (`UnifiedLog.appendAsLeader`): validate idempotent
    /// sequences, assign offsets, remember the producer's batch.
    pub fn append_as_leader(
        &mut self,
        mut batch: RecordBatch,
        now: Millis,
    ) -> Result<Appended, ErrorCode> {
        if batch.producer_id >= 0 {
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
        let base = self.log.append_tracked(batch, now);
        Ok(Appended {
            base_offset: base,
            duplicate: false,
        })
    }

    /// Writes a transaction marker (a control batch) for `producer_id`. Returns its offset.
    pub fn append_marker(
        &mut self,
        producer_id: i64,
        epoch: i16,
        commit: bool,
        now: Millis,
    ) -> i64 {
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
            compression: crate::log::Compression::None,
            uncompressed_bytes: crate::log::BATCH_OVERHEAD_BYTES + 17,
            records: Vec::new(),
            typed: Vec::new(),
            origin: None,
            delete_horizon_ms: None,
        };
        let offset = self.log.append_tracked(batch, now);
        self.maybe_advance_high_watermark();
        offset
    }

    /// `Partition.effectiveMinIsr`: `min.insync.replicas` capped at the replication factor, so a
    /// setting above it does not refuse every acks=all write for ever.
    pub fn effective_min_isr(&self) -> usize {
        (self.min_insync_replicas as usize).min(self.replicas.len())
    }

    /// `Partition.isUnderMinIsr`: fewer in-sync replicas than the effective minimum. The leader
    /// then refuses acks=all writes and holds its high watermark where it is.
    pub fn is_under_min_isr(&self) -> bool {
        self.leader.is_some() && self.isr.len() < self.effective_min_isr()
    }

    /// Moves the high watermark to the smallest LEO in the ISR (the leader's own included),
    /// unless the ISR is under its minimum: since Kafka 3.7 (KAFKA-15583,
    /// `Partition.maybeIncrementLeaderHW`) records written meanwhile (acks=1) stay invisible to
    /// consumers until enough replicas have them. Returns true if it moved.
    pub fn maybe_advance_high_watermark(&mut self) -> bool {
        if self.is_under_min_isr() {
            return false;
        }
        let mut hw = self.log.log_end_offset();
        for r in &self.followers {
            if self.isr.contains(&r.broker) {
                hw = hw.min(r.leader_view_leo);
            }
        }
        if hw > self.high_watermark {
            self.high_watermark = hw;
            self.log.on_high_watermark_updated(hw);
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

    /// What a consumer fetch from `offset` returns: `(end_offset, bytes)`, whole batches up to
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

    /// The leader answers a follower's fetch from `fetch_offset` whose log ends with a batch of
    /// `last_epoch` (`Partition.fetchRecords` for a follower): checks the follower's log agrees
    /// with its own, notes the follower's LEO (moving the high watermark and the ISR as needed)
    /// and returns batches up to its own LEO, at most `max_bytes`. A follower on a fenced broker
    /// (`eligible_for_isr` false) is served but not taken back into the ISR.
    pub fn serve_replica_fetch(
        &mut self,
        follower: BrokerId,
        fetch_offset: i64,
        last_epoch: Option<i32>,
        max_bytes: u32,
        now: Millis,
        eligible_for_isr: bool,
    ) -> (ReplicaFetchResult, FetchEffects) {
        let mut effects = FetchEffects::default();
        // Simplification: the leader compares epoch caches directly instead of over several
        // round trips; the truncation point is the same.
        let _ = last_epoch;
        let diverging = self
            .follower(follower)
            .and_then(|r| r.log.divergence_from(&self.log));
        if let Some(truncate_to) = diverging {
            return (ReplicaFetchResult::Diverging { truncate_to }, effects);
        }
        if fetch_offset < self.log.log_start_offset() {
            return (
                ReplicaFetchResult::OutOfRange {
                    log_start: self.log.log_start_offset(),
                },
                effects,
            );
        }
        let leo = self.log.log_end_offset();
        let fetch_offset = fetch_offset.min(leo);
        let Some(r) = self.follower_mut(follower) else {
            return (ReplicaFetchResult::Batches(Vec::new()), effects);
        };
        r.leader_view_leo = fetch_offset;
        if fetch_offset >= leo {
            r.last_caught_up = now;
        } else if r.last_fetch_leader_leo >= 0 && fetch_offset >= r.last_fetch_leader_leo {
            r.last_caught_up = r.last_caught_up.max(r.last_fetch_time);
        }
        r.last_fetch_leader_leo = leo;
        r.last_fetch_time = now;
        // Back in sync once it has everything below the high watermark and this epoch's start.
        if eligible_for_isr
            && !self.isr.contains(&follower)
            && fetch_offset >= self.high_watermark
            && fetch_offset >= self.leader_epoch_start_offset
        {
            self.isr.push(follower);
            effects.joined_isr = true;
        }
        effects.high_watermark_moved = self.maybe_advance_high_watermark();
        let mut out = Vec::new();
        let mut bytes = 0u32;
        for b in self.log.shared_batches_from(fetch_offset) {
            if bytes > 0 && bytes + b.size_bytes > max_bytes {
                break;
            }
            bytes += b.size_bytes;
            out.push(b.clone());
        }
        (ReplicaFetchResult::Batches(out), effects)
    }

    /// Followers in the ISR that have not caught up for longer than `lag_max_ms`
    /// (`Partition.getOutOfSyncReplicas`).
    pub fn out_of_sync_replicas(&self, now: Millis, lag_max_ms: u64) -> Vec<BrokerId> {
        self.followers
            .iter()
            .filter(|r| self.isr.contains(&r.broker))
            .filter(|r| now.saturating_sub(r.last_caught_up) > lag_max_ms)
            .map(|r| r.broker)
            .collect()
    }

    /// Removes replicas from the ISR (never the leader) and lets the high watermark advance
    /// over the smaller ISR. Returns true if the high watermark moved.
    pub fn shrink_isr(&mut self, out: &[BrokerId]) -> bool {
        let leader = self.leader;
        self.isr.retain(|b| Some(*b) == leader || !out.contains(b));
        self.maybe_advance_high_watermark()
    }

    /// A follower applies what its leader sent.
    pub fn follower_apply(
        &mut self,
        follower: BrokerId,
        result: ReplicaFetchResult,
        leader_hw: i64,
        now: Millis,
    ) {
        let Some(r) = self.follower_mut(follower) else {
            return;
        };
        match result {
            ReplicaFetchResult::Diverging { truncate_to } => r.log.truncate_to(truncate_to, now),
            ReplicaFetchResult::OutOfRange { log_start } => r.log.reset_to(log_start, now),
            ReplicaFetchResult::Batches(batches) => {
                for b in batches {
                    if b.last_offset() < r.log.log_end_offset() {
                        // Already has it (an answer overtaken by a truncation): skip.
                        continue;
                    }
                    r.log.append_replicated(b, now);
                }
                // Consumers read the leader's copy: the audit follows what the leader evicts.
                r.log.take_evicted();
            }
        }
        r.high_watermark = leader_hw.min(r.log.log_end_offset());
        let hw = r.high_watermark;
        r.log.on_high_watermark_updated(hw);
    }

    /// The offset a follower fetches from and the epoch of its last batch.
    pub fn follower_position(&self, follower: BrokerId) -> Option<(i64, Option<i32>)> {
        let r = self.follower(follower)?;
        let leo = r.log.log_end_offset();
        let last_epoch = r.log.last_batch().map(|b| b.partition_leader_epoch);
        Some((leo, last_epoch))
    }

    /// The controller makes `new_leader` the leader (or nobody: offline), bumping the leader
    /// epoch. `clean` keeps the surviving ISR; an unclean election makes the new leader the whole
    /// ISR. Logs swap places so that `log` stays the leader's. Returns what the previous leader
    /// had that the new one lacks: acknowledged data lost, unless it was never acknowledged.
    pub fn elect(
        &mut self,
        new_leader: Option<BrokerId>,
        alive: impl Fn(BrokerId) -> bool,
        now: Millis,
    ) -> ElectionOutcome {
        self.leader_epoch += 1;
        let mut outcome = ElectionOutcome::default();
        let Some(b) = new_leader else {
            self.leader = None;
            // The last ISR member stays in the ISR while it is down (it has everything).
            let last = self.isr.first().copied();
            self.isr.retain(|&r| alive(r));
            if self.isr.is_empty() {
                self.isr.extend(last);
            }
            return outcome;
        };
        if b != self.log_owner {
            let i = self
                .followers
                .iter()
                .position(|r| r.broker == b)
                .expect("new leader is a replica");
            let mut r = self.followers.remove(i);
            std::mem::swap(&mut r.log, &mut self.log);
            // `r.log` is now the previous leader's log.
            outcome = dropped_by(&r.log, &self.log);
            let old_owner = self.log_owner;
            self.followers.push(Replica::new(old_owner, r.log, now));
            crate::ground::sort::sort_by_key(&mut self.followers, |f| {
                self.replicas
                    .iter()
                    .position(|&x| x == f.broker)
                    .unwrap_or(usize::MAX)
            });
            self.log_owner = b;
        }
        if !self.isr.contains(&b) {
            self.isr = vec![b];
            self.unclean_elections += 1;
        } else {
            self.isr.retain(|&r| alive(r));
        }
        self.leader = Some(b);
        let leo = self.log.log_end_offset();
        self.leader_epoch_start_offset = leo;
        self.log.assign_epoch_start(self.leader_epoch, leo);
        self.high_watermark = self.high_watermark.min(leo);
        for r in &mut self.followers {
            r.leader_view_leo = -1;
            r.last_caught_up = now;
            r.last_fetch_leader_leo = -1;
            r.last_fetch_time = now;
        }
        outcome
    }

    /// Whether every replica's log holds the same batches as the leader's over the range they
    /// all keep (what the replicas converge to once caught up).
    pub fn replicas_agree(&self) -> bool {
        let key = |b: &RecordBatch| (b.base_offset, b.partition_leader_epoch, b.record_count());
        self.followers.iter().all(|r| {
            let from = r.log.log_start_offset().max(self.log.log_start_offset());
            r.log.log_end_offset() == self.log.log_end_offset()
                && r.log
                    .batches_from(from)
                    .map(key)
                    .eq(self.log.batches_from(from).map(key))
        })
    }
}

/// Batches of `old` (a previous leader's log) that `new` (the new leader's) does not have, the
/// tail of `old` from where the two diverge, and the other way round.
fn dropped_by(old: &PartitionLog, new: &PartitionLog) -> ElectionOutcome {
    let mut outcome = ElectionOutcome::default();
    if let Some(from) = old.divergence_from(new) {
        outcome.dropped_records = tail_of(old, from, &mut outcome.dropped);
    }
    if let Some(from) = new.divergence_from(old) {
        tail_of(new, from, &mut outcome.restored);
    }
    outcome
}

/// The data records of `log` from offset `from` on, by the producer record numbers they carry;
/// returns how many there are.
fn tail_of(log: &PartitionLog, from: i64, out: &mut Vec<(BatchOrigin, u32)>) -> u64 {
    let mut records = 0;
    for b in log.batches_from(from) {
        if b.control.is_some() || b.next_offset() <= from {
            continue;
        }
        let skip = (from - b.base_offset).max(0) as usize;
        let n = b.records.len().saturating_sub(skip);
        records += n as u64;
        if let Some(origin) = b.origin {
            let first = BatchOrigin {
                producer: origin.producer,
                first_record: origin.first_record + skip as u64,
            };
            out.push((first, n as u32));
        }
    }
    records
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::{LogConfig, RecordMeta};

    /// A transactional batch of `records` from producer 7, epoch 0, starting at `seq`.
    fn txn_batch(records: u32, seq: i32) -> RecordBatch {
        RecordBatch {
            base_offset: 0,
            partition_leader_epoch: 0,
            first_timestamp: 0,
            max_timestamp: 0,
            producer_id: 7,
            producer_epoch: 0,
            base_sequence: seq,
            is_transactional: true,
            control: None,
            size_bytes: 61 + records * 20,
            compression: crate::log::Compression::None,
            uncompressed_bytes: 61 + records * 20,
            records: vec![
                RecordMeta {
                    key: 0,
                    ts_delta: 0,
                    value_len: 10
                };
                records as usize
            ],
            typed: Vec::new(),
            origin: None,
            delete_horizon_ms: None,
        }
    }

    /// Partition of three replicas led by broker 1.
    fn three_replicas() -> Partition {
        Partition::new(
            0,
            0,
            0,
            false,
            vec![1, 2, 3],
            Some(1),
            || PartitionLog::new(LogConfig::default(), 0),
            0,
        )
    }

    /// Followers fetch everything the leader has.
    fn replicate(p: &mut Partition) {
        for f in [2, 3] {
            let from = p.follower(f).unwrap().log.log_end_offset();
            let (result, _) = p.serve_replica_fetch(f, from, None, u32::MAX, 0, true);
            let hw = p.high_watermark;
            p.follower_apply(f, result, hw, 0);
            let leo = p.follower(f).unwrap().log.log_end_offset();
            p.serve_replica_fetch(f, leo, None, u32::MAX, 0, true);
        }
    }

    /// `ProducerStateManager.unreplicatedTxns` / `firstUnstableOffset`: a committed transaction
    /// is not stable until its marker is below the high watermark, because until then a new
    /// leader may not have the marker and would still see the transaction open.
    #[test]
    fn last_stable_offset_waits_for_the_marker_to_be_replicated() {
        let mut p = three_replicas();
        p.append_as_leader(txn_batch(5, 0), 0).unwrap();
        replicate(&mut p);
        assert_eq!(p.high_watermark, 5);
        assert_eq!(p.last_stable_offset(), 0, "the transaction is open");
        let marker = p.append_marker(7, 0, true, 0);
        assert_eq!(marker, 5);
        assert_eq!(p.high_watermark, 5, "followers lack the marker");
        assert_eq!(
            p.last_stable_offset(),
            0,
            "committed, but not stable before the marker is replicated"
        );
        replicate(&mut p);
        assert_eq!(p.high_watermark, 6);
        assert_eq!(
            p.last_stable_offset(),
            6,
            "stable once the marker is replicated"
        );
    }

    /// `Replica.updateFetchStateOrThrow`: a follower whose fetch offset equals the leader's log
    /// end offset is caught up at that fetch, so on an idle partition a follower that keeps
    /// fetching never counts as lagging however long nothing is written; one that stops
    /// fetching does after `replica.lag.time.max.ms`.
    #[test]
    fn a_follower_at_the_leaders_log_end_is_caught_up() {
        let mut p = three_replicas();
        p.append_as_leader(txn_batch(3, 0), 0).unwrap();
        replicate(&mut p);
        // Nothing new for a minute; broker 2 keeps fetching at the log end, broker 3 stops.
        for t in (1..=60).map(|s| s * 1_000) {
            let leo = p.follower(2).unwrap().log.log_end_offset();
            p.serve_replica_fetch(2, leo, None, u32::MAX, t, true);
        }
        assert_eq!(p.out_of_sync_replicas(60_000, 30_000), vec![3]);
        // A fenced broker's follower is served but not taken back into the ISR (KIP-841).
        p.shrink_isr(&[3]);
        let leo = p.follower(3).unwrap().log.log_end_offset();
        p.serve_replica_fetch(3, leo, None, u32::MAX, 61_000, false);
        assert!(!p.isr.contains(&3));
        p.serve_replica_fetch(3, leo, None, u32::MAX, 62_000, true);
        assert!(p.isr.contains(&3));
    }
}
