// EvaluateSelection: the member terms of an axis (quantatom/view.h).
#include "view/selection.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "quantatom/load.h"

namespace quantatom {
namespace {

testing::AssertionResult Contains(const std::string& text, std::string_view part) {
  if (text.find(part) != std::string::npos) return testing::AssertionSuccess();
  return testing::AssertionFailure() << "'" << text << "' does not contain '" << part << "'";
}

// Oslo is shared by North and South; Other is a second root and a leaf.
constexpr std::string_view kRegion =
    "member,parent,weight,alias\n"
    "Total,,,\n"
    "North,Total,1,N\n"
    "\"Acme (North), Inc.\",North,1,\n"
    "Oslo,North,1,\n"
    "South,Total,1,\n"
    "Rome,South,1,\n"
    "Athens,South,1,\n"
    "Oslo,South,1,\n"
    "Other,,,\n"
    "\"children(Total)\",Other,1,\n";

// "name@depth" for each selected member.
using Picks = std::vector<std::string>;

class Selection : public testing::Test {
 protected:
  void SetUp() override {
    auto dim = ParseDimensionCsv(kRegion, "Region", "Region.csv");
    ASSERT_TRUE(dim.ok()) << dim.status().ToString();
    dim_ = *dim;
  }

  Result<std::vector<HeaderMember>> Eval(std::vector<std::string> terms,
                                         HierarchyOrder order = HierarchyOrder::kParentsFirst) {
    return EvaluateSelection(*dim_, terms, order);
  }

  Picks Select(std::vector<std::string> terms,
               HierarchyOrder order = HierarchyOrder::kParentsFirst) {
    auto members = Eval(std::move(terms), order);
    EXPECT_TRUE(members.ok()) << members.status().ToString();
    Picks out;
    if (!members.ok()) return out;
    for (const HeaderMember& h : *members) {
      EXPECT_EQ(h.name, dim_->member_name(h.id));
      EXPECT_EQ(h.leaf, dim_->is_leaf(h.id)) << h.name;
      out.push_back(h.name + "@" + std::to_string(h.depth));
    }
    return out;
  }

  std::string ErrorOf(std::vector<std::string> terms, StatusCode code) {
    auto members = Eval(std::move(terms));
    EXPECT_FALSE(members.ok());
    if (members.ok()) return "";
    EXPECT_EQ(members.status().code(), code) << members.status().ToString();
    return members.status().message();
  }

  std::shared_ptr<const Dimension> dim_;
};

TEST_F(Selection, MemberByNameAliasOrAnyCase) {
  EXPECT_EQ(Select({"North", "n", "SOUTH", " Rome "}),
            (Picks{"North@1", "North@1", "South@1", "Rome@2"}));
}

TEST_F(Selection, NameWithParenthesesOrCommaResolvesAsMember) {
  EXPECT_EQ(Select({"Acme (North), Inc."}), (Picks{"Acme (North), Inc.@2"}));
  // A member named like a function call is the member, not the call.
  EXPECT_EQ(Select({"children(Total)"}), (Picks{"children(Total)@1"}));
}

TEST_F(Selection, ChildrenInRowOrderOneLevelDown) {
  EXPECT_EQ(Select({"children(North)"}), (Picks{"Acme (North), Inc.@2", "Oslo@2"}));
  EXPECT_EQ(Select({"children( n )"}), (Picks{"Acme (North), Inc.@2", "Oslo@2"}));
  EXPECT_TRUE(Select({"children(Rome)"}).empty());
}

TEST_F(Selection, DescendantsParentsFirstVisitsSharedMemberOnEachPath) {
  EXPECT_EQ(Select({"descendants(Total)"}),
            (Picks{"Total@0", "North@1", "Acme (North), Inc.@2", "Oslo@2", "South@1", "Rome@2",
                   "Athens@2", "Oslo@2"}));
}

TEST_F(Selection, DescendantsParentsLastPutsParentsAfterChildren) {
  EXPECT_EQ(Select({"descendants(Total)"}, HierarchyOrder::kParentsLast),
            (Picks{"Acme (North), Inc.@2", "Oslo@2", "North@1", "Rome@2", "Athens@2", "Oslo@2",
                   "South@1", "Total@0"}));
}

TEST_F(Selection, DescendantsOfAnInnerMemberKeepItsDepth) {
  EXPECT_EQ(Select({"descendants(South)"}), (Picks{"South@1", "Rome@2", "Athens@2", "Oslo@2"}));
}

TEST_F(Selection, DescendantsWithLevelCount) {
  EXPECT_EQ(Select({"descendants(Total, 1)"}), (Picks{"Total@0", "North@1", "South@1"}));
  EXPECT_EQ(Select({"descendants(Total,0)"}), (Picks{"Total@0"}));
  EXPECT_EQ(Select({"descendants(Total, 1)"}, HierarchyOrder::kParentsLast),
            (Picks{"North@1", "South@1", "Total@0"}));
}

TEST_F(Selection, DescendantsLeavesListsEachLeafOnce) {
  const Picks leaves{"Acme (North), Inc.@2", "Oslo@2", "Rome@2", "Athens@2"};
  EXPECT_EQ(Select({"descendants(Total, leaves)"}), leaves);
  EXPECT_EQ(Select({"leaves(Total)"}), leaves);
  EXPECT_EQ(Select({"leaves(South)"}), (Picks{"Rome@2", "Athens@2", "Oslo@2"}));
  EXPECT_EQ(Select({"leaves(Rome)"}), (Picks{"Rome@2"}));
}

// Disabled until the leaves() dedup ignores members picked by earlier terms:
// today "Oslo" before leaves(South) removes Oslo from the leaves.
TEST_F(Selection, LeavesDedupOnlyWithinOneTerm) {
  EXPECT_EQ(Select({"Oslo", "leaves(South)"}), (Picks{"Oslo@2", "Rome@2", "Athens@2", "Oslo@2"}));
}

TEST_F(Selection, LevelSelectsByTm1LevelInMemberOrder) {
  EXPECT_EQ(Select({"level(0)"}),
            (Picks{"Acme (North), Inc.@2", "Oslo@2", "Rome@2", "Athens@2", "children(Total)@1"}));
  EXPECT_EQ(Select({"level(1)"}), (Picks{"North@1", "South@1", "Other@0"}));
  EXPECT_EQ(Select({"level(2)"}), (Picks{"Total@0"}));
  EXPECT_TRUE(Select({"level(3)"}).empty());
}

TEST_F(Selection, MembersWalksEveryRootInOrder) {
  EXPECT_EQ(Select({"members()"}),
            (Picks{"Total@0", "North@1", "Acme (North), Inc.@2", "Oslo@2", "South@1", "Rome@2",
                   "Athens@2", "Oslo@2", "Other@0", "children(Total)@1"}));
  Picks last = Select({"members()"}, HierarchyOrder::kParentsLast);
  ASSERT_EQ(last.size(), 10u);
  EXPECT_EQ(last[7], "Total@0");
  EXPECT_EQ(last[9], "Other@0");
}

TEST_F(Selection, TermsAreConcatenatedInOrder) {
  EXPECT_EQ(Select({"children(South)", "Total", "level(2)"}),
            (Picks{"Rome@2", "Athens@2", "Oslo@2", "Total@0", "Total@0"}));
}

TEST_F(Selection, UnknownMemberIsNotFound) {
  EXPECT_TRUE(Contains(ErrorOf({"North", "Nowhere"}, StatusCode::kNotFound),
                       "unknown member 'Nowhere' of dimension 'Region'"));
  std::string m = ErrorOf({"children(Nowhere)"}, StatusCode::kNotFound);
  EXPECT_TRUE(Contains(m, "selection 'children(Nowhere)'"));
  EXPECT_TRUE(Contains(m, "unknown member 'Nowhere'"));
  EXPECT_TRUE(Contains(ErrorOf({"leaves(Acme (North), Inc)"}, StatusCode::kNotFound),
                       "unknown member 'Acme (North), Inc'"));
  EXPECT_TRUE(Contains(ErrorOf({""}, StatusCode::kNotFound), "unknown member ''"));
}

TEST_F(Selection, UnknownFunctionIsInvalid) {
  std::string m = ErrorOf({"siblings(North)"}, StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(m, "dimension 'Region', selection 'siblings(North)'"));
  EXPECT_TRUE(Contains(m, "unknown selection function 'siblings'"));
  EXPECT_TRUE(Contains(ErrorOf({"members(Total)"}, StatusCode::kInvalidArgument),
                       "unknown selection function 'members'"));
}

TEST_F(Selection, BadArgumentsAreRejected) {
  EXPECT_TRUE(Contains(ErrorOf({"level(x)"}, StatusCode::kInvalidArgument),
                       "level() takes a whole number, got 'x'"));
  EXPECT_TRUE(Contains(ErrorOf({"level(-1)"}, StatusCode::kInvalidArgument), "got '-1'"));
  // A count that is not a whole number stays part of the member name.
  EXPECT_TRUE(Contains(ErrorOf({"descendants(Total, -1)"}, StatusCode::kNotFound),
                       "unknown member 'Total, -1'"));
  EXPECT_TRUE(Contains(ErrorOf({"descendants(Total, all)"}, StatusCode::kNotFound),
                       "unknown member 'Total, all'"));
}

}  // namespace
}  // namespace quantatom
