#!/usr/bin/env bash
# The README's second command: every test. Native engine tests (unit, vectors, scenarios,
# properties), wasm-bindgen-test in headless Chromium, then Playwright end-to-end in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
scripts/setup.sh
LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT

echo "== native tests (engine) =="
cargo test -p brokerlab-engine 2>&1 | tee -a "$LOG"

echo "== wasm-bindgen-test in headless Chromium =="
export CHROMEDRIVER=/usr/bin/chromedriver
export WASM_BINDGEN_TEST_WEBDRIVER_JSON="$PWD/webdriver.json"
cargo test -p brokerlab --target wasm32-unknown-unknown --features facade 2>&1 | tee -a "$LOG"

echo "== end-to-end (playwright-core + /usr/bin/chromium) =="
scripts/build.sh release
mkdir -p artifacts
node --test --test-reporter=tap tests/e2e/ 2>&1 | tee -a "$LOG"

awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     /^# pass /  { p += $3 }  /^# fail / { f += $3 }
     END { printf "%d passed, %d failed\n", p, f }' "$LOG"
