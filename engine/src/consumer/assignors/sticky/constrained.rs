//! The constrained algorithm (`ConstrainedAssignmentBuilder`), used when every member subscribes
//! to the same topics. With `P` partitions and `M` members each member ends with `floor(P/M)`
//! (`min_quota`) or `ceil(P/M)` (`max_quota`) partitions, and exactly `P % M` of them with
//! `max_quota`.
//!
//! 1. Each member, in `HashMap` order, keeps its owned partitions (sorted by partition number,
//!    then topic) up to its quota: all of them if fewer than `min_quota`; `max_quota` while
//!    there are still `max_quota` slots left; otherwise `min_quota`. The excess is released.
//! 2. The unassigned partitions, by topic then partition, are dealt round robin to the members
//!    still under `min_quota` (in id order), then one each to members at `min_quota` until the
//!    `max_quota` slots are used up.

use std::collections::VecDeque;

use crate::ground::small_map::SmallMap;

use super::{Group, Member, Ownership, Pid};

pub(super) struct Outcome {
    pub assignment: Vec<Vec<Pid>>,
    /// Partitions given to a member other than their previous owner
    /// (`partitionsTransferringOwnership`).
    pub transferring: SmallMap<Pid, Member>,
}

struct Builder<'g> {
    ownership: &'g Ownership,
    min_quota: usize,
    max_quota: usize,
    /// Members that may end with `max_quota` (`P % M`) and how many already do.
    expected_over_min: usize,
    current_over_min: usize,
    assignment: Vec<Vec<Pid>>,
    assigned: Vec<bool>,
    /// Owned partitions a member released because it was over its quota.
    maybe_revoked: SmallMap<Pid, Member>,
    transferring: SmallMap<Pid, Member>,
    under_min: Vec<Member>,
    exactly_min: VecDeque<Member>,
}

pub(super) fn assign(group: &Group, ownership: &Ownership) -> Outcome {
    let members = group.member_count();
    let total = group.partition_count();
    let mut b = Builder {
        ownership,
        min_quota: total / members,
        max_quota: total.div_ceil(members),
        expected_over_min: total % members,
        current_over_min: 0,
        assignment: vec![Vec::new(); members],
        assigned: vec![false; total],
        maybe_revoked: SmallMap::new(),
        transferring: SmallMap::new(),
        under_min: Vec::new(),
        exactly_min: VecDeque::new(),
    };
    b.assign_owned(group);
    // Kafka sorts both lists by member id; member numbers follow id order.
    crate::ground::sort::sort(&mut b.under_min);
    crate::ground::sort::sort(b.exactly_min.make_contiguous());
    let unassigned: Vec<Pid> = (0..total).filter(|&p| !b.assigned[p]).collect();
    b.assign_round_robin(&unassigned);
    Outcome {
        assignment: b.assignment,
        transferring: b.transferring,
    }
}

impl Builder<'_> {
    /// Step 1: keep owned partitions up to each member's quota.
    fn assign_owned(&mut self, group: &Group) {
        for &member in &group.hash_order {
            let mut owned: Vec<Pid> = self.ownership.owned[member]
                .iter()
                .copied()
                .filter(|p| !self.ownership.claimed_twice.contains(p))
                .collect();
            crate::ground::sort::sort_by_key(&mut owned, |&p| {
                (group.partition_number(p), group.topic_of[p])
            });

            let keep = if owned.len() < self.min_quota {
                self.under_min.push(member);
                owned.len()
            } else if owned.len() >= self.max_quota
                && self.current_over_min < self.expected_over_min
            {
                self.current_over_min += 1;
                if self.current_over_min == self.expected_over_min {
                    self.exactly_min.clear();
                }
                self.max_quota
            } else {
                if self.current_over_min < self.expected_over_min {
                    self.exactly_min.push_back(member);
                }
                self.min_quota
            };
            for &p in &owned[..keep] {
                self.assignment[member].push(p);
                self.assigned[p] = true;
            }
            for &p in &owned[keep..] {
                self.maybe_revoked.insert(p, member);
            }
        }
    }

    /// Step 2 (`assignRoundRobin`): the cursor walks `under_min` like Java's list iterator and
    /// starts over while members remain under `min_quota`; then `exactly_min` is drained.
    fn assign_round_robin(&mut self, unassigned: &[Pid]) {
        let mut cursor = 0;
        for &pid in unassigned {
            let member = if cursor < self.under_min.len() {
                cursor += 1;
                self.under_min[cursor - 1]
            } else if self.under_min.is_empty() {
                // Kafka throws IllegalStateException here; the quotas make it unreachable.
                let Some(member) = self.exactly_min.pop_front() else {
                    debug_assert!(false, "no unfilled member left for partition {pid}");
                    return;
                };
                member
            } else {
                cursor = 1;
                self.under_min[0]
            };
            let count = self.assign_new(pid, member);
            if count == self.min_quota {
                cursor -= 1;
                self.under_min.remove(cursor);
                self.exactly_min.push_back(member);
            } else if count == self.max_quota {
                self.current_over_min += 1;
            }
        }
    }

    /// `assignNewPartition`: a partition changes owner if another member released it, or if two
    /// members claimed it.
    fn assign_new(&mut self, pid: Pid, member: Member) -> usize {
        self.assignment[member].push(pid);
        let released_elsewhere = self.maybe_revoked.get(&pid).is_some_and(|&m| m != member);
        if released_elsewhere || self.ownership.claimed_twice.contains(&pid) {
            self.transferring.insert(pid, member);
        }
        self.assignment[member].len()
    }
}
