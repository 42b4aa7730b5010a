//! Small builders shared by the engine's integration tests.
#![allow(dead_code)]

use std::collections::BTreeMap;

use brokerlab_engine::cluster::ClusterConfig;
use brokerlab_engine::consumer::ConsumerConfig;
use brokerlab_engine::event::EventKind;
use brokerlab_engine::producer::{KeyDistribution, LoadConfig, ProducerConfig};
use brokerlab_engine::protocol::AssignorName;
use brokerlab_engine::{Action, Simulation};

pub fn sim(seed: u64) -> Simulation {
    Simulation::new(seed, ClusterConfig::default()).expect("default cluster is valid")
}

pub fn topic(sim: &mut Simulation, name: &str, partitions: u32) {
    sim.apply(Action::CreateTopic {
        name: name.into(),
        partitions,
        config: Default::default(),
    })
    .expect("valid topic");
}

pub fn load(topic: &str, rate: u64, keys: KeyDistribution) -> LoadConfig {
    LoadConfig {
        topic: topic.into(),
        rate,
        keys,
        value_bytes: 100,
        compression_ratio: None,
        events: None,
    }
}

pub fn producer(sim: &mut Simulation, name: &str, topic: &str, rate: u64, keys: KeyDistribution) {
    producer_with(
        sim,
        name,
        ProducerConfig::default(),
        load(topic, rate, keys),
    );
}

pub fn producer_with(sim: &mut Simulation, name: &str, config: ProducerConfig, load: LoadConfig) {
    sim.apply(Action::AddProducer {
        name: Some(name.into()),
        config,
        load: Some(load),
    })
    .expect("valid producer");
}

pub fn group_config(group: &str) -> ConsumerConfig {
    ConsumerConfig {
        group_id: Some(group.into()),
        ..Default::default()
    }
}

pub fn with_assignor(group: &str, a: AssignorName) -> ConsumerConfig {
    ConsumerConfig {
        assignors: vec![a],
        ..group_config(group)
    }
}

pub fn consumer(sim: &mut Simulation, name: &str, group: &str, topic: &str) {
    consumer_with(sim, name, group_config(group), topic);
}

pub fn consumer_with(sim: &mut Simulation, name: &str, config: ConsumerConfig, topic: &str) {
    sim.apply(Action::AddConsumer {
        name: Some(name.into()),
        config,
        topics: vec![topic.into()],
        assign: None,
    })
    .expect("valid consumer");
}

/// Consumer name -> partitions it owns in the group coordinator's current assignment.
pub fn owners(sim: &Simulation, group: &str) -> BTreeMap<String, Vec<u32>> {
    let snap = sim.snapshot();
    let g = snap
        .groups
        .iter()
        .find(|g| g.group_id == group)
        .expect("group exists");
    g.members
        .iter()
        .map(|m| {
            let mut ps: Vec<u32> = m.assignment.iter().map(|(_, p)| *p).collect();
            ps.sort();
            (m.client.clone(), ps)
        })
        .collect()
}

/// Partition counts per consumer, sorted.
pub fn counts(sim: &Simulation, group: &str) -> Vec<usize> {
    let mut v: Vec<usize> = owners(sim, group).values().map(Vec::len).collect();
    v.sort();
    v
}

pub fn group_state(sim: &Simulation, group: &str) -> (String, i32) {
    let snap = sim.snapshot();
    let g = snap
        .groups
        .iter()
        .find(|g| g.group_id == group)
        .expect("group exists");
    (g.state.clone(), g.generation)
}

pub fn events_matching(sim: &Simulation, f: impl Fn(&EventKind) -> bool) -> Vec<(u64, EventKind)> {
    sim.events_since(0)
        .filter(|e| f(&e.kind))
        .map(|e| (e.time, e.kind.clone()))
        .collect()
}

pub fn log_lines(sim: &Simulation) -> String {
    sim.events_since(0)
        .filter(|e| {
            !matches!(
                e.kind,
                EventKind::ProduceRequest { .. }
                    | EventKind::ProduceResponse { .. }
                    | EventKind::FetchRequest { .. }
                    | EventKind::FetchResponse { .. }
            )
        })
        .map(|e| format!("{:>7} {}", e.time, sim.describe(e)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `advance_to`, but panics with the latest events if the simulation livelocks (a burst of
/// events that does not move virtual time forward).
pub fn advance_checked(sim: &mut Simulation, t: u64) {
    loop {
        let before = sim.now();
        if sim.advance_to_bounded(t, 500_000) {
            return;
        }
        if sim.now() == before {
            let tail: Vec<String> = sim
                .events_since(sim.next_event_seq().saturating_sub(40))
                .map(|e| format!("{:>7} {}", e.time, sim.describe(e)))
                .collect();
            panic!("livelock at {before} ms:\n{}", tail.join("\n"));
        }
    }
}

/// A group consumer that starts from the earliest offset when the group has none.
pub fn earliest(group: &str) -> ConsumerConfig {
    ConsumerConfig {
        auto_offset_reset: brokerlab_engine::consumer::OffsetResetStrategy::Earliest,
        ..group_config(group)
    }
}

/// The delivery audit of a group, from a snapshot.
pub fn audit(s: &Simulation, group: &str) -> brokerlab_engine::audit::AuditReport {
    s.snapshot()
        .groups
        .iter()
        .find(|g| g.group_id == group)
        .expect("group")
        .audit
        .clone()
}

/// A committed record: (key text, value, timestamp, origin (producer, partition, record number)).
pub type Read = (String, Option<String>, u64, Option<(u32, u32, u64)>);

/// The committed records of `topic`, as a read_committed reader gets them, partition by
/// partition (Kafka Streams outputs, changelogs, repartition and dead-letter topics).
pub fn read_committed(sim: &Simulation, topic: &str) -> Vec<Read> {
    let mut out = Vec::new();
    let t = sim.cluster().topic_by_name(topic).unwrap();
    for &p in &t.partitions {
        let part = sim.cluster().partition(p).unwrap();
        let end = part.last_stable_offset();
        for b in part.log.batches_from(0) {
            if b.base_offset >= end {
                break;
            }
            if b.control.is_some()
                || b.is_transactional && part.is_aborted(b.producer_id, b.base_offset)
            {
                continue;
            }
            for (i, r) in b.records.iter().enumerate() {
                let value = b
                    .typed
                    .iter()
                    .find(|t| t.offset_delta == i as u32)
                    .and_then(|t| t.value.clone());
                let key = sim
                    .keys()
                    .text(r.key)
                    .map(|k| k.into_owned())
                    .unwrap_or_default();
                let origin = b.origin.map(|o| (o.producer, p, o.first_record + i as u64));
                out.push((key, value, r.timestamp(b.first_timestamp), origin));
            }
        }
    }
    out
}
