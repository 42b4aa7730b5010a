//! When a consumer could read and when it could not: the spans in which it held no partition it
//! may fetch from (none assigned, all revoked for an eager rebalance, all paused or pending
//! revocation). The rebalance timeline shows them, so that who stops during a rebalance, and for
//! how long, is measured rather than told.

use std::collections::VecDeque;

use crate::ground::Millis;

/// Spans kept per consumer.
const SPANS: usize = 32;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadingLog {
    /// Since when the consumer cannot read, if it cannot now.
    pub stopped_since: Option<Millis>,
    /// Finished spans without anything to read, `(from, to)`, oldest first.
    pub spans: VecDeque<(Millis, Millis)>,
}

impl ReadingLog {
    /// A new consumer has nothing to read until it is assigned something.
    pub fn new(now: Millis) -> Self {
        ReadingLog {
            stopped_since: Some(now),
            spans: VecDeque::new(),
        }
    }

    pub fn update(&mut self, now: Millis, reading: bool) {
        match (self.stopped_since, reading) {
            (Some(from), true) => {
                self.stopped_since = None;
                if self.spans.len() == SPANS {
                    self.spans.pop_front();
                }
                self.spans.push_back((from, now));
            }
            (None, false) => self.stopped_since = Some(now),
            _ => {}
        }
    }

    /// How long the consumer could not read within `[from, to]`.
    pub fn stopped_within(&self, from: Millis, to: Millis) -> Millis {
        let ongoing = self.stopped_since.map(|s| (s, to));
        self.spans
            .iter()
            .copied()
            .chain(ongoing)
            .map(|(a, b)| b.min(to).saturating_sub(a.max(from)))
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stopped_time_is_the_overlap_with_the_window() {
        let mut r = ReadingLog::new(0);
        r.update(100, true);
        r.update(1_000, false);
        r.update(1_500, true);
        r.update(3_000, false);
        assert_eq!(r.stopped_within(0, 10_000), 100 + 500 + 7_000);
        assert_eq!(r.stopped_within(1_200, 2_000), 300);
        assert_eq!(r.stopped_within(2_000, 2_500), 0);
    }
}
