// Holds, sandboxes and offline edits through the database: private to
// their user, durable across reopening and snapshots, committed as one
// transaction with conflicts found cell by cell against a moving base.
#include <gtest/gtest.h>

#include "quantatom/database.h"
#include "support/temp_dir.h"

namespace quantatom {
namespace {

class WorkspacesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = Open();
    CommitContext ctx{"setup", ""};
    ASSERT_TRUE(db_->CreateDimension(
                       "Region", "member,parent,weight\nWorld,,\nEast,World,1\nWest,World,1\n", ctx)
                    .ok());
    ASSERT_TRUE(
        db_->CreateDimension("Month", "member,parent,weight\nQ1,,\nJan,Q1,1\nFeb,Q1,1\n", ctx)
            .ok());
    ASSERT_TRUE(db_->CreateCube("Sales", {"Region", "Month"}, ctx).ok());
    Write("setup", {{"East", "Jan", 10}, {"West", "Jan", 20}, {"East", "Feb", 30}});
  }

  std::unique_ptr<Database> Open() {
    auto db = Database::Open(temp_.path().string());
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return std::move(*db);
  }
  void Reopen() {
    db_.reset();
    db_ = Open();
  }

  Coordinate Cell(const std::string& r, const std::string& m) {
    return {*db_->FindDimension("Region")->Find(r), *db_->FindDimension("Month")->Find(m)};
  }
  struct Set {
    std::string region, month;
    double value;
  };
  WriteBatch Batch(const std::vector<Set>& sets) {
    WriteBatch b;
    for (const Set& s : sets) b.Set(Cell(s.region, s.month), s.value);
    return b;
  }
  void Write(const std::string& user, const std::vector<Set>& sets) {
    ASSERT_TRUE(db_->Write("Sales", Batch(sets), {user, ""}).ok());
  }
  void SandboxWrite(const std::string& user, const std::string& name,
                    const std::vector<Set>& sets) {
    auto r = db_->WriteSandbox(name, "Sales", Batch(sets), {user, ""});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  std::optional<double> Read(const std::string& r, const std::string& m) {
    return *db_->FindCube("Sales")->ReadCell(Cell(r, m));
  }
  // World by month through a sandbox (or the base when `sandbox` is empty).
  std::vector<std::optional<double>> WorldRow(const std::string& user, const std::string& sandbox) {
    ViewSpec v;
    v.cube = "Sales";
    v.rows = {{"Region", {"World", "East"}}};
    v.columns = {{"Month", {"Jan", "Feb", "Q1"}}};
    auto grid =
        sandbox.empty() ? db_->FindCube("Sales")->Query(v) : db_->QuerySandbox(user, sandbox, v);
    EXPECT_TRUE(grid.ok()) << grid.status().ToString();
    return grid->values;
  }

  testing::ScopedTempDir temp_{"qa_workspaces"};
  std::unique_ptr<Database> db_;
};

TEST_F(WorkspacesTest, ASandboxReadsTheBasePlusItsCellsWhileTheBaseMoves) {
  SandboxWrite("alice", "plan", {{"East", "Jan", 15}});
  auto v = WorldRow("alice", "plan");
  // World Jan 35 (15 + 20), Feb 30, Q1 65; East Jan 15, Feb 30, Q1 45.
  EXPECT_EQ(v, (std::vector<std::optional<double>>{35, 30, 65, 15, 30, 45}));
  EXPECT_EQ(Read("East", "Jan"), 10);  // the base is untouched
  Write("bob", {{"West", "Jan", 25}});
  EXPECT_EQ(WorldRow("alice", "plan")[0], 40);  // the base moved beneath the sandbox
  // The base moves a cell the sandbox also holds: the sandbox's value still
  // wins (a kept adjustment of the view would now be stale).
  Write("bob", {{"East", "Jan", 12}});
  EXPECT_EQ(WorldRow("alice", "plan")[0], 40);
  EXPECT_EQ(WorldRow("", "")[0], 37);
  // Emptying a cell in the sandbox empties what only it fed.
  WriteBatch clear;
  clear.Clear(Cell("East", "Feb"));
  ASSERT_TRUE(db_->WriteSandbox("plan", "Sales", clear, {"alice", ""}).ok());
  v = WorldRow("alice", "plan");
  EXPECT_EQ(v[4], std::nullopt);  // East Feb
  EXPECT_EQ(v[1], std::nullopt);  // World Feb
}

TEST_F(WorkspacesTest, SandboxesAndHoldsAreDurableAndPrivate) {
  SandboxWrite("alice", "plan", {{"East", "Jan", 11}});
  ASSERT_TRUE(db_->SetHolds("Sales", {Cell("East", "Q1")}, {"alice", ""}).ok());
  Reopen();
  ASSERT_TRUE(db_->FindSandbox("alice", "plan").has_value());
  EXPECT_FALSE(db_->FindSandbox("bob", "plan").has_value());
  EXPECT_EQ(db_->Holds("alice", "Sales").size(), 1u);
  EXPECT_TRUE(db_->Holds("bob", "Sales").empty());
  ASSERT_TRUE(db_->Snapshot().ok());
  SandboxWrite("alice", "plan", {{"West", "Feb", 1}});
  Reopen();
  auto s = db_->FindSandbox("alice", "plan");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->cells.size(), 2u);
  EXPECT_EQ(db_->Holds("alice", "Sales"), std::vector<Coordinate>{Cell("East", "Q1")});
  // Neither shows in the cell's history.
  auto history = db_->CellHistory("Sales", Cell("East", "Jan"));
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->size(), 1u);  // the setup write only
}

TEST_F(WorkspacesTest, AUsersHoldsAreLeftAloneByTheirSpreads) {
  ASSERT_TRUE(db_->SetHolds("Sales", {Cell("East", "Jan")}, {"alice", ""}).ok());
  SpreadRequest r;
  r.cells = {Cell("World", "Jan")};
  r.spec.method = SpreadMethod::kProportional;
  r.spec.value = 50;
  ASSERT_TRUE(db_->Spread("Sales", r, {"alice", ""}).ok());
  EXPECT_EQ(Read("East", "Jan"), 10);
  EXPECT_EQ(Read("West", "Jan"), 40);
  r.spec.value = 100;  // bob holds nothing
  ASSERT_TRUE(db_->Spread("Sales", r, {"bob", ""}).ok());
  EXPECT_EQ(Read("East", "Jan"), 20);
}

TEST_F(WorkspacesTest, TwoSandboxesAndAMovingBaseConflictCellByCell) {
  SandboxWrite("alice", "a", {{"East", "Jan", 12}});
  SandboxWrite("bob", "b", {{"East", "Jan", 13}, {"West", "Jan", 21}});
  auto first = db_->CommitSandbox("a", ConflictPolicy::kRefuse, {"alice", ""});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_FALSE(first->refused);
  EXPECT_EQ(Read("East", "Jan"), 12);
  // Bob's East Jan changed under him: refused, nothing committed.
  const uint64_t before = db_->last_sequence();
  auto refused = db_->CommitSandbox("b", ConflictPolicy::kRefuse, {"bob", ""});
  ASSERT_TRUE(refused.ok());
  EXPECT_TRUE(refused->refused);
  ASSERT_EQ(refused->conflicts.size(), 1u);
  EXPECT_EQ(refused->conflicts[0].base, 10);
  EXPECT_EQ(refused->conflicts[0].mine, 13);
  EXPECT_EQ(refused->conflicts[0].theirs, 12);
  EXPECT_EQ(db_->last_sequence(), before);
  EXPECT_EQ(Read("West", "Jan"), 20);
  // Merged as deltas: 12 + (13 - 10); the unconflicted cell as written.
  auto merged = db_->CommitSandbox("b", ConflictPolicy::kMergeDeltas, {"bob", ""});
  ASSERT_TRUE(merged.ok());
  EXPECT_EQ(merged->cells_applied, 2u);
  EXPECT_EQ(Read("East", "Jan"), 15);
  EXPECT_EQ(Read("West", "Jan"), 21);
  // The sandbox starts again, empty, from its commit.
  auto after = db_->FindSandbox("bob", "b");
  ASSERT_TRUE(after.has_value());
  EXPECT_TRUE(after->cells.empty());
  EXPECT_EQ(after->base_sequence, merged->sequence);
  ASSERT_TRUE(db_->DiscardSandbox("b", {"bob", ""}).ok());
  EXPECT_FALSE(db_->FindSandbox("bob", "b").has_value());
}

TEST_F(WorkspacesTest, OfflineEditsMergeAgainstTheirBase) {
  const uint64_t base = db_->last_sequence();
  Write("bob", {{"East", "Jan", 100}});
  std::vector<SandboxCell> edits = {{Cell("East", "Jan"), 11}, {Cell("West", "Feb"), 5}};
  auto theirs = db_->MergeEdits("Sales", base, edits, ConflictPolicy::kKeepTheirs, {"alice", ""});
  ASSERT_TRUE(theirs.ok()) << theirs.status().ToString();
  EXPECT_EQ(theirs->conflicts.size(), 1u);
  EXPECT_EQ(Read("East", "Jan"), 100);
  EXPECT_EQ(Read("West", "Feb"), 5);
  EXPECT_EQ(db_->MergeEdits("Sales", db_->last_sequence() + 5, edits, ConflictPolicy::kKeepMine,
                            {"alice", ""})
                .status()
                .code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace quantatom
