// Committing sandbox cells over a base that moved: each policy on a worked
// example with a conflicted cell, an unconflicted one and a cleared one.
#include "writeback/merge_plan.h"

#include <gtest/gtest.h>

#include "quantatom/load.h"

namespace quantatom {
namespace {

class MergePlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto region = ParseDimensionCsv(
        "member,parent,weight\nWorld,,\nA,World,1\nB,World,1\nC,World,1\n", "Region", "r");
    cube_ = *Cube::Create("Sales", {*region});
  }
  Coordinate Cell(const char* name) { return {*cube_->dimensions()[0]->Find(name)}; }
  uint64_t Key(const char* name) {
    LeafOrdinal leaf = cube_->dimensions()[0]->leaf_ordinal(Cell(name)[0]);
    return cube_->PackLeaves(&leaf);
  }
  void Set(const char* name, double v) {
    WriteBatch b;
    b.Set(Cell(name), v);
    ASSERT_TRUE(cube_->Write(b).ok());
  }
  // Base now: A 15 (was 10 when the sandbox started), B 20, C 30. Mine: A 12,
  // B 25, C emptied.
  MergeInput Input() {
    Set("A", 15);
    Set("B", 20);
    Set("C", 30);
    MergeInput in;
    in.mine = {{Cell("A"), 12}, {Cell("B"), 25}, {Cell("C"), std::nullopt}};
    in.changed_since[Key("A")] = {10, 7, "bob"};
    return in;
  }
  std::optional<double> NewValueOf(const MergePlan& plan, const char* name) {
    for (const LeafChange& c : plan.changes)
      if (c.key == Key(name)) return c.new_value;
    return std::nullopt;
  }

  std::shared_ptr<Cube> cube_;
};

TEST_F(MergePlanTest, RefuseReportsTheConflictAndWritesNothing) {
  auto plan = PlanMerge(*cube_, Input(), ConflictPolicy::kRefuse);
  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(plan->refused);
  EXPECT_TRUE(plan->changes.empty());
  ASSERT_EQ(plan->conflicts.size(), 1u);
  EXPECT_EQ(plan->conflicts[0].base, 10);
  EXPECT_EQ(plan->conflicts[0].mine, 12);
  EXPECT_EQ(plan->conflicts[0].theirs, 15);
  EXPECT_EQ(plan->conflicts[0].sequence, 7u);  // the base's change, and who made it
  EXPECT_EQ(plan->conflicts[0].user, "bob");
}

TEST_F(MergePlanTest, KeepMineKeepTheirsAndMergeDeltas) {
  auto mine = PlanMerge(*cube_, Input(), ConflictPolicy::kKeepMine);
  ASSERT_TRUE(mine.ok());
  EXPECT_EQ(mine->changes.size(), 3u);
  EXPECT_EQ(NewValueOf(*mine, "A"), 12);
  auto theirs = PlanMerge(*cube_, Input(), ConflictPolicy::kKeepTheirs);
  ASSERT_TRUE(theirs.ok());
  EXPECT_EQ(theirs->changes.size(), 2u);  // A stays 15
  EXPECT_EQ(NewValueOf(*theirs, "B"), 25);
  EXPECT_EQ(theirs->conflicts[0].result, 15);
  auto merged = PlanMerge(*cube_, Input(), ConflictPolicy::kMergeDeltas);
  ASSERT_TRUE(merged.ok());
  EXPECT_EQ(NewValueOf(*merged, "A"), 17);                    // 15 + (12 - 10)
  EXPECT_EQ(merged->changes.back().new_value, std::nullopt);  // C: emptied as mine says
}

TEST_F(MergePlanTest, PoliciesHaveNames) {
  for (auto p : {ConflictPolicy::kRefuse, ConflictPolicy::kKeepMine, ConflictPolicy::kKeepTheirs,
                 ConflictPolicy::kMergeDeltas})
    EXPECT_EQ(ParseConflictPolicy(ConflictPolicyName(p)), p);
  EXPECT_EQ(ParseConflictPolicy("yours"), std::nullopt);
}

TEST_F(MergePlanTest, ACellThatIsNoLongerALeafIsRefused) {
  MergeInput in;
  in.mine = {{Cell("World"), 1}};
  EXPECT_EQ(PlanMerge(*cube_, in, ConflictPolicy::kKeepMine).status().code(),
            StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace quantatom
