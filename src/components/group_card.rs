//! One consumer group: state, generation, protocol, coordinator, members with their partitions,
//! lag over time, the delivery audit and the rebalance timeline.

use std::rc::Rc;

use brokerlab_engine::view::GroupView;
use yew::prelude::*;

use super::compact::{use_compact, DetailsToggle};
use super::consumer_row::ConsumerRow;
use super::offset_reset::OffsetReset;
use super::rebalance_timeline::RebalanceTimeline;
use super::sparkline::Sparkline;
use super::term::Term;
use crate::app::{colors, format, use_view};

#[derive(Properties, PartialEq)]
pub struct GroupCardProps {
    pub group: Rc<GroupView>,
    pub color_index: usize,
}

pub fn state_class(state: &str) -> &'static str {
    match state {
        "Stable" => "stable",
        // The consumer protocol's (KIP-848) states share the classic ones' colours: a new
        // target being computed, then members moving towards it.
        "PreparingRebalance" | "Assigning" => "preparing",
        "CompletingRebalance" | "Reconciling" => "completing",
        "Empty" => "empty-state",
        _ => "dead",
    }
}

/// "generation 3" for a classic group; "group epoch 5" for a consumer-protocol one, with the
/// target's epoch while it lags behind (the group is Assigning).
fn epoch_text(g: &GroupView) -> String {
    match g.assignment_epoch {
        None => format!("generation {}", g.generation),
        Some(t) if t == g.generation => format!("group epoch {}", g.generation),
        Some(t) => format!("group epoch {} · target epoch {t}", g.generation),
    }
}

#[component]
pub fn GroupCard(props: &GroupCardProps) -> Html {
    let view = use_view();
    let compact = use_compact();
    let g = &props.group;
    let members: Vec<_> = view
        .snapshot
        .consumers
        .iter()
        .filter(|c| c.group.as_deref() == Some(g.group_id.as_str()))
        .cloned()
        .collect();
    let lags: Rc<Vec<(String, u32, Option<i64>)>> = Rc::new(
        g.partitions
            .iter()
            .map(|p| (p.topic.clone(), p.partition, p.lag))
            .collect(),
    );
    let a = &g.audit;
    let color = colors::series_color(props.color_index);
    let leader_client = g
        .leader
        .as_ref()
        .and_then(|l| g.members.iter().find(|m| &m.member_id == l))
        .map(|m| m.client.clone());
    // Lag steps with auto commits: say how often they come (the longest interval of its members).
    let auto_commit_ms = members.iter().filter_map(|c| c.auto_commit_ms).max();
    let unowned = g.partitions.iter().filter(|p| p.owner.is_none()).count();
    let kip848 = g.group_protocol == "consumer";
    // A consumer-protocol member's epoch and reconciliation state, by consumer index.
    let member_state = |index: u32| -> Option<AttrValue> {
        let m = g.members.iter().find(|m| m.consumer == Some(index))?;
        let state = m.member_state.as_deref()?;
        let epoch = m.member_epoch?;
        let revoking = if m.revoking.is_empty() {
            String::new()
        } else {
            format!(", revoking {}", m.revoking.len())
        };
        Some(format!("{state} · epoch {epoch}{revoking}").into())
    };
    html! {
        <section class={classes!("card", "group", compact.then_some("compact"))} aria-label={format!("Group {}", g.group_id)} data-point={format!("group:{}", g.group_id)} style={format!("--group-color:{color}")}>
            <header class="card-head">
                <span class="swatch" style={format!("background:{color}")}></span>
                <h3>{ &g.group_id }</h3>
                if g.coordinator_down {
                    // The state the coordinator last had: nobody can reach it to change it.
                    <span class="badge dead" aria-label={format!("Coordinator unavailable (last state {})", g.state)}>{"Coordinator unavailable"}</span>
                } else {
                    <Term of={g.state.clone()} class="badge-term">
                        <span class={classes!("badge", state_class(&g.state))} aria-label={format!("State {}", g.state)}>{ &g.state }</span>
                    </Term>
                }
                <Term of="generation" class="muted small">{ epoch_text(g) }</Term>
                <DetailsToggle compact={compact.clone()} of={g.group_id.clone()} />
            </header>
            if !*compact {
            <p class="muted small">
                if kip848 {
                    <span title="group.protocol=consumer (KIP-848): members heartbeat with ConsumerGroupHeartbeat; the coordinator computes the assignment and each member moves to it on its own">{"consumer protocol (KIP-848)"}</span>
                    { g.protocol.clone().map(|p| format!(" · {p} assignor on the coordinator")).unwrap_or_default() }
                } else {
                    {"classic protocol · "}
                    { g.protocol.clone().map_or("no assignor yet".to_string(), |p| format!("assignor {p}")) }
                }
                { leader_client.map(|c| format!(" · leader {c}")).unwrap_or_default() }
                { g.coordinator.map(|b| format!(" · coordinator broker {b} (__consumer_offsets-{})", g.coordinator_partition)).unwrap_or_default() }
            </p>
            }
            if let Some((until, delay)) = g.initial_delay {
                <p class="group-note small" role="status">{ format!(
                    "A new group waits group.initial.rebalance.delay.ms ({}) for more members before its first rebalance: until {}.",
                    format::duration(delay), format::time(until)
                ) }</p>
            }
            if !*compact {
                <p class="muted small chips-note">
                    {"Each member's partitions, with their lag. A consumer's "}<Term of="position">{"position"}</Term>
                    {" runs ahead of the group's "}<Term of="committed-offset">{"committed offset"}</Term>{" between commits."}
                </p>
            }
            <ul class="members" aria-label={format!("Members of {}", g.group_id)}>
                { for members.into_iter().map(|c| html! {
                    <ConsumerRow key={c.index} compact={*compact} member_state={member_state(c.index)} consumer={Rc::new(c.clone())} lags={lags.clone()} />
                }) }
                // Members whose consumer is gone (crashed, or removed without LeaveGroup): the
                // coordinator still counts them, and their partitions wait, until the session
                // times out.
                { for g.members.iter().filter(|m| m.consumer.is_none()).map(|m| html! {
                    <li class="member gone" key={m.member_id.clone()} aria-label={format!("Consumer {} (gone)", m.client)}>
                        <div class="member-head">
                            <strong>{ &m.client }</strong>
                            <span class="muted small">{
                                match m.session_expires {
                                    Some(t) => format!("gone: no heartbeats; the coordinator removes it in {} (session.timeout.ms)", format::time(t.saturating_sub(view.snapshot.time))),
                                    None => "gone: no heartbeats".to_string(),
                                }
                            }</span>
                        </div>
                        <div class="chips" role="group" aria-label={format!("Partitions of {}", m.client)}>
                            { for m.assignment.iter().map(|(t, p)| html! { <span class="chip" key={format!("{t}-{p}")}>{ format!("{t}-{p}") }</span> }) }
                        </div>
                    </li>
                }) }
            </ul>
            if unowned > 0 && g.state == "Stable" && !g.members.is_empty() {
                <p class="muted small">{ format!("{unowned} partitions without an owner") }</p>
            }
            <div class="lag-row">
                <div>
                    <span class="label"><Term of="lag">{"Lag"}</Term>{" (high watermark − committed)"}</span>
                    <strong class="lag-total" aria-label={format!("Total lag of {}", g.group_id)}>{ format::count(g.total_lag) }</strong>
                    if let Some(ms) = auto_commit_ms {
                        <span class="label commit-note" title="Committed offsets move only when a consumer commits: lag climbs between commits and drops at each one">
                            { format!("auto commit every {}", format::duration(ms)) }
                        </span>
                    }
                </div>
                <Sparkline values={Rc::new(g.lag_history.clone())} interval_ms={g.lag_interval_ms} color={color.clone()}
                    label={format!("Lag of {} over time", g.group_id)} />
            </div>
            if g.latency.records > 0 {
                <p class="small latency-line" aria-label={format!("End-to-end latency of {}", g.group_id)}>
                    <Term of="end-to-end-latency">{"Produce → poll"}</Term>
                    { format!(" p50 {} · p99 {} · max {} ms", g.latency.p50_ms, g.latency.p99_ms, g.latency.max_ms) }
                </p>
            }
            if !*compact {
            <dl class="audit" aria-label={format!("Delivery audit of {}", g.group_id)}>
                <div>
                    <dt><Term of="audit-acknowledged" /></dt><dd>{ format::count(a.produced) }</dd>
                </div>
                <div>
                    <dt><Term of="audit-consumed" /></dt><dd>{ format::count(a.consumed) }</dd>
                </div>
                <div>
                    <dt><Term of="duplicates" /></dt><dd class={classes!((a.duplicates > 0).then_some("bad"))}>{ format::count(a.duplicates) }</dd>
                </div>
                if a.reread_after_reset > 0 {
                    // Asked for, so not in red: the group was moved back with an offset reset.
                    <div>
                        <dt><Term of="reread-after-reset" /></dt><dd>{ format::count(a.reread_after_reset) }</dd>
                    </div>
                }
                <div>
                    <dt><Term of="lost" /></dt><dd class={classes!((a.lost > 0).then_some("bad"))}>{ format::count(a.lost) }</dd>
                </div>
                <div>
                    <dt><Term of="skipped" /></dt><dd class={classes!((a.gaps > 0).then_some("bad"))}>{ format::count(a.gaps) }</dd>
                </div>
                <div><dt><Term of="out-of-order" /></dt><dd class={classes!((a.order_violations > 0).then_some("bad"))}>{ format::count(a.order_violations) }</dd></div>
                if a.evicted > 0 {
                    <div>
                        <dt><Term of="evicted" /></dt><dd class="warn">{ format::count(a.evicted) }</dd>
                    </div>
                }
                if a.aborted_seen > 0 {
                    <div><dt><Term of="aborted-seen" /></dt><dd class="warn">{ format::count(a.aborted_seen) }</dd></div>
                }
            </dl>
            <RebalanceTimeline group={g.group_id.clone()} rebalances={Rc::new(g.rebalances.clone())}
                epoch_word={if kip848 { "epoch" } else { "gen" }} />
            <OffsetReset group={g.clone()} />
            }
        </section>
    }
}
