//! The page's memory benchmark (not a test: `scripts/bench-memory.sh` runs it, `cargo test`
//! skips it). In headless Chromium it runs the engine as the page does, in a timeline with its
//! checkpoints, for simulated hours, and prints the wasm memory as it goes: the page's aim is
//! 128 MB, flat once the logs reach their share of `sim.log.memory.bytes` and the checkpoints
//! their budget.
#![cfg(target_arch = "wasm32")]

use brokerlab::app::demo::{bench_scenario, demo_scenario};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn wasm_memory_mb() -> f64 {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().dyn_into().unwrap();
    let buffer: js_sys::ArrayBuffer = memory.buffer().dyn_into().unwrap();
    buffer.byte_length() as f64 / (1 << 20) as f64
}

fn run(name: &str, scenario: brokerlab_engine::Scenario, minutes: u64, every_ms: u64) {
    let mut timeline = brokerlab_engine::Timeline::new(scenario).expect("built-in scenario starts");
    let start = wasm_memory_mb();
    let mut t = 0;
    while t < minutes * 60_000 {
        t += every_ms;
        timeline.advance_to(t);
        console_log!(
            "memory {name}: {:>6.1} simulated min, wasm memory {:.1} MB (at start {:.1} MB), \
             {} checkpoints ~{} MB",
            t as f64 / 60_000.0,
            wasm_memory_mb(),
            start,
            timeline.checkpoints().len(),
            timeline.checkpoints().bytes() >> 20
        );
    }
}

#[wasm_bindgen_test]
fn first_look_for_24_hours() {
    run("first-look", demo_scenario(42), 24 * 60, 3_600_000);
}

#[wasm_bindgen_test]
fn hundred_thousand_records_per_second_for_20_minutes() {
    run("bench-100k", bench_scenario(42), 20, 60_000);
}
