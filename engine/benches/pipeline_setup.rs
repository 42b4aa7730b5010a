//! Setup shared by the pipeline benchmark and the throughput example.

use brokerlab_engine::cluster::ClusterConfig;
use brokerlab_engine::consumer::ConsumerConfig;
use brokerlab_engine::producer::{KeyDistribution, LoadConfig};
use brokerlab_engine::{Action, Simulation};

/// Records per second each producer sends, in simulated time.
pub const RATE: u64 = match option_env!("BENCH_RATE") {
    Some(_) => 100_000,
    None => 1_000_000,
};
/// Replication factor of the topic: 1, or 3 with `BENCH_RF3` set at build time (followers
/// fetch, acks=all waits for them, min.insync.replicas=2).
pub const REPLICATION_FACTOR: u32 = match option_env!("BENCH_RF3") {
    Some(_) => 3,
    None => 1,
};

/// Simulated time measured per iteration.
pub const WINDOW_MS: u64 = 500;

/// A cluster with the group already stable and the producers switched on.
pub fn warmed_up() -> Simulation {
    let mut sim = Simulation::new(2026, ClusterConfig::default()).unwrap();
    sim.apply(Action::CreateTopic {
        name: "events".into(),
        partitions: 12,
        config: brokerlab_engine::cluster::TopicConfig {
            replication_factor: REPLICATION_FACTOR,
            min_insync_replicas: REPLICATION_FACTOR.min(2),
            ..Default::default()
        },
    })
    .unwrap();
    for i in 0..3 {
        sim.apply(Action::AddProducer {
            name: Some(format!("p{i}")),
            config: Default::default(),
            load: Some(LoadConfig {
                topic: "events".into(),
                rate: 0,
                keys: KeyDistribution::Uniform { keys: 10_000 },
                value_bytes: 100,
                compression_ratio: None,
                events: None,
            }),
        })
        .unwrap();
    }
    for i in 0..4 {
        sim.apply(Action::AddConsumer {
            name: Some(format!("c{i}")),
            config: ConsumerConfig {
                group_id: Some("bench".into()),
                auto_offset_reset: brokerlab_engine::consumer::OffsetResetStrategy::Earliest,
                ..Default::default()
            },
            topics: vec!["events".into()],
            assign: None,
        })
        .unwrap();
    }
    sim.advance_to(8_000);
    for i in 0..3 {
        sim.apply(Action::SetRate {
            producer: format!("p{i}"),
            rate: RATE,
        })
        .unwrap();
    }
    sim.advance(20);
    sim
}
