//! The session's tools in the header: the scenario menu, import and export of session files,
//! Share (a link to this moment, or a download when the link would be too long) and "About this
//! run" with the trace hash a headless run of the link prints.

use std::rc::Rc;

use brokerlab_engine::{Session, Timeline};
use web_sys::{HtmlInputElement, KeyboardEvent};
use yew::prelude::*;

use crate::app::demo::{builtin, BUILTIN};
use crate::app::lesson::LessonMsg;
use crate::app::scenarios::{LESSON_FILES, SCENARIO_FILES};
use crate::app::state::scenario_named;
use crate::app::{files, format, Msg, PlaygroundContext};

#[derive(Clone, PartialEq)]
enum Open {
    None,
    Lessons,
    Scenarios,
    /// The moment as it was when Share was pressed: what the panel offers does not move on
    /// while the clock runs (nor is it rebuilt every frame).
    Share(Rc<Shared>),
    About,
}

#[derive(PartialEq)]
struct Shared {
    time: u64,
    link: String,
    session: Session,
}

/// The page's address with `?scenario=NAME` (the seed and a link's state dropped): reloading
/// opens the same scenario.
fn remember_scenario(name: &str) {
    let window = gloo::utils::window();
    if let Ok(history) = window.history() {
        let url = format!("?scenario={name}");
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// The link to `session`: the page's address with readable view options (`speed`) and the
/// session in the fragment.
fn share_link(session: &Session, speed: f64) -> String {
    let location = gloo::utils::window().location();
    let base = format!(
        "{}{}",
        location.origin().unwrap_or_default(),
        location.pathname().unwrap_or_default()
    );
    let query = if speed == 1.0 {
        String::new()
    } else {
        format!("?speed={}", crate::app::decimal::short(speed, 2))
    };
    format!("{base}{query}#s={}", session.to_fragment())
}

#[component]
pub fn SessionTools() -> Html {
    let state = use_context::<PlaygroundContext>().expect("playground context");
    let open = use_state(|| Open::None);
    // None: not tried; Some(true): copied; Some(false): the browser refused.
    let copied = use_state(|| None::<bool>);
    let toggle = |which: Open| {
        let open = open.clone();
        let copied = copied.clone();
        Callback::from(move |_: MouseEvent| {
            copied.set(None);
            open.set(if *open == which {
                Open::None
            } else {
                which.clone()
            });
        })
    };
    let share = {
        let state = state.clone();
        let open = open.clone();
        let copied = copied.clone();
        Callback::from(move |_: MouseEvent| {
            copied.set(None);
            if matches!(*open, Open::Share(_)) {
                open.set(Open::None);
                return;
            }
            let session = Session::of(&state.timeline.borrow());
            open.set(Open::Share(Rc::new(Shared {
                time: session.time,
                link: share_link(&session, state.speed),
                session,
            })));
        })
    };
    let choose = |name: &'static str| -> Callback<MouseEvent> {
        let state = state.clone();
        let open = open.clone();
        Callback::from(move |_: MouseEvent| {
            open.set(Open::None);
            let seed = state.scenario.seed;
            let opened = scenario_named(name, seed).and_then(Timeline::new);
            match opened {
                Ok(t) => {
                    remember_scenario(name);
                    state.dispatch(Msg::Open {
                        timeline: Box::new(t),
                        origin: name.to_string(),
                        playing: true,
                    });
                }
                Err(e) => state.dispatch(Msg::Say(Err(e))),
            }
        })
    };
    let on_import = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                files::import(file, state.dispatcher());
            }
            input.set_value("");
        })
    };
    let export = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| {
            let t = state.timeline.borrow();
            files::download(
                &files::file_name(&state.origin, t.now()),
                &Session::scenario_file(&t),
            );
        })
    };
    let start_lesson = |file: &'static str| {
        let state = state.clone();
        let open = open.clone();
        Callback::from(move |_: MouseEvent| {
            open.set(Open::None);
            state.dispatch(Msg::Lesson(LessonMsg::Open {
                name: file.to_string(),
                step: 0,
            }));
        })
    };
    let panel = match &*open {
        Open::None => html! {},
        Open::Lessons => html! {
            <div class="popover menu" role="dialog" aria-label="Lessons">
                <h2>{"Lessons"}</h2>
                <ul>
                    { for LESSON_FILES.iter().map(|f| html! {
                        <li><button class="menu-item" onclick={start_lesson(f.file)}>
                            <strong>{ f.title }</strong><span>{ f.summary }</span>
                        </button></li>
                    }) }
                </ul>
            </div>
        },
        Open::Scenarios => html! {
            <div class="popover menu" role="dialog" aria-label="Scenarios">
                <h2>{"Scenarios"}</h2>
                <ul>
                    { for BUILTIN.iter().filter_map(|&file| builtin(file, state.scenario.seed).map(|s| html! {
                        <li><button class="menu-item" onclick={choose(file)}>
                            <strong>{ s.name.unwrap_or_default() }</strong><span>{ s.description.unwrap_or_default() }</span>
                        </button></li>
                    })) }
                    { for SCENARIO_FILES.iter().map(|f| html! {
                        <li><button class="menu-item" onclick={choose(f.file)}>
                            <strong>{ f.name }</strong><span>{ f.description }</span>
                        </button></li>
                    }) }
                </ul>
            </div>
        },
        Open::Share(shared) => {
            let link = shared.link.clone();
            if link.len() <= Session::COPY_LINK_CHARS {
                let copy = {
                    let link = link.clone();
                    let copied = copied.clone();
                    Callback::from(move |_: MouseEvent| {
                        let promise = gloo::utils::window()
                            .navigator()
                            .clipboard()
                            .write_text(&link);
                        let copied = copied.clone();
                        yew::platform::spawn_local(async move {
                            let done = wasm_bindgen_futures::JsFuture::from(promise).await;
                            copied.set(Some(done.is_ok()));
                        });
                    })
                };
                html! {
                    <div class="popover" role="dialog" aria-label="Share this moment">
                        <label class="stack">
                            <span>{ format!("A link to this moment ({}, {} characters): whoever opens it sees this state.", format::time(shared.time), link.len()) }</span>
                            <input readonly=true value={link} aria-label="Share link" onfocus={Callback::from(|e: FocusEvent| {
                                let i: HtmlInputElement = e.target_unchecked_into();
                                i.select();
                            })} />
                        </label>
                        <button class="btn primary" onclick={copy}>{"Copy link"}</button>
                        <span role="status" class="copied">{ match *copied {
                            Some(true) => "Copied.",
                            Some(false) => "The browser did not allow copying: select the link and copy it.",
                            None => "",
                        } }</span>
                    </div>
                }
            } else {
                let download_session = {
                    let shared = shared.clone();
                    let origin = state.origin.clone();
                    Callback::from(move |_: MouseEvent| {
                        let name = files::file_name(&origin, shared.time)
                            .replace(".json", ".session.json");
                        files::download(&name, &shared.session.to_json());
                    })
                };
                html! {
                    <div class="popover" role="dialog" aria-label="Share this moment">
                        <p>{ format!("This session's link would be {} characters, too long to paste (links up to {}). Download it as a file instead: Import opens it.", link.len(), Session::COPY_LINK_CHARS) }</p>
                        <button class="btn primary" onclick={download_session}>{"Download session"}</button>
                    </div>
                }
            }
        }
        Open::About => {
            let t = state.timeline.borrow();
            let snap = &state.snapshot;
            html! {
                <div class="popover" role="dialog" aria-label="About this run">
                    <h2>{"About this run"}</h2>
                    <dl class="about">
                        <dt>{"Trace hash"}</dt><dd><code aria-label="Trace hash">{ snap.trace_hash.clone() }</code></dd>
                        <dt>{"At"}</dt><dd>{ format!("{} ({} ms)", format::time(snap.time), snap.time) }</dd>
                        <dt>{"From"}</dt><dd>{ format!("{}, seed {}", state.origin, snap.seed) }</dd>
                        <dt>{"Actions logged"}</dt><dd>{ t.log().len() }</dd>
                        <dt>{"Checkpoints"}</dt><dd>{ format!("{} kept, about {}", t.checkpoints().len(), format::bytes(t.checkpoints().bytes())) }</dd>
                    </dl>
                    <p class="hint">{"The trace hash fingerprints every event so far: the same seed, scenario and actions give the same hash, here or in "}<code>{"brokerlab-cli run --link 'LINK'"}</code>{"."}</p>
                </div>
            }
        }
    };
    // Escape closes whichever panel is open.
    let onkeydown = {
        let open = open.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" && *open != Open::None {
                open.set(Open::None);
            }
        })
    };
    html! {
        <div class="session-tools" role="group" aria-label="Session" {onkeydown}>
            <button class="btn" onclick={toggle(Open::Lessons)} aria-expanded={(*open == Open::Lessons).to_string()}>{"Lessons"}</button>
            <button class="btn" onclick={toggle(Open::Scenarios)} aria-expanded={(*open == Open::Scenarios).to_string()}>{"Scenarios"}</button>
            <label class="btn file">
                {"Import"}
                <input type="file" accept=".json,application/json" onchange={on_import} aria-label="Import a scenario or session file" />
            </label>
            <button class="btn" onclick={export}>{"Export"}</button>
            <button class="btn" onclick={share} aria-expanded={matches!(*open, Open::Share(_)).to_string()}>{"Share"}</button>
            <button class="btn" onclick={toggle(Open::About)} aria-expanded={(*open == Open::About).to_string()}>{"About this run"}</button>
            { panel }
        </div>
    }
}
