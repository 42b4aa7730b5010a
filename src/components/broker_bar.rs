//! The brokers of the cluster: which partitions each leads and which groups it coordinates.

use yew::prelude::*;

use crate::app::PlaygroundContext;

#[component]
pub fn BrokerBar() -> Html {
    let state = use_context::<PlaygroundContext>().expect("playground context");
    html! {
        <ul class="brokers" aria-label="Brokers">
            { for state.snapshot.brokers.iter().map(|b| {
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
