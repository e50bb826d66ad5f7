// Saved views over HTTP: saved (checked against the cube, logged) by users
// who may write some of the cube, listed and read by its readers with their
// own grants applied, hidden from readers they would tell a hidden member's
// name to, and kept across a reopening of the data directory.
#include "server_fixture.h"

namespace quantatom::testing {
namespace {

const json kView = json::parse(
    R"json({"rows": {"dimension": "Region", "members": "descendants(World)"},
        "columns": {"dimension": "Month", "members": ["Jan", "Feb", "Q1"]}})json");

class ServerViewsTest : public ServerFixture {
 protected:
  // `name` with its spaces percent-encoded.
  HttpReply Put(std::string name, const json& view, const std::string& token = "") {
    for (size_t at; (at = name.find(' ')) != std::string::npos;) name.replace(at, 1, "%20");
    return client_->Request("PUT", "/api/cubes/Sales/views/" + name, json{{"view", view}}.dump(),
                            token.empty() ? token_ : token);
  }
  // A user with one role on Sales: `access` by default and `grants`.
  std::string User(const std::string& name, const std::string& access, json grants) {
    EXPECT_EQ(client_->Post("/api/roles", {{"name", "r_" + name}}, token_).status, 201);
    EXPECT_EQ(client_
                  ->Request("PUT", "/api/roles/r_" + name + "/cubes/Sales",
                            json{{"access", access}, {"grants", grants}}.dump(), token_)
                  .status,
              200);
    EXPECT_EQ(
        client_->Post("/api/users", {{"name", name}, {"password", "password-" + name}}, token_)
            .status,
        201);
    EXPECT_EQ(
        client_->Post("/api/users/" + name + "/roles", {{"role", "r_" + name}}, token_).status,
        200);
    return Login(name, "password-" + name);
  }
};

TEST_F(ServerViewsTest, SavedViewIsListedReadAndGivesTheGridOfTheViewItself) {
  HttpReply saved = Put("Regions by month", kView);
  ASSERT_EQ(saved.status, 200) << saved.body;
  EXPECT_EQ(saved.Json()["name"], "Regions by month");
  EXPECT_EQ(saved.Json()["user"], "admin");
  EXPECT_EQ(saved.Json()["view"]["cube"], "Sales");
  json list = client_->Get("/api/cubes/Sales/views", token_).Json();
  ASSERT_EQ(list["views"].size(), 1u);
  EXPECT_EQ(list["views"][0]["view"]["rows"], kView["rows"]);
  EXPECT_EQ(list["views"][0]["sequence"], saved.Json()["sequence"]);
  HttpReply one = client_->Get("/api/cubes/Sales/views/regions%20BY%20month", token_);
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(one.Json(), list["views"][0]);
  HttpReply grid =
      client_->Request("POST", "/api/cubes/Sales/views/Regions%20by%20month/grid", "", token_);
  HttpReply direct = client_->Post("/api/cubes/Sales/view", kView, token_);
  ASSERT_EQ(grid.status, 200) << grid.body;
  EXPECT_EQ(grid.Json(), direct.Json());
  EXPECT_EQ(grid.Json()["values"][0][0], 6.0);
  // Replaced by a save under the same name; deleted.
  json other = kView;
  other["columns"]["members"] = "Q1";
  ASSERT_EQ(Put("REGIONS BY MONTH", other).status, 200);
  EXPECT_EQ(client_->Get("/api/cubes/Sales/views", token_).Json()["views"].size(), 1u);
  HttpReply gone =
      client_->Request("DELETE", "/api/cubes/Sales/views/Regions%20by%20month", "", token_);
  ASSERT_EQ(gone.status, 200) << gone.body;
  EXPECT_EQ(client_->Get("/api/cubes/Sales/views/Regions%20by%20month", token_).status, 404);
  EXPECT_EQ(
      client_->Request("DELETE", "/api/cubes/Sales/views/Regions%20by%20month", "", token_).status,
      404);
}

TEST_F(ServerViewsTest, BadViewsAreClientErrorsNamingTheMemberAndSaveNothing) {
  json mars = kView;
  mars["rows"]["members"] = "children(Mars)";
  HttpReply r = Put("v", mars);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.ErrorCode(), "NOT_FOUND");
  EXPECT_NE(r.body.find("'Mars'"), std::string::npos) << r.body;
  json nodim = kView;
  nodim["rows"]["dimension"] = "Planet";
  EXPECT_EQ(Put("v", nodim).status, 404);
  json typo = kView;
  typo["colums"] = typo["columns"];
  EXPECT_EQ(Put("v", typo).ErrorCode(), "INVALID_ARGUMENT");
  json other_cube = kView;
  other_cube["cube"] = "Budget";
  EXPECT_EQ(Put("v", other_cube).status, 400);
  EXPECT_EQ(client_->Request("PUT", "/api/cubes/Sales/views/v", R"({"view": 1})", token_).status,
            400);
  EXPECT_EQ(client_->Request("PUT", "/api/cubes/Sales/views/v", "{", token_).ErrorCode(),
            "MALFORMED_JSON");
  EXPECT_EQ(client_->Request("PUT", "/api/cubes/Sales/views/v", R"({"view": {}, "x": 1})", token_)
                .ErrorCode(),
            "INVALID_ARGUMENT");
  EXPECT_EQ(Put("bad%01name", kView).status, 400);
  EXPECT_EQ(
      client_->Request("PUT", "/api/cubes/Nowhere/views/v", json{{"view", kView}}.dump(), token_)
          .status,
      404);
  EXPECT_TRUE(client_->Get("/api/cubes/Sales/views", token_).Json()["views"].empty());
  EXPECT_TRUE(db_->Views("Sales").empty());
}

TEST_F(ServerViewsTest, WritersSaveReadersReadAndHiddenMembersStayHidden) {
  // bob writes all but West; carol reads everything but West; dave only reads.
  const std::string bob =
      User("bob", "WRITE", {{{"dimension", "Region"}, {"member", "West"}, {"access", "READ"}}});
  const std::string carol =
      User("carol", "READ", {{{"dimension", "Region"}, {"member", "West"}, {"access", "NONE"}}});
  const std::string dave = User("dave", "READ", json::array());
  EXPECT_EQ(Put("dave's", kView, dave).status, 403);
  EXPECT_EQ(Put("dave's", kView, dave).ErrorCode(), "FORBIDDEN");
  ASSERT_EQ(Put("all", kView, bob).status, 200);
  json west = kView;
  west["rows"]["members"] = json::array({"East", "West"});
  ASSERT_EQ(Put("east and west", west).status, 200);
  // carol sees the first (its grid masks West), not the one naming West.
  json list = client_->Get("/api/cubes/Sales/views", carol).Json();
  ASSERT_EQ(list["views"].size(), 1u);
  EXPECT_EQ(list["views"][0]["name"], "all");
  HttpReply grid = client_->Request("POST", "/api/cubes/Sales/views/all/grid", "", carol);
  ASSERT_EQ(grid.status, 200) << grid.body;
  EXPECT_EQ(grid.body.find("West"), std::string::npos);
  EXPECT_EQ(grid.Json()["values"][0], json::parse("[null, null, null]"));
  HttpReply hidden = client_->Get("/api/cubes/Sales/views/east%20and%20west", carol);
  HttpReply absent = client_->Get("/api/cubes/Sales/views/nothing", carol);
  EXPECT_EQ(hidden.status, 404);
  EXPECT_EQ(absent.status, 404);
  EXPECT_EQ(
      client_->Request("POST", "/api/cubes/Sales/views/east%20and%20west/grid", "", carol).status,
      404);
  // carol may not save (no WRITE); bob may not name what he cannot see.
  EXPECT_EQ(Put("mine", kView, carol).status, 403);
  const std::string erin =
      User("erin", "WRITE", {{{"dimension", "Region"}, {"member", "West"}, {"access", "NONE"}}});
  HttpReply names_hidden = Put("x", west, erin);
  json mars = kView;
  mars["rows"]["members"] = json::array({"East", "Mars"});
  HttpReply names_absent = Put("x", mars, erin);
  EXPECT_EQ(names_hidden.status, names_absent.status);
  EXPECT_EQ(names_hidden.ErrorCode(), names_absent.ErrorCode());
  EXPECT_EQ(names_hidden.Json()["error"]["message"], "unknown member 'West' of dimension 'Region'");
  EXPECT_EQ(names_absent.Json()["error"]["message"], "unknown member 'Mars' of dimension 'Region'");
}

TEST_F(ServerViewsTest, SavedViewsSurviveReopeningAndAreInTheAuditTrail) {
  const uint64_t after = db_->last_sequence();
  ASSERT_EQ(Put("kept", kView).status, 200);
  json feed = client_->Get("/api/changes?after=" + std::to_string(after), token_).Json();
  ASSERT_EQ(feed["transactions"].size(), 1u);
  EXPECT_EQ(feed["transactions"][0]["kind"], "save_view");
  EXPECT_EQ(feed["transactions"][0]["parameters"]["name"], "kept");
  ASSERT_TRUE(db_->Snapshot().ok());
  server_.reset();
  db_.reset();
  auto db = Database::Open(dir());
  ASSERT_TRUE(db.ok());
  db_ = std::move(*db);
  ASSERT_NO_FATAL_FAILURE(StartServer());
  HttpReply kept = client_->Get("/api/cubes/Sales/views/kept", token_);
  ASSERT_EQ(kept.status, 200) << kept.body;
  EXPECT_EQ(kept.Json()["view"]["rows"], kView["rows"]);
}

}  // namespace
}  // namespace quantatom::testing
