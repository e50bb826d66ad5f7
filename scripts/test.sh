#!/usr/bin/env bash
# Every test: unit, property, crash and CLI tests (under ASan/UBSan), the
# concurrency tests under TSan, the web app's tests (lint, unit, end-to-end
# in Chromium against the ASan server), a short fuzz run of each parser, a
# format check and the planbench answer check.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh || exit 1

passed=0 failed=0
step() {  # step NAME COMMAND...: runs a step and counts it
  local name=$1
  shift
  echo "== $name"
  local start=$SECONDS
  if "$@"; then
    passed=$((passed + 1))
    echo "== $name: ok ($((SECONDS - start)) s)"
  else
    failed=$((failed + 1))
    echo "== $name: FAILED ($((SECONDS - start)) s)"
  fi
}

format_check() {
  local files
  files=$(git ls-files '*.cc' '*.h' 2>/dev/null || find src include tests bench -name '*.cc' -o -name '*.h')
  clang-format --dry-run -Werror $files
}

# One build runs the whole suite: clang with ASan/UBSan, holding the fuzz
# targets too (QA_FUZZ), so the core and server are compiled once for both.
# A separate unsanitized build would only repeat the same tests.
sanitized_tests() {
  CC=clang CXX=clang++ bash scripts/build.sh asan -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DQA_SANITIZE=address,undefined -DQA_TESTS=ON -DQA_FUZZ=ON &&
    QA_BIN=build/asan/quantatom ASAN_OPTIONS=detect_leaks=1 build/asan/quantatom_tests --gtest_brief=1
}

# TSan (gcc, so the tree is also compiled by the compiler the demo uses)
# builds only the test binary; the executables it starts are the ASan ones.
tsan_tests() {
  QA_TARGETS=quantatom_tests bash scripts/build.sh tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DQA_SANITIZE=thread -DQA_TESTS=ON -DQA_TEST_TOOLS=OFF &&
    QA_BIN=build/asan/quantatom TSAN_OPTIONS="halt_on_error=1 suppressions=$PWD/tests/tsan.supp" \
      build/tsan/quantatom_tests --gtest_brief=1 \
      --gtest_filter='CubeConcurrency.*:ConsolidationProperty.*:DatabaseTest.*:SnapshotTest.*:AuditTest.*:ChangeFeedTest.*:WritebackTest.*:StructureTest.*:JobQueue.*:Server*:Security*'
}

planbench_answers() {
  local gen=../shared/bench/gen_planbench.py dir=build/planbench-S
  if [ ! -f "$gen" ]; then
    echo "no ../shared/bench: skipped"
    return 0
  fi
  [ -f "$dir/expected.json" ] || python3 "$gen" --scale S --seed 1 --out "$dir" --expected >/dev/null || return 1
  build/asan/quantatom bench --planbench "$dir" --edit-cycles 20 --writeback-data build/writeback-S \
    >build/planbench-S.json || return 1
  python3 - build/planbench-S.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ok = d["GRID_SMALL"]["matches_expected"] and d["GRID_LARGE"]["matches_expected"] and d["EDIT_RECALC"]["grid_correct"]
ok = ok and d["SPREAD"]["target_reads_value"] and d["COPY_VERSION"]["correct"] and d["ALLOCATE"]["source_reads_amount"]
print("planbench S answers:", "match" if ok else "MISMATCH")
sys.exit(0 if ok else 1)
PY
}

step "format" format_check
step "unit, property, crash and CLI tests under ASan/UBSan" sanitized_tests
# The web app against the ASan/UBSan server built by the step above (QA_BIN).
step "web app: lint, types, unit tests, build, end-to-end" env QA_BIN="${QA_BIN:-build/asan/quantatom}" bash scripts/web_test.sh
step "TSan concurrency tests" tsan_tests
step "fuzz the parsers" env FUZZ_SECONDS="${FUZZ_SECONDS:-10}" FUZZ_BUILD=build/asan bash scripts/fuzz.sh
step "planbench S answers" planbench_answers

echo "steps: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
