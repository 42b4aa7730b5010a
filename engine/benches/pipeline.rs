//! Whole-pipeline throughput: 12 partitions, 3 producers of 100-byte keyed records (batching on,
//! Kafka's defaults), one group of 4 consumers. Reports records per second of wall time.
//!
//! `cargo bench -p brokerlab-engine --bench pipeline`

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};

mod pipeline_setup;
use pipeline_setup::{warmed_up, RATE, WINDOW_MS};

fn pipeline(c: &mut Criterion) {
    let mut g = c.benchmark_group("pipeline");
    g.throughput(Throughput::Elements(3 * RATE * WINDOW_MS / 1000));
    g.sample_size(20);
    g.bench_function("12p-3producers-4consumers", |b| {
        b.iter_batched(
            warmed_up,
            |mut sim| {
                sim.advance(WINDOW_MS);
                sim
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
