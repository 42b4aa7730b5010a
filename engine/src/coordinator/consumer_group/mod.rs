//! The consumer group protocol of Kafka 4 (KIP-848, `group.protocol=consumer`): the coordinator,
//! not a client, computes each group's target assignment with a server-side assignor, and each
//! member reconciles towards it on its own through `ConsumerGroupHeartbeat`.
//!
//! So far this holds the server assignors (`group.consumer.assignors`: `uniform`, the default,
//! and `range`) and one member's reconciliation towards its target (`CurrentAssignmentBuilder`);
//! the `ConsumerGroupHeartbeat` handling with group and target epochs, the client side and the
//! group states build on them.

pub mod assignors;
pub mod reconciliation;
