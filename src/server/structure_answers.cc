#include "server/structure_answers.h"

namespace quantatom::server {

void CheckNewName(const std::string& field, const std::string& name) {
  if (name.empty() || name.size() > 256)
    throw ApiError(400, "INVALID_ARGUMENT", "'" + field + "': 1 to 256 bytes expected");
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7f)
      throw ApiError(400, "INVALID_ARGUMENT", "'" + field + "': holds a control character");
}

bool BoolQuery(const HttpRequest& req, const std::string& name, bool fallback) {
  auto it = req.query.find(name);
  if (it == req.query.end()) return fallback;
  if (it->second == "true") return true;
  if (it->second == "false") return false;
  throw ApiError(400, "INVALID_ARGUMENT", "query parameter '" + name + "': true or false");
}

json AtomsJson(const StructureReport& report) {
  json cubes = json::array();
  for (const auto& [cube, atoms] : report.atoms_by_cube)
    cubes.push_back({{"cube", cube}, {"atoms", atoms}});
  return {{"atoms", report.atoms}, {"cubes", cubes}};
}

CommitResult StructureResultOrThrow(Result<CommitResult> result, const StructureReport& report,
                                    const std::vector<GrantOnMember>& grants,
                                    const char* conflict_code) {
  if (result.ok()) return *result;
  const Status& s = result.status();
  if (s.code() != StatusCode::kConflict) throw ErrorOf(s);
  if (!grants.empty()) {
    json listed = json::array();
    for (const GrantOnMember& g : grants)
      listed.push_back({{"role", g.role}, {"cube", g.cube}, {"member", g.member}});
    throw ApiError(409, "HAS_GRANTS", s.message(), {{"grants", listed}});
  }
  if (report.atoms > 0) throw ApiError(409, "HAS_DATA", s.message(), AtomsJson(report));
  throw ApiError(409, conflict_code, s.message());
}

}  // namespace quantatom::server
