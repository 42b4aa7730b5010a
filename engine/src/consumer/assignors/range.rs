//! `RangeAssignor`: per topic, consecutive ranges of partitions to members in sorted order.
//!
//! For each topic independently: the subscribed members sorted by `member_order`; with `n`
//! partitions and `m` members the first `n % m` members get `n / m + 1` partitions, the rest
//! `n / m`. Co-partitioned topics therefore give partition p of each to the same member.

use crate::ground::small_map::SmallMap;

use super::{empty_assignment, member_order};
use crate::protocol::{Assignment, MemberSubscription};

pub fn assign(topics: &SmallMap<String, u32>, members: &[MemberSubscription]) -> Assignment {
    let mut out = empty_assignment(members);
    for (topic, &n) in topics {
        let mut subs: Vec<&MemberSubscription> = members
            .iter()
            .filter(|m| m.subscription.iter().any(|t| t == topic))
            .collect();
        if subs.is_empty() {
            continue;
        }
        crate::ground::sort::sort_by(&mut subs, |a, b| member_order(a, b));
        let m = subs.len() as u32;
        let (base, extra) = (n / m, n % m);
        for (i, member) in subs.iter().enumerate() {
            let i = i as u32;
            let start = i * base + i.min(extra);
            let len = base + u32::from(i < extra);
            let list = out
                .get_mut(&member.member_id)
                .expect("every member has an entry");
            list.extend((start..start + len).map(|p| (topic.clone(), p)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: &str, topics: &[&str]) -> MemberSubscription {
        MemberSubscription {
            member_id: id.into(),
            group_instance_id: None,
            subscription: topics.iter().map(|t| t.to_string()).collect(),
            owned_partitions: vec![],
            generation: None,
        }
    }

    /// RangeAssignorTest.testTwoConsumersOneTopicThreePartitions
    #[test]
    fn first_member_takes_the_extra_partition() {
        let topics = SmallMap::from_iter([("t".to_string(), 3)]);
        let a = assign(&topics, &[member("c2", &["t"]), member("c1", &["t"])]);
        assert_eq!(a[&"c1".to_string()], vec![("t".into(), 0), ("t".into(), 1)]);
        assert_eq!(a[&"c2".to_string()], vec![("t".into(), 2)]);
    }

    /// The classic range skew: three one-partition topics all go to the first member.
    #[test]
    fn extras_accumulate_on_the_first_member_across_topics() {
        let topics = SmallMap::from_iter([
            ("a".to_string(), 1),
            ("b".to_string(), 1),
            ("c".to_string(), 1),
        ]);
        let a = assign(
            &topics,
            &[
                member("m1", &["a", "b", "c"]),
                member("m2", &["a", "b", "c"]),
            ],
        );
        assert_eq!(a[&"m1".to_string()].len(), 3);
        assert!(a[&"m2".to_string()].is_empty());
    }
}
