// Snapshots: reopening from one, truncating the log behind one, damaged and
// missing snapshots, and verify.
#include "db/snapshot.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "db/client_ids.h"
#include "quantatom/database.h"
#include "support/temp_dir.h"

namespace quantatom {
namespace {

namespace fs = std::filesystem;

class SnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.segment_bytes_max = 300;  // many small segments
    options_.snapshot_every_transactions = 0;
  }

  std::unique_ptr<Database> Open() {
    auto db = Database::Open(dir_.string(), options_);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(*db) : nullptr;
  }
  // Region (World > East, West -1) x Month (Jan, Feb); `writes` cells set.
  static void Fill(Database& db, int writes, const std::string& id_prefix = "") {
    if (!db.FindCube("Sales")) {
      ASSERT_TRUE(db.CreateDimension("Region",
                                     "member,parent,weight\nWorld,,\nEast,World,1\nWest,World,-1\n",
                                     {})
                      .ok());
      ASSERT_TRUE(db.CreateDimension("Month", "member,parent,weight\nJan,,\nFeb,,\n", {}).ok());
      ASSERT_TRUE(db.CreateCube("Sales", {"Region", "Month"}, {}).ok());
    }
    for (int i = 0; i < writes; ++i) {
      WriteBatch b;
      b.Set(Cell(db, i % 2 ? "East" : "West", i % 3 ? "Jan" : "Feb"), i);
      ASSERT_TRUE(
          db.Write("Sales", b, {"u", id_prefix.empty() ? "" : id_prefix + std::to_string(i)}).ok());
    }
  }
  static Coordinate Cell(const Database& db, const std::string& r, const std::string& m) {
    return {*db.FindDimension("Region")->Find(r), *db.FindDimension("Month")->Find(m)};
  }
  static std::optional<double> Read(const Database& db, const std::string& r,
                                    const std::string& m) {
    return *db.FindCube("Sales")->ReadCell(Cell(db, r, m));
  }
  size_t Segments() const {
    size_t n = 0;
    for (auto& e : fs::directory_iterator(dir_ / "log")) n += e.path().extension() == ".log";
    return n;
  }
  std::string SnapshotFile() const {
    for (auto& e : fs::directory_iterator(dir_ / "snapshot"))
      if (e.path().extension() == ".snap") return e.path().string();
    return "";
  }

  testing::ScopedTempDir temp_{"qa_snap"};
  const fs::path& dir_ = temp_.path();
  DatabaseOptions options_;
};

TEST_F(SnapshotTest, ReopeningFromSnapshotAndTruncatedLogKeepsEverything) {
  options_.truncate_log_after_snapshot = true;
  std::optional<double> world_jan;
  {
    auto db = Open();
    Fill(*db, 30, "id-");
    size_t before = Segments();
    auto report = db->Snapshot();
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_EQ(report->sequence, 33u);
    EXPECT_GT(report->segments_removed, 0u);
    EXPECT_LT(Segments(), before);
    Fill(*db, 5);  // after the snapshot, in the log only
    world_jan = Read(*db, "World", "Jan");
  }
  auto db = Open();
  EXPECT_EQ(db->last_sequence(), 38u);
  EXPECT_EQ(Read(*db, "World", "Jan"), world_jan);
  // The change feed reads what is left of the log and says when it is not enough.
  auto recent = db->ChangesSince(37, 10);
  ASSERT_TRUE(recent.ok()) << recent.status().ToString();
  EXPECT_EQ(recent->size(), 1u);
  EXPECT_EQ(db->ChangesSince(0, 10).status().code(), StatusCode::kNotFound);
  // Client ids committed before the snapshot are still known.
  WriteBatch b;
  b.Set(Cell(*db, "East", "Jan"), 1e6);
  auto again = db->Write("Sales", b, {"u", "id-3"});
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->replayed);
}

TEST_F(SnapshotTest, HealthCountsTheLogBeyondTheNewestSnapshot) {
  {
    auto db = Open();
    DatabaseHealth none = db->Health();
    EXPECT_EQ(none.snapshot_sequence, 0u);
    EXPECT_EQ(none.snapshot_time_us, 0);
    Fill(*db, 4);
    DatabaseHealth before = db->Health();
    EXPECT_EQ(before.last_sequence, 7u);
    EXPECT_GT(before.log_bytes_since_snapshot, 0u);
    ASSERT_TRUE(db->Snapshot().ok());
    DatabaseHealth after = db->Health();
    EXPECT_EQ(after.snapshot_sequence, 7u);
    EXPECT_EQ(after.log_bytes_since_snapshot, 0u);
    EXPECT_GT(after.snapshot_time_us, 0);
    Fill(*db, 1);
    DatabaseHealth one_more = db->Health();
    EXPECT_EQ(one_more.last_sequence, 8u);
    // One small write: more than its 8-byte value, less than all before the snapshot.
    EXPECT_GT(one_more.log_bytes_since_snapshot, 8u);
    EXPECT_LT(one_more.log_bytes_since_snapshot, before.log_bytes_since_snapshot);
    EXPECT_TRUE(one_more.snapshot_status.ok());
    EXPECT_FALSE(one_more.writes_refused);
  }
  // Found at open: known by sequence, dated no later than the open.
  auto db = Open();
  DatabaseHealth reopened = db->Health();
  EXPECT_EQ(reopened.snapshot_sequence, 7u);
  EXPECT_EQ(reopened.last_sequence, 8u);
  EXPECT_GT(reopened.snapshot_time_us, 0);
  EXPECT_EQ(reopened.log_bytes_since_snapshot, 0u);
  // Transaction 8 is in the log only, so a snapshot now has something new.
  auto again = db->Snapshot();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->sequence, 8u);
  EXPECT_FALSE(again->file.empty());
}

TEST_F(SnapshotTest, DamagedSnapshotFallsBackToTheFullLogWithAWarning) {
  {
    auto db = Open();
    Fill(*db, 10);
    ASSERT_TRUE(db->Snapshot().ok());
  }
  std::string snap = SnapshotFile();
  ASSERT_FALSE(snap.empty());
  {
    std::fstream f(snap, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(20);
    f.put('\x55');
  }
  auto db = Open();
  ASSERT_FALSE(db->open_warnings().empty());
  EXPECT_NE(db->open_warnings()[0].find("snapshot skipped"), std::string::npos)
      << db->open_warnings()[0];
  EXPECT_EQ(db->last_sequence(), 13u);
  EXPECT_EQ(Read(*db, "East", "Jan"), 7.0);
}

TEST_F(SnapshotTest, UnfinishedSnapshotIsRemovedOnOpen) {
  {
    auto db = Open();
    Fill(*db, 10);
    ASSERT_TRUE(db->Snapshot().ok());
  }
  // What a crash during the next snapshot's write leaves behind.
  const fs::path unfinished = dir_ / "snapshot" / "00000000000000000099.snap.tmp";
  std::ofstream(unfinished) << "half a snapshot";
  auto db = Open();
  EXPECT_TRUE(db->open_warnings().empty());
  EXPECT_FALSE(fs::exists(unfinished));
  EXPECT_FALSE(SnapshotFile().empty());
  EXPECT_EQ(Read(*db, "East", "Jan"), 7.0);
}

TEST_F(SnapshotTest, MissingSnapshotBehindATruncatedLogRefusesToOpen) {
  options_.truncate_log_after_snapshot = true;
  {
    auto db = Open();
    Fill(*db, 30);
    ASSERT_TRUE(db->Snapshot().ok());
  }
  fs::remove(SnapshotFile());
  auto db = Database::Open(dir_.string(), options_);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), StatusCode::kCorruption);
  EXPECT_NE(db.status().message().find("transactions are missing"), std::string::npos)
      << db.status().message();
}

TEST_F(SnapshotTest, VerifyChecksSnapshotAgainstTheLog) {
  {
    auto db = Open();
    Fill(*db, 20);
    ASSERT_TRUE(db->Snapshot().ok());
    Fill(*db, 3);
  }
  auto report = Database::Verify(dir_.string());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->last_sequence, 26u);
  EXPECT_EQ(report->transactions_replayed, 26u);
  EXPECT_FALSE(report->snapshot.empty());
  EXPECT_EQ(report->atoms, 4u);
}

TEST_F(SnapshotTest, BackgroundSnapshotsFollowTheCommitCount) {
  options_.snapshot_every_transactions = 10;
  auto db = Open();
  Fill(*db, 25);
  for (int i = 0; i < 200 && !fs::exists(dir_ / "snapshot"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  for (int i = 0; i < 200 && SnapshotFile().empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_FALSE(SnapshotFile().empty());
  EXPECT_TRUE(db->snapshot_status().ok()) << db->snapshot_status().ToString();
}

// Snapshots written before client ids were per user hold them without
// their user (record type 2): they are still read, and such an id still
// answers a retry by any user, while ids after it are per user.
TEST_F(SnapshotTest, ClientIdsFromAnOlderSnapshotStillAnswerRetries) {
  uint64_t w1 = 0;
  {
    auto db = Open();
    ASSERT_NO_FATAL_FAILURE(Fill(*db, 3, "w"));
    w1 = db->last_sequence() - 1;
    ASSERT_TRUE(db->Snapshot().ok());
  }
  // The snapshot rewritten as an older version wrote it: ids without users.
  Model model;
  auto loaded = LoadLatestSnapshot(Env::Default(), (dir_ / "snapshot").string(), model);
  ASSERT_TRUE(loaded.ok() && !loaded->file.empty());
  SnapshotState state = loaded->state;
  ASSERT_EQ(state.client_ids.count(ClientIdKey("u", "w1")), 1u);
  state.client_ids = {{LegacyClientIdKey("w1"), state.client_ids[ClientIdKey("u", "w1")]}};
  ASSERT_TRUE(WriteSnapshot(Env::Default(), (dir_ / "snapshot").string(), model, state).ok());
  auto db = Open();
  WriteBatch b;
  b.Set(Cell(*db, "East", "Jan"), 99);
  auto retry = db->Write("Sales", b, {"bob", "w1"});
  ASSERT_TRUE(retry.ok()) << retry.status().ToString();
  EXPECT_TRUE(retry->replayed);
  EXPECT_EQ(retry->sequence, w1);
  auto fresh = db->Write("Sales", b, {"bob", "w3"});
  ASSERT_TRUE(fresh.ok());
  EXPECT_FALSE(fresh->replayed);
  // A new snapshot keeps the legacy id, and the new one by its user.
  ASSERT_TRUE(db->Snapshot().ok());
  db.reset();
  db = Open();
  EXPECT_TRUE(db->Write("Sales", b, {"carol", "w1"})->replayed);
  EXPECT_TRUE(db->Write("Sales", b, {"bob", "w3"})->replayed);
  EXPECT_FALSE(db->Write("Sales", b, {"carol", "w3"})->replayed);
}

}  // namespace
}  // namespace quantatom
