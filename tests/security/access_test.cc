// The rules of access by example: inheritance, the nearest grant, shared
// members, the leaf cap, several roles, validation and the policy's cache.
#include "security/access.h"

#include <gtest/gtest.h>

namespace quantatom::security {
namespace {

// Region: World = {North = {N1, N2}, South = {S1}}, and Shared = {N2, S1}.
// Month: Year = {Jan, Feb}.
class SecurityAccessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DimensionBuilder region("Region");
    region.AddMember("World");
    region.AddLink("North", "World");
    region.AddLink("South", "World");
    region.AddLink("N1", "North");
    region.AddLink("N2", "North");
    region.AddLink("S1", "South");
    region.AddMember("Shared");
    region.AddLink("N2", "Shared");
    region.AddLink("S1", "Shared");
    region.AddAlias("N1", "Oslo");
    DimensionBuilder month("Month");
    month.AddMember("Year");
    month.AddLink("Jan", "Year");
    month.AddLink("Feb", "Year");
    cube_ = *Cube::Create("Sales", {*std::move(region).Build(), *std::move(month).Build()});
  }

  MemberId M(size_t dim, const std::string& name) { return *cube_->dimensions()[dim]->Find(name); }
  Access CellOf(const CubeAccess& a, const std::string& region, const std::string& month) {
    return a.Cell(std::vector<MemberId>{M(0, region), M(1, month)});
  }
  std::shared_ptr<const CubeAccess> For(std::vector<Role> roles) {
    policy_ = std::make_shared<AccessPolicy>(std::move(roles));
    std::vector<std::string> names;
    for (const Role& r : policy_->roles()) names.push_back(r.name);
    return policy_->ForCube(names, false, *cube_);
  }
  static Role OneCube(std::string name, Access fallback, std::vector<MemberGrant> grants) {
    return {std::move(name), {{"Sales", fallback, std::move(grants)}}};
  }

  std::shared_ptr<Cube> cube_;
  std::shared_ptr<AccessPolicy> policy_;
};

TEST_F(SecurityAccessTest, NearestGrantWinsOverAnInheritedOne) {
  auto a = For({OneCube("r", Access::kWrite,
                        {{"Region", "World", Access::kNone}, {"Region", "North", Access::kRead}})});
  EXPECT_EQ(CellOf(*a, "N1", "Jan"), Access::kRead);  // North's grant
  EXPECT_EQ(CellOf(*a, "S1", "Jan"), Access::kNone);  // World's grant
  EXPECT_EQ(CellOf(*a, "North", "Year"), Access::kRead);
  EXPECT_FALSE(a->MemberVisible(0, M(0, "World")));
  EXPECT_TRUE(a->MemberVisible(0, M(0, "N1")));
  EXPECT_TRUE(a->AnyReadable());
  EXPECT_FALSE(a->AllReadable());
}

TEST_F(SecurityAccessTest, SharedMemberTakesTheNearestGrantThenTheMostRestrictive) {
  // N2 lies one link below North and one below Shared.
  auto tie =
      For({OneCube("r", Access::kWrite,
                   {{"Region", "North", Access::kWrite}, {"Region", "Shared", Access::kRead}})});
  EXPECT_EQ(CellOf(*tie, "N2", "Jan"), Access::kRead);
  EXPECT_EQ(CellOf(*tie, "N1", "Jan"), Access::kWrite);
  // World is two links above N2 (through North), Shared one: Shared is nearer.
  auto month_open = For({OneCube("r", Access::kNone,
                                 {{"Region", "World", Access::kNone},
                                  {"Region", "Shared", Access::kWrite},
                                  {"Month", "Year", Access::kWrite}})});
  EXPECT_EQ(CellOf(*month_open, "N2", "Jan"), Access::kWrite);
  EXPECT_EQ(CellOf(*month_open, "N1", "Jan"), Access::kNone);
}

TEST_F(SecurityAccessTest, TotalOverAHiddenLeafIsMaskedButListed) {
  auto a = For({OneCube("r", Access::kRead, {{"Region", "S1", Access::kNone}})});
  EXPECT_EQ(CellOf(*a, "N1", "Year"), Access::kRead);
  EXPECT_EQ(CellOf(*a, "North", "Jan"), Access::kRead);
  // World, South and Shared sum S1: masked, though their own grant is READ.
  for (const char* total : {"World", "South", "Shared"}) {
    EXPECT_EQ(CellOf(*a, total, "Jan"), Access::kNone) << total;
    EXPECT_TRUE(a->MemberVisible(0, M(0, total))) << total;
  }
  EXPECT_FALSE(a->MemberVisible(0, M(0, "S1")));
}

TEST_F(SecurityAccessTest, CellIsTheMinimumOverDimensionsAndTheBestOverRoles) {
  Role budget = OneCube("budget", Access::kWrite, {{"Month", "Feb", Access::kRead}});
  Role north = OneCube("north", Access::kNone,
                       {{"Region", "North", Access::kWrite}, {"Month", "Year", Access::kWrite}});
  auto one = For({budget});
  EXPECT_EQ(CellOf(*one, "N1", "Feb"), Access::kRead);
  EXPECT_EQ(CellOf(*one, "N1", "Jan"), Access::kWrite);
  auto both = For({budget, north});
  EXPECT_EQ(CellOf(*both, "N1", "Feb"), Access::kWrite);  // north's
  EXPECT_EQ(CellOf(*both, "S1", "Feb"), Access::kRead);   // budget's
}

TEST_F(SecurityAccessTest, SecureByDefault) {
  auto none = For({{"empty", {}}});
  EXPECT_FALSE(none->AnyReadable());
  EXPECT_EQ(CellOf(*none, "N1", "Jan"), Access::kNone);
  auto other = For({{"other", {{"Budget", Access::kWrite, {}}}}});
  EXPECT_FALSE(other->AnyReadable());
  AccessPolicy policy({});
  EXPECT_FALSE(policy.ForCube({}, false, *cube_)->AnyReadable());
  auto admin = policy.ForCube({}, true, *cube_);
  EXPECT_TRUE(admin->unrestricted());
  EXPECT_EQ(CellOf(*admin, "World", "Year"), Access::kWrite);
}

TEST_F(SecurityAccessTest, PolicyCachesPerRoleSetAndIgnoresUnknownRoles) {
  AccessPolicy policy({OneCube("a", Access::kRead, {}), OneCube("B", Access::kWrite, {})});
  std::vector<std::string> ab = {"a", "b"}, ba = {"B", "A", "nobody"};
  auto first = policy.ForCube(ab, false, *cube_);
  EXPECT_EQ(policy.ForCube(ba, false, *cube_), first);
  EXPECT_EQ(CellOf(*first, "N1", "Jan"), Access::kWrite);
  std::vector<std::string> a = {"a"};
  EXPECT_NE(policy.ForCube(a, false, *cube_), first);
  EXPECT_EQ(CellOf(*policy.ForCube(a, false, *cube_), "N1", "Jan"), Access::kRead);
  // Another cube of the same name (a different model) is computed afresh.
  auto again = *Cube::Create("Sales", {cube_->dimensions()[1], cube_->dimensions()[0]});
  auto other = policy.ForCube(ab, false, *again);
  EXPECT_NE(other, first);
  EXPECT_TRUE(other->ComputedFor(*again));
}

TEST_F(SecurityAccessTest, ValidationNamesTheBadGrant) {
  auto check = [&](std::vector<MemberGrant> grants) {
    return ValidateCubeGrant({"Sales", Access::kRead, std::move(grants)}, *cube_);
  };
  EXPECT_TRUE(check({{"region", "oslo", Access::kRead}}).ok());
  Status dim = check({{"Region", "N1", Access::kRead}, {"Product", "X", Access::kRead}});
  EXPECT_EQ(dim.code(), StatusCode::kNotFound);
  EXPECT_NE(dim.message().find("grants[1]"), std::string::npos) << dim.message();
  Status member = check({{"Region", "Mars", Access::kRead}});
  EXPECT_EQ(member.code(), StatusCode::kNotFound);
  EXPECT_NE(member.message().find("Mars"), std::string::npos);
  Status twice = check({{"Region", "N1", Access::kRead}, {"Region", "Oslo", Access::kNone}});
  EXPECT_EQ(twice.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseAccess("Write"), Access::kWrite);
  EXPECT_EQ(ParseAccess("all"), std::nullopt);
}

TEST_F(SecurityAccessTest, ProblemsNameGrantsTheModelLacks) {
  AccessPolicy policy({{"r",
                        {{"Sales", Access::kRead, {{"Region", "Mars", Access::kRead}}},
                         {"Gone", Access::kRead, {}}}}});
  auto problems = policy.Problems(
      [&](std::string_view name) { return FoldCase(name) == "sales" ? cube_ : nullptr; });
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_NE(problems[0].message.find("Mars"), std::string::npos);
  EXPECT_EQ(problems[1].cube, "Gone");
  // The grant on a missing member is ignored, not a crash.
  auto a = policy.ForCube(std::vector<std::string>{"r"}, false, *cube_);
  EXPECT_EQ(CellOf(*a, "N1", "Jan"), Access::kRead);
}

TEST_F(SecurityAccessTest, ReadableDeltasKeepsOnlyReadableCells) {
  auto a = For({OneCube("r", Access::kRead, {{"Region", "South", Access::kNone}})});
  AtomDeltas deltas(2);
  for (const char* region : {"N1", "S1", "N2"}) {
    MemberId c[2] = {M(0, region), M(1, "Jan")};
    deltas.Add(c, std::nullopt, 1.0);
  }
  EXPECT_EQ(ReadableDeltas(*a, deltas), (std::vector<size_t>{0, 2}));
}

}  // namespace
}  // namespace quantatom::security
