// The log's figures (issue 3): LOAD with logging, durable single-write
// latency, throughput with 1, 8 and 64 concurrent writers, recovery from a
// snapshot plus logged transactions, log bytes per changed atom.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "quantatom/status.h"

namespace quantatom::bench {

struct LogBenchOptions {
  std::string planbench_dir;  // made by gen_planbench.py
  std::string data_dir;       // scratch data directory (emptied first)
  int latency_samples = 200;
  double throughput_seconds = 2.0;
  uint64_t recovery_transactions = 100'000;
  // Each a window with a snapshot, one as long without, one with a busy loop.
  int snapshot_rounds = 3;
  std::string snapshot_program;  // DatabaseOptions::snapshot_program, as the server sets it
};

Result<nlohmann::ordered_json> RunLogBench(const LogBenchOptions& options);

}  // namespace quantatom::bench
