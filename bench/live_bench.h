// Live updates' latency (docs/bench.md, "Live updates"): WebSocket clients
// subscribed to one cube while single-cell writes are committed at a steady
// rate; each change's latency runs from just before its write request was
// sent to its arrival at each client.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "quantatom/status.h"

namespace quantatom::bench {

struct LiveBenchOptions {
  int clients = 100;
  int writes = 1000;
  double writes_per_s = 200;
  // A running server (port and an admin's token, the cube and the leaf cell
  // to write, its member names comma-separated); port 0: an in-process
  // server over a scratch directory with a small model.
  uint16_t port = 0;
  std::string token, cube, cell;
};

Result<nlohmann::ordered_json> RunLiveBench(const LiveBenchOptions& options);

}  // namespace quantatom::bench
