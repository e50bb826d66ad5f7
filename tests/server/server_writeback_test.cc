// Writeback over HTTP: spreads by method and by TM1 shorthand typed into a
// view, refused whole for cells the user may not write, conflicts with a
// stale expected_sequence, copies, clears and allocations.
#include "server_fixture.h"

namespace quantatom::testing {
namespace {

class ServerWritebackTest : public ServerFixture {
 protected:
  HttpReply Post(const std::string& op, const json& body, const std::string& token = "") {
    return client_->Post("/api/cubes/Sales/" + op, body, token.empty() ? token_ : token);
  }
  // One cell of Sales as the API takes it: [region, month].
  static json Cells(std::initializer_list<std::pair<const char*, const char*>> cells) {
    json out = json::array();
    for (auto [region, month] : cells) out.push_back(json::array({region, month}));
    return out;
  }
  // A user whose role writes East only (READ elsewhere).
  std::string EastWriter() {
    EXPECT_EQ(client_->Post("/api/users", {{"name", "bob"}, {"password", "bob-password-1"}}, token_)
                  .status,
              201);
    EXPECT_EQ(client_->Post("/api/roles", {{"name", "east"}}, token_).status, 201);
    EXPECT_EQ(
        client_
            ->Request("PUT", "/api/roles/east/cubes/Sales",
                      json{{"access", "READ"},
                           {"grants",
                            {{{"dimension", "Region"}, {"member", "East"}, {"access", "WRITE"}},
                             {{"dimension", "Month"}, {"member", "Q1"}, {"access", "WRITE"}}}}}
                          .dump(),
                      token_)
            .status,
        200);
    EXPECT_EQ(client_->Post("/api/users/bob/roles", {{"role", "east"}}, token_).status, 200);
    return Login("bob", "bob-password-1");
  }
};

TEST_F(ServerWritebackTest, ProportionalSpreadOntoAConsolidatedCell) {
  // Q1 for East reads 10 (Jan); the spread scales Jan to 30.
  HttpReply r = Post(
      "spread", {{"cells", Cells({{"East", "Q1"}})}, {"method", "proportional"}, {"value", 30}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()["atoms_changed"], 1);
  EXPECT_EQ(Read("East", "Jan"), 30.0);
  HttpReply changes = client_->Get(
      "/api/changes?after=" + std::to_string(r.Json()["sequence"].get<uint64_t>() - 1), token_);
  EXPECT_EQ(changes.Json()["transactions"][0]["kind"], "spread");
}

TEST_F(ServerWritebackTest, ShorthandTypedIntoAViewSpreadsAlongTheRow) {
  json view = {{"rows", {{"dimension", "Region"}, {"members", {"East"}}}},
               {"columns", {{"dimension", "Month"}, {"members", {"Jan", "Feb", "Q1"}}}}};
  // S>100 typed at Jan: Jan and Feb (Q1 lies above them) get 50 each.
  HttpReply r = Post("spread", {{"view", view}, {"anchor", {0, 0}}, {"expression", "S>100"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Read("East", "Jan"), 50.0);
  EXPECT_EQ(Read("East", "Feb"), 50.0);
  EXPECT_EQ(
      Post("spread", {{"cells", Cells({{"East", "Q1"}})}, {"expression", "S>100"}}).ErrorCode(),
      "INVALID_ARGUMENT");  // directions need the view
  EXPECT_EQ(
      Post("spread", {{"cells", Cells({{"East", "Q1"}})}, {"expression", "Q100"}}).ErrorCode(),
      "INVALID_ARGUMENT");
  EXPECT_EQ(Post("spread", {{"view", view}, {"anchor", {5, 0}}, {"expression", "P1"}}).status, 400);
}

TEST_F(ServerWritebackTest, ASpreadTouchingACellTheUserMayNotWriteIsRefusedWhole) {
  const std::string bob = EastWriter();
  ASSERT_FALSE(bob.empty());
  const uint64_t before = db_->last_sequence();
  // World = East - West: the spread would change West's Jan too.
  HttpReply r = Post("spread", {{"cells", Cells({{"World", "Jan"}})}, {"expression", "P12"}}, bob);
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_NE(r.body.find("West"), std::string::npos);
  EXPECT_EQ(db_->last_sequence(), before);
  HttpReply ok = Post("spread", {{"cells", Cells({{"East", "Q1"}})}, {"expression", "P20"}}, bob);
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(Read("East", "Jan"), 20.0);
}

TEST_F(ServerWritebackTest, AStaleExpectedSequenceIsAConflict) {
  const uint64_t seen = db_->last_sequence();
  ASSERT_EQ(WriteCells({{"cells", json::array({CellJson("East", "Jan", 11)})}}).status, 200);
  HttpReply r = Post(
      "spread",
      {{"cells", Cells({{"East", "Q1"}})}, {"expression", "P100"}, {"expected_sequence", seen}});
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(Read("East", "Jan"), 11.0);
  // A change elsewhere is no conflict.
  HttpReply west =
      Post("spread",
           {{"cells", Cells({{"West", "Q1"}})}, {"expression", "P8"}, {"expected_sequence", seen}});
  EXPECT_EQ(west.status, 200) << west.body;
}

TEST_F(ServerWritebackTest, CopyClearAndAllocate) {
  HttpReply copy =
      Post("copy", {{"source", {{"Month", "Jan"}}}, {"target", {{"Month", "Feb"}}}, {"factor", 2}});
  ASSERT_EQ(copy.status, 200) << copy.body;
  EXPECT_EQ(Read("East", "Feb"), 20.0);
  EXPECT_EQ(Read("West", "Feb"), 8.0);
  HttpReply clear = Post("clear", {{"slice", {{"Region", "West"}}}});
  ASSERT_EQ(clear.status, 200) << clear.body;
  EXPECT_EQ(Read("West", "Jan"), std::nullopt);
  HttpReply alloc = Post("allocate", {{"amount", 90},
                                      {"targets", {{"Region", "East"}, {"Month", "Q1"}}},
                                      {"driver_members", json::object()}});
  ASSERT_EQ(alloc.status, 200) << alloc.body;
  EXPECT_EQ(Read("East", "Jan"), 30.0);  // drivers 10 : 20
  EXPECT_EQ(Read("East", "Feb"), 60.0);
  EXPECT_EQ(Post("allocate", {{"amount", 1}, {"targets", {{"Region", "Mars"}}}}).status, 404);
  EXPECT_EQ(Post("copy", {{"source", {{"Month", "Jan"}}}}).ErrorCode(), "INVALID_ARGUMENT");
  EXPECT_EQ(Post("clear", {{"slice", {{"Month", "Jan"}}}, {"typo", 1}}).ErrorCode(),
            "INVALID_ARGUMENT");
}

TEST_F(ServerWritebackTest, MethodsAreListed) {
  HttpReply r = client_->Get("/api/spread/methods", token_);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Json()["methods"].size(), 11u);
  EXPECT_EQ(r.Json()["methods"][0]["code"], "P");
  EXPECT_EQ(client_->Get("/api/spread/methods").status, 401);
}

}  // namespace
}  // namespace quantatom::testing
