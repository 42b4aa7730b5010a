//! `brokerlab-cli lab SCENARIO.json SETTING [V1,V2,...] [--json]`: the throughput lab headless.
//! Sweeps one setting over the values (or its default range) with the rest of the scenario held,
//! and prints a table of what each point measured, or the points as JSON.

use std::process::ExitCode;

use brokerlab_engine::scenario::{LabRun, LabSetting};
use brokerlab_engine::Scenario;

use super::{complain, message};

pub fn lab_cmd(args: &[String]) -> ExitCode {
    let json = args.iter().any(|a| a == "--json");
    let rest: Vec<&String> = args.iter().filter(|a| *a != "--json").collect();
    let (Some(path), Some(setting)) = (rest.first(), rest.get(1)) else {
        eprintln!("usage: brokerlab-cli lab SCENARIO.json SETTING [V1,V2,...] [--json]");
        return ExitCode::from(2);
    };
    let (path, setting) = (path.as_str(), setting.as_str());
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            complain(path, e);
            return ExitCode::FAILURE;
        }
    };
    let scenario = match Scenario::parse(&text) {
        Ok(s) => s,
        Err(e) => {
            complain(path, e);
            return ExitCode::FAILURE;
        }
    };
    let values: Vec<String> = rest
        .get(2)
        .map(|v| v.split(',').map(|s| s.trim().to_string()).collect())
        .unwrap_or_default();
    let run = LabSetting::parse(setting).and_then(|s| LabRun::new(&scenario, s, values));
    let started = std::time::Instant::now();
    let (points, records) = match run.and_then(LabRun::run_counted) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{}", message(e));
            return ExitCode::FAILURE;
        }
    };
    // The engine's speed on this sweep, to compare with the page's (the lab drawer says it too).
    let wall = started.elapsed().as_secs_f64();
    eprintln!(
        "engine: {records} records simulated in {wall:.2} s of wall time: {:.2} M records/s",
        records as f64 / wall.max(1e-9) / 1e6
    );
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&points).expect("points serialize")
        );
        return ExitCode::SUCCESS;
    }
    println!(
        "{:>18} {:>12} {:>8} {:>10} {:>7} {:>7} {:>11}",
        setting, "records/s", "MB/s", "requests/s", "p50 ms", "p99 ms", "e2e p99 ms"
    );
    for p in points {
        println!(
            "{:>18} {:>12.0} {:>8.1} {:>10.0} {:>7} {:>7} {:>11}",
            message(&p.value),
            p.records_per_s,
            p.mb_per_s,
            p.requests_per_s,
            p.p50_ms,
            p.p99_ms,
            p.e2e_p99_ms.map_or("-".to_string(), |v| v.to_string())
        );
    }
    ExitCode::SUCCESS
}
