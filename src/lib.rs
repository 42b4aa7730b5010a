//! brokerlab: the in-browser playground over `brokerlab-engine`.
//!
//! `app` holds the state (one reducer over one engine) and the page; `components` render
//! snapshots and send actions; `hooks` keep the effects (animation frames, keyboard, a host
//! page's messages) at the edges; `facade` is the small JavaScript API for scripting a simulation
//! (cargo feature `facade`, off in the page build).
//!
//! The module starts nothing by itself: the page calls `startPage`, and the `<broker-lab>`
//! element's loader (`www/broker-lab.js`) `mountFigure` once per element, so that one download
//! serves every element of a page (src/main.rs exports them: a wasm binary keeps the exports of
//! its own crate only).

pub mod app;
pub mod components;
#[cfg(feature = "facade")]
pub mod facade;
pub mod hooks;

use std::rc::Rc;

use web_sys::Element;

use app::{App, AppProps, Mount};

/// Mounts the playground on `<body>`.
pub fn mount() {
    yew::Renderer::<App>::new().render();
    // The page's "Loading…" placeholder (index.html) has done its job.
    if let Some(loading) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("loading"))
    {
        loading.remove();
    }
}

/// A figure mounted in `root` (inside `host`'s shadow root): `query` is its attributes as an
/// address's query (`scenario=...&view=...`), `state` a session (a share link's `#s=` value, or
/// empty), `page_url` the full page next to the loader.
pub fn mount_in(
    host: Element,
    root: Element,
    query: &str,
    state: &str,
    page_url: &str,
) -> yew::AppHandle<App> {
    let mount = Mount::Element {
        host,
        query: Rc::from(query),
        state: Rc::from(state),
        page_url: Rc::from(page_url),
    };
    yew::Renderer::<App>::with_root_and_props(root, AppProps { mount }).render()
}
