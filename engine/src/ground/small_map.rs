//! `SmallMap`: the ordered map for the engine's small keyed tables.
//!
//! Groups, their members and committed offsets, transactions, assignments and topic partition
//! counts hold tens to hundreds of entries. A `BTreeMap` compiles its node, search and rebalancing
//! code once per key and value type, 5 to 8 KB of wasm per table type, ~140 KB in all. A sorted
//! vector (`litemap`) iterates in the same key order, finds by binary search and inserts by
//! shifting, which at these sizes is as fast, for a fraction of the code. Large or hot tables
//! (log segments, producer state, interned keys) stay `BTreeMap`s.
//!
//! Build one with `insert` or `entry`, not `collect`: collecting sorts, and each sort is another
//! copy of the standard library's sort (see `crate::ground::sort`).

pub type SmallMap<K, V> = litemap::LiteMap<K, V>;

/// The set counterpart of [`SmallMap`]: a sorted vector of distinct values, for the small sets of
/// partitions and groups in a transaction and the sticky assignor's members by load. `litemap`
/// has no set type, and `SmallMap<T, ()>` reads worse at every call site than this.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmallSet<T>(Vec<T>);

impl<T> Default for SmallSet<T> {
    fn default() -> Self {
        SmallSet(Vec::new())
    }
}

impl<T: Ord> SmallSet<T> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `value`; false if it was there already.
    pub fn insert(&mut self, value: T) -> bool {
        match self.0.binary_search(&value) {
            Ok(_) => false,
            Err(i) => {
                self.0.insert(i, value);
                true
            }
        }
    }

    /// Removes `value`; false if it was not there.
    pub fn remove(&mut self, value: &T) -> bool {
        match self.0.binary_search(value) {
            Ok(i) => {
                self.0.remove(i);
                true
            }
            Err(_) => false,
        }
    }

    pub fn contains(&self, value: &T) -> bool {
        self.0.binary_search(value).is_ok()
    }

    pub fn extend(&mut self, values: impl IntoIterator<Item = T>) {
        for v in values {
            self.insert(v);
        }
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn first(&self) -> Option<&T> {
        self.0.first()
    }

    pub fn last(&self) -> Option<&T> {
        self.0.last()
    }

    /// In ascending order.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.0.iter()
    }
}

impl<T> IntoIterator for SmallSet<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;

    /// In ascending order.
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// Any sequence of inserts and removes leaves the same set, in the same order, as a
        /// `BTreeSet` given the same sequence, and every call answers the same.
        #[test]
        fn small_set_behaves_like_a_btree_set(ops in prop::collection::vec((any::<bool>(), 0u8..24), 0..120)) {
            let mut ours = SmallSet::new();
            let mut model = BTreeSet::new();
            for (insert, v) in ops {
                if insert {
                    prop_assert_eq!(ours.insert(v), model.insert(v));
                } else {
                    prop_assert_eq!(ours.remove(&v), model.remove(&v));
                }
                prop_assert_eq!(ours.contains(&v), model.contains(&v));
            }
            prop_assert_eq!(ours.len(), model.len());
            prop_assert_eq!(ours.first(), model.first());
            prop_assert_eq!(ours.last(), model.last());
            prop_assert!(ours.iter().eq(model.iter()));
        }
    }
}
