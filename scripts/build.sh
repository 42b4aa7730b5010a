#!/usr/bin/env bash
# Builds the app into dist/: cargo (wasm32) -> wasm-bindgen -> wasm-opt (release) -> static files.
# Usage: [FEATURES=facade] scripts/build.sh [release|dev]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
MODE="${1:-release}"
FEATURES="${FEATURES:-}"
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import sys,json; print(json.load(sys.stdin)["target_directory"])')
if [ "$MODE" = release ]; then
  # The `web` profile: release, with the engine optimised for size as well (see Cargo.toml).
  cargo build -p brokerlab --bin brokerlab --target wasm32-unknown-unknown --profile web --features "$FEATURES"
  WASM="$TARGET_DIR/wasm32-unknown-unknown/web/brokerlab.wasm"
else
  cargo build -p brokerlab --bin brokerlab --target wasm32-unknown-unknown --features "$FEATURES"
  WASM="$TARGET_DIR/wasm32-unknown-unknown/debug/brokerlab.wasm"
fi
rm -rf dist && mkdir -p dist
wasm-bindgen --target web --no-typescript --out-dir dist --out-name brokerlab "$WASM"
if [ "$MODE" = release ]; then
  # --low-memory-unused: nothing lives in the first 1 KB of memory (Rust's stack ends there; the
  # data starts at 1 MB), so wasm-opt may fold small pointer offsets into loads and stores.
  node_modules/.bin/wasm-opt -Oz --converge --low-memory-unused \
    --strip-producers --strip-target-features \
    dist/brokerlab_bg.wasm -o dist/brokerlab_bg.opt.wasm
  mv dist/brokerlab_bg.opt.wasm dist/brokerlab_bg.wasm
fi
cp index.html dist/index.html
cp -r www/. dist/
scripts/minify-css.py dist/style.css
echo "build: dist/brokerlab_bg.wasm $(stat -c%s dist/brokerlab_bg.wasm) bytes, $(gzip -9c dist/brokerlab_bg.wasm | wc -c) gzipped"
