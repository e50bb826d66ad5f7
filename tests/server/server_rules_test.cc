// Rules over HTTP: GET and PUT /api/cubes/{cube}/rules (a syntax error is
// 400 with line, column and a caret, a cycle 422, stored atoms in the way
// 409), computed cells read-only and marked so in grids, masked when the
// reader may not read what the rule reads, and who may read and save rules.
#include "server_fixture.h"

namespace quantatom::testing {
namespace {

constexpr char kRules[] =
    "leaf [Line: Revenue] = [Line: Units] * [Line: Price];\n"
    "consolidated [Line: Margin] = [Line: Revenue] / [Line: Units];\n";

class ServerRulesTest : public ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    CommitContext ctx{"setup", ""};
    ASSERT_TRUE(db_->CreateDimension(
                       "Line", "member,parent,weight\nUnits,,\nPrice,,\nRevenue,,\nMargin,,\n", ctx)
                    .ok());
    ASSERT_TRUE(db_->CreateCube("Plan", {"Region", "Line"}, ctx).ok());
    WriteBatch b;
    auto line = [&](const char* m) { return *db_->FindDimension("Line")->Find(m); };
    auto region = [&](const char* m) { return *db_->FindDimension("Region")->Find(m); };
    b.Set({region("East"), line("Units")}, 10);
    b.Set({region("East"), line("Price")}, 3);
    b.Set({region("West"), line("Units")}, 4);
    b.Set({region("West"), line("Price")}, 5);
    ASSERT_TRUE(db_->Write("Plan", b, ctx).ok());
  }

  HttpReply Put(const std::string& text, const std::string& token = "",
                const std::string& query = "") {
    return client_->Request("PUT", "/api/cubes/Plan/rules" + query, json{{"text", text}}.dump(),
                            token.empty() ? token_ : token);
  }
  json Grid(const std::string& token = "", json lines = {"Units", "Price", "Revenue", "Margin"}) {
    json view =
        json::parse(R"({"rows": {"dimension": "Region", "members": ["East", "West", "World"]},
        "columns": {"dimension": "Line"}})");
    view["columns"]["members"] = std::move(lines);
    HttpReply r = client_->Post("/api/cubes/Plan/view", view, token.empty() ? token_ : token);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Json();
  }
  // A user with one role on Plan: `access` by default and `grants`.
  std::string User(const std::string& name, const std::string& access, json grants) {
    EXPECT_EQ(client_->Post("/api/roles", {{"name", "r_" + name}}, token_).status, 201);
    EXPECT_EQ(client_
                  ->Request("PUT", "/api/roles/r_" + name + "/cubes/Plan",
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

TEST_F(ServerRulesTest, RulesAreSavedShownAndTheirCellsReadOnly) {
  HttpReply put = Put(kRules);
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.Json()["rules"].size(), 2u);
  EXPECT_EQ(put.Json()["rules"][0]["derived_atoms"], 2);
  HttpReply got = client_->Get("/api/cubes/Plan/rules", token_);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.Json()["text"], kRules);
  EXPECT_EQ(got.Json()["user"], "admin");
  EXPECT_EQ(got.Json()["rules"][1]["kind"], "consolidated");
  json grid = Grid();
  EXPECT_EQ(grid["values"][0][2], 30.0);
  EXPECT_EQ(grid["values"][2][2], 30.0 - 20);  // World = East - West
  EXPECT_DOUBLE_EQ(grid["values"][2][3].get<double>(), 10.0 / 6);
  EXPECT_EQ(grid["access"][0], "WWRR");  // computed cells are read-only
  HttpReply write =
      client_->Post("/api/cubes/Plan/cells",
                    {{"cells", {{{"members", {"East", "Revenue"}}, {"value", 1}}}}}, token_);
  EXPECT_EQ(write.status, 422) << write.body;
  EXPECT_NE(write.Json()["error"]["message"].get<std::string>().find("read-only"),
            std::string::npos);
  // Removing them makes the cells plain again.
  ASSERT_EQ(Put("").status, 200);
  EXPECT_EQ(Grid()["access"][0], "WWWW");
}

TEST_F(ServerRulesTest, RefusalsSayWhereAndWhy) {
  HttpReply syntax = Put("leaf [Line: Revenue] = [Line: Units] * ;");
  ASSERT_EQ(syntax.status, 400) << syntax.body;
  json error = syntax.Json()["error"];
  EXPECT_EQ(error["line"], 1);
  EXPECT_EQ(error["column"], 40);
  EXPECT_EQ(error["excerpt"],
            "leaf [Line: Revenue] = [Line: Units] * ;\n" + std::string(39, ' ') + "^");
  HttpReply unknown = Put("leaf [Line: Revenue] = [Line: Volume];");
  EXPECT_EQ(unknown.status, 400) << unknown.body;
  EXPECT_EQ(unknown.Json()["error"]["column"], 31);
  HttpReply cycle =
      Put("leaf [Line: Revenue] = [Line: Price] * 2;\nleaf [Line: Price] = [Line: Revenue] / 2;\n");
  EXPECT_EQ(cycle.status, 422) << cycle.body;
  EXPECT_NE(cycle.Json()["error"]["message"].get<std::string>().find("circular dependency"),
            std::string::npos);
  ASSERT_EQ(client_
                ->Post("/api/cubes/Plan/cells",
                       {{"cells", {{{"members", {"East", "Revenue"}}, {"value", 7}}}}}, token_)
                .status,
            200);
  HttpReply in_the_way = Put(kRules);
  EXPECT_EQ(in_the_way.status, 409) << in_the_way.body;
  EXPECT_EQ(in_the_way.Json()["error"]["code"], "HAS_DATA");
  HttpReply deleted = Put(kRules, "", "?delete_data=true");
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(deleted.Json()["atoms_deleted"], 1);
  HttpReply plain = client_->Request("PUT", "/api/cubes/Plan/rules", "", token_);
  EXPECT_EQ(plain.status, 400) << "a JSON body without text";
}

TEST_F(ServerRulesTest, ComputedCellsAreMaskedUnlessTheReaderMayReadWhatTheRuleReads) {
  ASSERT_EQ(Put(kRules).status, 200);
  // Prices hidden from this reader: revenue would reveal them.
  std::string no_price =
      User("noprice", "READ", {{{"dimension", "Line"}, {"member", "Price"}, {"access", "NONE"}}});
  // Price itself is hidden: unknown to this reader's requests.
  json grid = Grid(no_price, {"Units", "Revenue", "Margin"});
  EXPECT_EQ(grid["access"][0], "RNN");
  EXPECT_TRUE(grid["values"][0][1].is_null());
  std::string all = User("all", "READ", json::array());
  json full = Grid(all);
  EXPECT_EQ(full["access"][0], "RRRR");
  EXPECT_EQ(full["values"][0][2], 30.0);
}

TEST_F(ServerRulesTest, ReadingAndSavingRulesNeedAccessToTheWholeCube) {
  std::string writer = User("writer", "WRITE", json::array());
  EXPECT_EQ(Put(kRules, writer).status, 200);
  EXPECT_EQ(client_->Get("/api/cubes/Plan/rules", writer).status, 200);
  std::string east =
      User("east", "WRITE", {{{"dimension", "Region"}, {"member", "West"}, {"access", "READ"}}});
  EXPECT_EQ(Put("", east).status, 403);
  std::string partial =
      User("partial", "READ", {{{"dimension", "Region"}, {"member", "West"}, {"access", "NONE"}}});
  EXPECT_EQ(client_->Get("/api/cubes/Plan/rules", partial).status, 403);
  // Rules reading another cube need read access to all of it.
  std::string plan_only = User("planonly", "WRITE", json::array());
  HttpReply cross = Put("leaf [Line: Revenue] = Sales[Month: Jan] * [Line: Units];", plan_only);
  EXPECT_EQ(cross.status, 403) << cross.body;
}

}  // namespace
}  // namespace quantatom::testing
