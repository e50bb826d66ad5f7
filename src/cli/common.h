// Helpers shared by the subcommands.
#pragma once

#include <memory>
#include <string>

#include "quantatom/load.h"
#include "quantatom/model.h"
#include "quantatom/status.h"

namespace quantatom::cli {

// Prints "quantatom: <status>" to stderr and returns kExitFailed.
int Fail(const Status& status);
Result<std::string> ReadTextFile(const std::string& path);
// Loads a model directory, reporting to stderr how long it took.
Result<std::unique_ptr<Model>> OpenModel(const std::string& dir, const std::string& facts_cube,
                                         bool quiet);

}  // namespace quantatom::cli
