//! A Kafka word explained where it appears: the word is a button that opens its explanation
//! (from the engine's `view::glossary`, the one list the CLI prints too) in a popover. Click,
//! tap, Enter or Space open it; Escape or a click elsewhere closes it (the native `popover`
//! attribute does both). A `title` only shows on hover with a mouse: no keyboard, no touch.
//!
//! The explanation is put in the page only while it is open: dozens of closed ones would be
//! hidden text that find-in-page, and anything else reading the page's text, trips over.

use std::sync::atomic::{AtomicU32, Ordering};

use brokerlab_engine::view::glossary::{self, Entry};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TermProps {
    /// The glossary key (`high-watermark`), or a group state as the coordinator names it.
    pub of: AttrValue,
    /// What the page shows in place of the word ("HW"); the term itself if absent.
    #[prop_or_default]
    pub children: Html,
    #[prop_or_default]
    pub class: Classes,
}

/// A page-wide running number, so that every popover has its own id.
fn next_id() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!("term-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

fn lookup(of: &str) -> Option<&'static Entry> {
    glossary::entry(of).or_else(|| glossary::group_state(of))
}

#[component]
pub fn Term(props: &TermProps) -> Html {
    let id = use_state(next_id);
    let open = use_state(|| false);
    let ontoggle = {
        let open = open.clone();
        Callback::from(move |e: Event| {
            let shown = e
                .target_dyn_into::<web_sys::Element>()
                .and_then(|el| el.matches(":popover-open").ok())
                .unwrap_or(false);
            open.set(shown);
        })
    };
    let Some(entry) = lookup(&props.of) else {
        // Not in the glossary: the word alone (a test keeps every key the page uses listed).
        return props.children.clone();
    };
    let shown = if props.children == Html::default() {
        html! { { entry.term } }
    } else {
        props.children.clone()
    };
    html! {
        <>
            <button type="button" class={classes!("term", props.class.clone())} popovertarget={(*id).clone()}
                aria-description={format!("Explain {}", entry.term)}>
                { shown }
            </button>
            <span id={(*id).clone()} popover="auto" class="term-pop" role="note" {ontoggle}>
                if *open { <strong>{ entry.term }</strong>{" "}{ entry.meaning } }
            </span>
        </>
    }
}
