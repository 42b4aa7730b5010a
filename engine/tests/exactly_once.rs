//! Exactly-once, shown by mechanism (KIP-98): duplicates come from dropped responses and
//! retries; idempotence removes them; transactions make several partitions' writes atomic for
//! read_committed consumers; zombies are fenced; expired transactions are aborted.

mod common;

use brokerlab_engine::action::LinkFaults;
use brokerlab_engine::cluster::IsolationLevel;
use brokerlab_engine::consumer::{ConsumerConfig, OffsetResetStrategy};
use brokerlab_engine::event::EventKind;
use brokerlab_engine::ground::ErrorCode;
use brokerlab_engine::producer::{KeyDistribution, ProducerConfig};
use brokerlab_engine::{Action, Simulation};
use common::*;

fn reader(group: &str, isolation: IsolationLevel) -> ConsumerConfig {
    ConsumerConfig {
        auto_offset_reset: OffsetResetStrategy::Earliest,
        isolation_level: isolation,
        ..group_config(group)
    }
}

/// The same run with and without `enable.idempotence`, 20% of produce responses lost.
fn lossy_run(idempotent: bool) -> Simulation {
    let mut s = sim(41);
    topic(&mut s, "payments", 3);
    let config = ProducerConfig {
        enable_idempotence: Some(idempotent),
        request_timeout_ms: 1_000,
        delivery_timeout_ms: 120_000,
        ..Default::default()
    };
    producer_with(
        &mut s,
        "gateway",
        config,
        load("payments", 400, KeyDistribution::Uniform { keys: 50 }),
    );
    consumer_with(
        &mut s,
        "ledger",
        reader("ledger", IsolationLevel::ReadUncommitted),
        "payments",
    );
    s.apply(Action::SetFaults {
        faults: vec![LinkFaults {
            drop_responses_percent: 20.0,
            ..Default::default()
        }],
    })
    .unwrap();
    s.advance_to(30_000);
    s.apply(Action::SetFaults { faults: vec![] }).unwrap();
    s.apply(Action::SetRate {
        producer: "gateway".into(),
        rate: 0,
    })
    .unwrap();
    s.advance_to(50_000);
    s
}

/// Scenario 1: retries without idempotence append batches twice; with idempotence the leader
/// recognises the retried sequence numbers and answers with the original offsets.
#[test]
fn lost_responses_duplicate_records_unless_the_producer_is_idempotent() {
    let plain = lossy_run(false);
    let idem = lossy_run(true);
    let (a, b) = (audit(&plain, "ledger"), audit(&idem, "ledger"));
    let lost = events_matching(&plain, |k| {
        matches!(k, EventKind::ProduceResponseLost { .. })
    })
    .len();
    assert!(lost > 20, "responses were lost: {lost}");
    assert!(a.duplicates > 0, "without idempotence: {a:?}");
    assert_eq!(b.duplicates, 0, "with idempotence: {b:?}");
    let dup_acks: u32 = events_matching(
        &idem,
        |k| matches!(k, EventKind::ProduceResponse { duplicates, .. } if *duplicates > 0),
    )
    .iter()
    .map(|(_, k)| match k {
        EventKind::ProduceResponse { duplicates, .. } => *duplicates,
        _ => 0,
    })
    .sum();
    assert!(
        dup_acks > 0,
        "the broker answered retried batches as duplicates"
    );
    // The same records were produced and consumed, once each with idempotence.
    assert_eq!(a.produced, b.produced);
    assert_eq!(a.unique_consumed, b.unique_consumed);
    assert_eq!(b.unique_consumed, b.produced);
    assert_eq!((b.gaps, b.order_violations), (0, 0));
    // The logs differ by exactly the duplicated records.
    let total = |s: &Simulation| -> i64 {
        s.snapshot().topics[0]
            .partitions
            .iter()
            .map(|p| p.log_end_offset)
            .sum()
    };
    assert_eq!(total(&plain) - total(&idem), a.duplicates as i64);
}

/// Without idempotence and with several requests in flight, a request refused with a retriable
/// error (NOT_LEADER_OR_FOLLOWER) and retried after a later one lands its records out of order;
/// an idempotent producer's later batches are refused as out of sequence and wait their turn.
#[test]
fn lost_requests_reorder_records_without_idempotence() {
    let run = |idempotent: bool| {
        let mut s = sim(42);
        topic(&mut s, "t", 1);
        let config = ProducerConfig {
            enable_idempotence: Some(idempotent),
            request_timeout_ms: 500,
            linger_ms: 0,
            ..Default::default()
        };
        producer_with(
            &mut s,
            "p",
            config,
            load("t", 2000, KeyDistribution::Uniform { keys: 5 }),
        );
        consumer_with(
            &mut s,
            "c",
            reader("g", IsolationLevel::ReadUncommitted),
            "t",
        );
        s.apply(Action::SetFaults {
            faults: vec![LinkFaults {
                reject_requests_percent: 10.0,
                ..Default::default()
            }],
        })
        .unwrap();
        s.advance_to(20_000);
        s.apply(Action::SetFaults { faults: vec![] }).unwrap();
        s.advance_to(30_000);
        audit(&s, "g")
    };
    let plain = run(false);
    let idem = run(true);
    assert!(plain.order_violations > 0, "{plain:?}");
    assert_eq!(idem.order_violations, 0, "{idem:?}");
    assert_eq!(idem.duplicates, 0, "{idem:?}");
}

fn txn_producer(s: &mut Simulation, name: &str, tid: &str, txn_ms: u64) {
    let config = ProducerConfig {
        transactional_id: Some(tid.into()),
        transaction_ms: txn_ms,
        ..Default::default()
    };
    s.apply(Action::AddProducer {
        name: Some(name.into()),
        config,
        load: None,
    })
    .unwrap();
}

fn send(s: &mut Simulation, producer: &str, topic: &str, partition: u32, value: &str) {
    s.apply(Action::ProduceRecord {
        producer: producer.into(),
        topic: topic.into(),
        partition: Some(partition),
        key: Some(format!("k{partition}")),
        value: Some(value.into()),
        headers: vec![],
    })
    .unwrap();
}

/// Scenario 2: a transaction written to three partitions and aborted is invisible to a
/// read_committed consumer and visible to a read_uncommitted one; its markers take an offset.
#[test]
fn an_aborted_transaction_over_three_partitions_is_seen_only_by_read_uncommitted() {
    let mut s = sim(43);
    topic(&mut s, "orders", 3);
    txn_producer(&mut s, "tx", "order-writer", 0);
    consumer_with(
        &mut s,
        "committed",
        reader("rc", IsolationLevel::ReadCommitted),
        "orders",
    );
    consumer_with(
        &mut s,
        "uncommitted",
        reader("ru", IsolationLevel::ReadUncommitted),
        "orders",
    );
    s.advance_to(8_000);
    // A committed transaction first, then an aborted one.
    s.apply(Action::BeginTransaction {
        producer: "tx".into(),
    })
    .unwrap();
    for p in 0..3 {
        send(&mut s, "tx", "orders", p, "kept");
    }
    s.advance(200);
    s.apply(Action::CommitTransaction {
        producer: "tx".into(),
    })
    .unwrap();
    s.advance(500);
    s.apply(Action::BeginTransaction {
        producer: "tx".into(),
    })
    .unwrap();
    for p in 0..3 {
        send(&mut s, "tx", "orders", p, "doomed");
        send(&mut s, "tx", "orders", p, "doomed");
    }
    s.advance(200);
    // While open, the LSO holds read_committed back at the first open record.
    let snap = s.snapshot();
    for p in &snap.topics[0].partitions {
        assert!(
            p.last_stable_offset < p.high_watermark,
            "open transaction pins the LSO: {p:?}"
        );
    }
    s.apply(Action::AbortTransaction {
        producer: "tx".into(),
    })
    .unwrap();
    s.advance_to(20_000);
    let markers = events_matching(&s, |k| {
        matches!(k, EventKind::TxnMarkerWritten { commit: false, .. })
    });
    assert_eq!(markers.len(), 3, "one ABORT marker per partition");
    let rc = audit(&s, "rc");
    let ru = audit(&s, "ru");
    if std::env::var("SHOW").is_ok() {
        println!("{}", log_lines(&s));
    }
    assert_eq!((rc.unique_consumed, rc.aborted_seen), (3, 0), "{rc:?}");
    assert_eq!((ru.unique_consumed, ru.aborted_seen), (9, 6), "{ru:?}");
    // Each partition: data at 0, COMMIT at 1, two aborted records at 2-3, ABORT at 4.
    let snap = s.snapshot();
    for p in &snap.topics[0].partitions {
        assert_eq!(
            (p.log_end_offset, p.last_stable_offset, p.high_watermark),
            (5, 5, 5)
        );
    }
    let recs = s.records("orders", 0, 0, 10);
    assert!(recs[1].control.is_some() && recs[4].control.is_some());
}

/// Scenario 3: a second producer with the same transactional.id bumps the epoch; the first is
/// fenced on its next request, and its open transaction is aborted.
#[test]
fn a_zombie_producer_is_fenced_by_its_successor() {
    let mut s = sim(44);
    topic(&mut s, "t", 2);
    txn_producer(&mut s, "old", "shared-id", 0);
    s.advance_to(1_000);
    s.apply(Action::BeginTransaction {
        producer: "old".into(),
    })
    .unwrap();
    send(&mut s, "old", "t", 0, "zombie write");
    s.advance(100);
    txn_producer(&mut s, "new", "shared-id", 0);
    s.advance(2_000);
    // The old instance tries to go on.
    send(&mut s, "old", "t", 1, "too late");
    s.advance(500);
    let fenced = events_matching(&s, |k| matches!(k, EventKind::ProducerFenced { .. }));
    assert_eq!(fenced.len(), 1, "{}", log_lines(&s));
    let snap = s.snapshot();
    let old = snap.producers.iter().find(|p| p.name == "old").unwrap();
    let new = snap.producers.iter().find(|p| p.name == "new").unwrap();
    assert_eq!(old.producer_id, new.producer_id, "same producer id");
    assert!(
        new.producer_epoch > old.producer_epoch,
        "the successor has a higher epoch"
    );
    let aborts = events_matching(&s, |k| {
        matches!(k, EventKind::TxnMarkerWritten { commit: false, .. })
    });
    assert_eq!(aborts.len(), 1, "the zombie's open transaction was aborted");
    // The new instance works.
    s.apply(Action::BeginTransaction {
        producer: "new".into(),
    })
    .unwrap();
    send(&mut s, "new", "t", 1, "fresh");
    s.advance(100);
    s.apply(Action::CommitTransaction {
        producer: "new".into(),
    })
    .unwrap();
    s.advance(1_000);
    assert!(
        events_matching(&s, |k| matches!(
            k,
            EventKind::TxnMarkerWritten { commit: true, .. }
        ))
        .len()
            == 1
    );
}

/// Scenario 5: a transaction left open past transaction.timeout.ms is aborted by the
/// coordinator, which bumps the epoch and so fences the producer.
#[test]
fn an_expired_transaction_is_aborted_by_the_coordinator() {
    let mut s = sim(45);
    topic(&mut s, "t", 1);
    let config = ProducerConfig {
        transactional_id: Some("slow".into()),
        transaction_ms: 0,
        transaction_timeout_ms: 5_000,
        ..Default::default()
    };
    s.apply(Action::AddProducer {
        name: Some("p".into()),
        config,
        load: None,
    })
    .unwrap();
    s.advance_to(1_000);
    s.apply(Action::BeginTransaction {
        producer: "p".into(),
    })
    .unwrap();
    send(&mut s, "p", "t", 0, "left open");
    s.advance_to(30_000);
    let timed_out = events_matching(&s, |k| matches!(k, EventKind::TransactionTimedOut { .. }));
    assert_eq!(timed_out.len(), 1, "{}", log_lines(&s));
    let t = timed_out[0].0;
    assert!((6_000..=21_000).contains(&t), "checked every 10 s: {t}");
    let snap = s.snapshot();
    let p = &snap.topics[0].partitions[0];
    assert_eq!(
        p.last_stable_offset, p.high_watermark,
        "nothing open any more"
    );
    assert_eq!(
        s.records("t", 0, 0, 5).last().and_then(|r| r.control),
        Some(brokerlab_engine::log::ControlType::Abort)
    );
    // The producer learns it was fenced when it tries to commit.
    s.apply(Action::CommitTransaction {
        producer: "p".into(),
    })
    .unwrap();
    s.advance(1_000);
    assert_eq!(
        events_matching(&s, |k| matches!(k, EventKind::ProducerFenced { .. })).len(),
        1,
        "{}",
        log_lines(&s)
    );
}

/// A consume-transform-produce processor, crashed three times and restarted, with a
/// read_committed reader of its output.
fn processor_run(guarantee: brokerlab_engine::processor::Guarantee) -> Simulation {
    let mut s = sim(46);
    topic(&mut s, "orders", 3);
    topic(&mut s, "enriched", 3);
    producer(
        &mut s,
        "shop",
        "orders",
        200,
        KeyDistribution::Uniform { keys: 40 },
    );
    s.apply(Action::AddProcessor {
        name: "enricher".into(),
        input: "orders".into(),
        output: "enriched".into(),
        group: None,
        guarantee,
        processing_us: 4_000,
    })
    .unwrap();
    consumer_with(
        &mut s,
        "report",
        reader("reporting", IsolationLevel::ReadCommitted),
        "enriched",
    );
    for (crash, restart) in [(10_000, 12_000), (20_500, 23_000), (31_250, 33_000)] {
        s.advance_to(crash);
        s.apply(Action::CrashProcessor {
            processor: "enricher".into(),
        })
        .unwrap();
        s.advance_to(restart);
        s.apply(Action::RestartProcessor {
            processor: "enricher".into(),
        })
        .unwrap();
    }
    s.advance_to(40_000);
    s.apply(Action::SetRate {
        producer: "shop".into(),
        rate: 0,
    })
    .unwrap();
    s.advance_to(90_000);
    s
}

/// Scenario 4: with exactly-once the output holds every input exactly once after three crashes;
/// with at-least-once, work redone after each crash leaves duplicates in the output.
#[test]
fn consume_transform_produce_is_exactly_once_with_transactions_and_not_without() {
    use brokerlab_engine::processor::Guarantee;
    let eos = processor_run(Guarantee::ExactlyOnce);
    let a = audit(&eos, "reporting");
    assert!(a.produced > 7_000, "{a:?}");
    assert_eq!(
        a.unique_consumed,
        a.produced,
        "every input reached the output: {a:?}\n{}",
        log_lines(&eos)
    );
    assert_eq!((a.duplicates, a.gaps), (0, 0), "exactly once: {a:?}");
    let fenced = events_matching(
        &eos,
        |k| matches!(k, EventKind::TxnStateChanged { to, .. } if to == "PrepareEpochFence"),
    );
    assert!(
        !fenced.is_empty(),
        "restarts fenced the crashed incarnation's open transaction"
    );
    let alo = processor_run(Guarantee::AtLeastOnce);
    let b = audit(&alo, "reporting");
    assert_eq!(b.unique_consumed, b.produced, "nothing lost: {b:?}");
    assert!(
        b.duplicates > 0,
        "at-least-once repeats work after a crash: {b:?}"
    );
}

/// KIP-360 (`TransactionManager.maybeResolveSequences`, `bumpIdempotentProducerEpoch`): every
/// produce request is lost for longer than `delivery.timeout.ms`, so batches that had been sent
/// expire and the client can no longer know which sequence the leader expects. Once nothing is in
/// flight it bumps its own epoch, restarts the partitions' sequences at 0, and goes on producing
/// when the network heals, instead of being refused as out of order for ever.
#[test]
fn idempotent_producer_bumps_its_epoch_after_sent_batches_expire() {
    let mut s = sim(44);
    topic(&mut s, "payments", 2);
    let config = ProducerConfig {
        request_timeout_ms: 5_000,
        delivery_timeout_ms: 20_000,
        ..Default::default()
    };
    producer_with(
        &mut s,
        "gateway",
        config,
        load("payments", 200, KeyDistribution::Uniform { keys: 20 }),
    );
    consumer_with(
        &mut s,
        "ledger",
        reader("ledger", IsolationLevel::ReadUncommitted),
        "payments",
    );
    s.advance_to(5_000);
    assert_eq!(s.producer(0).unwrap().producer_id().map(|p| p.1), Some(0));
    s.apply(Action::SetFaults {
        faults: vec![LinkFaults {
            drop_requests_percent: 100.0,
            ..Default::default()
        }],
    })
    .unwrap();
    s.advance_to(45_000);
    let p = s.producer(0).unwrap();
    assert!(
        p.stats.records_failed > 1_000,
        "batches expired: {:?}",
        p.stats
    );
    let acked_before = p.stats.records_acked;
    s.apply(Action::SetFaults { faults: vec![] }).unwrap();
    s.advance_to(65_000);
    let bumps = events_matching(&s, |e| matches!(e, EventKind::ProducerEpochBumped { .. }));
    assert!(!bumps.is_empty(), "the epoch was bumped");
    let EventKind::ProducerEpochBumped {
        epoch, partitions, ..
    } = &bumps[0].1
    else {
        unreachable!()
    };
    assert_eq!(*epoch, Some(1));
    assert!(!partitions.is_empty());
    let p = s.producer(0).unwrap();
    assert!(p.producer_id().unwrap().1 >= 1, "{:?}", p.producer_id());
    assert!(
        p.stats.records_acked > acked_before + 3_000,
        "producing again after the outage: {} then {}",
        acked_before,
        p.stats.records_acked
    );
    let refused = events_matching(&s, |e| {
        matches!(
            e,
            EventKind::BatchRetried {
                error: ErrorCode::OutOfOrderSequenceNumber,
                ..
            } | EventKind::BatchFailed {
                error: Some(ErrorCode::OutOfOrderSequenceNumber),
                ..
            }
        )
    });
    let late: Vec<_> = refused.iter().filter(|(t, _)| *t > 55_000).collect();
    assert!(
        late.is_empty(),
        "no longer refused as out of order: {late:?}"
    );
    let a = audit(&s, "ledger");
    assert_eq!(a.duplicates, 0);
    assert!(a.consumed > acked_before + 3_000);
}

/// `kafka-consumer-groups --describe` (`ConsumerGroupCommand`) lists end offsets with
/// READ_UNCOMMITTED: a read_committed group's lag counts up to the high watermark, open
/// transaction included, although the group cannot read past the last stable offset yet.
#[test]
fn a_read_committed_group_shows_lag_over_an_open_transaction_as_kafkas_tool_does() {
    let mut s = sim(44);
    topic(&mut s, "orders", 1);
    txn_producer(&mut s, "tx", "order-writer", 0);
    consumer_with(
        &mut s,
        "committed",
        reader("rc", IsolationLevel::ReadCommitted),
        "orders",
    );
    s.advance_to(8_000);
    s.apply(Action::BeginTransaction {
        producer: "tx".into(),
    })
    .unwrap();
    for _ in 0..4 {
        send(&mut s, "tx", "orders", 0, "pending");
    }
    // Long enough for the group to commit its position (auto commit every 5 s).
    s.advance(12_000);
    let snap = s.snapshot();
    let p = &snap.topics[0].partitions[0];
    assert_eq!((p.last_stable_offset, p.high_watermark), (0, 4), "{p:?}");
    let g = snap.groups.iter().find(|g| g.group_id == "rc").unwrap();
    let gp = &g.partitions[0];
    assert_eq!(
        (gp.committed, gp.end_offset, gp.lag),
        (Some(0), 4, Some(4)),
        "{gp:?}"
    );
    assert_eq!(g.total_lag, 4);
    s.apply(Action::CommitTransaction {
        producer: "tx".into(),
    })
    .unwrap();
    s.advance(12_000);
    let snap = s.snapshot();
    let g = snap.groups.iter().find(|g| g.group_id == "rc").unwrap();
    assert_eq!(
        g.total_lag, 0,
        "read past the COMMIT marker: {:?}",
        g.partitions
    );
}

/// A transaction that never sent anything is completed by the client alone: no EndTxn reaches
/// the coordinator (which would answer INVALID_TXN_STATE and fence the producer), and the
/// producer goes on with its next transaction. Kafka Streams aborts such a transaction whenever
/// a rebalance lands between `beginTransaction()` and its first record.
#[test]
fn an_empty_transaction_ends_without_an_end_txn() {
    let mut s = sim(44);
    topic(&mut s, "orders", 1);
    txn_producer(&mut s, "tx", "empty-writer", 0);
    s.advance_to(5_000);
    for end in ["abort", "commit"] {
        s.apply(Action::BeginTransaction {
            producer: "tx".into(),
        })
        .unwrap();
        s.advance(100);
        s.apply(if end == "abort" {
            Action::AbortTransaction {
                producer: "tx".into(),
            }
        } else {
            Action::CommitTransaction {
                producer: "tx".into(),
            }
        })
        .unwrap();
        s.advance(500);
    }
    assert!(events_matching(&s, |k| matches!(k, EventKind::EndTxn { .. })).is_empty());
    let p = &s.snapshot().producers[0];
    assert_eq!(p.transaction_state.as_deref(), Some("READY"), "{p:?}");
    // And a real transaction after them commits.
    s.apply(Action::BeginTransaction {
        producer: "tx".into(),
    })
    .unwrap();
    send(&mut s, "tx", "orders", 0, "kept");
    s.advance(200);
    s.apply(Action::CommitTransaction {
        producer: "tx".into(),
    })
    .unwrap();
    s.advance(1_000);
    let ends = events_matching(&s, |k| {
        matches!(
            k,
            EventKind::EndTxn {
                error: None,
                commit: true,
                ..
            }
        )
    });
    assert_eq!(ends.len(), 1);
}
