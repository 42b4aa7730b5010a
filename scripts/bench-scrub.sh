#!/usr/bin/env bash
# The timeline's scrub benchmark in headless Chromium (issue 14): ten simulated minutes of
# first-look and of 100,000 records/s played through the timeline, then 20 timed seeks.
# Usage: scripts/bench-scrub.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
scripts/setup.sh >/dev/null
export CHROMEDRIVER=/usr/bin/chromedriver
export WASM_BINDGEN_TEST_WEBDRIVER_JSON="$PWD/webdriver.json"
export WASM_BINDGEN_TEST_TIMEOUT=1800
for t in first_look_for_10_minutes hundred_thousand_records_per_second_for_10_minutes; do
  cargo test --release -p brokerlab --target wasm32-unknown-unknown --test scrub_bench -- --nocapture "$t" 2>&1 \
    | grep -E '^scrub |panicked|error' || true
done
