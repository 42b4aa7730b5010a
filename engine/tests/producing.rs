//! The producer end to end: partitioning, the accumulator's batching, acks and idempotence.

mod common;

use brokerlab_engine::event::EventKind;
use brokerlab_engine::ground::hash::partition_for_key;
use brokerlab_engine::producer::{KeyDistribution, PartitionerKind, ProducerConfig};
use brokerlab_engine::protocol::Acks;
use brokerlab_engine::{Action, Simulation};
use common::*;

fn all_records(
    s: &Simulation,
    topic: &str,
    partitions: u32,
) -> Vec<(u32, brokerlab_engine::view::RecordView)> {
    (0..partitions)
        .flat_map(|p| {
            s.records(topic, p, 0, usize::MAX)
                .into_iter()
                .map(move |r| (p, r))
        })
        .collect()
}

/// Keyed records go to toPositive(murmur2(key)) % partitions, whatever the producer.
#[test]
fn keyed_records_land_on_the_murmur2_partition() {
    let mut s = sim(11);
    topic(&mut s, "t", 7);
    producer(
        &mut s,
        "a",
        "t",
        500,
        KeyDistribution::Uniform { keys: 300 },
    );
    producer(
        &mut s,
        "b",
        "t",
        500,
        KeyDistribution::Zipf {
            keys: 300,
            exponent: 1.1,
        },
    );
    s.advance_to(3_000);
    let recs = all_records(&s, "t", 7);
    assert!(recs.len() > 2_500, "{}", recs.len());
    for (p, r) in &recs {
        let key = r.key.as_ref().expect("keyed");
        assert_eq!(*p, partition_for_key(key.as_bytes(), 7), "key {key}");
    }
}

/// A typed key gets the same partition as the same generated key, and the action says which.
#[test]
fn produce_one_record_reports_the_partition_murmur2_picks() {
    let mut s = sim(12);
    topic(&mut s, "t", 12);
    producer(&mut s, "a", "t", 0, KeyDistribution::None);
    for key in ["user-42", "order-7", "", "ключ"] {
        let applied = s
            .apply(Action::ProduceRecord {
                producer: "a".into(),
                topic: "t".into(),
                partition: None,
                key: Some(key.into()),
                value: Some("hello".into()),
                headers: vec![],
            })
            .unwrap();
        assert_eq!(
            applied.partition,
            Some(partition_for_key(key.as_bytes(), 12)),
            "{key:?}"
        );
    }
    s.advance_to(100);
    let recs = all_records(&s, "t", 12);
    assert_eq!(recs.len(), 4);
    assert!(recs
        .iter()
        .all(|(_, r)| r.value.as_deref() == Some("hello")));
}

/// linger.ms lets batches fill: more records per batch, fewer requests.
#[test]
fn raising_linger_ms_raises_records_per_batch() {
    let avg = |linger_ms: u64| {
        let mut s = sim(13);
        topic(&mut s, "t", 6);
        let config = ProducerConfig {
            linger_ms,
            ..Default::default()
        };
        producer_with(
            &mut s,
            "p",
            config,
            load("t", 5_000, KeyDistribution::Uniform { keys: 1000 }),
        );
        s.advance_to(5_000);
        let p = &s.snapshot().producers[0];
        (
            p.stats.records_acked as f64 / p.stats.batches_acked as f64,
            p.stats.requests_sent,
        )
    };
    let (b0, r0) = avg(0);
    let (b5, _) = avg(5);
    let (b50, r50) = avg(50);
    assert!(
        b0 < b5 && b5 < b50,
        "records/batch: linger 0 {b0:.1}, 5 {b5:.1}, 50 {b50:.1}"
    );
    assert!(r50 * 5 < r0, "requests: linger 0 {r0}, 50 {r50}");
}

/// batch.size caps a batch: at a high rate batches close full, never larger than batch.size.
#[test]
fn batches_close_at_batch_size() {
    let mut s = sim(14);
    topic(&mut s, "t", 2);
    let config = ProducerConfig {
        batch_size: 4096,
        linger_ms: 100,
        ..Default::default()
    };
    producer_with(
        &mut s,
        "p",
        config,
        load("t", 50_000, KeyDistribution::Uniform { keys: 10 }),
    );
    s.advance_to(1_000);
    let recs = all_records(&s, "t", 2);
    let mut batch_sizes = std::collections::BTreeMap::<(u32, i64), u32>::new();
    for (p, r) in &recs {
        *batch_sizes.entry((*p, r.batch_base_offset)).or_default() += 1;
    }
    // Keys user-0..user-9 (6 bytes) with 100-byte values take 115 bytes a record:
    // 61 + 35 * 115 = 4086 <= 4096 < 4086 + 115.
    let full = batch_sizes.values().filter(|&&n| n == 35).count();
    assert!(
        full as f64 > 0.9 * batch_sizes.len() as f64,
        "{batch_sizes:?}"
    );
    assert!(batch_sizes.values().all(|&n| n <= 35));
}

/// KIP-794: null-key records stick to one partition until about batch.size bytes went there,
/// and over time every partition gets its share.
#[test]
fn null_keys_stick_to_one_partition_per_batch_and_spread_over_time() {
    let mut s = sim(15);
    topic(&mut s, "t", 4);
    producer(&mut s, "p", "t", 20_000, KeyDistribution::None);
    s.advance_to(2_000);
    let snap = s.snapshot();
    let per: Vec<i64> = snap.topics[0]
        .partitions
        .iter()
        .map(|p| p.log_end_offset)
        .collect();
    let total: i64 = per.iter().sum();
    assert!(per.iter().all(|&n| n > total / 8), "spread: {per:?}");
    // Consecutive records in a partition come in runs of about one batch.
    let recs = s.records("t", 0, 0, 10_000);
    let mut batches = std::collections::BTreeMap::<i64, u32>::new();
    for r in &recs {
        *batches.entry(r.batch_base_offset).or_default() += 1;
    }
    let big = batches.values().filter(|&&n| n >= 100).count();
    assert!(
        big * 2 >= batches.len(),
        "most batches near batch.size: {batches:?}"
    );
}

#[test]
fn round_robin_partitioner_spreads_records_evenly_ignoring_keys() {
    let mut s = sim(16);
    topic(&mut s, "t", 5);
    let config = ProducerConfig {
        partitioner: PartitionerKind::RoundRobin,
        ..Default::default()
    };
    producer_with(
        &mut s,
        "p",
        config,
        load(
            "t",
            1_000,
            KeyDistribution::HotKey {
                keys: 10,
                hot_percent: 90.0,
            },
        ),
    );
    s.advance_to(2_000);
    let per: Vec<i64> = s.snapshot().topics[0]
        .partitions
        .iter()
        .map(|p| p.log_end_offset)
        .collect();
    let (min, max) = (per.iter().min().unwrap(), per.iter().max().unwrap());
    assert!(max - min <= 1, "{per:?}");
}

#[test]
fn a_hot_key_makes_a_hot_partition() {
    let mut s = sim(17);
    topic(&mut s, "t", 6);
    producer(
        &mut s,
        "p",
        "t",
        2_000,
        KeyDistribution::HotKey {
            keys: 100,
            hot_percent: 60.0,
        },
    );
    s.advance_to(3_000);
    let hot = partition_for_key(b"user-0", 6) as usize;
    let per: Vec<i64> = s.snapshot().topics[0]
        .partitions
        .iter()
        .map(|p| p.log_end_offset)
        .collect();
    let total: i64 = per.iter().sum();
    assert!(per[hot] * 2 > total, "{per:?}");
}

/// acks=0: requests get no response; the producer counts records done once sent.
#[test]
fn acks_zero_gets_no_produce_responses() {
    let mut s = sim(18);
    topic(&mut s, "t", 3);
    let config = ProducerConfig {
        acks: Acks::None,
        ..Default::default()
    };
    producer_with(
        &mut s,
        "p",
        config,
        load("t", 1_000, KeyDistribution::Uniform { keys: 10 }),
    );
    s.advance_to(1_000);
    assert!(events_matching(&s, |k| matches!(k, EventKind::ProduceResponse { .. })).is_empty());
    let p = &s.snapshot().producers[0];
    assert!(!p.idempotent, "acks=0 turns default idempotence off");
    assert!(p.stats.records_acked > 900);
    assert_eq!(p.producer_id, None);
}

/// An idempotent producer gets a producer id and stamps consecutive sequence numbers.
#[test]
fn idempotent_batches_carry_producer_id_epoch_and_consecutive_sequences() {
    let mut s = sim(19);
    topic(&mut s, "t", 2);
    producer(
        &mut s,
        "p",
        "t",
        1_000,
        KeyDistribution::Uniform { keys: 10 },
    );
    s.advance_to(2_000);
    assert_eq!(
        events_matching(&s, |k| matches!(k, EventKind::InitProducerId { .. })).len(),
        1
    );
    for p in 0..2 {
        let recs = s.records("t", p, 0, usize::MAX);
        assert!(!recs.is_empty());
        for (i, r) in recs.iter().enumerate() {
            assert_eq!(r.producer_id, 0);
            assert_eq!(r.producer_epoch, 0);
            assert_eq!(
                r.sequence, i as i32,
                "sequence per partition counts records from 0"
            );
        }
    }
}

/// A produce request carries all ready batches for one broker: with 6 partitions on 3 brokers
/// and a busy producer, requests hold several batches.
#[test]
fn one_request_carries_batches_of_several_partitions_on_the_same_broker() {
    let mut s = sim(20);
    topic(&mut s, "t", 6);
    producer(
        &mut s,
        "p",
        "t",
        50_000,
        KeyDistribution::Uniform { keys: 1000 },
    );
    s.advance_to(1_000);
    let p = &s.snapshot().producers[0];
    assert!(p.avg_request_batches > 1.5, "{}", p.avg_request_batches);
    let multi = events_matching(
        &s,
        |k| matches!(k, EventKind::ProduceRequest { batches, .. } if *batches == 2),
    );
    assert!(!multi.is_empty());
}

#[test]
fn increasing_partitions_remaps_keys() {
    let mut s = sim(21);
    topic(&mut s, "t", 3);
    producer(&mut s, "p", "t", 0, KeyDistribution::None);
    let send = |s: &mut Simulation| {
        s.apply(Action::ProduceRecord {
            producer: "p".into(),
            topic: "t".into(),
            partition: None,
            key: Some("user-1".into()),
            value: None,
            headers: vec![],
        })
        .unwrap()
        .partition
        .unwrap()
    };
    let before = send(&mut s);
    s.apply(Action::IncreasePartitions {
        topic: "t".into(),
        partitions: 8,
    })
    .unwrap();
    let after = send(&mut s);
    assert_eq!(before, partition_for_key(b"user-1", 3));
    assert_eq!(after, partition_for_key(b"user-1", 8));
    assert_ne!(
        before, after,
        "this key moves: its order across the change is not guaranteed"
    );
}
