//! Partition strips: the tail of a log summarised into cells for drawing, at a cost that grows
//! with the batches in the window, never with records.

use serde::Serialize;

use crate::log::{ControlType, NULL_KEY};
use crate::sim::Simulation;

/// One cell of a partition strip: `per_cell` consecutive offsets summarised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct StripCell {
    /// First offset the cell stands for.
    pub offset: i64,
    /// Data records in the cell (0: not written yet, deleted, or only markers).
    pub records: u32,
    /// Key id of the last data record in the cell (`None` for a null key or an empty cell).
    pub key: Option<u32>,
    /// A transaction marker in the cell, if any.
    pub control: Option<ControlType>,
    /// Some record in the cell belongs to a transaction.
    pub transactional: bool,
    /// Some record belongs to a transaction still open (at or after the last stable offset).
    pub open: bool,
    /// Some record belongs to an aborted transaction.
    pub aborted: bool,
    /// A segment of the leader's log starts in this cell.
    pub segment_start: bool,
    /// The cell is in the active segment (the one being written).
    pub active_segment: bool,
}

impl StripCell {
    /// A cell starting at `offset` before anything is known of its records.
    fn empty(offset: i64) -> Self {
        StripCell {
            offset,
            records: 0,
            key: None,
            control: None,
            transactional: false,
            open: false,
            aborted: false,
            segment_start: false,
            active_segment: false,
        }
    }
}

impl Simulation {
    /// The tail of a partition for drawing: `cells` cells of `per_cell` offsets each, the last
    /// one ending at `end` (exclusive). Cost grows with the batches in the window, not records.
    pub fn strip(
        &self,
        topic: &str,
        partition: u32,
        end: i64,
        cells: usize,
        per_cell: u32,
    ) -> Vec<StripCell> {
        let per = per_cell.max(1) as i64;
        let start = end - per * cells as i64;
        let mut out: Vec<StripCell> = (0..cells)
            .map(|i| StripCell::empty(start + i as i64 * per))
            .collect();
        let Some(part) = self
            .cluster()
            .topic_id(topic)
            .and_then(|t| self.cluster().partition_idx(t, partition))
            .and_then(|p| self.cluster().partition(p))
        else {
            return out;
        };
        if per > 1 && part.log.is_dense() {
            fill_dense(&part.log, &mut out, per);
        } else {
            fill_by_batches(part, &mut out, start, end, per);
        }
        mark_segments(&part.log, &mut out, start, end, per);
        out
    }
}

/// Fills strip cells from a log where every offset between the log start and the log end is a
/// data record (no markers, no compaction gaps): each cell's count follows from its offsets and
/// its colour from one lookup of its last record, instead of a walk over every batch in the
/// window (thousands per partition at high rates).
fn fill_dense(log: &crate::log::PartitionLog, out: &mut [StripCell], per: i64) {
    let (first, leo) = (log.log_start_offset(), log.log_end_offset());
    let mut cursor = log.cursor(out.first().map_or(first, |c| c.offset));
    for cell in out.iter_mut() {
        let lo = cell.offset.max(first);
        let hi = (cell.offset + per).min(leo);
        if lo >= hi {
            continue;
        }
        cell.records = (hi - lo) as u32;
        if let Some(b) = cursor.seek(hi - 1) {
            let last = b.records[(hi - 1 - b.base_offset) as usize].key;
            cell.key = (last != NULL_KEY).then_some(last);
        }
    }
}

/// Fills strip cells by walking the batches in the window (markers, transactions, gaps).
fn fill_by_batches(
    part: &crate::cluster::Partition,
    out: &mut [StripCell],
    start: i64,
    end: i64,
    per: i64,
) {
    let cells = out.len();
    {
        let lso = part.last_stable_offset();
        for b in part.log.batches_from(start.max(0)) {
            if b.base_offset >= end {
                break;
            }
            let (open, aborted) = if b.is_transactional && b.control.is_none() {
                (
                    b.base_offset >= lso,
                    part.is_aborted(b.producer_id, b.base_offset),
                )
            } else {
                (false, false)
            };
            let lo = b.base_offset.max(start);
            let hi = b.next_offset().min(end);
            if lo >= hi {
                continue;
            }
            let first_cell = ((lo - start) / per) as usize;
            let last_cell = ((hi - 1 - start) / per) as usize;
            // Index the cells directly: skipping through an iterator cost O(cells) per batch.
            let last_cell = last_cell.min(cells - 1);
            for (c, cell) in out[first_cell..=last_cell].iter_mut().enumerate() {
                let c = c + first_cell;
                let c_lo = (start + c as i64 * per).max(lo);
                let c_hi = (start + (c as i64 + 1) * per).min(hi);
                cell.transactional |= b.is_transactional;
                cell.open |= open;
                cell.aborted |= aborted;
                if let Some(ct) = b.control {
                    cell.control = Some(ct);
                    continue;
                }
                cell.records += (c_hi - c_lo) as u32;
                let last = b.records[(c_hi - 1 - b.base_offset) as usize].key;
                cell.key = (last != NULL_KEY).then_some(last);
            }
        }
    }
}

/// Segment boundaries inside the window, and the active segment.
fn mark_segments(
    log: &crate::log::PartitionLog,
    out: &mut [StripCell],
    start: i64,
    end: i64,
    per: i64,
) {
    let cells = out.len();
    let cell_of = |o: i64| ((o - start) / per) as usize;
    let mut active_base = None;
    for seg in log.segments() {
        active_base = Some(seg.base_offset);
        if seg.base_offset > start && seg.base_offset < end {
            out[cell_of(seg.base_offset).min(cells - 1)].segment_start = true;
        }
    }
    if let Some(a) = active_base.filter(|_| log.segment_count() > 1) {
        for cell in out.iter_mut().filter(|c| c.offset + per > a) {
            cell.active_segment = true;
        }
    }
}

#[cfg(test)]
mod strip_tests {
    use crate::cluster::ClusterConfig;
    use crate::producer::{KeyDistribution, LoadConfig};
    use crate::{Action, Simulation};

    /// One topic `t` of one partition after `ms` of a producer at `rate` over `keys` keys.
    fn produced(seed: u64, rate: u64, keys: u32, ms: u64) -> Simulation {
        let mut s = Simulation::new(seed, ClusterConfig::default()).unwrap();
        s.apply(Action::CreateTopic {
            name: "t".into(),
            partitions: 1,
            config: Default::default(),
        })
        .unwrap();
        let load = LoadConfig {
            topic: "t".into(),
            rate,
            keys: KeyDistribution::Uniform { keys },
            value_bytes: 10,
            compression_ratio: None,
            events: None,
        };
        s.apply(Action::AddProducer {
            name: None,
            config: Default::default(),
            load: Some(load),
        })
        .unwrap();
        s.advance(ms);
        s
    }

    #[test]
    fn strip_cells_cover_the_tail_of_the_log() {
        let s = produced(1, 1000, 5, 1000);
        let end = s.snapshot().topics[0].partitions[0].log_end_offset;
        assert!(end > 900);
        let one = s.strip("t", 0, end, 10, 1);
        assert!(one.iter().all(|c| c.records == 1 && c.key.is_some()));
        assert_eq!(one[9].offset, end - 1);
        let recs = s.records("t", 0, end - 1, 1);
        assert_eq!(one[9].key, recs[0].key_id);
        let agg = s.strip("t", 0, end, 10, 50);
        assert!(agg.iter().all(|c| c.records == 50));
        let past = s.strip("t", 0, 20, 10, 5);
        assert_eq!(
            past[0].records + past[1].records + past[2].records,
            0,
            "before offset 0"
        );
        assert_eq!(past[9].records, 5);
    }

    /// The dense fast path draws exactly what walking every batch draws.
    #[test]
    fn dense_strips_match_the_batch_walk() {
        let s = produced(2, 5000, 50, 3000);
        let c = s.cluster();
        let part = c
            .partition(c.partition_idx(c.topic_id("t").unwrap(), 0).unwrap())
            .unwrap();
        assert!(part.log.is_dense());
        let end = part.log.log_end_offset();
        for per in [2i64, 7, 64, 512] {
            for shift in [0, 3, 1000] {
                let e = end - shift;
                let cells = 48;
                let start = e - per * cells as i64;
                let blank = |i: usize| super::StripCell::empty(start + i as i64 * per);
                let mut a: Vec<_> = (0..cells).map(blank).collect();
                let mut b: Vec<_> = (0..cells).map(blank).collect();
                super::fill_dense(&part.log, &mut a, per);
                super::fill_by_batches(part, &mut b, start, e, per);
                assert_eq!(a, b, "per {per}, end {e}");
            }
        }
    }
}
