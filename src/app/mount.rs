//! Where an app lives: the page itself (the full page, or a figure in an iframe, both reading the
//! window's address), or a `<broker-lab>` element of someone else's page (reading its
//! attributes, inside its shadow root). Everything that reaches past the app's own tree (the
//! address, the theme, the keyboard, focus) asks this first, so that several elements on one
//! page each keep to themselves.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::{Element, EventTarget, ShadowRoot};

/// The parameters that make the page a figure: left out of the full page's address.
const FIGURE_PARAMS: [&str; 7] = [
    "embed", "view", "controls", "theme", "autoplay", "origin", "ctl",
];

#[derive(Clone, PartialEq)]
pub enum Mount {
    /// The page: its address is the window's, its theme `data-theme` on `<html>`.
    Page,
    /// A custom element.
    Element {
        /// The `<broker-lab>` element: the keyboard listens on it, and its `data-theme` (set by
        /// the loader from the `theme` attribute and the host page's signals) is the theme.
        host: Element,
        /// Its attributes, as a page address's query (`scenario=...&view=...`).
        query: Rc<str>,
        /// A session to open (the `state` attribute: what a share link carries after `#s=`).
        state: Rc<str>,
        /// The full page's address (next to the loader), for "Open in brokerlab".
        page_url: Rc<str>,
    },
}

impl Mount {
    /// The query string the options are read from.
    pub fn search(&self) -> String {
        match self {
            Mount::Page => gloo::utils::window()
                .location()
                .search()
                .unwrap_or_default(),
            Mount::Element { query, .. } => format!("?embed=1&{query}"),
        }
    }

    /// The fragment (`#s=...`) a session is read from.
    pub fn hash(&self) -> String {
        match self {
            Mount::Page => gloo::utils::window().location().hash().unwrap_or_default(),
            Mount::Element { state, .. } if state.is_empty() => String::new(),
            Mount::Element { state, .. } => format!("#s={state}"),
        }
    }

    /// The full page's address, without query or fragment.
    pub fn page_url(&self) -> String {
        match self {
            Mount::Page => {
                let location = gloo::utils::window().location();
                format!(
                    "{}{}",
                    location.origin().unwrap_or_default(),
                    location.pathname().unwrap_or_default()
                )
            }
            Mount::Element { page_url, .. } => page_url.to_string(),
        }
    }

    /// The element whose `data-theme` says light or dark.
    pub fn theme_root(&self) -> Option<Element> {
        match self {
            Mount::Page => gloo::utils::document().document_element(),
            Mount::Element { host, .. } => Some(host.clone()),
        }
    }

    /// Where the keyboard shortcuts listen: the window for the page, the element for an element
    /// (keys act only when focus is inside it).
    pub fn key_target(&self) -> EventTarget {
        match self {
            Mount::Page => gloo::utils::window().into(),
            Mount::Element { host, .. } => host.clone().into(),
        }
    }

    /// The full page's address at this figure's scenario (the figure's own parameters left
    /// out; the scenario, seed and speed kept), with `fragment` (a session) if given.
    pub fn full_page_url(&self, fragment: Option<&str>) -> String {
        let search = self.search();
        let kept: Vec<&str> = search
            .trim_start_matches('?')
            .split('&')
            .filter(|kv| {
                !kv.is_empty() && !FIGURE_PARAMS.contains(&kv.split('=').next().unwrap_or(""))
            })
            .collect();
        let query = if kept.is_empty() {
            String::new()
        } else {
            format!("?{}", kept.join("&"))
        };
        let hash = fragment.map_or(String::new(), |f| format!("#s={f}"));
        format!("{}{query}{hash}", self.page_url())
    }

    /// A custom element, not the page.
    pub fn is_element(&self) -> bool {
        matches!(self, Mount::Element { .. })
    }
}

/// Whether the app under `root` is dark: `data-theme` when the address, a host or the loader set
/// one, else the reader's system setting. (The strips draw on a canvas, outside CSS's variables.)
pub fn is_dark(mount: &Mount) -> bool {
    match mount
        .theme_root()
        .and_then(|r| r.get_attribute("data-theme"))
        .as_deref()
    {
        Some("dark") => true,
        Some("light") => false,
        _ => gloo::utils::window()
            .match_media("(prefers-color-scheme: dark)")
            .ok()
            .flatten()
            .is_some_and(|m| m.matches()),
    }
}

/// The focused element in `near`'s tree: inside a shadow root, the document only knows the host.
pub fn active_element(near: &Element) -> Option<Element> {
    match near.get_root_node().dyn_into::<ShadowRoot>() {
        Ok(shadow) => shadow.active_element(),
        Err(_) => gloo::utils::document().active_element(),
    }
}
