// The writeback figures (issue 6) on the planbench workload, every
// operation a durable transaction in a scratch data directory: SPREAD (then
// GRID_SMALL), COPY_VERSION, ALLOCATE, three repetitions each, each checked
// as bench/WORKLOAD.md says.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "quantatom/status.h"

namespace quantatom::bench {

struct WritebackBenchOptions {
  std::string planbench_dir;  // made by gen_planbench.py
  std::string data_dir;       // scratch data directory (emptied first)
  int repetitions = 3;
};

Result<nlohmann::ordered_json> RunWritebackBench(const WritebackBenchOptions& options);

}  // namespace quantatom::bench
