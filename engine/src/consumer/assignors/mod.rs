//! Client-side partition assignors of the classic group protocol, ported from Apache Kafka.
//!
//! The group leader runs one of these over every member's subscription (and, for the sticky
//! family, what each member owned before) and sends the result in SyncGroup. Each assignor is
//! checked against `../shared/vectors/assignors-public.json`, computed by Kafka's own classes.

pub mod properties;
pub mod range;
pub mod round_robin;
pub mod sticky;

use crate::ground::small_map::SmallMap;

use crate::protocol::consumer_protocol::{Assignment, AssignorName, MemberSubscription};

/// An entry with no partitions for every member. Built by inserting, not by collecting: collecting
/// into a `BTreeMap` compiles a sort for its key and value types (see `crate::ground::sort`).
pub fn empty_assignment(members: &[MemberSubscription]) -> Assignment {
    let mut out = Assignment::new();
    for m in members {
        out.insert(m.member_id.clone(), Vec::new());
    }
    out
}

/// Runs `assignor` over `members` with `topics` (topic -> partition count, from metadata).
/// Topics a member subscribes to that are not in `topics` are ignored.
pub fn assign(
    assignor: AssignorName,
    topics: &SmallMap<String, u32>,
    members: &[MemberSubscription],
) -> Assignment {
    let mut out = match assignor {
        AssignorName::Range => range::assign(topics, members),
        AssignorName::RoundRobin => round_robin::assign(topics, members),
        AssignorName::Sticky => sticky::assign(topics, members, false),
        AssignorName::CooperativeSticky => sticky::assign(topics, members, true),
    };
    for m in members {
        out.entry(m.member_id.clone()).or_default();
    }
    for (_, v) in out.iter_mut() {
        crate::ground::sort::sort(v);
    }
    out
}

/// Kafka's member order (`AbstractPartitionAssignor.MemberInfo.compareTo`): members with a
/// `group.instance.id` first, by instance id; then the rest by member id. Strings compare as
/// Java's `String.compareTo` (UTF-16 code units).
pub fn member_order(a: &MemberSubscription, b: &MemberSubscription) -> std::cmp::Ordering {
    match (&a.group_instance_id, &b.group_instance_id) {
        (Some(x), Some(y)) => java_cmp(x, y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => java_cmp(&a.member_id, &b.member_id),
    }
}

/// Java `String.compareTo`: lexicographic over UTF-16 code units.
pub fn java_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}
