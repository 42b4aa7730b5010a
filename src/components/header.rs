//! The top bar: name, play/pause, step, speed, virtual clock, seed and restart, the session's
//! tools, shortcuts, and the session's timeline under them (it stays in view as the page scrolls).

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::notice::NoticeLine;
use super::session_tools::SessionTools;
use super::speed_select::SpeedSelect;
use super::timeline_bar::TimelineBar;
use crate::app::format;
use crate::app::{Msg, PlaygroundContext};

/// Writes the seed into the page address (`?seed=N`, other parameters kept), so that reloading
/// or sharing the link replays the same run.
fn remember_seed(seed: u64) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let search = window.location().search().unwrap_or_default();
    let mut params: Vec<String> = search
        .trim_start_matches('?')
        .split('&')
        .filter(|kv| !kv.is_empty() && !kv.starts_with("seed="))
        .map(str::to_string)
        .collect();
    params.push(format!("seed={seed}"));
    if let Ok(history) = window.history() {
        let url = format!("?{}", params.join("&"));
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

#[component]
pub fn Header() -> Html {
    let state = use_context::<PlaygroundContext>().expect("playground context");
    let seed_input = use_state(|| state.snapshot.seed.to_string());
    let seed_error = use_state(|| None::<String>);
    // Another session (a lesson, a scenario from the menu, a link) brings its own seed: the field
    // shows it rather than the one the page opened with.
    {
        let (seed_input, seed_error) = (seed_input.clone(), seed_error.clone());
        use_effect_with(state.snapshot.seed, move |seed| {
            seed_input.set(seed.to_string());
            seed_error.set(None);
        });
    }
    let toggle = {
        let state = state.clone();
        Callback::from(move |_| state.dispatch(Msg::TogglePlay))
    };
    let step = {
        let state = state.clone();
        Callback::from(move |_| state.dispatch(Msg::Step))
    };
    let on_seed = {
        let seed_input = seed_input.clone();
        Callback::from(move |e: InputEvent| {
            let v: HtmlInputElement = e.target_unchecked_into();
            seed_input.set(v.value());
        })
    };
    let restart = {
        let state = state.clone();
        let seed_input = seed_input.clone();
        let seed_error = seed_error.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match super::fields::parse_u64("Seed", &seed_input) {
                Ok(seed) if seed <= 9_007_199_254_740_991 => {
                    seed_error.set(None);
                    state.dispatch(Msg::Reset { seed });
                    remember_seed(seed);
                }
                Ok(_) => seed_error.set(Some(
                    "Seed must be at most 9007199254740991 (2^53 - 1).".into(),
                )),
                Err(m) => seed_error.set(Some(m)),
            }
        })
    };
    let shortcuts = {
        let state = state.clone();
        Callback::from(move |_| state.dispatch(Msg::ToggleShortcuts))
    };
    let snap = &state.snapshot;
    html! {
        <header class="header">
            <div class="brand">
                <span class="logo" aria-hidden="true">{"▦"}</span>
                <h1>{"brokerlab"}</h1>
                <span class="tagline">{"Kafka, simulated faithfully in your browser"}</span>
            </div>
            <div class="controls" role="group" aria-label="Time">
                <button class="btn primary play" onclick={toggle}
                    title="Play or pause (Space)">
                    { if state.playing { "Pause" } else { "Play" } }
                </button>
                <button class="btn" onclick={step} aria-label="Step forward" title="On to the next instant in which something happens (→)">
                    {"Step"}
                </button>
                <label class="inline">
                    <span>{"Speed"}</span>
                    <SpeedSelect />
                </label>
                <output class="clock" aria-label="Simulated time" aria-live="off" title="Virtual time since the cluster started">
                    { format::time(snap.time) }
                </output>
                if state.behind {
                    <span class="behind" role="status">{"at capacity: slower than asked"}</span>
                }
            </div>
            <form class="seed" onsubmit={restart} aria-label="Seed" novalidate=true>
                <label class="inline">
                    <span>{"Seed"}</span>
                    <input type="number" min="0" value={(*seed_input).clone()} oninput={on_seed}
                        aria-label="Seed" aria-invalid={seed_error.is_some().to_string()} />
                </label>
                <button class="btn" type="submit">{"Restart"}</button>
                if let Some(err) = &*seed_error {
                    <span class="field-error" role="alert">{ err.clone() }</span>
                }
            </form>
            <SessionTools />
            <button class="btn" onclick={{ let s = state.clone(); Callback::from(move |_| s.dispatch(Msg::Intro(true))) }}
                disabled={state.show_intro} title="The three sentences of how to read this page">{"Intro"}</button>
            <button class="btn" onclick={{ let s = state.clone(); Callback::from(move |_| s.dispatch(Msg::Present(true))) }}
                title="For a shared screen: large type, only what the lesson's step is about (Esc leaves)">{"Present"}</button>
            <button class="btn icon" onclick={shortcuts} aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)">{"?"}</button>
            <NoticeLine source="header" />
            <TimelineBar />
        </header>
    }
}
