// The planbench run of bench/WORKLOAD.md for the operations the engine
// covers, in one process: LOAD, GRID_SMALL, GRID_LARGE, EDIT_RECALC and a
// full consolidation with its memory-read bound.
#pragma once

#include <string>

#include "quantatom/status.h"

namespace quantatom::bench {

struct BenchOptions {
  std::string dir;     // made by gen_planbench.py (dims/, facts.csv, ops.json)
  int grid_reads = 7;  // the first is cold
  int edit_cycles = 100;
  int consolidation_reads = 5;
  // The log's figures (LOAD_LOGGED, DURABLE_WRITE, THROUGHPUT, RECOVERY) in
  // a scratch data directory; empty: skipped.
  std::string log_data_dir;
  uint64_t recovery_transactions = 100'000;
  // SPREAD, COPY_VERSION and ALLOCATE as durable transactions in a scratch
  // data directory; empty: skipped.
  std::string writeback_data_dir;
  int writeback_repetitions = 3;  // of each writeback operation
  // The RULES section (rules_bench.h): Units x Price over every Revenue leaf.
  bool rules = false;
};

// Returns the JSON document of docs/bench.md.
Result<std::string> RunPlanbench(const BenchOptions& options);

}  // namespace quantatom::bench
