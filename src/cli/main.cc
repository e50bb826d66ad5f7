// quantatom: the command line over the engine (docs/cli.md).
#include <cstdio>
#include <map>

#include "cli/commands.h"
#include "util/heap_reuse.h"
#include "util/huge_pages.h"

int main(int argc, char** argv) {
  using namespace quantatom::cli;
  quantatom::StartWithHugePageHeap(argv);
  quantatom::KeepFreedBuffersForReuse();
  CLI::App app("QuantatomAI planning engine", "quantatom");
  app.require_subcommand(1);
  app.set_version_flag("--version", "quantatom 0.1.0");
  std::map<std::string, Runner> runners = {
      {"demo", AddDemoCommand(app)},           {"load", AddLoadCommand(app)},
      {"query", AddQueryCommand(app)},         {"set", AddSetCommand(app)},
      {"bench", AddBenchCommand(app)},         {"import", AddImportCommand(app)},
      {"verify", AddVerifyCommand(app)},       {"snapshot", AddSnapshotCommand(app)},
      {"changes", AddChangesCommand(app)},     {"history", AddHistoryCommand(app)},
      {"undo", AddUndoCommand(app)},           {"serve", AddServeCommand(app)},
      {"spread", AddSpreadCommand(app)},       {"copy", AddCopyCommand(app)},
      {"clear", AddClearCommand(app)},         {"allocate", AddAllocateCommand(app)},
      {"user", AddUserCommand(app)},           {"role", AddRoleCommand(app)},
      {"dimension", AddDimensionCommand(app)}, {"cube", AddCubeCommand(app)},
      {"member", AddMemberCommand(app)},       {"live-bench", AddLiveBenchCommand(app)},
      {"rules", AddRulesCommand(app)},         {"snapshot-worker", AddSnapshotWorkerCommand(app)},
  };
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  for (auto* sub : app.get_subcommands()) return runners.at(sub->get_name())();
  return kExitUsage;
}
