#include "ops_view.h"

#include <vector>

namespace quantatom::bench {

ViewSpec GridView(const nlohmann::json& op, const std::string& cube) {
  ViewSpec v;
  v.cube = cube;
  v.rows.push_back(
      {op["rows"]["dimension"], op["rows"]["members"].get<std::vector<std::string>>()});
  v.columns.push_back(
      {op["columns"]["dimension"], op["columns"]["members"].get<std::vector<std::string>>()});
  for (auto& [d, m] : op["context"].items()) v.context.emplace_back(d, m.get<std::string>());
  return v;
}

}  // namespace quantatom::bench
