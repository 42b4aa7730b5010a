//! The classic consumer group protocol end to end: join, sync, rebalances, heartbeats,
//! session and poll timeouts, static membership (KIP-62, KIP-345, KIP-394).

mod common;

use brokerlab_engine::event::EventKind;
use brokerlab_engine::producer::KeyDistribution;
use brokerlab_engine::Action;
use common::*;

fn setup(seed: u64) -> brokerlab_engine::Simulation {
    let mut s = sim(seed);
    topic(&mut s, "orders", 6);
    producer(
        &mut s,
        "p",
        "orders",
        200,
        KeyDistribution::Uniform { keys: 50 },
    );
    s
}

/// RangeAssignor with 6 partitions: 2 members get 3 each; a third joins, 2 each.
#[test]
fn two_consumers_get_three_partitions_each_then_two_each_after_a_third_joins() {
    let mut s = setup(1);
    consumer(&mut s, "c1", "g", "orders");
    consumer(&mut s, "c2", "g", "orders");
    s.advance_to(10_000);
    assert_eq!(group_state(&s, "g").0, "Stable", "{}", log_lines(&s));
    assert_eq!(counts(&s, "g"), vec![3, 3]);
    assert_eq!(
        owners(&s, "g")["c1"],
        vec![0, 1, 2],
        "range gives the first member the first range"
    );
    let gen = group_state(&s, "g").1;
    consumer(&mut s, "c3", "g", "orders");
    s.advance_to(20_000);
    assert_eq!(
        group_state(&s, "g"),
        ("Stable".to_string(), gen + 1),
        "{}",
        log_lines(&s)
    );
    assert_eq!(counts(&s, "g"), vec![2, 2, 2]);
}

/// A first rebalance of a new group waits group.initial.rebalance.delay.ms, extended while
/// members keep arriving (InitialDelayedJoin).
#[test]
fn a_new_group_waits_the_initial_rebalance_delay() {
    let mut s = setup(2);
    consumer(&mut s, "c1", "g", "orders");
    s.advance_to(2_900);
    assert_eq!(group_state(&s, "g"), ("PreparingRebalance".to_string(), 0));
    s.advance_to(3_100);
    assert_eq!(
        group_state(&s, "g"),
        ("Stable".to_string(), 1),
        "{}",
        log_lines(&s)
    );
    // A second member arriving during the delay extends it by another delay.
    let mut s = setup(2);
    consumer(&mut s, "c1", "g", "orders");
    s.advance_to(1_000);
    consumer(&mut s, "c2", "g", "orders");
    s.advance_to(5_900);
    assert_eq!(
        group_state(&s, "g").0,
        "PreparingRebalance",
        "{}",
        log_lines(&s)
    );
    s.advance_to(6_200);
    assert_eq!(
        group_state(&s, "g"),
        ("Stable".to_string(), 1),
        "{}",
        log_lines(&s)
    );
    assert_eq!(counts(&s, "g"), vec![3, 3]);
}

#[test]
fn a_closed_consumer_leaves_at_once_and_its_partitions_move() {
    let mut s = setup(3);
    for c in ["c1", "c2", "c3"] {
        consumer(&mut s, c, "g", "orders");
    }
    s.advance_to(10_000);
    assert_eq!(counts(&s, "g"), vec![2, 2, 2]);
    s.apply(Action::RemoveConsumer {
        consumer: "c2".into(),
    })
    .unwrap();
    s.advance_to(10_100);
    let left = events_matching(&s, |k| matches!(k, EventKind::LeaveGroup { .. }));
    assert_eq!(left.len(), 1, "a dynamic member sends LeaveGroup on close");
    s.advance_to(16_000);
    assert_eq!(counts(&s, "g"), vec![3, 3], "{}", log_lines(&s));
    assert!(!owners(&s, "g").contains_key("c2"));
}

/// A crashed member sends nothing: the coordinator removes it when session.timeout.ms (45 s)
/// passes without a heartbeat.
#[test]
fn a_crashed_consumer_is_removed_only_after_the_session_timeout() {
    let mut s = setup(4);
    consumer(&mut s, "c1", "g", "orders");
    consumer(&mut s, "c2", "g", "orders");
    s.advance_to(10_000);
    let gen = group_state(&s, "g").1;
    s.apply(Action::CrashConsumer {
        consumer: "c2".into(),
    })
    .unwrap();
    s.advance_to(40_000);
    assert_eq!(
        group_state(&s, "g"),
        ("Stable".to_string(), gen),
        "nothing noticed yet"
    );
    assert_eq!(counts(&s, "g"), vec![3, 3]);
    s.advance_to(60_000);
    let removed = events_matching(
        &s,
        |k| matches!(k, EventKind::MemberRemoved { reason, .. } if reason.contains("session")),
    );
    assert_eq!(removed.len(), 1, "{}", log_lines(&s));
    // The last heartbeat came at most heartbeat.interval.ms (3 s) before the crash.
    let t = removed[0].0;
    assert!((52_000..=55_000).contains(&t), "removed at {t}");
    assert_eq!(counts(&s, "g"), vec![6]);
}

/// KIP-345: a static member restarted within the session timeout gets its partitions back
/// without a rebalance.
#[test]
fn a_static_member_restarting_within_the_session_timeout_causes_no_rebalance() {
    let mut s = setup(5);
    let stat = |id: &str| brokerlab_engine::consumer::ConsumerConfig {
        group_instance_id: Some(id.into()),
        ..group_config("g")
    };
    consumer_with(&mut s, "a", stat("instance-a"), "orders");
    consumer_with(&mut s, "b", stat("instance-b"), "orders");
    s.advance_to(10_000);
    let before = owners(&s, "g");
    let gen = group_state(&s, "g").1;
    s.apply(Action::RemoveConsumer {
        consumer: "a".into(),
    })
    .unwrap();
    s.advance_to(20_000);
    assert!(
        events_matching(&s, |k| matches!(k, EventKind::LeaveGroup { .. })).is_empty(),
        "static members do not send LeaveGroup"
    );
    consumer_with(&mut s, "a2", stat("instance-a"), "orders");
    s.advance_to(30_000);
    assert_eq!(
        group_state(&s, "g"),
        ("Stable".to_string(), gen),
        "{}",
        log_lines(&s)
    );
    assert_eq!(owners(&s, "g")["a2"], before["a"]);
}

/// KIP-345, `GroupMetadataManager.updateStaticMemberThenRebalanceOrCompleteJoin`: in Stable, a
/// static member that restarts rebalances the group only if the group's selected protocol would
/// change. Its subscription does change (a fresh consumer knows no generation and owns nothing),
/// so comparing the whole subscription would rebalance every restart after the first generation.
#[test]
fn a_static_member_restarting_after_later_generations_causes_no_rebalance() {
    let mut s = setup(5);
    let stat = |id: &str| brokerlab_engine::consumer::ConsumerConfig {
        group_instance_id: Some(id.into()),
        ..group_config("g")
    };
    consumer_with(&mut s, "a", stat("instance-a"), "orders");
    consumer_with(&mut s, "b", stat("instance-b"), "orders");
    s.advance_to(10_000);
    // A dynamic member comes and goes: two more generations.
    consumer(&mut s, "c", "g", "orders");
    s.advance_to(20_000);
    s.apply(Action::RemoveConsumer {
        consumer: "c".into(),
    })
    .unwrap();
    s.advance_to(30_000);
    let (state, gen) = group_state(&s, "g");
    assert_eq!(state, "Stable");
    assert!(gen >= 3, "generation {gen}: {}", log_lines(&s));
    let before = owners(&s, "g");
    s.apply(Action::RemoveConsumer {
        consumer: "a".into(),
    })
    .unwrap();
    s.advance_to(35_000);
    consumer_with(&mut s, "a2", stat("instance-a"), "orders");
    s.advance_to(45_000);
    assert_eq!(
        group_state(&s, "g"),
        ("Stable".to_string(), gen),
        "{}",
        log_lines(&s)
    );
    assert_eq!(owners(&s, "g")["a2"], before["a"]);
}

/// KIP-345: a static member that restarts preferring a protocol the group would then select
/// instead (the only member, now asking for roundrobin before range) does rebalance.
#[test]
fn a_static_member_restarting_with_another_protocol_rebalances() {
    let mut s = setup(5);
    let stat = brokerlab_engine::consumer::ConsumerConfig {
        group_instance_id: Some("instance-a".into()),
        ..group_config("g")
    };
    consumer_with(&mut s, "a", stat.clone(), "orders");
    s.advance_to(10_000);
    let gen = group_state(&s, "g").1;
    s.apply(Action::RemoveConsumer {
        consumer: "a".into(),
    })
    .unwrap();
    s.advance_to(15_000);
    let other = brokerlab_engine::consumer::ConsumerConfig {
        assignors: vec![
            brokerlab_engine::AssignorName::RoundRobin,
            brokerlab_engine::AssignorName::Range,
        ],
        ..stat
    };
    consumer_with(&mut s, "a2", other, "orders");
    s.advance_to(30_000);
    let (state, now) = group_state(&s, "g");
    assert_eq!(state, "Stable", "{}", log_lines(&s));
    assert!(now > gen, "a rebalance: {}", log_lines(&s));
}

/// KIP-345, `GroupMetadataManager.completeClassicGroupJoin`: when a rebalance times out, only
/// dynamic members that did not rejoin are dropped. A static member that is away keeps its place
/// and gets partitions in the new generation (nobody reads them meanwhile) until its session
/// times out; then the group rebalances without it.
#[test]
fn a_static_member_that_does_not_rejoin_keeps_its_partitions_until_its_session_times_out() {
    let mut s = setup(9);
    let cfg = |id: Option<&str>| brokerlab_engine::consumer::ConsumerConfig {
        group_instance_id: id.map(Into::into),
        max_poll_interval_ms: 10_000,
        session_timeout_ms: 45_000,
        ..group_config("g")
    };
    consumer_with(&mut s, "a", cfg(Some("instance-a")), "orders");
    consumer_with(&mut s, "b", cfg(Some("instance-b")), "orders");
    s.advance_to(10_000);
    let gen = group_state(&s, "g").1;
    // a goes away without a LeaveGroup; a dynamic member joins: the group waits for a to
    // rejoin until the rebalance timeout (10 s).
    s.apply(Action::RemoveConsumer {
        consumer: "a".into(),
    })
    .unwrap();
    consumer_with(&mut s, "c", cfg(None), "orders");
    s.advance_to(30_000);
    let snap = s.snapshot();
    let g = snap.groups.iter().find(|g| g.group_id == "g").unwrap();
    assert_eq!(
        (g.state.as_str(), g.generation),
        ("Stable", gen + 1),
        "{}",
        log_lines(&s)
    );
    assert_eq!(g.members.len(), 3, "a keeps its place: {}", log_lines(&s));
    let removed = events_matching(&s, |k| matches!(k, EventKind::MemberRemoved { .. }));
    assert!(removed.is_empty(), "nobody removed yet: {removed:?}");
    assert_eq!(counts(&s, "g"), vec![2, 2, 2], "a's share waits for it");
    // a's session (45 s from the end of the join phase) expires: a rebalance without it.
    s.advance_to(80_000);
    let (state, now) = group_state(&s, "g");
    assert_eq!(state, "Stable", "{}", log_lines(&s));
    assert_eq!(now, gen + 2, "{}", log_lines(&s));
    assert_eq!(counts(&s, "g"), vec![3, 3]);
    let removed = events_matching(&s, |k| matches!(k, EventKind::MemberRemoved { .. }));
    assert_eq!(removed.len(), 1, "{}", log_lines(&s));
    assert!(
        removed[0].0 >= 60_000,
        "removed on its session timeout, not the rebalance timeout: {removed:?}"
    );
}

/// max.poll.interval.ms: an application that processes too long between polls is taken out
/// of the group by its own heartbeat thread (LeaveGroup), and the others take over.
#[test]
fn a_consumer_stuck_processing_past_max_poll_interval_leaves_the_group() {
    let mut s = setup(6);
    let slow = brokerlab_engine::consumer::ConsumerConfig {
        max_poll_interval_ms: 20_000,
        auto_offset_reset: brokerlab_engine::consumer::OffsetResetStrategy::Earliest,
        ..group_config("g")
    };
    consumer_with(&mut s, "fast", slow.clone(), "orders");
    consumer_with(&mut s, "slow", slow, "orders");
    s.advance_to(8_000);
    // 1 s per record: a poll of up to 500 records takes far longer than 20 s.
    s.apply(Action::SetProcessingTime {
        consumer: "slow".into(),
        us: 1_000_000,
    })
    .unwrap();
    s.advance_to(60_000);
    let lines = log_lines(&s);
    assert!(
        !events_matching(&s, |k| matches!(k, EventKind::LeaveGroup { .. })).is_empty(),
        "{lines}"
    );
    let o = owners(&s, "g");
    if std::env::var("SHOW").is_ok() {
        println!("{lines}");
    }
    assert_eq!(o.get("fast").map(Vec::len), Some(6), "{lines}");
}

fn assigned(s: &brokerlab_engine::Simulation, consumer: &str) -> Vec<u32> {
    let snap = s.snapshot();
    let c = snap
        .consumers
        .iter()
        .find(|c| c.name == consumer)
        .expect("consumer");
    let mut v: Vec<u32> = c.assigned.iter().map(|a| a.partition).collect();
    v.sort();
    v
}

/// StickyAssignor (eager, KIP-54): the members keep most of what they had; the newcomer takes
/// one partition from each.
#[test]
fn sticky_keeps_partitions_with_their_owners_when_a_member_joins() {
    use brokerlab_engine::protocol::AssignorName;
    let mut s = setup(7);
    consumer_with(
        &mut s,
        "a",
        with_assignor("g", AssignorName::Sticky),
        "orders",
    );
    consumer_with(
        &mut s,
        "b",
        with_assignor("g", AssignorName::Sticky),
        "orders",
    );
    s.advance_to(10_000);
    let (a0, b0) = (assigned(&s, "a"), assigned(&s, "b"));
    assert_eq!((a0.len(), b0.len()), (3, 3));
    consumer_with(
        &mut s,
        "c",
        with_assignor("g", AssignorName::Sticky),
        "orders",
    );
    s.advance_to(20_000);
    let (a1, b1, c1) = (assigned(&s, "a"), assigned(&s, "b"), assigned(&s, "c"));
    assert_eq!(
        (a1.len(), b1.len(), c1.len()),
        (2, 2, 2),
        "{}",
        log_lines(&s)
    );
    assert!(
        a1.iter().all(|p| a0.contains(p)),
        "a kept its own: {a0:?} -> {a1:?}"
    );
    assert!(
        b1.iter().all(|p| b0.contains(p)),
        "b kept its own: {b0:?} -> {b1:?}"
    );
}

/// KIP-429: with cooperative-sticky a join takes two rebalances. In the first, only the
/// partitions that move are revoked (the others keep being consumed); in the second they are
/// assigned to the newcomer. No partition is ever held by two consumers at once.
#[test]
fn cooperative_sticky_moves_only_what_it_must_in_two_rebalances() {
    use brokerlab_engine::protocol::AssignorName;
    let mut s = setup(8);
    let cfg = || with_assignor("g", AssignorName::CooperativeSticky);
    consumer_with(&mut s, "a", cfg(), "orders");
    consumer_with(&mut s, "b", cfg(), "orders");
    s.advance_to(10_000);
    let gen = group_state(&s, "g").1;
    let (a0, b0) = (assigned(&s, "a"), assigned(&s, "b"));
    let revoked_before =
        events_matching(&s, |k| matches!(k, EventKind::PartitionsRevoked { .. })).len();
    consumer_with(&mut s, "c", cfg(), "orders");
    // Step event by event through the rebalances, checking exclusive ownership on the way.
    while s.now() < 20_000 {
        s.step();
        let mut seen = std::collections::BTreeSet::new();
        for c in ["a", "b", "c"] {
            for p in assigned(&s, c) {
                assert!(
                    seen.insert(p),
                    "partition {p} held twice at {} ms\n{}",
                    s.now(),
                    log_lines(&s)
                );
            }
        }
    }
    assert_eq!(
        group_state(&s, "g"),
        ("Stable".to_string(), gen + 2),
        "{}",
        log_lines(&s)
    );
    let (a1, b1, c1) = (assigned(&s, "a"), assigned(&s, "b"), assigned(&s, "c"));
    assert_eq!((a1.len(), b1.len(), c1.len()), (2, 2, 2));
    assert!(a1.iter().all(|p| a0.contains(p)) && b1.iter().all(|p| b0.contains(p)));
    let revoked: Vec<_> = events_matching(&s, |k| matches!(k, EventKind::PartitionsRevoked { .. }))
        .into_iter()
        .skip(revoked_before)
        .collect();
    let moved: usize = revoked
        .iter()
        .map(|(_, k)| match k {
            EventKind::PartitionsRevoked { partitions, .. } => partitions.len(),
            _ => 0,
        })
        .sum();
    assert_eq!(
        moved, 2,
        "only the two partitions that move are revoked: {revoked:?}"
    );
}

/// Eager protocol, shown for contrast: every member revokes everything before rejoining.
#[test]
fn eager_range_revokes_everything_on_every_rebalance() {
    let mut s = setup(9);
    consumer(&mut s, "a", "g", "orders");
    consumer(&mut s, "b", "g", "orders");
    s.advance_to(10_000);
    let before = events_matching(&s, |k| matches!(k, EventKind::PartitionsRevoked { .. })).len();
    consumer(&mut s, "c", "g", "orders");
    s.advance_to(20_000);
    let revoked: usize = events_matching(&s, |k| matches!(k, EventKind::PartitionsRevoked { .. }))
        .into_iter()
        .skip(before)
        .map(|(_, k)| match k {
            EventKind::PartitionsRevoked { partitions, .. } => partitions.len(),
            _ => 0,
        })
        .sum();
    assert_eq!(revoked, 6, "all six partitions were revoked");
}

/// A topic deleted while a producer writes to it and a group reads it, then created again with
/// fewer partitions: the producer's send() finds the new topic and the group's leader sees the
/// new metadata and rebalances, so both members own a partition again.
#[test]
fn a_topic_deleted_and_created_again_is_found_by_its_producer_and_group() {
    let mut s = sim(11);
    topic(&mut s, "orders", 6);
    producer(
        &mut s,
        "checkout",
        "orders",
        200,
        KeyDistribution::Uniform { keys: 20 },
    );
    consumer_with(&mut s, "billing-1", earliest("billing"), "orders");
    consumer_with(&mut s, "billing-2", earliest("billing"), "orders");
    advance_checked(&mut s, 10_000);
    assert_eq!(counts(&s, "billing"), vec![3, 3]);
    let (_, generation) = group_state(&s, "billing");
    s.apply(Action::DeleteTopic {
        name: "orders".into(),
    })
    .unwrap();
    advance_checked(&mut s, 15_000);
    let snap = s.snapshot();
    let p = &snap.producers[0];
    assert_eq!(
        (p.topic.as_deref(), p.waiting_for_topic.as_deref()),
        (None, Some("orders"))
    );
    s.apply(Action::CreateTopic {
        name: "orders".into(),
        partitions: 2,
        config: Default::default(),
    })
    .unwrap();
    advance_checked(&mut s, 30_000);
    let snap = s.snapshot();
    assert_eq!(snap.producers[0].topic.as_deref(), Some("orders"));
    let t = snap.topics.iter().find(|t| t.name == "orders").unwrap();
    let written: i64 = t.partitions.iter().map(|p| p.log_end_offset).sum();
    assert!(
        written > 2_000,
        "the producer writes to the new topic: {written}"
    );
    let (state, now) = group_state(&s, "billing");
    assert_eq!(state, "Stable");
    assert!(
        now > generation,
        "the group rebalanced onto the new topic: {}",
        log_lines(&s)
    );
    assert_eq!(counts(&s, "billing"), vec![1, 1], "{}", log_lines(&s));
    let a = audit(&s, "billing");
    assert!(
        a.consumed > 2_000 && a.not_yet_consumed < 200,
        "the group reads it: {a:?}"
    );
}

/// Records a member consumed between two instants, stepping the simulation to each.
fn consumed_by(s: &mut brokerlab_engine::Simulation, consumer: usize) -> u64 {
    s.snapshot().consumers[consumer].stats.records_consumed
}

/// Group `g` under `assignor` on a 6-partition topic at 600 records/s: `c1`, and `c2` which takes
/// 10 ms a record (so a rebalance waits seconds for its JoinGroup), stable at 10 s.
fn two_members_one_slow(
    assignor: brokerlab_engine::protocol::AssignorName,
) -> brokerlab_engine::Simulation {
    let mut s = sim(3);
    topic(&mut s, "orders", 6);
    producer(
        &mut s,
        "p",
        "orders",
        600,
        KeyDistribution::Uniform { keys: 60 },
    );
    consumer_with(&mut s, "c1", with_assignor("g", assignor), "orders");
    let slow = brokerlab_engine::consumer::ConsumerConfig {
        processing_us: 10_000,
        ..with_assignor("g", assignor)
    };
    consumer_with(&mut s, "c2", slow, "orders");
    advance_checked(&mut s, 10_000);
    s
}

/// While a third member joins, the first one keeps consuming the partitions it keeps under
/// cooperative-sticky (KIP-429), and consumes nothing under an eager assignor, which revokes
/// everything before rejoining. The second member is slow (10 ms a record), so the group waits
/// seconds for its JoinGroup after the first has rejoined.
#[test]
fn cooperative_members_keep_consuming_during_a_rebalance_and_eager_ones_stop() {
    use brokerlab_engine::protocol::AssignorName;
    let mut during = Vec::new();
    for assignor in [AssignorName::CooperativeSticky, AssignorName::Range] {
        let mut s = two_members_one_slow(assignor);
        consumer_with(&mut s, "c3", with_assignor("g", assignor), "orders");
        // Step to where c1 rejoins (it learns of the rebalance from a heartbeat), then to the
        // rebalance's end.
        let mut t = s.now();
        while s.snapshot().consumers[0].state == "Stable" {
            t += 1;
            advance_checked(&mut s, t);
        }
        let before = consumed_by(&mut s, 0);
        let from = t;
        while group_state(&s, "g").0 != "Stable" {
            t += 1;
            advance_checked(&mut s, t);
        }
        assert!(
            t - from > 300,
            "{assignor:?}: c1 waited for c2 ({from}..{t})"
        );
        during.push(consumed_by(&mut s, 0) - before);
    }
    assert!(
        during[0] > 100,
        "cooperative: c1 went on consuming: {during:?}"
    );
    assert_eq!(
        during[1], 0,
        "eager: c1 held nothing while the group rebalanced: {during:?}"
    );
}

/// `ConsumerCoordinator`: with auto commit a member commits in `onJoinPrepare`, eager or
/// cooperative, and a cooperative member revokes after SyncGroup in `onJoinComplete` without
/// committing again. What it read from a partition it then gives up, between that commit and the
/// revocation, is read again by the partition's next owner: a cooperative hand-off shows
/// duplicates, an eager one (nothing read while it rejoins) does not.
#[test]
fn a_cooperative_hand_off_redelivers_what_was_read_after_on_join_prepare_committed() {
    use brokerlab_engine::protocol::AssignorName;
    let mut dups = Vec::new();
    for assignor in [AssignorName::CooperativeSticky, AssignorName::Range] {
        // c2 is slow to rejoin: c1 reads on for seconds after its commit.
        let mut s = two_members_one_slow(assignor);
        let before = audit(&s, "g").duplicates;
        assert_eq!(before, 0);
        consumer_with(&mut s, "c3", with_assignor("g", assignor), "orders");
        advance_checked(&mut s, 30_000);
        assert_eq!(group_state(&s, "g").0, "Stable", "{}", log_lines(&s));
        let a = audit(&s, "g");
        assert_eq!(a.gaps, 0, "{assignor:?}: {a:?}");
        dups.push(a.duplicates);
    }
    assert!(
        dups[0] > 50,
        "cooperative: redelivered after the hand-off: {dups:?}"
    );
    assert_eq!(
        dups[1], 0,
        "eager: committed right before revoking: {dups:?}"
    );
}
