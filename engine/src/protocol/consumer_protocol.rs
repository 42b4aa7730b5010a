//! The consumer protocol embedded in the group protocol (`ConsumerProtocol`): the assignor names
//! members offer in JoinGroup, each member's subscription as the leader's assignor receives it,
//! and the assignment it sends back in SyncGroup. The group coordinator reads these only to pick a
//! protocol every member supports; the assignors themselves run in the client (`consumer::assignors`).

use serde::{Deserialize, Serialize};

use crate::ground::small_map::SmallMap;

/// `partition.assignment.strategy` values, by the names the assignors register. (`Deserialize`
/// for the test vectors; scenario files are read by `scenario::json`.)
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
