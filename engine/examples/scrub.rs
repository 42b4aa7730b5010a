//! The timeline's scrub benchmark (issue 14): a session at 100,000 records/s (the page's
//! bench-100k: 24 partitions, two producers of 50,000 records/s, three groups of four) played
//! for `MINUTES` virtual minutes, then a seek to points spread over it, each timed. Prints the
//! checkpoints kept, their estimated bytes and the seek times (median, worst).
//! `[BUDGET_MB=96] cargo run --release -p brokerlab-engine --example scrub [MINUTES=10] [RECORDS_PER_S=100000]`
//! A figure, not a test: the page's figure comes from Chromium, where the engine runs slower.

use std::time::Instant;

use brokerlab_engine::{Scenario, Timeline};

fn bench(rate: u64) -> Scenario {
    let mut consumers = Vec::new();
    for g in ["billing", "analytics", "audit"] {
        for i in 1..=4 {
            consumers.push(serde_json::json!({
                "name": format!("{g}-{i}"), "config": {"group.id": g}, "topics": ["events"]
            }));
        }
    }
    let producer = |name: &str| {
        serde_json::json!({"name": name, "load": {"topic": "events", "rate": rate / 2,
            "keys": {"type": "uniform", "keys": 10_000}, "value_bytes": 100}})
    };
    brokerlab_engine::scenario::json::read(&serde_json::json!({
        "seed": 1,
        "topics": [{"name": "events", "partitions": 24}],
        "producers": [producer("web"), producer("mobile")],
        "consumers": consumers,
        "duration_ms": 0
    }))
    .expect("a valid scenario")
}

fn main() {
    let minutes: u64 = std::env::args()
        .nth(1)
        .and_then(|m| m.parse().ok())
        .unwrap_or(10);
    let rate: u64 = std::env::args()
        .nth(2)
        .and_then(|r| r.parse().ok())
        .unwrap_or(100_000);
    let end = minutes * 60_000;
    // `BUDGET_MB=48` tries another checkpoint budget than the page's.
    let budget = std::env::var("BUDGET_MB")
        .ok()
        .and_then(|b| b.parse::<u64>().ok())
        .map_or(
            brokerlab_engine::timeline::checkpoints::CHECKPOINT_BUDGET_BYTES,
            |mb| mb << 20,
        );
    let mut t = Timeline::with_budget(bench(rate), budget).expect("starts");
    let wall = Instant::now();
    if std::env::var("TRACE_CHECKPOINTS").is_ok() {
        // Every checkpoint list as the session plays, with what each holds alone (MB).
        let mut at = 0;
        while at < end {
            at += 2_500;
            t.advance_to(at);
            let times: Vec<u64> = t.checkpoints().times().map(|ms| ms / 100).collect();
            let own: Vec<u64> = t.checkpoints().own_bytes().map(|b| b >> 20).collect();
            println!("{:>6.1} s: {times:?} (0.1 s) {own:?} MB", at as f64 / 1e3);
        }
    }
    t.advance_to(end);
    println!(
        "played {minutes} min at {rate} records/s in {:.1} s; {} checkpoints kept, ~{} MB, at {:?} s",
        wall.elapsed().as_secs_f64(),
        t.checkpoints().len(),
        t.checkpoints().bytes() >> 20,
        t.checkpoints().times().map(|ms| ms / 1000).collect::<Vec<_>>()
    );
    println!(
        "each holds alone (MB): {:?}",
        t.checkpoints()
            .own_bytes()
            .map(|b| b >> 20)
            .collect::<Vec<_>>()
    );
    // Points spread over the session, visited out of order (as a user scrubs).
    let mut times_ms: Vec<f64> = Vec::new();
    for i in 0..20u64 {
        let target = (i * 7_919 * 1_000 + 3_333) % end;
        let w = Instant::now();
        t.seek(target);
        let ms = w.elapsed().as_secs_f64() * 1e3;
        assert_eq!(t.now(), target);
        times_ms.push(ms);
        println!("seek to {:>6.1} s: {ms:>8.1} ms", target as f64 / 1e3);
    }
    times_ms.sort_by(f64::total_cmp);
    println!(
        "seek: median {:.1} ms, worst {:.1} ms over {} points",
        times_ms[times_ms.len() / 2],
        times_ms[times_ms.len() - 1],
        times_ms.len()
    );
}
