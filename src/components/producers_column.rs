//! The left of the picture: producers; in its head, the drawers to add one, send a single
//! record or break the network.

use std::rc::Rc;

use yew::prelude::*;

use super::faults_panel::FaultsPanel;
use super::lab_panel::LabPanel;
use super::notice::NoticeLine;
use super::produce_record::ProduceRecord;
use super::producer_card::ProducerCard;
use super::producer_form::ProducerForm;
use crate::app::use_view;

#[component]
pub fn ProducersColumn() -> Html {
    let view = use_view();
    let batch_scale = view
        .snapshot
        .producers
        .iter()
        .flat_map(|p| p.stats.recent_batch_records.iter().copied())
        .max()
        .unwrap_or(1);
    html! {
        <section class="column producers-column" aria-labelledby="producers-title" data-point="producers">
            <div class="column-head">
                <h2 id="producers-title">{"Producers"}</h2>
                <div class="tools"><ProducerForm /><ProduceRecord /><FaultsPanel /><LabPanel /></div>
            </div>
            <NoticeLine source="producer-card" />
            if view.snapshot.producers.is_empty() {
                <p class="empty">{"No producers yet: Add producer starts one."}</p>
            }
            // A fragment of their own, so a new card does not rebuild the column head (and close
            // its open drawer): Yew matches unkeyed siblings from the end.
            <>{ for view.snapshot.producers.iter().map(|p| html! {
                <ProducerCard key={p.index} producer={Rc::new(p.clone())} {batch_scale} />
            }) }</>
        </section>
    }
}
