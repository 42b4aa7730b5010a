//! Send one record by hand, and see before sending which partition murmur2 picks for its key.

use brokerlab_engine::Action;
use brokerlab_engine::{murmur2, quoted, to_positive};
use yew::prelude::*;

use super::drawer::Drawer;

use super::fields::{SelectField, TextField};
use super::notice::NoticeLine;
use crate::app::{use_engine, use_view};

/// What the partitioner will do with this key, in words (the key quoted: escaped and cut).
pub fn partition_preview(key: &str, null_key: bool, partitions: u32) -> String {
    if null_key {
        return "Null key: the sticky partitioner picks the partition (KIP-794).".into();
    }
    let h = murmur2(key.as_bytes());
    format!(
        "murmur2({}) = {h}; toPositive = {}; {} % {partitions} = partition {}",
        quoted(key),
        to_positive(h),
        to_positive(h),
        to_positive(h) as u32 % partitions.max(1)
    )
}

#[component]
pub fn ProduceRecord() -> Html {
    let view = use_view();
    let engine = use_engine();
    let snap = &view.snapshot;
    let producer = use_state(String::new);
    let topic = use_state(String::new);
    let key = use_state(|| "user-42".to_string());
    let null_key = use_state(|| false);
    let value = use_state(|| "{\"amount\": 12.5}".to_string());
    let producers: Vec<String> = snap.producers.iter().map(|p| p.name.clone()).collect();
    let topics: Vec<String> = snap.topics.iter().map(|t| t.name.clone()).collect();
    let producer_v = if producer.is_empty() {
        producers.first().cloned().unwrap_or_default()
    } else {
        (*producer).clone()
    };
    let topic_v = if topic.is_empty() {
        topics.first().cloned().unwrap_or_default()
    } else {
        (*topic).clone()
    };
    let partitions = snap
        .topics
        .iter()
        .find(|t| t.name == topic_v)
        .map_or(0, |t| t.partitions.len() as u32);
    let onsubmit = {
        let engine = engine.clone();
        let (producer_v, topic_v, key, null_key, value) = (
            producer_v.clone(),
            topic_v.clone(),
            key.clone(),
            null_key.clone(),
            value.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            engine.apply(
                Action::ProduceRecord {
                    producer: producer_v.clone(),
                    topic: topic_v.clone(),
                    partition: None,
                    key: (!*null_key).then(|| (*key).clone()),
                    value: Some((*value).clone()),
                    headers: Vec::new(),
                },
                "produce-record",
            );
        })
    };
    let on_null = {
        let null_key = null_key.clone();
        Callback::from(move |e: Event| {
            let i: web_sys::HtmlInputElement = e.target_unchecked_into();
            null_key.set(i.checked());
        })
    };
    html! {
        <Drawer title="Produce one record">
            <form class="form" {onsubmit} aria-label="Produce one record" novalidate=true oninput={engine.clear_on_edit("produce-record", None)}>
                <div class="row">
                    <SelectField label="Producer" value={producer_v} options={producers.iter().map(|p| (p.clone(), p.clone())).collect::<Vec<_>>()}
                        onchange={{ let p = producer.clone(); Callback::from(move |v| p.set(v)) }} />
                    <SelectField label="Topic" value={topic_v} options={topics.iter().map(|t| (t.clone(), t.clone())).collect::<Vec<_>>()}
                        onchange={{ let t = topic.clone(); Callback::from(move |v| t.set(v)) }} />
                </div>
                <TextField label="Key" value={(*key).clone()} oninput={{ let k = key.clone(); Callback::from(move |v| k.set(v)) }} />
                <label class="check"><input type="checkbox" checked={*null_key} onchange={on_null} />{"Null key"}</label>
                <output class="preview" aria-label="Partition preview">
                    { if partitions > 0 { partition_preview(&key, *null_key, partitions) } else { "Create a topic first.".into() } }
                </output>
                <TextField label="Value" value={(*value).clone()} oninput={{ let v = value.clone(); Callback::from(move |x| v.set(x)) }} />
                <button class="btn primary" type="submit">{"Send"}</button>
                <NoticeLine source="produce-record" />
            </form>
        </Drawer>
    }
}
