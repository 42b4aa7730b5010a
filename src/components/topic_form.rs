//! Create a topic: name and partition count, checked with Kafka's rules as you type, and under
//! "More settings" its replication (`replication.factor`, `min.insync.replicas`, unclean leader
//! election) and storage (`cleanup.policy`, retention, segment size, `delete.retention.ms`).

use brokerlab_engine::Action;
use brokerlab_engine::{validate_topic_name, CleanupPolicy, TopicConfig};
use yew::prelude::*;

use super::drawer::Drawer;

use super::fields::{parse_u64, setter, SelectField, TextField};
use super::notice::NoticeLine;
use crate::app::{format, use_engine, use_view};

/// The form's text, as typed.
#[derive(Clone, PartialEq)]
struct Form {
    name: String,
    partitions: String,
    replication_factor: String,
    min_insync: String,
    cleanup: String,
    retention_s: String,
    retention_bytes: String,
    segment_bytes: String,
    delete_retention_s: String,
    unclean: bool,
}

impl Form {
    fn new(brokers: usize) -> Self {
        let rf = brokers.min(3);
        Form {
            name: String::new(),
            partitions: "6".into(),
            replication_factor: rf.to_string(),
            min_insync: rf.min(2).to_string(),
            cleanup: "delete".into(),
            retention_s: String::new(),
            retention_bytes: String::new(),
            segment_bytes: String::new(),
            delete_retention_s: String::new(),
            unclean: false,
        }
    }

    /// The topic configuration, or the first field that does not parse.
    fn config(&self) -> Result<(u32, TopicConfig), String> {
        let d = TopicConfig::default();
        let num = |label: &str, text: &str| parse_u64(label, text);
        let optional = |label: &str, text: &str, default: u64| {
            if text.trim().is_empty() {
                Ok(default)
            } else {
                num(label, text)
            }
        };
        let partitions = num("Partitions", &self.partitions)?.min(u32::MAX as u64) as u32;
        let cleanup_policy = match self.cleanup.as_str() {
            "compact" => CleanupPolicy::Compact,
            "compact,delete" => CleanupPolicy::CompactDelete,
            _ => CleanupPolicy::Delete,
        };
        let retention_ms = if self.retention_s.trim().is_empty() {
            d.retention_ms
        } else {
            (num("retention (s)", &self.retention_s)? * 1000) as i64
        };
        let retention_bytes = if self.retention_bytes.trim().is_empty() {
            -1
        } else {
            num("retention.bytes", &self.retention_bytes)? as i64
        };
        Ok((
            partitions,
            TopicConfig {
                replication_factor: num("Replication factor", &self.replication_factor)?.min(99)
                    as u32,
                min_insync_replicas: num("min.insync.replicas", &self.min_insync)?.min(99) as u32,
                unclean_leader_election_enable: self.unclean,
                cleanup_policy,
                retention_ms,
                retention_bytes,
                segment_bytes: optional("segment.bytes", &self.segment_bytes, d.segment_bytes)?,
                delete_retention_ms: optional(
                    "delete.retention (s)",
                    &self.delete_retention_s,
                    d.delete_retention_ms / 1000,
                )? * 1000,
                ..d
            },
        ))
    }
}

#[component]
pub fn TopicForm() -> Html {
    let view = use_view();
    let engine = use_engine();
    let brokers = view.snapshot.brokers.len();
    let form = use_state(|| Form::new(brokers));
    let touched = use_state(|| false);
    let error = use_state(|| None::<String>);
    let name_error = (*touched && !form.name.is_empty())
        .then(|| validate_topic_name(&form.name).err().map(|e| e.to_string()))
        .flatten();
    let set = |f: fn(&mut Form, String)| setter(&form, f);
    let onsubmit = {
        let (engine, form, touched, error) =
            (engine.clone(), form.clone(), touched.clone(), error.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            touched.set(true);
            // A bad name is already shown under its field (an empty one is not, while typing).
            if let Err(e) = validate_topic_name(&form.name) {
                if form.name.is_empty() {
                    error.set(Some(e.to_string()));
                }
                return;
            }
            match form.config() {
                Ok((partitions, config)) => {
                    error.set(None);
                    engine.apply(
                        Action::CreateTopic {
                            name: form.name.clone(),
                            partitions,
                            config,
                        },
                        "topic-form",
                    );
                }
                Err(msg) => error.set(Some(msg)),
            }
        })
    };
    let on_unclean = {
        let form = form.clone();
        Callback::from(move |e: Event| {
            let i: web_sys::HtmlInputElement = e.target_unchecked_into();
            let mut next = (*form).clone();
            next.unclean = i.checked();
            form.set(next);
        })
    };
    let compacts = form.cleanup.contains("compact");
    let deletes = form.cleanup.contains("delete");
    html! {
        <Drawer title="Create topic">
        <form class="form" {onsubmit} aria-label="Create topic" novalidate=true oninput={engine.clear_on_edit("topic-form", Some(error.clone()))}>
            <div class="row">
                <TextField label="Topic name" value={form.name.clone()} placeholder="e.g. payments"
                    error={name_error}
                    oninput={{ let (form, touched) = (form.clone(), touched.clone());
                        Callback::from(move |v| { let mut n = (*form).clone(); n.name = v; form.set(n); touched.set(true); }) }} />
                <TextField label="Partitions" kind="number" min="1" max="256" value={form.partitions.clone()}
                    oninput={set(|f, v| f.partitions = v)} />
                <button class="btn primary" type="submit">{"Create"}</button>
            </div>
            <details class="more">
                <summary>{"More settings: replication, retention, compaction"}</summary>
                <div class="grid2">
                    <TextField label="Replication factor" kind="number" min="1" max={brokers.to_string()}
                        value={form.replication_factor.clone()} oninput={set(|f, v| f.replication_factor = v)} />
                    <TextField label="min.insync.replicas" kind="number" min="1"
                        value={form.min_insync.clone()} oninput={set(|f, v| f.min_insync = v)} />
                    <SelectField label="cleanup.policy" value={form.cleanup.clone()} onchange={set(|f, v| f.cleanup = v)}
                        options={vec![
                            ("delete".into(), "delete (retention)".into()),
                            ("compact".into(), "compact (latest per key)".into()),
                            ("compact,delete".into(), "compact,delete".into()),
                        ]} />
                    <TextField label="segment.bytes" kind="number" min="14" placeholder="1073741824"
                        value={form.segment_bytes.clone()} oninput={set(|f, v| f.segment_bytes = v)} />
                    if deletes {
                        <TextField label="retention (s)" kind="number" min="0" placeholder="604800 (7 days)"
                            value={form.retention_s.clone()} oninput={set(|f, v| f.retention_s = v)} />
                        <TextField label="retention.bytes" kind="number" min="0" placeholder="unlimited"
                            value={form.retention_bytes.clone()} oninput={set(|f, v| f.retention_bytes = v)} />
                    }
                    if compacts {
                        <TextField label="delete.retention (s)" kind="number" min="0" placeholder="86400 (1 day)"
                            value={form.delete_retention_s.clone()} oninput={set(|f, v| f.delete_retention_s = v)} />
                    }
                    <label class="check">
                        <input type="checkbox" checked={form.unclean} onchange={on_unclean} />
                        <span>{"unclean.leader.election.enable"}</span>
                    </label>
                </div>
                <p class="muted small">{ format!(
                    "Brokers check retention every {} (log.retention.check.interval.ms) and compact every {} (log.cleaner.backoff.ms); the active segment is never touched, so small segments show it best.",
                    format::duration(view.snapshot.cluster.log_retention_check_interval_ms),
                    format::duration(view.snapshot.cluster.log_cleaner_backoff_ms),
                ) }</p>
            </details>
            if let Some(e) = &*error { <p class="field-error" role="alert">{ e.clone() }</p> }
            <NoticeLine source="topic-form" />
        </form>
        </Drawer>
    }
}
