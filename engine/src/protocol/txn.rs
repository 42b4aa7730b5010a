//! The transaction APIs: what a transactional producer asks its transaction coordinator, and the
//! markers the coordinator has partition leaders and group coordinators write.

use crate::ground::{BrokerId, ErrorCode, PartitionIdx};

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
