//! The scenario files in `scenarios/`, run headless through the command line
//! (`brokerlab-cli run FILE --twice`, which also checks that two runs give the same trace), with
//! assertions on their reports.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn run(file: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios")
        .join(file);
    let out = Command::new(env!("CARGO_BIN_EXE_brokerlab-cli"))
        .args(["run", path.to_str().unwrap(), "--twice"])
        .output()
        .expect("the CLI runs");
    assert!(
        out.status.success(),
        "{file}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the report is JSON")
}

fn group<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["group"] == id)
        .unwrap_or_else(|| panic!("group {id} in report"))
}

fn producer<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["producers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["producer"] == name)
        .unwrap()
}

fn sizes(g: &Value) -> Vec<usize> {
    let mut v: Vec<usize> = g["assignment"]
        .as_object()
        .unwrap()
        .values()
        .map(|a| a.as_array().unwrap().len())
        .collect();
    v.sort();
    v
}

#[test]
fn every_scenario_file_parses_runs_and_is_deterministic() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".json") {
            let report = run(&name);
            assert!(report["events"].as_u64().unwrap() > 0, "{name}");
            n += 1;
        }
    }
    assert!(n >= 5, "found {n} scenario files");
}

#[test]
fn rebalance_range_ends_with_three_partitions_each() {
    let r = run("rebalance-range.json");
    let g = group(&r, "billing");
    assert_eq!(g["state"], "Stable");
    assert_eq!(sizes(g), vec![3, 3]);
    // Generations: first join, the third member, the departure.
    assert_eq!(g["generation"], 3);
    assert_eq!(g["audit"]["gaps"], 0);
    assert_eq!(g["audit"]["order_violations"], 0);
}

#[test]
fn slow_consumer_lag_builds_then_drains() {
    let r = run("slow-consumer-lag.json");
    let g = group(&r, "analytics");
    // After draining, the committed lag is at most one auto-commit interval of records.
    assert!(
        g["total_lag"].as_u64().unwrap() <= 5_000,
        "{}",
        g["total_lag"]
    );
    assert_eq!(g["audit"]["duplicates"], 0);
}

#[test]
fn at_least_once_crash_redelivers_without_losing_anything() {
    let r = run("at-least-once-crash.json");
    let a = &group(&r, "ledger")["audit"];
    assert!(a["duplicates"].as_u64().unwrap() > 0, "{a}");
    assert_eq!(a["gaps"], 0, "{a}");
    assert_eq!(sizes(group(&r, "ledger")), vec![6]);
}

#[test]
fn batching_linger_makes_bigger_batches_and_fewer_requests() {
    let r = run("batching-linger.json");
    let (eager, patient) = (producer(&r, "eager"), producer(&r, "patient"));
    let b = |p: &Value| p["avg_records_per_batch"].as_f64().unwrap();
    assert!(
        b(patient) > 3.0 * b(eager),
        "{} vs {}",
        b(patient),
        b(eager)
    );
    assert!(patient["requests"].as_u64().unwrap() * 3 < eager["requests"].as_u64().unwrap());
}

#[test]
fn static_membership_restart_keeps_the_generation() {
    let r = run("static-membership.json");
    let g = group(&r, "stock");
    assert_eq!(g["generation"], 1, "no rebalance after the first: {g}");
    assert_eq!(sizes(g), vec![2, 2]);
}

#[test]
fn a_broken_scenario_is_refused_with_a_readable_message() {
    let tmp = std::env::temp_dir().join(format!(
        "brokerlab-bad-scenario-{}.json",
        std::process::id()
    ));
    std::fs::write(
        &tmp,
        r#"{"seed": 1, "topics": [{"name": "bad name", "partitions": 2}], "duration_ms": 10}"#,
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_brokerlab-cli"))
        .args(["run", tmp.to_str().unwrap()])
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&tmp);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("setup step 1 (create_topic)") && err.contains("illegal"),
        "{err}"
    );
}
