//! A Kafka Streams application as a form describes it (and a scenario file writes it): which
//! topics, which window, what to aggregate, how results leave, the guarantee, what to do with a
//! bad record. The simulation checks it and builds the topology.

use serde::Serialize;

/// A window: `kind` is tumbling, hopping, sliding or session; `size_ms` is the size (hopping and
/// tumbling), the time difference (sliding) or the inactivity gap (session).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WindowSpec {
    pub kind: String,
    pub size_ms: i64,
    /// Hopping windows' advance (0: the size, tumbling).
    pub advance_ms: i64,
    pub grace_ms: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StreamsSpec {
    pub application_id: String,
    pub input: String,
    pub output: String,
    pub instances: u32,
    pub window: WindowSpec,
    /// `count` or `sum_amount`.
    pub aggregation: String,
    /// Keep only `click`, `view` or `purchase` records.
    pub filter: Option<String>,
    /// Re-key by the event's `page` or `type` before grouping (`selectKey`, through a
    /// repartition topic); `None` keeps the record key (the user id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub select_key: Option<String>,
    /// A second aggregate: the running total per key, without a window, written to this topic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_output: Option<String>,
    /// `on_update` (cache off), `cached` (the default) or `until_window_closes` (suppress).
    pub emit: String,
    /// `at_least_once` or `exactly_once_v2`.
    pub guarantee: String,
    pub commit_interval_ms: Option<u64>,
    /// `fail` (the default), `continue` or `dead_letter`.
    pub on_error: String,
    /// `errors.dead.letter.queue.topic.name`, with `on_error: dead_letter`.
    pub dead_letter_topic: Option<String>,
    pub processing_us: u64,
    /// The instances' consumers' `session.timeout.ms` (45000).
    pub session_timeout_ms: Option<u64>,
}
