//! Scenarios: a seed, a cluster, timed actions and a duration, as one JSON document. The same
//! file drives a lesson, a shared link, an embedded figure, a headless test and a benchmark.
//! The format is documented in `docs/scenario-format.md`.

#[cfg(feature = "json")]
pub mod json;
pub mod lab;
pub mod report;
pub mod runner;
pub mod work;

pub use lab::{LabPoint, LabRun, LabSetting};
pub use report::Report;
pub use runner::{ConsumerSpec, ProducerSpec, Scenario, TimedAction, TopicSpec};
pub use work::Work;
