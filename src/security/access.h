// Who may read or write which cells of a cube: roles, grants on members,
// and the access they give one principal on one cube (docs/design/server.md,
// "Roles and grants").
//
// A role gives, per cube it names, a cube default and grants of READ, WRITE
// or NONE on members of the cube's dimensions. In one role:
//   - a member's access is that of its nearest granted member among itself
//     and its ancestors (nearest on any path, counted in links; ties between
//     paths take the most restrictive grant), else the cube default;
//   - a consolidated member's access is capped by the lowest access among
//     its descendant leaves, so a readable total never sums a leaf the role
//     cannot read;
//   - a cell's access is the minimum over its dimensions;
//   - a deleted member (a tombstone kept for the log's history) has NONE.
// A principal with several roles gets, per cell, the highest access any of
// its roles gives the cell. A role that does not name a cube gives nothing
// on it; an admin has WRITE on every cell.
//
// Everything here is pure computation over immutable inputs: CubeAccess and
// AccessPolicy may be shared by any number of threads.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "quantatom/cube.h"
#include "quantatom/status.h"

namespace quantatom::security {

// Ordered: kNone < kRead < kWrite, so min and max combine accesses.
enum class Access : uint8_t { kNone = 0, kRead = 1, kWrite = 2 };
const char* AccessName(Access access);  // "NONE", "READ", "WRITE"
// Case-insensitive; nullopt for anything else.
std::optional<Access> ParseAccess(std::string_view text);

struct MemberGrant {
  std::string dimension, member;  // names as given; members by name or alias
  Access access = Access::kNone;
};

struct CubeGrant {
  std::string cube;
  Access default_access = Access::kNone;  // members without a granted ancestor
  std::vector<MemberGrant> members;
};

struct Role {
  std::string name;
  std::vector<CubeGrant> cubes;  // at most one per cube

  const CubeGrant* FindCube(std::string_view cube) const;
};

// Checks grants against a cube: kNotFound naming "grants[i]" for an unknown
// dimension or member, kInvalidArgument for a dimension granted twice on one
// member. REQUIRES: grant.cube names `cube`.
Status ValidateCubeGrant(const CubeGrant& grant, const Cube& cube);

// A grant that refers to something the model no longer has (ignored when
// computing access, listed so an admin can fix it).
struct GrantProblem {
  std::string role, cube, message;
};

// The access of one principal on one cube.
class CubeAccess {
 public:
  // WRITE on every cell.
  static std::shared_ptr<const CubeAccess> Unrestricted(const Cube& cube);
  // From the principal's roles (those naming this cube count).
  static std::shared_ptr<const CubeAccess> FromRoles(std::span<const Role* const> roles,
                                                     const Cube& cube);

  bool unrestricted() const { return unrestricted_; }
  // The access of a cell, leaf or consolidated: a few array lookups per
  // role naming the cube. REQUIRES: coordinate.size() == dimensions.
  Access Cell(std::span<const MemberId> coordinate) const;
  // Whether a member of cube dimension `dim` is shown in headers and member
  // lists: some role grants it at least READ before the leaf cap, so a
  // total over a hidden leaf is listed, masked.
  bool MemberVisible(size_t dim, MemberId member) const {
    return unrestricted_ || (member < visible_[dim].size() && visible_[dim][member]);
  }
  // Some cell is readable: the cube is listed at all.
  bool AnyReadable() const { return any_readable_; }
  // Every cell is readable: totals such as the atom count reveal nothing.
  bool AllReadable() const { return all_readable_; }
  // Some leaf cell is writable.
  bool AnyWritable() const { return any_writable_; }
  // Every cell is writable (in one role).
  bool AllWritable() const { return all_writable_; }
  // The dimensions this was computed for; a cube whose dimensions differ is
  // another model and needs a new CubeAccess.
  bool ComputedFor(const Cube& cube) const;

 private:
  CubeAccess() = default;
  // Per role naming the cube, per dimension, per member: the capped access.
  using RoleArrays = std::vector<std::vector<Access>>;

  bool unrestricted_ = false;
  bool any_readable_ = false, all_readable_ = false, any_writable_ = false, all_writable_ = false;
  std::vector<const Dimension*> dims_;
  std::vector<std::shared_ptr<const Dimension>> dims_held_;  // keeps dims_ alive
  std::vector<RoleArrays> roles_;
  std::vector<std::vector<bool>> visible_;  // per dimension, per member
};

// Per dimension: the access of each member before and after the leaf cap.
// Exposed for CubeAccess and the property test.
struct DimensionAccess {
  std::vector<Access> inherited;  // nearest grant, else the default
  std::vector<Access> capped;     // min(inherited, lowest over descendant leaves)
};
// `grants`: member -> access on this dimension (one role).
DimensionAccess ComputeDimensionAccess(const Dimension& dim,
                                       const std::map<MemberId, Access>& grants,
                                       Access default_access);

// The roles of a security store and a cache of CubeAccess per (role set,
// cube). Immutable roles: a change to roles builds a new policy, which is
// what invalidates the cache.
class AccessPolicy {
 public:
  explicit AccessPolicy(std::vector<Role> roles, size_t cache_entries_max = 4096);

  const std::vector<Role>& roles() const { return roles_; }
  const Role* FindRole(std::string_view name) const;

  // The access of a principal holding `role_names` (unknown names ignored);
  // admins are Unrestricted. Thread-safe.
  std::shared_ptr<const CubeAccess> ForCube(std::span<const std::string> role_names, bool admin,
                                            const Cube& cube) const;

  // Grants on cubes, dimensions or members the model lacks.
  std::vector<GrantProblem> Problems(
      const std::function<std::shared_ptr<Cube>(std::string_view)>& find_cube) const;

 private:
  std::vector<Role> roles_;
  size_t cache_entries_max_;
  mutable std::mutex mu_;  // guards cache_
  mutable std::map<std::string, std::shared_ptr<const CubeAccess>> cache_;
};

// Indices of the deltas of `deltas` (atoms of `cube`) whose cell `access`
// lets the principal read: what a change feed or a push may show.
std::vector<size_t> ReadableDeltas(const CubeAccess& access, const AtomDeltas& deltas);

}  // namespace quantatom::security
