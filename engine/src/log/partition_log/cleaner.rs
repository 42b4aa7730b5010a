//! The log cleaner for `cleanup.policy=compact` (`LogCleaner`, `Cleaner.doClean`): over the
//! cleanable part of a log (closed segments below the last stable offset, older than
//! `min.compaction.lag.ms`) it keeps, for every key, only the record with the highest offset.
//! Offsets never change, so a cleaned log has gaps. A tombstone (a null value) stays while it is
//! the latest of its key until `delete.retention.ms` after the cleaner first saw it (the batch's
//! delete horizon, KIP-534), so that slow readers still learn of the delete; then it goes too.
//! Records of aborted transactions go at the first cleaning; markers stay.
//!
//! Simplification: a batch the cleaner thins out is stored as one batch per run of consecutive
//! kept offsets (each record keeps its offset); Kafka keeps the original batch header with
//! holes inside. Offsets, keys, values and timestamps are the same either way.

use std::collections::HashMap;
use std::sync::Arc;

use super::PartitionLog;
use crate::ground::Millis;
use crate::log::batch::increment_sequence;
use crate::log::record::NULL_VALUE;
use crate::log::{ControlType, RecordBatch, BATCH_OVERHEAD_BYTES, NULL_KEY};

/// What one cleaning pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CleanerStats {
    /// Records superseded by a later record of the same key (or aborted), removed.
    pub records_removed: u64,
    /// Tombstones removed after their delete horizon.
    pub tombstones_removed: u64,
    /// Transaction markers removed after their delete horizon, their transaction's batches gone.
    pub markers_removed: u64,
    pub bytes_removed: u64,
    /// Offsets below this are clean now.
    pub cleaned_up_to: i64,
}

impl PartitionLog {
    /// The first offset the cleaner must not touch: the active segment, anything at or after
    /// `first_unstable` (the last stable offset), and the first segment holding records younger
    /// than `min_lag_ms`.
    pub fn cleanable_end(&self, now: Millis, first_unstable: i64, min_lag_ms: u64) -> i64 {
        let active = self.segments.keys().next_back().copied().unwrap_or(0);
        let mut end = first_unstable.min(active);
        if min_lag_ms > 0 {
            if let Some(young) = self.segments.values().find(|s| {
                !s.batches().is_empty() && now.saturating_sub(s.max_timestamp()) < min_lag_ms
            }) {
                end = end.min(young.base_offset);
            }
        }
        end
    }

    /// Segments wholly below `end`, as (base offset, next segment's base offset).
    fn closed_below(&self, end: i64) -> Vec<(i64, i64)> {
        let bases: Vec<i64> = self.segments.keys().copied().collect();
        bases
            .iter()
            .enumerate()
            .map(|(i, &b)| (b, bases.get(i + 1).copied().unwrap_or(self.log_end_offset)))
            .filter(|&(_, next)| next <= end)
            .collect()
    }

    /// Dirty bytes over cleanable bytes below `end` (`LogToClean.cleanableRatio`).
    pub fn dirty_ratio(&self, end: i64) -> f64 {
        let (mut clean, mut dirty) = (0u64, 0u64);
        for (base, next) in self.closed_below(end) {
            let size = self.segments[&base].size_bytes();
            if next <= self.clean_offset {
                clean += size;
            } else {
                dirty += size;
            }
        }
        if dirty == 0 {
            0.0
        } else {
            dirty as f64 / (clean + dirty) as f64
        }
    }

    /// Whether the cleaner picks this log now: enough dirty data, or tombstones past their
    /// delete horizon.
    pub fn needs_cleaning(&self, now: Millis, end: i64, min_dirty_ratio: f64) -> bool {
        // `grabFilthiestCompactedLog`: strictly greater than min.cleanable.dirty.ratio.
        let ratio = self.dirty_ratio(end);
        if ratio > min_dirty_ratio && ratio > 0.0 {
            return true;
        }
        self.closed_below(end).iter().any(|(base, _)| {
            self.segments[base]
                .batches()
                .iter()
                .any(|b| b.delete_horizon_ms.is_some_and(|h| now >= h))
        })
    }

    /// One cleaning pass over the segments wholly below `end`.
    pub fn clean(&mut self, now: Millis, end: i64, delete_retention_ms: u64) -> CleanerStats {
        let mut stats = CleanerStats {
            cleaned_up_to: self.clean_offset,
            ..CleanerStats::default()
        };
        let segments = self.closed_below(end);
        if segments.is_empty() {
            return stats;
        }
        // The offset map: the latest offset of every key in the cleanable range.
        let mut latest: HashMap<u32, i64> = HashMap::new();
        for &(base, _) in &segments {
            for b in self.segments[&base].batches() {
                if b.control.is_some() || self.aborted_batch(b) {
                    continue;
                }
                for (i, r) in b.records.iter().enumerate() {
                    if r.key != NULL_KEY {
                        latest.insert(r.key, b.base_offset + i as i64);
                    }
                }
            }
        }
        let interval = self.config.index_interval_bytes;
        // `CleanedTransactionMetadata`: producers whose transactional batches this pass met (kept
        // committed data, or aborted data it removes). A marker whose transaction left no batch
        // behind goes once its delete horizon has passed; until then it gets one.
        let mut committed_seen: Vec<i64> = Vec::new();
        let mut aborted_seen: Vec<i64> = Vec::new();
        for &(base, next) in &segments {
            let old = self.segments[&base].batches().to_vec();
            let mut kept_batches = Vec::with_capacity(old.len());
            for b in old {
                let mut b = Arc::unwrap_or_clone(b);
                if let Some(control) = b.control {
                    let seen = match control {
                        ControlType::Commit => &mut committed_seen,
                        ControlType::Abort => &mut aborted_seen,
                    };
                    let had_data = seen.contains(&b.producer_id);
                    seen.retain(|&p| p != b.producer_id);
                    let horizon_passed = b.delete_horizon_ms.is_some_and(|h| now >= h);
                    if !had_data && horizon_passed {
                        stats.markers_removed += 1;
                        stats.bytes_removed += b.size_bytes as u64;
                        continue;
                    }
                    b.delete_horizon_ms = b.delete_horizon_ms.or(Some(now + delete_retention_ms));
                    kept_batches.push(b);
                    continue;
                }
                if self.aborted_batch(&b) {
                    if !aborted_seen.contains(&b.producer_id) {
                        aborted_seen.push(b.producer_id);
                    }
                    stats.records_removed += b.records.len() as u64;
                    stats.bytes_removed += b.size_bytes as u64;
                    continue;
                }
                let horizon_passed = b.delete_horizon_ms.is_some_and(|h| now >= h);
                let mut keep = vec![false; b.records.len()];
                let mut tombstones_kept = false;
                for (i, r) in b.records.iter().enumerate() {
                    let offset = b.base_offset + i as i64;
                    let newest = r.key == NULL_KEY || latest.get(&r.key) == Some(&offset);
                    if !newest {
                        stats.records_removed += 1;
                        continue;
                    }
                    if r.value_len == NULL_VALUE {
                        if horizon_passed {
                            stats.tombstones_removed += 1;
                            continue;
                        }
                        tombstones_kept = true;
                    }
                    keep[i] = true;
                }
                let horizon = if tombstones_kept {
                    b.delete_horizon_ms.or(Some(now + delete_retention_ms))
                } else {
                    None
                };
                if b.is_transactional && !committed_seen.contains(&b.producer_id) {
                    committed_seen.push(b.producer_id);
                }
                let before = b.size_bytes as u64;
                let runs = split_runs(&b, &keep, horizon);
                let after: u64 = runs.iter().map(|r| r.size_bytes as u64).sum();
                stats.bytes_removed += before.saturating_sub(after);
                kept_batches.extend(runs);
            }
            let seg = self.segments.get_mut(&base).expect("listed");
            let (records_before, bytes_before) = (seg.records(), seg.size_bytes());
            seg.replace_batches(kept_batches.into_iter().map(Arc::new), interval);
            self.records = self.records - records_before + seg.records();
            self.size_bytes = self.size_bytes - bytes_before + seg.size_bytes();
            self.clean_offset = self.clean_offset.max(next);
        }
        self.merge_cleaned(&segments, interval);
        stats.cleaned_up_to = self.clean_offset;
        self.sparse |= stats.records_removed + stats.tombstones_removed + stats.markers_removed > 0;
        stats
    }

    /// `groupSegmentsBySize`: adjacent cleaned segments whose batches fit in `segment.bytes`
    /// together become one (the first one's base offset and creation time, every batch in
    /// order). Without it a compacted log kept one nearly empty segment per `segment.bytes` ever
    /// written, and appends, which weigh every segment against the memory bound, slowed to a
    /// crawl (10 hot keys at 200 000 records/s: 2564 segments for 5877 records after 5 s).
    fn merge_cleaned(&mut self, cleaned: &[(i64, i64)], interval: u32) {
        let limit = self.config.segment_bytes;
        let mut group: Option<i64> = None;
        for &(base, _) in cleaned {
            let size = self.segments[&base].size_bytes();
            match group {
                Some(first) if self.segments[&first].size_bytes() + size <= limit => {
                    let seg = self.segments.remove(&base).expect("listed");
                    let into = self.segments.get_mut(&first).expect("listed");
                    let mut batches = into.batches().to_vec();
                    batches.extend_from_slice(seg.batches());
                    into.replace_batches(batches, interval);
                }
                _ => group = Some(base),
            }
        }
    }

    fn aborted_batch(&self, b: &RecordBatch) -> bool {
        b.is_transactional && self.is_aborted(b.producer_id, b.base_offset)
    }
}

/// The batch as one batch per run of kept records (each keeps its offset).
fn split_runs(b: &RecordBatch, keep: &[bool], horizon: Option<Millis>) -> Vec<RecordBatch> {
    let n = b.records.len();
    if keep.iter().all(|&k| k) {
        return vec![RecordBatch {
            delete_horizon_ms: horizon,
            ..b.clone()
        }];
    }
    let per_record = b.size_bytes.saturating_sub(BATCH_OVERHEAD_BYTES) / n.max(1) as u32;
    let raw_per_record =
        b.uncompressed_bytes.saturating_sub(BATCH_OVERHEAD_BYTES) / n.max(1) as u32;
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        if !keep[i] {
            i += 1;
            continue;
        }
        let start = i;
        while i < n && keep[i] {
            i += 1;
        }
        let len = i - start;
        out.push(RecordBatch {
            base_offset: b.base_offset + start as i64,
            base_sequence: if b.base_sequence >= 0 {
                increment_sequence(b.base_sequence, start as i32)
            } else {
                -1
            },
            size_bytes: BATCH_OVERHEAD_BYTES + per_record * len as u32,
            compression: b.compression,
            uncompressed_bytes: BATCH_OVERHEAD_BYTES + raw_per_record * len as u32,
            records: b.records[start..i].to_vec(),
            typed: b
                .typed
                .iter()
                .filter(|t| (start..i).contains(&(t.offset_delta as usize)))
                .map(|t| crate::log::TypedRecord {
                    offset_delta: t.offset_delta - start as u32,
                    ..t.clone()
                })
                .collect(),
            origin: b.origin.map(|o| crate::log::BatchOrigin {
                producer: o.producer,
                first_record: o.first_record + start as u64,
            }),
            delete_horizon_ms: horizon,
            ..b.clone()
        });
    }
    out
}
