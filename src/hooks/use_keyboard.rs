//! Keyboard shortcuts: Space play/pause, Right arrow (or `.`) step, Up/Down (or `+`/`-`)
//! speed, `?` the shortcut list, Escape closes it. Keys typed into a form field are left alone.

use gloo::events::{EventListener, EventListenerOptions};
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, KeyboardEvent};
use yew::prelude::*;

use crate::app::{Msg, Playground};

#[hook]
pub fn use_keyboard(dispatch: UseReducerDispatcher<Playground>) {
    use_effect_with((), move |_| {
        let window = gloo::utils::window();
        let options = EventListenerOptions::enable_prevent_default();
        let listener = EventListener::new_with_options(&window, "keydown", options, move |e| {
            let Some(e) = e.dyn_ref::<KeyboardEvent>() else {
                return;
            };
            if e.ctrl_key() || e.meta_key() || e.alt_key() {
                return;
            }
            let in_field = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlElement>().ok())
                .is_some_and(|el| {
                    matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA")
                        || el.is_content_editable()
                });
            if in_field && e.key() != "Escape" {
                return;
            }
            let msg = match e.key().as_str() {
                " " => Msg::TogglePlay,
                "ArrowRight" | "." => Msg::Step,
                "ArrowUp" | "+" | "=" => Msg::Faster,
                "ArrowDown" | "-" => Msg::Slower,
                "?" => Msg::ToggleShortcuts,
                "Escape" => Msg::ToggleShortcutsOff,
                _ => return,
            };
            // Space on a focused button would also click it: take the key for the shortcut.
            e.prevent_default();
            dispatch.dispatch(msg);
        });
        move || drop(listener)
    });
}
