//! Brokers, replication and failure: followers, the ISR, acks=all and min.insync.replicas,
//! broker kills and restarts, clean and unclean elections, coordinator failover.

mod common;

use brokerlab_engine::cluster::TopicConfig;
use brokerlab_engine::consumer::{ConsumerConfig, OffsetResetStrategy};
use brokerlab_engine::event::{EventKind, ValidationOutcome};
use brokerlab_engine::ground::BrokerId;
use brokerlab_engine::ground::ErrorCode;
use brokerlab_engine::producer::{KeyDistribution, ProducerConfig};
use brokerlab_engine::protocol::Acks;
use brokerlab_engine::{Action, ResetTo, Simulation};
use common::*;

fn replicated(s: &mut Simulation, name: &str, partitions: u32, config: TopicConfig) {
    s.apply(Action::CreateTopic {
        name: name.into(),
        partitions,
        config,
    })
    .expect("valid topic");
}

fn rf3(min_isr: u32) -> TopicConfig {
    TopicConfig {
        replication_factor: 3,
        min_insync_replicas: min_isr,
        ..TopicConfig::default()
    }
}

fn acks(a: Acks) -> ProducerConfig {
    ProducerConfig {
        acks: a,
        ..ProducerConfig::default()
    }
}

fn leader(s: &Simulation, topic: &str, p: u32) -> Option<BrokerId> {
    let c = s.cluster();
    let idx = c.partition_idx(c.topic_id(topic)?, p)?;
    c.partition(idx)?.leader
}

fn partition<'a>(
    s: &'a Simulation,
    topic: &str,
    p: u32,
) -> &'a brokerlab_engine::cluster::Partition {
    let c = s.cluster();
    let idx = c
        .partition_idx(c.topic_id(topic).expect("topic"), p)
        .expect("partition");
    c.partition(idx).expect("exists")
}

fn kill(s: &mut Simulation, b: BrokerId) {
    s.apply(Action::KillBroker { broker: b }).expect("kill");
}

/// Topic `t` (one partition, RF 3, min ISR 1, unclean election on), producer `p` (acks=1, null
/// keys, `rate` records/s) and consumer `c` of group `g` reading from the earliest offset.
fn unclean_setup(s: &mut Simulation, rate: u64) {
    let cfg = TopicConfig {
        unclean_leader_election_enable: true,
        ..rf3(1)
    };
    replicated(s, "t", 1, cfg);
    producer_with(
        s,
        "p",
        acks(Acks::Leader),
        load("t", rate, KeyDistribution::None),
    );
    consumer_with(s, "c", earliest("g"), "t");
}

/// The brokers following the leader of `t`-0.
fn followers_of_t(s: &Simulation) -> Vec<BrokerId> {
    partition(s, "t", 0)
        .followers
        .iter()
        .map(|r| r.broker)
        .collect()
}

/// Adds `delay_ms` to every message of each broker (0 restores them).
fn slow_all(s: &mut Simulation, brokers: &[BrokerId], delay_ms: u64) {
    for &broker in brokers {
        s.apply(Action::SlowBroker { broker, delay_ms }).unwrap();
    }
}

/// Topic `t` (one partition, RF 3, min.insync.replicas 2) whose followers are killed and, by
/// 10 s, fenced: the ISR is the leader alone. Returns the followers.
fn t_with_the_leader_alone(s: &mut Simulation) -> Vec<BrokerId> {
    replicated(s, "t", 1, rf3(2));
    advance_checked(s, 100);
    let followers = followers_of_t(s);
    for &f in &followers {
        kill(s, f);
    }
    advance_checked(s, 10_000);
    assert_eq!(partition(s, "t", 0).isr.len(), 1);
    followers
}

/// Followers copy the leader's batches at the same offsets; the high watermark follows the
/// slowest in-sync replica and ends at the log end once everyone caught up.
#[test]
fn followers_replicate_the_leaders_log_and_the_high_watermark_follows_the_isr() {
    let mut s = sim(1);
    replicated(&mut s, "t", 3, rf3(2));
    producer_with(
        &mut s,
        "p",
        acks(Acks::All),
        load("t", 2_000, KeyDistribution::Uniform { keys: 50 }),
    );
    advance_checked(&mut s, 3_000);
    s.apply(Action::SetRate {
        producer: "p".into(),
        rate: 0,
    })
    .unwrap();
    advance_checked(&mut s, 4_000);
    for p in 0..3 {
        let part = partition(&s, "t", p);
        assert_eq!(part.followers.len(), 2);
        assert_eq!(part.isr.len(), 3, "everyone in sync");
        assert!(part.log.log_end_offset() > 1_000);
        assert_eq!(part.high_watermark, part.log.log_end_offset());
        assert!(part.replicas_agree(), "partition {p}: replicas differ");
        for r in &part.followers {
            assert_eq!(
                r.high_watermark, part.high_watermark,
                "followers learn the HW"
            );
        }
    }
    let acked = s.producer(0).unwrap().stats.records_acked;
    assert!(acked > 5_000, "{acked}");
}

/// Consumers read only below the high watermark: with a follower slowed down and acks=1,
/// the leader's log runs ahead of what consumers may see.
#[test]
fn consumers_never_read_past_the_high_watermark() {
    let mut s = sim(2);
    replicated(&mut s, "t", 1, rf3(1));
    producer_with(
        &mut s,
        "p",
        acks(Acks::Leader),
        load("t", 1_000, KeyDistribution::None),
    );
    advance_checked(&mut s, 1_000);
    let f = partition(&s, "t", 0).followers[0].broker;
    s.apply(Action::SlowBroker {
        broker: f,
        delay_ms: 2_000,
    })
    .unwrap();
    advance_checked(&mut s, 4_000);
    let part = partition(&s, "t", 0);
    assert!(
        part.log.log_end_offset() > part.high_watermark + 500,
        "LEO {} HW {}",
        part.log.log_end_offset(),
        part.high_watermark
    );
    let view = s.snapshot();
    let t = view.topics.iter().find(|t| t.name == "t").unwrap();
    assert_eq!(t.partitions[0].high_watermark, part.high_watermark);
}

/// `Partition.maybeShrinkIsr`: a follower slowed by 6 s (within the broker session, so never
/// fenced) falls more than `replica.lag.time.max.ms` (5 s here) behind and leaves the ISR as
/// lagging; once its messages are fast again it catches up and rejoins (`maybeExpandIsr`).
#[test]
fn a_slow_follower_leaves_the_isr_and_rejoins_when_caught_up() {
    let config = brokerlab_engine::ClusterConfig {
        replica_lag_time_max_ms: 5_000,
        ..Default::default()
    };
    let mut s = Simulation::new(3, config).unwrap();
    replicated(&mut s, "t", 1, rf3(1));
    producer_with(
        &mut s,
        "p",
        acks(Acks::Leader),
        load("t", 500, KeyDistribution::None),
    );
    advance_checked(&mut s, 1_000);
    let slow = partition(&s, "t", 0).followers[0].broker;
    s.apply(Action::SlowBroker {
        broker: slow,
        delay_ms: 6_000,
    })
    .unwrap();
    advance_checked(&mut s, 30_000);
    assert!(
        !partition(&s, "t", 0).isr.contains(&slow),
        "slow follower left the ISR"
    );
    let shrunk = events_matching(
        &s,
        |e| matches!(e, EventKind::IsrShrunk { removed, lagging: true, .. } if removed.contains(&slow)),
    );
    let (when, _) = shrunk.first().expect("an IsrShrunk event for lagging");
    assert!((6_000..=30_000).contains(when), "shrunk at {when}");
    assert!(events_matching(&s, |e| matches!(e, EventKind::BrokerFenced { .. })).is_empty());
    s.apply(Action::SlowBroker {
        broker: slow,
        delay_ms: 0,
    })
    .unwrap();
    // Fetches already on the wire still take 6 s each way; then it catches up.
    let mut back = None;
    for t in (31..=90).map(|x| x * 1_000) {
        advance_checked(&mut s, t);
        if partition(&s, "t", 0).isr.contains(&slow) {
            back = Some(t);
            break;
        }
    }
    let back = back.expect("caught up and back in the ISR");
    assert!(back <= 60_000, "{back}");
}

/// KRaft's broker session (`broker.session.timeout.ms`, 9 s; heartbeats every 2 s): a broker
/// whose messages are 20 s late is fenced although it runs, 9 s after the delay began: it loses
/// its leaderships and leaves the ISRs. Once its delayed heartbeats and metadata get through it
/// is unfenced, and with normal speed back it rejoins the ISR. A delay within the session (5 s)
/// fences nothing.
#[test]
fn a_broker_whose_heartbeats_come_too_late_is_fenced_and_unfenced() {
    let mut s = sim(3);
    replicated(&mut s, "t", 3, rf3(1));
    producer_with(
        &mut s,
        "p",
        acks(Acks::Leader),
        load("t", 200, KeyDistribution::None),
    );
    advance_checked(&mut s, 1_000);
    let target = leader(&s, "t", 0).unwrap();
    slow_all(&mut s, &[target], 5_000);
    advance_checked(&mut s, 15_000);
    assert!(events_matching(&s, |e| matches!(e, EventKind::BrokerFenced { .. })).is_empty());
    slow_all(&mut s, &[target], 20_000);
    advance_checked(&mut s, 23_900);
    assert!(events_matching(&s, |e| matches!(e, EventKind::BrokerFenced { .. })).is_empty());
    advance_checked(&mut s, 24_100);
    let fenced = events_matching(
        &s,
        |e| matches!(e, EventKind::BrokerFenced { broker } if *broker == target),
    );
    assert_eq!(fenced.len(), 1);
    assert_eq!(
        fenced[0].0, 24_000,
        "fenced one session after the delay began"
    );
    for p in 0..3 {
        assert_ne!(leader(&s, "t", p), Some(target), "t-{p} led elsewhere");
        assert!(!partition(&s, "t", p).isr.contains(&target));
    }
    assert!(s
        .snapshot()
        .brokers
        .iter()
        .any(|b| b.id == target && b.alive && b.fenced));
    // Heartbeats under the 20 s delay get through: unfenced 2 s + 2 x 20 s after it began.
    advance_checked(&mut s, 57_100);
    let unfenced = events_matching(
        &s,
        |e| matches!(e, EventKind::BrokerUnfenced { broker } if *broker == target),
    );
    assert_eq!(unfenced.first().map(|u| u.0), Some(57_000));
    slow_all(&mut s, &[target], 0);
    advance_checked(&mut s, 120_000);
    for p in 0..3 {
        assert!(
            partition(&s, "t", p).isr.contains(&target),
            "t-{p} ISR back"
        );
    }
}

/// Scenario 1 of the issue: RF=3, acks=all, min.insync.replicas=2, the leader killed mid-stream.
/// A new leader comes from the ISR and no acknowledged record is lost.
#[test]
fn killing_the_leader_with_acks_all_and_min_isr_2_loses_nothing() {
    let mut s = sim(4);
    replicated(&mut s, "orders", 3, rf3(2));
    producer_with(
        &mut s,
        "p",
        acks(Acks::All),
        load("orders", 1_000, KeyDistribution::Uniform { keys: 100 }),
    );
    consumer_with(&mut s, "c", earliest("g"), "orders");
    advance_checked(&mut s, 5_000);
    let old = leader(&s, "orders", 0).unwrap();
    let isr_before = partition(&s, "orders", 0).isr.clone();
    kill(&mut s, old);
    advance_checked(&mut s, 30_000);
    let new = leader(&s, "orders", 0).expect("a new leader");
    assert_ne!(new, old);
    assert!(isr_before.contains(&new), "the new leader was in the ISR");
    let elected = events_matching(&s, |e| {
        matches!(
            e,
            EventKind::LeaderElected {
                unclean: false,
                leader: Some(_),
                ..
            }
        )
    });
    assert!(!elected.is_empty());
    let (t, _) = elected[0];
    assert!(
        t >= 5_000 + 9_000,
        "the controller waits broker.session.timeout.ms: {t}"
    );
    s.apply(Action::SetRate {
        producer: "p".into(),
        rate: 0,
    })
    .unwrap();
    advance_checked(&mut s, 60_000);
    let a = audit(&s, "g");
    assert!(a.produced > 20_000, "{a:?}");
    assert_eq!(a.lost, 0, "{a:?}");
    assert_eq!(a.gaps, 0, "{a:?}");
    assert_eq!(a.not_yet_consumed, 0, "{a:?}");
    // The producer retried through the outage instead of failing.
    assert_eq!(s.producer(0).unwrap().stats.records_failed, 0);
}

/// Scenario 2: RF=3, acks=1, both followers lagging (out of the ISR), unclean election on; the
/// leader dies and an out-of-sync follower takes over. Acknowledged records are lost, counted,
/// and the old leader truncates its log when it comes back.
#[test]
fn unclean_election_after_acks_1_loses_acknowledged_records() {
    let mut s = sim(5);
    unclean_setup(&mut s, 500);
    advance_checked(&mut s, 2_000);
    let old = leader(&s, "t", 0).unwrap();
    let followers = followers_of_t(&s);
    slow_all(&mut s, &followers, 60_000);
    advance_checked(&mut s, 50_000);
    assert_eq!(
        partition(&s, "t", 0).isr,
        vec![old],
        "followers fell out of the ISR"
    );
    kill(&mut s, old);
    slow_all(&mut s, &followers, 0);
    advance_checked(&mut s, 70_000);
    let new = leader(&s, "t", 0).expect("unclean leader");
    assert!(followers.contains(&new));
    let unclean = events_matching(
        &s,
        |e| matches!(e, EventKind::LeaderElected { unclean: true, records_dropped, .. } if *records_dropped > 0),
    );
    assert_eq!(unclean.len(), 1, "{}", log_lines(&s));
    let a = audit(&s, "g");
    assert!(a.lost > 1_000, "acknowledged records lost: {a:?}");
    // The old leader comes back, truncates to the new leader's log and converges.
    s.apply(Action::RestartBroker { broker: old }).unwrap();
    s.apply(Action::SetRate {
        producer: "p".into(),
        rate: 0,
    })
    .unwrap();
    advance_checked(&mut s, 120_000);
    assert!(!events_matching(
        &s,
        |e| matches!(e, EventKind::FollowerTruncated { broker, .. } if *broker == old)
    )
    .is_empty());
    let part = partition(&s, "t", 0);
    assert!(part.replicas_agree(), "replicas converge after truncation");
    assert_eq!(part.isr.len(), 3);
}

/// Without unclean election, a partition whose ISR is all dead stays offline, and comes back
/// with its last ISR member.
#[test]
fn a_partition_without_live_isr_stays_offline_until_its_last_isr_member_returns() {
    let mut s = sim(6);
    let cfg = TopicConfig {
        replication_factor: 2,
        ..TopicConfig::default()
    };
    replicated(&mut s, "t", 1, cfg);
    producer_with(
        &mut s,
        "p",
        acks(Acks::All),
        load("t", 200, KeyDistribution::None),
    );
    advance_checked(&mut s, 2_000);
    let l = leader(&s, "t", 0).unwrap();
    let f = partition(&s, "t", 0).followers[0].broker;
    kill(&mut s, f);
    advance_checked(&mut s, 12_000);
    assert_eq!(
        partition(&s, "t", 0).isr,
        vec![l],
        "fenced follower left the ISR"
    );
    kill(&mut s, l);
    advance_checked(&mut s, 25_000);
    assert_eq!(leader(&s, "t", 0), None, "offline");
    s.apply(Action::RestartBroker { broker: f }).unwrap();
    advance_checked(&mut s, 26_000);
    assert_eq!(
        leader(&s, "t", 0),
        None,
        "an out-of-sync replica does not lead"
    );
    s.apply(Action::RestartBroker { broker: l }).unwrap();
    advance_checked(&mut s, 40_000);
    assert_eq!(leader(&s, "t", 0), Some(l));
    assert_eq!(partition(&s, "t", 0).isr.len(), 2, "the follower caught up");
}

/// Scenario 3: with fewer in-sync replicas than min.insync.replicas, acks=all produce requests
/// are refused with NOT_ENOUGH_REPLICAS and nothing is acknowledged.
#[test]
fn min_isr_not_met_refuses_acks_all_writes() {
    let mut s = sim(7);
    t_with_the_leader_alone(&mut s);
    producer_with(
        &mut s,
        "p",
        acks(Acks::All),
        load("t", 200, KeyDistribution::None),
    );
    consumer_with(&mut s, "c", earliest("g"), "t");
    advance_checked(&mut s, 20_000);
    let refused = events_matching(&s, |e| {
        matches!(
            e,
            EventKind::BatchRetried {
                error: ErrorCode::NotEnoughReplicas,
                ..
            }
        )
    });
    assert!(refused.len() > 10, "retried with NOT_ENOUGH_REPLICAS");
    assert_eq!(s.producer(0).unwrap().stats.records_acked, 0);
    assert_eq!(audit(&s, "g").produced, 0);
    assert_eq!(
        partition(&s, "t", 0).log.log_end_offset(),
        0,
        "nothing appended"
    );
    // acks=1 is not held to min.insync.replicas.
    producer_with(
        &mut s,
        "q",
        acks(Acks::Leader),
        load("t", 200, KeyDistribution::None),
    );
    advance_checked(&mut s, 22_000);
    assert!(s.producer(1).unwrap().stats.records_acked > 0);
}

/// The group coordinator moves with its __consumer_offsets partition's leader: killing its
/// broker pauses the group, a new coordinator takes over and consumption continues without
/// anyone's session expiring.
#[test]
fn group_coordinator_fails_over_with_its_partition() {
    let mut s = sim(8);
    replicated(&mut s, "t", 6, rf3(2));
    producer_with(
        &mut s,
        "p",
        acks(Acks::All),
        load("t", 500, KeyDistribution::Uniform { keys: 40 }),
    );
    consumer_with(&mut s, "c1", earliest("g"), "t");
    consumer_with(&mut s, "c2", earliest("g"), "t");
    advance_checked(&mut s, 10_000);
    let (_, generation) = group_state(&s, "g");
    let coordinator = s
        .cluster()
        .coordinator_for(brokerlab_engine::cluster::CONSUMER_OFFSETS, "g")
        .unwrap();
    kill(&mut s, coordinator);
    advance_checked(&mut s, 40_000);
    let moved = s
        .cluster()
        .coordinator_for(brokerlab_engine::cluster::CONSUMER_OFFSETS, "g")
        .unwrap();
    assert_ne!(moved, coordinator);
    assert!(events_matching(&s, |e| matches!(e, EventKind::MemberRemoved { .. })).is_empty());
    let (state, gen_after) = group_state(&s, "g");
    assert_eq!(state, "Stable");
    assert_eq!(gen_after, generation, "no rebalance needed");
    s.apply(Action::SetRate {
        producer: "p".into(),
        rate: 0,
    })
    .unwrap();
    advance_checked(&mut s, 60_000);
    let a = audit(&s, "g");
    assert_eq!((a.lost, a.gaps, a.not_yet_consumed), (0, 0, 0), "{a:?}");
}

/// Refused broker actions change nothing and say why.
#[test]
fn broker_actions_are_validated() {
    let mut s = sim(9);
    let err = s.apply(Action::KillBroker { broker: 7 }).unwrap_err();
    assert_eq!(
        err.to_string(),
        "There is no broker 7; the brokers are 1 to 3."
    );
    let err = s.apply(Action::RestartBroker { broker: 1 }).unwrap_err();
    assert_eq!(err.to_string(), "Broker 1 is already running.");
    kill(&mut s, 1);
    let err = s.apply(Action::KillBroker { broker: 1 }).unwrap_err();
    assert_eq!(err.to_string(), "Broker 1 is already down.");
    assert!(s
        .apply(Action::SlowBroker {
            broker: 2,
            delay_ms: 700_000
        })
        .is_err());
}

/// The transaction coordinator moves with its __transaction_state partition: killing its broker
/// stalls the producer's transactions until the controller elects a new leader, then they go on;
/// a read_committed group still gets every committed record exactly once.
#[test]
fn transaction_coordinator_fails_over_with_its_partition() {
    let mut s = sim(10);
    replicated(&mut s, "t", 3, rf3(2));
    let config = ProducerConfig {
        transactional_id: Some("writer".into()),
        transaction_ms: 300,
        ..ProducerConfig::default()
    };
    producer_with(
        &mut s,
        "tx",
        config,
        load("t", 300, KeyDistribution::Uniform { keys: 20 }),
    );
    let reader = ConsumerConfig {
        isolation_level: brokerlab_engine::cluster::IsolationLevel::ReadCommitted,
        ..earliest("g")
    };
    consumer_with(&mut s, "c", reader, "t");
    advance_checked(&mut s, 8_000);
    let committed_before = s.producer(0).unwrap().stats.records_acked;
    assert!(committed_before > 0);
    let coordinator = s
        .cluster()
        .coordinator_for(brokerlab_engine::cluster::TRANSACTION_STATE, "writer")
        .unwrap();
    kill(&mut s, coordinator);
    advance_checked(&mut s, 40_000);
    let moved = s
        .cluster()
        .coordinator_for(brokerlab_engine::cluster::TRANSACTION_STATE, "writer")
        .unwrap();
    assert_ne!(moved, coordinator);
    let snap = s.snapshot();
    let p = &snap.producers[0];
    assert_ne!(p.transaction_state.as_deref(), Some("FATAL_ERROR"), "{p:?}");
    assert!(
        p.transactions_committed > 30,
        "transactions go on: {}",
        p.transactions_committed
    );
    s.apply(Action::SetRate {
        producer: "tx".into(),
        rate: 0,
    })
    .unwrap();
    advance_checked(&mut s, 60_000);
    let a = audit(&s, "g");
    assert!(a.produced > 5_000, "{a:?}");
    assert_eq!(
        (a.duplicates, a.lost, a.gaps, a.not_yet_consumed),
        (0, 0, 0, 0),
        "{a:?}"
    );
}

/// Records an unclean election threw away come back when a later unclean election picks a
/// replica that still has them (the old leader, down meanwhile, never truncated): they count as
/// lost only while no replica serves them.
#[test]
fn records_a_later_unclean_election_brings_back_are_no_longer_lost() {
    let mut s = sim(5);
    unclean_setup(&mut s, 500);
    advance_checked(&mut s, 2_000);
    let old = leader(&s, "t", 0).unwrap();
    let followers = followers_of_t(&s);
    slow_all(&mut s, &followers, 60_000);
    advance_checked(&mut s, 50_000);
    kill(&mut s, old);
    s.apply(Action::SetRate {
        producer: "p".into(),
        rate: 0,
    })
    .unwrap();
    slow_all(&mut s, &followers, 0);
    advance_checked(&mut s, 70_000);
    let lost_first = audit(&s, "g").lost;
    assert!(
        lost_first > 1_000,
        "the first unclean election lost records"
    );
    // Both followers die; the old leader, with every record it acknowledged, is the only replica
    // left and takes over uncleanly.
    for &f in &followers {
        kill(&mut s, f);
    }
    s.apply(Action::RestartBroker { broker: old }).unwrap();
    advance_checked(&mut s, 100_000);
    assert_eq!(leader(&s, "t", 0), Some(old), "{}", log_lines(&s));
    let dropped_second: u64 = events_matching(&s, |e| {
        matches!(e, EventKind::LeaderElected { leader: Some(l), unclean: true, .. } if *l == old)
    })
    .iter()
    .map(|(_, e)| match e {
        EventKind::LeaderElected { records_dropped, .. } => *records_dropped,
        _ => 0,
    })
    .sum();
    let lost = audit(&s, "g").lost;
    assert!(
        lost <= dropped_second && lost < lost_first,
        "lost {lost} after the old leader came back (first election lost {lost_first}, the second dropped {dropped_second})"
    );
}

/// Topic `t` (RF 3, unclean election on), an acks=1 producer at 50 records/s and consumer `c`
/// configured by `config`, run until both followers have been slowed out of the ISR and the
/// leader has served a minute alone; returns (leader, followers).
fn leader_alone_with_a_consumer(
    s: &mut Simulation,
    config: ConsumerConfig,
) -> (BrokerId, Vec<BrokerId>) {
    replicated(
        s,
        "t",
        1,
        TopicConfig {
            unclean_leader_election_enable: true,
            ..rf3(1)
        },
    );
    producer_with(
        s,
        "p",
        acks(Acks::Leader),
        load("t", 50, KeyDistribution::None),
    );
    // A committed offset to start from, so that auto.offset.reset=none can start too.
    s.apply(Action::ResetOffsets {
        group: "g".into(),
        topic: Some("t".into()),
        to: ResetTo::Earliest,
    })
    .expect("reset");
    consumer_with(s, "c", config, "t");
    advance_checked(s, 5_000);
    let old = leader(s, "t", 0).unwrap();
    let followers = followers_of_t(s);
    slow_all(s, &followers, 60_000);
    advance_checked(s, 60_000);
    (old, followers)
}

/// Runs `leader_alone_with_a_consumer` until an unclean election has truncated the log below
/// the consumer's position; returns the election's time.
fn consumer_ahead_of_an_unclean_election(s: &mut Simulation, config: ConsumerConfig) -> u64 {
    let (old, followers) = leader_alone_with_a_consumer(s, config);
    let ahead = partition(s, "t", 0).high_watermark;
    kill(s, old);
    slow_all(s, &followers, 0);
    advance_checked(s, 75_000);
    let p = partition(s, "t", 0);
    assert!(followers.contains(&p.leader.expect("unclean leader")));
    let elected = events_matching(
        s,
        |e| matches!(e, EventKind::LeaderElected { unclean: true, records_dropped, .. } if *records_dropped > 0),
    );
    assert_eq!(elected.len(), 1, "{}", log_lines(s));
    assert!(
        p.leader_epoch_start_offset < ahead - 1_000,
        "the new leader lacked the last records"
    );
    elected[0].0
}

/// The consumer's position validations after `t`.
fn validations_after(s: &Simulation, t: u64) -> Vec<(i64, i64, ValidationOutcome)> {
    events_matching(s, |e| matches!(e, EventKind::PositionValidated { .. }))
        .into_iter()
        .filter(|(at, _)| *at >= t)
        .filter_map(|(_, e)| match e {
            EventKind::PositionValidated {
                position,
                end_offset,
                outcome,
                ..
            } => Some((position, end_offset, outcome)),
            _ => None,
        })
        .collect()
}

/// KIP-320, `SubscriptionState.maybeCompleteValidation`: after an unclean election truncates the
/// log below a consumer's position, the consumer asks the new leader where the epoch of its last
/// record ends (`OffsetsForLeaderEpoch`, answered by `LeaderEpochFileCache.endOffsetFor`) and
/// seeks to that divergence point: it neither re-reads the log from the start
/// (auto.offset.reset=earliest) nor waits, and the protocol log says so.
#[test]
fn consumer_detects_log_truncation_and_seeks_to_the_divergence_point() {
    let mut s = sim(5);
    let elected = consumer_ahead_of_an_unclean_election(&mut s, earliest("g"));
    let diverged = partition(&s, "t", 0).leader_epoch_start_offset;
    let found = validations_after(&s, elected);
    assert_eq!(
        found.first().map(|v| v.2),
        Some(ValidationOutcome::Truncated { seek_to: diverged }),
        "{}",
        log_lines(&s)
    );
    assert!(
        found[0].0 > diverged,
        "the position was past the divergence"
    );
    let resets = events_matching(&s, |e| matches!(e, EventKind::OffsetReset { .. }))
        .into_iter()
        .filter(|(t, _)| *t >= elected)
        .count();
    assert_eq!(resets, 0, "no auto.offset.reset: {}", log_lines(&s));
    let line = log_lines(&s);
    assert!(
        line.contains(&format!("truncation detected at offset {}", found[0].0))
            && line.contains(&format!("the log diverges at {diverged}")),
        "{line}"
    );
    let a = audit(&s, "g");
    assert_eq!(a.duplicates, 0, "nothing read twice: {a:?}");
    assert_eq!(
        a.not_yet_consumed, 0,
        "caught up with the new leader: {a:?}"
    );
    assert_eq!(a.gaps, 0, "nothing the new leader has skipped: {a:?}");
}

/// KIP-320 with auto.offset.reset=none: the truncation is not papered over;
/// `poll()` throws `LogTruncationException` and the partition has no position until the
/// application seeks.
#[test]
fn consumer_without_a_reset_policy_reports_log_truncation() {
    let mut s = sim(5);
    let config = ConsumerConfig {
        auto_offset_reset: OffsetResetStrategy::None,
        ..group_config("g")
    };
    let elected = consumer_ahead_of_an_unclean_election(&mut s, config);
    let found = validations_after(&s, elected);
    assert_eq!(
        found.first().map(|v| v.2),
        Some(ValidationOutcome::NoResetPolicy),
        "{}",
        log_lines(&s)
    );
    let c = s.consumer(0).unwrap();
    assert_eq!(c.assigned[0].position, None);
    assert!(log_lines(&s).contains("LogTruncationException"));
}

/// KIP-320 after a clean failover: the new leader has everything below the consumer's position,
/// so the validation completes and the consumer goes on from where it was.
#[test]
fn consumer_validates_its_position_after_a_clean_leader_change() {
    let mut s = sim(4);
    replicated(&mut s, "t", 1, rf3(2));
    producer_with(
        &mut s,
        "p",
        acks(Acks::All),
        load("t", 500, KeyDistribution::None),
    );
    consumer_with(&mut s, "c", earliest("g"), "t");
    advance_checked(&mut s, 5_000);
    let old = leader(&s, "t", 0).unwrap();
    kill(&mut s, old);
    advance_checked(&mut s, 30_000);
    let found = validations_after(&s, 5_000);
    assert!(!found.is_empty(), "{}", log_lines(&s));
    assert!(
        found
            .iter()
            .all(|&(pos, end, o)| o == ValidationOutcome::Valid && end >= pos),
        "{found:?}"
    );
    let a = audit(&s, "g");
    assert_eq!(a.duplicates, 0, "{a:?}");
    assert_eq!(a.lost, 0, "{a:?}");
}

/// `Partition.maybeIncrementLeaderHW` returns early while `isUnderMinIsr` (Kafka 3.7,
/// KAFKA-15583): with both followers down and min.insync.replicas 2, acks=1 records are
/// acknowledged by the leader but the high watermark stays where it was, so no consumer reads
/// them; once the followers are back in the ISR the high watermark catches up and they do.
#[test]
fn partition_holds_the_high_watermark_while_under_min_isr() {
    let mut s = sim(11);
    let followers = t_with_the_leader_alone(&mut s);
    assert!(partition(&s, "t", 0).is_under_min_isr());
    producer_with(
        &mut s,
        "p",
        acks(Acks::Leader),
        load("t", 200, KeyDistribution::None),
    );
    consumer_with(&mut s, "c", earliest("g"), "t");
    advance_checked(&mut s, 20_000);
    let part = partition(&s, "t", 0);
    assert!(part.log.log_end_offset() > 1_000, "the leader appended");
    assert_eq!(part.high_watermark, 0, "but exposes nothing");
    assert!(s.producer(0).unwrap().stats.records_acked > 1_000);
    assert_eq!(audit(&s, "g").consumed, 0, "consumers read nothing");
    for &f in &followers {
        s.apply(Action::RestartBroker { broker: f }).unwrap();
    }
    s.apply(Action::SetRate {
        producer: "p".into(),
        rate: 0,
    })
    .unwrap();
    advance_checked(&mut s, 40_000);
    let part = partition(&s, "t", 0);
    assert!(
        !part.is_under_min_isr(),
        "followers rejoined: {:?}",
        part.isr
    );
    assert_eq!(part.high_watermark, part.log.log_end_offset());
    let a = audit(&s, "g");
    assert_eq!(a.consumed, part.log.log_end_offset() as u64, "now read");
}

/// `Partition.effectiveMinIsr = min(minInSyncReplicas, replicas)`: min.insync.replicas 2 on a
/// topic of replication factor 1 does not refuse every acks=all write.
#[test]
fn partition_caps_the_effective_min_isr_at_the_replication_factor() {
    let mut s = sim(12);
    let cfg = TopicConfig {
        replication_factor: 1,
        min_insync_replicas: 2,
        ..TopicConfig::default()
    };
    replicated(&mut s, "t", 1, cfg);
    producer_with(
        &mut s,
        "p",
        acks(Acks::All),
        load("t", 200, KeyDistribution::None),
    );
    consumer_with(&mut s, "c", earliest("g"), "t");
    advance_checked(&mut s, 5_000);
    let part = partition(&s, "t", 0);
    assert_eq!(part.effective_min_isr(), 1);
    assert!(!part.is_under_min_isr());
    assert!(s.producer(0).unwrap().stats.records_acked > 500);
    assert!(audit(&s, "g").consumed > 500);
    let refused = events_matching(&s, |e| {
        matches!(
            e,
            EventKind::BatchRetried {
                error: ErrorCode::NotEnoughReplicas,
                ..
            }
        )
    });
    assert!(refused.is_empty(), "never NOT_ENOUGH_REPLICAS");
}

/// An acks=all produce already waiting in purgatory when the ISR shrinks under its minimum is not
/// completed by the high watermark, which has stopped (KAFKA-15583): it times out with
/// REQUEST_TIMED_OUT, and the retry is refused before appending with NOT_ENOUGH_REPLICAS.
#[test]
fn delayed_produce_times_out_when_the_isr_shrinks_under_its_minimum() {
    let mut s = sim(13);
    replicated(&mut s, "t", 1, rf3(2));
    advance_checked(&mut s, 100);
    let followers = followers_of_t(&s);
    // Followers so slow that every acks=all request waits in purgatory for them.
    slow_all(&mut s, &followers, 20_000);
    producer_with(
        &mut s,
        "p",
        acks(Acks::All),
        load("t", 200, KeyDistribution::None),
    );
    advance_checked(&mut s, 1_000);
    for &f in &followers {
        kill(&mut s, f);
    }
    advance_checked(&mut s, 60_000);
    let part = partition(&s, "t", 0);
    assert!(part.is_under_min_isr(), "isr {:?}", part.isr);
    assert!(
        part.log.log_end_offset() > 0,
        "the waiting batches were appended"
    );
    assert_eq!(part.high_watermark, 0);
    // The broker answers REQUEST_TIMED_OUT when the request's timeout passes; the client, whose
    // own request.timeout.ms started earlier, usually gives up on the connection first.
    let timed_out = events_matching(&s, |e| {
        matches!(
            e,
            EventKind::ProduceResponse {
                error: Some(ErrorCode::RequestTimedOut),
                ..
            } | EventKind::ProduceRequestTimedOut { .. }
        )
    });
    let refused = events_matching(&s, |e| {
        matches!(
            e,
            EventKind::BatchRetried {
                error: ErrorCode::NotEnoughReplicas,
                ..
            }
        )
    });
    assert!(!timed_out.is_empty(), "the waiting produce timed out");
    assert!(!refused.is_empty(), "retries are refused before appending");
    assert_eq!(s.producer(0).unwrap().stats.records_acked, 0);
}

/// KIP-360 (`TransactionManager.handleFailedBatch` → `requestEpochBumpForPartition`): after an
/// unclean election the new leader lacks the producer's last batches, so the next sequence the
/// producer sends leaves a gap and is refused as OUT_OF_ORDER_SEQUENCE_NUMBER. The gap is real (the
/// client had those batches acknowledged), so the idempotent producer bumps its epoch, starts the
/// partition's sequences at 0 again and retries the batch (`canRetry`) instead of being refused
/// for ever.
#[test]
fn idempotent_producer_bumps_its_epoch_on_a_sequence_gap_after_an_unclean_election() {
    let mut s = sim(15);
    let cfg = TopicConfig {
        unclean_leader_election_enable: true,
        ..rf3(1)
    };
    replicated(&mut s, "t", 1, cfg);
    producer_with(
        &mut s,
        "p",
        acks(Acks::All),
        load("t", 300, KeyDistribution::None),
    );
    advance_checked(&mut s, 2_000);
    let old = leader(&s, "t", 0).unwrap();
    let followers = followers_of_t(&s);
    slow_all(&mut s, &followers, 60_000);
    advance_checked(&mut s, 50_000);
    assert_eq!(partition(&s, "t", 0).isr, vec![old]);
    kill(&mut s, old);
    slow_all(&mut s, &followers, 0);
    advance_checked(&mut s, 70_000);
    let new = leader(&s, "t", 0).expect("unclean leader");
    assert!(followers.contains(&new));
    let gaps = events_matching(&s, |e| {
        matches!(
            e,
            EventKind::BatchRetried {
                error: ErrorCode::OutOfOrderSequenceNumber,
                ..
            }
        )
    });
    assert!(!gaps.is_empty(), "the gap was refused: {}", log_lines(&s));
    let bumps = events_matching(&s, |e| matches!(e, EventKind::ProducerEpochBumped { .. }));
    assert!(!bumps.is_empty(), "{}", log_lines(&s));
    assert!(bumps[0].0 >= gaps[0].0);
    let acked = s.producer(0).unwrap().stats.records_acked;
    advance_checked(&mut s, 80_000);
    let p = s.producer(0).unwrap();
    assert!(p.producer_id().unwrap().1 >= 1);
    assert!(
        p.stats.records_acked > acked + 2_000,
        "producing again: {acked} then {}",
        p.stats.records_acked
    );
}

/// The transaction coordinator writes markers with acks=all (`KafkaApis`
/// handleWriteTxnMarkersRequest, `requiredAcks = -1`): a marker counts only once the followers
/// have it. The leader dies right after appending a COMMIT marker, before any follower fetched
/// it; the coordinator writes the marker again at the new leader, so the transaction does not
/// stay open there for ever and read_committed readers go on.
#[test]
fn a_marker_the_followers_lack_is_written_again_at_the_new_leader() {
    let mut s = sim(16);
    replicated(&mut s, "t", 1, rf3(2));
    let config = ProducerConfig {
        transactional_id: Some("tx".into()),
        transaction_ms: 500,
        ..ProducerConfig::default()
    };
    producer_with(&mut s, "p", config, load("t", 200, KeyDistribution::None));
    let reader = ConsumerConfig {
        isolation_level: brokerlab_engine::cluster::IsolationLevel::ReadCommitted,
        ..earliest("g")
    };
    consumer_with(&mut s, "c", reader, "t");
    advance_checked(&mut s, 5_000);
    // Run until a COMMIT marker lands in t-0, then kill its leader at once.
    let written = |s: &Simulation| {
        events_matching(s, |e| {
            matches!(e, EventKind::TxnMarkerWritten { tp, commit: true, .. } if tp.topic == "t")
        })
        .len()
    };
    let before = written(&s);
    while written(&s) == before {
        s.step().expect("the producer keeps committing");
    }
    let old = leader(&s, "t", 0).unwrap();
    let marker_offset = partition(&s, "t", 0).log.log_end_offset() - 1;
    assert!(
        followers_of_t(&s).iter().all(|&f| partition(&s, "t", 0)
            .follower(f)
            .unwrap()
            .log
            .log_end_offset()
            <= marker_offset),
        "no follower has the marker yet"
    );
    kill(&mut s, old);
    s.apply(Action::SetRate {
        producer: "p".into(),
        rate: 0,
    })
    .unwrap();
    let t = s.now();
    advance_checked(&mut s, t + 40_000);
    let new = leader(&s, "t", 0).expect("a new leader");
    assert_ne!(new, old);
    let again = events_matching(
        &s,
        |e| matches!(e, EventKind::TxnMarkerWritten { tp, commit: true, offset, .. } if tp.topic == "t" && *offset >= marker_offset),
    );
    assert!(
        again.len() >= 2,
        "written again at the new leader: {again:?}"
    );
    let part = partition(&s, "t", 0);
    assert_eq!(
        part.log.first_open_txn_offset(),
        None,
        "no transaction left open"
    );
    assert_eq!(part.last_stable_offset(), part.high_watermark);
    let a = audit(&s, "g");
    // 200 records/s for 5 s, every one committed and read once.
    assert!(a.produced >= 1_000 && a.consumed == a.produced, "{a:?}");
    assert_eq!(
        a.not_yet_consumed, 0,
        "read_committed readers went on: {a:?}"
    );
}

/// `auto.leader.rebalance.enable` (default true): once a restarted broker is back in the ISR,
/// the controller's next leader balancing (every `leader.imbalance.check.interval.seconds`, 300 by
/// default) gives each partition back to its preferred replica in a clean election; consumers
/// validate their positions with the new leader and nothing acknowledged is lost. With the
/// setting off, leadership stays where the failover put it.
#[test]
fn leadership_returns_to_the_preferred_replica_with_auto_leader_rebalance() {
    for enabled in [true, false] {
        let mut s = Simulation::new(
            71,
            brokerlab_engine::ClusterConfig {
                auto_leader_rebalance_enable: enabled,
                ..brokerlab_engine::ClusterConfig::default()
            },
        )
        .unwrap();
        replicated(&mut s, "t", 1, rf3(2));
        producer_with(
            &mut s,
            "p",
            acks(Acks::All),
            load("t", 200, KeyDistribution::None),
        );
        consumer_with(&mut s, "c", earliest("g"), "t");
        s.advance_to(10_000);
        let preferred = partition(&s, "t", 0).replicas[0];
        assert_eq!(leader(&s, "t", 0), Some(preferred));
        kill(&mut s, preferred);
        s.advance_to(30_000);
        let interim = leader(&s, "t", 0).expect("failed over");
        assert_ne!(interim, preferred);
        s.apply(Action::RestartBroker { broker: preferred })
            .unwrap();
        s.advance_to(60_000);
        assert!(
            partition(&s, "t", 0).isr.contains(&preferred),
            "back in sync"
        );
        assert_eq!(leader(&s, "t", 0), Some(interim), "not before the check");
        s.advance_to(320_000);
        let moved = events_matching(&s, |k| {
            matches!(k, EventKind::PreferredLeaderElected { .. })
        });
        if enabled {
            assert_eq!(leader(&s, "t", 0), Some(preferred), "{}", log_lines(&s));
            assert_eq!(moved.len(), 1, "{moved:?}");
            assert!((300_000..=300_100).contains(&moved[0].0), "{moved:?}");
            let validated =
                events_matching(&s, |k| matches!(k, EventKind::PositionValidated { .. }))
                    .into_iter()
                    .filter(|(t, _)| *t >= 300_000)
                    .count();
            assert!(validated > 0, "the consumer validated with the new leader");
        } else {
            assert_eq!(leader(&s, "t", 0), Some(interim));
            assert!(moved.is_empty());
        }
        let a = audit(&s, "g");
        assert_eq!((a.lost, a.duplicates, a.gaps), (0, 0, 0), "{a:?}");
    }
}

/// KIP-320 for committed offsets: OffsetCommit carries the leader epoch of the last record
/// consumed, OffsetFetch returns it, and a consumer starting from such an offset validates it
/// with the leader before fetching (`SubscriptionState.seekUnvalidated`). After an unclean
/// election truncated the log below the group's committed offset, the next consumer seeks to the
/// divergence point instead of falling back to auto.offset.reset and reading the log again.
#[test]
fn a_committed_offset_past_a_truncation_is_validated_and_the_consumer_seeks_to_the_divergence() {
    let mut s = sim(5);
    let (old, followers) = leader_alone_with_a_consumer(&mut s, earliest("g"));
    // The consumer commits where it is (epoch 0) and leaves; then the leader dies.
    s.apply(Action::RemoveConsumer {
        consumer: "c".into(),
    })
    .unwrap();
    advance_checked(&mut s, 60_100);
    kill(&mut s, old);
    slow_all(&mut s, &followers, 0);
    advance_checked(&mut s, 75_000);
    let diverged = partition(&s, "t", 0).leader_epoch_start_offset;
    let committed = s
        .snapshot()
        .groups
        .iter()
        .find(|g| g.group_id == "g")
        .and_then(|g| g.partitions[0].committed)
        .unwrap();
    assert!(committed > diverged + 1_000, "{committed} vs {diverged}");
    consumer_with(&mut s, "c2", earliest("g"), "t");
    advance_checked(&mut s, 90_000);
    let found = validations_after(&s, 75_000);
    assert_eq!(
        found.first().map(|v| v.2),
        Some(ValidationOutcome::Truncated { seek_to: diverged }),
        "{}",
        log_lines(&s)
    );
    let a = audit(&s, "g");
    assert_eq!(a.duplicates, 0, "nothing read again from the start: {a:?}");
}
