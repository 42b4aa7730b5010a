//! "Log vs queue": RabbitMQ and share groups beside the cluster, with the comparison table on
//! top. Shown only when the scenario has a RabbitMQ node or a share group.

use std::rc::Rc;

use yew::prelude::*;

use super::compare_table::CompareTable;
use super::rabbit_cards::RabbitCards;
use super::share_group_card::ShareGroupCard;
use crate::app::use_view;

#[component]
pub fn QueuesPanel() -> Html {
    let view = use_view();
    let s = &view.snapshot;
    if s.rabbit.is_none() && s.share_groups.is_empty() {
        return html! {};
    }
    html! {
        <section class="queues-panel" aria-labelledby="queues-title" data-point="queues">
            <div class="column-head">
                <h2 id="queues-title">{"Log vs queue"}</h2>
            </div>
            if s.rabbit.is_some() { <CompareTable /> }
            <div class="queues-grid">
                if let Some(r) = &s.rabbit {
                    <section class="queues-side" aria-label="RabbitMQ">
                        <h3 class="side-title">{"RabbitMQ"}</h3>
                        <RabbitCards rabbit={Rc::new(r.clone())} />
                    </section>
                }
                if !s.share_groups.is_empty() {
                    <section class="queues-side" aria-label="Share groups">
                        <h3 class="side-title">{"Kafka share groups"}</h3>
                        { for s.share_groups.iter().map(|g| html! { <ShareGroupCard key={g.group.clone()} group={Rc::new(g.clone())} /> }) }
                    </section>
                }
            </div>
            <p class="muted small">{"RabbitMQ streams, which keep messages and replay them like a log, are not simulated here: the Kafka side shows a log."}</p>
        </section>
    }
}
