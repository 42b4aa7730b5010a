//! The intro a first visitor sees above the columns: three sentences, one over each column, with
//! arrows between them (producers write to partitions on brokers, groups read them). Dismissed
//! once, it stays away in this browser; the Intro button in the header brings it back.

use yew::prelude::*;

use crate::app::{use_engine, Msg};

#[component]
pub fn Intro() -> Html {
    let engine = use_engine();
    let close = Callback::from(move |_| engine.send(Msg::Intro(false)));
    html! {
        <section class="intro" aria-labelledby="intro-title">
            <h2 id="intro-title" class="sr-only">{"How to read this page"}</h2>
            <p class="intro-step">
                <strong>{"Producers"}</strong>{" write records to a topic."}
                <span class="intro-arrow" aria-hidden="true">{"→"}</span>
            </p>
            <p class="intro-step">
                {"Its "}<strong>{"partitions"}</strong>{" live on "}<strong>{"brokers"}</strong>
                {": each leader appends records at the next offset, followers copy them."}
                <span class="intro-arrow" aria-hidden="true">{"→"}</span>
            </p>
            <p class="intro-step">
                <strong>{"Consumer groups"}</strong>
                {" read each partition with one member and commit how far they got. "}
                <span class="muted">{"Dotted words explain themselves."}</span>
                {" "}<button class="btn small intro-close" type="button" onclick={close}>{"Got it"}</button>
            </p>
        </section>
    }
}
