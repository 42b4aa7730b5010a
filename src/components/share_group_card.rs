//! A share group (KIP-932): its members, what each acquired, accepted, released and rejected, and
//! each share-partition's window from its start offset (SPSO) to its end offset (SPEO), every
//! in-flight record drawn in its state with its delivery count.

use std::rc::Rc;

use brokerlab_engine::view::ShareGroupView;
use brokerlab_engine::Action;
use yew::prelude::*;

use super::term::Term;
use crate::app::{format, use_engine};

#[derive(Properties, PartialEq)]
pub struct ShareGroupProps {
    pub group: Rc<ShareGroupView>,
}

fn state_class(state: &str) -> &'static str {
    match state {
        "ACQUIRED" => "acquired",
        "AVAILABLE" => "available",
        "ARCHIVED" => "archived",
        _ => "acknowledged",
    }
}

#[component]
pub fn ShareGroupCard(props: &ShareGroupProps) -> Html {
    let engine = use_engine();
    let g = &props.group;
    html! {
        <section class="card share-group" aria-label={format!("Share group {}", g.group)} data-point={format!("share_group:{}", g.group)}>
            <header class="card-head">
                <h3>{ &g.group }</h3>
                <Term of="share-group" class="badge-term"><span class="badge ok">{"share group"}</span></Term>
                <span class="muted small">{ format!("reads {} · ", g.topic) }<Term of="acquisition-lock">{ format!("lock {}", format::duration(g.lock_ms)) }</Term>
                    { format!(" · delivery limit {}", g.delivery_limit) }</span>
            </header>
            <ul class="members" aria-label={format!("Members of share group {}", g.group)}>
                { for g.members.iter().map(|m| {
                    let crash = {
                        let (engine, name) = (engine.clone(), m.name.clone());
                        Callback::from(move |_| engine.apply(Action::CrashShareConsumer { consumer: name.clone() }, "share"))
                    };
                    html! {
                        <li class={classes!("member", (!m.alive).then_some("down"))} key={m.name.clone()} aria-label={format!("Share consumer {}", m.name)}>
                            <div class="member-head">
                                <strong>{ &m.name }</strong>
                                if m.alive {
                                    <span class="muted small">{ format!("{} in hand · {} µs/record", m.in_hand, m.processing_us) }</span>
                                    <button class="btn small" onclick={crash} aria-label={format!("Crash {}", m.name)}>{"Crash"}</button>
                                } else {
                                    <span class="badge dead">{"crashed"}</span>
                                    <span class="muted small">{"its records stay locked until the lock runs out"}</span>
                                }
                            </div>
                            <p class="small">{ format!("{} delivered ({} again) · {} accepted · {} released · {} rejected",
                                format::count(m.delivered), format::count(m.redelivered), format::count(m.accepted), format::count(m.released), format::count(m.rejected)) }
                                if m.ack_failed > 0 { <span class="bad">{ format!(" · {} acks too late (lock ran out)", m.ack_failed) }</span> }
                                if let Some(k) = &m.poison_key { <span class="warn">{ format!(" · fails on {k}") }</span> }
                            </p>
                        </li>
                    }
                }) }
            </ul>
            { for g.partitions.iter().map(|p| html! {
                <div class="share-partition" key={p.partition}>
                    <p class="small"><strong>{ format!("{}-{}", g.topic, p.partition) }</strong>{" "}
                        <Term of="spso">{ format!("SPSO {} · SPEO {}", p.spso, p.speo) }</Term>
                        { format!(" · {} acquired · {} available", p.acquired, p.available) }</p>
                    <div class="window" role="img" aria-label={format!("In-flight records of {}-{}: {} acquired, {} available", g.topic, p.partition, p.acquired, p.available)}>
                        { for p.window.iter().map(|r| html! {
                            <span class={classes!("rec", state_class(&r.state))}
                                title={format!("offset {} · {} · delivery count {}{}", r.offset, r.state, r.delivery_count,
                                    r.owner.as_ref().map(|o| format!(" · held by {o}")).unwrap_or_default())}>
                                if r.delivery_count > 1 { { r.delivery_count } }
                            </span>
                        }) }
                        if p.window.is_empty() { <span class="muted small">{"nothing in flight"}</span> }
                    </div>
                </div>
            }) }
            <dl class="audit" aria-label={format!("What share group {} did", g.group)}>
                <div><dt>{"Accepted"}</dt><dd>{ format::count(g.accepted) }</dd></div>
                <div><dt>{"Archived"}</dt><dd class={classes!((g.archived > 0).then_some("warn"))}>{ format::count(g.archived) }</dd></div>
                <div><dt>{"Redelivered"}</dt><dd>{ format::count(g.redelivered) }</dd></div>
                <div><dt><Term of="out-of-order" /></dt><dd class={classes!((g.order_violations > 0).then_some("bad"))}>{ format::count(g.order_violations) }</dd></div>
            </dl>
        </section>
    }
}
