//! Produce: a producer's batches to partition leaders, and what each leader answered.

use serde::Serialize;

use crate::cluster::Appended;
use crate::ground::{ErrorCode, PartitionIdx};
use crate::log::RecordBatch;

/// `acks`: how many replicas must have a batch before the leader answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Acks {
    /// `acks=0`: no response; the send counts as done when it leaves.
    #[serde(rename = "0")]
    None,
    /// `acks=1`: the leader answers after its own append.
    #[serde(rename = "1")]
    Leader,
    /// `acks=all` (`-1`): the leader answers once the in-sync replicas have it.
    #[serde(rename = "all")]
    All,
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
