//! The wasm module's entry points. `main` mounts nothing: the page calls `startPage`
//! (index.html), and the `<broker-lab>` loader (www/broker-lab.js) `mountFigure` per element.

use wasm_bindgen::prelude::*;
use web_sys::Element;

fn main() {}

/// The page: the full page, or a figure in a frame.
#[wasm_bindgen(js_name = startPage)]
pub fn start_page() {
    brokerlab::mount();
}

/// One `<broker-lab>` element's simulation, until its element leaves the page.
#[wasm_bindgen]
pub struct Figure {
    handle: Option<yew::AppHandle<brokerlab::app::App>>,
}

#[wasm_bindgen]
impl Figure {
    /// Stops the simulation and removes what it rendered (its frame loop and listeners with it).
    pub fn destroy(&mut self) {
        if let Some(handle) = self.handle.take() {
            handle.destroy();
        }
    }
}

/// Mounts a figure in `root`, inside `host`'s shadow root (see `brokerlab::mount_in`).
#[wasm_bindgen(js_name = mountFigure)]
pub fn mount_figure(
    host: Element,
    root: Element,
    query: String,
    state: String,
    page_url: String,
) -> Figure {
    Figure {
        handle: Some(brokerlab::mount_in(host, root, &query, &state, &page_url)),
    }
}
