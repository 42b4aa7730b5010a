//! `AbstractStickyAssignor`, the algorithm behind `StickyAssignor` (`sticky`, eager) and
//! `CooperativeStickyAssignor` (`cooperative-sticky`), ported from Apache Kafka.
//!
//! Goals, in order: (1) a *balanced* assignment, partition counts differing by at most one
//! wherever the subscriptions allow it; (2) *stickiness*, members keep as many of the partitions
//! they owned as balance permits, so fewer partitions change hands (and lose their caches and
//! in-flight work) on every rebalance.
//!
//! 1. Previous ownership is resolved first ([`Group::resolve_ownership`]): a claim of a member with
//!    a higher generation beats a lower one; two claims at the same generation cancel, and the
//!    partition is treated as unowned.
//! 2. If every member subscribes to the same topics, the *constrained* algorithm
//!    ([`constrained`]) keeps owned partitions up to a quota (`floor(P/M)` or `ceil(P/M)`) and
//!    deals out the rest round robin. Otherwise the *general* algorithm ([`general`]) keeps every
//!    valid owned partition, gives each unassigned one to the least-loaded eligible member, then
//!    moves partitions from heavier to lighter members while that improves balance.
//! 3. Cooperative rebalancing (KIP-429) never hands a partition to a new owner while its old
//!    owner still holds it: such partitions are withheld from the result (Kafka's
//!    `partitionsTransferringOwnership`). The old owner revokes them, rejoins, and the follow-up
//!    rebalance assigns them.
//!
//! Where Kafka's result depends on the iteration order of a `HashMap` of members or a `HashSet`
//! of partitions, this port reproduces that order ([`java_order`]) from the specified Java hash
//! codes, taking members that share a hash bucket in input (JoinGroup) order. Everything else
//! Kafka keeps sorted. Rack-aware assignment (KIP-881) is not modelled.

mod constrained;
mod general;
mod java_order;
#[cfg(test)]
mod tests;

use crate::ground::small_map::{SmallMap, SmallSet};

use super::java_cmp;
use crate::protocol::{Assignment, MemberSubscription};

/// A partition, numbered across all assignable topics: the topics in name order, each
/// contributing its partitions `0..n` in turn. Ordering ids orders by (topic name, partition).
type Pid = usize;

/// A member, by its position in member-id order (Java `String.compareTo`).
type Member = usize;

/// Runs the sticky assignor. With `cooperative`, partitions whose owner changes are left out of
/// the result (they are assigned in the follow-up rebalance, once their old owner revoked them).
pub fn assign(
    topics: &SmallMap<String, u32>,
    members: &[MemberSubscription],
    cooperative: bool,
) -> Assignment {
    let group = Group::new(topics, members);
    if group.members.is_empty() {
        return Assignment::new();
    }
    let ownership = group.resolve_ownership();
    let (mut assignment, transferring) = if group.all_subscriptions_equal() {
        let out = constrained::assign(&group, &ownership);
        (out.assignment, out.transferring)
    } else {
        let assignment = general::assign(&group, ownership.owned);
        let transferring = if cooperative {
            group.transferring(&assignment)
        } else {
            SmallMap::new()
        };
        (assignment, transferring)
    };
    if cooperative {
        for (pid, member) in transferring {
            assignment[member].retain(|&p| p != pid);
        }
    }
    group.to_assignment(&assignment)
}

/// The assignor's view of the group: members and topics numbered in Java's sort order.
struct Group<'a> {
    /// Members sorted by member id (the sticky assignors ignore `group.instance.id`).
    members: Vec<&'a MemberSubscription>,
    /// Members in the order Kafka's `HashMap`s of members iterate them.
    hash_order: Vec<Member>,
    /// Topics that some member subscribes to and that exist with at least one partition, by name.
    topics: Vec<(&'a str, u32)>,
    /// Java `hashCode` of each topic name.
    topic_hashes: Vec<i32>,
    /// First partition id of each topic.
    offsets: Vec<Pid>,
    /// Topic index of each partition id.
    topic_of: Vec<usize>,
    /// Per member, whether it subscribes to each topic.
    subscribes: Vec<Vec<bool>>,
    /// Per member, the generation of its owned partitions (-1 when unknown).
    generation: Vec<i32>,
    /// Per member, the owned partitions it lists that still exist, in the order listed.
    claims: Vec<Vec<Pid>>,
}

/// Previous ownership after resolving conflicting claims.
struct Ownership {
    /// Per member, the partitions it validly owned (in the order it listed them).
    owned: Vec<Vec<Pid>>,
    /// Partitions two members claimed at the same generation: nobody keeps them.
    claimed_twice: SmallSet<Pid>,
}

impl<'a> Group<'a> {
    fn new(topic_counts: &'a SmallMap<String, u32>, members: &'a [MemberSubscription]) -> Self {
        let mut by_id: Vec<(usize, &MemberSubscription)> = members.iter().enumerate().collect();
        crate::ground::sort::sort_by(&mut by_id, |a, b| java_cmp(&a.1.member_id, &b.1.member_id));
        let members: Vec<&MemberSubscription> = by_id.iter().map(|&(_, m)| m).collect();
        // Kafka puts members into its maps in JoinGroup order.
        let mut joined: Vec<Member> = (0..members.len()).collect();
        crate::ground::sort::sort_by_key(&mut joined, |&m| by_id[m].0);
        let hashes: Vec<i32> = joined
            .iter()
            .map(|&m| java_order::string_hash(&members[m].member_id))
            .collect();
        let hash_order = java_order::hash_map_order(&hashes)
            .into_iter()
            .map(|i| joined[i])
            .collect();

        // `AbstractPartitionAssignor.assign`: only subscribed topics known to metadata, non-empty.
        let mut topics: Vec<(&str, u32)> = topic_counts
            .iter()
            .filter(|&(t, &n)| n > 0 && members.iter().any(|m| m.subscription.contains(t)))
            .map(|(t, &n)| (t.as_str(), n))
            .collect();
        crate::ground::sort::sort_by(&mut topics, |a, b| java_cmp(a.0, b.0));
        let topic_hashes = topics
            .iter()
            .map(|(t, _)| java_order::string_hash(t))
            .collect();

        let mut offsets = Vec::with_capacity(topics.len());
        let mut topic_of = Vec::new();
        for (t, &(_, n)) in topics.iter().enumerate() {
            offsets.push(topic_of.len());
            topic_of.extend(std::iter::repeat_n(t, n as usize));
        }
        let index = |name: &str| topics.binary_search_by(|(t, _)| java_cmp(t, name)).ok();

        let subscribes = members
            .iter()
            .map(|m| {
                let mut row = vec![false; topics.len()];
                for t in m.subscription.iter().filter_map(|t| index(t)) {
                    row[t] = true;
                }
                row
            })
            .collect();
        let generation = members.iter().map(|m| m.generation.unwrap_or(-1)).collect();
        // Kafka drops claims on topics that are not assignable; partitions beyond a topic's
        // count cannot occur in Kafka (partitions are never removed), so they are dropped too.
        let claims = members
            .iter()
            .map(|m| {
                m.owned_partitions
                    .iter()
                    .filter_map(|(t, p)| {
                        let t = index(t)?;
                        (*p < topics[t].1).then(|| offsets[t] + *p as usize)
                    })
                    .collect()
            })
            .collect();
        Group {
            members,
            hash_order,
            topics,
            topic_hashes,
            offsets,
            topic_of,
            subscribes,
            generation,
            claims,
        }
    }

    fn member_count(&self) -> usize {
        self.members.len()
    }

    fn partition_count(&self) -> usize {
        self.topic_of.len()
    }

    /// Partition number of `pid` within its topic.
    fn partition_number(&self, pid: Pid) -> u32 {
        (pid - self.offsets[self.topic_of[pid]]) as u32
    }

    /// Kafka's `TopicPartition.hashCode` of `pid`.
    fn partition_hash(&self, pid: Pid) -> i32 {
        let topic = self.topic_hashes[self.topic_of[pid]];
        java_order::topic_partition_hash(topic, self.partition_number(pid))
    }

    fn topic_partitions(&self, topic: usize) -> std::ops::Range<Pid> {
        self.offsets[topic]..self.offsets[topic] + self.topics[topic].1 as usize
    }

    fn max_generation(&self) -> i32 {
        self.generation.iter().copied().fold(-1, i32::max)
    }

    /// `allSubscriptionsEqual`: whether every member lists the same topics (including ones
    /// missing from metadata). As in Kafka, members are compared in `HashMap` order with the
    /// first non-empty subscription, so members with an empty subscription met before it are
    /// not compared at all.
    fn all_subscriptions_equal(&self) -> bool {
        let mut reference: SmallSet<&str> = SmallSet::new();
        for &m in &self.hash_order {
            let topics = &self.members[m].subscription;
            if reference.is_empty() {
                reference.extend(topics.iter().map(String::as_str));
            } else if topics.len() != reference.len()
                || !topics.iter().all(|t| reference.contains(&t.as_str()))
            {
                return false;
            }
        }
        true
    }

    /// `allSubscriptionsEqual`'s ownership pass, members visited in `HashMap` order: a claim on
    /// a partition another member already claimed wins with a higher generation, loses with a
    /// lower one, and with an equal one takes the partition away from both.
    fn resolve_ownership(&self) -> Ownership {
        let mut owned: Vec<Vec<Pid>> = vec![Vec::new(); self.member_count()];
        let mut claimed_twice = SmallSet::new();
        let mut last_claimant: Vec<Option<Member>> = vec![None; self.partition_count()];
        for &member in &self.hash_order {
            let generation = self.generation[member];
            for &pid in &self.claims[member] {
                match last_claimant[pid] {
                    None => owned[member].push(pid),
                    Some(other) if generation == self.generation[other] => {
                        claimed_twice.insert(pid);
                        remove_first(&mut owned[other], pid);
                    }
                    Some(other) if generation > self.generation[other] => {
                        owned[member].push(pid);
                        remove_first(&mut owned[other], pid);
                    }
                    Some(_) => continue,
                }
                last_claimant[pid] = Some(member);
            }
        }
        Ownership {
            owned,
            claimed_twice,
        }
    }

    /// `CooperativeStickyAssignor.computePartitionsTransferringOwnership` (general algorithm):
    /// a partition assigned to a member that did not list it, while another member lists it.
    fn transferring(&self, assignment: &[Vec<Pid>]) -> SmallMap<Pid, Member> {
        let mut listed_by: Vec<Vec<Member>> = vec![Vec::new(); self.partition_count()];
        for (member, claims) in self.claims.iter().enumerate() {
            for &pid in claims {
                listed_by[pid].push(member);
            }
        }
        let mut out = SmallMap::new();
        for (member, pids) in assignment.iter().enumerate() {
            for &pid in pids {
                let listers = &listed_by[pid];
                if !listers.is_empty() && !listers.contains(&member) {
                    out.insert(pid, member);
                }
            }
        }
        out
    }

    fn to_assignment(&self, assignment: &[Vec<Pid>]) -> Assignment {
        // Inserted, not collected: collecting into a `BTreeMap` compiles a sort.
        let mut out = Assignment::new();
        for (m, pids) in self.members.iter().zip(assignment) {
            let mut pids = pids.clone();
            crate::ground::sort::sort(&mut pids);
            let tps = pids
                .into_iter()
                .map(|pid| {
                    let topic = self.topics[self.topic_of[pid]].0.to_string();
                    (topic, self.partition_number(pid))
                })
                .collect();
            out.insert(m.member_id.clone(), tps);
        }
        out
    }
}

/// `List.remove(Object)`: removes the first occurrence, if any.
fn remove_first(list: &mut Vec<Pid>, pid: Pid) {
    if let Some(i) = list.iter().position(|&p| p == pid) {
        list.remove(i);
    }
}
