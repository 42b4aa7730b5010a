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

use serde::{Deserialize, Serialize};

/// `partition.assignment.strategy` values, by the names the assignors register.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AssignorName {
    #[serde(rename = "range")]
    Range,
    #[serde(rename = "roundrobin")]
    RoundRobin,
    #[serde(rename = "sticky")]
    Sticky,
    #[serde(rename = "cooperative-sticky")]
    CooperativeSticky,
}

impl AssignorName {
    pub fn as_str(self) -> &'static str {
        match self {
            AssignorName::Range => "range",
            AssignorName::RoundRobin => "roundrobin",
            AssignorName::Sticky => "sticky",
            AssignorName::CooperativeSticky => "cooperative-sticky",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "range" => AssignorName::Range,
            "roundrobin" => AssignorName::RoundRobin,
            "sticky" => AssignorName::Sticky,
            "cooperative-sticky" => AssignorName::CooperativeSticky,
            _ => return None,
        })
    }

    /// Whether the assignor supports the COOPERATIVE rebalance protocol (KIP-429).
    pub fn supports_cooperative(self) -> bool {
        self == AssignorName::CooperativeSticky
    }
}

/// A topic partition named by topic and partition number.
pub type TopicPartition = (String, u32);

/// One member's input to the assignor: what JoinGroup carried for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberSubscription {
    pub member_id: String,
    pub group_instance_id: Option<String>,
    pub subscription: Vec<String>,
    /// Partitions the member owned before (sticky family; empty otherwise).
    #[serde(default)]
    pub owned_partitions: Vec<TopicPartition>,
    /// Generation of `owned_partitions`; `None` = unknown (treated as -1).
    #[serde(default)]
    pub generation: Option<i32>,
}

/// Member id -> assigned partitions, sorted by (topic, partition); every member has an entry.
pub type Assignment = SmallMap<String, Vec<TopicPartition>>;

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
