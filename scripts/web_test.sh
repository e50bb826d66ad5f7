#!/usr/bin/env bash
# The web app's tests (web/): formatting and lint, types, the unit tests of
# its logic (Vitest), the production build, and the end-to-end tests in
# Debian's Chromium (playwright-core) against the real server: QA_BIN
# (default build/asan/quantatom) on a free loopback port over a fresh copy
# of the demo model, stopped whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/web_deps.sh --browser
bin=${QA_BIN:-build/asan/quantatom}
if [ ! -x "$bin" ]; then
  echo "no server binary at $bin (set QA_BIN)" >&2
  exit 1
fi
(
  cd web
  npx prettier --check --log-level warn .
  npx eslint --max-warnings 0 .
  npx tsc --noEmit -p tsconfig.json
  npx vitest run --reporter=dot
  npx vite build --logLevel error
)
# shellcheck source=scripts/web_server.sh
source scripts/web_server.sh
trap web_server_stop EXIT
web_server_start "$bin"
(cd web && npx vitest run --config vitest.e2e.config.ts)
