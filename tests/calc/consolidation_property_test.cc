// Consolidation against a brute-force oracle on random small cubes: random
// hierarchies with shared members and negative weights, random sparsity,
// random writes interleaved with random views and single-cell reads.
#include <gtest/gtest.h>

#include "support/random_model.h"

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

std::vector<LeafOrdinal> RandomLeaves(std::mt19937_64& rng, const World& w) {
  std::vector<LeafOrdinal> leaves;
  for (auto& d : w.dims) leaves.push_back(static_cast<LeafOrdinal>(rng() % d->leaf_count()));
  return leaves;
}

Coordinate ToCoordinate(const World& w, const std::vector<LeafOrdinal>& leaves) {
  Coordinate c;
  for (size_t d = 0; d < w.dims.size(); ++d) c.push_back(w.dims[d]->leaf_member(leaves[d]));
  return c;
}

World MakeWorld(std::mt19937_64& rng) {
  World w;
  size_t ndims = 2 + rng() % 3;
  for (size_t d = 0; d < ndims; ++d)
    w.dims.push_back(testing::RandomDimension(rng, "D" + std::to_string(d), 12));
  CubeOptions options;
  options.partition_inner_bits_min = static_cast<int>(rng() % 6);  // exercise partition keys
  options.stage_slots_max = rng() % 3 == 0 ? 2 : size_t{1} << 22;  // and the direct path
  options.cache_delta_changes_max = rng() % 2 ? 1 : 4096;          // and cache drops
  w.cube = *Cube::Create("C", w.dims, options);
  // Random sparsity: a bulk load of random atoms, duplicates summed.
  Cube::BulkAtoms bulk;
  size_t rows = rng() % 60;
  for (size_t i = 0; i < rows; ++i) {
    auto leaves = RandomLeaves(rng, w);
    double v = static_cast<double>(static_cast<int>(rng() % 2001) - 1000) / 4;
    bulk.keys.push_back(w.cube->PackLeaves(leaves.data()));
    bulk.values.push_back(v);
    w.atoms[leaves] += v;
  }
  EXPECT_TRUE(w.cube->BulkLoad(std::move(bulk)).ok());
  return w;
}

void RandomWriteBatch(std::mt19937_64& rng, World& w) {
  WriteBatch batch;
  OracleAtoms after = w.atoms;
  size_t n = 1 + rng() % 4;
  for (size_t i = 0; i < n; ++i) {
    auto leaves = RandomLeaves(rng, w);
    if (rng() % 4 == 0) {
      batch.Clear(ToCoordinate(w, leaves));
      after.erase(leaves);
    } else {
      double v = static_cast<double>(static_cast<int>(rng() % 201) - 100);
      batch.Set(ToCoordinate(w, leaves), v);
      after[leaves] = v;
    }
  }
  ASSERT_TRUE(w.cube->Write(batch).ok());
  w.atoms = std::move(after);
}

std::vector<std::string> RandomSelection(std::mt19937_64& rng, const Dimension& dim) {
  std::vector<std::string> terms;
  size_t n = 1 + rng() % 4;
  for (size_t i = 0; i < n; ++i)
    terms.push_back(dim.member_name(static_cast<MemberId>(rng() % dim.size())));
  return terms;
}

ViewSpec RandomView(std::mt19937_64& rng, const World& w) {
  std::vector<size_t> order(w.dims.size());
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng);
  ViewSpec v;
  v.cube = "C";
  size_t row_dims = 1 + (order.size() > 2 && rng() % 2);
  for (size_t i = 0; i < order.size(); ++i) {
    const Dimension& dim = *w.dims[order[i]];
    if (i < row_dims) {
      v.rows.push_back({dim.name(), RandomSelection(rng, dim)});
    } else if (i == row_dims) {
      v.columns.push_back({dim.name(), RandomSelection(rng, dim)});
    } else {
      v.context.emplace_back(dim.name(),
                             dim.member_name(static_cast<MemberId>(rng() % dim.size())));
    }
  }
  return v;
}

void CheckView(const World& w, const ViewSpec& view, const Grid& grid) {
  ASSERT_EQ(grid.values.size(), grid.rows.size() * grid.columns.size());
  for (size_t r = 0; r < grid.rows.size(); ++r) {
    for (size_t c = 0; c < grid.columns.size(); ++c) {
      Coordinate cell(w.dims.size());
      for (auto& [d, m] : view.context)
        cell[*w.cube->DimensionIndex(d)] = *w.dims[*w.cube->DimensionIndex(d)]->Find(m);
      for (size_t k = 0; k < grid.rows[r].size(); ++k)
        cell[*w.cube->DimensionIndex(grid.row_dimensions[k])] = grid.rows[r][k].id;
      for (size_t k = 0; k < grid.columns[c].size(); ++k)
        cell[*w.cube->DimensionIndex(grid.column_dimensions[k])] = grid.columns[c][k].id;
      auto want = OracleCell(w.dims, w.atoms, cell);
      const auto& got = grid.at(r, c);
      ASSERT_EQ(got.has_value(), want.has_value()) << "row " << r << " col " << c;
      if (want) ASSERT_TRUE(NearlyEqual(*got, *want)) << *got << " vs " << *want;
    }
  }
}

void CheckRandomCell(std::mt19937_64& rng, const World& w) {
  Coordinate cell;
  for (auto& d : w.dims) cell.push_back(static_cast<MemberId>(rng() % d->size()));
  auto got = w.cube->ReadCell(cell);
  ASSERT_TRUE(got.ok());
  auto want = OracleCell(w.dims, w.atoms, cell);
  ASSERT_EQ(got->has_value(), want.has_value());
  if (want) ASSERT_TRUE(NearlyEqual(**got, *want));
}

TEST(ConsolidationProperty, RandomCubesMatchBruteForceUnderInterleavedWrites) {
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 rng(seed);
    World w = MakeWorld(rng);
    ASSERT_EQ(w.cube->Stats().atoms, w.atoms.size());
    for (int step = 0; step < 25; ++step) {
      switch (rng() % 3) {
        case 0:
          ASSERT_NO_FATAL_FAILURE(RandomWriteBatch(rng, w));
          break;
        case 1:
          ASSERT_NO_FATAL_FAILURE(CheckRandomCell(rng, w));
          break;
        default: {
          ViewSpec view = RandomView(rng, w);
          auto grid = w.cube->Query(view);
          ASSERT_TRUE(grid.ok()) << grid.status().ToString();
          ASSERT_NO_FATAL_FAILURE(CheckView(w, view, *grid));
        }
      }
    }
    ASSERT_EQ(w.cube->Stats().atoms, w.atoms.size());
  }
}

TEST(ConsolidationProperty, CachedCellsStayEqualToRecomputation) {
  for (uint64_t seed = 1; seed <= 100; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 rng(seed * 7919);
    World w = MakeWorld(rng);
    ViewSpec view = RandomView(rng, w);
    ASSERT_TRUE(w.cube->Query(view).ok());  // fills the cache
    for (int i = 0; i < 10; ++i) ASSERT_NO_FATAL_FAILURE(RandomWriteBatch(rng, w));
    auto cached = w.cube->Query(view);
    w.cube->ClearCache();
    auto fresh = w.cube->Query(view);
    ASSERT_TRUE(cached.ok() && fresh.ok());
    ASSERT_EQ(cached->values.size(), fresh->values.size());
    for (size_t i = 0; i < fresh->values.size(); ++i) {
      ASSERT_EQ(cached->values[i].has_value(), fresh->values[i].has_value());
      if (fresh->values[i]) ASSERT_TRUE(NearlyEqual(*cached->values[i], *fresh->values[i]));
    }
    ASSERT_NO_FATAL_FAILURE(CheckView(w, view, *cached));
  }
}

}  // namespace
}  // namespace quantatom

namespace quantatom {
namespace {

// A view read through an overlay of leaf cells (a sandbox) equals the view
// of the atoms with the overlay applied, by brute force.
TEST(ConsolidationProperty, ReadsThroughAnOverlayMatchBruteForce) {
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 rng(seed);
    World w = MakeWorld(rng);
    std::map<std::vector<LeafOrdinal>, std::optional<double>> overlay;
    const size_t n = rng() % 12;
    for (size_t i = 0; i < n; ++i) {
      auto leaves = RandomLeaves(rng, w);
      if (rng() % 3 == 0)
        overlay[leaves] = std::nullopt;
      else
        overlay[leaves] = static_cast<double>(static_cast<int>(rng() % 201) - 100) / 2;
    }
    World seen = w;
    std::vector<SandboxCell> cells;
    for (const auto& [leaves, value] : overlay) {
      cells.push_back({ToCoordinate(w, leaves), value});
      if (value)
        seen.atoms[leaves] = *value;
      else
        seen.atoms.erase(leaves);
    }
    for (int v = 0; v < 5; ++v) {
      ViewSpec view = RandomView(rng, w);
      auto grid = w.cube->QueryWith(view, cells);
      ASSERT_TRUE(grid.ok()) << grid.status().ToString();
      ASSERT_NO_FATAL_FAILURE(CheckView(seen, view, *grid));
    }
    // The cube itself is untouched.
    ASSERT_EQ(w.cube->Stats().atoms, w.atoms.size());
  }
}

}  // namespace
}  // namespace quantatom
