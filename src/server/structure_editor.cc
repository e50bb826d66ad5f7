#include "server/structure_editor.h"

#include <algorithm>

namespace quantatom::server {
namespace {

using security::CubeGrant;
using security::MemberGrant;
using security::Role;

bool Same(std::string_view a, std::string_view b) { return FoldCase(a) == FoldCase(b); }

CubeGrant* FindGrant(std::vector<Role>& roles, const std::string& role, const std::string& cube) {
  for (Role& r : roles)
    if (Same(r.name, role))
      for (CubeGrant& c : r.cubes)
        if (Same(c.cube, cube)) return &c;
  return nullptr;
}

// Adds, for each of `grants`, a copy naming `name` instead.
Status AddCopies(Auth& auth, const std::string& dimension,
                 const std::vector<std::pair<GrantOnMember, security::Access>>& grants,
                 const std::string& name) {
  return auth.EditRoles([&](std::vector<Role>& roles) {
    for (const auto& [g, access] : grants)
      if (CubeGrant* c = FindGrant(roles, g.role, g.cube))
        c->members.push_back({dimension, name, access});
    return Status::Ok();
  });
}

// Removes, for each of `grants`, one grant on `dimension` naming `member_of(g)`.
template <typename MemberOf>
Status RemoveOnce(Auth& auth, const std::string& dimension,
                  const std::vector<std::pair<GrantOnMember, security::Access>>& grants,
                  MemberOf member_of) {
  return auth.EditRoles([&](std::vector<Role>& roles) {
    for (const auto& grant : grants) {
      CubeGrant* c = FindGrant(roles, grant.first.role, grant.first.cube);
      if (!c) continue;
      const std::string member = member_of(grant.first);
      auto it = std::find_if(c->members.begin(), c->members.end(), [&](const MemberGrant& m) {
        return Same(m.dimension, dimension) && m.member == member && m.access == grant.second;
      });
      if (it != c->members.end()) c->members.erase(it);
    }
    return Status::Ok();
  });
}

std::string Listed(const std::vector<GrantOnMember>& grants) {
  std::string out;
  for (size_t i = 0; i < grants.size() && i < 10; ++i)
    out += (i ? ", " : "") + std::string("role '") + grants[i].role + "' on cube '" +
           grants[i].cube + "'";
  return grants.size() > 10 ? out + ", ..." : out;
}

Status DropCubeGrants(Auth& auth, const std::string& cube) {
  bool any = false;
  for (const Role& r : auth.Policy()->roles()) any = any || r.FindCube(cube);
  if (!any) return Status::Ok();
  return auth.EditRoles([&](std::vector<Role>& roles) {
    for (Role& r : roles)
      std::erase_if(r.cubes, [&](const CubeGrant& c) { return Same(c.cube, cube); });
    return Status::Ok();
  });
}

// The grants naming a member, with their access, for a rename.
std::vector<std::pair<GrantOnMember, security::Access>> WithAccess(
    const security::AccessPolicy& policy, const std::vector<GrantOnMember>& grants,
    const std::string& dimension) {
  std::vector<std::pair<GrantOnMember, security::Access>> out;
  for (const GrantOnMember& g : grants) {
    const Role* role = policy.FindRole(g.role);
    const CubeGrant* c = role ? role->FindCube(g.cube) : nullptr;
    if (!c) continue;
    for (const MemberGrant& m : c->members)
      if (Same(m.dimension, dimension) && m.member == g.member) out.push_back({g, m.access});
  }
  return out;
}

}  // namespace

std::vector<GrantOnMember> GrantsNaming(const Database& db, const security::AccessPolicy& policy,
                                        const Dimension& dim, MemberId member) {
  std::vector<GrantOnMember> out;
  for (const Role& role : policy.roles()) {
    for (const CubeGrant& c : role.cubes) {
      auto cube = db.FindCube(c.cube);
      if (!cube || !cube->DimensionIndex(dim.name())) continue;
      for (const MemberGrant& g : c.members)
        if (Same(g.dimension, dim.name()) && dim.Find(g.member) == member)
          out.push_back({role.name, cube->name(), g.member});
    }
  }
  return out;
}

Result<CommitResult> ChangeMember(Database& db, Auth& auth, const MemberChange& change,
                                  const CommitContext& ctx, StructureReport* report,
                                  std::vector<GrantOnMember>* in_the_way) {
  auto dim = db.FindDimension(change.dimension);
  auto member = dim ? dim->Find(change.member) : std::nullopt;
  if (!member ||
      (change.kind != MemberChange::Kind::kDelete && change.kind != MemberChange::Kind::kUpdate))
    return db.ChangeMember(change, ctx, report);
  auto policy = auth.Policy();
  std::vector<GrantOnMember> grants = GrantsNaming(db, *policy, *dim, *member);
  if (change.kind == MemberChange::Kind::kDelete) {
    if (grants.empty()) return db.ChangeMember(change, ctx, report);
    if (in_the_way) *in_the_way = grants;
    return Status(StatusCode::kConflict,
                  "member '" + dim->member_name(*member) + "' of dimension '" + dim->name() +
                      "' is named by " + std::to_string(grants.size()) + " grant" +
                      (grants.size() > 1 ? "s" : "") + " (" + Listed(grants) +
                      "); change them first (PUT /api/roles/{role}/cubes/{cube})");
  }
  // An update: grants that will not name the member after it are rewritten
  // to its new name, added before the commit and the old ones removed
  // after, so no moment leaves the member without its grants.
  const std::string name = change.new_name.value_or(dim->member_name(*member));
  std::erase_if(grants, [&](const GrantOnMember& g) { return Same(g.member, name); });
  const auto rewritten = WithAccess(*policy, grants, dim->name());
  if (rewritten.empty()) return db.ChangeMember(change, ctx, report);
  QA_RETURN_IF_ERROR(AddCopies(auth, dim->name(), rewritten, name));
  auto result = db.ChangeMember(change, ctx, report);
  // Cleaning up is best effort: the change's outcome is what is answered. A
  // grant left naming the old name names nothing (GET /api/roles lists it
  // under problems); one left naming the new name is the grant it should be.
  if (result.ok()) {
    (void)RemoveOnce(auth, dim->name(), rewritten, [](const GrantOnMember& g) { return g.member; });
  } else if (result.status().code() != StatusCode::kUnknownOutcome) {
    (void)RemoveOnce(auth, dim->name(), rewritten, [&](const GrantOnMember&) { return name; });
  }
  return result;
}

Result<CommitResult> CreateCube(Database& db, Auth& auth, const std::string& name,
                                const std::vector<std::string>& dimensions,
                                const CommitContext& ctx) {
  if (!db.FindCube(name)) QA_RETURN_IF_ERROR(DropCubeGrants(auth, name));
  return db.CreateCube(name, dimensions, ctx);
}

Result<CommitResult> DeleteCube(Database& db, Auth& auth, const std::string& name, bool delete_data,
                                const CommitContext& ctx, StructureReport* report) {
  auto cube = db.FindCube(name);
  QA_ASSIGN_OR_RETURN(CommitResult r, db.DeleteCube(name, delete_data, ctx, report));
  // Best effort: grants left on the name are dropped again when a cube of
  // that name is created, before it exists.
  (void)DropCubeGrants(auth, cube ? cube->name() : name);
  return r;
}

}  // namespace quantatom::server
