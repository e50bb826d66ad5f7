// Cell history, time travel and undo from the log.
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "quantatom/database.h"
#include "support/temp_dir.h"

namespace quantatom {
namespace {

namespace fs = std::filesystem;

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DatabaseOptions options;
    options.snapshot_every_transactions = 0;
    db_ = std::move(*Database::Open(dir_.string(), options));
    ASSERT_TRUE(db_->CreateDimension(
                       "Region", "member,parent,weight\nWorld,,\nEast,World,1\nWest,World,-1\n", {})
                    .ok());
    ASSERT_TRUE(db_->CreateDimension("Month", "member,parent,weight\nJan,,\n", {}).ok());
    ASSERT_TRUE(db_->CreateCube("Sales", {"Region", "Month"}, {}).ok());
  }
  void TearDown() override { db_.reset(); }
  Coordinate Cell(const std::string& r) const {
    return {*db_->FindDimension("Region")->Find(r), 0};
  }
  uint64_t Set(const std::string& r, std::optional<double> v, const std::string& user = "ann") {
    WriteBatch b;
    if (v) {
      b.Set(Cell(r), *v);
    } else {
      b.Clear(Cell(r));
    }
    auto result = db_->Write("Sales", b, {user, ""});
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() ? result->sequence : 0;
  }
  std::optional<double> Read(const std::string& r) const {
    return *db_->FindCube("Sales")->ReadCell(Cell(r));
  }
  ViewSpec WorldView() const {
    ViewSpec v;
    v.cube = "Sales";
    v.rows = {{"Region", {"World", "East", "West"}}};
    v.columns = {{"Month", {"Jan"}}};
    return v;
  }

  testing::ScopedTempDir temp_{"qa_audit"};
  const fs::path& dir_ = temp_.path();
  std::unique_ptr<Database> db_;
};

TEST_F(AuditTest, HistoryOfAConsolidatedCellListsEveryLeafChangeWithItsWeight) {
  Set("East", 10, "ann");
  Set("West", 4, "bob");
  Set("East", 12, "cy");
  auto history = db_->CellHistory("Sales", Cell("World"));
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  ASSERT_EQ(history->size(), 3u);
  EXPECT_EQ((*history)[1].user, "bob");
  EXPECT_EQ((*history)[1].weight, -1.0);
  EXPECT_EQ((*history)[2].old_value, 10.0);
  EXPECT_EQ((*history)[2].new_value, 12.0);
  auto leaf = db_->CellHistory("Sales", Cell("West"));
  ASSERT_TRUE(leaf.ok());
  EXPECT_EQ(leaf->size(), 1u);
}

TEST_F(AuditTest, ViewAsOfAnEarlierSequenceShowsThePast) {
  uint64_t first = Set("East", 10);
  Set("West", 4);
  ASSERT_TRUE(db_->Snapshot().ok());  // a newer snapshot must not hide the past
  Set("East", std::nullopt);
  auto past = db_->QueryAsOf(WorldView(), first);
  ASSERT_TRUE(past.ok()) << past.status().ToString();
  EXPECT_EQ(past->at(0, 0), 10.0);
  EXPECT_EQ(past->at(2, 0), std::nullopt);  // West was still empty
  auto now = db_->FindCube("Sales")->Query(WorldView());
  EXPECT_EQ(now->at(0, 0), -4.0);
  EXPECT_EQ(db_->QueryAsOf(WorldView(), 999).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(AuditTest, SequenceAtATimeFindsTheLastCommitBeforeIt) {
  uint64_t first = Set("East", 1);
  auto t1 = db_->ChangesSince(first - 1, 1);
  ASSERT_TRUE(t1.ok() && t1->size() == 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  Set("East", 2);
  EXPECT_EQ(*db_->SequenceAt((*t1)[0].time_us), first);
  EXPECT_EQ(*db_->SequenceAt(0), 0u);
}

TEST_F(AuditTest, UndoCompensatesAndRefusesWhenTheCellMovedOn) {
  uint64_t a = Set("East", 10);
  uint64_t b = Set("East", 20);
  auto refused = db_->Undo(a, {"ann", ""});
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("East,Jan"), std::string::npos)
      << refused.status().message();
  auto undone = db_->Undo(b, {"ann", ""});
  ASSERT_TRUE(undone.ok()) << undone.status().ToString();
  EXPECT_EQ(Read("East"), 10.0);
  ASSERT_TRUE(db_->Undo(a, {"ann", ""}).ok());
  EXPECT_EQ(Read("East"), std::nullopt);
  auto feed = db_->ChangesSince(undone->sequence - 1, 1);
  EXPECT_EQ((*feed)[0].kind, OperationKind::kUndo);
  EXPECT_EQ(db_->Undo(1, {}).status().code(), StatusCode::kFailedPrecondition);  // structure
}

}  // namespace
}  // namespace quantatom
