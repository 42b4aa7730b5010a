//! A form that lives in a drawer: a button in its column's head opens a modal `<dialog>` at the
//! side of the screen, so the three columns stay in view on a shared screen (1280x720) instead of
//! being pushed down by forms nobody is filling in.
//!
//! The native modal dialog gives what a keyboard or screen-reader user needs for free: focus
//! moves in, stays in (the page behind is inert), Escape closes it. The backdrop is faint and
//! the drawer narrow, so the simulation is watched while the form is used; the drawer stays open
//! after a submit (its notice says what happened) until Close, Escape or a click beside it.

use wasm_bindgen::JsCast;
use web_sys::{HtmlDialogElement, HtmlElement};
use yew::prelude::*;

use crate::hooks::focus_trap::keep_tab_inside;

#[derive(Properties, PartialEq)]
pub struct DrawerProps {
    /// The opener's text and the drawer's heading, in the form's own words ("Add consumer").
    pub title: AttrValue,
    /// A short state shown on the opener (the active fault rules), if any.
    #[prop_or_default]
    pub badge: Option<AttrValue>,
    pub children: Html,
}

/// `Add consumer` -> `drawer-add-consumer`: the heading's id, unique per drawer title.
fn id_of(title: &str) -> String {
    let slug: String = title
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!("drawer-{slug}")
}

#[component]
pub fn Drawer(props: &DrawerProps) -> Html {
    let dialog = use_node_ref();
    let opener = use_node_ref();
    let open = {
        let dialog = dialog.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(d) = dialog.cast::<HtmlDialogElement>() {
                let _ = d.show_modal();
            }
        })
    };
    let close = {
        let dialog = dialog.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(d) = dialog.cast::<HtmlDialogElement>() {
                d.close();
            }
        })
    };
    // A click on the dialog element itself is a click on its backdrop: its content fills it.
    let beside = {
        let dialog = dialog.clone();
        Callback::from(move |e: MouseEvent| {
            let on_dialog = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlDialogElement>().ok())
                .is_some();
            if let (true, Some(d)) = (on_dialog, dialog.cast::<HtmlDialogElement>()) {
                d.close();
            }
        })
    };
    // However it closes, focus goes back to the button that opened it.
    let onclose = {
        let opener = opener.clone();
        Callback::from(move |_: Event| {
            if let Some(b) = opener.cast::<HtmlElement>() {
                let _ = b.focus();
            }
        })
    };
    let onkeydown = {
        let dialog = dialog.clone();
        Callback::from(move |e: KeyboardEvent| {
            if let Some(d) = dialog.get() {
                keep_tab_inside(d.unchecked_ref(), &e);
            }
        })
    };
    let id = id_of(&props.title);
    html! {
        <>
            <button class="btn drawer-open" type="button" ref={opener} aria-haspopup="dialog" onclick={open}>
                <span>{ props.title.clone() }</span>
                if let Some(b) = &props.badge { <span class="badge preparing">{ b.clone() }</span> }
            </button>
            <dialog class="drawer" ref={dialog} aria-labelledby={id.clone()} {onclose} {onkeydown} onclick={beside}>
                <div class="drawer-body">
                    <header class="dialog-head">
                        <h2 {id}>{ props.title.clone() }</h2>
                        <button class="btn" type="button" onclick={close}>{"Close"}</button>
                    </header>
                    { props.children.clone() }
                </div>
            </dialog>
        </>
    }
}
