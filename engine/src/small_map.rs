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
//! copy of the standard library's sort (see `crate::sort`).

pub type SmallMap<K, V> = litemap::LiteMap<K, V>;
