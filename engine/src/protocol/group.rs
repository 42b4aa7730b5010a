//! The group coordinator's requests and responses: one variant per Kafka API (the classic
//! protocol's, and KIP-848's `ConsumerGroupHeartbeat`).

use crate::ground::ErrorCode;
use crate::ground::{BrokerId, PartitionIdx};
use crate::protocol::{AssignorName, MemberSubscription, TopicPartition};
use crate::protocol::{ConsumerGroupHeartbeat, ConsumerGroupHeartbeatResponse};

/// What a member sends in JoinGroup for one assignor it supports (`ConsumerProtocolSubscription`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subscription {
    pub topics: Vec<String>,
    pub owned_partitions: Vec<TopicPartition>,
    pub generation: i32,
}

#[derive(Clone, Debug)]
pub enum GroupRequest {
    FindCoordinator {
        group: String,
    },
    JoinGroup {
        group: String,
        /// Empty for a member joining for the first time.
        member_id: String,
        group_instance_id: Option<String>,
        client_id: String,
        session_timeout_ms: u64,
        rebalance_timeout_ms: u64,
        /// Supported assignors in preference order, each with its subscription.
        protocols: Vec<(AssignorName, Subscription)>,
    },
    SyncGroup {
        group: String,
        member_id: String,
        generation: i32,
        /// Only the leader sends assignments.
        assignments: Vec<(String, Vec<TopicPartition>)>,
    },
    Heartbeat {
        group: String,
        member_id: String,
        generation: i32,
    },
    LeaveGroup {
        group: String,
        member_id: String,
    },
    OffsetCommit {
        group: String,
        member_id: String,
        /// -1 for a consumer outside the group protocol (assign mode).
        generation: i32,
        /// (partition, offset, committed leader epoch): the epoch of the last record consumed,
        /// with which a consumer starting from the offset can validate it (KIP-320).
        offsets: Vec<(PartitionIdx, i64, Option<i32>)>,
    },
    OffsetFetch {
        group: String,
        partitions: Vec<PartitionIdx>,
    },
    /// Offsets sent within a transaction (`sendOffsetsToTransaction`): held pending until the
    /// transaction's marker reaches the group, invisible to OffsetFetch until then.
    /// KIP-848's one request for joining, heartbeating, reconciling and leaving.
    ConsumerGroupHeartbeat(ConsumerGroupHeartbeat),
    TxnOffsetCommit {
        group: String,
        transactional_id: String,
        producer_id: i64,
        epoch: i16,
        member_id: String,
        generation: i32,
        offsets: Vec<(PartitionIdx, i64)>,
    },
}

impl GroupRequest {
    pub fn group(&self) -> &str {
        match self {
            GroupRequest::FindCoordinator { group }
            | GroupRequest::JoinGroup { group, .. }
            | GroupRequest::SyncGroup { group, .. }
            | GroupRequest::Heartbeat { group, .. }
            | GroupRequest::LeaveGroup { group, .. }
            | GroupRequest::OffsetCommit { group, .. }
            | GroupRequest::OffsetFetch { group, .. }
            | GroupRequest::TxnOffsetCommit { group, .. } => group,
            GroupRequest::ConsumerGroupHeartbeat(h) => &h.group,
        }
    }
}

/// A successful JoinGroup.
#[derive(Clone, Debug)]
pub struct JoinResult {
    pub generation: i32,
    pub protocol: AssignorName,
    pub leader: String,
    pub member_id: String,
    /// Every member's subscription for the chosen protocol; only in the leader's response.
    pub members: Vec<MemberSubscription>,
    /// A static leader that rejoined without a rebalance must not reassign (KIP-814).
    pub skip_assignment: bool,
}

#[derive(Clone, Debug)]
pub enum GroupResponse {
    FindCoordinator {
        group: String,
        coordinator: Result<BrokerId, ErrorCode>,
    },
    JoinGroup {
        group: String,
        /// With `MEMBER_ID_REQUIRED` this carries the id to rejoin with.
        member_id: String,
        result: Result<JoinResult, ErrorCode>,
    },
    SyncGroup {
        group: String,
        generation: i32,
        result: Result<Vec<TopicPartition>, ErrorCode>,
    },
    Heartbeat {
        group: String,
        error: Option<ErrorCode>,
    },
    LeaveGroup {
        group: String,
        error: Option<ErrorCode>,
    },
    OffsetCommit {
        group: String,
        offsets: Vec<(PartitionIdx, i64)>,
        error: Option<ErrorCode>,
    },
    /// (partition, committed offset, its leader epoch).
    OffsetFetch {
        group: String,
        offsets: Vec<(PartitionIdx, Option<i64>, Option<i32>)>,
        error: Option<ErrorCode>,
    },
    TxnOffsetCommit {
        group: String,
        error: Option<ErrorCode>,
    },
    ConsumerGroupHeartbeat(ConsumerGroupHeartbeatResponse),
}

impl GroupRequest {
    /// The response a client makes up when the connection to the coordinator fails with this
    /// request outstanding (`NetworkClient` disconnects surface as a coordinator error).
    pub fn failed(&self, error: ErrorCode) -> GroupResponse {
        let group = self.group().to_string();
        match self {
            GroupRequest::FindCoordinator { .. } => GroupResponse::FindCoordinator {
                group,
                coordinator: Err(error),
            },
            GroupRequest::JoinGroup { member_id, .. } => GroupResponse::JoinGroup {
                group,
                member_id: member_id.clone(),
                result: Err(error),
            },
            GroupRequest::SyncGroup { generation, .. } => GroupResponse::SyncGroup {
                group,
                generation: *generation,
                result: Err(error),
            },
            GroupRequest::Heartbeat { .. } => GroupResponse::Heartbeat {
                group,
                error: Some(error),
            },
            GroupRequest::LeaveGroup { .. } => GroupResponse::LeaveGroup {
                group,
                error: Some(error),
            },
            GroupRequest::OffsetCommit { offsets, .. } => GroupResponse::OffsetCommit {
                group,
                offsets: offsets.iter().map(|&(p, o, _)| (p, o)).collect(),
                error: Some(error),
            },
            GroupRequest::OffsetFetch { partitions, .. } => GroupResponse::OffsetFetch {
                group,
                offsets: partitions.iter().map(|&p| (p, None, None)).collect(),
                error: Some(error),
            },
            GroupRequest::TxnOffsetCommit { .. } => GroupResponse::TxnOffsetCommit {
                group,
                error: Some(error),
            },
            GroupRequest::ConsumerGroupHeartbeat(_) => {
                GroupResponse::ConsumerGroupHeartbeat(ConsumerGroupHeartbeatResponse {
                    group,
                    result: Err(error),
                })
            }
        }
    }
}
