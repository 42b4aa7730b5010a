//! How long `Simulation::strip` takes for the frame-time scenario's partitions (24 strips).
//! `cargo run --release -p brokerlab-engine --example strip_cost`
use std::time::Instant;

use brokerlab_engine::cluster::ClusterConfig;
use brokerlab_engine::producer::{KeyDistribution, LoadConfig};
use brokerlab_engine::{Action, Simulation};

fn main() {
    let mut sim = Simulation::new(1, ClusterConfig::default()).unwrap();
    sim.apply(Action::CreateTopic {
        name: "events".into(),
        partitions: 24,
        config: Default::default(),
    })
    .unwrap();
    for name in ["web", "mobile"] {
        sim.apply(Action::AddProducer {
            name: Some(name.into()),
            config: Default::default(),
            load: Some(LoadConfig {
                topic: "events".into(),
                rate: 50_000,
                keys: KeyDistribution::Uniform { keys: 10_000 },
                value_bytes: 100,
                compression_ratio: None,
                events: None,
            }),
        })
        .unwrap();
    }
    sim.advance(12_000);
    let ends: Vec<i64> = sim.snapshot().topics[0]
        .partitions
        .iter()
        .map(|p| p.log_end_offset)
        .collect();
    let t = Instant::now();
    let rounds = 200;
    let mut n = 0;
    for _ in 0..rounds {
        for (p, &end) in ends.iter().enumerate() {
            n += sim.strip("events", p as u32, end, 48, 1024).len();
        }
    }
    let per_frame = t.elapsed().as_secs_f64() * 1000.0 / rounds as f64;
    println!("{n} cells; {per_frame:.3} ms per frame of 24 strips");
}
