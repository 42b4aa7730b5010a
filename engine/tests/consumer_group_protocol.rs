//! The consumer group protocol of Kafka 4 (KIP-848, `group.protocol=consumer`) end to end:
//! ConsumerGroupHeartbeat, group and member epochs, the coordinator's server assignors, and each
//! member's reconciliation (`GroupMetadataManager.consumerGroupHeartbeat`,
//! `CurrentAssignmentBuilder`, `ConsumerMembershipManager`).

mod common;

use brokerlab_engine::consumer::ConsumerConfig;
use brokerlab_engine::event::EventKind;
use brokerlab_engine::producer::KeyDistribution;
use brokerlab_engine::protocol::{GroupProtocol, ServerAssignor};
use brokerlab_engine::{Action, Simulation};
use common::*;

fn kip848(group: &str) -> ConsumerConfig {
    ConsumerConfig {
        group_protocol: GroupProtocol::Consumer,
        ..earliest(group)
    }
}

/// Group `g` of two consumer-protocol members on a 6-partition topic at 600 records/s, stable
/// at 10 s.
fn two_members() -> Simulation {
    two_members_at(600)
}

/// The same at `rate` records/s: a low rate keeps the group's events within the event history
/// over a minute.
fn two_members_at(rate: u64) -> Simulation {
    let mut s = sim(3);
    topic(&mut s, "orders", 6);
    producer(
        &mut s,
        "p",
        "orders",
        rate,
        KeyDistribution::Uniform { keys: 60 },
    );
    consumer_with(&mut s, "c1", kip848("g"), "orders");
    consumer_with(&mut s, "c2", kip848("g"), "orders");
    advance_checked(&mut s, 10_000);
    s
}

fn consumed(s: &Simulation, consumer: usize) -> u64 {
    s.snapshot().consumers[consumer].stats.records_consumed
}

fn group_view(s: &Simulation, group: &str) -> brokerlab_engine::view::GroupView {
    s.snapshot()
        .groups
        .iter()
        .find(|g| g.group_id == group)
        .expect("group")
        .clone()
}

/// KIP-848: the group speaks the consumer protocol, the coordinator's `uniform` assignor split
/// six partitions 3 and 3, both members are STABLE at the group epoch, and no JoinGroup or
/// SyncGroup was ever sent.
#[test]
fn kip848_members_join_by_heartbeat_and_the_coordinator_assigns() {
    let s = two_members();
    let g = group_view(&s, "g");
    assert_eq!(g.group_protocol, "consumer");
    assert_eq!(g.state, "Stable");
    assert_eq!(g.protocol.as_deref(), Some("uniform"));
    assert_eq!(counts(&s, "g"), vec![3, 3]);
    assert_eq!(g.assignment_epoch, Some(g.generation));
    for m in &g.members {
        assert_eq!(m.member_epoch, Some(g.generation));
        assert_eq!(m.member_state.as_deref(), Some("STABLE"));
    }
    let classic = events_matching(&s, |e| {
        matches!(e, EventKind::JoinGroup { .. } | EventKind::SyncGroup { .. })
    });
    assert!(classic.is_empty(), "{classic:?}");
}

/// KIP-848 (`CurrentAssignmentBuilder`): when a third member joins, the two others keep
/// consuming throughout; each partition reaches the newcomer only after its previous owner
/// revoked it; and the group ends 2-2-2, Stable, at one group epoch more.
#[test]
fn kip848_a_joining_member_stops_nobody_and_takes_partitions_only_once_released() {
    let mut s = two_members();
    let epoch_before = group_view(&s, "g").generation;
    let (c1, c2) = (consumed(&s, 0), consumed(&s, 1));
    consumer_with(&mut s, "c3", kip848("g"), "orders");
    // Through the reconciliation, in steps of 500 ms: the old members never stop.
    let mut last = (c1, c2);
    for t in (10_500..=20_000).step_by(500) {
        advance_checked(&mut s, t);
        let now = (consumed(&s, 0), consumed(&s, 1));
        assert!(
            now.0 > last.0 && now.1 > last.1,
            "a member stopped by {t} ms: {last:?} -> {now:?}"
        );
        last = now;
    }
    let g = group_view(&s, "g");
    assert_eq!(g.state, "Stable");
    assert_eq!(g.generation, epoch_before + 1);
    assert_eq!(counts(&s, "g"), vec![2, 2, 2]);
    // Every partition c3 got was revoked by its owner first.
    let events = events_matching(&s, |e| {
        matches!(
            e,
            EventKind::PartitionsRevoked { .. } | EventKind::PartitionsAssigned { .. }
        )
    });
    let c3 = s.snapshot().consumers[2].index;
    for (t, e) in &events {
        let EventKind::PartitionsAssigned {
            consumer,
            partitions,
            ..
        } = e
        else {
            continue;
        };
        if *consumer != c3 {
            continue;
        }
        for tp in partitions {
            let revoked_before = events.iter().any(|(rt, re)| {
                rt <= t
                    && matches!(re, EventKind::PartitionsRevoked { consumer, partitions, .. }
                        if *consumer != c3 && partitions.contains(tp))
            });
            assert!(
                revoked_before,
                "{tp} assigned to c3 at {t} before its owner revoked it"
            );
        }
    }
    // Nothing was lost: the audit finds every record delivered.
    advance_checked(&mut s, 30_000);
    assert_eq!(audit(&s, "g").lost, 0);
}

/// KIP-848 (`ConsumerGroup.validateOffsetCommit`): commits carry the member epoch; the members
/// commit as they go (auto commit), and commits before revocation are accepted at the member's
/// current epoch, so no STALE_MEMBER_EPOCH shows up in a plain join.
#[test]
fn kip848_commits_carry_the_member_epoch() {
    let mut s = two_members();
    consumer_with(&mut s, "c3", kip848("g"), "orders");
    advance_checked(&mut s, 25_000);
    let commits = events_matching(&s, |e| matches!(e, EventKind::OffsetCommit { .. }));
    assert!(commits.len() > 5);
    assert!(commits
        .iter()
        .all(|(_, e)| matches!(e, EventKind::OffsetCommit { error: None, .. })));
    let g = group_view(&s, "g");
    assert!(g.partitions.iter().all(|p| p.committed.is_some()));
}

/// KIP-848 session timeout (`group.consumer.session.timeout.ms`, 45 s): a crashed member keeps
/// its partitions until its session expires, then is fenced and the survivor gets all six.
#[test]
fn kip848_a_crashed_member_is_fenced_when_its_session_expires() {
    let mut s = two_members_at(10);
    s.apply(Action::CrashConsumer {
        consumer: "c2".into(),
    })
    .unwrap();
    advance_checked(&mut s, 50_000);
    assert_eq!(
        counts(&s, "g"),
        vec![3, 3],
        "kept until the session expires"
    );
    advance_checked(&mut s, 70_000);
    let removed = events_matching(&s, |e| matches!(e, EventKind::MemberRemoved { .. }));
    assert_eq!(removed.len(), 1, "{removed:?}");
    assert_eq!(counts(&s, "g"), vec![6]);
    assert_eq!(group_view(&s, "g").state, "Stable");
}

/// A member that leaves (close) sends epoch -1: its partitions go to the others at once.
#[test]
fn kip848_a_member_leaving_hands_its_partitions_over() {
    let mut s = two_members();
    s.apply(Action::RemoveConsumer {
        consumer: "c2".into(),
    })
    .unwrap();
    advance_checked(&mut s, 20_000);
    assert_eq!(counts(&s, "g"), vec![6]);
    let left = events_matching(&s, |e| matches!(e, EventKind::LeaveGroup { .. }));
    assert_eq!(left.len(), 1);
}

/// `group.remote.assignor=range`: the coordinator's RangeAssignor hands out contiguous ranges.
#[test]
fn kip848_group_remote_assignor_range_gives_contiguous_ranges() {
    let mut s = sim(5);
    topic(&mut s, "orders", 6);
    let config = ConsumerConfig {
        remote_assignor: Some(ServerAssignor::Range),
        ..kip848("g")
    };
    consumer_with(&mut s, "c1", config.clone(), "orders");
    consumer_with(&mut s, "c2", config, "orders");
    advance_checked(&mut s, 15_000);
    assert_eq!(group_view(&s, "g").protocol.as_deref(), Some("range"));
    let mut ranges: Vec<Vec<u32>> = owners(&s, "g").into_values().collect();
    ranges.sort();
    assert_eq!(ranges, vec![vec![0, 1, 2], vec![3, 4, 5]]);
}

/// `group.remote.assignor` belongs to the consumer protocol: with the classic protocol the
/// consumer is refused, naming the field, and nothing is added.
#[test]
fn group_remote_assignor_with_the_classic_protocol_is_refused() {
    let mut s = sim(1);
    topic(&mut s, "orders", 1);
    let config = ConsumerConfig {
        remote_assignor: Some(ServerAssignor::Uniform),
        ..earliest("g")
    };
    let err = s
        .apply(Action::AddConsumer {
            name: Some("c".into()),
            config,
            topics: vec!["orders".into()],
            assign: None,
        })
        .unwrap_err();
    assert!(err.to_string().contains("group.remote.assignor"), "{err}");
    assert!(s.snapshot().consumers.is_empty());
}

/// New partitions move the group epoch (the subscribed topics' metadata changed) and the
/// coordinator assigns them without any member asking.
#[test]
fn kip848_added_partitions_bump_the_group_epoch_and_get_assigned() {
    let mut s = two_members_at(10);
    let before = group_view(&s, "g").generation;
    s.apply(Action::IncreasePartitions {
        topic: "orders".into(),
        partitions: 8,
    })
    .unwrap();
    advance_checked(&mut s, 25_000);
    let g = group_view(&s, "g");
    assert!(g.generation > before);
    assert_eq!(counts(&s, "g"), vec![4, 4]);
    let bumps = events_matching(
        &s,
        |e| matches!(e, EventKind::GroupEpochBumped { reason, .. } if reason.contains("metadata")),
    );
    assert!(!bumps.is_empty());
}

/// A group speaks one protocol at a time: a classic consumer joining a consumer-protocol group
/// with members gets INCONSISTENT_GROUP_PROTOCOL and stays out.
#[test]
fn a_classic_consumer_cannot_join_a_consumer_protocol_group() {
    let mut s = two_members_at(10);
    consumer_with(&mut s, "classic", earliest("g"), "orders");
    advance_checked(&mut s, 20_000);
    let refused = events_matching(&s, |e| {
        matches!(
            e,
            EventKind::JoinGroupResponse {
                error: Some(brokerlab_engine::ground::ErrorCode::InconsistentGroupProtocol),
                ..
            }
        )
    });
    assert!(!refused.is_empty());
    assert_eq!(counts(&s, "g"), vec![3, 3]);
    assert!(s.snapshot().consumers[2].assigned.is_empty());
}

/// KIP-345 under KIP-848: a static member that restarts within the session (leave with epoch
/// -2, join with epoch 0 under the same `group.instance.id`) gets its partitions back and the
/// group epoch does not move.
#[test]
fn kip848_a_static_member_restart_moves_nothing() {
    let mut s = sim(3);
    topic(&mut s, "orders", 6);
    let stat = |id: &str| ConsumerConfig {
        group_instance_id: Some(id.into()),
        ..kip848("g")
    };
    consumer_with(&mut s, "c1", stat("i1"), "orders");
    consumer_with(&mut s, "c2", stat("i2"), "orders");
    advance_checked(&mut s, 10_000);
    let before = owners(&s, "g");
    let epoch = group_view(&s, "g").generation;
    s.apply(Action::RemoveConsumer {
        consumer: "c2".into(),
    })
    .unwrap();
    advance_checked(&mut s, 12_000);
    consumer_with(&mut s, "c2", stat("i2"), "orders");
    advance_checked(&mut s, 20_000);
    assert_eq!(group_view(&s, "g").generation, epoch);
    assert_eq!(owners(&s, "g"), before);
}
