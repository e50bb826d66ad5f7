#!/usr/bin/env bash
# The crash tests at soak length, from a release build: kill -9 of a real
# process (ROUNDS, default 2000) and simulated power failures on the
# in-memory FaultEnv (POWER_ROUNDS, default 20000; POWER_SEED picks another
# sequence of crash points), and power failures during holds and sandbox
# operations (WORKSPACE_ROUNDS, default 20000). Prints each test's one-line
# totals.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh test -DCMAKE_BUILD_TYPE=Release -DQA_TESTS=ON

status=0
soak() {  # soak NAME GTEST_FILTER [VAR=VALUE...]: runs one test, prints its totals
  local name=$1 filter=$2 log
  shift 2
  log=$(mktemp)
  local start=$SECONDS
  if env "$@" build/test/quantatom_tests --gtest_filter="$filter" >"$log" 2>&1; then
    grep -E "^$name" "$log" || true
    echo "== $name: ok ($((SECONDS - start)) s)"
  else
    tail -n 40 "$log"
    echo "== $name: FAILED ($((SECONDS - start)) s)"
    status=1
  fi
  rm -f "$log"
}

soak "kill -9" 'KillNine.*' QA_CRASH_ROUNDS="${ROUNDS:-2000}"
soak "power loss" 'PowerLoss.*' QA_POWER_LOSS_ROUNDS="${POWER_ROUNDS:-20000}" \
  ${POWER_SEED:+QA_POWER_LOSS_SEED=$POWER_SEED}
soak "workspace power loss" 'WorkspacePowerLoss.*' \
  QA_WORKSPACE_POWER_LOSS_ROUNDS="${WORKSPACE_ROUNDS:-20000}"
exit $status
