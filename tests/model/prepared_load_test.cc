// A prepared load: its deltas (made from partitions, a chunk at a time)
// against a brute-force fold of the rows, through the log's encoder and
// back, and the atoms it leaves in the cube.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "log/delta_columns.h"
#include "quantatom/cube.h"
#include "support/random_model.h"

namespace quantatom {
namespace {

using Leaves = std::vector<LeafOrdinal>;
struct ExpectedDelta {
  Leaves leaves;
  std::optional<double> old_value;
  double new_value = 0;
};
using Expected = std::map<uint64_t, ExpectedDelta>;  // in key order, as the deltas come

void ExpectDeltas(const Cube& cube, const AtomDeltas& d, const Expected& expected) {
  ASSERT_EQ(d.size(), expected.size());
  size_t i = 0;
  for (const auto& [key, e] : expected) {
    for (size_t k = 0; k < e.leaves.size(); ++k)
      ASSERT_EQ(d.coordinate(i)[k], cube.dimensions()[k]->leaf_member(e.leaves[k]))
          << "delta " << i << " dimension " << k;
    ASSERT_EQ(d.old_value(i), e.old_value) << "delta " << i;
    ASSERT_EQ(d.new_value(i), std::optional<double>(e.new_value)) << "delta " << i;
    ++i;
  }
}

std::map<Leaves, double> AtomsOf(const Cube& cube) {
  std::map<Leaves, double> atoms;
  cube.ForEachAtom(
      [&](const AtomRef& a) { atoms[Leaves(a.leaves.begin(), a.leaves.end())] = a.value; });
  return atoms;
}

TEST(PreparedLoadTest, DeltasAndAtomsMatchABruteForceFold) {
  std::mt19937_64 rng(20261125);
  for (int round = 0; round < 40; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    std::vector<std::shared_ptr<const Dimension>> dims;
    const int dim_count = 1 + round % 4;
    for (int k = 0; k < dim_count; ++k)
      dims.push_back(testing::RandomDimension(rng, "D" + std::to_string(k), 40));
    auto cube_or = Cube::Create("C", dims);
    ASSERT_TRUE(cube_or.ok());
    Cube& cube = **cube_or;
    auto random_rows = [&](size_t n, std::map<Leaves, double>& folded) {
      Cube::BulkAtoms rows;
      for (size_t i = 0; i < n; ++i) {
        Leaves leaves;
        for (const auto& d : dims) leaves.push_back(rng() % d->leaf_count());
        const double v = static_cast<double>(static_cast<int64_t>(rng() % 2001) - 1000);
        rows.keys.push_back(cube.PackLeaves(leaves.data()));
        rows.values.push_back(v);
        folded[leaves] += v;  // integers: sums exact in any order
      }
      return rows;
    };
    // Half the rounds load into a cube that already holds atoms.
    std::map<Leaves, double> before;
    if (round % 2 == 1) {
      auto first = random_rows(1 + rng() % 300, before);
      ASSERT_TRUE(cube.BulkLoad(std::move(first)).ok());
    }
    std::map<Leaves, double> folded;
    const size_t rows = 1 + rng() % (round % 5 == 0 ? 20000 : 500);
    auto prepared = cube.PrepareLoad(random_rows(rows, folded));
    ASSERT_TRUE(prepared.ok()) << prepared.status().ToString();
    Cube::PreparedLoad& load = **prepared;
    EXPECT_EQ(load.result().atoms_written, folded.size());
    EXPECT_EQ(load.result().duplicates, rows - folded.size());

    Expected expected;
    for (const auto& [leaves, v] : folded) {
      auto old = before.find(leaves);
      expected[cube.PackLeaves(leaves.data())] = {
          leaves, old == before.end() ? std::nullopt : std::optional<double>(old->second), v};
    }
    const AtomDeltas whole = DeltasOf(load);
    ExpectDeltas(cube, whole, expected);
    // Chunks may start and end anywhere, inside a partition too.
    DeltaSource::Chunk chunk;
    for (int c = 0; c < 5; ++c) {
      const size_t begin = rng() % load.size(), end = begin + 1 + rng() % (load.size() - begin);
      load.Fill(begin, end, chunk);
      ASSERT_EQ(chunk.size, end - begin);
      for (size_t i = begin; i < end; ++i) {
        for (size_t k = 0; k < dims.size(); ++k)
          ASSERT_EQ(chunk.members[k * chunk.size + i - begin], whole.coordinate(i)[k]);
        ASSERT_EQ(chunk.new_values[i - begin], whole.new_value(i).value());
      }
    }
    EXPECT_EQ(AtomsOf(cube).size(), before.size()) << "preparing changed the cube";
    // Through the log's encoder (zstd for the large rounds) and back.
    std::string block;
    EncodeDeltaBlock(load, block);
    auto decoded = DecodeDeltaBlock(block, dims.size(), load.size());
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    ExpectDeltas(cube, *decoded, expected);

    cube.ApplyLoad(load);
    std::map<Leaves, double> after = before;
    for (const auto& [leaves, v] : folded) after[leaves] = v;
    EXPECT_EQ(AtomsOf(cube), after);
    // All atoms as a load into an empty cube.
    Expected all;
    for (const auto& [leaves, v] : after) all[cube.PackLeaves(leaves.data())] = {leaves, {}, v};
    ExpectDeltas(cube, DeltasOf(*cube.AtomsAsDeltas()), all);
  }
}

}  // namespace
}  // namespace quantatom
