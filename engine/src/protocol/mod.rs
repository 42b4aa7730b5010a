//! The requests and responses parties exchange, named after Kafka's APIs.
//!
//! Simplification: there is no wire encoding; a message is delivered as a Rust value after the
//! network delay. Its size in bytes is still accounted where Kafka's behaviour depends on it
//! (`max.request.size`, fetch sizes).

pub mod consumer_group;
pub mod consumer_protocol;
pub mod fetch;
pub mod group;
pub mod produce;
pub mod txn;

pub use consumer_group::{
    ConsumerGroupHeartbeat, ConsumerGroupHeartbeatResponse, GroupProtocol, HeartbeatAssignment,
    ServerAssignor,
};
pub use consumer_protocol::{Assignment, AssignorName, MemberSubscription, TopicPartition};
pub use fetch::{
    EpochEndOffset, EpochQuery, FetchPartition, FetchRequest, FetchResponse, FetchedPartition,
    OffsetsForLeaderEpochRequest, OffsetsForLeaderEpochResponse, ReplicaFetchPartition,
    ReplicaFetchRequest, ReplicaFetchResponse, ReplicaFetchedPartition,
};
pub use group::{GroupRequest, GroupResponse, JoinResult, Subscription};
pub use produce::{Acks, ProduceRequest, ProduceResponse};
pub use txn::{is_coordinator_error, TxnRequest, TxnResponse, WriteTxnMarkers};

use crate::ground::{BrokerId, ErrorCode, Millis};

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
    OffsetsForLeaderEpoch(OffsetsForLeaderEpochRequest),
    OffsetsForLeaderEpochResponse(OffsetsForLeaderEpochResponse),
}

/// A message in flight.
#[derive(Clone, Debug)]
pub struct Envelope {
    pub from: Party,
    pub to: Party,
    pub sent_at: Millis,
    pub message: Message,
}
