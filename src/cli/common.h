// Helpers shared by the subcommands.
#pragma once

#include <memory>
#include <string>

#include "quantatom/database.h"
#include "quantatom/load.h"
#include "quantatom/model.h"
#include "quantatom/status.h"

namespace quantatom::server {
class Auth;
}

namespace quantatom::cli {

// This executable, for DatabaseOptions::snapshot_program.
inline constexpr char kThisProgram[] = "/proc/self/exe";

// Prints "quantatom: <status>" to stderr and returns kExitFailed.
int Fail(const Status& status);
Result<std::string> ReadTextFile(const std::string& path);
// A model directory loaded into memory, or a data directory opened with its
// log (then writes are durable transactions).
struct Opened {
  std::unique_ptr<Model> model;
  std::unique_ptr<Database> db;
  Result<std::shared_ptr<Cube>> GetCube(std::string_view name) const;
};

// Opens DIR as a data directory when it has a log/, else loads it as a
// model directory, reporting to stderr what it did unless `quiet`.
Result<Opened> OpenModel(const std::string& dir, const std::string& facts_cube, bool quiet);

// An existing data directory opened for one command (no background
// snapshots).
Result<std::unique_ptr<Database>> OpenExisting(const std::string& dir);

// A cell given as "MEMBER,MEMBER,..." (CSV quoting for names with commas),
// one member per dimension of `cube`; `option` names it in errors.
Result<Coordinate> ParseCellNames(const Cube& cube, std::string_view names,
                                  const std::string& option);
// "Dimension=Member" pairs, as --source, --target, --slice take them.
Result<std::vector<std::pair<std::string, std::string>>> ParseChoices(
    const std::vector<std::string>& specs, const std::string& option);

// The users and roles of a data directory's server (DATA/security), refused
// while a server or another command holds them.
Result<std::unique_ptr<server::Auth>> OpenAuth(const std::string& data);

}  // namespace quantatom::cli
