//! The top bar: name, virtual clock, play/pause, speed and seed.

use yew::prelude::*;

use crate::app::{Msg, PlaygroundContext};

/// `12.3 s` style clock text.
pub fn format_time(ms: u64) -> String {
    format!("{}.{} s", ms / 1000, (ms % 1000) / 100)
}

#[component]
pub fn Header() -> Html {
    let state = use_context::<PlaygroundContext>().expect("playground context");
    let toggle = {
        let state = state.clone();
        Callback::from(move |_| state.dispatch(Msg::TogglePlay))
    };
    let snap = &state.snapshot;
    html! {
        <header class="header">
            <h1 class="brand">{"brokerlab"}</h1>
            <span class="clock" aria-label="Simulated time">{ format_time(snap.time) }</span>
            <button class="btn" onclick={toggle} aria-pressed={state.playing.to_string()}>
                { if state.playing { "Pause" } else { "Play" } }
            </button>
            <span class="seed">{ format!("seed {}", snap.seed) }</span>
        </header>
    }
}
