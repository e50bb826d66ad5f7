#!/usr/bin/env bash
# The web app's benchmark (docs/bench.md, "Web app"): the release server
# over a fresh demo model and the production build, in Debian's headless
# Chromium. Reports the time to the first grid (median of several loads),
# frame times and blank frames while scrolling a 2,000 x 24 view, and
# Enter-to-totals-painted latency. QA_BIN overrides the server binary;
# QA_BENCH_OUT also writes the figures as JSON there.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
bash scripts/web_deps.sh --browser
bash scripts/web_build.sh
bin=${QA_BIN:-build/release/quantatom}
if [ -z "${QA_BIN:-}" ]; then
  bash scripts/build.sh release -DCMAKE_BUILD_TYPE=Release -DQA_TESTS=OFF
fi
# shellcheck source=scripts/web_server.sh
source scripts/web_server.sh
trap web_server_stop EXIT
web_server_start "$bin"
(cd web && npx vitest run --config vitest.bench.config.ts --reporter=dot --silent=false)
