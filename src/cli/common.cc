#include "cli/common.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "cli/commands.h"

namespace quantatom::cli {

int Fail(const Status& status) {
  std::fprintf(stderr, "quantatom: %s\n", status.ToString().c_str());
  return kExitFailed;
}

Result<std::string> ReadTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Io(path + ": cannot open");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

Result<std::unique_ptr<Model>> OpenModel(const std::string& dir, const std::string& facts_cube,
                                         bool quiet) {
  LoadOptions options;
  options.facts_cube = facts_cube;
  LoadReport report;
  auto start = std::chrono::steady_clock::now();
  auto model = LoadModelDirectory(dir, options, &report);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (model.ok() && !quiet)
    std::fprintf(stderr, "loaded %s: %zu atoms from %zu rows (%zu duplicates summed) in %.2f s\n",
                 dir.c_str(), report.atoms, report.rows, report.duplicates, seconds);
  return model;
}

}  // namespace quantatom::cli
