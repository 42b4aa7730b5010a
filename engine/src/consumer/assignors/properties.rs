//! Property checks for assignments, as defined in `../shared/vectors/README.md` (a port of the
//! reference `props.py`). [`compute`] measures an assignment; [`check`] compares the measurements
//! with the `expected.properties` object of a vector case.

use crate::ground::small_map::SmallMap;
use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::protocol::{Assignment, MemberSubscription, TopicPartition};

/// What [`compute`] measures about one assignment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Facts {
    /// No partition assigned twice, and none outside the assignable partitions.
    pub no_duplicates: bool,
    /// `no_duplicates`, and every assignable partition is assigned.
    pub complete: bool,
    /// Every member only gets partitions of topics it subscribes to.
    pub subscribed_only: bool,
    /// Partition counts over all members differ by at most one.
    pub fully_balanced: bool,
    /// Kafka's test rule: members whose counts differ by more than one share no topic.
    pub balance_rule: bool,
    /// Partitions whose valid previous owner (see [`previous_owners`]) lost them.
    pub moved: usize,
    /// (member, listed owned partition) pairs where the member does not get the partition.
    pub revoked: usize,
    /// A partition goes to a member only if that member lists it as owned or nobody does.
    pub cooperative_safe: bool,
    /// Every unassigned partition is listed as owned by some member (withheld for revocation).
    pub unassigned_are_withheld: bool,
    /// Assignable partitions nobody got, sorted.
    pub unassigned: Vec<TopicPartition>,
}

/// The `expected.properties` object of a vector case. `true` means the property must hold;
/// `false` or absent means it is not required. `max_moved` / `max_revoked` are upper bounds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExpectedProperties {
    pub no_duplicates: Option<bool>,
    pub complete: Option<bool>,
    pub subscribed_only: Option<bool>,
    pub fully_balanced: Option<bool>,
    pub balance_rule: Option<bool>,
    pub cooperative_safe: Option<bool>,
    pub unassigned_are_withheld: Option<bool>,
    pub max_moved: Option<usize>,
    pub max_revoked: Option<usize>,
}

/// Every partition of every topic in `topics` that at least one member subscribes to.
pub fn assignable_partitions(
    topics: &SmallMap<String, u32>,
    members: &[MemberSubscription],
) -> BTreeSet<TopicPartition> {
    let subscribed: BTreeSet<&String> = members.iter().flat_map(|m| &m.subscription).collect();
    topics
        .iter()
        .filter(|(t, _)| subscribed.contains(t))
        .flat_map(|(t, &n)| (0..n).map(move |p| (t.clone(), p)))
        .collect()
}

/// Partition -> member that validly owned it before: the claim with the highest generation
/// (unknown = -1); if two claims share the highest generation, nobody.
pub fn previous_owners(members: &[MemberSubscription]) -> BTreeMap<TopicPartition, String> {
    let mut claims: BTreeMap<&TopicPartition, Vec<(i32, &String)>> = BTreeMap::new();
    for m in members {
        let generation = m.generation.unwrap_or(-1);
        for tp in &m.owned_partitions {
            claims
                .entry(tp)
                .or_default()
                .push((generation, &m.member_id));
        }
    }
    claims
        .into_iter()
        .filter_map(|(tp, mut claims)| {
            crate::ground::sort::sort_by(&mut claims, |a, b| b.cmp(a));
            let contested = claims.len() > 1 && claims[0].0 == claims[1].0;
            (!contested).then(|| (tp.clone(), claims[0].1.clone()))
        })
        .collect()
}

/// Measures `assignment` of `topics` (topic -> partition count) to `members`.
pub fn compute(
    topics: &SmallMap<String, u32>,
    members: &[MemberSubscription],
    assignment: &Assignment,
) -> Facts {
    let subscriptions: BTreeMap<&String, BTreeSet<&String>> = members
        .iter()
        .map(|m| (&m.member_id, m.subscription.iter().collect()))
        .collect();
    let all = assignable_partitions(topics, members);

    let mut assigned_to: BTreeMap<&TopicPartition, &String> = BTreeMap::new();
    let mut duplicate = false;
    for (member, tps) in assignment {
        for tp in tps {
            duplicate |= assigned_to.insert(tp, member).is_some();
        }
    }
    let unknown = assigned_to.keys().any(|tp| !all.contains(*tp));
    let subscribed_only = assignment.iter().all(|(member, tps)| {
        let subs = subscriptions.get(member);
        tps.iter().all(|(t, _)| subs.is_some_and(|s| s.contains(t)))
    });

    let count = |member: &String| assignment.get(member).map_or(0, Vec::len);
    let counts: Vec<usize> = members.iter().map(|m| count(&m.member_id)).collect();
    let fully_balanced = match (counts.iter().min(), counts.iter().max()) {
        (Some(min), Some(max)) => max - min <= 1,
        _ => true,
    };

    let topics_of: Vec<(usize, BTreeSet<&String>)> = assignment
        .values()
        .map(|tps| (tps.len(), tps.iter().map(|(t, _)| t).collect()))
        .collect();
    let balance_rule = topics_of.iter().enumerate().all(|(i, (n, a))| {
        topics_of[i + 1..]
            .iter()
            .all(|(m, b)| n.abs_diff(*m) <= 1 || a.is_disjoint(b))
    });

    let moved = previous_owners(members)
        .iter()
        .filter(|(tp, owner)| {
            let still_valid =
                all.contains(*tp) && subscriptions.get(owner).is_some_and(|s| s.contains(&tp.0));
            still_valid && assigned_to.get(tp) != Some(owner)
        })
        .count();

    let mut revoked = 0;
    let mut listed_by: BTreeMap<&TopicPartition, BTreeSet<&String>> = BTreeMap::new();
    for m in members {
        let mine: BTreeSet<&TopicPartition> = assignment
            .get(&m.member_id)
            .map(|tps| tps.iter().collect())
            .unwrap_or_default();
        for tp in &m.owned_partitions {
            revoked += usize::from(!mine.contains(tp));
            listed_by.entry(tp).or_default().insert(&m.member_id);
        }
    }
    let cooperative_safe = assignment.iter().all(|(member, tps)| {
        tps.iter()
            .all(|tp| listed_by.get(tp).is_none_or(|l| l.contains(member)))
    });

    let unassigned: Vec<TopicPartition> = all
        .iter()
        .filter(|tp| !assigned_to.contains_key(tp))
        .cloned()
        .collect();
    let unassigned_are_withheld = unassigned.iter().all(|tp| listed_by.contains_key(tp));

    Facts {
        no_duplicates: !duplicate && !unknown,
        complete: !duplicate && !unknown && unassigned.is_empty(),
        subscribed_only,
        fully_balanced,
        balance_rule,
        moved,
        revoked,
        cooperative_safe,
        unassigned_are_withheld,
        unassigned,
    }
}

/// Names of the properties `expected` requires that `facts` does not satisfy (empty = all hold).
pub fn check(expected: &ExpectedProperties, facts: &Facts) -> Vec<&'static str> {
    let flags = [
        ("no_duplicates", expected.no_duplicates, facts.no_duplicates),
        ("complete", expected.complete, facts.complete),
        (
            "subscribed_only",
            expected.subscribed_only,
            facts.subscribed_only,
        ),
        (
            "fully_balanced",
            expected.fully_balanced,
            facts.fully_balanced,
        ),
        ("balance_rule", expected.balance_rule, facts.balance_rule),
        (
            "cooperative_safe",
            expected.cooperative_safe,
            facts.cooperative_safe,
        ),
        (
            "unassigned_are_withheld",
            expected.unassigned_are_withheld,
            facts.unassigned_are_withheld,
        ),
    ];
    let bounds = [
        ("max_moved", expected.max_moved, facts.moved),
        ("max_revoked", expected.max_revoked, facts.revoked),
    ];
    let failed_flags = flags
        .into_iter()
        .filter(|&(_, want, have)| want == Some(true) && !have)
        .map(|(name, _, _)| name);
    let failed_bounds = bounds
        .into_iter()
        .filter(|&(_, max, have)| max.is_some_and(|max| have > max))
        .map(|(name, _, _)| name);
    failed_flags.chain(failed_bounds).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(
        id: &str,
        topics: &[&str],
        owned: &[(&str, u32)],
        gen: Option<i32>,
    ) -> MemberSubscription {
        MemberSubscription {
            member_id: id.into(),
            group_instance_id: None,
            subscription: topics.iter().map(|t| t.to_string()).collect(),
            owned_partitions: owned.iter().map(|(t, p)| (t.to_string(), *p)).collect(),
            generation: gen,
        }
    }

    fn assignment(entries: &[(&str, &[(&str, u32)])]) -> Assignment {
        entries
            .iter()
            .map(|(m, tps)| {
                let tps = tps.iter().map(|(t, p)| (t.to_string(), *p)).collect();
                (m.to_string(), tps)
            })
            .collect()
    }

    /// README "expected.properties": equal-generation double claims leave a partition unowned.
    #[test]
    fn highest_generation_owns_and_ties_own_nothing() {
        let members = [
            member("a", &["t"], &[("t", 0), ("t", 1)], Some(2)),
            member("b", &["t"], &[("t", 0)], Some(1)),
            member("c", &["t"], &[("t", 1)], Some(2)),
        ];
        let owners = previous_owners(&members);
        assert_eq!(owners.get(&("t".to_string(), 0)), Some(&"a".to_string()));
        assert_eq!(owners.get(&("t".to_string(), 1)), None);
    }

    /// A withheld partition: cooperative-safe, incomplete, listed, one revocation.
    #[test]
    fn withheld_partition_is_cooperative_safe_but_incomplete() {
        let topics = SmallMap::from_iter([("t".to_string(), 2)]);
        let members = [
            member("a", &["t"], &[("t", 0), ("t", 1)], Some(1)),
            member("b", &["t"], &[], Some(1)),
        ];
        let facts = compute(
            &topics,
            &members,
            &assignment(&[("a", &[("t", 0)]), ("b", &[])]),
        );
        assert!(facts.no_duplicates && facts.cooperative_safe && facts.unassigned_are_withheld);
        assert!(!facts.complete);
        assert_eq!(facts.revoked, 1);
        assert_eq!(facts.moved, 1);
        assert_eq!(facts.unassigned, vec![("t".to_string(), 1)]);

        let expected = ExpectedProperties {
            complete: Some(true),
            cooperative_safe: Some(true),
            max_revoked: Some(0),
            ..Default::default()
        };
        assert_eq!(check(&expected, &facts), vec!["complete", "max_revoked"]);
    }

    /// AbstractStickyAssignorTest.verifyValidityAndBalance: an uneven split of a shared topic.
    #[test]
    fn balance_rule_flags_uneven_members_sharing_a_topic() {
        let topics = SmallMap::from_iter([("t".to_string(), 5), ("u".to_string(), 1)]);
        let members = [
            member("a", &["t", "u"], &[], None),
            member("b", &["t"], &[], None),
        ];
        let skewed = assignment(&[
            ("a", &[("t", 0), ("t", 1), ("t", 2), ("t", 3)]),
            ("b", &[("t", 4)]),
        ]);
        let facts = compute(&topics, &members, &skewed);
        assert!(!facts.balance_rule && !facts.fully_balanced && !facts.complete);
        assert!(facts.no_duplicates && facts.subscribed_only);

        let wrong = assignment(&[("a", &[("u", 0)]), ("b", &[("t", 0), ("u", 1)])]);
        let facts = compute(&topics, &members, &wrong);
        assert!(!facts.subscribed_only && !facts.no_duplicates);
    }
}
