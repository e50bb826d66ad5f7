// Readers running beside writers never see part of a batch. Also run under
// ThreadSanitizer by the test script.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "quantatom/cube.h"

namespace quantatom {
namespace {

constexpr int kLeaves = 64;

struct Fixture {
  std::shared_ptr<const Dimension> a, b;
  std::shared_ptr<Cube> cube;
  Fixture() {
    DimensionBuilder da("A");
    da.AddMember("Total");
    for (int i = 0; i < kLeaves; ++i)
      da.AddLink("a" + std::to_string(i), "Total", i % 2 ? 1.0 : -1.0);
    a = *std::move(da).Build();
    DimensionBuilder db("B");
    db.AddMember("x");
    b = *std::move(db).Build();
    cube = *Cube::Create("C", {a, b});
  }
  WriteBatch AllLeaves(double v) const {
    WriteBatch batch;
    for (int i = 0; i < kLeaves; ++i) batch.Set({*a->Find("a" + std::to_string(i)), 0}, v);
    return batch;
  }
};

TEST(CubeConcurrency, ReadersSeeWholeBatchesOnly) {
  Fixture f;
  ASSERT_TRUE(f.cube->Write(f.AllLeaves(0)).ok());
  std::atomic<bool> stop{false};
  std::atomic<int> torn{0}, reads{0};
  ViewSpec view{"C", {{"A", {"children(Total)"}}}, {{"B", {"x"}}}, {}};
  auto reader = [&] {
    while (!stop) {
      auto grid = f.cube->Query(view);
      if (!grid.ok()) {
        ++torn;
        continue;
      }
      for (const auto& v : grid->values)
        if (!v || *v != *grid->values[0]) ++torn;
      // The total of alternating -1/+1 weights is 0 for any uniform batch.
      auto total = f.cube->ReadCell({0, 0});
      if (!total.ok() || !*total || **total != 0) ++torn;
      ++reads;
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i) threads.emplace_back(reader);
  for (int v = 1; v <= 300; ++v) ASSERT_TRUE(f.cube->Write(f.AllLeaves(v)).ok());
  while (reads < 50) std::this_thread::yield();
  stop = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(torn, 0);
  EXPECT_EQ(**f.cube->ReadCell({*f.a->Find("a1"), 0}), 300);
}

TEST(CubeConcurrency, WritesFromSeveralThreadsAllLand) {
  Fixture f;
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      for (int i = t; i < kLeaves; i += 4) {
        WriteBatch batch;
        batch.Set({*f.a->Find("a" + std::to_string(i)), 0}, i);
        ASSERT_TRUE(f.cube->Write(batch).ok());
        (void)f.cube->ReadCell({0, 0});
      }
    });
  }
  for (auto& t : writers) t.join();
  EXPECT_EQ(f.cube->Stats().atoms, size_t{kLeaves});
  double want = 0;
  for (int i = 0; i < kLeaves; ++i) want += (i % 2 ? 1.0 : -1.0) * i;
  EXPECT_EQ(**f.cube->ReadCell({0, 0}), want);
}

}  // namespace
}  // namespace quantatom
