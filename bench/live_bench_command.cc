// `quantatom live-bench`: live updates' latency to many WebSocket clients.
#include <iostream>

#include "cli/commands.h"
#include "cli/common.h"
#include "live_bench.h"

namespace quantatom::cli {

Runner AddLiveBenchCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "live-bench", "Time changes from a write to WebSocket clients subscribed to its cube");
  auto o = std::make_shared<bench::LiveBenchOptions>();
  cmd->add_option("--clients", o->clients, "WebSocket clients subscribed")->capture_default_str();
  cmd->add_option("--writes", o->writes, "Single-cell writes committed")->capture_default_str();
  cmd->add_option("--rate", o->writes_per_s, "Writes per second")->capture_default_str();
  cmd->add_option("--port", o->port,
                  "A running server on 127.0.0.1 (default: one in-process, small model)");
  cmd->add_option("--token", o->token, "With --port: an admin's token");
  cmd->add_option("--cube", o->cube, "With --port: the cube subscribed and written");
  cmd->add_option("--cell", o->cell, "With --port: the leaf written, members comma-separated");
  return [o] {
    if (o->port != 0 && (o->token.empty() || o->cube.empty() || o->cell.empty())) {
      std::cerr << "live-bench: --port needs --token, --cube and --cell\n";
      return kExitUsage;
    }
    auto doc = bench::RunLiveBench(*o);
    if (!doc.ok()) return Fail(doc.status());
    std::cout << doc->dump(2) << "\n";
    return kExitOk;
  };
}

}  // namespace quantatom::cli
