//! A group's recent life as coloured spans: Stable, PreparingRebalance, CompletingRebalance,
//! Empty, with the generation of each stable span.

use yew::prelude::*;

use super::group_card::state_class;
use crate::app::decimal::fixed;
use crate::app::use_view;

/// The span of time shown.
const WINDOW_MS: u64 = 60_000;

#[derive(Properties, PartialEq)]
pub struct TimelineProps {
    pub group: AttrValue,
}

#[component]
pub fn RebalanceTimeline(props: &TimelineProps) -> Html {
    let view = use_view();
    let now = view.snapshot.time;
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
        <div class="timeline" role="img"
            aria-label={format!("Rebalance timeline of {}: {} rebalances recorded", props.group, rebalances)}>
            <span class="label">{"Last 60 s"}</span>
            <div class="track">
                { for list.iter().enumerate().filter_map(|(i, p)| {
                    let to = list.get(i + 1).map_or(now, |n| n.from);
                    if to < start { return None; }
                    let from = p.from.max(start);
                    let left = (from - start) as f64 / span * 100.0;
                    let width = ((to - from) as f64 / span * 100.0).max(0.6);
                    let text = if p.state == "Stable" { format!("gen {}", p.generation) } else { String::new() };
                    Some(html! {
                        <span class={classes!("seg", state_class(&p.state))}
                            style={format!("left:{}%;width:{}%", fixed(left, 2), fixed(width, 2))}
                            title={format!("{} from {} s (generation {})", p.state, fixed(p.from as f64 / 1000.0, 1), p.generation)}>
                            { text }
                        </span>
                    })
                }) }
            </div>
        </div>
    }
}
