//! Storage: segments, retention by time and size, compaction with tombstones, and replay by
//! resetting a group's offsets.

mod common;

use brokerlab_engine::action::ResetTo;
use brokerlab_engine::cluster::{CleanupPolicy, ClusterConfig, TopicConfig};
use brokerlab_engine::event::EventKind;
use brokerlab_engine::producer::KeyDistribution;
use brokerlab_engine::{Action, Simulation};
use common::*;

fn fast_maintenance(seed: u64) -> Simulation {
    Simulation::new(
        seed,
        ClusterConfig {
            log_retention_check_interval_ms: 1_000,
            log_cleaner_backoff_ms: 1_000,
            ..ClusterConfig::default()
        },
    )
    .unwrap()
}

fn create(s: &mut Simulation, name: &str, partitions: u32, config: TopicConfig) {
    s.apply(Action::CreateTopic {
        name: name.into(),
        partitions,
        config,
    })
    .unwrap();
}

fn log_start(s: &Simulation, topic: &str, p: u32) -> i64 {
    let snap = s.snapshot();
    let t = snap.topics.iter().find(|t| t.name == topic).unwrap();
    t.partitions[p as usize].log_start_offset
}

/// Scenario 4 (time): closed segments older than retention.ms go, the log start offset moves,
/// and a group that lags behind it is reset by auto.offset.reset.
#[test]
fn retention_by_time_deletes_old_segments_and_resets_a_lagging_group() {
    let mut s = fast_maintenance(1);
    create(
        &mut s,
        "clicks",
        1,
        TopicConfig {
            segment_bytes: 20_000,
            retention_ms: 10_000,
            ..TopicConfig::default()
        },
    );
    producer(
        &mut s,
        "p",
        "clicks",
        500,
        KeyDistribution::Uniform { keys: 50 },
    );
    consumer_with(&mut s, "slow", earliest("analytics"), "clicks");
    s.apply(Action::SetProcessingTime {
        consumer: "slow".into(),
        us: 10_000,
    })
    .unwrap();
    advance_checked(&mut s, 40_000);
    let start = log_start(&s, "clicks", 0);
    assert!(start > 5_000, "log start moved: {start}");
    let deleted = events_matching(&s, |e| {
        matches!(e, EventKind::SegmentsDeleted { by_time: true, .. })
    });
    assert!(!deleted.is_empty());
    // Every segment left holds a record younger than retention.ms (or is the active one).
    let c = s.cluster();
    let part = c
        .partition(c.partition_idx(c.topic_id("clicks").unwrap(), 0).unwrap())
        .unwrap();
    let segs: Vec<_> = part.log.segments().collect();
    for seg in &segs[..segs.len() - 1] {
        assert!(
            40_000 - seg.max_timestamp() <= 10_000 + 1_000,
            "segment {} kept too long",
            seg.base_offset
        );
    }
    let resets = events_matching(
        &s,
        |e| matches!(e, EventKind::OffsetReset { strategy, .. } if strategy.contains("out of range")),
    );
    assert!(!resets.is_empty(), "the lagging consumer was reset");
    let a = audit(&s, "analytics");
    assert!(
        a.gaps > 0,
        "records deleted before the group read them: {a:?}"
    );
}

/// Scenario 4 (size): while the log minus its oldest segment still holds retention.bytes, that
/// segment goes.
#[test]
fn retention_by_bytes_keeps_the_log_near_its_limit() {
    let mut s = fast_maintenance(2);
    create(
        &mut s,
        "metrics",
        1,
        TopicConfig {
            segment_bytes: 10_000,
            retention_bytes: 50_000,
            ..TopicConfig::default()
        },
    );
    producer(&mut s, "p", "metrics", 1_000, KeyDistribution::None);
    advance_checked(&mut s, 30_000);
    let c = s.cluster();
    let part = c
        .partition(c.partition_idx(c.topic_id("metrics").unwrap(), 0).unwrap())
        .unwrap();
    let size = part.log.size_bytes();
    assert!((40_000..=90_000).contains(&size), "size {size}");
    assert!(part.log.log_start_offset() > 0);
    assert!(!events_matching(&s, |e| matches!(
        e,
        EventKind::SegmentsDeleted { by_time: false, .. }
    ))
    .is_empty());
}

fn send(s: &mut Simulation, key: &str, value: Option<&str>) {
    s.apply(Action::ProduceRecord {
        producer: "p".into(),
        topic: "users".into(),
        partition: Some(0),
        key: Some(key.into()),
        value: value.map(str::to_string),
        headers: Vec::new(),
    })
    .unwrap();
}

/// Scenario 5: compaction keeps exactly the latest value of each key at its original offset,
/// keeps a tombstone for delete.retention.ms and then drops it.
#[test]
fn compaction_keeps_the_latest_value_per_key_and_drops_tombstones_after_the_delay() {
    let mut s = fast_maintenance(3);
    create(
        &mut s,
        "users",
        1,
        TopicConfig {
            cleanup_policy: CleanupPolicy::Compact,
            segment_bytes: 600,
            delete_retention_ms: 8_000,
            min_cleanable_dirty_ratio: 0.1,
            ..TopicConfig::default()
        },
    );
    s.apply(Action::AddProducer {
        name: Some("p".into()),
        config: Default::default(),
        load: None,
    })
    .unwrap();
    for round in 0..5 {
        for k in 0..6 {
            send(&mut s, &format!("user-{k}"), Some(&format!("v{round}")));
            let t = s.now() + 20;
            advance_checked(&mut s, t);
        }
    }
    send(&mut s, "user-3", None); // delete user-3
    let t = s.now() + 20;
    advance_checked(&mut s, t);
    // Unrelated keys push the interesting records out of the active segment.
    for i in 0..12 {
        send(&mut s, &format!("filler-{i}"), Some("x"));
        let t = s.now() + 20;
        advance_checked(&mut s, t);
    }
    let before = s.records("users", 0, 0, 1_000);
    let latest_offset = |key: &str| {
        before
            .iter()
            .filter(|r| r.key.as_deref() == Some(key))
            .map(|r| r.offset)
            .max()
            .unwrap()
    };
    let expected: Vec<(String, i64)> = (0..6)
        .filter(|&k| k != 3)
        .map(|k| format!("user-{k}"))
        .map(|k| {
            let o = latest_offset(&k);
            (k, o)
        })
        .collect();
    let tombstone_offset = latest_offset("user-3");
    let t = s.now() + 3_000;
    advance_checked(&mut s, t);
    let after = s.records("users", 0, 0, 1_000);
    assert!(
        after.len() < before.len(),
        "the cleaner removed superseded records"
    );
    for (key, offset) in &expected {
        let kept: Vec<_> = after
            .iter()
            .filter(|r| r.key.as_deref() == Some(key.as_str()))
            .collect();
        assert_eq!(kept.len(), 1, "{key}: exactly one record kept");
        assert_eq!(kept[0].offset, *offset, "{key} keeps its offset");
        assert_eq!(
            kept[0].value.as_deref(),
            Some("v4"),
            "{key}: the latest value"
        );
    }
    let user3: Vec<_> = after
        .iter()
        .filter(|r| r.key.as_deref() == Some("user-3"))
        .collect();
    assert_eq!(user3.len(), 1, "only the tombstone remains for user-3");
    assert_eq!(user3[0].offset, tombstone_offset);
    assert_eq!(user3[0].value, None);
    // Offsets have gaps now, and the log end is where it was.
    assert!(after.windows(2).any(|w| w[1].offset > w[0].offset + 1));
    assert_eq!(after.last().unwrap().offset, before.last().unwrap().offset);
    // After delete.retention.ms the tombstone goes too.
    let t = s.now() + 10_000;
    advance_checked(&mut s, t);
    let later = s.records("users", 0, 0, 1_000);
    assert!(
        later.iter().all(|r| r.key.as_deref() != Some("user-3")),
        "tombstone removed"
    );
    let cleaned = events_matching(&s, |e| {
        matches!(
            e,
            EventKind::LogCleaned {
                tombstones_removed: 1,
                ..
            }
        )
    });
    assert_eq!(cleaned.len(), 1);
}

/// A compacted topic refuses records without a key, before anything is sent.
#[test]
fn compacted_topics_need_keys() {
    let mut s = fast_maintenance(4);
    create(
        &mut s,
        "users",
        1,
        TopicConfig {
            cleanup_policy: CleanupPolicy::Compact,
            ..TopicConfig::default()
        },
    );
    s.apply(Action::AddProducer {
        name: Some("p".into()),
        config: Default::default(),
        load: None,
    })
    .unwrap();
    let err = s
        .apply(Action::ProduceRecord {
            producer: "p".into(),
            topic: "users".into(),
            partition: None,
            key: None,
            value: Some("v".into()),
            headers: Vec::new(),
        })
        .unwrap_err();
    assert!(err.to_string().contains("needs a key"), "{err}");
    let err = s
        .apply(Action::SetLoad {
            producer: "p".into(),
            load: load("users", 10, KeyDistribution::None),
        })
        .unwrap_err();
    assert!(
        err.to_string().contains("every record needs a key"),
        "{err}"
    );
}

/// Scenario 6: a group reset to earliest re-reads everything; the reset is refused while the
/// group has members.
#[test]
fn resetting_a_group_to_earliest_rereads_history() {
    let mut s = sim(5);
    topic(&mut s, "orders", 3);
    producer(
        &mut s,
        "p",
        "orders",
        500,
        KeyDistribution::Uniform { keys: 30 },
    );
    consumer_with(&mut s, "c", earliest("billing"), "orders");
    advance_checked(&mut s, 5_000);
    s.apply(Action::SetRate {
        producer: "p".into(),
        rate: 0,
    })
    .unwrap();
    advance_checked(&mut s, 10_000);
    let err = s
        .apply(Action::ResetOffsets {
            group: "billing".into(),
            topic: Some("orders".into()),
            to: ResetTo::Earliest,
        })
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("is inactive, but the current state is Stable"),
        "{err}"
    );
    let first = audit(&s, "billing");
    assert_eq!(first.not_yet_consumed, 0);
    assert_eq!(first.duplicates, 0);
    s.apply(Action::RemoveConsumer {
        consumer: "c".into(),
    })
    .unwrap();
    advance_checked(&mut s, 11_000);
    assert_eq!(group_state(&s, "billing").0, "Empty");
    s.apply(Action::ResetOffsets {
        group: "billing".into(),
        topic: Some("orders".into()),
        to: ResetTo::Earliest,
    })
    .unwrap();
    let snap = s.snapshot();
    let g = snap
        .groups
        .iter()
        .find(|g| g.group_id == "billing")
        .unwrap();
    assert!(g.partitions.iter().all(|p| p.committed == Some(0)));
    consumer_with(&mut s, "c2", group_config("billing"), "orders");
    advance_checked(&mut s, 20_000);
    let a = audit(&s, "billing");
    assert_eq!(a.unique_consumed, first.produced);
    assert_eq!(
        a.reread_after_reset, first.produced,
        "every record read a second time, as the reset asked"
    );
    assert_eq!(a.duplicates, 0, "a replay is not duplicates");
    assert!(!events_matching(&s, |e| matches!(e, EventKind::OffsetsReset { .. })).is_empty());
}

/// Reset to a timestamp and to a shifted offset land where ListOffsets says.
#[test]
fn reset_by_timestamp_and_shift() {
    let mut s = sim(6);
    topic(&mut s, "t", 1);
    producer(&mut s, "p", "t", 100, KeyDistribution::None);
    advance_checked(&mut s, 10_000);
    s.apply(Action::SetRate {
        producer: "p".into(),
        rate: 0,
    })
    .unwrap();
    advance_checked(&mut s, 11_000);
    s.apply(Action::ResetOffsets {
        group: "g".into(),
        topic: Some("t".into()),
        to: ResetTo::Timestamp { ms: 5_000 },
    })
    .unwrap();
    let committed = |s: &Simulation| {
        s.group_coordinator()
            .group("g")
            .unwrap()
            .offsets
            .values()
            .next()
            .unwrap()
            .offset
    };
    let at_5s = committed(&s);
    let recs = s.records("t", 0, at_5s, 1);
    assert!(
        recs[0].timestamp >= 5_000 && recs[0].timestamp < 5_100,
        "{}",
        recs[0].timestamp
    );
    s.apply(Action::ResetOffsets {
        group: "g".into(),
        topic: None,
        to: ResetTo::ShiftBy { by: -100 },
    })
    .unwrap();
    assert_eq!(committed(&s), at_5s - 100);
    s.apply(Action::ResetOffsets {
        group: "g".into(),
        topic: None,
        to: ResetTo::Offset { offset: 1_000_000 },
    })
    .unwrap();
    let hw = s.snapshot().topics[0].partitions[0].high_watermark;
    assert_eq!(committed(&s), hw, "clamped to the latest offset");
}

fn small_memory(seed: u64) -> Simulation {
    Simulation::new(
        seed,
        ClusterConfig {
            log_memory_bytes: 1 << 20,
            ..ClusterConfig::default()
        },
    )
    .unwrap()
}

fn partition_view(s: &Simulation, topic: &str, p: u32) -> brokerlab_engine::view::PartitionView {
    let snap = s.snapshot();
    let t = snap.topics.iter().find(|t| t.name == topic).unwrap();
    t.partitions[p as usize].clone()
}

/// The playground's memory bound (`sim.log.memory.bytes`, not a Kafka setting) is counted in
/// bytes of engine memory and split among the partition replicas: every log stays within its
/// share whatever the batch size, the log start offset moves, and the partition and the delivery
/// audit say the bound (not retention) removed the records.
#[test]
fn the_memory_bound_keeps_every_log_within_its_share_and_says_so() {
    let mut s = small_memory(61);
    create(&mut s, "clicks", 2, TopicConfig::default());
    // One record per batch (linger.ms=0 at a low rate): the costliest records per byte.
    producer(
        &mut s,
        "p",
        "clicks",
        400,
        KeyDistribution::Uniform { keys: 50 },
    );
    consumer_with(&mut s, "live", earliest("live"), "clicks");
    consumer_with(&mut s, "late", earliest("late"), "clicks");
    s.advance_to(5_000);
    s.apply(Action::PauseConsumer {
        consumer: "late".into(),
    })
    .unwrap();
    s.advance_to(120_000);
    let share = (1u64 << 20) / 2;
    for p in 0..2 {
        let v = partition_view(&s, "clicks", p);
        assert_eq!(v.memory_share_bytes, share);
        assert!(
            v.memory_bytes <= share,
            "P{p}: {} > {share}",
            v.memory_bytes
        );
        assert!(v.evicted_records > 0, "P{p}: nothing evicted");
        assert_eq!(v.log_start_offset, v.evicted_up_to);
        assert_eq!(v.evicted_records as i64, v.log_start_offset);
    }
    let events = events_matching(&s, |k| matches!(k, EventKind::SegmentsDeleted { .. }));
    assert!(events.is_empty(), "retention deleted nothing: {events:?}");
    // The group that kept up lost nothing; the paused one finds its records evicted, counted
    // apart from gaps and from what it has not read yet.
    let live = audit(&s, "live");
    assert_eq!((live.evicted, live.gaps), (0, 0), "{live:?}");
    let late = audit(&s, "late");
    assert!(late.evicted > 10_000, "{late:?}");
    assert_eq!(late.gaps, 0, "{late:?}");
    assert!(
        late.not_yet_consumed < late.produced - late.evicted,
        "{late:?}"
    );
    assert_eq!(
        late.evicted + late.not_yet_consumed + late.unique_consumed,
        late.produced,
        "{late:?}"
    );
}

/// A compacted topic's cleaner runs before the memory bound deletes anything: with fewer keys
/// than fit, the latest value of every key stays, even under far more updates than the bound
/// could hold; the same load on a delete topic is evicted.
#[test]
fn the_cleaner_runs_before_the_memory_bound_on_a_compacted_topic() {
    for policy in [CleanupPolicy::Compact, CleanupPolicy::Delete] {
        // The cleaner's own rounds are an hour apart: only the memory bound calls it here.
        let mut s = Simulation::new(
            62,
            ClusterConfig {
                log_memory_bytes: 1 << 20,
                log_cleaner_backoff_ms: 3_600_000,
                ..ClusterConfig::default()
            },
        )
        .unwrap();
        create(
            &mut s,
            "users",
            1,
            TopicConfig {
                cleanup_policy: policy,
                ..TopicConfig::default()
            },
        );
        producer(
            &mut s,
            "p",
            "users",
            2_000,
            KeyDistribution::Uniform { keys: 40 },
        );
        s.advance_to(120_000);
        let v = partition_view(&s, "users", 0);
        assert!(v.memory_bytes <= v.memory_share_bytes, "{policy:?}: {v:?}");
        match policy {
            CleanupPolicy::Compact => {
                assert_eq!(v.evicted_records, 0, "nothing evicted: {v:?}");
                assert_eq!(v.log_start_offset, 0);
                assert!(v.log_end_offset > 200_000 && v.records < 40_000, "{v:?}");
            }
            _ => assert!(v.evicted_records > 0, "{v:?}"),
        }
    }
}
