//! brokerlab-engine: a deterministic, sans-IO simulation of a Kafka cluster, its producers and
//! its consumer groups, faithful to Apache Kafka's algorithms (murmur2 and sticky partitioning,
//! the record accumulator, idempotent sequences, the classic group protocol and its assignors).
//!
//! Start at [`Simulation`]: it takes [`Action`]s, advances virtual time and hands out
//! [`Snapshot`]s and [`view::Event`]s. No clock, no randomness and no I/O come from outside: same
//! seed and same actions give the same run.
//!
//! # Layers
//!
//! Each module imports only from the layers below it, and modules side by side in a layer (the
//! parties) meet only through what lies below them: a producer never calls a coordinator, it
//! sends a protocol message. `tests/layers.rs` reads the sources and keeps it so.
//!
//! ```text
//!  6 faces      scenario (files, runner)   timeline (action log, checkpoints, markers)
//!               view (the read model the page renders)   vectors
//!               ─────────────────────────────────────────────────────────────────────────────
//!  5 driver     sim: clock, event queue, network and faults, controller, replication,
//!               applying actions
//!               ─────────────────────────────────────────────────────────────────────────────
//!  4 parties    action: the input (what a user, a scenario or a lesson asks for)
//!               processor: a consumer and a producer in one application
//!               producer   consumer (and its assignors)   coordinator (group, transaction)
//!               party: the context a party runs with (read the cluster, send, emit, audit)
//!               audit: the delivery ledger every party reports to
//!               ─────────────────────────────────────────────────────────────────────────────
//!  3 metadata   protocol: requests and responses as plain data (produce, fetch, group, txn,
//!    and wire             the consumer protocol's subscriptions and assignments)
//!               cluster: brokers, topics, partitions and replicas   event: what happened
//!               ─────────────────────────────────────────────────────────────────────────────
//!  2 storage    log: record batches, segments, the partition log, producer state, the cleaner
//!               ─────────────────────────────────────────────────────────────────────────────
//!  1 ground     ground: virtual time, ids, error codes and the action error, the seeded rng,
//!               Kafka's hash functions, small collections and sort
//! ```
//!
//! The page uses the crate root (the driver, its input and the words the input is made of) and
//! [`view`] (what it reads back), nothing else.

pub mod action;
pub mod audit;
pub mod cluster;
pub mod consumer;
pub mod coordinator;
pub mod event;
pub mod ground;
pub mod lesson;
pub mod log;
pub mod party;
pub mod processor;
pub mod producer;
pub mod protocol;
pub mod rabbit;
pub mod scenario;
pub mod share;
pub mod sim;
pub mod streams;
pub mod timeline;
#[cfg(feature = "cli")]
pub mod vectors;
pub mod view;

// The public surface the page uses: the driver, its input and the words the input is made of.
// What the page reads back is in `view`.
pub use action::{Action, Applied, LinkFaults, PartitionRef, ResetTo, StreamsSpec, WindowSpec};
pub use cluster::{
    validate_topic_name, CleanupPolicy, ClusterConfig, CostConfig, IsolationLevel,
    SecurityProtocol, TopicCompression, TopicConfig,
};
pub use consumer::{ConsumerConfig, OffsetResetStrategy};
pub use ground::hash::{murmur2, to_positive};
pub use ground::quote::{message, quoted};
pub use ground::{ActionError, Millis};
pub use lesson::{
    apply_solution as apply_lesson_solution, enter as enter_lesson_step, open_at as open_lesson_at,
    Check, Lesson, Point as LessonPoint, Step as LessonStep,
};
pub use log::Compression;
pub use processor::Guarantee;
pub use producer::{KeyDistribution, LoadConfig, PartitionerKind, ProducerConfig};
pub use protocol::{Acks, AssignorName, GroupProtocol, ServerAssignor};
pub use scenario::{
    ConsumerSpec, LabPoint, LabRun, LabSetting, ProducerSpec, Report, Scenario, TimedAction,
    TopicSpec,
};
pub use sim::Simulation;
pub use timeline::embed::{
    Controls as EmbedControls, EmbedOptions, Region as EmbedRegion, Theme as EmbedTheme,
};
#[cfg(feature = "json")]
pub use timeline::host::{
    event as figure_event, read as read_host_message, reply as figure_reply, FigureState,
    Incoming as HostIncoming, Origins as HostOrigins, Request as HostRequest,
};
#[cfg(feature = "link")]
pub use timeline::Session;
pub use timeline::{Logged, Marker, MarkerKind, Timeline};
pub use view::Snapshot;

// Shared with the page so that the wasm module carries one copy of each (see `ground`).
pub use ground::small_map::SmallMap;
pub use ground::sort::sort_by_key;
