//! Kafka Streams applications as the page and the lessons read them: the topology with its
//! generated names, each instance's state and tasks (restoring or processing, stream time,
//! store size, late records dropped), and the application's totals.

use serde::Serialize;

use crate::ground::Millis;
use crate::sim::Simulation;
use crate::streams::{Emit, InstancePhase, ProcessingGuarantee};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StreamTaskView {
    /// `0_<partition>`.
    pub task: String,
    pub restoring: bool,
    pub restored: u64,
    pub processed: u64,
    /// The task's stream time (`None` before its first record).
    pub stream_time: Option<Millis>,
    pub store_entries: u64,
    /// Keys in the running total's store.
    pub total_entries: u64,
    /// `dropped-records-total`.
    pub dropped: u64,
    /// `records-lag`: the partition's end (its last stable offset under exactly-once) minus the
    /// instance's position.
    pub lag: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StreamsInstanceView {
    pub name: String,
    /// RUNNING, PROCESSING, COMMITTING, CRASHED or FAILED.
    pub state: String,
    pub incarnation: u32,
    pub tasks: Vec<StreamTaskView>,
    pub processed: u64,
    pub commits: u64,
    pub failure: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StreamsAppView {
    pub application_id: String,
    pub input: String,
    pub output: String,
    /// The topology's nodes, as `Topology#describe()` names them.
    pub nodes: Vec<String>,
    pub store: String,
    pub changelog: String,
    /// `<application.id>-<store>-repartition`, when the application re-keys.
    pub repartition: Option<String>,
    /// The new key, `page` or `type`, when it re-keys.
    pub select_key: Option<String>,
    /// Records written to the repartition topic.
    pub repartitioned: u64,
    /// The running total's topic and store, when the application has one.
    pub total_output: Option<String>,
    pub total_store: Option<String>,
    /// `tumbling 60 s, grace 10 s` and the like.
    pub window: String,
    pub emit: String,
    pub guarantee: String,
    pub commit_interval_ms: Millis,
    pub instances: Vec<StreamsInstanceView>,
    pub processed: u64,
    pub dropped: u64,
    pub dead_lettered: u64,
    pub skipped: u64,
    pub outputs: u64,
    pub restored: u64,
}

impl Simulation {
    pub fn streams_views(&self) -> Vec<StreamsAppView> {
        self.streams_apps()
            .iter()
            .map(|app| {
                let t = &app.topology;
                let instances: Vec<StreamsInstanceView> = app
                    .instances
                    .iter()
                    .map(|i| StreamsInstanceView {
                        name: i.name.clone(),
                        state: match i.phase {
                            InstancePhase::Running => "RUNNING",
                            InstancePhase::Processing { .. } => "PROCESSING",
                            InstancePhase::Committing => "COMMITTING",
                            InstancePhase::Crashed => "CRASHED",
                            InstancePhase::Failed => "FAILED",
                        }
                        .into(),
                        incarnation: i.incarnation,
                        tasks: i
                            .tasks
                            .values()
                            .map(|task| StreamTaskView {
                                lag: self.consumer(i.consumer).and_then(|c| {
                                    let a =
                                        c.assignment().find(|a| a.partition == task.partition)?;
                                    let end = self
                                        .cluster()
                                        .partition(task.partition)?
                                        .fetch_limit(c.config.isolation_level);
                                    Some((end - a.position?).max(0))
                                }),
                                task: format!("{}_{}", task.subtopology, task.number),
                                restoring: task.restoring_until.is_some(),
                                restored: task.restored,
                                processed: task.processed,
                                stream_time: task.agg.stream_time,
                                store_entries: task.agg.store_len() as u64,
                                total_entries: task.total.len() as u64,
                                dropped: task.agg.dropped,
                            })
                            .collect(),
                        processed: i.stats.processed,
                        commits: i.stats.commits,
                        failure: i.failure.clone(),
                    })
                    .collect();
                let sum = |f: &dyn Fn(&crate::streams::StreamsStats) -> u64| {
                    app.instances.iter().map(|i| f(&i.stats)).sum::<u64>()
                };
                let w = t.windows;
                let secs = |ms: Millis| format!("{} s", ms as f64 / 1000.0);
                let window = match w {
                    crate::streams::Windows::Time {
                        size,
                        advance,
                        grace,
                    } if size == advance => {
                        format!("tumbling {}, grace {}", secs(size), secs(grace))
                    }
                    crate::streams::Windows::Time {
                        size,
                        advance,
                        grace,
                    } => format!(
                        "hopping {} every {}, grace {}",
                        secs(size),
                        secs(advance),
                        secs(grace)
                    ),
                    crate::streams::Windows::Sliding { difference, grace } => {
                        format!("sliding {}, grace {}", secs(difference), secs(grace))
                    }
                    crate::streams::Windows::Session { gap, grace } => {
                        format!("session gap {}, grace {}", secs(gap), secs(grace))
                    }
                };
                StreamsAppView {
                    application_id: t.application_id.clone(),
                    input: t.input.clone(),
                    output: t.output.clone(),
                    nodes: t.nodes(),
                    store: t.store_name(),
                    changelog: t.changelog_topic(),
                    repartition: t.repartition_topic(),
                    select_key: t.select_key.map(|k| k.as_str().to_string()),
                    repartitioned: sum(&|s| s.repartitioned),
                    total_output: t.total_output.clone(),
                    total_store: t.total_store_name(),
                    window,
                    emit: match t.emit {
                        Emit::OnUpdate => "on update (cache off)",
                        Emit::Cached => "through the cache, at each commit",
                        Emit::UntilWindowCloses => "when the window closes (suppress)",
                    }
                    .into(),
                    guarantee: t.guarantee.as_str().into(),
                    commit_interval_ms: t.commit_interval_ms,
                    processed: sum(&|s| s.processed),
                    dropped: app.dropped(),
                    dead_lettered: sum(&|s| s.dead_lettered),
                    skipped: sum(&|s| s.skipped_errors),
                    outputs: sum(&|s| s.outputs),
                    restored: sum(&|s| s.restored),
                    instances,
                }
            })
            .collect()
    }
}

/// Whether an application runs exactly-once (for a badge).
pub fn exactly_once(v: &StreamsAppView) -> bool {
    v.guarantee == ProcessingGuarantee::ExactlyOnceV2.as_str()
}
