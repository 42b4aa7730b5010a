//! The middle of the picture: brokers, then every topic with its partitions.

use std::rc::Rc;

use yew::prelude::*;

use super::broker_bar::BrokerBar;
use super::notice::NoticeLine;
use super::processor_panel::{ProcessorForm, ProcessorsSection};
use super::topic_form::TopicForm;
use super::topic_panel::TopicPanel;
use crate::app::{use_engine, use_view};

/// Whether the page is dark: `theme=` on the root when the address (or a host) set one, else the
/// reader's system setting. The strips draw on a canvas, outside CSS's variables.
fn prefers_dark() -> bool {
    let set = gloo::utils::document()
        .document_element()
        .and_then(|r| r.get_attribute("data-theme"));
    match set.as_deref() {
        Some("dark") => true,
        Some("light") => false,
        _ => gloo::utils::window()
            .match_media("(prefers-color-scheme: dark)")
            .ok()
            .flatten()
            .is_some_and(|m| m.matches()),
    }
}

#[component]
pub fn TopicsColumn() -> Html {
    let view = use_view();
    let _engine = use_engine();
    let dark = prefers_dark();
    html! {
        <section class="column topics-column" aria-labelledby="topics-title">
            <div class="column-head">
                <h2 id="topics-title">{"Brokers and topics"}</h2>
                <div class="tools"><TopicForm /><ProcessorForm /></div>
            </div>
            <BrokerBar />
            <NoticeLine source="topic-panel" />
            { for view.snapshot.topics.iter().map(|t| html! {
                <TopicPanel key={t.name.clone()} topic={Rc::new(t.clone())} {dark} />
            }) }
            <ProcessorsSection />
        </section>
    }
}
