#!/usr/bin/env bash
# The planbench figures: bench/planbench.sh [S|M|L] [RUNS]
# Generates the dataset with ../shared/bench/gen_planbench.py (once, cached in
# build/planbench-SCALE), runs `quantatom bench` RUNS times (default 3) in fresh
# processes and prints the median of every figure.
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-M}
runs=${2:-3}
gen=../shared/bench/gen_planbench.py
data=${QA_BENCH_DATA:-build/planbench-$scale}
bash scripts/deps.sh
bash scripts/build.sh release -DCMAKE_BUILD_TYPE=Release -DQA_TESTS=OFF
if [ ! -f "$data/expected.json" ]; then
  python3 "$gen" --scale "$scale" --seed 1 --out "$data" --expected
fi
out=build/bench-$scale
mkdir -p "$out"
for i in $(seq 1 "$runs"); do
  build/release/quantatom bench --planbench "$data" --json >"$out/run$i.json"
done
python3 - "$out" "$runs" <<'PY'
import sys
sys.path.insert(0, "bench")
from runs import load_runs, median_of
out, runs = sys.argv[1], int(sys.argv[2])
docs = load_runs(out, runs)
med = median_of(docs)
atoms = docs[0]["atoms"]
print(f"planbench {out.split('-')[-1]}: {atoms:,} atoms, median of {runs} runs")
print(f"LOAD                {med('LOAD','ms'):10.1f} ms   {med('LOAD','rows_per_s')/1e6:6.2f} M rows/s")
print(f"RSS after load      {med('memory','rss_bytes_per_atom'):10.2f} bytes/atom  (peak {med('memory','peak_rss_bytes')/2**20:.0f} MiB)")
for op in ("GRID_SMALL", "GRID_LARGE"):
    ok = all(d[op]["matches_expected"] for d in docs)
    print(f"{op:<19} cold {med(op,'cold_ms'):7.3f} ms  warm p50 {med(op,'p50_ms'):7.4f} ms  p99 {med(op,'p99_ms'):7.4f} ms  {'matches expected' if ok else 'MISMATCH'}")
ok = all(d["EDIT_RECALC"]["grid_correct"] for d in docs)
print(f"EDIT_RECALC         p50 {med('EDIT_RECALC','p50_ms'):7.4f} ms  p99 {med('EDIT_RECALC','p99_ms'):7.4f} ms  {'grid correct' if ok else 'WRONG'}")
print(f"FULL_CONSOLIDATION  {med('FULL_CONSOLIDATION','p50_ms'):7.2f} ms  read-all bound {med('FULL_CONSOLIDATION','read_all_atoms_ms'):6.2f} ms  ratio {med('FULL_CONSOLIDATION','ratio_to_read'):.2f}")
PY
