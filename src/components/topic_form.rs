//! Create a topic: name and partition count, checked with Kafka's rules as you type.

use brokerlab_engine::cluster::validate_topic_name;
use brokerlab_engine::Action;
use yew::prelude::*;

use super::fields::{parse_u64, TextField};
use super::notice::NoticeLine;
use crate::app::{use_engine, use_view};

#[component]
pub fn TopicForm() -> Html {
    let _view = use_view();
    let engine = use_engine();
    let name = use_state(String::new);
    let partitions = use_state(|| "6".to_string());
    let touched = use_state(|| false);
    let partitions_error = use_state(|| None::<String>);
    let name_error = (*touched && !name.is_empty())
        .then(|| validate_topic_name(&name).err().map(|e| e.to_string()))
        .flatten();
    let onsubmit = {
        let (engine, name, partitions, touched) = (
            engine.clone(),
            name.clone(),
            partitions.clone(),
            touched.clone(),
        );
        let partitions_error = partitions_error.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            touched.set(true);
            let n = match parse_u64("Partitions", &partitions) {
                Ok(n) => n.min(u32::MAX as u64) as u32,
                Err(msg) => {
                    partitions_error.set(Some(msg));
                    return;
                }
            };
            partitions_error.set(None);
            engine.apply(
                Action::CreateTopic {
                    name: (*name).clone(),
                    partitions: n,
                    config: Default::default(),
                },
                "topic-form",
            );
        })
    };
    html! {
        <form class="card form" {onsubmit} aria-label="Create topic">
            <h3>{"Create topic"}</h3>
            <div class="row">
                <TextField label="Topic name" value={(*name).clone()} placeholder="e.g. payments"
                    error={name_error}
                    oninput={{ let (name, touched) = (name.clone(), touched.clone());
                        Callback::from(move |v| { name.set(v); touched.set(true); }) }} />
                <TextField label="Partitions" kind="number" min="1" max="256" value={(*partitions).clone()}
                    error={(*partitions_error).clone()}
                    oninput={{ let p = partitions.clone(); Callback::from(move |v| p.set(v)) }} />
                <button class="btn primary" type="submit">{"Create"}</button>
            </div>
            <NoticeLine source="topic-form" />
        </form>
    }
}
