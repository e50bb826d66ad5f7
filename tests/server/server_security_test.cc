// Roles and grants over HTTP: a user without access to a cell can neither
// read it, infer it (through totals, history, the change feed, member
// search, the model's counts) nor change it by any endpoint; admins see
// everything; only admins manage roles; bad grants change nothing.
#include <atomic>
#include <thread>

#include "server_fixture.h"

namespace quantatom::testing {
namespace {

const char kGridView[] =
    R"json({"rows": {"dimension": "Region", "members": "descendants(World)"},
            "columns": {"dimension": "Month", "members": ["Jan", "Feb", "Q1"]}})json";

class ServerSecurityTest : public ServerFixture {
 protected:
  // A user with `roles`; returns its session token.
  std::string User(const std::string& name, const std::vector<std::string>& roles) {
    HttpReply made =
        client_->Post("/api/users", {{"name", name}, {"password", "password-" + name}}, token_);
    EXPECT_EQ(made.status, 201) << made.body;
    for (const std::string& role : roles) {
      HttpReply r = client_->Post("/api/users/" + name + "/roles", {{"role", role}}, token_);
      EXPECT_EQ(r.status, 200) << r.body;
    }
    return Login(name, "password-" + name);
  }
  void Role(const std::string& name, const std::string& fallback, json grants) {
    ASSERT_EQ(client_->Post("/api/roles", {{"name", name}}, token_).status, 201);
    HttpReply r = client_->Request("PUT", "/api/roles/" + name + "/cubes/Sales",
                                   json{{"access", fallback}, {"grants", grants}}.dump(), token_);
    ASSERT_EQ(r.status, 200) << r.body;
  }
  // "east": every cell but West's, which is hidden.
  void SetUpEast() {
    ASSERT_NO_FATAL_FAILURE(
        Role("east", "WRITE", {{{"dimension", "Region"}, {"member", "West"}, {"access", "NONE"}}}));
    bob_ = User("bob", {"east"});
    ASSERT_FALSE(bob_.empty());
  }
  HttpReply View(const std::string& token, const std::string& body = kGridView,
                 const std::string& query = "") {
    return client_->Request("POST", "/api/cubes/Sales/view" + query, body, token);
  }
  // A vector, not json: `json x = {one}` is that one element under clang.
  HttpReply Write(const std::string& token, std::vector<json> cells) {
    return client_->Post("/api/cubes/Sales/cells", {{"cells", json(cells)}}, token);
  }
  static std::vector<std::string> RowNames(const json& grid) {
    std::vector<std::string> out;
    for (const json& row : grid["rows"]) out.push_back(row[0]["name"]);
    return out;
  }

  std::string bob_;
};

TEST_F(ServerSecurityTest, GridOmitsHiddenRowsAndMasksTotalsOverThem) {
  ASSERT_NO_FATAL_FAILURE(SetUpEast());
  HttpReply r = View(bob_);
  ASSERT_EQ(r.status, 200) << r.body;
  json grid = r.Json();
  EXPECT_EQ(RowNames(grid), (std::vector<std::string>{"World", "East"}));
  // World = East - West would give West away: masked.
  EXPECT_EQ(grid["values"][0], json::parse("[null, null, null]"));
  EXPECT_EQ(grid["values"][1], json::parse("[10.0, null, 10.0]"));
  EXPECT_EQ(grid["access"], json::parse(R"(["NNN", "WWR"])"));
  EXPECT_EQ(r.body.find("West"), std::string::npos);

  // The admin sees every row and value.
  json all = View(token_).Json();
  EXPECT_EQ(RowNames(all), (std::vector<std::string>{"World", "East", "West"}));
  EXPECT_EQ(all["values"][0][0], 6.0);
  EXPECT_EQ(all["access"], json::parse(R"(["RRR", "WWR", "WWR"])"));

  // Suppression comes after masking: the masked World row is empty.
  json suppressed = json::parse(kGridView);
  suppressed["suppress_empty"] = true;
  json s = View(bob_, suppressed.dump()).Json();
  EXPECT_EQ(RowNames(s), (std::vector<std::string>{"East"}));
  EXPECT_EQ(s["access"], json::parse(R"(["WR"])"));  // the empty Feb column went too
  // Naming the hidden member is naming no member at all.
  json west = json::parse(R"({"rows": {"dimension": "Region", "members": ["West", "World"]},
                              "columns": {"dimension": "Month", "members": "Jan"}})");
  HttpReply w = View(bob_, west.dump());
  EXPECT_EQ(w.status, 404);
  EXPECT_EQ(w.Json()["error"]["message"], "unknown member 'West' of dimension 'Region'");
  // As of an earlier sequence, the same rules.
  json then = View(bob_, kGridView, "?as_of=" + std::to_string(db_->last_sequence())).Json();
  EXPECT_EQ(then["values"], grid["values"]);
}

// Every request naming a member (a view's terms, functions and context, a
// write, a cell's history, a bulk write, an export's filter) answers for a
// member the user cannot see exactly as for one that does not exist: the
// same status, code and message, with the name given.
TEST_F(ServerSecurityTest, HiddenMembersAnswerExactlyAsAbsentOnes) {
  ASSERT_NO_FATAL_FAILURE(SetUpEast());
  // The whole error, with the name given swapped, is the same.
  auto same = [](HttpReply hidden, HttpReply absent) {
    EXPECT_EQ(hidden.status, absent.status) << hidden.body << " / " << absent.body;
    EXPECT_GE(hidden.status, 400);
    std::string text = hidden.Json()["error"].dump();
    ASSERT_NE(text.find("West"), std::string::npos) << hidden.body;
    for (size_t at; (at = text.find("West")) != std::string::npos;) text.replace(at, 4, "Mars");
    EXPECT_EQ(text, absent.Json()["error"].dump());
  };
  auto view = [&](const std::string& member, bool function) {
    json v = json::parse(kGridView);
    v["rows"]["members"] =
        function ? json("children(" + member + ")") : json::array({"East", member});
    return View(bob_, v.dump());
  };
  same(view("West", false), view("Mars", false));
  same(view("West", true), view("Mars", true));
  // A context member, on a cube with a third dimension.
  CommitContext setup{"setup", ""};
  ASSERT_TRUE(db_->CreateDimension("Version", "member,parent,weight\nActual,,\n", setup).ok());
  ASSERT_TRUE(db_->CreateCube("Plan", {"Version", "Region", "Month"}, setup).ok());
  ASSERT_EQ(client_
                ->Request("PUT", "/api/roles/east/cubes/Plan",
                          R"({"access": "WRITE", "grants": [{"dimension": "Region",
                              "member": "West", "access": "NONE"}]})",
                          token_)
                .status,
            200);
  auto context = [&](const std::string& member) {
    json v = json::parse(R"({"rows": {"dimension": "Version", "members": "Actual"},
                             "columns": {"dimension": "Month", "members": "Jan"}})");
    v["context"] = {{"Region", member}};
    return client_->Request("POST", "/api/cubes/Plan/view", v.dump(), bob_);
  };
  same(context("West"), context("Mars"));
  same(Write(bob_, {CellJson("West", "Feb", 1)}), Write(bob_, {CellJson("Mars", "Feb", 1)}));
  auto history = [&](const std::string& member) {
    return client_->Get("/api/cubes/Sales/cells/history?cell=" + member + ",Jan", bob_);
  };
  same(history("West"), history("Mars"));
  auto bulk = [&](const std::string& member) {
    return client_->Request("POST", "/api/cubes/Sales/cells/bulk",
                            "Region,Month,Value\n" + member + ",Feb,1\n", bob_,
                            {{"Content-Type", "text/csv"}});
  };
  same(bulk("West"), bulk("Mars"));
  auto export_where = [&](const std::string& member) {
    return client_->Get("/api/cubes/Sales/cells/export?where=Region:" + member, bob_);
  };
  same(export_where("West"), export_where("Mars"));
  EXPECT_EQ(Read("West", "Feb"), std::nullopt);
}

TEST_F(ServerSecurityTest, HiddenContextMemberMasksTheGrid) {
  CommitContext setup{"setup", ""};
  ASSERT_TRUE(
      db_->CreateDimension("Version", "member,parent,weight\nActual,,\nBudget,,\n", setup).ok());
  ASSERT_TRUE(db_->CreateCube("Plan", {"Version", "Region", "Month"}, setup).ok());
  WriteBatch b;
  b.Set({*db_->FindDimension("Version")->Find("Actual"), Cell("East", "Jan")[0],
         Cell("East", "Jan")[1]},
        5);
  ASSERT_TRUE(db_->Write("Plan", b, setup).ok());
  ASSERT_EQ(client_->Post("/api/roles", {{"name", "budget"}}, token_).status, 201);
  ASSERT_EQ(client_
                ->Request("PUT", "/api/roles/budget/cubes/Plan",
                          R"({"access": "WRITE", "grants": [{"dimension": "Version",
                              "member": "Actual", "access": "NONE"}]})",
                          token_)
                .status,
            200);
  std::string dan = User("dan", {"budget"});
  auto view = [&](const std::string& version) {
    json v = json::parse(kGridView);
    v["context"] = {{"Version", version}};
    return client_->Request("POST", "/api/cubes/Plan/view", v.dump(), dan);
  };
  // Naming the hidden Actual is naming no member.
  HttpReply actual = view("Actual");
  EXPECT_EQ(actual.status, 404);
  EXPECT_EQ(actual.Json()["error"]["message"],
            "view: unknown member 'Actual' of dimension 'Version' (context)");
  json budget = view("Budget").Json();
  EXPECT_EQ(budget["access"], json::parse(R"(["RRR", "WWR", "WWR"])")) << budget.dump();
  // Versions are roots: the default context is Actual, the first root, and
  // it masks every cell.
  json v = json::parse(kGridView);
  json masked = client_->Request("POST", "/api/cubes/Plan/view", v.dump(), dan).Json();
  EXPECT_EQ(masked["values"][1], json::parse("[null, null, null]")) << masked.dump();
  EXPECT_EQ(masked["access"], json::parse(R"(["NNN", "NNN", "NNN"])"));
}

TEST_F(ServerSecurityTest, WritesAreRefusedWholeWhenAnyCellIsNotWritable) {
  ASSERT_NO_FATAL_FAILURE(SetUpEast());
  ASSERT_NO_FATAL_FAILURE(Role("reader", "READ", json::array()));
  std::string carol = User("carol", {"reader"});
  const uint64_t before = db_->last_sequence();
  // A hidden cell is an unknown one: nothing is written, nothing told.
  HttpReply mixed = Write(bob_, {CellJson("East", "Feb", 1), CellJson("West", "Feb", 2)});
  EXPECT_EQ(mixed.status, 404) << mixed.body;
  EXPECT_EQ(mixed.Json()["error"]["message"],
            "cells[1]: unknown member 'West' of dimension 'Region'");
  // A stale expected_sequence on a hidden cell too, not a 409 that would
  // name the other user's value.
  HttpReply stale = client_->Post(
      "/api/cubes/Sales/cells",
      {{"cells", {CellJson("West", "Jan", 1)}}, {"expected_sequence", before - 1}}, bob_);
  EXPECT_EQ(stale.status, 404) << stale.body;
  EXPECT_EQ(stale.body.find("4.0"), std::string::npos);
  // A cell bob sees but may not write (the total World) is refused whole,
  // naming the cells.
  HttpReply read_only_cell = Write(bob_, {CellJson("East", "Feb", 1), CellJson("World", "Feb", 2)});
  EXPECT_EQ(read_only_cell.status, 403) << read_only_cell.body;
  EXPECT_EQ(read_only_cell.ErrorCode(), "FORBIDDEN");
  EXPECT_EQ(read_only_cell.Json()["error"]["cells"], json::parse(R"([["World", "Feb"]])"));
  HttpReply read_only = Write(carol, {CellJson("East", "Feb", 1)});
  EXPECT_EQ(read_only.status, 403) << read_only.body;
  EXPECT_EQ(db_->last_sequence(), before);
  EXPECT_EQ(Read("East", "Feb"), std::nullopt);
  EXPECT_EQ(Read("West", "Feb"), std::nullopt);

  HttpReply ok = Write(bob_, {CellJson("East", "Feb", 1)});
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(Read("East", "Feb"), 1.0);
  // carol reads what bob wrote.
  EXPECT_EQ(View(carol).Json()["values"][1][1], 1.0);
}

TEST_F(ServerSecurityTest, HistoryAndChangeFeedShowOnlyReadableCells) {
  ASSERT_NO_FATAL_FAILURE(SetUpEast());
  const uint64_t before = db_->last_sequence();
  ASSERT_EQ(Write(token_, {CellJson("West", "Feb", 7)}).status, 200);  // hidden from bob
  ASSERT_EQ(Write(token_, {CellJson("East", "Feb", 3), CellJson("West", "Feb", 8)}).status, 200);

  HttpReply feed = client_->Get("/api/changes?after=" + std::to_string(before), bob_);
  ASSERT_EQ(feed.status, 200) << feed.body;
  json txns = feed.Json()["transactions"];
  ASSERT_EQ(txns.size(), 1u) << feed.body;  // the West-only write is not there at all
  EXPECT_EQ(txns[0]["sequence"], before + 2);
  EXPECT_EQ(txns[0]["deltas_count"], 1);
  EXPECT_EQ(txns[0]["deltas"], json::parse(R"([{"cell": ["East", "Feb"], "old_value": null,
                                                  "new_value": 3.0}])"));
  EXPECT_EQ(feed.Json()["next_after"], before + 2);
  EXPECT_EQ(feed.body.find("West"), std::string::npos);
  // The feed's setup transactions (model changes) are the admin's to see.
  json from_start = client_->Get("/api/changes?after=0&max=3", bob_).Json();
  EXPECT_TRUE(from_start["transactions"].empty()) << from_start.dump();
  EXPECT_EQ(from_start["next_after"], 3);
  EXPECT_EQ(client_->Get("/api/changes?after=0&max=3", token_).Json()["transactions"].size(), 3u);

  auto history = [&](const std::string& cell, const std::string& token) {
    return client_->Get("/api/cubes/Sales/cells/history?cell=" + cell, token);
  };
  EXPECT_EQ(history("West,Feb", bob_).status, 404);   // hidden: as if absent
  EXPECT_EQ(history("World,Feb", bob_).status, 403);  // a total over West
  EXPECT_EQ(history("World,Q1", bob_).status, 403);
  HttpReply east = history("East,Q1", bob_);
  ASSERT_EQ(east.status, 200) << east.body;
  EXPECT_EQ(east.body.find("West"), std::string::npos);
  EXPECT_EQ(east.Json()["changes"].size(), 2u);  // Jan at setup, Feb above
  EXPECT_EQ(history("World,Feb", token_).Json()["changes"].size(), 3u);
}

TEST_F(ServerSecurityTest, ModelListingsAndSearchHideWhatCannotBeRead) {
  ASSERT_NO_FATAL_FAILURE(SetUpEast());
  HttpReply search = client_->Get("/api/dimensions/Region/members?search=we", bob_);
  ASSERT_EQ(search.status, 200);
  EXPECT_EQ(search.Json()["matches"], 0);
  json all = client_->Get("/api/dimensions/Region/members", bob_).Json();
  EXPECT_EQ(all["matches"], 2);
  json region = client_->Get("/api/dimensions/Region", bob_).Json();
  EXPECT_EQ(region["members"], 2);
  EXPECT_EQ(region["leaves"], 1);
  EXPECT_EQ(client_->Get("/api/dimensions/Region", token_).Json()["members"], 3);
  // The atom count would count West's atoms.
  json model = client_->Get("/api/model", bob_).Json();
  ASSERT_EQ(model["cubes"].size(), 1u);
  EXPECT_FALSE(model["cubes"][0].contains("atoms"));
  EXPECT_EQ(client_->Get("/api/cubes/Sales", token_).Json()["atoms"], 2);
  EXPECT_EQ(client_->Get("/api/model", bob_).body.find("West"), std::string::npos);
}

TEST_F(ServerSecurityTest, UserWithoutRolesSeesNoCube) {
  std::string eve = User("eve", {});
  ASSERT_FALSE(eve.empty());
  EXPECT_TRUE(client_->Get("/api/cubes", eve).Json()["cubes"].empty());
  EXPECT_TRUE(client_->Get("/api/dimensions", eve).Json()["dimensions"].empty());
  // The same answer as for a cube that does not exist.
  HttpReply hidden = client_->Get("/api/cubes/Sales", eve);
  EXPECT_EQ(hidden.status, 404);
  std::string absent = client_->Get("/api/cubes/Nope", eve).body;
  hidden.body.replace(hidden.body.find("Sales"), 5, "Nope");
  EXPECT_EQ(hidden.body, absent);
  EXPECT_EQ(View(eve).status, 404);
  EXPECT_EQ(Write(eve, {CellJson("East", "Feb", 1)}).status, 404);
  EXPECT_EQ(client_->Get("/api/cubes/Sales/cells/history?cell=East,Jan", eve).status, 404);
  EXPECT_EQ(client_->Get("/api/dimensions/Region/members?search=e", eve).status, 404);
  EXPECT_TRUE(client_->Get("/api/changes?after=0", eve).Json()["transactions"].empty());
  EXPECT_EQ(Read("East", "Feb"), std::nullopt);
}

TEST_F(ServerSecurityTest, GrantChangesApplyToOpenSessionsAndSurviveARestart) {
  ASSERT_NO_FATAL_FAILURE(SetUpEast());
  EXPECT_EQ(RowNames(View(bob_).Json()).size(), 2u);
  ASSERT_EQ(client_->Request("PUT", "/api/roles/east/cubes/Sales", R"({"access": "READ"})", token_)
                .status,
            200);
  EXPECT_EQ(RowNames(View(bob_).Json()).size(), 3u);
  EXPECT_EQ(Write(bob_, {CellJson("East", "Feb", 1)}).status, 403);
  ASSERT_NO_FATAL_FAILURE(RestartServer());
  bob_ = Login("bob", "password-bob");
  EXPECT_EQ(View(bob_).Json()["access"][1], "RRR");
  ASSERT_EQ(client_->Request("DELETE", "/api/users/bob/roles/EAST", "", token_).status, 200);
  EXPECT_EQ(View(bob_).status, 404);
  HttpReply roles = client_->Get("/api/roles", token_);
  ASSERT_EQ(roles.status, 200);
  EXPECT_EQ(roles.Json()["roles"][0]["users"], json::array());
  EXPECT_EQ(roles.Json()["roles"][0]["cubes"][0]["access"], "READ");
  ASSERT_EQ(client_->Request("DELETE", "/api/roles/east", "", token_).status, 200);
  EXPECT_TRUE(client_->Get("/api/roles", token_).Json()["roles"].empty());
}

TEST_F(ServerSecurityTest, GridsWhileGrantsChangeSeeOneGrantOrTheOther) {
  ASSERT_NO_FATAL_FAILURE(SetUpEast());
  std::atomic<bool> done{false};
  std::thread admin([&] {
    HttpClient own(port());
    for (int i = 0; i < 40; ++i) {
      json grant = {
          {"access", i % 2 ? "READ" : "WRITE"},
          {"grants", {{{"dimension", "Region"}, {"member", "West"}, {"access", "NONE"}}}}};
      EXPECT_EQ(own.Request("PUT", "/api/roles/east/cubes/Sales", grant.dump(), token_).status,
                200);
    }
    done = true;
  });
  HttpClient own(port());
  const json writable = json::parse(R"(["NNN", "WWR"])"),
             readable = json::parse(R"(["NNN", "RRR"])");
  int views = 0;
  while (!done || views == 0) {
    HttpReply r = own.Request("POST", "/api/cubes/Sales/view", kGridView, bob_);
    if (r.status != 200) {
      ADD_FAILURE() << r.body;  // and still join the admin thread
      break;
    }
    json access = r.Json()["access"];
    EXPECT_TRUE(access == writable || access == readable) << access.dump();
    ++views;
  }
  admin.join();
}

TEST_F(ServerSecurityTest, OnlyAdminsManageRoles) {
  ASSERT_NO_FATAL_FAILURE(SetUpEast());
  size_t checked = 0;
  for (const server::Route& route : server_->router().routes()) {
    if (!route.admin_only) continue;
    HttpReply r = client_->Request(route.method, Concrete(route.pattern), "{}", bob_);
    EXPECT_EQ(r.status, 403) << route.method << " " << route.pattern;
    EXPECT_EQ(r.ErrorCode(), "FORBIDDEN");
    ++checked;
  }
  EXPECT_GE(checked, 10u);
  // bob cannot lift his own restriction.
  EXPECT_EQ(
      client_->Request("PUT", "/api/roles/east/cubes/Sales", R"({"access": "WRITE"})", bob_).status,
      403);
  EXPECT_EQ(client_->Post("/api/users/bob/roles", {{"role", "east"}}, bob_).status, 403);
}

TEST_F(ServerSecurityTest, BadGrantsAreClientErrorsAndChangeNothing) {
  ASSERT_NO_FATAL_FAILURE(SetUpEast());
  const std::string before = client_->Get("/api/roles", token_).body;
  auto put = [&](const std::string& target, const std::string& body) {
    return client_->Request("PUT", target, body, token_);
  };
  // {"access": "READ", "grants": [...]} from [dimension, member, access] triples.
  auto grants = [](std::vector<std::vector<std::string>> triples) {
    json body = {{"access", "READ"}, {"grants", json::array()}};
    for (const auto& t : triples)
      body["grants"].push_back({{"dimension", t[0]}, {"member", t[1]}, {"access", t[2]}});
    return body.dump();
  };
  struct Case {
    HttpReply reply;
    int status;
    std::string code, mentions;
  };
  const std::string east = "/api/roles/east/cubes/Sales";
  std::vector<Case> cases = {
      {put("/api/roles/east/cubes/Nope", R"({"access": "READ"})"), 404, "NOT_FOUND", "Nope"},
      {put("/api/roles/nobody/cubes/Sales", R"({"access": "READ"})"), 404, "NOT_FOUND", "nobody"},
      {put(east, R"({"access": "ALL"})"), 400, "INVALID_ARGUMENT", "access"},
      {put(east, R"({"grants": []})"), 400, "INVALID_ARGUMENT", "access"},
      {put(east, grants({{"Product", "X", "READ"}})), 404, "NOT_FOUND", "grants[0]"},
      {put(east, grants({{"Region", "West", "READ"}, {"Region", "Mars", "READ"}})), 404,
       "NOT_FOUND", "Mars"},
      {put(east, grants({{"Region", "East", "ALL"}})), 400, "INVALID_ARGUMENT", "grants[0]"},
      {put(east, grants({{"Region", "East", "READ"}, {"Region", "E", "NONE"}})), 400,
       "INVALID_ARGUMENT", "twice"},
      {put(east, R"({"access": "READ", "grants": {}})"), 400, "INVALID_ARGUMENT", "grants"},
      {put(east, R"({"access": "READ", "typo": 1})"), 400, "INVALID_ARGUMENT", "typo"},
      {client_->Post("/api/roles", {{"name", "east"}}, token_), 409, "ALREADY_EXISTS", "east"},
      {client_->Post("/api/roles", {{"name", "a b"}}, token_), 400, "INVALID_ARGUMENT", "a b"},
      {client_->Post("/api/users/bob/roles", {{"role", "nobody"}}, token_), 404, "NOT_FOUND",
       "nobody"},
      {client_->Post("/api/users/nobody/roles", {{"role", "east"}}, token_), 404, "NOT_FOUND",
       "nobody"},
      {client_->Post("/api/users/bob/roles", {{"role", "east"}}, token_), 409, "ALREADY_EXISTS",
       "east"},
      {client_->Request("DELETE", "/api/users/bob/roles/nobody", "", token_), 404, "NOT_FOUND",
       "nobody"},
      {client_->Request("DELETE", "/api/roles/east/cubes/Nope", "", token_), 404, "NOT_FOUND",
       "Nope"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    EXPECT_EQ(c.reply.status, c.status) << "case " << i << ": " << c.reply.body;
    EXPECT_EQ(c.reply.ErrorCode(), c.code) << "case " << i;
    EXPECT_NE(c.reply.body.find(c.mentions), std::string::npos) << "case " << i << c.reply.body;
  }
  EXPECT_EQ(client_->Get("/api/roles", token_).body, before);
}

}  // namespace
}  // namespace quantatom::testing
