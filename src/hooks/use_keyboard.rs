//! Keyboard shortcuts: Space play/pause, Right arrow (or `.`) step, Left arrow (or `,`) step
//! back, `[`/`]` previous/next marker on the timeline, Up/Down (or `+`/`-`)
//! speed, `?` the shortcut list (Escape closes it, natively). Keys typed into a form field are left alone,
//! and so is Space on a focused button, link or disclosure, which it presses. A page listens on
//! the window; a custom element on itself, so keys act only in the element that has focus.

use gloo::events::{EventListener, EventListenerOptions};
use wasm_bindgen::JsCast;
use web_sys::{EventTarget, HtmlElement, KeyboardEvent};
use yew::prelude::*;

use crate::app::lesson::LessonMsg;
use crate::app::{Msg, Playground};

#[hook]
pub fn use_keyboard(
    dispatch: UseReducerDispatcher<Playground>,
    on: EventTarget,
    present: bool,
    lesson: bool,
) {
    use_effect_with((present, lesson), move |&(present, lesson)| {
        let options = EventListenerOptions::enable_prevent_default();
        let listener = EventListener::new_with_options(&on, "keydown", options, move |e| {
            let Some(e) = e.dyn_ref::<KeyboardEvent>() else {
                return;
            };
            if e.ctrl_key() || e.meta_key() || e.alt_key() {
                return;
            }
            // The element pressed on: inside a shadow root the event's target is the host.
            let target = e.composed_path().get(0).dyn_into::<HtmlElement>().ok();
            let in_field = target.as_ref().is_some_and(|el| {
                matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA")
                    || el.is_content_editable()
            });
            if in_field {
                return;
            }
            // In an open drawer or dialog the keys are the dialog's (Escape closes it natively),
            // and a focused partition strip takes the arrows to inspect its records.
            if target.as_ref().is_some_and(|el| {
                el.closest("dialog[open], [data-own-keys]")
                    .ok()
                    .flatten()
                    .is_some()
            }) {
                return;
            }
            let presses = target.as_ref().is_some_and(|el| {
                matches!(el.tag_name().as_str(), "BUTTON" | "A" | "SUMMARY")
                    || el.get_attribute("role").as_deref() == Some("button")
            });
            if presses && e.key() == " " {
                return;
            }
            let key = e.key();
            // The keys presenter remotes send: PageDown/PageUp (and the arrows) move through the
            // lesson, `.` or `b` (the "blank screen" button) play and pause, Escape leaves.
            let presenter = match key.as_str() {
                _ if !present => None,
                "PageDown" | "ArrowRight" if lesson => Some(Msg::Lesson(LessonMsg::Next)),
                "PageUp" | "ArrowLeft" if lesson => Some(Msg::Lesson(LessonMsg::Back)),
                "." | "b" | "B" => Some(Msg::TogglePlay),
                "Escape" => Some(Msg::Present(false)),
                _ => None,
            };
            if let Some(msg) = presenter {
                e.prevent_default();
                return dispatch.dispatch(msg);
            }
            let msg = match key.as_str() {
                " " => Msg::TogglePlay,
                "ArrowRight" | "." => Msg::Step,
                "ArrowLeft" | "," => Msg::StepBack,
                "[" => Msg::Marker(false),
                "]" => Msg::Marker(true),
                "ArrowUp" | "+" | "=" => Msg::Faster,
                "ArrowDown" | "-" => Msg::Slower,
                "?" => Msg::ToggleShortcuts,
                // Escape is left to the browser: it closes the dialog, drawer or explanation
                // that is open (preventing it would keep a popover open).
                _ => return,
            };
            // Space would also scroll the page.
            e.prevent_default();
            dispatch.dispatch(msg);
        });
        move || drop(listener)
    });
}
