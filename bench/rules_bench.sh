#!/usr/bin/env bash
# The rules figures: bench/rules_bench.sh [S|M|L] [RUNS]
# Runs `quantatom bench --rules` RUNS times (default 3) in fresh processes on
# the planbench dataset (generated once into build/planbench-SCALE) and
# prints the median of each RULES figure: a full recalculation of every
# derived atom of Units x Price over all Revenue leaves, an edit of one
# input then a re-read of GRID_SMALL (over derived Revenue, checked), a
# Margin % grid, bytes per derived and per stored atom.
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
out=build/rules-bench-$scale
mkdir -p "$out"
for i in $(seq 1 "$runs"); do
  build/release/quantatom bench --planbench "$data" --rules --grid-reads 2 --json >"$out/run$i.json"
done
python3 - "$out" "$runs" <<'PY'
import sys
sys.path.insert(0, "bench")
from runs import load_runs, median_of
out, runs = sys.argv[1], int(sys.argv[2])
docs = load_runs(out, runs)
med = median_of(docs)
r = lambda *path: med("RULES", *path)
first = docs[0]["RULES"]
ok = all(d["RULES"]["GRID_SMALL"]["matches_expected"] and d["RULES"]["EDIT_GRID_SMALL"]["grid_correct"]
         and d["RULES"]["derived_atoms"] == d["RULES"]["derived_atoms_expected"] for d in docs)
print(f"planbench {out.split('-')[-1]} rules: {first['derived_atoms']:,} derived atoms over "
      f"{first['memory']['stored_atoms']:,} stored, median of {runs} runs")
print(f"FULL_RECALC         {r('full_recalc','p50_ms'):9.1f} ms   {r('full_recalc','derived_atoms_per_s')/1e6:6.2f} M derived atoms/s")
print(f"EDIT + GRID_SMALL   p50 {r('EDIT_GRID_SMALL','p50_ms'):7.4f} ms  p99 {r('EDIT_GRID_SMALL','p99_ms'):7.4f} ms")
print(f"MARGIN % GRID       first {r('MARGIN_GRID','first_ms'):7.3f} ms  warm p50 {r('MARGIN_GRID','p50_ms'):7.4f} ms")
print(f"bytes per atom      derived {r('memory','bytes_per_derived_atom'):5.2f}   stored {r('memory','bytes_per_stored_atom'):5.2f}")
print("answers:", "GRID_SMALL matches expected, edits correct, every Revenue leaf derived" if ok else "WRONG")
sys.exit(0 if ok else 1)
PY
