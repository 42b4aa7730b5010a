//! The client side of transactions (`TransactionManager` of a producer with a `transactional.id`).
//!
//! `initTransactions()` finds the transaction coordinator and gets a producer id and epoch
//! (fencing any older incarnation). Inside a transaction every partition is registered with
//! AddPartitionsToTxn before its first batch may leave; offsets of a consumer group are added with
//! AddOffsetsToTxn and sent to the group coordinator with TxnOffsetCommit
//! (`sendOffsetsToTransaction`); `commitTransaction()` flushes every batch and sends EndTxn;
//! `abortTransaction()` drops what was not sent, waits for what was, and sends EndTxn(abort).
//! One request to the coordinator at a time, as in Kafka. An older epoch answered with
//! PRODUCER_FENCED or INVALID_PRODUCER_EPOCH is fatal: the producer is a zombie and stops.
//!
//! With a load, transactions run by themselves: one begins when records are due and commits
//! after `sim.transaction.ms` (or aborts, `sim.abort.percent` of the time).

use crate::ground::small_map::SmallSet;

use serde::Serialize;

use crate::ground::Millis;
use crate::ground::{BrokerId, PartitionIdx};

/// `TransactionManager.State`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum TxnClientState {
    Uninitialized,
    Initializing,
    Ready,
    InTransaction,
    CommittingTransaction,
    AbortingTransaction,
    /// Fenced by a newer incarnation (or a coordinator timeout): unusable.
    FatalError,
}

impl TxnClientState {
    pub fn as_str(self) -> &'static str {
        match self {
            TxnClientState::Uninitialized => "UNINITIALIZED",
            TxnClientState::Initializing => "INITIALIZING",
            TxnClientState::Ready => "READY",
            TxnClientState::InTransaction => "IN_TRANSACTION",
            TxnClientState::CommittingTransaction => "COMMITTING_TRANSACTION",
            TxnClientState::AbortingTransaction => "ABORTING_TRANSACTION",
            TxnClientState::FatalError => "FATAL_ERROR",
        }
    }
}

/// Where `sendOffsetsToTransaction` stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OffsetsStep {
    AddOffsets,
    Commit,
    InFlight,
}

#[derive(Clone, Debug)]
pub struct PendingOffsets {
    pub group: String,
    pub offsets: Vec<(PartitionIdx, i64)>,
    pub member_id: String,
    pub generation: i32,
    pub step: OffsetsStep,
}

#[derive(Clone, Debug)]
pub struct TransactionManager {
    pub transactional_id: String,
    pub state: TxnClientState,
    pub coordinator: Option<BrokerId>,
    /// A request to the coordinator (or the group coordinator) is outstanding.
    pub request_in_flight: bool,
    pub retry_at: Option<Millis>,
    /// Partitions the coordinator has in the transaction.
    pub added: SmallSet<PartitionIdx>,
    /// Partitions with records waiting for AddPartitionsToTxn.
    pub pending_add: SmallSet<PartitionIdx>,
    pub offsets: Option<PendingOffsets>,
    /// AddOffsetsToTxn succeeded in the open transaction. With no partition added either, the
    /// coordinator never heard of the transaction: ending it sends no EndTxn
    /// (`TransactionManager.transactionStarted`).
    pub offsets_added: bool,
    /// Automatic transactions: their length in virtual ms (0 = begin and end by hand).
    pub auto_ms: u64,
    pub abort_percent: f64,
    pub started_at: Millis,
    /// A `send()` of the open transaction failed (`BufferExhaustedException`): Kafka puts the
    /// transaction in an abortable error, so the application aborts it instead of committing.
    pub send_failed: bool,
    /// Acknowledged record ranges of the open transaction (partition, first, count); they count
    /// as produced only once the transaction commits.
    pub acked: Vec<(PartitionIdx, u64, u64)>,
    pub committed: u64,
    pub aborted: u64,
}

impl TransactionManager {
    pub fn new(transactional_id: String, auto_ms: u64, abort_percent: f64) -> Self {
        TransactionManager {
            transactional_id,
            state: TxnClientState::Uninitialized,
            coordinator: None,
            request_in_flight: false,
            retry_at: None,
            added: SmallSet::new(),
            pending_add: SmallSet::new(),
            offsets: None,
            offsets_added: false,
            auto_ms,
            abort_percent,
            started_at: 0,
            send_failed: false,
            acked: Vec::new(),
            committed: 0,
            aborted: 0,
        }
    }

    pub fn in_transaction(&self) -> bool {
        self.state == TxnClientState::InTransaction
    }

    /// Whether a batch of this partition may be drained (`isSendToPartitionAllowed`).
    pub fn may_send_to(&self, p: PartitionIdx) -> bool {
        matches!(
            self.state,
            TxnClientState::InTransaction
                | TxnClientState::CommittingTransaction
                | TxnClientState::AbortingTransaction
        ) && self.added.contains(&p)
    }

    pub fn can_request(&self, now: Millis) -> bool {
        !self.request_in_flight && self.retry_at.is_none_or(|t| t <= now)
    }
}
