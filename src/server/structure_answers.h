// What the structure routes share: their parameters' checks and how their
// refusals read (409 HAS_DATA, HAS_GRANTS, IN_USE with details).
#pragma once

#include <string>
#include <vector>

#include "server/routes.h"
#include "server/structure_editor.h"

namespace quantatom::server {

// Names of new dimensions and cubes: 1 to 256 bytes, no control characters.
void CheckNewName(const std::string& field, const std::string& name);
// A query parameter true or false (absent: `fallback`); else 400.
bool BoolQuery(const HttpRequest& req, const std::string& name, bool fallback);
// {"atoms": N, "cubes": [{"cube", "atoms"}]}.
json AtomsJson(const StructureReport& report);
// Throws the refusal of a structure change: kConflict becomes 409 with
// `conflict_code` (IN_USE for a dimension a cube uses), HAS_DATA when
// atoms are in the way, HAS_GRANTS when grants name the member; any other
// error as ErrorOf gives it. Returns the result when it is OK.
CommitResult StructureResultOrThrow(Result<CommitResult> result, const StructureReport& report,
                                    const std::vector<GrantOnMember>& grants = {},
                                    const char* conflict_code = "CONFLICT");

}  // namespace quantatom::server
