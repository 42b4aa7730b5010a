//! A materialized view: the serving store a dashboard queries (Redis, a database table, an OLAP
//! store), kept up to date by a sink that reads an application's output topic, as Kafka Connect
//! or a small consumer would. Each windowed result record `user-7@[60000,120000)` -> `count@ts`
//! upserts one row; a tombstone deletes it. The row's `ts` is the newest input event the result
//! includes, so `now - ts` when the row changes is the end-to-end latency from that event's
//! production to its effect on the view.

use std::collections::BTreeMap;

use super::window::Window;
use crate::ground::latency::{LatencySummary, LatencyWindow};
use crate::ground::Millis;
use crate::log::KeyId;

/// How many windows (counted back from the newest) the view keeps; older rows fall out, as a
/// dashboard's table expires them.
pub const KEPT_WINDOWS: usize = 30;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Row {
    pub value: i64,
    /// The newest input event the value includes.
    pub event_time: Millis,
    /// When the view last changed this row.
    pub updated: Millis,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MaterializedView {
    pub name: String,
    pub topic: String,
    /// The sink's consumer (its group is the view's name).
    pub consumer: u32,
    rows: BTreeMap<(Window, KeyId), Row>,
    latency: LatencyWindow,
    /// Result records applied.
    pub applied: u64,
    /// Records whose key or value is not a windowed result.
    pub ignored: u64,
}

impl MaterializedView {
    pub fn new(name: String, topic: String, consumer: u32) -> Self {
        MaterializedView {
            name,
            topic,
            consumer,
            rows: BTreeMap::new(),
            latency: LatencyWindow::default(),
            applied: 0,
            ignored: 0,
        }
    }

    /// Applies one result record: `value` is `Some((aggregate, event_time))` or a tombstone.
    pub fn apply(&mut self, key: KeyId, window: Window, value: Option<(i64, Millis)>, now: Millis) {
        self.applied += 1;
        match value {
            None => {
                self.rows.remove(&(window, key));
            }
            Some((value, event_time)) => {
                self.latency.record(now, event_time, 1);
                // Only a window the view has not seen can push an old one out: the scan in
                // `expire` runs once per window, not once per result.
                let new_window = self
                    .rows
                    .range((window, 0)..=(window, KeyId::MAX))
                    .next()
                    .is_none();
                self.rows.insert(
                    (window, key),
                    Row {
                        value,
                        event_time,
                        updated: now,
                    },
                );
                if new_window {
                    self.expire();
                }
            }
        }
    }

    /// Keeps the newest [`KEPT_WINDOWS`] window starts.
    fn expire(&mut self) {
        let mut starts = self.rows.keys().map(|(w, _)| w.start).rev();
        let mut distinct = 0;
        let mut last = None;
        let cut = loop {
            match starts.next() {
                None => return,
                Some(s) if Some(s) != last => {
                    distinct += 1;
                    last = Some(s);
                    if distinct > KEPT_WINDOWS {
                        break s;
                    }
                }
                Some(_) => {}
            }
        };
        self.rows.retain(|(w, _), _| w.start > cut);
    }

    pub fn latency(&self, now: Millis) -> LatencySummary {
        self.latency.summary(now)
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Distinct keys with a row.
    pub fn keys(&self) -> usize {
        let mut keys: Vec<KeyId> = self.rows.keys().map(|(_, k)| *k).collect();
        keys.sort_unstable();
        keys.dedup();
        keys.len()
    }

    /// The newest window with rows.
    pub fn newest_window(&self) -> Option<Window> {
        self.rows.keys().next_back().map(|(w, _)| *w)
    }

    /// The `n` largest values of a window, largest first (ties by key).
    pub fn top(&self, window: Window, n: usize) -> Vec<(KeyId, Row)> {
        let mut rows: Vec<(KeyId, Row)> = self
            .rows
            .range((window, 0)..=(window, KeyId::MAX))
            .map(|((_, k), r)| (*k, *r))
            .collect();
        rows.sort_by(|a, b| b.1.value.cmp(&a.1.value).then(a.0.cmp(&b.0)));
        rows.truncate(n);
        rows
    }

    /// Every row of one key, newest window first.
    pub fn rows_of(&self, key: KeyId) -> Vec<(Window, Row)> {
        let mut out: Vec<(Window, Row)> = self
            .rows
            .iter()
            .filter(|((_, k), _)| *k == key)
            .map(|((w, _), r)| (*w, *r))
            .collect();
        out.reverse();
        out
    }

    /// The windows the view has, newest first.
    pub fn windows(&self) -> Vec<Window> {
        let mut out: Vec<Window> = self.rows.keys().map(|(w, _)| *w).collect();
        out.dedup();
        out.reverse();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(start: Millis) -> Window {
        Window {
            start,
            end: start + 60_000,
            end_inclusive: false,
        }
    }

    #[test]
    fn upserts_deletes_and_ranks() {
        let mut v = MaterializedView::new("dash".into(), "out".into(), 0);
        v.apply(1, w(0), Some((3, 1_000)), 1_200);
        v.apply(2, w(0), Some((5, 2_000)), 2_300);
        v.apply(1, w(0), Some((7, 3_000)), 3_100);
        v.apply(1, w(60_000), Some((1, 61_000)), 61_050);
        assert_eq!(v.len(), 3);
        assert_eq!(v.keys(), 2);
        assert_eq!(v.newest_window(), Some(w(60_000)));
        let top = v.top(w(0), 5);
        assert_eq!(
            top.iter().map(|(k, r)| (*k, r.value)).collect::<Vec<_>>(),
            [(1, 7), (2, 5)]
        );
        assert_eq!(
            v.rows_of(1)
                .iter()
                .map(|(w, r)| (w.start, r.value))
                .collect::<Vec<_>>(),
            [(60_000, 1), (0, 7)]
        );
        v.apply(2, w(0), None, 62_000);
        assert_eq!(v.top(w(0), 5).len(), 1);
        assert_eq!(v.applied, 5);
        // The latency is from each event's time to the row's change: 200, 300, 100 and 50 ms.
        let l = v.latency(61_050);
        assert_eq!(
            l.records, 1,
            "only the last window of five seconds is recent"
        );
    }

    #[test]
    fn keeps_the_newest_windows() {
        let mut v = MaterializedView::new("dash".into(), "out".into(), 0);
        for i in 0..(KEPT_WINDOWS as u64 + 5) {
            v.apply(1, w(i * 60_000), Some((1, i * 60_000)), i * 60_000 + 10);
        }
        assert_eq!(v.len(), KEPT_WINDOWS);
        assert_eq!(v.windows().last().map(|w| w.start), Some(5 * 60_000));
    }
}
