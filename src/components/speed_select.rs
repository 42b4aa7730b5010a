//! The speed menu, in the page's header and a figure's: virtual milliseconds per real one.

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::app::state::SPEEDS;
use crate::app::{decimal, Msg, PlaygroundContext};

#[component]
pub fn SpeedSelect() -> Html {
    let state = use_context::<PlaygroundContext>().expect("playground context");
    let onchange = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            let v: HtmlSelectElement = e.target_unchecked_into();
            if let Some(s) = decimal::parse(&v.value()) {
                state.dispatch(Msg::SetSpeed(s));
            }
        })
    };
    html! {
        <select {onchange} aria-label="Speed">
            { for SPEEDS.iter().map(|&s| html! {
                <option value={decimal::short(s, 2)} selected={s == state.speed}>{ format!("{}x", decimal::short(s, 2)) }</option>
            }) }
        </select>
    }
}
