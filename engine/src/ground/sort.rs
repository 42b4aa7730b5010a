//! Stable sorting with one copy of the sort code.
//!
//! `slice::sort_by` is generic over the element and the comparator, so every call site compiles
//! its own copy of the standard library's driftsort: 3 to 4 KB of wasm each, 80 KB over the
//! engine's and the page's call sites. These helpers sort short slices by insertion (a few dozen
//! bytes per call site, and no allocation on the hot paths, where slices are short) and longer
//! ones by sorting indices with a single instance of the standard sort behind a `dyn`
//! comparator. Both are stable, so every result equals `slice::sort_by`'s: the Java-order
//! assignors depend on that.
//!
//! Collecting into a `BTreeMap` or `BTreeSet` sorts too (one driftsort per key type): build
//! those with `extend` or `insert` instead.

use std::cmp::Ordering;

/// Up to this length, insertion sort: at most 190 comparisons.
const INSERTION_MAX: usize = 20;

/// `v.sort_by(cmp)`: stable.
pub fn sort_by<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if v.len() <= INSERTION_MAX {
        for i in 1..v.len() {
            let mut j = i;
            while j > 0 && cmp(&v[j - 1], &v[j]) == Ordering::Greater {
                v.swap(j - 1, j);
                j -= 1;
            }
        }
        return;
    }
    let order = sorted_indices(v.len(), &mut |a, b| cmp(&v[a], &v[b]));
    permute(v, order);
}

/// `v.sort_by_key(key)`: stable.
pub fn sort_by_key<T, K: Ord>(v: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// `v.sort()`: stable.
pub fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, T::cmp);
}

/// The positions `0..n` in the order `cmp` sorts them, stably. Not generic: the one instance of
/// the standard library's sort in the program.
#[inline(never)]
fn sorted_indices(n: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| cmp(a, b));
    order
}

/// Rearranges `v` so that position `i` holds what was at `order[i]`, by following each cycle of
/// the permutation with swaps. `order` marks visited positions by pointing them at themselves.
fn permute<T>(v: &mut [T], mut order: Vec<usize>) {
    for start in 0..v.len() {
        let mut j = start;
        loop {
            let from = order[j];
            order[j] = j;
            if from == start || from == j {
                break;
            }
            v.swap(j, from);
            j = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Equal to the standard library's stable sort, at lengths on both sides of the
        /// insertion-sort threshold; the payload shows equal keys keep their order.
        #[test]
        fn sort_by_key_matches_the_standard_stable_sort(
            keys in prop::collection::vec(0u8..8, 0..80),
        ) {
            let mut ours: Vec<(u8, usize)> = keys.iter().copied().zip(0..).collect();
            let mut std = ours.clone();
            sort_by_key(&mut ours, |&(k, _)| k);
            std.sort_by_key(|&(k, _)| k);
            prop_assert_eq!(ours, std);
        }

        #[test]
        fn sort_by_a_reversed_comparator_matches_too(
            values in prop::collection::vec(any::<i32>(), 0..60),
        ) {
            let mut ours = values.clone();
            let mut std = values;
            sort_by(&mut ours, |a, b| b.cmp(a));
            std.sort_by(|a, b| b.cmp(a));
            prop_assert_eq!(ours, std);
        }
    }

    #[test]
    fn permute_follows_every_cycle() {
        let mut v = vec!['a', 'b', 'c', 'd', 'e'];
        // Two cycles (0 2 1) and (3 4).
        permute(&mut v, vec![2, 0, 1, 4, 3]);
        assert_eq!(v, vec!['c', 'a', 'b', 'e', 'd']);
    }
}
