//! The timeline's scrub benchmark in Chromium (issue 14; not a test: `scripts/bench-scrub.sh`
//! runs it, `cargo test` skips it). A session is played through the timeline as the page plays
//! it, for ten simulated minutes, then 20 seeks spread over it are timed with the page's clock.
//! The aim: any point of a 10-minute session at 100,000 records/s within 200 ms.
#![cfg(target_arch = "wasm32")]

use brokerlab::app::demo::{bench_scenario, demo_scenario};
use brokerlab_engine::Timeline;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[path = "support/browser.rs"]
mod browser;

use browser::{now_ms, Breather};

async fn scrub(name: &str, scenario: brokerlab_engine::Scenario, minutes: u64) {
    let end = minutes * 60_000;
    let mut t = Timeline::new(scenario).expect("built-in scenario starts");
    let start = now_ms();
    let mut breather = Breather::new();
    let mut at = 0;
    while at < end {
        at = (at + 10_000).min(end);
        t.advance_to(at);
        breather.maybe().await;
    }
    console_log!(
        "scrub {name}: played {minutes} min in {:.1} s; {} checkpoints, ~{} MB",
        (now_ms() - start) / 1e3,
        t.checkpoints().len(),
        t.checkpoints().bytes() >> 20
    );
    let mut times: Vec<f64> = Vec::new();
    for i in 0..20u64 {
        let target = (i * 7_919 * 1_000 + 3_333) % end;
        let w = now_ms();
        t.seek(target);
        times.push(now_ms() - w);
        breather.maybe().await;
    }
    times.sort_by(f64::total_cmp);
    console_log!(
        "scrub {name}: seek median {:.0} ms, worst {:.0} ms over {} points",
        times[times.len() / 2],
        times[times.len() - 1],
        times.len()
    );
}

#[wasm_bindgen_test]
async fn first_look_for_10_minutes() {
    scrub("first-look", demo_scenario(42), 10).await;
}

#[wasm_bindgen_test]
async fn hundred_thousand_records_per_second_for_10_minutes() {
    scrub("bench-100k", bench_scenario(42), 10).await;
}
