//! Property tests: random action sequences against the engine's invariants, in the manner of
//! sled's `prop_tree_matches_btreemap`. Every random choice comes from the proptest seed; a
//! failure prints the shrunk sequence, which gets pinned as a named test in `regressions.rs`.
//!
//! Invariants checked after every step:
//! * a refused action changes nothing (snapshot, event count and trace hash are identical);
//! * offsets in a partition strictly increase without gaps, from the log start offset;
//! * in a Stable group no partition has two owners, and once the group has settled every
//!   subscribed partition has exactly one;
//! * per-key order is preserved for every group (the audit finds no violation);
//! * the same seed and actions give the same trace hash.

mod common;

use std::collections::BTreeMap;

use brokerlab_engine::consumer::{ConsumerConfig, OffsetResetStrategy};
use brokerlab_engine::producer::{KeyDistribution, LoadConfig};
use brokerlab_engine::protocol::AssignorName;
use brokerlab_engine::{Action, Simulation};
use proptest::prelude::*;

#[derive(Clone, Debug)]
pub enum Op {
    CreateTopic {
        partitions: u32,
    },
    AddProducer {
        topic: usize,
        rate: u64,
        keys: u32,
    },
    SetRate {
        producer: usize,
        rate: u64,
    },
    ProduceRecord {
        producer: usize,
        topic: usize,
        key: u32,
    },
    AddConsumer {
        group: usize,
        topic: usize,
        assignor: usize,
        processing_us: u64,
        earliest: bool,
    },
    RemoveConsumer {
        consumer: usize,
    },
    CrashConsumer {
        consumer: usize,
    },
    Pause {
        consumer: usize,
    },
    Resume {
        consumer: usize,
    },
    IncreasePartitions {
        topic: usize,
        extra: u32,
    },
    Advance {
        ms: u64,
    },
    Invalid {
        which: u8,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (1u32..8).prop_map(|partitions| Op::CreateTopic { partitions }),
        2 => (0usize..3, prop::sample::select(vec![0u64, 50, 300, 1500]), 0u32..4)
            .prop_map(|(topic, rate, keys)| Op::AddProducer { topic, rate, keys }),
        1 => (0usize..4, prop::sample::select(vec![0u64, 100, 1000])).prop_map(|(producer, rate)| Op::SetRate { producer, rate }),
        1 => (0usize..4, 0usize..3, 0u32..20).prop_map(|(producer, topic, key)| Op::ProduceRecord { producer, topic, key }),
        3 => (0usize..2, 0usize..3, 0usize..4, prop::sample::select(vec![0u64, 200, 2000]), any::<bool>())
            .prop_map(|(group, topic, assignor, processing_us, earliest)| Op::AddConsumer { group, topic, assignor, processing_us, earliest }),
        1 => (0usize..6).prop_map(|consumer| Op::RemoveConsumer { consumer }),
        1 => (0usize..6).prop_map(|consumer| Op::CrashConsumer { consumer }),
        1 => (0usize..6).prop_map(|consumer| Op::Pause { consumer }),
        1 => (0usize..6).prop_map(|consumer| Op::Resume { consumer }),
        1 => (0usize..3, 1u32..4).prop_map(|(topic, extra)| Op::IncreasePartitions { topic, extra }),
        5 => prop::sample::select(vec![1u64, 7, 100, 1000, 4000, 15000]).prop_map(|ms| Op::Advance { ms }),
        2 => (0u8..8).prop_map(|which| Op::Invalid { which }),
    ]
}

const ASSIGNORS: [AssignorName; 4] = [
    AssignorName::Range,
    AssignorName::RoundRobin,
    AssignorName::Sticky,
    AssignorName::CooperativeSticky,
];

/// Drives one simulation with ops, remembering which names exist.
struct Driver {
    sim: Simulation,
    topics: Vec<String>,
    producers: Vec<String>,
    consumers: Vec<String>,
    next: u32,
}

impl Driver {
    fn new(seed: u64) -> Self {
        Driver {
            sim: common::sim(seed),
            topics: Vec::new(),
            producers: Vec::new(),
            consumers: Vec::new(),
            next: 0,
        }
    }

    fn pick(list: &[String], i: usize) -> Option<&String> {
        (!list.is_empty()).then(|| &list[i % list.len()])
    }

    fn fresh(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}{}", self.next)
    }

    /// The action for an op, or `None` if it needs something that does not exist; the flag says
    /// whether the action is meant to be refused.
    fn action(&mut self, op: &Op) -> Option<(Action, bool)> {
        Some(match op.clone() {
            Op::CreateTopic { partitions } => {
                let name = self.fresh("t");
                (
                    Action::CreateTopic {
                        name,
                        partitions,
                        config: Default::default(),
                    },
                    false,
                )
            }
            Op::AddProducer { topic, rate, keys } => {
                let topic = Self::pick(&self.topics, topic)?.clone();
                let name = self.fresh("p");
                let keys = match keys {
                    0 => KeyDistribution::None,
                    1 => KeyDistribution::Uniform { keys: 30 },
                    2 => KeyDistribution::HotKey {
                        keys: 10,
                        hot_percent: 50.0,
                    },
                    _ => KeyDistribution::Zipf {
                        keys: 100,
                        exponent: 1.0,
                    },
                };
                let load = LoadConfig {
                    topic,
                    rate,
                    keys,
                    value_bytes: 50,
                    compression_ratio: None,
                    events: None,
                };
                (
                    Action::AddProducer {
                        name: Some(name),
                        config: Default::default(),
                        load: Some(load),
                    },
                    false,
                )
            }
            Op::SetRate { producer, rate } => {
                let producer = Self::pick(&self.producers, producer)?.clone();
                (Action::SetRate { producer, rate }, false)
            }
            Op::ProduceRecord {
                producer,
                topic,
                key,
            } => (
                Action::ProduceRecord {
                    producer: Self::pick(&self.producers, producer)?.clone(),
                    topic: Self::pick(&self.topics, topic)?.clone(),
                    partition: None,
                    key: Some(format!("user-{key}")),
                    value: Some("v".into()),
                    headers: vec![],
                },
                false,
            ),
            Op::AddConsumer {
                group,
                topic,
                assignor,
                processing_us,
                earliest,
            } => {
                let topic = Self::pick(&self.topics, topic)?.clone();
                let name = self.fresh("c");
                let config = ConsumerConfig {
                    group_id: Some(format!("g{group}")),
                    assignors: vec![ASSIGNORS[assignor]],
                    processing_us,
                    auto_offset_reset: if earliest {
                        OffsetResetStrategy::Earliest
                    } else {
                        OffsetResetStrategy::Latest
                    },
                    ..Default::default()
                };
                (
                    Action::AddConsumer {
                        name: Some(name),
                        config,
                        topics: vec![topic],
                        assign: None,
                    },
                    false,
                )
            }
            Op::RemoveConsumer { consumer } => (
                Action::RemoveConsumer {
                    consumer: Self::pick(&self.consumers, consumer)?.clone(),
                },
                false,
            ),
            Op::CrashConsumer { consumer } => (
                Action::CrashConsumer {
                    consumer: Self::pick(&self.consumers, consumer)?.clone(),
                },
                false,
            ),
            Op::Pause { consumer } => (
                Action::PauseConsumer {
                    consumer: Self::pick(&self.consumers, consumer)?.clone(),
                },
                false,
            ),
            Op::Resume { consumer } => (
                Action::ResumeConsumer {
                    consumer: Self::pick(&self.consumers, consumer)?.clone(),
                },
                false,
            ),
            Op::IncreasePartitions { topic, extra } => {
                let name = Self::pick(&self.topics, topic)?.clone();
                let now = self.sim.cluster().topic_by_name(&name)?.partitions.len() as u32;
                (
                    Action::IncreasePartitions {
                        topic: name,
                        partitions: now + extra,
                    },
                    false,
                )
            }
            Op::Advance { .. } => return None,
            Op::Invalid { which } => (
                match which {
                    0 => Action::CreateTopic {
                        name: "bad name".into(),
                        partitions: 1,
                        config: Default::default(),
                    },
                    1 => Action::CreateTopic {
                        name: "zero".into(),
                        partitions: 0,
                        config: Default::default(),
                    },
                    2 => Action::RemoveConsumer {
                        consumer: "nobody".into(),
                    },
                    3 => Action::SetRate {
                        producer: "nobody".into(),
                        rate: 1,
                    },
                    4 => Action::AddConsumer {
                        name: None,
                        config: ConsumerConfig {
                            group_id: Some("g".into()),
                            ..Default::default()
                        },
                        topics: vec![],
                        assign: None,
                    },
                    5 => Action::IncreasePartitions {
                        topic: "missing".into(),
                        partitions: 3,
                    },
                    6 => Action::ProduceRecord {
                        producer: "nobody".into(),
                        topic: "missing".into(),
                        partition: Some(99),
                        key: None,
                        value: None,
                        headers: vec![],
                    },
                    _ => Action::AddProducer {
                        name: Some("p-bad".into()),
                        config: Default::default(),
                        load: Some(LoadConfig {
                            topic: "missing".into(),
                            rate: 1,
                            keys: KeyDistribution::None,
                            value_bytes: 1,
                            compression_ratio: None,
                            events: None,
                        }),
                    },
                },
                true,
            ),
        })
    }

    fn step(&mut self, op: &Op) -> Result<(), TestCaseError> {
        if let Op::Advance { ms } = op {
            advance_guarded(&mut self.sim, *ms)?;
            return check_invariants(&self.sim, false);
        }
        let Some((action, must_fail)) = self.action(op) else {
            return Ok(());
        };
        let before = self.sim.snapshot();
        let (hash, seq) = (self.sim.trace_hash(), self.sim.next_event_seq());
        let result = self.sim.apply(action.clone());
        match &result {
            Err(_) => {
                prop_assert_eq!(
                    &self.sim.snapshot(),
                    &before,
                    "a refused action changed the snapshot: {:?}",
                    action
                );
                prop_assert_eq!(self.sim.trace_hash(), hash);
                prop_assert_eq!(self.sim.next_event_seq(), seq);
            }
            Ok(_) => prop_assert!(!must_fail, "an invalid action was accepted: {:?}", action),
        }
        if result.is_ok() {
            match action {
                Action::CreateTopic { name, .. } => self.topics.push(name),
                Action::AddProducer { name: Some(n), .. } => self.producers.push(n),
                Action::AddConsumer { name: Some(n), .. } => self.consumers.push(n),
                Action::RemoveConsumer { consumer } | Action::CrashConsumer { consumer } => {
                    self.consumers.retain(|c| *c != consumer)
                }
                _ => {}
            }
        }
        check_invariants(&self.sim, false)
    }
}

fn check_invariants(sim: &Simulation, settled: bool) -> Result<(), TestCaseError> {
    // Offsets: contiguous batches from the log start offset.
    for p in sim.cluster().partitions() {
        let mut expected = p.log.log_start_offset();
        for b in p.log.batches_from(0) {
            prop_assert_eq!(b.base_offset, expected, "gap or overlap in a partition log");
            prop_assert!(b.record_count() > 0);
            expected = b.next_offset();
        }
        prop_assert_eq!(expected, p.log.log_end_offset());
        prop_assert!(p.high_watermark <= p.log.log_end_offset());
    }
    let snap = sim.snapshot();
    for g in &snap.groups {
        prop_assert_eq!(
            g.audit.order_violations,
            0,
            "per-key order broken in group {}",
            &g.group_id
        );
        if g.state != "Stable" {
            continue;
        }
        let mut owner: BTreeMap<(String, u32), &str> = BTreeMap::new();
        for m in &g.members {
            for (t, p) in &m.assignment {
                let prev = owner.insert((t.clone(), *p), &m.member_id);
                prop_assert!(
                    prev.is_none(),
                    "{}-{} owned twice in group {}",
                    t,
                    p,
                    &g.group_id
                );
            }
        }
        let consumers_stable = snap
            .consumers
            .iter()
            .filter(|c| c.group.as_deref() == Some(g.group_id.as_str()))
            .all(|c| c.state == "Stable");
        let subscribed: Vec<&String> = snap
            .consumers
            .iter()
            .filter(|c| c.group.as_deref() == Some(g.group_id.as_str()))
            .flat_map(|c| c.topics.iter())
            .collect();
        if settled && consumers_stable && !g.members.is_empty() {
            for p in g
                .partitions
                .iter()
                .filter(|p| subscribed.contains(&&p.topic))
            {
                prop_assert!(
                    owner.contains_key(&(p.topic.clone(), p.partition)),
                    "{}-{} has no owner in settled group {}",
                    &p.topic,
                    p.partition,
                    &g.group_id
                );
            }
        }
    }
    Ok(())
}

/// Advances time, failing if the simulation livelocks: a burst of events that does not move
/// virtual time forward.
fn advance_guarded(sim: &mut Simulation, by: u64) -> Result<(), TestCaseError> {
    let target = sim.now() + by;
    loop {
        let before = sim.now();
        let reached = sim.advance_to_bounded(target, 200_000);
        // Issue 13: no party was woken at an instant without progress and asked for it again
        // (the driver moves such a party on by 1 ms and counts it).
        prop_assert_eq!(
            sim.stalled_wakeups(),
            0,
            "a stalled wake-up before {} ms",
            sim.now()
        );
        if reached {
            prop_assert_eq!(sim.now(), target, "time reached the asked time");
            return Ok(());
        }
        prop_assert!(
            sim.now() > before,
            "livelock at {} ms:\n{}",
            before,
            sim.events_since(sim.next_event_seq().saturating_sub(30))
                .map(|e| sim.describe(e))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

fn run(seed: u64, ops: &[Op]) -> Result<Driver, TestCaseError> {
    let mut d = Driver::new(seed);
    for op in ops {
        d.step(op)?;
    }
    // Let every rebalance finish (crashed members expire after session.timeout.ms).
    advance_guarded(&mut d.sim, 120_000)?;
    check_invariants(&d.sim, true)?;
    Ok(d)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, max_shrink_iters: 2000, .. ProptestConfig::default() })]

    #[test]
    fn invariants_hold_under_random_actions(seed in 0u64..1000, ops in prop::collection::vec(op(), 1..40)) {
        let a = run(seed, &ops)?;
        // Determinism: the same seed and the same actions give the same run.
        let b = run(seed, &ops)?;
        prop_assert_eq!(a.sim.trace_hash(), b.sim.trace_hash());
        prop_assert_eq!(a.sim.snapshot(), b.sim.snapshot());
    }
}

#[test]
fn different_seeds_give_different_runs() {
    let ops = [
        Op::CreateTopic { partitions: 6 },
        Op::AddProducer {
            topic: 0,
            rate: 300,
            keys: 0,
        },
        Op::AddConsumer {
            group: 0,
            topic: 0,
            assignor: 0,
            processing_us: 0,
            earliest: true,
        },
        Op::Advance { ms: 4000 },
    ];
    let a = run(1, &ops).unwrap();
    let b = run(2, &ops).unwrap();
    assert_ne!(a.sim.trace_hash(), b.sim.trace_hash());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, .. ProptestConfig::default() })]

    /// KIP-98: with idempotence on, whatever the network loses or refuses, every acknowledged
    /// record is in the log, and within one producer epoch each partition holds the producer's
    /// records once each, in the order it sent them. Only an epoch bump (KIP-360: the client lost
    /// track of what the leader holds and renumbers its unacknowledged batches from 0) may write a
    /// record a second time, as in Kafka: a batch appended under the old epoch whose response was
    /// lost is sent again under the new one.
    #[test]
    fn idempotent_producer_writes_each_acked_record_once_in_order(
        seed in 0u64..10_000,
        drop_responses in 0.0f64..30.0,
        drop_requests in 0.0f64..20.0,
        reject in 0.0f64..30.0,
        in_flight in 1u32..=5,
        linger_ms in prop::sample::select(vec![0u64, 5, 20]),
        rate in prop::sample::select(vec![200u64, 1_000, 5_000]),
    ) {
        use brokerlab_engine::producer::ProducerConfig;
        use brokerlab_engine::action::LinkFaults;
        let mut s = common::sim(seed);
        common::topic(&mut s, "t", 3);
        let config = ProducerConfig {
            enable_idempotence: Some(true),
            max_in_flight: in_flight,
            linger_ms,
            request_timeout_ms: 300,
            ..Default::default()
        };
        common::producer_with(&mut s, "p", config, common::load("t", rate, KeyDistribution::Uniform { keys: 20 }));
        s.apply(Action::SetFaults { faults: vec![LinkFaults {
            drop_responses_percent: drop_responses,
            drop_requests_percent: drop_requests,
            reject_requests_percent: reject,
            ..Default::default()
        }] }).unwrap();
        s.advance_to(5_000);
        s.apply(Action::SetFaults { faults: vec![] }).unwrap();
        s.apply(Action::SetRate { producer: "p".into(), rate: 0 }).unwrap();
        s.advance_to(20_000);
        let producer = s.producers().next().unwrap().index;
        let bumped = s.events_since(0).any(|e| matches!(e.kind, brokerlab_engine::event::EventKind::ProducerEpochBumped { .. }));
        for part in s.cluster().partitions().filter(|p| s.cluster().topic(p.topic).is_some_and(|t| t.name == "t")) {
            let mut seen: Vec<u64> = Vec::new();
            let mut by_epoch: std::collections::BTreeMap<i16, Vec<u64>> = Default::default();
            for b in part.log.batches_from(0) {
                let o = b.origin.expect("records come from the producer");
                let records = (0..b.record_count() as u64).map(|i| o.first_record + i);
                by_epoch.entry(b.producer_epoch).or_default().extend(records.clone());
                seen.extend(records);
            }
            for (epoch, records) in &by_epoch {
                prop_assert!(records.windows(2).all(|w| w[0] < w[1]), "epoch {}: send order kept, no duplicates: {:?}", epoch, records);
            }
            if !bumped {
                prop_assert!(seen.windows(2).all(|w| w[0] < w[1]), "send order kept, no duplicates: {:?}", seen);
            }
            seen.sort_unstable();
            if let Some(acked) = s.audit().acked(producer, part.idx) {
                for &(lo, hi) in acked.ranges() {
                    for r in lo..hi {
                        prop_assert!(seen.binary_search(&r).is_ok(), "acked record {} missing from the log", r);
                    }
                }
            }
        }
    }
}

/// Found by `invariants_hold_under_random_actions` (seed 0): a member of a group crashes while
/// its records are processed but not committed; the member that joins the group afterwards
/// reads the partition again from the committed offset. Those re-reads are redeliveries, never
/// an order violation.
#[test]
fn a_crashed_members_uncommitted_records_reread_by_the_next_member_keep_key_order() {
    let ops = [
        Op::CreateTopic { partitions: 1 },
        Op::AddProducer {
            topic: 0,
            rate: 50,
            keys: 1,
        },
        Op::AddConsumer {
            group: 0,
            topic: 0,
            assignor: 0,
            processing_us: 0,
            earliest: false,
        },
        Op::Advance { ms: 4000 },
        Op::CrashConsumer { consumer: 0 },
        Op::AddConsumer {
            group: 0,
            topic: 0,
            assignor: 0,
            processing_us: 0,
            earliest: true,
        },
    ];
    run(0, &ops).unwrap();
}
