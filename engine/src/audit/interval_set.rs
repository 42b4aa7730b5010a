//! A set of u64 numbers kept as sorted, disjoint, half-open ranges.
//!
//! Record numbers of one producer in one partition are acknowledged and delivered in long runs,
//! so the set is usually a single range however many records it holds: bounded memory.

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IntervalSet {
    ranges: Vec<(u64, u64)>,
    len: u64,
}

impl IntervalSet {
    /// Number of members.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn ranges(&self) -> &[(u64, u64)] {
        &self.ranges
    }

    pub fn min(&self) -> Option<u64> {
        self.ranges.first().map(|r| r.0)
    }

    pub fn max(&self) -> Option<u64> {
        self.ranges.last().map(|r| r.1 - 1)
    }

    /// True if `start` is at or past the end of every range (the common append case).
    #[inline]
    pub fn is_after_end(&self, start: u64) -> bool {
        self.ranges.last().is_none_or(|r| start >= r.1)
    }

    pub fn contains(&self, x: u64) -> bool {
        let i = self.ranges.partition_point(|r| r.1 <= x);
        self.ranges.get(i).is_some_and(|r| r.0 <= x)
    }

    /// Adds `start..end`.
    pub fn insert(&mut self, start: u64, end: u64) {
        if start >= end {
            return;
        }
        if let Some(last) = self.ranges.last_mut() {
            if start == last.1 {
                last.1 = end;
                self.len += end - start;
                return;
            }
            if start > last.1 {
                self.ranges.push((start, end));
                self.len += end - start;
                return;
            }
        } else {
            self.ranges.push((start, end));
            self.len = end - start;
            return;
        }
        // General case: merge every range touching start..end.
        let lo = self.ranges.partition_point(|r| r.1 < start);
        let hi = self.ranges.partition_point(|r| r.0 <= end);
        let mut s = start;
        let mut e = end;
        let mut removed = 0;
        for r in &self.ranges[lo..hi] {
            s = s.min(r.0);
            e = e.max(r.1);
            removed += r.1 - r.0;
        }
        self.ranges.splice(lo..hi, [(s, e)]);
        self.len = self.len - removed + (e - s);
    }

    /// Removes `start..end`.
    pub fn remove(&mut self, start: u64, end: u64) {
        if start >= end || self.count_in(start, end) == 0 {
            return;
        }
        let mut next = Vec::with_capacity(self.ranges.len() + 1);
        for &(a, b) in &self.ranges {
            if b <= start || a >= end {
                next.push((a, b));
                continue;
            }
            if a < start {
                next.push((a, start));
            }
            if b > end {
                next.push((end, b));
            }
        }
        self.len = next.iter().map(|r| r.1 - r.0).sum();
        self.ranges = next;
    }

    /// Members within `start..end`.
    pub fn count_in(&self, start: u64, end: u64) -> u64 {
        let lo = self.ranges.partition_point(|r| r.1 <= start);
        self.ranges[lo..]
            .iter()
            .take_while(|r| r.0 < end)
            .map(|r| r.1.min(end) - r.0.max(start))
            .sum()
    }

    /// The members within `start..end`, as a set.
    pub fn restricted(&self, start: u64, end: u64) -> IntervalSet {
        let mut out = IntervalSet::default();
        let lo = self.ranges.partition_point(|r| r.1 <= start);
        for r in self.ranges[lo..].iter().take_while(|r| r.0 < end) {
            out.insert(r.0.max(start), r.1.min(end));
        }
        out
    }

    /// Size of the intersection with `other`.
    pub fn intersection_len(&self, other: &IntervalSet) -> u64 {
        self.intersection_len_below(other, u64::MAX)
    }

    /// Size of the intersection with `other`, counting members below `limit` only.
    pub fn intersection_len_below(&self, other: &IntervalSet, limit: u64) -> u64 {
        let (mut i, mut j, mut total) = (0, 0, 0);
        while i < self.ranges.len() && j < other.ranges.len() {
            let (a, b) = (self.ranges[i], other.ranges[j]);
            let lo = a.0.max(b.0);
            let hi = a.1.min(b.1).min(limit);
            if lo < hi {
                total += hi - lo;
            }
            if a.1 < b.1 {
                i += 1;
            } else {
                j += 1;
            }
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appending_runs_keeps_one_range() {
        let mut s = IntervalSet::default();
        s.insert(0, 10);
        s.insert(10, 25);
        assert_eq!(s.ranges(), &[(0, 25)]);
        assert_eq!(s.len(), 25);
    }

    #[test]
    fn out_of_order_inserts_merge() {
        let mut s = IntervalSet::default();
        s.insert(20, 30);
        s.insert(0, 5);
        s.insert(4, 21);
        assert_eq!(s.ranges(), &[(0, 30)]);
        assert_eq!(s.len(), 30);
    }

    #[test]
    fn counts_and_intersections() {
        let mut a = IntervalSet::default();
        a.insert(0, 10);
        a.insert(20, 30);
        let mut b = IntervalSet::default();
        b.insert(5, 25);
        assert_eq!(a.count_in(5, 25), 10);
        assert_eq!(a.intersection_len(&b), 10);
        assert_eq!(a.intersection_len_below(&b, 22), 7);
        assert!(a.contains(9) && !a.contains(10) && a.contains(20));
        assert_eq!(a.restricted(5, 25).ranges(), &[(5, 10), (20, 25)]);
    }
}
