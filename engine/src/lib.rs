//! brokerlab-engine: a deterministic, sans-IO simulation of a Kafka cluster, its producers and
//! its consumer groups, faithful to Apache Kafka's algorithms (murmur2 and sticky partitioning,
//! the record accumulator, idempotent sequences, the classic group protocol and its assignors).
//!
//! Start at [`sim::Simulation`]: it takes [`scenario::Action`]s, advances virtual time and hands
//! out [`sim::Snapshot`]s and [`sim::Event`]s. No clock, no randomness and no I/O come from
//! outside: same seed and same actions give the same run.

pub mod action;
pub mod audit;
pub mod cluster;
pub mod consumer;
pub mod coordinator;
pub mod event;
pub mod ground;
pub mod log;
pub mod party;
pub mod processor;
pub mod producer;
pub mod protocol;
pub mod scenario;
pub mod sim;
#[cfg(feature = "cli")]
pub mod vectors;
pub mod view;

// The public surface the page uses: the driver, its input and the words the input is made of.
// What the page reads back is in `view`.
pub use action::{Action, Applied, LinkFaults, PartitionRef, ResetTo};
pub use cluster::{validate_topic_name, CleanupPolicy, ClusterConfig, IsolationLevel, TopicConfig};
pub use consumer::{ConsumerConfig, OffsetResetStrategy};
pub use ground::hash::{murmur2, to_positive};
pub use ground::{ActionError, Millis};
pub use processor::Guarantee;
pub use producer::{KeyDistribution, LoadConfig, PartitionerKind, ProducerConfig};
pub use protocol::{Acks, AssignorName};
pub use scenario::{ConsumerSpec, ProducerSpec, Report, Scenario, TimedAction, TopicSpec};
pub use sim::Simulation;
pub use view::Snapshot;

// Shared with the page so that the wasm module carries one copy of each (see `ground`).
pub use ground::small_map::SmallMap;
pub use ground::sort::sort_by_key;
