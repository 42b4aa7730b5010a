//! Materialized views in the simulation (issue 19): a sink consumer group reads an application's
//! output topic (read_committed, so aborted results never reach a dashboard) and upserts every
//! result into the view's table. Also the interactive query of a Streams store: which task and
//! instance hold a key, and what the store has for it.

use super::Simulation;
use crate::action::Applied;
use crate::cluster::IsolationLevel;
use crate::consumer::{Consumer, ConsumerConfig, OffsetResetStrategy};
use crate::event::EventKind;
use crate::ground::hash::to_positive;
use crate::ground::quote::quoted;
use crate::ground::ActionError;
use crate::log::KeyId;
use crate::protocol::Party;
use crate::streams::instance::decode_value;
use crate::streams::{MaterializedView, Window};

/// Most views one simulation keeps.
pub const MAX_VIEWS: usize = 8;

/// Where an interactive query for a key goes, and what the store answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreQuery {
    pub application_id: String,
    pub store: String,
    /// The partition the key hashes to, so the task `<subtopology>_<partition>` holds it.
    pub partition: u32,
    /// The sub-topology keeping the store: 1 behind a repartition topic.
    pub subtopology: u32,
    /// The instance running that task (`None` while the task is not assigned).
    pub instance: Option<String>,
    pub restoring: bool,
    /// The store's windows for the key, oldest first.
    pub windows: Vec<(Window, i64)>,
}

impl Simulation {
    pub fn materialized_views(&self) -> &[MaterializedView] {
        &self.views
    }

    pub(super) fn add_materialized_view(
        &mut self,
        name: &str,
        topic: &str,
    ) -> Result<Applied, ActionError> {
        super::apply::validate_client_name("view", name)?;
        let t = self
            .cluster
            .topic_by_name(topic)
            .ok_or_else(|| ActionError::UnknownTopic(topic.to_string()))?;
        if t.internal {
            return Err(ActionError::InvalidConfig(format!(
                "A view cannot read the internal topic {}.",
                quoted(topic)
            )));
        }
        if self.views.iter().any(|v| v.name == name) || self.groups.group(name).is_some() {
            return Err(ActionError::InvalidConfig(format!(
                "A view or group named {} exists already; a view's sink needs its own group.",
                quoted(name)
            )));
        }
        if self.views.len() >= MAX_VIEWS {
            return Err(ActionError::InvalidConfig(format!(
                "This simulation has {MAX_VIEWS} views already, the most it keeps."
            )));
        }
        let config = ConsumerConfig {
            group_id: Some(name.to_string()),
            auto_offset_reset: OffsetResetStrategy::Earliest,
            isolation_level: IsolationLevel::ReadCommitted,
            ..ConsumerConfig::default()
        };
        let ci = self.consumers.len() as u32;
        let slot = self.audit.slot(name);
        let mut consumer = Consumer::new(
            ci,
            format!("{name}-sink"),
            config,
            vec![topic.to_string()],
            None,
            slot,
            self.now,
        );
        consumer.forward = true;
        self.consumers.push(Some(consumer));
        self.views
            .push(MaterializedView::new(name.into(), topic.into(), ci));
        self.emit(EventKind::ConsumerAdded { consumer: ci });
        self.reschedule(Party::Consumer(ci));
        Ok(Applied {
            summary: format!(
                "The view {name} is fed by the sink group {name}, reading {topic} (read_committed)."
            ),
            partition: None,
        })
    }

    /// After a consumer ran: a view's sink applies what it was handed.
    pub(super) fn after_view_client(&mut self, party: Party) {
        let Party::Consumer(ci) = party else {
            return;
        };
        let Some(v) = self.views.iter().position(|v| v.consumer == ci) else {
            return;
        };
        let Some(Some(consumer)) = self.consumers.get_mut(ci as usize) else {
            return;
        };
        let records = std::mem::take(&mut consumer.handoff);
        let now = self.now;
        for r in records {
            // A windowed result, `user@[start,end)`, or a running total's plain key.
            let Some(text) = self.keys.text(r.key) else {
                self.views[v].ignored += 1;
                continue;
            };
            let (user, window) = match super::streams::parse_windowed(&text) {
                Some((k, w)) => (k.to_string(), w),
                None => (text.into_owned(), Window::ALL),
            };
            let value = match r.value.as_deref() {
                None => None,
                Some(text) => match decode_value(text) {
                    Some(x) => Some(x),
                    None => {
                        self.views[v].ignored += 1;
                        continue;
                    }
                },
            };
            let key = self.keys.intern(&user);
            self.views[v].apply(key, window, value, now);
        }
    }

    /// A key typed as text, if any record has carried it.
    pub fn key_id(&self, text: &str) -> Option<KeyId> {
        self.keys.lookup(text)
    }

    pub fn key_text(&self, key: KeyId) -> String {
        self.keys
            .text(key)
            .map(|t| t.into_owned())
            .unwrap_or_default()
    }

    /// `KafkaStreams#queryMetadataForKey` then the store's `fetch(key, ...)`: the task that holds
    /// `key` in each application writing `topic`, and the store's windows for it.
    pub fn query_store(&self, topic: &str, key: &str) -> Vec<StoreQuery> {
        let id = self.keys.lookup(key);
        self.streams
            .iter()
            .filter(|a| {
                a.topology.output == topic || a.topology.total_output.as_deref() == Some(topic)
            })
            .filter_map(|a| {
                let t = &a.topology;
                let sub = t.stateful_subtopology();
                let n = self.cluster.topic_by_name(&t.input)?.partitions.len() as u32;
                let partition =
                    to_positive(crate::ground::hash::murmur2(key.as_bytes())) as u32 % n.max(1);
                let task = a.instances.iter().find_map(|i| {
                    i.tasks
                        .values()
                        .find(|x| x.number == partition && x.subtopology == sub)
                        .map(|x| (i, x))
                });
                Some(StoreQuery {
                    application_id: t.application_id.clone(),
                    store: if t.output == topic {
                        t.store_name()
                    } else {
                        t.total_store_name().unwrap_or_default()
                    },
                    partition,
                    subtopology: sub,
                    instance: task.map(|(i, _)| i.name.clone()),
                    restoring: task.is_some_and(|(_, x)| x.restoring_until.is_some()),
                    windows: match (task, id) {
                        (Some((_, x)), Some(id)) if t.output == topic => x.agg.windows_of(&id),
                        (Some((_, x)), Some(id)) => x
                            .total
                            .get(id)
                            .map(|v| (Window::ALL, v))
                            .into_iter()
                            .collect(),
                        _ => Vec::new(),
                    },
                })
            })
            .collect()
    }
}
