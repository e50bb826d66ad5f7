#include "cli/common.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/commands.h"
#include "load/csv.h"
#include "server/auth.h"

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

Result<std::shared_ptr<Cube>> Opened::GetCube(std::string_view name) const {
  if (db) {
    auto cube = db->FindCube(name);
    if (!cube) return Status::NotFound("unknown cube '" + std::string(name) + "'");
    return cube;
  }
  return model->GetCube(name);
}

Result<std::unique_ptr<Database>> OpenExisting(const std::string& dir) {
  DatabaseOptions options;
  options.create_if_missing = false;
  options.snapshot_every_transactions = 0;
  return Database::Open(dir, options);
}

Result<Opened> OpenModel(const std::string& dir, const std::string& facts_cube, bool quiet) {
  Opened opened;
  auto start = std::chrono::steady_clock::now();
  auto seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  if (std::filesystem::is_directory(dir + "/log")) {
    DatabaseOptions options;
    options.create_if_missing = false;
    QA_ASSIGN_OR_RETURN(opened.db, Database::Open(dir, options));
    for (const std::string& w : opened.db->open_warnings())
      std::fprintf(stderr, "warning: %s\n", w.c_str());
    if (!quiet)
      std::fprintf(stderr, "opened data directory %s at sequence %llu in %.2f s\n", dir.c_str(),
                   static_cast<unsigned long long>(opened.db->last_sequence()), seconds());
    return opened;
  }
  LoadOptions options;
  options.facts_cube = facts_cube;
  LoadReport report;
  QA_ASSIGN_OR_RETURN(opened.model, LoadModelDirectory(dir, options, &report));
  if (!quiet)
    std::fprintf(stderr, "loaded %s: %zu atoms from %zu rows (%zu duplicates summed) in %.2f s\n",
                 dir.c_str(), report.atoms, report.rows, report.duplicates, seconds());
  return opened;
}

Result<std::unique_ptr<server::Auth>> OpenAuth(const std::string& data) {
  // A typo must not leave a security/ folder in some other directory.
  if (!std::filesystem::is_directory(data + "/log"))
    return Status::NotFound(data + ": not a data directory (no log/); quantatom import makes one");
  QA_ASSIGN_OR_RETURN(auto store, server::SecurityStore::Open(data));
  return std::make_unique<server::Auth>(std::move(store), server::AuthOptions{});
}

}  // namespace quantatom::cli

namespace quantatom::cli {

Result<Coordinate> ParseCellNames(const Cube& cube, std::string_view names,
                                  const std::string& option) {
  CsvReader csv(names, option);
  std::vector<CsvField> fields;
  Status status;
  csv.Next(fields, status);
  QA_RETURN_IF_ERROR(status);
  std::vector<std::string> list;
  for (auto& f : fields) list.push_back(f.text);
  auto cell = cube.Resolve(list);
  if (!cell.ok())
    return Status(cell.status().code(),
                  option + " '" + std::string(names) + "': " + cell.status().message());
  return cell;
}

Result<std::vector<std::pair<std::string, std::string>>> ParseChoices(
    const std::vector<std::string>& specs, const std::string& option) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const std::string& spec : specs) {
    size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
      return Status::Invalid(option + " '" + spec + "': expected DIMENSION=MEMBER");
    out.push_back({spec.substr(0, eq), spec.substr(eq + 1)});
  }
  return out;
}

}  // namespace quantatom::cli
