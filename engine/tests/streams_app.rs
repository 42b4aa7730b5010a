//! Kafka Streams applications in the simulation (issue 19): a windowed count over a keyed topic,
//! its changelog restored when an instance crashes and its tasks move, and the processing
//! guarantee seen on the output: under exactly_once_v2 every input event is counted exactly once
//! in the final results (checked against the input log over several seeds); under
//! at_least_once the crash makes some windows count twice.
#![cfg(feature = "json")]

use std::collections::BTreeMap;

mod common;
use common::read_committed;

use brokerlab_engine::producer::events::{decode, Decoded};
use brokerlab_engine::{Scenario, Simulation, Timeline};

fn scenario(seed: u64, guarantee: &str, on_error: &str, emit: &str) -> Scenario {
    let dlq = if on_error == "dead_letter" {
        r#", "dead_letter_topic": "clicks-dlq""#
    } else {
        ""
    };
    let text = format!(
        r#"{{
      "seed": {seed},
      "topics": [ {{ "name": "clicks", "partitions": 4 }}, {{ "name": "clicks-per-10s", "partitions": 4 }}, {{ "name": "clicks-dlq", "partitions": 1 }}, {{ "name": "clicks-total", "partitions": 2 }} ],
      "producers": [ {{ "name": "web", "load": {{ "topic": "clicks", "rate": 200, "keys": {{ "type": "uniform", "keys": 20 }},
          "events": {{ "type": "click", "malformed_percent": 1 }} }} }} ],
      "actions": [
        {{ "at": 0, "action": {{ "type": "add_streams_app", "application_id": "clicks-app", "input": "clicks", "output": "clicks-per-10s",
           "instances": 2, "window": {{ "kind": "tumbling", "size_ms": 10000, "grace_ms": 2000 }}, "guarantee": "{guarantee}", "emit": "{emit}",
           "commit_interval_ms": 1000, "on_error": "{on_error}"{dlq}, "session_timeout_ms": 10000, "total_output": "clicks-total" }} }},
        {{ "at": 15000, "action": {{ "type": "crash_streams_instance", "instance": "clicks-app-1" }} }},
        {{ "at": 40000, "action": {{ "type": "set_rate", "producer": "web", "rate": 0 }} }}
      ],
      "duration_ms": 0
    }}"#
    );
    Scenario::parse(&text).unwrap()
}

/// What the input says each (user, window start) counts, and what the output's last result
/// per windowed key says.
fn truth_and_output(sim: &Simulation) -> (BTreeMap<String, i64>, BTreeMap<String, i64>, u64) {
    let model = sim
        .producers()
        .find(|p| p.name == "web")
        .and_then(|p| p.load.as_ref().map(|l| l.config.events.clone().unwrap()))
        .expect("web's event model");
    let mut truth = BTreeMap::new();
    let mut bad = 0;
    for (key, _, ts, origin) in read_committed(sim, "clicks") {
        let (producer, partition, record) = origin.unwrap();
        match decode(&model, producer, partition, record) {
            Decoded::Event { .. } => {
                let start = ts / 10_000 * 10_000;
                *truth
                    .entry(format!("{key}@[{start},{})", start + 10_000))
                    .or_insert(0) += 1;
            }
            _ => bad += 1,
        }
    }
    let mut output = BTreeMap::new();
    for (key, value, _, _) in read_committed(sim, "clicks-per-10s") {
        let v = value.and_then(|v| v.split_once('@').map(|(a, _)| a.parse::<i64>().unwrap()));
        if let Some(v) = v {
            output.insert(key, v);
        }
    }
    (truth, output, bad)
}

fn run(seed: u64, guarantee: &str, on_error: &str, emit: &str) -> Timeline {
    let mut t = Timeline::new(scenario(seed, guarantee, on_error, emit)).unwrap();
    // The load stops at 40 s; the group noticed the crash at about 25 s; everything committed by 60 s.
    t.advance_to(60_000);
    t
}

#[test]
fn exactly_once_counts_every_event_once_through_a_crash_over_seeds() {
    for seed in [1, 2, 3] {
        let t = run(seed, "exactly_once_v2", "dead_letter", "cached");
        let sim = t.sim();
        let (truth, output, bad) = truth_and_output(sim);
        assert!(truth.len() > 50, "seed {seed}: {} windows", truth.len());
        assert_eq!(
            output, truth,
            "seed {seed}: the final results are the input's counts"
        );
        // The tasks of the crashed instance were restored on the other one.
        let app = &sim.streams_apps()[0];
        assert_eq!(app.instances[1].tasks.len(), 4, "seed {seed}");
        assert!(app.instances[1].stats.restored > 0, "seed {seed}");
        // Each bad record went to the dead-letter topic once, with the exception headers.
        let dlq = read_committed(sim, "clicks-dlq");
        assert_eq!(dlq.len() as u64, bad, "seed {seed}");
        // The running total per user (restored from its compacted changelog too) is the sum of
        // its windows: nothing twice.
        let mut per_user: BTreeMap<String, i64> = BTreeMap::new();
        for (k, v) in &truth {
            *per_user
                .entry(k.split_once('@').unwrap().0.to_string())
                .or_insert(0) += v;
        }
        let mut totals = BTreeMap::new();
        for (key, value, _, _) in read_committed(sim, "clicks-total") {
            let (v, _) = value.as_deref().unwrap().split_once('@').unwrap();
            totals.insert(key, v.parse::<i64>().unwrap());
        }
        assert_eq!(totals, per_user, "seed {seed}");
        assert!(sim
            .cluster()
            .topic_by_name("clicks-app-KSTREAM-AGGREGATE-STATE-STORE-0000000005-changelog")
            .is_some());
    }
}

#[test]
fn at_least_once_counts_some_events_twice_after_a_crash() {
    // The cache off (statestore.cache.max.bytes=0): every update reaches the changelog at once,
    // ahead of the committed offsets.
    let t = run(1, "at_least_once", "continue", "on_update");
    let (truth, output, _) = truth_and_output(t.sim());
    let over: Vec<_> = truth
        .iter()
        .filter(|(k, v)| output.get(*k).is_some_and(|o| o > v))
        .collect();
    assert!(
        !over.is_empty(),
        "a crash after the last commit reprocesses, and the restored store counts again"
    );
    assert!(
        truth
            .iter()
            .all(|(k, v)| output.get(k).is_some_and(|o| o >= v)),
        "nothing is lost"
    );
}

#[test]
fn a_bad_record_fails_the_stream_thread_with_the_default_handler() {
    let mut t = Timeline::new(scenario(1, "exactly_once_v2", "fail", "cached")).unwrap();
    t.advance_to(12_000);
    let app = &t.sim().streams_apps()[0];
    let failed: Vec<_> = app
        .instances
        .iter()
        .filter_map(|i| i.failure.clone())
        .collect();
    assert!(!failed.is_empty());
    assert!(
        failed[0].starts_with("Exception caught in process. taskId=0_")
            && failed[0].contains("topic=clicks"),
        "{failed:?}"
    );
}

#[test]
fn bad_applications_are_refused_naming_the_field() {
    let mut t = Timeline::new(scenario(1, "exactly_once_v2", "continue", "cached")).unwrap();
    t.advance_to(100);
    for (json, says) in [
        (
            r#"{"type": "add_streams_app", "application_id": "x", "input": "clicks", "output": "clicks-per-10s", "window": {"kind": "tumbling", "size_ms": 0}}"#,
            "window: Window size (sizeMs) must be larger than zero.",
        ),
        (
            r#"{"type": "add_streams_app", "application_id": "x", "input": "clicks", "output": "clicks-per-10s", "window": {"kind": "hopping", "size_ms": 5000, "advance_ms": 6000}}"#,
            "advancement interval",
        ),
        (
            r#"{"type": "add_streams_app", "application_id": "x", "input": "clicks", "output": "clicks-per-10s", "window": {"kind": "weekly", "size_ms": 5}}"#,
            "window.kind is \"weekly\"; it takes tumbling, hopping, sliding or session",
        ),
        (
            r#"{"type": "add_streams_app", "application_id": "x", "input": "clicks", "output": "clicks-per-10s", "window": {"kind": "tumbling", "size_ms": 5}, "guarantee": "exactly_once"}"#,
            "removed in Kafka 4.0; use exactly_once_v2",
        ),
        (
            r#"{"type": "add_streams_app", "application_id": "x", "input": "clicks", "output": "clicks-per-10s", "window": {"kind": "tumbling", "size_ms": 5}, "on_error": "dead_letter"}"#,
            "needs dead_letter_topic",
        ),
        (
            r#"{"type": "add_streams_app", "application_id": "x", "input": "nope", "output": "clicks-per-10s", "window": {"kind": "tumbling", "size_ms": 5}}"#,
            "Topic \"nope\" does not exist.",
        ),
        (
            r#"{"type": "add_streams_app", "application_id": "clicks-app", "input": "clicks", "output": "clicks-per-10s", "window": {"kind": "tumbling", "size_ms": 5}}"#,
            "runs already",
        ),
        (
            r#"{"type": "crash_streams_instance", "instance": "nobody"}"#,
            "No Kafka Streams instance named \"nobody\".",
        ),
        (
            r#"{"type": "add_materialized_view", "name": "dash", "topic": "nope"}"#,
            "Topic \"nope\" does not exist.",
        ),
        (
            r#"{"type": "add_materialized_view", "name": "clicks-app", "topic": "clicks-per-10s"}"#,
            "A view or group named \"clicks-app\" exists already",
        ),
        (
            r#"{"type": "add_materialized_view", "name": "", "topic": "clicks-per-10s"}"#,
            "A view name has 1 to 64 characters; this one is empty",
        ),
    ] {
        let before = t.sim().trace_hash();
        let e = t
            .apply(brokerlab_engine::Action::parse(json).unwrap())
            .unwrap_err()
            .to_string();
        assert!(e.contains(says), "{json}: {e}");
        assert_eq!(t.sim().trace_hash(), before);
    }
}
