//! The brokers of the cluster: which partitions each leads and which groups it coordinates.

use yew::prelude::*;

use crate::app::use_view;

#[component]
pub fn BrokerBar() -> Html {
    let view = use_view();
    html! {
        <ul class="brokers" aria-label="Brokers">
            { for view.snapshot.brokers.iter().map(|b| {
                let coordinates = if b.coordinator_of.is_empty() {
                    String::new()
                } else {
                    format!("coordinator of {}", b.coordinator_of.join(", "))
                };
                html! {
                    <li class={classes!("broker", (!b.alive).then_some("dead"))}
                        aria-label={format!("Broker {}", b.id)}>
                        <span class="broker-id">{ format!("Broker {}", b.id) }</span>
                        <span class="muted">{ format!("leads {} partitions", b.leader_of) }</span>
                        if !coordinates.is_empty() { <span class="coord">{ coordinates }</span> }
                    </li>
                }
            }) }
        </ul>
    }
}
