//! Kafka's own queue: share groups (KIP-932, generally available in Kafka 4.2), beside the
//! consumer groups that read the same topic (issue 18). Reference: section 6 of
//! `streams-queues-cli-reference.md`.
//!
//! So far the share-partition (its start and end offsets, acquisition locks, delivery counts,
//! ACCEPT, RELEASE and REJECT, the in-flight window). The share group's coordinator, its members
//! and `KafkaShareConsumer` come next.

pub mod partition;

pub use partition::{AcknowledgeType, Acquired, RecordState, ShareConfig, SharePartition};
