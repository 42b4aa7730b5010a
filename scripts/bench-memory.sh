#!/usr/bin/env bash
# The page's memory benchmark: the engine in headless Chromium (wasm, release profile) running
# first-look for 24 simulated hours and 100,000 records/s for 20 minutes, in a timeline with its
# checkpoints as the page runs it, printing the wasm memory as it
# goes. The aim is 128 MB, flat once every log holds its share of sim.log.memory.bytes.
# Usage: scripts/bench-memory.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
scripts/setup.sh >/dev/null
export CHROMEDRIVER=/usr/bin/chromedriver
export WASM_BINDGEN_TEST_WEBDRIVER_JSON="$PWD/webdriver.json"
export WASM_BINDGEN_TEST_TIMEOUT=1800
# One browser per run: wasm memory never shrinks, so each scenario starts from a fresh module.
for t in first_look_for_24_hours hundred_thousand_records_per_second_for_20_minutes; do
  cargo test --release -p brokerlab --target wasm32-unknown-unknown --test memory_bench -- --nocapture "$t" 2>&1 \
    | grep -E '^memory |panicked|error' || true
done
