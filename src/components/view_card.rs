//! A materialized view: the serving table a dashboard reads, fed by a sink group from an
//! application's output topic. Shows the top keys of the newest window, the latency from an event
//! to its effect on the view, the sink's lag, and a search box that looks a key up in the view
//! and asks the Kafka Streams store behind it (an interactive query).

use std::rc::Rc;

use brokerlab_engine::view::{KeyQueryView, MaterializedViewView};
use yew::prelude::*;

use super::term::Term;
use crate::app::{format, PlaygroundContext};

#[derive(Properties, PartialEq)]
pub struct ViewCardProps {
    pub view: Rc<MaterializedViewView>,
}

#[component]
pub fn ViewCard(props: &ViewCardProps) -> Html {
    let state = use_context::<PlaygroundContext>().expect("playground context");
    let v = &props.view;
    let typed = use_state(String::new);
    let asked = use_state(|| None::<String>);
    let input_id = format!("view-query-{}", v.name);
    let oninput = {
        let typed = typed.clone();
        Callback::from(move |e: InputEvent| {
            let el: web_sys::HtmlInputElement = e.target_unchecked_into();
            typed.set(el.value());
        })
    };
    let onsubmit = {
        let (typed, asked) = (typed.clone(), asked.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let key = typed.trim().to_string();
            asked.set((!key.is_empty()).then_some(key));
        })
    };
    // Asked again at every render, so the answer follows the running simulation.
    let answer: Option<KeyQueryView> = asked
        .as_ref()
        .and_then(|key| state.timeline.borrow().sim().query_view(&v.name, key));
    let measure = if v.measure == "count" {
        "Count"
    } else {
        "Revenue"
    };
    let (key_label, top_label, example) = match v.key_name.as_str() {
        "page" => ("Page", "Top pages", "/home"),
        "type" => ("Event type", "Top event types", "click"),
        _ => ("User id", "Top users", "user-7"),
    };
    html! {
        <section class="card view-card" aria-label={format!("Materialized view {}", v.name)} data-point={format!("view:{}", v.name)}>
            <header class="card-head">
                <h3>{ &v.name }</h3>
                <Term of="materialized-view" class="badge-term"><span class="badge ok">{"materialized view"}</span></Term>
                <span class="muted small">{ format!("sink group {} reads {} (read_committed) · {}", v.group, v.topic, v.measure) }</span>
            </header>
            <dl class="audit" aria-label={format!("What {} holds", v.name)}>
                <div><dt>{"Rows"}</dt><dd>{ format::count(v.rows) }</dd></div>
                <div><dt>{"Keys"}</dt><dd>{ format::count(v.keys) }</dd></div>
                <div><dt>{"Sink lag"}</dt><dd class={classes!((v.lag > 0).then_some("warn"))}>{ format::count(v.lag.max(0) as u64) }</dd></div>
                <div class="wide"><dt>{"Event → view (p50 · p99)"}</dt><dd>{ format::latency(&v.latency) }</dd></div>
            </dl>
            if v.top.is_empty() {
                <p class="muted small">{"No results yet: the application writes them at its next commit."}</p>
            } else {
                <table class="tasks top-keys">
                    <caption>{ format!("{top_label} in {}", v.window.clone().unwrap_or_default()) }</caption>
                    <thead><tr><th scope="col">{"#"}</th><th scope="col">{ key_label }</th><th scope="col">{ measure }</th><th scope="col">{"Event → view"}</th></tr></thead>
                    <tbody>
                        { for v.top.iter().enumerate().map(|(i, r)| html! {
                            <tr key={r.key.clone()}>
                                <td>{ i + 1 }</td>
                                <th scope="row">{ &r.key }</th>
                                <td>{ format::count(r.value.max(0) as u64) }</td>
                                <td>{ format!("{} ms", r.latency_ms) }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
            <form class="view-query" onsubmit={onsubmit} role="search" aria-label={format!("Query {} by {}", v.name, key_label.to_lowercase())}>
                <label for={input_id.clone()}>{ key_label }</label>
                <input id={input_id} type="text" placeholder={example} value={(*typed).clone()} oninput={oninput} autocomplete="off" spellcheck="false" />
                <button class="btn small" type="submit">{"Query"}</button>
            </form>
            if let Some(a) = answer {
                <div class="query-answer" aria-live="polite" aria-label={format!("Answer for {}", a.key)}>
                    if a.rows.is_empty() {
                        <p class="small">{ format!("{} has no row in {} (no result for it yet).", a.key, v.name) }</p>
                    } else {
                        <p class="small">{ format!("{} in {}: ", a.key, v.name) }
                            { a.rows.iter().take(4).map(|r| format!("{} = {}", r.window, r.value)).collect::<Vec<_>>().join(" · ") }</p>
                    }
                    { for a.stores.iter().map(|s| html! {
                        <p class="small muted">
                            <Term of="interactive-query">{"Interactive query"}</Term>
                            { format!(": {} hashes to partition {}, so task {} holds it{} (store {}). ",
                                a.key, &s.task[2..], s.task,
                                s.instance.as_ref().map_or_else(|| ", not assigned right now".to_string(), |i| format!(" on {i}")),
                                s.store) }
                            { if s.restoring { "It is restoring from the changelog.".to_string() }
                              else if s.windows.is_empty() { "The store has no window for it.".to_string() }
                              else { format!("The store says {}.", s.windows.iter().take(3).map(|(w, x)| format!("{w} = {x}")).collect::<Vec<_>>().join(", ")) } }
                        </p>
                    }) }
                </div>
            }
        </section>
    }
}
