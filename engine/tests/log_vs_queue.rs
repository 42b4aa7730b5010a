//! Issue 18: the "Log vs queue" scenarios, run headless on the library, each difference between
//! Kafka's log and RabbitMQ's queue checked where the scenario says it shows, in the lesson
//! checks' own words (`queue work ready == 0`, `group billing consumed == 5000`).
#![cfg(feature = "json")]

use brokerlab_engine::lesson::Check;
use brokerlab_engine::{Scenario, Timeline};

fn open(name: &str) -> Timeline {
    let path = format!("{}/../scenarios/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let scenario = Scenario::parse(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    Timeline::new(scenario).unwrap()
}

/// Runs to `at` and asserts `check` holds there.
fn holds(t: &mut Timeline, at: u64, check: &str) {
    t.advance_to(at);
    let c = Check::parse(check).unwrap();
    let out = c.eval(&t.sim().snapshot());
    assert!(out.holds, "at {at} ms: {check}: {}", out.unmet.join("; "));
}

#[test]
fn the_log_keeps_and_replays_what_the_queue_forgets() {
    let mut t = open("queue-1-log-vs-queue");
    holds(
        &mut t,
        5_500,
        "topic orders records == 2500 and publisher checkout published == 2500",
    );
    holds(
        &mut t,
        5_500,
        "group billing consumed == 2500 and queue work acked == 2500",
    );
    // Acknowledged: the queue is empty, the log still has every record.
    holds(
        &mut t,
        5_500,
        "queue work ready == 0 and queue work unacked == 0",
    );
    // The replay: billing reads the 2500 again; worker-2 gets nothing.
    holds(
        &mut t,
        15_000,
        "group billing consumed == 5000 and topic orders records == 2500",
    );
    holds(
        &mut t,
        15_000,
        "rabbit_consumer worker-2 delivered == 0 and queue work ready == 0",
    );
}

#[test]
fn a_late_group_reads_history_and_a_late_queue_only_what_follows() {
    let mut t = open("queue-2-second-subscriber");
    holds(
        &mut t,
        12_000,
        "group audit consumed == 4000 and group billing consumed == 4000",
    );
    holds(
        &mut t,
        12_000,
        "queue work enqueued == 4000 and queue late enqueued < 1600",
    );
    holds(
        &mut t,
        12_000,
        "queue late enqueued > 1400 and rabbit_consumer late-1 acked == 1500",
    );
}

#[test]
fn a_topic_exchange_routes_by_pattern_and_a_message_can_go_to_several_queues() {
    let mut t = open("queue-3-routing");
    t.advance_to(6_000);
    let r = t.sim().snapshot().rabbit.unwrap();
    let q = |n: &str| r.queues.iter().find(|q| q.name == n).unwrap();
    let (eu, us, all) = (q("eu"), q("us"), q("all"));
    assert_eq!(all.counts.enqueued, 2000, "orders.# matches everything");
    assert!(eu.counts.enqueued > 0 && us.counts.enqueued > 0);
    assert!(
        eu.counts.enqueued + us.counts.enqueued < 2000,
        "apac goes to neither"
    );
    assert!(eu
        .head
        .iter()
        .all(|m| m.routing_key.starts_with("orders.eu.")));
    assert!(us
        .head
        .iter()
        .all(|m| m.routing_key.starts_with("orders.us.")));
    // One key, one region: the same key never lands in both.
    let keys = |q: &brokerlab_engine::view::QueueView| -> std::collections::BTreeSet<String> {
        q.head.iter().filter_map(|m| m.key.clone()).collect()
    };
    assert!(keys(eu).is_disjoint(&keys(us)));
    holds(
        &mut t,
        6_000,
        "publisher checkout unroutable == 0 and group billing consumed == 2000",
    );
}

#[test]
fn competing_consumers_and_requeues_reorder_a_key_that_a_partition_keeps_in_order() {
    let mut t = open("queue-4-ordering");
    holds(
        &mut t,
        8_000,
        "queue work acked == 2000 and queue work order_violations > 100",
    );
    holds(
        &mut t,
        8_000,
        "queue work redelivered > 0 and rabbit_consumer worker-2 rejected > 0",
    );
    holds(
        &mut t,
        8_000,
        "group billing consumed == 2000 and group billing order_violations == 0",
    );
}

#[test]
fn a_poison_message_is_dead_lettered_after_the_delivery_limit() {
    let mut t = open("queue-5-poison-message");
    t.advance_to(6_000);
    let r = t.sim().snapshot().rabbit.unwrap();
    let parked = r.queues.iter().find(|q| q.name == "parked").unwrap();
    assert!(parked.ready > 0);
    for m in &parked.head {
        assert_eq!(m.key.as_deref(), Some("user-13"));
        assert_eq!(m.death.as_deref(), Some("delivery_limit"));
    }
    let work = r.queues.iter().find(|q| q.name == "work").unwrap();
    assert_eq!(work.counts.dead_lettered, parked.ready);
    // 20 returns each, then the 21st delivery's reject dead-letters it.
    assert_eq!(work.counts.redelivered, 20 * parked.ready);
    assert_eq!(work.counts.acked + parked.ready, work.counts.enqueued);
    assert_eq!((work.ready, work.unacked), (0, 0));
    // The whole run's events name it in RabbitMQ's words.
    let described: Vec<String> = t
        .sim()
        .events_since(0)
        .filter(|e| {
            matches!(
                e.kind,
                brokerlab_engine::view::EventKind::RabbitDeadLettered { .. }
            )
        })
        .map(|e| t.sim().describe(e))
        .collect();
    assert!(
        described[0]
            .contains("dead-lettered from work to exchange dlx (x-death reason delivery_limit)"),
        "{described:?}"
    );
}

#[test]
fn one_message_at_a_time_is_sooner_than_a_batch() {
    let mut t = open("queue-6-latency");
    holds(
        &mut t,
        10_000,
        "producer checkout latency_p50 >= 20 and rabbit_consumer worker-1 latency_p50 <= 3",
    );
    holds(
        &mut t,
        10_000,
        "publisher checkout confirm_p50 <= 3 and rabbit_consumer worker-1 ack_latency_p50 <= 4",
    );
}

#[test]
fn bad_rabbitmq_actions_name_the_field_and_change_nothing() {
    let mut t = open("queue-1-log-vs-queue");
    t.advance_to(1_000);
    let before = t.sim().trace_hash();
    let bad = [
        (
            r#"{"type": "declare_exchange", "name": "x", "kind": "fan-out"}"#,
            "is not one of direct, fanout, topic or headers",
        ),
        (
            r#"{"type": "declare_queue", "name": "q", "arguments": {"x-message-ttl": -5}}"#,
            "x-message-ttl",
        ),
        (
            r#"{"type": "declare_queue", "name": "q", "arguments": {"x-overflow": "drop-tail"}}"#,
            "x-overflow",
        ),
        (
            r#"{"type": "bind_queue", "exchange": "nowhere", "queue": "work", "routing_key": "a"}"#,
            "nowhere",
        ),
        (
            r#"{"type": "bind_queue", "exchange": "orders", "queue": "nothing", "routing_key": "a"}"#,
            "nothing",
        ),
        (
            r#"{"type": "publish_to_rabbit", "producer": "checkout", "exchange": "orders", "routing_key": "a.{user}"}"#,
            "{user}",
        ),
        (
            r#"{"type": "add_rabbit_consumer", "name": "w", "queue": "nothing"}"#,
            "NOT_FOUND - no queue \"nothing\"",
        ),
        (
            r#"{"type": "add_rabbit_consumer", "name": "w", "queue": "work", "prefetch": 70000}"#,
            "prefetch is 70000; basic.qos takes 0 (unlimited) to 65535",
        ),
        (
            r#"{"type": "close_rabbit_consumer", "consumer": "nobody"}"#,
            "No RabbitMQ consumer named \"nobody\"",
        ),
    ];
    for (json, says) in bad {
        let action = brokerlab_engine::Action::parse(json).unwrap();
        let e = t.apply(action).unwrap_err().to_string();
        assert!(e.contains(says), "{json}: {e}");
    }
    assert_eq!(
        t.sim().trace_hash(),
        before,
        "a refused action changes nothing"
    );
    // A value of the wrong kind is named by the reader, with its place.
    let e = brokerlab_engine::Action::parse(
        r#"{"type": "declare_queue", "name": "q", "arguments": {"x-max-length": [1]}}"#,
    )
    .unwrap_err();
    assert!(
        e.contains("x-max-length") && e.contains("a number, a string or true/false"),
        "{e}"
    );
}

#[test]
fn a_consumer_group_a_queue_and_a_share_group_read_the_same_records() {
    let mut t = open("queue-7-share-group");
    holds(
        &mut t,
        12_000,
        "group billing consumed == 3000 and queue work acked == 3000",
    );
    holds(
        &mut t,
        12_000,
        "group billing order_violations == 0 and share_group jobs order_violations > 0",
    );
    // jobs-1's locked records wait out the lock (30 s after their acquisition) for another member.
    holds(
        &mut t,
        30_000,
        "share_group jobs members == 3 and share_group jobs in_flight > 0",
    );
    holds(
        &mut t,
        45_000,
        "share_group jobs in_flight == 0 and share_group jobs archived > 50",
    );
    let g = t.sim().snapshot().share_groups[0].clone();
    assert_eq!(g.accepted + g.archived, 3000);
    // Every poison record was delivered five times (four redeliveries), and jobs-1's once more.
    assert!(
        g.redelivered > 4 * g.archived,
        "{} {}",
        g.redelivered,
        g.archived
    );
}
