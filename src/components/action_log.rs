//! The action log: every action the session took, at its virtual time, in Kafka's words (the
//! engine's confirmation). Each jumps there; those after the time on screen are dimmed: playing
//! on applies them again, acting before them drops them (a fork).

use yew::prelude::*;

use crate::app::{format, use_engine, use_view, Msg};

/// Follows the panels' view (four times a second and after every action), not every frame.
#[component]
pub fn ActionLog() -> Html {
    let engine = use_engine();
    let _refresh = use_view();
    let (entries, applied) = {
        let t = engine.timeline.borrow();
        let entries: Vec<(u64, String)> =
            t.log().iter().map(|l| (l.at, l.summary.clone())).collect();
        (entries, t.applied())
    };
    let count = entries.len();
    html! {
        // A landmark of its own, as the protocol log is: everything on the page is in one.
        <section aria-label="Action log">
        <details class="panel action-log">
            <summary>{ format!("Action log ({count})") }</summary>
            if entries.is_empty() {
                <p class="hint">{"Nothing yet: what you do in the forms, buttons and keys is listed here with its time."}</p>
            } else {
                <ol aria-label="Actions taken" tabindex="0">
                    { for entries.into_iter().enumerate().map(|(i, (at, summary))| {
                        let engine = engine.clone();
                        let jump = Callback::from(move |_: MouseEvent| engine.send(Msg::Seek(at)));
                        html! {
                            <li class={classes!((i >= applied).then_some("ahead"))}>
                                <button class="link" onclick={jump} aria-label={format!("Go to {}: {summary}", format::time(at))}>
                                    <time>{ format::time(at) }</time>{" "}{ summary.clone() }
                                </button>
                            </li>
                        }
                    }) }
                </ol>
            }
        </details>
        </section>
    }
}
