// A dimension given as a JSON member list, turned into the dimension CSV of
// docs/formats.md (what the log keeps for every dimension):
//   [{"name": "East", "parents": [{"name": "World", "weight": 1}],
//     "aliases": ["E"], "attributes": {"Currency": "USD", "Headcount": 12}}]
// Members may come in any order; a member without parents is a root.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "quantatom/status.h"

namespace quantatom::server {

// kInvalidArgument naming members[i] and the field for a bad shape,
// kLimitExceeded past `members_max` members.
Result<std::string> MemberListCsv(const nlohmann::json& members, size_t members_max);

}  // namespace quantatom::server
