//! The outcome of the last action, shown next to the form it came from: errors as alerts,
//! confirmations as status.

use yew::prelude::*;

use crate::app::use_view;

#[derive(Properties, PartialEq)]
pub struct NoticeProps {
    pub source: &'static str,
}

#[component]
pub fn NoticeLine(props: &NoticeProps) -> Html {
    let view = use_view();
    match &view.notice {
        Some(n) if n.source == props.source => match &n.result {
            Ok(msg) => html! { <p class="notice ok" role="status" key={n.id}>{ msg.clone() }</p> },
            Err(msg) => {
                html! { <p class="notice error" role="alert" key={n.id}>{ msg.clone() }</p> }
            }
        },
        _ => html! {},
    }
}
