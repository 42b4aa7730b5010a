//! Kafka Streams applications: the topology as Kafka Streams names it, the store's changelog,
//! the guarantee, and each instance with its tasks (restoring or processing, stream time, store
//! size, records dropped as late), with Crash and Restart buttons.

use std::rc::Rc;

use brokerlab_engine::view::{exactly_once, StreamsAppView};
use brokerlab_engine::Action;
use yew::prelude::*;

use super::notice::NoticeLine;
use super::view_card::ViewCard;
use crate::app::{format, use_engine, use_view};

#[component]
pub fn StreamsPanel() -> Html {
    let view = use_view();
    let apps = &view.snapshot.streams;
    if apps.is_empty() {
        return html! {};
    }
    html! {
        <section class="streams-panel" aria-labelledby="streams-title" data-point="streams">
            <div class="column-head"><h2 id="streams-title">{"Kafka Streams"}</h2></div>
            <NoticeLine source="streams" />
            <div class="queues-grid">
                { for apps.iter().map(|a| html! { <StreamsCard key={a.application_id.clone()} app={Rc::new(a.clone())} /> }) }
            </div>
            if !view.snapshot.views.is_empty() {
                <div class="queues-grid views-grid" aria-label="Materialized views">
                    { for view.snapshot.views.iter().map(|v| html! { <ViewCard key={v.name.clone()} view={Rc::new(v.clone())} /> }) }
                </div>
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct StreamsProps {
    app: Rc<StreamsAppView>,
}

fn state_class(state: &str) -> &'static str {
    match state {
        "CRASHED" | "FAILED" => "dead",
        "COMMITTING" => "completing",
        _ => "stable",
    }
}

#[component]
fn StreamsCard(props: &StreamsProps) -> Html {
    let engine = use_engine();
    let a = &props.app;
    let act = |action: Action| {
        let engine = engine.clone();
        Callback::from(move |_: MouseEvent| engine.apply(action.clone(), "streams"))
    };
    html! {
        <section class="card streams-app" aria-label={format!("Kafka Streams application {}", a.application_id)} data-point={format!("streams_app:{}", a.application_id)}>
            <header class="card-head">
                <h3>{ &a.application_id }</h3>
                <span class={classes!("badge", "kind", exactly_once(a).then_some("quorum"))}>{ &a.guarantee }</span>
                <span class="muted small">{ format!("{} → {} · {} · results {} · commit every {}",
                    a.input, a.output, a.window, a.emit, format::duration(a.commit_interval_ms)) }</span>
            </header>
            <p class="small topology" aria-label={format!("Topology of {}", a.application_id)}>
                { a.nodes.join(" → ") }
            </p>
            <p class="small muted">{ format!("store {} · changelog {}", a.store, a.changelog) }</p>
            if let (Some(topic), Some(store)) = (&a.total_output, &a.total_store) {
                <p class="small muted">{ format!("and a running total per key, no window (nothing is too late for it): store {store} → {topic}") }</p>
            }
            if let (Some(topic), Some(by)) = (&a.repartition, &a.select_key) {
                <p class="small muted">{ format!("selectKey by {by}: re-keyed records go through {topic} (tasks 0_n re-key, tasks 1_n count)") }</p>
            }
            <ul class="members" aria-label={format!("Instances of {}", a.application_id)}>
                { for a.instances.iter().map(|i| {
                    let down = i.state == "CRASHED" || i.state == "FAILED";
                    let button = if down {
                        html! { <button class="btn small" onclick={act(Action::RestartStreamsInstance { instance: i.name.clone() })}
                            aria-label={format!("Restart {}", i.name)}>{"Restart"}</button> }
                    } else {
                        html! { <button class="btn small" onclick={act(Action::CrashStreamsInstance { instance: i.name.clone() })}
                            aria-label={format!("Crash {}", i.name)}>{"Crash"}</button> }
                    };
                    html! {
                        <li class={classes!("member", down.then_some("down"))} key={i.name.clone()} aria-label={format!("Streams instance {}", i.name)}>
                            <div class="member-head">
                                <strong>{ &i.name }</strong>
                                <span class={classes!("badge", state_class(&i.state))}>{ &i.state }</span>
                                <span class="muted small">{ format!("{} processed · {} commits", format::count(i.processed), format::count(i.commits)) }</span>
                                { button }
                            </div>
                            if let Some(f) = &i.failure { <p class="bad small">{ f.clone() }</p> }
                            if !i.tasks.is_empty() {
                                <table class="tasks">
                                    <caption class="sr-only">{ format!("Tasks of {}", i.name) }</caption>
                                    <thead><tr><th scope="col">{"Task"}</th><th scope="col">{"State"}</th><th scope="col">{"Processed"}</th>
                                        <th scope="col">{"Lag"}</th><th scope="col">{"Stream time"}</th><th scope="col">{"Store"}</th><th scope="col">{"Late, dropped"}</th></tr></thead>
                                    <tbody>
                                        { for i.tasks.iter().map(|t| html! {
                                            <tr key={t.task.clone()}>
                                                <th scope="row">{ &t.task }</th>
                                                <td>{ if t.restoring { format!("restoring {} records", format::count(t.restored)) } else { "running".to_string() } }</td>
                                                <td>{ format::count(t.processed) }</td>
                                                <td class={classes!((t.lag.unwrap_or(0) > 1000).then_some("warn"))}>{ t.lag.map_or_else(|| "—".to_string(), |l| format::count(l.max(0) as u64)) }</td>
                                                <td>{ t.stream_time.map_or_else(|| "—".to_string(), format::time) }</td>
                                                <td>{ format::count(t.store_entries) }</td>
                                                <td class={classes!((t.dropped > 0).then_some("warn"))}>{ format::count(t.dropped) }</td>
                                            </tr>
                                        }) }
                                    </tbody>
                                </table>
                            }
                        </li>
                    }
                }) }
            </ul>
            <dl class="audit" aria-label={format!("What {} did", a.application_id)}>
                <div><dt>{"Processed"}</dt><dd>{ format::count(a.processed) }</dd></div>
                <div><dt>{"Results out"}</dt><dd>{ format::count(a.outputs) }</dd></div>
                if a.repartition.is_some() {
                    <div><dt>{"Repartitioned"}</dt><dd>{ format::count(a.repartitioned) }</dd></div>
                }
                <div><dt>{"Dropped (late)"}</dt><dd class={classes!((a.dropped > 0).then_some("warn"))}>{ format::count(a.dropped) }</dd></div>
                <div><dt>{"Dead-lettered"}</dt><dd class={classes!((a.dead_lettered > 0).then_some("warn"))}>{ format::count(a.dead_lettered) }</dd></div>
                <div><dt>{"Restored"}</dt><dd>{ format::count(a.restored) }</dd></div>
            </dl>
        </section>
    }
}
