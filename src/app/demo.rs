//! The example a first visitor sees running: one topic, a keyed producer, a group of two.

use brokerlab_engine::consumer::ConsumerConfig;
use brokerlab_engine::producer::{KeyDistribution, LoadConfig};
use brokerlab_engine::scenario::runner::{ConsumerSpec, ProducerSpec, TopicSpec};
use brokerlab_engine::Scenario;

pub const DEMO_SEED: u64 = 42;

pub fn demo_scenario(seed: u64) -> Scenario {
    let consumer = |name: &str| ConsumerSpec {
        name: Some(name.to_string()),
        config: ConsumerConfig {
            group_id: Some("billing".into()),
            ..ConsumerConfig::default()
        },
        topics: vec!["orders".into()],
        assign: None,
    };
    Scenario {
        name: Some("First look".into()),
        description: Some("One topic, one keyed producer, one group of two consumers.".into()),
        seed,
        cluster: Default::default(),
        topics: vec![TopicSpec {
            name: "orders".into(),
            partitions: 6,
            config: Default::default(),
        }],
        producers: vec![ProducerSpec {
            name: Some("checkout".into()),
            config: Default::default(),
            load: Some(LoadConfig {
                topic: "orders".into(),
                rate: 20,
                keys: KeyDistribution::Uniform { keys: 12 },
                value_bytes: 100,
            }),
        }],
        consumers: vec![consumer("billing-1"), consumer("billing-2")],
        actions: Vec::new(),
        duration_ms: 0,
    }
}
