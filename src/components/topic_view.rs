//! Topics and their partitions, with Kafka's offsets.

use yew::prelude::*;

use crate::app::PlaygroundContext;

#[component]
pub fn TopicList() -> Html {
    let state = use_context::<PlaygroundContext>().expect("playground context");
    let snap = &state.snapshot;
    html! {
        <section class="topics" aria-label="Topics">
            { for snap.topics.iter().map(|t| html! {
                <table class="partitions" aria-label={format!("Partitions of {}", t.name)}>
                    <caption>{ format!("Topic {}", t.name) }</caption>
                    <thead><tr>
                        <th scope="col">{"Partition"}</th>
                        <th scope="col">{"Leader"}</th>
                        <th scope="col">{"Log start offset"}</th>
                        <th scope="col">{"High watermark"}</th>
                        <th scope="col">{"Log end offset"}</th>
                    </tr></thead>
                    <tbody>
                    { for t.partitions.iter().map(|p| html! {
                        <tr>
                            <td>{ p.partition }</td>
                            <td>{ p.leader.map_or("none".to_string(), |b| format!("broker {b}")) }</td>
                            <td>{ p.log_start_offset }</td>
                            <td>{ p.high_watermark }</td>
                            <td>{ p.log_end_offset }</td>
                        </tr>
                    }) }
                    </tbody>
                </table>
            }) }
        </section>
    }
}
