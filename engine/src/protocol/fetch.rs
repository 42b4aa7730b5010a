//! Fetch: a consumer's reads from partition leaders, and a follower's replication fetches.

use crate::cluster::{IsolationLevel, ReplicaFetchResult};
use crate::ground::{BrokerId, ErrorCode, PartitionIdx};

#[derive(Clone, Debug)]
pub struct FetchRequest {
    pub request_id: u64,
    pub partitions: Vec<(PartitionIdx, i64)>,
    pub max_wait_ms: u64,
    pub min_bytes: u32,
    pub max_bytes: u32,
    pub max_partition_bytes: u32,
    pub isolation: IsolationLevel,
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
