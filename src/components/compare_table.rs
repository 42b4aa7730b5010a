//! "Log vs queue", side by side: for the records one producer sends to both brokers, what Kafka's
//! log, a share group and RabbitMQ's queue each did with them, measured by the simulation (every
//! cell is a number from the snapshot, not a claim).

use brokerlab_engine::view::{GroupView, QueueView, ShareGroupView, Snapshot};
use yew::prelude::*;

use super::term::Term;
use crate::app::{format, use_view};

/// The Kafka topic the first mirrored publisher's producer writes to.
fn mirrored_topic(s: &Snapshot) -> Option<String> {
    let r = s.rabbit.as_ref()?;
    let p = r.publishers.first()?;
    s.producers
        .iter()
        .find(|k| k.name == p.producer)
        .and_then(|k| k.topic.clone())
}

/// One row: the question, then the Kafka group's, the share group's (if any) and the queue's
/// answers.
fn row(label: Html, kafka: String, share: Option<String>, queue: String) -> Html {
    html! {
        <tr>
            <th scope="row">{ label }</th>
            <td>{ kafka }</td>
            if let Some(s) = share { <td>{ s }</td> }
            <td>{ queue }</td>
        </tr>
    }
}

#[component]
pub fn CompareTable() -> Html {
    let view = use_view();
    let s = &view.snapshot;
    let topic = mirrored_topic(s)
        .or_else(|| s.share_groups.first().map(|g| g.topic.clone()))
        .unwrap_or_default();
    let records: u64 = s
        .topics
        .iter()
        .filter(|t| t.name == topic)
        .flat_map(|t| t.partitions.iter().map(|p| p.records))
        .sum();
    let group: Option<&GroupView> = s
        .groups
        .iter()
        .find(|g| g.partitions.iter().any(|p| p.topic == topic));
    let queue: Option<&QueueView> = s.rabbit.as_ref().and_then(|r| r.queues.first());
    let share: Option<&ShareGroupView> = s.share_groups.first();
    let commits: u64 = group.map_or(0, |g| {
        s.consumers
            .iter()
            .filter(|c| c.group.as_deref() == Some(g.group_id.as_str()))
            .map(|c| c.stats.commits)
            .sum()
    });
    let producer = s
        .rabbit
        .as_ref()
        .and_then(|r| r.publishers.first())
        .and_then(|p| s.producers.iter().find(|k| k.name == p.producer));
    let publisher = s.rabbit.as_ref().and_then(|r| r.publishers.first());
    let rabbit_consumer = queue.and_then(|q| {
        s.rabbit
            .as_ref()
            .and_then(|r| r.consumers.iter().find(|c| c.queue == q.name))
    });
    let none = || "—".to_string();
    let gname = group.map_or_else(|| "no group".to_string(), |g| g.group_id.clone());
    let qname = queue.map_or_else(|| "no queue".to_string(), |q| q.name.clone());
    let share_cell = |f: &dyn Fn(&ShareGroupView) -> String| share.map(f);
    html! {
        <table class="compare" aria-label="Log vs queue, for the same records">
            <caption class="muted small">{ format!(
                "The same records, sent to topic {topic} and published to RabbitMQ: what each side did with them, measured."
            ) }</caption>
            <thead>
                <tr>
                    <th scope="col"><span class="sr-only">{"Question"}</span></th>
                    <th scope="col">{ format!("Kafka log · group {gname}") }</th>
                    if let Some(g) = share { <th scope="col">{ format!("Kafka share group {}", g.group) }</th> }
                    <th scope="col">{ format!("RabbitMQ queue {qname}") }</th>
                </tr>
            </thead>
            <tbody>
                { row(html!{"Kept once read"},
                    format!("{} records stay in {topic} (until retention)", format::count(records)),
                    share_cell(&|_| format!("{} stay in the same log", format::count(records))),
                    queue.map_or_else(none, |q| format!("{} left; {} acknowledged and deleted",
                        format::count(q.ready + q.unacked), format::count(q.counts.acked)))) }
                { row(html!{"Read again"},
                    group.map_or_else(none, |g| match g.audit.reread_after_reset {
                        0 => "reset the group's offsets: the log hands them out again".to_string(),
                        n => format!("{} records read again after an offset reset", format::count(n)),
                    }),
                    share_cell(&|_| "another group reads the log from any offset".to_string()),
                    "nothing to read again: an acked message is gone".to_string()) }
                { row(html!{"Who gets a record"},
                    "every group gets every record; in a group, one member per partition".to_string(),
                    share_cell(&|g| format!("one member per record, any of {} on {} partitions",
                        g.members.iter().filter(|m| m.alive).count(), g.partitions.len())),
                    "one consumer per message, in turn; each bound queue gets a copy".to_string()) }
                { row(html!{<>{"Out of "}<Term of="out-of-order">{"order"}</Term></>},
                    group.map_or_else(none, |g| format!("{} (one partition, one reader, in order)", format::count(g.audit.order_violations))),
                    share_cell(&|g| format!("{} (no order across members)", format::count(g.order_violations))),
                    queue.map_or_else(none, |q| format!("{} (competing consumers, requeues)", format::count(q.counts.order_violations)))) }
                { row(html!{<>{"Acknowledged by"}</>},
                    group.map_or_else(none, |g| format!("{} offset commit{} for {} records", format::count(commits), if commits == 1 { "" } else { "s" }, format::count(g.audit.consumed))),
                    share_cell(&|g| format!("{} records accepted one by one", format::count(g.accepted))),
                    queue.map_or_else(none, |q| format!("{} acks for {} messages", format::count(q.counts.acked), format::count(q.counts.acked)))) }
                { row(html!{<>{"Latency p50 · p99"}</>},
                    producer.map_or_else(none, |p| format!("send → ack {} (batched: linger.ms {})", format::latency(&p.latency), p.linger_ms)),
                    share_cell(&|_| "reads the same log".to_string()),
                    match (rabbit_consumer, publisher) {
                        (Some(c), Some(p)) => format!("publish → delivery {}; → confirm {}",
                            format::latency(&c.delivery_latency), format::latency(&p.confirm_latency)),
                        _ => none(),
                    }) }
                { row(html!{<>{"Delivered again"}</>},
                    group.map_or_else(none, |g| format!("{} duplicates", format::count(g.audit.duplicates))),
                    share_cell(&|g| format!("{} redeliveries (delivery count > 1)", format::count(g.redelivered))),
                    queue.map_or_else(none, |q| format!("{} redelivered", format::count(q.counts.redelivered)))) }
                { row(html!{<>{"A poison record"}</>},
                    "the consumer cannot skip it: the application writes it to a dead-letter topic itself".to_string(),
                    share_cell(&|g| format!("{} archived (REJECT, or {} deliveries)", format::count(g.archived), g.delivery_limit)),
                    queue.map_or_else(none, |q| format!("{} dead-lettered, {} dropped", format::count(q.counts.dead_lettered), format::count(q.counts.dropped)))) }
            </tbody>
        </table>
    }
}
