// The database over the real file system: commits survive reopening, bad
// requests log nothing, retries apply once, damage is told apart from a
// torn tail.
#include "quantatom/database.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "support/temp_dir.h"

namespace quantatom {
namespace {

namespace fs = std::filesystem;

class DatabaseTest : public ::testing::Test {
 protected:
  std::unique_ptr<Database> Open() {
    auto db = Database::Open(dir_.string());
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(*db) : nullptr;
  }
  static void MakeModel(Database& db) {
    CommitContext ctx{"alice", ""};
    ASSERT_TRUE(db.CreateDimension(
                      "Region", "member,parent,weight\nWorld,,\nEast,World,1\nWest,World,-1\n", ctx)
                    .ok());
    ASSERT_TRUE(db.CreateDimension("Month", "member,parent,weight\nJan,,\nFeb,,\n", ctx).ok());
    ASSERT_TRUE(db.CreateCube("Sales", {"Region", "Month"}, ctx).ok());
  }
  static Coordinate Cell(Database& db, const std::string& region, const std::string& month) {
    return {*db.FindDimension("Region")->Find(region), *db.FindDimension("Month")->Find(month)};
  }
  static Result<CommitResult> Set(Database& db, const std::string& region, const std::string& month,
                                  double v, const std::string& id = "") {
    WriteBatch b;
    b.Set(Cell(db, region, month), v);
    return db.Write("Sales", b, {"alice", id});
  }
  static std::optional<double> Read(Database& db, const std::string& region,
                                    const std::string& month) {
    return *db.FindCube("Sales")->ReadCell(Cell(db, region, month));
  }
  std::string LastSegment() const {
    std::string last;
    for (auto& e : fs::directory_iterator(dir_ / "log")) last = std::max(last, e.path().string());
    return last;
  }

  testing::ScopedTempDir temp_{"qa_db"};
  const fs::path& dir_ = temp_.path();
};

TEST_F(DatabaseTest, CommittedWritesSurviveReopening) {
  {
    auto db = Open();
    MakeModel(*db);
    ASSERT_TRUE(Set(*db, "East", "Jan", 10).ok());
    ASSERT_TRUE(Set(*db, "West", "Jan", 4).ok());
    EXPECT_EQ(db->last_sequence(), 5u);
  }
  auto db = Open();
  EXPECT_EQ(db->last_sequence(), 5u);
  EXPECT_EQ(Read(*db, "World", "Jan"), 6.0);
  EXPECT_EQ(Read(*db, "East", "Feb"), std::nullopt);
  EXPECT_TRUE(db->open_warnings().empty());
}

TEST_F(DatabaseTest, ADataDirectoryOpensOnceAtATime) {
  auto first = Open();
  MakeModel(*first);
  auto second = Database::Open(dir_.string());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find("LOCK"), std::string::npos);
  first.reset();
  auto again = Open();
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->last_sequence(), 3u);
}

TEST_F(DatabaseTest, RejectedWriteLogsNothing) {
  auto db = Open();
  MakeModel(*db);
  WriteBatch b;
  b.Set(Cell(*db, "World", "Jan"), 1);  // consolidated
  auto r = db->Write("Sales", b, {"alice", ""});
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(db->last_sequence(), 3u);
  EXPECT_EQ(db->CreateCube("Sales", {"Region"}, {}).status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(db->CreateDimension("Bad", "member,parent,weight\nA,B,1\n", {}).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(db->last_sequence(), 3u);
}

TEST_F(DatabaseTest, RetryWithTheSameClientIdAppliesOnce) {
  {
    auto db = Open();
    MakeModel(*db);
    auto first = Set(*db, "East", "Jan", 10, "req-1");
    auto again = Set(*db, "East", "Jan", 99, "req-1");
    ASSERT_TRUE(first.ok() && again.ok());
    EXPECT_FALSE(first->replayed);
    EXPECT_TRUE(again->replayed);
    EXPECT_EQ(again->sequence, first->sequence);
    EXPECT_EQ(Read(*db, "East", "Jan"), 10.0);
  }
  auto db = Open();  // the id is remembered across a restart, from the log
  auto after = Set(*db, "East", "Jan", 99, "req-1");
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->replayed);
  EXPECT_EQ(Read(*db, "East", "Jan"), 10.0);
}

// A committed load is applied from its folded keys; reopening replays its
// deltas instead. Both must give the same atoms, into an empty cube (cut
// into partitions) and into a full one (merged).
TEST_F(DatabaseTest, LoadsApplyAsTheirReplayDoes) {
  std::string region = "member,parent,weight\nAll,,\n", product = region;
  for (int i = 0; i < 120; ++i) region += "R" + std::to_string(i) + ",All,1\n";
  for (int i = 0; i < 50; ++i) product += "P" + std::to_string(i) + ",All,1\n";
  auto facts = [&](int seed, int step) {
    std::string text = "Region,Product,Value\n";
    for (int r = 0; r < 120; r += 1)
      for (int p = seed % 2; p < 50; p += step)
        text += "R" + std::to_string(r) + ",P" + std::to_string(p) + "," +
                std::to_string((r * 31 + p * 7 + seed) % 1000 - 500) + "\n";
    text += "R3,P4,1.5\n";  // a duplicate, summed
    const fs::path path = dir_.parent_path() / ("facts" + std::to_string(seed) + ".csv");
    std::ofstream(path) << text;
    return path.string();
  };
  using Atoms = std::map<std::vector<LeafOrdinal>, double>;
  auto atoms_of = [](Database& db) {
    Atoms atoms;
    db.FindCube("Stock")->ForEachAtom([&](const AtomRef& a) {
      atoms[std::vector<LeafOrdinal>(a.leaves.begin(), a.leaves.end())] = a.value;
    });
    return atoms;
  };
  for (int seed : {0, 1}) {
    Atoms committed;
    {
      auto db = Open();
      if (seed == 0) {
        ASSERT_TRUE(db->CreateDimension("Region", region, {}).ok());
        ASSERT_TRUE(db->CreateDimension("Product", product, {}).ok());
        ASSERT_TRUE(db->CreateCube("Stock", {"Region", "Product"}, {}).ok());
      }
      auto loaded = db->LoadFacts("Stock", facts(seed, seed + 1), {"ann", ""});
      ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
      committed = atoms_of(*db);
      EXPECT_GT(committed.size(), 4096u);  // over the cache's cell-by-cell limit
    }
    auto reopened = Open();
    EXPECT_EQ(atoms_of(*reopened), committed) << "load " << seed;
  }
}

TEST_F(DatabaseTest, ChangeFeedCarriesWhoWhatAndOldAndNewValues) {
  auto db = Open();
  MakeModel(*db);
  ASSERT_TRUE(Set(*db, "East", "Jan", 10).ok());
  ASSERT_TRUE(Set(*db, "East", "Jan", 12).ok());
  auto changes = db->ChangesSince(4, 10);
  ASSERT_TRUE(changes.ok());
  ASSERT_EQ(changes->size(), 1u);
  const Transaction& t = (*changes)[0];
  EXPECT_EQ(t.sequence, 5u);
  EXPECT_EQ(t.user, "alice");
  EXPECT_EQ(t.kind, OperationKind::kWriteBatch);
  ASSERT_EQ(t.deltas.size(), 1u);
  EXPECT_EQ(t.deltas.old_value(0), 10.0);
  EXPECT_EQ(t.deltas.new_value(0), 12.0);
  EXPECT_GT(t.time_us, 0);
}

TEST_F(DatabaseTest, ConcurrentWritersAllLandInOneOrder) {
  {
    auto db = Open();
    MakeModel(*db);
    std::vector<std::thread> writers;
    for (int t = 0; t < 8; ++t) {
      writers.emplace_back([&, t] {
        for (int i = 0; i < 25; ++i) {
          WriteBatch b;
          b.Set(Cell(*db, t % 2 ? "East" : "West", i % 2 ? "Jan" : "Feb"), t * 100 + i);
          ASSERT_TRUE(db->Write("Sales", b, {"w" + std::to_string(t), ""}).ok());
        }
      });
    }
    for (auto& w : writers) w.join();
    EXPECT_EQ(db->last_sequence(), 3u + 200u);
  }
  auto db = Open();
  auto changes = db->ChangesSince(3, 1000);
  ASSERT_TRUE(changes.ok());
  ASSERT_EQ(changes->size(), 200u);
  // Each delta's old value is the new value of the one before it on that cell.
  std::map<std::vector<MemberId>, std::optional<double>> cells;
  for (const Transaction& t : *changes) {
    auto c = t.deltas.coordinate(0);
    std::vector<MemberId> key(c.begin(), c.end());
    EXPECT_EQ(t.deltas.old_value(0), cells[key]);
    cells[key] = t.deltas.new_value(0);
  }
}

TEST_F(DatabaseTest, TornTailIsCutWithAWarning) {
  {
    auto db = Open();
    MakeModel(*db);
    ASSERT_TRUE(Set(*db, "East", "Jan", 10).ok());
  }
  std::ofstream(LastSegment(), std::ios::app) << std::string("\x30\x00\x00\x00garbage", 11);
  auto db = Open();
  ASSERT_EQ(db->open_warnings().size(), 1u);
  EXPECT_NE(db->open_warnings()[0].find("torn record"), std::string::npos);
  EXPECT_EQ(Read(*db, "East", "Jan"), 10.0);
  ASSERT_TRUE(Set(*db, "East", "Jan", 11).ok());  // appends after the cut
  db.reset();
  db = Open();
  EXPECT_TRUE(db->open_warnings().empty());
  EXPECT_EQ(Read(*db, "East", "Jan"), 11.0);
}

TEST_F(DatabaseTest, BitFlipBeforeTheTailRefusesToOpen) {
  {
    auto db = Open();
    MakeModel(*db);
    ASSERT_TRUE(Set(*db, "East", "Jan", 10).ok());
  }
  std::string path = LastSegment();
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(40);
  f.put('\x7f');
  f.close();
  auto db = Database::Open(dir_.string());
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), StatusCode::kCorruption);
  EXPECT_NE(db.status().message().find("at byte 16"), std::string::npos) << db.status().message();
}

}  // namespace
}  // namespace quantatom
