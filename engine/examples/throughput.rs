//! Quick throughput check without criterion: prints records/s of wall time and where they went.
//! `cargo run --release -p brokerlab-engine --example throughput`

use std::time::Instant;

#[path = "../benches/pipeline_setup.rs"]
mod setup;

fn main() {
    let mut sim = setup::warmed_up();
    let before: u64 = sim.producers().map(|p| p.stats.records_acked).sum();
    let consumed_before: u64 = sim.consumers().map(|c| c.stats.records_consumed).sum();
    let events_before = sim.events_processed();
    let t = Instant::now();
    sim.advance(setup::WINDOW_MS * 4);
    let wall = t.elapsed().as_secs_f64();
    let acked: u64 = sim.producers().map(|p| p.stats.records_acked).sum::<u64>() - before;
    let consumed: u64 = sim
        .consumers()
        .map(|c| c.stats.records_consumed)
        .sum::<u64>()
        - consumed_before;
    println!(
        "acked {acked}, consumed {consumed} in {wall:.3} s wall: {:.2} M records/s acked, {:.2} M/s consumed; {} queue entries",
        acked as f64 / wall / 1e6,
        consumed as f64 / wall / 1e6,
        sim.events_processed() - events_before
    );
    let snap = sim.snapshot();
    for p in &snap.producers {
        println!(
            "{}: avg batch {:.1} records, {:.1} batches/request",
            p.name, p.avg_batch_records, p.avg_request_batches
        );
    }
    for g in &snap.groups {
        println!(
            "group {}: lag {}, audit {:?}",
            g.group_id, g.total_lag, g.audit
        );
    }
}
