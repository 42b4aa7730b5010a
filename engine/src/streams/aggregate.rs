//! A windowed aggregation of one task, as Kafka Streams' `KStreamWindowAggregate`,
//! `KStreamSlidingWindowAggregate` and `KStreamSessionWindowAggregate` do it (reference sections
//! 1.1 to 1.4): the operator's stream time moves only when records arrive; a record updates every
//! window it falls in that is still open, and is dropped (counted in `dropped-records-total`, once
//! per window it missed) for those already closed; a null key is dropped too.
//!
//! Results leave in one of three ways: every update at once (`statestore.cache.max.bytes=0`);
//! through the record cache, the latest value per (key, window) at each commit (the default); or
//! only the final value when the window closes (`suppress(untilWindowCloses)`). Every change of
//! the store is also a changelog write, which is what a restore replays.
//!
//! The aggregate is a sum of `i64` values: `count()` adds 1 per record, a sum adds a field.

use std::collections::BTreeMap;

use super::window::{Window, Windows};
use crate::ground::Millis;

/// How results leave the aggregation (section 1.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Emit {
    /// Every update, at once (the cache off).
    OnUpdate,
    /// The latest value per (key, window) when the cache flushes, at each commit.
    Cached,
    /// One final value per window when it closes (`suppress(untilWindowCloses)`).
    UntilWindowCloses,
}

/// A result (or a changelog write): the key's aggregate in `window`, or `None` for a deleted
/// window (a session merged into another).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Update<K> {
    pub key: K,
    pub window: Window,
    pub value: Option<i64>,
    /// The newest record timestamp in the window (the output record's timestamp).
    pub timestamp: Millis,
}

/// A record that missed a closed window (what Kafka Streams logs at WARN).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    pub timestamp: Millis,
    /// `None` for a null key.
    pub window: Option<Window>,
    /// The time after which the window accepted nothing (`closeTime`).
    pub expiration: Millis,
    pub stream_time: Millis,
}

/// What processing one record did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Processed<K> {
    /// Results forwarded downstream now (emit on update, or suppressed finals released now).
    pub forwarded: Vec<Update<K>>,
    /// Store changes, to append to the changelog.
    pub changelog: Vec<Update<K>>,
    pub skipped: Vec<Skipped>,
}

impl<K> Default for Processed<K> {
    fn default() -> Self {
        Processed {
            forwarded: Vec::new(),
            changelog: Vec::new(),
            skipped: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct WindowedAggregate<K: Ord + Clone> {
    pub windows: Windows,
    pub emit: Emit,
    /// The operator's observed stream time: the largest timestamp it has seen (`None` before the
    /// first record, Kafka's -1).
    pub stream_time: Option<Millis>,
    /// The window store: (key, window) -> (aggregate, newest timestamp).
    store: BTreeMap<(K, Window), (i64, Millis)>,
    /// Sliding windows: each key's records still within reach of an open window.
    records: BTreeMap<K, Vec<(Millis, i64)>>,
    /// Dirty entries of the record cache (emit through the cache).
    cache: BTreeMap<(K, Window), Update<K>>,
    /// The suppress buffer: the latest value of each window not yet closed.
    buffer: BTreeMap<(K, Window), Update<K>>,
    /// `dropped-records-total`.
    pub dropped: u64,
}

impl<K: Ord + Clone> WindowedAggregate<K> {
    pub fn new(windows: Windows, emit: Emit) -> Self {
        WindowedAggregate {
            windows,
            emit,
            stream_time: None,
            store: BTreeMap::new(),
            records: BTreeMap::new(),
            cache: BTreeMap::new(),
            buffer: BTreeMap::new(),
            dropped: 0,
        }
    }

    /// The store's windows of `key`, oldest first, with their aggregates.
    pub fn windows_of(&self, key: &K) -> Vec<(Window, i64)> {
        self.store
            .iter()
            .filter(|((k, _), _)| k == key)
            .map(|((_, w), (v, _))| (*w, *v))
            .collect()
    }

    /// Every (key, window, aggregate) in the store.
    pub fn entries(&self) -> impl Iterator<Item = (&K, &Window, i64)> {
        self.store.iter().map(|((k, w), (v, _))| (k, w, *v))
    }

    pub fn store_len(&self) -> usize {
        self.store.len()
    }

    /// One record: `key` (None: a null key, dropped), its timestamp `t` and what it adds.
    pub fn process(&mut self, key: Option<K>, t: Millis, value: i64) -> Processed<K> {
        let mut out = Processed::default();
        let Some(key) = key else {
            // "Skipping record due to null key."
            self.dropped += 1;
            out.skipped.push(Skipped {
                timestamp: t,
                window: None,
                expiration: 0,
                stream_time: self.stream_time.unwrap_or(0),
            });
            return out;
        };
        let now = self.stream_time.map_or(t, |s| s.max(t));
        self.stream_time = Some(now);
        let close = now.saturating_sub(self.windows.grace());
        match self.windows {
            Windows::Time { .. } => {
                for w in self.windows.windows_for(t) {
                    if self.windows.is_closed(&w, Some(now)) {
                        self.skip(&mut out, t, w, close, now);
                        continue;
                    }
                    let (v, ts) = self.store.get(&(key.clone(), w)).copied().unwrap_or((0, 0));
                    self.put(&mut out, key.clone(), w, Some((v + value, ts.max(t))));
                }
            }
            Windows::Sliding { difference, .. } => {
                self.sliding(&mut out, key, t, value, difference, now, close)
            }
            Windows::Session { gap, .. } => self.session(&mut out, key, t, value, gap, now),
        }
        self.release_closed(&mut out);
        self.expire(now);
        out
    }

    /// The cache flushes (at a commit): the latest value of each dirty (key, window).
    pub fn flush(&mut self) -> Vec<Update<K>> {
        std::mem::take(&mut self.cache).into_values().collect()
    }

    /// Rebuilds the store from its changelog (the last write of each (key, window) wins; a
    /// deletion removes it), as a task moved to another instance does before it processes.
    /// The observed stream time resumes at the newest timestamp restored.
    pub fn restore(&mut self, changelog: &[Update<K>]) {
        for u in changelog {
            match u.value {
                Some(v) => {
                    self.store
                        .insert((u.key.clone(), u.window), (v, u.timestamp));
                }
                None => {
                    self.store.remove(&(u.key.clone(), u.window));
                }
            }
            self.stream_time = Some(self.stream_time.map_or(u.timestamp, |s| s.max(u.timestamp)));
        }
    }

    fn skip(&mut self, out: &mut Processed<K>, t: Millis, w: Window, close: Millis, now: Millis) {
        // "Skipping record for expired window." — once per window missed.
        self.dropped += 1;
        out.skipped.push(Skipped {
            timestamp: t,
            window: Some(w),
            expiration: close,
            stream_time: now,
        });
    }

    /// Writes (key, window) to the store and the changelog, and sends it on as the emit mode says.
    fn put(&mut self, out: &mut Processed<K>, key: K, w: Window, value: Option<(i64, Millis)>) {
        let update = Update {
            key: key.clone(),
            window: w,
            value: value.map(|(v, _)| v),
            timestamp: value.map_or(w.end, |(_, ts)| ts),
        };
        match value {
            Some(v) => {
                self.store.insert((key.clone(), w), v);
            }
            None => {
                self.store.remove(&(key.clone(), w));
            }
        }
        out.changelog.push(update.clone());
        match self.emit {
            Emit::OnUpdate => out.forwarded.push(update),
            Emit::Cached => {
                self.cache.insert((key, w), update);
            }
            Emit::UntilWindowCloses => match update.value {
                Some(_) => {
                    self.buffer.insert((key, w), update);
                }
                // A merged-away session never closes: its tombstone is dropped.
                None => {
                    self.buffer.remove(&(key, w));
                }
            },
        }
    }

    /// Suppress: every buffered window closed by now goes out, in window-end order.
    fn release_closed(&mut self, out: &mut Processed<K>) {
        if self.emit != Emit::UntilWindowCloses {
            return;
        }
        let closed: Vec<(K, Window)> = self
            .buffer
            .keys()
            .filter(|(_, w)| self.windows.is_closed(w, self.stream_time))
            .cloned()
            .collect();
        let mut finals: Vec<Update<K>> = closed
            .into_iter()
            .filter_map(|k| self.buffer.remove(&k))
            .collect();
        finals.sort_by(|a, b| (a.window.end, &a.key).cmp(&(b.window.end, &b.key)));
        out.forwarded.extend(finals);
    }

    /// Windows past the store's retention go (the window store drops old segments).
    fn expire(&mut self, now: Millis) {
        let retention = self.windows.retention();
        let horizon = now.saturating_sub(retention);
        self.store.retain(|(_, w), _| w.end >= horizon);
        if let Windows::Sliding { difference, grace } = self.windows {
            let keep_from = now.saturating_sub(2 * difference + grace + 1);
            for list in self.records.values_mut() {
                list.retain(|(t, _)| *t >= keep_from);
            }
            self.records.retain(|_, l| !l.is_empty());
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn sliding(
        &mut self,
        out: &mut Processed<K>,
        key: K,
        t: Millis,
        value: i64,
        d: Millis,
        now: Millis,
        close: Millis,
    ) {
        // The whole record is too late once even its last window (ending t + d) has closed.
        if t + d < close {
            let w = Window {
                start: t.saturating_sub(d),
                end: t,
                end_inclusive: true,
            };
            self.skip(out, t, w, close, now);
            return;
        }
        let list = self.records.entry(key.clone()).or_default();
        list.push((t, value));
        list.sort_unstable_by_key(|(ts, _)| *ts);
        let list = list.clone();
        let window = |start: Millis| Window {
            start,
            end: start + d,
            end_inclusive: true,
        };
        // Records before d share the window [0, d] (`processEarly`).
        let mut affected = vec![window(t.saturating_sub(d))];
        if list.iter().any(|(r, _)| *r > t && *r <= t + 1 + d) {
            affected.push(window(t + 1));
        }
        for (r, _) in &list {
            if *r < t && *r + 1 + d >= t {
                affected.push(window(*r + 1));
            }
        }
        for ((k, w), _) in self.store.range((key.clone(), Window::MIN)..) {
            if k != &key {
                break;
            }
            if w.contains(t) {
                affected.push(*w);
            }
        }
        affected.sort();
        affected.dedup();
        for w in affected {
            if self.windows.is_closed(&w, Some(now)) {
                continue;
            }
            let members = list.iter().filter(|(r, _)| w.contains(*r));
            let (sum, newest) = members.fold((0, 0), |(s, n), (r, v)| (s + v, n.max(*r)));
            if self.store.get(&(key.clone(), w)).map(|(v, _)| *v) != Some(sum) {
                self.put(out, key.clone(), w, Some((sum, newest)));
            }
        }
    }

    fn session(
        &mut self,
        out: &mut Processed<K>,
        key: K,
        t: Millis,
        value: i64,
        gap: Millis,
        now: Millis,
    ) {
        // `findSessions(key, t - gap, t + gap)`: sessions this record touches merge with it.
        let touching: Vec<(Window, i64, Millis)> = self
            .store
            .range((key.clone(), Window::MIN)..)
            .take_while(|((k, _), _)| k == &key)
            .filter(|((_, w), _)| w.end + gap >= t && w.start <= t + gap)
            .map(|((_, w), (v, ts))| (*w, *v, *ts))
            .collect();
        let merged = Window {
            start: touching
                .iter()
                .map(|(w, _, _)| w.start)
                .fold(t, Millis::min),
            end: touching.iter().map(|(w, _, _)| w.end).fold(t, Millis::max),
            end_inclusive: true,
        };
        if self.windows.is_closed(&merged, Some(now)) {
            let close = now.saturating_sub(self.windows.grace() + gap);
            self.skip(out, t, merged, close, now);
            return;
        }
        let sum = touching.iter().map(|(_, v, _)| v).sum::<i64>() + value;
        let newest = touching.iter().map(|(_, _, ts)| *ts).fold(t, Millis::max);
        for (w, _, _) in &touching {
            if *w != merged {
                self.put(out, key.clone(), *w, None);
            }
        }
        self.put(out, key, merged, Some((sum, newest)));
    }
}

impl Window {
    /// No window: a running total's row in a materialized view.
    pub const ALL: Window = Window {
        start: 0,
        end: Millis::MAX,
        end_inclusive: true,
    };

    /// The smallest window, to start a range over one key's windows.
    pub const MIN: Window = Window {
        start: 0,
        end: 0,
        end_inclusive: false,
    };
}
