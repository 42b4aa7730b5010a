//! The delivery audit: which produced records each group consumed, how often, in what order.
//!
//! A record is identified by (producer, partition, n): the producer's running number of the
//! record in that partition, which the log keeps in each batch's origin. A retried batch that was
//! appended twice therefore carries the same numbers twice, and a consumer that reads it twice
//! (or re-reads after a rebalance) is seen delivering the same record again. Per key, the order
//! check compares numbers of the same producer within the same partition, which is the order
//! Kafka guarantees: a record sent earlier must not sit at a higher offset than one sent later.
//! A group that reads a partition again from an earlier offset (a member that reset to `latest`
//! crashed before committing, and the next one resets to `earliest`) reads older records after
//! newer ones without any disorder in the log, so the check compares offsets too.

mod interval_set;

use crate::ground::small_map::SmallMap;
use std::collections::BTreeMap;

use serde::Serialize;

pub use interval_set::IntervalSet;

use crate::ground::PartitionIdx;
use crate::log::{RecordMeta, NULL_KEY};

/// One group's (or one group-less consumer's) view of deliveries.
#[derive(Clone, Debug, Default)]
struct SlotAudit {
    name: String,
    /// [producer][partition]: record numbers handed to the application at least once.
    delivered: Vec<Vec<IntervalSet>>,
    /// [producer][key]: the latest delivered record of that key.
    key_last: Vec<Vec<KeyLast>>,
    key_last_interned: BTreeMap<(u32, u32), KeyLast>,
    /// [producer][partition]: (deliveries, duplicates, re-reads after a reset), so that a report
    /// over some partitions counts deliveries of the same records as its distinct ones (a group
    /// whose members have left, or that reads other topics now, keeps its history of the others).
    counts: Vec<Vec<(u64, u64, u64)>>,
    /// [read partition]: one past the highest offset delivered from it.
    read_end: Vec<i64>,
    /// [read partition]: an offset reset moved the group back from here: records read again
    /// below it were asked for (a replay), not duplicates.
    rewound_from: Vec<i64>,
    deliveries: u64,
    duplicates: u64,
    order_violations: u64,
}

/// Where the latest delivered record of a key came from, and where it was read.
#[derive(Clone, Copy, Debug, Default)]
struct KeyLast {
    /// (partition << 40) | (n + 1) of the record; 0 before any delivery.
    record: u64,
    /// The partition the group read it from (for a derived record, not its origin's) ...
    read_partition: PartitionIdx,
    /// ... and its offset there.
    offset: i64,
}

/// Where a run of delivered records was read: a partition and the offset of the first record.
#[derive(Clone, Copy, Debug)]
pub struct ReadAt {
    pub partition: PartitionIdx,
    pub offset: i64,
}

#[derive(Clone, Debug, Default)]
pub struct DeliveryAudit {
    /// [producer][partition]: record numbers the producer got acknowledged (for a transactional
    /// producer: of committed transactions).
    acked: Vec<Vec<IntervalSet>>,
    /// [producer][partition]: record numbers written in transactions that aborted.
    aborted: Vec<Vec<IntervalSet>>,
    /// [producer][partition]: record numbers a leader election threw away (the previous leader
    /// had them, the new one does not), unless a retry appended them again since or a later
    /// election made a replica leader that still has them.
    dropped: Vec<Vec<IntervalSet>>,
    /// [producer][partition]: record numbers the playground's memory bound removed from a
    /// leader's log (not retention, not Kafka: `sim.log.memory.bytes`).
    evicted: Vec<Vec<IntervalSet>>,
    slots: Vec<SlotAudit>,
    by_name: SmallMap<String, u32>,
}

/// The audit's verdict for one group over a set of partitions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AuditReport {
    /// Records acknowledged to producers in the group's partitions.
    pub produced: u64,
    /// Records handed to the application, redeliveries included.
    pub consumed: u64,
    /// Distinct records handed to the application.
    pub unique_consumed: u64,
    /// Deliveries of a record already delivered that nobody asked for: redeliveries after a
    /// retry appended a record twice, a crash or a rebalance before a commit.
    pub duplicates: u64,
    /// Deliveries of a record already delivered because an offset reset moved the group back
    /// over it (`kafka-consumer-groups --reset-offsets`): a replay, counted apart.
    pub reread_after_reset: u64,
    /// Acknowledged records not delivered although an earlier and a later record of the same
    /// producer and partition were (lost to the group: skipped, or deleted before it read them).
    pub gaps: u64,
    /// Acknowledged records not delivered yet (those the memory bound removed excepted).
    pub not_yet_consumed: u64,
    /// Acknowledged records the playground's memory bound removed before the group read them:
    /// a limit of the simulation, not of Kafka, counted apart from gaps and from what is not
    /// consumed yet.
    pub evicted: u64,
    /// Deliveries that came before an earlier-sent record of the same key and partition.
    pub order_violations: u64,
    /// Distinct delivered records of aborted transactions (read_uncommitted sees them).
    pub aborted_seen: u64,
    /// Acknowledged records a leader election threw away: no replica has them any more.
    pub lost: u64,
}

fn grow<T: Default + Clone>(v: &mut Vec<T>, i: usize) -> &mut T {
    if v.len() <= i {
        v.resize(i + 1, T::default());
    }
    &mut v[i]
}

impl DeliveryAudit {
    /// The slot for a group (created on first use).
    pub fn slot(&mut self, name: &str) -> u32 {
        if let Some(&s) = self.by_name.get(name) {
            return s;
        }
        let s = self.slots.len() as u32;
        self.slots.push(SlotAudit {
            name: name.to_string(),
            ..Default::default()
        });
        self.by_name.insert(name.to_string(), s);
        s
    }

    pub fn slot_of(&self, name: &str) -> Option<u32> {
        self.by_name.get(name).copied()
    }

    pub fn slot_names(&self) -> impl Iterator<Item = &str> {
        self.slots.iter().map(|s| s.name.as_str())
    }

    /// The producer got `count` records acknowledged, numbered from `first` in `partition`.
    pub fn on_acked(&mut self, producer: u32, partition: PartitionIdx, first: u64, count: u64) {
        let per_producer = grow(&mut self.acked, producer as usize);
        grow(per_producer, partition as usize).insert(first, first + count);
    }

    /// A leader appended these records, or a new leader's log has them: if an election had
    /// thrown them away, they are served again.
    #[inline]
    pub fn on_appended(&mut self, producer: u32, partition: PartitionIdx, first: u64, count: u64) {
        if self.dropped.is_empty() {
            return;
        }
        if let Some(d) = self
            .dropped
            .get_mut(producer as usize)
            .and_then(|v| v.get_mut(partition as usize))
        {
            d.remove(first, first + count);
        }
    }

    /// A leader election threw these records away.
    pub fn on_dropped(&mut self, producer: u32, partition: PartitionIdx, first: u64, count: u64) {
        let per_producer = grow(&mut self.dropped, producer as usize);
        grow(per_producer, partition as usize).insert(first, first + count);
    }

    /// Acknowledged records that no replica will ever serve again, over the given partitions.
    pub fn lost(&self, partitions: &[PartitionIdx]) -> u64 {
        let mut n = 0;
        for (producer, per_partition) in self.dropped.iter().enumerate() {
            for &p in partitions {
                let (Some(d), Some(a)) = (
                    per_partition.get(p as usize),
                    self.acked.get(producer).and_then(|v| v.get(p as usize)),
                ) else {
                    continue;
                };
                n += d.intersection_len(a);
            }
        }
        n
    }

    /// The memory bound removed these records from the leader's log.
    pub fn on_evicted(&mut self, producer: u32, partition: PartitionIdx, first: u64, count: u64) {
        let per_producer = grow(&mut self.evicted, producer as usize);
        grow(per_producer, partition as usize).insert(first, first + count);
    }

    /// Acknowledged records in `[lo, hi)` that the memory bound removed and `delivered` lacks.
    fn evicted_unread(
        &self,
        producer: usize,
        p: PartitionIdx,
        acked: &IntervalSet,
        delivered: Option<&IntervalSet>,
        (lo, hi): (u64, u64),
    ) -> u64 {
        let Some(ev) = self.evicted.get(producer).and_then(|v| v.get(p as usize)) else {
            return 0;
        };
        let mut n = 0;
        for &(a, b) in ev.ranges() {
            let (a, b) = (a.max(lo), b.min(hi));
            if a >= b {
                continue;
            }
            let acked_here = acked.restricted(a, b);
            n += acked_here.len() - delivered.map_or(0, |d| acked_here.intersection_len(d));
        }
        n
    }

    /// The producer's transaction aborted: these records were written but never committed.
    pub fn on_aborted(&mut self, producer: u32, partition: PartitionIdx, first: u64, count: u64) {
        let per_producer = grow(&mut self.aborted, producer as usize);
        grow(per_producer, partition as usize).insert(first, first + count);
    }

    /// A consumer of `slot` handed `records` (numbered from `first`, read from `at` on) to its
    /// application.
    #[inline]
    pub fn on_delivered(
        &mut self,
        slot: u32,
        producer: u32,
        partition: PartitionIdx,
        first: u64,
        records: &[RecordMeta],
        at: ReadAt,
    ) {
        let s = &mut self.slots[slot as usize];
        let n = records.len() as u64;
        let set = grow(
            grow(&mut s.delivered, producer as usize),
            partition as usize,
        );
        // Usually a run starts past everything delivered so far: no duplicates to look for.
        let before = (!set.is_after_end(first)).then(|| set.restricted(first, first + n));
        set.insert(first, first + n);
        let mut duplicates = before.as_ref().map_or(0, |b| b.len());
        let read_end = grow(&mut s.read_end, at.partition as usize);
        *read_end = (*read_end).max(at.offset + n as i64);
        // Of those, the ones read below where a reset moved the group back from were asked for.
        let rewound_from = s
            .rewound_from
            .get(at.partition as usize)
            .copied()
            .unwrap_or(0);
        let rereads = match &before {
            Some(b) if duplicates > 0 && at.offset < rewound_from => (0..n)
                .filter(|&i| at.offset + (i as i64) < rewound_from && b.contains(first + i))
                .count()
                as u64,
            _ => 0,
        };
        duplicates -= rereads;
        if rewound_from > 0 && at.offset + n as i64 >= rewound_from {
            // The replay is over: a later redelivery down there is a duplicate again.
            s.rewound_from[at.partition as usize] = 0;
        }
        s.deliveries += n;
        s.duplicates += duplicates;
        let counts = grow(grow(&mut s.counts, producer as usize), partition as usize);
        counts.0 += n;
        counts.1 += duplicates;
        counts.2 += rereads;
        let keys = grow(&mut s.key_last, producer as usize);
        for (i, r) in records.iter().enumerate() {
            if r.key == NULL_KEY {
                continue;
            }
            let seq = first + i as u64;
            if before.as_ref().is_some_and(|b| b.contains(seq)) {
                continue; // a redelivery is a duplicate, not an ordering question
            }
            let slot = if r.key & (1 << 31) == 0 {
                grow(keys, r.key as usize)
            } else {
                s.key_last_interned.entry((producer, r.key)).or_default()
            };
            let offset = at.offset + i as i64;
            let last = *slot;
            if last.record != 0
                && last.record >> 40 == partition as u64
                && (last.record & ((1 << 40) - 1)) > seq + 1
                && !(last.read_partition == at.partition && last.offset > offset)
            {
                // A record sent later with the same key was delivered before this one, from an
                // earlier place in the log (reading from an earlier offset again is a re-read).
                s.order_violations += 1;
                continue;
            }
            *slot = KeyLast {
                record: ((partition as u64) << 40) | (seq + 1),
                read_partition: at.partition,
                offset,
            };
        }
    }

    /// An offset reset set the committed offset of `slot` in `partition` to `offset`: if that is
    /// behind what the group has read there, what it reads again up to there is a replay.
    pub fn on_offsets_reset(&mut self, slot: u32, partition: PartitionIdx, offset: i64) {
        let Some(s) = self.slots.get_mut(slot as usize) else {
            return;
        };
        let read_end = s.read_end.get(partition as usize).copied().unwrap_or(0);
        if offset < read_end {
            let from = grow(&mut s.rewound_from, partition as usize);
            *from = (*from).max(read_end);
        }
    }

    /// Record numbers acknowledged to a producer in a partition.
    pub fn acked(&self, producer: u32, partition: PartitionIdx) -> Option<&IntervalSet> {
        self.acked.get(producer as usize)?.get(partition as usize)
    }

    pub fn deliveries(&self, slot: u32) -> u64 {
        self.slots.get(slot as usize).map_or(0, |s| s.deliveries)
    }

    /// The verdict for a slot over the given partitions.
    pub fn report(&self, slot: Option<u32>, partitions: &[PartitionIdx]) -> AuditReport {
        let mut r = AuditReport::default();
        let s = slot.and_then(|i| self.slots.get(i as usize));
        for (producer, per_partition) in self.acked.iter().enumerate() {
            for &p in partitions {
                let Some(acked) = per_partition.get(p as usize) else {
                    continue;
                };
                r.produced += acked.len();
                let delivered = s
                    .and_then(|s| s.delivered.get(producer))
                    .and_then(|v| v.get(p as usize));
                let evicted = self.evicted_unread(producer, p, acked, delivered, (0, u64::MAX));
                r.evicted += evicted;
                let Some(delivered) = delivered else {
                    r.not_yet_consumed += acked.len() - evicted;
                    continue;
                };
                let acked_and_delivered = acked.intersection_len(delivered);
                r.not_yet_consumed += acked.len() - acked_and_delivered - evicted;
                // Lost: acknowledged records inside the range the group delivered from this
                // producer and partition, but never delivered. Records before the first delivery
                // (auto.offset.reset=latest, a group that started later) are not lost.
                if let (Some(min), Some(max)) = (delivered.min(), delivered.max()) {
                    let acked_inside = acked.count_in(min, max + 1);
                    let both_inside = acked.intersection_len_below(delivered, max + 1);
                    let evicted_inside =
                        self.evicted_unread(producer, p, acked, Some(delivered), (min, max + 1));
                    r.gaps += acked_inside - both_inside - evicted_inside;
                }
            }
        }
        r.lost = self.lost(partitions);
        if let Some(s) = s {
            for (producer, per_partition) in s.delivered.iter().enumerate() {
                for &p in partitions {
                    if let Some(&(deliveries, duplicates, rereads)) =
                        s.counts.get(producer).and_then(|v| v.get(p as usize))
                    {
                        r.consumed += deliveries;
                        r.duplicates += duplicates;
                        r.reread_after_reset += rereads;
                    }
                    if let Some(d) = per_partition.get(p as usize) {
                        r.unique_consumed += d.len();
                        if let Some(a) = self.aborted.get(producer).and_then(|v| v.get(p as usize))
                        {
                            r.aborted_seen += a.intersection_len(d);
                        }
                    }
                }
            }
            r.order_violations = s.order_violations;
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recs(n: usize) -> Vec<RecordMeta> {
        vec![
            RecordMeta {
                key: 1,
                ts_delta: 0,
                value_len: 1
            };
            n
        ]
    }

    /// Tests number records by their offset: record n sits at offset n.
    fn at(partition: PartitionIdx, offset: u64) -> ReadAt {
        ReadAt {
            partition,
            offset: offset as i64,
        }
    }

    #[test]
    fn records_before_the_first_delivery_are_not_lost_but_holes_after_it_are() {
        let mut a = DeliveryAudit::default();
        let g = a.slot("g");
        a.on_acked(0, 0, 0, 100);
        a.on_delivered(g, 0, 0, 50, &recs(10), at(0, 50));
        a.on_delivered(g, 0, 0, 70, &recs(30), at(0, 70));
        let r = a.report(Some(g), &[0]);
        assert_eq!(r.produced, 100);
        assert_eq!(r.unique_consumed, 40);
        assert_eq!(r.gaps, 10, "60..70 was skipped");
        assert_eq!(r.not_yet_consumed, 60);
        assert_eq!(r.duplicates, 0);
    }

    #[test]
    fn records_read_again_after_an_offset_reset_are_a_replay_not_duplicates() {
        let mut a = DeliveryAudit::default();
        let g = a.slot("g");
        a.on_acked(0, 0, 0, 100);
        a.on_delivered(g, 0, 0, 0, &recs(60), at(0, 0));
        // A redelivery nobody asked for (a rebalance before a commit): a duplicate.
        a.on_delivered(g, 0, 0, 50, &recs(10), at(0, 50));
        // Reset to offset 20, behind the 60 read: 20..60 read again is the replay asked for,
        // and reading on from 60 is new.
        a.on_offsets_reset(g, 0, 20);
        a.on_delivered(g, 0, 0, 20, &recs(30), at(0, 20));
        a.on_delivered(g, 0, 0, 50, &recs(20), at(0, 50));
        let r = a.report(Some(g), &[0]);
        assert_eq!((r.duplicates, r.reread_after_reset), (10, 40));
        assert_eq!(r.consumed, 60 + 10 + 30 + 20);
        assert_eq!(r.unique_consumed, 70);
        // The replay is over: a later redelivery below 60 is a duplicate again.
        a.on_delivered(g, 0, 0, 40, &recs(5), at(0, 40));
        let r = a.report(Some(g), &[0]);
        assert_eq!((r.duplicates, r.reread_after_reset), (15, 40));
    }

    #[test]
    fn a_reset_forward_or_of_another_partition_changes_nothing() {
        let mut a = DeliveryAudit::default();
        let g = a.slot("g");
        a.on_acked(0, 0, 0, 100);
        a.on_delivered(g, 0, 0, 0, &recs(30), at(0, 0));
        a.on_offsets_reset(g, 0, 80);
        a.on_offsets_reset(g, 1, 0);
        a.on_delivered(g, 0, 0, 10, &recs(5), at(0, 10));
        let r = a.report(Some(g), &[0]);
        assert_eq!((r.duplicates, r.reread_after_reset), (5, 0));
    }

    #[test]
    fn a_report_over_some_partitions_counts_their_deliveries_only() {
        // Found by tests/whole_scenarios.rs: a processor's group whose member had crashed
        // reported 295 deliveries and 0 distinct records (deliveries were the slot's total).
        let mut a = DeliveryAudit::default();
        let g = a.slot("g");
        a.on_acked(0, 0, 0, 10);
        a.on_acked(0, 1, 0, 10);
        a.on_delivered(g, 0, 0, 0, &recs(10), at(0, 0));
        a.on_delivered(g, 0, 1, 0, &recs(10), at(1, 0));
        a.on_delivered(g, 0, 1, 5, &recs(5), at(1, 5));
        let only_0 = a.report(Some(g), &[0]);
        assert_eq!(
            (only_0.consumed, only_0.unique_consumed, only_0.duplicates),
            (10, 10, 0)
        );
        let only_1 = a.report(Some(g), &[1]);
        assert_eq!(
            (only_1.consumed, only_1.unique_consumed, only_1.duplicates),
            (15, 10, 5)
        );
        let none = a.report(Some(g), &[]);
        assert_eq!(
            (none.consumed, none.unique_consumed, none.duplicates),
            (0, 0, 0)
        );
    }

    #[test]
    fn a_redelivered_run_counts_as_duplicates_not_as_reordering() {
        let mut a = DeliveryAudit::default();
        let g = a.slot("g");
        a.on_acked(0, 0, 0, 20);
        a.on_delivered(g, 0, 0, 0, &recs(20), at(0, 0));
        a.on_delivered(g, 0, 0, 10, &recs(10), at(0, 10));
        let r = a.report(Some(g), &[0]);
        assert_eq!(
            (r.duplicates, r.order_violations, r.unique_consumed),
            (10, 0, 20)
        );
    }

    #[test]
    fn an_earlier_record_of_a_key_after_a_later_one_is_an_order_violation() {
        // A retry appended record 3 after record 5 (offsets 5 and 6).
        let mut a = DeliveryAudit::default();
        let g = a.slot("g");
        a.on_delivered(g, 0, 0, 5, &recs(1), at(0, 5));
        a.on_delivered(g, 0, 0, 3, &recs(1), at(0, 6));
        assert_eq!(a.report(Some(g), &[0]).order_violations, 1);
    }

    #[test]
    fn reading_earlier_records_from_an_earlier_offset_is_not_an_order_violation() {
        // A member reset to latest read 150..200 and crashed before committing; the next one
        // reset to earliest and read from 0. The log holds every key in send order.
        let mut a = DeliveryAudit::default();
        let g = a.slot("g");
        a.on_acked(0, 0, 0, 250);
        a.on_delivered(g, 0, 0, 150, &recs(50), at(0, 150));
        a.on_delivered(g, 0, 0, 0, &recs(250), at(0, 0));
        let r = a.report(Some(g), &[0]);
        assert_eq!(
            (r.order_violations, r.duplicates, r.unique_consumed),
            (0, 50, 250)
        );
        // The same re-read elsewhere (another partition's log) does not excuse disorder.
        let mut b = DeliveryAudit::default();
        let g = b.slot("g");
        b.on_delivered(g, 0, 0, 5, &recs(1), at(0, 5));
        b.on_delivered(g, 0, 0, 3, &recs(1), at(1, 0));
        assert_eq!(b.report(Some(g), &[0]).order_violations, 1);
    }
}
