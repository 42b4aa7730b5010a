//! The timeline's scrub benchmark in Chromium (issue 14; not a test: `scripts/bench-scrub.sh`
//! runs it, `cargo test` skips it). A session is played through the timeline as the page plays
//! it, for ten simulated minutes, then 20 seeks spread over it are timed with the page's clock.
//! The aim: any point of a 10-minute session at 100,000 records/s within 200 ms.
#![cfg(target_arch = "wasm32")]

use brokerlab::app::demo::{bench_scenario, demo_scenario};
use brokerlab_engine::Timeline;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn now_ms() -> f64 {
    web_sys::window().unwrap().performance().unwrap().now()
}

fn scrub(name: &str, scenario: brokerlab_engine::Scenario, minutes: u64) {
    let end = minutes * 60_000;
    let mut t = Timeline::new(scenario).expect("built-in scenario starts");
    let start = now_ms();
    t.advance_to(end);
    console_log!(
        "scrub {name}: played {minutes} min in {:.1} s; {} checkpoints, ~{} MB",
        (now_ms() - start) / 1e3,
        t.checkpoints().len(),
        t.checkpoints().bytes() >> 20
    );
    let mut times: Vec<f64> = (0..20u64)
        .map(|i| {
            let target = (i * 7_919 * 1_000 + 3_333) % end;
            let w = now_ms();
            t.seek(target);
            now_ms() - w
        })
        .collect();
    times.sort_by(f64::total_cmp);
    console_log!(
        "scrub {name}: seek median {:.0} ms, worst {:.0} ms over {} points",
        times[times.len() / 2],
        times[times.len() - 1],
        times.len()
    );
}

#[wasm_bindgen_test]
fn first_look_for_10_minutes() {
    scrub("first-look", demo_scenario(42), 10);
}

#[wasm_bindgen_test]
fn hundred_thousand_records_per_second_for_10_minutes() {
    scrub("bench-100k", bench_scenario(42), 10);
}
