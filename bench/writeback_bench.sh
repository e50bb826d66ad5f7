#!/usr/bin/env bash
# The writeback figures (issue 6): bench/writeback_bench.sh [S|M|L] [RUNS]
# Runs `quantatom bench --writeback-data` RUNS times (default 3) in fresh
# processes on the planbench dataset (generated once into
# build/planbench-SCALE, or QA_BENCH_DATA) and prints the medians. The scratch
# data directory is build/writeback-bench (QA_WRITEBACK_SCRATCH).
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-M}
runs=${2:-3}
gen=../shared/bench/gen_planbench.py
data=${QA_BENCH_DATA:-build/planbench-$scale}
scratch=${QA_WRITEBACK_SCRATCH:-build/writeback-bench}
bash scripts/deps.sh
bash scripts/build.sh release -DCMAKE_BUILD_TYPE=Release -DQA_TESTS=OFF
if [ ! -f "$data/expected.json" ]; then
  python3 "$gen" --scale "$scale" --seed 1 --out "$data" --expected
fi
out=build/writeback-bench-$scale
mkdir -p "$out"
for i in $(seq 1 "$runs"); do
  build/release/quantatom bench --planbench "$data" --writeback-data "$scratch" --edit-cycles 5 \
    --json >"$out/run$i.json"
done
python3 - "$out" "$runs" <<'PY'
import sys
sys.path.insert(0, "bench")
from runs import load_runs, median_of
out, runs = sys.argv[1], int(sys.argv[2])
docs = load_runs(out, runs)
med = median_of(docs)
ok = all(d['SPREAD']['target_reads_value'] and d['COPY_VERSION']['correct'] and
         d['ALLOCATE']['source_reads_amount'] for d in docs)
print(f"writeback figures, {docs[0]['atoms']:,} atoms, median of {runs} runs, every check "
      f"{'passed' if ok else 'FAILED'}")
print(f"SPREAD + GRID_SMALL  p50 {med('SPREAD', 'p50_ms'):7.2f} ms  "
      f"({med('SPREAD', 'leaves_changed'):,.0f} leaves, durable commit included)")
print(f"COPY_VERSION         p50 {med('COPY_VERSION', 'p50_ms'):7.2f} ms  "
      f"first {med('COPY_VERSION', 'first_ms'):7.2f} ms  ({med('COPY_VERSION', 'atoms'):,.0f} atoms)")
print(f"ALLOCATE             p50 {med('ALLOCATE', 'p50_ms'):7.2f} ms  first {med('ALLOCATE', 'first_ms'):7.2f} ms  "
      f"({med('ALLOCATE', 'targets_written'):,.0f} targets)")
s = lambda k: med('SANDBOX', k)
print(f"SANDBOX ({s('cells'):,.0f} cells) GRID_SMALL read, base vs through the sandbox:")
for kind in ("warm", "after_edit", "cold"):
    b, x = s(f"base_read_{kind}_p50_ms"), s(f"sandbox_read_{kind}_p50_ms")
    print(f"  {kind:11s} base {b:7.3f} ms  sandbox {x:7.3f} ms  ({x / b:.2f}x)")
print(f"  commit with conflict check  {s('commit_ms'):.1f} ms  ({s('commit_conflicts'):.0f} conflicts merged, "
      f"{s('commit_cells_applied'):,.0f} cells applied)")
sys.exit(0 if ok else 1)
PY
