//! The requests and responses parties exchange, named after Kafka's APIs.
//!
//! Simplification: there is no wire encoding; a message is delivered as a Rust value after the
//! network delay. Its size in bytes is still accounted where Kafka's behaviour depends on it
//! (`max.request.size`, fetch sizes).

use crate::coordinator::group::{GroupRequest, GroupResponse};
use crate::ground::{BrokerId, PartitionIdx};
use crate::ground::{ErrorCode, Millis};
use crate::log::RecordBatch;
use crate::producer::Acks;

/// Who sends or receives a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Party {
    Producer(u32),
    Consumer(u32),
    Broker(BrokerId),
    /// A processor's own timer (it sends nothing itself: its clients do).
    Processor(u32),
}

#[derive(Clone, Debug)]
pub struct ProduceRequest {
    pub request_id: u64,
    pub acks: Acks,
    pub transactional_id: Option<String>,
    /// How long the leader may hold an acks=all request waiting for the ISR (the producer's
    /// `request.timeout.ms`).
    pub timeout_ms: u64,
    /// One batch per partition, tagged with the producer's batch id.
    pub batches: Vec<(PartitionIdx, u64, RecordBatch)>,
}

#[derive(Clone, Debug)]
pub struct ProduceResponse {
    pub request_id: u64,
    /// Per batch id: the base offset it got, or why not.
    pub results: Vec<(PartitionIdx, u64, Result<Appended, ErrorCode>)>,
}

/// A successful produce of one batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Appended {
    /// Offset of the batch's first record (`-1` is never used: acks=0 gets no response).
    pub base_offset: i64,
    /// The leader recognised a retried batch it already had and did not append it again.
    pub duplicate: bool,
}

/// `isolation.level`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IsolationLevel {
    ReadUncommitted,
    ReadCommitted,
}

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

/// Requests a transactional producer sends to its transaction coordinator.
#[derive(Clone, Debug)]
pub enum TxnRequest {
    FindCoordinator {
        transactional_id: String,
    },
    InitProducerId {
        transactional_id: String,
        transaction_timeout_ms: u64,
    },
    AddPartitionsToTxn {
        transactional_id: String,
        producer_id: i64,
        epoch: i16,
        partitions: Vec<PartitionIdx>,
    },
    AddOffsetsToTxn {
        transactional_id: String,
        producer_id: i64,
        epoch: i16,
        group: String,
    },
    EndTxn {
        transactional_id: String,
        producer_id: i64,
        epoch: i16,
        commit: bool,
    },
}

#[derive(Clone, Debug)]
pub enum TxnResponse {
    FindCoordinator {
        coordinator: Result<BrokerId, ErrorCode>,
    },
    InitProducerId {
        result: Result<(i64, i16), ErrorCode>,
    },
    AddPartitionsToTxn {
        partitions: Vec<PartitionIdx>,
        error: Option<ErrorCode>,
    },
    AddOffsetsToTxn {
        group: String,
        error: Option<ErrorCode>,
    },
    EndTxn {
        commit: bool,
        error: Option<ErrorCode>,
    },
}

impl TxnRequest {
    /// The response a client makes up when the connection to the coordinator fails.
    pub fn failed(&self, error: ErrorCode) -> TxnResponse {
        match self {
            TxnRequest::FindCoordinator { .. } => TxnResponse::FindCoordinator {
                coordinator: Err(error),
            },
            TxnRequest::InitProducerId { .. } => TxnResponse::InitProducerId { result: Err(error) },
            TxnRequest::AddPartitionsToTxn { partitions, .. } => TxnResponse::AddPartitionsToTxn {
                partitions: partitions.clone(),
                error: Some(error),
            },
            TxnRequest::AddOffsetsToTxn { group, .. } => TxnResponse::AddOffsetsToTxn {
                group: group.clone(),
                error: Some(error),
            },
            TxnRequest::EndTxn { commit, .. } => TxnResponse::EndTxn {
                commit: *commit,
                error: Some(error),
            },
        }
    }
}

impl TxnResponse {
    /// NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE or a broken connection: find the coordinator
    /// again and retry.
    pub fn coordinator_error(&self) -> bool {
        let e = match self {
            TxnResponse::FindCoordinator { .. } => return false,
            TxnResponse::InitProducerId { result } => result.err(),
            TxnResponse::AddPartitionsToTxn { error, .. }
            | TxnResponse::AddOffsetsToTxn { error, .. }
            | TxnResponse::EndTxn { error, .. } => *error,
        };
        is_coordinator_error(e)
    }
}

/// Errors after which a client looks its coordinator up again.
pub fn is_coordinator_error(e: Option<ErrorCode>) -> bool {
    matches!(
        e,
        Some(
            ErrorCode::NotCoordinator
                | ErrorCode::CoordinatorNotAvailable
                | ErrorCode::NetworkException
        )
    )
}

/// `WriteTxnMarkers`: the transaction coordinator asks a partition leader (and, for offsets
/// sent in the transaction, a group coordinator) to write the COMMIT or ABORT marker.
#[derive(Clone, Debug)]
pub struct WriteTxnMarkers {
    pub transactional_id: String,
    pub producer_id: i64,
    pub epoch: i16,
    pub commit: bool,
    pub partitions: Vec<PartitionIdx>,
    pub groups: Vec<String>,
}

#[derive(Clone, Debug)]
pub enum Message {
    InitProducerIdRequest {
        transactional_id: Option<String>,
    },
    InitProducerIdResponse {
        result: Result<(i64, i16), ErrorCode>,
    },
    Produce(ProduceRequest),
    ProduceResponse(ProduceResponse),
    Fetch(FetchRequest),
    FetchResponse(FetchResponse),
    Group(GroupRequest),
    GroupResponse(GroupResponse),
    Txn(TxnRequest),
    TxnResponse(TxnResponse),
    WriteTxnMarkers(WriteTxnMarkers),
    /// Sent back to the coordinator broker: how many markers were written.
    WriteTxnMarkersResponse {
        transactional_id: String,
        written: usize,
    },
    ReplicaFetch(ReplicaFetchRequest),
    ReplicaFetchResponse(ReplicaFetchResponse),
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
    pub result: Result<crate::cluster::ReplicaFetchResult, ErrorCode>,
    pub high_watermark: i64,
}

/// A message in flight.
#[derive(Clone, Debug)]
pub struct Envelope {
    pub from: Party,
    pub to: Party,
    pub sent_at: Millis,
    pub message: Message,
}
