//! The consumer group protocol of Kafka 4 (KIP-848, `group.protocol=consumer`): the coordinator,
//! not a client, computes each group's target assignment with a server-side assignor, and each
//! member reconciles towards it on its own through `ConsumerGroupHeartbeat`.
//!
//! `group` holds a group's epochs, target and members; `heartbeat` answers ConsumerGroupHeartbeat
//! and runs the group's timers; `assignors` are the server assignors (`group.consumer.assignors`:
//! `uniform`, the default, and `range`); `reconciliation` takes one member a step towards its
//! target (`CurrentAssignmentBuilder`). The classic coordinator hands a group here when it speaks
//! this protocol; the group's committed offsets stay with it, whichever protocol it speaks.

pub mod assignors;
mod coordinator;
pub mod group;
pub mod heartbeat;
pub mod reconciliation;
pub mod uniform_heterogeneous;

pub use group::{ConsumerGroup, ConsumerGroupMember, ConsumerGroupState};
pub use heartbeat::Settings;
