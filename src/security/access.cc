#include "security/access.h"

#include <algorithm>
#include <numeric>
#include <set>

namespace quantatom::security {
namespace {

Access Min(Access a, Access b) { return a < b ? a : b; }
Access Max(Access a, Access b) { return a < b ? b : a; }

// Members ordered by TM1 level: a parent's level exceeds each child's, so
// ascending order puts children first and descending order parents first.
std::vector<MemberId> ByLevel(const Dimension& dim) {
  std::vector<MemberId> order(dim.size());
  std::iota(order.begin(), order.end(), MemberId{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](MemberId a, MemberId b) { return dim.level(a) < dim.level(b); });
  return order;
}

// One role's grants on one cube, resolved to members per dimension.
std::vector<std::map<MemberId, Access>> ResolveGrants(const CubeGrant& grant, const Cube& cube) {
  std::vector<std::map<MemberId, Access>> out(cube.dimensions().size());
  for (const MemberGrant& g : grant.members) {
    auto d = cube.DimensionIndex(g.dimension);
    if (!d) continue;
    auto m = cube.dimensions()[*d]->Find(g.member);
    if (!m) continue;
    auto [it, fresh] = out[*d].emplace(*m, g.access);
    if (!fresh) it->second = Min(it->second, g.access);
  }
  return out;
}

}  // namespace

const char* AccessName(Access access) {
  switch (access) {
    case Access::kNone:
      return "NONE";
    case Access::kRead:
      return "READ";
    case Access::kWrite:
      return "WRITE";
  }
  return "NONE";
}

std::optional<Access> ParseAccess(std::string_view text) {
  std::string folded = FoldCase(text);
  if (folded == "none") return Access::kNone;
  if (folded == "read") return Access::kRead;
  if (folded == "write") return Access::kWrite;
  return std::nullopt;
}

const CubeGrant* Role::FindCube(std::string_view cube) const {
  for (const CubeGrant& c : cubes)
    if (FoldCase(c.cube) == FoldCase(cube)) return &c;
  return nullptr;
}

Status ValidateCubeGrant(const CubeGrant& grant, const Cube& cube) {
  std::set<std::pair<size_t, MemberId>> seen;
  for (size_t i = 0; i < grant.members.size(); ++i) {
    const MemberGrant& g = grant.members[i];
    const std::string where = "grants[" + std::to_string(i) + "]: ";
    auto d = cube.DimensionIndex(g.dimension);
    if (!d)
      return Status::NotFound(where + "cube '" + cube.name() + "' has no dimension '" +
                              g.dimension + "'");
    const Dimension& dim = *cube.dimensions()[*d];
    auto m = dim.Find(g.member);
    if (!m)
      return Status::NotFound(where + "unknown member '" + g.member + "' of dimension '" +
                              dim.name() + "'");
    if (!seen.emplace(*d, *m).second)
      return Status::Invalid(where + "member '" + dim.member_name(*m) + "' of dimension '" +
                             dim.name() + "' is granted twice");
  }
  return Status::Ok();
}

DimensionAccess ComputeDimensionAccess(const Dimension& dim,
                                       const std::map<MemberId, Access>& grants,
                                       Access default_access) {
  const size_t n = dim.size();
  const std::vector<MemberId> order = ByLevel(dim);
  // Nearest granted member among each member and its ancestors: distance in
  // links and its access, the most restrictive among equally near ones.
  constexpr int kNoGrant = -1;
  std::vector<int> distance(n, kNoGrant);
  std::vector<Access> nearest(n, default_access);
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    MemberId m = *it;
    if (dim.deleted(m)) {
      nearest[m] = Access::kNone;  // the log's older deltas at it stay hidden
      continue;
    }
    if (auto g = grants.find(m); g != grants.end()) {
      distance[m] = 0;
      nearest[m] = g->second;
      continue;
    }
    for (const WeightedLink& p : dim.parents(m)) {
      if (distance[p.member] == kNoGrant) continue;
      int through = distance[p.member] + 1;
      if (distance[m] == kNoGrant || through < distance[m]) {
        distance[m] = through;
        nearest[m] = nearest[p.member];
      } else if (through == distance[m]) {
        nearest[m] = Min(nearest[m], nearest[p.member]);
      }
    }
  }
  DimensionAccess out{nearest, std::vector<Access>(n)};
  // Lowest access among each member's descendant leaves, children first.
  std::vector<Access> leaves_min(n, Access::kWrite);
  for (MemberId m : order) {
    if (dim.is_leaf(m) || dim.deleted(m)) {
      leaves_min[m] = nearest[m];
    } else {
      for (const WeightedLink& c : dim.children(m))
        leaves_min[m] = Min(leaves_min[m], leaves_min[c.member]);
    }
    out.capped[m] = Min(nearest[m], leaves_min[m]);
  }
  return out;
}

std::shared_ptr<const CubeAccess> CubeAccess::Unrestricted(const Cube& cube) {
  std::shared_ptr<CubeAccess> a(new CubeAccess());
  a->unrestricted_ = a->any_readable_ = a->all_readable_ = a->any_writable_ = a->all_writable_ =
      true;
  for (const auto& d : cube.dimensions()) a->dims_.push_back(d.get());
  a->dims_held_ = cube.dimensions();
  return a;
}

std::shared_ptr<const CubeAccess> CubeAccess::FromRoles(std::span<const Role* const> roles,
                                                        const Cube& cube) {
  std::shared_ptr<CubeAccess> a(new CubeAccess());
  const auto& dims = cube.dimensions();
  for (const auto& d : dims) {
    a->dims_.push_back(d.get());
    a->visible_.emplace_back(d->size(), false);
  }
  a->dims_held_ = dims;
  for (const Role* role : roles) {
    const CubeGrant* grant = role->FindCube(cube.name());
    if (!grant) continue;
    auto resolved = ResolveGrants(*grant, cube);
    RoleArrays arrays;
    bool every_dim_some = true, every_dim_all = true, every_dim_writes = true,
         every_dim_all_write = true;
    for (size_t d = 0; d < dims.size(); ++d) {
      DimensionAccess da = ComputeDimensionAccess(*dims[d], resolved[d], grant->default_access);
      bool some = false, all = true, writes = false, all_write = true;
      for (MemberId m = 0; m < dims[d]->size(); ++m) {
        if (dims[d]->deleted(m)) continue;
        if (da.inherited[m] >= Access::kRead) a->visible_[d][m] = true;
        some = some || da.capped[m] >= Access::kRead;
        all = all && da.capped[m] >= Access::kRead;
        writes = writes || (dims[d]->is_leaf(m) && da.capped[m] == Access::kWrite);
        all_write = all_write && da.capped[m] == Access::kWrite;
      }
      every_dim_all_write = every_dim_all_write && all_write;
      every_dim_some = every_dim_some && some;
      every_dim_all = every_dim_all && all;
      every_dim_writes = every_dim_writes && writes;
      arrays.push_back(std::move(da.capped));
    }
    a->any_readable_ = a->any_readable_ || every_dim_some;
    a->all_readable_ = a->all_readable_ || every_dim_all;
    a->any_writable_ = a->any_writable_ || every_dim_writes;
    a->all_writable_ = a->all_writable_ || every_dim_all_write;
    a->roles_.push_back(std::move(arrays));
  }
  return a;
}

Access CubeAccess::Cell(std::span<const MemberId> coordinate) const {
  if (unrestricted_) return Access::kWrite;
  Access best = Access::kNone;
  for (const RoleArrays& role : roles_) {
    Access cell = Access::kWrite;
    for (size_t d = 0; d < role.size() && cell > best; ++d)
      cell = Min(cell, role[d][coordinate[d]]);
    best = Max(best, cell);
    if (best == Access::kWrite) break;
  }
  return best;
}

bool CubeAccess::ComputedFor(const Cube& cube) const {
  const auto& dims = cube.dimensions();
  if (dims.size() != dims_.size()) return false;
  for (size_t d = 0; d < dims.size(); ++d)
    if (dims[d].get() != dims_[d]) return false;
  return true;
}

AccessPolicy::AccessPolicy(std::vector<Role> roles, size_t cache_entries_max)
    : roles_(std::move(roles)), cache_entries_max_(cache_entries_max) {}

const Role* AccessPolicy::FindRole(std::string_view name) const {
  for (const Role& r : roles_)
    if (FoldCase(r.name) == FoldCase(name)) return &r;
  return nullptr;
}

std::shared_ptr<const CubeAccess> AccessPolicy::ForCube(std::span<const std::string> role_names,
                                                        bool admin, const Cube& cube) const {
  if (admin) return CubeAccess::Unrestricted(cube);
  std::vector<const Role*> roles;
  for (const std::string& name : role_names)
    if (const Role* r = FindRole(name)) roles.push_back(r);
  std::sort(roles.begin(), roles.end());
  roles.erase(std::unique(roles.begin(), roles.end()), roles.end());
  // Role names hold no newline (they are validated names), so the key is
  // unambiguous.
  std::string key = FoldCase(cube.name());
  for (const Role* r : roles) key += "\n" + FoldCase(r->name);
  {
    std::lock_guard lock(mu_);
    if (auto it = cache_.find(key); it != cache_.end() && it->second->ComputedFor(cube))
      return it->second;
  }
  auto access = CubeAccess::FromRoles(roles, cube);
  std::lock_guard lock(mu_);
  if (cache_.size() >= cache_entries_max_) cache_.clear();
  cache_[key] = access;
  return access;
}

std::vector<GrantProblem> AccessPolicy::Problems(
    const std::function<std::shared_ptr<Cube>(std::string_view)>& find_cube) const {
  std::vector<GrantProblem> out;
  for (const Role& role : roles_) {
    for (const CubeGrant& grant : role.cubes) {
      auto cube = find_cube(grant.cube);
      if (!cube) {
        out.push_back({role.name, grant.cube, "unknown cube '" + grant.cube + "'"});
        continue;
      }
      for (const MemberGrant& g : grant.members) {
        auto d = cube->DimensionIndex(g.dimension);
        if (!d)
          out.push_back({role.name, grant.cube, "no dimension '" + g.dimension + "'"});
        else if (!cube->dimensions()[*d]->Find(g.member))
          out.push_back({role.name, grant.cube,
                         "unknown member '" + g.member + "' of dimension '" + g.dimension + "'"});
      }
    }
  }
  return out;
}

std::vector<size_t> ReadableDeltas(const CubeAccess& access, const AtomDeltas& deltas) {
  std::vector<size_t> out;
  for (size_t i = 0; i < deltas.size(); ++i)
    if (access.Cell(deltas.coordinate(i)) >= Access::kRead) out.push_back(i);
  return out;
}

}  // namespace quantatom::security
