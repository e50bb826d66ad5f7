// Writeback through the database: each operation is one logged transaction
// that survives reopening and can be undone; a refused one logs nothing;
// copies, clears and allocations on worked examples.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "quantatom/database.h"
#include "support/temp_dir.h"

namespace quantatom {
namespace {

class WritebackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = Open();
    CommitContext ctx{"setup", ""};
    ASSERT_TRUE(db_->CreateDimension("Version",
                                     "member,parent,weight\nActual,,\nBudget,,\nForecast,,\n", ctx)
                    .ok());
    ASSERT_TRUE(db_->CreateDimension(
                       "Region", "member,parent,weight\nWorld,,\nEast,World,1\nWest,World,1\n", ctx)
                    .ok());
    ASSERT_TRUE(db_->CreateDimension(
                       "Account", "member,parent,weight\nAll,,\nRevenue,All,1\nFees,All,1\n", ctx)
                    .ok());
    ASSERT_TRUE(db_->CreateCube("Plan", {"Version", "Region", "Account"}, ctx).ok());
    WriteBatch b;
    b.Set(Cell("Actual", "East", "Revenue"), 300);
    b.Set(Cell("Actual", "West", "Revenue"), 100);
    b.Set(Cell("Budget", "East", "Revenue"), 30);
    b.Set(Cell("Budget", "West", "Revenue"), 10);
    ASSERT_TRUE(db_->Write("Plan", b, ctx).ok());
  }

  std::unique_ptr<Database> Open() {
    auto db = Database::Open(temp_.path().string());
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return std::move(*db);
  }

  Coordinate Cell(const std::string& v, const std::string& r, const std::string& a) {
    return {*db_->FindDimension("Version")->Find(v), *db_->FindDimension("Region")->Find(r),
            *db_->FindDimension("Account")->Find(a)};
  }
  std::optional<double> Read(const std::string& v, const std::string& r, const std::string& a) {
    return *db_->FindCube("Plan")->ReadCell(Cell(v, r, a));
  }
  double Value(const std::string& v, const std::string& r, const std::string& a) {
    return Read(v, r, a).value_or(NAN);
  }

  testing::ScopedTempDir temp_{"qa_writeback"};
  std::unique_ptr<Database> db_;
};

TEST_F(WritebackTest, ASpreadIsOneTransactionThatSurvivesReopeningAndUndo) {
  SpreadRequest r;
  r.cells = {Cell("Budget", "World", "Revenue")};
  r.spec.method = SpreadMethod::kProportional;
  r.spec.value = 400;
  auto done = db_->Spread("Plan", r, {"alice", "spread-1"});
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->atoms_changed, 2u);
  EXPECT_NEAR(Value("Budget", "East", "Revenue"), 300, 1e-9);
  auto changes = db_->ChangesSince(done->sequence - 1, 10);
  ASSERT_TRUE(changes.ok());
  ASSERT_EQ(changes->size(), 1u);
  EXPECT_EQ((*changes)[0].kind, OperationKind::kSpread);
  EXPECT_NE((*changes)[0].parameters.find("\"proportional\""), std::string::npos);
  // A retry with the same id is not applied again.
  auto again = db_->Spread("Plan", r, {"alice", "spread-1"});
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->replayed);
  db_.reset();
  db_ = Open();
  EXPECT_NEAR(Value("Budget", "West", "Revenue"), 100, 1e-9);
  ASSERT_TRUE(db_->Undo(done->sequence, {"alice", ""}).ok());
  EXPECT_NEAR(Value("Budget", "West", "Revenue"), 10, 1e-9);
}

// Writeback operations apply their planned changes directly; replay
// applies the logged deltas. Both must leave the same atoms, bit for bit.
TEST_F(WritebackTest, EachOperationLeavesTheAtomsItsReplayLeaves) {
  auto atoms = [&] {
    std::map<std::vector<LeafOrdinal>, double> out;
    db_->FindCube("Plan")->ForEachAtom([&](const AtomRef& a) {
      out[{a.leaves.begin(), a.leaves.end()}] = a.value;
    });
    return out;
  };
  const CommitContext ctx{"alice", ""};
  SpreadRequest scale;  // existing atoms change
  scale.cells = {Cell("Budget", "World", "Revenue")};
  scale.spec.method = SpreadMethod::kProportional;
  scale.spec.value = 401.7;
  ASSERT_TRUE(db_->Spread("Plan", scale, ctx).ok());
  SpreadRequest fill;  // an empty cell: new atoms
  fill.cells = {Cell("Forecast", "World", "Fees")};
  fill.spec.method = SpreadMethod::kEqual;
  fill.spec.value = 10;
  ASSERT_TRUE(db_->Spread("Plan", fill, ctx).ok());
  SliceCopy copy;  // new atoms and erased ones
  copy.source.members = {{"Version", "Actual"}};
  copy.target = {{"Version", "Forecast"}};
  copy.factor = 1.1;
  ASSERT_TRUE(db_->CopySlice("Plan", copy, ctx).ok());
  Allocation a;
  a.amount = 100;
  a.targets.members = {{"Version", "Budget"}, {"Region", "World"}, {"Account", "Fees"}};
  a.driver_members = {{"Version", "Actual"}, {"Account", "Revenue"}};
  ASSERT_TRUE(db_->Allocate("Plan", a, ctx).ok());
  ASSERT_TRUE(db_->ClearSlice("Plan", {{{"Version", "Actual"}}}, ctx).ok());
  const auto live = atoms();
  EXPECT_EQ(live.size(), 6u);  // Budget: 2 Revenue, 2 Fees; Forecast: 2 Revenue (Fees erased)
  db_.reset();
  db_ = Open();
  EXPECT_EQ(atoms(), live);
  EXPECT_NEAR(Value("Budget", "World", "Revenue"), 401.7, 1e-9);
  EXPECT_NEAR(Value("Budget", "World", "Fees"), 100, 1e-9);
}

// A spread of thousands of leaves finds where its changes go while its
// record is written, then stores them; a spread that also fills empty
// leaves merges as usual. Both leave the atoms replay leaves.
TEST_F(WritebackTest, ASpreadOfThousandsOfLeavesLeavesTheAtomsItsReplayLeaves) {
  const CommitContext ctx{"alice", ""};
  std::string items = "member,parent,weight\nAll,,\n";
  for (int i = 0; i < 80; ++i)
    items += "I" + std::to_string(i) + ",All," + (i % 7 ? "1" : "-1") + "\n";
  std::string months = "member,parent,weight\nYear,,\n";
  for (int m = 0; m < 60; ++m) months += "M" + std::to_string(m) + ",Year,1\n";
  ASSERT_TRUE(db_->CreateDimension("Item", items, ctx).ok());
  ASSERT_TRUE(db_->CreateDimension("Month", months, ctx).ok());
  ASSERT_TRUE(db_->CreateCube("Big", {"Item", "Month"}, ctx).ok());
  auto cell = [&](const std::string& i, const std::string& m) -> Coordinate {
    return {*db_->FindDimension("Item")->Find(i), *db_->FindDimension("Month")->Find(m)};
  };
  WriteBatch b;
  for (int i = 0; i < 80; ++i)
    for (int m = 0; m < 60; ++m)
      if (i != 3 || m % 2)  // a few empty leaves
        b.Set(cell("I" + std::to_string(i), "M" + std::to_string(m)), 1 + (i * 7 + m) % 13);
  ASSERT_TRUE(db_->Write("Big", b, ctx).ok());
  auto atoms = [&] {
    std::map<std::vector<LeafOrdinal>, double> out;
    db_->FindCube("Big")->ForEachAtom([&](const AtomRef& a) {
      out[{a.leaves.begin(), a.leaves.end()}] = a.value;
    });
    return out;
  };
  SpreadRequest scale;  // 4,770 atoms overwritten: found aside
  scale.cells = {cell("All", "Year")};
  scale.spec.method = SpreadMethod::kProportional;
  scale.spec.value = 123456.5;
  auto done = db_->Spread("Big", scale, ctx);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_GE(done->atoms_changed, 4096u);
  EXPECT_NEAR(*db_->FindCube("Big")->ReadCell(cell("All", "Year")).value(), 123456.5, 1e-6);
  SpreadRequest fill = scale;  // every leaf, the 30 empty ones too: merged
  fill.spec.method = SpreadMethod::kEqualLeaves;
  fill.spec.all_leaves = true;
  fill.spec.value = 4800;
  ASSERT_TRUE(db_->Spread("Big", fill, ctx).ok());
  const auto live = atoms();
  EXPECT_EQ(live.size(), 4800u);
  db_.reset();
  db_ = Open();
  EXPECT_EQ(atoms(), live);
}

TEST_F(WritebackTest, ARefusedSpreadLogsNothing) {
  const uint64_t before = db_->last_sequence();
  SpreadRequest r;
  r.cells = {Cell("Budget", "World", "Revenue")};
  r.spec.method = SpreadMethod::kProportional;
  r.spec.value = 1;
  WritebackAccess access;
  access.writable = [](std::span<const MemberId>) { return false; };
  auto refused = db_->Spread("Plan", r, {"bob", ""}, access);
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied);
  r.cells = {{99, 0, 0}};
  EXPECT_EQ(db_->Spread("Plan", r, {"bob", ""}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(db_->Spread("Nope", r, {"bob", ""}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(db_->last_sequence(), before);
  EXPECT_NEAR(Value("Budget", "East", "Revenue"), 30, 1e-9);
}

TEST_F(WritebackTest, CopyMakesTheTargetAnExactScaledCopy) {
  WriteBatch b;
  b.Set(Cell("Forecast", "West", "Fees"), 7);  // no source atom: removed by the copy
  ASSERT_TRUE(db_->Write("Plan", b, {"a", ""}).ok());
  SliceCopy copy;
  copy.source.members = {{"Version", "Actual"}};
  copy.target = {{"Version", "Forecast"}};
  copy.factor = 1.1;
  auto done = db_->CopySlice("Plan", copy, {"alice", ""});
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_NEAR(Value("Forecast", "East", "Revenue"), 330, 1e-9);
  EXPECT_NEAR(Value("Forecast", "West", "Revenue"), 110, 1e-9);
  EXPECT_EQ(Read("Forecast", "West", "Fees"), std::nullopt);
  // The same copy again changes nothing.
  auto again = db_->CopySlice("Plan", copy, {"alice", ""});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->atoms_changed, 0u);
  copy.target = {{"Version", "World"}};
  EXPECT_EQ(db_->CopySlice("Plan", copy, {"alice", ""}).status().code(), StatusCode::kNotFound);
}

TEST_F(WritebackTest, CopyBetweenMembersWithOtherLeafCountsIsRefused) {
  SliceCopy copy;
  copy.source.members = {{"Region", "World"}};
  copy.target = {{"Region", "East"}};
  auto refused = db_->CopySlice("Plan", copy, {"alice", ""});
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("cannot be paired"), std::string::npos);
}

TEST_F(WritebackTest, ClearEmptiesTheSlice) {
  auto done = db_->ClearSlice("Plan", {{{"Version", "Actual"}}}, {"alice", ""});
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->atoms_changed, 2u);
  EXPECT_EQ(Read("Actual", "World", "All"), std::nullopt);
  EXPECT_NEAR(Value("Budget", "World", "All"), 40, 1e-9);
}

TEST_F(WritebackTest, AllocationSharesTheAmountByTheDriversAndRoundsToIt) {
  Allocation a;
  a.amount = 100;
  a.targets.members = {{"Version", "Budget"}, {"Region", "World"}, {"Account", "Fees"}};
  a.driver_members = {{"Version", "Actual"}, {"Account", "Revenue"}};
  a.decimals = 0;
  WriteBatch b;
  b.Set(Cell("Actual", "West", "Revenue"), 200);  // drivers 300 : 200
  ASSERT_TRUE(db_->Write("Plan", b, {"a", ""}).ok());
  auto done = db_->Allocate("Plan", a, {"alice", ""});
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(Value("Budget", "East", "Fees"), 60);
  EXPECT_EQ(Value("Budget", "West", "Fees"), 40);
  // Thirds, rounded: the remainder goes to the largest share.
  b = WriteBatch();
  b.Set(Cell("Actual", "West", "Revenue"), 600);  // 300 : 600
  ASSERT_TRUE(db_->Write("Plan", b, {"a", ""}).ok());
  ASSERT_TRUE(db_->Allocate("Plan", a, {"alice", ""}).ok());
  EXPECT_EQ(Value("Budget", "East", "Fees"), 33);
  EXPECT_EQ(Value("Budget", "West", "Fees"), 67);
  EXPECT_EQ(Value("Budget", "World", "Fees"), 100);
}

TEST_F(WritebackTest, AllocationFromASourceCellCanMoveIt) {
  WriteBatch b;
  b.Set(Cell("Forecast", "East", "Fees"), 80);
  ASSERT_TRUE(db_->Write("Plan", b, {"a", ""}).ok());
  Allocation a;
  a.source = Cell("Forecast", "East", "Fees");
  a.move_source = true;
  a.targets.members = {{"Version", "Budget"}, {"Region", "World"}, {"Account", "Fees"}};
  a.driver_members = {{"Version", "Budget"}, {"Account", "Revenue"}};  // 30 : 10
  ASSERT_TRUE(db_->Allocate("Plan", a, {"alice", ""}).ok());
  EXPECT_NEAR(Value("Budget", "East", "Fees"), 60, 1e-9);
  EXPECT_NEAR(Value("Budget", "West", "Fees"), 20, 1e-9);
  EXPECT_EQ(Read("Forecast", "East", "Fees"), std::nullopt);
}

TEST_F(WritebackTest, AllocationWithoutDriversIsRefused) {
  Allocation a;
  a.amount = 5;
  a.targets.members = {{"Version", "Budget"}, {"Region", "World"}, {"Account", "Fees"}};
  a.driver_members = {{"Version", "Forecast"}, {"Account", "Revenue"}};  // empty
  EXPECT_EQ(db_->Allocate("Plan", a, {"alice", ""}).status().code(),
            StatusCode::kFailedPrecondition);
  a.targets.members.pop_back();
  EXPECT_EQ(db_->Allocate("Plan", a, {"alice", ""}).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace quantatom
