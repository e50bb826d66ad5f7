#!/usr/bin/env bash
# The main job on the embedded default: install what is missing, build,
# create the demo model and print a first grid of it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
bash scripts/build.sh release -DCMAKE_BUILD_TYPE=Release -DQA_TESTS=OFF
bin=build/release/quantatom
data=${QA_DATA:-data/demo}
[ -d "$data/dims" ] || "$bin" demo --out "$data"
"$bin" load "$data"
echo
"$bin" query "$data" --view examples/views/revenue_by_region.json
echo
"$bin" query "$data" --view examples/views/pnl_by_quarter.json
