//! Consumers end to end: positions and committed offsets, lag, resets, pausing, assign mode,
//! and the delivery audit (at-least-once redelivery after a crash).

mod common;

use brokerlab_engine::action::PartitionRef;
use brokerlab_engine::consumer::{ConsumerConfig, OffsetResetStrategy};
use brokerlab_engine::producer::KeyDistribution;
use brokerlab_engine::{Action, Simulation};
use common::*;

fn group<'a>(
    snap: &'a brokerlab_engine::Snapshot,
    id: &str,
) -> &'a brokerlab_engine::view::GroupView {
    snap.groups
        .iter()
        .find(|g| g.group_id == id)
        .expect("group")
}

fn setup(seed: u64, rate: u64) -> Simulation {
    let mut s = sim(seed);
    topic(&mut s, "orders", 6);
    producer(
        &mut s,
        "p",
        "orders",
        rate,
        KeyDistribution::Uniform { keys: 100 },
    );
    s
}

/// Committed offsets trail the log end by at most the auto-commit interval's worth of records,
/// and the audit finds every acknowledged record delivered exactly once, in key order.
#[test]
fn a_keeping_up_group_commits_and_delivers_everything_once_in_order() {
    let mut s = setup(31, 600);
    consumer_with(&mut s, "c1", earliest("g"), "orders");
    consumer_with(&mut s, "c2", earliest("g"), "orders");
    s.advance_to(30_000);
    s.apply(Action::SetRate {
        producer: "p".into(),
        rate: 0,
    })
    .unwrap();
    s.advance_to(40_000);
    let snap = s.snapshot();
    let g = group(&snap, "g");
    assert_eq!(g.total_lag, 0, "all caught up and committed");
    let a = &g.audit;
    assert!(a.produced > 15_000, "{a:?}");
    assert_eq!(a.unique_consumed, a.produced, "{a:?}");
    assert_eq!(
        (a.duplicates, a.gaps, a.not_yet_consumed, a.order_violations),
        (0, 0, 0, 0),
        "{a:?}"
    );
    for p in &g.partitions {
        assert_eq!(p.committed, Some(p.end_offset));
    }
}

/// Lag appears when the consumers are slower than the producer (KIP-less, plain arithmetic:
/// 1000 records/s over 2 consumers at 5 ms a record is 2.5x too slow).
#[test]
fn slow_processing_builds_lag_and_fast_processing_drains_it() {
    let mut s = setup(32, 1_000);
    for c in ["c1", "c2"] {
        consumer_with(
            &mut s,
            c,
            ConsumerConfig {
                processing_us: 5_000,
                ..earliest("g")
            },
            "orders",
        );
    }
    s.advance_to(20_000);
    let lag1 = group(&s.snapshot(), "g").total_lag;
    s.advance_to(30_000);
    let lag2 = group(&s.snapshot(), "g").total_lag;
    assert!(
        lag1 > 2_000 && lag2 > lag1 + 3_000,
        "lag grows: {lag1} then {lag2}"
    );
    for c in ["c1", "c2"] {
        s.apply(Action::SetProcessingTime {
            consumer: c.into(),
            us: 100,
        })
        .unwrap();
    }
    s.advance_to(60_000);
    // Caught up: positions are at the end; committed offsets trail by at most one
    // auto.commit.interval.ms (5 s) of records, 5000 here.
    let snap = s.snapshot();
    let behind: i64 = snap
        .consumers
        .iter()
        .flat_map(|c| c.assigned.iter())
        .map(|a| a.lag.unwrap())
        .sum();
    assert!(behind < 50, "positions caught up: {behind}");
    let lag3 = group(&snap, "g").total_lag;
    assert!(lag3 <= 5_000, "committed lag drains: {lag3}");
    let snap = s.snapshot();
    let hist = &group(&snap, "g").lag_history;
    assert!(
        hist.len() > 100 && hist.iter().max().unwrap() >= &lag2,
        "history kept: {}",
        hist.len()
    );
}

#[test]
fn pausing_stops_fetching_and_lag_grows_then_resume_catches_up() {
    let mut s = setup(33, 500);
    consumer(&mut s, "c1", "g", "orders");
    s.advance_to(10_000);
    s.apply(Action::PauseConsumer {
        consumer: "c1".into(),
    })
    .unwrap();
    let consumed = |s: &Simulation| s.snapshot().consumers[0].stats.records_consumed;
    let before = consumed(&s);
    s.advance_to(20_000);
    assert!(consumed(&s) <= before + 500, "paused: hardly anything new");
    assert_eq!(
        group_state(&s, "g").0,
        "Stable",
        "a paused consumer still heartbeats"
    );
    s.apply(Action::ResumeConsumer {
        consumer: "c1".into(),
    })
    .unwrap();
    s.advance_to(30_000);
    assert!(consumed(&s) > before + 9_000);
}

#[test]
fn auto_offset_reset_earliest_reads_history_and_latest_skips_it() {
    let mut s = setup(34, 1_000);
    s.advance_to(5_000);
    consumer_with(&mut s, "old", earliest("from-start"), "orders");
    consumer(&mut s, "new", "from-now", "orders");
    s.advance_to(15_000);
    let snap = s.snapshot();
    let start = snap
        .consumers
        .iter()
        .find(|c| c.name == "old")
        .unwrap()
        .stats
        .records_consumed;
    let now = snap
        .consumers
        .iter()
        .find(|c| c.name == "new")
        .unwrap()
        .stats
        .records_consumed;
    assert!(start >= now + 4_500, "earliest {start} vs latest {now}");
}

/// Two groups read the same topic with their own offsets.
#[test]
fn two_groups_keep_independent_offsets() {
    let mut s = setup(35, 500);
    consumer_with(&mut s, "a", earliest("ga"), "orders");
    consumer_with(
        &mut s,
        "b",
        ConsumerConfig {
            processing_us: 20_000,
            ..earliest("gb")
        },
        "orders",
    );
    s.advance_to(20_000);
    let snap = s.snapshot();
    let (ga, gb) = (group(&snap, "ga"), group(&snap, "gb"));
    assert!(ga.total_lag < 3_000);
    assert!(
        gb.total_lag > ga.total_lag + 3_000,
        "{} vs {}",
        gb.total_lag,
        ga.total_lag
    );
    assert_eq!(ga.audit.produced, gb.audit.produced);
}

/// A consumer without a group (assign mode) reads the partitions it was given.
#[test]
fn a_consumer_without_a_group_reads_its_assigned_partitions() {
    let mut s = setup(36, 600);
    s.apply(Action::AddConsumer {
        name: Some("reader".into()),
        config: ConsumerConfig {
            auto_offset_reset: OffsetResetStrategy::Earliest,
            ..Default::default()
        },
        topics: vec![],
        assign: Some(vec![PartitionRef {
            topic: "orders".into(),
            partition: 2,
        }]),
    })
    .unwrap();
    s.advance_to(5_000);
    let snap = s.snapshot();
    let c = &snap.consumers[0];
    assert_eq!(c.state, "Assigned");
    assert_eq!(c.assigned.len(), 1);
    let end = snap.topics[0].partitions[2].high_watermark;
    assert!(c.assigned[0].position.unwrap() + 200 >= end);
    assert!(snap.groups.is_empty(), "no group was formed");
}

/// At-least-once, shown: a consumer that crashes between auto-commits had records delivered
/// that were never committed; the member that takes over its partitions delivers them again.
#[test]
fn a_crash_between_commits_redelivers_the_uncommitted_records() {
    let mut s = setup(37, 1_000);
    consumer_with(&mut s, "c1", earliest("g"), "orders");
    consumer_with(&mut s, "c2", earliest("g"), "orders");
    s.advance_to(12_500);
    s.apply(Action::CrashConsumer {
        consumer: "c1".into(),
    })
    .unwrap();
    s.advance_to(70_000);
    let a = group(&s.snapshot(), "g").audit.clone();
    assert!(
        a.duplicates > 100,
        "records polled after the last commit come again: {a:?}"
    );
    assert_eq!(a.gaps, 0, "{a:?}");
    assert_eq!(a.order_violations, 0, "{a:?}");
}

/// With manual commits after every poll, a crash redelivers at most one poll's records.
#[test]
fn committing_after_each_poll_narrows_redelivery() {
    let mut s = setup(38, 1_000);
    let manual = ConsumerConfig {
        enable_auto_commit: false,
        ..earliest("g")
    };
    consumer_with(&mut s, "c1", manual.clone(), "orders");
    consumer_with(&mut s, "c2", manual, "orders");
    s.advance_to(12_500);
    s.apply(Action::CrashConsumer {
        consumer: "c1".into(),
    })
    .unwrap();
    s.advance_to(70_000);
    let a = group(&s.snapshot(), "g").audit.clone();
    assert!(a.duplicates <= 500, "{a:?}");
    assert_eq!(a.gaps, 0);
}

/// `KafkaConsumer.pause()` is per partition (`SubscriptionState`): an eager rebalance revokes
/// every partition and assigns afresh, so nothing is paused after it and the consumer reads
/// again; a cooperative one keeps the partitions a member still owns, paused as they were.
#[test]
fn pause_is_per_partition_and_an_eager_rebalance_ends_it() {
    use brokerlab_engine::protocol::AssignorName;
    for assignor in [AssignorName::Range, AssignorName::CooperativeSticky] {
        let mut s = setup(35, 500);
        consumer_with(&mut s, "c1", with_assignor("g", assignor), "orders");
        s.advance_to(10_000);
        s.apply(Action::PauseConsumer {
            consumer: "c1".into(),
        })
        .unwrap();
        let consumed = |s: &Simulation| s.snapshot().consumers[0].stats.records_consumed;
        let before = consumed(&s);
        s.advance_to(15_000);
        assert_eq!(consumed(&s), before, "{assignor:?}: paused");
        consumer_with(&mut s, "c2", with_assignor("g", assignor), "orders");
        s.advance_to(30_000);
        assert_eq!(group_state(&s, "g").0, "Stable", "{}", log_lines(&s));
        let paused = s.snapshot().consumers[0].paused;
        match assignor {
            AssignorName::Range => {
                assert!(!paused, "eager: every pause ended");
                assert!(consumed(&s) > before + 2_000, "eager: c1 reads again");
            }
            _ => {
                assert!(
                    paused,
                    "cooperative: the partitions c1 kept are still paused"
                );
                assert_eq!(consumed(&s), before, "cooperative: c1 reads nothing");
            }
        }
    }
}
