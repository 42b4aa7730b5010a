//! Add a producer: which topic, how fast, which keys, and the batching settings that matter.

use brokerlab_engine::Acks;
use brokerlab_engine::Action;
use brokerlab_engine::{KeyDistribution, LoadConfig, PartitionerKind, ProducerConfig};
use yew::prelude::*;

use super::drawer::Drawer;

use super::fields::{parse_f64, parse_u64, setter, topic_names, SelectField, TextField};
use super::notice::NoticeLine;
use crate::app::{use_engine, use_view, Msg};

#[derive(Clone, PartialEq)]
struct Form {
    name: String,
    topic: String,
    rate: String,
    keys: String,
    key_count: String,
    hot_percent: String,
    exponent: String,
    value_bytes: String,
    partitioner: String,
    batch_size: String,
    linger_ms: String,
    acks: String,
    idempotence: String,
    request_timeout_ms: String,
    transactional_id: String,
    transaction_ms: String,
    abort_percent: String,
}

impl Default for Form {
    fn default() -> Self {
        Form {
            name: String::new(),
            topic: String::new(),
            rate: "100".into(),
            keys: "uniform".into(),
            key_count: "100".into(),
            hot_percent: "50".into(),
            exponent: "1.1".into(),
            value_bytes: "100".into(),
            partitioner: "built-in".into(),
            batch_size: "16384".into(),
            linger_ms: "5".into(),
            acks: "all".into(),
            idempotence: "default".into(),
            request_timeout_ms: "30000".into(),
            transactional_id: String::new(),
            transaction_ms: "500".into(),
            abort_percent: "0".into(),
        }
    }
}

impl Form {
    fn action(&self, default_topic: &str) -> Result<Action, String> {
        let count = || parse_u64("Keys", &self.key_count).map(|n| n.min(u32::MAX as u64) as u32);
        let keys = match self.keys.as_str() {
            "none" => KeyDistribution::None,
            "uniform" => KeyDistribution::Uniform { keys: count()? },
            "hot" => KeyDistribution::HotKey {
                keys: count()?,
                hot_percent: parse_f64("Hot key %", &self.hot_percent)?,
            },
            _ => KeyDistribution::Zipf {
                keys: count()?,
                exponent: parse_f64("Zipf exponent", &self.exponent)?,
            },
        };
        let topic = if self.topic.is_empty() {
            default_topic.to_string()
        } else {
            self.topic.clone()
        };
        if topic.is_empty() {
            return Err("Create a topic first: a producer writes to one.".into());
        }
        let load = LoadConfig {
            topic,
            rate: parse_u64("Rate", &self.rate)?,
            keys,
            value_bytes: parse_u64("Value size", &self.value_bytes)?.min(u32::MAX as u64) as u32,
            compression_ratio: None,
            events: None,
        };
        let config = ProducerConfig {
            partitioner: if self.partitioner == "round-robin" {
                PartitionerKind::RoundRobin
            } else {
                PartitionerKind::BuiltIn
            },
            batch_size: parse_u64("batch.size", &self.batch_size)?.min(u32::MAX as u64) as u32,
            linger_ms: parse_u64("linger.ms", &self.linger_ms)?,
            acks: match self.acks.as_str() {
                "0" => Acks::None,
                "1" => Acks::Leader,
                _ => Acks::All,
            },
            enable_idempotence: match self.idempotence.as_str() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            },
            request_timeout_ms: parse_u64("request.timeout.ms", &self.request_timeout_ms)?,
            transactional_id: (!self.transactional_id.trim().is_empty())
                .then(|| self.transactional_id.trim().to_string()),
            transaction_ms: parse_u64("Transaction length", &self.transaction_ms)?,
            abort_percent: parse_f64("Abort share", &self.abort_percent)?,
            ..ProducerConfig::default()
        };
        let name = (!self.name.trim().is_empty()).then(|| self.name.trim().to_string());
        Ok(Action::AddProducer {
            name,
            config,
            load: Some(load),
        })
    }
}

#[component]
pub fn ProducerForm() -> Html {
    let view = use_view();
    let engine = use_engine();
    let form = use_state(Form::default);
    let local_error = use_state(|| None::<String>);
    let topics = topic_names(&view.snapshot);
    let default_topic = topics.first().cloned().unwrap_or_default();
    let set = |f: fn(&mut Form, String)| setter(&form, f);
    let onsubmit = {
        let (engine, form, local_error) = (engine.clone(), form.clone(), local_error.clone());
        let default_topic = default_topic.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match form.action(&default_topic) {
                Ok(action) => {
                    local_error.set(None);
                    engine.send(Msg::Apply {
                        action,
                        source: "producer-form",
                    });
                }
                Err(msg) => local_error.set(Some(msg)),
            }
        })
    };
    let topic_value = if form.topic.is_empty() {
        default_topic.clone()
    } else {
        form.topic.clone()
    };
    html! {
        <Drawer title="Add producer">
            <form class="form" {onsubmit} aria-label="Add producer" novalidate=true oninput={engine.clear_on_edit("producer-form", Some(local_error.clone()))}>
                <TextField label="Name (client.id)" value={form.name.clone()} placeholder="optional" oninput={set(|f, v| f.name = v)} />
                <SelectField label="Topic" value={topic_value}
                    options={topics.iter().map(|t| (t.clone(), t.clone())).collect::<Vec<_>>()} onchange={set(|f, v| f.topic = v)} />
                <TextField label="Rate (records/s)" kind="number" min="0" value={form.rate.clone()} oninput={set(|f, v| f.rate = v)} />
                <SelectField label="Keys" value={form.keys.clone()} onchange={set(|f, v| f.keys = v)}
                    options={vec![("none".into(), "None (null keys)".into()), ("uniform".into(), "Uniform over N keys".into()),
                                  ("hot".into(), "One hot key".into()), ("zipf".into(), "Zipf".into())]} />
                if form.keys != "none" {
                    <TextField label="Number of keys" kind="number" min="1" value={form.key_count.clone()} oninput={set(|f, v| f.key_count = v)} />
                }
                if form.keys == "hot" {
                    <TextField label="Hot key share (%)" kind="number" min="0" max="100" value={form.hot_percent.clone()} oninput={set(|f, v| f.hot_percent = v)} />
                }
                if form.keys == "zipf" {
                    <TextField label="Zipf exponent" kind="number" step="0.1" value={form.exponent.clone()} oninput={set(|f, v| f.exponent = v)} />
                }
                <TextField label="Value size (bytes)" kind="number" min="0" value={form.value_bytes.clone()} oninput={set(|f, v| f.value_bytes = v)} />
                <SelectField label="Partitioner" value={form.partitioner.clone()} onchange={set(|f, v| f.partitioner = v)}
                    options={vec![("built-in".into(), "Built-in (murmur2 / sticky)".into()), ("round-robin".into(), "RoundRobinPartitioner".into())]} />
                <TextField label="batch.size (bytes)" kind="number" min="0" value={form.batch_size.clone()} oninput={set(|f, v| f.batch_size = v)} />
                <TextField label="linger.ms" kind="number" min="0" value={form.linger_ms.clone()} oninput={set(|f, v| f.linger_ms = v)} />
                <SelectField label="acks" value={form.acks.clone()} onchange={set(|f, v| f.acks = v)}
                    options={vec![("all".into(), "all".into()), ("1".into(), "1".into()), ("0".into(), "0".into())]} />
                <SelectField label="enable.idempotence" value={form.idempotence.clone()} onchange={set(|f, v| f.idempotence = v)}
                    options={vec![("default".into(), "default (true unless acks/retries conflict)".into()),
                                  ("true".into(), "true".into()), ("false".into(), "false".into())]} />
                <TextField label="request.timeout.ms" kind="number" min="1" value={form.request_timeout_ms.clone()} oninput={set(|f, v| f.request_timeout_ms = v)} />
                <TextField label="transactional.id" value={form.transactional_id.clone()} placeholder="optional: transactions" oninput={set(|f, v| f.transactional_id = v)} />
                if !form.transactional_id.trim().is_empty() {
                    <TextField label="Transaction length (ms, 0 = by hand)" kind="number" min="0" value={form.transaction_ms.clone()} oninput={set(|f, v| f.transaction_ms = v)} />
                    <TextField label="Abort share (%)" kind="number" min="0" max="100" value={form.abort_percent.clone()} oninput={set(|f, v| f.abort_percent = v)} />
                }
                <button class="btn primary" type="submit">{"Add producer"}</button>
                if let Some(e) = &*local_error { <p class="notice error" role="alert">{ e.clone() }</p> }
                <NoticeLine source="producer-form" />
            </form>
        </Drawer>
    }
}
