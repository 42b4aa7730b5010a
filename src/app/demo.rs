//! The example a first visitor sees running: one topic, a keyed producer, a group of two.

use brokerlab_engine::Scenario;
use brokerlab_engine::{AssignorName, GroupProtocol};
use brokerlab_engine::{ConsumerConfig, OffsetResetStrategy};
use brokerlab_engine::{ConsumerSpec, ProducerSpec, TopicSpec};
use brokerlab_engine::{KeyDistribution, LoadConfig};

pub const DEMO_SEED: u64 = 42;

/// The built-in scenarios' names (`?scenario=NAME`), as the Scenarios menu lists them before
/// the files of `scenarios/`. No name may be a file's name too, or one would hide the other.
pub const BUILTIN: &[&str] = &[
    "first-look",
    "bench-100k",
    "bench-1m",
    "memory-bound",
    "three-protocols",
];

/// A built-in scenario by name (`?scenario=NAME` in the page address).
pub fn builtin(name: &str, seed: u64) -> Option<Scenario> {
    match name {
        "first-look" => Some(demo_scenario(seed)),
        "bench-100k" => Some(bench_scenario(seed)),
        "bench-1m" => Some(bench_1m_scenario(seed)),
        "memory-bound" => Some(memory_bound_scenario(seed)),
        "three-protocols" => Some(rebalance_protocols_scenario(seed)),
        _ => None,
    }
}

/// The load the frame-time benchmark runs: 100,000 records/s over 24 partitions, read by three
/// groups of four consumers.
pub fn bench_scenario(seed: u64) -> Scenario {
    let consumers = groups_of(&["billing", "analytics", "audit"], 4);
    let producer = |name: &str| ProducerSpec {
        name: Some(name.to_string()),
        config: Default::default(),
        load: Some(LoadConfig {
            topic: "events".into(),
            rate: 50_000,
            keys: KeyDistribution::Uniform { keys: 10_000 },
            value_bytes: 100,
            compression_ratio: None,
            events: None,
        }),
    };
    Scenario {
        name: Some("100,000 records/s".into()),
        description: Some(
            "24 partitions, two producers of 50,000 records/s, three groups of four.".into(),
        ),
        seed,
        cluster: Default::default(),
        topics: vec![TopicSpec {
            name: "events".into(),
            partitions: 24,
            config: Default::default(),
        }],
        producers: vec![producer("web"), producer("mobile")],
        consumers,
        actions: Vec::new(),
        duration_ms: 0,
    }
}

/// Issue 20's frame-time benchmark at a million records per second: 3 brokers, replication
/// factor 3, 48 partitions, two producers of 500,000 records/s of 100 bytes, two groups of six.
/// Every broker's network card takes the whole stream (a third as leader, two thirds as a
/// follower): about 110 MB/s of its 125.
pub fn bench_1m_scenario(seed: u64) -> Scenario {
    let mut s = bench_scenario(seed);
    s.name = Some("1,000,000 records/s".into());
    s.description = Some(
        "48 partitions with replication factor 3, two producers of 500,000 records/s, two groups of six."
            .into(),
    );
    s.topics[0].partitions = 48;
    s.topics[0].config.replication_factor = 3;
    s.topics[0].config.min_insync_replicas = 2;
    for p in &mut s.producers {
        if let Some(l) = p.load.as_mut() {
            l.rate = 500_000;
        }
    }
    s.consumers = groups_of(&["billing", "analytics"], 6);
    s
}

/// `size` consumers `GROUP-1` .. `GROUP-size` of each group, subscribed to `events`.
fn groups_of(groups: &[&str], size: u32) -> Vec<ConsumerSpec> {
    let mut consumers = Vec::new();
    for g in groups {
        for i in 1..=size {
            consumers.push(ConsumerSpec {
                name: Some(format!("{g}-{i}")),
                config: ConsumerConfig {
                    group_id: Some((*g).into()),
                    ..ConsumerConfig::default()
                },
                topics: vec!["events".into()],
                assign: None,
            });
        }
    }
    consumers
}

/// The playground's memory bound at work: `sim.log.memory.bytes` at its least (1 MB), a
/// producer writing 300 KB/s and a group that reads a record every 20 ms. The bound removes the
/// oldest records before the group gets to them, and the page says so: the partition's log
/// start offset, and the group's "Evicted (memory)", apart from Kafka's retention.
pub fn memory_bound_scenario(seed: u64) -> Scenario {
    Scenario {
        name: Some("The playground's memory bound".into()),
        description: Some(
            "1 MB for every log together, 3,000 records/s of 100 bytes, a slow group.".into(),
        ),
        seed,
        cluster: brokerlab_engine::ClusterConfig {
            log_memory_bytes: 1 << 20,
            ..Default::default()
        },
        topics: vec![TopicSpec {
            name: "clicks".into(),
            partitions: 1,
            config: Default::default(),
        }],
        producers: vec![ProducerSpec {
            name: Some("tracker".into()),
            config: Default::default(),
            load: Some(LoadConfig {
                topic: "clicks".into(),
                rate: 3_000,
                keys: KeyDistribution::Uniform { keys: 1_000 },
                value_bytes: 100,
                compression_ratio: None,
                events: None,
            }),
        }],
        consumers: vec![ConsumerSpec {
            name: Some("reporting-1".into()),
            config: ConsumerConfig {
                group_id: Some("reporting".into()),
                auto_offset_reset: OffsetResetStrategy::Earliest,
                processing_us: 20_000,
                ..ConsumerConfig::default()
            },
            topics: vec!["clicks".into()],
            assign: None,
        }],
        actions: Vec::new(),
        duration_ms: 0,
    }
}

/// Three groups read one topic, two consumers each, one of them slow: `eager` (classic, range),
/// `cooperative` (classic, cooperative-sticky) and `consumer` (KIP-848). Add a third consumer
/// to each and compare the groups' last rebalance: who stopped, for how long, and what each
/// read meanwhile (`scenarios/rebalance-protocols.json` does the joins at 15 s, headless).
pub fn rebalance_protocols_scenario(seed: u64) -> Scenario {
    let consumer = |name: &str, group: &str, slow: bool| {
        let mut config = ConsumerConfig {
            group_id: Some(group.into()),
            auto_offset_reset: OffsetResetStrategy::Earliest,
            processing_us: if slow { 20_000 } else { 0 },
            ..ConsumerConfig::default()
        };
        match group {
            "eager" => config.assignors = vec![AssignorName::Range],
            "cooperative" => config.assignors = vec![AssignorName::CooperativeSticky],
            _ => config.group_protocol = GroupProtocol::Consumer,
        }
        ConsumerSpec {
            name: Some(name.to_string()),
            config,
            topics: vec!["orders".into()],
            assign: None,
        }
    };
    Scenario {
        name: Some("Three rebalance protocols".into()),
        description: Some(
            "eager, cooperative and consumer (KIP-848) groups of two, one member slow in each."
                .into(),
        ),
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
                rate: 300,
                keys: KeyDistribution::Uniform { keys: 200 },
                value_bytes: 120,
                compression_ratio: None,
                events: None,
            }),
        }],
        consumers: vec![
            consumer("eager-1", "eager", false),
            consumer("eager-2", "eager", true),
            consumer("coop-1", "cooperative", false),
            consumer("coop-2", "cooperative", true),
            consumer("kip848-1", "consumer", false),
            consumer("kip848-2", "consumer", true),
        ],
        actions: Vec::new(),
        duration_ms: 0,
    }
}

pub fn demo_scenario(seed: u64) -> Scenario {
    let consumer = |name: &str| ConsumerSpec {
        name: Some(name.to_string()),
        config: ConsumerConfig {
            group_id: Some("billing".into()),
            auto_offset_reset: OffsetResetStrategy::Earliest,
            ..ConsumerConfig::default()
        },
        topics: vec!["orders".into()],
        assign: None,
    };
    Scenario {
        name: Some("First look".into()),
        description: Some(
            "One topic replicated on three brokers, one keyed producer, one group of two consumers."
                .into(),
        ),
        seed,
        // Brokers look after retention and compaction every few seconds rather than every few
        // minutes, so that a topic created with a short retention shows it while you watch.
        cluster: brokerlab_engine::ClusterConfig {
            log_retention_check_interval_ms: 5_000,
            log_cleaner_backoff_ms: 2_000,
            ..Default::default()
        },
        // Replicated three ways with min.insync.replicas=2: a broker can be killed without
        // losing anything acknowledged.
        topics: vec![TopicSpec {
            name: "orders".into(),
            partitions: 6,
            config: brokerlab_engine::TopicConfig {
                replication_factor: 3,
                min_insync_replicas: 2,
                ..Default::default()
            },
        }],
        producers: vec![ProducerSpec {
            name: Some("checkout".into()),
            config: Default::default(),
            load: Some(LoadConfig {
                topic: "orders".into(),
                rate: 20,
                keys: KeyDistribution::Uniform { keys: 30 },
                value_bytes: 100,
                compression_ratio: None,
                events: None,
            }),
        }],
        consumers: vec![consumer("billing-1"), consumer("billing-2")],
        actions: Vec::new(),
        duration_ms: 0,
    }
}
