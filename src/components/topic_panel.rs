//! One topic: its partitions with leader, offsets and strip, and the admin actions on it.

use std::rc::Rc;

use brokerlab_engine::view::TopicView;
use brokerlab_engine::Action;
use yew::prelude::*;

use super::fields::parse_u64;
use super::partition_strip::{Mark, PartitionStrip, CELLS};
use super::replica_badges::ReplicaBadges;
use super::term::Term;
use crate::app::{colors, format, use_engine, use_view};

#[derive(Properties, PartialEq)]
pub struct TopicPanelProps {
    pub topic: Rc<TopicView>,
    pub dark: bool,
}

/// Offsets per strip cell: one record while the topic is slow, buckets (a power of two) once the
/// strip would otherwise scroll by faster than about six seconds.
pub fn per_cell(rate_per_partition: f64) -> u32 {
    let needed = (rate_per_partition * 6.0 / CELLS as f64).ceil().max(1.0) as u32;
    needed.next_power_of_two()
}

#[component]
pub fn TopicPanel(props: &TopicPanelProps) -> Html {
    let view = use_view();
    let engine = use_engine();
    let snap = &view.snapshot;
    let t = &props.topic;
    let grow_to = use_state(|| (t.partitions.len() + 2).to_string());
    let rate: u64 = snap
        .producers
        .iter()
        .filter(|p| p.topic.as_deref() == Some(t.name.as_str()))
        .map(|p| p.rate)
        .sum();
    let per = per_cell(rate as f64 / t.partitions.len().max(1) as f64);
    // Committed offsets of every group reading this topic, one colour per group.
    let groups: Vec<(usize, &brokerlab_engine::view::GroupView)> = snap
        .groups
        .iter()
        .enumerate()
        .filter(|(_, g)| g.topics.contains(&t.name))
        .collect();
    let grow_error = use_state(|| None::<String>);
    let on_grow = {
        let (engine, grow_to, name) = (engine.clone(), grow_to.clone(), t.name.clone());
        let error = grow_error.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let partitions = match parse_u64("Partitions", &grow_to) {
                Ok(n) => n.min(u32::MAX as u64) as u32,
                Err(m) => return error.set(Some(m)),
            };
            error.set(None);
            engine.apply(
                Action::IncreasePartitions {
                    topic: name.clone(),
                    partitions,
                },
                "topic-panel",
            );
        })
    };
    let on_delete = {
        let (engine, name) = (engine.clone(), t.name.clone());
        Callback::from(move |_| {
            engine.apply(Action::DeleteTopic { name: name.clone() }, "topic-panel")
        })
    };
    let total: i64 = t.partitions.iter().map(|p| p.log_end_offset).sum();
    let kept: u64 = t.partitions.iter().map(|p| p.records).sum();
    let partitions_text = match t.partitions.len() {
        1 => "1 partition".to_string(),
        n => format!("{n} partitions"),
    };
    let c = &t.config;
    // After the replication factor and min.insync.replicas, which lead the line with the ISR
    // explained.
    let mut settings = vec![format!("cleanup.policy={}", c.cleanup_policy.as_str())];
    if c.cleanup_policy.deletes() {
        settings.push(if c.retention_ms < 0 {
            "kept forever".into()
        } else {
            format!("retention {}", format::duration(c.retention_ms as u64))
        });
        if c.retention_bytes >= 0 {
            settings.push(format!(
                "retention.bytes {}",
                format::count(c.retention_bytes as u64)
            ));
        }
    }
    if c.unclean_leader_election_enable {
        settings.push("unclean election on".into());
    }
    let brokers = snap.brokers.clone();
    let evicted: u64 = t.partitions.iter().map(|p| p.evicted_records).sum();
    let share = t.partitions.first().map_or(0, |p| p.memory_share_bytes);
    html! {
        <section class="card topic" aria-label={format!("Topic {}", t.name)} data-point={format!("topic:{}", t.name)}>
            <header class="topic-head">
                <h3>{ &t.name }</h3>
                <span class="muted" aria-label={format!("Size of {}", t.name)}>{
                    if kept == total as u64 {
                        format!("{} · {} records", partitions_text, format::count(total as u64))
                    } else {
                        // Retention or the cleaner removed some: offsets stay, records go.
                        format!("{} · {} offsets · {} kept", partitions_text, format::count(total as u64), format::count(kept))
                    }
                }</span>
                <form class="inline-form" onsubmit={on_grow} aria-label={format!("Increase partitions of {}", t.name)}
                    novalidate=true oninput={engine.clear_on_edit("topic-panel", Some(grow_error.clone()))}>
                    <label class="inline">
                        <span>{"Partitions"}</span>
                        <input type="number" min="1" max="256" value={(*grow_to).clone()} class="narrow"
                            aria-label={format!("New partition count for {}", t.name)}
                            oninput={{ let g = grow_to.clone(); Callback::from(move |e: InputEvent| {
                                let i: web_sys::HtmlInputElement = e.target_unchecked_into(); g.set(i.value()); }) }} />
                    </label>
                    <button class="btn" type="submit">{"Increase"}</button>
                    if let Some(m) = &*grow_error {
                        <span class="field-error" role="alert">{ m.clone() }</span>
                    }
                </form>
                <button class="btn subtle" onclick={on_delete} aria-label={format!("Delete topic {}", t.name)}>{"Delete"}</button>
            </header>
            <p class="muted small topic-settings">
                { format!("replication factor {} · ", c.replication_factor) }
                <Term of="isr">{ format!("min.insync.replicas {}", c.min_insync_replicas) }</Term>
                { format!(" · {}", settings.join(" · ")) }
            </p>
            // On a phone the table scrolls sideways inside its card, never the page; the scroller
            // takes focus so that a keyboard can scroll it too.
            <div class="table-scroll" tabindex="0" role="region" aria-label={format!("Partition table of {}", t.name)}>
            <table class="partitions" aria-label={format!("Partitions of {}", t.name)}>
                <thead><tr>
                    <th scope="col">{"Partition"}</th>
                    <th scope="col" class="strip-col">{ if per == 1 { "Newest records, one cell per record".to_string() } else { format!("Newest records, one cell per {per}") } }</th>
                    <th scope="col"><Term of="replicas">{"Replicas"}</Term></th>
                    <th scope="col"><Term of="log-start-offset">{"Start"}</Term></th>
                    <th scope="col"><Term of="high-watermark">{"HW"}</Term></th>
                    <th scope="col"><Term of="log-end-offset">{"LEO"}</Term></th>
                    if !groups.is_empty() { <th scope="col" class="owners-col">{"Owner"}</th> }
                </tr></thead>
                <tbody>
                { for t.partitions.iter().map(|p| {
                    let marks: Vec<Mark> = groups.iter().filter_map(|(gi, g)| {
                        g.partitions.iter()
                            .find(|gp| gp.topic == t.name && gp.partition == p.partition)
                            .and_then(|gp| gp.committed)
                            .map(|offset| Mark { offset, color: colors::series_color(*gi), label: format!("{} committed", g.group_id) })
                    }).collect();
                    html! {
                        <tr key={p.partition} data-point={format!("partition:{}-{}", t.name, p.partition)}>
                            <th scope="row">
                                { format!("P{}", p.partition) }
                                <span class="leader-slot">
                                    // Keyed by the leader epoch: a new leader mounts afresh and flashes.
                                    { html! {
                                        <span key={p.leader_epoch}
                                            class={classes!("leader", (p.leader_epoch > 0).then_some("moved"), p.leader.is_none().then_some("offline"))}
                                            title={format!("Leader (epoch {})", p.leader_epoch)}
                                            aria-label={p.leader.map_or(format!("Partition {} is offline", p.partition), |b| format!("Leader of partition {} is broker {b}", p.partition))}>
                                            { p.leader.map_or(" · offline".to_string(), |b| format!(" · B{b}")) }
                                        </span>
                                    } }
                                </span>
                            </th>
                            <td class="strip-col">
                                <PartitionStrip topic={t.name.clone()} partition={p.partition} per_cell={per} {marks} dark={props.dark} />
                            </td>
                            <td><ReplicaBadges partition={p.clone()} brokers={brokers.clone()} /></td>
                            if p.evicted_records > 0 {
                                <td class="num evicted"
                                    aria-label={format!("Log start offset {}: the playground's memory bound removed {} records below {}", p.log_start_offset, format::count(p.evicted_records), p.evicted_up_to)}>
                                    { format::signed(p.log_start_offset) }<sup aria-hidden="true">{"*"}</sup>
                                </td>
                            } else {
                                <td class="num">{ format::signed(p.log_start_offset) }</td>
                            }
                            <td class="num">{ format::signed(p.high_watermark) }</td>
                            <td class="num">{ format::signed(p.log_end_offset) }</td>
                            if !groups.is_empty() {
                                <td class="owners-col">
                                    { for groups.iter().map(|(gi, g)| {
                                        let owner = g.partitions.iter()
                                            .find(|gp| gp.topic == t.name && gp.partition == p.partition)
                                            .and_then(|gp| gp.owner.clone());
                                        let full = owner.unwrap_or_else(|| "none".into());
                                        // Several groups side by side: their colour already names
                                        // the group, so `billing-1` shows as `1` (full name on hover).
                                        let shown = if groups.len() > 1 {
                                            full.strip_prefix(g.group_id.as_str())
                                                .and_then(|rest| rest.strip_prefix('-'))
                                                .filter(|rest| !rest.is_empty())
                                                .unwrap_or(&full)
                                                .to_string()
                                        } else {
                                            full.clone()
                                        };
                                        html! {
                                            <span class="owner" style={format!("--group-color:{}", colors::series_color(*gi))}
                                                title={format!("{full}: owner in group {}", g.group_id)}>
                                                { shown }
                                            </span>
                                        }
                                    }) }
                                </td>
                            }
                        </tr>
                    }
                }) }
                </tbody>
            </table>
            </div>
            if evicted > 0 {
                <p class="muted small memory-note" role="note">
                    { format!("* The playground's memory bound (sim.log.memory.bytes, not Kafka's retention) removed {} of this topic's oldest records: each partition replica keeps about {} of records in your browser.",
                        format::count(evicted), format::bytes(share)) }
                </p>
            }
            if !groups.is_empty() {
                <p class="legend">
                    { for groups.iter().map(|(gi, g)| html! {
                        <span class="legend-item">
                            <span class="swatch" style={format!("background:{}", colors::series_color(*gi))}></span>
                            { format!("{} ", g.group_id) }<Term of="committed-offset">{"committed offset"}</Term>
                        </span>
                    }) }
                    if t.partitions.iter().any(|p| p.last_stable_offset < p.high_watermark) {
                        <span class="legend-item"><span class="lso-swatch" aria-hidden="true"></span>
                            <Term of="last-stable-offset">{"last stable offset"}</Term></span>
                    }
                    <span class="legend-item muted">{"cells coloured by key; grey = null key"}</span>
                </p>
                <p class="legend-note muted small">
                    {"P0 · B3: broker 3 leads partition 0; it flashes when a new "}
                    <Term of="leader-epoch">{"leader epoch"}</Term>{" begins."}
                </p>
            }
        </section>
    }
}
