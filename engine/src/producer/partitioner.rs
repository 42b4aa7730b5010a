//! Choosing a partition for a record, as `KafkaProducer.partition` and `BuiltInPartitioner` do.
//!
//! Decision order: an explicit partition wins; then the opt-in `RoundRobinPartitioner` if
//! configured; then a non-null key (unless `partitioner.ignore.keys`) is hashed with murmur2;
//! otherwise the record goes to the topic's current *sticky* partition (KIP-794), which switches
//! once `batch.size` bytes were produced to it (postponed while its batch is not full, forced at
//! twice that). The next sticky partition is drawn at random, weighted by how short each
//! partition's queue in the accumulator is when adaptive partitioning is on.

use crate::ground::hash::to_positive;

/// Per-topic state of the built-in partitioner.
#[derive(Clone, Debug, Default)]
pub struct StickyPartitioner {
    /// Current sticky partition and the bytes produced to it.
    current: Option<(u32, u32)>,
    /// Cumulative frequency table and partition ids from the last `ready()` pass, when the
    /// queues differ (`PartitionLoadStats`).
    load_stats: Option<(Vec<u32>, Vec<u32>)>,
}

impl StickyPartitioner {
    /// The current sticky partition, choosing one if there is none.
    pub fn peek(&mut self, available: &[u32], num_partitions: u32, random: i32) -> u32 {
        match self.current {
            Some((p, _)) => p,
            None => {
                let p = self.next_partition(available, num_partitions, random);
                self.current = Some((p, 0));
                p
            }
        }
    }

    /// `updatePartitionInfo`: count appended bytes and maybe switch. Returns true if it switched.
    pub fn update(
        &mut self,
        appended_bytes: u32,
        batch_size: u32,
        enable_switch: bool,
        available: &[u32],
        num_partitions: u32,
        random: impl FnOnce() -> i32,
    ) -> bool {
        let Some((_, produced)) = self.current.as_mut() else {
            return false;
        };
        *produced += appended_bytes;
        let sticky_batch_size = batch_size.max(1);
        let produced = *produced;
        if (produced >= sticky_batch_size && enable_switch) || produced >= sticky_batch_size * 2 {
            let p = self.next_partition(available, num_partitions, random());
            self.current = Some((p, 0));
            return true;
        }
        false
    }

    /// `nextPartition`: uniform over partitions with a leader, or weighted by the load stats.
    fn next_partition(&self, available: &[u32], num_partitions: u32, random: i32) -> u32 {
        let random = to_positive(random) as u32;
        match &self.load_stats {
            Some((cft, ids)) if !cft.is_empty() => {
                let weighted = random % cft[cft.len() - 1];
                // First entry strictly greater than `weighted`.
                let i = cft.partition_point(|&c| c <= weighted);
                ids[i.min(ids.len() - 1)]
            }
            _ if !available.is_empty() => available[(random % available.len() as u32) as usize],
            _ => random % num_partitions.max(1),
        }
    }

    /// `updatePartitionLoadStats`: queue sizes of the partitions with a leader, inverted into a
    /// cumulative frequency table. Cleared when all queues are equal (uniform is then used).
    pub fn update_load_stats(
        &mut self,
        queue_sizes: Option<(&[u32], &[u32])>,
        all_partitions: usize,
    ) {
        let Some((sizes, ids)) = queue_sizes else {
            self.load_stats = None;
            return;
        };
        if sizes.is_empty() || all_partitions < 2 {
            self.load_stats = None;
            return;
        }
        let max_plus_1 = sizes.iter().copied().max().unwrap_or(0) + 1;
        let all_equal = sizes.iter().all(|&s| s == sizes[0]);
        if all_equal && sizes.len() == all_partitions {
            self.load_stats = None;
            return;
        }
        let mut acc = 0;
        let cft = sizes
            .iter()
            .map(|&s| {
                acc += max_plus_1 - s;
                acc
            })
            .collect();
        self.load_stats = Some((cft, ids.to_vec()));
    }

    pub fn current(&self) -> Option<u32> {
        self.current.map(|(p, _)| p)
    }

    /// Forgets the sticky partition (the topic's partition count changed).
    pub fn reset(&mut self) {
        self.current = None;
        self.load_stats = None;
    }
}

/// `RoundRobinPartitioner`: one counter per topic, over the partitions that have a leader.
#[derive(Clone, Debug, Default)]
pub struct RoundRobin {
    counter: i32,
}

impl RoundRobin {
    pub fn next(&mut self, available: &[u32], num_partitions: u32) -> u32 {
        let v = to_positive(self.counter) as u32;
        self.counter = self.counter.wrapping_add(1);
        if available.is_empty() {
            v % num_partitions.max(1)
        } else {
            available[(v % available.len() as u32) as usize]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [u32; 4] = [0, 1, 2, 3];

    #[test]
    fn sticky_switches_after_batch_size_bytes_when_allowed() {
        let mut s = StickyPartitioner::default();
        let first = s.peek(&ALL, 4, 2);
        assert_eq!(first, 2);
        assert!(!s.update(10_000, 16384, true, &ALL, 4, || 1));
        assert_eq!(s.current(), Some(2));
        assert!(s.update(7_000, 16384, true, &ALL, 4, || 1));
        assert_eq!(s.current(), Some(1));
    }

    #[test]
    fn sticky_postpones_the_switch_until_twice_batch_size_if_the_batch_is_not_full() {
        let mut s = StickyPartitioner::default();
        s.peek(&ALL, 4, 0);
        assert!(!s.update(20_000, 16384, false, &ALL, 4, || 3));
        assert!(s.update(13_000, 16384, false, &ALL, 4, || 3));
        assert_eq!(s.current(), Some(3));
    }

    #[test]
    fn load_stats_favour_short_queues() {
        // Queues 0 3 1 -> frequencies 4 1 3 -> cumulative 4 5 8 (the example in BuiltInPartitioner).
        let mut s = StickyPartitioner::default();
        s.update_load_stats(Some((&[0, 3, 1], &[0, 1, 2])), 3);
        let pick = |r| s.next_partition(&[0, 1, 2], 3, r);
        assert_eq!(pick(0), 0);
        assert_eq!(pick(3), 0);
        assert_eq!(pick(4), 1);
        assert_eq!(pick(5), 2);
        assert_eq!(pick(7), 2);
    }

    #[test]
    fn equal_queues_fall_back_to_uniform() {
        let mut s = StickyPartitioner::default();
        s.update_load_stats(Some((&[2, 2, 2], &[0, 1, 2])), 3);
        assert!(s.load_stats.is_none());
    }

    #[test]
    fn round_robin_walks_available_partitions() {
        let mut rr = RoundRobin::default();
        let got: Vec<u32> = (0..5).map(|_| rr.next(&[0, 2, 3], 4)).collect();
        assert_eq!(got, vec![0, 2, 3, 0, 2]);
    }
}
