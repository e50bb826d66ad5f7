#!/usr/bin/env bash
# Bulk writes and exports over HTTP, end to end: bench/bulk_bench.sh [CELLS] [PLANBENCH_DIR]
# Imports the dimensions of a planbench dataset (default /root/pbdata/M,
# else QA_BENCH_DATA or build/planbench-M) with two empty cubes into a
# scratch data directory (build/bulk-bench), starts `quantatom serve` on it,
# and times with curl, from the first byte sent to the answer after the
# durable commit:
#   - a CSV bulk write of the dataset's first CELLS facts (default 1,000,000)
#     into an empty cube, and the same cells again (replacing atoms);
#   - the same cells as columnar JSON into another empty cube, and with
#     member indices ("members" lists) into a third;
#   - exports of the cube as CSV and as columnar JSON: cells/s, MB/s and
#     the server's peak RSS growth while exporting (VmHWM reset first).
# The binary is QA_BIN, default build/test/quantatom (a Release build).
set -euo pipefail
cd "$(dirname "$0")/.."
cells=${1:-1000000}
pb=${2:-${QA_BENCH_DATA:-/root/pbdata/M}}
bin=${QA_BIN:-build/test/quantatom}
scratch=${QA_BULK_SCRATCH:-build/bulk-bench}
port=${QA_BULK_PORT:-18473}
[ -f "$pb/facts.csv" ] || { echo "no $pb/facts.csv (gen_planbench.py --out $pb)" >&2; exit 2; }
rm -rf "$scratch"
mkdir -p "$scratch/model/cubes"
cp -r "$pb/dims" "$scratch/model/dims"  # a copy: import reads MODEL, writes DATA
header=$(head -n 1 "$pb/facts.csv")
for cube in csv columnar indices; do echo "$header" >"$scratch/model/cubes/$cube.csv"; done
"$bin" import "$scratch/data" "$scratch/model" >/dev/null
head -n $((cells + 1)) "$pb/facts.csv" >"$scratch/cells.csv"
python3 bench/bulk_columnar.py "$scratch/cells.csv" >"$scratch/cells.json"
python3 bench/bulk_columnar.py "$scratch/cells.csv" --indices >"$scratch/indices.json"

QA_ADMIN_USER=bench QA_ADMIN_PASSWORD=bench-password \
  "$bin" serve --data "$scratch/data" --listen 127.0.0.1:$port --quiet \
  2>"$scratch/serve.log" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null' EXIT
for _ in $(seq 100); do curl -sf localhost:$port/healthz >/dev/null && break; sleep 0.1; done
token=$(curl -sf localhost:$port/api/login -d '{"user":"bench","password":"bench-password"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
auth="Authorization: Bearer $token"

# bulk NAME CUBE TYPE FILE: one bulk write, timed by curl.
bulk() {
  local t
  t=$(curl -sf -o "$scratch/$1.out" -w '%{time_total}' -H "$auth" -H "Content-Type: $3" \
    --data-binary @"$4" "localhost:$port/api/cubes/$2/cells/bulk")
  python3 - "$1" "$t" "$scratch/$1.out" "$4" <<'PY'
import json, os, sys
name, seconds, out, body = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4]
a = json.load(open(out))
n = a["cells_written"]
print(f"{name:18} {n:>9,} cells {os.path.getsize(body) / 1e6:7.1f} MB {seconds:6.2f} s "
      f"{n / seconds:>11,.0f} cells/s  (sequence {a['sequence']}, rejected {a['cells_rejected']})")
PY
}
bulk csv_bulk csv text/csv "$scratch/cells.csv"
bulk csv_bulk_replace csv text/csv "$scratch/cells.csv"
bulk columnar_bulk columnar application/json "$scratch/cells.json"
bulk columnar_indices indices application/json "$scratch/indices.json"

# export FORMAT: the cube streamed to /dev/null; the server's RSS before and its peak during.
export_run() {
  local rss t
  rss=$(awk '/VmRSS/ {print $2}' /proc/$server/status)
  echo 5 >/proc/$server/clear_refs 2>/dev/null || true  # resets VmHWM to the current RSS
  t=$(curl -sf -o /dev/null -D "$scratch/export.headers" -w '%{time_total} %{size_download}' \
    -H "$auth" "localhost:$port/api/cubes/csv/cells/export?format=$1")
  local hwm cells
  hwm=$(awk '/VmHWM/ {print $2}' /proc/$server/status)
  cells=$(tr -d '\r' <"$scratch/export.headers" | awk -F': ' 'tolower($1)=="x-quantatom-cells" {print $2}')
  python3 - "$1" $t "$cells" "$rss" "$hwm" <<'PY'
import sys
fmt, seconds, size, cells, rss, hwm = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
print(f"export {fmt:11} {cells:>9,} cells {size / 1e6:7.1f} MB {seconds:6.2f} s "
      f"{cells / seconds:>11,.0f} cells/s {size / 1e6 / seconds:6.1f} MB/s  "
      f"server peak RSS growth {(hwm - rss) / 1024:.1f} MiB (RSS before {rss / 1024:.0f} MiB)")
PY
}
export_run csv
export_run columnar
