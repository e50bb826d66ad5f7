// The grids of planbench's ops.json ({rows: {dimension, members}, columns:
// ..., context}) as views, shared by the benchmarks.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "quantatom/view.h"

namespace quantatom::bench {

ViewSpec GridView(const nlohmann::json& op, const std::string& cube);

}  // namespace quantatom::bench
