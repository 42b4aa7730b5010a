//! Materialized views as the page reads them: the top keys of the newest window, the view's size,
//! its sink group's lag, and the end-to-end latency from an event's production to its effect on
//! the view; and a key's rows, with where an interactive query of the Streams store would go.

use serde::Serialize;

use crate::ground::latency::LatencySummary;
use crate::ground::Millis;
use crate::sim::Simulation;
use crate::streams::Window;

/// How many keys the view shows for the newest window.
pub const TOP_KEYS: usize = 10;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ViewRowView {
    pub key: String,
    /// `[60 s, 120 s)`.
    pub window: String,
    pub value: i64,
    /// When the view last changed the row.
    pub updated: Millis,
    /// From the newest event the value includes to that change.
    pub latency_ms: Millis,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MaterializedViewView {
    pub name: String,
    pub topic: String,
    /// The sink's group: the view's name.
    pub group: String,
    /// What the values are: `count` or `sum of amount`, from the application writing the topic.
    pub measure: String,
    /// What the keys are: `user` (the record key), or the application's `select_key`.
    pub key_name: String,
    pub rows: u64,
    pub keys: u64,
    pub applied: u64,
    /// The newest window, and its top keys by value.
    pub window: Option<String>,
    pub top: Vec<ViewRowView>,
    /// Event production to view update, over the last five to ten seconds.
    pub latency: LatencySummary,
    /// The sink's lag (end offsets minus its positions).
    pub lag: i64,
}

/// What a key query answers: the view's rows and the Streams store behind it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KeyQueryView {
    pub key: String,
    pub rows: Vec<ViewRowView>,
    pub stores: Vec<StoreAnswer>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoreAnswer {
    pub application_id: String,
    pub store: String,
    /// `0_<partition>`.
    pub task: String,
    pub instance: Option<String>,
    pub restoring: bool,
    /// (window, aggregate), newest first.
    pub windows: Vec<(String, i64)>,
}

/// `[60 s, 120 s)`, or `]` for windows that hold their end.
pub fn window_label(w: &Window) -> String {
    if *w == Window::ALL {
        return "all time".into();
    }
    let s = |ms: Millis| {
        if ms.is_multiple_of(1000) {
            format!("{} s", ms / 1000)
        } else {
            format!("{:.1} s", ms as f64 / 1000.0)
        }
    };
    format!(
        "[{}, {}{}",
        s(w.start),
        s(w.end),
        if w.end_inclusive { "]" } else { ")" }
    )
}

impl Simulation {
    pub fn materialized_view_views(&self) -> Vec<MaterializedViewView> {
        let now = self.now();
        self.materialized_views()
            .iter()
            .map(|v| {
                let newest = v.newest_window();
                let lag = self
                    .consumer(v.consumer)
                    .map(|c| {
                        c.assignment()
                            .filter_map(|a| {
                                let end = self
                                    .cluster()
                                    .partition(a.partition)?
                                    .fetch_limit(c.config.isolation_level);
                                Some((end - a.position?).max(0))
                            })
                            .sum()
                    })
                    .unwrap_or(0);
                MaterializedViewView {
                    name: v.name.clone(),
                    topic: v.topic.clone(),
                    group: v.name.clone(),
                    measure: self
                        .streams_apps()
                        .iter()
                        .find_map(|a| {
                            let t = &a.topology;
                            let total = t.total_output.as_deref() == Some(v.topic.as_str());
                            (t.output == v.topic || total).then_some(match (t.aggregation, total) {
                                (crate::streams::Aggregation::Count, false) => "count",
                                (crate::streams::Aggregation::Count, true) => "total count",
                                (crate::streams::Aggregation::SumAmount, false) => "sum of amount",
                                (crate::streams::Aggregation::SumAmount, true) => "total amount",
                            })
                        })
                        .unwrap_or("value")
                        .to_string(),
                    key_name: self
                        .streams_apps()
                        .iter()
                        .find(|a| a.topology.output == v.topic)
                        .and_then(|a| a.topology.select_key)
                        .map_or("user", |k| k.as_str())
                        .to_string(),
                    rows: v.len() as u64,
                    keys: v.keys() as u64,
                    applied: v.applied,
                    window: newest.as_ref().map(window_label),
                    top: newest
                        .map(|w| {
                            v.top(w, TOP_KEYS)
                                .into_iter()
                                .map(|(k, r)| ViewRowView {
                                    key: self.key_text(k),
                                    window: window_label(&w),
                                    value: r.value,
                                    updated: r.updated,
                                    latency_ms: r.updated.saturating_sub(r.event_time),
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                    latency: v.latency(now),
                    lag,
                }
            })
            .collect()
    }

    /// A key typed in the view's search box: its rows in view `name`, and the interactive query
    /// of the store that computed them. `None` when there is no such view.
    pub fn query_view(&self, name: &str, key: &str) -> Option<KeyQueryView> {
        let v = self.materialized_views().iter().find(|v| v.name == name)?;
        let key = key.trim();
        let rows = self
            .key_id(key)
            .map(|id| {
                v.rows_of(id)
                    .into_iter()
                    .map(|(w, r)| ViewRowView {
                        key: key.to_string(),
                        window: window_label(&w),
                        value: r.value,
                        updated: r.updated,
                        latency_ms: r.updated.saturating_sub(r.event_time),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let stores = self
            .query_store(&v.topic, key)
            .into_iter()
            .map(|q| StoreAnswer {
                application_id: q.application_id,
                store: q.store,
                task: format!("{}_{}", q.subtopology, q.partition),
                instance: q.instance,
                restoring: q.restoring,
                windows: q
                    .windows
                    .iter()
                    .rev()
                    .map(|(w, x)| (window_label(w), *x))
                    .collect(),
            })
            .collect();
        Some(KeyQueryView {
            key: key.to_string(),
            rows,
            stores,
        })
    }
}
