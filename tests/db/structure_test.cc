// Structure changes in a data directory: each one logged transaction, the
// rule for data (refused naming the count, or the atoms removed as logged
// deltas), stable member ids, re-keyed cubes, and the log read back right
// across the changes (replay, snapshots, verify, history, the change feed,
// undo, reads as of a sequence).
#include <gtest/gtest.h>

#include <filesystem>

#include "db/structure_log.h"
#include "quantatom/database.h"
#include "support/temp_dir.h"

namespace quantatom {
namespace {

class StructureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = Open();
    ASSERT_TRUE(db_);
    CommitContext ctx{"alice", ""};
    // Region: World = East - West; Month: Q1 = Jan + Feb.
    ASSERT_TRUE(db_->CreateDimension("Region",
                                     "member,parent,weight,alias\nWorld,,,\nEast,World,1,E\n"
                                     "West,World,-1,\n",
                                     ctx)
                    .ok());
    ASSERT_TRUE(
        db_->CreateDimension("Month", "member,parent,weight\nQ1,,\nJan,Q1,1\nFeb,Q1,1\n", ctx)
            .ok());
    ASSERT_TRUE(db_->CreateCube("Sales", {"Region", "Month"}, ctx).ok());
    ASSERT_TRUE(Set("East", "Jan", 10).ok());
    ASSERT_TRUE(Set("West", "Jan", 4).ok());
  }

  std::unique_ptr<Database> Open() {
    auto db = Database::Open(temp_.path().string());
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(*db) : nullptr;
  }
  void Reopen() {
    db_.reset();
    db_ = Open();
    ASSERT_TRUE(db_);
  }
  MemberId Id(const std::string& dim, const std::string& member) {
    auto m = db_->FindDimension(dim)->Find(member);
    EXPECT_TRUE(m) << member;
    return m.value_or(0);
  }
  Coordinate Cell(const std::string& region, const std::string& month) {
    return {Id("Region", region), Id("Month", month)};
  }
  Result<CommitResult> Set(const std::string& region, const std::string& month,
                           std::optional<double> v, const std::string& cube = "Sales") {
    WriteBatch b;
    if (v)
      b.Set(Cell(region, month), *v);
    else
      b.Clear(Cell(region, month));
    return db_->Write(cube, b, {"alice", ""});
  }
  std::optional<double> Read(const std::string& region, const std::string& month,
                             const std::string& cube = "Sales") {
    return *db_->FindCube(cube)->ReadCell(Cell(region, month));
  }
  static MemberChange Change(MemberChange::Kind kind, const std::string& member,
                             std::vector<ParentLink> parents = {}) {
    MemberChange c;
    c.kind = kind;
    c.dimension = "Region";
    c.member = member;
    c.parents = std::move(parents);
    return c;
  }
  Result<CommitResult> Commit(const MemberChange& c, StructureReport* report = nullptr) {
    return db_->ChangeMember(c, {"admin", ""}, report);
  }

  testing::ScopedTempDir temp_{"qa_structure"};
  std::unique_ptr<Database> db_;
};

TEST_F(StructureTest, AddedMemberGetsTheNextIdAndTotalsIncludeItsData) {
  const size_t size_before = db_->FindDimension("Region")->size();
  ASSERT_TRUE(Commit(Change(MemberChange::Kind::kAdd, "North", {{"World", 2}})).ok());
  EXPECT_EQ(Id("Region", "North"), size_before);
  EXPECT_EQ(Id("Region", "East"), 1u);  // existing members keep their ids
  ASSERT_TRUE(Set("North", "Jan", 3).ok());
  EXPECT_EQ(Read("World", "Q1"), 10 - 4 + 2 * 3);
  EXPECT_EQ(Read("East", "Jan"), 10);
  Reopen();
  EXPECT_EQ(Read("World", "Q1"), 12);
  EXPECT_EQ(Read("North", "Jan"), 3);
}

TEST_F(StructureTest, DeletingALeafWithDataIsRefusedNamingTheCountAndChangesNothing) {
  StructureReport report;
  const uint64_t before = db_->last_sequence();
  auto r = Commit(Change(MemberChange::Kind::kDelete, "West"), &report);
  ASSERT_EQ(r.status().code(), StatusCode::kConflict);
  EXPECT_NE(r.status().message().find("'West'"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("1 atom"), std::string::npos) << r.status().message();
  EXPECT_EQ(report.atoms, 1u);
  ASSERT_EQ(report.atoms_by_cube.size(), 1u);
  EXPECT_EQ(report.atoms_by_cube[0].first, "Sales");
  EXPECT_EQ(db_->last_sequence(), before);
  EXPECT_TRUE(db_->FindDimension("Region")->Find("West"));
  EXPECT_EQ(Read("World", "Jan"), 6);
}

TEST_F(StructureTest, DeletingALeafWithDeleteDataRemovesItsAtomsAsLoggedDeltas) {
  const MemberId west = Id("Region", "West");
  MemberChange c = Change(MemberChange::Kind::kDelete, "West");
  c.delete_data = true;
  StructureReport report;
  auto r = Commit(c, &report);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->atoms_changed, 1u);
  EXPECT_EQ(report.atoms, 1u);
  EXPECT_EQ(Read("World", "Jan"), 10);
  const Dimension& region = *db_->FindDimension("Region");
  EXPECT_FALSE(region.Find("West"));
  EXPECT_TRUE(region.deleted(west));
  EXPECT_EQ(region.member_name(west), "West");  // the log's history still names it
  EXPECT_EQ(region.member_count(), 2u);
  // The change feed shows the removal as a delta.
  auto feed = db_->ChangesSince(r->sequence - 1, 10);
  ASSERT_TRUE(feed.ok());
  ASSERT_EQ(feed->size(), 1u);
  const Transaction& t = (*feed)[0];
  EXPECT_EQ(t.kind, OperationKind::kDeleteMember);
  EXPECT_EQ(t.cube, "Sales");
  ASSERT_EQ(t.deltas.size(), 1u);
  EXPECT_EQ(t.deltas.coordinate(0)[0], west);
  EXPECT_EQ(t.deltas.old_value(0), 4);
  EXPECT_EQ(t.deltas.new_value(0), std::nullopt);
  // A name freed by a delete may be taken again, by a new member (new id).
  ASSERT_TRUE(Commit(Change(MemberChange::Kind::kAdd, "West", {{"World", 1}})).ok());
  EXPECT_NE(Id("Region", "West"), west);
  Reopen();
  EXPECT_EQ(Read("World", "Jan"), 10);
  EXPECT_TRUE(db_->FindDimension("Region")->deleted(west));
}

TEST_F(StructureTest, AChildUnderALeafWithDataFollowsTheSameRule) {
  auto refused = Commit(Change(MemberChange::Kind::kAdd, "Boston", {{"East", 1}}));
  ASSERT_EQ(refused.status().code(), StatusCode::kConflict) << refused.status().ToString();
  EXPECT_FALSE(db_->FindDimension("Region")->Find("Boston"));
  // A move under a leaf with data too.
  auto moved = Commit(Change(MemberChange::Kind::kMove, "West", {{"East", 1}}));
  ASSERT_EQ(moved.status().code(), StatusCode::kConflict);
  MemberChange c = Change(MemberChange::Kind::kAdd, "Boston", {{"East", 1}});
  c.delete_data = true;
  ASSERT_TRUE(Commit(c).ok());
  EXPECT_FALSE(db_->FindDimension("Region")->is_leaf(Id("Region", "East")));
  EXPECT_EQ(Read("East", "Jan"), std::nullopt);
  ASSERT_TRUE(Set("Boston", "Jan", 7).ok());
  EXPECT_EQ(Read("World", "Jan"), 7 - 4);
  // The history of East shows its cleared atom and Boston's write.
  auto history = db_->CellHistory("Sales", Cell("East", "Jan"));
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  ASSERT_EQ(history->size(), 3u);
  EXPECT_EQ((*history)[1].kind, OperationKind::kAddMember);
  EXPECT_EQ((*history)[1].old_value, 10);
  EXPECT_EQ((*history)[2].new_value, 7);
}

TEST_F(StructureTest, DeletedConsolidationReparentsChildrenKeepingTotals) {
  // World > Europe (weight 2) > {France 1, Spain -1}
  ASSERT_TRUE(Commit(Change(MemberChange::Kind::kAdd, "Europe", {{"World", 2}})).ok());
  ASSERT_TRUE(Commit(Change(MemberChange::Kind::kAdd, "France", {{"Europe", 1}})).ok());
  ASSERT_TRUE(Commit(Change(MemberChange::Kind::kAdd, "Spain", {{"Europe", -1}})).ok());
  ASSERT_TRUE(Set("France", "Jan", 5).ok());
  ASSERT_TRUE(Set("Spain", "Jan", 1).ok());
  const double world = 10 - 4 + 2 * (5 - 1);
  ASSERT_EQ(Read("World", "Jan"), world);
  ASSERT_TRUE(Commit(Change(MemberChange::Kind::kDelete, "Europe")).ok());
  EXPECT_EQ(Read("World", "Jan"), world);
  const Dimension& d = *db_->FindDimension("Region");
  auto parents = d.parents(Id("Region", "Spain"));
  ASSERT_EQ(parents.size(), 1u);
  EXPECT_EQ(parents[0].member, Id("Region", "World"));
  EXPECT_EQ(parents[0].weight, -2);
  // The children take Europe's place among World's children, in order.
  std::vector<std::string> children;
  for (const WeightedLink& c : d.children(Id("Region", "World")))
    children.push_back(d.member_name(c.member));
  EXPECT_EQ(children, (std::vector<std::string>{"East", "West", "France", "Spain"}));
}

TEST_F(StructureTest, DeletedConsolidationCanOrphanItsChildren) {
  MemberChange c = Change(MemberChange::Kind::kDelete, "World");
  c.children = ChildrenOfDeleted::kOrphan;
  ASSERT_TRUE(Commit(c).ok());
  const Dimension& d = *db_->FindDimension("Region");
  ASSERT_EQ(d.roots().size(), 2u);
  EXPECT_EQ(d.member_name(d.roots()[0]), "East");
  EXPECT_EQ(Read("East", "Q1"), 10);
  EXPECT_EQ(Read("West", "Q1"), 4);
}

TEST_F(StructureTest, MoveChangesTotalsAndRefusesCycles) {
  ASSERT_TRUE(Commit(Change(MemberChange::Kind::kAdd, "Other", {})).ok());
  ASSERT_TRUE(Commit(Change(MemberChange::Kind::kMove, "West", {{"Other", 1}})).ok());
  EXPECT_EQ(Read("World", "Jan"), 10);
  EXPECT_EQ(Read("Other", "Jan"), 4);
  auto cycle = Commit(Change(MemberChange::Kind::kMove, "World", {{"World", 1}}));
  EXPECT_EQ(cycle.status().code(), StatusCode::kFailedPrecondition) << cycle.status().ToString();
  ASSERT_TRUE(Commit(Change(MemberChange::Kind::kMove, "Other", {{"World", 1}})).ok());
  auto deeper = Commit(Change(MemberChange::Kind::kMove, "World", {{"West", 1}}));
  EXPECT_EQ(deeper.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(deeper.status().message().find("cycle"), std::string::npos);
  EXPECT_EQ(Read("World", "Jan"), 14);
}

TEST_F(StructureTest, RenameKeepsIdsDataHistoryAndAliases) {
  const MemberId east = Id("Region", "East");
  MemberChange c = Change(MemberChange::Kind::kUpdate, "E");  // by its alias
  c.new_name = "Eastern";
  c.aliases = std::vector<std::string>{"EA", "Eastern"};  // its own name is dropped
  c.attributes = {{"Currency", AttributeValue(std::string("USD"))},
                  {"Stores", AttributeValue(3.0)}};
  ASSERT_TRUE(Commit(c).ok());
  const Dimension& d = *db_->FindDimension("Region");
  EXPECT_EQ(d.Find("Eastern"), east);
  EXPECT_EQ(d.Find("ea"), east);
  EXPECT_FALSE(d.Find("East"));
  EXPECT_FALSE(d.Find("E"));
  ASSERT_EQ(d.aliases(east).size(), 1u);
  ASSERT_EQ(d.attribute_names().size(), 2u);
  EXPECT_EQ(d.attribute(east, 1), AttributeValue(3.0));
  EXPECT_EQ(Read("Eastern", "Jan"), 10);
  auto history = db_->CellHistory("Sales", Cell("Eastern", "Jan"));
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].new_value, 10);
  // A name taken by another member, or another's alias, is refused.
  MemberChange taken = Change(MemberChange::Kind::kUpdate, "West");
  taken.new_name = "ea";
  EXPECT_EQ(Commit(taken).status().code(), StatusCode::kAlreadyExists);
  MemberChange unset = Change(MemberChange::Kind::kUpdate, "Eastern");
  unset.attributes = {{"Stores", std::nullopt}};
  ASSERT_TRUE(Commit(unset).ok());
  Reopen();
  const Dimension& again = *db_->FindDimension("Region");
  EXPECT_FALSE(again.attribute(east, 1).has_value());
  EXPECT_EQ(again.attribute(east, 0), AttributeValue(std::string("USD")));
}

TEST_F(StructureTest, AtomsStayAtTheirMembersWhenLeafOrdinalsAndKeysChange) {
  // Leaves before West's ordinal go: West moves down an ordinal; many new
  // leaves widen the key.
  ASSERT_TRUE(Commit(Change(MemberChange::Kind::kAdd, "A", {{"World", 1}})).ok());
  ASSERT_TRUE(Set("A", "Feb", 1).ok());
  MemberChange del = Change(MemberChange::Kind::kDelete, "East");
  del.delete_data = true;
  ASSERT_TRUE(Commit(del).ok());
  for (int i = 0; i < 40; ++i)
    ASSERT_TRUE(
        Commit(Change(MemberChange::Kind::kAdd, "L" + std::to_string(i), {{"World", 1}})).ok());
  ASSERT_TRUE(Set("L39", "Jan", 100).ok());
  EXPECT_EQ(Read("West", "Jan"), 4);
  EXPECT_EQ(Read("A", "Feb"), 1);
  EXPECT_EQ(Read("World", "Q1"), -4 + 1 + 100);
  ASSERT_TRUE(db_->Snapshot().ok());
  ASSERT_TRUE(Commit(Change(MemberChange::Kind::kAdd, "After", {{"World", 1}})).ok());
  Reopen();
  EXPECT_EQ(Read("West", "Jan"), 4);
  EXPECT_EQ(Read("L39", "Jan"), 100);
  EXPECT_EQ(Read("World", "Q1"), 97);
  db_.reset();
  auto verified = Database::Verify(temp_.path().string());
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->atoms, 3u);
}

TEST_F(StructureTest, OneChangeRemovesAtomsOfEveryCubeInOneTransaction) {
  ASSERT_TRUE(db_->CreateCube("Plan", {"Month", "Region"}, {"alice", ""}).ok());
  WriteBatch b;
  b.Set({Id("Month", "Feb"), Id("Region", "West")}, 9);
  ASSERT_TRUE(db_->Write("Plan", b, {"alice", ""}).ok());
  MemberChange c = Change(MemberChange::Kind::kDelete, "West");
  c.delete_data = true;
  StructureReport report;
  auto r = Commit(c, &report);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(report.atoms, 2u);
  EXPECT_EQ(report.atoms_by_cube.size(), 2u);
  auto feed = db_->ChangesSince(r->sequence - 1, 1);
  ASSERT_TRUE(feed.ok());
  ASSERT_EQ(feed->size(), 1u);
  size_t cubes = 0;
  ForEachCubeDeltas((*feed)[0], [&](const std::string&, const AtomDeltas& d) {
    ++cubes;
    EXPECT_EQ(d.size(), 1u);
  });
  EXPECT_EQ(cubes, 2u);
  EXPECT_EQ(db_->FindCube("Plan")->Stats().atoms, 0u);
  Reopen();  // the transaction (format 4) is read back from the log
  EXPECT_EQ(db_->FindCube("Plan")->Stats().atoms, 0u);
  EXPECT_EQ(db_->FindCube("Sales")->Stats().atoms, 1u);
  auto old = db_->ChangesSince(r->sequence - 1, 1);  // from the log now
  ASSERT_TRUE(old.ok());
  ASSERT_EQ(old->size(), 1u);
  EXPECT_EQ((*old)[0].other_cubes.size(), 1u);
}

TEST_F(StructureTest, UndoOfAWriteToADeletedOrConsolidatedMemberIsRefused) {
  auto write = Set("West", "Feb", 2);
  ASSERT_TRUE(write.ok());
  MemberChange c = Change(MemberChange::Kind::kDelete, "West");
  c.delete_data = true;
  ASSERT_TRUE(Commit(c).ok());
  auto undo = db_->Undo(write->sequence, {"alice", ""});
  ASSERT_EQ(undo.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(undo.status().message().find("deleted"), std::string::npos);
  auto structure = db_->Undo(db_->last_sequence(), {"alice", ""});
  EXPECT_EQ(structure.status().code(), StatusCode::kFailedPrecondition);
  // Undo of a write to a member still a leaf works across the change.
  auto east = Set("East", "Feb", 1);
  ASSERT_TRUE(east.ok());
  ASSERT_TRUE(Commit(Change(MemberChange::Kind::kAdd, "North", {{"World", 1}})).ok());
  ASSERT_TRUE(db_->Undo(east->sequence, {"alice", ""}).ok());
  EXPECT_EQ(Read("East", "Feb"), std::nullopt);
}

TEST_F(StructureTest, ViewsAsOfASequenceReadTheStructureOfThen) {
  const uint64_t before = db_->last_sequence();
  MemberChange c = Change(MemberChange::Kind::kDelete, "West");
  c.delete_data = true;
  ASSERT_TRUE(Commit(c).ok());
  auto view = ParseViewJson(
      R"json({"cube": "Sales", "rows": {"dimension": "Region", "members": "descendants(World)"},
          "columns": {"dimension": "Month", "members": ["Jan"]}})json");
  ASSERT_TRUE(view.ok());
  auto past = db_->QueryAsOf(*view, before);
  ASSERT_TRUE(past.ok()) << past.status().ToString();
  ASSERT_EQ(past->rows.size(), 3u);
  EXPECT_EQ(past->values[0], 6);
  EXPECT_EQ(past->rows[2][0].name, "West");
  auto now = db_->FindCube("Sales")->Query(*view);
  ASSERT_TRUE(now.ok());
  EXPECT_EQ(now->rows.size(), 2u);
  EXPECT_EQ(now->values[0], 10);
}

TEST_F(StructureTest, DimensionsAndCubesAreDeletedOnlyWhenFree) {
  auto used = db_->DeleteDimension("Month", {"admin", ""});
  ASSERT_EQ(used.status().code(), StatusCode::kConflict);
  EXPECT_NE(used.status().message().find("'Sales'"), std::string::npos);
  StructureReport report;
  auto full = db_->DeleteCube("Sales", false, {"admin", ""}, &report);
  ASSERT_EQ(full.status().code(), StatusCode::kConflict);
  EXPECT_EQ(report.atoms, 2u);
  ASSERT_TRUE(db_->SaveView("Sales", "v", R"({"cube": "Sales", "rows": {"dimension": "Region",
      "members": "World"}, "columns": {"dimension": "Month", "members": "Q1"}})",
                            {"alice", ""})
                  .ok());
  ASSERT_TRUE(db_->DeleteCube("Sales", true, {"admin", ""}).ok());
  EXPECT_FALSE(db_->FindCube("Sales"));
  ASSERT_TRUE(db_->DeleteDimension("Month", {"admin", ""}).ok());
  EXPECT_FALSE(db_->FindDimension("Month"));
  // A new cube of the old name starts empty, without the old views, and
  // reads none of the old cube's history.
  ASSERT_TRUE(db_->CreateDimension("Month", "member,parent,weight\nJan,,\n", {"a", ""}).ok());
  ASSERT_TRUE(db_->CreateCube("Sales", {"Region", "Month"}, {"a", ""}).ok());
  EXPECT_TRUE(db_->Views("Sales").empty());
  EXPECT_EQ(db_->CubeCreatedSequence("Sales"), db_->last_sequence());
  auto history = db_->CellHistory("Sales", Cell("East", "Jan"));
  ASSERT_TRUE(history.ok());
  EXPECT_TRUE(history->empty());
  EXPECT_EQ(db_->Undo(4, {"a", ""}).status().code(), StatusCode::kNotFound);  // the old write
  Reopen();
  EXPECT_EQ(db_->CubeCreatedSequence("Sales"), db_->last_sequence());
  EXPECT_EQ(db_->FindCube("Sales")->Stats().atoms, 0u);
}

TEST_F(StructureTest, SavedViewsAreCheckedLoggedAndSurviveSnapshots) {
  const std::string view =
      R"json({"cube": "Sales", "rows": {"dimension": "Region", "members": "children(World)"},
          "columns": {"dimension": "Month", "members": ["Jan", "Feb"]}})json";
  auto bad = db_->SaveView("Sales", "v", R"({"cube": "Sales", "rows": {"dimension": "Region",
      "members": "Mars"}, "columns": {"dimension": "Month", "members": "Jan"}})",
                           {"alice", ""});
  ASSERT_EQ(bad.status().code(), StatusCode::kNotFound);
  EXPECT_NE(bad.status().message().find("'Mars'"), std::string::npos);
  EXPECT_EQ(db_->SaveView("Sales", "", view, {"alice", ""}).status().code(),
            StatusCode::kInvalidArgument);
  auto saved = db_->SaveView("Sales", "By region", view, {"alice", ""});
  ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  ASSERT_TRUE(db_->SaveView("Sales", "Other", view, {"bob", ""}).ok());
  ASSERT_TRUE(db_->SaveView("Sales", "by REGION", view, {"carol", ""}).ok());  // replaces
  auto views = db_->Views("Sales");
  ASSERT_EQ(views.size(), 2u);
  EXPECT_EQ(views[0].name, "by REGION");
  EXPECT_EQ(views[0].user, "carol");
  ASSERT_TRUE(db_->Snapshot().ok());
  ASSERT_TRUE(db_->DeleteView("Sales", "other", {"alice", ""}).ok());
  EXPECT_EQ(db_->DeleteView("Sales", "other", {"alice", ""}).status().code(),
            StatusCode::kNotFound);
  Reopen();
  views = db_->Views("Sales");
  ASSERT_EQ(views.size(), 1u);
  EXPECT_EQ(views[0].view, view);
  EXPECT_EQ(views[0].sequence, db_->last_sequence() - 1);  // "by REGION", before the delete
}

TEST_F(StructureTest, ClientIdsArePerUser) {
  WriteBatch b;
  b.Set(Cell("East", "Feb"), 1);
  auto first = db_->Write("Sales", b, {"alice", "save-1"});
  ASSERT_TRUE(first.ok());
  WriteBatch other;
  other.Set(Cell("West", "Feb"), 2);
  // Another user's transaction with the same id is a new one...
  auto bobs = db_->Write("Sales", other, {"bob", "save-1"});
  ASSERT_TRUE(bobs.ok());
  EXPECT_FALSE(bobs->replayed);
  EXPECT_NE(bobs->sequence, first->sequence);
  EXPECT_EQ(Read("West", "Feb"), 2);
  // ...and each user's retry answers with its own original.
  auto again = db_->Write("Sales", other, {"alice", "save-1"});
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->sequence, first->sequence);
  ASSERT_TRUE(db_->Snapshot().ok());
  Reopen();
  auto bob_again = db_->Write("Sales", b, {"bob", "save-1"});
  ASSERT_TRUE(bob_again.ok());
  EXPECT_TRUE(bob_again->replayed);
  EXPECT_EQ(bob_again->sequence, bobs->sequence);
  auto carol = db_->Write("Sales", b, {"carol", "save-1"});
  ASSERT_TRUE(carol.ok());
  EXPECT_FALSE(carol->replayed);
}

TEST_F(StructureTest, ConcurrentWritesAcrossStructureChangesNeverBreakTheLog) {
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < 3; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; !stop; ++i) {
        auto region = db_->FindDimension("Region");
        WriteBatch b;
        b.Set({*region->Find(t == 0 ? "East" : "West"), *db_->FindDimension("Month")->Find("Jan")},
              i);
        auto r = db_->Write("Sales", b, {"w", ""});
        ASSERT_TRUE(r.ok() || r.status().code() == StatusCode::kFailedPrecondition ||
                    r.status().code() == StatusCode::kNotFound)
            << r.status().ToString();
        written += r.ok();
      }
    });
  }
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(
        Commit(Change(MemberChange::Kind::kAdd, "M" + std::to_string(i), {{"World", 1}})).ok());
    if (i % 3 == 0) {
      MemberChange c = Change(MemberChange::Kind::kDelete, "M" + std::to_string(i));
      c.delete_data = true;
      ASSERT_TRUE(Commit(c).ok());
    }
  }
  stop = true;
  for (auto& w : writers) w.join();
  EXPECT_FALSE(db_->Health().writes_refused);
  EXPECT_GT(written.load(), 0);
  db_.reset();
  auto verified = Database::Verify(temp_.path().string());
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
}

TEST(StructureLog, MemberChangeParametersRoundTrip) {
  MemberChange c;
  c.kind = MemberChange::Kind::kUpdate;
  c.dimension = "Region";
  c.member = "East";
  c.new_name = "Eastern";
  c.aliases = std::vector<std::string>{"EA"};
  c.attributes = {{"Currency", AttributeValue(std::string("USD"))},
                  {"Stores", AttributeValue(2.5)},
                  {"Old", std::nullopt}};
  c.children = ChildrenOfDeleted::kOrphan;
  c.delete_data = true;
  c.parents = {{"World", -0.5}};
  Transaction t;
  t.kind = OperationKind::kUpdateMember;
  auto text = MemberChangeParameters(c);
  ASSERT_TRUE(text.ok());
  t.parameters = *text;
  auto back = MemberChangeOf(t);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->new_name, c.new_name);
  EXPECT_EQ(back->aliases, c.aliases);
  EXPECT_EQ(back->attributes, c.attributes);
  EXPECT_EQ(back->children, c.children);
  EXPECT_EQ(back->parents.size(), 1u);
  EXPECT_EQ(back->parents[0].weight, -0.5);
  EXPECT_TRUE(back->delete_data);
  t.parameters = "{\"dimension\": 1}";
  EXPECT_EQ(MemberChangeOf(t).status().code(), StatusCode::kCorruption);
  c.member = "\xff\xfe";  // not UTF-8: no JSON of it
  EXPECT_EQ(MemberChangeParameters(c).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace quantatom
