// Every spreading method on worked examples: a cube of Version x Account x
// Time where Net = Rev - Cost and Year = Q1 + Q2 (three months each).
#include <gtest/gtest.h>

#include <cmath>

#include "quantatom/load.h"
#include "writeback/spread_plan.h"

namespace quantatom {
namespace {

std::shared_ptr<const Dimension> Dim(const std::string& name, const std::string& csv) {
  auto dim = ParseDimensionCsv("member,parent,weight\n" + csv, name, name + ".csv");
  EXPECT_TRUE(dim.ok()) << dim.status().ToString();
  return *dim;
}

class SpreadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto version = Dim("Version", "Actual,,\nBudget,,\n");
    auto account = Dim("Account", "Net,,\nRev,Net,1\nCost,Net,-1\n");
    auto time = Dim("Time",
                    "Year,,\nQ1,Year,1\nJan,Q1,1\nFeb,Q1,1\nMar,Q1,1\n"
                    "Q2,Year,1\nApr,Q2,1\nMay,Q2,1\nJun,Q2,1\n");
    cube_ = *Cube::Create("Plan", {version, account, time});
  }

  Coordinate Cell(const std::string& v, const std::string& a, const std::string& t) {
    std::vector<std::string> names = {v, a, t};
    auto c = cube_->Resolve(names);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return *c;
  }

  void Set(const std::string& v, const std::string& a, const std::string& t, double value) {
    WriteBatch b;
    b.Set(Cell(v, a, t), value);
    ASSERT_TRUE(cube_->Write(b).ok());
  }

  std::optional<double> Read(const std::string& v, const std::string& a, const std::string& t) {
    return *cube_->ReadCell(Cell(v, a, t));
  }

  // Plans the spread and applies it; the Status of the plan.
  Status Spread(std::vector<Coordinate> cells, SpreadSpec spec, std::vector<Coordinate> holds = {},
                WritebackAccess access = {}, SpreadLimits limits = {}) {
    SpreadRequest r{std::move(cells), std::move(spec), std::move(holds)};
    auto changes = PlanSpread(*cube_, cube_.get(), r, limits, access);
    if (!changes.ok()) return changes.status();
    return cube_->ApplyDeltas(DeltasOf(*cube_, *changes));
  }

  static SpreadSpec Spec(SpreadMethod m, double value, SpreadAction action = SpreadAction::kReplace,
                         double value2 = 0) {
    SpreadSpec s;
    s.method = m;
    s.value = value;
    s.value2 = value2;
    s.action = action;
    return s;
  }

  std::vector<Coordinate> Q1Months(const std::string& v = "Budget", const std::string& a = "Rev") {
    return {Cell(v, a, "Jan"), Cell(v, a, "Feb"), Cell(v, a, "Mar")};
  }

  std::shared_ptr<Cube> cube_;
};

TEST_F(SpreadTest, ProportionalScalesTheLeavesToTheTypedTotal) {
  Set("Budget", "Rev", "Jan", 100);
  Set("Budget", "Rev", "Feb", 200);
  Set("Budget", "Rev", "Mar", 300);
  ASSERT_TRUE(Spread({Cell("Budget", "Rev", "Q1")}, Spec(SpreadMethod::kProportional, 1200)).ok());
  EXPECT_NEAR(Read("Budget", "Rev", "Jan").value_or(NAN), 200, 1e-9);
  EXPECT_NEAR(Read("Budget", "Rev", "Feb").value_or(NAN), 400, 1e-9);
  EXPECT_NEAR(Read("Budget", "Rev", "Mar").value_or(NAN), 600, 1e-9);
  EXPECT_EQ(Read("Budget", "Rev", "Apr"), std::nullopt);  // outside the target: untouched
}

TEST_F(SpreadTest, ProportionalAddAndSubtractMoveTheTotalByTheValue) {
  Set("Budget", "Rev", "Jan", 100);
  Set("Budget", "Rev", "Feb", 300);
  ASSERT_TRUE(Spread({Cell("Budget", "Rev", "Q1")},
                     Spec(SpreadMethod::kProportional, 40, SpreadAction::kAdd))
                  .ok());
  EXPECT_NEAR(Read("Budget", "Rev", "Jan").value_or(NAN), 110, 1e-9);
  EXPECT_NEAR(Read("Budget", "Rev", "Feb").value_or(NAN), 330, 1e-9);
  ASSERT_TRUE(Spread({Cell("Budget", "Rev", "Q1")},
                     Spec(SpreadMethod::kProportional, 220, SpreadAction::kSubtract))
                  .ok());
  EXPECT_NEAR(Read("Budget", "Rev", "Q1").value_or(NAN), 220, 1e-9);
  EXPECT_NEAR(Read("Budget", "Rev", "Jan").value_or(NAN), 55, 1e-9);
}

TEST_F(SpreadTest, ProportionalOverZeroAtomsSharesEquallyAndLeavesEmptyLeavesEmpty) {
  Set("Budget", "Rev", "Jan", 0);
  Set("Budget", "Rev", "Feb", 0);
  ASSERT_TRUE(Spread({Cell("Budget", "Rev", "Q1")}, Spec(SpreadMethod::kProportional, 100)).ok());
  EXPECT_NEAR(Read("Budget", "Rev", "Jan").value_or(NAN), 50, 1e-9);
  EXPECT_NEAR(Read("Budget", "Rev", "Feb").value_or(NAN), 50, 1e-9);
  EXPECT_EQ(Read("Budget", "Rev", "Mar"), std::nullopt);
}

TEST_F(SpreadTest, ProportionalOntoAnEmptyCellFillsEveryLeafEqually) {
  ASSERT_TRUE(Spread({Cell("Budget", "Rev", "Q1")}, Spec(SpreadMethod::kProportional, 300)).ok());
  for (const char* m : {"Jan", "Feb", "Mar"})
    EXPECT_NEAR(Read("Budget", "Rev", m).value_or(NAN), 100, 1e-9) << m;
  EXPECT_NEAR(Read("Budget", "Rev", "Q1").value_or(NAN), 300, 1e-9);
}

TEST_F(SpreadTest, NegativeWeightsStillGiveTheTypedValue) {
  Set("Budget", "Rev", "Jan", 100);
  Set("Budget", "Cost", "Jan", 40);
  ASSERT_TRUE(Spread({Cell("Budget", "Net", "Jan")}, Spec(SpreadMethod::kProportional, 120)).ok());
  EXPECT_NEAR(Read("Budget", "Rev", "Jan").value_or(NAN), 200, 1e-9);
  EXPECT_NEAR(Read("Budget", "Cost", "Jan").value_or(NAN), 80, 1e-9);
  EXPECT_NEAR(Read("Budget", "Net", "Jan").value_or(NAN), 120, 1e-9);
  // Onto an empty Net: equal shares signed by the weights.
  ASSERT_TRUE(Spread({Cell("Budget", "Net", "Feb")}, Spec(SpreadMethod::kProportional, 100)).ok());
  EXPECT_NEAR(Read("Budget", "Rev", "Feb").value_or(NAN), 50, 1e-9);
  EXPECT_NEAR(Read("Budget", "Cost", "Feb").value_or(NAN), -50, 1e-9);
  EXPECT_NEAR(Read("Budget", "Net", "Feb").value_or(NAN), 100, 1e-9);
}

TEST_F(SpreadTest, RevenueAndCostThatCancelOutAreSharedEqually) {
  Set("Budget", "Rev", "Jan", 50);
  Set("Budget", "Cost", "Jan", 50);  // Net reads 0: nothing to be proportional to
  ASSERT_TRUE(Spread({Cell("Budget", "Net", "Jan")}, Spec(SpreadMethod::kProportional, 30)).ok());
  EXPECT_NEAR(Read("Budget", "Net", "Jan").value_or(NAN), 30, 1e-9);
  EXPECT_NEAR(Read("Budget", "Rev", "Jan").value_or(NAN), 15, 1e-9);
  EXPECT_NEAR(Read("Budget", "Cost", "Jan").value_or(NAN), -15, 1e-9);
}

TEST_F(SpreadTest, EqualSharesTheValueAmongTheRangeCells) {
  Set("Budget", "Rev", "Jan", 10);
  ASSERT_TRUE(Spread(Q1Months(), Spec(SpreadMethod::kEqual, 300)).ok());
  for (const char* m : {"Jan", "Feb", "Mar"})
    EXPECT_NEAR(Read("Budget", "Rev", m).value_or(NAN), 100, 1e-9) << m;
  ASSERT_TRUE(Spread(Q1Months(), Spec(SpreadMethod::kEqual, 30, SpreadAction::kAdd)).ok());
  for (const char* m : {"Jan", "Feb", "Mar"})
    EXPECT_NEAR(Read("Budget", "Rev", m).value_or(NAN), 110, 1e-9) << m;
}

TEST_F(SpreadTest, EqualOntoQuartersPassesEachShareDownProportionally) {
  Set("Budget", "Rev", "Jan", 1);
  Set("Budget", "Rev", "Feb", 3);
  std::vector<Coordinate> quarters = {Cell("Budget", "Rev", "Q1"), Cell("Budget", "Rev", "Q2")};
  ASSERT_TRUE(Spread(quarters, Spec(SpreadMethod::kEqual, 800)).ok());
  EXPECT_NEAR(Read("Budget", "Rev", "Jan").value_or(NAN), 100, 1e-9);
  EXPECT_NEAR(Read("Budget", "Rev", "Feb").value_or(NAN), 300, 1e-9);
  EXPECT_NEAR(Read("Budget", "Rev", "Q2").value_or(NAN), 400,
              1e-9);  // empty before: every month a third
  EXPECT_NEAR(*Read("Budget", "Rev", "Apr"), 400.0 / 3, 1e-9);
}

TEST_F(SpreadTest, RepeatPutsTheValueInEveryCell) {
  Set("Budget", "Rev", "Feb", 80);
  ASSERT_TRUE(Spread(Q1Months(), Spec(SpreadMethod::kRepeat, 50)).ok());
  for (const char* m : {"Jan", "Feb", "Mar"})
    EXPECT_NEAR(Read("Budget", "Rev", m).value_or(NAN), 50, 1e-9) << m;
  ASSERT_TRUE(Spread(Q1Months(), Spec(SpreadMethod::kRepeat, 20, SpreadAction::kSubtract)).ok());
  for (const char* m : {"Jan", "Feb", "Mar"})
    EXPECT_NEAR(Read("Budget", "Rev", m).value_or(NAN), 30, 1e-9) << m;
}

TEST_F(SpreadTest, PercentChangeMultipliesOrAddsAPercentage) {
  Set("Budget", "Rev", "Jan", 200);
  Set("Budget", "Rev", "Feb", -100);
  ASSERT_TRUE(Spread({Cell("Budget", "Rev", "Q1")},
                     Spec(SpreadMethod::kPercentChange, 10, SpreadAction::kAdd))
                  .ok());
  EXPECT_NEAR(Read("Budget", "Rev", "Jan").value_or(NAN), 220, 1e-9);
  EXPECT_NEAR(Read("Budget", "Rev", "Feb").value_or(NAN), -110,
              1e-9);  // away from zero, unlike TM1's quirk
  ASSERT_TRUE(Spread({Cell("Budget", "Rev", "Jan")}, Spec(SpreadMethod::kPercentChange, 50)).ok());
  EXPECT_NEAR(Read("Budget", "Rev", "Jan").value_or(NAN), 110, 1e-9);
}

TEST_F(SpreadTest, StraightLineAndGrowthFollowTheRangeOrder) {
  ASSERT_TRUE(
      Spread(Q1Months(), Spec(SpreadMethod::kStraightLine, 100, SpreadAction::kReplace, 300)).ok());
  EXPECT_NEAR(Read("Budget", "Rev", "Jan").value_or(NAN), 100, 1e-9);
  EXPECT_NEAR(Read("Budget", "Rev", "Feb").value_or(NAN), 200, 1e-9);
  EXPECT_NEAR(Read("Budget", "Rev", "Mar").value_or(NAN), 300, 1e-9);
  ASSERT_TRUE(
      Spread(Q1Months("Actual"), Spec(SpreadMethod::kGrowth, 100, SpreadAction::kReplace, 10))
          .ok());
  EXPECT_NEAR(Read("Actual", "Rev", "Jan").value_or(NAN), 100, 1e-9);
  EXPECT_NEAR(*Read("Actual", "Rev", "Feb"), 110, 1e-9);
  EXPECT_NEAR(*Read("Actual", "Rev", "Mar"), 121, 1e-9);
}

TEST_F(SpreadTest, RelativeProportionalFollowsTheReferenceLeaves) {
  Set("Actual", "Rev", "Jan", 1);
  Set("Actual", "Rev", "Feb", 2);
  Set("Actual", "Rev", "Mar", 3);
  Set("Budget", "Rev", "Mar", 999);
  SpreadSpec s = Spec(SpreadMethod::kRelativeProportional, 600);
  s.reference = SpreadReference{"", {{"Version", "Actual"}}};
  ASSERT_TRUE(Spread({Cell("Budget", "Rev", "Q1")}, s).ok());
  EXPECT_NEAR(Read("Budget", "Rev", "Jan").value_or(NAN), 100, 1e-9);
  EXPECT_NEAR(Read("Budget", "Rev", "Feb").value_or(NAN), 200, 1e-9);
  EXPECT_NEAR(Read("Budget", "Rev", "Mar").value_or(NAN), 300, 1e-9);
  // Q2 from Q1's pattern: the quarters' months are paired in order.
  s.reference = SpreadReference{"", {{"Time", "Q1"}}};
  s.value = 60;
  ASSERT_TRUE(Spread({Cell("Budget", "Rev", "Q2")}, s).ok());
  EXPECT_NEAR(Read("Budget", "Rev", "Apr").value_or(NAN), 10, 1e-9);
  EXPECT_NEAR(Read("Budget", "Rev", "Jun").value_or(NAN), 30, 1e-9);
}

TEST_F(SpreadTest, RelativePercentTakesAPercentageOfEachReferenceLeaf) {
  Set("Actual", "Rev", "Jan", 100);
  Set("Actual", "Rev", "Feb", 200);
  Set("Budget", "Rev", "Mar", 5);  // no reference leaf: replaced by the reference's emptiness
  SpreadSpec s = Spec(SpreadMethod::kRelativePercent, 50);
  s.reference = SpreadReference{"", {{"Version", "Actual"}}};
  ASSERT_TRUE(Spread({Cell("Budget", "Rev", "Q1")}, s).ok());
  EXPECT_NEAR(Read("Budget", "Rev", "Jan").value_or(NAN), 50, 1e-9);
  EXPECT_NEAR(Read("Budget", "Rev", "Feb").value_or(NAN), 100, 1e-9);
  EXPECT_EQ(Read("Budget", "Rev", "Mar"), std::nullopt);
  s.action = SpreadAction::kAdd;
  s.value = 10;
  ASSERT_TRUE(Spread({Cell("Budget", "Rev", "Q1")}, s).ok());
  EXPECT_NEAR(Read("Budget", "Rev", "Jan").value_or(NAN), 60, 1e-9);
}

TEST_F(SpreadTest, RelativeSpreadRefusesReferenceMembersWithOtherLeafCounts) {
  SpreadSpec s = Spec(SpreadMethod::kRelativeProportional, 10);
  s.reference = SpreadReference{"", {{"Time", "Year"}}};
  Status st = Spread({Cell("Budget", "Rev", "Q1")}, s);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("cannot be paired"), std::string::npos) << st.message();
}

TEST_F(SpreadTest, EqualLeavesAndRepeatLeavesTakePopulatedOrAllLeaves) {
  Set("Budget", "Rev", "Jan", 7);
  Set("Budget", "Rev", "Feb", 9);
  SpreadSpec s = Spec(SpreadMethod::kEqualLeaves, 300);
  ASSERT_TRUE(Spread({Cell("Budget", "Rev", "Q1")}, s).ok());
  EXPECT_NEAR(Read("Budget", "Rev", "Jan").value_or(NAN), 150, 1e-9);
  EXPECT_EQ(Read("Budget", "Rev", "Mar"), std::nullopt);
  s.all_leaves = true;
  ASSERT_TRUE(Spread({Cell("Budget", "Rev", "Q1")}, s).ok());
  EXPECT_NEAR(Read("Budget", "Rev", "Mar").value_or(NAN), 100, 1e-9);
  SpreadSpec r = Spec(SpreadMethod::kRepeatLeaves, 7);
  r.all_leaves = true;
  ASSERT_TRUE(Spread({Cell("Budget", "Rev", "Year")}, r).ok());
  EXPECT_NEAR(Read("Budget", "Rev", "Jun").value_or(NAN), 7, 1e-9);
  EXPECT_NEAR(Read("Budget", "Rev", "Year").value_or(NAN), 42, 1e-9);
}

TEST_F(SpreadTest, ClearEmptiesEveryLeafBeneathButHeldOnes) {
  Set("Actual", "Rev", "Jan", 1);
  Set("Actual", "Cost", "May", 2);
  Set("Actual", "Rev", "Jun", 3);
  ASSERT_TRUE(Spread({Cell("Actual", "Net", "Year")}, Spec(SpreadMethod::kClear, 0),
                     {Cell("Actual", "Rev", "Jun")})
                  .ok());
  EXPECT_EQ(Read("Actual", "Rev", "Jan"), std::nullopt);
  EXPECT_EQ(Read("Actual", "Cost", "May"), std::nullopt);
  EXPECT_NEAR(Read("Actual", "Rev", "Jun").value_or(NAN), 3, 1e-9);
}

TEST_F(SpreadTest, HeldLeavesKeepTheirValuesAndTheOthersMeetTheTotal) {
  Set("Budget", "Rev", "Jan", 100);
  Set("Budget", "Rev", "Feb", 200);
  Set("Budget", "Rev", "Mar", 300);
  ASSERT_TRUE(Spread({Cell("Budget", "Rev", "Q1")}, Spec(SpreadMethod::kProportional, 1100),
                     {Cell("Budget", "Rev", "Jan")})
                  .ok());
  EXPECT_NEAR(Read("Budget", "Rev", "Jan").value_or(NAN), 100, 1e-9);
  EXPECT_NEAR(*Read("Budget", "Rev", "Feb"), 400, 1e-9);
  EXPECT_NEAR(*Read("Budget", "Rev", "Mar"), 600, 1e-9);
}

TEST_F(SpreadTest, AHeldQuarterKeepsItsValueWhenTheYearIsSpread) {
  Set("Budget", "Rev", "Jan", 100);
  Set("Budget", "Rev", "Apr", 100);
  ASSERT_TRUE(Spread({Cell("Budget", "Rev", "Year")}, Spec(SpreadMethod::kProportional, 500),
                     {Cell("Budget", "Rev", "Q1")})
                  .ok());
  EXPECT_NEAR(Read("Budget", "Rev", "Q1").value_or(NAN), 100, 1e-9);
  EXPECT_NEAR(Read("Budget", "Rev", "Q2").value_or(NAN), 400, 1e-9);
}

TEST_F(SpreadTest, ASpreadThatCannotMeetItsTotalIsRefused) {
  Set("Budget", "Rev", "Jan", 100);
  // A held target cannot take another value.
  Status st = Spread({Cell("Budget", "Rev", "Q1")}, Spec(SpreadMethod::kProportional, 500),
                     {Cell("Budget", "Rev", "Q1")});
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_NEAR(Read("Budget", "Rev", "Q1").value_or(NAN), 100, 1e-9);
  st = Spread(Q1Months(), Spec(SpreadMethod::kEqual, 500), {Cell("Budget", "Rev", "Q1")});
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(st.message().find("held"), std::string::npos) << st.message();
}

TEST_F(SpreadTest, ARangeSpreadsToItsMostDetailedCells) {
  Set("Budget", "Rev", "Jan", 1);
  Set("Budget", "Rev", "Feb", 1);
  auto range = Q1Months();
  range.push_back(Cell("Budget", "Rev", "Q1"));  // lies above the months: left out
  ASSERT_TRUE(Spread(range, Spec(SpreadMethod::kRepeat, 5)).ok());
  EXPECT_NEAR(Read("Budget", "Rev", "Q1").value_or(NAN), 15, 1e-9);
}

TEST_F(SpreadTest, CellsTheCallerMayNotWriteRefuseTheSpreadNamingThem) {
  Set("Budget", "Rev", "Jan", 1);
  Set("Budget", "Rev", "Feb", 1);
  const MemberId feb = *cube_->dimensions()[2]->Find("Feb");
  WritebackAccess access;
  access.writable = [feb](std::span<const MemberId> c) { return c[2] != feb; };
  Status st =
      Spread({Cell("Budget", "Rev", "Q1")}, Spec(SpreadMethod::kProportional, 10), {}, access);
  EXPECT_EQ(st.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(st.message().find("(Budget, Rev, Feb)"), std::string::npos) << st.message();
  EXPECT_NEAR(Read("Budget", "Rev", "Jan").value_or(NAN), 1, 1e-9);
}

TEST_F(SpreadTest, RoundingKeepsTheTypedTotal) {
  SpreadSpec s = Spec(SpreadMethod::kEqual, 100);
  s.decimals = 2;
  ASSERT_TRUE(Spread(Q1Months(), s).ok());
  double jan = *Read("Budget", "Rev", "Jan"), feb = *Read("Budget", "Rev", "Feb");
  EXPECT_EQ(jan, 33.34);
  EXPECT_EQ(feb, 33.33);
  EXPECT_NEAR(*Read("Budget", "Rev", "Q1"), 100, 1e-9);
}

TEST_F(SpreadTest, EqualOntoAHugeEmptyCellIsRefusedPastTheLimit) {
  SpreadLimits limits;
  limits.leaves_max = 2;
  Status st =
      Spread({Cell("Budget", "Rev", "Q1")}, Spec(SpreadMethod::kProportional, 9), {}, {}, limits);
  EXPECT_EQ(st.code(), StatusCode::kLimitExceeded);
}

TEST(SpreadExpression, ParsesTheTm1Shorthand) {
  auto e = ParseSpreadExpression("P<>100");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->spec.method, SpreadMethod::kProportional);
  EXPECT_TRUE(e->directions.left && e->directions.right && !e->directions.up);
  EXPECT_EQ(e->spec.value, 100);
  e = ParseSpreadExpression("s+|^200");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->spec.method, SpreadMethod::kEqual);
  EXPECT_EQ(e->spec.action, SpreadAction::kAdd);
  EXPECT_TRUE(e->directions.up && e->directions.down);
  e = ParseSpreadExpression("R~50");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->spec.action, SpreadAction::kSubtract);
  e = ParseSpreadExpression("P%+10");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->spec.method, SpreadMethod::kPercentChange);
  e = ParseSpreadExpression("SL100:200");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->spec.value2, 200);
  e = ParseSpreadExpression("GR300:25");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->spec.method, SpreadMethod::kGrowth);
  EXPECT_EQ(e->spec.value2, 25);
  e = ParseSpreadExpression("C");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->spec.method, SpreadMethod::kClear);
  e = ParseSpreadExpression("RP1000");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->spec.method, SpreadMethod::kRelativeProportional);
  e = ParseSpreadExpression("R%+20");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->spec.method, SpreadMethod::kRelativePercent);
  e = ParseSpreadExpression("P-12.5");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->spec.value, -12.5);
}

TEST(SpreadExpression, ErrorsNameTheColumn) {
  auto e = ParseSpreadExpression("X100");
  EXPECT_NE(e.status().message().find("column 1"), std::string::npos) << e.status().message();
  e = ParseSpreadExpression("SL100");
  EXPECT_NE(e.status().message().find("column 6"), std::string::npos) << e.status().message();
  e = ParseSpreadExpression("P10x");
  EXPECT_NE(e.status().message().find("column 4"), std::string::npos) << e.status().message();
  EXPECT_FALSE(ParseSpreadExpression("SL|>1:2").ok());
  EXPECT_FALSE(ParseSpreadExpression("P++1").ok());
  EXPECT_FALSE(ParseSpreadExpression("C+").ok());
  EXPECT_FALSE(ParseSpreadExpression("").ok());
}

TEST(SpreadExpression, DirectionsCoverTheViewFromTheTypedCell) {
  SpreadDirections right;
  right.right = true;
  auto r = DirectionalRange(3, 4, 1, 1, right);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r.front(), std::make_pair(size_t{1}, size_t{1}));
  EXPECT_EQ(r.back(), std::make_pair(size_t{1}, size_t{3}));
  SpreadDirections all{true, true, true, true};
  EXPECT_EQ(DirectionalRange(3, 4, 1, 1, all).size(), 12u);
  EXPECT_EQ(DirectionalRange(3, 4, 1, 1, {}).size(), 1u);
}

}  // namespace
}  // namespace quantatom
