//! The event history: the last `EVENT_HISTORY` events, kept in sealed chunks that copies of the
//! simulation share (the timeline's checkpoints), plus one open chunk being filled.

use std::collections::VecDeque;
use std::sync::Arc;

use crate::event::Event;

/// Events per sealed chunk.
pub const CHUNK: usize = 512;

#[derive(Clone)]
pub struct EventHistory {
    /// Full chunks, oldest first; never changed once sealed, so a copy shares them.
    sealed: VecDeque<Arc<[Event]>>,
    /// Events of the first sealed chunk already dropped from the history.
    skip: usize,
    open: Vec<Event>,
    cap: usize,
}

impl EventHistory {
    pub fn new(cap: usize) -> Self {
        EventHistory {
            sealed: VecDeque::new(),
            skip: 0,
            open: Vec::with_capacity(CHUNK),
            cap,
        }
    }

    pub fn len(&self) -> usize {
        self.sealed.len() * CHUNK - self.skip + self.open.len()
    }

    pub fn front(&self) -> Option<&Event> {
        self.iter_from(0).next()
    }

    /// Adds `event`, dropping the oldest when the history is full.
    pub fn push(&mut self, event: Event) {
        self.keep_last(self.cap.saturating_sub(1));
        self.open.push(event);
        if self.open.len() == CHUNK {
            let full = std::mem::replace(&mut self.open, Vec::with_capacity(CHUNK));
            self.sealed.push_back(full.into());
        }
    }

    /// Forgets all but the newest `n` events: whole sealed chunks first, then the start of the
    /// first one (skipped, since a copy may share it), then the start of the open chunk.
    pub fn keep_last(&mut self, n: usize) {
        let mut excess = self.len().saturating_sub(n);
        while excess > 0 {
            let Some(first) = self.sealed.front() else {
                self.open.drain(..excess);
                return;
            };
            let in_first = first.len() - self.skip;
            if excess >= in_first {
                self.sealed.pop_front();
                self.skip = 0;
                excess -= in_first;
            } else {
                self.skip += excess;
                excess = 0;
            }
        }
    }

    /// The events from the `pos`-th oldest on.
    pub fn iter_from(&self, pos: usize) -> impl DoubleEndedIterator<Item = &Event> {
        let at = self.skip + pos.min(self.len());
        let (chunk, offset) = (at / CHUNK, at % CHUNK);
        let sealed_events = self.sealed.len() * CHUNK;
        let sealed = self
            .sealed
            .range(chunk.min(self.sealed.len())..)
            .enumerate()
            .flat_map(move |(i, c)| c[if i == 0 { offset } else { 0 }..].iter());
        let open_from = at.saturating_sub(sealed_events).min(self.open.len());
        sealed.chain(self.open[open_from..].iter())
    }

    /// The sealed chunks (shared by copies) and how many events the open one holds (copied).
    pub fn chunks(&self) -> (impl Iterator<Item = &Arc<[Event]>>, usize) {
        (self.sealed.iter(), self.open.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::EventKind;

    fn event(seq: u64) -> Event {
        Event {
            seq,
            time: seq,
            kind: EventKind::BrokerKilled { broker: 0 },
        }
    }

    fn seqs<'a>(it: impl Iterator<Item = &'a Event>) -> Vec<u64> {
        it.map(|e| e.seq).collect()
    }

    #[test]
    fn keeps_the_last_cap_events_in_order_from_any_position_and_backwards() {
        let cap = 3 * CHUNK + 7;
        let mut h = EventHistory::new(cap);
        for n in 0..(5 * CHUNK as u64 + 123) {
            h.push(event(n));
            let first = (n + 1).saturating_sub(cap as u64);
            assert_eq!(h.len() as u64, n + 1 - first);
            assert_eq!(h.front().map(|e| e.seq), Some(first));
            if n % 97 == 0 {
                for pos in [0, 1, CHUNK - 1, CHUNK, h.len() - 1, h.len(), h.len() + 5] {
                    let want: Vec<u64> = (first + pos.min(h.len()) as u64..=n).collect();
                    assert_eq!(seqs(h.iter_from(pos)), want, "n {n} pos {pos}");
                    let back: Vec<u64> = want.iter().rev().copied().collect();
                    assert_eq!(seqs(h.iter_from(pos).rev()), back);
                }
            }
        }
    }

    #[test]
    fn keep_last_forgets_the_oldest() {
        for n in [0, 1, 7, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 10 * CHUNK] {
            let mut h = EventHistory::new(4 * CHUNK);
            let total = 5 * CHUNK as u64 + 9;
            for s in 0..total {
                h.push(event(s));
            }
            h.keep_last(n);
            let kept = n.min(4 * CHUNK) as u64;
            assert_eq!(h.len() as u64, kept);
            assert_eq!(
                seqs(h.iter_from(0)),
                (total - kept..total).collect::<Vec<_>>()
            );
            h.push(event(total));
            assert_eq!(h.iter_from(0).last().map(|e| e.seq), Some(total));
        }
    }

    #[test]
    fn a_copy_shares_sealed_chunks() {
        let mut h = EventHistory::new(10 * CHUNK);
        for n in 0..(2 * CHUNK as u64 + 5) {
            h.push(event(n));
        }
        let copy = h.clone();
        let (a, open) = h.chunks();
        let (b, _) = copy.chunks();
        assert_eq!(open, 5);
        assert!(a.zip(b).all(|(x, y)| Arc::ptr_eq(x, y)));
    }
}
