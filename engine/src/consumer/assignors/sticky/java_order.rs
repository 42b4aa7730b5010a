//! The iteration order of Java's `HashMap` / `HashSet`, where Kafka's result depends on it.
//!
//! `java.util.HashMap` keeps `capacity` buckets (16, doubled whenever the size exceeds three
//! quarters of it, never shrunk) and iterates them in index order; a key's bucket is its
//! `hashCode()` with the high half xor-ed into the low half, masked by `capacity - 1`; keys
//! sharing a bucket come in insertion order. Both `String.hashCode` and
//! `TopicPartition.hashCode` are specified, so the order is deterministic and reproduced here.
//! Not modelled: buckets turned into trees (9 or more keys in one bucket of a table of at least
//! 64 buckets), which needs far more colliding keys than an assignor meets.

use crate::ground::small_map::SmallMap;

/// Java `String.hashCode`: `s[0]*31^(n-1) + ... + s[n-1]` over UTF-16 code units, wrapping.
pub(super) fn string_hash(s: &str) -> i32 {
    s.encode_utf16()
        .fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(i32::from(c)))
}

/// Kafka's `TopicPartition.hashCode`: `31 * (31 + partition) + topic.hashCode()`.
pub(super) fn topic_partition_hash(topic_hash: i32, partition: u32) -> i32 {
    31i32
        .wrapping_add(partition as i32)
        .wrapping_mul(31)
        .wrapping_add(topic_hash)
}

/// `HashMap` bucket of a key with hash `hash` in a table of `capacity` buckets.
fn bucket(hash: i32, capacity: usize) -> usize {
    let h = hash as u32;
    (h ^ (h >> 16)) as usize & (capacity - 1)
}

/// Buckets of a default `HashMap` that has held at most `len` keys.
fn capacity(len: usize) -> usize {
    let mut capacity = 16;
    while len * 4 > capacity * 3 {
        capacity *= 2;
    }
    capacity
}

/// Positions of `hashes` in the iteration order of a default `HashMap` into which the keys were
/// put in the given order.
pub(super) fn hash_map_order(hashes: &[i32]) -> Vec<usize> {
    let capacity = capacity(hashes.len());
    let mut order: Vec<usize> = (0..hashes.len()).collect();
    crate::ground::sort::sort_by_key(&mut order, |&i| (bucket(hashes[i], capacity), i));
    order
}

/// A `HashSet` of keys `K` with their hash codes, answering which key iterates first.
#[derive(Clone, Debug)]
pub(super) struct JavaHashSet<K: Ord + Copy> {
    /// Key -> (hash code, insertion sequence number).
    entries: SmallMap<K, (i32, u64)>,
    capacity: usize,
    inserted: u64,
}

impl<K: Ord + Copy> Default for JavaHashSet<K> {
    fn default() -> Self {
        JavaHashSet {
            entries: SmallMap::new(),
            capacity: 16,
            inserted: 0,
        }
    }
}

impl<K: Ord + Copy> JavaHashSet<K> {
    pub fn insert(&mut self, key: K, hash: i32) {
        if self.entries.contains_key(&key) {
            return;
        }
        self.entries.insert(key, (hash, self.inserted));
        self.inserted += 1;
        self.capacity = self.capacity.max(capacity(self.entries.len()));
    }

    pub fn remove(&mut self, key: &K) {
        self.entries.remove(key);
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// `iterator().next()`.
    pub fn first(&self) -> Option<K> {
        self.entries
            .iter()
            .min_by_key(|(_, &(hash, seq))| (bucket(hash, self.capacity), seq))
            .map(|(&key, _)| key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values of `"...".hashCode()` and `new TopicPartition(t, p).hashCode()` printed by a JVM.
    #[test]
    fn hash_codes_match_java() {
        assert_eq!(string_hash(""), 0);
        assert_eq!(string_hash("C1"), 2126);
        assert_eq!(string_hash("consumer1"), -421_004_549);
        assert_eq!(string_hash("polygenelubricants"), i32::MIN);
        assert_eq!(topic_partition_hash(string_hash("topic"), 0), 110_547_184);
    }

    /// `new HashMap<>()` filled in this order prints its keys as `[C3, C0, C1, C2]` and
    /// `[consumer3, consumer2, consumer1]`.
    #[test]
    fn small_map_iterates_by_bucket() {
        let order = |ids: &[&str]| {
            let hashes: Vec<i32> = ids.iter().map(|s| string_hash(s)).collect();
            hash_map_order(&hashes)
        };
        assert_eq!(order(&["C0", "C1", "C2", "C3"]), vec![3, 0, 1, 2]);
        assert_eq!(
            order(&["consumer1", "consumer2", "consumer3"]),
            vec![2, 1, 0]
        );
    }
}
