//! The offset-reset dialog of a group, as `kafka-consumer-groups --reset-offsets --execute`:
//! earliest, latest, a given offset, a point in (simulated) time, or a shift. Kafka resets only a
//! group without active members, so the dialog offers to stop the group's consumers first.

use std::rc::Rc;

use brokerlab_engine::view::GroupView;
use brokerlab_engine::Action;
use brokerlab_engine::ResetTo;
use yew::prelude::*;

use super::fields::{parse_f64, SelectField, TextField};
use super::notice::NoticeLine;
use crate::app::{use_engine, use_view};

#[derive(Properties, PartialEq)]
pub struct OffsetResetProps {
    pub group: Rc<GroupView>,
}

#[component]
pub fn OffsetReset(props: &OffsetResetProps) -> Html {
    let view = use_view();
    let engine = use_engine();
    let g = &props.group;
    let open = use_state(|| false);
    let topic = use_state(|| g.topics.first().cloned().unwrap_or_default());
    let strategy = use_state(|| "earliest".to_string());
    let value = use_state(String::new);
    let error = use_state(|| None::<String>);
    let id = g.group_id.clone();
    let consumers: Vec<String> = view
        .snapshot
        .consumers
        .iter()
        .filter(|c| c.group.as_deref() == Some(id.as_str()))
        .map(|c| c.name.clone())
        .collect();
    let inactive = g.state == "Empty" || g.state == "Dead";
    let toggle = {
        let open = open.clone();
        Callback::from(move |_| open.set(!*open))
    };
    if !*open {
        return html! {
            <button class="btn subtle" onclick={toggle} aria-expanded="false"
                aria-label={format!("Reset offsets of {id}")}>{"Reset offsets…"}</button>
        };
    }
    let on_stop = {
        let (engine, consumers) = (engine.clone(), consumers.clone());
        Callback::from(move |_| {
            for c in &consumers {
                engine.apply(
                    Action::RemoveConsumer {
                        consumer: c.clone(),
                    },
                    "offset-reset",
                );
            }
        })
    };
    let on_reset = {
        let (engine, topic, strategy, value, error, id) = (
            engine.clone(),
            topic.clone(),
            strategy.clone(),
            value.clone(),
            error.clone(),
            id.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let number = || parse_f64("Value", &value);
            let to = match strategy.as_str() {
                "latest" => Ok(ResetTo::Latest),
                "offset" => number().map(|v| ResetTo::Offset { offset: v as i64 }),
                "timestamp" => number().map(|v| ResetTo::Timestamp {
                    ms: (v.max(0.0) * 1000.0) as u64,
                }),
                "shift" => number().map(|v| ResetTo::ShiftBy { by: v as i64 }),
                _ => Ok(ResetTo::Earliest),
            };
            match to {
                Err(msg) => error.set(Some(msg)),
                Ok(to) => {
                    error.set(None);
                    engine.apply(
                        Action::ResetOffsets {
                            group: id.clone(),
                            topic: Some((*topic).clone()),
                            to,
                        },
                        "offset-reset",
                    );
                }
            }
        })
    };
    let needs_value = matches!(strategy.as_str(), "offset" | "timestamp" | "shift");
    let value_label = match strategy.as_str() {
        "timestamp" => "At simulated time (s)",
        "shift" => "Shift by (records, negative goes back)",
        _ => "Offset",
    };
    html! {
        // A non-modal dialog holding a form (role=dialog is not allowed on the form itself).
        <div class="reset-dialog" role="dialog" aria-label={format!("Reset offsets of {id}")}>
        <form class="stack-form" onsubmit={on_reset} aria-label={format!("Reset offsets of {id}")} novalidate=true oninput={engine.clear_on_edit("offset-reset", Some(error.clone()))}>
            <div class="dialog-head">
                <strong>{ format!("Reset offsets of {id}") }</strong>
                <button type="button" class="btn subtle" onclick={toggle} aria-label="Close">{"×"}</button>
            </div>
            if !inactive {
                <p class="small">
                    { format!("{id} is {} with {} member{}. Kafka resets offsets only of an inactive group.",
                        g.state, g.members.len(), if g.members.len() == 1 { "" } else { "s" }) }
                </p>
                if !consumers.is_empty() {
                    <button type="button" class="btn" onclick={on_stop}>{
                        if consumers.len() == 1 { "Stop its consumer".to_string() } else { format!("Stop its {} consumers", consumers.len()) }
                    }</button>
                }
            }
            <div class="grid2">
                <SelectField label="Topic" value={(*topic).clone()}
                    onchange={{ let t = topic.clone(); Callback::from(move |v| t.set(v)) }}
                    options={g.topics.iter().map(|t| (t.clone(), t.clone())).collect::<Vec<_>>()} />
                <SelectField label="Reset to" value={(*strategy).clone()}
                    onchange={{ let s = strategy.clone(); Callback::from(move |v| s.set(v)) }}
                    options={vec![
                        ("earliest".into(), "earliest (log start offset)".into()),
                        ("latest".into(), "latest (high watermark)".into()),
                        ("offset".into(), "a given offset".into()),
                        ("timestamp".into(), "a point in time".into()),
                        ("shift".into(), "shift by".into()),
                    ]} />
                if needs_value {
                    <TextField label={value_label} kind="number" value={(*value).clone()}
                        oninput={{ let v = value.clone(); Callback::from(move |x| v.set(x)) }} />
                }
            </div>
            if let Some(e) = &*error { <p class="field-error" role="alert">{ e.clone() }</p> }
            <button class="btn primary" type="submit" disabled={!inactive}>{"Reset offsets"}</button>
            <p class="muted small">{"Consumers that join afterwards start from the new offsets; the audit counts what they read again as re-read after the reset, apart from duplicates."}</p>
            <NoticeLine source="offset-reset" />
        </form>
        </div>
    }
}
