//! A cursor over a log for a rising sequence of offsets, as a reader that draws the tail of a
//! partition asks: where one [`PartitionLog::batch_at`] per offset starts again from the segment
//! map and the offset index, the cursor goes on from where the last answer was, galloping
//! forward through the batches (a few comparisons when the offsets are close).

use std::collections::btree_map;
use std::sync::Arc;

use super::PartitionLog;
use crate::log::{RecordBatch, Segment};

pub struct BatchCursor<'a> {
    segments: btree_map::Range<'a, i64, Segment>,
    current: &'a [Arc<RecordBatch>],
    pos: usize,
}

impl PartitionLog {
    /// A cursor positioned at the batch holding `from` (or the first one after it).
    pub fn cursor(&self, from: i64) -> BatchCursor<'_> {
        let (from, mut segments) = self.segments_from(from);
        let (current, pos) = segments
            .next()
            .map_or((&[][..], 0), |(_, s)| (s.batches(), s.position_of(from)));
        BatchCursor {
            segments,
            current,
            pos,
        }
    }
}

impl<'a> BatchCursor<'a> {
    /// The batch holding `offset`, if the log has it. Offsets must not go down between calls
    /// (a lower one is answered as if it were the last one asked).
    pub fn seek(&mut self, offset: i64) -> Option<&'a RecordBatch> {
        loop {
            let rest = &self.current[self.pos..];
            if rest.last().is_some_and(|b| b.last_offset() >= offset) {
                // The first batch ending at or after `offset` lies in [step / 2, step).
                let mut step = 1;
                while step < rest.len() && rest[step - 1].last_offset() < offset {
                    step *= 2;
                }
                let (lo, hi) = (step / 2, step.min(rest.len()));
                self.pos += lo + rest[lo..hi].partition_point(|b| b.last_offset() < offset);
                let b: &'a RecordBatch = &self.current[self.pos];
                return (b.base_offset <= offset).then_some(b);
            }
            match self.segments.next() {
                Some((_, s)) => {
                    self.current = s.batches();
                    self.pos = 0;
                }
                None => {
                    self.pos = self.current.len();
                    return None;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::log::partition_log::tests::batch;
    use crate::log::{LogConfig, PartitionLog};

    #[test]
    fn cursor_finds_what_batch_at_finds_across_segments_and_gaps() {
        let cfg = LogConfig {
            segment_bytes: 1500,
            ..LogConfig::default()
        };
        let mut log = PartitionLog::new(cfg, 0);
        for i in 0..60 {
            log.append(batch(1 + i % 7), 0);
        }
        log.delete_segments_before(40);
        let end = log.log_end_offset();
        for stride in [1, 2, 3, 5, 8, 13, 40] {
            for from in [0, 7, 41, 100] {
                let mut cursor = log.cursor(from);
                let mut o = from;
                while o < end + 3 {
                    let want = log.batch_at(o).map(|b| b.base_offset);
                    assert_eq!(cursor.seek(o).map(|b| b.base_offset), want, "offset {o}");
                    o += stride;
                }
            }
        }
    }
}
