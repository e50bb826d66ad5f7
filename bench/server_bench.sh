#!/usr/bin/env bash
# Live updates' latency: bench/server_bench.sh [RUNS] [live-bench options...]
# Runs `quantatom live-bench` (default: 100 WebSocket clients subscribed to one
# cube of an in-process server, 1,000 single-cell writes at 200/s) RUNS times
# (default 3) in fresh processes and prints each run and the median figures.
# QA_BIN=path/to/quantatom skips the release build.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
shift || true
bin=${QA_BIN:-}
if [ -z "$bin" ]; then
  bash scripts/build.sh release -DCMAKE_BUILD_TYPE=Release -DQA_TESTS=OFF
  bin=build/release/quantatom
fi
out=build/live-bench
mkdir -p "$out"
for i in $(seq 1 "$runs"); do
  "$bin" live-bench "$@" >"$out/run$i.json"
done
python3 - "$out" "$runs" <<'PY'
import json, statistics, sys
out, runs = sys.argv[1], int(sys.argv[2])
docs = [json.load(open(f"{out}/run{i}.json")) for i in range(1, runs + 1)]
for i, d in enumerate(docs, 1):
    w = d["write_to_client"]
    print(f"run {i}: {d['clients']} clients, {d['writes']} writes at {d['writes_per_s']:g}/s, "
          f"{d['pushes_received']}/{d['pushes_expected']} pushes: "
          f"p50 {w['p50_ms']:.2f} ms  p99 {w['p99_ms']:.2f} ms  max {w['max_ms']:.2f} ms")
med = lambda key, q: statistics.median(d[key][q] for d in docs)
print(f"median of {runs}: write to client p50 {med('write_to_client', 'p50_ms'):.2f} ms  "
      f"p99 {med('write_to_client', 'p99_ms'):.2f} ms  max {med('write_to_client', 'max_ms'):.2f} ms; "
      f"write round trip p50 {med('write_round_trip', 'p50_ms'):.2f} ms  "
      f"p99 {med('write_round_trip', 'p99_ms'):.2f} ms")
PY
