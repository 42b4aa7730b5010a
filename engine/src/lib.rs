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

pub use action::Action;
pub use scenario::Scenario;
pub use sim::{Simulation, Snapshot};
