//! The `uniform` assignor when members subscribe to different topics
//! (`UniformHeterogeneousAssignmentBuilder`): balance first (any two members' partition counts
//! differ by at most one, where their subscriptions allow it), stickiness second. In three
//! passes, as Kafka's:
//!
//! 1. Each member keeps its previous target, less what it no longer subscribes to or what no
//!    longer exists (`maybeRevokePartitions`).
//! 2. Partitions nobody holds go, topic by topic, to the least loaded of the topic's subscribers
//!    (`assignRemainingPartitions`; topics with the most partitions per subscriber first).
//! 3. Topic by topic, partitions move from the most to the least loaded subscriber while they
//!    differ by more than one, until a whole round moves nothing or after 16 rounds (`balance`).
//!
//! Simplification: ties between members go to the member id that sorts first, and between
//! topics to the name, where Kafka uses member and topic-id order.

use super::assignors::{AssignorError, GroupAssignment, MemberSpec};
use crate::ground::small_map::SmallMap;

/// `MAX_ITERATION_COUNT`.
const MAX_ROUNDS: usize = 16;

pub fn assign(
    members: &[MemberSpec],
    partitions: &dyn Fn(&str) -> Option<u32>,
) -> Result<GroupAssignment, AssignorError> {
    let mut ids: Vec<&str> = members.iter().map(|m| m.member_id.as_str()).collect();
    crate::ground::sort::sort(&mut ids);
    // Topic -> partition count, and its subscribers in member-id order.
    let mut subscribers: SmallMap<&str, (u32, Vec<usize>)> = SmallMap::new();
    for (i, id) in ids.iter().enumerate() {
        let m = members.iter().find(|m| m.member_id == *id).expect("listed");
        for t in &m.topics {
            let Some(n) = partitions(t) else { continue };
            let entry = subscribers.entry(t.as_str()).or_insert((n, Vec::new()));
            if !entry.1.contains(&i) {
                entry.1.push(i);
            }
        }
    }
    // Pass 1: what each member keeps. `owner` is (topic, partition) -> member index.
    let mut owner: SmallMap<(&str, u32), usize> = SmallMap::new();
    let mut load = vec![0u32; ids.len()];
    for (i, id) in ids.iter().enumerate() {
        let m = members.iter().find(|m| m.member_id == *id).expect("listed");
        for (t, p) in &m.target {
            let Some((n, subs)) = subscribers.get(t.as_str()) else {
                continue;
            };
            if *p < *n && subs.contains(&i) && !owner.contains_key(&(t.as_str(), *p)) {
                owner.insert((t.as_str(), *p), i);
                load[i] += 1;
            }
        }
    }
    // Pass 2: the rest to the least loaded subscriber, busiest topics first.
    let mut topics: Vec<&str> = subscribers.keys().copied().collect();
    crate::ground::sort::sort_by(&mut topics, |a, b| {
        let (na, sa) = &subscribers[a];
        let (nb, sb) = &subscribers[b];
        // Partitions per subscriber, descending: na/sa > nb/sb.
        (nb * sa.len() as u32)
            .cmp(&(na * sb.len() as u32))
            .then(sa.len().cmp(&sb.len()))
            .then(a.cmp(b))
    });
    for &t in &topics {
        let (n, subs) = &subscribers[&t];
        for p in 0..*n {
            if owner.contains_key(&(t, p)) {
                continue;
            }
            let i = least_loaded(subs, &load);
            owner.insert((t, p), i);
            load[i] += 1;
        }
    }
    // Pass 3: even out each topic's subscribers.
    for _ in 0..MAX_ROUNDS {
        let mut moved = false;
        for &t in &topics {
            let (n, subs) = &subscribers[&t];
            if subs.len() < 2 {
                continue;
            }
            loop {
                let to = least_loaded(subs, &load);
                // The busiest subscriber that holds a partition of this topic.
                let from = subs
                    .iter()
                    .copied()
                    .filter(|&i| (0..*n).any(|p| owner.get(&(t, p)) == Some(&i)))
                    .max_by(|&a, &b| load[a].cmp(&load[b]).then(b.cmp(&a)));
                let Some(from) = from.filter(|&f| load[f] > load[to] + 1) else {
                    break;
                };
                // Its highest partition of the topic moves.
                let p = (0..*n)
                    .rev()
                    .find(|&p| owner.get(&(t, p)) == Some(&from))
                    .expect("it holds one");
                owner.insert((t, p), to);
                load[from] -= 1;
                load[to] += 1;
                moved = true;
            }
        }
        if !moved {
            break;
        }
    }
    let mut out = GroupAssignment::new();
    for id in &ids {
        out.insert(id.to_string(), Vec::new());
    }
    for (&(t, p), &i) in owner.iter() {
        out.get_mut(ids[i])
            .expect("inserted above")
            .push((t.to_string(), p));
    }
    for (_, v) in out.iter_mut() {
        crate::ground::sort::sort(v);
    }
    Ok(out)
}

/// The subscriber with the fewest partitions, the first in member-id order on a tie.
fn least_loaded(subs: &[usize], load: &[u32]) -> usize {
    *subs
        .iter()
        .min_by(|&&a, &&b| load[a].cmp(&load[b]).then(a.cmp(&b)))
        .expect("a topic here has subscribers")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: &str, topics: &[&str], target: &[(&str, u32)]) -> MemberSpec {
        MemberSpec {
            member_id: id.into(),
            instance_id: None,
            topics: topics.iter().map(|t| t.to_string()).collect(),
            target: target.iter().map(|(t, p)| (t.to_string(), *p)).collect(),
        }
    }

    fn counts(t: &str) -> Option<u32> {
        match t {
            "a" => Some(6),
            "b" => Some(2),
            _ => None,
        }
    }

    fn sizes(out: &GroupAssignment) -> Vec<usize> {
        out.values().map(Vec::len).collect()
    }

    /// m1 reads a and b, m2 only a: all 8 partitions assigned once, 4 and 4, and m2 holds only
    /// partitions of a.
    #[test]
    fn mixed_subscriptions_are_balanced_within_what_each_may_read() {
        let out = assign(
            &[member("m1", &["a", "b"], &[]), member("m2", &["a"], &[])],
            &counts,
        )
        .unwrap();
        assert_eq!(sizes(&out), vec![4, 4]);
        assert!(out[&"m2".to_string()].iter().all(|(t, _)| t == "a"));
        let mut all: Vec<(String, u32)> = out.values().flatten().cloned().collect();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), 8);
    }

    /// A member that joins takes partitions from the busiest; the others keep the rest of
    /// their previous target (stickiness after balance).
    #[test]
    fn a_joining_member_takes_only_what_balance_needs() {
        let before = assign(
            &[member("m1", &["a", "b"], &[]), member("m2", &["a"], &[])],
            &counts,
        )
        .unwrap();
        let prev = |id: &str| -> Vec<(&str, u32)> {
            before[&id.to_string()]
                .iter()
                .map(|(t, p)| (t.as_str(), *p))
                .collect()
        };
        let after = assign(
            &[
                member("m1", &["a", "b"], &prev("m1")),
                member("m2", &["a"], &prev("m2")),
                member("m3", &["b"], &[]),
            ],
            &counts,
        )
        .unwrap();
        assert_eq!(sizes(&after), vec![3, 3, 2]);
        let kept = |id: &str| {
            after[&id.to_string()]
                .iter()
                .filter(|tp| before[&id.to_string()].contains(tp))
                .count()
        };
        // The fewest moves that balance: b-0 and b-1 to m3, then one of a from m2 to m1.
        assert_eq!(kept("m1") + kept("m2"), 5, "three partitions moved");
        assert!(after[&"m3".to_string()].iter().all(|(t, _)| t == "b"));
    }

    /// A partition of a topic a member no longer subscribes to is not kept.
    #[test]
    fn unsubscribed_partitions_are_revoked() {
        let out = assign(
            &[
                member("m1", &["a"], &[("b", 0), ("b", 1)]),
                member("m2", &["a", "b"], &[]),
            ],
            &counts,
        )
        .unwrap();
        assert!(out[&"m1".to_string()].iter().all(|(t, _)| t == "a"));
        assert_eq!(sizes(&out), vec![4, 4]);
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, .. ProptestConfig::default() })]

        /// Whatever the subscriptions and previous targets: every partition of a subscribed
        /// topic goes to exactly one member, always a subscriber of its topic; and a second run
        /// from the result moves nothing (the assignment is stable).
        #[test]
        fn every_subscribed_partition_once_to_a_subscriber(
            subs in proptest::collection::vec(1u8..8, 1..6),
            seed_targets in any::<bool>(),
        ) {
            let topics = ["a", "b", "c"];
            let count = |t: &str| match t { "a" => Some(6), "b" => Some(2), "c" => Some(5), _ => None };
            let make = |prev: &GroupAssignment| -> Vec<MemberSpec> {
                subs.iter().enumerate().map(|(i, mask)| {
                    let id = format!("m{i}");
                    let ts: Vec<&str> = topics.iter().enumerate()
                        .filter(|(k, _)| mask & (1 << k) != 0).map(|(_, t)| *t).collect();
                    let target: Vec<(&str, u32)> = prev.get(&id)
                        .map(|v| v.iter().map(|(t, p)| (t.as_str(), *p)).collect())
                        .unwrap_or_default();
                    member(&id, &ts, &target)
                }).collect()
            };
            let mut prev = GroupAssignment::new();
            if seed_targets {
                // Everyone once believed it held a and b.
                for i in 0..subs.len() {
                    prev.insert(format!("m{i}"), vec![("a".into(), i as u32 % 6), ("b".into(), i as u32 % 2)]);
                }
            }
            let members = make(&prev);
            let out = assign(&members, &count).unwrap();
            let mut seen = std::collections::BTreeSet::new();
            for (id, tps) in out.iter() {
                let m = members.iter().find(|m| &m.member_id == id).unwrap();
                for (t, p) in tps {
                    prop_assert!(m.topics.contains(t), "{id} got {t}-{p} without subscribing");
                    prop_assert!(seen.insert((t.clone(), *p)), "{t}-{p} twice");
                }
            }
            let expected: u32 = topics.iter()
                .filter(|t| members.iter().any(|m| m.topics.iter().any(|x| x == *t)))
                .map(|t| count(t).unwrap()).sum();
            prop_assert_eq!(seen.len() as u32, expected);
            let again = assign(&make(&out), &count).unwrap();
            prop_assert_eq!(again, out);
        }
    }
}
