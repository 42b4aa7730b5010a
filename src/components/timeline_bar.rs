//! The session's timeline under the header: an ARIA slider from 0 to the furthest time reached,
//! with markers where something happened (rebalances, elections, kills and restarts,
//! transactions, fault rules, offset resets), step back and marker buttons, the notice of a
//! fork with its Undo, and the progress of a long seek with its Stop.
//!
//! Keys on the slider: arrows step back and forward by instants, PageUp/PageDown jump a tenth of
//! the session, Home/End go to its ends. The page-wide keys (`←`, `→`, `[`, `]`) are in
//! `hooks/use_keyboard.rs`.

use brokerlab_engine::{Marker, MarkerKind};
use web_sys::{HtmlElement, KeyboardEvent, PointerEvent};
use yew::prelude::*;

use super::notice::NoticeLine;
use crate::app::decimal::fixed;
use crate::app::{format, Msg, PlaygroundContext};

fn kind_class(kind: &MarkerKind) -> &'static str {
    match kind {
        MarkerKind::Rebalance => "m-rebalance",
        MarkerKind::LeaderElection => "m-election",
        MarkerKind::BrokerKilled | MarkerKind::BrokerRestarted => "m-broker",
        MarkerKind::TransactionCommitted | MarkerKind::TransactionAborted => "m-txn",
        MarkerKind::FaultRules => "m-fault",
        MarkerKind::OffsetReset => "m-reset",
    }
}

/// The marker colours, in the key beside the bar.
const LEGEND: [(&str, &str); 6] = [
    ("m-rebalance", "Rebalance (a new generation)"),
    ("m-election", "Leader election"),
    ("m-broker", "Broker killed or restarted"),
    ("m-txn", "Transaction committed or aborted"),
    ("m-fault", "Network fault rules changed"),
    ("m-reset", "Offsets reset"),
];

/// What the slider says about a time: the time, the span, and the latest thing that happened at
/// or before it.
pub fn value_text(now: u64, end: u64, markers: &[Marker]) -> String {
    let last = markers.iter().rev().find(|m| m.time <= now);
    let mut text = format!("{} of {}", format::time(now), format::time(end));
    if let Some(m) = last {
        text.push_str(&format!("; last: {} at {}", m.text, format::time(m.time)));
    }
    text
}

#[component]
pub fn TimelineBar() -> Html {
    let state = use_context::<PlaygroundContext>().expect("playground context");
    let track = use_node_ref();
    // Read in place every frame: the markers are not copied out of the timeline.
    let timeline = state.timeline.borrow();
    let (now, end, markers) = (timeline.now(), timeline.end(), timeline.markers());
    let span = end.max(1);
    let pct = |ms: u64| ms as f64 * 100.0 / span as f64;
    let send = |msg: fn() -> Msg| {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(msg()))
    };
    let onkeydown = {
        let state = state.clone();
        Callback::from(move |e: KeyboardEvent| {
            let jump = (end / 10).max(1);
            let msg = match e.key().as_str() {
                "ArrowLeft" | "ArrowDown" => Msg::StepBack,
                "ArrowRight" | "ArrowUp" => Msg::Step,
                "PageUp" => Msg::Seek((now + jump).min(end)),
                "PageDown" => Msg::Seek(now.saturating_sub(jump)),
                "Home" => Msg::Seek(0),
                "End" => Msg::Seek(end),
                _ => return,
            };
            // The page-wide keys would act a second time.
            e.prevent_default();
            e.stop_propagation();
            state.dispatch(msg);
        })
    };
    let onpointerdown = {
        let state = state.clone();
        let track = track.clone();
        Callback::from(move |e: PointerEvent| {
            let Some(el) = track.cast::<HtmlElement>() else {
                return;
            };
            let rect = el.get_bounding_client_rect();
            let x = (e.client_x() as f64 - rect.left()) / rect.width().max(1.0);
            let _ = el.focus();
            state.dispatch(Msg::Seek((x.clamp(0.0, 1.0) * end as f64).round() as u64));
        })
    };
    let fork = state.fork.map(|(at, dropped, reached)| {
        let undo = send(|| Msg::UndoFork);
        let actions = match dropped {
            0 => String::new(),
            1 => " and 1 later action".into(),
            n => format!(" and {n} later actions"),
        };
        html! {
            <p class="notice fork" role="status">
                { format!("You acted at {} while scrubbed back: the run from there to {}{actions} was dropped, and the session goes on from here. ",
                    format::time(at), format::time(reached)) }
                <button class="btn small" onclick={undo}>{"Undo"}</button>
            </p>
        }
    });
    html! {
        <section class="timeline" aria-label="Timeline" data-point="timeline">
            <div class="timeline-row">
                <button class="btn small" onclick={send(|| Msg::StepBack)} aria-label="Step back"
                    title="Back to the previous instant in which something happened (←)" disabled={now == 0}>{"◀ Back"}</button>
                <button class="btn small" onclick={send(|| Msg::Marker(false))} aria-label="Previous marker"
                    title="Previous marker ([)">{"⟨ Marker"}</button>
                <div class="track" ref={track} role="slider" tabindex="0" aria-label="Session time"
                    aria-valuemin="0" aria-valuemax={end.to_string()} aria-valuenow={now.to_string()}
                    aria-valuetext={value_text(now, end, markers)} {onkeydown} {onpointerdown}>
                    <div class="fill" style={format!("width:{}%", fixed(pct(now), 3))}></div>
                    { for markers.iter().map(|m| html! {
                        <span class={classes!("marker", kind_class(&m.kind))} style={format!("left:{}%", fixed(pct(m.time), 3))}
                            title={format!("{}: {}", format::time(m.time), m.text)} aria-hidden="true"></span>
                    }) }
                    <div class="thumb" style={format!("left:{}%", fixed(pct(now), 3))} aria-hidden="true"></div>
                </div>
                <button class="btn small" onclick={send(|| Msg::Marker(true))} aria-label="Next marker"
                    title="Next marker (])">{"Marker ⟩"}</button>
                <span class="timeline-span" aria-hidden="true">{ format!("{} / {}", format::time(now), format::time(end)) }</span>
                <details class="marker-legend">
                    <summary aria-label="Key to the marker colours">{"Key"}</summary>
                    <ul class="legend-list">
                        { for LEGEND.iter().map(|(class, what)| html! {
                            <li><span class={classes!("swatch-mark", *class)} aria-hidden="true"></span>{ *what }</li>
                        }) }
                    </ul>
                </details>
            </div>
            { for fork }
            if let Some(s) = state.seeking {
                <p class="notice seek" role="status">
                    { format!("Replaying to {}: {}% ", format::time(s.to), (s.progress(now) * 100.0).floor()) }
                    <progress max="100" value={fixed(s.progress(now) * 100.0, 0)} aria-hidden="true"></progress>
                    {" "}<button class="btn small" onclick={send(|| Msg::StopSeek)}>{"Stop here"}</button>
                </p>
            }
            <NoticeLine source="timeline" />
        </section>
    }
}
