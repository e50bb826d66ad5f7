#!/usr/bin/env bash
# Configures and builds one flavour: scripts/build.sh NAME [cmake args...]
# into build/NAME (QA_TARGETS: the ninja targets, default all). Quiet unless
# something fails.
set -euo pipefail
cd "$(dirname "$0")/.."
name=$1
shift
log=build/$name.log
mkdir -p build
# shellcheck disable=SC2086 # QA_TARGETS is a list
if ! { cmake -S . -B "build/$name" -G Ninja "$@" && ninja -C "build/$name" ${QA_TARGETS:-}; } >"$log" 2>&1; then
  tail -n 60 "$log"
  echo "build $name failed (full log: $log)" >&2
  exit 1
fi
