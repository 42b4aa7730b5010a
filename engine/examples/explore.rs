use brokerlab_engine::cluster::ClusterConfig;
use brokerlab_engine::consumer::ConsumerConfig;
use brokerlab_engine::producer::{KeyDistribution, LoadConfig};
use brokerlab_engine::scenario::Action;
use brokerlab_engine::Simulation;

fn main() {
    let mut sim = Simulation::new(42, ClusterConfig::default()).unwrap();
    sim.apply(Action::CreateTopic {
        name: "orders".into(),
        partitions: 6,
        config: Default::default(),
    })
    .unwrap();
    sim.apply(Action::AddProducer {
        name: None,
        config: Default::default(),
        load: Some(LoadConfig {
            topic: "orders".into(),
            rate: 1000,
            keys: KeyDistribution::Uniform { keys: 50 },
            value_bytes: 100,
        }),
    })
    .unwrap();
    let cfg = ConsumerConfig {
        group_id: Some("g1".into()),
        ..Default::default()
    };
    for _ in 0..2 {
        sim.apply(Action::AddConsumer {
            name: None,
            config: cfg.clone(),
            topics: vec!["orders".into()],
            assign: None,
        })
        .unwrap();
    }
    sim.advance_to(8000);
    sim.apply(Action::AddConsumer {
        name: None,
        config: cfg.clone(),
        topics: vec!["orders".into()],
        assign: None,
    })
    .unwrap();
    sim.advance_to(16000);
    let mut n = 0;
    for e in sim.events_since(0) {
        let d = sim.describe(e);
        if d.starts_with("Produce") || d.starts_with("Fetch") {
            n += 1;
            if n > 10 {
                continue;
            }
        }
        println!("{:>6} {}", e.time, d);
    }
    let s = sim.snapshot();
    println!("{}", serde_json::to_string_pretty(&s.groups).unwrap());
    for p in &s.producers {
        println!("{:?}", p.stats);
    }
    for t in &s.topics {
        for p in &t.partitions {
            println!(
                "p{} hw={} leo={}",
                p.partition, p.high_watermark, p.log_end_offset
            );
        }
    }
}
