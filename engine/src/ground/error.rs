//! Errors: Kafka's protocol error codes, and the errors an action can be refused with.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::quote::quoted;

/// Kafka protocol error codes the simulation can produce, named as in `Errors.java`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    UnknownTopicOrPartition,
    NotLeaderOrFollower,
    RequestTimedOut,
    NotEnoughReplicas,
    NotEnoughReplicasAfterAppend,
    NetworkException,
    FencedLeaderEpoch,
    OutOfOrderSequenceNumber,
    DuplicateSequenceNumber,
    InvalidProducerEpoch,
    ProducerFenced,
    UnknownProducerId,
    InvalidTxnState,
    ConcurrentTransactions,
    TransactionCoordinatorFenced,
    InvalidProducerIdMapping,
    UnknownMemberId,
    IllegalGeneration,
    RebalanceInProgress,
    MemberIdRequired,
    FencedInstanceId,
    GroupMaxSizeReached,
    InconsistentGroupProtocol,
    CoordinatorNotAvailable,
    NotCoordinator,
    OffsetOutOfRange,
    /// A record without a key sent to a compacted topic (`InvalidRecordException`).
    InvalidRecord,
    // New variants go last: the trace hash counts variant positions.
    /// The request names a leader epoch newer than the broker's (its metadata is behind).
    UnknownLeaderEpoch,
    /// OffsetFetch with `require_stable` (every consumer sends it, KIP-447) for a partition whose
    /// offsets a transaction has sent but not yet committed or aborted.
    UnstableOffsetCommit,
    /// ConsumerGroupHeartbeat with a member epoch the coordinator does not accept (KIP-848): the
    /// member must give up its partitions and join again with epoch 0.
    FencedMemberEpoch,
    /// OffsetCommit from a consumer-protocol member whose member epoch is not the current one.
    StaleMemberEpoch,
    /// The group exists but speaks the other group protocol (`GroupIdNotFoundException`).
    GroupIdNotFound,
    /// A static member joined with a `group.instance.id` another live member still holds.
    UnreleasedInstanceId,
}

impl ErrorCode {
    /// Whether a client retries the request that got this error (`RetriableException`).
    pub fn is_retriable(self) -> bool {
        matches!(
            self,
            ErrorCode::UnknownTopicOrPartition
                | ErrorCode::NotLeaderOrFollower
                | ErrorCode::RequestTimedOut
                | ErrorCode::NotEnoughReplicas
                | ErrorCode::NotEnoughReplicasAfterAppend
                | ErrorCode::NetworkException
                | ErrorCode::FencedLeaderEpoch
                | ErrorCode::UnknownLeaderEpoch
                | ErrorCode::UnstableOffsetCommit
                | ErrorCode::CoordinatorNotAvailable
                | ErrorCode::NotCoordinator
                | ErrorCode::ConcurrentTransactions
        )
    }

    pub fn name(self) -> &'static str {
        match self {
            ErrorCode::UnknownTopicOrPartition => "UNKNOWN_TOPIC_OR_PARTITION",
            ErrorCode::NotLeaderOrFollower => "NOT_LEADER_OR_FOLLOWER",
            ErrorCode::RequestTimedOut => "REQUEST_TIMED_OUT",
            ErrorCode::NotEnoughReplicas => "NOT_ENOUGH_REPLICAS",
            ErrorCode::NotEnoughReplicasAfterAppend => "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
            ErrorCode::NetworkException => "NETWORK_EXCEPTION",
            ErrorCode::FencedLeaderEpoch => "FENCED_LEADER_EPOCH",
            ErrorCode::UnknownLeaderEpoch => "UNKNOWN_LEADER_EPOCH",
            ErrorCode::UnstableOffsetCommit => "UNSTABLE_OFFSET_COMMIT",
            ErrorCode::OutOfOrderSequenceNumber => "OUT_OF_ORDER_SEQUENCE_NUMBER",
            ErrorCode::DuplicateSequenceNumber => "DUPLICATE_SEQUENCE_NUMBER",
            ErrorCode::InvalidProducerEpoch => "INVALID_PRODUCER_EPOCH",
            ErrorCode::ProducerFenced => "PRODUCER_FENCED",
            ErrorCode::UnknownProducerId => "UNKNOWN_PRODUCER_ID",
            ErrorCode::InvalidTxnState => "INVALID_TXN_STATE",
            ErrorCode::ConcurrentTransactions => "CONCURRENT_TRANSACTIONS",
            ErrorCode::TransactionCoordinatorFenced => "TRANSACTION_COORDINATOR_FENCED",
            ErrorCode::InvalidProducerIdMapping => "INVALID_PRODUCER_ID_MAPPING",
            ErrorCode::UnknownMemberId => "UNKNOWN_MEMBER_ID",
            ErrorCode::IllegalGeneration => "ILLEGAL_GENERATION",
            ErrorCode::RebalanceInProgress => "REBALANCE_IN_PROGRESS",
            ErrorCode::MemberIdRequired => "MEMBER_ID_REQUIRED",
            ErrorCode::FencedInstanceId => "FENCED_INSTANCE_ID",
            ErrorCode::GroupMaxSizeReached => "GROUP_MAX_SIZE_REACHED",
            ErrorCode::InconsistentGroupProtocol => "INCONSISTENT_GROUP_PROTOCOL",
            ErrorCode::CoordinatorNotAvailable => "COORDINATOR_NOT_AVAILABLE",
            ErrorCode::NotCoordinator => "NOT_COORDINATOR",
            ErrorCode::OffsetOutOfRange => "OFFSET_OUT_OF_RANGE",
            ErrorCode::InvalidRecord => "INVALID_RECORD",
            ErrorCode::FencedMemberEpoch => "FENCED_MEMBER_EPOCH",
            ErrorCode::StaleMemberEpoch => "STALE_MEMBER_EPOCH",
            ErrorCode::GroupIdNotFound => "GROUP_ID_NOT_FOUND",
            ErrorCode::UnreleasedInstanceId => "UNRELEASED_INSTANCE_ID",
        }
    }
}

/// Why an action was refused. The message is meant to be shown to a user as is; a refused action
/// changes nothing. Names in it are the user's, quoted with [`quoted`]: escaped and cut short,
/// while the variant keeps them whole.
#[derive(Clone, Debug, PartialEq, Eq, Error, Serialize, Deserialize)]
#[serde(tag = "kind", content = "message")]
pub enum ActionError {
    #[error("{0}")]
    InvalidTopicName(String),
    #[error("Topic {} already exists.", quoted(.0))]
    TopicExists(String),
    #[error("Topic {} does not exist.", quoted(.0))]
    UnknownTopic(String),
    #[error("{0}")]
    InvalidPartitions(String),
    #[error("{0}")]
    InvalidConfig(String),
    #[error("No {kind} named {}.", quoted(.name))]
    UnknownClient { kind: String, name: String },
    #[error("A {kind} named {} already exists.", quoted(.name))]
    ClientExists { kind: String, name: String },
    #[error("{0}")]
    InvalidRecord(String),
    #[error("{0}")]
    InvalidState(String),
    #[error("{0}")]
    LimitReached(String),
}
