//! The engine's events in Kafka's vocabulary, newest first, filterable by family and text.

use brokerlab_engine::view::Category;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::app::log::{category_label, CATEGORIES};
use crate::app::use_view;

const SHOWN: usize = 150;

#[component]
pub fn ProtocolLog() -> Html {
    let view = use_view();
    let enabled = use_state(|| {
        vec![
            Category::Replication,
            Category::Storage,
            Category::Transaction,
            Category::Group,
            Category::Offsets,
            Category::Admin,
            Category::Produce,
            Category::Rabbit,
        ]
    });
    let filter = use_state(String::new);
    let lines = view.history.lines(&enabled, &filter, SHOWN);
    let toggle = |c: Category| {
        let enabled = enabled.clone();
        Callback::from(move |_| {
            let mut next = (*enabled).clone();
            if let Some(i) = next.iter().position(|&x| x == c) {
                next.remove(i);
            } else {
                next.push(c);
            }
            enabled.set(next);
        })
    };
    let on_filter = {
        let filter = filter.clone();
        Callback::from(move |e: InputEvent| {
            let i: HtmlInputElement = e.target_unchecked_into();
            filter.set(i.value());
        })
    };
    html! {
        <section class="card log" aria-labelledby="log-title" data-point="log">
            <header class="log-head">
                <h2 id="log-title">{"Protocol log"}</h2>
                <fieldset class="filters">
                    <legend class="sr-only">{"Show"}</legend>
                    { for CATEGORIES.iter().map(|&c| html! {
                        <label class={classes!("check", "cat", format!("cat-{}", category_label(c).to_ascii_lowercase()))}>
                            <input type="checkbox" checked={enabled.contains(&c)} onchange={toggle(c)} />
                            { category_label(c) }
                        </label>
                    }) }
                </fieldset>
                <input type="search" placeholder="Filter, e.g. JoinGroup" value={(*filter).clone()} oninput={on_filter}
                    aria-label="Filter the protocol log" />
            </header>
            <ol class="log-lines" aria-label="Events, newest first" tabindex="0">
                { for lines.iter().rev().map(|l| html! {
                    <li key={l.seq} class={format!("cat-{}", category_label(l.category).to_ascii_lowercase())}>
                        <time>{ format!("{:>8}", format!("{}.{:03}", l.time / 1000, l.time % 1000)) }</time>
                        <span>{ l.text.to_string() }</span>
                    </li>
                }) }
            </ol>
        </section>
    }
}
