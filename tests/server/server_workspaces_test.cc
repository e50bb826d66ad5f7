// Holds, sandboxes and offline edits over HTTP: private to their user,
// conflicts answered 409 with base, mine and theirs, a policy resolving them.
#include "server_fixture.h"

namespace quantatom::testing {
namespace {

class ServerWorkspacesTest : public ServerFixture {
 protected:
  HttpReply Post(const std::string& path, const json& body, const std::string& token = "") {
    return client_->Post("/api/cubes/Sales/" + path, body, token.empty() ? token_ : token);
  }
  static json Cells(std::initializer_list<std::pair<const char*, const char*>> cells) {
    json out = json::array();
    for (auto [region, month] : cells) out.push_back(json::array({region, month}));
    return out;
  }
  static json Writes(std::initializer_list<std::tuple<const char*, const char*, double>> cells) {
    json out = json::array();
    for (auto [region, month, v] : cells) out.push_back(CellJson(region, month, v));
    return out;
  }
  json ViewThrough(const std::string& sandbox, const std::string& token = "") {
    json view = {{"rows", {{"dimension", "Region"}, {"members", json::array({"East"})}}},
                 {"columns", {{"dimension", "Month"}, {"members", json::array({"Jan", "Q1"})}}}};
    return Post("sandboxes/" + sandbox + "/view", view, token).Json();
  }
  std::string Bob() {
    EXPECT_EQ(client_->Post("/api/users", {{"name", "bob"}, {"password", "bob-password-1"}}, token_)
                  .status,
              201);
    EXPECT_EQ(client_->Post("/api/roles", {{"name", "all"}}, token_).status, 201);
    EXPECT_EQ(
        client_->Request("PUT", "/api/roles/all/cubes/Sales", R"({"access": "WRITE"})", token_)
            .status,
        200);
    EXPECT_EQ(client_->Post("/api/users/bob/roles", {{"role", "all"}}, token_).status, 200);
    return Login("bob", "bob-password-1");
  }
};

TEST_F(ServerWorkspacesTest, HeldCellsAreLeftAloneByTheirOwnersSpreads) {
  ASSERT_EQ(Post("holds", {{"cells", Cells({{"East", "Jan"}})}}).status, 200);
  HttpReply holds = client_->Get("/api/cubes/Sales/holds", token_);
  EXPECT_EQ(holds.Json()["holds"][0]["cell"], json::array({"East", "Jan"}));
  // World Jan = East - West = 10 - 4; held East stays, West moves to 10 - 8 = 2.
  HttpReply spread = Post("spread", {{"cells", Cells({{"World", "Jan"}})}, {"expression", "P8"}});
  ASSERT_EQ(spread.status, 200) << spread.body;
  EXPECT_EQ(Read("East", "Jan"), 10.0);
  EXPECT_EQ(Read("West", "Jan"), 2.0);
  ASSERT_EQ(Post("holds/release", {{"all", true}}).status, 200);
  EXPECT_TRUE(client_->Get("/api/cubes/Sales/holds", token_).Json()["holds"].empty());
  EXPECT_EQ(Post("holds", {{"cells", Cells({{"Mars", "Jan"}})}}).status, 404);
}

TEST_F(ServerWorkspacesTest, ASandboxIsReadThroughAndCommittedWithAPolicy) {
  ASSERT_EQ(Post("sandboxes/plan/cells", {{"cells", Writes({{"East", "Jan", 15}})}}).status, 200);
  json grid = ViewThrough("plan");
  EXPECT_EQ(grid["values"][0][0], 15.0) << grid.dump();
  EXPECT_EQ(Read("East", "Jan"), 10.0);
  // Bob sees neither the sandbox nor its writes in the change feed.
  const std::string bob = Bob();
  EXPECT_EQ(Post("sandboxes/plan/view", json::object(), bob).status, 404);
  ASSERT_EQ(WriteCells({{"cells", Writes({{"East", "Jan", 12}})}}).status, 200);
  HttpReply refused = Post("sandboxes/plan/commit", {{"policy", "refuse"}});
  ASSERT_EQ(refused.status, 409) << refused.body;
  json conflict = refused.Json()["error"]["conflicts"][0];
  EXPECT_EQ(conflict["base"], 10.0);
  EXPECT_EQ(conflict["mine"], 15.0);
  EXPECT_EQ(conflict["theirs"], 12.0);
  HttpReply merged = Post("sandboxes/plan/commit", {{"policy", "merge"}});
  ASSERT_EQ(merged.status, 200) << merged.body;
  EXPECT_EQ(Read("East", "Jan"), 17.0);
  EXPECT_EQ(client_->Request("DELETE", "/api/cubes/Sales/sandboxes/plan", "", token_).status, 200);
  EXPECT_EQ(client_->Get("/api/cubes/Sales/sandboxes/plan", token_).status, 404);
  const json feed = client_->Get("/api/changes?after=0", token_).Json();
  for (const json& t : feed["transactions"]) EXPECT_NE(t["kind"], "sandbox_write");
}

TEST_F(ServerWorkspacesTest, OfflineEditsMergeWithTheirBaseSequence) {
  const uint64_t base = db_->last_sequence();
  ASSERT_EQ(WriteCells({{"cells", Writes({{"East", "Jan", 9}})}}).status, 200);
  ASSERT_EQ(WriteCells({{"cells", Writes({{"East", "Jan", 11}})}}).status, 200);
  json body = {{"base_sequence", base},
               {"cells", Writes({{"East", "Jan", 30}, {"West", "Feb", 3}})}};
  HttpReply refused = Post("sync", body);
  EXPECT_EQ(refused.status, 409) << refused.body;
  // Each conflict names the base's last change to its cell: a client tells
  // its own changes apart from others'.
  json conflict = refused.Json()["error"]["conflicts"][0];
  EXPECT_EQ(conflict["base"], 10.0);
  EXPECT_EQ(conflict["theirs"], 11.0);
  EXPECT_EQ(conflict["sequence"], db_->last_sequence());
  EXPECT_EQ(conflict["user"], "admin");
  EXPECT_EQ(Read("West", "Feb"), std::nullopt);
  body["policy"] = "mine";
  body["client_txn_id"] = "offline-1";
  HttpReply mine = Post("sync", body);
  ASSERT_EQ(mine.status, 200) << mine.body;
  EXPECT_EQ(mine.Json()["cells_applied"], 2);
  EXPECT_EQ(Read("East", "Jan"), 30.0);
  EXPECT_EQ(Read("West", "Feb"), 3.0);
  EXPECT_EQ(Post("sync", {{"cells", Writes({{"East", "Jan", 1}})}}).ErrorCode(),
            "INVALID_ARGUMENT");
  EXPECT_EQ(
      Post("sync",
           {{"base_sequence", base}, {"policy", "yours"}, {"cells", Writes({{"East", "Jan", 1}})}})
          .ErrorCode(),
      "INVALID_ARGUMENT");
}

}  // namespace
}  // namespace quantatom::testing
