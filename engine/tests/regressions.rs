//! Failures the property tests found, each pinned as a named test with a one-line postmortem
//! (in the manner of sled's `tests/00_regression.rs`).

mod common;

use std::collections::BTreeMap;

use brokerlab_engine::action::LinkFaults;
use brokerlab_engine::event::EventKind;
use brokerlab_engine::producer::{KeyDistribution, ProducerConfig};
use brokerlab_engine::Action;

/// properties.rs `idempotent_producer_writes_each_acked_record_once_in_order`, seed 6856.
/// Postmortem: batch A (sequence 0) was refused, batch B (1..7) appended with its response lost;
/// A's retry was then out of order as the next batch, a real gap, so the producer bumped its
/// epoch (KIP-360) and the first version failed A for good. `TransactionManager.canRetry` retries
/// it under the new epoch instead. B is written a second time under the new epoch, as Kafka does
/// too: nothing is lost, and nothing repeats within one epoch.
#[test]
fn a_gap_at_the_next_sequence_is_retried_under_a_bumped_epoch_and_loses_nothing() {
    let mut s = common::sim(6856);
    common::topic(&mut s, "t", 3);
    let config = ProducerConfig {
        enable_idempotence: Some(true),
        max_in_flight: 2,
        linger_ms: 0,
        request_timeout_ms: 300,
        ..Default::default()
    };
    common::producer_with(
        &mut s,
        "p",
        config,
        common::load("t", 200, KeyDistribution::Uniform { keys: 20 }),
    );
    s.apply(Action::SetFaults {
        faults: vec![LinkFaults {
            drop_responses_percent: 12.789878606863985,
            drop_requests_percent: 9.356404205933675,
            reject_requests_percent: 29.981953299969145,
            ..Default::default()
        }],
    })
    .unwrap();
    s.advance_to(5_000);
    s.apply(Action::SetFaults { faults: vec![] }).unwrap();
    s.apply(Action::SetRate {
        producer: "p".into(),
        rate: 0,
    })
    .unwrap();
    s.advance_to(20_000);
    let bumps = common::events_matching(&s, |e| matches!(e, EventKind::ProducerEpochBumped { .. }));
    assert!(!bumps.is_empty(), "the gap bumped the epoch");
    let p = s.producer(0).unwrap();
    assert_eq!(
        p.stats.records_failed, 0,
        "nothing failed: the gap was retried"
    );
    let c = s.cluster();
    for part in c
        .partitions()
        .filter(|p| c.topic(p.topic).is_some_and(|t| t.name == "t"))
    {
        let mut by_epoch: BTreeMap<i16, Vec<u64>> = BTreeMap::new();
        let mut all = Vec::new();
        for b in part.log.batches_from(0) {
            let o = b.origin.unwrap();
            let records = (0..b.record_count() as u64).map(|i| o.first_record + i);
            by_epoch
                .entry(b.producer_epoch)
                .or_default()
                .extend(records.clone());
            all.extend(records);
        }
        for (epoch, r) in &by_epoch {
            assert!(r.windows(2).all(|w| w[0] < w[1]), "epoch {epoch}: {r:?}");
        }
        all.sort_unstable();
        all.dedup();
        let produced = s.audit().acked(0, part.idx).map_or(0, |a| {
            a.ranges().iter().map(|&(lo, hi)| hi - lo).sum::<u64>()
        });
        assert_eq!(
            all.len() as u64,
            produced,
            "every acknowledged record, once counted"
        );
    }
}

/// Issue 13, defect 2 (tests/hostile/leader-bounce-idempotent-retries.json, found by a sweep of
/// replication-1 under harsher faults). Postmortem: requests to broker 1 whose responses were
/// lost stayed in flight until request.timeout.ms after broker 1 died, while newer batches of the
/// same partition went to the new leader; when the old ones were retried they were older than the
/// leader's five cached batches, so OUT_OF_ORDER_SEQUENCE_NUMBER, retried for two minutes and
/// failed although they were in the log, and the epoch bumps that followed wrote 552 records
/// twice. A dead broker resets its connections: the client fails what it had in flight there at
/// once (NETWORK_EXCEPTION) and retries it first, and the new leader, which replicated the
/// batches and their producer state, answers the retries as duplicates.
#[test]
fn a_dead_leaders_unanswered_requests_are_retried_at_once_and_deduplicated() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/hostile/leader-bounce-idempotent-retries.json");
    let scenario: brokerlab_engine::Scenario =
        brokerlab_engine::scenario::json::parse(std::fs::read_to_string(path).unwrap()).unwrap();
    let mut disconnected = 0;
    let mut last = 0;
    let sim = scenario
        .run_observed(1_000, |sim| {
            for e in sim.events_since(last) {
                last = e.seq + 1;
                if matches!(e.kind, EventKind::ProduceRequestDisconnected { .. }) {
                    disconnected += 1;
                }
            }
        })
        .unwrap();
    assert!(
        disconnected > 0,
        "broker 1's death reset the producer's requests"
    );
    let report =
        serde_json::to_value(brokerlab_engine::scenario::Report::from_simulation(&sim)).unwrap();
    let producer = &report["producers"][0];
    assert_eq!(producer["records_failed"], 0, "{producer}");
    assert_eq!(producer["producer_epoch"], 0, "no epoch bump was needed");
    let audit = &report["groups"][0]["audit"];
    assert_eq!(audit["duplicates"], 0, "{audit}");
    assert_eq!(audit["lost"], 0, "{audit}");
    assert_eq!(
        audit["unique_consumed"], producer["records_acked"],
        "{audit}"
    );
}

/// Issue 13, found by the whole-scenario property (tests/whole_scenarios.rs, shrunk to
/// tests/hostile/max-block-zero-full-pool.json). Postmortem: a `send()` that times out on a full
/// `buffer.memory` restarted the load's clock at that instant, which makes the failed record's
/// slot due again; with `max.block.ms` 0 the time-out comes at the instant it blocked, so above
/// 1000 records/s one more record was always due and virtual time never left 0 (each round
/// emitted events, so the driver's stall guard rightly saw progress). A send that blocked for no
/// time keeps the application's schedule.
#[test]
fn a_send_that_fails_at_once_on_a_full_pool_lets_time_go_on() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/hostile/max-block-zero-full-pool.json");
    let scenario: brokerlab_engine::Scenario =
        brokerlab_engine::scenario::json::parse(std::fs::read_to_string(path).unwrap()).unwrap();
    let mut sim = scenario.start().unwrap();
    assert!(
        sim.advance_to_bounded(scenario.duration_ms, 2_000_000),
        "stuck at {} ms",
        sim.now()
    );
    let p = sim.producers().next().unwrap();
    // 2000 records/s with timestamps 0 ..= 60000 ms: each fails at once, none is sent twice.
    assert_eq!(p.stats.records_failed, 120_002);
    assert_eq!(p.stats.buffer_exhausted, 120_002);
    assert_eq!(p.stats.records_sent, 120_002);
}

/// Issue 13, found by the whole-scenario property (shrunk to
/// tests/hostile/blocked-send-when-the-transaction-ends.json). Postmortem: a transactional
/// producer's automatic transaction reached its end while `send()` was blocked on a full
/// `buffer.memory`, and began to commit; the application thread was in fact still inside send().
/// `poll` generates records only inside a transaction, so the `max.block.ms` deadline the
/// producer kept asking to be woken at was never acted on: the driver's guard counted a stalled
/// wake-up every millisecond. Now a transaction ends only once send() has returned, a failed
/// send (BufferExhaustedException) makes the application abort it as Kafka's abortable error
/// does, and the producer asks only for deadlines its poll acts on.
#[test]
fn a_transaction_ends_only_after_a_blocked_send_returns_and_aborts_if_it_failed() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/hostile/blocked-send-when-the-transaction-ends.json");
    let scenario: brokerlab_engine::Scenario =
        brokerlab_engine::scenario::json::parse(std::fs::read_to_string(path).unwrap()).unwrap();
    let sim = scenario.run_to_end().unwrap();
    assert_eq!(sim.stalled_wakeups(), 0);
    let p = sim.snapshot().producers.remove(0);
    assert!(p.stats.buffer_exhausted > 0, "{:?}", p.stats);
    assert_eq!(
        p.transactions_committed, 0,
        "a transaction with a failed send is not committed"
    );
    assert!(p.transactions_aborted > 0);
}

/// Issue 13, found by the whole-scenario property (shrunk to
/// tests/hostile/hand-transaction-after-a-long-pause.json). Postmortem: a producer with
/// transactions by hand generates its load only inside a transaction, but its load clock kept
/// counting outside one; the first `beginTransaction()` after 26 s at 20 000 records/s made half
/// a million records due at that instant (a million events with nothing else moving: a frozen
/// page). The application sends only inside its transactions, so its load starts at the begin.
#[test]
fn a_transaction_begun_by_hand_does_not_catch_up_on_the_time_before_it() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/hostile/hand-transaction-after-a-long-pause.json");
    let scenario: brokerlab_engine::Scenario =
        brokerlab_engine::scenario::json::parse(std::fs::read_to_string(path).unwrap()).unwrap();
    let mut sim = scenario.start().unwrap();
    sim.advance_to(26_436);
    let sent = |sim: &brokerlab_engine::Simulation| {
        sim.producers()
            .find(|p| p.name == "producer-2")
            .unwrap()
            .stats
            .records_sent
    };
    assert_eq!(sent(&sim), 0, "no transaction yet, nothing sent");
    sim.apply(brokerlab_engine::Action::BeginTransaction {
        producer: "producer-2".into(),
    })
    .unwrap();
    sim.advance_to(26_436);
    // 20 records per millisecond from the begin, not 26 s of them at once.
    assert!(
        sent(&sim) <= 20,
        "{} records at the instant of the begin",
        sent(&sim)
    );
    sim.advance_to(26_536);
    assert!(sent(&sim) <= 20 * 101, "{}", sent(&sim));
}

/// Issue 13, found by the whole-scenario property: a group reading a processor's input and its
/// output counted the input's partitions twice in its audit (each processor added its input's
/// partitions to the group's own), doubling `produced` and `unique_consumed`, so that distinct
/// records outnumbered deliveries. Each partition is counted once.
#[test]
fn a_group_reading_a_processors_input_and_output_counts_each_record_once() {
    let scenario: brokerlab_engine::Scenario = brokerlab_engine::scenario::json::parse(
        r#"{"seed":7,"cluster":{"brokers":1},
            "topics":[{"name":"t0","partitions":2},{"name":"t1","partitions":2}],
            "producers":[{"name":"p","load":{"topic":"t0","rate":200}}],
            "consumers":[{"config":{"group.id":"g","auto.offset.reset":"earliest"},"topics":["t0","t1"]}],
            "actions":[{"at":0,"action":{"type":"add_processor","name":"proc","input":"t0","output":"t1","guarantee":"at_least_once"}}],
            "duration_ms":20000}"#,
    )
    .unwrap();
    let sim = scenario.run_to_end().unwrap();
    let snap = sim.snapshot();
    let g = snap.groups.iter().find(|g| g.group_id == "g").unwrap();
    let acked = snap
        .producers
        .iter()
        .find(|p| p.name == "p")
        .unwrap()
        .stats
        .records_acked;
    let a = &g.audit;
    assert_eq!(a.produced, acked, "{a:?}");
    assert_eq!(a.consumed, a.unique_consumed + a.duplicates, "{a:?}");
    // Every input record read directly and once more through the processor.
    assert!(a.duplicates > 0 && a.unique_consumed <= acked, "{a:?}");
}

/// Issue 13, found by the whole-scenario property (a case that ran for minutes: 10 hot keys at
/// 200 000 records/s into a compacted topic). Postmortem: the cleaner cleaned every closed
/// segment in place and never merged them, so a compacted log kept one nearly empty segment for
/// every `segment.bytes` ever written (2564 segments for 5877 records), and each append, which
/// weighs every segment against the memory bound, grew slower without end. The cleaner merges
/// adjacent cleaned segments that fit in `segment.bytes` together, as Kafka's
/// `groupSegmentsBySize` does.
#[test]
fn a_compacted_log_keeps_few_segments_however_much_was_written() {
    let scenario: brokerlab_engine::Scenario = brokerlab_engine::scenario::json::parse(
        r#"{"seed":3,"cluster":{"brokers":1,"log.cleaner.backoff.ms":1000},
            "topics":[{"name":"users","partitions":1,
                       "config":{"cleanup.policy":"compact","segment.bytes":4096}}],
            "producers":[{"name":"p","load":{"topic":"users","rate":20000,
                          "keys":{"type":"uniform","keys":10}}}],
            "duration_ms":30000}"#,
    )
    .unwrap();
    let sim = scenario.run_to_end().unwrap();
    let report =
        serde_json::to_value(brokerlab_engine::scenario::Report::from_simulation(&sim)).unwrap();
    let p = &report["partitions"][0];
    assert!(p["log_end_offset"].as_i64().unwrap() > 500_000, "{p}");
    // Ten keys fit in one segment once cleaned; the dirty part waits for the next pass.
    assert!(p["segments"].as_u64().unwrap() <= 10, "{p}");
}

/// Issue 13, found by the whole-scenario property (shrunk to
/// tests/hostile/auto-transaction-catch-up.json). Postmortem: an automatic transaction began
/// with every record of its load due since the previous one, although the application had been
/// blocked in commitTransaction() meanwhile; after a slow commit at 200 000 records/s (each
/// failing at once on a 1-byte buffer.memory) that was a burst of over 200 000 events at one
/// instant. The load starts at every begin.
#[test]
fn an_automatic_transaction_does_not_catch_up_on_its_commit() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/hostile/auto-transaction-catch-up.json");
    let scenario: brokerlab_engine::Scenario =
        brokerlab_engine::scenario::json::parse(std::fs::read_to_string(path).unwrap()).unwrap();
    let mut sim = scenario.start().unwrap();
    let mut actions = scenario.actions.clone();
    actions.sort_by_key(|a| a.at);
    let go = |sim: &mut brokerlab_engine::Simulation, to: u64| loop {
        let before = sim.now();
        if sim.advance_to_bounded(to, 200_000) {
            return;
        }
        assert!(
            sim.now() > before,
            "200 000 events at {before} ms without time moving"
        );
    };
    for a in &actions {
        go(&mut sim, a.at);
        let _ = sim.apply(a.action.clone());
    }
    go(&mut sim, scenario.duration_ms);
}
