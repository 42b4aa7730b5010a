//! Durability as a property: under any sequence of broker kills, restarts and slowdowns, with
//! acks=all, replication factor 3 and min.insync.replicas=2, no acknowledged record is lost, and
//! once every broker is back the replicas converge to identical logs.

mod common;

use brokerlab_engine::cluster::TopicConfig;
use brokerlab_engine::consumer::{ConsumerConfig, OffsetResetStrategy};
use brokerlab_engine::producer::{KeyDistribution, ProducerConfig};
use brokerlab_engine::protocol::Acks;
use brokerlab_engine::{Action, Simulation};
use common::*;
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    Kill(i32),
    Restart(i32),
    Slow(i32, u64),
    Advance(u64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (1..=3i32).prop_map(Op::Kill),
        3 => (1..=3i32).prop_map(Op::Restart),
        1 => (1..=3i32, prop_oneof![Just(0u64), 1..40_000u64]).prop_map(|(b, d)| Op::Slow(b, d)),
        3 => prop_oneof![1..2_000u64, 8_000..12_000u64, 12_000..40_000u64].prop_map(Op::Advance),
    ]
}

fn setup(seed: u64) -> Simulation {
    let mut s = sim(seed);
    s.apply(Action::CreateTopic {
        name: "t".into(),
        partitions: 3,
        config: TopicConfig {
            replication_factor: 3,
            min_insync_replicas: 2,
            ..TopicConfig::default()
        },
    })
    .unwrap();
    producer_with(
        &mut s,
        "p",
        ProducerConfig {
            acks: Acks::All,
            ..ProducerConfig::default()
        },
        load("t", 300, KeyDistribution::Uniform { keys: 40 }),
    );
    consumer_with(
        &mut s,
        "c",
        ConsumerConfig {
            auto_offset_reset: OffsetResetStrategy::Earliest,
            ..group_config("g")
        },
        "t",
    );
    s
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, max_shrink_iters: 500, .. ProptestConfig::default() })]

    #[test]
    fn acks_all_with_min_isr_2_never_loses_acknowledged_records(
        seed in 0u64..1000,
        ops in prop::collection::vec(op(), 1..24),
    ) {
        let mut s = setup(seed);
        advance_checked(&mut s, 2_000);
        for op in &ops {
            // Refused actions (killing a dead broker, ...) change nothing; that is tested elsewhere.
            let _ = match *op {
                Op::Kill(b) => s.apply(Action::KillBroker { broker: b }).map(|_| ()),
                Op::Restart(b) => s.apply(Action::RestartBroker { broker: b }).map(|_| ()),
                Op::Slow(b, d) => s.apply(Action::SlowBroker { broker: b, delay_ms: d }).map(|_| ()),
                Op::Advance(ms) => {
                    let t = s.now() + ms;
                    advance_checked(&mut s, t);
                    Ok(())
                }
            };
        }
        // Heal everything, keep producing a while, then stop and let everyone catch up.
        for b in 1..=3 {
            let _ = s.apply(Action::RestartBroker { broker: b });
            s.apply(Action::SlowBroker { broker: b, delay_ms: 0 }).unwrap();
        }
        let t = s.now() + 20_000;
        advance_checked(&mut s, t);
        s.apply(Action::SetRate { producer: "p".into(), rate: 0 }).unwrap();
        // Requests still on the wire at a 40 s delay, retries, ISR rejoins, rebalances.
        let t = s.now() + 200_000;
        advance_checked(&mut s, t);

        let snap = s.snapshot();
        let g = snap.groups.iter().find(|g| g.group_id == "g").unwrap();
        let a = &g.audit;
        prop_assert!(a.produced > 0, "{:?}", a);
        prop_assert_eq!(a.lost, 0, "acknowledged records lost: {:?}", a);
        prop_assert_eq!(a.gaps, 0, "{:?}", a);
        prop_assert_eq!(a.not_yet_consumed, 0, "{:?}", a);
        let c = s.cluster();
        let t = c.topic_by_name("t").unwrap();
        for &p in &t.partitions {
            let part = c.partition(p).unwrap();
            prop_assert!(part.leader.is_some(), "partition {} offline", part.index);
            prop_assert_eq!(part.isr.len(), 3, "partition {} ISR {:?}", part.index, &part.isr);
            prop_assert!(part.replicas_agree(), "partition {}: replicas differ", part.index);
            prop_assert_eq!(part.high_watermark, part.log.log_end_offset());
        }
    }
}
