//! The keyboard shortcut list (`?`).

use yew::prelude::*;

use crate::app::{use_engine, Msg};

#[component]
pub fn Shortcuts() -> Html {
    let engine = use_engine();
    let close = Callback::from(move |_| engine.send(Msg::ToggleShortcuts));
    let rows = [
        ("Space", "Play or pause (on a focused button: presses it)"),
        ("→ or .", "Step to the next event"),
        ("↑ or +", "Faster"),
        ("↓ or -", "Slower"),
        ("?", "Show or hide this list"),
        ("Esc", "Close this list"),
    ];
    html! {
        <div class="overlay" role="dialog" aria-modal="true" aria-label="Keyboard shortcuts">
            <div class="dialog">
                <h2>{"Keyboard shortcuts"}</h2>
                <table class="shortcuts">
                    <tbody>
                    { for rows.iter().map(|(k, d)| html! {
                        <tr><th scope="row"><kbd>{ *k }</kbd></th><td>{ *d }</td></tr>
                    }) }
                    </tbody>
                </table>
                <button class="btn" onclick={close} autofocus=true>{"Close"}</button>
            </div>
        </div>
    }
}
