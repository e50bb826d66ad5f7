// Structure changes with the roles' grants kept right (docs/design/server.md,
// "Structure changes"). Grants name cubes and members (security.json, beside
// the log), so a change to what they name must carry them along:
//   - renaming a member, or taking away the alias a grant names it by,
//     rewrites those grants to the member's new name;
//   - deleting a member that a grant names is refused (409 HAS_GRANTS,
//     listing them): dropping the grant could open the member's children
//     to roles it closed, so the admin changes the grants first;
//   - deleting a cube drops every role's grants on it, and creating one
//     drops grants left on its name by a cube deleted before, so a new cube
//     never inherits an old one's access.
// The server and `quantatom member|cube` share these functions.
//
// REQUIRES: no other structure or grant change at the same time (the
// server holds ServerContext::structure_mu; the CLI holds the security
// store's lock, which a running server holds too).
#pragma once

#include <string>
#include <vector>

#include "quantatom/database.h"
#include "server/auth.h"

namespace quantatom::server {

struct GrantOnMember {
  std::string role, cube, member;  // member as the grant names it
};

// The grants of `policy` on cubes over `dim` that name `member` (by its
// name or an alias).
std::vector<GrantOnMember> GrantsNaming(const Database& db, const security::AccessPolicy& policy,
                                        const Dimension& dim, MemberId member);

// Database::ChangeMember with the rules above. A delete refused for grants
// is kConflict with `in_the_way` filled.
Result<CommitResult> ChangeMember(Database& db, Auth& auth, const MemberChange& change,
                                  const CommitContext& ctx, StructureReport* report,
                                  std::vector<GrantOnMember>* in_the_way);
Result<CommitResult> CreateCube(Database& db, Auth& auth, const std::string& name,
                                const std::vector<std::string>& dimensions,
                                const CommitContext& ctx);
Result<CommitResult> DeleteCube(Database& db, Auth& auth, const std::string& name, bool delete_data,
                                const CommitContext& ctx, StructureReport* report);

}  // namespace quantatom::server
