//! Whether the app is dark, kept up to date: the strips draw on a canvas, outside CSS's
//! variables, so they must be told when the theme changes: a `theme=` from the address or a
//! host's `set-theme`, a `<broker-lab>` loader following its host page, or the reader's system
//! setting. A paused figure would otherwise keep the old palette until something moved.

use gloo::events::EventListener;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MutationObserver, MutationObserverInit};
use yew::prelude::*;

use crate::app::mount::{is_dark, Mount};

#[hook]
pub fn use_dark(mount: &Mount) -> bool {
    let dark = use_state(|| is_dark(mount));
    {
        let dark = dark.clone();
        let mount = mount.clone();
        use_effect_with((), move |_| {
            let check = {
                let mount = mount.clone();
                let dark = dark.clone();
                move || dark.set(is_dark(&mount))
            };
            let on_change = Closure::<dyn Fn()>::new(check.clone());
            let observer = MutationObserver::new(on_change.as_ref().unchecked_ref()).ok();
            if let (Some(o), Some(root)) = (&observer, mount.theme_root()) {
                let options = MutationObserverInit::new();
                options.set_attribute_filter(&js_sys::Array::of1(&"data-theme".into()));
                let _ = o.observe_with_options(&root, &options);
            }
            let system = gloo::utils::window()
                .match_media("(prefers-color-scheme: dark)")
                .ok()
                .flatten()
                .map(|m| EventListener::new(&m, "change", move |_| check()));
            move || {
                if let Some(o) = observer {
                    o.disconnect();
                }
                drop((on_change, system));
            }
        });
    }
    *dark
}
