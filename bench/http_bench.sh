#!/usr/bin/env bash
# The server's HTTP figures (issue 4) with wrk on loopback:
#   bench/http_bench.sh [S|M|L] [SECONDS]
# Imports the planbench dataset once into build/http-bench-SCALE (a data
# directory), serves it on a free port with 2 threads, and measures
#   1. GRID_SMALL from one connection (warm latency),
#   2. GRID_SMALL from 16 connections (reads per second and p99),
#   3. one-cell durable writes from 32 connections (writes per second, p99).
# Each wrk run lasts SECONDS (default 10). The data directory keeps the
# writes of earlier runs; delete it to start afresh.
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-M}
seconds=${2:-10}
gen=../shared/bench/gen_planbench.py
model=${QA_BENCH_DATA:-build/planbench-$scale}
data=build/http-bench-$scale
work=build/http-bench-work
bash scripts/deps.sh
if ! command -v wrk >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
bash scripts/build.sh release -DCMAKE_BUILD_TYPE=Release -DQA_TESTS=OFF
bin=build/release/quantatom
[ -f "$model/expected.json" ] || python3 "$gen" --scale "$scale" --seed 1 --out "$model" --expected
[ -d "$data/log" ] || "$bin" import "$data" "$model" >/dev/null
export QA_PASSWORD=bench-password
"$bin" user list "$data" 2>/dev/null | grep -qw bench ||
  "$bin" user add --admin "$data" bench >/dev/null </dev/null

mkdir -p "$work"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" serve --data "$data" --listen "127.0.0.1:$port" --threads 2 --quiet 2>"$work/serve.log" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null' EXIT
for _ in $(seq 1 600); do
  curl -sf "127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.1
done
token=$(curl -sf "127.0.0.1:$port/api/login" -d '{"user": "bench", "password": "bench-password"}' |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')

# The requests: GRID_SMALL's view, and one-cell writes to 2,000 leaf cells of
# the facts (Budget version), a different cell each time.
python3 - "$model" "$work" "$token" <<'PY'
import csv, json, sys
model, work, token = sys.argv[1:4]
ops = json.load(open(f"{model}/ops.json"))
view = dict(ops["GRID_SMALL"])
def lua(s):
    return json.dumps(s)  # a JSON string is a valid Lua string literal here
with open(f"{work}/grid.lua", "w") as f:
    f.write(f'wrk.method = "POST"\nwrk.body = {lua(json.dumps(view))}\n'
            f'wrk.headers["Authorization"] = "Bearer {token}"\n'
            'wrk.headers["Content-Type"] = "application/json"\n')
cells = []
with open(f"{model}/facts.csv") as facts:
    rows = csv.reader(facts)
    header = next(rows)
    for row in rows:
        if row[0] == "Budget":
            cells.append(row[:-1])
        if len(cells) == 2000:
            break
bodies = [json.dumps({"cells": [{"members": c, "value": i % 977 + 0.5}]}) for i, c in enumerate(cells)]
with open(f"{work}/write.lua", "w") as f:
    f.write("local bodies = {\n" + ",\n".join(lua(b) for b in bodies) + "}\n")
    f.write(f'local headers = {{["Authorization"] = "Bearer {token}", ["Content-Type"] = "application/json"}}\n')
    f.write("local n = 0\n"
            "request = function()\n"
            "  n = n + 1\n"
            f'  return wrk.format("POST", "/api/cubes/{ops["cube"]}/cells", headers, bodies[n % #bodies + 1])\n'
            "end\n")
    # Non-2xx answers are counted by wrk; print them so a failure is not a figure.
    f.write('done = function(summary, latency, requests)\n'
            '  io.write(string.format("non-2xx or socket errors: %d\\n", summary.errors.status + '
            'summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))\n'
            'end\n')
with open(f"{work}/grid.lua", "a") as f:
    f.write('done = function(summary, latency, requests)\n'
            '  io.write(string.format("non-2xx or socket errors: %d\\n", summary.errors.status + '
            'summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))\n'
            'end\n')
PY
cube=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["cube"])' "$model/ops.json")
url="http://127.0.0.1:$port/api/cubes/$cube/view"
# One check that the view answers before it is timed.
curl -sf -H "Authorization: Bearer $token" "$url" -d @<(python3 -c \
  'import json, sys; print(json.dumps(json.load(open(sys.argv[1]))["GRID_SMALL"]))' "$model/ops.json") >/dev/null

run() {  # run TITLE WRK-ARGS...
  echo "== $1"
  shift
  wrk --latency "$@" | grep -E 'Requests/sec|^ +50%|^ +99%|Latency +|non-2xx'
}
run "GRID_SMALL, 1 connection" -t1 -c1 -d"${seconds}s" -s "$work/grid.lua" "$url"
run "GRID_SMALL, 16 connections" -t2 -c16 -d"${seconds}s" -s "$work/grid.lua" "$url"
run "one-cell durable writes, 32 connections" -t2 -c32 -d"${seconds}s" -s "$work/write.lua" \
  "http://127.0.0.1:$port/"
