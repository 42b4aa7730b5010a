//! What the transaction coordinator keeps per transactional id (`TransactionMetadata`).

use crate::ground::small_map::SmallSet;

use serde::Serialize;

use crate::ground::Millis;
use crate::ground::PartitionIdx;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum TxnState {
    Empty,
    Ongoing,
    PrepareCommit,
    PrepareAbort,
    CompleteCommit,
    CompleteAbort,
    PrepareEpochFence,
    Dead,
}

impl TxnState {
    pub fn as_str(self) -> &'static str {
        match self {
            TxnState::Empty => "Empty",
            TxnState::Ongoing => "Ongoing",
            TxnState::PrepareCommit => "PrepareCommit",
            TxnState::PrepareAbort => "PrepareAbort",
            TxnState::CompleteCommit => "CompleteCommit",
            TxnState::CompleteAbort => "CompleteAbort",
            TxnState::PrepareEpochFence => "PrepareEpochFence",
            TxnState::Dead => "Dead",
        }
    }
}

#[derive(Clone, Debug)]
pub struct TxnMetadata {
    pub transactional_id: String,
    pub producer_id: i64,
    pub epoch: i16,
    pub state: TxnState,
    pub partitions: SmallSet<PartitionIdx>,
    /// Groups whose offsets are part of the transaction (their `__consumer_offsets` partition).
    pub groups: SmallSet<String>,
    /// When the first partition was added (the transaction timer starts there).
    pub start_ms: Millis,
    pub timeout_ms: u64,
    pub last_update: Millis,
    /// Markers not yet confirmed written.
    pub pending_markers: usize,
    /// The producer client of the newest incarnation.
    pub client: u32,
    /// InitProducerId has been answered at least once (the next one bumps the epoch).
    pub initialized: bool,
}

impl TxnMetadata {
    pub fn new(transactional_id: String, producer_id: i64, now: Millis) -> Self {
        TxnMetadata {
            transactional_id,
            producer_id,
            epoch: 0,
            state: TxnState::Empty,
            partitions: SmallSet::new(),
            groups: SmallSet::new(),
            start_ms: now,
            timeout_ms: 60_000,
            last_update: now,
            pending_markers: 0,
            client: 0,
            initialized: false,
        }
    }
}
