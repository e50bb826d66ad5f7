#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/*_fuzz.cc) with clang and runs
# each for FUZZ_SECONDS (default 30), all at once, on a scratch copy of its
# seed corpus (build/fuzz-corpus/<target>, kept between runs so coverage
# accumulates). Crash inputs go to build/fuzz-artifacts/<target>/.
# Exits non-zero when a build fails or any target crashes, leaks, times out
# or runs out of memory.
#   scripts/fuzz.sh                     # 30 s per target
#   FUZZ_SECONDS=3600 scripts/fuzz.sh   # by hand, for an hour
# FUZZ_BUILD=DIR runs the targets of a build that already has them (the
# test command's ASan build, configured with -DQA_FUZZ=ON).
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-30}

for tool in clang clang++; do
  command -v "$tool" >/dev/null || { echo "fuzz: $tool not found" >&2; exit 2; }
done

targets=()
for src in tests/fuzz/*_fuzz.cc; do targets+=("$(basename "$src" .cc)"); done

mkdir -p build
log=build/fuzz.log
bin=${FUZZ_BUILD:-build/fuzz}
configure() {
  [ -n "${FUZZ_BUILD:-}" ] || CC=clang CXX=clang++ cmake -S . -B build/fuzz -G Ninja -DQA_FUZZ=ON \
    -DQA_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
}
if ! { configure && ninja -C "$bin" "${targets[@]}"; } >"$log" 2>&1; then
  tail -n 40 "$log"
  echo "fuzz: build failed (full log: $log)" >&2
  exit 1
fi

export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
declare -A pids
for t in "${targets[@]}"; do
  corpus=build/fuzz-corpus/$t artifacts=build/fuzz-artifacts/$t/
  mkdir -p "$corpus" "$artifacts"
  cp -n tests/fuzz/corpus/"$t"/* "$corpus"/ 2>/dev/null
  "$bin/$t" "$corpus" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$artifacts" >"build/fuzz-$t.log" 2>&1 &
  pids[$t]=$!
done

failed=0
for t in "${targets[@]}"; do
  wait "${pids[$t]}"
  rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "build/fuzz-$t.log" | grep -o '[0-9]*$')
  if [ "$rc" -eq 0 ]; then
    echo "fuzz: $t ok, ${execs:-?} executions in ${seconds} s"
  else
    failed=1
    echo "fuzz: $t FAILED (exit $rc); input and log: build/fuzz-artifacts/$t/, build/fuzz-$t.log"
    grep -E -A 30 '^==[0-9]+==ERROR|runtime error|deadly signal|Test unit written' "build/fuzz-$t.log" |
      head -n 60
  fi
done
exit "$failed"
