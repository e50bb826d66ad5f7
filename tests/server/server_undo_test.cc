// POST /api/transactions/{sequence}/undo: a user undoes its own
// transactions (an admin anyone's), needs WRITE on every cell the
// transaction changed, and redoes by undoing the undo.
#include "server_fixture.h"

namespace quantatom::testing {
namespace {

class ServerUndoTest : public ServerFixture {
 protected:
  // A user holding a role that writes Sales; returns its session token.
  std::string Planner(const std::string& name) {
    if (client_->Get("/api/roles", token_).Json()["roles"].empty()) {
      EXPECT_EQ(client_->Post("/api/roles", {{"name", "planner"}}, token_).status, 201);
      HttpReply r =
          client_->Request("PUT", "/api/roles/planner/cubes/Sales",
                           json{{"access", "WRITE"}, {"grants", json::array()}}.dump(), token_);
      EXPECT_EQ(r.status, 200) << r.body;
    }
    EXPECT_EQ(
        client_->Post("/api/users", {{"name", name}, {"password", "password-" + name}}, token_)
            .status,
        201);
    EXPECT_EQ(client_->Post("/api/users/" + name + "/roles", {{"role", "planner"}}, token_).status,
              200);
    return Login(name, "password-" + name);
  }
  uint64_t Write(const std::string& token, const std::string& region, double value) {
    HttpReply r = client_->Post("/api/cubes/Sales/cells",
                                {{"cells", json::array({CellJson(region, "Jan", value)})}}, token);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Json().value("sequence", uint64_t{0});
  }
  HttpReply Undo(const std::string& token, uint64_t sequence, json body = nullptr) {
    return client_->Request("POST", "/api/transactions/" + std::to_string(sequence) + "/undo",
                            body.is_null() ? "" : body.dump(), token);
  }
};

TEST_F(ServerUndoTest, UndoRestoresTheOldValueAndUndoingTheUndoRedoes) {
  std::string alice = Planner("alice");
  uint64_t written = Write(alice, "East", 25);
  ASSERT_EQ(Read("East", "Jan"), 25);

  HttpReply undo = Undo(alice, written);
  ASSERT_EQ(undo.status, 200) << undo.body;
  EXPECT_EQ(undo.Json()["undone"], written);
  EXPECT_EQ(undo.Json()["atoms_changed"], 1);
  EXPECT_EQ(Read("East", "Jan"), 10);
  EXPECT_EQ(Read("World", "Jan"), 6);  // East - West

  HttpReply redo = Undo(alice, undo.Json()["sequence"]);
  ASSERT_EQ(redo.status, 200) << redo.body;
  EXPECT_EQ(Read("East", "Jan"), 25);
  // The undo is in the log under its user, like any change.
  HttpReply history = client_->Get("/api/cubes/Sales/cells/history?cell=East,Jan", token_);
  json changes = history.Json()["changes"];
  ASSERT_EQ(changes.size(), 4u);  // setup, write, undo, redo
  EXPECT_EQ(changes[2]["kind"], "undo");
  EXPECT_EQ(changes[2]["user"], "alice");
}

TEST_F(ServerUndoTest, OnlyTheOwnerOrAnAdminMayUndo) {
  std::string alice = Planner("alice");
  std::string bob = Planner("bob");
  uint64_t alices = Write(alice, "East", 25);
  HttpReply refused = Undo(bob, alices);
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(refused.ErrorCode(), "FORBIDDEN");
  EXPECT_EQ(Read("East", "Jan"), 25);
  HttpReply by_admin = Undo(token_, alices);
  EXPECT_EQ(by_admin.status, 200) << by_admin.body;
  EXPECT_EQ(Read("East", "Jan"), 10);
}

TEST_F(ServerUndoTest, UndoNeedsWriteOnEveryCellTheTransactionChanged) {
  std::string alice = Planner("alice");
  uint64_t written = Write(alice, "West", 7);
  // West becomes read-only for the planner role afterwards.
  HttpReply grant = client_->Request(
      "PUT", "/api/roles/planner/cubes/Sales",
      json{{"access", "WRITE"},
           {"grants", {{{"dimension", "Region"}, {"member", "West"}, {"access", "READ"}}}}}
          .dump(),
      token_);
  ASSERT_EQ(grant.status, 200) << grant.body;
  HttpReply refused = Undo(alice, written);
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(refused.Json()["error"]["cells"], json::parse(R"([["West", "Jan"]])"));
  EXPECT_EQ(Read("West", "Jan"), 7);
}

TEST_F(ServerUndoTest, ACellChangedSinceRefusesTheUndo) {
  uint64_t first = Write(token_, "East", 20);
  Write(token_, "East", 30);
  HttpReply refused = Undo(token_, first);
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_EQ(refused.ErrorCode(), "FAILED_PRECONDITION");
  EXPECT_NE(refused.body.find("East,Jan"), std::string::npos) << refused.body;
  EXPECT_EQ(Read("East", "Jan"), 30);
}

TEST_F(ServerUndoTest, ARetryWithTheSameClientIdIsNotAppliedTwice) {
  uint64_t written = Write(token_, "East", 20);
  HttpReply once = Undo(token_, written, {{"client_txn_id", "undo-1"}});
  ASSERT_EQ(once.status, 200) << once.body;
  HttpReply again = Undo(token_, written, {{"client_txn_id", "undo-1"}});
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.Json()["replayed"], true);
  EXPECT_EQ(again.Json()["sequence"], once.Json()["sequence"]);
  EXPECT_EQ(Read("East", "Jan"), 10);
}

TEST_F(ServerUndoTest, BadAndUnknownSequencesAreRefused) {
  EXPECT_EQ(client_->Request("POST", "/api/transactions/abc/undo", "", token_).status, 400);
  EXPECT_EQ(client_->Request("POST", "/api/transactions/0/undo", "", token_).status, 400);
  EXPECT_EQ(Undo(token_, 999).status, 404);
  // Transaction 1 created a dimension: structure is not undone.
  HttpReply structural = Undo(token_, 1);
  EXPECT_EQ(structural.status, 422) << structural.body;
  EXPECT_EQ(client_->Request("POST", "/api/transactions/3/undo", "", "").status, 401);
}

}  // namespace
}  // namespace quantatom::testing
