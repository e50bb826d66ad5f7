#include "store/atom_store.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "store/bulk_build.h"
#include "store/key_layout.h"

namespace quantatom {
namespace {

TEST(KeyLayout, PacksAndUnpacksEveryDimension) {
  std::vector<size_t> leaves = {3, 36, 2000, 53, 501};
  auto layout = KeyLayout::Create(leaves);
  ASSERT_TRUE(layout.ok());
  EXPECT_LE(layout->inner_bits(), 32);
  LeafOrdinal in[] = {2, 35, 1999, 52, 500}, out[5];
  layout->Unpack(layout->Pack(in), out);
  EXPECT_TRUE(std::equal(in, in + 5, out));
  // The small dimensions form the partition key, the large ones stay inside.
  EXPECT_TRUE(layout->is_partition_dim(0));
  EXPECT_TRUE(layout->is_partition_dim(1));
  EXPECT_FALSE(layout->is_partition_dim(2));
}

TEST(KeyLayout, RefusesCoordinatesWiderThan64Bits) {
  std::vector<size_t> leaves(5, size_t{1} << 14);
  auto layout = KeyLayout::Create(leaves);
  ASSERT_FALSE(layout.ok());
  EXPECT_EQ(layout.status().code(), StatusCode::kLimitExceeded);
  EXPECT_NE(layout.status().message().find("70 bits"), std::string::npos);
}

TEST(AtomStore, ApplyMatchesAMapUnderRandomChanges) {
  std::mt19937_64 rng(42);
  AtomStore store(6);
  std::map<uint64_t, double> model;
  int located_rounds = 0;
  for (int round = 0; round < 200; ++round) {
    std::map<uint64_t, AtomChange> batch;
    for (int i = 0; i < 1 + int(rng() % 20); ++i) {
      uint64_t key = rng() % 1024;
      if (round % 2 == 1 && !model.empty()) {  // overwrites only, so that Locate finds them all
        auto it = model.lower_bound(key);
        key = it == model.end() ? model.begin()->first : it->first;
      }
      batch[key] = {key, double(rng() % 100), round % 2 == 0 && rng() % 3 == 0};
    }
    std::vector<AtomChange> changes;
    std::vector<std::optional<double>> want_old;
    bool overwrites_only = true;
    for (auto& [k, c] : batch) {
      changes.push_back(c);
      auto it = model.find(k);
      want_old.push_back(it == model.end() ? std::nullopt : std::optional<double>(it->second));
      overwrites_only = overwrites_only && it != model.end() && !c.erase;
      if (c.erase) {
        model.erase(k);
      } else {
        model[k] = c.value;
      }
    }
    std::vector<std::optional<double>> old;
    std::optional<AtomStore::Located> located = store.Locate(changes);
    ASSERT_EQ(located.has_value(), overwrites_only) << "round " << round;
    if (located && round % 4 == 1) {
      ASSERT_TRUE(store.ApplyLocated(*located, changes, &old));
      ++located_rounds;
    } else {
      store.Apply(changes, &old);
    }
    ASSERT_EQ(old, want_old);
    ASSERT_EQ(store.atom_count(), model.size());
  }
  for (uint64_t k = 0; k < 1024; ++k) {
    auto it = model.find(k);
    ASSERT_EQ(store.Get(k), it == model.end() ? std::nullopt : std::optional<double>(it->second));
  }
  EXPECT_GT(located_rounds, 5);
  for (const Partition& p : store.partitions()) {
    ASSERT_FALSE(p.keys.empty());
    ASSERT_TRUE(std::is_sorted(p.keys.begin(), p.keys.end()));
  }
}

TEST(AtomStore, ApplyLocatedRefusesAStoreThatChangedSince) {
  AtomStore store(4);
  store.Apply(std::vector<AtomChange>{{1, 1.0, false}, {40, 2.0, false}});
  const std::vector<AtomChange> overwrite = {{1, 10.0, false}, {40, 20.0, false}};
  std::optional<AtomStore::Located> located = store.Locate(overwrite);
  ASSERT_TRUE(located);
  store.Apply(std::vector<AtomChange>{{2, 3.0, false}});  // moves the atoms of partition 0
  EXPECT_FALSE(store.ApplyLocated(*located, overwrite));
  EXPECT_EQ(store.Get(1), 1.0);
  EXPECT_EQ(store.Get(40), 2.0);
  // Found again, it applies; an added or an erased atom is never located.
  located = store.Locate(overwrite);
  ASSERT_TRUE(located);
  EXPECT_TRUE(store.ApplyLocated(*located, overwrite));
  EXPECT_EQ(store.Get(1), 10.0);
  EXPECT_EQ(store.Get(40), 20.0);
  EXPECT_FALSE(store.Locate(std::vector<AtomChange>{{3, 1.0, false}}));
  EXPECT_FALSE(store.Locate(std::vector<AtomChange>{{1, 0.0, true}}));
}

TEST(BulkBuild, SumsDuplicatesAndSortsEachPartition) {
  std::vector<uint64_t> keys = {5, 1 << 8, 5, 3, (1 << 8) + 1, 5};
  std::vector<double> values = {1, 2, 10, 4, 8, 100};
  BulkBuildResult r = BuildPartitions(keys, values, 8);
  EXPECT_EQ(r.duplicates, 2u);
  ASSERT_EQ(r.partitions.size(), 2u);
  EXPECT_EQ(r.partitions[0].keys, (std::vector<uint32_t>{3, 5}));
  EXPECT_EQ(r.partitions[0].values, (std::vector<double>{4, 111}));
  EXPECT_EQ(r.partitions[1].id, 1u);
  EXPECT_EQ(r.partitions[1].keys, (std::vector<uint32_t>{0, 1}));
}

TEST(BulkBuild, SparsePartitionIdsTakeTheSortedPath) {
  std::vector<uint64_t> keys = {uint64_t{1} << 60, 7, uint64_t{1} << 60};
  std::vector<double> values = {1, 2, 3};
  BulkBuildResult r = BuildPartitions(keys, values, 4);
  ASSERT_EQ(r.partitions.size(), 2u);
  EXPECT_EQ(r.partitions[1].values, (std::vector<double>{4}));
  EXPECT_EQ(r.duplicates, 1u);
}

}  // namespace
}  // namespace quantatom
