//! Kafka's own queue: share groups (KIP-932, generally available in Kafka 4.2), beside the
//! consumer groups that read the same topic (issue 18). Reference: section 6 of
//! `streams-queues-cli-reference.md`.
//!
//! The share-partition (its start and end offsets, acquisition locks, delivery counts, ACCEPT,
//! RELEASE and REJECT, the in-flight window) and the share group with its members (`group.rs`):
//! fetches that acquire, acknowledgements piggybacked on the next fetch, crashes whose locks run
//! out.

pub mod group;
pub mod partition;

pub use group::{Delivered, ShareGroup, ShareGroups, ShareMember, ShareMemberStats};
pub use partition::{AcknowledgeType, Acquired, RecordState, ShareConfig, SharePartition};
