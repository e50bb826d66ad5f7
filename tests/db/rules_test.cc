// Rules in a data directory: set by a logged transaction checked before it
// is logged, derived atoms recomputed before a change is acknowledged and
// never logged (recomputed on replay, from snapshots, as of a past
// sequence, by verify), cells computed by rules read-only to every kind of
// write, structure changes that would break the rules refused.
#include <gtest/gtest.h>

#include "quantatom/database.h"
#include "support/temp_dir.h"

namespace quantatom {
namespace {

constexpr char kRules[] =
    "leaf [Account: Revenue] = [Account: Units] * [Account: Price];\n"
    "consolidated [Account: Margin] = ([Account: Revenue] - [Account: Cost]) / [Account: "
    "Revenue];\n";

class RulesDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = Open();
    ASSERT_TRUE(db_);
    ASSERT_TRUE(db_->CreateDimension("Region",
                                     "member,parent,weight\nWorld,,\nEast,World,1\nWest,World,1\n",
                                     ctx_)
                    .ok());
    ASSERT_TRUE(db_->CreateDimension("Account",
                                     "member,parent,weight\nRevenue,,\nUnits,,\nPrice,,\nCost,,\n"
                                     "Margin,,\nProducts,,\nHardware,Products,1\n",
                                     ctx_)
                    .ok());
    ASSERT_TRUE(
        db_->CreateDimension("Month", "member,parent,weight\nQ1,,\nJan,Q1,1\nFeb,Q1,1\n", ctx_)
            .ok());
    ASSERT_TRUE(db_->CreateCube("Plan", {"Region", "Account", "Month"}, ctx_).ok());
    WriteBatch b;
    b.Set(Cell("East", "Units", "Jan"), 10);
    b.Set(Cell("East", "Price", "Jan"), 3);
    b.Set(Cell("West", "Units", "Jan"), 4);
    b.Set(Cell("West", "Price", "Jan"), 5);
    b.Set(Cell("East", "Cost", "Jan"), 12);
    ASSERT_TRUE(db_->Write("Plan", b, ctx_).ok());
  }

  std::unique_ptr<Database> Open(DatabaseOptions options = {}) {
    auto db = Database::Open(temp_.path().string(), options);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(*db) : nullptr;
  }
  void Reopen() {
    db_.reset();
    db_ = Open();
    ASSERT_TRUE(db_);
  }
  Coordinate Cell(const std::string& r, const std::string& a, const std::string& m) {
    return {*db_->FindDimension("Region")->Find(r), *db_->FindDimension("Account")->Find(a),
            *db_->FindDimension("Month")->Find(m)};
  }
  std::optional<double> Read(const std::string& r, const std::string& a, const std::string& m) {
    auto v = db_->FindCube("Plan")->ReadCell(Cell(r, a, m));
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? *v : std::nullopt;
  }
  Result<CommitResult> Set(const std::string& r, const std::string& a, const std::string& m,
                           double v) {
    WriteBatch b;
    b.Set(Cell(r, a, m), v);
    return db_->Write("Plan", b, ctx_);
  }

  testing::ScopedTempDir temp_{"qa_rules_db"};
  std::unique_ptr<Database> db_;
  CommitContext ctx_{"alice", ""};
};

TEST_F(RulesDbTest, RulesAreLoggedComputedBeforeTheAnswerAndRecomputedOnReopen) {
  auto set = db_->SetRules("Plan", kRules, false, ctx_);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(Read("East", "Revenue", "Jan"), 30);
  EXPECT_EQ(Read("World", "Revenue", "Q1"), 50);
  EXPECT_DOUBLE_EQ(*Read("East", "Margin", "Jan"), (30.0 - 12) / 30);
  EXPECT_DOUBLE_EQ(*Read("World", "Margin", "Q1"), (50.0 - 12) / 50);  // never summed
  auto changes = db_->ChangesSince(set->sequence - 1, 10);
  ASSERT_TRUE(changes.ok());
  ASSERT_EQ(changes->size(), 1u);
  EXPECT_EQ((*changes)[0].kind, OperationKind::kSetRules);
  EXPECT_EQ((*changes)[0].deltas.size(), 0u);  // derived atoms are not logged
  EXPECT_EQ(db_->FindCube("Plan")->Stats().derived_atoms, 2u);
  // An input changes: its revenue follows before the write is answered.
  ASSERT_TRUE(Set("East", "Units", "Jan", 20).ok());
  EXPECT_EQ(Read("East", "Revenue", "Jan"), 60);
  EXPECT_EQ(Read("World", "Revenue", "Q1"), 80);
  Reopen();
  EXPECT_EQ(Read("World", "Revenue", "Q1"), 80);
  EXPECT_DOUBLE_EQ(*Read("World", "Margin", "Q1"), (80.0 - 12) / 80);
  auto rules = db_->Rules("plan");
  ASSERT_TRUE(rules);
  EXPECT_EQ(rules->text, kRules);
  EXPECT_EQ(rules->user, "alice");
  auto summary = db_->DescribeRules("Plan");
  ASSERT_EQ(summary.size(), 2u);
  EXPECT_EQ(summary[0].kind, "leaf");
  EXPECT_EQ(summary[0].derived_atoms, 2u);
  EXPECT_EQ(summary[1].kind, "consolidated");
  ASSERT_TRUE(Database::Verify(temp_.path().string()).ok());
}

TEST_F(RulesDbTest, RefusedRulesLogNothing) {
  const uint64_t before = db_->last_sequence();
  auto syntax = db_->SetRules("Plan", "leaf [Account: Revenue] = [Account: Units] *;", false, ctx_);
  ASSERT_EQ(syntax.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(syntax.status().message().find("line 1, column 45:"), std::string::npos)
      << syntax.status().message();
  EXPECT_NE(syntax.status().message().find("\n" + std::string(44, ' ') + "^"), std::string::npos)
      << syntax.status().message();
  auto cycle = db_->SetRules("Plan",
                             "leaf [Account: Revenue] = [Account: Cost] * 2;\n"
                             "leaf [Account: Cost] = [Account: Revenue] / 2;\n",
                             false, ctx_);
  ASSERT_EQ(cycle.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(cycle.status().message().find("circular dependency"), std::string::npos);
  auto unknown = db_->SetRules("Nope", "", false, ctx_);
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(db_->last_sequence(), before);
  EXPECT_FALSE(db_->Rules("Plan"));
}

TEST_F(RulesDbTest, StoredAtomsWhereRulesComputeNeedDeleteDataAndAreLogged) {
  ASSERT_TRUE(Set("West", "Revenue", "Feb", 7).ok());
  StructureReport report;
  auto refused = db_->SetRules("Plan", kRules, false, ctx_, &report);
  ASSERT_EQ(refused.status().code(), StatusCode::kConflict) << refused.status().ToString();
  EXPECT_EQ(report.atoms, 1u);
  EXPECT_EQ(Read("West", "Revenue", "Feb"), 7);
  auto set = db_->SetRules("Plan", kRules, true, ctx_, &report);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_FALSE(Read("West", "Revenue", "Feb"));
  auto history = db_->CellHistory("Plan", Cell("West", "Revenue", "Feb"));
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ(history->back().kind, OperationKind::kSetRules);
  EXPECT_EQ(history->back().old_value, 7);
  EXPECT_FALSE(history->back().new_value);
  Reopen();
  EXPECT_FALSE(Read("West", "Revenue", "Feb"));
  EXPECT_EQ(Read("West", "Revenue", "Jan"), 20);
  ASSERT_TRUE(Database::Verify(temp_.path().string()).ok());
}

TEST_F(RulesDbTest, EveryKindOfWriteIntoComputedCellsIsRefusedAndLogsNothing) {
  ASSERT_TRUE(db_->SetRules("Plan", kRules, false, ctx_).ok());
  const uint64_t before = db_->last_sequence();
  auto expect_refused = [&](const Status& s, const char* what) {
    EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << what << ": " << s.ToString();
    EXPECT_NE(s.message().find("Revenue"), std::string::npos) << what << ": " << s.message();
    EXPECT_NE(s.message().find("the leaf rule at line 1"), std::string::npos)
        << what << ": " << s.message();
  };
  expect_refused(Set("East", "Revenue", "Jan", 1).status(), "write");
  WriteBatch margin;
  margin.Set(Cell("East", "Margin", "Jan"), 1);
  auto m = db_->Write("Plan", margin, ctx_);
  EXPECT_EQ(m.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(m.status().message().find("consolidated rule at line 2"), std::string::npos);
  SpreadRequest spread;
  spread.cells = {Cell("World", "Revenue", "Q1")};
  spread.spec.method = SpreadMethod::kProportional;
  spread.spec.value = 100;
  expect_refused(db_->Spread("Plan", spread, ctx_).status(), "spread");
  Slice slice;
  slice.members = {{"Account", "Revenue"}};
  expect_refused(db_->ClearSlice("Plan", slice, ctx_).status(), "clear");
  SliceCopy copy;
  copy.source.members = {{"Account", "Units"}};
  copy.target = {{"Account", "Revenue"}};
  expect_refused(db_->CopySlice("Plan", copy, ctx_).status(), "copy");
  Allocation allocation;
  allocation.amount = 10;
  allocation.targets.members = {{"Region", "East"}, {"Account", "Revenue"}, {"Month", "Jan"}};
  allocation.driver_members = {{"Account", "Units"}};
  expect_refused(db_->Allocate("Plan", allocation, ctx_).status(), "allocate");
  Cube::BulkAtoms load;
  LeafOrdinal leaves[3] = {0, 0, 0};  // East, Revenue, Jan
  load.keys.push_back(db_->FindCube("Plan")->PackLeaves(leaves));
  load.values.push_back(1);
  expect_refused(db_->LoadAtoms("Plan", std::move(load), "test", ctx_).status(), "load");
  EXPECT_EQ(db_->last_sequence(), before);
  EXPECT_EQ(Read("East", "Revenue", "Jan"), 30);
}

TEST_F(RulesDbTest, UndoOfAWriteToCellsNowComputedIsRefused) {
  auto written = Set("East", "Revenue", "Feb", 5);
  ASSERT_TRUE(written.ok());
  ASSERT_TRUE(db_->SetRules("Plan", kRules, true, ctx_).ok());
  auto undo = db_->Undo(written->sequence, ctx_);
  EXPECT_EQ(undo.status().code(), StatusCode::kFailedPrecondition) << undo.status().ToString();
}

TEST_F(RulesDbTest, ReadsAsOfAPastSequenceUseTheRulesOfThatTime) {
  const uint64_t before = db_->last_sequence();
  auto set = db_->SetRules("Plan", kRules, false, ctx_);
  ASSERT_TRUE(set.ok());
  ASSERT_TRUE(Set("East", "Price", "Jan", 4).ok());
  ViewSpec view;
  view.cube = "Plan";
  view.rows.push_back({"Region", {"East"}});
  view.columns.push_back({"Account", {"Revenue", "Margin"}});
  view.context = {{"Month", "Jan"}};
  auto then = db_->QueryAsOf(view, before);
  ASSERT_TRUE(then.ok()) << then.status().ToString();
  EXPECT_FALSE(then->at(0, 0));
  auto after_rules = db_->QueryAsOf(view, set->sequence);
  ASSERT_TRUE(after_rules.ok());
  EXPECT_EQ(after_rules->at(0, 0), 30);
  auto now = db_->FindCube("Plan")->Query(view);
  ASSERT_TRUE(now.ok());
  EXPECT_EQ(now->at(0, 0), 40);
  EXPECT_DOUBLE_EQ(*now->at(0, 1), (40.0 - 12) / 40);
}

TEST_F(RulesDbTest, SnapshotsKeepTheRulesAndNoDerivedAtoms) {
  ASSERT_TRUE(db_->SetRules("Plan", kRules, false, ctx_).ok());
  auto snapshot = db_->Snapshot();
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  ASSERT_TRUE(Set("West", "Units", "Feb", 2).ok());
  ASSERT_TRUE(Set("West", "Price", "Feb", 6).ok());
  Reopen();
  EXPECT_EQ(Read("West", "Revenue", "Feb"), 12);
  EXPECT_EQ(Read("World", "Revenue", "Q1"), 62);
  EXPECT_TRUE(db_->Rules("Plan"));
  auto verified = Database::Verify(temp_.path().string());
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->atoms, 7u);  // stored atoms only: no derived Revenue
}

TEST_F(RulesDbTest, StructureChangesThatWouldBreakTheRulesAreRefused) {
  ASSERT_TRUE(db_->SetRules("Plan", kRules, false, ctx_).ok());
  MemberChange rename;
  rename.kind = MemberChange::Kind::kUpdate;
  rename.dimension = "Account";
  rename.member = "Units";
  rename.new_name = "Volume";
  auto r = db_->ChangeMember(rename, ctx_);
  EXPECT_EQ(r.status().code(), StatusCode::kConflict) << r.status().ToString();
  EXPECT_NE(r.status().message().find("unknown member 'Units'"), std::string::npos);
  // Cost holds a stored atom: moving it under Revenue would put it in the rule's cells.
  ASSERT_TRUE(db_->SetRules("Plan",
                            "leaf [Account: Products] = [Account: Units] * [Account: Price];\n",
                            false, ctx_)
                  .ok());
  MemberChange move;
  move.kind = MemberChange::Kind::kMove;
  move.dimension = "Account";
  move.member = "Cost";
  move.parents = {{"Products", 1}};
  auto moved = db_->ChangeMember(move, ctx_);
  EXPECT_EQ(moved.status().code(), StatusCode::kConflict) << moved.status().ToString();
  // A new leaf under the rule's member joins its cells.
  MemberChange add;
  add.kind = MemberChange::Kind::kAdd;
  add.dimension = "Account";
  add.member = "Software";
  add.parents = {{"Products", 1}};
  ASSERT_TRUE(db_->ChangeMember(add, ctx_).ok());
  EXPECT_EQ(Read("East", "Hardware", "Jan"), 30);
  EXPECT_EQ(Read("East", "Software", "Jan"), 30);
  EXPECT_EQ(Read("East", "Products", "Jan"), 60);
  Reopen();
  EXPECT_EQ(Read("World", "Products", "Q1"), 100);
}

// Offline edits merged into a cube with rules feed its rules like any write
// and may not change a computed cell.
TEST_F(RulesDbTest, MergedEditsFeedTheRules) {
  ASSERT_TRUE(db_->SetRules("Plan", kRules, false, ctx_).ok());
  const uint64_t base = db_->last_sequence();
  auto merged = db_->MergeEdits("Plan", base, {{Cell("East", "Units", "Jan"), 20}},
                                ConflictPolicy::kRefuse, ctx_);
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  EXPECT_EQ(Read("East", "Revenue", "Jan"), 60);
  Reopen();
  EXPECT_EQ(Read("East", "Revenue", "Jan"), 60);
  auto computed =
      db_->MergeEdits("Plan", db_->last_sequence(), {{Cell("East", "Revenue", "Jan"), 1}},
                      ConflictPolicy::kRefuse, ctx_);
  EXPECT_EQ(computed.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Read("East", "Revenue", "Jan"), 60);
}

// A sandbox over a cube with rules reads what its rules compute from the
// sandbox's cells and from the base as it moves; the base sees none of it
// until the commit; computed cells are as read-only in a sandbox as outside.
TEST_F(RulesDbTest, SandboxesReadTheRulesComputedFromTheirCells) {
  ASSERT_TRUE(db_->SetRules("Plan", kRules, false, ctx_).ok());
  WriteBatch b;
  b.Set(Cell("East", "Units", "Jan"), 1);
  ASSERT_TRUE(db_->WriteSandbox("plan", "Plan", b, ctx_).ok());
  ViewSpec view;
  view.cube = "Plan";
  view.rows = {{"Region", {"East", "West", "World"}}};
  view.columns = {{"Account", {"Units", "Revenue", "Margin"}}};
  view.context = {{"Month", "Jan"}};
  auto at = [](const Grid& g, size_t row, size_t column) {
    return g.values[row * g.columns.size() + column];
  };
  auto grid = db_->QuerySandbox("alice", "plan", view);
  ASSERT_TRUE(grid.ok()) << grid.status().ToString();
  EXPECT_EQ(at(*grid, 0, 0), 1);
  EXPECT_EQ(at(*grid, 0, 1), 3);               // 1 x 3
  EXPECT_EQ(at(*grid, 2, 1), 23);              // 3 + West's 4 x 5
  EXPECT_EQ(at(*grid, 0, 2), (3.0 - 12) / 3);  // the ratio from the sandbox's revenue
  EXPECT_EQ(at(*grid, 2, 2), (23.0 - 12) / 23);
  EXPECT_EQ(Read("East", "Revenue", "Jan"), 30);  // the base is untouched
  // The base moves underneath: its change reaches the sandbox's reads.
  ASSERT_TRUE(Set("West", "Price", "Jan", 6).ok());
  grid = db_->QuerySandbox("alice", "plan", view);
  ASSERT_TRUE(grid.ok()) << grid.status().ToString();
  EXPECT_EQ(at(*grid, 2, 1), 27);
  // A computed cell cannot be written, in a sandbox either.
  WriteBatch computed;
  computed.Set(Cell("East", "Revenue", "Jan"), 5);
  auto refused = db_->WriteSandbox("plan", "Plan", computed, ctx_);
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("rules"), std::string::npos);
  // Committed, the sandbox's cell feeds the rules of the base.
  auto report = db_->CommitSandbox("plan", ConflictPolicy::kRefuse, ctx_);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(Read("East", "Revenue", "Jan"), 3);
  EXPECT_EQ(Read("World", "Revenue", "Jan"), 27);
}

}  // namespace
}  // namespace quantatom
