//! Consume-transform-produce processors, drawn between their input and output topics with the
//! state of their transaction, and the form to start one.

use std::rc::Rc;

use brokerlab_engine::view::ProcessorView;
use brokerlab_engine::Action;
use brokerlab_engine::Guarantee;
use yew::prelude::*;

use super::compact::{use_compact, DetailsToggle};
use super::drawer::Drawer;
use super::fields::{parse_f64, topic_names, SelectField, TextField};
use super::notice::NoticeLine;
use crate::app::{format, use_engine, use_view};

#[derive(Properties, PartialEq)]
pub struct ProcessorCardProps {
    pub processor: Rc<ProcessorView>,
}

fn phase_class(phase: &str) -> &'static str {
    match phase {
        "Crashed" => "dead",
        "Committing" => "completing",
        "Processing" => "preparing",
        _ => "stable",
    }
}

#[component]
pub fn ProcessorCard(props: &ProcessorCardProps) -> Html {
    let engine = use_engine();
    let compact = use_compact();
    let p = &props.processor;
    let crashed = p.phase == "Crashed";
    let onclick = {
        let (engine, name) = (engine.clone(), p.name.clone());
        Callback::from(move |_| {
            let action = if crashed {
                Action::RestartProcessor {
                    processor: name.clone(),
                }
            } else {
                Action::CrashProcessor {
                    processor: name.clone(),
                }
            };
            engine.apply(action, "processors");
        })
    };
    let eos = p.guarantee == Guarantee::ExactlyOnce;
    html! {
        <article class={classes!("card", "processor", crashed.then_some("crashed"))} aria-label={format!("Processor {}", p.name)} data-point={format!("processor:{}", p.name)}>
            <div class="flow-line">
                <span class="topic-ref">{ &p.input }</span>
                <span class="arrow" aria-hidden="true">{"→"}</span>
                <strong>{ &p.name }</strong>
                <span class="arrow" aria-hidden="true">{"→"}</span>
                <span class="topic-ref">{ &p.output }</span>
                <span class={classes!("badge", phase_class(&p.phase))}>{ &p.phase }</span>
                <button class="btn small" {onclick} aria-label={format!("{} {}", if crashed { "Restart" } else { "Crash" }, p.name)}>
                    { if crashed { "Restart" } else { "Crash" } }
                </button>
                <DetailsToggle compact={compact.clone()} of={p.name.clone()} />
            </div>
            if let Some(w) = &p.warning {
                <p class="warn small" role="status">{ w.clone() }</p>
            }
            if !*compact {
            <p class="muted small">
                { if eos { "exactly once: a transaction per poll, input offsets committed inside it (sendOffsetsToTransaction)" }
                  else { "at least once: idempotent producer, auto commit every 5 s" } }
            </p>
            <p class="small">
                if let Some(t) = &p.transaction { { format!("transaction {t} · ") } }
                { format!("{} processed · {} transactions committed · {} crashes · incarnation {}",
                    format::count(p.stats.records_processed), format::count(p.stats.transactions_committed), p.stats.crashes, p.incarnation) }
            </p>
            }
        </article>
    }
}

#[component]
pub fn ProcessorForm() -> Html {
    let view = use_view();
    let engine = use_engine();
    let name = use_state(|| "enricher".to_string());
    let input = use_state(String::new);
    let output = use_state(String::new);
    let guarantee = use_state(|| "exactly_once".to_string());
    let processing = use_state(|| "2".to_string());
    let error = use_state(|| None::<String>);
    let topics = topic_names(&view.snapshot);
    let input_v = if input.is_empty() {
        topics.first().cloned().unwrap_or_default()
    } else {
        (*input).clone()
    };
    let output_v = if output.is_empty() {
        topics
            .get(1)
            .or(topics.first())
            .cloned()
            .unwrap_or_default()
    } else {
        (*output).clone()
    };
    let onsubmit = {
        let (engine, error, name, guarantee, processing) = (
            engine.clone(),
            error.clone(),
            name.clone(),
            guarantee.clone(),
            processing.clone(),
        );
        let (input_v, output_v) = (input_v.clone(), output_v.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let ms = match parse_f64("Processing time", &processing) {
                Ok(ms) if ms >= 0.0 => ms,
                Ok(_) => return error.set(Some("Processing time cannot be negative.".into())),
                Err(m) => return error.set(Some(m)),
            };
            error.set(None);
            engine.apply(
                Action::AddProcessor {
                    name: name.trim().to_string(),
                    input: input_v.clone(),
                    output: output_v.clone(),
                    group: None,
                    guarantee: if *guarantee == "at_least_once" {
                        Guarantee::AtLeastOnce
                    } else {
                        Guarantee::ExactlyOnce
                    },
                    processing_us: (ms * 1000.0).round() as u64,
                },
                "processors",
            );
        })
    };
    let opts: Vec<(String, String)> = topics.iter().map(|t| (t.clone(), t.clone())).collect();
    html! {
        <Drawer title="Add processor">
            <form class="form" {onsubmit} aria-label="Add processor" novalidate=true oninput={engine.clear_on_edit("processors", Some(error.clone()))}>
                <p class="muted small">{"Consume → transform → produce: reads one topic, writes another, commits its offsets."}</p>
                if topics.len() < 2 {
                    <p class="muted small">{"A processor reads one topic and writes another: create a second topic first."}</p>
                }
                <div class="row">
                    <TextField label="Processor name" value={(*name).clone()} oninput={{ let s = name.clone(); Callback::from(move |v| s.set(v)) }} />
                    <SelectField label="Guarantee" value={(*guarantee).clone()} onchange={{ let s = guarantee.clone(); Callback::from(move |v| s.set(v)) }}
                        options={vec![("exactly_once".into(), "exactly once (transactions)".into()), ("at_least_once".into(), "at least once".into())]} />
                </div>
                <div class="row">
                    <SelectField label="Input topic" value={input_v} options={opts.clone()} onchange={{ let s = input.clone(); Callback::from(move |v| s.set(v)) }} />
                    <SelectField label="Output topic" value={output_v} options={opts} onchange={{ let s = output.clone(); Callback::from(move |v| s.set(v)) }} />
                    <TextField label="ms/record" kind="number" min="0" step="0.1" value={(*processing).clone()} oninput={{ let s = processing.clone(); Callback::from(move |v| s.set(v)) }} />
                </div>
                <button class="btn primary" type="submit">{"Add processor"}</button>
                if let Some(e) = &*error { <p class="notice error" role="alert">{ e.clone() }</p> }
            </form>
        </Drawer>
    }
}

#[component]
pub fn ProcessorsSection() -> Html {
    let view = use_view();
    html! {
        <>
            <NoticeLine source="processors" />
            { for view.snapshot.processors.iter().map(|p| html! {
                <ProcessorCard key={p.index} processor={Rc::new(p.clone())} />
            }) }
        </>
    }
}
