// `quantatom bench`: the planbench run (bench/WORKLOAD.md) as one JSON document.
#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "cli/common.h"
#include "planbench.h"

namespace quantatom::cli {

Runner AddBenchCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("bench", "Run the planbench operations on a generated dataset");
  auto options = std::make_shared<bench::BenchOptions>();
  auto json = std::make_shared<bool>(false);
  cmd->add_option("--planbench", options->dir, "Directory made by gen_planbench.py")->required();
  cmd->add_flag("--json", *json, "Print the JSON document (the default prints it too, indented)");
  cmd->add_option("--grid-reads", options->grid_reads, "Reads per grid, the first cold")
      ->capture_default_str();
  cmd->add_option("--edit-cycles", options->edit_cycles, "EDIT_RECALC cycles")
      ->capture_default_str();
  cmd->add_option("--log-data", options->log_data_dir,
                  "Scratch data directory for the log's figures (LOAD_LOGGED, DURABLE_WRITE, "
                  "THROUGHPUT, RECOVERY); emptied first and removed after");
  cmd->add_option("--writeback-data", options->writeback_data_dir,
                  "Scratch data directory for SPREAD, COPY_VERSION and ALLOCATE as durable "
                  "transactions; emptied first and removed after");
  cmd->add_option("--writeback-repetitions", options->writeback_repetitions,
                  "Repetitions of each writeback operation (a profile wants many)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_flag("--rules", options->rules,
                "The RULES section: Units x Price over every Revenue leaf and a Margin % rule, in "
                "memory (full recalculation, edit then GRID_SMALL, bytes per derived atom)");
  cmd->add_option("--recovery-transactions", options->recovery_transactions,
                  "Transactions logged after the snapshot before RECOVERY is timed")
      ->capture_default_str();
  return [=] {
    auto doc = bench::RunPlanbench(*options);
    if (!doc.ok()) return Fail(doc.status());
    std::cout << *doc << "\n";
    return kExitOk;
  };
}

}  // namespace quantatom::cli
