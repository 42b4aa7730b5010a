//! The brokers of the cluster as cards: up, slow, dead (and whether the controller has noticed),
//! how many partitions each leads and holds, which groups it coordinates; kill, restart and slow
//! it down.

use brokerlab_engine::view::BrokerView;
use brokerlab_engine::Action;
use yew::prelude::*;

use crate::app::state::BROKERS;
use crate::app::{format, use_engine, use_view, PlaygroundContext};

/// Extra one-way delays the "Delay" menu offers, in ms.
const DELAYS: [(u64, &str); 4] = [
    (0, "none"),
    (1_000, "+1 s"),
    (5_000, "+5 s"),
    (20_000, "+20 s"),
];

fn status(b: &BrokerView, now: u64) -> (String, &'static str) {
    if b.alive {
        // A slowed broker whose heartbeats come later than broker.session.timeout.ms allows is
        // fenced by the controller although it runs.
        let fence = if b.fenced {
            " · fenced".to_string()
        } else if let Some(at) = b.fence_at {
            format!(" · fenced in {}", format::time(at.saturating_sub(now)))
        } else {
            String::new()
        };
        if b.slow_ms > 0 {
            (
                format!("slow +{}{fence}", format::duration(b.slow_ms)),
                "warn",
            )
        } else if b.fenced {
            (format!("up{fence}"), "warn")
        } else {
            ("up".into(), "ok")
        }
    } else if let Some(at) = b.fence_at {
        (
            format!("down · fenced in {}", format::time(at.saturating_sub(now))),
            "down",
        )
    } else {
        ("down · fenced".into(), "down")
    }
}

#[component]
pub fn BrokerBar() -> Html {
    let view = use_view();
    let engine = use_engine();
    let kept = use_context::<PlaygroundContext>()
        .expect("inside the playground")
        .broker_notices
        .clone();
    let now = view.snapshot.time;
    html! {
        <div class="broker-area">
            if !view.snapshot.brokers.iter().any(|b| b.alive) {
                <p class="cluster-down" role="alert">
                    <strong>{"The cluster is unavailable: every broker is down. "}</strong>
                    {"Producers keep records in their buffers and fail them after delivery.timeout.ms; \
                      consumers cannot fetch, join their groups or commit. Restart a broker to bring it back."}
                </p>
            }
            <ul class="brokers" aria-label="Brokers">
                { for view.snapshot.brokers.iter().map(|b| {
                    let id = b.id;
                    let (text, class) = status(b, now);
                    let coordinates = (!b.coordinator_of.is_empty())
                        .then(|| format!("coordinator of {}", b.coordinator_of.join(", ")));
                    let on_kill = {
                        let engine = engine.clone();
                        Callback::from(move |_| engine.apply(Action::KillBroker { broker: id }, BROKERS))
                    };
                    let on_restart = {
                        let engine = engine.clone();
                        Callback::from(move |_| engine.apply(Action::RestartBroker { broker: id }, BROKERS))
                    };
                    let on_delay = {
                        let engine = engine.clone();
                        Callback::from(move |e: Event| {
                            let s: web_sys::HtmlSelectElement = e.target_unchecked_into();
                            let delay_ms = s.value().parse().unwrap_or(0);
                            engine.apply(Action::SlowBroker { broker: id, delay_ms }, BROKERS);
                        })
                    };
                    html! {
                        <li key={id} class={classes!("broker", (!b.alive).then_some("dead"), (b.slow_ms > 0).then_some("slow"))}
                            aria-label={format!("Broker {id}")} data-point={format!("broker:{id}")}>
                            <div class="broker-head">
                                <span class="broker-id">{ format!("Broker {id}") }</span>
                                <span class={classes!("badge", class)} aria-label={format!("Broker {id} is {text}")}>{ text }</span>
                            </div>
                            <span class="muted small">{ format!("leads {} · replicas {}", b.leader_of, b.replica_of) }</span>
                            if let Some(l) = view.snapshot.broker_loads.iter().find(|l| l.broker == id).filter(|l| b.alive && l.last_second.requests > 0) {
                                <span class="muted small load" aria-label={format!("Load of broker {id}")}>{ super::costs_panel::load_line(l) }</span>
                            }
                            if let Some(c) = coordinates { <span class="coord small">{ c }</span> }
                            <div class="broker-actions">
                                if b.alive {
                                    <button class="btn subtle small-btn" onclick={on_kill} aria-label={format!("Kill broker {id}")}>{"Kill"}</button>
                                    <label class="inline small">
                                        <span>{"Delay"}</span>
                                        <select aria-label={format!("Network delay of broker {id}")} onchange={on_delay}>
                                            { for DELAYS.iter().map(|(ms, label)| html! {
                                                <option value={ms.to_string()} selected={*ms == b.slow_ms}>{ *label }</option>
                                            }) }
                                            if !DELAYS.iter().any(|(ms, _)| *ms == b.slow_ms) {
                                                <option value={b.slow_ms.to_string()} selected=true>{ format!("+{} ms", b.slow_ms) }</option>
                                            }
                                        </select>
                                    </label>
                                } else {
                                    <button class="btn primary small-btn" onclick={on_restart} aria-label={format!("Restart broker {id}")}>{"Restart"}</button>
                                }
                            </div>
                        </li>
                    }
                }) }
            </ul>
            // Every recent outcome, newest last, so a second kill does not hide the first.
            if !kept.is_empty() {
                <ul class="broker-notices" aria-label="Broker actions">
                    { for kept.iter().map(|n| match &n.result {
                        Ok(m) => html! { <li key={n.id}><p class="notice ok" role="status">{ m.clone() }</p></li> },
                        Err(m) => html! { <li key={n.id}><p class="notice error" role="alert">{ m.clone() }</p></li> },
                    }) }
                </ul>
            }
        </div>
    }
}
