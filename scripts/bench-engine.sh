#!/usr/bin/env bash
# The engine's whole-pipeline benchmark beside the floor in ../shared/perf-limit, interleaved, so
# the ratio is measured on the same machine at the same time. Prints both and the ratio.
# Usage: scripts/bench-engine.sh [rounds=3]
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
LIMIT_SRC=${PERF_LIMIT:-../shared/perf-limit}
SCRATCH=${TMPDIR:-/tmp}/brokerlab-perf-limit
rm -rf "$SCRATCH" && cp -r "$LIMIT_SRC" "$SCRATCH" && chmod -R u+w "$SCRATCH"
(cd "$SCRATCH" && cargo build --release --quiet)
cargo build --release --quiet -p brokerlab-engine --example throughput
for r in $(seq 1 "$ROUNDS"); do
  ours=$(cargo run --release --quiet -p brokerlab-engine --example throughput | sed -nE 's/.* ([0-9.]+) M records\/s acked.*/\1/p')
  floor=$("$SCRATCH"/target/release/limit-bench meta 20000000 1 | sed -nE 's/^SUMMARY .* median +([0-9]+) .*/\1/p')
  awk -v o="$ours" -v f="$floor" -v r="$r" 'BEGIN { printf "round %d: engine %.2f M records/s, perf-limit meta %.2f M records/s, ratio %.2f\n", r, o, f / 1e6, o * 1e6 / f }'
done
# Issue 19: the analytics design through its whole pipeline (sources, two exactly-once Streams
# applications with changelogs, dead letters, a crash and restore, two views), at its own rates
# and at 20 times them, as input records per second of wall time.
cargo build --release --quiet -p brokerlab-engine --example analytics
for scale in 1 20; do
  line=$(cargo run --release --quiet -p brokerlab-engine --example analytics "$scale")
  echo "$line"
  rate=$(echo "$line" | sed -nE 's/.* ([0-9]+) input records\/s.*/\1/p')
  floor=$("$SCRATCH"/target/release/limit-bench meta 20000000 1 | sed -nE 's/^SUMMARY .* median +([0-9]+) .*/\1/p')
  awk -v o="$rate" -v f="$floor" -v s="$scale" 'BEGIN { printf "analytics x%s: %.3f M input records/s, perf-limit meta %.2f M records/s, ratio %.4f\n", s, o / 1e6, f / 1e6, o / f }'
done
