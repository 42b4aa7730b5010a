//! Issue 19's analytics scenario, headless: three sources keyed by user id, two exactly-once
//! applications with 1-minute windows, malformed events to the dead-letter topic, a late source
//! whose clicks are dropped, an instance crash whose tasks restore elsewhere; the revenue per
//! user and minute in the output is exactly what the input says.
#![cfg(feature = "json")]

use std::collections::BTreeMap;

use brokerlab_engine::lesson::Check;
use brokerlab_engine::producer::events::{decode, Decoded};
use brokerlab_engine::{Scenario, Timeline};

fn open() -> Timeline {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../scenarios/streams-1-real-time-analytics.json"
    );
    Timeline::new(Scenario::parse(&std::fs::read_to_string(path).unwrap()).unwrap()).unwrap()
}

fn holds(t: &mut Timeline, at: u64, check: &str) {
    t.advance_to(at);
    let out = Check::parse(check).unwrap().eval(&t.sim().snapshot());
    assert!(out.holds, "at {at} ms: {check}: {}", out.unmet.join("; "));
}

#[test]
fn the_analytics_pipeline_does_what_the_scenario_says() {
    let mut t = open();
    holds(&mut t, 60_000, "streams_app clicks-per-minute processed > 10000 and streams_app clicks-per-minute dead_lettered > 0");
    holds(
        &mut t,
        60_000,
        "streams_app clicks-per-minute dropped == 0 and streams_app clicks-per-minute running == 3",
    );
    // The delayed source: its clicks reach closed windows.
    holds(
        &mut t,
        155_000,
        "streams_app clicks-per-minute dropped > 100",
    );
    // The crash: tasks move once the session times out, and restore first.
    holds(&mut t, 190_000, "streams_app clicks-per-minute running == 2 and streams_app clicks-per-minute restored > 1000");
    holds(&mut t, 240_000, "streams_app clicks-per-minute running == 3 and streams_app revenue-per-minute dropped == 0");
    // Both applications caught up after the crash, and so did the views' sinks.
    holds(
        &mut t,
        240_000,
        "streams_app clicks-per-minute lag == 0 and streams_app revenue-per-minute lag == 0 and view clicks-view lag == 0 and view revenue-view rows > 1500",
    );
    let newest = t.sim().snapshot().views[0].window.clone();
    assert_eq!(newest.as_deref(), Some("[180 s, 240 s)"));
    // Revenue per user and minute, against the input log.
    let sim = t.sim();
    let shop = sim.producers().find(|p| p.name == "shop").unwrap();
    let model = shop.load.as_ref().unwrap().config.events.clone().unwrap();
    let mut truth: BTreeMap<String, i64> = BTreeMap::new();
    let events = sim.cluster().topic_by_name("events").unwrap();
    for &p in &events.partitions {
        let part = sim.cluster().partition(p).unwrap();
        for b in part.log.batches_from(0) {
            let Some(o) = b.origin.filter(|o| o.producer == shop.index) else {
                continue;
            };
            for (i, r) in b.records.iter().enumerate() {
                if let Decoded::Event { amount, .. } =
                    decode(&model, o.producer, p, o.first_record + i as u64)
                {
                    let ts = r.timestamp(b.first_timestamp);
                    let start = ts / 60_000 * 60_000;
                    let key = sim.keys().text(r.key).unwrap();
                    *truth
                        .entry(format!("{key}@[{start},{})", start + 60_000))
                        .or_insert(0) += i64::from(amount);
                }
            }
        }
    }
    let mut output: BTreeMap<String, i64> = BTreeMap::new();
    let out = sim.cluster().topic_by_name("revenue-per-minute").unwrap();
    for &p in &out.partitions {
        let part = sim.cluster().partition(p).unwrap();
        let end = part.last_stable_offset();
        for b in part.log.batches_from(0) {
            if b.base_offset >= end
                || b.control.is_some()
                || part.is_aborted(b.producer_id, b.base_offset)
            {
                continue;
            }
            for (i, r) in b.records.iter().enumerate() {
                let v = b
                    .typed
                    .iter()
                    .find(|x| x.offset_delta == i as u32)
                    .and_then(|x| x.value.clone());
                let key = sim.keys().text(r.key).unwrap().into_owned();
                if let Some((v, _)) = v.as_deref().and_then(|v| v.split_once('@')) {
                    output.insert(key, v.parse().unwrap());
                }
            }
        }
    }
    assert!(truth.len() > 500, "{} user-minutes", truth.len());
    let differ: Vec<_> = truth
        .iter()
        .filter(|(k, v)| output.get(*k) != Some(v))
        .map(|(k, v)| (k.clone(), *v, output.get(k).copied()))
        .take(5)
        .collect();
    assert!(differ.is_empty(), "(window, input, output): {differ:?}");
    assert_eq!(output.len(), truth.len());
    // The materialized view fed from the output has the same revenue per user and minute, and a
    // key query finds the store that computed it.
    let view = sim
        .materialized_views()
        .iter()
        .find(|v| v.name == "revenue-view")
        .unwrap();
    for (k, v) in &truth {
        let (user, window) = k.split_once('@').unwrap();
        let id = sim.key_id(user).unwrap();
        let rows = view.rows_of(id);
        let start: u64 = window[1..].split(',').next().unwrap().parse().unwrap();
        let row = rows.iter().find(|(w, _)| w.start == start);
        assert_eq!(row.map(|(_, r)| r.value), Some(*v), "view row {k}");
    }
    let q = sim.query_view("revenue-view", "user-7").unwrap();
    assert!(!q.rows.is_empty());
    let store = &q.stores[0];
    assert_eq!(store.application_id, "revenue-per-minute");
    assert_eq!(
        store.task,
        format!(
            "0_{}",
            brokerlab_engine::ground::hash::partition_for_key(b"user-7", 12)
        )
    );
    assert!(store.instance.is_some());
    // The running total per user (the second aggregate, no window) is the sum of its minutes,
    // in the output topic and in the top-spenders view.
    let mut per_user: BTreeMap<String, i64> = BTreeMap::new();
    for (k, v) in &truth {
        *per_user
            .entry(k.split_once('@').unwrap().0.to_string())
            .or_insert(0) += v;
    }
    let spenders = sim
        .materialized_views()
        .iter()
        .find(|v| v.name == "top-spenders")
        .unwrap();
    for (user, total) in &per_user {
        let rows = spenders.rows_of(sim.key_id(user).unwrap());
        assert_eq!(
            rows.iter().map(|(_, r)| r.value).collect::<Vec<_>>(),
            [*total],
            "{user}"
        );
    }
    assert_eq!(spenders.keys(), per_user.len());
    let q = sim.query_view("top-spenders", "user-7").unwrap();
    assert_eq!(
        q.stores[0].windows,
        [("all time".to_string(), per_user["user-7"])]
    );
    let snap = sim.snapshot();
    let top = &snap
        .views
        .iter()
        .find(|v| v.name == "top-spenders")
        .unwrap()
        .top;
    let max = per_user.values().max().unwrap();
    assert_eq!((top[0].window.as_str(), top[0].value), ("all time", *max));
    let clicks = snap.views.iter().find(|v| v.name == "clicks-view").unwrap();
    assert_eq!(clicks.top.len(), 10);
    assert!(clicks.top.windows(2).all(|w| w[0].value >= w[1].value));
    assert!(sim.query_view("nope", "user-7").is_none());
}
