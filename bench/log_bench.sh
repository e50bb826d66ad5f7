#!/usr/bin/env bash
# The log's figures (issue 3): bench/log_bench.sh [S|M|L] [RUNS]
# Runs `quantatom bench --log-data` RUNS times (default 3) in fresh processes
# on the planbench dataset (generated once into build/planbench-SCALE, or
# QA_BENCH_DATA) and prints the median of every figure. The scratch data
# directory is build/log-bench (QA_LOG_SCRATCH), emptied by each run.
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-M}
runs=${2:-3}
gen=../shared/bench/gen_planbench.py
data=${QA_BENCH_DATA:-build/planbench-$scale}
scratch=${QA_LOG_SCRATCH:-build/log-bench}
bash scripts/deps.sh
bash scripts/build.sh release -DCMAKE_BUILD_TYPE=Release -DQA_TESTS=OFF
if [ ! -f "$data/expected.json" ]; then
  python3 "$gen" --scale "$scale" --seed 1 --out "$data" --expected
fi
out=build/log-bench-$scale
mkdir -p "$out"
for i in $(seq 1 "$runs"); do
  build/release/quantatom bench --planbench "$data" --log-data "$scratch" --json >"$out/run$i.json"
done
python3 - "$out" "$runs" <<'PY'
import sys
sys.path.insert(0, "bench")
from runs import load_runs, median_of
out, runs = sys.argv[1], int(sys.argv[2])
docs = load_runs(out, runs)
med = median_of(docs)
print(f"log figures, {docs[0]['atoms']:,} atoms, median of {runs} runs")
load, logged = med('LOAD', 'ms'), med('LOAD_LOGGED', 'ms')
print(f"LOAD                {load:8.0f} ms   logged {logged:8.0f} ms   ratio {logged / load:.2f}x   "
      f"log {med('LOAD_LOGGED', 'log_bytes_per_atom'):.2f} bytes/atom")
print(f"DURABLE_WRITE       p50 {med('DURABLE_WRITE', 'p50_ms'):.3f} ms  p99 {med('DURABLE_WRITE', 'p99_ms'):.3f} ms  "
      f"{med('DURABLE_WRITE', 'log_bytes_per_one_cell_write'):.0f} log bytes")
t = [med('THROUGHPUT', f'{w}_writers_tps') for w in (1, 8, 64)]
print(f"THROUGHPUT          1/8/64 writers {t[0]:,.0f} / {t[1]:,.0f} / {t[2]:,.0f} commits/s  ({t[2] / t[0]:.1f}x)")
print(f"SNAPSHOT            {med('SNAPSHOT', 'ms'):8.0f} ms  commits meanwhile p50 {med('SNAPSHOT', 'commit_p50_ms'):.3f} ms  "
      f"p99 {med('SNAPSHOT', 'commit_p99_ms'):.3f} ms  max {med('SNAPSHOT', 'commit_max_ms'):.3f} ms")
print(f"  without snapshot  as long: commits p99 {med('SNAPSHOT', 'without_snapshot_commit_p99_ms'):.3f} ms  "
      f"max {med('SNAPSHOT', 'without_snapshot_commit_max_ms'):.3f} ms")
print(f"  busy loop instead (idle priority): commits p99 {med('SNAPSHOT', 'busy_loop_commit_p99_ms'):.3f} ms  "
      f"max {med('SNAPSHOT', 'busy_loop_commit_max_ms'):.3f} ms")
print(f"RECOVERY            {med('RECOVERY', 'ms'):8.0f} ms  (snapshot + {med('RECOVERY', 'transactions_after_snapshot'):,.0f} transactions)")
PY
