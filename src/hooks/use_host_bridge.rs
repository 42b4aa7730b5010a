//! The figure's end of the postMessage API: in a frame (`?embed=1` inside another page), it takes
//! requests from the parent window, answers each one that has an id, and tells the parent
//! `ready`, `resize` (whenever the figure's height changes) and `state-changed` (at most four times
//! a second while the run moves). What the messages mean is read and written by the engine
//! (`brokerlab_engine::read_host_message` and friends); this hook only moves them.
//!
//! Security: a request is taken only from the parent window and, when the address lists
//! `origin=`, only from those origins. Replies go to the requester's origin, events to the listed
//! origins or else the embedding page's (from the referrer); never to `*`. Anything else is
//! ignored with one console warning.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use brokerlab_engine::{
    figure_event, figure_reply, read_host_message, FigureState, HostIncoming, HostOrigins, Session,
};
use gloo::events::EventListener;
use gloo::timers::callback::Interval;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, ResizeObserver, Window};
use yew::prelude::*;

use crate::app::host::{Answer, Reply};
use crate::app::{Mount, Msg, Playground};

/// Real milliseconds between two `state-changed` events at most.
const STATE_EVERY_MS: u32 = 250;

fn parent_frame() -> Option<Window> {
    let window = web_sys::window()?;
    let parent = window.parent().ok().flatten()?;
    (!js_sys::Object::is(&parent, &window)).then_some(parent)
}

fn warn(what: &str) {
    web_sys::console::warn_1(&JsValue::from_str(&format!(
        "brokerlab: ignored a message: {what}"
    )));
}

/// Posts a message (JSON text from the engine) to `parent` at `origin`.
fn post(parent: &Window, text: &str, origin: &str) {
    if let Ok(value) = js_sys::JSON::parse(text) {
        let _ = parent.post_message(&value, origin);
    }
}

/// The origin of the page that embedded this one, from the referrer (or the browser's list of
/// ancestors when the referrer was withheld).
fn embedder_origin() -> Option<String> {
    let document = gloo::utils::document();
    let referrer = document.referrer();
    if let Ok(url) = web_sys::Url::new(&referrer) {
        return Some(url.origin()).filter(|o| o != "null");
    }
    // `location.ancestorOrigins` (Chromium and Safari; not in web-sys's bindings).
    let location = gloo::utils::window().location();
    let ancestors = js_sys::Reflect::get(&location, &"ancestorOrigins".into()).ok()?;
    let first = js_sys::Reflect::get(&ancestors, &0.into()).ok()?;
    first.as_string().filter(|o| o != "null")
}

/// What `get-state`, every reply and `state-changed` report.
fn figure_state(p: &Playground, mount: &Mount) -> FigureState {
    let timeline = p.timeline.borrow();
    FigureState {
        now_ms: timeline.now(),
        playing: p.playing,
        speed: p.speed,
        trace_hash: p.snapshot.trace_hash.clone(),
        url: mount.full_page_url(Some(&Session::of(&timeline).to_fragment())),
    }
}

/// What the bridge keeps alive while the figure is mounted.
type Bridge = (EventListener, Interval, ResizeObserver, Closure<dyn Fn()>);

#[hook]
pub fn use_host_bridge(state: &UseReducerHandle<Playground>, mount: &Mount) {
    let active = !mount.is_element() && state.embed.embed && parent_frame().is_some();
    // The latest state, for the ticker of `state-changed` (the listener dispatches instead).
    let latest = use_mut_ref(|| state.clone());
    *latest.borrow_mut() = state.clone();
    let mount = mount.clone();
    let dispatch = state.dispatcher();
    use_effect_with(active, move |&active| {
        let mut keep: Option<Bridge> = None;
        if let (true, Some(parent)) = (active, parent_frame()) {
            let (origins, _) = HostOrigins::parse(&mount.search());
            let targets: Rc<Vec<String>> = Rc::new(if origins.named {
                origins.listed.clone()
            } else {
                embedder_origin().into_iter().collect()
            });
            let send_event = {
                let parent = parent.clone();
                let targets = targets.clone();
                move |text: &str| {
                    for origin in targets.iter() {
                        post(&parent, text, origin);
                    }
                }
            };
            let version = serde_json::json!({ "version": env!("CARGO_PKG_VERSION") });
            send_event(&figure_event("ready", version));

            let replay = dispatch.clone();
            let listener = {
                let parent = parent.clone();
                let mount = mount.clone();
                EventListener::new(&gloo::utils::window(), "message", move |e| {
                    let Some(e) = e.dyn_ref::<MessageEvent>() else {
                        return;
                    };
                    let from_parent = e.source().is_some_and(|s| js_sys::Object::is(&s, &parent));
                    if !from_parent {
                        return warn("it did not come from the parent window");
                    }
                    let origin = e.origin();
                    if !origins.accepts(&origin) {
                        return warn(&format!("{origin} is not among the origins this figure's address lists (origin=)"));
                    }
                    let Some(text) = js_sys::JSON::stringify(&e.data())
                        .ok()
                        .and_then(|t| t.as_string())
                    else {
                        return warn("it is not plain data");
                    };
                    match read_host_message(&text) {
                        HostIncoming::Foreign(why) => warn(&why),
                        HostIncoming::Request { id, request } => {
                            let reply = {
                                let parent = parent.clone();
                                let mount = mount.clone();
                                let origin = origin.clone();
                                move |answer: Answer| {
                                    let Some(id) = &id else { return };
                                    let outcome = answer.map(|(p, summary)| {
                                        let mut payload = figure_state(&p, &mount).to_json();
                                        if let (Some(s), Some(o)) =
                                            (summary, payload.as_object_mut())
                                        {
                                            o.insert("summary".into(), s.into());
                                        }
                                        payload
                                    });
                                    post(&parent, &figure_reply(id, outcome), &origin);
                                }
                            };
                            match request {
                                Ok(r) => {
                                    dispatch.dispatch(Msg::Host(r, Reply(Callback::from(reply))))
                                }
                                Err(e) => {
                                    warn(&e);
                                    reply(Err(e));
                                }
                            }
                        }
                    }
                })
            };

            // state-changed: when the time, the play state, the speed or the log moved.
            let ticker = {
                let latest = latest.clone();
                let mount = mount.clone();
                let send_event = send_event.clone();
                let last: Cell<Option<(u64, bool, u64, usize)>> = Cell::new(None);
                let last_step: RefCell<Option<(String, usize)>> = RefCell::new(None);
                Interval::new(STATE_EVERY_MS, move || {
                    let p = (**latest.borrow()).clone();
                    // A host waiting on a seek hears back even when the frame is hidden (no
                    // animation frames then): the replay goes on from here too.
                    if p.seeking.is_some() && p.host_waiting.is_some() {
                        replay.dispatch(Msg::Frame { dt_ms: 0.0 });
                    }
                    // lesson-step: when the lesson or its step changes.
                    let step = p
                        .lesson
                        .as_ref()
                        .map(|l| (l.lesson.name.clone(), l.step + 1));
                    if step != *last_step.borrow() {
                        if let Some((lesson, step)) = &step {
                            let payload = serde_json::json!({ "lesson": lesson, "step": step });
                            send_event(&figure_event("lesson-step", payload));
                        }
                        *last_step.borrow_mut() = step;
                    }
                    let key = {
                        let t = p.timeline.borrow();
                        (t.now(), p.playing, p.speed.to_bits(), t.log().len())
                    };
                    if last.replace(Some(key)) == Some(key) {
                        return;
                    }
                    let s = figure_state(&p, &mount);
                    let payload = serde_json::json!({ "now_ms": s.now_ms, "url": s.url });
                    send_event(&figure_event("state-changed", payload));
                })
            };

            // resize: the figure's content height, whenever it changes.
            let height = Rc::new(RefCell::new(0));
            let on_resize = Closure::<dyn Fn()>::new(move || {
                let Some(app) = gloo::utils::document()
                    .query_selector(".app")
                    .ok()
                    .flatten()
                else {
                    return;
                };
                let h = app.get_bounding_client_rect().height().ceil() as i64;
                if h != height.replace(h) {
                    send_event(&figure_event("resize", serde_json::json!({ "height": h })));
                }
            });
            if let Ok(observer) = ResizeObserver::new(on_resize.as_ref().unchecked_ref()) {
                if let Some(app) = gloo::utils::document()
                    .query_selector(".app")
                    .ok()
                    .flatten()
                {
                    observer.observe(&app);
                }
                keep = Some((listener, ticker, observer, on_resize));
            }
        }
        move || {
            if let Some((_, _, observer, _)) = keep {
                observer.disconnect();
            }
        }
    });
}
