//! One producer: where it writes, how fast, how it batches, and what came back.

use std::rc::Rc;

use brokerlab_engine::view::ProducerView;
use brokerlab_engine::Acks;
use brokerlab_engine::Action;
use brokerlab_engine::{KeyDistribution, PartitionerKind};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::term::Term;
use crate::app::decimal::{fixed, short};
use crate::app::{format, use_engine, Msg};

/// The steps of the rate slider, records per second.
pub const RATE_STEPS: [u64; 20] = [
    0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000,
    200_000, 500_000, 1_000_000,
];

pub fn rate_step(rate: u64) -> usize {
    RATE_STEPS
        .iter()
        .position(|&r| r >= rate)
        .unwrap_or(RATE_STEPS.len() - 1)
}

pub fn keys_text(k: &Option<KeyDistribution>) -> String {
    match k {
        None | Some(KeyDistribution::None) => "null keys (sticky partitioner)".into(),
        Some(KeyDistribution::Uniform { keys }) => format!("{keys} keys, uniform"),
        Some(KeyDistribution::HotKey { keys, hot_percent }) => {
            format!("{keys} keys, user-0 hot ({}%)", short(*hot_percent, 2))
        }
        Some(KeyDistribution::Zipf { keys, exponent }) => {
            format!("{keys} keys, Zipf s={}", short(*exponent, 3))
        }
    }
}

fn acks_text(a: Acks) -> &'static str {
    match a {
        Acks::None => "acks=0",
        Acks::Leader => "acks=1",
        Acks::All => "acks=all",
    }
}

#[derive(Properties, PartialEq)]
pub struct ProducerCardProps {
    pub producer: Rc<ProducerView>,
    /// The most records in any recent batch of any producer: every card's batch bars share this
    /// scale, so 5 records a batch never looks like 80.
    pub batch_scale: u32,
}

#[component]
pub fn ProducerCard(props: &ProducerCardProps) -> Html {
    let engine = use_engine();
    let p = &props.producer;
    let send = {
        let engine = engine.clone();
        move |action: Action| {
            engine.send(Msg::Apply {
                action,
                source: "producer-card",
            })
        }
    };
    let on_rate = {
        let (engine, name) = (engine.clone(), p.name.clone());
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let i = input
                .value()
                .parse::<usize>()
                .unwrap_or(0)
                .min(RATE_STEPS.len() - 1);
            engine.apply(
                Action::SetRate {
                    producer: name.clone(),
                    rate: RATE_STEPS[i],
                },
                "producer-card",
            );
        })
    };
    let on_remove = {
        let name = p.name.clone();
        let send = send.clone();
        Callback::from(move |_| {
            send(Action::RemoveProducer {
                producer: name.clone(),
            })
        })
    };
    let s = &p.stats;
    // Begin needs no open transaction, Commit and Abort an open one: the others are disabled
    // rather than answering with an error (automatic transactions begin right after each end).
    let in_txn = p.transaction_state.as_deref() == Some("IN_TRANSACTION");
    let txn_button = |label: &'static str, enabled: bool, action: fn(String) -> Action| {
        let (send, name) = (send.clone(), p.name.clone());
        html! {
            <button class="btn small" disabled={!enabled} onclick={Callback::from(move |_| send(action(name.clone())))}
                aria-label={format!("{label} transaction of {}", p.name)}>{ label }</button>
        }
    };
    let idempotence = match (p.idempotent, p.producer_id, p.producer_epoch) {
        (true, Some(id), Some(epoch)) => html! {
            <>{ format!("idempotent · producer id {id} · ") }<Term of="producer-epoch">{ format!("epoch {epoch}") }</Term></>
        },
        (true, _, _) => html! { {"idempotent · awaiting InitProducerId"} },
        (false, _, _) => html! { {"not idempotent"} },
    };
    let max_batch = props.batch_scale.max(1);
    let own_max = s.recent_batch_records.iter().copied().max().unwrap_or(0);
    let latest = s.recent_batch_records.last().copied().unwrap_or(0);
    html! {
        <article class="card producer" aria-label={format!("Producer {}", p.name)} data-point={format!("producer:{}", p.name)}>
            <header class="card-head">
                <h3>{ &p.name }</h3>
                <span class="arrow" aria-hidden="true">{"→"}</span>
                <span class="topic-ref">{
                    match (&p.topic, &p.waiting_for_topic) {
                        (Some(t), _) => t.clone(),
                        (None, Some(t)) => format!("{t} (deleted)"),
                        (None, None) => "no load".into(),
                    }
                }</span>
                <button class="btn subtle small" onclick={on_remove} aria-label={format!("Remove producer {}", p.name)}>{"Remove"}</button>
            </header>
            if p.topic.is_some() {
                <label class="rate">
                    <span class="label">{ format!("Rate: {} records/s", format::count(p.rate)) }</span>
                    <input type="range" min="0" max={(RATE_STEPS.len() - 1).to_string()}
                        value={rate_step(p.rate).to_string()} oninput={on_rate}
                        aria-label={format!("Rate of {}", p.name)}
                        aria-valuetext={format!("{} records per second", p.rate)} />
                </label>
            }
            if let Some(t) = &p.waiting_for_topic {
                <p class="notice small">{ format!("Topic {t} was deleted: send() waits for its metadata (and fails after max.block.ms) until a topic {t} exists again.") }</p>
            }
            <p class="config">
                if p.keys.is_some() { { keys_text(&p.keys) }{" · "}{ format!("{} B values", p.value_bytes) }{" · "} }
                <Term of="acks">{ acks_text(p.acks) }</Term>{" · "}{ format!("linger.ms={}", p.linger_ms) }{" · "}
                { format!("batch.size={}", format::count(p.batch_size as u64)) }
                if p.partitioner == PartitionerKind::RoundRobin { {" · round-robin"} }
            </p>
            <p class="muted small">{ idempotence }</p>
            if let Some(state) = &p.transaction_state {
                <p class="txn small">
                    <span class={classes!("badge", if state == "FATAL_ERROR" { "dead" } else if state == "IN_TRANSACTION" { "preparing" } else { "stable" })}>
                        { if state == "FATAL_ERROR" { "FENCED".to_string() } else { state.clone() } }
                    </span>
                    { format!(" transactional.id={} · {} committed · {} aborted",
                        p.transactional_id.clone().unwrap_or_default(), p.transactions_committed, p.transactions_aborted) }
                </p>
                if p.processor.is_none() && state != "FATAL_ERROR" {
                    <div class="member-controls">
                        { txn_button("Begin", !in_txn, |producer| Action::BeginTransaction { producer }) }
                        { txn_button("Commit", in_txn, |producer| Action::CommitTransaction { producer }) }
                        { txn_button("Abort", in_txn, |producer| Action::AbortTransaction { producer }) }
                    </div>
                }
            }
            <dl class="stats">
                <div><dt>{"Acknowledged"}</dt><dd>{ format::count(s.records_acked) }</dd></div>
                <div><dt>{"Records per batch"}</dt><dd>{ fixed(p.avg_batch_records, 1) }</dd></div>
                <div><dt>{"Batches per request"}</dt><dd>{ fixed(p.avg_request_batches, 1) }</dd></div>
                <div><dt>{"In flight"}</dt><dd>{ p.in_flight_requests }</dd></div>
                <div><dt>{"Waiting in accumulator"}</dt><dd>{ format::count(p.queued_records) }</dd></div>
                if p.latency.records > 0 {
                    <div class="latency"><dt><Term of="produce-latency">{"Send→ack p50 · p99"}</Term></dt>
                        <dd title={format!("max {} ms", p.latency.max_ms)}>{ format!("{} · {} ms", p.latency.p50_ms, p.latency.p99_ms) }</dd></div>
                }
                if s.records_failed > 0 { <div><dt>{"Failed"}</dt><dd class="bad">{ format::count(s.records_failed) }</dd></div> }
            </dl>
            <div class="buffer-pool">
                <label class="small">
                    <span class="muted">{ format!("buffer.memory: {} of {}", format::bytes(p.buffer_used), format::bytes(p.buffer_memory)) }</span>
                    <meter min="0" max={p.buffer_memory.to_string()} value={p.buffer_used.to_string()}
                        high={(p.buffer_memory * 9 / 10).to_string()}
                        aria-label={format!("Buffer memory of {}", p.name)}
                        aria-valuetext={format!("{} of {} in batches waiting or in flight", format::bytes(p.buffer_used), format::bytes(p.buffer_memory))}></meter>
                </label>
                if p.blocked_ms > 0 {
                    <p class="notice small" role="status">{ format!(
                        "send() blocked {}: the buffer is full, so the load waits; after max.block.ms ({}) the record fails{}.",
                        format::time(p.blocked_ms), format::duration(p.max_block_ms),
                        if s.buffer_exhausted > 0 { format!(" ({} so far)", format::count(s.buffer_exhausted)) } else { String::new() }) }</p>
                } else if s.send_blocked_ms > 0 {
                    <p class="muted small">{ format!("send() was blocked {} in all on a full buffer", format::time(s.send_blocked_ms)) }</p>
                }
            </div>
            if !s.recent_batch_records.is_empty() {
                <div class="bars" role="img" aria-label={format!("Records in the last {} batches of {}: latest {latest}, most {own_max}, on a scale of 0 to {max_batch} shared by all producers", s.recent_batch_records.len(), p.name)}>
                    { for s.recent_batch_records.iter().map(|&n| html! {
                        <span class="bar" style={format!("height:{}%", fixed((n as f64 / max_batch as f64 * 100.0).max(4.0), 1))}></span>
                    }) }
                </div>
                <p class="bars-scale small muted" aria-hidden="true">
                    <span>{ format!("records per batch: latest {latest}, most {own_max}") }</span>
                    <span>{ format!("scale 0–{max_batch}, all producers") }</span>
                </p>
            }
        </article>
    }
}
