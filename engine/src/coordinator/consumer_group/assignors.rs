//! The server-side assignors of the consumer group protocol (KIP-848), as the group coordinator
//! runs them when the group epoch moves past the target assignment epoch.
//!
//! `uniform` (`UniformAssignor`, the default) balances partitions across members and keeps each
//! member's previous target where the balance allows; `range` (`RangeAssignor`) hands every
//! member a contiguous range of each topic it subscribes to, the same partition numbers of every
//! topic when the topics are co-partitioned.
//!
//! Simplification: Kafka iterates members and topics in hash-map order; here members go in
//! member-id order (`range` sorts them as Kafka does: static members by instance id first) and
//! topics by name, so that a run is reproducible.

use crate::ground::small_map::SmallMap;

pub use crate::protocol::ServerAssignor;

/// One member as an assignor sees it (`MemberSubscription` and its current target).
#[derive(Clone, Debug)]
pub struct MemberSpec {
    pub member_id: String,
    /// `group.instance.id` of a static member.
    pub instance_id: Option<String>,
    pub topics: Vec<String>,
    /// The member's target assignment before this one, as (topic, partition).
    pub target: Vec<(String, u32)>,
}

/// Member id to its partitions, sorted.
pub type GroupAssignment = SmallMap<String, Vec<(String, u32)>>;

/// `PartitionAssignorException`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssignorError(pub String);

/// Runs the named server assignor.
pub fn assign(
    assignor: ServerAssignor,
    members: &[MemberSpec],
    partitions: &dyn Fn(&str) -> Option<u32>,
) -> Result<GroupAssignment, AssignorError> {
    match assignor {
        ServerAssignor::Uniform => uniform(members, partitions),
        ServerAssignor::Range => range(members, partitions),
    }
}

fn partition_count(
    partitions: &dyn Fn(&str) -> Option<u32>,
    topic: &str,
) -> Result<u32, AssignorError> {
    partitions(topic).ok_or_else(|| {
        AssignorError(format!(
            "Members are subscribed to topic {topic} which doesn't exist in the topic metadata."
        ))
    })
}

fn sorted_topics(topics: &[String]) -> Vec<&str> {
    let mut t: Vec<&str> = topics.iter().map(String::as_str).collect();
    crate::ground::sort::sort(&mut t);
    t.dedup();
    t
}

/// `RangeAssignor`: members sorted (static ones by instance id first, then by member id); for
/// each topic, the members subscribed to it take contiguous ranges in that order, the first
/// `partitions % members` of them one more.
pub fn range(
    members: &[MemberSpec],
    partitions: &dyn Fn(&str) -> Option<u32>,
) -> Result<GroupAssignment, AssignorError> {
    let mut order: Vec<&MemberSpec> = members.iter().collect();
    crate::ground::sort::sort_by(&mut order, |a, b| match (&a.instance_id, &b.instance_id) {
        (Some(x), Some(y)) => x.cmp(y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.member_id.cmp(&b.member_id),
    });
    // Per topic: partitions, subscribed members, and the next range's start.
    let mut topics: SmallMap<&str, (u32, u32, u32)> = SmallMap::new();
    for m in &order {
        for t in sorted_topics(&m.topics) {
            let n = partition_count(partitions, t)?;
            topics.entry(t).or_insert((n, 0, 0)).1 += 1;
        }
    }
    // Inserted one by one: `collect` would sort (see `crate::ground::small_map`).
    let mut extra: SmallMap<&str, u32> = SmallMap::new();
    for (t, &(n, members, _)) in &topics {
        extra.insert(*t, n % members);
    }
    let mut out = GroupAssignment::new();
    for m in order {
        let mut mine = Vec::new();
        for t in sorted_topics(&m.topics) {
            let (n, count, next) = topics.get_mut(t).expect("counted above");
            let left = extra.get_mut(t).expect("counted above");
            let mut quota = *n / *count;
            if *left > 0 {
                quota += 1;
                *left -= 1;
            }
            let end = (*next + quota).min(*n);
            mine.extend((*next..end).map(|p| (t.to_string(), p)));
            *next = end;
        }
        out.insert(m.member_id.clone(), mine);
    }
    Ok(out)
}

/// `UniformAssignor`. For a group whose members all subscribe to the same topics
/// (`UniformHomogeneousAssignmentBuilder`): every member gets `partitions / members`, the first
/// `partitions % members` one more; a member keeps its previous target up to that quota, and the
/// partitions nobody holds then go to members with room, in order. Mixed subscriptions go to
/// `uniform_heterogeneous`.
pub fn uniform(
    members: &[MemberSpec],
    partitions: &dyn Fn(&str) -> Option<u32>,
) -> Result<GroupAssignment, AssignorError> {
    let Some(first) = members.first() else {
        return Ok(GroupAssignment::new());
    };
    let topics = sorted_topics(&first.topics);
    if members.iter().any(|m| sorted_topics(&m.topics) != topics) {
        return super::uniform_heterogeneous::assign(members, partitions);
    }
    if topics.is_empty() {
        return Ok(GroupAssignment::new());
    }
    let mut order: Vec<&MemberSpec> = members.iter().collect();
    crate::ground::sort::sort_by(&mut order, |a, b| a.member_id.cmp(&b.member_id));
    let mut held: crate::ground::small_map::SmallSet<(&str, u32)> =
        crate::ground::small_map::SmallSet::new();
    for (t, p) in order.iter().flat_map(|m| m.target.iter()) {
        held.insert((t.as_str(), *p));
    }
    let mut unassigned: Vec<(String, u32)> = Vec::new();
    let mut total = 0u32;
    for &t in &topics {
        let n = partition_count(partitions, t)?;
        total += n;
        unassigned.extend(
            (0..n)
                .filter(|&p| !held.contains(&(t, p)))
                .map(|p| (t.to_string(), p)),
        );
    }
    let count = order.len() as u32;
    let min_quota = total / count;
    let mut extra = total % count;
    let mut out = GroupAssignment::new();
    let mut unfilled: Vec<(&str, u32)> = Vec::new();
    for m in &order {
        let mut quota = min_quota;
        if extra > 0 {
            quota += 1;
            extra -= 1;
        }
        let mut kept = Vec::new();
        let mut previous: Vec<&(String, u32)> = m.target.iter().collect();
        crate::ground::sort::sort(&mut previous);
        for tp in previous {
            if !topics.contains(&tp.0.as_str()) || tp.1 >= partition_count(partitions, &tp.0)? {
                continue; // unsubscribed, or gone with its topic
            }
            if quota > 0 {
                quota -= 1;
                kept.push(tp.clone());
            } else {
                unassigned.push(tp.clone());
            }
        }
        if quota > 0 {
            unfilled.push((m.member_id.as_str(), quota));
        }
        out.insert(m.member_id.clone(), kept);
    }
    let mut next = unassigned.into_iter();
    for (member, quota) in unfilled {
        let mine = out.get_mut(member).expect("inserted above");
        mine.extend(next.by_ref().take(quota as usize));
        crate::ground::sort::sort(mine);
    }
    if next.next().is_some() {
        return Err(AssignorError("Partitions were left unassigned".into()));
    }
    Ok(out)
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
            "t1" | "t2" => Some(3),
            "orders" => Some(6),
            "seven" => Some(7),
            _ => None,
        }
    }

    fn tps(v: &[(&str, u32)]) -> Vec<(String, u32)> {
        v.iter().map(|(t, p)| (t.to_string(), *p)).collect()
    }

    /// The example of `RangeAssignor`'s javadoc: two members, T1 and T2 with three partitions
    /// each: M0 gets T1P0, T1P1, T2P0, T2P1 and M1 gets T1P2, T2P2 (co-partitioned).
    #[test]
    fn range_gives_co_partitioned_ranges() {
        let members = [
            member("m0", &["t1", "t2"], &[]),
            member("m1", &["t2", "t1"], &[]),
        ];
        let a = range(&members, &counts).unwrap();
        assert_eq!(
            a[&"m0".to_string()],
            tps(&[("t1", 0), ("t1", 1), ("t2", 0), ("t2", 1)])
        );
        assert_eq!(a[&"m1".to_string()], tps(&[("t1", 2), ("t2", 2)]));
    }

    /// `RangeAssignor.sortMemberIds`: static members first, by instance id, then the others.
    #[test]
    fn range_puts_static_members_first() {
        let mut z = member("a-dynamic", &["orders"], &[]);
        z.instance_id = None;
        let mut s = member("z-static", &["orders"], &[]);
        s.instance_id = Some("instance-1".into());
        let a = range(&[z, s], &counts).unwrap();
        assert_eq!(
            a[&"z-static".to_string()],
            tps(&[("orders", 0), ("orders", 1), ("orders", 2)])
        );
        assert_eq!(
            a[&"a-dynamic".to_string()],
            tps(&[("orders", 3), ("orders", 4), ("orders", 5)])
        );
    }

    /// A third member joins two that hold three partitions each: each keeps two and the newcomer
    /// gets the one each gave up (`UniformHomogeneousAssignmentBuilder`: sticky and balanced).
    #[test]
    fn uniform_keeps_what_it_can_and_moves_only_the_excess() {
        let members = [
            member(
                "a",
                &["orders"],
                &[("orders", 0), ("orders", 1), ("orders", 2)],
            ),
            member(
                "b",
                &["orders"],
                &[("orders", 3), ("orders", 4), ("orders", 5)],
            ),
            member("c", &["orders"], &[]),
        ];
        let a = uniform(&members, &counts).unwrap();
        assert_eq!(a[&"a".to_string()], tps(&[("orders", 0), ("orders", 1)]));
        assert_eq!(a[&"b".to_string()], tps(&[("orders", 3), ("orders", 4)]));
        assert_eq!(a[&"c".to_string()], tps(&[("orders", 2), ("orders", 5)]));
    }

    /// Seven partitions over three members: 3, 2, 2, the first member in order taking the extra.
    #[test]
    fn uniform_balances_within_one_partition() {
        let members = [
            member("a", &["seven"], &[]),
            member("b", &["seven"], &[]),
            member("c", &["seven"], &[]),
        ];
        let a = uniform(&members, &counts).unwrap();
        let sizes: Vec<usize> = a.values().map(Vec::len).collect();
        assert_eq!(sizes, vec![3, 2, 2]);
        let mut all: Vec<(String, u32)> = a.values().flatten().cloned().collect();
        all.sort();
        assert_eq!(
            all,
            (0..7).map(|p| ("seven".to_string(), p)).collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_missing_topic_is_refused_with_its_name() {
        let err = uniform(&[member("a", &["nope"], &[])], &counts).unwrap_err();
        assert!(err.0.contains("nope"), "{err:?}");
        let err = range(&[member("a", &["nope"], &[])], &counts).unwrap_err();
        assert!(err.0.contains("nope"), "{err:?}");
    }
}
