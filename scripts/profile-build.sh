#!/usr/bin/env bash
# A release build of the app with function names kept (no wasm-opt), for CPU profiles:
# scripts/profile-build.sh DIR, then DIST_DIR=DIR/ node tests/bench/profile.mjs.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-/tmp/brokerlab-profile}"
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import sys,json; print(json.load(sys.stdin)["target_directory"])')
cargo build -p brokerlab --bin brokerlab --target wasm32-unknown-unknown --profile web
rm -rf "$OUT" && mkdir -p "$OUT"
wasm-bindgen --target web --no-typescript --keep-debug --out-dir "$OUT" --out-name brokerlab \
  "$TARGET_DIR/wasm32-unknown-unknown/web/brokerlab.wasm"
cp index.html "$OUT/" && cp -r www/. "$OUT/"
echo "profile build in $OUT"
