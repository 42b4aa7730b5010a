//! A member that reads nothing says why (issue 15): more members than partitions, a deleted
//! topic, an unreachable coordinator, or a new group still waiting for more members.

use brokerlab_engine::view::{ConsumerStatus, ConsumerView, GroupView};
use brokerlab_engine::{Action, Simulation};

fn start() -> Simulation {
    let s: brokerlab_engine::Scenario =
        brokerlab_engine::scenario::json::read(&serde_json::json!({
            "seed": 5,
            "cluster": {"brokers": 3},
            "topics": [{"name": "orders", "partitions": 2, "config": {"replication.factor": 3}}],
            "producers": [{"name": "p", "load": {"topic": "orders", "rate": 200}}],
            "consumers": [
                {"name": "c1", "config": {"group.id": "g"}, "topics": ["orders"]},
                {"name": "c2", "config": {"group.id": "g"}, "topics": ["orders"]},
                {"name": "c3", "config": {"group.id": "g"}, "topics": ["orders"]}
            ],
            "duration_ms": 0
        }))
        .unwrap();
    s.start().unwrap()
}

fn consumers(sim: &Simulation) -> Vec<ConsumerView> {
    sim.snapshot().consumers
}

fn group(sim: &Simulation) -> GroupView {
    sim.snapshot()
        .groups
        .into_iter()
        .find(|g| g.group_id == "g")
        .unwrap()
}

#[test]
fn a_new_group_says_it_waits_for_more_members_before_its_first_rebalance() {
    let mut sim = start();
    sim.advance_to(1_000);
    let (until, delay) = group(&sim).initial_delay.expect("waiting");
    assert_eq!(delay, 3_000, "group.initial.rebalance.delay.ms");
    for c in consumers(&sim) {
        assert_eq!(
            c.status,
            ConsumerStatus::InitialDelay { until },
            "{}",
            c.name
        );
        assert!(c.status.text().contains("first rebalance (initial delay"));
    }
    sim.advance_to(10_000);
    assert_eq!(group(&sim).initial_delay, None);
}

#[test]
fn a_member_without_partitions_says_whether_members_outnumber_partitions() {
    let mut sim = start();
    sim.advance_to(10_000);
    let statuses: Vec<ConsumerStatus> = consumers(&sim).into_iter().map(|c| c.status).collect();
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == ConsumerStatus::Idle)
            .count(),
        1,
        "three members, two partitions: {statuses:?}"
    );
    assert!(ConsumerStatus::Idle
        .text()
        .contains("more members than partitions"));
}

#[test]
fn after_its_topic_is_deleted_a_member_says_the_topic_does_not_exist() {
    let mut sim = start();
    sim.advance_to(10_000);
    sim.apply(Action::DeleteTopic {
        name: "orders".into(),
    })
    .unwrap();
    sim.advance_to(20_000);
    for c in consumers(&sim) {
        assert_eq!(
            c.status,
            ConsumerStatus::MissingTopics {
                topics: vec!["orders".into()]
            },
            "{}",
            c.name
        );
        assert!(
            c.status.text().contains("topic \"orders\" does not exist"),
            "{}",
            c.status.text()
        );
        assert!(!c.status.text().contains("more members"));
    }
}

#[test]
fn with_every_broker_down_members_cannot_reach_their_coordinator() {
    let mut sim = start();
    sim.advance_to(10_000);
    for b in 1..=3 {
        sim.apply(Action::KillBroker { broker: b }).unwrap();
    }
    sim.advance_to(12_000);
    let g = group(&sim);
    assert!(g.coordinator_down, "{g:?}");
    for c in consumers(&sim) {
        assert!(
            matches!(c.status, ConsumerStatus::NoCoordinator { .. }),
            "{}: {:?}",
            c.name,
            c.status
        );
        assert!(c
            .status
            .text()
            .contains("cannot reach its group coordinator"));
    }
    // Back up: the members rejoin and read again.
    for b in 1..=3 {
        sim.apply(Action::RestartBroker { broker: b }).unwrap();
    }
    sim.advance_to(60_000);
    assert!(!group(&sim).coordinator_down);
    assert!(consumers(&sim).iter().any(|c| matches!(
        c.status,
        ConsumerStatus::Polling | ConsumerStatus::Processing
    )));
}

#[test]
fn a_processor_whose_topics_were_deleted_warns_instead_of_looking_busy() {
    let mut sim = start();
    sim.apply(Action::CreateTopic {
        name: "totals".into(),
        partitions: 1,
        config: Default::default(),
    })
    .unwrap();
    sim.apply(Action::AddProcessor {
        name: "sum".into(),
        input: "orders".into(),
        output: "totals".into(),
        group: None,
        guarantee: brokerlab_engine::Guarantee::ExactlyOnce,
        processing_us: 0,
    })
    .unwrap();
    sim.advance_to(10_000);
    assert_eq!(sim.snapshot().processors[0].warning, None);
    sim.apply(Action::DeleteTopic {
        name: "orders".into(),
    })
    .unwrap();
    sim.advance_to(15_000);
    let warning = sim.snapshot().processors[0].warning.clone().unwrap();
    assert!(
        warning.contains("input topic \"orders\" does not exist"),
        "{warning}"
    );
}
