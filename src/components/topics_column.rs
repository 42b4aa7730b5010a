//! The middle of the picture: brokers, then every topic with its partitions.

use std::rc::Rc;

use yew::prelude::*;

use super::broker_bar::BrokerBar;
use super::costs_panel::CostsPanel;
use super::notice::NoticeLine;
use super::processor_panel::{ProcessorForm, ProcessorsSection};
use super::streams_form::StreamsForm;
use super::topic_form::TopicForm;
use super::topic_panel::TopicPanel;
use crate::app::{use_engine, use_view, Mount};
use crate::hooks::use_dark::use_dark;

#[component]
pub fn TopicsColumn() -> Html {
    let view = use_view();
    let _engine = use_engine();
    let mount = use_context::<Mount>().unwrap_or(Mount::Page);
    let dark = use_dark(&mount);
    html! {
        <section class="column topics-column" aria-labelledby="topics-title" data-point="topics">
            <div class="column-head">
                <h2 id="topics-title">{"Brokers and topics"}</h2>
                <div class="tools"><TopicForm /><ProcessorForm /><StreamsForm /><CostsPanel /></div>
            </div>
            <BrokerBar />
            <NoticeLine source="topic-panel" />
            // In a fragment of their own: Yew matches unkeyed siblings from the end, so a topic
            // added among them would rebuild the column head, closing an open drawer.
            <>{ for view.snapshot.topics.iter().map(|t| html! {
                <TopicPanel key={t.name.clone()} topic={Rc::new(t.clone())} {dark} />
            }) }</>
            <ProcessorsSection />
        </section>
    }
}
