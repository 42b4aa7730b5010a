//! `RoundRobinAssignor`: all subscribed partitions, topics in sorted order, dealt out to members
//! in sorted order, skipping members not subscribed to a partition's topic.

use crate::ground::small_map::SmallMap;

use super::{empty_assignment, member_order};
use crate::protocol::{Assignment, MemberSubscription};

pub fn assign(topics: &SmallMap<String, u32>, members: &[MemberSubscription]) -> Assignment {
    let mut out = empty_assignment(members);
    let mut sorted: Vec<&MemberSubscription> = members.iter().collect();
    crate::ground::sort::sort_by(&mut sorted, |a, b| member_order(a, b));
    if sorted.is_empty() {
        return out;
    }
    // Topics subscribed by anyone, in String order (BTreeMap order is byte order, which equals
    // Java's UTF-16 order for the ASCII names Kafka allows).
    let mut cursor = 0usize;
    for (topic, &n) in topics {
        if !members
            .iter()
            .any(|m| m.subscription.iter().any(|t| t == topic))
        {
            continue;
        }
        for p in 0..n {
            // CircularIterator: advance until a member subscribed to this topic.
            while !sorted[cursor % sorted.len()]
                .subscription
                .iter()
                .any(|t| t == topic)
            {
                cursor += 1;
            }
            let member = sorted[cursor % sorted.len()];
            out.get_mut(&member.member_id)
                .expect("every member has an entry")
                .push((topic.clone(), p));
            cursor += 1;
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

    /// RoundRobinAssignorTest.testTwoConsumersTwoTopicsSixPartitions
    #[test]
    fn partitions_are_dealt_out_across_topics() {
        let topics = SmallMap::from_iter([("t1".to_string(), 3), ("t2".to_string(), 3)]);
        let a = assign(
            &topics,
            &[member("c1", &["t1", "t2"]), member("c2", &["t1", "t2"])],
        );
        assert_eq!(
            a[&"c1".to_string()],
            vec![("t1".into(), 0), ("t1".into(), 2), ("t2".into(), 1)]
        );
        assert_eq!(
            a[&"c2".to_string()],
            vec![("t1".into(), 1), ("t2".into(), 0), ("t2".into(), 2)]
        );
    }
}
