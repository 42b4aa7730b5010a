//! A partition's replicas as small badges in assignment order: the leader filled, in-sync
//! followers outlined, out-of-sync followers dashed, replicas on dead brokers struck through.
//! Each says its log end offset on hover.

use brokerlab_engine::view::{BrokerView, PartitionView};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ReplicaBadgesProps {
    pub partition: PartitionView,
    pub brokers: Vec<BrokerView>,
}

#[component]
pub fn ReplicaBadges(props: &ReplicaBadgesProps) -> Html {
    let p = &props.partition;
    let alive = |b: i32| props.brokers.iter().any(|x| x.id == b && x.alive);
    let describe = |r: &brokerlab_engine::view::ReplicaView| {
        let role = if r.leader {
            "leader"
        } else if r.in_isr {
            "in-sync follower"
        } else {
            "out-of-sync follower"
        };
        let state = if alive(r.broker) { "" } else { ", broker down" };
        format!(
            "broker {}: {role}{state}, log end offset {}",
            r.broker, r.log_end_offset
        )
    };
    let label = p
        .replica_states
        .iter()
        .map(describe)
        .collect::<Vec<_>>()
        .join("; ");
    let under_min_isr = p.under_min_isr.then(|| {
        let isr = p.isr.len();
        html! {
            <span class="under-min-isr"
                title={format!("Under min ISR: {isr} in-sync replica(s), min.insync.replicas {}. acks=all writes are refused with NOT_ENOUGH_REPLICAS and the high watermark stands still: acks=1 records stay invisible to consumers.", p.min_isr)}>
                { format!("ISR {isr}/{}", p.min_isr) }
            </span>
        }
    });
    let label = if p.under_min_isr {
        format!("{label}; under min ISR ({} of {})", p.isr.len(), p.min_isr)
    } else {
        label
    };
    html! {
        <span class="replicas" aria-label={format!("Replicas of partition {}: {label}", p.partition)}>
            { for under_min_isr }
            { for p.replica_states.iter().map(|r| html! {
                <span class={classes!(
                        "replica",
                        r.leader.then_some("lead"),
                        (!r.leader && r.in_isr).then_some("isr"),
                        (!r.in_isr).then_some("out"),
                        (!alive(r.broker)).then_some("down"),
                    )}
                    title={describe(r)}>
                    { format!("B{}", r.broker) }
                </span>
            }) }
        </span>
    }
}
