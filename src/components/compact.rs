//! The compact form of group and processor cards. On a short screen (a shared 1280x720, a
//! laptop) cards start compact so that producers, partitions and groups fit on one screen: a
//! group shows its state, members, partitions and lag; the audit, the rebalance history, the
//! offset reset and the member controls wait behind a Details button. Taller screens start with
//! everything shown; either way the button switches.

use yew::prelude::*;

/// Shorter than this (CSS pixels), cards start compact.
const SHORT_SCREEN: &str = "(max-height: 820px)";

fn short_screen() -> bool {
    gloo::utils::window()
        .match_media(SHORT_SCREEN)
        .ok()
        .flatten()
        .is_some_and(|m| m.matches())
}

/// Whether this card is compact, starting from the screen's height.
#[hook]
pub fn use_compact() -> UseStateHandle<bool> {
    use_state(short_screen)
}

#[derive(Properties, PartialEq)]
pub struct DetailsToggleProps {
    pub compact: UseStateHandle<bool>,
    /// What the details belong to, for the button's name ("Details of billing").
    pub of: AttrValue,
}

/// The Details button: expanded when the card shows everything.
#[component]
pub fn DetailsToggle(props: &DetailsToggleProps) -> Html {
    let compact = props.compact.clone();
    let onclick = {
        let compact = compact.clone();
        Callback::from(move |_| compact.set(!*compact))
    };
    html! {
        <button class="btn small subtle details-toggle" type="button" {onclick}
            aria-expanded={(!*compact).to_string()} aria-label={format!("Details of {}", props.of)}>
            {"Details"}<span aria-hidden="true">{ if *compact { " ▸" } else { " ▾" } }</span>
        </button>
    }
}
