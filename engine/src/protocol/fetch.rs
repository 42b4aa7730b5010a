//! Fetch: a consumer's reads from partition leaders, and a follower's replication fetches.

use crate::cluster::{IsolationLevel, ReplicaFetchResult};
use crate::ground::{BrokerId, ErrorCode, PartitionIdx};

#[derive(Clone, Debug)]
pub struct FetchRequest {
    pub request_id: u64,
    pub partitions: Vec<FetchPartition>,
    pub max_wait_ms: u64,
    pub min_bytes: u32,
    pub max_bytes: u32,
    pub max_partition_bytes: u32,
    pub isolation: IsolationLevel,
}

/// One partition of a consumer's fetch (`FetchRequest.PartitionData`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FetchPartition {
    pub partition: PartitionIdx,
    pub fetch_offset: i64,
    /// The leader epoch the consumer believes current (KIP-320): a leader in a newer epoch
    /// answers FENCED_LEADER_EPOCH, one in an older epoch UNKNOWN_LEADER_EPOCH, so that a
    /// consumer never reads from a log it has not validated its position against.
    pub current_leader_epoch: i32,
}

/// What a fetch returned for one partition: the offset range `fetch_offset..end_offset` of data
/// (the records themselves are read from the leader's log when the consumer processes them:
/// the log is append-only, so nothing below the high watermark changes in between).
#[derive(Clone, Debug)]
pub struct FetchedPartition {
    pub partition: PartitionIdx,
    pub error: Option<ErrorCode>,
    pub fetch_offset: i64,
    pub end_offset: i64,
    pub bytes: u32,
    pub high_watermark: i64,
    pub last_stable_offset: i64,
    pub log_start_offset: i64,
}

#[derive(Clone, Debug)]
pub struct FetchResponse {
    pub request_id: u64,
    pub partitions: Vec<FetchedPartition>,
}

/// A follower's fetch from its leader (a `Fetch` with a replica id): per partition, the offset
/// it fetches from, the epoch of its last batch and the leader epoch it believes current.
#[derive(Clone, Debug)]
pub struct ReplicaFetchRequest {
    pub request_id: u64,
    pub follower: BrokerId,
    pub partitions: Vec<ReplicaFetchPartition>,
}

#[derive(Clone, Copy, Debug)]
pub struct ReplicaFetchPartition {
    pub partition: PartitionIdx,
    pub leader_epoch: i32,
    pub fetch_offset: i64,
    pub last_fetched_epoch: Option<i32>,
}

#[derive(Clone, Debug)]
pub struct ReplicaFetchResponse {
    pub request_id: u64,
    pub partitions: Vec<ReplicaFetchedPartition>,
}

#[derive(Clone, Debug)]
pub struct ReplicaFetchedPartition {
    pub partition: PartitionIdx,
    pub leader_epoch: i32,
    pub result: Result<ReplicaFetchResult, ErrorCode>,
    pub high_watermark: i64,
}

/// `OffsetsForLeaderEpoch` from a consumer (KIP-320): after the leader of a partition changed,
/// where does the epoch of the consumer's last record end in the new leader's log?
#[derive(Clone, Debug)]
pub struct OffsetsForLeaderEpochRequest {
    pub partitions: Vec<EpochQuery>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EpochQuery {
    pub partition: PartitionIdx,
    /// The leader epoch the consumer believes current (fenced like a fetch's).
    pub current_leader_epoch: i32,
    /// The epoch of the record just before the consumer's position.
    pub leader_epoch: i32,
    /// The position being validated, echoed back so that a stale answer is recognised.
    pub position: i64,
}

/// `EpochEndOffset`: the largest epoch at or below the one asked for, and the offset where it
/// ends in the leader's log (where the next epoch starts, or the log end for the latest epoch).
/// `None` is Kafka's UNDEFINED_EPOCH_OFFSET: the leader knows no such epoch.
#[derive(Clone, Debug)]
pub struct EpochEndOffset {
    pub query: EpochQuery,
    pub result: Result<Option<(i32, i64)>, ErrorCode>,
}

#[derive(Clone, Debug)]
pub struct OffsetsForLeaderEpochResponse {
    pub partitions: Vec<EpochEndOffset>,
}
