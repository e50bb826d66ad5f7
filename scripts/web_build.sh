#!/usr/bin/env bash
# Builds the web app's production bundle into web/dist (served by
# `quantatom serve` at /) when a source changed since the last build.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/web_deps.sh
if [ -f web/dist/index.html ] &&
  [ -z "$(find web/src web/public web/index.html web/vite.config.ts web/package-lock.json \
    -newer web/dist/index.html -print -quit)" ]; then
  exit 0
fi
(cd web && npx vite build --logLevel error)
