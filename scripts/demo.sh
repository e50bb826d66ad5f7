#!/usr/bin/env bash
# The main job on the embedded default: install what is missing, build,
# create the demo model in a data directory (every change logged) and print
# a first grid of it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
bash scripts/build.sh release -DCMAKE_BUILD_TYPE=Release -DQA_TESTS=OFF
bin=build/release/quantatom
data=${QA_DATA:-data/demo}
if [ ! -d "$data/log" ]; then
  "$bin" demo --out "$data-model"
  "$bin" import "$data" "$data-model"
fi
"$bin" verify "$data"
echo
"$bin" query "$data" --view examples/views/revenue_by_region.json
echo
"$bin" query "$data" --view examples/views/pnl_by_quarter.json
echo
echo "Try: $bin set $data --cube Finance --cell 'Budget,2025-01,Acme Inc. (Boston),Hardware Sales,ProBook 14=1000'"
echo "     $bin changes $data --since 7"
