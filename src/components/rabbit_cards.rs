//! RabbitMQ beside the cluster: who publishes to which exchange, each exchange's bindings, and
//! each queue with what is ready (its head drawn message by message), what its consumers hold
//! unacknowledged under their prefetch, and where its messages went.

use std::rc::Rc;

use brokerlab_engine::view::{QueueView, RabbitConsumerView, RabbitView};
use brokerlab_engine::Action;
use yew::prelude::*;

use super::term::Term;
use crate::app::{format, use_engine};

#[derive(Properties, PartialEq)]
pub struct RabbitProps {
    pub rabbit: Rc<RabbitView>,
}

#[component]
pub fn RabbitCards(props: &RabbitProps) -> Html {
    let r = &props.rabbit;
    html! {
        <div class="rabbit" data-point="rabbit">
            { for r.publishers.iter().map(|p| html! {
                <p class="small publisher-line" key={p.producer.clone()}>
                    <strong>{ &p.producer }</strong>{" also publishes each record to "}
                    <Term of="exchange">{"exchange"}</Term>{" "}<strong>{ &p.exchange }</strong>
                    {" with routing key "}<code>{ &p.routing_key }</code>{": "}
                    { format!("{} published · {} confirmed", format::count(p.published), format::count(p.acked)) }
                    if p.nacked > 0 { { format!(" · {} nacked", format::count(p.nacked)) } }
                    if p.unroutable > 0 { <span class="bad">{ format!(" · {} unroutable (lost)", format::count(p.unroutable)) }</span> }
                </p>
            }) }
            { for r.exchanges.iter().map(|x| html! {
                <section class="card exchange" key={x.name.clone()} aria-label={format!("Exchange {}", x.name)} data-point={format!("exchange:{}", x.name)}>
                    <header class="card-head">
                        <h3>{ &x.name }</h3><span class="muted small">{ format!("{} exchange", x.kind) }</span>
                    </header>
                    <ul class="bindings" aria-label={format!("Bindings of {}", x.name)}>
                        { for x.bindings.iter().map(|b| html! {
                            <li><Term of="binding">{"→"}</Term>{" "}<strong>{ &b.destination }</strong>{" "}<code>{ if b.key.is_empty() { "(any key)".to_string() } else { b.key.clone() } }</code></li>
                        }) }
                        if x.bindings.is_empty() { <li class="muted small">{"No bindings: its messages go nowhere."}</li> }
                    </ul>
                </section>
            }) }
            { for r.queues.iter().map(|q| {
                let consumers: Vec<RabbitConsumerView> = r.consumers.iter().filter(|c| c.queue == q.name).cloned().collect();
                html! { <QueueCard key={q.name.clone()} queue={Rc::new(q.clone())} consumers={Rc::new(consumers)} /> }
            }) }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct QueueProps {
    pub queue: Rc<QueueView>,
    pub consumers: Rc<Vec<RabbitConsumerView>>,
}

#[component]
fn QueueCard(props: &QueueProps) -> Html {
    let q = &props.queue;
    let n = &q.counts;
    html! {
        <section class="card queue" aria-label={format!("Queue {}", q.name)} data-point={format!("queue:{}", q.name)}>
            <header class="card-head">
                <h3>{ &q.name }</h3>
                <span class={classes!("badge", "kind", (q.queue_type == "quorum").then_some("quorum"))}>{ &q.queue_type }</span>
                <span class="muted small">{ q.arguments.join(" · ") }</span>
            </header>
            <p class="queue-depth" aria-label={format!("Queue {} holds {} ready and {} unacknowledged", q.name, q.ready, q.unacked)}>
                <strong>{ format::count(q.ready) }</strong>{" ready · "}
                <strong>{ format::count(q.unacked) }</strong>{" unacked · "}
                { format!("{} consumer{}", q.consumers, if q.consumers == 1 { "" } else { "s" }) }
            </p>
            <div class="queue-head" role="img" aria-label={format!("The first {} ready messages of {}", q.head.len(), q.name)}>
                { for q.head.iter().map(|m| html! {
                    <span class={classes!("msg", m.redelivered.then_some("redelivered"), m.death.is_some().then_some("dead"))}
                        title={format!("message {} · {} · {}{}", m.id, m.key.clone().unwrap_or_else(|| "no key".into()), m.routing_key,
                            m.death.as_ref().map(|d| format!(" · x-death {d}")).unwrap_or_default())}></span>
                }) }
                if q.head.is_empty() { <span class="muted small">{"empty"}</span> }
            </div>
            <ul class="members" aria-label={format!("Consumers of {}", q.name)}>
                { for props.consumers.iter().map(|c| html! { <RabbitConsumerRow key={c.name.clone()} consumer={c.clone()} /> }) }
            </ul>
            <dl class="audit" aria-label={format!("Where the messages of {} went", q.name)}>
                <div><dt>{"Enqueued"}</dt><dd>{ format::count(n.enqueued) }</dd></div>
                <div><dt><Term of="basic-ack">{"Acked"}</Term></dt><dd>{ format::count(n.acked) }</dd></div>
                <div><dt><Term of="requeue">{"Redelivered"}</Term></dt><dd class={classes!((n.redelivered > 0).then_some("warn"))}>{ format::count(n.redelivered) }</dd></div>
                <div><dt><Term of="dead-letter">{"Dead-lettered"}</Term></dt><dd>{ format::count(n.dead_lettered) }</dd></div>
                <div><dt>{"Dropped"}</dt><dd class={classes!((n.dropped > 0).then_some("bad"))}>{ format::count(n.dropped) }</dd></div>
                if n.refused > 0 { <div><dt>{"Refused (full)"}</dt><dd class="bad">{ format::count(n.refused) }</dd></div> }
                <div><dt><Term of="out-of-order" /></dt><dd class={classes!((n.order_violations > 0).then_some("bad"))}>{ format::count(n.order_violations) }</dd></div>
            </dl>
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct ConsumerProps {
    pub consumer: RabbitConsumerView,
}

#[component]
fn RabbitConsumerRow(props: &ConsumerProps) -> Html {
    let engine = use_engine();
    let c = &props.consumer;
    let close = {
        let name = c.name.clone();
        Callback::from(move |_| {
            engine.apply(
                Action::CloseRabbitConsumer {
                    consumer: name.clone(),
                },
                "rabbit",
            )
        })
    };
    let cap = if c.prefetch == 0 {
        "∞".to_string()
    } else {
        c.prefetch.to_string()
    };
    let fill = if c.prefetch == 0 {
        0.0
    } else {
        (c.unacked as f64 / f64::from(c.prefetch)).min(1.0) * 100.0
    };
    html! {
        <li class="member" aria-label={format!("RabbitMQ consumer {}", c.name)} data-point={format!("rabbit_consumer:{}", c.name)}>
            <div class="member-head">
                <strong>{ &c.name }</strong>
                <span class="muted small"><Term of="prefetch">{"prefetch"}</Term>{ format!(" {cap} · {} µs/message", c.processing_us) }</span>
                <button class="btn small" onclick={close} aria-label={format!("Close channel of {}", c.name)}>{"Close channel"}</button>
            </div>
            <div class="prefetch-meter" role="meter" aria-label={format!("Unacknowledged at {}", c.name)}
                aria-valuemin="0" aria-valuemax={c.prefetch.to_string()} aria-valuenow={c.unacked.to_string()}>
                <span style={format!("width:{fill:.0}%")}></span>
            </div>
            <p class="small">
                { format!("{} unacked of {cap} · {} delivered · {} acked", c.unacked, format::count(c.delivered), format::count(c.acked)) }
                if c.rejected > 0 { { format!(" · {} rejected", format::count(c.rejected)) } }
                if let Some(k) = &c.poison_key { <span class="warn">{ format!(" · fails on {k} ({})", if c.requeue_poison { "reject, requeue" } else { "reject" }) }</span> }
            </p>
            <p class="small latency-line">{ format!("publish → delivery {} · → ack {} (p50 · p99)",
                format::latency(&c.delivery_latency), format::latency(&c.ack_latency)) }</p>
        </li>
    }
}
