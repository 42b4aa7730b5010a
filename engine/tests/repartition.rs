//! Issue 19: `selectKey` before grouping. Page views keyed by user id are counted per page: the
//! application re-keys each view by its page and writes it to
//! `<application.id>-<store>-repartition`, whose tasks (`1_<n>`) keep the window store. Under
//! exactly_once_v2 the repartition writes, the input offsets, the changelog and the results are
//! one transaction, so a crash counts nothing twice: every view is counted once per page and
//! window, over several seeds.
#![cfg(feature = "json")]

use std::collections::BTreeMap;

mod common;
use common::read_committed;

use brokerlab_engine::producer::events::{decode, Decoded, PAGES};
use brokerlab_engine::{Scenario, Simulation, Timeline};

fn scenario(seed: u64, guarantee: &str) -> Scenario {
    let text = format!(
        r#"{{
      "seed": {seed},
      "topics": [ {{ "name": "views", "partitions": 6 }}, {{ "name": "views-per-page", "partitions": 3 }} ],
      "producers": [ {{ "name": "web", "load": {{ "topic": "views", "rate": 300, "keys": {{ "type": "uniform", "keys": 200 }},
          "events": {{ "type": "view" }} }} }} ],
      "actions": [
        {{ "at": 0, "action": {{ "type": "add_streams_app", "application_id": "page-views", "input": "views", "output": "views-per-page",
           "instances": 2, "select_key": "page", "window": {{ "kind": "tumbling", "size_ms": 10000, "grace_ms": 60000 }},
           "guarantee": "{guarantee}", "commit_interval_ms": 1000, "session_timeout_ms": 10000 }} }},
        {{ "at": 15000, "action": {{ "type": "crash_streams_instance", "instance": "page-views-1" }} }},
        {{ "at": 40000, "action": {{ "type": "set_rate", "producer": "web", "rate": 0 }} }}
      ],
      "duration_ms": 0
    }}"#
    );
    Scenario::parse(&text).unwrap()
}

/// Views per (page, window) from the input log, and the last committed result per windowed key.
fn truth_and_output(sim: &Simulation) -> (BTreeMap<String, i64>, BTreeMap<String, i64>) {
    let model = sim
        .producers()
        .find(|p| p.name == "web")
        .unwrap()
        .load
        .as_ref()
        .unwrap()
        .config
        .events
        .clone()
        .unwrap();
    let mut truth = BTreeMap::new();
    for (_, _, ts, origin) in read_committed(sim, "views") {
        let (producer, partition, record) = origin.unwrap();
        let Decoded::Event { page, .. } = decode(&model, producer, partition, record) else {
            panic!("the model has no bad events");
        };
        let start = ts / 10_000 * 10_000;
        *truth
            .entry(format!(
                "{}@[{start},{})",
                PAGES[page as usize],
                start + 10_000
            ))
            .or_insert(0) += 1;
    }
    let mut output = BTreeMap::new();
    for (key, value, _, _) in read_committed(sim, "views-per-page") {
        if let Some((v, _)) = value.as_deref().and_then(|v| v.split_once('@')) {
            output.insert(key, v.parse().unwrap());
        }
    }
    (truth, output)
}

#[test]
fn exactly_once_counts_every_view_once_per_page_through_a_repartition_and_a_crash() {
    for seed in [1, 2, 3] {
        let mut t = Timeline::new(scenario(seed, "exactly_once_v2")).unwrap();
        t.advance_to(70_000);
        let sim = t.sim();
        let snap = sim.snapshot();
        let app = &snap.streams[0];
        assert_eq!(
            app.repartition.as_deref(),
            Some("page-views-KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition")
        );
        assert!(app.repartitioned > 8_000, "{}", app.repartitioned);
        assert_eq!(app.dropped, 0);
        // The survivor runs both sub-topologies' tasks: 0_n re-key, 1_n count.
        let tasks: Vec<&str> = app.instances[1]
            .tasks
            .iter()
            .map(|t| t.task.as_str())
            .collect();
        assert!(
            tasks.contains(&"0_5") && tasks.contains(&"1_5"),
            "{tasks:?}"
        );
        let (truth, output) = truth_and_output(sim);
        assert_eq!(
            truth.len(),
            5 * 4,
            "five pages, four windows: {:?}",
            truth.keys().collect::<Vec<_>>()
        );
        assert_eq!(output, truth, "seed {seed}");
        // Repartition records carry their source record's time, not the time they were re-keyed:
        // the crashed instance's views, re-keyed again by the survivor more than 10 s later, sit
        // behind newer ones with their old timestamps.
        let repartitioned = read_committed(sim, app.repartition.as_deref().unwrap());
        let older = repartitioned
            .windows(2)
            .filter(|w| w[0].2 > w[1].2 + 5_000 && w[1].2 > 2_000)
            .count();
        assert!(older > 0, "no record older than the one before it");
        assert!(repartitioned
            .iter()
            .all(|(k, v, _, _)| PAGES.contains(&k.as_str())
                && v.as_deref().is_some_and(|v| v.contains(k.as_str()))));
    }
}

#[test]
fn at_least_once_through_a_repartition_counts_some_views_twice_after_a_crash() {
    let mut t = Timeline::new(scenario(1, "at_least_once")).unwrap();
    t.advance_to(70_000);
    let (truth, output) = truth_and_output(t.sim());
    let over: i64 = truth
        .iter()
        .map(|(k, v)| output.get(k).copied().unwrap_or(0) - v)
        .sum();
    assert!(
        over > 0,
        "the crashed instance's uncommitted work is redone: {over}"
    );
}

#[test]
fn a_bad_key_selector_is_named() {
    let mut t = Timeline::new(scenario(1, "exactly_once_v2")).unwrap();
    t.advance_to(100);
    let e = t
        .apply(
            brokerlab_engine::Action::parse(
                r#"{"type": "add_streams_app", "application_id": "x", "input": "views", "output": "views-per-page", "select_key": "region", "window": {"kind": "tumbling", "size_ms": 5}}"#,
            )
            .unwrap(),
        )
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("select_key is \"region\"; it takes page or type"),
        "{e}"
    );
}
