// Spreads against a brute-force oracle on random small cubes (random
// hierarchies with shared members and negative weights, random sparsity,
// random holds): after a spread the target reads the typed value, held cells
// read what they read before, and no atom outside the target moved; a
// proportional spread scales every atom beneath the target by one factor.
#include <gtest/gtest.h>

#include "support/random_model.h"
#include "writeback/spread_cell.h"
#include "writeback/spread_plan.h"

namespace quantatom {
namespace {

using testing::NearlyEqual;
using testing::OracleAtoms;
using testing::OracleCell;

struct World {
  std::vector<std::shared_ptr<const Dimension>> dims;
  std::shared_ptr<Cube> cube;
  OracleAtoms atoms;
};

World MakeWorld(std::mt19937_64& rng) {
  World w;
  const size_t ndims = 2 + rng() % 2;
  for (size_t d = 0; d < ndims; ++d)
    w.dims.push_back(testing::RandomDimension(rng, "D" + std::to_string(d), 8));
  CubeOptions options;
  options.partition_inner_bits_min = static_cast<int>(rng() % 4);  // exercise pruning
  w.cube = *Cube::Create("C", w.dims, options);
  Cube::BulkAtoms bulk;
  const size_t rows = rng() % 40;
  for (size_t i = 0; i < rows; ++i) {
    std::vector<LeafOrdinal> leaves;
    for (auto& d : w.dims) leaves.push_back(static_cast<LeafOrdinal>(rng() % d->leaf_count()));
    const double v = static_cast<double>(static_cast<int>(rng() % 401) - 100);
    if (w.atoms.count(leaves)) continue;
    bulk.keys.push_back(w.cube->PackLeaves(leaves.data()));
    bulk.values.push_back(v);
    w.atoms[leaves] = v;
  }
  EXPECT_TRUE(w.cube->BulkLoad(std::move(bulk)).ok());
  return w;
}

Coordinate RandomCell(std::mt19937_64& rng, const World& w) {
  Coordinate c;
  for (auto& d : w.dims) c.push_back(static_cast<MemberId>(rng() % d->size()));
  return c;
}

// Whether `leaves` lies beneath `cell` (some path in every dimension).
bool Beneath(const World& w, const std::vector<LeafOrdinal>& leaves, const Coordinate& cell) {
  for (size_t d = 0; d < w.dims.size(); ++d)
    if (!testing::PathWeight(*w.dims[d], cell[d], w.dims[d]->leaf_member(leaves[d]))) return false;
  return true;
}

OracleAtoms Applied(const World& w, const std::vector<LeafChange>& changes) {
  OracleAtoms after = w.atoms;
  std::vector<LeafOrdinal> leaves(w.dims.size());
  for (const LeafChange& c : changes) {
    w.cube->UnpackKey(c.key, leaves.data());
    EXPECT_EQ(c.old_value,
              w.atoms.count(leaves) ? std::optional(w.atoms.at(leaves)) : std::optional<double>());
    if (c.new_value)
      after[leaves] = *c.new_value;
    else
      after.erase(leaves);
  }
  return after;
}

SpreadSpec RandomSpec(std::mt19937_64& rng) {
  static const SpreadMethod kMethods[] = {
      SpreadMethod::kProportional,  SpreadMethod::kEqual,        SpreadMethod::kRepeat,
      SpreadMethod::kPercentChange, SpreadMethod::kEqualLeaves,  SpreadMethod::kRepeatLeaves,
      SpreadMethod::kClear,         SpreadMethod::kStraightLine, SpreadMethod::kGrowth};
  SpreadSpec s;
  s.method = kMethods[rng() % std::size(kMethods)];
  s.value = static_cast<double>(static_cast<int>(rng() % 2001) - 1000) / 4;
  s.value2 = static_cast<double>(rng() % 50);
  if (s.method != SpreadMethod::kClear) s.action = static_cast<SpreadAction>(rng() % 3);
  s.all_leaves = rng() % 2;
  return s;
}

// The value the target must read after a spread onto it alone, when the
// method types one.
std::optional<double> TypedValue(const SpreadSpec& s, double before) {
  const double sign = s.action == SpreadAction::kSubtract ? -1 : 1;
  const bool replace = s.action == SpreadAction::kReplace;
  switch (s.method) {
    case SpreadMethod::kProportional:
    case SpreadMethod::kEqual:
    case SpreadMethod::kRepeat:
    case SpreadMethod::kEqualLeaves:
      return replace ? s.value : before + sign * s.value;
    case SpreadMethod::kPercentChange:
      return replace ? before * s.value / 100 : before + sign * before * s.value / 100;
    case SpreadMethod::kStraightLine:
    case SpreadMethod::kGrowth:
      return replace ? s.value : before + sign * s.value;
    default:
      return std::nullopt;
  }
}

TEST(SpreadProperty, MatchesTheOracleOnRandomCubes) {
  std::mt19937_64 rng(20261206);
  int applied = 0, refused = 0;
  for (int round = 0; round < 600; ++round) {
    World w = MakeWorld(rng);
    SpreadRequest r;
    r.cells = {RandomCell(rng, w)};
    r.spec = RandomSpec(rng);
    const size_t holds = rng() % 3;
    for (size_t h = 0; h < holds; ++h) r.holds.push_back(RandomCell(rng, w));
    auto changes = PlanSpread(*w.cube, nullptr, r, {}, {});
    if (!changes.ok()) {
      ++refused;
      EXPECT_NE(changes.status().code(), StatusCode::kInvalidArgument)
          << changes.status().ToString();
      continue;
    }
    ++applied;
    const Coordinate& target = r.cells[0];
    OracleAtoms after = Applied(w, *changes);
    // Nothing outside the target and nothing held moved.
    for (const auto& [leaves, v] : w.atoms) {
      const bool moved = after.count(leaves) == 0 || after.at(leaves) != v;
      if (moved) {
        EXPECT_TRUE(Beneath(w, leaves, target)) << "round " << round;
      }
    }
    for (const auto& [leaves, v] : after) {
      if (!w.atoms.count(leaves)) {
        EXPECT_TRUE(Beneath(w, leaves, target)) << "round " << round;
      }
    }
    for (const Coordinate& h : r.holds)
      EXPECT_EQ(OracleCell(w.dims, w.atoms, h), OracleCell(w.dims, after, h))
          << "held cell moved, round " << round;
    // The target reads the typed value, unless a hold covers all of it.
    const double before = OracleCell(w.dims, w.atoms, target).value_or(0);
    const bool held_whole = HoldSet(*w.cube, r.holds).Frozen(target);
    auto typed = TypedValue(r.spec, before);
    if (typed && !held_whole) {
      auto now = OracleCell(w.dims, after, target);
      EXPECT_TRUE(NearlyEqual(now.value_or(0), *typed))
          << "round " << round << ": reads " << now.value_or(0) << ", typed " << *typed;
    }
    // Proportional without holds: one factor for every atom beneath.
    if (r.spec.method == SpreadMethod::kProportional && r.holds.empty() && before != 0 && typed) {
      const double factor = *typed / before;
      for (const auto& [leaves, v] : w.atoms) {
        if (Beneath(w, leaves, target) && after.count(leaves)) {
          EXPECT_TRUE(NearlyEqual(after.at(leaves), v * factor)) << "round " << round;
        }
      }
    }
  }
  EXPECT_GT(applied, 300);
  EXPECT_GT(refused, 0);  // all-held targets are refused, not faked
}

}  // namespace
}  // namespace quantatom
