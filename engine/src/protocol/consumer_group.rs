//! The wire words of the consumer group protocol (KIP-848): which protocol a consumer speaks,
//! the server assignor it asks for, and the `ConsumerGroupHeartbeat` request and response.

use serde::Serialize;

use crate::ground::ErrorCode;
use crate::protocol::TopicPartition;

/// `group.protocol`: `classic` (JoinGroup, SyncGroup, client-side assignors) or `consumer`
/// (KIP-848: ConsumerGroupHeartbeat, the coordinator assigns).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GroupProtocol {
    #[default]
    Classic,
    Consumer,
}

impl GroupProtocol {
    pub fn as_str(self) -> &'static str {
        match self {
            GroupProtocol::Classic => "classic",
            GroupProtocol::Consumer => "consumer",
        }
    }
}

/// `group.remote.assignor`: a server-side assignor of `group.consumer.assignors`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ServerAssignor {
    /// `UniformAssignor`, the broker's default.
    Uniform,
    /// `RangeAssignor`.
    Range,
}

impl ServerAssignor {
    pub fn name(self) -> &'static str {
        match self {
            ServerAssignor::Uniform => "uniform",
            ServerAssignor::Range => "range",
        }
    }
}

/// The member epoch with which a dynamic member leaves the group.
pub const LEAVE_GROUP_MEMBER_EPOCH: i32 = -1;
/// The member epoch with which a static member leaves for now, keeping its place (KIP-848).
pub const LEAVE_GROUP_STATIC_MEMBER_EPOCH: i32 = -2;

/// `ConsumerGroupHeartbeatRequest`. A member joins with epoch 0, then heartbeats with the epoch
/// it was given, reporting what it owns; the response carries its next epoch and, when it
/// changed, its assignment.
///
/// Simplification: Kafka sends the subscription, assignor and owned partitions only when they
/// changed since the last heartbeat; here every heartbeat carries them, which the coordinator
/// treats the same way.
#[derive(Clone, Debug)]
pub struct ConsumerGroupHeartbeat {
    pub group: String,
    /// Chosen by the client (a UUID in Kafka) and kept across rejoins.
    pub member_id: String,
    pub member_epoch: i32,
    pub instance_id: Option<String>,
    pub client_id: String,
    /// `max.poll.interval.ms`: how long the member may take to revoke.
    pub rebalance_timeout_ms: u64,
    pub subscribed_topics: Vec<String>,
    pub server_assignor: Option<ServerAssignor>,
    pub owned: Vec<TopicPartition>,
}

/// A successful heartbeat.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeartbeatAssignment {
    pub member_id: String,
    pub member_epoch: i32,
    /// `group.consumer.heartbeat.interval.ms`: when to heartbeat next.
    pub heartbeat_interval_ms: u64,
    /// The partitions the member may own now, when they changed (or on a full request).
    pub assignment: Option<Vec<TopicPartition>>,
}

#[derive(Clone, Debug)]
pub struct ConsumerGroupHeartbeatResponse {
    pub group: String,
    pub result: Result<HeartbeatAssignment, ErrorCode>,
}
