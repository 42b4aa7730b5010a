//! The general algorithm (`GeneralAssignmentBuilder`), used when subscriptions differ.
//!
//! 1. Every member keeps the owned partitions of topics it still subscribes to.
//! 2. Each unassigned partition, topics with fewer potential members first, goes to the
//!    least-loaded member subscribed to its topic (ties by member id).
//! 3. Partitions are then moved from a member to one holding at least two fewer partitions until
//!    the assignment is balanced: back to the partition's previous-generation owner when that
//!    helps, otherwise to the least-loaded eligible member. A move that would undo an earlier move
//!    of the same topic between the same two members moves that earlier partition back instead,
//!    so partitions do not swap places. If the moves do not lower the balance score (sum of load
//!    differences over all member pairs), the assignment before them is kept.
//!
//! Topics with a single potential member, and members that cannot gain or lose anything, are
//! left out of step 3.

use crate::ground::small_map::{SmallMap, SmallSet};

use super::java_order::JavaHashSet;
use super::{Group, Member, Pid};

/// Runs the general algorithm over the resolved `owned` partitions; returns each member's
/// partitions.
pub(super) fn assign(group: &Group, owned: Vec<Vec<Pid>>) -> Vec<Vec<Pid>> {
    let mut b = Builder::new(group);
    // `assignOwnedPartitions`: keep owned partitions of still-subscribed topics.
    let mut revocation_required = false;
    for (member, pids) in owned.into_iter().enumerate() {
        for pid in pids {
            if group.subscribes[member][group.topic_of[pid]] {
                b.current[member].insert(pid);
                b.owner[pid] = Some(member);
            } else {
                revocation_required = true;
            }
        }
    }
    // Inserted, not collected: collecting a set compiles a sort (see `crate::ground::sort`).
    b.by_load.clear();
    for m in 0..group.member_count() {
        b.by_load.insert((b.current[m].len(), m));
    }
    let unassigned: Vec<Pid> = b
        .sorted_all
        .iter()
        .copied()
        .filter(|&p| b.owner[p].is_none())
        .collect();
    let previous = previous_owners(group);
    b.balance(&previous, unassigned, revocation_required);
    b.current
        .into_iter()
        .map(|pids| pids.into_iter().collect())
        .collect()
}

/// `prepopulateCurrentAssignments`: for partitions claimed by members of an older generation than
/// the newest one in the group, the member with the highest such generation (the first in
/// `HashMap` order wins a tie). Partitions are moved back to this member when that improves
/// balance.
fn previous_owners(group: &Group) -> Vec<Option<(Member, i32)>> {
    let max_generation = group.max_generation();
    let mut previous: Vec<Option<(Member, i32)>> = vec![None; group.partition_count()];
    for &member in &group.hash_order {
        let generation = group.generation[member];
        if generation >= max_generation {
            continue;
        }
        for &pid in &group.claims[member] {
            match previous[pid] {
                Some((_, g)) if g >= generation => {}
                _ => previous[pid] = Some((member, generation)),
            }
        }
    }
    previous
}

struct Builder<'g> {
    group: &'g Group<'g>,
    /// Per topic, the members subscribed to it (`topic2AllPotentialConsumers`).
    subscribers: Vec<Vec<Member>>,
    /// Per member, how many partitions its subscribed topics have (`getMaxAssignmentSize`).
    capacity: Vec<usize>,
    /// All partitions, topics with fewer potential members first, then by name and number.
    sorted_all: Vec<Pid>,
    current: Vec<SmallSet<Pid>>,
    owner: Vec<Option<Member>>,
    /// Members taking part in balancing, ordered by (load, member id)
    /// (`sortedCurrentSubscriptions`).
    by_load: SmallSet<(usize, Member)>,
    /// Members that can take part in reassignment (the others are "fixed").
    active: Vec<bool>,
    movements: Movements,
}

impl<'g> Builder<'g> {
    fn new(group: &'g Group<'g>) -> Self {
        let topics = group.topics.len();
        let members = group.member_count();
        let mut subscribers = vec![Vec::new(); topics];
        for m in 0..members {
            for (t, subs) in subscribers.iter_mut().enumerate() {
                if group.subscribes[m][t] {
                    subs.push(m);
                }
            }
        }
        let capacity = group
            .subscribes
            .iter()
            .map(|row| {
                (0..topics)
                    .filter(|&t| row[t])
                    .map(|t| group.topics[t].1 as usize)
                    .sum()
            })
            .collect();
        let mut topic_order: Vec<usize> = (0..topics).collect();
        crate::ground::sort::sort_by_key(&mut topic_order, |&t| (subscribers[t].len(), t));
        let sorted_all = topic_order
            .into_iter()
            .flat_map(|t| group.topic_partitions(t))
            .collect();
        Builder {
            group,
            subscribers,
            capacity,
            sorted_all,
            current: vec![SmallSet::new(); members],
            owner: vec![None; group.partition_count()],
            by_load: SmallSet::new(),
            active: vec![true; members],
            movements: Movements::default(),
        }
    }

    fn load(&self, member: Member) -> usize {
        self.current[member].len()
    }

    fn topic_can_move(&self, topic: usize) -> bool {
        self.subscribers[topic].len() >= 2
    }

    /// `canConsumerParticipateInReassignment`: it can gain partitions, or holds a movable one.
    fn member_can_move(&self, member: Member) -> bool {
        self.load(member) < self.capacity[member]
            || self.current[member]
                .iter()
                .any(|&p| self.topic_can_move(self.group.topic_of[p]))
    }

    fn balance(
        &mut self,
        previous: &[Option<(Member, i32)>],
        unassigned: Vec<Pid>,
        revocation_required: bool,
    ) {
        let initializing = self.by_load.last().is_none_or(|&(load, _)| load == 0);

        // `maybeAssign`: each unassigned partition to the least-loaded subscribed member.
        for &pid in &unassigned {
            let topic = self.group.topic_of[pid];
            let target = self
                .by_load
                .iter()
                .find(|&&(_, m)| self.group.subscribes[m][topic])
                .copied();
            if let Some((load, member)) = target {
                self.by_load.remove(&(load, member));
                self.current[member].insert(pid);
                self.owner[pid] = Some(member);
                self.by_load.insert((load + 1, member));
            }
        }

        // Narrow the scope to partitions and members that can move.
        let movable = |b: &Self, p: &Pid| b.topic_can_move(b.group.topic_of[*p]);
        let sorted_all: Vec<Pid> = self
            .sorted_all
            .iter()
            .filter(|p| movable(self, p))
            .copied()
            .collect();
        let unassigned: Vec<Pid> = unassigned
            .into_iter()
            .filter(|p| movable(self, p))
            .collect();
        for member in 0..self.group.member_count() {
            if !self.member_can_move(member) {
                self.by_load.remove(&(self.load(member), member));
                self.active[member] = false;
            }
        }

        let before = (self.current.clone(), self.owner.clone());
        if !revocation_required {
            // First try to balance by moving only the newly assigned partitions.
            self.perform_reassignments(&unassigned, previous);
        }
        let reassigned = self.perform_reassignments(&sorted_all, previous);
        if !initializing && reassigned && self.score(&self.current) >= self.score(&before.0) {
            (self.current, self.owner) = before;
        }
    }

    /// `getBalanceScore`: the sum of load differences over all pairs of active members.
    fn score(&self, assignment: &[SmallSet<Pid>]) -> usize {
        let loads: Vec<usize> = (0..assignment.len())
            .filter(|&m| self.active[m])
            .map(|m| assignment[m].len())
            .collect();
        loads
            .iter()
            .enumerate()
            .flat_map(|(i, a)| loads[i + 1..].iter().map(move |b| a.abs_diff(*b)))
            .sum()
    }

    /// `isBalanced`: loads differ by at most one, or no member could take a partition from a
    /// member holding two or more partitions more.
    fn is_balanced(&self) -> bool {
        let (Some(&(min, _)), Some(&(max, _))) = (self.by_load.first(), self.by_load.last()) else {
            return true;
        };
        if min + 1 >= max {
            return true;
        }
        self.by_load.iter().all(|&(load, member)| {
            load == self.capacity[member]
                || (0..self.group.topics.len())
                    .filter(|&t| self.group.subscribes[member][t])
                    .flat_map(|t| self.group.topic_partitions(t))
                    .filter(|p| !self.current[member].contains(p))
                    .all(|p| self.owner[p].is_none_or(|o| load + 1 >= self.load(o)))
        })
    }

    /// `performReassignments`: sweeps `partitions` until balanced or nothing moves; returns
    /// whether anything moved.
    fn perform_reassignments(
        &mut self,
        partitions: &[Pid],
        previous: &[Option<(Member, i32)>],
    ) -> bool {
        let mut reassigned = false;
        loop {
            let mut modified = false;
            for &pid in partitions {
                if self.is_balanced() {
                    break;
                }
                let Some(owner) = self.owner[pid] else {
                    continue;
                };
                let topic = self.group.topic_of[pid];
                let owner_load = self.load(owner);
                // Back to the previous-generation owner if that helps. Like Kafka, this does not
                // check that the member still subscribes to the topic. (A fixed member is
                // skipped; Kafka would throw a NullPointerException.)
                if let Some((prev, _)) = previous[pid] {
                    if self.active[prev] && owner_load > self.load(prev) + 1 {
                        self.reassign(pid, prev);
                        reassigned = true;
                        modified = true;
                        continue;
                    }
                }
                if self.subscribers[topic]
                    .iter()
                    .any(|&other| owner_load > self.load(other) + 1)
                {
                    let target = self
                        .by_load
                        .iter()
                        .map(|&(_, m)| m)
                        .find(|&m| self.group.subscribes[m][topic]);
                    if let Some(target) = target {
                        self.reassign(pid, target);
                        reassigned = true;
                        modified = true;
                    }
                }
            }
            if !modified {
                return reassigned;
            }
        }
    }

    /// Moves `pid` (or the partition that undoes an earlier move, see [`Movements`]) to `to`.
    fn reassign(&mut self, pid: Pid, to: Member) {
        let topic = self.group.topic_of[pid];
        let Some(from) = self.owner[pid] else {
            return;
        };
        let pid = self.movements.partition_to_move(pid, topic, from, to);
        let Some(from) = self.owner[pid] else {
            return;
        };
        self.by_load.remove(&(self.load(from), from));
        self.by_load.remove(&(self.load(to), to));
        let hash = self.group.partition_hash(pid);
        self.movements.record(pid, hash, topic, from, to);
        self.current[from].remove(&pid);
        self.current[to].insert(pid);
        self.owner[pid] = Some(to);
        self.by_load.insert((self.load(to), to));
        self.by_load.insert((self.load(from), from));
    }
}

/// `PartitionMovements`: the moves made during this rebalance, to avoid moving two partitions of
/// one topic in opposite directions between the same pair of members.
#[derive(Default)]
struct Movements {
    /// Partition -> (member it had before this rebalance, member it has now).
    by_partition: SmallMap<Pid, (Member, Member)>,
    /// Topic -> (source, destination) -> partitions moved that way (a `HashSet` in Kafka, whose
    /// iteration order decides which partition moves back).
    by_topic: SmallMap<usize, SmallMap<(Member, Member), JavaHashSet<Pid>>>,
}

impl Movements {
    /// `getTheActualPartitionToBeMoved`: moving `pid` from `from` to `to` would reverse an
    /// earlier move of this topic from `to` to `pid`'s original owner; move that earlier
    /// partition back instead (the first one the `HashSet` iterates).
    fn partition_to_move(&self, pid: Pid, topic: usize, from: Member, to: Member) -> Pid {
        let Some(pairs) = self.by_topic.get(&topic) else {
            return pid;
        };
        let origin = self.by_partition.get(&pid).map_or(from, |&(src, _)| src);
        pairs
            .get(&(to, origin))
            .and_then(JavaHashSet::first)
            .unwrap_or(pid)
    }

    /// `movePartition`: a partition moving back to where it started leaves no record.
    fn record(&mut self, pid: Pid, hash: i32, topic: usize, from: Member, to: Member) {
        let pair = match self.remove(pid, topic) {
            Some((src, _)) if src == to => return,
            Some((src, _)) => (src, to),
            None => (from, to),
        };
        self.by_partition.insert(pid, pair);
        self.by_topic
            .entry(topic)
            .or_default()
            .entry(pair)
            .or_default()
            .insert(pid, hash);
    }

    fn remove(&mut self, pid: Pid, topic: usize) -> Option<(Member, Member)> {
        let pair = self.by_partition.remove(&pid)?;
        if let Some(pairs) = self.by_topic.get_mut(&topic) {
            if let Some(set) = pairs.get_mut(&pair) {
                set.remove(&pid);
                if set.is_empty() {
                    pairs.remove(&pair);
                }
            }
            if pairs.is_empty() {
                self.by_topic.remove(&topic);
            }
        }
        Some(pair)
    }
}
