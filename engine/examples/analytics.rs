//! Issue 19's benchmark: the real-time analytics design (three sources keyed by user id, two
//! exactly-once Kafka Streams applications with 1-minute windows, dead letters, a late source, an
//! instance crash and its restore, two materialized views) run headless, reported as input records
//! per second of wall time through the whole pipeline. `SCALE` multiplies the sources' rates, to
//! see the pipeline under load rather than the scenario's gentle 270 records/s.
//! `cargo run --release -p brokerlab-engine --example analytics [SCALE]`

use std::time::Instant;

use brokerlab_engine::{Action, Scenario, Timeline};

fn main() {
    let scale: f64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0);
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../scenarios/streams-1-real-time-analytics.json"
    );
    let text = std::fs::read_to_string(path).expect("the analytics scenario");
    let scenario = Scenario::parse(&text).expect("parses");
    let duration = scenario.duration_ms;
    let mut t = Timeline::new(scenario).expect("starts");
    for (name, rate) in [("web", 150.0), ("app", 100.0), ("shop", 20.0)] {
        t.apply(Action::SetRate {
            producer: name.into(),
            rate: (rate * scale).round() as u64,
        })
        .expect("a rate the load takes");
    }
    let start = Instant::now();
    t.advance_to(duration);
    let wall = start.elapsed().as_secs_f64();
    let sim = t.sim();
    let snap = sim.snapshot();
    let input: u64 = snap
        .topics
        .iter()
        .find(|t| t.name == "events")
        .map(|t| t.partitions.iter().map(|p| p.high_watermark as u64).sum())
        .unwrap_or(0);
    let processed: u64 = snap.streams.iter().map(|a| a.processed).sum();
    let outputs: u64 = snap.streams.iter().map(|a| a.outputs).sum();
    let rows: u64 = snap.views.iter().map(|v| v.rows).sum();
    println!(
        "analytics x{scale}: {input} input records in {:.0} s simulated, {wall:.3} s wall: {:.0} input records/s through the pipeline ({processed} processed by Streams, {outputs} results, {rows} view rows, {} queue entries)",
        duration as f64 / 1000.0,
        input as f64 / wall,
        sim.events_processed()
    );
}
