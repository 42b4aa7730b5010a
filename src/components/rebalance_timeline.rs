//! A group's recent life as coloured spans: Stable, PreparingRebalance, CompletingRebalance,
//! Empty (Assigning and Reconciling for the consumer protocol), with the generation or epoch of
//! each stable span; and, measured by the engine, what the last rebalance cost each member: how
//! long it had no partition to read from and how many records it read meanwhile.

use std::rc::Rc;

use brokerlab_engine::view::Rebalance;
use yew::prelude::*;

use super::group_card::state_class;
use crate::app::decimal::fixed;
use crate::app::use_view;

/// The span of time shown.
const WINDOW_MS: u64 = 60_000;

#[derive(Properties, PartialEq)]
pub struct TimelineProps {
    pub group: AttrValue,
    /// The group's rebalances as the engine measured them, oldest first.
    #[prop_or_default]
    pub rebalances: Rc<Vec<Rebalance>>,
    /// What a stable span is labelled with: "gen" (classic) or "epoch" (consumer protocol).
    #[prop_or(AttrValue::Static("gen"))]
    pub epoch_word: AttrValue,
}

#[component]
pub fn RebalanceTimeline(props: &TimelineProps) -> Html {
    let view = use_view();
    let now = view.snapshot.time;
    let last = props.rebalances.last().cloned();
    let Some(phases) = view.history.phases.get(props.group.as_str()) else {
        return html! {};
    };
    let start = now.saturating_sub(WINDOW_MS);
    let span = (now - start).max(1) as f64;
    let list: Vec<_> = phases.iter().collect();
    let rebalances = list
        .iter()
        .filter(|p| p.state == "PreparingRebalance")
        .count();
    html! {
        <div class="rebalance-timeline" role="img"
            aria-label={format!("Rebalance timeline of {}: {} rebalances recorded", props.group, rebalances)}>
            <span class="label">{"Last 60 s"}</span>
            <div class="track">
                { for list.iter().enumerate().filter_map(|(i, p)| {
                    let to = list.get(i + 1).map_or(now, |n| n.from);
                    if to < start { return None; }
                    let from = p.from.max(start);
                    let left = (from - start) as f64 / span * 100.0;
                    let width = ((to - from) as f64 / span * 100.0).max(0.6);
                    let text = if p.state == "Stable" { format!("{} {}", props.epoch_word, p.generation) } else { String::new() };
                    Some(html! {
                        <span class={classes!("seg", state_class(&p.state))}
                            style={format!("left:{}%;width:{}%", fixed(left, 2), fixed(width, 2))}
                            title={format!("{} from {} s ({} {})", p.state, fixed(p.from as f64 / 1000.0, 1), if props.epoch_word == "gen" { "generation" } else { "group epoch" }, p.generation)}>
                            { text }
                        </span>
                    })
                }) }
            </div>
            if let Some(r) = last { { last_rebalance(&props.group, &r, now) } }
        </div>
    }
}

/// Who stopped, for how long, and what each member read while the last rebalance went on.
fn last_rebalance(group: &str, r: &Rebalance, now: u64) -> Html {
    let length = r.end.unwrap_or(now).saturating_sub(r.start);
    let caption = match r.end {
        Some(_) => format!("Last rebalance: {} s", fixed(length as f64 / 1000.0, 1)),
        None => format!(
            "Rebalance going on: {} s so far",
            fixed(length as f64 / 1000.0, 1)
        ),
    };
    html! {
        <table class="rebalance-cost" aria-label={format!("Last rebalance of {group}")}>
            <caption>{ caption }</caption>
            <thead><tr><th scope="col">{"Member"}</th><th scope="col">{"Without partitions"}</th><th scope="col">{"Records read meanwhile"}</th></tr></thead>
            <tbody>
                { for r.members.iter().map(|m| html! {
                    <tr key={m.consumer.clone()}>
                        <th scope="row">{ &m.consumer }</th>
                        <td class={classes!((m.stopped_ms > 0).then_some("warn"))}>{
                            match m.stopped_ms {
                                0 => "never".to_string(),
                                1..=99 => "< 0.1 s".to_string(),
                                ms => format!("{} s", fixed(ms as f64 / 1000.0, 1)),
                            }
                        }</td>
                        <td>{ crate::app::format::count(m.records) }</td>
                    </tr>
                }) }
            </tbody>
        </table>
    }
}
