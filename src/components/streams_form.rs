//! The form that starts a Kafka Streams application: a small topology chosen, not coded (source,
//! filter by event type, an optional `selectKey` through a repartition topic, a windowed count
//! or sum, how results leave, the guarantee, what to do with a bad record), and optionally a
//! materialized view of its output. The engine checks everything and names a bad field.

use brokerlab_engine::{Action, StreamsSpec, WindowSpec};
use yew::prelude::*;

use super::drawer::Drawer;
use super::fields::{parse_f64, parse_u64, topic_names, SelectField, TextField};
use super::notice::NoticeLine;
use crate::app::{use_engine, use_view, Msg};

fn opts(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(v, l)| (v.to_string(), l.to_string()))
        .collect()
}

/// Seconds typed in a field, as whole milliseconds.
fn ms(label: &str, text: &str) -> Result<i64, String> {
    let s = parse_f64(label, text)?;
    if !(0.0..=86_400.0).contains(&s) {
        return Err(format!("{label} is {s} s; it takes 0 to 86400 s."));
    }
    Ok((s * 1000.0).round() as i64)
}

#[component]
pub fn StreamsForm() -> Html {
    let view = use_view();
    let engine = use_engine();
    let app_id = use_state(|| "clicks-per-minute".to_string());
    let input = use_state(String::new);
    let output = use_state(String::new);
    let instances = use_state(|| "2".to_string());
    let kind = use_state(|| "tumbling".to_string());
    let size = use_state(|| "60".to_string());
    let advance = use_state(|| "10".to_string());
    let grace = use_state(|| "10".to_string());
    let aggregation = use_state(|| "count".to_string());
    let filter = use_state(String::new);
    let select_key = use_state(String::new);
    let emit = use_state(|| "cached".to_string());
    let guarantee = use_state(|| "exactly_once_v2".to_string());
    let on_error = use_state(|| "continue".to_string());
    let dlq = use_state(String::new);
    let serve = use_state(|| "yes".to_string());
    let total = use_state(String::new);
    let error = use_state(|| None::<String>);
    let topics = topic_names(&view.snapshot);
    let pick = |chosen: &UseStateHandle<String>, nth: usize| {
        if chosen.is_empty() {
            topics
                .get(nth)
                .or(topics.first())
                .cloned()
                .unwrap_or_default()
        } else {
            (**chosen).clone()
        }
    };
    let (input_v, output_v, dlq_v) = (pick(&input, 0), pick(&output, 1), pick(&dlq, 2));
    let onsubmit = {
        let engine = engine.clone();
        let error = error.clone();
        let s = [
            app_id.clone(),
            instances.clone(),
            kind.clone(),
            size.clone(),
            advance.clone(),
            grace.clone(),
            aggregation.clone(),
            filter.clone(),
            select_key.clone(),
            emit.clone(),
            guarantee.clone(),
            on_error.clone(),
            serve.clone(),
            total.clone(),
        ];
        let (input_v, output_v, dlq_v) = (input_v.clone(), output_v.clone(), dlq_v.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let [app_id, instances, kind, size, advance, grace, aggregation, filter, select_key, emit, guarantee, on_error, serve, total] =
                &s;
            let parsed = (|| -> Result<StreamsSpec, String> {
                let window = WindowSpec {
                    kind: (**kind).clone(),
                    size_ms: ms("Window size", size)?,
                    advance_ms: if **kind == "hopping" {
                        ms("Advance", advance)?
                    } else {
                        0
                    },
                    grace_ms: ms("Grace", grace)?,
                };
                let some = |s: &UseStateHandle<String>| (!s.is_empty()).then(|| (**s).clone());
                Ok(StreamsSpec {
                    application_id: app_id.trim().to_string(),
                    input: input_v.clone(),
                    output: output_v.clone(),
                    instances: parse_u64("Instances", instances)?.min(u64::from(u32::MAX)) as u32,
                    window,
                    aggregation: (**aggregation).clone(),
                    filter: some(filter),
                    select_key: some(select_key),
                    total_output: some(total),
                    emit: (**emit).clone(),
                    guarantee: (**guarantee).clone(),
                    commit_interval_ms: None,
                    on_error: (**on_error).clone(),
                    dead_letter_topic: (**on_error == "dead_letter").then(|| dlq_v.clone()),
                    processing_us: 0,
                    session_timeout_ms: Some(10_000),
                })
            })();
            let spec = match parsed {
                Ok(spec) => spec,
                Err(m) => return error.set(Some(m)),
            };
            error.set(None);
            let (name, topic) = (format!("{}-view", spec.application_id), spec.output.clone());
            let mut actions = vec![Action::AddStreamsApp { spec }];
            if **serve == "yes" {
                actions.push(Action::AddMaterializedView { name, topic });
            }
            engine.send(Msg::ApplyAll {
                actions,
                source: "streams-form",
            });
        })
    };
    let set = |s: &UseStateHandle<String>| {
        let s = s.clone();
        Callback::from(move |v| s.set(v))
    };
    let topic_opts: Vec<(String, String)> = topics.iter().map(|t| (t.clone(), t.clone())).collect();
    html! {
        <Drawer title="Add Streams app">
            <form class="form" {onsubmit} aria-label="Add Streams app" novalidate=true oninput={engine.clear_on_edit("streams-form", Some(error.clone()))}>
                <p class="muted small">{"A Kafka Streams application: a consumer group of instances, one task per input partition, a window store backed by a changelog topic."}</p>
                if topics.len() < 2 {
                    <p class="muted small">{"It reads one topic and writes another: create a second topic first."}</p>
                }
                <div class="row">
                    <TextField label="application.id" value={(*app_id).clone()} oninput={set(&app_id)} />
                    <TextField label="Instances" kind="number" min="1" max="16" value={(*instances).clone()} oninput={set(&instances)} />
                </div>
                <div class="row">
                    <SelectField label="Input topic" value={input_v} options={topic_opts.clone()} onchange={set(&input)} />
                    <SelectField label="Output topic" value={output_v} options={topic_opts.clone()} onchange={set(&output)} />
                </div>
                <div class="row">
                    <SelectField label="Keep only" value={(*filter).clone()} onchange={set(&filter)}
                        options={opts(&[("", "every event"), ("click", "clicks"), ("view", "views"), ("purchase", "purchases")])} />
                    <SelectField label="Group by" value={(*select_key).clone()} onchange={set(&select_key)}
                        options={opts(&[("", "the record key (user id)"), ("page", "page (selectKey, repartition)"), ("type", "event type (selectKey, repartition)")])} />
                </div>
                <div class="row">
                    <SelectField label="Window" value={(*kind).clone()} onchange={set(&kind)}
                        options={opts(&[("tumbling", "tumbling"), ("hopping", "hopping"), ("sliding", "sliding"), ("session", "session")])} />
                    <TextField label={if *kind == "session" { "Gap (s)" } else if *kind == "sliding" { "Difference (s)" } else { "Size (s)" }} kind="number" min="0" step="any" value={(*size).clone()} oninput={set(&size)} />
                    if *kind == "hopping" {
                        <TextField label="Advance (s)" kind="number" min="0" step="any" value={(*advance).clone()} oninput={set(&advance)} />
                    }
                    <TextField label="Grace (s)" kind="number" min="0" step="any" value={(*grace).clone()} oninput={set(&grace)} />
                </div>
                <div class="row">
                    <SelectField label="Aggregate" value={(*aggregation).clone()} onchange={set(&aggregation)}
                        options={opts(&[("count", "count()"), ("sum_amount", "sum of amount")])} />
                    <SelectField label="Results" value={(*emit).clone()} onchange={set(&emit)}
                        options={opts(&[("cached", "through the cache, at each commit"), ("on_update", "on every update (cache off)"), ("until_window_closes", "when the window closes (suppress)")])} />
                </div>
                <SelectField label="Running total to" value={(*total).clone()} onchange={set(&total)}
                    options={std::iter::once((String::new(), "no running total".to_string())).chain(topic_opts.iter().cloned()).collect::<Vec<_>>()} />
                <div class="row">
                    <SelectField label="processing.guarantee" value={(*guarantee).clone()} onchange={set(&guarantee)}
                        options={opts(&[("exactly_once_v2", "exactly_once_v2"), ("at_least_once", "at_least_once")])} />
                    <SelectField label="Materialized view" value={(*serve).clone()} onchange={set(&serve)}
                        options={opts(&[("yes", "serve the output in a view"), ("no", "no view")])} />
                </div>
                <div class="row">
                    <SelectField label="Bad records" value={(*on_error).clone()} onchange={set(&on_error)}
                        options={opts(&[("continue", "log and continue"), ("fail", "log and fail (the default)"), ("dead_letter", "dead-letter topic")])} />
                    if *on_error == "dead_letter" {
                        <SelectField label="Dead-letter topic" value={dlq_v} options={topic_opts} onchange={set(&dlq)} />
                    }
                </div>
                <button class="btn primary" type="submit">{"Start application"}</button>
                if let Some(e) = &*error { <p class="notice error" role="alert">{ e.clone() }</p> }
                <NoticeLine source="streams-form" />
            </form>
        </Drawer>
    }
}
