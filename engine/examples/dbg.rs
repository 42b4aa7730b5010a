use brokerlab_engine::action::LinkFaults;
use brokerlab_engine::cluster::ClusterConfig;
use brokerlab_engine::producer::{KeyDistribution, LoadConfig, ProducerConfig};
use brokerlab_engine::{Action, Simulation};
fn main() {
    let mut s = Simulation::new(41, ClusterConfig::default()).unwrap();
    s.apply(Action::CreateTopic {
        name: "payments".into(),
        partitions: 3,
        config: Default::default(),
    })
    .unwrap();
    let config = ProducerConfig {
        enable_idempotence: Some(true),
        request_timeout_ms: 1000,
        ..Default::default()
    };
    s.apply(Action::AddProducer {
        name: Some("g".into()),
        config,
        load: Some(LoadConfig {
            topic: "payments".into(),
            rate: 400,
            keys: KeyDistribution::Uniform { keys: 50 },
            value_bytes: 100,
            compression_ratio: None,
            events: None,
        }),
    })
    .unwrap();
    s.apply(Action::SetFaults {
        faults: vec![LinkFaults {
            drop_responses_percent: 20.0,
            ..Default::default()
        }],
    })
    .unwrap();
    s.advance_to(3000);
    for e in s.events_since(0) {
        let d = s.describe(e);
        if !d.starts_with("ProduceRequest #") {
            println!("{} {}", e.time, d);
        }
    }
}
