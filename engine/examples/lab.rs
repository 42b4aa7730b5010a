//! Runs the throughput lab headless: `cargo run --release -p brokerlab-engine --example lab --
//! SCENARIO.json SETTING [VALUES,...]`.
use brokerlab_engine::scenario::{LabRun, LabSetting};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let text = std::fs::read_to_string(&args[0]).expect("a scenario file");
    let scenario = brokerlab_engine::Scenario::parse(&text).expect("a scenario");
    let setting = LabSetting::parse(&args[1]).expect("a setting");
    let values = args
        .get(2)
        .map(|v| v.split(',').map(str::to_string).collect())
        .unwrap_or_default();
    let t = std::time::Instant::now();
    let points = LabRun::new(&scenario, setting, values)
        .unwrap()
        .run()
        .unwrap();
    for p in points {
        println!(
            "{:>8} {:>10.0} rec/s {:>7.1} MB/s {:>8.0} req/s p50 {:>4} p99 {:>4} e2e p99 {:?}",
            p.value,
            p.records_per_s,
            p.mb_per_s,
            p.requests_per_s,
            p.p50_ms,
            p.p99_ms,
            p.e2e_p99_ms
        );
    }
    eprintln!("{:.1} s", t.elapsed().as_secs_f64());
}
