// The access computation against a brute-force reference on random small
// hierarchies with shared members, random grants and random roles: the
// reference walks every upward path and enumerates every leaf and cell,
// where the library uses one pass per dimension in level order.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <set>

#include "security/access.h"
#include "support/random_model.h"

namespace quantatom::security {
namespace {

Access RandomAccess(std::mt19937_64& rng) { return static_cast<Access>(rng() % 3); }

// Nearest granted member among m and its ancestors by breadth-first search
// over parent links; ties take the most restrictive.
Access ReferenceInherited(const Dimension& dim, const std::map<MemberId, Access>& grants,
                          Access fallback, MemberId m) {
  std::map<MemberId, int> distance{{m, 0}};
  std::deque<MemberId> queue{m};
  while (!queue.empty()) {
    MemberId at = queue.front();
    queue.pop_front();
    for (const WeightedLink& p : dim.parents(at))
      if (distance.emplace(p.member, distance[at] + 1).second) queue.push_back(p.member);
  }
  std::optional<int> best;
  Access access = fallback;
  for (const auto& [member, d] : distance) {
    auto g = grants.find(member);
    if (g == grants.end()) continue;
    if (!best || d < *best) {
      best = d;
      access = g->second;
    } else if (d == *best) {
      access = std::min(access, g->second);
    }
  }
  return access;
}

void CollectLeaves(const Dimension& dim, MemberId m, std::set<MemberId>& out) {
  if (dim.is_leaf(m)) out.insert(m);
  for (const WeightedLink& c : dim.children(m)) CollectLeaves(dim, c.member, out);
}

Access ReferenceCapped(const Dimension& dim, const std::map<MemberId, Access>& grants,
                       Access fallback, MemberId m) {
  Access access = ReferenceInherited(dim, grants, fallback, m);
  std::set<MemberId> leaves;
  CollectLeaves(dim, m, leaves);
  for (MemberId l : leaves) access = std::min(access, ReferenceInherited(dim, grants, fallback, l));
  return access;
}

std::map<MemberId, Access> RandomGrants(std::mt19937_64& rng, const Dimension& dim) {
  std::map<MemberId, Access> grants;
  for (MemberId m = 0; m < dim.size(); ++m)
    if (rng() % 3 == 0) grants[m] = RandomAccess(rng);
  return grants;
}

TEST(SecurityAccessProperty, DimensionAccessMatchesTheReference) {
  std::mt19937_64 rng(20240611);
  for (int round = 0; round < 400; ++round) {
    auto dim = testing::RandomDimension(rng, "D", 14);
    ASSERT_NE(dim, nullptr);
    auto grants = RandomGrants(rng, *dim);
    Access fallback = RandomAccess(rng);
    DimensionAccess got = ComputeDimensionAccess(*dim, grants, fallback);
    for (MemberId m = 0; m < dim->size(); ++m) {
      ASSERT_EQ(got.inherited[m], ReferenceInherited(*dim, grants, fallback, m))
          << "round " << round << " member " << dim->member_name(m);
      ASSERT_EQ(got.capped[m], ReferenceCapped(*dim, grants, fallback, m))
          << "round " << round << " member " << dim->member_name(m);
    }
  }
}

struct RandomCase {
  std::shared_ptr<Cube> cube;
  std::vector<Role> roles;
};

RandomCase MakeCase(std::mt19937_64& rng) {
  RandomCase c;
  std::vector<std::shared_ptr<const Dimension>> dims;
  size_t ndims = 1 + rng() % 3;
  for (size_t d = 0; d < ndims; ++d)
    dims.push_back(testing::RandomDimension(rng, "D" + std::to_string(d), 7));
  c.cube = *Cube::Create("C", dims);
  size_t nroles = 1 + rng() % 3;
  for (size_t r = 0; r < nroles; ++r) {
    Role role{"r" + std::to_string(r), {}};
    if (rng() % 5 == 0) role.cubes.push_back({"Other", Access::kWrite, {}});
    if (rng() % 6 != 0) {
      CubeGrant grant{"c", RandomAccess(rng), {}};  // names the cube in another case
      for (const auto& dim : dims)
        for (const auto& [m, a] : RandomGrants(rng, *dim))
          grant.members.push_back({dim->name(), dim->member_name(m), a});
      role.cubes.push_back(std::move(grant));
    }
    c.roles.push_back(std::move(role));
  }
  return c;
}

// The reference access of a cell: the best role, each the minimum over
// dimensions of the capped access.
Access ReferenceCell(const RandomCase& c, const Coordinate& cell) {
  Access best = Access::kNone;
  for (const Role& role : c.roles) {
    const CubeGrant* grant = role.FindCube("C");
    if (!grant) continue;
    Access a = Access::kWrite;
    for (size_t d = 0; d < cell.size(); ++d) {
      const Dimension& dim = *c.cube->dimensions()[d];
      std::map<MemberId, Access> grants;
      for (const MemberGrant& g : grant->members)
        if (g.dimension == dim.name()) grants[*dim.Find(g.member)] = g.access;
      a = std::min(a, ReferenceCapped(dim, grants, grant->default_access, cell[d]));
    }
    best = std::max(best, a);
  }
  return best;
}

// Every cell of the cube, leaf or consolidated.
std::vector<Coordinate> AllCells(const Cube& cube) {
  std::vector<Coordinate> cells{{}};
  for (const auto& dim : cube.dimensions()) {
    std::vector<Coordinate> next;
    for (const Coordinate& c : cells)
      for (MemberId m = 0; m < dim->size(); ++m) {
        next.push_back(c);
        next.back().push_back(m);
      }
    cells = std::move(next);
  }
  return cells;
}

// Leaf cells beneath a cell.
std::vector<Coordinate> LeafCells(const Cube& cube, const Coordinate& cell) {
  std::vector<Coordinate> out{{}};
  for (size_t d = 0; d < cell.size(); ++d) {
    std::set<MemberId> leaves;
    CollectLeaves(*cube.dimensions()[d], cell[d], leaves);
    std::vector<Coordinate> next;
    for (const Coordinate& c : out)
      for (MemberId l : leaves) {
        next.push_back(c);
        next.back().push_back(l);
      }
    out = std::move(next);
  }
  return out;
}

TEST(SecurityAccessProperty, CellAccessMatchesTheReferenceAndHidesNoLeafUnderAReadableTotal) {
  std::mt19937_64 rng(77);
  for (int round = 0; round < 150; ++round) {
    RandomCase c = MakeCase(rng);
    std::vector<std::string> names;
    for (const Role& r : c.roles) names.push_back(r.name);
    AccessPolicy policy(c.roles);
    auto access = policy.ForCube(names, false, *c.cube);
    bool any_readable = false, all_readable = true;
    for (const Coordinate& cell : AllCells(*c.cube)) {
      Access got = access->Cell(cell);
      ASSERT_EQ(got, ReferenceCell(c, cell)) << "round " << round;
      any_readable = any_readable || got >= Access::kRead;
      all_readable = all_readable && got >= Access::kRead;
      if (got < Access::kRead) continue;
      // No inference: whatever a readable cell sums is readable itself.
      for (const Coordinate& leaf : LeafCells(*c.cube, cell))
        ASSERT_GE(access->Cell(leaf), Access::kRead) << "round " << round;
    }
    EXPECT_EQ(access->AnyReadable(), any_readable) << "round " << round;
    if (access->AllReadable()) {
      EXPECT_TRUE(all_readable) << "round " << round;
    }
    // A member is visible when some role naming the cube grants it READ
    // before the leaf cap.
    for (size_t d = 0; d < c.cube->dimensions().size(); ++d) {
      const Dimension& dim = *c.cube->dimensions()[d];
      for (MemberId m = 0; m < dim.size(); ++m) {
        bool expected = false;
        for (const Role& role : c.roles) {
          const CubeGrant* grant = role.FindCube("C");
          if (!grant) continue;
          std::map<MemberId, Access> grants;
          for (const MemberGrant& g : grant->members)
            if (g.dimension == dim.name()) grants[*dim.Find(g.member)] = g.access;
          expected = expected ||
                     ReferenceInherited(dim, grants, grant->default_access, m) >= Access::kRead;
        }
        ASSERT_EQ(access->MemberVisible(d, m), expected) << "round " << round;
      }
    }
  }
}

}  // namespace
}  // namespace quantatom::security
