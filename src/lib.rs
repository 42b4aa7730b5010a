//! brokerlab: the in-browser playground over `brokerlab-engine`.
//!
//! `app` holds the state (one reducer over one engine) and the page; `components` render
//! snapshots and send actions; `hooks` keep the effects (animation frames, keyboard) at the
//! edges; `facade` is the small JavaScript API for embedding (cargo feature `facade`, off in the
//! page build).

pub mod app;
pub mod components;
#[cfg(feature = "facade")]
pub mod facade;
pub mod hooks;

/// Mounts the playground on `<body>`.
pub fn mount() {
    yew::Renderer::<app::App>::new().render();
    // The page's "Loading…" placeholder (index.html) has done its job.
    if let Some(loading) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("loading"))
    {
        loading.remove();
    }
}
