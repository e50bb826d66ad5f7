// Snapshots taken by the quantatom executable in a process of its own
// (DatabaseOptions::snapshot_program), while commits go on.
#include "db/snapshot_process.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "env/fault_env.h"
#include "quantatom/database.h"
#include "support/shell.h"
#include "support/temp_dir.h"

namespace quantatom {
namespace {

namespace fs = std::filesystem;

class SnapshotProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.segment_bytes_max = 4096;  // several segments, some removed
    options_.snapshot_every_transactions = 0;
    options_.truncate_log_after_snapshot = true;
    options_.snapshot_program = testing::QuantatomBinary();
  }

  std::unique_ptr<Database> Open() {
    auto db = Database::Open(dir_.string(), options_);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(*db) : nullptr;
  }
  // Account (Total > A, B -1) x Month (Jan..Dec).
  static void CreateCube(Database& db) {
    ASSERT_TRUE(
        db.CreateDimension("Account", "member,parent,weight\nTotal,,\nA,Total,1\nB,Total,-1\n", {})
            .ok());
    std::string months = "member,parent,weight\n";
    for (int m = 1; m <= 12; ++m) months += "M" + std::to_string(m) + ",,\n";
    ASSERT_TRUE(db.CreateDimension("Month", months, {}).ok());
    ASSERT_TRUE(db.CreateCube("Plan", {"Account", "Month"}, {}).ok());
  }
  static Coordinate Cell(const Database& db, const std::string& account, int month) {
    return {*db.FindDimension("Account")->Find(account),
            *db.FindDimension("Month")->Find("M" + std::to_string(month))};
  }
  static Status WriteOne(Database& db, int i) {
    WriteBatch b;
    b.Set(Cell(db, i % 2 ? "A" : "B", 1 + i % 12), i);
    return db.Write("Plan", b, {"u", ""}).status();
  }
  static std::optional<double> Read(const Database& db, const std::string& account, int month) {
    return *db.FindCube("Plan")->ReadCell(Cell(db, account, month));
  }

  testing::ScopedTempDir temp_{"qa_snap_proc"};
  const fs::path& dir_ = temp_.path();
  DatabaseOptions options_;
};

TEST_F(SnapshotProcessTest, TheProgramsSnapshotIsWhatTheDatabaseReopensFrom) {
  std::vector<std::optional<double>> totals;
  uint64_t snapshot_sequence = 0, last = 0;
  {
    auto db = Open();
    CreateCube(*db);
    for (int i = 0; i < 200; ++i) ASSERT_TRUE(WriteOne(*db, i).ok());
    // Commits go on while the child reads the log they append to.
    std::atomic<bool> stop{false}, failed{false};
    std::thread writer([&] {
      for (int i = 200; !stop; ++i)
        if (!WriteOne(*db, i).ok()) failed = true;
    });
    auto report = db->Snapshot();
    stop = true;
    writer.join();
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_FALSE(failed);
    EXPECT_GE(report->sequence, 203u);  // three structure changes, 200 writes
    EXPECT_EQ(fs::file_size(report->file), report->bytes);
    EXPECT_GT(report->segments_removed, 0u);
    EXPECT_EQ(db->Health().snapshot_sequence, report->sequence);
    snapshot_sequence = report->sequence;
    ASSERT_TRUE(WriteOne(*db, 7).ok());
    last = db->last_sequence();
    for (int m = 1; m <= 12; ++m) totals.push_back(Read(*db, "Total", m));
  }
  // The log before the snapshot is gone: reopening needs the child's file.
  auto db = Open();
  EXPECT_EQ(db->last_sequence(), last);
  EXPECT_EQ(db->Health().snapshot_sequence, snapshot_sequence);
  for (int m = 1; m <= 12; ++m) EXPECT_EQ(Read(*db, "Total", m), totals[m - 1]) << m;
  auto verified = Database::Verify(dir_.string());
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
}

TEST_F(SnapshotProcessTest, AFailingProgramIsReportedAndChangesNothing) {
  auto db = Open();
  CreateCube(*db);
  ASSERT_TRUE(WriteOne(*db, 1).ok());
  const size_t segments_before = std::distance(fs::directory_iterator(dir_ / "log"), {});
  for (const auto& [program, said] : std::vector<std::pair<std::string, std::string>>{
           {"/bin/false", "exit code 1"},
           {"/bin/echo", "exit code 0"},  // prints no size
           {(dir_ / "no-such-program").string(), "No such file"}}) {
    DatabaseOptions options = options_;
    options.snapshot_program = program;
    db.reset();
    auto reopened = Database::Open(dir_.string(), options);
    ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
    db = std::move(*reopened);
    auto report = db->Snapshot();
    ASSERT_FALSE(report.ok()) << program;
    EXPECT_NE(report.status().message().find(program), std::string::npos)
        << report.status().message();
    EXPECT_NE(report.status().message().find(said), std::string::npos) << report.status().message();
    EXPECT_EQ(db->Health().snapshot_sequence, 0u);
    EXPECT_TRUE(WriteOne(*db, 2).ok());  // the database goes on
  }
  EXPECT_FALSE(fs::exists(dir_ / "snapshot") && !fs::is_empty(dir_ / "snapshot"));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_ / "log"), {}), segments_before);
}

TEST_F(SnapshotProcessTest, NeedsTheRealFileSystem) {
  FaultEnv env;
  options_.env = &env;
  auto db = Database::Open("/data", options_);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), StatusCode::kInvalidArgument);
}

TEST(SnapshotWorkerBytes, AreTheDigitsOfTheLastLine) {
  EXPECT_EQ(SnapshotWorkerBytes("123\n"), 123u);
  EXPECT_EQ(SnapshotWorkerBytes("warning: a damaged snapshot was skipped\n456\n"), 456u);
  EXPECT_EQ(SnapshotWorkerBytes("0"), 0u);
  EXPECT_EQ(SnapshotWorkerBytes(""), std::nullopt);
  EXPECT_EQ(SnapshotWorkerBytes("12a\n"), std::nullopt);
  EXPECT_EQ(SnapshotWorkerBytes("456\nquantatom: failed\n"), std::nullopt);
  EXPECT_EQ(SnapshotWorkerBytes("99999999999999999999\n"), std::nullopt);  // 20 digits
}

}  // namespace
}  // namespace quantatom
