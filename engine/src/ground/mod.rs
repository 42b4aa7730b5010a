//! The ground floor: the words every other part of the engine speaks, depending on nothing but
//! the standard library and serde.
//!
//! Virtual time, the ids of brokers, topics and partitions, Kafka's error codes and the error an
//! action is refused with, the one seeded random generator, the hash functions Kafka's clients
//! and brokers agree on, the small collections and sort that keep the wasm module small, and the
//! one way user-supplied text is quoted back in a message.

pub mod error;
pub mod hash;
mod ids;
pub mod latency;
pub mod limits;
pub mod quote;
pub mod rng;
pub mod small_map;
pub mod sort;

pub use error::{ActionError, ErrorCode};
pub use ids::{BrokerId, PartitionIdx, TopicId, Tp};
pub use rng::Rng;

/// Virtual time in milliseconds since the simulation started. Nothing in the engine reads a
/// real clock: time moves only when the driver is asked to advance it.
pub type Millis = u64;
