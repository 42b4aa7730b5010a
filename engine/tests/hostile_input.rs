//! Issue 13: settings and names at the edges of their types are refused with a message that
//! names the field and the real limit, and leave the simulation as it was.

mod common;

use brokerlab_engine::cluster::{ClusterConfig, TopicConfig};
use brokerlab_engine::consumer::ConsumerConfig;
use brokerlab_engine::producer::{KeyDistribution, ProducerConfig};
use brokerlab_engine::{Action, Simulation};
use common::*;

fn refused(s: &mut Simulation, action: Action) -> String {
    let before = s.snapshot();
    let e = s.apply(action).expect_err("refused").to_string();
    assert_eq!(s.snapshot(), before, "a refused action changes nothing");
    assert!(e.len() < 200, "the message stays short: {e}");
    e
}

fn add_producer(config: ProducerConfig) -> Action {
    Action::AddProducer {
        name: Some("p".into()),
        config,
        load: Some(load("t", 10, KeyDistribution::None)),
    }
}

fn add_consumer(config: ConsumerConfig) -> Action {
    Action::AddConsumer {
        name: Some("c".into()),
        config,
        topics: vec!["t".into()],
        assign: None,
    }
}

/// Defect 3: a duration near the top of u64 wrapped when added to the clock (a hang in release,
/// a panic in debug). Kafka types them as int (or long): anything above is refused.
#[test]
fn durations_past_kafkas_range_are_refused_naming_the_setting() {
    let mut s = sim(1);
    topic(&mut s, "t", 1);
    let e = refused(
        &mut s,
        add_producer(ProducerConfig {
            delivery_timeout_ms: u64::MAX,
            ..Default::default()
        }),
    );
    assert!(
        e.contains("delivery.timeout.ms must be at most 2147483647"),
        "{e}"
    );
    let e = refused(
        &mut s,
        add_producer(ProducerConfig {
            request_timeout_ms: u64::MAX,
            delivery_timeout_ms: u64::MAX,
            ..Default::default()
        }),
    );
    assert!(e.contains("request.timeout.ms"), "{e}");
    for (field, config) in [
        (
            "max.poll.interval.ms",
            ConsumerConfig {
                max_poll_interval_ms: u64::MAX,
                ..group_config("g")
            },
        ),
        (
            "session.timeout.ms",
            ConsumerConfig {
                session_timeout_ms: u64::MAX,
                ..group_config("g")
            },
        ),
        (
            "auto.commit.interval.ms",
            ConsumerConfig {
                auto_commit_interval_ms: 1 << 40,
                ..group_config("g")
            },
        ),
    ] {
        let e = refused(&mut s, add_consumer(config));
        assert!(
            e.contains(&format!("{field} must be at most 2147483647")),
            "{e}"
        );
    }
    let e = refused(
        &mut s,
        Action::CreateTopic {
            name: "u".into(),
            partitions: 1,
            config: TopicConfig {
                delete_retention_ms: u64::MAX,
                ..Default::default()
            },
        },
    );
    assert!(
        e.contains("delete.retention.ms must be at most 9223372036854775807"),
        "{e}"
    );
    let cluster = ClusterConfig {
        group_initial_rebalance_delay_ms: u64::MAX,
        ..Default::default()
    };
    let e = Simulation::new(1, cluster)
        .err()
        .expect("refused")
        .to_string();
    assert!(e.contains("group.initial.rebalance.delay.ms"), "{e}");
}

/// Defect 6: a 50 MB group id was accepted and copied into every request. Ids are limited as
/// topic names are (249 characters), and the refusal does not quote the id back.
#[test]
fn long_ids_are_refused_without_being_echoed() {
    let mut s = sim(1);
    topic(&mut s, "t", 1);
    let long = "x".repeat(100_000);
    let e = refused(&mut s, add_consumer(group_config(&long)));
    assert!(
        e.contains("group.id can't be longer than 249 characters"),
        "{e}"
    );
    let e = refused(
        &mut s,
        add_consumer(ConsumerConfig {
            group_instance_id: Some(long.clone()),
            ..group_config("g")
        }),
    );
    assert!(e.contains("group.instance.id"), "{e}");
    let e = refused(
        &mut s,
        add_producer(ProducerConfig {
            transactional_id: Some(long.clone()),
            ..Default::default()
        }),
    );
    assert!(e.contains("transactional.id"), "{e}");
    // At the limit it is accepted.
    s.apply(add_consumer(group_config(&"g".repeat(249))))
        .expect("249 characters are fine");
}
