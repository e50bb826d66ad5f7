// ParseDimensionCsv: the dims/<Dimension>.csv format of docs/formats.md.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "quantatom/load.h"

namespace quantatom {
namespace {

constexpr std::string_view kFile = "m/dims/Entity.csv";

testing::AssertionResult Contains(const std::string& text, std::string_view part) {
  if (text.find(part) != std::string::npos) return testing::AssertionSuccess();
  return testing::AssertionFailure() << "'" << text << "' does not contain '" << part << "'";
}

Result<std::shared_ptr<const Dimension>> Parse(std::string_view text) {
  return ParseDimensionCsv(text, "Entity", kFile);
}

// Parses `text`, expects a rejection and returns its message.
std::string ErrorOf(std::string_view text) {
  auto dim = Parse(text);
  EXPECT_FALSE(dim.ok()) << "accepted:\n" << text;
  return dim.ok() ? "" : dim.status().message();
}

// Canada has two parents (Americas, Europe); Germany two (Europe, Alt).
constexpr std::string_view kGood =
    "member,parent,weight,alias,ALIAS,attr:Currency,num:Headcount\n"
    "Total,,,,,,\n"
    "Americas,Total,1,AMER,,,\n"
    "US,Americas,1,United States,USA,USD,100\n"
    "Canada,Americas,,CA,,CAD,50.5\n"
    "Europe,Total,1,EMEA,,EUR,\n"
    "Germany,Europe,2,DE,,EUR,-3\n"
    "Canada,Europe,0.5,,,,\n"
    "Adjustments,Total,-1,,,,\n"
    "Alt,,,,,,\n"
    "Germany,Alt,-0.25,,,,\n";

class GoodDimension : public testing::Test {
 protected:
  void SetUp() override {
    auto parsed = Parse(kGood);
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    dim_ = *parsed;
  }
  MemberId Id(std::string_view name) const {
    auto m = dim_->Find(name);
    EXPECT_TRUE(m.has_value()) << name;
    return m.value_or(0);
  }
  LeafOrdinal Leaf(std::string_view name) const { return dim_->leaf_ordinal(Id(name)); }
  std::vector<std::string> ChildNames(std::string_view name) const {
    std::vector<std::string> out;
    for (const WeightedLink& c : dim_->children(Id(name)))
      out.push_back(dim_->member_name(c.member));
    return out;
  }

  std::shared_ptr<const Dimension> dim_;
};

TEST_F(GoodDimension, MembersKeepTheOrderOfTheirFirstRow) {
  EXPECT_EQ(dim_->name(), "Entity");
  ASSERT_EQ(dim_->size(), 8u);
  const char* expected[] = {"Total",  "Americas", "US",          "Canada",
                            "Europe", "Germany",  "Adjustments", "Alt"};
  for (MemberId m = 0; m < 8; ++m) EXPECT_EQ(dim_->member_name(m), expected[m]);
}

TEST_F(GoodDimension, RootsAndChildrenFollowRowOrder) {
  ASSERT_EQ(dim_->roots().size(), 2u);
  EXPECT_EQ(dim_->member_name(dim_->roots()[0]), "Total");
  EXPECT_EQ(dim_->member_name(dim_->roots()[1]), "Alt");
  EXPECT_EQ(ChildNames("Total"), (std::vector<std::string>{"Americas", "Europe", "Adjustments"}));
  EXPECT_EQ(ChildNames("Americas"), (std::vector<std::string>{"US", "Canada"}));
  EXPECT_EQ(ChildNames("Europe"), (std::vector<std::string>{"Germany", "Canada"}));
  EXPECT_EQ(ChildNames("Alt"), (std::vector<std::string>{"Germany"}));
  EXPECT_TRUE(ChildNames("US").empty());
}

TEST_F(GoodDimension, LeavesLevelsAndDepths) {
  EXPECT_EQ(dim_->leaf_count(), 4u);
  EXPECT_EQ(Leaf("US"), 0u);
  EXPECT_EQ(Leaf("Canada"), 1u);
  EXPECT_EQ(Leaf("Germany"), 2u);
  EXPECT_EQ(Leaf("Adjustments"), 3u);
  EXPECT_EQ(dim_->leaf_member(2), Id("Germany"));
  EXPECT_FALSE(dim_->is_leaf(Id("Europe")));
  EXPECT_EQ(dim_->leaf_ordinal(Id("Total")), kNotALeaf);

  EXPECT_EQ(dim_->level(Id("US")), 0);
  EXPECT_EQ(dim_->level(Id("Americas")), 1);
  EXPECT_EQ(dim_->level(Id("Alt")), 1);
  EXPECT_EQ(dim_->level(Id("Total")), 2);
  EXPECT_EQ(dim_->max_level(), 2);

  EXPECT_EQ(dim_->depth(Id("Total")), 0);
  EXPECT_EQ(dim_->depth(Id("Alt")), 0);
  EXPECT_EQ(dim_->depth(Id("Europe")), 1);
  EXPECT_EQ(dim_->depth(Id("Canada")), 2);
  EXPECT_EQ(dim_->depth(Id("Germany")), 1);  // the nearest root is Alt
}

TEST_F(GoodDimension, SharedMemberSumsWeightsOverPaths) {
  auto parents = dim_->parents(Id("Canada"));
  ASSERT_EQ(parents.size(), 2u);
  EXPECT_EQ(parents[0].member, Id("Americas"));
  EXPECT_EQ(parents[0].weight, 1.0);  // an empty weight under a parent means 1
  EXPECT_EQ(parents[1].member, Id("Europe"));
  EXPECT_EQ(parents[1].weight, 0.5);

  auto top = dim_->leaf_weights(Id("Total"));
  ASSERT_EQ(top.size(), 4u);
  const double weights[] = {1.0, 1.5, 2.0, -1.0};  // US, Canada (1 + 0.5), Germany, Adjustments
  for (LeafOrdinal i = 0; i < 4; ++i) {
    EXPECT_EQ(top[i].leaf, i);
    EXPECT_EQ(top[i].weight, weights[i]) << dim_->member_name(dim_->leaf_member(i));
  }
  EXPECT_EQ(dim_->WeightOf(Id("Total"), Leaf("Canada")), 1.5);
  EXPECT_EQ(dim_->WeightOf(Id("Total"), Leaf("Adjustments")), -1.0);
  EXPECT_EQ(dim_->WeightOf(Id("Alt"), Leaf("Germany")), -0.25);
  EXPECT_EQ(dim_->WeightOf(Id("Alt"), Leaf("US")), std::nullopt);
  EXPECT_EQ(dim_->WeightOf(Id("US"), Leaf("US")), 1.0);
  ASSERT_EQ(dim_->leaf_weights(Id("Alt")).size(), 1u);
}

TEST_F(GoodDimension, FindIgnoresAsciiCaseForNamesAndAliases) {
  EXPECT_EQ(dim_->Find("tOTAL"), Id("Total"));
  EXPECT_EQ(dim_->Find("united states"), Id("US"));
  EXPECT_EQ(dim_->Find("usa"), Id("US"));
  EXPECT_EQ(dim_->Find("emea"), Id("Europe"));
  EXPECT_EQ(dim_->Find("Nowhere"), std::nullopt);
  EXPECT_EQ(dim_->Find(" US"), std::nullopt);  // whitespace is part of the name
  auto aliases = dim_->aliases(Id("US"));
  ASSERT_EQ(aliases.size(), 2u);
  EXPECT_EQ(aliases[0], "United States");
  EXPECT_EQ(aliases[1], "USA");
}

TEST_F(GoodDimension, TextAndNumericAttributes) {
  auto names = dim_->attribute_names();
  ASSERT_EQ(names.size(), 2u);
  EXPECT_EQ(names[0], "Currency");
  EXPECT_EQ(names[1], "Headcount");
  EXPECT_EQ(dim_->attribute(Id("US"), 0), AttributeValue(std::string("USD")));
  EXPECT_EQ(dim_->attribute(Id("Canada"), 1), AttributeValue(50.5));
  EXPECT_EQ(dim_->attribute(Id("Germany"), 1), AttributeValue(-3.0));
  EXPECT_FALSE(dim_->attribute(Id("Total"), 0).has_value());
  EXPECT_FALSE(dim_->attribute(Id("Europe"), 1).has_value());
}

TEST(DimensionCsv, QuotedNamesCrlfAndBlankLines) {
  auto dim = Parse(
      "Member,PARENT,Weight,alias\r\n\r\n"
      "Total,,,\r\n"
      "\"Acme Co., Ltd.\",Total,1,\"Say \"\"Hi\"\"\"\r\n\n"
      "Beta,Total,1e0,");
  ASSERT_TRUE(dim.ok()) << dim.status().ToString();
  ASSERT_EQ((*dim)->size(), 3u);
  EXPECT_EQ((*dim)->member_name(1), "Acme Co., Ltd.");
  EXPECT_EQ((*dim)->Find("say \"hi\""), 1u);
  EXPECT_EQ((*dim)->member_name(2), "Beta");
}

TEST(DimensionCsv, AliasEqualToOwnNameIsAllowed) {
  auto dim = Parse("member,parent,weight,alias\nTotal,,,TOTAL\n");
  ASSERT_TRUE(dim.ok()) << dim.status().ToString();
  EXPECT_EQ((*dim)->Find("total"), 0u);
}

TEST(DimensionCsv, CycleNamesEveryMemberOfTheCycle) {
  std::string m = ErrorOf("member,parent,weight\nTotal,,\nA,Total,1\nB,A,1\nC,B,1\nA,C,1\n");
  EXPECT_TRUE(Contains(m, kFile));
  EXPECT_TRUE(Contains(m, "dimension 'Entity'"));
  EXPECT_TRUE(Contains(m, "cycle in hierarchy: A > B > C > A"));
}

TEST(DimensionCsv, SelfLoopIsACycle) {
  EXPECT_TRUE(Contains(ErrorOf("member,parent,weight\nX,X,1\n"), "cycle in hierarchy: X > X"));
}

TEST(DimensionCsv, UnknownParentNamesFileLineColumnAndParent) {
  std::string m = ErrorOf("member,parent,weight\nTotal,,\nEast,Total,1\nWest,Nowhere,1\n");
  EXPECT_TRUE(Contains(m, "m/dims/Entity.csv:4:6: unknown parent 'Nowhere'"));
}

TEST(DimensionCsv, ParentGivenByAliasIsUnknown) {
  std::string m = ErrorOf("member,parent,weight,alias\nTotal,,,T\nEast,T,1,\n");
  EXPECT_TRUE(Contains(m, "m/dims/Entity.csv:3:6: unknown parent 'T'"));
}

TEST(DimensionCsv, NamesDifferingOnlyByCaseAreDuplicates) {
  std::string m = ErrorOf("member,parent,weight\nTotal,,\nEast,Total,1\nEAST,Total,1\n");
  EXPECT_TRUE(Contains(m, kFile));
  EXPECT_TRUE(Contains(m, "duplicate member name 'EAST'"));
  EXPECT_TRUE(Contains(m, "'East'"));
}

TEST(DimensionCsv, AliasCollidingWithAnotherMembersNameIsRejected) {
  std::string m =
      ErrorOf("member,parent,weight,alias\nTotal,,,\nEast,Total,1,west\nWest,Total,1,\n");
  EXPECT_TRUE(Contains(m, "alias 'west' of member 'East' is already the name or alias of 'West'"));
}

TEST(DimensionCsv, AliasCollidingWithAnotherAliasIsRejected) {
  std::string m = ErrorOf("member,parent,weight,alias\nTotal,,,\nEast,Total,1,E\nWest,Total,1,e\n");
  EXPECT_TRUE(Contains(m, "alias 'e' of member 'West' is already the name or alias of 'East'"));
}

TEST(DimensionCsv, NonFiniteWeightNamesPositionAndMember) {
  for (const char* w : {"inf", "nan", "-inf", "infinity"}) {
    std::string m = ErrorOf("member,parent,weight\nTotal,,\nEast,Total," + std::string(w) + "\n");
    EXPECT_TRUE(Contains(m, "m/dims/Entity.csv:3:12: weight '" + std::string(w) + "'"));
    EXPECT_TRUE(Contains(m, "member 'East'"));
  }
}

TEST(DimensionCsv, NonNumericWeightNamesPositionAndMember) {
  for (const char* w : {"one", "1x", "+1", " 1", "1,5"}) {
    std::string row = std::string("East,Total,") + (std::string_view(w) == "1,5" ? "\"1,5\"" : w);
    std::string m = ErrorOf("member,parent,weight\nTotal,,\n" + row + "\n");
    EXPECT_TRUE(
        Contains(m, "m/dims/Entity.csv:3:12: weight '" + std::string(w) + "' is not a number"));
    EXPECT_TRUE(Contains(m, "member 'East'"));
  }
}

TEST(DimensionCsv, WrongFieldCountNamesLine) {
  EXPECT_TRUE(Contains(ErrorOf("member,parent,weight\nTotal,,\nEast,Total\n"),
                       "m/dims/Entity.csv:3:1: expected 3 fields, found 2"));
  EXPECT_TRUE(Contains(ErrorOf("member,parent,weight\nTotal,,,\n"),
                       "m/dims/Entity.csv:2:1: expected 3 fields, found 4"));
}

TEST(DimensionCsv, BadHeaderIsRejected) {
  EXPECT_TRUE(Contains(ErrorOf("name,parent,weight\nTotal,,\n"),
                       "m/dims/Entity.csv:1:1: header column 1 must be 'member', found 'name'"));
  EXPECT_TRUE(Contains(ErrorOf("member,weight,parent\nTotal,,\n"),
                       "m/dims/Entity.csv:1:8: header column 2 must be 'parent'"));
  EXPECT_TRUE(
      Contains(ErrorOf("member,parent\nTotal,\n"), "header must start with member,parent,weight"));
  EXPECT_TRUE(Contains(ErrorOf("member,parent,weight,colour\nTotal,,,red\n"),
                       "m/dims/Entity.csv:1:22: unknown header column 'colour'"));
  EXPECT_TRUE(Contains(ErrorOf("member,parent,weight,attr:\nTotal,,,red\n"),
                       "unknown header column 'attr:'"));
}

TEST(DimensionCsv, EmptyFileIsRejected) {
  EXPECT_TRUE(Contains(ErrorOf(""), "m/dims/Entity.csv: empty file"));
  EXPECT_TRUE(Contains(ErrorOf("\n\r\n"), "m/dims/Entity.csv: empty file"));
}

TEST(DimensionCsv, UnterminatedQuoteNamesWhereItStarts) {
  EXPECT_TRUE(Contains(ErrorOf("member,parent,weight\nTotal,,\nEast,\"Total,1\n"),
                       "m/dims/Entity.csv:3:6: unterminated quoted field"));
}

TEST(DimensionCsv, QuoteInsideUnquotedFieldIsRejected) {
  EXPECT_TRUE(Contains(ErrorOf("member,parent,weight\nTotal,,\nEa\"st,Total,1\n"),
                       "m/dims/Entity.csv:3:3: a quote inside an unquoted field"));
  EXPECT_TRUE(Contains(ErrorOf("member,parent,weight\nTotal,,\n\"East\"x,Total,1\n"),
                       "m/dims/Entity.csv:3:7: unexpected character after a closing quote"));
}

TEST(DimensionCsv, WeightWithoutParentIsRejected) {
  EXPECT_TRUE(Contains(ErrorOf("member,parent,weight\nTotal,,1\n"),
                       "m/dims/Entity.csv:2:8: member 'Total' has a weight but no parent"));
}

TEST(DimensionCsv, EmptyMemberNameIsRejected) {
  EXPECT_TRUE(Contains(ErrorOf("member,parent,weight\nTotal,,\n,Total,1\n"),
                       "m/dims/Entity.csv:3:1: empty member name"));
}

TEST(DimensionCsv, NameLongerThan1024BytesIsRejected) {
  std::string name(1025, 'x');
  EXPECT_TRUE(
      Contains(ErrorOf("member,parent,weight\n" + name + ",,\n"), "longer than 1024 bytes"));
  EXPECT_TRUE(Parse("member,parent,weight\n" + std::string(1024, 'x') + ",,\n").ok());
}

TEST(DimensionCsv, MemberListedTwiceAsRootIsRejected) {
  EXPECT_TRUE(Contains(ErrorOf("member,parent,weight\nTotal,,\nEast,Total,1\nTotal,,\n"),
                       "member 'Total' listed twice as a root"));
}

TEST(DimensionCsv, MemberListedAsRootAndWithParentIsRejected) {
  EXPECT_TRUE(Contains(ErrorOf("member,parent,weight\nTotal,,\nEast,,\nEast,Total,1\n"),
                       "member 'East' is listed as a root and also has a parent"));
}

TEST(DimensionCsv, MemberLinkedTwiceToOneParentIsRejected) {
  EXPECT_TRUE(Contains(ErrorOf("member,parent,weight\nTotal,,\nEast,Total,1\nEast,Total,2\n"),
                       "member 'East' is linked twice to parent 'Total'"));
}

TEST(DimensionCsv, NumericAttributeThatIsNotANumberIsRejected) {
  for (const char* v : {"many", "inf", "nan"}) {
    std::string m = ErrorOf("member,parent,weight,num:Headcount\nTotal,,,\nEast,Total,1," +
                            std::string(v) + "\n");
    EXPECT_TRUE(Contains(
        m, "m/dims/Entity.csv:3:14: member 'East': num:Headcount value '" + std::string(v) + "'"));
  }
}

TEST(DimensionCsv, TwoValuesOfOneAttributeAreRejected) {
  std::string m = ErrorOf(
      "member,parent,weight,attr:Currency\nTotal,,,\nA,Total,1,\nEast,Total,1,USD\nEast,A,1,EUR\n");
  EXPECT_TRUE(Contains(m, "member 'East' has two values for attribute 'Currency'"));
}

}  // namespace
}  // namespace quantatom
