//! Kafka Streams in the simulation (issue 19): windows and the windowed aggregation of a task,
//! faithful to `streams/.../kstream/` (reference section 1). The application that runs them on a
//! consumer group with changelogs, repartitioning, exactly-once and a dead-letter topic comes next.

pub mod aggregate;
pub mod app;
pub mod instance;
pub mod serving;
pub mod topology;
pub mod total;
pub mod window;

#[cfg(test)]
mod tests;

pub use aggregate::{Emit, Processed, Skipped, Update, WindowedAggregate};
pub use app::StreamsApp;
pub use instance::{
    Env, InstancePhase, Restored, StreamTask, StreamsInstance, StreamsStats, Write, WriteKey,
};
pub use serving::MaterializedView;
pub use topology::{Aggregation, KeySelector, OnError, ProcessingGuarantee, Topology};
pub use total::{RunningTotal, Total};
pub use window::{Window, Windows};
