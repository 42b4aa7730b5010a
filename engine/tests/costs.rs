//! Issue 20's cost model, at the scale of whole runs: what batching, compression, acks, TLS and
//! the page cache do to throughput and latency, measured by the throughput lab on its base
//! scenario (one producer offering 400,000 records/s of 100 bytes over 10,000 keys to 24
//! partitions, RF 3).
#![cfg(feature = "json")]

use brokerlab_engine::scenario::{LabPoint, LabRun, LabSetting};
use brokerlab_engine::{Scenario, Simulation};

fn lab_base() -> Scenario {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../scenarios/throughput-lab.json"
    );
    Scenario::parse(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn sweep(base: &Scenario, setting: &str, values: &[&str]) -> Vec<LabPoint> {
    let values = values.iter().map(|v| v.to_string()).collect();
    LabRun::new(base, LabSetting::parse(setting).unwrap(), values)
        .unwrap()
        .run()
        .unwrap()
}

const OFFERED: f64 = 400_000.0;

fn meets_the_load(p: &LabPoint) -> bool {
    (p.records_per_s - OFFERED).abs() < OFFERED * 0.01
}

/// Small batches cap throughput: five requests in flight per connection, each waiting for
/// replication (acks=all), carry only a few KB each. Larger batches carry more per request until
/// the brokers take the whole load; then throughput levels off and the request rate falls.
#[test]
fn throughput_rises_with_batch_size_then_levels_off_at_the_load() {
    let points = sweep(
        &lab_base(),
        "batch.size",
        &["1024", "2048", "4096", "16384"],
    );
    let rps: Vec<f64> = points.iter().map(|p| p.records_per_s).collect();
    assert!(rps[0] < rps[1] && rps[1] < rps[2], "{points:#?}");
    assert!(rps[0] < OFFERED / 2.0, "{points:#?}");
    assert!(
        meets_the_load(&points[2]) && meets_the_load(&points[3]),
        "{points:#?}"
    );
    assert!(points[3].requests_per_s < points[2].requests_per_s / 2.0);
    // While the load waits for requests, send-to-ack latency is the queue's length.
    assert!(
        points[0].p99_ms > 1_000 && points[2].p99_ms < 50,
        "{points:#?}"
    );
}

/// Under a load the brokers keep up with, linger.ms buys fewer, fuller requests with latency:
/// throughput stays at the load (under load records batch while requests are in flight, as
/// Kafka's documentation of linger.ms says), requests fall and p99 rises with linger.ms.
#[test]
fn linger_ms_trades_latency_for_fewer_requests() {
    // Keys spread the records over 24 partitions: each partition's batch fills in about 10 ms.
    let points = sweep(&lab_base(), "linger.ms", &["0", "2", "5", "10", "50"]);
    assert!(points.iter().all(meets_the_load), "{points:#?}");
    for w in points[..4].windows(2) {
        assert!(w[1].requests_per_s < w[0].requests_per_s, "{points:#?}");
        assert!(w[1].p99_ms >= w[0].p99_ms, "{points:#?}");
    }
    assert!(points[3].p99_ms > points[0].p99_ms, "{points:#?}");
    assert!(points[3].requests_per_s < points[0].requests_per_s / 5.0);
    // Fewer batch headers on the wire.
    assert!(points[3].mb_per_s < points[0].mb_per_s);
    // A partition's batch fills batch.size (16 KB) in about 10 ms: a longer linger.ms changes
    // nothing, the full batch goes first.
    assert!(points[4].p99_ms < 50, "{points:#?}");
    assert!((points[4].requests_per_s - points[3].requests_per_s).abs() < points[3].requests_per_s);
}

/// acks=all waits for the followers; acks=1 for the leader's append; acks=0 for nothing.
#[test]
fn acks_set_the_latency_not_the_throughput() {
    let points = sweep(&lab_base(), "acks", &["0", "1", "all"]);
    assert!(points.iter().all(meets_the_load), "{points:#?}");
    assert!(points[0].p50_ms < points[1].p50_ms, "{points:#?}");
    assert!(points[1].p50_ms < points[2].p50_ms, "{points:#?}");
}

/// Compression shrinks the bytes by the data's ratio; gzip's CPU cost makes the one producer
/// thread the bottleneck: it cannot compress 44 MB/s.
#[test]
fn compression_shrinks_the_bytes_and_costs_producer_cpu() {
    let points = sweep(
        &lab_base(),
        "compression.type",
        &["none", "lz4", "zstd", "gzip"],
    );
    let (none, lz4, zstd, gzip) = (&points[0], &points[1], &points[2], &points[3]);
    assert!(meets_the_load(lz4) && meets_the_load(zstd), "{points:#?}");
    assert!(lz4.mb_per_s < none.mb_per_s / 1.8, "{points:#?}");
    assert!(zstd.mb_per_s < none.mb_per_s / 3.0, "{points:#?}");
    assert!(gzip.records_per_s < OFFERED * 0.95, "{points:#?}");
    assert!(gzip.p99_ms > 100, "{points:#?}");
}

fn run_for(base: &Scenario, ms: u64) -> Simulation {
    let mut sim = base.start().unwrap();
    sim.advance_to(ms);
    sim
}

/// A broker whose request handlers cannot keep up queues the requests: the wait for a thread
/// grows, latency rises, and throughput levels off at what the threads can do.
#[test]
fn a_saturated_broker_queues_requests() {
    let mut base = lab_base();
    base.cluster.costs.num_io_threads = 1;
    base.cluster.costs.request_cost_us = 20_000.0;
    let sim = run_for(&base, 6_000);
    let loads = sim.broker_loads();
    assert!(
        loads.iter().any(|l| l.handler_utilisation > 0.95),
        "{loads:#?}"
    );
    assert!(loads.iter().any(|l| l.queue_ms > 5.0), "{loads:#?}");
    let p = sim.producers().next().unwrap();
    assert!(p.stats.latency.summary(sim.now()).p99_ms > 100);
    let easy = run_for(&lab_base(), 6_000);
    assert!(easy
        .broker_loads()
        .iter()
        .all(|l| l.handler_utilisation < 0.5));
    let acked = |s: &Simulation| s.producers().next().unwrap().stats.records_acked;
    assert!(acked(&sim) < acked(&easy) / 2);
}

/// TLS turns zero-copy off: every fetched byte is encrypted and copied by a broker thread.
#[test]
fn tls_costs_the_brokers_cpu_for_every_fetched_byte() {
    let plain = run_for(&lab_base(), 4_000);
    let mut base = lab_base();
    base.cluster.costs.security_protocol = brokerlab_engine::cluster::SecurityProtocol::Ssl;
    let tls = run_for(&base, 4_000);
    let busy = |s: &Simulation| -> u64 {
        s.broker_loads()
            .iter()
            .map(|l| l.last_second.handler_ns)
            .sum()
    };
    // Produce, replication and consumer fetches: several times the plaintext handler time.
    assert!(
        busy(&tls) > 3 * busy(&plain),
        "{} {}",
        busy(&tls),
        busy(&plain)
    );
}

/// A consumer that reads what was just written is served from the page cache; one that starts
/// from the beginning of a log larger than the cache reads from the disk.
#[test]
fn old_data_comes_from_disk_and_recent_data_from_the_page_cache() {
    let mut base = lab_base();
    let sim = run_for(&base, 4_000);
    let disk: u64 = sim
        .broker_loads()
        .iter()
        .map(|l| l.last_second.disk_bytes)
        .sum();
    let cache: u64 = sim
        .broker_loads()
        .iter()
        .map(|l| l.last_second.cache_bytes)
        .sum();
    assert_eq!(disk, 0);
    assert!(cache > 10_000_000, "{cache}");
    // A 4 MB page cache; the group joins after 10 s of records and reads from the earliest.
    base.cluster.costs.page_cache_bytes = 4 << 20;
    let consumer = base.consumers.remove(0);
    let mut sim = base.start().unwrap();
    sim.advance_to(10_000);
    let mut config = consumer.config.clone();
    config.auto_offset_reset = brokerlab_engine::consumer::OffsetResetStrategy::Earliest;
    sim.apply(brokerlab_engine::Action::AddConsumer {
        name: Some("late".into()),
        config,
        topics: vec!["events".into()],
        assign: None,
    })
    .unwrap();
    // After group.initial.rebalance.delay.ms the late group reads from the log start.
    sim.advance_to(16_000);
    let disk: u64 = sim.broker_loads().iter().map(|l| l.total.disk_bytes).sum();
    assert!(disk > 10_000_000, "{disk}");
}

/// Switched off, work costs nothing: a run is what it was before costs, and even an absurd
/// request cost changes nothing.
#[test]
fn with_costs_off_only_the_network_delay_takes_time() {
    let mut base = lab_base();
    base.cluster.costs.enabled = false;
    let a = run_for(&base, 3_000);
    base.cluster.costs.request_cost_us = 50_000.0;
    let b = run_for(&base, 3_000);
    assert_eq!(a.trace_hash(), b.trace_hash());
    assert!(a.broker_loads().iter().all(|l| l.last_second.requests == 0));
}
