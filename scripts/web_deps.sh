#!/usr/bin/env bash
# What the web app needs beside scripts/deps.sh: Node.js 20.19 or later
# with npm (the machine's), its npm packages (web/package-lock.json, with
# `npm ci` only when node_modules is missing or the lock changed) and, with
# --browser, Debian's Chromium for the end-to-end tests and the benchmark
# (never a browser downloaded by a test tool). Quiet when all is there.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "the web app needs Node.js 20.19+ and npm (not found)" >&2
  exit 1
fi
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then
  echo "the web app needs Node.js 20.19 or later; this is $(node --version)" >&2
  exit 1
fi

stamp=web/node_modules/.quantatom-lock.sha256
want=$(sha256sum web/package-lock.json | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "installing the web app's npm packages (npm ci)"
  (cd web && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$want" >"$stamp"
fi

if [ "${1:-}" = --browser ] && ! dpkg-query -W -f='${Status}' chromium 2>/dev/null | grep -q "install ok installed"; then
  echo "installing: chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
