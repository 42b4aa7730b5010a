//! A running total: `groupByKey().count()` (or a sum) with no window, the second aggregate of an
//! application. It is a key-value store backed by a compacted changelog; every record counts,
//! however late, since there is no window to have closed. Results leave through the record
//! cache at each commit, or on every update with the cache off.

use std::collections::{BTreeMap, BTreeSet};

use crate::ground::Millis;
use crate::log::KeyId;

/// One key's total and the newest timestamp it includes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Total {
    pub key: KeyId,
    pub value: i64,
    pub timestamp: Millis,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunningTotal {
    store: BTreeMap<KeyId, (i64, Millis)>,
    /// Keys changed since the last flush (the record cache).
    dirty: BTreeSet<KeyId>,
}

impl RunningTotal {
    /// Adds `value` at `t` to `key`'s total; returns the new total.
    pub fn add(&mut self, key: KeyId, t: Millis, value: i64) -> Total {
        let e = self.store.entry(key).or_insert((0, t));
        e.0 += value;
        e.1 = e.1.max(t);
        self.dirty.insert(key);
        Total {
            key,
            value: e.0,
            timestamp: e.1,
        }
    }

    /// The cache's flush: the latest total of every key changed since the last one.
    pub fn flush(&mut self) -> Vec<Total> {
        std::mem::take(&mut self.dirty)
            .into_iter()
            .filter_map(|key| {
                self.store.get(&key).map(|&(value, timestamp)| Total {
                    key,
                    value,
                    timestamp,
                })
            })
            .collect()
    }

    /// Forgets the cache without writing it (what was written on update needs no flush).
    pub fn clean(&mut self) {
        self.dirty.clear();
    }

    pub fn has_dirty(&self) -> bool {
        !self.dirty.is_empty()
    }

    /// Rebuilds the store from its changelog: the last entry of each key wins.
    pub fn restore(&mut self, changelog: &[Total]) {
        for t in changelog {
            self.store.insert(t.key, (t.value, t.timestamp));
        }
        self.dirty.clear();
    }

    pub fn get(&self, key: KeyId) -> Option<i64> {
        self.store.get(&key).map(|e| e.0)
    }

    pub fn len(&self) -> usize {
        self.store.len()
    }

    pub fn is_empty(&self) -> bool {
        self.store.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_grow_flush_once_per_key_and_restore() {
        let mut r = RunningTotal::default();
        r.add(1, 100, 5);
        r.add(2, 50, 1);
        let t = r.add(1, 90, 7);
        // A late record still counts, and the timestamp stays the newest.
        assert_eq!((t.value, t.timestamp), (12, 100));
        let flushed = r.flush();
        assert_eq!(flushed.len(), 2);
        assert!(r.flush().is_empty(), "nothing changed since");
        let mut again = RunningTotal::default();
        again.restore(&flushed);
        assert_eq!(
            (again.get(1), again.get(2), again.len()),
            (Some(12), Some(1), 2)
        );
        assert!(!again.has_dirty());
    }
}
