//! The keyboard shortcut list (`?`), in a native modal dialog: focus moves in and stays there
//! (the page behind is inert), Escape or Close closes it, and focus goes back where it was.

use web_sys::{HtmlDialogElement, HtmlElement};
use yew::prelude::*;

use crate::app::{use_engine, Msg};
use crate::hooks::focus_trap::keep_tab_inside;

#[component]
pub fn Shortcuts() -> Html {
    let engine = use_engine();
    let dialog = use_node_ref();
    {
        let dialog = dialog.clone();
        use_effect_with((), move |_| {
            // Where focus was (the ? button, or the page), to give it back on close.
            let before = dialog
                .cast::<web_sys::Element>()
                .and_then(|d| crate::app::mount::active_element(&d))
                .and_then(|e| wasm_bindgen::JsCast::dyn_into::<HtmlElement>(e).ok());
            if let Some(d) = dialog.cast::<HtmlDialogElement>() {
                let _ = d.show_modal();
            }
            move || {
                if let Some(e) = before {
                    let _ = e.focus();
                }
            }
        });
    }
    let close = {
        let dialog = dialog.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(d) = dialog.cast::<HtmlDialogElement>() {
                d.close();
            }
        })
    };
    // However it closes (Escape included), the list is gone from the state too.
    let onclose = Callback::from(move |_: Event| engine.send(Msg::ToggleShortcutsOff));
    let onkeydown = {
        let dialog = dialog.clone();
        Callback::from(move |e: KeyboardEvent| {
            if let Some(d) = dialog.get() {
                keep_tab_inside(wasm_bindgen::JsCast::unchecked_ref(&d), &e);
            }
        })
    };
    let rows = [
        ("Space", "Play or pause (on a focused button: presses it)"),
        ("→ or .", "Step to the next event"),
        ("← or ,", "Step back"),
        ("[ and ]", "Previous and next marker on the timeline"),
        ("↑ or +", "Faster"),
        ("↓ or -", "Slower"),
        ("?", "Show or hide this list"),
        ("Esc", "Close this list or a drawer"),
    ];
    html! {
        <dialog class="dialog" ref={dialog} aria-labelledby="shortcuts-title" {onclose} {onkeydown}>
            <h2 id="shortcuts-title">{"Keyboard shortcuts"}</h2>
            <table class="shortcuts">
                <tbody>
                { for rows.iter().map(|(k, d)| html! {
                    <tr><th scope="row"><kbd>{ *k }</kbd></th><td>{ *d }</td></tr>
                }) }
                </tbody>
            </table>
            <button class="btn" type="button" onclick={close} autofocus=true>{"Close"}</button>
        </dialog>
    }
}
