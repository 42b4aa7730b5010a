#!/usr/bin/env bash
# Installs whatever is missing to build, serve and test brokerlab. Idempotent: on a machine that
# has everything it only checks. Needs a Rust toolchain (rustup), Node/npm and apt.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"

# Chromium and its driver, for the browser tests (SKIP_BROWSER=1 to skip, e.g. for serve only).
if [ "${SKIP_BROWSER:-0}" != 1 ] && ! { command -v chromium && command -v chromedriver; } >/dev/null 2>&1; then
  echo "setup: installing chromium and chromium-driver with apt"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi

# The wasm target.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi

# wasm-bindgen-cli at exactly the wasm-bindgen version in Cargo.lock (built from crates.io source:
# nothing is downloaded from GitHub). No --locked: its lockfile names a crate version the
# crates.io index here lacks.
WB_VERSION=$(awk '$0=="name = \"wasm-bindgen\"" {getline; gsub(/"/, "", $3); print $3; exit}' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | cut -d' ' -f2)" != "$WB_VERSION" ]; then
  echo "setup: installing wasm-bindgen-cli $WB_VERSION (about 2 minutes)"
  cargo install wasm-bindgen-cli --version "$WB_VERSION"
fi

# wasm-opt (binaryen 132 from npm; Debian's 108 cannot read current wasm-bindgen output) and
# playwright-core (drives the system Chromium; never downloads a browser), and axe-core (the
# end-to-end tests inject it into the page to check accessibility).
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ] || [ ! -f node_modules/axe-core/axe.min.js ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

cargo fetch --quiet
