//! The left of the picture: producers, and forms to add one or send a single record.

use std::rc::Rc;

use yew::prelude::*;

use super::faults_panel::FaultsPanel;
use super::notice::NoticeLine;
use super::produce_record::ProduceRecord;
use super::producer_card::ProducerCard;
use super::producer_form::ProducerForm;
use crate::app::use_view;

#[component]
pub fn ProducersColumn() -> Html {
    let view = use_view();
    html! {
        <section class="column producers-column" aria-labelledby="producers-title">
            <h2 id="producers-title">{"Producers"}</h2>
            <NoticeLine source="producer-card" />
            if view.snapshot.producers.is_empty() {
                <p class="empty">{"No producers yet. Add one below."}</p>
            }
            { for view.snapshot.producers.iter().map(|p| html! {
                <ProducerCard key={p.index} producer={Rc::new(p.clone())} />
            }) }
            <ProduceRecord />
            <ProducerForm />
            <FaultsPanel />
        </section>
    }
}
